//! Fault-schedule runs behind `cargo xtask faults`: random fault schedules per fault class against the
//! real clients, over loopback HTTP, checking every outcome against the server's own books.
//!
//! * A payout is **duplicated** if the server has two for one intent.
//! * A payout is **lost** if the client said nothing exists (refused, not sent) but the server has
//!   it, or said it exists and the server has none.
//! * An outcome is **wrong** if it contradicts the server's books in any way: it says the payout
//!   exists and the server has none, or not this one (it adopted someone else's payout: another
//!   id, amount or account); or it says nothing exists (`refused`, `not_sent`) while the server has
//!   it. (A lost payout is also wrong.)
//! * **unknown** and **conflict** outcomes claim neither: they are allowed and counted (a conflict
//!   is the expected answer when the server shows another payout under the id).
//!
//! The classes are pay-sandbox's fault vocabulary ([`FaultClass`]): the same names as the
//! sandbox's admin API and its scripted server.

pub mod coinqvest;
pub mod qostiq;

pub use pay_sandbox::FaultClass;

use std::fmt;
use std::time::Duration;

use pay_transport::floors::Floors;
use pay_transport::{ExecutorBuilder, RetryPolicy};

/// The executor settings of a fault or crash run: `attempt_timeout`, a tiny backoff (the runs are
/// about what is sent again, not when), the sandbox's zero polling floors, jitter from `seed`.
pub(crate) fn run_executor<S>(
    executor: ExecutorBuilder<S>,
    attempt_timeout: Duration,
    seed: u64,
) -> ExecutorBuilder<S> {
    executor
        .attempt_timeout(attempt_timeout)
        .retry_policy(
            RetryPolicy::standard()
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
                .with_max_retry_after(Duration::from_millis(10)),
        )
        .floors(Floors::below_provider_minimums_for_sandbox(Duration::ZERO))
        .rng_seed(seed)
}

/// The seed-mixing index of a class: its place in [`FaultClass::ALL`] (report order).
pub(crate) fn class_index(class: FaultClass) -> u64 {
    FaultClass::ALL
        .iter()
        .position(|c| *c == class)
        .map_or(u64::MAX, |i| i as u64)
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
    /// Intents the client reported as a conflict (another payout under the id).
    pub conflicts: u64,
    /// Intents with two or more payouts on the server.
    pub duplicates: u64,
    /// Intents the client reported as failed that the server has (or the other way round).
    pub lost: u64,
    /// Outcomes that contradict the server's books (see the module docs).
    pub wrong: u64,
}

impl ClassReport {
    /// Adds another report's counts.
    pub fn merge(&mut self, other: Self) {
        self.iterations += other.iterations;
        self.created += other.created;
        self.refused += other.refused;
        self.unknown += other.unknown;
        self.conflicts += other.conflicts;
        self.duplicates += other.duplicates;
        self.lost += other.lost;
        self.wrong += other.wrong;
    }

    /// Whether nothing went wrong: no duplicate, no lost payout, no outcome against the books.
    pub fn is_clean(&self) -> bool {
        self.duplicates == 0 && self.lost == 0 && self.wrong == 0
    }

    /// Every count with the name the runner prints it under, in report order.
    pub fn counts(&self) -> [(&'static str, u64); 8] {
        [
            ("iterations", self.iterations),
            ("created", self.created),
            ("refused", self.refused),
            ("unknown", self.unknown),
            ("conflict", self.conflicts),
            ("duplicates", self.duplicates),
            ("lost", self.lost),
            ("wrong", self.wrong),
        ]
    }
}

/// `iterations=… created=… refused=… unknown=… conflict=… duplicates=… lost=… wrong=…`.
impl fmt::Display for ClassReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, count)) in self.counts().into_iter().enumerate() {
            let separator = if i == 0 { "" } else { " " };
            write!(f, "{separator}{name}={count}")?;
        }
        Ok(())
    }
}

/// What a client said about one intent, against what the server's books hold for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judged {
    /// `Some(true)` exists, `Some(false)` does not, `None` unknown or conflict.
    pub said_exists: Option<bool>,
    /// Whether the client said conflict.
    pub conflict: bool,
    /// Whether the payout the client reported (if any) is the server's payout of this intent.
    pub reported_is_the_servers: bool,
    /// How many payouts of this intent the server holds.
    pub on_server: u64,
}

impl Judged {
    /// The report of one intent.
    pub fn report(self) -> ClassReport {
        let mut r = ClassReport {
            iterations: 1,
            duplicates: u64::from(self.on_server >= 2),
            ..ClassReport::default()
        };
        match self.said_exists {
            Some(true) => {
                r.created = 1;
                r.lost = u64::from(self.on_server == 0);
                r.wrong = u64::from(self.on_server == 0 || !self.reported_is_the_servers);
            }
            Some(false) => {
                r.refused = 1;
                r.lost = u64::from(self.on_server > 0);
                r.wrong = r.lost;
            }
            None if self.conflict => r.conflicts = 1,
            None => r.unknown = 1,
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgement_table() {
        let j = |said_exists, conflict, reported_is_the_servers, on_server| Judged {
            said_exists,
            conflict,
            reported_is_the_servers,
            on_server,
        };
        // (judged, [created, refused, unknown, conflicts, duplicates, lost, wrong])
        let cases = [
            (j(Some(true), false, true, 1), [1, 0, 0, 0, 0, 0, 0]),
            // Adopted someone else's payout.
            (j(Some(true), false, false, 1), [1, 0, 0, 0, 0, 0, 1]),
            (j(Some(true), false, false, 0), [1, 0, 0, 0, 0, 1, 1]),
            (j(Some(false), false, false, 0), [0, 1, 0, 0, 0, 0, 0]),
            // "Refused" while it exists.
            (j(Some(false), false, false, 1), [0, 1, 0, 0, 0, 1, 1]),
            (j(None, false, false, 1), [0, 0, 1, 0, 0, 0, 0]),
            (j(None, true, false, 0), [0, 0, 0, 1, 0, 0, 0]),
            (j(Some(true), false, true, 2), [1, 0, 0, 0, 1, 0, 0]),
        ];
        for (judged, expected) in cases {
            let r = judged.report();
            let counts: Vec<u64> = r.counts().iter().skip(1).map(|(_, n)| *n).collect();
            assert_eq!(r.iterations, 1, "{judged:?}");
            assert_eq!(counts, expected, "{judged:?}");
            assert_eq!(r.is_clean(), expected[4] + expected[5] + expected[6] == 0);
        }
    }
}
