//! The `pay` binary end to end: every command, each exit code (0 valid/signed, 1 invalid, 2 usage),
//! bodies from `--body` and from standard input, secrets from the environment, and no secret in any
//! output. Expected signatures come from the vectors (`testdata/vectors`).
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SECRET_VARS: [&str; 3] = ["QOSTIQ_SECRET", "COINQVEST_KEY", "COINQVEST_SECRET"];

fn vectors(file: &str) -> Vec<Value> {
    pay_testdata::vectors(file)
}

/// A `pay` invocation with a clean environment for secrets.
struct Pay {
    command: Command,
    stdin: Option<Vec<u8>>,
}

fn pay(args: &[&str]) -> Pay {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pay"));
    command.args(args);
    for var in SECRET_VARS {
        command.env_remove(var);
    }
    Pay {
        command,
        stdin: None,
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert_eq!(
            self.stdout.lines().count(),
            1,
            "expected one JSON line, got {:?} (stderr {:?})",
            self.stdout,
            self.stderr
        );
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }

    fn assert_no_secret(&self, secret: &str) {
        assert!(
            !self.stdout.contains(secret),
            "secret in stdout: {}",
            self.stdout
        );
        assert!(
            !self.stderr.contains(secret),
            "secret in stderr: {}",
            self.stderr
        );
    }
}

