//! The HTTP server: one hyper (HTTP/1.1) listener serving Qostiq under `/qostiq/`, COINQVEST under
//! `/coinqvest/api/v1/` and the admin API under `/admin/`, with fault injection in front of the
//! provider routes.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, RETRY_AFTER};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use pay_core::clock::{Clock, OffsetClock};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Credentials, SandboxConfig};
use crate::delivery::{self, DeliveryRecord};
use crate::faults::{FaultClass, Faults};
use crate::state::{Ctx, State, Stats, lock};
use crate::{SandboxError, admin, coinqvest, qostiq};

/// Largest request body accepted (bigger ones are answered 413).
pub const MAX_BODY: usize = 1024 * 1024;

/// An answer before faults are applied.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Extra headers.
    pub headers: Vec<(HeaderName, String)>,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: Bytes,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: StatusCode, body: String) -> Self {
        Self {
            status,
            headers: Vec::new(),
            content_type: "application/json",
            body: Bytes::from(body),
        }
    }

    /// A plain-text answer.
    pub fn text(status: StatusCode, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            content_type: "text/plain; charset=utf-8",
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }
}

/// State shared by the listener, the handlers, the delivery tasks and the admin API.
pub struct Shared {
    /// Start configuration.
    pub config: SandboxConfig,
    /// Sandbox time: the configured clock plus an offset the admin API can move.
    pub clock: OffsetClock<Arc<dyn Clock>>,
    /// The books.
    pub state: Mutex<State>,
    /// Fault rules.
    pub faults: Mutex<Faults>,
    /// Routes whose request a `recreate_refused_in_flight` fault is holding.
    pub in_flight: Mutex<std::collections::HashSet<String>>,
    /// Request counters.
    pub stats: Mutex<Stats>,
    /// Delivery log.
    pub deliveries: Mutex<Vec<DeliveryRecord>>,
    /// `http://host:port`.
    pub base_url: String,
    /// Client for callbacks and webhooks.
    pub client: Client<HttpConnector, Full<Bytes>>,
    /// Flips to `true` on shutdown.
    pub shutdown: watch::Receiver<bool>,
}

impl Shared {
    /// Sandbox time.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.config.credentials
    }

    /// Runs `f` on the books under the lock, then dispatches the callbacks it queued.
    pub fn with_state<T>(self: &Arc<Self>, f: impl FnOnce(&mut Ctx<'_>) -> T) -> T {
        let mut out = Vec::new();
        let result = {
            let mut state = lock(&self.state);
            let mut ctx = Ctx {
                st: &mut state,
                now: self.now(),
                base_url: &self.base_url,
                out: &mut out,
                creds: &self.config.credentials,
            };
            f(&mut ctx)
        };
        delivery::dispatch(self, out);
        result
    }

    /// Expires bills and checkouts and advances payouts whose time has come.
    pub fn tick(self: &Arc<Self>) {
        let step = self.config.auto_progress.map(|a| a.step);
        self.with_state(|ctx| {
            qostiq::bills::expire(ctx);
            coinqvest::checkouts::expire(ctx);
            if let Some(step) = step {
                qostiq::withdrawals::auto_progress(ctx, step);
                qostiq::crypto::auto_progress(ctx, step);
            }
        });
    }
}

/// Entry point of the builder: [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults of [`SandboxConfig::default`] (loopback, port 0, default
    /// credentials, real delivery schedule, payouts advanced only by the admin API).
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            config: SandboxConfig::default(),
        }
    }
}

/// Configures and starts a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    config: SandboxConfig,
}

impl SandboxBuilder {
    /// Starts from a full configuration.
    pub fn from_config(config: SandboxConfig) -> Self {
        Self { config }
    }

