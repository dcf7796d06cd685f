//! COINQVEST fault schedules: withdrawal commits through the real client
//! ([`pay_coinqvest::client::CoinqvestClient::commit_withdrawal`]) over loopback HTTP, under a
//! seeded random schedule of one fault class on `POST /withdrawal/commit` and sometimes on the
//! `GET /withdrawal` lookup.
//!
//! The server is [`FaultServer`] made stateful by the transport in front of it: `GET /withdrawal`
//! answers `PROCESSING` once the server applied a commit of that withdrawal (its own `commits`
//! counter, incremented before any fault is acted on) and `PENDING_API_COMMIT` before. Each
//! iteration gets its own path prefix (`/wd00000042/withdrawal/commit`), so iterations run
//! concurrently against one server without sharing routes or fault queues.
//!
//! Per iteration: `POST /withdrawal` (a quote, no faults), then the faults are queued, then
//! `commit_withdrawal`, then the client's answer is compared with the server's commit count:
//!
//! * **duplicate**: the server applied two or more commits;
//! * **lost**: the client said "not committed" (refused, `NotCommitted`, `Failed`) but the server
//!   applied it, or, the other way round, said committed when the server applied none;
//! * **unknown**: the client answered `CommitOutcome::Unknown` (needs a person).
//!
//! Timeouts are short (150 ms per attempt) and the delayed answers far longer (1 s), `Retry-After`
//! is capped at 10 ms and backoff at 5 ms, and up to 64 iterations run at once, so 1,000
//! iterations per class take a few seconds in release.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use pay_coinqvest::client::CoinqvestClient;
use pay_coinqvest::withdrawals::{CreateWithdrawal, NgnBank, TargetAccount};
use pay_core::endpoint::BaseUrl;
use pay_core::error::TransportError;
use pay_core::secret::Secret;
use pay_transport::RetryPolicy;
use pay_transport::floors::Floors;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::testing::{Fault, FaultServer, Reply};
use tokio::task::JoinSet;
use tower_service::Service;

use super::{ClassReport, FaultClass};

/// Iterations in flight at once.
const CONCURRENCY: u64 = 64;
/// The client's per-attempt timeout.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(150);
/// How long a "delayed" answer waits: far past the timeout.
const DELAY: Duration = Duration::from_secs(1);

const KEY: &str = "faults-key";
const SECRET: &str = "faults-secret-not-a-real-one";

/// Runs `iterations` seeded schedules of `class`. Must run inside a tokio runtime (either flavour).
pub async fn run(class: FaultClass, iterations: u64, seed: u64) -> ClassReport {
    let failed = ClassReport {
        iterations,
        unknown: iterations,
        ..ClassReport::default()
    };
    let Ok(server) = FaultServer::start().await else {
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
    server: Arc<FaultServer>,
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
        seed ^ (class as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
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
        .attempt_timeout(ATTEMPT_TIMEOUT)
        .retry_policy(
            RetryPolicy::standard()
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
                .with_max_retry_after(Duration::from_millis(10)),
        )
        .floors(Floors::below_provider_minimums_for_sandbox(Duration::ZERO))
        .rng_seed(rng.u64(..))
        .build_with_transport(Stateful {
            inner: shared.transport.clone(),
            server: server.clone(),
        });
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

    // The schedule: 1–3 faults of the class on the commit, sometimes 1–3 on the lookup (three
    // exhaust the lookup's attempts: the outcome is then unknown, which is allowed and counted).
    let commit_faults: Vec<Fault> = (0..rng.usize(1..=3))
        .map(|_| fault(class, &mut rng))
        .collect();
    server.push_faults(&commit_path, commit_faults);
    if rng.u8(..10) < 3 {
        let lookup_faults: Vec<Fault> = (0..rng.usize(1..=3))
            .map(|_| fault(class, &mut rng))
            .collect();
        server.push_faults(&lookup_path, lookup_faults);
    }

    let said = client.commit_withdrawal(&quoted.id).await;
    let applied = server.commits(&commit_path);
    if applied >= 2 {
        report.duplicates = 1;
    }
    match said.exists() {
        Some(true) => {
            report.created = 1;
            if applied == 0 {
                report.lost = 1;
            }
        }
        None => report.unknown = 1,
        // Refused or never sent: the client says nothing moved.
        Some(false) => {
            report.refused = 1;
            if applied > 0 {
                report.lost = 1;
            }
        }
    }
    report
}

/// One fault of `class`, with its random parameters.
fn fault(class: FaultClass, rng: &mut fastrand::Rng) -> Fault {
    match class {
        FaultClass::CommitThenDrop => Fault::CommitThenDrop,
        FaultClass::CommitThenDelay => Fault::CommitThenDelay(DELAY),
        FaultClass::CommitThenTruncate => Fault::CommitThenTruncate,
        FaultClass::ResetBeforeCommit => Fault::ResetBeforeCommit,
        FaultClass::Burst5xx => Fault::Status {
            status: match rng.u8(..3) {
                0 => StatusCode::INTERNAL_SERVER_ERROR,
                1 => StatusCode::BAD_GATEWAY,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            },
            commit: rng.bool(),
        },
        FaultClass::TooManyRequests => Fault::TooManyRequests {
            retry_after: rng.u8(0..3).to_string(),
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
    server: Arc<FaultServer>,
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
    async fn every_class_keeps_payouts_single_and_known() {
        for class in FaultClass::ALL {
            let r = run(class, 40, 11).await;
            assert_eq!(r.iterations, 40, "{class}");
            assert_eq!(r.created + r.refused + r.unknown, 40, "{class}: {r:?}");
            assert_eq!(r.duplicates, 0, "{class}: {r:?}");
            assert_eq!(r.lost, 0, "{class}: {r:?}");
        }
    }
}
