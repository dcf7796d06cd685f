//! One error taxonomy for every provider, built so that each error says what may have happened to the
//! money: refused before sending, refused by the provider, or sent with an unknown outcome.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::StatusCode;

use crate::text::Untrusted;

/// Which provider an error or a call belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Qostiq (`core.qostiq.com`).
    Qostiq,
    /// COINQVEST Merchant API v1.
    Coinqvest,
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Qostiq => "qostiq",
            Self::Coinqvest => "coinqvest",
        })
    }
}

/// Every error pay-rs returns.
///
/// Use [`Error::outcome`] to learn whether the request may have taken effect at the provider.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Refused before sending: a field is missing or malformed.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field, in the provider's own naming (`amount`, `charge.lineItems[0].netAmount`).
        field: Cow<'static, str>,
        /// Why it was refused.
        reason: Cow<'static, str>,
    },
    /// The provider answered and refused the request.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The provider answered something we cannot decode. The raw body is kept.
    #[error("undecodable response (HTTP {status}): {reason}")]
    Undecodable {
        /// The HTTP status of the response.
        status: StatusCode,
        /// What was wrong with it.
        reason: String,
        /// The body as received.
        body: Bytes,
    },
    /// A signature could not be produced or did not verify.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The request failed on the way; [`TransportError::delivery`] says whether it may have been sent.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl Error {
    /// Builds [`Error::InvalidInput`].
    pub fn invalid_input(
        field: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Builds [`Error::Undecodable`].
    pub fn undecodable(status: StatusCode, reason: impl Into<String>, body: Bytes) -> Self {
        Self::Undecodable {
            status,
            reason: reason.into(),
            body,
        }
    }

    /// What this error means for the request's effect at the provider.
    ///
    /// ```
    /// use pay_core::error::{Error, RequestOutcome};
    ///
    /// let err = Error::invalid_input("amount", "more than 2 decimals");
    /// assert_eq!(err.outcome(), RequestOutcome::NotSent);
    /// ```
    pub fn outcome(&self) -> RequestOutcome {
        match self {
            Self::InvalidInput { .. } => RequestOutcome::NotSent,
            // Signing failed before sending, or a received message failed to verify: either way no
            // request of ours took effect.
            Self::Signature(_) => RequestOutcome::NotSent,
            Self::Provider(e) if e.status.is_server_error() => RequestOutcome::Unknown,
            Self::Provider(_) => RequestOutcome::Refused,
            // The server answered but we could not read it: it may have acted on the request.
            Self::Undecodable { .. } => RequestOutcome::Unknown,
            Self::Transport(e) => match e.delivery {
                Delivery::NotSent => RequestOutcome::NotSent,
                Delivery::MaybeSent => RequestOutcome::Unknown,
            },
        }
    }
}

/// What an error means for the request's effect at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// Nothing reached the provider: no money moved.
    NotSent,
    /// The provider received the request and refused it: no money moved.
    Refused,
    /// The request may have been applied: recover by looking it up, never by re-sending blindly.
    Unknown,
}

/// A refusal from the provider: its code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{provider} refused the request (HTTP {status}{}): {}", code.map(|c| format!(", error_code {c}")).unwrap_or_default(), Untrusted::new(message))]
#[non_exhaustive]
pub struct ProviderError {
    /// Which provider answered.
    pub provider: Provider,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The provider's numeric error code, when it has one (Qostiq `error_code`).
    pub code: Option<i64>,
    /// The provider's message (Qostiq `message`; COINQVEST: the `errors` joined, or the raw body).
    pub message: String,
    /// Every message the provider listed (COINQVEST `errors`).
    pub details: Vec<String>,
}

impl ProviderError {
    /// Builds a provider error.
    pub fn new(
        provider: Provider,
        status: StatusCode,
        code: Option<i64>,
        message: impl Into<String>,
        details: Vec<String>,
    ) -> Self {
        Self {
            provider,
            status,
            code,
            message: message.into(),
            details,
        }
    }