    /// Listen address (default `127.0.0.1:0`).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.config.bind = addr;
        self
    }

    /// All credentials at once.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.config.credentials = credentials;
        self
    }

    /// Qostiq shop id and secret.
    pub fn qostiq_credentials(mut self, shop_id: u64, secret: pay_core::secret::Secret) -> Self {
        self.config.credentials.qostiq_shop_id = shop_id;
        self.config.credentials.qostiq_secret = secret;
        self
    }

    /// COINQVEST API key and secret.
    pub fn coinqvest_credentials(
        mut self,
        key: impl Into<String>,
        secret: pay_core::secret::Secret,
    ) -> Self {
        self.config.credentials.coinqvest_key = key.into();
        self.config.credentials.coinqvest_secret = secret;
        self
    }

    /// Seed of ids and probabilistic faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// The clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.config.clock = clock;
        self
    }

    /// Deliver callbacks on the fast schedule (a minute becomes a millisecond).
    pub fn callbacks_fast(mut self, fast: bool) -> Self {
        self.config.delivery = if fast {
            crate::config::DeliverySchedule::FAST
        } else {
            crate::config::DeliverySchedule::REAL
        };
        self
    }

    /// A custom delivery schedule.
    pub fn delivery(mut self, schedule: crate::config::DeliverySchedule) -> Self {
        self.config.delivery = schedule;
        self
    }

    /// Advance payouts by themselves every `step` of sandbox time.
    pub fn auto_progress(mut self, step: Duration) -> Self {
        self.config.auto_progress = Some(crate::config::AutoProgress { step });
        self
    }

    /// Qostiq shop setting: `shop_order_id` must be unique among bills (default on).
    pub fn shop_order_id_unique(mut self, unique: bool) -> Self {
        self.config.shop_order_id_unique = unique;
        self
    }

    /// The Qostiq shop's interaction URL (withdraw callbacks and payment notifications).
    pub fn qostiq_callback_url(mut self, url: impl Into<String>) -> Self {
        self.config.qostiq_callback_url = Some(url.into());
        self
    }

    /// The Qostiq shop's crypto interaction URL.
    pub fn qostiq_crypto_callback_url(mut self, url: impl Into<String>) -> Self {
        self.config.qostiq_crypto_callback_url = Some(url.into());
        self
    }

    /// Default COINQVEST webhook URL (when a checkout names none).
    pub fn coinqvest_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.coinqvest_webhook_url = Some(url.into());
        self
    }

    /// The configuration so far.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Binds and starts serving. Needs a tokio runtime.
    pub async fn start(self) -> Result<SandboxHandle, SandboxError> {
        start(self.config).await
    }
}

/// A running sandbox. Dropping it stops the server (use [`SandboxHandle::shutdown`] to wait).
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    base_url: String,
    credentials: Credentials,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Base URL for a Qostiq client: `http://127.0.0.1:PORT/qostiq`.
    pub fn qostiq_base_url(&self) -> String {
        format!("{}/qostiq", self.base_url)
    }

    /// Base URL for a COINQVEST client: `http://127.0.0.1:PORT/coinqvest/api/v1`.
    pub fn coinqvest_base_url(&self) -> String {
        format!("{}/coinqvest/api/v1", self.base_url)
    }

    /// Base URL of the admin API: `http://127.0.0.1:PORT/admin`.
    pub fn admin_url(&self) -> String {
        format!("{}/admin", self.base_url)
    }

    /// A client of the admin API (see [`crate::AdminClient`]).
    pub fn admin(&self) -> crate::AdminClient {
        crate::AdminClient::new(self.admin_url())
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Stops accepting, lets open requests finish (up to 5 s) and stops deliveries.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|e| SandboxError::Bind(config.bind, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| SandboxError::Bind(config.bind, e))?;
    let base_url = format!("http://{addr}");
    let (stop, shutdown) = watch::channel(false);
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http();
    let shared = Arc::new(Shared {
        clock: OffsetClock::new(Arc::clone(&config.clock)),
        state: Mutex::new(State::new(&config)),
        faults: Mutex::new(Faults::new(config.seed)),
        in_flight: Mutex::new(std::collections::HashSet::new()),
        stats: Mutex::new(Stats::default()),
        deliveries: Mutex::new(Vec::new()),
        base_url: base_url.clone(),
        client,
        shutdown,
        config,
    });
    let credentials = shared.config.credentials.clone();
    tracing::info!(%addr, credentials = %credentials.describe_masked(), "pay-sandbox listening");
    if let Some(auto) = shared.config.auto_progress {
        let shared = Arc::clone(&shared);
        let period = (auto.step / 2).max(Duration::from_millis(5));
        tokio::spawn(async move {
            let mut shutdown = shared.shutdown.clone();
            loop {
                tokio::select! {
                    () = tokio::time::sleep(period) => shared.tick(),
                    _ = shutdown.changed() => return,
                }
            }
        });
    }
    let task = tokio::spawn(serve(listener, shared));
    Ok(SandboxHandle {
        addr,
        base_url,
        credentials,
        stop,
        task: Some(task),
    })
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = shared.shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let service = service_fn(move |req| handle(Arc::clone(&shared), req));
                let conn = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}

/// The service error that makes hyper close the connection without answering.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