impl Pay {
    fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    fn run(mut self) -> Run {
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        // No piped input means a closed (null) standard input, as in a script without redirection.
        self.command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self.command.spawn().unwrap();
        if let Some(bytes) = self.stdin {
            let mut stdin = child.stdin.take().unwrap();
            // A usage error (empty secret) exits before reading: a broken pipe is not a failure.
            if let Err(e) = stdin.write_all(&bytes) {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
            }
        }
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {value}"))
}

fn masked(string_to_sign: &str, secret: &str) -> String {
    format!("{}***", string_to_sign.strip_suffix(secret).unwrap())
}

// ---------------------------------------------------------------- qostiq sign

#[test]
fn qostiq_sign_matches_every_request_vector() {
    let mut failures = Vec::new();
    for (i, case) in vectors("qostiq_requests.json").iter().enumerate() {
        let (endpoint, secret, body) = (
            str_of(case, "endpoint"),
            str_of(case, "secret"),
            str_of(case, "body"),
        );
        // Alternate between --body and standard input.
        let run = if i % 2 == 0 {
            pay(&[
                "qostiq",
                "sign",
                "--endpoint",
                endpoint,
                "--secret",
                secret,
                "--body",
                body,
            ])
            .run()
        } else {
            pay(&["qostiq", "sign", "--endpoint", endpoint, "--secret", secret])
                .stdin(body)
                .run()
        };
        if run.code != 0 {
            failures.push(format!("#{i} {endpoint}: exit {} {}", run.code, run.stderr));
            continue;
        }
        run.assert_no_secret(secret);
        let out = run.json();
        let want_sts = masked(str_of(case, "string_to_sign"), secret);
        if str_of(&out, "sign") != str_of(case, "sign")
            || str_of(&out, "string_to_sign") != want_sts
            || str_of(&out, "endpoint") != endpoint
            || !out["signed_keys"].is_array()
        {
            failures.push(format!("#{i} {endpoint}: got {out}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn qostiq_sign_output_shape_and_endpoint_forms() {
    let body = r#"{"amount": "10.00", "currency": 980, "shop_id": 1, "shop_order_id": 101, "description": "x"}"#;
    let run = pay(&[
        "qostiq",
        "sign",
        "--endpoint",
        "pay-form",
        "--secret",
        "SecretKey01",
        "--body",
        body,
    ])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    let mut keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["endpoint", "sign", "signed_keys", "string_to_sign"]);
    assert_eq!(
        out["signed_keys"],
        serde_json::json!(["amount", "currency", "shop_id", "shop_order_id"])
    );
    assert_eq!(out["string_to_sign"], "10.00:980:1:101***");
    assert_eq!(
        out["sign"],
        "7354edb970dae3b496572252d7d7578fc8e0f1061b2e69a9eda1b39f3cdadc69"
    );
    // A path without its leading slash names the same endpoint.
    let body = r#"{"now": 1, "shop_id": 5}"#;
    let run = pay(&[
        "qostiq",
        "sign",
        "--endpoint",
        "shop_balance",
        "--secret",
        "k",
        "--body",
        body,
    ])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["endpoint"], "/shop_balance");
}

#[test]
fn qostiq_sign_secret_from_environment() {
    let run = pay(&["qostiq", "sign", "--endpoint", "pay-form"])
        .env("QOSTIQ_SECRET", "SecretKey01")
        .stdin(r#"{"amount": "10.00", "currency": 980, "shop_id": 1, "shop_order_id": 101}"#)
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.assert_no_secret("SecretKey01");
    assert_eq!(
        run.json()["sign"],
        "7354edb970dae3b496572252d7d7578fc8e0f1061b2e69a9eda1b39f3cdadc69"
    );
}

#[test]
fn qostiq_sign_renders_values_as_the_server_and_notes_floats() {
    let run = pay(&[
        "qostiq",
        "sign",
        "--endpoint",
        "pay-form",
        "--secret",
        "SecretKey01",
    ])
    .stdin(r#"{"amount": 10.50, "currency": 980, "shop_id": 1, "shop_order_id": 101}"#)
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["string_to_sign"], "10.5:980:1:101***");
    assert!(run.stderr.contains("`amount`"), "{}", run.stderr);
}

#[test]
fn qostiq_sign_usage_errors_exit_2() {
    let secret = "Sup3r-Secret-Value";
    let cases: [(&[&str], Option<&str>, &str); 7] = [
        (
            &["--endpoint", "/nope", "--body", "{}"],
            None,
            "unknown endpoint",
        ),
        (
            &[
                "--endpoint",
                "/withdraw/status",
                "--body",
                r#"{"now": 1, "shop_id": 1}"#,
            ],
            None,
            "withdraw_id",
        ),
        (
            &[
                "--endpoint",
                "/withdraw/status",
                "--body",
                r#"{"now": 1, "shop_id": 1, "withdraw_id": null}"#,
            ],
            None,
            "withdraw_id",
        ),
        (
            &["--endpoint", "/shop_balance", "--body", "{\"now\": 1,"],
            None,
            "not one valid JSON object",
        ),
        (
            &[
                "--endpoint",
                "/shop_balance",
                "--body",
                r#"{"now": 1, "now": 2}"#,
            ],
            None,
            "duplicate key",
        ),
        (
            &["--endpoint", "/shop_balance", "--body", "[1]"],
            None,
            "not an object",
        ),
        // Nothing piped and no --body: an empty body is not JSON.
        (
            &["--endpoint", "/shop_balance"],
            None,
            "not one valid JSON object",
        ),
    ];
    for (args, stdin, needle) in cases {
        let mut all = vec!["qostiq", "sign", "--secret", secret];
        all.extend_from_slice(args);
        let mut p = pay(&all);
        if let Some(s) = stdin {
            p = p.stdin(s);
        }
        let run = p.run();
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        run.assert_no_secret(secret);
    }
    // Empty secret, missing secret, missing endpoint.
    for args in [
        &[
            "qostiq",
            "sign",
            "--endpoint",
            "pay-form",
            "--secret",
            "",
            "--body",
            "{}",
        ][..],
        &["qostiq", "sign", "--endpoint", "pay-form", "--body", "{}"][..],
        &["qostiq", "sign", "--secret", secret, "--body", "{}"][..],
        &["qostiq", "frobnicate"][..],
    ] {
        let run = pay(args).run();
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        run.assert_no_secret(secret);
    }
    let run = pay(&["qostiq", "sign", "--endpoint", "pay-form", "--body", "{}"])
        .env("QOSTIQ_SECRET", "")
        .run();
    assert_eq!(run.code, 2, "{}", run.stderr);
}

// ---------------------------------------------------------------- qostiq verify-callback

#[test]
fn qostiq_verify_callback_every_vector() {
    let mut failures = Vec::new();
    for (i, case) in vectors("qostiq_callbacks.json").iter().enumerate() {
        let (secret, body, valid) = (
            str_of(case, "secret"),
            str_of(case, "body"),
            case["valid"].as_bool().unwrap(),
        );
        let why = case["why"].as_str().unwrap_or("valid");
        // The withdraw vector echoes `test_add_on`, a parameter the shop passed: declare it.
        let run = if i % 2 == 0 {
            pay(&[
                "qostiq",
                "verify-callback",
                "--secret",
                secret,
                "--custom-field",
                "test_add_on",
                "--body",
                body,
            ])
            .run()
        } else {
            pay(&["qostiq", "verify-callback", "--custom-field=test_add_on"])
                .env("QOSTIQ_SECRET", secret)
                .stdin(body)
                .run()
        };
        if !secret.is_empty() {
            run.assert_no_secret(secret);
        }
        let expected_code = match (valid, secret.is_empty()) {
            (_, true) => 2,
            (true, false) => 0,
            (false, false) => 1,
        };
        if run.code != expected_code {
            failures.push(format!(
                "#{i} ({why}): exit {} want {expected_code}: {} {}",
                run.code, run.stdout, run.stderr
            ));
            continue;
        }
        if expected_code == 2 {
            if !run.stdout.is_empty() || !run.stderr.contains("empty") {
                failures.push(format!("#{i} ({why}): {:?} {:?}", run.stdout, run.stderr));
            }
            continue;
        }
        let out = run.json();
        if out["valid"] != valid {
            failures.push(format!("#{i} ({why}): {out}"));
        }
        if valid {
            if let Some(sts) = case["string_to_sign"].as_str()
                && out["string_to_sign"] != masked(sts, secret).as_str()
            {
                failures.push(format!(
                    "#{i}: string_to_sign {} != {}",
                    out["string_to_sign"],
                    masked(sts, secret)
                ));
            }
            if out["form"].as_str().is_none() {
                failures.push(format!("#{i}: no form in {out}"));
            }
            let kind = if body.contains("\"crypto_withdraw\"") {
                "crypto_withdraw"
            } else if body.contains("\"withdraw\"") {
                "withdraw"
            } else {
                "payment"
            };
            if out["kind"] != kind {
                failures.push(format!("#{i}: kind {} want {kind}", out["kind"]));
            }
        } else {
            let want_check = match why {
                "tampered status" | "wrong secret" => "mismatch",
                "missing sign" => "missing_sign",
                "truncated sign" => "malformed_sign",
                "duplicate key" => "duplicate_key",
                "trailing bytes" => "trailing_bytes",
                other => {
                    failures.push(format!("#{i}: no expected check for why={other:?}"));
                    continue;
                }
            };
            if out["check"] != want_check || out["error"].as_str().is_none_or(str::is_empty) {
                failures.push(format!("#{i} ({why}): {out}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn qostiq_verify_callback_explains_a_mismatch() {
    let body = r#"{"status": "success", "amount": 6.0, "x": null, "sign": "0000000000000000000000000000000000000000000000000000000000000000"}"#;
    let run = pay(&["qostiq", "verify-callback", "--secret", "d3b07384d113edec"])
        .stdin(body)
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["valid"], false);
    assert_eq!(out["check"], "mismatch");
    assert_eq!(out["string_to_sign"], "6.0:success***");
    assert_eq!(out["signed_keys"], serde_json::json!(["amount", "status"]));
    run.assert_no_secret("d3b07384d113edec");
}

#[test]
fn qostiq_verify_callback_bad_input_is_invalid_not_usage() {
    for (body, check) in [
        ("", "invalid_json"),
        ("[1, 2]", "not_an_object"),
        ("{\"sign\": \"ab\"} x", "trailing_bytes"),
        ("{\"a\": \"\\ud800\", \"sign\": \"ab\"}", "lone_surrogate"),
    ] {
        let run = pay(&["qostiq", "verify-callback", "--secret", "k"])
            .stdin(body)
            .run();
        assert_eq!(run.code, 1, "{body}: {}", run.stderr);
        assert_eq!(run.json()["check"], check, "{body}");
    }
    let run = pay(&["qostiq", "verify-callback", "--secret", "k"])
        .stdin(vec![b'{', 0xff, b'}'])
        .run();
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["check"], "invalid_utf8");
    // Usage: empty secret, no secret at all.
    let run = pay(&["qostiq", "verify-callback", "--secret", "", "--body", "{}"]).run();
    assert_eq!(run.code, 2);
    let run = pay(&["qostiq", "verify-callback", "--body", "{}"]).run();
    assert_eq!(run.code, 2);
}

#[test]
fn qostiq_verify_callback_refuses_forgeries_naming_the_key() {
    let secret = "d3b07384d113edec49eaa6238ad5ff00";
    let genuine: Vec<String> = vectors("qostiq_callbacks.json")
        .iter()
        .filter(|c| c["valid"] == true)
        .map(|c| str_of(c, "body").to_owned())
        .collect();
    let custom = ["test_add_on", "email"];
    let verifier =
        pay_signing::qostiq::CallbackVerifier::new(pay_core::secret::Secret::new(secret).unwrap())
            .custom_fields(custom)
            .unwrap();
    // Every forgery the library accepts (each harmless), and every 50th it refuses.
    let (mut accepted, mut refused, mut seen) = (0, 0, 0usize);
    let mut failures = Vec::new();
    for body in &genuine {
        let genuine_kind = verifier.verify(body.as_bytes()).unwrap().kind();
        pay_signing::qostiq::forgery::each_forgery(body.as_bytes(), &custom, |class, forged| {
            let library = verifier.verify(forged.as_bytes());
            seen += 1;
            if library.is_err() && seen % 50 != 0 {
                return;
            }
            let run = pay(&[
                "qostiq",
                "verify-callback",
                "--custom-field",
                "test_add_on",
                "--custom-field",
                "email",
            ])
            .env("QOSTIQ_SECRET", secret)
            .stdin(forged)
            .run();
            let out = run.json();
            match library {
                Ok(_) if run.code == 0 && out["kind"] == genuine_kind.as_str() => accepted += 1,
                Err(e)
                    if run.code == 1
                        && out["valid"] == false
                        && out["error"] == e.to_string()
                        && out["check"] != "mismatch" =>
                {
                    refused += 1;
                }
                _ => failures.push(format!("{class}: exit {} {out}: {forged}", run.code)),
            }
        })
        .unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        accepted > 0 && refused > 100,
        "{accepted} accepted, {refused} refused"
    );

    // The reported re-keying, named; a key carrying a log line stays on one escaped line.
    let rekeyed = genuine[0].replace("\"callback_type\"", "\"callback_typ\"");
    let run = pay(&["qostiq", "verify-callback", "--custom-field", "test_add_on"])
        .env("QOSTIQ_SECRET", secret)
        .stdin(rekeyed)
        .run();
    assert_eq!(run.code, 1);
    let out = run.json();
    assert_eq!(out["check"], "unknown_key");
    assert_eq!(out["key"], "callback_typ");
    let injected = genuine[0].replace(
        "\"test_add_on\"",
        "\"test_add_on\\n1999-12-31T23:59:59Z INFO applied\"",
    );
    let run = pay(&["qostiq", "verify-callback", "--custom-field", "test_add_on"])
        .env("QOSTIQ_SECRET", secret)
        .stdin(injected)
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["check"], "unknown_key");
    assert!(
        out["error"]
            .as_str()
            .unwrap()
            .contains(r"test_add_on\n1999-12-31"),
        "{out}"
    );
    // A custom field that would shadow a provider key is a usage error.
    let run = pay(&[
        "qostiq",
        "verify-callback",
        "--custom-field",
        "shop_order_id",
    ])
    .env("QOSTIQ_SECRET", secret)
    .stdin(genuine[2].clone())
    .run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("shop_order_id"), "{}", run.stderr);
}

// ---------------------------------------------------------------- coinqvest sign

#[test]
fn coinqvest_sign_matches_every_digest_vector() {
    let mut failures = Vec::new();
    for (i, case) in vectors("coinqvest_digest.json").iter().enumerate() {
        let (key, secret, method, path, body) = (
            str_of(case, "key"),
            str_of(case, "secret"),
            str_of(case, "method"),
            str_of(case, "signed_path"),
            str_of(case, "body"),
        );
        let timestamp = case["timestamp"].as_i64().unwrap().to_string();
        let base = [
            "coinqvest",
            "sign",
            "--method",
            method,
            "--path",
            path,
            "--timestamp",
            &timestamp,
        ];
        let run = match i % 3 {
            // Flags, body as an argument.
            0 => {
                let mut args = base.to_vec();
                args.extend(["--key", key, "--secret", secret, "--body", body]);
                pay(&args).run()
            }
            // Environment, body on standard input (GET with empty body: nothing piped).
            1 => {
                let p = pay(&base)
                    .env("COINQVEST_KEY", key)
                    .env("COINQVEST_SECRET", secret);
                if body.is_empty() {
                    p.run()
                } else {
                    p.stdin(body).run()
                }
            }
            // Body always piped, even when empty.
            _ => {
                let mut args = base.to_vec();
                args.extend(["--key", key, "--secret", secret]);
                pay(&args).stdin(body).run()
            }
        };
        if run.code != 0 {
            failures.push(format!("#{i}: exit {} {}", run.code, run.stderr));
            continue;
        }
        run.assert_no_secret(secret);
        let out = run.json();
        let want_sts = format!("{path}{timestamp}{method}{body}");
        if out["x_digest_key"] != str_of(case, "x_digest_key")
            || out["x_digest_timestamp"] != str_of(case, "x_digest_timestamp")
            || out["x_digest_signature"] != str_of(case, "x_digest_signature")
            || out["string_to_sign"] != want_sts.as_str()
        {
            failures.push(format!("#{i} {method} {path}: got {out}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn coinqvest_sign_body_bytes_are_exact() {
    let base = [
        "coinqvest",
        "sign",
        "--key",
        "k",
        "--secret",
        "Abcd-Efgh-Ijkl",
        "--path",
        "/checkout/hosted",
        "--timestamp",
        "1600000000",
        "--method",
    ];
    // A trailing newline from standard input is signed (it is sent).
    let mut args = base.to_vec();
    args.push("post");
    let run = pay(&args).stdin("{\"a\":1}\n").run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let piped = run.json();
    assert_eq!(
        piped["string_to_sign"],
        "/checkout/hosted1600000000POST{\"a\":1}\n"
    );
    args.extend(["--body", "{\"a\":1}\n"]);
    let run = pay(&args).run();
    assert_eq!(
        run.json()["x_digest_signature"],
        piped["x_digest_signature"]
    );
    // A POST with nothing piped signs the empty body.
    let mut args = base.to_vec();
    args.push("POST");
    let run = pay(&args).run();
    assert_eq!(run.code, 0);
    assert_eq!(
        run.json()["string_to_sign"],
        "/checkout/hosted1600000000POST"
    );
}

#[test]
fn coinqvest_sign_usage_errors_exit_2() {
    let secret = "Abcd-Efgh-Ijkl-Mnop";
    for (extra, needle) in [
        (
            &["--method", "GET", "--path", "/x?a=1", "--timestamp", "1"][..],
            "query string",
        ),
        (
            &["--method", "GET", "--path", "/api/v1/x", "--timestamp", "1"][..],
            "relative",
        ),
        (
            &["--method", "GET", "--path", "x", "--timestamp", "1"][..],
            "start with",
        ),
        (
            &["--method", "G T", "--path", "/x", "--timestamp", "1"][..],
            "not an HTTP method",
        ),
        (
            &["--method", "GET", "--path", "/x", "--timestamp", "soon"][..],
            "timestamp",
        ),
        (&["--method", "GET", "--path", "/x"][..], "timestamp"),
    ] {
        let mut args = vec!["coinqvest", "sign", "--key", "k", "--secret", secret];
        args.extend_from_slice(extra);
        let run = pay(&args).run();
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{extra:?}: {}", run.stderr);
        run.assert_no_secret(secret);
    }
    // A valid request with an empty secret, or with no key: usage errors too.
    let request = ["--method", "GET", "--path", "/x", "--timestamp", "1"];
    for (credentials, why) in [
        (&["--key", "k", "--secret", ""][..], "empty secret"),
        (&["--secret", secret][..], "missing key"),
    ] {
        let args = [&["coinqvest", "sign"][..], credentials, &request].concat();
        assert_eq!(pay(&args).run().code, 2, "{why}");
    }
}

// ---------------------------------------------------------------- coinqvest verify-webhook

#[test]
fn coinqvest_verify_webhook_every_vector() {
    let mut failures = Vec::new();
    for (i, case) in vectors("coinqvest_webhook.json").iter().enumerate() {
        let (secret, body, auth, valid) = (
            str_of(case, "secret"),
            str_of(case, "body"),
            str_of(case, "x_webhook_auth"),
            case["valid"].as_bool().unwrap(),
        );
        let run = if i % 2 == 0 {
            pay(&[
                "coinqvest",
                "verify-webhook",
                "--secret",
                secret,
                "--signature",
                auth,
                "--body",
                body,
            ])
            .run()
        } else {
            pay(&["coinqvest", "verify-webhook", "--signature", auth])
                .env("COINQVEST_SECRET", secret)
                .stdin(body)
                .run()
        };
        run.assert_no_secret(secret);
        let want = if valid { 0 } else { 1 };
        if run.code != want || run.json()["valid"] != valid {
            failures.push(format!(
                "#{i} ({:?}): exit {} {} {}",
                case["why"], run.code, run.stdout, run.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `pay coinqvest verify-webhook --secret <secret> --signature <signature> <extra…>`.
fn verify_webhook(secret: &str, signature: &str, extra: &[&str]) -> Pay {
    let mut args = vec![
        "coinqvest",
        "verify-webhook",
        "--secret",
        secret,
        "--signature",
        signature,
    ];
    args.extend(extra);
    pay(&args)
}

#[test]
fn coinqvest_verify_webhook_checks_and_usage() {
    let secret = "s3cret-Value";
    let body = r#"{"eventType":"CHECKOUT_COMPLETED","data":{}}"#;
    let good = pay_signing::coinqvest::sign_webhook(
        &pay_core::secret::Secret::new(secret).unwrap(),
        body.as_bytes(),
    );
    let run = verify_webhook(secret, &good, &[]).stdin(body).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["valid"], true);
    // `echo` adds a newline: invalid, with a hint.
    let run = verify_webhook(secret, &good, &[])
        .stdin(format!("{body}\n"))
        .run();
    assert_eq!(run.code, 1);
    let out = run.json();
    assert_eq!(out["check"], "mismatch");
    assert!(out["hint"].as_str().unwrap().contains("newline"));
    for (signature, check) in [("", "missing_signature"), ("abc", "malformed_signature")] {
        let run = verify_webhook(secret, signature, &["--body", body]).run();
        assert_eq!(run.code, 1);
        assert_eq!(run.json()["check"], check);
    }
    // A correctly signed body that is not strict JSON is still refused.
    let glued = format!("{body}{body}");
    let auth = pay_signing::coinqvest::sign_webhook(
        &pay_core::secret::Secret::new(secret).unwrap(),
        glued.as_bytes(),
    );
    let run = verify_webhook(secret, &auth, &["--body", &glued]).run();
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["check"], "trailing_bytes");
    // Usage: an empty secret, no secret, no signature.
    for options in [
        &["--secret", "", "--signature", &good][..],
        &["--signature", &good][..],
        &["--secret", secret][..],
    ] {
        let args = [
            &["coinqvest", "verify-webhook"][..],
            options,
            &["--body", body],
        ]
        .concat();
        let run = pay(&args).run();
        assert_eq!(run.code, 2, "{args:?}");
        run.assert_no_secret(secret);
    }
}

// ---------------------------------------------------------------- the tree

#[test]
fn help_hides_environment_values_and_exits_0() {
    let run = pay(&["qostiq", "sign", "--help"])
        .env("QOSTIQ_SECRET", "Visible-Secret-9")
        .run();
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("QOSTIQ_SECRET"), "{}", run.stdout);
    run.assert_no_secret("Visible-Secret-9");
    let run = pay(&["coinqvest", "sign", "--help"])
        .env("COINQVEST_KEY", "Visible-Key-9")
        .env("COINQVEST_SECRET", "Visible-Secret-9")
        .run();
    assert_eq!(run.code, 0);
    run.assert_no_secret("Visible-Secret-9");
    assert!(!run.stdout.contains("Visible-Key-9"));
    let run = pay(&[]).run();
    assert_eq!(run.code, 2);
    let run = pay(&["--version"]).run();
    assert_eq!(run.code, 0);
}
