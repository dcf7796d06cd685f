//! The journal form of a withdrawal commit ([`pay_transport::journal::Journaled`]): the
//! withdrawal id and the quote terms the commit expects, the target account **in clear** (the
//! journal lives in the merchant's own database), so another instance can commit it again (same
//! id) after a crash, holding it to the same terms.

use pay_core::Error;
use pay_core::text::AccountNumber;
use pay_transport::journal::{Journaled, Stored};
use serde_json::{Value, json};

use crate::withdrawals::{CommitWithdrawal, QuoteTerms};

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
        let s = Stored::of(value)?;
        let terms = QuoteTerms {
            source_asset_issuer: s.opt_text("source_asset_issuer")?,
            source_amount: s.opt_amount("source_amount")?,
            target_amount: s.opt_amount("target_amount")?,
            target_account: s.opt_account("target_account")?,
        };
        Ok(Self::new(s.text("withdrawal_id")?).expecting(terms))
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
