//! What every provider client shares: a client is an [`Executor`] plus a provider context
//! ([`ProviderClient`]), and the provider-independent work on top of the executor is written once
//! here, generic over the endpoint and payout traits:
//!
//! * [`create`] and [`resume`]: a payout with recovery, through the journal when one is
//!   configured; looked up by its intent id under the lookup endpoint's polling floor.
//! * [`resume_journal`] and [`resume_as`]: driving the journal's intents of one provider after a
//!   crash.
//! * [`wait_until_final`] and [`WaitError`]: polling one payment until its status is final, with
//!   an optional deadline.
//! * [`ClientBuilder`]: the transport, base URL and executor settings of every provider's client
//!   builder, around the provider's own part ([`ProviderSettings`]: credentials and options).
//!
//! The provider crates (`pay_qostiq::client`, `pay_coinqvest::client`) implement
//! [`ProviderClient`] and expose these as methods named for their endpoints.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use pay_core::endpoint::{BaseUrl, Endpoint, Lookup};
use pay_core::error::{Error, Provider, RequestOutcome};
use pay_core::recovery::{Evidence, PayoutOutcome};
use pay_core::text::Untrusted;
use time::OffsetDateTime;

use crate::journal::{Claimed, Journaled, Resumed, StoreError, request_of};
use crate::recovery::Start;
use crate::service::HttpService;
use crate::sleep::{timeout, to_time};
use crate::{CallError, Executor, ExecutorBuilder};

/// How many journal intents are driven at once by [`resume_journal`].
const RESUME_BATCH: u32 = 32;

/// A provider client: an executor plus what the provider's endpoints need to build a request.
pub trait ProviderClient: Sync {
    /// The transport the executor sends through.
    type Transport: HttpService;
    /// What the provider's endpoints are built with (Qostiq: the shop's credentials and clock;
    /// COINQVEST: nothing, it authenticates per attempt).
    type Context: Sync;
    /// The provider, whose intents [`resume_journal`] drives.
    const PROVIDER: Provider;

    /// The executor every request runs through.
    fn executor(&self) -> &Executor<Self::Transport>;

    /// The context requests are built with.
    fn context(&self) -> &Self::Context;

    /// Runs `endpoint` through `executor`: the client's own, or a journaled payout's, which
    /// records each attempt before it leaves. A provider overrides it to add its own step (the
    /// COINQVEST clock re-sync on 401/403).
    fn send_on<E>(
        &self,
        executor: &Executor<Self::Transport>,
        endpoint: &E,
    ) -> impl Future<Output = Result<E::Output, CallError>>
    where
        E: Endpoint<Context = Self::Context>,
    {
        async move {
            executor
                .execute(endpoint, self.context())
                .await
                .map(|done| done.value)
        }
    }

    /// Runs a status read of one payment (`payment` is the id it asks about) under the
    /// endpoint's polling floor for that payment, on every attempt.
    fn poll<E>(
        &self,
        endpoint: &E,
        payment: &str,
    ) -> impl Future<Output = Result<E::Output, CallError>>
    where
        E: Endpoint<Context = Self::Context>,
    {
        async move {
            self.executor()
                .execute_poll(endpoint, self.context(), payment)
                .await
                .map(|done| done.value)
        }
    }

    /// Drives one intent claimed from the journal, by its operation: usually
    /// [`resume_as`] for the payout type named by `claimed.record.intent.key.operation`, and
    /// [`not_driven`] for an operation the client does not know.
    fn resume_claimed(&self, claimed: Claimed) -> impl Future<Output = Resumed>;
}

/// Runs payout `request` with recovery ([`Executor::recover_payout`]): sent once through the
/// client; on a lost answer looked up by its intent id (under the lookup endpoint's polling
/// floor) and adopted only if it is the same payout; through the journal when one is configured.
pub async fn create<C, R>(client: &C, request: &R) -> PayoutOutcome<R::Payout>
where
    C: ProviderClient,
    R: Journaled<Context = C::Context>,
{
    let lookup = &request.lookup();
    let id = &request.intent().id;
    client
        .executor()
        .recover_payout(
            request,
            move |sender: Executor<C::Transport>| async move {
                client.send_on(&sender, request).await
            },
            move || client.poll(lookup, id),
        )
        .await
}

/// Resumes the recovery of `request` from stored `evidence` ([`Start::Resume`]): it looks the
/// payout up before it sends anything again. For callers keeping their own evidence; with a
/// journal, [`create`] again with the same request resumes it.
pub async fn resume<C, R>(client: &C, request: &R, evidence: Evidence) -> PayoutOutcome<R::Payout>
where
    C: ProviderClient,
    R: Journaled<Context = C::Context>,
{
    let lookup = &request.lookup();
    let id = &request.intent().id;
    let executor = client.executor();
    executor
        .recover(
            request,
            Start::Resume(evidence),
            move || client.send_on(executor, request),
            move || client.poll(lookup, id),
        )
        .await
}

