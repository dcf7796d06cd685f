//! A small ordered JSON builder. Answers keep the seeds' field order and write every amount from
//! its exact decimal text (no `f64` anywhere), which `serde_json::Value` cannot do without
//! `arbitrary_precision`.

use pay_core::json::{Limits, StrictObject, Value};
use rust_decimal::Decimal;

/// Limits on the request bodies the sandbox parses (and on the answers a fault rewrites).
pub(crate) const BODY_LIMITS: Limits = Limits {
    max_bytes: 64 * 1024,
    max_depth: 32,
};

/// An ordered JSON value whose numbers are kept as their exact text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number token, written as is.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in insertion order.
    Object(Vec<(String, Json)>),
}

/// An object of `(key, value)` pairs, in their order.
pub(crate) fn object<const N: usize>(members: [(&str, Json); N]) -> Json {
    Json::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// A string value.
pub(crate) fn string(text: impl Into<String>) -> Json {
    Json::String(text.into())
}

/// An integer value.
pub(crate) fn integer(value: impl Into<i128>) -> Json {
    Json::Number(value.into().to_string())
}

/// A string, or `null` for `None`.
pub(crate) fn optional_string(text: Option<&str>) -> Json {
    text.map_or(Json::Null, |t| Json::String(t.to_owned()))
}

/// A decimal written as a JSON number, exactly as it is scaled (`10.00` stays `10.00`).
pub(crate) fn exact_number(value: Decimal) -> Json {
    Json::Number(value.to_string())
}

/// A decimal written the way Python prints a float (`1.02`, `10.0`, `0.0`): the Qostiq server's form.
pub(crate) fn python_float(value: Decimal) -> Json {
    Json::Number(python_float_text(value))
}

/// The text of [`python_float`]: Python's `repr(float(value))`, from pay-core's renderer (so
/// `0.00001` is `1e-05`, as the real server writes it).
pub(crate) fn python_float_text(value: Decimal) -> String {
    let mut token = value.to_string();
    if !token.contains('.') {
        token.push_str(".0");
    }
    let mut out = String::new();
    pay_core::json::python::write_number(&token, false, &mut out);
    out
}

/// A decimal as a string without trailing zeros (`"1.005"`): Qostiq's crypto amounts.
pub(crate) fn trimmed_decimal(value: Decimal) -> Json {
    if value.is_zero() {
        return Json::String("0.0".to_owned());
    }
    Json::String(value.normalize().to_string())
}

/// A decimal as a string with a fixed number of places (`"10.0000000"`): COINQVEST's amounts.
pub(crate) fn fixed_decimal(value: Decimal, places: u32) -> Json {
    let mut v = value.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::ToZero);
    v.rescale(places);
    Json::String(v.to_string())
}

impl Json {
    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets (or appends) member `key` of an object; does nothing to other values.
    pub(crate) fn set(&mut self, key: &str, value: Json) {
        if let Json::Object(members) = self {
            if let Some(slot) = members.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                members.push((key.to_owned(), value));
            }
        }
    }

    /// Appends every member of `other` (an object) to this object, replacing equal keys.
    pub(crate) fn extend(&mut self, other: Json) {
        if let Json::Object(members) = other {
            for (key, value) in members {
                self.set(&key, value);
            }
        }
    }

    /// Removes member `key` of an object.
    pub(crate) fn remove(&mut self, key: &str) {
        if let Json::Object(members) = self {
            members.retain(|(k, _)| k != key);
        }
    }

    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Serializes compactly (`{"a":1}`).
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, false);
        out
    }

    /// Serializes compactly, escaping `/` as `\/` the way COINQVEST's PHP does.
    pub(crate) fn to_php_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        out
    }

    fn write(&self, out: &mut String, php: bool) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Number(token) => out.push_str(token),
            Json::String(text) => quote(text, out, php),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out, php);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(k, out, php);
                    out.push(':');
                    v.write(out, php);
                }
                out.push('}');
            }
        }
    }

    /// Converts a strictly parsed value, keeping member order and number tokens.
    pub(crate) fn from_value(value: &Value<'_>) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(token) => Json::Number((*token).to_owned()),
            Value::String(text) => Json::String(text.to_string()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(members) => Json::Object(
                members
                    .iter()
                    .map(|m| (m.key.to_string(), Json::from_value(&m.value)))
                    .collect(),
            ),
        }
    }

    /// Parses a JSON object text strictly (within [`BODY_LIMITS`]); `None` when it is not one.
    pub(crate) fn parse_object(text: &[u8]) -> Option<Json> {
        let object = StrictObject::parse(text, BODY_LIMITS).ok()?;
        Some(Json::Object(
            object
                .members()
                .iter()
                .map(|m| (m.key.to_string(), Json::from_value(&m.value)))
                .collect(),
        ))
    }
}

fn quote(text: &str, out: &mut String, php: bool) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if php => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_text_matches_cpython() {
        // Expected values are CPython's repr(float(text)).
        for (text, expected) in [
            ("10", "10.0"),
            ("10.50", "10.5"),
            ("0", "0.0"),
            ("0.00001", "1e-05"),
            ("1.02", "1.02"),
        ] {
            let value: Decimal = text.parse().unwrap();
            assert_eq!(python_float_text(value), expected, "{text}");
        }
    }

    #[test]
    fn writes_in_order_and_exactly() {
        let v = object([
            ("b", python_float(Decimal::new(102, 2))),
            ("a", fixed_decimal(Decimal::new(10, 0), 7)),
            ("u", string("https://x/y")),
            ("z", python_float(Decimal::new(1000, 2))),
        ]);
        assert_eq!(
            v.to_text(),
            r#"{"b":1.02,"a":"10.0000000","u":"https://x/y","z":10.0}"#
        );
        assert!(v.to_php_text().contains(r#"https:\/\/x\/y"#));
    }
}
