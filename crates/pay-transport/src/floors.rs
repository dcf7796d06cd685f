//! Polling floors: the minimum interval between two status polls of **one payment** (one bill, one
//! withdrawal, one checkout), as the providers require.
//!
//! The seeds tie the floors to a payment: "no more than 1 request per 60 seconds, as many payment
//! systems also need time to process the payment" (withdrawals), "status request … no more often
//! than once every 10 seconds" (a bill). So turns are keyed by (provider, endpoint name, payment
//! id): a shop with a thousand payouts in flight polls each of them once a minute, and recovery
//! lookups of different payouts never wait on each other. A shop-wide request rate is a separate
//! limit: [`crate::rate_limit::RateLimits`] (per endpoint, before every attempt).
//!
//! The floor of a read is endpoint metadata, [`EndpointInfo::poll_floor`], written by the provider
//! crate in the endpoint's definition (Qostiq bill status 10 s, withdraw and crypto withdraw status
//! 60 s); an endpoint without one (COINQVEST publishes none) is polled at most every
//! [`DEFAULT_POLL_FLOOR`]. This module names no provider operation.
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
use pay_core::endpoint::EndpointInfo;
use pay_core::error::{Delivery, Error, Provider, TransportError, TransportErrorKind};
use pay_store::{PollKey, PollTurns, StoreError, Turn};
use time::OffsetDateTime;

use crate::sleep::{Sleep, to_std, to_time};

/// The floor of a polled endpoint that declares none ([`EndpointInfo::poll_floor`] is `None`):
/// 10 s, pay-rs's own choice where the provider publishes nothing.
pub const DEFAULT_POLL_FLOOR: Duration = Duration::from_secs(10);

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

/// Minimum intervals between polls of one payment: each endpoint's own
/// [`EndpointInfo::poll_floor`] (or [`DEFAULT_POLL_FLOOR`]), optionally raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Floors {
    /// Every floor is at least this.
    at_least: Duration,
    /// Set only by [`Floors::below_provider_minimums_for_sandbox`]: the one floor of every read.
    sandbox: Option<Duration>,
}

impl Default for Floors {
    fn default() -> Self {
        Self::PROVIDER_MINIMUMS
    }
}

impl Floors {
    /// What the providers allow: each endpoint's declared floor (Qostiq bill status 10 s, withdraw
    /// and crypto withdraw status 60 s), [`DEFAULT_POLL_FLOOR`] where none is declared.
    pub const PROVIDER_MINIMUMS: Self = Self {
        at_least: Duration::ZERO,
        sandbox: None,
    };

    /// Floors at least `at_least` for every read, never below an endpoint's own floor.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pay_core::endpoint::EndpointInfo;
    /// use pay_transport::floors::Floors;
    /// # use pay_core::{error::Provider, retry::RetryClass};
    /// # const fn read(poll_floor: Option<Duration>) -> EndpointInfo {
    /// #     EndpointInfo { provider: Provider::Qostiq, name: "status", method: http::Method::POST,
    /// #         path: "/status", retry_class: RetryClass::Safe, poll_floor }
    /// # }
    /// let (bill, withdraw) = (read(Some(Duration::from_secs(10))), read(Some(Duration::from_secs(60))));
    /// let f = Floors::stricter(Duration::from_secs(30));
    /// assert_eq!(f.floor(&bill), Duration::from_secs(30));
    /// assert_eq!(f.floor(&withdraw), Duration::from_secs(60)); // its own floor is longer
    /// assert!(!f.is_below_provider_minimums());
    /// ```
    pub const fn stricter(at_least: Duration) -> Self {
        Self {
            at_least,
            sandbox: None,
        }
    }

    /// Floors **below what the providers allow**, for sandboxes and tests only: every read of one
    /// payment at most `every`. Against a real provider this gets the shop throttled or blocked.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pay_transport::floors::Floors;
    /// # use pay_core::{endpoint::EndpointInfo, error::Provider, retry::RetryClass};
    /// # let withdraw = EndpointInfo { provider: Provider::Qostiq, name: "status", method: http::Method::POST,
    /// #     path: "/status", retry_class: RetryClass::Safe, poll_floor: Some(Duration::from_secs(60)) };
    /// let fast = Floors::below_provider_minimums_for_sandbox(Duration::from_millis(10));
    /// assert_eq!(fast.floor(&withdraw), Duration::from_millis(10));
    /// assert!(fast.is_below_provider_minimums());
    /// ```
    pub const fn below_provider_minimums_for_sandbox(every: Duration) -> Self {
        Self {
            at_least: Duration::ZERO,
            sandbox: Some(every),
        }
    }

