//! Wallets: `GET /wallets`, `GET /wallet?assetCode=`. One wallet per blockchain and fiat currency;
//! its balance is the sum of the assets held (by issuer).

use rust_decimal::Decimal;

use super::protocol::{CoinqvestAnswer, CoinqvestError, CoinqvestRequest};
use super::reference::{CHAINS, FIATS, ISSUERS};
use crate::context::Context;
use crate::json::{Json, exact_number, object, string};

/// Adds `amount` to the balance of asset `asset_id`.
pub(crate) fn credit(ctx: &mut Context<'_>, asset_id: &str, amount: Decimal) {
    *ctx.books
        .coinqvest
        .wallets
        .entry(asset_id.to_owned())
        .or_default() += amount;
}

/// The balance of asset `asset_id`.
pub(crate) fn balance(ctx: &Context<'_>, asset_id: &str) -> Decimal {
    ctx.books
        .coinqvest
        .wallets
        .get(asset_id)
        .copied()
        .unwrap_or_default()
}

fn num(value: Decimal) -> Json {
    exact_number(value.normalize())
}

fn wallet_json(ctx: &Context<'_>, code: &str, kind: &str) -> Json {
    let mut total = Decimal::ZERO;
    let assets: Vec<Json> = ISSUERS
        .iter()
        .filter(|i| i.network == code)
        .filter_map(|i| {
            let b = balance(ctx, i.id);
            (!b.is_zero()).then(|| {
                total += b;
                object([
                    ("id", string(i.id)),
                    ("issuerName", string(i.name)),
                    ("issuerDomain", string(i.domain)),
                    ("balance", num(b)),
                    ("path", string(format!("/api/v1/asset?id={}", i.id))),
                ])
            })
        })
        .collect();
    object([
        ("assetCode", string(code)),
        ("type", string(kind)),
        ("balance", num(total)),
        ("assets", Json::Array(assets)),
    ])
}

/// All wallets.
pub(crate) fn wallets_json(ctx: &Context<'_>) -> Json {
    let chains = CHAINS.iter().map(|c| wallet_json(ctx, c.code, "CRYPTO"));
    let fiats = FIATS.iter().map(|f| wallet_json(ctx, f.code, "FIAT"));
    Json::Array(chains.chain(fiats).collect())
}

/// `GET /wallets`.
pub(crate) fn list(ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([("wallets", wallets_json(ctx))]))
}

/// `GET /wallet?assetCode=`.
pub(crate) fn get(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let code = req.required_query("assetCode")?;
    let kind = if CHAINS.iter().any(|c| c.code == code) {
        "CRYPTO"
    } else if FIATS.iter().any(|f| f.code == code) {
        "FIAT"
    } else {
        return Err(CoinqvestError::not_found("Wallet not found."));
    };
    Ok(object([("wallet", wallet_json(ctx, code, kind))]))
}
