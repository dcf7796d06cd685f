//! The test data every test of the workspace reads, and the one loader for each kind.
//!
//! * `testdata/vectors/` is an unedited copy of `../shared/vectors/` (the provider test vectors), so
//!   a fresh clone can test itself; `cargo xtask ci` fails when the copy differs from
//!   `../shared/vectors` while that folder exists. Never edit a vector: fix the code instead. Read
//!   with [`vectors`].
//! * `testdata/seeds/<provider>/<name>.json` holds the example answers printed in the provider
//!   documents (`../shared/seeds/`), each byte for byte as printed, quirks included (PHP's `\/`,
//!   numbers and strings mixed, one-element arrays); `testdata/seeds/README.md` says which example
//!   of which seed each file is. Read with [`seed`].
//! * [`genuine_qostiq_callbacks`]: the valid callback vectors' bodies, where forgery tests start.
//! * [`Accounts`]: the one check of the redaction tests (no account number shown beyond its last
//!   four characters, and no log line forged through a provider's message).
//!
//! ```
//! let cases: Vec<serde_json::Value> = pay_testdata::vectors("qostiq_callbacks.json");
//! assert!(!cases.is_empty());
//! let answer = pay_testdata::seed("coinqvest", "ping");
//! assert!(answer.contains("\"success\""));
//! ```
#![allow(clippy::panic)] // test support: a file that cannot be read is a failed test, named.

use std::path::PathBuf;

use serde::de::DeserializeOwned;

/// The vector files, as `../shared/vectors` names them.
pub const VECTOR_FILES: [&str; 4] = [
    "coinqvest_digest.json",
    "coinqvest_webhook.json",
    "qostiq_callbacks.json",
    "qostiq_requests.json",
];

/// The folder holding the vector copy (`testdata/vectors`).
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Every case of one vector file (`qostiq_callbacks.json`, …), deserialized.
///
/// # Panics
/// When the file cannot be read or does not deserialize into `T`: the test using it fails, naming
/// the file.
pub fn vectors<T: DeserializeOwned>(file: &str) -> Vec<T> {
    let path = vectors_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bodies of the valid Qostiq callback vectors signed with `secret` (withdraw, crypto
/// withdraw, payment notification): the genuine callbacks the forgery tests start from.
///
/// # Panics
/// When the vector file cannot be read or a valid case has no string `body`.
pub fn genuine_qostiq_callbacks(secret: &str) -> Vec<String> {
    let text = |case: &serde_json::Value, key: &str| {
        case.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    vectors::<serde_json::Value>("qostiq_callbacks.json")
        .iter()
        .filter(|case| case.get("valid") == Some(&serde_json::Value::Bool(true)))
        .filter(|case| text(case, "secret").as_deref() == Some(secret))
        .map(|case| match text(case, "body") {
            Some(body) => body,
            None => panic!("qostiq_callbacks.json: a valid case without a string body"),
        })
        .collect()
}

/// The folder holding the seed answers (`testdata/seeds`).
pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// One example answer of a provider document, exactly as printed: `seed("qostiq",
/// "withdraw_create")` reads `testdata/seeds/qostiq/withdraw_create.json`.
///
/// # Panics
/// When the file cannot be read: the test using it fails, naming the file.
pub fn seed(provider: &str, name: &str) -> String {
    let path = seeds_dir().join(provider).join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The names of every seed answer of `provider`, sorted (for tests that walk them all).
///
/// # Panics
/// When the folder cannot be read.
pub fn seed_names(provider: &str) -> Vec<String> {
    let dir = seeds_dir().join(provider);
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// The account numbers a redaction test uses: none may show more than its last four characters
/// (`const ACCOUNTS: Accounts = Accounts(&[IBAN, CARD]);`).
#[derive(Debug, Clone, Copy)]
pub struct Accounts(pub &'static [&'static str]);

impl Accounts {
    /// Fails when `shown` holds five consecutive characters of one of the accounts (pay-rs shows
    /// at most the last four); `what` names the value in the failure.
    ///
    /// # Panics
    /// When an account shows.
    pub fn assert_masked(&self, what: &str, shown: &str) {
        for account in self.0 {
            let chars: Vec<char> = account.chars().collect();
            for window in chars.windows(5) {
                let piece: String = window.iter().collect();
                assert!(
                    !shown.contains(&piece),
                    "{what}: `{piece}` of {account} shown in:\n{shown}"
                );
            }
        }
    }

    /// [`Accounts::assert_masked`] on the `Debug` and the pretty `Debug` (`{:#?}`) of `value`.
    ///
    /// # Panics
    /// When an account shows.
    pub fn assert_debug_masked(&self, what: &str, value: &impl std::fmt::Debug) {
        self.assert_masked(what, &format!("{value:?}"));
        self.assert_masked(what, &format!("{value:#?}"));
    }

    /// Fails when `shown` (a log line or an error's text, after a provider message carrying an
    /// injected log line) shows an account, holds a raw control character other than a newline,
    /// or has a line `forged` recognises as a forged log line.
    ///
    /// # Panics
    /// When any of these shows.
    pub fn assert_log_safe(&self, shown: &str, forged: impl Fn(&str) -> bool) {
        self.assert_masked("log", shown);
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "raw control character in {shown:?}"
        );
        assert!(!shown.lines().any(forged), "forged line in {shown}");
    }
}

/// Fails unless at least two of the captured log `lines` (an attempt's and the outcome's) carry
/// a provider message, recognised by `marker`, and each of those shows every one of `expected`
/// (its accounts masked, its injected line escaped).
///
/// # Panics
/// When fewer than two lines carry the message, or one misses a piece.
pub fn assert_logged(lines: &[String], marker: &str, expected: &[&str]) {
    let with_message: Vec<&String> = lines.iter().filter(|l| l.contains(marker)).collect();
    assert!(with_message.len() >= 2, "{lines:#?}");
    for line in with_message {
        for piece in expected {
            assert!(line.contains(piece), "`{piece}` not in {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_vector_file_loads() {
        for file in super::VECTOR_FILES {
            let cases: Vec<serde_json::Value> = super::vectors(file);
            assert!(!cases.is_empty(), "{file}");
        }
    }

    /// The three kinds of callback (withdraw, crypto withdraw, payment) are signed with the
    /// forgery tests' secret; another secret has none.
    #[test]
    fn genuine_callbacks_are_the_valid_vectors_of_one_secret() {
        let genuine = super::genuine_qostiq_callbacks("d3b07384d113edec49eaa6238ad5ff00");
        assert_eq!(genuine.len(), 3, "{genuine:?}");
        assert!(genuine.iter().all(|body| body.starts_with('{')));
        assert!(super::genuine_qostiq_callbacks("another secret").is_empty());
    }

    /// Every seed answer is one JSON value as printed, and the index names every file.
    #[test]
    fn every_seed_answer_is_json_and_indexed() {
        let index =
            std::fs::read_to_string(super::seeds_dir().join("README.md")).unwrap_or_default();
        for provider in ["qostiq", "coinqvest"] {
            let names = super::seed_names(provider);
            assert!(!names.is_empty(), "{provider}");
            for name in names {
                let text = super::seed(provider, &name);
                let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
                assert!(parsed.is_ok(), "{provider}/{name}: {parsed:?}");
                assert!(
                    index.contains(&format!("`{provider}/{name}.json`")),
                    "{provider}/{name}.json is not in testdata/seeds/README.md"
                );
            }
        }
    }
}
