//! Every fault class against a real loopback server through the default hyper + rustls transport.
//! Timeouts are short but the faults are far longer (a delayed answer waits 30 s), so nothing here
//! depends on scheduling luck.
#![allow(clippy::panic, clippy::unwrap_used)] // test code

mod support;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use pay_core::error::{Delivery, Error, RequestOutcome, TransportErrorKind};
use pay_sandbox::{Fault, Reply, ScriptedServer, Step};
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::service::HttpService;
use pay_transport::sleep::TokioSleep;
use pay_transport::{CallError, Ending, Executed, Executor, RetryPolicy};
use support::*;

const CREATE: &str = "/withdraw/create";
const STATUS: &str = "/withdraw/status";
const COMMIT: &str = "/withdrawal/commit";

fn executor(server: &ScriptedServer) -> Executor<HyperTransport> {
    executor_with(server, HyperTransport::new().unwrap())
}

fn executor_with<S: HttpService>(server: &ScriptedServer, transport: S) -> Executor<S> {
    Executor::builder(transport, server.base_url())
        .sleep(Arc::new(TokioSleep))
        .attempt_timeout(Duration::from_millis(500))
        // Tiny backoff: these tests are about what is re-sent, not when.
        .retry_policy(
            RetryPolicy::standard()
                .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .rng_seed(7)
        .build()
        .unwrap()
}

/// An executor sending to `server` through `transport`, one attempt per call.
fn single_attempt<S: HttpService>(server: &ScriptedServer, transport: S) -> Executor<S> {
    Executor::builder(transport, server.base_url())
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap()
}

/// A commit through `exec` is answered 400, its body naming the withdrawal's state `state`.
async fn assert_commit_refused(exec: &Executor<impl HttpService>, state: &str) {
    let refused = exec
        .execute(&CommitWithdrawal::default(), &())
        .await
        .unwrap();
    assert_eq!(refused.value.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&refused.value.body).contains(state));
}

