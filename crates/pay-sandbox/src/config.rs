//! Configuration: credentials (builder, flags or environment), delivery speed, auto-progress, seed.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use pay_core::clock::{Clock, OffsetClock, SystemClock};
use pay_core::secret::Secret;

use crate::error::SandboxError;

/// Default Qostiq shop id (`QOSTIQ_SHOP_ID`).
pub(crate) const DEFAULT_QOSTIQ_SHOP_ID: u64 = 112;
/// Default Qostiq secret key (`QOSTIQ_SECRET`); meets Qostiq's key policy.
pub(crate) const DEFAULT_QOSTIQ_SECRET: &str = "SandboxSecret01";
/// Default COINQVEST API key (`COINQVEST_KEY`).
pub(crate) const DEFAULT_COINQVEST_KEY: &str = "sandbox-api-key";
/// Default COINQVEST API secret (`COINQVEST_SECRET`).
pub(crate) const DEFAULT_COINQVEST_SECRET: &str = "Sandbox-Secret-0001";

/// The merchant credentials the sandbox accepts.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Qostiq shop id.
    pub qostiq_shop_id: u64,
    /// Qostiq shop secret key.
    pub qostiq_secret: Secret,
    /// COINQVEST API key.
    pub coinqvest_key: String,
    /// COINQVEST API secret.
    pub coinqvest_secret: Secret,
}

impl Credentials {
    /// The documented defaults.
    pub fn defaults() -> Self {
        Self {
            qostiq_shop_id: DEFAULT_QOSTIQ_SHOP_ID,
            qostiq_secret: secret_or_default(DEFAULT_QOSTIQ_SECRET),
            coinqvest_key: DEFAULT_COINQVEST_KEY.to_owned(),
            coinqvest_secret: secret_or_default(DEFAULT_COINQVEST_SECRET),
        }
    }

