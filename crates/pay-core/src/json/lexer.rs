//! The token readers every strict walk shares (the tree reader, the validator and the tests'
//! oracle): the size and UTF-8 checks, white space, literals, numbers, and strings with their
//! escapes, each decoded in exactly one place.

use std::borrow::Cow;

use super::{JsonError, Limits};

/// Whether `token` is exactly one JSON number (RFC 8259 grammar).
///
/// ```
/// use pay_core::json::is_json_number;
/// assert!(is_json_number("-0.5e+3"));
/// assert!(!is_json_number("01") && !is_json_number("1.") && !is_json_number("+1"));
/// ```
pub fn is_json_number(token: &str) -> bool {
    let bytes = token.as_bytes();
    number_end(bytes, 0) == Some(bytes.len())
}

/// The end of the number starting at `start`, or `None` if none starts there.
#[inline]
fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let at = |i: usize| bytes.get(i).copied();
    let digits_from = |mut i: usize| {
        let begin = i;
        while at(i).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
        }
        (i > begin).then_some(i)
    };
    let mut i = start;
    if at(i) == Some(b'-') {
        i += 1;
    }
    match at(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits_from(i)?,
        _ => return None,
    }
    if at(i) == Some(b'.') {
        i = digits_from(i + 1)?;
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(at(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits_from(i)?;
    }
    Some(i)
}

/// The input as text, once it is within `limits.max_bytes` and valid UTF-8 (checked in that order).
pub(super) fn checked_source(input: &[u8], limits: Limits) -> Result<&str, JsonError> {
    if input.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            size: input.len(),
            limit: limits.max_bytes,
        });
    }
    std::str::from_utf8(input).map_err(|e| JsonError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

/// The length of the leading run of `bytes` that needs no attention inside a string: no quote, no
/// backslash, no control character. Eight bytes at a time (SWAR), then byte by byte.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `x` is zero ⇔ its byte in `zero_bytes(x)` has the high bit set; bits above the
    // first zero byte may be set spuriously (borrows), so only the lowest one is trusted.
    fn zero_bytes(x: u64) -> u64 {
        x.wrapping_sub(ONES) & !x & HIGH
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let Ok(array) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(array);
        let quote = zero_bytes(word ^ (ONES * u64::from(b'"')));
        let backslash = zero_bytes(word ^ (ONES * u64::from(b'\\')));
        // Bytes below 0x20: subtracting 0x20 borrows into the high bit only for them (high-bit
        // bytes are excluded by `!word`).
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
        let hits = quote | backslash | control;
        if hits != 0 {
            return offset + (hits.trailing_zeros() / 8) as usize;
        }
        offset += 8;
    }
    offset
        + chunks
            .remainder()
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(chunks.remainder().len())
}

