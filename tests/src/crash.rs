//! Crash runs behind `cargo xtask crash`: real OS processes create journaled payouts against a
//! `pay sandbox` process with fault classes on, and are killed with SIGKILL at chosen points and at
//! random times; then the journal is resumed (by killed resumers first, then by `pay journal
//! resume`) and the sandbox's books are compared with the journal.
//!
//! # The processes
//!
//! * **the sandbox**: `pay sandbox --port P --no-auto-progress`, its admin API used to inject
//!   faults and read the books (`GET /admin/qostiq/state`);
//! * **drivers** (`crash drive`): each creates one Qostiq payout (withdrawal, transfer or crypto
//!   withdrawal, at random) with a journaled client; a driver told to pause at a point prints
//!   `@@paused <point>` there and waits, and the runner kills it (SIGKILL) at once:
//!   | point | where the process dies |
//!   |---|---|
//!   | `before_send` | the attempt is journaled, the request has not left |
//!   | `mid_request` | the sandbox applied the request and answered; the answer is not read |
//!   | `after_answer` | the answer was read, not journaled |
//!   | `during_recovery` | a lookup of the recovery was made (the create's answer was lost to a fault), not journaled |
//!   | `random` | no pause: killed 0–400 ms after it started, wherever it is |
//! * **resumers** (`crash resume`): resume the journal and are killed the same way (10% of the
//!   kills), leaving intents leased by dead processes;
//! * **`pay journal resume`** (the real CLI), in rounds a lease apart until nothing is unknown.
//!
//! Several drivers run at once (lanes), each iteration injecting its own fault rules into the one
//! sandbox: a fault hits whichever request comes next on its route. Every intent has a payee
//! account unique to it, so the books are read by account, never trusting the id the client sent.
//!
//! # The verdict, per intent the runner started
//!
//! * **duplicates**: the books hold two payouts for it;
//! * **lost**: the journal says it exists while the books have none, or says nothing exists (or
//!   never journaled it) while the books have it;
//! * **wrong**: the journal's outcome contradicts the books in any way (a lost one, an adopted
//!   payout that is not the books' payout under its id, a conflict: no fault of this run makes
//!   one);
//! * **unresolved**: still unknown after the last round (allowed only while the sandbox holds a
//!   request back).
//!
//! Timings are short (200 ms per attempt, a 400 ms settle window, a 1 s lease) so that a run of
//! thousands of kills takes minutes; the polling floors use the sandbox opt-in (zero).

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response};
use pay_core::endpoint::BaseUrl;
use pay_core::error::{Provider, TransportError};
use pay_core::recovery::OutcomeName;
use pay_qostiq::ShopId;
use pay_qostiq::client::QostiqClient;
use pay_sandbox::{AdminClient, Credentials};
use pay_store::interpose::{Interposed, Write, WriteHook};
use pay_store::{
    EvidenceKind, IntentJournal, IntentKey, Listing, OwnerId, Store, StoreConfig, StoreError,
};
use pay_transport::RetryBudget;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::journal::Journal;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::faults::qostiq::{Kind, books, intent, rule, transport_fault};
use crate::faults::{FaultClass, Judged, run_executor};
use crate::say;

/// The per-attempt timeout of every client of the run.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(200);
/// The settle window (twice the attempt timeout).
pub const SETTLE_WINDOW: Duration = Duration::from_millis(400);
/// The journal lease: a killed process's intents can be taken over this long after its last
/// renewal.
pub const LEASE: Duration = Duration::from_millis(1_000);
/// How long held creates are held (inside and past the settle window).
const HOLD_MS: u64 = 350;
const LONG_HOLD_MS: u64 = 900;
/// Longest a driver may take before it is killed anyway.
const DRIVER_LIMIT: Duration = Duration::from_secs(20);
/// Rounds of `pay journal resume` at most.
const ROUNDS: u32 = 12;

/// Where a driver pauses to be killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// The attempt journaled, the request not sent.
    BeforeSend,
    /// The request applied and answered, the answer not read.
    MidRequest,
    /// The answer read, not journaled.
    AfterAnswer,
    /// A recovery lookup made (or about to be journaled).
    DuringRecovery,
    /// No pause: killed at a random time.
    Random,
}

impl Point {
    const ALL: [Self; 5] = [
        Self::BeforeSend,
        Self::MidRequest,
        Self::AfterAnswer,
        Self::DuringRecovery,
        Self::Random,
    ];

