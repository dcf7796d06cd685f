//! Typed reading of strictly parsed JSON (responses and callbacks), naming the field on every error.
//! Amounts are read from their exact token or string, never through a float.

use pay_core::json::{Member, Value};
use pay_core::money::Amount;

use crate::context::ShopId;
use crate::currency::{CryptoAsset, Currency};
use crate::time::QostiqDateTime;
use pay_core::json::RawJson;

/// A field that is missing or malformed, with its path (`data.balances[0].available`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) field: String,
    pub(crate) reason: String,
}

type Conv<T> = fn(&Member<'_>) -> Result<T, &'static str>;

/// The members of one JSON object, with the path prefix used in errors.
#[derive(Debug, Clone)]
pub(crate) struct Obj<'v, 'a> {
    members: &'v [Member<'a>],
    prefix: String,
}

impl<'v, 'a> Obj<'v, 'a> {
    pub(crate) fn new(members: &'v [Member<'a>], prefix: impl Into<String>) -> Self {
        Self {
            members,
            prefix: prefix.into(),
        }
    }

    /// `value` as an object, or an error naming `path`.
    pub(crate) fn of_value(value: &'v Value<'a>, path: &str) -> Result<Self, FieldError> {
        match value {
            Value::Object(members) => Ok(Self::new(members, format!("{path}."))),
            _ => Err(FieldError {
                field: path.to_owned(),
                reason: "expected an object".to_owned(),
            }),
        }
    }

    pub(crate) fn members(&self) -> &'v [Member<'a>] {
        self.members
    }

    fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub(crate) fn error(&self, key: &str, reason: impl Into<String>) -> FieldError {
        FieldError {
            field: self.path(key),
            reason: reason.into(),
        }
    }

    /// The member `key` unless absent or `null`.
    fn present(&self, key: &str) -> Option<&'v Member<'a>> {
        self.members
            .iter()
            .find(|m| m.key == key)
            .filter(|m| m.value != Value::Null)
    }

    fn req<T>(&self, key: &str, conv: Conv<T>) -> Result<T, FieldError> {
        let member = self
            .present(key)
            .ok_or_else(|| self.error(key, "missing"))?;
        conv(member).map_err(|reason| self.error(key, reason))
    }

    fn opt<T>(&self, key: &str, conv: Conv<T>) -> Result<Option<T>, FieldError> {
        self.present(key)
            .map(|member| conv(member).map_err(|reason| self.error(key, reason)))
            .transpose()
    }

    pub(crate) fn amount(&self, key: &str) -> Result<Amount, FieldError> {
        self.req(key, amount)
    }
    pub(crate) fn opt_amount(&self, key: &str) -> Result<Option<Amount>, FieldError> {
        self.opt(key, amount)
    }
    pub(crate) fn int(&self, key: &str) -> Result<i64, FieldError> {
        self.req(key, integer)
    }
    pub(crate) fn opt_int(&self, key: &str) -> Result<Option<i64>, FieldError> {
        self.opt(key, integer)
    }
    pub(crate) fn id(&self, key: &str) -> Result<u64, FieldError> {
        self.req(key, unsigned)
    }
    pub(crate) fn opt_id(&self, key: &str) -> Result<Option<u64>, FieldError> {
        self.opt(key, unsigned)
    }
    pub(crate) fn shop_id(&self, key: &str) -> Result<ShopId, FieldError> {
        self.req(key, unsigned).map(ShopId::from_response)
    }
    pub(crate) fn opt_shop_id(&self, key: &str) -> Result<Option<ShopId>, FieldError> {
        Ok(self.opt(key, unsigned)?.map(ShopId::from_response))
    }
    /// A string, or a number as its text (`4239`, `201497141132`).
    pub(crate) fn text(&self, key: &str) -> Result<String, FieldError> {
        self.req(key, text)
    }
    pub(crate) fn opt_text(&self, key: &str) -> Result<Option<String>, FieldError> {
        self.opt(key, text)
    }
    /// A JSON string only.
    pub(crate) fn string(&self, key: &str) -> Result<String, FieldError> {
        self.req(key, string)
    }
    pub(crate) fn opt_string(&self, key: &str) -> Result<Option<String>, FieldError> {
        self.opt(key, string)
    }
    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, FieldError> {
        self.opt(key, boolean)
    }
    pub(crate) fn currency(&self, key: &str) -> Result<Currency, FieldError> {
        self.req(key, currency)
    }
    pub(crate) fn opt_currency(&self, key: &str) -> Result<Option<Currency>, FieldError> {
        self.opt(key, currency)
    }
    pub(crate) fn asset(&self, key: &str) -> Result<CryptoAsset, FieldError> {
        self.req(key, string).map(CryptoAsset::from_response)
    }
    pub(crate) fn datetime(&self, key: &str) -> Result<QostiqDateTime, FieldError> {
        self.req(key, datetime)
    }
    pub(crate) fn opt_datetime(&self, key: &str) -> Result<Option<QostiqDateTime>, FieldError> {
        self.opt(key, datetime)
    }
    /// Any present value, verbatim.
    pub(crate) fn opt_raw(&self, key: &str) -> Result<Option<RawJson>, FieldError> {
        self.opt(key, raw)
    }
    /// The minutes of `lifetime`, a string (`"43200"`) or a number (`43200`).
    pub(crate) fn opt_minutes(&self, key: &str) -> Result<Option<u64>, FieldError> {
        self.opt(key, unsigned)
    }

    pub(crate) fn opt_object(&self, key: &str) -> Result<Option<Obj<'v, 'a>>, FieldError> {
        self.present(key)
            .map(|m| Obj::of_value(&m.value, &self.path(key)))
            .transpose()
    }

    /// An array of objects, each with its index in the path.
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<Obj<'v, 'a>>, FieldError> {
        let member = self
            .present(key)
            .ok_or_else(|| self.error(key, "missing"))?;
        let Value::Array(items) = &member.value else {
            return Err(self.error(key, "expected an array"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Obj::of_value(item, &format!("{}[{i}]", self.path(key))))
            .collect()
    }
}

/// Items of a top-level array `value` as objects.
pub(crate) fn objects_of<'v, 'a>(
    value: &'v Value<'a>,
    path: &str,
) -> Result<Vec<Obj<'v, 'a>>, FieldError> {
    let Value::Array(items) = value else {
        return Err(FieldError {
            field: path.to_owned(),
            reason: "expected an array".to_owned(),
        });
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| Obj::of_value(item, &format!("{path}[{i}]")))
        .collect()
}

fn amount(member: &Member<'_>) -> Result<Amount, &'static str> {
    match &member.value {
        Value::Number(token) => {
            Amount::from_json_number(token).map_err(|_| "not an exact decimal amount")
        }
        Value::String(text) => Amount::from_provider_text(text).map_err(|_| "not a decimal amount"),
        _ => Err("expected an amount (number or decimal string)"),
    }
}

fn raw(member: &Member<'_>) -> Result<RawJson, &'static str> {
    RawJson::from_text(member.raw).map_err(|_| "not one JSON value")
}

fn integer(member: &Member<'_>) -> Result<i64, &'static str> {
    let text: &str = match &member.value {
        Value::Number(token) => token,
        Value::String(text) => text,
        _ => return Err("expected an integer"),
    };
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected an integer");
    }
    text.parse().map_err(|_| "integer out of range")
}

fn unsigned(member: &Member<'_>) -> Result<u64, &'static str> {
    let text: &str = match &member.value {
        Value::Number(token) => token,
        Value::String(text) => text,
        _ => return Err("expected a non-negative integer"),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected a non-negative integer");
    }
    text.parse().map_err(|_| "integer out of range")
}

fn text(member: &Member<'_>) -> Result<String, &'static str> {
    match &member.value {
        Value::String(text) => Ok(text.to_string()),
        Value::Number(token) => Ok((*token).to_owned()),
        _ => Err("expected a string or a number"),
    }
}

fn string(member: &Member<'_>) -> Result<String, &'static str> {
    match &member.value {
        Value::String(text) => Ok(text.to_string()),
        _ => Err("expected a string"),
    }
}

fn boolean(member: &Member<'_>) -> Result<bool, &'static str> {
    match &member.value {
        Value::Bool(b) => Ok(*b),
        _ => Err("expected true or false"),
    }
}

fn currency(member: &Member<'_>) -> Result<Currency, &'static str> {
    let code = unsigned(member).map_err(|_| "expected an ISO 4217 numeric currency code")?;
    u16::try_from(code)
        .ok()
        .filter(|c| *c <= 999)
        .map(Currency::from_code)
        .ok_or("expected an ISO 4217 numeric currency code")
}

fn datetime(member: &Member<'_>) -> Result<QostiqDateTime, &'static str> {
    match &member.value {
        Value::String(text) => Ok(QostiqDateTime::parse(text)),
        _ => Err("expected a date-time string"),
    }
}
