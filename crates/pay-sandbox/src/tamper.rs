//! Rewrites of a payout answer for the lookup faults: the same payout with other terms
//! (`lookup_mismatch`), or another payout (`lookup_other_payout` on the scripted server), and an
//! account of the same shape (`id_reused`).

use rust_decimal::Decimal;

use crate::json::Json;

/// Amount fields a mismatch raises by 1 (Qostiq and COINQVEST answers).
const AMOUNT_KEYS: &[&str] = &[
    "payee_receive",
    "shop_write_off",
    "receive_amount",
    "write_off_amount",
    "payee_amount",
    "shop_amount",
    "sourceAmount",
    "targetAmount",
];

/// Account fields a mismatch changes.
const ACCOUNT_KEYS: &[&str] = &[
    "payee_address",
    "account",
    "address",
    "nuban",
    "iban",
    "accountNumber",
];

/// Id fields another payout has other values in.
const ID_KEYS: &[&str] = &["id", "shop_payment_id", "shop_order_id"];

/// Where an answer keeps its payout: Qostiq's envelope `data`, COINQVEST's `withdrawal`.
const PAYOUT_KEYS: &[&str] = &["data", "withdrawal"];

/// A successful lookup answer with every amount raised by 1 and every account changed; `None`
/// when the answer holds no payout (a miss, a refusal).
pub(crate) fn mismatched(body: &[u8]) -> Option<String> {
    rewrite_payout(body, |payout| {
        alter_terms(payout);
        if let Some(mut account) = payout.get("targetAccount").cloned() {
            alter_terms(&mut account);
            payout.set("targetAccount", account);
        }
    })
}

/// A successful lookup answer turned into another payout's: every id changed; `None` when the
/// answer holds no payout.
pub(crate) fn another_payout(body: &[u8]) -> Option<String> {
    rewrite_payout(body, |payout| {
        for key in ID_KEYS {
            let other = match payout.get(key) {
                Some(Json::String(text)) => Json::String(altered(text)),
                Some(Json::Number(token)) => match token.parse::<u64>() {
                    Ok(n) => Json::Number(n.wrapping_add(1).to_string()),
                    Err(_) => continue,
                },
                _ => continue,
            };
            payout.set(key, other);
        }
    })
}

fn rewrite_payout(body: &[u8], change: impl FnOnce(&mut Json)) -> Option<String> {
    let mut answer = Json::parse_object(body)?;
    let key = PAYOUT_KEYS
        .iter()
        .find(|k| matches!(answer.get(k), Some(Json::Object(_))))?;
    let mut payout = answer.get(key)?.clone();
    change(&mut payout);
    answer.set(key, payout);
    Some(answer.to_text())
}

fn alter_terms(object: &mut Json) {
    for key in AMOUNT_KEYS {
        let raised = match object.get(key) {
            Some(Json::Number(t)) => raise(t).map(Json::Number),
            Some(Json::String(t)) => raise(t).map(Json::String),
            _ => None,
        };
        if let Some(value) = raised {
            object.set(key, value);
        }
    }
    for key in ACCOUNT_KEYS {
        if let Some(Json::String(text)) = object.get(key) {
            let other = altered(text);
            object.set(key, Json::String(other));
        }
    }
}

/// `text` + 1, keeping its scale (`10.0` → `11.0`, `"142.3156600"` → `"143.3156600"`).
fn raise(text: &str) -> Option<String> {
    let value: Decimal = text.parse().ok()?;
    Some((value + Decimal::ONE).to_string())
}

/// Another value of the same shape: the last character changed (a digit to the next digit, a
/// letter to the next letter), so an account still passes the sandbox's account checks.
pub(crate) fn altered(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
            _ => 'x',
        };
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatched_answers_raise_amounts_and_change_accounts() {
        let qostiq = br#"{"data": {"id": 5, "payee_receive": 10.0, "payee_address": "TXyz9", "shop_payment_id": "w-1", "shop_write_off": "10.2"}, "error_code": 0, "message": "Ok", "result": true}"#;
        let out = mismatched(qostiq).unwrap();
        assert!(out.contains(r#""payee_receive":11.0"#), "{out}");
        assert!(out.contains(r#""shop_write_off":"11.2""#), "{out}");
        assert!(out.contains(r#""payee_address":"TXyz0""#), "{out}");
        assert!(out.contains(r#""shop_payment_id":"w-1""#), "{out}");
        let coinqvest = br#"{"withdrawal": {"id": "ab", "sourceAmount": "142.3156600", "targetAmount": "1.0000000", "targetAccount": {"nuban": "3080494548", "bankName": "FirstBank"}}}"#;
        let out = mismatched(coinqvest).unwrap();
        assert!(out.contains(r#""sourceAmount":"143.3156600""#), "{out}");
        assert!(out.contains(r#""nuban":"3080494549""#), "{out}");
        // A miss holds no payout: nothing to change.
        assert_eq!(
            mismatched(br#"{"data": null, "error_code": 7, "result": false}"#),
            None
        );
        assert_eq!(altered("abcz"), "abca");
    }

    #[test]
    fn another_payout_changes_the_ids_only() {
        let qostiq = br#"{"data": {"id": 5, "payee_receive": 10.0, "shop_payment_id": "w-1"}, "error_code": 0}"#;
        let out = another_payout(qostiq).unwrap();
        assert!(out.contains(r#""id":6"#), "{out}");
        assert!(out.contains(r#""shop_payment_id":"w-2""#), "{out}");
        assert!(out.contains(r#""payee_receive":10.0"#), "{out}");
        let coinqvest = br#"{"withdrawal": {"id": "12d72c3c8145", "sourceAmount": "1.0"}}"#;
        let out = another_payout(coinqvest).unwrap();
        assert!(out.contains(r#""id":"12d72c3c8146""#), "{out}");
        assert_eq!(another_payout(br#"{"ok": true}"#), None);
    }
}
