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
//!    over (position in the signed string, position in the key list): exhaustive, each state
//!    solved once.

use pay_core::error::SignatureError;
use pay_core::json::{StrictObject, Value};

use super::schema::{self, CallbackKind, Presence, Shape};

/// Signed strings with more `:`-separated parts than this are refused as ambiguous (no genuine
/// callback comes close; it bounds the work and the recursion depth of the search).
const MAX_PARTS: usize = 1024;

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

/// One signed member: its key, its value and the text the signature covers for it, which starts
/// at byte `start` of the signed string.
pub(crate) struct Signed<'s> {
    pub(crate) key: &'s str,
    pub(crate) value: &'s Value<'s>,
    pub(crate) text: &'s str,
    pub(crate) start: usize,
}

/// Checks the keys of a callback whose signature matched, and that its signed string has no other
/// reading; returns its kind. `signed` is sorted by key and `joined` is their texts joined by `:`.
pub(crate) fn bind(
    object: &StrictObject<'_>,
    signed: &[Signed<'_>],
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
    let slots = slots(kind, custom);
    // The slot of each signed member, and which slots have one: one walk of the two sorted lists.
    let mut filled = vec![false; slots.len()];
    let mut slot_of: Vec<Option<Slot<'_>>> = Vec::with_capacity(signed.len());
    let mut next = slots.iter().zip(filled.iter_mut()).peekable();
    for s in signed {
        while next.next_if(|(slot, _)| slot.name < s.key).is_some() {}
        let matched = next.next_if(|(slot, _)| slot.name == s.key);
        slot_of.push(matched.map(|(slot, filled)| {
            *filled = true;
            *slot
        }));
    }
    // The smallest unknown key (signed, or `null` / `""`), one no callback type has (a renamed
    // one) before one of another type.
    let unsigned = object.members().iter().filter(|m| {
        m.key != "sign"
            && (matches!(&m.value, Value::Null)
                || matches!(&m.value, Value::String(text) if text.is_empty()))
    });
    let unknown = signed
        .iter()
        .zip(&slot_of)
        .filter(|(_, slot)| slot.is_none())
        .map(|(s, _)| s.key)
        .chain(
            unsigned
                .map(|m| m.key.as_ref())
                .filter(|key| kind.spec(key).is_none() && !custom.contains(kind, key)),
        )
        .min_by_key(|key| (schema::is_provider_key(key), *key));
    if let Some(unknown) = unknown {
        return Err(SignatureError::UnknownKey {
            kind: name,
            key: unknown.to_owned(),
        });
    }
    if let Some((slot, _)) = slots
        .iter()
        .zip(&filled)
        .find(|(slot, filled)| slot.required && !**filled)
    {
        return Err(SignatureError::MissingKey {
            kind: name,
            key: kind.spec(slot.name).map_or("", |spec| spec.name),
        });
    }
    for (s, slot) in signed.iter().zip(&slot_of) {
        let ok = match slot.and_then(|slot| slot.shape) {
            Some(shape) => shape.accepts(s.value, s.text, kind),
            None => schema::custom_accepts(s.value, s.text),
        };
        if !ok {
            return Err(SignatureError::WrongShape {
                kind: name,
                key: s.key.to_owned(),
            });
        }
    }
    if let Some(key) = other_reading(joined, kind, &slots, signed, custom) {
        return Err(SignatureError::Ambiguous { kind: name, key });
    }
    Ok(kind)
}

/// A key of one kind's reading: a provider key or a custom field.
#[derive(Clone, Copy)]
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

/// The slots of `kind`, sorted: its keys and its custom fields (both sorted already), merged.
fn slots<'c>(kind: CallbackKind, custom: &'c CustomFields) -> Vec<Slot<'c>> {
    let mut specs = kind.keys().iter().peekable();
    let mut names = custom.of(kind).iter().peekable();
    let mut slots = Vec::with_capacity(specs.len() + names.len());
    loop {
        let spec_first = match (specs.peek(), names.peek()) {
            (Some(spec), Some(name)) => spec.name < name.as_str(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let slot = if spec_first {
            specs.next().map(|spec| Slot {
                name: spec.name,
                shape: Some(spec.shape),
                required: spec.presence == Presence::Required,
                money: spec.money,
            })
        } else {
            names.next().map(|name| Slot {
                name,
                shape: None,
                required: false,
                money: false,
            })
        };
        slots.extend(slot);
    }
    slots
}

/// The pieces of a signed string between `:`s, and which runs of pieces a slot accepts.
struct Pieces<'j> {
    joined: &'j str,
    /// Start of each piece; a part from piece `a` to piece `z` (exclusive) ends before `starts[z]`'s
    /// `:`, or at the end of the string when `z` is the number of pieces.
    starts: Vec<usize>,
    /// For a piece starting with `{` or `[`, the piece after the one its bracket closes in: a part
    /// spanning several pieces is a nested value, so it can only end there. Found when first asked
    /// (`None` until then), or known from the values as received.
    closes: Vec<Option<Option<usize>>>,
    /// Per piece and shape (custom fields last), whether the piece alone has it, once known:
    /// every key of every kind with that shape asks the same question.
    single: Vec<[Option<bool>; SHAPES + 1]>,
    /// Whether the part from piece `a` to `z` is a nested value for an object slot (`false`) or a
    /// custom field (`true`), once known: parsing is the costly check.
    nested: Vec<((usize, usize, bool), bool)>,
}

