//! Fiat withdrawals: payouts to cards and other payment systems (`/withdraw/try`, `/check_account`,
//! `/withdraw/create`, `/withdraw/status`, `/withdraw/shop_payment_status`).
//!
//! The flow: [`TryWithdraw`] (fees, and the account fields the payway needs in
//! [`WithdrawQuote::account_info_config`]) → [`CheckAccount`] (recommended) → [`CreateWithdraw`] →
//! wait for the withdraw callback, or poll [`GetWithdraw`] **at most once every 60 seconds**
//! ([`GetWithdraw`]'s `INFO.poll_floor`) until [`WithdrawStatus::is_final`].
//!
//! Recovery: a create whose answer is lost (timeout, reset, truncated body, 5xx) has an unknown
//! outcome. Ask [`GetWithdrawByShopPaymentId`] with the same `shop_payment_id`: a withdrawal with
//! the same terms means it exists (adopt it); [`Lookup::NotFound`] asked after the settle window
//! means it may be re-created with the **same** `shop_payment_id`. Never re-send blindly.
//! [`CreateWithdraw`] implements [`Recoverable`]: the lookup returns `shop_payment_id`,
//! `shop_currency`, `payee_receive` and `shop_write_off` (compared exactly: `payee_receive` for
//! `ps_amount`, `shop_write_off` for `shop_amount`), but not the account or the payway, which
//! therefore cannot be compared.

use std::time::Duration;

use pay_core::endpoint::{Endpoint, Lookup};
use pay_core::error::{Error, ProviderError};
use pay_core::money::Amount;
use pay_core::recovery::{
    Action, FieldValue, Intent, Observed, PayoutRecord, Recoverable, RefusalClass, Verdict,
};
use pay_core::text::AccountNumber;

use crate::account::{AccountDetails, AccountInfoConfig};
use crate::body::{Body, qostiq_endpoint, status_lookup};
use crate::context::QostiqContext;
use crate::currency::{BalanceCurrency, Currency, Payway};
use crate::envelope::{parse_data_with, parse_lookup, with_balance};
use crate::status::{ProviderStatus, WithdrawStatus};
use crate::validate;
use bytes::Bytes;
use pay_core::json::RawJson;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// What a withdrawal's `amount` means (fiat and crypto).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WithdrawAmountType {
    /// `ps_amount`: what the payee receives in the payment system.
    PsAmount,
    /// `shop_amount`: what leaves the shop balance.
    ShopAmount,
}

impl WithdrawAmountType {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PsAmount => "ps_amount",
            Self::ShopAmount => "shop_amount",
        }
    }

    /// The field of a withdrawal (fiat or crypto) that reports the asked amount back, which a
    /// recovery compares it with: `payee_receive` for `ps_amount`, `shop_write_off` for
    /// `shop_amount`.
    pub(crate) fn reported_as(self) -> &'static str {
        match self {
            Self::PsAmount => "payee_receive",
            Self::ShopAmount => "shop_write_off",
        }
    }
}

fn details(details: &Option<AccountDetails>) -> Option<&AccountDetails> {
    details.as_ref().filter(|d| !d.is_empty())
}

/// A quote of a payout from the shop balance in `C`, without making it: its fees (and, for fiat,
/// the account requirements). Used as [`TryWithdraw`] (a fiat [`Currency`]) or
/// [`TryCryptoWithdraw`] (a [`CryptoAsset`]).
///
/// [`TryCryptoWithdraw`]: crate::crypto::TryCryptoWithdraw
/// [`CryptoAsset`]: crate::currency::CryptoAsset
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WithdrawQuoteRequest<C> {
    /// The amount (signed): at most 2 decimals for fiat, within the payway's precision for crypto.
    pub amount: Amount,
    /// What `amount` means (signed).
    pub amount_type: WithdrawAmountType,
    /// The payway, e.g. `card_uah` or `usdt_bep20` (signed).
    pub payway: Payway,
    /// The shop balance currency written off, e.g. `UAH` or `USDT` (signed).
    pub shop_currency: C,
}

/// `POST /withdraw/try`: fees and account requirements of a fiat payout, without making it.
pub type TryWithdraw = WithdrawQuoteRequest<Currency>;

