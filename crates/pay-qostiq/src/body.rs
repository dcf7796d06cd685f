//! Request bodies: serialized once, signed from the very strings that are sent.
//!
//! Every signed value is sent as text that is exactly its signed form: strings and amounts as JSON
//! strings (`"10.00"`), integers (ids, currency codes, Unix `now`) as JSON integers, whose Python
//! `str()` is their decimal text. The signed keys are checked against pay-signing's endpoint table
//! before anything is signed.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method};
use pay_core::endpoint::Endpoint;
use pay_core::error::{Error, SignatureError};
use pay_core::secret::Secret;
use pay_signing::qostiq;

use crate::account::AccountDetails;
use crate::context::QostiqContext;

/// A signed request body, with what was signed (secret masked) for debugging an "invalid sign".
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl Body {
    pub(crate) fn new(endpoint: &'static str) -> Self {
        Self {
            endpoint,
            signed: Vec::new(),
            extra: Vec::new(),
        }
    }

    pub(crate) fn sign_str(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.signed.push((key, Wire::Str(value.into())));
        self
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
macro_rules! qostiq_endpoint {
    (
        $ty:ty => $out:ty,
        name: $name:literal,
        path: $path:literal,
        retry: $retry:ident,
        parse: $parse:expr $(,)?
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
                ) -> Result<$out, pay_core::error::Error> = $parse;
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
