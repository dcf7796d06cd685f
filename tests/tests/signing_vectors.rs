//! Every case of `testdata/vectors/*.json` through pay-signing: one test per file, each failure
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code: a failed load is a failed test
//! named. Invalid cases must fail with the error their `why` describes, not by accident.

use http::Method;
use pay_core::error::{Error, SignatureError};
use pay_core::json::{JsonError, Limits, StrictObject};
use pay_core::secret::Secret;
use pay_signing::{coinqvest, qostiq};
use sha2::{Digest, Sha256};
use support::vectors::{CallbackCase, DigestCase, RequestCase, WebhookCase, report};

mod support {
    pub mod vectors;
}

#[test]
fn qostiq_requests() {
    let cases: Vec<RequestCase> = pay_testdata::vectors("qostiq_requests.json");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = format!("#{i} {} {}", case.endpoint, case.body);
        let independent = hex::encode(Sha256::digest(case.string_to_sign.as_bytes()));
        if independent != case.sign {
            failures.push(format!(
                "{name}: vector's own sign disagrees with sha256(string_to_sign)"
            ));
        }
        let secret = Secret::new(case.secret.as_str()).unwrap();
        let object = match StrictObject::parse(case.body.as_bytes(), Limits::default()) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{name}: body refused: {e}"));
                continue;
            }
        };
        match qostiq::sign_body(&case.endpoint, &object, &secret) {
            Ok(signed) => {
                let masked = format!(
                    "{}***",
                    case.string_to_sign
                        .strip_suffix(case.secret.as_str())
                        .unwrap_or("<no secret suffix>")
                );
                if signed.string_to_sign != masked {
                    failures.push(format!(
                        "{name}: string_to_sign {:?} != {masked:?}",
                        signed.string_to_sign
                    ));
                }
                if signed.sign != case.sign {
                    failures.push(format!("{name}: sign {} != {}", signed.sign, case.sign));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    report("qostiq_requests.json", &failures, cases.len());
}

#[test]
fn qostiq_callbacks() {
    let cases: Vec<CallbackCase> = pay_testdata::vectors("qostiq_callbacks.json");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = format!("#{i} ({})", case.why.as_deref().unwrap_or("valid"));
        let secret = match Secret::new(case.secret.as_str()) {
            Ok(s) => s,
            Err(e) => {
                let intended = case.why.as_deref() == Some("empty secret must be refused")
                    && matches!(e, Error::InvalidInput { ref field, .. } if field == "secret");
                if !intended {
                    failures.push(format!("{name}: secret refused unexpectedly: {e}"));
                }
                continue;
            }
        };
        // The withdraw vector echoes `test_add_on`, a parameter the shop passed (seed 001).
        let verifier = qostiq::CallbackVerifier::new(secret)
            .custom_fields(["test_add_on"])
            .unwrap();
        let result = verifier.verify(case.body.as_bytes());
        if case.valid {
            if let Err(e) = result {
                failures.push(format!("{name}: rejected: {e}"));
                continue;
            }
            let explained = qostiq::explain_callback(case.body.as_bytes()).unwrap();
            if let (Some(sts), Some(sign)) = (&case.string_to_sign, &case.sign) {
                let masked = format!(
                    "{}***",
                    sts.strip_suffix(case.secret.as_str()).unwrap_or("")
                );
                if explained != masked {
                    failures.push(format!("{name}: explained {explained:?} != {masked:?}"));
                }
                if hex::encode(Sha256::digest(sts.as_bytes())) != *sign {
                    failures.push(format!(
                        "{name}: vector sign disagrees with its string_to_sign"
                    ));
                }
            }
            continue;
        }
        let intended = match case.why.as_deref() {
            Some("tampered status" | "wrong secret") => {
                |e: &SignatureError| *e == SignatureError::Mismatch
            }
            Some("missing sign") => |e: &SignatureError| *e == SignatureError::Missing,
            Some("truncated sign") => {
                |e: &SignatureError| matches!(e, SignatureError::Malformed { .. })
            }
            Some("duplicate key") => |e: &SignatureError| {
                matches!(e, SignatureError::Body(JsonError::DuplicateKey { .. }))
            },
            Some("trailing bytes") => |e: &SignatureError| {
                matches!(e, SignatureError::Body(JsonError::TrailingBytes { .. }))
            },
            other => {
                failures.push(format!("{name}: no expected error known for why={other:?}"));
                continue;
            }
        };
        match result {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(e) if !intended(&e) => {
                failures.push(format!("{name}: rejected for the wrong reason: {e:?}"))
            }
            Err(_) => {}
        }
    }
    report("qostiq_callbacks.json", &failures, cases.len());
}

#[test]
fn coinqvest_digest() {
    let cases: Vec<DigestCase> = pay_testdata::vectors("coinqvest_digest.json");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = format!("#{i} {} {}", case.method, case.request_target);
        let signer = coinqvest::DigestSigner::new(
            case.key.as_str(),
            Secret::new(case.secret.as_str()).unwrap(),
        );
        let method: Method = case.method.parse().unwrap();
        let path = case.request_target.split('?').next().unwrap_or("");
        if path.strip_prefix("/api/v1") != Some(case.signed_path.as_str()) {
            failures.push(format!(
                "{name}: signed path is not the target path relative to /api/v1"
            ));
        }
        let headers = signer.sign(
            &case.signed_path,
            case.timestamp,
            &method,
            case.body.as_bytes(),
        );
        if headers.key != case.x_digest_key
            || headers.timestamp != case.x_digest_timestamp
            || headers.signature != case.x_digest_signature
        {
            failures.push(format!("{name}: got {headers:?}"));
        }
    }
    report("coinqvest_digest.json", &failures, cases.len());
}

#[test]
fn coinqvest_webhook() {
    let cases: Vec<WebhookCase> = pay_testdata::vectors("coinqvest_webhook.json");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = format!("#{i} ({})", case.why.as_deref().unwrap_or("valid"));
        let verifier = coinqvest::WebhookVerifier::new(Secret::new(case.secret.as_str()).unwrap());
        let result = verifier.verify(Some(&case.x_webhook_auth), case.body.as_bytes());
        let expected = match (case.valid, case.why.as_deref()) {
            (true, _) => None,
            (false, Some("body changed" | "wrong secret")) => Some(SignatureError::Mismatch),
            (false, Some("empty header")) => Some(SignatureError::Missing),
            (false, Some("short signature")) => Some(SignatureError::Malformed {
                reason: "expected 64 hexadecimal digits",
            }),
            (false, other) => {
                failures.push(format!("{name}: no expected error known for why={other:?}"));
                continue;
            }
        };
        match (result, expected) {
            (Ok(_), None) => {}
            (Err(e), Some(want)) if e == want => {}
            (got, want) => failures.push(format!(
                "{name}: got {:?}, want {want:?}",
                got.map(|_| "accepted")
            )),
        }
    }
    report("coinqvest_webhook.json", &failures, cases.len());
}
