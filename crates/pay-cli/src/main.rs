//! `pay`: sign and verify Qostiq and COINQVEST requests, callbacks and webhooks, showing the exact
//! string each signature covers (secret masked) so an "invalid sign" can be debugged.
//!
//! Exit codes (scripts rely on them):
//! * `0`: done (signed, or the message verified);
//! * `1`: the message did not verify (`{"valid": false, "error": ...}` on standard output);
//! * `2`: usage error (bad arguments, unknown endpoint, missing signed key, invalid JSON to sign,
//!   empty secret), explained on standard error.
//!
//! The API commands (`pay qostiq balance`, `pay coinqvest wallets`, …; see `api.rs`) use 0 (accepted),
//! 1 (the provider refused), 2 (usage) and 3 (transport failure or unknown outcome); the payout
//! commands (`pay qostiq withdraw-create`, `pay coinqvest withdrawal-commit`, `pay qostiq
//! bill-create`; see `payout.rs`) 0 (it exists as asked), 1 (refused or not sent: nothing exists),
//! 2 (usage), 3 (unknown: it may exist) and 4 (conflict: another payout holds the id); they
//! journal every payout (`--journal`, see `journal.rs`). `pay journal resume` exits 0 (every
//! unfinished intent resolved), 3 (some still unknown) or 4 (a conflict). `pay demo` exits 0 only
//! when every step held; `pay sandbox` runs until Ctrl-C.

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pay_core::json::JsonError;
use pay_signing::SignatureError;
use serde::Serialize;

mod api;
mod coinqvest;
mod demo;
mod input;
mod journal;
mod payout;
mod qostiq;
mod sandbox;

/// Sign and verify Qostiq and COINQVEST messages.
#[derive(Debug, Parser)]
#[command(name = "pay", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Top-level commands, one per provider (later: `demo`, `sandbox`, API calls).
#[derive(Debug, Subcommand)]
enum Command {
    /// Qostiq: request signatures, callback verification, API calls.
    #[command(subcommand)]
    Qostiq(api::QostiqCommand),
    /// COINQVEST: digest authentication, webhook verification, API calls.
    #[command(subcommand)]
    Coinqvest(api::CoinqvestCommand),
    /// Run the local emulator of both APIs (Qostiq, COINQVEST, admin API) until Ctrl-C.
    Sandbox(sandbox::SandboxArgs),
    /// Show every capability end to end: an in-process sandbox driven by the real clients.
    Demo(demo::DemoArgs),
    /// The payout journal: list intents, resume the unfinished ones after a crash.
    #[command(subcommand)]
    Journal(journal::JournalCommand),
}

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Exit 2: the invocation or its input cannot be used; the message goes to standard error.
    Usage(String),
}

/// What a command produced: one JSON object for standard output and the exit status.
#[derive(Debug)]
pub(crate) struct Report {
    /// The object, fields in declaration order.
    json: String,
    valid: bool,
}

impl Report {
    /// A successful result (exit 0).
    pub(crate) fn ok(output: &impl Serialize) -> Result<Self, CliError> {
        Self::new(output, true)
    }

    /// A message that did not verify (exit 1).
    pub(crate) fn invalid(output: &impl Serialize) -> Result<Self, CliError> {
        Self::new(output, false)
    }

    fn new(output: &impl Serialize, valid: bool) -> Result<Self, CliError> {
        let json = serde_json::to_string(output)
            .map_err(|e| CliError::Usage(format!("cannot render the output: {e}")))?;
        Ok(Self { json, valid })
    }
}

/// The report of a signed message that did not verify: `valid: false`, the stable name of the
/// failed check, the error, then the command's own `details`.
#[derive(Serialize)]
struct Rejected<'a, D> {
    valid: bool,
    /// A stable code for the failed check.
    check: &'static str,
    /// A human explanation (untrusted text escaped).
    error: String,
    #[serde(flatten)]
    details: &'a D,
}

