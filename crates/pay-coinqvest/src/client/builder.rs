//! [`CoinqvestClientBuilder`]: the API credentials and authentication choices
//! ([`CoinqvestSettings`]) in the shared [`ClientBuilder`]; the COINQVEST base URL and every
//! executor setting through it.

use std::fmt;
use std::sync::Arc;

use pay_core::clock::OffsetClock;
use pay_core::endpoint::Authenticate;
use pay_core::error::Error;
use pay_core::secret::Secret;
use pay_transport::ExecutorBuilder;
use pay_transport::client::{ClientBuilder, ProviderSettings};
use pay_transport::hyper_transport::HyperTransport;
use pay_transport::service::HttpService;

use super::CoinqvestClient;
use super::server_time::{ServerClock, ServerTimeAuth};
use crate::{BasicAuth, DEFAULT_BASE_URL, DigestSigner};

/// Builds a [`CoinqvestClient`]: the API credentials, the COINQVEST base URL and its
/// authentication choices ([`ClientBuilder::provider`], see [`CoinqvestSettings`]); every
/// executor setting (transport aside) through [`ClientBuilder::executor`]. Start with
/// [`CoinqvestClient::builder`].
///
/// Defaults: base URL [`DEFAULT_BASE_URL`], [`HyperTransport`], digest signatures with a clock
/// re-sync on 401/403, and the [`ExecutorBuilder`] defaults. Signatures use the executor's clock
/// shifted by the offset learnt from `GET /time` (floors, backoff and timeouts use it as is); with
/// a journal, every withdrawal commit is written before it is sent and resumed by
/// [`CoinqvestClient::resume_journal`] after a crash.
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
pub type CoinqvestClientBuilder<S = HyperTransport> = ClientBuilder<CoinqvestSettings, S>;

/// How requests are authenticated.
#[derive(Debug, Clone)]
enum Auth {
    Digest(DigestSigner),
    Basic(BasicAuth),
}

/// The COINQVEST part of a [`CoinqvestClientBuilder`]: the credentials and how they authenticate,
/// set through [`ClientBuilder::provider`]. `Debug` names the scheme, never a credential.
pub struct CoinqvestSettings {
    auth: Auth,
    resync: bool,
}

impl fmt::Debug for CoinqvestSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoinqvestSettings")
            .field(
                "auth",
                &match self.auth {
                    Auth::Digest(_) => "digest",
                    Auth::Basic(_) => "basic (replayable)",
                },
            )
            .field("resync_clock_on_auth_failure", &self.resync)
            .finish()
    }
}

impl CoinqvestSettings {
    pub(super) fn new(api_key: String, api_secret: Secret) -> Self {
        Self {
            auth: Auth::Digest(DigestSigner::new(api_key, api_secret)),
            resync: true,
        }
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

impl<S: HttpService> ProviderSettings<S> for CoinqvestSettings {
    type Client = CoinqvestClient<S>;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;

    fn build(self, executor: ExecutorBuilder<S>) -> Result<CoinqvestClient<S>, Error> {
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
