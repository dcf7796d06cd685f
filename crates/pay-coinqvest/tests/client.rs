//! The async client (`--features client`): commit recovery against the sandbox's scripted loopback server, clock
//! re-sync against a server whose clock is 2 minutes ahead, fresh digest signatures per attempt,
//! the page walker and `wait_until_final`, the latter ones in virtual time.
#![allow(clippy::panic, clippy::unwrap_used)] // test code

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use pay_coinqvest::DigestSigner;
use pay_coinqvest::client::CoinqvestClient;
use pay_coinqvest::pagination::Page;
use pay_coinqvest::payments::ListPayments;
use pay_coinqvest::state::{CheckoutState, WithdrawalState};
use pay_coinqvest::withdrawals::Withdrawal;
use pay_core::clock::{Clock, ManualClock};
use pay_core::error::{Error, Provider, RequestOutcome, TransportError};
use pay_core::recovery::{OutcomeName, PayoutOutcome, Resolution, StepAction};
use pay_core::secret::Secret;
use pay_sandbox::{Fault, Reply, ScriptedServer, Step};
use pay_transport::floors::Floors;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::journal::Journal;
use pay_transport::service::{HttpService, service_fn};
use pay_transport::sleep::VirtualSleep;
use pay_transport::{ExecutorBuilder, RetryPolicy};
use time::macros::datetime;
use tower_service::Service;

const KEY: &str = "a1b2c3d4e5f6";
const SECRET: &str = "Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx";
const COMMIT: &str = "/withdrawal/commit";
const LOOKUP: &str = "/withdrawal";
const ID: &str = "12d72c3c8145";

fn secret() -> Secret {
    Secret::new(SECRET).unwrap()
}

fn withdrawal_json(id: &str, state: &str) -> String {
    format!(
        r#"{{"withdrawal":{{"id":"{id}","type":"WITHDRAWAL","state":"{state}","origin":"API","timestamp":"2020-03-04T19:54:47+02:00","sourceAssetCode":"USD","sourceAssetIssuer":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"142.3156600","targetAssetCode":"NGNT","targetAssetIssuer":"NGNT:GAWODAROMJ33V5YDFY3NPYTHVYQG7MJXVJ2ND3AOGIHYRWINES6ACCPD","targetAmount":"30727.1358200","withdrawalFee":"200.0000000","targetBlockchain":null,"targetFiatCurrency":"NGN","transactionId":null,"targetAccount":{{"nuban":"3080494548","bankName":"FirstBank"}}}}}}"#
    )
}

fn checkout_json(id: &str, state: &str) -> String {
    format!(
        r#"{{"checkout":{{"id":"{id}","timestamp":"2020-03-02T19:36:33+00:00","state":"{state}","hostedCheckoutUrl":null,"payments":[]}}}}"#
    )
}

fn payment_json(n: u64) -> String {
    format!(
        r#"{{"id":"pay{n:09}","type":"PAYMENT","state":"RESOLVED","timestamp":"2020-03-01T13:33:51+02:00","creditAssetCode":"USD","creditAssetIssuer":"USD:X","creditAmount":"1.0000000","sourceAssetCode":"XLM","sourceAssetIssuer":"XLM:NATIVE","sourceAmount":"4.4","sourceBlockchain":"XLM","sourceAccount":null,"sourceTxId":null,"customerId":null,"checkoutId":"2b2813372e89"}}"#
    )
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

// ---- loopback: the scripted server with withdrawal state ------------------------------------

/// The default transport, in front of a scripted server whose `GET /withdrawal` answers from what
/// `POST /withdrawal/commit` applied (`PROCESSING` once committed), unless a state is forced.
#[derive(Clone)]
struct Stateful {
    inner: HyperTransport,
    server: Arc<ScriptedServer>,
    forced: Arc<Mutex<Option<&'static str>>>,
}

impl Service<Request<Bytes>> for Stateful {
    type Response = Response<Bytes>;
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Bytes>, TransportError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Bytes>) -> Self::Future {
        if request.method() == Method::GET && request.uri().path() == LOOKUP {
            let state = self.forced.lock().unwrap().unwrap_or_else(|| {
                if self.server.commits(COMMIT) > 0 {
                    "PROCESSING"
                } else {
                    "PENDING_API_COMMIT"
                }
            });
            self.server.set_reply(
                LOOKUP,
                Reply::json(StatusCode::OK, withdrawal_json(ID, state)),
            );
        }
        let mut inner = self.inner.clone();
        Box::pin(async move { inner.call(request).await })
    }
}

struct Loopback {
    server: Arc<ScriptedServer>,
    forced: Arc<Mutex<Option<&'static str>>>,
    client: CoinqvestClient<Stateful>,
}

/// A fresh [`loopback`] whose commits meet `faults` in turn, and the outcome of committing [`ID`]
/// on it.
async fn commit_under(
    faults: impl IntoIterator<Item = Fault>,
) -> (Loopback, PayoutOutcome<Withdrawal>) {
    let t = loopback().await;
    t.server.push_faults(COMMIT, faults);
    let outcome = t.client.commit_withdrawal(ID).await;
    (t, outcome)
}

async fn loopback() -> Loopback {
    loopback_with(|b| b).await
}

