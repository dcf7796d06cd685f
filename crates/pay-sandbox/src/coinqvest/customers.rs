//! Customers: `POST /customer` (create, or update when the email exists), `GET /customer`,
//! `PUT /customer` (partial: a `null` unsets, an absent key keeps), `DELETE /customer`,
//! `GET /customers`.

use super::protocol::{
    CoinqvestAnswer, CoinqvestError, CoinqvestRequest, find_by_id, string_member,
};
use crate::books::coinqvest::Customer;
use crate::context::Context;
use crate::dates::w3c;
use crate::json::{Json, object, string};

/// Attributes a customer may carry.
pub(crate) const FIELDS: &[&str] = &[
    "email",
    "firstname",
    "lastname",
    "company",
    "adr1",
    "adr2",
    "zip",
    "city",
    "countrycode",
    "phonenumber",
    "taxid",
    "note",
    "meta",
];

fn country_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "US" => "United States",
        "GB" => "United Kingdom",
        "DE" => "Germany",
        "FR" => "France",
        "NG" => "Nigeria",
        "CA" => "Canada",
        "UA" => "Ukraine",
        "PL" => "Poland",
        "CH" => "Switzerland",
        _ => return None,
    })
}

fn validate(key: &str, value: &Json) -> Result<(), CoinqvestError> {
    match (key, value) {
        (_, Json::Null) => Ok(()),
        ("meta", Json::Object(_)) => Ok(()),
        ("meta", _) => Err(CoinqvestError::bad("customer.meta must be an object.")),
        ("email", Json::String(e)) if !e.contains('@') => Err(CoinqvestError::bad(
            "customer.email is not a valid email address.",
        )),
        ("countrycode", Json::String(c))
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            Err(CoinqvestError::bad(
                "customer.countrycode must be a two-letter ISO code.",
            ))
        }
        (_, Json::String(_)) => Ok(()),
        _ => Err(CoinqvestError::bad(format!(
            "customer.{key} must be a string."
        ))),
    }
}

/// Applies present keys: a value sets, `null` unsets, absent keys are kept.
fn apply(customer: &mut Customer, patch: &Json) -> Result<(), CoinqvestError> {
    let Json::Object(members) = patch else {
        return Err(CoinqvestError::bad("customer must be an object."));
    };
    for (key, value) in members {
        if !FIELDS.contains(&key.as_str()) {
            continue;
        }
        validate(key, value)?;
        if key == "email" && value.is_null() {
            return Err(CoinqvestError::bad("customer.email cannot be unset."));
        }
        let value = match value {
            Json::String(text) if key == "countrycode" => Json::String(text.to_ascii_uppercase()),
            other => other.clone(),
        };
        customer.fields.retain(|(k, _)| k != key);
        if !value.is_null() {
            customer.fields.push((key.clone(), value));
        }
    }
    Ok(())
}

fn customer_json(c: &Customer) -> Json {
    let f = |k: &str| c.field(k).cloned().unwrap_or(Json::Null);
    let text = |k: &str| c.field(k).and_then(Json::as_str).map(str::to_owned);
    let name = match (text("firstname"), text("lastname")) {
        (Some(a), Some(b)) => string(format!("{a} {b}")),
        (Some(a), None) | (None, Some(a)) => string(a),
        (None, None) => Json::Null,
    };
    let country = text("countrycode")
        .and_then(|c| country_name(&c))
        .map_or(Json::Null, string);
    let address = ["adr1", "zip", "city", "countrycode"]
        .iter()
        .all(|k| text(k).is_some());
    let named =
        (text("firstname").is_some() && text("lastname").is_some()) || text("company").is_some();
    object([
        ("id", string(&c.id)),
        ("email", f("email")),
        ("firstname", f("firstname")),
        ("lastname", f("lastname")),
        ("name", name),
        ("company", f("company")),
        ("adr1", f("adr1")),
        ("adr2", f("adr2")),
        ("zip", f("zip")),
        ("city", f("city")),
        ("countrycode", f("countrycode")),
        ("country", country),
        ("phonenumber", f("phonenumber")),
        ("taxid", f("taxid")),
        ("note", f("note")),
        ("meta", f("meta")),
        ("inserttime", string(w3c(c.inserttime))),
        ("updatetime", string(w3c(c.updatetime))),
        ("invoiceable", Json::Bool(address && named)),
    ])
}

