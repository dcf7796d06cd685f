//! The date formats the providers write.

use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

const W3C: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
const QOSTIQ: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
const HTTP: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

fn utc(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC)
}

/// `2020-03-02T19:36:33+00:00` (COINQVEST).
pub(crate) fn w3c(at: OffsetDateTime) -> String {
    utc(at).format(W3C).unwrap_or_default()
}

/// `2020-10-20 14:01:28` (Qostiq statuses and callbacks).
pub(crate) fn qostiq(at: OffsetDateTime) -> String {
    utc(at).format(QOSTIQ).unwrap_or_default()
}

/// `Wed, 06 Dec 2017 14:30:44 GMT` (Qostiq bill creation).
pub(crate) fn http_date(at: OffsetDateTime) -> String {
    utc(at).format(HTTP).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats() {
        let at = datetime!(2017-12-06 14:30:44 UTC);
        assert_eq!(http_date(at), "Wed, 06 Dec 2017 14:30:44 GMT");
        assert_eq!(qostiq(at), "2017-12-06 14:30:44");
        assert_eq!(w3c(at), "2017-12-06T14:30:44+00:00");
    }
}
