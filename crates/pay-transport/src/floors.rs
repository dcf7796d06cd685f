//! Polling floors: the minimum interval between two status polls of **one payment** (one bill, one
//! withdrawal, one checkout), as the providers require.
//!
//! The seeds tie the floors to a payment: "no more than 1 request per 60 seconds, as many payment
//! systems also need time to process the payment" (withdrawals), "status request … no more often
//! than once every 10 seconds" (a bill). So turns are keyed by (provider, operation, payment id):
//! a shop with a thousand payouts in flight polls each of them once a minute, and recovery lookups
//! of different payouts never wait on each other. A shop-wide request rate is a separate limit:
//! [`crate::rate_limit::RateLimits`] (per endpoint, before every attempt).
//!
//! | operation | floor | source |
//! |---|---|---|
//! | Qostiq bill status | 10 s | seed 000 ("at most once per 10 s") |
//! | Qostiq withdraw status | 60 s | seed 001 |
//! | Qostiq crypto withdraw status | 60 s | seed 002 |
//! | anything else ([`PollOperation::Other`], e.g. COINQVEST checkout and withdrawal reads) | 10 s | pay-rs default: COINQVEST publishes no floor |
//!
//! [`Floors::PROVIDER_MINIMUMS`] is the default. Floors can be raised with [`Floors::stricter`];
//! going below the provider minimums takes [`Floors::below_provider_minimums_for_sandbox`], whose
//! name is the warning: there is no plain setter.
//!
//! A [`PollScheduler`] hands out turns: a caller over the floor *waits* (on the injected sleeper)
//! rather than failing, and dropping the wait cancels it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pay_core::clock::Clock;
use pay_core::error::{Delivery, Error, Provider, TransportError, TransportErrorKind};
use pay_store::{PollKey, PollTurns, StoreError, Turn};
use time::OffsetDateTime;

use crate::sleep::{Sleep, to_std, to_time};

/// A kind of status poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PollOperation {
    /// Qostiq `/bill/shop_order_status`.
    BillStatus,
    /// Qostiq `/withdraw/status` and `/withdraw/shop_payment_status`.
    WithdrawStatus,
    /// Qostiq `/crypto/withdraw/status` and `/crypto/withdraw/shop_payment_status`.
    CryptoWithdrawStatus,
    /// Any other status read, by a stable name (`coinqvest.checkout`).
    Other(&'static str),
}

impl PollOperation {
    /// The stable name of the operation in shared turns (`withdraw_status`, or the name of
    /// [`PollOperation::Other`]).
    pub fn name(self) -> &'static str {
        match self {
            Self::BillStatus => "bill_status",
            Self::WithdrawStatus => "withdraw_status",
            Self::CryptoWithdrawStatus => "crypto_withdraw_status",
            Self::Other(name) => name,
        }
    }
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// [`PollTurns`] behind a pointer.
trait DynTurns: Send + Sync + 'static {
    fn reserve<'a>(
        &'a self,
        key: &'a PollKey<'a>,
        floor: Duration,
    ) -> BoxFuture<'a, Result<Turn, StoreError>>;
}

impl<T: PollTurns> DynTurns for T {
    fn reserve<'a>(
        &'a self,
        key: &'a PollKey<'a>,
        floor: Duration,
    ) -> BoxFuture<'a, Result<Turn, StoreError>> {
        Box::pin(PollTurns::reserve(self, key, floor))
    }
}

/// Polling turns kept in a store shared by every instance ([`PollScheduler::shared`]).
#[derive(Clone)]
pub struct SharedTurns(Arc<dyn DynTurns>);

impl SharedTurns {
    /// Turns kept in `turns`.
    pub fn new(turns: impl PollTurns) -> Self {
        Self(Arc::new(turns))
    }
}

impl std::fmt::Debug for SharedTurns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedTurns")
    }
}

/// Minimum intervals between polls, per [`PollOperation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Floors {
    bill_status: Duration,
    withdraw_status: Duration,
    crypto_withdraw_status: Duration,
    other: Duration,
}

impl Default for Floors {
    fn default() -> Self {
        Self::PROVIDER_MINIMUMS
    }
}

impl Floors {
    /// What the providers allow: bill status 10 s, withdraw and crypto withdraw status 60 s, other
    /// reads 10 s.
    pub const PROVIDER_MINIMUMS: Self = Self {
        bill_status: Duration::from_secs(10),
        withdraw_status: Duration::from_secs(60),
        crypto_withdraw_status: Duration::from_secs(60),
        other: Duration::from_secs(10),
    };

