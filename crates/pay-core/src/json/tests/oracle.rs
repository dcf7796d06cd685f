//! The strict reader as it was before duplicate keys were hashed (as of 4906dac): each new key is
//! compared with every earlier key of its object, O(n²). Kept verbatim (only the entry point is
//! new) as the oracle the linear-time reader and validator must agree with, result and error.

use std::borrow::Cow;

use crate::json::reader::number_end;
use crate::json::{JsonError, Limits, Member, Value};

/// `StrictObject::parse` of that time: the members, or the error.
pub(super) fn parse(input: &[u8], limits: Limits) -> Result<Vec<Member<'_>>, JsonError> {
    if input.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            size: input.len(),
            limit: limits.max_bytes,
        });
    }
    let source = std::str::from_utf8(input).map_err(|e| JsonError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    read_document(source, limits.max_depth)
}

/// Reads a whole document that must be one object.
fn read_document(source: &str, max_depth: usize) -> Result<Vec<Member<'_>>, JsonError> {
    let mut reader = Reader {
        src: source,
        bytes: source.as_bytes(),
        pos: 0,
        max_depth,
    };
    reader.skip_ws();
    if reader.peek() != Some(b'{') {
        // Still tell a syntax error from a valid non-object.
        reader.value(1)?;
        return Err(JsonError::NotAnObject);
    }
    let Value::Object(members) = reader.value(1)? else {
        return Err(JsonError::NotAnObject);
    };
    reader.skip_ws();
    if reader.pos != reader.bytes.len() {
        return Err(JsonError::TrailingBytes { offset: reader.pos });
    }
    Ok(members)
}

struct Reader<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
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

    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(reason))
        }
    }

    fn literal(&mut self, word: &'static str, value: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.syntax("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => {
                let end =
                    number_end(self.bytes, self.pos).ok_or_else(|| self.syntax("bad number"))?;
                let token = self
                    .src
                    .get(self.pos..end)
                    .ok_or_else(|| self.syntax("bad number"))?;
                self.pos = end;
                Ok(Value::Number(token))
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

    fn object(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        self.enter(depth)?;
        self.pos += 1; // '{'
        let mut members: Vec<Member<'a>> = Vec::with_capacity(8);
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax("expected a string key"));
            }
            let key = self.string()?;
            if members.iter().any(|m| m.key == key) {
                return Err(JsonError::DuplicateKey {
                    key: key.into_owned(),
                });
            }
            self.skip_ws();
            self.expect(b':', "expected `:`")?;
            self.skip_ws();
            let start = self.pos;
            let value = self.value(depth + 1)?;
            let raw = self
                .src
                .get(start..self.pos)
                .ok_or_else(|| self.syntax("bad value"))?;
            members.push(Member { key, value, raw });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.syntax("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        self.enter(depth)?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.syntax("expected `,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1; // opening quote
        // Unescaped text is copied in runs; only a string with escapes allocates.
        let mut owned: Option<String> = None;
        loop {
            let run_start = self.pos;
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            self.pos += rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            // `run_start` and `pos` sit on ASCII bytes (or the end): both are char boundaries.
            let run = self
                .src
                .get(run_start..self.pos)
                .ok_or_else(|| self.syntax("bad string"))?;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(run),
                        Some(mut out) => {
                            out.push_str(run);
                            Cow::Owned(out)
                        }
                    });
                }
                Some(b'\\') => {
                    let out = owned.get_or_insert_with(|| String::with_capacity(run.len() + 16));
                    out.push_str(run);
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
                            out.push(
                                char::from_u32(code)
                                    .ok_or(JsonError::LoneSurrogate { offset: escape_at })?,
                            );
                            continue;
                        }
                        _ => return Err(self.syntax("invalid escape")),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.syntax("control character in string")),
                None => return Err(self.syntax("unterminated string")),
            }
        }
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
