//! The async COINQVEST client (feature `client`): every endpoint as a method, run through
//! [`pay_transport`]'s executor (serialize once; per attempt sign with a fresh timestamp, time out,
//! send; budgeted retries of what may be repeated; polling floors), over hyper-util + rustls by
//! default or any [`HttpService`].
//!
//! What it adds on top of the executor:
//!
//! * **[`CoinqvestClient::commit_withdrawal`] never commits twice blindly, and never says "not
//!   committed" while it may be.** It runs the one recovery loop of [`pay_transport::recovery`] on
//!   [`CommitWithdrawal`]'s [`Recoverable`] contract: the commit is sent once; when its answer is
//!   lost, or it is refused (a repeated commit gets HTTP 400 "Withdrawal is COMPLETED and cannot
//!   be committed"), the withdrawal is read (`GET /withdrawal`) and judged. Committed
//!   (`PROCESSING`, `COMPLETED`, or `FAILED` after it) → `adopted`; another withdrawal (or, for
//!   [`CoinqvestClient::commit_quote`], other terms) → `conflict`; still `PENDING_API_COMMIT` →
//!   trusted only once the settle window passed since the lost commit (commit 1 may be held at
//!   the server), then committed again; `refused` only when no commit of this call can have done
//!   anything. The result is a [`PayoutOutcome`] with its evidence.
//! * **Server time.** Signatures use the local clock shifted by an [`OffsetClock`] offset. When a
//!   request is refused as unauthenticated (401/403), the client makes **one** `GET /time`,
//!   re-synchronises the offset and repeats the request **once** (a refused request was not
//!   applied, so this is safe for every endpoint). It never loops.
//! * **[`CoinqvestClient::wait_until_final_checkout`]** polls a checkout through the executor's polling
//!   floors until it leaves `NEW_CHARGE`/`IN_PROGRESS`; drop the future to cancel.
//! * **[`CoinqvestClient::pages`]** walks the list endpoints page by page.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use pay_coinqvest::client::CoinqvestClient;
//! use pay_coinqvest::withdrawals::{CreateWithdrawal, NgnBank, TargetAccount};
//! use pay_core::secret::Secret;
//!
//! let client = CoinqvestClient::builder("a1b2c3d4e5f6", Secret::new("the-api-secret")?).build()?;
//! let quote = client
//!     .create_withdrawal(&CreateWithdrawal::new(
//!         "USD:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
//!         "100".parse()?,
//!         TargetAccount::NgnBank { nuban: "3080494548".into(), bank: NgnBank::FirstBank },
//!     ))
//!     .await?;
//! let outcome = client.commit_quote(&quote).await;
//! println!("{}", outcome.name()); // committed, adopted, recreated, refused, not_sent, unknown, conflict
//! let withdrawal = outcome.into_result()?; // Err keeps the variant and the evidence
//! println!("withdrawal {} is {}", withdrawal.id, withdrawal.state);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use pay_core::clock::{Clock, OffsetClock};
use pay_core::endpoint::{Authenticate, BaseUrl, Endpoint, Lookup};
use pay_core::error::{Error, Provider};
use pay_core::recovery::{Evidence, PayoutOutcome, Recoverable};
use pay_core::secret::Secret;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::journal::{Claimed, Journaled, Resumed, StoreError, request_of};
use pay_transport::recovery::Start;
use pay_transport::service::HttpService;
use pay_transport::{CallError, Executor, ExecutorBuilder};
use time::OffsetDateTime;

use crate::checkouts::Checkout;
use crate::checkouts::{
    CheckoutCommitted, CheckoutCreated, CheckoutList, CheckoutParams, CommitCheckout,
    CreateCheckout, CreateHostedCheckout, GetCheckout, HostedCheckout, ListCheckouts,
};
use crate::customers::{
    CreateCustomer, Customer, CustomerCreated, CustomerList, CustomerUpdate, DeleteCustomer,
    GetCustomer, ListCustomers, NewCustomer, UpdateCustomer,
};
use crate::pagination::{ListOutput, Page, Pages, Paginated};
use crate::payments::{GetPayment, ListPayments, Payment, PaymentList};
use crate::reference::{
    Asset, AssetIssuer, AssetIssuerList, AssetList, Blockchain, BlockchainList, FiatCurrency,
    FiatCurrencyList, GetAsset, GetAssetIssuer, GetBlockchain, GetFiatCurrency, ListAssetIssuers,
    ListAssets, ListBlockchains, ListFiatCurrencies,
};
use crate::service::{AuthTest, GetTime, Ping, ServerTime, Success};
use crate::wallets::{GetWallet, ListWallets, Wallet, WalletList};
use crate::withdrawals::{
    CommitWithdrawal, CreateWithdrawal, GetWithdrawal, ListWithdrawals, Withdrawal, WithdrawalList,
};
use crate::{BasicAuth, DEFAULT_BASE_URL, DigestSigner};

