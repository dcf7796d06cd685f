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
use pay_core::json::{DecodeError, Limits, decode, decode_checked};
use pay_core::money::Amount;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::QostiqErrorCode;

/// The envelope, `data` kept as its raw text (read once the head says success).
#[derive(Deserialize)]
struct Envelope<'a> {
    result: bool,
    #[serde(default, deserialize_with = "pay_core::json::decode::opt_int")]
    error_code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

impl Envelope<'_> {
    fn is_success(&self) -> bool {
        self.result && self.error_code.unwrap_or(0) == 0
    }

    fn refusal(self, status: StatusCode) -> ProviderError {
        ProviderError::new(
            Provider::Qostiq,
            status,
            // A refusal without a code (never seen) still keeps the `result: false`.
            self.error_code,
            self.message.unwrap_or_default(),
            vec![],
        )
    }
}

fn undecodable(status: StatusCode, error: &DecodeError, body: &Bytes) -> Error {
    let reason = match error {
        DecodeError::Json(json) => format!("not a JSON object: {json}"),
        DecodeError::Field { path, .. } if path == "result" || path.is_empty() => {
            format!("{error} (not the Qostiq envelope)")
        }
        _ => error.to_string(),
    };
    Error::undecodable(status, reason, body.clone())
}

/// Parses the body strictly and reads the envelope.
fn read(status: StatusCode, body: &Bytes) -> Result<Envelope<'_>, Error> {
    decode(body, Limits::RESPONSES).map_err(|e| undecodable(status, &e, body))
}

/// Decodes the `data` of a successful answer into `T`, or returns the refusal.
pub(crate) fn parse_data<T: DeserializeOwned>(
    response: &http::Response<Bytes>,
) -> Result<T, Error> {
    parse_data_with(response, |data| decode_checked(data))
}

/// [`parse_data`] with a decoder of the `data` text of its own (for outputs read in two parts).
pub(crate) fn parse_data_with<T>(
    response: &http::Response<Bytes>,
    decode_data: impl FnOnce(&str) -> Result<T, DecodeError>,
) -> Result<T, Error> {
    let status = response.status();
    let body = response.body();
    let envelope = read(status, body)?;
    success_data(status, body, envelope, decode_data)
}

fn success_data<T>(
    status: StatusCode,
    body: &Bytes,
    envelope: Envelope<'_>,
    decode_data: impl FnOnce(&str) -> Result<T, DecodeError>,
) -> Result<T, Error> {
    if !envelope.is_success() {
        return Err(envelope.refusal(status).into());
    }
    let data = envelope.data.ok_or_else(|| {
        Error::undecodable(status, "data: missing in a successful answer", body.clone())
    })?;
    decode_data(data.get()).map_err(|e| undecodable(status, &e.within("data"), body))
}

/// The `data` of a create's answer that carries the shop `balance` beside the object itself
/// (`/withdraw/create`, `/crypto/withdraw/create`): the balance, and the object read from the same
/// text.
pub(crate) fn with_balance<T: DeserializeOwned>(
    data: &str,
) -> Result<(Option<Amount>, T), DecodeError> {
    #[derive(Deserialize)]
    struct Balance {
        #[serde(default)]
        balance: Option<Amount>,
    }
    Ok((
        decode_checked::<Balance>(data)?.balance,
        decode_checked(data)?,
    ))
}

/// Like [`parse_data`] for status lookups: `error_code` 7 or 2000 is [`Lookup::NotFound`].
///
/// A "not found" that comes with a 5xx status is not trusted (the outcome stays unknown, and a
/// re-create on a false "not found" would pay twice): it is returned as the refusal it is.
pub(crate) fn parse_lookup<T: DeserializeOwned>(
    response: &http::Response<Bytes>,
) -> Result<Lookup<T>, Error> {
    let status = response.status();
    let body = response.body();
    let envelope = read(status, body)?;
    let not_found = !envelope.result
        && !status.is_server_error()
        && envelope
            .error_code
            .is_some_and(|c| QostiqErrorCode::from_code(c).is_not_found());
    if not_found {
        return Ok(Lookup::NotFound);
    }
    success_data(status, body, envelope, |data| decode_checked(data)).map(Lookup::Found)
}
