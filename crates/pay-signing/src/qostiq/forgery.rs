//! What a forger can make of a captured genuine callback, without the secret.
//!
//! Qostiq signs `sha256(v1:…:vN + secret)` over the values sorted by key name. The key names are not
//! signed and the `:` between values is not escaped, so every body below has exactly the signed
//! string of the genuine one, and its `sign` still matches:
//!
//! * [`ForgeryClass::RenamedKey`]: one key renamed to any name that keeps the sort order (keys of
//!   every callback type, declared custom fields, near-misses such as `callback_typ`, a name carrying
//!   a forged log line); a `null` or `""` key renamed to anything.
//! * [`ForgeryClass::MovedValues`]: the signed values, in order, put onto every other ordered
//!   selection of the keys of one callback type plus the custom fields. A selection mixing keys of
//!   several types contains a key foreign to the type `callback_type` decides; renaming one value
//!   onto each foreign key ([`ForgeryClass::RenamedKey`]) covers that refusal.
//! * [`ForgeryClass::ColonShift`]: the boundary between two neighbouring values moved to another
//!   `:` in either.
//! * [`ForgeryClass::Merge`]: two or three neighbouring values joined into one key, the other keys
//!   dropped.
//! * [`ForgeryClass::Split`]: a value split at one of its `:`, one part moved to a new key.
//! * [`ForgeryClass::Retyped`]: a value re-encoded with the same signed text (`979` ↔ `"979"`, an
//!   object ↔ a string holding it).
//!
//! Each value is written in the JSON encoding most likely to pass the target key's shape check (a
//! forger's best choice). A sound verifier refuses every body, or reads from it the same type and the
//! same values for every key that decides money ([`KeySpec::money`](super::KeySpec)). The attack
//! tests of this workspace run every forgery of every genuine test vector through every entry point;
//! run them against your own configuration and a callback you captured:
//!
//! ```
//! use pay_core::secret::Secret;
//! use pay_signing::qostiq::forgery::each_forgery;
//! use pay_signing::qostiq::{CallbackVerifier, sign_callback};
//!
//! let secret = Secret::new("d3b07384d113edec49eaa6238ad5ff00").unwrap();
//! let genuine = sign_callback(&secret, br#"{"payment_id": 71111543, "shop_amount": 6.0,
//!     "shop_currency": 980, "shop_id": 265, "shop_order_id": "979", "status": "success"}"#).unwrap();
//! let verifier = CallbackVerifier::new(secret);
//! let mut forged = 0;
//! each_forgery(genuine.as_bytes(), &[], |_, body| {
//!     forged += 1;
//!     if let Ok(callback) = verifier.verify(body.as_bytes()) {
//!         // Accepted only when it reads the same order and amount.
//!         assert_eq!(callback.object().get("shop_order_id").unwrap().raw, "\"979\"");
//!     }
//! })
//! .unwrap();
//! assert!(forged > 100);
//! ```

use std::borrow::Cow;
use std::fmt;

use pay_core::error::SignatureError;
use pay_core::json::python::{self, NestedForm};
use pay_core::json::{Limits, StrictObject, Value, is_json_number};

use super::schema::{self, CallbackKind};

/// How a forgery was derived from the genuine callback (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ForgeryClass {
    /// A key renamed, the sort order kept.
    RenamedKey,
    /// The values put onto another ordered selection of keys.
    MovedValues,
    /// The boundary between two neighbouring values moved to another `:`.
    ColonShift,
    /// Neighbouring values joined into one key.
    Merge,
    /// A value split at a `:`, one part on a new key.
    Split,
    /// A value re-encoded with the same signed text.
    Retyped,
}

impl ForgeryClass {
    /// Every class.
    pub const ALL: [Self; 6] = [
        Self::RenamedKey,
        Self::MovedValues,
        Self::ColonShift,
        Self::Merge,
        Self::Split,
        Self::Retyped,
    ];
}

impl fmt::Display for ForgeryClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::RenamedKey => "renamed key",
            Self::MovedValues => "moved values",
            Self::ColonShift => "colon shift",
            Self::Merge => "merge",
            Self::Split => "split",
            Self::Retyped => "retyped",
        })
    }
}

/// A signed value of the genuine callback.
struct Item {
    key: String,
    raw: String,
    text: String,
}

