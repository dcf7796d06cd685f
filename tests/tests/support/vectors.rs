//! The case formats of the vector files (`testdata/vectors/*.json`, loaded with
//! `pay_testdata::vectors`), shared by the tests that run them, and the one report of a file's
//! failed cases.
// Each test binary runs some of the files: the others' formats are unused there.
#![allow(dead_code)]

use serde::Deserialize;

/// `qostiq_requests.json`: a signed request body.
#[derive(Deserialize)]
pub struct RequestCase {
    pub endpoint: String,
    pub secret: String,
    pub body: String,
    pub string_to_sign: String,
    pub sign: String,
}

/// `qostiq_callbacks.json`: a callback body, valid or forged (`why`).
#[derive(Deserialize)]
pub struct CallbackCase {
    pub secret: String,
    pub body: String,
    pub valid: bool,
    pub string_to_sign: Option<String>,
    pub sign: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
}

/// `coinqvest_digest.json`: a request and its digest headers.
#[derive(Deserialize)]
pub struct DigestCase {
    pub key: String,
    pub secret: String,
    pub timestamp: i64,
    pub method: String,
    pub signed_path: String,
    pub request_target: String,
    pub body: String,
    pub x_digest_key: String,
    pub x_digest_timestamp: String,
    pub x_digest_signature: String,
}

/// `coinqvest_webhook.json`: a webhook body and its auth header, valid or forged (`why`).
#[derive(Deserialize)]
pub struct WebhookCase {
    pub secret: String,
    pub body: String,
    pub x_webhook_auth: String,
    pub valid: bool,
    pub why: Option<String>,
}

/// Fails, naming `file` and every failed case, unless `failures` is empty.
pub fn report(file: &str, failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{file}: {} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
