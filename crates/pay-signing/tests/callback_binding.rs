//! Attacks on the Qostiq callback signature, which covers the values but not the key names nor the
//! boundaries between values: every forgery of every genuine callback vector (renamed keys, moved
//! values, colon shifts, merges, splits, re-encoded values; `pay_signing::qostiq::forgery`) must be
//! refused by `CallbackVerifier` or read with the same type and the same value for every key that
//! decides money. Also: each binding error names its key, custom field names are validated, and a
//! key carrying a forged log line is shown escaped.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stdout
)] // test code

use std::collections::BTreeMap;

use pay_core::error::SignatureError;
use pay_core::json::python;
use pay_core::secret::Secret;
use pay_signing::qostiq::forgery::{ForgeryClass, each_forgery};
use pay_signing::qostiq::{
    CallbackKind, CallbackVerifier, VerifiedCallback, explain_callback, sign_callback,
};

const SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";
/// Custom fields the attack runs with: seed 001's `test_add_on` (in the withdraw vector, `null`),
/// and `email`, an extra parameter of `/withdraw/create` that sorts between `description` and the
/// amounts, so values can move onto it.
const CUSTOM: [&str; 2] = ["test_add_on", "email"];

/// The bodies of the valid callback vectors: withdraw, crypto withdraw, payment notification.
fn genuine() -> Vec<String> {
    pay_testdata::genuine_qostiq_callbacks(SECRET)
}

fn verifier() -> CallbackVerifier {
    CallbackVerifier::new(Secret::new(SECRET).unwrap())
        .custom_fields(CUSTOM)
        .unwrap()
}

