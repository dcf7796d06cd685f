//! The async Qostiq client (feature `client`): every endpoint of this crate executed through
//! [`pay_transport::Executor`], with payout recovery and status polling built in.
//!
//! * **One method per endpoint.** Each builds the typed request with `now` from the injected clock
//!   and runs it through the executor: serialize once, time out, retry only what
//!   [`pay_core::retry::classify`] allows, within the retry budget.
//! * **Payouts never run twice.** [`QostiqClient::create_withdraw`], [`QostiqClient::create_transfer`],
//!   [`QostiqClient::create_crypto_withdraw`] (and the bill creates) are sent once; when the answer
//!   is lost they look the operation up by its `shop_payment_id` (`shop_order_id` for bills), adopt
//!   what exists, and re-create with the **same** id only when the lookup answers "not found". A
//!   duplicate-id refusal (`error_code` 6) means it exists: it is looked up and adopted. The
//!   result, a [`CreateOutcome`], says which of these happened, or that the outcome is still
//!   unknown and needs a person.
//! * **Status reads respect the polling floors** (bill ≥ 10 s, withdraw and crypto withdraw ≥ 60 s
//!   per shop; lower only through [`Floors::below_provider_minimums_for_sandbox`]), recovery
//!   lookups included; [`QostiqClient::wait_until_final_withdraw`] and its siblings poll until the
//!   status is final.
//! * **Nothing secret is logged.** The executor's `pay.call` spans carry no header or body; this
//!   module logs outcomes with the `shop_payment_id` only. `Debug` of the client shows neither the
//!   secret nor any signature.
//!
//! ```no_run
//! use pay_core::secret::Secret;
//! use pay_qostiq::client::{CreateOutcome, QostiqClient};
//! use pay_qostiq::withdrawals::{CreateWithdraw, WithdrawAmountType};
//! use pay_qostiq::{Currency, Payway, ShopId};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = QostiqClient::builder(ShopId::new(112)?, Secret::new("shop-secret")?).build()?;
//! let payout = CreateWithdraw::new(
//!     "4111111111111111",
//!     "10.00".parse()?,
//!     WithdrawAmountType::PsAmount,
//!     Payway::new("card_uah")?,
//!     Currency::Uah,
//!     "order-1", // your own unique id: the recovery key
//! );
//! match client.create_withdraw(&payout).await {
//!     CreateOutcome::Created(w) | CreateOutcome::Recreated(w) => println!("created {}", w.info.id),
//!     CreateOutcome::Adopted(info) => println!("already existed: {}", info.id),
//!     CreateOutcome::Refused(refusal) => println!("refused: {refusal}"),
//!     CreateOutcome::NotSent(error) => println!("not sent, safe to call again: {error}"),
//!     CreateOutcome::Unknown { last_error, .. } => println!("unknown, needs a person: {last_error}"),
//! }
//! # Ok(()) }
//! ```
//!
//! ## Cancellation
//!
//! Every method can be cancelled by dropping its future. A dropped *create* may have reached the
//! provider: call the same `create_*` again with the same request (same `shop_payment_id`); the
//! duplicate-id answer or the lookup makes it adopt what exists instead of paying twice. The
//! `wait_until_final_*` methods also take a deadline on the client's clock.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use pay_core::clock::{Clock, SystemClock};
use pay_core::endpoint::{BaseUrl, Endpoint, Lookup};
use pay_core::error::{Error, ProviderError, RequestOutcome};
use pay_core::secret::Secret;
use pay_transport::floors::{Floors, PollOperation};
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::rate_limit::RateLimits;
use pay_transport::service::HttpService;
use pay_transport::sleep::{Sleep, SleepFuture};
use pay_transport::{CallError, Executor, RetryBudget, RetryPolicy};
use time::OffsetDateTime;