fn customer_object(req: &CoinqvestRequest) -> Result<&Json, CoinqvestError> {
    req.body
        .get("customer")
        .filter(|c| matches!(c, Json::Object(_)))
        .ok_or_else(|| CoinqvestError::bad("customer is required."))
}

/// `POST /customer`.
pub(crate) fn create(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let patch = customer_object(req)?;
    let email = string_member(patch, "email")
        .ok_or_else(|| CoinqvestError::bad("customer.email is required."))?;
    let now = ctx.now;
    let existing = ctx
        .books
        .coinqvest
        .customers
        .iter()
        .position(|c| c.field("email").and_then(Json::as_str) == Some(email));
    let index = match existing {
        Some(i) => i,
        None => {
            let id = ctx.books.rng.hex(12);
            ctx.books.coinqvest.customers.push(Customer {
                id,
                fields: Vec::new(),
                inserttime: now,
                updatetime: now,
            });
            ctx.books.coinqvest.customers.len() - 1
        }
    };
    let customer = patch_customer(ctx, index, patch)?;
    Ok(object([("customerId", string(&customer.id))]))
}

/// Applies `patch` to the customer at `index`, all or nothing, and stamps its update time.
fn patch_customer<'c>(
    ctx: &'c mut Context<'_>,
    index: usize,
    patch: &Json,
) -> Result<&'c Customer, CoinqvestError> {
    let now = ctx.now;
    let customer = ctx
        .books
        .coinqvest
        .customers
        .get_mut(index)
        .ok_or_else(|| CoinqvestError::not_found("Customer not found."))?;
    let mut updated = customer.clone();
    apply(&mut updated, patch)?;
    updated.updatetime = now;
    *customer = updated;
    Ok(customer)
}

/// The customer `id`: its index in the books and the record, or COINQVEST's not-found answer.
fn find<'c>(ctx: &'c Context<'_>, id: &str) -> Result<(usize, &'c Customer), CoinqvestError> {
    find_by_id(&ctx.books.coinqvest.customers, |c| &c.id, id, "Customer")
}

/// `GET /customer?id=`.
pub(crate) fn get(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let (_, c) = find(ctx, req.required_query("id")?)?;
    Ok(object([("customer", customer_json(c))]))
}

/// `PUT /customer`.
pub(crate) fn update(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let patch = customer_object(req)?;
    let id = string_member(patch, "id")
        .ok_or_else(|| CoinqvestError::bad("customer.id is required."))?;
    let (index, _) = find(ctx, id)?;
    if let Some(email) = string_member(patch, "email")
        && ctx
            .books
            .coinqvest
            .customers
            .iter()
            .any(|c| c.id != id && c.field("email").and_then(Json::as_str) == Some(email))
    {
        return Err(CoinqvestError::bad(
            "Another customer already uses this email address.",
        ));
    }
    patch_customer(ctx, index, patch)?;
    Ok(object([("success", Json::Bool(true))]))
}

/// `DELETE /customer` (body `{"id": …}`).
pub(crate) fn delete(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let id =
        string_member(&req.body, "id").ok_or_else(|| CoinqvestError::bad("id is required."))?;
    let (index, _) = find(ctx, id)?;
    ctx.books.coinqvest.customers.remove(index);
    Ok(object([("success", Json::Bool(true))]))
}

/// `GET /customers?limit=&offset=` (newest first).
pub(crate) fn list(ctx: &mut Context<'_>, req: &CoinqvestRequest) -> CoinqvestAnswer {
    let paging = req.paging()?;
    Ok(paging.answer("customers", &ctx.books.coinqvest.customers, customer_json))
}

/// All customers (admin state).
pub(crate) fn all_json(ctx: &Context<'_>) -> Json {
    Json::Array(
        ctx.books
            .coinqvest
            .customers
            .iter()
            .map(customer_json)
            .collect(),
    )
}
