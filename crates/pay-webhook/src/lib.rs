//! # pay-webhook
//!
//! Receives Qostiq callbacks and COINQVEST webhooks as a `tower::Service` that works mounted in hyper
//! directly or in axum. For every delivery it:
//!
//! 1. refuses anything but `POST` with a JSON content type, bodies over 64 KiB, and (optionally)
//!    senders outside an allow-list, reading `X-Forwarded-For` only behind proxies you trust;
//! 2. verifies the signature over the raw bytes (several secrets for rotation), then parses strictly
//!    (duplicate keys, trailing bytes, invalid UTF-8, depth); for Qostiq, whose signature covers the
//!    values but not the key names, also binds every key to the callback's type (declare the custom
//!    fields your shop passes with [`ReceiverBuilder::verifier`]);
//! 3. deduplicates through a [`DedupStore`] (from `pay-store`: [`MemoryStore`] by default; a SQLite
//!    file or a PostgreSQL database shared by every receiver, so N receivers handle each event
//!    once) keyed by the event's identity, never letting a later intermediate status replace a
//!    final one; the identity and finality are defined by the provider crates
//!    ([`ProviderEvent`] on `pay_qostiq::callbacks::Callback` and
//!    `pay_coinqvest::webhooks::WebhookEvent`): this crate names no provider status;
//! 4. calls your [`Handler`] once per event and acknowledges (`200 OK`) only after it succeeded, so a
//!    failed handler makes the provider deliver again; redeliveries are acknowledged without a call.
//!
//! Rejections carry only a status and its reason phrase; the reason is logged with `tracing`, every
//! text from the request escaped and length-capped ([`pay_core::text::Untrusted`]).
//!
//! ```
//! use pay_core::secret::Secret;
//! use pay_qostiq::callbacks::{Callback, FIAT_CALLBACK_IPS};
//! use pay_webhook::{Event, ReceiverBuilder, SourcePolicy};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let receiver = ReceiverBuilder::qostiq(vec![Secret::new("d3b07384d113edec49eaa6238ad5ff00")?])?
//!     .sources(SourcePolicy::allow_ranges(FIAT_CALLBACK_IPS))
//!     .build(|event: Event| async move {
//!         // The callback as pay-qostiq read it: compare it with your own record
//!         // (`WithdrawCallback::mismatches`), then store.
//!         if let Some(Callback::Withdraw(withdrawal)) = event.typed::<Callback>() {
//!             println!("{}: {}", event.identity(), withdrawal.shop_payment_id);
//!         }
//!         Ok::<(), std::io::Error>(())
//!     });
//! # let _ = receiver; Ok(()) }
//! ```

mod receiver;
pub mod scheme;
pub mod source;

pub use pay_core::event::{EventIdentity, Finality, MissingField, ProviderEvent};
pub use pay_signing::qostiq::CallbackKind;
pub use pay_store::{Claim, DedupKey, DedupPolicy, DedupStore, MemoryStore, StoreError};
pub use receiver::{
    DEFAULT_BODY_LIMIT, Event, Handler, Outcome, Receiver, ReceiverBuilder, Rejection,
};
pub use source::{InvalidRange, IpRange, PeerAddr, SourcePolicy};
