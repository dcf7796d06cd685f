//! Verbatim JSON for the parts of answers whose shape the documents leave open (`ps_data`, `info`,
//! `add_ons_config`, `account_info`).

use std::fmt;

use pay_core::text::Untrusted;

/// A JSON value kept exactly as received (numbers are never turned into floats).
///
/// `Display` and [`RawJson::as_str`] give the exact text; `Debug` writes it as [`Untrusted`] text
/// (escaped, capped, account numbers masked), since it comes from outside (`ps_data` may carry
/// `ps_payer_account`).
///
/// ```
/// use pay_qostiq::RawJson;
///
/// let raw = RawJson::new(r#"{"ps_payer_account": "201538122124"}"#);
/// assert_eq!(raw.as_str(), r#"{"ps_payer_account": "201538122124"}"#);
/// assert_eq!(raw.string_member("ps_payer_account").as_deref(), Some("201538122124"));
/// assert_eq!(format!("{raw:?}"), r#"RawJson("{\"ps_payer_account\": \"****2124\"}")"#);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawJson(String);

/// How many characters of a [`RawJson`] its `Debug` writes.
const RAW_DEBUG_MAX_CHARS: usize = 1000;

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson")
            .field(&Untrusted::new(&self.0).max_chars(RAW_DEBUG_MAX_CHARS))
            .finish()
    }
}

impl RawJson {
    /// Wraps JSON text (not validated; values built by this crate come from strictly parsed input).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// When this is an object with a string member `key` (or a number, as its text), that text.
    pub fn string_member(&self, key: &str) -> Option<String> {
        use pay_core::json::{Limits, StrictObject, Value};
        let object = StrictObject::parse(self.0.as_bytes(), Limits::RESPONSES).ok()?;
        match &object.get(key)?.value {
            Value::String(text) => Some(text.to_string()),
            Value::Number(token) => Some((*token).to_owned()),
            _ => None,
        }
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
