//! Test support (feature `test-util`): a loopback HTTP/1.1 server that injects faults per route and
//! counts what it *committed* (applied), so tests can prove "a payout was applied at most once" and
//! "a read was retried".
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use pay_transport::testing::{Fault, FaultServer};
//!
//! let server = FaultServer::start().await?;
//! server.push_faults("/withdraw/create", [Fault::CommitThenDrop]);
//! // … run a client against server.base_url() …
//! assert!(server.commits("/withdraw/create") <= 1);
//! # Ok(()) }
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use pay_core::endpoint::BaseUrl;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// What the server does with one request on a route. [`Fault::name`] gives each the name the
/// sandbox's admin API uses for the same fault (`pay_sandbox`'s `POST /admin/faults`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Commit and answer with the route's [`Reply`].
    Pass,
    /// Commit, then close the connection without answering.
    CommitThenDrop,
    /// Commit, then wait this long before answering (past the client's timeout).
    CommitThenDelay(Duration),
    /// Commit, then send the headers and half of the body, then break the connection.
    CommitThenTruncate,
    /// Reset the connection (TCP RST) without committing.
    ResetBeforeCommit,
    /// Answer with this status (a 5xx burst is several of these), committing first if `commit`.
    Status {
        /// The status to answer.
        status: StatusCode,
        /// Whether the operation is applied before answering (a 5xx after the work was done).
        commit: bool,
    },
    /// Answer 429 with this `Retry-After` value, without committing.
    TooManyRequests {
        /// The `Retry-After` header value (seconds or an HTTP-date).
        retry_after: String,
    },
    /// Hold the request this long (past the client's timeout), then commit and answer: a request
    /// still executing when the client looks it up.
    HeldThenCommit(Duration),
    /// Like [`Fault::HeldThenCommit`], and while it is held every other request to the route is
    /// answered `refusal` without committing: a re-send refused while the first holds the money.
    RecreateRefusedInFlight {
        /// How long the first request is held.
        hold: Duration,
        /// The answer to the requests that arrive meanwhile.
        refusal: Reply,
    },
    /// Answer this reply (another payout than the one asked for) without committing: for lookups.
    LookupOtherPayout(Reply),
    /// Answer this reply (the asked id with other terms) without committing: for lookups.
    LookupMismatch(Reply),
    /// Refuse with HTTP 400 `{"errors":["Withdrawal is COMPLETED and cannot be committed."]}`: the
    /// route was committed earlier (counted now if it was not yet), this repeat is refused.
    AlreadyCompleted,
}

impl Fault {
    /// The fault's name, as the sandbox's admin API spells it: `commit_then_drop`,
    /// `commit_then_delay`, `commit_then_truncate`, `reset_before_commit`, `status_5xx`,
    /// `status_429`, `held_then_commit`, `recreate_refused_in_flight`, `lookup_other_payout`,
    /// `lookup_mismatch`, `already_completed` (and `pass`, `status` for the rest).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::CommitThenDrop => "commit_then_drop",
            Self::CommitThenDelay(_) => "commit_then_delay",
            Self::CommitThenTruncate => "commit_then_truncate",
            Self::ResetBeforeCommit => "reset_before_commit",
            Self::Status { status, .. } if status.is_server_error() => "status_5xx",
            Self::Status { .. } => "status",
            Self::TooManyRequests { .. } => "status_429",
            Self::HeldThenCommit(_) => "held_then_commit",
            Self::RecreateRefusedInFlight { .. } => "recreate_refused_in_flight",
            Self::LookupOtherPayout(_) => "lookup_other_payout",
            Self::LookupMismatch(_) => "lookup_mismatch",
            Self::AlreadyCompleted => "already_completed",
        }
    }
}

/// A canned answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// Extra headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Body.
    pub body: Bytes,
}

