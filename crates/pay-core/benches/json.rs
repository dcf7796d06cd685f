//! Strict JSON benchmarks: what `StrictObject::parse` and `validate` cost on hostile bodies.
//!
//! Groups (figures and the reasoning in docs/benchmarks.md, "Strict JSON"): `json/60k`, 60 KiB of
//! distinct keys against one long string and against the same tokens as array items; `json/small`,
//! the callback and answer sizes seen in practice; `json/events_limit` and `json/responses_limit`,
//! the most expensive shapes found for each reader at each `Limits` size, plus the largest
//! legitimate answer (a 250-checkout COINQVEST page).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // benchmark harness code

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pay_core::json::{Limits, StrictObject, validate};

const BODY_60K: usize = 60 * 1024;

/// `open`, then `item(0)`, `item(1)`, … joined by commas as long as the whole body, `close`
/// included, fits in `size` bytes, then `close`.
fn filled(size: usize, open: &str, close: &str, item: impl Fn(usize) -> String) -> String {
    let mut body = String::from(open);
    for i in 0usize.. {
        let before = body.len();
        if i > 0 {
            body.push(',');
        }
        body.push_str(&item(i));
        if body.len() + close.len() > size {
            body.truncate(before);
            break;
        }
    }
    body.push_str(close);
    body
}

/// `{"0":0,"1":0,…}`: distinct short keys (hex counters) in one object, `size` bytes at most.
fn distinct_keys(size: usize) -> String {
    filled(size, "{", "}", |i| format!("\"{i:x}\":0"))
}

/// `{"a":["0",0,"1",0,…]}`: the tokens of [`distinct_keys`] as array items, with no key to check.
fn same_tokens_in_array(size: usize) -> String {
    filled(size, "{\"a\":[", "]}", |i| format!("\"{i:x}\",0"))
}

/// `{"\u0030":0,…}`: distinct keys written only with escapes, so every key is decoded.
fn escaped_keys(size: usize) -> String {
    filled(size, "{", "}", |i| {
        let escaped: String = format!("{i:x}")
            .chars()
            .map(|c| format!("\\u{:04x}", u32::from(c)))
            .collect();
        format!("\"{escaped}\":0")
    })
}

/// `{"a":[{n keys},{n keys},…]}`: many objects of `n` equally long keys (every comparison reaches
/// the bytes). 32 keys is the most an object is scanned with, 33 the fewest it hashes.
fn objects_of(keys: usize, size: usize) -> String {
    let members: Vec<String> = (0..keys).map(|i| format!("\"{i:04x}\":0")).collect();
    repeat_in_array(&format!("{{{}}}", members.join(",")), size)
}

/// `{"a":[0,0,…]}`: the most values per byte.
fn tiny_values(size: usize) -> String {
    repeat_in_array("0", size)
}

/// `{"a":[[[…]],[[…]],…]}`: nesting to the depth limit, over and over.
fn deep_arrays(size: usize, depth: usize) -> String {
    let nest = depth.saturating_sub(2);
    let item = format!("{}{}", "[".repeat(nest), "]".repeat(nest));
    repeat_in_array(&item, size)
}

/// `{"a":"\n\n…"}`: one string of escapes.
fn escaped_string(size: usize) -> String {
    let count = (size - 10) / 2;
    format!("{{\"a\":\"{}\"}}", "\\n".repeat(count))
}

/// `{"k":"xxxx…"}`: one long plain string.
fn long_string(size: usize) -> String {
    format!("{{\"k\":\"{}\"}}", "x".repeat(size - 8))
}

/// The largest legitimate answer: a COINQVEST page of 250 checkouts (the maximum page size), each
/// the seed's `GET /checkout` object with two payments and three line items whose descriptions
/// are non-ASCII (escaped as `\uXXXX`, as the PHP server writes them).
fn checkouts_page() -> String {
    let payment = |i: usize, p: usize| {
        format!(
            r#"{{"id":"{i:06x}{p:06x}","type":"PAYMENT","state":"RESOLVED","timestamp":"2020-03-02T21:37:10+02:00","creditAssetCode":"USD","creditAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","creditAmount":"10.0000000","sourceAssetCode":"XLM","sourceAssetIssuer":"XLM:NATIVE","sourceAmount":"170.1372000","sourceBlockchain":"XLM","sourceAccount":"GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ","sourceTxId":"1424f2e6d98c9a49b52baeaac5906a4d9e1cf5071d7cb558331ec23b5238258c","customerId":"1acf0d0b10bd","checkoutId":"{i:012x}"}}"#
        )
    };
    let description = "\\u0424\\u0443\\u0442\\u0431\\u043e\\u043b\\u043a\\u0430 \\u2116 42, \\u0440\\u043e\\u0437\\u043c\\u0456\\u0440 XL";
    let line_item = |n: usize| {
        format!(
            r#"{{"description":"{description} ({n})","netAmount":10.5,"quantity":1,"productId":"SKU-{n:04}"}}"#
        )
    };
    let checkouts: Vec<String> = (0..250)
        .map(|i| {
            format!(
                r#"{{"id":"{i:012x}","timestamp":"2020-03-02T19:36:33+00:00","state":"COMPLETED","hostedCheckoutUrl":null,"payments":[{},{}],"payload":{{"charge":{{"currency":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","customerId":"1acf0d0b10bd","lineItems":[{},{},{}]}},"settlementCurrency":"USD"}}}}"#,
                payment(i, 0),
                payment(i, 1),
                line_item(1),
                line_item(2),
                line_item(3)
            )
        })
        .collect();
    format!(
        r#"{{"count":1000,"limit":250,"offset":0,"checkouts":[{}]}}"#,
        checkouts.join(",")
    )
}

