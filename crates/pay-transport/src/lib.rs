//! # pay-transport
//!
//! The executor between pay-rs's sans-IO endpoints and the network. It makes the money rules the
//! default behaviour:
//!
//! * **Serialize once, sign every attempt.** [`Endpoint::build_request`](pay_core::endpoint::Endpoint)
//!   runs once; each attempt clones the bytes, is authenticated with a fresh `now` (COINQVEST refuses
//!   timestamps older than 30 s), resolved against the [`BaseUrl`](pay_core::endpoint::BaseUrl), and
//!   sent under a per-attempt timeout.
//! * **Never a blind retry of a payout.** Only what [`pay_core::retry::classify`] answers `Retry` for
//!   is repeated: reads on connection failures, 5xx, 429 and undecodable answers; any request that
//!   certainly never left (`Delivery::NotSent`) or was refused with 429. A create or commit whose
//!   answer was lost stops with [`CallError::needs_recovery`]: the caller looks it up by its own id.
//! * **One payout recovery loop** ([`recovery`], [`Executor::recover`]): a lost answer is
//!   recovered by looking the payout up; only the same payout is adopted, a negative answer counts
//!   only after a settle window, and "refused" is said only when nothing can exist.
//! * **Retries are bounded**: capped exponential backoff with full jitter, `Retry-After` honoured,
//!   max attempts, and a shared [`RetryBudget`] so an outage does not multiply
//!   traffic.
//! * **Polling floors** ([`floors`]): status reads of one payment are spaced as the providers
//!   require (per payment, not per shop), waiting rather than failing; going below takes a
//!   constructor named for sandboxes.
//! * **A durable payout journal** ([`journal`], [`Executor::recover_payout`]): with a `pay-store`
//!   configured, each payout is written before it is sent and every attempt before it leaves; an
//!   intent whose process died is resumed from its record ([`Executor::resume_due`]), never under
//!   a new id; no journal, no payout.
//! * **Injected time** ([`sleep`], `pay_core::clock`): tests run retries, timeouts, rate limits and
//!   floors in virtual time.
//! * **Any transport**: a `tower::Service` ([`service::HttpService`]), a closure
//!   ([`service::service_fn`]), or the default hyper-util + rustls client
//!   ([`hyper_transport::HyperTransport`], feature `hyper`).
//! * **Tracing without secrets**: one `pay.call` span per call (provider, endpoint, attempts,
//!   outcome, latency) and one event per attempt; no header value and no body is ever logged.
//!
//! ## Layers of one attempt
//!
//! ```text
//! build_request (once) ─┬─ attempt 1: rate limit → [poll floor] → authenticate(now) → resolve URI → timeout(send)
//!                       ├─ classify → backoff / Retry-After → budget
//!                       └─ attempt 2: …
//! ```
//!
//! Rate limiting happens before signing and outside the timeout (as smithy-rs does in adaptive
//! mode): a request queued behind a limit is neither signed with a stale timestamp nor reported as
//! "may have been sent".
//!
//! ## Cancellation
//!
//! Dropping the future returned by [`Executor::execute`] cancels the call. Before an attempt is handed
//! to the transport nothing was sent; after, the attempt **may have been sent** (exactly like a
//! timeout): treat a dropped `RecoverByLookup` call as an unknown outcome and recover by lookup.

pub mod client;
pub mod executor;
pub mod floors;
#[cfg(feature = "hyper")]
pub mod hyper_transport;
pub mod journal;
#[cfg(feature = "test-util")]
pub mod log_capture;
pub mod rate_limit;
pub mod recovery;
pub mod retry;
pub mod service;
pub mod sleep;
#[cfg(test)]
mod support;

pub use executor::{CallError, Executed, Executor, ExecutorBuilder};
pub use retry::{Ending, RetryBudget, RetryPolicy};
