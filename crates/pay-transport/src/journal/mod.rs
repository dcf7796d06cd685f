//! The payout journal in the recovery loop: a payout is written to a durable [`IntentJournal`]
//! (`pay-store`: memory, SQLite or PostgreSQL) **before** it is sent, every attempt is recorded
//! **before** its request leaves, every answer and lookup after it, and the outcome at the end; an
//! intent whose process died is resumed from that record by any instance, never under a new id.
//!
//! Configure it on a client builder (`.journal(Journal::new(store))`); without one, payouts run as
//! before (the caller keeps its own ids and evidence).
//!
//! # What a journaled payout call does
//!
//! | the journal holds under the key (provider, operation, id) | the call |
//! |---|---|
//! | nothing | writes the intent (the full request), then sends: `created`, … |
//! | the same request, still open (its process died) or `unknown` | claims it and resumes from its evidence: looks up before it sends anything again |
//! | the same request, being driven by another call or instance (lease held) | `unknown`, nothing sent ([`JournalError::Held`]) |
//! | the same request, final `refused` or `not_sent` (nothing exists) | reopens it and sends it again, same id |
//! | the same request, final `created`, `adopted`, `recreated`, `committed` or `conflict` | sends nothing: looks the payout up and answers `adopted` (or `conflict`) |
//! | **another** request under the same id (amount, account, …) | refused before anything is sent: [`Error::InvalidInput`] naming the first differing field |
//! | (the store cannot be reached to write the intent) | `not_sent`: **no journal, no payout** ([`JournalError::Unavailable`]) |
//!
//! # Writes of one drive, in order
//!
//! 1. `begin` (the intent, with the full request and its terms);
//! 2. before each attempt of a send: the lease is renewed, the attempt is recorded
//!    (`{"send": "started", …}`), and the request leaves only if the lease outlives the attempt
//!    timeout; if the store fails here, nothing is sent;
//! 3. after each send and each lookup: the step (`{"step": …}`, the same [`Step`] the outcome's
//!    evidence holds);
//! 4. `finish` with the outcome, or `mark_unknown` (the intent stays listed and is looked up again
//!    by [`crate::Executor::resume_due`] once due).
//!
//! A lease lost to another instance ([`StoreError::LeaseLost`]) stops the drive at once: the call
//! answers `unknown` and the other instance finishes it.

mod stored;

pub use stored::{Stored, unreadable};

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::Duration;

use pay_core::clock::Clock;
use pay_core::error::{Delivery, Error, Provider, TransportError, TransportErrorKind};
use pay_core::money::Amount;
use pay_core::recovery::{
    Evidence, Intent, OutcomeName, PayoutOutcome, Recoverable, Resolution, Step, StepAction,
    StepResult, Verdict,
};
use pay_core::text::Untrusted;
pub use pay_store::IntentClaim;
use pay_store::{Begin, EvidenceKind, Listing, Outcome};
pub use pay_store::{
    Claimed, IntentJournal, IntentKey, IntentRecord, IntentState, Lease, OwnerId, StoreError,
};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::sleep::{Sleep, to_time};

/// The version of the payload written by [`Journal`] (`{"version": 1, "request": …, "intent": …}`).
pub const PAYLOAD_VERSION: u64 = 1;

/// The outcomes after which a new call with the same id and request drives the intent again: they
/// promise nothing exists at the provider.
pub const REOPENABLE: [&str; 2] = ["refused", "not_sent"];

/// How many times a journal write that failed as unavailable is tried in all, and the pause before
/// each retry.
const WRITE_RETRIES: [Duration; 2] = [Duration::from_millis(50), Duration::from_millis(250)];

/// A payout request the journal stores in full and reads back to send it again after a crash.
///
/// Implemented by the provider crates for their money-moving requests. [`Journaled::to_journal`]
/// holds **everything** needed to send the request again, account numbers in clear: the journal
/// lives in the merchant's own database, with the same care as the rest of its payout records.
pub trait Journaled: Recoverable + Sized {
    /// The operation's stable name in journal keys (`withdraw`, `withdrawal_commit`).
    const OPERATION: &'static str;

    /// The request as a flat JSON object of its fields.
    fn to_journal(&self) -> Value;

    /// The request from [`Journaled::to_journal`]'s JSON.
    fn from_journal(value: &Value) -> Result<Self, Error>;
}

