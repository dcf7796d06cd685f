//! The async Qostiq client (feature `client`): every endpoint of this crate executed through
//! [`pay_transport::Executor`], with payout recovery and status polling built in.
//!
//! * **One method per endpoint.** Each builds the typed request with `now` from the injected clock
//!   and runs it through the executor: serialize once, time out, retry only what
//!   [`pay_core::retry::classify`] allows, within the retry budget.
//! * **Payouts never run twice, and never report the wrong thing.**
//!   [`QostiqClient::create_withdraw`], [`QostiqClient::create_transfer`],
//!   [`QostiqClient::create_crypto_withdraw`] (and the bill creates) run the one recovery loop of
//!   [`pay_transport::recovery`] on their [`Recoverable`] contract: sent once; when the answer is
//!   lost (or the id is taken, `error_code` 6) the payout is looked up by its `shop_payment_id`
//!   (`shop_order_id` for bills) and **adopted only if it is the same payout** (same id, amount and
//!   currency, compared exactly; anything else is a `conflict`). A "not found" counts only once
//!   the settle window passed since the lost request (the first one may still be executing); only
//!   then is the create sent again, with the **same** id. The result is a [`PayoutOutcome`] whose
//!   [`name`](PayoutOutcome::name) says what happened, with the evidence (every send and lookup).
//! * **Status reads respect the polling floors per payment** (bill ≥ 10 s, withdraw and crypto
//!   withdraw ≥ 60 s for each payout; lower only through
//!   [`Floors::below_provider_minimums_for_sandbox`](pay_transport::floors::Floors::below_provider_minimums_for_sandbox)), recovery lookups included: lookups of
//!   different payouts never wait on each other. [`QostiqClient::wait_until_final_withdraw`] and its
//!   siblings poll until the status is final.
//! * **Nothing secret is logged.** The executor's `pay.call` spans carry no header or body; this
//!   module logs outcomes with the `shop_payment_id` only. `Debug` of the client shows neither the
//!   secret nor any signature.
//!
//! ```no_run
//! use pay_core::recovery::Resolution;
//! use pay_core::secret::Secret;
//! use pay_qostiq::client::QostiqClient;
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
//! let outcome = client.create_withdraw(&payout).await;
//! match outcome.resolution() {
//!     Resolution::Created(w) | Resolution::Recreated(w) | Resolution::Adopted(w) => {
//!         println!("{}: withdrawal {}", outcome.name(), w.info.id)
//!     }
//!     Resolution::Refused(refusal) => println!("refused, nothing exists: {refusal}"),
//!     Resolution::NotSent(error) => println!("not sent, safe to call again: {error}"),
//!     Resolution::Unknown(_) => println!("may exist: call again with the same id later"),
//!     Resolution::Conflict(c) => println!("another payout holds the id: {:?}", c.differences),
//!     Resolution::Committed(_) => unreachable!("a Qostiq create is never a commit"),
//! }
//! // Or: let withdrawal = outcome.into_result()?;
//! # Ok(()) }
//! ```
//!
//! ## Cancellation
//!
//! Every method can be cancelled by dropping its future. A dropped *create* may have reached the
//! provider: call the same `create_*` again with the same request (same `shop_payment_id`), or
//! [`QostiqClient::resume`] with the evidence you stored; the duplicate-id answer or the lookup
//! makes it adopt what exists instead of paying twice. The `wait_until_final_*` methods also take
//! a deadline on the client's clock.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use pay_core::clock::Clock;
use pay_core::endpoint::{BaseUrl, Endpoint, Lookup};
use pay_core::error::{Error, Provider, RequestOutcome};
use pay_core::recovery::{Evidence, PayoutOutcome, Recoverable};
use pay_core::secret::Secret;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::journal::{Claimed, Journaled, Resumed, StoreError, request_of};
use pay_transport::recovery::Start;
use pay_transport::service::HttpService;
use pay_transport::sleep::{Sleep, SleepFuture};
use pay_transport::{CallError, Executor, ExecutorBuilder};
use time::OffsetDateTime;

