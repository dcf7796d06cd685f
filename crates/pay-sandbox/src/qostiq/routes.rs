//! The Qostiq route table and the request path through it: parse, verify, run the handler.
//!
//! Adding an endpoint is one handler function (`fn(&mut Context, &QostiqRequest) ->
//! QostiqAnswer`, in the module of its family) plus one line in [`ROUTES`].

use http::{Method, StatusCode};
use pay_core::json::StrictObject;
use rust_decimal::Decimal;

use super::protocol::{self, Family, QostiqAnswer, QostiqError, QostiqHandler, QostiqRequest};
use super::{bills, crypto, crypto_wallet, invoices, shop, transfers, withdrawals};
use crate::config::Credentials;
use crate::context::Context;
use crate::exchange::Reply;
use crate::json::{BODY_LIMITS, Json, object, string};
use crate::tamper;

/// One endpoint: its path (relative to `/qostiq`), its family and its handler.
struct Route {
    path: &'static str,
    family: Family,
    handler: QostiqHandler,
}

const fn route(path: &'static str, family: Family, handler: QostiqHandler) -> Route {
    Route {
        path,
        family,
        handler,
    }
}

/// Every emulated endpoint.
const ROUTES: &[Route] = &[
    route("/bill/create", Family::Old, bills::create),
    route("/bill/create/v2", Family::New, bills::create_v2),
    route("/bill/shop_order_status", Family::Old, bills::status),
    route("/transfer/try", Family::Old, transfers::try_transfer),
    route("/transfer/create", Family::Old, transfers::create),
    route(
        "/transfer/shop_payment_status",
        Family::Old,
        transfers::status,
    ),
    route("/withdraw/try", Family::Old, withdrawals::try_withdraw),
    route("/check_account", Family::Old, withdrawals::check_account),
    route("/withdraw/create", Family::Old, withdrawals::create),
    route("/withdraw/status", Family::Old, withdrawals::status_by_id),
    route(
        "/withdraw/shop_payment_status",
        Family::Old,
        withdrawals::status_by_shop_payment_id,
    ),
    route("/account/register", Family::Old, shop::register),
    route("/shop_balance", Family::Old, shop::balance),
    route("/shop_input_config/shop", Family::Old, shop::input_config),
    route("/shop_output_config/shop", Family::Old, shop::output_config),
    route("/crypto/withdraw/try", Family::New, crypto::try_withdraw),
    route("/crypto/withdraw/create", Family::New, crypto::create),
    route("/crypto/withdraw/status", Family::New, crypto::status_by_id),
    route(
        "/crypto/withdraw/shop_payment_status",
        Family::New,
        crypto::status_by_shop_payment_id,
    ),
    route("/crypto/shop_balance", Family::New, crypto::balance),
    route(
        "/crypto/shop_address/create",
        Family::New,
        crypto_wallet::shop_address_create,
    ),
    route("/crypto/bill/try", Family::New, crypto_wallet::bill_try),
    route(
        "/crypto/transfer/try",
        Family::New,
        crypto_wallet::transfer_try,
    ),
    route("/invoice/try", Family::New, invoices::try_invoice),
    route("/invoice/create", Family::New, invoices::create),
];

fn find(endpoint: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.path == endpoint)
}

/// Serves `method endpoint` (relative to `/qostiq`): finds the route, parses and verifies the
/// body, then lets `run` call the handler (with the books locked) and answers its result.
pub(crate) fn serve(
    method: &Method,
    endpoint: &str,
    body: &[u8],
    credentials: &Credentials,
    run: impl FnOnce(QostiqHandler, &QostiqRequest<'_, '_>) -> QostiqAnswer,
) -> Reply {
    let Some(route) = find(endpoint) else {
        return QostiqError::new(
            StatusCode::NOT_FOUND,
            10,
            format!("Unknown method {endpoint}"),
        )
        .reply();
    };
    if method != Method::POST {
        return QostiqError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            10,
            "Method not allowed: use POST",
        )
        .reply();
    }
    let object = match StrictObject::parse(body, BODY_LIMITS) {
        Ok(o) => o,
        Err(e) => return QostiqError::bad(format!("Invalid JSON body: {e}")).reply(),
    };
    if let Err(e) = protocol::verify(route.path, route.family, &object, credentials) {
        return e.reply();
    }
    protocol::reply(run(route.handler, &QostiqRequest { body: &object }))
}

