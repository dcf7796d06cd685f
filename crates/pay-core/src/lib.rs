//! # pay-core
//!
//! The sans-IO foundation of pay-rs. Typed values go in and `http::Request<Bytes>` comes out;
//! `http::Response<Bytes>` goes in and a typed result or a typed [`Error`] comes out.
//! Nothing here performs IO, reads the wall clock (see [`clock`]) or depends on an async runtime.
//!
//! * [`money`]: exact amounts on `rust_decimal`, parsed only from text.
//! * [`secret`]: redacted, zeroized credentials.
//! * [`clock`]: injected time.
//! * [`datetime`]: date-times received as RFC 3339 text, kept with their instant.
//! * [`json`]: strict JSON for untrusted input, and the Python rendering Qostiq signs.
//! * [`endpoint`]: the sans-IO call contract.
//! * [`error`]: one taxonomy that says whether money may have moved.
//! * [`event`]: pushed events' identity and finality, defined by each provider crate.
//! * [`retry`]: pure retry classification.
//! * [`recovery`]: the payout recovery contract, its pure decisions and the one outcome type.
//! * [`text`]: untrusted text escaped and capped for logs and errors; masked account numbers.

pub mod clock;
pub mod datetime;
pub mod endpoint;
pub mod error;
pub mod event;
pub mod json;
pub mod money;
pub mod recovery;
pub mod retry;
pub mod secret;
pub mod text;

pub use error::Error;
