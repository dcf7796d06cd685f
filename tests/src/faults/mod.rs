//! Fault-schedule runs behind `cargo xtask faults`: random fault schedules per fault class against the
//! real clients, over loopback HTTP, checking that no payout is duplicated or lost.
//!
//! * A payout is **lost** if the merchant was told it failed but the server has it.
//! * A payout is **duplicated** if the server has two for one intent.
//! * A payout is **unknown** if the client answered "outcome unknown, needs a person" (allowed, counted).

pub mod coinqvest;
pub mod qostiq;

use std::fmt;

/// The fault classes of the transport issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultClass {
    /// The server applies the request, then closes the connection without answering.
    CommitThenDrop,
    /// The server applies the request, then answers after the client's timeout.
    CommitThenDelay,
    /// The server applies the request, then sends a truncated body.
    CommitThenTruncate,
    /// The server resets the connection without applying the request.
    ResetBeforeCommit,
    /// A burst of 5xx answers (applied or not).
    Burst5xx,
    /// 429 with `Retry-After`.
    TooManyRequests,
}

impl FaultClass {
    /// Every class, in report order.
    pub const ALL: [Self; 6] = [
        Self::CommitThenDrop,
        Self::CommitThenDelay,
        Self::CommitThenTruncate,
        Self::ResetBeforeCommit,
        Self::Burst5xx,
        Self::TooManyRequests,
    ];

    /// The name printed in reports (`commit_then_drop` …).
    pub fn name(self) -> &'static str {
        match self {
            Self::CommitThenDrop => "commit_then_drop",
            Self::CommitThenDelay => "commit_then_delay",
            Self::CommitThenTruncate => "commit_then_truncate",
            Self::ResetBeforeCommit => "reset_before_commit",
            Self::Burst5xx => "5xx_burst",
            Self::TooManyRequests => "429_retry_after",
        }
    }
}

impl fmt::Display for FaultClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one provider's runs of one class produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassReport {
    /// Schedules run.
    pub iterations: u64,
    /// Intents the client reported as created (new or adopted after recovery).
    pub created: u64,
    /// Intents the client reported as refused (and the server does not have).
    pub refused: u64,
    /// Intents whose outcome the client reported as unknown (needs a person).
    pub unknown: u64,
    /// Intents with two or more payouts on the server.
    pub duplicates: u64,
    /// Intents the client reported as failed that the server has.
    pub lost: u64,
}

impl ClassReport {
    /// Adds another report's counts.
    pub fn merge(&mut self, other: Self) {
        self.iterations += other.iterations;
        self.created += other.created;
        self.refused += other.refused;
        self.unknown += other.unknown;
        self.duplicates += other.duplicates;
        self.lost += other.lost;
    }
}
