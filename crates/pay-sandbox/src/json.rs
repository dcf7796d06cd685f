//! A small ordered JSON builder. Responses keep the seeds' field order and write every amount from
//! its exact decimal text (no `f64` anywhere), which `serde_json::Value` cannot do without
//! `arbitrary_precision`.

use pay_core::json::{Limits, StrictObject, Value};
use rust_decimal::Decimal;

/// An ordered JSON value whose numbers are kept as their exact text.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number token, written as is.
    Num(String),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<J>),
    /// An object, members in insertion order.
    Obj(Vec<(String, J)>),
}

/// Builds an object from `(key, value)` pairs, keeping their order.
pub fn obj<const N: usize>(members: [(&str, J); N]) -> J {
    J::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// A string value.
pub fn s(text: impl Into<String>) -> J {
    J::Str(text.into())
}

/// An integer value.
pub fn int(value: impl Into<i128>) -> J {
    J::Num(value.into().to_string())
}

/// A string or `null`.
pub fn opt_s(text: Option<&str>) -> J {
    text.map_or(J::Null, |t| J::Str(t.to_owned()))
}

/// A decimal written as a JSON number, exactly as it is scaled (`10.00` stays `10.00`).
pub fn dec(value: Decimal) -> J {
    J::Num(value.to_string())
}

/// A decimal written the way Python prints a float (`1.02`, `10.0`, `0.0`): the Qostiq server's form.
pub fn py_float(value: Decimal) -> J {
    J::Num(py_float_text(value))
}

/// The text of [`py_float`]: Python's `repr(float(value))`, from pay-core's renderer (so `0.00001`
/// is `1e-05`, as the real server writes it).
pub fn py_float_text(value: Decimal) -> String {
    let mut token = value.to_string();
    if !token.contains('.') {
        token.push_str(".0");
    }
    let mut out = String::new();
    pay_core::json::python::write_number(&token, false, &mut out);
    out
}

/// A decimal as a string without trailing zeros (`"1.005"`): Qostiq's crypto amounts.
pub fn dec_str(value: Decimal) -> J {
    if value.is_zero() {
        return J::Str("0.0".to_owned());
    }
    J::Str(value.normalize().to_string())
}

/// A decimal as a string with a fixed number of places (`"10.0000000"`): COINQVEST's amounts.
pub fn dec_fixed(value: Decimal, places: u32) -> J {
    let mut v = value.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::ToZero);
    v.rescale(places);
    J::Str(v.to_string())
}

impl J {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets (or appends) member `key` of an object; no-op on non-objects.
    pub fn set(&mut self, key: &str, value: J) {
        if let J::Obj(members) = self {
            if let Some(slot) = members.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                members.push((key.to_owned(), value));
            }
        }
    }

    /// Removes member `key` of an object.
    pub fn remove(&mut self, key: &str) {
        if let J::Obj(members) = self {
            members.retain(|(k, _)| k != key);
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, J::Null)
    }

    /// Serializes compactly (`{"a":1}`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, false);
        out
    }

    /// Serializes compactly, escaping `/` as `\/` the way COINQVEST's PHP does.
    pub fn to_text_php(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        out
    }

    fn write(&self, out: &mut String, php: bool) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(true) => out.push_str("true"),
            J::Bool(false) => out.push_str("false"),
            J::Num(token) => out.push_str(token),
            J::Str(text) => quote(text, out, php),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out, php);
                }
                out.push(']');
            }
            J::Obj(members) => {
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
    pub fn from_value(value: &Value<'_>) -> J {
        match value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(token) => J::Num((*token).to_owned()),
            Value::String(text) => J::Str(text.to_string()),
            Value::Array(items) => J::Arr(items.iter().map(J::from_value).collect()),
            Value::Object(members) => J::Obj(
                members
                    .iter()
                    .map(|m| (m.key.to_string(), J::from_value(&m.value)))
                    .collect(),
            ),
        }
    }

    /// Parses a JSON object text strictly into a [`J`].
    pub fn parse_object(text: &[u8], limits: Limits) -> Option<J> {
        let object = StrictObject::parse(text, limits).ok()?;
        Some(J::Obj(
            object
                .members()
                .iter()
                .map(|m| (m.key.to_string(), J::from_value(&m.value)))
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
            assert_eq!(py_float_text(value), expected, "{text}");
        }
    }

    #[test]
    fn writes_in_order_and_exactly() {
        let v = obj([
            ("b", py_float(Decimal::new(102, 2))),
            ("a", dec_fixed(Decimal::new(10, 0), 7)),
            ("u", s("https://x/y")),
            ("z", py_float(Decimal::new(1000, 2))),
        ]);
        assert_eq!(
            v.to_text(),
            r#"{"b":1.02,"a":"10.0000000","u":"https://x/y","z":10.0}"#
        );
        assert!(v.to_text_php().contains(r#"https:\/\/x\/y"#));
    }
}
