//! The executor: runs an [`Endpoint`] through the attempt pipeline and the retry policy.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use pay_core::clock::{Clock, SystemClock};
use pay_core::endpoint::{Authenticate, BaseUrl, Endpoint, EndpointInfo, SignedInBody};
use pay_core::error::{Delivery, Error, RequestOutcome, TransportError, TransportErrorKind};
use pay_core::retry::AttemptOutcome;
use tracing::Instrument;

use std::future::Future;

use pay_core::recovery::{PayoutOutcome, Resolution};
use pay_store::PollTurns;

use crate::floors::{Floors, PollScheduler, SharedTurns};
use crate::journal::{
    self, Claimed, Drive, IntentClaim, Journal, Journaled, Lease, Resumed, Started, StoreError,
};
use crate::rate_limit::{RateLimiter, RateLimits};
use crate::recovery::{RecoveryBounds, Start};
use crate::retry::{Ending, Next, RetryBudget, RetryPolicy, delivery_name, retry_after};
use crate::service::HttpService;
use crate::sleep::{Sleep, timeout, to_std};

/// A call that produced a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed<T> {
    /// The endpoint's parsed output.
    pub value: T,
    /// How many attempts were sent (1 when the first one succeeded).
    pub attempts: u32,
}

/// A call that did not produce a value: the error of its last attempt, how many attempts were
/// made, and why it stopped.
///
/// When [`CallError::needs_recovery`] is true (the class is `RecoverByLookup` and the outcome is
/// unknown), the request was sent at most once and **may have been applied**: the caller must look
/// the operation up by its own id (`shop_payment_id`, withdrawal id) before anything else.
#[derive(Debug)]
pub struct CallError {
    error: Error,
    attempts: u32,
    ending: Ending,
}

impl CallError {
    /// Wraps an error that happened before anything could be sent.
    fn before_sending(error: Error) -> Self {
        Self {
            error,
            attempts: 0,
            ending: Ending::Final,
        }
    }

    /// The error of the last attempt.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The error of the last attempt, by value.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// Attempts made (0 when the request could not even be built).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Why the executor stopped.
    pub fn ending(&self) -> Ending {
        self.ending
    }

    /// Whether the operation must now be looked up: it may have been applied ([`Ending::Recover`]).
    pub fn needs_recovery(&self) -> bool {
        self.ending == Ending::Recover
    }

    /// What the last error means for the money ([`Error::outcome`]).
    pub fn outcome(&self) -> RequestOutcome {
        self.error.outcome()
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (after {} attempt{}, {:?})",
            self.error,
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            self.ending
        )
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Self {
        e.error
    }
}

/// Runs endpoints against one provider base URL: serialize once, then per attempt rate-limit,
/// authenticate (fresh timestamp), resolve the URI, send under a timeout; retry what
/// [`pay_core::retry::classify`] allows, within the attempt limit and the retry budget.
///
/// Cheap to clone (an `Arc` inside); clones share the budget, rate limits and polling floors.
///
/// # Executing an endpoint with recovery
///
/// ```
/// # use bytes::Bytes;
/// # use http::{Method, Request, Response, StatusCode};
/// # use pay_core::endpoint::{Endpoint, EndpointInfo};
/// # use pay_core::error::{Error, Provider, ProviderError};
/// # use pay_core::retry::RetryClass;
/// # struct CreateWithdraw;
/// # impl Endpoint for CreateWithdraw {
/// #     type Output = String;
/// #     type Context = ();
/// #     const INFO: EndpointInfo = EndpointInfo { provider: Provider::Qostiq, name: "qostiq.withdraw.create",
/// #         method: Method::POST, path: "/withdraw/create", retry_class: RetryClass::RecoverByLookup,
/// #         poll_floor: None };
/// #     fn build_request(&self, _: &()) -> Result<Request<Bytes>, Error> {
/// #         Ok(Request::post("/withdraw/create").body(Bytes::from_static(b"{}")).unwrap())
/// #     }
/// #     fn parse_response(&self, r: &Response<Bytes>) -> Result<String, Error> {
/// #         if r.status().is_success() { Ok("w-1".into()) } else {
/// #             Err(ProviderError::new(Provider::Qostiq, r.status(), None, "error", vec![]).into()) }
/// #     }
/// # }
/// use pay_transport::{Executor, service::service_fn};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = service_fn(|_req| async { Ok(Response::builder().status(502).body(Bytes::new()).unwrap()) });
/// let executor = Executor::builder(transport, "https://core.qostiq.com".parse()?).build()?;
/// match executor.execute(&CreateWithdraw, &()).await {
///     Ok(done) => println!("created {} in {} attempt(s)", done.value, done.attempts),
///     Err(e) if e.needs_recovery() => {
///         // Sent exactly once, outcome unknown: look it up by shop_payment_id, adopt what
///         // exists, re-create with the same id only on "not found".
///         assert_eq!(e.attempts(), 1);
///     }
///     Err(e) => return Err(e.into()),
/// }
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(run()).unwrap();
/// ```
pub struct Executor<S> {
    inner: Arc<Inner<S>>,
    /// Checked before each attempt is handed to the transport (a journaled payout's sends).
    gate: Option<Arc<dyn AttemptGate>>,
}

