//! Schema tests: migrations from every earlier version, newer databases refused, damaged ones moved aside.

use rusqlite::{Connection, OptionalExtension};

use super::open::MIGRATIONS;
use super::*;
use crate::error::Error;

struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("opsight-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    fn db(&self) -> std::path::PathBuf {
        self.0.join("opsight.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn schema(path: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let c = Connection::open(path).expect("open");
    let mut stmt = c.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("query").map(|r| r.expect("row")).collect()
}

/// Builds a database at schema version `v` with the frozen migrations, with one device, two apps, two ops, three
/// streams (two sharing a variant), events, a history bucket, rolled-up counts (v2 and later) and a run in it.
fn build_at_version(path: &std::path::Path, v: usize) {
    let mut c = Connection::open(path).expect("open");
    c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    for (i, sql) in MIGRATIONS.iter().enumerate().take(v) {
        let tx = c.transaction().expect("tx");
        tx.execute_batch(sql).expect("migration");
        tx.pragma_update(None, "user_version", i as u32 + 1).expect("version");
        tx.commit().expect("commit");
    }
    c.execute_batch(
        "INSERT INTO devices (id, label, zone) VALUES (1, 'this-device', 'Asia/Shanghai');
         INSERT INTO apps (id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms)
             VALUES (1, 1, 'com.tencent.qqmusic', 10123, 0, 1000, 1000);
         INSERT INTO ops (id, name, info_type, sensitive) VALUES (1, 'READ_CONTACTS', 'contacts', 1);
         INSERT INTO apps (id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms)
             VALUES (2, 1, 'com.example.maps', 10200, 0, 1000, 2000);
         INSERT INTO ops (id, name, info_type, sensitive) VALUES (2, 'FINE_LOCATION', 'location', 1);
         INSERT INTO streams (id, app_id, op_id, uid_state, flags, kind) VALUES (1, 1, 1, 'bg', 's', 0);
         INSERT INTO streams (id, app_id, op_id, uid_state, flags, kind) VALUES (2, 2, 2, 'bg', 's', 0);
         INSERT INTO streams (id, app_id, op_id, attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package)
             VALUES (3, 2, 2, 'nav', 'top', 'sf', 1, 1000, 'android');
         INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (1, 1610352065086, NULL, 0, NULL);
         INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (2, 1610352000000, 500, 4, 60000);
         INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (2, 1610352065000, NULL, 0, NULL);
         INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (3, 1610352066000, NULL, 1, 2000);
         INSERT INTO history_buckets VALUES (1, 1610000000000, 1610000900000, 3, 0, 0);
         INSERT INTO collection_runs (device_id, source, dialect, content_hash, bytes, outcome, new_events,
             known_events, new_apps, ingested_at_ms) VALUES (1, 'file', 'dumpsys_attributed', 'x', 10, 'ok', 1, 0, 1, 1);",
    )
    .expect("data");
    if v >= 2 {
        c.execute_batch(
            "INSERT INTO event_rollups VALUES (1, 0, 1609999200000, 4, 10);
             INSERT INTO event_rollups VALUES (2, 1, 1609977600000, 7, 0);",
        )
        .expect("rollups");
    }
}

#[test]
fn a_new_database_has_the_current_schema_and_phone_pragmas() {
    let dir = TempDir::new("fresh");
    let store = Store::open(dir.db()).expect("open");
    assert_eq!(store.open_report(), &OpenReport { moved_aside: None, upgraded_from: 0 });
    store
        .read(|c| {
            assert_eq!(c.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0))?, SCHEMA_VERSION);
            assert_eq!(c.pragma_query_value(None, "journal_mode", |r| r.get::<_, String>(0))?, "wal");
            assert_eq!(c.pragma_query_value(None, "foreign_keys", |r| r.get::<_, i64>(0))?, 1);
            assert_eq!(c.pragma_query_value(None, "temp_store", |r| r.get::<_, i64>(0))?, 2);
            assert_eq!(c.pragma_query_value(None, "busy_timeout", |r| r.get::<_, i64>(0))?, 10_000);
            Ok(())
        })
        .expect("pragmas");
    assert!(store.check_integrity().expect("check"));
    drop(store);
    let again = Store::open(dir.db()).expect("reopen");
    assert_eq!(again.open_report().upgraded_from, SCHEMA_VERSION);
}

