//! Binding a signed callback's keys to its type.
//!
//! The provider signs the values of a callback sorted by key and joined with `:`, not the key names
//! and not where one value ends. Anyone holding a genuine callback can therefore rename keys, move
//! values between keys, split a value at a `:` or join neighbours into one, and the signature still
//! verifies. After the signature, a callback must pass two checks here:
//!
//! 1. **Its own keys.** `callback_type` decides the kind ([`CallbackKind`]); every key must be one
//!    the provider sends for that kind or a custom field the merchant declared; every required key
//!    must have a non-empty value; every value must have its key's [`Shape`].
//! 2. **Every other reading.** The signed string is split at every `:` and read against the keys of
//!    every kind (plus the declared custom fields) in order, each part taken by a key whose shape
//!    accepts it. If any complete reading has another kind, or another value for a key that decides
//!    money (a required one, or an optional one present in both readings), the callback is refused
//!    as ambiguous: it could be the forgery of another callback. The search is a dynamic program
//!    over (position in the signed string, position in the key list), so it is exhaustive.

use std::collections::HashMap;

use pay_core::error::SignatureError;
use pay_core::json::{Member, StrictObject, Value};

use super::schema::{self, CallbackKind, Presence, Shape};

/// Signed strings with more `:`-separated parts than this are refused as ambiguous (no genuine
/// callback comes close; it bounds the work of the search).
const MAX_PARTS: usize = 4096;

/// The custom fields a merchant declared, per kind, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CustomFields {
    withdraw: Vec<String>,
    crypto_withdraw: Vec<String>,
    payment: Vec<String>,
}

impl CustomFields {
    /// Declares `names` for `kinds`, refusing names that could shadow a provider key.
    pub(crate) fn declare<I, S>(
        &mut self,
        kinds: &[CallbackKind],
        names: I,
    ) -> Result<(), SignatureError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for name in names {
            let name = name.into();
            check_name(&name)?;
            for kind in kinds {
                let list = self.list_mut(*kind);
                if let Err(at) = list.binary_search(&name) {
                    list.insert(at, name.clone());
                }
            }
        }
        Ok(())
    }

    /// The custom fields of `kind`, sorted.
    pub(crate) fn of(&self, kind: CallbackKind) -> &[String] {
        match kind {
            CallbackKind::Withdraw => &self.withdraw,
            CallbackKind::CryptoWithdraw => &self.crypto_withdraw,
            CallbackKind::Payment => &self.payment,
        }
    }

    fn list_mut(&mut self, kind: CallbackKind) -> &mut Vec<String> {
        match kind {
            CallbackKind::Withdraw => &mut self.withdraw,
            CallbackKind::CryptoWithdraw => &mut self.crypto_withdraw,
            CallbackKind::Payment => &mut self.payment,
        }
    }

    fn contains(&self, kind: CallbackKind, key: &str) -> bool {
        self.of(kind)
            .binary_search_by(|n| n.as_str().cmp(key))
            .is_ok()
    }
}

fn check_name(name: &str) -> Result<(), SignatureError> {
    let refuse = |reason| {
        Err(SignatureError::CustomField {
            name: name.to_owned(),
            reason,
        })
    };
    if name.trim().is_empty() {
        return refuse("is empty");
    }
    if name.len() > 100 {
        return refuse("is longer than 100 bytes");
    }
    if name.chars().any(char::is_control) {
        return refuse("contains a control character");
    }
    if name == "sign" {
        return refuse("is the signature key");
    }
    if schema::is_provider_key(name) {
        // Even a key of another kind: it would make a field the provider types (`address`,
        // `shop_order_id`, …) an untyped one wherever the kind is in doubt.
        return refuse("is a key Qostiq sends in callbacks; it cannot be a custom field");
    }
    Ok(())
}

/// One signed member: its key, its value and the text the signature covers for it.
pub(crate) struct Signed<'o, 'a> {
    pub(crate) member: &'o Member<'a>,
    pub(crate) text: String,
}