/// Which part of the server a path belongs to.
enum Area<'p> {
    Qostiq(&'p str),
    Coinqvest(&'p str),
    Admin(&'p str),
    Unknown,
}

fn area(path: &str) -> Area<'_> {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .filter(|rest| rest.starts_with('/'))
    };
    if let Some(rest) = under("/qostiq") {
        Area::Qostiq(rest)
    } else if let Some(rest) = under("/coinqvest/api/v1") {
        Area::Coinqvest(rest)
    } else if path == "/admin" {
        Area::Admin("")
    } else if let Some(rest) = under("/admin") {
        Area::Admin(rest)
    } else {
        Area::Unknown
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ReplyBody>, Dropped> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(respond(
                Reply::text(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
                None,
            ));
        }
    };
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let method = parts.method.clone();
    match area(&path) {
        Area::Admin(rest) => Ok(respond(
            admin::handle(&shared, &method, rest, &query, &body),
            None,
        )),
        Area::Unknown => Ok(respond(
            Reply::text(
                StatusCode::NOT_FOUND,
                "not found: /qostiq/, /coinqvest/api/v1/, /admin/",
            ),
            None,
        )),
        provider => {
            let is_qostiq = matches!(provider, Area::Qostiq(_));
            lock(&shared.stats).route(&path).received += 1;
            if lock(&shared.in_flight).contains(&path) {
                // A request of this route is held (`recreate_refused_in_flight`): refused.
                return Ok(respond(in_flight_refusal(is_qostiq), None));
            }
            let fault = lock(&shared.faults).take(method.as_str(), &path);
            if let Some(fault) = fault {
                lock(&shared.stats).route(&path).faulted += 1;
                tracing::debug!(%path, fault = fault.name(), "injecting fault");
                match fault {
                    FaultClass::ResetBeforeCommit => return Err(Dropped),
                    FaultClass::Status5xx { status } => {
                        return Ok(respond(unavailable(is_qostiq, status, None), None));
                    }
                    FaultClass::Status429 { retry_after } => {
                        return Ok(respond(
                            unavailable(is_qostiq, 429, Some(retry_after)),
                            None,
                        ));
                    }
                    FaultClass::LookupOtherPayout => {
                        let other = match provider {
                            Area::Qostiq(rest) => qostiq::other_payout(&shared, rest, &body),
                            Area::Coinqvest(_) => coinqvest::withdrawals::other(&shared, &query),
                            _ => None,
                        };
                        if let Some(reply) = other {
                            return Ok(respond(reply, None));
                        }
                    }
                    FaultClass::IdReused => {
                        if let Area::Qostiq(rest) = provider {
                            qostiq::book_earlier(&shared, rest, &body);
                        }
                    }
                    FaultClass::HeldThenCommit { hold_ms } => {
                        return Ok(respond(
                            held(&shared, &parts, &path, body, hold_ms).await,
                            None,
                        ));
                    }
                    FaultClass::RecreateRefusedInFlight { hold_ms } => {
                        lock(&shared.in_flight).insert(path.clone());
                        let reply = held(&shared, &parts, &path, body, hold_ms).await;
                        return Ok(respond(reply, None));
                    }
                    _ => {}
                }
            }
            let mut reply = match provider {
                Area::Qostiq(rest) => qostiq::handle(&shared, &method, rest, &body),
                Area::Coinqvest(rest) => {
                    coinqvest::handle(&shared, &method, rest, &query, &parts.headers, &body)
                }
                _ => Reply::text(StatusCode::NOT_FOUND, "not found"),
            };
            if fault == Some(FaultClass::LookupMismatch)
                && let Some(body) = crate::faults::mismatched(&reply.body)
            {
                reply.body = Bytes::from(body);
            }
            lock(&shared.stats).route(&path).committed += 1;
            match fault {
                Some(FaultClass::CommitThenDrop) => Err(Dropped),
                Some(FaultClass::CommitThenDelay { delay_ms }) => {
                    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                    Ok(respond(reply, None))
                }
                Some(FaultClass::CommitThenTruncate) => {
                    let keep = reply.body.len() / 2;
                    Ok(respond(reply, Some(keep)))
                }
                _ => Ok(respond(reply, None)),
            }
        }
    }
}

/// Serves a request held `hold_ms` first (`held_then_commit`, `recreate_refused_in_flight`): in a
/// task of its own, so it is applied even when the client has gone (hyper drops a request's
/// future when its connection closes; a server's work does not stop).
async fn held(
    shared: &Arc<Shared>,
    parts: &http::request::Parts,
    path: &str,
    body: Bytes,
    hold_ms: u64,
) -> Reply {
    let shared = Arc::clone(shared);
    let (method, headers) = (parts.method.clone(), parts.headers.clone());
    let query = parts.uri.query().unwrap_or("").to_owned();
    let path = path.to_owned();
    let work = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(hold_ms)).await;
        let reply = match area(&path) {
            Area::Qostiq(rest) => qostiq::handle(&shared, &method, rest, &body),
            Area::Coinqvest(rest) => {
                coinqvest::handle(&shared, &method, rest, &query, &headers, &body)
            }
            _ => Reply::text(StatusCode::NOT_FOUND, "not found"),
        };
        lock(&shared.stats).route(&path).committed += 1;
        lock(&shared.in_flight).remove(&path);
        reply
    });
    work.await
        .unwrap_or_else(|_| Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "held request failed"))
}

