//! Opening a database: pragmas, migrations, and what happens to databases that are newer or damaged.
//!
//! - The version lives in `PRAGMA user_version`; all pending upgrades run in one IMMEDIATE transaction together
//!   with the version bump, so an upgrade is all-or-nothing (a v1 database becomes v3 or stays v1).
//! - A database newer than this code, or another program's, is refused before anything is written to it (its -wal
//!   included: the version is read on a read-only connection, which never checkpoints).
//! - A file that is not a database, or whose schema cannot be read, is renamed to
//!   `<name>.damaged-<UTC timestamp>` (with its -wal/-shm) and a new database is started; so is one in which a
//!   write finds a damaged page (`Store::write`). Nothing is deleted: it may be someone's only copy of years of
//!   history.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::error::{Error, Result};

/// Each migration, in order; migration `i` upgrades version `i` to `i + 1`.
pub(crate) const MIGRATIONS: [&str; 3] = [
    include_str!("sql/001_initial.sql"),
    include_str!("sql/002_usage_rollups_overrides.sql"),
    include_str!("sql/003_stream_ids.sql"),
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// What opening found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// File name (not path) the damaged database was moved to.
    pub moved_aside: Option<String>,
    /// Schema version before upgrading (0 for a new database).
    pub upgraded_from: u32,
}

/// Pragmas for a phone: WAL so a reader never waits for the collector; foreign keys on; temp tables in memory
/// (Android has no usable /tmp); NORMAL sync, which is durable in WAL mode except for the last commits on power loss;
/// a busy timeout so the UI's reads and the job's writes wait for each other instead of failing.
fn connection_pragmas(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// Reads the version without writing anything. Errors of damage are reported as `Ok(None)`; a database with tables
/// but no version is another program's, and refused.
fn probe(conn: &Connection) -> Result<Option<u32>> {
    let read = || -> rusqlite::Result<(u32, i64)> {
        let v: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let objects = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
        Ok((v, objects))
    };
    match read() {
        Ok((0, objects)) if objects > 0 => Err(Error::ForeignDatabase),
        Ok((v, _)) => Ok(Some(v)),
        Err(e) if is_damage(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The schema version in the file's header (`user_version`, 4 bytes big-endian at offset 60), read as plain bytes:
/// `None` for no such file or no header SQLite would read (its payload fractions, bytes 21 to 23, are always 64, 32
/// and 32: a file damaged there is SQLite's to call damaged, and is moved aside, not refused as newer).
fn header_version(path: &Path) -> Option<u32> {
    use std::io::Read;
    let mut header = [0u8; 64];
    std::fs::File::open(path).ok()?.read_exact(&mut header).ok()?;
    let sane = header.starts_with(b"SQLite format 3\0") && header[21..24] == [64, 32, 32];
    sane.then(|| u32::from_be_bytes([header[60], header[61], header[62], header[63]]))
}

/// Opens (creating if needed) the writer connection and brings the schema up to date.
pub(crate) fn open_writer(path: &Path, now_ms: i64) -> Result<(Connection, OpenReport)> {
    // Read before SQLite opens it: a newer database with an interrupted write (a hot rollback journal) can be read
    // only by a connection that may write, which would roll that write back, and so change it.
    if let Some(found) = header_version(path).filter(|&v| v > SCHEMA_VERSION) {
        return Err(Error::NewerDatabase { found, supported: SCHEMA_VERSION });
    }
    // A database that is refused is left as it is, its -wal too. The last connection that may write checkpoints the
    // WAL into the file when it closes, and removes the -wal, so the version is read on a read-only one first.
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // Only the two refusals are taken from it: anything else it cannot do (roll back a hot journal, which needs a
    // writer) is left to the writer below, as before this check.
    if let Ok(reader) = Connection::open_with_flags(path, flags) {
        match probe(&reader) {
            Ok(Some(found)) if found > SCHEMA_VERSION => {
                return Err(Error::NewerDatabase { found, supported: SCHEMA_VERSION });
            }
            Err(Error::ForeignDatabase) => return Err(Error::ForeignDatabase),
            _ => {}
        }
    }
    let mut report = OpenReport::default();
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let version = match probe(&conn)? {
        Some(v) => v,
        None => {
            drop(conn);
            report.moved_aside = Some(move_aside(path, now_ms)?);
            conn = Connection::open(path)?;
            0
        }
    };
    if version > SCHEMA_VERSION {
        return Err(Error::NewerDatabase { found: version, supported: SCHEMA_VERSION });
    }
    // journal_mode cannot change inside a transaction; set it once, before migrating.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(Error::Database(format!("journal mode {mode} instead of WAL")));
    }
    connection_pragmas(&conn)?;
    report.upgraded_from = version;
    migrate(&mut conn, version)?;
    if report.moved_aside.is_none() {
        // A write moved a damaged database aside since the last open (`Store::write`): reported once, now.
        let noted = "SELECT value FROM meta WHERE key = 'moved_aside'";
        if let Some(name) = conn.query_row(noted, [], |r| r.get::<_, String>(0)).optional()? {
            conn.execute("DELETE FROM meta WHERE key = 'moved_aside'", [])?;
            report.moved_aside = Some(name);
        }
    }
    Ok((conn, report))
}

/// Runs every migration after `from` in one transaction together with the version bump.
pub(crate) fn migrate(conn: &mut Connection, from: u32) -> Result<()> {
    if from >= SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for sql in MIGRATIONS.iter().skip(from as usize) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// A read-only connection to an existing, migrated database.
pub(crate) fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    connection_pragmas(&conn)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Renames `path` (and its -wal / -shm) to `<name>.damaged-<timestamp>[-n]` and returns the new file name.
pub(crate) fn move_aside(path: &Path, now_ms: i64) -> Result<String> {
    // Formatted by hand rather than with jiff's strftime, which would add 15 KB to the Android library for this one
    // name.
    let stamp = crate::time::LocalTime::from_utc_ms(now_ms, &jiff::tz::TimeZone::UTC)
        .map(|t| {
            let (y, mo, d, h, mi, s, _) = t.fields();
            format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
        })
        .unwrap_or_else(|| now_ms.to_string());
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "opsight.db".into());
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut target_name = format!("{name}.damaged-{stamp}");
    let mut n = 1;
    // A name free for the -wal and -shm too: a rename that failed half way would leave a new database beside the old
    // one's log, which SQLite would replay into it.
    let taken = |t: &str| ["", "-wal", "-shm"].iter().any(|suffix| dir.join(format!("{t}{suffix}")).exists());
    while taken(&target_name) {
        target_name = format!("{name}.damaged-{stamp}-{n}");
        n += 1;
    }
    // The io error's kind only (a path could name the user): "permission denied".
    let failed =
        |e: std::io::Error| Error::Database(format!("a damaged database could not be moved aside ({})", e.kind()));
    std::fs::rename(path, dir.join(&target_name)).map_err(failed)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::rename(&side, dir.join(format!("{target_name}{suffix}"))).map_err(failed)?;
        }
    }
    Ok(target_name)
}
