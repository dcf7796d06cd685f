//! One error taxonomy for every provider, built so that each error says what may have happened to the
//! money: refused before sending, refused by the provider, or sent with an unknown outcome.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::StatusCode;

use crate::text::{Untrusted, UntrustedBytes};

/// How many characters of an error reason (a sentence of ours that may embed text from outside)
/// are written.
const REASON_MAX_CHARS: usize = 1000;

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
///
/// `Display` and `Debug` write every text that may come from outside (reasons, provider messages,
/// bodies) through [`Untrusted`]: escaped (one line, whatever the provider sent), capped, and with
/// account numbers masked. The fields keep the raw values for code that needs them; never log
/// those raw values.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Refused before sending: a field is missing or malformed.
    #[error(
        "invalid {}: {}",
        Untrusted::new(field).unquoted(),
        Untrusted::new(reason).unquoted().max_chars(REASON_MAX_CHARS)
    )]
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
    #[error(
        "undecodable response (HTTP {status}): {}",
        Untrusted::new(reason).unquoted().max_chars(REASON_MAX_CHARS)
    )]
    Undecodable {
        /// The HTTP status of the response.
        status: StatusCode,
        /// What was wrong with it (may quote the body).
        reason: String,
        /// The body as received (`Debug` shows an escaped, masked preview).
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

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { field, reason } => f
                .debug_struct("InvalidInput")
                .field("field", &Untrusted::new(field))
                .field(
                    "reason",
                    &Untrusted::new(reason).max_chars(REASON_MAX_CHARS),
                )
                .finish(),
            Self::Provider(e) => f.debug_tuple("Provider").field(e).finish(),
            Self::Undecodable {
                status,
                reason,
                body,
            } => f
                .debug_struct("Undecodable")
                .field("status", status)
                .field(
                    "reason",
                    &Untrusted::new(reason).max_chars(REASON_MAX_CHARS),
                )
                .field("body", &UntrustedBytes::new(body))
                .finish(),
            Self::Signature(e) => f.debug_tuple("Signature").field(e).finish(),
            Self::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
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
///
/// `message` and `details` are kept as received. `Display` and `Debug` write them escaped, capped
/// and with account numbers masked ([`Untrusted`]): a message that repeats a card number, or
/// carries a newline and a forged log line, shows neither.
///
/// ```
/// use http::StatusCode;
/// use pay_core::error::{Provider, ProviderError};
///
/// let e = ProviderError::new(
///     Provider::Qostiq,
///     StatusCode::BAD_REQUEST,
///     Some(4),
///     "account 4111111111111111 is invalid\n2026-11-30 INFO payout ok",
///     vec![],
/// );
/// assert_eq!(
///     e.to_string(),
///     "qostiq refused the request (HTTP 400 Bad Request, error_code 4): \
///      account ****1111 is invalid\\n2026-11-30 INFO payout ok"
/// );
/// assert!(e.message.starts_with("account 4111111111111111"));
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{provider} refused the request (HTTP {status}{}): {}",
    code.map(|c| format!(", error_code {c}")).unwrap_or_default(),
    Untrusted::new(message).unquoted()
)]
#[non_exhaustive]
pub struct ProviderError {
    /// Which provider answered.
    pub provider: Provider,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The provider's numeric error code, when it has one (Qostiq `error_code`).
    pub code: Option<i64>,
    /// The provider's message as received (Qostiq `message`; COINQVEST: the `errors` joined, or
    /// the raw body). Never log it raw: log the error.
    pub message: String,
    /// Every message the provider listed (COINQVEST `errors`), as received.
    pub details: Vec<String>,
}

/// How many of a refusal's `details` its `Debug` lists.
const DETAILS_SHOWN: usize = 10;

