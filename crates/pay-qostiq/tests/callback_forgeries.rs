//! Every forgery of every genuine callback vector (`pay_signing::qostiq::forgery`: renamed keys,
//! moved values, colon shifts, merges, splits, re-encoded values; each keeps the signed string, so
//! the signature verifies) through `verify_and_parse`: refused, or read as a typed callback with the
//! same kind, ids, status, shop, reference, amounts, currencies and payee address as the genuine one.
#![allow(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used)] // test code

use std::collections::BTreeMap;

use pay_core::error::{Error, SignatureError};
use pay_core::money::Amount;
use pay_core::secret::Secret;
use pay_core::text::AccountNumber;
use pay_qostiq::callbacks::{Callback, CallbackVerifier, verify_and_parse};
use pay_qostiq::{CallbackStatus, ShopId};
use pay_signing::qostiq::forgery::{ForgeryClass, each_forgery};

const SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";
const CUSTOM: [&str; 2] = ["test_add_on", "email"];

/// What money depends on in a typed callback.
#[derive(Debug, PartialEq, Eq)]
struct MoneyView {
    kind: &'static str,
    payment_id: u64,
    status: CallbackStatus,
    reference: String,
    shop_id: Option<ShopId>,
    amounts: Vec<Option<Amount>>,
    currencies: Vec<Option<String>>,
    address: Option<AccountNumber>,
}

fn money_view(callback: &Callback) -> MoneyView {
    match callback {
        Callback::Withdraw(c) => MoneyView {
            kind: "withdraw",
            payment_id: c.payment_id,
            status: c.status.clone(),
            reference: c.shop_payment_id.clone(),
            shop_id: Some(c.shop_id),
            amounts: vec![Some(c.shop_write_off), Some(c.payee_receive)],
            currencies: vec![
                Some(c.shop_currency.to_string()),
                Some(c.ps_currency.to_string()),
            ],
            address: None,
        },
        Callback::CryptoWithdraw(c) => MoneyView {
            kind: "crypto_withdraw",
            payment_id: c.payment_id,
            status: c.status.clone(),
            reference: c.shop_order_id.clone(),
            shop_id: Some(c.shop_id),
            amounts: vec![Some(c.shop_write_off), Some(c.payee_receive)],
            currencies: vec![
                Some(c.shop_currency.to_string()),
                Some(c.ps_currency.to_string()),
            ],
            address: c.address.clone(),
        },
        Callback::Payment(c) => MoneyView {
            kind: "payment",
            payment_id: c.payment_id,
            status: c.status.clone(),
            reference: c.shop_order_id.clone(),
            shop_id: c.shop_id,
            amounts: vec![Some(c.shop_amount), c.shop_refund, c.client_price],
            currencies: vec![
                Some(c.shop_currency.to_string()),
                c.ps_currency.map(|p| p.to_string()),
            ],
            address: None,
        },
        other => panic!("unexpected callback {other:?}"),
    }
}

#[test]
fn every_forgery_is_refused_or_reads_the_same_money() {
    let verifier = CallbackVerifier::new(Secret::new(SECRET).unwrap())
        .custom_fields(CUSTOM)
        .unwrap();
    let mut counts: BTreeMap<ForgeryClass, (usize, usize, usize)> = BTreeMap::new();
    let mut harmful = Vec::new();
    for body in pay_testdata::genuine_qostiq_callbacks(SECRET) {
        let expected = money_view(&verify_and_parse(&verifier, body.as_bytes()).unwrap());
        each_forgery(body.as_bytes(), &CUSTOM, |class, forged| {
            let entry = counts.entry(class).or_default();
            entry.0 += 1;
            match verify_and_parse(&verifier, forged.as_bytes()) {
                Err(Error::Signature(
                    e @ (SignatureError::Mismatch
                    | SignatureError::Missing
                    | SignatureError::Malformed { .. }),
                )) => panic!("{class} broke the signature ({e}): {forged}"),
                Err(_) => entry.1 += 1,
                Ok(callback) if money_view(&callback) == expected => entry.2 += 1,
                Ok(callback) => harmful.push(format!(
                    "{class}: {forged}\n  read {:?}\n  genuine {expected:?}",
                    money_view(&callback)
                )),
            }
        })
        .unwrap();
    }
    println!("typed readers (generated / refused / harmless): {counts:?}");
    assert!(
        harmful.is_empty(),
        "{} forgeries read with other money:\n{}",
        harmful.len(),
        harmful.join("\n")
    );
    assert!(counts.values().map(|c| c.0).sum::<usize>() > 5_000);
}