use crate::bills::{BillInfo, CreateBill, CreateBillV2, GetBill};
use crate::context::{API_BASE_URL, QostiqContext, ShopId};
use crate::crypto::{
    CreateCryptoWithdraw, CryptoBalances, CryptoWithdrawInfo, CryptoWithdrawQuote,
    CryptoWithdrawal, GetCryptoBalance, GetCryptoWithdraw, GetCryptoWithdrawByShopPaymentId,
    TryCryptoWithdraw,
};
use crate::error::{QostiqErrorCode, QostiqErrorExt};
use crate::invoices::{CreateInvoice, InvoiceQuote, InvoiceRedirect, TryInvoice};
use crate::shop::{
    GetInputConfig, GetOutputConfig, GetShopBalance, InputMethod, OutputMethod, RegisterAccount,
    RegisteredAccount, ShopBalances,
};
use crate::transfers::{
    CreateTransfer, GetTransfer, Transfer, TransferInfo, TransferQuote, TryTransfer,
};
use crate::withdrawals::{
    AccountCheck, CheckAccount, CreateWithdraw, GetWithdraw, GetWithdrawByShopPaymentId,
    TryWithdraw, WithdrawInfo, WithdrawQuote, Withdrawal,
};

/// Lookup-and-decide rounds after an unknown outcome, by default.
pub const DEFAULT_RECOVERY_ROUNDS: u32 = 3;

/// The polling key of transfer lookups (Qostiq publishes no floor for them: pay-rs uses the
/// "other reads" floor, 10 s).
pub const TRANSFER_STATUS: PollOperation = PollOperation::Other("qostiq.transfer.status");

/// What a create with recovery ended with.
///
/// `C` is the create's answer ([`Withdrawal`], [`Transfer`], [`CryptoWithdrawal`], [`crate::bills::Bill`]);
/// `F` is what the recovery lookup finds ([`WithdrawInfo`], [`TransferInfo`], [`CryptoWithdrawInfo`],
/// [`BillInfo`]).
///
/// | variant | exists at Qostiq? | what to do |
/// |---|---|---|
/// | `Created` | yes, made by this call's first request | record it |
/// | `Recreated` | yes: the first answer was lost, the lookup said "not found", the re-create (same id) succeeded | record it |
/// | `Adopted` | yes: after a lost answer or a duplicate-id refusal, the lookup found it | record it (it may have been made by an earlier call with the same id) |
/// | `Refused` | no: Qostiq refused it (bad input, funds, …) | fix and retry with the same or a new id |
/// | `NotSent` | no: nothing reached Qostiq (invalid input, connection refused) | call again with the same id |
/// | `Unknown` | **maybe**: recovery could not decide within its rounds | do not pay again; call again later with the same id, or ask a person |
#[derive(Debug)]
#[must_use = "a payout outcome must be recorded; `Unknown` needs a person"]
pub enum CreateOutcome<C, F> {
    /// Created by the first request.
    Created(C),
    /// The first answer was lost, the lookup answered "not found", and the re-create with the same
    /// id succeeded.
    Recreated(C),
    /// It exists (found by the lookup after a lost answer or a duplicate-id refusal).
    Adopted(F),
    /// Qostiq refused it; nothing was created.
    Refused(ProviderError),
    /// Nothing reached Qostiq; nothing was created. Safe to call again with the same id.
    NotSent(Error),
    /// Still unknown after the recovery rounds: it may or may not exist. Needs a person (or a later
    /// call with the same id).
    Unknown {
        /// The last error seen (create or lookup).
        last_error: Error,
        /// Lookup rounds made after the first unknown outcome.
        rounds: u32,
    },
}

impl<C, F> CreateOutcome<C, F> {
    /// Whether the operation exists at Qostiq: `Some(true)` for created, re-created and adopted,
    /// `Some(false)` for refused and not sent, `None` for unknown.
    pub fn exists(&self) -> Option<bool> {
        match self {
            Self::Created(_) | Self::Recreated(_) | Self::Adopted(_) => Some(true),
            Self::Refused(_) | Self::NotSent(_) => Some(false),
            Self::Unknown { .. } => None,
        }
    }

