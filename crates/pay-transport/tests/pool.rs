//! The default transport's connection handling against real loopback servers: the idle-pool timer
//! really closes connections, connections are reused within the timeout, and certificates are
//! verified. Waits are bounded polls with generous deadlines, never fixed sleeps that must be "long
//! enough".
#![allow(clippy::panic, clippy::unwrap_used)] // test code

mod support;

use std::sync::Arc;
use std::time::Duration;

use pay_core::error::{Delivery, Error, TransportErrorKind};
use pay_sandbox::ScriptedServer;
use pay_transport::Executor;
use pay_transport::hyper_transport::HyperTransport;
use support::*;

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..500 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out after 10 s waiting for: {what}");
}

/// A scripted server, and an executor sending to it through the default transport whose pool
/// keeps idle connections for `idle`.
async fn pooled(idle: Duration) -> (ScriptedServer, Executor<HyperTransport>) {
    let server = scripted_server().await;
    let transport = HyperTransport::builder()
        .pool_idle_timeout(idle)
        .build()
        .unwrap();
    let exec = Executor::builder(transport, server.base_url())
        .build()
        .unwrap();
    (server, exec)
}

#[tokio::test]
async fn the_idle_pool_timer_closes_idle_connections() {
    let (server, exec) = pooled(Duration::from_millis(200)).await;
    exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
    assert_eq!(server.connections_accepted(), 1);
    // Nothing else happens on the client: only the pool timer can close the connection.
    eventually("the idle connection to be closed", || {
        server.connections_closed() == 1
    })
    .await;
    exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
    assert_eq!(
        server.connections_accepted(),
        2,
        "a new connection after the idle close"
    );
}

#[tokio::test]
async fn connections_are_reused_within_the_idle_timeout() {
    let (server, exec) = pooled(Duration::from_secs(300)).await;
    for _ in 0..5 {
        exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
    }
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.connections_closed(), 0);
}

/// A TLS server with a self-signed certificate for `localhost`: the default transport must refuse
/// it (it verifies against the Mozilla roots), and report the failure as certainly not sent.
#[tokio::test]
async fn self_signed_certificates_are_refused_before_anything_is_sent() {
    let cert = rustls::pki_types::CertificateDer::from(
        include_bytes!("support/self_signed_localhost.der").to_vec(),
    );
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
        include_bytes!("support/self_signed_localhost.key.der")
            .to_vec()
            .into(),
    );
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let r = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(3) {
            let Ok(mut sock) = stream else { continue };
            let Ok(mut conn) = rustls::ServerConnection::new(Arc::new(config.clone())) else {
                continue;
            };
            // Drive the handshake; count any application data that arrives.
            while conn.complete_io(&mut sock).is_ok() {
                let mut buf = [0u8; 1024];
                if let Ok(n) = std::io::Read::read(&mut conn.reader(), &mut buf)
                    && n > 0
                {
                    r.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                if !conn.is_handshaking() && !conn.wants_read() {
                    break;
                }
            }
        }
    });
    let exec = Executor::builder(
        HyperTransport::new().unwrap(),
        format!("https://localhost:{port}").parse().unwrap(),
    )
    .retry_policy(pay_transport::RetryPolicy::no_retries())
    .build()
    .unwrap();
    let err = exec
        .execute(&WithdrawStatus::default(), &())
        .await
        .unwrap_err();
    match err.error() {
        Error::Transport(t) => {
            assert_eq!(
                (t.kind, t.delivery),
                (TransportErrorKind::Connect, Delivery::NotSent)
            );
            let mut chain = String::new();
            let mut source: Option<&dyn std::error::Error> = Some(t);
            while let Some(e) = source {
                chain.push_str(&e.to_string());
                chain.push('|');
                source = e.source();
            }
            assert!(chain.contains("certificate"), "{chain}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(received.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// TLS by default: plain `http://` to a host that is not a loopback address is refused when the
/// executor is built (so nothing can ever be sent), with a typed error naming `base_url`; the one
/// opt-in lets a sandbox on another host through, and loopback needs none.
#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_anything_is_sent() {
    for url in [
        "http://core.qostiq.com",
        "http://127.0.0.1.evil.com:8080/qostiq",
        "http://localhost.evil.com",
        "http://[::ffff:10.0.0.1]",
    ] {
        let base: pay_core::endpoint::BaseUrl = url.parse().unwrap();
        let err = Executor::builder(HyperTransport::new().unwrap(), base)
            .build()
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "base_url"),
            "{url}: {err:?}"
        );
        assert_eq!(err.outcome(), pay_core::error::RequestOutcome::NotSent);
    }

    // The opt-in: the request goes out, to exactly that host.
    let seen = Log::default();
    let record = seen.clone();
    let transport = pay_transport::service::service_fn(move |r: http::Request<bytes::Bytes>| {
        record.push(r.uri().to_string());
        async {
            Ok(http::Response::new(bytes::Bytes::from_static(
                b"{\"status\":5}",
            )))
        }
    });
    let base: pay_core::endpoint::BaseUrl = "http://sandbox.internal:8080/qostiq".parse().unwrap();
    let exec = Executor::builder(transport, base.allow_plain_http_for_sandbox())
        .build()
        .unwrap();
    exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
    assert_eq!(
        seen.all(),
        ["http://sandbox.internal:8080/qostiq/withdraw/status"]
    );

    // Loopback: no opt-in needed.
    let server = scripted_server().await;
    let exec = Executor::builder(HyperTransport::new().unwrap(), server.base_url())
        .build()
        .unwrap();
    exec.execute(&WithdrawStatus::default(), &()).await.unwrap();
    assert_eq!(server.hits("/withdraw/status"), 1);
}
