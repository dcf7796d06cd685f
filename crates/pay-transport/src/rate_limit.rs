//! Client-side rate limits per endpoint, keyed by [`EndpointInfo::name`](pay_core::endpoint::EndpointInfo).
//!
//! Each key is a token bucket of `burst` tokens refilled at `per` / `count`, implemented as its exact
//! equivalent, GCRA (one timestamp per key, reservations made under one lock, so concurrent callers
//! are spaced correctly). A caller over the limit *waits* on the injected [`Sleep`]; it is never
//! refused. Waiting happens before the attempt is signed, so a COINQVEST timestamp is fresh when the
//! request leaves, and before the per-attempt timeout starts, so a queued request can never turn into
//! a "may have been sent" timeout.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pay_core::clock::Clock;
use time::OffsetDateTime;

use crate::sleep::{Sleep, to_std, to_time};

/// A rate: `count` requests per `per`, with bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    interval: Duration,
    burst: u32,
}

impl Rate {
    /// `count` requests per `per`, burst 1 (evenly spaced). `count` of 0 is treated as 1.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pay_transport::rate_limit::Rate;
    /// let r = Rate::new(10, Duration::from_secs(1)).with_burst(5);
    /// assert_eq!(r.interval(), Duration::from_millis(100));
    /// ```
    pub fn new(count: u32, per: Duration) -> Self {
        Self {
            interval: per / count.max(1),
            burst: 1,
        }
    }

    /// Allows up to `burst` requests back to back after an idle period (at least 1).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// The time one token takes to refill.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The bucket size.
    pub fn burst(&self) -> u32 {
        self.burst
    }
}

/// Which rate applies to which endpoint. Empty by default: no client-side limit.
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    per_endpoint: HashMap<&'static str, Rate>,
    default: Option<Rate>,
}

impl RateLimits {
    /// No limits.
    pub fn none() -> Self {
        Self::default()
    }

    /// Limits the endpoint named `name` (`EndpointInfo::name`, e.g. `qostiq.withdraw.create`).
    pub fn with_endpoint(mut self, name: &'static str, rate: Rate) -> Self {
        self.per_endpoint.insert(name, rate);
        self
    }

    /// Limits every endpoint without its own rate (each endpoint still has its own bucket).
    pub fn with_default(mut self, rate: Rate) -> Self {
        self.default = Some(rate);
        self
    }

    /// The rate that applies to `name`.
    pub fn rate_for(&self, name: &str) -> Option<Rate> {
        self.per_endpoint.get(name).copied().or(self.default)
    }
}

/// The shared state of [`RateLimits`]: one theoretical arrival time per endpoint.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    next: Mutex<HashMap<&'static str, OffsetDateTime>>,
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Reserves a slot for `name` and returns how long to wait for it (zero when within the
    /// limit). `now` is only read when `name` has a limit.
    pub(crate) fn reserve(
        &self,
        name: &'static str,
        now: impl FnOnce() -> OffsetDateTime,
    ) -> Duration {
        let Some(rate) = self.limits.rate_for(name) else {
            return Duration::ZERO;
        };
        let now = now();
        let interval = to_time(rate.interval);
        let tolerance = to_time(rate.interval.saturating_mul(rate.burst.saturating_sub(1)));
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let tat = next.get(name).copied().unwrap_or(now).max(now);
        let allowed_at = tat - tolerance;
        next.insert(name, tat.saturating_add(interval));
        to_std(allowed_at - now)
    }

    /// Waits for a slot for `name`; an endpoint without a limit does not even read the clock.
    pub(crate) async fn acquire(&self, name: &'static str, clock: &dyn Clock, sleep: &dyn Sleep) {
        let wait = self.reserve(name, || clock.now());
        if !wait.is_zero() {
            sleep.sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn spaces_requests_after_the_burst() {
        let limiter = RateLimiter::new(
            RateLimits::none()
                .with_endpoint("a", Rate::new(2, Duration::from_secs(1)).with_burst(3)),
        );
        let t0 = datetime!(2024-01-01 0:00 UTC);
        let waits: Vec<_> = (0..6).map(|_| limiter.reserve("a", || t0)).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 500, 1_000, 1_500]
                .map(Duration::from_millis)
                .to_vec()
        );
        // Other endpoints are not limited unless a default is set.
        assert_eq!(limiter.reserve("b", || t0), Duration::ZERO);
        // After an idle period the burst is available again.
        let later = t0 + time::Duration::seconds(10);
        assert_eq!(limiter.reserve("a", || later), Duration::ZERO);
    }

    #[test]
    fn default_rate_applies_per_endpoint() {
        let limiter =
            RateLimiter::new(RateLimits::none().with_default(Rate::new(1, Duration::from_secs(1))));
        let t0 = datetime!(2024-01-01 0:00 UTC);
        assert_eq!(limiter.reserve("a", || t0), Duration::ZERO);
        assert_eq!(limiter.reserve("b", || t0), Duration::ZERO);
        assert_eq!(limiter.reserve("a", || t0), Duration::from_secs(1));
    }
}