impl fmt::Debug for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Details<'a>(&'a [String]);
        impl fmt::Debug for Details<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut list = f.debug_list();
                list.entries(self.0.iter().take(DETAILS_SHOWN).map(|d| Untrusted::new(d)));
                if let Some(more) = self.0.len().checked_sub(DETAILS_SHOWN).filter(|n| *n > 0) {
                    list.entry(&format_args!("…(+{more} more)"));
                }
                list.finish()
            }
        }
        f.debug_struct("ProviderError")
            .field("provider", &self.provider)
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &Untrusted::new(&self.message))
            .field("details", &Details(&self.details))
            .finish()
    }
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
    /// Its text may quote the body (a duplicate key): written through [`Untrusted`], since the
    /// body is not authenticated yet and the error is logged.
    #[error(
        "signed body rejected: {}",
        Untrusted::new(&.0.to_string()).unquoted()
    )]
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
///
/// `Display` and `Debug` write the source's text through [`Untrusted`] (a transport may quote what
/// the server sent).
#[derive(thiserror::Error)]
#[error(
    "transport error ({kind:?}, {}){}",
    match delivery { Delivery::NotSent => "not sent", Delivery::MaybeSent => "may have been sent" },
    source.as_ref().map(|s| format!(": {}", Untrusted::new(&s.to_string()).unquoted())).unwrap_or_default()
)]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportErrorKind,
    /// Whether the request may have reached the provider.
    pub delivery: Delivery,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self.source.as_ref().map(|s| format!("{s:?}"));
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("delivery", &self.delivery)
            .field(
                "source",
                &source.as_deref().map(|s| Untrusted::new(s).unquoted()),
            )
            .finish()
    }
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
        let answered = |provider, status, code, message: &str| {
            Error::from(ProviderError::new(provider, status, code, message, vec![]))
        };
        let transport = |kind, delivery| Error::from(TransportError::new(kind, delivery, None));
        // (error, what it says about the money)
        let cases = [
            (
                answered(
                    Provider::Qostiq,
                    StatusCode::BAD_REQUEST,
                    Some(6),
                    "shop_payment_id not unique",
                ),
                RequestOutcome::Refused,
            ),
            (
                answered(
                    Provider::Coinqvest,
                    StatusCode::BAD_GATEWAY,
                    None,
                    "bad gateway",
                ),
                RequestOutcome::Unknown,
            ),
            (
                transport(TransportErrorKind::Timeout, Delivery::MaybeSent),
                RequestOutcome::Unknown,
            ),
            (
                transport(TransportErrorKind::Connect, Delivery::NotSent),
                RequestOutcome::NotSent,
            ),
            (
                Error::undecodable(StatusCode::OK, "truncated", Bytes::from_static(b"{\"res")),
                RequestOutcome::Unknown,
            ),
        ];
        for (error, outcome) in cases {
            assert_eq!(error.outcome(), outcome, "{error:?}");
        }
    }

    /// A message an attacker (or a provider echoing what the merchant sent) controls: a card
    /// number, an IBAN, a forged log line after a newline, an ANSI escape and a bidi override.
    const HOSTILE: &str = "account 4111111111111111 (IBAN GB33BUKB20201555555555) is invalid\n\
        2026-11-30T12:00:00Z INFO pay.call outcome=ok payout=accepted\r\u{1b}[2K\u{202e}";

    fn assert_clean(shown: &str) {
        for leaked in [
            "4111111111111111",
            "GB33BUKB20201555555555",
            "20201555555555",
        ] {
            assert!(!shown.contains(leaked), "{leaked} leaked in {shown}");
        }
        // `{:#?}` breaks lines itself; nothing else may, and no line may start with the forgery.
        assert!(
            !shown
                .chars()
                .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
            "raw control in {shown:?}"
        );
        assert!(
            !shown
                .lines()
                .any(|l| l.trim_start().starts_with("2026-11-30")),
            "forged line in {shown}"
        );
        assert!(shown.contains("****1111"), "{shown}");
    }

    /// Attack: log injection and account numbers through a provider message, in every form an
    /// error is written (Display, Debug, pretty Debug), for each error variant carrying text from
    /// outside. The raw text stays in the fields.
    #[test]
    fn provider_messages_are_escaped_and_masked_in_every_form() {
        let refusal = ProviderError::new(
            Provider::Coinqvest,
            StatusCode::BAD_REQUEST,
            None,
            HOSTILE,
            vec![HOSTILE.to_owned(); 12],
        );
        let errors = [
            Error::from(refusal.clone()),
            Error::undecodable(
                StatusCode::OK,
                format!("invalid type: string {HOSTILE:?}"),
                Bytes::from(HOSTILE),
            ),
            Error::invalid_input("account_details.iban", format!("`{HOSTILE}` is not valid")),
        ];
        for error in &errors {
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(!shown.contains('\n'), "{shown}");
            }
            for shown in [
                error.to_string(),
                format!("{error:?}"),
                format!("{error:#?}"),
            ] {
                assert_clean(&shown);
                assert!(shown.contains(r"\n2026-11-30T12:00:00Z INFO"), "{shown}");
            }
        }
        for shown in [
            refusal.to_string(),
            format!("{refusal:?}"),
            format!("{refusal:#?}"),
        ] {
            assert_clean(&shown);
        }
        assert!(format!("{refusal:?}").contains("…(+2 more)"));
        assert_eq!(refusal.message, HOSTILE);
        assert_eq!(refusal.details[0], HOSTILE);
    }

    #[test]
    fn a_long_provider_message_is_capped() {
        let flood = "A".repeat(100_000);
        let e = ProviderError::new(Provider::Qostiq, StatusCode::OK, Some(1), flood, vec![]);
        assert!(e.to_string().len() < 400, "{}", e.to_string().len());
        assert!(format!("{e:?}").len() < 500);
        let body = Error::undecodable(StatusCode::OK, "x", Bytes::from(vec![b'<'; 1 << 20]));
        assert!(format!("{body:?}").len() < 600);
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
            "qostiq refused the request (HTTP 200 OK, error_code 7): not found"
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
