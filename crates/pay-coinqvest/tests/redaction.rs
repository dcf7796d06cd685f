//! Attack tests: no account number where it does not belong.
//!
//! * `Debug` and `{:#?}` of every request type (all 29 of [`ENDPOINTS`], the withdrawal quote once
//!   per target kind, each with a real-looking IBAN, NUBAN, bank account or address), and of the
//!   answers that echo them, show at most the last four characters.
//! * Log injection through a provider message (feature `client`): an `errors` list that repeats an
//!   IBAN and a card number and carries a forged log line, and a withdrawal state nobody knows
//!   holding a newline, reach the error and every log line escaped and masked.
#![allow(clippy::unwrap_used)] // test code: a failure is a failed test

use std::fmt::Debug;

use bytes::Bytes;
use pay_coinqvest::ENDPOINTS;
use pay_coinqvest::checkouts::{
    ChargeBuilder, CommitCheckout, CreateCheckout, CreateHostedCheckout, GetCheckout, LineItem,
    ListCheckouts,
};
use pay_coinqvest::customers::{
    CreateCustomer, CustomerUpdate, DeleteCustomer, GetCustomer, ListCustomers, NewCustomer,
    UpdateCustomer,
};
use pay_coinqvest::payments::{GetPayment, ListPayments};
use pay_coinqvest::reference::{
    GetAsset, GetAssetIssuer, GetBlockchain, GetFiatCurrency, ListAssetIssuers, ListAssets,
    ListBlockchains, ListFiatCurrencies,
};
use pay_coinqvest::service::{AuthTest, GetTime, Ping};
use pay_coinqvest::wallets::{GetWallet, ListWallets};
use pay_coinqvest::withdrawals::{
    CommitWithdrawal, CreateWithdrawal, GetWithdrawal, ListWithdrawals, NgnBank, TargetAccount,
};
use pay_core::endpoint::Endpoint;

mod support;

use pay_testdata::Accounts;
use support::{amount, seed};

const IBAN: &str = "DE89370400440532013000";
const NUBAN: &str = "3080494548";
const US_ACCOUNT: &str = "000987654321";
const CA_ACCOUNT: &str = "48291736";
const BTC_ADDRESS: &str = "bc1qj633nx575jm28smgcp3mx6n3gh0zg6ndr0ew23";
const ETH_ADDRESS: &str = "0xc85eBb197c8212C09B7d0905C3ce9e3fCe324F0B";
const LTC_ADDRESS: &str = "ltc1qg82tzv5lqz4wyyqvm4c2v6nqz3yx9q8r9rjvlp";
const STELLAR_ACCOUNT: &str = "GCKFBEIYV2U22IO2BJ4KVJOIP7XPWQGQFKKWXR6DOSJBV7STMAQSMTGG";
const XRP_ACCOUNT: &str = "rEfqXNqQoyVVgkcF51NQNGWst96KJFZQf2";

/// Every account used below: none may show more than its last four characters.
const ACCOUNTS: Accounts = Accounts(&[
    IBAN,
    NUBAN,
    US_ACCOUNT,
    CA_ACCOUNT,
    BTC_ADDRESS,
    ETH_ADDRESS,
    LTC_ADDRESS,
    STELLAR_ACCOUNT,
    XRP_ACCOUNT,
]);

/// One target of every kind.
fn every_target() -> Vec<TargetAccount> {
    vec![
        TargetAccount::Stellar {
            account: STELLAR_ACCOUNT.into(),
            memo: Some("exchange-user-7".into()),
            memo_type: Some("text".into()),
        },
        TargetAccount::EurIban {
            iban: IBAN.into(),
            swift: "COBADEFFXXX".into(),
        },
        TargetAccount::UsdBank {
            account_number: US_ACCOUNT.into(),
            routing_number: "110000000".into(),
        },
        TargetAccount::CadBank {
            account_number: CA_ACCOUNT.into(),
            routing_number: "000112345".into(),
        },
        TargetAccount::NgnBank {
            nuban: NUBAN.into(),
            bank: NgnBank::FirstBank,
        },
        TargetAccount::Bitcoin {
            address: BTC_ADDRESS.into(),
        },
        TargetAccount::Ethereum {
            address: ETH_ADDRESS.into(),
        },
        TargetAccount::Litecoin {
            address: LTC_ADDRESS.into(),
        },
        TargetAccount::Xrp {
            account: XRP_ACCOUNT.into(),
            destination_tag: Some("1234".into()),
        },
    ]
}

