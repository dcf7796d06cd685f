//! [`RawJson`]: JSON kept as its exact text, for values whose shape the API leaves open (a customer's
//! `meta`, a checkout's echoed `payload`, the `data` of an unknown webhook event). Numbers inside stay
//! as written: nothing passes through `f64`.

use std::fmt;

use pay_core::Error;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// One JSON value kept as its exact text.
///
/// ```
/// use pay_coinqvest::json::RawJson;
///
/// let meta = RawJson::from_text(r#"{"reference":123,"price":0.10}"#).unwrap();
/// assert_eq!(meta.get(), r#"{"reference":123,"price":0.10}"#);
/// assert!(RawJson::from_text("{").is_err());
/// ```
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

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
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Whether the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        self.get().trim() == "null"
    }

    /// Decodes the value into `T` (amounts inside are read from their exact tokens).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.get())
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson").field(&self.get()).finish()
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
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
        assert_eq!(back.get(), r#"{"a":1.10}"#);
        assert!(RawJson::from_text("null").unwrap().is_null());
        assert_eq!(format!("{raw:?}"), r#"RawJson("{\"a\":1.10}")"#);
        assert!(RawJson::from_text("1 2").is_err());
        assert_eq!(RawJson::to_raw(&[1, 2]).unwrap().get(), "[1,2]");
    }
}