impl Report {
    /// A message refused with `error` (exit 1); `signature` names the provider's signature field
    /// (`sign`, `signature`) in the check codes.
    pub(crate) fn rejected(
        error: &SignatureError,
        signature: SignatureField,
        details: &impl Serialize,
    ) -> Result<Self, CliError> {
        Self::invalid(&Rejected {
            valid: false,
            check: check_name(error, signature),
            error: error.to_string(),
            details,
        })
    }
}

/// The name a provider gives its signature, as the `missing_*` and `malformed_*` check codes
/// spell it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SignatureField {
    /// Qostiq's `sign` body field.
    Sign,
    /// COINQVEST's `X-Webhook-Auth` signature.
    Signature,
}

/// A stable, machine-readable name of the check a signed message failed.
fn check_name(error: &SignatureError, signature: SignatureField) -> &'static str {
    match (error, signature) {
        (SignatureError::Missing, SignatureField::Sign) => "missing_sign",
        (SignatureError::Missing, SignatureField::Signature) => "missing_signature",
        (SignatureError::Malformed { .. }, SignatureField::Sign) => "malformed_sign",
        (SignatureError::Malformed { .. }, SignatureField::Signature) => "malformed_signature",
        (SignatureError::Mismatch, _) => "mismatch",
        (SignatureError::Body(json), _) => body_check_name(json),
        (SignatureError::UnknownKey { .. }, _) => "unknown_key",
        (SignatureError::MissingKey { .. }, _) => "missing_key",
        (SignatureError::WrongShape { .. }, _) => "wrong_shape",
        (SignatureError::UnknownCallbackType { .. }, _) => "unknown_callback_type",
        (SignatureError::Ambiguous { .. }, _) => "ambiguous",
        _ => "signature_error",
    }
}

/// A stable, machine-readable name of the strict-JSON check a signed body failed.
fn body_check_name(error: &JsonError) -> &'static str {
    match error {
        JsonError::DuplicateKey { .. } => "duplicate_key",
        JsonError::TrailingBytes { .. } => "trailing_bytes",
        JsonError::NotAnObject => "not_an_object",
        JsonError::TooLarge { .. } => "too_large",
        JsonError::TooDeep { .. } => "too_deep",
        JsonError::InvalidUtf8 { .. } => "invalid_utf8",
        JsonError::LoneSurrogate { .. } => "lone_surrogate",
        JsonError::Syntax { .. } => "invalid_json",
        _ => "invalid_body",
    }
}

/// Writes `pay: error: {message}` to standard error and returns exit `code`.
pub(crate) fn fail(code: u8, message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr().lock(), "pay: error: {message}");
    ExitCode::from(code)
}

/// Runs `task` on the runtime `builder` makes (with I/O and timers); exit 3 when it cannot start.
pub(crate) fn block_on(
    mut builder: tokio::runtime::Builder,
    task: impl Future<Output = ExitCode>,
) -> ExitCode {
    match builder.enable_all().build() {
        Ok(runtime) => runtime.block_on(task),
        Err(e) => fail(3, &format!("tokio runtime: {e}")),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; parse errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Qostiq(api::QostiqCommand::Offline(command)) => qostiq::run(command),
        Command::Coinqvest(api::CoinqvestCommand::Offline(command)) => coinqvest::run(command),
        Command::Qostiq(command) => return api::run_qostiq(command),
        Command::Coinqvest(command) => return api::run_coinqvest(command),
        Command::Sandbox(args) => return sandbox::run(args),
        Command::Demo(args) => return demo::run(args),
        Command::Journal(command) => return journal::run(command),
    };
    match result {
        Ok(report) => {
            // `writeln!` rather than `println!`: a closed stdout (`| head -c0`) must not panic.
            let mut stdout = std::io::stdout().lock();
            if writeln!(stdout, "{}", report.json).is_err() {
                return ExitCode::from(2);
            }
            if report.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(CliError::Usage(message)) => fail(2, &message),
    }
}
