//! Wallets and balances: `GET /wallets` and `GET /wallet`.

use pay_core::money::Amount;
use serde::Deserialize;

use crate::state::AssetKind;

/// An asset held in a wallet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WalletAsset {
    /// The asset id (`USD:GDUK…`).
    pub id: String,
    /// The issuer's name.
    pub issuer_name: String,
    /// The issuer's domain.
    pub issuer_domain: String,
    /// The amount held, exact (a JSON number or string on the wire).
    pub balance: Amount,
    /// The API path describing the asset (`/api/v1/asset?id=…`).
    pub path: String,
}

/// A wallet: one asset code and its balance across issuers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Wallet {
    /// The wallet's asset code (`BTC`, `USD`).
    pub asset_code: String,
    /// `CRYPTO` or `FIAT`.
    #[serde(rename = "type")]
    pub kind: AssetKind,
    /// The total balance, exact.
    pub balance: Amount,
    /// The assets held, per issuer.
    #[serde(default)]
    pub assets: Vec<WalletAsset>,
}

list_endpoint!(
    /// `GET /wallets`: every wallet with its balance.
    ListWallets, WalletList, wallets: Wallet, "wallets", "coinqvest.wallets.list", "/wallets"
);

get_endpoint!(
    /// `GET /wallet?assetCode=…`: one wallet.
    GetWallet, asset_code, "assetCode", Wallet, WalletEnvelope, "wallet", "coinqvest.wallet.get",
    "/wallet"
);
