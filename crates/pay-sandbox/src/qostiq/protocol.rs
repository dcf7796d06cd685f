//! Qostiq's wire protocol as the sandbox serves it: the request checks, the answer envelope and
//! its error codes, and typed access to a verified request body.
//!
//! Every request is verified the way the real server does it, in this order:
//! 1. the body is one strict JSON object (else `error_code` 10, HTTP 400);
//! 2. every signed key of the endpoint is present and not `null` (else 10, HTTP 400);
//! 3. `shop_id` is the configured shop (else 11 "Shop not found", HTTP 400);
//! 4. `sign` equals `sha256(values rendered with Python's str(), joined by ':' + secret)` (else
//!    "invalid sign": code 1 on the older fiat endpoints, 10 on the newer ones, HTTP 400).
//!
//! Answers use the envelope `{"data": …, "error_code": N, "message": "…", "result": bool}`.

use http::StatusCode;
use pay_core::json::{Member, StrictObject, Value, python};
use pay_core::money::Amount;
use rust_decimal::Decimal;
use subtle::ConstantTimeEq;

use super::money::{ConversionError, rate_usd};
use crate::config::Credentials;
use crate::context::Context;
use crate::exchange::Reply;
use crate::json::{Json, integer, object, string};

/// Which "invalid sign" code an endpoint family answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Older fiat endpoints: invalid sign is `error_code` 1.
    Old,
    /// Newer endpoints (`/bill/create/v2`, crypto, invoice): invalid sign is `error_code` 10.
    New,
}

impl Family {
    fn invalid_sign_code(self) -> i64 {
        match self {
            Self::Old => 1,
            Self::New => 10,
        }
    }
}

/// A Qostiq error answer: HTTP status, `error_code` and `message`.
#[derive(Debug, Clone)]
pub(crate) struct QostiqError {
    /// The HTTP status.
    pub(crate) http: StatusCode,
    /// `error_code`.
    pub(crate) code: i64,
    /// `message`.
    pub(crate) message: String,
}

/// The row of the shop's payway `table` whose alias (`alias_of`) is `alias`, or the server's
/// refusal of a payway the shop does not have.
pub(crate) fn find_payway<P>(
    table: &'static [P],
    alias: &str,
    alias_of: impl Fn(&P) -> &str,
) -> Result<&'static P, QostiqError> {
    table.iter().find(|p| alias_of(p) == alias).ok_or_else(|| {
        QostiqError::bad(format!("payway: `{alias}` is not available for this shop."))
    })
}

impl QostiqError {
    /// Bad or missing parameter: code 10, HTTP 400.
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 10, message)
    }

    /// Any status and code.
    pub(crate) fn new(http: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            http,
            code,
            message: message.into(),
        }
    }

    /// Lookup miss: HTTP 200 with `code` (7 or 2000), as the seeds show.
    pub(crate) fn not_found(code: i64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, code, message)
    }

    /// Duplicate `what` (`shop_payment_id`): code 6, HTTP 400.
    pub(crate) fn duplicate(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            6,
            format!("Duplicate {what} ({id}): must be unique"),
        )
    }

    /// Below the payway minimum: code 4.
    pub(crate) fn too_small(min: Decimal) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            4,
            format!("Amount is too small (minimum {})", min.normalize()),
        )
    }

    /// Not enough funds: code 5 (the sandbox's model; see docs/sandbox.md).
    pub(crate) fn insufficient() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            5,
            "Insufficient funds on the shop balance",
        )
    }

    /// The error as an HTTP reply.
    pub(crate) fn reply(&self) -> Reply {
        Reply::json(self.http, error_body(self.code, &self.message))
    }
}

impl From<ConversionError> for QostiqError {
    fn from(e: ConversionError) -> Self {
        Self::bad(e.to_string())
    }
}

/// What a handler answers: the `data` of a success envelope, or an error.
pub(crate) type QostiqAnswer = Result<Json, QostiqError>;

