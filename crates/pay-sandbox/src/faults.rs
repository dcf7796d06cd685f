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
//! | `held_then_commit` | yes, after `hold_ms` (default 1000), even if the client has gone | the answer after the hold: a request still executing when the client looks it up |
//! | `recreate_refused_in_flight` | yes, after `hold_ms` | as `held_then_commit`; meanwhile every other request to the route is refused (Qostiq `error_code` 5 "insufficient funds", COINQVEST 400 "Withdrawal is PROCESSING") |
//! | `lookup_other_payout` | — (a lookup) | another payout than the one asked for (the latest other one in the books; the normal answer if there is none) |
//! | `lookup_mismatch` | — (a lookup) | the asked payout with every amount raised by 1 and its account changed |
//! | `id_reused` | yes (the request itself then meets the duplicate) | Qostiq creates: an earlier payout under the same `shop_payment_id` (amount + 1, another account) is booked first, so the request is refused with `error_code` 6 |
//!
//! The names are the ones `pay_transport::testing::Fault::name` gives its faults (the COINQVEST
//! side of the fault runner), which also has `already_completed`; the sandbox needs no such fault:
//! its COINQVEST commit refuses a committed withdrawal by itself.

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
    /// Hold, then apply and answer (past the client's timeout).
    HeldThenCommit {
        /// Hold in milliseconds.
        hold_ms: u64,
    },
    /// Hold, then apply and answer; meanwhile refuse every other request to the route.
    RecreateRefusedInFlight {
        /// Hold in milliseconds.
        hold_ms: u64,
    },
    /// A lookup answers another payout.
    LookupOtherPayout,
    /// A lookup answers the asked payout with other amounts and account.
    LookupMismatch,
    /// A create meets an earlier payout booked under its id with other terms.
    IdReused,
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
            Self::HeldThenCommit { .. } => "held_then_commit",
            Self::RecreateRefusedInFlight { .. } => "recreate_refused_in_flight",
            Self::LookupOtherPayout => "lookup_other_payout",
            Self::LookupMismatch => "lookup_mismatch",
            Self::IdReused => "id_reused",
        }
    }

    /// Whether the request is applied (before the fault acts, or after its hold).
    pub fn commits(&self) -> bool {
        matches!(
            self,
            Self::CommitThenDrop
                | Self::CommitThenDelay { .. }
                | Self::CommitThenTruncate
                | Self::HeldThenCommit { .. }
                | Self::RecreateRefusedInFlight { .. }
        )
    }
}

/// Amount fields a `lookup_mismatch` raises by 1 (Qostiq and COINQVEST answers).
const AMOUNT_KEYS: &[&str] = &[
    "payee_receive",
    "shop_write_off",
    "receive_amount",
    "write_off_amount",
    "payee_amount",
    "shop_amount",
    "sourceAmount",
    "targetAmount",
];

/// Account fields a `lookup_mismatch` changes.
const ACCOUNT_KEYS: &[&str] = &[
    "payee_address",
    "account",
    "address",
    "nuban",
    "iban",
    "accountNumber",
];

/// A successful lookup answer (`{"data": {…}}` for Qostiq, `{"withdrawal": {…}}` for COINQVEST)
/// with every amount raised by 1 and every account changed; `None` when the answer holds no
/// payout (a miss, a refusal).
pub(crate) fn mismatched(body: &[u8]) -> Option<String> {
    let mut answer = J::parse_object(body, crate::qostiq::REQUEST_LIMITS)?;
    let key = ["data", "withdrawal"]
        .into_iter()
        .find(|k| matches!(answer.get(k), Some(J::Obj(_))))?;
    let mut payout = answer.get(key)?.clone();
    alter(&mut payout);
    if let Some(mut account) = payout.get("targetAccount").cloned() {
        alter(&mut account);
        payout.set("targetAccount", account);
    }
    answer.set(key, payout);
    Some(answer.to_text())
}

fn alter(object: &mut J) {
    for key in AMOUNT_KEYS {
        let raised = match object.get(key) {
            Some(J::Num(t)) => raise(t).map(J::Num),
            Some(J::Str(t)) => raise(t).map(J::Str),
            _ => None,
        };
        if let Some(value) = raised {
            object.set(key, value);
        }
    }
    for key in ACCOUNT_KEYS {
        if let Some(J::Str(text)) = object.get(key) {
            let other = other_account(text);
            object.set(key, J::Str(other));
        }
    }
}

/// `text` + 1, keeping its scale (`10.0` → `11.0`, `"142.3156600"` → `"143.3156600"`).
fn raise(text: &str) -> Option<String> {
    let value: rust_decimal::Decimal = text.parse().ok()?;
    Some((value + rust_decimal::Decimal::ONE).to_string())
}

/// Another account of the same shape: the last character changed (a digit to the next digit, a
/// letter to the next letter), so it still passes the sandbox's account checks.
pub(crate) fn other_account(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
            _ => 'x',
        };
    }
    chars.into_iter().collect()
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
            FaultClass::HeldThenCommit { hold_ms }
            | FaultClass::RecreateRefusedInFlight { hold_ms } => j.set("hold_ms", int(hold_ms)),
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

    #[test]
    fn mismatched_answers_raise_amounts_and_change_accounts() {
        let qostiq = br#"{"data": {"id": 5, "payee_receive": 10.0, "payee_address": "TXyz9", "shop_payment_id": "w-1", "shop_write_off": "10.2"}, "error_code": 0, "message": "Ok", "result": true}"#;
        let out = mismatched(qostiq).unwrap();
        assert!(out.contains(r#""payee_receive":11.0"#), "{out}");
        assert!(out.contains(r#""shop_write_off":"11.2""#), "{out}");
        assert!(out.contains(r#""payee_address":"TXyz0""#), "{out}");
        assert!(out.contains(r#""shop_payment_id":"w-1""#), "{out}");
        let coinqvest = br#"{"withdrawal": {"id": "ab", "sourceAmount": "142.3156600", "targetAmount": "1.0000000", "targetAccount": {"nuban": "3080494548", "bankName": "FirstBank"}}}"#;
        let out = mismatched(coinqvest).unwrap();
        assert!(out.contains(r#""sourceAmount":"143.3156600""#), "{out}");
        assert!(out.contains(r#""nuban":"3080494549""#), "{out}");
        // A miss holds no payout: nothing to change.
        assert_eq!(
            mismatched(br#"{"data": null, "error_code": 7, "result": false}"#),
            None
        );
        assert_eq!(other_account("abcz"), "abca");
    }
}
