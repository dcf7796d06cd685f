//! Two-step withdrawals: `POST /withdrawal` (quote, `PENDING_API_COMMIT`, nothing debited),
//! `POST /withdrawal/commit` (debits the source asset, `COMPLETED`), `GET /withdrawal`,
//! `GET /withdrawals` (whose items say `targetBlockchainId`/`targetFiatCurrencyId`, as the seed
//! shows).

use rust_decimal::{Decimal, RoundingStrategy};

use super::protocol::{
    CoinqvestAnswer, CoinqvestError, CoinqvestRequest, decimal_member, find_by_id, string_member,
};
use super::reference::{self, Issuer};
use super::wallets;
use crate::books::coinqvest::Withdrawal;
use crate::context::Context;
use crate::dates::w3c;
use crate::json::{Json, fixed_decimal, object, optional_string, string};

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
    req: &CoinqvestRequest,
    network: &str,
    source: &'static Issuer,
) -> Result<&'static Issuer, CoinqvestError> {
    if network == "XLM" {
        return match string_member(&req.body, "targetAsset") {
            Some(id) => reference::issuer(id)
                .ok_or_else(|| CoinqvestError::bad(format!("targetAsset {id} is not supported."))),
            None => Ok(source),
        };
    }
    let issuer = match string_member(&req.body, "relay") {
        Some(id) => reference::issuer(id)
            .filter(|i| i.network == network)
            .ok_or_else(|| {
                CoinqvestError::bad(format!(
                    "relay {id} cannot process withdrawals to {network}."
                ))
            })?,
        None => reference::default_issuer(network).ok_or_else(|| {
            CoinqvestError::bad(format!("targetNetwork {network} is not supported."))
        })?,
    };
    if !issuer.withdrawals.0 {
        return Err(CoinqvestError::bad(format!(
            "{} does not process withdrawals.",
            issuer.name
        )));
    }
    Ok(issuer)
}

