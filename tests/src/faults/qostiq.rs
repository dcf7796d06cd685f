//! Qostiq fault schedules: payout creates with recovery through the real client
//! ([`pay_qostiq::client::QostiqClient`]: `create_withdraw`, `create_transfer`,
//! `create_crypto_withdraw`) against the stateful sandbox (`pay-sandbox`) over loopback HTTP.
//!
//! Per iteration, from a seeded generator: an intent (withdraw, transfer or crypto withdraw, at
//! random), 1 to 3 faults of the class on the intent's create route, and in 30% of the iterations
//! 1 to 3 faults of the class on its status-lookup route too (rules injected through the
//! sandbox's admin API, `POST /admin/faults`). Then the client creates with recovery.
//!
//! Every intent carries a payee account unique to it (a 32-character card token, an e-mail, a
//! crypto address), which the client never changes, so the check does not rely on the
//! `shop_payment_id` the client sends. After a worker's iterations, its sandbox's books
//! (`GET /admin/qostiq/state`) are compared with what the client said:
//!
//! * **duplicate**: two or more payouts for one intent's account;
//! * **lost**: the client said refused / not sent but the server has it, or, the other way
//!   round, said created or adopted when the server has none;
//! * **unknown**: the client answered `CreateOutcome::Unknown` (needs a person).
//!
//! Iterations run in workers, each with its own sandbox and client (fault rules are per route, so
//! one worker runs one schedule at a time). Timeouts are short (200 ms per attempt, delayed
//! answers 500 ms), backoff is capped at 5 ms and `Retry-After` at 10 ms, the polling floors use
//! the sandbox opt-in (zero), and the retry budget is large: the run measures the recovery logic,
//! not the budget (which has its own virtual-time tests in pay-transport).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use pay_core::endpoint::BaseUrl;
use pay_qostiq::client::QostiqClient;
use pay_qostiq::crypto::CreateCryptoWithdraw;
use pay_qostiq::transfers::{CreateTransfer, TransferAmountType};
use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
use pay_qostiq::{CryptoAsset, Currency, Payway, ShopId};
use pay_sandbox::{AdminClient, Sandbox, SandboxHandle};
use pay_transport::floors::Floors;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::{RetryBudget, RetryPolicy};
use serde_json::Value;
use tokio::task::JoinSet;

use super::{ClassReport, FaultClass};

/// The client's per-attempt timeout.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(200);
/// How long a "delayed" answer waits: past the timeout.
const DELAY_MS: u64 = 500;
/// Workers (sandboxes) for the classes that wait on timers, and for the others.
const WAITING_WORKERS: u64 = 32;
const BUSY_WORKERS: u64 = 8;

/// What an intent pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Withdraw,
    Transfer,
    Crypto,
}

impl Kind {
    fn create_route(self) -> &'static str {
        match self {
            Self::Withdraw => "/qostiq/withdraw/create",
            Self::Transfer => "/qostiq/transfer/create",
            Self::Crypto => "/qostiq/crypto/withdraw/create",
        }
    }

    fn lookup_route(self) -> &'static str {
        match self {
            Self::Withdraw => "/qostiq/withdraw/shop_payment_status",
            Self::Transfer => "/qostiq/transfer/shop_payment_status",
            Self::Crypto => "/qostiq/crypto/withdraw/shop_payment_status",
        }
    }
}

/// What the client said about one intent.
#[derive(Debug)]
struct Said {
    kind: Kind,
    account: String,
    /// `Some(true)` exists, `Some(false)` does not, `None` unknown.
    exists: Option<bool>,
}

/// Runs `iterations` seeded schedules of `class` against fresh sandboxes. Must run inside a
/// multi-threaded tokio runtime.
pub async fn run(class: FaultClass, iterations: u64, seed: u64) -> ClassReport {
    let workers = match class {
        // Delayed answers and truncated bodies wait on timers (the sandbox cuts a body after
        // 50 ms): more sandboxes at once.
        FaultClass::CommitThenDelay | FaultClass::CommitThenTruncate => WAITING_WORKERS,
        _ => BUSY_WORKERS,
    }
    .min(iterations.max(1));
    let mut set = JoinSet::new();
    for w in 0..workers {
        let share = iterations / workers + u64::from(w < iterations % workers);
        set.spawn(worker(class, share, seed, w));
    }
    let mut report = ClassReport::default();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(r)) => report.merge(r),
            Ok(Err(message)) => {
                eprintln!("faults qostiq {class}: worker failed: {message}");
                report.merge(ClassReport {
                    lost: 1,
                    ..ClassReport::default()
                });
            }
            Err(e) => {
                eprintln!("faults qostiq {class}: worker panicked: {e}");
                report.merge(ClassReport {
                    lost: 1,
                    ..ClassReport::default()
                });
            }
        }
    }
    report
}

