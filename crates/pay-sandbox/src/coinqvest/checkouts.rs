//! Checkouts: `POST /checkout`, `POST /checkout/commit`, `POST /checkout/hosted`, `GET /checkout`,
//! `GET /checkouts`. States: `NEW_CHARGE` → `COMPLETED` / `EXPIRED` / `UNRESOLVED_UNDERPAID` /
//! `UNRESOLVED_OVERPAID` / `DELAYED_*` (payment after expiry) → `RESOLVED` (merchant). The payer is
//! played through the admin API; the wallet is credited only for completed or resolved payments.

use rust_decimal::{Decimal, RoundingStrategy};
use time::Duration;

use super::protocol::{
    CoinqvestAnswer, CoinqvestError, CoinqvestRequest, decimal_member, find_by_id, string_member,
};
use super::reference::{self, CHAINS};
use super::{payments, wallets, webhooks};
use crate::books::coinqvest::{Checkout, Deposit, Payment, PaymentMethod};
use crate::context::Context;
use crate::dates::w3c;
use crate::json::{Json, fixed_decimal, object, optional_string, string};

/// Payment window of a checkout.
pub(crate) const WINDOW_MINUTES: i64 = 60;

fn items(charge: &Json, key: &str) -> Result<Vec<Json>, CoinqvestError> {
    match charge.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => Ok(items.clone()),
        Some(_) => Err(CoinqvestError::bad(format!(
            "charge.{key} must be an array."
        ))),
    }
}

fn net_amount(item: &Json, what: &str) -> Result<Decimal, CoinqvestError> {
    let amount = decimal_member(item, "netAmount")?
        .ok_or_else(|| CoinqvestError::bad(format!("charge.{what}.netAmount is required.")))?;
    if amount < Decimal::ZERO {
        return Err(CoinqvestError::bad(format!(
            "charge.{what}.netAmount must not be negative."
        )));
    }
    Ok(amount)
}

fn description(item: &Json, what: &str, key: &str) -> Result<(), CoinqvestError> {
    match string_member(item, key) {
        Some(d) if !d.is_empty() && d.chars().count() <= 200 => Ok(()),
        Some(_) => Err(CoinqvestError::bad(format!(
            "charge.{what}.{key} must have 1 to 200 characters."
        ))),
        None => Err(CoinqvestError::bad(format!(
            "charge.{what}.{key} is required."
        ))),
    }
}

/// The total of a charge (PRO Tip #3 formula), in the charge currency.
pub(crate) fn total(charge: &Json) -> Result<Decimal, CoinqvestError> {
    let line_items = items(charge, "lineItems")?;
    if line_items.is_empty() {
        return Err(CoinqvestError::bad(
            "charge.lineItems is required and must not be empty.",
        ));
    }
    let mut net = Decimal::ZERO;
    for item in &line_items {
        description(item, "lineItems", "description")?;
        let quantity = match item.get("quantity") {
            None | Some(Json::Null) => Decimal::ONE,
            Some(Json::Number(q)) => q
                .parse::<u32>()
                .ok()
                .filter(|q| *q > 0)
                .map(Decimal::from)
                .ok_or_else(|| {
                    CoinqvestError::bad("charge.lineItems.quantity must be a positive integer.")
                })?,
            Some(_) => {
                return Err(CoinqvestError::bad(
                    "charge.lineItems.quantity must be a positive integer.",
                ));
            }
        };
        net += net_amount(item, "lineItems")? * quantity;
    }
    for item in items(charge, "discountItems")? {
        description(&item, "discountItems", "description")?;
        net -= net_amount(&item, "discountItems")?;
    }
    let mut shipping = Decimal::ZERO;
    let mut taxable_shipping = Decimal::ZERO;
    for item in items(charge, "shippingCostItems")? {
        description(&item, "shippingCostItems", "description")?;
        let amount = net_amount(&item, "shippingCostItems")?;
        shipping += amount;
        if item.get("taxable") == Some(&Json::Bool(true)) {
            taxable_shipping += amount;
        }
    }
    net += shipping;
    let mut tax = Decimal::ZERO;
    for item in items(charge, "taxItems")? {
        description(&item, "taxItems", "name")?;
        tax += decimal_member(&item, "percent")?
            .ok_or_else(|| CoinqvestError::bad("charge.taxItems.percent is required."))?;
    }
    let taxable = net - shipping + taxable_shipping;
    let total = net + taxable * tax;
    if total <= Decimal::ZERO {
        return Err(CoinqvestError::bad(
            "The total charge amount must be greater than zero.",
        ));
    }
    Ok(total)
}