/// The offset clock shared by the client and its authenticator.
type ServerClock = Arc<OffsetClock<Arc<dyn Clock>>>;

/// Signs every attempt with the server's time: the executor's `now` plus the synchronised offset.
#[derive(Debug)]
struct ServerTimeAuth {
    inner: Arc<dyn Authenticate>,
    server_clock: ServerClock,
}

impl Authenticate for ServerTimeAuth {
    fn authenticate(
        &self,
        request: &mut http::Request<bytes::Bytes>,
        now: OffsetDateTime,
    ) -> Result<(), Error> {
        self.inner
            .authenticate(request, now.saturating_add(self.server_clock.offset()))
    }
}

/// How requests are authenticated.
#[derive(Debug, Clone)]
enum Auth {
    Digest(DigestSigner),
    Basic(BasicAuth),
}

/// Builds a [`CoinqvestClient`]: the API credentials, the COINQVEST base URL and its
/// authentication choices; every executor setting (transport aside) through
/// [`CoinqvestClientBuilder::executor`]. Start with [`CoinqvestClient::builder`].
///
/// Defaults: base URL [`DEFAULT_BASE_URL`], [`HyperTransport`], digest signatures with a clock
/// re-sync on 401/403, and the [`ExecutorBuilder`] defaults.
///
/// ```no_run
/// # fn demo(clock: std::sync::Arc<dyn pay_core::clock::Clock>) -> Result<(), pay_core::Error> {
/// use std::time::Duration;
/// use pay_coinqvest::client::CoinqvestClient;
/// use pay_core::secret::Secret;
///
/// let client = CoinqvestClient::builder("a1b2c3d4e5f6", Secret::new("the-api-secret")?)
///     .executor(|e| e.clock(clock).attempt_timeout(Duration::from_secs(10)))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct CoinqvestClientBuilder<S = HyperTransport> {
    executor: ExecutorBuilder<S>,
    auth: Auth,
    resync: bool,
}

impl<S> fmt::Debug for CoinqvestClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoinqvestClientBuilder")
            .field(
                "auth",
                &match self.auth {
                    Auth::Digest(_) => "digest",
                    Auth::Basic(_) => "basic (replayable)",
                },
            )
            .field("resync_clock_on_auth_failure", &self.resync)
            .field("executor", &self.executor)
            .finish_non_exhaustive()
    }
}

impl<S> CoinqvestClientBuilder<S> {
    /// Sends requests through `transport` (any [`HttpService`]: a tower service, a
    /// [`pay_transport::service::service_fn`] closure, or a configured [`HyperTransport`]).
    pub fn transport<T: HttpService>(self, transport: T) -> CoinqvestClientBuilder<T> {
        CoinqvestClientBuilder {
            executor: self.executor.transport(transport),
            auth: self.auth,
            resync: self.resync,
        }
    }

    /// The API base URL (default [`DEFAULT_BASE_URL`], `https://www.coinqvest.com/api/v1`).
    pub fn base_url(mut self, base_url: BaseUrl) -> Self {
        self.executor = self.executor.base_url(base_url);
        self
    }

    /// Configures the executor: clock (signatures use it shifted by the offset learnt from
    /// `GET /time`; floors, backoff and timeouts use it as is), sleeper, retries, rate limits,
    /// polling floors and shared turns, attempt timeout, settle window, recovery reads, the payout
    /// journal (every withdrawal commit is then written before it is sent and resumed by
    /// [`CoinqvestClient::resume_journal`] after a crash). See [`ExecutorBuilder`].
    pub fn executor(
        mut self,
        configure: impl FnOnce(ExecutorBuilder<S>) -> ExecutorBuilder<S>,
    ) -> Self {
        self.executor = configure(self.executor);
        self
    }

