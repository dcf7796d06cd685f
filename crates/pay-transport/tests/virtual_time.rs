//! Retries, backoff, the retry budget, rate limits, timeouts and polling floors in virtual time:
//! a scripted `service_fn` transport, a `ManualClock` and a `VirtualSleep` that advances it.
#![allow(clippy::unwrap_used)] // test code

mod support;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Context;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use pay_core::clock::{Clock, ManualClock};
use pay_core::error::{
    Delivery, Error, Provider, RequestOutcome, TransportError, TransportErrorKind,
};
use pay_core::secret::Secret;
use pay_signing::coinqvest::DigestSigner;
use pay_transport::floors::{Floors, PollScheduler};
use pay_transport::rate_limit::{Rate, RateLimits};
use pay_transport::retry::{RetryBudget, RetryPolicy};
use pay_transport::service::{HttpService, service_fn};
use pay_transport::sleep::VirtualSleep;
use pay_transport::{Ending, Executor, ExecutorBuilder};
use support::*;
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2024-11-18 13:41:57 UTC);

fn clock() -> (Arc<ManualClock>, Arc<VirtualSleep>) {
    let clock = Arc::new(ManualClock::new(T0));
    let sleep = Arc::new(VirtualSleep::new(clock.clone()));
    (clock, sleep)
}

fn status(code: u16) -> Result<Response<Bytes>, TransportError> {
    Ok(Response::builder()
        .status(code)
        .body(Bytes::from_static(b"{}"))
        .unwrap())
}

/// A transport answering `code` to every request, and how many requests it answered.
fn counting(code: u16) -> (Arc<AtomicUsize>, impl HttpService + use<>) {
    counting_with(move |_| status(code))
}

/// A transport answering the `i`th request (from 0) with `answer(i)`, and how many requests it
/// answered.
fn counting_with(
    answer: impl Fn(usize) -> Result<Response<Bytes>, TransportError> + Clone + Send + Sync + 'static,
) -> (Arc<AtomicUsize>, impl HttpService) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let transport = service_fn(move |_| {
        let answered = answer(h.fetch_add(1, Ordering::SeqCst));
        async move { answered }
    });
    (hits, transport)
}

/// An executor on `transport` to `https://api.test`, in virtual time on `clock` and `sleep`.
fn virtual_executor<S: HttpService>(
    transport: S,
    clock: &Arc<ManualClock>,
    sleep: &Arc<VirtualSleep>,
) -> ExecutorBuilder<S> {
    Executor::builder(transport, "https://api.test".parse().unwrap())
        .clock(clock.clone())
        .sleep(sleep.clone())
}

#[test]
fn a_full_5xx_outage_is_capped_by_the_retry_budget() {
    let (clock, sleep) = clock();
    let (hits, transport) = counting(503);
    let budget = Arc::new(RetryBudget::standard());
    let exec = virtual_executor(transport, &clock, &sleep)
        .retry_budget(budget.clone())
        .retry_policy(RetryPolicy::standard().with_max_attempts(5))
        .build()
        .unwrap();
    let mut endings = HashMap::new();
    for _ in 0..1_000 {
        let e = run(exec.execute(&WithdrawStatus::default(), &())).unwrap_err();
        *endings.entry(e.ending()).or_insert(0) += 1;
    }
    let extra = hits.load(Ordering::SeqCst) - 1_000;
    assert!(extra <= 500 / 5, "extra attempts {extra} exceed the budget");
    assert_eq!(extra, 100, "the whole budget is used, then no more");
    assert_eq!(budget.available(), 0);
    assert!(endings[&Ending::BudgetExhausted] >= 975, "{endings:?}");
}

#[test]
fn transport_failure_retries_cost_double() {
    let (clock, sleep) = clock();
    let (hits, transport) = counting_with(|_| {
        Err(TransportError::new(
            TransportErrorKind::ConnectionClosed,
            Delivery::MaybeSent,
            None,
        ))
    });
    let exec = virtual_executor(transport, &clock, &sleep).build().unwrap();
    for _ in 0..1_000 {
        run(exec.execute(&WithdrawStatus::default(), &())).unwrap_err();
    }
    assert_eq!(hits.load(Ordering::SeqCst) - 1_000, 500 / 10);
}

#[test]
fn the_budget_refills_on_success() {
    let (clock, sleep) = clock();
    // Every other request fails once, then succeeds.
    let (_, transport) = counting_with(|i| status(if i.is_multiple_of(2) { 503 } else { 200 }));
    let budget = Arc::new(RetryBudget::standard());
    let exec = virtual_executor(transport, &clock, &sleep)
        .retry_budget(budget.clone())
        .build()
        .unwrap();
    for _ in 0..1_000 {
        assert_eq!(
            run(exec.execute(&WithdrawStatus::default(), &()))
                .unwrap()
                .attempts,
            2
        );
    }
    assert_eq!(
        budget.available(),
        500,
        "a successful retry gives its tokens back"
    );
}