#[test]
fn every_earlier_version_upgrades_keeping_its_data() {
    let fresh = TempDir::new("schema-fresh");
    drop(Store::open(fresh.db()).expect("fresh"));
    let want = schema(&fresh.db());
    for v in 1..SCHEMA_VERSION as usize {
        let dir = TempDir::new(&format!("upgrade-v{v}"));
        build_at_version(&dir.db(), v);
        let store = Store::open(dir.db()).expect("upgrade");
        assert_eq!(store.open_report().upgraded_from, v as u32);
        assert_eq!(schema(&dir.db()), want, "an upgraded v{v} database has exactly a new database's schema");
        let tl = store.timeline("com.tencent.qqmusic", 0, i64::MAX).expect("timeline");
        assert_eq!((tl.events.len(), tl.events[0].start_utc_ms), (1, 1_610_352_065_086), "v{v} data survives");
        assert_eq!(tl.events[0].uid_state.as_deref(), Some("bg"));
        assert_eq!(&*tl.events[0].flags, ["s".to_owned()]);
        let rolled = if v >= 2 { 4 } else { 0 };
        assert_eq!(tl.access, 1 + rolled, "v{v} rolled-up counts survive");
        assert_eq!(store.history_totals("com.tencent.qqmusic").expect("history")[0].access, 3);
        let maps = store.timeline("com.example.maps", 0, i64::MAX).expect("timeline");
        let got: Vec<_> = maps
            .events
            .iter()
            .map(|e| {
                (
                    e.start_utc_ms,
                    &*e.op,
                    e.kind,
                    e.source,
                    e.uid_state.as_deref(),
                    e.attribution_tag.as_deref(),
                    e.proxy_package.as_deref(),
                    e.proxy_uid,
                    e.uid,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1_610_352_000_000, "FINE_LOCATION", "access", "discrete", Some("bg"), None, None, None, Some(10200)),
                (
                    1_610_352_065_000,
                    "FINE_LOCATION",
                    "access",
                    "last_access",
                    Some("bg"),
                    None,
                    None,
                    None,
                    Some(10200)
                ),
                (
                    1_610_352_066_000,
                    "FINE_LOCATION",
                    "reject",
                    "last_access",
                    Some("top"),
                    Some("nav"),
                    Some("android"),
                    Some(1000),
                    Some(10200)
                ),
            ],
            "v{v}: every event keeps its stream"
        );
        assert_eq!(maps.per_op[0].rolled_up, if v >= 2 { 7 } else { 0 });
        let mut apps = store.apps().expect("apps");
        apps.sort_by(|a, b| a.package.cmp(&b.package));
        assert_eq!(
            apps.iter().map(|a| a.package.as_str()).collect::<Vec<_>>(),
            ["com.example.maps", "com.tencent.qqmusic"]
        );
        assert_eq!(apps[0].last_access.as_ref().map(|l| l.t), Some(1_610_352_065_000));
        assert_eq!(apps[1].uids, [10123]);
        let c = Connection::open(dir.db()).expect("open");
        let variants: i64 = c.query_row("SELECT count(*) FROM variants", [], |r| r.get(0)).expect("variants");
        assert_eq!(variants, 2, "v{v}: streams sharing everything but app and op share a variant");
        let streams: i64 = c.query_row("SELECT count(*) FROM streams", [], |r| r.get(0)).expect("streams view");
        assert_eq!(streams, 3, "v{v}: the streams view lists every stream");
        let flag: i64 =
            c.query_row("SELECT count(*) FROM meta WHERE key = 'discrete_events'", [], |r| r.get(0)).expect("meta");
        assert_eq!(flag, 1, "v{v}: the discrete record is known to ingest");
        assert!(store.check_integrity().expect("check"));
        // Ingest goes on from the upgraded state: the same stream in a dump gets its migrated id.
        let dump = "  Uid u0a123:\n    Package com.tencent.qqmusic:\n      READ_CONTACTS (allow):\n          \
                    Access: [bg-s] 2021-01-11 08:01:05.086 (-1h0m0s0ms)\n          \
                    Access: [bg-s] 2021-01-11 09:01:05.086 (-0ms)\n";
        let opts =
            IngestOptions { zone: Some("UTC".into()), captured_at_ms: Some(1_610_356_000_000), ..Default::default() };
        let report = store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
        assert_eq!((report.new_events, report.known_events, report.new_apps), (1, 1, 0), "v{v}: {report:?}");
        assert_eq!(store.timeline("com.tencent.qqmusic", 0, i64::MAX).expect("timeline").events.len(), 2);
        let variants: i64 = c.query_row("SELECT count(*) FROM variants", [], |r| r.get(0)).expect("variants");
        assert_eq!(variants, 2, "v{v}: no new variant");
    }
}

