//! Invoices (beyond the seeds, model): `/invoice/try`, `/invoice/create`; paid or rejected by the
//! payer through the admin API, which sends the signed payment notification.

use rust_decimal::Decimal;

use super::{Fee, QErr, QResult, Req, callbacks, round};
use crate::json::{J, int, obj, opt_s, py_float, s};
use crate::state::Ctx;
use crate::state::qostiq::Invoice;
use crate::time_fmt;

/// An incoming (invoice) payway.
#[derive(Debug, Clone, Copy)]
pub struct InputPayway {
    /// Alias.
    pub alias: &'static str,
    /// Currency.
    pub currency: u16,
    /// Fee (charged to the shop: `percent_part` 1.0).
    pub fee: Fee,
    /// Minimum amount.
    pub min: (i64, u32),
    /// Maximum amount.
    pub max: (i64, u32),
    /// Payway id.
    pub id: u32,
}

/// The shop's invoice payways.
pub const PAYWAYS: &[InputPayway] = &[
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

fn quote(req: &Req<'_, '_>) -> Result<(&'static InputPayway, Decimal, Decimal, u16), QErr> {
    let alias = req.text("payway")?;
    let pw = PAYWAYS
        .iter()
        .find(|p| p.alias == alias)
        .ok_or_else(|| QErr::bad(format!("payway: `{alias}` is not available for this shop.")))?;
    let currency = req.currency("currency")?;
    if currency != pw.currency {
        return Err(QErr::bad(format!(
            "currency: {currency} does not match the payway currency {}.",
            pw.currency
        )));
    }
    let amount = round(req.amount("amount")?, 2);
    let min = Decimal::new(pw.min.0, pw.min.1);
    if amount < min {
        return Err(QErr::too_small(min));
    }
    if amount > Decimal::new(pw.max.0, pw.max.1) {
        return Err(QErr::bad("amount: exceeds the payway maximum."));
    }
    let refund = amount - pw.fee.on(amount, 2);
    Ok((pw, amount, refund, currency))
}

/// `POST /invoice/try`.
pub fn try_invoice(_ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let (pw, amount, refund, currency) = quote(req)?;
    Ok(obj([
        ("add_ons_config", J::Null),
        ("client_price", py_float(amount)),
        ("currency", int(currency)),
        ("payway", s(pw.alias)),
        ("ps_currency", int(pw.currency)),
        ("shop_amount", py_float(amount)),
        ("shop_refund", py_float(refund)),
    ]))
}

/// `POST /invoice/create` (answer shape is the model of PROTOCOL.md: `id`, `method`, `url`, `data`).
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_, '_>) -> QResult {
    let (pw, amount, refund, currency) = quote(req)?;
    let key = req.text("shop_order_id")?;
    let q = &mut ctx.st.qostiq;
    if q.shop_order_id_unique
        && (q.invoices.iter().any(|i| i.shop_order_key == key)
            || q.bills.iter().any(|b| b.shop_order_key == key))
    {
        return Err(QErr::new(
            http::StatusCode::BAD_REQUEST,
            6,
            format!("Duplicate shop_order_id ({key}): must be unique for this shop"),
        ));
    }
    let id = q.new_id();
    q.invoices.push(Invoice {
        id,
        shop_order_id: req.j("shop_order_id"),
        shop_order_key: key,
        amount,
        currency,
        payway: pw.alias.to_owned(),
        client_price: amount,
        shop_refund: refund,
        status: 1,
        description: req.opt_text("description").unwrap_or_default(),
        created: ctx.now,
        processed: None,
        callback_url: req.opt_text("callback_url"),
        callback_rejected_url: req.opt_text("callback_rejected_url"),
        payment_id: None,
    });
    Ok(obj([
        ("data", J::Obj(Vec::new())),
        ("id", int(id)),
        ("method", s("GET")),
        (
            "url",
            s(format!("{}/qostiq-pay/en/invoice/{id}", ctx.base_url)),
        ),
    ]))
}

/// Admin: the payer completes (`success`) or fails (`rejected`) an invoice.
pub fn settle(
    ctx: &mut Ctx<'_>,
    id: Option<u64>,
    shop_order_id: Option<&str>,
    success: bool,
) -> Result<J, String> {
    let payment_id = ctx.st.qostiq.new_id();
    let default_url = ctx.st.qostiq.callback_url.clone();
    let q = &mut ctx.st.qostiq;
    let index = match (id, shop_order_id) {
        (Some(id), _) => q.invoices.iter().position(|i| i.id == id),
        (None, Some(key)) => q.invoices.iter().rposition(|i| i.shop_order_key == key),
        (None, None) => return Err("give `id` or `shop_order_id`".into()),
    }
    .ok_or("invoice not found")?;
    let inv = q.invoices.get_mut(index).ok_or("invoice not found")?;
    if inv.status != 1 {
        return Err(format!("invoice is not waiting (status {})", inv.status));
    }
    inv.status = if success { 2 } else { 3 };
    inv.processed = Some(ctx.now);
    inv.payment_id = Some(payment_id);
    let inv = inv.clone();
    if success {
        q.fiat_mut(inv.currency).available += inv.shop_refund;
    }
    let body = obj([
        ("client_price", py_float(inv.client_price)),
        ("created", s(time_fmt::qostiq(inv.created))),
        ("description", s(&inv.description)),
        ("payment_id", int(payment_id)),
        ("payway", s(&inv.payway)),
        ("processed", s(time_fmt::qostiq(ctx.now))),
        ("ps_currency", int(inv.currency)),
        ("ps_data", obj([("card_mask", s("411111******1111"))])),
        ("shop_amount", py_float(inv.amount)),
        ("shop_currency", int(inv.currency)),
        ("shop_id", int(ctx.creds.qostiq_shop_id)),
        ("shop_order_id", inv.shop_order_id.clone()),
        (
            "shop_refund",
            py_float(if success {
                inv.shop_refund
            } else {
                Decimal::ZERO
            }),
        ),
        ("status", s(if success { "success" } else { "rejected" })),
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
pub fn list(ctx: &Ctx<'_>) -> J {
    J::Arr(
        ctx.st
            .qostiq
            .invoices
            .iter()
            .map(|i| {
                obj([
                    ("id", int(i.id)),
                    ("shop_order_id", i.shop_order_id.clone()),
                    ("amount", py_float(i.amount)),
                    ("currency", int(i.currency)),
                    ("payway", s(&i.payway)),
                    ("shop_refund", py_float(i.shop_refund)),
                    ("status", int(i.status)),
                    ("payment_id", i.payment_id.map_or(J::Null, int)),
                    ("callback_url", opt_s(i.callback_url.as_deref())),
                ])
            })
            .collect(),
    )
}