/// Drives the client's journal intents to an outcome, concurrently in batches of 32, each at most
/// once per call: the due ones ([`Executor::resume_due`]: those whose process died, and the
/// `unknown` ones due again), or with `now` every unfinished one, due or not
/// ([`Executor::resume_unfinished`]: an operator's explicit resume). One report per intent (none
/// without a journal); fails only if the journal cannot be read.
pub async fn resume_journal<C: ProviderClient>(
    client: &C,
    now: bool,
) -> Result<Vec<Resumed>, StoreError> {
    let executor = client.executor();
    let drive = |claimed| client.resume_claimed(claimed);
    if now {
        executor
            .resume_unfinished(C::PROVIDER, RESUME_BATCH, drive)
            .await
    } else {
        executor.resume_due(C::PROVIDER, RESUME_BATCH, drive).await
    }
}

/// Drives `claimed`, whose payload is the journal form of an `R`: from its evidence, looking
/// before sending again. A payload that cannot be read is reported, its lease given back.
pub async fn resume_as<C, R>(client: &C, claimed: Claimed) -> Resumed
where
    C: ProviderClient,
    R: Journaled<Context = C::Context>,
{
    let key = claimed.record.intent.key.clone();
    let request = match request_of::<R>(&claimed.record.intent.payload) {
        Ok(request) => request,
        Err(e) => return release(client, claimed, e).await,
    };
    let lookup = &request.lookup();
    let id = &request.intent().id;
    let request = &request;
    let outcome =
        client
            .executor()
            .resume_claimed(
                claimed,
                request,
                move |sender: Executor<C::Transport>| async move {
                    client.send_on(&sender, request).await
                },
                move || client.poll(lookup, id),
            )
            .await;
    Resumed::of(key, &outcome)
}

/// The report for an intent whose operation `client` does not drive; its lease is given back.
pub async fn not_driven<C: ProviderClient>(client: &C, claimed: Claimed) -> Resumed {
    let why = Error::invalid_input(
        "operation",
        format!(
            "`{}` is not one this client drives",
            Untrusted::new(&claimed.record.intent.key.operation)
        ),
    );
    release(client, claimed, why).await
}

async fn release<C: ProviderClient>(client: &C, claimed: Claimed, why: Error) -> Resumed {
    if let Some(journal) = client.executor().journal() {
        let _ = journal.release(&claimed.lease).await;
    }
    Resumed::failed(claimed.record.intent.key, why)
}

/// Why [`wait_until_final`] stopped without a final status.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<T> {
    /// The deadline passed first; the last status seen and the last error, if any.
    Deadline {
        /// The last (non-final) value read.
        last: Option<T>,
        /// The last failed poll's error, if the last poll failed.
        last_error: Option<CallError>,
    },
    /// The provider answered "not found" for the payment.
    NotFound,
    /// A poll was refused (4xx other than 429): polling again would not help.
    Refused(CallError),
}

