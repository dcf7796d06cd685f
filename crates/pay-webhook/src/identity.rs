//! What makes two deliveries "the same event", and whether an event's status is final.

use std::fmt;

use pay_core::error::Provider;
use pay_core::json::{StrictObject, Value};
use pay_core::text::Untrusted;
use pay_qostiq::CallbackStatus;
use pay_signing::qostiq::VerifiedCallback;
use pay_store::DedupKey;
pub use pay_store::Finality;

/// The identity of a pushed event.
///
/// * Qostiq: the callback type the verifier bound the keys to (`withdraw`, `crypto_withdraw`,
///   `payment`), `payment_id` and `status`, all three required keys of every type.
/// * COINQVEST flat payment webhook: `PAYMENT`, the payment `id`, its `state`.
/// * COINQVEST `{eventType, data}` webhook: the event type, the id of the object in `data`
///   (`data.checkout.id`, `data.payment.id`, … or `data.id`), and that object's `state` (or the event
///   type when there is none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventIdentity {
    /// The provider.
    pub provider: Provider,
    /// The kind of object (`withdraw`, `crypto_withdraw`, `payment`, `checkout`, …).
    pub kind: String,
    /// The provider's id of the object.
    pub object_id: String,
    /// The status the event reports (or the event type).
    pub status: String,
    /// Whether `status` is final.
    pub finality: Finality,
}

impl EventIdentity {
    /// The key under which this exact event is deduplicated.
    pub fn event_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.provider, self.kind, self.object_id, self.status
        )
    }

    /// The key of the object the event is about (for "never regress a final status").
    pub fn object_key(&self) -> String {
        format!("{}|{}|{}", self.provider, self.kind, self.object_id)
    }

    /// The deduplication key of this event, over its two keys (`event_key`, `object_key`).
    pub fn dedup_key<'a>(&self, event_key: &'a str, object_key: &'a str) -> DedupKey<'a> {
        DedupKey {
            event: event_key,
            object: object_key,
            finality: self.finality,
        }
    }
}

impl fmt::Display for EventIdentity {
    /// `qostiq withdraw "872734" → "success"`: the provider's texts escaped and capped
    /// ([`Untrusted`]), so an identity in a log line cannot forge another line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} → {}",
            self.provider,
            Untrusted::new(&self.kind),
            Untrusted::new(&self.object_id),
            Untrusted::new(&self.status)
        )
    }
}

/// Why an event's identity could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event lacks `{0}`")]
pub struct MissingField(pub &'static str);

/// A scalar member as text (`"abc"` → `abc`, `149` → `149`); `None` for absent, null, empty or nested.
fn scalar_text<'a>(value: Option<&'a Value<'a>>) -> Option<std::borrow::Cow<'a, str>> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(std::borrow::Cow::Borrowed(s.as_ref())),
        Value::Number(n) => Some(std::borrow::Cow::Borrowed(n)),
        _ => None,
    }
}

fn member<'o, 'a>(object: &'o [pay_core::json::Member<'a>], key: &str) -> Option<&'o Value<'a>> {
    object.iter().find(|m| m.key == key).map(|m| &m.value)
}

/// Reads the identity of a verified Qostiq callback from its required keys: the type the verifier
/// bound the keys to, `payment_id` and `status`. The provider sends callbacks for final statuses
/// (`success`, `rejected`: [`CallbackStatus::is_final`]); any other status (`refunded` after
/// `success`, …) is [`Finality::Unknown`] and always reaches the handler.
pub fn qostiq(verified: &VerifiedCallback<'_>) -> Result<EventIdentity, MissingField> {
    let members = verified.object().members();
    let object_id = scalar_text(member(members, "payment_id")).ok_or(MissingField("payment_id"))?;
    let status = scalar_text(member(members, "status")).ok_or(MissingField("status"))?;
    let finality = if CallbackStatus::parse(&status).is_final() {
        Finality::Terminal
    } else {
        Finality::Unknown
    };
    Ok(EventIdentity {
        provider: Provider::Qostiq,
        kind: verified.kind().as_str().to_owned(),
        object_id: object_id.into_owned(),
        status: status.into_owned(),
        finality,
    })
}

fn coinqvest_finality(status: &str) -> Finality {
    match status {
        "COMPLETED" | "DELAYED_COMPLETED" | "RESOLVED" | "REFUNDED" | "EXPIRED" | "CANCELLED" => {
            Finality::Terminal
        }
        "UNRESOLVED" | "OPEN" | "PENDING" | "UNDERPAID" | "PROCESSING" | "NEW" => {
            Finality::Intermediate
        }
        _ => Finality::Unknown,
    }
}