impl Reply {
    /// `status` with `body`, `Content-Type: application/json`.
    pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// A request as the server received it. `Debug` shows header names and the body length only: the
/// values are credentials and signatures.
#[derive(Clone)]
pub struct Recorded {
    /// Method.
    pub method: Method,
    /// Path and query.
    pub target: String,
    /// Headers (including credentials: test data only).
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl fmt::Debug for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorded")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("header_names", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[derive(Debug, Default)]
struct Route {
    script: VecDeque<Fault>,
    fallback: Option<Fault>,
    reply: Option<Reply>,
    commits: usize,
    hits: usize,
    requests: Vec<Recorded>,
    /// While a [`Fault::RecreateRefusedInFlight`] holds its request: the answer to the others.
    in_flight: Option<Reply>,
}

#[derive(Debug, Default)]
struct State {
    routes: Mutex<HashMap<String, Route>>,
    accepted: AtomicUsize,
    closed: AtomicUsize,
}

impl State {
    fn route<T>(&self, path: &str, f: impl FnOnce(&mut Route) -> T) -> T {
        let mut routes = self.routes.lock().unwrap_or_else(PoisonError::into_inner);
        f(routes.entry(path.to_owned()).or_default())
    }
}

/// The fault-injection server. Stops (and drops every connection) when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    base_url: BaseUrl,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultServer")
            .field("addr", &self.addr)
            .field("connections_accepted", &self.connections_accepted())
            .field("connections_closed", &self.connections_closed())
            .finish_non_exhaustive()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    /// Listens on `127.0.0.1:0`. Must run inside a tokio runtime.
    pub async fn start() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}")
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let state = Arc::new(State::default());
        let task = tokio::spawn(accept_loop(listener, state.clone()));
        Ok(Self {
            addr,
            base_url,
            state,
            task,
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> BaseUrl {
        self.base_url.clone()
    }

    /// The answer `path` gives when it passes (default `200 {"ok":true}`).
    pub fn set_reply(&self, path: &str, reply: Reply) {
        self.state.route(path, |r| r.reply = Some(reply));
    }

    /// Queues faults for the next requests to `path`, in order.
    pub fn push_faults(&self, path: &str, faults: impl IntoIterator<Item = Fault>) {
        self.state.route(path, |r| r.script.extend(faults));
    }

    /// What `path` does once its queue is empty (default [`Fault::Pass`]).
    pub fn set_fallback(&self, path: &str, fault: Fault) {
        self.state.route(path, |r| r.fallback = Some(fault));
    }

    /// How many requests to `path` were applied.
    pub fn commits(&self, path: &str) -> usize {
        self.state.route(path, |r| r.commits)
    }

    /// How many requests to `path` arrived.
    pub fn hits(&self, path: &str) -> usize {
        self.state.route(path, |r| r.hits)
    }

    /// The requests to `path`, in arrival order.
    pub fn requests(&self, path: &str) -> Vec<Recorded> {
        self.state.route(path, |r| r.requests.clone())
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.state.accepted.load(Ordering::SeqCst)
    }

    /// TCP connections that have ended (closed by either side).
    pub fn connections_closed(&self) -> usize {
        self.state.closed.load(Ordering::SeqCst)
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        state.accepted.fetch_add(1, Ordering::SeqCst);
        connections.spawn(serve(stream, state.clone()));
        while connections.try_join_next().is_some() {}
    }
}

async fn serve(stream: TcpStream, state: Arc<State>) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = ConnIo {
        stream: Some(stream),
        reset: reset.clone(),
        state: state.clone(),
    };
    let service =
        hyper::service::service_fn(move |request| handle(request, state.clone(), reset.clone()));
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(io), service)
        .await;
}

