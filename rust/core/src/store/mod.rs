//! The durable timeline: SQLite on the phone (or the researcher's computer).
//!
//! One writer connection and a small pool of read-only connections (WAL), so a UI thread can read while a
//! background job ingests. Writes take a `Transaction`, reads a `Connection`. See `docs/store.md`.

mod activity;
mod grid;
mod ids;
mod ingest;
mod inventory;
mod open;
mod query;
mod retention;
mod usage;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

pub use activity::{ActivityEvent, ActivityWindow, AppActivity};
pub use grid::{GridCell, GridMark, GridRow, TimelineGrid, MAX_GRID_DAYS};
pub use ingest::{IngestOptions, IngestReport};
pub use inventory::{Inventory, InventoryDevice, InventoryPackage, InventoryReport, UsageInterval};
pub use open::{OpenReport, SCHEMA_VERSION};
pub use query::{
    visibility, AppSummary, DailyCount, HistoryTotal, InfoTypeAccess, LastAccess, OpCount, Timeline, TimelineEvent,
    Visibility,
};
pub use retention::{RetentionPolicy, RetentionReport};
pub use usage::{foreground_intervals, UsageEvent, UsageEvents, ACTIVITY_PAUSED, ACTIVITY_RESUMED};

/// Readers kept open for reuse; more may be opened while many threads read at once.
const MAX_IDLE_READERS: usize = 4;

pub struct Store {
    path: PathBuf,
    writer: Mutex<Option<Connection>>,
    readers: Mutex<Option<Vec<Connection>>>,
    /// Counts the files this store has had at `path`: a reader opened on a file since moved aside is not pooled.
    generation: AtomicU64,
    report: OpenReport,
}

impl Store {
    /// Opens or creates the database at `path`, upgrading its schema. A newer database is refused
    /// ([`Error::NewerDatabase`]); a damaged one is moved aside and reported in [`Store::open_report`].
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let (writer, report) = open::open_writer(&path, now_ms())?;
        Ok(Store {
            path,
            writer: Mutex::new(Some(writer)),
            readers: Mutex::new(Some(Vec::new())),
            generation: AtomicU64::new(0),
            report,
        })
    }

    pub fn open_report(&self) -> &OpenReport {
        &self.report
    }

    /// Closes every connection. Later calls fail with [`Error::Closed`]. Idempotent.
    pub fn close(&self) {
        // Readers first: the last connection to close checkpoints the WAL and removes -wal/-shm, and only the
        // writer can do that.
        locked(&self.readers).take();
        locked(&self.writer).take();
    }

    /// Runs `f` in one IMMEDIATE transaction on the writer; commits on `Ok`, rolls back on `Err` or panic.
    ///
    /// A write that finds the file damaged (a page SQLite cannot read, which opening does not look for: only
    /// `PRAGMA integrity_check` reads every page) rolls back, moves the file aside and starts a new database, as
    /// opening does with a damaged schema: otherwise every later write would fail the same way, and the app would
    /// stop collecting for good. The error says where the file went.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut guard = locked(&self.writer);
        let conn = guard.as_mut().ok_or(Error::Closed)?;
        let result = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        match result {
            Err(Error::DatabaseDamaged) => Err(self.restart_damaged(&mut guard)),
            other => other,
        }
    }

    /// Moves the damaged file aside and opens a new database in its place; the error to return. Not generic, unlike
    /// [`Store::write`], so that each kind of write does not carry a copy of it.
    #[inline(never)]
    fn restart_damaged(&self, writer: &mut Option<Connection>) -> Error {
        // The pooled readers and the writer go first; readers in use are left out of the pool on return (the
        // generation changes under the pool's lock, where `read` reads it).
        {
            let mut readers = locked(&self.readers);
            self.generation.fetch_add(1, Ordering::SeqCst);
            if let Some(pool) = readers.as_mut() {
                pool.clear();
            }
        }
        // Closed without a checkpoint, so that the file and its -wal are moved as they were.
        if let Some(conn) = writer.take() {
            let _ = conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
        }
        let moved = open::move_aside(&self.path, now_ms());
        // Opened again either way: the new database, or the damaged file when it could not be moved (its readable
        // pages still serve reads).
        if let Ok((conn, _)) = open::open_writer(&self.path, now_ms()) {
            if let Ok(name) = &moved {
                // For the next open to report, as it reports a damaged file it moves itself: the write that met the
                // damage may have run with no one to tell (a scheduled collection).
                let _ = conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('moved_aside', ?1)", [name]);
            }
            *writer = Some(conn);
        }
        moved.map_or(Error::DatabaseDamaged, |moved_to_name| Error::DamagedMovedAside { moved_to_name })
    }

    /// Runs `f` on a read-only connection from the pool.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let (pooled, generation) = {
            let mut guard = locked(&self.readers);
            // Read under the lock: a connection popped now is of this generation's file.
            let generation = self.generation.load(Ordering::SeqCst);
            (guard.as_mut().ok_or(Error::Closed)?.pop(), generation)
        };
        let conn = match pooled {
            Some(c) => c,
            None => open::open_reader(&self.path)?,
        };
        // One read transaction, so that the statements of one query see one snapshot: a timeline's events and its
        // rolled-up counts are read apart, and retention committed between them would count events twice. Ended
        // (rolled back: nothing was written) when the query is done.
        let result = conn.unchecked_transaction().map_err(Error::from).and_then(|tx| f(&tx));
        if let Some(pool) = locked(&self.readers).as_mut() {
            if pool.len() < MAX_IDLE_READERS && self.generation.load(Ordering::SeqCst) == generation {
                pool.push(conn);
            }
        }
        result
    }

    /// `PRAGMA integrity_check`: `Ok(true)` when SQLite finds nothing wrong.
    pub fn check_integrity(&self) -> Result<bool> {
        self.read(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))? == "ok"))
    }
}

/// The lock, taken back from a panic that poisoned it: a write's transaction rolls back as the panic unwinds, and the
/// pool holds only idle connections, so what the lock guards is as good as before; refusing it from then on would stop
/// collection (and `close`) until a restart.
fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for Store {
    fn drop(&mut self) {
        self.close();
    }
}

pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Refuses a capture instant the calendar cannot hold (a caller's `Long.MIN_VALUE`): it is no clock reading, and what
/// is computed from it (a clock skew, a device's last sighting) would overflow.
pub(crate) fn check_capture_instant(ms: Option<i64>) -> Result<()> {
    match ms {
        Some(ms) if jiff::Timestamp::from_millisecond(ms).is_err() => {
            Err(Error::InvalidInput("capture instant out of range".into()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
