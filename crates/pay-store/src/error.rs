//! The one error type of every store.

use std::error::Error as StdError;

/// What went wrong in a store.
///
/// The wiring that drives payouts must tell three cases apart: the lease was lost
/// ([`StoreError::LeaseLost`]: stop driving this intent, another instance has it), the intent is
/// already decided ([`StoreError::AlreadyFinished`]), and the store cannot be reached
/// ([`StoreError::Unavailable`]: start no payout, since it could not be journaled).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The caller's lease is no longer valid: it was released, or it expired and another owner
    /// claimed the intent (a newer epoch). Nothing was written.
    #[error("lease on {key} lost by {owner} (epoch {epoch}): released or taken over")]
    LeaseLost {
        /// The intent (`provider/operation/id`).
        key: String,
        /// The owner that tried to write.
        owner: String,
        /// The epoch of its lease.
        epoch: u64,
    },
    /// No intent with this key is journaled.
    #[error("no intent {0} in the journal")]
    NotFound(String),
    /// The intent already has a final outcome (a different one, or recorded under another lease).
    #[error("intent {key} already finished as `{outcome}`")]
    AlreadyFinished {
        /// The intent.
        key: String,
        /// The name of the recorded outcome.
        outcome: String,
    },
    /// A malformed store URL, owner id or argument.
    #[error("invalid store argument: {0}")]
    Invalid(String),
    /// The database was migrated by a newer pay-store than this one.
    #[error("store schema is at version {found}, newer than this build knows ({known}): upgrade")]
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A stored row could not be read back (edited by hand, or written by an incompatible build).
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
    /// The store could not be reached or failed to commit. Whether the write took effect is not
    /// known; every write of this crate can be repeated safely.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] Box<dyn StdError + Send + Sync>),
}

impl StoreError {
    /// Whether the store itself failed (as opposed to a refusal the caller must act on).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn unavailable(e: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::Unavailable(e.into())
    }
}