    /// Authenticates with the static, **replayable** `X-Basic` header instead of digest signatures.
    /// Anyone who sees one request can replay it forever; use it only where the clock cannot be
    /// kept. Build it with [`BasicAuth::new_replayable`].
    pub fn replayable_basic_auth(mut self, auth: BasicAuth) -> Self {
        self.auth = Auth::Basic(auth);
        self
    }

    /// Whether a 401/403 triggers one `GET /time` re-sync and one repeat (default on; always off
    /// with basic auth, which carries no timestamp).
    pub fn resync_clock_on_auth_failure(mut self, yes: bool) -> Self {
        self.resync = yes;
        self
    }
}

impl<S: HttpService> CoinqvestClientBuilder<S> {
    /// Builds the client. Fails as [`ExecutorBuilder::build`] does. The default transport needs a
    /// tokio runtime when requests are made.
    pub fn build(self) -> Result<CoinqvestClient<S>, Error> {
        let executor = self.executor.default_base_url(DEFAULT_BASE_URL)?;
        let server_clock: ServerClock =
            Arc::new(OffsetClock::new(executor.configured_clock().clone()));
        let (inner, resync): (Arc<dyn Authenticate>, bool) = match self.auth {
            Auth::Digest(d) => (Arc::new(d), self.resync),
            Auth::Basic(b) => (Arc::new(b), false),
        };
        let authenticator = Arc::new(ServerTimeAuth {
            inner,
            server_clock: server_clock.clone(),
        });
        Ok(CoinqvestClient {
            executor: executor.authenticator(authenticator).build()?,
            server_clock,
            resync,
        })
    }
}

/// The async COINQVEST client. Cheap to clone; clones share the connection pool, retry budget,
/// polling floors and clock offset.
pub struct CoinqvestClient<S = HyperTransport> {
    executor: Executor<S>,
    server_clock: ServerClock,
    resync: bool,
}

impl<S> Clone for CoinqvestClient<S> {
    fn clone(&self) -> Self {
        Self {
            executor: self.executor.clone(),
            server_clock: self.server_clock.clone(),
            resync: self.resync,
        }
    }
}

impl<S> fmt::Debug for CoinqvestClient<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoinqvestClient")
            .field("executor", &self.executor)
            .field("clock_offset", &self.server_clock.offset())
            .field("resync_clock_on_auth_failure", &self.resync)
            .finish()
    }
}

impl CoinqvestClient<HyperTransport> {
    /// Starts a builder authenticating with digest signatures for `api_key` and `api_secret`.
    pub fn builder(api_key: impl Into<String>, api_secret: Secret) -> CoinqvestClientBuilder {
        CoinqvestClientBuilder {
            executor: ExecutorBuilder::with_default_transport(),
            auth: Auth::Digest(DigestSigner::new(api_key.into(), api_secret)),
            resync: true,
        }
    }
}

impl<S: HttpService> CoinqvestClient<S> {
    /// The executor (base URL, budget, floors, clock).
    pub fn executor(&self) -> &Executor<S> {
        &self.executor
    }

    /// The current offset between the server's clock and the local one, as learnt from `GET /time`.
    pub fn clock_offset(&self) -> time::Duration {
        self.server_clock.offset()
    }

    /// Runs any endpoint of this crate, with the one-time clock re-sync on 401/403.
    pub async fn call<E>(&self, endpoint: &E) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = ()>,
    {
        self.call_on(&self.executor, endpoint).await
    }

    /// [`call`](Self::call) through `executor` (a journaled commit's, which records each attempt
    /// before it leaves).
    async fn call_on<E>(&self, executor: &Executor<S>, endpoint: &E) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = ()>,
    {
        match executor.execute(endpoint, &()).await {
            Ok(done) => Ok(done.value),
            Err(e) if self.should_resync::<E>(&e) => {
                self.resync_then(e, || executor.execute(endpoint, &()))
                    .await
            }
            Err(e) => Err(e),
        }
    }

