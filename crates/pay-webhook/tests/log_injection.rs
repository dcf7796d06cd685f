//! Attack test: an unauthenticated delivery cannot forge a log line nor put an account number in
//! the logs. Its body is refused before the signature is checked (a duplicate key), and the
//! refusal is logged with the key quoted: the real `tracing_subscriber::fmt` output must stay one
//! line per event, escaped and masked.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use pay_core::secret::Secret;
use pay_webhook::{Event, Outcome, ReceiverBuilder};

/// Collects what the fmt subscriber writes.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_forged_key_in_an_unauthenticated_callback_is_logged_escaped_and_masked() {
    let output = Output::default();
    let writer = output.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let receiver = ReceiverBuilder::qostiq(vec![
        Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap(),
    ])
    .unwrap()
    .build(|_event: Event| async { Ok::<(), std::io::Error>(()) });
    // The key: a card number, a newline, then what a real "event applied" line looks like.
    let key = r"card 4111111111111111\n2026-11-30T12:00:00.000000Z  INFO pay_webhook::receiver: event applied event=qostiq withdraw 1 \u2192 success\r\u001b[2K";
    let body = format!(r#"{{"{key}": 1, "{key}": 2, "sign": "00"}}"#);
    let request = Request::post("/callback")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let outcome = receiver.receive(request).await;
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
