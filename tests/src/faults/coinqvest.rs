//! COINQVEST fault schedules: withdrawal commits through the real client
//! ([`pay_coinqvest::client::CoinqvestClient::commit_withdrawal`]) over loopback HTTP, under a
//! seeded random schedule of one fault class on `POST /withdrawal/commit` and sometimes on the
//! `GET /withdrawal` lookup.
//!
//! The server is pay-sandbox's [`ScriptedServer`] (COINQVEST's error shapes) made stateful by the
//! transport in front of it: `GET /withdrawal`
//! answers `PROCESSING` once the server applied a commit of that withdrawal (its own `commits`
//! counter, incremented before any fault is acted on) and `PENDING_API_COMMIT` before. Each
//! iteration gets its own path prefix (`/wd00000042/withdrawal/commit`), so iterations run
//! concurrently against one server without sharing routes or fault queues.
//!
//! Per iteration: `POST /withdrawal` (a quote, no faults), then the class's schedule is queued,
//! then `commit_quote` (the commit pinned to the quote's terms), then the client's answer is
//! compared with the server's commit count ([`super::Judged`]): duplicates (two commits applied),
//! lost (said nothing moved while it was applied, or committed while it was not), wrong (also:
//! reported another withdrawal), unknowns and conflicts.
//!
//! | class | schedule |
//! |---|---|
//! | the transport's six | 1–3 faults of the class on the commit; in 30% of the iterations 1–3 on the lookup too |
//! | `lookup_other_payout` | the commit's answer dropped; 1–3 lookups answer another withdrawal (the reply with its id changed) |
//! | `lookup_mismatch` | the commit's answer dropped; 1–3 lookups answer the id with every amount raised by 1 and another account |
//! | `held_then_commit` | the commit held 250 ms (past the 150 ms timeout, inside the 300 ms settle window), then applied |
//! | `recreate_refused_in_flight` | the commit held 700 ms (past the settle window); the re-commit is refused meanwhile ("PROCESSING") |
//! | `commit_answered_late` | the commit applied, its answer 1 s late; the caller drops the call at 50 ms and commits again, which is refused "already COMPLETED" |
//! | `already_completed` | the commit answered; the caller commits again and gets 400 "Withdrawal is COMPLETED and cannot be committed" |
//!
//! Timeouts are short (150 ms per attempt) and the delayed answers far longer (1 s), `Retry-After`
//! is capped at 10 ms and backoff at 5 ms, and up to 64 iterations run at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use pay_coinqvest::client::CoinqvestClient;
use pay_coinqvest::withdrawals::{CreateWithdrawal, NgnBank, TargetAccount, Withdrawal};
use pay_core::endpoint::BaseUrl;
use pay_core::error::{Provider, TransportError};
use pay_core::recovery::PayoutOutcome;
use pay_core::secret::Secret;
use pay_sandbox::{Fault, Reply, ScriptedServer};
use pay_transport::hyper_transport::HyperTransport;
use tokio::task::JoinSet;
use tower_service::Service;

use super::{ClassReport, FaultClass, Judged, class_index, run_executor};

/// Iterations in flight at once (they mostly wait on timers).
const CONCURRENCY: u64 = 128;
/// The client's per-attempt timeout.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(150);
/// How long a "delayed" answer waits: far past the timeout.
const DELAY: Duration = Duration::from_secs(1);
/// How long `held_then_commit` holds a commit: past the timeout, inside the settle window.
const HOLD: Duration = Duration::from_millis(250);
/// How long `recreate_refused_in_flight` holds a commit: past the settle window.
const LONG_HOLD: Duration = Duration::from_millis(700);

/// Whether the COINQVEST runner has a schedule for `class` (`id_reused` needs ids the merchant
/// chooses; COINQVEST makes withdrawal ids itself).
pub fn supports(class: FaultClass) -> bool {
    class != FaultClass::IdReused
}

const KEY: &str = "faults-key";
const SECRET: &str = "faults-secret-not-a-real-one";

/// Runs `iterations` seeded schedules of `class`. Must run inside a tokio runtime (either flavour).
pub async fn run(class: FaultClass, iterations: u64, seed: u64) -> ClassReport {
    if !supports(class) {
        return ClassReport::default();
    }
    let failed = ClassReport {
        iterations,
        unknown: iterations,
        ..ClassReport::default()
    };
    let Ok(server) = ScriptedServer::start(Provider::Coinqvest).await else {
        return failed;
    };
    let Ok(transport) = HyperTransport::builder()
        .pool_max_idle_per_host(CONCURRENCY as usize)
        .build()
    else {
        return failed;
    };
    let Ok(secret) = Secret::new(SECRET) else {
        return failed;
    };
    let shared = Shared {
        server: Arc::new(server),
        transport,
        secret,
    };
    let mut report = ClassReport::default();
    let mut running = JoinSet::new();
    let mut next = 0u64;
    loop {
        while next < iterations && (running.len() as u64) < CONCURRENCY {
            running.spawn(iteration(shared.clone(), class, seed, next));
            next += 1;
        }
        match running.join_next().await {
            Some(Ok(one)) => report.merge(one),
            // A panicked or cancelled iteration: its outcome is not known.
            Some(Err(_)) => report.merge(ClassReport {
                iterations: 1,
                unknown: 1,
                ..ClassReport::default()
            }),
            None => break,
        }
    }
    report
}

