//! Date-times received from a provider: the text it sent, and the instant it names.
//!
//! [`Rfc3339DateTime`] keeps the provider's exact text (`+00:00` or `Z`, its fractional digits)
//! next to its parsed instant, as amounts keep their token: what is shown, logged or forwarded is
//! what the provider said, and comparisons use the instant.
//!
//! ```
//! use pay_core::datetime::Rfc3339DateTime;
//!
//! let offset: Rfc3339DateTime = serde_json::from_str(r#""2020-03-02T19:36:33+00:00""#).unwrap();
//! let zulu: Rfc3339DateTime = serde_json::from_str(r#""2020-03-02T19:36:33Z""#).unwrap();
//! assert_eq!(offset.as_str(), "2020-03-02T19:36:33+00:00");
//! assert_eq!(zulu.to_string(), "2020-03-02T19:36:33Z");
//! assert_eq!(offset, zulu); // one instant
//! assert_eq!(offset.instant().unix_timestamp(), 1_583_177_793);
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An RFC 3339 date-time as the provider wrote it, with its instant.
///
/// Equality, order and hash are by instant: two texts of one instant (`…+00:00`, `…Z`,
/// `…T21:36:33+02:00`) compare equal. `Display`, `Serialize` and `Debug` give the exact text.
/// Decoding refuses anything but a JSON string in RFC 3339 form (the decode error names the field);
/// an optional field is `#[serde(default)] Option<Rfc3339DateTime>` (absent and `null` are `None`).
#[derive(Clone)]
pub struct Rfc3339DateTime {
    text: String,
    instant: OffsetDateTime,
}

impl Rfc3339DateTime {
    /// Reads `text` in RFC 3339 form, keeping it.
    pub fn parse(text: &str) -> Result<Self, time::error::Parse> {
        let instant = OffsetDateTime::parse(text, &Rfc3339)?;
        Ok(Self {
            text: text.to_owned(),
            instant,
        })
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant the text names, at the offset it states.
    pub fn instant(&self) -> OffsetDateTime {
        self.instant
    }
}

impl PartialEq for Rfc3339DateTime {
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant
    }
}

impl Eq for Rfc3339DateTime {}

impl PartialOrd for Rfc3339DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rfc3339DateTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant.cmp(&other.instant)
    }
}

impl Hash for Rfc3339DateTime {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.instant.hash(state);
    }
}

impl fmt::Display for Rfc3339DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Rfc3339DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

/// Read from a JSON string in RFC 3339 form, keeping its text.
impl<'de> Deserialize<'de> for Rfc3339DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text)
            .map_err(|e| serde::de::Error::custom(format_args!("not an RFC 3339 date-time: {e}")))
    }
}

/// Written as its text.
impl Serialize for Rfc3339DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::decode::decode_checked;
    use std::collections::HashSet;

    #[derive(Debug, Deserialize)]
    struct Stamps {
        at: Rfc3339DateTime,
        #[serde(default)]
        maybe: Option<Rfc3339DateTime>,
    }

    fn read(json: &str) -> Stamps {
        decode_checked(json).unwrap()
    }

    #[test]
    fn text_is_kept_exactly() {
        for text in [
            "2020-03-02T19:36:33+00:00",
            "2020-03-02T19:36:33Z",
            "2020-03-02T19:36:33.120Z",
            "2020-03-02T21:36:33.000001+02:00",
        ] {
            let stamps = read(&format!(r#"{{"at":"{text}"}}"#));
            assert_eq!(stamps.at.as_str(), text);
            assert_eq!(stamps.at.to_string(), text);
            assert_eq!(format!("{:?}", stamps.at), format!("{text:?}"));
            assert_eq!(
                serde_json::to_string(&stamps.at).unwrap(),
                format!("\"{text}\"")
            );
        }
        // Escaped text is decoded before parsing; the kept text is the decoded one.
        let escaped = read(r#"{"at":"2020-03-02T19:36:33\u002B00:00"}"#);
        assert_eq!(escaped.at.as_str(), "2020-03-02T19:36:33+00:00");
    }

    #[test]
    fn one_instant_compares_equal_across_forms() {
        let forms = [
            "2020-03-02T19:36:33+00:00",
            "2020-03-02T19:36:33Z",
            "2020-03-02T19:36:33.000Z",
            "2020-03-02T21:36:33+02:00",
        ]
        .map(|text| Rfc3339DateTime::parse(text).unwrap());
        for form in &forms {
            assert_eq!(form, &forms[0]);
            assert_eq!(form.cmp(&forms[0]), Ordering::Equal);
            assert_eq!(form.instant().unix_timestamp(), 1_583_177_793);
        }
        assert_eq!(forms.iter().collect::<HashSet<_>>().len(), 1);
        let later = Rfc3339DateTime::parse("2020-03-02T19:36:33.000001Z").unwrap();
        assert!(later > forms[0]);
        assert_ne!(later, forms[0]);
    }

    #[test]
    fn optional_form_reads_null_and_absent_as_none() {
        assert_eq!(
            read(r#"{"at":"2020-03-02T19:36:33Z","maybe":null}"#).maybe,
            None
        );
        assert_eq!(read(r#"{"at":"2020-03-02T19:36:33Z"}"#).maybe, None);
        let both = read(r#"{"at":"2020-03-02T19:36:33Z","maybe":"2020-03-02T19:36:33+00:00"}"#);
        assert_eq!(
            both.maybe.map(|m| m.to_string()).as_deref(),
            Some("2020-03-02T19:36:33+00:00")
        );
    }

    #[test]
    fn other_text_is_refused_naming_the_field() {
        for (bad, field) in [
            (r#"{"at":null}"#, "at"),
            (r#"{"at":1583170593}"#, "at"),
            (r#"{"at":"2020-03-02 19:36:33"}"#, "at"),
            (r#"{"at":"2020-03-02T19:36:33"}"#, "at"),
            (r#"{"at":"2020-03-02"}"#, "at"),
            (
                r#"{"at":"2020-03-02T19:36:33Z","maybe":"yesterday"}"#,
                "maybe",
            ),
            (r#"{"at":"2020-03-02T19:36:33Z","maybe":7}"#, "maybe"),
        ] {
            let error = decode_checked::<Stamps>(bad).unwrap_err();
            assert_eq!(error.path(), field, "{bad}");
        }
        let error = decode_checked::<Stamps>(r#"{"at":"yesterday"}"#).unwrap_err();
        assert!(
            error.to_string().contains("not an RFC 3339 date-time"),
            "{error}"
        );
    }
}
