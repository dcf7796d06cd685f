//! Callbacks and webhooks a handler queues: sent by the delivery once the books are unlocked.

use crate::api::Api;

/// A callback or webhook to send.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// Who sends it (Qostiq callback: accepted on HTTP 200 and body `OK`; COINQVEST webhook:
    /// accepted on HTTP 200).
    pub(crate) sender: Api,
    /// `withdraw`, `crypto_withdraw`, `payment`, `invoice`.
    pub(crate) kind: &'static str,
    /// The operation it is about (an id or the shop's id).
    pub(crate) reference: String,
    /// Destination (`None`: nothing configured; recorded, not sent).
    pub(crate) url: Option<String>,
    /// The exact body.
    pub(crate) body: String,
    /// Extra headers (`X-Webhook-Auth`).
    pub(crate) headers: Vec<(&'static str, String)>,
}
