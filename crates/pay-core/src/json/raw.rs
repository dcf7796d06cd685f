//! [`RawJson`]: one JSON value kept as its exact text, for the parts of answers and events whose
//! shape the providers leave open (Qostiq's `ps_data`, `info`, `account_details`; a COINQVEST
//! customer's `meta`, a checkout's `payload`, the `data` of an unknown webhook event).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use super::{Limits, StrictObject, Value};
use crate::error::Error;
use crate::text::Untrusted;

/// One JSON value kept exactly as written (numbers are never turned into floats).
///
/// `Display` and [`RawJson::as_str`] give the exact text; `Debug` writes it as [`Untrusted`] text
/// (escaped, capped, account-like runs masked), since it comes from outside (`ps_data` may carry
/// `ps_payer_account`).
///
/// ```
/// use pay_core::json::RawJson;
///
/// let raw = RawJson::from_text(r#"{"ps_payer_account": "201538122124", "price": 0.10}"#).unwrap();
/// assert_eq!(raw.as_str(), r#"{"ps_payer_account": "201538122124", "price": 0.10}"#);
/// assert_eq!(raw.string_member("ps_payer_account").as_deref(), Some("201538122124"));
/// assert!(format!("{raw:?}").contains("****2124"));
/// assert!(RawJson::from_text("{").is_err());
/// ```
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

/// How many characters of a [`RawJson`] its `Debug` writes.
const RAW_DEBUG_MAX_CHARS: usize = 1000;

impl RawJson {
    /// Checks that `text` is one JSON value and keeps it as written.
    pub fn from_text(text: impl Into<String>) -> Result<Self, Error> {
        RawValue::from_string(text.into())
            .map(Self)
            .map_err(|e| Error::invalid_input("json", format!("not one JSON value: {e}")))
    }

    /// Serializes `value` once (compact) and keeps the text.
    pub fn to_raw<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::value::to_raw_value(value)
            .map(Self)
            .map_err(|e| Error::invalid_input("json", e.to_string()))
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// Whether the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        self.as_str().trim() == "null"
    }

    /// Decodes the value into `T` (amounts inside are read from their exact tokens).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.as_str())
    }

    /// When this is an object with a string member `key` (or a number, as its text), that text.
    pub fn string_member(&self, key: &str) -> Option<String> {
        let object = StrictObject::parse(self.as_str().as_bytes(), Limits::RESPONSES).ok()?;
        match &object.get(key)?.value {
            Value::String(text) => Some(text.to_string()),
            Value::Number(token) => Some((*token).to_owned()),
            _ => None,
        }
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RawJson {}

impl std::hash::Hash for RawJson {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson")
            .field(&Untrusted::new(self.as_str()).max_chars(RAW_DEBUG_MAX_CHARS))
            .finish()
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Box<RawValue>>::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_and_round_trips() {
        let raw = RawJson::from_text(r#"{"a":1.10}"#).unwrap();
        assert_eq!(serde_json::to_string(&raw).unwrap(), r#"{"a":1.10}"#);
        let back: RawJson = serde_json::from_str(r#" {"a":1.10} "#).unwrap();
        assert_eq!(back.as_str(), r#"{"a":1.10}"#);
        assert!(RawJson::from_text("null").unwrap().is_null());
        assert_eq!(format!("{raw:?}"), r#"RawJson("{\"a\":1.10}")"#);
        assert!(RawJson::from_text("1 2").is_err());
        assert_eq!(RawJson::to_raw(&[1, 2]).unwrap().as_str(), "[1,2]");
        assert_eq!(raw.string_member("a").as_deref(), Some("1.10"));
        assert_eq!(raw.string_member("b"), None);
    }

    /// Attack: a value from outside cannot forge a log line or show an account through `Debug`.
    #[test]
    fn debug_is_untrusted_text() {
        let raw = RawJson::from_text(r#"{"card": "4111111111111111", "x": "a\nb"}"#).unwrap();
        let shown = format!("{raw:?}");
        assert!(!shown.contains("4111111111111111"), "{shown}");
        assert!(!shown.contains('\n'), "{shown}");
    }
}
