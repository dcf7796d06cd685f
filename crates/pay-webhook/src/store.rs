//! Deduplication: the store that makes a redelivered event reach the handler once.
//!
//! # Contract for implementations
//!
//! A receiver calls, for each verified delivery:
//! 1. [`DedupStore::claim`]: atomically decide. Answer [`Claim::Duplicate`] if this exact event
//!    ([`EventIdentity::event_key`]) was completed before; [`Claim::Stale`] if the object
//!    ([`EventIdentity::object_key`]) already completed a terminal event and this one is
//!    [`Finality::Intermediate`]; [`Claim::InProgress`] if another delivery of the same event holds an
//!    unexpired claim; otherwise record a claim (with a lease) and answer [`Claim::Proceed`].
//! 2. After the handler succeeded, [`DedupStore::complete`]: record the event as applied (and, if
//!    terminal, the object's terminal state), releasing the claim.
//! 3. After the handler failed, [`DedupStore::release`]: drop the claim so the provider's next retry
//!    proceeds.
//!
//! A database-backed store implements `claim` as one transaction, e.g. `INSERT INTO webhook_events
//! (event_key, state, lease_until) VALUES (…, 'claimed', now() + lease) ON CONFLICT (event_key) DO
//! UPDATE … WHERE state = 'claimed' AND lease_until < now()` plus a read of the object's terminal row,
//! and `complete` as an update to `'applied'`. For exactly-once effects across crashes, apply the
//! handler's own writes and `complete` in the same database transaction; otherwise a crash between the
//! handler and `complete` makes the provider redeliver and the handler run again (at-least-once).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use crate::identity::{EventIdentity, Finality};

/// The store's decision for one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// New: call the handler.
    Proceed,
    /// Already applied: acknowledge without calling the handler.
    Duplicate,
    /// Would replace a final status with an intermediate one: acknowledge without calling the handler.
    Stale,
    /// Another delivery of the same event is being handled: ask the provider to retry later.
    InProgress,
}

