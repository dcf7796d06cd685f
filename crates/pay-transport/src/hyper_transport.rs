//! The default transport (feature `hyper`): hyper-util's pooled client over rustls.
//!
//! * TLS: rustls with the `ring` provider, certificates verified against the Mozilla roots
//!   (`webpki-roots`), HTTP/2 or HTTP/1.1 chosen by ALPN. The transport also speaks plain
//!   `http://`; whether a base URL may use it is decided in one place, when the executor is built
//!   ([`pay_core::endpoint::BaseUrl::require_tls`]: loopback hosts, or an explicit sandbox opt-in).
//! * Pool: idle connections are closed after [`HyperTransportBuilder::pool_idle_timeout`]. hyper-util
//!   only does that when a pool timer is installed, which this builder always does (`TokioTimer`).
//! * Responses larger than [`HyperTransportBuilder::max_response_bytes`] (1 MiB by default, the
//!   JSON readers' [`Limits::RESPONSES`](pay_core::json::Limits::RESPONSES)) fail with
//!   [`TransportErrorKind::ResponseTooLarge`], before being read whole.
//! * Redirects are **not** followed: a `302` comes back as the answer. A payout API that redirects is
//!   misconfigured, and following it would re-send a signed body to another place.
//!
//! Errors say whether the request may have reached the server:
//!
//! | failure | kind | delivery |
//! |---|---|---|
//! | DNS, refused connection, TLS handshake, connect timeout | `Connect` | `NotSent` |
//! | connection closed or reset after the request was handed over | `ConnectionClosed` | `MaybeSent` |
//! | body shorter than announced, or broken mid-body | `TruncatedBody` | `MaybeSent` |
//! | body over the limit | `ResponseTooLarge` | `MaybeSent` |
//! | anything else from hyper | `Other` | `MaybeSent` |
//!
//! The executor's per-attempt timeout adds `Timeout` / `MaybeSent`.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use pay_core::error::{Delivery, Error, TransportError, TransportErrorKind};
use tower_service::Service;

/// The default limit on a response body: 1 MiB, the size the strict JSON readers accept
/// ([`Limits::RESPONSES`](pay_core::json::Limits::RESPONSES), where the reasoning lives).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = pay_core::json::Limits::RESPONSES.max_bytes;

/// hyper-util's pooled client with rustls, as an [`HttpService`](crate::service::HttpService).
/// Cheap to clone; clones share the pool. Needs a tokio runtime.
#[derive(Clone)]
pub struct HyperTransport {
    /// Behind an `Arc`: the executor clones its transport for every attempt.
    client: Arc<Client<HttpsConnector<HttpConnector>, Full<Bytes>>>,
    max_response_bytes: usize,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// The defaults: see [`HyperTransportBuilder`].
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// Starts a builder.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }
}

/// Settings of a [`HyperTransport`].
#[derive(Debug, Clone)]
pub struct HyperTransportBuilder {
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    connect_timeout: Duration,
    max_response_bytes: usize,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self {
            pool_idle_timeout: Duration::from_secs(30),
            pool_max_idle_per_host: 32,
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl HyperTransportBuilder {
    /// Idle pooled connections are closed after this long (default 30 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// At most this many idle connections are kept per host (default 32).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Gives up connecting after this long (default 10 s); that failure is `NotSent`. Keep it below
    /// the executor's attempt timeout, or a slow connect becomes a "may have been sent" timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest response body accepted (default [`DEFAULT_MAX_RESPONSE_BYTES`]). Lower it freely;
    /// raising it does not let larger JSON answers through, as the provider crates read them with
    /// [`Limits::RESPONSES`](pay_core::json::Limits::RESPONSES).
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<HyperTransport, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| Error::invalid_input("tls", format!("rustls configuration: {e}")))?;
        let connector = builder
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            // Without a timer hyper-util never evicts idle connections.
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .timer(TokioTimer::new())
            .build(connector);
        Ok(HyperTransport {
            client: Arc::new(client),
            max_response_bytes: self.max_response_bytes,
        })
    }
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response<Bytes>, TransportError>> + Send>>;

impl Service<Request<Bytes>> for HyperTransport {
    type Response = Response<Bytes>;
    type Error = TransportError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Bytes>) -> ResponseFuture {
        // hyper-util's response future owns what it needs: no clone of the client.
        let response = self.client.request(request.map(Full::new));
        let limit = self.max_response_bytes;
        Box::pin(async move {
            let response = response.await.map_err(client_error)?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, limit)
                .collect()
                .await
                .map_err(body_error)?
                .to_bytes();
            Ok(Response::from_parts(parts, body))
        })
    }
}

/// Maps a hyper-util client error: only connect errors are certainly unsent.
pub(crate) fn client_error(e: hyper_util::client::legacy::Error) -> TransportError {
    if e.is_connect() {
        return TransportError::new(
            TransportErrorKind::Connect,
            Delivery::NotSent,
            Some(e.into()),
        );
    }
    let kind = kind_in_chain(&e).unwrap_or(TransportErrorKind::Other);
    TransportError::new(kind, Delivery::MaybeSent, Some(e.into()))
}

/// Maps an error while reading the body: the server answered, so the request was sent.
fn body_error(e: Box<dyn StdError + Send + Sync>) -> TransportError {
    let kind = if e.downcast_ref::<LengthLimitError>().is_some() {
        TransportErrorKind::ResponseTooLarge
    } else {
        TransportErrorKind::TruncatedBody
    };
    TransportError::new(kind, Delivery::MaybeSent, Some(e))
}

fn kind_in_chain(e: &(dyn StdError + 'static)) -> Option<TransportErrorKind> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                return Some(TransportErrorKind::Timeout);
            }
            if h.is_incomplete_message() || h.is_canceled() || h.is_closed() {
                return Some(TransportErrorKind::ConnectionClosed);
            }
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            match io.kind() {
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
                    return Some(TransportErrorKind::ConnectionClosed);
                }
                K::TimedOut => return Some(TransportErrorKind::Timeout),
                _ => {}
            }
        }
        current = err.source();
    }
    None
}