/// Checks the keys of a callback whose signature matched, and that its signed string has no other
/// reading; returns its kind. `signed` is sorted by key and `joined` is their texts joined by `:`.
pub(crate) fn bind(
    object: &StrictObject<'_>,
    signed: &[Signed<'_, '_>],
    joined: &str,
    custom: &CustomFields,
) -> Result<CallbackKind, SignatureError> {
    let kind = match object.get("callback_type") {
        None => CallbackKind::Payment,
        Some(member) => {
            let value = match &member.value {
                Value::String(text) => text.to_string(),
                _ => member.raw.to_owned(),
            };
            CallbackKind::from_callback_type(&value)
                .ok_or(SignatureError::UnknownCallbackType { value })?
        }
    };
    let name = kind.as_str();
    let mut keys: Vec<&str> = object.keys().filter(|key| *key != "sign").collect();
    keys.sort_unstable();
    // A key no callback type has (a renamed one) is named before a key of another type.
    let unknown: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|key| kind.spec(key).is_none() && !custom.contains(kind, key))
        .collect();
    if let Some(unknown) = unknown
        .iter()
        .find(|key| !schema::is_provider_key(key))
        .or(unknown.first())
    {
        return Err(SignatureError::UnknownKey {
            kind: name,
            key: (*unknown).to_owned(),
        });
    }
    for spec in kind.keys() {
        if spec.presence == Presence::Required && !signed.iter().any(|s| s.member.key == spec.name)
        {
            return Err(SignatureError::MissingKey {
                kind: name,
                key: spec.name,
            });
        }
    }
    for s in signed {
        let key = s.member.key.as_ref();
        let ok = match kind.spec(key) {
            Some(spec) => {
                spec.shape.accepts_type(&s.member.value) && spec.shape.accepts_text(&s.text, kind)
            }
            None => schema::custom_accepts_text(&s.text),
        };
        if !ok {
            return Err(SignatureError::WrongShape {
                kind: name,
                key: key.to_owned(),
            });
        }
    }
    if let Some(key) = other_reading(joined, kind, signed, custom) {
        return Err(SignatureError::Ambiguous { kind: name, key });
    }
    Ok(kind)
}

/// A key of one kind's reading: a provider key or a custom field.
struct Slot<'c> {
    name: &'c str,
    /// `None` for a custom field.
    shape: Option<Shape>,
    required: bool,
    money: bool,
}

impl Slot<'_> {
    /// Whether the slot's values may contain `:` (so a part may span several pieces).
    fn spans(&self) -> Span {
        match self.shape {
            Some(Shape::DateTime) => Span::DateTime,
            Some(Shape::Object) | None => Span::Nested,
            Some(_) => Span::One,
        }
    }
}

enum Span {
    /// One `:`-free piece.
    One,
    /// Exactly three pieces (every date-time layout has two `:`).
    DateTime,
    /// Any number of pieces (a nested object or array).
    Nested,
}

fn slots<'c>(kind: CallbackKind, custom: &'c CustomFields) -> Vec<Slot<'c>> {
    let mut slots: Vec<Slot<'c>> = kind
        .keys()
        .iter()
        .map(|spec| Slot {
            name: spec.name,
            shape: Some(spec.shape),
            required: spec.presence == Presence::Required,
            money: spec.money,
        })
        .chain(custom.of(kind).iter().map(|name| Slot {
            name,
            shape: None,
            required: false,
            money: false,
        }))
        .collect();
    slots.sort_unstable_by(|a, b| a.name.cmp(b.name));
    slots
}

/// The pieces of a signed string between `:`s, and which runs of pieces a slot accepts.
struct Pieces<'j> {
    joined: &'j str,
    /// Start of each piece; a part from piece `a` to piece `z` (exclusive) ends before `starts[z]`'s
    /// `:`, or at the end of the string when `z` is the number of pieces.
    starts: Vec<usize>,
    nested: HashMap<(usize, usize, bool), bool>,
}

impl<'j> Pieces<'j> {
    fn new(joined: &'j str) -> Self {
        let starts = std::iter::once(0)
            .chain(joined.match_indices(':').map(|(i, _)| i + 1))
            .collect();
        Self {
            joined,
            starts,
            nested: HashMap::new(),
        }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    fn part(&self, a: usize, z: usize) -> &'j str {
        let start = self.starts.get(a).copied().unwrap_or(self.joined.len());
        let end = self
            .starts
            .get(z)
            .map_or(self.joined.len(), |next| next.saturating_sub(1));
        self.joined.get(start..end).unwrap_or_default()
    }

    /// The ends `z` of the parts starting at piece `a` that `slot` may take.
    fn ends(&self, a: usize, slot: &Slot<'_>) -> std::ops::RangeInclusive<usize> {
        let n = self.count();
        match slot.spans() {
            Span::One => a + 1..=(a + 1).min(n),
            Span::DateTime => a + 3..=(a + 3).min(n),
            Span::Nested => a + 1..=n,
        }
    }