    /// A short name for logs and reports (`created`, `recreated`, `adopted`, `refused`,
    /// `not_sent`, `unknown`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created(_) => "created",
            Self::Recreated(_) => "recreated",
            Self::Adopted(_) => "adopted",
            Self::Refused(_) => "refused",
            Self::NotSent(_) => "not_sent",
            Self::Unknown { .. } => "unknown",
        }
    }
}

/// Why a `wait_until_final_*` call stopped without a final status.
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
    /// Qostiq answered "not found" for the operation.
    NotFound,
    /// A poll was refused by Qostiq (4xx other than 429): polling again would not help.
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

type MakeTransport<S> = Box<dyn FnOnce() -> Result<S, Error> + Send>;

/// Builds a [`QostiqClient`]. Start with [`QostiqClient::builder`].
///
/// Defaults: base URL [`API_BASE_URL`], [`HyperTransport`], [`SystemClock`], tokio sleep,
/// [`RetryPolicy::standard`], a fresh [`RetryBudget::standard`], [`Floors::PROVIDER_MINIMUMS`],
/// 30 s per attempt, [`DEFAULT_RECOVERY_ROUNDS`].
pub struct QostiqClientBuilder<S = HyperTransport> {
    make_transport: MakeTransport<S>,
    base_url: Option<BaseUrl>,
    shop_id: ShopId,
    secret: Secret,
    clock: Arc<dyn Clock>,
    sleep: Option<Arc<dyn Sleep>>,
    policy: RetryPolicy,
    budget: Option<Arc<RetryBudget>>,
    limits: RateLimits,
    floors: Floors,
    attempt_timeout: Option<Duration>,
    recovery_rounds: u32,
    seed: Option<u64>,
}

impl<S> fmt::Debug for QostiqClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QostiqClientBuilder")
            .field("base_url", &self.base_url)
            .field("shop_id", &self.shop_id)
            .field("policy", &self.policy)
            .field("floors", &self.floors)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("recovery_rounds", &self.recovery_rounds)
            .finish_non_exhaustive()
    }
}

impl<S: HttpService> QostiqClientBuilder<S> {
    /// Sends requests through `transport` (any [`HttpService`]: a tower service, a
    /// [`pay_transport::service::service_fn`] closure, or a configured [`HyperTransport`]).
    pub fn transport<T: HttpService>(self, transport: T) -> QostiqClientBuilder<T> {
        QostiqClientBuilder {
            make_transport: Box::new(move || Ok(transport)),
            base_url: self.base_url,
            shop_id: self.shop_id,
            secret: self.secret,
            clock: self.clock,
            sleep: self.sleep,
            policy: self.policy,
            budget: self.budget,
            limits: self.limits,
            floors: self.floors,
            attempt_timeout: self.attempt_timeout,
            recovery_rounds: self.recovery_rounds,
            seed: self.seed,
        }
    }

    /// The API base URL (default [`API_BASE_URL`]); a sandbox's `…/qostiq` for tests.
    pub fn base_url(mut self, base_url: BaseUrl) -> Self {
        self.base_url = Some(base_url);
        self
    }

