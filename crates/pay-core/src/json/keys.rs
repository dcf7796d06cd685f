//! Duplicate-key detection in linear time, for the tree reader and the validator alike.
//!
//! A small object compares each new key with the earlier ones, as before: nothing to allocate, and
//! faster than hashing for a few dozen keys. Past [`SCAN_LIMIT`] keys a hash set takes over, so an
//! object of `n` keys costs O(n) instead of O(n²). Keys come from the network, so the set is
//! indexed by SipHash-1-3 under a random key (std's `RandomState`, a fresh one per set): an
//! attacker who cannot predict the hash cannot make keys collide. Each key is hashed once; the
//! hash is stored with it, so growing the set does not hash again. Keys are compared decoded
//! (`"a\u0062"` is `"ab"`), as both readers hand them over, and in full (equal hashes alone never
//! make a duplicate).

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};

use super::JsonError;

/// An open object as both readers keep it: where its keys (or members) start in their scratch
/// list, and whether its keys went into a hash set.
pub(super) struct OpenObject {
    /// Index of the object's first key in the reader's list.
    pub(super) first: usize,
    /// Whether the keys are hashed (see [`KeySets::insert`]).
    pub(super) hashed: bool,
}

impl OpenObject {
    /// An object whose keys will start at `first`.
    pub(super) fn at(first: usize) -> Self {
        Self {
            first,
            hashed: false,
        }
    }
}

/// Objects with at most this many keys are checked by scanning the earlier keys. A Qostiq callback
/// has about 20 top-level keys; scanning them is cheaper than building a set.
const SCAN_LIMIT: usize = 32;

/// A key with its keyed SipHash.
#[derive(Debug)]
struct Hashed<'a> {
    hash: u64,
    key: Cow<'a, str>,
}

impl PartialEq for Hashed<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl Eq for Hashed<'_> {}

impl Hash for Hashed<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The hasher of the sets: hands on the one `u64` a [`Hashed`] writes (already keyed SipHash).
#[derive(Debug, Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is called; fold anything else in rather than ignore it.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The keys of one object past the scan size.
#[derive(Debug)]
struct KeySet<'a> {
    sip: RandomState,
    set: HashSet<Hashed<'a>, BuildHasherDefault<PassThrough>>,
}

impl<'a> KeySet<'a> {
    fn new() -> Self {
        Self {
            sip: RandomState::new(),
            // Room for half as many keys again before the first growth.
            set: HashSet::with_capacity_and_hasher(SCAN_LIMIT + SCAN_LIMIT / 2, Default::default()),
        }
    }

    /// Whether `key` is new, remembering it.
    #[allow(clippy::ptr_arg)] // as in `KeySets::insert`
    fn insert(&mut self, key: &Cow<'a, str>) -> bool {
        let hash = self.sip.hash_one(&**key);
        self.set.insert(Hashed {
            hash,
            key: key.clone(),
        })
    }
}

/// The hash sets of the open objects that outgrew the scan, innermost last.
///
/// An object keeps a `hashed` flag (initially `false`) and passes it to every call, so that the
/// readers' recursive functions hold nothing that needs dropping.
#[derive(Debug, Default)]
pub(super) struct KeySets<'a> {
    sets: Vec<KeySet<'a>>,
}

