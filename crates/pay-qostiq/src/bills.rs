//! Bills: payments from Qostiq wallets (`/bill/create`, `/bill/create/v2`, `/bill/shop_order_status`).
//!
//! Create a bill, redirect the payer to [`Bill::url`], then learn the outcome from the payment
//! notification (see [`crate::callbacks`]) or by polling [`GetBill`] **at most once every 10 seconds**
//! ([`GetBill`]'s `INFO.poll_floor`).
//!
//! ```
//! use pay_core::clock::FixedClock;
//! use pay_core::endpoint::Endpoint;
//! use pay_core::secret::Secret;
//! use pay_qostiq::bills::CreateBill;
//! use pay_qostiq::{Currency, QostiqContext, ShopId};
//! use time::macros::datetime;
//!
//! let context = QostiqContext::new(
//!     ShopId::new(112).unwrap(),
//!     Secret::new("SecretKey01").unwrap(),
//!     FixedClock(datetime!(2024-01-01 0:00 UTC)),
//! );
//! let mut bill = CreateBill::new("23.15".parse().unwrap(), Currency::Uah, Currency::Uah, "4239");
//! bill.description = Some("Test Bill".into());
//! let request = bill.build_request(&context).unwrap();
//! assert_eq!(request.uri(), "/bill/create");
//! assert!(request.body().starts_with(br#"{"payer_currency":980,"shop_amount":"23.15""#));
//! ```

use std::time::Duration;

use pay_core::endpoint::{Endpoint, Lookup};
use pay_core::error::{Error, ProviderError};
use pay_core::money::Amount;
use pay_core::recovery::{
    Action, Difference, FieldValue, Intent, Observed, PayoutRecord, Recoverable, RefusalClass,
    Verdict,
};
use pay_core::text::AccountNumber;

use crate::body::{Body, qostiq_endpoint, status_lookup};
use crate::context::{QostiqContext, ShopId};
use crate::currency::Currency;
use crate::envelope::parse_lookup;
use crate::pay_form::Lang;
use crate::status::BillStatus;
use crate::time::{NowForm, QostiqDateTime};
use crate::validate;
use pay_core::json::RawJson;
use serde::Deserialize;

/// The redirect and notification URLs a bill may carry (unsigned; the shop's settings win over them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillUrls {
    /// Where the payer goes after a successful payment.
    pub success_url: Option<String>,
    /// Where the payer goes after a failed payment.
    pub failed_url: Option<String>,
    /// Where the payment notification goes.
    pub callback_url: Option<String>,
    /// Where the rejection notification goes.
    pub callback_rejected_url: Option<String>,
}

impl BillUrls {
    fn validate(&self) -> Result<(), Error> {
        validate::optional_url("success_url", self.success_url.as_deref())?;
        validate::optional_url("failed_url", self.failed_url.as_deref())?;
        validate::optional_url("callback_url", self.callback_url.as_deref())?;
        validate::optional_url(
            "callback_rejected_url",
            self.callback_rejected_url.as_deref(),
        )
    }

    fn add(&self, body: Body) -> Body {
        body.extra_str("failed_url", self.failed_url.as_deref())
            .extra_str("success_url", self.success_url.as_deref())
            .extra_str("callback_url", self.callback_url.as_deref())
            .extra_str(
                "callback_rejected_url",
                self.callback_rejected_url.as_deref(),
            )
    }
}

fn lifetime(minutes: Option<u32>) -> Result<Option<String>, Error> {
    match minutes {
        Some(0) => Err(Error::invalid_input(
            "lifetime",
            "must be at least one minute",
        )),
        other => Ok(other.map(|m| m.to_string())),
    }
}

/// `POST /bill/create`: a bill for a fixed amount.
///
/// Retry class `RecoverByLookup`: a repeated create either is refused (`error_code` 6, when the shop
/// checks `shop_order_id` uniqueness) or creates a second payable bill for the same order, so a lost
/// answer is resolved with [`GetBill`] on the same `shop_order_id`, never by re-sending.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateBill {
    /// Bill amount, at most 2 decimals (signed).
    pub shop_amount: Amount,
    /// Currency credited to the shop (signed).
    pub shop_currency: Currency,
    /// Currency the payer pays in (signed).
    pub payer_currency: Currency,
    /// The shop's id for the order (signed).
    pub shop_order_id: String,
    /// Bill description.
    pub description: Option<String>,
    /// E-mail or wallet id of the payer: the bill is then linked to that wallet (masked in
    /// `Debug`).
    pub payer_account: Option<AccountNumber>,
    /// Redirect and notification URLs.
    pub urls: BillUrls,
    /// Bill lifetime in minutes (server default 43200), sent as a string.
    pub lifetime_minutes: Option<u32>,
}

