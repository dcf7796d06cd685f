//! The strict checks of [`StrictObject::parse`](super::StrictObject::parse) without building a tree:
//! [`validate`].
//!
//! It walks the input exactly like the tree reader (same grammar, same order of checks, same error
//! offsets) but keeps nothing except, per open object, the keys seen so far, to refuse duplicates
//! in linear time (scanned while few, hashed beyond: `keys.rs`). Keys are borrowed from the input;
//! only a key containing a backslash escape is decoded (into an owned string) so that `"a\u0062"`
//! and `"ab"` still count as the same key. String values are checked (escapes, surrogate pairs,
//! control characters) but never decoded.

use std::borrow::Cow;

use super::keys::KeySets;
use super::reader::number_end;
use super::{JsonError, Limits};

/// Checks that `input` is exactly one JSON object within `limits`, with the same rules and the
/// same errors as [`StrictObject::parse`](super::StrictObject::parse) (UTF-8, syntax, duplicate keys
/// at every depth, depth and size limits, no trailing bytes, no lone surrogates), without building
/// a tree. On success returns the input as text, ready for a serde pass.
///
/// Use it when the caller only needs the guarantee before deserializing with serde; use
/// [`StrictObject`](super::StrictObject) when the members themselves are needed.
///
/// ```
/// use pay_core::json::{validate, Limits};
///
/// assert!(validate(br#"{"a": {"b": [1, "x\u00e9"]}}"#, Limits::RESPONSES).is_ok());
/// assert!(validate(br#"{"a": {"b": 1, "b": 2}}"#, Limits::RESPONSES).is_err());
/// assert!(validate(br#"{"a\u0062": 1, "ab": 2}"#, Limits::RESPONSES).is_err());
/// assert!(validate(br#"{"a": 1} x"#, Limits::RESPONSES).is_err());
/// ```
pub fn validate(input: &[u8], limits: Limits) -> Result<&str, JsonError> {
    if input.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            size: input.len(),
            limit: limits.max_bytes,
        });
    }
    let source = std::str::from_utf8(input).map_err(|e| JsonError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut checker = Checker {
        src: source,
        bytes: source.as_bytes(),
        pos: 0,
        max_depth: limits.max_depth,
        keys: Vec::with_capacity(32),
        key_sets: KeySets::default(),
    };
    checker.skip_ws();
    let is_object = checker.peek() == Some(b'{');
    checker.value(1)?;
    if !is_object {
        return Err(JsonError::NotAnObject);
    }
    checker.skip_ws();
    if checker.pos != checker.bytes.len() {
        return Err(JsonError::TrailingBytes {
            offset: checker.pos,
        });
    }
    Ok(source)
}

/// The length of the leading run of `bytes` that needs no attention inside a string: no quote, no
/// backslash, no control character. Eight bytes at a time (SWAR), then byte by byte.
pub(super) fn plain_run(bytes: &[u8]) -> usize {
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

struct Checker<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
    /// The keys of every open object, innermost last; each object knows where its own start. An
    /// object whose keys went into its hash set stops adding here.
    keys: Vec<Cow<'a, str>>,
    key_sets: KeySets<'a>,
}

impl<'a> Checker<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn syntax(&self, reason: &'static str) -> JsonError {
        JsonError::Syntax {
            offset: self.pos,
            reason,
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string(false).map(drop),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => {
                self.pos =
                    number_end(self.bytes, self.pos).ok_or_else(|| self.syntax("bad number"))?;
                Ok(())
            }
            Some(_) => Err(self.syntax("expected a JSON value")),
            None => Err(self.syntax("unexpected end of input")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), JsonError> {
        if depth > self.max_depth {
            Err(JsonError::TooDeep {
                limit: self.max_depth,
            })
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), JsonError> {
        self.enter(depth)?;
        self.pos += 1; // '{'
        let first_key = self.keys.len();
        let mut hashed = false;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax("expected a string key"));
            }
            let key = self.string(true)?;
            let earlier = self.keys.get(first_key..).unwrap_or_default();
            if !self.key_sets.insert(&mut hashed, earlier.iter(), &key) {
                return Err(JsonError::DuplicateKey {
                    key: key.into_owned(),
                });
            }
            if !hashed {
                self.keys.push(key);
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.syntax("expected `:`"));
            }
            self.pos += 1;
            self.skip_ws();
            self.value(depth + 1)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.keys.truncate(first_key);
                    self.key_sets.close(hashed);
                    return Ok(());
                }
                _ => return Err(self.syntax("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), JsonError> {
        self.enter(depth)?;
        self.pos += 1; // '['
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.value(depth + 1)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("expected `,` or `]`")),
            }
        }
    }

    /// Checks one string; with `decode`, returns its text (borrowed unless it has escapes),
    /// otherwise an empty borrowed string.
    #[inline(always)]
    fn string(&mut self, decode: bool) -> Result<Cow<'a, str>, JsonError> {
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

    /// Reads the escape at `pos` (a backslash), returning the character it stands for.
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