impl<S> Clone for Executor<S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            gate: self.gate.clone(),
        }
    }
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// What runs before each attempt of a request is handed to the transport (the payout journal:
/// renew the lease, record the attempt). An error stops the call at once: that attempt was not
/// sent.
pub(crate) trait AttemptGate: Send + Sync {
    /// Before attempt number `attempt` (from 1) leaves.
    fn before_attempt(&self, attempt: u32) -> BoxFuture<'_, Result<(), Error>>;
}

struct Inner<S> {
    service: S,
    base_url: BaseUrl,
    authenticator: Arc<dyn Authenticate>,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
    policy: RetryPolicy,
    budget: Arc<RetryBudget>,
    limiter: RateLimiter,
    polls: Arc<PollScheduler>,
    attempt_timeout: Duration,
    recovery: RecoveryBounds,
    journal: Option<Journal>,
    rng: Mutex<fastrand::Rng>,
}

impl<S> fmt::Debug for Executor<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Executor")
            .field("base_url", &i.base_url)
            .field("policy", &i.policy)
            .field("budget_available", &i.budget.available())
            .field("attempt_timeout", &i.attempt_timeout)
            .field("floors", i.polls.floors())
            .field("recovery", &i.recovery)
            .field("journal", &i.journal)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Executor`]: the one home of every executor setting (transport, base URL, clock,
/// sleeper, retries, rate limits, floors, timeouts, recovery bounds, journal, polling turns).
/// Every part has a production default except the base URL.
///
/// The provider clients are built from one too: their builders add only the provider's facts
/// (credentials, default base URL) and hand this builder to a closure for the rest
/// (`QostiqClient::builder(..).executor(|e| e.clock(clock))`).
pub struct ExecutorBuilder<S> {
    make_service: MakeService<S>,
    base_url: Option<BaseUrl>,
    authenticator: Arc<dyn Authenticate>,
    clock: Arc<dyn Clock>,
    sleep: Option<Arc<dyn Sleep>>,
    policy: RetryPolicy,
    budget: Option<Arc<RetryBudget>>,
    limits: RateLimits,
    floors: Floors,
    attempt_timeout: Duration,
    settle_window: Option<Duration>,
    recovery_rounds: u32,
    journal: Option<Journal>,
    turns: Option<SharedTurns>,
    seed: Option<u64>,
}

/// Makes the transport when the executor is built (the default one is built only then).
type MakeService<S> = Box<dyn FnOnce() -> Result<S, Error> + Send>;

impl<S> fmt::Debug for ExecutorBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutorBuilder")
            .field("base_url", &self.base_url)
            .field("policy", &self.policy)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("floors", &self.floors)
            .field("settle_window", &self.settle_window)
            .field("recovery_rounds", &self.recovery_rounds)
            .field("journal", &self.journal)
            .finish_non_exhaustive()
    }
}

/// The default per-attempt timeout.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

impl<S: HttpService> ExecutorBuilder<S> {
    /// Requests go through `service` to `base_url`.
    pub fn new(service: S, base_url: BaseUrl) -> Self {
        Self::making(Box::new(move || Ok(service))).base_url(base_url)
    }
}

#[cfg(feature = "hyper")]
impl ExecutorBuilder<crate::hyper_transport::HyperTransport> {
    /// A builder on the default transport ([`HyperTransport::new`](crate::hyper_transport::HyperTransport::new),
    /// made when the executor is built), without a base URL yet: what the provider clients start
    /// from.
    pub fn with_default_transport() -> Self {
        Self::making(Box::new(crate::hyper_transport::HyperTransport::new))
    }
}

impl<S> ExecutorBuilder<S> {
    fn making(make_service: MakeService<S>) -> Self {
        Self {
            make_service,
            base_url: None,
            authenticator: Arc::new(SignedInBody),
            clock: Arc::new(SystemClock),
            sleep: None,
            policy: RetryPolicy::standard(),
            budget: None,
            limits: RateLimits::none(),
            floors: Floors::PROVIDER_MINIMUMS,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            settle_window: None,
            recovery_rounds: pay_core::recovery::Policy::DEFAULT_LOOKUPS,
            journal: None,
            turns: None,
            seed: None,
        }
    }

    /// Sends requests through `transport` (any [`HttpService`]: a tower service, a
    /// [`crate::service::service_fn`] closure, or a configured
    /// [`HyperTransport`](crate::hyper_transport::HyperTransport)).
    pub fn transport<T: HttpService>(self, transport: T) -> ExecutorBuilder<T> {
        ExecutorBuilder {
            make_service: Box::new(move || Ok(transport)),
            base_url: self.base_url,
            authenticator: self.authenticator,
            clock: self.clock,
            sleep: self.sleep,
            policy: self.policy,
            budget: self.budget,
            limits: self.limits,
            floors: self.floors,
            attempt_timeout: self.attempt_timeout,
            settle_window: self.settle_window,
            recovery_rounds: self.recovery_rounds,
            journal: self.journal,
            turns: self.turns,
            seed: self.seed,
        }
    }

    /// The base URL requests are resolved against (checked by [`BaseUrl::require_tls`] when
    /// built).
    pub fn base_url(mut self, base_url: BaseUrl) -> Self {
        self.base_url = Some(base_url);
        self
    }

    /// This builder with `default` as its base URL unless one was set: a provider client's
    /// default. Fails if `default` is not a valid [`BaseUrl`].
    pub fn default_base_url(self, default: &str) -> Result<Self, Error> {
        if self.base_url.is_some() {
            return Ok(self);
        }
        Ok(self.base_url(default.parse()?))
    }

    /// The clock set with [`ExecutorBuilder::clock`] (for a provider whose authenticator follows
    /// a server clock derived from it).
    pub fn configured_clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Per-attempt authentication (default [`SignedInBody`]: the request is complete when built).
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticate>) -> Self {
        self.authenticator = authenticator;
        self
    }

    /// The clock for signatures, `Retry-After` dates, rate limits, floors and latency (default
    /// [`SystemClock`]; use an `OffsetClock` to follow a provider's server time).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How to wait (default [`TokioSleep`](crate::sleep::TokioSleep) with the `tokio` feature; required
    /// without it).
    pub fn sleep(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// Attempts and backoff (default [`RetryPolicy::standard`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The retry budget; share one `Arc` between executors that talk to the same provider
    /// (default: a fresh [`RetryBudget::standard`]).
    pub fn retry_budget(mut self, budget: Arc<RetryBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Client-side rate limits (default none).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Polling floors for [`Executor::execute_poll`] (default [`Floors::PROVIDER_MINIMUMS`]).
    pub fn floors(mut self, floors: Floors) -> Self {
        self.floors = floors;
        self
    }

    /// The timeout of one attempt, from handing the request to the transport to the last body byte
    /// (default 30 s). A timeout counts as "may have been sent".
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// How long after a payout request with an unknown outcome ended its effect may still appear
    /// at the provider ([`Executor::recover`]): a "not found" or "still pending" asked earlier is
    /// not trusted. Default [`pay_core::recovery::decide::default_settle_window`]: twice the
    /// attempt timeout.
    pub fn settle_window(mut self, window: Duration) -> Self {
        self.settle_window = Some(window);
        self
    }

    /// Lookups per payout recovery before answering `unknown` (default
    /// [`pay_core::recovery::Policy::DEFAULT_LOOKUPS`], at least 1).
    pub fn recovery_rounds(mut self, rounds: u32) -> Self {
        self.recovery_rounds = rounds.max(1);
        self
    }

    /// Journals every payout recovered through [`Executor::recover_payout`]: written before it is
    /// sent, resumable after a crash ([`crate::journal`]). Default: none (payouts run unjournaled).
    pub fn journal(mut self, journal: Journal) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Keeps the polling turns of [`Executor::execute_poll`] in `turns` (a `pay-store` shared by
    /// every instance), so the floors hold across processes, measured on the store's clock.
    /// Default: in this process's memory.
    pub fn poll_turns(self, turns: impl PollTurns) -> Self {
        self.shared_turns(SharedTurns::new(turns))
    }

    /// [`ExecutorBuilder::poll_turns`] with turns already wrapped.
    pub fn shared_turns(mut self, turns: SharedTurns) -> Self {
        self.turns = Some(turns);
        self
    }

    /// Seeds the jitter generator (reproducible tests); default a random seed.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}

impl<S: HttpService> ExecutorBuilder<S> {
    /// Builds the executor. Fails without a base URL, when the base URL is plain `http://` to a
    /// host that is not a loopback address without [`BaseUrl::allow_plain_http_for_sandbox`] (TLS
    /// by default: [`BaseUrl::require_tls`]), when the default transport cannot be made, and
    /// without a sleeper when the `tokio` feature is off.
    pub fn build(self) -> Result<Executor<S>, Error> {
        let base_url = self
            .base_url
            .ok_or_else(|| Error::invalid_input("base_url", "no base URL configured"))?;
        base_url.require_tls()?;
        let service = (self.make_service)()?;
        let sleep = match self.sleep {
            Some(s) => s,
            None => default_sleep()?,
        };
        let rng = match self.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let mut polls = PollScheduler::new(self.floors, self.clock.clone(), sleep.clone());
        if let Some(turns) = self.turns {
            polls = polls.shared(turns);
        }
        let polls = Arc::new(polls);
        Ok(Executor {
            inner: Arc::new(Inner {
                service,
                base_url,
                authenticator: self.authenticator,
                clock: self.clock,
                sleep,
                policy: self.policy,
                budget: self
                    .budget
                    .unwrap_or_else(|| Arc::new(RetryBudget::standard())),
                limiter: RateLimiter::new(self.limits),
                polls,
                attempt_timeout: self.attempt_timeout,
                recovery: RecoveryBounds {
                    settle_window: self.settle_window.unwrap_or_else(|| {
                        pay_core::recovery::decide::default_settle_window(self.attempt_timeout)
                    }),
                    lookups: self.recovery_rounds,
                    ..RecoveryBounds::for_attempt_timeout(self.attempt_timeout)
                },
                journal: self.journal,
                rng: Mutex::new(rng),
            }),
            gate: None,
        })
    }
}