    /// The name on command lines and in `@@paused` lines.
    pub fn name(self) -> &'static str {
        match self {
            Self::BeforeSend => "before_send",
            Self::MidRequest => "mid_request",
            Self::AfterAnswer => "after_answer",
            Self::DuringRecovery => "during_recovery",
            Self::Random => "random",
        }
    }

    /// The point named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Prints `@@paused <point>` and waits forever (until the runner kills the process).
async fn pause(point: Point) {
    say(&format!("@@paused {}", point.name()));
    std::future::pending::<()>().await;
}

// ---------------------------------------------------------------------------- the driver side

/// Pauses the driver at its point, around the journal write that marks it.
#[derive(Debug, Clone, Copy)]
struct Pausing {
    point: Point,
    /// `during_recovery`: pause after the lookup is journaled instead of before.
    after_write: bool,
}

impl WriteHook for Pausing {
    async fn before(&self, write: &Write<'_>) -> Result<(), StoreError> {
        let Write::Record { kind, data, .. } = *write else {
            return Ok(());
        };
        let answered = kind == EvidenceKind::Attempt && data.get("step").is_some();
        let looked_up = kind == EvidenceKind::Lookup;
        match self.point {
            Point::AfterAnswer if answered => pause(self.point).await,
            Point::DuringRecovery if looked_up && !self.after_write => pause(self.point).await,
            _ => {}
        }
        Ok(())
    }

    async fn after(&self, write: &Write<'_>) {
        let Write::Record { kind, data, .. } = *write else {
            return;
        };
        let started = data.get("send").is_some();
        match self.point {
            Point::BeforeSend if started => pause(self.point).await,
            Point::DuringRecovery if kind == EvidenceKind::Lookup => pause(self.point).await,
            _ => {}
        }
    }
}

/// The default transport, pausing once a create was answered (`mid_request`).
#[derive(Clone)]
struct PausingTransport {
    inner: HyperTransport,
    point: Point,
}

impl tower_service::Service<Request<Bytes>> for PausingTransport {
    type Response = Response<Bytes>;
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Bytes>, TransportError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Bytes>) -> Self::Future {
        let create = request.uri().path().ends_with("/create");
        let point = self.point;
        let call = self.inner.call(request);
        Box::pin(async move {
            let answer = call.await;
            if create && point == Point::MidRequest && answer.is_ok() {
                pause(point).await;
            }
            answer
        })
    }
}

/// What a driver or resumer is told.
#[derive(Debug, Clone)]
pub struct ClientArgs {
    /// The journal's URL.
    pub journal: String,
    /// The sandbox's Qostiq base URL.
    pub base: String,
    /// Where to pause.
    pub point: Point,
    /// Seeds the client's jitter and the `during_recovery` variant.
    pub seed: u64,
}

/// A journaled Qostiq client of the run, pausing at `args.point`.
async fn client(args: &ClientArgs) -> Result<QostiqClient<PausingTransport>, String> {
    let store = args
        .journal
        .parse::<StoreConfig>()
        .map_err(|e| e.to_string())?
        .pool_size(2)
        .open()
        .await
        .map_err(|e| e.to_string())?;
    let pausing = Pausing {
        point: args.point,
        after_write: args.seed.is_multiple_of(2),
    };
    let journal = Journal::new(Interposed::new(store.clone(), pausing))
        .owner(OwnerId::unique("crash"))
        .lease(LEASE);
    let credentials = Credentials::defaults();
    let base: BaseUrl = args
        .base
        .parse()
        .map_err(|e: pay_core::error::Error| e.to_string())?;
    QostiqClient::builder(
        ShopId::new(credentials.qostiq_shop_id).map_err(|e| e.to_string())?,
        credentials.qostiq_secret,
    )
    .transport(PausingTransport {
        inner: HyperTransport::new().map_err(|e| e.to_string())?,
        point: args.point,
    })
    .base_url(base)
    .executor(|e| {
        run_executor(e, ATTEMPT_TIMEOUT, args.seed)
            .settle_window(SETTLE_WINDOW)
            .retry_budget(Arc::new(RetryBudget::new(u32::MAX / 2, 5, 10)))
            .journal(journal)
            .poll_turns(store)
    })
    .build()
    .map_err(|e| e.to_string())
}

