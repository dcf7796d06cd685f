//! Transfers: payouts from the shop balance to Qostiq wallets (`/transfer/try`, `/transfer/create`,
//! `/transfer/shop_payment_status`).
//!
//! Transfers have no status: an id in the answer means the transfer is done. When a create's answer
//! is lost, ask [`GetTransfer`] with the same `shop_payment_id`: [`Lookup::Found`] with the same
//! terms means it was made (adopt it), [`Lookup::NotFound`] asked after the settle window means it
//! may be re-created **with the same `shop_payment_id`** ([`CreateTransfer`] implements
//! [`Recoverable`]; the lookup reports the amounts and currencies but not the payee account).
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

use pay_core::endpoint::{Endpoint, Lookup};
use pay_core::error::{Error, ProviderError};
use pay_core::money::Amount;
use pay_core::recovery::{
    Action, FieldValue, Intent, Observed, PayoutRecord, Recoverable, RefusalClass, Verdict,
};
use pay_core::text::AccountNumber;

use crate::account::AccountInfoConfig;
use crate::body::{Body, qostiq_endpoint, status_lookup};
use crate::context::{QostiqContext, ShopId};
use crate::currency::{BalanceCurrency, Currency};
use crate::envelope::parse_lookup;
use crate::validate;
use pay_core::json::RawJson;
use serde::Deserialize;

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

/// A quote of a transfer from the shop balance in `C` to a Qostiq wallet, without making it: its
/// fees and conversion. Used as [`TryTransfer`] (fiat [`Currency`]) or [`TryCryptoTransfer`]
/// (a [`CryptoAsset`]).
///
/// [`TryCryptoTransfer`]: crate::crypto_wallet::TryCryptoTransfer
/// [`CryptoAsset`]: crate::CryptoAsset
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferQuoteRequest<C> {
    /// The amount (signed): at most 2 decimals for fiat, at most 18 for crypto.
    pub amount: Amount,
    /// What `amount` means (signed).
    pub amount_type: TransferAmountType,
    /// Currency the payee receives (signed; as `payer_currency` for crypto).
    pub payee_currency: C,
    /// Currency written off the shop (signed).
    pub shop_currency: C,
}

/// `POST /transfer/try`: fees and conversion of a transfer, without making it.
pub type TryTransfer = TransferQuoteRequest<Currency>;

impl<C> TransferQuoteRequest<C> {
    /// A quote request.
    pub fn new(
        amount: Amount,
        amount_type: TransferAmountType,
        payee_currency: C,
        shop_currency: C,
    ) -> Self {
        Self {
            amount,
            amount_type,
            payee_currency,
            shop_currency,
        }
    }
}

/// The body of the quote `endpoint` with `quote`'s terms, signed, the payee's currency under
/// `payee_key` (fiat and crypto alike).
pub(crate) fn transfer_quote_body<C: BalanceCurrency>(
    quote: &TransferQuoteRequest<C>,
    endpoint: &'static str,
    payee_key: &'static str,
    context: &QostiqContext,
) -> Body {
    let body = Body::for_shop(endpoint, context)
        .sign_str("amount", quote.amount.to_string())
        .sign_str("amount_type", quote.amount_type.as_str());
    let body = quote.payee_currency.sign(body, payee_key);
    quote.shop_currency.sign(body, "shop_currency")
}

impl TryTransfer {
    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::fiat_amount("amount", &self.amount)?;
        self.payee_currency.check("payee_currency")?;
        self.shop_currency.check("shop_currency")?;
        Ok(transfer_quote_body(
            self,
            Self::INFO.path,
            "payee_currency",
            context,
        ))
    }
}

qostiq_endpoint!(TryTransfer => TransferQuote,
    name: "qostiq.transfer.try",
    path: "/transfer/try",
    retry: Safe,
);

/// The answer of `/transfer/try`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TransferQuote {
    /// How `payee_account` must look.
    #[serde(default)]
    pub account_info_config: Option<AccountInfoConfig>,
    /// Extra information, verbatim.
    #[serde(default)]
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
        Ok(Body::for_shop(Self::INFO.path, context)
            .sign_str("amount", self.amount.to_string())
            .sign_str("amount_type", self.amount_type.as_str())
            .sign_account("payee_account", &self.payee_account)
            .sign_int("payee_currency", self.payee_currency.code())
            .sign_int("shop_currency", self.shop_currency.code())
            .sign_str("shop_payment_id", self.shop_payment_id.as_str())
            .extra_str("description", self.description.as_deref()))
    }
}

qostiq_endpoint!(CreateTransfer => Transfer,
    name: "qostiq.transfer.create",
    path: "/transfer/create",
    retry: RecoverByLookup,
);

