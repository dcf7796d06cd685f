//! Bad input: every required request field missing or malformed is refused before signing with
//! `Error::InvalidInput` naming the field; every required response field missing or malformed gives
//! `Error::Undecodable` naming `data.<field>`; every required callback field gives
//! `Error::InvalidInput` naming it. Proptests: no response body and no callback body panics.
#![allow(clippy::panic, clippy::unwrap_used)] // test code: a failure is a failed test

use bytes::Bytes;
use pay_core::endpoint::Endpoint;
use pay_core::error::{Error, SignatureError};
use pay_core::money::{Amount, Precision};
use pay_core::secret::Secret;
use pay_qostiq::bills::{CreateBill, CreateBillV2, GetBill};
use pay_qostiq::callbacks::{CallbackVerifier, verify_and_parse};
use pay_qostiq::crypto::{
    CreateCryptoWithdraw, GetCryptoBalance, GetCryptoWithdraw, GetCryptoWithdrawByShopPaymentId,
    TryCryptoWithdraw,
};
use pay_qostiq::invoices::{CreateInvoice, TryInvoice};
use pay_qostiq::pay_form::PayForm;
use pay_qostiq::shop::{GetInputConfig, GetOutputConfig, GetShopBalance, RegisterAccount};
use pay_qostiq::transfers::{CreateTransfer, GetTransfer, TransferAmountType, TryTransfer};
use pay_qostiq::withdrawals::{
    CheckAccount, CreateWithdraw, GetWithdraw, GetWithdrawByShopPaymentId, TryWithdraw,
    WithdrawAmountType,
};
use pay_qostiq::{AccountDetails, CryptoAsset, Currency, Payway, QostiqRequest, ShopId};
use proptest::prelude::*;

mod support;

use support::{amount, context};

fn card() -> Payway {
    Payway::new("card_uah").unwrap()
}

/// Asserts that `error` is `InvalidInput` naming `field`.
#[track_caller]
fn names(result: Result<impl std::fmt::Debug, Error>, field: &str) {
    match result {
        Err(Error::InvalidInput { field: f, reason }) => {
            assert_eq!(f, field, "reason: {reason}");
            assert!(!reason.is_empty());
        }
        other => panic!("expected InvalidInput naming `{field}`, got {other:?}"),
    }
}

fn refuses<E: QostiqRequest>(request: &E, field: &str) {
    names(request.signed_body(&context()), field);
    // build_request refuses the same way (nothing is built).
    names(request.build_request(&context()), field);
}

/// Asserts that `ok` changed by `change` is refused naming `field`.
#[track_caller]
fn refused_after<E: QostiqRequest + Clone>(ok: &E, field: &str, change: impl FnOnce(&mut E)) {
    let mut request = ok.clone();
    change(&mut request);
    refuses(&request, field);
}

/// Asserts that `ok` with each of [`BAD_FIAT`] put in by `set` is refused naming `field`.
#[track_caller]
fn refuses_bad_fiat<E: QostiqRequest + Clone>(ok: &E, field: &str, set: impl Fn(&mut E, Amount)) {
    for bad in BAD_FIAT {
        refused_after(ok, field, |r| set(r, amount(bad)));
    }
}

/// `10.000` has no more *value* than `10.00`, but it is sent and signed as written, and the seeds
/// allow "no more than 2 characters after the dot".
const BAD_FIAT: [&str; 5] = ["1.001", "10.000", "0", "0.00", "-5"];