use crate::bills::{BillInfo, BillRecord, CreateBill, CreateBillV2, GetBill};
use crate::context::{DEFAULT_BASE_URL, QostiqContext, ShopId};
use crate::crypto::{
    CreateCryptoWithdraw, CryptoBalances, CryptoWithdrawInfo, CryptoWithdrawQuote,
    CryptoWithdrawal, GetCryptoBalance, GetCryptoWithdraw, GetCryptoWithdrawByShopPaymentId,
    TryCryptoWithdraw,
};
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

/// A Qostiq money-moving create the client recovers: its [`Recoverable`] contract and its journal
/// form ([`Journaled`]); it is looked up by its [`Intent::id`](pay_core::recovery::Intent) under
/// the lookup endpoint's polling floor. Implemented for [`CreateWithdraw`],
/// [`CreateCryptoWithdraw`], [`CreateTransfer`], [`CreateBill`] and [`CreateBillV2`] (sealed).
pub trait QostiqPayout:
    Recoverable<Context = QostiqContext> + Journaled + Send + Sync + sealed::Sealed
{
}

mod sealed {
    pub trait Sealed {}
}

impl<R> QostiqPayout for R where
    R: Recoverable<Context = QostiqContext> + Journaled + Send + Sync + sealed::Sealed
{
}

impl sealed::Sealed for CreateWithdraw {}
impl sealed::Sealed for CreateCryptoWithdraw {}
impl sealed::Sealed for CreateTransfer {}
impl sealed::Sealed for CreateBill {}
impl sealed::Sealed for CreateBillV2 {}

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

/// Builds a [`QostiqClient`]: the shop's credentials and the Qostiq base URL; every executor
/// setting (transport aside) through [`QostiqClientBuilder::executor`]. Start with
/// [`QostiqClient::builder`].
///
/// Defaults: base URL [`DEFAULT_BASE_URL`], [`HyperTransport`], and the [`ExecutorBuilder`]
/// defaults ([`SystemClock`](pay_core::clock::SystemClock), tokio sleep,
/// [`RetryPolicy::standard`](pay_transport::RetryPolicy::standard), the endpoints' own polling
/// floors, 30 s per attempt, a settle window of twice that, 5 recovery lookups, no journal).
///
/// ```no_run
/// # fn demo(clock: std::sync::Arc<dyn pay_core::clock::Clock>) -> Result<(), pay_core::Error> {
/// use std::time::Duration;
/// use pay_core::secret::Secret;
/// use pay_qostiq::{ShopId, client::QostiqClient};
///
/// let client = QostiqClient::builder(ShopId::new(112)?, Secret::new("shop-secret")?)
///     .executor(|e| e.clock(clock).attempt_timeout(Duration::from_secs(10)))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct QostiqClientBuilder<S = HyperTransport> {
    executor: ExecutorBuilder<S>,
    shop_id: ShopId,
    secret: Secret,
}

impl<S> fmt::Debug for QostiqClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QostiqClientBuilder")
            .field("shop_id", &self.shop_id)
            .field("executor", &self.executor)
            .finish_non_exhaustive()
    }
}

impl<S> QostiqClientBuilder<S> {
    /// Sends requests through `transport` (any [`HttpService`]: a tower service, a
    /// [`pay_transport::service::service_fn`] closure, or a configured [`HyperTransport`]).
    pub fn transport<T: HttpService>(self, transport: T) -> QostiqClientBuilder<T> {
        QostiqClientBuilder {
            executor: self.executor.transport(transport),
            shop_id: self.shop_id,
            secret: self.secret,
        }
    }

    /// The API base URL (default [`DEFAULT_BASE_URL`]); a sandbox's `…/qostiq` for tests.
    pub fn base_url(mut self, base_url: BaseUrl) -> Self {
        self.executor = self.executor.base_url(base_url);
        self
    }

    /// Configures the executor: clock (also the `now` of signed bodies), sleeper, retries, rate
    /// limits, polling floors and shared turns, attempt timeout, settle window, recovery lookups,
    /// the payout journal (every withdrawal, crypto withdrawal, transfer and bill create is then
    /// written before it is sent and resumed by [`QostiqClient::resume_journal`] after a crash).
    /// See [`ExecutorBuilder`].
    pub fn executor(
        mut self,
        configure: impl FnOnce(ExecutorBuilder<S>) -> ExecutorBuilder<S>,
    ) -> Self {
        self.executor = configure(self.executor);
        self
    }
}

