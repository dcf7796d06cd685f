//! Qostiq emulation: `POST /qostiq/<endpoint>` with a JSON body signed per PROTOCOL.md.
//!
//! Every request is verified the way the real server does it, in this order:
//! 1. the body is one strict JSON object (else `error_code` 10, HTTP 400);
//! 2. every signed key of the endpoint is present and not `null` (else 10, HTTP 400);
//! 3. `shop_id` is the configured shop (else 11 "Shop not found", HTTP 400);
//! 4. `sign` equals `sha256(values rendered with Python's str(), joined by ':' + secret)` (else
//!    "invalid sign": code 1 on the older fiat endpoints, 10 on the newer ones, HTTP 400).
//!
//! Then the endpoint runs against the books. Answers use the envelope
//! `{"data": …, "error_code": N, "message": "…", "result": bool}`.

pub mod bills;
pub mod callbacks;
pub mod crypto;
pub mod crypto_wallet;
pub mod invoices;
pub mod shop;
pub mod transfers;
pub mod withdrawals;

use http::{Method, StatusCode};
use pay_core::json::{Limits, Member, StrictObject, Value, python};
use pay_core::money::Amount;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::json::{J, int, obj, s};
use crate::server::{Reply, Shared};
use crate::state::Ctx;

/// Limits applied to request bodies.
pub const REQUEST_LIMITS: Limits = Limits {
    max_bytes: 64 * 1024,
    max_depth: 32,
};

/// Which "invalid sign" code an endpoint family answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Older fiat endpoints: invalid sign is `error_code` 1.
    Old,
    /// Newer endpoints (`/bill/create/v2`, crypto, invoice): invalid sign is `error_code` 10.
    New,
}

impl Family {
    fn invalid_sign_code(self) -> i64 {
        match self {
            Self::Old => 1,
            Self::New => 10,
        }
    }
}

/// A Qostiq error answer.
#[derive(Debug, Clone)]
pub struct QErr {
    /// HTTP status.
    pub http: StatusCode,
    /// `error_code`.
    pub code: i64,
    /// `message`.
    pub message: String,
}

impl QErr {
    /// Bad or missing parameter: code 10, HTTP 400.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 10, message)
    }

    /// Any code.
    pub fn new(http: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            http,
            code,
            message: message.into(),
        }
    }

    /// Lookup miss: HTTP 200 with `code` (7 or 2000), as the seeds show.
    pub fn not_found(code: i64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, code, message)
    }

    /// Duplicate `shop_payment_id`: code 6, HTTP 400.
    pub fn duplicate(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            6,
            format!("Duplicate {what} ({id}): must be unique"),
        )
    }

    /// Below the payway minimum: code 4.
    pub fn too_small(min: Decimal) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            4,
            format!("Amount is too small (minimum {})", min.normalize()),
        )
    }

    /// Not enough funds: code 5 (sandbox model; see docs/sandbox.md).
    pub fn insufficient() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            5,
            "Insufficient funds on the shop balance",
        )
    }
}

/// Handler result: the `data` of a success envelope, or an error.
pub type QResult = Result<J, QErr>;

type Handler = fn(&mut Ctx<'_>, &Req<'_, '_>) -> QResult;

/// The endpoints: path, family, handler.
const ROUTES: &[(&str, Family, Handler)] = &[
    ("/bill/create", Family::Old, bills::create),
    ("/bill/create/v2", Family::New, bills::create_v2),
    ("/bill/shop_order_status", Family::Old, bills::status),
    ("/transfer/try", Family::Old, transfers::try_transfer),
    ("/transfer/create", Family::Old, transfers::create),
    (
        "/transfer/shop_payment_status",
        Family::Old,
        transfers::status,
    ),
    ("/withdraw/try", Family::Old, withdrawals::try_withdraw),
    ("/check_account", Family::Old, withdrawals::check_account),
    ("/withdraw/create", Family::Old, withdrawals::create),
    ("/withdraw/status", Family::Old, withdrawals::status_by_id),
    (
        "/withdraw/shop_payment_status",
        Family::Old,
        withdrawals::status_by_shop_payment_id,
    ),
    ("/account/register", Family::Old, shop::register),
    ("/shop_balance", Family::Old, shop::balance),
    ("/shop_input_config/shop", Family::Old, shop::input_config),
    ("/shop_output_config/shop", Family::Old, shop::output_config),
    ("/crypto/withdraw/try", Family::New, crypto::try_withdraw),
    ("/crypto/withdraw/create", Family::New, crypto::create),
    ("/crypto/withdraw/status", Family::New, crypto::status_by_id),
    (
        "/crypto/withdraw/shop_payment_status",
        Family::New,
        crypto::status_by_shop_payment_id,
    ),
    ("/crypto/shop_balance", Family::New, crypto::balance),
    (
        "/crypto/shop_address/create",
        Family::New,
        crypto_wallet::shop_address_create,
    ),
    ("/crypto/bill/try", Family::New, crypto_wallet::bill_try),
    (
        "/crypto/transfer/try",
        Family::New,
        crypto_wallet::transfer_try,
    ),
    ("/invoice/try", Family::New, invoices::try_invoice),
    ("/invoice/create", Family::New, invoices::create),
];

/// The emulated endpoint paths (relative to `/qostiq`).
pub fn endpoints() -> impl Iterator<Item = &'static str> {
    ROUTES.iter().map(|(p, _, _)| *p)
}

