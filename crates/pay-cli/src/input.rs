//! Where bodies and secrets come from: `--body` or standard input, `--secret` or the environment
//! (clap reads `QOSTIQ_SECRET`, `COINQVEST_KEY`, `COINQVEST_SECRET`; see `main.rs`).

use std::io::{IsTerminal as _, Read as _};

use pay_core::secret::Secret;

use crate::CliError;

/// What to do when `--body` is absent and standard input is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhenTerminal {
    /// Refuse: the command needs a body (Qostiq JSON).
    Refuse,
    /// Use the empty body (COINQVEST: a GET, or a call without parameters, signs `""`).
    Empty,
}

/// The body bytes: `--body` exactly as given, otherwise exactly the bytes read from standard input.
///
/// A closed or empty standard input gives the empty body (std reports a closed descriptor as end of
/// input). Nothing is trimmed: a trailing newline is part of the signed bytes.
pub(crate) fn body(arg: Option<String>, when_terminal: WhenTerminal) -> Result<Vec<u8>, CliError> {
    if let Some(text) = arg {
        return Ok(text.into_bytes());
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return match when_terminal {
            WhenTerminal::Refuse => Err(CliError::Usage(
                "no body: pass --body '<json>' or pipe it on standard input".to_owned(),
            )),
            WhenTerminal::Empty => Ok(Vec::new()),
        };
    }
    let mut bytes = Vec::new();
    stdin
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Usage(format!("cannot read the body from standard input: {e}")))?;
    Ok(bytes)
}

/// Wraps a secret given on the command line or in the environment, refusing an empty, blank or
/// control-character one ([`Secret::new`]).
///
/// The value is never part of any message.
pub(crate) fn secret(value: String, flag: &str, env: &str) -> Result<Secret, CliError> {
    Secret::new(value).map_err(|e| CliError::Usage(format!("{flag} (or {env}): {e}")))
}