    /// Like [`call`](Self::call) for a status read of one payment (`payment` is its id), spaced by
    /// the endpoint's polling floor for that payment on every attempt. Same name and argument
    /// order as `pay_qostiq::client::QostiqClient::poll`.
    pub async fn poll<E>(&self, endpoint: &E, payment: &str) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = ()>,
    {
        match self.executor.execute_poll(endpoint, &(), payment).await {
            Ok(done) => Ok(done.value),
            Err(e) if self.should_resync::<E>(&e) => {
                self.resync_then(e, || self.executor.execute_poll(endpoint, &(), payment))
                    .await
            }
            Err(e) => Err(e),
        }
    }

    fn should_resync<E: Endpoint>(&self, error: &CallError) -> bool {
        self.resync
            && E::INFO.name != <GetTime as Endpoint>::INFO.name
            && matches!(error.error(), Error::Provider(p) if p.is_authentication())
    }

    /// One `GET /time`, then the request once more. If the re-sync fails, the original refusal is
    /// returned.
    async fn resync_then<T, F, Fut>(&self, refused: CallError, again: F) -> Result<T, CallError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<pay_transport::Executed<T>, CallError>>,
    {
        let before = self.server_clock.offset();
        match self.sync_clock().await {
            Ok(_) => {
                tracing::debug!(
                    offset_before_ms = millis(before),
                    offset_ms = millis(self.server_clock.offset()),
                    "coinqvest: refused as unauthenticated; clock re-synced, repeating once"
                );
                again().await.map(|done| done.value)
            }
            Err(e) => {
                tracing::debug!(error = %e, "coinqvest: clock re-sync failed");
                Err(refused)
            }
        }
    }

    /// `GET /time`, then shifts the signing clock so it reads the server's time.
    pub async fn sync_clock(&self) -> Result<ServerTime, CallError> {
        let time = self.executor.execute(&GetTime, &()).await?.value;
        // `GetTime::parse_response` already refused out-of-range times.
        if let Ok(at) = time.instant() {
            self.server_clock.sync_to(at);
        }
        Ok(time)
    }

    // ---- checkouts ----------------------------------------------------------------------------

    /// `POST /checkout`: a white-label checkout.
    pub async fn create_checkout(
        &self,
        params: CheckoutParams,
    ) -> Result<CheckoutCreated, CallError> {
        self.call(&CreateCheckout::new(params)).await
    }

    /// `POST /checkout/commit` (never repeated once it may have been sent: on an unknown outcome,
    /// start a new checkout).
    pub async fn commit_checkout(
        &self,
        commit: &CommitCheckout,
    ) -> Result<CheckoutCommitted, CallError> {
        self.call(commit).await
    }

    /// `POST /checkout/hosted`: a hosted checkout page.
    pub async fn create_hosted_checkout(
        &self,
        params: CheckoutParams,
    ) -> Result<HostedCheckout, CallError> {
        self.call(&CreateHostedCheckout::new(params)).await
    }

    /// `GET /checkout?id=…`.
    pub async fn get_checkout(&self, id: impl Into<String>) -> Result<Lookup<Checkout>, CallError> {
        self.call(&GetCheckout::new(id)).await
    }

    /// `GET /checkouts`: one page (see [`pages`](Self::pages) for all).
    pub async fn list_checkouts(&self, page: Page) -> Result<CheckoutList, CallError> {
        self.call(&ListCheckouts::new(page)).await
    }

    /// Polls `GET /checkout?id=…` until the checkout leaves `NEW_CHARGE`/`IN_PROGRESS`, and returns
    /// it. Every poll (retries included) waits for the polling floor of this checkout
    /// ([`pay_transport::floors::DEFAULT_POLL_FLOOR`], 10 s: COINQVEST publishes none). Drop the future to cancel; a read error that the
    /// executor's retries did not resolve ends the wait with that error, and the API's "not found"
    /// with `Lookup::NotFound`.
    pub async fn wait_until_final_checkout(
        &self,
        checkout_id: &str,
    ) -> Result<Lookup<Checkout>, CallError> {
        let read = GetCheckout::new(checkout_id);
        loop {
            let checkout = match self.poll(&read, checkout_id).await? {
                Lookup::Found(checkout) => checkout,
                Lookup::NotFound => return Ok(Lookup::NotFound),
            };
            if !checkout.state.is_pending() {
                return Ok(Lookup::Found(checkout));
            }
        }
    }