/// `POST /withdrawal`.
pub(crate) fn create(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let body = &req.body;
    let source_id = string_member(body, "sourceAsset")
        .ok_or_else(|| CoinqvestError::bad("sourceAsset is required."))?;
    let source = reference::issuer(source_id)
        .ok_or_else(|| CoinqvestError::bad(format!("sourceAsset {source_id} is not supported.")))?;
    let amount = decimal_member(body, "sourceAmount")?
        .ok_or_else(|| CoinqvestError::bad("sourceAmount is required."))?;
    if amount <= Decimal::ZERO {
        return Err(CoinqvestError::bad(
            "sourceAmount must be greater than zero.",
        ));
    }
    let network = string_member(body, "targetNetwork")
        .ok_or_else(|| CoinqvestError::bad("targetNetwork is required."))?;
    let is_chain = reference::chain(network).is_some();
    if !is_chain && reference::fiat(network).is_none() {
        return Err(CoinqvestError::bad(format!(
            "targetNetwork {network} is not supported."
        )));
    }
    let account = body
        .get("targetAccount")
        .filter(|a| matches!(a, Json::Object(_)))
        .ok_or_else(|| CoinqvestError::bad("targetAccount is required."))?;
    for field in required_account_fields(network) {
        if string_member(account, field).is_none_or(str::is_empty) {
            return Err(CoinqvestError::bad(format!(
                "targetAccount.{field} is required for {network}."
            )));
        }
    }
    if wallets::balance(ctx, source.id) < amount {
        return Err(CoinqvestError::bad(format!(
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
        return Err(CoinqvestError::bad(format!(
            "The withdrawal amount is below the minimum of {} {}.",
            min.normalize(),
            target.asset_code
        )));
    }
    let w = Withdrawal {
        id: ctx.books.rng.hex(12),
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
    let answer = object([("withdrawal", withdrawal_json(&w, false))]);
    ctx.books.coinqvest.withdrawals.push(w);
    Ok(answer)
}

/// A withdrawal; `listed` uses the list endpoint's `…Id` field names.
pub(crate) fn withdrawal_json(w: &Withdrawal, listed: bool) -> Json {
    let (chain_key, fiat_key) = if listed {
        ("targetBlockchainId", "targetFiatCurrencyId")
    } else {
        ("targetBlockchain", "targetFiatCurrency")
    };
    object([
        ("id", string(&w.id)),
        ("type", string("WITHDRAWAL")),
        ("state", string(&w.state)),
        ("origin", string("API")),
        ("timestamp", string(w3c(w.timestamp))),
        ("sourceAssetCode", string(&w.source_asset_code)),
        ("sourceAssetIssuer", string(&w.source_asset_issuer)),
        ("sourceAmount", fixed_decimal(w.source_amount, 7)),
        ("targetAssetCode", string(&w.target_asset_code)),
        ("targetAssetIssuer", string(&w.target_asset_issuer)),
        ("targetAmount", fixed_decimal(w.target_amount, 7)),
        ("withdrawalFee", fixed_decimal(w.withdrawal_fee, 7)),
        (chain_key, optional_string(w.target_blockchain.as_deref())),
        (fiat_key, optional_string(w.target_fiat.as_deref())),
        (
            "transactionId",
            optional_string(w.transaction_id.as_deref()),
        ),
        ("targetAccount", w.target_account.clone()),
    ])
}

/// The withdrawal `id`: its index in the books and the record, or COINQVEST's not-found answer.
fn find<'c>(ctx: &'c Context<'_>, id: &str) -> Result<(usize, &'c Withdrawal), CoinqvestError> {
    find_by_id(
        &ctx.books.coinqvest.withdrawals,
        |w| &w.id,
        id,
        "Withdrawal",
    )
}

/// `POST /withdrawal/commit`: debits the source asset and completes.
pub(crate) fn commit(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let id = string_member(&req.body, "withdrawalId")
        .ok_or_else(|| CoinqvestError::bad("withdrawalId is required."))?;
    let (index, w) = find(ctx, id)?;
    let w = w.clone();
    if w.state != "PENDING_API_COMMIT" {
        return Err(CoinqvestError::bad(format!(
            "Withdrawal is {} and cannot be committed.",
            w.state
        )));
    }
    if wallets::balance(ctx, &w.source_asset_issuer) < w.source_amount {
        return Err(CoinqvestError::bad(
            "Insufficient funds: your balance changed since the withdrawal was created.",
        ));
    }
    wallets::credit(ctx, &w.source_asset_issuer, -w.source_amount);
    let tx = ctx.books.rng.hex(64);
    let w = ctx
        .books
        .coinqvest
        .withdrawals
        .get_mut(index)
        .ok_or_else(|| CoinqvestError::not_found("Withdrawal not found."))?;
    w.state = "COMPLETED".to_owned();
    w.transaction_id = Some(tx);
    Ok(object([("withdrawal", withdrawal_json(w, false))]))
}

/// `GET /withdrawal?id=`.
pub(crate) fn get(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let (_, w) = find(ctx, req.required_query("id")?)?;
    Ok(object([("withdrawal", withdrawal_json(w, false))]))
}

/// `GET /withdrawals?limit=&offset=` (newest first).
pub(crate) fn list(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let paging = req.paging()?;
    Ok(
        paging.answer("withdrawals", &ctx.books.coinqvest.withdrawals, |w| {
            withdrawal_json(w, true)
        }),
    )
}

/// `lookup_other_payout` on `GET /withdrawal?id=…`: the latest *other* withdrawal, as the real
/// handler answers it; `None` when there is no other one.
pub(crate) fn other_withdrawal(ctx: &Context<'_>, asked_id: &str) -> Option<Json> {
    let other = ctx
        .books
        .coinqvest
        .withdrawals
        .iter()
        .rev()
        .find(|w| w.id != asked_id)?;
    Some(object([("withdrawal", withdrawal_json(other, false))]))
}

/// Admin: a completed withdrawal fails; the source amount returns to the wallet.
pub(crate) fn fail(ctx: &mut Context<'_>, id: &str) -> Result<Json, String> {
    let (index, w) = find(ctx, id).map_err(|_| "withdrawal not found".to_owned())?;
    let w = w.clone();
    if w.state != "COMPLETED" && w.state != "PROCESSING" {
        return Err(format!("withdrawal is {}", w.state));
    }
    wallets::credit(ctx, &w.source_asset_issuer, w.source_amount);
    let w = ctx
        .books
        .coinqvest
        .withdrawals
        .get_mut(index)
        .ok_or("withdrawal not found")?;
    w.state = "FAILED".to_owned();
    Ok(object([("withdrawal", withdrawal_json(w, false))]))
}

/// All withdrawals (admin state).
pub(crate) fn all_json(ctx: &Context<'_>, listed: bool) -> Json {
    Json::Array(
        ctx.books
            .coinqvest
            .withdrawals
            .iter()
            .map(|w| withdrawal_json(w, listed))
            .collect(),
    )
}
