//! The retry policy: pure decisions (no IO, no clock, no hidden randomness) around
//! [`pay_core::retry::classify`], plus the retry budget that keeps an outage from multiplying
//! traffic.
//!
//! What may be repeated is decided by `classify` alone; this module only adds *when* (capped
//! exponential backoff with full jitter, or the server's `Retry-After`) and *whether there is budget
//! left* (max attempts, [`RetryBudget`]).
//!
//! ```
//! use std::time::Duration;
//! use http::StatusCode;
//! use pay_core::error::Delivery;
//! use pay_core::retry::{AttemptOutcome, RetryClass};
//! use pay_transport::retry::{Ending, Next, RetryCost, RetryPolicy};
//!
//! let policy = RetryPolicy::standard();
//! // A read that hit a 503 on its first attempt is retried after a jittered delay.
//! let next = policy.next(RetryClass::Safe, Some(AttemptOutcome::Response(StatusCode::SERVICE_UNAVAILABLE)), 1, None, u64::MAX);
//! assert_eq!(next, Next::Retry { delay: Duration::from_millis(500), cost: RetryCost::Standard });
//! // A payout whose answer was lost is never re-sent: it is handed to the lookup flow.
//! let lost = Some(AttemptOutcome::Failed(Delivery::MaybeSent));
//! assert_eq!(policy.next(RetryClass::RecoverByLookup, lost, 1, None, 0), Next::Stop(Ending::Recover));
//! // A connection that was refused may be repeated even for a payout: nothing left.
//! let refused = Some(AttemptOutcome::Failed(Delivery::NotSent));
//! assert!(matches!(policy.next(RetryClass::RecoverByLookup, refused, 1, None, 0), Next::Retry { .. }));
//! ```

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use http::HeaderMap;
use http::header::RETRY_AFTER;
use pay_core::error::Delivery;
use pay_core::retry::{AttemptOutcome, RetryClass, RetryDecision, classify};
use time::OffsetDateTime;

/// How a call ended, when it did not end in a value. Carried by [`crate::CallError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// A final answer (a refusal) or an error no retry can change (invalid input, signing failure).
    Final,
    /// The request may have been applied and its class is
    /// [`RecoverByLookup`](RetryClass::RecoverByLookup): look the operation up by its own id before
    /// doing anything else. The error's `outcome()` is `Unknown`.
    Recover,
    /// The outcome is unknown and the class is [`Never`](RetryClass::Never): not repeated.
    NotRepeatable,
    /// The request was retryable but every allowed attempt was used.
    AttemptsExhausted,
    /// The request was retryable but the shared [`RetryBudget`] is empty (an outage is going on).
    BudgetExhausted,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send again after `delay`, paying `cost` from the budget.
    Retry {
        /// How long to wait first.
        delay: Duration,
        /// What the retry costs in the [`RetryBudget`].
        cost: RetryCost,
    },
    /// Do not send again.
    Stop(Ending),
}

/// The price of a retry in the [`RetryBudget`], as in AWS standard retry mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryCost {
    /// A retry after an answer: 5xx, 429, an undecodable body.
    Standard,
    /// A retry after a transport failure (timeout, reset, refused connection): these point at an
    /// unhealthy path, so they cost double.
    Transient,
}

impl RetryCost {
    /// The cost class of retrying after `outcome`.
    pub fn of(outcome: AttemptOutcome) -> Self {
        match outcome {
            AttemptOutcome::Failed(_) => Self::Transient,
            AttemptOutcome::Response(_) | AttemptOutcome::Undecodable => Self::Standard,
        }
    }
}

