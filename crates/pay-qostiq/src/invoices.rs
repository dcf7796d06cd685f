//! Invoices (beyond the seeds): `/invoice/try` (fees and the extra fields a payway needs) and
//! `/invoice/create`, whose answer says how to forward the payer: a method, a URL and form fields
//! ([`InvoiceRedirect::to_form`]). Signed keys: `amount, currency, payway, shop_id, shop_order_id`.
//! The outcome arrives as a payment notification ([`crate::callbacks::PaymentNotification`]).
//!
//! ```
//! use bytes::Bytes;
//! use pay_core::endpoint::Endpoint;
//! use pay_qostiq::invoices::CreateInvoice;
//! use pay_qostiq::pay_form::FormMethod;
//! use pay_qostiq::{Currency, Payway};
//!
//! let create = CreateInvoice::new("12.34".parse().unwrap(), Currency::Uah, Payway::new("card_uah").unwrap(), "4126");
//! let body = br#"{"data": {"id": 77, "method": "POST", "url": "https://acs.example/pay",
//!     "data": {"PaReq": "abc", "MD": 12}}, "error_code": 0, "message": "Ok", "result": true}"#;
//! let redirect = create.parse_response(&http::Response::new(Bytes::from_static(body))).unwrap();
//! let form = redirect.to_form().unwrap();
//! assert_eq!(form.method, FormMethod::Post);
//! assert_eq!(form.fields, [("PaReq".to_owned(), "abc".to_owned()), ("MD".to_owned(), "12".to_owned())]);
//! ```

use pay_core::endpoint::Endpoint;
use pay_core::error::Error;
use pay_core::money::Amount;
use pay_core::text::AccountNumber;

use crate::body::{Body, qostiq_endpoint};
use crate::context::QostiqContext;
use crate::currency::{Currency, Payway};
use crate::pay_form::{FormMethod, HtmlForm};
use crate::validate;
use pay_core::json::RawJson;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// The fields of an invoice request (shared by try and create).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invoice {
    /// The amount, at most 2 decimals (signed).
    pub amount: Amount,
    /// The currency (signed).
    pub currency: Currency,
    /// The payway (signed).
    pub payway: Payway,
    /// The shop's order id (signed).
    pub shop_order_id: String,
    /// Description.
    pub description: Option<String>,
    /// Redirect after success.
    pub success_url: Option<String>,
    /// Redirect after failure.
    pub failed_url: Option<String>,
    /// Payment notification URL.
    pub callback_url: Option<String>,
    /// The payer's account (masked in `Debug`).
    pub payer_account: Option<AccountNumber>,
}

impl Invoice {
    fn new(amount: Amount, currency: Currency, payway: Payway, shop_order_id: String) -> Self {
        Self {
            amount,
            currency,
            payway,
            shop_order_id,
            description: None,
            success_url: None,
            failed_url: None,
            callback_url: None,
            payer_account: None,
        }
    }

    fn body(&self, endpoint: &'static str, context: &QostiqContext) -> Result<Body, Error> {
        validate::fiat_amount("amount", &self.amount)?;
        self.currency.check("currency")?;
        validate::reference("shop_order_id", &self.shop_order_id)?;
        validate::callback_text("description", self.description.as_deref())?;
        validate::optional_text(
            "payer_account",
            self.payer_account.as_ref().map(AccountNumber::expose),
        )?;
        validate::optional_url("success_url", self.success_url.as_deref())?;
        validate::optional_url("failed_url", self.failed_url.as_deref())?;
        validate::optional_url("callback_url", self.callback_url.as_deref())?;
        Ok(Body::for_shop(endpoint, context)
            .sign_str("amount", self.amount.to_string())
            .sign_int("currency", self.currency.code())
            .sign_str("payway", self.payway.as_str())
            .sign_str("shop_order_id", self.shop_order_id.as_str())
            .extra_str("description", self.description.as_deref())
            .extra_account("payer_account", self.payer_account.as_ref())
            .extra_str("success_url", self.success_url.as_deref())
            .extra_str("failed_url", self.failed_url.as_deref())
            .extra_str("callback_url", self.callback_url.as_deref()))
    }
}

/// `POST /invoice/try`: fees and extra fields of an invoice, without creating it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TryInvoice {
    /// The invoice.
    pub invoice: Invoice,
}

