//! # pay-sandbox
//!
//! A local, stateful emulator of the Qostiq and COINQVEST merchant APIs over real HTTP (hyper),
//! embeddable in tests and runnable standalone. One port serves Qostiq under `/qostiq/`, COINQVEST
//! under `/coinqvest/api/v1/` and an admin API under `/admin/`, so a base-URL setting is all a
//! client needs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), pay_sandbox::SandboxError> {
//! let sandbox = pay_sandbox::Sandbox::builder().callbacks_fast(true).start().await?;
//! let qostiq_base = sandbox.qostiq_base_url(); // http://127.0.0.1:PORT/qostiq
//! let coinqvest_base = sandbox.coinqvest_base_url(); // http://127.0.0.1:PORT/coinqvest/api/v1
//! let shop_id = sandbox.credentials().qostiq_shop_id;
//! # let _ = (qostiq_base, coinqvest_base, shop_id);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! * Requests are verified as the real services do (Qostiq signed keys with Python `str()` values;
//!   COINQVEST digest auth with a 30 s window, or basic auth) and refused with their error shapes.
//! * State is deterministic (seeded ids) and moves money: balances, freezes, lifecycles.
//! * Callbacks and webhooks are signed and retried on the real schedule, optionally sped up, and
//!   every attempt is recorded ([`delivery`]).
//! * Faults can be injected per route ([`faults`]); see `docs/sandbox.md` for the admin API.

pub mod admin;
pub mod admin_client;
pub mod coinqvest;
pub mod config;
pub mod delivery;
pub mod faults;
pub mod json;
pub mod qostiq;
pub mod server;
pub mod state;
pub mod time_fmt;

pub use admin_client::{AdminClient, AdminError};
pub use config::{AutoProgress, Credentials, DeliverySchedule, SandboxConfig};
pub use server::{Sandbox, SandboxBuilder, SandboxHandle, run_standalone};

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listen address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(std::net::SocketAddr, #[source] std::io::Error),
    /// Bad configuration (environment variables, flags).
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
}
