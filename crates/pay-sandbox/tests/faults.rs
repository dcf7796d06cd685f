//! Every fault class, observed over real HTTP, with commit counts read back through the admin API.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

mod support;

use std::time::Duration;

use http::Method;
use serde_json::{Value, json};
use support::{Harness, fast};

const ROUTE: &str = "/qostiq/withdraw/create";
const NOW: &str = "2024-11-18 13:41:57.000000";

fn create(h: &Harness, id: &str) -> String {
    h.qostiq_body(
        "/withdraw/create",
        &json!({"account": "4111111111111111", "amount": "5", "amount_type": "ps_amount",
                "payway": "card_uah", "shop_currency": 980, "shop_id": h.shop_id(),
                "shop_payment_id": id}),
    )
}

async fn send_create(h: &Harness, id: &str) -> Result<support::Answer, String> {
    let url = format!("{}/withdraw/create", h.sandbox.qostiq_base_url());
    h.send(Method::POST, &url, &[], create(h, id).into_bytes())
        .await
}

/// `None` when the withdrawal does not exist (code 7), else its status.
async fn lookup(h: &Harness, id: &str) -> Option<u64> {
    let (_, env) = h
        .qostiq(
            "/withdraw/shop_payment_status",
            json!({"now": NOW, "shop_id": h.shop_id(), "shop_payment_id": id}),
        )
        .await;
    if env["error_code"] == 7 {
        None
    } else {
        Some(env["data"]["status"].as_u64().unwrap())
    }
}

