//! One sort for the whole core.
//!
//! Every `sort_by` over a new element type or comparator is a new copy of std's stable sort, ≈ 4 KB of code each,
//! and the Android library has a size budget (docs/performance.md, "Bridge library size"). The core sorts short
//! lists (an app's findings, the apps, a timeline's events), so its sorts share one copy: indices are sorted with the
//! comparator behind a `dyn`, then the elements are moved into that order.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably: what `v.sort_by(cmp)` does.
pub(crate) fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let order = stable_order(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Puts the elements of `v` in the order `order` gives: `order[k]` is the index of the element that goes to `k`.
/// `order` must be a permutation of `0..v.len()`.
pub(crate) fn permute<T>(v: &mut Vec<T>, order: Vec<usize>) {
    let mut items: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    // `order` is a permutation, so each item is taken exactly once.
    v.extend(order.into_iter().filter_map(|i| items[i].take()));
}

/// Sorts `v` in its natural order, stably: what `v.sort()` does.
pub(crate) fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

#[inline(never)]
fn stable_order(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The same order as std's stable sort, ties included: pairs compared by their first field only keep the
        /// order of their second.
        #[test]
        fn same_as_std_stable_sort(v in proptest::collection::vec((0u8..8, any::<u32>()), 0..300)) {
            let mut ours = v.clone();
            super::sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = v;
            std.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn natural_order_and_owned_items() {
        let mut v: Vec<String> = ["b", "c", "a", "b"].map(String::from).to_vec();
        super::sort(&mut v);
        assert_eq!(v, ["a", "b", "b", "c"]);
        let mut empty: Vec<String> = Vec::new();
        super::sort(&mut empty);
        assert!(empty.is_empty());
    }
}
