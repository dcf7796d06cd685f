//! The payment webhook: verify the raw bytes, then parse strictly.
//!
//! `X-Webhook-Auth = hex(sha256(secret + raw_body))` is checked over the bytes exactly as received (by
//! [`WebhookVerifier`]), then the body must be one strict JSON object (valid UTF-8, no duplicate keys,
//! nothing after it: the construction is open to length extension, so trailing bytes are refused).
//! Two formats exist and both are accepted:
//!
//! * the seed's flat payment object (`"type": "PAYMENT"`) → [`WebhookEvent::Payment`]; a flat
//!   object of any other `type` is never read as a payment: [`WebhookEvent::OtherFlat`], verbatim;
//! * `{"eventType": …, "data": {…}}` → [`WebhookEvent::Checkout`] for checkout events, and
//!   [`WebhookEvent::Other`] (the `data` kept as exact JSON) for any other or unknown event type.
//!
//! There is no timestamp, so a captured webhook can be replayed: deduplicate, and before crediting
//! confirm with `GET /checkout` ([`WebhookEvent::confirmation_request`]) that the checkout's state is
//! completed and credited. Answer HTTP 200 only once the event is stored; the server retries for 48 h.
//! Deduplicate by [`ProviderEvent::identity`] (its status's finality: [`ProviderEvent::finality`]),
//! as pay-webhook does. COINQVEST publishes no sender addresses (seed 003): the signature is the only
//! proof of origin.
//!
//! ```
//! use pay_coinqvest::webhooks::{self, WebhookEvent};
//! use pay_coinqvest::{WebhookVerifier, sign_webhook};
//! use pay_core::secret::Secret;
//!
//! let secret = Secret::new("Abcd-Efgh-Ijkl-Mnop-Qrst-Uvwx").unwrap();
//! let body = br#"{"eventType":"CHECKOUT_COMPLETED","data":{"checkout":{"id":"87508a7a78c3","state":"COMPLETED"}}}"#;
//! let header = sign_webhook(&secret, body);
//! let verifier = WebhookVerifier::new(secret);
//!
//! let event = webhooks::verify_and_parse(&verifier, Some(&header), body).unwrap();
//! assert_eq!(event.checkout_id(), Some("87508a7a78c3"));
//! // Confirm before crediting: send this request and check `is_completed_and_credited()`.
//! let confirm = event.confirmation_request().unwrap();
//! assert_eq!(confirm.id, "87508a7a78c3");
//! assert!(webhooks::verify_and_parse(&verifier, Some(&header), &[body.as_slice(), b" "].concat()).is_err());
//! ```

use pay_core::Error;
use pay_core::error::Provider;
use pay_core::event::{EventIdentity, Finality, MissingField, ProviderEvent};
use pay_core::json::{Limits, Member, StrictObject, Value};
use pay_core::text::Untrusted;
use serde::Deserialize;

use crate::checkouts::GetCheckout;
use crate::payments::Payment;
use crate::state::{CheckoutState, PaymentState, string_enum};
use pay_core::json::RawJson;

pub use pay_signing::coinqvest::{WebhookVerifier, X_WEBHOOK_AUTH, sign_webhook};

string_enum! {
    /// The `eventType` of a webhook in the `{eventType, data}` format.
    EventType {
        /// `CHECKOUT_COMPLETED`: a checkout was paid and credited.
        CheckoutCompleted = "CHECKOUT_COMPLETED",
        /// `CHECKOUT_UNDERPAID`: a checkout received less than charged.
        CheckoutUnderpaid = "CHECKOUT_UNDERPAID",
        /// `UNDERPAID_ACCEPTED`: the merchant accepted an underpaid checkout.
        UnderpaidAccepted = "UNDERPAID_ACCEPTED",
        /// `REFUND_COMPLETED`: a refund went out.
        RefundCompleted = "REFUND_COMPLETED",
    }
}

impl EventType {
    /// Whether the event's `data` carries a `checkout` object.
    pub fn is_checkout_event(&self) -> bool {
        matches!(
            self,
            Self::CheckoutCompleted | Self::CheckoutUnderpaid | Self::UnderpaidAccepted
        )
    }
}

/// The checkout named by a checkout event (`data.checkout`). Only its id is needed: the state to
/// act on comes from `GET /checkout`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WebhookCheckout {
    /// The checkout id.
    pub id: String,
    /// The state the event reports (confirm it with `GET /checkout`).
    #[serde(default)]
    pub state: Option<CheckoutState>,
}

