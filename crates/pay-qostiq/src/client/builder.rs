//! [`QostiqClientBuilder`]: the shop's credentials and the Qostiq base URL; every executor setting
//! through [`ExecutorBuilder`].

use std::fmt;

use pay_core::endpoint::BaseUrl;
use pay_core::error::Error;
use pay_core::secret::Secret;
use pay_transport::ExecutorBuilder;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::service::HttpService;

use super::QostiqClient;
use crate::context::{DEFAULT_BASE_URL, QostiqContext, ShopId};

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

impl QostiqClientBuilder<HyperTransport> {
    pub(super) fn new(shop_id: ShopId, secret: Secret) -> Self {
        Self {
            executor: ExecutorBuilder::with_default_transport(),
            shop_id,
            secret,
        }
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
