//! Strict JSON for input from the network: a top-level object read as ordered `(key, value)` members,
//! each keeping its raw text, with duplicate keys, trailing bytes, non-objects, invalid UTF-8, lone
//! surrogates, excessive depth and size all refused with a [`JsonError`].
//!
//! Typed answers are read with [`decode()`] (the strict checks, then serde, errors naming the
//! field: see [`mod@decode`]); open-shaped values are kept as [`RawJson`].
//!
//! ```
//! use pay_core::json::{Limits, StrictObject};
//!
//! let body = br#"{"status": "success", "amount": 10.50, "ps_data": {"a": 1}}"#;
//! let object = StrictObject::parse(body, Limits::default()).unwrap();
//! assert_eq!(object.keys().collect::<Vec<_>>(), ["status", "amount", "ps_data"]);
//! assert_eq!(object.get("amount").unwrap().raw, "10.50");
//! assert!(StrictObject::parse(br#"{"a": 1, "a": 2}"#, Limits::default()).is_err());
//! assert!(StrictObject::parse(br#"{"a": 1} x"#, Limits::default()).is_err());
//! ```

pub mod decode;
mod grammar;
mod keys;
mod lexer;
pub mod python;
mod raw;
mod reader;
mod validate;

use std::borrow::Cow;

pub use decode::{DecodeError, decode, decode_checked};
pub use lexer::is_json_number;
pub use raw::RawJson;
pub use validate::validate;

/// Bounds applied while reading untrusted JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of objects and arrays (the top-level object is depth 1).
    pub max_depth: usize,
}

impl Limits {
    /// Limits for pushed events (callbacks, webhooks): 64 KiB, depth 32.
    ///
    /// Events arrive unauthenticated (the signature is checked after parsing), so anyone can send
    /// one. A real one is about 1 KiB; at 64 KiB the most expensive body parses in about 2 ms
    /// (`docs/benchmarks.md`, "Strict JSON").
    pub const EVENTS: Self = Self {
        max_bytes: 64 * 1024,
        max_depth: 32,
    };
    /// Limits for API responses: 1 MiB, depth 64. The transport refuses larger bodies before
    /// reading them whole (`pay-transport` takes its default from here).
    ///
    /// The largest legitimate answer is a COINQVEST page of 250 checkouts (the maximum page size),
    /// about 0.6 KiB each in the seed and a few KiB with several line items and payments: well
    /// under 1 MiB; every other answer (reference lists, Qostiq configs) is far smaller. A shop
    /// with heavier checkouts asks for smaller pages. At 1 MiB the most expensive body takes about
    /// 10 ms to validate and 40 ms to read into a tree (`docs/benchmarks.md`, "Strict JSON"), work
    /// done on the caller's async task.
    pub const RESPONSES: Self = Self {
        max_bytes: 1024 * 1024,
        max_depth: 64,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::EVENTS
    }
}

/// Why a JSON text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The input is larger than [`Limits::max_bytes`].
    #[error("body of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("nesting deeper than {limit}")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The input is not UTF-8.
    #[error("invalid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// First invalid byte.
        offset: usize,
    },
    /// The input is not JSON.
    #[error("invalid JSON at byte {offset}: {reason}")]
    Syntax {
        /// Where reading stopped.
        offset: usize,
        /// What was expected.
        reason: &'static str,
    },
    /// The top-level value is not an object.
    #[error("the top-level value is not an object")]
    NotAnObject,
    /// A key appears twice in one object.
    #[error("duplicate key {}", crate::text::Untrusted::new(key))]
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// Bytes follow the top-level value.
    #[error("trailing bytes after the JSON value at byte {offset}")]
    TrailingBytes {
        /// Where they start.
        offset: usize,
    },
    /// A `\uD800`-style escape without its pair (cannot be UTF-8).
    #[error("unpaired surrogate escape at byte {offset}")]
    LoneSurrogate {
        /// Where the escape starts.
        offset: usize,
    },
}

/// A parsed JSON value that borrows from the input and keeps number tokens as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its exact token (`10.50`, `1E2`).
    Number(&'a str),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object, members in input order (keys are unique).
    Object(Vec<Member<'a>>),
}

/// One `key: value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    /// The key, unescaped.
    pub key: Cow<'a, str>,
    /// The value.
    pub value: Value<'a>,
    /// The value's exact text in the input.
    pub raw: &'a str,
}

/// A top-level JSON object read strictly. See the [module documentation](self).
#[derive(Debug, Clone, PartialEq)]
pub struct StrictObject<'a> {
    source: &'a str,
    members: Vec<Member<'a>>,
}

impl<'a> StrictObject<'a> {
    /// Reads `input` as exactly one JSON object within `limits`.
    pub fn parse(input: &'a [u8], limits: Limits) -> Result<Self, JsonError> {
        let source = lexer::checked_source(input, limits)?;
        let members = reader::read_document(source, limits.max_depth)?;
        Ok(Self { source, members })
    }

    /// The whole input text.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The members in input order.
    pub fn members(&self) -> &[Member<'a>] {
        &self.members
    }

    /// The keys in input order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|m| m.key.as_ref())
    }

    /// The member named `key`.
    pub fn get(&self, key: &str) -> Option<&Member<'a>> {
        self.members.iter().find(|m| m.key == key)
    }

    /// Deserializes the whole object with serde (after the strict checks passed).
    pub fn deserialize<T: serde::Deserialize<'a>>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.source)
    }
}

#[cfg(test)]
mod tests;