impl<C> WithdrawQuoteRequest<C> {
    /// A quote request.
    pub fn new(
        amount: Amount,
        amount_type: WithdrawAmountType,
        payway: Payway,
        shop_currency: C,
    ) -> Self {
        Self {
            amount,
            amount_type,
            payway,
            shop_currency,
        }
    }
}

impl TryWithdraw {
    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::fiat_amount("amount", &self.amount)?;
        self.shop_currency.check("shop_currency")?;
        Ok(quote_body(self, Self::INFO.path, context))
    }
}

/// The body of the quote `endpoint` with `quote`'s terms, signed (fiat and crypto alike).
pub(crate) fn quote_body<C: BalanceCurrency>(
    quote: &WithdrawQuoteRequest<C>,
    endpoint: &'static str,
    context: &QostiqContext,
) -> Body {
    let body = Body::for_shop(endpoint, context)
        .sign_str("amount", quote.amount.to_string())
        .sign_str("amount_type", quote.amount_type.as_str())
        .sign_str("payway", quote.payway.as_str());
    quote.shop_currency.sign(body, "shop_currency")
}

qostiq_endpoint!(TryWithdraw => WithdrawQuote,
    name: "qostiq.withdraw.try",
    path: "/withdraw/try",
    retry: Safe,
);

/// The answer of `/withdraw/try`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WithdrawQuote {
    /// The account fields the payway needs (send the extras in [`AccountDetails`]).
    #[serde(default)]
    pub account_info_config: Option<AccountInfoConfig>,
    /// Extra information, verbatim.
    #[serde(default)]
    pub info: Option<RawJson>,
    /// What the payee receives, in `ps_currency`.
    pub payee_receive: Amount,
    /// The payway's currency.
    pub ps_currency: Currency,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// What leaves the shop balance, in `shop_currency`.
    pub shop_write_off: Amount,
}

/// `POST /check_account`: whether the payee account can be credited.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckAccount {
    /// The payee account, e.g. a card number (signed; masked in `Debug`).
    pub account: AccountNumber,
    /// The planned amount in the payway's currency, at most 2 decimals (signed).
    pub amount: Amount,
    /// The payway (signed).
    pub payway: Payway,
    /// Extra account fields from `account_info_config` (not signed).
    pub account_details: Option<AccountDetails>,
}

impl CheckAccount {
    /// An account check.
    pub fn new(account: impl Into<AccountNumber>, amount: Amount, payway: Payway) -> Self {
        Self {
            account: account.into(),
            amount,
            payway,
            account_details: None,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::text("account", self.account.expose())?;
        validate::fiat_amount("amount", &self.amount)?;
        Ok(Body::for_shop(Self::INFO.path, context)
            .sign_account("account", &self.account)
            .sign_str("amount", self.amount.to_string())
            .sign_str("payway", self.payway.as_str())
            .extra_details("account_details", details(&self.account_details)))
    }
}

qostiq_endpoint!(CheckAccount => AccountCheck,
    name: "qostiq.check_account",
    path: "/check_account",
    retry: Safe,
);

/// The answer of `/check_account`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AccountCheck {
    /// What the provider said: only [`ProviderStatus::Available`] is a pass.
    pub provider_status: ProviderStatus,
    /// The check's own result, when sent.
    #[serde(default)]
    pub result: Option<bool>,
    /// Provider information (e.g. the holder's name), verbatim.
    #[serde(default)]
    pub account_info: Option<RawJson>,
}

impl AccountCheck {
    /// Whether the account can be credited.
    pub fn is_available(&self) -> bool {
        self.provider_status == ProviderStatus::Available && self.result != Some(false)
    }
}