    /// The clock for `now` in signed bodies, floors, deadlines and latency (default
    /// [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How to wait (default tokio's timer); a `VirtualSleep` for virtual-time tests.
    pub fn sleep(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// Attempts and backoff of one call (default [`RetryPolicy::standard`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The retry budget; share one `Arc` between clients of the same provider.
    pub fn retry_budget(mut self, budget: Arc<RetryBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Client-side rate limits (default none).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Polling floors (default [`Floors::PROVIDER_MINIMUMS`]). Only
    /// [`Floors::below_provider_minimums_for_sandbox`] goes below the provider's limits.
    pub fn floors(mut self, floors: Floors) -> Self {
        self.floors = floors;
        self
    }

    /// The timeout of one attempt (default 30 s). A timeout counts as "may have been sent".
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Lookup rounds after an unknown outcome before answering [`CreateOutcome::Unknown`]
    /// (default 3, at least 1).
    pub fn recovery_rounds(mut self, rounds: u32) -> Self {
        self.recovery_rounds = rounds.max(1);
        self
    }

    /// Seeds the backoff jitter (reproducible tests).
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Builds the client. Fails if the default transport cannot be built.
    pub fn build(self) -> Result<QostiqClient<S>, Error> {
        let base_url = match self.base_url {
            Some(url) => url,
            None => API_BASE_URL
                .parse()
                .map_err(|_| Error::invalid_input("base_url", "the default base URL is invalid"))?,
        };
        let transport = (self.make_transport)()?;
        let mut builder = Executor::builder(transport, base_url)
            .clock(self.clock.clone())
            .retry_policy(self.policy)
            .rate_limits(self.limits)
            .floors(self.floors);
        if let Some(sleep) = self.sleep {
            builder = builder.sleep(sleep);
        }
        if let Some(budget) = self.budget {
            builder = builder.retry_budget(budget);
        }
        if let Some(timeout) = self.attempt_timeout {
            builder = builder.attempt_timeout(timeout);
        }
        if let Some(seed) = self.seed {
            builder = builder.rng_seed(seed);
        }
        let executor = builder.build()?;
        Ok(QostiqClient {
            executor,
            context: QostiqContext::with_shared_clock(self.shop_id, self.secret, self.clock),
            poll_key: self.shop_id.to_string(),
            recovery_rounds: self.recovery_rounds,
        })
    }
}

/// The async Qostiq client. Cheap to clone; clones share the connection pool, the retry budget
/// and the polling floors.
///
/// `Debug` shows the base URL, the shop id and the executor settings, never the secret.
pub struct QostiqClient<S = HyperTransport> {
    executor: Executor<S>,
    context: QostiqContext,
    poll_key: String,
    recovery_rounds: u32,
}

impl<S> Clone for QostiqClient<S> {
    fn clone(&self) -> Self {
        Self {
            executor: self.executor.clone(),
            context: self.context.clone(),
            poll_key: self.poll_key.clone(),
            recovery_rounds: self.recovery_rounds,
        }
    }
}

impl<S> fmt::Debug for QostiqClient<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QostiqClient")
            .field("shop_id", &self.context.shop_id())
            .field("executor", &self.executor)
            .field("recovery_rounds", &self.recovery_rounds)
            .finish_non_exhaustive()
    }
}

impl QostiqClient<HyperTransport> {
    /// A builder for `shop_id` with its secret key, on the default transport.
    pub fn builder(shop_id: ShopId, secret: Secret) -> QostiqClientBuilder<HyperTransport> {
        QostiqClientBuilder {
            make_transport: Box::new(HyperTransport::new),
            base_url: None,
            shop_id,
            secret,
            clock: Arc::new(SystemClock),
            sleep: None,
            policy: RetryPolicy::standard(),
            budget: None,
            limits: RateLimits::none(),
            floors: Floors::PROVIDER_MINIMUMS,
            attempt_timeout: None,
            recovery_rounds: DEFAULT_RECOVERY_ROUNDS,
            seed: None,
        }
    }
}

/// Whether a failed create may have been applied.
fn is_unknown(e: &CallError) -> bool {
    e.needs_recovery() || e.outcome() == RequestOutcome::Unknown
}

fn is_duplicate(e: &CallError) -> bool {
    e.error().qostiq_code() == Some(QostiqErrorCode::DuplicateShopPaymentId)
}

/// A refusal that says nothing about the operation (429: not processed, try later).
fn is_throttled(e: &CallError) -> bool {
    match e.error() {
        Error::Provider(p) => p.status == http::StatusCode::TOO_MANY_REQUESTS,
        Error::Undecodable { status, .. } => *status == http::StatusCode::TOO_MANY_REQUESTS,
        _ => false,
    }
}

impl<S: HttpService> QostiqClient<S> {
    /// The shop id.
    pub fn shop_id(&self) -> ShopId {
        self.context.shop_id()
    }

