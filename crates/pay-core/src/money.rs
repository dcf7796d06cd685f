//! Exact money. An [`Amount`] is a `rust_decimal::Decimal` that keeps the scale it was written with
//! (`"10.00"` stays `"10.00"`), is only ever parsed from text, and is sent as a JSON string by default.
//!
//! ```
//! use pay_core::money::{Amount, Precision};
//!
//! let amount: Amount = "10.50".parse().unwrap();
//! assert_eq!(amount.to_string(), "10.50");
//! assert_eq!(serde_json::to_string(&amount).unwrap(), "\"10.50\"");
//! assert_eq!(serde_json::to_string(&amount.as_json_number()).unwrap(), "10.5");
//! // A JSON number is read from its raw token, never through f64.
//! let exact: Amount = serde_json::from_str("0.000103000000000000").unwrap();
//! assert_eq!(exact.to_string(), "0.000103000000000000");
//! assert!(amount.check_precision("amount", Precision::FIAT).is_ok());
//! assert!("1.005".parse::<Amount>().unwrap().check_precision("amount", Precision::FIAT).is_err());
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::Error;

/// Most decimal places an [`Amount`] can carry (`rust_decimal`'s limit).
pub const MAX_SCALE: u32 = 28;

/// An exact decimal amount that remembers its written scale.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Amount(Decimal);

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Empty text.
    #[error("empty amount")]
    Empty,
    /// Not a plain decimal number (`12.34`, `-0.5`), or a JSON number token when reading JSON.
    #[error("not a decimal number")]
    Syntax,
    /// More than 28 decimal places or beyond ±7.9e28.
    #[error("out of range (at most 28 decimal places and 29 digits)")]
    OutOfRange,
}

impl Amount {
    /// Zero, written `0`.
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// Wraps a decimal as is (its scale is kept).
    pub const fn from_decimal(value: Decimal) -> Self {
        Self(value)
    }

    /// The decimal value.
    pub const fn decimal(&self) -> Decimal {
        self.0
    }

    /// The number of decimal places as written (`"10.00"` → 2).
    pub fn scale(&self) -> u32 {
        self.0.scale()
    }

    /// The number of decimal places the value needs (`"10.00"` → 0, `"0.50"` → 1).
    pub fn significant_scale(&self) -> u32 {
        self.0.normalize().scale()
    }

    /// Whether the amount is greater than zero.
    pub fn is_positive(&self) -> bool {
        self.0 > Decimal::ZERO
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.0 < Decimal::ZERO
    }

    /// The same value written without trailing zeros (`10.50` → `10.5`, `10.00` → `10`).
    pub fn normalized(&self) -> Self {
        Self(self.0.normalize())
    }

    /// Refuses an amount with more significant decimal places than `precision` allows.
    /// Nothing is ever rounded: the caller decides.
    pub fn check_precision(&self, field: &'static str, precision: Precision) -> Result<(), Error> {
        if self.significant_scale() > precision.decimals() {
            return Err(Error::invalid_input(
                field,
                format!(
                    "{self} has more than {} decimal places; round it explicitly before sending",
                    precision.decimals()
                ),
            ));
        }
        Ok(())
    }

    /// Refuses an amount *written* with more decimal places than `precision` allows, even when the
    /// extra places are zeros (`"10.000"` for fiat): providers that sign the text as sent (Qostiq)
    /// or document "no more than 2 characters after the dot" see the written form. Nothing is ever
    /// rounded or rewritten: the caller decides (`Amount::normalized`, or its own rounding).
    pub fn check_scale(&self, field: &'static str, precision: Precision) -> Result<(), Error> {
        if self.scale() > precision.decimals() {
            return Err(Error::invalid_input(
                field,
                format!(
                    "{self} is written with {} decimal places, more than the {} allowed; write it \
                     with at most {} (round or drop trailing zeros explicitly)",
                    self.scale(),
                    precision.decimals(),
                    precision.decimals()
                ),
            ));
        }
        Ok(())
    }

    /// Refuses zero and negative amounts.
    pub fn check_positive(&self, field: &'static str) -> Result<(), Error> {
        if !self.is_positive() {
            return Err(Error::invalid_input(
                field,
                format!("{self} must be greater than zero"),
            ));
        }
        Ok(())
    }