async fn loopback_with(
    configure: impl FnOnce(ExecutorBuilder<Stateful>) -> ExecutorBuilder<Stateful>,
) -> Loopback {
    let server = Arc::new(ScriptedServer::start(Provider::Coinqvest).await.unwrap());
    server.set_reply(
        COMMIT,
        Reply::json(StatusCode::OK, withdrawal_json(ID, "PROCESSING")),
    );
    let forced = Arc::new(Mutex::new(None));
    let transport = Stateful {
        inner: HyperTransport::new().unwrap(),
        server: server.clone(),
        forced: forced.clone(),
    };
    let client = CoinqvestClient::builder(KEY, secret())
        .base_url(server.base_url())
        .transport(transport)
        .executor(|e| {
            configure(
                e.attempt_timeout(Duration::from_millis(500))
                    .retry_policy(
                        RetryPolicy::standard()
                            .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
                            .with_max_retry_after(Duration::from_millis(20)),
                    )
                    .floors(Floors::below_provider_minimums_for_sandbox(Duration::ZERO))
                    .rng_seed(7),
            )
        })
        .build()
        .unwrap();
    Loopback {
        server,
        forced,
        client,
    }
}

/// COINQVEST's refusal of a commit, nothing applied.
fn refusal() -> Step {
    Step::Answer(Reply::json(
        StatusCode::BAD_REQUEST,
        r#"{"errors":["Insufficient funds: your balance changed since the withdrawal was created."]}"#,
    ))
}

fn state_of(outcome: &PayoutOutcome<Withdrawal>) -> WithdrawalState {
    outcome.payout().unwrap().state.clone()
}

/// The recovery's steps, `S` (commit) and `L` (read), in order.
fn steps(outcome: &PayoutOutcome<Withdrawal>) -> String {
    outcome
        .evidence()
        .steps
        .iter()
        .map(|s| match s.action {
            StepAction::Send => 'S',
            StepAction::Lookup => 'L',
        })
        .collect()
}

#[tokio::test]
async fn an_answered_commit_is_committed_without_a_lookup() {
    let t = loopback().await;
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Committed, "{outcome:?}");
    assert_eq!(state_of(&outcome), WithdrawalState::Processing);
    assert_eq!(t.server.hits(COMMIT), 1);
    assert_eq!(t.server.commits(COMMIT), 1);
    assert_eq!(t.server.hits(LOOKUP), 0);
    // The commit's body and signature reached the server.
    let sent = &t.server.requests(COMMIT)[0];
    assert_eq!(sent.body.as_ref(), br#"{"withdrawalId":"12d72c3c8145"}"#);
    assert_eq!(sent.headers["x-digest-key"], KEY);
}

#[tokio::test]
async fn a_lost_answer_after_the_commit_applied_is_adopted_never_resent() {
    for fault in [
        Fault::CommitThenDrop,
        Fault::CommitThenDelay(Duration::from_secs(30)),
        Fault::CommitThenTruncate,
        Fault::Status5xx {
            status: StatusCode::BAD_GATEWAY,
            applied: true,
        },
    ] {
        let (t, outcome) = commit_under([fault.clone()]).await;
        assert_eq!(
            outcome.name(),
            OutcomeName::Adopted,
            "{fault:?}: {outcome:?}"
        );
        assert_eq!(outcome.exists(), Some(true));
        assert_eq!(
            t.server.hits(COMMIT),
            1,
            "{fault:?}: the commit is sent once"
        );
        assert_eq!(t.server.commits(COMMIT), 1, "{fault:?}");
        assert_eq!(t.server.hits(LOOKUP), 1, "{fault:?}: one lookup");
    }
}

#[tokio::test]
async fn a_commit_proven_not_applied_after_the_settle_window_is_sent_once_more() {
    for fault in [
        Fault::ResetBeforeCommit,
        Fault::Status5xx {
            status: StatusCode::SERVICE_UNAVAILABLE,
            applied: false,
        },
    ] {
        let (t, outcome) = commit_under([fault.clone()]).await;
        assert_eq!(
            outcome.name(),
            OutcomeName::Recreated,
            "{fault:?}: {outcome:?}"
        );
        assert_eq!(steps(&outcome), "SLLS");
        assert_eq!(t.server.hits(COMMIT), 2, "{fault:?}");
        assert_eq!(
            t.server.commits(COMMIT),
            1,
            "{fault:?}: applied exactly once"
        );
        // PENDING_API_COMMIT read at once is not trusted; read again after the window (2 × 500 ms).
        assert_eq!(t.server.hits(LOOKUP), 2, "{fault:?}");
        let e = &outcome.evidence().steps;
        assert!(e[2].started - e[0].ended.unwrap() >= time::Duration::seconds(1));
    }
}

