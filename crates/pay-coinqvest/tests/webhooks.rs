//! Webhooks: both formats, unknown event types kept raw, strict parsing after verification.
#![allow(clippy::unwrap_used)] // test code: a failure is a failed test

use pay_coinqvest::state::CheckoutState;
use pay_coinqvest::webhooks::{self, EventType, WebhookEvent};
use pay_coinqvest::{WebhookVerifier, sign_webhook};
use pay_core::Error;
use pay_core::error::SignatureError;
use pay_core::secret::Secret;

fn secret() -> Secret {
    Secret::new("Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx").unwrap()
}

fn deliver(body: &str) -> Result<WebhookEvent, Error> {
    let header = sign_webhook(&secret(), body.as_bytes());
    webhooks::verify_and_parse(
        &WebhookVerifier::new(secret()),
        Some(&header),
        body.as_bytes(),
    )
}

#[test]
fn unknown_event_types_keep_their_data_as_exact_json() {
    let event =
        deliver(r#"{"eventType":"PAYOUT_SETTLED","data":{"amount":0.10,"x":[1]}}"#).unwrap();
    match event {
        WebhookEvent::Other { event_type, data } => {
            assert_eq!(event_type, EventType::Unknown("PAYOUT_SETTLED".into()));
            assert_eq!(data.as_str(), r#"{"amount":0.10,"x":[1]}"#);
        }
        other => panic!("{other:?}"),
    }
    let refund =
        deliver(r#"{"eventType":"REFUND_COMPLETED","data":{"refund":{"id":"r1"}}}"#).unwrap();
    assert_eq!(refund.event_type(), Some(&EventType::RefundCompleted));
    assert_eq!(refund.checkout_id(), None);
    assert_eq!(refund.confirmation_request(), None);
}

#[test]
fn checkout_events_name_the_checkout_to_confirm() {
    for (kind, state) in [
        ("CHECKOUT_COMPLETED", "COMPLETED"),
        ("CHECKOUT_UNDERPAID", "UNRESOLVED_UNDERPAID"),
        ("UNDERPAID_ACCEPTED", "RESOLVED"),
    ] {
        let body = format!(
            r#"{{"eventType":"{kind}","data":{{"checkout":{{"id":"87508a7a78c3","state":"{state}","extra":{{"n":1.5}}}}}}}}"#
        );
        let event = deliver(&body).unwrap();
        let WebhookEvent::Checkout {
            event_type,
            checkout,
            ..
        } = &event
        else {
            panic!("{event:?}")
        };
        assert_eq!(event_type.as_str(), kind);
        assert_eq!(checkout.state, Some(CheckoutState::from_wire(state)));
        assert_eq!(event.confirmation_request().unwrap().id, "87508a7a78c3");
    }
}

#[test]
fn flat_payment_format() {
    let body = r#"{"id":"cb69affabf53","type":"PAYMENT","state":"RESOLVED","timestamp":"2020-03-02T16:04:50+02:00","creditAssetCode":"USD","creditAssetIssuer":"USD:X","creditAmount":0.0100000,"sourceAssetCode":"XLM","sourceAssetIssuer":"XLM:NATIVE","sourceAmount":"0.1728238","sourceBlockchain":"XLM","sourceAccount":null,"sourceTxId":null,"customerId":null,"checkoutId":"87508a7a78c3"}"#;
    let WebhookEvent::Payment(payment) = deliver(body).unwrap() else {
        panic!()
    };
    // A JSON number is read from its token, never through f64.
    assert_eq!(payment.credit_amount.to_string(), "0.0100000");
    assert_eq!(payment.customer_id, None);
}

#[test]
fn a_flat_body_of_another_type_is_never_a_payment() {
    // The seed's payment fields, signed, under types other than `PAYMENT`.
    let payment = r#""id":"cb69affabf53","state":"RESOLVED","timestamp":"2020-03-02T16:04:50+02:00","creditAssetCode":"USD","creditAssetIssuer":"USD:X","creditAmount":"100.00","sourceAssetCode":"XLM","sourceAssetIssuer":"XLM:NATIVE","sourceAmount":"1728.2","sourceBlockchain":"XLM","sourceAccount":null,"sourceTxId":null,"customerId":null,"checkoutId":"87508a7a78c3""#;
    for type_name in ["REFUND", "payment", "PAYMENT ", "WITHDRAWAL"] {
        let body = format!(r#"{{"type":"{type_name}",{payment}}}"#);
        match deliver(&body).unwrap() {
            WebhookEvent::OtherFlat {
                type_name: t,
                body: raw,
            } => {
                assert_eq!(t, type_name);
                assert_eq!(raw.as_str(), body);
            }
            other => panic!("{type_name}: {other:?}"),
        }
        let event = deliver(&body).unwrap();
        assert_eq!(event.checkout_id(), None);
        assert_eq!(event.confirmation_request(), None);
    }
    assert!(matches!(
        deliver(&format!(r#"{{"type":"PAYMENT",{payment}}}"#)).unwrap(),
        WebhookEvent::Payment(_)
    ));
    match deliver(&format!(r#"{{"type":7,{payment}}}"#)) {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "type"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_verified_bodies_are_refused() {
    for (body, field) in [
        (
            r#"{"eventType":"CHECKOUT_COMPLETED","type":"PAYMENT","data":{}}"#,
            "eventType",
        ),
        (r#"{"eventType":1,"data":{}}"#, "eventType"),
        (r#"{"eventType":"CHECKOUT_COMPLETED"}"#, "data"),
        (r#"{"eventType":"X","data":[1]}"#, "data"),
        (
            r#"{"eventType":"CHECKOUT_COMPLETED","data":{"checkout":{"state":"COMPLETED"}}}"#,
            "data.checkout",
        ),
        (r#"{"type":"PAYMENT","id":"x"}"#, "payment"),
        (r#"{"hello":"world"}"#, "eventType"),
    ] {
        match deliver(body) {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn strict_parsing_after_verification() {
    // Correctly signed, but not one strict JSON object: length extension, duplicates, not an object.
    for body in [
        r#"{"eventType":"X","data":{}}{"eventType":"Y","data":{}}"#,
        r#"{"eventType":"X","eventType":"Y","data":{}}"#,
        r#"["eventType"]"#,
        "{\"eventType\":\"X\",\"data\":{\"a\":\"\\ud800\"}}",
    ] {
        assert!(
            matches!(
                deliver(body),
                Err(Error::Signature(SignatureError::Body(_)))
            ),
            "{body}"
        );
    }
    let not_utf8 = b"{\"eventType\":\"\xff\",\"data\":{}}";
    let header = sign_webhook(&secret(), not_utf8);
    assert!(matches!(
        webhooks::verify_and_parse(&WebhookVerifier::new(secret()), Some(&header), not_utf8),
        Err(Error::Signature(SignatureError::Body(_)))
    ));
}

#[test]
fn rotation_and_missing_header() {
    let old = Secret::new("old-secret-1A").unwrap();
    let verifier = WebhookVerifier::with_secrets(vec![secret(), old.clone()]).unwrap();
    let body = br#"{"eventType":"X","data":{}}"#;
    let header = sign_webhook(&old, body);
    assert!(webhooks::verify_and_parse(&verifier, Some(&header), body).is_ok());
    assert!(matches!(
        webhooks::verify_and_parse(&verifier, None, body),
        Err(Error::Signature(SignatureError::Missing))
    ));
    assert!(matches!(
        webhooks::verify_and_parse(&verifier, Some(&"0".repeat(64)), body),
        Err(Error::Signature(SignatureError::Mismatch))
    ));
}
