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

#[cfg(test)]
mod tests {
    #[test]
    fn every_vector_file_loads() {
        for file in super::VECTOR_FILES {
            let cases: Vec<serde_json::Value> = super::vectors(file);
            assert!(!cases.is_empty(), "{file}");
        }
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
