//! Admin routes under `/admin/coinqvest`: the books, wallets, the webhook URL, the payer's side of
//! checkouts, and failing a withdrawal.

use http::StatusCode;
use rust_decimal::Decimal;

use super::args::{Call, Routed, bad, conflict, ok};
use crate::coinqvest::{checkouts, customers, payments, reference, wallets, withdrawals};
use crate::emulator::Emulator;
use crate::json::{Json, object};

/// Serves `/admin/coinqvest{path}`.
pub(crate) fn route(emulator: &Emulator, call: &Call<'_>) -> Routed {
    let (path, args) = (call.path, call.args);
    let checkout_id = || {
        args.text("checkout_id")
            .ok_or_else(|| bad("`checkout_id` is required"))
    };
    let answer = match (path, call.get, call.post) {
        ("/state", true, _) => Ok(emulator.with_books(|ctx| {
            checkouts::expire(ctx);
            object([
                ("wallets", wallets::wallets_json(ctx)),
                ("checkouts", checkouts::all_json(ctx)),
                ("payments", payments::all_json(ctx)),
                ("withdrawals", withdrawals::all_json(ctx, false)),
                ("customers", customers::all_json(ctx)),
            ])
        })),
        ("/wallets", _, true) => {
            let asset = args
                .text("asset")
                .ok_or_else(|| bad("`asset` is required"))?;
            let balance = args
                .amount("balance")?
                .ok_or_else(|| bad("`balance` is required"))?;
            if reference::issuer(&asset).is_none() {
                return Err(bad(format!("unknown asset `{asset}`")));
            }
            emulator.with_books(|ctx| ctx.books.coinqvest.wallets.insert(asset, balance));
            Ok(Json::Object(Vec::new()))
        }
        ("/settings", _, true) => {
            let url = args.text("webhook_url");
            emulator.with_books(|ctx| ctx.books.coinqvest.webhook_url = url);
            Ok(Json::Object(Vec::new()))
        }
        ("/checkouts/complete", _, true) => {
            let id = checkout_id()?;
            let asset = args.text("asset_code");
            emulator
                .with_books(|ctx| checkouts::pay(ctx, &id, asset.as_deref(), None))
                .map_err(conflict)
        }
        ("/checkouts/underpay" | "/checkouts/overpay", _, true) => {
            let id = checkout_id()?;
            let asset = args.text("asset_code");
            let under = path.ends_with("underpay");
            let default = if under {
                Decimal::new(5, 1)
            } else {
                Decimal::new(15, 1)
            };
            let ratio = args.amount("ratio")?.unwrap_or(default);
            if (under && ratio >= Decimal::ONE)
                || (!under && ratio <= Decimal::ONE)
                || ratio <= Decimal::ZERO
            {
                return Err(bad(
                    "`ratio` must be below 1 to underpay, above 1 to overpay",
                ));
            }
            emulator
                .with_books(|ctx| checkouts::pay(ctx, &id, asset.as_deref(), Some(ratio)))
                .map_err(conflict)
        }
        ("/checkouts/expire", _, true) => {
            let id = checkout_id()?;
            emulator
                .with_books(|ctx| checkouts::force_expire(ctx, &id))
                .map_err(conflict)
        }
        ("/checkouts/resolve", _, true) => {
            let id = checkout_id()?;
            emulator
                .with_books(|ctx| checkouts::resolve(ctx, &id))
                .map_err(conflict)
        }
        ("/withdrawals/fail", _, true) => {
            let id = args.text("id").ok_or_else(|| bad("`id` is required"))?;
            emulator
                .with_books(|ctx| withdrawals::fail(ctx, &id))
                .map_err(conflict)
        }
        _ => Err((
            StatusCode::NOT_FOUND,
            format!("no admin route /admin/coinqvest{path}"),
        )),
    };
    answer.map(ok)
}
