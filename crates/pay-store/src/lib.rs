//! # pay-store
//!
//! Durable state shared by pay-rs instances, behind three small async traits:
//!
//! * [`IntentJournal`]: each payout intent is written *before* it is sent, with every attempt,
//!   lookup and the final outcome; a lease with fencing lets one instance at a time drive it.
//! * [`DedupStore`]: webhook deduplication (claim, complete, release; a final status is never
//!   replaced by an intermediate one).
//! * [`PollTurns`]: polling floors kept across every instance, on the store's clock.
//!
//! Backends, each implementing all three:
//!
//! | backend | for | feature |
//! |---|---|---|
//! | [`MemoryStore`] | tests, one process that may forget on restart | always |
//! | `SqliteStore` | one machine: a file (WAL, `synchronous=FULL`), several processes | `sqlite` (default) |
//! | `PostgresStore` | many instances: a pool, `FOR UPDATE SKIP LOCKED`, the server's clock | `postgres` |
//!
//! [`StoreConfig`] parses `memory:`, `sqlite:PATH` or `postgres://…` and [`StoreConfig::open`]
//! creates or migrates the schema, giving a [`Store`] that dispatches to the backend.
//!
//! ```
//! use std::time::Duration;
//! use pay_core::error::Provider;
//! use pay_store::{Begin, EvidenceKind, IntentJournal, IntentKey, Outcome, OwnerId, StoreConfig};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), pay_store::StoreError> {
//! let store = "memory:".parse::<StoreConfig>()?.open().await?;
//! let me = OwnerId::unique("worker");
//! let key = IntentKey::new(Provider::Qostiq, "withdraw", "order-1001");
//! let payload = json!({"amount": "10.00", "currency": "USD", "account": "…"});
//!
//! // Journal first; send only what was just created.
//! let Begin::Created(lease) = store.begin(&key, &payload, &me, Duration::from_secs(60)).await? else {
//!     unreachable!("a fresh key");
//! };
//! store.record(&lease, EvidenceKind::Attempt, &json!({"attempt": 1})).await?;
//! // … send, look up …
//! store.finish(&lease, &Outcome { name: "paid".into(), detail: json!({"payment_id": 149}) }).await?;
//!
//! // A second begin of the same key never makes a second intent.
//! assert!(matches!(store.begin(&key, &payload, &me, Duration::from_secs(60)).await?, Begin::Existing(_)));
//! # Ok(()) }
//! ```
//!
//! A recovery loop on any instance takes the work nobody holds — intents whose process died, or
//! that were marked unknown and are due again — and resumes each from its evidence. Concurrent
//! instances get disjoint sets; a lease that expires and is claimed elsewhere fences its old
//! holder off ([`StoreError::LeaseLost`]).
//!
//! ```
//! use std::time::Duration;
//! use pay_store::{IntentJournal, OwnerId, Store, StoreError};
//!
//! async fn recover(store: &Store, me: &OwnerId) -> Result<(), StoreError> {
//!     for claimed in store.claim_due(me, Duration::from_secs(60), 10, None).await? {
//!         // … look the payout up by its id, knowing its attempts from `claimed.record.evidence`
//!         // (never re-send blindly), then `finish` with the outcome, or try again later:
//!         store.mark_unknown(&claimed.lease, Duration::from_secs(300)).await?;
//!     }
//!     Ok(())
//! }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), StoreError> {
//! # let store = "memory:".parse::<pay_store::StoreConfig>()?.open().await?;
//! # recover(&store, &OwnerId::unique("worker")).await
//! # }
//! ```
//!
//! To test crash handling, [`interpose::Interposed`] wraps any journal with a hook run around each
//! write (fail it, or stop the process there).
//!
//! Durability, what survives what, and how to operate each backend: `docs/reliability.md`,
//! section "Durable state (pay-store)".

mod config;
pub mod dedup;
mod error;
pub mod interpose;
pub mod journal;
pub mod memory;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod turns;

pub use config::{Store, StoreConfig};
pub use dedup::{Claim, DedupKey, DedupPolicy, DedupStore, Finality};
pub use error::StoreError;
pub use journal::{
    Begin, Claimed, Evidence, EvidenceKind, Intent, IntentClaim, IntentJournal, IntentKey,
    IntentRecord, IntentState, Lease, LeaseInfo, Listing, Outcome, OwnerId,
};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use turns::{PollKey, PollTurns, Turn};
