//! Transfers: payouts from the shop balance to Qostiq wallets (`/transfer/try`, `/transfer/create`,
//! `/transfer/shop_payment_status`).
//!
//! Transfers have no status: an id in the answer means the transfer is done. When a create's answer
//! is lost, ask [`GetTransfer`] with the same `shop_payment_id`: [`Lookup::Found`] means it was made
//! (adopt it), [`Lookup::NotFound`] means it may be re-created **with the same `shop_payment_id`**.
//!
//! ```
//! use pay_core::clock::FixedClock;
//! use pay_core::endpoint::Endpoint;
//! use pay_core::retry::RetryClass;
//! use pay_core::secret::Secret;
//! use pay_qostiq::transfers::{CreateTransfer, TransferAmountType};
//! use pay_qostiq::{Currency, QostiqContext, ShopId};
//! use time::macros::datetime;
//!
//! let context = QostiqContext::new(
//!     ShopId::new(112).unwrap(),
//!     Secret::new("Testkey1").unwrap(),
//!     FixedClock(datetime!(2024-01-01 0:00 UTC)),
//! );
//! let transfer = CreateTransfer::new(
//!     "10".parse().unwrap(),
//!     TransferAmountType::ReceiveAmount,
//!     "201497141132",
//!     Currency::Uah,
//!     Currency::Uah,
//!     "55ac443d-958b-40e3-8956-e04e72561324",
//! );
//! assert_eq!(CreateTransfer::INFO.retry_class, RetryClass::RecoverByLookup);
//! assert!(transfer.build_request(&context).is_ok());
//! ```

use pay_core::endpoint::Lookup;
use pay_core::error::Error;
use pay_core::json::Value;
use pay_core::money::Amount;
use pay_core::text::AccountNumber;

use crate::account::AccountInfoConfig;
use crate::body::{Body, qostiq_endpoint};
use crate::context::{QostiqContext, ShopId};
use crate::currency::Currency;
use crate::envelope::{data_object, parse_data, parse_lookup};
use crate::raw::RawJson;
use crate::read::FieldError;
use crate::time::NowForm;
use crate::validate;

/// What a transfer's `amount` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferAmountType {
    /// `receive_amount`: what the payee receives.
    ReceiveAmount,
    /// `writeoff_amount`: what leaves the shop balance.
    WriteoffAmount,
}

impl TransferAmountType {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReceiveAmount => "receive_amount",
            Self::WriteoffAmount => "writeoff_amount",
        }
    }
}

/// `POST /transfer/try`: fees and conversion of a transfer, without making it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TryTransfer {
    /// The amount, at most 2 decimals (signed).
    pub amount: Amount,
    /// What `amount` means (signed).
    pub amount_type: TransferAmountType,
    /// Currency the payee receives (signed).
    pub payee_currency: Currency,
    /// Currency written off the shop (signed).
    pub shop_currency: Currency,
}

impl TryTransfer {
    /// A quote request.
    pub fn new(
        amount: Amount,
        amount_type: TransferAmountType,
        payee_currency: Currency,
        shop_currency: Currency,
    ) -> Self {
        Self {
            amount,
            amount_type,
            payee_currency,
            shop_currency,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::fiat_amount("amount", &self.amount)?;
        self.payee_currency.check("payee_currency")?;
        self.shop_currency.check("shop_currency")?;
        Ok(Body::new("/transfer/try")
            .sign_str("amount", self.amount.to_string())
            .sign_str("amount_type", self.amount_type.as_str())
            .sign_int("payee_currency", self.payee_currency.code())
            .sign_int("shop_currency", self.shop_currency.code())
            .sign_int("shop_id", context.shop_id()))
    }
}

qostiq_endpoint!(TryTransfer => TransferQuote,
    name: "qostiq.transfer.try",
    path: "/transfer/try",
    retry: Safe,
    parse: |r| parse_data(r, TransferQuote::decode),
);

/// The answer of `/transfer/try`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferQuote {
    /// How `payee_account` must look.
    pub account_info_config: Option<AccountInfoConfig>,
    /// Extra information, verbatim.
    pub info: Option<RawJson>,
    /// What the payee receives, in `payee_currency`.
    pub payee_amount: Amount,
    /// Currency the payee receives.
    pub payee_currency: Currency,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// What leaves the shop balance, in `shop_currency`.
    pub write_off_amount: Amount,
}

impl TransferQuote {
    fn decode(data: &Value<'_>) -> Result<Self, FieldError> {
        let d = data_object(data)?;
        Ok(Self {
            account_info_config: d
                .opt_object("account_info_config")?
                .map(|c| AccountInfoConfig::read(&c))
                .transpose()?,
            info: d.opt_raw("info")?,
            payee_amount: d.amount("payee_amount")?,
            payee_currency: d.currency("payee_currency")?,
            shop_currency: d.currency("shop_currency")?,
            write_off_amount: d.amount("write_off_amount")?,
        })
    }
}