/// Why a journaled payout did not run, or stopped: the source of the transport error in its
/// outcome (`error.source()` downcasts to it).
#[derive(Debug)]
#[non_exhaustive]
pub enum JournalError {
    /// The store failed: before the first send nothing was sent; after it, the intent stays
    /// listed and is settled by `resume`.
    Unavailable(StoreError),
    /// Another instance claimed the intent after this one's lease expired: it drives it now.
    LeaseLost(StoreError),
    /// Another call or instance drives this intent now (its lease runs until `until`, store clock).
    Held {
        /// The holder.
        owner: String,
        /// When its lease expires.
        until: OffsetDateTime,
    },
    /// The lease is not longer than the attempt timeout: a request could outlive it.
    LeaseTooShort {
        /// The lease.
        lease: Duration,
        /// The attempt timeout.
        attempt_timeout: Duration,
    },
    /// The stored intent or evidence cannot be read back (written by hand or by another build).
    Unreadable(String),
    /// The intent vanished from the store.
    Missing(String),
    /// The store refused an argument (a lease or delay out of range): a configuration error.
    Invalid(String),
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(e) => write!(f, "journal unavailable: {e}"),
            Self::LeaseLost(e) => write!(f, "journal: {e}; another instance drives this intent"),
            Self::Held { owner, until } => write!(
                f,
                "journal: this intent is being driven by {} (lease until {until}); call again later",
                Untrusted::new(owner)
            ),
            Self::LeaseTooShort {
                lease,
                attempt_timeout,
            } => write!(
                f,
                "journal: the lease ({lease:?}) must be longer than the attempt timeout ({attempt_timeout:?})"
            ),
            Self::Unreadable(what) => write!(f, "journal: stored intent unreadable: {what}"),
            Self::Missing(key) => write!(f, "journal: intent {} vanished", Untrusted::new(key)),
            Self::Invalid(why) => write!(f, "journal: {why}"),
        }
    }
}

impl std::error::Error for JournalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unavailable(e) | Self::LeaseLost(e) => Some(e),
            _ => None,
        }
    }
}

impl JournalError {
    fn of_store(error: StoreError) -> Self {
        match error {
            // Finished by the instance that took the intent over: this one's lease is gone too.
            e @ (StoreError::LeaseLost { .. } | StoreError::AlreadyFinished { .. }) => {
                Self::LeaseLost(e)
            }
            e @ (StoreError::Corrupt(_) | StoreError::SchemaTooNew { .. }) => {
                Self::Unreadable(e.to_string())
            }
            StoreError::NotFound(key) => Self::Missing(key),
            e @ StoreError::Invalid(_) => Self::Invalid(e.to_string()),
            e => Self::Unavailable(e),
        }
    }

    /// As the error of a payout outcome: a transport error whose delivery says whether anything
    /// may have been sent.
    fn into_error(self, delivery: Delivery) -> Error {
        TransportError::new(TransportErrorKind::Other, delivery, Some(Box::new(self))).into()
    }
}

/// The journal of a client: a store (any [`IntentJournal`]), this instance's owner id, and the
/// lease it takes on the intents it drives.
///
/// ```
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use pay_store::StoreConfig;
/// use pay_transport::journal::Journal;
///
/// let store = "memory:".parse::<StoreConfig>()?.open().await?;
/// let journal = Journal::new(store).lease(Duration::from_secs(120));
/// # let _ = journal; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Journal {
    store: Arc<dyn DynJournal>,
    owner: OwnerId,
    lease: Option<Duration>,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("owner", &self.owner)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// The lease taken by default: twice the attempt timeout plus 5 s, at least a minute.
pub fn default_lease(attempt_timeout: Duration) -> Duration {
    attempt_timeout
        .saturating_mul(2)
        .saturating_add(Duration::from_secs(5))
        .max(Duration::from_secs(60))
}

impl Journal {
    /// A journal on `store`, owned by a fresh id for this process (`pay-<pid>-<random>`), with
    /// [`default_lease`].
    pub fn new(store: impl IntentJournal) -> Self {
        Self {
            store: Arc::new(store),
            owner: OwnerId::unique("pay"),
            lease: None,
        }
    }

    /// This instance's owner id (one per process, unique across restarts: [`OwnerId::unique`]).
    pub fn owner(mut self, owner: OwnerId) -> Self {
        self.owner = owner;
        self
    }

