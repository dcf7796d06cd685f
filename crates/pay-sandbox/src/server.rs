//! The sandbox server: one hyper (HTTP/1.1) listener serving Qostiq under `/qostiq/`, COINQVEST
//! under `/coinqvest/api/v1/` and the admin API under `/admin/`, with fault injection in front of
//! the provider routes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use pay_core::clock::{Clock, OffsetClock};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::admin;
use crate::admin_client::AdminClient;
use crate::config::{AutoProgress, Credentials, DeliverySchedule, SandboxConfig};
use crate::delivery::Deliveries;
use crate::emulator::{ADMIN_PREFIX, Area, COINQVEST_PREFIX, Emulator, QOSTIQ_PREFIX, area};
use crate::error::SandboxError;
use crate::exchange::Reply;
use crate::inject;
use crate::listener::{Bound, Connection};
use crate::traffic::Traffic;
use crate::wire::{Abandoned, ReplyBody, respond};

/// Entry point of the builder: [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults of [`SandboxConfig::default`] (loopback, port 0, default
    /// credentials, real delivery schedule, payouts advanced only by the admin API).
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            config: SandboxConfig::default(),
        }
    }
}

/// Configures and starts a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    config: SandboxConfig,
}

impl SandboxBuilder {
    /// Starts from a full configuration.
    pub fn from_config(config: SandboxConfig) -> Self {
        Self { config }
    }

    /// Listen address (default `127.0.0.1:0`).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.config.bind = addr;
        self
    }

    /// All credentials at once.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.config.credentials = credentials;
        self
    }

    /// Qostiq shop id and secret.
    pub fn qostiq_credentials(mut self, shop_id: u64, secret: pay_core::secret::Secret) -> Self {
        self.config.credentials.qostiq_shop_id = shop_id;
        self.config.credentials.qostiq_secret = secret;
        self
    }

    /// COINQVEST API key and secret.
    pub fn coinqvest_credentials(
        mut self,
        key: impl Into<String>,
        secret: pay_core::secret::Secret,
    ) -> Self {
        self.config.credentials.coinqvest_key = key.into();
        self.config.credentials.coinqvest_secret = secret;
        self
    }

    /// Seed of ids and probabilistic faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// The clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.config.clock = clock;
        self
    }

    /// Deliver callbacks on the fast schedule (a minute becomes a millisecond).
    pub fn callbacks_fast(mut self, fast: bool) -> Self {
        self.config.delivery = if fast {
            DeliverySchedule::FAST
        } else {
            DeliverySchedule::REAL
        };
        self
    }

    /// A custom delivery schedule.
    pub fn delivery(mut self, schedule: DeliverySchedule) -> Self {
        self.config.delivery = schedule;
        self
    }

    /// Advance payouts by themselves every `step` of sandbox time.
    pub fn auto_progress(mut self, step: Duration) -> Self {
        self.config.auto_progress = Some(AutoProgress { step });
        self
    }

    /// Qostiq shop setting: `shop_order_id` must be unique among bills (default on).
    pub fn shop_order_id_unique(mut self, unique: bool) -> Self {
        self.config.shop_order_id_unique = unique;
        self
    }

    /// The Qostiq shop's interaction URL (withdraw callbacks and payment notifications).
    pub fn qostiq_callback_url(mut self, url: impl Into<String>) -> Self {
        self.config.qostiq_callback_url = Some(url.into());
        self
    }

    /// The Qostiq shop's crypto interaction URL.
    pub fn qostiq_crypto_callback_url(mut self, url: impl Into<String>) -> Self {
        self.config.qostiq_crypto_callback_url = Some(url.into());
        self
    }

    /// Default COINQVEST webhook URL (when a checkout names none).
    pub fn coinqvest_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.config.coinqvest_webhook_url = Some(url.into());
        self
    }

    /// The configuration so far.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Binds and starts serving. Needs a tokio runtime.
    pub async fn start(self) -> Result<SandboxHandle, SandboxError> {
        start(self.config).await
    }
}

