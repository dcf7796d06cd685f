//! Attacks on intake through the receiver: every forgery of every genuine Qostiq callback vector
//! (`pay_signing::qostiq::forgery`), a replay after the provider's redelivery window, and the
//! answers the sender sees. (Log injection: `tests/log_injection.rs`.)
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::print_stdout)] // test code

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http::StatusCode;
use http_body_util::BodyExt;
use pay_core::clock::ManualClock;
use pay_signing::qostiq::forgery::{ForgeryClass, each_forgery};
use pay_webhook::scheme::{Coinqvest, Qostiq, Scheme};
use pay_webhook::{DedupPolicy, MemoryStore};
use pay_webhook::{Event, EventIdentity, Outcome, Rejection};
use support::post;
use time::macros::datetime;
use tower_service::Service;

const SECRET: &str = support::QOSTIQ_SECRET;
const CUSTOM: [&str; 2] = ["test_add_on", "email"];

fn genuine() -> Vec<String> {
    pay_testdata::genuine_qostiq_callbacks(SECRET)
}

/// The identities a [`recorder`] handler applied.
type Applied = Arc<Mutex<Vec<EventIdentity>>>;

/// A handler recording the identity of every event it applies.
fn recorder() -> (
    Applied,
    impl Fn(Event) -> std::future::Ready<Result<(), std::io::Error>> + Clone,
) {
    let applied = Applied::default();
    let sink = applied.clone();
    (applied, move |event: Event| {
        sink.lock().unwrap().push(event.identity().clone());
        std::future::ready(Ok(()))
    })
}

#[tokio::test]
async fn every_forgery_is_refused_or_a_duplicate_of_the_genuine_event() {
    let (applied, handler) = recorder();
    let receiver = support::qostiq_receiver()
        .verifier(|v| v.custom_fields(CUSTOM))
        .unwrap()
        .build(handler);
    let mut counts: BTreeMap<ForgeryClass, (usize, usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (i, body) in genuine().iter().enumerate() {
        assert_eq!(receiver.receive(post(body.clone())).await, Outcome::Applied);
        let mut forged = Vec::new();
        each_forgery(body.as_bytes(), &CUSTOM, |class, f| {
            forged.push((class, f.to_owned()))
        })
        .unwrap();
        for (class, body) in forged {
            let entry = counts.entry(class).or_default();
            entry.0 += 1;
            match receiver.receive(post(body.clone())).await {
                // Signed, so never a signature failure: a 400 naming nothing to the sender.
                Outcome::Rejected(Rejection::Verification(e)) if !e.is_signature_failure() => {
                    entry.1 += 1;
                }
                Outcome::Duplicate => entry.2 += 1,
                other => wrong.push(format!("{class}: {other:?}: {body}")),
            }
        }
        assert_eq!(
            applied.lock().unwrap().len(),
            i + 1,
            "a forgery reached the handler"
        );
    }
    println!("receiver (generated / refused / duplicate of the genuine event): {counts:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(counts.values().map(|c| c.0).sum::<usize>() > 5_000);
    // What the sender of a refused forgery sees: the status and its reason phrase, nothing else.
    let rekeyed = genuine()[0].replace("callback_type", "callback_typ");
    let mut service = receiver.clone();
    let response = service.call(post(rekeyed)).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "Bad Request");
}

#[tokio::test]
async fn the_default_store_outlasts_every_redelivery_window() {
    // The default store's retention (`MemoryStore::new` keeps `DedupPolicy::default`).
    let retention = time::Duration::try_from(DedupPolicy::default().retention).unwrap();
    assert!(retention > Qostiq::REDELIVERY_WINDOW);
    assert!(retention > Coinqvest::REDELIVERY_WINDOW);
    // The last redelivery of each provider, a minute after its window, is still a duplicate.
    let t0 = datetime!(2026-11-30 10:00 UTC);
    let calls = Arc::new(AtomicUsize::new(0));
    let counting = |calls: Arc<AtomicUsize>| {
        move |_: Event| {
            calls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok::<(), std::io::Error>(()))
        }
    };
    let clock = Arc::new(ManualClock::new(t0));
    let qostiq = support::qostiq_receiver()
        .verifier(|v| v.custom_fields(["test_add_on"]))
        .unwrap()
        .build_with_store(
            counting(calls.clone()),
            MemoryStore::with_clock(clock.clone()),
        );
    let body = genuine()[0].clone();
    assert_eq!(qostiq.receive(post(body.clone())).await, Outcome::Applied);
    clock.advance(Qostiq::REDELIVERY_WINDOW + time::Duration::minutes(1));
    assert_eq!(qostiq.receive(post(body)).await, Outcome::Duplicate);

    let clock = Arc::new(ManualClock::new(t0));
    let coinqvest = support::coinqvest_receiver(SECRET).build_with_store(
        counting(calls.clone()),
        MemoryStore::with_clock(clock.clone()),
    );
    let body = support::coinqvest_seed_payment();
    let request = || support::coinqvest_post(SECRET, body.clone());
    assert_eq!(coinqvest.receive(request()).await, Outcome::Applied);
    clock.advance(Coinqvest::REDELIVERY_WINDOW + time::Duration::minutes(1));
    assert_eq!(coinqvest.receive(request()).await, Outcome::Duplicate);
    // … and forgotten once the retention is over.
    clock.advance(retention);
    assert_eq!(coinqvest.receive(request()).await, Outcome::Applied);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}
