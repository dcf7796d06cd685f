//! The seed's reference data: blockchains, fiat currencies, asset issuers, assets; and the sandbox's
//! fixed prices used to quote checkouts and withdrawals.

use rust_decimal::Decimal;

use super::protocol::{CoinqvestAnswer, CoinqvestError, CoinqvestRequest};
use crate::context::Context;
use crate::json::{Json, object, string};

/// A blockchain.
#[derive(Debug)]
pub(crate) struct Chain {
    /// Native asset code (`BTC`), the identifier.
    pub(crate) code: &'static str,
    /// Name (`Bitcoin`).
    pub(crate) name: &'static str,
    /// Native asset name.
    pub(crate) native_name: &'static str,
    /// Smallest checkout payment.
    pub(crate) min_charge: &'static str,
    /// Decimals of quoted payment amounts.
    pub(crate) decimals: u32,
}

/// A fiat currency.
#[derive(Debug)]
pub(crate) struct Fiat {
    /// Asset code (`USD`), the identifier.
    pub(crate) code: &'static str,
    /// The currency's name (`US Dollar`).
    pub(crate) name: &'static str,
    /// Smallest checkout charge.
    pub(crate) min_charge: &'static str,
}

/// Checkout or withdrawal terms of an issuer: enabled, min, feeFixed, feePercent.
pub(crate) type Terms = (bool, &'static str, &'static str, &'static str);

/// An asset issuer (and the asset it issues; ids match).
#[derive(Debug)]
pub(crate) struct Issuer {
    /// Asset/issuer id (`BTC:GBVOL…`).
    pub(crate) id: &'static str,
    /// Asset code (`BTC`, `NGNT`).
    pub(crate) asset_code: &'static str,
    /// Asset name.
    pub(crate) asset_name: &'static str,
    /// Issuer name.
    pub(crate) name: &'static str,
    /// The issuer's web domain.
    pub(crate) domain: &'static str,
    /// Registered address.
    pub(crate) address: &'static str,
    /// The issuer's ISO country code.
    pub(crate) country: &'static str,
    /// The network code: a blockchain (`BTC`) or a fiat currency (`USD`).
    pub(crate) network: &'static str,
    /// `CRYPTO` or `FIAT`.
    pub(crate) kind: &'static str,
    /// Platform default for its network.
    pub(crate) default: bool,
    /// Checkout terms.
    pub(crate) checkouts: Terms,
    /// Withdrawal terms.
    pub(crate) withdrawals: Terms,
}

/// Supported blockchains.
pub(crate) const CHAINS: &[Chain] = &[
    Chain {
        code: "XLM",
        name: "Stellar Network",
        native_name: "Lumens",
        min_charge: "0.0001",
        decimals: 7,
    },
    Chain {
        code: "BTC",
        name: "Bitcoin",
        native_name: "Bitcoin",
        min_charge: "0.0002",
        decimals: 7,
    },
    Chain {
        code: "ETH",
        name: "Ethereum",
        native_name: "Ether",
        min_charge: "0.005",
        decimals: 7,
    },
    Chain {
        code: "LTC",
        name: "Litecoin",
        native_name: "Litecoin",
        min_charge: "0.01",
        decimals: 7,
    },
    Chain {
        code: "XRP",
        name: "XRP Ledger",
        native_name: "Ripple",
        min_charge: "0.0001",
        decimals: 6,
    },
];

/// Supported fiat currencies.
pub(crate) const FIATS: &[Fiat] = &[
    Fiat {
        code: "USD",
        name: "US Dollar",
        min_charge: "0.01",
    },
    Fiat {
        code: "EUR",
        name: "Euro",
        min_charge: "0.01",
    },
    Fiat {
        code: "NGN",
        name: "Nigerian Naira",
        min_charge: "1.00",
    },
];

/// Asset issuers (the seed's, plus defaults for every network).
pub(crate) const ISSUERS: &[Issuer] = &[
    Issuer {
        id: "XLM:NATIVE",
        asset_code: "XLM",
        asset_name: "Lumens",
        name: "Stellar Development Foundation (SDF)",
        domain: "stellar.org",
        address: "Stellar Development Foundation, San Francisco, CA, United States",
        country: "US",
        network: "XLM",
        kind: "CRYPTO",
        default: true,
        checkouts: (true, "0.0001000", "0.0000000", "0.0000000"),
        withdrawals: (true, "0.0000001", "0.0000000", "0.0000000"),
    },
    Issuer {
        id: "BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
        asset_code: "BTC",
        asset_name: "Bitcoin",
        name: "Stellarport",
        domain: "stellarport.io",
        address: "StellarPort LLC, Chicago, IL, United States",
        country: "US",
        network: "BTC",
        kind: "CRYPTO",
        default: true,
        checkouts: (true, "0.0002000", "0.0000000", "0.0000000"),
        withdrawals: (true, "0.0050000", "0.0005000", "0.0050000"),
    },
    Issuer {
        id: "ETH:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
        asset_code: "ETH",
        asset_name: "Ether",
        name: "Stellarport",
        domain: "stellarport.io",
        address: "StellarPort LLC, Chicago, IL, United States",
        country: "US",
        network: "ETH",
        kind: "CRYPTO",
        default: true,
        checkouts: (true, "0.0050000", "0.0000000", "0.0000000"),
        withdrawals: (true, "0.0500000", "0.0050000", "0.0050000"),
    },
    Issuer {
        id: "ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU",
        asset_code: "ETH",
        asset_name: "Ether",
        name: "Firefly",
        domain: "fchain.io",
        address: "Firefly, Zug, Switzerland",
        country: "CH",
        network: "ETH",
        kind: "CRYPTO",
        default: false,
        checkouts: (true, "0.0050000", "0.0000000", "0.0000000"),
        withdrawals: (true, "0.0500000", "0.0040000", "0.0000000"),
    },
    Issuer {
        id: "LTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
        asset_code: "LTC",
        asset_name: "Litecoin",
        name: "Stellarport",
        domain: "stellarport.io",
        address: "StellarPort LLC, Chicago, IL, United States",
        country: "US",
        network: "LTC",
        kind: "CRYPTO",
        default: true,
        checkouts: (true, "0.0100000", "0.0000000", "0.0000000"),
        withdrawals: (true, "0.1000000", "0.0010000", "0.0050000"),
    },
    Issuer {
        id: "XRP:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5",
        asset_code: "XRP",
        asset_name: "Ripple",
        name: "Stellarport",
        domain: "stellarport.io",
        address: "StellarPort LLC, Chicago, IL, United States",
        country: "US",
        network: "XRP",
        kind: "CRYPTO",
        default: true,
        checkouts: (true, "0.0001000", "0.0000000", "0.0000000"),
        withdrawals: (true, "20.0000000", "0.0200000", "0.0050000"),
    },
    Issuer {
        id: "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
        asset_code: "USD",
        asset_name: "US Dollar",
        name: "AnchorUSD",
        domain: "anchorusd.com",
        address: "AnchorCoin LLC, CA, United States",
        country: "US",
        network: "USD",
        kind: "FIAT",
        default: true,
        checkouts: (false, "5.0000000", "5.0000000", "0.0100000"),
        withdrawals: (true, "15.0000000", "5.0000000", "0.0200000"),
    },
    Issuer {
        id: "EURT:GAP5LETOV6YIE62YAM56STDANPRDO7ZFDBGSNHJQIYGGKSMOZAHOOS2S",
        asset_code: "EURT",
        asset_name: "Euro",
        name: "Tempo",
        domain: "tempo.eu.com",
        address: "TEMPO France S.A.S., 89, Boulevard de Magenta, 75010 Paris, France",
        country: "FR",
        network: "EUR",
        kind: "FIAT",
        default: true,
        checkouts: (false, "0.0000000", "0.0000000", "0.0000000"),
        withdrawals: (true, "10.0000000", "1.9800000", "0.0000000"),
    },
    Issuer {
        id: "NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD",
        asset_code: "NGNT",
        asset_name: "Nigerian Naira",
        name: "Cowrie",
        domain: "cowrie.exchange",
        address: "Cowrie Integrated Systems Limited, Lagos, Nigeria",
        country: "NG",
        network: "NGN",
        kind: "FIAT",
        default: true,
        checkouts: (false, "0.0000000", "0.0000000", "0.0000000"),
        withdrawals: (true, "1000.0000000", "200.0000000", "0.0000000"),
    },
];

/// USD price of one unit of a network's asset (sandbox rates).
pub(crate) fn price_usd(network: &str) -> Option<Decimal> {
    Some(match network {
        "USD" => Decimal::ONE,
        "EUR" => Decimal::new(108, 2),
        "NGN" => Decimal::new(275, 5),
        "XLM" => Decimal::new(603, 4),
        "BTC" => Decimal::new(90072, 1),
        "ETH" => Decimal::new(2272, 1),
        "LTC" => Decimal::new(6504, 2),
        "XRP" => Decimal::new(2365, 4),
        _ => return None,
    })
}

/// The issuer with this id.
pub(crate) fn issuer(id: &str) -> Option<&'static Issuer> {
    ISSUERS.iter().find(|i| i.id == id)
}

