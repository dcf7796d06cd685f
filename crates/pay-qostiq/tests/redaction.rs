//! Attack tests: no account number where it does not belong.
//!
//! * `Debug` and `{:#?}` of every request type (each built with a real-looking card number,
//!   Qostiq wallet, crypto address and IBAN wherever it takes one), of its signed body, and of the
//!   answers and callbacks that carry accounts, show at most the last four characters.
//!   `every_endpoint_is_covered` proves no endpoint is left out: the names come from the sources.
//! * Log injection through a provider message (feature `client`): a refusal whose `message`
//!   repeats a card number and carries a forged log line reaches the error and every log line
//!   escaped and masked.
#![allow(clippy::unwrap_used)] // test code: a failure is a failed test

use std::fmt::Debug;

use bytes::Bytes;
use pay_core::endpoint::Endpoint;
use pay_core::secret::Secret;
use pay_qostiq::bills::{CreateBill, CreateBillV2, GetBill};
use pay_qostiq::callbacks::{Callback, CallbackVerifier, CryptoWithdrawRecord, verify_and_parse};
use pay_qostiq::crypto::{
    CreateCryptoWithdraw, GetCryptoBalance, GetCryptoWithdraw, GetCryptoWithdrawByShopPaymentId,
    TryCryptoWithdraw,
};
use pay_qostiq::crypto_wallet::{CreateCryptoAddress, TryCryptoBill, TryCryptoTransfer};
use pay_qostiq::invoices::{CreateInvoice, TryInvoice};
use pay_qostiq::pay_form::PayForm;
use pay_qostiq::shop::{GetInputConfig, GetOutputConfig, GetShopBalance, RegisterAccount};
use pay_qostiq::transfers::{CreateTransfer, GetTransfer, TransferAmountType, TryTransfer};
use pay_qostiq::withdrawals::{
    CheckAccount, CreateWithdraw, GetWithdraw, GetWithdrawByShopPaymentId, TryWithdraw,
    WithdrawAmountType,
};
use pay_qostiq::{AccountDetails, CryptoAsset, Currency, Payway, QostiqRequest};

mod support;

use pay_testdata::Accounts;
use support::{amount, context};

const CARD: &str = "4111111111111111";
const QOSTIQ_WALLET: &str = "201497141132";
const ETH_ADDRESS: &str = "0xf8227AA7aF9B5166AF69581C703A4398387B2B07";
const TRON_ADDRESS: &str = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7";
const IBAN: &str = "GB33BUKB20201555555555";
const EMAIL_ACCOUNT: &str = "kx9q2zp@mailbox.test";

/// Every account used below: none may show more than its last four characters.
const ACCOUNTS: Accounts = Accounts(&[
    CARD,
    QOSTIQ_WALLET,
    ETH_ADDRESS,
    TRON_ADDRESS,
    IBAN,
    EMAIL_ACCOUNT,
]);

fn details() -> AccountDetails {
    AccountDetails::new()
        .with("iban", IBAN)
        .unwrap()
        .with("payee_account", CARD)
        .unwrap()
}

/// Checks a request value, its signed body, and returns its endpoint name.
fn check<R: QostiqRequest + Debug>(request: &R) -> &'static str {
    let name = R::INFO.name;
    ACCOUNTS.assert_debug_masked(name, request);
    let signed = request.signed_body(&context()).unwrap();
    ACCOUNTS.assert_debug_masked(name, &signed);
    // The path is written once: the body is signed for the endpoint's own path.
    assert_eq!(signed.endpoint, R::INFO.path, "{name}");
    assert_eq!(
        request.build_request(&context()).unwrap().uri(),
        R::INFO.path
    );
    name
}

