//! What each Qostiq callback type carries: its keys, which of them the provider always sends, the
//! shape of each value, and which values decide money. One table, used by the verifier to bind the
//! keys (the provider signs values, not key names) and by the typed readers.
//!
//! Sources: seed 001 (withdraw callback example and table), seed 002 (crypto withdraw callback),
//! PROTOCOL.md "Payment notifications" (model fields) and the confirmed real payment notification in
//! `testdata/vectors/qostiq_callbacks.json`. A key is required only when every source shows it and it
//! is intrinsic to the operation (an id, an amount, a currency, the status).

use pay_core::json::{Limits, StrictObject, Value, is_json_number, python};
use pay_core::money::Amount;
use time::PrimitiveDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// The three kinds of Qostiq callbacks, decided by `callback_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallbackKind {
    /// `callback_type: "withdraw"`: the fiat withdraw callback (seed 001).
    Withdraw,
    /// `callback_type: "crypto_withdraw"`: the crypto withdraw callback (seed 002).
    CryptoWithdraw,
    /// No `callback_type`: a payment notification for an invoice or a bill.
    Payment,
}

impl CallbackKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Withdraw, Self::CryptoWithdraw, Self::Payment];

    /// The kind's name: `withdraw`, `crypto_withdraw`, `payment`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Withdraw => "withdraw",
            Self::CryptoWithdraw => "crypto_withdraw",
            Self::Payment => "payment",
        }
    }

    /// The `callback_type` value the kind is sent with (`None` for payment notifications).
    pub fn callback_type(self) -> Option<&'static str> {
        match self {
            Self::Withdraw => Some("withdraw"),
            Self::CryptoWithdraw => Some("crypto_withdraw"),
            Self::Payment => None,
        }
    }

    /// The kind named by a `callback_type` value.
    pub fn from_callback_type(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.callback_type() == Some(value))
    }

    /// The keys the provider sends for this kind, sorted by name (`sign` excluded).
    pub fn keys(self) -> &'static [KeySpec] {
        match self {
            Self::Withdraw => WITHDRAW,
            Self::CryptoWithdraw => CRYPTO_WITHDRAW,
            Self::Payment => PAYMENT,
        }
    }

    /// The specification of `key` in this kind, if the provider sends it.
    pub fn spec(self, key: &str) -> Option<&'static KeySpec> {
        let keys = self.keys();
        keys.binary_search_by(|spec| spec.name.cmp(key))
            .ok()
            .and_then(|at| keys.get(at))
    }
}

impl std::fmt::Display for CallbackKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the provider always sends a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always sent with a non-empty value; a callback without it is refused.
    Required,
    /// May be absent, `null` or `""` (then it is not signed).
    Optional,
}

/// The shape of a callback value. No shape but [`Shape::DateTime`] and [`Shape::Object`] admits a
/// `:` (the provider joins the signed values with an unescaped `:`; see [`Shape::Text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The kind's own `callback_type` string, exactly.
    CallbackType,
    /// A non-negative integer: a JSON integer, or a string of digits (ids).
    Unsigned,
    /// An integer, possibly negative (`error_code`).
    Integer,
    /// An exact decimal: a decimal string, or a JSON number written as the server writes it
    /// (`10.5`, `6.0`; a token Python would print differently is refused).
    Amount,
    /// An ISO 4217 numeric currency code, 0 to 999, as a number or a string of digits.
    CurrencyCode,
    /// A string of ASCII letters, digits, `_` and `-` (payways, crypto assets, addresses).
    Word,
    /// A string of ASCII letters and `_` (`success`, `rejected`).
    Status,
    /// A date-time string in one of the server's layouts, seconds included ([`parse_date_time`]).
    DateTime,
    /// The shop's own id for the operation: a non-empty string without `:`, or a JSON integer.
    Reference,
    /// Free text (a JSON string) without `:`. A `:` in free text would let a forger move the
    /// boundary between it and its neighbour, or absorb neighbours into it, without changing the
    /// signature; such callbacks are refused.
    Text,
    /// A JSON object (signed as one value), or a string holding one (older engines).
    Object,
}

