//! End to end, COINQVEST: every endpoint through the real client (`CoinqvestClient`), the real
//! transport (`HyperTransport`) and the sandbox over loopback HTTP; commit recovery after a lost
//! answer; and payment webhook deliveries with their retries into a `pay_webhook` receiver.
//!
//! Each test starts its own sandbox (port 0, fast webhooks, sandbox polling floors). Waits poll a
//! condition with a generous limit.
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use http::Method;
use pay_coinqvest::checkouts::{ChargeBuilder, CheckoutParams, LineItem};
use pay_coinqvest::client::CoinqvestClient;
use pay_coinqvest::customers::{CustomerUpdate, NewCustomer, Patch};
use pay_coinqvest::pagination::Page;
use pay_coinqvest::withdrawals::{CreateWithdrawal, NgnBank, TargetAccount, Withdrawal};
use pay_core::recovery::Resolution;
use pay_sandbox::{SandboxBuilder, SandboxHandle};
use pay_webhook::ReceiverBuilder;
use serde_json::{Value, json};

mod support;

use support::{
    Flaky, admin, assert_accepted_at_the_third_attempt, fast, fault_once, sandbox_executor,
    until_delivered,
};

const USD: &str = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";

struct Rig {
    sandbox: SandboxHandle,
    client: CoinqvestClient,
}

async fn rig_with(builder: SandboxBuilder) -> Rig {
    let sandbox = builder.start().await.unwrap();
    let creds = sandbox.credentials();
    let client =
        CoinqvestClient::builder(creds.coinqvest_key.clone(), creds.coinqvest_secret.clone())
            .base_url(sandbox.coinqvest_base_url().parse().unwrap())
            .executor(sandbox_executor)
            .build()
            .unwrap();
    Rig { sandbox, client }
}

async fn rig() -> Rig {
    rig_with(fast()).await
}

fn params() -> CheckoutParams {
    ChargeBuilder::new("USD")
        .line_item(LineItem::new("T-Shirt", "10".parse().unwrap()).quantity(2))
        .build()
        .unwrap()
}

fn ngn_withdrawal() -> CreateWithdrawal {
    CreateWithdrawal::new(
        USD,
        "100".parse().unwrap(),
        TargetAccount::NgnBank {
            nuban: "3080494548".into(),
            bank: NgnBank::FirstBank,
        },
    )
}

/// A committed white-label checkout, then paid by the payer: returns its id.
async fn paid_checkout(r: &Rig) -> String {
    let created = r.client.create_checkout(params()).await.unwrap();
    let committed = r
        .client
        .commit_checkout(&created.commit("XLM"))
        .await
        .unwrap();
    admin(
        &r.sandbox,
        Method::POST,
        "/coinqvest/checkouts/complete",
        json!({"checkout_id": committed.checkout_id}),
    )
    .await;
    committed.checkout_id
}

async fn committed_withdrawal(r: &Rig) -> Withdrawal {
    let quote = r.client.create_withdrawal(&ngn_withdrawal()).await.unwrap();
    match r.client.commit_quote(&quote).await.into_resolution() {
        Resolution::Committed(w) => w,
        other => panic!("{other:?}"),
    }
}

// ---- one test per endpoint -------------------------------------------------------------------

#[tokio::test]
async fn checkout_create() {
    let r = rig().await;
    let created = r.client.create_checkout(params()).await.unwrap();
    assert!(!created.id.is_empty());
    assert!(!created.payment_methods.is_empty());
}

#[tokio::test]
async fn checkout_commit() {
    let r = rig().await;
    let created = r.client.create_checkout(params()).await.unwrap();
    let committed = r
        .client
        .commit_checkout(&created.commit("XLM"))
        .await
        .unwrap();
    assert_eq!(committed.checkout_id, created.id);
}

#[tokio::test]
async fn checkout_hosted() {
    let r = rig().await;
    let hosted = r.client.create_hosted_checkout(params()).await.unwrap();
    assert!(hosted.url.contains(&hosted.id));
}

#[tokio::test]
async fn checkout_get() {
    let r = rig().await;
    let hosted = r.client.create_hosted_checkout(params()).await.unwrap();
    let checkout = r
        .client
        .get_checkout(hosted.id.clone())
        .await
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(checkout.id, hosted.id);
    assert!(checkout.state.is_pending());
}

#[tokio::test]
async fn checkouts_list() {
    let r = rig().await;
    let hosted = r.client.create_hosted_checkout(params()).await.unwrap();
    let list = r.client.list_checkouts(Page::default()).await.unwrap();
    assert!(list.checkouts.iter().any(|c| c.id == hosted.id));
}