fn quote(total_usd: Decimal) -> Vec<PaymentMethod> {
    CHAINS
        .iter()
        .filter_map(|c| {
            let price = reference::price_usd(c.code)?;
            let amount = (total_usd / price)
                .round_dp_with_strategy(c.decimals, RoundingStrategy::AwayFromZero);
            let min: Decimal = c.min_charge.parse().unwrap_or_default();
            let always = matches!(c.code, "XLM" | "XRP");
            (always || amount >= min).then(|| PaymentMethod {
                asset_code: c.code.to_owned(),
                blockchain: c.name.to_owned(),
                amount,
            })
        })
        .collect()
}

fn insert(
    ctx: &mut Context<'_>,
    req: &CoinqvestRequest,
    hosted: bool,
) -> Result<Checkout, CoinqvestError> {
    let charge = req
        .body
        .get("charge")
        .filter(|c| matches!(c, Json::Object(_)))
        .ok_or_else(|| CoinqvestError::bad("charge is required."))?;
    let currency = string_member(charge, "currency")
        .ok_or_else(|| CoinqvestError::bad("charge.currency is required."))?;
    let currency_issuer = reference::resolve_currency(currency).ok_or_else(|| {
        CoinqvestError::bad(format!("charge.currency {currency} is not supported."))
    })?;
    let total = total(charge)?;
    let settlement = match req.body.get("settlementCurrency") {
        None | Some(Json::Null) => None,
        Some(Json::String(text)) => {
            reference::resolve_currency(text).ok_or_else(|| {
                CoinqvestError::bad(format!("settlementCurrency {text} is not supported."))
            })?;
            Some(text.clone())
        }
        Some(_) => return Err(CoinqvestError::bad("settlementCurrency must be a string.")),
    };
    let customer_id = string_member(charge, "customerId").map(str::to_owned);
    if let Some(id) = &customer_id
        && !ctx.books.coinqvest.customers.iter().any(|c| &c.id == id)
    {
        return Err(CoinqvestError::bad(format!(
            "charge.customerId {id} does not exist."
        )));
    }
    let price = reference::price_usd(currency_issuer.network).unwrap_or(Decimal::ONE);
    let id = ctx.books.rng.hex(12);
    let hosted_url = hosted.then(|| format!("{}/coinqvest/en/checkout?id={id}", ctx.base_url));
    Ok(Checkout {
        id,
        created: ctx.now,
        expires: ctx.now + Duration::minutes(WINDOW_MINUTES),
        state: "NEW_CHARGE".to_owned(),
        hosted_url,
        payload: req.body.clone(),
        total,
        charge_currency: currency.to_owned(),
        settlement_currency: settlement,
        customer_id,
        webhook: string_member(&req.body, "webhook").map(str::to_owned),
        methods: quote(total * price),
        deposit: None,
        payments: Vec::new(),
    })
}

