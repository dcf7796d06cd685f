//! COINQVEST Merchant API v1 emulation under `/coinqvest/api/v1/`.
//!
//! Protected endpoints need either digest auth (`X-Digest-Key`, `X-Digest-Timestamp`,
//! `X-Digest-Signature = hex(HMAC_SHA256(secret, PATH + TIMESTAMP + METHOD + BODY))` with `PATH`
//! relative to `/api/v1`, no query, `BODY` the exact bytes) or basic auth (`X-Basic =
//! hex(sha256(key ":" secret))`). Missing or wrong credentials answer 401; a timestamp more than 30 s
//! old (or more than 5 s in the future) answers 403. Bad parameters answer 400 and unknown ids 404,
//! all as `{"errors": ["…"]}`. Success is HTTP 200 with the seed's shapes (PHP-style `\/` escapes).

pub mod checkouts;
pub mod customers;
pub mod payments;
pub mod reference;
pub mod service;
pub mod wallets;
pub mod webhooks;
pub mod withdrawals;

use std::sync::Arc;

use http::{HeaderMap, Method, StatusCode};
use pay_core::money::Amount;
use pay_signing::coinqvest::{BasicAuth, DigestSigner};
use rust_decimal::Decimal;

use crate::json::{J, int, s};
use crate::qostiq::{REQUEST_LIMITS, constant_time_eq};
use crate::server::{Reply, Shared};
use crate::state::Ctx;

/// A COINQVEST error answer.
#[derive(Debug, Clone)]
pub struct CqErr {
    /// HTTP status.
    pub status: StatusCode,
    /// `errors`.
    pub errors: Vec<String>,
}

impl CqErr {
    /// 400 with one message.
    pub fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            errors: vec![message.into()],
        }
    }

    /// 404 with one message.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            errors: vec![message.into()],
        }
    }

    fn with(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![message.into()],
        }
    }

    /// The `{"errors": [...]}` body.
    pub fn body(&self) -> String {
        J::Obj(vec![(
            "errors".to_owned(),
            J::Arr(self.errors.iter().map(s).collect()),
        )])
        .to_text_php()
    }
}

/// Handler result.
pub type CqResult = Result<J, CqErr>;

/// A parsed request.
pub struct CqReq {
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// The JSON body (empty object when none).
    pub body: J,
}

impl CqReq {
    /// A query parameter.
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A required query parameter.
    pub fn q_required(&self, key: &str) -> Result<&str, CqErr> {
        self.q(key)
            .ok_or_else(|| CqErr::bad(format!("Parameter {key} is required.")))
    }

    /// `limit` (default 250) and `offset` (default 0), with the values to echo: the query text
    /// when given (the service echoes them as strings), numbers otherwise.
    pub fn paging(&self) -> Result<(usize, usize, J, J), CqErr> {
        let read = |key: &str, default: usize| -> Result<(usize, J), CqErr> {
            match self.q(key) {
                None => Ok((default, int(default as u64))),
                Some(text) => text
                    .parse::<usize>()
                    .map(|n| (n, s(text)))
                    .map_err(|_| CqErr::bad(format!("Parameter {key} must be an integer."))),
            }
        };
        let (limit, limit_j) = read("limit", 250)?;
        let (offset, offset_j) = read("offset", 0)?;
        if limit == 0 || limit > 250 {
            return Err(CqErr::bad("Parameter limit must be between 1 and 250."));
        }
        Ok((limit, offset, limit_j, offset_j))
    }
}

/// A string member of an object.
pub fn jstr<'j>(j: &'j J, key: &str) -> Option<&'j str> {
    j.get(key).and_then(J::as_str)
}

/// A numeric member (JSON number or decimal string), read exactly.
pub fn jdec(j: &J, key: &str) -> Result<Option<Decimal>, CqErr> {
    match j.get(key) {
        None | Some(J::Null) => Ok(None),
        Some(J::Num(token)) => Amount::from_json_number(token)
            .map(|a| Some(a.decimal()))
            .map_err(|_| CqErr::bad(format!("{key} is not a valid number."))),
        Some(J::Str(text)) => text
            .parse::<Amount>()
            .map(|a| Some(a.decimal()))
            .map_err(|_| CqErr::bad(format!("{key} is not a valid number."))),
        Some(_) => Err(CqErr::bad(format!("{key} is not a valid number."))),
    }
}

