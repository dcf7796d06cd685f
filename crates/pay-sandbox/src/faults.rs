//! Fault injection per route: what happens to the next N matching requests (or to each with a
//! seeded probability).
//!
//! | class | applied? | what the client sees |
//! |---|---|---|
//! | `commit_then_drop` | yes | the connection closes without an answer |
//! | `commit_then_delay` | yes | the answer after `delay_ms` |
//! | `commit_then_truncate` | yes | headers with the full `Content-Length`, half the body, then the connection closes |
//! | `reset_before_commit` | no | the connection closes without an answer |
//! | `status_5xx` | no | HTTP `status` (default 503) with the provider's error body |
//! | `status_429` | no | HTTP 429 with `Retry-After: retry_after` (default 1) |

use crate::json::{J, int, obj, opt_s, s};
use crate::state::Rng;

/// A fault class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultClass {
    /// Apply, then close the connection without answering.
    CommitThenDrop,
    /// Apply, then answer after a delay.
    CommitThenDelay {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// Apply, then send a truncated body and close.
    CommitThenTruncate,
    /// Close without applying.
    ResetBeforeCommit,
    /// Answer a 5xx without applying.
    Status5xx {
        /// The status (500..=599).
        status: u16,
    },
    /// Answer 429 with `Retry-After` without applying.
    Status429 {
        /// `Retry-After` seconds.
        retry_after: u64,
    },
}

impl FaultClass {
    /// The class name used by the admin API.
    pub fn name(&self) -> &'static str {
        match self {
            Self::CommitThenDrop => "commit_then_drop",
            Self::CommitThenDelay { .. } => "commit_then_delay",
            Self::CommitThenTruncate => "commit_then_truncate",
            Self::ResetBeforeCommit => "reset_before_commit",
            Self::Status5xx { .. } => "status_5xx",
            Self::Status429 { .. } => "status_429",
        }
    }

    /// Whether the request is applied before the fault acts.
    pub fn commits(&self) -> bool {
        matches!(
            self,
            Self::CommitThenDrop | Self::CommitThenDelay { .. } | Self::CommitThenTruncate
        )
    }
}

/// One injected rule.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// Rule id.
    pub id: u64,
    /// Exact path (`/qostiq/withdraw/create`), a prefix ending in `*`, or `*`.
    pub route: String,
    /// Only this method (upper case), if set.
    pub method: Option<String>,
    /// The fault.
    pub class: FaultClass,
    /// Requests left to fault (`None`: unlimited, with `probability_ppm`).
    pub remaining: Option<u64>,
    /// Probability per matching request in parts per million (`None`: always).
    pub probability_ppm: Option<u32>,
    /// Requests faulted so far.
    pub hits: u64,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let route_ok = match self.route.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.route == path,
        };
        route_ok && self.method.as_deref().is_none_or(|m| m == method)
    }

    /// The rule as JSON.
    pub fn to_json(&self) -> J {
        let mut j = obj([
            ("id", int(self.id)),
            ("route", s(&self.route)),
            ("method", opt_s(self.method.as_deref())),
            ("fault", s(self.class.name())),
            ("remaining", self.remaining.map_or(J::Null, int)),
            ("probability_ppm", self.probability_ppm.map_or(J::Null, int)),
            ("hits", int(self.hits)),
        ]);
        match self.class {
            FaultClass::CommitThenDelay { delay_ms } => j.set("delay_ms", int(delay_ms)),
            FaultClass::Status5xx { status } => j.set("status", int(status)),
            FaultClass::Status429 { retry_after } => j.set("retry_after", int(retry_after)),
            _ => {}
        }
        j
    }
}

/// The rule set and its own seeded generator (so faults never shift the ids).
#[derive(Debug)]
pub struct Faults {
    rules: Vec<FaultRule>,
    rng: Rng,
    next_id: u64,
}

impl Faults {
    /// No rules.
    pub fn new(seed: u64) -> Self {
        Self {
            rules: Vec::new(),
            rng: Rng::new(seed ^ 0xFA17_FA17_FA17_FA17),
            next_id: 1,
        }
    }

    /// Adds a rule; returns its id.
    pub fn add(
        &mut self,
        route: String,
        method: Option<String>,
        class: FaultClass,
        count: Option<u64>,
        probability_ppm: Option<u32>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        // Neither a count nor a probability: fault the next request only.
        let remaining = match (count, probability_ppm) {
            (None, None) => Some(1),
            (c, _) => c,
        };
        self.rules.push(FaultRule {
            id,
            route,
            method,
            class,
            remaining,
            probability_ppm,
            hits: 0,
        });
        id
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules as JSON.
    pub fn to_json(&self) -> J {
        J::Arr(self.rules.iter().map(FaultRule::to_json).collect())
    }

    /// The fault for this request, if any rule fires (consumes one count).
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultClass> {
        for rule in &mut self.rules {
            if !rule.matches(method, path) || rule.remaining == Some(0) {
                continue;
            }
            if let Some(ppm) = rule.probability_ppm
                && self.rng.ppm() >= ppm
            {
                continue;
            }
            if let Some(left) = rule.remaining.as_mut() {
                *left -= 1;
            }
            rule.hits += 1;
            return Some(rule.class);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_probabilities() {
        let mut faults = Faults::new(1);
        faults.add(
            "/q/*".into(),
            None,
            FaultClass::CommitThenDrop,
            Some(2),
            None,
        );
        assert_eq!(
            faults.take("POST", "/q/a"),
            Some(FaultClass::CommitThenDrop)
        );
        assert_eq!(faults.take("POST", "/x"), None);
        assert_eq!(faults.take("GET", "/q/b"), Some(FaultClass::CommitThenDrop));
        assert_eq!(faults.take("POST", "/q/a"), None);
        faults.clear();
        faults.add(
            "*".into(),
            None,
            FaultClass::ResetBeforeCommit,
            None,
            Some(500_000),
        );
        let hits = (0..1000)
            .filter(|_| faults.take("GET", "/p").is_some())
            .count();
        assert!((400..600).contains(&hits), "{hits}");
    }
}
