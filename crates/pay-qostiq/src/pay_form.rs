//! The PAY page: an HTML form the payer's browser submits to `https://pay.qostiq.com/<lang>/pay`,
//! signed over `amount, currency, shop_id, shop_order_id` (PROTOCOL.md "Beyond the seeds").
//!
//! ```
//! use pay_core::clock::SystemClock;
//! use pay_core::secret::Secret;
//! use pay_qostiq::pay_form::{Lang, PayForm};
//! use pay_qostiq::{Currency, QostiqContext, ShopId};
//!
//! let context = QostiqContext::new(ShopId::new(1).unwrap(), Secret::new("SecretKey01").unwrap(), SystemClock);
//! let form = PayForm::new("10.00".parse().unwrap(), Currency::Uah, "101").sign(&context).unwrap();
//! assert_eq!(form.form.action, "https://pay.qostiq.com/en/pay");
//! assert_eq!(form.string_to_sign, "10.00:980:1:101***");
//! assert_eq!(form.sign, "7354edb970dae3b496572252d7d7578fc8e0f1061b2e69a9eda1b39f3cdadc69");
//! assert!(form.form.to_html().contains(r#"<input type="hidden" name="amount" value="10.00">"#));
//! ```

use std::fmt::{self, Write as _};

use pay_core::endpoint::BaseUrl;
use pay_core::error::Error;
use pay_core::money::Amount;
use pay_core::text::{AccountNumber, masked};

use crate::body::Body;
use crate::context::{DEFAULT_PAY_BASE_URL, QostiqContext};
use crate::currency::Currency;
use crate::validate;

/// A payment page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (`en`).
    #[default]
    En,
    /// Polish (`pl`).
    Pl,
    /// Russian (`ru`).
    Ru,
    /// Ukrainian (`uk`).
    Uk,
}

impl Lang {
    /// The language code.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Pl => "pl",
            Self::Ru => "ru",
            Self::Uk => "uk",
        }
    }
}

/// How a form is submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormMethod {
    /// `GET`: fields in the query string.
    Get,
    /// `POST`: fields in the body.
    Post,
}

impl FormMethod {
    /// `get` or `post`, as HTML writes it.
    pub fn as_html(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Post => "post",
        }
    }
}

/// An HTML form to hand to the payer's browser.
///
/// `Debug` masks the `payer_account` field's value.
#[derive(Clone, PartialEq, Eq)]
pub struct HtmlForm {
    /// `GET` or `POST`.
    pub method: FormMethod,
    /// The action URL.
    pub action: String,
    /// Hidden fields, in order.
    pub fields: Vec<(String, String)>,
}

impl fmt::Debug for HtmlForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Fields<'a>(&'a [(String, String)]);
        impl fmt::Debug for Fields<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(name, value)| {
                        if name == "payer_account" {
                            (name.as_str(), format!("{}", masked(value)))
                        } else {
                            (name.as_str(), value.clone())
                        }
                    }))
                    .finish()
            }
        }
        f.debug_struct("HtmlForm")
            .field("method", &self.method)
            .field("action", &self.action)
            .field("fields", &Fields(&self.fields))
            .finish()
    }
}

impl HtmlForm {
    /// The form as HTML, every attribute escaped, with one submit button.
    ///
    /// ```
    /// use pay_qostiq::pay_form::{FormMethod, HtmlForm};
    ///
    /// let form = HtmlForm {
    ///     method: FormMethod::Post,
    ///     action: "https://pay.example/x?a=1&b=2".into(),
    ///     fields: vec![("description".into(), r#"<script>"x"&'y'</script>"#.into())],
    /// };
    /// let html = form.to_html();
    /// assert!(html.contains(r#"action="https://pay.example/x?a=1&amp;b=2""#));
    /// assert!(html.contains("&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;"));
    /// assert!(!html.contains("<script>"));
    /// ```
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<form method=\"{}\" action=\"{}\" accept-charset=\"utf-8\">",
            self.method.as_html(),
            escape(&self.action)
        );
        for (name, value) in &self.fields {
            let _ = writeln!(
                out,
                "  <input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            );
        }
        out.push_str("  <button type=\"submit\">Pay</button>\n</form>\n");
        out
    }
}

