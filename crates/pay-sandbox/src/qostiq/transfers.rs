//! Transfers to Qostiq wallets: `/transfer/try`, `/transfer/create` (debits the shop at once; no
//! status), `/transfer/shop_payment_status`. No fee; cross-currency at the sandbox rates.

use rust_decimal::Decimal;

use super::money::{convert, round};
use super::protocol::{QostiqAnswer, QostiqError, QostiqRequest};
use crate::books::qostiq::Transfer;
use crate::context::Context;
use crate::json::{Json, integer, object, python_float, string};

fn account_info_config() -> Json {
    object([(
        "payee_account",
        object([
            (
                "comment",
                object([
                    ("en", string("Enter Wallet Number or Email")),
                    ("ru", string("Введите номер кошелька или email")),
                ]),
            ),
            ("example", string("201497141132")),
            (
                "label",
                object([
                    ("en", string("Wallet Number or Email")),
                    ("ru", string("Номер кошелька или email")),
                ]),
            ),
            (
                "regex",
                string(
                    r"^20[\d]{10}$|^([a-zA-Z0-9_-]+\.)*[a-zA-Z0-9_-]+@[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*\.[a-zA-Z]{2,6}$",
                ),
            ),
        ]),
    )])
}

/// Whether `account` is a wallet number (`20` + 10 digits) or an email.
pub(crate) fn valid_wallet(account: &str) -> bool {
    let digits = account.len() == 12
        && account.starts_with("20")
        && account.bytes().all(|b| b.is_ascii_digit());
    let email = account
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.ends_with('.'));
    digits || email
}

/// (payee amount, write-off amount) for a transfer request.
fn amounts(req: &QostiqRequest<'_, '_>) -> Result<(Decimal, Decimal, u16, u16), QostiqError> {
    let amount = round(req.amount("amount")?, 2);
    let payee_currency = req.currency("payee_currency")?;
    let shop_currency = req.currency("shop_currency")?;
    let (payee, write_off) = match req.text("amount_type")?.as_str() {
        "receive_amount" => (amount, convert(amount, payee_currency, shop_currency)?),
        "writeoff_amount" => (convert(amount, shop_currency, payee_currency)?, amount),
        other => {
            return Err(QostiqError::bad(format!(
                "amount_type: `{other}` is not one of receive_amount, writeoff_amount."
            )));
        }
    };
    if payee < Decimal::new(50, 2) {
        return Err(QostiqError::too_small(Decimal::new(50, 2)));
    }
    Ok((payee, write_off, payee_currency, shop_currency))
}

/// `POST /transfer/try`.
pub(crate) fn try_transfer(_ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let (payee, write_off, _, _) = amounts(req)?;
    Ok(object([
        ("account_info_config", account_info_config()),
        ("info", Json::Object(Vec::new())),
        ("payee_amount", python_float(payee)),
        ("payee_currency", req.as_sent("payee_currency")),
        ("shop_currency", req.as_sent("shop_currency")),
        ("write_off_amount", python_float(write_off)),
    ]))
}

/// `POST /transfer/create`: unique `shop_payment_id` (else 6), debits `available` at once.
pub(crate) fn create(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let (payee, write_off, payee_currency, shop_currency) = amounts(req)?;
    let shop_payment_id = req.text("shop_payment_id")?;
    let payee_account = req.text("payee_account")?;
    if !valid_wallet(&payee_account) {
        return Err(QostiqError::bad(
            "payee_account: must be a wallet number (20 + 10 digits) or an email.",
        ));
    }
    let shop = &mut ctx.books.qostiq;
    if shop
        .transfers
        .iter()
        .any(|t| t.shop_payment_id == shop_payment_id)
    {
        return Err(QostiqError::duplicate("shop_payment_id", &shop_payment_id));
    }
    let balance = shop.fiat_mut(shop_currency);
    if balance.spendable() < write_off {
        return Err(QostiqError::insufficient());
    }
    balance.available -= write_off;
    let left = balance.available;
    let id = shop.new_id();
    shop.transfers.push(Transfer {
        id,
        shop_payment_id,
        payee_account: payee_account.clone(),
        payee_currency,
        shop_currency,
        payee_amount: payee,
        write_off_amount: write_off,
    });
    let payee_json = if payee_account.bytes().all(|b| b.is_ascii_digit()) {
        Json::Number(payee_account)
    } else {
        string(payee_account)
    };
    Ok(object([
        ("balance", python_float(left)),
        ("id", integer(id)),
        ("payee_account", payee_json),
        ("payee_amount", python_float(payee)),
        ("payee_currency", integer(payee_currency)),
        ("shop", integer(ctx.credentials.qostiq_shop_id)),
        ("shop_currency", integer(shop_currency)),
        ("write_off_amount", python_float(write_off)),
    ]))
}

/// `POST /transfer/shop_payment_status`: found → the transfer; else code 7 (HTTP 200).
pub(crate) fn status(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let shop_payment_id = req.text("shop_payment_id")?;
    let Some(t) = ctx
        .books
        .qostiq
        .transfers
        .iter()
        .find(|t| t.shop_payment_id == shop_payment_id)
    else {
        return Err(QostiqError::not_found(
            7,
            format!("Transfer (shop_payment_id={shop_payment_id}) wasn't found"),
        ));
    };
    Ok(object([
        ("id", integer(t.id)),
        ("payee_currency", integer(t.payee_currency)),
        ("receive_amount", python_float(t.payee_amount)),
        ("shop_currency", integer(t.shop_currency)),
        ("shop_payment_id", string(&t.shop_payment_id)),
        ("write_off_amount", python_float(t.write_off_amount)),
    ]))
}

/// Transfers as JSON (admin state).
pub(crate) fn list(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .qostiq
            .transfers
            .iter()
            .map(|t| {
                object([
                    ("id", integer(t.id)),
                    ("shop_payment_id", string(&t.shop_payment_id)),
                    ("payee_account", string(&t.payee_account)),
                    ("payee_amount", python_float(t.payee_amount)),
                    ("payee_currency", integer(t.payee_currency)),
                    ("shop_currency", integer(t.shop_currency)),
                    ("write_off_amount", python_float(t.write_off_amount)),
                ])
            })
            .collect(),
    )
}
