//! Text that must be shown with care: untrusted text (keys, values and messages from the network or
//! a user) and account numbers (cards, IBANs, NUBANs, wallet addresses).
//!
//! * [`Untrusted`] writes text from outside escaped, length-capped and with account numbers masked,
//!   so one request cannot forge a log line (no raw newline, carriage return, control or
//!   bidirectional-override character ever reaches the output) nor flood it, and a provider message
//!   that repeats a card number or an IBAN does not put it in a log. Every error and log line that
//!   repeats such text uses it.
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
//! let message = Untrusted::new("card 4111 1111 1111 1111 or DE89370400440532013000 refused");
//! assert_eq!(message.to_string(), r#""card ****1111 or ****3000 refused""#);
//!
//! let card = AccountNumber::new("4111111111111111").unwrap();
//! assert_eq!(format!("{card:?}"), "AccountNumber(****1111)");
//! assert_eq!(card.to_string(), "****1111");
//! assert_eq!(card.expose(), "4111111111111111");
//! ```

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use crate::error::Error;

/// How many characters of an untrusted text are written before it is cut.
pub const UNTRUSTED_MAX_CHARS: usize = 200;

/// Untrusted text written for humans: escaped, account numbers masked, cut after
/// [`UNTRUSTED_MAX_CHARS`] characters (the cut says how many characters were left out).
///
/// * Escaped: every control character (`\n`, `\r`, `\t`, `\u{1b}` …) and the invisible characters
///   that reorder or break lines in a terminal or a log viewer (U+2028/2029 separators,
///   bidirectional embeddings, overrides and isolates, zero-width characters, the BOM); in the
///   default quoted form also `"` and `\`.
/// * Masked: whatever looks like an account number is written `****` and its last four letters or
///   digits (see [below](#what-is-masked)).
/// * Cut: after `max_chars` characters of the text, except that an account number which starts
///   before the cut is masked whole (never shown in part).
///
/// # What is masked
///
/// A conservative detector, tuned to mask every card number, IBAN, NUBAN and wallet address a
/// provider could repeat, at the price of masking some long identifiers:
///
/// * **Digit runs of 10 digits or more**, where groups of at least three digits joined by one
///   space or dash count as one run (`4111 1111 1111 1111`, `4111-1111-1111-1111`, a NUBAN
///   `3080494548`), also inside a word (`acct4111111111111111`). Dates and times
///   (`2026-11-30 12:00:00`: groups of two digits do not join) and amounts are left alone; numeric
///   ids and Unix timestamps of 10 digits or more are masked too.
/// * **IBANs**: two letters, two digits and 10–30 letters or digits of which at least 6 are digits
///   (`GB33BUKB20201555555555`), also written in groups of four (`GB33 BUKB 2020 1555 5555 55`).
/// * **Wallet addresses**: a word of 25 or more ASCII letters and digits holding both
///   (`0xf8227AA7…`, base58 and bech32 addresses, Stellar and XRP accounts). Long hexadecimal hashes
///   (transaction ids, signatures) are masked as well. Addresses that contain `-` or `_` (TON) are
///   only masked where a piece of them matches one of these rules.
///
/// The raw text stays available to the code that holds it (e.g. `ProviderError::message`); only
/// its written form is masked.
#[derive(Clone, Copy)]
pub struct Untrusted<'a> {
    text: &'a str,
    max_chars: usize,
    quoted: bool,
}

impl<'a> Untrusted<'a> {
    /// Wraps `text`, quoted, cut after [`UNTRUSTED_MAX_CHARS`] characters.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            max_chars: UNTRUSTED_MAX_CHARS,
            quoted: true,
        }
    }

    /// The same text cut after `max_chars` characters instead.
    pub fn max_chars(self, max_chars: usize) -> Self {
        Self { max_chars, ..self }
    }

    /// The same text without the surrounding quotes, for a sentence of ours that embeds text from
    /// outside (an error reason, a provider message after our prefix): `"` and `\` are then written
    /// as they are; controls and invisible characters are still escaped.
    pub fn unquoted(self) -> Self {
        Self {
            quoted: false,
            ..self
        }
    }
}

/// Whether `c` must be escaped in every form: controls, and characters that move or hide text
/// when displayed.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

