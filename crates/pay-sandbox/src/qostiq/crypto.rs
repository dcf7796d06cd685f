//! Crypto withdrawals and the crypto balance: `/crypto/withdraw/try`, `/crypto/withdraw/create`,
//! `/crypto/withdraw/status`, `/crypto/withdraw/shop_payment_status`, `/crypto/shop_balance`, and
//! the `crypto_withdraw` callback. Amounts are strings; money moves as for fiat withdrawals
//! (frozen until Success 3 / Rejected 4).

use std::time::Duration;

use rust_decimal::Decimal;

use super::callbacks;
use super::money::{Fee, round};
use super::protocol::{self, QostiqAnswer, QostiqError, QostiqRequest};
use crate::books::qostiq::{CryptoWithdrawal, due_steps, is_used, with_id, with_shop_payment_id};
use crate::context::Context;
use crate::dates;
use crate::json::{Json, fixed_decimal, integer, object, optional_string, string, trimmed_decimal};

/// A crypto payway.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CryptoPayway {
    /// Alias (`usdt_trc20`).
    pub(crate) alias: &'static str,
    /// Currency (`USDT`).
    pub(crate) currency: &'static str,
    /// Decimal places.
    pub(crate) decimals: u32,
    /// Fee on top of the received amount.
    pub(crate) fee: Fee,
    /// Minimum received amount.
    pub(crate) min: (i64, u32),
}

/// The shop's crypto payways (sandbox fee model; the percentages reproduce the seed's examples).
pub(crate) const PAYWAYS: &[CryptoPayway] = &[
    CryptoPayway {
        alias: "usdt_trc20",
        currency: "USDT",
        decimals: 6,
        fee: Fee {
            percent: (2, 0),
            fix: (0, 0),
        },
        min: (1, 0),
    },
    CryptoPayway {
        alias: "usdt_bep20",
        currency: "USDT",
        decimals: 18,
        fee: Fee {
            percent: (3, 0),
            fix: (0, 0),
        },
        min: (1, 2),
    },
    CryptoPayway {
        alias: "btc",
        currency: "BTC",
        decimals: 8,
        fee: Fee {
            percent: (1, 0),
            fix: (0, 0),
        },
        min: (1, 4),
    },
    CryptoPayway {
        alias: "ton_ton",
        currency: "TON",
        decimals: 9,
        fee: Fee {
            percent: (5, 1),
            fix: (0, 0),
        },
        min: (1, 1),
    },
    CryptoPayway {
        alias: "bnb_bep20",
        currency: "BNB",
        decimals: 18,
        fee: Fee {
            percent: (3, 0),
            fix: (0, 0),
        },
        min: (1, 5),
    },
];

/// Addresses starting with this are rejected when auto-progress reaches a final status.
pub(crate) const REJECTED_ADDRESS_PREFIX: &str = "reject";

/// The shop's crypto payway `alias`.
pub(crate) fn find_payway(alias: &str) -> Result<&'static CryptoPayway, QostiqError> {
    protocol::find_payway(PAYWAYS, alias, |p| p.alias)
}

fn amounts(
    req: &QostiqRequest<'_, '_>,
) -> Result<(&'static CryptoPayway, Decimal, Decimal), QostiqError> {
    let payway = find_payway(&req.text("payway")?)?;
    let shop_currency = req.text("shop_currency")?;
    if shop_currency != payway.currency {
        return Err(QostiqError::bad(format!(
            "shop_currency: `{shop_currency}` does not match the payway currency {}.",
            payway.currency
        )));
    }
    let amount = round(req.amount("amount")?, payway.decimals);
    let (receive, write_off) = match req.text("amount_type")?.as_str() {
        "ps_amount" => (amount, amount + payway.fee.on(amount, payway.decimals)),
        "shop_amount" => (payway.fee.net_of(amount, payway.decimals), amount),
        other => {
            return Err(QostiqError::bad(format!(
                "amount_type: `{other}` is not one of ps_amount, shop_amount."
            )));
        }
    };
    let min = Decimal::new(payway.min.0, payway.min.1);
    if receive < min {
        return Err(QostiqError::too_small(min));
    }
    Ok((payway, receive, write_off))
}