/// A verified, parsed webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// The seed's flat format: a payment object with `"type": "PAYMENT"`.
    Payment(Box<Payment>),
    /// A checkout event (`CHECKOUT_COMPLETED`, `CHECKOUT_UNDERPAID`, `UNDERPAID_ACCEPTED`).
    Checkout {
        /// The event type.
        event_type: EventType,
        /// `data.checkout`.
        checkout: WebhookCheckout,
        /// The whole `data`, exactly as received.
        data: RawJson,
    },
    /// Any other event, including event types this version does not know, with `data` as received.
    Other {
        /// The event type (possibly [`EventType::Unknown`]).
        event_type: EventType,
        /// The whole `data`, exactly as received.
        data: RawJson,
    },
    /// A flat object whose `type` is not `PAYMENT` (the only type the seed documents): verified,
    /// kept verbatim, and never read as a payment even when it carries payment fields.
    OtherFlat {
        /// Its `type`.
        type_name: String,
        /// The whole body, exactly as received.
        body: RawJson,
    },
}

impl WebhookEvent {
    /// The checkout the event is about, if any.
    pub fn checkout_id(&self) -> Option<&str> {
        match self {
            Self::Payment(payment) => Some(&payment.checkout_id),
            Self::Checkout { checkout, .. } => Some(&checkout.id),
            Self::Other { .. } | Self::OtherFlat { .. } => None,
        }
    }

    /// The `GET /checkout` request that confirms the event before crediting.
    pub fn confirmation_request(&self) -> Option<GetCheckout> {
        self.checkout_id().map(GetCheckout::new)
    }

    /// The event type; `None` for the flat format.
    pub fn event_type(&self) -> Option<&EventType> {
        match self {
            Self::Payment(_) | Self::OtherFlat { .. } => None,
            Self::Checkout { event_type, .. } | Self::Other { event_type, .. } => Some(event_type),
        }
    }
}

/// A webhook's identity, from keys the signature covers (COINQVEST signs the whole body):
///
/// * flat payment webhook: `payment`, the payment `id`, its `state` (all three required by the
///   seed), final by [`PaymentState::finality`];
/// * checkout event: `checkout`, `data.checkout.id`, and `<eventType>:<state>` (the event type alone
///   when the checkout has no `state`), final by [`CheckoutState::finality`];
/// * any other `{eventType, data}` event: the first object in `data` carrying an `id` (its key as the
///   kind: `data.refund.id` → `refund`), else `data.id` (kind `event`), and `<eventType>:<state>`
///   (or the event type); of [`Finality::Unknown`] finality (the state of an object this version
///   does not model);
/// * any other flat object: its `type` in lower case, its `id` and `state`; of unknown finality.
///
/// A webhook lacking one of these keys (or with an empty one) is refused ([`MissingField`]).
impl ProviderEvent for WebhookEvent {
    fn identity(&self) -> Result<EventIdentity, MissingField> {
        let (kind, object_id, status) = match self {
            Self::Payment(payment) => {
                let state = payment.state.as_ref().ok_or(MissingField("state"))?;
                (
                    "payment".to_owned(),
                    payment.id.clone(),
                    state.as_str().to_owned(),
                )
            }
            Self::Checkout {
                event_type,
                checkout,
                ..
            } => {
                let state = checkout.state.as_ref().map(CheckoutState::as_str);
                (
                    "checkout".to_owned(),
                    checkout.id.clone(),
                    event_status(event_type, state),
                )
            }
            Self::Other { event_type, data } => {
                let data = reparse(data, "data")?;
                let (kind, id, state) = event_subject(data.members())?;
                (kind, id, event_status(event_type, state.as_deref()))
            }
            Self::OtherFlat { type_name, body } => {
                let body = reparse(body, "id")?;
                let members = body.members();
                let id = scalar(members, "id").ok_or(MissingField("id"))?;
                let state = scalar(members, "state").ok_or(MissingField("state"))?;
                (type_name.to_ascii_lowercase(), id, state)
            }
        };
        if object_id.is_empty() {
            return Err(MissingField("id"));
        }
        Ok(EventIdentity {
            provider: Provider::Coinqvest,
            kind,
            object_id,
            status,
        })
    }

