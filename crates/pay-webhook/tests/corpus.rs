//! The bad-input corpus: every case is rejected, nothing panics, the handler is never called.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use pay_core::secret::Secret;
use pay_qostiq::callbacks::FIAT_CALLBACK_IPS;
use pay_signing::coinqvest::sign_webhook;
use pay_signing::qostiq::sign_callback;
use pay_webhook::{Event, Outcome, PeerAddr, SourcePolicy};
use support::{COINQVEST_SECRET, QOSTIQ_SECRET};

const QOSTIQ_UNSIGNED: &str = r#"{"account_details": {"customer_id": "vj5het2c"}, "callback_type": "withdraw", "created": "2024-11-18 13:41:57", "description": "example", "payee_receive": 10.5, "payment_id": 872734, "payway": "card_usd", "processed": "2024-11-18 13:45:38", "ps_currency": 840, "shop_currency": 840, "shop_id": 112, "shop_payment_id": "lfhx9l0v8r5f", "shop_write_off": 11.5, "status": "success", "test_add_on": null}"#;
const ALLOWED_PEER: &str = "34.90.243.164:443";

/// One delivery: headers, body, peer.
#[derive(Clone)]
struct Case {
    name: String,
    method: &'static str,
    content_type: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    peer: Option<&'static str>,
}

fn case(name: impl Into<String>, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        method: "POST",
        content_type: Some("application/json"),
        headers: Vec::new(),
        body: body.into(),
        peer: Some(ALLOWED_PEER),
    }
}

fn request(case: &Case) -> Request<Full<Bytes>> {
    let mut builder = Request::builder().method(case.method).uri("/callback");
    if let Some(ct) = case.content_type {
        builder = builder.header("content-type", ct);
    }
    for (name, value) in &case.headers {
        builder = builder.header(*name, value.as_str());
    }
    let mut request = builder
        .body(Full::new(Bytes::from(case.body.clone())))
        .unwrap();
    if let Some(peer) = case.peer {
        request
            .extensions_mut()
            .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
    }
    request
}

fn signed_qostiq() -> String {
    sign_callback(
        &Secret::new(QOSTIQ_SECRET).unwrap(),
        QOSTIQ_UNSIGNED.as_bytes(),
    )
    .unwrap()
}

