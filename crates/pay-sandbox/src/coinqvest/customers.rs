//! Customers: `POST /customer` (create, or update when the email exists), `GET /customer`,
//! `PUT /customer` (partial: a `null` unsets, an absent key keeps), `DELETE /customer`,
//! `GET /customers`.

use super::{CqErr, CqReq, CqResult, jstr};
use crate::json::{J, int, obj, s};
use crate::state::Ctx;
use crate::state::coinqvest::Customer;
use crate::time_fmt::w3c;

/// Attributes a customer may carry.
pub const FIELDS: &[&str] = &[
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

fn validate(key: &str, value: &J) -> Result<(), CqErr> {
    match (key, value) {
        (_, J::Null) => Ok(()),
        ("meta", J::Obj(_)) => Ok(()),
        ("meta", _) => Err(CqErr::bad("customer.meta must be an object.")),
        ("email", J::Str(e)) if !e.contains('@') => {
            Err(CqErr::bad("customer.email is not a valid email address."))
        }
        ("countrycode", J::Str(c))
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            Err(CqErr::bad(
                "customer.countrycode must be a two-letter ISO code.",
            ))
        }
        (_, J::Str(_)) => Ok(()),
        _ => Err(CqErr::bad(format!("customer.{key} must be a string."))),
    }
}

/// Applies present keys: a value sets, `null` unsets, absent keys are kept.
fn apply(customer: &mut Customer, patch: &J) -> Result<(), CqErr> {
    let J::Obj(members) = patch else {
        return Err(CqErr::bad("customer must be an object."));
    };
    for (key, value) in members {
        if !FIELDS.contains(&key.as_str()) {
            continue;
        }
        validate(key, value)?;
        if key == "email" && value.is_null() {
            return Err(CqErr::bad("customer.email cannot be unset."));
        }
        let value = match value {
            J::Str(text) if key == "countrycode" => J::Str(text.to_ascii_uppercase()),
            other => other.clone(),
        };
        customer.fields.retain(|(k, _)| k != key);
        if !value.is_null() {
            customer.fields.push((key.clone(), value));
        }
    }
    Ok(())
}

fn customer_json(c: &Customer) -> J {
    let f = |k: &str| c.field(k).cloned().unwrap_or(J::Null);
    let text = |k: &str| c.field(k).and_then(J::as_str).map(str::to_owned);
    let name = match (text("firstname"), text("lastname")) {
        (Some(a), Some(b)) => s(format!("{a} {b}")),
        (Some(a), None) | (None, Some(a)) => s(a),
        (None, None) => J::Null,
    };
    let country = text("countrycode")
        .and_then(|c| country_name(&c))
        .map_or(J::Null, s);
    let address = ["adr1", "zip", "city", "countrycode"]
        .iter()
        .all(|k| text(k).is_some());
    let named =
        (text("firstname").is_some() && text("lastname").is_some()) || text("company").is_some();
    obj([
        ("id", s(&c.id)),
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
        ("inserttime", s(w3c(c.inserttime))),
        ("updatetime", s(w3c(c.updatetime))),
        ("invoiceable", J::Bool(address && named)),
    ])
}

fn customer_object(req: &CqReq) -> Result<&J, CqErr> {
    req.body
        .get("customer")
        .filter(|c| matches!(c, J::Obj(_)))
        .ok_or_else(|| CqErr::bad("customer is required."))
}

/// `POST /customer`.
pub fn create(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let patch = customer_object(req)?;
    let email = jstr(patch, "email").ok_or_else(|| CqErr::bad("customer.email is required."))?;
    let now = ctx.now;
    let existing = ctx
        .st
        .coinqvest
        .customers
        .iter()
        .position(|c| c.field("email").and_then(J::as_str) == Some(email));
    let index = match existing {
        Some(i) => i,
        None => {
            let id = ctx.st.rng.hex(12);
            ctx.st.coinqvest.customers.push(Customer {
                id,
                fields: Vec::new(),
                inserttime: now,
                updatetime: now,
            });
            ctx.st.coinqvest.customers.len() - 1
        }
    };
    let customer = ctx
        .st
        .coinqvest
        .customers
        .get_mut(index)
        .ok_or_else(|| CqErr::not_found("Customer not found."))?;
    let mut updated = customer.clone();
    apply(&mut updated, patch)?;
    updated.updatetime = now;
    *customer = updated;
    Ok(obj([("customerId", s(&customer.id))]))
}

fn find(ctx: &Ctx<'_>, id: &str) -> Result<usize, CqErr> {
    ctx.st
        .coinqvest
        .customers
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| CqErr::not_found("Customer not found."))
}

/// `GET /customer?id=`.
pub fn get(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let index = find(ctx, req.q_required("id")?)?;
    let c = ctx
        .st
        .coinqvest
        .customers
        .get(index)
        .ok_or_else(|| CqErr::not_found("Customer not found."))?;
    Ok(obj([("customer", customer_json(c))]))
}

/// `PUT /customer`.
pub fn update(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let patch = customer_object(req)?;
    let id = jstr(patch, "id").ok_or_else(|| CqErr::bad("customer.id is required."))?;
    let index = find(ctx, id)?;
    if let Some(email) = jstr(patch, "email")
        && ctx
            .st
            .coinqvest
            .customers
            .iter()
            .any(|c| c.id != id && c.field("email").and_then(J::as_str) == Some(email))
    {
        return Err(CqErr::bad(
            "Another customer already uses this email address.",
        ));
    }
    let now = ctx.now;
    let customer = ctx
        .st
        .coinqvest
        .customers
        .get_mut(index)
        .ok_or_else(|| CqErr::not_found("Customer not found."))?;
    let mut updated = customer.clone();
    apply(&mut updated, patch)?;
    updated.updatetime = now;
    *customer = updated;
    Ok(obj([("success", J::Bool(true))]))
}

/// `DELETE /customer` (body `{"id": …}`).
pub fn delete(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let id = jstr(&req.body, "id").ok_or_else(|| CqErr::bad("id is required."))?;
    let index = find(ctx, id)?;
    ctx.st.coinqvest.customers.remove(index);
    Ok(obj([("success", J::Bool(true))]))
}

/// `GET /customers?limit=&offset=` (newest first).
pub fn list(ctx: &mut Ctx<'_>, req: &CqReq) -> CqResult {
    let (limit, offset, limit_j, offset_j) = req.paging()?;
    let all = &ctx.st.coinqvest.customers;
    Ok(obj([
        ("count", int(all.len() as u64)),
        ("limit", limit_j),
        ("offset", offset_j),
        (
            "customers",
            J::Arr(
                all.iter()
                    .rev()
                    .skip(offset)
                    .take(limit)
                    .map(customer_json)
                    .collect(),
            ),
        ),
    ]))
}

/// All customers (admin state).
pub fn all_json(ctx: &Ctx<'_>) -> J {
    J::Arr(
        ctx.st
            .coinqvest
            .customers
            .iter()
            .map(customer_json)
            .collect(),
    )
}