#[test]
fn a_failed_migration_leaves_the_previous_version() {
    let dir = TempDir::new("failed-migration");
    build_at_version(&dir.db(), 1);
    // A table the next migration creates already exists: the upgrade must fail as a whole.
    Connection::open(dir.db()).expect("open").execute_batch("CREATE TABLE app_usage (x)").expect("sabotage");
    assert!(Store::open(dir.db()).is_err());
    let c = Connection::open(dir.db()).expect("open");
    assert_eq!(c.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0)).expect("version"), 1);
    assert!(c.prepare("SELECT * FROM event_rollups").is_err(), "nothing of migration 2 was applied");
    drop(c);

    // A v2 database whose op ids do not fit stream ids: the upgrade to v3 fails as a whole.
    let dir = TempDir::new("failed-migration-v3");
    build_at_version(&dir.db(), 2);
    Connection::open(dir.db())
        .expect("open")
        .execute_batch("INSERT INTO ops (id, name, info_type, sensitive) VALUES (5000, 'X', 'other', 0)")
        .expect("op");
    assert!(Store::open(dir.db()).is_err());
    let c = Connection::open(dir.db()).expect("open");
    assert_eq!(c.pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0)).expect("version"), 2);
    let events: i64 = c.query_row("SELECT count(*) FROM events WHERE stream_id < 10", [], |r| r.get(0)).expect("n");
    assert_eq!(events, 4, "events keep their v2 ids");
    assert!(c.prepare("SELECT * FROM variants").is_err(), "nothing of migration 3 was applied");
}

#[test]
fn a_newer_database_is_refused_and_left_untouched() {
    let dir = TempDir::new("newer");
    drop(Store::open(dir.db()).expect("create"));
    Connection::open(dir.db()).expect("open").pragma_update(None, "user_version", 99).expect("bump");
    let before = std::fs::read(dir.db()).expect("bytes");
    match Store::open(dir.db()) {
        Err(Error::NewerDatabase { found: 99, supported }) => assert_eq!(supported, SCHEMA_VERSION),
        other => panic!("expected NewerDatabase, got {:?}", other.err()),
    }
    assert_eq!(std::fs::read(dir.db()).expect("bytes"), before);
    let msg = Error::NewerDatabase { found: 99, supported: 2 }.to_string();
    assert!(msg.contains("newer") && !msg.contains('/'), "{msg}");
}

/// A database copied while its writer was open (pulled from a phone, another program's) has its last commits in its
/// -wal. Refusing it must not checkpoint them into the file (which a connection that may write does when it closes).
#[test]
fn a_refused_database_keeps_its_wal_as_it_was() {
    for (name, version) in [("newer", Some(99)), ("foreign", None)] {
        let dir = TempDir::new(&format!("refused-wal-{name}"));
        if version.is_some() {
            drop(Store::open(dir.db()).expect("create"));
        }
        let c = Connection::open(dir.db()).expect("open");
        c.pragma_update(None, "journal_mode", "WAL").expect("wal");
        c.pragma_update(None, "wal_autocheckpoint", 0).expect("no checkpoint");
        match version {
            Some(v) => c.pragma_update(None, "user_version", v).expect("bump"),
            None => c.execute_batch("CREATE TABLE notes(x); INSERT INTO notes VALUES (1)").expect("foreign"),
        }
        // Copied while it is open, as from a phone: its commits are in the -wal.
        let copy = TempDir::new(&format!("refused-wal-{name}-copy"));
        let wal = copy.0.join("opsight.db-wal");
        std::fs::copy(dir.db(), copy.db()).expect("copy");
        std::fs::copy(dir.0.join("opsight.db-wal"), &wal).expect("copy the wal");
        drop(c);
        let before = (std::fs::read(copy.db()).expect("db"), std::fs::read(&wal).expect("wal"));
        assert!(!before.1.is_empty(), "{name}: the commits are in the -wal");
        match (Store::open(copy.db()), version) {
            (Err(Error::NewerDatabase { found: 99, .. }), Some(_)) | (Err(Error::ForeignDatabase), None) => {}
            (other, _) => panic!("{name}: refused, got {:?}", other.err()),
        }
        let after = (std::fs::read(copy.db()).expect("db"), std::fs::read(&wal).expect("wal"));
        assert!(after == before, "{name}: the file and its -wal are as they were");
    }
}

/// A database copied in the middle of a write in rollback-journal mode (its `-journal` is hot) opens: the writer rolls
/// the journal back, as before the read-only version check, which cannot and must not refuse it for that.
#[test]
fn a_hot_rollback_journal_is_rolled_back_not_refused() {
    let dir = TempDir::new("hot-journal");
    drop(Store::open(dir.db()).expect("create"));
    let mut c = Connection::open(dir.db()).expect("open");
    c.pragma_update(None, "journal_mode", "DELETE").expect("rollback journal");
    c.pragma_update(None, "cache_size", 10).expect("a small cache, so that the write spills into the file");
    let tx = c.transaction().expect("begin");
    tx.execute_batch("CREATE TABLE filler(x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO filler SELECT randomblob(100) FROM n;")
        .expect("fill");
    let journal = dir.0.join("opsight.db-journal");
    assert!(journal.exists(), "the write is in progress");
    let copy = TempDir::new("hot-journal-copy");
    std::fs::copy(dir.db(), copy.db()).expect("copy");
    std::fs::copy(&journal, copy.0.join("opsight.db-journal")).expect("copy the journal");
    drop(tx);
    let store = Store::open(copy.db()).expect("opens, the journal rolled back");
    assert!(store.check_integrity().expect("check"));
    assert!(store.apps().expect("reads").is_empty());
}