/// A made transfer: it is done. As `/transfer/create` answered it, or as a recovery lookup found it
/// (then without `balance`, `payee_account` and `shop`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Transfer {
    /// Qostiq's transfer id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub id: u64,
    /// The shop balance after the transfer.
    #[serde(default)]
    pub balance: Option<Amount>,
    /// The payee's account (sent as a number or a string; masked in `Debug`).
    #[serde(default, deserialize_with = "crate::account::opt_account")]
    pub payee_account: Option<AccountNumber>,
    /// What the payee received.
    pub payee_amount: Amount,
    /// Currency the payee received.
    pub payee_currency: Currency,
    /// The shop (`shop`).
    #[serde(default)]
    pub shop: Option<ShopId>,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// The shop's payout id, when echoed.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_text")]
    pub shop_payment_id: Option<String>,
    /// What left the shop balance.
    pub write_off_amount: Amount,
}

status_lookup!(
    /// `POST /transfer/shop_payment_status`: the transfer made under `shop_payment_id`, if any.
    GetTransfer {
        /// The shop's payout id (signed).
        shop_payment_id: String
    },
    new: impl Into<String>,
    now: DateTime
);

qostiq_endpoint!(GetTransfer => Lookup<TransferInfo>,
    name: "qostiq.transfer.shop_payment_status",
    path: "/transfer/shop_payment_status",
    retry: Safe,
    parse: |r| parse_lookup(r),
);

impl From<TransferInfo> for Transfer {
    /// A transfer found by a lookup: `receive_amount` is the `payee_amount`.
    fn from(info: TransferInfo) -> Self {
        Self {
            id: info.id,
            balance: None,
            payee_account: None,
            payee_amount: info.receive_amount,
            payee_currency: info.payee_currency,
            shop: None,
            shop_currency: info.shop_currency,
            shop_payment_id: Some(info.shop_payment_id),
            write_off_amount: info.write_off_amount,
        }
    }
}

impl Recoverable for CreateTransfer {
    type Payout = Transfer;
    type Lookup = GetTransfer;
    const ACTION: Action = Action::Create;

    /// `shop_payment_id`; the amount as `payee_amount` (`receive_amount`) or `write_off_amount`
    /// (`writeoff_amount`); `payee_currency`; `shop_currency`; `payee_account` (reported by the
    /// create's answer only); `amount_type`.
    fn intent(&self) -> Intent {
        let amount_field = match self.amount_type {
            TransferAmountType::ReceiveAmount => "payee_amount",
            TransferAmountType::WriteoffAmount => "write_off_amount",
        };
        Intent::new(Self::INFO.name, &self.shop_payment_id)
            .field(amount_field, FieldValue::Amount(self.amount))
            .field(
                "payee_currency",
                crate::recovery::currency(self.payee_currency),
            )
            .field(
                "shop_currency",
                crate::recovery::currency(self.shop_currency),
            )
            .field("amount_type", FieldValue::text(self.amount_type.as_str()))
            .optional_field(
                "payee_account",
                crate::recovery::account(&self.payee_account),
            )
    }

    fn lookup(&self) -> GetTransfer {
        GetTransfer::new(self.shop_payment_id.clone())
    }

    fn classify_refusal(refusal: &ProviderError) -> RefusalClass {
        crate::recovery::classify_create_refusal(refusal)
    }
}

impl PayoutRecord for Transfer {
    fn judge(&self, intent: &Intent) -> Verdict {
        let observed = Observed {
            id: self.shop_payment_id.clone(),
            fields: Vec::new(),
        };
        intent.judge(
            &observed
                .field("payee_amount", Some(FieldValue::Amount(self.payee_amount)))
                .field(
                    "write_off_amount",
                    Some(FieldValue::Amount(self.write_off_amount)),
                )
                .field(
                    "payee_currency",
                    Some(crate::recovery::currency(self.payee_currency)),
                )
                .field(
                    "shop_currency",
                    Some(crate::recovery::currency(self.shop_currency)),
                )
                .field(
                    "payee_account",
                    self.payee_account
                        .as_ref()
                        .and_then(crate::recovery::account),
                ),
        )
    }

    fn summarize(&self) -> String {
        format!(
            "transfer {}, payee_amount {} {}, write_off_amount {} {}",
            self.id,
            self.payee_amount,
            self.payee_currency.code(),
            self.write_off_amount,
            self.shop_currency.code()
        )
    }
}

/// A transfer found by `shop_payment_id`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TransferInfo {
    /// Qostiq's transfer id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub id: u64,
    /// Currency the payee received.
    pub payee_currency: Currency,
    /// What the payee received.
    pub receive_amount: Amount,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// The shop's payout id.
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_payment_id: String,
    /// What left the shop balance.
    pub write_off_amount: Amount,
}