impl TryInvoice {
    /// A quote request.
    pub fn new(
        amount: Amount,
        currency: Currency,
        payway: Payway,
        shop_order_id: impl Into<String>,
    ) -> Self {
        Self {
            invoice: Invoice::new(amount, currency, payway, shop_order_id.into()),
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        self.invoice.body(Self::INFO.path, context)
    }
}

qostiq_endpoint!(TryInvoice => InvoiceQuote,
    name: "qostiq.invoice.try",
    path: "/invoice/try",
    retry: Safe,
);

/// The answer of `/invoice/try` (model: every field optional except what is read).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InvoiceQuote {
    /// Extra fields the payway needs, verbatim.
    #[serde(default)]
    pub add_ons_config: Option<RawJson>,
    /// What the payer pays.
    #[serde(default)]
    pub payer_price: Option<Amount>,
    /// The payway's currency.
    #[serde(default)]
    pub ps_currency: Option<Currency>,
    /// The invoice amount.
    #[serde(default)]
    pub shop_amount: Option<Amount>,
    /// The shop's currency.
    #[serde(default)]
    pub shop_currency: Option<Currency>,
    /// What the shop will be credited.
    #[serde(default)]
    pub shop_refund: Option<Amount>,
}

/// `POST /invoice/create`: creates an invoice and returns where to send the payer.
///
/// Retry class `Never`: a repeat could create a second payable invoice for the same order and no
/// invoice lookup is part of this API; no money moves until the payer pays, so on an unknown outcome
/// show an error and let the payer start again (with a new `shop_order_id` if uniqueness is on).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateInvoice {
    /// The invoice.
    pub invoice: Invoice,
}

impl CreateInvoice {
    /// An invoice with the required fields.
    pub fn new(
        amount: Amount,
        currency: Currency,
        payway: Payway,
        shop_order_id: impl Into<String>,
    ) -> Self {
        Self {
            invoice: Invoice::new(amount, currency, payway, shop_order_id.into()),
        }
    }

    fn body(&self, context: &QostiqContext) -> Result<Body, Error> {
        self.invoice.body(Self::INFO.path, context)
    }
}

qostiq_endpoint!(CreateInvoice => InvoiceRedirect,
    name: "qostiq.invoice.create",
    path: "/invoice/create",
    retry: Never,
);

/// How to forward the payer after `/invoice/create` (model).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct InvoiceRedirect {
    /// Qostiq's invoice id.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_uint")]
    pub id: Option<u64>,
    /// `GET` or `POST` (as sent).
    pub method: String,
    /// Where to send the payer.
    pub url: String,
    /// The form fields to send (`data`), in order (non-string values as their JSON text).
    #[serde(rename = "data", default, deserialize_with = "form_fields")]
    pub fields: Vec<(String, String)>,
    /// Session id of host-to-host payways.
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_text")]
    pub session_id: Option<String>,
}

/// The form fields of an invoice redirect, in order: strings as they are, `null` as empty, other
/// values as their JSON text; an absent or `null` object is no fields.
fn form_fields<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, String)>, D::Error> {
    struct Fields;
    impl<'de> Visitor<'de> for Fields {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of form fields")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut fields = Vec::new();
            while let Some((name, raw)) = map.next_entry::<String, RawJson>()? {
                let value = if raw.is_null() {
                    String::new()
                } else {
                    raw.parse::<String>()
                        .unwrap_or_else(|_| raw.as_str().to_owned())
                };
                fields.push((name, value));
            }
            Ok(fields)
        }
    }
    deserializer.deserialize_any(Fields)
}

impl InvoiceRedirect {
    /// The redirect as an HTML form; refuses a method other than GET or POST.
    pub fn to_form(&self) -> Result<HtmlForm, Error> {
        let method = match self.method.to_ascii_uppercase().as_str() {
            "GET" => FormMethod::Get,
            "POST" => FormMethod::Post,
            _ => {
                return Err(Error::invalid_input(
                    "method",
                    format!(
                        "{} is not GET or POST",
                        pay_core::text::Untrusted::new(&self.method)
                    ),
                ));
            }
        };
        Ok(HtmlForm {
            method,
            action: self.url.clone(),
            fields: self.fields.clone(),
        })
    }
}
