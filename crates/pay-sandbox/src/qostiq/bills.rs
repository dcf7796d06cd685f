//! Bills: `/bill/create`, `/bill/create/v2`, `/bill/shop_order_status`; paid or canceled by the
//! payer through the admin API, expired by lifetime on the sandbox clock.

use http::StatusCode;
use rust_decimal::Decimal;
use time::Duration;

use super::{QErr, QResult, Req, callbacks, convert, round};
use crate::json::{J, int, obj, opt_s, py_float, s};
use crate::state::Ctx;
use crate::state::qostiq::Bill;
use crate::time_fmt;

/// Default lifetime of `/bill/create` bills, in minutes.
pub const DEFAULT_LIFETIME_V1: i64 = 43_200;
/// Default lifetime of `/bill/create/v2` bills, in minutes.
pub const DEFAULT_LIFETIME_V2: i64 = 90;

fn lifetime(req: &Req<'_, '_>, default: i64) -> Result<(J, i64), QErr> {
    match req.opt_text("lifetime") {
        None => Ok((int(default), default)),
        Some(text) => {
            let minutes: i64 = text
                .parse()
                .map_err(|_| QErr::bad("lifetime: Not a valid integer."))?;
            if minutes <= 0 {
                return Err(QErr::bad("lifetime: Must be greater than 0."));
            }
            Ok((req.j("lifetime"), minutes))
        }
    }
}

fn check_unique_order(ctx: &Ctx<'_>, key: &str) -> Result<(), QErr> {
    let q = &ctx.st.qostiq;
    if q.shop_order_id_unique
        && (q.bills.iter().any(|b| b.shop_order_key == key)
            || q.invoices.iter().any(|i| i.shop_order_key == key))
    {
        return Err(QErr::new(
            StatusCode::BAD_REQUEST,
            6,
            format!("Duplicate shop_order_id ({key}): must be unique for this shop"),
        ));
    }
    Ok(())
}

fn bill_json(ctx: &Ctx<'_>, bill: &Bill) -> J {
    obj([
        ("created", s(time_fmt::http_date(bill.created))),
        ("id", int(bill.id)),
        ("lifetime", bill.lifetime.clone()),
        ("payer_account", bill.payer_account.clone()),
        ("payer_currency", int(bill.payer_currency)),
        ("payer_price", bill.payer_price.map_or(J::Null, py_float)),
        ("shop_amount", bill.shop_amount.map_or(J::Null, py_float)),
        ("shop_currency", int(bill.shop_currency)),
        ("shop_id", int(ctx.creds.qostiq_shop_id)),
        ("shop_order_id", bill.shop_order_id.clone()),
        ("shop_refund", bill.shop_refund.map_or(J::Null, py_float)),
        (
            "url",
            s(format!(
                "{}/qostiq-wallet/en/bill/pay/{}",
                ctx.base_url, bill.token
            )),
        ),
    ])
}

#[allow(clippy::too_many_arguments)]
fn insert(
    ctx: &mut Ctx<'_>,
    req: &Req<'_, '_>,
    v2: bool,
    shop_amount: Option<Decimal>,
    shop_currency: u16,
    payer_currency: u16,
    payer_account: J,
    lifetime: (J, i64),
) -> QResult {
    let key = req.text("shop_order_id")?;
    check_unique_order(ctx, &key)?;
    let payer_price = match shop_amount {
        Some(a) => Some(convert(a, shop_currency, payer_currency)?),
        None => None,
    };
    let id = ctx.st.qostiq.new_id();
    let token = ctx.st.rng.hex(32);
    let bill = Bill {
        id,
        v2,
        shop_order_id: req.j("shop_order_id"),
        shop_order_key: key,
        shop_amount,
        shop_currency,
        payer_currency,
        shop_refund: shop_amount,
        payer_price,
        description: req.opt_text("description").unwrap_or_default(),
        payer_account,
        lifetime: lifetime.0,
        lifetime_minutes: lifetime.1,
        created: ctx.now,
        processed: None,
        status: 1,
        callback_url: req.opt_text("callback_url"),
        callback_rejected_url: req.opt_text("callback_rejected_url"),
        token,
        paid_by: None,
        payment_id: None,
    };
    let data = bill_json(ctx, &bill);
    ctx.st.qostiq.bills.push(bill);
    Ok(data)
}