fn write_escaped(f: &mut fmt::Formatter<'_>, c: char, quoted: bool) -> fmt::Result {
    match c {
        '"' if quoted => f.write_str("\\\""),
        '\\' if quoted => f.write_str("\\\\"),
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        c if needs_escape(c) => write!(f, "\\u{{{:x}}}", u32::from(c)),
        c => f.write_char(c),
    }
}

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quote = |f: &mut fmt::Formatter<'_>| {
            if self.quoted {
                f.write_char('"')
            } else {
                Ok(())
            }
        };
        quote(f)?;
        let bytes = self.text.as_bytes();
        let mut shown = 0;
        let mut at = 0;
        while let Some(c) = self.text.get(at..).and_then(|rest| rest.chars().next()) {
            if shown >= self.max_chars {
                let rest = self.text.get(at..).map_or(0, |r| r.chars().count());
                quote(f)?;
                return write!(f, "…(+{rest} chars)");
            }
            if let Some(end) = account_end(bytes, at) {
                write_masked_token(f, bytes.get(at..end).unwrap_or_default())?;
                // Tokens are ASCII: one byte per character.
                shown += end - at;
                at = end;
                continue;
            }
            write_escaped(f, c, self.quoted)?;
            shown += 1;
            at += c.len_utf8();
        }
        quote(f)
    }
}

impl fmt::Debug for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Bytes from outside (a response body) written as [`Untrusted`] text: decoded lossily, at most
/// [`UntrustedBytes::PREVIEW_BYTES`] of them, followed by the total size when cut.
///
/// ```
/// use pay_core::text::UntrustedBytes;
///
/// let body = b"<html>card 4111111111111111\r\n</html>";
/// assert_eq!(UntrustedBytes::new(body).to_string(), r#""<html>card ****1111\r\n</html>""#);
/// ```
#[derive(Clone, Copy)]
pub struct UntrustedBytes<'a>(&'a [u8]);

impl<'a> UntrustedBytes<'a> {
    /// How many bytes are decoded at most.
    pub const PREVIEW_BYTES: usize = 4096;

    /// Wraps `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for UntrustedBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(preview) = self.0.get(..Self::PREVIEW_BYTES) else {
            return fmt::Display::fmt(&Untrusted::new(&String::from_utf8_lossy(self.0)), f);
        };
        // Cut after the last byte that ends every token (not a letter, digit, space or dash): an
        // account number running past the preview is then left out whole, never shown in part.
        let kept = preview
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b' ' || *b == b'-'))
            .map_or(0, |last| last + 1);
        let text: Cow<'_, str> = String::from_utf8_lossy(preview.get(..kept).unwrap_or_default());
        write!(
            f,
            "{}…({} bytes in all)",
            Untrusted::new(&text),
            self.0.len()
        )
    }
}

impl fmt::Debug for UntrustedBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Digit runs at least this long are taken for account numbers (a NUBAN has 10 digits).
const ACCOUNT_MIN_DIGITS: usize = 10;
/// Letters-and-digits words at least this long are taken for wallet addresses.
const WALLET_MIN_LEN: usize = 25;

/// Where the account-number-looking token that starts at byte `start` ends, if one does.
fn account_end(bytes: &[u8], start: usize) -> Option<usize> {
    let first = *bytes.get(start)?;
    if !first.is_ascii_alphanumeric() {
        return None;
    }
    let previous = start.checked_sub(1).and_then(|i| bytes.get(i));
    if !previous.is_some_and(u8::is_ascii_alphanumeric) {
        let word_end = run_end(bytes, start, u8::is_ascii_alphanumeric);
        let word = bytes.get(start..word_end).unwrap_or_default();
        if is_wallet_like(word) || is_compact_iban(word) {
            return Some(word_end);
        }
        if let Some(end) = spaced_iban_end(bytes, start, word_end) {
            return Some(end);
        }
    }
    if first.is_ascii_digit() && !previous.is_some_and(u8::is_ascii_digit) {
        return digit_run_end(bytes, start);
    }
    None
}

/// The end of the run of bytes matching `class` that starts at `from`.
fn run_end(bytes: &[u8], from: usize, class: fn(&u8) -> bool) -> usize {
    from + bytes
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|b| class(b)).count())
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| b.is_ascii_digit()).count()
}