#[tokio::test]
async fn payment_get() {
    let r = rig().await;
    paid_checkout(&r).await;
    let list = r.client.list_payments(Page::default()).await.unwrap();
    let first = list.payments.first().unwrap();
    let one = r
        .client
        .get_payment(first.id.clone())
        .await
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(one.id, first.id);
}

#[tokio::test]
async fn payments_list() {
    let r = rig().await;
    let id = paid_checkout(&r).await;
    let list = r.client.list_payments(Page::default()).await.unwrap();
    assert_eq!(list.count, 1, "checkout {id}");
}

#[tokio::test]
async fn wallets_list() {
    let r = rig().await;
    let wallets = r.client.list_wallets().await.unwrap();
    assert!(!wallets.wallets.is_empty());
}

#[tokio::test]
async fn wallet_get() {
    let r = rig().await;
    let wallets = r.client.list_wallets().await.unwrap();
    let code = wallets.wallets.first().unwrap().asset_code.clone();
    let wallet = r
        .client
        .get_wallet(code.clone())
        .await
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(wallet.asset_code, code);
}

#[tokio::test]
async fn withdrawal_create() {
    let r = rig().await;
    let quote = r.client.create_withdrawal(&ngn_withdrawal()).await.unwrap();
    assert!(!quote.id.is_empty());
}

#[tokio::test]
async fn withdrawal_commit() {
    let r = rig().await;
    let w = committed_withdrawal(&r).await;
    assert_eq!(w.state.to_string(), "COMPLETED");
}

#[tokio::test]
async fn withdrawal_get() {
    let r = rig().await;
    let quote = r.client.create_withdrawal(&ngn_withdrawal()).await.unwrap();
    let w = r
        .client
        .get_withdrawal(quote.id.clone())
        .await
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(w.id, quote.id);
}

#[tokio::test]
async fn withdrawals_list() {
    let r = rig().await;
    let w = committed_withdrawal(&r).await;
    let list = r.client.list_withdrawals(Page::default()).await.unwrap();
    assert!(list.withdrawals.iter().any(|x| x.id == w.id));
}

#[tokio::test]
async fn asset_issuers_list() {
    let r = rig().await;
    assert!(
        !r.client
            .list_asset_issuers()
            .await
            .unwrap()
            .asset_issuers
            .is_empty()
    );
}

#[tokio::test]
async fn asset_issuer_get() {
    let r = rig().await;
    let list = r.client.list_asset_issuers().await.unwrap();
    let id = list.asset_issuers.first().unwrap().id.clone();
    assert_eq!(
        r.client
            .get_asset_issuer(id.clone())
            .await
            .unwrap()
            .found()
            .unwrap()
            .id,
        id
    );
}

#[tokio::test]
async fn assets_list() {
    let r = rig().await;
    assert!(!r.client.list_assets().await.unwrap().assets.is_empty());
}

#[tokio::test]
async fn asset_get() {
    let r = rig().await;
    let list = r.client.list_assets().await.unwrap();
    let id = list.assets.first().unwrap().id.clone();
    assert_eq!(
        r.client
            .get_asset(id.clone())
            .await
            .unwrap()
            .found()
            .unwrap()
            .id,
        id
    );
}

#[tokio::test]
async fn fiat_currencies_list() {
    let r = rig().await;
    assert!(
        !r.client
            .list_fiat_currencies()
            .await
            .unwrap()
            .fiat_currencies
            .is_empty()
    );
}

#[tokio::test]
async fn fiat_currency_get() {
    let r = rig().await;
    let list = r.client.list_fiat_currencies().await.unwrap();
    let code = list.fiat_currencies.first().unwrap().asset_code.clone();
    assert_eq!(
        r.client
            .get_fiat_currency(code.clone())
            .await
            .unwrap()
            .found()
            .unwrap()
            .asset_code,
        code
    );
}

#[tokio::test]
async fn blockchains_list() {
    let r = rig().await;
    assert!(
        !r.client
            .list_blockchains()
            .await
            .unwrap()
            .blockchains
            .is_empty()
    );
}

#[tokio::test]
async fn blockchain_get() {
    let r = rig().await;
    let list = r.client.list_blockchains().await.unwrap();
    let code = list.blockchains.first().unwrap().native_asset_code.clone();
    assert_eq!(
        r.client
            .get_blockchain(code.clone())
            .await
            .unwrap()
            .found()
            .unwrap()
            .native_asset_code,
        code
    );
}

#[tokio::test]
async fn ping() {
    let r = rig().await;
    assert!(r.client.ping().await.unwrap().success);
}

#[tokio::test]
async fn time() {
    let r = rig().await;
    assert!(r.client.get_time().await.unwrap().time > 1_600_000_000);
}

