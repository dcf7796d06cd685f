//! Invoices (beyond the seeds, model): `/invoice/try`, `/invoice/create`; paid or rejected by the
//! payer through the admin API, which sends the signed payment notification.

use rust_decimal::Decimal;

use super::callbacks;
use super::money::{Fee, round};
use super::protocol::{QostiqAnswer, QostiqError, QostiqRequest, find_payway};
use crate::books::qostiq::Invoice;
use crate::context::Context;
use crate::dates;
use crate::json::{Json, integer, object, optional_string, python_float, string};

/// An incoming (invoice) payway.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InputPayway {
    /// The payway alias (`card_uah`).
    pub(crate) alias: &'static str,
    /// The payway's ISO 4217 numeric currency.
    pub(crate) currency: u16,
    /// Fee (charged to the shop: `percent_part` 1.0).
    pub(crate) fee: Fee,
    /// Minimum amount.
    pub(crate) min: (i64, u32),
    /// Maximum amount.
    pub(crate) max: (i64, u32),
    /// Payway id.
    pub(crate) id: u32,
}

/// The shop's invoice payways.
pub(crate) const PAYWAYS: &[InputPayway] = &[
    InputPayway {
        alias: "card_uah",
        currency: 980,
        fee: Fee {
            percent: (6, 0),
            fix: (0, 0),
        },
        min: (1, 0),
        max: (100_000, 0),
        id: 154,
    },
    InputPayway {
        alias: "card_usd",
        currency: 840,
        fee: Fee {
            percent: (4, 0),
            fix: (0, 0),
        },
        min: (1, 0),
        max: (10_000, 0),
        id: 155,
    },
];

fn quote(
    req: &QostiqRequest<'_, '_>,
) -> Result<(&'static InputPayway, Decimal, Decimal, u16), QostiqError> {
    let alias = req.text("payway")?;
    let payway = find_payway(PAYWAYS, &alias, |p| p.alias)?;
    let currency = req.currency("currency")?;
    if currency != payway.currency {
        return Err(QostiqError::bad(format!(
            "currency: {currency} does not match the payway currency {}.",
            payway.currency
        )));
    }
    let amount = round(req.amount("amount")?, 2);
    let min = Decimal::new(payway.min.0, payway.min.1);
    if amount < min {
        return Err(QostiqError::too_small(min));
    }
    if amount > Decimal::new(payway.max.0, payway.max.1) {
        return Err(QostiqError::bad("amount: exceeds the payway maximum."));
    }
    let refund = amount - payway.fee.on(amount, 2);
    Ok((payway, amount, refund, currency))
}

/// `POST /invoice/try`.
pub(crate) fn try_invoice(_ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let (payway, amount, refund, currency) = quote(req)?;
    Ok(object([
        ("add_ons_config", Json::Null),
        ("client_price", python_float(amount)),
        ("currency", integer(currency)),
        ("payway", string(payway.alias)),
        ("ps_currency", integer(payway.currency)),
        ("shop_amount", python_float(amount)),
        ("shop_refund", python_float(refund)),
    ]))
}

/// `POST /invoice/create` (answer shape is the model of PROTOCOL.md: `id`, `method`, `url`, `data`).
pub(crate) fn create(ctx: &mut Context<'_>, req: &QostiqRequest<'_, '_>) -> QostiqAnswer {
    let (payway, amount, refund, currency) = quote(req)?;
    let key = req.text("shop_order_id")?;
    let shop = &mut ctx.books.qostiq;
    if shop.shop_order_id_unique
        && (shop.invoices.iter().any(|i| i.shop_order_key == key)
            || shop.bills.iter().any(|b| b.shop_order_key == key))
    {
        return Err(QostiqError::new(
            http::StatusCode::BAD_REQUEST,
            6,
            format!("Duplicate shop_order_id ({key}): must be unique for this shop"),
        ));
    }
    let id = shop.new_id();
    shop.invoices.push(Invoice {
        id,
        shop_order_id: req.as_sent("shop_order_id"),
        shop_order_key: key,
        amount,
        currency,
        payway: payway.alias.to_owned(),
        client_price: amount,
        shop_refund: refund,
        status: 1,
        description: req.optional_text("description").unwrap_or_default(),
        created: ctx.now,
        processed: None,
        callback_url: req.optional_text("callback_url"),
        callback_rejected_url: req.optional_text("callback_rejected_url"),
        payment_id: None,
    });
    Ok(object([
        ("data", Json::Object(Vec::new())),
        ("id", integer(id)),
        ("method", string("GET")),
        (
            "url",
            string(format!("{}/qostiq-pay/en/invoice/{id}", ctx.base_url)),
        ),
    ]))
}

