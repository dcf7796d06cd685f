//! Properties: nothing panics on arbitrary answers or webhook bodies, and the charge total equals an
//! independent integer computation.
#![allow(clippy::unwrap_used)] // test code: a failure is a failed test

use bytes::Bytes;
use http::StatusCode;
use pay_coinqvest::checkouts::*;
use pay_coinqvest::customers::*;
use pay_coinqvest::payments::*;
use pay_coinqvest::reference::*;
use pay_coinqvest::service::*;
use pay_coinqvest::wallets::*;
use pay_coinqvest::webhooks;
use pay_coinqvest::withdrawals::*;
use pay_coinqvest::{WebhookVerifier, sign_webhook};
use pay_core::Error;
use pay_core::endpoint::Endpoint;
use pay_core::json::{Limits, StrictObject};
use pay_core::money::Amount;
use pay_core::secret::Secret;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn response(status: u16, body: &[u8]) -> http::Response<Bytes> {
    let mut r = http::Response::new(Bytes::copy_from_slice(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r
}

fn parse_all(r: &http::Response<Bytes>) {
    let amount: Amount = "1".parse().unwrap();
    let params = ChargeBuilder::new("USD")
        .line_item(LineItem::new("a", amount))
        .build()
        .unwrap();
    let _ = CreateCheckout::new(params.clone()).parse_response(r);
    let _ = CommitCheckout::new("a", "b").parse_response(r);
    let _ = CreateHostedCheckout::new(params).parse_response(r);
    let _ = GetCheckout::new("a").parse_response(r);
    let _ = ListCheckouts::default().parse_response(r);
    let _ = GetPayment::new("a").parse_response(r);
    let _ = ListPayments::default().parse_response(r);
    let _ = ListWallets.parse_response(r);
    let _ = GetWallet::new("a").parse_response(r);
    let target = TargetAccount::Bitcoin {
        address: "a".into(),
    };
    let _ = CreateWithdrawal::new("a", amount, target).parse_response(r);
    let _ = CommitWithdrawal::new("a").parse_response(r);
    let _ = GetWithdrawal::new("a").parse_response(r);
    let _ = ListWithdrawals::default().parse_response(r);
    let _ = ListAssetIssuers.parse_response(r);
    let _ = GetAssetIssuer::new("a").parse_response(r);
    let _ = ListAssets.parse_response(r);
    let _ = GetAsset::new("a").parse_response(r);
    let _ = ListFiatCurrencies.parse_response(r);
    let _ = GetFiatCurrency::new("a").parse_response(r);
    let _ = ListBlockchains.parse_response(r);
    let _ = GetBlockchain::new("a").parse_response(r);
    let _ = Ping.parse_response(r);
    let _ = GetTime.parse_response(r);
    let _ = AuthTest.parse_response(r);
    let _ = ListCustomers::default().parse_response(r);
    let _ = CreateCustomer::new(NewCustomer::new("a")).parse_response(r);
    let _ = GetCustomer::new("a").parse_response(r);
    let _ = UpdateCustomer::new(CustomerUpdate::new("a")).parse_response(r);
    let _ = DeleteCustomer::new("a").parse_response(r);
}

/// JSON-looking text: fragments of real answers glued at random.
fn jsonish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "null",
        "true",
        "1e999",
        "-0",
        "0.1",
        "\"1.50\"",
        "\"errors\"",
        "\"checkout\"",
        "\"state\"",
        "\"COMPLETED\"",
        "\"limit\"",
        "\"count\"",
        "\"offset\"",
        "\"payments\"",
        "\"time\"",
        "\"success\"",
        "\"id\"",
        "\"timestamp\"",
        "\"2020-03-02T19:36:33+00:00\"",
        "\"creditAmount\"",
        "\"fiatCurrency\"",
        "\"eventType\"",
        "\"data\"",
        "\"type\"",
        "\"PAYMENT\"",
        "\"\\ud800\"",
        "é",
        " ",
        "9223372036854775808",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn webhook_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        jsonish().prop_map(String::into_bytes),
        (jsonish(), jsonish())
            .prop_map(|(a, b)| format!(r#"{{"eventType":{a},"data":{b}}}"#).into_bytes()),
        jsonish().prop_map(|a| format!(
            r#"{{"eventType":"CHECKOUT_COMPLETED","data":{{"checkout":{a}}}}}"#
        )
        .into_bytes()),
        jsonish().prop_map(|a| format!(r#"{{"type":"PAYMENT","id":{a}}}"#).into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_answers_never_panic(status in prop::sample::select(vec![200u16, 400, 401, 403, 404, 500, 502]), body in prop::collection::vec(any::<u8>(), 0..400)) {
        parse_all(&response(status, &body));
    }

    #[test]
    fn jsonish_answers_never_panic(status in prop::sample::select(vec![200u16, 401, 500]), body in jsonish()) {
        parse_all(&response(status, body.as_bytes()));
    }

    #[test]
    fn webhooks_never_panic(body in webhook_body(), sign in any::<bool>()) {
        let secret = Secret::new("Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx").unwrap();
        let header = if sign { sign_webhook(&secret, &body) } else { "00".repeat(32) };
        let verifier = WebhookVerifier::new(secret);
        let result = webhooks::verify_and_parse(&verifier, Some(&header), &body);
        if !sign {
            prop_assert!(result.is_err());
        }
        if let Ok(object) = StrictObject::parse(&body, Limits::EVENTS) {
            let _ = webhooks::parse_verified(&object);
        }
    }

    #[test]
    fn any_identifier_builds_or_is_refused(id in "\\PC{0,40}") {
        match GetAssetIssuer::new(id.clone()).build_request(&()) {
            Ok(request) => prop_assert!(request.uri().to_string().starts_with("/asset-issuer?id=")),
            Err(Error::InvalidInput { .. }) => prop_assert!(id.trim().is_empty()),
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    /// Amounts in cents, tax rates in basis points of a percent (scale 4): the whole computation in
    /// i128 at scale 6, compared with the builder's decimal total.
    #[test]
    fn charge_total_matches_an_independent_computation(
        lines in prop::collection::vec((0i64..10_000_000, 1u32..50), 1..6),
        discounts in prop::collection::vec(0i64..1_000_000, 0..3),
        shipping in prop::collection::vec((0i64..500_000, any::<bool>()), 0..3),
        taxes in prop::collection::vec(0i64..3_000, 0..3),
    ) {
        let cents = |c: i64| Amount::from_decimal(Decimal::new(c, 2));
        let mut builder = ChargeBuilder::new("USD");
        for (i, (c, q)) in lines.iter().enumerate() {
            builder = builder.line_item(LineItem::new(format!("item {i}"), cents(*c)).quantity(*q));
        }
        for c in &discounts {
            builder = builder.discount(DiscountItem::new("discount", cents(*c)));
        }
        for (c, taxable) in &shipping {
            builder = builder.shipping(ShippingCostItem::new("shipping", cents(*c)).taxable(*taxable));
        }
        for bp in &taxes {
            builder = builder.tax(TaxItem::new("tax", Amount::from_decimal(Decimal::new(*bp, 4))));
        }

        let line_sum: i128 = lines.iter().map(|(c, q)| i128::from(*c) * i128::from(*q)).sum();
        let discount_sum: i128 = discounts.iter().map(|c| i128::from(*c)).sum();
        let shipping_sum: i128 = shipping.iter().map(|(c, _)| i128::from(*c)).sum();
        let taxable_shipping: i128 = shipping.iter().filter(|(_, t)| *t).map(|(c, _)| i128::from(*c)).sum();
        let rate: i128 = taxes.iter().map(|bp| i128::from(*bp)).sum();
        let net = line_sum - discount_sum + shipping_sum; // cents
        let taxable = net - shipping_sum + taxable_shipping; // cents
        let total = net * 10_000 + taxable * rate; // scale 6

        match builder.build() {
            Ok(params) => {
                prop_assert!(total > 0);
                prop_assert_eq!(params.total().decimal(), Decimal::from_i128_with_scale(total, 6));
            }
            Err(Error::InvalidInput { field, .. }) => {
                prop_assert!(total <= 0);
                prop_assert_eq!(field, "charge");
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }
}
