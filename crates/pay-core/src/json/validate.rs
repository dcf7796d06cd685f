//! The strict checks of [`StrictObject::parse`](super::StrictObject::parse) without building a tree:
//! [`validate`].
//!
//! It is the tree reader's walk (`grammar.rs`: same grammar, same order of checks, same error
//! offsets) keeping nothing except, per open object, the keys seen so far, to refuse duplicates
//! in linear time (scanned while few, hashed beyond: `keys.rs`). Keys are borrowed from the input;
//! only a key containing a backslash escape is decoded (into an owned string) so that `"a\u0062"`
//! and `"ab"` still count as the same key. String values are checked (escapes, surrogate pairs,
//! control characters) but never decoded.

use std::borrow::Cow;

use super::grammar::{self, Build};
use super::keys::{KeySets, OpenObject};
use super::lexer::checked_source;
use super::{JsonError, Limits, Value};

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
    let source = checked_source(input, limits)?;
    let checker = Checker {
        keys: Vec::with_capacity(32),
        key_sets: KeySets::default(),
    };
    grammar::document(source, limits.max_depth, checker)?;
    Ok(source)
}

struct Checker<'a> {
    /// The keys of every open object, innermost last; each object knows where its own start. An
    /// object whose keys went into its hash set stops adding here.
    keys: Vec<Cow<'a, str>>,
    key_sets: KeySets<'a>,
}

impl<'a> Build<'a> for Checker<'a> {
    type Out = ();
    type Key = ();
    type Object = OpenObject;
    type Array = ();
    const DECODE_STRINGS: bool = false;

    #[inline]
    fn scalar(&mut self, _: impl FnOnce() -> Value<'a>) {}

    #[inline]
    fn open_object(&mut self) -> OpenObject {
        OpenObject::at(self.keys.len())
    }

    #[inline]
    fn key(&mut self, object: &mut OpenObject, key: Cow<'a, str>) -> Result<(), JsonError> {
        let earlier = self.keys.get(object.first..).unwrap_or_default();
        let key = self
            .key_sets
            .check(&mut object.hashed, earlier.iter(), key)?;
        if !object.hashed {
            self.keys.push(key);
        }
        Ok(())
    }

    #[inline]
    fn member(&mut self, _: &mut OpenObject, (): (), (): (), _: &'a str) {}

    #[inline]
    fn close_object(&mut self, object: OpenObject) {
        self.keys.truncate(object.first);
        self.key_sets.close(object.hashed);
    }

    #[inline]
    fn open_array(&mut self) {}

    #[inline]
    fn item(&mut self, (): &mut (), (): ()) {}

    #[inline]
    fn close_array(&mut self, (): ()) {}
}