#[test]
fn a_damaged_database_is_moved_aside_never_deleted() {
    for (name, damage) in [("garbage", 0usize), ("bad-root-page", 1)] {
        let dir = TempDir::new(&format!("damaged-{name}"));
        let original: Vec<u8> = if damage == 0 {
            b"this is not an SQLite database, but it may be someone's only copy\n".repeat(200)
        } else {
            drop(Store::open(dir.db()).expect("create"));
            Connection::open(dir.db()).expect("open").pragma_update(None, "journal_mode", "DELETE").expect("no wal");
            let mut bytes = std::fs::read(dir.db()).expect("bytes");
            // Page 1's b-tree header starts at byte 100: make it an invalid page type.
            bytes[100] = 0xff;
            std::fs::write(dir.db(), &bytes).expect("write");
            bytes
        };
        if damage == 0 {
            std::fs::write(dir.db(), &original).expect("write");
        }
        let store = Store::open(dir.db()).expect("opens with a fresh database");
        let moved = store.open_report().moved_aside.clone().expect("reported");
        assert!(moved.starts_with("opsight.db.damaged-"), "{moved}");
        let stamp = &moved.as_bytes()["opsight.db.damaged-".len()..];
        let shape: String = stamp.iter().map(|b| if b.is_ascii_digit() { '9' } else { *b as char }).collect();
        assert!(shape == "99999999T999999Z" || shape.starts_with("99999999T999999Z-"), "UTC stamp: {moved}");
        let stamped =
            jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", std::str::from_utf8(&stamp[..16]).expect("ascii"))
                .expect("stamp")
                .to_zoned(jiff::tz::TimeZone::UTC)
                .expect("utc")
                .timestamp();
        let off_s = (jiff::Timestamp::now().as_second() - stamped.as_second()).abs();
        assert!(off_s < 3600, "the stamp is the time of the move: {moved}");
        assert_eq!(
            std::fs::read(dir.0.join(&moved)).expect("kept"),
            original,
            "{name}: the damaged file is kept as it was"
        );
        assert!(store.check_integrity().expect("check"));
        assert!(store.apps().expect("usable").is_empty());
        let err = Error::DamagedMovedAside { moved_to_name: moved }.to_string();
        assert!(!err.contains(&dir.0.display().to_string()), "no path in messages");
    }
}

/// Damage inside the file (pages the schema does not show, which opening does not read) is found by the first write
/// that meets it: the write stores nothing, the file is moved aside as it was, and a new database takes the next one.
#[test]
fn a_write_that_finds_damaged_pages_moves_the_database_aside() {
    let dir = TempDir::new("damaged-pages");
    let dump = |day: u32| {
        let mut dump = String::new();
        for i in 0..400 {
            dump.push_str(&format!(
                "  Uid u0a{i}:\n    Package com.example.p{i:03}:\n      READ_CONTACTS (allow):\n          \
                 Access: [bg-s] 2021-01-{day:02} 08:01:05.{i:03} (-1h0m0s0ms)\n"
            ));
        }
        dump
    };
    let opts = |day: i64| IngestOptions {
        zone: Some("UTC".into()),
        captured_at_ms: Some(1_609_488_000_000 + day * 86_400_000),
        ..Default::default()
    };
    {
        let store = Store::open(dir.db()).expect("create");
        store.ingest_dump(dump(1).as_bytes(), &opts(0)).expect("ingest");
    }
    Connection::open(dir.db()).expect("open").pragma_update(None, "journal_mode", "DELETE").expect("no wal");
    let mut bytes = std::fs::read(dir.db()).expect("bytes");
    assert!(bytes.len() > 8 * 4096, "{} bytes", bytes.len());
    // Pages 3 to 6 overwritten: tables and indexes, not the schema on page 1.
    bytes[2 * 4096..6 * 4096].fill(b'A');
    std::fs::write(dir.db(), &bytes).expect("write");

    let store = Store::open(dir.db()).expect("the schema still reads");
    assert_eq!(store.open_report().moved_aside, None);
    // A reader of the old file is in use meanwhile (the app's screen reading while its job ingests): it must not go
    // back into the pool, or later reads would read the file moved aside.
    let failed = store.read(|_in_use| Ok(store.ingest_dump(dump(2).as_bytes(), &opts(1)))).expect("the read itself");
    let moved = match failed {
        Err(Error::DamagedMovedAside { moved_to_name }) => moved_to_name,
        other => panic!("expected DamagedMovedAside, got {other:?}"),
    };
    assert!(moved.starts_with("opsight.db.damaged-"), "{moved}");
    // Moved, not rewritten: opening set WAL mode in its header, and the write was rolled back.
    let kept = std::fs::read(dir.0.join(&moved)).expect("kept");
    assert!(kept.len() == bytes.len() && kept[2 * 4096..6 * 4096] == bytes[2 * 4096..6 * 4096], "moved as it was");
    assert!(dir.0.join(format!("{moved}-wal")).exists(), "with its -wal, not checkpointed into it");
    assert!(store.apps().expect("the new database reads").is_empty(), "what failed was not stored");
    let report = store.ingest_dump(dump(2).as_bytes(), &opts(1)).expect("the next write goes to the new database");
    assert_eq!((report.new_events, report.apps), (400, 400));
    assert!(store.check_integrity().expect("check"));
    let message = Error::DamagedMovedAside { moved_to_name: moved.clone() }.to_string();
    assert!(!message.contains(&dir.0.display().to_string()), "no path: {message}");
    // The write may have run with no one to tell (a scheduled collection): the next open reports the move, once.
    drop(store);
    let reopened = Store::open(dir.db()).expect("reopen");
    assert_eq!(reopened.open_report().moved_aside.as_deref(), Some(moved.as_str()));
    drop(reopened);
    assert_eq!(Store::open(dir.db()).expect("again").open_report().moved_aside, None, "reported once");
}

