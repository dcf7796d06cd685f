//! Golden tests: for every endpoint, the exact request (method, target, headers, body bytes) signed
//! with a fixed clock and secret, and the seed's example answers (and its error answer) parsed into
//! types. Expected signatures were computed independently (Python `hmac`), not by this crate.
#![allow(clippy::panic, clippy::unwrap_used)] // test code: a failure is a failed test

use bytes::Bytes;
use http::StatusCode;
use pay_coinqvest::checkouts::*;
use pay_coinqvest::customers::*;
use pay_coinqvest::pagination::Page;
use pay_coinqvest::payments::*;
use pay_coinqvest::reference::*;
use pay_coinqvest::service::*;
use pay_coinqvest::state::*;
use pay_coinqvest::wallets::*;
use pay_coinqvest::withdrawals::*;
use pay_coinqvest::{DigestSigner, ENDPOINTS};
use pay_core::Error;
use pay_core::clock::{Clock, FixedClock};
use pay_core::endpoint::{Authenticate, Endpoint};
use pay_core::error::Provider;
use pay_core::json::RawJson;
use pay_core::money::Amount;
use pay_core::recovery::{LookupAnswer, PayoutRecord, Recoverable, RefusalClass, Verdict};
use pay_core::retry::RetryClass;
use pay_core::secret::Secret;
use time::macros::datetime;

mod support;

use support::{amount, seed};

const KEY: &str = "a1b2c3d4e5f6";
const SECRET: &str = "Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx";
/// Unix 1600000000.
const CLOCK: FixedClock = FixedClock(datetime!(2020-09-13 12:26:40 UTC));

/// Builds, signs and compares the whole request.
fn golden<E: Endpoint<Context = ()>>(
    endpoint: &E,
    method: &str,
    target: &str,
    body: &str,
    signature: &str,
) {
    let mut request = endpoint.build_request(&()).unwrap();
    let signer = DigestSigner::new(KEY, Secret::new(SECRET).unwrap());
    signer.authenticate(&mut request, CLOCK.now()).unwrap();

    assert_eq!(request.method().as_str(), method, "{target}");
    assert_eq!(E::INFO.method, request.method());
    assert_eq!(E::INFO.provider, Provider::Coinqvest);
    assert_eq!(request.uri().to_string(), target);
    assert_eq!(request.uri().path(), E::INFO.path);
    assert_eq!(
        std::str::from_utf8(request.body()).unwrap(),
        body,
        "{target}"
    );

    let mut names: Vec<_> = request.headers().keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    let mut expected = vec!["x-digest-key", "x-digest-signature", "x-digest-timestamp"];
    if method != "GET" {
        expected.insert(0, "content-type");
        assert_eq!(request.headers()["content-type"], "application/json");
    } else {
        assert!(body.is_empty(), "GET sends no body");
    }
    assert_eq!(names, expected, "{target}");
    let h = request.headers();
    assert_eq!(h["x-digest-key"], KEY);
    assert_eq!(h["x-digest-timestamp"], "1600000000");
    assert_eq!(h["x-digest-signature"], signature, "{target}");
    assert!(h["x-digest-signature"].is_sensitive());
}

fn ok(body: &str) -> http::Response<Bytes> {
    http::Response::new(Bytes::copy_from_slice(body.as_bytes()))
}

fn status(code: u16, body: &str) -> http::Response<Bytes> {
    let mut response = ok(body);
    *response.status_mut() = StatusCode::from_u16(code).unwrap();
    response
}

const SEED_ERROR: &str = r#"{
    "errors":[
        "Service unavailable."
    ]
}"#;