type Handler = fn(&mut Ctx<'_>, &CqReq) -> CqResult;

/// `(method, path, public, handler)` of every endpoint.
const ROUTES: &[(Method, &str, bool, Handler)] = &[
    (Method::GET, "/ping", true, service::ping),
    (Method::GET, "/time", true, service::time),
    (Method::GET, "/auth-test", false, service::auth_test),
    (Method::POST, "/checkout", false, checkouts::create),
    (Method::POST, "/checkout/commit", false, checkouts::commit),
    (Method::POST, "/checkout/hosted", false, checkouts::hosted),
    (Method::GET, "/checkout", false, checkouts::get),
    (Method::GET, "/checkouts", false, checkouts::list),
    (Method::GET, "/payment", false, payments::get),
    (Method::GET, "/payments", false, payments::list),
    (Method::GET, "/wallets", false, wallets::list),
    (Method::GET, "/wallet", false, wallets::get),
    (Method::POST, "/withdrawal", false, withdrawals::create),
    (
        Method::POST,
        "/withdrawal/commit",
        false,
        withdrawals::commit,
    ),
    (Method::GET, "/withdrawal", false, withdrawals::get),
    (Method::GET, "/withdrawals", false, withdrawals::list),
    (
        Method::GET,
        "/asset-issuers",
        false,
        reference::asset_issuers,
    ),
    (Method::GET, "/asset-issuer", false, reference::asset_issuer),
    (Method::GET, "/assets", false, reference::assets),
    (Method::GET, "/asset", false, reference::asset),
    (
        Method::GET,
        "/fiat-currencies",
        false,
        reference::fiat_currencies,
    ),
    (
        Method::GET,
        "/fiat-currency",
        false,
        reference::fiat_currency,
    ),
    (Method::GET, "/blockchains", false, reference::blockchains),
    (Method::GET, "/blockchain", false, reference::blockchain),
    (Method::POST, "/customer", false, customers::create),
    (Method::GET, "/customer", false, customers::get),
    (Method::PUT, "/customer", false, customers::update),
    (Method::DELETE, "/customer", false, customers::delete),
    (Method::GET, "/customers", false, customers::list),
];

/// The emulated `(method, path)` pairs (relative to `/api/v1`).
pub fn endpoints() -> impl Iterator<Item = (&'static str, &'static str)> {
    ROUTES.iter().map(|(m, p, _, _)| (m.as_str(), *p))
}

/// Serves one COINQVEST request (`path` relative to `/coinqvest/api/v1`).
pub fn handle(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    match serve(shared, method, path, query, headers, body) {
        Ok(j) => Reply::json(StatusCode::OK, j.to_text_php()),
        Err(e) => Reply::json(e.status, e.body()),
    }
}

fn serve(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> CqResult {
    let candidates: Vec<_> = ROUTES.iter().filter(|(_, p, _, _)| *p == path).collect();
    if candidates.is_empty() {
        return Err(CqErr::not_found("Endpoint not found."));
    }
    let Some((_, _, public, handler)) = candidates.iter().find(|(m, _, _, _)| m == method) else {
        return Err(CqErr::with(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed.",
        ));
    };
    if !public {
        authenticate(shared, method, path, headers, body)?;
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        J::Obj(Vec::new())
    } else {
        J::parse_object(body, REQUEST_LIMITS)
            .ok_or_else(|| CqErr::bad("Invalid JSON payload: expected one JSON object."))?
    };
    let req = CqReq {
        query: crate::admin::query_pairs(query),
        body,
    };
    shared.with_state(|ctx| handler(ctx, &req))
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Digest or basic authentication, as the service checks it.
pub fn authenticate(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), CqErr> {
    let creds = shared.credentials();
    let unauthorized = |m: &str| CqErr::with(StatusCode::UNAUTHORIZED, m);
    if let Some(basic) = header(headers, "x-basic") {
        let expected =
            BasicAuth::new_replayable(&creds.coinqvest_key, creds.coinqvest_secret.clone())
                .header_value();
        return if constant_time_eq(expected.as_bytes(), basic.to_ascii_lowercase().as_bytes()) {
            Ok(())
        } else {
            Err(unauthorized("Basic-Auth failed: invalid X-Basic hash."))
        };
    }
    let (Some(key), Some(timestamp), Some(signature)) = (
        header(headers, "x-digest-key"),
        header(headers, "x-digest-timestamp"),
        header(headers, "x-digest-signature"),
    ) else {
        return Err(unauthorized(
            "Authentication required: send X-Digest-Key, X-Digest-Timestamp and X-Digest-Signature (or X-Basic).",
        ));
    };
    if key != creds.coinqvest_key {
        return Err(unauthorized("Invalid API key."));
    }
    let ts: i64 = timestamp
        .parse()
        .map_err(|_| unauthorized("Invalid X-Digest-Timestamp."))?;
    let now = shared.now().unix_timestamp();
    if now - ts > shared.config.digest_window_secs {
        return Err(CqErr::with(
            StatusCode::FORBIDDEN,
            format!(
                "Digest-Auth timestamp expired: {ts} is more than {} seconds old (server time {now}, see GET /time).",
                shared.config.digest_window_secs
            ),
        ));
    }
    if ts - now > shared.config.digest_future_skew_secs {
        return Err(CqErr::with(
            StatusCode::FORBIDDEN,
            format!(
                "Digest-Auth timestamp {ts} is in the future (server time {now}, see GET /time)."
            ),
        ));
    }
    let expected = DigestSigner::new(key, creds.coinqvest_secret.clone())
        .sign(path, ts, method, body)
        .signature;
    if !constant_time_eq(
        expected.as_bytes(),
        signature.to_ascii_lowercase().as_bytes(),
    ) {
        return Err(unauthorized(
            "Digest-Auth failed: invalid X-Digest-Signature.",
        ));
    }
    Ok(())
}

/// Admin routes under `/admin/coinqvest`.
pub fn admin_route(
    shared: &Arc<Shared>,
    path: &str,
    get: bool,
    post: bool,
    text: &dyn Fn(&str) -> Option<String>,
    amount: &dyn Fn(&str) -> Result<Option<Decimal>, String>,
) -> Result<J, (StatusCode, String)> {
    let bad = |m: String| (StatusCode::BAD_REQUEST, m);
    let conflict = |e: String| {
        if e.contains("not found") {
            (StatusCode::NOT_FOUND, e)
        } else {
            (StatusCode::CONFLICT, e)
        }
    };
    let checkout_id = || text("checkout_id").ok_or_else(|| bad("`checkout_id` is required".into()));
    match (path, get, post) {
        ("/state", true, _) => Ok(shared.with_state(|ctx| {
            checkouts::expire(ctx);
            crate::json::obj([
                ("wallets", wallets::wallets_json(ctx)),
                ("checkouts", checkouts::all_json(ctx)),
                ("payments", payments::all_json(ctx)),
                ("withdrawals", withdrawals::all_json(ctx, false)),
                ("customers", customers::all_json(ctx)),
            ])
        })),
        ("/wallets", _, true) => {
            let asset = text("asset").ok_or_else(|| bad("`asset` is required".into()))?;
            let balance = amount("balance")
                .map_err(bad)?
                .ok_or_else(|| bad("`balance` is required".into()))?;
            if reference::issuer(&asset).is_none() {
                return Err(bad(format!("unknown asset `{asset}`")));
            }
            shared.with_state(|ctx| ctx.st.coinqvest.wallets.insert(asset, balance));
            Ok(J::Obj(Vec::new()))
        }
        ("/settings", _, true) => {
            let url = text("webhook_url");
            shared.with_state(|ctx| ctx.st.coinqvest.webhook_url = url);
            Ok(J::Obj(Vec::new()))
        }
        ("/checkouts/complete", _, true) => {
            let id = checkout_id()?;
            let asset = text("asset_code");
            shared
                .with_state(|ctx| checkouts::pay(ctx, &id, asset.as_deref(), None))
                .map_err(conflict)
        }
        ("/checkouts/underpay" | "/checkouts/overpay", _, true) => {
            let id = checkout_id()?;
            let asset = text("asset_code");
            let default = if path.ends_with("underpay") {
                Decimal::new(5, 1)
            } else {
                Decimal::new(15, 1)
            };
            let ratio = amount("ratio").map_err(bad)?.unwrap_or(default);
            let under = path.ends_with("underpay");
            if (under && ratio >= Decimal::ONE)
                || (!under && ratio <= Decimal::ONE)
                || ratio <= Decimal::ZERO
            {
                return Err(bad(
                    "`ratio` must be below 1 to underpay, above 1 to overpay".into(),
                ));
            }
            shared
                .with_state(|ctx| checkouts::pay(ctx, &id, asset.as_deref(), Some(ratio)))
                .map_err(conflict)
        }
        ("/checkouts/expire", _, true) => {
            let id = checkout_id()?;
            shared
                .with_state(|ctx| checkouts::force_expire(ctx, &id))
                .map_err(conflict)
        }
        ("/checkouts/resolve", _, true) => {
            let id = checkout_id()?;
            shared
                .with_state(|ctx| checkouts::resolve(ctx, &id))
                .map_err(conflict)
        }
        ("/withdrawals/fail", _, true) => {
            let id = text("id").ok_or_else(|| bad("`id` is required".into()))?;
            shared
                .with_state(|ctx| withdrawals::fail(ctx, &id))
                .map_err(conflict)
        }
        _ => Err((
            StatusCode::NOT_FOUND,
            format!("no admin route /admin/coinqvest{path}"),
        )),
    }
}