/// Calls `visit` with every forgery of `genuine` (a signed callback body) and its class.
/// `custom_fields` are the names the receiving verifier declares; they are targets too.
///
/// Errors: `genuine` is not one strict JSON object, or has no `sign`.
pub fn each_forgery<F>(
    genuine: &[u8],
    custom_fields: &[&str],
    mut visit: F,
) -> Result<(), SignatureError>
where
    F: FnMut(ForgeryClass, &str),
{
    let object = StrictObject::parse(genuine, Limits::EVENTS)?;
    let sign = object.get("sign").ok_or(SignatureError::Missing)?.raw;
    let mut signed: Vec<Item> = Vec::new();
    let mut unsigned: Vec<(String, String)> = Vec::new();
    for member in object.members().iter().filter(|m| m.key != "sign") {
        let blank = matches!(&member.value, Value::Null)
            || matches!(&member.value, Value::String(s) if s.is_empty());
        if blank {
            unsigned.push((member.key.to_string(), member.raw.to_owned()));
        } else {
            signed.push(Item {
                key: member.key.to_string(),
                raw: member.raw.to_owned(),
                text: python::str_form(&member.value),
            });
        }
    }
    signed.sort_by(|a, b| a.key.cmp(&b.key));
    let mut universe: Vec<String> = CallbackKind::ALL
        .iter()
        .flat_map(|kind| kind.keys().iter().map(|spec| spec.name.to_owned()))
        .chain(custom_fields.iter().map(|name| (*name).to_owned()))
        .collect();
    universe.sort();
    universe.dedup();
    let forger = Forger {
        signed,
        unsigned,
        sign,
        universe,
        custom_fields,
        kind: kind_of(object.get("callback_type").map(|m| m.raw)),
    };
    forger.renamed(&mut visit);
    forger.moved(&mut visit);
    forger.shifted(&mut visit);
    forger.merged(&mut visit);
    forger.split(&mut visit);
    forger.retyped(&mut visit);
    Ok(())
}

/// The kind a `callback_type` (raw JSON) decides, for choosing encodings.
fn kind_of(callback_type_raw: Option<&str>) -> CallbackKind {
    callback_type_raw
        .and_then(|raw| raw.strip_prefix('"')?.strip_suffix('"'))
        .and_then(CallbackKind::from_callback_type)
        .unwrap_or(CallbackKind::Payment)
}

struct Forger<'s> {
    signed: Vec<Item>,
    unsigned: Vec<(String, String)>,
    sign: &'s str,
    universe: Vec<String>,
    custom_fields: &'s [&'s str],
    kind: CallbackKind,
}

