//! End to end, Qostiq: every endpoint through the real client (`QostiqClient`), the real transport
//! (`HyperTransport`) and the sandbox over loopback HTTP; payout recovery after a lost answer; and
//! callback deliveries with their retries into a `pay_webhook` receiver.
//!
//! Each test starts its own sandbox (port 0, fast callbacks, sandbox polling floors), so tests run
//! in parallel and take milliseconds. Waits poll a condition with a generous limit.
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::time::Duration;

use http::Method;
use pay_core::endpoint::Lookup;
use pay_core::money::Amount;
use pay_core::recovery::{PayoutOutcome, Resolution};
use pay_qostiq::bills::{Bill, BillRecord, CreateBill, CreateBillV2};
use pay_qostiq::client::QostiqClient;
use pay_qostiq::crypto::{CreateCryptoWithdraw, TryCryptoWithdraw};
use pay_qostiq::invoices::{CreateInvoice, TryInvoice};
use pay_qostiq::shop::RegisterAccount;
use pay_qostiq::transfers::{CreateTransfer, TransferAmountType, TryTransfer};
use pay_qostiq::withdrawals::{CheckAccount, CreateWithdraw, TryWithdraw, WithdrawAmountType};
use pay_qostiq::{BillStatus, CryptoAsset, Currency, Payway, ShopId, WithdrawStatus};
use pay_sandbox::{SandboxBuilder, SandboxHandle};
use pay_webhook::ReceiverBuilder;
use serde_json::{Value, json};

mod support;

use support::{
    Flaky, admin, assert_accepted_at_the_third_attempt, fast, fault_once, sandbox_executor,
    until_delivered,
};

struct Rig {
    sandbox: SandboxHandle,
    client: QostiqClient,
}

async fn rig_with(builder: SandboxBuilder) -> Rig {
    let sandbox = builder.start().await.unwrap();
    let creds = sandbox.credentials();
    let client = QostiqClient::builder(
        ShopId::new(creds.qostiq_shop_id).unwrap(),
        creds.qostiq_secret.clone(),
    )
    .base_url(sandbox.qostiq_base_url().parse().unwrap())
    .executor(sandbox_executor)
    .build()
    .unwrap();
    Rig { sandbox, client }
}

async fn rig() -> Rig {
    rig_with(fast()).await
}

fn amount(text: &str) -> Amount {
    text.parse().unwrap()
}

fn payway(name: &str) -> Payway {
    Payway::new(name).unwrap()
}

fn usdt() -> CryptoAsset {
    CryptoAsset::new("USDT").unwrap()
}

fn withdraw(id: &str) -> CreateWithdraw {
    CreateWithdraw::new(
        "4111111111111111",
        amount("100.00"),
        WithdrawAmountType::PsAmount,
        payway("card_uah"),
        Currency::Uah,
        id,
    )
}

fn crypto(id: &str) -> CreateCryptoWithdraw {
    CreateCryptoWithdraw::new(
        "TXo1f6mGhBJUSpNqVDbNzxn4ZbmhNYrYVx",
        amount("10"),
        WithdrawAmountType::PsAmount,
        payway("usdt_trc20"),
        usdt(),
        id,
    )
}

fn transfer(id: &str) -> CreateTransfer {
    CreateTransfer::new(
        amount("25.00"),
        TransferAmountType::WriteoffAmount,
        "201234567890",
        Currency::Uah,
        Currency::Uah,
        id,
    )
}

fn bill(id: &str) -> CreateBill {
    CreateBill::new(amount("150.00"), Currency::Uah, Currency::Uah, id)
}

fn created<P: std::fmt::Debug>(outcome: PayoutOutcome<P>) -> P {
    match outcome.into_resolution() {
        Resolution::Created(p) => p,
        other => panic!("expected created, got {other:?}"),
    }
}

fn created_bill(outcome: PayoutOutcome<BillRecord>) -> Bill {
    match created(outcome) {
        BillRecord::Created(bill) => bill,
        other => panic!("a create answers a created bill, got {other:?}"),
    }
}

// ---- one test per endpoint -------------------------------------------------------------------

#[tokio::test]
async fn bill_create() {
    let r = rig().await;
    let b = created_bill(r.client.create_bill(&bill("b-1")).await);
    assert_eq!(b.shop_order_id, "b-1");
    assert_eq!(b.shop_currency, Currency::Uah);
}

