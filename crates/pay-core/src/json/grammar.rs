//! The one recursive descent over the JSON grammar. What it makes of the text (a tree, nothing)
//! and how an object refuses a duplicate key is up to a [`Build`]: the tree reader, the validator
//! and the tests' oracle differ only there, so their grammar, order of checks and error offsets
//! cannot drift apart.

use std::borrow::Cow;

use super::lexer::Cursor;
use super::{JsonError, Value};

/// What a walk makes of the values it reads.
pub(super) trait Build<'a> {
    /// What one value becomes.
    type Out;
    /// What an accepted key becomes until its value is read.
    type Key;
    /// An open object.
    type Object;
    /// An open array.
    type Array;
    /// Whether string values are decoded (keys always are, to compare them).
    const DECODE_STRINGS: bool;

    /// A scalar: `Null`, `Bool`, `Number` or `String` (empty when strings are not decoded), made
    /// only if the builder calls `value` (the validator does not, and drops nothing).
    fn scalar(&mut self, value: impl FnOnce() -> Value<'a>) -> Self::Out;
    /// An object starts.
    fn open_object(&mut self) -> Self::Object;
    /// The next key of `object`: refuses a duplicate of an earlier key.
    fn key(&mut self, object: &mut Self::Object, key: Cow<'a, str>)
    -> Result<Self::Key, JsonError>;
    /// The member `key: value`, `raw` being the value's exact text.
    fn member(&mut self, object: &mut Self::Object, key: Self::Key, value: Self::Out, raw: &'a str);
    /// The object ends.
    fn close_object(&mut self, object: Self::Object) -> Self::Out;
    /// An array starts.
    fn open_array(&mut self) -> Self::Array;
    /// The next item of `array`.
    fn item(&mut self, array: &mut Self::Array, value: Self::Out);
    /// The array ends.
    fn close_array(&mut self, array: Self::Array) -> Self::Out;
}

/// Reads `source` as one object (then only white space), nested at most `max_depth` deep. A valid
/// non-object is [`JsonError::NotAnObject`]; a syntax error inside it still wins.
pub(super) fn document<'a, B: Build<'a>>(
    source: &'a str,
    max_depth: usize,
    build: B,
) -> Result<B::Out, JsonError> {
    let mut walk = Walk {
        cursor: Cursor::new(source),
        max_depth,
        build,
    };
    walk.cursor.skip_ws();
    let is_object = walk.cursor.peek() == Some(b'{');
    let out = walk.value(1)?;
    if !is_object {
        return Err(JsonError::NotAnObject);
    }
    walk.cursor.skip_ws();
    if walk.cursor.peek().is_some() {
        return Err(JsonError::TrailingBytes {
            offset: walk.cursor.pos(),
        });
    }
    Ok(out)
}

struct Walk<'a, B> {
    cursor: Cursor<'a>,
    max_depth: usize,
    build: B,
}

impl<'a, B: Build<'a>> Walk<'a, B> {
    fn value(&mut self, depth: usize) -> Result<B::Out, JsonError> {
        match self.cursor.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let text = self.cursor.string(B::DECODE_STRINGS)?;
                Ok(self.build.scalar(|| Value::String(text)))
            }
            Some(b't') => self.literal("true", || Value::Bool(true)),
            Some(b'f') => self.literal("false", || Value::Bool(false)),
            Some(b'n') => self.literal("null", || Value::Null),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.cursor.pos();
                self.cursor.number()?;
                let cursor = &self.cursor;
                Ok(self
                    .build
                    .scalar(|| Value::Number(cursor.text_since(start))))
            }
            Some(_) => Err(self.cursor.syntax("expected a JSON value")),
            None => Err(self.cursor.syntax("unexpected end of input")),
        }
    }

    fn literal(
        &mut self,
        word: &'static str,
        value: impl FnOnce() -> Value<'a>,
    ) -> Result<B::Out, JsonError> {
        self.cursor.literal(word)?;
        Ok(self.build.scalar(value))
    }

    /// Steps into an object or array at `depth` (refusing one too deep) and, when it is empty,
    /// straight out again over `close`: `true` then.
    #[inline(always)]
    fn enter(&mut self, depth: usize, close: u8) -> Result<bool, JsonError> {
        if depth > self.max_depth {
            return Err(JsonError::TooDeep {
                limit: self.max_depth,
            });
        }
        self.cursor.bump(); // '{' or '['
        self.cursor.skip_ws();
        self.more(close, None).map(|more| !more)
    }

    /// After a member or item: steps over `,` (`true`: another follows) or `close` (`false`).
    /// Anything else is the syntax error `reason`; with no reason (right after the opening
    /// bracket) it is left for the first member or item to read.
    #[inline(always)]
    fn more(&mut self, close: u8, reason: Option<&'static str>) -> Result<bool, JsonError> {
        match (self.cursor.peek(), reason) {
            (Some(b','), Some(_)) => {
                self.cursor.bump();
                Ok(true)
            }
            (Some(byte), _) if byte == close => {
                self.cursor.bump();
                Ok(false)
            }
            (_, None) => Ok(true),
            (_, Some(reason)) => Err(self.cursor.syntax(reason)),
        }
    }

    fn object(&mut self, depth: usize) -> Result<B::Out, JsonError> {
        let empty = self.enter(depth, b'}')?;
        let mut object = self.build.open_object();
        let mut more = !empty;
        while more {
            self.cursor.skip_ws();
            if self.cursor.peek() != Some(b'"') {
                return Err(self.cursor.syntax("expected a string key"));
            }
            let key = self.cursor.string(true)?;
            let key = self.build.key(&mut object, key)?;
            self.cursor.skip_ws();
            self.cursor.expect(b':', "expected `:`")?;
            self.cursor.skip_ws();
            let start = self.cursor.pos();
            let value = self.value(depth + 1)?;
            let raw = self.cursor.text_since(start);
            self.build.member(&mut object, key, value, raw);
            self.cursor.skip_ws();
            more = self.more(b'}', Some("expected `,` or `}`"))?;
        }
        Ok(self.build.close_object(object))
    }

    fn array(&mut self, depth: usize) -> Result<B::Out, JsonError> {
        let empty = self.enter(depth, b']')?;
        let mut array = self.build.open_array();
        let mut more = !empty;
        while more {
            self.cursor.skip_ws();
            let item = self.value(depth + 1)?;
            self.build.item(&mut array, item);
            self.cursor.skip_ws();
            more = self.more(b']', Some("expected `,` or `]`"))?;
        }
        Ok(self.build.close_array(array))
    }
}
