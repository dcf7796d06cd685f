//! The one way provider answers and pushed events become typed values: [`decode`] checks the
//! bytes strictly ([`validate`]: duplicate keys at every depth, depth, size,
//! UTF-8, trailing bytes), then serde reads the same text into the output type. Field types do
//! the rest:
//!
//! * [`Amount`](crate::money::Amount) reads its raw JSON token or string (never an `f64`),
//!   including Python's `Decimal` exponent text;
//! * [`RawJson`](super::RawJson) keeps a value whose shape is open exactly as received;
//! * the functions of this module read the lenient scalars providers send: an integer as a
//!   number or a string of digits ([`uint`], [`int`]), an id as a string or an integer
//!   ([`text`]), each with an `opt_` twin for optional fields (`null` or absent is `None`);
//! * provider types (currencies, statuses, date-times that keep their text) implement
//!   `Deserialize` in their own crates.
//!
//! An error names the field by its path (`data.balances[0].available`). Finding the path costs a
//! second pass, made only when the first one fails: a good answer is read once, at serde's speed.
//!
//! ```
//! use pay_core::json::{Limits, decode};
//! use pay_core::money::Amount;
//!
//! #[derive(Debug, serde::Deserialize)]
//! struct Balance {
//!     available: Amount,
//!     #[serde(deserialize_with = "pay_core::json::decode::uint")]
//!     currency: u64,
//! }
//! #[derive(Debug, serde::Deserialize)]
//! struct Balances {
//!     balances: Vec<Balance>,
//! }
//!
//! let ok: Balances = decode(br#"{"balances": [{"available": 28.10, "currency": "980"}]}"#, Limits::RESPONSES).unwrap();
//! assert_eq!(ok.balances[0].available.to_string(), "28.10");
//! assert_eq!(ok.balances[0].currency, 980);
//!
//! let bad = decode::<Balances>(br#"{"balances": [{"available": "a lot", "currency": 980}]}"#, Limits::RESPONSES);
//! assert_eq!(bad.unwrap_err().path(), "balances[0].available");
//! let twice = decode::<Balances>(br#"{"balances": [{"available": 1, "available": 2, "currency": 1}]}"#, Limits::RESPONSES);
//! assert!(twice.is_err());
//! ```

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::{JsonError, Limits, validate};

/// Why a JSON text did not decode into the type asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The text failed the strict checks.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A field is missing or has the wrong type or value.
    #[error("{}: {reason}", if path.is_empty() { "(top)" } else { path })]
    Field {
        /// Where (`data.balances[0].available`; empty for the top-level value).
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl DecodeError {
    /// The path of the field at fault (empty when the text itself failed the strict checks or the
    /// top-level value is wrong).
    pub fn path(&self) -> &str {
        match self {
            Self::Json(_) => "",
            Self::Field { path, .. } => path,
        }
    }

    /// The same error with `prefix` before its path (`data` + `id` → `data.id`).
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Self::Field { path, reason } => Self::Field {
                path: join(prefix, &path),
                reason,
            },
            json => json,
        }
    }
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// Checks `input` strictly within `limits`, then reads it into `T`.
pub fn decode<'a, T: Deserialize<'a>>(input: &'a [u8], limits: Limits) -> Result<T, DecodeError> {
    let text = validate(input, limits)?;
    decode_checked(text)
}

/// Reads `text`, already strictly checked (a whole body that passed [`validate`], or a part of
/// one, such as a member's raw text), into `T`, naming the field at fault.
pub fn decode_checked<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, DecodeError> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(first) => {
            // Read again, tracking the path (only on failure: a good answer pays nothing).
            let mut deserializer = serde_json::Deserializer::from_str(text);
            match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
                Err(error) => {
                    let path = error.path().to_string();
                    let path = if path == "." { String::new() } else { path };
                    let reason = reason(error.inner());
                    // serde names a missing field in the message, at its parent's path.
                    let missing = reason
                        .strip_prefix("missing field `")
                        .and_then(|rest| rest.strip_suffix('`'));
                    Err(match missing {
                        Some(field) => DecodeError::Field {
                            path: join(&path, field),
                            reason: "missing".to_owned(),
                        },
                        None => DecodeError::Field { path, reason },
                    })
                }
                Ok(_) => Err(DecodeError::Field {
                    path: String::new(),
                    reason: reason(&first),
                }),
            }
        }
    }
}

/// serde_json's message without its ` at line 1 column 42` tail (the path says where).
fn reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_owned(),
        None => text,
    }
}

/// A non-negative integer sent as a JSON integer or a string of digits (`980`, `"980"`).
pub fn uint<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Integer::UNSIGNED.read(deserializer)
}

/// [`uint`], or `None` for `null` or an absent field (with `#[serde(default)]`).
pub fn opt_uint<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Integer::UNSIGNED.read_optional(deserializer)
}

/// An integer sent as a JSON integer or a string of digits with an optional `-`.
pub fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Integer::SIGNED.read(deserializer)
}

/// [`int`], or `None` for `null` or an absent field (with `#[serde(default)]`).
pub fn opt_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Integer::SIGNED.read_optional(deserializer)
}

/// A string, or a JSON integer as its decimal text (ids sent either way: `4239`, `"4239"`).
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(Text)
}

/// [`text`], or `None` for `null` or an absent field (with `#[serde(default)]`).
pub fn opt_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_option(Optional(Text))
}

fn digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// An integer sent as a JSON integer or as its decimal text, read wide (every `u64` and `i64`
/// fits), then narrowed to the field's type; a `-` is allowed only when `signed`.
struct Integer {
    signed: bool,
}