#[tokio::test]
async fn a_second_lost_commit_is_looked_up_again_and_never_reported_not_committed() {
    // Neither commit applied (two reads of four): it cannot be proven that nothing will move, so
    // "unknown", never "not committed"; no third commit within four reads.
    let t = loopback_with(|b| b.recovery_rounds(4)).await;
    t.server
        .push_faults(COMMIT, [Fault::ResetBeforeCommit, Fault::ResetBeforeCommit]);
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Unknown, "{outcome:?}");
    assert_eq!(outcome.exists(), None);
    assert_eq!(steps(&outcome), "SLLSLL");
    assert_eq!(t.server.hits(COMMIT), 2);
    assert_eq!(t.server.commits(COMMIT), 0);

    // The second commit applied but its answer was lost: adopted.
    let (t, outcome) = commit_under([Fault::ResetBeforeCommit, Fault::CommitThenDrop]).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted, "{outcome:?}");
    assert_eq!(t.server.hits(COMMIT), 2);
    assert_eq!(t.server.commits(COMMIT), 1);
    assert_eq!(t.server.hits(LOOKUP), 3);

    // A refused second commit is not taken as final: read again, never "refused".
    let t = loopback().await;
    t.server
        .push_steps(COMMIT, [Step::Fault(Fault::ResetBeforeCommit), refusal()]);
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Unknown, "{outcome:?}");
    assert_eq!(t.server.hits(COMMIT), 2);
    assert_eq!(t.server.commits(COMMIT), 0);
}

#[tokio::test]
async fn failed_and_unknown_states_are_reported_not_resent() {
    // FAILED comes after a commit: adopted, its state says the money came back.
    let t = loopback().await;
    t.server.push_faults(COMMIT, [Fault::CommitThenDrop]);
    *t.forced.lock().unwrap() = Some("FAILED");
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted, "{outcome:?}");
    assert_eq!(state_of(&outcome), WithdrawalState::Failed);
    assert_eq!(t.server.hits(COMMIT), 1);

    let t = loopback().await;
    t.server.push_faults(COMMIT, [Fault::CommitThenTruncate]);
    *t.forced.lock().unwrap() = Some("ON_HOLD_FOR_REVIEW");
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Unknown, "{outcome:?}");
    let last = outcome.evidence().steps.last().unwrap();
    assert!(
        serde_json::to_string(last)
            .unwrap()
            .contains("ON_HOLD_FOR_REVIEW"),
        "{last:?}"
    );
    assert_eq!(outcome.evidence().sends().count(), 1);
    assert!(
        outcome
            .into_result()
            .unwrap_err()
            .to_string()
            .contains("resume with the same id")
    );
    assert_eq!(t.server.hits(COMMIT), 1);
}

#[tokio::test]
async fn a_failing_lookup_leaves_the_outcome_unknown() {
    let t = loopback().await;
    t.server.push_faults(COMMIT, [Fault::CommitThenDrop]);
    t.server.set_fallback(
        LOOKUP,
        Step::Fault(Fault::Status5xx {
            status: StatusCode::SERVICE_UNAVAILABLE,
            applied: false,
        }),
    );
    let outcome = t.client.commit_withdrawal(ID).await;
    let Resolution::Unknown(Some(last_error)) = outcome.resolution() else {
        panic!("{outcome:?}")
    };
    assert_eq!(last_error.outcome(), RequestOutcome::Unknown);
    assert_eq!(steps(&outcome), "SLLLLL");
    assert_eq!(t.server.hits(COMMIT), 1, "never re-sent without a lookup");
    assert_eq!(
        t.server.hits(LOOKUP),
        15,
        "each read retried (3 attempts), 5 reads"
    );
}

#[tokio::test]
async fn a_refused_commit_is_read_first_then_refused() {
    let t = loopback().await;
    t.server.push_steps(COMMIT, [refusal()]);
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Refused, "{outcome:?}");
    assert_eq!(outcome.exists(), Some(false));
    let Resolution::Refused(refusal) = outcome.resolution() else {
        unreachable!()
    };
    assert_eq!(refusal.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.server.hits(COMMIT), 1);
    assert_eq!(t.server.hits(LOOKUP), 1, "read: still PENDING_API_COMMIT");
}

#[tokio::test]
async fn a_repeated_commit_answered_already_completed_is_read_and_adopted() {
    // The first call's answer was lost and its future dropped (a crash); the commit applied. The
    // repeat is refused with HTTP 400 "Withdrawal is COMPLETED and cannot be committed": the old
    // client returned that refusal for a completed withdrawal.
    let t = loopback().await;
    t.server
        .push_faults(COMMIT, [Fault::CommitThenDelay(Duration::from_secs(30))]);
    let first = tokio::time::timeout(Duration::from_millis(200), t.client.commit_withdrawal(ID));
    assert!(first.await.is_err(), "dropped while its answer is late");
    wait_for(|| t.server.commits(COMMIT) == 1).await;
    t.server.push_faults(COMMIT, [Fault::AlreadyCompleted]);
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted, "{outcome:?}");
    assert_eq!(steps(&outcome), "SL");
    assert_eq!(t.server.commits(COMMIT), 1);
}

#[tokio::test]
async fn a_commit_held_past_the_timeout_is_found_after_the_window_never_not_committed() {
    // Commit 1 is held at the server 800 ms (the attempt times out at 500 ms), then applied. The
    // read right after the timeout shows PENDING_API_COMMIT; the old client then said "not
    // committed" (and committed again) while commit 1 was about to apply.
    let (t, outcome) = commit_under([Fault::HeldThenCommit(Duration::from_millis(800))]).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted, "{outcome:?}");
    assert_eq!(steps(&outcome), "SLL");
    assert_eq!(t.server.hits(COMMIT), 1);
    wait_for(|| t.server.commits(COMMIT) == 1).await;
}

