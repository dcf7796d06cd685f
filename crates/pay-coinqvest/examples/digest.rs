//! Recomputes COINQVEST digest signatures for captured requests, through pay-coinqvest's
//! [`DigestSigner`] as an [`Authenticate`]: the conformance check of `cargo xtask conformance`.
//!
//! Input: a file of JSON lines, one captured request each:
//! `{"name", "method", "target", "path", "timestamp", "key", "secret", "body_hex", "signature"}`
//! (`path` is what the client signed, relative to `/api/v1`; `body_hex` the exact bytes sent).
//! Output: one line per request, `agree <name>` or `DISAGREE <name>: <why>`, then
//! `agreed <n>/<m>`. Exit status 1 when any request disagrees.
//!
//! ```text
//! cargo run -p pay-coinqvest --example digest -- target/conformance/captured.jsonl
//! ```
#![allow(clippy::print_stdout)] // a command-line tool: its report goes to stdout

use std::process::ExitCode;

use bytes::Bytes;
use pay_coinqvest::DigestSigner;
use pay_core::endpoint::Authenticate;
use pay_core::secret::Secret;
use serde::Deserialize;
use time::OffsetDateTime;

#[derive(Deserialize)]
struct Captured {
    name: String,
    method: String,
    target: String,
    path: String,
    timestamp: String,
    key: String,
    secret: String,
    body_hex: String,
    signature: String,
}

fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err("odd hex length".into());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("bad hex at {i}"))
        })
        .collect()
}

/// `Ok(())` when our signature over the same path, timestamp, method and bytes equals the capture's.
fn check(c: &Captured) -> Result<(), String> {
    let expected_target = format!("/api/v1{}", c.path);
    let target_path = c.target.split('?').next().unwrap_or_default();
    if target_path != expected_target {
        return Err(format!("sent to {target_path} but signed {}", c.path));
    }
    let body = unhex(&c.body_hex)?;
    let timestamp: i64 = c
        .timestamp
        .parse()
        .map_err(|_| format!("timestamp {:?}", c.timestamp))?;
    let now = OffsetDateTime::from_unix_timestamp(timestamp).map_err(|e| e.to_string())?;
    let secret = Secret::new(c.secret.as_str()).map_err(|e| e.to_string())?;
    let mut request = http::Request::builder()
        .method(c.method.as_str())
        .uri(c.path.as_str())
        .body(Bytes::from(body))
        .map_err(|e| e.to_string())?;
    DigestSigner::new(c.key.as_str(), secret)
        .authenticate(&mut request, now)
        .map_err(|e| e.to_string())?;
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    if header("x-digest-timestamp") != c.timestamp {
        return Err(format!(
            "timestamp {} != {}",
            header("x-digest-timestamp"),
            c.timestamp
        ));
    }
    let ours = header("x-digest-signature");
    if ours != c.signature {
        return Err(format!("signature {ours} != {}", c.signature));
    }
    Ok(())
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        println!("usage: digest <captured.jsonl>");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            println!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut agreed, mut total) = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        total += 1;
        match serde_json::from_str::<Captured>(line) {
            Ok(c) => match check(&c) {
                Ok(()) => {
                    agreed += 1;
                    println!("agree {}", c.name);
                }
                Err(why) => println!("DISAGREE {}: {why}", c.name),
            },
            Err(e) => println!("DISAGREE line {total}: unreadable capture: {e}"),
        }
    }
    println!("agreed {agreed}/{total}");
    if agreed == total && total > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
