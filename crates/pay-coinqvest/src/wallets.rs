//! Wallets and balances: `GET /wallets` and `GET /wallet`.

use bytes::Bytes;
use pay_core::Error;
use pay_core::endpoint::{Endpoint, EndpointInfo};
use pay_core::money::Amount;
use serde::Deserialize;

use crate::state::AssetKind;
use crate::{error, wire};

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

/// `GET /wallets`: every wallet with its balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListWallets;

/// The answer to `GET /wallets`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WalletList {
    /// The wallets.
    pub wallets: Vec<Wallet>,
}

impl Endpoint for ListWallets {
    type Output = WalletList;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.wallets.list", GET, "/wallets", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::get(Self::INFO.path, &[])
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<WalletList, Error> {
        error::decode(response)
    }
}

/// `GET /wallet?assetCode=…`: one wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetWallet {
    /// The wallet's asset code (`USD`).
    pub asset_code: String,
}

impl GetWallet {
    /// Asks for the wallet of `asset_code`.
    pub fn new(asset_code: impl Into<String>) -> Self {
        Self {
            asset_code: asset_code.into(),
        }
    }
}

#[derive(Deserialize)]
struct WalletEnvelope {
    wallet: Wallet,
}

impl Endpoint for GetWallet {
    type Output = Wallet;
    type Context = ();
    const INFO: EndpointInfo = info!("coinqvest.wallet.get", GET, "/wallet", Safe);

    fn build_request(&self, _: &()) -> Result<http::Request<Bytes>, Error> {
        wire::require("assetCode", &self.asset_code)?;
        wire::get(Self::INFO.path, &[("assetCode", &self.asset_code)])
    }

    fn parse_response(&self, response: &http::Response<Bytes>) -> Result<Wallet, Error> {
        error::decode::<WalletEnvelope>(response).map(|e| e.wallet)
    }
}