/// Checks a request value and returns its endpoint name.
fn check<E: Endpoint<Context = ()> + Debug>(request: &E) -> &'static str {
    ACCOUNTS.assert_debug_masked(E::INFO.name, request);
    assert!(request.build_request(&()).is_ok(), "{}", E::INFO.name);
    E::INFO.name
}

fn every_request_name() -> Vec<&'static str> {
    let params = || {
        ChargeBuilder::new("USD")
            .line_item(LineItem::new("T-Shirt", amount("10")))
            .build()
            .unwrap()
    };
    let anchor = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";
    let mut names = Vec::new();
    for target in every_target() {
        let stellar = matches!(target, TargetAccount::Stellar { .. });
        let quote = CreateWithdrawal::new(anchor, amount("100"), target);
        let quote = if stellar {
            quote.target_asset("XLM:NATIVE")
        } else {
            quote
        };
        names.push(check(&quote));
    }
    names.dedup();
    names.extend([
        check(&CreateCheckout::new(params())),
        check(&CommitCheckout::new("6d55626309d6", "ETH")),
        check(&CreateHostedCheckout::new(params())),
        check(&GetCheckout::new("82098fd51fcc")),
        check(&ListCheckouts::default()),
        check(&GetPayment::new("0bb9f9aa929f")),
        check(&ListPayments::default()),
        check(&ListWallets),
        check(&GetWallet::new("USD")),
        check(&CommitWithdrawal::new("12d72c3c8145")),
        check(&GetWithdrawal::new("12d72c3c8145")),
        check(&ListWithdrawals::default()),
        check(&ListAssetIssuers),
        check(&GetAssetIssuer::new("XLM:NATIVE")),
        check(&ListAssets),
        check(&GetAsset::new("ETH:NATIVE")),
        check(&ListFiatCurrencies),
        check(&GetFiatCurrency::new("USD")),
        check(&ListBlockchains),
        check(&GetBlockchain::new("BTC")),
        check(&Ping),
        check(&GetTime),
        check(&AuthTest),
        check(&ListCustomers::default()),
        check(&CreateCustomer::new(NewCustomer::new("john@doe.com"))),
        check(&GetCustomer::new("fd4f47a50c7f")),
        check(&UpdateCustomer::new(CustomerUpdate::new("fd4f47a50c7f"))),
        check(&DeleteCustomer::new("fd4f47a50c7f")),
    ]);
    names
}

/// Attack: account numbers in `Debug` of every request type, every target kind included; the list
/// is checked against [`ENDPOINTS`], so a new endpoint fails this test until it is added.
#[test]
fn debug_of_every_request_masks_account_numbers() {
    let mut covered = every_request_name();
    covered.sort_unstable();
    let mut all: Vec<&str> = ENDPOINTS.iter().map(|e| e.name).collect();
    all.sort_unstable();
    assert_eq!(covered, all);
}

/// The wire bytes still carry every account in full.
#[test]
fn the_body_still_sends_the_full_account() {
    for target in every_target() {
        let quote = CreateWithdrawal::new("XLM:NATIVE", amount("1"), target);
        let body = quote.build_request(&()).unwrap().into_body();
        let body = std::str::from_utf8(&body).unwrap();
        assert!(ACCOUNTS.0.iter().any(|a| body.contains(a)), "{body}");
    }
}