    /// The floor of reads of one payment through `endpoint`.
    pub fn floor(&self, endpoint: &EndpointInfo) -> Duration {
        match self.sandbox {
            Some(every) => every,
            None => endpoint
                .poll_floor
                .unwrap_or(DEFAULT_POLL_FLOOR)
                .max(self.at_least),
        }
    }

    /// Whether the floors replace the providers' minimums (only possible through
    /// [`Floors::below_provider_minimums_for_sandbox`]).
    pub fn is_below_provider_minimums(&self) -> bool {
        self.sandbox.is_some()
    }
}

/// A turn's key: (provider, endpoint name, payment id).
type Key = (Provider, &'static str, String);

/// Hands out polling turns per payment, (provider, endpoint name, payment id), at least the
/// endpoint's floor apart.
///
/// Turns are reserved under a lock, so concurrent pollers of the same key are spaced too. A turn is
/// the instant the caller is released to send; [`crate::Executor::execute_poll`] takes one before
/// every attempt, retries included, so the provider never sees two polls closer than the floor.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use pay_core::clock::{Clock, ManualClock};
/// use pay_core::endpoint::EndpointInfo;
/// use pay_transport::floors::{Floors, PollScheduler};
/// use pay_transport::sleep::VirtualSleep;
/// use time::macros::datetime;
/// # use pay_core::{error::Provider, retry::RetryClass};
/// # let withdraw_status = EndpointInfo { provider: Provider::Qostiq, name: "qostiq.withdraw.status",
/// #     method: http::Method::POST, path: "/withdraw/status", retry_class: RetryClass::Safe,
/// #     poll_floor: Some(Duration::from_secs(60)) };
///
/// let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
/// let polls = PollScheduler::new(Floors::PROVIDER_MINIMUMS, clock.clone(), Arc::new(VirtualSleep::new(clock.clone())));
/// # let waker = std::task::Waker::noop();
/// # let mut cx = std::task::Context::from_waker(&waker);
/// # let mut run = |f: std::pin::Pin<&mut dyn std::future::Future<Output = Result<time::OffsetDateTime, pay_core::error::Error>>>| match f.poll(&mut cx) { std::task::Poll::Ready(v) => v.unwrap(), _ => unreachable!() };
/// let first = run(std::pin::pin!(polls.wait_turn(&withdraw_status, "w-1")));
/// let other = run(std::pin::pin!(polls.wait_turn(&withdraw_status, "w-2")));
/// assert_eq!(other, first); // another payout: no wait
/// let second = run(std::pin::pin!(polls.wait_turn(&withdraw_status, "w-1")));
/// assert_eq!(second - first, time::Duration::seconds(60)); // the same payout waited, in virtual time
/// ```
#[derive(Debug)]
pub struct PollScheduler {
    floors: Floors,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
    /// Each key's last turn and the floor it was taken under.
    last: Mutex<HashMap<Key, (OffsetDateTime, time::Duration)>>,
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

    /// Waits until payment `payment` may be read through `endpoint` (its provider and name key
    /// the turn, its [`EndpointInfo::poll_floor`] spaces them), and returns the instant of the
    /// turn. `payment` is the id the poll asks about (a `shop_payment_id`, a withdrawal id, a
    /// checkout id); the same payment asked about by two different ids (Qostiq's id and the
    /// shop's) has two keys, so poll one payment by one id.
    ///
    /// Cancel-safe: dropping the future before it completes gives the turn back if no later turn
    /// was reserved after it (otherwise the gap stays, which only errs on the slow side).
    ///
    /// Fails only with shared turns whose store cannot be reached: the poll must not be sent.
    pub async fn wait_turn(
        &self,
        endpoint: &EndpointInfo,
        payment: &str,
    ) -> Result<OffsetDateTime, Error> {
        let floor = self.floors.floor(endpoint);
        if let Some(shared) = &self.shared {
            let key = PollKey {
                provider: endpoint.provider,
                operation: endpoint.name,
                subject: payment,
            };
            let turn = shared.0.reserve(&key, floor).await.map_err(|e| {
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
        let key: Key = (endpoint.provider, endpoint.name, payment.to_owned());
        Ok(self.local_turn(key, to_time(floor)).await)
    }

    /// A turn kept in this process's memory.
    async fn local_turn(&self, key: Key, floor: time::Duration) -> OffsetDateTime {
        let now = self.clock.now();
        let (slot, previous) = {
            let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            if last.len() > PRUNE_ABOVE {
                last.retain(|_, (at, floor)| at.saturating_add(*floor) > now);
            }
            let previous = last.get(&key).copied();
            let slot = previous.map_or(now, |(p, _)| p.saturating_add(floor).max(now));
            last.insert(key.clone(), (slot, floor));
            (slot, previous)
        };
        let mut guard = Reservation {
            scheduler: self,
            key: Some(key),
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
    previous: Option<(OffsetDateTime, time::Duration)>,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let mut last = self
            .scheduler
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.get(&key).map(|(at, _)| at) == Some(&self.slot) {
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
    use crate::support::block_on;
    use pay_core::clock::ManualClock;
    use std::future::Future;
    use std::task::Context;
    use time::macros::datetime;

    fn scheduler(floors: Floors) -> (Arc<ManualClock>, PollScheduler) {
        let clock = Arc::new(ManualClock::new(datetime!(2024-01-01 0:00 UTC)));
        let sleep = Arc::new(VirtualSleep::new(clock.clone()));
        (clock.clone(), PollScheduler::new(floors, clock, sleep))
    }

    const fn read(
        provider: Provider,
        name: &'static str,
        poll_floor: Option<Duration>,
    ) -> EndpointInfo {
        EndpointInfo {
            provider,
            name,
            method: http::Method::POST,
            path: "/status",
            retry_class: pay_core::retry::RetryClass::Safe,
            poll_floor,
        }
    }

    const Q: Provider = Provider::Qostiq;
    static BILL: EndpointInfo = read(Q, "bill", Some(Duration::from_secs(10)));
    static WITHDRAW: EndpointInfo = read(Q, "withdraw", Some(Duration::from_secs(60)));
    static UNDECLARED: EndpointInfo = read(Provider::Coinqvest, "withdrawal", None);

    #[test]
    fn provider_minimums() {
        let f = Floors::PROVIDER_MINIMUMS;
        assert_eq!(f.floor(&BILL), Duration::from_secs(10));
        assert_eq!(f.floor(&WITHDRAW), Duration::from_secs(60));
        assert_eq!(f.floor(&UNDECLARED), DEFAULT_POLL_FLOOR);
        assert_eq!(f, Floors::default());
        assert_eq!(Floors::stricter(Duration::ZERO), f);
        let raised = Floors::stricter(Duration::from_secs(30));
        assert_eq!(raised.floor(&BILL), Duration::from_secs(30));
        assert_eq!(raised.floor(&WITHDRAW), Duration::from_secs(60));
        assert!(!f.is_below_provider_minimums());
        assert!(!raised.is_below_provider_minimums());
    }

    #[test]
    fn payments_providers_and_endpoints_are_independent() {
        let (clock, s) = scheduler(Floors::PROVIDER_MINIMUMS);
        let t0 = clock.now();
        let turn = |endpoint: &EndpointInfo, payment: &str| {
            block_on(s.wait_turn(endpoint, payment)).unwrap()
        };
        assert_eq!(turn(&BILL, "a"), t0);
        assert_eq!(turn(&BILL, "b"), t0);
        assert_eq!(turn(&WITHDRAW, "a"), t0);
        assert_eq!(turn(&UNDECLARED, "a"), t0);
        // The same name at another provider is another key.
        assert_eq!(turn(&read(Provider::Coinqvest, "bill", None), "a"), t0);
        assert_eq!(turn(&BILL, "a"), t0 + time::Duration::seconds(10));
        // Its own floor had passed meanwhile: no further wait.
        assert_eq!(turn(&UNDECLARED, "a"), t0 + time::Duration::seconds(10));
        assert_eq!(turn(&UNDECLARED, "a"), t0 + time::Duration::seconds(20));
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
        let key: Key = (Q, WITHDRAW.name, "a".to_owned());
        let last = |key: &Key| s.last.lock().unwrap().get(key).map(|(at, _)| *at);
        assert_eq!(block_on(s.wait_turn(&WITHDRAW, "a")).unwrap(), t0);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut waiting = Box::pin(s.wait_turn(&WITHDRAW, "a"));
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        assert_eq!(last(&key), Some(t0 + time::Duration::seconds(60)));
        drop(waiting); // cancelled while waiting
        assert_eq!(last(&key), Some(t0));

        // A cancelled first poll leaves no trace at all.
        let other: Key = (Q, BILL.name, "b".to_owned());
        clock.advance(time::Duration::seconds(1));
        assert_eq!(block_on(s.wait_turn(&BILL, "b")).unwrap(), clock.now());
        s.last.lock().unwrap().remove(&other);
        assert!(last(&other).is_none());
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
        let a = block_on(s.wait_turn(&BILL, "k")).unwrap();
        block_on(s.wait_turn(&BILL, "k")).unwrap();
        assert!(clock.now() - a >= time::Duration::seconds(10));
    }
}
