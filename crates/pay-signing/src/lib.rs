//! # pay-signing
//!
//! The signature schemes of Qostiq and COINQVEST, sans-IO. Every verification decodes the received
//! signature to bytes of the right length first, then compares in constant time, for each configured
//! secret (several secrets allow rotation). Every scheme can explain itself: the exact string it signs,
//! with the secret masked as `***`.
//!
//! * [`qostiq`]: request signatures over an endpoint's signed keys, callback verification.
//! * [`coinqvest`]: digest authentication, basic authentication (explicit opt-in), webhook verification.
//!
//! ```
//! use pay_core::secret::Secret;
//! use pay_signing::qostiq;
//!
//! let secret = Secret::new("SecretKey01").unwrap();
//! // PAY form: amount, currency, shop_id, shop_order_id, sorted by key.
//! let values = ["10.00", "980", "1", "101"];
//! assert_eq!(qostiq::explain(&values), "10.00:980:1:101***");
//! assert_eq!(
//!     qostiq::sign(&secret, &values),
//!     "7354edb970dae3b496572252d7d7578fc8e0f1061b2e69a9eda1b39f3cdadc69"
//! );
//! ```

pub mod coinqvest;
mod digest;
pub mod qostiq;

pub use pay_core::error::SignatureError;
