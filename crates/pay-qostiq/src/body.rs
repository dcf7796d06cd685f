//! Request bodies: serialized once, signed from the very strings that are sent.
//!
//! Every signed value is sent as text that is exactly its signed form: strings and amounts as JSON
//! strings (`"10.00"`), integers (ids, currency codes, Unix `now`) as JSON integers, whose Python
//! `str()` is their decimal text. The signed keys are checked against pay-signing's endpoint table
//! before anything is signed.

use std::fmt;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method};
use pay_core::endpoint::Endpoint;
use pay_core::error::{Error, SignatureError};
use pay_core::secret::Secret;
use pay_core::text::{AccountNumber, Untrusted, masked};
use pay_signing::qostiq;

use crate::account::AccountDetails;
use crate::context::QostiqContext;

/// A signed request body, with what was signed (secret masked) for debugging an "invalid sign".
///
/// The fields hold the exact text. `Debug` masks the request's account fields (`account`,
/// `payee_account`, `payer_account`, `account_details` values) in the body and the string to sign,
/// and writes them, with the signature, as [`Untrusted`] text.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedBody {
    /// The endpoint (`/withdraw/create`, or `pay-form`).
    pub endpoint: &'static str,
    /// The signed keys, sorted.
    pub signed_keys: Vec<&'static str>,
    /// The exact body bytes to send.
    pub body: Bytes,
    /// `v1:v2:…:vN***`: the string hashed, secret masked.
    pub string_to_sign: String,
    /// The signature sent in `sign`.
    pub sign: String,
    /// The account values in the body, masked by `Debug`.
    accounts: Vec<String>,
}

/// How many characters of a body its `Debug` writes.
const BODY_DEBUG_MAX_CHARS: usize = 1000;

/// `text` with every account value of at least five characters replaced by its masked form
/// (shorter ones are masked to nothing anyway, and would match too much).
fn mask_accounts(text: &str, accounts: &[String]) -> String {
    let mut longest_first: Vec<&String> =
        accounts.iter().filter(|a| a.chars().count() > 4).collect();
    longest_first.sort_by_key(|a| std::cmp::Reverse(a.len()));
    longest_first
        .into_iter()
        .fold(text.to_owned(), |text, account| {
            text.replace(account.as_str(), &masked(account).to_string())
        })
}

impl fmt::Debug for SignedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = mask_accounts(&String::from_utf8_lossy(&self.body), &self.accounts);
        let string_to_sign = mask_accounts(&self.string_to_sign, &self.accounts);
        f.debug_struct("SignedBody")
            .field("endpoint", &self.endpoint)
            .field("signed_keys", &self.signed_keys)
            .field(
                "body",
                &Untrusted::new(&body).max_chars(BODY_DEBUG_MAX_CHARS),
            )
            .field("string_to_sign", &Untrusted::new(&string_to_sign))
            .field("sign", &Untrusted::new(&self.sign))
            .finish()
    }
}

/// A Qostiq endpoint whose signed body can be inspected before sending.
pub trait QostiqRequest: Endpoint<Context = QostiqContext> {
    /// Validates the request and builds its signed body (what [`Endpoint::build_request`] sends).
    fn signed_body(&self, context: &QostiqContext) -> Result<SignedBody, Error>;
}

#[derive(Debug, Clone)]
pub(crate) enum Wire {
    /// Sent as a JSON string.
    Str(String),
    /// Sent as a JSON integer (decimal digits).
    Int(String),
    /// A flat object of strings.
    Details(AccountDetails),
}

impl Wire {
    fn signed_text(&self) -> Option<&str> {
        match self {
            Self::Str(text) | Self::Int(text) => Some(text),
            Self::Details(_) => None,
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Str(text) => write_json_string(text, out),
            Self::Int(digits) => out.push_str(digits),
            Self::Details(details) => {
                out.push('{');
                for (i, (name, value)) in details.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(name, out);
                    out.push(':');
                    write_json_string(value, out);
                }
                out.push('}');
            }
        }
    }
}

