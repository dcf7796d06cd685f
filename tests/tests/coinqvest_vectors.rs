//! Every case of `testdata/vectors/coinqvest_*.json` through pay-coinqvest's own API: one test per
//! file, each failing case named.
//!
//! Digest vectors (captured from the official Node SDK): the request is rebuilt through the typed
//! endpoint it belongs to, its target and body bytes must equal the captured ones, and the signature
//! added by `DigestSigner` (as `Authenticate`) must equal the captured header. Webhook vectors go
//! through `webhooks::verify_and_parse`; invalid ones must fail with the error their `why` names.
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use bytes::Bytes;
use http::Method;
use pay_coinqvest::checkouts::{
    ChargeBuilder, CommitCheckout, CreateCheckout, CreateHostedCheckout, DiscountItem, GetCheckout,
    LineItem, ListCheckouts, ShippingCostItem, TaxItem,
};
use pay_coinqvest::customers::{
    CreateCustomer, CustomerUpdate, DeleteCustomer, NewCustomer, Patch, UpdateCustomer,
};
use pay_coinqvest::pagination::Page;
use pay_coinqvest::service::AuthTest;
use pay_coinqvest::wallets::GetWallet;
use pay_coinqvest::webhooks::{self, WebhookEvent};
use pay_coinqvest::withdrawals::{CreateWithdrawal, TargetAccount};
use pay_coinqvest::{DigestSigner, WebhookVerifier};
use pay_core::endpoint::{Authenticate, Endpoint};
use pay_core::error::{Error, SignatureError};
use pay_core::json::RawJson;
use pay_core::json::{Limits, Member, StrictObject, Value};
use pay_core::money::Amount;
use pay_core::secret::Secret;
use support::vectors::{DigestCase, WebhookCase, report};
use time::OffsetDateTime;

mod support {
    pub mod vectors;
}

// ------------------------------------------------------------ reading a captured body (test side)

fn text(value: &Value<'_>) -> String {
    match value {
        Value::String(s) => s.to_string(),
        other => panic!("expected a string, got {other:?}"),
    }
}

fn amount(value: &Value<'_>) -> Amount {
    match value {
        Value::Number(token) => Amount::from_json_number(token).unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("expected an amount, got {other:?}"),
    }
}

fn fields<'a>(value: &'a Value<'a>) -> &'a [Member<'a>] {
    match value {
        Value::Object(members) => members,
        other => panic!("expected an object, got {other:?}"),
    }
}

fn field<'a>(members: &'a [Member<'a>], key: &str) -> Option<&'a Value<'a>> {
    members.iter().find(|m| m.key == key).map(|m| &m.value)
}