impl Forger<'_> {
    fn present(&self, key: &str) -> bool {
        self.signed.iter().any(|i| i.key == key) || self.unsigned.iter().any(|(k, _)| k == key)
    }

    /// Near-miss names of `key`: one character more, less or changed, another case, and a name
    /// carrying a forged log line.
    fn near_misses(key: &str) -> Vec<String> {
        let mut names = vec![
            format!("{key}_"),
            format!("{key}x"),
            key.to_uppercase(),
            format!("{key}\n2026-11-30T10:00:00Z INFO pay_webhook: event applied"),
        ];
        if let Some((last, stem)) = key
            .char_indices()
            .last()
            .map(|(at, c)| (c, key.split_at(at).0))
        {
            if !stem.is_empty() {
                names.push(stem.to_owned());
            }
            for shifted in [u32::from(last) + 1, u32::from(last).saturating_sub(1)] {
                if let Some(c) = char::from_u32(shifted).filter(char::is_ascii_graphic) {
                    names.push(format!("{stem}{c}"));
                }
            }
        }
        names
    }

    /// The keys of the signed items around item `i`: a key renamed or split off there must sort
    /// after the first and before the second to keep the signed order.
    fn neighbour_keys(&self, i: usize) -> (Option<&str>, Option<&str>) {
        let key = |index: usize| self.signed.get(index).map(|item| item.key.as_str());
        (i.checked_sub(1).and_then(key), key(i + 1))
    }

    fn renamed(&self, visit: &mut impl FnMut(ForgeryClass, &str)) {
        for (i, item) in self.signed.iter().enumerate() {
            let (after, before) = self.neighbour_keys(i);
            let names = self
                .universe
                .iter()
                .cloned()
                .chain(Self::near_misses(&item.key));
            for name in names {
                let keeps_order = after.is_none_or(|a| a < name.as_str())
                    && before.is_none_or(|b| name.as_str() < b);
                if name == item.key || name == "sign" || !keeps_order || self.present(&name) {
                    continue;
                }
                let raw = self.fit(&name, &item.text, &item.raw, self.kind);
                let members = self.replace(&[(i, Some((name.as_str(), raw.as_str())))], &[]);
                visit(ForgeryClass::RenamedKey, &self.assemble(&members));
            }
        }
        for (j, (key, raw)) in self.unsigned.iter().enumerate() {
            let names = self.universe.iter().cloned().chain(Self::near_misses(key));
            for name in names {
                if name == *key || name == "sign" || self.present(&name) {
                    continue;
                }
                let mut members = self.replace(&[], &[j]);
                members.push((name, raw.clone()));
                visit(ForgeryClass::RenamedKey, &self.assemble(&members));
            }
        }
    }

    fn moved(&self, visit: &mut impl FnMut(ForgeryClass, &str)) {
        let n = self.signed.len();
        for kind in CallbackKind::ALL {
            let mut keys: Vec<&str> = kind
                .keys()
                .iter()
                .map(|spec| spec.name)
                .chain(self.custom_fields.iter().copied())
                .collect();
            keys.sort_unstable();
            keys.dedup();
            if n == 0 || n > keys.len() {
                continue;
            }
            // Every increasing selection of `n` of `keys`, as indices.
            let mut pick: Vec<usize> = (0..n).collect();
            loop {
                let chosen: Vec<&str> = pick.iter().filter_map(|&p| keys.get(p).copied()).collect();
                let original = chosen.iter().zip(&self.signed).all(|(k, i)| *k == i.key);
                if !original {
                    let decided = chosen
                        .iter()
                        .position(|k| *k == "callback_type")
                        .and_then(|p| self.signed.get(p))
                        .and_then(|i| CallbackKind::from_callback_type(&i.text))
                        .unwrap_or(if chosen.contains(&"callback_type") {
                            kind
                        } else {
                            CallbackKind::Payment
                        });
                    let mut members: Vec<(String, String)> = chosen
                        .iter()
                        .zip(&self.signed)
                        .map(|(k, i)| ((*k).to_owned(), self.fit(k, &i.text, &i.raw, decided)))
                        .collect();
                    members.extend(
                        self.unsigned
                            .iter()
                            .filter(|(k, _)| !chosen.contains(&k.as_str()))
                            .cloned(),
                    );
                    visit(ForgeryClass::MovedValues, &self.assemble(&members));
                }
                if !next_combination(&mut pick, keys.len()) {
                    break;
                }
            }
        }
    }

    fn shifted(&self, visit: &mut impl FnMut(ForgeryClass, &str)) {
        for i in 0..self.signed.len().saturating_sub(1) {
            let (Some(a), Some(b)) = (self.signed.get(i), self.signed.get(i + 1)) else {
                continue;
            };
            let joined = format!("{}:{}", a.text, b.text);
            for (p, _) in joined.match_indices(':') {
                let (left, right) = split_at_colon(&joined, p);
                if p == a.text.len() || left.is_empty() || right.is_empty() {
                    continue;
                }
                let left_raw = self.fit(&a.key, left, "", self.kind);
                let right_raw = self.fit(&b.key, right, "", self.kind);
                let members = self.replace(
                    &[
                        (i, Some((a.key.as_str(), left_raw.as_str()))),
                        (i + 1, Some((b.key.as_str(), right_raw.as_str()))),
                    ],
                    &[],
                );
                visit(ForgeryClass::ColonShift, &self.assemble(&members));
            }
        }
    }

    fn merged(&self, visit: &mut impl FnMut(ForgeryClass, &str)) {
        for width in 2..=3 {
            for start in 0..=self.signed.len().saturating_sub(width) {
                let run: Vec<&Item> = self.signed.iter().skip(start).take(width).collect();
                if run.len() < width {
                    continue;
                }
                let text: Vec<&str> = run.iter().map(|i| i.text.as_str()).collect();
                let text = text.join(":");
                for (keeper, item) in run.iter().enumerate() {
                    let raw = self.fit(&item.key, &text, "", self.kind);
                    let edits: Vec<(usize, Option<(&str, &str)>)> = (0..width)
                        .map(|o| {
                            let kept = (o == keeper).then_some((item.key.as_str(), raw.as_str()));
                            (start + o, kept)
                        })
                        .collect();
                    let members = self.replace(&edits, &[]);
                    visit(ForgeryClass::Merge, &self.assemble(&members));
                }
            }
        }
    }

    fn split(&self, visit: &mut impl FnMut(ForgeryClass, &str)) {
        for (i, item) in self.signed.iter().enumerate() {
            let (after, before) = self.neighbour_keys(i);
            for (p, _) in item.text.match_indices(':') {
                let (left, right) = split_at_colon(&item.text, p);
                if left.is_empty() || right.is_empty() {
                    continue;
                }
                for name in &self.universe {
                    if self.present(name) {
                        continue;
                    }
                    let name = name.as_str();
                    // The new key takes the right part (sorting after the key) or the left one.
                    let variants =
                        [
                            (item.key.as_str() < name && before.is_none_or(|b| name < b))
                                .then_some((item.key.as_str(), left, name, right)),
                            (after.is_none_or(|a| a < name) && name < item.key.as_str())
                                .then_some((name, left, item.key.as_str(), right)),
                        ];
                    for (first, first_text, second, second_text) in variants.into_iter().flatten() {
                        let first_raw = self.fit(first, first_text, "", self.kind);
                        let second_raw = self.fit(second, second_text, "", self.kind);
                        let mut members = self.replace(&[(i, None)], &[]);
                        members.push((first.to_owned(), first_raw));
                        members.push((second.to_owned(), second_raw));
                        visit(ForgeryClass::Split, &self.assemble(&members));
                    }
                }
            }
        }
    }

    fn retyped(&self, visit: &mut impl FnMut(ForgeryClass, &str)) {
        for (i, item) in self.signed.iter().enumerate() {
            for raw in encodings(&item.text) {
                if raw == item.raw {
                    continue;
                }
                let members = self.replace(&[(i, Some((item.key.as_str(), raw.as_str())))], &[]);
                visit(ForgeryClass::Retyped, &self.assemble(&members));
            }
        }
    }

    /// The genuine members with signed ones edited (`None` drops one) and unsigned ones dropped.
    fn replace(
        &self,
        edits: &[(usize, Option<(&str, &str)>)],
        drop_unsigned: &[usize],
    ) -> Vec<(String, String)> {
        let mut members: Vec<(String, String)> = Vec::new();
        for (i, item) in self.signed.iter().enumerate() {
            match edits.iter().find(|(e, _)| *e == i) {
                Some((_, Some((key, raw)))) => members.push(((*key).to_owned(), (*raw).to_owned())),
                Some((_, None)) => {}
                None => members.push((item.key.clone(), item.raw.clone())),
            }
        }
        for (j, member) in self.unsigned.iter().enumerate() {
            let taken = members.iter().any(|(k, _)| *k == member.0);
            if !drop_unsigned.contains(&j) && !taken {
                members.push(member.clone());
            }
        }
        members
    }

    /// The JSON for a value with signed `text` at `key` that best passes the key's shape check in
    /// `kind`: `original` when it fits, else another encoding with the same text.
    fn fit(&self, key: &str, text: &str, original: &str, kind: CallbackKind) -> String {
        let mut candidates = Vec::new();
        if !original.is_empty() {
            candidates.push(original.to_owned());
        }
        candidates.extend(encodings(text));
        let accepted = |raw: &str| {
            let wrapped = format!("{{\"v\": {raw}}}");
            let Ok(object) = StrictObject::parse(wrapped.as_bytes(), Limits::EVENTS) else {
                return false;
            };
            let Some(value) = object.members().first().map(|m| &m.value) else {
                return false;
            };
            match kind.spec(key) {
                Some(spec) => spec.shape.accepts_type(value) && spec.shape.accepts_text(text, kind),
                None => schema::custom_accepts_text(text),
            }
        };
        candidates
            .iter()
            .find(|raw| accepted(raw))
            .or(candidates.first())
            .cloned()
            .unwrap_or_default()
    }

    fn assemble(&self, members: &[(String, String)]) -> String {
        let mut out = String::from("{");
        for (key, raw) in members {
            python::write_dumps(
                &Value::String(Cow::Borrowed(key)),
                NestedForm::Python,
                &mut out,
            );
            out.push_str(": ");
            out.push_str(raw);
            out.push_str(", ");
        }
        out.push_str("\"sign\": ");
        out.push_str(self.sign);
        out.push('}');
        out
    }
}