/// The answer to a request that arrives while another request of its route is held: Qostiq's
/// "insufficient funds" (`error_code` 5: the first holds the balance), COINQVEST's refusal of a
/// withdrawal being processed.
fn in_flight_refusal(is_qostiq: bool) -> Reply {
    if is_qostiq {
        let refusal = qostiq::QErr::insufficient();
        Reply::json(
            refusal.http,
            qostiq::err_body(refusal.code, &refusal.message),
        )
    } else {
        Reply::json(
            StatusCode::BAD_REQUEST,
            "{\"errors\":[\"Withdrawal is PROCESSING and cannot be committed.\"]}".to_owned(),
        )
    }
}

/// The answer of a `status_5xx` / `status_429` fault: COINQVEST's `{"errors": [...]}`; for Qostiq
/// the HTML page its front proxy serves.
fn unavailable(is_qostiq: bool, status: u16, retry_after: Option<u64>) -> Reply {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let reason = code.canonical_reason().unwrap_or("Error");
    let mut reply = if is_qostiq {
        let mut r = Reply::text(
            code,
            &format!(
                "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center></body></html>"
            ),
        );
        r.content_type = "text/html";
        r
    } else {
        let message = if status == 429 {
            "Too many requests."
        } else {
            "Service unavailable."
        };
        Reply::json(code, format!("{{\"errors\":[\"{message}\"]}}"))
    };
    if let Some(seconds) = retry_after {
        reply.headers.push((RETRY_AFTER, seconds.to_string()));
    }
    reply
}

fn respond(reply: Reply, truncate_to: Option<usize>) -> Response<ReplyBody> {
    let full_len = reply.body.len();
    let body = match truncate_to {
        Some(keep) => ReplyBody {
            data: Some(reply.body.slice(..keep.min(full_len))),
            cut: Some(Box::pin(tokio::time::sleep(Duration::from_millis(50)))),
        },
        None => ReplyBody {
            data: Some(reply.body),
            cut: None,
        },
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    let headers: &mut HeaderMap = response.headers_mut();
    if let Ok(v) = reply.content_type.parse() {
        headers.insert(CONTENT_TYPE, v);
    }
    if truncate_to.is_some()
        && let Ok(v) = full_len.to_string().parse()
    {
        headers.insert(CONTENT_LENGTH, v);
    }
    for (name, value) in reply.headers {
        if let Ok(v) = value.parse() {
            headers.insert(name, v);
        }
    }
    response
}

/// The response body: the whole answer, or (truncation fault) part of it followed by an error that
/// makes hyper abort the connection.
pub struct ReplyBody {
    data: Option<Bytes>,
    cut: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// The error that cuts a truncated body.
#[derive(Debug)]
pub struct BodyCut;

impl std::fmt::Display for BodyCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("body truncated by an injected fault")
    }
}

impl std::error::Error for BodyCut {}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = BodyCut;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyCut>>> {
        let this = &mut *self;
        if let Some(data) = this.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(sleep) = this.cut.as_mut() {
            ready!(sleep.as_mut().poll(cx));
            this.cut = None;
            return Poll::Ready(Some(Err(BodyCut)));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.cut.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, &self.cut) {
            (Some(d), None) => SizeHint::with_exact(d.len() as u64),
            (None, None) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

/// Runs the sandbox until Ctrl-C: the entry point of a `pay sandbox` command. Prints the URLs and
/// the masked credentials on start.
pub async fn run_standalone(config: SandboxConfig) -> Result<(), SandboxError> {
    use std::io::Write as _;
    let fast = config.delivery.speedup > 1;
    let handle = SandboxBuilder::from_config(config).start().await?;
    let banner = format!(
        "pay-sandbox listening on {}\n  Qostiq base URL:    {}\n  COINQVEST base URL: {}\n  admin API:          {}\n  credentials: {}\n  callbacks: {}\npress Ctrl-C to stop\n",
        handle.addr(),
        handle.qostiq_base_url(),
        handle.coinqvest_base_url(),
        handle.admin_url(),
        handle.credentials().describe_masked(),
        if fast {
            "fast schedule"
        } else {
            "real schedule"
        },
    );
    let _ = std::io::stdout().lock().write_all(banner.as_bytes());
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}
