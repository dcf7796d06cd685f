//! The test data every test of the workspace reads, and the one loader for it.
//!
//! `testdata/vectors/` is an unedited copy of `../shared/vectors/` (the provider test vectors), so a
//! fresh clone can test itself; `cargo xtask ci` fails when the copy differs from `../shared/vectors`
//! while that folder exists. Never edit a vector: fix the code instead.
//!
//! ```
//! let cases: Vec<serde_json::Value> = pay_testdata::vectors("qostiq_callbacks.json");
//! assert!(!cases.is_empty());
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_vector_file_loads() {
        for file in super::VECTOR_FILES {
            let cases: Vec<serde_json::Value> = super::vectors(file);
            assert!(!cases.is_empty(), "{file}");
        }
    }
}