fn qostiq_cases() -> Vec<Case> {
    let good = signed_qostiq();
    let sign = good
        .rsplit("\"sign\": \"")
        .next()
        .unwrap()
        .trim_end_matches("\"}")
        .to_owned();
    let with_sign = |s: &str| good.replace(&sign, s);
    let mut cases = vec![
        case("missing sign", QOSTIQ_UNSIGNED),
        case("sign null", good.replace(&format!("\"{sign}\""), "null")),
        case("sign number", good.replace(&format!("\"{sign}\""), "12345")),
        case(
            "sign array",
            good.replace(&format!("\"{sign}\""), "[\"a\"]"),
        ),
        case("sign object", good.replace(&format!("\"{sign}\""), "{}")),
        case("sign empty", with_sign("")),
    ];
    for len in [1, 31, 32, 63, 65, 96, 128] {
        let s: String = sign.chars().cycle().take(len).collect();
        cases.push(case(format!("sign of length {len}"), with_sign(&s)));
    }
    for (i, bad) in ['g', 'z', ' ', 'G', '-', 'é'].iter().enumerate() {
        let mut s: String = sign.chars().take(63).collect();
        s.push(*bad);
        cases.push(case(format!("non-hex sign #{i}"), with_sign(&s)));
    }
    cases.push(case("sign of zeros", with_sign(&"0".repeat(64))));
    cases.push(case("sign of another body", with_sign(&"ab".repeat(32))));
    // Tampered values: each signed field changed.
    for (from, to) in [
        ("\"success\"", "\"rejected\""),
        ("10.5", "100.5"),
        ("11.5", "1.5"),
        ("872734", "872735"),
        ("\"card_usd\"", "\"card_uah\""),
        ("\"lfhx9l0v8r5f\"", "\"lfhx9l0v8r5g\""),
        ("\"ps_currency\": 840", "\"ps_currency\": 980"),
        ("\"shop_currency\": 840", "\"shop_currency\": 978"),
        ("\"shop_id\": 112", "\"shop_id\": 113"),
        ("\"example\"", "\"exampl\""),
        ("13:41:57", "13:41:58"),
        ("13:45:38", "13:45:39"),
        ("vj5het2c", "vj5het2d"),
        ("\"withdraw\"", "\"crypto_withdraw\""),
        ("\"test_add_on\": null", "\"test_add_on\": \"x\""),
        ("\"test_add_on\": null", "\"test_add_on\": 0"),
        ("\"description\": \"example\", ", ""),
        ("10.5", "10.6"),
        ("10.5", "\"10.5x\""),
    ] {
        assert!(good.contains(from), "{from}");
        cases.push(case(
            format!("tampered {from} → {to}"),
            good.replacen(from, to, 1),
        ));
    }
    // Colon-shifted values: the joined string (and so the signature) is unchanged.
    for (from, to) in [
        (
            "\"created\": \"2024-11-18 13:41:57\", \"description\": \"example\"",
            "\"created\": \"2024-11-18 13:41\", \"description\": \"57:example\"",
        ),
        (
            "\"created\": \"2024-11-18 13:41:57\", \"description\": \"example\"",
            "\"created\": \"2024-11-18 13\", \"description\": \"41:57:example\"",
        ),
        (
            "\"processed\": \"2024-11-18 13:45:38\", \"ps_currency\": 840",
            "\"processed\": \"2024-11-18 13:45\", \"ps_currency\": \"38:840\"",
        ),
        (
            "\"account_details\": {\"customer_id\": \"vj5het2c\"}, \"callback_type\": \"withdraw\"",
            "\"account_details\": \"{\\\"customer_id\\\"\", \"callback_type\": \" \\\"vj5het2c\\\"}:withdraw\"",
        ),
        (
            "\"payway\": \"card_usd\", \"processed\": \"2024-11-18 13:45:38\"",
            "\"payway\": \"card_usd:2024-11-18 13\", \"processed\": \"45:38\"",
        ),
    ] {
        assert!(good.contains(from), "{from}");
        cases.push(case(
            format!("colon shift {to}"),
            good.replacen(from, to, 1),
        ));
    }
    // Duplicate keys, top-level and nested.
    cases.push(case(
        "duplicate status",
        good.replacen("{", "{\"status\": \"rejected\", ", 1),
    ));
    cases.push(case(
        "duplicate sign",
        good.replacen("{", &format!("{{\"sign\": \"{sign}\", "), 1),
    ));
    cases.push(case(
        "duplicate nested",
        good.replace(
            "{\"customer_id\": \"vj5het2c\"}",
            "{\"customer_id\": \"vj5het2c\", \"customer_id\": \"x\"}",
        ),
    ));
    // Trailing bytes and glue.
    for (i, tail) in [
        "garbage",
        "{}",
        " {\"status\": \"rejected\"}",
        "\0",
        ",",
        "]",
        "\u{feff}",
    ]
    .iter()
    .enumerate()
    {
        cases.push(case(
            format!("trailing bytes #{i}"),
            format!("{good}{tail}"),
        ));
    }
    // Not an object / not JSON.
    for (i, body) in [
        "",
        " ",
        "[]",
        "null",
        "\"OK\"",
        "1",
        "{",
        "{\"a\":}",
        "status=success&sign=00",
        "<xml/>",
    ]
    .iter()
    .enumerate()
    {
        cases.push(case(format!("not a JSON object #{i}"), *body));
    }
    // Invalid UTF-8.
    let mut bad = good.clone().into_bytes();
    bad.insert(20, 0xff);
    cases.push(case("invalid UTF-8 byte", bad));
    let mut overlong = good.clone().into_bytes();
    overlong.splice(20..20, [0xc0, 0xaf]);
    cases.push(case("overlong UTF-8", overlong));
    cases.push(case(
        "lone surrogate escape",
        good.replace("example", "ex\\ud800ample"),
    ));
    // Deep nesting.
    for depth in [33, 100, 5000] {
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        cases.push(case(
            format!("nesting depth {depth}"),
            good.replace("{\"customer_id\": \"vj5het2c\"}", &nested),
        ));
    }
    // Oversized body.
    cases.push(case(
        "oversized body",
        good.replace("example", &"x".repeat(70 * 1024)),
    ));
    // Wrong method and content types.
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let mut c = case(format!("method {method}"), good.clone());
        c.method = method;
        cases.push(c);
    }
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonp"),
        Some("multipart/form-data"),
    ] {
        let mut c = case(format!("content type {ct:?}"), good.clone());
        c.content_type = ct;
        cases.push(c);
    }
    // Disallowed and spoofed sources.
    for peer in [
        "203.0.113.9:1000",
        "10.0.0.1:80",
        "[::1]:9000",
        "34.90.243.165:1",
    ] {
        let mut c = case(format!("peer {peer}"), good.clone());
        c.peer = Some(peer);
        cases.push(c);
    }
    let mut c = case("unknown peer with allow-list", good.clone());
    c.peer = None;
    cases.push(c);
    for xff in [
        "34.90.243.164",
        "34.90.243.164, 34.147.48.238",
        "127.0.0.1, 34.90.243.164",
    ] {
        let mut c = case(format!("spoofed X-Forwarded-For {xff}"), good.clone());
        c.peer = Some("203.0.113.9:4000");
        c.headers.push(("x-forwarded-for", xff.to_owned()));
        cases.push(c);
    }
    cases
}

