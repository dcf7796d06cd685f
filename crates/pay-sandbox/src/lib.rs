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
//!   every attempt is recorded (`GET /admin/deliveries`).
//! * Faults from the one fault vocabulary ([`FaultClass`], [`Fault`]) are injected per route
//!   through the admin API ([`AdminClient`]); see `docs/sandbox.md`.
//!
//! The same listener and fault injection also run without the books, as a [`ScriptedServer`]:
//! canned replies per route and a queue of [`Step`]s, for tests of HTTP clients (pay-transport's,
//! the provider crates').

#![warn(unreachable_pub)]

mod admin;
mod admin_client;
mod api;
mod books;
mod coinqvest;
mod config;
mod context;
mod dates;
mod delivery;
mod emulator;
mod error;
mod exchange;
mod fault_answers;
mod fault_rules;
mod faults;
mod inject;
mod json;
mod listener;
mod locking;
mod outbox;
mod qostiq;
mod rng;
mod scripted;
mod server;
mod tamper;
mod traffic;
mod wire;

pub use admin_client::{AdminClient, AdminError};
pub use config::{AutoProgress, Credentials, DeliverySchedule, SandboxConfig};
pub use error::SandboxError;
pub use exchange::{ReceivedRequest, Reply};
pub use faults::{Fault, FaultClass, UnknownFaultClass};
pub use inject::Step;
pub use scripted::ScriptedServer;
pub use server::{Sandbox, SandboxBuilder, SandboxHandle, run_standalone};
