//! N receivers, one deduplication store: two receivers, each with its own handle on the same
//! store (their own connection or pool), receive the same 1,000 signed webhooks interleaved and
//! concurrently, as a provider redelivering to two instances behind a load balancer would. Every
//! event reaches a handler exactly once.
//!
//! On SQLite (two handles on one file) always; on PostgreSQL (two pools on one database) when
//! `PAY_TEST_POSTGRES_URL` is set (`.ci/postgres.sh`), failing under `CI=true` without it.
#![allow(clippy::unwrap_used)] // test code

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use pay_store::{Store, StoreConfig};
use pay_webhook::{Event, Outcome, Receiver, scheme::Coinqvest};
use tokio::sync::Semaphore;

const SECRET: &str = "Shared-Store-Webhook-Secret";
const EVENTS: usize = 1_000;

type Counts = Arc<Mutex<HashMap<String, usize>>>;

async fn handle(store: &str) -> Store {
    store
        .parse::<StoreConfig>()
        .unwrap()
        .pool_size(8)
        .open()
        .await
        .unwrap()
}

/// A receiver on its own store handle whose handler counts each event it applies.
async fn receiver(
    url: &str,
    counts: Counts,
) -> Receiver<Coinqvest, impl pay_webhook::Handler, Store> {
    let store = handle(url).await;
    support::coinqvest_receiver(SECRET).build_with_store(
        move |event: Event| {
            let counts = counts.clone();
            async move {
                // Widen the window between claim and complete.
                tokio::task::yield_now().await;
                *counts
                    .lock()
                    .unwrap()
                    .entry(event.identity().event_key())
                    .or_default() += 1;
                Ok::<(), std::io::Error>(())
            }
        },
        store,
    )
}

fn delivery(n: usize) -> Request<Full<Bytes>> {
    support::coinqvest_post(
        SECRET,
        support::coinqvest_payment(&format!("ev{n:05}"), "RESOLVED"),
    )
}

/// Delivers event `n` to `receiver` as a provider does: again after a `503` (another delivery of
/// it is being handled), until it is acknowledged.
async fn deliver(
    receiver: &Receiver<Coinqvest, impl pay_webhook::Handler, Store>,
    n: usize,
) -> Outcome {
    loop {
        match receiver.receive(delivery(n)).await {
            Outcome::InProgress => tokio::time::sleep(Duration::from_millis(5)).await,
            Outcome::StoreFailed => tokio::time::sleep(Duration::from_millis(20)).await,
            done => return done,
        }
    }
}

async fn two_receivers_apply_each_event_once(url: String) {
    let counts: Counts = Arc::default();
    let a = Arc::new(receiver(&url, counts.clone()).await);
    let b = Arc::new(receiver(&url, counts.clone()).await);
    let limit = Arc::new(Semaphore::new(32));
    let mut tasks = Vec::with_capacity(EVENTS * 2);
    for n in 0..EVENTS {
        // Interleaved: even events reach A first, odd ones B first.
        let pair = if n % 2 == 0 {
            [a.clone(), b.clone()]
        } else {
            [b.clone(), a.clone()]
        };
        for r in pair {
            let limit = limit.clone();
            tasks.push(tokio::spawn(async move {
                let _permit = limit.acquire().await.unwrap();
                deliver(&r, n).await
            }));
        }
    }
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for task in tasks {
        let outcome = task.await.unwrap();
        *outcomes.entry(format!("{outcome:?}")).or_default() += 1;
    }
    assert_eq!(outcomes.get("Applied"), Some(&EVENTS), "{outcomes:?}");
    assert_eq!(outcomes.get("Duplicate"), Some(&EVENTS), "{outcomes:?}");
    let counts = counts.lock().unwrap();
    assert_eq!(counts.len(), EVENTS);
    let twice: Vec<_> = counts.iter().filter(|(_, c)| **c != 1).collect();
    assert!(twice.is_empty(), "applied more than once: {twice:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_receivers_on_one_sqlite_file_apply_each_event_once() {
    let dir = pay_store::testing::TempDir::new().unwrap();
    two_receivers_apply_each_event_once(dir.sqlite_url("dedup.db")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_receivers_on_one_postgres_database_apply_each_event_once() {
    let Some(base) = pay_store::testing::postgres_url() else {
        return;
    };
    let url = pay_store::testing::fresh_schema(&base).await.unwrap();
    two_receivers_apply_each_event_once(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_shared_store_two_receivers_apply_an_event_twice() {
    // What the shared store prevents: two receivers on their own memory stores each apply it.
    let counts: Counts = Arc::default();
    let handler = |counts: Counts| {
        move |event: Event| {
            let counts = counts.clone();
            async move {
                *counts
                    .lock()
                    .unwrap()
                    .entry(event.identity().event_key())
                    .or_default() += 1;
                Ok::<(), std::io::Error>(())
            }
        }
    };
    let a = support::coinqvest_receiver(SECRET).build(handler(counts.clone()));
    let b = support::coinqvest_receiver(SECRET).build(handler(counts.clone()));
    assert_eq!(a.receive(delivery(1)).await, Outcome::Applied);
    assert_eq!(b.receive(delivery(1)).await, Outcome::Applied);
    assert_eq!(counts.lock().unwrap().values().sum::<usize>(), 2);
}
