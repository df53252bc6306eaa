//! Crash safety of the store: an ingest is all or nothing even when the process is SIGKILLed at a random point,
//! and readers (WAL) keep working while a large ingest is in progress.
//!
//! `crash_kills_never_leave_a_partial_ingest` re-executes this test binary as a child (`crash_child`, selected with
//! `--exact` and activated by `OPSIGHT_CRASH_CHILD=<db path>`), which ingests one generated dump after another into
//! the same database, printing `INGESTING <k>` before and `COMMITTED <k> <new_events>` after each ingest. The
//! parent kills it (`Child::kill`, SIGKILL on Unix) at random points, 30 times, and after every kill checks that the
//! store opens (not moved aside as damaged), passes `integrity_check`, holds every printed commit (at most one more,
//! committed but not yet printed), and holds each ingest completely or not at all. Dump `k` is generated from seed
//! `k` with its dump time `2k` years after 2010, so the dumps are disjoint: every event of dump `k` lies in the 400
//! days before its capture instant, which lets each run's `new_events` be checked against the events actually
//! stored in its window, and any event outside the windows of the stored runs be caught.
//!
//! A SIGKILL loses the process, not the OS page cache: this is an app crash or a kill by Android's low-memory
//! killer, not a power loss (which `synchronous = NORMAL` in WAL mode may cost the last commits of, but not
//! consistency).
//!
//! Set `OPSIGHT_CRASH_SEED` to replay another kill schedule (the default one is fixed).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use opsight_core::store::{IngestOptions, Store};
use opsight_synth::{generate, DumpSpec, Layout};
use rusqlite::{Connection, OpenFlags};

const CHILD_ENV: &str = "OPSIGHT_CRASH_CHILD";
const KILLS: usize = 30;
/// Every generated event lies at most this far before its dump's capture instant (the generator's `relative`).
const MAX_RELATIVE_MS: i64 = 400 * 86_400_000;
const DAY_MS: i64 = 86_400_000;

/// A small deterministic PRNG (splitmix64), so a failing kill schedule can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..=max` (the bias is irrelevant here).
    fn upto(&mut self, max: u64) -> u64 {
        self.next() % (max + 1)
    }
}

/// Dump `k`'s device-local "now": 2 years apart, so no two dumps share an instant (events go back ≤ 400 days).
fn dump_year(k: u64) -> i16 {
    2010 + 2 * k as i16
}

/// The capture instant of a dump made at `<year>-03-29 23:27:53.087` in UTC, as UTC ms.
fn capture_in(year: i16) -> i64 {
    let local = jiff::civil::datetime(year, 3, 29, 23, 27, 53, 87_000_000);
    local.to_zoned(jiff::tz::TimeZone::UTC).expect("valid instant").timestamp().as_millisecond()
}

/// Dump `k`'s capture instant, UTC ms (the zone is UTC, so it is `now_local` read as UTC).
fn capture_ms(k: u64) -> i64 {
    capture_in(dump_year(k))
}

/// Dump `k`: 300–600 KB of Android 11 text.
fn dump(k: u64) -> Vec<u8> {
    let now: &'static str = Box::leak(format!("{:04}-03-29 23:27:53.087", dump_year(k)).into_boxed_str());
    let bytes = 300_000 + Rng(k ^ 0xD1CE).upto(300_000) as usize;
    let spec = DumpSpec { seed: k, apps: 0, target_bytes: bytes, layout: Layout::Android11, now_local: now };
    let mut out = Vec::with_capacity(bytes + 4096);
    generate(&spec, &mut out).expect("generate into a Vec");
    out
}

fn opts(k: u64) -> IngestOptions {
    IngestOptions { zone: Some("UTC".into()), captured_at_ms: Some(capture_ms(k)), ..Default::default() }
}

fn read_only(db: &Path) -> Connection {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open read-only");
    c.busy_timeout(Duration::from_secs(10)).expect("busy timeout");
    c
}

fn count_runs(db: &Path) -> u64 {
    read_only(db).query_row("SELECT count(*) FROM collection_runs", [], |r| r.get::<_, i64>(0)).expect("count runs")
        as u64
}