fn transport_kind(e: &Error) -> (TransportErrorKind, Delivery) {
    match e {
        Error::Transport(t) => (t.kind, t.delivery),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Sends `endpoint` through `exec`; it must fail.
async fn failed(
    exec: &Executor<impl HttpService>,
    endpoint: &impl Endpoint<Context = (), Output = Answer>,
) -> CallError {
    exec.execute(endpoint, &()).await.unwrap_err()
}

/// A scripted server and an executor sending to it.
async fn rig() -> (ScriptedServer, Executor<HyperTransport>) {
    let server = scripted_server().await;
    let exec = executor(&server);
    (server, exec)
}

/// A scripted server whose creates meet `faults` in turn, an executor sending to it, and the failed
/// create.
async fn create_under(
    faults: impl IntoIterator<Item = Fault>,
) -> (ScriptedServer, Executor<HyperTransport>, CallError) {
    let (server, exec) = rig().await;
    server.push_faults(CREATE, faults);
    let err = failed(&exec, &CreateWithdraw::default()).await;
    (server, exec, err)
}

/// Reads the status through `exec` once `server` scripted `faults` for it; the read succeeds.
async fn read_under(
    server: &ScriptedServer,
    exec: &Executor<impl HttpService>,
    faults: impl IntoIterator<Item = Fault>,
) -> Executed<Answer> {
    server.push_faults(STATUS, faults);
    exec.execute(&WithdrawStatus::default(), &()).await.unwrap()
}

/// `err` is a transport failure of `kind` after which the request may have been sent: the
/// payout must be recovered by lookup.
fn assert_needs_recovery(err: &CallError, kind: TransportErrorKind) {
    assert!(err.needs_recovery(), "{err}");
    assert_eq!(transport_kind(err.error()), (kind, Delivery::MaybeSent));
}

#[tokio::test]
async fn commit_then_drop_is_recovered_for_payouts_and_retried_for_reads() {
    let (server, exec, err) = create_under([Fault::CommitThenDrop]).await;
    assert!(err.needs_recovery(), "{err}");
    assert_eq!(err.outcome(), RequestOutcome::Unknown);
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        transport_kind(err.error()),
        (TransportErrorKind::ConnectionClosed, Delivery::MaybeSent)
    );
    assert_eq!(
        server.hits(CREATE),
        1,
        "a payout with a lost answer is never re-sent"
    );
    assert_eq!(server.commits(CREATE), 1);

    let ok = read_under(&server, &exec, [Fault::CommitThenDrop]).await;
    assert_eq!(ok.attempts, 2);
    assert_eq!(server.hits(STATUS), 2, "a read is retried");
}

#[tokio::test]
async fn commit_then_delay_times_out_as_maybe_sent() {
    let (server, exec, err) = create_under([Fault::CommitThenDelay(Duration::from_secs(30))]).await;
    assert_needs_recovery(&err, TransportErrorKind::Timeout);
    assert_eq!(server.hits(CREATE), 1);
    assert_eq!(
        server.commits(CREATE),
        1,
        "applied although the client timed out"
    );

    let ok = read_under(
        &server,
        &exec,
        [Fault::CommitThenDelay(Duration::from_secs(30))],
    )
    .await;
    assert_eq!((ok.attempts, server.hits(STATUS)), (2, 2));
}

#[tokio::test]
async fn commit_then_truncated_body_is_maybe_sent() {
    let server = scripted_server().await;
    server.set_reply(
        CREATE,
        Reply::json(
            StatusCode::OK,
            Bytes::from(format!("{{\"id\":\"{}\"}}", "w".repeat(64))),
        ),
    );
    let exec = executor(&server);
    server.push_faults(CREATE, [Fault::CommitThenTruncate]);
    let err = failed(&exec, &CreateWithdraw::default()).await;
    assert_needs_recovery(&err, TransportErrorKind::TruncatedBody);
    assert_eq!((server.hits(CREATE), server.commits(CREATE)), (1, 1));

    let ok = read_under(
        &server,
        &exec,
        [Fault::CommitThenTruncate, Fault::CommitThenTruncate],
    )
    .await;
    assert_eq!((ok.attempts, server.hits(STATUS)), (3, 3));
}

#[tokio::test]
async fn reset_before_commit_is_still_maybe_sent_to_the_client() {
    let (server, exec, err) = create_under([Fault::ResetBeforeCommit]).await;
    // The client cannot tell a reset before the commit from one after it.
    assert!(err.needs_recovery());
    let (kind, delivery) = transport_kind(err.error());
    assert_eq!(delivery, Delivery::MaybeSent);
    assert_eq!(kind, TransportErrorKind::ConnectionClosed);
    assert_eq!((server.hits(CREATE), server.commits(CREATE)), (1, 0));

    let ok = read_under(&server, &exec, [Fault::ResetBeforeCommit]).await;
    assert_eq!(ok.attempts, 2);
    assert_eq!((server.hits(STATUS), server.commits(STATUS)), (2, 1));
}

#[tokio::test]
async fn five_xx_bursts_retry_reads_and_stop_creates_and_commits() {
    let (server, exec) = rig().await;
    let s503 = Fault::Status5xx {
        status: StatusCode::SERVICE_UNAVAILABLE,
        applied: false,
    };
    let ok = read_under(&server, &exec, [s503.clone(), s503.clone()]).await;
    assert_eq!(ok.attempts, 3);

    // A burst longer than the attempt limit ends the read with the 5xx, attempts exhausted.
    server.push_faults(STATUS, [s503.clone(), s503.clone(), s503.clone()]);
    let err = failed(&exec, &WithdrawStatus::default()).await;
    assert_eq!(err.ending(), Ending::AttemptsExhausted);
    assert_eq!(err.attempts(), 3);

    // A 502 after the work was done: the create is not re-sent.
    server.push_faults(
        CREATE,
        [Fault::Status5xx {
            status: StatusCode::BAD_GATEWAY,
            applied: true,
        }],
    );
    let err = failed(&exec, &CreateWithdraw::default()).await;
    assert!(err.needs_recovery());
    assert_eq!(err.outcome(), RequestOutcome::Unknown);
    assert_eq!((server.hits(CREATE), server.commits(CREATE)), (1, 1));

    // A commit (class Never) is not repeated either, and is not a lookup case.
    server.push_faults(COMMIT, [s503]);
    let err = failed(&exec, &CommitWithdrawal::default()).await;
    assert_eq!(err.ending(), Ending::NotRepeatable);
    assert_eq!(server.hits(COMMIT), 1);
}

#[tokio::test]
async fn too_many_requests_is_retried_for_every_class_after_retry_after() {
    let (server, exec) = rig().await;
    server.push_faults(
        CREATE,
        [Fault::Status429 {
            retry_after_secs: 1,
        }],
    );
    let ok = exec.execute(&CreateWithdraw::default(), &()).await.unwrap();
    assert_eq!(ok.attempts, 2);
    assert_eq!(
        (server.hits(CREATE), server.commits(CREATE)),
        (2, 1),
        "a 429 was not applied, so the payout is sent again and applied once"
    );
}

#[tokio::test]
async fn refused_connections_are_not_sent_and_retried_even_for_payouts() {
    // Bind, learn the port, close: connecting is refused.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let exec = Executor::builder(
        HyperTransport::new().unwrap(),
        format!("http://{addr}").parse().unwrap(),
    )
    .retry_policy(RetryPolicy::standard().with_backoff(Duration::ZERO, Duration::ZERO))
    .build()
    .unwrap();
    let err = failed(&exec, &CreateWithdraw::default()).await;
    assert_eq!(
        transport_kind(err.error()),
        (TransportErrorKind::Connect, Delivery::NotSent)
    );
    assert_eq!(err.outcome(), RequestOutcome::NotSent);
    assert_eq!(err.ending(), Ending::AttemptsExhausted);
    assert_eq!(err.attempts(), 3);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (server, exec) = rig().await;
    server.set_reply(
        STATUS,
        Reply::json(StatusCode::FOUND, Bytes::new()).with_header(
            http::header::LOCATION,
            HeaderValue::from_static("/elsewhere"),
        ),
    );
    let ok = exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
    assert_eq!(ok.value.status, StatusCode::FOUND);
    assert_eq!(ok.attempts, 1);
    assert_eq!(server.hits("/elsewhere"), 0);
}

