//! The payout intent journal: the intent is written *before* it is sent, every attempt and lookup is
//! recorded, and a lease decides which instance drives it.
//!
//! # Lifecycle
//!
//! 1. [`IntentJournal::begin`] writes the intent (an opaque JSON payload holding everything needed
//!    to send it again) and gives the caller a [`Lease`]. If the key was journaled before, it answers
//!    [`Begin::Existing`] with the stored record instead: never a second intent.
//! 2. Before each send the lease holder records an [`EvidenceKind::Attempt`]; after each status
//!    read an [`EvidenceKind::Lookup`] ([`IntentJournal::record`]).
//! 3. [`IntentJournal::finish`] records the final outcome. [`IntentJournal::mark_unknown`] leaves an
//!    undecided intent listed, to be claimed again after a delay.
//! 4. An instance that finds work — after a crash, or a peer's — claims it with
//!    [`IntentJournal::claim_intent`] or [`IntentJournal::claim_due`] and resumes from the
//!    [`IntentRecord`].
//!
//! # Leases and fencing
//!
//! A lease has an owner, an expiry on the **store's** clock, and an **epoch** that grows with every
//! claim. Every write through a lease checks owner and epoch: once another owner has claimed the
//! intent (after the lease expired), the old owner's writes fail with
//! [`StoreError::LeaseLost`], so two instances never both drive it.
//! A lease that expired but was not taken over is still valid for its holder (nobody else acted).
//! A holder should [`renew`](IntentJournal::renew) before each send and send only if the lease
//! outlives the request's timeout.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use pay_core::error::Provider;
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::StoreError;

/// The key of an intent: provider, operation and the merchant's own id for it (`shop_payment_id`,
/// or a COINQVEST withdrawal id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IntentKey {
    /// The provider.
    pub provider: Provider,
    /// The operation, by a stable name (`withdraw`, `crypto_withdraw`, `withdrawal`).
    pub operation: String,
    /// The merchant's id of the intent.
    pub intent_id: String,
}

impl IntentKey {
    /// A key.
    pub fn new(
        provider: Provider,
        operation: impl Into<String>,
        intent_id: impl Into<String>,
    ) -> Self {
        Self {
            provider,
            operation: operation.into(),
            intent_id: intent_id.into(),
        }
    }
}

impl fmt::Display for IntentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.provider, self.operation, self.intent_id)
    }
}

/// Who holds a lease: one id per running instance (process), unique across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnerId(String);

impl OwnerId {
    /// Longest accepted owner id, in bytes.
    pub const MAX_LEN: usize = 200;

    /// An owner id chosen by the caller: 1 to [`OwnerId::MAX_LEN`] printable ASCII characters.
    pub fn new(id: impl Into<String>) -> Result<Self, StoreError> {
        let id = id.into();
        if id.is_empty() || id.len() > Self::MAX_LEN || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(StoreError::Invalid(format!(
                "owner id must be 1 to {} printable ASCII characters",
                Self::MAX_LEN
            )));
        }
        Ok(Self(id))
    }

    /// A fresh id for this process: `prefix-pid-random` (a restarted process gets a new one, so it
    /// never mistakes its predecessor's lease for its own).
    pub fn unique(prefix: &str) -> Self {
        let prefix: String = prefix
            .chars()
            .filter(char::is_ascii_graphic)
            .take(100)
            .collect();
        Self(format!(
            "{prefix}-{}-{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OwnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntentState {
    /// Begun, not decided yet (being sent, or being recovered).
    Open,
    /// Undecided after recovery rounds: stays listed and is claimed again when due.
    Unknown,
    /// Decided: the outcome is recorded and nothing drives it any more.
    Final,
}

impl IntentState {
    /// The stored name (`open`, `unknown`, `final`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Unknown => "unknown",
            Self::Final => "final",
        }
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn parse(text: &str) -> Result<Self, StoreError> {
        [Self::Open, Self::Unknown, Self::Final]
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("intent state `{text}`")))
    }
}

/// What a piece of evidence records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvidenceKind {
    /// About to send (recorded *before* the request leaves), or what a send returned.
    Attempt,
    /// A status read and what it answered.
    Lookup,
    /// Anything else worth keeping (why an intent was marked unknown, an operator's action).
    Note,
}

impl EvidenceKind {
    /// The stored name (`attempt`, `lookup`, `note`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attempt => "attempt",
            Self::Lookup => "lookup",
            Self::Note => "note",
        }
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn parse(text: &str) -> Result<Self, StoreError> {
        [Self::Attempt, Self::Lookup, Self::Note]
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("evidence kind `{text}`")))
    }
}

