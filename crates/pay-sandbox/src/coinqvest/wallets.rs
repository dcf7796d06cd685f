//! Wallets: `GET /wallets`, `GET /wallet?assetCode=`. One wallet per blockchain and fiat currency;
//! its balance is the sum of the assets held (by issuer).

use rust_decimal::Decimal;

use super::reference::{CHAINS, FIATS, ISSUERS};
use super::{CqErr, CqReq, CqResult};
use crate::json::{J, dec, obj, s};
use crate::state::Ctx;

/// Adds `amount` to the balance of asset `asset_id`.
pub fn credit(ctx: &mut Ctx<'_>, asset_id: &str, amount: Decimal) {
    *ctx.st
        .coinqvest
        .wallets
        .entry(asset_id.to_owned())
        .or_default() += amount;
}

/// The balance of asset `asset_id`.
pub fn balance(ctx: &Ctx<'_>, asset_id: &str) -> Decimal {
    ctx.st
        .coinqvest
        .wallets
        .get(asset_id)
        .copied()
        .unwrap_or_default()
}

fn num(value: Decimal) -> J {
    dec(value.normalize())
}

fn wallet_json(ctx: &Ctx<'_>, code: &str, kind: &str) -> J {
    let mut total = Decimal::ZERO;
    let assets: Vec<J> = ISSUERS
        .iter()
        .filter(|i| i.network == code)
        .filter_map(|i| {
            let b = balance(ctx, i.id);
            (!b.is_zero()).then(|| {
                total += b;
                obj([
                    ("id", s(i.id)),
                    ("issuerName", s(i.name)),
                    ("issuerDomain", s(i.domain)),
                    ("balance", num(b)),
                    ("path", s(format!("/api/v1/asset?id={}", i.id))),
                ])
            })
        })
        .collect();
    obj([
        ("assetCode", s(code)),
        ("type", s(kind)),
        ("balance", num(total)),
        ("assets", J::Arr(assets)),
    ])
}

/// All wallets.
pub fn wallets_json(ctx: &Ctx<'_>) -> J {
    let chains = CHAINS.iter().map(|c| wallet_json(ctx, c.code, "CRYPTO"));
    let fiats = FIATS.iter().map(|f| wallet_json(ctx, f.code, "FIAT"));
    J::Arr(chains.chain(fiats).collect())
}

/// `GET /wallets`.
pub fn list(ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([("wallets", wallets_json(ctx))]))
}

/// `GET /wallet?assetCode=`.
pub fn get(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let code = req.q_required("assetCode")?;
    let kind = if CHAINS.iter().any(|c| c.code == code) {
        "CRYPTO"
    } else if FIATS.iter().any(|f| f.code == code) {
        "FIAT"
    } else {
        return Err(CqErr::not_found("Wallet not found."));
    };
    Ok(obj([("wallet", wallet_json(ctx, code, kind))]))
}