#[tokio::test]
async fn commit_then_drop_applies_then_closes_without_answer() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "commit_then_drop", "count": 1}))
        .await;
    let err = send_create(&h, "drop-1").await.unwrap_err();
    assert!(err.contains("request"), "{err}");
    assert_eq!(h.route_stats(ROUTE).await, (1, 1, 1));
    assert_eq!(
        lookup(&h, "drop-1").await,
        Some(1),
        "applied although unanswered"
    );
    // Re-sending blindly is refused as a duplicate: recovery must go through the lookup.
    let a = send_create(&h, "drop-1").await.unwrap();
    assert_eq!((a.status, a.json()["error_code"].as_i64()), (400, Some(6)));
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn commit_then_delay_applies_and_answers_late() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "commit_then_delay", "delay_ms": 300}))
        .await;
    let started = tokio::time::Instant::now();
    let a = send_create(&h, "delay-1").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["data"]["status"], 1);
    assert_eq!(h.route_stats(ROUTE).await, (1, 1, 1));
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn commit_then_truncate_applies_and_cuts_the_body() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "commit_then_truncate"}))
        .await;
    let err = send_create(&h, "trunc-1").await.unwrap_err();
    assert!(
        err.contains("body"),
        "headers arrive, the body is cut: {err}"
    );
    assert_eq!(h.route_stats(ROUTE).await, (1, 1, 1));
    assert_eq!(lookup(&h, "trunc-1").await, Some(1));
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn reset_before_commit_closes_without_applying() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "reset_before_commit"}))
        .await;
    assert!(send_create(&h, "reset-1").await.is_err());
    assert_eq!(h.route_stats(ROUTE).await, (1, 0, 1));
    assert_eq!(lookup(&h, "reset-1").await, None);
    // The lookup said "not found": re-creating with the same id is safe.
    assert_eq!(send_create(&h, "reset-1").await.unwrap().status, 200);
    assert_eq!(h.route_stats(ROUTE).await, (2, 1, 1));
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn status_5xx_burst_is_not_applied() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "status_5xx", "status": 502, "count": 2}))
        .await;
    for _ in 0..2 {
        let a = send_create(&h, "burst-1").await.unwrap();
        assert_eq!(a.status, 502);
        assert_eq!(lookup(&h, "burst-1").await, None);
    }
    assert_eq!(send_create(&h, "burst-1").await.unwrap().status, 200);
    assert_eq!(h.route_stats(ROUTE).await, (3, 1, 2));
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn status_429_carries_retry_after() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": "/coinqvest/api/v1/*", "fault": "status_429", "retry_after": 7}))
        .await;
    let a = h.cq_at(Method::GET, "/auth-test", None, None).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.headers["retry-after"], "7");
    assert_eq!(a.json(), json!({"errors": ["Too many requests."]}));
    assert_eq!(
        h.route_stats("/coinqvest/api/v1/auth-test").await,
        (1, 0, 1)
    );
    h.sandbox.shutdown().await;
}

async fn pattern(seed: u64) -> Vec<bool> {
    let h = Harness::start(fast().seed(seed)).await;
    h.fault(json!({"route": "/qostiq/shop_balance", "fault": "status_5xx", "probability": "0.5"}))
        .await;
    let body = h.qostiq_body(
        "/shop_balance",
        &json!({"now": NOW, "shop_id": h.shop_id()}),
    );
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(h.qostiq_raw("/shop_balance", body.clone()).await.status == 503);
    }
    h.sandbox.shutdown().await;
    out
}

#[tokio::test]
async fn probabilistic_faults_are_seeded() {
    let a = pattern(7).await;
    assert_eq!(a, pattern(7).await, "same seed, same faults");
    let hits = a.iter().filter(|x| **x).count();
    assert!((5..=35).contains(&hits), "{hits}");
    let h = Harness::start(fast()).await;
    let rules: Value = h.admin_ok(Method::GET, "/faults", None).await;
    assert_eq!(rules["faults"], json!([]));
    h.sandbox.shutdown().await;
}

// ---- the recovery fault classes ------------------------------------------------------------------

#[tokio::test]
async fn held_then_commit_applies_after_the_hold_even_when_the_client_left() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "held_then_commit", "hold_ms": 400}))
        .await;
    // The client gives up after 100 ms (its timeout): the request is still executing.
    let gave_up = tokio::time::timeout(Duration::from_millis(100), send_create(&h, "held-1")).await;
    assert!(gave_up.is_err());
    assert_eq!(
        lookup(&h, "held-1").await,
        None,
        "not applied yet: a lookup says not found"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(lookup(&h, "held-1").await, Some(1), "then it lands");
    assert_eq!(h.route_stats(ROUTE).await, (1, 1, 1));
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn recreate_refused_in_flight_refuses_other_requests_while_the_first_is_held() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "recreate_refused_in_flight", "hold_ms": 500}))
        .await;
    let (first, again) = tokio::join!(send_create(&h, "flight-1"), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The re-create while the first holds the money: "insufficient funds", nothing applied.
        let again = send_create(&h, "flight-1").await.unwrap();
        assert_eq!(lookup(&h, "flight-1").await, None);
        again
    });
    assert_eq!(
        (again.status, again.json()["error_code"].as_i64()),
        (400, Some(5))
    );
    assert_eq!(first.unwrap().status, 200);
    assert_eq!(lookup(&h, "flight-1").await, Some(1));
    let state = h.admin_ok(Method::GET, "/qostiq/state", None).await;
    let copies = state["withdrawals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["shop_payment_id"] == "flight-1")
        .count();
    assert_eq!(copies, 1);
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn lookup_other_payout_answers_the_latest_other_payout() {
    let h = Harness::start(fast()).await;
    assert_eq!(send_create(&h, "mine").await.unwrap().status, 200);
    // No other payout yet: the normal answer.
    h.fault(json!({"route": "/qostiq/withdraw/shop_payment_status", "fault": "lookup_other_payout", "count": 2}))
        .await;
    let (_, env) = h
        .qostiq(
            "/withdraw/shop_payment_status",
            json!({"now": NOW, "shop_id": h.shop_id(), "shop_payment_id": "mine"}),
        )
        .await;
    assert_eq!(env["data"]["shop_payment_id"], "mine");
    assert_eq!(send_create(&h, "someone-else").await.unwrap().status, 200);
    let (_, env) = h
        .qostiq(
            "/withdraw/shop_payment_status",
            json!({"now": NOW, "shop_id": h.shop_id(), "shop_payment_id": "mine"}),
        )
        .await;
    assert_eq!(env["data"]["shop_payment_id"], "someone-else");
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn lookup_mismatch_answers_the_id_with_other_terms() {
    let h = Harness::start(fast()).await;
    assert_eq!(send_create(&h, "mm-1").await.unwrap().status, 200);
    h.fault(json!({"route": "/qostiq/withdraw/shop_payment_status", "fault": "lookup_mismatch"}))
        .await;
    let (_, env) = h
        .qostiq(
            "/withdraw/shop_payment_status",
            json!({"now": NOW, "shop_id": h.shop_id(), "shop_payment_id": "mm-1"}),
        )
        .await;
    assert_eq!(env["data"]["shop_payment_id"], "mm-1");
    assert_eq!(
        support::dec(&env["data"]["payee_receive"]),
        "6".parse().unwrap()
    );
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn id_reused_books_an_earlier_payout_under_the_id() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "id_reused"})).await;
    let a = send_create(&h, "reused-1").await.unwrap();
    assert_eq!((a.status, a.json()["error_code"].as_i64()), (400, Some(6)));
    let state = h.admin_ok(Method::GET, "/qostiq/state", None).await;
    let earlier: Vec<&Value> = state["withdrawals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["shop_payment_id"] == "reused-1")
        .collect();
    assert_eq!(earlier.len(), 1);
    assert_eq!(
        support::dec(&earlier[0]["payee_receive"]),
        "6".parse().unwrap()
    );
    assert_ne!(earlier[0]["account"], "4111111111111111");
    h.sandbox.shutdown().await;
}

// ---- the vocabulary's other faults and parameters -----------------------------------------------

#[tokio::test]
async fn reset_before_commit_resets_the_connection_rather_than_closing_it() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "reset_before_commit"}))
        .await;
    let body = create(&h, "rst-1");
    let mut stream = tokio::net::TcpStream::connect(h.sandbox.addr())
        .await
        .unwrap();
    let request = format!(
        "POST {ROUTE} HTTP/1.1\r\nhost: sandbox\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .unwrap();
    // A TCP RST: the read fails; a FIN would end it cleanly with nothing read.
    let err = read.expect_err("a reset, not an orderly close");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    assert!(answer.is_empty());
    assert_eq!(lookup(&h, "rst-1").await, None);
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_applied_5xx_applies_the_request_then_answers_the_5xx() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "status_5xx", "status": 502, "applied": true}))
        .await;
    let a = send_create(&h, "late-5xx").await.unwrap();
    assert_eq!(a.status, 502);
    assert_eq!(a.headers["content-type"], "text/html");
    assert_eq!(
        lookup(&h, "late-5xx").await,
        Some(1),
        "applied before the 5xx"
    );
    assert_eq!(h.route_stats(ROUTE).await, (1, 1, 1));
    let rules = h.admin_ok(Method::GET, "/faults", None).await;
    assert_eq!(rules["faults"][0]["fault"], "status_5xx");
    assert_eq!(rules["faults"][0]["status"], 502);
    assert_eq!(rules["faults"][0]["applied"], true);
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn already_completed_refuses_the_providers_way_without_applying() {
    let h = Harness::start(fast()).await;
    h.fault(json!({"route": ROUTE, "fault": "already_completed"}))
        .await;
    let a = send_create(&h, "done-1").await.unwrap();
    assert_eq!((a.status, a.json()["error_code"].as_i64()), (400, Some(6)));
    assert_eq!(lookup(&h, "done-1").await, None, "nothing applied");
    let commit = "/coinqvest/api/v1/withdrawal/commit";
    h.fault(json!({"route": commit, "fault": "already_completed"}))
        .await;
    let a = h
        .cq_at(
            Method::POST,
            "/withdrawal/commit",
            Some(r#"{"withdrawalId": "000000000000"}"#),
            None,
        )
        .await;
    assert_eq!(
        (a.status, a.json()),
        (
            400,
            json!({"errors": ["Withdrawal is COMPLETED and cannot be committed."]})
        )
    );
    assert_eq!(h.route_stats(commit).await, (1, 0, 1));
    h.sandbox.shutdown().await;
}

#[tokio::test]
async fn fault_names_outside_the_vocabulary_and_caller_scenarios_are_refused() {
    let h = Harness::start(fast()).await;
    let (status, json) = h
        .admin(
            Method::POST,
            "/faults",
            Some(json!({"route": ROUTE, "fault": "5xx_burst"})),
        )
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("unknown fault class `5xx_burst`"))
    );
    let (status, json) = h
        .admin(
            Method::POST,
            "/faults",
            Some(json!({"route": ROUTE, "fault": "commit_answered_late"})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("commit_then_delay"),
        "{json}"
    );
    let rules = h.admin_ok(Method::GET, "/faults", None).await;
    assert_eq!(rules["faults"], json!([]));
    // Every server fault of the vocabulary is accepted under its one name.
    for class in pay_sandbox::FaultClass::ALL {
        if class == pay_sandbox::FaultClass::CommitAnsweredLate {
            continue;
        }
        h.fault(json!({"route": "/nowhere", "fault": class.name()}))
            .await;
    }
    h.sandbox.shutdown().await;
}
