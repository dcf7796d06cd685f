//! Bills: `/bill/create`, `/bill/create/v2`, `/bill/shop_order_status`; paid or canceled by the
//! payer through the admin API, expired by lifetime on the sandbox clock.

use http::StatusCode;
use rust_decimal::Decimal;
use time::Duration;

use super::callbacks;
use super::money::{convert, round};
use super::protocol::{QostiqAnswer, QostiqError, QostiqRequest};
use crate::books::qostiq::Bill;
use crate::context::Context;
use crate::dates;
use crate::json::{Json, integer, object, optional_string, python_float, string};

/// Default lifetime of `/bill/create` bills, in minutes.
pub(crate) const DEFAULT_LIFETIME_V1: i64 = 43_200;
/// Default lifetime of `/bill/create/v2` bills, in minutes.
pub(crate) const DEFAULT_LIFETIME_V2: i64 = 90;

fn lifetime(req: &QostiqRequest<'_, '_>, default: i64) -> Result<(Json, i64), QostiqError> {
    match req.optional_text("lifetime") {
        None => Ok((integer(default), default)),
        Some(text) => {
            let minutes: i64 = text
                .parse()
                .map_err(|_| QostiqError::bad("lifetime: Not a valid integer."))?;
            if minutes <= 0 {
                return Err(QostiqError::bad("lifetime: Must be greater than 0."));
            }
            Ok((req.as_sent("lifetime"), minutes))
        }
    }
}

fn check_unique_order(ctx: &Context<'_>, key: &str) -> Result<(), QostiqError> {
    let shop = &ctx.books.qostiq;
    if shop.shop_order_id_unique
        && (shop.bills.iter().any(|b| b.shop_order_key == key)
            || shop.invoices.iter().any(|i| i.shop_order_key == key))
    {
        return Err(QostiqError::new(
            StatusCode::BAD_REQUEST,
            6,
            format!("Duplicate shop_order_id ({key}): must be unique for this shop"),
        ));
    }
    Ok(())
}

fn bill_json(ctx: &Context<'_>, bill: &Bill) -> Json {
    let mut json = object([
        ("created", string(dates::http_date(bill.created))),
        ("id", integer(bill.id)),
        ("lifetime", bill.lifetime.clone()),
        ("payer_account", bill.payer_account.clone()),
        ("payer_currency", integer(bill.payer_currency)),
        (
            "payer_price",
            bill.payer_price.map_or(Json::Null, python_float),
        ),
    ]);
    json.extend(shop_fields(ctx, bill));
    let url = format!("{}/qostiq-wallet/en/bill/pay/{}", ctx.base_url, bill.token);
    json.set("url", string(url));
    json
}

/// The shop's side of a bill, as every bill answer writes it: `shop_amount` to `shop_refund`.
fn shop_fields(ctx: &Context<'_>, bill: &Bill) -> Json {
    object([
        (
            "shop_amount",
            bill.shop_amount.map_or(Json::Null, python_float),
        ),
        ("shop_currency", integer(bill.shop_currency)),
        ("shop_id", integer(ctx.credentials.qostiq_shop_id)),
        ("shop_order_id", bill.shop_order_id.clone()),
        (
            "shop_refund",
            bill.shop_refund.map_or(Json::Null, python_float),
        ),
    ])
}

#[allow(clippy::too_many_arguments)]
fn insert(
    ctx: &mut Context<'_>,
    req: &QostiqRequest<'_, '_>,
    v2: bool,
    shop_amount: Option<Decimal>,
    shop_currency: u16,
    payer_currency: u16,
    payer_account: Json,
    lifetime: (Json, i64),
) -> QostiqAnswer {
    let key = req.text("shop_order_id")?;
    check_unique_order(ctx, &key)?;
    let payer_price = match shop_amount {
        Some(a) => Some(convert(a, shop_currency, payer_currency)?),
        None => None,
    };
    let id = ctx.books.qostiq.new_id();
    let token = ctx.books.rng.hex(32);
    let bill = Bill {
        id,
        v2,
        shop_order_id: req.as_sent("shop_order_id"),
        shop_order_key: key,
        shop_amount,
        shop_currency,
        payer_currency,
        shop_refund: shop_amount,
        payer_price,
        description: req.optional_text("description").unwrap_or_default(),
        payer_account,
        lifetime: lifetime.0,
        lifetime_minutes: lifetime.1,
        created: ctx.now,
        processed: None,
        status: 1,
        callback_url: req.optional_text("callback_url"),
        callback_rejected_url: req.optional_text("callback_rejected_url"),
        token,
        paid_by: None,
        payment_id: None,
    };
    let data = bill_json(ctx, &bill);
    ctx.books.qostiq.bills.push(bill);
    Ok(data)
}

/// `POST /bill/create`.
pub(crate) fn create(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
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
        req.as_sent("payer_account"),
        lifetime,
    )
}

/// `POST /bill/create/v2` (fixed amount when `amount` is sent, free amount otherwise).
pub(crate) fn create_v2(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let currency = req.currency("currency")?;
    let amount = if req.has("amount") {
        Some(round(req.amount("amount")?, 2))
    } else {
        None
    };
    let lifetime = lifetime(req, DEFAULT_LIFETIME_V2)?;
    insert(
        ctx,
        req,
        true,
        amount,
        currency,
        currency,
        req.as_sent("email"),
        lifetime,
    )
}

