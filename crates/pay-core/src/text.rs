//! Text that must be shown with care: untrusted text (keys, values and messages from the network or
//! a user) and account numbers (cards, IBANs, NUBANs, wallet addresses).
//!
//! * [`Untrusted`] writes text from outside escaped and length-capped, so one request cannot forge a
//!   log line (no raw newline, carriage return, control or bidirectional-override character ever
//!   reaches the output) nor flood it. Every error and log line that repeats such text uses it.
//! * [`AccountNumber`] holds an account identifier; its `Debug` and `Display` show only the last
//!   four characters ([`masked`]). The full value is reachable through [`AccountNumber::expose`],
//!   for the code that signs or sends it.
//!
//! ```
//! use pay_core::text::{AccountNumber, Untrusted};
//!
//! let line = format!("unknown key {}", Untrusted::new("status\n2026-11-30 INFO payout ok"));
//! assert_eq!(line, r#"unknown key "status\n2026-11-30 INFO payout ok""#);
//!
//! let card = AccountNumber::new("4111111111111111").unwrap();
//! assert_eq!(format!("{card:?}"), "AccountNumber(****1111)");
//! assert_eq!(card.to_string(), "****1111");
//! assert_eq!(card.expose(), "4111111111111111");
//! ```

use std::fmt::{self, Write as _};

use crate::error::Error;

/// How many characters of an untrusted text are written before it is cut.
pub const UNTRUSTED_MAX_CHARS: usize = 200;

/// Untrusted text written for humans: quoted, escaped, cut after [`UNTRUSTED_MAX_CHARS`] characters
/// (the cut says how many characters were left out).
///
/// Escaped: `"` and `\`, every control character (`\n`, `\r`, `\t`, `\u{1b}` …), and the invisible
/// characters that reorder or break lines in a terminal or a log viewer (U+2028/2029 separators,
/// bidirectional embeddings, overrides and isolates, zero-width characters, the BOM).
#[derive(Clone, Copy)]
pub struct Untrusted<'a> {
    text: &'a str,
    max_chars: usize,
}

impl<'a> Untrusted<'a> {
    /// Wraps `text`, cut after [`UNTRUSTED_MAX_CHARS`] characters.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            max_chars: UNTRUSTED_MAX_CHARS,
        }
    }

    /// The same text cut after `max_chars` characters instead.
    pub fn max_chars(self, max_chars: usize) -> Self {
        Self { max_chars, ..self }
    }
}

/// Whether `c` must be escaped: controls, and characters that move or hide text when displayed.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '"' | '\\'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for (written, (index, c)) in self.text.char_indices().enumerate() {
            if written == self.max_chars {
                let rest = self.text.get(index..).map_or(0, |r| r.chars().count());
                return write!(f, "\"…(+{rest} chars)");
            }
            if !needs_escape(c) {
                f.write_char(c)?;
                continue;
            }
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                other => write!(f, "\\u{{{:x}}}", u32::from(other))?,
            }
        }
        f.write_char('"')
    }
}

impl fmt::Debug for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An account number shown with only its last four characters, behind a fixed `****` (which does
/// not reveal the length). Values of four characters or fewer are shown as `****` alone.
///
/// ```
/// assert_eq!(pay_core::text::masked("GB33BUKB20201555555555").to_string(), "****5555");
/// assert_eq!(pay_core::text::masked("123").to_string(), "****");
/// ```
pub fn masked(value: &str) -> Masked<'_> {
    Masked(value)
}