    /// The lease taken on an intent while driving it (default [`default_lease`] of the attempt
    /// timeout). It is renewed before every step and every send; an instance that dies holds it
    /// until it expires, and only then can `resume` elsewhere take the intent over.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = Some(lease);
        self
    }

    /// The owner id.
    pub fn owner_id(&self) -> &OwnerId {
        &self.owner
    }

    /// The lease for an executor with `attempt_timeout`.
    pub fn lease_for(&self, attempt_timeout: Duration) -> Duration {
        self.lease.unwrap_or_else(|| default_lease(attempt_timeout))
    }

    /// The stored record of `key`.
    pub async fn get(&self, key: &IntentKey) -> Result<Option<IntentRecord>, StoreError> {
        self.store.get(key).await
    }

    /// Up to `limit` intents not final (open or unknown), oldest first.
    pub async fn unfinished(&self, limit: u32) -> Result<Vec<pay_store::Intent>, StoreError> {
        self.store.list(Listing::Unfinished, limit).await
    }

    /// Claims up to `limit` due intents of `provider` for this owner.
    pub async fn claim_due(
        &self,
        provider: Provider,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        self.store
            .claim_due(&self.owner, lease, limit, Some(provider))
            .await
    }

    /// Claims `key` for this owner, due or not (an explicit resume), unless it is final or leased.
    pub async fn claim(&self, key: &IntentKey, lease: Duration) -> Result<IntentClaim, StoreError> {
        self.store.reopen(key, &self.owner, lease, &[]).await
    }

    /// Ends a lease without deciding.
    pub async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        self.store.release_lease(lease).await
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`IntentJournal`] behind a pointer: its methods with boxed futures.
trait DynJournal: Send + Sync + 'static {
    fn begin<'a>(
        &'a self,
        key: &'a IntentKey,
        payload: &'a Value,
        owner: &'a OwnerId,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Begin, StoreError>>;
    fn get<'a>(
        &'a self,
        key: &'a IntentKey,
    ) -> BoxFuture<'a, Result<Option<IntentRecord>, StoreError>>;
    fn reopen<'a>(
        &'a self,
        key: &'a IntentKey,
        owner: &'a OwnerId,
        lease: Duration,
        reopenable: &'a [&'a str],
    ) -> BoxFuture<'a, Result<IntentClaim, StoreError>>;
    fn claim_due<'a>(
        &'a self,
        owner: &'a OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>>;
    fn renew<'a>(
        &'a self,
        lease: &'a Lease,
        duration: Duration,
    ) -> BoxFuture<'a, Result<Lease, StoreError>>;
    fn record<'a>(
        &'a self,
        lease: &'a Lease,
        kind: EvidenceKind,
        data: &'a Value,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn finish<'a>(
        &'a self,
        lease: &'a Lease,
        outcome: &'a Outcome,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn mark_unknown<'a>(
        &'a self,
        lease: &'a Lease,
        retry_after: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn release_lease<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<(), StoreError>>;
    fn list(
        &self,
        listing: Listing,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<pay_store::Intent>, StoreError>>;
}

impl<T: IntentJournal> DynJournal for T {
    fn begin<'a>(
        &'a self,
        key: &'a IntentKey,
        payload: &'a Value,
        owner: &'a OwnerId,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Begin, StoreError>> {
        Box::pin(IntentJournal::begin(self, key, payload, owner, lease))
    }
    fn get<'a>(
        &'a self,
        key: &'a IntentKey,
    ) -> BoxFuture<'a, Result<Option<IntentRecord>, StoreError>> {
        Box::pin(IntentJournal::get(self, key))
    }
    fn reopen<'a>(
        &'a self,
        key: &'a IntentKey,
        owner: &'a OwnerId,
        lease: Duration,
        reopenable: &'a [&'a str],
    ) -> BoxFuture<'a, Result<IntentClaim, StoreError>> {
        Box::pin(IntentJournal::reopen(self, key, owner, lease, reopenable))
    }
    fn claim_due<'a>(
        &'a self,
        owner: &'a OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> BoxFuture<'a, Result<Vec<Claimed>, StoreError>> {
        Box::pin(IntentJournal::claim_due(
            self, owner, lease, limit, provider,
        ))
    }
    fn renew<'a>(
        &'a self,
        lease: &'a Lease,
        duration: Duration,
    ) -> BoxFuture<'a, Result<Lease, StoreError>> {
        Box::pin(IntentJournal::renew(self, lease, duration))
    }
    fn record<'a>(
        &'a self,
        lease: &'a Lease,
        kind: EvidenceKind,
        data: &'a Value,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            IntentJournal::record(self, lease, kind, data)
                .await
                .map(drop)
        })
    }
    fn finish<'a>(
        &'a self,
        lease: &'a Lease,
        outcome: &'a Outcome,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(IntentJournal::finish(self, lease, outcome))
    }
    fn mark_unknown<'a>(
        &'a self,
        lease: &'a Lease,
        retry_after: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(IntentJournal::mark_unknown(self, lease, retry_after))
    }
    fn release_lease<'a>(&'a self, lease: &'a Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(IntentJournal::release_lease(self, lease))
    }
    fn list(
        &self,
        listing: Listing,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<pay_store::Intent>, StoreError>> {
        Box::pin(IntentJournal::list(self, listing, limit))
    }
}

// ---------------------------------------------------------------------------- payload and key

/// The journal key of `request`.
pub fn key_of<R: Journaled>(request: &R) -> IntentKey {
    IntentKey::new(R::INFO.provider, R::OPERATION, request.intent().id)
}

/// The payload written for `request`: the full request (to send it again) and its terms (shown by
/// `pay journal list`, accounts masked).
pub fn payload_of<R: Journaled>(request: &R) -> Value {
    json!({
        "version": PAYLOAD_VERSION,
        "request": request.to_journal(),
        "intent": request.intent(),
    })
}

/// The request stored in a payload.
pub fn request_of<R: Journaled>(payload: &Value) -> Result<R, Error> {
    match payload.get("version").and_then(Value::as_u64) {
        Some(PAYLOAD_VERSION) => {}
        other => {
            return Err(Error::invalid_input(
                "journal payload",
                format!("version {other:?} is not {PAYLOAD_VERSION}"),
            ));
        }
    }
    let request = payload
        .get("request")
        .ok_or_else(|| Error::invalid_input("journal payload", "no `request`"))?;
    R::from_journal(request)
}

/// The terms stored in a payload (for display: accounts mask themselves).
pub fn intent_of(payload: &Value) -> Option<Intent> {
    payload
        .get("intent")
        .and_then(|i| serde_json::from_value(i.clone()).ok())
}