#[tokio::test]
async fn bill_create_v2() {
    let r = rig().await;
    let mut request = CreateBillV2::new(Currency::Uah, "b-v2");
    request.amount = Some(amount("12.50"));
    let b = created_bill(r.client.create_bill_v2(&request).await);
    assert_eq!(b.shop_order_id, "b-v2");
}

#[tokio::test]
async fn bill_shop_order_status() {
    let r = rig().await;
    let b = created_bill(r.client.create_bill(&bill("b-s")).await);
    let Lookup::Found(info) = r.client.get_bill("b-s").await.unwrap() else {
        panic!("bill not found");
    };
    assert_eq!(info.status, BillStatus::Waiting);
    assert_eq!(info.payment_id, b.id);
    assert!(matches!(
        r.client.get_bill("missing").await.unwrap(),
        Lookup::NotFound
    ));
}

#[tokio::test]
async fn transfer_try() {
    let r = rig().await;
    let quote = r
        .client
        .try_transfer(&TryTransfer::new(
            amount("25.00"),
            TransferAmountType::WriteoffAmount,
            Currency::Uah,
            Currency::Uah,
        ))
        .await
        .unwrap();
    assert!(quote.payee_amount.is_positive());
}

#[tokio::test]
async fn transfer_create() {
    let r = rig().await;
    let t = created(r.client.create_transfer(&transfer("t-1")).await);
    assert_eq!(t.write_off_amount, amount("25.00"));
}

#[tokio::test]
async fn transfer_shop_payment_status() {
    let r = rig().await;
    let t = created(r.client.create_transfer(&transfer("t-s")).await);
    let Lookup::Found(info) = r.client.get_transfer("t-s").await.unwrap() else {
        panic!("transfer not found");
    };
    assert_eq!(info.id, t.id);
}

#[tokio::test]
async fn withdraw_try() {
    let r = rig().await;
    let quote = r
        .client
        .try_withdraw(&TryWithdraw::new(
            amount("100.00"),
            WithdrawAmountType::PsAmount,
            payway("card_uah"),
            Currency::Uah,
        ))
        .await
        .unwrap();
    assert_eq!(quote.payee_receive, amount("100.00"));
}

#[tokio::test]
async fn check_account() {
    let r = rig().await;
    let check = r
        .client
        .check_account(&CheckAccount::new(
            "4111111111111111",
            amount("100.00"),
            payway("card_uah"),
        ))
        .await
        .unwrap();
    assert_eq!(check.result, Some(true));
}

#[tokio::test]
async fn withdraw_create() {
    let r = rig().await;
    let w = created(r.client.create_withdraw(&withdraw("w-1")).await);
    assert_eq!(w.info.shop_payment_id, "w-1");
    assert!(!w.info.status.is_final());
}

#[tokio::test]
async fn withdraw_status() {
    let r = rig().await;
    let w = created(r.client.create_withdraw(&withdraw("w-s")).await);
    let Lookup::Found(info) = r.client.get_withdraw(w.info.id).await.unwrap() else {
        panic!("withdrawal not found");
    };
    assert_eq!(info.shop_payment_id, "w-s");
    assert!(matches!(
        r.client.get_withdraw(999_999).await.unwrap(),
        Lookup::NotFound
    ));
}

#[tokio::test]
async fn withdraw_shop_payment_status() {
    let r = rig().await;
    let w = created(r.client.create_withdraw(&withdraw("w-p")).await);
    let Lookup::Found(info) = r
        .client
        .get_withdraw_by_shop_payment_id("w-p")
        .await
        .unwrap()
    else {
        panic!("withdrawal not found");
    };
    assert_eq!(info.id, w.info.id);
}

#[tokio::test]
async fn crypto_withdraw_try() {
    let r = rig().await;
    let quote = r
        .client
        .try_crypto_withdraw(&TryCryptoWithdraw::new(
            amount("10"),
            WithdrawAmountType::PsAmount,
            payway("usdt_trc20"),
            usdt(),
        ))
        .await
        .unwrap();
    assert_eq!(quote.payee_receive, amount("10"));
}

#[tokio::test]
async fn crypto_withdraw_create() {
    let r = rig().await;
    let c = created(r.client.create_crypto_withdraw(&crypto("c-1")).await);
    assert_eq!(c.info.shop_payment_id, "c-1");
}