/// `POST /crypto/withdraw/try`.
pub(crate) fn try_withdraw(_ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let (payway, receive, write_off) = amounts(req)?;
    Ok(object([
        ("payee_currency", string(payway.currency)),
        ("payee_receive", trimmed_decimal(receive)),
        ("shop_currency", string(payway.currency)),
        ("shop_write_off", trimmed_decimal(write_off)),
    ]))
}

fn status_json(w: &CryptoWithdrawal) -> Json {
    object([
        ("id", integer(w.id)),
        ("payee_address", string(&w.address)),
        ("payee_currency", string(&w.payee_currency)),
        ("payee_receive", trimmed_decimal(w.payee_receive)),
        ("shop_currency", string(&w.shop_currency)),
        ("shop_payment_id", string(&w.shop_payment_id)),
        ("shop_write_off", trimmed_decimal(w.shop_write_off)),
        ("status", integer(w.status)),
    ])
}

/// `POST /crypto/withdraw/create`.
pub(crate) fn create(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let (payway, receive, write_off) = amounts(req)?;
    let address = req.text("account")?;
    if address.len() < 4 {
        return Err(QostiqError::bad("account: Not a valid address."));
    }
    let shop_payment_id = req.text("shop_payment_id")?;
    let shop = &mut ctx.books.qostiq;
    if is_used(&shop.crypto_withdrawals, &shop_payment_id) {
        return Err(QostiqError::duplicate("shop_payment_id", &shop_payment_id));
    }
    let balance = shop.crypto_mut(payway.currency);
    if !balance.freeze(write_off) {
        return Err(QostiqError::insufficient());
    }
    let left = balance.available;
    let id = shop.new_id();
    let w = CryptoWithdrawal {
        id,
        shop_payment_id,
        payway: payway.alias.to_owned(),
        address,
        description: req.optional_text("description"),
        shop_currency: payway.currency.to_owned(),
        payee_currency: payway.currency.to_owned(),
        payee_receive: receive,
        shop_write_off: write_off,
        status: 1,
        created: ctx.now,
        changed: ctx.now,
        processed: None,
        tx_hash: None,
        callback_url: req.optional_text("crypto_callback_url"),
    };
    let mut data = object([("balance", trimmed_decimal(left))]);
    data.extend(status_json(&w));
    shop.crypto_withdrawals.push(w);
    Ok(data)
}

/// `POST /crypto/withdraw/status` (miss: code 2000, HTTP 200).
pub(crate) fn status_by_id(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let id_text = req.text("withdraw_id")?;
    with_id(&ctx.books.qostiq.crypto_withdrawals, &id_text)
        .map(status_json)
        .ok_or_else(|| {
            QostiqError::not_found(2000, format!("Withdraw (id={id_text}) is not found"))
        })
}

/// `POST /crypto/withdraw/shop_payment_status` (miss: code 7, HTTP 200).
pub(crate) fn status_by_shop_payment_id(
    ctx: &mut Context<'_>,
    req: &QostiqRequest<'_, '_>,
) -> QostiqAnswer {
    let key = req.text("shop_payment_id")?;
    with_shop_payment_id(&ctx.books.qostiq.crypto_withdrawals, &key)
        .map(status_json)
        .ok_or_else(|| {
            QostiqError::not_found(
                7,
                format!("Withdraw (shop_payment_id='{key}') is not found"),
            )
        })
}

/// `POST /crypto/shop_balance`.
pub(crate) fn balance(ctx: &mut Context<'_>, _req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    Ok(object([
        ("balances", balances_json(ctx)),
        ("shop_id", integer(ctx.credentials.qostiq_shop_id)),
    ]))
}