fn raw<'a>(members: &'a [Member<'a>], key: &str) -> Option<&'a str> {
    members.iter().find(|m| m.key == key).map(|m| m.raw)
}

fn items<'a>(members: &'a [Member<'a>], key: &str) -> Vec<&'a [Member<'a>]> {
    match field(members, key) {
        Some(Value::Array(values)) => values.iter().map(fields).collect(),
        Some(other) => panic!("{key}: expected an array, got {other:?}"),
        None => Vec::new(),
    }
}

/// The typed checkout request for a captured `POST /checkout` or `/checkout/hosted` body.
fn charge(body: &[Member<'_>]) -> ChargeBuilder {
    let charge = fields(field(body, "charge").unwrap());
    let mut builder = ChargeBuilder::new(text(field(charge, "currency").unwrap()));
    if let Some(id) = field(charge, "customerId") {
        builder = builder.customer_id(text(id));
    }
    for item in items(charge, "lineItems") {
        let mut line = LineItem::new(
            text(field(item, "description").unwrap()),
            amount(field(item, "netAmount").unwrap()),
        );
        if let Some(Value::Number(q)) = field(item, "quantity") {
            line = line.quantity(q.parse().unwrap());
        }
        if let Some(p) = field(item, "productId") {
            line = line.product_id(text(p));
        }
        builder = builder.line_item(line);
    }
    for item in items(charge, "discountItems") {
        builder = builder.discount(DiscountItem::new(
            text(field(item, "description").unwrap()),
            amount(field(item, "netAmount").unwrap()),
        ));
    }
    for item in items(charge, "shippingCostItems") {
        let mut cost = ShippingCostItem::new(
            text(field(item, "description").unwrap()),
            amount(field(item, "netAmount").unwrap()),
        );
        if let Some(Value::Bool(t)) = field(item, "taxable") {
            cost = cost.taxable(*t);
        }
        builder = builder.shipping(cost);
    }
    for item in items(charge, "taxItems") {
        builder = builder.tax(TaxItem::new(
            text(field(item, "name").unwrap()),
            amount(field(item, "percent").unwrap()),
        ));
    }
    if let Some(c) = field(body, "settlementCurrency") {
        builder = builder.settlement_currency(text(c));
    }
    if let Some(w) = field(body, "webhook") {
        builder = builder.webhook(text(w));
    }
    if let Some(relays) = field(body, "blockchainRelays") {
        for m in fields(relays) {
            builder = builder.blockchain_relay(m.key.to_string(), text(&m.value));
        }
    }
    if let Some(links) = field(body, "links") {
        let links = fields(links);
        if let Some(u) = field(links, "cancelUrl") {
            builder = builder.cancel_url(text(u));
        }
        if let Some(u) = field(links, "returnUrl") {
            builder = builder.return_url(text(u));
        }
    }
    builder
}

fn query(target: &str, key: &str) -> String {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{target}: no {key}"))
        .to_owned()
}

fn build<E: Endpoint<Context = ()>>(endpoint: E) -> http::Request<Bytes> {
    endpoint.build_request(&()).unwrap()
}

/// Rebuilds the captured request through the typed endpoint it belongs to.
fn typed_request(v: &DigestCase) -> Option<http::Request<Bytes>> {
    let object = (!v.body.is_empty())
        .then(|| StrictObject::parse(v.body.as_bytes(), Limits::RESPONSES).unwrap());
    let body = object.as_ref().map(|o| o.members());
    let target = &v.request_target;
    Some(match (v.method.as_str(), v.signed_path.as_str()) {
        ("GET", "/auth-test") => build(AuthTest),
        ("GET", "/checkout") => build(GetCheckout::new(query(target, "id"))),
        ("GET", "/checkouts") => build(ListCheckouts::new(Page::new(
            query(target, "limit").parse().unwrap(),
            query(target, "offset").parse().unwrap(),
        ))),
        ("GET", "/wallet") => build(GetWallet::new(query(target, "assetCode"))),
        ("POST", "/checkout/hosted") => {
            build(CreateHostedCheckout::new(charge(body?).build().unwrap()))
        }
        ("POST", "/checkout") => build(CreateCheckout::new(charge(body?).build().unwrap())),
        ("POST", "/checkout/commit") => {
            let body = body?;
            build(CommitCheckout::new(
                text(field(body, "checkoutId")?),
                text(field(body, "assetCode")?),
            ))
        }
        ("POST", "/withdrawal") => {
            let body = body?;
            assert_eq!(
                text(field(body, "targetNetwork")?),
                "XLM",
                "only XLM is captured"
            );
            let account = fields(field(body, "targetAccount")?);
            let mut quote = CreateWithdrawal::new(
                text(field(body, "sourceAsset")?),
                amount(field(body, "sourceAmount")?),
                TargetAccount::Stellar {
                    account: text(field(account, "account")?).into(),
                    memo: field(account, "memo").map(text),
                    memo_type: field(account, "memoType").map(text),
                },
            );
            if let Some(asset) = field(body, "targetAsset") {
                quote = quote.target_asset(text(asset));
            }
            build(quote)
        }
        ("POST", "/customer") => {
            let customer = fields(field(body?, "customer")?);
            let new = NewCustomer {
                firstname: field(customer, "firstname").map(text),
                lastname: field(customer, "lastname").map(text),
                meta: raw(customer, "meta").map(|r| RawJson::from_text(r).unwrap()),
                ..NewCustomer::new(text(field(customer, "email")?))
            };
            build(CreateCustomer::new(new))
        }
        ("PUT", "/customer") => {
            let customer = fields(field(body?, "customer")?);
            let patch = |key: &str| match field(customer, key) {
                None => Patch::Keep,
                Some(Value::Null) => Patch::Unset,
                Some(v) => Patch::Set(text(v)),
            };
            let update = CustomerUpdate {
                email: field(customer, "email").map(text),
                note: patch("note"),
                ..CustomerUpdate::new(text(field(customer, "id")?))
            };
            build(UpdateCustomer::new(update))
        }
        ("DELETE", "/customer") => build(DeleteCustomer::new(text(field(body?, "id")?))),
        _ => return None,
    })
}

fn check_digest(v: &DigestCase) -> Result<(), String> {
    let secret = Secret::new(v.secret.as_str()).map_err(|e| e.to_string())?;
    let signer = DigestSigner::new(v.key.as_str(), secret);
    let method: Method = v.method.parse().map_err(|_| "bad method".to_owned())?;

    // Always: the signature over the captured path, timestamp, method and body bytes.
    let direct = signer.sign(&v.signed_path, v.timestamp, &method, v.body.as_bytes());
    if direct.signature != v.x_digest_signature {
        return Err(format!(
            "signature {} != {}",
            direct.signature, v.x_digest_signature
        ));
    }

    // Through the typed endpoint: same target, same bytes, same headers.
    let Some(mut request) = typed_request(v) else {
        return Err("no typed endpoint maps this capture".into());
    };
    let target = format!("/api/v1{}", request.uri());
    if target != v.request_target {
        return Err(format!("target {target} != {}", v.request_target));
    }
    if request.method() != method {
        return Err(format!("method {} != {}", request.method(), method));
    }
    if request.body().as_ref() != v.body.as_bytes() {
        return Err(format!(
            "body differs:\n  ours: {}\n  sdk:  {}",
            String::from_utf8_lossy(request.body()),
            v.body
        ));
    }
    let now = OffsetDateTime::from_unix_timestamp(v.timestamp).map_err(|e| e.to_string())?;
    signer
        .authenticate(&mut request, now)
        .map_err(|e| e.to_string())?;
    let headers = request.headers();
    for (name, expected) in [
        ("x-digest-key", &v.x_digest_key),
        ("x-digest-timestamp", &v.x_digest_timestamp),
        ("x-digest-signature", &v.x_digest_signature),
    ] {
        let got = headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if got != expected {
            return Err(format!("{name}: {got} != {expected}"));
        }
    }
    Ok(())
}

#[test]
fn coinqvest_digest_vectors() {
    let vectors: Vec<DigestCase> = pay_testdata::vectors("coinqvest_digest.json");
    assert!(!vectors.is_empty());
    let failures: Vec<String> = vectors
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            check_digest(v)
                .err()
                .map(|e| format!("#{i} {} {}: {e}", v.method, v.request_target))
        })
        .collect();
    report("coinqvest_digest.json", &failures, vectors.len());
}

fn check_webhook(v: &WebhookCase) -> Result<(), String> {
    let secret = Secret::new(v.secret.as_str()).map_err(|e| e.to_string())?;
    let verifier = WebhookVerifier::new(secret);
    let result = webhooks::verify_and_parse(&verifier, Some(&v.x_webhook_auth), v.body.as_bytes());
    match (v.valid, result) {
        (true, Ok(event)) => {
            if event.checkout_id() != Some("87508a7a78c3") {
                return Err(format!("unexpected event {event:?}"));
            }
            match &event {
                WebhookEvent::Payment(p) if p.credit_amount.to_string() == "0.0100000" => Ok(()),
                WebhookEvent::Checkout { checkout, .. }
                    if checkout
                        .state
                        .as_ref()
                        .is_some_and(|s| s.is_completed_and_credited()) =>
                {
                    Ok(())
                }
                other => Err(format!("unexpected event {other:?}")),
            }
        }
        (true, Err(e)) => Err(format!("valid case rejected: {e}")),
        (false, Ok(event)) => Err(format!("invalid case accepted: {event:?}")),
        (false, Err(e)) => {
            let why = v.why.as_deref().unwrap_or("");
            let expected = match why {
                "body changed" | "wrong secret" => {
                    matches!(e, Error::Signature(SignatureError::Mismatch))
                }
                "short signature" => {
                    matches!(e, Error::Signature(SignatureError::Malformed { .. }))
                }
                "empty header" => matches!(e, Error::Signature(SignatureError::Missing)),
                _ => matches!(e, Error::Signature(_)),
            };
            if expected {
                Ok(())
            } else {
                Err(format!("rejected for the wrong reason ({why}): {e:?}"))
            }
        }
    }
}

#[test]
fn coinqvest_webhook_vectors() {
    let vectors: Vec<WebhookCase> = pay_testdata::vectors("coinqvest_webhook.json");
    assert!(!vectors.is_empty());
    let failures: Vec<String> = vectors
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            check_webhook(v)
                .err()
                .map(|e| format!("#{i} ({}): {e}", v.why.as_deref().unwrap_or("valid")))
        })
        .collect();
    report("coinqvest_webhook.json", &failures, vectors.len());
}