impl Shape {
    /// Whether a value of this JSON type may hold this shape (the text is checked separately, on
    /// the value as signed: [`Shape::accepts_text`]).
    pub(crate) fn accepts_type(self, value: &Value<'_>) -> bool {
        match (self, value) {
            (Self::Unsigned | Self::CurrencyCode | Self::Reference, Value::Number(token)) => {
                token.bytes().all(|b| b.is_ascii_digit())
            }
            (Self::Integer, Value::Number(token)) => !python::is_float_token(token),
            // A number is accepted only in the text the server signs for it, so the amount read
            // from the body is the amount signed (`6.0`, not `6.00` or `0.60e1`).
            (Self::Amount, Value::Number(token)) => python::str_form(value) == *token,
            (Self::Object, Value::Object(_)) => true,
            (_, Value::String(_)) => true,
            _ => false,
        }
    }

    /// Whether `value`, signed as `text`, has this shape: its JSON type, then its text.
    pub(crate) fn accepts(self, value: &Value<'_>, text: &str, kind: CallbackKind) -> bool {
        self.accepts_type(value)
            && (matches!(self, Self::Object) && renders_as_json(value, text)
                || self.accepts_text(text, kind))
    }

    /// Whether `text`, a value as the verifier signs it, has this shape under any JSON encoding.
    /// `kind` decides what [`Shape::CallbackType`] accepts.
    pub(crate) fn accepts_text(self, text: &str, kind: CallbackKind) -> bool {
        match self {
            Self::CallbackType => kind.callback_type() == Some(text),
            Self::Unsigned => is_digits(text),
            Self::Integer => is_digits(text.strip_prefix('-').unwrap_or(text)),
            Self::Amount => {
                text.parse::<Amount>().is_ok()
                    || (is_json_number(text) && Amount::from_json_number(text).is_ok())
            }
            Self::CurrencyCode => is_digits(text) && text.parse::<u16>().is_ok_and(|c| c <= 999),
            Self::Word => {
                !text.is_empty()
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }
            Self::Status => {
                !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
            }
            Self::DateTime => parse_date_time(text).is_some(),
            Self::Reference | Self::Text => !text.is_empty() && !text.contains(':'),
            Self::Object => is_json_object(text),
        }
    }
}

/// What a custom field may hold: any scalar whose text has no `:`, or a JSON object or array.
pub(crate) fn custom_accepts_text(text: &str) -> bool {
    !text.contains(':') || is_json_object(text) || is_json_array(text)
}

/// [`custom_accepts_text`] for a parsed `value` signed as `text`.
pub(crate) fn custom_accepts(value: &Value<'_>, text: &str) -> bool {
    renders_as_json(value, text) || custom_accepts_text(text)
}

/// Whether a parsed object or array signed as `text` is JSON text without parsing `text` again:
/// its rendering is JSON unless a float in it is too large for a double (written `Infinity`, or
/// `NaN`); a text holding either word is parsed.
fn renders_as_json(value: &Value<'_>, text: &str) -> bool {
    matches!(value, Value::Array(_) | Value::Object(_))
        && !text.contains("Infinity")
        && !text.contains("NaN")
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_json_object(text: &str) -> bool {
    text.starts_with('{')
        && text.ends_with('}')
        && StrictObject::parse(text.as_bytes(), Limits::EVENTS).is_ok()
}

fn is_json_array(text: &str) -> bool {
    if !(text.starts_with('[') && text.ends_with(']')) {
        return false;
    }
    let wrapped = format!("{{\"v\": {text}}}");
    StrictObject::parse(wrapped.as_bytes(), Limits::EVENTS).is_ok()
}

/// One key of a callback type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// The key.
    pub name: &'static str,
    /// The shape of its value.
    pub shape: Shape,
    /// Whether the provider always sends it.
    pub presence: Presence,
    /// Whether the value decides money or identity (the type, ids, status, the shop's reference,
    /// amounts, currencies, the payee address). The verifier refuses a callback whose signed values
    /// can also be read with a different value for such a key.
    pub money: bool,
}

