//! Fiat withdrawals: `/withdraw/try`, `/check_account`, `/withdraw/create`, `/withdraw/status`,
//! `/withdraw/shop_payment_status`, the status lifecycle and the withdraw callback.
//!
//! Money: on create, `shop_write_off` (amount + fee, in the shop currency) moves from `available`
//! to `frozen`. On Success (5) it leaves `frozen`; on Rejected (6) or CanceledManually (10) it goes
//! back to `available`; Refunded (11, after 5) credits it back to `available`.

use std::time::Duration;

use rust_decimal::Decimal;

use super::callbacks;
use super::money::{Fee, convert, round};
use super::protocol::{self, QostiqAnswer, QostiqError, QostiqRequest};
use crate::books::qostiq::{Withdrawal, due_steps, is_used, with_id, with_shop_payment_id};
use crate::context::Context;
use crate::dates;
use crate::json::{Json, integer, object, python_float, string};

/// A fiat withdraw payway of the sandbox shop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WithdrawPayway {
    /// Alias (`card_uah`).
    pub(crate) alias: &'static str,
    /// Payway currency.
    pub(crate) currency: u16,
    /// Fee, charged on top of the received amount.
    pub(crate) fee: Fee,
    /// Minimum received amount, `(mantissa, scale)`.
    pub(crate) min: (i64, u32),
    /// Maximum received amount.
    pub(crate) max: (i64, u32),
}

/// The shop's fiat withdraw payways (fee model of the sandbox; see docs/sandbox.md).
pub(crate) const PAYWAYS: &[WithdrawPayway] = &[
    WithdrawPayway {
        alias: "card_uah",
        currency: 980,
        fee: Fee {
            percent: (2, 0),
            fix: (0, 0),
        },
        min: (100, 2),
        max: (1_499_900, 2),
    },
    WithdrawPayway {
        alias: "card_usd",
        currency: 840,
        fee: Fee {
            percent: (0, 0),
            fix: (100, 2),
        },
        min: (100, 2),
        max: (500_000, 2),
    },
    WithdrawPayway {
        alias: "card_eur",
        currency: 978,
        fee: Fee {
            percent: (15, 1),
            fix: (50, 2),
        },
        min: (100, 2),
        max: (500_000, 2),
    },
];

/// A card number that the sandbox rejects when auto-progress reaches a final status.
pub(crate) const REJECTED_CARD: &str = "4000000000000002";

const CARD_REGEX: &str = "^((4|5|6)[0-9]{15,17}|[a-z0-9]{32})$";

/// The shop's fiat withdraw payway `alias`.
pub(crate) fn find_payway(alias: &str) -> Result<&'static WithdrawPayway, QostiqError> {
    protocol::find_payway(PAYWAYS, alias, |p| p.alias)
}

/// Whether `account` matches the card regex `^((4|5|6)[0-9]{15,17}|[a-z0-9]{32})$`.
pub(crate) fn valid_card(account: &str) -> bool {
    let card = (16..=18).contains(&account.len())
        && account.starts_with(['4', '5', '6'])
        && account.bytes().all(|b| b.is_ascii_digit());
    let token = account.len() == 32
        && account
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    card || token
}

fn account_info_config() -> Json {
    object([(
        "account",
        object([
            ("regex", string(CARD_REGEX)),
            ("title", string("Card number without spaces")),
        ]),
    )])
}

/// (payee_receive, shop_write_off) for a request.
pub(crate) fn amounts(
    payway: &WithdrawPayway,
    amount_type: &str,
    amount: Decimal,
    shop_currency: u16,
) -> Result<(Decimal, Decimal), QostiqError> {
    let amount = round(amount, 2);
    let (receive, write_off) = match amount_type {
        "ps_amount" => {
            let gross = amount + payway.fee.on(amount, 2);
            (amount, convert(gross, payway.currency, shop_currency)?)
        }
        "shop_amount" => {
            let gross = convert(amount, shop_currency, payway.currency)?;
            (payway.fee.net_of(gross, 2), amount)
        }
        other => {
            return Err(QostiqError::bad(format!(
                "amount_type: `{other}` is not one of ps_amount, shop_amount."
            )));
        }
    };
    let min = Decimal::new(payway.min.0, payway.min.1);
    let max = Decimal::new(payway.max.0, payway.max.1);
    if receive < min {
        return Err(QostiqError::too_small(min));
    }
    if receive > max {
        return Err(QostiqError::bad(format!(
            "amount: exceeds the payway maximum {}",
            max.normalize()
        )));
    }
    Ok((receive, write_off))
}