/// `POST /withdraw/create`: a payout from the shop balance.
///
/// Retry class `RecoverByLookup`: see the module docs.
///
/// ```
/// use pay_core::clock::FixedClock;
/// use pay_core::error::Error;
/// use pay_core::secret::Secret;
/// use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
/// use pay_qostiq::{Currency, Payway, QostiqContext, QostiqRequest, ShopId};
/// use time::macros::datetime;
///
/// let context = QostiqContext::new(
///     ShopId::new(1).unwrap(),
///     Secret::new("Testkey1").unwrap(),
///     FixedClock(datetime!(2024-01-01 0:00 UTC)),
/// );
/// let mut payout = CreateWithdraw::new(
///     "4111111111111111",
///     "1.005".parse().unwrap(), // three decimals: refused, never rounded
///     WithdrawAmountType::PsAmount,
///     Payway::new("card_uah").unwrap(),
///     Currency::Uah,
///     "2e18aadc",
/// );
/// let err = payout.signed_body(&context).unwrap_err();
/// assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"));
/// payout.amount = "1.01".parse().unwrap();
/// let signed = payout.signed_body(&context).unwrap();
/// assert_eq!(signed.string_to_sign, "4111111111111111:1.01:ps_amount:card_uah:980:1:2e18aadc***");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateWithdraw {
    /// The payee account, e.g. a card number (signed; masked in `Debug`).
    pub account: AccountNumber,
    /// The amount, at most 2 decimals (signed).
    pub amount: Amount,
    /// What `amount` means (signed).
    pub amount_type: WithdrawAmountType,
    /// The payway (signed).
    pub payway: Payway,
    /// Currency written off the shop (signed).
    pub shop_currency: Currency,
    /// The shop's unique id for this payout (signed); reuse it to recover a lost answer.
    pub shop_payment_id: String,
    /// Extra account fields the payway needs (not signed).
    pub account_details: Option<AccountDetails>,
    /// Description, also the payment purpose where supported.
    pub description: Option<String>,
    /// An e-mail (not signed).
    pub email: Option<String>,
    /// Where the withdraw callback goes (else the shop's interaction URL).
    pub callback_url: Option<String>,
}

impl CreateWithdraw {
    /// A payout with the required fields.
    pub fn new(
        account: impl Into<AccountNumber>,
        amount: Amount,
        amount_type: WithdrawAmountType,
        payway: Payway,
        shop_currency: Currency,
        shop_payment_id: impl Into<String>,
    ) -> Self {
        Self {
            account: account.into(),
            amount,
            amount_type,
            payway,
            shop_currency,
            shop_payment_id: shop_payment_id.into(),
            account_details: None,
            description: None,
            email: None,
            callback_url: None,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        let terms = withdraw_terms!(self);
        terms.check(|amount| validate::fiat_amount("amount", amount))?;
        validate::optional_email("email", self.email.as_deref())?;
        validate::optional_url("callback_url", self.callback_url.as_deref())?;
        Ok(terms
            .body(Self::INFO.path, context)
            .extra_str("email", self.email.as_deref())
            .extra_str("callback_url", self.callback_url.as_deref()))
    }
}

qostiq_endpoint!(CreateWithdraw => Withdrawal,
    name: "qostiq.withdraw.create",
    path: "/withdraw/create",
    retry: RecoverByLookup,
    parse: Withdrawal::from_answer,
);

/// A withdrawal, fiat ([`WithdrawInfo`]) or crypto ([`CryptoWithdrawInfo`], as
/// [`CryptoWithdrawal`]), as its create answered it, or as a recovery lookup found it (then without
/// `balance`): the payout type of [`CreateWithdraw`]'s and [`CreateCryptoWithdraw`]'s recovery.
///
/// [`CryptoWithdrawInfo`]: crate::crypto::CryptoWithdrawInfo
/// [`CryptoWithdrawal`]: crate::crypto::CryptoWithdrawal
/// [`CreateCryptoWithdraw`]: crate::crypto::CreateCryptoWithdraw
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Withdrawal<I = WithdrawInfo> {
    /// The shop balance after the creation (only in the create's own answer).
    pub balance: Option<Amount>,
    /// The withdrawal as it stands.
    pub info: I,
}

impl<I: DeserializeOwned> Withdrawal<I> {
    /// Reads a create's answer: the withdrawal and the balance beside it.
    pub(crate) fn from_answer(response: &http::Response<Bytes>) -> Result<Self, Error> {
        parse_data_with(response, |data| {
            with_balance(data).map(|(balance, info)| Self { balance, info })
        })
    }
}

impl<I> From<I> for Withdrawal<I> {
    /// A withdrawal found by a lookup (no balance).
    fn from(info: I) -> Self {
        Self {
            balance: None,
            info,
        }
    }
}

impl Recoverable for CreateWithdraw {
    type Payout = Withdrawal;
    type Lookup = GetWithdrawByShopPaymentId;
    const ACTION: Action = Action::Create;

