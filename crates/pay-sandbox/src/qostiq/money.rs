//! The sandbox's money model for Qostiq: rounding, fixed exchange rates, payway fees.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::json::{Json, object, python_float};

/// Rounds half-up to `places` decimals (how the server treats extra decimals).
pub(crate) fn round(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds down to `places` decimals.
pub(crate) fn round_down(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::ToZero)
}

/// The USD value of one unit of a fiat currency (the sandbox's fixed rates).
pub(crate) fn rate_usd(currency: u16) -> Option<Decimal> {
    match currency {
        840 => Some(Decimal::ONE),
        978 => Some(Decimal::new(108, 2)),
        980 => Some(Decimal::new(24, 3)),
        398 => Some(Decimal::new(2, 3)),
        _ => None,
    }
}

/// Why an amount could not be converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ConversionError {
    /// The sandbox has no rate for a currency.
    #[error("Unsupported currency")]
    UnsupportedCurrency,
    /// The converted amount does not fit.
    #[error("amount: out of range")]
    OutOfRange,
}

/// Converts a fiat amount between currencies at the sandbox rates, rounded half-up to cents.
pub(crate) fn convert(amount: Decimal, from: u16, to: u16) -> Result<Decimal, ConversionError> {
    if from == to {
        return Ok(round(amount, 2));
    }
    let (Some(f), Some(t)) = (rate_usd(from), rate_usd(to)) else {
        return Err(ConversionError::UnsupportedCurrency);
    };
    let value = amount
        .checked_mul(f)
        .and_then(|v| v.checked_div(t))
        .ok_or(ConversionError::OutOfRange)?;
    Ok(round(value, 2))
}

/// A fee: `percent` % plus `fix`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fee {
    /// The percent, as `(mantissa, scale)`.
    pub(crate) percent: (i64, u32),
    /// The fixed part, as `(mantissa, scale)`.
    pub(crate) fix: (i64, u32),
}

impl Fee {
    /// The percent as a decimal (`1.5`).
    pub(crate) fn percent(&self) -> Decimal {
        Decimal::new(self.percent.0, self.percent.1)
    }

    /// The fixed part.
    pub(crate) fn fix(&self) -> Decimal {
        Decimal::new(self.fix.0, self.fix.1)
    }

    /// `fee_config` as the shop config endpoints answer it: `{"fix": 0.5, "percent": 1.5}`.
    pub(crate) fn config_json(&self) -> Json {
        object([
            ("fix", python_float(self.fix())),
            ("percent", python_float(self.percent())),
        ])
    }

    /// The fee on `amount`, rounded half-up to `places`.
    pub(crate) fn on(&self, amount: Decimal, places: u32) -> Decimal {
        round(
            amount * self.percent() / Decimal::ONE_HUNDRED + self.fix(),
            places,
        )
    }

    /// The largest net `x` with `x + fee(x) <= gross`, rounded down to `places`.
    pub(crate) fn net_of(&self, gross: Decimal, places: u32) -> Decimal {
        let net = (gross - self.fix()) / (Decimal::ONE + self.percent() / Decimal::ONE_HUNDRED);
        round_down(net.max(Decimal::ZERO), places)
    }
}

/// A payway's amount limit, `(mantissa, scale)`, as the shop config endpoints answer it (a Python
/// float: `1.0`).
pub(crate) fn limit_json(limit: (i64, u32)) -> Json {
    python_float(Decimal::new(limit.0, limit.1))
}