/// The success envelope.
pub fn ok(data: J) -> String {
    obj([
        ("data", data),
        ("error_code", int(0)),
        ("message", s("Ok")),
        ("result", J::Bool(true)),
    ])
    .to_text()
}

/// The error envelope.
pub fn err_body(code: i64, message: &str) -> String {
    obj([
        ("data", J::Null),
        ("error_code", int(code)),
        ("message", s(message)),
        ("result", J::Bool(false)),
    ])
    .to_text()
}

fn error_reply(e: &QErr) -> Reply {
    Reply::json(e.http, err_body(e.code, &e.message))
}

/// Serves one Qostiq request.
pub fn handle(shared: &std::sync::Arc<Shared>, method: &Method, path: &str, body: &[u8]) -> Reply {
    let Some((endpoint, family, handler)) = ROUTES.iter().find(|(p, _, _)| *p == path) else {
        return error_reply(&QErr::new(
            StatusCode::NOT_FOUND,
            10,
            format!("Unknown method {path}"),
        ));
    };
    if method != Method::POST {
        return error_reply(&QErr::new(
            StatusCode::METHOD_NOT_ALLOWED,
            10,
            "Method not allowed: use POST",
        ));
    }
    let object = match StrictObject::parse(body, REQUEST_LIMITS) {
        Ok(o) => o,
        Err(e) => return error_reply(&QErr::bad(format!("Invalid JSON body: {e}"))),
    };
    if let Err(e) = verify(shared, endpoint, *family, &object) {
        return error_reply(&e);
    }
    let req = Req { obj: &object };
    match shared.with_state(|ctx| handler(ctx, &req)) {
        Ok(data) => Reply::json(StatusCode::OK, ok(data)),
        Err(e) => error_reply(&e),
    }
}