    fn finality(&self) -> Finality {
        match self {
            Self::Payment(payment) => payment
                .state
                .as_ref()
                .map_or(Finality::Unknown, PaymentState::finality),
            Self::Checkout { checkout, .. } => checkout
                .state
                .as_ref()
                .map_or(Finality::Unknown, CheckoutState::finality),
            Self::Other { .. } | Self::OtherFlat { .. } => Finality::Unknown,
        }
    }
}

/// `<eventType>:<state>`, or the event type alone for an object without a state.
fn event_status(event_type: &EventType, state: Option<&str>) -> String {
    match state {
        Some(state) => format!("{}:{state}", event_type.as_str()),
        None => event_type.as_str().to_owned(),
    }
}

/// The object an `{eventType, data}` event is about: `(kind, id, state)` of the first object in
/// `data` with an `id` (`data.refund` → `refund`), else `data` itself (kind `event`).
fn event_subject(data: &[Member<'_>]) -> Result<(String, String, Option<String>), MissingField> {
    let nested = data.iter().find_map(|m| match &m.value {
        Value::Object(inner) => {
            scalar(inner, "id").map(|id| (m.key.to_string(), id, scalar(inner, "state")))
        }
        _ => None,
    });
    match nested {
        Some(subject) => Ok(subject),
        None => {
            let id = scalar(data, "id").ok_or(MissingField("data.id"))?;
            Ok(("event".to_owned(), id, scalar(data, "state")))
        }
    }
}

/// A non-empty string member, or a number member as its text; `None` for anything else.
fn scalar(members: &[Member<'_>], key: &str) -> Option<String> {
    match &members.iter().find(|m| m.key == key)?.value {
        Value::String(text) if !text.is_empty() => Some(text.to_string()),
        Value::Number(token) => Some((*token).to_owned()),
        _ => None,
    }
}

/// Re-reads a part of a verified body kept verbatim (it was read strictly once, so this succeeds).
fn reparse<'a>(raw: &'a RawJson, field: &'static str) -> Result<StrictObject<'a>, MissingField> {
    StrictObject::parse(raw.as_str().as_bytes(), Limits::EVENTS).map_err(|_| MissingField(field))
}

/// Verifies `X-Webhook-Auth` over the raw `body`, then parses it. Signature failures are
/// [`Error::Signature`]; a verified body of an unexpected shape is [`Error::InvalidInput`].
pub fn verify_and_parse(
    verifier: &WebhookVerifier,
    x_webhook_auth: Option<&str>,
    body: &[u8],
) -> Result<WebhookEvent, Error> {
    let object = verifier.verify(x_webhook_auth, body)?;
    parse_verified(&object)
}

fn malformed(field: &'static str, reason: impl Into<String>) -> Error {
    Error::invalid_input(field, format!("webhook: {}", reason.into()))
}

/// Parses a body that [`WebhookVerifier::verify`] accepted.
pub fn parse_verified(object: &StrictObject<'_>) -> Result<WebhookEvent, Error> {
    match (object.get("eventType"), object.get("type")) {
        (Some(_), Some(_)) => Err(malformed(
            "eventType",
            "both `eventType` and `type`: not a known format",
        )),
        (None, Some(member)) => {
            let Value::String(type_name) = &member.value else {
                return Err(malformed("type", "not a string"));
            };
            if type_name != "PAYMENT" {
                return Ok(WebhookEvent::OtherFlat {
                    type_name: type_name.to_string(),
                    body: RawJson::from_text(object.source().to_owned())?,
                });
            }
            object
                .deserialize::<Payment>()
                .map(|payment| WebhookEvent::Payment(Box::new(payment)))
                .map_err(|e| malformed("payment", Untrusted::new(&e.to_string()).to_string()))
        }
        (Some(member), None) => {
            let Value::String(text) = &member.value else {
                return Err(malformed("eventType", "not a string"));
            };
            let event_type = EventType::from_wire(text);
            let data = object
                .get("data")
                .ok_or_else(|| malformed("data", "missing"))?;
            if !matches!(data.value, Value::Object(_)) {
                return Err(malformed("data", "not an object"));
            }
            let data = RawJson::from_text(data.raw.to_owned())?;
            if !event_type.is_checkout_event() {
                return Ok(WebhookEvent::Other { event_type, data });
            }
            #[derive(Deserialize)]
            struct CheckoutData {
                checkout: WebhookCheckout,
            }
            let checkout = data
                .parse::<CheckoutData>()
                .map_err(|e| {
                    malformed("data.checkout", Untrusted::new(&e.to_string()).to_string())
                })?
                .checkout;
            Ok(WebhookEvent::Checkout {
                event_type,
                checkout,
                data,
            })
        }
        (None, None) => Err(malformed(
            "eventType",
            "neither `eventType` nor `type`: not a COINQVEST webhook",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &str) -> Result<WebhookEvent, Error> {
        parse_verified(&StrictObject::parse(text.as_bytes(), Limits::EVENTS).unwrap())
    }

    #[test]
    fn identities_and_finality() {
        let seed = pay_testdata::seed("coinqvest", "webhook_payment");
        let resolved = event(&seed).unwrap();
        let identity = resolved.identity().unwrap();
        assert_eq!(
            identity.event_key(),
            "coinqvest|payment|cb69affabf53|RESOLVED"
        );
        assert_eq!(resolved.finality(), Finality::Terminal);
        let unresolved = event(&seed.replace(r#""RESOLVED""#, r#""UNRESOLVED""#)).unwrap();
        assert_eq!(
            unresolved.identity().unwrap().object_key(),
            identity.object_key()
        );
        assert_eq!(unresolved.finality(), Finality::Intermediate);

        let checkout = event(
            r#"{"eventType":"CHECKOUT_COMPLETED","data":{"checkout":{"id":"87508a7a78c3","state":"COMPLETED"}}}"#,
        )
        .unwrap();
        let identity = checkout.identity().unwrap();
        assert_eq!(identity.kind, "checkout");
        assert_eq!(identity.status, "CHECKOUT_COMPLETED:COMPLETED");
        assert_eq!(checkout.finality(), Finality::Terminal);
        let stateless = event(
            r#"{"eventType":"CHECKOUT_UNDERPAID","data":{"checkout":{"id":"87508a7a78c3"}}}"#,
        )
        .unwrap();
        assert_eq!(stateless.identity().unwrap().status, "CHECKOUT_UNDERPAID");
        assert_eq!(stateless.finality(), Finality::Unknown);

        let refund = event(
            r#"{"eventType":"REFUND_COMPLETED","data":{"refund":{"id":"r1","state":"COMPLETED"}}}"#,
        )
        .unwrap();
        let identity = refund.identity().unwrap();
        assert_eq!(
            identity.event_key(),
            "coinqvest|refund|r1|REFUND_COMPLETED:COMPLETED"
        );
        assert_eq!(refund.finality(), Finality::Unknown);
        let bare = event(r#"{"eventType":"SOMETHING_NEW","data":{"id":"x1"}}"#).unwrap();
        assert_eq!(
            (bare.identity().unwrap().kind.as_str(), bare.finality()),
            ("event", Finality::Unknown)
        );
        let flat = event(r#"{"id":"t1","type":"TRANSFER","state":"DONE"}"#).unwrap();
        assert_eq!(
            flat.identity().unwrap().event_key(),
            "coinqvest|transfer|t1|DONE"
        );
        assert_eq!(flat.finality(), Finality::Unknown);
    }

    #[test]
    fn an_event_without_its_identity_is_refused() {
        let seed = pay_testdata::seed("coinqvest", "webhook_payment");
        let stateless = seed.replace(r#""state":"RESOLVED","#, "");
        assert_eq!(
            event(&stateless).unwrap().identity(),
            Err(MissingField("state"))
        );
        let anonymous = seed.replace(r#""cb69affabf53""#, r#""""#);
        assert_eq!(
            event(&anonymous).unwrap().identity(),
            Err(MissingField("id"))
        );
        for (body, missing) in [
            (
                r#"{"eventType":"X","data":{"refund":{"state":"DONE"}}}"#,
                "data.id",
            ),
            (r#"{"type":"TRANSFER","state":"DONE"}"#, "id"),
            (r#"{"id":"t1","type":"TRANSFER"}"#, "state"),
        ] {
            assert_eq!(
                event(body).unwrap().identity(),
                Err(MissingField(missing)),
                "{body}"
            );
        }
        assert!(event(r#"{"eventType":"X","data":[]}"#).is_err());
    }
}
