//! Payments: `GET /payment`, `GET /payments`.

use super::{CqErr, CqReq, CqResult};
use crate::json::{J, dec_fixed, int, obj, opt_s, s};
use crate::state::Ctx;
use crate::state::coinqvest::Payment;
use crate::time_fmt::w3c;

/// A payment as the API (and the webhook) writes it.
pub fn payment_json(p: &Payment) -> J {
    obj([
        ("id", s(&p.id)),
        ("type", s("PAYMENT")),
        ("state", s(&p.state)),
        ("timestamp", s(w3c(p.timestamp))),
        ("creditAssetCode", s(&p.credit_asset_code)),
        ("creditAssetIssuer", s(&p.credit_asset_issuer)),
        ("creditAmount", dec_fixed(p.credit_amount, 7)),
        ("sourceAssetCode", s(&p.source_asset_code)),
        ("sourceAssetIssuer", s(&p.source_asset_issuer)),
        ("sourceAmount", dec_fixed(p.source_amount, 7)),
        ("sourceBlockchain", s(&p.source_blockchain)),
        ("sourceAccount", s(&p.source_account)),
        ("sourceTxId", s(&p.source_tx_id)),
        ("customerId", opt_s(p.customer_id.as_deref())),
        ("checkoutId", s(&p.checkout_id)),
    ])
}

/// `GET /payment?id=`.
pub fn get(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let id = req.q_required("id")?;
    let p = ctx
        .st
        .coinqvest
        .payments
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| CqErr::not_found("Payment not found."))?;
    Ok(obj([("payment", payment_json(p))]))
}

/// `GET /payments?limit=&offset=` (newest first).
pub fn list(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let (limit, offset, limit_j, offset_j) = req.paging()?;
    let all = &ctx.st.coinqvest.payments;
    Ok(obj([
        ("count", int(all.len() as u64)),
        ("limit", limit_j),
        ("offset", offset_j),
        (
            "payments",
            J::Arr(
                all.iter()
                    .rev()
                    .skip(offset)
                    .take(limit)
                    .map(payment_json)
                    .collect(),
            ),
        ),
    ]))
}

/// All payments (admin state).
pub fn all_json(ctx: &Ctx<'_>) -> J {
    J::Arr(ctx.st.coinqvest.payments.iter().map(payment_json).collect())
}
