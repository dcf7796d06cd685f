//! Fault injection around any [`IntentJournal`]: [`Interposed`] runs a [`WriteHook`] before and
//! after every write, naming the write and its arguments, so a test can fail a write (the database
//! is down), stop the process at a chosen point (a crash between the journal and the network), or
//! count writes, and check that its own crash handling never loses or repeats a payout.
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::time::Duration;
//! use pay_core::error::Provider;
//! use pay_store::interpose::{Interposed, Write, WriteHook};
//! use pay_store::{IntentJournal, IntentKey, MemoryStore, OwnerId, StoreError};
//! use serde_json::json;
//!
//! /// The database goes down once `healthy` writes succeeded.
//! struct DownAfter(AtomicUsize);
//!
//! impl WriteHook for DownAfter {
//!     async fn before(&self, _write: &Write<'_>) -> Result<(), StoreError> {
//!         let healthy = self.0.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
//!         healthy.map(drop).map_err(|_| StoreError::Unavailable("the database is down".into()))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let store = Interposed::new(MemoryStore::new(), DownAfter(AtomicUsize::new(1)));
//! let me = OwnerId::unique("worker");
//! let key = |id| IntentKey::new(Provider::Qostiq, "withdraw", id);
//! let lease = Duration::from_secs(60);
//! assert!(store.begin(&key("order-1"), &json!({}), &me, lease).await.is_ok());
//! let down = store.begin(&key("order-2"), &json!({}), &me, lease).await;
//! assert!(matches!(down, Err(StoreError::Unavailable(_))));
//! # }
//! ```

use std::future::Future;
use std::time::Duration;

use pay_core::error::Provider;
use serde_json::Value;

use crate::StoreError;
use crate::journal::{
    Begin, Claimed, Evidence, EvidenceKind, Intent, IntentClaim, IntentJournal, IntentKey,
    IntentRecord, Lease, Listing, Outcome, OwnerId,
};

/// One write to an [`IntentJournal`], with the arguments it was called with. Reads (`get`, `list`)
/// are not writes and pass through unhooked.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Write<'a> {
    /// [`IntentJournal::begin`].
    Begin {
        /// The intent.
        key: &'a IntentKey,
        /// The caller's JSON.
        payload: &'a Value,
    },
    /// [`IntentJournal::claim_intent`].
    ClaimIntent {
        /// The intent.
        key: &'a IntentKey,
    },
    /// [`IntentJournal::claim_due`].
    ClaimDue {
        /// At most this many.
        limit: u32,
        /// Only this provider's, when given.
        provider: Option<Provider>,
    },
    /// [`IntentJournal::reopen`].
    Reopen {
        /// The intent.
        key: &'a IntentKey,
        /// The final outcomes that may be reopened.
        reopenable: &'a [&'a str],
    },
    /// [`IntentJournal::renew`].
    Renew {
        /// The lease renewed.
        lease: &'a Lease,
    },
    /// [`IntentJournal::record`].
    Record {
        /// The lease written under.
        lease: &'a Lease,
        /// What the evidence is.
        kind: EvidenceKind,
        /// The evidence.
        data: &'a Value,
    },
    /// [`IntentJournal::finish`].
    Finish {
        /// The lease written under.
        lease: &'a Lease,
        /// The final outcome.
        outcome: &'a Outcome,
    },
    /// [`IntentJournal::mark_unknown`].
    MarkUnknown {
        /// The lease ended.
        lease: &'a Lease,
    },
    /// [`IntentJournal::release_lease`].
    ReleaseLease {
        /// The lease ended.
        lease: &'a Lease,
    },
}

impl Write<'_> {
    /// The name of the [`IntentJournal`] method, e.g. `"record"`.
    pub fn name(&self) -> &'static str {
        match self {
            Write::Begin { .. } => "begin",
            Write::ClaimIntent { .. } => "claim_intent",
            Write::ClaimDue { .. } => "claim_due",
            Write::Reopen { .. } => "reopen",
            Write::Renew { .. } => "renew",
            Write::Record { .. } => "record",
            Write::Finish { .. } => "finish",
            Write::MarkUnknown { .. } => "mark_unknown",
            Write::ReleaseLease { .. } => "release_lease",
        }
    }
}