/// The seed's error answer (with HTTP 500 and 401), and an undecodable 200, for one endpoint.
fn errors_parse<E: Endpoint>(endpoint: &E)
where
    E::Output: std::fmt::Debug,
{
    match endpoint.parse_response(&status(500, SEED_ERROR)) {
        Err(Error::Provider(e)) => {
            assert_eq!(e.provider, Provider::Coinqvest);
            assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(e.code, None);
            assert_eq!(e.details, ["Service unavailable."]);
            assert_eq!(e.message, "Service unavailable.");
            assert!(!e.is_authentication());
        }
        other => panic!("{}: {other:?}", E::INFO.name),
    }
    match endpoint.parse_response(&status(
        401,
        r#"{"errors":["Invalid Digest-Auth signature."]}"#,
    )) {
        Err(Error::Provider(e)) => assert!(e.is_authentication()),
        other => panic!("{}: {other:?}", E::INFO.name),
    }
    match endpoint.parse_response(&status(403, "Forbidden")) {
        Err(Error::Provider(e)) => {
            assert!(e.is_authentication());
            assert_eq!(e.message, "Forbidden");
            assert!(e.details.is_empty());
        }
        other => panic!("{}: {other:?}", E::INFO.name),
    }
    match endpoint.parse_response(&ok(r#"{"unexpected":true"#)) {
        Err(Error::Undecodable { body, .. }) => assert_eq!(&body[..], br#"{"unexpected":true"#),
        other => panic!("{}: {other:?}", E::INFO.name),
    }
}

// ---------------------------------------------------------------- the endpoint table

#[test]
fn twenty_nine_endpoints_with_unique_names_and_routes() {
    assert_eq!(ENDPOINTS.len(), 29);
    let mut names: Vec<_> = ENDPOINTS.iter().map(|i| i.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 29);
    let mut routes: Vec<_> = ENDPOINTS
        .iter()
        .map(|i| format!("{} {}", i.method, i.path))
        .collect();
    routes.sort_unstable();
    routes.dedup();
    assert_eq!(routes.len(), 29);
    for info in &ENDPOINTS {
        assert!(info.name.starts_with("coinqvest."), "{}", info.name);
        assert_eq!(info.provider, Provider::Coinqvest);
        if info.method == http::Method::GET {
            assert_eq!(info.retry_class, RetryClass::Safe, "{}", info.name);
        }
    }
    let commit = ENDPOINTS
        .iter()
        .find(|i| i.path == "/withdrawal/commit")
        .unwrap();
    assert_eq!(commit.retry_class, RetryClass::RecoverByLookup);
}

// ---------------------------------------------------------------- checkouts

fn full_charge() -> CheckoutParams {
    ChargeBuilder::new("USD")
        .customer_id("716dad4c5e5f")
        .line_item(
            LineItem::new("T-Shirt", amount("10"))
                .quantity(1)
                .product_id("P1234"),
        )
        .discount(DiscountItem::new("Loyalty Discount", amount("0.5")))
        .shipping(ShippingCostItem::new("Shipping and Handling", amount("3.99")).taxable(false))
        .tax(TaxItem::new("CA Sales Tax", amount("0.0825")))
        .settlement_currency("USD")
        .webhook("https://www.merchant.com/path/to/webhook")
        .blockchain_relay(
            "ETH",
            "ETH:GBDEVU63Y6NTHJQQZIKVTC23NWLQVP3WJ2RI2OTSJTNYOIGICST6DUXR",
        )
        .blockchain_relay(
            "BTC",
            "BTC:GATEMHCCKCY67ZUCKTROYN24ZYT5GK4EQZ65JJLDHKHRUZI3EUEKMTCH",
        )
        .cancel_url("https://www.merchant.com/path/to/cancel/checkout")
        .return_url("https://www.merchant.com/path/to/complete/checkout")
        .build()
        .unwrap()
}

#[test]
fn golden_create_checkout() {
    let params = full_charge();
    assert_eq!(params.total(), amount("14.27375"));
    assert_eq!(CreateCheckout::INFO.name, "coinqvest.checkout.create");
    assert_eq!(CreateCheckout::INFO.retry_class, RetryClass::Safe);
    golden(
        &CreateCheckout::new(params),
        "POST",
        "/checkout",
        r#"{"charge":{"customerId":"716dad4c5e5f","currency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10,"quantity":1,"productId":"P1234"}],"discountItems":[{"description":"Loyalty Discount","netAmount":0.5}],"shippingCostItems":[{"description":"Shipping and Handling","netAmount":3.99,"taxable":false}],"taxItems":[{"name":"CA Sales Tax","percent":0.0825}]},"settlementCurrency":"USD","webhook":"https://www.merchant.com/path/to/webhook","blockchainRelays":{"ETH":"ETH:GBDEVU63Y6NTHJQQZIKVTC23NWLQVP3WJ2RI2OTSJTNYOIGICST6DUXR","BTC":"BTC:GATEMHCCKCY67ZUCKTROYN24ZYT5GK4EQZ65JJLDHKHRUZI3EUEKMTCH"},"links":{"cancelUrl":"https://www.merchant.com/path/to/cancel/checkout","returnUrl":"https://www.merchant.com/path/to/complete/checkout"}}"#,
        "1458ac5f093a60fb8f7f5472d515c6f287990172c5990c77b2c24334ceb3799a",
    );
}

#[test]
fn golden_commit_checkout() {
    assert_eq!(CommitCheckout::INFO.retry_class, RetryClass::Never);
    golden(
        &CommitCheckout::new("6d55626309d6", "ETH"),
        "POST",
        "/checkout/commit",
        r#"{"checkoutId":"6d55626309d6","assetCode":"ETH"}"#,
        "207040767283e84427a3cb3213570ce3521cddab9e1bfde5da8c3bf774c7686e",
    );
}

#[test]
fn golden_hosted_checkout_unicode() {
    let params = ChargeBuilder::new("USD")
        .line_item(LineItem::new("T-Shirt ✓ Größe M", amount("10.00")))
        .build()
        .unwrap();
    assert_eq!(CreateHostedCheckout::INFO.name, "coinqvest.checkout.hosted");
    golden(
        &CreateHostedCheckout::new(params),
        "POST",
        "/checkout/hosted",
        r#"{"charge":{"currency":"USD","lineItems":[{"description":"T-Shirt ✓ Größe M","netAmount":10}]}}"#,
        "1a127835d0712805f44a7e502b4209886007016b48faf8713fb3c41ab6631cd9",
    );
}

#[test]
fn golden_get_checkout() {
    golden(
        &GetCheckout::new("82098fd51fcc"),
        "GET",
        "/checkout?id=82098fd51fcc",
        "",
        "aa152c3421b880c9dcdcfcb757c6ae7c091188cabd98c5fd5133d082865d51ca",
    );
}

#[test]
fn golden_list_checkouts() {
    golden(
        &ListCheckouts::default(),
        "GET",
        "/checkouts?limit=250&offset=0",
        "",
        "33ff354d4e9c3f4abbab0e2f567cb8f8d045154754a34e51213213d0fe207cd3",
    );
}

// ---------------------------------------------------------------- payments, wallets

#[test]
fn golden_get_payment() {
    golden(
        &GetPayment::new("0bb9f9aa929f"),
        "GET",
        "/payment?id=0bb9f9aa929f",
        "",
        "de0564870b79e0e02324bbc0403f07804ec1a2ff8ab86a1ef265c173412dd8de",
    );
}

#[test]
fn golden_list_payments() {
    golden(
        &ListPayments::new(Page::new(10, 20)),
        "GET",
        "/payments?limit=10&offset=20",
        "",
        "ee87619c6a4c9a780b9373a78d4181025b38e2fa77aa83e3ba21bcb4db6f5606",
    );
}

#[test]
fn golden_list_wallets() {
    golden(
        &ListWallets,
        "GET",
        "/wallets",
        "",
        "0dc2dba3355e7e54d9bf5db8c70b67aed270d2063e26b93c8f71bd7db46bcc9e",
    );
}

#[test]
fn golden_get_wallet() {
    golden(
        &GetWallet::new("USD"),
        "GET",
        "/wallet?assetCode=USD",
        "",
        "4401f71faa132f39a125e1ecb45c2b2c1cc0b9058d47f18c315aa9ad8336bd54",
    );
}

// ---------------------------------------------------------------- withdrawals

const USD_ANCHOR: &str = "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX";

#[test]
fn golden_create_withdrawal_stellar() {
    assert_eq!(CreateWithdrawal::INFO.retry_class, RetryClass::Safe);
    let quote = CreateWithdrawal::new(
        USD_ANCHOR,
        amount("10"),
        TargetAccount::Stellar {
            account: "GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ".into(),
            memo: Some("EXODUS".into()),
            memo_type: Some("text".into()),
        },
    )
    .target_asset("XLM:NATIVE");
    golden(
        &quote,
        "POST",
        "/withdrawal",
        r#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"10","targetNetwork":"XLM","targetAsset":"XLM:NATIVE","targetAccount":{"account":"GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ","memo":"EXODUS","memoType":"text"}}"#,
        "8fe146427d559c7a9b35dc66fb8bfa23b34070b8adb60eb156d6d6bb837e341b",
    );
}

#[test]
fn golden_create_withdrawal_every_target_kind() {
    let cases: Vec<(CreateWithdrawal, &str, &str)> = vec![
        (
            CreateWithdrawal::new(
                USD_ANCHOR,
                amount("100"),
                TargetAccount::EurIban {
                    iban: "DE23100110012624331587".into(),
                    swift: "NTSBDEB1XXX".into(),
                },
            ),
            r#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"100","targetNetwork":"EUR","targetAccount":{"iban":"DE23100110012624331587","swift":"NTSBDEB1XXX"}}"#,
            "4d32b3d5af7331a336de340394b26f67e97a55908525a156c6110b20d018b606",
        ),
        (
            CreateWithdrawal::new(
                USD_ANCHOR,
                amount("100"),
                TargetAccount::Bitcoin {
                    address: "bc1qj633nx575jm28smgcp3mx6n3gh0zg6ndr0ew23".into(),
                },
            )
            .relay("BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5"),
            r#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"100","targetNetwork":"BTC","targetAccount":{"address":"bc1qj633nx575jm28smgcp3mx6n3gh0zg6ndr0ew23"},"relay":"BTC:GBVOL67TMUQBGL4TZYNMY3ZQ5WGQYFPFD5VJRWXR72VA33VFNL225PL5"}"#,
            "e7c33381a099e0336930c58896d756d8d4f3048304a222b926c6c45acfe8a75a",
        ),
        (
            CreateWithdrawal::new(
                USD_ANCHOR,
                amount("100"),
                TargetAccount::Xrp {
                    account: "rEfqXNqQoyVVgkcF51NQNGWst96KJFZQf2".into(),
                    destination_tag: Some("1234".into()),
                },
            ),
            r#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"100","targetNetwork":"XRP","targetAccount":{"account":"rEfqXNqQoyVVgkcF51NQNGWst96KJFZQf2","destinationTag":"1234"}}"#,
            "27f5cd33d4f5d12179e28ea441bab0f905cd1d8aacca278d89a06bc35dcaeaa3",
        ),
        (
            CreateWithdrawal::new(
                USD_ANCHOR,
                amount("100"),
                TargetAccount::NgnBank {
                    nuban: "3080494548".into(),
                    bank: NgnBank::FirstBank,
                },
            ),
            r#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"100","targetNetwork":"NGN","targetAccount":{"nuban":"3080494548","bankName":"FirstBank"}}"#,
            "5bfac1a5fd067144a945785edc35d342a3d64b3687feca34f039fc0da81012b7",
        ),
        (
            CreateWithdrawal::new(
                USD_ANCHOR,
                amount("250.50"),
                TargetAccount::UsdBank {
                    account_number: "000123456789".into(),
                    routing_number: "110000000".into(),
                },
            ),
            r#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"250.50","targetNetwork":"USD","targetAccount":{"accountNumber":"000123456789","routingNumber":"110000000"}}"#,
            "f05a8a5fb5595bcb3315e5a213a13478292ca2aa802ada976157b925e301b14f",
        ),
        (
            CreateWithdrawal::new(
                USD_ANCHOR,
                amount("75"),
                TargetAccount::CadBank {
                    account_number: "1234567".into(),
                    routing_number: "000112345".into(),
                },
            ),
            r#"{"sourceAsset":"USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX","sourceAmount":"75","targetNetwork":"CAD","targetAccount":{"accountNumber":"1234567","routingNumber":"000112345"}}"#,
            "4eae168348b75a9bccd70b2fe348613ca46fb6c86759e461d82f84b9bac17e2b",
        ),
        (
            CreateWithdrawal::new(
                "XLM:NATIVE",
                amount("0.5"),
                TargetAccount::Ethereum {
                    address: "0xc85eBb197c8212C09B7d0905C3ce9e3fCe324F0B".into(),
                },
            ),
            r#"{"sourceAsset":"XLM:NATIVE","sourceAmount":"0.5","targetNetwork":"ETH","targetAccount":{"address":"0xc85eBb197c8212C09B7d0905C3ce9e3fCe324F0B"}}"#,
            "543876844f3a1351ff882ae5b7eefe94c18655eb03900bdc98de962f69e92d64",
        ),
        (
            CreateWithdrawal::new(
                "XLM:NATIVE",
                amount("1.25"),
                TargetAccount::Litecoin {
                    address: "ltc1qg82tzv5lqz4wyyqvm4c2v6nqz3yx9q8r9rjvlp".into(),
                },
            ),
            r#"{"sourceAsset":"XLM:NATIVE","sourceAmount":"1.25","targetNetwork":"LTC","targetAccount":{"address":"ltc1qg82tzv5lqz4wyyqvm4c2v6nqz3yx9q8r9rjvlp"}}"#,
            "481d7cfb6a1dad913fcdf5f8ee999a5677591ac6eb9f181d0c1dadbab0ad9cc6",
        ),
    ];
    for (quote, body, signature) in &cases {
        golden(quote, "POST", "/withdrawal", body, signature);
    }
    // Stellar without memo sends no memo keys.
    let bare = CreateWithdrawal::new(
        "XLM:NATIVE",
        amount("1"),
        TargetAccount::Stellar {
            account: "GASKY".into(),
            memo: None,
            memo_type: None,
        },
    );
    assert_eq!(
        bare.build_request(&()).unwrap().body().as_ref(),
        br#"{"sourceAsset":"XLM:NATIVE","sourceAmount":"1","targetNetwork":"XLM","targetAccount":{"account":"GASKY"}}"#
    );
}

#[test]
fn ngn_bank_list_is_the_seeds() {
    let names: Vec<_> = NgnBank::ALL.iter().map(NgnBank::as_str).collect();
    assert_eq!(
        names.join(", "),
        "AccessBank, CitiBank, DiamondBank, Ecobank, EnterpriseBank, FCMB, FidelityBank, FirstBank, GTBank, Heritage, JaizBank, KeystoneBank, ProvidusBank, SkyeBank, Stanbic, StandardChartered, SterlingBank, SuntrustBank, UBA, UnionBank, UnityBank, WemaBank, ZenithBank"
    );
    for bank in NgnBank::ALL {
        assert_eq!(bank.as_str().parse::<NgnBank>().unwrap(), *bank);
    }
    assert!(
        matches!("First Bank".parse::<NgnBank>(), Err(Error::InvalidInput { ref field, .. }) if field == "targetAccount.bankName")
    );
}

#[test]
fn withdrawal_refusals_before_sending() {
    let refused = |quote: CreateWithdrawal, field: &str| match quote.build_request(&()) {
        Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
        other => panic!("{field}: {other:?}"),
    };
    let btc = || TargetAccount::Bitcoin {
        address: "bc1q".into(),
    };
    refused(
        CreateWithdrawal::new(USD_ANCHOR, amount("0"), btc()),
        "sourceAmount",
    );
    refused(
        CreateWithdrawal::new(USD_ANCHOR, amount("-1"), btc()),
        "sourceAmount",
    );
    refused(CreateWithdrawal::new("", amount("1"), btc()), "sourceAsset");
    refused(
        CreateWithdrawal::new(USD_ANCHOR, amount("1"), btc()).target_asset("XLM:NATIVE"),
        "targetAsset",
    );
    refused(
        CreateWithdrawal::new(
            USD_ANCHOR,
            amount("1"),
            TargetAccount::Stellar {
                account: "G".into(),
                memo: None,
                memo_type: None,
            },
        )
        .relay("BTC:X"),
        "relay",
    );
    refused(
        CreateWithdrawal::new(
            USD_ANCHOR,
            amount("1"),
            TargetAccount::EurIban {
                iban: " ".into(),
                swift: "X".into(),
            },
        ),
        "targetAccount.iban",
    );
}

#[test]
fn golden_commit_withdrawal() {
    assert_eq!(
        CommitWithdrawal::INFO.retry_class,
        RetryClass::RecoverByLookup
    );
    golden(
        &CommitWithdrawal::new("12d72c3c8145"),
        "POST",
        "/withdrawal/commit",
        r#"{"withdrawalId":"12d72c3c8145"}"#,
        "56a7564ee8e271d73c3f4e70a9f5cde78c030a924cb1a01f2f7a5f3dc8792755",
    );
}

#[test]
fn golden_get_withdrawal() {
    golden(
        &GetWithdrawal::new("12d72c3c8145"),
        "GET",
        "/withdrawal?id=12d72c3c8145",
        "",
        "bb7a080c262c627159a60dec847752356d315734a10fff8b260b2bd9da03b5b6",
    );
}

#[test]
fn golden_list_withdrawals() {
    golden(
        &ListWithdrawals::default(),
        "GET",
        "/withdrawals?limit=250&offset=0",
        "",
        "1b0bb9d9d306ec363a61b2633461babd802f8590a56f77af4e4d6d6904d12261",
    );
}

// ---------------------------------------------------------------- reference data

#[test]
fn golden_list_asset_issuers() {
    golden(
        &ListAssetIssuers,
        "GET",
        "/asset-issuers",
        "",
        "d623d7f6687adf0f57867db7b470e2775d04355406241cf8965f5d32708bb912",
    );
}

#[test]
fn golden_get_asset_issuer() {
    golden(
        &GetAssetIssuer::new("XLM:NATIVE"),
        "GET",
        "/asset-issuer?id=XLM:NATIVE",
        "",
        "c0eea3ceb16232f1a4d30a0095004ab49174c84a7cb315347484254ade864083",
    );
}

#[test]
fn golden_list_assets() {
    golden(
        &ListAssets,
        "GET",
        "/assets",
        "",
        "2a6bf8a5ddbf753c255cadfc3df3c32229a98943be6cd7da1a3f1717a514b062",
    );
}

#[test]
fn golden_get_asset() {
    golden(
        &GetAsset::new("ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU"),
        "GET",
        "/asset?id=ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU",
        "",
        "71e867d90d5ebd397b50edce5ab2f53c7f5cf5aff365e80fcbdb25739e36bb4e",
    );
}

#[test]
fn golden_list_fiat_currencies() {
    golden(
        &ListFiatCurrencies,
        "GET",
        "/fiat-currencies",
        "",
        "8c8d2bee75a482d758b4e53d7524ab1fd974c37a20f709da5d025f0093f130ef",
    );
}

/// Seed inconsistency: the table names the parameter `id`, the example sends `assetCode`.
#[test]
fn golden_get_fiat_currency_sends_asset_code() {
    golden(
        &GetFiatCurrency::new("USD"),
        "GET",
        "/fiat-currency?assetCode=USD",
        "",
        "16dc4bf93408348406869d29bb3eb6a77a6ee9c452a33cc2499ce78ac971f324",
    );
}

#[test]
fn golden_list_blockchains() {
    golden(
        &ListBlockchains,
        "GET",
        "/blockchains",
        "",
        "342c2201cc2e946dea872e9ad738d2835e77d7fa0b59162e6347c41158d07c3f",
    );
}

#[test]
fn golden_get_blockchain() {
    golden(
        &GetBlockchain::new("BTC"),
        "GET",
        "/blockchain?assetCode=BTC",
        "",
        "9b694bb6061c79a38339063ff25789df1253d025351b7c1db3c2ccbb76c4eccf",
    );
}

// ---------------------------------------------------------------- service

#[test]
fn golden_ping() {
    golden(
        &Ping,
        "GET",
        "/ping",
        "",
        "ef2739e44fcbad625d5a189dea83ff641c20a282f83cc6610acce2d25b2d1bc7",
    );
}

#[test]
fn golden_time() {
    golden(
        &GetTime,
        "GET",
        "/time",
        "",
        "f8772f8e40af8d12409f6b9362842e4d97c875bc3861c50d1f22d795384208ee",
    );
}

#[test]
fn golden_auth_test() {
    golden(
        &AuthTest,
        "GET",
        "/auth-test",
        "",
        "fd7c0d99d89668be18afa1110b54ceaf1bed8d92c578fb4944b24adfe2b9cf2b",
    );
}

// ---------------------------------------------------------------- customers

#[test]
fn golden_list_customers() {
    golden(
        &ListCustomers::default(),
        "GET",
        "/customers?limit=250&offset=0",
        "",
        "09aba304f161cab0e4deac50a0913ae1fa9800ff39c767782b125312afefd4d5",
    );
}

/// Seed 003's `POST /customer` example.
fn seed_customer() -> NewCustomer {
    NewCustomer {
        firstname: Some("John".into()),
        lastname: Some("Doe".into()),
        company: Some("ACME Inc.".into()),
        adr1: Some("810 Beach St".into()),
        adr2: Some("Finance Dept".into()),
        zip: Some("CA 94133".into()),
        city: Some("San Francisco".into()),
        countrycode: Some("US".into()),
        phonenumber: Some("+14156226819".into()),
        taxid: Some("US1234567890".into()),
        note: Some("Always pays on time. Never late.".into()),
        meta: Some(RawJson::from_text(r#"{"reference":123}"#).unwrap()),
        ..NewCustomer::new("john@doe.com")
    }
}

#[test]
fn golden_create_customer() {
    golden(
        &CreateCustomer::new(seed_customer()),
        "POST",
        "/customer",
        r#"{"customer":{"email":"john@doe.com","firstname":"John","lastname":"Doe","company":"ACME Inc.","adr1":"810 Beach St","adr2":"Finance Dept","zip":"CA 94133","city":"San Francisco","countrycode":"US","phonenumber":"+14156226819","taxid":"US1234567890","note":"Always pays on time. Never late.","meta":{"reference":123}}}"#,
        "69f634c4a3f4510174e3e63ab31b053ca7874e9a9c5e1651846259947937ffe6",
    );
}

#[test]
fn golden_get_customer() {
    golden(
        &GetCustomer::new("fd4f47a50c7f"),
        "GET",
        "/customer?id=fd4f47a50c7f",
        "",
        "30af3c150a11bdedc5b40a26513bc3827772c4bc31abdeeef26133e01398e3ad",
    );
}

#[test]
fn golden_update_customer_null_unsets_absent_leaves() {
    let update = CustomerUpdate {
        email: Some("new@email-address.com".into()),
        firstname: Patch::Set("Zoë".into()),
        note: Patch::Unset,
        meta: Patch::Set(RawJson::from_text(r#"{"tier":"gold"}"#).unwrap()),
        ..CustomerUpdate::new("fd4f47a50c7f")
    };
    golden(
        &UpdateCustomer::new(update),
        "PUT",
        "/customer",
        r#"{"customer":{"id":"fd4f47a50c7f","email":"new@email-address.com","firstname":"Zoë","note":null,"meta":{"tier":"gold"}}}"#,
        "e7fed2be80035bcc581aa8c5992dec9b3bd1669c4203d44596f7db9c60d1f2c4",
    );
}

#[test]
fn golden_delete_customer() {
    golden(
        &DeleteCustomer::new("fd4f47a50c7f"),
        "DELETE",
        "/customer",
        r#"{"id":"fd4f47a50c7f"}"#,
        "f47b4db1cdae67d776df03ad81bdd7f5ac602223601109bfb091fce4530625ec",
    );
}

#[track_caller]
fn refused_naming<T: std::fmt::Debug>(result: Result<T, Error>, expected: &str) {
    match result {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, expected),
        other => panic!("expected a refusal naming {expected}, got {other:?}"),
    }
}

/// Seed 003's full checkout example taxes at `"percent": 0.0825` ("in decimal notation, e.g.
/// 0.0825 to represent a tax rate of 8.25%"): a rate of 1 or more is a percentage written where a
/// fraction belongs (8.25 would charge 825 % tax) and is refused (before, it was sent).
#[test]
fn tax_rates_are_fractions_below_one() {
    let with_tax = |percent: &str| {
        ChargeBuilder::new("USD")
            .customer_id("716dad4c5e5f")
            .line_item(LineItem::new("T-Shirt", amount("10")))
            .tax(TaxItem::new("CA Sales Tax", amount(percent)))
            .build()
    };
    assert_eq!(with_tax("0.0825").unwrap().total(), amount("10.825"));
    assert!(with_tax("0").is_ok());
    assert!(with_tax("0.9999").is_ok());
    for bad in ["8.25", "1", "1.0", "-0.01"] {
        refused_naming(with_tax(bad), "charge.taxItems[0].percent");
    }
}

/// Seed 003 types every customer id `string(12)` (its example `716dad4c5e5f`): a longer one is not
/// an id POST /customer gave, and is refused before sending (before, it was sent).
#[test]
fn customer_ids_are_at_most_twelve_characters() {
    let charge = |id: &str| {
        ChargeBuilder::new("USD")
            .customer_id(id)
            .line_item(LineItem::new("T-Shirt", amount("10")))
            .build()
    };
    assert!(charge("716dad4c5e5f").is_ok());
    refused_naming(charge("716dad4c5e5f0"), "charge.customerId");
    refused_naming(charge(""), "charge.customerId");
    assert!(GetCustomer::new("fd4f47a50c7f").build_request(&()).is_ok());
    refused_naming(GetCustomer::new("fd4f47a50c7fa").build_request(&()), "id");
    refused_naming(
        DeleteCustomer::new("fd4f47a50c7fa").build_request(&()),
        "id",
    );
    refused_naming(
        UpdateCustomer::new(CustomerUpdate::new("fd4f47a50c7fa")).build_request(&()),
        "customer.id",
    );
}

/// Seed 003's customer tables: adr1, zip, city and countrycode "Must be provided alongside" each
/// other. The seed's example (all four) passes; any of them without the others is refused, naming
/// a given one and listing the missing ones (before, a partial address was sent).
#[test]
fn customer_addresses_come_whole() {
    let seed_example = seed_customer();
    assert!(
        CreateCustomer::new(seed_example.clone())
            .build_request(&())
            .is_ok()
    );
    assert!(
        CreateCustomer::new(NewCustomer::new("john@doe.com"))
            .build_request(&())
            .is_ok()
    );
    let no_zip = NewCustomer {
        zip: None,
        ..seed_example.clone()
    };
    let err = CreateCustomer::new(no_zip).build_request(&()).unwrap_err();
    assert!(err.to_string().contains("missing: zip"), "{err}");
    refused_naming(Err::<(), _>(err), "customer.adr1");
    let only_city = NewCustomer {
        city: Some("San Francisco".into()),
        ..NewCustomer::new("john@doe.com")
    };
    refused_naming(
        CreateCustomer::new(only_city).build_request(&()),
        "customer.city",
    );

    let move_house = CustomerUpdate {
        adr1: Patch::Set("1 Main St".into()),
        zip: Patch::Set("94000".into()),
        city: Patch::Set("Oakland".into()),
        countrycode: Patch::Set("US".into()),
        ..CustomerUpdate::new("fd4f47a50c7f")
    };
    assert!(
        UpdateCustomer::new(move_house.clone())
            .build_request(&())
            .is_ok()
    );
    let forget_address = CustomerUpdate {
        adr1: Patch::Unset,
        zip: Patch::Unset,
        city: Patch::Unset,
        countrycode: Patch::Unset,
        ..CustomerUpdate::new("fd4f47a50c7f")
    };
    assert!(
        UpdateCustomer::new(forget_address)
            .build_request(&())
            .is_ok()
    );
    let city_only = CustomerUpdate {
        adr1: Patch::Keep,
        zip: Patch::Keep,
        countrycode: Patch::Keep,
        ..move_house
    };
    refused_naming(
        UpdateCustomer::new(city_only).build_request(&()),
        "customer.city",
    );
}

#[test]
fn customer_refusals_before_sending() {
    assert!(
        CreateCustomer::new(NewCustomer::new(" "))
            .build_request(&())
            .is_err()
    );
    let bad_country = NewCustomer {
        countrycode: Some("USA".into()),
        ..NewCustomer::new("a@b.c")
    };
    assert!(matches!(
        CreateCustomer::new(bad_country).build_request(&()),
        Err(Error::InvalidInput { ref field, .. }) if field == "customer.countrycode"
    ));
    assert!(
        UpdateCustomer::new(CustomerUpdate::new(""))
            .build_request(&())
            .is_err()
    );
    assert!(DeleteCustomer::new("").build_request(&()).is_err());
    assert!(GetCheckout::new("").build_request(&()).is_err());
}

// ================================================================ the seed's answers

#[test]
fn parse_create_checkout() {
    let call = CreateCheckout::new(full_charge());
    let out = call.parse_response(&ok(&seed("checkout_create"))).unwrap();
    assert_eq!(out.id, "6d55626309d6");
    assert_eq!(out.payment_methods.len(), 5);
    assert_eq!(out.payment_methods[4].asset_code, "XRP");
    assert_eq!(out.payment_methods[4].payment_amount, amount("42.282669"));
    assert_eq!(
        out.payment_methods[0].payment_amount.to_string(),
        "165.7007861"
    );
    assert_eq!(
        out.commit("BTC"),
        CommitCheckout::new("6d55626309d6", "BTC")
    );
    errors_parse(&call);
}

#[test]
fn parse_commit_checkout_each_blockchain() {
    let call = CommitCheckout::new("29d030183ce9", "ETH");
    let eth = call
        .parse_response(&ok(&seed("checkout_commit_eth")))
        .unwrap();
    assert_eq!(eth.deposit_instructions.amount, amount("0.0056804"));
    assert_eq!(eth.deposit_instructions.memo, None);
    assert_eq!(
        eth.expiration_time.instant(),
        datetime!(2020-02-26 18:49:33 UTC)
    );
    assert_eq!(eth.checkout_id, "29d030183ce9");
    let xlm = call
        .parse_response(&ok(&seed("checkout_commit_xlm")))
        .unwrap();
    assert_eq!(
        xlm.deposit_instructions.memo.as_deref(),
        Some("snowy-hills")
    );
    assert_eq!(xlm.deposit_instructions.memo_type.as_deref(), Some("text"));
    let xrp = call
        .parse_response(&ok(&seed("checkout_commit_xrp")))
        .unwrap();
    assert_eq!(
        xrp.deposit_instructions.destination_tag.as_deref(),
        Some("15918")
    );
    assert_eq!(xrp.deposit_instructions.amount.to_string(), "4.535824");
    errors_parse(&call);
}

#[test]
fn parse_hosted_checkout() {
    let call = CreateHostedCheckout::new(full_charge());
    let out = call.parse_response(&ok(&seed("checkout_hosted"))).unwrap();
    assert_eq!(out.id, "b5bcf27e5482");
    assert_eq!(
        out.url,
        "https://www.coinqvest.com/en/checkout?id=b5bcf27e5482"
    );
    assert_eq!(out.status_request(), GetCheckout::new("b5bcf27e5482"));
    errors_parse(&call);
}

#[test]
fn parse_get_checkout() {
    let call = GetCheckout::new("82098fd51fcc");
    let out = call
        .parse_response(&ok(&seed("checkout_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(out.state, CheckoutState::Completed);
    assert!(out.is_completed_and_credited());
    assert_eq!(out.hosted_checkout_url, None);
    assert_eq!(out.timestamp.instant(), datetime!(2020-03-02 19:36:33 UTC));
    let payment = &out.payments[0];
    assert_eq!(payment.state, Some(PaymentState::Resolved));
    assert_eq!(payment.credit_amount.to_string(), "10.0000000");
    assert_eq!(payment.source_amount, amount("170.1372"));
    assert_eq!(
        payment.timestamp.instant(),
        datetime!(2020-03-02 21:37:10 +02:00)
    );
    let charge = out.submitted_charge().unwrap().unwrap();
    assert_eq!(charge.line_items[0].net_amount, amount("10"));
    assert_eq!(charge.customer_id.as_deref(), Some("1acf0d0b10bd"));
    errors_parse(&call);
}

#[test]
fn parse_list_checkouts_limit_as_string() {
    let call = ListCheckouts::default();
    let out = call.parse_response(&ok(&seed("checkouts_list"))).unwrap();
    assert_eq!((out.count, out.limit, out.offset), (67, 2, 0)); // "limit":"2"
    assert_eq!(out.checkouts.len(), 2);
    assert_eq!(out.checkouts[1].state, CheckoutState::Expired);
    assert!(out.checkouts[1].payments.is_empty());
    assert_eq!(
        out.checkouts[0]
            .submitted_charge()
            .unwrap()
            .unwrap()
            .line_items[0]
            .net_amount,
        amount("0.01")
    );
    use pay_coinqvest::pagination::Paginated;
    assert_eq!(
        call.next_page(&out),
        Some(ListCheckouts::new(Page::new(250, 2)))
    );
    errors_parse(&call);
}

#[test]
fn parse_get_payment() {
    let call = GetPayment::new("0bb9f9aa929f");
    let out = call
        .parse_response(&ok(&seed("payment_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(out.source_blockchain, "XRP");
    assert_eq!(out.source_amount, amount("4.4292550"));
    assert_eq!(out.payment_type, "PAYMENT");
    assert_eq!(out.confirmation_request(), GetCheckout::new("2b2813372e89"));
    errors_parse(&call);
}

/// The seed's second payment has no `state`: it still parses.
#[test]
fn parse_list_payments_with_missing_state() {
    let call = ListPayments::default();
    let out = call.parse_response(&ok(&seed("payments_list"))).unwrap();
    assert_eq!((out.count, out.limit, out.offset), (2, 250, 0));
    assert_eq!(out.payments[0].state, Some(PaymentState::Resolved));
    assert_eq!(out.payments[1].state, None);
    assert_eq!(out.payments[1].customer_id, None);
    use pay_coinqvest::pagination::Paginated;
    assert_eq!(call.next_page(&out), None);
    errors_parse(&call);
}

#[test]
fn parse_list_wallets_numbers_exact() {
    let call = ListWallets;
    let out = call.parse_response(&ok(&seed("wallets_list"))).unwrap();
    assert_eq!(out.wallets.len(), 8);
    let xrp = &out.wallets[4];
    assert_eq!(xrp.kind, AssetKind::Crypto);
    assert_eq!(xrp.balance.to_string(), "562.9698492");
    let usd = &out.wallets[7];
    assert_eq!(usd.kind, AssetKind::Fiat);
    assert_eq!(usd.balance.to_string(), "10.835825");
    assert_eq!(
        usd.assets[0].path,
        "/api/v1/asset?id=USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX"
    );
    let total = out
        .wallets
        .iter()
        .filter(|w| w.kind == AssetKind::Fiat)
        .fold(Amount::ZERO, |acc, w| acc.checked_add(w.balance).unwrap());
    assert_eq!(total.to_string(), "3949.085825");
    errors_parse(&call);
}

#[test]
fn parse_get_wallet() {
    let call = GetWallet::new("USD");
    let out = call
        .parse_response(&ok(&seed("wallet_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(out.asset_code, "USD");
    assert_eq!(out.assets[0].balance, amount("10.835825"));
    errors_parse(&call);
}

#[test]
fn parse_create_withdrawal() {
    let call = CreateWithdrawal::new(
        USD_ANCHOR,
        amount("142.31566"),
        TargetAccount::NgnBank {
            nuban: "3080494548".into(),
            bank: NgnBank::FirstBank,
        },
    );
    let out = call
        .parse_response(&ok(&seed("withdrawal_create")))
        .unwrap();
    assert_eq!(out.state, WithdrawalState::PendingApiCommit);
    assert!(out.state.is_awaiting_commit());
    assert_eq!(out.target_amount.to_string(), "30727.1358200");
    assert_eq!(out.withdrawal_fee, amount("200"));
    assert_eq!(out.target_blockchain, None);
    assert_eq!(out.target_fiat_currency.as_deref(), Some("NGN"));
    assert_eq!(out.target_account.bank_name.as_deref(), Some("FirstBank"));
    // The commit of a quote is pinned to its terms.
    let commit = out.commit();
    assert_eq!(commit.withdrawal_id, "12d72c3c8145");
    let terms = &commit.terms;
    assert_eq!(terms.source_amount, Some(amount("142.31566")));
    assert_eq!(terms.target_amount, Some(amount("30727.13582")));
    assert_eq!(
        terms.target_account.as_ref().unwrap().expose(),
        "3080494548"
    );
    assert_eq!(
        serde_json::to_string(&commit).unwrap(),
        r#"{"withdrawalId":"12d72c3c8145"}"#
    );
    errors_parse(&call);
}

#[test]
fn parse_commit_withdrawal_and_recover() {
    let call = CommitWithdrawal::new("12d72c3c8145");
    let out = call
        .parse_response(&ok(&seed("withdrawal_commit")))
        .unwrap();
    assert_eq!(out.state, WithdrawalState::Completed);
    assert_eq!(
        out.transaction_id.as_deref(),
        Some("62070ddf01d98e4cb3dc25e5052810259013df28a9e551d948fa2e1b1757de09")
    );
    errors_parse(&call);

    // Unknown outcome: look it up, never re-send blindly; judge what is read.
    assert_eq!(call.lookup(), GetWithdrawal::new("12d72c3c8145"));
    let quote = CreateWithdrawal::new(
        USD_ANCHOR,
        amount("142.31566"),
        TargetAccount::NgnBank {
            nuban: "3080494548".into(),
            bank: NgnBank::FirstBank,
        },
    )
    .parse_response(&ok(&seed("withdrawal_create")))
    .unwrap();
    let pinned = quote.commit();
    let read = |body: String| {
        let found = GetWithdrawal::new("x").parse_response(&ok(&body)).unwrap();
        found.into_payout().found().unwrap()
    };
    let verdict = |commit: &CommitWithdrawal, w: &Withdrawal| match w.judge(&commit.intent()) {
        Verdict::Same => "same".to_owned(),
        Verdict::Absent => "absent".to_owned(),
        Verdict::InDoubt { .. } => "doubt".to_owned(),
        Verdict::Conflict { differences } => differences
            .iter()
            .map(|d| d.field.as_str())
            .collect::<Vec<_>>()
            .join(","),
    };
    let get = seed("withdrawal_get");
    // (withdrawal read, verdict for the id alone, verdict for the pinned quote)
    let cases = [
        (get.to_owned(), "same", "same"),
        (seed("withdrawal_create"), "absent", "absent"),
        (
            get.replace("\"COMPLETED\"", "\"PROCESSING\""),
            "same",
            "same",
        ),
        (get.replace("\"COMPLETED\"", "\"FAILED\""), "same", "same"),
        (
            get.replace("\"COMPLETED\"", "\"ON_HOLD\""),
            "doubt",
            "doubt",
        ),
        (get.replace("12d72c3c8145", "aaaaaaaaaaaa"), "id", "id"),
        (
            get.replace("142.3156600", "1.0000000"),
            "same",
            "sourceAmount",
        ),
        (
            get.replace("30727.1358200", "30000.0000000"),
            "same",
            "targetAmount",
        ),
        (
            get.replace("3080494548", "0000000001"),
            "same",
            "targetAccount",
        ),
    ];
    for (body, by_id, by_quote) in cases {
        let w = read(body);
        assert_eq!(verdict(&call, &w), by_id, "{w:?}");
        assert_eq!(verdict(&pinned, &w), by_quote, "{w:?}");
    }
    // The commit's own answer is judged the same way.
    assert_eq!(verdict(&pinned, &out), "same");
    // 404 on the read means "no such withdrawal".
    let missing = pay_core::error::ProviderError::new(
        Provider::Coinqvest,
        StatusCode::NOT_FOUND,
        None,
        "Withdrawal not found.",
        vec![],
    );
    assert!(CommitWithdrawal::lookup_refusal_is_not_found(&missing));
    // Refusals of a commit: read first, except authentication and throttling.
    let refusal = |status: u16| {
        CommitWithdrawal::classify_refusal(&pay_core::error::ProviderError::new(
            Provider::Coinqvest,
            StatusCode::from_u16(status).unwrap(),
            None,
            "Withdrawal is COMPLETED and cannot be committed.",
            vec![],
        ))
    };
    assert_eq!(refusal(400), RefusalClass::LookFirst);
    assert_eq!(refusal(404), RefusalClass::LookFirst);
    assert_eq!(refusal(409), RefusalClass::LookFirst);
    assert_eq!(refusal(401), RefusalClass::Definitive);
    assert_eq!(refusal(403), RefusalClass::Definitive);
    assert_eq!(refusal(429), RefusalClass::Throttled);
}

#[test]
fn parse_get_withdrawal() {
    let call = GetWithdrawal::new("12d72c3c8145");
    let out = call
        .parse_response(&ok(&seed("withdrawal_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(out.target_fiat_currency.as_deref(), Some("NGN"));
    assert!(out.state.is_committed());
    errors_parse(&call);
}

/// Seed inconsistency: list items say `targetBlockchainId`/`targetFiatCurrencyId`, and `limit` is a
/// string.
#[test]
fn parse_list_withdrawals_id_suffixed_fields() {
    let call = ListWithdrawals::default();
    let out = call.parse_response(&ok(&seed("withdrawals_list"))).unwrap();
    assert_eq!((out.count, out.limit, out.offset), (2, 10, 0));
    assert_eq!(out.withdrawals[0].target_blockchain.as_deref(), Some("XLM"));
    assert_eq!(out.withdrawals[0].target_fiat_currency, None);
    assert_eq!(out.withdrawals[0].withdrawal_fee.to_string(), "0");
    assert_eq!(
        out.withdrawals[0].target_account.memo.as_deref(),
        Some("EXODUS")
    );
    assert_eq!(out.withdrawals[1].target_blockchain, None);
    assert_eq!(
        out.withdrawals[1].target_fiat_currency.as_deref(),
        Some("NGN")
    );
    errors_parse(&call);
}

#[test]
fn parse_list_asset_issuers() {
    let call = ListAssetIssuers;
    let out = call
        .parse_response(&ok(&seed("asset_issuers_list")))
        .unwrap();
    let btc = &out.asset_issuers[0];
    assert_eq!(btc.kind, AssetKind::Crypto);
    assert_eq!(btc.withdrawals.fee_fixed, amount("0.0005"));
    assert_eq!(btc.checkouts.max, None);
    assert_eq!(btc.blockchain.as_ref().unwrap().native_asset_code, "BTC");
    assert!(btc.fiat_currency.is_none());
    let usd = &out.asset_issuers[1];
    assert!(!usd.checkouts.enabled);
    assert_eq!(usd.fiat_currency.as_ref().unwrap().asset_code, "USD");
    errors_parse(&call);
}

#[test]
fn parse_get_asset_issuer() {
    let call = GetAssetIssuer::new("EURT:GAP5LETOV6YIE62YAM56STDANPRDO7ZFDBGSNHJQIYGGKSMOZAHOOS2S");
    let out = call
        .parse_response(&ok(&seed("asset_issuer_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(out.name, "Tempo");
    assert_eq!(out.withdrawals.fee_fixed.to_string(), "1.9800000");
    errors_parse(&call);
}

#[test]
fn parse_list_assets() {
    let call = ListAssets;
    let out = call.parse_response(&ok(&seed("assets_list"))).unwrap();
    assert_eq!(out.assets.len(), 3);
    assert_eq!(
        out.assets[0].issuer.as_ref().unwrap().path,
        "/api/v1/asset-issuer?id=XLM:NATIVE"
    );
    errors_parse(&call);
}

#[test]
fn parse_get_asset() {
    let call = GetAsset::new("ETH:GBETHKBL5TCUTQ3JPDIYOZ5RDARTMHMEKIO2QZQ7IOZ4YC5XV3C2IKYU");
    let out = call
        .parse_response(&ok(&seed("asset_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(out.code, "ETH");
    assert_eq!(out.issuer.unwrap().name.as_deref(), Some("Firefly"));
    errors_parse(&call);
}

#[test]
fn parse_list_fiat_currencies() {
    let call = ListFiatCurrencies;
    let out = call
        .parse_response(&ok(&seed("fiat_currencies_list")))
        .unwrap();
    assert_eq!(out.fiat_currencies[0].min_charge_amount.to_string(), "0.01");
    assert!(out.fiat_currencies[0].asset_issuers[0].default);
    errors_parse(&call);
}

/// Seed inconsistency: the single object arrives wrapped in an array; both shapes parse.
#[test]
fn parse_get_fiat_currency_both_shapes() {
    let call = GetFiatCurrency::new("USD");
    let wrapped = call
        .parse_response(&ok(&seed("fiat_currency_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(wrapped.asset_code, "USD");
    let plain_body = seed("fiat_currency_get")
        .replacen('[', "", 1)
        .rsplit_once(']')
        .map(|(a, b)| format!("{a}{b}"))
        .unwrap();
    let plain = call
        .parse_response(&ok(&plain_body))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(plain, wrapped);
    for bad in [
        r#"{"fiatCurrency":[]}"#,
        r#"{"fiatCurrency":[{},{}]}"#,
        r#"{"fiatCurrency":"USD"}"#,
    ] {
        assert!(
            matches!(
                call.parse_response(&ok(bad)),
                Err(Error::Undecodable { .. })
            ),
            "{bad}"
        );
    }
    errors_parse(&call);
}

#[test]
fn parse_list_blockchains() {
    let call = ListBlockchains;
    let out = call.parse_response(&ok(&seed("blockchains_list"))).unwrap();
    assert_eq!(out.blockchains[1].native_asset_code, "ETH");
    assert_eq!(out.blockchains[1].asset_issuers.len(), 3);
    errors_parse(&call);
}

/// Seed inconsistency: the single object arrives wrapped in an array; both shapes parse.
#[test]
fn parse_get_blockchain_both_shapes() {
    let call = GetBlockchain::new("BTC");
    let wrapped = call
        .parse_response(&ok(&seed("blockchain_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(wrapped.min_charge_amount, amount("0.005"));
    assert_eq!(wrapped.asset_issuers[2].name, "Stellarport");
    let plain = format!(
        r#"{{"blockchain":{}}}"#,
        r#"{"name":"Bitcoin","nativeAssetCode":"BTC","nativeAssetName":"Bitcoin","minChargeAmount":"0.005","assetIssuers":[]}"#
    );
    assert_eq!(
        call.parse_response(&ok(&plain))
            .unwrap()
            .found()
            .unwrap()
            .native_asset_code,
        "BTC"
    );
    errors_parse(&call);
}

#[test]
fn parse_ping_time_auth_test() {
    assert!(Ping.parse_response(&ok(&seed("ping"))).unwrap().success);
    assert!(
        AuthTest
            .parse_response(&ok(&seed("auth_test")))
            .unwrap()
            .success
    );
    assert!(matches!(
        Ping.parse_response(&ok(r#"{"success":false}"#)),
        Err(Error::Provider(_))
    ));
    let time = GetTime.parse_response(&ok(&seed("time"))).unwrap();
    assert_eq!(time.time, 1525898643);
    assert_eq!(time.instant().unwrap(), datetime!(2018-05-09 20:44:03 UTC));
    errors_parse(&Ping);
    errors_parse(&GetTime);
    errors_parse(&AuthTest);
}

#[test]
fn server_time_feeds_the_signing_clock() {
    use pay_core::clock::{ManualClock, OffsetClock};
    let local = ManualClock::new(datetime!(2018-05-09 20:43:00 UTC));
    let clock = OffsetClock::new(&local);
    GetTime
        .parse_response(&ok(&seed("time")))
        .unwrap()
        .sync(&clock)
        .unwrap();
    let mut request = AuthTest.build_request(&()).unwrap();
    DigestSigner::new(KEY, Secret::new(SECRET).unwrap())
        .authenticate(&mut request, clock.now())
        .unwrap();
    assert_eq!(request.headers()["x-digest-timestamp"], "1525898643");
}

/// The seed's own answers: each timestamp keeps the text the provider sent (`+00:00`, not `Z`;
/// `+02:00`, not converted), and reads as the instant it names.
#[test]
fn seed_timestamps_keep_their_text() {
    let checkout = GetCheckout::new("82098fd51fcc")
        .parse_response(&ok(&seed("checkout_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(checkout.timestamp.as_str(), "2020-03-02T19:36:33+00:00");
    assert_eq!(checkout.timestamp.to_string(), "2020-03-02T19:36:33+00:00");
    let payment = &checkout.payments[0].timestamp;
    assert_eq!(payment.as_str(), "2020-03-02T21:37:10+02:00");
    assert_eq!(payment.instant(), datetime!(2020-03-02 19:37:10 UTC));
    let customer = GetCustomer::new("fd4f47a50c7f")
        .parse_response(&ok(&seed("customer_get")))
        .unwrap()
        .found()
        .unwrap();
    let texts =
        [&customer.inserttime, &customer.updatetime].map(|t| t.as_ref().map(|t| t.as_str()));
    assert_eq!(
        texts,
        [
            Some("2018-12-10T16:16:18+00:00"),
            Some("2018-12-11T17:34:09+00:00")
        ]
    );
}

#[test]
fn parse_list_customers_limit_offset_strings() {
    let call = ListCustomers::default();
    let out = call.parse_response(&ok(&seed("customers_list"))).unwrap();
    assert_eq!((out.count, out.limit, out.offset), (1, 250, 0));
    let c = &out.customers[0];
    assert_eq!(
        c.meta.as_ref().unwrap().as_str(),
        "{\n            \"reference\":123\n         }"
    );
    assert_eq!(
        c.inserttime.as_ref().map(|t| t.instant()),
        Some(datetime!(2018-12-10 16:16:18 UTC))
    );
    assert!(c.invoiceable);
    errors_parse(&call);
}

#[test]
fn parse_create_customer() {
    let call = CreateCustomer::new(NewCustomer::new("john@doe.com"));
    let out = call.parse_response(&ok(&seed("customer_create"))).unwrap();
    assert_eq!(out.customer_id, "fd4f47a50c7f");
    errors_parse(&call);
}

#[test]
fn parse_get_customer() {
    let call = GetCustomer::new("fd4f47a50c7f");
    let out = call
        .parse_response(&ok(&seed("customer_get")))
        .unwrap()
        .found()
        .unwrap();
    assert_eq!(out.name.as_deref(), Some("John Doe"));
    assert_eq!(out.countrycode.as_deref(), Some("US"));
    assert_eq!(
        out.updatetime.as_ref().map(|t| t.instant()),
        Some(datetime!(2018-12-11 17:34:09 UTC))
    );
    errors_parse(&call);
}

#[test]
fn parse_update_and_delete_customer() {
    let update = UpdateCustomer::new(CustomerUpdate::new("fd4f47a50c7f"));
    assert!(
        update
            .parse_response(&ok(&seed("customer_update")))
            .unwrap()
            .success
    );
    errors_parse(&update);
    let delete = DeleteCustomer::new("fd4f47a50c7f");
    assert!(
        delete
            .parse_response(&ok(&seed("customer_delete")))
            .unwrap()
            .success
    );
    errors_parse(&delete);
}

#[test]
fn parse_seed_webhook_payment_body() {
    use pay_coinqvest::webhooks::{self, WebhookEvent};
    let secret = Secret::new(SECRET).unwrap();
    let header = pay_coinqvest::sign_webhook(&secret, seed("webhook_payment").as_bytes());
    let verifier = pay_coinqvest::WebhookVerifier::new(secret);
    let event =
        webhooks::verify_and_parse(&verifier, Some(&header), seed("webhook_payment").as_bytes())
            .unwrap();
    let WebhookEvent::Payment(payment) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(payment.credit_amount.to_string(), "0.0100000");
    assert_eq!(
        event.confirmation_request(),
        Some(GetCheckout::new("87508a7a78c3"))
    );
}

/// Reads by id answer `Lookup::NotFound` on the API's own 404 (its `{"errors": [...]}` body), as
/// Qostiq's lookups do on `error_code` 7; any other 404 (a proxy's page) stays an error.
#[test]
fn reads_by_id_answer_not_found_as_a_value() {
    use pay_core::endpoint::Lookup;
    let not_found = |body: &'static str| {
        http::Response::builder()
            .status(404)
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap()
    };
    let api = not_found(r#"{"errors":["Withdrawal not found."]}"#);
    assert_eq!(
        GetWithdrawal::new("x").parse_response(&api).unwrap(),
        Lookup::NotFound
    );
    assert_eq!(
        GetCheckout::new("x").parse_response(&api).unwrap(),
        Lookup::NotFound
    );
    assert_eq!(
        GetPayment::new("x").parse_response(&api).unwrap(),
        Lookup::NotFound
    );
    assert_eq!(
        GetCustomer::new("x").parse_response(&api).unwrap(),
        Lookup::NotFound
    );
    assert_eq!(
        GetWallet::new("x").parse_response(&api).unwrap(),
        Lookup::NotFound
    );
    let proxy = not_found("<html>Not Found</html>");
    assert!(matches!(
        GetWithdrawal::new("x").parse_response(&proxy),
        Err(Error::Provider(_))
    ));
    let found = GetWithdrawal::new("x")
        .parse_response(&ok(&seed("withdrawal_get")))
        .unwrap();
    assert!(matches!(found, Lookup::Found(_)));
}
