//! COINQVEST's wire protocol as the sandbox serves it: authentication, the error body, and typed
//! access to a request's query and JSON body.
//!
//! Protected endpoints need either digest auth (`X-Digest-Key`, `X-Digest-Timestamp`,
//! `X-Digest-Signature = hex(HMAC_SHA256(secret, PATH + TIMESTAMP + METHOD + BODY))` with `PATH`
//! relative to `/api/v1`, no query, `BODY` the exact bytes) or basic auth (`X-Basic =
//! hex(sha256(key ":" secret))`). Missing or wrong credentials answer 401; a timestamp more than
//! 30 s old (or more than 5 s in the future) answers 403. Bad parameters answer 400 and unknown ids
//! 404, all as `{"errors": ["…"]}`. Success is HTTP 200 with the seed's shapes (PHP-style `\/`
//! escapes).

use http::{HeaderMap, Method, StatusCode};
use pay_core::clock::Clock;
use pay_core::money::Amount;
use pay_signing::coinqvest::{BasicAuth, DigestSigner};
use rust_decimal::Decimal;
use subtle::ConstantTimeEq;

use crate::config::{Credentials, SandboxClock};
use crate::context::Context;
use crate::exchange::Reply;
use crate::json::{Json, integer, object, string};

/// A COINQVEST error answer: HTTP status and `errors`.
#[derive(Debug, Clone)]
pub(crate) struct CoinqvestError {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// `errors`.
    pub(crate) errors: Vec<String>,
}

impl CoinqvestError {
    /// `status` with one message.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![message.into()],
        }
    }

    /// 400 with one message.
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 with one message.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// The error as an HTTP reply: `{"errors": [...]}`.
    pub(crate) fn reply(&self) -> Reply {
        let body = Json::Object(vec![(
            "errors".to_owned(),
            Json::Array(self.errors.iter().map(string).collect()),
        )]);
        Reply::json(self.status, body.to_php_text())
    }
}

/// What a handler answers: the success body, or an error.
pub(crate) type CoinqvestAnswer = Result<Json, CoinqvestError>;

/// An endpoint's handler: a plain function over the books and the parsed request.
pub(crate) type CoinqvestHandler = fn(&mut Context<'_>, &CoinqvestRequest) -> CoinqvestAnswer;

/// The answer as an HTTP reply: HTTP 200 with the body, or the error.
pub(crate) fn reply(answer: CoinqvestAnswer) -> Reply {
    match answer {
        Ok(body) => Reply::json(StatusCode::OK, body.to_php_text()),
        Err(e) => e.reply(),
    }
}

/// A parsed request.
pub(crate) struct CoinqvestRequest {
    /// The decoded query pairs.
    pub(crate) query_pairs: Vec<(String, String)>,
    /// The JSON body (an empty object when there is none).
    pub(crate) body: Json,
}

impl CoinqvestRequest {
    /// A non-empty query parameter.
    pub(crate) fn query(&self, key: &str) -> Option<&str> {
        self.query_pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A required query parameter.
    pub(crate) fn required_query(&self, key: &str) -> Result<&str, CoinqvestError> {
        self.query(key)
            .ok_or_else(|| CoinqvestError::bad(format!("Parameter {key} is required.")))
    }

    /// `limit` (default 250) and `offset` (default 0), with the values to echo: the query text
    /// when given (the service echoes them as strings), numbers otherwise.
    pub(crate) fn paging(&self) -> Result<Paging, CoinqvestError> {
        let read = |key: &str, default: usize| -> Result<(usize, Json), CoinqvestError> {
            match self.query(key) {
                None => Ok((default, integer(default as u64))),
                Some(text) => text
                    .parse::<usize>()
                    .map(|n| (n, string(text)))
                    .map_err(|_| {
                        CoinqvestError::bad(format!("Parameter {key} must be an integer."))
                    }),
            }
        };
        let (limit, limit_echo) = read("limit", 250)?;
        let (offset, offset_echo) = read("offset", 0)?;
        if limit == 0 || limit > 250 {
            return Err(CoinqvestError::bad(
                "Parameter limit must be between 1 and 250.",
            ));
        }
        Ok(Paging {
            limit,
            offset,
            limit_echo,
            offset_echo,
        })
    }
}

/// A list endpoint's page.
pub(crate) struct Paging {
    /// Items per page.
    limit: usize,
    /// Items skipped.
    offset: usize,
    /// `limit` as the answer echoes it.
    limit_echo: Json,
    /// `offset` as the answer echoes it.
    offset_echo: Json,
}

impl Paging {
    /// The list answer over `all` (kept oldest first): `count`, the echoed `limit` and `offset`,
    /// and under `key` this page of it, newest first, each item written by `to_json`.
    pub(crate) fn answer<T>(self, key: &str, all: &[T], to_json: impl FnMut(&T) -> Json) -> Json {
        let page = all
            .iter()
            .rev()
            .skip(self.offset)
            .take(self.limit)
            .map(to_json)
            .collect();
        object([
            ("count", integer(all.len() as u64)),
            ("limit", self.limit_echo),
            ("offset", self.offset_echo),
            (key, Json::Array(page)),
        ])
    }
}

/// The record `id` of a COINQVEST book (its index and the record, `id_of` reading a record's id),
/// or the provider's not-found answer naming `what` (`"Customer not found."`).
pub(crate) fn find_by_id<'b, T>(
    book: &'b [T],
    id_of: impl Fn(&T) -> &str,
    id: &str,
    what: &str,
) -> Result<(usize, &'b T), CoinqvestError> {
    book.iter()
        .enumerate()
        .find(|(_, record)| id_of(record) == id)
        .ok_or_else(|| CoinqvestError::not_found(format!("{what} not found.")))
}

/// A string member of an object.
pub(crate) fn string_member<'j>(json: &'j Json, key: &str) -> Option<&'j str> {
    json.get(key).and_then(Json::as_str)
}