impl<S: HttpService> QostiqClientBuilder<S> {
    /// Builds the client. Fails as [`ExecutorBuilder::build`] does.
    pub fn build(self) -> Result<QostiqClient<S>, Error> {
        let executor = self.executor.default_base_url(DEFAULT_BASE_URL)?.build()?;
        let context =
            QostiqContext::with_shared_clock(self.shop_id, self.secret, executor.clock().clone());
        Ok(QostiqClient { executor, context })
    }
}

/// The async Qostiq client. Cheap to clone; clones share the connection pool, the retry budget
/// and the polling floors.
///
/// `Debug` shows the base URL, the shop id and the executor settings, never the secret.
pub struct QostiqClient<S = HyperTransport> {
    executor: Executor<S>,
    context: QostiqContext,
}

impl<S> Clone for QostiqClient<S> {
    fn clone(&self) -> Self {
        Self {
            executor: self.executor.clone(),
            context: self.context.clone(),
        }
    }
}

impl<S> fmt::Debug for QostiqClient<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QostiqClient")
            .field("shop_id", &self.context.shop_id())
            .field("executor", &self.executor)
            .finish_non_exhaustive()
    }
}

impl QostiqClient<HyperTransport> {
    /// A builder for `shop_id` with its secret key, on the default transport.
    pub fn builder(shop_id: ShopId, secret: Secret) -> QostiqClientBuilder<HyperTransport> {
        QostiqClientBuilder {
            executor: ExecutorBuilder::with_default_transport(),
            shop_id,
            secret,
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

    /// Runs a status read of one payment under the endpoint's polling floor for that payment
    /// (`payment` is the id the read asks about: a `shop_payment_id`, a Qostiq id).
    pub async fn poll<E>(&self, endpoint: &E, payment: &str) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = QostiqContext>,
    {
        self.executor
            .execute_poll(endpoint, &self.context, payment)
            .await
            .map(|done| done.value)
    }

    /// Creates a payout with recovery (what every `create_*` method does), through the journal
    /// when one is configured ([`QostiqClientBuilder::journal`]): a `shop_payment_id` journaled
    /// before is resumed, not created again, and another request under it is refused.
    pub async fn create<R: QostiqPayout>(&self, request: &R) -> PayoutOutcome<R::Payout> {
        let lookup = request.lookup();
        let (context, key) = (&self.context, &request.intent().id);
        let (executor, lookup) = (&self.executor, &lookup);
        self.executor
            .recover_payout(
                request,
                move |sender: Executor<S>| async move {
                    sender
                        .execute(request, context)
                        .await
                        .map(|done| done.value)
                },
                move || async move {
                    executor
                        .execute_poll(lookup, context, key)
                        .await
                        .map(|done| done.value)
                },
            )
            .await
    }

    /// Resumes the recovery of `request` from stored `evidence` (for instance
    /// [`Evidence::interrupted_send`] after a crash during the create): it looks the payout up
    /// before it sends anything, and sends again (with the same id) only after a conclusive
    /// "not found". For callers keeping their own evidence; with a journal, call
    /// [`QostiqClient::create`] again with the same request (or [`QostiqClient::resume_journal`]).
    pub async fn resume<R: QostiqPayout>(
        &self,
        request: &R,
        evidence: Evidence,
    ) -> PayoutOutcome<R::Payout> {
        self.recover(request, Start::Resume(evidence)).await
    }

    /// Drives every due Qostiq intent of the journal to an outcome (those whose process died, and
    /// the `unknown` ones due again), concurrently in batches of 32, each at most once per call:
    /// looked up before anything is sent again, never under a new id. An intent that is still
    /// `unknown` stays listed and comes back on a later call. Returns one report per intent
    /// (none without a journal); fails only if the journal cannot be read.
    pub async fn resume_journal(&self) -> Result<Vec<Resumed>, StoreError> {
        self.executor
            .resume_due(Provider::Qostiq, 32, |claimed| self.resume_claimed(claimed))
            .await
    }

    /// Like [`resume_journal`](Self::resume_journal), but drives every unfinished Qostiq intent
    /// now, due or not (an operator's explicit resume, as `pay journal resume` does); intents
    /// another call or instance holds are reported, not driven.
    pub async fn resume_journal_now(&self) -> Result<Vec<Resumed>, StoreError> {
        self.executor
            .resume_unfinished(Provider::Qostiq, 32, |claimed| self.resume_claimed(claimed))
            .await
    }

    /// Drives one claimed intent, by its operation.
    async fn resume_claimed(&self, claimed: Claimed) -> Resumed {
        let key = claimed.record.intent.key.clone();
        match key.operation.as_str() {
            <CreateWithdraw as Journaled>::OPERATION => {
                self.resume_one::<CreateWithdraw>(claimed).await
            }
            <CreateCryptoWithdraw as Journaled>::OPERATION => {
                self.resume_one::<CreateCryptoWithdraw>(claimed).await
            }
            <CreateTransfer as Journaled>::OPERATION => {
                self.resume_one::<CreateTransfer>(claimed).await
            }
            <CreateBill as Journaled>::OPERATION => self.resume_one::<CreateBill>(claimed).await,
            <CreateBillV2 as Journaled>::OPERATION => {
                self.resume_one::<CreateBillV2>(claimed).await
            }
            other => {
                if let Some(journal) = self.executor.journal() {
                    let _ = journal.release(&claimed.lease).await;
                }
                Resumed::failed(
                    key.clone(),
                    format!(
                        "operation `{}` is not one this client drives",
                        pay_core::text::Untrusted::new(other)
                    ),
                )
            }
        }
    }

    async fn resume_one<R: QostiqPayout>(&self, claimed: Claimed) -> Resumed {
        let key = claimed.record.intent.key.clone();
        let request = match request_of::<R>(&claimed.record.intent.payload) {
            Ok(request) => request,
            Err(e) => {
                if let Some(journal) = self.executor.journal() {
                    let _ = journal.release(&claimed.lease).await;
                }
                return Resumed::failed(key, e);
            }
        };
        let lookup = request.lookup();
        let (context, id) = (&self.context, &request.intent().id);
        let (executor, lookup, request) = (&self.executor, &lookup, &request);
        let outcome = self
            .executor
            .resume_claimed(
                claimed,
                request,
                move |sender: Executor<S>| async move {
                    sender
                        .execute(request, context)
                        .await
                        .map(|done| done.value)
                },
                move || async move {
                    executor
                        .execute_poll(lookup, context, id)
                        .await
                        .map(|done| done.value)
                },
            )
            .await;
        Resumed::of(key, &outcome)
    }

    async fn recover<R: QostiqPayout>(
        &self,
        request: &R,
        start: Start,
    ) -> PayoutOutcome<R::Payout> {
        let lookup = request.lookup();
        let (executor, context, key) = (&self.executor, &self.context, &request.intent().id);
        let lookup = &lookup;
        self.executor
            .recover(
                request,
                start,
                move || async move {
                    executor
                        .execute(request, context)
                        .await
                        .map(|done| done.value)
                },
                move || async move {
                    executor
                        .execute_poll(lookup, context, key)
                        .await
                        .map(|done| done.value)
                },
            )
            .await
    }

    // ---- bills -------------------------------------------------------------------------------

    /// `/bill/create`, recovered by `/bill/shop_order_status` with the same `shop_order_id`
    /// (adopted only with the same amount and currency, and only if the id is unique).
    pub async fn create_bill(&self, request: &CreateBill) -> PayoutOutcome<BillRecord> {
        self.create(request).await
    }

    /// `/bill/create/v2`, recovered as [`QostiqClient::create_bill`].
    pub async fn create_bill_v2(&self, request: &CreateBillV2) -> PayoutOutcome<BillRecord> {
        self.create(request).await
    }

    /// `/bill/shop_order_status` (bill polling floor, per bill).
    pub async fn get_bill(&self, shop_order_id: &str) -> Result<Lookup<BillInfo>, CallError> {
        self.poll(&GetBill::new(shop_order_id), shop_order_id).await
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
            shop_order_id,
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

    /// `/transfer/create`, recovered by `/transfer/shop_payment_status` (adopted only with the same
    /// amount and currencies).
    pub async fn create_transfer(&self, request: &CreateTransfer) -> PayoutOutcome<Transfer> {
        self.create(request).await
    }

    /// `/transfer/shop_payment_status` (the default polling floor, per transfer: Qostiq publishes none).
    pub async fn get_transfer(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<TransferInfo>, CallError> {
        self.poll(&GetTransfer::new(shop_payment_id), shop_payment_id)
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

    /// `/withdraw/create`, recovered by `/withdraw/shop_payment_status` (withdraw floor, per
    /// payout).
    ///
    /// | what happened to the create | outcome |
    /// |---|---|
    /// | answered (with this `shop_payment_id` and amount) | `created` |
    /// | answer lost (drop, timeout, truncated body, 5xx, undecodable), and the lookup finds it with the same terms | `adopted` |
    /// | answer lost, "not found" asked a settle window after the loss | re-created once with the same id: `recreated` (or what the re-create leads to) |
    /// | refused with code 6 (the id is taken), found with the same terms | `adopted` |
    /// | the lookup (or the answer) shows another payout under the id, or other terms | `conflict` |
    /// | refused (4xx), nothing sent before could have done anything | `refused` |
    /// | connection refused until attempts ran out | `not_sent` |
    /// | still undecided after the recovery lookups (a re-create refused while the first holds the money, failing lookups) | `unknown` |
    pub async fn create_withdraw(&self, request: &CreateWithdraw) -> PayoutOutcome<Withdrawal> {
        self.create(request).await
    }

    /// `/withdraw/status` by Qostiq's id (withdraw floor, ≥ 60 s).
    pub async fn get_withdraw(&self, withdraw_id: u64) -> Result<Lookup<WithdrawInfo>, CallError> {
        self.poll(&GetWithdraw::new(withdraw_id), &withdraw_id.to_string())
            .await
    }

    /// `/withdraw/shop_payment_status` by the shop's id (withdraw floor, ≥ 60 s for this payout).
    pub async fn get_withdraw_by_shop_payment_id(
        &self,
        shop_payment_id: &str,
    ) -> Result<Lookup<WithdrawInfo>, CallError> {
        self.poll(
            &GetWithdrawByShopPaymentId::new(shop_payment_id),
            shop_payment_id,
        )
        .await
    }

    /// Polls `/withdraw/status` (≥ 60 s apart for this payout unless the sandbox floors are set) until
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
            &withdraw_id.to_string(),
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
    /// `/crypto/withdraw/shop_payment_status` (crypto withdraw floor, per payout; the address is
    /// compared too). Outcomes as for [`QostiqClient::create_withdraw`].
    pub async fn create_crypto_withdraw(
        &self,
        request: &CreateCryptoWithdraw,
    ) -> PayoutOutcome<CryptoWithdrawal> {
        self.create(request).await
    }

    /// `/crypto/withdraw/status` by Qostiq's id (crypto withdraw floor, ≥ 60 s).
    pub async fn get_crypto_withdraw(
        &self,
        withdraw_id: u64,
    ) -> Result<Lookup<CryptoWithdrawInfo>, CallError> {
        self.poll(
            &GetCryptoWithdraw::new(withdraw_id),
            &withdraw_id.to_string(),
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
            shop_payment_id,
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
            &withdraw_id.to_string(),
            deadline,
            |w: &CryptoWithdrawInfo| w.status.is_final(),
        )
        .await
    }

    /// `/crypto/shop_balance`.
    pub async fn get_crypto_balance(&self) -> Result<CryptoBalances, CallError> {
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
    pub async fn get_shop_balance(&self) -> Result<ShopBalances, CallError> {
        self.call(&GetShopBalance::new()).await
    }

    /// `/shop_input_config/shop`.
    pub async fn get_input_config(&self) -> Result<Vec<InputMethod>, CallError> {
        self.call(&GetInputConfig::new()).await
    }

    /// `/shop_output_config/shop`.
    pub async fn get_output_config(&self) -> Result<Vec<OutputMethod>, CallError> {
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

    async fn wait_final<E, T>(
        &self,
        endpoint: &E,
        payment: &str,
        deadline: Option<OffsetDateTime>,
        is_final: impl Fn(&T) -> bool,
    ) -> Result<T, WaitError<T>>
    where
        E: Endpoint<Context = QostiqContext, Output = Lookup<T>>,
    {
        let floor = time::Duration::try_from(self.executor.polls().floors().floor(&E::INFO))
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
                self.poll(endpoint, payment),
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
