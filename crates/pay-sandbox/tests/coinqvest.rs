//! COINQVEST endpoints over real loopback HTTP: digest/basic auth, shapes, errors, checkout and
//! withdrawal flows moving wallets, customers CRUD, signed webhooks and their retries.
#![allow(clippy::indexing_slicing)] // helpers outside #[test]: a failure is a failed test

mod support;

use http::Method;
use pay_signing::coinqvest::WebhookVerifier;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::{Harness, Receiver, assert_keys, dec, fast, now_unix};

const PAYMENT_KEYS: &[&str] = &[
    "id",
    "type",
    "state",
    "timestamp",
    "creditAssetCode",
    "creditAssetIssuer",
    "creditAmount",
    "sourceAssetCode",
    "sourceAssetIssuer",
    "sourceAmount",
    "sourceBlockchain",
    "sourceAccount",
    "sourceTxId",
    "customerId",
    "checkoutId",
];
const USD: &str = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";

async fn usd_balance(h: &Harness) -> Decimal {
    let w = h.cq_ok(Method::GET, "/wallet?assetCode=USD", None).await;
    dec(&w["wallet"]["balance"])
}

#[tokio::test]
async fn every_endpoint_answers_a_signed_request_in_the_documented_shape() {
    let receiver = Receiver::start(vec![(200, "")]).await;
    let h = Harness::start(fast()).await;

    // Service.
    assert_eq!(
        h.cq_ok(Method::GET, "/ping", None).await,
        json!({"success": true})
    );
    let t = h.cq_ok(Method::GET, "/time", None).await;
    assert!((t["time"].as_i64().unwrap() - now_unix()).abs() < 5);
    assert_eq!(
        h.cq_ok(Method::GET, "/auth-test", None).await,
        json!({"success": true})
    );
    let basic = h.cq_basic(Method::GET, "/auth-test").await;
    assert_eq!(
        (basic.status, basic.json()),
        (200, json!({"success": true}))
    );

    // Customers.
    let full = json!({"customer": {"email": "john@doe.com", "firstname": "John", "lastname": "Doe",
        "company": "ACME Inc.", "adr1": "810 Beach St", "adr2": "Finance Dept", "zip": "CA 94133",
        "city": "San Francisco", "countrycode": "US", "phonenumber": "+14156226819",
        "taxid": "US1234567890", "note": "Always pays on time.", "meta": {"reference": 123}}});
    let created = h
        .cq_ok(Method::POST, "/customer", Some(&full.to_string()))
        .await;
    assert_keys(&created, &["customerId"]);
    let cid = created["customerId"].as_str().unwrap().to_owned();
    assert_eq!(cid.len(), 12);
    let c = h
        .cq_ok(Method::GET, &format!("/customer?id={cid}"), None)
        .await;
    assert_keys(
        &c["customer"],
        &[
            "id",
            "email",
            "firstname",
            "lastname",
            "name",
            "company",
            "adr1",
            "adr2",
            "zip",
            "city",
            "countrycode",
            "country",
            "phonenumber",
            "taxid",
            "note",
            "meta",
            "inserttime",
            "updatetime",
            "invoiceable",
        ],
    );
    assert_eq!(c["customer"]["name"], "John Doe");
    assert_eq!(c["customer"]["country"], "United States");
    assert_eq!(c["customer"]["invoiceable"], true);
    // PUT: null unsets, absent keeps.
    let patch = json!({"customer": {"id": cid, "adr1": null, "note": "changed"}});
    assert_eq!(
        h.cq_ok(Method::PUT, "/customer", Some(&patch.to_string()))
            .await,
        json!({"success": true})
    );
    let c = h
        .cq_ok(Method::GET, &format!("/customer?id={cid}"), None)
        .await["customer"]
        .clone();
    assert_eq!(c["adr1"], Value::Null);
    assert_eq!(c["note"], "changed");
    assert_eq!(c["city"], "San Francisco");
    assert_eq!(c["invoiceable"], false);
    // POST with an existing email updates instead of creating.
    let again = json!({"customer": {"email": "john@doe.com", "adr1": "1 Main St"}});
    assert_eq!(
        h.cq_ok(Method::POST, "/customer", Some(&again.to_string()))
            .await["customerId"],
        cid
    );
    let list = h
        .cq_ok(Method::GET, "/customers?limit=250&offset=0", None)
        .await;
    assert_keys(&list, &["count", "limit", "offset", "customers"]);
    assert_eq!(
        (list["count"].as_u64(), list["limit"].clone()),
        (Some(1), json!("250"))
    );

    // White-label checkout: total = (10 - 0.5 + 3.99) + (10 - 0.5) * 0.0825 = 14.27375.
    let payload = json!({"charge": {"customerId": cid, "currency": "USD",
        "lineItems": [{"description": "T-Shirt", "netAmount": 10, "quantity": 1, "productId": "P1234"}],
        "discountItems": [{"description": "Loyalty Discount", "netAmount": 0.5}],
        "shippingCostItems": [{"description": "Shipping and Handling", "netAmount": 3.99, "taxable": false}],
        "taxItems": [{"name": "CA Sales Tax", "percent": 0.0825}]},
        "settlementCurrency": "USD", "webhook": receiver.url(),
        "links": {"cancelUrl": "https://www.merchant.com/cancel", "returnUrl": "https://www.merchant.com/return"}});
    let co = h
        .cq_ok(Method::POST, "/checkout", Some(&payload.to_string()))
        .await;
    assert_keys(&co, &["id", "paymentMethods"]);
    let methods = co["paymentMethods"].as_array().unwrap();
    assert_keys(&methods[0], &["assetCode", "blockchain", "paymentAmount"]);
    let xlm = methods.iter().find(|m| m["assetCode"] == "XLM").unwrap();
    assert!(xlm["paymentAmount"].is_string());
    let id = co["id"].as_str().unwrap().to_owned();
    let commit = json!({"checkoutId": id, "assetCode": "XLM"});
    let dep = h
        .cq_ok(Method::POST, "/checkout/commit", Some(&commit.to_string()))
        .await;
    assert_keys(
        &dep,
        &["depositInstructions", "expirationTime", "checkoutId"],
    );
    assert_keys(
        &dep["depositInstructions"],
        &[
            "blockchain",
            "assetCode",
            "amount",
            "address",
            "memo",
            "memoType",
            "destinationTag",
        ],
    );
    assert_eq!(dep["depositInstructions"]["memoType"], "text");
    assert_eq!(dep["depositInstructions"]["amount"], xlm["paymentAmount"]);

    let hosted = h
        .cq_ok(
            Method::POST,
            "/checkout/hosted",
            Some(r#"{"charge":{"currency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10.00}]}}"#),
        )
        .await;
    assert_keys(&hosted, &["id", "url"]);
    assert!(
        hosted["url"]
            .as_str()
            .unwrap()
            .ends_with(hosted["id"].as_str().unwrap())
    );

    let got = h
        .cq_ok(Method::GET, &format!("/checkout?id={id}"), None)
        .await;
    assert_keys(
        &got["checkout"],
        &[
            "id",
            "timestamp",
            "state",
            "hostedCheckoutUrl",
            "payments",
            "payload",
        ],
    );
    assert_eq!(got["checkout"]["state"], "NEW_CHARGE");
    assert_eq!(got["checkout"]["payload"], payload);
    // The payload is echoed with its exact number tokens (10.00 stays 10.00).
    let raw = h
        .cq_at(
            Method::GET,
            &format!("/checkout?id={}", hosted["id"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert!(String::from_utf8_lossy(&raw.body).contains(r#""netAmount":10.00"#));

    // The customer pays: COMPLETED, wallet credited with the total, webhook verified.
    let before = usd_balance(&h).await;
    h.admin_ok(
        Method::POST,
        "/coinqvest/checkouts/complete",
        Some(json!({"checkout_id": id})),
    )
    .await;
    let got = h
        .cq_ok(Method::GET, &format!("/checkout?id={id}"), None)
        .await["checkout"]
        .clone();
    assert_eq!(got["state"], "COMPLETED");
    assert_keys(&got["payments"][0], PAYMENT_KEYS);
    assert_eq!(got["payments"][0]["creditAmount"], "14.2737500");
    assert_eq!(usd_balance(&h).await, before + Decimal::new(1_427_375, 5));
    let log = h
        .wait_deliveries("payment", |l| l.iter().any(|d| d["state"] == "delivered"))
        .await;
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 1);
    let hook = &receiver.bodies()[0];
    let auth = hook.headers["x-webhook-auth"].to_str().unwrap();
    let verifier = WebhookVerifier::new(h.sandbox.credentials().coinqvest_secret.clone());
    let event = verifier
        .verify(Some(auth), &hook.body)
        .expect("signed like COINQVEST");
    assert_eq!(event.get("checkoutId").unwrap().raw, format!("\"{id}\""));
    assert_eq!(hook.headers["user-agent"], "COINQVEST Webhook Engine 1.0.0");

    let list = h.cq_ok(Method::GET, "/checkouts?limit=1", None).await;
    assert_eq!(
        (
            list["count"].as_u64(),
            list["checkouts"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    assert_eq!(list["offset"], 0);

    // Payments.
    let pid = got["payments"][0]["id"].as_str().unwrap();
    let p = h
        .cq_ok(Method::GET, &format!("/payment?id={pid}"), None)
        .await;
    assert_keys(&p["payment"], PAYMENT_KEYS);
    let ps = h.cq_ok(Method::GET, "/payments", None).await;
    assert_keys(&ps, &["count", "limit", "offset", "payments"]);
    assert_eq!(ps["limit"], 250);

    // Wallets.
    let ws = h.cq_ok(Method::GET, "/wallets", None).await;
    assert_keys(
        &ws["wallets"][0],
        &["assetCode", "type", "balance", "assets"],
    );
    assert_keys(
        &ws["wallets"][0]["assets"][0],
        &["id", "issuerName", "issuerDomain", "balance", "path"],
    );

    // Two-step withdrawal: nothing moves until the commit.
    let before = usd_balance(&h).await;
    let req = json!({"sourceAsset": USD, "sourceAmount": "100", "targetNetwork": "NGN",
                     "targetAccount": {"nuban": "3080494548", "bankName": "FirstBank"}});
    let w = h
        .cq_ok(Method::POST, "/withdrawal", Some(&req.to_string()))
        .await["withdrawal"]
        .clone();
    assert_keys(
        &w,
        &[
            "id",
            "type",
            "state",
            "origin",
            "timestamp",
            "sourceAssetCode",
            "sourceAssetIssuer",
            "sourceAmount",
            "targetAssetCode",
            "targetAssetIssuer",
            "targetAmount",
            "withdrawalFee",
            "targetBlockchain",
            "targetFiatCurrency",
            "transactionId",
            "targetAccount",
        ],
    );
    assert_eq!(
        (w["state"].as_str(), w["targetAssetCode"].as_str()),
        (Some("PENDING_API_COMMIT"), Some("NGNT"))
    );
    assert_eq!(w["transactionId"], Value::Null);
    assert_eq!(usd_balance(&h).await, before);
    let wid = w["id"].as_str().unwrap();
    let c = h
        .cq_ok(
            Method::POST,
            "/withdrawal/commit",
            Some(&json!({"withdrawalId": wid}).to_string()),
        )
        .await["withdrawal"]
        .clone();
    assert_eq!(c["state"], "COMPLETED");
    assert_eq!(c["transactionId"].as_str().unwrap().len(), 64);
    assert_eq!(usd_balance(&h).await, before - Decimal::new(100, 0));
    let one = h
        .cq_ok(Method::GET, &format!("/withdrawal?id={wid}"), None)
        .await;
    assert_eq!(one["withdrawal"]["targetFiatCurrency"], "NGN");
    let all = h.cq_ok(Method::GET, "/withdrawals", None).await;
    assert_eq!(all["withdrawals"][0]["targetFiatCurrencyId"], "NGN");
    assert!(all["withdrawals"][0].get("targetFiatCurrency").is_none());

    // Reference data.
    let issuers = h.cq_ok(Method::GET, "/asset-issuers", None).await;
    assert_keys(
        &issuers["assetIssuers"][0],
        &[
            "id",
            "name",
            "domain",
            "address",
            "country",
            "type",
            "checkouts",
            "withdrawals",
            "asset",
            "blockchain",
            "fiatCurrency",
        ],
    );
    let one = h
        .cq_ok(Method::GET, &format!("/asset-issuer?id={USD}"), None)
        .await;
    assert_eq!(one["assetIssuer"]["name"], "AnchorUSD");
    let assets = h.cq_ok(Method::GET, "/assets", None).await;
    assert_keys(
        &assets["assets"][0],
        &["id", "code", "name", "type", "issuer"],
    );
    let one = h.cq_ok(Method::GET, "/asset?id=XLM:NATIVE", None).await;
    assert_eq!(one["asset"]["code"], "XLM");
    let fiats = h.cq_ok(Method::GET, "/fiat-currencies", None).await;
    assert_keys(
        &fiats["fiatCurrencies"][0],
        &[
            "name",
            "assetCode",
            "assetName",
            "minChargeAmount",
            "assetIssuers",
        ],
    );
    let usd = h
        .cq_ok(Method::GET, "/fiat-currency?assetCode=USD", None)
        .await;
    assert_eq!(usd["fiatCurrency"][0]["assetCode"], "USD");
    let chains = h.cq_ok(Method::GET, "/blockchains", None).await;
    assert_keys(
        &chains["blockchains"][0],
        &[
            "name",
            "nativeAssetCode",
            "nativeAssetName",
            "minChargeAmount",
            "assetIssuers",
        ],
    );
    let btc = h
        .cq_ok(Method::GET, "/blockchain?assetCode=BTC", None)
        .await;
    assert_eq!(btc["blockchain"][0]["nativeAssetCode"], "BTC");

    // Delete.
    let del = json!({"id": cid});
    assert_eq!(
        h.cq_ok(Method::DELETE, "/customer", Some(&del.to_string()))
            .await,
        json!({"success": true})
    );
    let (status, _) = h
        .cq(Method::GET, &format!("/customer?id={cid}"), None)
        .await;
    assert_eq!(status, 404);
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn authentication_failures_have_the_real_shapes() {
    let h = Harness::start(fast()).await;
    let base = h.sandbox.coinqvest_base_url();
    // No credentials.
    let a = h
        .send(Method::GET, &format!("{base}/auth-test"), &[], Vec::new())
        .await
        .unwrap();
    assert_eq!(a.status, 401);
    assert!(a.json()["errors"][0].is_string());
    // Public endpoints need none.
    let a = h
        .send(Method::GET, &format!("{base}/ping"), &[], Vec::new())
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    // Stale (31 s) and future timestamps.
    let stale = h
        .cq_at(Method::GET, "/auth-test", None, Some(now_unix() - 31))
        .await;
    assert_eq!(stale.status, 403);
    assert!(
        stale.json()["errors"][0]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    let ok = h
        .cq_at(Method::GET, "/auth-test", None, Some(now_unix() - 20))
        .await;
    assert_eq!(ok.status, 200);
    let future = h
        .cq_at(Method::GET, "/auth-test", None, Some(now_unix() + 60))
        .await;
    assert_eq!(future.status, 403);
    // Wrong signature, wrong key, wrong basic hash.
    let good = |sig: &str, key: &str| {
        vec![
            ("x-digest-key", key.to_owned()),
            ("x-digest-timestamp", now_unix().to_string()),
            ("x-digest-signature", sig.to_owned()),
        ]
    };
    let key = h.sandbox.credentials().coinqvest_key.clone();
    let a = h
        .send(
            Method::GET,
            &format!("{base}/auth-test"),
            &good(&"0".repeat(64), &key),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!((a.status, a.json()["errors"].is_array()), (401, true));
    let a = h
        .send(
            Method::GET,
            &format!("{base}/auth-test"),
            &good(&"0".repeat(64), "other"),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 401);
    let a = h
        .send(
            Method::GET,
            &format!("{base}/auth-test"),
            &[("x-basic", "00".repeat(32))],
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 401);
    // The body is signed: a byte changed after signing is refused.
    let creds = h.sandbox.credentials();
    let signer = pay_signing::coinqvest::DigestSigner::new(
        &creds.coinqvest_key,
        creds.coinqvest_secret.clone(),
    );
    let signed = signer.sign(
        "/customer",
        now_unix(),
        &Method::POST,
        br#"{"customer":{"email":"a@b.c"}}"#,
    );
    let a = h
        .send(
            Method::POST,
            &format!("{base}/customer"),
            &[
                ("x-digest-key", signed.key),
                ("x-digest-timestamp", signed.timestamp),
                ("x-digest-signature", signed.signature),
            ],
            br#"{"customer":{"email":"x@b.c"}}"#.to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 401);
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn parameter_and_lookup_errors() {
    let h = Harness::start(fast()).await;
    for (method, path, body, status) in [
        (Method::POST, "/checkout", Some("{}"), 400),
        (
            Method::POST,
            "/checkout",
            Some(r#"{"charge":{"currency":"USD","lineItems":[]}}"#),
            400,
        ),
        (
            Method::POST,
            "/checkout",
            Some(
                r#"{"charge":{"currency":"ZZZ","lineItems":[{"description":"a","netAmount":1}]}}"#,
            ),
            400,
        ),
        (Method::POST, "/checkout", Some("{not json"), 400),
        (Method::POST, "/checkout", Some(r#"{"a":1,"a":2}"#), 400),
        (
            Method::POST,
            "/checkout/commit",
            Some(r#"{"checkoutId":"000000000000","assetCode":"BTC"}"#),
            404,
        ),
        (Method::GET, "/checkout", None, 400),
        (Method::GET, "/checkout?id=000000000000", None, 404),
        (Method::GET, "/payment?id=000000000000", None, 404),
        (Method::GET, "/withdrawal?id=000000000000", None, 404),
        (
            Method::POST,
            "/withdrawal/commit",
            Some(r#"{"withdrawalId":"000000000000"}"#),
            404,
        ),
        (
            Method::POST,
            "/withdrawal",
            Some(
                r#"{"sourceAsset":"XLM:NATIVE","sourceAmount":"1","targetNetwork":"BTC","targetAccount":{}}"#,
            ),
            400,
        ),
        (Method::GET, "/customer?id=000000000000", None, 404),
        (
            Method::PUT,
            "/customer",
            Some(r#"{"customer":{"id":"000000000000"}}"#),
            404,
        ),
        (
            Method::DELETE,
            "/customer",
            Some(r#"{"id":"000000000000"}"#),
            404,
        ),
        (
            Method::POST,
            "/customer",
            Some(r#"{"customer":{"firstname":"No Email"}}"#),
            400,
        ),
        (Method::GET, "/wallet?assetCode=ZZZ", None, 404),
        (Method::GET, "/asset?id=NOPE:X", None, 404),
        (Method::GET, "/checkouts?limit=x", None, 400),
        (Method::GET, "/no-such-endpoint", None, 404),
        (Method::PATCH, "/customer", Some("{}"), 405),
    ] {
        let a = h.cq_at(method.clone(), path, body, None).await;
        assert_eq!(
            a.status,
            status,
            "{method} {path}: {}",
            String::from_utf8_lossy(&a.body)
        );
        let errors = &a.json()["errors"];
        assert!(
            errors.is_array() && errors[0].is_string(),
            "{method} {path}: {errors}"
        );
    }
    // Insufficient funds on a withdrawal.
    let req = json!({"sourceAsset": USD, "sourceAmount": "100000", "targetNetwork": "EUR",
                     "targetAccount": {"iban": "DE23100110012624331587", "swift": "NTSBDEB1XXX"}});
    let (status, body) = h
        .cq(Method::POST, "/withdrawal", Some(&req.to_string()))
        .await;
    assert_eq!(status, 400, "{body}");
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn webhooks_are_retried_until_200() {
    let receiver = Receiver::start(vec![(500, "no"), (404, "no"), (200, "")]).await;
    let h = Harness::start(fast().coinqvest_webhook_url(receiver.url())).await;
    let co = h
        .cq_ok(
            Method::POST,
            "/checkout/hosted",
            Some(r#"{"charge":{"currency":"EUR","lineItems":[{"description":"Book","netAmount":"20.00"}]},"settlementCurrency":"USD"}"#),
        )
        .await;
    h.admin_ok(
        Method::POST,
        "/coinqvest/checkouts/complete",
        Some(json!({"checkout_id": co["id"], "asset_code": "BTC"})),
    )
    .await;
    let log = h
        .wait_deliveries("payment", |l| {
            l.first().is_some_and(|d| d["state"] == "delivered")
        })
        .await;
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(receiver.bodies().len(), 3);
    let body: Value = serde_json::from_slice(&receiver.bodies()[2].body).unwrap();
    assert_eq!(body["creditAssetCode"], "USD");
    assert_eq!(body["creditAmount"], "21.6000000"); // 20 EUR at 1.08
    assert_eq!(body["sourceAssetCode"], "BTC");
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn underpaid_expired_and_late_checkouts() {
    let h = Harness::start(fast()).await;
    let minimal =
        r#"{"charge":{"currency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10}]}}"#;
    let before = usd_balance(&h).await;
    let under = h.cq_ok(Method::POST, "/checkout", Some(minimal)).await["id"].clone();
    h.admin_ok(
        Method::POST,
        "/coinqvest/checkouts/underpay",
        Some(json!({"checkout_id": under, "ratio": "0.4"})),
    )
    .await;
    let c = h
        .cq_ok(
            Method::GET,
            &format!("/checkout?id={}", under.as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(c["checkout"]["state"], "UNRESOLVED_UNDERPAID");
    assert_eq!(c["checkout"]["payments"][0]["state"], "UNRESOLVED");
    assert_eq!(
        usd_balance(&h).await,
        before,
        "not credited while unresolved"
    );
    h.admin_ok(
        Method::POST,
        "/coinqvest/checkouts/resolve",
        Some(json!({"checkout_id": under})),
    )
    .await;
    assert_eq!(usd_balance(&h).await, before + Decimal::new(4, 0));

    // Past the 60-minute window a new checkout expires; a late payment is DELAYED_COMPLETED.
    let late = h.cq_ok(Method::POST, "/checkout", Some(minimal)).await["id"].clone();
    h.admin_ok(
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 3601})),
    )
    .await;
    // The client must now sign with the server's time (GET /time is public).
    let server_time = h.cq_ok(Method::GET, "/time", None).await["time"]
        .as_i64()
        .unwrap();
    let stale = h.cq_at(Method::GET, "/auth-test", None, None).await;
    assert_eq!(
        stale.status, 403,
        "local clock is an hour behind the sandbox now"
    );
    let path = format!("/checkout?id={}", late.as_str().unwrap());
    let c = h
        .cq_at(Method::GET, &path, None, Some(server_time))
        .await
        .json();
    assert_eq!(c["checkout"]["state"], "EXPIRED");
    h.admin_ok(
        Method::POST,
        "/coinqvest/checkouts/complete",
        Some(json!({"checkout_id": late})),
    )
    .await;
    let c = h
        .cq_at(Method::GET, &path, None, Some(server_time))
        .await
        .json();
    assert_eq!(c["checkout"]["state"], "DELAYED_COMPLETED");
    assert_eq!(
        usd_balance_at(&h, server_time).await,
        before + Decimal::new(14, 0)
    );
    h.sandbox.shutdown().await;
}

async fn usd_balance_at(h: &Harness, ts: i64) -> Decimal {
    let w = h
        .cq_at(Method::GET, "/wallet?assetCode=USD", None, Some(ts))
        .await
        .json();
    dec(&w["wallet"]["balance"])
}