#[derive(Clone)]
struct Shared {
    server: Arc<ScriptedServer>,
    transport: HyperTransport,
    secret: Secret,
}

/// One withdrawal intent under one schedule.
async fn iteration(shared: Shared, class: FaultClass, seed: u64, n: u64) -> ClassReport {
    let mut report = ClassReport {
        iterations: 1,
        ..ClassReport::default()
    };
    let mut rng = fastrand::Rng::with_seed(
        seed ^ class_index(class).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ n.wrapping_mul(0xD6E8_FEB8_6659_FD93),
    );
    let id = format!("wd{n:08}");
    let prefix = format!("/{id}");
    let commit_path = format!("{prefix}/withdrawal/commit");
    let lookup_path = format!("{prefix}/withdrawal");
    let server = &shared.server;
    server.set_reply(
        &commit_path,
        Reply::json(StatusCode::OK, withdrawal_json(&id, "PROCESSING")),
    );
    let Ok(base) = format!("{}{prefix}", server.base_url()).parse::<BaseUrl>() else {
        report.unknown = 1;
        return report;
    };
    let client = CoinqvestClient::builder(KEY, shared.secret.clone())
        .base_url(base)
        .transport(Stateful {
            inner: shared.transport.clone(),
            server: server.clone(),
        })
        .executor(|e| run_executor(e, ATTEMPT_TIMEOUT, rng.u64(..)))
        .build();
    let Ok(client) = client else {
        report.unknown = 1;
        return report;
    };

    let Ok(amount) = rng.u32(1..10_000).to_string().parse() else {
        report.unknown = 1;
        return report;
    };
    let quote = CreateWithdrawal::new(
        "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
        amount,
        TargetAccount::NgnBank {
            nuban: "3080494548".into(),
            bank: NgnBank::FirstBank,
        },
    );
    let Ok(quoted) = client.create_withdrawal(&quote).await else {
        // No quote, no commit: nothing can have moved.
        report.refused = 1;
        return report;
    };

    let said = match class {
        FaultClass::CommitAnsweredLate => {
            // The first call is dropped (a crash) while its commit is applied and answered late.
            server.push_faults(&commit_path, [Fault::CommitThenDelay(DELAY)]);
            let dropped =
                tokio::time::timeout(Duration::from_millis(50), client.commit_quote(&quoted)).await;
            if dropped.is_ok()
                || !applied_within(server, &commit_path, Duration::from_secs(5)).await
            {
                report.unknown = 1;
                return report;
            }
            server.push_faults(&commit_path, [Fault::AlreadyCompleted]);
            client.commit_quote(&quoted).await
        }
        FaultClass::AlreadyCompleted => {
            // Committed and answered; the caller (after a crash) commits again.
            if client.commit_quote(&quoted).await.exists() != Some(true) {
                report.unknown = 1;
                return report;
            }
            server.push_faults(&commit_path, [Fault::AlreadyCompleted]);
            client.commit_quote(&quoted).await
        }
        _ => {
            let (on_commit, on_lookup) = schedule(class, &mut rng);
            server.push_faults(&commit_path, on_commit);
            server.push_faults(&lookup_path, on_lookup);
            client.commit_quote(&quoted).await
        }
    };
    // A held commit lands after the client answered: wait for the books to settle first.
    if matches!(
        class,
        FaultClass::HeldThenCommit | FaultClass::RecreateRefusedInFlight
    ) {
        tokio::time::sleep(LONG_HOLD).await;
    }
    judge(&said, &id, server.commits(&commit_path) as u64)
}

/// Compares what the client said with the commits the server applied.
fn judge(said: &PayoutOutcome<Withdrawal>, id: &str, applied: u64) -> ClassReport {
    let judged = Judged {
        said_exists: said.exists(),
        conflict: said.conflict().is_some(),
        reported_is_the_servers: said.payout().is_some_and(|w| w.id == id),
        on_server: applied,
    };
    let report = judged.report();
    if !report.is_clean() {
        eprintln!(
            "faults coinqvest: {id}: said {} (payout {:?}), the server applied {applied}",
            said.name(),
            said.payout().map(|w| &w.id)
        );
    }
    report
}

