//! The seed's reference data: blockchains, fiat currencies, asset issuers, assets; and the sandbox's
//! fixed prices used to quote checkouts and withdrawals.

use rust_decimal::Decimal;

use super::{CqErr, CqReq, CqResult};
use crate::json::{J, obj, s};
use crate::state::Ctx;

/// A blockchain.
#[derive(Debug)]
pub struct Chain {
    /// Native asset code (`BTC`), the identifier.
    pub code: &'static str,
    /// Name (`Bitcoin`).
    pub name: &'static str,
    /// Native asset name.
    pub native_name: &'static str,
    /// Smallest checkout payment.
    pub min_charge: &'static str,
    /// Decimals of quoted payment amounts.
    pub decimals: u32,
}

/// A fiat currency.
#[derive(Debug)]
pub struct Fiat {
    /// Asset code (`USD`), the identifier.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
    /// Smallest checkout charge.
    pub min_charge: &'static str,
}

/// Checkout or withdrawal terms of an issuer: enabled, min, feeFixed, feePercent.
pub type Terms = (bool, &'static str, &'static str, &'static str);

/// An asset issuer (and the asset it issues; ids match).
#[derive(Debug)]
pub struct Issuer {
    /// Asset/issuer id (`BTC:GBVOL…`).
    pub id: &'static str,
    /// Asset code (`BTC`, `NGNT`).
    pub asset_code: &'static str,
    /// Asset name.
    pub asset_name: &'static str,
    /// Issuer name.
    pub name: &'static str,
    /// Domain.
    pub domain: &'static str,
    /// Registered address.
    pub address: &'static str,
    /// Country.
    pub country: &'static str,
    /// Blockchain (`Some`) or fiat currency (`None`) network code.
    pub network: &'static str,
    /// `CRYPTO` or `FIAT`.
    pub kind: &'static str,
    /// Platform default for its network.
    pub default: bool,
    /// Checkout terms.
    pub checkouts: Terms,
    /// Withdrawal terms.
    pub withdrawals: Terms,
}

/// Supported blockchains.
pub const CHAINS: &[Chain] = &[
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
pub const FIATS: &[Fiat] = &[
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
pub const ISSUERS: &[Issuer] = &[
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
pub fn price_usd(network: &str) -> Option<Decimal> {
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
pub fn issuer(id: &str) -> Option<&'static Issuer> {
    ISSUERS.iter().find(|i| i.id == id)
}

/// The default issuer of a network (`USD`, `BTC`, …).
pub fn default_issuer(network: &str) -> Option<&'static Issuer> {
    ISSUERS.iter().find(|i| i.network == network && i.default)
}

/// A blockchain by code.
pub fn chain(code: &str) -> Option<&'static Chain> {
    CHAINS.iter().find(|c| c.code == code)
}

/// A fiat currency by code.
pub fn fiat(code: &str) -> Option<&'static Fiat> {
    FIATS.iter().find(|f| f.code == code)
}

/// Resolves a charge/settlement currency (a fiat code, a blockchain code or an asset id) to the
/// issuer whose asset it denotes.
pub fn resolve_currency(text: &str) -> Option<&'static Issuer> {
    if text.contains(':') {
        issuer(text)
    } else {
        default_issuer(text)
    }
}

fn path(kind: &str, key: &str, id: &str) -> J {
    s(format!("/api/v1/{kind}?{key}={id}"))
}

fn terms(t: &Terms) -> J {
    let max = J::Null;
    obj([
        ("enabled", J::Bool(t.0)),
        ("min", s(t.1)),
        ("max", max),
        ("feeFixed", s(t.2)),
        ("feePercent", s(t.3)),
    ])
}

