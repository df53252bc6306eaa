//! Store benchmarks (docs/performance.md, "Store"). Reproduce: `bench/store.sh`.
//!
//! 1. `ingest_fresh_db`, `ingest_next_day_known_streams`: `Store::ingest_dump` of a 20 MB generated Android 11
//!    dump into a fresh database, and of the next day's dump (same streams, new instants) into a database holding
//!    the first, each next to a floor measured in the same run: the very rows that ingest inserted (same stream ids,
//!    instants and order, captured with a trigger on a scratch database) inserted again with one prepared plain
//!    `INSERT` into the same `events` table, in one transaction, on a connection with the store's pragmas, from the
//!    same starting state. For transparency two more floors: the same rows 64 per multi-row INSERT (as ingest writes
//!    them), and every row ingest writes (apps, variants, events) with single-row statements. Alternating runs of
//!    ingest and the three floors (`OPSIGHT_BENCH_PAIRS`, default 5), ratios by wall time, by the calling thread's
//!    CPU time and by the process's CPU time (ingest parses on a second thread), then criterion.
//! 2. `timeline`: one app's 90-day `Store::timeline` (≈ 10,000 events in range) with 10 million events stored,
//!    p50/p90/p99 over 300 calls, next to its SQL alone and to a leaner query shape (a prototype, for comparison).
//!    The 10M-event databases are built directly with SQL on the real schema and cached under
//!    `target/bench-cache/` (delete them to rebuild).
//! 3. `size`: bytes on disk per stored event, indexes included, for that database built in realistic (time)
//!    order and in key order; the `events` table alone via `dbstat` when SQLite has it.
//! 4. `rss`: peak RSS (VmHWM) of a child process (this binary, re-executed) that opens a fresh store and ingests
//!    the 20 MB dump from the file as a stream.
//!
//! The positional argument (criterion's filter) selects sections by substring: `cargo bench -p opsight-core --bench
//! store -- 'timeline|size'`; all of them run without one. Our own numbers are the lines starting with `store:`.
//! Without `--bench` (`cargo test --benches`) only the ingest routines run, once each.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use opsight_core::ops;
use opsight_core::parse::{parse_reader, Tally};
use opsight_core::store::{IngestOptions, Store};
use opsight_synth::{generate, DumpSpec, Layout};
use rusqlite::{params, Connection, OpenFlags, TransactionBehavior};

const RSS_CHILD_ENV: &str = "OPSIGHT_BENCH_RSS_CHILD";
/// The generator's default dump time, 2026-03-29 23:27:53.087, read as UTC.
const NOW_MS: i64 = 1_774_826_873_087;
const DAY_MS: i64 = 86_400_000;

/// Bump when the synthetic database's shape changes, so stale caches are not reused.
const BIG_DB_VERSION: u32 = 2;
const BIG_EVENTS: u64 = 10_000_000;
const BIG_APPS: usize = 1_000;
const BIG_SPAN_DAYS: i64 = 365;
/// The queried app: this many events over the year, so ≈ 10,000 fall in the last 90 days.
const TARGET_EVENTS: u64 = 40_600;
const TARGET_PACKAGE: &str = "com.bench.app0000";
const TIMELINE_CALLS: usize = 300;

fn main() {
    if let Some(dump) = std::env::var_os(RSS_CHILD_ENV) {
        rss_child(Path::new(&dump));
        return;
    }
    let sections = requested_sections();
    let wanted = |name: &str| sections.is_empty() || sections.iter().any(|s| name.contains(s.as_str()));
    let mut c = Criterion::default().configure_from_args();
    // Without `--bench` (`cargo test --benches`), criterion runs each routine once as a test: do that for the
    // ingest routines and skip the measurements of our own, which would build the 10M-event databases.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    if wanted("ingest_fresh_db") || wanted("ingest_next_day_known_streams") {
        ingest(&mut c, &wanted, bench_mode);
    }
    if !bench_mode {
        println!("store: test mode (no --bench): timeline, size and rss skipped");
    } else if wanted("timeline") || wanted("size") {
        let realistic = big_db(Order::Realistic);
        let sorted = big_db(Order::Sorted);
        if wanted("size") {
            size("realistic (time) order", &realistic);
            size("key (stream, t) order", &sorted);
        }
        if wanted("timeline") {
            timeline("realistic order", &realistic);
            timeline("key order", &sorted);
        }
    }
    if bench_mode && wanted("rss") {
        rss();
    }
    c.final_summary();
}

/// Positional arguments, minus criterion's own flags and their values.
fn requested_sections() -> Vec<String> {
    const WITH_VALUE: [&str; 9] = [
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--save-baseline",
        "--baseline",
        "--profile-time",
        "--output-format",
        "--color",
        "--significance-level",
    ];
    let mut out = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if WITH_VALUE.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            // Criterion takes one positional filter (a regex): sections are given as `timeline|size`.
            out.extend(a.split(['|', ',']).filter(|p| !p.is_empty()).map(str::to_owned));
        }
    }
    out
}

fn cache_dir() -> PathBuf {
    // CARGO_MANIFEST_DIR is rust/core; the workspace target directory is two levels up.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-cache");
    std::fs::create_dir_all(&dir).expect("create target/bench-cache");
    dir.canonicalize().unwrap_or(dir)
}