/// A panic inside a write (a bug) rolls its transaction back as it unwinds; the writer stays usable, rather than every
/// later write failing on the poisoned lock until the app restarts.
#[test]
fn a_panic_in_a_write_leaves_the_writer_usable() {
    let dir = TempDir::new("poisoned");
    let store = Store::open(dir.db()).expect("open");
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store
            .write(|tx| {
                tx.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')", [])?;
                panic!("a bug");
                #[allow(unreachable_code)]
                Ok(())
            })
            .ok();
    }));
    assert!(panicked.is_err());
    let opts =
        IngestOptions { zone: Some("UTC".into()), captured_at_ms: Some(1_609_488_000_000), ..Default::default() };
    let dump = "  Uid u0a1:\n    Package com.example:\n      CAMERA (allow):\n          Access: [top-s] 2021-01-01 08:00:00.000 (-1h0m0s0ms)\n";
    assert_eq!(store.ingest_dump(dump.as_bytes(), &opts).expect("writes again").new_events, 1);
    let half: Option<String> = store
        .read(|c| Ok(c.query_row("SELECT value FROM meta WHERE key = 'half'", [], |r| r.get(0)).optional()?))
        .expect("read");
    assert_eq!(half, None, "the panicking write was rolled back");
}

/// A capture instant or an inventory zone that no clock or zone database has is refused, before anything is stored:
/// an instant beyond the calendar overflowed what is computed from it, and a zone stored unknown made later queries
/// that date days in it fail.
#[test]
fn impossible_capture_instants_and_unknown_inventory_zones_are_refused() {
    let dir = TempDir::new("impossible");
    let store = Store::open(dir.db()).expect("open");
    let dump = "  Uid u0a1:\n    Package com.example:\n      CAMERA (allow):\n          Access: [top-s] 2021-01-01 08:00:00.000 (-1h0m0s0ms)\n";
    for at in [i64::MIN, i64::MAX] {
        let opts = IngestOptions { zone: Some("UTC".into()), captured_at_ms: Some(at), ..Default::default() };
        let e = store.ingest_dump(dump.as_bytes(), &opts).expect_err("refused");
        assert_eq!(e.to_string(), "invalid input: capture instant out of range");
    }
    for inventory in [
        r#"{"opsight_inventory": 1, "device": {"zone": "Mars/Olympus"}, "packages": []}"#,
        r#"{"opsight_inventory": 1, "captured_at_ms": 9223372036854775807, "packages": []}"#,
    ] {
        assert!(store.ingest_packages(inventory).is_err(), "{inventory}");
    }
    assert!(store.apps().expect("apps").is_empty(), "nothing stored");
    assert!(store.daily_counts(0, 86_400_000, None).is_ok(), "queries still date days in the device's zone");
}

/// A newer database is refused from its header's version, before SQLite opens it: with an interrupted write (a hot
/// rollback journal) only a connection that may write could read it, and it would roll that write back.
#[test]
fn a_newer_database_with_a_hot_journal_is_left_as_it_is() {
    let dir = TempDir::new("newer-hot");
    {
        let c = Connection::open(dir.db()).expect("create");
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1); PRAGMA user_version = 99;").expect("newer");
    }
    let journal = dir.0.join("opsight.db-journal");
    std::fs::write(&journal, vec![0xd9u8; 1024]).expect("a journal beside it");
    let before = (std::fs::read(dir.db()).expect("db"), std::fs::read(&journal).expect("journal"));
    match Store::open(dir.db()) {
        Err(Error::NewerDatabase { found: 99, .. }) => {}
        other => panic!("expected NewerDatabase, got {:?}", other.map(|_| ())),
    }
    assert_eq!((std::fs::read(dir.db()).expect("db"), std::fs::read(&journal).expect("journal")), before);
}