/// The seeds' amount column (000, 001): "Number (no more than 2 characters after the dot) | 1, 1.0,
/// 1.00 or \"1.00\"": those pass and are sent as written; a third place, even a zero, is refused
/// before anything is signed (before, `10.000` passed and was sent as `"10.000"`).
#[test]
fn fiat_amounts_are_checked_as_written() {
    for good in ["1", "1.0", "1.00", "23.15"] {
        let request = CreateWithdraw::new(
            "4111111111111111",
            amount(good),
            WithdrawAmountType::PsAmount,
            Payway::new("card_uah").unwrap(),
            Currency::Uah,
            "w-1",
        );
        let signed = request.signed_body(&context()).unwrap();
        assert!(
            String::from_utf8_lossy(&signed.body).contains(&format!(r#""amount":"{good}""#)),
            "{good}"
        );
    }
    for bad in ["10.000", "1.100", "0.010"] {
        let request = CreateWithdraw::new(
            "4111111111111111",
            amount(bad),
            WithdrawAmountType::PsAmount,
            Payway::new("card_uah").unwrap(),
            Currency::Uah,
            "w-1",
        );
        refuses(&request, "amount");
        refuses(
            &CreateBill::new(amount(bad), Currency::Uah, Currency::Uah, "o-1"),
            "shop_amount",
        );
    }
}

#[test]
fn bills_name_the_field() {
    let ok = CreateBill::new(amount("1"), Currency::Uah, Currency::Uah, "o-1");
    assert!(ok.signed_body(&context()).is_ok());
    refuses_bad_fiat(&ok, "shop_amount", |r, a| r.shop_amount = a);
    refused_after(&ok, "shop_currency", |r| {
        r.shop_currency = Currency::Other(0)
    });
    refused_after(&ok, "payer_currency", |r| {
        r.payer_currency = Currency::Other(1000)
    });
    for bad in ["", "   ", "a\nb"] {
        refused_after(&ok, "shop_order_id", |r| r.shop_order_id = bad.into());
    }
    refused_after(&ok, "payer_account", |r| {
        r.payer_account = Some(String::new().into())
    });
    refused_after(&ok, "description", |r| {
        r.description = Some("x".repeat(256))
    });
    refused_after(&ok, "lifetime", |r| r.lifetime_minutes = Some(0));
    for (field, url) in [
        ("success_url", "ftp://x"),
        ("failed_url", "shop.example/fail"),
        ("callback_url", "https://"),
        ("callback_rejected_url", "https://a b"),
    ] {
        let mut r = ok.clone();
        match field {
            "success_url" => r.urls.success_url = Some(url.into()),
            "failed_url" => r.urls.failed_url = Some(url.into()),
            "callback_url" => r.urls.callback_url = Some(url.into()),
            _ => r.urls.callback_rejected_url = Some(url.into()),
        }
        refuses(&r, field);
    }

    let ok = CreateBillV2::new(Currency::Usd, "o-1");
    assert!(ok.signed_body(&context()).is_ok());
    refused_after(&ok, "currency", |r| r.currency = Currency::Other(0));
    refused_after(&ok, "shop_order_id", |r| r.shop_order_id = String::new());
    refuses_bad_fiat(&ok, "amount", |r, a| r.amount = Some(a));
    for bad in ["", "no-at-sign", "@x", "a b@c"] {
        refused_after(&ok, "email", |r| r.email = Some(bad.into()));
    }
    refuses(&GetBill::new(""), "shop_order_id");
}

#[test]
fn transfers_name_the_field() {
    let ok = TryTransfer::new(
        amount("1"),
        TransferAmountType::ReceiveAmount,
        Currency::Eur,
        Currency::Usd,
    );
    assert!(ok.signed_body(&context()).is_ok());
    refuses_bad_fiat(&ok, "amount", |r, a| r.amount = a);
    refused_after(&ok, "payee_currency", |r| {
        r.payee_currency = Currency::Other(0)
    });
    refused_after(&ok, "shop_currency", |r| {
        r.shop_currency = Currency::Other(0)
    });

    let ok = CreateTransfer::new(
        amount("1"),
        TransferAmountType::WriteoffAmount,
        "201497141132",
        Currency::Uah,
        Currency::Uah,
        "p-1",
    );
    assert!(ok.signed_body(&context()).is_ok());
    refuses_bad_fiat(&ok, "amount", |r, a| r.amount = a);
    refused_after(&ok, "payee_account", |r| {
        r.payee_account = String::new().into()
    });
    refused_after(&ok, "payee_currency", |r| {
        r.payee_currency = Currency::Other(0)
    });
    refused_after(&ok, "shop_currency", |r| {
        r.shop_currency = Currency::Other(4000)
    });
    refused_after(&ok, "shop_payment_id", |r| r.shop_payment_id = " ".into());
    refuses(&GetTransfer::new(""), "shop_payment_id");
}

#[test]
fn withdrawals_name_the_field() {
    let ok = TryWithdraw::new(
        amount("1"),
        WithdrawAmountType::PsAmount,
        card(),
        Currency::Uah,
    );
    assert!(ok.signed_body(&context()).is_ok());
    refuses_bad_fiat(&ok, "amount", |r, a| r.amount = a);
    refused_after(&ok, "shop_currency", |r| {
        r.shop_currency = Currency::Other(0)
    });
    for bad in ["", "card uah", "карта"] {
        names(Payway::new(bad), "payway");
    }

    let ok = CheckAccount::new("4111111111111111", amount("1"), card());
    assert!(ok.signed_body(&context()).is_ok());
    refused_after(&ok, "account", |r| r.account = String::new().into());
    refuses_bad_fiat(&ok, "amount", |r, a| r.amount = a);

    let ok = CreateWithdraw::new(
        "4111111111111111",
        amount("1"),
        WithdrawAmountType::ShopAmount,
        card(),
        Currency::Uah,
        "p-1",
    );
    assert!(ok.signed_body(&context()).is_ok());
    refused_after(&ok, "account", |r| r.account = String::new().into());
    refuses_bad_fiat(&ok, "amount", |r, a| r.amount = a);
    refused_after(&ok, "shop_currency", |r| {
        r.shop_currency = Currency::Other(0)
    });
    refused_after(&ok, "shop_payment_id", |r| {
        r.shop_payment_id = String::new()
    });
    refused_after(&ok, "email", |r| r.email = Some("nope".into()));
    refused_after(&ok, "callback_url", |r| {
        r.callback_url = Some("javascript:alert(1)".into())
    });
    refused_after(&ok, "description", |r| {
        r.description = Some("a\u{0}b".into())
    });
    names(
        AccountDetails::new().with("a", "1").unwrap().with("a", "2"),
        "account_details",
    );
    names(AccountDetails::new().with("", "1"), "account_details");

    refuses(&GetWithdraw::new(0), "withdraw_id");
    refuses(&GetWithdrawByShopPaymentId::new(""), "shop_payment_id");
}

#[test]
fn crypto_names_the_field() {
    let usdt = CryptoAsset::new("USDT").unwrap();
    let trc20 = Payway::new("usdt_trc20").unwrap();
    let ok = TryCryptoWithdraw::new(
        amount("1.000001"),
        WithdrawAmountType::PsAmount,
        trc20.clone(),
        usdt.clone(),
    );
    assert!(ok.signed_body(&context()).is_ok());
    for bad in ["1.0000001", "0", "-1"] {
        refused_after(&ok, "amount", |r| r.amount = amount(bad));
    }
    // Trailing zeros beyond the precision are refused too: the amount is sent and signed as
    // written, and the server keeps the payway's precision (PROTOCOL.md "Amount precision").
    refused_after(&ok, "amount", |r| r.amount = amount("1.000001000"));
    let mut r = ok.clone();
    r.amount = amount("1.000001").normalized();
    assert!(r.signed_body(&context()).is_ok());
    // An alias outside the precision table needs an explicit precision.
    refused_after(&ok, "payway", |r| {
        r.payway = Payway::new("ton_ton").unwrap()
    });
    let mut r = ok.clone();
    r.payway = Payway::new("ton_ton")
        .unwrap()
        .with_precision(Precision::crypto(9));
    assert!(r.signed_body(&context()).is_ok());
    names(CryptoAsset::new(""), "currency");

    let ok = CreateCryptoWithdraw::new(
        "TXYZ",
        amount("1"),
        WithdrawAmountType::PsAmount,
        trc20,
        usdt,
        "w-1",
    );
    assert!(ok.signed_body(&context()).is_ok());
    refused_after(&ok, "account", |r| r.account = String::new().into());
    refused_after(&ok, "amount", |r| r.amount = amount("0.0000001"));
    refused_after(&ok, "shop_payment_id", |r| {
        r.shop_payment_id = String::new()
    });
    refused_after(&ok, "crypto_callback_url", |r| {
        r.crypto_callback_url = Some("nope".into())
    });
    refused_after(&ok, "account_details", |r| {
        r.account_details = Some(
            AccountDetails::new()
                .with("comment", "x".repeat(256))
                .unwrap(),
        )
    });
    refuses(&GetCryptoWithdraw::new(0), "withdraw_id");
    refuses(
        &GetCryptoWithdrawByShopPaymentId::new(""),
        "shop_payment_id",
    );
}

#[test]
fn shop_invoices_and_form_name_the_field() {
    for bad in ["", "nope", "a@"] {
        refuses(&RegisterAccount::new(bad), "email");
    }
    names(ShopId::new(0), "shop_id");
    names(Secret::new(""), "secret");

    let ok = CreateInvoice::new(amount("1"), Currency::Uah, card(), "o-1");
    assert!(ok.signed_body(&context()).is_ok());
    refuses_bad_fiat(&ok, "amount", |r, a| r.invoice.amount = a);
    refused_after(&ok, "currency", |r| r.invoice.currency = Currency::Other(0));
    refused_after(&ok, "shop_order_id", |r| {
        r.invoice.shop_order_id = String::new()
    });
    refused_after(&ok, "success_url", |r| {
        r.invoice.success_url = Some("x".into())
    });
    let mut r = TryInvoice::new(amount("1"), Currency::Uah, card(), "o-1");
    r.invoice.amount = amount("1.001");
    refuses(&r, "amount");

    let ok = PayForm::new(amount("10.00"), Currency::Uah, "101");
    assert!(ok.sign(&context()).is_ok());
    for bad in BAD_FIAT {
        let mut r = ok.clone();
        r.amount = amount(bad);
        names(r.sign(&context()), "amount");
    }
    let mut r = ok.clone();
    r.currency = Currency::Other(0);
    names(r.sign(&context()), "currency");
    let mut r = ok.clone();
    r.shop_order_id = String::new();
    names(r.sign(&context()), "shop_order_id");
    let mut r = ok.clone();
    r.callback_url = Some("x".into());
    names(r.sign(&context()), "callback_url");
    let mut r = ok.clone();
    r.payway = Some("bad payway".into());
    names(r.sign(&context()), "payway");
}

// ---------------------------------------------------------------- responses

fn envelope(data: &str) -> Bytes {
    Bytes::from(format!(
        r#"{{"data": {data}, "error_code": 0, "message": "Ok", "result": true}}"#
    ))
}

fn object(members: &[(&str, &str)]) -> String {
    let inner: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// For a valid `data` object, removing each of its fields (and replacing it with `null` or a
/// malformed value) gives `Undecodable` naming `data.<field>`.
fn required_fields<E: Endpoint<Output: std::fmt::Debug>>(endpoint: &E, members: &[(&str, &str)]) {
    required_fields_except(endpoint, members, &[]);
}

/// [`required_fields`] for every field but the `optional` ones.
fn required_fields_except<E: Endpoint<Output: std::fmt::Debug>>(
    endpoint: &E,
    members: &[(&str, &str)],
    optional: &[&str],
) {
    let ok = http::Response::new(envelope(&object(members)));
    assert!(endpoint.parse_response(&ok).is_ok(), "{}", object(members));
    let required: Vec<&str> = members
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !optional.contains(k))
        .collect();
    for field in &required {
        let without: Vec<_> = members
            .iter()
            .filter(|(k, _)| k != field)
            .copied()
            .collect();
        let nulled: Vec<_> = members
            .iter()
            .map(|(k, v)| if k == field { (*k, "null") } else { (*k, *v) })
            .collect();
        let malformed: Vec<_> = members
            .iter()
            .map(|(k, v)| if k == field { (*k, "[true]") } else { (*k, *v) })
            .collect();
        for (what, data) in [
            ("missing", without),
            ("null", nulled),
            ("malformed", malformed),
        ] {
            let response = http::Response::new(envelope(&object(&data)));
            match endpoint.parse_response(&response) {
                Err(Error::Undecodable { reason, body, .. }) => {
                    assert!(
                        reason.starts_with(&format!("data.{field}: "))
                            || reason.starts_with(&format!("data.{field}[")),
                        "{field} {what}: {reason}"
                    );
                    assert_eq!(body, *response.body());
                }
                other => panic!("{field} {what}: expected Undecodable, got {other:?}"),
            }
        }
    }
}

#[test]
fn responses_name_the_missing_field() {
    let withdraw = [
        ("id", "11298076"),
        ("payee_receive", "1"),
        ("ps_currency", "980"),
        ("shop_currency", "980"),
        ("shop_payment_id", "\"a\""),
        ("shop_write_off", "1.02"),
        ("status", "5"),
    ];
    required_fields(&GetWithdraw::new(1), &withdraw);
    required_fields(&GetWithdrawByShopPaymentId::new("a"), &withdraw);
    required_fields(
        &CreateWithdraw::new(
            "a",
            amount("1"),
            WithdrawAmountType::PsAmount,
            card(),
            Currency::Uah,
            "a",
        ),
        &withdraw,
    );
    let crypto = [
        ("id", "15"),
        ("payee_currency", "\"USDT\""),
        ("payee_receive", "\"0.0001\""),
        ("shop_currency", "\"USDT\""),
        ("shop_payment_id", "\"w\""),
        ("shop_write_off", "\"0.000103\""),
        ("status", "2"),
    ];
    required_fields(&GetCryptoWithdraw::new(15), &crypto);
    required_fields(&GetCryptoWithdrawByShopPaymentId::new("w"), &crypto);
    required_fields(
        &TryCryptoWithdraw::new(
            amount("1"),
            WithdrawAmountType::PsAmount,
            Payway::new("usdt_trc20").unwrap(),
            CryptoAsset::new("USDT").unwrap(),
        ),
        &[
            ("payee_currency", "\"USDT\""),
            ("payee_receive", "\"1\""),
            ("shop_currency", "\"USDT\""),
            ("shop_write_off", "\"1.03\""),
        ],
    );
    // `shop_amount` is null for an unpaid free-amount bill (seed 000): optional.
    required_fields_except(
        &GetBill::new("o"),
        &[
            ("payment_id", "852095"),
            ("shop_amount", "1.1"),
            ("shop_currency", "980"),
            ("shop_id", "1092"),
            ("shop_order_id", "\"o\""),
            ("status", "2"),
        ],
        &["shop_amount"],
    );
    let bill = [
        ("created", "\"Wed, 06 Dec 2017 14:30:44 GMT\""),
        ("id", "25"),
        ("shop_currency", "980"),
        ("shop_id", "3"),
        ("shop_order_id", "4239"),
        ("url", "\"https://wallet.example/x\""),
    ];
    required_fields(
        &CreateBill::new(amount("1"), Currency::Uah, Currency::Uah, "o"),
        &bill,
    );
    required_fields(&CreateBillV2::new(Currency::Uah, "o"), &bill);
    required_fields(
        &TryTransfer::new(
            amount("1"),
            TransferAmountType::ReceiveAmount,
            Currency::Eur,
            Currency::Usd,
        ),
        &[
            ("payee_amount", "1.11"),
            ("payee_currency", "978"),
            ("shop_currency", "840"),
            ("write_off_amount", "1.19"),
        ],
    );
    required_fields(
        &CreateTransfer::new(
            amount("1"),
            TransferAmountType::ReceiveAmount,
            "a",
            Currency::Uah,
            Currency::Uah,
            "p",
        ),
        &[
            ("id", "3"),
            ("payee_amount", "10"),
            ("payee_currency", "980"),
            ("shop_currency", "980"),
            ("write_off_amount", "10"),
        ],
    );
    required_fields(
        &GetTransfer::new("p"),
        &[
            ("id", "3"),
            ("payee_currency", "980"),
            ("receive_amount", "1"),
            ("shop_currency", "980"),
            ("shop_payment_id", "\"p\""),
            ("write_off_amount", "1"),
        ],
    );
    required_fields(
        &TryWithdraw::new(
            amount("1"),
            WithdrawAmountType::PsAmount,
            card(),
            Currency::Uah,
        ),
        &[
            ("payee_receive", "1"),
            ("ps_currency", "980"),
            ("shop_currency", "980"),
            ("shop_write_off", "1.01"),
        ],
    );
    required_fields(
        &CheckAccount::new("a", amount("1"), card()),
        &[("provider_status", "1")],
    );
    required_fields(
        &RegisterAccount::new("a@b.c"),
        &[("account_number", "\"201499789419\"")],
    );
    required_fields(&GetShopBalance::new(), &[("balances", "[]")]);
    required_fields(&GetCryptoBalance::new(), &[("balances", "[]")]);
    required_fields(
        &CreateInvoice::new(amount("1"), Currency::Uah, card(), "o"),
        &[("method", "\"POST\""), ("url", "\"https://acs.example\"")],
    );
}

#[test]
fn nested_response_fields_are_named_with_their_path() {
    let response = http::Response::new(envelope(
        r#"{"balances": [{"available": 1, "currency": 980, "hold": 0, "frozen": 0}, {"available": "x", "currency": 980, "hold": 0, "frozen": 0}]}"#,
    ));
    let Err(Error::Undecodable { reason, .. }) = GetShopBalance::new().parse_response(&response)
    else {
        panic!()
    };
    assert_eq!(reason, "data.balances[1].available: not a decimal number");
    let response = http::Response::new(envelope(
        r#"[{"id": 1, "name": "x", "payways": [{"alias": "a"}]}]"#,
    ));
    let Err(Error::Undecodable { reason, .. }) = GetInputConfig::new().parse_response(&response)
    else {
        panic!()
    };
    assert_eq!(reason, "data[0].payways[0].currency: missing");
    let response = http::Response::new(envelope(r#"{"id": 1}"#));
    let Err(Error::Undecodable { reason, .. }) = GetOutputConfig::new().parse_response(&response)
    else {
        panic!()
    };
    assert_eq!(reason, "data: invalid type: map, expected a sequence");
}

#[test]
fn ids_that_come_back_in_callbacks_refuse_a_colon() {
    // The callback verifier refuses a `:` in `shop_payment_id` / `shop_order_id` (it could be
    // moved to a neighbouring value with the signature intact): refused before anything is sent.
    let id = "order:17";
    refuses(
        &CreateBill::new(amount("1"), Currency::Uah, Currency::Uah, id),
        "shop_order_id",
    );
    refuses(&CreateBillV2::new(Currency::Usd, id), "shop_order_id");
    refuses(
        &CreateInvoice::new(amount("1"), Currency::Uah, card(), id),
        "shop_order_id",
    );
    refuses(
        &TryInvoice::new(amount("1"), Currency::Uah, card(), id),
        "shop_order_id",
    );
    names(
        PayForm::new(amount("10.00"), Currency::Uah, id).sign(&context()),
        "shop_order_id",
    );
    refuses(
        &CreateWithdraw::new(
            "4111111111111111",
            amount("1"),
            WithdrawAmountType::ShopAmount,
            card(),
            Currency::Uah,
            id,
        ),
        "shop_payment_id",
    );
    let trc20 = Payway::new("usdt_trc20").unwrap();
    refuses(
        &CreateCryptoWithdraw::new(
            "TXYZ",
            amount("1"),
            WithdrawAmountType::PsAmount,
            trc20,
            CryptoAsset::new("USDT").unwrap(),
            id,
        ),
        "shop_payment_id",
    );
    // Lookups of existing ids still work.
    assert!(GetBill::new(id).signed_body(&context()).is_ok());
    // Descriptions that come back in callbacks: the same.
    let mut bill = CreateBill::new(amount("1"), Currency::Uah, Currency::Uah, "o-1");
    bill.description = Some("order: 17".into());
    refuses(&bill, "description");
    let mut invoice = CreateInvoice::new(amount("1"), Currency::Uah, card(), "o-1");
    invoice.invoice.description = Some("order: 17".into());
    refuses(&invoice, "description");
}

// ---------------------------------------------------------------- callbacks

const SECRET: &str = "d3b07384d113edec49eaa6238ad5ff00";

fn callback_names(members: &[(&str, &str)], required: &[&str]) {
    let secret = Secret::new(SECRET).unwrap();
    let verifier = CallbackVerifier::new(secret.clone());
    let sign = |data: &[(&str, &str)]| {
        pay_signing::qostiq::sign_callback(&secret, object(data).as_bytes()).unwrap()
    };
    assert!(verify_and_parse(&verifier, sign(members).as_bytes()).is_ok());
    for field in required {
        let without: Vec<_> = members
            .iter()
            .filter(|(k, _)| k != field)
            .copied()
            .collect();
        let malformed: Vec<_> = members
            .iter()
            .map(|(k, v)| {
                if k == field {
                    (*k, "{\"x\": 1}")
                } else {
                    (*k, *v)
                }
            })
            .collect();
        for data in [without, malformed] {
            refused_naming(verify_and_parse(&verifier, sign(&data).as_bytes()), field);
        }
    }
}

#[test]
fn callbacks_name_the_missing_field() {
    callback_names(
        &[
            ("callback_type", "\"withdraw\""),
            ("payee_receive", "10.5"),
            ("payment_id", "64045"),
            ("ps_currency", "840"),
            ("shop_currency", "840"),
            ("shop_id", "1"),
            ("shop_payment_id", "\"12345678\""),
            ("shop_write_off", "11.5"),
            ("status", "\"success\""),
        ],
        &[
            "payee_receive",
            "payment_id",
            "ps_currency",
            "shop_currency",
            "shop_id",
            "shop_payment_id",
            "shop_write_off",
            "status",
        ],
    );
    callback_names(
        &[
            ("address", "\"0xf8227AA7aF9B5166AF69581C703A4398387B2B07\""),
            ("callback_type", "\"crypto_withdraw\""),
            ("payee_receive", "\"0.0001\""),
            ("payment_id", "58"),
            ("ps_currency", "\"BNB\""),
            ("shop_currency", "\"BNB\""),
            ("shop_id", "6"),
            ("shop_order_id", "\"w\""),
            ("shop_write_off", "\"0.000103\""),
            ("status", "\"success\""),
        ],
        &[
            "address",
            "payee_receive",
            "payment_id",
            "ps_currency",
            "shop_currency",
            "shop_id",
            "shop_order_id",
            "shop_write_off",
            "status",
        ],
    );
    callback_names(
        &[
            ("status", "\"success\""),
            ("payment_id", "71111543"),
            ("shop_order_id", "\"979\""),
            ("shop_amount", "6.0"),
            ("shop_currency", "980"),
        ],
        &[
            "status",
            "payment_id",
            "shop_order_id",
            "shop_amount",
            "shop_currency",
        ],
    );
    // A verified body of the wrong kind is refused naming `callback_type`.
    let secret = Secret::new(SECRET).unwrap();
    let body = pay_signing::qostiq::sign_callback(&secret, br#"{"callback_type": 5}"#).unwrap();
    refused_naming(
        verify_and_parse(&CallbackVerifier::new(secret), body.as_bytes()),
        "callback_type",
    );
}

/// A callback refused by its key binding, the error naming `field`.
fn refused_naming(result: Result<impl std::fmt::Debug, Error>, field: &str) {
    match result {
        Err(Error::Signature(
            SignatureError::MissingKey { key, .. } | SignatureError::Ambiguous { key, .. },
        )) => assert_eq!(key, field),
        Err(Error::Signature(SignatureError::WrongShape { key, .. })) => assert_eq!(key, field),
        Err(Error::Signature(SignatureError::UnknownCallbackType { value })) => {
            assert_eq!(field, "callback_type", "unknown type {value}");
        }
        other => panic!("expected a binding error naming `{field}`, got {other:?}"),
    }
}

// ---------------------------------------------------------------- no panics

/// JSON-ish values: the shapes the server sends, and the ones it should not.
fn json_value() -> impl Strategy<Value = String> {
    let literals = vec!["null", "true", "false", "1e999999", "-0", "\"\""];
    // Each literal as likely as each generated form.
    let weight = u32::try_from(literals.len()).unwrap();
    let leaf = prop_oneof![
        weight => prop::sample::select(literals).prop_map(str::to_owned),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?",
        1 => "\"-?[0-9]{0,30}(\\.[0-9]{0,30})?\"",
        1 => "\"[a-zA-Z0-9 :,.-]{0,30}\"",
        1 => "\"\\\\u[0-9a-fA-F]{4}\"",
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((field_name(), inner), 0..6).prop_map(|members| {
                let inner: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("\"{k}\": {v}"))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }),
        ]
    })
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "status",
            "amount",
            "shop_amount",
            "payee_receive",
            "shop_write_off",
            "ps_currency",
            "shop_currency",
            "payee_currency",
            "currency",
            "shop_id",
            "shop_payment_id",
            "shop_order_id",
            "payment_id",
            "created",
            "processed",
            "lifetime",
            "balances",
            "available",
            "frozen",
            "hold",
            "rolling_reserve",
            "account_info_config",
            "payways",
            "fee_config",
            "method",
            "url",
            "data",
            "callback_type",
            "ps_data",
            "is_unique",
            "provider_status",
            "label",
            "regex",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,12}",
    ]
}

