//! Webhook deduplication: the store that makes a redelivered event reach the handler once, across
//! every instance sharing the store.
//!
//! # Contract
//!
//! A receiver calls, for each verified delivery:
//! 1. [`DedupStore::claim`]: atomically decide. [`Claim::Duplicate`] if this exact event
//!    ([`DedupKey::event`]) was completed (and is still retained); [`Claim::InProgress`] if another
//!    delivery of it holds an unexpired claim; [`Claim::Stale`] if the object ([`DedupKey::object`])
//!    already completed a [`Finality::Terminal`] event and this one is [`Finality::Intermediate`];
//!    otherwise record a claim with a lease ([`DedupPolicy::lease`]) and answer [`Claim::Proceed`].
//! 2. After the handler succeeded, [`DedupStore::complete`]: record the event as applied for
//!    [`DedupPolicy::retention`] (and, if terminal, the object's terminal state).
//! 3. After the handler failed, [`DedupStore::release`]: drop the claim so the provider's next retry
//!    proceeds.
//!
//! Leases and retention run on the store's clock. A crash between the handler and `complete` makes
//! the provider redeliver once the lease expires and the handler run again (at-least-once); apply
//! the handler's own writes idempotently.

use std::future::Future;
use std::time::Duration;

use crate::error::StoreError;

pub use pay_core::event::Finality;

/// What a delivery is deduplicated by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DedupKey<'a> {
    /// This exact event (provider, kind, object id, status).
    pub event: &'a str,
    /// The object it is about (provider, kind, object id).
    pub object: &'a str,
    /// Whether the event's status is final.
    pub finality: Finality,
}

/// The store's decision for one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// New: call the handler.
    Proceed,
    /// Already applied: acknowledge without calling the handler.
    Duplicate,
    /// Would replace a final status with an intermediate one: acknowledge without calling the
    /// handler.
    Stale,
    /// Another delivery of the same event is being handled: ask the provider to retry later.
    InProgress,
}

/// How long claims and applied events are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DedupPolicy {
    /// How long a claim holds: a handler that hangs longer lets a redelivery through.
    pub lease: Duration,
    /// How long an applied event (and an object's terminal state) is remembered: longer than the
    /// providers redeliver (Qostiq one day, COINQVEST 48 hours).
    pub retention: Duration,
}

impl Default for DedupPolicy {
    /// Claims held 5 minutes, applied events remembered 7 days.
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(5 * 60),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Where deduplication state lives. See the [module documentation](self) for the contract.
pub trait DedupStore: Send + Sync + 'static {
    /// Atomically decides what to do with a delivery and, on [`Claim::Proceed`], claims it.
    fn claim(&self, key: &DedupKey<'_>) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Records the event as applied.
    fn complete(&self, key: &DedupKey<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Drops the claim of an event whose handler failed (an applied event stays applied).
    fn release(&self, key: &DedupKey<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;
}