/// A damaged database that cannot be moved aside says so, not that the input could not be read.
#[test]
fn a_move_that_fails_says_what_failed() {
    let dir = TempDir::new("unmovable");
    let e = super::open::move_aside(&dir.0.join("missing.db"), 0).expect_err("nothing to move");
    let text = e.to_string();
    assert!(text.contains("a damaged database could not be moved aside (entity not found)"), "{text}");
    assert!(!text.contains(&dir.0.display().to_string()), "no path: {text}");
}

/// A damaged database is moved aside under a name free for its -wal and -shm too: a rename that failed half way would
/// leave a new database beside the old one's log (SQLite would replay it into the new one).
#[test]
fn moving_aside_takes_a_name_free_for_the_wal_too() {
    let dir = TempDir::new("move-aside-wal-name");
    std::fs::write(dir.db(), b"damaged").expect("db");
    std::fs::write(dir.0.join("opsight.db-wal"), b"log").expect("wal");
    // The -wal's first choice is taken (by a folder that is not empty, which a rename cannot replace).
    std::fs::create_dir_all(dir.0.join("opsight.db.damaged-19700101T000000Z-wal/x")).expect("blocker");
    let moved = super::open::move_aside(&dir.db(), 0).expect("moved");
    assert_eq!(moved, "opsight.db.damaged-19700101T000000Z-1");
    assert_eq!(std::fs::read(dir.0.join(&moved)).expect("moved"), b"damaged");
    assert_eq!(std::fs::read(dir.0.join(format!("{moved}-wal"))).expect("its wal beside it"), b"log");
    assert!(!dir.db().exists() && !dir.0.join("opsight.db-wal").exists());
}

#[test]
fn calls_after_close_fail_cleanly() {
    let dir = TempDir::new("closed");
    let store = Store::open(dir.db()).expect("open");
    store.close();
    store.close();
    assert!(matches!(store.apps(), Err(Error::Closed)));
    assert!(matches!(store.ingest_dump(&b""[..], &IngestOptions::default()), Err(Error::Closed)));
}

#[test]
fn many_new_apps_and_events_go_in_batches_intact() {
    // More apps and events than one multi-row statement holds, and a partial last batch.
    let dir = TempDir::new("batches");
    let store = Store::open(dir.db()).expect("open");
    let mut dump = String::new();
    for i in 0..300 {
        dump.push_str(&format!(
            "  Uid u0a{i}:\n    Package com.example.p{i:03}:\n      READ_CONTACTS (allow):\n          \
             Access: [bg-s] 2021-01-11 08:01:05.{i:03} (-1h0m0s0ms)\n          \
             Reject: [top-s] 2021-01-11 08:02:05.{i:03} (-1h0m0s0ms)\n"
        ));
    }
    let opts =
        IngestOptions { zone: Some("UTC".into()), captured_at_ms: Some(1_610_356_000_000), ..Default::default() };
    let report = store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
    assert_eq!((report.new_events, report.new_apps, report.apps), (600, 300, 300));
    let mut apps = store.apps().expect("apps");
    assert_eq!(apps.len(), 300);
    apps.sort_by(|a, b| a.package.cmp(&b.package));
    for (i, app) in apps.iter().enumerate() {
        assert_eq!(app.package, format!("com.example.p{i:03}"));
        assert_eq!(app.uids, [10_000 + i as i64]);
        let tl = store.timeline(&app.package, 0, i64::MAX).expect("timeline");
        assert_eq!(tl.events.len(), 2);
        assert_eq!(tl.events[0].start_utc_ms, 1_610_352_065_000 + i as i64);
        assert_eq!((tl.events[1].kind, tl.events[1].uid_state.as_deref()), ("reject", Some("top")));
    }
    let again = store.ingest_dump(dump.as_bytes(), &opts).expect("again");
    assert_eq!((again.new_events, again.known_events, again.new_apps, again.apps), (0, 600, 0, 300));
    // The next day's capture (not a byte-identical repeat) marks every known app as seen, in several statements.
    dump.push('\n');
    let later = IngestOptions { captured_at_ms: Some(1_610_442_400_000), ..opts.clone() };
    let next = store.ingest_dump(dump.as_bytes(), &later).expect("next day");
    assert_eq!((next.new_apps, next.apps), (0, 300));
    let c = Connection::open(dir.db()).expect("read");
    let seen: i64 =
        c.query_row("SELECT count(*) FROM apps WHERE last_seen_ms = 1610442400000", [], |r| r.get(0)).expect("count");
    assert_eq!(seen, 300);
}

