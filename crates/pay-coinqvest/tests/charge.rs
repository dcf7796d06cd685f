//! The charge builder: total by the seed's formula, and refusals before sending.
#![allow(clippy::panic)] // test code: a failure is a failed test

use pay_coinqvest::checkouts::*;
use pay_core::Error;

mod support;

use support::amount;

fn one_item() -> ChargeBuilder {
    ChargeBuilder::new("USD").line_item(LineItem::new("T-Shirt", amount("10")))
}

fn refused(builder: ChargeBuilder, field: &str) -> String {
    match builder.build() {
        Err(Error::InvalidInput { field: f, reason }) => {
            assert_eq!(f, field);
            reason.into_owned()
        }
        other => panic!("{field}: {other:?}"),
    }
}

#[test]
fn total_follows_the_seed_formula() {
    // net = 2×10 + 5 − 1 + (4 + 6) = 34; taxable = 34 − 10 + 6 = 30; total = 34 + 30 × (0.1 + 0.05)
    let params = ChargeBuilder::new("EUR")
        .line_item(LineItem::new("A", amount("10.00")).quantity(2))
        .line_item(LineItem::new("B", amount("5")))
        .discount(DiscountItem::new("D", amount("1")))
        .shipping(ShippingCostItem::new("not taxable", amount("4")))
        .shipping(ShippingCostItem::new("taxable", amount("6")).taxable(true))
        .tax(TaxItem::new("T1", amount("0.1")))
        .tax(TaxItem::new("T2", amount("0.05")))
        .build()
        .unwrap();
    assert_eq!(params.total(), amount("38.5"));
    assert_eq!(params.charge().total().to_string(), "38.5");
    // The seed's full example: 13.49 + 9.5 × 0.0825.
    let seed = ChargeBuilder::new("USD")
        .line_item(LineItem::new("T-Shirt", amount("10")).quantity(1))
        .discount(DiscountItem::new("Loyalty Discount", amount("0.5")))
        .shipping(ShippingCostItem::new("Shipping and Handling", amount("3.99")).taxable(false))
        .tax(TaxItem::new("CA Sales Tax", amount("0.0825")))
        .build()
        .unwrap();
    assert_eq!(seed.total().to_string(), "14.27375");
    // No f64 drift: 0.1 + 0.2 is exactly 0.3.
    let exact = ChargeBuilder::new("USD")
        .line_item(LineItem::new("a", amount("0.1")))
        .line_item(LineItem::new("b", amount("0.2")))
        .build()
        .unwrap();
    assert_eq!(exact.total().to_string(), "0.3");
}

#[test]
fn refuses_a_charge_without_line_items() {
    refused(ChargeBuilder::new("USD"), "charge.lineItems");
}

#[test]
fn description_limit_is_200_characters_not_bytes() {
    let at_limit = "é".repeat(200); // 400 bytes, 200 characters
    assert!(
        ChargeBuilder::new("USD")
            .line_item(LineItem::new(at_limit, amount("1")))
            .build()
            .is_ok()
    );
    let reason = refused(
        ChargeBuilder::new("USD").line_item(LineItem::new("x".repeat(201), amount("1"))),
        "charge.lineItems[0].description",
    );
    assert!(reason.contains("201"), "{reason}");
    refused(
        one_item().discount(DiscountItem::new("d".repeat(201), amount("1"))),
        "charge.discountItems[0].description",
    );
    refused(
        one_item().shipping(ShippingCostItem::new("s".repeat(201), amount("1"))),
        "charge.shippingCostItems[0].description",
    );
    refused(
        one_item().line_item(LineItem::new("  ", amount("1"))),
        "charge.lineItems[1].description",
    );
}

#[test]
fn product_id_limit_is_20_characters() {
    assert!(
        ChargeBuilder::new("USD")
            .line_item(LineItem::new("a", amount("1")).product_id("P".repeat(20)))
            .build()
            .is_ok()
    );
    refused(
        one_item().line_item(LineItem::new("a", amount("1")).product_id("P".repeat(21))),
        "charge.lineItems[1].productId",
    );
}

#[test]
fn other_refusals() {
    refused(
        ChargeBuilder::new(" ").line_item(LineItem::new("a", amount("1"))),
        "charge.currency",
    );
    refused(
        one_item().line_item(LineItem::new("a", amount("1")).quantity(0)),
        "charge.lineItems[1].quantity",
    );
    refused(
        one_item().line_item(LineItem::new("a", amount("-1"))),
        "charge.lineItems[1].netAmount",
    );
    refused(
        one_item().discount(DiscountItem::new("d", amount("-1"))),
        "charge.discountItems[0].netAmount",
    );
    refused(
        one_item().tax(TaxItem::new("", amount("0.1"))),
        "charge.taxItems[0].name",
    );
    refused(
        one_item().tax(TaxItem::new("t", amount("-0.1"))),
        "charge.taxItems[0].percent",
    );
    refused(
        one_item().discount(DiscountItem::new("everything", amount("10"))),
        "charge",
    );
    refused(
        one_item()
            .blockchain_relay("BTC", "BTC:A")
            .blockchain_relay("BTC", "BTC:B"),
        "blockchainRelays.BTC",
    );
    refused(one_item().customer_id(""), "charge.customerId");
    refused(one_item().webhook(""), "webhook");
    refused(one_item().return_url(""), "links.returnUrl");
    refused(
        ChargeBuilder::new("USD")
            .line_item(LineItem::new("huge", amount("79228162514264337593543950335")).quantity(2)),
        "charge",
    );
}

#[test]
fn optional_parts_are_absent_when_unset() {
    let params = one_item().build().unwrap();
    assert_eq!(
        serde_json::to_string(&params).unwrap(),
        r#"{"charge":{"currency":"USD","lineItems":[{"description":"T-Shirt","netAmount":10}]}}"#
    );
    let params = one_item()
        .return_url("https://shop.test/ok")
        .build()
        .unwrap();
    assert!(
        serde_json::to_string(&params)
            .unwrap()
            .ends_with(r#""links":{"returnUrl":"https://shop.test/ok"}}"#)
    );
}