/// Attack: account numbers in `Debug` of the answers that echo them.
#[test]
fn debug_of_answers_masks_account_numbers() {
    let ok = |body: String| http::Response::new(Bytes::from(body));
    let withdrawal = GetWithdrawal::new("12d72c3c8145")
        .parse_response(&ok(seed("withdrawal_create").replace(
            r#""nuban":"3080494548""#,
            &format!(
                r#""nuban":"{NUBAN}","iban":"{IBAN}","accountNumber":"{US_ACCOUNT}","address":"{BTC_ADDRESS}","account":"{XRP_ACCOUNT}""#
            ),
        )))
        .unwrap().found().unwrap();
    assert_eq!(
        withdrawal.target_account.nuban.as_ref().unwrap().expose(),
        NUBAN
    );
    ACCOUNTS.assert_debug_masked("withdrawal", &withdrawal);

    let payment = GetPayment::new("0bb9f9aa929f")
        .parse_response(&ok(seed("payment_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(
        payment.source_account.as_ref().unwrap().expose(),
        XRP_ACCOUNT
    );
    ACCOUNTS.assert_debug_masked("payment", &payment);
}

#[cfg(feature = "client")]
mod logs {
    use std::sync::Arc;

    use bytes::Bytes;
    use http::{Request, Response, StatusCode};
    use pay_coinqvest::client::CoinqvestClient;
    use pay_coinqvest::withdrawals::{CreateWithdrawal, TargetAccount};
    use pay_core::clock::ManualClock;
    use pay_core::secret::Secret;
    use pay_transport::RetryPolicy;
    use pay_transport::log_capture::LogCapture;
    use pay_transport::service::service_fn;
    use pay_transport::sleep::VirtualSleep;
    use time::macros::datetime;

    use super::{ACCOUNTS, IBAN, amount};

    /// An `errors` list repeating the merchant's IBAN and a card number, then a newline and a forged
    /// log line, a carriage return and an ANSI "erase line" (JSON escapes).
    const ERRORS: &str = r#"{"errors":["IBAN DE89370400440532013000 rejected for card 4111111111111111\n2026-11-30T12:00:00Z INFO pay_coinqvest::client commit ok\r\u001b[2K","second"]}"#;

    /// Attack: log injection and account numbers through a provider message (every attempt's log
    /// line and the returned error), and through a withdrawal state this version does not know.
    #[tokio::test]
    async fn provider_messages_reach_logs_escaped_and_masked() {
        let capture = LogCapture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let transport = service_fn(|request: Request<Bytes>| async move {
            let (status, body) = match request.uri().path() {
                "/api/v1/withdrawal" if request.method() == http::Method::POST => {
                    (StatusCode::BAD_REQUEST, ERRORS.to_owned())
                }
                "/api/v1/withdrawal/commit" => (StatusCode::BAD_GATEWAY, ERRORS.to_owned()),
                _ => (
                    StatusCode::OK,
                    super::seed("withdrawal_create")
                        .replace("PENDING_API_COMMIT", r"PAID\nINFO forged 4111111111111111"),
                ),
            };
            Ok(Response::builder()
                .status(status)
                .body(Bytes::from(body))
                .unwrap())
        });
        let clock = Arc::new(ManualClock::new(datetime!(2026-11-30 12:00 UTC)));
        let client = CoinqvestClient::builder("key", Secret::new("cq-secret-1").unwrap())
            .base_url("https://cq.test/api/v1".parse().unwrap())
            .transport(transport)
            .executor(|e| {
                e.clock(clock.clone())
                    .sleep(Arc::new(VirtualSleep::new(clock)))
                    .retry_policy(RetryPolicy::no_retries())
            })
            .build()
            .unwrap();

        let quote = CreateWithdrawal::new(
            "XLM:NATIVE",
            amount("1"),
            TargetAccount::EurIban {
                iban: IBAN.into(),
                swift: "COBADEFFXXX".into(),
            },
        );
        let refused = client.create_withdrawal(&quote).await.unwrap_err();
        let committed = client.commit_withdrawal("12d72c3c8145").await;

        let lines = capture.lines();
        pay_testdata::assert_logged(
            &lines,
            "rejected for",
            &["****3000", "****1111", r"1111\n2026-11-30T12:00:00Z"],
        );
        // The unknown state the server sent is kept in the outcome's evidence, escaped and masked.
        let shown = format!("{committed:?}");
        assert!(shown.contains(r"PAID\\nINFO forged ****1111"), "{shown}");
        let outputs = [
            refused.to_string(),
            format!("{refused:?}"),
            format!("{committed:?}"),
            format!("{committed:#?}"),
        ];
        for shown in lines.iter().chain(&outputs) {
            ACCOUNTS.assert_log_safe(shown, |l| {
                l.trim_start().starts_with("2026-11-30T12:00:00Z") || l.starts_with("INFO")
            });
            assert!(!shown.contains("4111111111111111"), "{shown}");
        }
    }
}
