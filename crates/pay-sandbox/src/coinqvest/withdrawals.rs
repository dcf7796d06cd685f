//! Two-step withdrawals: `POST /withdrawal` (quote, `PENDING_API_COMMIT`, nothing debited),
//! `POST /withdrawal/commit` (debits the source asset, `COMPLETED`), `GET /withdrawal`,
//! `GET /withdrawals` (whose items say `targetBlockchainId`/`targetFiatCurrencyId`, as the seed
//! shows).

use rust_decimal::{Decimal, RoundingStrategy};

use super::reference::{self, Issuer};
use super::{CqErr, CqReq, CqResult, jdec, jstr, wallets};
use crate::json::{J, dec_fixed, int, obj, opt_s, s};
use crate::state::Ctx;
use crate::state::coinqvest::Withdrawal;
use crate::time_fmt::w3c;

fn required_account_fields(network: &str) -> &'static [&'static str] {
    match network {
        "EUR" => &["iban", "swift"],
        "USD" | "CAD" => &["accountNumber", "routingNumber"],
        "NGN" => &["nuban", "bankName"],
        "BTC" | "ETH" | "LTC" => &["address"],
        _ => &["account"],
    }
}

fn target_issuer(
    req: &CqReq,
    network: &str,
    source: &'static Issuer,
) -> Result<&'static Issuer, CqErr> {
    if network == "XLM" {
        return match jstr(&req.body, "targetAsset") {
            Some(id) => reference::issuer(id)
                .ok_or_else(|| CqErr::bad(format!("targetAsset {id} is not supported."))),
            None => Ok(source),
        };
    }
    let issuer = match jstr(&req.body, "relay") {
        Some(id) => reference::issuer(id)
            .filter(|i| i.network == network)
            .ok_or_else(|| {
                CqErr::bad(format!(
                    "relay {id} cannot process withdrawals to {network}."
                ))
            })?,
        None => reference::default_issuer(network)
            .ok_or_else(|| CqErr::bad(format!("targetNetwork {network} is not supported.")))?,
    };
    if !issuer.withdrawals.0 {
        return Err(CqErr::bad(format!(
            "{} does not process withdrawals.",
            issuer.name
        )));
    }
    Ok(issuer)
}

/// `POST /withdrawal`.
pub fn create(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let body = &req.body;
    let source_id =
        jstr(body, "sourceAsset").ok_or_else(|| CqErr::bad("sourceAsset is required."))?;
    let source = reference::issuer(source_id)
        .ok_or_else(|| CqErr::bad(format!("sourceAsset {source_id} is not supported.")))?;
    let amount =
        jdec(body, "sourceAmount")?.ok_or_else(|| CqErr::bad("sourceAmount is required."))?;
    if amount <= Decimal::ZERO {
        return Err(CqErr::bad("sourceAmount must be greater than zero."));
    }
    let network =
        jstr(body, "targetNetwork").ok_or_else(|| CqErr::bad("targetNetwork is required."))?;
    let is_chain = reference::chain(network).is_some();
    if !is_chain && reference::fiat(network).is_none() {
        return Err(CqErr::bad(format!(
            "targetNetwork {network} is not supported."
        )));
    }
    let account = body
        .get("targetAccount")
        .filter(|a| matches!(a, J::Obj(_)))
        .ok_or_else(|| CqErr::bad("targetAccount is required."))?;
    for field in required_account_fields(network) {
        if jstr(account, field).is_none_or(str::is_empty) {
            return Err(CqErr::bad(format!(
                "targetAccount.{field} is required for {network}."
            )));
        }
    }
    if wallets::balance(ctx, source.id) < amount {
        return Err(CqErr::bad(format!(
            "Insufficient funds: your {} balance is too low.",
            source.asset_code
        )));
    }
    let target = target_issuer(req, network, source)?;
    let source_price = reference::price_usd(source.network).unwrap_or(Decimal::ONE);
    let target_price = reference::price_usd(target.network).unwrap_or(Decimal::ONE);
    let gross = amount * source_price / target_price;
    let fee_fixed: Decimal = target.withdrawals.2.parse().unwrap_or_default();
    let fee_percent: Decimal = target.withdrawals.3.parse().unwrap_or_default();
    let min: Decimal = target.withdrawals.1.parse().unwrap_or_default();
    let fee =
        (fee_fixed + gross * fee_percent).round_dp_with_strategy(7, RoundingStrategy::AwayFromZero);
    let net = (gross - fee).round_dp_with_strategy(7, RoundingStrategy::ToZero);
    if gross < min || net <= Decimal::ZERO {
        return Err(CqErr::bad(format!(
            "The withdrawal amount is below the minimum of {} {}.",
            min.normalize(),
            target.asset_code
        )));
    }
    let w = Withdrawal {
        id: ctx.st.rng.hex(12),
        state: "PENDING_API_COMMIT".to_owned(),
        timestamp: ctx.now,
        source_asset_code: source.asset_code.to_owned(),
        source_asset_issuer: source.id.to_owned(),
        source_amount: amount,
        target_asset_code: target.asset_code.to_owned(),
        target_asset_issuer: target.id.to_owned(),
        target_amount: net,
        withdrawal_fee: fee,
        target_blockchain: is_chain.then(|| network.to_owned()),
        target_fiat: (!is_chain).then(|| network.to_owned()),
        transaction_id: None,
        target_account: account.clone(),
    };
    let answer = obj([("withdrawal", withdrawal_json(&w, false))]);
    ctx.st.coinqvest.withdrawals.push(w);
    Ok(answer)
}

