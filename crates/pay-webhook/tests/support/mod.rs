//! Shared by the receiver's tests: the seeds' events and the requests that carry them.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use pay_core::secret::Secret;
use pay_signing::coinqvest::sign_webhook;
use pay_webhook::ReceiverBuilder;
use pay_webhook::scheme::{Coinqvest, Qostiq};
use tokio::net::TcpListener;

/// The Qostiq secret of the seeds' examples and vectors.
pub const QOSTIQ_SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";
/// A COINQVEST API secret.
pub const COINQVEST_SECRET: &str = "Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx";

/// A Qostiq receiver verifying with [`QOSTIQ_SECRET`].
pub fn qostiq_receiver() -> ReceiverBuilder<Qostiq> {
    ReceiverBuilder::qostiq(vec![Secret::new(QOSTIQ_SECRET).unwrap()]).unwrap()
}

/// A COINQVEST receiver verifying with `secret`.
pub fn coinqvest_receiver(secret: &str) -> ReceiverBuilder<Coinqvest> {
    ReceiverBuilder::coinqvest(vec![Secret::new(secret).unwrap()]).unwrap()
}

/// The seed's flat payment webhook (seed 003), exactly as the seed prints it.
pub fn coinqvest_seed_payment() -> String {
    pay_testdata::seed("coinqvest", "webhook_payment")
}

/// The seed's flat payment webhook about payment `id` in `state` (compact JSON).
pub fn coinqvest_payment(id: &str, state: &str) -> String {
    let mut payment: serde_json::Value = serde_json::from_str(&coinqvest_seed_payment()).unwrap();
    payment["id"] = id.into();
    payment["state"] = state.into();
    payment.to_string()
}

/// A JSON `POST` of `body`, as both providers send events.
pub fn post(body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    Request::post("/events")
        .header("content-type", "application/json")
        .body(Full::new(body.into()))
        .unwrap()
}

/// A JSON `POST` of `body` signed with the COINQVEST `secret` (`X-Webhook-Auth`).
pub fn coinqvest_post(secret: &str, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    let body = body.into();
    let signature = sign_webhook(&Secret::new(secret).unwrap(), &body);
    let mut request = post(body);
    request
        .headers_mut()
        .insert("x-webhook-auth", signature.parse().unwrap());
    request
}

/// Serves HTTP/1 on 127.0.0.1:0 until the runtime ends, answering each request with `handle`, which
/// also gets the peer address (the receiver's `PeerAddr`).
pub async fn serve<F, Fut>(handle: F) -> SocketAddr
where
    F: Fn(Request<Incoming>, SocketAddr) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                return;
            };
            stream.set_nodelay(true).unwrap();
            let handle = handle.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let handle = handle.clone();
                    async move { Ok::<_, Infallible>(handle(req, peer).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}