/// What [`Interposed`] runs around each write.
pub trait WriteHook: Send + Sync + 'static {
    /// Runs before the write; an error is returned instead of writing (nothing is written). A
    /// future that never completes stops the caller here, as a crash would.
    fn before(&self, write: &Write<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Runs after the write succeeded (not after a failed one). Provided: nothing.
    fn after(&self, write: &Write<'_>) -> impl Future<Output = ()> + Send {
        let _ = write;
        async {}
    }
}

/// An [`IntentJournal`] that runs `hook` around every write to `inner` (see the module docs).
#[derive(Debug, Clone)]
pub struct Interposed<S, H> {
    inner: S,
    hook: H,
}

impl<S: IntentJournal, H: WriteHook> Interposed<S, H> {
    /// `inner`, with `hook` around each write.
    pub fn new(inner: S, hook: H) -> Self {
        Self { inner, hook }
    }

    /// The store written to.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The hook.
    pub fn hook(&self) -> &H {
        &self.hook
    }

    /// `write` through the hook: `before`, then `run`, then (on success) `after`.
    async fn hooked<T>(
        &self,
        write: Write<'_>,
        run: impl Future<Output = Result<T, StoreError>> + Send,
    ) -> Result<T, StoreError> {
        self.hook.before(&write).await?;
        let written = run.await?;
        self.hook.after(&write).await;
        Ok(written)
    }
}

impl<S: IntentJournal, H: WriteHook> IntentJournal for Interposed<S, H> {
    async fn begin(
        &self,
        key: &IntentKey,
        payload: &Value,
        owner: &OwnerId,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        let run = self.inner.begin(key, payload, owner, lease);
        self.hooked(Write::Begin { key, payload }, run).await
    }

    async fn get(&self, key: &IntentKey) -> Result<Option<IntentRecord>, StoreError> {
        self.inner.get(key).await
    }

    async fn claim_intent(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
    ) -> Result<IntentClaim, StoreError> {
        let run = self.inner.claim_intent(key, owner, lease);
        self.hooked(Write::ClaimIntent { key }, run).await
    }

    async fn claim_due(
        &self,
        owner: &OwnerId,
        lease: Duration,
        limit: u32,
        provider: Option<Provider>,
    ) -> Result<Vec<Claimed>, StoreError> {
        let run = self.inner.claim_due(owner, lease, limit, provider);
        self.hooked(Write::ClaimDue { limit, provider }, run).await
    }

    async fn reopen(
        &self,
        key: &IntentKey,
        owner: &OwnerId,
        lease: Duration,
        reopenable: &[&str],
    ) -> Result<IntentClaim, StoreError> {
        let run = self.inner.reopen(key, owner, lease, reopenable);
        self.hooked(Write::Reopen { key, reopenable }, run).await
    }

    async fn renew(&self, lease: &Lease, duration: Duration) -> Result<Lease, StoreError> {
        let run = self.inner.renew(lease, duration);
        self.hooked(Write::Renew { lease }, run).await
    }

    async fn record(
        &self,
        lease: &Lease,
        kind: EvidenceKind,
        data: &Value,
    ) -> Result<Evidence, StoreError> {
        let run = self.inner.record(lease, kind, data);
        self.hooked(Write::Record { lease, kind, data }, run).await
    }

    async fn finish(&self, lease: &Lease, outcome: &Outcome) -> Result<(), StoreError> {
        let run = self.inner.finish(lease, outcome);
        self.hooked(Write::Finish { lease, outcome }, run).await
    }

    async fn mark_unknown(&self, lease: &Lease, retry_after: Duration) -> Result<(), StoreError> {
        let run = self.inner.mark_unknown(lease, retry_after);
        self.hooked(Write::MarkUnknown { lease }, run).await
    }

    async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        let run = self.inner.release_lease(lease);
        self.hooked(Write::ReleaseLease { lease }, run).await
    }

    async fn list(&self, listing: Listing, limit: u32) -> Result<Vec<Intent>, StoreError> {
        self.inner.list(listing, limit).await
    }
}
