//! What makes two deliveries "the same event", and whether an event's status is final.

use std::fmt;

use pay_core::error::Provider;
use pay_core::json::{StrictObject, Value};

/// Whether a status ends the life of the object it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Finality {
    /// A final status (`success`, `rejected`, `RESOLVED`, `COMPLETED` …).
    Terminal,
    /// A known intermediate status (`UNRESOLVED`, `PENDING` …). Never applied after a terminal one.
    Intermediate,
    /// A status this crate does not know: always handed to the handler.
    Unknown,
}

/// The identity of a pushed event.
///
/// * Qostiq: callback type (`withdraw`, `crypto_withdraw`, `payment` when absent), `payment_id`,
///   `status`.
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
}

impl fmt::Display for EventIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} → {}",
            self.provider, self.kind, self.object_id, self.status
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

/// Reads the identity of a verified Qostiq callback.
pub fn qostiq(object: &StrictObject<'_>) -> Result<EventIdentity, MissingField> {
    let members = object.members();
    let kind = scalar_text(member(members, "callback_type")).unwrap_or("payment".into());
    let object_id = scalar_text(member(members, "payment_id")).ok_or(MissingField("payment_id"))?;
    let status = scalar_text(member(members, "status")).ok_or(MissingField("status"))?;
    let finality = match status.to_ascii_lowercase().as_str() {
        "success" | "rejected" | "refunded" | "canceled" | "cancelled" | "expired" => {
            Finality::Terminal
        }
        "waiting" | "created" | "processing" | "pending" | "new" => Finality::Intermediate,
        _ => Finality::Unknown,
    };
    Ok(EventIdentity {
        provider: Provider::Qostiq,
        kind: kind.into_owned(),
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
    fn qostiq_identity() {
        let id = qostiq(&parse(
            r#"{"callback_type": "crypto_withdraw", "payment_id": 149, "status": "success"}"#,
        ))
        .unwrap();
        assert_eq!(id.event_key(), "qostiq|crypto_withdraw|149|success");
        assert_eq!(id.finality, Finality::Terminal);
        let notification = qostiq(&parse(r#"{"payment_id": 7, "status": "rejected"}"#)).unwrap();
        assert_eq!(notification.kind, "payment");
        assert_eq!(
            qostiq(&parse(r#"{"status": "success"}"#)),
            Err(MissingField("payment_id"))
        );
        assert_eq!(
            qostiq(&parse(r#"{"payment_id": {"a": 1}, "status": "success"}"#)),
            Err(MissingField("payment_id"))
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
