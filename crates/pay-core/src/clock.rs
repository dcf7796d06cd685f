//! Injected time. Nothing in pay-rs reads the wall clock except [`SystemClock`].
//!
//! ```
//! use pay_core::clock::{Clock, ManualClock};
//! use time::{Duration, macros::datetime};
//!
//! let clock = ManualClock::new(datetime!(2024-11-18 13:41:57 UTC));
//! clock.advance(Duration::seconds(60));
//! assert_eq!(clock.now(), datetime!(2024-11-18 13:42:57 UTC));
//! ```

use std::fmt::Debug;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use time::{Duration, OffsetDateTime};

/// A source of the current time.
pub trait Clock: Debug + Send + Sync {
    /// The current instant, in UTC.
    fn now(&self) -> OffsetDateTime;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

/// The wall clock. The only place in pay-rs that reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned read of the wall clock
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that always answers the same instant (golden tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// A clock moved by hand (virtual-time tests). Shareable across threads.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    /// Starts at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now = now.saturating_add(by);
    }

    /// Sets the clock to `instant`.
    pub fn set(&self, instant: OffsetDateTime) {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = instant;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Another clock shifted by an offset that can be updated at run time, e.g. the difference between a
/// provider's server time (`GET /time`) and the local clock.
#[derive(Debug)]
pub struct OffsetClock<C> {
    inner: C,
    offset_ms: AtomicI64,
}

impl<C: Clock> OffsetClock<C> {
    /// Wraps `inner` with a zero offset.
    pub fn new(inner: C) -> Self {
        Self {
            inner,
            offset_ms: AtomicI64::new(0),
        }
    }

    /// Sets the offset so that `now()` answers `server_now` at the inner clock's current instant.
    pub fn sync_to(&self, server_now: OffsetDateTime) {
        let offset = server_now - self.inner.now();
        self.set_offset(offset);
    }

    /// Sets the offset directly.
    pub fn set_offset(&self, offset: Duration) {
        let ms = i64::try_from(offset.whole_milliseconds()).unwrap_or(if offset.is_negative() {
            i64::MIN
        } else {
            i64::MAX
        });
        self.offset_ms.store(ms, Ordering::Relaxed);
    }

    /// The current offset.
    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }
}

impl<C: Clock> Clock for OffsetClock<C> {
    fn now(&self) -> OffsetDateTime {
        self.inner.now().saturating_add(self.offset())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn offset_clock_follows_server_time() {
        let local = ManualClock::new(datetime!(2020-01-01 0:00 UTC));
        let clock = OffsetClock::new(&local);
        clock.sync_to(datetime!(2020-01-01 0:00:45 UTC));
        assert_eq!(clock.now(), datetime!(2020-01-01 0:00:45 UTC));
        local.advance(Duration::seconds(10));
        assert_eq!(clock.now(), datetime!(2020-01-01 0:00:55 UTC));
        assert_eq!(clock.offset(), Duration::seconds(45));
    }

    #[test]
    fn fixed_clock_is_fixed() {
        let clock = FixedClock(datetime!(2021-05-01 16:56:25.009469 UTC));
        assert_eq!(clock.now(), clock.now());
    }
}