#[tokio::test]
async fn oversized_responses_are_refused() {
    let server = scripted_server().await;
    server.set_reply(
        STATUS,
        Reply::json(StatusCode::OK, Bytes::from(vec![b'{'; 4096])),
    );
    let transport = HyperTransport::builder()
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let exec = single_attempt(&server, transport);
    let err = failed(&exec, &WithdrawStatus::default()).await;
    assert_eq!(
        transport_kind(err.error()),
        (TransportErrorKind::ResponseTooLarge, Delivery::MaybeSent)
    );
    // Within the limit it passes.
    server.set_reply(
        STATUS,
        Reply::json(StatusCode::OK, Bytes::from_static(b"{}")),
    );
    exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
}

#[tokio::test]
async fn the_default_limit_is_the_strict_json_limit() {
    // One number for both: a body the JSON readers would refuse never gets read whole.
    let limit = pay_core::json::Limits::RESPONSES.max_bytes;
    let server = scripted_server().await;
    let exec = single_attempt(&server, HyperTransport::new().unwrap());
    let body = |len: usize| {
        let mut body = vec![b' '; len];
        body[0] = b'{';
        body[len - 1] = b'}';
        Bytes::from(body)
    };
    server.set_reply(STATUS, Reply::json(StatusCode::OK, body(limit)));
    let answer = exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
    assert_eq!(answer.value.body.len(), limit);
    server.set_reply(STATUS, Reply::json(StatusCode::OK, body(limit + 1)));
    let err = failed(&exec, &WithdrawStatus::default()).await;
    assert_eq!(
        transport_kind(err.error()),
        (TransportErrorKind::ResponseTooLarge, Delivery::MaybeSent)
    );
}

#[tokio::test]
async fn the_body_and_method_reach_the_server_unchanged_once_per_attempt() {
    let (server, exec) = rig().await;
    let body = Bytes::from_static(b"{\"shop_id\":\"5\",\"sign\":\"abc\"}");
    server.push_faults(
        STATUS,
        [Fault::Status5xx {
            status: StatusCode::BAD_GATEWAY,
            applied: false,
        }],
    );
    exec.execute(&WithdrawStatus { body: body.clone() }, &())
        .await
        .unwrap();
    let seen = server.requests(STATUS);
    assert_eq!(seen.len(), 2);
    for r in seen {
        assert_eq!(r.method, http::Method::POST);
        assert_eq!(r.body, body, "serialized once, same bytes every attempt");
        assert_eq!(r.target, STATUS);
    }
}

#[tokio::test]
async fn held_requests_are_applied_after_the_hold_and_others_refused_meanwhile() {
    let (server, exec) = rig().await;
    server.push_faults(
        COMMIT,
        [Fault::RecreateRefusedInFlight(Duration::from_millis(800))],
    );
    // The first times out (500 ms) while held: it may have been sent, nothing is applied yet.
    let err = failed(&exec, &CommitWithdrawal::default()).await;
    assert_eq!(err.outcome(), RequestOutcome::Unknown);
    assert_eq!(server.commits(COMMIT), 0);
    // A second one meanwhile is refused ("PROCESSING") and applies nothing.
    assert_commit_refused(&exec, "PROCESSING").await;
    // The held one lands although its client left.
    for _ in 0..200 {
        if server.commits(COMMIT) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(server.commits(COMMIT), 1);
    // …after which the route answers normally again.
    exec.execute(&CommitWithdrawal::default(), &())
        .await
        .unwrap();
    assert_eq!(server.commits(COMMIT), 2);
}

#[tokio::test]
async fn substitute_and_already_completed_answers_commit_nothing_new() {
    let (server, exec) = rig().await;
    let other = Reply::json(StatusCode::OK, Bytes::from_static(b"{\"other\":true}"));
    server.push_steps(STATUS, [Step::Answer(other.clone()), Step::Answer(other)]);
    for _ in 0..2 {
        let read = exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
        assert_eq!(read.value.body.as_ref(), b"{\"other\":true}");
    }
    assert_eq!(server.commits(STATUS), 0);
    // "Already completed": after the one commit, every repeat is refused with 400.
    exec.execute(&CommitWithdrawal::default(), &())
        .await
        .unwrap();
    server.push_faults(COMMIT, [Fault::AlreadyCompleted, Fault::AlreadyCompleted]);
    for _ in 0..2 {
        assert_commit_refused(&exec, "COMPLETED").await;
    }
    assert_eq!(server.commits(COMMIT), 1);
}