    /// Exact sum, or `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// Exact difference, or `None` on overflow.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// A view that serializes as an exact JSON number (`10.5`), for APIs that want numbers.
    pub fn as_json_number(&self) -> JsonNumber<'_> {
        JsonNumber(self)
    }

    /// Parses a JSON number token exactly (`1E2`, `-0.5e-3`, `10.50`), never through `f64`.
    pub fn from_json_number(token: &str) -> Result<Self, AmountError> {
        if !crate::json::is_json_number(token) {
            return Err(AmountError::Syntax);
        }
        if token.contains(['e', 'E']) {
            return Decimal::from_scientific(token)
                .map(Self)
                .map_err(|_| AmountError::OutOfRange);
        }
        token.parse()
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    /// Parses plain decimal text: an optional `-`, digits, and an optional `.` with digits.
    /// No exponent, no `+`, no spaces, no thousands separators.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = match unsigned.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (unsigned, None),
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return Err(AmountError::Syntax);
        }
        if int.len() > 1 && int.starts_with('0') {
            return Err(AmountError::Syntax); // leading zeros: `007.5` is nobody's amount
        }
        if frac.map_or(0, str::len) > MAX_SCALE as usize {
            return Err(AmountError::OutOfRange);
        }
        Decimal::from_str_exact(s)
            .map(Self)
            .map_err(|_| AmountError::OutOfRange)
    }
}

impl From<Decimal> for Amount {
    fn from(value: Decimal) -> Self {
        Self(value)
    }
}

impl From<Amount> for Decimal {
    fn from(value: Amount) -> Self {
        value.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    /// Accepts a JSON string holding a decimal or a JSON number, read from its raw token.
    /// Works with `serde_json` deserializers (it reads the raw value).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <Box<RawValue>>::deserialize(deserializer)?;
        Self::from_raw_json(raw.get()).map_err(D::Error::custom)
    }
}

impl Amount {
    /// Reads an amount from the raw JSON text of a value: a string holding a decimal (see
    /// [`Amount::from_provider_text`]) or a number token.
    pub fn from_raw_json(raw: &str) -> Result<Self, AmountError> {
        let raw = raw.trim_matches(|c: char| c.is_ascii_whitespace());
        if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            // Amount text never needs escapes; a string with any is not an amount.
            if inner.contains('\\') {
                return Err(AmountError::Syntax);
            }
            Self::from_provider_text(inner)
        } else {
            Self::from_json_number(raw)
        }
    }

    /// Reads an amount as a provider writes it inside a string: plain decimal text
    /// (`"0.000103000000000000"`), or the exponent form of Python's `Decimal` (`"1E-7"`,
    /// `"1.5E+3"`, `"0E-8"`: an upper-case `E` and a signed exponent), which a Python server
    /// writes for small and large values. Exact either way, with the scale the text implies
    /// (`"1E-7"` has 7 places). Other exponent spellings (`"1e2"`) are not amount text.
    ///
    /// ```
    /// use pay_core::money::Amount;
    ///
    /// assert_eq!(Amount::from_provider_text("1E-7").unwrap().to_string(), "0.0000001");
    /// assert_eq!(Amount::from_provider_text("0E-8").unwrap().to_string(), "0.00000000");
    /// assert_eq!(Amount::from_provider_text("1.5E+3").unwrap().to_string(), "1500");
    /// assert!(Amount::from_provider_text("1e2").is_err());
    /// ```
    pub fn from_provider_text(text: &str) -> Result<Self, AmountError> {
        let Some((mantissa, exponent)) = text.split_once('E') else {
            return text.parse();
        };
        let exponent_digits = exponent
            .strip_prefix('-')
            .or_else(|| exponent.strip_prefix('+'))
            .ok_or(AmountError::Syntax)?;
        if exponent_digits.is_empty() || !exponent_digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AmountError::Syntax);
        }
        // The mantissa follows the plain rules (no sign but `-`, no leading zeros).
        mantissa.parse::<Self>()?;
        Decimal::from_scientific(text)
            .map(Self)
            .map_err(|_| AmountError::OutOfRange)
    }
}

/// An [`Amount`] serialized as an exact JSON number without trailing zeros (`10.00` → `10`), the
/// form JavaScript clients send. See [`Amount::as_json_number`].
#[derive(Debug, Clone, Copy)]
pub struct JsonNumber<'a>(&'a Amount);

impl Serialize for JsonNumber<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.0.normalized().to_string())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// How many decimal places an amount may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Precision(u32);

impl Precision {
    /// Fiat money: at most 2 decimal places.
    pub const FIAT: Self = Self(2);

    /// A crypto asset with `decimals` places (BTC 8, TRC-20 USDT 6, ETH 18). Capped at 28.
    pub const fn crypto(decimals: u32) -> Self {
        Self(if decimals > MAX_SCALE {
            MAX_SCALE
        } else {
            decimals
        })
    }

