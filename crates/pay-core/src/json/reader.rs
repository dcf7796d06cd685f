//! The tree reader behind [`StrictObject`](super::StrictObject): the [grammar](super::grammar)
//! building [`Value`]s, duplicate keys refused in linear time ([`KeySets`]).

use std::borrow::Cow;

use super::grammar::{self, Build};
use super::keys::{KeySets, OpenObject};
use super::{JsonError, Member, Value};

/// Reads a whole document that must be one object.
pub(super) fn read_document(source: &str, max_depth: usize) -> Result<Vec<Member<'_>>, JsonError> {
    let tree = Tree {
        items: Vec::new(),
        members: Vec::new(),
        key_sets: KeySets::default(),
    };
    match grammar::document(source, max_depth, tree)? {
        Value::Object(members) => Ok(members),
        _ => Err(JsonError::NotAnObject),
    }
}

/// The items of `scratch` from `first` on, as a `Vec` of their own: exactly sized, or the scratch
/// itself when they are all of it (a large outermost list is then not copied).
fn take_from<T>(scratch: &mut Vec<T>, first: usize) -> Vec<T> {
    if first == 0 {
        std::mem::take(scratch)
    } else {
        scratch.drain(first..).collect()
    }
}

struct Tree<'a> {
    /// The items of every open array, innermost last: a closed array moves its own out with
    /// [`take_from`] (one allocation per array, none wasted on growth).
    items: Vec<Value<'a>>,
    /// The same for the members of open objects.
    members: Vec<Member<'a>>,
    key_sets: KeySets<'a>,
}

impl<'a> Build<'a> for Tree<'a> {
    type Out = Value<'a>;
    type Key = Cow<'a, str>;
    type Object = OpenObject;
    /// Where the array's items start in the scratch.
    type Array = usize;
    const DECODE_STRINGS: bool = true;

    #[inline]
    fn scalar(&mut self, value: impl FnOnce() -> Value<'a>) -> Value<'a> {
        value()
    }

    #[inline]
    fn open_object(&mut self) -> OpenObject {
        OpenObject::at(self.members.len())
    }

    #[inline]
    fn key(
        &mut self,
        object: &mut OpenObject,
        key: Cow<'a, str>,
    ) -> Result<Cow<'a, str>, JsonError> {
        let earlier = self.members.get(object.first..).unwrap_or_default();
        self.key_sets
            .check(&mut object.hashed, earlier.iter().map(|m| &m.key), key)
    }

    #[inline]
    fn member(&mut self, _: &mut OpenObject, key: Cow<'a, str>, value: Value<'a>, raw: &'a str) {
        self.members.push(Member { key, value, raw });
    }

    #[inline]
    fn close_object(&mut self, object: OpenObject) -> Value<'a> {
        self.key_sets.close(object.hashed);
        Value::Object(take_from(&mut self.members, object.first))
    }

    #[inline]
    fn open_array(&mut self) -> usize {
        self.items.len()
    }

    #[inline]
    fn item(&mut self, _: &mut usize, value: Value<'a>) {
        self.items.push(value);
    }

    #[inline]
    fn close_array(&mut self, first: usize) -> Value<'a> {
        Value::Array(take_from(&mut self.items, first))
    }
}
