//! The fuzz bodies, shared by the libFuzzer targets in `fuzz_targets/`. Each takes arbitrary bytes,
//! must never panic on its own, and asserts the properties that must hold for every input.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // an assertion failure is the finding

use pay_core::json::python::{self, NestedForm};
use pay_core::json::{Limits, StrictObject};
use pay_core::secret::Secret;
use pay_signing::coinqvest::{WebhookVerifier, sign_webhook};
use pay_signing::qostiq::{CallbackVerifier, explain_callback, sign_callback};

const SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";

fn secret() -> Secret {
    Secret::new(SECRET).expect("non-empty")
}

/// `CallbackVerifier::verify` on arbitrary bytes; and any object it can sign verifies.
pub fn callback_verifier(data: &[u8]) {
    let verifier = CallbackVerifier::new(secret());
    if let Ok(verified) = verifier.verify(data) {
        // Accepting implies a strict object whose explanation exists.
        assert!(explain_callback(data).is_ok());
        assert!(verified.object.get("sign").is_some());
    }
    // Round trip: whatever object sign_callback accepts, the verifier accepts in the server form.
    if let Ok(signed) = sign_callback(&secret(), data) {
        match verifier.verify(signed.as_bytes()) {
            Ok(v) => assert_eq!(v.form, pay_signing::qostiq::CallbackForm::Python),
            Err(e) => panic!("sign_callback output rejected: {e}: {signed}"),
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