    /// The executor (shared budget, floors, clock), for callers that pace other work.
    pub fn executor(&self) -> &Executor<S> {
        &self.executor
    }

    /// The request context (shop id, secret, clock) this client signs with.
    pub fn context(&self) -> &QostiqContext {
        &self.context
    }

    /// Runs any endpoint of this crate through the executor (no recovery, no polling floor).
    pub async fn call<E>(&self, endpoint: &E) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = QostiqContext>,
    {
        self.executor
            .execute(endpoint, &self.context)
            .await
            .map(|done| done.value)
    }

    /// Runs a status read under the polling floor of `operation` for this shop.
    pub async fn poll<E>(
        &self,
        endpoint: &E,
        operation: PollOperation,
    ) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = QostiqContext>,
    {
        self.executor
            .execute_poll(endpoint, &self.context, &self.poll_key, operation)
            .await
            .map(|done| done.value)
    }

    // ---- bills -------------------------------------------------------------------------------

    /// `/bill/create`, recovered by `/bill/shop_order_status` with the same `shop_order_id`.
    pub async fn create_bill(
        &self,
        request: &CreateBill,
    ) -> CreateOutcome<crate::bills::Bill, BillInfo> {
        let lookup = GetBill::new(request.shop_order_id.as_str());
        self.create_with_recovery(
            request,
            &request.shop_order_id,
            &lookup,
            PollOperation::BillStatus,
        )
        .await
    }

    /// `/bill/create/v2`, recovered by `/bill/shop_order_status` with the same `shop_order_id`.
    pub async fn create_bill_v2(
        &self,
        request: &CreateBillV2,
    ) -> CreateOutcome<crate::bills::Bill, BillInfo> {
        let lookup = GetBill::new(request.shop_order_id.as_str());
        self.create_with_recovery(
            request,
            &request.shop_order_id,
            &lookup,
            PollOperation::BillStatus,
        )
        .await
    }

    /// `/bill/shop_order_status` (bill polling floor).
    pub async fn get_bill(&self, shop_order_id: &str) -> Result<Lookup<BillInfo>, CallError> {
        self.poll(&GetBill::new(shop_order_id), PollOperation::BillStatus)
            .await
    }

    /// Polls `/bill/shop_order_status` (at the bill floor, ≥ 10 s) until the status is final.
    /// See [`QostiqClient::wait_until_final_withdraw`] for the deadline and errors.
    pub async fn wait_until_final_bill(
        &self,
        shop_order_id: &str,
        deadline: Option<OffsetDateTime>,
    ) -> Result<BillInfo, WaitError<BillInfo>> {
        self.wait_final(
            &GetBill::new(shop_order_id),
            PollOperation::BillStatus,
            deadline,
            |b: &BillInfo| b.status.is_final(),
        )
        .await
    }

    // ---- transfers ---------------------------------------------------------------------------

    /// `/transfer/try`.
    pub async fn try_transfer(&self, request: &TryTransfer) -> Result<TransferQuote, CallError> {
        self.call(request).await
    }

    /// `/transfer/create`, recovered by `/transfer/shop_payment_status`.
    pub async fn create_transfer(
        &self,
        request: &CreateTransfer,
    ) -> CreateOutcome<Transfer, TransferInfo> {
        let lookup = GetTransfer::new(request.shop_payment_id.as_str());
        self.create_with_recovery(request, &request.shop_payment_id, &lookup, TRANSFER_STATUS)
            .await
    }