impl CreateBill {
    /// A bill with the required fields.
    pub fn new(
        shop_amount: Amount,
        shop_currency: Currency,
        payer_currency: Currency,
        shop_order_id: impl Into<String>,
    ) -> Self {
        Self {
            shop_amount,
            shop_currency,
            payer_currency,
            shop_order_id: shop_order_id.into(),
            description: None,
            payer_account: None,
            urls: BillUrls::default(),
            lifetime_minutes: None,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        validate::fiat_amount("shop_amount", &self.shop_amount)?;
        self.shop_currency.check("shop_currency")?;
        self.payer_currency.check("payer_currency")?;
        validate::reference("shop_order_id", &self.shop_order_id)?;
        validate::callback_text("description", self.description.as_deref())?;
        if let Some(account) = &self.payer_account {
            validate::text("payer_account", account.expose())?;
        }
        self.urls.validate()?;
        let lifetime = lifetime(self.lifetime_minutes)?;
        let body = Body::for_shop(Self::INFO.path, context)
            .sign_int("payer_currency", self.payer_currency.code())
            .sign_str("shop_amount", self.shop_amount.to_string())
            .sign_int("shop_currency", self.shop_currency.code())
            .sign_str("shop_order_id", self.shop_order_id.as_str())
            .extra_str("description", self.description.as_deref())
            .extra_account("payer_account", self.payer_account.as_ref());
        Ok(self
            .urls
            .add(body)
            .extra_str("lifetime", lifetime.as_deref()))
    }
}

qostiq_endpoint!(CreateBill => Bill,
    name: "qostiq.bill.create",
    path: "/bill/create",
    retry: RecoverByLookup,
);

/// `POST /bill/create/v2`: a bill for a fixed amount, or a free amount the payer chooses.
///
/// Retry class `RecoverByLookup`, as [`CreateBill`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateBillV2 {
    /// Currency credited to the shop (signed).
    pub currency: Currency,
    /// The shop's id for the order (signed).
    pub shop_order_id: String,
    /// A fixed amount (at most 2 decimals, not signed); `None` lets the payer choose.
    pub amount: Option<Amount>,
    /// Bill description.
    pub description: Option<String>,
    /// E-mail of the payer's wallet: the bill is then linked to it.
    pub email: Option<String>,
    /// Redirect and notification URLs.
    pub urls: BillUrls,
    /// Bill lifetime in minutes (server default 90), sent as a string.
    pub lifetime_minutes: Option<u32>,
    /// Language of the payment page.
    pub lang: Option<Lang>,
}

