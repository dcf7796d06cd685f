//! `pay coinqvest …`: digest authentication and webhook verification.

use clap::{Args, Subcommand};
use http::Method;
use pay_signing::SignatureError;
use pay_signing::coinqvest::{DigestSigner, WebhookVerifier};
use serde::Serialize;

use crate::input::{self, WhenTerminal};
use crate::{CliError, Report, SignatureField};

/// COINQVEST commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compute the X-Digest-* headers of one request and show the string they sign.
    Sign(SignArgs),
    /// Verify a webhook's X-Webhook-Auth header against its raw body.
    VerifyWebhook(VerifyArgs),
}

/// `pay coinqvest sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The API key (X-Digest-Key).
    #[arg(long, env = "COINQVEST_KEY", hide_env_values = true)]
    key: String,
    /// The API secret (the HMAC key; never printed).
    #[arg(long, env = "COINQVEST_SECRET", hide_env_values = true)]
    secret: String,
    /// HTTP method (signed upper case).
    #[arg(long)]
    method: String,
    /// Endpoint path relative to `/api/v1`, without query string (`/checkout/hosted`).
    #[arg(long)]
    path: String,
    /// Unix seconds, as sent in X-Digest-Timestamp.
    #[arg(long, allow_negative_numbers = true)]
    timestamp: i64,
    /// The exact body bytes sent. Absent: standard input's bytes, or empty when it is a terminal.
    #[arg(long)]
    body: Option<String>,
}

/// `pay coinqvest verify-webhook`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The API secret.
    #[arg(long, env = "COINQVEST_SECRET", hide_env_values = true)]
    secret: String,
    /// The X-Webhook-Auth header value.
    #[arg(long)]
    signature: String,
    /// The raw body exactly as received; read from standard input when absent.
    #[arg(long)]
    body: Option<String>,
}

pub(crate) fn run(command: Command) -> Result<Report, CliError> {
    match command {
        Command::Sign(args) => sign(args),
        Command::VerifyWebhook(args) => verify_webhook(args),
    }
}

#[derive(Serialize)]
struct Signed {
    x_digest_key: String,
    x_digest_timestamp: String,
    x_digest_signature: String,
    /// PATH + TIMESTAMP + METHOD + BODY (the secret is the HMAC key, not part of it).
    string_to_sign: String,
}

fn sign(args: SignArgs) -> Result<Report, CliError> {
    let secret = input::secret(args.secret, "--secret", "COINQVEST_SECRET")?;
    let method = parse_method(&args.method)?;
    check_path(&args.path)?;
    // A GET signs the empty body; any method signs standard input's bytes when some are piped.
    let body = input::body(args.body, WhenTerminal::Empty)?;
    let headers =
        DigestSigner::new(args.key, secret).sign(&args.path, args.timestamp, &method, &body);
    let string_to_sign = DigestSigner::string_to_sign(&args.path, args.timestamp, &method, &body);
    Report::ok(&Signed {
        x_digest_key: headers.key,
        x_digest_timestamp: headers.timestamp,
        x_digest_signature: headers.signature,
        string_to_sign: String::from_utf8_lossy(&string_to_sign).into_owned(),
    })
}

/// An HTTP method token, upper-cased as the server signs it.
fn parse_method(text: &str) -> Result<Method, CliError> {
    let upper = text.trim().to_ascii_uppercase();
    if upper.is_empty() || !upper.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(CliError::Usage(format!(
            "--method `{text}` is not an HTTP method (GET, POST, PUT, DELETE, …)"
        )));
    }
    Method::from_bytes(upper.as_bytes())
        .map_err(|_| CliError::Usage(format!("--method `{text}` is not an HTTP method")))
}

/// The signed path is relative to `/api/v1` and has no query string: say so rather than guess.
fn check_path(path: &str) -> Result<(), CliError> {
    if !path.starts_with('/') {
        return Err(CliError::Usage(format!(
            "--path `{path}` must start with `/` and be relative to /api/v1 (e.g. /checkout/hosted)"
        )));
    }
    if let Some((bare, _)) = path.split_once('?') {
        return Err(CliError::Usage(format!(
            "--path `{path}` has a query string, which is not signed: pass --path {bare}"
        )));
    }
    if let Some(rest) = path.strip_prefix("/api/v1/") {
        return Err(CliError::Usage(format!(
            "--path `{path}` includes /api/v1, but the signed path is relative to it: pass --path /{rest}"
        )));
    }
    Ok(())
}

#[derive(Serialize)]
struct Verified {
    valid: bool,
}

/// What a refused webhook adds to the report.
#[derive(Serialize)]
struct Rejected {
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'static str>,
}

fn verify_webhook(args: VerifyArgs) -> Result<Report, CliError> {
    let secret = input::secret(args.secret, "--secret", "COINQVEST_SECRET")?;
    let body = input::body(args.body, WhenTerminal::Refuse)?;
    match WebhookVerifier::new(secret).verify(Some(&args.signature), &body) {
        Ok(_) => Report::ok(&Verified { valid: true }),
        Err(error) => {
            let hint = (error == SignatureError::Mismatch && body.ends_with(b"\n")).then_some(
                "the body ends with a newline (echo adds one): the signature covers the exact bytes",
            );
            Report::rejected(&error, SignatureField::Signature, &Rejected { hint })
        }
    }
}
