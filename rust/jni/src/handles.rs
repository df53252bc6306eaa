//! Handles: the `jlong` Kotlin holds is an id in a global registry, never a pointer.
//!
//! - A call after `close` finds no entry and fails with [`BridgeError::Closed`] instead of touching freed memory.
//! - Ids are never reused, so a stale handle cannot reach another instance.
//! - Each call clones the `Arc` under a brief lock and works without holding it: many threads can use one store at
//!   once (the core has one writer connection and a pool of readers in WAL mode, so reads run while an ingest writes).
//! - `close` removes the entry and closes the store; a call that already holds a clone finishes or gets the core's
//!   `Closed` error; the last clone to go drops the store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use opsight_core::Store;

use crate::error::BridgeError;

static STORES: LazyLock<Mutex<HashMap<i64, Arc<Store>>>> = LazyLock::new(|| Mutex::new(HashMap::new()));
/// The next id; 0 is never handed out (it is what a failed `nativeOpen` returns).
static NEXT_ID: AtomicI64 = AtomicI64::new(1);

/// The map. No code panics while holding the lock, but if one ever did, the map itself is still consistent
/// (every operation is a single insert/get/remove), so a poisoned lock is used as is.
fn stores() -> MutexGuard<'static, HashMap<i64, Arc<Store>>> {
    STORES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers an open store and returns its handle (≥ 1).
pub fn insert(store: Store) -> i64 {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    stores().insert(id, Arc::new(store));
    id
}

/// The store behind `handle`, or [`BridgeError::Closed`].
pub fn get(handle: i64) -> Result<Arc<Store>, BridgeError> {
    stores().get(&handle).cloned().ok_or(BridgeError::Closed)
}

/// Removes `handle` and closes its store. Unknown or already closed handles are a no-op (close is idempotent).
pub fn close(handle: i64) {
    let removed = stores().remove(&handle);
    if let Some(store) = removed {
        // Outside the registry lock: closing waits for a write in progress on another thread.
        store.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_close_is_idempotent() {
        let dir = std::env::temp_dir().join(format!("opsight-jni-handles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let a = insert(Store::open(dir.join("a.db")).expect("open a"));
        let b = insert(Store::open(dir.join("b.db")).expect("open b"));
        assert!(a >= 1 && b >= 1 && a != b);
        let held = get(a).expect("a is open");
        close(a);
        close(a);
        assert!(matches!(get(a), Err(BridgeError::Closed)));
        // A clone taken before close sees the core's Closed error, not freed memory.
        assert!(matches!(held.apps(), Err(opsight_core::Error::Closed)));
        assert!(get(b).is_ok());
        close(b);
        assert!(matches!(get(0), Err(BridgeError::Closed)));
        assert!(matches!(get(-1), Err(BridgeError::Closed)));
        std::fs::remove_dir_all(&dir).ok();
    }
}