/// A scratch directory for fresh databases, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("opsight-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    /// A path for a new database, after removing the previous ones.
    fn fresh(&self, n: u64) -> PathBuf {
        if let Ok(entries) = std::fs::read_dir(&self.0) {
            for e in entries.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        self.0.join(format!("db-{n}.sqlite"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn db_bytes(path: &Path) -> u64 {
    file_size(path) + file_size(&side(path, "-wal"))
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

// ------------------------------------------------------------------------------------------------ 1. ingest

/// The same 20 MB Android 11 dump as the parse benchmark (same spec, same bytes, same cached file).
fn dump_file() -> PathBuf {
    let path = std::env::temp_dir().join("opsight-bench-android11-20mb.txt");
    if !path.exists() {
        let spec =
            DumpSpec { seed: 7, apps: 300, target_bytes: 20_000_000, layout: Layout::Android11, ..DumpSpec::default() };
        let tmp = path.with_extension("partial");
        let mut out = BufWriter::new(File::create(&tmp).expect("create bench dump"));
        generate(&spec, &mut out).expect("generate bench dump");
        drop(out);
        std::fs::rename(&tmp, &path).expect("rename bench dump");
    }
    path
}

fn ingest_opts() -> IngestOptions {
    IngestOptions { zone: Some("UTC".into()), captured_at_ms: Some(NOW_MS), ..IngestOptions::default() }
}

/// One `events` row as inserted.
type EventRow = (i64, i64, Option<i64>, i64, Option<i64>);

/// One ingest measured against its floor.
struct Case {
    name: &'static str,
    dump: Vec<u8>,
    opts: IngestOptions,
    /// The database the ingest starts from (copied for every run); a fresh one when `None`.
    base: Option<PathBuf>,
}

impl Case {
    /// A database at `path` in the state the ingest starts from, schema migrated.
    fn prepare(&self, path: &Path) {
        if let Some(base) = &self.base {
            std::fs::copy(base, path).expect("copy base db");
        }
        Store::open(path).expect("open/migrate").close();
    }

    /// Ingests into a copy of the start state with triggers logging every row written to `events` (in order), and
    /// to `apps` and `variants` (inserted or updated): what the floors write again.
    fn rows_as_ingested(&self, path: &Path) -> Written {
        self.prepare(path);
        let c = Connection::open(path).expect("open scratch with rusqlite");
        c.execute_batch(
            "CREATE TABLE bench_log (seq INTEGER PRIMARY KEY, stream_id, t, duration_ms, origin, precision_ms);
             CREATE TRIGGER bench_log_events AFTER INSERT ON events BEGIN
               INSERT INTO bench_log (stream_id, t, duration_ms, origin, precision_ms)
               VALUES (new.stream_id, new.t, new.duration_ms, new.origin, new.precision_ms);
             END;
             CREATE TABLE bench_apps (seq INTEGER PRIMARY KEY, op, id, device_id, package, uid, user_id, first, last);
             CREATE TRIGGER bench_log_apps AFTER INSERT ON apps BEGIN
               INSERT INTO bench_apps (op, id, device_id, package, uid, user_id, first, last) VALUES
               (0, new.id, new.device_id, new.package, new.uid, new.user_id, new.first_seen_ms, new.last_seen_ms);
             END;
             CREATE TRIGGER bench_log_apps_update AFTER UPDATE ON apps BEGIN
               INSERT INTO bench_apps (op, id, last) VALUES (1, new.id, new.last_seen_ms);
             END;
             CREATE TABLE bench_variants (seq INTEGER PRIMARY KEY, id, tag, state, flags, kind, puid, ppkg, ptag);
             CREATE TRIGGER bench_log_variants AFTER INSERT ON variants BEGIN
               INSERT INTO bench_variants (id, tag, state, flags, kind, puid, ppkg, ptag) VALUES (new.id,
               new.attribution_tag, new.uid_state, new.flags, new.kind, new.proxy_uid, new.proxy_package, new.proxy_tag);
             END;",
        )
        .expect("log triggers");
        let before: i64 = c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");
        let report = Store::open(path).expect("reopen").ingest_dump(&self.dump[..], &self.opts).expect("ingest");
        let events: Vec<EventRow> = c
            .prepare("SELECT stream_id, t, duration_ms, origin, precision_ms FROM bench_log ORDER BY seq")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?.collect()
            })
            .expect("read log");
        let after: i64 = c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");
        assert_eq!(events.len() as i64, after - before, "every row inserted is still there (no discrete replacement)");
        assert_eq!(report.new_events + report.new_discrete_events, events.len() as u64);
        let apps: Vec<AppRow> = c
            .prepare("SELECT op, id, device_id, package, uid, user_id, first, last FROM bench_apps ORDER BY seq")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
                })?
                .collect()
            })
            .expect("read apps log");
        let variants: Vec<VariantRow> = c
            .prepare("SELECT id, tag, state, flags, kind, puid, ppkg, ptag FROM bench_variants ORDER BY seq")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
                })?
                .collect()
            })
            .expect("read variants log");
        Written { events, apps, variants }
    }

    /// (wall, on-CPU of the calling thread, on-CPU of the process) seconds of one ingest.
    fn ingest(&self, path: &Path) -> (f64, f64, f64) {
        self.prepare(path);
        let store = Store::open(path).expect("open");
        let t = Clock::start();
        store.ingest_dump(&self.dump[..], &self.opts).expect("ingest");
        let process = t.process_seconds();
        let (wall, cpu) = t.stop();
        store.close();
        (wall, cpu, process)
    }

    /// (wall, on-CPU) seconds of a floor.
    fn floor(&self, path: &Path, written: &Written, kind: Floor) -> (f64, f64) {
        let conn = self.floor_setup(path);
        let t = Clock::start();
        let conn = match kind {
            Floor::Single => floor_insert(conn, &written.events),
            Floor::Batched => floor_batched(conn, &written.events),
            Floor::AllRows => floor_all_rows(conn, written),
        };
        let s = t.stop();
        drop(conn);
        s
    }

    fn floor_setup(&self, path: &Path) -> Connection {
        self.prepare(path);
        let c = Connection::open(path).expect("open floor db");
        // The store's pragmas (open.rs); journal_mode WAL is persistent and already set.
        c.pragma_update(None, "foreign_keys", true).expect("pragma");
        c.pragma_update(None, "temp_store", "MEMORY").expect("pragma");
        c.pragma_update(None, "synchronous", "NORMAL").expect("pragma");
        c
    }
}