#[tokio::test]
async fn auth_test() {
    let r = rig().await;
    assert!(r.client.auth_test().await.unwrap().success);
}

#[tokio::test]
async fn customers_list() {
    let r = rig().await;
    let id = r
        .client
        .create_customer(NewCustomer::new("list@example.com"))
        .await
        .unwrap()
        .customer_id;
    let list = r.client.list_customers(Page::default()).await.unwrap();
    assert!(list.customers.iter().any(|c| c.id == id));
}

#[tokio::test]
async fn customer_create() {
    let r = rig().await;
    let created = r
        .client
        .create_customer(NewCustomer::new("new@example.com"))
        .await
        .unwrap();
    assert!(!created.customer_id.is_empty());
}

#[tokio::test]
async fn customer_get() {
    let r = rig().await;
    let id = r
        .client
        .create_customer(NewCustomer::new("get@example.com"))
        .await
        .unwrap()
        .customer_id;
    assert_eq!(
        r.client
            .get_customer(id)
            .await
            .unwrap()
            .found()
            .unwrap()
            .email,
        "get@example.com"
    );
}

#[tokio::test]
async fn customer_update() {
    let r = rig().await;
    let mut customer = NewCustomer::new("upd@example.com");
    customer.company = Some("Acme".into());
    let id = r
        .client
        .create_customer(customer)
        .await
        .unwrap()
        .customer_id;
    let mut update = CustomerUpdate::new(id.clone());
    update.company = Patch::Unset;
    update.firstname = Patch::Set("Ada".into());
    assert!(r.client.update_customer(update).await.unwrap().success);
    let after = r.client.get_customer(id).await.unwrap().found().unwrap();
    assert_eq!(after.company, None);
    assert_eq!(after.firstname.as_deref(), Some("Ada"));
}

#[tokio::test]
async fn customer_delete() {
    let r = rig().await;
    let id = r
        .client
        .create_customer(NewCustomer::new("del@example.com"))
        .await
        .unwrap()
        .customer_id;
    assert!(r.client.delete_customer(id.clone()).await.unwrap().success);
    // A deleted customer is gone: the API's own 404 reads as "not found", a value.
    assert_eq!(
        r.client.get_customer(id).await.unwrap(),
        pay_core::endpoint::Lookup::NotFound
    );
}

// ---- flows ------------------------------------------------------------------------------------

#[tokio::test]
async fn paid_checkout_is_polled_to_final() {
    let r = rig().await;
    let id = paid_checkout(&r).await;
    let checkout = r.client.wait_until_final_checkout(&id, None).await.unwrap();
    assert!(checkout.is_completed_and_credited(), "{checkout:?}");
}

#[tokio::test]
async fn lost_commit_answer_is_adopted_without_a_second_debit() {
    let r = rig().await;
    let commit = "/coinqvest/api/v1/withdrawal/commit";
    fault_once(&r.sandbox, commit, "commit_then_drop").await;
    let quote = r.client.create_withdrawal(&ngn_withdrawal()).await.unwrap();
    let outcome = r.client.commit_quote(&quote).await;
    assert!(
        matches!(outcome.resolution(), Resolution::Adopted(_)),
        "{outcome:?}"
    );
    let requests = admin(&r.sandbox, Method::GET, "/requests", Value::Null).await;
    // One commit was sent and applied (its answer dropped); recovery read instead of re-committing.
    let commit = &requests["routes"]["/coinqvest/api/v1/withdrawal/commit"];
    assert_eq!(commit["received"], 1, "{requests}");
    assert_eq!(commit["committed"], 1, "{requests}");
}

// ---- webhooks with retries --------------------------------------------------------------------

/// A COINQVEST receiver whose handler fails its first `failures` calls (see `support`).
async fn flaky_receiver(failures: usize) -> Flaky {
    let secret = pay_sandbox::Credentials::defaults().coinqvest_secret;
    support::flaky_receiver(ReceiverBuilder::coinqvest(vec![secret]).unwrap(), failures).await
}

#[tokio::test]
async fn payment_webhook_is_retried_until_200_and_applied_once() {
    let (addr, calls, applied) = flaky_receiver(2).await;
    let r = rig_with(fast().coinqvest_webhook_url(format!("http://{addr}/webhook"))).await;
    let id = paid_checkout(&r).await;
    let delivery = until_delivered(&r.sandbox, "provider=coinqvest").await;
    assert_accepted_at_the_third_attempt(&delivery, &calls, &applied);
    // The webhook is confirmed by reading the checkout.
    assert!(
        r.client
            .get_checkout(id)
            .await
            .unwrap()
            .found()
            .unwrap()
            .is_completed_and_credited()
    );
}
