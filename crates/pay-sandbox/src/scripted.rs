//! The scripted server: the sandbox's listener and fault injection without the emulated books.
//! Each route answers a canned [`Reply`] and meets the [`Step`]s queued for it, in order; the
//! server counts what it received and what it applied (committed), so a test can prove "a payout
//! was applied at most once" and "a read was retried".
//!
//! ```no_run
//! # async fn demo() -> Result<(), pay_sandbox::SandboxError> {
//! use pay_core::error::Provider;
//! use pay_sandbox::{Fault, ScriptedServer};
//!
//! let server = ScriptedServer::start(Provider::Coinqvest).await?;
//! server.push_faults("/withdrawal/commit", [Fault::CommitThenDrop]);
//! // … run a client against server.base_url() …
//! assert!(server.commits("/withdrawal/commit") <= 1);
//! # Ok(()) }
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::StatusCode;
use pay_core::endpoint::BaseUrl;
use pay_core::error::Provider;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::error::SandboxError;
use crate::exchange::{ReceivedRequest, Reply};
use crate::fault_answers;
use crate::faults::Fault;
use crate::inject::{self, Backend, Step};
use crate::listener::Bound;
use crate::locking::lock;
use crate::tamper;
use crate::traffic::Traffic;
use crate::wire::respond;

/// One route's script.
#[derive(Debug, Default)]
struct RouteScript {
    reply: Option<Reply>,
    steps: VecDeque<Step>,
    fallback: Option<Step>,
    requests: Vec<ReceivedRequest>,
}

/// The routes' scripts, and the API whose answers the faults imitate.
struct Script {
    api: Api,
    routes: Mutex<HashMap<String, RouteScript>>,
}

impl Script {
    fn route<T>(&self, path: &str, work: impl FnOnce(&mut RouteScript) -> T) -> T {
        let mut routes = lock(&self.routes);
        work(routes.entry(path.to_owned()).or_default())
    }

    fn reply(&self, path: &str) -> Reply {
        self.route(path, |r| r.reply.clone())
            .unwrap_or_else(|| Reply::json(StatusCode::OK, Bytes::from_static(b"{\"ok\":true}")))
    }
}

impl Backend for Script {
    fn api(&self, _request: &ReceivedRequest) -> Api {
        self.api
    }

    fn observe(&self, request: &ReceivedRequest) {
        self.route(request.path(), |r| r.requests.push(request.clone()));
    }

    fn next_step(&self, request: &ReceivedRequest) -> Step {
        self.route(request.path(), |r| {
            r.steps
                .pop_front()
                .or_else(|| r.fallback.clone())
                .unwrap_or(Step::Apply)
        })
    }

    fn apply(&self, request: &ReceivedRequest) -> Reply {
        self.reply(request.path())
    }

    fn other_payout(&self, request: &ReceivedRequest) -> Option<Reply> {
        let reply = self.reply(request.path());
        let other = tamper::another_payout(&reply.body)?;
        Some(Reply {
            body: Bytes::from(other),
            ..reply
        })
    }

    fn reuse_id(&self, _request: &ReceivedRequest) -> Option<Reply> {
        Some(fault_answers::duplicate(self.api))
    }
}

/// A loopback HTTP/1.1 server that answers scripted replies and injects faults per route, with
/// the sandbox's fault vocabulary and the error shapes of one provider. Stops when dropped.
///
/// A route (a path, without the query) answers its [`ScriptedServer::set_reply`] (default
/// `200 {"ok":true}`) and meets, request by request, the steps queued with
/// [`ScriptedServer::push_faults`] / [`ScriptedServer::push_steps`], then its fallback (default:
/// [`Step::Apply`]). Lookup faults rewrite the route's reply: `lookup_mismatch` raises every
/// amount by 1 and changes every account, `lookup_other_payout` changes the payout's ids.
pub struct ScriptedServer {
    addr: SocketAddr,
    base_url: BaseUrl,
    script: Arc<Script>,
    traffic: Arc<Traffic>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl fmt::Debug for ScriptedServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptedServer")
            .field("addr", &self.addr)
            .field("api", &self.script.api.name())
            .field("connections_accepted", &self.connections_accepted())
            .field("connections_closed", &self.connections_closed())
            .finish_non_exhaustive()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }
}

impl ScriptedServer {
    /// Listens on `127.0.0.1:0`; faults answer the way `provider` does. Needs a tokio runtime.
    pub async fn start(provider: Provider) -> Result<Self, SandboxError> {
        let api = Api::of(provider).ok_or_else(|| {
            SandboxError::Config(format!("the sandbox does not speak {provider}'s API"))
        })?;
        let bound = Bound::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let addr = bound.addr();
        let base_url = format!("http://{addr}")
            .parse()
            .map_err(|e| SandboxError::Config(format!("base URL of {addr}: {e}")))?;
        let script = Arc::new(Script {
            api,
            routes: Mutex::new(HashMap::new()),
        });
        let traffic = Arc::new(Traffic::default());
        let (stop, shutdown) = watch::channel(false);
        let service = {
            let (script, traffic) = (Arc::clone(&script), Arc::clone(&traffic));
            move |request, connection: Arc<_>| {
                let (script, traffic) = (Arc::clone(&script), Arc::clone(&traffic));
                async move {
                    match inject::receive(request).await {
                        Ok(request) => inject::serve(&script, &traffic, &connection, request).await,
                        Err(too_large) => Ok(respond(too_large)),
                    }
                }
            }
        };
        let task = bound.serve(Arc::clone(&traffic), shutdown, service);
        Ok(Self {
            addr,
            base_url,
            script,
            traffic,
            stop,
            task,
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> BaseUrl {
        self.base_url.clone()
    }

    /// What `path` answers when a request is applied (default `200 {"ok":true}`).
    pub fn set_reply(&self, path: &str, reply: Reply) {
        self.script.route(path, |r| r.reply = Some(reply));
    }

    /// Queues faults for the next requests to `path`, in order.
    pub fn push_faults(&self, path: &str, faults: impl IntoIterator<Item = Fault>) {
        self.push_steps(path, faults.into_iter().map(Step::Fault));
    }

    /// Queues steps (faults, scripted answers, normal applications) for the next requests to
    /// `path`, in order.
    pub fn push_steps(&self, path: &str, steps: impl IntoIterator<Item = Step>) {
        self.script.route(path, |r| r.steps.extend(steps));
    }

    /// What every request to `path` meets once its queue is empty (default [`Step::Apply`]).
    pub fn set_fallback(&self, path: &str, step: Step) {
        self.script.route(path, |r| r.fallback = Some(step));
    }

    /// How many requests to `path` were applied.
    pub fn commits(&self, path: &str) -> usize {
        self.traffic.committed_on(path)
    }

    /// How many requests to `path` arrived.
    pub fn hits(&self, path: &str) -> usize {
        self.traffic.received_on(path)
    }

    /// The requests to `path`, in arrival order.
    pub fn requests(&self, path: &str) -> Vec<ReceivedRequest> {
        self.script.route(path, |r| r.requests.clone())
    }

    /// TCP connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.traffic.connections_accepted()
    }

    /// TCP connections that have ended (closed by either side).
    pub fn connections_closed(&self) -> usize {
        self.traffic.connections_closed()
    }
}