impl CreateBillV2 {
    /// A free-amount bill; set [`CreateBillV2::amount`] to fix the amount.
    pub fn new(currency: Currency, shop_order_id: impl Into<String>) -> Self {
        Self {
            currency,
            shop_order_id: shop_order_id.into(),
            amount: None,
            description: None,
            email: None,
            urls: BillUrls::default(),
            lifetime_minutes: None,
            lang: None,
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        self.currency.check("currency")?;
        validate::reference("shop_order_id", &self.shop_order_id)?;
        if let Some(amount) = &self.amount {
            validate::fiat_amount("amount", amount)?;
        }
        validate::callback_text("description", self.description.as_deref())?;
        validate::optional_email("email", self.email.as_deref())?;
        self.urls.validate()?;
        let lifetime = lifetime(self.lifetime_minutes)?;
        let amount = self.amount.map(|a| a.to_string());
        let body = Body::for_shop(Self::INFO.path, context)
            .sign_int("currency", self.currency.code())
            .sign_now(NowForm::UnixSeconds, context)?
            .sign_str("shop_order_id", self.shop_order_id.as_str())
            .extra_str("amount", amount.as_deref())
            .extra_str("description", self.description.as_deref())
            .extra_str("email", self.email.as_deref());
        Ok(self
            .urls
            .add(body)
            .extra_str("lifetime", lifetime.as_deref())
            .extra_str("lang", self.lang.as_ref().map(Lang::as_str)))
    }
}

qostiq_endpoint!(CreateBillV2 => Bill,
    name: "qostiq.bill.create_v2",
    path: "/bill/create/v2",
    retry: RecoverByLookup,
);

/// A created bill (`/bill/create`, `/bill/create/v2`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Bill {
    /// Qostiq's bill id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub id: u64,
    /// When it was created.
    pub created: QostiqDateTime,
    /// Lifetime in minutes (sent as `"43200"` or `43200`).
    #[serde(
        rename = "lifetime",
        default,
        deserialize_with = "pay_core::json::decode::opt_uint"
    )]
    pub lifetime_minutes: Option<u64>,
    /// The payer's account, when given (masked in `Debug`).
    #[serde(default, deserialize_with = "crate::account::opt_account")]
    pub payer_account: Option<AccountNumber>,
    /// Currency the payer pays in.
    #[serde(default)]
    pub payer_currency: Option<Currency>,
    /// What the payer pays (`None` for a free amount).
    #[serde(default)]
    pub payer_price: Option<Amount>,
    /// The bill amount (`None` for a free amount).
    #[serde(default)]
    pub shop_amount: Option<Amount>,
    /// Currency credited to the shop.
    pub shop_currency: Currency,
    /// The shop.
    pub shop_id: ShopId,
    /// The shop's order id (sent as a string or a number).
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_order_id: String,
    /// What the shop will be credited.
    #[serde(default)]
    pub shop_refund: Option<Amount>,
    /// Where to send the payer.
    pub url: String,
}

status_lookup!(
    /// `POST /bill/shop_order_status`: the bill for a `shop_order_id`. Poll at most every 10 seconds.
    ///
    /// Answers [`Lookup::NotFound`] when Qostiq has no such bill (`error_code` 7).
    GetBill {
        /// The shop's order id (signed).
        shop_order_id: String
    },
    new: impl Into<String>,
    now: DateTime
);

qostiq_endpoint!(GetBill => Lookup<BillInfo>,
    name: "qostiq.bill.shop_order_status",
    path: "/bill/shop_order_status",
    retry: Safe,
    // Seed 000: "no more often than once every 10 seconds".
    poll_floor: Duration::from_secs(10),
    parse: |r| parse_lookup(r),
);

/// A bill as a create answered it or as a recovery lookup found it: the payout type of bill
/// creation's recovery ([`CreateBill`], [`CreateBillV2`]). Only a created bill carries the payment
/// page URL; a found one carries its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillRecord {
    /// The create's own answer.
    Created(Bill),
    /// Found by `/bill/shop_order_status`.
    Found(BillInfo),
}

impl BillRecord {
    /// The shop's order id.
    pub fn shop_order_id(&self) -> &str {
        match self {
            Self::Created(b) => &b.shop_order_id,
            Self::Found(b) => &b.shop_order_id,
        }
    }

    /// The bill amount (`None` for a free-amount bill until it is paid).
    pub fn shop_amount(&self) -> Option<Amount> {
        match self {
            Self::Created(b) => b.shop_amount,
            Self::Found(b) => b.shop_amount,
        }
    }

    /// The shop currency.
    pub fn shop_currency(&self) -> Currency {
        match self {
            Self::Created(b) => b.shop_currency,
            Self::Found(b) => b.shop_currency,
        }
    }

    /// Where to send the payer (only known from the create's answer).
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Created(b) => Some(&b.url),
            Self::Found(_) => None,
        }
    }
}

impl From<Bill> for BillRecord {
    fn from(bill: Bill) -> Self {
        Self::Created(bill)
    }
}

impl From<BillInfo> for BillRecord {
    fn from(info: BillInfo) -> Self {
        Self::Found(info)
    }
}

/// Both bill creates recover the same way: by `shop_order_id`; a lookup answering
/// `is_unique: false` means several bills share the id (a conflict).
impl PayoutRecord for BillRecord {
    fn judge(&self, intent: &Intent) -> Verdict {
        let observed = Observed::with_id(self.shop_order_id())
            .field("shop_amount", self.shop_amount().map(FieldValue::Amount))
            .field(
                "shop_currency",
                Some(crate::recovery::currency(self.shop_currency())),
            );
        let mut differences = intent.compare(&observed);
        if let Self::Found(info) = self
            && !info.is_unique
        {
            differences.push(Difference {
                field: "is_unique".to_owned(),
                asked: "true".to_owned(),
                found: "false".to_owned(),
            });
        }
        if differences.is_empty() {
            Verdict::Same
        } else {
            Verdict::Conflict { differences }
        }
    }

