//! Qostiq fault schedules: payout creates with recovery through the real client
//! ([`pay_qostiq::client::QostiqClient`]: `create_withdraw`, `create_transfer`,
//! `create_crypto_withdraw`) against the stateful sandbox (`pay-sandbox`) over loopback HTTP.
//!
//! Per iteration, from a seeded generator: an intent (withdraw, transfer or crypto withdraw, at
//! random) and the class's schedule, injected through the sandbox's admin API
//! (`POST /admin/faults`). Then the client creates with recovery.
//!
//! | class | schedule |
//! |---|---|
//! | the transport's six | 1–3 faults of the class on the create route; in 30% of the iterations 1–3 on the lookup route too |
//! | `lookup_other_payout` | the create's answer dropped; 1–3 lookups answer another payout (the worker's decoy) |
//! | `lookup_mismatch` | the create's answer dropped; 1–3 lookups answer the id with amount + 1 and another account |
//! | `id_reused` | an earlier payout with other terms is booked under the id just before the create |
//! | `held_then_commit` | the create is held 350 ms (past the 200 ms timeout, inside the 400 ms settle window), then applied |
//! | `recreate_refused_in_flight` | the create is held 900 ms (past the settle window): the re-create is refused meanwhile |
//!
//! Every intent carries a payee account unique to it (a 32-character card token, an e-mail, a
//! crypto address), which the client never changes, so the check does not rely on the
//! `shop_payment_id` the client sends. After a worker's iterations, its sandbox's books
//! (`GET /admin/qostiq/state`) are compared with what the client said ([`super::Judged`]):
//! duplicates, lost payouts, wrong outcomes (an adopted payout that is not the server's payout of
//! this account, "refused" while it exists), unknowns and conflicts.
//!
//! Iterations run in workers, each with its own sandbox and client (fault rules are per route, so
//! one worker runs one schedule at a time). Timeouts are short (200 ms per attempt, so a 400 ms
//! settle window; delayed answers 500 ms), backoff is capped at 5 ms and `Retry-After` at 10 ms,
//! the polling floors use the sandbox opt-in (zero), and the retry budget is large: the run
//! measures the recovery logic, not the budget (which has its own virtual-time tests in
//! pay-transport).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use pay_core::endpoint::BaseUrl;
use pay_core::recovery::PayoutOutcome;
use pay_qostiq::client::QostiqClient;
use pay_qostiq::crypto::CreateCryptoWithdraw;
use pay_qostiq::transfers::{CreateTransfer, TransferAmountType};
use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
use pay_qostiq::{CryptoAsset, Currency, Payway, ShopId};
use pay_sandbox::{AdminClient, Sandbox, SandboxHandle};
use pay_transport::RetryBudget;
use pay_transport::hyper_transport::HyperTransport;
use serde_json::Value;
use tokio::task::JoinSet;

use super::{ClassReport, FaultClass, Judged, class_index, run_executor};

/// The client's per-attempt timeout (the settle window is twice that: 400 ms).
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(200);
/// How long a "delayed" answer waits: past the timeout.
const DELAY_MS: u64 = 500;
/// How long `held_then_commit` holds a create: past the timeout, inside the settle window.
const HOLD_MS: u64 = 350;
/// How long `recreate_refused_in_flight` holds a create: past the settle window.
const LONG_HOLD_MS: u64 = 900;
/// Workers (sandboxes) for the classes that hold requests, for those that wait on other timers
/// (delays, cut bodies, the settle window), and for the others.
const HOLDING_WORKERS: u64 = 128;
const WAITING_WORKERS: u64 = 64;
const BUSY_WORKERS: u64 = 8;

/// Whether the Qostiq runner has a schedule for `class` (the last two are COINQVEST commits').
pub fn supports(class: FaultClass) -> bool {
    !matches!(
        class,
        FaultClass::CommitAnsweredLate | FaultClass::AlreadyCompleted
    )
}