/// The first field on which `asked` differs from `stored` (both [`Journaled::to_journal`] objects),
/// with both values; amounts are compared by value (`10.5` equals `10.50`).
fn first_difference(stored: &Value, asked: &Value) -> Option<(String, String, String)> {
    let empty = Map::new();
    let (stored, asked) = (
        stored.as_object().unwrap_or(&empty),
        asked.as_object().unwrap_or(&empty),
    );
    let mut names: Vec<&String> = stored.keys().chain(asked.keys()).collect();
    names.sort();
    names.dedup();
    names.into_iter().find_map(|name| {
        let (a, b) = (stored.get(name), asked.get(name));
        let same = match (a, b) {
            (Some(Value::String(a)), Some(Value::String(b))) => {
                a == b
                    || matches!(
                        (a.parse::<Amount>(), b.parse::<Amount>()),
                        (Ok(x), Ok(y)) if x == y
                    )
            }
            (a, b) => a.unwrap_or(&Value::Null) == b.unwrap_or(&Value::Null),
        };
        (!same).then(|| {
            let shown = |v: Option<&Value>| match v {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "nothing".to_owned(),
            };
            (name.clone(), shown(a), shown(b))
        })
    })
}

/// Refuses `request` if `stored` (a record's payload) holds another request under its id.
fn check_same_request<R: Journaled>(stored: &Value, request: &R) -> Result<(), Error> {
    let Some(stored_request) = stored.get("request") else {
        return Err(Error::invalid_input(
            "journal payload",
            "the stored intent has no request",
        ));
    };
    match first_difference(stored_request, &request.to_journal()) {
        None => Ok(()),
        Some((field, _, _)) if is_account_field(&field) => Err(Error::invalid_input(
            field,
            "differs from the request journaled under this id (account numbers not shown): \
             an id names one payout; use a new id for another payout"
                .to_owned(),
        )),
        Some((field, was, now)) => Err(Error::invalid_input(
            field,
            format!(
                "differs from the request journaled under this id (journaled {}, asked {}): \
                 an id names one payout; use a new id for another payout",
                Untrusted::new(&was).max_chars(64),
                Untrusted::new(&now).max_chars(64)
            ),
        )),
    }
}

/// Whether a request field holds an account number (never shown).
fn is_account_field(name: &str) -> bool {
    name.contains("account") || name.contains("address") || name == "email"
}

// ---------------------------------------------------------------------------- evidence

/// The entry recorded before an attempt of a send is handed to the transport.
fn send_started(at: OffsetDateTime, attempt: u32) -> Value {
    json!({"send": "started", "at": rfc3339(at), "attempt": attempt})
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The evidence of the current drive of a record: the steps after the last reopening, with an
/// attempt recorded as started but never answered as a send whose outcome is unknown (closed when
/// a later step started, else open: the recovery closes it when it resumes).
pub fn evidence_of(record: &IntentRecord) -> Result<Evidence, JournalError> {
    let entries = &record.evidence;
    let from = entries
        .iter()
        .rposition(|e| e.data.get("note").and_then(Value::as_str) == Some("reopened"))
        .map_or(0, |i| i + 1);
    let mut steps: Vec<Step> = Vec::new();
    let mut pending: Option<OffsetDateTime> = None;
    let interrupted = |started, ended| Step {
        action: StepAction::Send,
        started,
        ended,
        result: StepResult::Unknown {
            error: "interrupted: the answer was never recorded".to_owned(),
        },
    };
    for entry in entries.iter().skip(from) {
        if entry.data.get("send").and_then(Value::as_str) == Some("started") {
            let at = entry
                .data
                .get("at")
                .and_then(Value::as_str)
                .and_then(|t| {
                    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
                })
                .ok_or_else(|| JournalError::Unreadable(format!("attempt {}", entry.seq)))?;
            pending.get_or_insert(at);
        } else if let Some(step) = entry.data.get("step") {
            let step: Step = serde_json::from_value(step.clone())
                .map_err(|e| JournalError::Unreadable(format!("step {}: {e}", entry.seq)))?;
            if let Some(started) = pending.take()
                && step.action != StepAction::Send
            {
                steps.push(interrupted(started, Some(step.started.max(started))));
            }
            steps.push(step);
        }
    }
    if let Some(started) = pending {
        steps.push(interrupted(started, None));
    }
    Ok(Evidence { steps })
}

/// What a final outcome records beside its name.
fn outcome_detail<P>(outcome: &PayoutOutcome<P>) -> Value {
    let evidence = outcome.evidence();
    let summary = evidence.steps.iter().rev().find_map(|s| match &s.result {
        StepResult::Payout { summary, .. } => Some(summary.clone()),
        _ => None,
    });
    let mut detail = Map::new();
    detail.insert("steps".into(), json!(evidence.steps.len()));
    if let Some(summary) = summary {
        detail.insert("payout".into(), json!(summary));
    }
    match outcome.resolution() {
        Resolution::Refused(e) => {
            detail.insert("error".into(), json!(e.to_string()));
        }
        Resolution::NotSent(e) | Resolution::Unknown(Some(e)) => {
            detail.insert("error".into(), json!(e.to_string()));
        }
        Resolution::Conflict(c) => {
            detail.insert("differences".into(), json!(c.differences));
        }
        _ => {}
    }
    Value::Object(detail)
}

/// Whether no send of `evidence` can have done anything at the provider.
fn nothing_can_exist(evidence: &Evidence) -> bool {
    evidence.sends().all(|s| match &s.result {
        StepResult::NotSent { .. } => true,
        StepResult::Refused { class, .. } => class.did_nothing(),
        _ => false,
    })
}

// ---------------------------------------------------------------------------- one drive

/// Hooks of the recovery loop: before each step and after it. An error stops the recovery.
pub(crate) trait StepLog: Send {
    /// Before a step that may first wait `wait` (the settle window).
    fn before_step(
        &mut self,
        wait: Duration,
    ) -> impl Future<Output = Result<(), JournalError>> + Send;
    /// After a step was added to the evidence.
    fn after_step(&mut self, step: &Step) -> impl Future<Output = Result<(), JournalError>> + Send;
}

/// No journal: nothing to do.
pub(crate) struct NoLog;

impl StepLog for NoLog {
    async fn before_step(&mut self, _: Duration) -> Result<(), JournalError> {
        Ok(())
    }
    async fn after_step(&mut self, _: &Step) -> Result<(), JournalError> {
        Ok(())
    }
}

/// One drive of one intent under one lease: the [`StepLog`] of the recovery and the gate of its
/// sends ([`crate::executor::AttemptGate`]).
pub(crate) struct Drive {
    journal: Journal,
    state: Mutex<DriveState>,
    lease_len: Duration,
    attempt_timeout: Duration,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
}

struct DriveState {
    lease: Lease,
    /// When the lease was last granted or renewed, on the local clock.
    renewed_at: OffsetDateTime,
    /// Why the drive stopped, once it did: every later hook answers the same.
    stopped: Option<(Stopped, String)>,
}

/// Why a drive stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stopped {
    Unavailable,
    LeaseLost,
    LeaseTooShort,
}