fn coinqvest_cases() -> Vec<Case> {
    let secret = Secret::new(COINQVEST_SECRET).unwrap();
    let seed = support::coinqvest_seed_payment();
    let auth = sign_webhook(&secret, seed.as_bytes());
    let with = |name: String, body: Vec<u8>, header: Option<String>| {
        let mut c = case(name, body);
        if let Some(h) = header {
            c.headers.push(("x-webhook-auth", h));
        }
        c
    };
    let body = seed.as_bytes().to_vec();
    let mut cases = vec![
        with("missing header".into(), body.clone(), None),
        with("empty header".into(), body.clone(), Some(String::new())),
        with(
            "wrong secret".into(),
            body.clone(),
            Some(sign_webhook(
                &Secret::new("other-secret-1A").unwrap(),
                &body,
            )),
        ),
        with(
            "uppercase hex of another body".into(),
            body.clone(),
            Some("AB".repeat(32)),
        ),
    ];
    for len in [1, 32, 63, 65, 128] {
        cases.push(with(
            format!("header length {len}"),
            body.clone(),
            Some(auth.chars().cycle().take(len).collect()),
        ));
    }
    for bad in ['g', 'x', '+'] {
        let mut h: String = auth.chars().take(63).collect();
        h.push(bad);
        cases.push(with(format!("non-hex header {bad}"), body.clone(), Some(h)));
    }
    let mut twice = with("header repeated".into(), body.clone(), Some(auth.clone()));
    twice.headers.push(("x-webhook-auth", auth.clone()));
    cases.push(twice);
    for (from, to) in [
        ("RESOLVED", "UNRESOLVED"),
        ("0.0100000", "1.0100000"),
        ("cb69affabf53", "cb69affabf54"),
        ("87508a7a78c3", "87508a7a78c4"),
    ] {
        cases.push(with(
            format!("tampered {from}"),
            seed.replace(from, to).into_bytes(),
            Some(auth.clone()),
        ));
    }
    // Length extension: glue appended and re-signed as an attacker could (they know sha256 state, not
    // the secret; re-signing here stands for a forged valid digest over body+glue).
    for glue in ["{\"state\":\"RESOLVED\"}", " x", "\n{}", "\u{80}\0\0\0\0"] {
        let glued = [seed.as_bytes(), glue.as_bytes()].concat();
        let forged = sign_webhook(&secret, &glued);
        cases.push(with(
            format!("length-extension glue {glue:?}"),
            glued,
            Some(forged),
        ));
    }
    for (name, bad) in [
        (
            "duplicate key",
            r#"{"id":"a","id":"b","type":"PAYMENT","state":"RESOLVED"}"#
                .as_bytes()
                .to_vec(),
        ),
        ("not an object", b"[1,2]".to_vec()),
        (
            "invalid utf-8",
            [&b"{\"id\":\"\xff\",\"type\":\"PAYMENT\",\"state\":\"RESOLVED\"}"[..]].concat(),
        ),
        (
            "deep nesting",
            format!(
                "{{\"id\":\"a\",\"type\":\"PAYMENT\",\"state\":\"RESOLVED\",\"x\":{}1{}}}",
                "[".repeat(64),
                "]".repeat(64)
            )
            .into_bytes(),
        ),
        (
            "missing id",
            br#"{"type":"PAYMENT","state":"RESOLVED"}"#.to_vec(),
        ),
        (
            "the seed's payment without its state",
            seed.replace(r#""state":"RESOLVED","#, "").into_bytes(),
        ),
        (
            "the seed's payment with an amount that is not one",
            seed.replace(r#""0.0100000""#, r#""0.01 USD""#).into_bytes(),
        ),
        (
            "event without data",
            br#"{"eventType":"CHECKOUT_COMPLETED"}"#.to_vec(),
        ),
        (
            "oversized",
            format!(
                "{{\"id\":\"{}\",\"type\":\"PAYMENT\",\"state\":\"RESOLVED\"}}",
                "a".repeat(70_000)
            )
            .into_bytes(),
        ),
    ] {
        let forged = sign_webhook(&secret, &bad);
        cases.push(with(format!("signed but {name}"), bad, Some(forged)));
    }
    let mut wrong_ct = with(
        "content type text/plain".into(),
        body.clone(),
        Some(auth.clone()),
    );
    wrong_ct.content_type = Some("text/plain");
    cases.push(wrong_ct);
    let mut get = with("method GET".into(), body, Some(auth));
    get.method = "GET";
    cases.push(get);
    cases
}

#[tokio::test]
async fn every_bad_input_is_rejected_without_calling_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = |calls: Arc<AtomicUsize>| {
        move |_: Event| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<(), std::io::Error>(())
            }
        }
    };
    let qostiq = support::qostiq_receiver()
        .verifier(|v| v.custom_fields(["test_add_on"]))
        .unwrap()
        .sources(SourcePolicy::allow_ranges(FIAT_CALLBACK_IPS))
        .build(counter(calls.clone()));
    let coinqvest = support::coinqvest_receiver(COINQVEST_SECRET).build(counter(calls.clone()));

    let mut failures = Vec::new();
    let q = qostiq_cases();
    let c = coinqvest_cases();
    let total = q.len() + c.len();
    for case in &q {
        let outcome = qostiq.receive(request(case)).await;
        if !matches!(outcome, Outcome::Rejected(_)) {
            failures.push(format!("qostiq {}: {outcome:?}", case.name));
        }
    }
    for case in &c {
        let outcome = coinqvest.receive(request(case)).await;
        if !matches!(outcome, Outcome::Rejected(_)) {
            failures.push(format!("coinqvest {}: {outcome:?}", case.name));
        }
    }
    assert!(total >= 100, "corpus has only {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} accepted:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the handler was called");

    // The corpus is only meaningful if the untouched events pass.
    let ok = qostiq
        .receive(request(&case("good", signed_qostiq())))
        .await;
    assert_eq!(ok, Outcome::Applied);
    let seed = support::coinqvest_seed_payment();
    let mut good = case("good", seed.clone());
    good.headers.push((
        "x-webhook-auth",
        sign_webhook(&Secret::new(COINQVEST_SECRET).unwrap(), seed.as_bytes()),
    ));
    assert_eq!(coinqvest.receive(request(&good)).await, Outcome::Applied);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
