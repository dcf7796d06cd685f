//! Delivery semantics over real HTTP: a hyper server mounting the receiver, and a local sender that
//! retries as the providers do (Qostiq until the body reads `OK`, COINQVEST until HTTP 200).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use pay_coinqvest::webhooks::WebhookEvent;
use pay_core::secret::Secret;
use pay_qostiq::callbacks::Callback;
use pay_signing::coinqvest::sign_webhook;
use pay_signing::qostiq::sign_callback;
use pay_webhook::{DedupStore, Event, Handler, PeerAddr, Receiver, scheme::Scheme};
use support::{COINQVEST_SECRET, QOSTIQ_SECRET};

/// Serves `receiver` (as the `tower_service::Service` it is) on 127.0.0.1:0, inserting the peer
/// address into each request.
async fn serve<S: Scheme, H: Handler, St: DedupStore>(receiver: Receiver<S, H, St>) -> SocketAddr {
    support::serve(move |mut req: Request<Incoming>, peer| {
        req.extensions_mut().insert(PeerAddr(peer));
        let mut receiver = receiver.clone();
        async move {
            let Ok(response) = tower_service::Service::call(&mut receiver, req).await;
            response
        }
    })
    .await
}

/// The provider side: POSTs `body` and reports (status, body).
struct Sender {
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    url: String,
}

impl Sender {
    /// Serves `receiver` and sends to it.
    async fn to<S: Scheme, H: Handler, St: DedupStore>(receiver: Receiver<S, H, St>) -> Self {
        let addr = serve(receiver).await;
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            url: format!("http://{addr}/events"),
        }
    }

    async fn post(&self, body: &str, auth: Option<&str>) -> (StatusCode, String) {
        let mut builder = Request::post(&self.url).header("content-type", "application/json");
        if let Some(auth) = auth {
            builder = builder.header("x-webhook-auth", auth);
        }
        let response = self
            .client
            .request(
                builder
                    .body(Full::new(Bytes::from(body.to_owned())))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let text = String::from_utf8(
            response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
        .unwrap();
        (status, text)
    }

    /// One COINQVEST delivery of `body`, signed with [`COINQVEST_SECRET`]; the answer's status.
    async fn post_coinqvest(&self, body: &str) -> StatusCode {
        let secret = Secret::new(COINQVEST_SECRET).unwrap();
        let auth = sign_webhook(&secret, body.as_bytes());
        self.post(body, Some(&auth)).await.0
    }

    /// Qostiq's rule: redeliver at increasing intervals (scaled down here) until the answer is 200
    /// with body `OK`, at most 25 attempts. Returns the attempt that succeeded, or `None`.
    async fn deliver_like_qostiq(&self, body: &str) -> Option<u64> {
        for attempt in 1..=25u64 {
            let (status, text) = self.post(body, None).await;
            if status == StatusCode::OK && text == "OK" {
                return Some(attempt);
            }
            tokio::time::sleep(std::time::Duration::from_millis(10 * attempt)).await;
        }
        None
    }
}

fn qostiq_event(payment_id: u64, status: &str) -> String {
    let unsigned = format!(
        r#"{{"callback_type": "withdraw", "created": "2024-11-18 13:41:57", "payee_receive": 10.5, "payment_id": {payment_id}, "processed": "2024-11-18 13:45:38", "ps_currency": 840, "shop_currency": 840, "shop_id": 112, "shop_payment_id": "order-{payment_id}", "shop_write_off": 11.5, "status": "{status}"}}"#
    );
    sign_callback(&Secret::new(QOSTIQ_SECRET).unwrap(), unsigned.as_bytes()).unwrap()
}

fn recorder() -> (Arc<Mutex<Vec<String>>>, impl Handler) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handler = move |event: Event| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(event.identity().status.clone());
            Ok::<(), std::io::Error>(())
        }
    };
    (seen, handler)
}

#[tokio::test]
async fn twenty_five_redeliveries_apply_once() {
    let (seen, handler) = recorder();
    let sender = Sender::to(support::qostiq_receiver().build(handler)).await;
    let body = qostiq_event(1, "success");
    for _ in 0..25 {
        assert_eq!(
            sender.post(&body, None).await,
            (StatusCode::OK, "OK".to_owned())
        );
    }
    assert_eq!(*seen.lock().unwrap(), ["success"]);
}

#[tokio::test]
async fn a_failing_handler_is_retried_by_the_sender_and_applied_once() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let applied = Arc::new(AtomicUsize::new(0));
    let (a, b) = (attempts.clone(), applied.clone());
    let handler = move |_: Event| {
        let (a, b) = (a.clone(), b.clone());
        async move {
            if a.fetch_add(1, Ordering::SeqCst) < 2 {
                return Err("database unavailable");
            }
            b.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    };
    let sender = Sender::to(support::qostiq_receiver().build(handler)).await;
    let body = qostiq_event(2, "success");
    assert_eq!(
        sender.deliver_like_qostiq(&body).await,
        Some(3),
        "two failures, then OK"
    );
    assert_eq!(
        sender.deliver_like_qostiq(&body).await,
        Some(1),
        "later redeliveries are duplicates"
    );
    assert_eq!(
        (
            attempts.load(Ordering::SeqCst),
            applied.load(Ordering::SeqCst)
        ),
        (3, 1)
    );
    let (status, text) = sender.post(&body, None).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "OK"));
}

