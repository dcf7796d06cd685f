//! Admin routes under `/admin/qostiq`: the books, balances, shop settings, and the payer's and
//! the processor's side of bills, invoices and withdrawals.

use http::StatusCode;

use super::args::{Args, Call, Refusal, Routed, bad, conflict, ok};
use crate::books::qostiq::find_payout;
use crate::emulator::Emulator;
use crate::json::object;
use crate::qostiq::{bills, crypto, invoices, shop, transfers, withdrawals};

fn status(args: &Args<'_>) -> Result<u8, Refusal> {
    let status = args
        .uint("status")?
        .ok_or_else(|| bad("`status` is required"))?;
    u8::try_from(status).map_err(|_| bad("`status` is out of range"))
}

/// Serves `/admin/qostiq{path}`.
pub(crate) fn route(emulator: &Emulator, call: &Call<'_>) -> Routed {
    let (path, args) = (call.path, call.args);
    match (path, call.get, call.post) {
        ("/state", true, _) => Ok(ok(emulator.with_books(|ctx| {
            bills::expire(ctx);
            object([
                ("balances", shop::balances_json(ctx)),
                ("crypto_balances", crypto::balances_json(ctx)),
                ("bills", bills::list(ctx)),
                ("transfers", transfers::list(ctx)),
                ("withdrawals", withdrawals::list(ctx)),
                ("crypto_withdrawals", crypto::list(ctx)),
                ("invoices", invoices::list(ctx)),
            ])
        }))),
        ("/balances", true, _) => Ok(ok(emulator.with_books(|ctx| {
            object([
                ("balances", shop::balances_json(ctx)),
                ("crypto_balances", crypto::balances_json(ctx)),
            ])
        }))),
        ("/balances", _, true) => {
            let currency = args
                .text("currency")
                .ok_or_else(|| bad("`currency` is required"))?;
            let available = args.amount("available")?;
            let frozen = args.amount("frozen")?;
            let hold = args.amount("hold")?;
            let rolling_reserve = args.amount("rolling_reserve")?;
            emulator.with_books(|ctx| {
                let books = &mut ctx.books.qostiq;
                let line = match currency.parse::<u16>() {
                    Ok(code) => books.fiat_mut(code),
                    Err(_) => books.crypto_mut(&currency),
                };
                line.available = available.unwrap_or(line.available);
                line.frozen = frozen.unwrap_or(line.frozen);
                line.hold = hold.unwrap_or(line.hold);
                line.rolling_reserve = rolling_reserve.unwrap_or(line.rolling_reserve);
            });
            Ok(ok(object([])))
        }
        ("/settings", _, true) => {
            emulator.with_books(|ctx| {
                let books = &mut ctx.books.qostiq;
                if let Some(unique) = args.bool("shop_order_id_unique") {
                    books.shop_order_id_unique = unique;
                }
                if let Some(url) = args.text("callback_url") {
                    books.callback_url = Some(url);
                }
                if let Some(url) = args.text("crypto_callback_url") {
                    books.crypto_callback_url = Some(url);
                }
            });
            Ok(ok(object([])))
        }
        ("/bills/pay", _, true) => {
            let (id, key) = args.selector("shop_order_id")?;
            let amount = args.amount("amount")?;
            let payer = args.text("payer_account");
            emulator
                .with_books(|ctx| bills::pay(ctx, id, key.as_deref(), amount, payer))
                .map(|n| ok(object([("notification", n)])))
                .map_err(conflict)
        }
        ("/bills/cancel", _, true) => {
            let (id, key) = args.selector("shop_order_id")?;
            emulator
                .with_books(|ctx| bills::cancel(ctx, id, key.as_deref()))
                .map(|n| ok(object([("notification", n)])))
                .map_err(conflict)
        }
        ("/invoices/pay", _, true) => {
            let (id, key) = args.selector("shop_order_id")?;
            let success = args.text("status").is_none_or(|s| s == "success");
            emulator
                .with_books(|ctx| invoices::settle(ctx, id, key.as_deref(), success))
                .map(|n| ok(object([("notification", n)])))
                .map_err(conflict)
        }
        ("/withdrawals/advance", _, true) => {
            let (id, key) = args.selector("shop_payment_id")?;
            let status = status(args)?;
            let reason = args.text("rejected_reason");
            emulator
                .with_books(|ctx| {
                    let list = &ctx.books.qostiq.withdrawals;
                    let index = find_payout(list, id, key.as_deref(), "withdrawal")?;
                    withdrawals::set_status(ctx, index, status, reason)
                })
                .map(|w| ok(object([("withdrawal", w)])))
                .map_err(conflict)
        }
        ("/crypto-withdrawals/advance", _, true) => {
            let (id, key) = args.selector("shop_payment_id")?;
            let status = status(args)?;
            emulator
                .with_books(|ctx| {
                    let list = &ctx.books.qostiq.crypto_withdrawals;
                    let index = find_payout(list, id, key.as_deref(), "crypto withdrawal")?;
                    crypto::set_status(ctx, index, status)
                })
                .map(|w| ok(object([("withdrawal", w)])))
                .map_err(conflict)
        }
        _ => Err((
            StatusCode::NOT_FOUND,
            format!("no admin route /admin/qostiq{path}"),
        )),
    }
}