impl<'a> KeySets<'a> {
    /// Whether `key` differs from every earlier key of the object, remembering it when it does.
    ///
    /// `earlier` are the object's keys accepted so far, in order; it is read only while `hashed` is
    /// false (the object is small), so a caller may stop collecting keys once it is true.
    // `&Cow`, not `&str`: the set keeps a borrowed key as a borrow, without copying it.
    #[allow(clippy::ptr_arg)]
    #[inline]
    pub(super) fn insert<'k, I>(
        &mut self,
        hashed: &mut bool,
        earlier: I,
        key: &Cow<'a, str>,
    ) -> bool
    where
        'a: 'k,
        I: ExactSizeIterator<Item = &'k Cow<'a, str>>,
    {
        if *hashed || earlier.len() >= SCAN_LIMIT {
            return self.insert_hashed(hashed, earlier, key);
        }
        let key: &str = key;
        for k in earlier {
            if **k == *key {
                return false;
            }
        }
        true
    }

    /// [`Self::insert`] past the scan size; out of line, so the scan stays small where it is used.
    #[allow(clippy::ptr_arg)] // as in `insert`
    #[inline(never)]
    fn insert_hashed<'k, I>(&mut self, hashed: &mut bool, earlier: I, key: &Cow<'a, str>) -> bool
    where
        'a: 'k,
        I: Iterator<Item = &'k Cow<'a, str>>,
    {
        if !*hashed {
            let mut set = KeySet::new();
            for k in earlier {
                set.insert(k);
            }
            self.sets.push(set);
            *hashed = true;
        }
        match self.sets.last_mut() {
            Some(set) => set.insert(key),
            // Unreachable (pushed above, or by an earlier call for this object); refuse rather
            // than miss a duplicate.
            None => false,
        }
    }

    /// [`Self::insert`] as the readers use it: `key` back when it is new, else the duplicate error.
    #[inline]
    pub(super) fn check<'k, I>(
        &mut self,
        hashed: &mut bool,
        earlier: I,
        key: Cow<'a, str>,
    ) -> Result<Cow<'a, str>, JsonError>
    where
        'a: 'k,
        I: ExactSizeIterator<Item = &'k Cow<'a, str>>,
    {
        if self.insert(hashed, earlier, &key) {
            Ok(key)
        } else {
            Err(JsonError::DuplicateKey {
                key: key.into_owned(),
            })
        }
    }

    /// Ends an object: drops its set if it had one.
    #[inline]
    pub(super) fn close(&mut self, hashed: bool) {
        if hashed {
            self.sets.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One open object as the readers keep it: its flag and, while small, its keys.
    #[derive(Default)]
    struct Object {
        hashed: bool,
        accepted: Vec<Cow<'static, str>>,
    }

    impl Object {
        fn add(&mut self, sets: &mut KeySets<'static>, name: &'static str) -> bool {
            let key = Cow::Borrowed(name);
            let new = sets.insert(&mut self.hashed, self.accepted.iter(), &key);
            if new && !self.hashed {
                self.accepted.push(key);
            }
            new
        }
    }

    fn names() -> Vec<&'static str> {
        (0..100)
            .map(|i| &*Box::leak(format!("k{i}").into_boxed_str()))
            .collect()
    }

    #[test]
    fn finds_the_first_duplicate_before_and_after_the_switch() {
        let names = names();
        for len in [2, SCAN_LIMIT, SCAN_LIMIT + 1, SCAN_LIMIT + 2, 60] {
            for repeated in [0, len / 2, len - 1] {
                let mut keys = names[..len].to_vec();
                keys.push(names[repeated]);
                let mut sets = KeySets::default();
                let mut object = Object::default();
                let first_duplicate = keys.iter().position(|k| !object.add(&mut sets, k));
                assert_eq!(first_duplicate, Some(len), "{len} keys, {repeated}");
            }
        }
    }

    #[test]
    fn equal_hashes_alone_are_not_a_duplicate() {
        let mut set = KeySet::new();
        assert!(set.insert(&Cow::Borrowed("a")));
        let hash = set.sip.hash_one("a");
        // A forced collision: same hash, other text.
        assert!(set.set.insert(Hashed {
            hash,
            key: Cow::Borrowed("b"),
        }));
        assert!(!set.insert(&Cow::Borrowed("a")));
        assert!(!set.insert(&Cow::Owned("a".to_owned())));
        assert!(set.insert(&Cow::Borrowed("c")));
    }

    #[test]
    fn nested_objects_keep_their_own_sets() {
        let names = names();
        let mut sets = KeySets::default();
        let mut outer = Object::default();
        for name in &names[..40] {
            assert!(outer.add(&mut sets, name));
        }
        let mut inner = Object::default();
        for name in &names[..45] {
            assert!(inner.add(&mut sets, name), "{name} in the inner object");
        }
        assert!(!inner.add(&mut sets, names[44]));
        sets.close(inner.hashed);
        for name in &names[40..50] {
            assert!(outer.add(&mut sets, name));
        }
        assert!(!outer.add(&mut sets, names[7]));
        assert!(!outer.add(&mut sets, names[45]));
        sets.close(outer.hashed);
        assert!(sets.sets.is_empty());
    }
}
