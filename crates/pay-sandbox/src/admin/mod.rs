//! The admin API (JSON over HTTP, under `/admin`): act as the payer, advance payouts, read the
//! books and the delivery log, inject faults, move the clock. No authentication: the sandbox binds
//! loopback by default. Every route is listed in docs/sandbox.md and by `GET /admin`.

mod args;
mod coinqvest;
mod faults;
mod qostiq;

use http::{Method, StatusCode};
use pay_core::json::{Limits, StrictObject};

use self::args::{Args, Call, Routed, bad, fail, ok};
use crate::dates::w3c;
use crate::emulator::{COINQVEST_PREFIX, Emulator, QOSTIQ_PREFIX};
use crate::exchange::{Reply, query_pairs};
use crate::json::{Json, integer, object, string};
use crate::locking::lock;

/// `(method, path, description)` of every admin route.
const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/admin", "this list"),
    (
        "GET",
        "/admin/config",
        "base URLs, masked credentials, schedule",
    ),
    (
        "GET",
        "/admin/requests",
        "per-route counters: received, committed, faulted",
    ),
    (
        "GET",
        "/admin/deliveries",
        "callback/webhook log (?provider=qostiq|coinqvest&kind=…)",
    ),
    ("GET", "/admin/faults", "fault rules"),
    (
        "POST",
        "/admin/faults",
        "{route, fault, count?, probability?, method?, delay_ms?, hold_ms?, status?, retry_after?}",
    ),
    ("DELETE", "/admin/faults", "remove every fault rule"),
    (
        "POST",
        "/admin/clock/advance",
        "{seconds}: move sandbox time forward",
    ),
    (
        "POST",
        "/admin/tick",
        "expire bills/checkouts and auto-progress payouts now",
    ),
    (
        "GET",
        "/admin/qostiq/state",
        "balances, bills, transfers, withdrawals, crypto withdrawals, invoices",
    ),
    ("GET", "/admin/qostiq/balances", "fiat and crypto balances"),
    (
        "POST",
        "/admin/qostiq/balances",
        "{currency, available?, frozen?, hold?, rolling_reserve?}",
    ),
    (
        "POST",
        "/admin/qostiq/settings",
        "{shop_order_id_unique?, callback_url?, crypto_callback_url?}",
    ),
    (
        "POST",
        "/admin/qostiq/bills/pay",
        "{id | shop_order_id, amount?, payer_account?}",
    ),
    ("POST", "/admin/qostiq/bills/cancel", "{id | shop_order_id}"),
    (
        "POST",
        "/admin/qostiq/invoices/pay",
        "{id | shop_order_id, status?: success|rejected}",
    ),
    (
        "POST",
        "/admin/qostiq/withdrawals/advance",
        "{id | shop_payment_id, status, rejected_reason?}",
    ),
    (
        "POST",
        "/admin/qostiq/crypto-withdrawals/advance",
        "{id | shop_payment_id, status}",
    ),
    (
        "GET",
        "/admin/coinqvest/state",
        "wallets, checkouts, payments, withdrawals, customers",
    ),
    (
        "POST",
        "/admin/coinqvest/wallets",
        "{asset, balance}: set a wallet asset balance",
    ),
    ("POST", "/admin/coinqvest/settings", "{webhook_url}"),
    (
        "POST",
        "/admin/coinqvest/checkouts/complete",
        "{checkout_id, asset_code?}",
    ),
    (
        "POST",
        "/admin/coinqvest/checkouts/underpay",
        "{checkout_id, asset_code?, ratio? (default 0.5)}",
    ),
    (
        "POST",
        "/admin/coinqvest/checkouts/overpay",
        "{checkout_id, asset_code?, ratio? (default 1.5)}",
    ),
    ("POST", "/admin/coinqvest/checkouts/expire", "{checkout_id}"),
    (
        "POST",
        "/admin/coinqvest/checkouts/resolve",
        "{checkout_id}: merchant resolves an unresolved checkout",
    ),
    (
        "POST",
        "/admin/coinqvest/withdrawals/fail",
        "{id}: a committed withdrawal fails, funds return",
    ),
];

