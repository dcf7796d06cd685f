//! pay-store: what journaling costs per payout, and deduplication claims per second, per backend.
//!
//! `cargo bench -p pay-store --features postgres --bench store`; the PostgreSQL rows run when
//! `PAY_TEST_POSTGRES_URL` is set (`.ci/postgres.sh cargo xtask bench store` provides a server).
//! SQLite files live under `target/` (a real disk: `/tmp` may be memory, where `fsync` is free).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use pay_core::error::Provider;
use pay_store::testing::begin_attempted;
use pay_store::{
    Claim, DedupKey, DedupStore, EvidenceKind, Finality, IntentJournal, IntentKey, Outcome,
    OwnerId, Store, StoreConfig,
};
use serde_json::json;
use tokio::runtime::Runtime;

/// Concurrent callers in the throughput rows.
const CONCURRENCY: u64 = 16;

struct Backend {
    name: &'static str,
    store: Store,
    _dir: Option<TempDir>,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn backends(runtime: &Runtime) -> Vec<Backend> {
    let mut backends = vec![Backend {
        name: "memory",
        store: runtime.block_on(async {
            "memory:"
                .parse::<StoreConfig>()
                .unwrap()
                .open()
                .await
                .unwrap()
        }),
        _dir: None,
    }];
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pay-store-bench-{:016x}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("bench.db").display());
    backends.push(Backend {
        name: "sqlite",
        store: runtime
            .block_on(async { url.parse::<StoreConfig>().unwrap().open().await.unwrap() }),
        _dir: Some(TempDir(dir)),
    });
    match std::env::var("PAY_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => backends.push(Backend {
            name: "postgres",
            store: runtime.block_on(async {
                url.parse::<StoreConfig>()
                    .unwrap()
                    .pool_size(CONCURRENCY as usize)
                    .open()
                    .await
                    .unwrap()
            }),
            _dir: None,
        }),
        _ => eprintln!("pay-store bench: PAY_TEST_POSTGRES_URL not set, PostgreSQL skipped"),
    }
    backends
}

/// One payout's journal writes: begin, the attempt, one lookup, the outcome.
async fn journal_one(store: &Store, owner: &OwnerId, id: u64) {
    let key = IntentKey::new(Provider::Qostiq, "withdraw", format!("bench-{id}"));
    let payload = json!({"amount": "10.00", "currency": "USD", "account": "4111111111111111", "payway": "card_usd"});
    let lease = begin_attempted(store, &key, &payload, owner, Duration::from_secs(60))
        .await
        .unwrap();
    store
        .record(
            &lease,
            EvidenceKind::Lookup,
            &json!({"status": "success", "payment_id": id}),
        )
        .await
        .unwrap();
    store
        .finish(
            &lease,
            &Outcome {
                name: "paid".into(),
                detail: json!({"payment_id": id}),
            },
        )
        .await
        .unwrap();
}

/// One new webhook event: claim (Proceed) then complete.
async fn dedup_one(store: &Store, id: u64) {
    let event = format!("qostiq|withdraw|{id}|success");
    let object = format!("qostiq|withdraw|{id}");
    let key = DedupKey {
        event: &event,
        object: &object,
        finality: Finality::Terminal,
    };
    assert_eq!(store.claim(&key).await.unwrap(), Claim::Proceed);
    store.complete(&key).await.unwrap();
}

/// `iters` operations spread over [`CONCURRENCY`] tasks; the elapsed wall time.
fn concurrent<F, Fut>(runtime: &Runtime, iters: u64, op: F) -> Duration
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    runtime.block_on(async move {
        let start = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|t| {
                let op = op.clone();
                tokio::spawn(async move {
                    for i in (t..iters).step_by(CONCURRENCY as usize) {
                        op(i).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        start.elapsed()
    })
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let counter = Arc::new(AtomicU64::new(0));
    let owner = OwnerId::unique("bench");
    for backend in backends(&runtime) {
        let mut group = c.benchmark_group(format!("store/{}", backend.name));
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(8))
            .warm_up_time(Duration::from_secs(1));
        let store = backend.store.clone();
        let next = || counter.fetch_add(1, Ordering::Relaxed);
        group.bench_function("journal payout (begin, attempt, lookup, finish)", |b| {
            b.iter(|| runtime.block_on(journal_one(&store, &owner, next())))
        });
        group.bench_function("dedup event (claim, complete)", |b| {
            b.iter(|| runtime.block_on(dedup_one(&store, next())))
        });
        group.bench_function(format!("journal payout x{CONCURRENCY} concurrent"), |b| {
            b.iter_custom(|iters| {
                let (store, owner, base) = (
                    store.clone(),
                    owner.clone(),
                    counter.fetch_add(iters, Ordering::Relaxed),
                );
                concurrent(&runtime, iters, move |i| {
                    let (store, owner) = (store.clone(), owner.clone());
                    async move { journal_one(&store, &owner, base + i).await }
                })
            })
        });
        group.bench_function(format!("dedup event x{CONCURRENCY} concurrent"), |b| {
            b.iter_custom(|iters| {
                let (store, base) = (store.clone(), counter.fetch_add(iters, Ordering::Relaxed));
                concurrent(&runtime, iters, move |i| {
                    let store = store.clone();
                    async move { dedup_one(&store, base + i).await }
                })
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
