//! The in-memory backend: for tests and single-process use where losing state on restart is
//! acceptable. Clones share the same state.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pay_core::clock::{Clock, SystemClock};
use pay_core::error::Provider;
use serde_json::Value;
use time::OffsetDateTime;

use crate::dedup::{Claim, DedupKey, DedupPolicy, DedupStore, Finality};
use crate::error::StoreError;
use crate::journal::{
    Begin, Claimed, Evidence, EvidenceKind, FenceRow, Intent, IntentClaim, IntentJournal,
    IntentKey, IntentRecord, IntentState, Lease, LeaseInfo, Listing, Outcome, OwnerId, check_fence,
    checked, is_repeated_finish, to_time,
};
use crate::turns::{PollKey, PollTurns, TURN_MEMORY, Turn, check_floor, next_turn};

/// Everything in process memory, on an injected clock. Lost on restart and private to the process:
/// use SQLite or PostgreSQL when either matters.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    shared: Arc<Shared>,
    policy: DedupPolicy,
}

#[derive(Debug)]
struct Shared {
    clock: Arc<dyn Clock>,
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    intents: HashMap<IntentKey, IntentRecord>,
    dedup: Dedup,
    turns: HashMap<(String, String, String), OffsetDateTime>,
}

#[derive(Debug, Default)]
struct Dedup {
    /// event key → claimed or applied
    events: HashMap<String, Entry>,
    /// object key → expiry of its recorded terminal state
    terminal: HashMap<String, OffsetDateTime>,
    /// applied event keys with their expiry, oldest first (for eviction)
    applied: VecDeque<(String, OffsetDateTime)>,
    /// terminal object keys with their expiry, oldest first (for eviction)
    terminals: VecDeque<(String, OffsetDateTime)>,
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    Claimed { lease_until: OffsetDateTime },
    Applied { expires: OffsetDateTime },
}

/// Polling turns beyond this many are pruned of those older than [`TURN_MEMORY`].
const PRUNE_TURNS_ABOVE: usize = 4_096;

