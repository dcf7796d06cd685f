//! `GET /ping`, `GET /time` (public) and `GET /auth-test`.

use super::{CqReq, CqResult};
use crate::json::{J, int, obj};
use crate::state::Ctx;

/// `GET /ping`.
pub fn ping(_ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([("success", J::Bool(true))]))
}

/// `GET /time`: the sandbox clock in Unix seconds.
pub fn time(ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([("time", int(ctx.now.unix_timestamp()))]))
}

/// `GET /auth-test`.
pub fn auth_test(_ctx: &mut Ctx<'_>, _req: &CqReq) -> CqResult {
    Ok(obj([("success", J::Bool(true))]))
}