    /// Whether `slot` of `kind` accepts the part from piece `a` to `z`.
    fn accepts(&mut self, a: usize, z: usize, slot: &Slot<'_>, kind: CallbackKind) -> bool {
        let part = self.part(a, z);
        if part.is_empty() {
            return false; // an empty value is not signed
        }
        if z > a + 1 && matches!(slot.spans(), Span::Nested) {
            // Several pieces: only a nested value; memoized, as parsing is the costly check.
            let nested = |part: &str| match slot.shape {
                Some(shape) => shape.accepts_text(part, kind),
                None => schema::custom_accepts_text(part),
            };
            return *self
                .nested
                .entry((a, z, slot.shape.is_none()))
                .or_insert_with(|| nested(part));
        }
        match slot.shape {
            Some(shape) => shape.accepts_text(part, kind),
            None => schema::custom_accepts_text(part),
        }
    }
}

/// A money key whose value differs in another complete reading of `joined` (`callback_type` when
/// the other reading is of another kind), if there is one.
fn other_reading(
    joined: &str,
    kind: CallbackKind,
    signed: &[Signed<'_, '_>],
    custom: &CustomFields,
) -> Option<&'static str> {
    let mut pieces = Pieces::new(joined);
    if pieces.count() > MAX_PARTS {
        return Some("callback_type");
    }
    let observed = |name: &str| {
        signed
            .iter()
            .find(|s| s.member.key == name)
            .map(|s| s.text.as_str())
    };
    for other in CallbackKind::ALL {
        let slots = slots(other, custom);
        let feasible = feasible(&mut pieces, &slots, other);
        let width = slots.len() + 1;
        let at = |a: usize, k: usize| a * width + k;
        if other != kind {
            if feasible.get(at(0, 0)).copied().unwrap_or(false) {
                return Some("callback_type");
            }
            continue;
        }
        // Forward over the readings that complete: any step that gives a money key another value
        // than the callback as received is an ambiguity.
        let n = pieces.count();
        let mut reach = vec![false; (n + 1) * width];
        if let Some(start) = reach.get_mut(at(0, 0)) {
            *start = true;
        }
        for a in 0..n {
            for (k, slot) in slots.iter().enumerate() {
                if !reach.get(at(a, k)).copied().unwrap_or(false) {
                    continue;
                }
                let can = |a: usize, k: usize| feasible.get(at(a, k)).copied().unwrap_or(false);
                if !slot.required
                    && can(a, k + 1)
                    && let Some(cell) = reach.get_mut(at(a, k + 1))
                {
                    *cell = true;
                }
                for z in pieces.ends(a, slot) {
                    if !can(z, k + 1) || !pieces.accepts(a, z, slot, other) {
                        continue;
                    }
                    if slot.money && observed(slot.name).is_some_and(|v| v != pieces.part(a, z)) {
                        return schema_name(other, slot.name);
                    }
                    if let Some(cell) = reach.get_mut(at(z, k + 1)) {
                        *cell = true;
                    }
                }
            }
        }
    }
    None
}

/// The `'static` name of a provider key (money keys are never custom fields).
fn schema_name(kind: CallbackKind, name: &str) -> Option<&'static str> {
    kind.spec(name).map(|spec| spec.name)
}

/// `feasible[a * (slots + 1) + k]`: pieces `a..` can be read by slots `k..` (each part accepted
/// by its slot, every slot left out optional).
fn feasible(pieces: &mut Pieces<'_>, slots: &[Slot<'_>], kind: CallbackKind) -> Vec<bool> {
    let n = pieces.count();
    let width = slots.len() + 1;
    let mut feasible = vec![false; (n + 1) * width];
    let at = |a: usize, k: usize| a * width + k;
    for k in (0..=slots.len()).rev() {
        let rest_optional = slots
            .get(k..)
            .is_some_and(|rest| rest.iter().all(|s| !s.required));
        if let Some(cell) = feasible.get_mut(at(n, k)) {
            *cell = rest_optional;
        }
    }
    for a in (0..n).rev() {
        for (k, slot) in slots.iter().enumerate().rev() {
            let skip = !slot.required && feasible.get(at(a, k + 1)).copied().unwrap_or(false);
            let mut take = || {
                pieces.ends(a, slot).any(|z| {
                    feasible.get(at(z, k + 1)).copied().unwrap_or(false)
                        && pieces.accepts(a, z, slot, kind)
                })
            };
            let value = skip || take();
            if let Some(cell) = feasible.get_mut(at(a, k)) {
                *cell = value;
            }
        }
    }
    feasible
}
