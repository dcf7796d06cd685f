//! The receiver: a `tower::Service` that checks, verifies, deduplicates, calls the handler once and
//! acknowledges only after the handler succeeded.

use std::any::Any;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body::Body;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use pay_core::error::{Provider, SignatureError};
use pay_core::event::{EventIdentity, Finality, ProviderEvent};
use pay_core::secret::Secret;
use pay_signing::qostiq::CallbackVerifier;

use crate::scheme::{self, Scheme, VerifyError};
use crate::source::{PeerAddr, SourcePolicy, SourceRejection};
use pay_store::{Claim, DedupKey, DedupStore, MemoryStore};

/// Default largest accepted body: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// A verified, deduplicated event handed to the handler.
#[derive(Clone)]
pub struct Event {
    identity: EventIdentity,
    finality: Finality,
    body: Bytes,
    secret_index: usize,
    typed: Arc<dyn Any + Send + Sync>,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("identity", &self.identity)
            .field("finality", &self.finality)
            .field("secret_index", &self.secret_index)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Event {
    /// The event as its provider crate read it ([`Scheme::Event`]):
    /// `pay_qostiq::callbacks::Callback` from a Qostiq receiver,
    /// `pay_coinqvest::webhooks::WebhookEvent` from a COINQVEST one; `None` when `T` is another
    /// type. Already verified and strictly read: no need to parse [`Event::body`] again.
    pub fn typed<T: Any>(&self) -> Option<&T> {
        self.typed.downcast_ref()
    }

    /// What the event is about.
    pub fn identity(&self) -> &EventIdentity {
        &self.identity
    }

    /// Whether its status is final, as its provider crate defines it
    /// ([`ProviderEvent::finality`]).
    pub fn finality(&self) -> Finality {
        self.finality
    }

    /// The provider that sent it.
    pub fn provider(&self) -> Provider {
        self.identity.provider
    }

    /// The raw body, exactly as verified (the typed event: [`Event::typed`]).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Which configured secret verified it (0 is the first; useful while rotating).
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }

    /// The body as strict JSON members.
    pub fn json(&self) -> Result<pay_core::json::StrictObject<'_>, pay_core::json::JsonError> {
        scheme::reparse(&self.body)
    }

    /// Deserializes the body into `T`.
    pub fn deserialize<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

/// The application's code for an event. It runs once per event; returning an error makes the
/// receiver answer 500 so the provider delivers again.
pub trait Handler: Send + Sync + 'static {
    /// Why handling failed (logged, never sent to the provider).
    type Error: fmt::Display + Send + 'static;

    /// Applies the event (credit the order, mark the payout done …). Make it durable before returning.
    fn handle(&self, event: Event) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

impl<F, Fut, E> Handler for F
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: fmt::Display + Send + 'static,
{
    type Error = E;

    fn handle(&self, event: Event) -> impl Future<Output = Result<(), E>> + Send {
        self(event)
    }
}

/// Why a delivery was not acknowledged. Logged with `tracing`; the sender only sees the status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Verified, handled, acknowledged.
    Applied,
    /// A redelivery of an applied event: acknowledged, handler not called.
    Duplicate,
    /// Would regress a final status: acknowledged, handler not called.
    Stale,
    /// Refused before verification or by verification.
    Rejected(Rejection),
    /// Another delivery of the same event is in progress: 503, the provider retries.
    InProgress,
    /// The handler failed: 500, the provider retries.
    HandlerFailed,
    /// The dedup store failed: 503, the provider retries.
    StoreFailed,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// Not `POST`.
    Method,
    /// Not `application/json`.
    ContentType,
    /// Larger than the body limit.
    TooLarge,
    /// The body could not be read.
    BodyUnreadable,
    /// The source address is not allowed (or unknown while an allow-list is set).
    Source,
    /// Signature or strict parsing failed.
    Verification(VerifyError),
}

