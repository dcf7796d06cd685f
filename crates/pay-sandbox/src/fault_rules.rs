//! The emulator's fault rules (`POST /admin/faults`): which fault the next N matching requests
//! meet, or each one with a seeded probability.

use crate::faults::Fault;
use crate::json::{Json, integer, object, optional_string, string};
use crate::rng::Rng;

/// One injected rule.
#[derive(Debug, Clone)]
struct FaultRule {
    id: u64,
    /// An exact path (`/qostiq/withdraw/create`), a prefix ending in `*`, or `*`.
    route: String,
    /// Only this method (upper case), when set.
    method: Option<String>,
    fault: Fault,
    /// Requests left to fault (`None`: unlimited, with `probability_ppm`).
    remaining: Option<u64>,
    /// Probability per matching request in parts per million (`None`: always).
    probability_ppm: Option<u32>,
    /// Requests faulted so far.
    hits: u64,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let route_ok = match self.route.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.route == path,
        };
        route_ok && self.method.as_deref().is_none_or(|m| m == method)
    }

    /// The rule as the admin API lists it.
    fn to_json(&self) -> Json {
        let mut rule = object([
            ("id", integer(self.id)),
            ("route", string(&self.route)),
            ("method", optional_string(self.method.as_deref())),
            ("fault", string(self.fault.class().name())),
            ("remaining", self.remaining.map_or(Json::Null, integer)),
            (
                "probability_ppm",
                self.probability_ppm.map_or(Json::Null, integer),
            ),
            ("hits", integer(self.hits)),
        ]);
        let millis = |d: &std::time::Duration| integer(i128::try_from(d.as_millis()).unwrap_or(0));
        match &self.fault {
            Fault::CommitThenDelay(delay) => rule.set("delay_ms", millis(delay)),
            Fault::HeldThenCommit(hold) | Fault::RecreateRefusedInFlight(hold) => {
                rule.set("hold_ms", millis(hold));
            }
            Fault::Status5xx { status, applied } => {
                rule.set("status", integer(status.as_u16()));
                if *applied {
                    rule.set("applied", Json::Bool(true));
                }
            }
            Fault::Status429 { retry_after_secs } => {
                rule.set("retry_after", integer(*retry_after_secs));
            }
            _ => {}
        }
        rule
    }
}

/// A new rule: where, which fault, how often.
#[derive(Debug, Clone)]
pub(crate) struct NewRule {
    /// An exact path, a prefix ending in `*`, or `*`.
    pub(crate) route: String,
    /// Only this method (upper case), when set.
    pub(crate) method: Option<String>,
    /// The fault.
    pub(crate) fault: Fault,
    /// Fault the next `count` matching requests.
    pub(crate) count: Option<u64>,
    /// Fault each matching request with this probability (parts per million).
    pub(crate) probability_ppm: Option<u32>,
}

/// The rule set, with its own seeded generator (so faults never shift the books' ids).
#[derive(Debug)]
pub(crate) struct FaultRules {
    rules: Vec<FaultRule>,
    rng: Rng,
    next_id: u64,
}

impl FaultRules {
    /// No rules; probabilities drawn from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rules: Vec::new(),
            rng: Rng::new(seed ^ 0xFA17_FA17_FA17_FA17),
            next_id: 1,
        }
    }

    /// Adds a rule; answers its id. Neither a count nor a probability: the next request only.
    pub(crate) fn add(&mut self, rule: NewRule) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let remaining = match (rule.count, rule.probability_ppm) {
            (None, None) => Some(1),
            (count, _) => count,
        };
        self.rules.push(FaultRule {
            id,
            route: rule.route,
            method: rule.method,
            fault: rule.fault,
            remaining,
            probability_ppm: rule.probability_ppm,
            hits: 0,
        });
        id
    }

    /// Removes every rule.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules as the admin API lists them.
    pub(crate) fn to_json(&self) -> Json {
        Json::Array(self.rules.iter().map(FaultRule::to_json).collect())
    }

    /// The fault this request meets, if a rule fires (which uses up one of its count).
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
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
            return Some(rule.fault.clone());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(route: &str, fault: Fault, count: Option<u64>, ppm: Option<u32>) -> NewRule {
        NewRule {
            route: route.into(),
            method: None,
            fault,
            count,
            probability_ppm: ppm,
        }
    }

    #[test]
    fn counts_and_probabilities() {
        let mut rules = FaultRules::new(1);
        rules.add(rule("/q/*", Fault::CommitThenDrop, Some(2), None));
        assert_eq!(rules.take("POST", "/q/a"), Some(Fault::CommitThenDrop));
        assert_eq!(rules.take("POST", "/x"), None);
        assert_eq!(rules.take("GET", "/q/b"), Some(Fault::CommitThenDrop));
        assert_eq!(rules.take("POST", "/q/a"), None);
        rules.clear();
        rules.add(rule("*", Fault::ResetBeforeCommit, None, Some(500_000)));
        let hits = (0..1000)
            .filter(|_| rules.take("GET", "/p").is_some())
            .count();
        assert!((400..600).contains(&hits), "{hits}");
    }

    #[test]
    fn a_rule_without_count_or_probability_faults_the_next_request_only() {
        let mut rules = FaultRules::new(1);
        rules.add(rule("*", Fault::LookupMismatch, None, None));
        assert_eq!(rules.take("GET", "/a"), Some(Fault::LookupMismatch));
        assert_eq!(rules.take("GET", "/a"), None);
    }
}