/// The crypto balance lines.
pub(crate) fn balances_json(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .qostiq
            .crypto
            .iter()
            .map(|(currency, b)| {
                object([
                    ("available", trimmed_decimal(b.available)),
                    ("currency", string(currency)),
                    ("frozen", trimmed_decimal(b.frozen)),
                    ("hold", trimmed_decimal(b.hold)),
                ])
            })
            .collect(),
    )
}

fn is_final(status: u8) -> bool {
    matches!(status, 3 | 4)
}

/// Moves crypto withdrawal `index` to `status` (1, 2, 5 non-final; 3 success, 4 rejected).
pub(crate) fn set_status(ctx: &mut Context<'_>, index: usize, status: u8) -> Result<Json, String> {
    if !matches!(status, 1..=5) {
        return Err(format!("unknown crypto withdraw status {status}"));
    }
    let now = ctx.now;
    let hash = format!("0x{}", ctx.books.rng.hex(64));
    let default_url = ctx.books.qostiq.crypto_callback_url.clone();
    let shop = &mut ctx.books.qostiq;
    let w = shop
        .crypto_withdrawals
        .get_mut(index)
        .ok_or("crypto withdrawal not found")?;
    if is_final(w.status) {
        return Err(format!("crypto withdrawal is final ({})", w.status));
    }
    w.status = status;
    w.changed = now;
    if is_final(status) {
        w.processed = Some(now);
    }
    if status == 3 {
        w.tx_hash = Some(hash);
    }
    let w = w.clone();
    if is_final(status) {
        let balance = shop.crypto_mut(&w.shop_currency);
        balance.settle(w.shop_write_off, status == 3);
    }
    if is_final(status) {
        let decimals = PAYWAYS
            .iter()
            .find(|p| p.alias == w.payway)
            .map_or(8, |p| p.decimals);
        let body = object([
            ("address", string(&w.address)),
            ("callback_type", string("crypto_withdraw")),
            ("created", string(dates::qostiq(w.created))),
            ("description", optional_string(w.description.as_deref())),
            ("payee_receive", fixed_decimal(w.payee_receive, decimals)),
            ("payment_id", integer(w.id)),
            ("payway", string(&w.payway)),
            ("processed", string(dates::qostiq(now))),
            ("ps_currency", string(&w.payee_currency)),
            (
                "ps_data",
                object([("transaction_hash", optional_string(w.tx_hash.as_deref()))]),
            ),
            ("shop_currency", string(&w.shop_currency)),
            ("shop_id", integer(ctx.credentials.qostiq_shop_id)),
            ("shop_order_id", string(&w.shop_payment_id)),
            ("shop_write_off", fixed_decimal(w.shop_write_off, decimals)),
            (
                "status",
                string(if status == 3 { "success" } else { "rejected" }),
            ),
        ]);
        let url = w.callback_url.clone().or(default_url);
        callbacks::queue(
            ctx,
            "crypto_withdraw",
            w.shop_payment_id.clone(),
            url,
            &body,
        );
    }
    Ok(status_json(&w))
}

/// Auto-progress: New (1) → Waiting (2) → Success (3) (Rejected (4) for addresses starting with
/// `reject`).
pub(crate) fn auto_progress(ctx: &mut Context<'_>, step: Duration) {
    let list = &ctx.books.qostiq.crypto_withdrawals;
    for (index, next) in due_steps(list, ctx.now, step, is_final, next_status) {
        let _ = set_status(ctx, index, next);
    }
}

/// The status auto-progress moves a crypto withdrawal to next.
fn next_status(w: &CryptoWithdrawal) -> u8 {
    match w.status {
        1 => 2,
        _ if w.address.starts_with(REJECTED_ADDRESS_PREFIX) => 4,
        _ => 3,
    }
}

/// Crypto withdrawals as JSON (admin state).
pub(crate) fn list(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .qostiq
            .crypto_withdrawals
            .iter()
            .map(|w| {
                let mut j = status_json(w);
                j.set("payway", string(&w.payway));
                j
            })
            .collect(),
    )
}