    // ---- payments -----------------------------------------------------------------------------

    /// `GET /payment?id=…`.
    pub async fn get_payment(&self, id: impl Into<String>) -> Result<Lookup<Payment>, CallError> {
        self.call(&GetPayment::new(id)).await
    }

    /// `GET /payments`: one page.
    pub async fn list_payments(&self, page: Page) -> Result<PaymentList, CallError> {
        self.call(&ListPayments::new(page)).await
    }

    // ---- wallets ------------------------------------------------------------------------------

    /// `GET /wallets`.
    pub async fn list_wallets(&self) -> Result<WalletList, CallError> {
        self.call(&ListWallets).await
    }

    /// `GET /wallet?assetCode=…`.
    pub async fn get_wallet(
        &self,
        asset_code: impl Into<String>,
    ) -> Result<Lookup<Wallet>, CallError> {
        self.call(&GetWallet::new(asset_code)).await
    }

    // ---- withdrawals --------------------------------------------------------------------------

    /// `POST /withdrawal`: a quote (`PENDING_API_COMMIT`); nothing moves until
    /// [`commit_withdrawal`](Self::commit_withdrawal).
    pub async fn create_withdrawal(
        &self,
        quote: &CreateWithdrawal,
    ) -> Result<Withdrawal, CallError> {
        self.call(quote).await
    }

    /// `GET /withdrawal?id=…`.
    pub async fn get_withdrawal(
        &self,
        id: impl Into<String>,
    ) -> Result<Lookup<Withdrawal>, CallError> {
        self.call(&GetWithdrawal::new(id)).await
    }

    /// `GET /withdrawals`: one page.
    pub async fn list_withdrawals(&self, page: Page) -> Result<WithdrawalList, CallError> {
        self.call(&ListWithdrawals::new(page)).await
    }

    /// `POST /withdrawal/commit` of `withdrawal_id`: **moves the money**, with recovery (see the
    /// module docs and [`CommitWithdrawal`]). Only the id is compared; prefer
    /// [`commit_quote`](Self::commit_quote) when you have the quote.
    ///
    /// | what happened | outcome |
    /// |---|---|
    /// | answered | `committed` |
    /// | answer lost (drop, timeout, truncated body, 5xx), and the withdrawal reads committed | `adopted` |
    /// | refused 4xx (e.g. "already COMPLETED" on a repeated commit), and it reads committed | `adopted` |
    /// | answer lost, `PENDING_API_COMMIT` read a settle window after the loss | committed again: `recreated` |
    /// | refused, and it reads `PENDING_API_COMMIT` (or not found), with no lost commit before | `refused` |
    /// | the read shows another withdrawal | `conflict` |
    /// | never sent (connection refused until attempts ran out) | `not_sent` |
    /// | still undecided after the reads | `unknown` (resume with the same id later) |
    pub async fn commit_withdrawal(
        &self,
        withdrawal_id: impl Into<String>,
    ) -> PayoutOutcome<Withdrawal> {
        self.commit(&CommitWithdrawal::new(withdrawal_id)).await
    }

    /// Commits `quote` (from [`create_withdrawal`](Self::create_withdrawal)) pinned to its terms:
    /// a withdrawal read back with another amount, asset or target account is a `conflict`.
    pub async fn commit_quote(&self, quote: &Withdrawal) -> PayoutOutcome<Withdrawal> {
        self.commit(&CommitWithdrawal::for_quote(quote)).await
    }

    /// Runs `commit` with recovery, through the journal when one is configured
    /// ([`CoinqvestClientBuilder::journal`]): a withdrawal id journaled before is resumed, not
    /// committed again blindly, and another commit (other terms) under it is refused.
    pub async fn commit(&self, commit: &CommitWithdrawal) -> PayoutOutcome<Withdrawal> {
        let lookup = &commit.lookup();
        let id = commit.withdrawal_id.as_str();
        self.executor
            .recover_payout(
                commit,
                move |sender: Executor<S>| async move { self.call_on(&sender, commit).await },
                move || async move { self.poll(lookup, id).await },
            )
            .await
    }