/// What an intent pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Withdraw,
    Transfer,
    Crypto,
}

impl Kind {
    /// Every kind.
    pub(crate) const ALL: [Self; 3] = [Self::Withdraw, Self::Transfer, Self::Crypto];

    /// The books' list of this kind (`GET /admin/qostiq/state`).
    pub(crate) fn list(self) -> &'static str {
        match self {
            Self::Withdraw => "withdrawals",
            Self::Transfer => "transfers",
            Self::Crypto => "crypto_withdrawals",
        }
    }

    /// The books' field holding the payee account.
    fn account_field(self) -> &'static str {
        match self {
            Self::Withdraw => "account",
            Self::Transfer => "payee_account",
            Self::Crypto => "payee_address",
        }
    }

    /// The name used on command lines (`withdraw`, `transfer`, `crypto`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Withdraw => "withdraw",
            Self::Transfer => "transfer",
            Self::Crypto => "crypto",
        }
    }

    /// The kind named `name` ([`Kind::name`]).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    pub(crate) fn create_route(self) -> &'static str {
        match self {
            Self::Withdraw => "/qostiq/withdraw/create",
            Self::Transfer => "/qostiq/transfer/create",
            Self::Crypto => "/qostiq/crypto/withdraw/create",
        }
    }

    pub(crate) fn lookup_route(self) -> &'static str {
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
    /// `Some(true)` exists, `Some(false)` does not, `None` unknown or conflict.
    exists: Option<bool>,
    conflict: bool,
    /// Qostiq's id of the payout the client reported, when it says it exists.
    payout_id: Option<u64>,
}

impl Said {
    fn of<P>(
        kind: Kind,
        account: String,
        outcome: &PayoutOutcome<P>,
        id: impl Fn(&P) -> u64,
    ) -> Self {
        Self {
            kind,
            account,
            exists: outcome.exists(),
            conflict: outcome.conflict().is_some(),
            payout_id: outcome.payout().map(id),
        }
    }
}