impl Outcome {
    fn status(&self) -> StatusCode {
        match self {
            Self::Applied | Self::Duplicate | Self::Stale => StatusCode::OK,
            Self::Rejected(Rejection::Method) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Rejected(Rejection::ContentType) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Rejected(Rejection::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Rejected(Rejection::BodyUnreadable) => StatusCode::BAD_REQUEST,
            Self::Rejected(Rejection::Source) => StatusCode::FORBIDDEN,
            Self::Rejected(Rejection::Verification(e)) if e.is_signature_failure() => {
                StatusCode::UNAUTHORIZED
            }
            // Signed, but its keys do not bind or it lacks an identity.
            Self::Rejected(Rejection::Verification(_)) => StatusCode::BAD_REQUEST,
            Self::InProgress | Self::StoreFailed => StatusCode::SERVICE_UNAVAILABLE,
            Self::HandlerFailed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Builds a [`Receiver`].
pub struct ReceiverBuilder<S> {
    scheme: S,
    sources: SourcePolicy,
    body_limit: usize,
}

impl ReceiverBuilder<scheme::Qostiq> {
    /// A receiver of Qostiq callbacks and payment notifications, verified with any of `secrets`.
    pub fn qostiq(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        Ok(Self::with_scheme(scheme::Qostiq::new(secrets)?))
    }

    /// Configures the callback verifier: the custom fields your shop passes when it creates an
    /// operation, echoed back at the top level of its callback
    /// ([`CallbackVerifier::custom_fields`], [`CallbackVerifier::custom_fields_for`]), and its
    /// parsing limits. A callback with any other unknown key is refused.
    pub fn verifier(
        self,
        configure: impl FnOnce(CallbackVerifier) -> Result<CallbackVerifier, SignatureError>,
    ) -> Result<Self, SignatureError> {
        let Self {
            scheme,
            sources,
            body_limit,
        } = self;
        Ok(Self {
            scheme: scheme::Qostiq::from_verifier(configure(scheme.into_verifier())?),
            sources,
            body_limit,
        })
    }
}

impl ReceiverBuilder<scheme::Coinqvest> {
    /// A receiver of COINQVEST webhooks, verified with any of `secrets`.
    pub fn coinqvest(secrets: Vec<Secret>) -> Result<Self, SignatureError> {
        Ok(Self::with_scheme(scheme::Coinqvest::new(secrets)?))
    }
}

impl<S: Scheme> ReceiverBuilder<S> {
    /// A receiver for any [`Scheme`].
    pub fn with_scheme(scheme: S) -> Self {
        Self {
            scheme,
            sources: SourcePolicy::any(),
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// Restricts senders (see [`SourcePolicy`]; the providers publish their addresses in their
    /// crates, e.g. `pay_qostiq::callbacks::FIAT_CALLBACK_IPS`).
    pub fn sources(mut self, policy: SourcePolicy) -> Self {
        self.sources = policy;
        self
    }

    /// Largest accepted body (default [`DEFAULT_BODY_LIMIT`]).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Finishes with the default store: [`MemoryStore::new`], in this process's memory (lost on
    /// restart, not shared with other instances), on the system clock.
    pub fn build<H: Handler>(self, handler: H) -> Receiver<S, H, MemoryStore> {
        self.build_with_store(handler, MemoryStore::new())
    }

    /// Finishes with `store`: any `pay-store` [`DedupStore`] (a SQLite file shared by the
    /// processes of one host, a PostgreSQL database shared by every instance: each event is then
    /// handled once across all receivers on it). Leases and retention run on the store's clock
    /// and follow its [`pay_store::DedupPolicy`].
    pub fn build_with_store<H: Handler, St: DedupStore>(
        self,
        handler: H,
        store: St,
    ) -> Receiver<S, H, St> {
        Receiver {
            inner: Arc::new(Inner {
                scheme: self.scheme,
                sources: self.sources,
                body_limit: self.body_limit,
                handler,
                store,
            }),
        }
    }
}

impl<S> fmt::Debug for ReceiverBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("sources", &self.sources)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// A `tower::Service<http::Request<B>>` receiving one provider's events. Cheap to clone.
pub struct Receiver<S, H, St> {
    inner: Arc<Inner<S, H, St>>,
}

struct Inner<S, H, St> {
    scheme: S,
    sources: SourcePolicy,
    body_limit: usize,
    handler: H,
    store: St,
}

impl<S, H, St> Clone for Receiver<S, H, St> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S, H, St> fmt::Debug for Receiver<S, H, St> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("sources", &self.inner.sources)
            .field("body_limit", &self.inner.body_limit)
            .finish_non_exhaustive()
    }
}

fn is_json(value: Option<&HeaderValue>) -> bool {
    let Some(text) = value.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = text.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

impl<S: Scheme, H: Handler, St: DedupStore> Receiver<S, H, St> {
    /// Processes one delivery and says what happened (the service answers with the matching status).
    pub async fn receive<B>(&self, request: Request<B>) -> Outcome
    where
        B: Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let inner = &self.inner;
        let (parts, body) = request.into_parts();
        if parts.method != Method::POST {
            return Outcome::Rejected(Rejection::Method);
        }
        let peer = parts.extensions.get::<PeerAddr>().map(|p| p.0.ip());
        if let Err(reason) = inner.sources.check(peer, &parts.headers) {
            let client = match reason {
                SourceRejection::NotAllowed(ip) => Some(ip),
                _ => None,
            };
            tracing::warn!(provider = %S::PROVIDER, ?reason, ?client, "webhook source refused");
            return Outcome::Rejected(Rejection::Source);
        }
        if !is_json(parts.headers.get(header::CONTENT_TYPE)) {
            return Outcome::Rejected(Rejection::ContentType);
        }
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > inner.body_limit as u64) {
            return Outcome::Rejected(Rejection::TooLarge);
        }
        let body = match Limited::new(body, inner.body_limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Outcome::Rejected(Rejection::TooLarge);
            }
            Err(_) => return Outcome::Rejected(Rejection::BodyUnreadable),
        };
        let identified = inner
            .scheme
            .verify(&parts.headers, &body)
            .and_then(|(event, index)| {
                let (identity, finality) = (event.identity()?, event.finality());
                Ok((event, identity, finality, index))
            });
        let (typed, identity, finality, secret_index) = match identified {
            Ok(identified) => identified,
            Err(e) => {
                tracing::warn!(provider = %S::PROVIDER, reason = %e, "webhook verification failed");
                return Outcome::Rejected(Rejection::Verification(e));
            }
        };
        let (event_key, object_key) = (identity.event_key(), identity.object_key());
        let dedup = DedupKey {
            event: &event_key,
            object: &object_key,
            finality,
        };
        match inner.store.claim(&dedup).await {
            Ok(Claim::Proceed) => {}
            Ok(Claim::Duplicate) => {
                tracing::info!(event = %identity, "duplicate delivery acknowledged");
                return Outcome::Duplicate;
            }
            Ok(Claim::Stale) => {
                tracing::info!(event = %identity, "stale status after a final one acknowledged");
                return Outcome::Stale;
            }
            Ok(Claim::InProgress) => return Outcome::InProgress,
            Err(e) => {
                tracing::error!(event = %identity, error = %e, "dedup store failed");
                return Outcome::StoreFailed;
            }
        }
        let event = Event {
            identity: identity.clone(),
            finality,
            body,
            secret_index,
            typed: Arc::new(typed),
        };
        match inner.handler.handle(event).await {
            Ok(()) => match inner.store.complete(&dedup).await {
                Ok(()) => {
                    tracing::info!(event = %identity, "event applied");
                    Outcome::Applied
                }
                Err(e) => {
                    // The handler applied it; tell the provider to retry so the mark gets written.
                    tracing::error!(event = %identity, error = %e, "dedup store failed after handler");
                    Outcome::StoreFailed
                }
            },
            Err(e) => {
                tracing::warn!(event = %identity, error = %e, "handler failed; provider will retry");
                if let Err(e) = inner.store.release(&dedup).await {
                    tracing::error!(event = %identity, error = %e, "dedup store release failed");
                }
                Outcome::HandlerFailed
            }
        }
    }
}

/// The response for an outcome: the acknowledgement, or a bare status with its reason phrase.
fn respond<S: Scheme>(outcome: &Outcome) -> Response<Full<Bytes>> {
    let status = outcome.status();
    let body = if status == StatusCode::OK {
        Bytes::from_static(S::ACK.as_bytes())
    } else {
        Bytes::from_static(status.canonical_reason().unwrap_or("Error").as_bytes())
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

impl<S, H, St, B> tower_service::Service<Request<B>> for Receiver<S, H, St>
where
    S: Scheme,
    H: Handler,
    St: DedupStore,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let receiver = self.clone();
        Box::pin(async move {
            let outcome = receiver.receive(request).await;
            Ok(respond::<S>(&outcome))
        })
    }
}
