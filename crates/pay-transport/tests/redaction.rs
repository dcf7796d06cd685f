//! No secret, signature or body ever reaches a log line or a `Debug` output.
//!
//! A capturing `tracing` subscriber records every span and event field (at every level) while
//! calls run with known secrets: COINQVEST digest headers (the secret is the HMAC key; the
//! signature and key are sensitive header values), a basic-auth header, Qostiq-style `sign` inside
//! the body, and an `authorization` header. Successful, retried, failed and recovered calls all run.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode};
use pay_core::endpoint::Authenticate;
use pay_core::error::Error;
use pay_core::error::Provider;
use pay_core::secret::Secret;
use pay_sandbox::{Fault, Reply, ScriptedServer, Step};
use pay_signing::coinqvest::{BasicAuth, DigestSigner};
use pay_transport::floors::{Floors, PollScheduler};
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::log_capture::LogCapture;
use pay_transport::rate_limit::{Rate, RateLimits};
use pay_transport::retry::{RetryBudget, RetryPolicy};
use pay_transport::sleep::{TokioSleep, VirtualSleep};
use pay_transport::{Executor, ExecutorBuilder};
use support::*;
use time::OffsetDateTime;

const API_SECRET: &str = "cq-api-secret-7f3a9b";
const BASIC_SECRET: &str = "basic-secret-44d1";
const SHOP_SIGN: &str = "5f2b7c9e0d1a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4";
const BEARER: &str = "Bearer tok-0a9b8c7d";
const WEBHOOK_AUTH: &str = "webhook-auth-9e8d7c";

/// Adds every kind of credential header on each attempt.
#[derive(Debug)]
struct Everything {
    digest: DigestSigner,
    basic: BasicAuth,
}

impl Authenticate for Everything {
    fn authenticate(&self, request: &mut Request<Bytes>, now: OffsetDateTime) -> Result<(), Error> {
        self.digest.authenticate(request, now)?;
        self.basic.authenticate(request, now)?;
        let mut bearer = HeaderValue::from_static(BEARER);
        bearer.set_sensitive(true);
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, bearer);
        request
            .headers_mut()
            .insert("x-webhook-auth", HeaderValue::from_static(WEBHOOK_AUTH));
        Ok(())
    }
}

fn forbidden(server: &ScriptedServer) -> Vec<String> {
    // Every credential value actually sent, as the server saw it, plus the secrets themselves.
    let mut values = vec![
        API_SECRET.to_owned(),
        BASIC_SECRET.to_owned(),
        SHOP_SIGN.to_owned(),
        BEARER.to_owned(),
        WEBHOOK_AUTH.to_owned(),
    ];
    for path in ["/withdraw/create", "/withdraw/status"] {
        for r in server.requests(path) {
            for name in [
                "x-digest-signature",
                "x-basic",
                "authorization",
                "x-webhook-auth",
            ] {
                let v = r.headers[name].to_str().unwrap().to_owned();
                assert!(!v.is_empty());
                values.push(v);
            }
        }
    }
    values
}