    /// `/transfer/shop_payment_status` (floor [`TRANSFER_STATUS`]).
    pub async fn get_transfer(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<TransferInfo>, CallError> {
        self.poll(&GetTransfer::new(shop_payment_id), TRANSFER_STATUS)
            .await
    }

    // ---- fiat withdrawals --------------------------------------------------------------------

    /// `/withdraw/try`.
    pub async fn try_withdraw(&self, request: &TryWithdraw) -> Result<WithdrawQuote, CallError> {
        self.call(request).await
    }

    /// `/check_account`.
    pub async fn check_account(&self, request: &CheckAccount) -> Result<AccountCheck, CallError> {
        self.call(request).await
    }

    /// `/withdraw/create`, recovered by `/withdraw/shop_payment_status` (withdraw floor).
    ///
    /// | what happened to the create | outcome |
    /// |---|---|
    /// | answered | `Created` |
    /// | answer lost (drop, timeout, truncated body, 5xx, undecodable) and it exists | `Adopted` |
    /// | answer lost and the lookup says "not found" | re-created once with the same id: `Recreated` (or the re-create's own outcome) |
    /// | refused with code 6 (the id exists) | looked up: `Adopted` |
    /// | refused otherwise (4xx) | `Refused` |
    /// | connection refused / 429 until attempts ran out on the first request | `NotSent` / `Refused` (429) |
    /// | recovery undecided after its rounds | `Unknown` |
    pub async fn create_withdraw(
        &self,
        request: &CreateWithdraw,
    ) -> CreateOutcome<Withdrawal, WithdrawInfo> {
        let lookup = GetWithdrawByShopPaymentId::new(request.shop_payment_id.as_str());
        self.create_with_recovery(
            request,
            &request.shop_payment_id,
            &lookup,
            PollOperation::WithdrawStatus,
        )
        .await
    }

    /// `/withdraw/status` by Qostiq's id (withdraw floor, ≥ 60 s).
    pub async fn get_withdraw(&self, withdraw_id: u64) -> Result<Lookup<WithdrawInfo>, CallError> {
        self.poll(
            &GetWithdraw::new(withdraw_id),
            PollOperation::WithdrawStatus,
        )
        .await
    }

    /// `/withdraw/shop_payment_status` by the shop's id (withdraw floor, ≥ 60 s).
    pub async fn get_withdraw_by_shop_payment_id(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<WithdrawInfo>, CallError> {
        self.poll(
            &GetWithdrawByShopPaymentId::new(shop_payment_id),
            PollOperation::WithdrawStatus,
        )
        .await
    }

    /// Polls `/withdraw/status` (≥ 60 s apart per shop unless the sandbox floors are set) until
    /// [`crate::WithdrawStatus::is_final`], and returns that status.
    ///
    /// Cancel by dropping the future (polls are reads: nothing is left half-done), or pass a
    /// `deadline` on the client's clock: no poll starts after it, and a wait for the next turn
    /// is cut at it ([`WaitError::Deadline`] with the last status seen). Failed polls (after the
    /// executor's own retries) are retried at the next turn; a refusal (4xx other than 429) stops
    /// with [`WaitError::Refused`], "not found" with [`WaitError::NotFound`].
    pub async fn wait_until_final_withdraw(
        &self,
        withdraw_id: u64,
        deadline: Option<OffsetDateTime>,
    ) -> Result<WithdrawInfo, WaitError<WithdrawInfo>> {
        self.wait_final(
            &GetWithdraw::new(withdraw_id),
            PollOperation::WithdrawStatus,
            deadline,
            |w: &WithdrawInfo| w.status.is_final(),
        )
        .await
    }

    // ---- crypto withdrawals ------------------------------------------------------------------

    /// `/crypto/withdraw/try`.
    pub async fn try_crypto_withdraw(
        &self,
        request: &TryCryptoWithdraw,
    ) -> Result<CryptoWithdrawQuote, CallError> {
        self.call(request).await
    }

    /// `/crypto/withdraw/create` (signed with a fresh `now` on every (re-)create), recovered by
    /// `/crypto/withdraw/shop_payment_status` (crypto withdraw floor). Outcomes as for
    /// [`QostiqClient::create_withdraw`].
    pub async fn create_crypto_withdraw(
        &self,
        request: &CreateCryptoWithdraw,
    ) -> CreateOutcome<CryptoWithdrawal, CryptoWithdrawInfo> {
        let lookup = GetCryptoWithdrawByShopPaymentId::new(request.shop_payment_id.as_str());
        self.create_with_recovery(
            request,
            &request.shop_payment_id,
            &lookup,
            PollOperation::CryptoWithdrawStatus,
        )
        .await
    }

    /// `/crypto/withdraw/status` by Qostiq's id (crypto withdraw floor, ≥ 60 s).
    pub async fn get_crypto_withdraw(
        &self,
        withdraw_id: u64,
    ) -> Result<Lookup<CryptoWithdrawInfo>, CallError> {
        self.poll(
            &GetCryptoWithdraw::new(withdraw_id),
            PollOperation::CryptoWithdrawStatus,
        )
        .await
    }

    /// `/crypto/withdraw/shop_payment_status` (crypto withdraw floor, ≥ 60 s).
    pub async fn get_crypto_withdraw_by_shop_payment_id(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<CryptoWithdrawInfo>, CallError> {
        self.poll(
            &GetCryptoWithdrawByShopPaymentId::new(shop_payment_id),
            PollOperation::CryptoWithdrawStatus,
        )
        .await
    }

    /// Polls `/crypto/withdraw/status` until [`crate::CryptoWithdrawStatus::is_final`]; see
    /// [`QostiqClient::wait_until_final_withdraw`].
    pub async fn wait_until_final_crypto_withdraw(
        &self,
        withdraw_id: u64,
        deadline: Option<OffsetDateTime>,
    ) -> Result<CryptoWithdrawInfo, WaitError<CryptoWithdrawInfo>> {
        self.wait_final(
            &GetCryptoWithdraw::new(withdraw_id),
            PollOperation::CryptoWithdrawStatus,
            deadline,
            |w: &CryptoWithdrawInfo| w.status.is_final(),
        )
        .await
    }

    /// `/crypto/shop_balance`.
    pub async fn crypto_balance(&self) -> Result<CryptoBalances, CallError> {
        self.call(&GetCryptoBalance::new()).await
    }

    // ---- the shop ----------------------------------------------------------------------------

    /// `/account/register` (retry class `Never`: an unknown outcome is returned as the error).
    pub async fn register_account(
        &self,
        request: &RegisterAccount,
    ) -> Result<RegisteredAccount, CallError> {
        self.call(request).await
    }

    /// `/shop_balance`.
    pub async fn shop_balance(&self) -> Result<ShopBalances, CallError> {
        self.call(&GetShopBalance::new()).await
    }

    /// `/shop_input_config/shop`.
    pub async fn input_config(&self) -> Result<Vec<InputMethod>, CallError> {
        self.call(&GetInputConfig::new()).await
    }

    /// `/shop_output_config/shop`.
    pub async fn output_config(&self) -> Result<Vec<OutputMethod>, CallError> {
        self.call(&GetOutputConfig::new()).await
    }

    // ---- invoices ----------------------------------------------------------------------------

    /// `/invoice/try`.
    pub async fn try_invoice(&self, request: &TryInvoice) -> Result<InvoiceQuote, CallError> {
        self.call(request).await
    }

    /// `/invoice/create` (retry class `Never`: no payment happens until the payer acts).
    pub async fn create_invoice(
        &self,
        request: &CreateInvoice,
    ) -> Result<InvoiceRedirect, CallError> {
        self.call(request).await
    }

    // ---- the machinery -----------------------------------------------------------------------

    /// Create, and on an unknown outcome or a duplicate-id refusal: look up, adopt, or re-create
    /// with the same id only on "not found"; at most `recovery_rounds` lookups.
    async fn create_with_recovery<C, L, F>(
        &self,
        create: &C,
        id: &str,
        lookup: &L,
        operation: PollOperation,
    ) -> CreateOutcome<C::Output, F>
    where
        C: Endpoint<Context = QostiqContext>,
        L: Endpoint<Context = QostiqContext, Output = Lookup<F>>,
    {
        let endpoint = C::INFO.name;
        let mut last_error = match self.executor.execute(create, &self.context).await {
            Ok(done) => return CreateOutcome::Created(done.value),
            Err(e) if is_duplicate(&e) => {
                tracing::info!(
                    endpoint,
                    shop_payment_id = id,
                    "duplicate id: looking it up"
                );
                e.into_error()
            }
            Err(e) if is_unknown(&e) => {
                tracing::warn!(endpoint, shop_payment_id = id, error = %e, "outcome unknown: recovering by lookup");
                e.into_error()
            }
            Err(e) => return refused_or_not_sent(e.into_error()),
        };
        let mut rounds = 0;
        while rounds < self.recovery_rounds {
            rounds += 1;
            match self.poll(lookup, operation).await {
                Ok(Lookup::Found(found)) => {
                    tracing::info!(endpoint, shop_payment_id = id, rounds, "recovered: adopted");
                    return CreateOutcome::Adopted(found);
                }
                Ok(Lookup::NotFound) => {
                    tracing::info!(
                        endpoint,
                        shop_payment_id = id,
                        rounds,
                        "not found: re-creating with the same id"
                    );
                    match self.executor.execute(create, &self.context).await {
                        Ok(done) => return CreateOutcome::Recreated(done.value),
                        Err(e) if is_duplicate(&e) || is_unknown(&e) || is_throttled(&e) => {
                            last_error = e.into_error();
                        }
                        Err(e) if e.outcome() == RequestOutcome::NotSent => {
                            last_error = e.into_error();
                        }
                        Err(e) => match e.into_error() {
                            Error::Provider(refusal) => return CreateOutcome::Refused(refusal),
                            other => last_error = other,
                        },
                    }
                }
                Err(e) => {
                    tracing::warn!(endpoint, shop_payment_id = id, rounds, error = %e, "recovery lookup failed");
                    last_error = e.into_error();
                }
            }
        }
        tracing::error!(endpoint, shop_payment_id = id, rounds, error = %last_error, "outcome still unknown: needs a person");
        CreateOutcome::Unknown { last_error, rounds }
    }

    async fn wait_final<E, T>(
        &self,
        endpoint: &E,
        operation: PollOperation,
        deadline: Option<OffsetDateTime>,
        is_final: impl Fn(&T) -> bool,
    ) -> Result<T, WaitError<T>>
    where
        E: Endpoint<Context = QostiqContext, Output = Lookup<T>>,
    {
        let floor = time::Duration::try_from(self.executor.polls().floors().floor(operation))
            .unwrap_or(time::Duration::MAX);
        let mut last = None;
        let mut last_error = None;
        let mut previous_end: Option<OffsetDateTime> = None;
        loop {
            let now = self.executor.clock().now();
            let remaining = match deadline {
                None => None,
                Some(d) => {
                    // The next turn is a floor after the previous one, which was at most when that
                    // poll returned: if that is past the deadline, stop rather than send late
                    // (this may skip a poll that would start within one request latency of it).
                    let next_turn = previous_end.map_or(now, |p| p.saturating_add(floor).max(now));
                    if next_turn >= d {
                        return Err(WaitError::Deadline { last, last_error });
                    }
                    Some(Duration::try_from(d - now).unwrap_or(Duration::ZERO))
                }
            };
            let polled = before(
                self.executor.sleeper(),
                remaining,
                self.poll(endpoint, operation),
            )
            .await;
            previous_end = Some(self.executor.clock().now());
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
}

fn refused_or_not_sent<C, F>(error: Error) -> CreateOutcome<C, F> {
    match error {
        Error::Provider(refusal) => CreateOutcome::Refused(refusal),
        other => CreateOutcome::NotSent(other),
    }
}

/// Runs `fut` until it completes or `limit` passes on `sleep` (the future is polled first).
async fn before<F: Future>(
    sleep: &Arc<dyn Sleep>,
    limit: Option<Duration>,
    fut: F,
) -> Option<F::Output> {
    let Some(limit) = limit else {
        return Some(fut.await);
    };
    let mut fut = std::pin::pin!(fut);
    let mut timer: Option<SleepFuture> = None;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        let timer = timer.get_or_insert_with(|| sleep.sleep(limit));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