/// The latest other key of a lookup's family in the books.
type OtherKey = fn(&Context<'_>, &str) -> Option<String>;

/// The lookups `lookup_other_payout` answers for another payout: path, the key they look up by,
/// and where the other key comes from.
const LOOKUPS: &[(&str, &str, OtherKey)] = &[
    (
        "/withdraw/shop_payment_status",
        "shop_payment_id",
        |ctx, key| {
            latest_other(
                ctx.books
                    .qostiq
                    .withdrawals
                    .iter()
                    .map(|w| &w.shop_payment_id),
                key,
            )
        },
    ),
    (
        "/crypto/withdraw/shop_payment_status",
        "shop_payment_id",
        |ctx, key| {
            let ids = ctx.books.qostiq.crypto_withdrawals.iter();
            latest_other(ids.map(|w| &w.shop_payment_id), key)
        },
    ),
    (
        "/transfer/shop_payment_status",
        "shop_payment_id",
        |ctx, key| {
            latest_other(
                ctx.books
                    .qostiq
                    .transfers
                    .iter()
                    .map(|t| &t.shop_payment_id),
                key,
            )
        },
    ),
    ("/bill/shop_order_status", "shop_order_id", |ctx, key| {
        latest_other(
            ctx.books.qostiq.bills.iter().map(|b| &b.shop_order_key),
            key,
        )
    }),
];

fn latest_other<'k>(
    keys: impl DoubleEndedIterator<Item = &'k String>,
    asked: &str,
) -> Option<String> {
    keys.rev().find(|k| *k != asked).cloned()
}

/// `lookup_other_payout`: the lookup at `endpoint` answered for the latest *other* payout of its
/// family (another `shop_payment_id`), as the real handler answers it; `None` when the books hold
/// no other payout or `endpoint` is not a lookup.
pub(crate) fn other_payout(ctx: &mut Context<'_>, endpoint: &str, body: &[u8]) -> Option<Reply> {
    let (_, key_field, other_key) = LOOKUPS.iter().find(|(p, _, _)| *p == endpoint)?;
    let route = find(endpoint)?;
    let asked = StrictObject::parse(body, BODY_LIMITS).ok()?;
    let asked = QostiqRequest { body: &asked }.text(key_field).ok()?;
    let other = other_key(ctx, &asked)?;
    let text = object([(*key_field, string(other))]).to_text();
    let other = StrictObject::parse(text.as_bytes(), BODY_LIMITS).ok()?;
    let answer = (route.handler)(ctx, &QostiqRequest { body: &other }).ok()?;
    Some(protocol::reply(Ok(answer)))
}

/// `id_reused`: books an earlier payout under the `shop_payment_id` of the create at `endpoint`
/// with other terms (amount + 1, the account's last character changed), as if an earlier order had
/// used the id, so that the request itself meets the duplicate. Unsigned: the earlier payout is
/// the sandbox's own doing. Does nothing for other routes or bodies it cannot read.
pub(crate) fn book_earlier(ctx: &mut Context<'_>, endpoint: &str, body: &[u8]) {
    const CREATES: &[&str] = &[
        "/withdraw/create",
        "/crypto/withdraw/create",
        "/transfer/create",
    ];
    if !CREATES.contains(&endpoint) {
        return;
    }
    let (Some(route), Some(mut earlier)) = (find(endpoint), Json::parse_object(body)) else {
        return;
    };
    if let Some(amount) = earlier.get("amount").and_then(|a| match a {
        Json::Number(t) | Json::String(t) => t.parse::<Decimal>().ok(),
        _ => None,
    }) {
        earlier.set("amount", string((amount + Decimal::ONE).to_string()));
    }
    for key in ["account", "payee_account"] {
        if let Some(account) = earlier.get(key).and_then(Json::as_str).map(tamper::altered) {
            earlier.set(key, string(account));
        }
    }
    let text = earlier.to_text();
    if let Ok(object) = StrictObject::parse(text.as_bytes(), BODY_LIMITS) {
        let _ = (route.handler)(ctx, &QostiqRequest { body: &object });
    }
}