    /// The defaults overridden by `QOSTIQ_SHOP_ID`, `QOSTIQ_SECRET`, `COINQVEST_KEY`,
    /// `COINQVEST_SECRET` when set and non-empty.
    pub fn from_env() -> Result<Self, SandboxError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`] with a custom variable lookup (for tests and CLIs).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SandboxError> {
        let mut creds = Self::defaults();
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if let Some(id) = get("QOSTIQ_SHOP_ID") {
            creds.qostiq_shop_id = id.trim().parse().map_err(|_| {
                SandboxError::Config(format!("QOSTIQ_SHOP_ID `{id}` is not an integer"))
            })?;
        }
        if let Some(secret) = get("QOSTIQ_SECRET") {
            creds.qostiq_secret =
                Secret::new(secret).map_err(|e| SandboxError::Config(e.to_string()))?;
        }
        if let Some(key) = get("COINQVEST_KEY") {
            creds.coinqvest_key = key;
        }
        if let Some(secret) = get("COINQVEST_SECRET") {
            creds.coinqvest_secret =
                Secret::new(secret).map_err(|e| SandboxError::Config(e.to_string()))?;
        }
        Ok(creds)
    }

    /// One line per credential, secrets masked with [`Secret::masked`].
    pub fn describe_masked(&self) -> String {
        format!(
            "QOSTIQ_SHOP_ID={} QOSTIQ_SECRET={} COINQVEST_KEY={} COINQVEST_SECRET={}",
            self.qostiq_shop_id,
            self.qostiq_secret.masked(),
            self.coinqvest_key,
            self.coinqvest_secret.masked()
        )
    }
}

fn secret_or_default(text: &str) -> Secret {
    // The constants are non-blank printable text, which `Secret::new` accepts.
    Secret::new(text).unwrap_or_else(|_| unreachable_secret())
}

#[allow(clippy::unwrap_used)] // "x" is not empty
fn unreachable_secret() -> Secret {
    Secret::new("x").unwrap()
}

/// Sandbox time: the configured clock plus an offset the admin API moves forward.
pub(crate) type SandboxClock = OffsetClock<Arc<dyn Clock>>;

/// How fast callbacks and webhooks are (re)delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySchedule {
    /// Every real delay is divided by this factor (1 = the real schedule).
    pub speedup: u32,
    /// Per-attempt timeout.
    pub attempt_timeout: Duration,
}

impl DeliverySchedule {
    /// The providers' real schedule: Qostiq 25 attempts over a day, COINQVEST retries for 48 h.
    pub const REAL: Self = Self {
        speedup: 1,
        attempt_timeout: Duration::from_secs(30),
    };
    /// `--callbacks-fast`: a minute of the real schedule becomes a millisecond (25 Qostiq attempts
    /// in about 1.5 s, COINQVEST's 48 h in about 3 s).
    pub const FAST: Self = Self {
        speedup: 60_000,
        attempt_timeout: Duration::from_secs(3),
    };
}

/// Automatic progress of payouts through their non-final statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoProgress {
    /// Time (on the sandbox clock) between two status changes.
    pub step: Duration,
}

/// Everything the sandbox needs to start. Usable as is by a `pay sandbox` command.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Listen address; loopback port 0 by default.
    pub bind: SocketAddr,
    /// Accepted credentials.
    pub credentials: Credentials,
    /// Seed of the id generator and of probabilistic faults.
    pub seed: u64,
    /// The clock (injected; the admin API can shift it forward).
    pub clock: Arc<dyn Clock>,
    /// Callback/webhook schedule.
    pub delivery: DeliverySchedule,
    /// Payouts advance by themselves when set; otherwise only through the admin API.
    pub auto_progress: Option<AutoProgress>,
    /// Qostiq shop setting: refuse a second bill with the same `shop_order_id`.
    pub shop_order_id_unique: bool,
    /// The shop's interaction URL (withdraw callbacks, payment notifications) unless a request
    /// names one.
    pub qostiq_callback_url: Option<String>,
    /// The shop's crypto interaction URL (crypto withdraw callbacks).
    pub qostiq_crypto_callback_url: Option<String>,
    /// COINQVEST webhook URL used when a checkout names none.
    pub coinqvest_webhook_url: Option<String>,
    /// COINQVEST digest timestamps older than this are refused (seconds).
    pub digest_window_secs: i64,
    /// COINQVEST digest timestamps further in the future than this are refused (seconds).
    pub digest_future_skew_secs: i64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            credentials: Credentials::defaults(),
            seed: 0x5eed,
            clock: Arc::new(SystemClock),
            delivery: DeliverySchedule::REAL,
            auto_progress: None,
            shop_order_id_unique: true,
            qostiq_callback_url: None,
            qostiq_crypto_callback_url: None,
            coinqvest_webhook_url: None,
            digest_window_secs: 30,
            digest_future_skew_secs: 5,
        }
    }
}

impl SandboxConfig {
    /// Defaults with credentials from the environment.
    pub fn from_env() -> Result<Self, SandboxError> {
        Ok(Self {
            credentials: Credentials::from_env()?,
            ..Self::default()
        })
    }

    /// The configuration of `pay sandbox [--port P] [--callbacks-fast]`: loopback on `port`,
    /// credentials from the environment, payouts advancing every 5 s (every 50 ms when fast).
    pub fn standalone(port: u16, callbacks_fast: bool) -> Result<Self, SandboxError> {
        let mut config = Self::from_env()?;
        config.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        config.delivery = if callbacks_fast {
            DeliverySchedule::FAST
        } else {
            DeliverySchedule::REAL
        };
        config.auto_progress = Some(AutoProgress {
            step: if callbacks_fast {
                Duration::from_millis(50)
            } else {
                Duration::from_secs(5)
            },
        });
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_and_masks() {
        let creds = Credentials::from_lookup(|name| match name {
            "QOSTIQ_SHOP_ID" => Some("7".into()),
            "COINQVEST_SECRET" => Some("Another-Secret-1".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(creds.qostiq_shop_id, 7);
        assert_eq!(creds.coinqvest_secret.expose(), "Another-Secret-1");
        let line = creds.describe_masked();
        assert!(line.contains("QOSTIQ_SECRET=Sa***"), "{line}");
        assert!(!line.contains("SandboxSecret01"));
        assert!(Credentials::from_lookup(|_| Some("x y".into())).is_err());
    }
}
