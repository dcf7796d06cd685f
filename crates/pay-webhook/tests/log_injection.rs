//! Log injection: untrusted text (a callback key, a COINQVEST id, the key of a body refused before
//! its signature is checked) cannot forge a log line nor put an account number in the logs: the real
//! `tracing_subscriber::fmt` output stays one line per event, escaped and masked. In its own test
//! binary: a thread-local subscriber only sees every event when no other test runs alongside.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test code

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use pay_core::secret::Secret;
use pay_signing::qostiq::sign_callback;
use pay_webhook::{Event, Outcome, Rejection};
use support::post;

const SECRET: &str = support::QOSTIQ_SECRET;

/// A `MakeWriter` collecting log output.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_key_cannot_forge_a_log_line() {
    const FORGED: &str = "\n1999-12-31T23:59:59.000000Z  INFO pay_webhook: event applied";
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let applied = Arc::new(Mutex::new(0usize));
    let count = applied.clone();
    let handler = move |_: Event| {
        *count.lock().unwrap() += 1;
        std::future::ready(Ok::<(), std::io::Error>(()))
    };
    let qostiq = support::qostiq_receiver().build(handler.clone());
    // A signed body (a shop's own test, or a provider bug) with a key carrying a log line.
    let key = serde_json::to_string(&format!("status{FORGED}")).unwrap();
    let unsigned = format!(
        r#"{{"payment_id": 7, "shop_amount": "6.00", "shop_currency": 980, "shop_order_id": "979", "status": "success", {key}: null}}"#
    );
    let signed = sign_callback(&Secret::new(SECRET).unwrap(), unsigned.as_bytes()).unwrap();
    assert!(matches!(
        qostiq.receive(post(signed)).await,
        Outcome::Rejected(Rejection::Verification(_))
    ));
    // An unsigned one: a duplicate key carrying the line fails the strict reader first.
    let duplicate = format!(r#"{{"status": "success", {key}: 1, {key}: 2, "sign": "00"}}"#);
    assert!(matches!(
        qostiq.receive(post(duplicate)).await,
        Outcome::Rejected(_)
    ));
    // COINQVEST: signed ids and states are logged through the event identity.
    let coinqvest = support::coinqvest_receiver(SECRET).build(handler);
    let body = support::coinqvest_payment(&format!("cb69{FORGED}"), "RESOLVED");
    let request = support::coinqvest_post(SECRET, body);
    assert_eq!(coinqvest.receive(request).await, Outcome::Applied);
    assert_eq!(*applied.lock().unwrap(), 1);

    let output = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = output.lines().collect();
    assert!(
        lines.iter().all(|line| !line.starts_with("1999-12-31")),
        "a forged line reached the log:\n{output}"
    );
    assert_eq!(
        lines.len(),
        3,
        "one line per delivery (two refusals, one applied):\n{output}"
    );
    assert!(output.contains(r"status\n1999-12-31"), "{output}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_forged_key_in_an_unauthenticated_callback_is_logged_escaped_and_masked() {
    let output = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(output.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let receiver =
        support::qostiq_receiver().build(|_event: Event| async { Ok::<(), std::io::Error>(()) });
    // The key: a card number, a newline, then what a real "event applied" line looks like.
    let key = r"card 4111111111111111\n2026-11-30T12:00:00.000000Z  INFO pay_webhook::receiver: event applied event=qostiq withdraw 1 \u2192 success\r\u001b[2K";
    let body = format!(r#"{{"{key}": 1, "{key}": 2, "sign": "00"}}"#);
    let outcome = receiver.receive(post(body)).await;
    assert!(matches!(outcome, Outcome::Rejected(_)), "{outcome:?}");

    let written = String::from_utf8(output.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 1, "one event, one line: {written}");
    let line = lines[0];
    assert!(line.contains("webhook verification failed"), "{line}");
    assert!(line.contains("****1111"), "{line}");
    assert!(!line.contains("4111111111111111"), "{line}");
    assert!(
        line.contains(r"1111\n2026-11-30T12:00:00.000000Z  INFO"),
        "{line}"
    );
    assert!(!line.chars().any(char::is_control), "{line:?}");
}