    /// Whether the provider refused our credentials (HTTP 401 or 403).
    pub fn is_authentication(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED || self.status == StatusCode::FORBIDDEN
    }
}

/// A signature could not be produced, or a received one did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A secret was empty; an empty key authenticates anyone, so it is refused.
    #[error("the secret is empty")]
    EmptySecret,
    /// No secret was configured for verification.
    #[error("no secret configured")]
    NoSecret,
    /// The request lacks a key that the endpoint signs.
    #[error("signed key {} is missing", Untrusted::new(key))]
    MissingSignedKey {
        /// The missing key.
        key: String,
    },
    /// The endpoint is not one whose signed keys we know.
    #[error("unknown endpoint {}", Untrusted::new(endpoint))]
    UnknownEndpoint {
        /// The endpoint asked for.
        endpoint: String,
    },
    /// The message carries no signature (`sign` field, `X-Webhook-Auth` header).
    #[error("signature is missing")]
    Missing,
    /// The signature is not 64 hexadecimal digits.
    #[error("signature is malformed: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature is well formed but does not match any configured secret.
    #[error("signature does not match")]
    Mismatch,
    /// The signed message is not acceptable input (not one strict JSON object, too large, too deep).
    #[error("signed body rejected: {0}")]
    Body(#[from] crate::json::JsonError),
    /// A callback carries a key its type does not have, and that was not declared as a custom
    /// field. The provider signs values, not key names: a renamed key keeps the signature valid.
    #[error("{kind} callback has unknown key {}", Untrusted::new(key))]
    UnknownKey {
        /// The callback type (`withdraw`, `crypto_withdraw`, `payment`).
        kind: &'static str,
        /// The key, as received.
        key: String,
    },
    /// A key the provider always sends for this callback type is absent, `null` or empty.
    #[error("{kind} callback lacks required key `{key}`")]
    MissingKey {
        /// The callback type.
        kind: &'static str,
        /// The missing key.
        key: &'static str,
    },
    /// A callback value does not have the shape of its key (malformed, or moved or colon-shifted
    /// from another key).
    #[error("{kind} callback key {} has the wrong shape", Untrusted::new(key))]
    WrongShape {
        /// The callback type.
        kind: &'static str,
        /// The key whose value is refused.
        key: String,
    },
    /// `callback_type` names no callback type this library knows.
    #[error("unknown callback_type {}", Untrusted::new(value))]
    UnknownCallbackType {
        /// The value received (a JSON string's text, or the raw JSON of another value).
        value: String,
    },
    /// The signed values of a callback also read, under the provider's rule, as a callback with a
    /// different `key` (or of another type): it could be a forgery of another callback, so it is
    /// refused.
    #[error("{kind} callback is ambiguous: its signed values also read with a different `{key}`")]
    Ambiguous {
        /// The callback type as received.
        kind: &'static str,
        /// A key whose value differs in the other reading (`callback_type` for another type).
        key: &'static str,
    },
    /// A custom callback field name refused while configuring a verifier.
    #[error("custom field {}: {reason}", Untrusted::new(name))]
    CustomField {
        /// The name given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },
}

/// Whether a failed request may have reached the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Certainly not sent (connection refused, DNS failure, TLS handshake failure, rate limiter).
    NotSent,
    /// May have been sent and acted upon (timeout after writing, reset, truncated answer).
    MaybeSent,
}

/// What went wrong on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Could not connect.
    Connect,
    /// The attempt timed out.
    Timeout,
    /// The connection broke mid-exchange.
    ConnectionClosed,
    /// The response body ended early.
    TruncatedBody,
    /// The response body exceeded the configured limit.
    ResponseTooLarge,
    /// The request was cancelled by the caller.
    Cancelled,
    /// Anything else.
    Other,
}

