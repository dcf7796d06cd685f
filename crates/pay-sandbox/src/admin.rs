//! The admin API (JSON over HTTP, under `/admin`): act as the payer, advance payouts, read the
//! books and the delivery log, inject faults, move the clock. No authentication: the sandbox binds
//! loopback by default. Every route is listed in docs/sandbox.md and by `GET /admin`.

use std::sync::Arc;

use http::{Method, StatusCode};
use pay_core::json::{Limits, StrictObject, Value, python};
use pay_core::money::Amount;
use rust_decimal::Decimal;

use crate::faults::FaultClass;
use crate::json::{J, int, obj, s};
use crate::server::{Reply, Shared};
use crate::state::lock;
use crate::{coinqvest, qostiq};

/// `(method, path, description)` of every admin route.
pub const ROUTES: &[(&str, &str, &str)] = &[
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

/// Parsed admin arguments.
struct Args<'a> {
    obj: Option<StrictObject<'a>>,
}

impl Args<'_> {
    fn value(&self, key: &str) -> Option<&Value<'_>> {
        self.obj
            .as_ref()
            .and_then(|o| o.get(key))
            .map(|m| &m.value)
            .filter(|v| **v != Value::Null)
    }

    fn text(&self, key: &str) -> Option<String> {
        self.value(key).map(python::str_form)
    }

    fn uint(&self, key: &str) -> Result<Option<u64>, String> {
        self.text(key)
            .map(|t| t.parse().map_err(|_| format!("`{key}` must be an integer")))
            .transpose()
    }

    fn amount(&self, key: &str) -> Result<Option<Decimal>, String> {
        let raw = self
            .obj
            .as_ref()
            .and_then(|o| o.get(key))
            .filter(|m| m.value != Value::Null)
            .map(|m| m.raw);
        raw.map(|r| {
            Amount::from_raw_json(r)
                .map(|a| a.decimal())
                .map_err(|_| format!("`{key}` must be a decimal (string or number)"))
        })
        .transpose()
    }

    fn bool(&self, key: &str) -> Option<bool> {
        match self.value(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

fn ok(data: J) -> Reply {
    let mut body = obj([("ok", J::Bool(true))]);
    if let J::Obj(members) = data {
        for (k, v) in members {
            body.set(&k, v);
        }
    } else {
        body.set("result", data);
    }
    Reply::json(StatusCode::OK, body.to_text())
}

fn fail(status: StatusCode, message: impl Into<String>) -> Reply {
    Reply::json(
        status,
        obj([("ok", J::Bool(false)), ("error", s(message.into()))]).to_text(),
    )
}

/// Percent-decoded `key=value` pairs of a query string.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |t: &str| {
                percent_encoding::percent_decode_str(&t.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// Serves one admin request (`path` is relative to `/admin`).
pub fn handle(
    shared: &Arc<Shared>,
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
    let args = Args { obj: parsed };
    match route(shared, method, path, query, &args) {
        Ok(reply) => reply,
        Err((status, message)) => fail(status, message),
    }
}

type Routed = Result<Reply, (StatusCode, String)>;

fn bad(message: impl Into<String>) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message.into())
}

fn route(shared: &Arc<Shared>, method: &Method, path: &str, query: &str, a: &Args<'_>) -> Routed {
    let get = method == Method::GET;
    let post = method == Method::POST;
    match (path.trim_end_matches('/'), get, post) {
        ("", true, _) => Ok(ok(obj([(
            "routes",
            J::Arr(
                ROUTES
                    .iter()
                    .map(|(m, p, d)| {
                        obj([("method", s(*m)), ("path", s(*p)), ("description", s(*d))])
                    })
                    .collect(),
            ),
        )]))),
        ("/config", true, _) => {
            let c = shared.credentials();
            Ok(ok(obj([
                ("base_url", s(&shared.base_url)),
                ("qostiq_base_url", s(format!("{}/qostiq", shared.base_url))),
                (
                    "coinqvest_base_url",
                    s(format!("{}/coinqvest/api/v1", shared.base_url)),
                ),
                ("qostiq_shop_id", int(c.qostiq_shop_id)),
                ("qostiq_secret", s(c.qostiq_secret.masked())),
                ("coinqvest_key", s(&c.coinqvest_key)),
                ("coinqvest_secret", s(c.coinqvest_secret.masked())),
                ("delivery_speedup", int(shared.config.delivery.speedup)),
                ("now", s(crate::time_fmt::w3c(shared.now()))),
            ])))
        }
        ("/requests", true, _) => Ok(ok(obj([("routes", lock(&shared.stats).to_json())]))),
        ("/deliveries", true, _) => {
            let filters = query_pairs(query);
            let want = |key: &str| {
                filters
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            };
            let (provider, kind) = (want("provider"), want("kind"));
            let log = lock(&shared.deliveries);
            let items = log
                .iter()
                .map(|d| d.to_json())
                .filter(|j| {
                    provider
                        .as_deref()
                        .is_none_or(|p| j.get("provider").and_then(J::as_str) == Some(p))
                        && kind
                            .as_deref()
                            .is_none_or(|k| j.get("kind").and_then(J::as_str) == Some(k))
                })
                .collect();
            Ok(ok(obj([("deliveries", J::Arr(items))])))
        }
        ("/faults", true, _) => Ok(ok(obj([("faults", lock(&shared.faults).to_json())]))),
        ("/faults", _, true) => add_fault(shared, a),
        ("/faults", _, _) if method == Method::DELETE => {
            lock(&shared.faults).clear();
            Ok(ok(obj([])))
        }
        ("/clock/advance", _, true) => {
            let seconds: i64 = a
                .text("seconds")
                .ok_or_else(|| bad("`seconds` is required"))?
                .parse()
                .map_err(|_| bad("`seconds` must be an integer"))?;
            let offset = shared.clock.offset() + time::Duration::seconds(seconds);
            shared.clock.set_offset(offset);
            shared.tick();
            Ok(ok(obj([("now", s(crate::time_fmt::w3c(shared.now())))])))
        }
        ("/tick", _, true) => {
            shared.tick();
            Ok(ok(obj([])))
        }
        (p, g, po) if p.starts_with("/qostiq/") => {
            qostiq_route(shared, &p["/qostiq".len()..], g, po, a)
        }
        (p, g, po) if p.starts_with("/coinqvest/") => {
            coinqvest_route(shared, &p["/coinqvest".len()..], g, po, a)
        }
        _ => Err((
            StatusCode::NOT_FOUND,
            format!("no admin route {method} /admin{path}"),
        )),
    }
}

fn add_fault(shared: &Arc<Shared>, a: &Args<'_>) -> Routed {
    let route = a.text("route").ok_or_else(|| bad("`route` is required"))?;
    let name = a.text("fault").ok_or_else(|| bad("`fault` is required"))?;
    let class = match name.as_str() {
        "commit_then_drop" => FaultClass::CommitThenDrop,
        "commit_then_delay" => FaultClass::CommitThenDelay {
            delay_ms: a.uint("delay_ms").map_err(bad)?.unwrap_or(1000),
        },
        "commit_then_truncate" => FaultClass::CommitThenTruncate,
        "reset_before_commit" => FaultClass::ResetBeforeCommit,
        "status_5xx" => {
            let status = a.uint("status").map_err(bad)?.unwrap_or(503);
            if !(500..=599).contains(&status) {
                return Err(bad("`status` must be 500..=599"));
            }
            FaultClass::Status5xx {
                status: u16::try_from(status).unwrap_or(503),
            }
        }
        "status_429" => FaultClass::Status429 {
            retry_after: a.uint("retry_after").map_err(bad)?.unwrap_or(1),
        },
        "held_then_commit" => FaultClass::HeldThenCommit {
            hold_ms: a.uint("hold_ms").map_err(bad)?.unwrap_or(1000),
        },
        "recreate_refused_in_flight" => FaultClass::RecreateRefusedInFlight {
            hold_ms: a.uint("hold_ms").map_err(bad)?.unwrap_or(1000),
        },
        "lookup_other_payout" => FaultClass::LookupOtherPayout,
        "lookup_mismatch" => FaultClass::LookupMismatch,
        "id_reused" => FaultClass::IdReused,
        other => return Err(bad(format!("unknown fault class `{other}`"))),
    };
    let probability = a.amount("probability").map_err(bad)?;
    let ppm = match probability {
        None => None,
        Some(p) if p >= Decimal::ZERO && p <= Decimal::ONE => {
            let ppm = (p * Decimal::new(1_000_000, 0)).trunc();
            Some(u32::try_from(ppm.mantissa() / 10i128.pow(ppm.scale())).unwrap_or(1_000_000))
        }
        Some(_) => return Err(bad("`probability` must be within 0..=1")),
    };
    let route = if route.starts_with('/') || route == "*" {
        route
    } else {
        format!("/{route}")
    };
    let id = lock(&shared.faults).add(
        route,
        a.text("method").map(|m| m.to_ascii_uppercase()),
        class,
        a.uint("count").map_err(bad)?,
        ppm,
    );
    Ok(ok(obj([("id", int(id))])))
}

fn selector(
    a: &Args<'_>,
    key: &str,
) -> Result<(Option<u64>, Option<String>), (StatusCode, String)> {
    Ok((a.uint("id").map_err(bad)?, a.text(key)))
}

fn status_u8(a: &Args<'_>) -> Result<u8, (StatusCode, String)> {
    let status = a
        .uint("status")
        .map_err(bad)?
        .ok_or_else(|| bad("`status` is required"))?;
    u8::try_from(status).map_err(|_| bad("`status` is out of range"))
}

fn qostiq_route(shared: &Arc<Shared>, path: &str, get: bool, post: bool, a: &Args<'_>) -> Routed {
    let conflict = |e: String| {
        if e.contains("not found") {
            (StatusCode::NOT_FOUND, e)
        } else {
            (StatusCode::CONFLICT, e)
        }
    };
    match (path, get, post) {
        ("/state", true, _) => Ok(ok(shared.with_state(|ctx| {
            qostiq::bills::expire(ctx);
            obj([
                ("balances", qostiq::shop::balances_json(ctx)),
                ("crypto_balances", qostiq::crypto::balances_json(ctx)),
                ("bills", qostiq::bills::list(ctx)),
                ("transfers", qostiq::transfers::list(ctx)),
                ("withdrawals", qostiq::withdrawals::list(ctx)),
                ("crypto_withdrawals", qostiq::crypto::list(ctx)),
                ("invoices", qostiq::invoices::list(ctx)),
            ])
        }))),
        ("/balances", true, _) => Ok(ok(shared.with_state(|ctx| {
            obj([
                ("balances", qostiq::shop::balances_json(ctx)),
                ("crypto_balances", qostiq::crypto::balances_json(ctx)),
            ])
        }))),
        ("/balances", _, true) => {
            let currency = a
                .text("currency")
                .ok_or_else(|| bad("`currency` is required"))?;
            let fields = [
                ("available", a.amount("available").map_err(bad)?),
                ("frozen", a.amount("frozen").map_err(bad)?),
                ("hold", a.amount("hold").map_err(bad)?),
                ("rolling_reserve", a.amount("rolling_reserve").map_err(bad)?),
            ];
            shared.with_state(|ctx| {
                let q = &mut ctx.st.qostiq;
                let line = match currency.parse::<u16>() {
                    Ok(code) => q.fiat_mut(code),
                    Err(_) => q.crypto_mut(&currency),
                };
                for (name, value) in fields {
                    if let Some(v) = value {
                        match name {
                            "available" => line.available = v,
                            "frozen" => line.frozen = v,
                            "hold" => line.hold = v,
                            _ => line.rolling_reserve = v,
                        }
                    }
                }
            });
            Ok(ok(obj([])))
        }
        ("/settings", _, true) => {
            shared.with_state(|ctx| {
                let q = &mut ctx.st.qostiq;
                if let Some(unique) = a.bool("shop_order_id_unique") {
                    q.shop_order_id_unique = unique;
                }
                if let Some(url) = a.text("callback_url") {
                    q.callback_url = Some(url);
                }
                if let Some(url) = a.text("crypto_callback_url") {
                    q.crypto_callback_url = Some(url);
                }
            });
            Ok(ok(obj([])))
        }
        ("/bills/pay", _, true) => {
            let (id, key) = selector(a, "shop_order_id")?;
            let amount = a.amount("amount").map_err(bad)?;
            let payer = a.text("payer_account");
            shared
                .with_state(|ctx| qostiq::bills::pay(ctx, id, key.as_deref(), amount, payer))
                .map(|n| ok(obj([("notification", n)])))
                .map_err(conflict)
        }
        ("/bills/cancel", _, true) => {
            let (id, key) = selector(a, "shop_order_id")?;
            shared
                .with_state(|ctx| qostiq::bills::cancel(ctx, id, key.as_deref()))
                .map(|n| ok(obj([("notification", n)])))
                .map_err(conflict)
        }
        ("/invoices/pay", _, true) => {
            let (id, key) = selector(a, "shop_order_id")?;
            let success = a.text("status").is_none_or(|s| s == "success");
            shared
                .with_state(|ctx| qostiq::invoices::settle(ctx, id, key.as_deref(), success))
                .map(|n| ok(obj([("notification", n)])))
                .map_err(conflict)
        }
        ("/withdrawals/advance", _, true) => {
            let (id, key) = selector(a, "shop_payment_id")?;
            let status = status_u8(a)?;
            let reason = a.text("rejected_reason");
            shared
                .with_state(|ctx| {
                    let index = qostiq::withdrawals::find(ctx, id, key.as_deref())?;
                    qostiq::withdrawals::set_status(ctx, index, status, reason)
                })
                .map(|w| ok(obj([("withdrawal", w)])))
                .map_err(conflict)
        }
        ("/crypto-withdrawals/advance", _, true) => {
            let (id, key) = selector(a, "shop_payment_id")?;
            let status = status_u8(a)?;
            shared
                .with_state(|ctx| {
                    let index = qostiq::crypto::find(ctx, id, key.as_deref())?;
                    qostiq::crypto::set_status(ctx, index, status)
                })
                .map(|w| ok(obj([("withdrawal", w)])))
                .map_err(conflict)
        }
        _ => Err((
            StatusCode::NOT_FOUND,
            format!("no admin route /admin/qostiq{path}"),
        )),
    }
}

fn coinqvest_route(
    shared: &Arc<Shared>,
    path: &str,
    get: bool,
    post: bool,
    a: &Args<'_>,
) -> Routed {
    coinqvest::admin_route(shared, path, get, post, &|k| a.text(k), &|k| a.amount(k)).map(ok)
}