/// `crash drive`: creates one payout of `kind` (payee account from `tag`) under `id`, pausing at
/// the point; prints `@@done <outcome>`.
pub async fn drive(args: &ClientArgs, kind: &str, id: &str, tag: &str) -> Result<(), String> {
    let kind = Kind::parse(kind).ok_or_else(|| format!("unknown kind `{kind}`"))?;
    let client = client(args).await?;
    let outcome = intent(kind, tag, id)?.create(&client).await;
    say(&format!("@@done {outcome}"));
    Ok(())
}

/// `crash resume`: resumes every unfinished intent of the journal, pausing at the point; prints
/// `@@done <count>`.
pub async fn resume(args: &ClientArgs) -> Result<(), String> {
    let client = client(args).await?;
    let resumed = client
        .resume_journal_now()
        .await
        .map_err(|e| e.to_string())?;
    say(&format!("@@done {}", resumed.len()));
    Ok(())
}

// ---------------------------------------------------------------------------- the runner side

/// One run's settings.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Kills to make (90% during creates, 10% during resumes).
    pub kills: u64,
    /// Seeds intents, points, faults and kill times.
    pub seed: u64,
    /// The `pay` binary (the sandbox and `pay journal resume`).
    pub pay: PathBuf,
    /// This binary (drivers and resumers).
    pub crash: PathBuf,
    /// The journal's URL.
    pub journal: String,
    /// Drivers running at once.
    pub lanes: u64,
}

/// What a run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrashReport {
    /// Processes killed.
    pub kills: u64,
    /// Intents in the journal.
    pub intents: u64,
    /// Intents with two payouts in the books.
    pub duplicates: u64,
    /// Intents whose existence the journal and the books disagree on.
    pub lost: u64,
    /// Journal outcomes contradicting the books.
    pub wrong: u64,
    /// Intents still unknown.
    pub unresolved: u64,
}

impl CrashReport {
    /// The report's line: `crash: N kills, intents=…, duplicates=…, lost=…, wrong=…, unresolved=…`.
    pub fn line(&self) -> String {
        format!(
            "crash: {} kills, intents={}, duplicates={}, lost={}, wrong={}, unresolved={}",
            self.kills, self.intents, self.duplicates, self.lost, self.wrong, self.unresolved
        )
    }

    /// Whether nothing went wrong (unresolved intents are counted, not failures).
    pub fn is_clean(&self) -> bool {
        self.duplicates == 0 && self.lost == 0 && self.wrong == 0
    }

    /// Adds another run's counts.
    pub fn merge(&mut self, other: Self) {
        self.kills += other.kills;
        self.intents += other.intents;
        self.duplicates += other.duplicates;
        self.lost += other.lost;
        self.wrong += other.wrong;
        self.unresolved += other.unresolved;
    }
}

/// An intent a driver was started for.
#[derive(Debug, Clone)]
struct Started {
    kind: Kind,
    id: String,
    tag: String,
}

/// The sandbox process and its admin API.
struct SandboxProcess {
    /// The `pay sandbox` process, killed when this is dropped.
    _process: Child,
    port: u16,
    admin: AdminClient,
}

impl SandboxProcess {
    async fn start(pay: &PathBuf, seed: u64) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = with_credentials(Command::new(pay))
            .args([
                "sandbox",
                "--port",
                &port.to_string(),
                "--seed",
                &seed.to_string(),
            ])
            .arg("--no-auto-progress")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start the sandbox: {e}"))?;
        let admin = AdminClient::new(format!("http://127.0.0.1:{port}/admin"));
        for _ in 0..200 {
            if admin.get("").await.is_ok() {
                let sandbox = Self {
                    _process: child,
                    port,
                    admin,
                };
                for currency in ["980", "USDT"] {
                    sandbox
                        .admin
                        .post(
                            "/qostiq/balances",
                            &serde_json::json!({"currency": currency, "available": "1000000000"}),
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                }
                return Ok(sandbox);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("the sandbox did not start".to_owned())
    }

    fn qostiq_base(&self) -> String {
        format!("http://127.0.0.1:{}/qostiq", self.port)
    }
}

/// `command` with the sandbox's default credentials in its environment (never inherited ones).
fn with_credentials(mut command: Command) -> Command {
    let credentials = Credentials::defaults();
    command
        .env("QOSTIQ_SHOP_ID", credentials.qostiq_shop_id.to_string())
        .env("QOSTIQ_SECRET", credentials.qostiq_secret.expose())
        .env("COINQVEST_KEY", &credentials.coinqvest_key)
        .env("COINQVEST_SECRET", credentials.coinqvest_secret.expose())
        .env_remove("PAY_JOURNAL");
    command
}

/// How a child process ended.
enum Ended {
    Killed,
    Exited,
}

/// Waits for `child` to pause (then kills it), or kills it after `kill_after` (random time),
/// or lets it exit.
async fn watch(mut child: Child, kill_after: Option<Duration>) -> Ended {
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill().await;
        return Ended::Killed;
    };
    let mut lines = BufReader::new(stdout).lines();
    let paused = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.starts_with("@@paused") {
                return true;
            }
        }
        false
    };
    let limit = kill_after.unwrap_or(DRIVER_LIMIT);
    let paused = tokio::time::timeout(limit, paused).await;
    match paused {
        // Paused, or the random time (or the limit) came first: SIGKILL.
        Ok(true) | Err(_) => {
            let _ = child.kill().await;
            Ended::Killed
        }
        Ok(false) => {
            let _ = child.wait().await;
            Ended::Exited
        }
    }
}

