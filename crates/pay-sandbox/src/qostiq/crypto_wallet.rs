//! The crypto endpoints beyond the seeds (PROTOCOL.md "Beyond the seeds", model answers):
//! `/crypto/shop_address/create` (a deposit address per client and payway), `/crypto/bill/try`
//! (a wallet bill quote) and `/crypto/transfer/try` (a wallet transfer quote). None of them moves
//! money or changes the books: the address is derived from the request, and the quotes are
//! computed from the shop's crypto payways (`super::crypto::PAYWAYS`), with no fee and no
//! conversion between assets (the sandbox has no crypto rates).

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::crypto::{PAYWAYS, find_payway};
use super::money::round;
use super::protocol::{QostiqAnswer, QostiqError, QostiqRequest};
use crate::context::Context;
use crate::json::{object, string, trimmed_decimal};

/// The most decimals the shop's payways keep for `asset`, or a refusal naming `field`.
fn asset_decimals(field: &str, asset: &str) -> Result<u32, QostiqError> {
    PAYWAYS
        .iter()
        .filter(|p| p.currency == asset)
        .map(|p| p.decimals)
        .max()
        .ok_or_else(|| {
            QostiqError::bad(format!(
                "{field}: `{asset}` is not available for this shop."
            ))
        })
}

/// The asset both sides of a quote use: the sandbox converts between no two crypto assets.
fn same_asset(
    shop_field: &str,
    shop: &str,
    other_field: &str,
    other: &str,
) -> Result<(), QostiqError> {
    if shop == other {
        return Ok(());
    }
    Err(QostiqError::bad(format!(
        "{other_field}: conversion from {shop_field} `{shop}` to `{other}` is not available."
    )))
}

/// `POST /crypto/shop_address/create`: the deposit address of `client` on `payway`. The same
/// client and payway always get the same address (derived from both).
pub(crate) fn shop_address_create(
    _ctx: &mut Context<'_>,
    req: &QostiqRequest<'_, '_>,
) -> QostiqAnswer {
    let client = req.text("client")?;
    if client.trim().is_empty() {
        return Err(QostiqError::bad("client: Must not be empty."));
    }
    let alias = req.text("payway")?;
    let payway = find_payway(&alias)?;
    let digest = Sha256::digest(format!("{}:{client}", payway.alias));
    let address = format!(
        "sbx{}{}",
        payway.currency,
        hex::encode(digest.get(..20).unwrap_or_default())
    );
    Ok(object([("address", string(address))]))
}

/// `POST /crypto/bill/try`: what the payer pays from a crypto wallet for a bill of `shop_amount`,
/// and what the shop is credited.
pub(crate) fn bill_try(_ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let shop_currency = req.text("shop_currency")?;
    let payer_currency = req.text("payer_currency")?;
    let decimals = asset_decimals("shop_currency", &shop_currency)?;
    same_asset(
        "shop_currency",
        &shop_currency,
        "payer_currency",
        &payer_currency,
    )?;
    let shop_order_id = req.text("shop_order_id")?;
    let amount: Decimal = round(req.amount("shop_amount")?, decimals);
    Ok(object([
        ("payer_currency", string(payer_currency)),
        ("payer_price", trimmed_decimal(amount)),
        ("shop_amount", trimmed_decimal(amount)),
        ("shop_currency", string(shop_currency)),
        ("shop_order_id", string(shop_order_id)),
        ("shop_refund", trimmed_decimal(amount)),
    ]))
}

/// `POST /crypto/transfer/try`: what a transfer to a Qostiq crypto wallet writes off the shop and
/// what the payee receives.
pub(crate) fn transfer_try(_ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let shop_currency = req.text("shop_currency")?;
    let payee_currency = req.text("payer_currency")?;
    let decimals = asset_decimals("shop_currency", &shop_currency)?;
    same_asset(
        "shop_currency",
        &shop_currency,
        "payer_currency",
        &payee_currency,
    )?;
    match req.text("amount_type")?.as_str() {
        "receive_amount" | "writeoff_amount" => {}
        other => {
            return Err(QostiqError::bad(format!(
                "amount_type: `{other}` is not one of receive_amount, writeoff_amount."
            )));
        }
    }
    let amount: Decimal = round(req.amount("amount")?, decimals);
    Ok(object([
        ("payee_amount", trimmed_decimal(amount)),
        ("payee_currency", string(payee_currency)),
        ("shop_currency", string(shop_currency)),
        ("write_off_amount", trimmed_decimal(amount)),
    ]))
}
