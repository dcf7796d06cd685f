//! The journal form of a withdrawal commit ([`pay_transport::journal::Journaled`]): the
//! withdrawal id and the quote terms the commit expects, the target account **in clear** (the
//! journal lives in the merchant's own database), so another instance can commit it again (same
//! id) after a crash, holding it to the same terms.

use pay_core::Error;
use pay_core::money::Amount;
use pay_core::text::AccountNumber;
use pay_transport::journal::Journaled;
use serde_json::{Value, json};

use crate::withdrawals::{CommitWithdrawal, QuoteTerms};

fn unreadable(field: &str, why: &str) -> Error {
    Error::invalid_input(format!("journal.{field}"), why.to_owned())
}

/// The optional text `field` of `value`.
fn text(value: &Value, field: &str) -> Result<Option<String>, Error> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(unreadable(field, "not a string")),
    }
}

fn amount(value: &Value, field: &str) -> Result<Option<Amount>, Error> {
    text(value, field)?
        .map(|t| t.parse().map_err(|_| unreadable(field, "not an amount")))
        .transpose()
}

impl Journaled for CommitWithdrawal {
    const OPERATION: &'static str = "withdrawal_commit";

    fn to_journal(&self) -> Value {
        let Self {
            withdrawal_id,
            terms,
        } = self;
        let QuoteTerms {
            source_asset_issuer,
            source_amount,
            target_amount,
            target_account,
        } = terms;
        json!({
            "withdrawal_id": withdrawal_id,
            "source_asset_issuer": source_asset_issuer,
            "source_amount": source_amount.map(|a| a.to_string()),
            "target_amount": target_amount.map(|a| a.to_string()),
            "target_account": target_account.as_ref().map(AccountNumber::expose),
        })
    }

    fn from_journal(value: &Value) -> Result<Self, Error> {
        if !value.is_object() {
            return Err(unreadable("request", "not an object"));
        }
        let withdrawal_id =
            text(value, "withdrawal_id")?.ok_or_else(|| unreadable("withdrawal_id", "missing"))?;
        let terms = QuoteTerms {
            source_asset_issuer: text(value, "source_asset_issuer")?,
            source_amount: amount(value, "source_amount")?,
            target_amount: amount(value, "target_amount")?,
            target_account: text(value, "target_account")?
                .map(AccountNumber::new)
                .transpose()?,
        };
        Ok(Self::new(withdrawal_id).expecting(terms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_round_trip_with_their_terms() {
        let terms = QuoteTerms {
            source_asset_issuer: Some("USD:GDUKMGUGDZQK".into()),
            source_amount: Some("100.5".parse().unwrap()),
            target_amount: Some("150000".parse().unwrap()),
            target_account: Some(AccountNumber::new("3080494548").unwrap()),
        };
        for commit in [
            CommitWithdrawal::new("w-1"),
            CommitWithdrawal::new("w-2").expecting(terms),
        ] {
            let stored = commit.to_journal();
            let back = CommitWithdrawal::from_journal(&stored).unwrap();
            assert_eq!(back, commit);
        }
        for bad in [
            json!({}),
            json!({"withdrawal_id": 7}),
            json!({"withdrawal_id": "w", "source_amount": "ten"}),
            json!({"withdrawal_id": "w", "target_account": ""}),
        ] {
            assert!(CommitWithdrawal::from_journal(&bad).is_err(), "{bad}");
        }
    }
}
