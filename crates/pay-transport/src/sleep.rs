//! Injected sleeping, so retries, rate limits, timeouts and polling floors run in virtual time in
//! tests.
//!
//! Production code uses [`TokioSleep`] (feature `tokio`, on by default through `hyper`); tests use
//! [`VirtualSleep`], which moves a [`ManualClock`] forward instead of waiting.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use pay_core::clock::ManualClock;

/// A boxed, sendable future returned by [`Sleep::sleep`].
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Something that can wait. Implement it to run pay-transport on another runtime.
///
/// The future must not complete before `duration` has passed on the clock the executor was given
/// (a sleeper and a clock that disagree break polling floors; see [`crate::floors`], which re-checks
/// the clock after waking).
pub trait Sleep: fmt::Debug + Send + Sync {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

impl<S: Sleep + ?Sized> Sleep for Arc<S> {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        (**self).sleep(duration)
    }
}

/// Sleeps on tokio's timer. Needs a tokio runtime with the time driver enabled.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

#[cfg(feature = "tokio")]
impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Virtual time: sleeping advances a shared [`ManualClock`] by the duration, instantly, on the
/// sleep future's first poll (never when the future is merely created, so a timeout whose guarded
/// future finishes first does not move the clock).
///
/// It also records every duration it was asked for, so tests can assert on backoff delays.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use pay_core::clock::{Clock, ManualClock};
/// use pay_transport::sleep::{Sleep, VirtualSleep};
/// use time::macros::datetime;
///
/// let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
/// let sleep = VirtualSleep::new(clock.clone());
/// let nap = sleep.sleep(Duration::from_secs(60));
/// assert_eq!(clock.now(), datetime!(2024-01-01 0:00 UTC)); // not yet polled
/// # let waker = std::task::Waker::noop();
/// # let mut cx = std::task::Context::from_waker(&waker);
/// # let mut nap = nap;
/// assert!(nap.as_mut().poll(&mut cx).is_ready());
/// assert_eq!(clock.now(), datetime!(2024-01-01 0:01 UTC));
/// assert_eq!(sleep.slept(), vec![Duration::from_secs(60)]);
/// ```
///
/// Virtual time is single-threaded in spirit: two tasks sleeping "concurrently" each advance the
/// clock by their own duration. Drive one logical task at a time in virtual-time tests.
#[derive(Debug, Clone)]
pub struct VirtualSleep {
    clock: Arc<ManualClock>,
    log: Arc<Mutex<Vec<Duration>>>,
}

impl VirtualSleep {
    /// Sleeps by advancing `clock`.
    pub fn new(clock: Arc<ManualClock>) -> Self {
        Self {
            clock,
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The clock this sleeper advances.
    pub fn clock(&self) -> &Arc<ManualClock> {
        &self.clock
    }

    /// Every duration slept so far (including timeouts that fired), in order.
    pub fn slept(&self) -> Vec<Duration> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the recorded durations.
    pub fn clear(&self) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl Sleep for VirtualSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(VirtualNap {
            clock: self.clock.clone(),
            log: self.log.clone(),
            duration: Some(duration),
        })
    }
}

struct VirtualNap {
    clock: Arc<ManualClock>,
    log: Arc<Mutex<Vec<Duration>>>,
    duration: Option<Duration>,
}

impl Future for VirtualNap {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if let Some(duration) = self.duration.take() {
            self.clock.advance(to_time(duration));
            self.log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(duration);
        }
        Poll::Ready(())
    }
}

/// `std` duration to `time` duration, saturating.
pub(crate) fn to_time(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

/// A non-negative `time` duration to `std`, negative values as zero.
pub(crate) fn to_std(d: time::Duration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}

/// Runs `fut`, giving up after `duration` measured by `sleep`. The guarded future is always
/// polled first, so a future that is ready never loses to the timer.
pub(crate) async fn timeout<F: Future>(
    sleep: &dyn Sleep,
    duration: Duration,
    fut: F,
) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut timer: Option<SleepFuture> = None;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        let timer = timer.get_or_insert_with(|| sleep.sleep(duration));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::block_on;
    use pay_core::clock::Clock;
    use time::macros::datetime;

    #[test]
    fn timeout_prefers_a_ready_future_and_does_not_move_the_clock() {
        let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
        let sleep = VirtualSleep::new(clock.clone());
        let out = block_on(timeout(&sleep, Duration::from_secs(30), async { 7 }));
        assert_eq!(out, Some(7));
        assert_eq!(clock.now(), datetime!(2024-01-01 0:00 UTC));
        assert!(sleep.slept().is_empty());
    }

    #[test]
    fn timeout_fires_on_a_pending_future_in_virtual_time() {
        let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
        let sleep = VirtualSleep::new(clock.clone());
        let out = block_on(timeout(
            &sleep,
            Duration::from_secs(30),
            std::future::pending::<()>(),
        ));
        assert_eq!(out, None);
        assert_eq!(clock.now(), datetime!(2024-01-01 0:00:30 UTC));
    }

    #[test]
    fn conversions_saturate() {
        assert_eq!(to_std(time::Duration::seconds(-5)), Duration::ZERO);
        assert_eq!(to_time(Duration::MAX), time::Duration::MAX);
    }
}