#[tokio::test]
async fn crypto_withdraw_status() {
    let r = rig().await;
    let c = created(r.client.create_crypto_withdraw(&crypto("c-s")).await);
    let Lookup::Found(info) = r.client.get_crypto_withdraw(c.info.id).await.unwrap() else {
        panic!("crypto withdrawal not found");
    };
    assert_eq!(info.shop_payment_id, "c-s");
}

#[tokio::test]
async fn crypto_withdraw_shop_payment_status() {
    let r = rig().await;
    let c = created(r.client.create_crypto_withdraw(&crypto("c-p")).await);
    let Lookup::Found(info) = r
        .client
        .get_crypto_withdraw_by_shop_payment_id("c-p")
        .await
        .unwrap()
    else {
        panic!("crypto withdrawal not found");
    };
    assert_eq!(info.id, c.info.id);
}

#[tokio::test]
async fn crypto_shop_balance() {
    let r = rig().await;
    let balances = r.client.get_crypto_balance().await.unwrap();
    assert!(!balances.balances.is_empty());
}

#[tokio::test]
async fn account_register() {
    let r = rig().await;
    let account = r
        .client
        .register_account(&RegisterAccount::new("payee@example.com"))
        .await
        .unwrap();
    assert!(!account.account_number.expose().is_empty());
}

#[tokio::test]
async fn shop_balance() {
    let r = rig().await;
    let balances = r.client.get_shop_balance().await.unwrap();
    let uah = balances.get(Currency::Uah).unwrap();
    assert_eq!(uah.available, amount("10000.00"));
}

#[tokio::test]
async fn shop_input_config() {
    let r = rig().await;
    assert!(!r.client.get_input_config().await.unwrap().is_empty());
}

#[tokio::test]
async fn shop_output_config() {
    let r = rig().await;
    assert!(!r.client.get_output_config().await.unwrap().is_empty());
}

#[tokio::test]
async fn invoice_try() {
    let r = rig().await;
    let quote = r
        .client
        .try_invoice(&TryInvoice::new(
            amount("100.00"),
            Currency::Uah,
            payway("card_uah"),
            "i-t",
        ))
        .await
        .unwrap();
    assert!(
        quote.payer_price.is_some() || quote.ps_currency.is_some(),
        "{quote:?}"
    );
}

#[tokio::test]
async fn invoice_create() {
    let r = rig().await;
    let redirect = r
        .client
        .create_invoice(&CreateInvoice::new(
            amount("100.00"),
            Currency::Uah,
            payway("card_uah"),
            "i-c",
        ))
        .await
        .unwrap();
    assert!(!redirect.url.is_empty());
}

// ---- flows ------------------------------------------------------------------------------------

#[tokio::test]
async fn bill_paid_by_the_payer_is_polled_to_final() {
    let r = rig().await;
    created_bill(r.client.create_bill(&bill("b-f")).await);
    admin(
        &r.sandbox,
        Method::POST,
        "/qostiq/bills/pay",
        json!({"shop_order_id": "b-f"}),
    )
    .await;
    let info = r.client.wait_until_final_bill("b-f", None).await.unwrap();
    assert_eq!(info.status, BillStatus::Paid);
}