/// The masked form of an account number; see [`masked`].
#[derive(Clone, Copy)]
pub struct Masked<'a>(&'a str);

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")?;
        let count = self.0.chars().count();
        if count <= 4 {
            return Ok(());
        }
        let tail_start = self
            .0
            .char_indices()
            .nth(count - 4)
            .map_or(self.0.len(), |(i, _)| i);
        // The tail is untrusted too: escape it without quotes (four characters, never cut).
        for c in self.0.get(tail_start..).unwrap_or_default().chars() {
            if needs_escape(c) {
                write!(f, "\\u{{{:x}}}", u32::from(c))?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An account identifier (card number, IBAN, NUBAN, wallet address, payee account): compared and
/// sent as written, printed masked.
///
/// * `Debug` prints `AccountNumber(****1111)`, `Display` prints `****1111`: derived `Debug`s of
///   requests, errors and recovery evidence never show the full number.
/// * [`AccountNumber::expose`] gives the full text to the code that signs or sends it.
/// * Refused at construction: an empty or whitespace-only value, and control characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccountNumber(String);

impl AccountNumber {
    /// Wraps `value`, refusing an empty or blank value and control characters.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        if value.trim().is_empty() {
            return Err(Error::invalid_input("account", "must not be empty"));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "account",
                "must not contain control characters",
            ));
        }
        Ok(Self(value))
    }

    /// The full account number, for the code that signs or sends it. Never log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form (`****1111`).
    pub fn masked(&self) -> Masked<'_> {
        masked(&self.0)
    }
}

impl fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountNumber({})", self.masked())
    }
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.masked(), f)
    }
}

impl std::str::FromStr for AccountNumber {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn untrusted_escapes_what_could_forge_a_line() {
        let cases = [
            ("plain", r#""plain""#),
            ("a\"b\\c", r#""a\"b\\c""#),
            ("x\r\ny\t", r#""x\r\ny\t""#),
            ("\u{1b}[31mred", r#""\u{1b}[31mred""#),
            ("left\u{202e}thgir", r#""left\u{202e}thgir""#),
            ("line\u{2028}sep", r#""line\u{2028}sep""#),
            (
                "zero\u{200b}width\u{feff}",
                r#""zero\u{200b}width\u{feff}""#,
            ),
            ("№ é 𝄞", r#""№ é 𝄞""#),
        ];
        for (input, expected) in cases {
            assert_eq!(Untrusted::new(input).to_string(), expected, "{input:?}");
        }
    }

    #[test]
    fn untrusted_is_cut_and_says_by_how_much() {
        let long = "é".repeat(250);
        let shown = Untrusted::new(&long).to_string();
        assert_eq!(shown, format!("\"{}\"…(+50 chars)", "é".repeat(200)));
        assert_eq!(
            Untrusted::new("abcdef").max_chars(3).to_string(),
            "\"abc\"…(+3 chars)"
        );
        assert_eq!(Untrusted::new("abc").max_chars(3).to_string(), "\"abc\"");
    }

    #[test]
    fn account_numbers_show_the_last_four_only() {
        let cases = [
            ("4111111111111111", "****1111"),
            ("GB33BUKB20201555555555", "****5555"),
            ("0xf8227AA7aF9B5166AF69581C703A4398387B2B07", "****2B07"),
            ("12345", "****2345"),
            ("1234", "****"),
            ("ab№𝄞é", "****b№𝄞é"),
        ];
        for (input, expected) in cases {
            let account = AccountNumber::new(input).unwrap();
            assert_eq!(account.to_string(), expected, "{input}");
            assert_eq!(format!("{account:?}"), format!("AccountNumber({expected})"));
            assert_eq!(
                format!("{account:#?}"),
                format!("AccountNumber({expected})")
            );
            assert_eq!(account.expose(), input);
        }
    }

    #[test]
    fn blank_and_control_account_numbers_are_refused() {
        for bad in ["", "   ", "\t\n", "4111\n1111", "41\u{0}11"] {
            assert!(AccountNumber::new(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn untrusted_output_is_one_printable_line(text in any::<String>()) {
            let shown = Untrusted::new(&text).to_string();
            prop_assert!(!shown.chars().any(needs_escape_outside_quotes), "{shown:?}");
            prop_assert!(shown.chars().count() <= UNTRUSTED_MAX_CHARS * 12 + 40);
        }

        #[test]
        fn masked_never_shows_more_than_four_characters(text in any::<String>()) {
            let shown = masked(&text).to_string();
            let tail = shown.strip_prefix("****").unwrap();
            prop_assert!(text.chars().count() > 4 || tail.is_empty());
            prop_assert!(!tail.chars().any(char::is_control));
        }
    }

    /// What may never appear in escaped output: controls and display-reordering characters
    /// (quotes and backslashes do appear, escaped).
    fn needs_escape_outside_quotes(c: char) -> bool {
        needs_escape(c) && c != '"' && c != '\\'
    }
}