impl Drive {
    pub(crate) fn new(
        journal: Journal,
        lease: Lease,
        attempt_timeout: Duration,
        clock: Arc<dyn Clock>,
        sleep: Arc<dyn Sleep>,
    ) -> Self {
        let lease_len = journal.lease_for(attempt_timeout);
        let renewed_at = clock.now();
        Self {
            journal,
            state: Mutex::new(DriveState {
                lease,
                renewed_at,
                stopped: None,
            }),
            lease_len,
            attempt_timeout,
            clock,
            sleep,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DriveState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lease(&self) -> Lease {
        self.lock().lease.clone()
    }

    /// Marks the drive stopped by `error` and returns it.
    fn stop(&self, error: JournalError) -> JournalError {
        let kind = match &error {
            JournalError::LeaseLost(_) => Stopped::LeaseLost,
            JournalError::LeaseTooShort { .. } => Stopped::LeaseTooShort,
            _ => Stopped::Unavailable,
        };
        self.lock().stopped.get_or_insert((kind, error.to_string()));
        error
    }

    /// The error of a drive that already stopped.
    fn stopped_error(&self) -> Option<JournalError> {
        let (stopped, lease) = {
            let state = self.lock();
            (state.stopped.clone(), state.lease.clone())
        };
        let (kind, message) = stopped?;
        Some(match kind {
            Stopped::LeaseLost => JournalError::LeaseLost(StoreError::LeaseLost {
                key: lease.key().to_string(),
                owner: lease.owner().to_string(),
                epoch: lease.epoch(),
            }),
            Stopped::LeaseTooShort => JournalError::LeaseTooShort {
                lease: self.lease_len,
                attempt_timeout: self.attempt_timeout,
            },
            Stopped::Unavailable => {
                JournalError::Unavailable(StoreError::Unavailable(message.into()))
            }
        })
    }

    /// Runs `write` until it succeeds, fails otherwise than unavailable, or the retries run out.
    async fn retrying<T, F, Fut>(&self, mut write: F) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let mut pauses = WRITE_RETRIES.iter();
        loop {
            match write().await {
                Err(e) if e.is_unavailable() => match pauses.next() {
                    Some(pause) => self.sleep.sleep(*pause).await,
                    None => return Err(e),
                },
                other => return other,
            }
        }
    }

    /// Renews the lease for `extra` beyond its length.
    async fn renew(&self, extra: Duration) -> Result<(), JournalError> {
        let lease = self.lease();
        let duration = self.lease_len.saturating_add(extra);
        let renewed = self
            .retrying(|| self.journal.store.renew(&lease, duration))
            .await
            .map_err(|e| self.stop(JournalError::of_store(e)))?;
        let now = self.clock.now();
        let mut state = self.lock();
        state.lease = renewed;
        state.renewed_at = now;
        Ok(())
    }

    /// Records one entry under the lease.
    async fn record(&self, kind: EvidenceKind, data: &Value) -> Result<(), JournalError> {
        let lease = self.lease();
        self.retrying(|| self.journal.store.record(&lease, kind, data))
            .await
            .map_err(|e| self.stop(JournalError::of_store(e)))
    }

    /// Before an attempt of a send leaves: renew, record, and check the lease outlives the attempt.
    pub(crate) async fn before_attempt(&self, attempt: u32) -> Result<(), JournalError> {
        if let Some(e) = self.stopped_error() {
            return Err(e);
        }
        if self.lease_len <= self.attempt_timeout {
            return Err(self.stop(JournalError::LeaseTooShort {
                lease: self.lease_len,
                attempt_timeout: self.attempt_timeout,
            }));
        }
        self.renew(Duration::ZERO).await?;
        self.record(
            EvidenceKind::Attempt,
            &send_started(self.clock.now(), attempt),
        )
        .await?;
        let elapsed = self.clock.now() - self.lock().renewed_at;
        let left =
            time::Duration::try_from(self.lease_len).unwrap_or(time::Duration::MAX) - elapsed;
        if left <= time::Duration::try_from(self.attempt_timeout).unwrap_or(time::Duration::MAX) {
            return Err(self.stop(JournalError::LeaseTooShort {
                lease: self.lease_len,
                attempt_timeout: self.attempt_timeout,
            }));
        }
        Ok(())
    }

    /// Records the reopening of a final intent (the evidence of this drive starts after it).
    pub(crate) async fn note_reopened(&self, after: &str) -> Result<(), JournalError> {
        self.record(
            EvidenceKind::Note,
            &json!({"note": "reopened", "after": after}),
        )
        .await
    }

    /// Writes the outcome: `finish`, or `mark_unknown` due again after `retry_after`.
    pub(crate) async fn conclude<P>(
        &self,
        outcome: &PayoutOutcome<P>,
        retry_after: Duration,
    ) -> Result<(), JournalError> {
        if let Some(e) = self.stopped_error() {
            return Err(e);
        }
        let lease = self.lease();
        let written = if outcome.name() == OutcomeName::Unknown {
            self.retrying(|| self.journal.store.mark_unknown(&lease, retry_after))
                .await
        } else {
            let detail = Outcome {
                name: outcome.name().as_str().to_owned(),
                detail: outcome_detail(outcome),
            };
            self.retrying(|| self.journal.store.finish(&lease, &detail))
                .await
        };
        written.map_err(|e| self.stop(JournalError::of_store(e)))
    }
}

impl StepLog for &Drive {
    /// Renews the lease when the step may first wait, or half the lease has passed (a send
    /// renews it again before each attempt).
    async fn before_step(&mut self, wait: Duration) -> Result<(), JournalError> {
        if let Some(e) = self.stopped_error() {
            return Err(e);
        }
        let since = self.clock.now() - self.lock().renewed_at;
        if wait.is_zero() && since < to_time(self.lease_len / 2) {
            return Ok(());
        }
        self.renew(wait).await
    }

