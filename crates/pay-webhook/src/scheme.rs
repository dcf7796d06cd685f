//! How each provider signs its events and what it expects as an acknowledgement.

use http::HeaderMap;
use pay_core::error::{Provider, SignatureError};
use pay_core::json::StrictObject;
use pay_core::secret::Secret;
use pay_signing::coinqvest::{WebhookVerifier, X_WEBHOOK_AUTH};
use pay_signing::qostiq::CallbackVerifier;

use crate::identity::{self, EventIdentity, MissingField};

/// Why a delivery failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Bad, missing or mismatched signature, or a body refused by the strict reader.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The body verified but lacks the fields that identify the event.
    #[error(transparent)]
    Identity(#[from] MissingField),
    /// The body verified but a known field has the wrong shape (e.g. colon-shifted values; see
    /// `pay_qostiq::callbacks::check_shape`).
    #[error("field `{0}` has the wrong shape")]
    Shape(String),
}

/// A provider's signature scheme, as seen by a receiver.
pub trait Scheme: Send + Sync + 'static {
    /// The provider.
    const PROVIDER: Provider;
    /// The body of a successful acknowledgement.
    const ACK: &'static str;

    /// Verifies the raw delivery and reads its identity; also answers which secret matched.
    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(EventIdentity, usize), VerifyError>;
}

/// Qostiq callbacks and payment notifications: `sign` in the JSON body; acknowledged with `OK`.
#[derive(Debug, Clone)]
pub struct Qostiq {
    verifier: CallbackVerifier,
}

impl Qostiq {
    /// Verifies with any of `secrets` (current first). Refuses an empty list.
    pub fn new(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        Ok(Self {
            verifier: CallbackVerifier::with_secrets(secrets)?,
        })
    }
}

impl Scheme for Qostiq {
    const PROVIDER: Provider = Provider::Qostiq;
    const ACK: &'static str = "OK";

    fn verify(&self, _: &HeaderMap, body: &[u8]) -> Result<(EventIdentity, usize), VerifyError> {
        let verified = self.verifier.verify(body)?;
        pay_qostiq::callbacks::check_shape(&verified.object).map_err(|e| match e {
            pay_core::Error::InvalidInput { field, .. } => VerifyError::Shape(field.into_owned()),
            other => VerifyError::Shape(other.to_string()),
        })?;
        Ok((identity::qostiq(&verified.object)?, verified.secret_index))
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

    fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(EventIdentity, usize), VerifyError> {
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
        Ok((identity::coinqvest(&object)?, index))
    }
}

/// Re-reads a verified body (cheap; used by [`crate::Event::json`]).
pub(crate) fn reparse(body: &[u8]) -> Result<StrictObject<'_>, pay_core::json::JsonError> {
    StrictObject::parse(body, pay_core::json::Limits::EVENTS)
}
