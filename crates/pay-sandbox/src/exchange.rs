//! A request as the server received it and a reply as it answers it: what handlers, fault
//! injection and the scripted server exchange.

use std::fmt;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

/// A request as the server received it, body collected. `Debug` shows header names and the body
/// length only: the values are credentials and signatures.
#[derive(Clone)]
pub struct ReceivedRequest {
    /// The method.
    pub method: Method,
    /// The path and query (`/withdrawal?id=ab`).
    pub target: String,
    /// The headers (credentials included: test data only).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl ReceivedRequest {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(path, _)| path)
    }

    /// The query (empty when there is none).
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }
}

impl fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("header_names", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Percent-decoded `key=value` pairs of a query string (`+` is a space).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |t: &str| {
                percent_encoding::percent_decode_str(&t.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// An answer: status, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    fn with_type(status: StatusCode, content_type: &'static str, body: Bytes) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        Self {
            status,
            headers,
            body,
        }
    }

    /// `status` with a JSON `body` (`Content-Type: application/json`).
    pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self::with_type(status, "application/json", body.into())
    }

    /// `status` with a plain-text `body`.
    pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self::with_type(status, "text/plain; charset=utf-8", body.into())
    }

    /// `status` with an HTML `body` (what a proxy in front of a provider answers).
    pub fn html(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self::with_type(status, "text/html", body.into())
    }

    /// Adds a header (replacing one of the same name).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_path_and_query_and_debug_hides_header_values() {
        let mut headers = HeaderMap::new();
        headers.insert("x-digest-signature", HeaderValue::from_static("c0ffee"));
        let request = ReceivedRequest {
            method: Method::GET,
            target: "/withdrawal?id=ab&x=a%20b+c".into(),
            headers,
            body: Bytes::from_static(b"secret body"),
        };
        assert_eq!(request.path(), "/withdrawal");
        assert_eq!(
            query_pairs(request.query()),
            [
                ("id".to_owned(), "ab".to_owned()),
                ("x".to_owned(), "a b c".to_owned())
            ]
        );
        let debug = format!("{request:?}");
        assert!(debug.contains("x-digest-signature"), "{debug}");
        assert!(!debug.contains("c0ffee") && !debug.contains("secret body"));
    }
}