/// Marks waiting bills whose lifetime has passed as expired (status 4).
pub(crate) fn expire(ctx: &mut Context<'_>) {
    let now = ctx.now;
    for bill in &mut ctx.books.qostiq.bills {
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
pub(crate) fn status(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    expire(ctx);
    let key = req.text("shop_order_id")?;
    let bills: Vec<&Bill> = ctx
        .books
        .qostiq
        .bills
        .iter()
        .filter(|b| b.shop_order_key == key)
        .collect();
    let Some(bill) = bills.last() else {
        return Err(QostiqError::not_found(
            7,
            format!("Bill (shop_order_id={key}) wasn't found"),
        ));
    };
    let is_unique = bills.len() == 1;
    Ok(bill_fields(
        ctx,
        bill,
        Some(is_unique),
        integer(bill.status),
    ))
}

/// Finds a bill by Qostiq id or (last) `shop_order_id`.
/// The waiting bill with Qostiq's `id`, else the last one with `shop_order_id` (bills past their
/// lifetime expired first).
fn waiting_bill<'a>(
    ctx: &'a mut Context<'_>,
    id: Option<u64>,
    shop_order_id: Option<&str>,
) -> Result<&'a mut Bill, String> {
    expire(ctx);
    let bills = &mut ctx.books.qostiq.bills;
    let index = match (id, shop_order_id) {
        (Some(id), _) => bills.iter().position(|b| b.id == id),
        (None, Some(key)) => bills.iter().rposition(|b| b.shop_order_key == key),
        (None, None) => return Err("give `id` or `shop_order_id`".into()),
    };
    let bill = index
        .and_then(|i| bills.get_mut(i))
        .ok_or("bill not found")?;
    if bill.status != 1 {
        return Err(format!("bill is not waiting (status {})", bill.status));
    }
    Ok(bill)
}

/// A bill as Qostiq writes it: in the status answer (with `is_unique` and the status code) and in
/// the payment notification (without `is_unique`, the status by name).
fn bill_fields(ctx: &Context<'_>, bill: &Bill, is_unique: Option<bool>, status: Json) -> Json {
    let mut json = object([
        (
            "client_price",
            bill.payer_price.map_or(Json::Null, python_float),
        ),
        ("created", string(dates::qostiq(bill.created))),
        ("description", string(&bill.description)),
    ]);
    if let Some(is_unique) = is_unique {
        json.set("is_unique", Json::Bool(is_unique));
    }
    json.extend(object([
        ("payment_id", integer(bill.payment_id.unwrap_or(bill.id))),
        ("payway", string(payway(bill.payer_currency))),
        (
            "processed",
            bill.processed
                .map_or(Json::Null, |p| string(dates::qostiq(p))),
        ),
        ("ps_currency", integer(bill.payer_currency)),
        (
            "ps_data",
            object([("ps_payer_account", optional_string(bill.paid_by.as_deref()))]),
        ),
    ]));
    json.extend(shop_fields(ctx, bill));
    json.set("status", status);
    json
}

/// Admin: the payer pays a waiting bill (free-amount bills need `amount`). Credits the shop and
/// sends the payment notification.
pub(crate) fn pay(
    ctx: &mut Context<'_>,
    id: Option<u64>,
    shop_order_id: Option<&str>,
    amount: Option<Decimal>,
    payer: Option<String>,
) -> Result<Json, String> {
    let payment_id = ctx.books.qostiq.new_id();
    let default_url = ctx.books.qostiq.callback_url.clone();
    let now = ctx.now;
    let bill = waiting_bill(ctx, id, shop_order_id)?;
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
    bill.processed = Some(now);
    bill.paid_by = Some(payer.unwrap_or_else(|| "201500000001".to_owned()));
    bill.payment_id = Some(payment_id);
    let bill = bill.clone();
    let balance = ctx.books.qostiq.fiat_mut(bill.shop_currency);
    balance.available += shop_amount;
    let body = bill_fields(ctx, &bill, None, string("success"));
    let url = bill.callback_url.clone().or(default_url);
    callbacks::queue(ctx, "payment", bill.shop_order_key.clone(), url, &body);
    Ok(body)
}

/// Admin: the payer cancels a waiting bill (status 3); a rejection notification goes to
/// `callback_rejected_url` when the bill named one.
pub(crate) fn cancel(
    ctx: &mut Context<'_>,
    id: Option<u64>,
    shop_order_id: Option<&str>,
) -> Result<Json, String> {
    let now = ctx.now;
    let bill = waiting_bill(ctx, id, shop_order_id)?;
    bill.status = 3;
    bill.processed = Some(now);
    let bill = bill.clone();
    let body = bill_fields(ctx, &bill, None, string("rejected"));
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
pub(crate) fn list(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .qostiq
            .bills
            .iter()
            .map(|b| {
                let mut j = bill_json(ctx, b);
                j.set("status", integer(b.status));
                j.set("v2", Json::Bool(b.v2));
                j
            })
            .collect(),
    )
}