/// The lookup routes, the key they look up by, and the latest other key in their books.
type OtherKey = fn(&Ctx<'_>, &str) -> Option<String>;

const LOOKUPS: &[(&str, &str, OtherKey)] = &[
    (
        "/withdraw/shop_payment_status",
        "shop_payment_id",
        |ctx, key| {
            let list = &ctx.st.qostiq.withdrawals;
            list.iter()
                .rev()
                .map(|w| &w.shop_payment_id)
                .find(|k| *k != key)
                .cloned()
        },
    ),
    (
        "/crypto/withdraw/shop_payment_status",
        "shop_payment_id",
        |ctx, key| {
            let list = &ctx.st.qostiq.crypto_withdrawals;
            list.iter()
                .rev()
                .map(|w| &w.shop_payment_id)
                .find(|k| *k != key)
                .cloned()
        },
    ),
    (
        "/transfer/shop_payment_status",
        "shop_payment_id",
        |ctx, key| {
            let list = &ctx.st.qostiq.transfers;
            list.iter()
                .rev()
                .map(|t| &t.shop_payment_id)
                .find(|k| *k != key)
                .cloned()
        },
    ),
    ("/bill/shop_order_status", "shop_order_id", |ctx, key| {
        let list = &ctx.st.qostiq.bills;
        list.iter()
            .rev()
            .map(|b| &b.shop_order_key)
            .find(|k| *k != key)
            .cloned()
    }),
];

/// `lookup_other_payout`: the lookup at `path` answered for the latest *other* payout of its
/// family (another `shop_payment_id`), as the real handler answers it; `None` when the books hold
/// no other payout or `path` is not a lookup.
pub fn other_payout(shared: &std::sync::Arc<Shared>, path: &str, body: &[u8]) -> Option<Reply> {
    let (_, key_field, other_key) = LOOKUPS.iter().find(|(p, _, _)| *p == path)?;
    let (_, _, handler) = ROUTES.iter().find(|(p, _, _)| *p == path)?;
    let asked = StrictObject::parse(body, REQUEST_LIMITS).ok()?;
    let asked = Req { obj: &asked }.text(key_field).ok()?;
    shared.with_state(|ctx| {
        let other = other_key(ctx, &asked)?;
        let text = obj([(*key_field, s(other))]).to_text();
        let object = StrictObject::parse(text.as_bytes(), REQUEST_LIMITS).ok()?;
        let answer = handler(ctx, &Req { obj: &object }).ok()?;
        Some(Reply::json(StatusCode::OK, ok(answer)))
    })
}

/// `id_reused`: books an earlier payout under the `shop_payment_id` of the create at `path` with
/// other terms (amount + 1, the account's last character changed), as if an earlier order had
/// used the id, so that the request itself meets the duplicate. Unsigned: the earlier payout is
/// the sandbox's own doing. Does nothing for other routes or bodies it cannot read.
pub fn book_earlier(shared: &std::sync::Arc<Shared>, path: &str, body: &[u8]) {
    const CREATES: &[&str] = &[
        "/withdraw/create",
        "/crypto/withdraw/create",
        "/transfer/create",
    ];
    if !CREATES.contains(&path) {
        return;
    }
    let Some((_, _, handler)) = ROUTES.iter().find(|(p, _, _)| *p == path) else {
        return;
    };
    let Some(mut earlier) = J::parse_object(body, REQUEST_LIMITS) else {
        return;
    };
    if let Some(amount) = earlier.get("amount").and_then(|a| match a {
        J::Num(t) | J::Str(t) => t.parse::<Decimal>().ok(),
        _ => None,
    }) {
        earlier.set("amount", s((amount + Decimal::ONE).to_string()));
    }
    for key in ["account", "payee_account"] {
        if let Some(account) = earlier
            .get(key)
            .and_then(J::as_str)
            .map(crate::faults::other_account)
        {
            earlier.set(key, s(account));
        }
    }
    let text = earlier.to_text();
    let Ok(object) = StrictObject::parse(text.as_bytes(), REQUEST_LIMITS) else {
        return;
    };
    let _ = shared.with_state(|ctx| handler(ctx, &Req { obj: &object }));
}

fn verify(
    shared: &Shared,
    endpoint: &str,
    family: Family,
    object: &StrictObject<'_>,
) -> Result<(), QErr> {
    let keys = pay_signing::qostiq::signed_keys(endpoint).unwrap_or(&[]);
    for key in keys {
        if object.get(key).is_none_or(|m| m.value == Value::Null) {
            return Err(QErr::bad(format!(
                "{key}: Missing data for required field."
            )));
        }
    }
    let creds = shared.credentials();
    let shop = object
        .get("shop_id")
        .map(|m| python::str_form(&m.value))
        .unwrap_or_default();
    if shop != creds.qostiq_shop_id.to_string() {
        return Err(QErr::new(
            StatusCode::BAD_REQUEST,
            11,
            format!("Shop (id={shop}) wasn't found"),
        ));
    }
    let received = match object.get("sign").map(|m| &m.value) {
        Some(Value::String(text)) => text.to_ascii_lowercase(),
        _ => String::new(),
    };
    let expected = pay_signing::qostiq::sign_body(endpoint, object, &creds.qostiq_secret)
        .map(|e| e.sign)
        .unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), received.as_bytes()) {
        return Err(QErr::new(
            StatusCode::BAD_REQUEST,
            family.invalid_sign_code(),
            "invalid sign",
        ));
    }
    Ok(())
}

/// Byte comparison whose time depends only on the lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Typed access to a verified request body.
pub struct Req<'a, 'b> {
    /// The parsed body.
    pub obj: &'b StrictObject<'a>,
}

