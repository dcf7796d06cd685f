//! Reference data: asset issuers, assets, fiat currencies and blockchains (`GET /asset-issuers`,
//! `/asset-issuer`, `/assets`, `/asset`, `/fiat-currencies`, `/fiat-currency`, `/blockchains`,
//! `/blockchain`).
//!
//! Seed inconsistencies handled here: `GET /fiat-currency` is documented with an `id` parameter but its
//! example sends `assetCode` (we send `assetCode`), and the answers of `GET /fiat-currency` and
//! `GET /blockchain` wrap the object in a one-element array (both shapes are accepted).

use pay_core::money::Amount;
use serde::Deserialize;

use crate::state::AssetKind;
use crate::wire;

/// An issuer's limits and fees for checkouts or withdrawals.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IssuerTerms {
    /// Whether the issuer can be used for this.
    pub enabled: bool,
    /// The minimum amount.
    pub min: Amount,
    /// The maximum amount, if any.
    #[serde(default)]
    pub max: Option<Amount>,
    /// The fixed fee.
    pub fee_fixed: Amount,
    /// The percentage fee, as a fraction.
    pub fee_percent: Amount,
}

/// A reference to another object: its id, name and API path.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Reference {
    /// The object's id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The API path describing it.
    pub path: String,
}

/// A reference to a blockchain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlockchainReference {
    /// The blockchain's native asset code (`BTC`), its identifier.
    pub native_asset_code: String,
    /// Its name.
    pub name: String,
    /// The API path describing it.
    pub path: String,
}

/// A reference to a fiat currency.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FiatCurrencyReference {
    /// The currency's asset code (`USD`), its identifier.
    pub asset_code: String,
    /// Its name.
    pub name: String,
    /// The API path describing it.
    pub path: String,
}

/// An asset issuer (anchor): who brings an asset on and off the Stellar Network.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssetIssuer {
    /// The issuer id, in the form of an asset id (`BTC:GBVOL…`).
    pub id: String,
    /// The issuer's name.
    pub name: String,
    /// The issuer's domain.
    pub domain: String,
    /// The issuer's company name and address.
    pub address: String,
    /// The issuer's country.
    pub country: String,
    /// `CRYPTO` or `FIAT`.
    #[serde(rename = "type")]
    pub kind: AssetKind,
    /// Terms for checkouts.
    pub checkouts: IssuerTerms,
    /// Terms for withdrawals.
    pub withdrawals: IssuerTerms,
    /// The asset it issues.
    #[serde(default)]
    pub asset: Option<Reference>,
    /// The blockchain, for crypto issuers.
    #[serde(default)]
    pub blockchain: Option<BlockchainReference>,
    /// The fiat currency, for fiat issuers.
    #[serde(default)]
    pub fiat_currency: Option<FiatCurrencyReference>,
}

/// An asset on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Asset {
    /// The asset id on the Stellar Network (`XLM:NATIVE`).
    pub id: String,
    /// The asset code.
    pub code: String,
    /// The asset's name.
    pub name: String,
    /// `CRYPTO` or `FIAT`.
    #[serde(rename = "type")]
    pub kind: AssetKind,
    /// The issuer.
    #[serde(default)]
    pub issuer: Option<Reference>,
}

/// An issuer available for a currency or blockchain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct IssuerChoice {
    /// The issuer id.
    pub id: String,
    /// The API path describing it.
    pub path: String,
    /// The issuer's name.
    pub name: String,
    /// Whether it is the platform default.
    pub default: bool,
}

/// A supported fiat currency.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FiatCurrency {
    /// The currency's name.
    pub name: String,
    /// Its asset code (`USD`), its identifier.
    pub asset_code: String,
    /// The name of its native asset.
    pub asset_name: String,
    /// The lowest checkout amount, exact.
    pub min_charge_amount: Amount,
    /// The issuers available.
    #[serde(default)]
    pub asset_issuers: Vec<IssuerChoice>,
}

/// A supported blockchain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Blockchain {
    /// The blockchain's name.
    pub name: String,
    /// Its native asset code (`BTC`), its identifier.
    pub native_asset_code: String,
    /// The name of its native asset.
    pub native_asset_name: String,
    /// The lowest checkout amount, exact.
    pub min_charge_amount: Amount,
    /// The issuers available.
    #[serde(default)]
    pub asset_issuers: Vec<IssuerChoice>,
}

list_endpoint!(
    /// `GET /asset-issuers`: every asset issuer.
    ListAssetIssuers, AssetIssuerList, asset_issuers: AssetIssuer, "assetIssuers",
    "coinqvest.asset_issuers.list", "/asset-issuers"
);
get_endpoint!(
    /// `GET /asset-issuer?id=…`: one asset issuer (`XLM:NATIVE`, `BTC:GBVOL…`).
    GetAssetIssuer, id, "id", AssetIssuer, AssetIssuerEnvelope, "assetIssuer",
    "coinqvest.asset_issuer.get", "/asset-issuer"
);
list_endpoint!(
    /// `GET /assets`: every asset.
    ListAssets, AssetList, assets: Asset, "assets", "coinqvest.assets.list", "/assets"
);
get_endpoint!(
    /// `GET /asset?id=…`: one asset.
    GetAsset, id, "id", Asset, AssetEnvelope, "asset", "coinqvest.asset.get", "/asset"
);
list_endpoint!(
    /// `GET /fiat-currencies`: every fiat currency.
    ListFiatCurrencies, FiatCurrencyList, fiat_currencies: FiatCurrency, "fiatCurrencies",
    "coinqvest.fiat_currencies.list", "/fiat-currencies"
);
get_endpoint!(
    /// `GET /fiat-currency?assetCode=…`: one fiat currency. The seed's table calls the parameter `id`
    /// but its example and the service use `assetCode`, which is what is sent. The answer may wrap the
    /// object in a one-element array; both shapes are accepted.
    GetFiatCurrency, asset_code, "assetCode", FiatCurrency, FiatCurrencyEnvelope, "fiatCurrency",
    "coinqvest.fiat_currency.get", "/fiat-currency", "wire::one_or_wrapped"
);
list_endpoint!(
    /// `GET /blockchains`: every blockchain.
    ListBlockchains, BlockchainList, blockchains: Blockchain, "blockchains",
    "coinqvest.blockchains.list", "/blockchains"
);
get_endpoint!(
    /// `GET /blockchain?assetCode=…`: one blockchain. The answer may wrap the object in a one-element
    /// array; both shapes are accepted.
    GetBlockchain, asset_code, "assetCode", Blockchain, BlockchainEnvelope, "blockchain",
    "coinqvest.blockchain.get", "/blockchain", "wire::one_or_wrapped"
);
