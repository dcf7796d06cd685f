//! How COINQVEST answers become typed results or typed errors.
//!
//! * HTTP 200 is success: the body must decode into the endpoint's output, otherwise the result is
//!   [`Error::Undecodable`] keeping the raw bytes (the request may have taken effect).
//! * Any other status is a refusal: [`Error::Provider`] with `provider: Coinqvest`, the status, no
//!   numeric code, and the body's `errors` list as `details` (joined with `"; "` as `message`). When
//!   the body has no `errors` list (an HTML page from a proxy, an empty body), the raw body is the
//!   message. 401 and 403 answer `true` to [`ProviderError::is_authentication`].
//!
//! ```
//! use bytes::Bytes;
//! use http::StatusCode;
//! use pay_coinqvest::error::error_from_response;
//! use pay_core::Error;
//!
//! let err = error_from_response(StatusCode::UNAUTHORIZED, br#"{"errors":["Invalid signature."]}"#);
//! let Error::Provider(refusal) = err else { panic!("not a refusal") };
//! assert!(refusal.is_authentication());
//! assert_eq!(refusal.details, ["Invalid signature."]);
//! ```

use bytes::Bytes;
use http::StatusCode;
use pay_core::endpoint::Lookup;
use pay_core::error::{Error, Provider, ProviderError};
use pay_core::json::{Limits, StrictObject, Value};
use serde::de::DeserializeOwned;

/// The longest raw body kept as a message when an error answer has no `errors` list, in bytes.
/// Longer bodies are cut at a character boundary and marked as truncated.
pub const RAW_MESSAGE_LIMIT: usize = 4096;

/// Builds the error for a non-200 answer (see the [module documentation](self)).
pub fn error_from_response(status: StatusCode, body: &[u8]) -> Error {
    Error::Provider(provider_error(status, body))
}

/// The [`ProviderError`] for a non-200 answer.
pub fn provider_error(status: StatusCode, body: &[u8]) -> ProviderError {
    if let Some(details) = errors_list(body) {
        let message = if details.is_empty() {
            format!("HTTP {status} with an empty errors list")
        } else {
            details.join("; ")
        };
        return ProviderError::new(Provider::Coinqvest, status, None, message, details);
    }
    ProviderError::new(
        Provider::Coinqvest,
        status,
        None,
        raw_message(body),
        Vec::new(),
    )
}

/// The `errors` member of a JSON object body, when there is one: a list of strings (other items are
/// kept as their JSON text), or a single string.
fn errors_list(body: &[u8]) -> Option<Vec<String>> {
    let object = StrictObject::parse(body, Limits::RESPONSES).ok()?;
    let member = object.get("errors")?;
    match &member.value {
        Value::Array(items) => Some(
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.to_string(),
                    _ => json_text(item),
                })
                .collect(),
        ),
        Value::String(s) => Some(vec![s.to_string()]),
        _ => None,
    }
}

fn json_text(value: &Value<'_>) -> String {
    let mut out = String::new();
    pay_core::json::python::write_dumps(
        value,
        pay_core::json::python::NestedForm::Compact,
        &mut out,
    );
    out
}

fn raw_message(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    if text.len() <= RAW_MESSAGE_LIMIT {
        return text.into_owned();
    }
    let mut cut = RAW_MESSAGE_LIMIT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}… (truncated, {} bytes in all)",
        text.get(..cut).unwrap_or_default(),
        body.len()
    )
}

/// Reads a response: non-200 becomes [`Error::Provider`]; a 200 body must be one strict JSON object
/// (no duplicate keys, no trailing bytes, within [`Limits::RESPONSES`]) decoding into `T`
/// ([`pay_core::json::decode()`]), otherwise [`Error::Undecodable`] with the raw bytes and the path
/// of the field at fault.
pub(crate) fn decode<T: DeserializeOwned>(response: &http::Response<Bytes>) -> Result<T, Error> {
    let status = response.status();
    let body = response.body();
    if status != StatusCode::OK {
        return Err(error_from_response(status, body));
    }
    pay_core::json::decode(body, Limits::RESPONSES)
        .map_err(|e| Error::undecodable(status, e.to_string(), body.clone()))
}