    async fn after_step(&mut self, step: &Step) -> Result<(), JournalError> {
        if let Some(e) = self.stopped_error() {
            return Err(e);
        }
        let kind = match step.action {
            StepAction::Send => EvidenceKind::Attempt,
            StepAction::Lookup => EvidenceKind::Lookup,
        };
        self.record(kind, &json!({"step": step})).await
    }
}

impl crate::executor::AttemptGate for Drive {
    fn before_attempt(&self, attempt: u32) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            Drive::before_attempt(self, attempt)
                .await
                .map_err(|e| e.into_error(Delivery::NotSent))
        })
    }
}

/// The outcome of a recovery stopped by `error`: `not_sent` when nothing of it can exist, else
/// `unknown` (the intent stays listed; `resume` settles it).
pub(crate) fn stopped_outcome<P>(
    error: JournalError,
    intent: Intent,
    evidence: Evidence,
) -> PayoutOutcome<P> {
    if nothing_can_exist(&evidence) {
        PayoutOutcome::new(
            Resolution::NotSent(error.into_error(Delivery::NotSent)),
            intent,
            evidence,
        )
    } else {
        PayoutOutcome::new(
            Resolution::Unknown(Some(error.into_error(Delivery::MaybeSent))),
            intent,
            evidence,
        )
    }
}

/// What the caller is told after the drive's final write failed: the outcome, unless it is
/// `not_sent` (the journal still holds the intent open, and `resume` may send it), then `unknown`.
pub(crate) fn after_failed_conclusion<P>(
    outcome: PayoutOutcome<P>,
    error: JournalError,
) -> PayoutOutcome<P> {
    if outcome.name() == OutcomeName::NotSent {
        let (_, intent, evidence) = outcome.into_parts();
        PayoutOutcome::new(
            Resolution::Unknown(Some(error.into_error(Delivery::MaybeSent))),
            intent,
            evidence,
        )
    } else {
        tracing::warn!(error = %error, outcome = outcome.name().as_str(), "journal: the outcome could not be written; resume will settle the intent again");
        outcome
    }
}

// ---------------------------------------------------------------------------- begin

/// What [`begin`] found to do.
pub(crate) enum Started {
    /// Drive under `lease` from `start` (a fresh intent, a resumed one, or a reopened one).
    Drive {
        /// The lease.
        lease: Lease,
        /// Where the recovery starts.
        start: crate::recovery::Start,
        /// The outcome the intent was reopened after, if it was.
        reopened: Option<String>,
    },
    /// A final intent: answer from a lookup, writing nothing.
    Replay(Evidence),
    /// Nothing to drive: the error of the outcome (held elsewhere, store unavailable, another
    /// request); `not_sent` when it says nothing was sent, else `unknown`.
    Answer(Error),
}

