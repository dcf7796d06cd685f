//! The response envelope `{"result": bool, "error_code": int, "message": str, "data": …}`, read on
//! every HTTP status (refusals also come with 4xx, e.g. a duplicate `shop_payment_id` is HTTP 400 with
//! `error_code` 6).
//!
//! * `result == true` and `error_code == 0` (or absent): success, `data` is decoded.
//! * anything else: [`Error::Provider`] with the code and message kept.
//! * a status lookup answered with code 7 or 2000 (and no 5xx): [`Lookup::NotFound`], a value.
//! * a body that is not the envelope: [`Error::Undecodable`] with the body as received.

use bytes::Bytes;
use http::StatusCode;
use pay_core::endpoint::Lookup;
use pay_core::error::{Error, Provider, ProviderError};
use pay_core::json::{Limits, StrictObject, Value};

use crate::error::QostiqErrorCode;
use crate::read::{FieldError, Obj};

/// The head of an envelope.
struct Head {
    result: bool,
    error_code: Option<i64>,
    message: String,
}

impl Head {
    fn is_success(&self) -> bool {
        self.result && self.error_code.unwrap_or(0) == 0
    }

    fn refusal(self, status: StatusCode) -> ProviderError {
        ProviderError::new(
            Provider::Qostiq,
            status,
            // A refusal without a code (never seen) still keeps the `result: false`.
            self.error_code,
            self.message,
            vec![],
        )
    }
}

fn undecodable(status: StatusCode, reason: impl Into<String>, body: &Bytes) -> Error {
    Error::undecodable(status, reason, body.clone())
}

fn field_error(status: StatusCode, error: FieldError, body: &Bytes) -> Error {
    undecodable(status, format!("{}: {}", error.field, error.reason), body)
}

fn read_head(object: &StrictObject<'_>) -> Result<Head, FieldError> {
    let top = Obj::new(object.members(), "");
    let result = match object.get("result").map(|m| &m.value) {
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(top.error("result", "expected true or false")),
        None => return Err(top.error("result", "missing: not the Qostiq envelope")),
    };
    Ok(Head {
        result,
        error_code: top.opt_int("error_code")?,
        message: top.opt_string("message")?.unwrap_or_default(),
    })
}

/// Parses the body strictly and reads the envelope head.
fn read<'a>(status: StatusCode, body: &'a Bytes) -> Result<(StrictObject<'a>, Head), Error> {
    let object = StrictObject::parse(body, Limits::RESPONSES)
        .map_err(|e| undecodable(status, format!("not a JSON object: {e}"), body))?;
    let head = read_head(&object).map_err(|e| field_error(status, e, body))?;
    Ok((object, head))
}

/// Decodes the `data` of a successful answer, or returns the refusal.
pub(crate) fn parse_data<T>(
    response: &http::Response<Bytes>,
    decode: impl FnOnce(&Value<'_>) -> Result<T, FieldError>,
) -> Result<T, Error> {
    let status = response.status();
    let body = response.body();
    let (object, head) = read(status, body)?;
    success_data(status, body, &object, head, decode)
}

fn success_data<T>(
    status: StatusCode,
    body: &Bytes,
    object: &StrictObject<'_>,
    head: Head,
    decode: impl FnOnce(&Value<'_>) -> Result<T, FieldError>,
) -> Result<T, Error> {
    if !head.is_success() {
        return Err(head.refusal(status).into());
    }
    let data = object
        .get("data")
        .map(|m| &m.value)
        .filter(|v| **v != Value::Null)
        .ok_or_else(|| undecodable(status, "data: missing in a successful answer", body))?;
    decode(data).map_err(|e| field_error(status, e, body))
}

/// Like [`parse_data`] for status lookups: `error_code` 7 or 2000 is [`Lookup::NotFound`].
///
/// A "not found" that comes with a 5xx status is not trusted (the outcome stays unknown, and a
/// re-create on a false "not found" would pay twice): it is returned as the refusal it is.
pub(crate) fn parse_lookup<T>(
    response: &http::Response<Bytes>,
    decode: impl FnOnce(&Value<'_>) -> Result<T, FieldError>,
) -> Result<Lookup<T>, Error> {
    let status = response.status();
    let body = response.body();
    let (object, head) = read(status, body)?;
    let not_found = !head.result
        && !status.is_server_error()
        && head
            .error_code
            .is_some_and(|c| QostiqErrorCode::from_code(c).is_not_found());
    if not_found {
        return Ok(Lookup::NotFound);
    }
    success_data(status, body, &object, head, decode).map(Lookup::Found)
}

/// `data` as an object whose fields are named `data.<key>` in errors.
pub(crate) fn data_object<'v, 'a>(data: &'v Value<'a>) -> Result<Obj<'v, 'a>, FieldError> {
    Obj::of_value(data, "data")
}
