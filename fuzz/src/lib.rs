//! The fuzz bodies, shared by the libFuzzer targets in `fuzz_targets/`. Each takes arbitrary bytes,
//! must never panic on its own, and asserts the properties that must hold for every input.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // an assertion failure is the finding

use pay_core::json::python::{self, NestedForm};
use pay_core::error::SignatureError;
use pay_core::json::{JsonError, Limits, Member, StrictObject, Value, validate};
use pay_core::secret::Secret;
use pay_signing::coinqvest::{WebhookVerifier, sign_webhook};
use pay_signing::qostiq::{CallbackVerifier, explain_callback, sign_callback};

const SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";

fn secret() -> Secret {
    Secret::new(SECRET).expect("non-empty")
}

/// `CallbackVerifier::verify` on arbitrary bytes; and whatever object `sign_callback` signs passes
/// the signature check in the server form (the key binding may still refuse it, with a binding
/// error, never a signature one).
pub fn callback_verifier(data: &[u8]) {
    let verifier = CallbackVerifier::new(secret());
    if let Ok(verified) = verifier.verify(data) {
        // Accepting implies a strict object whose explanation exists.
        assert!(explain_callback(data).is_ok());
        assert!(verified.object().get("sign").is_some());
    }
    if let Ok(signed) = sign_callback(&secret(), data) {
        match verifier.verify(signed.as_bytes()) {
            Ok(v) => assert_eq!(v.form(), pay_signing::qostiq::CallbackForm::Python),
            Err(
                e @ (SignatureError::Missing
                | SignatureError::Malformed { .. }
                | SignatureError::Mismatch
                | SignatureError::Body(_)),
            ) => panic!("sign_callback output fails the signature: {e}: {signed}"),
            Err(_) => {}
        }
    }
}

/// `StrictObject::parse` with small limits, then the Python rendering of every member; every
/// member's raw text is itself one JSON value.
pub fn strict_json(data: &[u8]) {
    let limits = Limits {
        max_bytes: 4096,
        max_depth: 8,
    };
    let Ok(object) = StrictObject::parse(data, limits) else {
        return;
    };
    let mut out = String::new();
    for member in object.members() {
        out.clear();
        python::write_str_form(&member.value, NestedForm::Python, &mut out);
        python::write_dumps(&member.value, NestedForm::Compact, &mut out);
        let _ = python::str_form(&member.value);
        let wrapped = format!("{{\"k\": {}}}", member.raw);
        let reparsed = StrictObject::parse(wrapped.as_bytes(), Limits::EVENTS)
            .unwrap_or_else(|e| panic!("raw {:?} is not a value: {e}", member.raw));
        assert_eq!(reparsed.members()[0].value, member.value);
    }
}

/// The strict reader against serde_json (a differential test), and the validator against the
/// reader.
///
/// * `validate` gives exactly the verdict of `StrictObject::parse`.
/// * Both accept: the same values under the same keys. Strings, booleans, nulls, arrays (in order)
///   and objects (same key set) compare directly. A number is the same when serde_json's reading
///   of it equals the token's: an integer token that fits `u64`/`i64` is that integer on both
///   sides (compared as `i128`); any other token is serde_json's `f64` bit for bit, and Rust's
///   correctly rounded parse of the token (serde_json rounds correctly here: `float_roundtrip`).
///   Also, each member's raw text parsed alone by serde_json is the value serde_json gave it.
/// * The strict reader accepts but serde_json refuses: only for a number token beyond `f64`
///   (`1e400`: serde_json says "number out of range", the strict reader keeps the token).
/// * serde_json accepts but the strict reader refuses: only for what serde_json does not check: a
///   duplicate key (serde_json keeps the last), nesting past the depth limit, a body past the size
///   limit, or a top level that is not an object. Anything else is a mismatch.
pub fn json_vs_serde(data: &[u8]) {
    let limits = Limits {
        max_bytes: 1 << 16,
        max_depth: 64,
    };
    let strict = StrictObject::parse(data, limits);
    assert_eq!(
        strict
            .as_ref()
            .map(StrictObject::source)
            .map_err(Clone::clone),
        validate(data, limits),
        "validate and parse disagree"
    );
    let reference = serde_json::from_slice::<serde_json::Value>(data);
    match (&strict, &reference) {
        (Ok(object), Ok(serde_json::Value::Object(map))) => same_members(object.members(), map),
        (Ok(_), Ok(other)) => panic!("strict object, serde_json {other:?}"),
        (Ok(object), Err(e)) => assert!(
            object
                .members()
                .iter()
                .any(|m| has_number_beyond_f64(&m.value)),
            "strict accepted, serde_json refused: {e}"
        ),
        (Err(JsonError::NotAnObject), Ok(value)) => assert!(!value.is_object()),
        (
            Err(
                JsonError::DuplicateKey { .. }
                | JsonError::TooDeep { .. }
                | JsonError::TooLarge { .. },
            ),
            Ok(_),
        ) => {}
        (Err(e), Ok(value)) => panic!("strict refused ({e}) what serde_json read as {value:?}"),
        (Err(_), Err(_)) => {}
    }
}