impl Integer {
    const SIGNED: Self = Self { signed: true };
    const UNSIGNED: Self = Self { signed: false };

    fn read<'de, D: Deserializer<'de>, T: TryFrom<i128>>(
        self,
        deserializer: D,
    ) -> Result<T, D::Error> {
        narrow(deserializer.deserialize_any(self)?)
    }

    fn read_optional<'de, D: Deserializer<'de>, T: TryFrom<i128>>(
        self,
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        deserializer
            .deserialize_option(Optional(self))?
            .map(narrow)
            .transpose()
    }
}

/// `value` in the field's own type, or "integer out of range".
fn narrow<T: TryFrom<i128>, E: de::Error>(value: i128) -> Result<T, E> {
    T::try_from(value).map_err(|_| E::custom("integer out of range"))
}

impl Visitor<'_> for Integer {
    type Value = i128;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.signed {
            "an integer (a number or a string of digits)"
        } else {
            "a non-negative integer (a number or a string of digits)"
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
        Ok(v.into())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
        if v < 0 && !self.signed {
            return Err(E::invalid_value(de::Unexpected::Signed(v), &self));
        }
        Ok(v.into())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i128, E> {
        let magnitude = match v.strip_prefix('-') {
            Some(rest) if self.signed => rest,
            _ => v,
        };
        if !digits(magnitude) {
            return Err(E::invalid_value(de::Unexpected::Str(v), &self));
        }
        v.parse().map_err(|_| E::custom("integer out of range"))
    }
}

struct Text;

impl Visitor<'_> for Text {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an integer")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
}

/// `null` (or, with `#[serde(default)]`, absence) as `None`, anything else through `V`.
struct Optional<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Optional<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)?;
        f.write_str(" or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self.0).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Amount;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read through Debug
    struct Item {
        #[serde(deserialize_with = "uint")]
        id: u64,
        #[serde(default, deserialize_with = "opt_int")]
        code: Option<i64>,
        #[serde(deserialize_with = "text")]
        order: String,
        #[serde(default, deserialize_with = "opt_text")]
        note: Option<String>,
        #[serde(default)]
        amount: Option<Amount>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // read through Debug
    struct List {
        data: Vec<Item>,
    }

    fn read(json: &str) -> Result<List, DecodeError> {
        decode(json.as_bytes(), Limits::RESPONSES)
    }

    #[test]
    fn lenient_scalars() {
        let list = read(
            r#"{"data": [{"id": "7", "code": "-3", "order": 4239, "note": null, "amount": "1E-7"},
                          {"id": 8, "order": "o", "amount": 10.50}]}"#,
        )
        .unwrap();
        let first = &list.data[0];
        assert_eq!(
            (first.id, first.code, first.order.as_str()),
            (7, Some(-3), "4239")
        );
        assert_eq!(first.note, None);
        assert_eq!(first.amount.unwrap().to_string(), "0.0000001");
        let second = &list.data[1];
        assert_eq!(
            (second.code, second.amount.unwrap().to_string()),
            (None, "10.50".to_owned())
        );
    }

    /// Every error names the field by its path, whatever the depth.
    #[test]
    fn errors_name_the_field() {
        let cases = [
            (r#"{"data": [{"id": -1, "order": "o"}]}"#, "data[0].id"),
            (r#"{"data": [{"id": "1.5", "order": "o"}]}"#, "data[0].id"),
            (
                r#"{"data": [{"id": 1, "order": "o"}, {"id": 2, "order": 1.5}]}"#,
                "data[1].order",
            ),
            (
                r#"{"data": [{"id": 1, "order": "o", "code": "x"}]}"#,
                "data[0].code",
            ),
            (
                r#"{"data": [{"id": 1, "order": "o", "amount": "ten"}]}"#,
                "data[0].amount",
            ),
            (r#"{"data": [{"id": 1}]}"#, "data[0].order"),
            // Raw-token fields (amounts) before the fault read the same in the tracking pass.
            (
                r#"{"data": [{"id": 1, "order": "o", "amount": 1.5}, {"id": -1, "order": "o"}]}"#,
                "data[1].id",
            ),
            (r#"{"data": {}}"#, "data"),
            (r#"{"other": []}"#, "data"),
            (r#"{"data": 1}"#, "data"),
            (r#"[]"#, ""),
        ];
        for (json, path) in cases {
            let err = read(json).unwrap_err();
            assert_eq!(err.path(), path, "{json}: {err}");
            assert!(!err.to_string().contains(" at line "), "{err}");
        }
        assert!(read(r#"{"data": [{"id": 1, "order": "o"}]}"#).is_ok());
        let missing = read(r#"{"data": [{"id": 1}]}"#).unwrap_err();
        assert_eq!(missing.to_string(), "data[0].order: missing");
    }

    #[test]
    fn strict_checks_come_first() {
        for json in [
            r#"{"data": [{"id": 1, "id": 2, "order": "o"}]}"#,
            r#"{"data": []} trailing"#,
            r#"[]"#,
        ] {
            assert!(matches!(read(json), Err(DecodeError::Json(_))), "{json}");
        }
    }

    #[test]
    fn prefixes_join() {
        let err = DecodeError::Field {
            path: "balances[0].available".into(),
            reason: "x".into(),
        };
        assert_eq!(err.within("data").path(), "data.balances[0].available");
        let err = DecodeError::Field {
            path: "[2].id".into(),
            reason: "x".into(),
        };
        assert_eq!(err.within("data").path(), "data[2].id");
        let top = DecodeError::Field {
            path: String::new(),
            reason: "x".into(),
        };
        assert_eq!(top.within("data").path(), "data");
    }
}