fn data_object() -> impl Strategy<Value = String> {
    prop::collection::vec((field_name(), json_value()), 0..14).prop_map(|members| {
        let inner: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        format!("{{{}}}", inner.join(", "))
    })
}

fn parse_all(status: u16, body: &[u8]) {
    let Ok(response) = http::Response::builder()
        .status(status)
        .body(Bytes::copy_from_slice(body))
    else {
        return;
    };
    let card = Payway::new("card_uah").unwrap();
    let trc20 = Payway::new("usdt_trc20").unwrap();
    let usdt = CryptoAsset::new("USDT").unwrap();
    let one = amount("1");
    let _ = CreateBill::new(one, Currency::Uah, Currency::Uah, "o").parse_response(&response);
    let _ = CreateBillV2::new(Currency::Uah, "o").parse_response(&response);
    let _ = GetBill::new("o").parse_response(&response);
    let _ = TryTransfer::new(
        one,
        TransferAmountType::ReceiveAmount,
        Currency::Uah,
        Currency::Uah,
    )
    .parse_response(&response);
    let _ = CreateTransfer::new(
        one,
        TransferAmountType::ReceiveAmount,
        "a",
        Currency::Uah,
        Currency::Uah,
        "p",
    )
    .parse_response(&response);
    let _ = GetTransfer::new("p").parse_response(&response);
    let _ = TryWithdraw::new(
        one,
        WithdrawAmountType::PsAmount,
        card.clone(),
        Currency::Uah,
    )
    .parse_response(&response);
    let _ = CheckAccount::new("a", one, card.clone()).parse_response(&response);
    let _ = CreateWithdraw::new(
        "a",
        one,
        WithdrawAmountType::PsAmount,
        card.clone(),
        Currency::Uah,
        "p",
    )
    .parse_response(&response);
    let _ = GetWithdraw::new(1).parse_response(&response);
    let _ = GetWithdrawByShopPaymentId::new("p").parse_response(&response);
    let _ = TryCryptoWithdraw::new(
        one,
        WithdrawAmountType::PsAmount,
        trc20.clone(),
        usdt.clone(),
    )
    .parse_response(&response);
    let _ = CreateCryptoWithdraw::new("a", one, WithdrawAmountType::PsAmount, trc20, usdt, "p")
        .parse_response(&response);
    let _ = GetCryptoWithdraw::new(1).parse_response(&response);
    let _ = GetCryptoWithdrawByShopPaymentId::new("p").parse_response(&response);
    let _ = GetCryptoBalance::new().parse_response(&response);
    let _ = RegisterAccount::new("a@b.c").parse_response(&response);
    let _ = GetShopBalance::new().parse_response(&response);
    let _ = GetInputConfig::new().parse_response(&response);
    let _ = GetOutputConfig::new().parse_response(&response);
    let _ = TryInvoice::new(one, Currency::Uah, card.clone(), "o").parse_response(&response);
    if let Ok(form) = CreateInvoice::new(one, Currency::Uah, card, "o")
        .parse_response(&response)
        .and_then(|redirect| redirect.to_form())
    {
        let _ = form.to_html();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_a_parser(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_all(status, &body);
    }

    #[test]
    fn envelope_shaped_bodies_never_panic_a_parser(
        status in prop::sample::select(vec![200u16, 400, 404, 500, 502]),
        result in json_value(),
        code in json_value(),
        data in prop_oneof![data_object(), json_value(), data_object().prop_map(|o| format!("[{o}, {o}]"))],
    ) {
        let body = format!(r#"{{"result": {result}, "error_code": {code}, "message": "m", "data": {data}}}"#);
        parse_all(status, body.as_bytes());
        let body = format!(r#"{{"result": true, "error_code": 0, "message": "Ok", "data": {data}}}"#);
        parse_all(status, body.as_bytes());
    }

    #[test]
    fn arbitrary_callback_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let verifier = CallbackVerifier::new(Secret::new(SECRET).unwrap());
        prop_assert!(verify_and_parse(&verifier, &body).is_err());
    }

    #[test]
    fn correctly_signed_arbitrary_callbacks_never_panic(
        object in data_object(),
        kind in prop::sample::select(vec!["", "\"withdraw\"", "\"crypto_withdraw\"", "\"other\"", "7"]),
    ) {
        let secret = Secret::new(SECRET).unwrap();
        let body = if kind.is_empty() {
            object
        } else {
            let inner = object.trim_start_matches('{');
            let sep = if inner == "}" { "" } else { ", " };
            format!("{{\"callback_type\": {kind}{sep}{inner}")
        };
        // Signed with the right secret, so verification passes and the typed parsing runs.
        if let Ok(signed) = pay_signing::qostiq::sign_callback(&secret, body.as_bytes()) {
            let verifier = CallbackVerifier::new(secret);
            let _ = verify_and_parse(&verifier, signed.as_bytes());
        }
    }
}
