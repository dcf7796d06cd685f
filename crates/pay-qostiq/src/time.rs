//! Time on the wire: the `now` forms requests sign, and the date-times responses carry.
//!
//! `now` is rendered from the injected clock in the form each endpoint needs (PROTOCOL.md): fiat
//! endpoints take `2021-05-01 16:56:25.009469` (UTC), crypto endpoints and `/bill/create/v2` take Unix
//! seconds, `/account/register` takes `30.06.2017 10:12:44`.
//!
//! Responses use several forms (`Wed, 06 Dec 2017 14:30:44 GMT`, `2020-10-20 14:01:28`,
//! `2021-05-01 16:56:25.009469`, `2022-11-21T16:11:58`); [`QostiqDateTime`] parses them all and keeps
//! the original text.

use std::fmt;

use pay_core::error::Error;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const DATE_TIME_MICROS: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]");
const DAY_FIRST: &[BorrowedFormatItem<'_>] =
    format_description!("[day].[month].[year] [hour]:[minute]:[second]");

/// The form of `now` an endpoint signs.
///
/// ```
/// use pay_qostiq::NowForm;
/// use time::macros::datetime;
///
/// let at = datetime!(2021-05-01 16:56:25.009469 UTC);
/// assert_eq!(NowForm::DateTime.render(at).unwrap(), "2021-05-01 16:56:25.009469");
/// assert_eq!(NowForm::UnixSeconds.render(at).unwrap(), "1619888185");
/// assert_eq!(NowForm::DayFirst.render(at).unwrap(), "01.05.2021 16:56:25");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NowForm {
    /// `YYYY-MM-DD hh:mm:ss.ffffff` in UTC, sent as a JSON string (fiat endpoints).
    DateTime,
    /// Integer Unix seconds, sent as a JSON integer (crypto endpoints, `/bill/create/v2`).
    UnixSeconds,
    /// `dd.mm.YYYY hh:mm:ss` in UTC, sent as a JSON string (`/account/register`).
    DayFirst,
}

impl NowForm {
    /// Renders `instant` (converted to UTC) in this form.
    pub fn render(self, instant: OffsetDateTime) -> Result<String, Error> {
        let utc = instant.to_offset(UtcOffset::UTC);
        let format = match self {
            Self::UnixSeconds => return Ok(utc.unix_timestamp().to_string()),
            Self::DateTime => DATE_TIME_MICROS,
            Self::DayFirst => DAY_FIRST,
        };
        utc.format(format).map_err(|e| {
            Error::invalid_input("now", format!("the clock's instant cannot be written: {e}"))
        })
    }
}

/// A date-time from a response or callback: the original text, and its value when it is one of the
/// known forms. The server does not state a time zone except in the `GMT` form; the values are UTC
/// as far as anyone has observed ([`QostiqDateTime::assume_utc`]).
///
/// An unknown form does not make the whole answer unreadable (a status matters more than a
/// timestamp): [`QostiqDateTime::value`] is then `None` and the text is kept.
///
/// ```
/// use pay_qostiq::QostiqDateTime;
/// use time::macros::datetime;
///
/// for (text, value) in [
///     ("Wed, 06 Dec 2017 14:30:44 GMT", datetime!(2017-12-06 14:30:44)),
///     ("2020-10-20 14:01:28", datetime!(2020-10-20 14:01:28)),
///     ("2021-05-01 16:56:25.009469", datetime!(2021-05-01 16:56:25.009469)),
///     ("2022-11-21T16:11:58", datetime!(2022-11-21 16:11:58)),
///     ("30.06.2017 10:12:44", datetime!(2017-06-30 10:12:44)),
/// ] {
///     let parsed = QostiqDateTime::parse(text);
///     assert_eq!(parsed.text(), text);
///     assert_eq!(parsed.value(), Some(value));
/// }
/// assert_eq!(QostiqDateTime::parse("yesterday").value(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QostiqDateTime {
    text: String,
    value: Option<PrimitiveDateTime>,
}

impl QostiqDateTime {
    /// Reads `text` in any known form ([`pay_signing::qostiq::parse_date_time`], which the callback
    /// verifier's shape check uses too), keeping it.
    pub fn parse(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            value: pay_signing::qostiq::parse_date_time(text),
        }
    }

    /// The text as received.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value, when the text is in a known form.
    pub fn value(&self) -> Option<PrimitiveDateTime> {
        self.value
    }

    /// The value read as UTC.
    pub fn assume_utc(&self) -> Option<OffsetDateTime> {
        self.value.map(PrimitiveDateTime::assume_utc)
    }
}

/// Read from a JSON string, keeping its text ([`QostiqDateTime::parse`]).
impl<'de> serde::Deserialize<'de> for QostiqDateTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)
            .map(|text| Self::parse(&text))
    }
}

impl fmt::Display for QostiqDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn now_forms_are_utc_and_fixed_width() {
        let at = datetime!(2011-12-06 18:07:28 +2);
        assert_eq!(
            NowForm::DateTime.render(at).unwrap(),
            "2011-12-06 16:07:28.000000"
        );
        assert_eq!(NowForm::DayFirst.render(at).unwrap(), "06.12.2011 16:07:28");
        assert_eq!(NowForm::UnixSeconds.render(at).unwrap(), "1323187648");
    }

    #[test]
    fn fractions_of_any_length() {
        let parsed = QostiqDateTime::parse("2018-06-15 09:58:01.01");
        assert_eq!(parsed.value(), Some(datetime!(2018-06-15 09:58:01.01)));
        assert_eq!(
            parsed.assume_utc(),
            Some(datetime!(2018-06-15 09:58:01.01 UTC))
        );
        assert_eq!(QostiqDateTime::parse("").value(), None);
        assert_eq!(QostiqDateTime::parse("2020-13-40 99:00:00").value(), None);
    }
}
