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
use pay_core::json::{StrictObject, Value};
use pay_core::text::Untrusted;
use serde::Deserialize;

use crate::checkouts::GetCheckout;
use crate::payments::Payment;
use crate::state::{CheckoutState, string_enum};
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
