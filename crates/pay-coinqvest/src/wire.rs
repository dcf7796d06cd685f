//! Internal wire helpers: request construction, query encoding, one-or-wrapped objects.

use bytes::Bytes;
use http::{Method, header};
use pay_core::Error;
use pay_core::endpoint::EndpointInfo;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// Builds a GET request for `path` with `query` pairs URL-encoded in order. GET sends no body (the
/// digest then signs the empty string).
pub(crate) fn get(path: &str, query: &[(&str, &str)]) -> Result<http::Request<Bytes>, Error> {
    let mut target = String::from(path);
    let mut first = true;
    for (key, value) in query {
        target.push(if first { '?' } else { '&' });
        first = false;
        encode_component(key, &mut target);
        target.push('=');
        encode_component(value, &mut target);
    }
    http::Request::builder()
        .method(Method::GET)
        .uri(target)
        .body(Bytes::new())
        .map_err(|e| Error::invalid_input("uri", e.to_string()))
}

/// Builds a list request: `limit`, then `offset`, the order the official SDK sends them.
pub(crate) fn get_page(
    path: &str,
    page: crate::pagination::Page,
) -> Result<http::Request<Bytes>, Error> {
    let limit = page.limit.to_string();
    let offset = page.offset.to_string();
    get(path, &[("limit", &limit), ("offset", &offset)])
}

/// Builds the request of endpoint `info` (its method and path) with a JSON body serialized once:
/// exactly these bytes are sent and signed.
pub(crate) fn with_json<T: Serialize + ?Sized>(
    info: &EndpointInfo,
    body: &T,
) -> Result<http::Request<Bytes>, Error> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| Error::invalid_input("body", format!("cannot serialize: {e}")))?;
    http::Request::builder()
        .method(info.method.clone())
        .uri(info.path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(bytes))
        .map_err(|e| Error::invalid_input("uri", e.to_string()))
}

/// Serializes an amount as an exact JSON number (`10`, `0.5`, `3.99`), as the official SDK sends
/// charge amounts.
pub(crate) fn as_number<S: serde::Serializer>(
    amount: &pay_core::money::Amount,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    amount.as_json_number().serialize(serializer)
}

/// Encodes a query component exactly as the official Node SDK's HTTP client (axios) does:
/// `encodeURIComponent` (which keeps `A-Z a-z 0-9 - _ . ! ~ * ' ( )`), then `: $ , [ ]` restored
/// and space written `+`. So `XLM:NATIVE` is sent as is, as in the seed's own examples.
pub(crate) fn encode_component(text: &str, out: &mut String) {
    use std::fmt::Write as _;
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')'
            | b':'
            | b'$'
            | b','
            | b'['
            | b']' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            // Writing to a String cannot fail.
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

/// Refuses an empty or blank identifier before sending.
pub(crate) fn require(field: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// Reads a value the API sends either as an object or wrapped in a one-element array (the seed's
/// `GET /fiat-currency` and `GET /blockchain`).
pub(crate) fn one_or_wrapped<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object or an array holding exactly one object")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
            let Some(first) = seq.next_element::<T>()? else {
                return Err(de::Error::invalid_length(0, &self));
            };
            if seq.next_element::<de::IgnoredAny>()?.is_some() {
                return Err(de::Error::custom("expected exactly one element"));
            }
            Ok(first)
        }
    }
    deserializer.deserialize_any(V(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding() {
        let mut out = String::new();
        encode_component("XLM:NATIVE a/b&c=é~+#?%", &mut out);
        assert_eq!(out, "XLM:NATIVE+a%2Fb%26c%3D%C3%A9~%2B%23%3F%25");
        let odd = get("/asset", &[("id", "a[b]'c$,d(e)*! f~:g")]).unwrap();
        assert_eq!(odd.uri(), "/asset?id=a[b]'c$,d(e)*!+f~:g");
        let all: String = (1u8..=127).map(char::from).collect();
        assert!(get("/asset", &[("id", &all), ("é ü", "😀")]).is_ok());
        let req = get("/checkouts", &[("limit", "250"), ("offset", "0")]).unwrap();
        assert_eq!(req.uri(), "/checkouts?limit=250&offset=0");
        assert!(req.body().is_empty());
    }
}