/// `POST /withdraw/try`.
pub(crate) fn try_withdraw(_ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let payway = find_payway(&req.text("payway")?)?;
    let shop_currency = req.currency("shop_currency")?;
    let (receive, write_off) = amounts(
        payway,
        &req.text("amount_type")?,
        req.amount("amount")?,
        shop_currency,
    )?;
    Ok(object([
        ("account_info_config", account_info_config()),
        ("info", Json::Object(Vec::new())),
        ("payee_receive", python_float(receive)),
        ("ps_currency", integer(payway.currency)),
        ("shop_currency", integer(shop_currency)),
        ("shop_write_off", python_float(write_off)),
    ]))
}

/// `POST /check_account`.
pub(crate) fn check_account(_ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let _payway = find_payway(&req.text("payway")?)?;
    let _amount = req.amount("amount")?;
    let account = req.text("account")?;
    let valid = valid_card(&account) && account != REJECTED_CARD;
    Ok(object([
        ("account_info", Json::Null),
        ("provider_status", integer(1)),
        ("result", Json::Bool(valid)),
    ]))
}

const KNOWN_KEYS: &[&str] = &[
    "account",
    "account_details",
    "amount",
    "amount_type",
    "callback_url",
    "description",
    "email",
    "now",
    "payway",
    "shop_currency",
    "shop_id",
    "shop_payment_id",
    "sign",
];

/// `POST /withdraw/create`: unique `shop_payment_id` (else 6), freezes `shop_write_off`.
pub(crate) fn create(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let payway = find_payway(&req.text("payway")?)?;
    let shop_currency = req.currency("shop_currency")?;
    let (receive, write_off) = amounts(
        payway,
        &req.text("amount_type")?,
        req.amount("amount")?,
        shop_currency,
    )?;
    let account = req.text("account")?;
    if !valid_card(&account) {
        return Err(QostiqError::bad(format!(
            "account: does not match {CARD_REGEX}"
        )));
    }
    let shop_payment_id = req.text("shop_payment_id")?;
    let shop = &mut ctx.books.qostiq;
    if is_used(&shop.withdrawals, &shop_payment_id) {
        return Err(QostiqError::duplicate("shop_payment_id", &shop_payment_id));
    }
    let balance = shop.fiat_mut(shop_currency);
    if !balance.freeze(write_off) {
        return Err(QostiqError::insufficient());
    }
    let left = balance.available;
    let id = shop.new_id();
    let extras = req.others(KNOWN_KEYS);
    let account_details = Some(req.as_sent("account_details")).filter(|j| !j.is_null());
    let withdrawal = Withdrawal {
        id,
        shop_payment_id,
        payway: payway.alias.to_owned(),
        account,
        account_details,
        description: req.optional_text("description"),
        shop_currency,
        ps_currency: payway.currency,
        payee_receive: receive,
        shop_write_off: write_off,
        status: 1,
        created: ctx.now,
        changed: ctx.now,
        processed: None,
        rejected_reason: None,
        callback_url: req.optional_text("callback_url"),
        extras,
    };
    let mut data = status_json(&withdrawal);
    data.remove("rejected_reason");
    let mut out = object([("balance", python_float(left))]);
    out.extend(data);
    shop.withdrawals.push(withdrawal);
    Ok(out)
}

fn status_json(w: &Withdrawal) -> Json {
    let mut j = object([
        ("id", integer(w.id)),
        ("payee_receive", python_float(w.payee_receive)),
        ("ps_currency", integer(w.ps_currency)),
        ("shop_currency", integer(w.shop_currency)),
        ("shop_payment_id", string(&w.shop_payment_id)),
        ("shop_write_off", python_float(w.shop_write_off)),
        ("status", integer(w.status)),
    ]);
    if let Some(reason) = &w.rejected_reason {
        j.set("rejected_reason", string(reason));
    }
    j
}

/// `POST /withdraw/status` (by Qostiq id; miss: code 2000, HTTP 200).
pub(crate) fn status_by_id(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let id_text = req.text("withdraw_id")?;
    with_id(&ctx.books.qostiq.withdrawals, &id_text)
        .map(status_json)
        .ok_or_else(|| {
            QostiqError::not_found(2000, format!("Withdraw (id={id_text}) wasn't found"))
        })
}

/// `POST /withdraw/shop_payment_status` (miss: code 7, HTTP 200: the id may be re-used).
pub(crate) fn status_by_shop_payment_id(
    ctx: &mut Context<'_>,
    req: &QostiqRequest<'_, '_>,
) -> QostiqAnswer {
    let key = req.text("shop_payment_id")?;
    with_shop_payment_id(&ctx.books.qostiq.withdrawals, &key)
        .map(status_json)
        .ok_or_else(|| {
            QostiqError::not_found(7, format!("Withdraw (shop_payment_id={key}) wasn't found"))
        })
}

