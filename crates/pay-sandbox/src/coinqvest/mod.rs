//! COINQVEST emulation (in progress).

use std::sync::Arc;

use http::{HeaderMap, Method, StatusCode};
use rust_decimal::Decimal;

use crate::json::J;
use crate::server::{Reply, Shared};

pub mod checkouts;

/// Serves one COINQVEST request.
pub fn handle(
    _shared: &Arc<Shared>,
    _method: &Method,
    _path: &str,
    _query: &str,
    _headers: &HeaderMap,
    _body: &[u8],
) -> Reply {
    Reply::json(
        StatusCode::NOT_FOUND,
        r#"{"errors":["Endpoint not found."]}"#.into(),
    )
}

/// Admin routes under `/admin/coinqvest`.
pub fn admin_route(
    _shared: &Arc<Shared>,
    path: &str,
    _get: bool,
    _post: bool,
    _text: &dyn Fn(&str) -> Option<String>,
    _amount: &dyn Fn(&str) -> Result<Option<Decimal>, String>,
) -> Result<J, (StatusCode, String)> {
    Err((
        StatusCode::NOT_FOUND,
        format!("no admin route /admin/coinqvest{path}"),
    ))
}