fn is_wallet_like(word: &[u8]) -> bool {
    word.len() >= WALLET_MIN_LEN
        && word.iter().any(u8::is_ascii_digit)
        && word.iter().any(u8::is_ascii_alphabetic)
}

/// Two letters then two digits: how an IBAN starts.
fn is_iban_head(word: &[u8]) -> bool {
    matches!(word, [a, b, c, d, ..] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic()
        && c.is_ascii_digit() && d.is_ascii_digit())
}

/// An IBAN without spaces: the head and 10–30 letters or digits, at least 6 of them digits.
fn is_compact_iban(word: &[u8]) -> bool {
    (14..=34).contains(&word.len())
        && is_iban_head(word)
        && word.get(4..).is_some_and(|bban| count_digits(bban) >= 6)
}

/// An IBAN in groups of four (`GB33 BUKB 2020 1555 5555 55`) whose head is `start..head_end`.
fn spaced_iban_end(bytes: &[u8], start: usize, head_end: usize) -> Option<usize> {
    if head_end - start != 4 || !is_iban_head(bytes.get(start..head_end)?) {
        return None;
    }
    let (mut end, mut length, mut digits) = (head_end, 0, 0);
    while bytes.get(end) == Some(&b' ') {
        let group_end = run_end(bytes, end + 1, u8::is_ascii_alphanumeric);
        let group = bytes.get(end + 1..group_end).unwrap_or_default();
        if group.is_empty() || group.len() > 4 || length + group.len() > 30 {
            break;
        }
        length += group.len();
        digits += count_digits(group);
        end = group_end;
        if group.len() < 4 {
            break;
        }
    }
    (length >= 10 && digits >= 6).then_some(end)
}

/// A run of at least [`ACCOUNT_MIN_DIGITS`] digits, counting groups of three digits or more
/// joined by one space or dash (`4111 1111 1111 1111`).
fn digit_run_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut end = run_end(bytes, start, u8::is_ascii_digit);
    let mut digits = end - start;
    if digits >= 3 {
        while matches!(bytes.get(end), Some(b' ' | b'-')) {
            let group_end = run_end(bytes, end + 1, u8::is_ascii_digit);
            let group = group_end - (end + 1);
            if group < 3 {
                break;
            }
            digits += group;
            end = group_end;
        }
    }
    (digits >= ACCOUNT_MIN_DIGITS).then_some(end)
}

