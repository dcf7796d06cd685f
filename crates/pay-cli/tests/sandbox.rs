//! `pay sandbox` end to end: the binary starts on a free port, prints its URLs with masked
//! credentials, answers the admin API and a provider route over HTTP, and is killed.
#![allow(clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use support::SandboxProcess;

mod support;

/// One HTTP/1.1 request over a fresh connection; returns (status line, body).
fn http(addr: &str, method: &str, path: &str, body: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn sandbox_starts_prints_masked_credentials_and_answers() {
    let sandbox = SandboxProcess::start(&["--callbacks-fast", "--seed", "7"], |command| {
        command
            .env("QOSTIQ_SECRET", "Integration-Secret-42")
            .env_remove("QOSTIQ_SHOP_ID")
            .env_remove("COINQVEST_KEY")
            .env_remove("COINQVEST_SECRET");
    });
    let admin = sandbox.banner_value("admin API:");
    let banner = sandbox.banner.join("\n");
    assert!(banner.contains("QOSTIQ_SECRET=In***"), "{banner}");
    assert!(!banner.contains("Integration-Secret-42"), "{banner}");
    assert!(banner.contains("fast schedule"), "{banner}");

    let admin = admin.unwrap();
    let rest = admin.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_once('/').unwrap();
    assert_eq!(path, "admin");

    let (status, body) = http(addr, "GET", "/admin", "");
    assert!(status.contains(" 200 "), "{status}");
    assert!(body.contains("/admin/faults"), "{body}");

    // A provider route: COINQVEST's public ping.
    let (status, body) = http(addr, "GET", "/coinqvest/api/v1/ping", "");
    assert!(status.contains(" 200 "), "{status} {body}");
    // A Qostiq route refuses an unsigned body with the provider's envelope.
    let (status, body) = http(addr, "POST", "/qostiq/shop_balance", "{\"shop_id\": 112}");
    assert!(!status.contains(" 200 "), "{status} {body}");
    assert!(body.contains("error_code"), "{body}");
}

#[test]
fn sandbox_refuses_a_bad_environment_with_usage_exit() {
    let output = Command::new(env!("CARGO_BIN_EXE_pay"))
        .args(["sandbox", "--port", "0"])
        .env("QOSTIQ_SHOP_ID", "not-a-number")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("QOSTIQ_SHOP_ID"));
}
