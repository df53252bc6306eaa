//! A stream's variant: everything that identifies it besides its app and op (attribution tag, uid state, flags,
//! access or reject, proxy), as stored in `variants`, the small per-device vocabulary held in memory while ingesting.

use crate::store::ids::FxHasher;
use std::hash::Hasher;

/// Everything that identifies a stream besides its app and op, as stored in `variants`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Variant {
    pub(super) tag: String,
    pub(super) state: String,
    pub(super) flags: String,
    pub(super) kind: i64,
    pub(super) proxy_uid: i64,
    pub(super) proxy_package: String,
    pub(super) proxy_tag: String,
}

impl Variant {
    pub(super) fn borrowed(&self) -> VariantRef<'_> {
        VariantRef {
            tag: &self.tag,
            state: &self.state,
            flags: &self.flags,
            kind: self.kind,
            proxy_uid: self.proxy_uid,
            proxy_package: &self.proxy_package,
            proxy_tag: &self.proxy_tag,
        }
    }
}

/// A variant as the parser hands it over (borrowed).
#[derive(Clone, Copy)]
pub(super) struct VariantRef<'a> {
    pub(super) tag: &'a str,
    pub(super) state: &'a str,
    pub(super) flags: &'a str,
    pub(super) kind: i64,
    pub(super) proxy_uid: i64,
    pub(super) proxy_package: &'a str,
    pub(super) proxy_tag: &'a str,
}

impl VariantRef<'_> {
    pub(super) fn hash64(&self) -> u64 {
        let mut h = FxHasher::default();
        for s in [self.tag, self.state, self.flags, self.proxy_package, self.proxy_tag] {
            h.write(s.as_bytes());
            h.write_u8(0xff);
        }
        h.write_i64(self.kind);
        h.write_i64(self.proxy_uid);
        h.finish()
    }

    pub(super) fn matches(&self, v: &Variant) -> bool {
        self.kind == v.kind
            && self.proxy_uid == v.proxy_uid
            && same(self.state, &v.state)
            && same(self.flags, &v.flags)
            && same(self.tag, &v.tag)
            && same(self.proxy_package, &v.proxy_package)
            && same(self.proxy_tag, &v.proxy_tag)
    }

    pub(super) fn to_owned(self) -> Variant {
        Variant {
            tag: self.tag.to_owned(),
            state: self.state.to_owned(),
            flags: self.flags.to_owned(),
            kind: self.kind,
            proxy_uid: self.proxy_uid,
            proxy_package: self.proxy_package.to_owned(),
            proxy_tag: self.proxy_tag.to_owned(),
        }
    }
}

/// String equality for the short, mostly empty strings of a variant, without a `memcmp` call per field.
#[inline]
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_matches_only_itself_whatever_its_hash() {
        // `matches` is what tells two streams apart when their 64-bit hashes collide: every field must count.
        let base = Variant {
            tag: "nav".into(),
            state: "top".into(),
            flags: "s".into(),
            kind: 0,
            proxy_uid: 1000,
            proxy_package: "android".into(),
            proxy_tag: "loc".into(),
        };
        let it = base.borrowed();
        assert!(it.matches(&base));
        assert_eq!(it.to_owned(), base);
        let others = [
            VariantRef { tag: "na", ..it },
            VariantRef { state: "bg", ..it },
            VariantRef { flags: "sf", ..it },
            VariantRef { kind: 1, ..it },
            VariantRef { proxy_uid: 1001, ..it },
            VariantRef { proxy_package: "androie", ..it },
            VariantRef { proxy_tag: "", ..it },
        ];
        for (i, other) in others.iter().enumerate() {
            assert!(!other.matches(&base), "field {i}");
            assert_ne!(other.hash64(), it.hash64(), "field {i}");
        }
        assert!(same("top", "top") && !same("top", "toq") && !same("top", "to"));
    }
}