#[tokio::test]
async fn lost_withdraw_answer_is_recovered_without_a_duplicate() {
    let r = rig().await;
    fault_once(&r.sandbox, "/qostiq/withdraw/create", "commit_then_drop").await;
    let outcome = r.client.create_withdraw(&withdraw("w-lost")).await;
    assert!(
        matches!(outcome.resolution(), Resolution::Adopted(_)),
        "{outcome:?}"
    );
    let state = admin(&r.sandbox, Method::GET, "/qostiq/state", Value::Null).await;
    let copies = state["withdrawals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["shop_payment_id"] == "w-lost")
        .count();
    assert_eq!(copies, 1, "{state}");
}

#[tokio::test]
async fn withdrawal_is_polled_to_final_as_it_auto_progresses() {
    let r = rig_with(fast().auto_progress(Duration::from_millis(20))).await;
    let w = created(r.client.create_withdraw(&withdraw("w-auto")).await);
    let info = r
        .client
        .wait_until_final_withdraw(w.info.id, None)
        .await
        .unwrap();
    assert_eq!(info.status, WithdrawStatus::Success);
}

// ---- callbacks with retries -------------------------------------------------------------------

/// A Qostiq receiver whose handler fails its first `failures` calls (see `support`).
async fn flaky_receiver(secret: pay_core::secret::Secret, failures: usize) -> Flaky {
    support::flaky_receiver(ReceiverBuilder::qostiq(vec![secret]).unwrap(), failures).await
}

#[tokio::test]
async fn withdraw_callback_is_retried_until_ok_and_applied_once() {
    let secret = pay_sandbox::Credentials::defaults().qostiq_secret;
    let (addr, calls, applied) = flaky_receiver(secret, 2).await;
    let r = rig_with(fast().qostiq_callback_url(format!("http://{addr}/callback"))).await;
    let w = created(r.client.create_withdraw(&withdraw("w-cb")).await);
    admin(
        &r.sandbox,
        Method::POST,
        "/qostiq/withdrawals/advance",
        json!({"id": w.info.id, "status": 5}),
    )
    .await;
    let delivery = until_delivered(&r.sandbox, "provider=qostiq&kind=withdraw").await;
    assert_accepted_at_the_third_attempt(&delivery, &calls, &applied);
    assert_eq!(delivery["attempts"][2]["response"], "OK");
}

#[tokio::test]
async fn crypto_callback_is_delivered_and_verified() {
    let secret = pay_sandbox::Credentials::defaults().qostiq_secret;
    let (addr, _, applied) = flaky_receiver(secret, 0).await;
    let r = rig_with(fast().qostiq_crypto_callback_url(format!("http://{addr}/crypto"))).await;
    let c = created(r.client.create_crypto_withdraw(&crypto("c-cb")).await);
    admin(
        &r.sandbox,
        Method::POST,
        "/qostiq/crypto-withdrawals/advance",
        json!({"id": c.info.id, "status": 3}),
    )
    .await;
    let delivery = until_delivered(&r.sandbox, "provider=qostiq&kind=crypto_withdraw").await;
    assert_eq!(delivery["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(applied.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn payment_notification_of_a_paid_bill_is_verified() {
    let secret = pay_sandbox::Credentials::defaults().qostiq_secret;
    let (addr, _, applied) = flaky_receiver(secret, 1).await;
    let r = rig_with(fast().qostiq_callback_url(format!("http://{addr}/callback"))).await;
    created_bill(r.client.create_bill(&bill("b-cb")).await);
    admin(
        &r.sandbox,
        Method::POST,
        "/qostiq/bills/pay",
        json!({"shop_order_id": "b-cb"}),
    )
    .await;
    let delivery = until_delivered(&r.sandbox, "provider=qostiq&kind=payment").await;
    assert_eq!(delivery["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(applied.lock().unwrap().len(), 1);
}

/// The three crypto endpoints beyond the seeds, typed and signed by PROTOCOL.md's table, against
/// the sandbox's model answers: accepted (the sandbox verifies every signature) and decoded.
#[tokio::test]
async fn crypto_address_and_wallet_quotes() {
    use pay_qostiq::crypto_wallet::{CreateCryptoAddress, TryCryptoBill, TryCryptoTransfer};
    let rig = rig().await;
    let address = rig
        .client
        .call(&CreateCryptoAddress::new("client-42", payway("usdt_trc20")))
        .await
        .unwrap();
    let again = rig
        .client
        .call(&CreateCryptoAddress::new("client-42", payway("usdt_trc20")))
        .await
        .unwrap();
    assert_eq!(address, again, "one address per client and payway");
    assert!(address.address.expose().starts_with("sbxUSDT"));
    assert!(!format!("{address:?}").contains(address.address.expose()));

    let bill = rig
        .client
        .call(&TryCryptoBill::new(amount("12.5"), usdt(), usdt(), "cb-1"))
        .await
        .unwrap();
    assert_eq!(bill.shop_amount, amount("12.5"));
    assert_eq!(bill.payer_price, amount("12.5"));
    assert_eq!(bill.payer_currency, usdt());

    let transfer = rig
        .client
        .call(&TryCryptoTransfer::new(
            amount("3"),
            TransferAmountType::ReceiveAmount,
            usdt(),
            usdt(),
        ))
        .await
        .unwrap();
    assert_eq!(transfer.payee_amount, amount("3"));
    assert_eq!(transfer.write_off_amount, amount("3"));

    // The sandbox refuses what the model refuses, in Qostiq's envelope.
    let btc = CryptoAsset::new("BTC").unwrap();
    let err = rig
        .client
        .call(&TryCryptoBill::new(amount("1"), usdt(), btc, "cb-2"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("conversion"), "{err}");
    rig.sandbox.shutdown().await;
}