/// Writes (or finds) the intent of `request`: what the call does next.
pub(crate) async fn begin<R: Journaled>(
    journal: &Journal,
    request: &R,
    lease: Duration,
    sleep: &dyn Sleep,
) -> Started {
    let key = key_of(request);
    let payload = payload_of(request);
    let mut pauses = WRITE_RETRIES.iter();
    let begun = loop {
        match journal
            .store
            .begin(&key, &payload, &journal.owner, lease)
            .await
        {
            Err(e) if e.is_unavailable() => match pauses.next() {
                Some(pause) => sleep.sleep(*pause).await,
                None => break Err(e),
            },
            other => break other,
        }
    };
    let record = match begun {
        Ok(Begin::Created(lease)) => {
            return Started::Drive {
                lease,
                start: crate::recovery::Start::Fresh,
                reopened: None,
            };
        }
        Ok(Begin::Existing(record)) => record,
        Err(e) => return Started::Answer(JournalError::of_store(e).into_error(Delivery::NotSent)),
    };
    if let Err(e) = check_same_request(&record.intent.payload, request) {
        return Started::Answer(e);
    }
    let reopenable: &[&str] = &REOPENABLE;
    let claim = journal
        .store
        .reopen(&key, &journal.owner, lease, reopenable)
        .await;
    started_from_claim(
        claim,
        record.intent.outcome.as_ref().map(|o| o.name.clone()),
    )
}

/// What a claim of an existing intent leads to.
fn started_from_claim(
    claim: Result<IntentClaim, StoreError>,
    outcome_before: Option<String>,
) -> Started {
    match claim {
        Ok(IntentClaim::Claimed(claimed)) => {
            let reopened = outcome_before.filter(|name| REOPENABLE.contains(&name.as_str()));
            if reopened.is_some() {
                return Started::Drive {
                    lease: claimed.lease,
                    start: crate::recovery::Start::Fresh,
                    reopened,
                };
            }
            match evidence_of(&claimed.record) {
                Ok(evidence) if evidence.steps.is_empty() => Started::Drive {
                    lease: claimed.lease,
                    start: crate::recovery::Start::Fresh,
                    reopened: None,
                },
                Ok(evidence) => Started::Drive {
                    lease: claimed.lease,
                    start: crate::recovery::Start::Resume(evidence),
                    reopened: None,
                },
                Err(e) => Started::Answer(e.into_error(Delivery::MaybeSent)),
            }
        }
        Ok(IntentClaim::Held(held)) => Started::Answer(
            JournalError::Held {
                owner: held.owner,
                until: held.until,
            }
            .into_error(Delivery::MaybeSent),
        ),
        Ok(IntentClaim::Finished(record)) => match evidence_of(&record) {
            Ok(evidence) => Started::Replay(evidence),
            Err(e) => Started::Answer(e.into_error(Delivery::MaybeSent)),
        },
        Ok(IntentClaim::Missing) => {
            Started::Answer(JournalError::Missing(String::new()).into_error(Delivery::MaybeSent))
        }
        Err(e) => Started::Answer(JournalError::of_store(e).into_error(Delivery::MaybeSent)),
    }
}

/// The last payout the evidence shows (a send's answer or a lookup's find): its verdict and
/// summary.
pub fn last_payout_summary(evidence: &Evidence) -> Option<(&Verdict, &str)> {
    evidence.steps.iter().rev().find_map(|s| match &s.result {
        StepResult::Payout { verdict, summary } => Some((verdict, summary.as_str())),
        _ => None,
    })
}

// ---------------------------------------------------------------------------- resume

/// What [`crate::Executor::resume_due`] did with one intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    /// The intent.
    pub key: IntentKey,
    /// How it ended this time (`unknown` stays listed and is looked up again on a later resume).
    pub outcome: OutcomeName,
    /// The payout in a few words (ids, status, amounts; accounts masked), when one was seen.
    pub payout: Option<String>,
    /// The error, when the outcome has one (refusal, journal failure, unreadable intent).
    pub error: Option<String>,
}

impl Resumed {
    /// The report of one resumed outcome.
    pub fn of<P>(key: IntentKey, outcome: &PayoutOutcome<P>) -> Self {
        let payout = last_payout_summary(outcome.evidence()).map(|(_, s)| s.to_owned());
        let error = match outcome.resolution() {
            Resolution::Refused(e) => Some(e.to_string()),
            Resolution::NotSent(e) | Resolution::Unknown(Some(e)) => Some(e.to_string()),
            _ => None,
        };
        Self {
            key,
            outcome: outcome.name(),
            payout,
            error,
        }
    }

    /// An intent another call or instance is driving now (its lease has not expired).
    pub fn held(key: IntentKey, owner: &str, until: OffsetDateTime) -> Self {
        Self::failed(
            key,
            JournalError::Held {
                owner: owner.to_owned(),
                until,
            },
        )
    }

