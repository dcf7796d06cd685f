//! Reading a request back from its journal form ([`Journaled::from_journal`](super::Journaled)):
//! the fields of one stored object, each read with the checks of the request's own types, so a
//! hand-edited row is refused, never sent. Errors name the field as `journal.<field>`.

use pay_core::error::Error;
use pay_core::money::Amount;
use pay_core::text::AccountNumber;
use serde_json::{Map, Value};

/// The stored fields of one request.
#[derive(Debug, Clone, Copy)]
pub struct Stored<'a>(&'a Map<String, Value>);

/// The error for stored `field` that cannot be read, and why.
pub fn unreadable(field: &str, why: &str) -> Error {
    Error::invalid_input(format!("journal.{field}"), why.to_owned())
}

impl<'a> Stored<'a> {
    /// The fields of `value`, which must be an object.
    pub fn of(value: &'a Value) -> Result<Self, Error> {
        value
            .as_object()
            .map(Self)
            .ok_or_else(|| unreadable("request", "not an object"))
    }

    /// The raw value of `field`, absent and `null` alike being `None`.
    pub fn get(&self, field: &str) -> Option<&'a Value> {
        self.0.get(field).filter(|v| !v.is_null())
    }

    /// The required text `field`.
    pub fn text(&self, field: &str) -> Result<String, Error> {
        self.opt_text(field)?
            .ok_or_else(|| unreadable(field, "missing"))
    }

    /// The optional text `field`.
    pub fn opt_text(&self, field: &str) -> Result<Option<String>, Error> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(unreadable(field, "not a string")),
        }
    }

    /// The required amount `field` (a decimal string).
    pub fn amount(&self, field: &str) -> Result<Amount, Error> {
        self.opt_amount(field)?
            .ok_or_else(|| unreadable(field, "missing"))
    }

    /// The optional amount `field` (a decimal string).
    pub fn opt_amount(&self, field: &str) -> Result<Option<Amount>, Error> {
        self.opt_text(field)?
            .map(|t| t.parse().map_err(|_| unreadable(field, "not an amount")))
            .transpose()
    }

    /// The required account number `field` (stored in clear).
    pub fn account(&self, field: &str) -> Result<AccountNumber, Error> {
        AccountNumber::new(self.text(field)?)
    }

    /// The optional account number `field` (stored in clear).
    pub fn opt_account(&self, field: &str) -> Result<Option<AccountNumber>, Error> {
        self.opt_text(field)?.map(AccountNumber::new).transpose()
    }

    /// The optional whole number `field`.
    pub fn opt_u32(&self, field: &str) -> Result<Option<u32>, Error> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| unreadable(field, "not a whole number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_read_with_their_checks() {
        let value =
            json!({"id": "w-1", "amount": "10.50", "n": 7, "bad": 1, "gone": null, "acct": ""});
        let s = Stored::of(&value).unwrap();
        assert_eq!(s.text("id").unwrap(), "w-1");
        assert_eq!(s.amount("amount").unwrap().to_string(), "10.50");
        assert_eq!(s.opt_u32("n").unwrap(), Some(7));
        assert_eq!(s.opt_text("gone").unwrap(), None);
        assert!(s.text("gone").is_err());
        assert!(s.text("bad").is_err());
        assert!(s.amount("id").is_err());
        assert!(s.opt_u32("id").is_err());
        assert!(s.account("acct").is_err());
        assert!(Stored::of(&json!([1])).is_err());
    }
}