/// An `apps` row as written: (0 insert | 1 update, id, device, package, uid, user, first seen, last seen).
type AppRow = (i64, i64, Option<i64>, Option<String>, Option<i64>, Option<i64>, Option<i64>, i64);
/// A `variants` row as inserted.
type VariantRow = (i64, String, String, String, i64, i64, String, String);

/// Every row an ingest wrote to `events`, `apps` and `variants`, in order.
struct Written {
    events: Vec<EventRow>,
    apps: Vec<AppRow>,
    variants: Vec<VariantRow>,
}

#[derive(Clone, Copy)]
enum Floor {
    /// The floor: one prepared single-row INSERT per event row.
    Single,
    /// The same event rows, 64 per prepared multi-row INSERT (as ingest writes them).
    Batched,
    /// Every row ingest wrote (apps inserted or updated, variants, events), one prepared single-row statement each.
    AllRows,
}

/// Rows per statement of the batched floor (ingest's batch size).
const FLOOR_BATCH: usize = 256;

/// The floor: plain prepared INSERTs of `rows` into `events`, one transaction.
fn floor_insert(mut c: Connection, rows: &[EventRow]) -> Connection {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).expect("begin");
    {
        let mut stmt = tx
            .prepare("INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (?1, ?2, ?3, ?4, ?5)")
            .expect("prepare");
        for r in rows {
            stmt.execute(params![r.0, r.1, r.2, r.3, r.4]).expect("insert");
        }
    }
    tx.commit().expect("commit");
    c
}

/// The same rows as [`floor_insert`], [`FLOOR_BATCH`] per prepared multi-row INSERT (the rest one by one).
fn floor_batched(mut c: Connection, rows: &[EventRow]) -> Connection {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).expect("begin");
    {
        let values = vec!["(?, ?, ?, ?, ?)"; FLOOR_BATCH].join(", ");
        let mut many = tx
            .prepare(&format!("INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES {values}"))
            .expect("prepare");
        let mut one = tx
            .prepare("INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (?1, ?2, ?3, ?4, ?5)")
            .expect("prepare");
        let mut chunks = rows.chunks_exact(FLOOR_BATCH);
        for chunk in &mut chunks {
            for (i, r) in chunk.iter().enumerate() {
                many.raw_bind_parameter(i * 5 + 1, r.0).expect("bind");
                many.raw_bind_parameter(i * 5 + 2, r.1).expect("bind");
                many.raw_bind_parameter(i * 5 + 3, r.2).expect("bind");
                many.raw_bind_parameter(i * 5 + 4, r.3).expect("bind");
                many.raw_bind_parameter(i * 5 + 5, r.4).expect("bind");
            }
            many.raw_execute().expect("insert");
        }
        for r in chunks.remainder() {
            one.execute(params![r.0, r.1, r.2, r.3, r.4]).expect("insert");
        }
    }
    tx.commit().expect("commit");
    c
}

/// Every row ingest wrote, each with a prepared single-row statement, in one transaction: variants, then apps
/// (inserts and `last_seen_ms` updates), then events.
fn floor_all_rows(mut c: Connection, w: &Written) -> Connection {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).expect("begin");
    {
        // The device row ingest upserts (the apps' parent).
        tx.execute("INSERT OR IGNORE INTO devices (id, label) VALUES (1, 'this-device')", []).expect("device");
        let mut variant = tx
            .prepare(
                "INSERT INTO variants (id, attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .expect("prepare");
        for v in &w.variants {
            variant.execute(params![v.0, v.1, v.2, v.3, v.4, v.5, v.6, v.7]).expect("variant");
        }
        let mut app = tx
            .prepare(
                "INSERT INTO apps (id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .expect("prepare");
        let mut touch = tx.prepare("UPDATE apps SET last_seen_ms = ?2 WHERE id = ?1").expect("prepare");
        for a in &w.apps {
            if a.0 == 0 {
                app.execute(params![a.1, a.2, a.3, a.4, a.5, a.6, a.7]).expect("app");
            } else {
                touch.execute(params![a.1, a.7]).expect("touch");
            }
        }
    }
    // The events: exactly the floor, in the same transaction.
    {
        let mut stmt = tx
            .prepare("INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (?1, ?2, ?3, ?4, ?5)")
            .expect("prepare");
        for r in &w.events {
            stmt.execute(params![r.0, r.1, r.2, r.3, r.4]).expect("insert");
        }
    }
    tx.commit().expect("commit");
    c
}

/// On-CPU time of the calling thread in ns (Linux `/proc/thread-self/schedstat`): unlike wall time, it does not
/// count the time other processes of this shared machine had the CPU.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// CPU time of the whole process in ns, threads that have ended included (`/proc/self/stat` utime + stime), in
/// clock ticks of 10 ms: ingest parses on a second thread, which the calling thread's time does not show.
fn process_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10_000_000)
}