/// One recorded attempt, lookup or note.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Its position in the intent's history, from 1.
    pub seq: u32,
    /// What it records.
    pub kind: EvidenceKind,
    /// When it was recorded, on the store's clock.
    pub at: OffsetDateTime,
    /// The owner that recorded it.
    pub owner: String,
    /// The epoch of that owner's lease.
    pub epoch: u64,
    /// The caller's JSON.
    pub data: Value,
}

/// The final outcome of an intent: a name (`paid`, `refused`, …) and details.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// A short stable name.
    pub name: String,
    /// The caller's JSON.
    pub detail: Value,
}

/// The lease currently recorded on an intent (it may have expired).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseInfo {
    /// The holder.
    pub owner: String,
    /// The epoch of the lease.
    pub epoch: u64,
    /// When it expires, on the store's clock.
    pub until: OffsetDateTime,
}

/// A journaled intent, without its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// Its key.
    pub key: IntentKey,
    /// The caller's JSON, as given to [`IntentJournal::begin`].
    pub payload: Value,
    /// Where it stands.
    pub state: IntentState,
    /// The outcome, once [`IntentState::Final`].
    pub outcome: Option<Outcome>,
    /// The lease, while one is held (expired or not).
    pub lease: Option<LeaseInfo>,
    /// The owner of the latest claim (kept after its lease ends: who finished it).
    pub owner: String,
    /// The epoch of the latest claim (1 after `begin`).
    pub epoch: u64,
    /// When it was begun (store clock).
    pub created_at: OffsetDateTime,
    /// When it was last written (store clock).
    pub updated_at: OffsetDateTime,
    /// From when [`IntentJournal::claim_due`] takes it, once its lease is free.
    pub due_at: OffsetDateTime,
    /// When it was finished (store clock).
    pub finished_at: Option<OffsetDateTime>,
    /// How many evidence entries it has.
    pub evidence_count: u32,
}

/// An intent with its evidence, oldest first: what recovery resumes from.
#[derive(Debug, Clone, PartialEq)]
pub struct IntentRecord {
    /// The intent.
    pub intent: Intent,
    /// Its evidence, by `seq`.
    pub evidence: Vec<Evidence>,
}

/// The right to drive one intent, proven on every write (owner + epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    key: IntentKey,
    owner: OwnerId,
    epoch: u64,
    until: OffsetDateTime,
    granted_at: OffsetDateTime,
}

impl Lease {
    pub(crate) fn new(
        key: IntentKey,
        owner: OwnerId,
        epoch: u64,
        until: OffsetDateTime,
        granted_at: OffsetDateTime,
    ) -> Self {
        Self {
            key,
            owner,
            epoch,
            until,
            granted_at,
        }
    }

    /// The intent it is for.
    pub fn key(&self) -> &IntentKey {
        &self.key
    }

    /// The holder.
    pub fn owner(&self) -> &OwnerId {
        &self.owner
    }

    /// The epoch: grows with every claim of the intent.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// When the lease expires, on the store's clock.
    pub fn until(&self) -> OffsetDateTime {
        self.until
    }

    /// The store's clock when the lease was granted or renewed.
    pub fn granted_at(&self) -> OffsetDateTime {
        self.granted_at
    }

    /// How long the lease ran when it was granted: measure it on a local monotonic clock from the
    /// moment the grant returned (the store's clock may be skewed from the caller's).
    pub fn duration(&self) -> Duration {
        let d = self.until - self.granted_at;
        Duration::try_from(d).unwrap_or(Duration::ZERO)
    }
}

/// The answer to [`IntentJournal::begin`].
#[derive(Debug, Clone, PartialEq)]
pub enum Begin {
    /// Written now, durably, with the caller holding the lease (epoch 1): it may send.
    Created(Lease),
    /// The key was journaled before: send nothing; resume from the record (claim it first).
    Existing(IntentRecord),
}

/// A successful claim: the lease and the record to resume from.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    /// The new lease (a new epoch).
    pub lease: Lease,
    /// The intent and its evidence.
    pub record: IntentRecord,
}

/// The answer to [`IntentJournal::claim_intent`].
#[derive(Debug, Clone, PartialEq)]
pub enum IntentClaim {
    /// Claimed: drive it.
    Claimed(Claimed),
    /// Another lease (maybe this owner's own) has not expired: leave it alone.
    Held(LeaseInfo),
    /// Already decided: nothing to drive.
    Finished(IntentRecord),
    /// No such intent.
    Missing,
}

/// Which intents [`IntentJournal::list`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Every intent not final (open or unknown), held or not.
    Unfinished,
    /// What [`IntentJournal::claim_due`] would take now: not final, lease free or expired, due.
    Claimable,
    /// Every intent, final ones included.
    All,
}