fn same_members(members: &[Member<'_>], map: &serde_json::Map<String, serde_json::Value>) {
    assert_eq!(members.len(), map.len(), "member count");
    for member in members {
        let Some(expected) = map.get(member.key.as_ref()) else {
            panic!("key {:?} missing from serde_json's object", member.key);
        };
        same_value(&member.value, expected);
        let alone: serde_json::Value = serde_json::from_str(member.raw)
            .unwrap_or_else(|e| panic!("raw {:?} refused by serde_json: {e}", member.raw));
        assert_eq!(&alone, expected, "raw {:?}", member.raw);
    }
}

fn same_value(strict: &Value<'_>, reference: &serde_json::Value) {
    use serde_json::Value as J;
    match (strict, reference) {
        (Value::Null, J::Null) => {}
        (Value::Bool(a), J::Bool(b)) => assert_eq!(a, b),
        (Value::String(a), J::String(b)) => assert_eq!(a.as_ref(), b.as_str()),
        (Value::Number(token), J::Number(n)) => same_number(token, n),
        (Value::Array(items), J::Array(expected)) => {
            assert_eq!(items.len(), expected.len(), "array length");
            for (item, expected) in items.iter().zip(expected) {
                same_value(item, expected);
            }
        }
        (Value::Object(members), J::Object(map)) => same_members(members, map),
        (strict, reference) => panic!("{strict:?} is not {reference:?}"),
    }
}

fn same_number(token: &str, n: &serde_json::Number) {
    let integer = if let Some(u) = n.as_u64() {
        Some(i128::from(u))
    } else {
        n.as_i64().map(i128::from)
    };
    match integer {
        Some(expected) => assert_eq!(token.parse::<i128>().ok(), Some(expected), "{token} vs {n}"),
        None => {
            let expected = n.as_f64().unwrap_or(f64::NAN);
            let parsed: f64 = token.parse().unwrap_or(f64::NAN);
            assert_eq!(parsed.to_bits(), expected.to_bits(), "{token} vs {n}");
        }
    }
}

/// Whether a number token somewhere in `value` is beyond the `f64` range (`1e400`, 400 digits).
fn has_number_beyond_f64(value: &Value<'_>) -> bool {
    match value {
        Value::Number(token) => token.parse::<f64>().is_ok_and(f64::is_infinite),
        Value::Array(items) => items.iter().any(has_number_beyond_f64),
        Value::Object(members) => members.iter().any(|m| has_number_beyond_f64(&m.value)),
        _ => false,
    }
}

/// `WebhookVerifier::verify` with the first bytes as the header; and a body signed with the right
/// secret verifies exactly when it is a strict JSON object.
pub fn coinqvest_webhook(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(n % 80).min(rest.len());
    let (header, body) = rest.split_at(split);
    let header = String::from_utf8_lossy(header);
    let verifier = WebhookVerifier::new(secret());
    let _ = verifier.verify(Some(&header), body);
    let _ = verifier.verify(None, body);
    let auth = sign_webhook(&secret(), body);
    let strict = StrictObject::parse(body, Limits::EVENTS).is_ok();
    assert_eq!(verifier.verify(Some(&auth), body).is_ok(), strict);
}

/// The whole `pay-webhook` service input: flags, header lines and body.
///
/// Layout: byte 0 holds flags (bit 0: COINQVEST instead of Qostiq; bit 1: sign the body with the
/// right secret so deeper paths are reached; bit 2: not `POST`; bit 3: no content type; bit 4: an
/// allow-list with the peer outside it), then `name: value` header lines up to an empty line, then
/// the body. Properties: the handler runs only for `Applied`, and replaying the same request is
/// never applied twice.
pub fn webhook_receiver(data: &[u8]) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bytes::Bytes;
    use http_body_util::Full;
    use pay_webhook::{Event, Outcome, PeerAddr, ReceiverBuilder, SourcePolicy};

    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let coinqvest = flags & 1 != 0;
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (&b""[..], rest),
    };
    let mut body = body.to_vec();
    let mut extra = Vec::new();
    if flags & 2 != 0 {
        if coinqvest {
            extra.push(("x-webhook-auth".to_owned(), sign_webhook(&secret(), &body)));
        } else if let Ok(signed) = pay_signing::qostiq::sign_callback(&secret(), &body) {
            body = signed.into_bytes();
        }
    }
    let build = || {
        let method = if flags & 4 != 0 { "PUT" } else { "POST" };
        let mut builder = http::Request::builder().method(method).uri("/events");
        if flags & 8 == 0 {
            builder = builder.header("content-type", "application/json");
        }
        for line in head.split(|b| *b == b'\n') {
            let text = String::from_utf8_lossy(line);
            if let Some((name, value)) = text.split_once(':') {
                if let (Ok(n), Ok(v)) = (
                    http::HeaderName::from_bytes(name.trim().as_bytes()),
                    http::HeaderValue::from_str(value.trim()),
                ) {
                    builder = builder.header(n, v);
                }
            }
        }
        for (name, value) in &extra {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut request = builder.body(Full::new(Bytes::from(body.clone()))).ok()?;
        request.extensions_mut().insert(PeerAddr(([203, 0, 113, 9], 443).into()));
        Some(request)
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let handler = move |_: Event| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<(), std::convert::Infallible>(())
        }
    };
    let sources = if flags & 16 != 0 {
        SourcePolicy::allow(["34.90.243.164"]).unwrap_or_default()
    } else {
        SourcePolicy::any()
    };
    let outcomes: Vec<Outcome> = if coinqvest {
        let receiver = ReceiverBuilder::coinqvest(vec![secret()]).unwrap().sources(sources).build(handler);
        (0..2).filter_map(|_| build().map(|r| block_on(receiver.receive(r)))).collect()
    } else {
        let receiver = ReceiverBuilder::qostiq(vec![secret()]).unwrap().sources(sources).build(handler);
        (0..2).filter_map(|_| build().map(|r| block_on(receiver.receive(r)))).collect()
    };
    let applied = outcomes.iter().filter(|o| **o == Outcome::Applied).count();
    assert!(applied <= 1, "replayed request applied twice: {outcomes:?}");
    assert_eq!(calls.load(Ordering::SeqCst), applied, "handler calls vs outcomes {outcomes:?}");
}

/// Drives a future whose parts never wait (in-memory body, store and handler) to completion.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}