/// Escapes text for an HTML attribute value or text node.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A PAY page payment: required `amount`, `currency`, `shop_order_id` (plus the context's
/// `shop_id`), all signed; optional unsigned extras.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayForm {
    /// The amount, at most 2 decimals (signed).
    pub amount: Amount,
    /// The currency (signed).
    pub currency: Currency,
    /// The shop's order id (signed).
    pub shop_order_id: String,
    /// Description shown to the payer.
    pub description: Option<String>,
    /// Preselects a payway.
    pub payway: Option<String>,
    /// The payer's account (masked in `Debug`).
    pub payer_account: Option<AccountNumber>,
    /// Redirect after success.
    pub success_url: Option<String>,
    /// Redirect after failure.
    pub failed_url: Option<String>,
    /// Payment notification URL.
    pub callback_url: Option<String>,
    /// Page language (default English).
    pub lang: Lang,
    /// `POST` (default) or `GET`.
    pub method: FormMethod,
    /// Another PAY host (default [`DEFAULT_PAY_BASE_URL`]).
    pub base_url: Option<BaseUrl>,
}

/// A signed PAY form, with what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPayForm {
    /// The form to render ([`HtmlForm::to_html`]) or submit.
    pub form: HtmlForm,
    /// The string hashed, secret masked.
    pub string_to_sign: String,
    /// The signature (also the `sign` field).
    pub sign: String,
}

impl PayForm {
    /// A form with the required fields.
    pub fn new(amount: Amount, currency: Currency, shop_order_id: impl Into<String>) -> Self {
        Self {
            amount,
            currency,
            shop_order_id: shop_order_id.into(),
            description: None,
            payway: None,
            payer_account: None,
            success_url: None,
            failed_url: None,
            callback_url: None,
            lang: Lang::En,
            method: FormMethod::Post,
            base_url: None,
        }
    }

    /// Validates and signs the form with the context's shop id and secret.
    pub fn sign(&self, context: &QostiqContext) -> Result<SignedPayForm, Error> {
        validate::fiat_amount("amount", &self.amount)?;
        self.currency.check("currency")?;
        validate::reference("shop_order_id", &self.shop_order_id)?;
        validate::callback_text("description", self.description.as_deref())?;
        if let Some(payway) = &self.payway {
            crate::currency::Payway::new(payway.as_str())?;
        }
        validate::optional_text(
            "payer_account",
            self.payer_account.as_ref().map(AccountNumber::expose),
        )?;
        validate::optional_url("success_url", self.success_url.as_deref())?;
        validate::optional_url("failed_url", self.failed_url.as_deref())?;
        validate::optional_url("callback_url", self.callback_url.as_deref())?;
        let signed = Body::for_shop("pay-form", context)
            .sign_str("amount", self.amount.to_string())
            .sign_int("currency", self.currency.code())
            .sign_str("shop_order_id", self.shop_order_id.as_str())
            .extra_str("description", self.description.as_deref())
            .extra_str("payway", self.payway.as_deref())
            .extra_account("payer_account", self.payer_account.as_ref())
            .extra_str("success_url", self.success_url.as_deref())
            .extra_str("failed_url", self.failed_url.as_deref())
            .extra_str("callback_url", self.callback_url.as_deref())
            .finish_form(context.secret())?;
        let base = self
            .base_url
            .as_ref()
            .map_or(DEFAULT_PAY_BASE_URL, BaseUrl::as_str);
        Ok(SignedPayForm {
            form: HtmlForm {
                method: self.method,
                action: format!("{base}/{}/pay", self.lang.as_str()),
                fields: signed.fields,
            },
            string_to_sign: signed.string_to_sign,
            sign: signed.sign,
        })
    }
}
