//! Signing benchmarks: the per-request and per-event costs of pay-signing.
//!
//! Targets (docs/benchmarks.md): Qostiq request sign ≤ 1 µs; callback verify ≤ 5 µs for a 1 KiB
//! callback; COINQVEST digest sign of a 400-byte body ≤ 2 µs.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // benchmark harness code

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::Method;
use pay_core::json::{Limits, StrictObject};
use pay_core::secret::Secret;
use pay_signing::coinqvest::{DigestSigner, WebhookVerifier, sign_webhook};
use pay_signing::qostiq::{self, CallbackVerifier, sign_callback};

const QOSTIQ_SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";
const COINQVEST_SECRET: &str = "Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx";

/// A realistic withdraw callback with a nested `account_details` and custom fields the shop passed
/// (`x_settlement`, `x_client`: arrays and objects), about 1 KiB.
fn callback_1k() -> String {
    let body = br#"{"account_details": {"customer_id": "vj5het2c", "card": "4111 11** **** 1111", "holder": "IVAN PETRENKO", "bank": {"name": "PrivatBank", "bic": "PBANUA2X", "country": "UA"}}, "callback_type": "withdraw", "created": "2024-11-18 13:41:57", "description": "Payout for order \u2116 872734 (weekly settlement)", "payee_receive": 10.5, "payment_id": 872734, "payway": "card_usd", "processed": "2024-11-18 13:45:38", "ps_currency": 840, "shop_currency": 840, "shop_id": 112, "shop_payment_id": "lfhx9l0v8r5f", "shop_write_off": 11.5, "status": "success", "test_add_on": null, "x_settlement": {"rrn": "432312345678", "auth_code": "A1B2C3", "fees": [0.25, 0.75, 1.0], "3ds": false, "steps": [{"at": "2024-11-18 13:41:57", "state": "created"}, {"at": "2024-11-18 13:43:12", "state": "sent"}, {"at": "2024-11-18 13:45:38", "state": "done"}]}, "x_client": {"ip": "203.0.113.7", "ua": "Mozilla/5.0 (X11; Linux x86_64)", "lang": "uk-UA"}, "x_note": ""}"#;
    sign_callback(&Secret::new(QOSTIQ_SECRET).unwrap(), body).unwrap()
}

/// A COINQVEST checkout webhook of about 1 KiB.
fn webhook_1k() -> Vec<u8> {
    br#"{"eventType":"CHECKOUT_COMPLETED","data":{"checkout":{"id":"cb69affabf53","state":"COMPLETED","type":"HOSTED","timestamp":"2020-03-02T16:04:50+02:00","charge":{"billingCurrency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10,"quantity":1}],"total":"10.0000000"},"payments":[{"id":"6d6f3bd4d1b5","tx":"023ee4f1b5b1fd0f30c5a9b4e9c72b4dff1a0dff52c63a05a9e1b1c82b5e3f7a","sourceAccount":"GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ","sourceAmount":"0.1728238","sourceAsset":"XLM:NATIVE","sourceBlockchain":"XLM","destinationAmount":"10.0000000","destinationAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","destinationBlockchain":"XLM","timestamp":"2020-03-02T16:04:50+02:00"}],"settlementAmountReceived":"10.0000000","settlementAmountRequired":"10.0000000","settlementAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","settlementAssetCode":"USD","customerId":"c2a1e1e2f3a4","webhook":"https://shop.example/hooks/coinqvest","pageSettings":{"displaySellerInfo":true,"shopName":"Example Shop","lang":"en"}}}}"#
        .to_vec()
}

/// A 400-byte COINQVEST request body (a hosted checkout).
fn checkout_400() -> Vec<u8> {
    let mut body = String::from(
        r#"{"charge":{"billingCurrency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10,"quantity":1}]},"settlementAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","webhook":"https://shop.example/hooks/coinqvest","links":{"returnUrl":"https://shop.example/return","cancelUrl":"https://shop.example/cancel"},"pageSettings":{"#,
    );
    // `"shopName":"` + padding + `"}}` brings it to exactly 400 bytes.
    let pad = 400usize.saturating_sub(body.len() + 15);
    body.push_str(r#""shopName":""#);
    body.push_str(&"x".repeat(pad));
    body.push_str(r#""}}"#);
    body.into_bytes()
}

fn qostiq_request_sign(c: &mut Criterion) {
    let secret = Secret::new(QOSTIQ_SECRET).unwrap();
    // /withdraw/create's seven signed values, in key order.
    let values = [
        "4111111111111111",
        "10.00",
        "ps_amount",
        "card_uah",
        "980",
        "112",
        "lfhx9l0v8r5f",
    ];
    c.bench_function("qostiq/request_sign/withdraw_create", |b| {
        b.iter(|| qostiq::sign(&secret, black_box(&values)))
    });
    let body = br#"{"account": "4111111111111111", "amount": "10.00", "amount_type": "ps_amount", "payway": "card_uah", "shop_currency": 980, "shop_id": 112, "shop_payment_id": "lfhx9l0v8r5f", "description": "payout"}"#;
    c.bench_function("qostiq/request_sign_body/withdraw_create", |b| {
        b.iter(|| {
            let object = StrictObject::parse(black_box(body), Limits::default()).unwrap();
            qostiq::sign_body("/withdraw/create", &object, &secret).unwrap()
        })
    });
}

fn qostiq_callback_verify(c: &mut Criterion) {
    let body = callback_1k();
    let verifier = CallbackVerifier::new(Secret::new(QOSTIQ_SECRET).unwrap())
        .custom_fields(["test_add_on", "x_settlement", "x_client", "x_note"])
        .unwrap();
    assert!(verifier.verify(body.as_bytes()).is_ok());
    let mut group = c.benchmark_group("qostiq/callback_verify");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(format!("{}B_nested", body.len()), |b| {
        b.iter(|| verifier.verify(black_box(body.as_bytes())).unwrap())
    });
    // Breakdown: the strict parse alone, and the server-form string to sign (parse + render).
    group.bench_function("breakdown/strict_parse", |b| {
        b.iter(|| StrictObject::parse(black_box(body.as_bytes()), Limits::EVENTS).unwrap())
    });
    group.bench_function("breakdown/parse_and_render", |b| {
        b.iter(|| qostiq::explain_callback(black_box(body.as_bytes())).unwrap())
    });
    group.finish();
}

fn coinqvest_digest_sign(c: &mut Criterion) {
    let body = checkout_400();
    assert_eq!(body.len(), 400);
    let signer = DigestSigner::new("a1b2c3d4e5f6", Secret::new(COINQVEST_SECRET).unwrap());
    let mut group = c.benchmark_group("coinqvest/digest_sign");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("400B_post", |b| {
        b.iter(|| {
            signer.sign(
                black_box("/checkout/hosted"),
                black_box(1_600_000_000),
                &Method::POST,
                black_box(&body),
            )
        })
    });
    group.finish();
}

fn coinqvest_webhook_verify(c: &mut Criterion) {
    let body = webhook_1k();
    let secret = Secret::new(COINQVEST_SECRET).unwrap();
    let auth = sign_webhook(&secret, &body);
    let verifier = WebhookVerifier::new(secret);
    assert!(verifier.verify(Some(&auth), &body).is_ok());
    let mut group = c.benchmark_group("coinqvest/webhook_verify");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(format!("{}B", body.len()), |b| {
        b.iter(|| verifier.verify(Some(&auth), black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(
    benches,
    qostiq_request_sign,
    qostiq_callback_verify,
    coinqvest_digest_sign,
    coinqvest_webhook_verify
);
criterion_main!(benches);