#[tokio::test]
async fn out_of_order_delivery_never_regresses_a_final_status() {
    let (seen, handler) = recorder();
    let sender = Sender::to(support::coinqvest_receiver(COINQVEST_SECRET).build(handler)).await;
    // The final state arrives first, the intermediate one late.
    for state in ["RESOLVED", "UNRESOLVED"] {
        let late = support::coinqvest_payment("cb69affabf53", state);
        assert_eq!(sender.post_coinqvest(&late).await, StatusCode::OK);
    }
    assert_eq!(*seen.lock().unwrap(), ["RESOLVED"]);
    // In order, both are applied.
    for state in ["UNRESOLVED", "RESOLVED"] {
        let in_order = support::coinqvest_payment("aaaaaaaaaaaa", state);
        assert_eq!(sender.post_coinqvest(&in_order).await, StatusCode::OK);
    }
    assert_eq!(
        *seen.lock().unwrap(),
        ["RESOLVED", "UNRESOLVED", "RESOLVED"]
    );
}

/// Seed 003: a checkout that expired unpaid can still be paid ("DELAYED_UNDERPAID: Payment arrived
/// after the charge expired and was less than expected"). `EXPIRED` must therefore not count as
/// final: if it did, the later news about the money that arrived (not final itself: it needs the
/// merchant's attention) would be dropped as stale and never reach the merchant.
#[tokio::test]
async fn a_payment_after_a_checkout_expired_reaches_the_handler() {
    let (seen, handler) = recorder();
    let sender = Sender::to(support::coinqvest_receiver(COINQVEST_SECRET).build(handler)).await;
    for (event_type, state) in [
        ("CHECKOUT_UNDERPAID", "EXPIRED"),
        ("CHECKOUT_UNDERPAID", "DELAYED_UNDERPAID"),
    ] {
        let mut event: serde_json::Value =
            serde_json::from_str(&pay_testdata::seed("coinqvest", "checkout_get")).unwrap();
        event["checkout"]["state"] = state.into();
        let body = serde_json::json!({"eventType": event_type, "data": event}).to_string();
        assert_eq!(
            sender.post_coinqvest(&body).await,
            StatusCode::OK,
            "{state}"
        );
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "CHECKOUT_UNDERPAID:EXPIRED",
            "CHECKOUT_UNDERPAID:DELAYED_UNDERPAID"
        ]
    );
}

/// Seed 001: a withdrawal in status 5 Success can later become 11 Refunded ("Successful withdrawal
/// manually cancelled by Qostiq system"). Its `refunded` callback comes after the `success` one and
/// must reach the handler: a final status must not make later news about the same payout stale.
#[tokio::test]
async fn a_refunded_callback_after_success_reaches_the_handler() {
    let (seen, handler) = recorder();
    let sender = Sender::to(support::qostiq_receiver().build(handler)).await;
    for status in ["success", "refunded"] {
        assert_eq!(
            sender
                .deliver_like_qostiq(&qostiq_event(64045, status))
                .await,
            Some(1),
            "{status}"
        );
    }
    // Redeliveries of either stay duplicates.
    assert_eq!(
        sender
            .deliver_like_qostiq(&qostiq_event(64045, "refunded"))
            .await,
        Some(1)
    );
    assert_eq!(*seen.lock().unwrap(), ["success", "refunded"]);
}

#[tokio::test]
async fn concurrent_duplicates_reach_the_handler_once() {
    let (seen, handler) = {
        let seen = Arc::new(AtomicUsize::new(0));
        let count = seen.clone();
        (seen, move |_: Event| {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Ok::<(), std::io::Error>(())
            }
        })
    };
    let sender = Arc::new(Sender::to(support::qostiq_receiver().build(handler)).await);
    let body = Arc::new(qostiq_event(3, "success"));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (sender, body) = (sender.clone(), body.clone());
            tokio::spawn(async move { sender.deliver_like_qostiq(&body).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_some(), "every sender ends with OK");
    }
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

/// The handler reads the event as its provider crate did (no second parse): a Qostiq callback as
/// `Callback`, a COINQVEST webhook as `WebhookEvent`, each agreeing with the event's identity.
#[tokio::test]
async fn the_handler_gets_the_typed_event() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler = |seen: Arc<Mutex<Vec<String>>>| {
        move |event: Event| {
            let read = match (event.typed::<Callback>(), event.typed::<WebhookEvent>()) {
                (Some(callback), None) => {
                    format!("{} {}", callback.payment_id(), callback.status())
                }
                (None, Some(webhook)) => format!("{:?}", webhook.checkout_id()),
                other => format!("unexpected {other:?}"),
            };
            seen.lock()
                .unwrap()
                .push(format!("{} = {read}", event.identity()));
            async { Ok::<(), std::io::Error>(()) }
        }
    };
    let qostiq = Sender::to(support::qostiq_receiver().build(handler(seen.clone()))).await;
    assert_eq!(
        qostiq
            .deliver_like_qostiq(&qostiq_event(7, "success"))
            .await,
        Some(1)
    );
    let coinqvest =
        Sender::to(support::coinqvest_receiver(COINQVEST_SECRET).build(handler(seen.clone())))
            .await;
    let payment = support::coinqvest_seed_payment();
    assert_eq!(coinqvest.post_coinqvest(&payment).await, StatusCode::OK);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            r#"qostiq "withdraw" "7" → "success" = 7 success"#,
            r#"coinqvest "payment" "cb69affabf53" → "RESOLVED" = Some("87508a7a78c3")"#
        ]
    );
}
