//! The duplicate-key rule and tree building as they were before keys were hashed and members
//! gathered in shared scratch lists (as of 4906dac): each object its own `Vec`, each new key
//! compared with every earlier key of its object, O(n²). The oracle the linear-time reader and
//! validator must agree with, result and error. The token readers and the grammar walk are theirs
//! (`lexer.rs`, `grammar.rs`, unchanged since): what it checks is what changed.

use std::borrow::Cow;

use crate::json::grammar::{self, Build};
use crate::json::lexer::checked_source;
use crate::json::{JsonError, Limits, Member, Value};

/// `StrictObject::parse` of that time: the members, or the error.
pub(super) fn parse(input: &[u8], limits: Limits) -> Result<Vec<Member<'_>>, JsonError> {
    let source = checked_source(input, limits)?;
    match grammar::document(source, limits.max_depth, Quadratic)? {
        Value::Object(members) => Ok(members),
        _ => Err(JsonError::NotAnObject),
    }
}

/// A tree with one `Vec` per object and array, duplicates found by scanning.
struct Quadratic;

impl<'a> Build<'a> for Quadratic {
    type Out = Value<'a>;
    type Key = Cow<'a, str>;
    type Object = Vec<Member<'a>>;
    type Array = Vec<Value<'a>>;
    const DECODE_STRINGS: bool = true;

    fn scalar(&mut self, value: impl FnOnce() -> Value<'a>) -> Value<'a> {
        value()
    }

    fn open_object(&mut self) -> Vec<Member<'a>> {
        Vec::with_capacity(8)
    }

    fn key(
        &mut self,
        members: &mut Vec<Member<'a>>,
        key: Cow<'a, str>,
    ) -> Result<Cow<'a, str>, JsonError> {
        if members.iter().any(|m| m.key == key) {
            return Err(JsonError::DuplicateKey {
                key: key.into_owned(),
            });
        }
        Ok(key)
    }

    fn member(
        &mut self,
        members: &mut Vec<Member<'a>>,
        key: Cow<'a, str>,
        value: Value<'a>,
        raw: &'a str,
    ) {
        members.push(Member { key, value, raw });
    }

    fn close_object(&mut self, members: Vec<Member<'a>>) -> Value<'a> {
        Value::Object(members)
    }

    fn open_array(&mut self) -> Vec<Value<'a>> {
        Vec::new()
    }

    fn item(&mut self, items: &mut Vec<Value<'a>>, value: Value<'a>) {
        items.push(value);
    }

    fn close_array(&mut self, items: Vec<Value<'a>>) -> Value<'a> {
        Value::Array(items)
    }
}
