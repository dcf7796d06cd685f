//! The emulator: the providers' books behind one lock, the fault rules, the delivery of callbacks,
//! and the path from a request to a provider's route table.

use std::sync::{Arc, Mutex};

use http::{Method, StatusCode};
use pay_core::clock::Clock;
use time::OffsetDateTime;

use crate::api::Api;
use crate::books::Books;
use crate::coinqvest::protocol::AuthCheck;
use crate::config::{Credentials, SandboxClock, SandboxConfig};
use crate::context::Context;
use crate::delivery::Deliveries;
use crate::exchange::{ReceivedRequest, Reply, query_pairs};
use crate::fault_rules::FaultRules;
use crate::inject::{Backend, Step};
use crate::locking::lock;
use crate::traffic::Traffic;
use crate::{coinqvest, qostiq};

/// Where Qostiq is served.
pub(crate) const QOSTIQ_PREFIX: &str = "/qostiq";
/// Where COINQVEST is served.
pub(crate) const COINQVEST_PREFIX: &str = "/coinqvest/api/v1";
/// Where the admin API is served.
pub(crate) const ADMIN_PREFIX: &str = "/admin";

/// Which part of the server a path belongs to, with the rest of the path.
pub(crate) enum Area<'p> {
    /// A Qostiq endpoint (`/bill/create`).
    Qostiq(&'p str),
    /// A COINQVEST endpoint (`/withdrawal`).
    Coinqvest(&'p str),
    /// An admin route (`/faults`; empty for `/admin` itself).
    Admin(&'p str),
    /// Nothing the sandbox serves.
    Unknown,
}

/// The area of `path`.
pub(crate) fn area(path: &str) -> Area<'_> {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .filter(|rest| rest.starts_with('/'))
    };
    if let Some(rest) = under(QOSTIQ_PREFIX) {
        Area::Qostiq(rest)
    } else if let Some(rest) = under(COINQVEST_PREFIX) {
        Area::Coinqvest(rest)
    } else if path == ADMIN_PREFIX {
        Area::Admin("")
    } else if let Some(rest) = under(ADMIN_PREFIX) {
        Area::Admin(rest)
    } else {
        Area::Unknown
    }
}

/// The emulated providers, shared by the listener, the handlers, the deliveries and the admin API.
pub(crate) struct Emulator {
    /// The start configuration.
    pub(crate) config: SandboxConfig,
    /// Sandbox time.
    pub(crate) clock: Arc<SandboxClock>,
    books: Mutex<Books>,
    /// The fault rules of the admin API.
    pub(crate) fault_rules: Mutex<FaultRules>,
    /// Callbacks and webhooks, sent and to send.
    pub(crate) deliveries: Arc<Deliveries>,
    /// What the server saw.
    pub(crate) traffic: Arc<Traffic>,
    /// `http://host:port`.
    pub(crate) base_url: String,
}

impl Emulator {
    /// The emulator of `config`, served at `base_url`.
    pub(crate) fn new(
        config: SandboxConfig,
        base_url: String,
        traffic: Arc<Traffic>,
        deliveries: Arc<Deliveries>,
        clock: Arc<SandboxClock>,
    ) -> Self {
        Self {
            books: Mutex::new(Books::new(&config)),
            fault_rules: Mutex::new(FaultRules::new(config.seed)),
            clock,
            deliveries,
            traffic,
            base_url,
            config,
        }
    }

    /// Sandbox time.
    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The accepted credentials.
    pub(crate) fn credentials(&self) -> &Credentials {
        &self.config.credentials
    }

    /// Runs `work` on the books under the lock, then sends the callbacks it queued.
    pub(crate) fn with_books<T>(&self, work: impl FnOnce(&mut Context<'_>) -> T) -> T {
        let mut outbox = Vec::new();
        let result = {
            let mut books = lock(&self.books);
            let mut ctx = Context {
                books: &mut books,
                now: self.now(),
                base_url: &self.base_url,
                outbox: &mut outbox,
                credentials: &self.config.credentials,
            };
            work(&mut ctx)
        };
        if !outbox.is_empty() {
            self.deliveries.dispatch(outbox);
        }
        result
    }

    /// Expires bills and checkouts and advances the payouts whose time has come.
    pub(crate) fn tick(&self) {
        let step = self.config.auto_progress.map(|a| a.step);
        self.with_books(|ctx| {
            qostiq::bills::expire(ctx);
            coinqvest::checkouts::expire(ctx);
            if let Some(step) = step {
                qostiq::withdrawals::auto_progress(ctx, step);
                qostiq::crypto::auto_progress(ctx, step);
            }
        });
    }

    fn serve_coinqvest(&self, request: &ReceivedRequest, endpoint: &str) -> Reply {
        let auth = AuthCheck {
            credentials: self.credentials(),
            clock: &self.clock,
            window_secs: self.config.digest_window_secs,
            future_skew_secs: self.config.digest_future_skew_secs,
        };
        let incoming = coinqvest::Incoming {
            method: &request.method,
            endpoint,
            query: request.query(),
            headers: &request.headers,
            body: &request.body,
        };
        coinqvest::serve(&incoming, &auth, |handler, parsed| {
            self.with_books(|ctx| handler(ctx, parsed))
        })
    }
}

impl Backend for Emulator {
    fn api(&self, request: &ReceivedRequest) -> Api {
        match area(request.path()) {
            Area::Coinqvest(_) => Api::Coinqvest,
            _ => Api::Qostiq,
        }
    }

    fn next_step(&self, request: &ReceivedRequest) -> Step {
        let fault = lock(&self.fault_rules).take(request.method.as_str(), request.path());
        fault.map_or(Step::Apply, Step::Fault)
    }

    fn apply(&self, request: &ReceivedRequest) -> Reply {
        match area(request.path()) {
            Area::Qostiq(endpoint) => qostiq::serve(
                &request.method,
                endpoint,
                &request.body,
                self.credentials(),
                |handler, parsed| self.with_books(|ctx| handler(ctx, parsed)),
            ),
            Area::Coinqvest(endpoint) => self.serve_coinqvest(request, endpoint),
            Area::Admin(_) | Area::Unknown => Reply::text(StatusCode::NOT_FOUND, "not found"),
        }
    }

    fn other_payout(&self, request: &ReceivedRequest) -> Option<Reply> {
        match area(request.path()) {
            Area::Qostiq(endpoint) => {
                self.with_books(|ctx| qostiq::other_payout(ctx, endpoint, &request.body))
            }
            Area::Coinqvest("/withdrawal") if request.method == Method::GET => {
                let asked = query_pairs(request.query())
                    .into_iter()
                    .find(|(k, _)| k == "id")
                    .map(|(_, v)| v)
                    .unwrap_or_default();
                let other =
                    self.with_books(|ctx| coinqvest::withdrawals::other_withdrawal(ctx, &asked))?;
                Some(coinqvest::protocol::reply(Ok(other)))
            }
            _ => None,
        }
    }

    fn reuse_id(&self, request: &ReceivedRequest) -> Option<Reply> {
        if let Area::Qostiq(endpoint) = area(request.path()) {
            self.with_books(|ctx| qostiq::book_earlier(ctx, endpoint, &request.body));
        }
        None
    }
}