/// Reads the answer of a read by id: HTTP 404 in COINQVEST's own error format (`{"errors":
/// [...]}`) is [`Lookup::NotFound`]; anything else as [`decode`] reads it. A 404 without that body
/// (a proxy's page, a wrong base URL to another server) stays an error: "not found" is believed
/// only from the API itself.
pub(crate) fn decode_lookup<T: DeserializeOwned>(
    response: &http::Response<Bytes>,
) -> Result<Lookup<T>, Error> {
    if response.status() == StatusCode::NOT_FOUND && errors_list(response.body()).is_some() {
        return Ok(Lookup::NotFound);
    }
    decode(response).map(Lookup::Found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(status: u16, body: &[u8]) -> ProviderError {
        provider_error(StatusCode::from_u16(status).unwrap(), body)
    }

    #[test]
    fn errors_list_becomes_details() {
        let e = refusal(400, br#"{"errors":["Service unavailable.","Try later."]}"#);
        assert_eq!(e.details, ["Service unavailable.", "Try later."]);
        assert_eq!(e.message, "Service unavailable.; Try later.");
        assert_eq!(e.code, None);
        assert_eq!(e.provider, Provider::Coinqvest);
        assert!(!e.is_authentication());
    }

    #[test]
    fn odd_errors_shapes() {
        assert_eq!(refusal(400, br#"{"errors":"nope"}"#).details, ["nope"]);
        assert_eq!(
            refusal(400, br#"{"errors":[1,{"a":true}]}"#).details,
            ["1", r#"{"a":true}"#]
        );
        let empty = refusal(500, br#"{"errors":[]}"#);
        assert!(empty.details.is_empty());
        assert!(empty.message.contains("empty errors list"));
    }

    #[test]
    fn raw_body_without_errors() {
        let e = refusal(502, b"<html>Bad Gateway</html>");
        assert_eq!(e.message, "<html>Bad Gateway</html>");
        assert!(e.details.is_empty());
        assert_eq!(refusal(503, b"").message, "(empty body)");
        assert_eq!(
            refusal(400, br#"{"error":"x"}"#).message,
            r#"{"error":"x"}"#
        );
        let long = "é".repeat(RAW_MESSAGE_LIMIT);
        let e = refusal(500, long.as_bytes());
        assert!(e.message.contains("truncated"));
        assert!(e.message.len() < RAW_MESSAGE_LIMIT + 64);
    }

    #[test]
    fn authentication_statuses() {
        assert!(refusal(401, b"").is_authentication());
        assert!(refusal(403, br#"{"errors":["IP not whitelisted."]}"#).is_authentication());
        assert!(!refusal(404, b"").is_authentication());
    }

    /// Attack: only the API's own 404 is "not found"; a 404 page from anything else (a proxy, a
    /// wrong base URL) stays an error, so no recovery can act on a false "not found".
    #[test]
    fn only_the_api_s_own_404_is_not_found() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Out {
            id: String,
        }
        let answer = |status: u16, body: &'static str| {
            let mut response = http::Response::new(Bytes::from_static(body.as_bytes()));
            *response.status_mut() = StatusCode::from_u16(status).unwrap();
            decode_lookup::<Out>(&response)
        };
        assert!(matches!(
            answer(404, r#"{"errors":["Withdrawal not found."]}"#),
            Ok(Lookup::NotFound)
        ));
        for (status, body) in [
            (404, "<html>404 Not Found</html>"),
            (404, ""),
            (404, r#"{"error":"not found"}"#),
            (500, r#"{"errors":["Withdrawal not found."]}"#),
            (400, r#"{"errors":["Invalid id."]}"#),
        ] {
            assert!(
                matches!(answer(status, body), Err(Error::Provider(_))),
                "{status} {body}"
            );
        }
        assert!(matches!(
            answer(200, r#"{"id":"a"}"#),
            Ok(Lookup::Found(Out { .. }))
        ));
    }

    #[test]
    fn undecodable_keeps_the_bytes() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Out {
            id: String,
        }
        for body in [
            &b"{\"id\":1}"[..],
            b"{\"id\":\"a\"} x",
            b"{\"id\":\"a\",\"id\":\"b\"}",
            b"not json",
        ] {
            let response = http::Response::new(Bytes::copy_from_slice(body));
            match decode::<Out>(&response) {
                Err(Error::Undecodable {
                    status, body: kept, ..
                }) => {
                    assert_eq!(status, StatusCode::OK);
                    assert_eq!(&kept[..], body);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
