//! The scripted server: canned replies, queued steps, the fault vocabulary acted out as in the
//! emulator with the chosen provider's shapes, counters of what arrived and what was applied.

mod support;

use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use pay_core::error::Provider;
use pay_sandbox::{Fault, Reply, ScriptedServer, Step};
use serde_json::json;
use support::{http_client, send};

const LOOKUP: &str = "/withdraw/shop_payment_status";
const PAYOUT: &str = r#"{"data": {"id": 5, "payee_receive": 10.0, "account": "4111111111111111", "shop_payment_id": "w-1"}, "error_code": 0, "message": "Ok", "result": true}"#;

fn url(server: &ScriptedServer, path: &str) -> String {
    format!("{}{path}", server.base_url().as_str().trim_end_matches('/'))
}

#[tokio::test]
async fn steps_run_in_order_then_the_fallback_and_only_applied_ones_count() {
    let server = ScriptedServer::start(Provider::Coinqvest).await.unwrap();
    let http = http_client();
    let refusal = Reply::json(StatusCode::BAD_REQUEST, r#"{"errors":["no"]}"#);
    server.push_steps(
        "/a",
        [
            Step::Fault(Fault::Status5xx {
                status: StatusCode::BAD_GATEWAY,
                applied: true,
            }),
            Step::Answer(refusal),
            Step::Apply,
        ],
    );
    server.set_fallback(
        "/a",
        Step::Fault(Fault::Status429 {
            retry_after_secs: 3,
        }),
    );
    let mut seen = Vec::new();
    for _ in 0..4 {
        let a = send(
            &http,
            Method::POST,
            &url(&server, "/a"),
            &[],
            b"{}".to_vec(),
        )
        .await
        .unwrap();
        seen.push((a.status, String::from_utf8_lossy(&a.body).into_owned()));
    }
    assert_eq!(
        seen,
        [
            (502, r#"{"errors":["Service unavailable."]}"#.to_owned()),
            (400, r#"{"errors":["no"]}"#.to_owned()),
            (200, r#"{"ok":true}"#.to_owned()),
            (429, r#"{"errors":["Too many requests."]}"#.to_owned()),
        ]
    );
    assert_eq!((server.hits("/a"), server.commits("/a")), (4, 2));
    let requests = server.requests("/a");
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[0].method, Method::POST);
    assert_eq!(requests[0].body, Bytes::from_static(b"{}"));
}

#[tokio::test]
async fn lookup_faults_rewrite_the_routes_reply_without_applying_another_payout() {
    let server = ScriptedServer::start(Provider::Qostiq).await.unwrap();
    let http = http_client();
    server.set_reply(LOOKUP, Reply::json(StatusCode::OK, PAYOUT));
    server.push_faults(LOOKUP, [Fault::LookupOtherPayout, Fault::LookupMismatch]);
    let read = || async {
        let a = send(&http, Method::POST, &url(&server, LOOKUP), &[], Vec::new())
            .await
            .unwrap();
        assert_eq!(a.status, 200);
        a.json()["data"].clone()
    };
    let other = read().await;
    assert_eq!(
        (other["id"].clone(), other["shop_payment_id"].clone()),
        (json!(6), json!("w-2"))
    );
    assert_eq!(other["account"], "4111111111111111");
    let mismatched = read().await;
    assert_eq!(mismatched["id"], 5);
    assert_eq!(mismatched["payee_receive"], json!(11.0));
    assert_eq!(mismatched["account"], "4111111111111112");
    // The other payout is a substitute (nothing read); the mismatch is the read, rewritten.
    assert_eq!((server.hits(LOOKUP), server.commits(LOOKUP)), (2, 1));
}

#[tokio::test]
async fn faults_answer_the_chosen_providers_shapes() {
    let server = ScriptedServer::start(Provider::Qostiq).await.unwrap();
    let http = http_client();
    let create = "/withdraw/create";
    server.push_faults(
        create,
        [
            Fault::Status5xx {
                status: StatusCode::SERVICE_UNAVAILABLE,
                applied: false,
            },
            Fault::IdReused,
            Fault::AlreadyCompleted,
            Fault::RecreateRefusedInFlight(Duration::from_millis(400)),
        ],
    );
    let post = || async {
        send(&http, Method::POST, &url(&server, create), &[], Vec::new())
            .await
            .unwrap()
    };
    let a = post().await;
    assert_eq!(
        (a.status, a.headers["content-type"].to_str().unwrap()),
        (503, "text/html")
    );
    assert!(String::from_utf8_lossy(&a.body).contains("503 Service Unavailable"));
    for _ in 0..2 {
        let a = post().await;
        assert_eq!((a.status, a.json()["error_code"].clone()), (400, json!(6)));
    }
    assert_eq!(server.commits(create), 0);
    let (held, refused) = tokio::join!(post(), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        post().await
    });
    assert_eq!(
        (refused.status, refused.json()["error_code"].clone()),
        (400, json!(5))
    );
    assert_eq!(held.status, 200);
    assert_eq!((server.hits(create), server.commits(create)), (5, 1));
}

#[tokio::test]
async fn connections_are_counted_and_a_reset_is_a_reset() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = ScriptedServer::start(Provider::Coinqvest).await.unwrap();
    server.push_faults("/r", [Fault::ResetBeforeCommit]);
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"GET /r HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let err = stream.read_to_end(&mut answer).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    assert_eq!(server.connections_accepted(), 1);
    for _ in 0..100 {
        if server.connections_closed() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(server.connections_closed(), 1);
    assert_eq!((server.hits("/r"), server.commits("/r")), (1, 0));
}

#[tokio::test]
async fn recorded_requests_do_not_show_credentials_in_debug() {
    let server = ScriptedServer::start(Provider::Coinqvest).await.unwrap();
    let http = http_client();
    send(
        &http,
        Method::GET,
        &url(&server, "/auth-test?x=1"),
        &[("x-digest-signature", "c0ffee".to_owned())],
        b"secret body".to_vec(),
    )
    .await
    .unwrap();
    let requests = server.requests("/auth-test");
    assert_eq!(requests[0].target, "/auth-test?x=1");
    assert_eq!(requests[0].query(), "x=1");
    assert_eq!(requests[0].headers["x-digest-signature"], "c0ffee");
    let debug = format!("{:?} {server:?}", requests[0]);
    assert!(debug.contains("x-digest-signature"), "{debug}");
    assert!(
        !debug.contains("c0ffee") && !debug.contains("secret body"),
        "{debug}"
    );
}