fn every_request_name() -> Vec<&'static str> {
    let card = || Payway::new("card_uah").unwrap();
    let trc20 = || Payway::new("usdt_trc20").unwrap();
    let usdt = || CryptoAsset::new("USDT").unwrap();

    let mut check_account = CheckAccount::new(CARD, amount("10"), card());
    check_account.account_details = Some(details());
    let mut withdraw = CreateWithdraw::new(
        CARD,
        amount("10"),
        WithdrawAmountType::PsAmount,
        card(),
        Currency::Uah,
        "order-1",
    );
    withdraw.account_details = Some(details());
    let mut crypto = CreateCryptoWithdraw::new(
        TRON_ADDRESS,
        amount("10"),
        WithdrawAmountType::PsAmount,
        trc20(),
        usdt(),
        "order-2",
    );
    crypto.account_details = Some(AccountDetails::new().with("address", ETH_ADDRESS).unwrap());
    let mut bill = CreateBill::new(amount("10"), Currency::Uah, Currency::Uah, "order-3");
    bill.payer_account = Some(QOSTIQ_WALLET.into());
    let mut try_invoice = TryInvoice::new(amount("10"), Currency::Uah, card(), "order-4");
    try_invoice.invoice.payer_account = Some(IBAN.into());
    let mut invoice = CreateInvoice::new(amount("10"), Currency::Uah, card(), "order-5");
    invoice.invoice.payer_account = Some(EMAIL_ACCOUNT.into());

    vec![
        check(&TryWithdraw::new(
            amount("10"),
            WithdrawAmountType::PsAmount,
            card(),
            Currency::Uah,
        )),
        check(&check_account),
        check(&withdraw),
        check(&GetWithdraw::new(11298076)),
        check(&GetWithdrawByShopPaymentId::new("order-1")),
        check(&TryTransfer::new(
            amount("10"),
            TransferAmountType::ReceiveAmount,
            Currency::Uah,
            Currency::Uah,
        )),
        check(&CreateTransfer::new(
            amount("10"),
            TransferAmountType::ReceiveAmount,
            QOSTIQ_WALLET,
            Currency::Uah,
            Currency::Uah,
            "order-6",
        )),
        check(&GetTransfer::new("order-6")),
        check(&TryCryptoWithdraw::new(
            amount("10"),
            WithdrawAmountType::PsAmount,
            trc20(),
            usdt(),
        )),
        check(&crypto),
        check(&GetCryptoWithdraw::new(15)),
        check(&GetCryptoWithdrawByShopPaymentId::new("order-2")),
        check(&GetCryptoBalance::new()),
        check(&bill),
        check(&CreateBillV2::new(Currency::Uah, "order-7")),
        check(&GetBill::new("order-3")),
        check(&try_invoice),
        check(&invoice),
        check(&RegisterAccount::new("shop@example.com")),
        check(&GetShopBalance::new()),
        check(&GetInputConfig::new()),
        check(&GetOutputConfig::new()),
        check(&CreateCryptoAddress::new("client-1", trc20())),
        check(&TryCryptoBill::new(amount("10"), usdt(), usdt(), "order-9")),
        check(&TryCryptoTransfer::new(
            amount("10"),
            TransferAmountType::ReceiveAmount,
            usdt(),
            usdt(),
        )),
    ]
}

/// Attack: account numbers in `Debug` of every request type and its signed body.
#[test]
fn debug_of_every_request_masks_account_numbers() {
    let names = every_request_name();
    assert_eq!(names.len(), pay_qostiq::ENDPOINTS.len());

    let mut form = PayForm::new(amount("10.00"), Currency::Uah, "order-8");
    form.payer_account = Some(CARD.into());
    ACCOUNTS.assert_debug_masked("pay-form", &form);
    let signed = form.sign(&context()).unwrap();
    ACCOUNTS.assert_debug_masked("pay-form signed", &signed);
    // The form itself still carries the full value for the payer's browser.
    assert!(signed.form.to_html().contains(CARD));
}

/// The request list above is every endpoint the crate defines (`pay_qostiq::ENDPOINTS`, itself
/// checked against the signed-keys table), so a new endpoint fails this test until it is added.
#[test]
fn every_endpoint_is_covered() {
    let mut in_crate: Vec<&str> = pay_qostiq::ENDPOINTS.iter().map(|e| e.name).collect();
    in_crate.sort_unstable();
    let mut covered = every_request_name();
    covered.sort_unstable();
    assert_eq!(covered, in_crate);
}

fn ok(data: &str) -> http::Response<Bytes> {
    http::Response::new(Bytes::from(format!(
        r#"{{"result": true, "error_code": 0, "message": "Ok", "data": {data}}}"#
    )))
}

