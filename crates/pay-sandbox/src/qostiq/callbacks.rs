//! Qostiq callbacks (withdraw, crypto withdraw, payment notifications), signed with
//! `pay_signing::qostiq::sign_callback`: every top-level key except `sign` whose value is neither
//! `null` nor `""`, sorted, Python `str()` values, nested values as `json.dumps`.

use crate::delivery::{Outgoing, Provider};
use crate::json::J;
use crate::state::Ctx;

/// Signs `body` and queues it for delivery to `url` (recorded even when `url` is `None`).
pub fn queue(
    ctx: &mut Ctx<'_>,
    kind: &'static str,
    reference: String,
    url: Option<String>,
    body: &J,
) {
    let text = body.to_text();
    let signed = match pay_signing::qostiq::sign_callback(&ctx.creds.qostiq_secret, text.as_bytes())
    {
        Ok(signed) => signed,
        Err(e) => {
            tracing::error!(error = %e, "cannot sign a Qostiq callback");
            return;
        }
    };
    ctx.out.push(Outgoing {
        provider: Provider::Qostiq,
        kind,
        reference,
        url,
        body: signed,
        headers: Vec::new(),
    });
}
