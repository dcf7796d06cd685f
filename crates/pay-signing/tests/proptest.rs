//! Property tests of pay-signing: Qostiq callbacks round-trip through `sign_callback` and
//! `CallbackVerifier::verify` for random withdraw callbacks (random nested `account_details` and
//! custom fields: objects and arrays, unicode and escapes, integer and float tokens, booleans, nulls,
//! empty strings); changing any signed value breaks the
//! signature; neither verifier panics on arbitrary bytes; COINQVEST digest authentication can be
//! recomputed from the headers it sets.
#![allow(clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::{Method, Request};
use pay_core::endpoint::Authenticate;
use pay_core::error::SignatureError;
use pay_core::secret::Secret;
use pay_signing::coinqvest::{
    DigestSigner, WebhookVerifier, X_DIGEST_KEY, X_DIGEST_SIGNATURE, X_DIGEST_TIMESTAMP,
    sign_webhook,
};
use pay_signing::qostiq::{CallbackForm, CallbackKind, CallbackVerifier, sign_callback};
use proptest::prelude::*;
use proptest::sample::Index;
use sha2::Sha256;
use time::OffsetDateTime;

const SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";

fn secret() -> Secret {
    Secret::new(SECRET).unwrap()
}

/// A JSON string literal for `text`; `escape_all` writes every non-ASCII character (and `/`) as
/// `\u` escapes (surrogate pairs beyond the BMP), as PHP and `ensure_ascii=True` senders do.
fn quote(text: &str, escape_all: bool) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '/' if escape_all => out.push_str("\\/"),
            c if u32::from(c) < 0x20 || (escape_all && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// JSON number tokens in the shapes senders use: `10`, `-3`, `10.50`, `6.0`, `1E2`, `2.5e-7`.
fn number_token() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![Just(0u64), 1u64..100, 100u64..10_000_000, any::<u64>()],
        proptest::option::of("[0-9]{1,8}"),
        proptest::option::of((
            prop_oneof![Just('e'), Just('E')],
            prop_oneof![Just(""), Just("+"), Just("-")],
            0u32..30,
        )),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let mut token = String::new();
            if negative {
                token.push('-');
            }
            let _ = write!(token, "{int}");
            if let Some(frac) = frac {
                token.push('.');
                token.push_str(&frac);
            }
            if let Some((e, sign, digits)) = exp {
                let _ = write!(token, "{e}{sign}{digits}");
            }
            token
        })
}

/// A string value: arbitrary unicode (controls included), sometimes empty, sometimes all-escaped.
fn string_literal() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            3 => any::<String>(),
            2 => "[a-zA-Z0-9 _.:-]{0,12}",
            1 => Just(String::new()),
            1 => Just("№ 5 — naïve 😀 \"q\" \\ /".to_owned()),
        ],
        any::<bool>(),
    )
        .prop_map(|(text, escape_all)| quote(&text, escape_all))
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("null".to_owned()),
        1 => Just("true".to_owned()),
        1 => Just("false".to_owned()),
        4 => number_token(),
        5 => string_literal(),
    ]
}

/// Object members as (quoted key, value), keys unique after unescaping (the map is keyed by the
/// decoded text).
fn members_of<V>(
    values: V,
    size: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<(String, String)>>
where
    V: Strategy<Value = String>,
{
    (
        prop::collection::btree_map("[a-z_]{1,10}|\\PC{1,6}", values, size),
        any::<bool>(),
    )
        .prop_map(|(map, escape_all): (BTreeMap<String, String>, bool)| {
            map.into_iter()
                .map(|(k, v)| (quote(&k, escape_all), v))
                .collect()
        })
}

/// Any JSON value as text, nested up to 3 levels, with compact or spaced separators.
fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..5), any::<bool>()).prop_map(
                |(items, compact)| format!("[{}]", items.join(if compact { "," } else { ", " }))
            ),
            (members_of(inner, 0..5), any::<bool>()).prop_map(|(members, compact)| {
                let sep = if compact { ":" } else { ": " };
                let body: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{k}{sep}{v}"))
                    .collect();
                format!("{{{}}}", body.join(if compact { "," } else { ", " }))
            }),
        ]
    })
}