impl Req<'_, '_> {
    fn member(&self, key: &str) -> Option<&Member<'_>> {
        self.obj.get(key).filter(|m| m.value != Value::Null)
    }

    /// A required scalar as Python's `str()` renders it.
    pub fn text(&self, key: &str) -> Result<String, QErr> {
        let member = self
            .member(key)
            .ok_or_else(|| QErr::bad(format!("{key}: Missing data for required field.")))?;
        match &member.value {
            Value::Array(_) | Value::Object(_) => {
                Err(QErr::bad(format!("{key}: Not a valid string.")))
            }
            value => Ok(python::str_form(value)),
        }
    }

    /// An optional non-empty scalar.
    pub fn opt_text(&self, key: &str) -> Option<String> {
        self.text(key).ok().filter(|t| !t.is_empty())
    }

    /// A member as sent (for echoing), `null` when absent.
    pub fn j(&self, key: &str) -> J {
        self.obj
            .get(key)
            .map_or(J::Null, |m| J::from_value(&m.value))
    }

    /// A required amount (JSON string or number, read exactly).
    pub fn amount(&self, key: &str) -> Result<Decimal, QErr> {
        let member = self
            .member(key)
            .ok_or_else(|| QErr::bad(format!("{key}: Missing data for required field.")))?;
        let amount = Amount::from_raw_json(member.raw)
            .map_err(|_| QErr::bad(format!("{key}: Not a valid number.")))?;
        if !amount.is_positive() {
            return Err(QErr::bad(format!("{key}: Must be greater than 0.")));
        }
        Ok(amount.decimal())
    }

    /// A required ISO 4217 numeric currency (number or digit string).
    pub fn currency(&self, key: &str) -> Result<u16, QErr> {
        let text = self.text(key)?;
        let code: u16 = text
            .parse()
            .map_err(|_| QErr::bad(format!("{key}: Not a valid integer.")))?;
        if rate_usd(code).is_none() {
            return Err(QErr::bad(format!("{key}: Unsupported currency {code}.")));
        }
        Ok(code)
    }

    /// A required unsigned integer (number or digit string).
    pub fn uint(&self, key: &str) -> Result<u64, QErr> {
        self.text(key)?
            .parse()
            .map_err(|_| QErr::bad(format!("{key}: Not a valid integer.")))
    }
}

/// Rounds half-up to `places` decimals (how the server treats extra decimals).
pub fn round(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds down to `places` decimals.
pub fn round_down(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::ToZero)
}

/// USD value of one unit of a fiat currency (sandbox rates).
pub fn rate_usd(currency: u16) -> Option<Decimal> {
    match currency {
        840 => Some(Decimal::ONE),
        978 => Some(Decimal::new(108, 2)),
        980 => Some(Decimal::new(24, 3)),
        398 => Some(Decimal::new(2, 3)),
        _ => None,
    }
}

/// Converts a fiat amount between currencies at the sandbox rates, rounded half-up to cents.
pub fn convert(amount: Decimal, from: u16, to: u16) -> Result<Decimal, QErr> {
    if from == to {
        return Ok(round(amount, 2));
    }
    let (Some(f), Some(t)) = (rate_usd(from), rate_usd(to)) else {
        return Err(QErr::bad("Unsupported currency"));
    };
    let value = amount
        .checked_mul(f)
        .and_then(|v| v.checked_div(t))
        .ok_or_else(|| QErr::bad("amount: out of range"))?;
    Ok(round(value, 2))
}

/// A fee: `percent` % plus `fix`.
#[derive(Debug, Clone, Copy)]
pub struct Fee {
    /// Percent, as `(mantissa, scale)`.
    pub percent: (i64, u32),
    /// Fixed part, as `(mantissa, scale)`.
    pub fix: (i64, u32),
}

impl Fee {
    /// Percent as a decimal (`1.5`).
    pub fn percent(&self) -> Decimal {
        Decimal::new(self.percent.0, self.percent.1)
    }

    /// Fixed part.
    pub fn fix(&self) -> Decimal {
        Decimal::new(self.fix.0, self.fix.1)
    }

    /// Fee on `amount`, rounded half-up to `places`.
    pub fn on(&self, amount: Decimal, places: u32) -> Decimal {
        round(
            amount * self.percent() / Decimal::ONE_HUNDRED + self.fix(),
            places,
        )
    }

    /// The largest net `x` with `x + fee(x) <= gross`, rounded down to `places`.
    pub fn net_of(&self, gross: Decimal, places: u32) -> Decimal {
        let net = (gross - self.fix()) / (Decimal::ONE + self.percent() / Decimal::ONE_HUNDRED);
        round_down(net.max(Decimal::ZERO), places)
    }
}
