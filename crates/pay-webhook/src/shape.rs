//! Field shapes of Qostiq callbacks, checked after the signature.
//!
//! Qostiq joins signed values with `:`, so moving a colon across the boundary of two adjacent values
//! (`created: "2024-11-18 13:41:57", description: "x"` → `created: "2024-11-18 13:41",
//! description: "57:x"`) keeps the signature valid. Every such shift changes a typed neighbour (a
//! date loses its seconds, a JSON object stops being one, an id stops being a number), so checking
//! the shape of every known field rejects it.

use pay_core::json::{Limits, StrictObject, Value};

/// A verified field whose value does not have the shape its name requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("field `{0}` has the wrong shape")]
pub struct BadShape(pub &'static str);

const DATE_FIELDS: &[&str] = &["created", "processed"];
const INTEGER_FIELDS: &[&str] = &["payment_id", "shop_id", "error_code"];
const AMOUNT_FIELDS: &[&str] = &[
    "payee_receive",
    "shop_write_off",
    "shop_amount",
    "shop_refund",
    "client_price",
    "amount",
];
const CURRENCY_FIELDS: &[&str] = &["ps_currency", "shop_currency", "currency", "payer_currency"];
const OBJECT_FIELDS: &[&str] = &["account_details", "ps_data", "addons"];
const WORD_FIELDS: &[&str] = &["callback_type", "status", "payway"];

fn text<'a>(value: &'a Value<'a>) -> Option<&'a str> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n),
        _ => None,
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction, `T` or space between date and time.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let base = b.len() >= 19
        && digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && (at(10, b' ') || at(10, b'T'))
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19);
    base && (b.len() == 19 || (at(19, b'.') && b.len() > 20 && digits(20..b.len())))
}

fn is_integer(value: &Value<'_>) -> bool {
    match value {
        Value::Number(n) => !n.contains(['.', 'e', 'E']),
        Value::String(s) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

fn is_amount(value: &Value<'_>) -> bool {
    match value {
        Value::Number(n) => pay_core::money::Amount::from_json_number(n).is_ok(),
        Value::String(s) => s.parse::<pay_core::money::Amount>().is_ok(),
        _ => false,
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks every known field of a verified Qostiq callback (absent, `null` and `""` are fine: they are
/// not signed).
pub fn check_qostiq(object: &StrictObject<'_>) -> Result<(), BadShape> {
    for member in object.members() {
        let value = &member.value;
        if matches!(value, Value::Null) || matches!(value, Value::String(s) if s.is_empty()) {
            continue;
        }
        let key = member.key.as_ref();
        let find = |list: &[&'static str]| list.iter().find(|k| **k == key).copied();
        if let Some(field) = find(DATE_FIELDS) {
            if !text(value).is_some_and(is_date_time) {
                return Err(BadShape(field));
            }
        } else if let Some(field) = find(INTEGER_FIELDS) {
            if !is_integer(value) {
                return Err(BadShape(field));
            }
        } else if let Some(field) = find(AMOUNT_FIELDS) {
            if !is_amount(value) {
                return Err(BadShape(field));
            }
        } else if let Some(field) = find(CURRENCY_FIELDS).or_else(|| find(WORD_FIELDS)) {
            if !text(value).is_some_and(is_word) {
                return Err(BadShape(field));
            }
        } else if let Some(field) = find(OBJECT_FIELDS) {
            let ok = match value {
                Value::Object(_) => true,
                // Older engines sent nested data as a string holding a JSON object.
                Value::String(s) => StrictObject::parse(s.as_bytes(), Limits::EVENTS).is_ok(),
                _ => false,
            };
            if !ok {
                return Err(BadShape(field));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), BadShape> {
        check_qostiq(&StrictObject::parse(text.as_bytes(), Limits::EVENTS).unwrap())
    }

    #[test]
    fn accepts_the_seed_callbacks() {
        assert!(check(r#"{"account_details": {"customer_id": "1"}, "callback_type": "withdraw", "created": "2024-11-18 13:41:57", "description": "example", "payee_receive": 10.5, "payment_id": 64045, "payway": "card_usd", "processed": "2024-11-18 13:45:38", "ps_currency": 840, "shop_currency": 840, "shop_id": 1, "shop_payment_id": "12345678", "shop_write_off": 11.5, "status": "success", "test_add_on": null}"#).is_ok());
        assert!(check(r#"{"created": "2022-11-21T16:11:58", "processed": "2021-05-01 16:56:25.009469", "ps_currency": "BNB", "ps_data": "{\"a\": 1}", "payee_receive": "0.000100000000000000"}"#).is_ok());
    }

    #[test]
    fn refuses_colon_shifts() {
        assert_eq!(
            check(r#"{"created": "2024-11-18 13:41", "description": "57:example"}"#),
            Err(BadShape("created"))
        );
        assert_eq!(
            check(
                r#"{"account_details": "{\"customer_id\"", "callback_type": " \"1\"}:withdraw"}"#
            ),
            Err(BadShape("account_details"))
        );
        assert_eq!(
            check(r#"{"payment_id": "872734:card_usd"}"#),
            Err(BadShape("payment_id"))
        );
        assert_eq!(check(r#"{"status": "success:x"}"#), Err(BadShape("status")));
        assert_eq!(
            check(r#"{"shop_write_off": "11.5:success"}"#),
            Err(BadShape("shop_write_off"))
        );
    }
}
