//! Stream ids: `app_id << 32 | op_id << 20 | variant_id` (schema v3, `sql/003_stream_ids.sql`).
//!
//! The id is the stream's identity: ingest computes it from three small integers instead of looking it up, an
//! app's streams (and so its events, rollups and history windows) are one contiguous range of the primary keys,
//! and queries read the app, op and variant back from the id. Below 2^47 (app ids under 32,768) an id takes 6
//! bytes in a record.

use crate::error::{Error, Result};

pub(crate) const APP_SHIFT: u32 = 32;
pub(crate) const OP_SHIFT: u32 = 20;
/// Largest op id that fits (4,095).
pub(crate) const MAX_OP_ID: i64 = (1 << (APP_SHIFT - OP_SHIFT)) - 1;
/// Largest variant id that fits (1,048,575).
pub(crate) const MAX_VARIANT_ID: i64 = (1 << OP_SHIFT) - 1;

/// The stream of (app, op, variant).
pub(crate) fn stream_id(app: i64, op: i64, variant: i64) -> Result<i64> {
    if !(1..=MAX_OP_ID).contains(&op) || !(1..=MAX_VARIANT_ID).contains(&variant) || !(1..1 << 31).contains(&app) {
        return Err(Error::Database(format!("stream id out of range (app {app}, op {op}, variant {variant})")));
    }
    Ok(app << APP_SHIFT | op << OP_SHIFT | variant)
}

/// The range of stream ids of one app, inclusive.
pub(crate) fn app_range(app: i64) -> (i64, i64) {
    (app << APP_SHIFT, (app << APP_SHIFT) | ((1 << APP_SHIFT) - 1))
}

// In-memory maps keyed by short strings and integers use FxHash (rustc's hasher, crate `rustc-hash`): SipHash's
// resistance to chosen keys buys nothing there (the keys come from the device's own dump), and it cost 6–12 % of
// an ingest.
pub(crate) use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_pack_and_ranges_hold_an_apps_streams() {
        let id = stream_id(7, MAX_OP_ID, MAX_VARIANT_ID).expect("fits");
        let (lo, hi) = app_range(7);
        assert!(lo <= id && id <= hi);
        assert!(stream_id(8, 1, 1).expect("fits") > hi);
        assert_eq!(
            (id >> APP_SHIFT, (id >> OP_SHIFT) & MAX_OP_ID, id & MAX_VARIANT_ID),
            (7, MAX_OP_ID, MAX_VARIANT_ID)
        );
        assert!(stream_id(1, MAX_OP_ID + 1, 1).is_err());
        assert!(stream_id(1, 1, MAX_VARIANT_ID + 1).is_err());
        assert!(stream_id(1, 1, 1).expect("fits") >= 1 << 32, "above every id of schema v2 (migration renumbers)");
    }

    #[test]
    fn the_largest_op_and_variant_stay_in_their_own_bits() {
        // App 6 and op 2 have their lowest bit clear: a field one bit too wide would set it and show.
        assert_eq!((MAX_OP_ID, MAX_VARIANT_ID), (4_095, 1_048_575));
        for (op, variant) in [(MAX_OP_ID, 1), (2, MAX_VARIANT_ID), (MAX_OP_ID, MAX_VARIANT_ID)] {
            let id = stream_id(6, op, variant).expect("fits");
            assert_eq!((id >> APP_SHIFT, (id >> OP_SHIFT) & MAX_OP_ID, id & MAX_VARIANT_ID), (6, op, variant));
            let (lo, hi) = app_range(6);
            assert!(lo <= id && id <= hi && hi < app_range(7).0);
        }
    }
}