    /// `shop_payment_id`; the amount as `payee_receive` (`ps_amount`) or `shop_write_off`
    /// (`shop_amount`); `shop_currency`; and, not reported back, `amount_type`, `payway`,
    /// `account`.
    fn intent(&self) -> Intent {
        withdraw_terms!(self).intent(Self::INFO.name, "account")
    }

    fn lookup(&self) -> GetWithdrawByShopPaymentId {
        GetWithdrawByShopPaymentId::new(self.shop_payment_id.clone())
    }

    fn classify_refusal(refusal: &ProviderError) -> RefusalClass {
        crate::recovery::classify_create_refusal(refusal)
    }
}

/// The terms a fiat and a crypto withdrawal create share, under the same wire names: one home for
/// how they are checked, signed, recovered and journaled.
pub(crate) struct WithdrawTerms<'a, C> {
    pub(crate) account: &'a AccountNumber,
    pub(crate) amount: &'a Amount,
    pub(crate) amount_type: WithdrawAmountType,
    pub(crate) payway: &'a Payway,
    pub(crate) shop_currency: &'a C,
    pub(crate) shop_payment_id: &'a str,
    pub(crate) account_details: &'a Option<AccountDetails>,
    pub(crate) description: &'a Option<String>,
}

/// The [`WithdrawTerms`] of a [`CreateWithdraw`] or a `CreateCryptoWithdraw` (`request`).
macro_rules! withdraw_terms {
    ($request:expr) => {
        $crate::withdrawals::WithdrawTerms {
            account: &$request.account,
            amount: &$request.amount,
            amount_type: $request.amount_type,
            payway: &$request.payway,
            shop_currency: &$request.shop_currency,
            shop_payment_id: &$request.shop_payment_id,
            account_details: &$request.account_details,
            description: &$request.description,
        }
    };
}

pub(crate) use withdraw_terms;

impl<C: BalanceCurrency> WithdrawTerms<'_, C> {
    /// Checks the shared terms, the amount with `check_amount` (fiat and crypto precision differ).
    pub(crate) fn check(
        &self,
        check_amount: impl FnOnce(&Amount) -> Result<(), Error>,
    ) -> Result<(), Error> {
        validate::text("account", self.account.expose())?;
        check_amount(self.amount)?;
        self.shop_currency.check("shop_currency")?;
        validate::reference("shop_payment_id", self.shop_payment_id)?;
        validate::callback_text("description", self.description.as_deref())
    }

    /// The body of `endpoint` with the shared terms: signed, then `account_details` and
    /// `description` as the first extras.
    pub(crate) fn body(&self, endpoint: &'static str, context: &QostiqContext) -> Body {
        let body = Body::for_shop(endpoint, context)
            .sign_account("account", self.account)
            .sign_str("amount", self.amount.to_string())
            .sign_str("amount_type", self.amount_type.as_str())
            .sign_str("payway", self.payway.as_str())
            .sign_str("shop_payment_id", self.shop_payment_id);
        self.shop_currency
            .sign(body, "shop_currency")
            .extra_details("account_details", details(self.account_details))
            .extra_str("description", self.description.as_deref())
    }

    /// The intent of the create `name`: `shop_payment_id`; the amount as `payee_receive`
    /// (`ps_amount`) or `shop_write_off` (`shop_amount`); `shop_currency`; the account as
    /// `account_field`; and, not reported back, `amount_type` and `payway`.
    pub(crate) fn intent(&self, name: &str, account_field: &'static str) -> Intent {
        Intent::new(name, self.shop_payment_id)
            .field(
                self.amount_type.reported_as(),
                FieldValue::Amount(*self.amount),
            )
            .field(
                "shop_currency",
                FieldValue::text(self.shop_currency.wire_text()),
            )
            .field("amount_type", FieldValue::text(self.amount_type.as_str()))
            .field("payway", FieldValue::text(self.payway.as_str()))
            .optional_field(account_field, crate::recovery::account(self.account))
    }
}

/// What a withdrawal (fiat or crypto) reports back, as a recovery judges and summarizes it.
pub(crate) struct Reported<'a, C> {
    /// `withdrawal` or `crypto withdrawal`.
    pub(crate) kind: &'static str,
    pub(crate) id: u64,
    /// The status code and its meaning.
    pub(crate) status: (i64, &'a dyn std::fmt::Display),
    pub(crate) shop_payment_id: &'a str,
    pub(crate) payee_receive: Amount,
    pub(crate) payee_currency: &'a C,
    pub(crate) shop_write_off: Amount,
    pub(crate) shop_currency: &'a C,
    /// The payee address, which only crypto withdrawals report.
    pub(crate) payee_address: Option<&'a AccountNumber>,
}