/// A running sandbox. Dropping it stops the server (use [`SandboxHandle::shutdown`] to wait).
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    base_url: String,
    credentials: Credentials,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Base URL for a Qostiq client: `http://127.0.0.1:PORT/qostiq`.
    pub fn qostiq_base_url(&self) -> String {
        format!("{}{QOSTIQ_PREFIX}", self.base_url)
    }

    /// Base URL for a COINQVEST client: `http://127.0.0.1:PORT/coinqvest/api/v1`.
    pub fn coinqvest_base_url(&self) -> String {
        format!("{}{COINQVEST_PREFIX}", self.base_url)
    }

    /// Base URL of the admin API: `http://127.0.0.1:PORT/admin`.
    pub fn admin_url(&self) -> String {
        format!("{}{ADMIN_PREFIX}", self.base_url)
    }

    /// A client of the admin API (see [`AdminClient`]).
    pub fn admin(&self) -> AdminClient {
        AdminClient::new(self.admin_url())
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Stops accepting, lets open requests finish (up to 5 s) and stops deliveries.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    let bound = Bound::bind(config.bind).await?;
    let addr = bound.addr();
    let base_url = format!("http://{addr}");
    let (stop, shutdown) = watch::channel(false);
    let clock = Arc::new(OffsetClock::new(Arc::clone(&config.clock)));
    let traffic = Arc::new(Traffic::default());
    let deliveries = Arc::new(Deliveries::new(
        config.delivery,
        Arc::clone(&clock),
        shutdown.clone(),
    ));
    let credentials = config.credentials.clone();
    let auto_progress = config.auto_progress;
    let emulator = Arc::new(Emulator::new(
        config,
        base_url.clone(),
        Arc::clone(&traffic),
        deliveries,
        clock,
    ));
    tracing::info!(%addr, credentials = %credentials.describe_masked(), "pay-sandbox listening");
    if let Some(auto) = auto_progress {
        tokio::spawn(tick_every(Arc::clone(&emulator), auto, shutdown.clone()));
    }
    let service = move |request, connection| serve(Arc::clone(&emulator), request, connection);
    let task = bound.serve(traffic, shutdown, service);
    Ok(SandboxHandle {
        addr,
        base_url,
        credentials,
        stop,
        task: Some(task),
    })
}

/// Expires and advances the books every half step until shutdown.
async fn tick_every(
    emulator: Arc<Emulator>,
    auto: AutoProgress,
    mut shutdown: watch::Receiver<bool>,
) {
    let period = (auto.step / 2).max(Duration::from_millis(5));
    loop {
        tokio::select! {
            () = tokio::time::sleep(period) => emulator.tick(),
            _ = shutdown.changed() => return,
        }
    }
}

/// Serves one request: the admin API as is, the providers through fault injection.
async fn serve(
    emulator: Arc<Emulator>,
    request: Request<Incoming>,
    connection: Arc<Connection>,
) -> Result<Response<ReplyBody>, Abandoned> {
    let request = match inject::receive(request).await {
        Ok(request) => request,
        Err(too_large) => return Ok(respond(too_large)),
    };
    match area(request.path()) {
        Area::Admin(rest) => Ok(respond(admin::handle(
            &emulator,
            &request.method,
            rest,
            request.query(),
            &request.body,
        ))),
        Area::Unknown => Ok(respond(Reply::text(
            StatusCode::NOT_FOUND,
            "not found: /qostiq/, /coinqvest/api/v1/, /admin/",
        ))),
        Area::Qostiq(_) | Area::Coinqvest(_) => {
            let traffic = Arc::clone(&emulator.traffic);
            inject::serve(&emulator, &traffic, &connection, request).await
        }
    }
}

/// Runs the sandbox until Ctrl-C: the entry point of a `pay sandbox` command. Prints the URLs and
/// the masked credentials on start.
pub async fn run_standalone(config: SandboxConfig) -> Result<(), SandboxError> {
    use std::io::Write as _;
    let fast = config.delivery.speedup > 1;
    let handle = SandboxBuilder::from_config(config).start().await?;
    let banner = format!(
        "pay-sandbox listening on {}\n  Qostiq base URL:    {}\n  COINQVEST base URL: {}\n  admin API:          {}\n  credentials: {}\n  callbacks: {}\npress Ctrl-C to stop\n",
        handle.addr(),
        handle.qostiq_base_url(),
        handle.coinqvest_base_url(),
        handle.admin_url(),
        handle.credentials().describe_masked(),
        if fast {
            "fast schedule"
        } else {
            "real schedule"
        },
    );
    let _ = std::io::stdout().lock().write_all(banner.as_bytes());
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}
