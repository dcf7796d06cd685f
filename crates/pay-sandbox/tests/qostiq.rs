//! Qostiq endpoints over real loopback HTTP: shapes, verification errors, balances, lifecycles,
//! signed callbacks and their retries.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

mod support;

use http::Method;
use pay_signing::qostiq::CallbackVerifier;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::{Harness, Receiver, assert_keys, dec, fast};

const NOW: &str = "2024-11-18 13:41:57.000000";

async fn balance(h: &Harness, currency: u64) -> (Decimal, Decimal) {
    let data = h
        .qostiq_ok("/shop_balance", json!({"now": NOW, "shop_id": h.shop_id()}))
        .await;
    let line = data["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == currency)
        .unwrap()
        .clone();
    (dec(&line["available"]), dec(&line["frozen"]))
}

#[tokio::test]
async fn every_endpoint_answers_a_signed_request_in_the_documented_shape() {
    let h = Harness::start(fast()).await;
    let shop = h.shop_id();

    let bill = h
        .qostiq_shaped(
            "/bill/create",
            json!({"description": "Test Bill", "payer_currency": 980, "shop_amount": "23.15",
                   "shop_currency": 980, "shop_id": shop.to_string(), "shop_order_id": 4239}),
            &[
                "created",
                "id",
                "lifetime",
                "payer_account",
                "payer_currency",
                "payer_price",
                "shop_amount",
                "shop_currency",
                "shop_id",
                "shop_order_id",
                "shop_refund",
                "url",
            ],
        )
        .await;
    assert_eq!(bill["shop_amount"].to_string(), "23.15");
    assert_eq!(bill["shop_order_id"], 4239);
    assert!(bill["created"].as_str().unwrap().ends_with(" GMT"));

    let v2 = h
        .qostiq_ok(
            "/bill/create/v2",
            json!({"currency": 840, "now": 1687520474, "shop_id": shop, "shop_order_id": "v2-free"}),
        )
        .await;
    assert_eq!(v2["shop_amount"], Value::Null);
    assert_eq!(v2["lifetime"], 90);

    let status = h
        .qostiq_shaped(
            "/bill/shop_order_status",
            json!({"now": NOW, "shop_id": shop, "shop_order_id": "4239"}),
            &[
                "client_price",
                "created",
                "description",
                "is_unique",
                "payment_id",
                "payway",
                "processed",
                "ps_currency",
                "ps_data",
                "shop_amount",
                "shop_currency",
                "shop_id",
                "shop_order_id",
                "shop_refund",
                "status",
            ],
        )
        .await;
    assert_eq!(status["status"], 1);
    assert_eq!(status["is_unique"], true);

    let t = h
        .qostiq_shaped(
            "/transfer/try",
            json!({"amount": "1.11", "amount_type": "receive_amount", "payee_currency": 978,
                   "shop_currency": 840, "shop_id": shop}),
            &[
                "account_info_config",
                "info",
                "payee_amount",
                "payee_currency",
                "shop_currency",
                "write_off_amount",
            ],
        )
        .await;
    assert_eq!(dec(&t["write_off_amount"]), Decimal::new(120, 2)); // 1.11 EUR at 1.08

    h.qostiq_shaped(
        "/transfer/create",
        json!({"amount": "10", "amount_type": "receive_amount", "payee_account": "201497141132",
                   "payee_currency": 980, "shop_currency": 980, "shop_id": shop,
                   "shop_payment_id": "tr-1"}),
        &[
            "balance",
            "id",
            "payee_account",
            "payee_amount",
            "payee_currency",
            "shop",
            "shop_currency",
            "write_off_amount",
        ],
    )
    .await;
    h.qostiq_shaped(
        "/transfer/shop_payment_status",
        json!({"now": NOW, "shop_id": shop, "shop_payment_id": "tr-1"}),
        &[
            "id",
            "payee_currency",
            "receive_amount",
            "shop_currency",
            "shop_payment_id",
            "write_off_amount",
        ],
    )
    .await;

    let wt = h
        .qostiq_shaped(
            "/withdraw/try",
            json!({"amount": "1", "amount_type": "ps_amount", "payway": "card_uah",
                   "shop_currency": 980, "shop_id": shop}),
            &[
                "account_info_config",
                "info",
                "payee_receive",
                "ps_currency",
                "shop_currency",
                "shop_write_off",
            ],
        )
        .await;
    assert_eq!(wt["shop_write_off"].to_string(), "1.02");

    let ca = h
        .qostiq_shaped(
            "/check_account",
            json!({"account": "4111111111111111", "amount": 1, "payway": "card_uah", "shop_id": shop}),
            &["account_info", "provider_status", "result"],
        )
        .await;
    assert_eq!(ca["result"], true);

    let wc = h
        .qostiq_shaped(
            "/withdraw/create",
            json!({"account": "4111111111111111", "amount": 1, "amount_type": "ps_amount",
                   "payway": "card_uah", "shop_currency": 980, "shop_id": shop,
                   "shop_payment_id": "w-shape"}),
            &[
                "balance",
                "id",
                "payee_receive",
                "ps_currency",
                "shop_currency",
                "shop_payment_id",
                "shop_write_off",
                "status",
            ],
        )
        .await;
    let id = wc["id"].as_u64().unwrap();
    h.qostiq_shaped(
        "/withdraw/status",
        json!({"now": NOW, "shop_id": shop, "withdraw_id": id}),
        &[
            "id",
            "payee_receive",
            "ps_currency",
            "shop_currency",
            "shop_payment_id",
            "shop_write_off",
            "status",
        ],
    )
    .await;
    let wsp = h
        .qostiq_ok(
            "/withdraw/shop_payment_status",
            json!({"now": NOW, "shop_id": shop, "shop_payment_id": "w-shape"}),
        )
        .await;
    assert_eq!(wsp["id"], id);

    h.qostiq_shaped(
        "/account/register",
        json!({"email": "a@example.com", "now": "30.06.2017 10:12:44", "shop_id": shop}),
        &["account_number", "email"],
    )
    .await;

    let bal = h
        .qostiq_shaped(
            "/shop_balance",
            json!({"now": NOW, "shop_id": shop}),
            &["balances", "shop_id"],
        )
        .await;
    assert_keys(
        &bal["balances"][0],
        &["available", "currency", "frozen", "hold", "rolling_reserve"],
    );

    let input = h
        .qostiq_ok(
            "/shop_input_config/shop",
            json!({"now": NOW, "shop_id": shop}),
        )
        .await;
    assert_keys(&input[0], &["id", "name", "payways", "rating"]);
    assert_keys(
        &input[0]["payways"][0],
        &[
            "add_ons_config",
            "alias",
            "currency",
            "fee_config",
            "fee_part_config",
            "id",
            "is_active",
            "max_amount",
            "min_amount",
        ],
    );
    let output = h
        .qostiq_ok(
            "/shop_output_config/shop",
            json!({"now": NOW, "shop_id": shop}),
        )
        .await;
    assert_eq!(output[1]["is_transfer_config"], true);

    let ctry = h
        .qostiq_ok(
            "/crypto/withdraw/try",
            json!({"amount": "1", "amount_type": "ps_amount", "now": 1655738319,
                   "payway": "ton_ton", "shop_currency": "TON", "shop_id": shop}),
        )
        .await;
    assert_eq!(
        ctry,
        json!({"payee_currency": "TON", "payee_receive": "1",
                            "shop_currency": "TON", "shop_write_off": "1.005"})
    );
    let cc = h
        .qostiq_shaped(
            "/crypto/withdraw/create",
            json!({"account": "EQC67_9GtyJveay9fYwjuOUg2VvokASM3xI7MQ7R84UzC2Qx",
                   "account_details": {"comment": "12345678"}, "amount": "1",
                   "amount_type": "ps_amount", "now": 1655802380, "payway": "ton_ton",
                   "shop_currency": "TON", "shop_id": shop, "shop_payment_id": "c-1"}),
            &[
                "balance",
                "id",
                "payee_address",
                "payee_currency",
                "payee_receive",
                "shop_currency",
                "shop_payment_id",
                "shop_write_off",
                "status",
            ],
        )
        .await;
    assert_eq!(cc["balance"], "98.995");
    let cs = h
        .qostiq_ok(
            "/crypto/withdraw/status",
            json!({"now": 1655802380, "shop_id": shop, "withdraw_id": cc["id"]}),
        )
        .await;
    assert_eq!(cs["shop_payment_id"], "c-1");
    let csp = h
        .qostiq_ok(
            "/crypto/withdraw/shop_payment_status",
            json!({"now": 1655802380, "shop_id": shop, "shop_payment_id": "c-1"}),
        )
        .await;
    assert_eq!(csp["id"], cc["id"]);
    let cb = h
        .qostiq_ok(
            "/crypto/shop_balance",
            json!({"now": 1655821138, "shop_id": shop}),
        )
        .await;
    assert_keys(
        &cb["balances"][0],
        &["available", "currency", "frozen", "hold"],
    );

    let it = h
        .qostiq_ok(
            "/invoice/try",
            json!({"amount": "12.34", "currency": 980, "payway": "card_uah", "shop_id": shop,
                   "shop_order_id": 4126}),
        )
        .await;
    assert_eq!(it["shop_refund"].to_string(), "11.6"); // 6% fee on the shop
    h.qostiq_shaped(
        "/invoice/create",
        json!({"amount": "12.34", "currency": 980, "payway": "card_uah", "shop_id": shop,
                   "shop_order_id": 4126}),
        &["data", "id", "method", "url"],
    )
    .await;
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn verification_errors_have_the_real_shapes_and_codes() {
    let h = Harness::start(fast()).await;
    let shop = h.shop_id();
    let fields = json!({"now": NOW, "shop_id": shop});

    // Invalid sign: code 1 on the older endpoints...
    let mut body: Value = serde_json::from_str(&h.qostiq_body("/shop_balance", &fields)).unwrap();
    body["sign"] = json!("0".repeat(64));
    let a = h.qostiq_raw("/shop_balance", body.to_string()).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json(),
        json!({"data": null, "error_code": 1, "message": "invalid sign", "result": false})
    );
    // ...and 10 on the newer ones.
    let crypto = json!({"now": 1655821138, "shop_id": shop});
    let mut body: Value =
        serde_json::from_str(&h.qostiq_body("/crypto/shop_balance", &crypto)).unwrap();
    body["now"] = json!(1655821139); // signed value changed after signing
    let a = h.qostiq_raw("/crypto/shop_balance", body.to_string()).await;
    assert_eq!(a.json()["error_code"], 10);
    assert_eq!(a.json()["message"], "invalid sign");

    // The server signs Python's str(): 10.50 as a JSON number is signed as "10.5".
    let (status, env) = h
        .qostiq(
            "/withdraw/try",
            serde_json::from_str(&format!(
                r#"{{"amount": 10.50, "amount_type": "ps_amount", "payway": "card_uah", "shop_currency": 980, "shop_id": {shop}}}"#
            ))
            .unwrap(),
        )
        .await;
    assert_eq!(
        (status, env["error_code"].as_i64()),
        (200, Some(0)),
        "{env}"
    );

    // Missing signed field: 10.
    let a = h
        .qostiq_raw(
            "/shop_balance",
            json!({"shop_id": shop, "sign": "00"}).to_string(),
        )
        .await;
    assert_eq!(a.status, 400);
    let env = a.json();
    assert_eq!(env["error_code"], 10);
    assert_eq!(env["result"], false);
    assert_eq!(env["data"], Value::Null);
    assert!(env["message"].as_str().unwrap().contains("now"));

    // Not JSON / duplicate keys: 10, never a crash.
    for bad in ["{", "[]", r#"{"now": 1, "now": 2}"#, "{\"a\": 1} trailing"] {
        let a = h.qostiq_raw("/shop_balance", bad.to_owned()).await;
        assert_eq!(
            (a.status, a.json()["error_code"].as_i64()),
            (400, Some(10)),
            "{bad}"
        );
    }

    // Unknown shop: 11.
    let (status, env) = h
        .qostiq("/shop_balance", json!({"now": NOW, "shop_id": 999_999}))
        .await;
    assert_eq!((status, env["error_code"].as_i64()), (400, Some(11)));

    // Unknown ids: 2000 by withdraw id, 7 by shop_payment_id / shop_order_id (HTTP 200).
    let (status, env) = h
        .qostiq(
            "/withdraw/status",
            json!({"now": NOW, "shop_id": shop, "withdraw_id": 3}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        env,
        json!({"data": null, "error_code": 2000, "message": "Withdraw (id=3) wasn't found", "result": false})
    );
    for (endpoint, key) in [
        ("/withdraw/shop_payment_status", "shop_payment_id"),
        ("/transfer/shop_payment_status", "shop_payment_id"),
        ("/bill/shop_order_status", "shop_order_id"),
    ] {
        let (status, env) = h
            .qostiq(endpoint, json!({"now": NOW, "shop_id": shop, key: "nope"}))
            .await;
        assert_eq!(
            (status, env["error_code"].as_i64()),
            (200, Some(7)),
            "{endpoint}: {env}"
        );
    }
    let (_, env) = h
        .qostiq(
            "/crypto/withdraw/shop_payment_status",
            json!({"now": 1, "shop_id": shop, "shop_payment_id": "nope"}),
        )
        .await;
    assert_eq!(env["error_code"], 7);

    // Duplicate shop_payment_id: HTTP 400, code 6 (and nothing moves).
    let create = json!({"account": "4111111111111111", "amount": "5", "amount_type": "ps_amount",
                        "payway": "card_uah", "shop_currency": 980, "shop_id": shop,
                        "shop_payment_id": "dup-1"});
    h.qostiq_ok("/withdraw/create", create.clone()).await;
    let before = balance(&h, 980).await;
    let (status, env) = h.qostiq("/withdraw/create", create).await;
    assert_eq!(
        (status, env["error_code"].as_i64()),
        (400, Some(6)),
        "{env}"
    );
    assert_eq!(balance(&h, 980).await, before);

    // shop_order_id uniqueness is a shop setting.
    let bill = json!({"payer_currency": 980, "shop_amount": "1.00", "shop_currency": 980,
                      "shop_id": shop, "shop_order_id": "order-1"});
    h.qostiq_ok("/bill/create", bill.clone()).await;
    let (status, env) = h.qostiq("/bill/create", bill.clone()).await;
    assert_eq!((status, env["error_code"].as_i64()), (400, Some(6)));
    h.admin_ok(
        Method::POST,
        "/qostiq/settings",
        Some(json!({"shop_order_id_unique": false})),
    )
    .await;
    h.qostiq_ok("/bill/create", bill).await;
    let st = h
        .qostiq_ok(
            "/bill/shop_order_status",
            json!({"now": NOW, "shop_id": shop, "shop_order_id": "order-1"}),
        )
        .await;
    assert_eq!(st["is_unique"], false);

    // Amount below the payway minimum: 4. Insufficient funds: 5.
    let (_, env) = h
        .qostiq(
            "/withdraw/try",
            json!({"amount": "0.5", "amount_type": "ps_amount", "payway": "card_uah",
                   "shop_currency": 980, "shop_id": shop}),
        )
        .await;
    assert_eq!(env["error_code"], 4);
    let (_, env) = h
        .qostiq(
            "/withdraw/create",
            json!({"account": "4111111111111111", "amount": "4000", "amount_type": "ps_amount",
                   "payway": "card_usd", "shop_currency": 840, "shop_id": shop,
                   "shop_payment_id": "too-much"}),
        )
        .await;
    assert_eq!(env["error_code"], 5);
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn balances_move_through_a_withdrawals_life() {
    let h = Harness::start(fast()).await;
    let shop = h.shop_id();
    let (avail0, frozen0) = balance(&h, 980).await;
    assert_eq!(frozen0, Decimal::ZERO);

    let create = |id: &str| {
        json!({"account": "4111111111111111", "amount": "100.00", "amount_type": "ps_amount",
               "payway": "card_uah", "shop_currency": 980, "shop_id": shop, "shop_payment_id": id})
    };
    // 100.00 + 2% fee = 102.00 frozen.
    let w = h.qostiq_ok("/withdraw/create", create("life-ok")).await;
    assert_eq!(w["shop_write_off"].to_string(), "102.0");
    assert_eq!(w["status"], 1);
    let wo = Decimal::new(10200, 2);
    assert_eq!(balance(&h, 980).await, (avail0 - wo, wo));
    assert_eq!(dec(&w["balance"]), avail0 - wo);

    for status in [3, 4, 9, 7] {
        h.admin_ok(
            Method::POST,
            "/qostiq/withdrawals/advance",
            Some(json!({"shop_payment_id": "life-ok", "status": status})),
        )
        .await;
        assert_eq!(
            balance(&h, 980).await,
            (avail0 - wo, wo),
            "non-final {status}"
        );
    }
    h.admin_ok(
        Method::POST,
        "/qostiq/withdrawals/advance",
        Some(json!({"shop_payment_id": "life-ok", "status": 5})),
    )
    .await;
    assert_eq!(balance(&h, 980).await, (avail0 - wo, Decimal::ZERO));
    // Final is final (only Success -> Refunded).
    let (status, _) = h
        .admin(
            Method::POST,
            "/qostiq/withdrawals/advance",
            Some(json!({"shop_payment_id": "life-ok", "status": 6})),
        )
        .await;
    assert_eq!(status, 409);

    // A rejected withdrawal gives the frozen funds back.
    h.qostiq_ok("/withdraw/create", create("life-rejected"))
        .await;
    assert_eq!(balance(&h, 980).await, (avail0 - wo - wo, wo));
    h.admin_ok(
        Method::POST,
        "/qostiq/withdrawals/advance",
        Some(json!({"shop_payment_id": "life-rejected", "status": 6, "rejected_reason": "Card blocked"})),
    )
    .await;
    assert_eq!(balance(&h, 980).await, (avail0 - wo, Decimal::ZERO));
    let st = h
        .qostiq_ok(
            "/withdraw/shop_payment_status",
            json!({"now": NOW, "shop_id": shop, "shop_payment_id": "life-rejected"}),
        )
        .await;
    assert_eq!(st["status"], 6);
    assert_eq!(st["rejected_reason"], "Card blocked");

    // A transfer debits at once; a paid bill credits.
    let t = h
        .qostiq_ok(
            "/transfer/create",
            json!({"amount": "50", "amount_type": "writeoff_amount", "payee_account": "a@b.example",
                   "payee_currency": 980, "shop_currency": 980, "shop_id": shop,
                   "shop_payment_id": "tr-life"}),
        )
        .await;
    assert_eq!(dec(&t["balance"]), avail0 - wo - Decimal::new(50, 0));
    h.qostiq_ok(
        "/bill/create",
        json!({"payer_currency": 980, "shop_amount": "25.50", "shop_currency": 980,
               "shop_id": shop, "shop_order_id": "bill-life"}),
    )
    .await;
    h.admin_ok(
        Method::POST,
        "/qostiq/bills/pay",
        Some(json!({"shop_order_id": "bill-life"})),
    )
    .await;
    assert_eq!(
        balance(&h, 980).await,
        (
            avail0 - wo - Decimal::new(50, 0) + Decimal::new(2550, 2),
            Decimal::ZERO
        )
    );
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn bill_lifecycle_paid_canceled_and_expired_by_lifetime() {
    let h = Harness::start(fast()).await;
    let shop = h.shop_id();
    let status_of = |id: &'static str| {
        let h = &h;
        async move {
            h.qostiq_ok(
                "/bill/shop_order_status",
                json!({"now": NOW, "shop_id": shop, "shop_order_id": id}),
            )
            .await["status"]
                .as_u64()
                .unwrap()
        }
    };
    for (id, lifetime) in [("b-paid", "60"), ("b-cancel", "60"), ("b-expire", "1")] {
        h.qostiq_ok(
            "/bill/create",
            json!({"payer_currency": 980, "shop_amount": "1.00", "shop_currency": 980,
                   "shop_id": shop, "shop_order_id": id, "lifetime": lifetime}),
        )
        .await;
    }
    h.admin_ok(
        Method::POST,
        "/qostiq/bills/pay",
        Some(json!({"shop_order_id": "b-paid"})),
    )
    .await;
    h.admin_ok(
        Method::POST,
        "/qostiq/bills/cancel",
        Some(json!({"shop_order_id": "b-cancel"})),
    )
    .await;
    assert_eq!(status_of("b-paid").await, 2);
    assert_eq!(status_of("b-cancel").await, 3);
    assert_eq!(status_of("b-expire").await, 1);
    h.admin_ok(Method::POST, "/clock/advance", Some(json!({"seconds": 61})))
        .await;
    assert_eq!(status_of("b-expire").await, 4);
    // A final bill cannot be paid.
    let (status, _) = h
        .admin(
            Method::POST,
            "/qostiq/bills/pay",
            Some(json!({"shop_order_id": "b-expire"})),
        )
        .await;
    assert_eq!(status, 409);
    // A free-amount v2 bill is paid with the amount the payer chose.
    h.qostiq_ok(
        "/bill/create/v2",
        json!({"currency": 840, "now": 1687520474, "shop_id": shop, "shop_order_id": "free"}),
    )
    .await;
    h.admin_ok(
        Method::POST,
        "/qostiq/bills/pay",
        Some(json!({"shop_order_id": "free", "amount": "7.25"})),
    )
    .await;
    let st = h
        .qostiq_ok(
            "/bill/shop_order_status",
            json!({"now": NOW, "shop_id": shop, "shop_order_id": "free"}),
        )
        .await;
    assert_eq!(
        (st["status"].as_u64(), st["shop_amount"].to_string()),
        (Some(2), "7.25".into())
    );
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn callbacks_are_signed_and_retried_until_ok() {
    // Fails twice (500, then 200 with a wrong body), then answers OK: exactly 3 deliveries.
    let receiver = Receiver::start(vec![(500, "error"), (200, "NOT OK"), (200, "OK")]).await;
    let h = Harness::start(fast().qostiq_callback_url(receiver.url())).await;
    let shop = h.shop_id();
    h.qostiq_ok(
        "/withdraw/create",
        json!({"account": "4111111111111111", "account_details": {"customer_id": "12345678"},
               "amount": "10.50", "amount_type": "ps_amount", "description": "example",
               "payway": "card_usd", "shop_currency": 840, "shop_id": shop,
               "shop_payment_id": "cb-1", "test_add_on": "echoed"}),
    )
    .await;
    h.admin_ok(
        Method::POST,
        "/qostiq/withdrawals/advance",
        Some(json!({"shop_payment_id": "cb-1", "status": 5})),
    )
    .await;
    let log = h
        .wait_deliveries("withdraw", |l| {
            l.first().is_some_and(|d| d["state"] == "delivered")
        })
        .await;
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 3);
    let got = receiver.bodies();
    assert_eq!(got.len(), 3);
    // `test_add_on` is a parameter the shop passed at creation: its echo must be declared.
    let verifier = CallbackVerifier::new(h.sandbox.credentials().qostiq_secret.clone())
        .custom_fields(["test_add_on"])
        .unwrap();
    for r in &got {
        let cb = verifier
            .verify(&r.body)
            .expect("signed like the real service");
        let get = |k: &str| cb.object().get(k).unwrap().raw.to_owned();
        assert_eq!(get("callback_type"), "\"withdraw\"");
        assert_eq!(get("status"), "\"success\"");
        assert_eq!(get("shop_payment_id"), "\"cb-1\"");
        assert_eq!(get("payee_receive"), "10.5");
        assert_eq!(get("shop_write_off"), "11.5"); // card_usd: fixed 1.00 fee
        assert_eq!(get("test_add_on"), "\"echoed\"");
        assert_eq!(
            cb.object().get("account_details").unwrap().raw,
            r#"{"customer_id":"12345678"}"#
        );
    }
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn qostiq_gives_up_after_25_attempts() {
    let receiver = Receiver::start(vec![(503, "down")]).await;
    let h = Harness::start(fast().qostiq_crypto_callback_url(receiver.url())).await;
    let shop = h.shop_id();
    h.qostiq_ok(
        "/crypto/withdraw/create",
        json!({"account": "0xf8227AA7aF9B5166AF69581C703A4398387B2B07", "amount": "0.0001",
               "amount_type": "ps_amount", "now": 1656498587, "payway": "bnb_bep20",
               "shop_currency": "BNB", "shop_id": shop, "shop_payment_id": "cw-1"}),
    )
    .await;
    for status in [2, 3] {
        h.admin_ok(
            Method::POST,
            "/qostiq/crypto-withdrawals/advance",
            Some(json!({"shop_payment_id": "cw-1", "status": status})),
        )
        .await;
    }
    let log = h
        .wait_deliveries("crypto_withdraw", |l| {
            l.first().is_some_and(|d| d["state"] == "gave_up")
        })
        .await;
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 25);
    let got = receiver.bodies();
    assert_eq!(got.len(), 25);
    let verifier = CallbackVerifier::new(h.sandbox.credentials().qostiq_secret.clone());
    let cb = verifier.verify(&got[0].body).unwrap();
    assert_eq!(
        cb.object().get("callback_type").unwrap().raw,
        "\"crypto_withdraw\""
    );
    assert_eq!(cb.object().get("shop_order_id").unwrap().raw, "\"cw-1\"");
    assert_eq!(
        cb.object().get("payee_receive").unwrap().raw,
        "\"0.000100000000000000\""
    );
    assert_eq!(
        cb.object().get("shop_write_off").unwrap().raw,
        "\"0.000103000000000000\""
    );
    assert_eq!(cb.object().get("description").unwrap().raw, "null");
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn payment_notifications_for_bills_and_invoices_are_signed() {
    let receiver = Receiver::start(vec![(200, "OK")]).await;
    let h = Harness::start(fast()).await;
    let shop = h.shop_id();
    h.qostiq_ok(
        "/bill/create",
        json!({"payer_currency": 980, "shop_amount": "3.00", "shop_currency": 980,
               "shop_id": shop, "shop_order_id": "n-1", "callback_url": receiver.url()}),
    )
    .await;
    h.admin_ok(
        Method::POST,
        "/qostiq/bills/pay",
        Some(json!({"shop_order_id": "n-1"})),
    )
    .await;
    h.qostiq_ok(
        "/invoice/create",
        json!({"amount": "12.34", "currency": 980, "payway": "card_uah", "shop_id": shop,
               "shop_order_id": 4126, "callback_url": receiver.url()}),
    )
    .await;
    h.admin_ok(
        Method::POST,
        "/qostiq/invoices/pay",
        Some(json!({"shop_order_id": "4126"})),
    )
    .await;
    h.wait_deliveries("payment", |l| l.iter().any(|d| d["state"] == "delivered"))
        .await;
    h.wait_deliveries("invoice", |l| l.iter().any(|d| d["state"] == "delivered"))
        .await;
    let verifier = CallbackVerifier::new(h.sandbox.credentials().qostiq_secret.clone());
    let got = receiver.bodies();
    assert_eq!(got.len(), 2);
    for r in got {
        let cb = verifier.verify(&r.body).unwrap();
        assert_eq!(cb.object().get("status").unwrap().raw, "\"success\"");
    }
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn auto_progress_finishes_payouts_by_itself() {
    let receiver = Receiver::start(vec![(200, "OK")]).await;
    let h = Harness::start(
        fast()
            .auto_progress(std::time::Duration::from_millis(20))
            .qostiq_callback_url(receiver.url()),
    )
    .await;
    let shop = h.shop_id();
    for (id, account) in [
        ("auto-ok", "4111111111111111"),
        ("auto-rej", "4000000000000002"),
    ] {
        h.qostiq_ok(
            "/withdraw/create",
            json!({"account": account, "amount": "5", "amount_type": "ps_amount",
                   "payway": "card_uah", "shop_currency": 980, "shop_id": shop,
                   "shop_payment_id": id}),
        )
        .await;
    }
    let log = h
        .wait_deliveries("withdraw", |l| {
            l.len() == 2 && l.iter().all(|d| d["state"] == "delivered")
        })
        .await;
    let statuses: Vec<String> = log
        .iter()
        .map(|d| {
            let body: Value = serde_json::from_str(d["body"].as_str().unwrap()).unwrap();
            format!("{}={}", body["shop_payment_id"], body["status"])
        })
        .collect();
    assert!(
        statuses.contains(&r#""auto-ok"="success""#.to_owned()),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&r#""auto-rej"="rejected""#.to_owned()),
        "{statuses:?}"
    );
    h.sandbox.shutdown().await;
}