/// `POST /bill/create`.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let amount = round(req.amount("shop_amount")?, 2);
    let shop_currency = req.currency("shop_currency")?;
    let payer_currency = req.currency("payer_currency")?;
    let lifetime = lifetime(req, DEFAULT_LIFETIME_V1)?;
    insert(
        ctx,
        req,
        false,
        Some(amount),
        shop_currency,
        payer_currency,
        req.j("payer_account"),
        lifetime,
    )
}

/// `POST /bill/create/v2` (fixed amount when `amount` is sent, free amount otherwise).
pub fn create_v2(ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let currency = req.currency("currency")?;
    let amount = match req
        .obj
        .get("amount")
        .filter(|m| !matches!(m.value, pay_core::json::Value::Null))
    {
        Some(_) => Some(round(req.amount("amount")?, 2)),
        None => None,
    };
    let lifetime = lifetime(req, DEFAULT_LIFETIME_V2)?;
    insert(
        ctx,
        req,
        true,
        amount,
        currency,
        currency,
        req.j("email"),
        lifetime,
    )
}

/// Marks waiting bills whose lifetime has passed as expired (status 4).
pub fn expire(ctx: &mut Ctx<'_>) {
    let now = ctx.now;
    for bill in &mut ctx.st.qostiq.bills {
        if bill.status == 1 && bill.created + Duration::minutes(bill.lifetime_minutes) <= now {
            bill.status = 4;
            bill.processed = Some(now);
        }
    }
}

fn payway(currency: u16) -> &'static str {
    match currency {
        980 => "qostiq_uah",
        978 => "qostiq_eur",
        398 => "qostiq_kzt",
        _ => "qostiq_usd",
    }
}

/// `POST /bill/shop_order_status`: the last bill with this `shop_order_id`.
pub fn status(ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    expire(ctx);
    let key = req.text("shop_order_id")?;
    let bills: Vec<&Bill> = ctx
        .st
        .qostiq
        .bills
        .iter()
        .filter(|b| b.shop_order_key == key)
        .collect();
    let Some(bill) = bills.last() else {
        return Err(QErr::not_found(
            7,
            format!("Bill (shop_order_id={key}) wasn't found"),
        ));
    };
    Ok(obj([
        ("client_price", bill.payer_price.map_or(J::Null, py_float)),
        ("created", s(time_fmt::qostiq(bill.created))),
        ("description", s(&bill.description)),
        ("is_unique", J::Bool(bills.len() == 1)),
        ("payment_id", int(bill.payment_id.unwrap_or(bill.id))),
        ("payway", s(payway(bill.payer_currency))),
        (
            "processed",
            bill.processed.map_or(J::Null, |p| s(time_fmt::qostiq(p))),
        ),
        ("ps_currency", int(bill.payer_currency)),
        (
            "ps_data",
            obj([("ps_payer_account", opt_s(bill.paid_by.as_deref()))]),
        ),
        ("shop_amount", bill.shop_amount.map_or(J::Null, py_float)),
        ("shop_currency", int(bill.shop_currency)),
        ("shop_id", int(ctx.creds.qostiq_shop_id)),
        ("shop_order_id", bill.shop_order_id.clone()),
        ("shop_refund", bill.shop_refund.map_or(J::Null, py_float)),
        ("status", int(bill.status)),
    ]))
}

/// Finds a bill by Qostiq id or (last) `shop_order_id`.
fn find(ctx: &mut Ctx<'_>, id: Option<u64>, shop_order_id: Option<&str>) -> Result<usize, String> {
    let bills = &ctx.st.qostiq.bills;
    let index = match (id, shop_order_id) {
        (Some(id), _) => bills.iter().position(|b| b.id == id),
        (None, Some(key)) => bills.iter().rposition(|b| b.shop_order_key == key),
        (None, None) => return Err("give `id` or `shop_order_id`".into()),
    };
    index.ok_or_else(|| "bill not found".into())
}

