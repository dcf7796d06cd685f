//! Verified callbacks per second over loopback, against a bare hyper server answering `OK` in the
//! same process and run. `cargo bench -p pay-webhook --bench receiver` (or `cargo xtask bench`).
//!
//! Both servers read the whole body and answer `200 OK`; the receiver also checks the source,
//! content type and size, verifies the Qostiq signature, parses strictly, checks field shapes,
//! deduplicates (every callback is a new event) and calls a handler.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]
// A benchmark: rates are ratios of measurements (never money), and fixed test data is indexed.
#![allow(clippy::float_arithmetic, clippy::indexing_slicing)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use pay_core::clock::{Clock, SystemClock};
use pay_core::secret::Secret;
use pay_signing::qostiq::sign_callback;
use pay_webhook::{Event, PeerAddr, ReceiverBuilder};

const SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";
const REQUESTS: usize = 40_000;
const CONCURRENCY: usize = 32;

/// Sends every body with `CONCURRENCY` workers; answers requests per second.
async fn drive(addr: SocketAddr, bodies: Arc<Vec<Bytes>>) -> f64 {
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(CONCURRENCY)
        .build_http();
    let url: http::Uri = format!("http://{addr}/callback").parse().unwrap();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let clock = SystemClock;
    let started = clock.now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, url, bodies, next) =
                (client.clone(), url.clone(), bodies.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { return };
                    let request = Request::post(url.clone())
                        .header("content-type", "application/json")
                        .body(Full::new(body.clone()))
                        .unwrap();
                    let response = client.request(request).await.unwrap();
                    assert_eq!(response.status(), 200);
                    let text = response.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(&text[..], b"OK");
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = (clock.now() - started).as_seconds_f64();
    bodies.len() as f64 / elapsed
}

fn callbacks(count: usize, offset: usize) -> Arc<Vec<Bytes>> {
    let secret = Secret::new(SECRET).unwrap();
    Arc::new(
        (0..count)
            .map(|i| {
                let unsigned = format!(
                    r#"{{"account_details": {{"customer_id": "vj5het2c"}}, "callback_type": "withdraw", "created": "2024-11-18 13:41:57", "description": "example", "payee_receive": 10.5, "payment_id": {}, "payway": "card_usd", "processed": "2024-11-18 13:45:38", "ps_currency": 840, "shop_currency": 840, "shop_id": 112, "shop_payment_id": "order-{i}", "shop_write_off": 11.5, "status": "success", "test_add_on": null}}"#,
                    offset + i
                );
                Bytes::from(sign_callback(&secret, unsigned.as_bytes()).unwrap())
            })
            .collect(),
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let bare = support::serve(|req: Request<Incoming>, _| async move {
            let _ = req.into_body().collect().await;
            Response::new(Full::new(Bytes::from_static(b"OK")))
        })
        .await;
        let receiver = ReceiverBuilder::qostiq(vec![Secret::new(SECRET).unwrap()])
            .unwrap()
            .verifier(|v| v.custom_fields(["test_add_on"]))
            .unwrap()
            .build(|_: Event| async { Ok::<(), Infallible>(()) });
        let verified = support::serve(move |mut req: Request<Incoming>, peer| {
            req.extensions_mut().insert(PeerAddr(peer));
            let receiver = receiver.clone();
            async move {
                let outcome = receiver.receive(req).await;
                assert_eq!(outcome, pay_webhook::Outcome::Applied);
                Response::new(Full::new(Bytes::from_static(b"OK")))
            }
        })
        .await;

        // Warm up both, then alternate measured rounds and keep each side's best.
        let warm = callbacks(2_000, 10_000_000);
        drive(bare, warm.clone()).await;
        drive(verified, warm).await;
        let (mut best_bare, mut best_verified) = (0f64, 0f64);
        for round in 0..3 {
            let bodies = callbacks(REQUESTS, round * REQUESTS);
            best_bare = best_bare.max(drive(bare, bodies.clone()).await);
            best_verified = best_verified.max(drive(verified, bodies).await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body_len = callbacks(1, 0)[0].len();
        println!("webhook receiver: {REQUESTS} callbacks of {body_len} bytes, concurrency {CONCURRENCY}, best of 3");
        println!("  bare hyper OK:       {best_bare:>9.0} req/s");
        println!("  verified callbacks:  {best_verified:>9.0} req/s");
        println!("  ratio:               {:>9.2} (goal >= 0.70)", best_verified / best_bare);
    });
}