#[test]
fn damaged_databases_moved_aside_in_the_same_second_keep_distinct_names() {
    // Each copy may be someone's only history: a second or third damaged file in the same second must not
    // overwrite the first one moved aside.
    let dir = TempDir::new("damaged-thrice");
    let now = 1_610_352_065_086; // 2021-01-11 08:01:05.086 UTC
    let mut names = Vec::new();
    for k in 0..3u8 {
        std::fs::write(dir.db(), vec![b'a' + k; 4096]).expect("write");
        let (conn, report) = super::open::open_writer(&dir.db(), now).expect("opens with a fresh database");
        drop(conn);
        names.push(report.moved_aside.expect("moved aside"));
        std::fs::remove_file(dir.db()).expect("the fresh database");
    }
    let stamp = "opsight.db.damaged-20210111T080105Z";
    assert_eq!(names, [stamp.to_owned(), format!("{stamp}-1"), format!("{stamp}-2")]);
    for (k, name) in names.iter().enumerate() {
        assert_eq!(std::fs::read(dir.0.join(name)).expect("kept"), vec![b'a' + k as u8; 4096], "{name}");
    }
}

#[test]
fn a_database_locked_by_another_connection_is_an_error_and_is_not_moved() {
    // Only damage (not a database, corrupt) moves a file aside; any other failure to read it is reported and leaves
    // it where it is. Here another connection holds an exclusive lock on a rollback-journal database past the busy
    // timeout (10 s): as if another program were writing to it.
    let dir = TempDir::new("locked");
    drop(Store::open(dir.db()).expect("create"));
    let holder = Connection::open(dir.db()).expect("open");
    holder.pragma_update(None, "journal_mode", "DELETE").expect("no wal");
    holder.execute_batch("BEGIN EXCLUSIVE; CREATE TABLE held (x);").expect("lock");
    match Store::open(dir.db()) {
        Err(Error::Database(msg)) => assert!(!msg.contains(&dir.0.display().to_string()), "no path: {msg}"),
        other => panic!("expected a database error, got {:?}", other.map(|s| s.open_report().clone())),
    }
    holder.execute_batch("ROLLBACK").expect("unlock");
    let entries: Vec<_> = std::fs::read_dir(&dir.0).expect("list").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(entries, [std::ffi::OsString::from("opsight.db")], "nothing moved aside");
    assert!(Store::open(dir.db()).expect("opens once free").open_report().moved_aside.is_none());
}

