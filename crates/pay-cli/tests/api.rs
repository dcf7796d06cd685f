//! The API commands against a sandbox (`pay sandbox --port 0`, spawned): JSON output and the exit
//! codes 0 (accepted), 1 (refused / not found), 2 (usage), 3 (transport).
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::process::Command;

use serde_json::Value;
use support::SandboxProcess;

mod support;

const QOSTIQ_SECRET: &str = "Api-Test-Secret-1";
const COINQVEST_KEY: &str = "api-test-key";
const COINQVEST_SECRET: &str = "Api-Test-Secret-2";

/// A `pay sandbox` with this file's credentials, and its two base URLs.
struct Sandbox {
    _process: SandboxProcess,
    qostiq: String,
    coinqvest: String,
}

fn sandbox() -> Sandbox {
    let process = SandboxProcess::start(&["--callbacks-fast"], |command| {
        command
            .env("QOSTIQ_SHOP_ID", "77")
            .env("QOSTIQ_SECRET", QOSTIQ_SECRET)
            .env("COINQVEST_KEY", COINQVEST_KEY)
            .env("COINQVEST_SECRET", COINQVEST_SECRET);
    });
    Sandbox {
        qostiq: process.banner_value("Qostiq base URL:").unwrap(),
        coinqvest: process.banner_value("COINQVEST base URL:").unwrap(),
        _process: process,
    }
}