/// An endpoint's handler: a plain function over the books and the verified request.
pub(crate) type QostiqHandler = fn(&mut Context<'_>, &QostiqRequest<'_, '_>) -> QostiqAnswer;

/// The answer as an HTTP reply: HTTP 200 with the success envelope, or the error.
pub(crate) fn reply(answer: QostiqAnswer) -> Reply {
    match answer {
        Ok(data) => Reply::json(StatusCode::OK, success_body(data)),
        Err(e) => e.reply(),
    }
}

/// The success envelope around `data`.
pub(crate) fn success_body(data: Json) -> String {
    object([
        ("data", data),
        ("error_code", integer(0)),
        ("message", string("Ok")),
        ("result", Json::Bool(true)),
    ])
    .to_text()
}

/// The error envelope.
pub(crate) fn error_body(code: i64, message: &str) -> String {
    object([
        ("data", Json::Null),
        ("error_code", integer(code)),
        ("message", string(message)),
        ("result", Json::Bool(false)),
    ])
    .to_text()
}

/// Checks the signed keys, the shop and the signature of a request to `endpoint`.
pub(crate) fn verify(
    endpoint: &str,
    family: Family,
    object: &StrictObject<'_>,
    credentials: &Credentials,
) -> Result<(), QostiqError> {
    let keys = pay_signing::qostiq::signed_keys(endpoint).unwrap_or(&[]);
    for key in keys {
        if object.get(key).is_none_or(|m| m.value == Value::Null) {
            return Err(QostiqError::bad(format!(
                "{key}: Missing data for required field."
            )));
        }
    }
    let shop = object
        .get("shop_id")
        .map(|m| python::str_form(&m.value))
        .unwrap_or_default();
    if shop != credentials.qostiq_shop_id.to_string() {
        return Err(QostiqError::new(
            StatusCode::BAD_REQUEST,
            11,
            format!("Shop (id={shop}) wasn't found"),
        ));
    }
    let received = match object.get("sign").map(|m| &m.value) {
        Some(Value::String(text)) => text.to_ascii_lowercase(),
        _ => String::new(),
    };
    let expected = pay_signing::qostiq::sign_body(endpoint, object, &credentials.qostiq_secret)
        .map(|e| e.sign)
        .unwrap_or_default();
    let matches: bool = expected.as_bytes().ct_eq(received.as_bytes()).into();
    if expected.is_empty() || !matches {
        return Err(QostiqError::new(
            StatusCode::BAD_REQUEST,
            family.invalid_sign_code(),
            "invalid sign",
        ));
    }
    Ok(())
}

/// Typed access to a verified request body.
pub(crate) struct QostiqRequest<'a, 'b> {
    /// The parsed body.
    pub(crate) body: &'b StrictObject<'a>,
}

impl QostiqRequest<'_, '_> {
    fn member(&self, key: &str) -> Option<&Member<'_>> {
        self.body.get(key).filter(|m| m.value != Value::Null)
    }

    fn required(&self, key: &str) -> Result<&Member<'_>, QostiqError> {
        self.member(key)
            .ok_or_else(|| QostiqError::bad(format!("{key}: Missing data for required field.")))
    }

    /// Whether `key` is present and not `null`.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.member(key).is_some()
    }

    /// A required scalar as Python's `str()` renders it.
    pub(crate) fn text(&self, key: &str) -> Result<String, QostiqError> {
        match &self.required(key)?.value {
            Value::Array(_) | Value::Object(_) => {
                Err(QostiqError::bad(format!("{key}: Not a valid string.")))
            }
            value => Ok(python::str_form(value)),
        }
    }

    /// An optional non-empty scalar.
    pub(crate) fn optional_text(&self, key: &str) -> Option<String> {
        self.text(key).ok().filter(|t| !t.is_empty())
    }

    /// A member as sent (for echoing), `null` when absent.
    pub(crate) fn as_sent(&self, key: &str) -> Json {
        self.body
            .get(key)
            .map_or(Json::Null, |m| Json::from_value(&m.value))
    }

    /// The members whose keys are not in `known`, as sent (custom fields a callback echoes).
    pub(crate) fn others(&self, known: &[&str]) -> Vec<(String, Json)> {
        self.body
            .members()
            .iter()
            .filter(|m| !known.contains(&m.key.as_ref()))
            .map(|m| (m.key.to_string(), Json::from_value(&m.value)))
            .collect()
    }

    /// A required positive amount (JSON string or number, read exactly).
    pub(crate) fn amount(&self, key: &str) -> Result<Decimal, QostiqError> {
        let amount = Amount::from_raw_json(self.required(key)?.raw)
            .map_err(|_| QostiqError::bad(format!("{key}: Not a valid number.")))?;
        if !amount.is_positive() {
            return Err(QostiqError::bad(format!("{key}: Must be greater than 0.")));
        }
        Ok(amount.decimal())
    }

    /// A required ISO 4217 numeric currency the sandbox has a rate for (number or digit string).
    pub(crate) fn currency(&self, key: &str) -> Result<u16, QostiqError> {
        let text = self.text(key)?;
        let code: u16 = text
            .parse()
            .map_err(|_| QostiqError::bad(format!("{key}: Not a valid integer.")))?;
        if rate_usd(code).is_none() {
            return Err(QostiqError::bad(format!(
                "{key}: Unsupported currency {code}."
            )));
        }
        Ok(code)
    }
}
