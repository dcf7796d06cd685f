//! How each provider signs its events and what it expects as an acknowledgement.

use http::HeaderMap;
use pay_coinqvest::webhooks::{self, WebhookEvent};
use pay_core::error::{Provider, SignatureError};
use pay_core::event::{MissingField, ProviderEvent};
use pay_core::json::StrictObject;
use pay_core::secret::Secret;
use pay_qostiq::callbacks::Callback;
use pay_signing::coinqvest::{WebhookVerifier, X_WEBHOOK_AUTH};
use pay_signing::qostiq::CallbackVerifier;
use time::Duration;

/// Why a delivery failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Bad, missing or mismatched signature, a body refused by the strict reader, or (Qostiq) a
    /// signed body whose keys do not bind to its callback type (renamed keys, moved values, colon
    /// shifts: see [`CallbackVerifier`]).
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The body verified but its provider crate cannot read it as a typed event (the reason,
    /// already escaped and capped by [`pay_core::Error`]'s `Display`).
    #[error("signed event not readable: {0}")]
    Unreadable(String),
    /// The body verified but lacks the fields that identify the event.
    #[error(transparent)]
    Identity(#[from] MissingField),
}

impl From<pay_core::Error> for VerifyError {
    fn from(error: pay_core::Error) -> Self {
        match error {
            pay_core::Error::Signature(signature) => Self::Signature(signature),
            other => Self::Unreadable(other.to_string()),
        }
    }
}

impl VerifyError {
    /// Whether the signature itself failed (answered 401), rather than a signed body being refused
    /// (answered 400).
    pub fn is_signature_failure(&self) -> bool {
        matches!(
            self,
            Self::Signature(
                SignatureError::Missing
                    | SignatureError::Malformed { .. }
                    | SignatureError::Mismatch
                    | SignatureError::Body(_)
                    | SignatureError::EmptySecret
                    | SignatureError::NoSecret
            )
        )
    }
}

/// A provider's signature scheme, as seen by a receiver.
pub trait Scheme: Send + Sync + 'static {
    /// The provider.
    const PROVIDER: Provider;
    /// The body of a successful acknowledgement.
    const ACK: &'static str;
    /// How long the provider keeps redelivering an unacknowledged event: a dedup store must remember
    /// events for longer (Qostiq: 25 attempts, the last a day after the first; COINQVEST: 48 hours).
    const REDELIVERY_WINDOW: Duration;

    /// The provider crate's typed event, which defines its identity and finality.
    type Event: ProviderEvent + Send + Sync + 'static;

    /// Verifies the raw delivery and reads it as a typed event; also answers which secret matched.
    fn verify(&self, headers: &HeaderMap, body: &[u8])
    -> Result<(Self::Event, usize), VerifyError>;
}

/// Qostiq callbacks and payment notifications: `sign` in the JSON body; acknowledged with `OK`.
#[derive(Debug, Clone)]
pub struct Qostiq {
    verifier: CallbackVerifier,
}

impl Qostiq {
    /// Verifies with any of `secrets` (current first). Refuses an empty list.
    pub fn new(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        Ok(Self::from_verifier(CallbackVerifier::with_secrets(
            secrets,
        )?))
    }

    /// Verifies with a configured verifier (custom fields, limits).
    pub fn from_verifier(verifier: CallbackVerifier) -> Self {
        Self { verifier }
    }

    /// The verifier, to configure further.
    pub(crate) fn into_verifier(self) -> CallbackVerifier {
        self.verifier
    }
}

impl Scheme for Qostiq {
    const PROVIDER: Provider = Provider::Qostiq;
    const ACK: &'static str = "OK";
    const REDELIVERY_WINDOW: Duration = Duration::days(1);

    type Event = Callback;

    fn verify(&self, _: &HeaderMap, body: &[u8]) -> Result<(Callback, usize), VerifyError> {
        let verified = self.verifier.verify(body)?;
        Ok((Callback::from_verified(&verified)?, verified.secret_index()))
    }
}

/// COINQVEST webhooks: `X-Webhook-Auth` over the raw body; acknowledged with HTTP 200.
#[derive(Debug, Clone)]
pub struct Coinqvest {
    verifier: WebhookVerifier,
}

impl Coinqvest {
    /// Verifies with any of `secrets` (current first). Refuses an empty list.
    pub fn new(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        Ok(Self {
            verifier: WebhookVerifier::with_secrets(secrets)?,
        })
    }
}

impl Scheme for Coinqvest {
    const PROVIDER: Provider = Provider::Coinqvest;
    const ACK: &'static str = "OK";
    const REDELIVERY_WINDOW: Duration = Duration::hours(48);

    type Event = WebhookEvent;

    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(WebhookEvent, usize), VerifyError> {
        let mut values = headers.get_all(X_WEBHOOK_AUTH).iter();
        let header = match (values.next(), values.next()) {
            (Some(v), None) => Some(v.to_str().map_err(|_| SignatureError::Malformed {
                reason: "header is not text",
            })?),
            (None, _) => None,
            (Some(_), Some(_)) => {
                return Err(SignatureError::Malformed {
                    reason: "header repeated",
                }
                .into());
            }
        };
        let (object, index) = self.verifier.verify_indexed(header, body)?;
        Ok((webhooks::parse_verified(&object)?, index))
    }
}

/// Re-reads a verified body (cheap; used by [`crate::Event::json`]).
pub(crate) fn reparse(body: &[u8]) -> Result<StrictObject<'_>, pay_core::json::JsonError> {
    StrictObject::parse(body, pay_core::json::Limits::EVENTS)
}