impl MemoryStore {
    /// A store on the system clock remembering up to 100,000 applied webhook events.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// A store on `clock` (e.g. a `ManualClock` in tests).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self::with_capacity(clock, 100_000)
    }

    /// A store on `clock` remembering at most `capacity` applied webhook events (the oldest are
    /// forgotten first).
    pub fn with_capacity(clock: Arc<dyn Clock>, capacity: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                clock,
                capacity: capacity.max(1),
                state: Mutex::new(State::default()),
            }),
            policy: DedupPolicy::default(),
        }
    }

    /// This handle with another deduplication policy (the state stays shared).
    pub fn with_dedup_policy(mut self, policy: DedupPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The number of webhook events remembered as applied.
    pub fn applied_len(&self) -> usize {
        self.lock()
            .dedup
            .events
            .values()
            .filter(|e| matches!(e, Entry::Applied { .. }))
            .count()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> OffsetDateTime {
        self.shared.clock.now()
    }

    /// Runs a fenced write on the intent of `lease`.
    fn fenced<T>(
        &self,
        lease: &Lease,
        write: impl FnOnce(&mut IntentRecord, OffsetDateTime) -> T,
    ) -> Result<T, StoreError> {
        let mut state = self.lock();
        let now = self.now();
        let record = state
            .intents
            .get_mut(lease.key())
            .ok_or_else(|| StoreError::NotFound(lease.key().to_string()))?;
        check_fence(&fence_row(&record.intent), lease)?;
        record.intent.updated_at = now;
        Ok(write(record, now))
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

fn fence_row(intent: &Intent) -> FenceRow<'_> {
    FenceRow {
        state: intent.state,
        owner: Some(intent.owner.as_str()),
        epoch: intent.epoch,
        lease_held: intent.lease.is_some(),
        outcome_name: intent.outcome.as_ref().map(|o| o.name.as_str()),
    }
}

fn claim_record(
    record: &mut IntentRecord,
    owner: &OwnerId,
    lease: Duration,
    now: OffsetDateTime,
) -> Claimed {
    let intent = &mut record.intent;
    intent.epoch += 1;
    intent.owner = owner.as_str().to_owned();
    let until = now.saturating_add(to_time(lease));
    intent.lease = Some(LeaseInfo {
        owner: owner.as_str().to_owned(),
        epoch: intent.epoch,
        until,
    });
    intent.updated_at = now;
    Claimed {
        lease: Lease::new(intent.key.clone(), owner.clone(), intent.epoch, until, now),
        record: record.clone(),
    }
}

fn is_free(intent: &Intent, now: OffsetDateTime) -> bool {
    intent.lease.as_ref().is_none_or(|l| l.until <= now)
}

impl IntentJournal for MemoryStore {
    async fn begin(
        &self,
        key: &IntentKey,
        payload: &Value,
        owner: &OwnerId,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        let lease = checked("lease", lease, true)?;
        let mut state = self.lock();
        let now = self.now();
        if let Some(existing) = state.intents.get(key) {
            return Ok(Begin::Existing(existing.clone()));
        }
        let until = now.saturating_add(to_time(lease));
        let intent = Intent {
            key: key.clone(),
            payload: payload.clone(),
            state: IntentState::Open,
            outcome: None,
            lease: Some(LeaseInfo {
                owner: owner.as_str().to_owned(),
                epoch: 1,
                until,
            }),
            owner: owner.as_str().to_owned(),
            epoch: 1,
            created_at: now,
            updated_at: now,
            due_at: now,
            finished_at: None,
            evidence_count: 0,
        };
        state.intents.insert(
            key.clone(),
            IntentRecord {
                intent,
                evidence: Vec::new(),
            },
        );
        Ok(Begin::Created(Lease::new(
            key.clone(),
            owner.clone(),
            1,
            until,
            now,
        )))
    }

    async fn get(&self, key: &IntentKey) -> Result<Option<IntentRecord>, StoreError> {
        Ok(self.lock().intents.get(key).cloned())
    }

    async fn claim_due(
        &self,
        owner: &OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> Result<Vec<Claimed>, StoreError> {
        let lease = checked("lease", lease, true)?;
        let mut state = self.lock();
        let now = self.now();
        let mut due: Vec<&mut IntentRecord> = state
            .intents
            .values_mut()
            .filter(|r| {
                r.intent.state != IntentState::Final
                    && is_free(&r.intent, now)
                    && r.intent.due_at <= now
                    && provider.is_none_or(|p| r.intent.key.provider == p)
            })
            .collect();
        due.sort_by(|a, b| {
            (
                a.intent.due_at,
                a.intent.created_at,
                &a.intent.key.intent_id,
            )
                .cmp(&(
                    b.intent.due_at,
                    b.intent.created_at,
                    &b.intent.key.intent_id,
                ))
        });
        Ok(due
            .into_iter()
            .take(limit as usize)
            .map(|record| claim_record(record, owner, lease, now))
            .collect())
    }

    async fn reopen(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
        reopenable: &[&str],
    ) -> Result<IntentClaim, StoreError> {
        let lease = checked("lease", lease, true)?;
        let mut state = self.lock();
        let now = self.now();
        let Some(record) = state.intents.get_mut(key) else {
            return Ok(IntentClaim::Missing);
        };
        if record.intent.state == IntentState::Final {
            let name = record.intent.outcome.as_ref().map(|o| o.name.as_str());
            if !name.is_some_and(|name| reopenable.contains(&name)) {
                return Ok(IntentClaim::Finished(record.clone()));
            }
            let intent = &mut record.intent;
            intent.state = IntentState::Open;
            intent.outcome = None;
            intent.finished_at = None;
            intent.due_at = now;
        }
        if let Some(held) = record.intent.lease.as_ref().filter(|l| l.until > now) {
            return Ok(IntentClaim::Held(held.clone()));
        }
        Ok(IntentClaim::Claimed(claim_record(
            record, owner, lease, now,
        )))
    }

    async fn renew(&self, lease: &Lease, duration: Duration) -> Result<Lease, StoreError> {
        let duration = checked("lease", duration, true)?;
        self.fenced(lease, |record, now| {
            let until = now.saturating_add(to_time(duration));
            if let Some(info) = record.intent.lease.as_mut() {
                info.until = until;
            }
            Lease::new(
                lease.key().clone(),
                lease.owner().clone(),
                lease.epoch(),
                until,
                now,
            )
        })
    }

    async fn record(
        &self,
        lease: &Lease,
        kind: EvidenceKind,
        data: &Value,
    ) -> Result<Evidence, StoreError> {
        self.fenced(lease, |record, now| {
            record.intent.evidence_count += 1;
            let evidence = Evidence {
                seq: record.intent.evidence_count,
                kind,
                at: now,
                owner: lease.owner().as_str().to_owned(),
                epoch: lease.epoch(),
                data: data.clone(),
            };
            record.evidence.push(evidence.clone());
            evidence
        })
    }

    async fn finish(&self, lease: &Lease, outcome: &Outcome) -> Result<(), StoreError> {
        {
            let state = self.lock();
            if let Some(record) = state.intents.get(lease.key()) {
                let intent = &record.intent;
                if is_repeated_finish(
                    &fence_row(intent),
                    intent.outcome.as_ref().map(|o| &o.detail),
                    lease,
                    outcome,
                ) {
                    return Ok(());
                }
            }
        }
        self.fenced(lease, |record, now| {
            let intent = &mut record.intent;
            intent.state = IntentState::Final;
            intent.outcome = Some(outcome.clone());
            intent.finished_at = Some(now);
            intent.lease = None;
        })
    }

    async fn mark_unknown(&self, lease: &Lease, retry_after: Duration) -> Result<(), StoreError> {
        let retry_after = checked("retry_after", retry_after, false)?;
        self.fenced(lease, |record, now| {
            let intent = &mut record.intent;
            intent.state = IntentState::Unknown;
            intent.lease = None;
            intent.due_at = now.saturating_add(to_time(retry_after));
        })
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        self.fenced(lease, |record, now| {
            record.intent.lease = None;
            record.intent.due_at = now;
        })
    }

    async fn list(&self, listing: Listing, limit: u32) -> Result<Vec<Intent>, StoreError> {
        let state = self.lock();
        let now = self.now();
        let mut intents: Vec<Intent> = state
            .intents
            .values()
            .map(|r| &r.intent)
            .filter(|i| match listing {
                Listing::All => true,
                Listing::Unfinished => i.state != IntentState::Final,
                Listing::Claimable => {
                    i.state != IntentState::Final && is_free(i, now) && i.due_at <= now
                }
            })
            .cloned()
            .collect();
        intents.sort_by(|a, b| {
            (a.created_at, &a.key.intent_id).cmp(&(b.created_at, &b.key.intent_id))
        });
        intents.truncate(limit as usize);
        Ok(intents)
    }
}

impl MemoryStore {
    /// Forgets what expired, and the oldest entries beyond the capacity: `capacity` applied
    /// events (and as many objects' terminal states, counted apart).
    fn evict(&self, dedup: &mut Dedup, now: OffsetDateTime) {
        let Dedup {
            events,
            terminal,
            applied,
            terminals,
        } = dedup;
        let capacity = self.shared.capacity;
        trim(applied, capacity, now, |key, expires| {
            // Only the entry this record made (a key applied again later has a later expiry).
            if matches!(events.get(key), Some(Entry::Applied { expires: e }) if *e == expires) {
                events.remove(key);
            }
        });
        trim(terminals, capacity, now, |key, expires| {
            if terminal.get(key) == Some(&expires) {
                terminal.remove(key);
            }
        });
    }
}

/// Pops records off the front of `order` while there are more than `capacity` or the front one
/// expired (insertion order is expiry order: one retention for all), calling `forget` on each.
fn trim(
    order: &mut VecDeque<(String, OffsetDateTime)>,
    capacity: usize,
    now: OffsetDateTime,
    mut forget: impl FnMut(&str, OffsetDateTime),
) {
    while let Some((_, expires)) = order.front() {
        if order.len() <= capacity && *expires > now {
            break;
        }
        if let Some((key, expires)) = order.pop_front() {
            forget(&key, expires);
        }
    }
}

impl DedupStore for MemoryStore {
    async fn claim(&self, key: &DedupKey<'_>) -> Result<Claim, StoreError> {
        let lease = to_time(checked("dedup lease", self.policy.lease, true)?);
        let mut state = self.lock();
        let now = self.now();
        let dedup = &mut state.dedup;
        self.evict(dedup, now);
        match dedup.events.get(key.event) {
            Some(Entry::Applied { expires }) if *expires > now => return Ok(Claim::Duplicate),
            Some(Entry::Claimed { lease_until }) if *lease_until > now => {
                return Ok(Claim::InProgress);
            }
            _ => {}
        }
        if key.finality == Finality::Intermediate
            && dedup
                .terminal
                .get(key.object)
                .is_some_and(|expires| *expires > now)
        {
            return Ok(Claim::Stale);
        }
        dedup.events.insert(
            key.event.to_owned(),
            Entry::Claimed {
                lease_until: now.saturating_add(lease),
            },
        );
        Ok(Claim::Proceed)
    }

    async fn complete(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        let retention = to_time(checked("dedup retention", self.policy.retention, true)?);
        let mut state = self.lock();
        let now = self.now();
        let dedup = &mut state.dedup;
        let expires = now.saturating_add(retention);
        dedup
            .events
            .insert(key.event.to_owned(), Entry::Applied { expires });
        dedup.applied.push_back((key.event.to_owned(), expires));
        if key.finality == Finality::Terminal {
            dedup.terminal.insert(key.object.to_owned(), expires);
            dedup.terminals.push_back((key.object.to_owned(), expires));
        }
        self.evict(dedup, now);
        Ok(())
    }

    async fn release(&self, key: &DedupKey<'_>) -> Result<(), StoreError> {
        let mut state = self.lock();
        if matches!(
            state.dedup.events.get(key.event),
            Some(Entry::Claimed { .. })
        ) {
            state.dedup.events.remove(key.event);
        }
        Ok(())
    }
}

fn turn_key(key: &PollKey<'_>) -> (String, String, String) {
    (
        key.provider.to_string(),
        key.operation.to_owned(),
        key.subject.to_owned(),
    )
}

impl PollTurns for MemoryStore {
    async fn reserve(&self, key: &PollKey<'_>, floor: Duration) -> Result<Turn, StoreError> {
        let floor = check_floor(floor)?;
        let mut state = self.lock();
        let now = self.now();
        if state.turns.len() > PRUNE_TURNS_ABOVE {
            let horizon = now.saturating_sub(to_time(TURN_MEMORY));
            state.turns.retain(|_, last| *last > horizon);
        }
        let key = turn_key(key);
        let previous = state.turns.get(&key).copied();
        let at = next_turn(now, previous, floor);
        state.turns.insert(key, at);
        Ok(Turn {
            at,
            store_now: now,
            previous,
        })
    }

    async fn give_back(&self, key: &PollKey<'_>, turn: &Turn) -> Result<(), StoreError> {
        let mut state = self.lock();
        let key = turn_key(key);
        if state.turns.get(&key) == Some(&turn.at) {
            match turn.previous {
                Some(previous) => state.turns.insert(key, previous),
                None => state.turns.remove(&key),
            };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::clock::ManualClock;
    use std::future::Future;
    use time::macros::datetime;

    fn key<'a>(event: &'a str, object: &'a str, finality: Finality) -> DedupKey<'a> {
        DedupKey {
            event,
            object,
            finality,
        }
    }

    fn block<F: Future>(f: F) -> F::Output {
        // The memory store's futures complete on first poll.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => unreachable!("memory store never waits"),
        }
    }

    fn store(capacity: usize, policy: DedupPolicy) -> (Arc<ManualClock>, MemoryStore) {
        let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
        let store = MemoryStore::with_capacity(clock.clone(), capacity).with_dedup_policy(policy);
        (clock, store)
    }

    #[test]
    fn lease_expires_on_the_injected_clock() {
        let (clock, store) = store(
            10,
            DedupPolicy {
                lease: Duration::from_secs(300),
                retention: Duration::from_secs(86_400),
            },
        );
        let e = key("a|RESOLVED", "a", Finality::Terminal);
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::Proceed);
        clock.advance(time::Duration::minutes(4));
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::InProgress);
        clock.advance(time::Duration::minutes(2));
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::Proceed);
    }

    fn apply(store: &MemoryStore, e: &DedupKey<'_>) {
        assert_eq!(block(store.claim(e)).unwrap(), Claim::Proceed);
        block(store.complete(e)).unwrap();
    }

    #[test]
    fn claim_complete_duplicate_release() {
        let (_, store) = store(10, DedupPolicy::default());
        let e = key("a|RESOLVED", "a", Finality::Terminal);
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::Proceed);
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::InProgress);
        block(store.complete(&e)).unwrap();
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::Duplicate);
        // A failed handler's release lets the retry through; an applied event stays applied.
        let f = key("b|RESOLVED", "b", Finality::Terminal);
        assert_eq!(block(store.claim(&f)).unwrap(), Claim::Proceed);
        block(store.release(&f)).unwrap();
        assert_eq!(block(store.claim(&f)).unwrap(), Claim::Proceed);
        block(store.release(&e)).unwrap();
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::Duplicate);
    }

    #[test]
    fn a_terminal_status_is_never_regressed() {
        let (_, store) = store(10, DedupPolicy::default());
        apply(&store, &key("p|RESOLVED", "p", Finality::Terminal));
        let late = key("p|UNRESOLVED", "p", Finality::Intermediate);
        assert_eq!(block(store.claim(&late)).unwrap(), Claim::Stale);
        let unknown = key("p|SOMETHING_NEW", "p", Finality::Unknown);
        assert_eq!(block(store.claim(&unknown)).unwrap(), Claim::Proceed);
    }

    #[test]
    fn capacity_counts_events_and_keeps_the_latest_final_state() {
        let policy = DedupPolicy {
            lease: Duration::from_secs(60),
            retention: Duration::from_secs(3600),
        };
        let (_, three) = store(3, policy);
        let events: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        for e in &events {
            apply(
                &three,
                &key(&format!("{e}|RESOLVED"), e, Finality::Terminal),
            );
        }
        // Three events (not one and a half): a terminal one is not counted twice.
        assert_eq!(three.applied_len(), 3);
        let late = key("9|UNRESOLVED", "9", Finality::Intermediate);
        assert_eq!(block(three.claim(&late)).unwrap(), Claim::Stale);
        // An object with two final events keeps its final state when the older record goes.
        let (clock, two) = store(2, policy);
        apply(&two, &key("p|RESOLVED", "p", Finality::Terminal));
        clock.advance(time::Duration::minutes(10));
        apply(&two, &key("p|COMPLETED", "p", Finality::Terminal));
        clock.advance(time::Duration::minutes(10));
        apply(&two, &key("q|RESOLVED", "q", Finality::Terminal));
        clock.advance(time::Duration::minutes(10));
        let late = key("p|UNRESOLVED", "p", Finality::Intermediate);
        assert_eq!(block(two.claim(&late)).unwrap(), Claim::Stale);
        // A key applied again is not forgotten with its older record.
        let (clock, two) = store(2, policy);
        let again = key("r|X", "r", Finality::Unknown);
        apply(&two, &again);
        clock.advance(time::Duration::minutes(61));
        assert_eq!(block(two.claim(&again)).unwrap(), Claim::Proceed);
        block(two.complete(&again)).unwrap();
        apply(&two, &key("s|X", "s", Finality::Unknown));
        assert_eq!(block(two.claim(&again)).unwrap(), Claim::Duplicate);
    }

    #[test]
    fn bounded_and_expiring() {
        let (clock, store) = store(
            3,
            DedupPolicy {
                lease: Duration::from_secs(60),
                retention: Duration::from_secs(3600),
            },
        );
        let events: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        for e in &events {
            let e = key(e, e, Finality::Unknown);
            block(store.claim(&e)).unwrap();
            block(store.complete(&e)).unwrap();
        }
        assert_eq!(store.applied_len(), 3);
        let e = key("9", "9", Finality::Unknown);
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::Duplicate);
        clock.advance(time::Duration::hours(2));
        assert_eq!(block(store.claim(&e)).unwrap(), Claim::Proceed);
    }

    #[test]
    fn turns_follow_the_injected_clock_and_are_pruned() {
        let (clock, store) = store(10, DedupPolicy::default());
        let floor = Duration::from_secs(60);
        for i in 0..=PRUNE_TURNS_ABOVE {
            let subject = i.to_string();
            let k = PollKey {
                provider: pay_core::error::Provider::Qostiq,
                operation: "withdraw_status",
                subject: &subject,
            };
            block(store.reserve(&k, floor)).unwrap();
        }
        clock.advance(time::Duration::days(2));
        let k = PollKey {
            provider: pay_core::error::Provider::Qostiq,
            operation: "withdraw_status",
            subject: "x",
        };
        let turn = block(store.reserve(&k, floor)).unwrap();
        assert_eq!(turn.at, clock.now());
        assert_eq!(store.lock().turns.len(), 1);
    }
}
