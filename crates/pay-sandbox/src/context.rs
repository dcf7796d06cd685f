//! What a request handler works on: the books, the time, and an outbox.

use time::OffsetDateTime;

use crate::books::Books;
use crate::config::Credentials;
use crate::outbox::Outgoing;

/// What one handler may touch: the books (locked), the sandbox time of the request, and an outbox
/// of callbacks/webhooks sent once the lock is released.
pub(crate) struct Context<'a> {
    /// The books.
    pub(crate) books: &'a mut Books,
    /// Sandbox time of the request.
    pub(crate) now: OffsetDateTime,
    /// `http://host:port` of the sandbox (for URLs in answers).
    pub(crate) base_url: &'a str,
    /// Callbacks and webhooks to deliver.
    pub(crate) outbox: &'a mut Vec<Outgoing>,
    /// The merchant's credentials (callbacks and webhooks are signed with them).
    pub(crate) credentials: &'a Credentials,
}