/// The child: ingest dump after dump (continuing after the runs already stored) until killed.
#[test]
fn crash_child() {
    let Some(db) = std::env::var_os(CHILD_ENV) else { return };
    let db = PathBuf::from(db);
    let store = Store::open(&db).expect("child: open store");
    let first = count_runs(&db);
    let stdout = std::io::stdout();
    for k in first..first + 10_000 {
        let bytes = dump(k);
        // A write error means the parent is gone: stop rather than ingest for ever.
        let mut out = stdout.lock();
        if writeln!(out, "INGESTING {k}").and_then(|_| out.flush()).is_err() {
            return;
        }
        let report = store.ingest_dump(&bytes[..], &opts(k)).expect("child: ingest");
        if writeln!(out, "COMMITTED {k} {}", report.new_events).and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}

/// A line of the child's.
enum Msg {
    /// `INGESTING <k>`: dump `k` is generated and its ingest starts.
    Ingesting(u64),
    /// `COMMITTED <k> <new_events>`.
    Committed(u64, i64),
}

fn parse_line(line: &str) -> Option<Msg> {
    // libtest prints "test crash_child ... " without a newline before the test's own output.
    let num = |v: Option<&str>| v.and_then(|v| v.parse::<i64>().ok());
    if let Some(at) = line.find("INGESTING ") {
        return num(Some(&line[at + "INGESTING ".len()..])).map(|k| Msg::Ingesting(k as u64));
    }
    let at = line.find("COMMITTED ")?;
    let mut it = line[at + "COMMITTED ".len()..].split(' ');
    Some(Msg::Committed(num(it.next())? as u64, num(it.next())?))
}

/// Kills the child if the parent panics before it does.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn check_after_kill(db: &Path, printed: &[(u64, i64)], expected_runs: u64, kill: usize) -> u64 {
    let store = Store::open(db).unwrap_or_else(|e| panic!("kill {kill}: Store::open failed: {e}"));
    assert_eq!(store.open_report().moved_aside, None, "kill {kill}: database was considered damaged");
    assert!(store.check_integrity().expect("integrity_check runs"), "kill {kill}: integrity_check failed");
    store.close();
    drop(store);

    let c = read_only(db);
    // (captured_at_ms, new_events, outcome) in run order.
    let rows: Vec<(i64, i64, String)> = c
        .prepare("SELECT captured_at_ms, new_events, outcome FROM collection_runs ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
        .expect("read runs");
    let n = rows.len() as u64;
    assert!(
        n == expected_runs || n == expected_runs + 1,
        "kill {kill}: {n} runs stored, {expected_runs} commits printed (at most one more may have committed unseen)"
    );
    // Every printed commit is there, with the counts the child saw.
    for &(k, new_events) in printed {
        let (captured, stored_new, _) = &rows[k as usize];
        assert_eq!(
            (*captured, *stored_new),
            (capture_ms(k), new_events),
            "kill {kill}: run {k} differs from its COMMITTED line"
        );
    }
    // Runs are dumps 0, 1, 2, … in order, each complete: its window holds exactly the events it reported new, and
    // no event lies outside the windows of the stored runs. One scan of `events`, bucketed by window.
    let captures: Vec<i64> = (0..n).map(capture_ms).collect();
    let mut per_run = vec![0i64; rows.len()];
    let mut stray = 0u64;
    let mut scan = c.prepare("SELECT t FROM events").expect("prepare scan");
    let mut ts = scan.query([]).expect("scan events");
    while let Some(r) = ts.next().expect("step") {
        let t: i64 = r.get(0).expect("t");
        let k = captures.partition_point(|cap| cap + DAY_MS < t);
        match captures.get(k) {
            Some(cap) if t > cap - MAX_RELATIVE_MS - DAY_MS => per_run[k] += 1,
            _ => stray += 1,
        }
    }
    assert_eq!(stray, 0, "kill {kill}: events stored outside every committed run's window");
    for (k, (captured, new_events, outcome)) in rows.iter().enumerate() {
        assert_eq!(*captured, captures[k], "kill {kill}: run {k} is not dump {k}");
        assert_eq!(outcome, "ok", "kill {kill}: run {k}");
        assert!(*new_events > 0, "kill {kill}: run {k} added nothing");
        assert_eq!(per_run[k], *new_events, "kill {kill}: run {k} is partially applied");
    }
    n
}

#[test]
fn crash_kills_never_leave_a_partial_ingest() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let seed = std::env::var("OPSIGHT_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x0A55_0B5E_u64);
    let mut rng = Rng(seed);
    let dir = std::env::temp_dir().join(format!("opsight-crash-{}-{seed:x}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("crash.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let exe = std::env::current_exe().expect("current exe");
    let started = Instant::now();

    let mut runs = 0u64; // runs stored after the last check
    let mut lines_total = 0u64;
    let mut kills_after_commit = 0usize;
    let mut kills_in_ingest = 0usize;
    for kill in 0..KILLS {
        // Wait for 0–2 commits of this child, then 0–300 ms more: a kill can land in the open, the parse, the
        // inserts, the commit, a checkpoint or between dumps.
        let wait_commits = rng.upto(2) as usize;
        let delay = Duration::from_millis(rng.upto(300));
        let mut child = KillOnDrop(
            Command::new(&exe)
                .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, &db)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn child"),
        );
        let stdout = child.0.stdout.take().expect("child stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(msg) = parse_line(&line) {
                    if tx.send(msg).is_err() {
                        break;
                    }
                }
            }
        });
        let mut printed = Vec::new(); // (k, new_events) of each COMMITTED line
        let mut started = None; // the last dump whose ingest started
        let mut take = |msg: Msg, printed: &mut Vec<(u64, i64)>| match msg {
            Msg::Ingesting(k) => started = Some(k),
            Msg::Committed(k, new) => printed.push((k, new)),
        };
        while printed.len() < wait_commits {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(msg) => take(msg, &mut printed),
                Err(e) => panic!("kill {kill}: child stopped printing ({e:?}); status {:?}", child.0.try_wait()),
            }
        }
        std::thread::sleep(delay);
        assert!(child.0.try_wait().expect("try_wait").is_none(), "kill {kill}: child exited on its own");
        child.0.kill().expect("kill child");
        child.0.wait().expect("reap child");
        reader.join().expect("stdout reader");
        // Whatever it printed before dying is in the pipe: read it all.
        for msg in rx.try_iter() {
            take(msg, &mut printed);
        }
        // Killed after an ingest started and before its COMMITTED line: inside the transaction, in the commit, or
        // just after it.
        if started.is_some_and(|k| printed.last().is_none_or(|&(c, _)| c != k)) {
            kills_in_ingest += 1;
        }
        for (i, &(k, _)) in printed.iter().enumerate() {
            assert_eq!(k, runs + i as u64, "kill {kill}: child ingested dump {k} out of order");
        }
        if !printed.is_empty() {
            kills_after_commit += 1;
        }
        lines_total += printed.len() as u64;
        runs = check_after_kill(&db, &printed, runs + printed.len() as u64, kill);
    }
    assert!(lines_total >= 10, "only {lines_total} commits over {KILLS} kills: the schedule tests little");
    assert!(kills_after_commit >= KILLS / 3, "only {kills_after_commit} kills came after a commit");
    assert!(kills_in_ingest >= KILLS / 3, "only {kills_in_ingest} kills landed during an ingest");
    eprintln!(
        "crash test: {KILLS} kills ({kills_in_ingest} during an ingest), {lines_total} COMMITTED lines, {runs} runs \
         stored, {:.1} s (seed {seed:#x})",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reader is never blocked by, and never sees part of, a large ingest in progress (WAL, one transaction).
#[test]
fn reads_during_a_large_ingest() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("opsight-wal-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("wal.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let store = Store::open(&db).expect("open");
    store.ingest_dump(&dump(0)[..], &opts(0)).expect("first ingest");
    let before_apps = store.apps().expect("apps");
    // The app with the most recent access is also in the large dump (system uids come first in every dump).
    let package =
        before_apps.iter().max_by_key(|a| a.last_access.as_ref().map(|l| l.t)).expect("an app").package.clone();
    let before_tl = store.timeline(&package, 0, i64::MAX).expect("timeline");

    let big_now: &'static str = "2040-03-29 23:27:53.087";
    let big_opts =
        IngestOptions { zone: Some("UTC".into()), captured_at_ms: Some(capture_in(2040)), ..Default::default() };
    let spec = DumpSpec { seed: 99, apps: 0, target_bytes: 5_000_000, layout: Layout::Android11, now_local: big_now };
    let mut big = Vec::with_capacity(5_100_000);
    generate(&spec, &mut big).expect("generate");

    let in_progress = AtomicBool::new(false);
    let done = AtomicBool::new(false);
    let mut during = Vec::new(); // (apps, timeline) observed by reads entirely inside the ingest
    let mut errors = Vec::new();
    let mut reads = 0u64;
    let report = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            in_progress.store(true, Ordering::SeqCst);
            let r = store.ingest_dump(&big[..], &big_opts);
            in_progress.store(false, Ordering::SeqCst);
            done.store(true, Ordering::SeqCst);
            r
        });
        while !done.load(Ordering::SeqCst) {
            let started_inside = in_progress.load(Ordering::SeqCst);
            let read = store.apps().and_then(|a| Ok((a, store.timeline(&package, 0, i64::MAX)?)));
            reads += 1;
            match read {
                Ok(v) if started_inside && in_progress.load(Ordering::SeqCst) => during.push(v),
                Ok(_) => {}
                Err(e) => errors.push(e.to_string()),
            }
        }
        writer.join().expect("writer thread")
    });
    let report = report.expect("large ingest");
    assert!(errors.is_empty(), "reads failed during the ingest: {errors:?}");
    assert!(!during.is_empty(), "no read completed while the ingest ran ({reads} reads in all)");
    let after_apps = store.apps().expect("apps after");
    let after_tl = store.timeline(&package, 0, i64::MAX).expect("timeline after");
    assert!(report.new_events > 10_000, "{report:?}");
    assert_ne!(before_apps, after_apps, "the large ingest changed nothing the reads could see");
    for (i, (apps, tl)) in during.iter().enumerate() {
        // All or nothing: a read sees the database before the ingest or after it, never in between.
        // (The two reads are two snapshots: the commit may fall between them.)
        assert!(*apps == before_apps || *apps == after_apps, "read {i} during the ingest saw a partial app list");
        assert!(*tl == before_tl || *tl == after_tl, "read {i} during the ingest saw a partial timeline");
    }
    eprintln!("{} of {reads} reads completed during a {} ms ingest", during.len(), report.duration_ms);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