/// A position in a JSON text, with the readers of the tokens found there. Errors carry the
/// position where reading stopped.
pub(super) struct Cursor<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `src`.
    pub(super) fn new(src: &'a str) -> Self {
        Self {
            src,
            bytes: src.as_bytes(),
            pos: 0,
        }
    }

    /// The byte offset reached.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// The byte at the cursor, if any.
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Steps over one byte already seen with [`Self::peek`].
    pub(super) fn bump(&mut self) {
        self.pos += 1;
    }

    /// A syntax error at the cursor.
    pub(super) fn syntax(&self, reason: &'static str) -> JsonError {
        JsonError::Syntax {
            offset: self.pos,
            reason,
        }
    }

    /// Skips JSON white space.
    pub(super) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Steps over `byte`, or fails with `reason`.
    pub(super) fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(reason))
        }
    }

    /// Steps over the literal `word` (`true`, `false`, `null`).
    pub(super) fn literal(&mut self, word: &'static str) -> Result<(), JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax("expected a JSON value"))
        }
    }

    /// Steps over the number at the cursor; [`Self::text_since`] then gives its text.
    #[inline]
    pub(super) fn number(&mut self) -> Result<(), JsonError> {
        self.pos = number_end(self.bytes, self.pos).ok_or_else(|| self.syntax("bad number"))?;
        Ok(())
    }

    /// The text from `start` to the cursor, where `start` is where a token or value began: both
    /// ends are next to ASCII bytes (a value starts with one of `{["tfn-0-9` and ends with one of
    /// `}]"el0-9`), hence char boundaries, so the text is never lost.
    #[inline]
    pub(super) fn text_since(&self, start: usize) -> &'a str {
        self.src.get(start..self.pos).unwrap_or_default()
    }

    /// Reads the string at the cursor (on its opening quote), checking every escape, surrogate
    /// pair and control character. With `decode`, returns its text (borrowed unless it has
    /// escapes: only then does it allocate); otherwise an empty borrowed string.
    #[inline(always)]
    pub(super) fn string(&mut self, decode: bool) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1; // opening quote
        let start = self.pos;
        let mut owned: Option<String> = None;
        loop {
            let run_start = self.pos;
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            self.pos += plain_run(rest);
            match self.peek() {
                Some(b'"') => {
                    let end = self.pos;
                    self.pos += 1;
                    if !decode {
                        return Ok(Cow::Borrowed(""));
                    }
                    // `start`, `run_start` and `end` sit next to ASCII bytes: char boundaries.
                    return match owned {
                        None => self
                            .src
                            .get(start..end)
                            .map(Cow::Borrowed)
                            .ok_or_else(|| self.syntax("bad string")),
                        Some(mut out) => {
                            out.push_str(self.src.get(run_start..end).unwrap_or_default());
                            Ok(Cow::Owned(out))
                        }
                    };
                }
                Some(b'\\') => {
                    if decode {
                        let run = self.src.get(run_start..self.pos).unwrap_or_default();
                        owned
                            .get_or_insert_with(|| String::with_capacity(run.len() + 16))
                            .push_str(run);
                    }
                    let c = self.escape()?;
                    if let Some(out) = owned.as_mut() {
                        out.push(c);
                    }
                }
                Some(_) => return Err(self.syntax("control character in string")),
                None => return Err(self.syntax("unterminated string")),
            }
        }
    }

    /// Reads the escape at the cursor (a backslash), returning the character it stands for.
    fn escape(&mut self) -> Result<char, JsonError> {
        let escape_at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(JsonError::LoneSurrogate { offset: escape_at });
                    }
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(JsonError::LoneSurrogate { offset: escape_at });
                    }
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..0xE000).contains(&unit) {
                    return Err(JsonError::LoneSurrogate { offset: escape_at });
                } else {
                    unit
                };
                return char::from_u32(code).ok_or(JsonError::LoneSurrogate { offset: escape_at });
            }
            _ => return Err(self.syntax("invalid escape")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.syntax("bad \\u escape"))?;
        let mut value = 0u32;
        for &d in digits {
            let nibble = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.syntax("bad \\u escape"))?;
            value = value * 16 + nibble;
        }
        self.pos += 4;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::plain_run;
    use proptest::prelude::*;

    fn naive(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(bytes.len())
    }

    #[test]
    fn every_stop_byte_at_every_position() {
        for stop in (0u8..0x20).chain([b'"', b'\\']) {
            for len in 0..24 {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    // High-bit bytes before the stop must not hide it.
                    if at > 0 {
                        bytes[at - 1] = 0xFF;
                    }
                    bytes[at] = stop;
                    assert_eq!(plain_run(&bytes), at, "stop {stop:#x} at {at} of {len}");
                }
            }
        }
        assert_eq!(plain_run("é€𝄞 ~!\u{7f}".as_bytes()), "é€𝄞 ~!\u{7f}".len());
    }

    proptest! {
        #[test]
        fn agrees_with_the_byte_loop(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(plain_run(&bytes), naive(&bytes));
        }

        #[test]
        fn agrees_on_mostly_plain_text(
            bytes in proptest::collection::vec(prop_oneof![8 => 0x20u8..0x7f, 1 => any::<u8>()], 0..80)
        ) {
            prop_assert_eq!(plain_run(&bytes), naive(&bytes));
        }
    }
}