/// The typed keys of a withdraw callback (seed 001), in the form the server writes them.
const WITHDRAW: [(&str, &str); 9] = [
    ("callback_type", "\"withdraw\""),
    ("payee_receive", "10.5"),
    ("payment_id", "872734"),
    ("ps_currency", "840"),
    ("shop_currency", "840"),
    ("shop_id", "112"),
    ("shop_payment_id", "\"lfhx9l0v8r5f\""),
    ("shop_write_off", "11.5"),
    ("status", "\"success\""),
];

/// A custom field's value: a nested object or array of anything, or a scalar whose text has no
/// `:` (the verifier refuses a `:` in an untyped scalar).
fn custom_value() -> impl Strategy<Value = String> {
    prop_oneof![
        value().prop_filter("nested", |v| v.starts_with('{') || v.starts_with('[')),
        scalar().prop_filter("no colon", |v| !v.contains(':')),
    ]
}

/// A withdraw callback body without `sign`, as (quoted key, raw value) pairs, and the names of its
/// custom fields: the typed keys, a random nested `account_details` (any unicode, escapes, number
/// tokens), and random custom fields sorting after `status`.
fn callback() -> impl Strategy<Value = (Vec<(String, String)>, Vec<String>)> {
    (
        members_of(value(), 0..5),
        any::<bool>(),
        prop::collection::btree_map("t[a-z_]{0,9}|[u-z][a-z_]{0,9}", custom_value(), 0..5),
    )
        .prop_map(|(details, compact, custom)| {
            let sep = if compact { ":" } else { ": " };
            let details: Vec<String> = details
                .iter()
                .map(|(k, v)| format!("{k}{sep}{v}"))
                .collect();
            let mut members = vec![(
                "\"account_details\"".to_owned(),
                format!("{{{}}}", details.join(if compact { "," } else { ", " })),
            )];
            members.extend(
                WITHDRAW
                    .iter()
                    .map(|(k, v)| (quote(k, false), (*v).to_owned())),
            );
            members.extend(custom.iter().map(|(k, v)| (quote(k, false), v.clone())));
            (members, custom.into_keys().collect())
        })
}

fn verifier(custom: &[String]) -> CallbackVerifier {
    CallbackVerifier::new(secret())
        .custom_fields_for(CallbackKind::Withdraw, custom.iter().cloned())
        .unwrap()
}

fn object_text(members: &[(String, String)]) -> String {
    let body: Vec<String> = members.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", body.join(", "))
}