/// Where deduplication state lives. See the [module documentation](self) for the contract.
pub trait DedupStore: Send + Sync + 'static {
    /// A store failure (the receiver answers 503 so the provider retries).
    type Error: std::fmt::Display + Send + 'static;

    /// Atomically decides what to do with a delivery and, on [`Claim::Proceed`], claims it.
    fn claim(
        &self,
        event: &EventIdentity,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Claim, Self::Error>> + Send;

    /// Records the claimed event as applied.
    fn complete(
        &self,
        event: &EventIdentity,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Drops the claim of an event whose handler failed.
    fn release(
        &self,
        event: &EventIdentity,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// How many applied events [`MemoryStore::new`] remembers.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// How long [`MemoryStore::new`] remembers an applied event: 7 days, beyond every provider's
/// redelivery window ([`crate::scheme::Scheme::REDELIVERY_WINDOW`]: a day for Qostiq, 48 hours for
/// COINQVEST).
pub const DEFAULT_RETENTION: Duration = Duration::days(7);
/// How long [`MemoryStore::new`] holds a claim while the handler runs.
pub const DEFAULT_LEASE: Duration = Duration::minutes(5);

/// The default store: in memory, bounded, with expiry. Lost on restart, and per process: use a
/// database-backed [`DedupStore`] when several instances receive events.
///
/// It forgets an applied event after the retention, or earlier when more than `capacity` events
/// were applied since (oldest first): past that point a redelivery or a replay of the event reaches
/// the handler again. With the defaults that takes over 100,000 events within the 48-hour
/// COINQVEST window (about 0.6 per second, all of them signed by the provider).
#[derive(Debug)]
pub struct MemoryStore {
    inner: Mutex<Memory>,
    capacity: usize,
    retention: Duration,
    lease: Duration,
}

#[derive(Debug, Default)]
struct Memory {
    /// event key → claimed (until the lease ends) or applied (until it expires)
    events: HashMap<String, Entry>,
    /// object key → expiry of its recorded terminal state
    terminal: HashMap<String, OffsetDateTime>,
    /// applied event keys with their expiry, oldest first
    applied: VecDeque<(String, OffsetDateTime)>,
    /// terminal object keys with their expiry, oldest first
    terminals: VecDeque<(String, OffsetDateTime)>,
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    Claimed { lease_until: OffsetDateTime },
    Applied { expires: OffsetDateTime },
}

/// Errors of [`MemoryStore`] (none can happen; the type exists for the trait).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("memory store error")]
pub struct MemoryStoreError;

impl MemoryStore {
    /// Up to [`DEFAULT_CAPACITY`] remembered events for [`DEFAULT_RETENTION`]; a claim is held for
    /// at most [`DEFAULT_LEASE`].
    pub fn new() -> Self {
        Self::with_limits(DEFAULT_CAPACITY, DEFAULT_RETENTION, DEFAULT_LEASE)
    }

    /// A store remembering at most `capacity` applied events (and as many objects' final states)
    /// for `retention`, with claims expiring after `lease` (a handler that hangs longer lets a
    /// redelivery through). Keep `retention` longer than the provider's redelivery window.
    pub fn with_limits(capacity: usize, retention: Duration, lease: Duration) -> Self {
        Self {
            inner: Mutex::new(Memory::default()),
            capacity: capacity.max(1),
            retention,
            lease,
        }
    }

    /// How long an applied event is remembered.
    pub fn retention(&self) -> Duration {
        self.retention
    }

    /// The number of events remembered as applied.
    pub fn applied_len(&self) -> usize {
        let memory = self.lock();
        memory
            .events
            .values()
            .filter(|e| matches!(e, Entry::Applied { .. }))
            .count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets what expired, and the oldest entries beyond the capacity.
    fn evict(&self, memory: &mut Memory, now: OffsetDateTime) {
        let Memory {
            events,
            terminal,
            applied,
            terminals,
        } = memory;
        trim(applied, self.capacity, now, |key, expires| {
            // Only the entry this record made (a key applied again later has a later expiry).
            if matches!(events.get(key), Some(Entry::Applied { expires: e }) if *e == expires) {
                events.remove(key);
            }
        });
        trim(terminals, self.capacity, now, |key, expires| {
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

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl DedupStore for MemoryStore {
    type Error = MemoryStoreError;

    async fn claim(
        &self,
        event: &EventIdentity,
        now: OffsetDateTime,
    ) -> Result<Claim, Self::Error> {
        let mut memory = self.lock();
        self.evict(&mut memory, now);
        let key = event.event_key();
        match memory.events.get(&key) {
            Some(Entry::Applied { expires }) if *expires > now => return Ok(Claim::Duplicate),
            Some(Entry::Claimed { lease_until }) if *lease_until > now => {
                return Ok(Claim::InProgress);
            }
            _ => {}
        }
        if event.finality == Finality::Intermediate
            && memory
                .terminal
                .get(&event.object_key())
                .is_some_and(|expires| *expires > now)
        {
            return Ok(Claim::Stale);
        }
        memory.events.insert(
            key,
            Entry::Claimed {
                lease_until: now + self.lease,
            },
        );
        Ok(Claim::Proceed)
    }

    async fn complete(
        &self,
        event: &EventIdentity,
        now: OffsetDateTime,
    ) -> Result<(), Self::Error> {
        let mut memory = self.lock();
        let expires = now + self.retention;
        let key = event.event_key();
        memory
            .events
            .insert(key.clone(), Entry::Applied { expires });
        memory.applied.push_back((key, expires));
        if event.finality == Finality::Terminal {
            let object = event.object_key();
            memory.terminal.insert(object.clone(), expires);
            memory.terminals.push_back((object, expires));
        }
        self.evict(&mut memory, now);
        Ok(())
    }

    async fn release(&self, event: &EventIdentity) -> Result<(), Self::Error> {
        let mut memory = self.lock();
        let key = event.event_key();
        if matches!(memory.events.get(&key), Some(Entry::Claimed { .. })) {
            memory.events.remove(&key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::error::Provider;
    use time::macros::datetime;

    fn event(id: &str, status: &str, finality: Finality) -> EventIdentity {
        EventIdentity {
            provider: Provider::Coinqvest,
            kind: "payment".into(),
            object_id: id.into(),
            status: status.into(),
            finality,
        }
    }

    fn block<F: Future>(f: F) -> F::Output {
        // The memory store's futures complete on first poll.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => unreachable!("memory store never waits"),
        }
    }

    const T0: OffsetDateTime = datetime!(2024-01-01 0:00 UTC);

    #[test]
    fn claim_complete_duplicate() {
        let store = MemoryStore::new();
        let e = event("a", "RESOLVED", Finality::Terminal);
        assert_eq!(block(store.claim(&e, T0)).unwrap(), Claim::Proceed);
        assert_eq!(block(store.claim(&e, T0)).unwrap(), Claim::InProgress);
        block(store.complete(&e, T0)).unwrap();
        assert_eq!(block(store.claim(&e, T0)).unwrap(), Claim::Duplicate);
    }

    #[test]
    fn release_lets_a_retry_through() {
        let store = MemoryStore::new();
        let e = event("a", "RESOLVED", Finality::Terminal);
        assert_eq!(block(store.claim(&e, T0)).unwrap(), Claim::Proceed);
        block(store.release(&e)).unwrap();
        assert_eq!(block(store.claim(&e, T0)).unwrap(), Claim::Proceed);
    }

    #[test]
    fn lease_expires() {
        let store = MemoryStore::with_limits(10, Duration::days(1), Duration::minutes(5));
        let e = event("a", "RESOLVED", Finality::Terminal);
        assert_eq!(block(store.claim(&e, T0)).unwrap(), Claim::Proceed);
        assert_eq!(
            block(store.claim(&e, T0 + Duration::minutes(6))).unwrap(),
            Claim::Proceed
        );
    }

    #[test]
    fn terminal_is_never_regressed() {
        let store = MemoryStore::new();
        let done = event("p", "RESOLVED", Finality::Terminal);
        block(store.claim(&done, T0)).unwrap();
        block(store.complete(&done, T0)).unwrap();
        let late = event("p", "UNRESOLVED", Finality::Intermediate);
        assert_eq!(block(store.claim(&late, T0)).unwrap(), Claim::Stale);
        let unknown = event("p", "SOMETHING_NEW", Finality::Unknown);
        assert_eq!(block(store.claim(&unknown, T0)).unwrap(), Claim::Proceed);
    }

    #[test]
    fn capacity_counts_events_and_keeps_the_latest_final_state() {
        let store = MemoryStore::with_limits(3, Duration::hours(1), Duration::minutes(1));
        for i in 0..10 {
            let e = event(&i.to_string(), "RESOLVED", Finality::Terminal);
            block(store.claim(&e, T0)).unwrap();
            block(store.complete(&e, T0)).unwrap();
        }
        // Three events (not one and a half): a terminal one is not counted twice.
        assert_eq!(store.applied_len(), 3);
        let late = event("9", "UNRESOLVED", Finality::Intermediate);
        assert_eq!(block(store.claim(&late, T0)).unwrap(), Claim::Stale);
        // An object with two final events keeps its final state when the older record goes.
        let store = MemoryStore::with_limits(2, Duration::hours(1), Duration::minutes(1));
        let apply = |id: &str, status: &str, at: OffsetDateTime| {
            let e = event(id, status, Finality::Terminal);
            block(store.claim(&e, at)).unwrap();
            block(store.complete(&e, at)).unwrap();
        };
        apply("p", "RESOLVED", T0);
        apply("p", "COMPLETED", T0 + Duration::minutes(10));
        apply("q", "RESOLVED", T0 + Duration::minutes(20));
        let late = event("p", "UNRESOLVED", Finality::Intermediate);
        assert_eq!(
            block(store.claim(&late, T0 + Duration::minutes(30))).unwrap(),
            Claim::Stale
        );
    }

    #[test]
    fn bounded_and_expiring() {
        let store = MemoryStore::with_limits(3, Duration::hours(1), Duration::minutes(1));
        for i in 0..10 {
            let e = event(&i.to_string(), "X", Finality::Unknown);
            block(store.claim(&e, T0)).unwrap();
            block(store.complete(&e, T0)).unwrap();
        }
        assert_eq!(store.applied_len(), 3);
        let e = event("9", "X", Finality::Unknown);
        assert_eq!(block(store.claim(&e, T0)).unwrap(), Claim::Duplicate);
        assert_eq!(
            block(store.claim(&e, T0 + Duration::hours(2))).unwrap(),
            Claim::Proceed
        );
    }
}