/// The number of [`Shape`]s.
const SHAPES: usize = 11;

/// A [`Shape`]'s column in [`Pieces::single`]; custom fields take the last one.
fn column(shape: Option<Shape>) -> usize {
    match shape {
        Some(Shape::CallbackType) => 0,
        Some(Shape::Unsigned) => 1,
        Some(Shape::Integer) => 2,
        Some(Shape::Amount) => 3,
        Some(Shape::CurrencyCode) => 4,
        Some(Shape::Word) => 5,
        Some(Shape::Status) => 6,
        Some(Shape::DateTime) => 7,
        Some(Shape::Reference) => 8,
        Some(Shape::Text) => 9,
        Some(Shape::Object) => 10,
        None => SHAPES,
    }
}

impl<'j> Pieces<'j> {
    fn new(joined: &'j str) -> Self {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(joined.match_indices(':').map(|(i, _)| i + 1))
            .collect();
        let closes = vec![None; starts.len()];
        let single = vec![[None; SHAPES + 1]; starts.len()];
        Self {
            joined,
            starts,
            closes,
            single,
            nested: Vec::new(),
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

    /// Records that the text at `start` of `len` bytes is a JSON object (or array), if it spans
    /// whole pieces: every nested slot accepts an object, custom fields an array too.
    fn known_nested(&mut self, start: usize, len: usize, object: bool) {
        let end = start + len;
        let Ok(a) = self.starts.binary_search(&start) else {
            return;
        };
        let z = if end == self.joined.len() {
            self.count()
        } else {
            match self.starts.binary_search(&(end + 1)) {
                Ok(z) => z,
                Err(_) => return,
            }
        };
        if let Some(close) = self.closes.get_mut(a) {
            *close = Some(Some(z));
        }
        if z > a + 1 {
            self.nested.push(((a, z, true), true));
            self.nested.push(((a, z, false), object));
        }
    }

    /// The piece after the one where the bracket opening piece `a` closes, if it closes at the end
    /// of a piece.
    fn close(&mut self, a: usize) -> Option<usize> {
        if let Some(Some(known)) = self.closes.get(a) {
            return *known;
        }
        let start = self.starts.get(a).copied()?;
        let close = balanced_end(self.joined.as_bytes(), start).and_then(|end| {
            if end == self.joined.len() {
                return Some(self.count());
            }
            // The close must be followed by a `:`, the start of the next piece.
            self.starts.binary_search(&(end + 1)).ok()
        });
        if let Some(cell) = self.closes.get_mut(a) {
            *cell = Some(close);
        }
        close
    }

    /// Whether some piece is exactly `text`.
    fn has_piece(&self, text: &str) -> bool {
        (0..self.count()).any(|a| self.part(a, a + 1) == text)
    }

    /// The ends `z` of the parts starting at piece `a` that `slot` may take.
    fn ends(&mut self, a: usize, slot: &Slot<'_>) -> impl Iterator<Item = usize> + use<> {
        let n = self.count();
        let [first, second] = match slot.spans() {
            Span::DateTime => [Some(a + 3), None],
            Span::Nested => [Some(a + 1), self.close(a).filter(|&z| z > a + 1)],
            Span::One => [Some(a + 1), None],
        };
        [first, second]
            .into_iter()
            .flatten()
            .filter(move |&z| z <= n)
    }

    /// Whether `slot` of `kind` accepts the part from piece `a` to `z`.
    fn accepts(&mut self, a: usize, z: usize, slot: &Slot<'_>, kind: CallbackKind) -> bool {
        let part = self.part(a, z);
        if part.is_empty() {
            return false; // an empty value is not signed
        }
        let check = |part: &str| match slot.shape {
            Some(shape) => shape.accepts_text(part, kind),
            None => schema::custom_accepts_text(part),
        };
        if z > a + 1 {
            // Several pieces: only a nested value, ending with its bracket; memoized, as parsing is
            // the costly check.
            if !part.ends_with(['}', ']']) {
                return false;
            }
            let key = (a, z, slot.shape.is_none());
            if let Some((_, known)) = self.nested.iter().find(|(k, _)| *k == key) {
                return *known;
            }
            let accepted = check(part);
            self.nested.push((key, accepted));
            return accepted;
        }
        if slot.shape == Some(Shape::CallbackType) {
            return check(part); // depends on the kind; a string comparison
        }
        let cell = self
            .single
            .get_mut(a)
            .and_then(|row| row.get_mut(column(slot.shape)));
        match cell {
            Some(Some(known)) => *known,
            Some(cell) => *cell.insert(check(part)),
            None => check(part),
        }
    }
}

/// Where the JSON value starting with the bracket at `start` ends (after its closing bracket),
/// skipping brackets inside strings; `None` when `start` holds no bracket or it is never closed.
fn balanced_end(bytes: &[u8], start: usize) -> Option<usize> {
    if !matches!(bytes.get(start), Some(b'{' | b'[')) {
        return None;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// A money key whose value differs in another complete reading of `joined` (`callback_type` when
/// the other reading is of another kind), if there is one.
fn other_reading(
    joined: &str,
    kind: CallbackKind,
    kind_slots: &[Slot<'_>],
    signed: &[Signed<'_>],
    custom: &CustomFields,
) -> Option<&'static str> {
    let mut pieces = Pieces::new(joined);
    if pieces.count() > MAX_PARTS {
        return Some("callback_type");
    }
    // The nested values as received were checked already: no need to parse them again.
    for s in signed {
        match s.value {
            Value::Object(_) => pieces.known_nested(s.start, s.text.len(), true),
            Value::Array(_) => pieces.known_nested(s.start, s.text.len(), false),
            _ => {}
        }
    }
    for other in CallbackKind::ALL {
        // A type sent with a `callback_type` has no reading without that exact piece.
        if other
            .callback_type()
            .is_some_and(|value| !pieces.has_piece(value))
        {
            continue;
        }
        if other == kind {
            let mut search = Search::new(&mut pieces, kind_slots, kind);
            if let Some(key) = search.money_conflict(signed) {
                return Some(key);
            }
            continue;
        }
        let slots = slots(other, custom);
        if Search::new(&mut pieces, &slots, other).completes(0, 0) {
            return Some("callback_type");
        }
    }
    None
}

/// Readings of the pieces by one kind's slots, as a search over states `(a, k)`: pieces `a..` are
/// left to read with slots `k..`. Each state is solved once.
struct Search<'p, 'j, 's> {
    pieces: &'p mut Pieces<'j>,
    slots: &'s [Slot<'s>],
    kind: CallbackKind,
    /// Whether a state completes (pieces `a..` read by slots `k..`), once known.
    completes: Vec<Option<bool>>,
}

impl<'p, 'j, 's> Search<'p, 'j, 's> {
    fn new(pieces: &'p mut Pieces<'j>, slots: &'s [Slot<'s>], kind: CallbackKind) -> Self {
        let states = (pieces.count() + 1) * (slots.len() + 1);
        Self {
            pieces,
            slots,
            kind,
            completes: vec![None; states],
        }
    }

    fn at(&self, a: usize, k: usize) -> usize {
        a * (self.slots.len() + 1) + k
    }

    /// Whether pieces `a..` can be read by slots `k..` (each part accepted by its slot, every slot
    /// left out optional). Recursion depth is at most pieces + slots ([`MAX_PARTS`] bounds it).
    fn completes(&mut self, a: usize, k: usize) -> bool {
        let n = self.pieces.count();
        if a == n {
            return self
                .slots
                .get(k..)
                .is_some_and(|rest| rest.iter().all(|s| !s.required));
        }
        let Some(&slot) = self.slots.get(k) else {
            return false;
        };
        let at = self.at(a, k);
        if let Some(Some(known)) = self.completes.get(at) {
            return *known;
        }
        let mut done = !slot.required && self.completes(a, k + 1);
        if !done {
            for z in self.pieces.ends(a, &slot) {
                if self.pieces.accepts(a, z, &slot, self.kind) && self.completes(z, k + 1) {
                    done = true;
                    break;
                }
            }
        }
        if let Some(cell) = self.completes.get_mut(at) {
            *cell = Some(done);
        }
        done
    }

    /// A money key that some complete reading gives another value than `signed` has (both
    /// present), walking only the states on complete readings.
    fn money_conflict(&mut self, signed: &[Signed<'_>]) -> Option<&'static str> {
        // The received text of each money slot (both lists sorted by key).
        let mut rest = signed.iter().peekable();
        let observed: Vec<Option<&str>> = self
            .slots
            .iter()
            .map(|slot| {
                while rest.next_if(|s| s.key < slot.name).is_some() {}
                let text = rest.peek().filter(|s| s.key == slot.name).map(|s| s.text);
                text.filter(|_| slot.money)
            })
            .collect();
        let mut visited = vec![false; self.completes.len()];
        let mut stack = vec![(0, 0)];
        if !self.completes(0, 0) {
            return None;
        }
        while let Some((a, k)) = stack.pop() {
            let at = self.at(a, k);
            match visited.get_mut(at) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            let Some(&slot) = self.slots.get(k) else {
                continue;
            };
            if a == self.pieces.count() {
                continue;
            }
            if !slot.required && self.completes(a, k + 1) {
                stack.push((a, k + 1));
            }
            for z in self.pieces.ends(a, &slot) {
                if !self.pieces.accepts(a, z, &slot, self.kind) || !self.completes(z, k + 1) {
                    continue;
                }
                let part = self.pieces.part(a, z);
                if observed
                    .get(k)
                    .copied()
                    .flatten()
                    .is_some_and(|v| v != part)
                {
                    return self.kind.spec(slot.name).map(|spec| spec.name);
                }
                stack.push((z, k + 1));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_end_skips_brackets_in_strings() {
        let text = r#"{"a": "}\"]:{", "b": [1, {"c": 2}]}:next"#;
        let end = balanced_end(text.as_bytes(), 0).unwrap();
        assert_eq!(text.get(end..), Some(":next"));
        assert_eq!(balanced_end(b"[1, [2]", 0), None);
        assert_eq!(balanced_end(b"x{}", 0), None);
        assert_eq!(balanced_end(b"}", 0), None);
    }

    #[test]
    fn a_nested_part_can_only_end_where_its_bracket_closes() {
        let mut pieces = Pieces::new(r#"{"a": "b:c"}:{"d": 1}:x"#);
        // Pieces: `{"a"`, ` "b`, `c"}`, `{"d"`, ` 1}`, `x`.
        assert_eq!(pieces.count(), 6);
        let nested = Slot {
            name: "n",
            shape: Some(Shape::Object),
            required: false,
            money: false,
        };
        assert_eq!(pieces.ends(0, &nested).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(pieces.ends(3, &nested).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(pieces.ends(1, &nested).collect::<Vec<_>>(), [2]);
        assert_eq!(pieces.part(0, 3), r#"{"a": "b:c"}"#);
    }
}