#[tokio::test]
async fn a_read_answering_another_withdrawal_is_a_conflict() {
    let t = loopback().await;
    t.server.push_faults(COMMIT, [Fault::CommitThenDrop]);
    // The read answers the withdrawal with its id changed (`12d72c3c8145` -> `…8146`).
    t.server.push_faults(LOOKUP, [Fault::LookupOtherPayout]);
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Conflict, "{outcome:?}");
    assert_eq!(outcome.conflict().unwrap().found.id, "12d72c3c8146");
    assert_eq!(t.server.hits(COMMIT), 1);
}

#[tokio::test]
async fn a_pinned_commit_read_back_with_other_terms_is_a_conflict() {
    let t = loopback().await;
    let quote: Withdrawal =
        serde_json::from_str::<serde_json::Value>(&withdrawal_json(ID, "PENDING_API_COMMIT"))
            .map(|v| serde_json::from_value(v["withdrawal"].clone()).unwrap())
            .unwrap();
    t.server.push_faults(COMMIT, [Fault::CommitThenDrop]);
    t.server.push_steps(
        LOOKUP,
        [Step::Answer(Reply::json(
            StatusCode::OK,
            withdrawal_json(ID, "PROCESSING").replace("142.3156600", "1042.3156600"),
        ))],
    );
    let outcome = t.client.commit_quote(&quote).await;
    assert_eq!(outcome.name(), OutcomeName::Conflict, "{outcome:?}");
    let d = &outcome.conflict().unwrap().differences;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].field, "sourceAmount");
    // The same read for an id-only commit has nothing to compare but the id: adopted.
    let t = loopback().await;
    t.server.push_faults(COMMIT, [Fault::CommitThenDrop]);
    let outcome = t.client.commit_quote(&quote).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted, "{outcome:?}");
}

#[tokio::test]
async fn too_many_requests_is_waited_out_and_committed_once() {
    let t = loopback().await;
    t.server.push_faults(
        COMMIT,
        [Fault::Status429 {
            retry_after_secs: 1,
        }],
    );
    let outcome = t.client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Committed, "{outcome:?}");
    assert_eq!(t.server.hits(COMMIT), 2);
    assert_eq!(t.server.commits(COMMIT), 1);
    assert_eq!(t.server.hits(LOOKUP), 0);
}

/// Waits (up to 10 s, polling) until `done` holds.
async fn wait_for(done: impl Fn() -> bool) {
    for _ in 0..1_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 10 s");
}

#[tokio::test]
async fn every_attempt_over_loopback_carries_a_valid_signature() {
    let t = loopback().await;
    t.server.set_reply(
        "/auth-test",
        Reply::json(StatusCode::OK, Bytes::from_static(b"{\"success\":true}")),
    );
    t.server.push_faults(
        "/auth-test",
        [
            Fault::Status5xx {
                status: StatusCode::BAD_GATEWAY,
                applied: false,
            },
            Fault::CommitThenDrop,
        ],
    );
    assert!(t.client.auth_test().await.unwrap().success);
    let sent = t.server.requests("/auth-test");
    assert_eq!(sent.len(), 3);
    let signer = DigestSigner::new(KEY, secret());
    for r in &sent {
        let ts: i64 = r.headers["x-digest-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let expected = signer.sign("/auth-test", ts, &Method::GET, b"");
        assert_eq!(r.headers["x-digest-signature"], expected.signature.as_str());
    }
}

// ---- virtual time: scripted servers ---------------------------------------------------------

const BASE: &str = "https://cq.test/api/v1";

/// Completes on its second poll: gives control back to whoever polls the caller.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// A scripted server as a transport: `handler` sees the request with its path made relative to
/// `/api/v1`.
fn fake(
    handler: impl Fn(&str, &Request<Bytes>) -> Response<Bytes> + Send + Sync + 'static,
) -> impl HttpService {
    let handler = Arc::new(handler);
    service_fn(move |request: Request<Bytes>| {
        let handler = handler.clone();
        // Answers at once: under `VirtualSleep` a pending transport future would hit the attempt
        // timeout immediately.
        async move {
            let path = request
                .uri()
                .path()
                .strip_prefix("/api/v1")
                .unwrap_or("")
                .to_owned();
            Ok::<_, TransportError>(handler(&path, &request))
        }
    })
}

fn virtual_client<S: HttpService>(clock: &Arc<ManualClock>, transport: S) -> CoinqvestClient<S> {
    CoinqvestClient::builder(KEY, secret())
        .base_url(BASE.parse().unwrap())
        .transport(transport)
        .executor(|e| {
            e.clock(clock.clone())
                .sleep(Arc::new(VirtualSleep::new(clock.clone())))
                .rng_seed(1)
        })
        .build()
        .unwrap()
}

/// A [`virtual_client`] of a [`fake`] server whose `handler` also keeps a log of what it saw (the
/// returned log).
fn recording_client<T: Default + Send + 'static>(
    clock: &Arc<ManualClock>,
    handler: impl Fn(&mut T, &str, &Request<Bytes>) -> Response<Bytes> + Send + Sync + 'static,
) -> (Arc<Mutex<T>>, CoinqvestClient<impl HttpService>) {
    let log: Arc<Mutex<T>> = Arc::default();
    let kept = log.clone();
    let server = fake(move |path, request| handler(&mut kept.lock().unwrap(), path, request));
    (log, virtual_client(clock, server))
}