/// Whether a withdraw status is final.
pub(crate) fn is_final(status: u8) -> bool {
    matches!(status, 5 | 6 | 10 | 11)
}

/// Admin/auto-progress: moves withdrawal `index` to `status`, moving money and sending the
/// callback on a final status.
pub(crate) fn set_status(
    ctx: &mut Context<'_>,
    index: usize,
    status: u8,
    reason: Option<String>,
) -> Result<Json, String> {
    if !matches!(status, 1 | 2 | 3 | 4 | 5 | 6 | 7 | 9 | 10 | 11) {
        return Err(format!("unknown withdraw status {status}"));
    }
    let now = ctx.now;
    let default_url = ctx.books.qostiq.callback_url.clone();
    let shop = &mut ctx.books.qostiq;
    let w = shop
        .withdrawals
        .get_mut(index)
        .ok_or("withdrawal not found")?;
    let from = w.status;
    let allowed = if is_final(from) {
        from == 5 && status == 11
    } else {
        status != 11
    };
    if !allowed {
        return Err(format!("cannot move a withdrawal from {from} to {status}"));
    }
    w.status = status;
    w.changed = now;
    let amount = w.shop_write_off;
    let currency = w.shop_currency;
    if is_final(status) {
        w.processed = Some(now);
    }
    if status == 6 || status == 10 {
        w.rejected_reason =
            Some(reason.unwrap_or_else(|| {
                "Card number does not exist. Please check the number".to_owned()
            }));
    }
    let w = w.clone();
    let balance = shop.fiat_mut(currency);
    match status {
        5 | 6 | 10 => balance.settle(amount, status == 5),
        11 => balance.available += amount,
        _ => {}
    }
    let outcome = match status {
        5 => Some("success"),
        6 | 10 => Some("rejected"),
        _ => None,
    };
    if let Some(outcome) = outcome {
        let body = callback_body(ctx, &w, outcome);
        let url = w.callback_url.clone().or(default_url);
        callbacks::queue(ctx, "withdraw", w.shop_payment_id.clone(), url, &body);
    }
    Ok(status_json(&w))
}

fn callback_body(ctx: &Context<'_>, w: &Withdrawal, outcome: &str) -> Json {
    let mut j = Json::Object(Vec::new());
    if let Some(details) = &w.account_details {
        j.set("account_details", details.clone());
    }
    j.set("callback_type", string("withdraw"));
    j.set("created", string(dates::qostiq(w.created)));
    if let Some(description) = &w.description {
        j.set("description", string(description));
    }
    j.set("payee_receive", python_float(w.payee_receive));
    j.set("payment_id", integer(w.id));
    j.set("payway", string(&w.payway));
    j.set(
        "processed",
        string(dates::qostiq(w.processed.unwrap_or(ctx.now))),
    );
    j.set("ps_currency", integer(w.ps_currency));
    j.set("shop_currency", integer(w.shop_currency));
    j.set("shop_id", integer(ctx.credentials.qostiq_shop_id));
    j.set("shop_payment_id", string(&w.shop_payment_id));
    j.set("shop_write_off", python_float(w.shop_write_off));
    j.set("status", string(outcome));
    for (k, v) in &w.extras {
        j.set(k, v.clone());
    }
    j
}

/// Auto-progress: Created (1) → PsProcessing (3) → Success (5) (Rejected (6) for
/// [`REJECTED_CARD`]), one step per `step` of sandbox time.
pub(crate) fn auto_progress(ctx: &mut Context<'_>, step: Duration) {
    let list = &ctx.books.qostiq.withdrawals;
    for (index, next) in due_steps(list, ctx.now, step, is_final, next_status) {
        let _ = set_status(ctx, index, next, None);
    }
}

/// The status auto-progress moves a withdrawal to next.
fn next_status(w: &Withdrawal) -> u8 {
    match w.status {
        1 | 2 | 7 => 3,
        _ if w.account == REJECTED_CARD => 6,
        _ => 5,
    }
}

/// Withdrawals as JSON (admin state).
pub(crate) fn list(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .qostiq
            .withdrawals
            .iter()
            .map(|w| {
                let mut j = status_json(w);
                j.set("payway", string(&w.payway));
                j.set("account", string(&w.account));
                j
            })
            .collect(),
    )
}
