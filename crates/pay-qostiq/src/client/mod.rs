//! The async Qostiq client (feature `client`): every endpoint of this crate executed through
//! [`pay_transport::Executor`], with payout recovery and status polling built in.
//!
//! * **One method per endpoint.** Each builds the typed request with `now` from the injected clock
//!   and runs it through the executor: serialize once, time out, retry only what
//!   [`pay_core::retry::classify`] allows, within the retry budget.
//! * **Payouts never run twice, and never report the wrong thing.**
//!   [`QostiqClient::create_withdraw`], [`QostiqClient::create_transfer`],
//!   [`QostiqClient::create_crypto_withdraw`] (and the bill creates) run the one recovery loop of
//!   [`pay_transport::recovery`] on their [`Recoverable`](pay_core::recovery::Recoverable) contract: sent once; when the answer is
//!   lost (or the id is taken, `error_code` 6) the payout is looked up by its `shop_payment_id`
//!   (`shop_order_id` for bills) and **adopted only if it is the same payout** (same id, amount and
//!   currency, compared exactly; anything else is a `conflict`). A "not found" counts only once
//!   the settle window passed since the lost request (the first one may still be executing); only
//!   then is the create sent again, with the **same** id. The result is a [`PayoutOutcome`](pay_core::recovery::PayoutOutcome) whose
//!   [`name`](pay_core::recovery::PayoutOutcome::name) says what happened, with the evidence (every send and lookup).
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

mod builder;
mod endpoints;
mod journal;
mod payouts;
mod polling;

use std::fmt;

use pay_core::endpoint::Endpoint;
use pay_core::error::Provider;
use pay_core::secret::Secret;
use pay_transport::client::ProviderClient;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::journal::{Claimed, Resumed};
use pay_transport::service::HttpService;
use pay_transport::{CallError, Executor};

pub use builder::{QostiqClientBuilder, QostiqSettings};
pub use pay_transport::client::WaitError;
pub use payouts::QostiqPayout;

use crate::context::{QostiqContext, ShopId};

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
        QostiqClientBuilder::new(QostiqSettings::new(shop_id, secret))
    }
}

impl<S: HttpService> ProviderClient for QostiqClient<S> {
    type Transport = S;
    type Context = QostiqContext;
    const PROVIDER: Provider = Provider::Qostiq;

    fn executor(&self) -> &Executor<S> {
        &self.executor
    }

    fn context(&self) -> &QostiqContext {
        &self.context
    }

    async fn resume_claimed(&self, claimed: Claimed) -> Resumed {
        self.resume_by_operation(claimed).await
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
        self.send_on(&self.executor, endpoint).await
    }

    /// Runs a status read of one payment under the endpoint's polling floor for that payment
    /// (`payment` is the id the read asks about: a `shop_payment_id`, a Qostiq id).
    pub async fn poll<E>(&self, endpoint: &E, payment: &str) -> Result<E::Output, CallError>
    where
        E: Endpoint<Context = QostiqContext>,
    {
        ProviderClient::poll(self, endpoint, payment).await
    }
}