fn start_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(datetime!(2024-05-01 12:00 UTC)))
}

/// Checks a request's digest headers; returns its timestamp.
fn verify_digest(path: &str, request: &Request<Bytes>) -> Result<i64, &'static str> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(key), Some(ts), Some(sig)) = (
        header("x-digest-key"),
        header("x-digest-timestamp"),
        header("x-digest-signature"),
    ) else {
        return Err("missing digest headers");
    };
    let ts: i64 = ts.parse().map_err(|_| "bad timestamp")?;
    let expected =
        DigestSigner::new(KEY, secret()).sign(path, ts, request.method(), request.body());
    if key != KEY || sig != expected.signature {
        return Err("bad signature");
    }
    Ok(ts)
}

#[derive(Default)]
struct Hits(Mutex<HashMap<String, u32>>);

impl Hits {
    fn hit(&self, path: &str) -> u32 {
        let mut m = self.0.lock().unwrap();
        let n = m.entry(path.to_owned()).or_default();
        *n += 1;
        *n
    }
    fn get(&self, path: &str) -> u32 {
        self.0.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// A [`virtual_client`] of a [`skewed_server`] (`ahead`, `always_refuse`), with their clock and the
/// server's hit counts.
fn skewed_client(
    ahead: time::Duration,
    always_refuse: bool,
) -> (
    Arc<ManualClock>,
    Arc<Hits>,
    CoinqvestClient<impl HttpService>,
) {
    let clock = start_clock();
    let hits = Arc::new(Hits::default());
    let server = skewed_server(clock.clone(), ahead, always_refuse, hits.clone());
    (clock.clone(), hits, virtual_client(&clock, server))
}

/// A server whose clock is `ahead` of the client's, refusing digest timestamps more than 30 s
/// off, as COINQVEST does. With `always_refuse`, it refuses every protected request.
fn skewed_server(
    clock: Arc<ManualClock>,
    ahead: time::Duration,
    always_refuse: bool,
    hits: Arc<Hits>,
) -> impl HttpService {
    fake(move |path, request| {
        hits.hit(path);
        let server_now = clock.now() + ahead;
        if path == "/time" {
            return json(
                StatusCode::OK,
                format!(r#"{{"time":{}}}"#, server_now.unix_timestamp()),
            );
        }
        let fresh = verify_digest(path, request)
            .is_ok_and(|ts| (ts - server_now.unix_timestamp()).abs() <= 30);
        if always_refuse || !fresh {
            return json(
                StatusCode::UNAUTHORIZED,
                r#"{"errors":["Invalid or expired timestamp"]}"#,
            );
        }
        match path {
            "/auth-test" => json(StatusCode::OK, r#"{"success":true}"#),
            COMMIT => json(StatusCode::OK, withdrawal_json(ID, "PROCESSING")),
            _ => json(StatusCode::NOT_FOUND, r#"{"errors":["no such route"]}"#),
        }
    })
}

#[tokio::test]
async fn a_server_clock_two_minutes_ahead_is_resynced_once_then_requests_succeed() {
    let ahead = time::Duration::minutes(2);
    let (clock, hits, client) = skewed_client(ahead, false);
    assert_eq!(client.clock_offset(), time::Duration::ZERO);

    assert!(client.auth_test().await.unwrap().success);
    assert_eq!(hits.get("/auth-test"), 2, "refused once, repeated once");
    assert_eq!(hits.get("/time"), 1, "exactly one re-sync");
    assert_eq!(client.clock_offset(), ahead);

    // From now on requests are signed with server time: no more refusals, no more re-syncs.
    clock.advance(time::Duration::hours(1));
    assert!(client.auth_test().await.unwrap().success);
    let outcome = client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Committed, "{outcome:?}");
    assert_eq!(hits.get("/auth-test"), 3);
    assert_eq!(hits.get(COMMIT), 1);
    assert_eq!(hits.get("/time"), 1);
}

#[tokio::test]
async fn a_refused_commit_is_resynced_and_repeated_once_safely() {
    let (_, hits, client) = skewed_client(time::Duration::minutes(-2), false);
    let outcome = client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Committed, "{outcome:?}");
    assert_eq!(hits.get(COMMIT), 2, "a 401 was not applied: one repeat");
    assert_eq!(hits.get("/time"), 1);
    assert_eq!(hits.get(LOOKUP), 0);
}

#[tokio::test]
async fn the_resync_happens_once_and_never_loops() {
    let (clock, hits, client) = skewed_client(time::Duration::ZERO, true);
    let err = client.auth_test().await.unwrap_err();
    assert!(matches!(err.error(), Error::Provider(p) if p.is_authentication()));
    assert_eq!(hits.get("/auth-test"), 2);
    assert_eq!(hits.get("/time"), 1);

    // A commit refused twice as unauthenticated is refused: nothing moved, nothing looked up.
    let outcome = client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Refused, "{outcome:?}");
    assert!(matches!(outcome.resolution(), Resolution::Refused(p) if p.is_authentication()));
    assert_eq!(hits.get(COMMIT), 2);
    assert_eq!(hits.get("/time"), 2);
    assert_eq!(hits.get(LOOKUP), 0);

    // Without re-sync (or with basic auth), a refusal is final at once.
    let hits = Arc::new(Hits::default());
    let client = CoinqvestClient::builder(KEY, secret())
        .base_url(BASE.parse().unwrap())
        .provider(|auth| {
            auth.replayable_basic_auth(pay_coinqvest::BasicAuth::new_replayable(KEY, secret()))
        })
        .transport(skewed_server(
            clock.clone(),
            time::Duration::ZERO,
            true,
            hits.clone(),
        ))
        .executor(|e| {
            e.clock(clock.clone())
                .sleep(Arc::new(VirtualSleep::new(clock.clone())))
        })
        .build()
        .unwrap();
    client.auth_test().await.unwrap_err();
    assert_eq!(hits.get("/auth-test"), 1);
    assert_eq!(hits.get("/time"), 0);
}

#[tokio::test]
async fn digest_headers_are_fresh_on_every_attempt() {
    let clock = start_clock();
    let (seen, client) = recording_client(
        &clock,
        |log: &mut Vec<(i64, String, Bytes)>, path, request| {
            let ts = verify_digest(path, request).expect("every attempt is signed");
            let sig = request.headers()["x-digest-signature"]
                .to_str()
                .unwrap()
                .to_owned();
            log.push((ts, sig, request.body().clone()));
            match log.len() {
                1 => Response::builder()
                    .status(StatusCode::TOO_MANY_REQUESTS)
                    .header("retry-after", "7")
                    .body(Bytes::from_static(br#"{"errors":["slow down"]}"#))
                    .unwrap(),
                2 => json(StatusCode::SERVICE_UNAVAILABLE, r#"{"errors":["busy"]}"#),
                _ => json(StatusCode::OK, withdrawal_json(ID, "PROCESSING")),
            }
        },
    );
    // A read: 429, 503, then 200, three attempts.
    let w = client.get_withdrawal(ID).await.unwrap().found().unwrap();
    assert_eq!(w.state, WithdrawalState::Processing);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1].0 - seen[0].0, 7, "re-signed after the Retry-After");
    assert!(seen[2].0 >= seen[1].0);
    assert_ne!(seen[0].1, seen[1].1, "a new signature for a new timestamp");
}

#[tokio::test]
async fn a_commit_retried_after_429_is_re_signed_over_the_same_bytes() {
    let clock = start_clock();
    let (seen, client) = recording_client(&clock, |log: &mut Vec<(i64, Bytes)>, path, request| {
        let ts = verify_digest(path, request).expect("signed");
        log.push((ts, request.body().clone()));
        if log.len() == 1 {
            Response::builder()
                .status(StatusCode::TOO_MANY_REQUESTS)
                .header("retry-after", "12")
                .body(Bytes::new())
                .unwrap()
        } else {
            json(StatusCode::OK, withdrawal_json(ID, "PROCESSING"))
        }
    });
    let outcome = client.commit_withdrawal(ID).await;
    assert_eq!(outcome.name(), OutcomeName::Committed, "{outcome:?}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].0 - seen[0].0, 12);
    assert_eq!(seen[0].1, seen[1].1);
}

#[tokio::test]
async fn the_page_walker_follows_every_page() {
    let clock = start_clock();
    const TOTAL: u64 = 7;
    let (targets, client) = recording_client(&clock, |log: &mut Vec<String>, path, request| {
        assert_eq!(path, "/payments");
        verify_digest(path, request).unwrap();
        log.push(request.uri().query().unwrap().to_owned());
        let q: HashMap<&str, u64> = request
            .uri()
            .query()
            .unwrap()
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k, v.parse().unwrap())
            })
            .collect();
        let (limit, offset) = (q["limit"], q["offset"]);
        let items: Vec<String> = (offset..(offset + limit).min(TOTAL))
            .map(payment_json)
            .collect();
        json(
            StatusCode::OK,
            format!(
                r#"{{"count":{TOTAL},"limit":"{limit}","offset":{offset},"payments":[{}]}}"#,
                items.join(",")
            ),
        )
    });
    let pages = client
        .pages(ListPayments::new(Page::new(3, 0)))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    let ids: BTreeSet<String> = pages
        .iter()
        .flat_map(|p| p.payments.iter().map(|x| x.id.clone()))
        .collect();
    assert_eq!(ids.len(), 7);
    assert_eq!(
        *targets.lock().unwrap(),
        ["limit=3&offset=0", "limit=3&offset=3", "limit=3&offset=6"]
    );

    // One page at a time, with a count.
    let mut walker = client.pages(ListPayments::new(Page::new(5, 0)));
    let first = walker.next_page().await.unwrap().unwrap();
    assert_eq!(first.payments.len(), 5);
    let second = walker.next_page().await.unwrap().unwrap();
    assert_eq!(second.payments.len(), 2);
    assert!(walker.next_page().await.is_none());
    assert_eq!(walker.pages_read(), 2);
}

#[tokio::test]
async fn wait_until_final_polls_through_the_floor_in_virtual_time() {
    let clock = start_clock();
    let start = clock.now();
    let polls: Arc<Mutex<Vec<time::OffsetDateTime>>> = Arc::default();
    let log = polls.clone();
    let server_clock = clock.clone();
    let client = virtual_client(
        &clock,
        fake(move |path, request| {
            assert_eq!(path, "/checkout");
            assert_eq!(request.uri().query(), Some("id=82098fd51fcc"));
            let mut log = log.lock().unwrap();
            log.push(server_clock.now());
            let state = match log.len() {
                1 | 2 => "NEW_CHARGE",
                3 => "IN_PROGRESS",
                4 => return json(StatusCode::BAD_GATEWAY, r#"{"errors":["proxy"]}"#),
                _ => "COMPLETED",
            };
            json(StatusCode::OK, checkout_json("82098fd51fcc", state))
        }),
    );
    let checkout = client
        .wait_until_final_checkout("82098fd51fcc", None)
        .await
        .unwrap();
    assert_eq!(checkout.state, CheckoutState::Completed);
    let polls = polls.lock().unwrap().clone();
    assert_eq!(polls.len(), 5);
    for pair in polls.windows(2) {
        assert!(
            pair[1] - pair[0] >= time::Duration::seconds(10),
            "polls closer than the floor: {pair:?}"
        );
    }
    // Four gaps of exactly the floor (the 502 retry also waited for its turn).
    assert_eq!(clock.now() - start, time::Duration::seconds(40));
}

/// Virtual time that hands control back once per wait: moves the clock, then is pending once.
#[derive(Debug)]
struct SteppingSleep(Arc<ManualClock>);

impl pay_transport::sleep::Sleep for SteppingSleep {
    fn sleep(&self, duration: Duration) -> pay_transport::sleep::SleepFuture {
        let clock = self.0.clone();
        Box::pin(async move {
            clock.advance(time::Duration::try_from(duration).unwrap());
            YieldOnce(false).await;
        })
    }
}

#[tokio::test]
async fn wait_until_final_is_cancelled_by_dropping_it() {
    let clock = start_clock();
    let hits = Arc::new(Hits::default());
    let counter = hits.clone();
    let client = CoinqvestClient::builder(KEY, secret())
        .base_url(BASE.parse().unwrap())
        .transport(fake(move |path, _| {
            counter.hit(path);
            json(StatusCode::OK, checkout_json("c1", "NEW_CHARGE"))
        }))
        .executor(|e| {
            e.clock(clock.clone())
                .sleep(Arc::new(SteppingSleep(clock.clone())))
        })
        .build()
        .unwrap();
    let start = clock.now();
    let mut wait = Box::pin(client.wait_until_final_checkout("c1", None));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    for _ in 0..10 {
        assert!(wait.as_mut().poll(&mut cx).is_pending());
    }
    // One poll per floor: ten polls, 10 s apart.
    assert_eq!(hits.get("/checkout"), 10);
    assert_eq!(clock.now() - start, time::Duration::seconds(100));
    drop(wait); // cancelled while waiting for the next turn
    assert_eq!(hits.get("/checkout"), 10);
    // The cancelled turn was given back: a new wait polls at once (at 100 s, 10 s after the last
    // poll; had the turn been kept, it would still be waiting), then waits for the next turn.
    let mut again = Box::pin(client.wait_until_final_checkout("c1", None));
    assert!(again.as_mut().poll(&mut cx).is_pending());
    assert_eq!(hits.get("/checkout"), 11);
    assert_eq!(clock.now() - start, time::Duration::seconds(110));
}

#[tokio::test]
async fn every_endpoint_has_a_method() {
    use pay_coinqvest::checkouts::{ChargeBuilder, CommitCheckout, LineItem};
    use pay_coinqvest::customers::{CustomerUpdate, NewCustomer};
    use pay_coinqvest::withdrawals::{CreateWithdrawal, TargetAccount};

    let clock = start_clock();
    let (seen, client) = recording_client(
        &clock,
        |log: &mut BTreeSet<(String, String)>, path, request| {
            log.insert((request.method().to_string(), path.to_owned()));
            json(StatusCode::BAD_REQUEST, r#"{"errors":["test"]}"#)
        },
    );
    let params = || {
        ChargeBuilder::new("USD")
            .line_item(LineItem::new("T-Shirt", "10".parse().unwrap()))
            .build()
            .unwrap()
    };
    let c = &client;
    let page = Page::default();
    let refused = |r: Result<(), pay_transport::CallError>| {
        assert_eq!(r.unwrap_err().outcome(), RequestOutcome::Refused);
    };
    refused(c.create_checkout(params()).await.map(drop));
    refused(
        c.commit_checkout(&CommitCheckout::new("x", "XLM"))
            .await
            .map(drop),
    );
    refused(c.create_hosted_checkout(params()).await.map(drop));
    refused(c.get_checkout("x").await.map(drop));
    refused(c.list_checkouts(page).await.map(drop));
    refused(c.get_payment("x").await.map(drop));
    refused(c.list_payments(page).await.map(drop));
    refused(c.list_wallets().await.map(drop));
    refused(c.get_wallet("USD").await.map(drop));
    let quote = CreateWithdrawal::new(
        "USD:X",
        "1".parse().unwrap(),
        TargetAccount::Bitcoin {
            address: "bc1q".into(),
        },
    );
    refused(c.create_withdrawal(&quote).await.map(drop));
    // A 400 to the commit is read first; a read refused too leaves it unknown.
    assert_eq!(c.commit_withdrawal("x").await.name(), OutcomeName::Unknown);
    refused(c.get_withdrawal("x").await.map(drop));
    refused(c.list_withdrawals(page).await.map(drop));
    refused(c.list_asset_issuers().await.map(drop));
    refused(c.get_asset_issuer("x").await.map(drop));
    refused(c.list_assets().await.map(drop));
    refused(c.get_asset("x").await.map(drop));
    refused(c.list_fiat_currencies().await.map(drop));
    refused(c.get_fiat_currency("NGN").await.map(drop));
    refused(c.list_blockchains().await.map(drop));
    refused(c.get_blockchain("XLM").await.map(drop));
    refused(c.ping().await.map(drop));
    refused(c.get_time().await.map(drop));
    refused(c.auth_test().await.map(drop));
    refused(c.list_customers(page).await.map(drop));
    refused(
        c.create_customer(NewCustomer::new("a@b.test"))
            .await
            .map(drop),
    );
    refused(c.get_customer("x").await.map(drop));
    refused(c.update_customer(CustomerUpdate::new("x")).await.map(drop));
    refused(c.delete_customer("x").await.map(drop));

    let expected: BTreeSet<(String, String)> = pay_coinqvest::ENDPOINTS
        .iter()
        .map(|e| (e.method.to_string(), e.path.to_owned()))
        .collect();
    assert_eq!(expected.len(), 29);
    assert_eq!(*seen.lock().unwrap(), expected);
}

#[tokio::test]
async fn debug_output_never_shows_the_secret() {
    let clock = start_clock();
    let client = virtual_client(&clock, fake(|_, _| json(StatusCode::OK, "{}")));
    let text = format!("{client:?}");
    assert!(!text.contains(SECRET), "{text}");
    let builder = CoinqvestClient::builder(KEY, secret());
    assert!(!format!("{builder:?}").contains(SECRET));
}

// ---- the payout journal ----------------------------------------------------------------------

/// A SQLite journal in a fresh temporary file, removed when dropped.
struct TempJournal(std::path::PathBuf);

impl TempJournal {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "pay-coinqvest-journal-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    async fn open(&self) -> pay_store::Store {
        format!("sqlite:{}", self.0.join("journal.db").display())
            .parse::<pay_store::StoreConfig>()
            .unwrap()
            .open()
            .await
            .unwrap()
    }
}

impl Drop for TempJournal {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_journaled_commit_is_written_resumed_by_id_and_held_to_its_terms() {
    use pay_coinqvest::withdrawals::{CommitWithdrawal, QuoteTerms};
    use pay_store::{IntentJournal, IntentKey, IntentState, Listing};

    let dir = TempJournal::new();
    let store = dir.open().await;
    let t = loopback_with(|b| b.journal(Journal::new(store.clone()))).await;
    let key = IntentKey::new(
        pay_core::error::Provider::Coinqvest,
        "withdrawal_commit",
        ID,
    );
    // The answer lost, the commit applied: adopted, journaled final.
    t.server.push_faults(COMMIT, [Fault::CommitThenDrop]);
    let mut terms = QuoteTerms::default();
    terms.source_amount = Some("142.31566".parse().unwrap());
    let commit = CommitWithdrawal::new(ID).expecting(terms);
    let outcome = t.client.commit(&commit).await;
    assert_eq!(outcome.name(), OutcomeName::Adopted, "{outcome:?}");
    let stored = store.get(&key).await.unwrap().unwrap();
    assert_eq!(stored.intent.state, IntentState::Final);
    assert_eq!(stored.intent.outcome.as_ref().unwrap().name, "adopted");
    assert_eq!(
        stored.intent.payload["request"]["source_amount"],
        "142.31566"
    );
    // The same commit again (a process that never recorded its answer): read, never committed.
    let again = t.client.commit(&commit).await;
    assert_eq!(again.name(), OutcomeName::Adopted);
    assert_eq!(t.server.hits(COMMIT), 1);
    // Other terms under the id: refused before anything is sent.
    let mut other = QuoteTerms::default();
    other.source_amount = Some("1000".parse().unwrap());
    let outcome = t
        .client
        .commit(&CommitWithdrawal::new(ID).expecting(other))
        .await;
    match outcome.resolution() {
        Resolution::NotSent(Error::InvalidInput { field, .. }) => {
            assert_eq!(field, "source_amount");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t.server.hits(COMMIT), 1);
    assert_eq!(store.list(Listing::All, 10).await.unwrap().len(), 1);
    // Nothing left for resume.
    assert!(t.client.resume_journal().await.unwrap().is_empty());
}

#[test]
fn client_futures_can_be_spawned() {
    // The commit, resume and wait run through pay-transport's generic client code: their futures
    // must stay `Send` for `tokio::spawn`.
    fn spawnable<T: Send>(_: &T) {}
    let clock = start_clock();
    let client = virtual_client(&clock, fake(|_, _| json(StatusCode::OK, "{}")));
    spawnable(&client.commit_withdrawal(ID));
    spawnable(&client.resume_journal());
    spawnable(&client.wait_until_final_checkout("c1", None));
    spawnable(&client.get_checkout("c1"));
}