/// The texts before and after the `:` at byte `at`.
fn split_at_colon(text: &str, at: usize) -> (&str, &str) {
    let (left, right) = text.split_at(at);
    (left, right.strip_prefix(':').unwrap_or(right))
}

/// The next increasing selection of `pick.len()` indices below `total`; `false` after the last.
fn next_combination(pick: &mut [usize], total: usize) -> bool {
    let n = pick.len();
    for i in (0..n).rev() {
        let limit = total + i - n;
        let Some(slot) = pick.get_mut(i) else {
            continue;
        };
        if *slot < limit {
            *slot += 1;
            let base = *slot;
            for (offset, later) in pick.iter_mut().skip(i + 1).enumerate() {
                *later = base + 1 + offset;
            }
            return true;
        }
    }
    false
}

/// Every JSON encoding of a value whose signed (Python `str()`) text is `text`: a string, and a
/// number, a boolean or an object when `text` is one as Python prints it.
fn encodings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut quoted = String::new();
    python::write_dumps(
        &Value::String(Cow::Borrowed(text)),
        NestedForm::Python,
        &mut quoted,
    );
    out.push(quoted);
    if is_json_number(text) && python::str_form(&Value::Number(text)) == text {
        out.push(text.to_owned());
    }
    match text {
        "True" => out.push("true".to_owned()),
        "False" => out.push("false".to_owned()),
        _ => {}
    }
    if text.starts_with('{') || text.starts_with('[') {
        let wrapped = format!("{{\"v\": {text}}}");
        if let Ok(object) = StrictObject::parse(wrapped.as_bytes(), Limits::EVENTS)
            && let Some(value) = object.members().first().map(|m| &m.value)
            && python::str_form(value) == text
        {
            out.push(text.to_owned());
        }
    }
    out
}
