//! `cargo xtask bench journal`: what the payout journal costs per payout, and what a shared
//! deduplication store costs per webhook, with durable commits on.
//!
//! * **payouts/s**: `QostiqClient::create_withdraw` against an in-memory transport that answers
//!   every create at once (so the journal's writes are all that differ), without a journal and
//!   with one in memory, in SQLite (WAL, `synchronous=FULL`, a file under the system's temporary
//!   directory) and in PostgreSQL (`fsync=on`, `synchronous_commit=on`; needs
//!   `PAY_TEST_POSTGRES_URL`: run under `.ci/postgres.sh`). Sequential (one payout at a time) and
//!   16 at a time. A journaled payout writes: `begin`, the lease renewal and the attempt before it
//!   leaves, the answer, `finish`.
//! * **dedup events/s**: signed COINQVEST webhooks (each a new event) through a
//!   `pay_webhook::Receiver` on each store: `claim`, the handler, `complete`. Sequential and 16 at
//!   a time.
//!
//! Each row is the median of 5 rounds; the figures go to `docs/benchmarks.md`.
#![allow(
    clippy::disallowed_methods,
    clippy::float_arithmetic,
    clippy::print_stdout,
    reason = "benchmark timing and rates, not money; the report goes to stdout"
)]

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use pay_core::secret::Secret;
use pay_qostiq::client::QostiqClient;
use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
use pay_qostiq::{Currency, Payway, ShopId};
use pay_store::{Store, StoreConfig};
use pay_transport::journal::Journal;
use pay_transport::service::{HttpService, service_fn};
use pay_webhook::{Event, ReceiverBuilder};

const ROUNDS: usize = 5;
const SEQUENTIAL: u64 = 100;
const CONCURRENT: u64 = 400;
const TASKS: u64 = 16;
const WEBHOOK_SECRET: &str = "Bench-Webhook-Secret";

/// Answers every create at once, echoing its `shop_payment_id` (a "created" withdrawal).
fn instant_provider() -> impl HttpService {
    service_fn(|request: Request<Bytes>| async move {
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap_or_default();
        let id = body
            .get("shop_payment_id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let answer = serde_json::json!({
            "data": {"balance": 1000.0, "id": 5, "payee_receive": 10.0, "ps_currency": 980,
                     "shop_currency": 980, "shop_payment_id": id, "shop_write_off": 10.2,
                     "status": 1},
            "error_code": 0, "message": "", "result": true,
        });
        Ok(Response::builder()
            .status(StatusCode::OK)
            .body(Bytes::from(answer.to_string()))
            .unwrap_or_default())
    })
}

type Failure = Box<dyn Error + Send + Sync>;

fn client(journal: Option<Store>) -> Result<QostiqClient<impl HttpService>, Failure> {
    let mut builder = QostiqClient::builder(ShopId::new(112)?, Secret::new("bench-secret")?)
        .transport(instant_provider())
        .base_url("https://core.qostiq.test".parse()?);
    if let Some(store) = journal {
        builder = builder.executor(|e| e.journal(Journal::new(store)));
    }
    Ok(builder.build()?)
}

static NEXT: AtomicU64 = AtomicU64::new(0);

fn payout(payway: &Payway) -> CreateWithdraw {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    CreateWithdraw::new(
        format!("{n:032}"),
        pay_core::money::Amount::from_decimal(rust_decimal::Decimal::new(1000, 2)),
        WithdrawAmountType::PsAmount,
        payway.clone(),
        Currency::Uah,
        format!("bench-{n}"),
    )
}

/// Median of `ROUNDS` rounds of `count` operations (`tasks` at a time): operations per second.
/// An operation that does not end as expected counts as a failed round.
async fn rate<F, Fut>(count: u64, tasks: u64, op: F) -> Result<f64, Failure>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let mut rates = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..tasks {
            let op = op.clone();
            set.spawn(async move {
                let mut ok = true;
                for _ in 0..count / tasks {
                    ok &= op().await;
                }
                ok
            });
        }
        while let Some(done) = set.join_next().await {
            if !done? {
                return Err("an operation did not end as expected".into());
            }
        }
        rates.push(count as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    rates
        .get(ROUNDS / 2)
        .copied()
        .ok_or_else(|| "no round".into())
}

async fn open(url: &str) -> Result<Store, Failure> {
    Ok(url.parse::<StoreConfig>()?.pool_size(16).open().await?)
}

async fn payouts(name: &str, journal: Option<Store>) -> Result<(), Failure> {
    let client = Arc::new(client(journal)?);
    let payway = Payway::new("card_uah")?;
    let one = move || {
        let (client, payway) = (client.clone(), payway.clone());
        async move {
            let outcome = client.create_withdraw(&payout(&payway)).await;
            outcome.name().as_str() == "created"
        }
    };
    let sequential = rate(SEQUENTIAL, 1, one.clone()).await?;
    let concurrent = rate(CONCURRENT, TASKS, one).await?;
    println!(
        "| payouts, {name} | {sequential:.0}/s ({:.2} ms each) | {concurrent:.0}/s |",
        1000.0 / sequential
    );
    Ok(())
}

async fn dedup(name: &str, store: Store) -> Result<(), Failure> {
    let secret = Secret::new(WEBHOOK_SECRET)?;
    let receiver = Arc::new(
        ReceiverBuilder::coinqvest(vec![secret.clone()])?
            .build_with_store(|_: Event| async { Ok::<(), std::io::Error>(()) }, store),
    );
    let one = move || {
        let (receiver, secret) = (receiver.clone(), secret.clone());
        async move {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let body = format!(r#"{{"id":"ev{n:012}","type":"PAYMENT","state":"RESOLVED"}}"#);
            let signature = pay_signing::coinqvest::sign_webhook(&secret, body.as_bytes());
            let Ok(request) = Request::post("/webhook")
                .header("content-type", "application/json")
                .header("x-webhook-auth", signature)
                .body(Full::new(Bytes::from(body)))
            else {
                return false;
            };
            receiver.receive(request).await == pay_webhook::Outcome::Applied
        }
    };
    let sequential = rate(SEQUENTIAL * 2, 1, one.clone()).await?;
    let concurrent = rate(CONCURRENT * 2, TASKS, one).await?;
    println!(
        "| dedup events, {name} | {sequential:.0}/s ({:.2} ms each) | {concurrent:.0}/s |",
        1000.0 / sequential
    );
    Ok(())
}

async fn bench() -> Result<(), Failure> {
    let dir = pay_store::testing::TempDir::new()?;
    let postgres = match std::env::var("PAY_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => Some(pay_store::testing::fresh_schema(&base).await?),
        _ => {
            eprintln!("bench_journal: PAY_TEST_POSTGRES_URL not set: no PostgreSQL rows");
            None
        }
    };
    println!("| what, where | sequential | {TASKS} at a time |");
    println!("|---|---|---|");
    payouts("no journal", None).await?;
    payouts("memory journal", Some(open("memory:").await?)).await?;
    payouts(
        "SQLite journal",
        Some(open(&dir.sqlite_url("journal.db")).await?),
    )
    .await?;
    if let Some(url) = &postgres {
        payouts("PostgreSQL journal", Some(open(url).await?)).await?;
    }
    dedup("memory", open("memory:").await?).await?;
    dedup("SQLite", open(&dir.sqlite_url("dedup.db")).await?).await?;
    if let Some(url) = &postgres {
        dedup("PostgreSQL", open(url).await?).await?;
    }
    Ok(())
}

fn main() -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench())
}