    /// The number of decimal places allowed.
    pub const fn decimals(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_scale_and_text() {
        for text in [
            "10.00",
            "0.5",
            "0.000103000000000000",
            "-3.10",
            "0",
            "1092",
            "0.00",
        ] {
            let amount: Amount = text.parse().unwrap();
            assert_eq!(amount.to_string(), text);
            assert_eq!(
                serde_json::to_string(&amount).unwrap(),
                format!("\"{text}\"")
            );
        }
    }

    #[test]
    fn refuses_non_decimal_text() {
        for text in [
            "", "+1", " 1", "007", "-01.5", "1 ", "1.", ".5", "1e2", "1,5", "0x10", "NaN", "inf",
            "--1", "1.2.3",
        ] {
            assert!(text.parse::<Amount>().is_err(), "{text:?}");
        }
        assert_eq!(
            "1.00000000000000000000000000001".parse::<Amount>(),
            Err(AmountError::OutOfRange)
        );
        assert_eq!(
            "99999999999999999999999999999999".parse::<Amount>(),
            Err(AmountError::OutOfRange)
        );
    }

    #[test]
    fn reads_json_numbers_from_their_token() {
        let cases = [
            ("10.50", "10.50"),
            ("1E2", "100"),
            ("1.5e-3", "0.0015"),
            ("0.1", "0.1"),
            ("\"0.1\"", "0.1"),
            ("1092", "1092"),
            ("-0.5", "-0.5"),
        ];
        for (json, text) in cases {
            let amount: Amount = serde_json::from_str(json).unwrap();
            assert_eq!(amount.decimal(), text.parse::<Decimal>().unwrap(), "{json}");
        }
        // f64 would turn this into 0.30000000000000004 after arithmetic; we keep the token.
        let a: Amount = serde_json::from_str("0.1").unwrap();
        let b: Amount = serde_json::from_str("0.2").unwrap();
        assert_eq!(a.checked_add(b).unwrap().to_string(), "0.3");
        // Python's Decimal text, as a Python server writes small amounts inside strings.
        for (json, text) in [
            ("\"1E-7\"", "0.0000001"),
            ("\"1.03E-7\"", "0.000000103"),
            ("\"0E-8\"", "0.00000000"),
            ("\"-2.5E+2\"", "-250"),
        ] {
            let amount: Amount = serde_json::from_str(json).unwrap();
            assert_eq!(amount.to_string(), text, "{json}");
        }
        for bad in [
            "\"1E7\"",
            "\"1E-\"",
            "\"E-7\"",
            "\"01E-7\"",
            "\"1E-7E-1\"",
            "\"1E-99\"",
        ] {
            assert!(serde_json::from_str::<Amount>(bad).is_err(), "{bad}");
        }
        for bad in [
            "true",
            "null",
            "\"abc\"",
            "\"1e2\"",
            "[1]",
            "{}",
            "\"1\\u0030\"",
        ] {
            assert!(serde_json::from_str::<Amount>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_number_form_is_exact() {
        let amount: Amount = "3.9900".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&amount.as_json_number()).unwrap(),
            "3.99"
        );
        let ten: Amount = "10.00".parse().unwrap();
        assert_eq!(serde_json::to_string(&ten.as_json_number()).unwrap(), "10");
    }

    #[test]
    fn precision_counts_significant_places() {
        let significant =
            |text: &str, p| text.parse::<Amount>().unwrap().check_precision("amount", p);
        assert!(significant("10.000", Precision::FIAT).is_ok());
        let err = significant("10.001", Precision::FIAT).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"));
        assert!(significant("0.00000001", Precision::crypto(8)).is_ok());
        assert!(significant("0.000000001", Precision::crypto(8)).is_err());
        assert_eq!(Precision::crypto(99).decimals(), MAX_SCALE);
        // The written scale counts every place, zeros included.
        let written = |text: &str, p| text.parse::<Amount>().unwrap().check_scale("amount", p);
        assert!(written("10.00", Precision::FIAT).is_ok());
        assert!(written("10", Precision::FIAT).is_ok());
        assert!(written("10.000", Precision::FIAT).is_err());
        assert!(written("0.00000001", Precision::crypto(8)).is_ok());
        assert!(written("1.000000010", Precision::crypto(8)).is_err());
        assert!(Amount::ZERO.check_positive("amount").is_err());
    }

    proptest! {
        #[test]
        fn text_round_trips_exactly(int in "-?(0|[1-9][0-9]{0,14})", frac in proptest::option::of("[0-9]{1,12}")) {
            let text = match &frac { Some(f) => format!("{int}.{f}"), None => int.clone() };
            let amount: Amount = text.parse().unwrap();
            let shown = amount.to_string();
            prop_assert_eq!(shown.trim_start_matches('-'), text.trim_start_matches('-'));
            let json = serde_json::to_string(&amount).unwrap();
            let back: Amount = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.to_string(), amount.to_string());
            let number = serde_json::to_string(&amount.as_json_number()).unwrap();
            let back: Amount = serde_json::from_str(&number).unwrap();
            prop_assert_eq!(back.decimal(), amount.decimal());
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = text.parse::<Amount>();
            let _ = Amount::from_raw_json(&text);
        }
    }
}