/// Attempts, backoff and `Retry-After` limits. Pure: every method is a function of its arguments.
///
/// Backoff before retry `r` (the first retry is `r = 1`) is uniform in `[0, min(max_delay,
/// base_delay · 2^(r−1))]` ("full jitter"). A `Retry-After` on the answer replaces it, capped at
/// `max_retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryPolicy {
    /// 3 attempts, 500 ms base, 20 s cap, `Retry-After` honoured up to 60 s.
    pub const fn standard() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// One attempt, never retried.
    pub const fn no_retries() -> Self {
        Self::standard().with_max_attempts(1)
    }

    /// Total attempts including the first (at least 1).
    pub const fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// Base and cap of the exponential backoff.
    pub const fn with_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = cap;
        self
    }

    /// The longest `Retry-After` honoured; longer values are shortened to it.
    pub const fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Total attempts including the first.
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff cap.
    pub const fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The `Retry-After` cap.
    pub const fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The upper bound of the backoff before retry `retry` (1-based):
    /// `min(max_delay, base_delay · 2^(retry−1))`.
    pub fn backoff_bound(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(63);
        let factor = 1u32.checked_shl(exp).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }

    /// The backoff before retry `retry` for a uniformly random `sample`: `bound · sample / u64::MAX`,
    /// so `0` gives no delay and `u64::MAX` the full bound.
    pub fn backoff(&self, retry: u32, sample: u64) -> Duration {
        let bound = self.backoff_bound(retry).as_nanos();
        let nanos = bound.saturating_mul(u128::from(sample)) / u128::from(u64::MAX);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Decides what follows attempt number `attempt` (1-based) of a request of `class`.
    ///
    /// `outcome` is `None` for errors no retry can change (invalid input, signing failures).
    /// `retry_after` is the server's `Retry-After` (see [`retry_after`]); `sample` a uniformly random
    /// number for the jitter.
    pub fn next(
        &self,
        class: RetryClass,
        outcome: Option<AttemptOutcome>,
        attempt: u32,
        retry_after: Option<Duration>,
        sample: u64,
    ) -> Next {
        let Some(outcome) = outcome else {
            return Next::Stop(Ending::Final);
        };
        match classify(class, outcome) {
            RetryDecision::Recover => Next::Stop(Ending::Recover),
            RetryDecision::Stop => {
                // Would a read have been repeated? Then it is the class that forbids it.
                if classify(RetryClass::Safe, outcome) == RetryDecision::Retry {
                    Next::Stop(Ending::NotRepeatable)
                } else {
                    Next::Stop(Ending::Final)
                }
            }
            RetryDecision::Retry if attempt >= self.max_attempts => {
                Next::Stop(Ending::AttemptsExhausted)
            }
            RetryDecision::Retry => {
                let delay = match retry_after {
                    Some(wait) => wait.min(self.max_retry_after),
                    None => self.backoff(attempt, sample),
                };
                Next::Retry {
                    delay,
                    cost: RetryCost::of(outcome),
                }
            }
        }
    }
}