/// The default issuer of a network (`USD`, `BTC`, …).
pub(crate) fn default_issuer(network: &str) -> Option<&'static Issuer> {
    ISSUERS.iter().find(|i| i.network == network && i.default)
}

/// A blockchain by code.
pub(crate) fn chain(code: &str) -> Option<&'static Chain> {
    CHAINS.iter().find(|c| c.code == code)
}

/// A fiat currency by code.
pub(crate) fn fiat(code: &str) -> Option<&'static Fiat> {
    FIATS.iter().find(|f| f.code == code)
}

/// Resolves a charge/settlement currency (a fiat code, a blockchain code or an asset id) to the
/// issuer whose asset it denotes.
pub(crate) fn resolve_currency(text: &str) -> Option<&'static Issuer> {
    if text.contains(':') {
        issuer(text)
    } else {
        default_issuer(text)
    }
}

fn path(kind: &str, key: &str, id: &str) -> Json {
    string(format!("/api/v1/{kind}?{key}={id}"))
}

fn terms(t: &Terms) -> Json {
    let max = Json::Null;
    object([
        ("enabled", Json::Bool(t.0)),
        ("min", string(t.1)),
        ("max", max),
        ("feeFixed", string(t.2)),
        ("feePercent", string(t.3)),
    ])
}