/// The admin API of one sandbox (`pay_sandbox::AdminClient`), with errors as report text.
#[derive(Clone)]
struct Admin(AdminClient);

impl Admin {
    async fn call(&self, method: Method, path: &str, body: &str) -> Result<Value, String> {
        let body: Option<Value> = if body.is_empty() {
            None
        } else {
            Some(serde_json::from_str(body).map_err(|e| e.to_string())?)
        };
        self.0
            .call(method, path, body.as_ref())
            .await
            .map_err(|e| e.to_string())
    }
}

fn fault_rule(class: FaultClass, route: &str, count: u64, rng: &mut fastrand::Rng) -> String {
    let fault = match class {
        FaultClass::CommitThenDrop => r#""fault": "commit_then_drop""#.to_owned(),
        FaultClass::CommitThenDelay => {
            format!(r#""fault": "commit_then_delay", "delay_ms": {DELAY_MS}"#)
        }
        FaultClass::CommitThenTruncate => r#""fault": "commit_then_truncate""#.to_owned(),
        FaultClass::ResetBeforeCommit => r#""fault": "reset_before_commit""#.to_owned(),
        FaultClass::Burst5xx => {
            let status = match rng.u8(..4) {
                0 => 500,
                1 => 502,
                2 => 503,
                _ => 504,
            };
            format!(r#""fault": "status_5xx", "status": {status}"#)
        }
        FaultClass::TooManyRequests => {
            format!(
                r#""fault": "status_429", "retry_after": {}"#,
                rng.u64(0..=2)
            )
        }
    };
    format!(r#"{{"route": "{route}", "method": "POST", "count": {count}, {fault}}}"#)
}

async fn worker(
    class: FaultClass,
    iterations: u64,
    seed: u64,
    w: u64,
) -> Result<ClassReport, String> {
    let worker_seed = seed
        ^ (class as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (w + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let mut rng = fastrand::Rng::with_seed(worker_seed);
    let sandbox: SandboxHandle = Sandbox::builder()
        .seed(worker_seed)
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let transport = HyperTransport::builder()
        .build()
        .map_err(|e| e.to_string())?;
    let admin = Admin(sandbox.admin());
    for currency in ["980", "USDT"] {
        admin
            .call(
                Method::POST,
                "/qostiq/balances",
                &format!(r#"{{"currency": "{currency}", "available": "1000000000"}}"#),
            )
            .await?;
    }
    let credentials = sandbox.credentials();
    let base: BaseUrl = sandbox
        .qostiq_base_url()
        .parse()
        .map_err(|e: pay_core::error::Error| e.to_string())?;
    let client = QostiqClient::builder(
        ShopId::new(credentials.qostiq_shop_id).map_err(|e| e.to_string())?,
        credentials.qostiq_secret.clone(),
    )
    .transport(transport)
    .base_url(base)
    .attempt_timeout(ATTEMPT_TIMEOUT)
    .retry_policy(
        RetryPolicy::standard()
            .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
            .with_max_retry_after(Duration::from_millis(10)),
    )
    .retry_budget(Arc::new(RetryBudget::new(u32::MAX / 2, 5, 10)))
    .floors(Floors::below_provider_minimums_for_sandbox(Duration::ZERO))
    .rng_seed(rng.u64(..))
    .build()
    .map_err(|e| e.to_string())?;

    let mut said = Vec::new();
    for n in 0..iterations {
        let kind = match rng.u8(..3) {
            0 => Kind::Withdraw,
            1 => Kind::Transfer,
            _ => Kind::Crypto,
        };
        let tag = format!("{:08x}{:08x}{:016x}", w, n, rng.u64(..));
        let shop_payment_id = format!("fq-{class}-{w}-{n}");
        admin.call(Method::DELETE, "/faults", "").await?;
        let create_faults = rng.u64(1..=3);
        admin
            .call(
                Method::POST,
                "/faults",
                &fault_rule(class, kind.create_route(), create_faults, &mut rng),
            )
            .await?;
        if rng.u8(..10) < 3 {
            let lookup_faults = rng.u64(1..=3);
            admin
                .call(
                    Method::POST,
                    "/faults",
                    &fault_rule(class, kind.lookup_route(), lookup_faults, &mut rng),
                )
                .await?;
        }
        let (account, exists) = match kind {
            Kind::Withdraw => {
                let account = tag.clone();
                let request = CreateWithdraw::new(
                    account.as_str(),
                    amount("10.00")?,
                    WithdrawAmountType::PsAmount,
                    Payway::new("card_uah").map_err(|e| e.to_string())?,
                    Currency::Uah,
                    shop_payment_id,
                );
                (account, client.create_withdraw(&request).await.exists())
            }
            Kind::Transfer => {
                let account = format!("p{tag}@faults.test");
                let request = CreateTransfer::new(
                    amount("10.00")?,
                    TransferAmountType::ReceiveAmount,
                    account.as_str(),
                    Currency::Uah,
                    Currency::Uah,
                    shop_payment_id,
                );
                (account, client.create_transfer(&request).await.exists())
            }
            Kind::Crypto => {
                let account = format!("T{tag}");
                let request = CreateCryptoWithdraw::new(
                    account.as_str(),
                    amount("10")?,
                    WithdrawAmountType::PsAmount,
                    Payway::new("usdt_trc20").map_err(|e| e.to_string())?,
                    CryptoAsset::new("USDT").map_err(|e| e.to_string())?,
                    shop_payment_id,
                );
                (
                    account,
                    client.create_crypto_withdraw(&request).await.exists(),
                )
            }
        };
        said.push(Said {
            kind,
            account,
            exists,
        });
    }
    admin.call(Method::DELETE, "/faults", "").await?;
    let state = admin.call(Method::GET, "/qostiq/state", "").await?;
    let report = compare(class, &said, &state);
    sandbox.shutdown().await;
    Ok(report)
}

fn amount(text: &str) -> Result<pay_core::money::Amount, String> {
    text.parse()
        .map_err(|e: pay_core::money::AmountError| e.to_string())
}

/// Counts the server's payouts per payee account and compares them with what the client said.
fn compare(class: FaultClass, said: &[Said], state: &Value) -> ClassReport {
    let mut counts: HashMap<(&'static str, String), u64> = HashMap::new();
    for (list, field) in [
        ("withdrawals", "account"),
        ("transfers", "payee_account"),
        ("crypto_withdrawals", "payee_address"),
    ] {
        let items = state.get(list).and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            if let Some(account) = item.get(field).and_then(Value::as_str) {
                *counts.entry((list, account.to_owned())).or_default() += 1;
            }
        }
    }
    let mut report = ClassReport::default();
    for s in said {
        let list = match s.kind {
            Kind::Withdraw => "withdrawals",
            Kind::Transfer => "transfers",
            Kind::Crypto => "crypto_withdrawals",
        };
        let on_server = counts.get(&(list, s.account.clone())).copied().unwrap_or(0);
        report.iterations += 1;
        if on_server >= 2 {
            report.duplicates += 1;
            eprintln!(
                "faults qostiq {class}: DUPLICATE {:?} {} ×{on_server}",
                s.kind, s.account
            );
        }
        match s.exists {
            Some(true) => {
                report.created += 1;
                if on_server == 0 {
                    report.lost += 1;
                    eprintln!(
                        "faults qostiq {class}: said created, server has none: {:?} {}",
                        s.kind, s.account
                    );
                }
            }
            Some(false) => {
                report.refused += 1;
                if on_server > 0 {
                    report.lost += 1;
                    eprintln!("faults qostiq {class}: LOST {:?} {}", s.kind, s.account);
                }
            }
            None => report.unknown += 1,
        }
    }
    report
}