/// A body under construction: signed fields, then unsigned extras, then `sign`.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    endpoint: &'static str,
    signed: Vec<(&'static str, Wire)>,
    extra: Vec<(&'static str, Wire)>,
    /// The account values among them, for [`SignedBody`]'s `Debug`.
    accounts: Vec<String>,
}

impl Body {
    /// The body of a request to `endpoint` for the context's shop: every Qostiq request signs
    /// `shop_id`.
    pub(crate) fn for_shop(endpoint: &'static str, context: &QostiqContext) -> Self {
        Self::new(endpoint).sign_int("shop_id", context.shop_id())
    }

    fn new(endpoint: &'static str) -> Self {
        Self {
            endpoint,
            signed: Vec::new(),
            extra: Vec::new(),
            accounts: Vec::new(),
        }
    }

    pub(crate) fn sign_str(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.signed.push((key, Wire::Str(value.into())));
        self
    }

    /// A signed account number, sent as a JSON string.
    pub(crate) fn sign_account(mut self, key: &'static str, value: &AccountNumber) -> Self {
        self.accounts.push(value.expose().to_owned());
        self.sign_str(key, value.expose())
    }

    /// An unsigned account number, sent as a JSON string when present.
    pub(crate) fn extra_account(
        mut self,
        key: &'static str,
        value: Option<&AccountNumber>,
    ) -> Self {
        let Some(value) = value else { return self };
        self.accounts.push(value.expose().to_owned());
        self.extra_str(key, Some(value.expose()))
    }

    pub(crate) fn sign_int(mut self, key: &'static str, value: impl std::fmt::Display) -> Self {
        self.signed.push((key, Wire::Int(value.to_string())));
        self
    }

    /// A signed `now` in the endpoint's form (`Int` for Unix seconds, `Str` otherwise).
    pub(crate) fn sign_now(
        self,
        form: crate::time::NowForm,
        context: &QostiqContext,
    ) -> Result<Self, Error> {
        let text = form.render(context.now())?;
        Ok(match form {
            crate::time::NowForm::UnixSeconds => self.sign_int("now", text),
            _ => self.sign_str("now", text),
        })
    }

    pub(crate) fn extra_str(mut self, key: &'static str, value: Option<&str>) -> Self {
        if let Some(value) = value {
            self.extra.push((key, Wire::Str(value.to_owned())));
        }
        self
    }

    pub(crate) fn extra_details(
        mut self,
        key: &'static str,
        value: Option<&AccountDetails>,
    ) -> Self {
        if let Some(details) = value {
            self.accounts
                .extend(details.iter().map(|(_, value)| value.to_owned()));
            self.extra.push((key, Wire::Details(details.clone())));
        }
        self
    }

    /// The signed values in key order, after checking the keys against the endpoint table.
    pub(crate) fn signed_values(&mut self) -> Result<(Vec<&'static str>, Vec<&str>), Error> {
        self.signed.sort_by_key(|(key, _)| *key);
        let expected =
            qostiq::signed_keys(self.endpoint).ok_or_else(|| SignatureError::UnknownEndpoint {
                endpoint: self.endpoint.to_owned(),
            })?;
        let keys: Vec<&'static str> = self.signed.iter().map(|(k, _)| *k).collect();
        if keys != expected {
            let missing = expected
                .iter()
                .find(|k| !keys.contains(k))
                .or_else(|| keys.iter().find(|k| !expected.contains(k)))
                .copied()
                .unwrap_or_default();
            return Err(SignatureError::MissingSignedKey {
                key: missing.to_owned(),
            }
            .into());
        }
        let mut values = Vec::with_capacity(self.signed.len());
        for (key, wire) in &self.signed {
            let text = wire
                .signed_text()
                .ok_or_else(|| SignatureError::MissingSignedKey {
                    key: (*key).to_owned(),
                })?;
            values.push(text);
        }
        Ok((keys, values))
    }

    /// Signs and serializes: `{<signed fields sorted>, <extras>, "sign": "…"}`.
    pub(crate) fn finish(mut self, secret: &Secret) -> Result<SignedBody, Error> {
        let endpoint = self.endpoint;
        let (signed_keys, values) = self.signed_values()?;
        let sign = qostiq::sign(secret, &values);
        let string_to_sign = qostiq::explain(&values);
        let mut out = String::from("{");
        for (key, wire) in self.signed.iter().chain(self.extra.iter()) {
            if out.len() > 1 {
                out.push(',');
            }
            write_json_string(key, &mut out);
            out.push(':');
            wire.write(&mut out);
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str("\"sign\":");
        write_json_string(&sign, &mut out);
        out.push('}');
        Ok(SignedBody {
            endpoint,
            signed_keys,
            body: Bytes::from(out),
            string_to_sign,
            sign,
            accounts: self.accounts,
        })
    }

    /// The `(name, value)` pairs of a form: signed fields sorted, extras, then `sign`.
    pub(crate) fn finish_form(mut self, secret: &Secret) -> Result<SignedForm, Error> {
        let (_, values) = self.signed_values()?;
        let sign = qostiq::sign(secret, &values);
        let string_to_sign = qostiq::explain(&values);
        let mut fields = Vec::new();
        for (key, wire) in self.signed.iter().chain(self.extra.iter()) {
            let value = match wire {
                Wire::Str(text) | Wire::Int(text) => text.clone(),
                Wire::Details(_) => {
                    let mut out = String::new();
                    wire.write(&mut out);
                    out
                }
            };
            fields.push(((*key).to_owned(), value));
        }
        fields.push(("sign".to_owned(), sign.clone()));
        Ok(SignedForm {
            fields,
            string_to_sign,
            sign,
        })
    }
}

/// The fields of a signed form, with what was signed.
pub(crate) struct SignedForm {
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) string_to_sign: String,
    pub(crate) sign: String,
}

/// A `POST` of `body` to `path` (relative to the base URL) as `application/json`.
pub(crate) fn post(path: &'static str, body: Bytes) -> Result<http::Request<Bytes>, Error> {
    http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(body)
        .map_err(|e| Error::invalid_input("uri", format!("cannot build the request: {e}")))
}

/// Writes `text` as a JSON string; non-ASCII is written as UTF-8, as the server expects.
pub(crate) fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Implements [`Endpoint`] and [`QostiqRequest`] for a request type with a private
/// `fn body(&self, &QostiqContext) -> Result<Body, Error>`.
/// A status read declares `poll_floor: <Duration>` (the provider's minimum spacing between reads
/// of one payment) after `retry`. The answer is read from the `data` envelope
/// ([`crate::envelope::parse_data`]) unless `parse: <fn>` says otherwise.
macro_rules! qostiq_endpoint {
    (@floor) => { None };
    (@floor $floor:expr) => { Some($floor) };
    (@parse) => { |r| $crate::envelope::parse_data(r) };
    (@parse $parse:expr) => { $parse };
    (
        $ty:ty => $out:ty,
        name: $name:literal,
        path: $path:literal,
        retry: $retry:ident,
        $(poll_floor: $floor:expr,)?
        $(parse: $parse:expr $(,)?)?
    ) => {
        impl pay_core::endpoint::Endpoint for $ty {
            type Output = $out;
            type Context = $crate::context::QostiqContext;
            const INFO: pay_core::endpoint::EndpointInfo = pay_core::endpoint::EndpointInfo {
                provider: pay_core::error::Provider::Qostiq,
                name: $name,
                method: http::Method::POST,
                path: $path,
                retry_class: pay_core::retry::RetryClass::$retry,
                poll_floor: qostiq_endpoint!(@floor $($floor)?),
            };

            fn build_request(
                &self,
                context: &$crate::context::QostiqContext,
            ) -> Result<http::Request<bytes::Bytes>, pay_core::error::Error> {
                let signed = $crate::body::QostiqRequest::signed_body(self, context)?;
                $crate::body::post($path, signed.body)
            }

            fn parse_response(
                &self,
                response: &http::Response<bytes::Bytes>,
            ) -> Result<$out, pay_core::error::Error> {
                let parse: fn(
                    &http::Response<bytes::Bytes>,
                ) -> Result<$out, pay_core::error::Error> = qostiq_endpoint!(@parse $($parse)?);
                parse(response)
            }
        }

        impl $crate::body::QostiqRequest for $ty {
            fn signed_body(
                &self,
                context: &$crate::context::QostiqContext,
            ) -> Result<$crate::body::SignedBody, pay_core::error::Error> {
                self.body(context)?.finish(context.secret())
            }
        }
    };
}

pub(crate) use qostiq_endpoint;

/// Declares a request about the shop itself, signed with `now` (in `form`) and `shop_id` only
/// (`/shop_balance`, `/shop_input_config/shop`, `/shop_output_config/shop`,
/// `/crypto/shop_balance`): the unit struct, `new()` and its body.
macro_rules! shop_query {
    ($(#[$doc:meta])* $name:ident, now: $form:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name;

        impl $name {
            /// The request.
            pub fn new() -> Self {
                Self
            }

            fn body(
                &self,
                context: &$crate::context::QostiqContext,
            ) -> Result<$crate::body::Body, pay_core::error::Error> {
                $crate::body::Body::for_shop(
                    <Self as pay_core::endpoint::Endpoint>::INFO.path,
                    context,
                )
                .sign_now($crate::time::NowForm::$form, context)
            }
        }
    };
}

pub(crate) use shop_query;

/// The id a status lookup asks by: the shop's own text id (refused when blank, signed as a string)
/// or Qostiq's numeric id (refused when 0, signed as an integer).
pub(crate) trait LookupKey {
    /// Refuses a key that names nothing.
    fn check(&self, field: &'static str) -> Result<(), Error>;
    /// Adds the key to `body` as a signed value.
    fn sign(&self, body: Body, field: &'static str) -> Body;
}

impl LookupKey for String {
    fn check(&self, field: &'static str) -> Result<(), Error> {
        crate::validate::text(field, self)
    }

    fn sign(&self, body: Body, field: &'static str) -> Body {
        body.sign_str(field, self.as_str())
    }
}

impl LookupKey for u64 {
    fn check(&self, field: &'static str) -> Result<(), Error> {
        if *self == 0 {
            return Err(Error::invalid_input(field, "must be a positive integer"));
        }
        Ok(())
    }

    fn sign(&self, body: Body, field: &'static str) -> Body {
        body.sign_int(field, self)
    }
}

/// Declares a status lookup signed with `now` (in `form`), `shop_id` and one [`LookupKey`]: the
/// struct, `new()` (taking `arg`) and its body.
macro_rules! status_lookup {
    ($(#[$doc:meta])* $name:ident { $(#[$field_doc:meta])* $field:ident: $key:ty }, new: $arg:ty, now: $form:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            $(#[$field_doc])*
            pub $field: $key,
        }

        impl $name {
            #[doc = concat!("The lookup for `", stringify!($field), "`.")]
            #[allow(clippy::useless_conversion)] // `$arg` may be `$key` itself
            pub fn new($field: $arg) -> Self {
                Self {
                    $field: $field.into(),
                }
            }

            fn body(
                &self,
                context: &$crate::context::QostiqContext,
            ) -> Result<$crate::body::Body, pay_core::error::Error> {
                use $crate::body::LookupKey as _;
                self.$field.check(stringify!($field))?;
                let body = $crate::body::Body::for_shop(
                    <Self as pay_core::endpoint::Endpoint>::INFO.path,
                    context,
                )
                .sign_now($crate::time::NowForm::$form, context)?;
                Ok(self.$field.sign(body, stringify!($field)))
            }
        }
    };
}

pub(crate) use status_lookup;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_only_what_json_needs() {
        let mut out = String::new();
        write_json_string("a\"b\\c\n\u{1}Оплата№", &mut out);
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001Оплата№\"");
    }

    #[test]
    fn signed_keys_must_match_the_table() {
        let secret = Secret::new("Testkey1").unwrap();
        let body = Body::new("/shop_balance").sign_int("shop_id", 1);
        assert!(matches!(
            body.finish(&secret),
            Err(Error::Signature(SignatureError::MissingSignedKey { ref key })) if key == "now"
        ));
        let body = Body::new("/nope").sign_int("shop_id", 1);
        assert!(matches!(
            body.finish(&secret),
            Err(Error::Signature(SignatureError::UnknownEndpoint { .. }))
        ));
        let body = Body::new("/shop_balance")
            .sign_int("shop_id", 1)
            .sign_str("now", "x")
            .sign_str("extra", "y");
        assert!(body.finish(&secret).is_err());
    }
}
