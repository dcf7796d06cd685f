//! Qostiq callbacks (withdraw, crypto withdraw, payment notifications), signed with
//! `pay_signing::qostiq::sign_callback`: every top-level key except `sign` whose value is neither
//! `null` nor `""`, sorted, Python `str()` values, nested values as `json.dumps`.

use crate::api::Api;
use crate::context::Context;
use crate::json::Json;
use crate::outbox::Outgoing;

/// Signs `body` and queues it for delivery to `url` (recorded even when `url` is `None`).
pub(crate) fn queue(
    ctx: &mut Context<'_>,
    kind: &'static str,
    reference: String,
    url: Option<String>,
    body: &Json,
) {
    let text = body.to_text();
    let signed =
        match pay_signing::qostiq::sign_callback(&ctx.credentials.qostiq_secret, text.as_bytes()) {
            Ok(signed) => signed,
            Err(e) => {
                tracing::error!(error = %e, "cannot sign a Qostiq callback");
                return;
            }
        };
    ctx.outbox.push(Outgoing {
        sender: Api::Qostiq,
        kind,
        reference,
        url,
        body: signed,
        headers: Vec::new(),
    });
}