/// Attack: account numbers in `Debug` of the answers that echo them.
#[test]
fn debug_of_answers_masks_account_numbers() {
    let card = Payway::new("card_uah").unwrap();
    let transfer = CreateTransfer::new(
        amount("10"),
        TransferAmountType::ReceiveAmount,
        QOSTIQ_WALLET,
        Currency::Uah,
        Currency::Uah,
        "p",
    )
    .parse_response(&ok(&format!(
        r#"{{"id": 3, "payee_account": "{QOSTIQ_WALLET}", "payee_amount": "10", "payee_currency": 980, "shop_currency": 980, "write_off_amount": "10"}}"#
    )))
    .unwrap();
    assert_eq!(
        transfer.payee_account.as_ref().unwrap().expose(),
        QOSTIQ_WALLET
    );
    ACCOUNTS.assert_debug_masked("transfer", &transfer);

    let crypto = GetCryptoWithdraw::new(15)
        .parse_response(&ok(&format!(
            r#"{{"id": 15, "payee_address": "{TRON_ADDRESS}", "payee_currency": "USDT", "payee_receive": "1", "shop_currency": "USDT", "shop_payment_id": "w", "shop_write_off": "1.03", "status": 2}}"#
        )))
        .unwrap();
    ACCOUNTS.assert_debug_masked("crypto withdraw", &crypto);

    let deposit = CreateCryptoAddress::new("client-1", Payway::new("usdt_trc20").unwrap())
        .parse_response(&ok(&format!(r#"{{"address": "{TRON_ADDRESS}"}}"#)))
        .unwrap();
    assert_eq!(deposit.address.expose(), TRON_ADDRESS);
    ACCOUNTS.assert_debug_masked("crypto deposit address", &deposit);

    let bill = CreateBill::new(amount("1"), Currency::Uah, Currency::Uah, "o")
        .parse_response(&ok(&format!(
            r#"{{"created": "Wed, 06 Dec 2017 14:30:44 GMT", "id": 25, "payer_account": "{EMAIL_ACCOUNT}", "shop_currency": 980, "shop_id": 3, "shop_order_id": "o", "url": "https://wallet.example/x"}}"#
        )))
        .unwrap();
    ACCOUNTS.assert_debug_masked("bill", &bill);

    let paid = GetBill::new("o")
        .parse_response(&ok(&format!(
            r#"{{"payment_id": 852095, "shop_amount": 1.1, "shop_currency": 980, "shop_id": 1092, "shop_order_id": "o", "status": 2, "ps_data": {{"ps_payer_account": "{QOSTIQ_WALLET}", "card": "{CARD}"}}}}"#
        )))
        .unwrap();
    ACCOUNTS.assert_debug_masked("bill status", &paid);

    let registered = RegisterAccount::new("a@b.c")
        .parse_response(&ok(&format!(r#"{{"account_number": "{QOSTIQ_WALLET}"}}"#)))
        .unwrap();
    ACCOUNTS.assert_debug_masked("registered account", &registered);

    let checked = CheckAccount::new(CARD, amount("1"), card)
        .parse_response(&ok(&format!(
            r#"{{"provider_status": 1, "account_info": {{"iban": "{IBAN}", "card": "{CARD}"}}}}"#
        )))
        .unwrap();
    ACCOUNTS.assert_debug_masked("account check", &checked);
}

/// Attack: the crypto withdraw callback's address, in the callback and in a mismatch report.
#[test]
fn debug_of_callbacks_and_mismatches_masks_addresses() {
    let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
    let body = pay_signing::qostiq::sign_callback(
        &secret,
        format!(
            r#"{{"address": "{TRON_ADDRESS}", "callback_type": "crypto_withdraw", "created": "2024-11-18 13:41:57", "payee_receive": 10.5, "payment_id": 64045, "payway": "usdt_trc20", "processed": "2024-11-18 13:45:38", "ps_currency": "USDT", "ps_data": {{"transaction_hash": "ab12"}}, "shop_currency": "USDT", "shop_id": 1, "shop_order_id": "w-1", "shop_write_off": 11.5, "status": "success"}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let verifier = CallbackVerifier::new(secret);
    let Callback::CryptoWithdraw(callback) = verify_and_parse(&verifier, body.as_bytes()).unwrap()
    else {
        panic!("not a crypto withdraw callback");
    };
    assert_eq!(callback.address.as_ref().unwrap().expose(), TRON_ADDRESS);
    ACCOUNTS.assert_debug_masked("crypto callback", &callback);

    let mut record = CryptoWithdrawRecord::new("w-1");
    record.address = Some(ETH_ADDRESS.into());
    let mismatches = callback.mismatches(&record);
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].field, "address");
    ACCOUNTS.assert_debug_masked("mismatch", &mismatches);
    ACCOUNTS.assert_masked("mismatch", &mismatches[0].to_string());
}

#[cfg(feature = "client")]
mod logs {
    use std::sync::Arc;

    use bytes::Bytes;
    use http::{Request, Response, StatusCode};
    use pay_core::clock::ManualClock;
    use pay_core::recovery::Resolution;
    use pay_core::secret::Secret;
    use pay_qostiq::client::QostiqClient;
    use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
    use pay_qostiq::{Currency, Payway, ShopId};
    use pay_transport::RetryPolicy;
    use pay_transport::log_capture::LogCapture;
    use pay_transport::service::service_fn;
    use pay_transport::sleep::VirtualSleep;
    use time::macros::datetime;

    use super::{ACCOUNTS, CARD, IBAN, amount};

    /// What a hostile (or careless) server says: the merchant's card number and an IBAN, then a
    /// newline and a forged log line, a carriage return and an ANSI "erase line".
    const MESSAGE: &str = "account 4111111111111111 (GB33BUKB20201555555555) is blocked\\n\
        2026-11-30T12:00:00Z INFO pay_qostiq::client recovered: adopted payout=ok\\r\\u001b[2K";

    /// Attack: log injection and account numbers through a provider message, on a refused create
    /// and on a create whose outcome stays unknown (recovery logs at warn and error level).
    #[tokio::test]
    async fn provider_messages_reach_logs_escaped_and_masked() {
        let capture = LogCapture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let transport = service_fn(|request: Request<Bytes>| async move {
            let envelope = format!(
                r#"{{"result": false, "error_code": 4, "message": "{MESSAGE}", "data": null}}"#
            );
            let status = if request.uri().path().ends_with("/withdraw/create") {
                StatusCode::BAD_GATEWAY
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            Ok(Response::builder()
                .status(status)
                .body(Bytes::from(envelope))
                .unwrap())
        });
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-30 12:00 UTC)));
        let client =
            QostiqClient::builder(ShopId::new(112).unwrap(), Secret::new("Testkey1").unwrap())
                .transport(transport)
                .executor(|e| {
                    e.clock(clock.clone())
                        .sleep(Arc::new(VirtualSleep::new(clock)))
                        .retry_policy(RetryPolicy::no_retries())
                        .recovery_rounds(1)
                })
                .build()
                .unwrap();
        let payout = CreateWithdraw::new(
            CARD,
            amount("10"),
            WithdrawAmountType::PsAmount,
            Payway::new("card_uah").unwrap(),
            Currency::Uah,
            "order-1",
        );
        let outcome = client.create_withdraw(&payout).await;
        let Resolution::Unknown(Some(last_error)) = outcome.resolution() else {
            panic!("expected an unknown outcome, got {outcome:?}");
        };
        let raw = match last_error {
            pay_core::Error::Provider(refusal) => refusal.message.clone(),
            other => panic!("{other:?}"),
        };
        assert!(
            raw.contains(CARD) && raw.contains(IBAN),
            "the raw message is kept"
        );

        let lines = capture.lines();
        assert!(
            lines.iter().any(|l| l.contains("outcome still unknown")),
            "{lines:#?}"
        );
        pay_testdata::assert_logged(
            &lines,
            "is blocked",
            &["****1111", "****5555", r"is blocked\n2026-11-30T12:00:00Z"],
        );
        let outputs = [
            format!("{outcome:?}"),
            format!("{outcome:#?}"),
            last_error.to_string(),
        ];
        for shown in lines.iter().chain(&outputs) {
            ACCOUNTS.assert_log_safe(shown, |l| {
                l.trim_start().starts_with("2026-11-30T12:00:00Z")
            });
        }
    }
}