    /// Floors at least as long as the provider minimums: shorter values are raised to them.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pay_transport::floors::{Floors, PollOperation};
    ///
    /// let f = Floors::stricter(Duration::from_secs(30), Duration::from_secs(1), Duration::from_secs(120), Duration::ZERO);
    /// assert_eq!(f.floor(PollOperation::BillStatus), Duration::from_secs(30));
    /// assert_eq!(f.floor(PollOperation::WithdrawStatus), Duration::from_secs(60)); // raised
    /// assert!(!f.is_below_provider_minimums());
    /// ```
    pub fn stricter(
        bill_status: Duration,
        withdraw_status: Duration,
        crypto_withdraw_status: Duration,
        other: Duration,
    ) -> Self {
        let min = Self::PROVIDER_MINIMUMS;
        Self {
            bill_status: bill_status.max(min.bill_status),
            withdraw_status: withdraw_status.max(min.withdraw_status),
            crypto_withdraw_status: crypto_withdraw_status.max(min.crypto_withdraw_status),
            other: other.max(min.other),
        }
    }

    /// Floors **below what the providers allow**, for sandboxes and tests only. Against a real
    /// provider this gets the shop throttled or blocked.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pay_transport::floors::{Floors, PollOperation};
    ///
    /// let fast = Floors::below_provider_minimums_for_sandbox(Duration::from_millis(10));
    /// assert_eq!(fast.floor(PollOperation::WithdrawStatus), Duration::from_millis(10));
    /// assert!(fast.is_below_provider_minimums());
    /// ```
    pub fn below_provider_minimums_for_sandbox(every: Duration) -> Self {
        Self {
            bill_status: every,
            withdraw_status: every,
            crypto_withdraw_status: every,
            other: every,
        }
    }

    /// The floor of `operation`.
    pub fn floor(&self, operation: PollOperation) -> Duration {
        match operation {
            PollOperation::BillStatus => self.bill_status,
            PollOperation::WithdrawStatus => self.withdraw_status,
            PollOperation::CryptoWithdrawStatus => self.crypto_withdraw_status,
            PollOperation::Other(_) => self.other,
        }
    }

    /// Whether any floor is below the provider minimums (only possible through
    /// [`Floors::below_provider_minimums_for_sandbox`]).
    pub fn is_below_provider_minimums(&self) -> bool {
        let min = Self::PROVIDER_MINIMUMS;
        self.bill_status < min.bill_status
            || self.withdraw_status < min.withdraw_status
            || self.crypto_withdraw_status < min.crypto_withdraw_status
            || self.other < min.other
    }

    fn longest(&self) -> Duration {
        self.bill_status
            .max(self.withdraw_status)
            .max(self.crypto_withdraw_status)
            .max(self.other)
    }
}

type Key = (Provider, PollOperation, String);

/// Hands out polling turns per payment, (provider, operation, payment id), at least the floor
/// apart.
///
/// Turns are reserved under a lock, so concurrent pollers of the same key are spaced too. A turn is
/// the instant the caller is released to send; [`crate::Executor::execute_poll`] takes one before
/// every attempt, retries included, so the provider never sees two polls closer than the floor.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use pay_core::clock::{Clock, ManualClock};
/// use pay_transport::floors::{Floors, PollOperation, PollScheduler};
/// use pay_transport::sleep::VirtualSleep;
/// use time::macros::datetime;
///
/// let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
/// let polls = PollScheduler::new(Floors::PROVIDER_MINIMUMS, clock.clone(), Arc::new(VirtualSleep::new(clock.clone())));
/// # let waker = std::task::Waker::noop();
/// # let mut cx = std::task::Context::from_waker(&waker);
/// # let mut run = |f: std::pin::Pin<&mut dyn std::future::Future<Output = Result<time::OffsetDateTime, pay_core::error::Error>>>| match f.poll(&mut cx) { std::task::Poll::Ready(v) => v.unwrap(), _ => unreachable!() };
/// let q = pay_core::error::Provider::Qostiq;
/// let first = run(std::pin::pin!(polls.wait_turn(q, PollOperation::WithdrawStatus, "w-1")));
/// let other = run(std::pin::pin!(polls.wait_turn(q, PollOperation::WithdrawStatus, "w-2")));
/// assert_eq!(other, first); // another payout: no wait
/// let second = run(std::pin::pin!(polls.wait_turn(q, PollOperation::WithdrawStatus, "w-1")));
/// assert_eq!(second - first, time::Duration::seconds(60)); // the same payout waited, in virtual time
/// ```
#[derive(Debug)]
pub struct PollScheduler {
    floors: Floors,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
    last: Mutex<HashMap<Key, OffsetDateTime>>,
    shared: Option<SharedTurns>,
}

