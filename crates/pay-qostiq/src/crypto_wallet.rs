//! Crypto deposits and wallet quotes beyond the seeds (PROTOCOL.md "Beyond the seeds"; the signed
//! keys are confirmed from Qostiq's public pages, the answers are our model):
//! `/crypto/shop_address/create` (a deposit address for one of the shop's clients),
//! `/crypto/bill/try` (what a payer pays from a Qostiq crypto wallet for a bill) and
//! `/crypto/transfer/try` (what a transfer to a Qostiq crypto wallet costs). None of them moves
//! money. `now` is signed as integer Unix seconds, as on every crypto endpoint.
//!
//! Amounts are crypto amounts without a payway, so no payway precision applies: they must be
//! positive and written with at most 18 decimals (the widest precision Qostiq documents); the
//! quote answers with the amounts the server computed.
//!
//! ```
//! use pay_core::clock::FixedClock;
//! use pay_core::secret::Secret;
//! use pay_qostiq::crypto_wallet::CreateCryptoAddress;
//! use pay_qostiq::{Payway, QostiqContext, QostiqRequest, ShopId};
//! use time::macros::datetime;
//!
//! let context = QostiqContext::new(
//!     ShopId::new(6).unwrap(),
//!     Secret::new("Testkey1").unwrap(),
//!     FixedClock(datetime!(2022-06-21 9:06:20 UTC)),
//! );
//! let request = CreateCryptoAddress::new("client-42", Payway::new("usdt_trc20").unwrap());
//! let signed = request.signed_body(&context).unwrap();
//! assert_eq!(signed.string_to_sign, "client-42:1655802380:usdt_trc20:6***");
//! ```

use pay_core::endpoint::Endpoint;
use pay_core::error::Error;
use pay_core::money::{Amount, Precision};
use pay_core::text::AccountNumber;

use crate::body::{Body, qostiq_endpoint};
use crate::context::QostiqContext;
use crate::currency::{CryptoAsset, Payway};
use crate::time::NowForm;
use crate::transfers::{TransferQuoteRequest, transfer_quote_body};
use crate::validate;
use serde::Deserialize;

/// The widest precision Qostiq documents for a crypto amount (ETH, BNB, USDT on BSC).
const WIDEST_CRYPTO_PRECISION: Precision = Precision::crypto(18);

fn quote_amount(field: &'static str, amount: &Amount) -> Result<(), Error> {
    amount.check_positive(field)?;
    amount.check_scale(field, WIDEST_CRYPTO_PRECISION)
}

/// `POST /crypto/shop_address/create`: the deposit address of one of the shop's clients on a
/// crypto payway. Crypto payment notifications for it go to the shop's crypto notification URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateCryptoAddress {
    /// The shop's id for its client (signed).
    pub client: String,
    /// The payway, e.g. `usdt_trc20` (signed).
    pub payway: Payway,
}

impl CreateCryptoAddress {
    /// The address of `client` on `payway`.
    pub fn new(client: impl Into<String>, payway: Payway) -> Self {
        Self {
            client: client.into(),
            payway,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::reference("client", &self.client)?;
        Ok(Body::for_shop(Self::INFO.path, context)
            .sign_str("client", self.client.as_str())
            .sign_now(NowForm::UnixSeconds, context)?
            .sign_str("payway", self.payway.as_str()))
    }
}

qostiq_endpoint!(CreateCryptoAddress => CryptoAddress,
    name: "qostiq.crypto.shop_address.create",
    path: "/crypto/shop_address/create",
    retry: Safe,
);

/// The answer of `/crypto/shop_address/create`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoAddress {
    /// The deposit address (masked in `Debug`).
    pub address: AccountNumber,
}

/// `POST /crypto/bill/try`: what a payer pays from a Qostiq crypto wallet for a bill, without
/// creating it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TryCryptoBill {
    /// The bill amount, in `shop_currency` (signed).
    pub shop_amount: Amount,
    /// The asset credited to the shop, e.g. `USDT` (signed).
    pub shop_currency: CryptoAsset,
    /// The asset the payer pays in (signed).
    pub payer_currency: CryptoAsset,
    /// The shop's order id (signed).
    pub shop_order_id: String,
}

impl TryCryptoBill {
    /// A quote for a bill of `shop_amount` `shop_currency`, paid in `payer_currency`.
    pub fn new(
        shop_amount: Amount,
        shop_currency: CryptoAsset,
        payer_currency: CryptoAsset,
        shop_order_id: impl Into<String>,
    ) -> Self {
        Self {
            shop_amount,
            shop_currency,
            payer_currency,
            shop_order_id: shop_order_id.into(),
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        quote_amount("shop_amount", &self.shop_amount)?;
        validate::reference("shop_order_id", &self.shop_order_id)?;
        Ok(Body::for_shop(Self::INFO.path, context)
            .sign_now(NowForm::UnixSeconds, context)?
            .sign_str("payer_currency", self.payer_currency.as_str())
            .sign_str("shop_amount", self.shop_amount.to_string())
            .sign_str("shop_currency", self.shop_currency.as_str())
            .sign_str("shop_order_id", self.shop_order_id.as_str()))
    }
}

qostiq_endpoint!(TryCryptoBill => CryptoBillQuote,
    name: "qostiq.crypto.bill.try",
    path: "/crypto/bill/try",
    retry: Safe,
);

/// The answer of `/crypto/bill/try` (model: the keys of seed 000's bill answers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoBillQuote {
    /// The asset the payer pays in.
    pub payer_currency: CryptoAsset,
    /// What the payer pays, in `payer_currency`.
    pub payer_price: Amount,
    /// The bill amount.
    pub shop_amount: Amount,
    /// The asset credited to the shop.
    pub shop_currency: CryptoAsset,
    /// What the shop would be credited, when the server says.
    #[serde(default)]
    pub shop_refund: Option<Amount>,
}

/// `POST /crypto/transfer/try`: what a transfer from the shop's crypto balance to a Qostiq
/// crypto wallet writes off and delivers, without making it.
///
/// The payee's asset is signed and sent as `payer_currency`, the key PROTOCOL.md's signed-keys
/// table names (Qostiq's page example sends `payee_currency`; its signature rule names
/// `payer_currency`).
pub type TryCryptoTransfer = TransferQuoteRequest<CryptoAsset>;

impl TryCryptoTransfer {
    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        quote_amount("amount", &self.amount)?;
        transfer_quote_body(self, Self::INFO.path, "payer_currency", context)
            .sign_now(NowForm::UnixSeconds, context)
    }
}

qostiq_endpoint!(TryCryptoTransfer => CryptoTransferQuote,
    name: "qostiq.crypto.transfer.try",
    path: "/crypto/transfer/try",
    retry: Safe,
);

/// The answer of `/crypto/transfer/try` (model: the keys of seed 000's `/transfer/try` answer).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CryptoTransferQuote {
    /// What the payee receives, in `payee_currency`.
    pub payee_amount: Amount,
    /// The asset the payee receives.
    pub payee_currency: CryptoAsset,
    /// The shop balance asset.
    pub shop_currency: CryptoAsset,
    /// What leaves the shop balance, in `shop_currency`.
    pub write_off_amount: Amount,
}
