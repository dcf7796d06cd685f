//! `pay qostiq …`: request signatures and callback verification.

use std::io::Write as _;

use clap::{Args, Subcommand};
use pay_core::json::python;
use pay_core::json::{Limits, Member, StrictObject, Value};
use pay_signing::SignatureError;
use pay_signing::qostiq::{self, CallbackForm, CallbackVerifier};
use serde::Serialize;

use crate::input::{self, WhenTerminal};
use crate::{CliError, Report, SignatureField};

/// Qostiq commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign a request body for an endpoint and show the string the server hashes.
    Sign(SignArgs),
    /// Verify a callback (server → shop) and say which check failed.
    VerifyCallback(VerifyArgs),
}

/// `pay qostiq sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// Endpoint path (`/withdraw/create`) or `pay-form` for the PAY page form.
    #[arg(long)]
    endpoint: String,
    /// The shop's secret key.
    #[arg(long, env = "QOSTIQ_SECRET", hide_env_values = true)]
    secret: String,
    /// The JSON body (without `sign`); read from standard input when absent.
    #[arg(long)]
    body: Option<String>,
}

/// `pay qostiq verify-callback`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The shop's secret key.
    #[arg(long, env = "QOSTIQ_SECRET", hide_env_values = true)]
    secret: String,
    /// The callback body exactly as received; read from standard input when absent.
    #[arg(long)]
    body: Option<String>,
    /// A parameter the shop passed when creating the operation, echoed back at the top level of
    /// the callback (repeat for several). Any other key the callback type does not have is refused.
    #[arg(long = "custom-field", value_name = "NAME")]
    custom_fields: Vec<String>,
}

pub(crate) fn run(command: Command) -> Result<Report, CliError> {
    match command {
        Command::Sign(args) => sign(args),
        Command::VerifyCallback(args) => verify_callback(args),
    }
}

#[derive(Serialize)]
struct Signed {
    endpoint: String,
    signed_keys: Vec<String>,
    string_to_sign: String,
    sign: String,
}

fn sign(args: SignArgs) -> Result<Report, CliError> {
    let secret = input::secret(args.secret, "--secret", "QOSTIQ_SECRET")?;
    let endpoint = normalize_endpoint(&args.endpoint)?;
    let body = input::body(args.body, WhenTerminal::Refuse)?;
    let object = StrictObject::parse(&body, Limits::default())
        .map_err(|e| CliError::Usage(format!("the body is not one valid JSON object: {e}")))?;
    let explained = qostiq::sign_body(endpoint, &object, &secret).map_err(|e| match e {
        SignatureError::MissingSignedKey { key } => CliError::Usage(format!(
            "signed key `{key}` is missing or null in the body ({endpoint} signs: {})",
            qostiq::signed_keys(endpoint).unwrap_or_default().join(", ")
        )),
        other => CliError::Usage(other.to_string()),
    })?;
    warn_about_floats(&object, &explained.signed_keys);
    Report::ok(&Signed {
        endpoint: explained.endpoint,
        signed_keys: explained.signed_keys,
        string_to_sign: explained.string_to_sign,
        sign: explained.sign,
    })
}

/// The table name of `text`: exact, or with the leading `/` added.
fn normalize_endpoint(text: &str) -> Result<&'static str, CliError> {
    let text = text.trim();
    let with_slash = format!("/{}", text.trim_start_matches('/'));
    qostiq::SIGNED_KEYS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name == text || *name == with_slash)
        .ok_or_else(|| {
            let known: Vec<&str> = qostiq::SIGNED_KEYS.iter().map(|(n, _)| *n).collect();
            CliError::Usage(format!(
                "unknown endpoint `{text}`; known: {}",
                known.join(", ")
            ))
        })
}

/// Notes on standard error when a signed value is a JSON float whose Python text differs from the
/// text sent (`10.50` is signed as `10.5`): amounts should be sent as strings.
fn warn_about_floats(object: &StrictObject<'_>, keys: &[String]) {
    let mut stderr = std::io::stderr().lock();
    for key in keys {
        if let Some(Member {
            value: value @ Value::Number(token),
            ..
        }) = object.get(key)
        {
            let rendered = python::str_form(value);
            if rendered != *token {
                let _ = writeln!(
                    stderr,
                    "pay: note: `{key}` is the JSON number {token}, which the server signs as \
                     {rendered}; send amounts as JSON strings"
                );
            }
        }
    }
}

#[derive(Serialize)]
struct Verified {
    valid: bool,
    /// `withdraw`, `crypto_withdraw` or `payment`.
    kind: &'static str,
    form: &'static str,
    signed_keys: Vec<String>,
    string_to_sign: String,
}

/// What a refused callback adds to the report.
#[derive(Serialize)]
struct Rejected {
    /// The key a refused callback is refused for (key binding checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    /// On a mismatch: what the server form signs (secret masked), to compare with the sender's.
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_keys: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    string_to_sign: Option<String>,
}

fn verify_callback(args: VerifyArgs) -> Result<Report, CliError> {
    let secret = input::secret(args.secret, "--secret", "QOSTIQ_SECRET")?;
    let verifier = CallbackVerifier::new(secret)
        .custom_fields(args.custom_fields)
        .map_err(|e| CliError::Usage(format!("--custom-field: {e}")))?;
    let body = input::body(args.body, WhenTerminal::Refuse)?;
    match verifier.verify(&body) {
        Ok(verified) => {
            let (signed_keys, string_to_sign) = explain(verified.object(), verified.form());
            Report::ok(&Verified {
                valid: true,
                kind: verified.kind().as_str(),
                form: form_name(verified.form()),
                signed_keys,
                string_to_sign,
            })
        }
        Err(error) => {
            let (signed_keys, string_to_sign) =
                match (&error, StrictObject::parse(&body, Limits::EVENTS)) {
                    (SignatureError::Mismatch, Ok(object)) => {
                        let (keys, text) = explain(&object, CallbackForm::Python);
                        (Some(keys), Some(text))
                    }
                    _ => (None, None),
                };
            Report::rejected(
                &error,
                SignatureField::Sign,
                &Rejected {
                    key: refused_key(&error),
                    signed_keys,
                    string_to_sign,
                },
            )
        }
    }
}

fn form_name(form: CallbackForm) -> &'static str {
    match form {
        CallbackForm::Python => "python",
        CallbackForm::Compact => "compact",
        CallbackForm::Raw => "raw",
    }
}

/// The key a key-binding check refused the callback for.
fn refused_key(error: &SignatureError) -> Option<String> {
    match error {
        SignatureError::UnknownKey { key, .. } | SignatureError::WrongShape { key, .. } => {
            Some(key.clone())
        }
        SignatureError::MissingKey { key, .. } | SignatureError::Ambiguous { key, .. } => {
            Some((*key).to_owned())
        }
        SignatureError::UnknownCallbackType { .. } => Some("callback_type".to_owned()),
        _ => None,
    }
}

/// The signed keys and the masked string to sign of a callback in `form`.
fn explain(object: &StrictObject<'_>, form: CallbackForm) -> (Vec<String>, String) {
    let explained = qostiq::explain_callback_form(object, form);
    (explained.signed_keys, explained.string_to_sign)
}
