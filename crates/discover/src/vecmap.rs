//! Small sorted collections for per-endpoint state.
//!
//! The inventory keeps a few maps and sets per endpoint and per schema node
//! (properties, statuses, hosts, content types, sensitive fields, findings),
//! nearly all with a handful of entries. A `BTreeMap` allocates a node for
//! eleven entries even when it holds one; at 100,000 endpoints that
//! overhead, not the data, fills memory. These keep their entries in one
//! boxed slice sorted by key, of exactly their size (two words, no spare
//! room): lookups are a binary search, iteration is in key order as a
//! `BTreeMap`'s is, and they serialise exactly as the `BTreeMap` and
//! `BTreeSet` they replace, so stored snapshots still load. New keys are
//! rare once an endpoint is known, so an insertion may reallocate.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;

/// Inserts into a boxed slice, which stays exactly as long as its items.
fn insert_into<T>(items: &mut Box<[T]>, at: usize, item: T) {
    let mut grown = std::mem::take(items).into_vec();
    grown.reserve_exact(1);
    grown.insert(at, item);
    *items = grown.into_boxed_slice();
}

/// A map kept as a vector sorted by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VecMap<K, V> {
    entries: Box<[(K, V)]>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap {
            entries: Box::new([]),
        }
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the key is (`Ok`) or would go (`Err`), found by comparing each
    /// stored key with the one sought: lets a key be sought by a borrowed
    /// form of its parts without building it.
    pub fn position_by(&self, mut cmp: impl FnMut(&K) -> Ordering) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| cmp(k))
    }

    fn position<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.position(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.insert_at(i, key, value);
                None
            }
        }
    }

    /// Adds entries whose keys are not in the map yet (in any order), with
    /// one reallocation.
    pub fn insert_new(&mut self, new: Vec<(K, V)>) {
        if new.is_empty() {
            return;
        }
        let mut entries = Vec::with_capacity(self.entries.len() + new.len());
        entries.extend(std::mem::take(&mut self.entries).into_vec());
        entries.extend(new);
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.entries = entries.into_boxed_slice();
    }

    /// The value at a position `position_by` found.
    pub fn value_at_mut(&mut self, at: usize) -> &mut V {
        &mut self.entries[at].1
    }

    /// Inserts at the position `position_by` gave for this key.
    pub fn insert_at(&mut self, at: usize, key: K, value: V) {
        insert_into(&mut self.entries, at, (key, value));
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_vec().into_iter()
    }
}

/// Later entries replace earlier ones with the same key, as in a `BTreeMap`.
impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        rampart_core::pairs::sort_keeping_last(&mut entries);
        VecMap {
            entries: entries.into_boxed_slice(),
        }
    }
}

impl<K: Serialize, V: Serialize> Serialize for VecMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for VecMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(std::collections::BTreeMap::<K, V>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

/// A set kept as a sorted vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VecSet<T> {
    items: Box<[T]>,
}

impl<T> Default for VecSet<T> {
    fn default() -> Self {
        VecSet {
            items: Box::new([]),
        }
    }
}

impl<T: Ord> VecSet<T> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.items
            .binary_search_by(|i| i.borrow().cmp(item))
            .is_ok()
    }

    /// Adds the item; false when it was there already.
    pub fn insert(&mut self, item: T) -> bool {
        match self.items.binary_search(&item) {
            Ok(_) => false,
            Err(at) => {
                insert_into(&mut self.items, at, item);
                true
            }
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<T: Ord + Clone> VecSet<T> {
    /// Adds every item of another set.
    pub fn extend_from(&mut self, other: &VecSet<T>) {
        for item in other.iter() {
            if !self.contains(item) {
                self.insert(item.clone());
            }
        }
    }
}

impl<T: Ord> FromIterator<T> for VecSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut items: Vec<T> = iter.into_iter().collect();
        items.sort();
        items.dedup();
        VecSet {
            items: items.into_boxed_slice(),
        }
    }
}

impl<T: Serialize> Serialize for VecSet<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(&self.items)
    }
}

impl<'de, T: Ord + Deserialize<'de>> Deserialize<'de> for VecSet<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<T>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn behaves_and_serialises_like_the_btree_collections() {
        let mut map: VecMap<Box<str>, u64> = VecMap::default();
        let mut reference = BTreeMap::new();
        for (i, key) in ["m", "b", "z", "b", "a"].into_iter().enumerate() {
            assert_eq!(
                map.insert(key.into(), i as u64),
                reference.insert(key.to_string(), i as u64)
            );
        }
        assert_eq!(map.get("b"), Some(&3));
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            serde_json::to_string(&reference).unwrap()
        );
        let back: VecMap<Box<str>, u64> = serde_json::from_str(r#"{"z":1,"a":2,"a":3}"#).unwrap();
        assert_eq!(
            back.iter().collect::<Vec<_>>(),
            [(&"a".into(), &3), (&"z".into(), &1)]
        );
        let mut set = VecSet::default();
        assert!(set.insert(3) && set.insert(1) && !set.insert(3));
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(
            json,
            serde_json::to_string(&BTreeSet::from([1, 3])).unwrap()
        );
        assert_eq!(serde_json::from_str::<VecSet<i32>>(&json).unwrap(), set);
    }
}