/// An issuer as the API writes it.
pub(crate) fn issuer_json(i: &Issuer) -> Json {
    let (blockchain, fiat_currency) = match (chain(i.network), fiat(i.network)) {
        (Some(c), _) => (
            object([
                ("nativeAssetCode", string(c.code)),
                ("name", string(c.name)),
                ("path", path("blockchain", "assetCode", c.code)),
            ]),
            Json::Null,
        ),
        (None, Some(f)) => (
            Json::Null,
            object([
                ("assetCode", string(f.code)),
                ("name", string(f.name)),
                ("path", path("fiat-currency", "assetCode", f.code)),
            ]),
        ),
        _ => (Json::Null, Json::Null),
    };
    object([
        ("id", string(i.id)),
        ("name", string(i.name)),
        ("domain", string(i.domain)),
        ("address", string(i.address)),
        ("country", string(i.country)),
        ("type", string(i.kind)),
        ("checkouts", terms(&i.checkouts)),
        ("withdrawals", terms(&i.withdrawals)),
        (
            "asset",
            object([
                ("id", string(i.id)),
                ("name", string(i.asset_name)),
                ("path", path("asset", "id", i.id)),
            ]),
        ),
        ("blockchain", blockchain),
        ("fiatCurrency", fiat_currency),
    ])
}

