//! The transport boundary: any `tower::Service` from `http::Request<Bytes>` to `http::Response<Bytes>`
//! failing with a [`TransportError`] that says whether the request may have been sent.

use std::fmt;
use std::future::Future;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pay_core::error::TransportError;
use tower_service::Service;

/// What the executor sends requests through.
///
/// Requests arrive with an absolute URI, authenticated, body final. The service must answer with the
/// *whole* body (so that a truncated body is a [`TransportError`] with `Delivery::MaybeSent`, not a
/// short `Bytes`), never follow redirects, and report `Delivery::NotSent` only when it is certain
/// nothing reached the server (connection refused, DNS, TLS handshake).
///
/// It must be `Clone`: the executor clones it per attempt and calls `poll_ready` then `call` on the
/// clone, so `&self` methods can run concurrently. Wrap services that are not cheap to clone in an
/// `Arc`-based handle. Do not use `tower::buffer::Buffer` (it spawns on tokio).
///
/// Implemented automatically for every fitting service; see [`service_fn`] for closures.
pub trait HttpService:
    Service<
        Request<Bytes>,
        Response = Response<Bytes>,
        Error = TransportError,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> HttpService for T where
    T: Service<
            Request<Bytes>,
            Response = Response<Bytes>,
            Error = TransportError,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// A service made of a closure: `Fn(Request<Bytes>) -> impl Future<Output = Result<Response<Bytes>,
/// TransportError>>`. Use it to run pay-rs on your own HTTP stack or runtime, or to script a fake
/// server in tests.
///
/// ```
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use pay_core::error::TransportError;
/// use pay_transport::service::{HttpService, service_fn};
///
/// let svc = service_fn(|req: Request<Bytes>| async move {
///     // Hand `req` to your own client here.
///     Ok::<_, TransportError>(Response::new(Bytes::from_static(b"{}")))
/// });
/// fn assert_service(_: &impl HttpService) {}
/// assert_service(&svc);
/// ```
pub fn service_fn<F, Fut>(f: F) -> ServiceFn<F>
where
    F: Fn(Request<Bytes>) -> Fut,
    Fut: Future<Output = Result<Response<Bytes>, TransportError>>,
{
    ServiceFn { f }
}

/// The service returned by [`service_fn`].
#[derive(Clone, Copy)]
pub struct ServiceFn<F> {
    f: F,
}

impl<F> fmt::Debug for ServiceFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceFn").finish_non_exhaustive()
    }
}

impl<F, Fut> Service<Request<Bytes>> for ServiceFn<F>
where
    F: Fn(Request<Bytes>) -> Fut,
    Fut: Future<Output = Result<Response<Bytes>, TransportError>>,
{
    type Response = Response<Bytes>;
    type Error = TransportError;
    type Future = Fut;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Bytes>) -> Fut {
        (self.f)(request)
    }
}
