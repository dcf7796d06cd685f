//! Shared by the end-to-end tests: a `pay_webhook` receiver served on loopback whose handler fails
//! its first calls, to watch the sandbox redeliver.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use pay_webhook::scheme::Scheme;
use pay_webhook::{Event, Receiver, ReceiverBuilder};

/// What a flaky receiver saw: every handler call, and the event keys it applied.
pub type Seen = (Arc<AtomicUsize>, Arc<Mutex<Vec<String>>>);

/// Builds `builder` with a handler that fails its first `failures` calls and serves it on
/// 127.0.0.1:0. Returns the address, the handler-call counter and the applied event keys.
pub async fn flaky_receiver<S: Scheme>(
    builder: ReceiverBuilder<S>,
    failures: usize,
) -> (SocketAddr, Arc<AtomicUsize>, Arc<Mutex<Vec<String>>>) {
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
