//! The payment webhook: the seed's flat payment object, `X-Webhook-Auth = hex(sha256(secret +
//! body))`, retried until HTTP 200 for up to 48 hours.

use super::payments::payment_json;
use crate::api::Api;
use crate::books::coinqvest::Payment;
use crate::context::Context;
use crate::outbox::Outgoing;

/// Queues the webhook of `payment` (recorded even without a URL).
pub(crate) fn queue(ctx: &mut Context<'_>, payment: &Payment, url: Option<String>) {
    let body = payment_json(payment).to_php_text();
    let auth =
        pay_signing::coinqvest::sign_webhook(&ctx.credentials.coinqvest_secret, body.as_bytes());
    ctx.outbox.push(Outgoing {
        sender: Api::Coinqvest,
        kind: "payment",
        reference: payment.checkout_id.clone(),
        url,
        body,
        headers: vec![("x-webhook-auth", auth)],
    });
}
