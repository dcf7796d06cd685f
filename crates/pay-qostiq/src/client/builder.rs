//! [`QostiqClientBuilder`]: the shop's credentials ([`QostiqSettings`]) in the shared
//! [`ClientBuilder`]; the Qostiq base URL and every executor setting through it.

use std::fmt;

use pay_core::error::Error;
use pay_core::secret::Secret;
use pay_transport::ExecutorBuilder;
use pay_transport::client::{ClientBuilder, ProviderSettings};
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::service::HttpService;

use super::QostiqClient;
use crate::context::{DEFAULT_BASE_URL, QostiqContext, ShopId};

/// Builds a [`QostiqClient`]: the shop's credentials and the Qostiq base URL; every executor
/// setting (transport aside) through [`ClientBuilder::executor`]. Start with
/// [`QostiqClient::builder`].
///
/// Defaults: base URL [`DEFAULT_BASE_URL`], [`HyperTransport`], and the [`ExecutorBuilder`]
/// defaults ([`SystemClock`](pay_core::clock::SystemClock), tokio sleep,
/// [`RetryPolicy::standard`](pay_transport::RetryPolicy::standard), the endpoints' own polling
/// floors, 30 s per attempt, a settle window of twice that, 5 recovery lookups, no journal). The
/// executor's clock is also the `now` of signed bodies; with a journal, every withdrawal, crypto
/// withdrawal, transfer and bill create is written before it is sent and resumed by
/// [`QostiqClient::resume_journal`] after a crash.
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
pub type QostiqClientBuilder<S = HyperTransport> = ClientBuilder<QostiqSettings, S>;

/// The Qostiq part of a [`QostiqClientBuilder`]: the shop's id and secret. `Debug` shows the shop
/// id only.
pub struct QostiqSettings {
    shop_id: ShopId,
    secret: Secret,
}

impl QostiqSettings {
    pub(super) fn new(shop_id: ShopId, secret: Secret) -> Self {
        Self { shop_id, secret }
    }
}

impl fmt::Debug for QostiqSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QostiqSettings")
            .field("shop_id", &self.shop_id)
            .finish_non_exhaustive()
    }
}

impl<S: HttpService> ProviderSettings<S> for QostiqSettings {
    type Client = QostiqClient<S>;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;

    fn build(self, executor: ExecutorBuilder<S>) -> Result<QostiqClient<S>, Error> {
        let executor = executor.build()?;
        let context =
            QostiqContext::with_shared_clock(self.shop_id, self.secret, executor.clock().clone());
        Ok(QostiqClient { executor, context })
    }
}