/// Waits until `path` has a commit applied, up to `limit`.
async fn applied_within(server: &ScriptedServer, path: &str, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if server.commits(path) > 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

/// The faults of one iteration of `class` on the commit and on the lookup (see the module table).
fn schedule(class: FaultClass, rng: &mut fastrand::Rng) -> (Vec<Fault>, Vec<Fault>) {
    let lookups = |fault: Fault, rng: &mut fastrand::Rng| vec![fault; rng.usize(1..=3)];
    match class {
        FaultClass::LookupOtherPayout => (
            vec![Fault::CommitThenDrop],
            lookups(Fault::LookupOtherPayout, rng),
        ),
        FaultClass::LookupMismatch => (
            vec![Fault::CommitThenDrop],
            lookups(Fault::LookupMismatch, rng),
        ),
        FaultClass::HeldThenCommit => (vec![Fault::HeldThenCommit(HOLD)], Vec::new()),
        FaultClass::RecreateRefusedInFlight => {
            (vec![Fault::RecreateRefusedInFlight(LONG_HOLD)], Vec::new())
        }
        transport => {
            // 1–3 faults of the class on the commit, sometimes 1–3 on the lookup (three exhaust
            // the lookup's attempts: that lookup fails, which is allowed and counted).
            let on_commit = (0..rng.usize(1..=3))
                .map(|_| fault(transport, rng))
                .collect();
            let on_lookup = if rng.u8(..10) < 3 {
                (0..rng.usize(1..=3))
                    .map(|_| fault(transport, rng))
                    .collect()
            } else {
                Vec::new()
            };
            (on_commit, on_lookup)
        }
    }
}

/// One fault of a transport class, with its random parameters.
fn fault(class: FaultClass, rng: &mut fastrand::Rng) -> Fault {
    match class {
        FaultClass::CommitThenDrop => Fault::CommitThenDrop,
        FaultClass::CommitThenDelay => Fault::CommitThenDelay(DELAY),
        FaultClass::CommitThenTruncate => Fault::CommitThenTruncate,
        FaultClass::ResetBeforeCommit => Fault::ResetBeforeCommit,
        FaultClass::Status5xx => Fault::Status5xx {
            status: match rng.u8(..3) {
                0 => StatusCode::INTERNAL_SERVER_ERROR,
                1 => StatusCode::BAD_GATEWAY,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            },
            applied: rng.bool(),
        },
        _ => Fault::Status429 {
            retry_after_secs: u64::from(rng.u8(0..3)),
        },
    }
}

/// The withdrawal JSON COINQVEST answers (`{"withdrawal": {...}}`).
fn withdrawal_json(id: &str, state: &str) -> String {
    format!(
        r#"{{"withdrawal":{{"id":"{id}","type":"WITHDRAWAL","state":"{state}","origin":"API","timestamp":"2020-03-04T19:54:47+02:00","sourceAssetCode":"USD","sourceAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"142.3156600","targetAssetCode":"NGNT","targetAssetIssuer":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD","targetAmount":"30727.1358200","withdrawalFee":"200.0000000","targetBlockchain":null,"targetFiatCurrency":"NGN","transactionId":null,"targetAccount":{{"nuban":"3080494548","bankName":"FirstBank"}}}}}}"#
    )
}

/// The default transport in front of the fault server, setting the answer of `/…/withdrawal`
/// (quote and lookup) from the server's commit count just before the request leaves.
#[derive(Clone)]
struct Stateful {
    inner: HyperTransport,
    server: Arc<ScriptedServer>,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Bytes>, TransportError>> + Send>>;

impl Service<Request<Bytes>> for Stateful {
    type Response = Response<Bytes>;
    type Error = TransportError;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Bytes>) -> Answer {
        let path = request.uri().path();
        if path.ends_with("/withdrawal")
            && (request.method() == Method::GET || request.method() == Method::POST)
        {
            let id = path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default();
            let state = if self.server.commits(&format!("{path}/commit")) > 0 {
                "PROCESSING"
            } else {
                "PENDING_API_COMMIT"
            };
            self.server.set_reply(
                path,
                Reply::json(StatusCode::OK, withdrawal_json(id, state)),
            );
        }
        let mut inner = self.inner.clone();
        Box::pin(async move { inner.call(request).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_class_keeps_payouts_single_known_and_true() {
        for class in FaultClass::ALL.into_iter().filter(|c| supports(*c)) {
            let r = run(class, 40, 11).await;
            assert_eq!(r.iterations, 40, "{class}");
            assert_eq!(
                r.created + r.refused + r.unknown + r.conflicts,
                40,
                "{class}: {r:?}"
            );
            assert!(r.is_clean(), "{class}: {r:?}");
            match class {
                // The schedules that must end as the books say, whatever the timing.
                FaultClass::LookupOtherPayout | FaultClass::LookupMismatch => {
                    assert_eq!(r.conflicts, 40, "{class}: {r:?}");
                }
                FaultClass::HeldThenCommit
                | FaultClass::CommitAnsweredLate
                | FaultClass::AlreadyCompleted => assert_eq!(r.created, 40, "{class}: {r:?}"),
                FaultClass::RecreateRefusedInFlight => assert_eq!(r.refused, 0, "{class}: {r:?}"),
                _ => {}
            }
        }
        assert_eq!(
            run(FaultClass::IdReused, 40, 11).await,
            ClassReport::default()
        );
    }
}