#[tokio::test]
async fn no_secret_or_signature_appears_in_logs_or_debug_output() {
    let capture = LogCapture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let server = ScriptedServer::start(Provider::Coinqvest).await.unwrap();
    let auth = Everything {
        digest: DigestSigner::new("cq-key", Secret::new(API_SECRET).unwrap()),
        basic: BasicAuth::new_replayable("cq-key", Secret::new(BASIC_SECRET).unwrap()),
    };
    let builder: ExecutorBuilder<HyperTransport> =
        Executor::builder(HyperTransport::new().unwrap(), server.base_url())
            .authenticator(Arc::new(auth))
            .sleep(Arc::new(TokioSleep))
            .attempt_timeout(Duration::from_millis(300))
            .rate_limits(RateLimits::none().with_default(Rate::new(1_000, Duration::from_secs(1))))
            .retry_policy(
                RetryPolicy::standard()
                    .with_max_attempts(4)
                    .with_backoff(Duration::from_millis(1), Duration::from_millis(2)),
            );
    let builder_debug = format!("{builder:?}");
    let exec = builder.build().unwrap();
    let body = Bytes::from(format!(
        "{{\"shop_id\":\"5\",\"amount\":\"10.00\",\"sign\":\"{SHOP_SIGN}\"}}"
    ));
    server.set_reply(
        "/withdraw/status",
        Reply::json(StatusCode::OK, Bytes::from_static(b"{\"status\":5}")),
    );

    // Success, retried read, every fault, a recovered create.
    let mut outputs = vec![builder_debug, format!("{exec:?}")];
    server.push_faults(
        "/withdraw/status",
        [
            Fault::Status5xx {
                status: StatusCode::BAD_GATEWAY,
                applied: false,
            },
            Fault::Status429 {
                retry_after_secs: 0,
            },
            Fault::ResetBeforeCommit,
        ],
    );
    let ok = exec
        .execute(&WithdrawStatus { body: body.clone() }, &())
        .await
        .unwrap();
    assert_eq!(ok.attempts, 4);
    outputs.push(format!("{ok:?}"));
    for step in [
        Step::Fault(Fault::CommitThenDrop),
        Step::Fault(Fault::CommitThenTruncate),
        Step::Fault(Fault::CommitThenDelay(Duration::from_secs(30))),
        Step::Fault(Fault::Status5xx {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            applied: true,
        }),
        Step::Apply,
    ] {
        server.push_steps("/withdraw/create", [step]);
        let result = exec
            .execute(&CreateWithdraw { body: body.clone() }, &())
            .await;
        outputs.push(format!("{result:?}"));
        if let Err(e) = result {
            outputs.push(e.to_string());
            outputs.push(format!("{:?}", e.into_error()));
        }
    }

    // Debug of every other public type.
    let clock = Arc::new(pay_core::clock::ManualClock::new(
        time::macros::datetime!(2024-01-01 0:00 UTC),
    ));
    let sleep = Arc::new(VirtualSleep::new(clock.clone()));
    outputs.push(format!("{:?}", HyperTransport::new().unwrap()));
    outputs.push(format!("{:?}", HyperTransport::builder()));
    outputs.push(format!("{:?}", RetryPolicy::standard()));
    outputs.push(format!("{:?}", RetryBudget::standard()));
    outputs.push(format!("{:?}", Floors::PROVIDER_MINIMUMS));
    outputs.push(format!(
        "{:?}",
        PollScheduler::new(Floors::PROVIDER_MINIMUMS, clock, sleep.clone())
    ));
    outputs.push(format!("{sleep:?}"));
    outputs.push(format!("{:?}", RateLimits::none()));
    outputs.push(format!(
        "{:?}",
        pay_transport::service::service_fn(|_r: Request<Bytes>| async {
            Ok(http::Response::new(Bytes::new()))
        })
    ));
    outputs.push(format!("{server:?}"));

    let lines = capture.lines();
    assert!(
        lines.iter().any(|l| l.contains("span pay.call")),
        "spans were captured"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("endpoint=qostiq.withdraw.create"))
    );
    assert!(lines.iter().any(|l| l.contains("attempt failed, retrying")));
    assert!(lines.iter().any(|l| l.contains("outcome=unknown")));
    assert!(lines.iter().any(|l| l.contains("latency_ms=")));

    let secrets = forbidden(&server);
    assert!(secrets.len() > 20, "credentials were actually sent");
    for secret in &secrets {
        for line in lines.iter().chain(&outputs) {
            assert!(
                !line.contains(secret.as_str()),
                "{secret:?} leaked in: {line}"
            );
        }
    }
    // No body text either.
    for line in lines.iter().chain(&outputs) {
        assert!(!line.contains("\"sign\""), "body leaked in: {line}");
        assert!(!line.contains("shop_id"), "body leaked in: {line}");
    }
}