    /// An intent that could not be driven (unreadable, or an operation this client does not know).
    pub fn failed(key: IntentKey, error: impl fmt::Display) -> Self {
        Self {
            key,
            outcome: OutcomeName::Unknown,
            payout: None,
            error: Some(error.to_string()),
        }
    }
}

/// Polls every future of `futures` to completion, concurrently, and returns their outputs in order.
pub(crate) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_store::Evidence as Entry;
    use time::macros::datetime;

    const T: OffsetDateTime = datetime!(2024-01-01 0:00 UTC);

    fn entry(seq: u32, kind: EvidenceKind, data: Value) -> Entry {
        Entry {
            seq,
            kind,
            at: T,
            owner: "o".into(),
            epoch: 1,
            data,
        }
    }

    fn record(entries: Vec<Entry>) -> IntentRecord {
        IntentRecord {
            intent: pay_store::Intent {
                key: IntentKey::new(Provider::Qostiq, "withdraw", "w-1"),
                payload: json!({}),
                state: IntentState::Open,
                outcome: None,
                lease: None,
                owner: "o".into(),
                epoch: 1,
                created_at: T,
                updated_at: T,
                due_at: T,
                finished_at: None,
                evidence_count: u32::try_from(entries.len()).unwrap(),
            },
            evidence: entries,
        }
    }

    fn step(action: StepAction, at: OffsetDateTime, result: StepResult) -> Step {
        Step {
            action,
            started: at,
            ended: Some(at),
            result,
        }
    }

    #[test]
    fn evidence_is_rebuilt_from_the_journal_entries() {
        let t1 = T + time::Duration::seconds(1);
        let t5 = T + time::Duration::seconds(5);
        let lookup = step(StepAction::Lookup, t5, StepResult::NotFound);
        // Two attempts of one send, never answered, then a lookup by a later drive.
        let r = record(vec![
            entry(1, EvidenceKind::Attempt, send_started(T, 1)),
            entry(2, EvidenceKind::Attempt, send_started(t1, 2)),
            entry(3, EvidenceKind::Lookup, json!({"step": lookup})),
        ]);
        let evidence = evidence_of(&r).unwrap();
        assert_eq!(evidence.steps.len(), 2);
        let send = &evidence.steps[0];
        assert_eq!(
            (send.action, send.started, send.ended),
            (StepAction::Send, T, Some(t5))
        );
        assert!(send.is_uncertain_send());
        assert_eq!(evidence.steps[1], lookup);

        // An answered send closes its attempts.
        let sent = step(
            StepAction::Send,
            T,
            StepResult::NotSent {
                error: "refused to connect".into(),
            },
        );
        let r = record(vec![
            entry(1, EvidenceKind::Attempt, send_started(T, 1)),
            entry(2, EvidenceKind::Attempt, json!({"step": sent})),
        ]);
        assert_eq!(evidence_of(&r).unwrap().steps, vec![sent.clone()]);

        // A send started last is open: the recovery closes it when it resumes.
        let r = record(vec![
            entry(1, EvidenceKind::Attempt, json!({"step": sent})),
            entry(2, EvidenceKind::Attempt, send_started(t1, 1)),
        ]);
        let steps = evidence_of(&r).unwrap().steps;
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].ended, None);

        // Only what follows the last reopening counts.
        let r = record(vec![
            entry(1, EvidenceKind::Attempt, json!({"step": sent})),
            entry(
                2,
                EvidenceKind::Note,
                json!({"note": "reopened", "after": "not_sent"}),
            ),
        ]);
        assert!(evidence_of(&r).unwrap().steps.is_empty());

        // Unreadable entries are refused, not skipped.
        let r = record(vec![entry(
            1,
            EvidenceKind::Lookup,
            json!({"step": {"action": "x"}}),
        )]);
        assert!(matches!(evidence_of(&r), Err(JournalError::Unreadable(_))));
    }

    #[test]
    fn the_reopenable_outcomes_are_the_ones_that_promise_nothing_exists() {
        let promise_nothing: Vec<&str> = [
            OutcomeName::Created,
            OutcomeName::Recreated,
            OutcomeName::Adopted,
            OutcomeName::Committed,
            OutcomeName::Refused,
            OutcomeName::NotSent,
            OutcomeName::Unknown,
            OutcomeName::Conflict,
        ]
        .into_iter()
        .filter(|n| n.exists() == Some(false))
        .map(OutcomeName::as_str)
        .collect();
        assert_eq!(promise_nothing, REOPENABLE);
    }

    #[test]
    fn differences_name_the_field_and_compare_amounts_by_value() {
        let stored = json!({"amount": "10.50", "account": "4111", "payway": "card_uah"});
        assert_eq!(
            first_difference(
                &stored,
                &json!({"amount": "10.5", "account": "4111", "payway": "card_uah"})
            ),
            None
        );
        assert_eq!(
            first_difference(
                &stored,
                &json!({"amount": "10.51", "account": "4111", "payway": "card_uah"})
            ),
            Some(("amount".into(), "10.50".into(), "10.51".into()))
        );
        assert_eq!(
            first_difference(
                &stored,
                &json!({"amount": "10.50", "account": "4111", "payway": "card_uah", "email": "a@b"})
            )
            .map(|d| d.0),
            Some("email".into())
        );
    }
}
