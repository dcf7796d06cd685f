//! What the request, answer and redaction tests share: amounts and the seed's example answers.
#![allow(dead_code, clippy::unwrap_used)] // test code: each test file uses some of it

use pay_core::money::Amount;

/// An amount written as `text`.
pub fn amount(text: &str) -> Amount {
    text.parse().unwrap()
}

/// One example answer of seed 003, as printed (`testdata/seeds/coinqvest/<name>.json`).
pub fn seed(name: &str) -> String {
    pay_testdata::seed("coinqvest", name)
}
