//! The async COINQVEST client (feature `client`): every endpoint as a method, run through
//! [`pay_transport`]'s executor (serialize once; per attempt sign with a fresh timestamp, time out,
//! send; budgeted retries of what may be repeated; polling floors), over hyper-util + rustls by
//! default or any [`HttpService`].
//!
//! What it adds on top of the executor:
//!
//! * **[`CoinqvestClient::commit_withdrawal`] never commits twice blindly, and never says "not
//!   committed" while it may be.** It runs the one recovery loop of [`pay_transport::recovery`] on
//!   [`CommitWithdrawal`](crate::withdrawals::CommitWithdrawal)'s [`Recoverable`](pay_core::recovery::Recoverable) contract: the commit is sent once; when its answer is
//!   lost, or it is refused (a repeated commit gets HTTP 400 "Withdrawal is COMPLETED and cannot
//!   be committed"), the withdrawal is read (`GET /withdrawal`) and judged. Committed
//!   (`PROCESSING`, `COMPLETED`, or `FAILED` after it) → `adopted`; another withdrawal (or, for
//!   [`CoinqvestClient::commit_quote`], other terms) → `conflict`; still `PENDING_API_COMMIT` →
//!   trusted only once the settle window passed since the lost commit (commit 1 may be held at
//!   the server), then committed again; `refused` only when no commit of this call can have done
//!   anything. The result is a [`PayoutOutcome`](pay_core::recovery::PayoutOutcome) with its evidence.
//! * **Server time.** Signatures use the local clock shifted by an [`OffsetClock`](pay_core::clock::OffsetClock) offset. When a
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

mod builder;
mod endpoints;
mod journal;
mod pages;
mod payouts;
mod polling;
mod server_time;

use std::fmt;

use pay_core::endpoint::Endpoint;
use pay_core::error::Provider;
use pay_core::secret::Secret;
use pay_transport::client::ProviderClient;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::journal::{Claimed, Resumed};
use pay_transport::service::HttpService;
use pay_transport::{CallError, Executor};

pub use builder::{CoinqvestClientBuilder, CoinqvestSettings};
pub use pages::PageWalker;
pub use pay_transport::client::WaitError;

use server_time::ServerClock;

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
        CoinqvestClientBuilder::new(CoinqvestSettings::new(api_key.into(), api_secret))
    }
}

impl<S: HttpService> ProviderClient for CoinqvestClient<S> {
    type Transport = S;
    type Context = ();
    const PROVIDER: Provider = Provider::Coinqvest;

    fn executor(&self) -> &Executor<S> {
        &self.executor
    }

    fn context(&self) -> &() {
        &()
    }

    /// With the one-time clock re-sync on 401/403.
    async fn send_on<E>(&self, executor: &Executor<S>, endpoint: &E) -> Result<E::Output, CallError>
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

    /// With the one-time clock re-sync on 401/403.
    async fn poll<E>(&self, endpoint: &E, payment: &str) -> Result<E::Output, CallError>
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

    async fn resume_claimed(&self, claimed: Claimed) -> Resumed {
        self.resume_by_operation(claimed).await
    }
}

impl<S: HttpService> CoinqvestClient<S> {
    /// The executor (base URL, budget, floors, clock).
    pub fn executor(&self) -> &Executor<S> {
        &self.executor
    }

    /// Runs any endpoint of this crate, with the one-time clock re-sync on 401/403.
    pub async fn call<E>(&self, endpoint: &E) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = ()>,
    {
        self.send_on(&self.executor, endpoint).await
    }

    /// Like [`call`](Self::call) for a status read of one payment (`payment` is its id), spaced by
    /// the endpoint's polling floor for that payment on every attempt. Same name and argument
    /// order as `pay_qostiq::client::QostiqClient::poll`.
    pub async fn poll<E>(&self, endpoint: &E, payment: &str) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = ()>,
    {
        ProviderClient::poll(self, endpoint, payment).await
    }
}