fn notification(ctx: &Ctx<'_>, bill: &Bill, status: &str) -> J {
    obj([
        ("client_price", bill.payer_price.map_or(J::Null, py_float)),
        ("created", s(time_fmt::qostiq(bill.created))),
        ("description", s(&bill.description)),
        ("payment_id", int(bill.payment_id.unwrap_or(bill.id))),
        ("payway", s(payway(bill.payer_currency))),
        (
            "processed",
            bill.processed.map_or(J::Null, |p| s(time_fmt::qostiq(p))),
        ),
        ("ps_currency", int(bill.payer_currency)),
        (
            "ps_data",
            obj([("ps_payer_account", opt_s(bill.paid_by.as_deref()))]),
        ),
        ("shop_amount", bill.shop_amount.map_or(J::Null, py_float)),
        ("shop_currency", int(bill.shop_currency)),
        ("shop_id", int(ctx.creds.qostiq_shop_id)),
        ("shop_order_id", bill.shop_order_id.clone()),
        ("shop_refund", bill.shop_refund.map_or(J::Null, py_float)),
        ("status", s(status)),
    ])
}

/// Admin: the payer pays a waiting bill (free-amount bills need `amount`). Credits the shop and
/// sends the payment notification.
pub fn pay(
    ctx: &mut Ctx<'_>,
    id: Option<u64>,
    shop_order_id: Option<&str>,
    amount: Option<Decimal>,
    payer: Option<String>,
) -> Result<J, String> {
    expire(ctx);
    let index = find(ctx, id, shop_order_id)?;
    let payment_id = ctx.st.qostiq.new_id();
    let default_url = ctx.st.qostiq.callback_url.clone();
    let bill = ctx.st.qostiq.bills.get_mut(index).ok_or("bill not found")?;
    if bill.status != 1 {
        return Err(format!("bill is not waiting (status {})", bill.status));
    }
    let shop_amount = match (bill.shop_amount, amount) {
        (Some(fixed), _) => fixed,
        (None, Some(a)) if a > Decimal::ZERO => round(a, 2),
        (None, _) => return Err("free-amount bill: give a positive `amount`".into()),
    };
    bill.shop_amount = Some(shop_amount);
    bill.shop_refund = Some(shop_amount);
    if bill.payer_price.is_none() {
        bill.payer_price = Some(shop_amount);
    }
    bill.status = 2;
    bill.processed = Some(ctx.now);
    bill.paid_by = Some(payer.unwrap_or_else(|| "201500000001".to_owned()));
    bill.payment_id = Some(payment_id);
    let bill = bill.clone();
    let balance = ctx.st.qostiq.fiat_mut(bill.shop_currency);
    balance.available += shop_amount;
    let body = notification(ctx, &bill, "success");
    let url = bill.callback_url.clone().or(default_url);
    callbacks::queue(ctx, "payment", bill.shop_order_key.clone(), url, &body);
    Ok(body)
}

/// Admin: the payer cancels a waiting bill (status 3); a rejection notification goes to
/// `callback_rejected_url` when the bill named one.
pub fn cancel(
    ctx: &mut Ctx<'_>,
    id: Option<u64>,
    shop_order_id: Option<&str>,
) -> Result<J, String> {
    expire(ctx);
    let index = find(ctx, id, shop_order_id)?;
    let bill = ctx.st.qostiq.bills.get_mut(index).ok_or("bill not found")?;
    if bill.status != 1 {
        return Err(format!("bill is not waiting (status {})", bill.status));
    }
    bill.status = 3;
    bill.processed = Some(ctx.now);
    let bill = bill.clone();
    let body = notification(ctx, &bill, "rejected");
    if bill.callback_rejected_url.is_some() {
        callbacks::queue(
            ctx,
            "payment",
            bill.shop_order_key.clone(),
            bill.callback_rejected_url.clone(),
            &body,
        );
    }
    Ok(body)
}

/// Bills as JSON (admin state).
pub fn list(ctx: &Ctx<'_>) -> J {
    J::Arr(
        ctx.st
            .qostiq
            .bills
            .iter()
            .map(|b| {
                let mut j = bill_json(ctx, b);
                j.set("status", int(b.status));
                j.set("v2", J::Bool(b.v2));
                j
            })
            .collect(),
    )
}