/// Serves one admin request (`path` relative to `/admin`).
pub(crate) fn handle(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
) -> Reply {
    let parsed = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match StrictObject::parse(body, Limits::EVENTS) {
            Ok(o) => Some(o),
            Err(e) => return fail(StatusCode::BAD_REQUEST, format!("invalid JSON: {e}")),
        }
    };
    let args = Args { body: parsed };
    match route(emulator, method, path, query, &args) {
        Ok(reply) => reply,
        Err((status, message)) => fail(status, message),
    }
}

fn route(emulator: &Emulator, method: &Method, path: &str, query: &str, args: &Args<'_>) -> Routed {
    let get = method == Method::GET;
    let post = method == Method::POST;
    match (path.trim_end_matches('/'), get, post) {
        ("", true, _) => Ok(ok(object([(
            "routes",
            Json::Array(
                ROUTES
                    .iter()
                    .map(|(m, p, d)| {
                        object([
                            ("method", string(*m)),
                            ("path", string(*p)),
                            ("description", string(*d)),
                        ])
                    })
                    .collect(),
            ),
        )]))),
        ("/config", true, _) => {
            let c = emulator.credentials();
            let base = &emulator.base_url;
            Ok(ok(object([
                ("base_url", string(base)),
                ("qostiq_base_url", string(format!("{base}{QOSTIQ_PREFIX}"))),
                (
                    "coinqvest_base_url",
                    string(format!("{base}{COINQVEST_PREFIX}")),
                ),
                ("qostiq_shop_id", integer(c.qostiq_shop_id)),
                ("qostiq_secret", string(c.qostiq_secret.masked())),
                ("coinqvest_key", string(&c.coinqvest_key)),
                ("coinqvest_secret", string(c.coinqvest_secret.masked())),
                (
                    "delivery_speedup",
                    integer(emulator.config.delivery.speedup),
                ),
                ("now", string(w3c(emulator.now()))),
            ])))
        }
        ("/requests", true, _) => Ok(ok(object([("routes", emulator.traffic.to_json())]))),
        ("/deliveries", true, _) => {
            let filters = query_pairs(query);
            let wanted = |key: &str| {
                filters
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.as_str())
            };
            let deliveries = emulator
                .deliveries
                .to_json(wanted("provider"), wanted("kind"));
            Ok(ok(object([("deliveries", deliveries)])))
        }
        ("/faults", true, _) => Ok(ok(object([(
            "faults",
            lock(&emulator.fault_rules).to_json(),
        )]))),
        ("/faults", _, true) => {
            let rule = faults::rule(args)?;
            let id = lock(&emulator.fault_rules).add(rule);
            Ok(ok(object([("id", integer(id))])))
        }
        ("/faults", _, _) if method == Method::DELETE => {
            lock(&emulator.fault_rules).clear();
            Ok(ok(object([])))
        }
        ("/clock/advance", _, true) => {
            let seconds: i64 = args
                .text("seconds")
                .ok_or_else(|| bad("`seconds` is required"))?
                .parse()
                .map_err(|_| bad("`seconds` must be an integer"))?;
            let offset = emulator.clock.offset() + time::Duration::seconds(seconds);
            emulator.clock.set_offset(offset);
            emulator.tick();
            Ok(ok(object([("now", string(w3c(emulator.now())))])))
        }
        ("/tick", _, true) => {
            emulator.tick();
            Ok(ok(object([])))
        }
        (p, g, po) => {
            let under = |prefix: &str| p.strip_prefix(prefix).filter(|r| r.starts_with('/'));
            let call = |path| Call {
                path,
                get: g,
                post: po,
                args,
            };
            if let Some(rest) = under("/qostiq") {
                qostiq::route(emulator, &call(rest))
            } else if let Some(rest) = under("/coinqvest") {
                coinqvest::route(emulator, &call(rest))
            } else {
                Err((
                    StatusCode::NOT_FOUND,
                    format!("no admin route {method} /admin{path}"),
                ))
            }
        }
    }
}