/// `POST /transfer/create`: pays a Qostiq wallet from the shop balance.
///
/// Retry class `RecoverByLookup`: never re-sent after an unknown outcome; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateTransfer {
    /// The amount, at most 2 decimals (signed).
    pub amount: Amount,
    /// What `amount` means (signed).
    pub amount_type: TransferAmountType,
    /// The payee's wallet id or e-mail (signed; masked in `Debug`).
    pub payee_account: AccountNumber,
    /// Currency the payee receives (signed).
    pub payee_currency: Currency,
    /// Currency written off the shop (signed).
    pub shop_currency: Currency,
    /// The shop's unique id for this payout (signed); reuse it to recover a lost answer.
    pub shop_payment_id: String,
    /// Payout description.
    pub description: Option<String>,
}

impl CreateTransfer {
    /// A transfer with the required fields.
    pub fn new(
        amount: Amount,
        amount_type: TransferAmountType,
        payee_account: impl Into<AccountNumber>,
        payee_currency: Currency,
        shop_currency: Currency,
        shop_payment_id: impl Into<String>,
    ) -> Self {
        Self {
            amount,
            amount_type,
            payee_account: payee_account.into(),
            payee_currency,
            shop_currency,
            shop_payment_id: shop_payment_id.into(),
            description: None,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::fiat_amount("amount", &self.amount)?;
        validate::text("payee_account", self.payee_account.expose())?;
        self.payee_currency.check("payee_currency")?;
        self.shop_currency.check("shop_currency")?;
        validate::text("shop_payment_id", &self.shop_payment_id)?;
        validate::optional_text("description", self.description.as_deref())?;
        Ok(Body::new("/transfer/create")
            .sign_str("amount", self.amount.to_string())
            .sign_str("amount_type", self.amount_type.as_str())
            .sign_account("payee_account", &self.payee_account)
            .sign_int("payee_currency", self.payee_currency.code())
            .sign_int("shop_currency", self.shop_currency.code())
            .sign_int("shop_id", context.shop_id())
            .sign_str("shop_payment_id", self.shop_payment_id.as_str())
            .extra_str("description", self.description.as_deref()))
    }
}

qostiq_endpoint!(CreateTransfer => Transfer,
    name: "qostiq.transfer.create",
    path: "/transfer/create",
    retry: RecoverByLookup,
    parse: |r| parse_data(r, Transfer::decode),
);

/// A made transfer (`/transfer/create`): it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transfer {
    /// Qostiq's transfer id.
    pub id: u64,
    /// The shop balance after the transfer.
    pub balance: Option<Amount>,
    /// The payee's account (sent as a number or a string; masked in `Debug`).
    pub payee_account: Option<AccountNumber>,
    /// What the payee received.
    pub payee_amount: Amount,
    /// Currency the payee received.
    pub payee_currency: Currency,
    /// The shop (`shop`).
    pub shop: Option<ShopId>,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// The shop's payout id, when echoed.
    pub shop_payment_id: Option<String>,
    /// What left the shop balance.
    pub write_off_amount: Amount,
}

impl Transfer {
    fn decode(data: &Value<'_>) -> Result<Self, FieldError> {
        let d = data_object(data)?;
        Ok(Self {
            id: d.id("id")?,
            balance: d.opt_amount("balance")?,
            payee_account: d.opt_text("payee_account")?.map(AccountNumber::from),
            payee_amount: d.amount("payee_amount")?,
            payee_currency: d.currency("payee_currency")?,
            shop: d.opt_shop_id("shop")?,
            shop_currency: d.currency("shop_currency")?,
            shop_payment_id: d.opt_text("shop_payment_id")?,
            write_off_amount: d.amount("write_off_amount")?,
        })
    }
}

/// `POST /transfer/shop_payment_status`: the transfer made under `shop_payment_id`, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetTransfer {
    /// The shop's payout id (signed).
    pub shop_payment_id: String,
}

impl GetTransfer {
    /// The lookup for `shop_payment_id`.
    pub fn new(shop_payment_id: impl Into<String>) -> Self {
        Self {
            shop_payment_id: shop_payment_id.into(),
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::text("shop_payment_id", &self.shop_payment_id)?;
        Ok(Body::new("/transfer/shop_payment_status")
            .sign_now(NowForm::DateTime, context)?
            .sign_int("shop_id", context.shop_id())
            .sign_str("shop_payment_id", self.shop_payment_id.as_str()))
    }
}

qostiq_endpoint!(GetTransfer => Lookup<TransferInfo>,
    name: "qostiq.transfer.shop_payment_status",
    path: "/transfer/shop_payment_status",
    retry: Safe,
    parse: |r| parse_lookup(r, TransferInfo::decode),
);

/// A transfer found by `shop_payment_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferInfo {
    /// Qostiq's transfer id.
    pub id: u64,
    /// Currency the payee received.
    pub payee_currency: Currency,
    /// What the payee received.
    pub receive_amount: Amount,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// The shop's payout id.
    pub shop_payment_id: String,
    /// What left the shop balance.
    pub write_off_amount: Amount,
}

impl TransferInfo {
    fn decode(data: &Value<'_>) -> Result<Self, FieldError> {
        let d = data_object(data)?;
        Ok(Self {
            id: d.id("id")?,
            payee_currency: d.currency("payee_currency")?,
            receive_amount: d.amount("receive_amount")?,
            shop_currency: d.currency("shop_currency")?,
            shop_payment_id: d.text("shop_payment_id")?,
            write_off_amount: d.amount("write_off_amount")?,
        })
    }
}