/// A withdrawal's state as its recovery reads it.
pub(crate) trait WithdrawReport {
    /// The shop balance currency.
    type Currency: BalanceCurrency;
    /// What the withdrawal reports back.
    fn reported(&self) -> Reported<'_, Self::Currency>;
}

impl<I: WithdrawReport> PayoutRecord for Withdrawal<I> {
    fn judge(&self, intent: &Intent) -> Verdict {
        let w = self.info.reported();
        intent.judge(
            &Observed::with_id(w.shop_payment_id)
                .field("payee_receive", Some(FieldValue::Amount(w.payee_receive)))
                .field("shop_write_off", Some(FieldValue::Amount(w.shop_write_off)))
                .field(
                    "shop_currency",
                    Some(FieldValue::text(w.shop_currency.wire_text())),
                )
                .field(
                    "payee_address",
                    w.payee_address.and_then(crate::recovery::account),
                ),
        )
    }

    fn summarize(&self) -> String {
        let w = self.info.reported();
        format!(
            "{} {} status {} ({}), payee_receive {} {}, shop_write_off {} {}",
            w.kind,
            w.id,
            w.status.0,
            w.status.1,
            w.payee_receive,
            w.payee_currency.wire_text(),
            w.shop_write_off,
            w.shop_currency.wire_text()
        )
    }
}

impl WithdrawReport for WithdrawInfo {
    type Currency = Currency;

    fn reported(&self) -> Reported<'_, Currency> {
        Reported {
            kind: "withdrawal",
            id: self.id,
            status: (self.status.code(), &self.status),
            shop_payment_id: &self.shop_payment_id,
            payee_receive: self.payee_receive,
            payee_currency: &self.ps_currency,
            shop_write_off: self.shop_write_off,
            shop_currency: &self.shop_currency,
            payee_address: None,
        }
    }
}

/// A withdrawal's state (`/withdraw/status`, `/withdraw/shop_payment_status`, and inside
/// [`Withdrawal`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WithdrawInfo {
    /// Qostiq's withdrawal id (the `withdraw_id` of [`GetWithdraw`]).
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub id: u64,
    /// The status; poll until [`WithdrawStatus::is_final`].
    pub status: WithdrawStatus,
    /// What the payee receives, in `ps_currency`.
    pub payee_receive: Amount,
    /// The payway's currency.
    pub ps_currency: Currency,
    /// Currency written off the shop.
    pub shop_currency: Currency,
    /// The shop's payout id.
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_payment_id: String,
    /// What leaves the shop balance, in `shop_currency`.
    pub shop_write_off: Amount,
    /// Why it was rejected.
    #[serde(default)]
    pub rejected_reason: Option<String>,
}

status_lookup!(
    /// `POST /withdraw/status`: a withdrawal by Qostiq's id. Poll at most every 60 seconds.
    GetWithdraw {
        /// Qostiq's withdrawal id, [`WithdrawInfo::id`] (signed).
        withdraw_id: u64
    },
    new: u64,
    now: DateTime
);

qostiq_endpoint!(GetWithdraw => Lookup<WithdrawInfo>,
    name: "qostiq.withdraw.status",
    path: "/withdraw/status",
    retry: Safe,
    // Seed 001: "no more than 1 request per 60 seconds".
    poll_floor: Duration::from_secs(60),
    parse: |r| parse_lookup(r),
);

status_lookup!(
    /// `POST /withdraw/shop_payment_status`: a withdrawal by the shop's id; the recovery lookup.
    GetWithdrawByShopPaymentId {
        /// The shop's payout id (signed).
        shop_payment_id: String
    },
    new: impl Into<String>,
    now: DateTime
);

qostiq_endpoint!(GetWithdrawByShopPaymentId => Lookup<WithdrawInfo>,
    name: "qostiq.withdraw.shop_payment_status",
    path: "/withdraw/shop_payment_status",
    retry: Safe,
    poll_floor: Duration::from_secs(60),
    parse: |r| parse_lookup(r),
);
