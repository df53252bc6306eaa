//! Values gathered by key and handed back in key order: what the store's queries used a `BTreeMap<K, V>` for.
//!
//! Each `BTreeMap` key *and value* type is a copy of the B-tree's code, ≈ 3–5 KB of the Android library apiece, and
//! the library has a size budget (docs/performance.md, "Bridge library size"). Here the tree maps a key to the place
//! of its value in a `Vec`, so every gathering by the same key type shares one tree, whatever it gathers.

use std::borrow::Borrow;
use std::collections::BTreeMap;

pub(crate) struct ByKey<K, V> {
    index: BTreeMap<K, usize>,
    values: Vec<V>,
}

impl<K: Ord, V> ByKey<K, V> {
    pub(crate) fn new() -> ByKey<K, V> {
        ByKey { index: BTreeMap::new(), values: Vec::new() }
    }

    /// The value of `key`, made by `make` if the key is new: `map.entry(key).or_insert_with(make)`.
    pub(crate) fn entry(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let next = self.values.len();
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            self.values.push(make());
        }
        &mut self.values[i]
    }

    pub(crate) fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let i = *self.index.get(key)?;
        self.values.get(i)
    }

    pub(crate) fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let i = *self.index.get(key)?;
        self.values.get_mut(i)
    }

    /// How many keys.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The values in no particular order (for sums, or changes to each).
    pub(crate) fn values_mut(&mut self) -> std::slice::IterMut<'_, V> {
        self.values.iter_mut()
    }

    /// The values in the order of their keys: `map.into_values().collect()`.
    pub(crate) fn into_values(self) -> Vec<V> {
        let order: Vec<usize> = self.index.into_values().collect();
        let mut values = self.values;
        crate::sort::permute(&mut values, order);
        values
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::ByKey;

    proptest! {
        /// The same values in the same order as a `BTreeMap` fed the same way.
        #[test]
        fn same_as_a_btreemap(ops in proptest::collection::vec((0u8..20, any::<u32>()), 0..200)) {
            let mut ours: ByKey<String, Vec<u32>> = ByKey::new();
            let mut map: BTreeMap<String, Vec<u32>> = BTreeMap::new();
            for (k, v) in ops {
                let key = format!("k{k}");
                if v % 5 == 0 {
                    if let (Some(a), Some(b)) = (ours.get_mut(key.as_str()), map.get_mut(key.as_str())) {
                        a.push(v);
                        b.push(v);
                    }
                    continue;
                }
                ours.entry(key.clone(), || vec![u32::from(k)]).push(v);
                map.entry(key).or_insert_with(|| vec![u32::from(k)]).push(v);
            }
            prop_assert_eq!(ours.len(), map.len());
            for k in 0u8..20 {
                let key = format!("k{k}");
                prop_assert_eq!(ours.get(key.as_str()), map.get(key.as_str()));
            }
            let sum: usize = ours.values_mut().map(|v| v.len()).sum();
            prop_assert_eq!(sum, map.values().map(Vec::len).sum::<usize>());
            prop_assert_eq!(ours.into_values(), map.into_values().collect::<Vec<_>>());
        }
    }
}