/// Reads `Retry-After` as delay-seconds or an IMF-fixdate HTTP-date (relative to `now`, never
/// negative). Anything else is ignored (`None`).
///
/// ```
/// use std::time::Duration;
/// use http::HeaderMap;
/// use pay_transport::retry::retry_after;
/// use time::macros::datetime;
///
/// let now = datetime!(1994-11-06 08:49:00 UTC);
/// let mut h = HeaderMap::new();
/// h.insert("retry-after", "120".parse().unwrap());
/// assert_eq!(retry_after(&h, now), Some(Duration::from_secs(120)));
/// h.insert("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap());
/// assert_eq!(retry_after(&h, now), Some(Duration::from_secs(37)));
/// h.insert("retry-after", "soon".parse().unwrap());
/// assert_eq!(retry_after(&h, now), None);
/// ```
pub fn retry_after(headers: &HeaderMap, now: OffsetDateTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate absurdly long values; the policy caps them anyway.
        return Some(Duration::from_secs(text.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(text, format)
        .ok()?
        .assume_utc();
    Some(crate::sleep::to_std(at - now))
}

/// A retry budget shared by every call of an executor: a token bucket as in AWS standard retry mode.
///
/// It starts full (500 tokens by default). A retry takes 5 tokens (10 after a transport failure);
/// with too few tokens the retry is not made ([`Ending::BudgetExhausted`]). A call that succeeds
/// after retrying gives its tokens back; one that succeeds on its first attempt adds 1. During a
/// total outage at most `capacity / cost` retries happen in all, however many calls are made.
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    retry_cost: u32,
    transient_cost: u32,
    success_reward: u32,
    tokens: AtomicU32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryBudget {
    /// 500 tokens, a retry costs 5, a retry after a transport failure 10, a first-attempt success
    /// adds 1.
    pub const fn standard() -> Self {
        Self::new(500, 5, 10)
    }

    /// A bucket of `capacity` tokens with the given retry costs; a first-attempt success adds 1.
    pub const fn new(capacity: u32, retry_cost: u32, transient_cost: u32) -> Self {
        Self {
            capacity,
            retry_cost,
            transient_cost,
            success_reward: 1,
            tokens: AtomicU32::new(capacity),
        }
    }

    /// The price of a retry of `cost` class.
    pub const fn cost(&self, cost: RetryCost) -> u32 {
        match cost {
            RetryCost::Standard => self.retry_cost,
            RetryCost::Transient => self.transient_cost,
        }
    }

    /// The bucket's size.
    pub const fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Tokens currently available.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }

    /// Takes the price of a retry, returning how many tokens were taken, or `None` when the bucket
    /// holds too few.
    pub fn try_acquire(&self, cost: RetryCost) -> Option<u32> {
        let price = self.cost(cost);
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                t.checked_sub(price)
            })
            .ok()
            .map(|_| price)
    }

    /// Gives back `tokens` (a call that succeeded after retrying), up to the capacity.
    pub fn release(&self, tokens: u32) {
        let capacity = self.capacity;
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(tokens).min(capacity))
            });
    }

    /// Rewards a call that succeeded on its first attempt.
    pub fn reward_success(&self) {
        self.release(self.success_reward);
    }
}