#[test]
fn backoff_stays_within_its_bounds_for_every_attempt() {
    let policy = RetryPolicy::standard()
        .with_max_attempts(12)
        .with_backoff(Duration::from_millis(100), Duration::from_secs(10));
    for seed in 0..200u64 {
        let (clock, sleep) = clock();
        let transport = service_fn(|_| async { status(500) });
        let exec = virtual_executor(transport, &clock, &sleep)
            .retry_policy(policy)
            .retry_budget(Arc::new(RetryBudget::new(u32::MAX, 5, 10)))
            .rng_seed(seed)
            .build()
            .unwrap();
        let e = run(exec.execute(&WithdrawStatus::default(), &())).unwrap_err();
        assert_eq!(e.attempts(), 12);
        let delays = sleep.slept();
        assert_eq!(delays.len(), 11, "one backoff before each retry");
        for (i, d) in delays.iter().enumerate() {
            let retry = u32::try_from(i).unwrap() + 1;
            let bound = Duration::from_millis(100)
                .saturating_mul(1 << (retry - 1))
                .min(Duration::from_secs(10));
            assert_eq!(policy.backoff_bound(retry), bound);
            assert!(*d <= bound, "seed {seed} retry {retry}: {d:?} > {bound:?}");
            assert!(*d <= policy.max_delay());
        }
    }
    // Full jitter really spreads: over many samples the mean of retry 5 is near half its bound.
    let mut rng = fastrand_like(42);
    let total: u128 = (0..10_000)
        .map(|_| policy.backoff(5, rng()).as_millis())
        .sum();
    let mean = total / 10_000;
    assert!(
        (700..=900).contains(&mean),
        "mean {mean} ms for a 1600 ms bound"
    );
}