    fn summarize(&self) -> String {
        let amount = self
            .shop_amount()
            .map_or_else(|| "free".to_owned(), |a| a.to_string());
        let currency = self.shop_currency().code();
        match self {
            Self::Created(b) => format!("bill {} created, shop_amount {amount} {currency}", b.id),
            Self::Found(b) => format!(
                "bill payment {} status {} ({}), shop_amount {amount} {currency}",
                b.payment_id,
                b.status.code(),
                b.status,
            ),
        }
    }
}

impl Recoverable for CreateBill {
    type Payout = BillRecord;
    type Lookup = GetBill;
    const ACTION: Action = Action::Create;

    /// `shop_order_id`, `shop_amount`, `shop_currency`; `payer_currency` (not reported back).
    fn intent(&self) -> Intent {
        Intent::new(Self::INFO.name, &self.shop_order_id)
            .field("shop_amount", FieldValue::Amount(self.shop_amount))
            .field(
                "shop_currency",
                crate::recovery::currency(self.shop_currency),
            )
            .field(
                "payer_currency",
                crate::recovery::currency(self.payer_currency),
            )
    }

    fn lookup(&self) -> GetBill {
        GetBill::new(self.shop_order_id.clone())
    }

    fn classify_refusal(refusal: &ProviderError) -> RefusalClass {
        crate::recovery::classify_create_refusal(refusal)
    }
}

impl Recoverable for CreateBillV2 {
    type Payout = BillRecord;
    type Lookup = GetBill;
    const ACTION: Action = Action::Create;

    /// `shop_order_id`, the fixed `amount` as `shop_amount` (a free-amount bill has none to
    /// compare), `currency` as `shop_currency`.
    fn intent(&self) -> Intent {
        Intent::new(Self::INFO.name, &self.shop_order_id)
            .field("shop_currency", crate::recovery::currency(self.currency))
            .optional_field("shop_amount", self.amount.map(FieldValue::Amount))
    }

    fn lookup(&self) -> GetBill {
        GetBill::new(self.shop_order_id.clone())
    }

    fn classify_refusal(refusal: &ProviderError) -> RefusalClass {
        crate::recovery::classify_create_refusal(refusal)
    }
}

/// A bill's state (`/bill/shop_order_status`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BillInfo {
    /// The status.
    pub status: BillStatus,
    /// `false` when several bills share the `shop_order_id`: this is the last one created.
    #[serde(default = "unique", deserialize_with = "unique_unless_false")]
    pub is_unique: bool,
    /// Qostiq's payment id.
    #[serde(deserialize_with = "pay_core::json::decode::uint")]
    pub payment_id: u64,
    /// What the payer paid.
    #[serde(default)]
    pub client_price: Option<Amount>,
    /// When it was created.
    #[serde(default)]
    pub created: Option<QostiqDateTime>,
    /// When it was processed (`None` until then).
    #[serde(default)]
    pub processed: Option<QostiqDateTime>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The payway used.
    #[serde(default)]
    pub payway: Option<String>,
    /// Currency of the payment system.
    #[serde(default)]
    pub ps_currency: Option<Currency>,
    /// Payment system data (e.g. `ps_payer_account`), verbatim.
    #[serde(default)]
    pub ps_data: Option<RawJson>,
    /// The bill amount: `None` for a free-amount bill (`/bill/create/v2` without `amount`) that is
    /// not paid yet, which Qostiq answers with `"shop_amount": null` (seed 000).
    #[serde(default)]
    pub shop_amount: Option<Amount>,
    /// Currency credited to the shop.
    pub shop_currency: Currency,
    /// The shop.
    pub shop_id: ShopId,
    /// The shop's order id.
    #[serde(deserialize_with = "pay_core::json::decode::text")]
    pub shop_order_id: String,
    /// What was credited to the shop balance.
    #[serde(default)]
    pub shop_refund: Option<Amount>,
}

/// `is_unique` when absent: a single bill.
fn unique() -> bool {
    true
}

/// `is_unique`: `true` unless the answer says `false` (`null` is `true`, as when absent).
fn unique_unless_false<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(deserializer)? != Some(false))
}