const fn key(name: &'static str, shape: Shape, presence: Presence, money: bool) -> KeySpec {
    KeySpec {
        name,
        shape,
        presence,
        money,
    }
}

use Presence::{Optional, Required};

/// Seed 001: the example and the parameter table. `payway`, `created`, `processed` are in the
/// example but describe the operation rather than define it, so they may be absent.
const WITHDRAW: &[KeySpec] = &[
    key("account_details", Shape::Object, Optional, false),
    key("callback_type", Shape::CallbackType, Required, true),
    key("created", Shape::DateTime, Optional, false),
    key("description", Shape::Text, Optional, false),
    key("payee_receive", Shape::Amount, Required, true),
    key("payment_id", Shape::Unsigned, Required, true),
    key("payway", Shape::Word, Optional, false),
    key("processed", Shape::DateTime, Optional, false),
    key("ps_currency", Shape::CurrencyCode, Required, true),
    key("shop_currency", Shape::CurrencyCode, Required, true),
    key("shop_id", Shape::Unsigned, Required, true),
    key("shop_payment_id", Shape::Reference, Required, true),
    key("shop_write_off", Shape::Amount, Required, true),
    key("status", Shape::Status, Required, true),
];

/// Seed 002: the example and its field list. The payee `address` is where the money went, so it is
/// required; `description` comes as `null` when none was given.
const CRYPTO_WITHDRAW: &[KeySpec] = &[
    key("address", Shape::Word, Required, true),
    key("callback_type", Shape::CallbackType, Required, true),
    key("created", Shape::DateTime, Optional, false),
    key("description", Shape::Text, Optional, false),
    key("payee_receive", Shape::Amount, Required, true),
    key("payment_id", Shape::Unsigned, Required, true),
    key("payway", Shape::Word, Optional, false),
    key("processed", Shape::DateTime, Optional, false),
    key("ps_currency", Shape::Word, Required, true),
    key("ps_data", Shape::Object, Optional, false),
    key("shop_currency", Shape::Word, Required, true),
    key("shop_id", Shape::Unsigned, Required, true),
    key("shop_order_id", Shape::Reference, Required, true),
    key("shop_write_off", Shape::Amount, Required, true),
    key("status", Shape::Status, Required, true),
];

/// PROTOCOL.md's model fields plus the confirmed real notification's keys. The order, its amount
/// and currency, the payment id and the status define it; `shop_id` is not in the model list, and
/// `client_price`, `shop_refund`, `ps_currency` may be missing on a rejected payment.
const PAYMENT: &[KeySpec] = &[
    key("addons", Shape::Object, Optional, false),
    key("client_price", Shape::Amount, Optional, true),
    key("created", Shape::DateTime, Optional, false),
    key("description", Shape::Text, Optional, false),
    key("error_code", Shape::Integer, Optional, false),
    key("payment_id", Shape::Unsigned, Required, true),
    key("payway", Shape::Word, Optional, false),
    key("processed", Shape::DateTime, Optional, false),
    key("ps_currency", Shape::CurrencyCode, Optional, true),
    key("ps_data", Shape::Object, Optional, false),
    key("shop_amount", Shape::Amount, Required, true),
    key("shop_currency", Shape::CurrencyCode, Required, true),
    key("shop_id", Shape::Unsigned, Optional, true),
    key("shop_order_id", Shape::Reference, Required, true),
    key("shop_refund", Shape::Amount, Optional, true),
    key("status", Shape::Status, Required, true),
];

/// Whether `key` is sent in any callback type (`sign` excluded).
pub(crate) fn is_provider_key(key: &str) -> bool {
    CallbackKind::ALL
        .iter()
        .any(|kind| kind.spec(key).is_some())
}