    /// Resumes the recovery of `commit` from stored `evidence` (for instance
    /// [`Evidence::interrupted_send`] after a crash during the commit): it reads the withdrawal
    /// before it commits anything again. For callers keeping their own evidence; with a journal,
    /// call [`commit`](Self::commit) again (or [`resume_journal`](Self::resume_journal)).
    pub async fn resume_commit(
        &self,
        commit: &CommitWithdrawal,
        evidence: Evidence,
    ) -> PayoutOutcome<Withdrawal> {
        let lookup = &commit.lookup();
        let id = commit.withdrawal_id.as_str();
        self.executor
            .recover(
                commit,
                Start::Resume(evidence),
                move || async move { self.call(commit).await },
                move || async move { self.poll(lookup, id).await },
            )
            .await
    }

    /// Drives every due COINQVEST intent of the journal to an outcome (commits whose process
    /// died, and the `unknown` ones due again), concurrently in batches of 32, each at most once
    /// per call: read before anything is committed again. An intent still `unknown` stays listed
    /// for a later call. One report per intent (none without a journal).
    pub async fn resume_journal(&self) -> Result<Vec<Resumed>, StoreError> {
        self.executor
            .resume_due(Provider::Coinqvest, 32, |claimed| {
                self.resume_claimed(claimed)
            })
            .await
    }

    /// Like [`resume_journal`](Self::resume_journal), but drives every unfinished COINQVEST
    /// intent now, due or not (an operator's explicit resume, as `pay journal resume` does);
    /// intents another call or instance holds are reported, not driven.
    pub async fn resume_journal_now(&self) -> Result<Vec<Resumed>, StoreError> {
        self.executor
            .resume_unfinished(Provider::Coinqvest, 32, |claimed| {
                self.resume_claimed(claimed)
            })
            .await
    }

    async fn resume_claimed(&self, claimed: Claimed) -> Resumed {
        let key = claimed.record.intent.key.clone();
        let request = if key.operation == <CommitWithdrawal as Journaled>::OPERATION {
            request_of::<CommitWithdrawal>(&claimed.record.intent.payload)
        } else {
            Err(Error::invalid_input(
                "operation",
                format!(
                    "`{}` is not one this client drives",
                    pay_core::text::Untrusted::new(&key.operation)
                ),
            ))
        };
        let commit = match request {
            Ok(commit) => commit,
            Err(e) => {
                if let Some(journal) = self.executor.journal() {
                    let _ = journal.release(&claimed.lease).await;
                }
                return Resumed::failed(key, e);
            }
        };
        let lookup = &commit.lookup();
        let id = commit.withdrawal_id.as_str();
        let commit = &commit;
        let outcome = self
            .executor
            .resume_claimed(
                claimed,
                commit,
                move |sender: Executor<S>| async move { self.call_on(&sender, commit).await },
                move || async move { self.poll(lookup, id).await },
            )
            .await;
        Resumed::of(key, &outcome)
    }

    // ---- reference ----------------------------------------------------------------------------

    /// `GET /asset-issuers`.
    pub async fn list_asset_issuers(&self) -> Result<AssetIssuerList, CallError> {
        self.call(&ListAssetIssuers).await
    }

    /// `GET /asset-issuer?id=…`.
    pub async fn get_asset_issuer(
        &self,
        id: impl Into<String>,
    ) -> Result<Lookup<AssetIssuer>, CallError> {
        self.call(&GetAssetIssuer::new(id)).await
    }

    /// `GET /assets`.
    pub async fn list_assets(&self) -> Result<AssetList, CallError> {
        self.call(&ListAssets).await
    }

    /// `GET /asset?id=…`.
    pub async fn get_asset(&self, id: impl Into<String>) -> Result<Lookup<Asset>, CallError> {
        self.call(&GetAsset::new(id)).await
    }

    /// `GET /fiat-currencies`.
    pub async fn list_fiat_currencies(&self) -> Result<FiatCurrencyList, CallError> {
        self.call(&ListFiatCurrencies).await
    }

    /// `GET /fiat-currency?assetCode=…`.
    pub async fn get_fiat_currency(
        &self,
        asset_code: impl Into<String>,
    ) -> Result<Lookup<FiatCurrency>, CallError> {
        self.call(&GetFiatCurrency::new(asset_code)).await
    }