/// `****` and the last four letters or digits of an (ASCII) token.
fn write_masked_token(f: &mut fmt::Formatter<'_>, token: &[u8]) -> fmt::Result {
    f.write_str("****")?;
    let significant: Vec<u8> = token
        .iter()
        .rev()
        .filter(|b| b.is_ascii_alphanumeric())
        .take(4)
        .copied()
        .collect();
    for b in significant.iter().rev() {
        f.write_char(char::from(*b))?;
    }
    Ok(())
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
///   requests, answers, errors and recovery evidence never show the full number.
/// * [`AccountNumber::expose`] gives the full text to the code that signs or sends it; serde
///   writes and reads the full text (wire bytes are unchanged).
/// * [`AccountNumber::new`] (and `parse`) refuse an empty or whitespace-only value and control
///   characters. `From<&str>`/`From<String>` wrap any text, for answers kept as received and for
///   request fields, which every request checks (naming its own field) before it is signed.
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

impl From<String> for AccountNumber {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for AccountNumber {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
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

impl serde::Serialize for AccountNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for AccountNumber {
    /// Kept as received: an answer is never refused for the text of its account field.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
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

    #[test]
    fn account_numbers_in_untrusted_text_are_masked() {
        let cases = [
            // Card numbers, plain, grouped, glued to a word, in JSON.
            (
                "account 4111111111111111 is invalid",
                "account ****1111 is invalid",
            ),
            ("4111 1111 1111 1111", "****1111"),
            ("4111-1111-1111-1111.", "****1111."),
            ("3782 822463 10005", "****0005"),
            ("acct4111111111111111x", "acct****1111x"),
            (
                r#"{"account":"5375414101245531"}"#,
                r#"{"account":"****5531"}"#,
            ),
            // NUBAN (10 digits), a 12-digit wallet id.
            ("nuban 3080494548", "nuban ****4548"),
            ("payee 201497141132", "payee ****1132"),
            // IBANs, compact and grouped, any case.
            ("iban GB33BUKB20201555555555 closed", "iban ****5555 closed"),
            ("DE89 3704 0044 0532 0130 00", "****3000"),
            ("GB33 BUKB 2020 1555 5555 55!", "****5555!"),
            ("nl91abna0417164300", "****4300"),
            // Wallet addresses.
            (
                "to 0xf8227AA7aF9B5166AF69581C703A4398387B2B07",
                "to ****2B07",
            ),
            ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "****5mdq"),
            ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "****NVN2"),
            (
                "GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX",
                "****YLEX",
            ),
            ("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "****tyTh"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Untrusted::new(input).unquoted().to_string(),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn ordinary_text_is_not_masked() {
        for text in [
            "2026-11-30 12:00:00",
            "2026-11-30T12:00:00.009469Z",
            "amount 123456789.12 too large",
            "error_code 6: shop_payment_id not unique",
            "55ac443d-958b-40e3-8956-e04e72561324",
            "+380 44 123 4567",
            "1 000 000 000",
            "shop_payment_id_must_be_unique_per_shop",
            "targetFiatCurrencyIdentifier",
            "XY12 will fail soon",
            "ABCD12345",
            "HTTP 502 Bad Gateway",
        ] {
            assert_eq!(Untrusted::new(text).unquoted().to_string(), text);
        }
    }

    #[test]
    fn an_account_number_across_the_cut_is_masked_whole() {
        let text = format!("{}4111111111111111 and more", ".".repeat(195));
        let shown = Untrusted::new(&text).to_string();
        assert_eq!(shown, format!("\"{}****1111\"…(+9 chars)", ".".repeat(195)));
    }

    #[test]
    fn unquoted_keeps_quotes_and_backslashes_but_escapes_controls() {
        assert_eq!(
            Untrusted::new("say \"hi\" \\ \nINFO forged")
                .unquoted()
                .to_string(),
            "say \"hi\" \\ \\nINFO forged"
        );
    }

    #[test]
    fn untrusted_bytes_preview_never_cuts_an_account_number() {
        let mut body = vec![b'<'; UntrustedBytes::PREVIEW_BYTES - 8];
        body.extend_from_slice(b"4111111111111111>");
        let shown = UntrustedBytes::new(&body).to_string();
        assert!(!shown.contains("4111"), "{shown}");
        assert!(
            shown.ends_with(&format!("…({} bytes in all)", body.len())),
            "{shown}"
        );
        assert_eq!(
            UntrustedBytes::new(b"\xff\nok").to_string(),
            "\"\u{fffd}\\nok\""
        );
    }

    #[test]
    fn account_numbers_convert_and_serialize_as_written() {
        let account = AccountNumber::from("4111111111111111");
        assert_eq!(
            serde_json::to_string(&account).unwrap(),
            "\"4111111111111111\""
        );
        let back: AccountNumber = serde_json::from_str("\"  \"").unwrap();
        assert_eq!(back.expose(), "  ");
        assert!("  ".parse::<AccountNumber>().is_err());
        assert_eq!(
            AccountNumber::from(String::from("1234")).to_string(),
            "****"
        );
    }

    proptest! {
        #[test]
        fn untrusted_output_never_shows_ten_digits_in_a_row(text in "[0-9a-zA-Z \\-\n.]{0,300}") {
            for quoted in [true, false] {
                let mut shown = Untrusted::new(&text);
                if !quoted {
                    shown = shown.unquoted();
                }
                let shown = shown.to_string();
                let mut run = 0;
                for c in shown.chars() {
                    run = if c.is_ascii_digit() { run + 1 } else { 0 };
                    prop_assert!(run < 10, "{text:?} -> {shown:?}");
                }
            }
        }

        #[test]
        fn untrusted_output_is_one_printable_line(text in any::<String>()) {
            let shown = Untrusted::new(&text).to_string();
            prop_assert!(!shown.chars().any(needs_escape), "{shown:?}");
            let unquoted = Untrusted::new(&text).unquoted().to_string();
            prop_assert!(!unquoted.chars().any(needs_escape), "{unquoted:?}");
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
}