/// `POST /checkout`: a white-label checkout with its payment methods.
pub(crate) fn create(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let checkout = insert(ctx, req, false)?;
    let answer = object([
        ("id", string(&checkout.id)),
        (
            "paymentMethods",
            Json::Array(
                checkout
                    .methods
                    .iter()
                    .map(|m| {
                        object([
                            ("assetCode", string(&m.asset_code)),
                            ("blockchain", string(&m.blockchain)),
                            ("paymentAmount", string(m.amount.to_string())),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]);
    ctx.books.coinqvest.checkouts.push(checkout);
    Ok(answer)
}

/// `POST /checkout/hosted`.
pub(crate) fn hosted(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let checkout = insert(ctx, req, true)?;
    let answer = object([
        ("id", string(&checkout.id)),
        ("url", optional_string(checkout.hosted_url.as_deref())),
    ]);
    ctx.books.coinqvest.checkouts.push(checkout);
    Ok(answer)
}

/// The checkout `id`: its index in the books and the record, or COINQVEST's not-found answer.
fn find<'c>(ctx: &'c Context<'_>, id: &str) -> Result<(usize, &'c Checkout), CoinqvestError> {
    find_by_id(&ctx.books.coinqvest.checkouts, |c| &c.id, id, "Checkout")
}

/// [`find`] for the admin API: a copy of the checkout, and its index to write it back.
fn find_for_admin(ctx: &Context<'_>, id: &str) -> Result<(usize, Checkout), String> {
    find(ctx, id)
        .map(|(index, c)| (index, c.clone()))
        .map_err(|_| "checkout not found".to_owned())
}

/// The admin API's answer: the checkout at `index` as the API writes it.
fn admin_answer(ctx: &Context<'_>, index: usize) -> Result<Json, String> {
    let c = ctx
        .books
        .coinqvest
        .checkouts
        .get(index)
        .ok_or("checkout not found")?;
    Ok(object([("checkout", checkout_json(ctx, c))]))
}

fn deposit_for(ctx: &mut Context<'_>, method: PaymentMethod) -> Deposit {
    let rng = &mut ctx.books.rng;
    let (address, memo, tag) = match method.asset_code.as_str() {
        "BTC" => (format!("bc1q{}", rng.hex(38)), None, None),
        "ETH" => (format!("0x{}", rng.hex(40)), None, None),
        "LTC" => (format!("ltc1q{}", rng.hex(38)), None, None),
        "XRP" => (
            "rJY2W6QRaqbcmnYdzG3qdK1kYz5Ww6tXVk".to_owned(),
            None,
            Some((10_000 + rng.next_u64() % 90_000).to_string()),
        ),
        _ => (
            "GASKYWPPQ2VSO6KNIPIRVXMSSDGZLYZQ67CDTLVXOXYDG26SPZ66EDCQ".to_owned(),
            Some(format!("sandbox-{}", rng.hex(8))),
            None,
        ),
    };
    Deposit {
        method,
        address,
        memo,
        destination_tag: tag,
    }
}

/// `POST /checkout/commit`: deposit instructions for the chosen asset.
pub(crate) fn commit(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    expire(ctx);
    let id = string_member(&req.body, "checkoutId")
        .ok_or_else(|| CoinqvestError::bad("checkoutId is required."))?;
    let asset = string_member(&req.body, "assetCode")
        .ok_or_else(|| CoinqvestError::bad("assetCode is required."))?;
    let (index, checkout) = find(ctx, id)?;
    if checkout.state != "NEW_CHARGE" {
        return Err(CoinqvestError::bad(format!(
            "Checkout is {} and cannot be committed.",
            checkout.state
        )));
    }
    if checkout.deposit.is_some() {
        return Err(CoinqvestError::bad("Checkout was already committed."));
    }
    let method = checkout
        .methods
        .iter()
        .find(|m| m.asset_code == asset)
        .cloned()
        .ok_or_else(|| {
            CoinqvestError::bad(format!(
                "assetCode {asset} is not a payment method of this checkout."
            ))
        })?;
    let expires = checkout.expires;
    let deposit = deposit_for(ctx, method);
    let answer = object([
        (
            "depositInstructions",
            object([
                ("blockchain", string(&deposit.method.blockchain)),
                ("assetCode", string(&deposit.method.asset_code)),
                ("amount", string(deposit.method.amount.to_string())),
                ("address", string(&deposit.address)),
                ("memo", optional_string(deposit.memo.as_deref())),
                (
                    "memoType",
                    optional_string(deposit.memo.as_ref().map(|_| "text")),
                ),
                (
                    "destinationTag",
                    optional_string(deposit.destination_tag.as_deref()),
                ),
            ]),
        ),
        ("expirationTime", string(w3c(expires))),
        ("checkoutId", string(id)),
    ]);
    if let Some(c) = ctx.books.coinqvest.checkouts.get_mut(index) {
        c.deposit = Some(deposit);
    }
    Ok(answer)
}

/// A checkout as the API writes it.
pub(crate) fn checkout_json(ctx: &Context<'_>, c: &Checkout) -> Json {
    let payments = c
        .payments
        .iter()
        .filter_map(|id| ctx.books.coinqvest.payments.iter().find(|p| &p.id == id))
        .map(payments::payment_json)
        .collect();
    object([
        ("id", string(&c.id)),
        ("timestamp", string(w3c(c.created))),
        ("state", string(&c.state)),
        (
            "hostedCheckoutUrl",
            optional_string(c.hosted_url.as_deref()),
        ),
        ("payments", Json::Array(payments)),
        ("payload", c.payload.clone()),
    ])
}

/// `GET /checkout?id=`.
pub(crate) fn get(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    expire(ctx);
    let id = req.required_query("id")?;
    let (_, c) = find(ctx, id)?;
    Ok(object([("checkout", checkout_json(ctx, c))]))
}

/// `GET /checkouts?limit=&offset=` (newest first).
pub(crate) fn list(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    expire(ctx);
    let paging = req.paging()?;
    Ok(
        paging.answer("checkouts", &ctx.books.coinqvest.checkouts, |c| {
            checkout_json(ctx, c)
        }),
    )
}

/// Marks unpaid checkouts past their window as `EXPIRED`.
pub(crate) fn expire(ctx: &mut Context<'_>) {
    let now = ctx.now;
    for c in &mut ctx.books.coinqvest.checkouts {
        if c.state == "NEW_CHARGE" && c.expires <= now {
            c.state = "EXPIRED".to_owned();
        }
    }
}

/// Admin: expire a new checkout now.
pub(crate) fn force_expire(ctx: &mut Context<'_>, id: &str) -> Result<Json, String> {
    let (index, c) = find_for_admin(ctx, id)?;
    if c.state != "NEW_CHARGE" {
        return Err(format!("checkout is {}", c.state));
    }
    if let Some(c) = ctx.books.coinqvest.checkouts.get_mut(index) {
        c.state = "EXPIRED".to_owned();
    }
    admin_answer(ctx, index)
}

/// Admin: the customer pays. `ratio` `None` pays exactly (`COMPLETED`, credited); below 1
/// underpays, above 1 overpays (`UNRESOLVED_*`, not credited). After expiry the states are
/// `DELAYED_*`. A webhook is sent either way.
pub(crate) fn pay(
    ctx: &mut Context<'_>,
    id: &str,
    asset: Option<&str>,
    ratio: Option<Decimal>,
) -> Result<Json, String> {
    expire(ctx);
    let (index, c) = find_for_admin(ctx, id)?;
    let late = match c.state.as_str() {
        "NEW_CHARGE" => false,
        "EXPIRED" => true,
        other => return Err(format!("checkout is {other} and cannot be paid again")),
    };
    let method = match (&c.deposit, asset) {
        (Some(d), _) => d.method.clone(),
        (None, Some(code)) => c
            .methods
            .iter()
            .find(|m| m.asset_code == code)
            .cloned()
            .ok_or_else(|| format!("{code} is not a payment method of this checkout"))?,
        (None, None) => c
            .methods
            .first()
            .cloned()
            .ok_or("checkout has no payment method")?,
    };
    let settle = c
        .settlement_currency
        .clone()
        .unwrap_or_else(|| c.charge_currency.clone());
    let credit_issuer =
        reference::resolve_currency(&settle).ok_or("unsupported settlement currency")?;
    let charge_issuer =
        reference::resolve_currency(&c.charge_currency).ok_or("unsupported charge currency")?;
    let ratio_used = ratio.unwrap_or(Decimal::ONE);
    let total_usd = c.total * reference::price_usd(charge_issuer.network).unwrap_or(Decimal::ONE);
    let credit = (total_usd * ratio_used
        / reference::price_usd(credit_issuer.network).unwrap_or(Decimal::ONE))
    .round_dp_with_strategy(7, RoundingStrategy::ToZero);
    let source_issuer =
        reference::default_issuer(&method.asset_code).ok_or("unknown payment asset")?;
    let exact = ratio.is_none();
    let payment = Payment {
        id: ctx.books.rng.hex(12),
        checkout_id: c.id.clone(),
        state: if exact { "RESOLVED" } else { "UNRESOLVED" }.to_owned(),
        timestamp: ctx.now,
        credit_asset_code: credit_issuer.asset_code.to_owned(),
        credit_asset_issuer: credit_issuer.id.to_owned(),
        credit_amount: credit,
        source_asset_code: method.asset_code.clone(),
        source_asset_issuer: source_issuer.id.to_owned(),
        source_amount: (method.amount * ratio_used)
            .round_dp_with_strategy(7, RoundingStrategy::ToZero),
        source_blockchain: method.asset_code.clone(),
        source_account: format!("G{}", ctx.books.rng.hex(55).to_ascii_uppercase()),
        source_tx_id: ctx.books.rng.hex(64),
        customer_id: c.customer_id.clone(),
    };
    let state = match (exact, ratio_used < Decimal::ONE, late) {
        (true, _, false) => "COMPLETED",
        (true, _, true) => "DELAYED_COMPLETED",
        (false, true, false) => "UNRESOLVED_UNDERPAID",
        (false, true, true) => "DELAYED_UNDERPAID",
        (false, false, false) => "UNRESOLVED_OVERPAID",
        (false, false, true) => "DELAYED_OVERPAID",
    };
    if exact {
        wallets::credit(ctx, credit_issuer.id, credit);
    }
    let webhook_url = c
        .webhook
        .clone()
        .or_else(|| ctx.books.coinqvest.webhook_url.clone());
    webhooks::queue(ctx, &payment, webhook_url);
    let payment_id = payment.id.clone();
    ctx.books.coinqvest.payments.push(payment);
    if let Some(c) = ctx.books.coinqvest.checkouts.get_mut(index) {
        c.state = state.to_owned();
        c.payments.push(payment_id);
    }
    admin_answer(ctx, index)
}

/// Admin: the merchant resolves an unresolved checkout; its payments are credited.
pub(crate) fn resolve(ctx: &mut Context<'_>, id: &str) -> Result<Json, String> {
    let (index, c) = find_for_admin(ctx, id)?;
    if !(c.state.starts_with("UNRESOLVED")
        || c.state == "DELAYED_UNDERPAID"
        || c.state == "DELAYED_OVERPAID")
    {
        return Err(format!(
            "checkout is {} and has nothing to resolve",
            c.state
        ));
    }
    let mut credits = Vec::new();
    for p in &mut ctx.books.coinqvest.payments {
        if p.checkout_id == c.id && p.state == "UNRESOLVED" {
            p.state = "RESOLVED".to_owned();
            credits.push((p.credit_asset_issuer.clone(), p.credit_amount));
        }
    }
    for (asset, amount) in credits {
        wallets::credit(ctx, &asset, amount);
    }
    if let Some(c) = ctx.books.coinqvest.checkouts.get_mut(index) {
        c.state = "RESOLVED".to_owned();
    }
    admin_answer(ctx, index)
}

/// All checkouts (admin state), with totals.
pub(crate) fn all_json(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .coinqvest
            .checkouts
            .iter()
            .map(|c| {
                let mut j = checkout_json(ctx, c);
                j.set("total", fixed_decimal(c.total, 7));
                j
            })
            .collect(),
    )
}