fn repeat_in_array(item: &str, size: usize) -> String {
    let mut body = String::from("{\"a\":[");
    let mut first = true;
    while body.len() + item.len() + 3 <= size {
        if !first {
            body.push(',');
        }
        body.push_str(item);
        first = false;
    }
    body.push_str("]}");
    body
}

/// Both checks on one body, as one benchmark group.
fn bench_both(c: &mut Criterion, group: &str, cases: &[(&str, String)], limits: Limits) {
    let mut g = c.benchmark_group(group);
    for (name, body) in cases {
        assert!(body.len() <= limits.max_bytes, "{name}: {}", body.len());
        validate(body.as_bytes(), limits).unwrap();
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", name), body, |b, body| {
            b.iter(|| StrictObject::parse(black_box(body.as_bytes()), limits).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("validate", name), body, |b, body| {
            b.iter(|| validate(black_box(body.as_bytes()), limits).unwrap())
        });
    }
    g.finish();
}

/// The issue's measure: distinct keys against one long string, 60 KiB each; and against the same
/// tokens as array items (what the duplicate check itself adds).
fn distinct_keys_60k(c: &mut Criterion) {
    let cases = [
        ("long_string", long_string(BODY_60K)),
        ("distinct_keys", distinct_keys(BODY_60K)),
        ("same_tokens_in_array", same_tokens_in_array(BODY_60K)),
    ];
    bench_both(c, "json/60k", &cases, Limits::EVENTS);
}

/// Small bodies (callback and webhook size): the common case must stay as fast.
fn small_bodies(c: &mut Criterion) {
    let callback = r#"{"account_details": {"customer_id": "vj5het2c", "card": "4111 11** **** 1111", "holder": "IVAN PETRENKO", "bank": {"name": "PrivatBank", "bic": "PBANUA2X", "country": "UA"}}, "callback_type": "withdraw", "created": "2024-11-18 13:41:57", "description": "Payout for order \u2116 872734 (weekly settlement)", "payee_receive": 10.5, "payment_id": 872734, "payway": "card_usd", "processed": "2024-11-18 13:45:38", "ps_currency": 840, "ps_data": {"rrn": "432312345678", "auth_code": "A1B2C3", "fees": [0.25, 0.75, 1.0], "3ds": false, "steps": [{"at": "2024-11-18 13:41:57", "state": "created"}, {"at": "2024-11-18 13:43:12", "state": "sent"}, {"at": "2024-11-18 13:45:38", "state": "done"}]}, "shop_currency": 840, "shop_id": 112, "shop_payment_id": "lfhx9l0v8r5f", "shop_refund": 0.0, "shop_write_off": 11.5, "status": "success", "test_add_on": null, "client_price": "11.50", "error_code": 0, "addons": {"ip": "203.0.113.7", "ua": "Mozilla/5.0 (X11; Linux x86_64)"}, "note": "", "sign": "5f0c3b7e1f2a4d6c8b9a0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b"}"#;
    let status = r#"{"id":"6d6f3bd4d1b5","state":"RESOLVED","timestamp":"2020-03-02T21:37:10+02:00","creditAssetCode":"USD","creditAmount":"0.0100000","sourceAssetCode":"XLM","sourceAmount":"0.1701372","sourceBlockchain":"XLM","checkoutId":"82098fd51fcc"}"#;
    let cases = [
        ("callback_1k", callback.to_owned()),
        ("coinqvest_payment", status.to_owned()),
    ];
    bench_both(c, "json/small", &cases, Limits::EVENTS);
}

/// The hostile shapes at a limit's size: the worst case per limit.
fn shapes_at(size: usize, depth: usize) -> Vec<(&'static str, String)> {
    vec![
        ("long_string", long_string(size)),
        ("distinct_keys", distinct_keys(size)),
        ("escaped_keys", escaped_keys(size)),
        ("objects_of_32_keys", objects_of(32, size)),
        ("objects_of_33_keys", objects_of(33, size)),
        ("tiny_values", tiny_values(size)),
        ("deep_arrays", deep_arrays(size, depth)),
        ("escaped_string", escaped_string(size)),
    ]
}

fn at_event_limit(c: &mut Criterion) {
    let limits = Limits::EVENTS;
    let cases = shapes_at(limits.max_bytes, limits.max_depth);
    bench_both(c, "json/events_limit", &cases, limits);
}

fn at_response_limit(c: &mut Criterion) {
    let limits = Limits::RESPONSES;
    let mut cases = shapes_at(limits.max_bytes, limits.max_depth);
    cases.push(("checkouts_page_250", checkouts_page()));
    bench_both(c, "json/responses_limit", &cases, limits);
}

criterion_group!(fast, distinct_keys_60k, small_bodies, at_event_limit);
criterion_group! {
    name = large;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(4));
    targets = at_response_limit
}
criterion_main!(fast, large);
