//! The payment webhook: the seed's flat payment object, `X-Webhook-Auth = hex(sha256(secret +
//! body))`, retried until HTTP 200 for up to 48 hours.

use crate::delivery::{Outgoing, Provider};
use crate::state::Ctx;
use crate::state::coinqvest::Payment;

use super::payments::payment_json;

/// Queues the webhook of `payment` (recorded even without a URL).
pub fn queue(ctx: &mut Ctx<'_>, payment: &Payment, url: Option<String>) {
    let body = payment_json(payment).to_text_php();
    let auth = pay_signing::coinqvest::sign_webhook(&ctx.creds.coinqvest_secret, body.as_bytes());
    ctx.out.push(Outgoing {
        provider: Provider::Coinqvest,
        kind: "payment",
        reference: payment.checkout_id.clone(),
        url,
        body,
        headers: vec![("x-webhook-auth", auth)],
    });
}