/// A withdrawal; `listed` uses the list endpoint's `…Id` field names.
pub fn withdrawal_json(w: &Withdrawal, listed: bool) -> J {
    let (chain_key, fiat_key) = if listed {
        ("targetBlockchainId", "targetFiatCurrencyId")
    } else {
        ("targetBlockchain", "targetFiatCurrency")
    };
    obj([
        ("id", s(&w.id)),
        ("type", s("WITHDRAWAL")),
        ("state", s(&w.state)),
        ("origin", s("API")),
        ("timestamp", s(w3c(w.timestamp))),
        ("sourceAssetCode", s(&w.source_asset_code)),
        ("sourceAssetIssuer", s(&w.source_asset_issuer)),
        ("sourceAmount", dec_fixed(w.source_amount, 7)),
        ("targetAssetCode", s(&w.target_asset_code)),
        ("targetAssetIssuer", s(&w.target_asset_issuer)),
        ("targetAmount", dec_fixed(w.target_amount, 7)),
        ("withdrawalFee", dec_fixed(w.withdrawal_fee, 7)),
        (chain_key, opt_s(w.target_blockchain.as_deref())),
        (fiat_key, opt_s(w.target_fiat.as_deref())),
        ("transactionId", opt_s(w.transaction_id.as_deref())),
        ("targetAccount", w.target_account.clone()),
    ])
}

fn find(ctx: &Ctx<'_>, id: &str) -> Result<usize, CqErr> {
    ctx.st
        .coinqvest
        .withdrawals
        .iter()
        .position(|w| w.id == id)
        .ok_or_else(|| CqErr::not_found("Withdrawal not found."))
}

/// `POST /withdrawal/commit`: debits the source asset and completes.
pub fn commit(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let id =
        jstr(&req.body, "withdrawalId").ok_or_else(|| CqErr::bad("withdrawalId is required."))?;
    let index = find(ctx, id)?;
    let w = ctx
        .st
        .coinqvest
        .withdrawals
        .get(index)
        .ok_or_else(|| CqErr::not_found("Withdrawal not found."))?
        .clone();
    if w.state != "PENDING_API_COMMIT" {
        return Err(CqErr::bad(format!(
            "Withdrawal is {} and cannot be committed.",
            w.state
        )));
    }
    if wallets::balance(ctx, &w.source_asset_issuer) < w.source_amount {
        return Err(CqErr::bad(
            "Insufficient funds: your balance changed since the withdrawal was created.",
        ));
    }
    wallets::credit(ctx, &w.source_asset_issuer, -w.source_amount);
    let tx = ctx.st.rng.hex(64);
    let w = ctx
        .st
        .coinqvest
        .withdrawals
        .get_mut(index)
        .ok_or_else(|| CqErr::not_found("Withdrawal not found."))?;
    w.state = "COMPLETED".to_owned();
    w.transaction_id = Some(tx);
    Ok(obj([("withdrawal", withdrawal_json(w, false))]))
}

/// `GET /withdrawal?id=`.
pub fn get(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let index = find(ctx, req.q_required("id")?)?;
    let w = ctx
        .st
        .coinqvest
        .withdrawals
        .get(index)
        .ok_or_else(|| CqErr::not_found("Withdrawal not found."))?;
    Ok(obj([("withdrawal", withdrawal_json(w, false))]))
}

/// `GET /withdrawals?limit=&offset=` (newest first).
pub fn list(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let (limit, offset, limit_j, offset_j) = req.paging()?;
    let all = &ctx.st.coinqvest.withdrawals;
    Ok(obj([
        ("count", int(all.len() as u64)),
        ("limit", limit_j),
        ("offset", offset_j),
        (
            "withdrawals",
            J::Arr(
                all.iter()
                    .rev()
                    .skip(offset)
                    .take(limit)
                    .map(|w| withdrawal_json(w, true))
                    .collect(),
            ),
        ),
    ]))
}

/// `lookup_other_payout` on `GET /withdrawal?id=…`: the latest *other* withdrawal, as the real
/// handler answers it; `None` when there is no other one.
pub fn other(
    shared: &std::sync::Arc<crate::server::Shared>,
    query: &str,
) -> Option<crate::server::Reply> {
    let asked = crate::admin::query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v)
        .unwrap_or_default();
    shared.with_state(|ctx| {
        let w = ctx
            .st
            .coinqvest
            .withdrawals
            .iter()
            .rev()
            .find(|w| w.id != asked)?;
        let answer = obj([("withdrawal", withdrawal_json(w, false))]);
        Some(crate::server::Reply::json(
            http::StatusCode::OK,
            answer.to_text_php(),
        ))
    })
}

/// Admin: a completed withdrawal fails; the source amount returns to the wallet.
pub fn fail(ctx: &mut Ctx<'_>, id: &str) -> Result<J, String> {
    let index = find(ctx, id).map_err(|_| "withdrawal not found".to_owned())?;
    let w = ctx
        .st
        .coinqvest
        .withdrawals
        .get(index)
        .ok_or("withdrawal not found")?
        .clone();
    if w.state != "COMPLETED" && w.state != "PROCESSING" {
        return Err(format!("withdrawal is {}", w.state));
    }
    wallets::credit(ctx, &w.source_asset_issuer, w.source_amount);
    let w = ctx
        .st
        .coinqvest
        .withdrawals
        .get_mut(index)
        .ok_or("withdrawal not found")?;
    w.state = "FAILED".to_owned();
    Ok(obj([("withdrawal", withdrawal_json(w, false))]))
}

/// All withdrawals (admin state).
pub fn all_json(ctx: &Ctx<'_>, listed: bool) -> J {
    J::Arr(
        ctx.st
            .coinqvest
            .withdrawals
            .iter()
            .map(|w| withdrawal_json(w, listed))
            .collect(),
    )
}