/// Admin: the payer completes (`success`) or fails (`rejected`) an invoice.
pub(crate) fn settle(
    ctx: &mut Context<'_>,
    id: Option<u64>,
    shop_order_id: Option<&str>,
    success: bool,
) -> Result<Json, String> {
    let payment_id = ctx.books.qostiq.new_id();
    let default_url = ctx.books.qostiq.callback_url.clone();
    let shop = &mut ctx.books.qostiq;
    let index = match (id, shop_order_id) {
        (Some(id), _) => shop.invoices.iter().position(|i| i.id == id),
        (None, Some(key)) => shop.invoices.iter().rposition(|i| i.shop_order_key == key),
        (None, None) => return Err("give `id` or `shop_order_id`".into()),
    }
    .ok_or("invoice not found")?;
    let inv = shop.invoices.get_mut(index).ok_or("invoice not found")?;
    if inv.status != 1 {
        return Err(format!("invoice is not waiting (status {})", inv.status));
    }
    inv.status = if success { 2 } else { 3 };
    inv.processed = Some(ctx.now);
    inv.payment_id = Some(payment_id);
    let inv = inv.clone();
    if success {
        shop.fiat_mut(inv.currency).available += inv.shop_refund;
    }
    let body = object([
        ("client_price", python_float(inv.client_price)),
        ("created", string(dates::qostiq(inv.created))),
        ("description", string(&inv.description)),
        ("payment_id", integer(payment_id)),
        ("payway", string(&inv.payway)),
        ("processed", string(dates::qostiq(ctx.now))),
        ("ps_currency", integer(inv.currency)),
        (
            "ps_data",
            object([("card_mask", string("411111******1111"))]),
        ),
        ("shop_amount", python_float(inv.amount)),
        ("shop_currency", integer(inv.currency)),
        ("shop_id", integer(ctx.credentials.qostiq_shop_id)),
        ("shop_order_id", inv.shop_order_id.clone()),
        (
            "shop_refund",
            python_float(if success {
                inv.shop_refund
            } else {
                Decimal::ZERO
            }),
        ),
        (
            "status",
            string(if success { "success" } else { "rejected" }),
        ),
    ]);
    let url = if success {
        inv.callback_url.clone().or(default_url)
    } else {
        inv.callback_rejected_url.clone()
    };
    callbacks::queue(ctx, "invoice", inv.shop_order_key.clone(), url, &body);
    Ok(body)
}

/// Invoices as JSON (admin state).
pub(crate) fn list(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .qostiq
            .invoices
            .iter()
            .map(|i| {
                object([
                    ("id", integer(i.id)),
                    ("shop_order_id", i.shop_order_id.clone()),
                    ("amount", python_float(i.amount)),
                    ("currency", integer(i.currency)),
                    ("payway", string(&i.payway)),
                    ("shop_refund", python_float(i.shop_refund)),
                    ("status", integer(i.status)),
                    ("payment_id", i.payment_id.map_or(Json::Null, integer)),
                    ("callback_url", optional_string(i.callback_url.as_deref())),
                ])
            })
            .collect(),
    )
}