/// Runs `iterations` seeded schedules of `class` against fresh sandboxes. Must run inside a
/// multi-threaded tokio runtime.
pub async fn run(class: FaultClass, iterations: u64, seed: u64) -> ClassReport {
    if !supports(class) {
        return ClassReport::default();
    }
    let workers = match class {
        // Delayed answers, truncated bodies (the sandbox cuts a body after 50 ms), held requests
        // and the settle window wait on timers: more sandboxes at once.
        FaultClass::HeldThenCommit | FaultClass::RecreateRefusedInFlight => HOLDING_WORKERS,
        FaultClass::CommitThenDrop
        | FaultClass::Status429
        | FaultClass::LookupOtherPayout
        | FaultClass::LookupMismatch
        | FaultClass::IdReused => BUSY_WORKERS,
        _ => WAITING_WORKERS,
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

/// The admin rule for `count` faults named `fault` (with its parameters) on `route`.
pub(crate) fn rule(route: &str, count: u64, fault: &str) -> String {
    format!(r#"{{"route": "{route}", "method": "POST", "count": {count}, {fault}}}"#)
}

/// `"fault": "<name>"`: a fault class as the admin API spells it.
fn named(class: FaultClass) -> String {
    format!(r#""fault": "{}""#, class.name())
}

/// One fault of a transport class, with its random parameters (the admin API's spelling).
pub(crate) fn transport_fault(class: FaultClass, rng: &mut fastrand::Rng) -> String {
    let name = named(class);
    match class {
        FaultClass::CommitThenDelay => format!(r#"{name}, "delay_ms": {DELAY_MS}"#),
        FaultClass::Status5xx => {
            let status = match rng.u8(..4) {
                0 => 500,
                1 => 502,
                2 => 503,
                _ => 504,
            };
            format!(r#"{name}, "status": {status}"#)
        }
        FaultClass::Status429 => format!(r#"{name}, "retry_after": {}"#, rng.u64(0..=2)),
        _ => name,
    }
}

/// The admin rules of one iteration of `class` for an intent of `kind` (see the module table).
fn schedule(class: FaultClass, kind: Kind, rng: &mut fastrand::Rng) -> Vec<String> {
    let (create, lookup) = (kind.create_route(), kind.lookup_route());
    let dropped = named(FaultClass::CommitThenDrop);
    match class {
        FaultClass::LookupOtherPayout | FaultClass::LookupMismatch => vec![
            rule(create, 1, &dropped),
            rule(lookup, rng.u64(1..=3), &named(class)),
        ],
        FaultClass::IdReused => vec![rule(create, 1, &named(class))],
        FaultClass::HeldThenCommit => vec![rule(
            create,
            1,
            &format!(r#"{}, "hold_ms": {HOLD_MS}"#, named(class)),
        )],
        FaultClass::RecreateRefusedInFlight => vec![rule(
            create,
            1,
            &format!(r#"{}, "hold_ms": {LONG_HOLD_MS}"#, named(class)),
        )],
        transport => {
            let mut rules = vec![rule(
                create,
                rng.u64(1..=3),
                &transport_fault(transport, rng),
            )];
            if rng.u8(..10) < 3 {
                rules.push(rule(
                    lookup,
                    rng.u64(1..=3),
                    &transport_fault(transport, rng),
                ));
            }
            rules
        }
    }
}

async fn worker(
    class: FaultClass,
    iterations: u64,
    seed: u64,
    w: u64,
) -> Result<ClassReport, String> {
    let worker_seed = seed
        ^ (class_index(class) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
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
    .executor(|e| {
        run_executor(e, ATTEMPT_TIMEOUT, rng.u64(..)).retry_budget(Arc::new(RetryBudget::new(
            u32::MAX / 2,
            5,
            10,
        )))
    })
    .build()
    .map_err(|e| e.to_string())?;

    // A payout of each kind that is not any intent's: what `lookup_other_payout` answers.
    for (n, kind) in [Kind::Withdraw, Kind::Transfer, Kind::Crypto]
        .into_iter()
        .enumerate()
    {
        let decoy = intent(
            kind,
            &format!("{w:08x}decoy{n:019x}"),
            &format!("decoy-{w}-{n}"),
        )?;
        if decoy.said(&client).await.exists != Some(true) {
            return Err(format!("the decoy {kind:?} was not created"));
        }
    }

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
        for rule in schedule(class, kind, &mut rng) {
            admin.call(Method::POST, "/faults", &rule).await?;
        }
        said.push(intent(kind, &tag, &shop_payment_id)?.said(&client).await);
        if class == FaultClass::RecreateRefusedInFlight {
            // The client answered before the held create landed: let it land before the next
            // intent (the route refuses everything while it is held).
            tokio::time::sleep(Duration::from_millis(LONG_HOLD_MS)).await;
        }
    }
    admin.call(Method::DELETE, "/faults", "").await?;
    let state = admin.call(Method::GET, "/qostiq/state", "").await?;
    let report = compare(class, &said, &state);
    sandbox.shutdown().await;
    Ok(report)
}

/// One payout intent of the runner.
pub(crate) enum Intent {
    Withdraw(CreateWithdraw),
    Transfer(CreateTransfer),
    Crypto(CreateCryptoWithdraw),
}

/// The intent of `kind` whose payee account is made from `tag` (unique to it).
pub(crate) fn intent(kind: Kind, tag: &str, shop_payment_id: &str) -> Result<Intent, String> {
    Ok(match kind {
        Kind::Withdraw => Intent::Withdraw(CreateWithdraw::new(
            tag,
            amount("10.00")?,
            WithdrawAmountType::PsAmount,
            Payway::new("card_uah").map_err(|e| e.to_string())?,
            Currency::Uah,
            shop_payment_id,
        )),
        Kind::Transfer => Intent::Transfer(CreateTransfer::new(
            amount("10.00")?,
            TransferAmountType::ReceiveAmount,
            format!("p{tag}@faults.test"),
            Currency::Uah,
            Currency::Uah,
            shop_payment_id,
        )),
        Kind::Crypto => Intent::Crypto(CreateCryptoWithdraw::new(
            format!("T{tag}"),
            amount("10")?,
            WithdrawAmountType::PsAmount,
            Payway::new("usdt_trc20").map_err(|e| e.to_string())?,
            CryptoAsset::new("USDT").map_err(|e| e.to_string())?,
            shop_payment_id,
        )),
    })
}

impl Intent {
    /// Its payee account, as the books show it.
    pub(crate) fn account(&self) -> &str {
        match self {
            Intent::Withdraw(r) => r.account.expose(),
            Intent::Transfer(r) => r.payee_account.expose(),
            Intent::Crypto(r) => r.account.expose(),
        }
    }

    /// Creates it through `client` (journaled when the client has a journal): the outcome's name.
    pub(crate) async fn create<S: pay_transport::service::HttpService>(
        &self,
        client: &QostiqClient<S>,
    ) -> pay_core::recovery::OutcomeName {
        match self {
            Intent::Withdraw(r) => client.create_withdraw(r).await.name(),
            Intent::Transfer(r) => client.create_transfer(r).await.name(),
            Intent::Crypto(r) => client.create_crypto_withdraw(r).await.name(),
        }
    }

    /// Creates it and records what the client said.
    async fn said(&self, client: &QostiqClient) -> Said {
        match self {
            Intent::Withdraw(r) => Said::of(
                Kind::Withdraw,
                r.account.expose().to_owned(),
                &client.create_withdraw(r).await,
                |w| w.info.id,
            ),
            Intent::Transfer(r) => Said::of(
                Kind::Transfer,
                r.payee_account.expose().to_owned(),
                &client.create_transfer(r).await,
                |t| t.id,
            ),
            Intent::Crypto(r) => Said::of(
                Kind::Crypto,
                r.account.expose().to_owned(),
                &client.create_crypto_withdraw(r).await,
                |c| c.info.id,
            ),
        }
    }
}

fn amount(text: &str) -> Result<pay_core::money::Amount, String> {
    text.parse()
        .map_err(|e: pay_core::money::AmountError| e.to_string())
}

/// The server's payouts per (list, payee account): their ids and `shop_payment_id`s.
pub(crate) fn books(state: &Value) -> HashMap<(&'static str, String), Vec<(u64, String)>> {
    let mut books: HashMap<(&'static str, String), Vec<(u64, String)>> = HashMap::new();
    for kind in Kind::ALL {
        let items = state.get(kind.list()).and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            let account = item.get(kind.account_field()).and_then(Value::as_str);
            let id = item.get("id").and_then(Value::as_u64);
            let spid = item
                .get("shop_payment_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if let (Some(account), Some(id)) = (account, id) {
                books
                    .entry((kind.list(), account.to_owned()))
                    .or_default()
                    .push((id, spid.to_owned()));
            }
        }
    }
    books
}

/// Counts the server's payouts per payee account and compares them with what the client said.
fn compare(class: FaultClass, said: &[Said], state: &Value) -> ClassReport {
    let books = books(state);
    let mut report = ClassReport::default();
    for s in said {
        let ids: Vec<u64> = books
            .get(&(s.kind.list(), s.account.clone()))
            .map(|found| found.iter().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        let judged = Judged {
            said_exists: s.exists,
            conflict: s.conflict,
            reported_is_the_servers: ids.len() == 1 && s.payout_id == ids.first().copied(),
            on_server: ids.len() as u64,
        };
        let one = judged.report();
        if !one.is_clean() {
            eprintln!(
                "faults qostiq {class}: {:?} {}: said exists={:?} conflict={} payout={:?}; server has {ids:?}",
                s.kind, s.account, s.exists, s.conflict, s.payout_id
            );
        }
        report.merge(one);
    }
    report
}
