//! Pushed events (Qostiq callbacks, COINQVEST webhooks): what makes two deliveries the same event,
//! and whether an event's status is final.
//!
//! Each provider crate implements [`ProviderEvent`] on its typed, verified events, from its own
//! status tables; a receiver (pay-webhook) only orchestrates: verify, read the identity, deduplicate,
//! hand over. The identity comes from keys the provider signs and always sends, never from a default.

use std::fmt;

use crate::error::Provider;
use crate::text::Untrusted;

/// Whether a status ends the life of the object it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Finality {
    /// A final status (`success`, `rejected`, `RESOLVED`, `COMPLETED` …).
    Terminal,
    /// A known intermediate status (`UNRESOLVED`, `IN_PROGRESS` …). Never applied after a terminal one.
    Intermediate,
    /// A status not known to be either: always handed to the handler.
    Unknown,
}

/// The identity of a pushed event: the object it is about and the status it reports. Two
/// deliveries with the same identity are the same event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventIdentity {
    /// The provider.
    pub provider: Provider,
    /// The kind of object (`withdraw`, `crypto_withdraw`, `payment`, `checkout`, …).
    pub kind: String,
    /// The provider's id of the object.
    pub object_id: String,
    /// The status the event reports (or its event type).
    pub status: String,
}

impl EventIdentity {
    /// The key under which this exact event is deduplicated (`qostiq|withdraw|872734|success`).
    pub fn event_key(&self) -> String {
        format!("{}|{}", self.object_key(), self.status)
    }

    /// The key of the object the event is about (`qostiq|withdraw|872734`), for "never regress a
    /// final status".
    pub fn object_key(&self) -> String {
        format!("{}|{}|{}", self.provider, self.kind, self.object_id)
    }
}

impl fmt::Display for EventIdentity {
    /// `qostiq "withdraw" "872734" → "success"`: the provider's texts escaped and capped
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

/// A verified event lacks a field its identity is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event lacks `{0}`")]
pub struct MissingField(pub &'static str);

/// A verified event of one provider: its identity and the finality of its status, both defined by
/// the provider crate (pay-qostiq's `Callback`, pay-coinqvest's `WebhookEvent`).
pub trait ProviderEvent {
    /// What makes two deliveries of this event the same, read from signed keys the provider always
    /// sends; an event lacking one is refused ([`MissingField`]), never given a default.
    fn identity(&self) -> Result<EventIdentity, MissingField>;

    /// Whether the reported status is final, from the provider's status table.
    fn finality(&self) -> Finality;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_shown_escaped() {
        let forged = EventIdentity {
            provider: Provider::Coinqvest,
            kind: "payment".into(),
            object_id: "cb69\n2026-11-30 INFO applied".into(),
            status: "RESOLVED".into(),
        };
        let shown = forged.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert_eq!(
            shown,
            r#"coinqvest "payment" "cb69\n2026-11-30 INFO applied" → "RESOLVED""#
        );
        assert_eq!(
            forged.object_key(),
            "coinqvest|payment|cb69\n2026-11-30 INFO applied"
        );
        assert_eq!(
            forged.event_key(),
            "coinqvest|payment|cb69\n2026-11-30 INFO applied|RESOLVED"
        );
    }
}
