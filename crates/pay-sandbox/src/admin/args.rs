//! The admin API's request arguments and answers: `{"ok": true, …}` or `{"ok": false, "error": "…"}`.

use http::StatusCode;
use pay_core::json::{StrictObject, Value, python};
use pay_core::money::Amount;
use rust_decimal::Decimal;

use crate::exchange::Reply;
use crate::json::{Json, object, string};

/// A refusal: the status (400, 404, 409) and the message.
pub(crate) type Refusal = (StatusCode, String);

/// What an admin route answers: the members of a success, or a refusal.
pub(crate) type Routed = Result<Reply, Refusal>;

/// A 400 refusal.
pub(crate) fn bad(message: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, message.into())
}

/// A refusal of an action on an object: 404 when it does not exist, else 409 (not allowed in
/// its current state).
pub(crate) fn conflict(message: String) -> Refusal {
    if message.contains("not found") {
        (StatusCode::NOT_FOUND, message)
    } else {
        (StatusCode::CONFLICT, message)
    }
}

/// `{"ok": true}` with the members of `data` (an object), or with `result` holding it.
pub(crate) fn ok(data: Json) -> Reply {
    let mut body = object([("ok", Json::Bool(true))]);
    match data {
        Json::Object(_) => body.extend(data),
        other => body.set("result", other),
    }
    Reply::json(StatusCode::OK, body.to_text())
}

/// `{"ok": false, "error": message}` with `status`.
pub(crate) fn fail(status: StatusCode, message: impl Into<String>) -> Reply {
    Reply::json(
        status,
        object([("ok", Json::Bool(false)), ("error", string(message.into()))]).to_text(),
    )
}

/// One admin request below a provider's prefix (`/admin/qostiq{path}`): the rest of its path,
/// whether it is a GET or a POST, and its arguments.
pub(crate) struct Call<'a> {
    /// The path below the provider's prefix (`/state`).
    pub(crate) path: &'a str,
    /// A GET.
    pub(crate) get: bool,
    /// A POST.
    pub(crate) post: bool,
    /// The arguments.
    pub(crate) args: &'a Args<'a>,
}

/// The parsed JSON arguments of an admin request (none for an empty body).
pub(crate) struct Args<'a> {
    /// The body, when one was sent.
    pub(crate) body: Option<StrictObject<'a>>,
}

impl Args<'_> {
    fn value(&self, key: &str) -> Option<&Value<'_>> {
        self.body
            .as_ref()
            .and_then(|o| o.get(key))
            .map(|m| &m.value)
            .filter(|v| **v != Value::Null)
    }

    /// A scalar as text (Python's `str()` form), when present and not `null`.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        self.value(key).map(python::str_form)
    }

    /// An unsigned integer, when present.
    pub(crate) fn uint(&self, key: &str) -> Result<Option<u64>, Refusal> {
        self.text(key)
            .map(|t| {
                t.parse()
                    .map_err(|_| bad(format!("`{key}` must be an integer")))
            })
            .transpose()
    }

    /// A decimal (string or number, read exactly), when present.
    pub(crate) fn amount(&self, key: &str) -> Result<Option<Decimal>, Refusal> {
        let raw = self
            .body
            .as_ref()
            .and_then(|o| o.get(key))
            .filter(|m| m.value != Value::Null)
            .map(|m| m.raw);
        raw.map(|r| {
            Amount::from_raw_json(r)
                .map(|a| a.decimal())
                .map_err(|_| bad(format!("`{key}` must be a decimal (string or number)")))
        })
        .transpose()
    }

    /// A boolean, when present.
    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        match self.value(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The object named by `id` or by `key` (a shop's id).
    pub(crate) fn selector(&self, key: &str) -> Result<(Option<u64>, Option<String>), Refusal> {
        Ok((self.uint("id")?, self.text(key)))
    }
}