/// Whether a raw value takes part in the callback signature (neither `null` nor `""`).
fn is_signed(raw: &str) -> bool {
    raw != "null" && raw != "\"\""
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn callbacks_round_trip((members, custom) in callback()) {
        let body = object_text(&members);
        let signed = sign_callback(&secret(), body.as_bytes()).unwrap();
        let verified = verifier(&custom).verify(signed.as_bytes());
        let verified = verified.unwrap_or_else(|e| panic!("{e}: {signed}"));
        prop_assert_eq!(verified.form(), CallbackForm::Python);
        prop_assert_eq!(verified.kind(), CallbackKind::Withdraw);
        prop_assert_eq!(verified.object().members().len(), members.len() + 1);
        prop_assert_eq!(verified.custom_fields().count(), custom.len());
        // A different secret does not verify it.
        let other = CallbackVerifier::new(Secret::new("another-Secret-1").unwrap());
        prop_assert_eq!(other.verify(signed.as_bytes()).unwrap_err(), SignatureError::Mismatch);
    }

    #[test]
    fn tampering_a_signed_value_breaks_the_signature(
        (members, custom) in callback(),
        pick in any::<Index>(),
        to_null in any::<bool>(),
    ) {
        let signed_positions: Vec<usize> =
            (0..members.len()).filter(|&i| is_signed(&members[i].1)).collect();
        prop_assume!(!signed_positions.is_empty());
        let body = object_text(&members);
        let signed = sign_callback(&secret(), body.as_bytes()).unwrap();
        let (_, sign_value) = signed.rsplit_once(", \"sign\": ").unwrap();
        let sign_value = sign_value.trim_end_matches('}');
        let target = *pick.get(&signed_positions);
        let mut tampered = members.clone();
        // Either drop it from the signed set (null) or change the text it signs as.
        tampered[target].1 = if to_null {
            "null".to_owned()
        } else {
            quote(&format!("{}~tampered", members[target].1), false)
        };
        let mut tampered_body = object_text(&tampered);
        tampered_body.pop();
        tampered_body.push_str(", \"sign\": ");
        tampered_body.push_str(sign_value);
        tampered_body.push('}');
        let result = verifier(&custom).verify(tampered_body.as_bytes());
        prop_assert_eq!(result.map(|v| v.form()).unwrap_err(), SignatureError::Mismatch);
    }

    #[test]
    fn verifiers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = CallbackVerifier::new(secret()).verify(&bytes);
        let webhook = WebhookVerifier::new(secret());
        let _ = webhook.verify(None, &bytes);
        let _ = webhook.verify(Some(&String::from_utf8_lossy(&bytes)), &bytes);
        let auth = sign_webhook(&secret(), &bytes);
        let _ = webhook.verify(Some(&auth), &bytes);
    }

    #[test]
    fn verifiers_never_panic_on_mutated_signed_bodies(
        (members, _) in callback(),
        flips in prop::collection::vec((any::<Index>(), any::<u8>()), 1..4),
    ) {
        let signed = sign_callback(&secret(), object_text(&members).as_bytes()).unwrap();
        let mut bytes = signed.into_bytes();
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = CallbackVerifier::new(secret()).verify(&bytes);
        let auth = sign_webhook(&secret(), &bytes);
        let _ = WebhookVerifier::new(secret()).verify(Some(&auth), &bytes);
    }

    #[test]
    fn digest_authentication_recomputes_from_headers(
        method in prop_oneof![
            Just(Method::GET), Just(Method::POST), Just(Method::PUT),
            Just(Method::DELETE), Just(Method::PATCH)
        ],
        path in "/[a-z0-9_.-]{1,12}(/[a-z0-9_.-]{1,12}){0,3}",
        timestamp in 0i64..4_000_000_000,
        body in prop::collection::vec(any::<u8>(), 0..600),
        secret_text in "[!-~][ -~]{0,99}", // never blank: Secret::new refuses blank secrets
    ) {
        let signer = DigestSigner::new("a1b2c3d4e5f6", Secret::new(secret_text.as_str()).unwrap());
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path.as_str())
            .body(Bytes::from(body.clone()))
            .unwrap();
        let now = OffsetDateTime::from_unix_timestamp(timestamp).unwrap();
        signer.authenticate(&mut request, now).unwrap();
        let headers = request.headers();
        let header = |name: http::HeaderName| headers.get(name).unwrap().to_str().unwrap().to_owned();
        prop_assert_eq!(header(X_DIGEST_KEY), "a1b2c3d4e5f6");
        prop_assert_eq!(header(X_DIGEST_TIMESTAMP), timestamp.to_string());
        // Recompute independently: HMAC-SHA256(secret, path + timestamp header + METHOD + body).
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret_text.as_bytes()).unwrap();
        mac.update(path.as_bytes());
        mac.update(header(X_DIGEST_TIMESTAMP).as_bytes());
        mac.update(method.as_str().as_bytes());
        mac.update(&body);
        prop_assert_eq!(header(X_DIGEST_SIGNATURE), hex::encode(mac.finalize().into_bytes()));
        let string_to_sign = DigestSigner::string_to_sign(&path, timestamp, &method, &body);
        let mut expected = format!("{path}{timestamp}{method}").into_bytes();
        expected.extend_from_slice(&body);
        prop_assert_eq!(string_to_sign, expected);
        prop_assert!(headers.get(&X_DIGEST_SIGNATURE).unwrap().is_sensitive());
    }
}