#[cfg(feature = "tokio")]
fn default_sleep() -> Result<Arc<dyn Sleep>, Error> {
    Ok(Arc::new(crate::sleep::TokioSleep))
}

#[cfg(not(feature = "tokio"))]
fn default_sleep() -> Result<Arc<dyn Sleep>, Error> {
    Err(Error::invalid_input(
        "sleep",
        "no sleeper configured: enable the `tokio` feature or call ExecutorBuilder::sleep",
    ))
}

/// What one attempt produced before parsing.
type AttemptResult = Result<Response<Bytes>, Error>;

impl<S: HttpService> Executor<S> {
    /// Starts a builder; see [`ExecutorBuilder`].
    pub fn builder(service: S, base_url: BaseUrl) -> ExecutorBuilder<S> {
        ExecutorBuilder::new(service, base_url)
    }

    /// The base URL requests are resolved against.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base_url
    }

    /// The clock the executor signs and measures with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The sleeper the executor waits with.
    pub fn sleeper(&self) -> &Arc<dyn Sleep> {
        &self.inner.sleep
    }

    /// The shared retry budget.
    pub fn retry_budget(&self) -> &Arc<RetryBudget> {
        &self.inner.budget
    }

    /// The polling scheduler used by [`Executor::execute_poll`], for callers that pace other work.
    pub fn polls(&self) -> &Arc<PollScheduler> {
        &self.inner.polls
    }

    /// The bounds of [`Executor::recover`] (settle window, lookups, re-sends).
    pub fn recovery_bounds(&self) -> &RecoveryBounds {
        &self.inner.recovery
    }

    /// Runs the payout recovery of `request` ([`crate::recovery`]) on this executor's clock,
    /// sleeper and recovery bounds: `send` sends the request (with its id), `look_up` reads it by
    /// that id (through [`Executor::execute_poll`], so lookups keep the payment's polling floor).
    /// Never pays twice on a lost answer, never adopts another payout, never reports "refused" for
    /// something that may exist: see [`pay_core::recovery`].
    pub async fn recover<R, SF, LF>(
        &self,
        request: &R,
        start: Start,
        send: impl FnMut() -> SF,
        look_up: impl FnMut() -> LF,
    ) -> pay_core::recovery::PayoutOutcome<R::Payout>
    where
        R: pay_core::recovery::Recoverable,
        SF: std::future::Future<Output = Result<R::Output, CallError>>,
        LF: std::future::Future<Output = Result<<R::Lookup as Endpoint>::Output, CallError>>,
    {
        crate::recovery::run(
            &*self.inner.clock,
            &*self.inner.sleep,
            &self.inner.recovery,
            request,
            start,
            send,
            look_up,
        )
        .await
    }

    /// The payout journal, when one is configured.
    pub fn journal(&self) -> Option<&Journal> {
        self.inner.journal.as_ref()
    }

    /// Runs a payout with recovery through the journal when one is configured
    /// ([`crate::journal`]): written before it is sent, each attempt recorded before it leaves,
    /// resumed (never sent again blindly) when its id was journaled before, refused when another
    /// request was journaled under its id. Without a journal, [`Executor::recover`] from a fresh
    /// start.
    ///
    /// `send` gets the executor to send with (it records each attempt before it leaves: use it,
    /// not another executor); `look_up` reads the payout by its id.
    pub async fn recover_payout<R, SF, LF>(
        &self,
        request: &R,
        mut send: impl FnMut(Executor<S>) -> SF,
        look_up: impl FnMut() -> LF,
    ) -> PayoutOutcome<R::Payout>
    where
        R: Journaled,
        SF: Future<Output = Result<R::Output, CallError>>,
        LF: Future<Output = Result<<R::Lookup as Endpoint>::Output, CallError>>,
    {
        let Some(journal) = &self.inner.journal else {
            return self
                .recover(request, Start::Fresh, || send(self.clone()), look_up)
                .await;
        };
        let lease = journal.lease_for(self.inner.attempt_timeout);
        match journal::begin(journal, request, lease, &*self.inner.sleep).await {
            Started::Answer(error) => answered(error, request.intent()),
            Started::Replay(evidence) => self.replay(request, evidence, look_up).await,
            Started::Drive {
                lease,
                start,
                reopened,
            } => {
                self.drive(journal, lease, request, start, reopened, send, look_up)
                    .await
            }
        }
    }

    /// Drives one intent claimed from the journal (by [`Executor::resume_due`]) to an outcome:
    /// from its evidence (looking before sending again), or, if it was never attempted, `not_sent`
    /// without sending (a new call with the same id sends it).
    pub async fn resume_claimed<R, SF, LF>(
        &self,
        claimed: Claimed,
        request: &R,
        send: impl FnMut(Executor<S>) -> SF,
        look_up: impl FnMut() -> LF,
    ) -> PayoutOutcome<R::Payout>
    where
        R: Journaled,
        SF: Future<Output = Result<R::Output, CallError>>,
        LF: Future<Output = Result<<R::Lookup as Endpoint>::Output, CallError>>,
    {
        let Some(journal) = &self.inner.journal else {
            return answered(
                Error::invalid_input("journal", "no journal configured"),
                request.intent(),
            );
        };
        let evidence = match journal::evidence_of(&claimed.record) {
            Ok(evidence) => evidence,
            Err(e) => {
                let _ = journal.release(&claimed.lease).await;
                return answered(
                    TransportError::new(
                        TransportErrorKind::Other,
                        Delivery::MaybeSent,
                        Some(Box::new(e)),
                    )
                    .into(),
                    request.intent(),
                );
            }
        };
        if evidence.steps.is_empty() {
            let drive = self.new_drive(journal, claimed.lease);
            let outcome = PayoutOutcome::new(
                Resolution::NotSent(
                    TransportError::new(
                        TransportErrorKind::Cancelled,
                        Delivery::NotSent,
                        Some("never attempted: its call stopped before sending".into()),
                    )
                    .into(),
                ),
                request.intent(),
                evidence,
            );
            return match drive
                .conclude(&outcome, self.inner.recovery.settle_window)
                .await
            {
                Ok(()) => outcome,
                Err(e) => journal::after_failed_conclusion(outcome, e),
            };
        }
        self.drive(
            journal,
            claimed.lease,
            request,
            Start::Resume(evidence),
            None,
            send,
            look_up,
        )
        .await
    }

    /// Claims the due intents of `provider` from the journal, `batch` at a time, and drives each
    /// with `drive` (concurrently within a batch) until none is due; an intent is driven at most
    /// once per call. Returns one report per intent driven.
    ///
    /// `drive` is given each claimed intent and dispatches it by its operation, usually to
    /// [`Executor::resume_claimed`] (the clients' `resume_journal` do this).
    pub async fn resume_due<F, Fut>(
        &self,
        provider: pay_core::error::Provider,
        batch: u32,
        drive: F,
    ) -> Result<Vec<Resumed>, StoreError>
    where
        F: Fn(Claimed) -> Fut,
        Fut: Future<Output = Resumed>,
    {
        let Some(journal) = &self.inner.journal else {
            return Ok(Vec::new());
        };
        let lease = journal.lease_for(self.inner.attempt_timeout);
        let mut seen = std::collections::HashSet::new();
        let mut reports = Vec::new();
        loop {
            let claimed = journal.claim_due(provider, lease, batch.max(1)).await?;
            if claimed.is_empty() {
                return Ok(reports);
            }
            let (again, fresh): (Vec<Claimed>, Vec<Claimed>) = claimed
                .into_iter()
                .partition(|c| seen.contains(&c.record.intent.key));
            for claimed in &again {
                // Due again within this call (a short retry delay): left for the next call.
                journal.release(&claimed.lease).await?;
            }
            if fresh.is_empty() {
                return Ok(reports);
            }
            seen.extend(fresh.iter().map(|c| c.record.intent.key.clone()));
            reports.extend(journal::join_all(fresh.into_iter().map(&drive).collect()).await);
        }
    }

    /// Like [`Executor::resume_due`], but takes every unfinished intent of `provider` now, due or
    /// not (an operator's explicit resume: `unknown` intents are looked up again at once). An
    /// intent another call or instance holds is reported as such, not driven.
    pub async fn resume_unfinished<F, Fut>(
        &self,
        provider: pay_core::error::Provider,
        batch: u32,
        drive: F,
    ) -> Result<Vec<Resumed>, StoreError>
    where
        F: Fn(Claimed) -> Fut,
        Fut: Future<Output = Resumed>,
    {
        let Some(journal) = &self.inner.journal else {
            return Ok(Vec::new());
        };
        let lease = journal.lease_for(self.inner.attempt_timeout);
        let keys: Vec<_> = journal
            .unfinished(u32::MAX)
            .await?
            .into_iter()
            .filter(|intent| intent.key.provider == provider)
            .map(|intent| intent.key)
            .collect();
        let mut reports = Vec::new();
        for chunk in keys.chunks(usize::try_from(batch.max(1)).unwrap_or(1)) {
            let mut claimed = Vec::new();
            for key in chunk {
                match journal.claim(key, lease).await? {
                    IntentClaim::Claimed(c) => claimed.push(c),
                    IntentClaim::Held(held) => {
                        reports.push(Resumed::held(key.clone(), &held.owner, held.until));
                    }
                    // Finished or gone since it was listed: nothing to drive.
                    IntentClaim::Finished(_) | IntentClaim::Missing => {}
                }
            }
            reports.extend(journal::join_all(claimed.into_iter().map(&drive).collect()).await);
        }
        Ok(reports)
    }

    fn new_drive(&self, journal: &Journal, lease: Lease) -> Arc<Drive> {
        Arc::new(Drive::new(
            journal.clone(),
            lease,
            self.inner.attempt_timeout,
            self.inner.clock.clone(),
            self.inner.sleep.clone(),
        ))
    }

    /// One journaled drive under `lease`.
    #[allow(clippy::too_many_arguments)]
    async fn drive<R, SF, LF>(
        &self,
        journal: &Journal,
        lease: Lease,
        request: &R,
        start: Start,
        reopened: Option<String>,
        mut send: impl FnMut(Executor<S>) -> SF,
        look_up: impl FnMut() -> LF,
    ) -> PayoutOutcome<R::Payout>
    where
        R: Journaled,
        SF: Future<Output = Result<R::Output, CallError>>,
        LF: Future<Output = Result<<R::Lookup as Endpoint>::Output, CallError>>,
    {
        let drive = self.new_drive(journal, lease);
        if let Some(after) = reopened
            && let Err(error) = drive.note_reopened(&after).await
        {
            return journal::stopped_outcome(error, request.intent(), Default::default());
        }
        let gated = Executor {
            inner: self.inner.clone(),
            gate: Some(drive.clone()),
        };
        let mut log = &*drive;
        let run = crate::recovery::run_logged(
            &*self.inner.clock,
            &*self.inner.sleep,
            &self.inner.recovery,
            request,
            start,
            || send(gated.clone()),
            look_up,
            &mut log,
        )
        .await;
        match run {
            Ok(outcome) => match drive
                .conclude(&outcome, self.inner.recovery.settle_window)
                .await
            {
                Ok(()) => outcome,
                Err(e) => journal::after_failed_conclusion(outcome, e),
            },
            Err(stopped) => stopped.outcome(),
        }
    }

    /// The answer for a final intent: looked up (never sent: no re-send is allowed), nothing
    /// written.
    async fn replay<R, LF>(
        &self,
        request: &R,
        evidence: pay_core::recovery::Evidence,
        look_up: impl FnMut() -> LF,
    ) -> PayoutOutcome<R::Payout>
    where
        R: Journaled,
        LF: Future<Output = Result<<R::Lookup as Endpoint>::Output, CallError>>,
    {
        let bounds = RecoveryBounds {
            resends: 0,
            ..self.inner.recovery
        };
        crate::recovery::run(
            &*self.inner.clock,
            &*self.inner.sleep,
            &bounds,
            request,
            Start::Resume(evidence),
            || {
                std::future::ready(Err(CallError::before_sending(Error::invalid_input(
                    "journal",
                    "a final intent is never sent again",
                ))))
            },
            look_up,
        )
        .await
    }

    /// Builds `endpoint`'s request once and runs it.
    ///
    /// Cancelling (dropping the future) stops at once; if it is dropped after an attempt was handed
    /// to the transport, that attempt **may have been sent**, exactly like a timeout: recover a
    /// `RecoverByLookup` request by lookup.
    pub async fn execute<E: Endpoint>(
        &self,
        endpoint: &E,
        context: &E::Context,
    ) -> Result<Executed<E::Output>, CallError> {
        let request = endpoint
            .build_request(context)
            .map_err(CallError::before_sending)?;
        self.run(&E::INFO, request, |r| endpoint.parse_response(r), None)
            .await
    }

    /// Like [`Executor::execute`] for a status read of one payment, taking a polling turn for
    /// (the endpoint's provider and name, `payment`) before **every attempt** (retries included),
    /// so the provider never sees two polls of that payment closer than the endpoint's floor
    /// ([`EndpointInfo::poll_floor`]). `payment` is the id the read asks about; reads of different
    /// payments never wait on each other (see [`crate::floors`]).
    pub async fn execute_poll<E: Endpoint>(
        &self,
        endpoint: &E,
        context: &E::Context,
        payment: &str,
    ) -> Result<Executed<E::Output>, CallError> {
        let request = endpoint
            .build_request(context)
            .map_err(CallError::before_sending)?;
        self.run(
            &E::INFO,
            request,
            |r| endpoint.parse_response(r),
            Some(payment),
        )
        .await
    }

    /// Runs an already built request (relative URI) with a custom parser: the general form of
    /// [`Executor::execute`], for requests that are not an [`Endpoint`].
    pub async fn execute_request<T>(
        &self,
        info: &EndpointInfo,
        request: Request<Bytes>,
        parse: impl Fn(&Response<Bytes>) -> Result<T, Error>,
    ) -> Result<Executed<T>, CallError> {
        self.run(info, request, parse, None).await
    }

    async fn run<T>(
        &self,
        info: &EndpointInfo,
        request: Request<Bytes>,
        parse: impl Fn(&Response<Bytes>) -> Result<T, Error>,
        poll: Option<&str>,
    ) -> Result<Executed<T>, CallError> {
        let span = tracing::info_span!(
            "pay.call",
            provider = %info.provider,
            endpoint = info.name,
            method = %info.method,
            retry_class = ?info.retry_class,
            attempts = tracing::field::Empty,
            outcome = tracing::field::Empty,
            ending = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = self.inner.clock.now();
        let (result, ended) = self
            .attempts(info, request, parse, poll)
            .instrument(span.clone())
            .await;
        let latency = to_std(ended - started);
        let (attempts, outcome, ending) = match &result {
            Ok(done) => (done.attempts, "ok", None),
            Err(e) => (e.attempts, outcome_name(e.outcome()), Some(e.ending)),
        };
        span.record("attempts", attempts);
        span.record("outcome", outcome);
        if let Some(ending) = ending {
            span.record("ending", tracing::field::debug(ending));
        }
        span.record("latency_ms", millis(latency));
        span.in_scope(|| tracing::debug!(attempts, outcome, "call finished"));
        result
    }

    /// The attempt loop; also returns when the last attempt ended (the clock is read once per
    /// attempt start and once per attempt end, nothing more).
    async fn attempts<T>(
        &self,
        info: &EndpointInfo,
        request: Request<Bytes>,
        parse: impl Fn(&Response<Bytes>) -> Result<T, Error>,
        poll: Option<&str>,
    ) -> (Result<Executed<T>, CallError>, time::OffsetDateTime) {
        let inner = &*self.inner;
        let mut leased = 0u32;
        let mut attempt = 0u32;
        loop {
            attempt = attempt.saturating_add(1);
            inner
                .limiter
                .acquire(info.name, &*inner.clock, &*inner.sleep)
                .await;
            if let Some(payment) = poll
                && let Err(error) = inner.polls.wait_turn(info, payment).await
            {
                // Without its turn the poll is not sent: the floor cannot be proven.
                let failed = CallError {
                    error,
                    attempts: attempt.saturating_sub(1),
                    ending: Ending::Final,
                };
                return (Err(failed), inner.clock.now());
            }
            let attempt_started = inner.clock.now();
            let sent = match self
                .attempt(request.clone(), attempt, attempt_started)
                .await
            {
                Ok(sent) => sent,
                Err(refused) => {
                    tracing::debug!(attempt, error = %refused, "attempt not sent: refused before leaving");
                    let failed = CallError {
                        error: refused,
                        attempts: attempt.saturating_sub(1),
                        ending: Ending::Final,
                    };
                    return (Err(failed), inner.clock.now());
                }
            };
            let attempt_ended = inner.clock.now();
            let latency = to_std(attempt_ended - attempt_started);
            let (error, status, wait) = match sent {
                Ok(response) => match parse(&response) {
                    Ok(value) => {
                        if leased > 0 {
                            inner.budget.release(leased);
                        } else {
                            inner.budget.reward_success();
                        }
                        tracing::debug!(
                            attempt,
                            status = response.status().as_u16(),
                            latency_ms = millis(latency),
                            "attempt ok"
                        );
                        let done = Executed {
                            value,
                            attempts: attempt,
                        };
                        return (Ok(done), attempt_ended);
                    }
                    Err(error) => (
                        error,
                        Some(response.status().as_u16()),
                        retry_after(response.headers(), attempt_ended),
                    ),
                },
                Err(error) => (error, None, None),
            };
            let outcome = AttemptOutcome::of_error(&error);
            let sample = inner
                .rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .u64(..);
            let next = inner
                .policy
                .next(info.retry_class, outcome, attempt, wait, sample);
            let (kind, delivery) = match &error {
                Error::Transport(t) => (Some(t.kind), Some(delivery_name(t.delivery))),
                _ => (None, None),
            };
            let ending = match next {
                Next::Retry { delay, cost } => match inner.budget.try_acquire(cost) {
                    Some(tokens) => {
                        leased = leased.saturating_add(tokens);
                        tracing::debug!(
                            attempt,
                            status,
                            error_kind = ?kind,
                            delivery,
                            %error,
                            latency_ms = millis(latency),
                            delay_ms = millis(delay),
                            "attempt failed, retrying"
                        );
                        if !delay.is_zero() {
                            inner.sleep.sleep(delay).await;
                        }
                        continue;
                    }
                    None => Ending::BudgetExhausted,
                },
                Next::Stop(ending) => ending,
            };
            tracing::debug!(
                attempt,
                status,
                error_kind = ?kind,
                delivery,
                %error,
                latency_ms = millis(latency),
                ending = ?ending,
                "attempt failed, stopping"
            );
            let failed = CallError {
                error,
                attempts: attempt,
                ending,
            };
            return (Err(failed), attempt_ended);
        }
    }

    /// One attempt: authenticate with `now` (read just before), resolve, wait for the service,
    /// pass the gate (if any: `Err`, nothing sent), send under the timeout.
    async fn attempt(
        &self,
        request: Request<Bytes>,
        number: u32,
        now: time::OffsetDateTime,
    ) -> Result<AttemptResult, Error> {
        let inner = &*self.inner;
        let mut service = inner.service.clone();
        let prepared = (|| {
            let mut request = request;
            inner.authenticator.authenticate(&mut request, now)?;
            let uri = inner.base_url.resolve(request.uri())?;
            *request.uri_mut() = uri;
            Ok::<_, Error>(request)
        })();
        let request = match prepared {
            Ok(request) => request,
            Err(e) => return Ok(Err(e)),
        };
        // Readiness is queueing, not sending: outside the timeout.
        if let Err(e) = std::future::poll_fn(|cx| service.poll_ready(cx)).await {
            return Ok(Err(e.into()));
        }
        if let Some(gate) = &self.gate {
            gate.before_attempt(number).await?;
        }
        Ok(self.send_timed(service, request).await)
    }

    /// Hands `request` to `service` under the attempt timeout.
    async fn send_timed(&self, mut service: S, request: Request<Bytes>) -> AttemptResult {
        let inner = &*self.inner;
        let call = service.call(request);
        match timeout(&*inner.sleep, inner.attempt_timeout, call).await {
            Some(result) => result.map_err(Error::from),
            None => Err(TransportError::new(
                TransportErrorKind::Timeout,
                Delivery::MaybeSent,
                Some(format!("no complete answer within {:?}", inner.attempt_timeout).into()),
            )
            .into()),
        }
    }
}

fn outcome_name(o: RequestOutcome) -> &'static str {
    match o {
        RequestOutcome::NotSent => "not_sent",
        RequestOutcome::Refused => "refused",
        RequestOutcome::Unknown => "unknown",
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The outcome of a journaled call that did not drive its intent: `not_sent` when `error` says
/// nothing was sent, else `unknown`.
fn answered<P>(error: Error, intent: pay_core::recovery::Intent) -> PayoutOutcome<P> {
    let resolution = match error.outcome() {
        RequestOutcome::NotSent => Resolution::NotSent(error),
        _ => Resolution::Unknown(Some(error)),
    };
    PayoutOutcome::new(resolution, intent, Default::default())
}