/// One of `items` at random (`default` for none).
fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T], default: T) -> T {
    rng.choice(items.iter().copied()).unwrap_or(default)
}

/// The fault rules of one iteration for an intent of `kind` killed at `point`.
fn faults(kind: Kind, point: Point, rng: &mut fastrand::Rng) -> Vec<String> {
    let (create, lookup) = (kind.create_route(), kind.lookup_route());
    let transport = [
        FaultClass::CommitThenDrop,
        FaultClass::CommitThenDelay,
        FaultClass::CommitThenTruncate,
        FaultClass::ResetBeforeCommit,
        FaultClass::Status5xx,
        FaultClass::Status429,
    ];
    // A recovery needs a lost answer.
    let lost = [
        FaultClass::CommitThenDrop,
        FaultClass::CommitThenTruncate,
        FaultClass::ResetBeforeCommit,
    ];
    let mut rules = Vec::new();
    match (point, rng.u8(..10)) {
        (Point::DuringRecovery, _) => {
            let class = pick(rng, &lost, FaultClass::CommitThenDrop);
            rules.push(rule(create, 1, &transport_fault(class, rng)));
        }
        (_, 0..=2) => {}
        (_, 3) => rules.push(rule(
            create,
            1,
            &format!(r#""fault": "held_then_commit", "hold_ms": {HOLD_MS}"#),
        )),
        (_, 4) => rules.push(rule(
            create,
            1,
            &format!(r#""fault": "recreate_refused_in_flight", "hold_ms": {LONG_HOLD_MS}"#),
        )),
        _ => {
            let class = pick(rng, &transport, FaultClass::CommitThenDrop);
            rules.push(rule(create, rng.u64(1..=2), &transport_fault(class, rng)));
        }
    }
    if rng.u8(..10) < 2 {
        let class = pick(rng, &transport, FaultClass::CommitThenDrop);
        rules.push(rule(lookup, rng.u64(1..=2), &transport_fault(class, rng)));
    }
    rules
}

/// Drivers, `config.lanes` at a time, until `killed` reaches `target`.
async fn drivers(
    config: &RunConfig,
    admin: &AdminClient,
    base: &str,
    target: u64,
    killed: &Arc<AtomicU64>,
    next: &Arc<AtomicU64>,
    started: &Arc<Mutex<Vec<Started>>>,
) -> Result<(), String> {
    let create_kills = target;
    let mut lanes = tokio::task::JoinSet::new();
    for lane in 0..config.lanes.max(1) {
        let (config, killed, next, started) = (
            config.clone(),
            killed.clone(),
            next.clone(),
            started.clone(),
        );
        let (admin, base) = (admin.clone(), base.to_owned());
        lanes.spawn(async move {
            let mut rng = fastrand::Rng::with_seed(
                config.seed ^ (lane + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            while killed.load(Ordering::SeqCst) < create_kills {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let kind = pick(&mut rng, &Kind::ALL, Kind::Withdraw);
                let point = pick(&mut rng, &Point::ALL, Point::Random);
                let intent = Started {
                    kind,
                    id: format!("cr-{n}"),
                    tag: format!("{:016x}{:016x}", config.seed, n),
                };
                for rule in faults(kind, point, &mut rng) {
                    let rule: Value = serde_json::from_str(&rule).map_err(|e| e.to_string())?;
                    admin
                        .post("/faults", &rule)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                started
                    .lock()
                    .map_err(|e| e.to_string())?
                    .push(intent.clone());
                let seed = rng.u64(..);
                let kill_after =
                    (point == Point::Random).then(|| Duration::from_millis(rng.u64(0..400)));
                let extra = [
                    "--kind",
                    kind.name(),
                    "--id",
                    &intent.id,
                    "--tag",
                    &intent.tag,
                ];
                let child = start_child(&config, "drive", &base, point, seed, &extra)?;
                if let Ended::Killed = watch(child, kill_after).await {
                    killed.fetch_add(1, Ordering::SeqCst);
                }
            }
            Ok::<(), String>(())
        });
    }
    while let Some(lane) = lanes.join_next().await {
        lane.map_err(|e| e.to_string())??;
    }

    Ok(())
}

/// Starts `crash <role>` (a driver or a resumer) on this run's journal and sandbox, pausing at
/// `point`, with `extra` arguments after the common ones.
fn start_child(
    config: &RunConfig,
    role: &str,
    base: &str,
    point: Point,
    seed: u64,
    extra: &[&str],
) -> Result<Child, String> {
    let seed = seed.to_string();
    let common = [
        role,
        "--journal",
        &config.journal,
        "--base",
        base,
        "--point",
        point.name(),
        "--seed",
        &seed,
    ];
    Command::new(&config.crash)
        .args(common)
        .args(extra)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start `crash {role}`: {e}"))
}

/// Runs the crash test on one journal: see the module docs.
pub async fn run(config: &RunConfig) -> Result<CrashReport, String> {
    let sandbox = SandboxProcess::start(&config.pay, config.seed).await?;
    let base = sandbox.qostiq_base();
    let resume_kills = config.kills / 10;
    let create_kills = config.kills - resume_kills;
    let killed = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let started: Arc<Mutex<Vec<Started>>> = Arc::default();

    drivers(
        config,
        &sandbox.admin,
        &base,
        create_kills,
        &killed,
        &next,
        &started,
    )
    .await?;

    // Resumers, killed too.
    let mut rng = fastrand::Rng::with_seed(config.seed.rotate_left(17));
    let mut resume_killed = 0;
    let mut attempts = 0;
    while resume_killed < resume_kills && attempts < resume_kills * 4 {
        attempts += 1;
        tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
        let point = pick(
            &mut rng,
            &[Point::DuringRecovery, Point::BeforeSend, Point::Random],
            Point::Random,
        );
        let child = start_child(config, "resume", &base, point, rng.u64(..), &[])?;
        let kill_after = (point == Point::Random).then(|| Duration::from_millis(rng.u64(0..600)));
        if let Ended::Killed = watch(child, kill_after).await {
            resume_killed += 1;
        }
    }
    killed.fetch_add(resume_killed, Ordering::SeqCst);
    // Resumers that found nothing to drive were not killed: make up the count with drivers.
    drivers(
        config,
        &sandbox.admin,
        &base,
        config.kills,
        &killed,
        &next,
        &started,
    )
    .await?;

    // `pay journal resume` in rounds, a lease apart (killed processes' leases expire; held creates
    // land), until nothing is unknown.
    sandbox
        .admin
        .call(Method::DELETE, "/faults", None)
        .await
        .map_err(|e| e.to_string())?;
    for _ in 0..ROUNDS {
        tokio::time::sleep(LEASE + Duration::from_millis(200)).await;
        let output = with_credentials(Command::new(&config.pay))
            .args([
                "journal",
                "resume",
                "--journal",
                &config.journal,
                "--qostiq-base-url",
                &base,
                "--timeout",
                "200ms",
                "--settle-window",
                "400ms",
                "--sandbox-poll-floor",
                "0",
                "--journal-lease",
                "1s",
            ])
            .output()
            .await
            .map_err(|e| format!("cannot run pay journal resume: {e}"))?;
        match output.status.code() {
            Some(0) => break,
            Some(3) => {
                if std::env::var_os("CRASH_DEBUG").is_some() {
                    eprintln!(
                        "crash: DEBUG round: {}",
                        String::from_utf8_lossy(&output.stdout)
                    );
                }
            }
            other => {
                return Err(format!(
                    "pay journal resume exited {other:?}: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
        }
    }

    let state = sandbox
        .admin
        .get("/qostiq/state")
        .await
        .map_err(|e| e.to_string())?;
    let store = config
        .journal
        .parse::<StoreConfig>()
        .map_err(|e| e.to_string())?
        .open()
        .await
        .map_err(|e| e.to_string())?;
    let started = started.lock().map_err(|e| e.to_string())?.clone();
    let mut report = judge(&store, &started, &state).await?;
    report.kills = killed.load(Ordering::SeqCst);
    if std::env::var_os("CRASH_KEEP").is_some() {
        eprintln!("crash: kept the sandbox at {base}");
        std::mem::forget(sandbox);
    }
    Ok(report)
}

/// Compares the journal with the books, intent by intent (see the module docs).
async fn judge(store: &Store, started: &[Started], state: &Value) -> Result<CrashReport, String> {
    let books = books(state);
    let mut report = CrashReport {
        intents: u64::try_from(
            store
                .list(Listing::All, u32::MAX)
                .await
                .map_err(|e| e.to_string())?
                .len(),
        )
        .unwrap_or(u64::MAX),
        ..CrashReport::default()
    };
    let mut accounts: HashMap<String, &Started> = HashMap::new();
    for s in started {
        let account = intent(s.kind, &s.tag, &s.id)?.account().to_owned();
        accounts.insert(account, s);
    }
    for (account, s) in &accounts {
        let operation = match s.kind {
            Kind::Withdraw => "withdraw",
            Kind::Transfer => "transfer",
            Kind::Crypto => "crypto_withdraw",
        };
        let key = IntentKey::new(Provider::Qostiq, operation, s.id.clone());
        let record = store.get(&key).await.map_err(|e| e.to_string())?;
        let held: Vec<(u64, String)> = books
            .get(&(s.kind.list(), account.clone()))
            .cloned()
            .unwrap_or_default();
        let outcome = record.as_ref().and_then(|r| r.intent.outcome.as_ref());
        let name = outcome.and_then(|o| {
            serde_json::from_value::<OutcomeName>(Value::String(o.name.clone())).ok()
        });
        let on_server = u64::try_from(held.len()).unwrap_or(u64::MAX);
        let judged = match (&record, name) {
            // Never journaled: nothing may have been sent.
            (None, _) => Judged {
                said_exists: Some(false),
                conflict: false,
                reported_is_the_servers: false,
                on_server,
            },
            (Some(_), Some(name)) => Judged {
                said_exists: name.exists(),
                conflict: name == OutcomeName::Conflict,
                reported_is_the_servers: held.len() == 1
                    && held.first().is_some_and(|(_, spid)| *spid == s.id),
                on_server,
            },
            (Some(r), None) => {
                eprintln!(
                    "crash: {key} unresolved: {} lease {:?}, {} entries: {}",
                    r.intent.state.as_str(),
                    r.intent.lease,
                    r.evidence.len(),
                    r.evidence
                        .iter()
                        .map(|e| {
                            let step = e.data.get("step").unwrap_or(&e.data);
                            format!(
                                "{}:{}{}",
                                step.get("action")
                                    .or(step.get("send"))
                                    .or(step.get("note"))
                                    .and_then(Value::as_str)
                                    .unwrap_or("?"),
                                step.get("result").and_then(Value::as_str).unwrap_or(""),
                                step.get("class")
                                    .and_then(Value::as_str)
                                    .map(|c| format!(
                                        "/{c}:{}",
                                        step.get("message").and_then(Value::as_str).unwrap_or("")
                                    ))
                                    .unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                report.unresolved += 1;
                report.duplicates += u64::from(on_server >= 2);
                if on_server >= 2 {
                    eprintln!("crash: {key} unresolved with {on_server} payouts: {held:?}");
                }
                continue;
            }
        };
        let one = judged.report();
        // No fault of this run makes a conflict: one is a wrong outcome.
        let wrong = one.wrong + u64::from(judged.conflict);
        if !one.is_clean() || judged.conflict {
            eprintln!(
                "crash: {key}: journal {:?}, books {held:?}",
                record
                    .as_ref()
                    .map(|r| (&r.intent.state, &r.intent.outcome))
            );
        }
        report.duplicates += one.duplicates;
        report.lost += one.lost;
        report.wrong += wrong;
    }
    Ok(report)
}