fn asset_json(i: &Issuer) -> Json {
    object([
        ("id", string(i.id)),
        ("code", string(i.asset_code)),
        ("name", string(i.asset_name)),
        ("type", string(i.kind)),
        (
            "issuer",
            object([
                ("id", string(i.id)),
                ("name", string(i.name)),
                ("path", path("asset-issuer", "id", i.id)),
            ]),
        ),
    ])
}

fn issuer_refs(network: &str) -> Json {
    Json::Array(
        ISSUERS
            .iter()
            .filter(|i| i.network == network)
            .map(|i| {
                object([
                    ("id", string(i.id)),
                    ("path", path("asset-issuer", "id", i.id)),
                    ("name", string(i.name)),
                    ("default", Json::Bool(i.default)),
                ])
            })
            .collect(),
    )
}

fn chain_json(c: &Chain) -> Json {
    object([
        ("name", string(c.name)),
        ("nativeAssetCode", string(c.code)),
        ("nativeAssetName", string(c.native_name)),
        ("minChargeAmount", string(c.min_charge)),
        ("assetIssuers", issuer_refs(c.code)),
    ])
}

fn fiat_json(f: &Fiat) -> Json {
    object([
        ("name", string(f.name)),
        ("assetCode", string(f.code)),
        ("assetName", string(f.name)),
        ("minChargeAmount", string(f.min_charge)),
        ("assetIssuers", issuer_refs(f.code)),
    ])
}

/// `GET /asset-issuers`.
pub(crate) fn asset_issuers(_ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([(
        "assetIssuers",
        Json::Array(ISSUERS.iter().map(issuer_json).collect()),
    )]))
}

/// `GET /asset-issuer?id=`.
pub(crate) fn asset_issuer(_ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let id = req.required_query("id")?;
    let i = issuer(id).ok_or_else(|| CoinqvestError::not_found("Asset issuer not found."))?;
    Ok(object([("assetIssuer", issuer_json(i))]))
}

/// `GET /assets`.
pub(crate) fn assets(_ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([(
        "assets",
        Json::Array(ISSUERS.iter().map(asset_json).collect()),
    )]))
}

/// `GET /asset?id=`.
pub(crate) fn asset(_ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let id = req.required_query("id")?;
    let i = issuer(id).ok_or_else(|| CoinqvestError::not_found("Asset not found."))?;
    Ok(object([("asset", asset_json(i))]))
}

/// `GET /fiat-currencies`.
pub(crate) fn fiat_currencies(_ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([(
        "fiatCurrencies",
        Json::Array(FIATS.iter().map(fiat_json).collect()),
    )]))
}

/// `GET /fiat-currency?assetCode=` (`id=` accepted too). Wrapped in an array, as the seed shows.
pub(crate) fn fiat_currency(_ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let code = req
        .query("assetCode")
        .or_else(|| req.query("id"))
        .ok_or_else(|| CoinqvestError::bad("Parameter assetCode is required."))?;
    let f = fiat(code).ok_or_else(|| CoinqvestError::not_found("Fiat currency not found."))?;
    Ok(object([("fiatCurrency", Json::Array(vec![fiat_json(f)]))]))
}

/// `GET /blockchains`.
pub(crate) fn blockchains(_ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([(
        "blockchains",
        Json::Array(CHAINS.iter().map(chain_json).collect()),
    )]))
}

/// `GET /blockchain?assetCode=`. Wrapped in an array, as the seed shows.
pub(crate) fn blockchain(_ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let code = req.required_query("assetCode")?;
    let c = chain(code).ok_or_else(|| CoinqvestError::not_found("Blockchain not found."))?;
    Ok(object([("blockchain", Json::Array(vec![chain_json(c)]))]))
}
