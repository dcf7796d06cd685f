//! Shared by the end-to-end tests: the sandbox they start, its admin API and delivery log, and a
//! `pay_webhook` receiver served on loopback whose handler fails its first calls, to watch the
//! sandbox redeliver.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Method;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use pay_sandbox::{Sandbox, SandboxBuilder, SandboxHandle};
use pay_transport::ExecutorBuilder;
use pay_transport::floors::Floors;
use pay_webhook::scheme::Scheme;
use pay_webhook::{Event, Receiver, ReceiverBuilder};
use serde_json::{Value, json};

/// How long a test waits for what the sandbox does by itself (a delivery, a status change).
pub const LIMIT: Duration = Duration::from_secs(30);

/// A sandbox with fast callbacks and fixed ids.
pub fn fast() -> SandboxBuilder {
    Sandbox::builder().callbacks_fast(true).seed(7)
}

/// A client's executor against a sandbox: polling floors below the providers' minimums (10 ms)
/// and a generous attempt timeout for a loaded machine.
pub fn sandbox_executor<S>(executor: ExecutorBuilder<S>) -> ExecutorBuilder<S> {
    executor
        .floors(Floors::below_provider_minimums_for_sandbox(
            Duration::from_millis(10),
        ))
        .attempt_timeout(Duration::from_secs(10))
}

/// Injects the sandbox fault class `fault` on `route` for its next request only.
pub async fn fault_once(sandbox: &SandboxHandle, route: &str, fault: &str) {
    let rule = json!({"route": route, "fault": fault, "count": 1});
    admin(sandbox, Method::POST, "/faults", rule).await;
}

/// Checks a delivery the flaky receiver failed twice (500) and accepted at the third attempt
/// (200): the handler ran three times and applied the event once.
pub fn assert_accepted_at_the_third_attempt(
    delivery: &Value,
    calls: &AtomicUsize,
    applied: &Mutex<Vec<String>>,
) {
    let attempts = delivery["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{delivery}");
    assert_eq!(attempts[0]["status"], 500);
    assert_eq!(attempts[2]["status"], 200);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(applied.lock().unwrap().len(), 1);
}

/// Calls the sandbox's admin API (`Value::Null`: no body) and returns its answer.
pub async fn admin(sandbox: &SandboxHandle, method: Method, path: &str, body: Value) -> Value {
    let body = (!body.is_null()).then_some(&body);
    sandbox.admin().call(method, path, body).await.unwrap()
}

/// The sandbox's delivery log, filtered by `query` (`provider=qostiq&kind=withdraw`).
pub async fn deliveries(sandbox: &SandboxHandle, query: &str) -> Vec<Value> {
    let path = format!("/deliveries?{query}");
    admin(sandbox, Method::GET, &path, Value::Null).await["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (at most [`LIMIT`]) for a delivery matching `query` that the receiver accepted.
pub async fn until_delivered(sandbox: &SandboxHandle, query: &str) -> Value {
    let start = tokio::time::Instant::now();
    loop {
        let all = deliveries(sandbox, query).await;
        if let Some(d) = all.iter().find(|d| d["state"] == "delivered") {
            return d.clone();
        }
        assert!(start.elapsed() < LIMIT, "not delivered: {all:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What a flaky receiver saw: every handler call, and the event keys it applied.
type Seen = (Arc<AtomicUsize>, Arc<Mutex<Vec<String>>>);

/// A flaky receiver: its address, the handler-call counter and the applied event keys.
pub type Flaky = (SocketAddr, Arc<AtomicUsize>, Arc<Mutex<Vec<String>>>);

/// Builds `builder` with a handler that fails its first `failures` calls and serves it on
/// 127.0.0.1:0. Returns the address, the handler-call counter and the applied event keys.
pub async fn flaky_receiver<S: Scheme>(builder: ReceiverBuilder<S>, failures: usize) -> Flaky {
    let seen: Seen = (Arc::default(), Arc::default());
    let (calls, applied) = (Arc::clone(&seen.0), Arc::clone(&seen.1));
    let receiver = builder.build(move |event: Event| {
        let (calls, applied) = (Arc::clone(&calls), Arc::clone(&applied));
        async move {
            if calls.fetch_add(1, Ordering::SeqCst) < failures {
                return Err("not yet".to_owned());
            }
            applied.lock().unwrap().push(event.identity().event_key());
            Ok(())
        }
    });
    (serve(receiver).await, seen.0, seen.1)
}

/// Serves a receiver on 127.0.0.1:0 with hyper's HTTP/1 connection loop.
async fn serve<S: Scheme, H: pay_webhook::Handler, St: pay_webhook::DedupStore>(
    receiver: Receiver<S, H, St>,
) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let receiver = receiver.clone();
            let service = service_fn(move |req: Request| {
                let mut receiver = receiver.clone();
                async move {
                    let response = tower_service::Service::call(&mut receiver, req).await;
                    Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
                }
            });
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

type Request = http::Request<Incoming>;
