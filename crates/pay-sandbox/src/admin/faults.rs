//! `POST /admin/faults`: a fault rule from its JSON arguments.

use std::time::Duration;

use http::StatusCode;
use rust_decimal::Decimal;

use super::args::{Args, Refusal, bad};
use crate::fault_rules::NewRule;
use crate::faults::{Fault, FaultClass};

/// The rule `{route, fault, count?, probability?, method?, delay_ms?, hold_ms?, status?,
/// applied?, retry_after?}` describes.
pub(crate) fn rule(args: &Args<'_>) -> Result<NewRule, Refusal> {
    let route = args
        .text("route")
        .ok_or_else(|| bad("`route` is required"))?;
    let name = args
        .text("fault")
        .ok_or_else(|| bad("`fault` is required"))?;
    let class: FaultClass = name.parse().map_err(|e| bad(format!("{e}")))?;
    let millis = |key: &str| -> Result<Duration, Refusal> {
        Ok(Duration::from_millis(args.uint(key)?.unwrap_or(1000)))
    };
    let fault = match class {
        FaultClass::CommitThenDrop => Fault::CommitThenDrop,
        FaultClass::CommitThenDelay => Fault::CommitThenDelay(millis("delay_ms")?),
        FaultClass::CommitThenTruncate => Fault::CommitThenTruncate,
        FaultClass::ResetBeforeCommit => Fault::ResetBeforeCommit,
        FaultClass::Status5xx => {
            let status = args.uint("status")?.unwrap_or(503);
            let status = u16::try_from(status)
                .ok()
                .filter(|s| (500..=599).contains(s))
                .and_then(|s| StatusCode::from_u16(s).ok())
                .ok_or_else(|| bad("`status` must be 500..=599"))?;
            Fault::Status5xx {
                status,
                applied: args.bool("applied").unwrap_or(false),
            }
        }
        FaultClass::Status429 => Fault::Status429 {
            retry_after_secs: args.uint("retry_after")?.unwrap_or(1),
        },
        FaultClass::LookupOtherPayout => Fault::LookupOtherPayout,
        FaultClass::LookupMismatch => Fault::LookupMismatch,
        FaultClass::IdReused => Fault::IdReused,
        FaultClass::HeldThenCommit => Fault::HeldThenCommit(millis("hold_ms")?),
        FaultClass::RecreateRefusedInFlight => Fault::RecreateRefusedInFlight(millis("hold_ms")?),
        FaultClass::AlreadyCompleted => Fault::AlreadyCompleted,
        FaultClass::CommitAnsweredLate => {
            return Err(bad(
                "`commit_answered_late` is a caller's scenario, not one fault: inject \
                 `commit_then_delay`, drop the call, then repeat it (`already_completed`)",
            ));
        }
    };
    let probability_ppm = match args.amount("probability")? {
        None => None,
        Some(p) if p >= Decimal::ZERO && p <= Decimal::ONE => {
            let ppm = (p * Decimal::new(1_000_000, 0)).trunc();
            Some(u32::try_from(ppm.mantissa() / 10i128.pow(ppm.scale())).unwrap_or(1_000_000))
        }
        Some(_) => return Err(bad("`probability` must be within 0..=1")),
    };
    let route = if route.starts_with('/') || route == "*" {
        route
    } else {
        format!("/{route}")
    };
    Ok(NewRule {
        route,
        method: args.text("method").map(|m| m.to_ascii_uppercase()),
        fault,
        count: args.uint("count")?,
        probability_ppm,
    })
}
