//! `GET /ping`, `GET /time` (public) and `GET /auth-test`.

use super::protocol::{CoinqvestAnswer, CoinqvestRequest};
use crate::context::Context;
use crate::json::{Json, integer, object};

/// `GET /ping`.
pub(crate) fn ping(_ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([("success", Json::Bool(true))]))
}

/// `GET /time`: the sandbox clock in Unix seconds.
pub(crate) fn time(ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([("time", integer(ctx.now.unix_timestamp()))]))
}

/// `GET /auth-test`.
pub(crate) fn auth_test(_ctx: &mut Context<'_>, _req: &CoinqvestRequest) -> CoinqvestAnswer {
    Ok(object([("success", Json::Bool(true))]))
}
