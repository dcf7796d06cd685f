//! What the request, answer and redaction tests share: the fixed signing context, amounts, the
//! seeds' example answers and reading an answer through an endpoint.
#![allow(dead_code, clippy::unwrap_used)] // test code: each test file uses some of it

use bytes::Bytes;
use pay_core::clock::FixedClock;
use pay_core::endpoint::Endpoint;
use pay_core::error::Error;
use pay_core::money::Amount;
use pay_core::secret::Secret;
use pay_qostiq::{QostiqContext, ShopId};
use time::macros::datetime;

/// The secret of the golden requests.
pub const SECRET: &str = "Testkey1";

/// Shop 112 signing with [`SECRET`] at the fixed instant `2021-05-01 16:56:25.009469` UTC.
pub fn context() -> QostiqContext {
    QostiqContext::new(
        ShopId::new(112).unwrap(),
        Secret::new(SECRET).unwrap(),
        FixedClock(datetime!(2021-05-01 16:56:25.009469 UTC)),
    )
}

/// An amount written as `text`.
pub fn amount(text: &str) -> Amount {
    text.parse().unwrap()
}

/// One example answer of seeds 000-002, as printed (`testdata/seeds/qostiq/<name>.json`).
pub fn seed(name: &str) -> String {
    pay_testdata::seed("qostiq", name)
}

/// `endpoint`'s reading of an answer with `status` and `body`.
pub fn respond<E: Endpoint>(endpoint: &E, status: u16, body: &str) -> Result<E::Output, Error> {
    let response = http::Response::builder()
        .status(status)
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .unwrap();
    endpoint.parse_response(&response)
}