/// A failure between us and the provider.
#[derive(Debug, thiserror::Error)]
#[error("transport error ({kind:?}, {}){}", match delivery { Delivery::NotSent => "not sent", Delivery::MaybeSent => "may have been sent" }, source.as_ref().map(|s| format!(": {s}")).unwrap_or_default())]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportErrorKind,
    /// Whether the request may have reached the provider.
    pub delivery: Delivery,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// Builds a transport error.
    pub fn new(
        kind: TransportErrorKind,
        delivery: Delivery,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            delivery,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_the_money() {
        let refused = Error::from(ProviderError::new(
            Provider::Qostiq,
            StatusCode::BAD_REQUEST,
            Some(6),
            "shop_payment_id not unique",
            vec![],
        ));
        assert_eq!(refused.outcome(), RequestOutcome::Refused);
        let five = Error::from(ProviderError::new(
            Provider::Coinqvest,
            StatusCode::BAD_GATEWAY,
            None,
            "bad gateway",
            vec![],
        ));
        assert_eq!(five.outcome(), RequestOutcome::Unknown);
        let timeout = Error::from(TransportError::new(
            TransportErrorKind::Timeout,
            Delivery::MaybeSent,
            None,
        ));
        assert_eq!(timeout.outcome(), RequestOutcome::Unknown);
        let connect = Error::from(TransportError::new(
            TransportErrorKind::Connect,
            Delivery::NotSent,
            None,
        ));
        assert_eq!(connect.outcome(), RequestOutcome::NotSent);
        let garbled =
            Error::undecodable(StatusCode::OK, "truncated", Bytes::from_static(b"{\"res"));
        assert_eq!(garbled.outcome(), RequestOutcome::Unknown);
    }

    #[test]
    fn provider_error_display_names_the_code() {
        let e = ProviderError::new(
            Provider::Qostiq,
            StatusCode::OK,
            Some(7),
            "not found",
            vec![],
        );
        assert_eq!(
            e.to_string(),
            "qostiq refused the request (HTTP 200 OK, error_code 7): \"not found\""
        );
        assert!(!e.is_authentication());
        let auth = ProviderError::new(
            Provider::Coinqvest,
            StatusCode::UNAUTHORIZED,
            None,
            "no",
            vec![],
        );
        assert!(auth.is_authentication());
    }

    #[test]
    fn untrusted_text_in_errors_cannot_forge_a_log_line() {
        let forged = "status\n2026-11-30T10:00:00Z INFO payout 42 applied";
        let errors: Vec<String> = vec![
            SignatureError::UnknownKey {
                kind: "withdraw",
                key: forged.into(),
            }
            .to_string(),
            SignatureError::WrongShape {
                kind: "payment",
                key: forged.into(),
            }
            .to_string(),
            SignatureError::UnknownCallbackType {
                value: forged.into(),
            }
            .to_string(),
            SignatureError::CustomField {
                name: forged.into(),
                reason: "is refused",
            }
            .to_string(),
            SignatureError::MissingSignedKey { key: forged.into() }.to_string(),
            SignatureError::UnknownEndpoint {
                endpoint: forged.into(),
            }
            .to_string(),
            SignatureError::Body(crate::json::JsonError::DuplicateKey { key: forged.into() })
                .to_string(),
            ProviderError::new(
                Provider::Qostiq,
                StatusCode::BAD_REQUEST,
                None,
                forged,
                vec![],
            )
            .to_string(),
            SignatureError::UnknownKey {
                kind: "withdraw",
                key: "k".repeat(10_000),
            }
            .to_string(),
        ];
        for shown in errors {
            assert!(!shown.contains('\n'), "{shown}");
            assert!(shown.chars().count() < 400, "{shown}");
        }
        assert_eq!(
            SignatureError::UnknownKey {
                kind: "withdraw",
                key: "callback_typ".into()
            }
            .to_string(),
            "withdraw callback has unknown key \"callback_typ\""
        );
    }
}
