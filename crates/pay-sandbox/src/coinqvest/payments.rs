//! Payments: `GET /payment`, `GET /payments`.

use super::protocol::{CoinqvestAnswer, CoinqvestError, CoinqvestRequest};
use crate::books::coinqvest::Payment;
use crate::context::Context;
use crate::dates::w3c;
use crate::json::{Json, fixed_decimal, object, optional_string, string};

/// A payment as the API (and the webhook) writes it.
pub(crate) fn payment_json(p: &Payment) -> Json {
    object([
        ("id", string(&p.id)),
        ("type", string("PAYMENT")),
        ("state", string(&p.state)),
        ("timestamp", string(w3c(p.timestamp))),
        ("creditAssetCode", string(&p.credit_asset_code)),
        ("creditAssetIssuer", string(&p.credit_asset_issuer)),
        ("creditAmount", fixed_decimal(p.credit_amount, 7)),
        ("sourceAssetCode", string(&p.source_asset_code)),
        ("sourceAssetIssuer", string(&p.source_asset_issuer)),
        ("sourceAmount", fixed_decimal(p.source_amount, 7)),
        ("sourceBlockchain", string(&p.source_blockchain)),
        ("sourceAccount", string(&p.source_account)),
        ("sourceTxId", string(&p.source_tx_id)),
        ("customerId", optional_string(p.customer_id.as_deref())),
        ("checkoutId", string(&p.checkout_id)),
    ])
}

/// `GET /payment?id=`.
pub(crate) fn get(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let id = req.required_query("id")?;
    let p = ctx
        .books
        .coinqvest
        .payments
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| CoinqvestError::not_found("Payment not found."))?;
    Ok(object([("payment", payment_json(p))]))
}

/// `GET /payments?limit=&offset=` (newest first).
pub(crate) fn list(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let paging = req.paging()?;
    Ok(paging.answer("payments", &ctx.books.coinqvest.payments, payment_json))
}

/// All payments (admin state).
pub(crate) fn all_json(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .coinqvest
            .payments
            .iter()
            .map(payment_json)
            .collect(),
    )
}