/// Wall and on-CPU time of a measured section.
struct Clock {
    wall: Instant,
    cpu: Option<u64>,
    process: Option<u64>,
}

impl Clock {
    fn start() -> Clock {
        let cpu = thread_cpu_ns();
        let process = process_cpu_ns();
        Clock { wall: Instant::now(), cpu, process }
    }

    /// CPU seconds of the whole process (all threads) since `start`, at 10 ms resolution; NaN where unknown.
    fn process_seconds(&self) -> f64 {
        match (self.process, process_cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1e9,
            _ => f64::NAN,
        }
    }

    /// (wall, on-CPU) seconds; on-CPU is NaN where schedstat is missing.
    fn stop(self) -> (f64, f64) {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = match (self.cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1e9,
            _ => f64::NAN,
        };
        (wall, cpu)
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ingest(c: &mut Criterion, wanted: &dyn Fn(&str) -> bool, paired: bool) {
    let day0 = std::fs::read(dump_file()).expect("read dump");
    // The next day's dump of the same phone: same apps and streams, every instant one day later (all new).
    let spec = DumpSpec {
        seed: 7,
        apps: 300,
        target_bytes: 20_000_000,
        layout: Layout::Android11,
        now_local: "2026-03-30 23:27:53.087",
    };
    let mut day1 = Vec::with_capacity(day0.len() + 4096);
    generate(&spec, &mut day1).expect("generate");
    let base_dir = Scratch::new("ingest-base");
    let base = base_dir.fresh(0);
    Store::open(&base).expect("open base").ingest_dump(&day0[..], &ingest_opts()).expect("ingest base");
    let cases = [
        Case { name: "fresh_db", dump: day0, opts: ingest_opts(), base: None },
        Case {
            name: "next_day_known_streams",
            dump: day1,
            opts: IngestOptions { captured_at_ms: Some(NOW_MS + DAY_MS), ..ingest_opts() },
            base: Some(base),
        },
    ];
    let scratch = Scratch::new("ingest");
    let mut n = 0u64;
    let mut next = || {
        n += 1;
        scratch.fresh(n)
    };
    for case in cases.iter().filter(|case| wanted(&format!("ingest_{}", case.name))) {
        let written = case.rows_as_ingested(&next());
        let rows = &written.events;
        let events = rows.len() as u64;
        if paired {
            // Paired runs, alternating, so all see the same machine state; criterion's runs follow.
            let pairs: usize = std::env::var("OPSIGHT_BENCH_PAIRS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
            let (mut ingest_wall, mut floor_wall, mut ratio_wall, mut ratio_cpu) = (vec![], vec![], vec![], vec![]);
            let (mut batched_wall, mut batched_cpu, mut all_wall, mut all_cpu) = (vec![], vec![], vec![], vec![]);
            let (mut parse_cpu, mut ratio_process, mut batched_process, mut all_process) =
                (vec![], vec![], vec![], vec![]);
            for _ in 0..pairs {
                let (iw, ic, ip) = case.ingest(&next());
                let (fw, fc) = case.floor(&next(), &written, Floor::Single);
                let (bw, bc) = case.floor(&next(), &written, Floor::Batched);
                let (aw, ac) = case.floor(&next(), &written, Floor::AllRows);
                let t = Clock::start();
                let mut tally = Tally::default();
                parse_reader(&case.dump[..], &mut tally).expect("parse");
                parse_cpu.push(t.stop().1 / ip);
                ratio_process.push(fc / ip);
                batched_process.push(bc / ip);
                all_process.push(ac / ip);
                ingest_wall.push(events as f64 / iw);
                floor_wall.push(events as f64 / fw);
                ratio_wall.push(fw / iw);
                ratio_cpu.push(fc / ic);
                batched_wall.push(bw / iw);
                batched_cpu.push(bc / ic);
                all_wall.push(aw / iw);
                all_cpu.push(ac / ic);
                println!(
                    "store: ingest {} pair: ingest {:.0} ms wall / {:.0} ms CPU (calling thread) / {:.0} ms CPU (process); \
                     floor {:.0} / {:.0}; batched floor {:.0} / {:.0}; all-rows floor {:.0} / {:.0} (wall / CPU)",
                    case.name,
                    iw * 1e3,
                    ic * 1e3,
                    ip * 1e3,
                    fw * 1e3,
                    fc * 1e3,
                    bw * 1e3,
                    bc * 1e3,
                    aw * 1e3,
                    ac * 1e3
                );
            }
            let range = |v: &[f64]| v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
            let ((wlo, whi), (clo, chi)) = (range(&ratio_wall), range(&ratio_cpu));
            let db = next();
            case.ingest(&db);
            println!(
                "store: ingest {}: {} bytes, {events} new events; paired x{pairs}: ingest_dump {:.0} events/s, floor \
                 {:.0} events/s (wall, medians); ingest = {:.0} % of the floor by wall time ({:.0}–{:.0} %), {:.0} % \
                 by on-CPU time of the calling thread ({:.0}–{:.0} %), {:.0} % by the process's CPU time, both threads \
                 ({:.0}–{:.0} %); a parse alone is {:.0} % of the ingest's process CPU time; db after ingest {} bytes",
                case.name,
                case.dump.len(),
                median(&mut ingest_wall),
                median(&mut floor_wall),
                100.0 * median(&mut ratio_wall),
                100.0 * wlo,
                100.0 * whi,
                100.0 * median(&mut ratio_cpu),
                100.0 * clo,
                100.0 * chi,
                100.0 * median(&mut ratio_process),
                100.0 * range(&ratio_process).0,
                100.0 * range(&ratio_process).1,
                100.0 * median(&mut parse_cpu),
                db_bytes(&db),
            );
            let ((bwlo, bwhi), (bclo, bchi)) = (range(&batched_wall), range(&batched_cpu));
            let ((awlo, awhi), (aclo, achi)) = (range(&all_wall), range(&all_cpu));
            println!(
                "store: ingest {}: vs the same rows {FLOOR_BATCH} per INSERT: {:.0} % wall ({:.0}–{:.0} %), {:.0} % \
                 on-CPU of the calling thread ({:.0}–{:.0} %), {:.0} % of the process's; vs every row ingest writes \
                 ({} apps written, {} variants, {events} events), single-row: {:.0} % wall ({:.0}–{:.0} %), {:.0} % \
                 on-CPU of the calling thread ({:.0}–{:.0} %), {:.0} % of the process's",
                case.name,
                100.0 * median(&mut batched_wall),
                100.0 * bwlo,
                100.0 * bwhi,
                100.0 * median(&mut batched_cpu),
                100.0 * bclo,
                100.0 * bchi,
                100.0 * median(&mut batched_process),
                written.apps.len(),
                written.variants.len(),
                100.0 * median(&mut all_wall),
                100.0 * awlo,
                100.0 * awhi,
                100.0 * median(&mut all_cpu),
                100.0 * aclo,
                100.0 * achi,
                100.0 * median(&mut all_process),
            );
        }

        let mut group = c.benchmark_group(format!("store_ingest_20mb_{}", case.name));
        group.throughput(Throughput::Elements(events));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(15));
        group.bench_function("floor_prepared_inserts", |b| {
            b.iter_batched(|| case.floor_setup(&next()), |conn| floor_insert(conn, rows), BatchSize::PerIteration)
        });
        group.bench_function("ingest_dump", |b| {
            b.iter_batched(
                || {
                    let db = next();
                    case.prepare(&db);
                    Store::open(&db).expect("open")
                },
                |store| {
                    store.ingest_dump(&case.dump[..], &case.opts).expect("ingest");
                    store
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

// ------------------------------------------------------------------------------------------------ 2./3. big db

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// As a collector would insert: in time order across all streams, one transaction per day of events.
    Realistic,
    /// In primary-key order (stream, t): the best case for the B-tree.
    Sorted,
}

/// splitmix64: deterministic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Ops used for the synthetic streams: (name, recorded in discrete history). Info type and sensitivity come from
/// the op catalog, as ingest stores them.
const OPS: [(&str, bool); 16] = [
    ("COARSE_LOCATION", true),
    ("FINE_LOCATION", true),
    ("CAMERA", true),
    ("RECORD_AUDIO", true),
    ("READ_CONTACTS", false),
    ("READ_CALENDAR", false),
    ("READ_EXTERNAL_STORAGE", false),
    ("WAKE_LOCK", false),
    ("READ_CLIPBOARD", false),
    ("GET_USAGE_STATS", false),
    ("POST_NOTIFICATION", false),
    ("READ_PHONE_STATE", false),
    ("MONITOR_LOCATION", false),
    ("WIFI_SCAN", false),
    ("TOAST_WINDOW", false),
    ("READ_MEDIA_IMAGES", false),
];
const STATES: [&str; 5] = ["top", "fgsvc", "fg", "bg", "cch"];

/// One stream of the synthetic database and its event count.
struct SynthStream {
    id: i64,
    discrete: bool,
    reject: bool,
    events: u64,
}

/// The path of the cached 10M-event database, building it first if needed.
fn big_db(order: Order) -> PathBuf {
    let name = match order {
        Order::Realistic => "realistic",
        Order::Sorted => "sorted",
    };
    let path = cache_dir().join(format!("store-10m-{name}-v{BIG_DB_VERSION}.sqlite"));
    if path.exists() {
        println!("store: reusing {}", path.display());
        return path;
    }
    let tmp = cache_dir().join(format!("store-10m-{name}-v{BIG_DB_VERSION}.partial.sqlite"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(side(&tmp, suffix));
    }
    let t = Instant::now();
    build_big_db(&tmp, order);
    std::fs::rename(&tmp, &path).expect("rename built db");
    println!("store: built {} ({name} order) in {:.0} s", path.display(), t.elapsed().as_secs_f64());
    path
}

fn build_big_db(path: &Path, order: Order) {
    Store::open(path).expect("migrate").close();
    let mut c = Connection::open(path).expect("open");
    c.pragma_update(None, "synchronous", "NORMAL").expect("pragma");
    c.pragma_update(None, "foreign_keys", true).expect("pragma");
    let mut rng = Rng(0x5702E);

    // Devices, ops, apps and streams: 1,000 packages, each with 6–18 streams (op × uid state × access/reject).
    // Event counts per app follow a heavy tail (a few apps, like Play services, dominate), the queried app
    // gets TARGET_EVENTS, and all of them add up to exactly BIG_EVENTS.
    let mut streams: Vec<SynthStream> = Vec::new();
    {
        let tx = c.transaction().expect("begin");
        tx.execute(
            "INSERT INTO devices (id, label, zone, first_seen_ms, last_seen_ms) VALUES (1, 'this-device', 'UTC', ?1, ?2)",
            params![NOW_MS - BIG_SPAN_DAYS * DAY_MS, NOW_MS],
        )
        .expect("device");
        for (i, (name, _)) in OPS.iter().enumerate() {
            tx.execute(
                "INSERT INTO ops (id, name, info_type, sensitive) VALUES (?1, ?2, ?3, ?4)",
                params![i as i64 + 1, name, ops::info_type(name).as_str(), ops::is_sensitive(name)],
            )
            .expect("op");
        }
        let weights: Vec<f64> = (1..BIG_APPS).map(|rank| 1.0 / (rank as f64).powf(0.6)).collect();
        let total_weight: f64 = weights.iter().sum();
        let rest = BIG_EVENTS - TARGET_EVENTS;
        let mut app_events: Vec<u64> = std::iter::once(TARGET_EVENTS)
            .chain(weights.iter().map(|w| (rest as f64 * w / total_weight) as u64))
            .collect();
        let assigned: u64 = app_events.iter().sum();
        app_events[1] += BIG_EVENTS - assigned;
        // Variants: attribution tag (none or one) × uid state × access/reject, ids 1 + tag * 10 + state * 2 + reject.
        for tag in 0..2i64 {
            for (state, name) in STATES.iter().enumerate() {
                for reject in 0..2i64 {
                    tx.execute(
                        "INSERT INTO variants (id, attribution_tag, uid_state, flags, kind) VALUES (?1, ?2, ?3, 'self', ?4)",
                        params![
                            1 + tag * 10 + state as i64 * 2 + reject,
                            if tag == 0 { "" } else { "com.bench.tag" },
                            name,
                            reject
                        ],
                    )
                    .expect("variant");
                }
            }
        }
        for (app, &n_app) in app_events.iter().enumerate() {
            let uid = 10_000 + app as i64;
            tx.execute(
                "INSERT INTO apps (id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms) \
                 VALUES (?1, 1, ?2, ?3, 0, ?4, ?5)",
                params![app as i64 + 1, format!("com.bench.app{app:04}"), uid, NOW_MS - BIG_SPAN_DAYS * DAY_MS, NOW_MS],
            )
            .expect("app");
            let n_streams = 6 + rng.below(13) as usize;
            let mut keys = std::collections::HashSet::new();
            let mut app_streams = Vec::new();
            while app_streams.len() < n_streams {
                let op = rng.below(OPS.len() as u64) as usize;
                let state = rng.below(STATES.len() as u64) as usize;
                let reject = rng.below(6) == 0;
                if !keys.insert((op, state, reject)) {
                    continue;
                }
                // Schema v3: the stream id is app << 32 | op << 20 | variant (rust/core/src/store/ids.rs).
                let tag = i64::from(rng.below(3) != 0);
                let variant = 1 + tag * 10 + state as i64 * 2 + i64::from(reject);
                let id = (app as i64 + 1) << 32 | (op as i64 + 1) << 20 | variant;
                app_streams.push(SynthStream { id, discrete: OPS[op].1, reject, events: 0 });
            }
            // Split the app's events over its streams, unevenly.
            let w: Vec<u64> = (0..app_streams.len()).map(|_| 1 + rng.below(100)).collect();
            let wsum: u64 = w.iter().sum();
            let mut left = n_app;
            for (s, wi) in app_streams.iter_mut().zip(&w) {
                s.events = n_app * wi / wsum;
                left -= s.events;
            }
            app_streams[0].events += left;
            streams.extend(app_streams);
        }
        tx.commit().expect("commit");
    }

    // Per stream, instants spread over the year with random gaps (unique and sorted within the stream).
    let start = NOW_MS - BIG_SPAN_DAYS * DAY_MS;
    let span = BIG_SPAN_DAYS * DAY_MS;
    let mut rows: Vec<EventRow> = Vec::with_capacity(BIG_EVENTS as usize);
    for s in &streams {
        if s.events == 0 {
            continue;
        }
        let mean_gap = (span as u64 / s.events).max(2);
        let mut t = start + rng.below(mean_gap) as i64;
        for _ in 0..s.events {
            let discrete = s.discrete && rng.below(2) == 0;
            let (t_stored, origin, precision) =
                if discrete { (t - t.rem_euclid(60_000), 4, Some(60_000)) } else { (t, 0, None) };
            let duration = (!s.reject && rng.below(2) == 0).then(|| match rng.below(10) {
                0..=3 => 1 + rng.below(999) as i64,
                4..=7 => 1 + rng.below(60_000) as i64,
                _ => 1 + rng.below(3_600_000) as i64,
            });
            rows.push((s.id, t_stored, duration, origin, precision));
            // Gaps of at least a minute keep quantised (discrete) instants unique within the stream.
            t += 60_000 + rng.below(2 * mean_gap.saturating_sub(60_000).max(1)) as i64;
        }
    }
    assert_eq!(rows.len() as u64, BIG_EVENTS);
    if order == Order::Realistic {
        rows.sort_unstable_by_key(|r| (r.1, r.0));
    }

    let tx_span = if order == Order::Realistic { DAY_MS } else { i64::MAX };
    let mut i = 0;
    while i < rows.len() {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).expect("begin");
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .expect("prepare");
            // Realistic: one transaction per day of events; sorted: a million rows per transaction.
            let day_end = rows[i].1.saturating_add(tx_span);
            let first = i;
            while i < rows.len() && (order == Order::Sorted || rows[i].1 < day_end) && i - first < 1_000_000 {
                let r = &rows[i];
                stmt.execute(params![r.0, r.1, r.2, r.3, r.4]).expect("insert event");
                i += 1;
            }
        }
        tx.commit().expect("commit");
    }
    c.execute(
        "INSERT INTO meta (key, value) VALUES ('bench_order', ?1)",
        [if order == Order::Sorted { "sorted" } else { "realistic" }],
    )
    .expect("meta");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    drop(c);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(side(path, suffix));
    }
}

fn size(label: &str, path: &Path) {
    let c = Connection::open(path).expect("open big db");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    let events: i64 = c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");
    let file = file_size(path);
    println!(
        "store: size, {label}: {events} events, file {file} bytes (after wal_checkpoint(TRUNCATE), wal {} bytes) = \
         {:.1} bytes/event, all tables and indexes",
        file_size(&side(path, "-wal")),
        file as f64 / events as f64
    );
    // dbstat needs SQLITE_ENABLE_DBSTAT_VTAB; skip when it is missing.
    let stat = c.query_row(
        "SELECT sum(pgsize), sum(payload), sum(unused), count(*) FROM dbstat WHERE name = 'events'",
        [],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)),
    );
    match stat {
        Ok((pg, payload, unused, pages)) => println!(
            "store: size, {label}: events table {pg} bytes in {pages} pages = {:.1} bytes/event \
             (payload {:.1} bytes/event, unused {:.0} % of its pages)",
            pg as f64 / events as f64,
            payload as f64 / events as f64,
            100.0 * unused as f64 / pg as f64
        ),
        Err(e) => println!("store: size, {label}: dbstat unavailable ({e}); events table not measured alone"),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// One stream's descriptive columns, read once per query by [`lean_timeline`].
type StreamInfo = (i64, String, String, i64, String, String, String);

/// An event of [`lean_timeline`]: (t, index of its stream, duration, origin).
type LeanEvent = (i64, usize, Option<i64>, i64);

/// Another shape of the same read, to show what a different query costs (not the store's code): the app's streams
/// once, then each stream's events as three integers (a primary-key range scan: no join per row, no SQL sort),
/// ordered by (time, op) in Rust; events point at their stream instead of carrying its strings.
fn lean_timeline(c: &Connection, package: &str, from: i64, to: i64) -> (Vec<StreamInfo>, Vec<LeanEvent>) {
    let mut streams = c
        .prepare_cached(
            "SELECT s.id, o.name, o.info_type, v.kind, v.uid_state, v.flags, v.attribution_tag FROM apps a \
             JOIN streams s ON s.id BETWEEN a.id << 32 AND (a.id << 32) + 4294967295 \
             JOIN ops o ON o.id = (s.id >> 20) & 4095 JOIN variants v ON v.id = s.id & 1048575 WHERE a.package = ?1",
        )
        .expect("prepare streams");
    let info: Vec<StreamInfo> = streams
        .query_map([package], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .and_then(|rows| rows.collect())
        .expect("streams");
    let mut per_stream = c
        .prepare_cached("SELECT t, duration_ms, origin FROM events WHERE stream_id = ?1 AND t >= ?2 AND t < ?3")
        .expect("prepare events");
    let mut events: Vec<LeanEvent> = Vec::new();
    for (i, s) in info.iter().enumerate() {
        let mut rows = per_stream.query(params![s.0, from, to]).expect("events");
        while let Some(r) = rows.next().expect("step") {
            events.push((r.get(0).expect("t"), i, r.get(1).expect("duration"), r.get(2).expect("origin")));
        }
    }
    events.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| info[a.1].1.cmp(&info[b.1].1)));
    (info, events)
}

/// Percentiles of a sample of milliseconds: "p50 …, p90 …, p99 …, max …".
fn summary(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    format!(
        "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(v, 0.5),
        percentile(v, 0.9),
        percentile(v, 0.99),
        v[v.len() - 1]
    )
}

fn timeline(label: &str, path: &Path) {
    let store = Store::open(path).expect("open big db");
    let (from, to) = (NOW_MS - 90 * DAY_MS, NOW_MS + 1);
    let t = Instant::now();
    let first = store.timeline(TARGET_PACKAGE, from, to).expect("timeline");
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    let n_events = first.events.len();

    // One SQL statement for the same rows, stepped and discarded: the app's whole range of stream ids scanned
    // (every instant of the year, filtered on t), decoded by joins, sorted by SQLite.
    let raw = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open read-only");
    let sql = "SELECT a.package, a.uid, o.name, o.info_type, v.kind, v.uid_state, v.flags, v.attribution_tag, \
        v.proxy_package, v.proxy_uid, e.t, e.duration_ms, e.origin, e.precision_ms FROM apps a \
        JOIN events e ON e.stream_id BETWEEN a.id << 32 AND (a.id << 32) + 4294967295 AND e.t >= ?2 AND e.t < ?3 \
        JOIN ops o ON o.id = (e.stream_id >> 20) & 4095 JOIN variants v ON v.id = e.stream_id & 1048575 \
        WHERE a.package = ?1 ORDER BY e.t, o.name";
    let plan: Vec<String> = raw
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .and_then(|mut s| s.query_map(params![TARGET_PACKAGE, from, to], |r| r.get::<_, String>(3))?.collect())
        .expect("plan");

    let (mut full_wall, mut full_cpu, mut sql_wall, mut sql_cpu, mut lean_wall, mut lean_cpu) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..TIMELINE_CALLS {
        let t = Clock::start();
        let tl = store.timeline(TARGET_PACKAGE, from, to).expect("timeline");
        let (w, c) = t.stop();
        full_wall.push(w * 1e3);
        full_cpu.push(c * 1e3);
        assert_eq!(tl.events.len(), n_events);
        drop(tl);

        let t = Clock::start();
        let mut stmt = raw.prepare_cached(sql).expect("prepare");
        let mut rows = stmt.query(params![TARGET_PACKAGE, from, to]).expect("query");
        let mut n = 0usize;
        while let Some(r) = rows.next().expect("step") {
            n += usize::from(r.get_ref(10).is_ok());
        }
        let (w, c) = t.stop();
        sql_wall.push(w * 1e3);
        sql_cpu.push(c * 1e3);
        assert_eq!(n, n_events);

        let t = Clock::start();
        let (_, lean) = lean_timeline(&raw, TARGET_PACKAGE, from, to);
        let (w, c) = t.stop();
        lean_wall.push(w * 1e3);
        lean_cpu.push(c * 1e3);
        assert_eq!(lean.len(), n_events);
    }
    let events: i64 = raw.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");
    println!(
        "store: timeline, {label}: {events} events stored, {n_events} in the 90-day range of {TARGET_PACKAGE}; \
         first call {first_ms:.2} ms; {TIMELINE_CALLS} calls each, interleaved:"
    );
    // schedstat advances in scheduler ticks (4 ms at HZ=250): per-call on-CPU times are too coarse for
    // percentiles, but their mean over all calls is right.
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for (name, wall, cpu) in [
        ("Store::timeline", &mut full_wall, &full_cpu),
        ("one SQL range scan, stepped", &mut sql_wall, &sql_cpu),
        ("via the streams view", &mut lean_wall, &lean_cpu),
    ] {
        println!("store: timeline   {name:<29} wall {}; mean on-CPU {:.2} ms", summary(wall), mean(cpu));
    }
    println!("store: timeline plan: {}", plan.join(" | "));
}

// ------------------------------------------------------------------------------------------------ 4. rss

/// VmHWM (peak resident set) of this process in KiB, from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The child: open a fresh store next to nothing else and ingest `dump` from the file as a stream.
fn rss_child(dump: &Path) {
    let db = std::env::var_os("OPSIGHT_BENCH_RSS_DB").map(PathBuf::from).expect("db path");
    let before = peak_rss_kib();
    let store = Store::open(&db).expect("open");
    let file = File::open(dump).expect("open dump");
    let report = store.ingest_dump(BufReader::with_capacity(64 * 1024, file), &ingest_opts()).expect("ingest");
    store.close();
    let after = peak_rss_kib();
    println!("RSS {} {} {}", before.unwrap_or(0), after.unwrap_or(0), report.new_events + report.new_discrete_events);
}

fn rss() {
    let dump = dump_file();
    let scratch = Scratch::new("rss");
    let db = scratch.fresh(0);
    let out = std::process::Command::new(std::env::current_exe().expect("current exe"))
        .env(RSS_CHILD_ENV, &dump)
        .env("OPSIGHT_BENCH_RSS_DB", &db)
        .output()
        .expect("run rss child");
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(line) = text.lines().find_map(|l| l.strip_prefix("RSS ")) else {
        println!("store: rss child failed: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
        return;
    };
    let v: Vec<u64> = line.split(' ').filter_map(|x| x.parse().ok()).collect();
    if v.len() == 3 && v[1] > 0 {
        println!(
            "store: rss, ingest of {} ({} bytes) from the file: peak RSS {:.1} MiB ({} KiB; {} KiB before opening the \
             store), {} events",
            dump.display(),
            file_size(&dump),
            v[1] as f64 / 1024.0,
            v[1],
            v[0],
            v[2]
        );
    } else {
        println!("store: rss: /proc/self/status has no VmHWM here");
    }
}