impl<T> fmt::Display for WaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Deadline { last_error, .. } => match last_error {
                Some(e) => write!(f, "deadline passed before a final status (last error: {e})"),
                None => f.write_str("deadline passed before a final status"),
            },
            Self::NotFound => f.write_str("the operation was not found"),
            Self::Refused(e) => write!(f, "status poll refused: {e}"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for WaitError<T> {}

/// Polls `endpoint` for `payment` (at its polling floor, per payment) until `is_final`, and
/// returns that value.
///
/// Cancel by dropping the future (polls are reads: nothing is left half-done), or pass a
/// `deadline` on the executor's clock: no poll starts after it, and a wait for the next turn is
/// cut at it ([`WaitError::Deadline`] with the last value seen). Failed polls (after the
/// executor's own retries) are retried at the next turn; a refusal (4xx other than 429) stops
/// with [`WaitError::Refused`], "not found" with [`WaitError::NotFound`].
pub async fn wait_until_final<C, E, T>(
    client: &C,
    endpoint: &E,
    payment: &str,
    deadline: Option<OffsetDateTime>,
    is_final: impl Fn(&T) -> bool,
) -> Result<T, WaitError<T>>
where
    C: ProviderClient,
    E: Endpoint<Context = C::Context, Output = Lookup<T>>,
{
    let executor = client.executor();
    let floor = to_time(executor.polls().floors().floor(&E::INFO));
    let mut last = None;
    let mut last_error = None;
    let mut previous_end: Option<OffsetDateTime> = None;
    loop {
        let now = executor.clock().now();
        let polled = match deadline {
            None => Some(client.poll(endpoint, payment).await),
            Some(d) => {
                // The next turn is a floor after the previous one, which was at most when that
                // poll returned: if that is past the deadline, stop rather than send late (this
                // may skip a poll that would start within one request latency of it).
                let next_turn = previous_end.map_or(now, |p| p.saturating_add(floor).max(now));
                if next_turn >= d {
                    return Err(WaitError::Deadline { last, last_error });
                }
                let remaining = Duration::try_from(d - now).unwrap_or(Duration::ZERO);
                timeout(
                    &**executor.sleeper(),
                    remaining,
                    client.poll(endpoint, payment),
                )
                .await
            }
        };
        previous_end = Some(executor.clock().now());
        match polled {
            None => return Err(WaitError::Deadline { last, last_error }),
            Some(Ok(Lookup::Found(value))) => {
                if is_final(&value) {
                    return Ok(value);
                }
                last = Some(value);
                last_error = None;
            }
            Some(Ok(Lookup::NotFound)) => return Err(WaitError::NotFound),
            Some(Err(e)) if e.outcome() == RequestOutcome::Refused && !is_throttled(&e) => {
                return Err(WaitError::Refused(e));
            }
            Some(Err(e)) => {
                tracing::debug!(error = %e, "status poll failed; polling again at the next turn");
                last_error = Some(e);
            }
        }
    }
}

/// A refusal that says nothing about the operation (429: not processed, try later).
fn is_throttled(e: &CallError) -> bool {
    match e.error() {
        Error::Provider(p) => p.status == http::StatusCode::TOO_MANY_REQUESTS,
        Error::Undecodable { status, .. } => *status == http::StatusCode::TOO_MANY_REQUESTS,
        _ => false,
    }
}

/// The provider's part of a [`ClientBuilder`]: its credentials and options, and how it makes its
/// client from them and the configured executor.
pub trait ProviderSettings<S>: fmt::Debug {
    /// The client it builds.
    type Client;
    /// The provider's API base URL, used unless [`ClientBuilder::base_url`] set another.
    const DEFAULT_BASE_URL: &'static str;

    /// Makes the client: `executor` has every setting and a base URL; the provider adds its
    /// authenticator (if it signs per attempt) and builds it.
    fn build(self, executor: ExecutorBuilder<S>) -> Result<Self::Client, Error>;
}

/// Builds a provider client: the provider's credentials and options (`P`), and every executor
/// setting through [`ClientBuilder::executor`]. The provider crates name it
/// (`pay_qostiq::client::QostiqClientBuilder`, `pay_coinqvest::client::CoinqvestClientBuilder`)
/// and start it from their client's `builder`.
///
/// `Debug` shows the provider part as it chooses (never a secret) and the executor settings.
pub struct ClientBuilder<P, S> {
    executor: ExecutorBuilder<S>,
    provider: P,
}

impl<P: fmt::Debug, S> fmt::Debug for ClientBuilder<P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("provider", &self.provider)
            .field("executor", &self.executor)
            .finish()
    }
}

#[cfg(feature = "hyper")]
impl<P> ClientBuilder<P, crate::hyper_transport::HyperTransport> {
    /// A builder for `provider` on the default transport
    /// ([`HyperTransport`](crate::hyper_transport::HyperTransport)) and the [`ExecutorBuilder`]
    /// defaults.
    pub fn new(provider: P) -> Self {
        Self {
            executor: ExecutorBuilder::with_default_transport(),
            provider,
        }
    }
}

impl<P, S> ClientBuilder<P, S> {
    /// Sends requests through `transport` (any [`HttpService`]: a tower service, a
    /// [`crate::service::service_fn`] closure, or a configured
    /// [`HyperTransport`](crate::hyper_transport::HyperTransport)).
    pub fn transport<T: HttpService>(self, transport: T) -> ClientBuilder<P, T> {
        ClientBuilder {
            executor: self.executor.transport(transport),
            provider: self.provider,
        }
    }

    /// The API base URL (default: the provider's, [`ProviderSettings::DEFAULT_BASE_URL`]); a
    /// sandbox's for tests.
    pub fn base_url(mut self, base_url: BaseUrl) -> Self {
        self.executor = self.executor.base_url(base_url);
        self
    }

    /// Configures the executor: clock, sleeper, retries, rate limits, polling floors and shared
    /// turns, attempt timeout, settle window, recovery lookups, and the payout journal (every
    /// payout is then written before it is sent and resumed by the client's `resume_journal`
    /// after a crash). See [`ExecutorBuilder`].
    pub fn executor(
        mut self,
        configure: impl FnOnce(ExecutorBuilder<S>) -> ExecutorBuilder<S>,
    ) -> Self {
        self.executor = configure(self.executor);
        self
    }

    /// Configures the provider's own options (see the provider's settings type).
    pub fn provider(mut self, configure: impl FnOnce(P) -> P) -> Self {
        self.provider = configure(self.provider);
        self
    }

    /// Builds the client with the provider's default base URL unless one was set. Fails as
    /// [`ExecutorBuilder::build`] does. The default transport needs a tokio runtime when
    /// requests are made.
    pub fn build(self) -> Result<P::Client, Error>
    where
        P: ProviderSettings<S>,
    {
        let executor = self.executor.default_base_url(P::DEFAULT_BASE_URL)?;
        self.provider.build(executor)
    }
}