/// The type and the signed text of every key that decides money (`None` when absent).
type MoneyView = (CallbackKind, Vec<(&'static str, Option<String>)>);

fn money_view(callback: &VerifiedCallback<'_>) -> MoneyView {
    let kind = callback.kind();
    let values = kind
        .keys()
        .iter()
        .filter(|spec| spec.money)
        .map(|spec| {
            let text = callback
                .object()
                .get(spec.name)
                .map(|m| python::str_form(&m.value))
                .filter(|t| t != "None" && !t.is_empty());
            (spec.name, text)
        })
        .collect();
    (kind, values)
}

/// Whether a refusal is a signature failure (the forgery machinery is broken then, not the
/// binding: every forgery keeps the signed string).
/// The `(kind, key)` an ambiguous callback is refused for; fails when `verifier` does not refuse
/// `body` as ambiguous.
fn ambiguity(verifier: &CallbackVerifier, body: &str) -> (&'static str, &'static str) {
    match verifier.verify(body.as_bytes()) {
        Err(SignatureError::Ambiguous { kind, key }) => (kind, key),
        other => panic!("not refused as ambiguous: {other:?}\n{body}"),
    }
}

fn is_signature_failure(e: &SignatureError) -> bool {
    matches!(
        e,
        SignatureError::Missing | SignatureError::Malformed { .. } | SignatureError::Mismatch
    )
}

#[test]
fn every_genuine_vector_passes_and_names_its_kind() {
    let kinds: Vec<CallbackKind> = genuine()
        .iter()
        .map(|body| verifier().verify(body.as_bytes()).unwrap().kind())
        .collect();
    assert_eq!(
        kinds,
        [
            CallbackKind::Withdraw,
            CallbackKind::CryptoWithdraw,
            CallbackKind::Payment
        ]
    );
    // Without the custom field the shop passed, its echo is an unknown key, even when null.
    let plain = CallbackVerifier::new(Secret::new(SECRET).unwrap());
    assert_eq!(
        plain.verify(genuine()[0].as_bytes()).unwrap_err(),
        SignatureError::UnknownKey {
            kind: "withdraw",
            key: "test_add_on".into()
        }
    );
}

#[test]
fn the_reported_attacks_are_refused_naming_the_key() {
    let [withdraw, _, payment] = <[String; 3]>::try_from(genuine()).unwrap();
    // Re-keyed: a new event for the receiver, with the signature intact.
    let rekeyed = withdraw.replace("\"callback_type\"", "\"callback_typ\"");
    assert_eq!(
        verifier().verify(rekeyed.as_bytes()).unwrap_err(),
        SignatureError::UnknownKey {
            kind: "payment",
            key: "callback_typ".into()
        }
    );
    // Order 979 became order 265: `shop_id` renamed onto `shop_order_id`, and the real order id
    // parked under a key sorting where `shop_order_id` was.
    let moved = payment
        .replace("\"shop_order_id\"", "\"shop_ordes\"")
        .replace("\"shop_id\"", "\"shop_order_id\"");
    assert_eq!(
        explain_callback(moved.as_bytes()).unwrap(),
        explain_callback(payment.as_bytes()).unwrap()
    );
    assert_eq!(
        verifier().verify(moved.as_bytes()).unwrap_err(),
        SignatureError::UnknownKey {
            kind: "payment",
            key: "shop_ordes".into()
        }
    );
}

#[test]
fn binding_errors_name_the_key() {
    let secret = Secret::new(SECRET).unwrap();
    let sign = |body: &str| sign_callback(&secret, body.as_bytes()).unwrap();
    let verifier = CallbackVerifier::new(secret.clone());
    let payment = r#""payment_id": 7, "shop_amount": "6.00", "shop_currency": 980, "shop_order_id": "979", "status": "success""#;
    let cases: Vec<(String, SignatureError)> = vec![
        (
            format!("{{{payment}}}"),
            SignatureError::Mismatch, // placeholder replaced below: the genuine one passes
        ),
        (
            format!(r#"{{"callback_type": "refund", {payment}}}"#),
            SignatureError::UnknownCallbackType {
                value: "refund".into(),
            },
        ),
        (
            format!(r#"{{"callback_type": 5, {payment}}}"#),
            SignatureError::UnknownCallbackType { value: "5".into() },
        ),
        (
            format!(r#"{{"callback_type": null, {payment}}}"#),
            SignatureError::UnknownCallbackType {
                value: "null".into(),
            },
        ),
        (
            format!("{{{}}}", payment.replace(r#""shop_amount": "6.00", "#, "")),
            SignatureError::MissingKey {
                kind: "payment",
                key: "shop_amount",
            },
        ),
        (
            format!("{{{}}}", payment.replace(r#""6.00""#, r#""""#)),
            SignatureError::MissingKey {
                kind: "payment",
                key: "shop_amount",
            },
        ),
        (
            format!("{{{}}}", payment.replace(r#""6.00""#, r#""6.00 USD""#)),
            SignatureError::WrongShape {
                kind: "payment",
                key: "shop_amount".into(),
            },
        ),
        (
            format!("{{{}}}", payment.replace(r#""979""#, r#""order:979""#)),
            SignatureError::WrongShape {
                kind: "payment",
                key: "shop_order_id".into(),
            },
        ),
        (
            format!(r#"{{"description": "paid: yes", {payment}}}"#),
            SignatureError::WrongShape {
                kind: "payment",
                key: "description".into(),
            },
        ),
        (
            format!(r#"{{"address": "0xabc", {payment}}}"#),
            SignatureError::UnknownKey {
                kind: "payment",
                key: "address".into(),
            },
        ),
    ];
    for (i, (body, expected)) in cases.into_iter().enumerate() {
        let signed = sign(&body);
        let result = verifier.verify(signed.as_bytes());
        if i == 0 {
            assert_eq!(result.unwrap().kind(), CallbackKind::Payment);
        } else {
            assert_eq!(result.unwrap_err(), expected, "{body}");
        }
    }
}

#[test]
fn custom_field_names_are_validated() {
    let verifier = || CallbackVerifier::new(Secret::new(SECRET).unwrap());
    for bad in [
        "",
        "  ",
        "sign",
        "status",
        "address",
        "callback_type",
        "a\nb",
    ] {
        assert!(
            matches!(
                verifier().custom_fields([bad]),
                Err(SignatureError::CustomField { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(verifier().custom_fields(["x".repeat(101)]).is_err());
    // `address` is a crypto key: it cannot be a custom field of a withdraw callback either.
    assert!(
        verifier()
            .custom_fields_for(CallbackKind::Withdraw, ["address"])
            .is_err()
    );
    let declared = verifier()
        .custom_fields_for(CallbackKind::Withdraw, ["email", "test_add_on", "email"])
        .unwrap();
    assert_eq!(
        declared.declared_custom_fields(CallbackKind::Withdraw),
        ["email", "test_add_on"]
    );
    assert!(
        declared
            .declared_custom_fields(CallbackKind::Payment)
            .is_empty()
    );
}

#[test]
fn custom_values_with_a_colon_are_refused() {
    let secret = Secret::new(SECRET).unwrap();
    let verifier = CallbackVerifier::new(secret.clone())
        .custom_fields(["return_url", "cart"])
        .unwrap();
    let base = r#""payment_id": 7, "shop_amount": "6.00", "shop_currency": 980, "shop_order_id": "979", "status": "success""#;
    let url = format!(r#"{{{base}, "return_url": "https://shop.example/r"}}"#);
    assert_eq!(
        verifier
            .verify(sign_callback(&secret, url.as_bytes()).unwrap().as_bytes())
            .unwrap_err(),
        SignatureError::WrongShape {
            kind: "payment",
            key: "return_url".into()
        }
    );
    let cart = format!(r#"{{"cart": {{"items": [{{"sku": "a:1"}}]}}, {base}}}"#);
    let signed = sign_callback(&secret, cart.as_bytes()).unwrap();
    let verified = verifier.verify(signed.as_bytes()).unwrap();
    assert_eq!(
        verified
            .custom_fields()
            .map(|m| m.key.to_string())
            .collect::<Vec<_>>(),
        ["cart"]
    );
}

#[test]
fn a_key_carrying_a_log_line_is_shown_escaped() {
    let secret = Secret::new(SECRET).unwrap();
    let forged = "shop_order_id\n2026-11-30T10:00:00Z  INFO pay_webhook: event applied";
    let body = format!(
        r#"{{"payment_id": 7, "shop_amount": "6.00", "shop_currency": 980, "shop_order_id": "979", "status": "success", {}: null}}"#,
        serde_json::to_string(forged).unwrap()
    );
    let signed = sign_callback(&secret, body.as_bytes()).unwrap();
    let error = CallbackVerifier::new(secret)
        .verify(signed.as_bytes())
        .unwrap_err();
    assert_eq!(
        error,
        SignatureError::UnknownKey {
            kind: "payment",
            key: forged.into()
        }
    );
    let shown = error.to_string();
    assert!(!shown.contains('\n'), "{shown}");
    assert!(shown.contains(r"shop_order_id\n2026-11-30"), "{shown}");
}

#[test]
fn other_readings_of_the_signed_string_are_refused() {
    let secret = Secret::new(SECRET).unwrap();
    let sign = |body: &str| sign_callback(&secret, body.as_bytes()).unwrap();
    // A withdraw callback whose payout amount is the integer `10` also reads as a payment
    // notification: `withdraw` as its description, `10` as its error code, the payout id as an
    // order id and the write-off as a refund.
    let withdraw = sign(
        r#"{"callback_type": "withdraw", "payee_receive": "10", "payment_id": 1, "ps_currency": 840, "shop_currency": 840, "shop_id": 1, "shop_payment_id": "p1", "shop_write_off": 11.5, "status": "success"}"#,
    );
    let payment = withdraw
        .replace(r#""callback_type""#, r#""description""#)
        .replace(r#""payee_receive": "10""#, r#""error_code": 10"#)
        .replace(
            r#""ps_currency": 840, "shop_currency": 840, "shop_id": 1"#,
            r#""ps_currency": 840, "shop_amount": 840, "shop_currency": 1"#,
        )
        .replace("shop_payment_id", "shop_order_id")
        .replace("shop_write_off", "shop_refund");
    assert_eq!(
        explain_callback(payment.as_bytes()).unwrap(),
        explain_callback(withdraw.as_bytes()).unwrap()
    );
    let verifier = CallbackVerifier::new(secret.clone());
    for body in [&withdraw, &payment] {
        assert_eq!(ambiguity(&verifier, body).1, "callback_type", "{body}");
    }
    // With the server's float text (`10.0`) there is no other reading.
    let float = sign(
        r#"{"callback_type": "withdraw", "payee_receive": 10.0, "payment_id": 1, "ps_currency": 840, "shop_currency": 840, "shop_id": 1, "shop_payment_id": "p1", "shop_write_off": 11.5, "status": "success"}"#,
    );
    assert_eq!(
        verifier.verify(float.as_bytes()).unwrap().kind(),
        CallbackKind::Withdraw
    );

    // A payment notification with a letters-only order id, no refund, and a custom field sorting
    // after `status`: the shop id can become the order id, the order id the status.
    let verifier = CallbackVerifier::new(secret.clone())
        .custom_fields(["tag"])
        .unwrap();
    let genuine = sign(
        r#"{"payment_id": 7, "shop_amount": "6.00", "shop_currency": 980, "shop_id": 265, "shop_order_id": "abc", "status": "success"}"#,
    );
    let forged = genuine.replace(
        r#""shop_id": 265, "shop_order_id": "abc", "status": "success""#,
        r#""shop_order_id": "265", "status": "abc", "tag": "success""#,
    );
    assert_eq!(
        explain_callback(forged.as_bytes()).unwrap(),
        explain_callback(genuine.as_bytes()).unwrap()
    );
    for body in [&genuine, &forged] {
        assert_eq!(ambiguity(&verifier, body).0, "payment", "{body}");
    }
    // Without the custom field there is nowhere for `success` to go: the genuine one passes.
    assert!(
        CallbackVerifier::new(secret)
            .verify(genuine.as_bytes())
            .is_ok()
    );
}

/// Counts of one run over the genuine vectors, per class: (generated, refused, harmless).
type Counts = BTreeMap<ForgeryClass, (usize, usize, usize)>;

/// Runs every forgery of every genuine vector through `verifier`; returns the counts and the
/// forgeries accepted with another type or another money value.
fn attack(verifier: &CallbackVerifier, custom: &[&str]) -> (Counts, Vec<String>) {
    let mut counts = Counts::new();
    let mut harmful = Vec::new();
    for body in genuine() {
        let expected = money_view(&verifier.verify(body.as_bytes()).unwrap());
        let signed_string = explain_callback(body.as_bytes()).unwrap();
        each_forgery(body.as_bytes(), custom, |class, forged| {
            let entry = counts.entry(class).or_default();
            entry.0 += 1;
            assert_eq!(
                explain_callback(forged.as_bytes()).unwrap(),
                signed_string,
                "{class} changed the signed string: {forged}"
            );
            match verifier.verify(forged.as_bytes()) {
                Err(e) if is_signature_failure(&e) => {
                    panic!("{class}: the forgery broke the signature ({e}): {forged}")
                }
                Err(_) => entry.1 += 1,
                Ok(callback) if money_view(&callback) == expected => entry.2 += 1,
                Ok(callback) => harmful.push(format!(
                    "{class}: {forged}\n  read as {:?}\n  genuine {expected:?}",
                    money_view(&callback)
                )),
            }
        })
        .unwrap();
    }
    (counts, harmful)
}

#[test]
fn every_forgery_of_every_genuine_callback_is_refused_or_harmless() {
    let (counts, harmful) = attack(&verifier(), &CUSTOM);
    let total: usize = counts.values().map(|c| c.0).sum();
    println!("forgeries of the genuine callback vectors (generated / refused / harmless):");
    for (class, (generated, refused, harmless)) in &counts {
        println!("  {class:>13}: {generated:>6} / {refused:>6} / {harmless:>4}");
    }
    println!("  {:>13}: {total}", "total");
    assert!(
        harmful.is_empty(),
        "{} forgeries accepted with another type or money value:\n{}",
        harmful.len(),
        harmful.join("\n")
    );
    for class in ForgeryClass::ALL {
        assert!(
            counts.get(&class).is_some_and(|c| c.0 > 0),
            "no {class} forgery"
        );
    }
    assert!(total > 5_000, "only {total} forgeries");
    // Some forgeries are harmless (another description, a custom field holding it, `979` as a
    // number): the verifier is not refusing everything.
    assert!(counts.values().map(|c| c.2).sum::<usize>() > 0);
}