/// Runs `pay <args>` with the sandbox's credentials in the environment: (exit code, JSON, stderr).
/// Each run journals in memory (its own, forgotten at exit): these tests are about the API calls;
/// the journal across runs is `tests/tests/e2e_cli_payouts.rs`'s.
fn pay(args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pay"));
    command
        .args(args)
        .env("PAY_JOURNAL", "memory:")
        .env("QOSTIQ_SHOP_ID", "77")
        .env("QOSTIQ_SECRET", QOSTIQ_SECRET)
        .env("COINQVEST_KEY", COINQVEST_KEY)
        .env("COINQVEST_SECRET", COINQVEST_SECRET);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (
        output.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `pay coinqvest checkout-create` of 10 USD against `base`, with `extra` arguments.
fn checkout_create(base: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "coinqvest",
        "checkout-create",
        "--base-url",
        base,
        "--currency",
        "USD",
        "--amount",
        "10",
    ];
    args.extend(extra);
    pay(&args, &[])
}

#[test]
fn qostiq_commands_against_the_sandbox() {
    let s = sandbox();
    let q = s.qostiq.as_str();

    let (code, json, _) = pay(&["qostiq", "balance", "--base-url", q], &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["shop_id"], 77);
    assert!(
        json["balances"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["currency"] == 980)
    );

    let create = [
        "qostiq",
        "bill-create",
        "--base-url",
        q,
        "--amount",
        "150.00",
        "--currency",
        "UAH",
        "--shop-order-id",
        "cli-1",
    ];
    let (code, json, _) = pay(&create, &[]);
    assert_eq!(
        (code, json["outcome"].as_str()),
        (0, Some("created")),
        "{json}"
    );
    assert!(json["payout"]["url"].is_string());
    assert_eq!(json["exists"], true);
    assert_eq!(json["intent"]["fields"]["shop_amount"], "150.00");
    // The same order again: the duplicate-id refusal is looked up and adopted, not created twice.
    let (code, json, _) = pay(&create, &[]);
    assert_eq!(
        (code, json["outcome"].as_str()),
        (0, Some("adopted")),
        "{json}"
    );

    let (code, json, _) = pay(
        &[
            "qostiq",
            "withdraw-status",
            "--base-url",
            q,
            "--shop-payment-id",
            "missing",
        ],
        &[],
    );
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["found"], false);

    // A wrong secret is refused by the provider: exit 1, and the secret is not printed.
    let (code, json, stderr) = pay(
        &["qostiq", "balance", "--base-url", q],
        &[("QOSTIQ_SECRET", "Wrong-Secret-99")],
    );
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["outcome"], "refused");
    assert!(!json.to_string().contains("Wrong-Secret-99") && !stderr.contains("Wrong-Secret-99"));

    // Usage: a bad currency.
    let (code, _, stderr) = pay(
        &[
            "qostiq",
            "bill-create",
            "--base-url",
            q,
            "--amount",
            "1",
            "--currency",
            "XXXX",
            "--shop-order-id",
            "x",
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn coinqvest_commands_against_the_sandbox() {
    let s = sandbox();
    let c = s.coinqvest.as_str();

    let (code, json, _) = pay(&["coinqvest", "wallets", "--base-url", c], &[]);
    assert_eq!(code, 0, "{json}");
    assert!(
        json["wallets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["asset_code"] == "USD")
    );

    let (code, json, _) = checkout_create(c, &[]);
    assert_eq!(code, 0, "{json}");
    let id = json["id"].as_str().unwrap().to_owned();
    assert!(json["url"].as_str().unwrap().contains(&id));

    let (code, json, _) = pay(
        &["coinqvest", "checkout-status", "--base-url", c, "--id", &id],
        &[],
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["state"], "NEW_CHARGE");

    let (code, json, _) = checkout_create(c, &["--white-label"]);
    assert_eq!(code, 0, "{json}");
    assert!(!json["payment_methods"].as_array().unwrap().is_empty());

    let (code, json, _) = pay(
        &[
            "coinqvest",
            "checkout-status",
            "--base-url",
            c,
            "--id",
            "nope",
        ],
        &[],
    );
    assert_eq!(code, 1, "{json}");
}

#[test]
fn transport_failure_exits_3_and_missing_credentials_exit_2() {
    // Nothing listens on port 1: connection refused, the call was never sent.
    let (code, json, _) = pay(
        &[
            "coinqvest",
            "wallets",
            "--base-url",
            "http://127.0.0.1:1/api/v1",
            "--timeout",
            "2",
        ],
        &[],
    );
    assert_eq!(code, 3, "{json}");
    let output = Command::new(env!("CARGO_BIN_EXE_pay"))
        .args(["qostiq", "balance", "--base-url", "http://127.0.0.1:1"])
        .env_remove("QOSTIQ_SHOP_ID")
        .env_remove("QOSTIQ_SECRET")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

/// TLS by default: a plain `http://` base URL to a host that is not this machine is refused before
/// anything is sent, and the error says what is allowed and which flag opts in; with the flag the
/// call is attempted (and fails here only because nothing listens).
#[test]
fn plain_http_to_a_remote_host_is_refused_unless_opted_in() {
    for command in [
        ["qostiq", "balance", "--base-url", "http://0.0.0.0:1/qostiq"],
        [
            "coinqvest",
            "wallets",
            "--base-url",
            "http://0.0.0.0:1/api/v1",
        ],
    ] {
        let (code, json, stderr) = pay(&command, &[]);
        assert_eq!(code, 2, "{json} {stderr}");
        for expected in [
            "plain http:// is refused",
            "loopback",
            "https://",
            "--allow-plain-http-for-sandbox",
        ] {
            assert!(stderr.contains(expected), "{stderr}");
        }
        let mut opted_in = command.to_vec();
        opted_in.extend(["--allow-plain-http-for-sandbox", "--timeout", "2"]);
        let (code, json, stderr) = pay(&opted_in, &[]);
        assert_eq!(code, 3, "{json} {stderr}");
        assert_eq!(json["outcome"], "not_sent", "{json}");
    }
    // A host that only looks like loopback is not one.
    let (code, _, stderr) = pay(
        &[
            "qostiq",
            "balance",
            "--base-url",
            "http://127.0.0.1.evil.test",
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("plain http:// is refused"), "{stderr}");
}

/// Blank and control-character secrets are refused like empty ones, naming the variable and never
/// repeating the value.
#[test]
fn blank_secrets_are_refused() {
    for (variable, command) in [
        ("QOSTIQ_SECRET", ["qostiq", "balance"]),
        ("COINQVEST_SECRET", ["coinqvest", "wallets"]),
    ] {
        for value in ["   ", "Secret-Value\n"] {
            let (code, json, stderr) = pay(
                &[command[0], command[1], "--base-url", "http://127.0.0.1:1"],
                &[(variable, value)],
            );
            assert_eq!(code, 2, "{json} {stderr}");
            assert!(stderr.contains(variable), "{stderr}");
            assert!(!stderr.contains("Secret-Value"), "{stderr}");
        }
    }
}