async fn handle(
    request: Request<Incoming>,
    state: Arc<State>,
    reset: Arc<AtomicBool>,
) -> Result<Response<ServerBody>, io::Error> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
    let path = parts.uri.path().to_owned();
    let recorded = Recorded {
        method: parts.method.clone(),
        target: parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts.headers.clone(),
        body,
    };
    let planned = state.route(&path, |r| {
        r.hits += 1;
        r.requests.push(recorded);
        if let Some(refusal) = &r.in_flight {
            // Refused while another request of the route is held: nothing committed.
            return Err(refusal.clone());
        }
        let fault = r
            .script
            .pop_front()
            .or_else(|| r.fallback.clone())
            .unwrap_or(Fault::Pass);
        if let Fault::RecreateRefusedInFlight { refusal, .. } = &fault {
            r.in_flight = Some(refusal.clone());
        }
        let reply = r
            .reply
            .clone()
            .unwrap_or_else(|| Reply::json(StatusCode::OK, Bytes::from_static(b"{\"ok\":true}")));
        Ok((fault, reply))
    });
    let (fault, reply) = match planned {
        Ok(planned) => planned,
        Err(refusal) => return Ok(respond(refusal, false)),
    };
    let commit = |state: &State| state.route(&path, |r| r.commits += 1);
    match fault {
        Fault::Pass => {
            commit(&state);
            Ok(respond(reply, false))
        }
        Fault::CommitThenDrop => {
            commit(&state);
            Err(io::Error::other("fault: commit then drop"))
        }
        Fault::CommitThenDelay(delay) => {
            commit(&state);
            tokio::time::sleep(delay).await;
            Ok(respond(reply, false))
        }
        Fault::CommitThenTruncate => {
            commit(&state);
            Ok(respond(reply, true))
        }
        Fault::ResetBeforeCommit => {
            reset.store(true, Ordering::SeqCst);
            Err(io::Error::other("fault: reset"))
        }
        Fault::Status { status, commit: c } => {
            if c {
                commit(&state);
            }
            let body = format!("{{\"errors\":[\"injected {}\"]}}", status.as_u16());
            Ok(respond(Reply::json(status, body), false))
        }
        // Held requests are applied even if the client has gone (hyper drops this future when
        // the connection closes; the server's own work does not stop): a task of their own.
        Fault::HeldThenCommit(hold) => {
            let (state, path) = (state.clone(), path.clone());
            let applied = tokio::spawn(async move {
                tokio::time::sleep(hold).await;
                state.route(&path, |r| r.commits += 1);
            });
            let _ = applied.await;
            Ok(respond(reply, false))
        }
        Fault::RecreateRefusedInFlight { hold, .. } => {
            let (state, path) = (state.clone(), path.clone());
            let applied = tokio::spawn(async move {
                tokio::time::sleep(hold).await;
                state.route(&path, |r| {
                    r.in_flight = None;
                    r.commits += 1;
                });
            });
            let _ = applied.await;
            Ok(respond(reply, false))
        }
        Fault::LookupOtherPayout(substitute) | Fault::LookupMismatch(substitute) => {
            Ok(respond(substitute, false))
        }
        Fault::AlreadyCompleted => {
            state.route(&path, |r| r.commits = r.commits.max(1));
            Ok(respond(
                Reply::json(
                    StatusCode::BAD_REQUEST,
                    Bytes::from_static(
                        b"{\"errors\":[\"Withdrawal is COMPLETED and cannot be committed.\"]}",
                    ),
                ),
                false,
            ))
        }
        Fault::TooManyRequests { retry_after } => {
            let mut reply = Reply::json(
                StatusCode::TOO_MANY_REQUESTS,
                Bytes::from_static(b"{\"errors\":[\"slow down\"]}"),
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after) {
                reply = reply.with_header(http::header::RETRY_AFTER, v);
            }
            Ok(respond(reply, false))
        }
    }
}

fn respond(reply: Reply, truncate: bool) -> Response<ServerBody> {
    let declared = reply.body.len() as u64;
    let body = if truncate {
        ServerBody {
            data: Some(reply.body.slice(..reply.body.len() / 2)),
            declared,
            fail: Some(Box::pin(tokio::time::sleep(Duration::from_millis(20)))),
        }
    } else {
        ServerBody {
            data: Some(reply.body),
            declared,
            fail: None,
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    for (name, value) in reply.headers {
        response.headers_mut().append(name, value);
    }
    response
}

/// A body that announces `declared` bytes; with `fail`, it sends what it has, pauses (so hyper
/// flushes the partial body), then errors, which makes hyper abort the connection.
struct ServerBody {
    data: Option<Bytes>,
    declared: u64,
    fail: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::body::Body for ServerBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        match self.fail.as_mut() {
            None => Poll::Ready(None),
            Some(pause) => match pause.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    self.fail = None;
                    Poll::Ready(Some(Err(io::Error::other("fault: truncated body"))))
                }
            },
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}

/// The connection's socket: counts closes, and closes with RST (SO_LINGER 0) when asked.
struct ConnIo {
    stream: Option<TcpStream>,
    reset: Arc<AtomicBool>,
    state: Arc<State>,
}

impl ConnIo {
    fn stream(&mut self) -> io::Result<Pin<&mut TcpStream>> {
        self.stream
            .as_mut()
            .map(Pin::new)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            if self.reset.load(Ordering::SeqCst) {
                let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            }
            drop(stream);
        }
        self.state.closed.fetch_add(1, Ordering::SeqCst);
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(s) => s.poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.stream() {
            Ok(s) => s.poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(s) => s.poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(s) => s.poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}
