//! Transfers to Qostiq wallets: `/transfer/try`, `/transfer/create` (debits the shop at once; no
//! status), `/transfer/shop_payment_status`. No fee; cross-currency at the sandbox rates.

use rust_decimal::Decimal;

use super::{QErr, QResult, Req, convert, round};
use crate::json::{J, int, obj, py_float, s};
use crate::state::Ctx;
use crate::state::qostiq::Transfer;

fn account_info_config() -> J {
    obj([(
        "payee_account",
        obj([
            (
                "comment",
                obj([
                    ("en", s("Enter Wallet Number or Email")),
                    ("ru", s("Введите номер кошелька или email")),
                ]),
            ),
            ("example", s("201497141132")),
            (
                "label",
                obj([
                    ("en", s("Wallet Number or Email")),
                    ("ru", s("Номер кошелька или email")),
                ]),
            ),
            (
                "regex",
                s(
                    r"^20[\d]{10}$|^([a-zA-Z0-9_-]+\.)*[a-zA-Z0-9_-]+@[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*\.[a-zA-Z]{2,6}$",
                ),
            ),
        ]),
    )])
}

/// Whether `account` is a wallet number (`20` + 10 digits) or an email.
pub fn valid_wallet(account: &str) -> bool {
    let digits = account.len() == 12
        && account.starts_with("20")
        && account.bytes().all(|b| b.is_ascii_digit());
    let email = account
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.ends_with('.'));
    digits || email
}

/// (payee amount, write-off amount) for a transfer request.
fn amounts(req: &Req<'_, '_>) -> Result<(Decimal, Decimal, u16, u16), QErr> {
    let amount = round(req.amount("amount")?, 2);
    let payee_currency = req.currency("payee_currency")?;
    let shop_currency = req.currency("shop_currency")?;
    let (payee, write_off) = match req.text("amount_type")?.as_str() {
        "receive_amount" => (amount, convert(amount, payee_currency, shop_currency)?),
        "writeoff_amount" => (convert(amount, shop_currency, payee_currency)?, amount),
        other => {
            return Err(QErr::bad(format!(
                "amount_type: `{other}` is not one of receive_amount, writeoff_amount."
            )));
        }
    };
    if payee < Decimal::new(50, 2) {
        return Err(QErr::too_small(Decimal::new(50, 2)));
    }
    Ok((payee, write_off, payee_currency, shop_currency))
}

/// `POST /transfer/try`.
pub fn try_transfer(_ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let (payee, write_off, _, _) = amounts(req)?;
    Ok(obj([
        ("account_info_config", account_info_config()),
        ("info", J::Obj(Vec::new())),
        ("payee_amount", py_float(payee)),
        ("payee_currency", req.j("payee_currency")),
        ("shop_currency", req.j("shop_currency")),
        ("write_off_amount", py_float(write_off)),
    ]))
}

/// `POST /transfer/create`: unique `shop_payment_id` (else 6), debits `available` at once.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let (payee, write_off, payee_currency, shop_currency) = amounts(req)?;
    let shop_payment_id = req.text("shop_payment_id")?;
    let payee_account = req.text("payee_account")?;
    if !valid_wallet(&payee_account) {
        return Err(QErr::bad(
            "payee_account: must be a wallet number (20 + 10 digits) or an email.",
        ));
    }
    let q = &mut ctx.st.qostiq;
    if q.transfers
        .iter()
        .any(|t| t.shop_payment_id == shop_payment_id)
    {
        return Err(QErr::duplicate("shop_payment_id", &shop_payment_id));
    }
    let balance = q.fiat_mut(shop_currency);
    if balance.spendable() < write_off {
        return Err(QErr::insufficient());
    }
    balance.available -= write_off;
    let left = balance.available;
    let id = q.new_id();
    q.transfers.push(Transfer {
        id,
        shop_payment_id,
        payee_account: payee_account.clone(),
        payee_currency,
        shop_currency,
        payee_amount: payee,
        write_off_amount: write_off,
        created: ctx.now,
    });
    let payee_json = if payee_account.bytes().all(|b| b.is_ascii_digit()) {
        J::Num(payee_account)
    } else {
        s(payee_account)
    };
    Ok(obj([
        ("balance", py_float(left)),
        ("id", int(id)),
        ("payee_account", payee_json),
        ("payee_amount", py_float(payee)),
        ("payee_currency", int(payee_currency)),
        ("shop", int(ctx.creds.qostiq_shop_id)),
        ("shop_currency", int(shop_currency)),
        ("write_off_amount", py_float(write_off)),
    ]))
}

/// `POST /transfer/shop_payment_status`: found → the transfer; else code 7 (HTTP 200).
pub fn status(ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let shop_payment_id = req.text("shop_payment_id")?;
    let Some(t) = ctx
        .st
        .qostiq
        .transfers
        .iter()
        .find(|t| t.shop_payment_id == shop_payment_id)
    else {
        return Err(QErr::not_found(
            7,
            format!("Transfer (shop_payment_id={shop_payment_id}) wasn't found"),
        ));
    };
    Ok(obj([
        ("id", int(t.id)),
        ("payee_currency", int(t.payee_currency)),
        ("receive_amount", py_float(t.payee_amount)),
        ("shop_currency", int(t.shop_currency)),
        ("shop_payment_id", s(&t.shop_payment_id)),
        ("write_off_amount", py_float(t.write_off_amount)),
    ]))
}

/// Transfers as JSON (admin state).
pub fn list(ctx: &Ctx<'_>) -> J {
    J::Arr(
        ctx.st
            .qostiq
            .transfers
            .iter()
            .map(|t| {
                obj([
                    ("id", int(t.id)),
                    ("shop_payment_id", s(&t.shop_payment_id)),
                    ("payee_account", s(&t.payee_account)),
                    ("payee_amount", py_float(t.payee_amount)),
                    ("payee_currency", int(t.payee_currency)),
                    ("shop_currency", int(t.shop_currency)),
                    ("write_off_amount", py_float(t.write_off_amount)),
                ])
            })
            .collect(),
    )
}