const SPACE_SECONDS: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
const SPACE_FRACTION: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
const RFC_1123_GMT: &[BorrowedFormatItem<'_>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);
const T_SECONDS: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
const T_FRACTION: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]");
const DAY_FIRST: &[BorrowedFormatItem<'_>] =
    format_description!("[day].[month].[year] [hour]:[minute]:[second]");

/// Reads a Qostiq date-time in any layout the server uses (`2020-10-20 14:01:28`,
/// `2021-05-01 16:56:25.009469`, `2022-11-21T16:11:58`, `Wed, 06 Dec 2017 14:30:44 GMT`,
/// `30.06.2017 10:12:44`). Every layout has seconds, so no prefix of a date-time is one.
///
/// ```
/// use pay_signing::qostiq::parse_date_time;
///
/// assert!(parse_date_time("2024-11-18 13:41:57").is_some());
/// assert!(parse_date_time("2024-11-18 13:41").is_none());
/// ```
pub fn parse_date_time(text: &str) -> Option<PrimitiveDateTime> {
    // Every layout is 19 to 29 characters long (fractions of up to nine digits).
    if !(19..=29).contains(&text.len()) {
        return None;
    }
    [
        SPACE_SECONDS,
        SPACE_FRACTION,
        RFC_1123_GMT,
        T_SECONDS,
        T_FRACTION,
        DAY_FIRST,
    ]
    .iter()
    .find_map(|format| PrimitiveDateTime::parse(text, format).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_unique_and_consistent_across_kinds() {
        for kind in CallbackKind::ALL {
            let keys = kind.keys();
            assert!(
                keys.windows(2).all(|w| w[0].name < w[1].name),
                "{kind} keys not sorted"
            );
            for spec in keys {
                assert_ne!(spec.name, "sign");
                if spec.presence == Required {
                    assert!(spec.money, "{kind}.{} required but not money", spec.name);
                }
            }
            assert_eq!(
                kind.spec("callback_type").is_some(),
                kind.callback_type().is_some()
            );
            for required in ["payment_id", "status"] {
                assert_eq!(kind.spec(required).map(|s| s.presence), Some(Required));
            }
        }
        assert_eq!(
            CallbackKind::from_callback_type("crypto_withdraw"),
            Some(CallbackKind::CryptoWithdraw)
        );
        assert_eq!(CallbackKind::from_callback_type("payment"), None);
    }

    #[test]
    fn no_shape_but_dates_and_objects_admits_a_colon() {
        let colon_texts = ["a:b", "1:2", "2024-11-18 13:41:57", "{\"a\": 1}"];
        for kind in CallbackKind::ALL {
            for spec in kind.keys() {
                for text in colon_texts {
                    if spec.shape.accepts_text(text, kind) {
                        assert!(
                            matches!(spec.shape, Shape::DateTime | Shape::Object),
                            "{kind}.{} accepts {text}",
                            spec.name
                        );
                    }
                }
            }
        }
        assert!(custom_accepts_text("plain"));
        assert!(custom_accepts_text("[1, {\"a\": \"b:c\"}]"));
        assert!(!custom_accepts_text("https://shop.example/cb"));
    }

    #[test]
    fn shapes_of_text() {
        let w = CallbackKind::Withdraw;
        let cases: [(Shape, &str, bool); 18] = [
            (Shape::CallbackType, "withdraw", true),
            (Shape::CallbackType, "crypto_withdraw", false),
            (Shape::Unsigned, "872734", true),
            (Shape::Unsigned, "-1", false),
            (Shape::Integer, "-1", true),
            (Shape::Amount, "10.5", true),
            (Shape::Amount, "1e2", true),
            (Shape::Amount, "10.5x", false),
            (Shape::CurrencyCode, "840", true),
            (Shape::CurrencyCode, "1000", false),
            (Shape::Word, "bnb_bep20", true),
            (Shape::Word, "card usd", false),
            (Shape::Status, "success", true),
            (Shape::Status, "979", false),
            (Shape::DateTime, "2022-11-21T16:11:58", true),
            (Shape::DateTime, "2022-11-21T16:11", false),
            (Shape::Reference, "lfhx9l0v8r5f", true),
            (Shape::Reference, "265:979", false),
        ];
        for (shape, text, expected) in cases {
            assert_eq!(shape.accepts_text(text, w), expected, "{shape:?} {text}");
        }
    }
}