/// Entries beyond this many are pruned of keys whose floor has passed.
const PRUNE_ABOVE: usize = 4_096;

impl PollScheduler {
    /// A scheduler enforcing `floors`, timed by `clock`, waiting with `sleep`.
    pub fn new(floors: Floors, clock: Arc<dyn Clock>, sleep: Arc<dyn Sleep>) -> Self {
        Self {
            floors,
            clock,
            sleep,
            last: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// This scheduler with its turns kept in `turns`, shared by every instance on that store
    /// (see [Across instances](self#across-instances)).
    pub fn shared(mut self, turns: SharedTurns) -> Self {
        self.shared = Some(turns);
        self
    }

    /// Whether turns are kept in a shared store.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// The floors enforced.
    pub fn floors(&self) -> &Floors {
        &self.floors
    }

    /// Waits until payment `payment` of `provider` may be polled for `operation`, and returns the
    /// instant of the turn. `payment` is the id the poll asks about (a `shop_payment_id`, a
    /// withdrawal id, a checkout id); the same payment asked about by two different ids (Qostiq's
    /// id and the shop's) has two keys, so poll one payment by one id.
    ///
    /// Cancel-safe: dropping the future before it completes gives the turn back if no later turn
    /// was reserved after it (otherwise the gap stays, which only errs on the slow side).
    ///
    /// Fails only with shared turns whose store cannot be reached: the poll must not be sent.
    pub async fn wait_turn(
        &self,
        provider: Provider,
        operation: PollOperation,
        payment: &str,
    ) -> Result<OffsetDateTime, Error> {
        if let Some(shared) = &self.shared {
            let key = PollKey {
                provider,
                operation: operation.name(),
                subject: payment,
            };
            let turn = shared
                .0
                .reserve(&key, self.floors.floor(operation))
                .await
                .map_err(|e| {
                    Error::from(TransportError::new(
                        TransportErrorKind::Other,
                        Delivery::NotSent,
                        Some(format!("no polling turn: {e}").into()),
                    ))
                })?;
            let wait = turn.wait();
            if !wait.is_zero() {
                self.sleep.sleep(wait).await;
            }
            return Ok(self.clock.now());
        }
        Ok(self.local_turn(provider, operation, payment).await)
    }

    /// A turn kept in this process's memory.
    async fn local_turn(
        &self,
        provider: Provider,
        operation: PollOperation,
        payment: &str,
    ) -> OffsetDateTime {
        let floor = to_time(self.floors.floor(operation));
        let map_key: Key = (provider, operation, payment.to_owned());
        let now = self.clock.now();
        let (slot, previous) = {
            let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            if last.len() > PRUNE_ABOVE {
                let longest = to_time(self.floors.longest());
                last.retain(|_, at| at.saturating_add(longest) > now);
            }
            let previous = last.get(&map_key).copied();
            let slot = previous.map_or(now, |p| p.saturating_add(floor).max(now));
            last.insert(map_key.clone(), slot);
            (slot, previous)
        };
        let mut guard = Reservation {
            scheduler: self,
            key: Some(map_key),
            slot,
            previous,
        };
        // Re-read the clock after every wake-up: a sleeper may wake a little early relative to the
        // clock (different time sources); the floor is defined on the clock.
        loop {
            let now = self.clock.now();
            if now >= slot {
                break;
            }
            self.sleep.sleep(to_std(slot - now)).await;
        }
        guard.key = None;
        slot
    }
}

struct Reservation<'a> {
    scheduler: &'a PollScheduler,
    key: Option<Key>,
    slot: OffsetDateTime,
    previous: Option<OffsetDateTime>,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let mut last = self
            .scheduler
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.get(&key) == Some(&self.slot) {
            match self.previous {
                Some(p) => {
                    last.insert(key, p);
                }
                None => {
                    last.remove(&key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sleep::VirtualSleep;
    use pay_core::clock::ManualClock;
    use std::future::Future;
    use std::task::{Context, Poll};
    use time::macros::datetime;

    fn block_on<F: Future>(fut: F) -> F::Output {
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn scheduler(floors: Floors) -> (Arc<ManualClock>, PollScheduler) {
        let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
        let sleep = Arc::new(VirtualSleep::new(clock.clone()));
        (clock.clone(), PollScheduler::new(floors, clock, sleep))
    }

    #[test]
    fn provider_minimums() {
        let f = Floors::PROVIDER_MINIMUMS;
        assert_eq!(f.floor(PollOperation::BillStatus), Duration::from_secs(10));
        assert_eq!(
            f.floor(PollOperation::WithdrawStatus),
            Duration::from_secs(60)
        );
        assert_eq!(
            f.floor(PollOperation::CryptoWithdrawStatus),
            Duration::from_secs(60)
        );
        assert_eq!(f, Floors::default());
        assert_eq!(
            Floors::stricter(
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO
            ),
            f
        );
        assert!(!f.is_below_provider_minimums());
    }

    const Q: Provider = Provider::Qostiq;

    #[test]
    fn payments_providers_and_operations_are_independent() {
        let (clock, s) = scheduler(Floors::PROVIDER_MINIMUMS);
        let t0 = clock.now();
        let turn = |provider, op, payment| block_on(s.wait_turn(provider, op, payment)).unwrap();
        assert_eq!(turn(Q, PollOperation::BillStatus, "a"), t0);
        assert_eq!(turn(Q, PollOperation::BillStatus, "b"), t0);
        assert_eq!(turn(Q, PollOperation::WithdrawStatus, "a"), t0);
        let other = PollOperation::Other("coinqvest.withdrawal");
        assert_eq!(turn(Provider::Coinqvest, other, "a"), t0);
        assert_eq!(
            turn(Q, PollOperation::BillStatus, "a"),
            t0 + time::Duration::seconds(10)
        );
        // Its own floor had passed meanwhile: no further wait.
        assert_eq!(
            turn(Provider::Coinqvest, other, "a"),
            t0 + time::Duration::seconds(10)
        );
        assert_eq!(
            turn(Provider::Coinqvest, other, "a"),
            t0 + time::Duration::seconds(20)
        );
    }

    #[derive(Debug)]
    struct Forever;
    impl Sleep for Forever {
        fn sleep(&self, _: Duration) -> crate::sleep::SleepFuture {
            Box::pin(std::future::pending())
        }
    }

    #[test]
    fn a_cancelled_wait_gives_its_turn_back() {
        let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
        let s = PollScheduler::new(Floors::PROVIDER_MINIMUMS, clock.clone(), Arc::new(Forever));
        let t0 = clock.now();
        let key = (Q, PollOperation::WithdrawStatus, "a".to_owned());
        assert_eq!(
            block_on(s.wait_turn(Q, PollOperation::WithdrawStatus, "a")).unwrap(),
            t0
        );
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut waiting = Box::pin(s.wait_turn(Q, PollOperation::WithdrawStatus, "a"));
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        assert_eq!(
            s.last.lock().unwrap().get(&key),
            Some(&(t0 + time::Duration::seconds(60)))
        );
        drop(waiting); // cancelled while waiting
        assert_eq!(s.last.lock().unwrap().get(&key), Some(&t0));

        // A cancelled first poll leaves no trace at all.
        let other = (Q, PollOperation::BillStatus, "b".to_owned());
        clock.advance(time::Duration::seconds(1));
        assert_eq!(
            block_on(s.wait_turn(Q, PollOperation::BillStatus, "b")).unwrap(),
            clock.now()
        );
        s.last.lock().unwrap().remove(&other);
        assert!(s.last.lock().unwrap().get(&other).is_none());
    }

    #[test]
    fn a_sleeper_that_wakes_early_does_not_break_the_floor() {
        #[derive(Debug)]
        struct Early(Arc<ManualClock>);
        impl Sleep for Early {
            fn sleep(&self, d: Duration) -> crate::sleep::SleepFuture {
                let clock = self.0.clone();
                Box::pin(async move { clock.advance(to_time(d - d / 4)) })
            }
        }
        let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
        let s = PollScheduler::new(
            Floors::PROVIDER_MINIMUMS,
            clock.clone(),
            Arc::new(Early(clock.clone())),
        );
        let a = block_on(s.wait_turn(Q, PollOperation::BillStatus, "k")).unwrap();
        block_on(s.wait_turn(Q, PollOperation::BillStatus, "k")).unwrap();
        assert!(clock.now() - a >= time::Duration::seconds(10));
    }
}