/// A provider message under the attacker's control: a card number, an IBAN, and a newline followed
/// by a forged log line (plus a carriage return and an ANSI "erase line").
const HOSTILE: &str = "account 4111111111111111 / GB33BUKB20201555555555 is invalid\n\
    2026-11-30T12:00:00Z INFO pay.call outcome=ok ending=Final payout accepted\r\u{1b}[2K";

/// Like the Qostiq envelope: a refusal keeps the provider's message as received.
#[derive(Debug)]
struct EchoingRefusal;

impl pay_core::endpoint::Endpoint for EchoingRefusal {
    type Output = ();
    type Context = ();
    const INFO: pay_core::endpoint::EndpointInfo = WithdrawStatus::INFO;

    fn build_request(&self, _: &()) -> Result<Request<Bytes>, Error> {
        Request::post("/withdraw/status")
            .body(Bytes::new())
            .map_err(|_| Error::invalid_input("request", "invalid"))
    }

    fn parse_response(&self, r: &http::Response<Bytes>) -> Result<(), Error> {
        let message = String::from_utf8_lossy(r.body()).into_owned();
        Err(pay_core::error::ProviderError::new(
            pay_core::error::Provider::Qostiq,
            r.status(),
            Some(4),
            message,
            vec![],
        )
        .into())
    }
}

/// Attack: log injection and account numbers through a provider message (and a transport error's
/// text). Every captured span and event field, at every level, and the returned error's Display
/// and Debug, show the message escaped on one line and the numbers masked.
#[tokio::test]
async fn provider_messages_reach_logs_escaped_and_masked() {
    let capture = LogCapture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let calls = Arc::new(AtomicU64::new(0));
    let transport = pay_transport::service::service_fn(move |_r: Request<Bytes>| {
        let call = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            match call {
                0 => Err(pay_core::error::TransportError::new(
                    pay_core::error::TransportErrorKind::Connect,
                    pay_core::error::Delivery::NotSent,
                    Some(Box::new(std::io::Error::other(HOSTILE))),
                )),
                1 => Ok(http::Response::builder()
                    .status(StatusCode::BAD_GATEWAY)
                    .body(Bytes::from(HOSTILE))
                    .unwrap()),
                _ => Ok(http::Response::builder()
                    .status(StatusCode::BAD_REQUEST)
                    .body(Bytes::from(HOSTILE))
                    .unwrap()),
            }
        }
    });
    let exec = Executor::builder(transport, "https://core.qostiq.com".parse().unwrap())
        .sleep(Arc::new(TokioSleep))
        .retry_policy(
            RetryPolicy::standard()
                .with_max_attempts(3)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let err = exec.execute(&EchoingRefusal, &()).await.unwrap_err();
    assert_eq!(err.attempts(), 3);

    let lines = capture.lines();
    let failures: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("attempt failed"))
        .collect();
    assert_eq!(failures.len(), 3, "{lines:#?}");
    for line in &failures {
        assert!(line.contains("****1111"), "{line}");
        assert!(line.contains(r"is invalid\n2026-11-30T12:00:00Z"), "{line}");
    }
    let transport_error = pay_core::error::TransportError::new(
        pay_core::error::TransportErrorKind::Other,
        pay_core::error::Delivery::MaybeSent,
        Some(Box::new(std::io::Error::other(HOSTILE))),
    );
    let outputs = [
        err.to_string(),
        format!("{err:?}"),
        format!("{:?}", err.error()),
        transport_error.to_string(),
        format!("{transport_error:?}"),
    ];
    for line in lines.iter().chain(&outputs) {
        for leaked in ["4111111111111111", "GB33BUKB20201555555555"] {
            assert!(!line.contains(leaked), "{leaked} leaked in: {line}");
        }
        assert!(
            !line.chars().any(char::is_control),
            "a raw control character reached: {line:?}"
        );
    }
}