/// A tiny xorshift so the test does not depend on the crate's RNG.
fn fastrand_like(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[test]
fn every_attempt_is_signed_again_with_a_fresh_timestamp() {
    let (clock, sleep) = clock();
    let seen: Log<Request<Bytes>> = Log::default();
    let s = seen.clone();
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    // Two 503s with Retry-After (seconds, then an HTTP-date), then success.
    let transport = service_fn(move |req: Request<Bytes>| {
        s.push(req);
        let i = c.fetch_add(1, Ordering::SeqCst);
        async move {
            let r = match i {
                0 => Response::builder().status(503).header("retry-after", "7"),
                1 => Response::builder()
                    .status(503)
                    .header("retry-after", "Mon, 18 Nov 2024 13:42:34 GMT"),
                _ => Response::builder().status(200),
            };
            Ok(r.body(Bytes::from_static(b"{}")).unwrap())
        }
    });
    let signer = DigestSigner::new("key-1", Secret::new("api-secret-value").unwrap());
    let exec = Executor::builder(
        transport,
        "https://www.coinqvest.com/api/v1".parse().unwrap(),
    )
    .clock(clock.clone())
    .sleep(sleep.clone())
    .authenticator(Arc::new(signer.clone()))
    .build()
    .unwrap();
    let ok = run(exec.execute(&GetCheckout::default(), &())).unwrap();
    assert_eq!(ok.attempts, 3);
    // Retry-After honoured exactly: 7 s, then until 13:42:34 (57 + 7 = 13:42:04 → 30 s).
    assert_eq!(
        sleep.slept(),
        [Duration::from_secs(7), Duration::from_secs(30)]
    );
    let requests = seen.all();
    let stamps: Vec<i64> = requests
        .iter()
        .map(|r| {
            r.headers()["x-digest-timestamp"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(
        stamps,
        [
            T0.unix_timestamp(),
            T0.unix_timestamp() + 7,
            T0.unix_timestamp() + 37
        ]
    );
    for (r, ts) in requests.iter().zip(&stamps) {
        assert_eq!(r.uri(), "https://www.coinqvest.com/api/v1/checkout");
        // Signed over the path relative to /api/v1 and this attempt's timestamp.
        let expected = signer.sign("/checkout", *ts, r.method(), r.body());
        assert_eq!(
            r.headers()["x-digest-signature"],
            expected.signature.as_str()
        );
    }
}

#[test]
fn payouts_with_unknown_outcomes_are_sent_once_and_handed_to_recovery() {
    for failure in [
        Err(TransportError::new(
            TransportErrorKind::Timeout,
            Delivery::MaybeSent,
            None,
        )),
        Err(TransportError::new(
            TransportErrorKind::TruncatedBody,
            Delivery::MaybeSent,
            None,
        )),
        status(500),
        status(504),
    ] {
        let (clock, sleep) = clock();
        let failure = Arc::new(std::sync::Mutex::new(Some(failure)));
        let (hits, transport) = counting_with(move |_| {
            failure
                .lock()
                .unwrap()
                .take()
                .unwrap_or_else(|| status(200))
        });
        let exec = virtual_executor(transport, &clock, &sleep).build().unwrap();
        let e = run(exec.execute(&CreateWithdraw::default(), &())).unwrap_err();
        assert!(e.needs_recovery());
        assert_eq!(e.outcome(), RequestOutcome::Unknown);
        assert_eq!((e.attempts(), hits.load(Ordering::SeqCst)), (1, 1));
    }
}

#[test]
fn undecodable_answers_are_unknown() {
    let (clock, sleep) = clock();
    let (hits, transport) =
        counting_with(|_| Ok(Response::new(Bytes::from_static(b"<html>proxy</html>"))));
    let exec = virtual_executor(transport, &clock, &sleep).build().unwrap();
    let e = run(exec.execute(&CreateWithdraw::default(), &())).unwrap_err();
    assert!(matches!(e.error(), Error::Undecodable { .. }));
    assert!(e.needs_recovery());
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // A read is retried up to the limit.
    let e = run(exec.execute(&WithdrawStatus::default(), &())).unwrap_err();
    assert_eq!(e.ending(), Ending::AttemptsExhausted);
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}

#[test]
fn attempts_time_out_in_virtual_time_as_maybe_sent() {
    let (clock, sleep) = clock();
    let transport =
        service_fn(|_| std::future::pending::<Result<Response<Bytes>, TransportError>>());
    let exec = virtual_executor(transport, &clock, &sleep)
        .attempt_timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let e = run(exec.execute(&CreateWithdraw::default(), &())).unwrap_err();
    assert!(e.needs_recovery());
    match e.error() {
        Error::Transport(t) => {
            assert_eq!(
                (t.kind, t.delivery),
                (TransportErrorKind::Timeout, Delivery::MaybeSent)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(clock.now() - T0, time::Duration::seconds(20));
}

#[test]
fn errors_before_sending_make_no_attempt() {
    let (clock, sleep) = clock();
    let (hits, transport) = counting(200);
    #[derive(Debug)]
    struct Broken;
    impl pay_core::endpoint::Authenticate for Broken {
        fn authenticate(&self, _: &mut Request<Bytes>, _: OffsetDateTime) -> Result<(), Error> {
            Err(Error::invalid_input("api_key", "not a valid header value"))
        }
    }
    let exec = virtual_executor(transport, &clock, &sleep)
        .authenticator(Arc::new(Broken))
        .build()
        .unwrap();
    let e = run(exec.execute(&CreateWithdraw::default(), &())).unwrap_err();
    assert_eq!(e.outcome(), RequestOutcome::NotSent);
    assert_eq!(e.ending(), Ending::Final);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn rate_limits_space_attempts_per_endpoint() {
    let (clock, sleep) = clock();
    let sent: Log<(&'static str, OffsetDateTime)> = Log::default();
    let s = sent.clone();
    let c = clock.clone();
    let transport = service_fn(move |req: Request<Bytes>| {
        let name = if req.uri().path().ends_with("status") {
            "status"
        } else {
            "create"
        };
        s.push((name, c.now()));
        async { status(200) }
    });
    let exec = virtual_executor(transport, &clock, &sleep)
        .rate_limits(RateLimits::none().with_endpoint(
            "qostiq.withdraw.status",
            Rate::new(2, Duration::from_secs(1)).with_burst(2),
        ))
        .build()
        .unwrap();
    for _ in 0..6 {
        run(exec.execute(&WithdrawStatus::default(), &())).unwrap();
        run(exec.execute(&CreateWithdraw::default(), &())).unwrap();
    }
    let offsets: Vec<i128> = sent
        .all()
        .iter()
        .filter(|(n, _)| *n == "status")
        .map(|(_, t)| (*t - T0).whole_milliseconds())
        .collect();
    assert_eq!(offsets, [0, 0, 500, 1_000, 1_500, 2_000]);
}

#[test]
fn a_hundred_thousand_polls_never_break_a_floor() {
    let (clock, sleep) = clock();
    let polls = PollScheduler::new(Floors::PROVIDER_MINIMUMS, clock.clone(), sleep);
    let ops = [
        info(
            Provider::Qostiq,
            "bill_status",
            Method::POST,
            "/b",
            RetryClass::Safe,
            Some(Duration::from_secs(10)),
        ),
        WithdrawStatus::INFO,
        info(
            Provider::Qostiq,
            "crypto_withdraw_status",
            Method::POST,
            "/c",
            RetryClass::Safe,
            Some(Duration::from_secs(60)),
        ),
        GetCheckout::INFO,
    ];
    let keys = ["w-1", "w-2", "bill-3", "chk-9"];
    let mut rng = fastrand_like(0x5eed);
    let mut last: HashMap<(usize, usize), OffsetDateTime> = HashMap::new();
    let mut waited = 0u32;
    for _ in 0..100_000 {
        let r = rng();
        let key = usize::try_from(r % 4).unwrap();
        let op = usize::try_from((r >> 8) % 4).unwrap();
        // Callers come at random moments: often too early, sometimes late.
        clock.advance(time::Duration::milliseconds(
            i64::try_from((r >> 16) % 20_000).unwrap(),
        ));
        let before = clock.now();
        let turn = run(polls.wait_turn(&ops[op], keys[key])).unwrap();
        let now = clock.now();
        assert_eq!(turn, now);
        if now > before {
            waited += 1;
        }
        if let Some(prev) = last.insert((key, op), now) {
            let floor = Floors::PROVIDER_MINIMUMS.floor(&ops[op]);
            assert!(
                now - prev >= time::Duration::try_from(floor).unwrap(),
                "{} {} polled after {} (< {floor:?})",
                keys[key],
                ops[op].name,
                now - prev
            );
        }
    }
    assert!(waited > 10_000, "the test must exercise waiting ({waited})");
}

#[test]
fn polled_reads_respect_the_floor_on_every_attempt_including_retries() {
    let (clock, sleep) = clock();
    let sent: Log<OffsetDateTime> = Log::default();
    let s = sent.clone();
    let c = clock.clone();
    let n = Arc::new(AtomicUsize::new(0));
    let k = n.clone();
    let transport = service_fn(move |_| {
        s.push(c.now());
        let i = k.fetch_add(1, Ordering::SeqCst);
        async move { status(if i % 3 == 2 { 200 } else { 502 }) }
    });
    let exec = virtual_executor(transport, &clock, &sleep).build().unwrap();
    for _ in 0..20 {
        let ok = run(exec.execute_poll(&WithdrawStatus::default(), &(), "w-1")).unwrap();
        assert_eq!(ok.attempts, 3);
    }
    let times = sent.all();
    assert_eq!(times.len(), 60);
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= time::Duration::seconds(60));
    }
}

#[test]
fn sandbox_floors_are_explicit() {
    let (clock, sleep) = clock();
    let polls = PollScheduler::new(
        Floors::below_provider_minimums_for_sandbox(Duration::from_millis(5)),
        clock.clone(),
        sleep,
    );
    assert!(polls.floors().is_below_provider_minimums());
    run(polls.wait_turn(&WithdrawStatus::INFO, "s")).unwrap();
    run(polls.wait_turn(&WithdrawStatus::INFO, "s")).unwrap();
    assert_eq!(clock.now() - T0, time::Duration::milliseconds(5));
}

#[test]
fn dropping_a_call_cancels_the_attempt_in_flight() {
    /// Waits forever: the call stays in flight until dropped.
    #[derive(Debug)]
    struct Forever;
    impl pay_transport::sleep::Sleep for Forever {
        fn sleep(&self, _: Duration) -> pay_transport::sleep::SleepFuture {
            Box::pin(std::future::pending())
        }
    }
    /// Sets its flag when the transport's future is dropped.
    struct DropFlag(Arc<AtomicUsize>);
    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let (clock, _) = clock();
    let hits = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    let (h, d) = (hits.clone(), dropped.clone());
    let transport = service_fn(move |_| {
        h.fetch_add(1, Ordering::SeqCst);
        let flag = DropFlag(d.clone());
        async move {
            std::future::pending::<()>().await;
            drop(flag);
            status(200)
        }
    });
    let exec = Executor::builder(transport, "https://api.test".parse().unwrap())
        .clock(clock)
        .sleep(Arc::new(Forever))
        .build()
        .unwrap();
    let endpoint = CreateWithdraw::default();
    let mut call = Box::pin(exec.execute(&endpoint, &()));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert!(call.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the attempt was handed to the transport"
    );
    assert_eq!(dropped.load(Ordering::SeqCst), 0);
    drop(call);
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "the in-flight request is dropped with the call"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1, "and nothing is sent again");
}

#[test]
fn status_codes_map_to_provider_errors_with_the_right_outcome() {
    let (clock, sleep) = clock();
    let transport = service_fn(|_| async { status(429) });
    let exec = virtual_executor(transport, &clock, &sleep).build().unwrap();
    let e = run(exec.execute(&CreateWithdraw::default(), &())).unwrap_err();
    assert_eq!(e.ending(), Ending::AttemptsExhausted);
    assert_eq!(e.outcome(), RequestOutcome::Refused);
    assert_eq!(e.attempts(), 3);
    assert!(matches!(e.error(), Error::Provider(p) if p.status == StatusCode::TOO_MANY_REQUESTS));
}
