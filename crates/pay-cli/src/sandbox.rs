//! `pay sandbox`: run the local emulator of both APIs (`pay_sandbox::run_standalone`) until Ctrl-C.
//!
//! Credentials come from `QOSTIQ_SHOP_ID`, `QOSTIQ_SECRET`, `COINQVEST_KEY`, `COINQVEST_SECRET`
//! (documented defaults when unset); the flags below override the non-secret ones (secrets stay in
//! the environment: a flag would show in `ps`). The banner printed on start names the base URLs
//! and the credentials, secrets masked.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use pay_sandbox::{AutoProgress, SandboxConfig};

/// `pay sandbox`.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Port to listen on (0 picks a free one; the banner prints it).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Address to bind (loopback by default; the admin API has no authentication).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Deliver callbacks and webhooks on the fast schedule (a minute of the real schedule becomes a
    /// millisecond) and advance payouts every 50 ms instead of every 5 s.
    #[arg(long)]
    callbacks_fast: bool,
    /// Seed of generated ids and probabilistic faults.
    #[arg(long)]
    seed: Option<u64>,
    /// Payouts move only through the admin API (no automatic progress).
    #[arg(long)]
    no_auto_progress: bool,
    /// Qostiq: accept `shop_order_id` duplicates among bills (the shop setting is on by default).
    #[arg(long)]
    allow_duplicate_order_ids: bool,
    /// Qostiq shop id (overrides `QOSTIQ_SHOP_ID`).
    #[arg(long)]
    qostiq_shop_id: Option<u64>,
    /// The shop's interaction URL: withdraw callbacks and payment notifications.
    #[arg(long)]
    qostiq_callback_url: Option<String>,
    /// The shop's crypto interaction URL: crypto withdraw callbacks.
    #[arg(long)]
    qostiq_crypto_callback_url: Option<String>,
    /// COINQVEST webhook URL used when a checkout names none.
    #[arg(long)]
    coinqvest_webhook_url: Option<String>,
    /// COINQVEST API key (overrides `COINQVEST_KEY`).
    #[arg(long)]
    coinqvest_key: Option<String>,
}

/// Builds the configuration: `SandboxConfig::standalone` (environment), then the flags.
fn config(args: SandboxArgs) -> Result<SandboxConfig, String> {
    let mut config =
        SandboxConfig::standalone(args.port, args.callbacks_fast).map_err(|e| e.to_string())?;
    config.bind = SocketAddr::new(args.bind, args.port);
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if args.no_auto_progress {
        config.auto_progress = None;
    } else if config.auto_progress.is_none() {
        config.auto_progress = Some(AutoProgress {
            step: Duration::from_secs(5),
        });
    }
    if args.allow_duplicate_order_ids {
        config.shop_order_id_unique = false;
    }
    if let Some(id) = args.qostiq_shop_id {
        config.credentials.qostiq_shop_id = id;
    }
    if let Some(key) = args.coinqvest_key {
        if key.is_empty() {
            return Err("--coinqvest-key is empty".to_owned());
        }
        config.credentials.coinqvest_key = key;
    }
    config.qostiq_callback_url = args.qostiq_callback_url.or(config.qostiq_callback_url);
    config.qostiq_crypto_callback_url = args
        .qostiq_crypto_callback_url
        .or(config.qostiq_crypto_callback_url);
    config.coinqvest_webhook_url = args.coinqvest_webhook_url.or(config.coinqvest_webhook_url);
    Ok(config)
}

/// Runs the sandbox until Ctrl-C. Exit 0 on a clean stop, 2 on a bad configuration, 3 when the port
/// cannot be bound.
pub(crate) fn run(args: SandboxArgs) -> ExitCode {
    let config = match config(args) {
        Ok(config) => config,
        Err(message) => return crate::fail(2, &message),
    };
    crate::block_on(tokio::runtime::Builder::new_multi_thread(), async move {
        match pay_sandbox::run_standalone(config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(pay_sandbox::SandboxError::Config(message)) => crate::fail(2, &message),
            Err(e) => crate::fail(3, &e.to_string()),
        }
    })
}