/// The delivery a failed attempt reports, for tracing.
pub(crate) fn delivery_name(d: Delivery) -> &'static str {
    match d {
        Delivery::NotSent => "not_sent",
        Delivery::MaybeSent => "maybe_sent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use time::macros::datetime;

    const S503: AttemptOutcome = AttemptOutcome::Response(StatusCode::SERVICE_UNAVAILABLE);
    const LOST: AttemptOutcome = AttemptOutcome::Failed(Delivery::MaybeSent);
    const REFUSED: AttemptOutcome = AttemptOutcome::Failed(Delivery::NotSent);
    const TOO_MANY: AttemptOutcome = AttemptOutcome::Response(StatusCode::TOO_MANY_REQUESTS);
    const EVERY_CLASS: [RetryClass; 3] = [
        RetryClass::Safe,
        RetryClass::RecoverByLookup,
        RetryClass::Never,
    ];

    #[test]
    fn success_and_refusals_are_final() {
        let p = RetryPolicy::standard();
        for class in EVERY_CLASS {
            for s in [200, 400, 401, 404] {
                let o = AttemptOutcome::Response(StatusCode::from_u16(s).unwrap());
                assert_eq!(
                    p.next(class, Some(o), 1, None, 0),
                    Next::Stop(Ending::Final)
                );
            }
            assert_eq!(p.next(class, None, 1, None, 0), Next::Stop(Ending::Final));
        }
    }

    #[test]
    fn unknown_outcomes_follow_the_class() {
        let p = RetryPolicy::standard();
        for o in [S503, LOST, AttemptOutcome::Undecodable] {
            assert!(matches!(
                p.next(RetryClass::Safe, Some(o), 1, None, 0),
                Next::Retry { .. }
            ));
            assert_eq!(
                p.next(RetryClass::RecoverByLookup, Some(o), 1, None, 0),
                Next::Stop(Ending::Recover)
            );
            assert_eq!(
                p.next(RetryClass::Never, Some(o), 1, None, 0),
                Next::Stop(Ending::NotRepeatable)
            );
        }
    }

    #[test]
    fn not_sent_and_429_are_retried_for_every_class_until_attempts_run_out() {
        let p = RetryPolicy::standard();
        for class in EVERY_CLASS {
            for o in [REFUSED, TOO_MANY] {
                assert!(matches!(
                    p.next(class, Some(o), 2, None, 0),
                    Next::Retry { .. }
                ));
                assert_eq!(
                    p.next(class, Some(o), 3, None, 0),
                    Next::Stop(Ending::AttemptsExhausted)
                );
            }
        }
        assert_eq!(
            RetryPolicy::no_retries().next(RetryClass::Safe, Some(S503), 1, None, 0),
            Next::Stop(Ending::AttemptsExhausted)
        );
    }

    #[test]
    fn costs_depend_on_the_failure() {
        let p = RetryPolicy::standard();
        assert_eq!(
            p.next(RetryClass::Safe, Some(LOST), 1, None, 0),
            Next::Retry {
                delay: Duration::ZERO,
                cost: RetryCost::Transient
            }
        );
        assert_eq!(
            p.next(RetryClass::Safe, Some(S503), 1, None, 0),
            Next::Retry {
                delay: Duration::ZERO,
                cost: RetryCost::Standard
            }
        );
    }

    #[test]
    fn backoff_is_capped_exponential_with_full_jitter() {
        let p = RetryPolicy::standard();
        assert_eq!(p.backoff_bound(1), Duration::from_millis(500));
        assert_eq!(p.backoff_bound(2), Duration::from_secs(1));
        assert_eq!(p.backoff_bound(3), Duration::from_secs(2));
        assert_eq!(p.backoff_bound(6), Duration::from_secs(16));
        assert_eq!(p.backoff_bound(7), Duration::from_secs(20));
        assert_eq!(p.backoff_bound(1_000), Duration::from_secs(20));
        assert_eq!(p.backoff(3, 0), Duration::ZERO);
        assert_eq!(p.backoff(3, u64::MAX), Duration::from_secs(2));
        assert_eq!(
            p.backoff(3, u64::MAX / 2),
            Duration::from_secs(1) - Duration::from_nanos(1)
        );
    }

    #[test]
    fn retry_after_replaces_backoff_and_is_capped() {
        let p = RetryPolicy::standard();
        assert_eq!(
            p.next(
                RetryClass::Safe,
                Some(TOO_MANY),
                1,
                Some(Duration::from_secs(7)),
                u64::MAX
            ),
            Next::Retry {
                delay: Duration::from_secs(7),
                cost: RetryCost::Standard
            }
        );
        assert_eq!(
            p.next(
                RetryClass::Safe,
                Some(TOO_MANY),
                1,
                Some(Duration::from_secs(3_600)),
                0
            ),
            Next::Retry {
                delay: Duration::from_secs(60),
                cost: RetryCost::Standard
            }
        );
    }

    #[test]
    fn retry_after_parsing() {
        let now = datetime!(2015-10-21 07:28:00 UTC);
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert(RETRY_AFTER, " 0 ".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "99999999999999999999999".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(u64::MAX)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        // A date in the past means "now".
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:00:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        for bad in [
            "-1",
            "1.5",
            "",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "\u{0}",
        ] {
            if let Ok(v) = bad.parse() {
                h.insert(RETRY_AFTER, v);
                assert_eq!(retry_after(&h, now), None, "{bad:?}");
            }
        }
    }

    #[test]
    fn budget_takes_gives_back_and_caps() {
        let b = RetryBudget::new(12, 5, 10);
        assert_eq!(b.try_acquire(RetryCost::Standard), Some(5));
        assert_eq!(b.try_acquire(RetryCost::Transient), None);
        assert_eq!(b.try_acquire(RetryCost::Standard), Some(5));
        assert_eq!(b.try_acquire(RetryCost::Standard), None);
        assert_eq!(b.available(), 2);
        b.release(5);
        assert_eq!(b.available(), 7);
        b.release(100);
        assert_eq!(b.available(), 12);
        b.reward_success();
        assert_eq!(b.available(), 12);
    }
}