    /// `GET /blockchains`.
    pub async fn list_blockchains(&self) -> Result<BlockchainList, CallError> {
        self.call(&ListBlockchains).await
    }

    /// `GET /blockchain?assetCode=…`.
    pub async fn get_blockchain(
        &self,
        asset_code: impl Into<String>,
    ) -> Result<Lookup<Blockchain>, CallError> {
        self.call(&GetBlockchain::new(asset_code)).await
    }

    // ---- service ------------------------------------------------------------------------------

    /// `GET /ping`.
    pub async fn ping(&self) -> Result<Success, CallError> {
        self.call(&Ping).await
    }

    /// `GET /time` without touching the clock offset (see [`sync_clock`](Self::sync_clock)).
    pub async fn get_time(&self) -> Result<ServerTime, CallError> {
        self.call(&GetTime).await
    }

    /// `GET /auth-test`.
    pub async fn auth_test(&self) -> Result<Success, CallError> {
        self.call(&AuthTest).await
    }

    // ---- customers ----------------------------------------------------------------------------

    /// `GET /customers`: one page.
    pub async fn list_customers(&self, page: Page) -> Result<CustomerList, CallError> {
        self.call(&ListCustomers::new(page)).await
    }

    /// `POST /customer` (an upsert by email).
    pub async fn create_customer(
        &self,
        customer: NewCustomer,
    ) -> Result<CustomerCreated, CallError> {
        self.call(&CreateCustomer::new(customer)).await
    }

    /// `GET /customer?id=…`.
    pub async fn get_customer(&self, id: impl Into<String>) -> Result<Lookup<Customer>, CallError> {
        self.call(&GetCustomer::new(id)).await
    }

    /// `PUT /customer`.
    pub async fn update_customer(&self, update: CustomerUpdate) -> Result<Success, CallError> {
        self.call(&UpdateCustomer::new(update)).await
    }

    /// `DELETE /customer`.
    pub async fn delete_customer(&self, id: impl Into<String>) -> Result<Success, CallError> {
        self.call(&DeleteCustomer::new(id)).await
    }

    // ---- pages --------------------------------------------------------------------------------

    /// Walks every page of a list (`ListCheckouts`, `ListPayments`, `ListWithdrawals`,
    /// `ListCustomers`) starting with `first`.
    ///
    /// ```no_run
    /// # async fn demo(client: pay_coinqvest::client::CoinqvestClient) -> Result<(), pay_transport::CallError> {
    /// use pay_coinqvest::payments::ListPayments;
    ///
    /// let mut pages = client.pages(ListPayments::default());
    /// while let Some(page) = pages.next_page().await {
    ///     for payment in page?.payments {
    ///         println!("{} {}", payment.id, payment.credit_amount);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages<E>(&self, first: E) -> PageWalker<'_, S, E>
    where
        E: Paginated<Context = ()>,
        E::Output: ListOutput,
    {
        PageWalker {
            client: self,
            pages: Pages::new(first),
        }
    }
}

fn millis(d: time::Duration) -> i64 {
    i64::try_from(d.whole_milliseconds()).unwrap_or(i64::MAX)
}

/// Follows the pages of a list through the client: see [`CoinqvestClient::pages`].
pub struct PageWalker<'a, S, E> {
    client: &'a CoinqvestClient<S>,
    pages: Pages<E>,
}

impl<S, E: fmt::Debug> fmt::Debug for PageWalker<'_, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageWalker")
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl<S, E> PageWalker<'_, S, E>
where
    S: HttpService,
    E: Paginated<Context = ()>,
    E::Output: ListOutput,
{
    /// The next page, or `None` after the last one. After an error the walk stays on the same
    /// page: calling again repeats that read.
    pub async fn next_page(&mut self) -> Option<Result<E::Output, CallError>> {
        let request = self.pages.next_request()?;
        let page = self.client.call(request).await;
        if let Ok(output) = &page {
            self.pages.advance(output);
        }
        Some(page)
    }

    /// Every remaining page, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<E::Output>, CallError> {
        let mut out = Vec::new();
        while let Some(page) = self.next_page().await {
            out.push(page?);
        }
        Ok(out)
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u64 {
        self.pages.pages_read()
    }
}