/// An issuer as the API writes it.
pub fn issuer_json(i: &Issuer) -> J {
    let (blockchain, fiat_currency) = match (chain(i.network), fiat(i.network)) {
        (Some(c), _) => (
            obj([
                ("nativeAssetCode", s(c.code)),
                ("name", s(c.name)),
                ("path", path("blockchain", "assetCode", c.code)),
            ]),
            J::Null,
        ),
        (None, Some(f)) => (
            J::Null,
            obj([
                ("assetCode", s(f.code)),
                ("name", s(f.name)),
                ("path", path("fiat-currency", "assetCode", f.code)),
            ]),
        ),
        _ => (J::Null, J::Null),
    };
    obj([
        ("id", s(i.id)),
        ("name", s(i.name)),
        ("domain", s(i.domain)),
        ("address", s(i.address)),
        ("country", s(i.country)),
        ("type", s(i.kind)),
        ("checkouts", terms(&i.checkouts)),
        ("withdrawals", terms(&i.withdrawals)),
        (
            "asset",
            obj([
                ("id", s(i.id)),
                ("name", s(i.asset_name)),
                ("path", path("asset", "id", i.id)),
            ]),
        ),
        ("blockchain", blockchain),
        ("fiatCurrency", fiat_currency),
    ])
}

fn asset_json(i: &Issuer) -> J {
    obj([
        ("id", s(i.id)),
        ("code", s(i.asset_code)),
        ("name", s(i.asset_name)),
        ("type", s(i.kind)),
        (
            "issuer",
            obj([
                ("id", s(i.id)),
                ("name", s(i.name)),
                ("path", path("asset-issuer", "id", i.id)),
            ]),
        ),
    ])
}

fn issuer_refs(network: &str) -> J {
    J::Arr(
        ISSUERS
            .iter()
            .filter(|i| i.network == network)
            .map(|i| {
                obj([
                    ("id", s(i.id)),
                    ("path", path("asset-issuer", "id", i.id)),
                    ("name", s(i.name)),
                    ("default", J::Bool(i.default)),
                ])
            })
            .collect(),
    )
}

fn chain_json(c: &Chain) -> J {
    obj([
        ("name", s(c.name)),
        ("nativeAssetCode", s(c.code)),
        ("nativeAssetName", s(c.native_name)),
        ("minChargeAmount", s(c.min_charge)),
        ("assetIssuers", issuer_refs(c.code)),
    ])
}

fn fiat_json(f: &Fiat) -> J {
    obj([
        ("name", s(f.name)),
        ("assetCode", s(f.code)),
        ("assetName", s(f.name)),
        ("minChargeAmount", s(f.min_charge)),
        ("assetIssuers", issuer_refs(f.code)),
    ])
}

/// `GET /asset-issuers`.
pub fn asset_issuers(_ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([(
        "assetIssuers",
        J::Arr(ISSUERS.iter().map(issuer_json).collect()),
    )]))
}

/// `GET /asset-issuer?id=`.
pub fn asset_issuer(_ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let id = req.q_required("id")?;
    let i = issuer(id).ok_or_else(|| CqErr::not_found("Asset issuer not found."))?;
    Ok(obj([("assetIssuer", issuer_json(i))]))
}

/// `GET /assets`.
pub fn assets(_ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([(
        "assets",
        J::Arr(ISSUERS.iter().map(asset_json).collect()),
    )]))
}

/// `GET /asset?id=`.
pub fn asset(_ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let id = req.q_required("id")?;
    let i = issuer(id).ok_or_else(|| CqErr::not_found("Asset not found."))?;
    Ok(obj([("asset", asset_json(i))]))
}

/// `GET /fiat-currencies`.
pub fn fiat_currencies(_ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([(
        "fiatCurrencies",
        J::Arr(FIATS.iter().map(fiat_json).collect()),
    )]))
}

/// `GET /fiat-currency?assetCode=` (`id=` accepted too). Wrapped in an array, as the seed shows.
pub fn fiat_currency(_ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let code = req
        .q("assetCode")
        .or_else(|| req.q("id"))
        .ok_or_else(|| CqErr::bad("Parameter assetCode is required."))?;
    let f = fiat(code).ok_or_else(|| CqErr::not_found("Fiat currency not found."))?;
    Ok(obj([("fiatCurrency", J::Arr(vec![fiat_json(f)]))]))
}

/// `GET /blockchains`.
pub fn blockchains(_ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([(
        "blockchains",
        J::Arr(CHAINS.iter().map(chain_json).collect()),
    )]))
}

/// `GET /blockchain?assetCode=`. Wrapped in an array, as the seed shows.
pub fn blockchain(_ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let code = req.q_required("assetCode")?;
    let c = chain(code).ok_or_else(|| CqErr::not_found("Blockchain not found."))?;
    Ok(obj([("blockchain", J::Arr(vec![chain_json(c)]))]))
}