/// The durable journal of payout intents. See the [module documentation](self).
///
/// Every method is one atomic step on the store: it either happened entirely or not at all. On
/// [`StoreError::Unavailable`] the step may or may not have happened; repeating it is safe
/// (`begin` answers `Existing` with the caller's own lease, `finish` with the same outcome succeeds).
pub trait IntentJournal: Send + Sync + 'static {
    /// Writes `payload` under `key` durably and grants `owner` a lease for `lease`, or, if the key is
    /// already journaled, returns the stored record unchanged.
    fn begin(
        &self,
        key: &IntentKey,
        payload: &Value,
        owner: &OwnerId,
        lease: Duration,
    ) -> impl Future<Output = Result<Begin, StoreError>> + Send;

    /// The intent and its evidence, if journaled.
    fn get(
        &self,
        key: &IntentKey,
    ) -> impl Future<Output = Result<Option<IntentRecord>, StoreError>> + Send;

    /// Claims one intent for `owner` for `lease` (a new epoch), unless it is final or another lease
    /// on it has not expired. Ignores `due_at` (an explicit claim, e.g. an operator's).
    ///
    /// Provided: [`IntentJournal::reopen`] with no reopenable outcome.
    fn claim_intent(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
    ) -> impl Future<Output = Result<IntentClaim, StoreError>> + Send {
        self.reopen(key, owner, lease, &[])
    }

    /// Claims up to `limit` intents that are not final, whose lease is free or expired and that are
    /// due, oldest due first; only `provider`'s when given (an instance that drives one provider's
    /// payouts). Concurrent callers get disjoint sets.
    fn claim_due(
        &self,
        owner: &OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> impl Future<Output = Result<Vec<Claimed>, StoreError>> + Send;

    /// Claims one intent as [`IntentJournal::claim_intent`] does and, in the same atomic step, a
    /// final one whose outcome is named in `reopenable`: it becomes open again (outcome cleared,
    /// evidence kept) under the new lease. For outcomes that promise nothing exists at the
    /// provider (refused, nothing sent), after which a new call may drive the same id again.
    /// A final intent with another outcome answers [`IntentClaim::Finished`].
    fn reopen(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
        reopenable: &[&str],
    ) -> impl Future<Output = Result<IntentClaim, StoreError>> + Send;

    /// Extends a lease to `lease` from now (same epoch), if it is still this holder's.
    fn renew(
        &self,
        lease: &Lease,
        duration: Duration,
    ) -> impl Future<Output = Result<Lease, StoreError>> + Send;

    /// Appends evidence under the lease and returns it as stored.
    fn record(
        &self,
        lease: &Lease,
        kind: EvidenceKind,
        data: &Value,
    ) -> impl Future<Output = Result<Evidence, StoreError>> + Send;

    /// Records the final outcome and ends the lease. Repeating it with the same lease and outcome
    /// succeeds; any other write to a final intent fails.
    fn finish(
        &self,
        lease: &Lease,
        outcome: &Outcome,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Marks the intent undecided, ends the lease, and makes it due again after `retry_after`.
    fn mark_unknown(
        &self,
        lease: &Lease,
        retry_after: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Ends the lease without deciding (the intent is due at once), e.g. at shutdown.
    fn release_lease(&self, lease: &Lease) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Up to `limit` intents, oldest first.
    fn list(
        &self,
        listing: Listing,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Intent>, StoreError>> + Send;
}

/// The fields a fenced write checks, as stored (shared by the backends that decide in Rust).
#[derive(Debug, Clone)]
pub(crate) struct FenceRow<'a> {
    pub state: IntentState,
    pub owner: Option<&'a str>,
    pub epoch: u64,
    pub lease_held: bool,
    pub outcome_name: Option<&'a str>,
}

/// Whether `lease` may write to a row in this state.
pub(crate) fn check_fence(row: &FenceRow<'_>, lease: &Lease) -> Result<(), StoreError> {
    if row.state == IntentState::Final {
        return Err(StoreError::AlreadyFinished {
            key: lease.key.to_string(),
            outcome: row.outcome_name.unwrap_or_default().to_owned(),
        });
    }
    if row.lease_held && row.owner == Some(lease.owner.as_str()) && row.epoch == lease.epoch {
        Ok(())
    } else {
        Err(lease_lost(lease))
    }
}

/// The error for a lease that no longer holds.
pub(crate) fn lease_lost(lease: &Lease) -> StoreError {
    StoreError::LeaseLost {
        key: lease.key.to_string(),
        owner: lease.owner.to_string(),
        epoch: lease.epoch,
    }
}

/// Whether a `finish` on an already final row is the same call repeated (same lease, same outcome).
pub(crate) fn is_repeated_finish(
    row: &FenceRow<'_>,
    detail: Option<&Value>,
    lease: &Lease,
    outcome: &Outcome,
) -> bool {
    row.state == IntentState::Final
        && row.owner == Some(lease.owner.as_str())
        && row.epoch == lease.epoch
        && row.outcome_name == Some(outcome.name.as_str())
        && detail == Some(&outcome.detail)
}

/// Longest lease, `retry_after` or polling floor accepted (longer ones are surely a unit mistake).
pub const MAX_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);

/// Checks a duration argument against [`MAX_DURATION`] (and zero, where `positive`).
pub(crate) fn checked(what: &str, d: Duration, positive: bool) -> Result<Duration, StoreError> {
    if d > MAX_DURATION || (positive && d.is_zero()) {
        return Err(StoreError::Invalid(format!(
            "{what} must be {}at most 30 days, got {d:?}",
            if positive { "above zero and " } else { "" }
        )));
    }
    Ok(d)
}

/// A checked duration as [`time::Duration`].
pub(crate) fn to_time(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// A checked duration in microseconds (what the SQL backends store).
pub(crate) fn to_micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// Parses a provider from its [`Display`](fmt::Display) name.
pub(crate) fn parse_provider(text: &str) -> Result<Provider, StoreError> {
    [Provider::Qostiq, Provider::Coinqvest]
        .into_iter()
        .find(|p| p.to_string() == text)
        .ok_or_else(|| StoreError::Corrupt(format!("provider `{text}`")))
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// Parses stored JSON text.
pub(crate) fn parse_json(text: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("stored JSON: {e}")))
}

/// An intent row as the SQL backends store it, with times of type `T` (as read, then converted).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[derive(Debug)]
pub(crate) struct StoredIntent<T> {
    pub id: i64,
    pub provider: String,
    pub operation: String,
    pub intent_id: String,
    pub payload: String,
    pub state: String,
    pub owner: String,
    pub epoch: i64,
    pub lease_until: Option<T>,
    pub due_at: T,
    pub outcome_name: Option<String>,
    pub outcome_detail: Option<String>,
    pub evidence_count: i64,
    pub created_at: T,
    pub updated_at: T,
    pub finished_at: Option<T>,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl StoredIntent<OffsetDateTime> {
    pub fn state(&self) -> Result<IntentState, StoreError> {
        IntentState::parse(&self.state)
    }

    pub fn fence(&self) -> Result<FenceRow<'_>, StoreError> {
        Ok(FenceRow {
            state: self.state()?,
            owner: Some(&self.owner),
            epoch: stored_epoch(self.epoch)?,
            lease_held: self.lease_until.is_some(),
            outcome_name: self.outcome_name.as_deref(),
        })
    }

    /// The outcome detail as JSON, if finished.
    pub fn detail(&self) -> Result<Option<Value>, StoreError> {
        self.outcome_detail.as_deref().map(parse_json).transpose()
    }

    pub fn into_intent(self) -> Result<Intent, StoreError> {
        let epoch = stored_epoch(self.epoch)?;
        let outcome = match (self.outcome_name, self.outcome_detail) {
            (Some(name), Some(detail)) => Some(Outcome {
                name,
                detail: parse_json(&detail)?,
            }),
            _ => None,
        };
        Ok(Intent {
            key: IntentKey::new(
                parse_provider(&self.provider)?,
                self.operation,
                self.intent_id,
            ),
            payload: parse_json(&self.payload)?,
            state: IntentState::parse(&self.state)?,
            outcome,
            lease: self.lease_until.map(|until| LeaseInfo {
                owner: self.owner.clone(),
                epoch,
                until,
            }),
            owner: self.owner,
            epoch,
            created_at: self.created_at,
            updated_at: self.updated_at,
            due_at: self.due_at,
            finished_at: self.finished_at,
            evidence_count: u32::try_from(self.evidence_count)
                .map_err(|_| StoreError::Corrupt("evidence count".to_owned()))?,
        })
    }
}

/// An epoch as stored (a signed 64-bit column).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn stored_epoch(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("epoch {value}")))
}

/// An evidence row as the SQL backends store it.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) struct StoredEvidence {
    pub seq: i64,
    pub kind: String,
    pub at: OffsetDateTime,
    pub owner: String,
    pub epoch: i64,
    pub data: String,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl StoredEvidence {
    pub fn into_evidence(self) -> Result<Evidence, StoreError> {
        Ok(Evidence {
            seq: u32::try_from(self.seq)
                .map_err(|_| StoreError::Corrupt(format!("seq {}", self.seq)))?,
            kind: EvidenceKind::parse(&self.kind)?,
            at: self.at,
            owner: self.owner,
            epoch: stored_epoch(self.epoch)?,
            data: parse_json(&self.data)?,
        })
    }
}
