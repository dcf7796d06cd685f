//! [`CoinqvestClientBuilder`]: the API credentials, the COINQVEST base URL and its authentication
//! choices; every executor setting through [`ExecutorBuilder`].

use std::fmt;
use std::sync::Arc;

use pay_core::clock::OffsetClock;
use pay_core::endpoint::{Authenticate, BaseUrl};
use pay_core::error::Error;
use pay_core::secret::Secret;
use pay_transport::ExecutorBuilder;
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::service::HttpService;

use super::CoinqvestClient;
use super::server_time::{ServerClock, ServerTimeAuth};
use crate::{BasicAuth, DEFAULT_BASE_URL, DigestSigner};

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

impl CoinqvestClientBuilder<HyperTransport> {
    pub(super) fn new(api_key: String, api_secret: Secret) -> Self {
        Self {
            executor: ExecutorBuilder::with_default_transport(),
            auth: Auth::Digest(DigestSigner::new(api_key, api_secret)),
            resync: true,
        }
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