/// Reads the identity of a verified COINQVEST webhook, in either body format.
pub fn coinqvest(object: &StrictObject<'_>) -> Result<EventIdentity, MissingField> {
    let members = object.members();
    if let Some(event_type) = scalar_text(member(members, "eventType")) {
        let data = match member(members, "data") {
            Some(Value::Object(data)) => data,
            _ => return Err(MissingField("data")),
        };
        // The object the event is about: `data.<kind>.id`, else `data.id`.
        let nested = data.iter().find_map(|m| match &m.value {
            Value::Object(inner) => scalar_text(member(inner, "id")).map(|id| {
                (
                    m.key.to_string(),
                    id.into_owned(),
                    scalar_text(member(inner, "state")),
                )
            }),
            _ => None,
        });
        let (kind, object_id, state) = match nested {
            Some((kind, id, state)) => (kind, id, state.map(|s| s.into_owned())),
            None => {
                let id = scalar_text(member(data, "id")).ok_or(MissingField("data.id"))?;
                (
                    "event".to_owned(),
                    id.into_owned(),
                    scalar_text(member(data, "state")).map(|s| s.into_owned()),
                )
            }
        };
        let (status, finality) = match state {
            Some(state) => {
                let finality = coinqvest_finality(&state);
                (format!("{event_type}:{state}"), finality)
            }
            None => (event_type.into_owned(), Finality::Unknown),
        };
        return Ok(EventIdentity {
            provider: Provider::Coinqvest,
            kind,
            object_id,
            status,
            finality,
        });
    }
    let object_id = scalar_text(member(members, "id")).ok_or(MissingField("id"))?;
    let kind = scalar_text(member(members, "type")).ok_or(MissingField("type"))?;
    let state = scalar_text(member(members, "state")).ok_or(MissingField("state"))?;
    Ok(EventIdentity {
        provider: Provider::Coinqvest,
        kind: kind.to_ascii_lowercase(),
        object_id: object_id.into_owned(),
        finality: coinqvest_finality(&state),
        status: state.into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::json::Limits;

    fn parse(text: &str) -> StrictObject<'_> {
        StrictObject::parse(text.as_bytes(), Limits::default()).unwrap()
    }

    #[test]
    fn qostiq_identity_comes_from_the_bound_type_and_required_keys() {
        use pay_core::secret::Secret;
        use pay_signing::qostiq::{CallbackVerifier, sign_callback};

        let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
        let verifier = CallbackVerifier::new(secret.clone());
        let identity = |body: &str| {
            let signed = sign_callback(&secret, body.as_bytes()).unwrap();
            qostiq(&verifier.verify(signed.as_bytes()).unwrap()).unwrap()
        };
        let crypto = identity(
            r#"{"address": "0xf8", "callback_type": "crypto_withdraw", "payee_receive": "0.0001", "payment_id": 149, "ps_currency": "BNB", "shop_currency": "BNB", "shop_id": 6, "shop_order_id": "c1", "shop_write_off": "0.000103", "status": "success"}"#,
        );
        assert_eq!(crypto.event_key(), "qostiq|crypto_withdraw|149|success");
        assert_eq!(crypto.finality, Finality::Terminal);
        let payment = r#"{"payment_id": 7, "shop_amount": "6.00", "shop_currency": 980, "shop_order_id": "979", "status": "rejected"}"#;
        let notification = identity(payment);
        assert_eq!(notification.kind, "payment");
        assert_eq!(notification.finality, Finality::Terminal);
        // A status after the final ones (a refund of a successful withdrawal) is never stale.
        let refunded = identity(&payment.replace("rejected", "refunded"));
        assert_eq!(refunded.finality, Finality::Unknown);
        assert_eq!(refunded.object_key(), notification.object_key());
    }

    #[test]
    fn identities_are_shown_escaped() {
        let forged = EventIdentity {
            provider: Provider::Coinqvest,
            kind: "payment".into(),
            object_id: "cb69\n2026-11-30 INFO applied".into(),
            status: "RESOLVED".into(),
            finality: Finality::Terminal,
        };
        let shown = forged.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert_eq!(
            shown,
            r#"coinqvest "payment" "cb69\n2026-11-30 INFO applied" → "RESOLVED""#
        );
    }

    #[test]
    fn coinqvest_identities() {
        let flat = coinqvest(&parse(
            r#"{"id": "cb69affabf53", "type": "PAYMENT", "state": "UNRESOLVED"}"#,
        ))
        .unwrap();
        assert_eq!(flat.object_key(), "coinqvest|payment|cb69affabf53");
        assert_eq!(flat.finality, Finality::Intermediate);
        let event = coinqvest(&parse(
            r#"{"eventType":"CHECKOUT_COMPLETED","data":{"checkout":{"id":"87508a7a78c3","state":"COMPLETED"}}}"#,
        ))
        .unwrap();
        assert_eq!(event.kind, "checkout");
        assert_eq!(event.status, "CHECKOUT_COMPLETED:COMPLETED");
        assert_eq!(event.finality, Finality::Terminal);
        let bare = coinqvest(&parse(
            r#"{"eventType":"SOMETHING_NEW","data":{"id":"x1"}}"#,
        ))
        .unwrap();
        assert_eq!(
            (bare.kind.as_str(), bare.finality),
            ("event", Finality::Unknown)
        );
        assert_eq!(
            coinqvest(&parse(r#"{"eventType":"X","data":[]}"#)),
            Err(MissingField("data"))
        );
    }
}