#[test]
fn an_in_memory_database_opens_with_the_current_schema() {
    // SQLite keeps an in-memory database's journal in memory (no WAL there); that mode is accepted.
    let (conn, report) = super::open::open_writer(std::path::Path::new(":memory:"), 0).expect("opens");
    assert_eq!(report, OpenReport { moved_aside: None, upgraded_from: 0 });
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn idle_readers_are_kept_for_reuse_up_to_a_bound() {
    let dir = TempDir::new("reader-pool");
    let store = Store::open(dir.db()).expect("open");
    let idle = || store.readers.lock().expect("lock").as_ref().map_or(0, Vec::len);
    assert_eq!(idle(), 0);
    store.check_integrity().expect("read");
    assert_eq!(idle(), 1, "a reader goes back to the pool");
    store.check_integrity().expect("read");
    assert_eq!(idle(), 1, "and is taken from it again");
    // Reads nested deeper than the bound open a connection each; only the bound's worth stay open afterwards.
    fn nest(store: &Store, depth: usize) -> crate::Result<()> {
        store.read(|_| if depth == 0 { Ok(()) } else { nest(store, depth - 1) })
    }
    nest(&store, MAX_IDLE_READERS + 2).expect("nested reads");
    assert_eq!(idle(), MAX_IDLE_READERS);
}

#[test]
fn the_integrity_check_reports_what_sqlite_finds() {
    // A database that opens but whose index no longer matches its table: one byte of the index's key changed.
    let dir = TempDir::new("integrity");
    drop(Store::open(dir.db()).expect("create"));
    let root: usize = {
        let c = Connection::open(dir.db()).expect("open");
        c.execute_batch(
            "PRAGMA journal_mode = DELETE; CREATE TABLE probe (v TEXT); CREATE INDEX probe_v ON probe (v);
             INSERT INTO probe VALUES ('opsight-integrity-probe');",
        )
        .expect("probe");
        c.query_row("SELECT rootpage FROM sqlite_master WHERE name = 'probe_v'", [], |r| r.get(0)).expect("root")
    };
    let mut bytes = std::fs::read(dir.db()).expect("bytes");
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let page = &mut bytes[(root - 1) * page_size..root * page_size];
    let at = page.windows(23).position(|w| w == b"opsight-integrity-probe").expect("the key in the index page");
    page[at + 22] = b'f';
    std::fs::write(dir.db(), &bytes).expect("write");
    let store = Store::open(dir.db()).expect("opens");
    assert_eq!(store.open_report().moved_aside, None, "not damaged enough to be moved aside");
    assert!(!store.check_integrity().expect("check runs"));
}

/// One camera access, no zone and no capture instant given.
fn ingest_one_access(store: &Store) {
    let dump = "  Uid u0a100:\n    Package org.example:\n      CAMERA (allow):\n          Access: [top-s] 2026-03-01 10:00:00.000 (-1h0m0s0ms)\n";
    store.ingest_dump(dump.as_bytes(), &crate::store::IngestOptions::default()).expect("ingest");
}

#[test]
fn a_run_records_when_it_was_ingested() {
    let dir = TempDir::new("ingested-at");
    let store = Store::open(dir.db()).expect("open");
    ingest_one_access(&store);
    let c = Connection::open(dir.db()).expect("open");
    let (ingested, first_seen): (i64, i64) = c
        .query_row(
            "SELECT r.ingested_at_ms, d.first_seen_ms FROM collection_runs r JOIN devices d ON d.id = r.device_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("run");
    let now = now_ms();
    assert!((now - ingested).abs() < 3_600_000, "ingested at {ingested}, now {now}");
    assert!((now - first_seen).abs() < 3_600_000, "no capture time given: the device is first seen now");
}

#[test]
fn another_programs_database_is_refused_untouched() {
    let dir = TempDir::new("foreign");
    {
        let c = Connection::open(dir.db()).expect("open");
        c.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('someone else''s data');")
            .expect("foreign");
    }
    let before = std::fs::read(dir.db()).expect("bytes");
    match Store::open(dir.db()) {
        Err(Error::ForeignDatabase) => {}
        other => panic!("expected ForeignDatabase, got {:?}", other.map(|s| s.open_report().clone())),
    }
    assert_eq!(std::fs::read(dir.db()).expect("bytes"), before, "left untouched");
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["opsight.db"], "nothing moved aside, no journal left behind");
    assert!(!Error::ForeignDatabase.to_string().contains(&dir.0.display().to_string()));
}

#[test]
fn dropping_the_store_leaves_no_wal_behind() {
    // The writer must close last: only it can checkpoint the WAL and remove -wal and -shm (a pooled reader, closed
    // last, would leave them).
    let dir = TempDir::new("drop-wal");
    let store = Store::open(dir.db()).expect("open");
    ingest_one_access(&store);
    store.check_integrity().expect("a pooled reader");
    let side = |suffix: &str| dir.0.join(format!("opsight.db{suffix}")).exists();
    assert!(side("-wal"), "in use, the database has its WAL");
    drop(store);
    assert!(!side("-wal") && !side("-shm"), "the WAL was checkpointed and removed");
}

#[test]
fn an_access_takes_the_zone_of_the_capture_that_found_it() {
    let zones = super::activity::CaptureZones::for_test(
        vec![(7, vec![(100, "Europe/Berlin".into()), (200, "Asia/Shanghai".into())])],
        Some("UTC".into()),
    );
    for (t, zone) in [(50, "Europe/Berlin"), (100, "Europe/Berlin"), (101, "Asia/Shanghai"), (250, "Asia/Shanghai")] {
        assert_eq!(zones.zone_at(7, t), Some(zone), "{t}");
    }
    assert_eq!(zones.zone_at(8, 150), Some("UTC"), "a device whose runs name no zone: the device zone");
}

#[test]
fn the_statements_of_one_read_see_one_snapshot() {
    let dir = TempDir::new("read-snapshot");
    let store = Store::open(dir.db()).expect("open");
    ingest_one_access(&store);
    let count = |c: &Connection| -> crate::Result<i64> {
        Ok(c.query_row("SELECT count(*) FROM collection_runs", [], |r| r.get(0))?)
    };
    let other = "  Uid u0a101:\n    Package org.other:\n      CAMERA (allow):\n          Access: [top-s] 2026-03-01 10:00:00.000 (-1h0m0s0ms)\n";
    let (before, after) = store
        .read(|c| {
            let before = count(c)?;
            // The collection job writes while a screen reads (a timeline reads events, then rolled-up counts).
            store.ingest_dump(other.as_bytes(), &crate::store::IngestOptions::default())?;
            Ok((before, count(c)?))
        })
        .expect("read");
    assert_eq!((before, after), (1, 1), "the read's second statement sees what its first saw");
    assert_eq!(store.read(count).expect("read"), 2, "the next read sees the change");
}