/// A numeric member (JSON number or decimal string), read exactly.
pub(crate) fn decimal_member(json: &Json, key: &str) -> Result<Option<Decimal>, CoinqvestError> {
    let invalid = || CoinqvestError::bad(format!("{key} is not a valid number."));
    match json.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(token)) => Amount::from_json_number(token)
            .map(|a| Some(a.decimal()))
            .map_err(|_| invalid()),
        Some(Json::String(text)) => text
            .parse::<Amount>()
            .map(|a| Some(a.decimal()))
            .map_err(|_| invalid()),
        Some(_) => Err(invalid()),
    }
}

/// What authentication checks a request against.
pub(crate) struct AuthCheck<'a> {
    /// The accepted key and secret.
    pub(crate) credentials: &'a Credentials,
    /// Sandbox time (read only for a digest).
    pub(crate) clock: &'a SandboxClock,
    /// Digest timestamps older than this are refused (seconds).
    pub(crate) window_secs: i64,
    /// Digest timestamps further in the future than this are refused (seconds).
    pub(crate) future_skew_secs: i64,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn equal_in_constant_time(expected: &str, received: &str) -> bool {
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

/// Digest or basic authentication, as the service checks it.
pub(crate) fn authenticate(
    check: &AuthCheck<'_>,
    method: &Method,
    endpoint: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), CoinqvestError> {
    let credentials = check.credentials;
    let unauthorized = |m: &str| CoinqvestError::new(StatusCode::UNAUTHORIZED, m);
    if let Some(basic) = header(headers, "x-basic") {
        let expected = BasicAuth::new_replayable(
            &credentials.coinqvest_key,
            credentials.coinqvest_secret.clone(),
        )
        .header_value();
        return if equal_in_constant_time(&expected, &basic.to_ascii_lowercase()) {
            Ok(())
        } else {
            Err(unauthorized("Basic-Auth failed: invalid X-Basic hash."))
        };
    }
    let (Some(key), Some(timestamp), Some(signature)) = (
        header(headers, "x-digest-key"),
        header(headers, "x-digest-timestamp"),
        header(headers, "x-digest-signature"),
    ) else {
        return Err(unauthorized(
            "Authentication required: send X-Digest-Key, X-Digest-Timestamp and X-Digest-Signature (or X-Basic).",
        ));
    };
    if key != credentials.coinqvest_key {
        return Err(unauthorized("Invalid API key."));
    }
    let ts: i64 = timestamp
        .parse()
        .map_err(|_| unauthorized("Invalid X-Digest-Timestamp."))?;
    let now = check.clock.now().unix_timestamp();
    if now - ts > check.window_secs {
        return Err(CoinqvestError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Digest-Auth timestamp expired: {ts} is more than {} seconds old (server time {now}, see GET /time).",
                check.window_secs
            ),
        ));
    }
    if ts - now > check.future_skew_secs {
        return Err(CoinqvestError::new(
            StatusCode::FORBIDDEN,
            format!(
                "Digest-Auth timestamp {ts} is in the future (server time {now}, see GET /time)."
            ),
        ));
    }
    let expected = DigestSigner::new(key, credentials.coinqvest_secret.clone())
        .sign(endpoint, ts, method, body)
        .signature;
    if !equal_in_constant_time(&expected, &signature.to_ascii_lowercase()) {
        return Err(unauthorized(
            "Digest-Auth failed: invalid X-Digest-Signature.",
        ));
    }
    Ok(())
}
