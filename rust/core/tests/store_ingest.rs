//! Ingest semantics (docs/store.md): nothing lost, nothing counted twice, order does not matter.

mod common;

use common::*;
use opsight_core::parse::{parse_reader, Tally};
use opsight_core::store::{IngestOptions, RetentionPolicy};
use opsight_core::time::{LocalTime, TimeBasis};
use opsight_core::Store;
use opsight_synth::{generate, DumpSpec, Layout};
use proptest::prelude::*;
use rusqlite::Connection;

struct Db {
    dir: std::path::PathBuf,
    store: Store,
}

impl Db {
    fn new(name: &str) -> Db {
        let dir = std::env::temp_dir().join(format!("opsight-ingest-{name}-{}-{}", std::process::id(), unique()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let store = Store::open(dir.join("t.db")).expect("open");
        Db { dir, store }
    }

    /// The whole timeline as comparable rows (stream key, instant, duration, origin), sorted.
    fn rows(&self) -> Vec<String> {
        let mut rows = self.query(
            "SELECT a.package, a.uid, o.name, s.attribution_tag, s.uid_state, s.flags, s.kind, s.proxy_uid, \
             s.proxy_package, e.t, e.duration_ms, e.origin FROM events e JOIN streams s ON s.id = e.stream_id \
             JOIN apps a ON a.id = s.app_id JOIN ops o ON o.id = s.op_id",
            [],
            |r| {
                Ok(format!(
                    "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}|{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, Option<i64>>(10)?,
                    r.get::<_, i64>(11)?
                ))
            },
        );
        rows.sort();
        rows
    }

    /// Every row of `sql`, read on a connection of its own.
    fn query<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        let c = Connection::open(self.dir.join("t.db")).expect("open");
        let mut stmt = c.prepare(sql).expect("prepare");
        stmt.query_map(params, row).expect("query").map(|r| r.expect("row")).collect()
    }

    /// The one value `sql` selects.
    fn value<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        self.query(sql, [], |r| r.get(0)).into_iter().next().expect("a row")
    }

    fn count(&self, sql: &str) -> i64 {
        self.value(sql)
    }

    fn text(&self, sql: &str) -> String {
        self.value(sql)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn opts(zone: &str, captured_at_ms: i64) -> IngestOptions {
    IngestOptions { zone: Some(zone.into()), captured_at_ms: Some(captured_at_ms), ..IngestOptions::default() }
}

/// One access as a phone would record it.
#[derive(Clone, Copy, Debug)]
struct Access {
    app: usize,
    op: &'static str,
    state: &'static str,
    reject: bool,
    utc: i64,
}

const APPS: [(&str, &str); 3] =
    [("u0a103", "com.tencent.qqmusic"), ("u0a120", "com.autonavi.minimap"), ("u0a130", "com.tmall.wireless")];

fn fmt_rel(ms: i64) -> String {
    let mut s = String::from("-");
    let mut rest = -ms;
    let mut started = false;
    for (unit, suffix) in [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s")] {
        if rest >= unit || started {
            s.push_str(&format!("{}{suffix}", rest / unit));
            rest %= unit;
            started = true;
        }
    }
    s.push_str(&format!("{rest}ms"));
    s
}

/// An Android 11+ dump taken at `now` in `zone`: the last access per key up to `now`, plus discrete accesses
/// (quantised to the minute) of the last day.
fn dump_at(history: &[Access], now: i64, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).expect("zone");
    let local = |t: i64| LocalTime::from_utc_ms(t, &tz).expect("local").to_string();
    let mut out = String::from("Current AppOps Service state:\n");
    let mut discrete = String::from("Discrete accesses: \n");
    for (i, (uid, pkg)) in APPS.iter().enumerate() {
        out.push_str(&format!("  Uid {uid}:\n    state=cch\n    Package {pkg}:\n"));
        let mut ops: Vec<&str> = history.iter().filter(|a| a.app == i).map(|a| a.op).collect();
        ops.sort();
        ops.dedup();
        for op in ops {
            out.push_str(&format!("      {op} (allow):\n        null=[\n"));
            let mut keys: Vec<(&str, bool)> =
                history.iter().filter(|a| a.app == i && a.op == op).map(|a| (a.state, a.reject)).collect();
            keys.sort();
            keys.dedup();
            for (state, reject) in keys {
                let last = history
                    .iter()
                    .filter(|a| a.app == i && a.op == op && a.state == state && a.reject == reject && a.utc <= now)
                    .map(|a| a.utc)
                    .max();
                if let Some(t) = last {
                    let kind = if reject {
                        "Reject: [".to_owned() + state + "-s]"
                    } else {
                        "Access: [".to_owned() + state + "-s] "
                    };
                    out.push_str(&format!("          {kind}{} ({})\n", local(t), fmt_rel(t - now)));
                }
            }
            out.push_str("        ]\n");
        }
        let mut disc: Vec<&Access> = history
            .iter()
            .filter(|a| a.app == i && !a.reject && a.op == "FINE_LOCATION" && a.utc <= now && now - a.utc < 86_400_000)
            .collect();
        disc.sort_by_key(|a| a.utc);
        if !disc.is_empty() {
            discrete.push_str(&format!(
                "  Uid: {}\n    Package: {pkg}\n      FINE_LOCATION\n        Attribution: null\n",
                10_000 + uid[3..].parse::<i64>().expect("uid")
            ));
            for a in disc {
                let q = a.utc - a.utc.rem_euclid(60_000);
                discrete.push_str(&format!("          Access [{}-s] at {}\n", a.state, local(q)));
            }
        }
    }
    out.push_str(&discrete);
    out
}

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn scenario() -> Vec<Access> {
    let mut v = Vec::new();
    let ops = ["READ_CONTACTS", "FINE_LOCATION", "READ_SMS", "CAMERA"];
    let states = ["top", "bg", "cch"];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for k in 0..60 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.push(Access {
            app: (seed % 3) as usize,
            op: ops[(seed >> 8) as usize % ops.len()],
            state: states[(seed >> 16) as usize % states.len()],
            reject: (seed >> 24).is_multiple_of(5),
            utc: T0 + k * 1_800_000 + (seed >> 32) as i64 % 1_000_000,
        });
    }
    v
}

/// Dumps every 3 hours over the scenario, alternating zones as if the phone travelled.
fn scenario_dumps() -> Vec<(String, IngestOptions)> {
    let history = scenario();
    (1..=10)
        .map(|k| {
            let now = T0 + k * 3 * 3_600_000 + 12_345;
            let zone = if k % 3 == 0 { "Europe/Paris" } else { "Asia/Shanghai" };
            (dump_at(&history, now, zone), opts(zone, now))
        })
        .collect()
}

#[test]
fn ingesting_the_same_dump_twice_changes_nothing() {
    let db = Db::new("twice");
    let input = real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt");
    let o = opts("Europe/Berlin", 1_648_589_274_087);
    let first = db.store.ingest_dump(&input[..], &o).expect("ingest");
    assert_eq!((first.new_events, first.known_events, first.new_apps, first.repeat), (23, 0, 4, false));
    assert_eq!(first.clock_skew_ms, Some(0), "capture instant and the dump's own now agree");
    let rows = db.rows();
    let second = db.store.ingest_dump(&input[..], &o).expect("again");
    assert_eq!((second.new_events, second.known_events, second.new_apps, second.repeat), (0, 23, 0, true));
    assert_eq!(db.rows(), rows);
    assert_eq!(db.count("SELECT count(*) FROM collection_runs"), 2, "the run log notes the repeat");
    assert_eq!(db.count("SELECT count(*) FROM collection_runs WHERE outcome = 'repeat'"), 1);
}

#[test]
fn a_series_of_dumps_keeps_every_access_seen_once() {
    let db = Db::new("series");
    let dumps = scenario_dumps();
    let mut new_total = 0;
    for (text, o) in &dumps {
        new_total += db.store.ingest_dump(text.as_bytes(), o).expect("ingest").new_events;
    }
    // Every last-access instant any dump printed is stored exactly once.
    let history = scenario();
    let mut printed = std::collections::BTreeSet::new();
    for k in 1..=10 {
        let now = T0 + k * 3 * 3_600_000 + 12_345;
        for a in &history {
            let latest = history
                .iter()
                .filter(|b| {
                    b.app == a.app && b.op == a.op && b.state == a.state && b.reject == a.reject && b.utc <= now
                })
                .map(|b| b.utc)
                .max();
            if latest == Some(a.utc) {
                printed.insert((a.app, a.op, a.state, a.reject, a.utc));
            }
        }
    }
    let last_access = db.count("SELECT count(*) FROM events WHERE origin / 4 = 0") as usize;
    assert_eq!(last_access, printed.len());
    assert_eq!(new_total as usize, printed.len());
    // Discrete accesses not also seen as a last access add the rest, once each.
    let discrete_only = history
        .iter()
        .filter(|a| !a.reject && a.op == "FINE_LOCATION" && !printed.contains(&(a.app, a.op, a.state, a.reject, a.utc)))
        .filter(|a| {
            (1..=10).any(|k| {
                let now = T0 + k * 3 * 3_600_000 + 12_345;
                a.utc <= now && now - a.utc < 86_400_000
            })
        })
        .count();
    assert_eq!(db.count("SELECT count(*) FROM events WHERE origin / 4 = 1") as usize, discrete_only);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_order_gives_the_same_timeline(order in Just((0..10usize).collect::<Vec<_>>()).prop_shuffle()) {
        let dumps = scenario_dumps();
        let reference = Db::new("order-ref");
        for (text, o) in &dumps {
            reference.store.ingest_dump(text.as_bytes(), o).expect("ingest");
        }
        let shuffled = Db::new("order-shuffled");
        for &i in &order {
            shuffled.store.ingest_dump(dumps[i].0.as_bytes(), &dumps[i].1).expect("ingest");
        }
        prop_assert_eq!(reference.rows(), shuffled.rows());
    }

    /// Some dumps ingested without their zone, from their exact capture instant: each last access is then dated
    /// from it (to within the tolerance), each discrete record from the dump's own "now". Whatever the order, the
    /// same accesses are stored at the same instants as with every zone (the rule that dated each, `origin`, is the
    /// first ingest's). No DST change falls in the scenario, so no-zone instants are exact here.
    #[test]
    fn any_order_gives_the_same_instants_with_and_without_zones(
        order in Just((0..10usize).collect::<Vec<_>>()).prop_shuffle(),
        zoned in prop::collection::vec(any::<bool>(), 10),
    ) {
        let dumps: Vec<(String, IngestOptions)> = scenario_dumps()
            .into_iter()
            .zip(&zoned)
            .map(|((text, o), &z)| (text, if z { o } else { IngestOptions { zone: None, ..o } }))
            .collect();
        let instants = |db: &Db| -> Vec<String> {
            let mut rows: Vec<String> = db.rows().iter().map(|r| r.rsplit_once('|').expect("origin").0.to_owned()).collect();
            rows.sort();
            rows
        };
        let reference = Db::new("zones-ref");
        for (text, o) in scenario_dumps() {
            reference.store.ingest_dump(text.as_bytes(), &o).expect("ingest");
        }
        let shuffled = Db::new("zones-shuffled");
        for &i in &order {
            shuffled.store.ingest_dump(dumps[i].0.as_bytes(), &dumps[i].1).expect("ingest");
        }
        prop_assert_eq!(instants(&reference), instants(&shuffled));
    }
}

#[test]
fn a_discrete_record_and_the_exact_last_access_are_one_access_in_either_order() {
    let a = Access { app: 1, op: "FINE_LOCATION", state: "top", reject: false, utc: T0 + 37_123 };
    let now = T0 + 3_600_000;
    let full = dump_at(&[a], now, "Asia/Shanghai");
    let discrete_only = full[full.find("Discrete accesses:").expect("discrete")..].to_owned();
    let last_only = full[..full.find("Discrete accesses:").expect("discrete")].to_owned();
    for order in [vec![&discrete_only, &last_only], vec![&last_only, &discrete_only], vec![&full]] {
        let db = Db::new("discrete");
        for text in order {
            db.store.ingest_dump(text.as_bytes(), &opts("Asia/Shanghai", now)).expect("ingest");
        }
        assert_eq!(db.count("SELECT count(*) FROM events"), 1);
        assert_eq!(db.count("SELECT t FROM events"), T0 + 37_123, "the exact instant is kept");
    }
    // In one dump, the discrete history printed first (files joined in that order): with the zone a discrete record
    // is written as it comes, before the last access of the same minute, which still replaces it, also for an app
    // this dump adds.
    let db = Db::new("discrete-first-in-one-dump");
    let joined = format!("{discrete_only}{last_only}");
    db.store.ingest_dump(joined.as_bytes(), &opts("Asia/Shanghai", now)).expect("ingest");
    assert_eq!(db.count("SELECT count(*) FROM events"), 1);
    assert_eq!(db.count("SELECT t FROM events"), T0 + 37_123, "the exact instant is kept");
    // The last access ingested without a zone, dated from the capture instant (to within the tolerance): still the
    // same access as the discrete record of its minute, whichever came first.
    let zoned = opts("Asia/Shanghai", now);
    let no_zone = IngestOptions { captured_at_ms: Some(now), ..IngestOptions::default() };
    // Also when the capture instant puts the last access within the tolerance of the record's minute start (a
    // second off here: 00:00.123 against the record's 00:00.000).
    let near_start = dump_at(&[Access { utc: T0 + 123, ..a }], now, "Asia/Shanghai");
    let near_start = near_start[..near_start.find("Discrete accesses:").expect("discrete")].to_owned();
    for (last, instant) in [(&last_only, T0 + 37_123), (&near_start, T0 + 123)] {
        for order in [[(&discrete_only, &zoned), (last, &no_zone)], [(last, &no_zone), (&discrete_only, &zoned)]] {
            let db = Db::new("discrete-relative");
            for (text, o) in order {
                db.store.ingest_dump(text.as_bytes(), o).expect("ingest");
            }
            let first = if order[0].0 == &discrete_only { "discrete first" } else { "last access first" };
            assert_eq!(db.count("SELECT count(*) FROM events"), 1, "{first}, at {instant}");
            assert_eq!(db.count("SELECT t FROM events"), instant, "the last access's instant is kept, {first}");
        }
    }
}

#[test]
fn each_event_records_the_rule_that_gave_its_instant() {
    // `origin` is source * 4 + time basis (docs/time.md): source 0 the last access, 1 a discrete record; basis
    // 0 local time with the zone, 1 capture instant + relative time, 2 local time with the inferred offset,
    // 3 printed as epoch milliseconds.
    // Each with the uncertainty of its instant: none when converted with the zone, the tolerance (2 s) when
    // relative to the capture, a minute for a discrete record.
    let origins = |text: &str, o: &IngestOptions| -> Vec<(i64, Option<i64>)> {
        let db = Db::new("basis");
        db.store.ingest_dump(text.as_bytes(), o).expect("ingest");
        db.query("SELECT DISTINCT origin, precision_ms FROM events ORDER BY 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
    };
    // The last access (at +30 min) and an earlier discrete record (at +1 min) that no last access covers.
    let at = |utc| Access { app: 0, op: "FINE_LOCATION", state: "top", reject: false, utc };
    let now = T0 + 3_600_000;
    let text = dump_at(&[at(T0 + 60_000), at(T0 + 1_800_000)], now, "Asia/Shanghai");
    assert_eq!(origins(&text, &opts("Asia/Shanghai", now)), [(0, None), (4, Some(60_000))], "with the zone");
    // The timeline says which record each event came from, and how exact its instant is.
    let db = Db::new("basis-timeline");
    db.store.ingest_dump(text.as_bytes(), &opts("Asia/Shanghai", now)).expect("ingest");
    let tl = db.store.timeline(APPS[0].1, i64::MIN, i64::MAX).expect("timeline");
    let sources: Vec<_> = tl.events.iter().map(|e| (e.start_utc_ms, e.source, e.precision_ms)).collect();
    assert_eq!(sources, [(T0 + 60_000, "discrete", Some(60_000)), (T0 + 1_800_000, "last_access", None)]);
    assert!(tl.events.iter().all(|e| e.time_basis == TimeBasis::LocalWithZone));
    let no_zone = IngestOptions { captured_at_ms: Some(now), ..IngestOptions::default() };
    assert_eq!(
        origins(&text, &no_zone),
        [(1, Some(2_000)), (6, Some(60_000))],
        "without it: relative to the capture; discrete by the offset"
    );
    // The timeline gives each event's rule too.
    let db = Db::new("basis-timeline-no-zone");
    db.store.ingest_dump(text.as_bytes(), &no_zone).expect("ingest");
    let tl = db.store.timeline(APPS[0].1, i64::MIN, i64::MAX).expect("timeline");
    let bases: Vec<_> = tl.events.iter().map(|e| (e.source, e.time_basis)).collect();
    assert_eq!(bases, [("discrete", TimeBasis::LocalWithInferredOffset), ("last_access", TimeBasis::CaptureRelative)]);
    let table = "Discrete accesses:\nUID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ATTR_FLAGS|\
                 CHAIN_ID|ACCESS_TIME|DURATION\n10103|com.tencent.qqmusic|default|CAMERA|null|top|s|0|-1|1767225660000|0\n";
    assert_eq!(origins(table, &no_zone), [(7, Some(60_000))], "a discrete record printed in epoch milliseconds");
}

/// Events in a fall-back's repeated hour, ingested with a capture instant hours away (a file copied later): ingest holds
/// them back to the dump's end and dates them from its own "now", as `parse` does, instead of from the capture instant
/// as they come (the earlier instant, stored as exact, an hour early).
#[test]
fn ingest_dates_the_repeated_hour_as_parse_does() {
    let utc = |s: &str| s.parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    let dump = |lines: &[&str]| {
        let events: String = lines.iter().map(|l| format!("          Access: {l}\n")).collect();
        format!("  Uid u0a103:\n    Package com.tencent.qqmusic:\n      CAMERA (allow):\n        null=[\n{events}        ]\n")
    };
    let captured = utc("2024-10-27T05:00:00Z");
    for (text, want) in [
        // The nearest event after the repeated hour decides the "now"; 02:55 is then the second pass.
        (
            dump(&["[fg-s] 2024-10-27 03:05:00.000 (-5m0s0ms)", "[bg-s] 2024-10-27 02:55:00.000 (-15m0s0ms)"]),
            ["2024-10-27T01:55:00Z", "2024-10-27T02:05:00Z"],
        ),
        // The nearest in it, and one before it that names the "now".
        (
            dump(&["[fg-s] 2024-10-27 02:55:00.000 (-15m0s0ms)", "[bg-s] 2024-10-27 01:50:00.000 (-2h20m0s0ms)"]),
            ["2024-10-26T23:50:00Z", "2024-10-27T01:55:00Z"],
        ),
    ] {
        let db = Db::new("repeated-hour");
        db.store.ingest_dump(text.as_bytes(), &opts("Europe/Berlin", captured)).expect("ingest");
        let stored: Vec<(i64, Option<i64>)> =
            db.query("SELECT t, precision_ms FROM events ORDER BY t", [], |r| Ok((r.get(0)?, r.get(1)?)));
        let want: Vec<(i64, Option<i64>)> = want.iter().map(|w| (utc(w), None)).collect();
        assert_eq!(stored, want, "{text}");
        let mut snap = opsight_core::parse_snapshot(text.as_bytes()).expect("parse");
        let zone = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone");
        snap.resolve_times(&opsight_core::time::CaptureContext {
            zone: Some(zone),
            captured_at_utc_ms: Some(captured),
            ..Default::default()
        });
        let mut parsed: Vec<i64> = snap.uids[0].packages[0].ops[0].events.iter().filter_map(|e| e.utc_ms).collect();
        parsed.sort_unstable();
        assert_eq!(parsed, want.iter().map(|w| w.0).collect::<Vec<_>>());
    }
}

fn appops_get(lines: &[(&str, i64)]) -> String {
    lines.iter().map(|(op, ago)| format!("{op}: allow; time=+{} ago\n", &fmt_rel(-*ago)[1..])).collect()
}

#[test]
fn relative_only_observations_match_within_the_tolerance() {
    let db = Db::new("relative");
    let o = |cap: i64| IngestOptions { package: Some("com.tencent.qqmusic".into()), ..opts("UTC", cap) };
    let cap = T0 + 86_400_000;
    let first = db
        .store
        .ingest_dump(appops_get(&[("READ_CONTACTS", 3_600_000), ("CAMERA", 60_000)]).as_bytes(), &o(cap))
        .expect("ingest");
    assert_eq!(first.new_events, 2);
    // Ten seconds later: the same accesses, now ten seconds further in the past; the capture instant was read 700 ms
    // late, so every instant comes out 700 ms off.
    let again = appops_get(&[("READ_CONTACTS", 3_610_000), ("CAMERA", 70_000)]);
    let second = db.store.ingest_dump(again.as_bytes(), &o(cap + 10_700)).expect("ingest");
    assert_eq!((second.new_events, second.known_events), (0, 2), "within the 2 s tolerance: the same observations");
    // A CAMERA access 5 s after the first is a new one.
    let third = db.store.ingest_dump(appops_get(&[("CAMERA", 55_000)]).as_bytes(), &o(cap)).expect("ingest");
    assert_eq!(third.new_events, 1);
    // Within one capture too (the same op printed twice, 700 ms apart): one observation.
    let twice = appops_get(&[("READ_SMS", 600_000), ("READ_SMS", 600_700)]);
    let fourth = db.store.ingest_dump(twice.as_bytes(), &o(cap)).expect("ingest");
    assert_eq!((fourth.new_events, fourth.known_events), (1, 1));
    let precision: i64 = db.count("SELECT min(precision_ms) FROM events");
    assert_eq!(precision, 2_000, "relative instants record their uncertainty");
    // `appops get` prints no uid state: those accesses are counted as in an unknown state.
    let tl = db.store.timeline("com.tencent.qqmusic", i64::MIN, i64::MAX).expect("timeline");
    let camera = tl.per_op.iter().find(|c| c.op == "CAMERA").expect("camera");
    assert_eq!((camera.access, camera.foreground, camera.background, camera.unknown_state), (2, 0, 0, 2));
    // Without a package name, `appops get` accesses cannot be charged to anyone.
    let lost = db.store.ingest_dump(appops_get(&[("CAMERA", 1)]).as_bytes(), &opts("UTC", cap)).expect("ingest");
    assert_eq!((lost.new_events, lost.unattributed_events), (0, 1));
    // Without a capture instant, relative times cannot be dated.
    let o = IngestOptions { package: Some("x.y".into()), ..IngestOptions::default() };
    let undated = db.store.ingest_dump(appops_get(&[("CAMERA", 1)]).as_bytes(), &o).expect("ingest");
    assert_eq!(undated.undatable_events, 1);
}

#[test]
fn a_zone_change_does_not_duplicate_and_a_clock_change_is_reported() {
    let history = scenario();
    let now = T0 + 30 * 3_600_000;
    let db = Db::new("zone");
    let a = db
        .store
        .ingest_dump(dump_at(&history, now, "Asia/Shanghai").as_bytes(), &opts("Asia/Shanghai", now))
        .expect("ingest");
    // The same state printed after the phone moved to Paris: every local time differs, the instants do not.
    let b = db
        .store
        .ingest_dump(dump_at(&history, now, "Europe/Paris").as_bytes(), &opts("Europe/Paris", now))
        .expect("ingest");
    assert!(a.new_events > 0);
    assert_eq!(b.new_events, 0);
    // The device clock was an hour behind the computer's: reported, instants still from local time + zone.
    let db2 = Db::new("clock");
    let r = db2
        .store
        .ingest_dump(dump_at(&history, now, "Asia/Shanghai").as_bytes(), &opts("Asia/Shanghai", now + 3_600_000))
        .expect("ingest");
    assert_eq!(r.clock_skew_ms, Some(3_600_000));
    assert_eq!(db2.rows(), db.rows());
}

#[test]
fn a_reinstalled_app_gets_a_new_uid_and_one_timeline() {
    let db = Db::new("reinstall");
    let before = "  Uid u0a103:\n    Package com.tencent.qqmusic:\n      READ_CONTACTS (allow):\n          Access: [bg-s] 2026-01-01 08:00:00.000 (-1h0m0s0ms)\n";
    let after = "  Uid u0a250:\n    Package com.tencent.qqmusic:\n      READ_CONTACTS (allow):\n          Access: [bg-s] 2026-01-02 08:00:00.000 (-1h0m0s0ms)\n";
    db.store.ingest_dump(before.as_bytes(), &opts("Asia/Shanghai", T0 + 3_600_000)).expect("ingest");
    let r =
        db.store.ingest_dump(after.as_bytes(), &opts("Asia/Shanghai", T0 + 86_400_000 + 3_600_000)).expect("ingest");
    assert_eq!(r.new_apps, 1);
    let tl = db.store.timeline("com.tencent.qqmusic", 0, i64::MAX).expect("timeline");
    assert_eq!(tl.uids, vec![10_103, 10_250]);
    assert_eq!(tl.events.iter().map(|e| e.uid).collect::<Vec<_>>(), vec![Some(10_103), Some(10_250)]);
    assert_eq!(tl.access, 2);
}

#[test]
fn after_a_reboot_only_new_accesses_are_added() {
    let history = scenario();
    let now = T0 + 20 * 3_600_000;
    let db = Db::new("reboot");
    let first = db.store.ingest_dump(dump_at(&history, now, "UTC").as_bytes(), &opts("UTC", now)).expect("ingest");
    // After a reboot the platform has forgotten some keys (not persisted) and recorded new accesses.
    let mut after: Vec<Access> = history.iter().copied().filter(|a| a.app != 2).collect();
    after.push(Access { app: 0, op: "RECORD_AUDIO", state: "bg", reject: false, utc: now + 60_000 });
    let second = db
        .store
        .ingest_dump(dump_at(&after, now + 120_000, "UTC").as_bytes(), &opts("UTC", now + 120_000))
        .expect("ingest");
    assert!(first.new_events > 0);
    assert_eq!(second.new_events, 1);
}

fn history_dump(windows: &[(i64, i64, u64)], now_local: &str) -> String {
    // `now_local` is the dump's local now in UTC (zone UTC); windows are (begin offset, end offset, count) in ms before now.
    let (now, _) = LocalTime::parse(now_local.as_bytes()).expect("now");
    let mut s = String::from("  History:  mode=ENABLED_ACTIVE\n");
    for (b, e, n) in windows {
        s.push_str(&format!(
            "    snapshot:\n      begin = {}  ({})\n      end = {}  ({})\n      Uid u0a103:\n        Package com.tencent.qqmusic:\n          READ_CONTACTS:\n            [bg-s] = access={n}, reject=2, duration=+{n}s0ms\n",
            LocalTime(now.0 - b),
            fmt_rel(-b),
            LocalTime(now.0 - e),
            fmt_rel(-e)
        ));
    }
    s
}

/// The history windows the analysis gets for the one app of `history_dump`: (length, access count), by begin.
fn activity_windows(db: &Db) -> Vec<(i64, u64)> {
    let apps = db.store.activity(i64::MIN, i64::MAX).expect("activity");
    let app = apps.iter().find(|a| a.package == "com.tencent.qqmusic").expect("the app");
    app.windows.iter().map(|w| (w.end_ms - w.begin_ms, w.access)).collect()
}

#[test]
fn aggregate_windows_are_not_counted_twice_in_any_order() {
    const M: i64 = 60_000;
    // Fine windows first reported (one still open), then the open one grown, then everything re-bucketed coarser.
    let d1 = history_dump(&[(30 * M, 15 * M, 3), (15 * M, 0, 1)], "2026-01-01 01:00:00.000");
    let d2 = history_dump(&[(30 * M, 15 * M, 3), (15 * M, 0, 2)], "2026-01-01 01:00:00.000");
    let d3 = history_dump(&[(150 * M, 0, 9)], "2026-01-01 01:00:00.000");
    let now = T0 + 3_600_000;
    for order in [[&d1, &d2, &d3], [&d3, &d2, &d1], [&d2, &d3, &d1]] {
        let db = Db::new("history");
        for d in order {
            db.store.ingest_dump(d.as_bytes(), &opts("UTC", now)).expect("ingest");
        }
        let totals = db.store.history_totals("com.tencent.qqmusic").expect("totals");
        assert_eq!(totals.len(), 1);
        assert_eq!((totals[0].access, totals[0].windows), (9, 1), "the coarse window covers the fine ones");
        assert_eq!((totals[0].reject, totals[0].duration_ms), (2, 9_000), "rejects and durations likewise");
        assert_eq!(
            (&*totals[0].op, totals[0].uid_state.as_deref(), totals[0].attribution_tag.as_deref()),
            ("READ_CONTACTS", Some("bg"), None)
        );
        assert_eq!(activity_windows(&db), [(150 * M, 9)], "the analysis sees the same windows");
    }
    let db = Db::new("history-fine");
    for d in [&d1, &d2, &d1] {
        db.store.ingest_dump(d.as_bytes(), &opts("UTC", now)).expect("ingest");
    }
    let totals = db.store.history_totals("com.tencent.qqmusic").expect("totals");
    assert_eq!((totals[0].access, totals[0].windows), (5, 2), "a grown open window counts once, with its larger count");
    assert_eq!((totals[0].reject, totals[0].duration_ms), (4, 5_000));
    // Two windows that touch (one ends where the next begins) are both counted, by the analysis too.
    assert_eq!(activity_windows(&db), [(15 * M, 3), (15 * M, 2)]);
    assert_eq!(db.text("SELECT group_concat(DISTINCT proxy_uid) FROM variants"), "-1", "history names no proxy");
    // Counts under an attribution tag are totalled under it.
    let tagged = history_dump(&[(45 * M, 30 * M, 4)], "2026-01-01 01:00:00.000")
        .replace("          READ_CONTACTS:\n", "          Attribution player:\n          READ_CONTACTS:\n");
    let db_tag = Db::new("history-tag");
    db_tag.store.ingest_dump(tagged.as_bytes(), &opts("UTC", now)).expect("ingest");
    let totals = db_tag.store.history_totals("com.tencent.qqmusic").expect("totals");
    let got: Vec<_> = totals.iter().map(|t| (t.info_type.as_str(), t.attribution_tag.as_deref(), t.access)).collect();
    assert_eq!(got, [("contacts", Some("player"), 4)]);
    // A window's entry under a uid but no package cannot be charged to anyone.
    let bare = history_dump(&[(45 * M, 30 * M, 4)], "2026-01-01 01:00:00.000")
        .replace("        Package com.tencent.qqmusic:\n", "");
    let r = db.store.ingest_dump(bare.as_bytes(), &opts("UTC", now)).expect("ingest");
    assert_eq!((r.unattributed_events, r.history_entries), (1, 0));
    // Counted as stored, or as undatable without a capture instant or zone.
    let fresh = Db::new("history-counts");
    let r = fresh.store.ingest_dump(d1.as_bytes(), &opts("UTC", now)).expect("ingest");
    assert_eq!((r.history_entries, r.undatable_events), (2, 0));
    let r = fresh.store.ingest_dump(d2.as_bytes(), &IngestOptions::default()).expect("ingest");
    assert_eq!((r.history_entries, r.undatable_events), (0, 2));
}

/// The newest (SQLite) history's `--history` table (AppOpHistoryHelper.dump's header), with `rows` as
/// (device, ACCESS_TIME, access count).
fn sqlite_history(rows: &[(&str, &str, u64)]) -> String {
    let mut s = String::from(
        "AppOps Historical Service State:\n\nHistory:  mode=ENABLED_ACTIVE\n\
         SHORT_INTERVAL(Aggregation Bucket)=1 Minute, LONG_INTERVAL(Aggregation Bucket)=15 Minutes\n\
         ------------Aggregated App Ops-------------\n\n\
         UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ACCESS_TIME|ACCESS_COUNTS|REJECT_COUNTS|DURATION\n",
    );
    for (device, time, n) in rows {
        s.push_str(&format!("10103|com.tencent.qqmusic|{device}|READ_CONTACTS|null|top|s|{time}|{n}|0|-1\n"));
    }
    s
}

#[test]
fn rows_of_one_history_bucket_add_up_once() {
    // A bucket (11:45-12:00) with a row flushed by an earlier dump (2 accesses), one written since (5) and one of a
    // virtual device (1): 8 accesses, in one window. Taken as the larger of the rows, or as windows starting at each
    // row's ACCESS_TIME (overlapping, so that only the first counted), it was 5 or 2.
    let first = sqlite_history(&[("default:0", "2025-03-01 11:58:23.456", 2)]);
    let later = sqlite_history(&[
        ("default:0", "2025-03-01 11:58:23.456", 2),
        ("default:0", "2025-03-01 11:59:40.002", 5),
        ("companion:3", "2025-03-01 11:52:00.000", 1),
    ]);
    let now = jiff::Timestamp::from_second(1_740_830_700).expect("2025-03-01 12:05 UTC").as_millisecond();
    let db = Db::new("sqlite-history");
    for d in [&first, &later, &later, &first] {
        db.store.ingest_dump(d.as_bytes(), &opts("UTC", now)).expect("ingest");
    }
    let totals = db.store.history_totals("com.tencent.qqmusic").expect("totals");
    assert_eq!((totals.len(), totals[0].access, totals[0].windows), (1, 8, 1), "{totals:?}");
    assert_eq!((totals[0].from_ms, totals[0].to_ms), (Some(now - 20 * 60_000), Some(now - 5 * 60_000)));
    assert_eq!(db.count("SELECT count(*) FROM history_buckets"), 1);
}

#[test]
fn retention_rolls_up_and_preserves_totals() {
    let db = Db::new("retention");
    for (text, o) in scenario_dumps() {
        db.store.ingest_dump(text.as_bytes(), &o).expect("ingest");
    }
    let total = |db: &Db| {
        db.count("SELECT count(*) FROM events") + db.count("SELECT coalesce(sum(count), 0) FROM event_rollups")
    };
    let before = total(&db);
    let per_op = |db: &Db| -> Vec<(String, u64, u64)> {
        ["com.tencent.qqmusic", "com.autonavi.minimap", "com.tmall.wireless"]
            .iter()
            .flat_map(|p| db.store.timeline(p, 0, i64::MAX).expect("timeline").per_op)
            .map(|c| (c.op, c.access, c.reject))
            .collect()
    };
    let counts = per_op(&db);
    let daily_total = |db: &Db| -> u64 {
        db.store.daily_counts(0, i64::MAX, None).expect("daily").iter().map(|d| d.access + d.reject).sum()
    };
    let daily_before = daily_total(&db);
    // As of 40 days after the scenario: raw kept 30 days, hourly 35: everything becomes daily counts.
    let now = T0 + 40 * 86_400_000;
    let r = db.store.apply_retention(RetentionPolicy { raw_days: 30, hourly_days: 35 }, now).expect("retention");
    assert!(r.events_rolled_up > 0 && r.hours_rolled_up > 0);
    assert_eq!(db.count("SELECT count(*) FROM events"), 0);
    assert_eq!(total(&db), before, "every event counted once");
    assert_eq!(per_op(&db), counts, "per-op counts survive as rolled-up counts");
    assert_eq!(daily_total(&db), daily_before, "charts keep the rolled-up days");
    assert!(db
        .store
        .daily_counts(0, i64::MAX, None)
        .expect("daily")
        .iter()
        .all(|d| d.rolled_up == d.access + d.reject));
    assert_eq!(db.count("SELECT count(*) FROM event_rollups WHERE period = 0"), 0);
    // The old dumps arriving again add nothing: their instants were counted.
    let again = db.store.ingest_dump(scenario_dumps()[9].0.as_bytes(), &scenario_dumps()[9].1).expect("ingest");
    assert_eq!(again.new_events, 0);
    assert!(again.skipped_before_retention > 0);
    assert_eq!(total(&db), before);
    // The app list still knows the last accesses.
    assert!(db.store.apps().expect("apps").iter().all(|a| a.last_access.is_some()));
}

#[test]
fn retention_cuts_where_the_policy_says_on_utc_hours_and_days() {
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 86_400_000;
    let db = Db::new("retention-cuts");
    let now = T0 + 100 * DAY + 7 * HOUR + 13 * 60_000 + 517;
    // Raw events are kept 30 days back to the hour (T0 + 70 days 07:00); hourly counts 60 days back to the day.
    let raw_cut = T0 + 70 * DAY + 7 * HOUR;
    let hourly_cut = T0 + 40 * DAY;
    let at = |app, op, state, utc| Access { app, op, state, reject: false, utc };
    let history = [
        at(0, "READ_SMS", "top", raw_cut - 1),
        at(0, "READ_SMS", "bg", raw_cut),
        at(1, "CAMERA", "top", hourly_cut - HOUR + 300_000),
        at(1, "CAMERA", "bg", hourly_cut + 300_000),
    ];
    db.store.ingest_dump(dump_at(&history, now, "UTC").as_bytes(), &opts("UTC", now)).expect("ingest");
    let r = db.store.apply_retention(RetentionPolicy { raw_days: 30, hourly_days: 60 }, now).expect("retention");
    assert_eq!((r.events_rolled_up, r.hours_rolled_up, r.rolled_up_before_ms), (3, 1, raw_cut));
    assert_eq!(db.count("SELECT count(*) FROM events"), 1);
    assert_eq!(db.count("SELECT t FROM events"), raw_cut, "the event at the cut stays an event");
    let rollups = |period: i64| -> Vec<(i64, i64)> {
        let sql = "SELECT start_ms, count FROM event_rollups WHERE period = ?1 ORDER BY 1";
        db.query(sql, [period], |r| Ok((r.get(0)?, r.get(1)?)))
    };
    assert_eq!(rollups(0), [(hourly_cut, 1), (raw_cut - HOUR, 1)], "hourly counts start on the hour");
    assert_eq!(rollups(1), [(hourly_cut - DAY, 1)], "daily counts start at midnight UTC");
    // Charts and timelines keep the rolled-up counts, on their local dates (the device's zone is UTC here).
    let daily: Vec<_> = db
        .store
        .daily_counts(i64::MIN, i64::MAX, None)
        .expect("daily")
        .into_iter()
        .map(|d| (d.date, d.package, d.op, d.info_type, d.access, d.reject, d.rolled_up))
        .collect();
    let day = |date: &str, app: usize, op: &str, info: &str, access, rolled| {
        (date.to_owned(), APPS[app].1.to_owned(), op.to_owned(), info.to_owned(), access, 0, rolled)
    };
    assert_eq!(
        daily,
        [
            day("2026-02-09", 1, "CAMERA", "camera", 1, 1),
            day("2026-02-10", 1, "CAMERA", "camera", 1, 1),
            day("2026-03-12", 0, "READ_SMS", "sms", 2, 1),
        ]
    );
    let camera = db.store.timeline(APPS[1].1, i64::MIN, i64::MAX).expect("timeline").per_op;
    let camera: Vec<_> = camera.iter().map(|c| (c.op.as_str(), c.info_type.as_str(), c.access, c.rolled_up)).collect();
    assert_eq!(camera, [("CAMERA", "camera", 2, 2)], "an op known only from counts");
    // The next capture still shows those last accesses: the three rolled up are skipped, the one at the cut is known.
    let next = format!("{}\n", dump_at(&history, now, "UTC"));
    let again = db.store.ingest_dump(next.as_bytes(), &opts("UTC", now + 1)).expect("ingest");
    assert_eq!((again.skipped_before_retention, again.known_events, again.new_events), (3, 1, 0));
}

#[test]
fn a_dump_of_many_chunks_is_stored_whole_whatever_the_reads() {
    // Larger than the ingest's 64 KiB chunks and the parser's 256 KiB blocks, so lines span both; read whole, and
    // through a reader that returns odd sizes and is interrupted before every read (EINTR: retried, not an error).
    struct Awkward<'a>(&'a [u8], bool);
    impl std::io::Read for Awkward<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.0.len()).min(70_001);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let now_local = "2026-01-02 03:04:05.678";
    let spec = DumpSpec { seed: 5, apps: 0, target_bytes: 1_500_000, layout: Layout::Android11, now_local };
    let mut text = Vec::new();
    generate(&spec, &mut text).expect("generate");
    let mut tally = Tally::default();
    parse_reader(&text[..], &mut tally).expect("parse");
    let o = opts("UTC", 1_767_323_045_678); // the dump's own now, read as UTC
    let whole = Db::new("chunks-whole");
    let report = whole.store.ingest_dump(&text[..], &o).expect("ingest");
    assert_eq!(report.bytes, text.len() as u64);
    assert_eq!(report.new_events, tally.access_events + tally.reject_events);
    let awkward = Db::new("chunks-awkward");
    let again = awkward.store.ingest_dump(Awkward(&text, false), &o).expect("ingest");
    assert_eq!((again.bytes, again.new_events), (report.bytes, report.new_events));
    assert_eq!(awkward.rows(), whole.rows());
}

#[test]
fn events_are_charged_to_their_own_package_and_uid() {
    // Packages sharing a uid (uid 1000), one package in two users, a package with no accesses, and a uid that
    // names no number.
    let dump = "Current AppOps Service state:
  Uid 1000:
    Package android:
      READ_SMS (allow):
        null=[
          Access: [top-s] 2026-01-01 08:00:00.000 (-1h0m0s0ms)
        ]
    Package com.android.settings:
      CAMERA (allow):
        null=[
          Access: [top-s] 2026-01-01 08:30:00.000 (-30m0s0ms)
        ]
  Uid u0a103:
    Package com.tencent.qqmusic:
      READ_SMS (allow):
        null=[
          Access: [bg-s] 2026-01-01 08:40:00.000 (-20m0s0ms)
        ]
    Package com.example.quiet:
      CAMERA (allow):
  Uid u10a103:
    Package com.tencent.qqmusic:
      READ_CONTACTS (allow):
        null=[
          Access: [bg-s] 2026-01-01 08:50:00.000 (-10m0s0ms)
        ]
  Uid (x):
    Package com.example.odd:
      CAMERA (allow):
        null=[
          Access: [top-s] 2026-01-01 08:55:00.000 (-5m0s0ms)
        ]
";
    let db = Db::new("charged");
    let report = db.store.ingest_dump(dump.as_bytes(), &opts("UTC", T0 + 9 * 3_600_000)).expect("ingest");
    assert_eq!((report.new_events, report.apps), (5, 5), "a package with no access has no timeline");
    let ops = |package: &str| -> Vec<String> {
        db.store.timeline(package, 0, i64::MAX).expect("timeline").per_op.into_iter().map(|c| c.op).collect()
    };
    assert_eq!(ops("android"), ["READ_SMS"]);
    assert_eq!(ops("com.android.settings"), ["CAMERA"]);
    assert_eq!(ops("com.tencent.qqmusic"), ["READ_CONTACTS", "READ_SMS"]);
    let uids = |package: &str| db.store.timeline(package, 0, i64::MAX).expect("timeline").uids;
    assert_eq!(uids("com.tencent.qqmusic"), [10_103, 1_010_103]);
    assert_eq!(uids("android"), [1000]);
    assert!(uids("com.example.quiet").is_empty());
    assert_eq!(ops("com.example.odd"), ["CAMERA"]);
    assert!(uids("com.example.odd").is_empty(), "an unreadable uid stays unknown");
    // `appops get` names the package but no uid: the uid stays unknown, not invented.
    let o = IngestOptions { package: Some("org.example.loans".into()), ..opts("UTC", T0 + 9 * 3_600_000) };
    db.store.ingest_dump(appops_get(&[("READ_SMS", 60_000)]).as_bytes(), &o).expect("ingest");
    assert_eq!(ops("org.example.loans"), ["READ_SMS"]);
    assert!(uids("org.example.loans").is_empty());
    let listed = db.store.apps().expect("apps");
    assert!(listed.iter().any(|a| a.package == "org.example.loans" && a.uids.is_empty()));
    // The Android user of each uid (uid / 100000), 0 when the uid is unknown.
    let users =
        db.text("SELECT group_concat(uid || ':' || user_id, ' ') FROM (SELECT * FROM apps ORDER BY uid, package)");
    assert_eq!(users, "-1:0 -1:0 1000:0 1000:0 10103:0 1010103:10");
    // The next capture (not a byte-identical repeat): every app known, none counted twice.
    let next =
        db.store.ingest_dump(format!("{dump}\n").as_bytes(), &opts("UTC", T0 + 9 * 3_600_000 + 1)).expect("next");
    assert_eq!((next.new_events, next.known_events, next.new_apps, next.apps), (0, 5, 0, 5));
}

#[test]
fn discrete_records_without_a_package_or_uid() {
    // Excerpts of the discrete section: a record under a uid but no package cannot be charged to anyone; one
    // under a package but no uid is stored with the uid unknown.
    let text = "Discrete accesses: \n  Uid: 10103\n      FINE_LOCATION\n        Attribution: null\n          \
                Access [top-s] at 2026-01-01 08:00:00.000\n    Package: com.example.nouid\n      FINE_LOCATION\n        \
                Attribution: null\n          Access [top-s] at 2026-01-01 08:01:00.000\n";
    let (first, second) = text.split_at(text.find("    Package:").expect("package"));
    let db = Db::new("discrete-bare");
    let lone = db.store.ingest_dump(first.as_bytes(), &opts("UTC", T0 + 86_400_000)).expect("ingest");
    assert_eq!((lone.unattributed_events, lone.new_discrete_events), (1, 0));
    let named = format!("Discrete accesses: \n{second}");
    let stored = db.store.ingest_dump(named.as_bytes(), &opts("UTC", T0 + 86_400_000)).expect("ingest");
    assert_eq!((stored.unattributed_events, stored.new_discrete_events), (0, 1));
    // The next capture: that record again (known) and a new one, of an app already known and counted once.
    let next = format!("{named}          Access [bg-s] at 2026-01-01 08:02:00.000\n");
    let again = db.store.ingest_dump(next.as_bytes(), &opts("UTC", T0 + 86_400_001)).expect("ingest");
    assert_eq!((again.known_events, again.new_discrete_events, again.new_apps, again.apps), (1, 1, 0, 1));
    assert!(db.store.timeline("com.example.nouid", 0, i64::MAX).expect("timeline").uids.is_empty());
    assert_eq!(db.text("SELECT group_concat(uid) FROM apps"), "-1");
}

#[test]
fn more_ops_than_a_stream_id_holds_fail_the_ingest_whole() {
    // Op ids have 12 bits (docs/store.md): up to 4,095 op names, OEM ones included, then the ingest is refused.
    let db = Db::new("ops-full");
    let dump = |names: std::ops::Range<usize>| -> String {
        let mut out = String::from("Current AppOps Service state:\n  Uid u0a103:\n    Package com.tencent.qqmusic:\n");
        for i in names {
            out.push_str(&format!(
                "      OEM_OP_{i:04} (allow):\n        null=[\n          Access: [top-s] 2026-01-01 08:00:00.000 \
                 (-1h0m0s0ms)\n        ]\n"
            ));
        }
        out
    };
    let o = opts("UTC", T0 + 9 * 3_600_000);
    let known = db.count("SELECT count(*) FROM ops") as usize;
    let fits = db.store.ingest_dump(dump(0..4_095 - known).as_bytes(), &o).expect("up to 4,095 ops");
    assert_eq!(fits.new_events, (4_095 - known) as u64);
    let events = db.count("SELECT count(*) FROM events");
    let err = db.store.ingest_dump(dump(4_095 - known..4_097 - known).as_bytes(), &o).expect_err("4,096 ops");
    assert!(err.to_string().contains("4095 ops"), "{err}");
    assert_eq!(db.count("SELECT count(*) FROM events"), events, "nothing of the refused dump stored");
}

#[test]
fn a_failed_ingest_stores_nothing() {
    struct FailAfter<'a>(&'a [u8], usize);
    impl std::io::Read for FailAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.1 == 0 {
                return Err(std::io::Error::other("device disconnected"));
            }
            let n = buf.len().min(self.1).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            self.1 -= n;
            Ok(n)
        }
    }
    let db = Db::new("atomic");
    let input = real(LG_ANDROID6);
    let err = db.store.ingest_dump(FailAfter(&input, 30_000), &opts("UTC", T0)).expect_err("fails");
    assert!(matches!(err, opsight_core::Error::Io(_)));
    // The cause is in the message (all the Android bridge shows) and only there: a chain printed whole says it once.
    assert_eq!(err.to_string(), "could not read the input: device disconnected");
    assert!(std::error::Error::source(&err).is_none());
    for table in ["events", "apps", "streams", "collection_runs", "devices"] {
        assert_eq!(db.count(&format!("SELECT count(*) FROM {table}")), 0, "{table}");
    }
}

#[test]
fn inventory_feeds_the_app_list() {
    let db = Db::new("inventory");
    db.store
        .ingest_dump(
            real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt").as_slice(),
            &opts("Europe/Berlin", 1_648_589_274_087),
        )
        .expect("ingest");
    let inv = r#"{"opsight_inventory": 1, "device": {"manufacturer": "samsung", "model": "SM-A105F", "android_version": "10", "zone": "Europe/Berlin"},
        "captured_at_ms": 1648589274087,
        "packages": [
          {"package": "com.facebook.katana", "label": "Facebook", "uid": 10103, "category": "social", "system": false,
           "first_install_ms": 1600000000000, "last_update_ms": 1640000000000, "version_name": "360.0",
           "requested_permissions": ["android.permission.READ_CONTACTS", "android.permission.READ_PHONE_STATE"],
           "granted_permissions": ["android.permission.READ_CONTACTS"],
           "usage": [{"begin_ms": 1648580000000, "end_ms": 1648580600000}]},
          {"package": "com.example.unused", "label": "Unused", "uid": 10999, "system": false, "requested_permissions": [], "granted_permissions": []}
        ]}"#;
    let r = db.store.ingest_packages(inv).expect("inventory");
    assert_eq!((r.packages, r.new_packages, r.permissions, r.usage_intervals), (2, 2, 2, 1));
    let apps = db.store.apps().expect("apps");
    let fb = apps.iter().find(|a| a.package == "com.facebook.katana").expect("fb");
    assert_eq!(
        (fb.label.as_deref(), fb.category.as_deref(), fb.uids.clone()),
        (Some("Facebook"), Some("social"), vec![10_103])
    );
    assert_eq!(fb.last_sensitive_access.as_ref().map(|l| l.op.as_str()), Some("READ_PHONE_STATE"));
    assert!(
        apps.iter().any(|a| a.package == "com.example.unused" && a.last_access.is_none() && a.uids == [10_999]),
        "installed apps with no access are listed, with the uid the inventory gave"
    );
    for bad in [
        "{",
        r#"{"opsight_inventory": 2}"#,
        r#"{"opsight_inventory": 1, "packages": [{"package": "a", "category": "secret-stuff"}]}"#,
    ] {
        let err = db.store.ingest_packages(bad).expect_err("invalid").to_string();
        assert!(!err.contains("secret-stuff"), "errors do not echo input: {err}");
    }
    // A JSON error says what kind and where, never what.
    let err = db.store.ingest_packages(r#"{"opsight_inventory": "secret"}"#).expect_err("invalid").to_string();
    assert!(
        err.ends_with("inventory JSON: a value of the wrong type, or not one of those allowed, at line 1 column 30"),
        "{err}"
    );
    let err = db.store.ingest_packages("{\n  \"opsight_inventory\": 1,").expect_err("invalid").to_string();
    assert!(err.ends_with("inventory JSON: not valid JSON at line 2 column 25"), "{err}");
    // A usage interval may be empty, not reversed; a permission granted but not requested is counted too.
    let inv = |begin: i64, end: i64| {
        format!(
            r#"{{"opsight_inventory": 1, "packages": [{{"package": "a.b", "requested_permissions": [],
               "granted_permissions": ["android.permission.CAMERA"],
               "usage": [{{"begin_ms": 5, "end_ms": 9}}, {{"begin_ms": {begin}, "end_ms": {end}}}]}}]}}"#
        )
    };
    let r = db.store.ingest_packages(&inv(7, 7)).expect("an empty interval");
    assert_eq!((r.permissions, r.usage_intervals), (1, 2));
    let err = db.store.ingest_packages(&inv(7, 6)).expect_err("a reversed interval").to_string();
    assert!(err.ends_with("a usage interval of inventory package #1 ends before it begins"), "{err}");
    // Install and update times the platform did not know (0) or from after the capture (a clock set back) are none:
    // the unused-permission rule counts its evidence from the install.
    let times = r#"{"opsight_inventory": 1, "captured_at_ms": 1000000, "packages": [
        {"package": "t.zero", "first_install_ms": 0, "last_update_ms": -5, "requested_permissions": [], "granted_permissions": []},
        {"package": "t.future", "first_install_ms": 1000001, "last_update_ms": 1000000, "requested_permissions": [], "granted_permissions": []}]}"#;
    db.store.ingest_packages(times).expect("inventory");
    let stored = |p: &str| -> (Option<i64>, Option<i64>) {
        db.query("SELECT first_install_ms, last_update_ms FROM app_meta WHERE package = ?1", [p], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })[0]
    };
    assert_eq!((stored("t.zero"), stored("t.future")), ((None, None), (None, Some(1_000_000))));
    // Usage events as the platform gives them become foreground intervals here; other event types are ignored.
    let events = r#"{"opsight_inventory": 1, "captured_at_ms": 1000000, "usage_events": {"begin_ms": 0, "end_ms": 100,
        "events": [{"package": "g.h", "class": "Main", "time_ms": 8, "type": 1}, {"package": "g.h", "class": "Main", "time_ms": 20, "type": 2},
                   {"package": "c.d", "class": null, "time_ms": 30, "type": 2}, {"package": "c.d", "time_ms": 40, "type": 23},
                   {"package": "e.f", "class": "X", "time_ms": 90, "type": 1}]}}"#;
    let r = db.store.ingest_packages(events).expect("usage events");
    assert_eq!((r.packages, r.usage_intervals), (0, 3));
    let usage = |p: &str| -> Vec<(i64, i64)> {
        db.query("SELECT begin_ms, end_ms FROM app_usage WHERE package = ?1 ORDER BY begin_ms", [p], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    };
    assert_eq!(usage("g.h"), [(8, 20)]);
    assert_eq!(usage("c.d"), [(0, 30)], "in the foreground since the window's start");
    assert_eq!(usage("e.f"), [(90, 100)], "still in the foreground at its end");
    for (bad, want) in [
        (r#""usage_events": {"begin_ms": 10, "end_ms": 9}"#, "the usage events' window ends before it begins"),
        (
            r#""usage_events": {"begin_ms": 0, "end_ms": 9, "events": [{"package": "", "time_ms": 1, "type": 1}]}"#,
            "usage event #1 has an empty package name",
        ),
    ] {
        let err = db.store.ingest_packages(&format!(r#"{{"opsight_inventory": 1, {bad}}}"#)).expect_err("refused");
        assert!(err.to_string().ends_with(want), "{err}");
    }
}

#[test]
fn queries_answer_who_read_what_and_when() {
    let db = Db::new("queries");
    db.store
        .ingest_dump(
            real("aosp-platform_frameworks_base__AppOps.md_examples_android11_featureId.txt").as_slice(),
            &opts("America/Los_Angeles", 1_582_062_000_000),
        )
        .expect("ingest");
    db.store
        .ingest_dump(
            real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt").as_slice(),
            &opts("Europe/Berlin", 1_648_589_274_087),
        )
        .expect("ingest");
    let contacts = db.store.who_accessed(opsight_core::ops::InfoType::Contacts, 0, i64::MAX).expect("who");
    let names: Vec<_> = contacts.iter().map(|c| (c.package.as_str(), c.access)).collect();
    assert_eq!(names, vec![("com.google.android.gms", 6), ("com.facebook.katana", 1)]);
    assert_eq!(contacts[1].background, 1);
    let tl = db.store.timeline("com.google.android.gms", 0, i64::MAX).expect("timeline");
    assert_eq!((tl.access, tl.reject, tl.foreground, tl.background), (6, 2, 5, 1), "the split is of accesses");
    assert!(tl.events.windows(2).all(|w| w[0].start_utc_ms <= w[1].start_utc_ms), "ordered by time");
    assert_eq!(
        tl.events.iter().filter(|e| e.proxy_package.as_deref() == Some("com.android.providers.contacts")).count(),
        3
    );
    // Each event as stored, field by field: one through a proxy, one without, and a refused one.
    let e = &tl.events[2];
    assert_eq!(
        (&*e.op, &*e.info_type, e.kind, e.start_utc_ms),
        ("READ_CONTACTS", "contacts", "access", 1_581_719_187_018)
    );
    assert_eq!(
        (e.uid_state.as_deref(), e.foreground, &e.flags[..]),
        (Some("fgsvc"), Some(true), &["tpd".to_owned()][..])
    );
    assert_eq!(e.attribution_tag.as_deref(), Some("com.google.android.gms.icing"));
    assert_eq!(
        (e.proxy_package.as_deref(), e.proxy_uid, e.uid),
        (Some("com.android.providers.contacts"), Some(10_070), Some(10_118))
    );
    assert_eq!((e.source, e.precision_ms, e.duration_ms), ("last_access", None, None));
    let e = &tl.events[0];
    assert_eq!((e.attribution_tag.as_deref(), e.proxy_package.as_deref(), e.proxy_uid), (None, None, None));
    assert_eq!((e.kind, tl.events[6].kind, &*tl.events[6].op), ("access", "reject", "MANAGE_EXTERNAL_STORAGE"));
    // Per op, the streams (one per uid state, tag and proxy) add up; an unbounded end of the range is given as none.
    let contacts = tl.per_op.iter().find(|c| c.op == "READ_CONTACTS").expect("contacts");
    assert_eq!((contacts.access, contacts.reject, contacts.foreground, contacts.background), (6, 0, 5, 1));
    assert_eq!((contacts.first_ms, contacts.last_ms), (Some(1_581_719_038_189), Some(1_582_021_568_711)));
    let storage = tl.per_op.iter().find(|c| c.op == "MANAGE_EXTERNAL_STORAGE").expect("storage");
    assert_eq!((storage.access, storage.reject, storage.foreground + storage.background), (0, 2, 0));
    assert_eq!((tl.package.as_str(), tl.from_ms, tl.to_ms), ("com.google.android.gms", Some(0), None));
    // The range is [from, to).
    let first = tl.events[0].start_utc_ms;
    let one = db.store.timeline("com.google.android.gms", first, first + 1).expect("one");
    assert_eq!((one.events.len(), one.from_ms, one.to_ms), (1, Some(first), Some(first + 1)));
    let ops: Vec<_> = one.per_op.iter().map(|c| (c.op.as_str(), c.info_type.as_str(), c.access)).collect();
    assert_eq!(ops, [("READ_CONTACTS", "contacts", 1)], "no counts for ops with nothing in the range");
    assert_eq!(db.store.timeline("com.google.android.gms", first + 1, i64::MAX).expect("rest").events.len(), 7);
    let fb_contacts = |zone: Option<&str>| {
        let daily = db.store.daily_counts(0, i64::MAX, zone).expect("daily");
        let day = daily.into_iter().find(|d| d.package == "com.facebook.katana" && d.op == "READ_CONTACTS");
        let day = day.expect("day");
        (day.date, day.access)
    };
    assert_eq!(fb_contacts(None), ("2022-03-07".to_owned(), 1), "dates in the device's zone");
    // Asked for in another zone (the report's --zone), the days are that zone's: 17:05 UTC is the next day at UTC+14.
    assert_eq!(fb_contacts(Some("Pacific/Kiritimati")).0, "2022-03-08");
    assert!(db.store.daily_counts(0, i64::MAX, Some("Mars/Olympus")).is_err(), "an unknown zone is refused");
}

#[test]
fn who_accessed_and_the_app_list_count_and_rank_exactly() {
    let db = Db::new("who");
    let at = |app, op, state, reject, minute: i64| Access { app, op, state, reject, utc: T0 + minute * 60_000 };
    let history = [
        // qqmusic: one access and three refused, four in all.
        at(0, "READ_CONTACTS", "top", false, 10),
        at(0, "READ_CONTACTS", "top", true, 11),
        at(0, "READ_CONTACTS", "bg", true, 12),
        at(0, "READ_CONTACTS", "fg", true, 13),
        // minimap: four accesses with two ops, none refused, four in all; then a later one that is not sensitive.
        at(1, "READ_CONTACTS", "top", false, 20),
        at(1, "READ_CONTACTS", "bg", false, 21),
        at(1, "WRITE_CONTACTS", "top", false, 22),
        at(1, "WRITE_CONTACTS", "fgsvc", false, 23),
        at(1, "WAKE_LOCK", "top", false, 30),
        // tmall: one refused, one in all; and two sensitive ops last used at the same instant.
        at(2, "READ_CONTACTS", "bg", true, 5),
        at(2, "READ_SMS", "top", false, 40),
        at(2, "CAMERA", "top", false, 40),
    ];
    let now = T0 + 3_600_000;
    db.store.ingest_dump(dump_at(&history, now, "UTC").as_bytes(), &opts("UTC", now)).expect("ingest");

    let who = db.store.who_accessed(opsight_core::ops::InfoType::Contacts, i64::MIN, i64::MAX).expect("who");
    let rows: Vec<_> = who
        .iter()
        .map(|w| (w.package.as_str(), w.access, w.reject, w.foreground, w.background, w.ops.clone()))
        .collect();
    // Most accesses and refusals first; a tie goes by package name.
    assert_eq!(
        rows,
        [
            ("com.autonavi.minimap", 4, 0, 3, 1, vec!["READ_CONTACTS".to_owned(), "WRITE_CONTACTS".to_owned()]),
            ("com.tencent.qqmusic", 1, 3, 1, 0, vec!["READ_CONTACTS".to_owned()]),
            ("com.tmall.wireless", 0, 1, 0, 0, vec!["READ_CONTACTS".to_owned()]),
        ]
    );
    let span: Vec<_> = who.iter().map(|w| (w.first_ms, w.last_ms)).collect();
    let min = |m: i64| Some(T0 + m * 60_000);
    assert_eq!(span, [(min(20), min(23)), (min(10), min(13)), (min(5), min(5))], "first and last over the app's ops");

    // The app list: the last access of any kind, and the last sensitive one; a refusal is not an access.
    let apps = db.store.apps().expect("apps");
    let last = |pkg: &str| {
        let app = apps.iter().find(|a| a.package == pkg).expect("app");
        let pair = |l: &Option<opsight_core::store::LastAccess>| l.as_ref().map(|l| (l.op.clone(), l.t));
        (pair(&app.last_access), pair(&app.last_sensitive_access))
    };
    let op_at = |op: &str, m: i64| Some((op.to_owned(), T0 + m * 60_000));
    assert_eq!(last(APPS[0].1), (op_at("READ_CONTACTS", 10), op_at("READ_CONTACTS", 10)));
    assert_eq!(last(APPS[1].1), (op_at("WAKE_LOCK", 30), op_at("WRITE_CONTACTS", 23)));
    // At the same instant the op stored first is kept: CAMERA (the dump lists ops by name).
    assert_eq!(last(APPS[2].1), (op_at("CAMERA", 40), op_at("CAMERA", 40)));
}

#[test]
fn a_batch_is_stored_whole_or_not_at_all() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("cable pulled"))
        }
    }
    let db = Db::new("batch");
    let good: Box<dyn std::io::Read> =
        Box::new(std::io::Cursor::new(real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt")));
    let bad: Box<dyn std::io::Read> = Box::new(Failing);
    let inv =
        opsight_core::store::Inventory::from_json(r#"{"opsight_inventory": 1, "packages": [{"package": "a.b"}]}"#)
            .expect("inv");
    let o = opts("Europe/Berlin", 1_648_589_274_087);
    assert!(db.store.ingest_batch(vec![(good, o.clone()), (bad, o.clone())], Some(&inv)).is_err());
    for table in ["events", "apps", "collection_runs", "app_meta"] {
        assert_eq!(db.count(&format!("SELECT count(*) FROM {table}")), 0, "{table}");
    }
    let good: Box<dyn std::io::Read> =
        Box::new(std::io::Cursor::new(real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt")));
    let (reports, inventory) = db.store.ingest_batch(vec![(good, o)], Some(&inv)).expect("batch");
    assert_eq!((reports[0].new_events, inventory.map(|i| i.packages)), (23, Some(1)));
}

/// A bugreport that states the device's zone is dated in it when none is given: the same timeline as with the zone
/// given, whatever the capture instant; the run and the device record it, and the report says where it came from.
/// A zone given wins.
#[test]
fn a_zone_the_bugreport_states_dates_it_when_none_is_given() {
    let captured = 1_648_589_274_087 + 3 * 3_600_000;
    let stated_db = Db::new("stated-zone");
    let no_zone = IngestOptions { captured_at_ms: Some(captured), ..IngestOptions::default() };
    let stated =
        stated_db.store.ingest_dump(&fixture("synthetic/bugreport_with_zone.txt")[..], &no_zone).expect("ingest");
    assert_eq!((stated.zone_from_dump.as_deref(), stated.undatable_events), (Some("Europe/Berlin"), 0));
    let given_db = Db::new("given-zone");
    let given = opts("Europe/Berlin", captured);
    let report = given_db.store.ingest_dump(&fixture("synthetic/bugreport_embedded.txt")[..], &given).expect("ingest");
    assert_eq!(report.zone_from_dump, None);
    assert!(stated.new_events > 0);
    assert_eq!(stated_db.rows(), given_db.rows());
    assert_eq!(stated.clock_skew_ms, report.clock_skew_ms, "the capture instant against the dump's clock, in its zone");
    assert_eq!(stated_db.text("SELECT zone FROM collection_runs"), "Europe/Berlin");
    assert_eq!(stated_db.text("SELECT zone FROM devices"), "Europe/Berlin");

    let tokyo_db = Db::new("tokyo-zone");
    let tokyo =
        tokyo_db.store.ingest_dump(&fixture("synthetic/bugreport_with_zone.txt")[..], &opts("Asia/Tokyo", captured));
    assert_eq!(tokyo.expect("ingest").zone_from_dump, None);
    assert_eq!(tokyo_db.text("SELECT zone FROM collection_runs"), "Asia/Tokyo");
    assert_ne!(tokyo_db.rows(), given_db.rows());
}

/// An input cut short (a gzip stream or zip entry that stops before its end, which its reader reports as
/// `UnexpectedEof`) is stored up to the cut and marked truncated, as a text file that ends mid-line is; the same
/// bytes read whole store more. Any other read error still stores nothing (above).
#[test]
fn an_input_cut_short_is_stored_up_to_the_cut_as_truncated() {
    struct CutShort<'a>(&'a [u8]);
    impl std::io::Read for CutShort<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let n = buf.len().min(self.0.len()).min(700);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let text = real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt");
    // Cut after a whole line: only the reader can tell that the input did not end there.
    let cut_at = text[..text.len() / 2].iter().rposition(|&b| b == b'\n').expect("a line") + 1;
    let o = opts("Europe/Berlin", 1_648_589_274_087);
    let cut_db = Db::new("cut-short");
    let cut = cut_db.store.ingest_dump(CutShort(&text[..cut_at]), &o).expect("stored up to the cut");
    assert!(cut.truncated);
    let whole_db = Db::new("cut-short-whole");
    let whole = whole_db.store.ingest_dump(&text[..cut_at], &o).expect("the same bytes, read whole");
    assert!(!whole.truncated);
    assert!(cut.new_events > 0 && cut.new_events == whole.new_events, "{} / {}", cut.new_events, whole.new_events);
    assert_eq!(cut_db.count("SELECT count(*) FROM collection_runs WHERE outcome = 'truncated'"), 1);
}

/// `max_clock_gap_ms`: a caller that assumed the capture instant has the ingest refused, with nothing stored, when the
/// dump's own clock (local 2026-03-01 12:00:00) is further from it than the limit, plus 14 hours without a zone.
#[test]
fn a_dump_whose_clock_is_far_from_the_assumed_capture_instant_is_refused() {
    let dump = "  Uid u0a100:\n    Package org.example:\n      CAMERA (allow):\n          Access: [top-s] 2026-03-01 11:59:00.000 (-1m0s0ms)\n";
    let dump_as_utc = 1_772_366_400_000; // 2026-03-01T12:00:00Z
    let h = 3_600_000;
    let opts = |captured: i64, zone: Option<&str>| IngestOptions {
        captured_at_ms: Some(captured),
        zone: zone.map(str::to_owned),
        max_clock_gap_ms: Some(24 * h),
        ..IngestOptions::default()
    };
    let db = Db::new("clock-gap");
    // Each (capture instant, zone, refused): a refusal gives the gap and, with the zone, the clock as an instant (what
    // to give as the capture instant); a stored dump's skew is reported only from the dump's own clock.
    let check = |text: &str, bugreport: bool, cases: &[(i64, Option<&str>, bool)]| {
        for &(captured, zone, refused) in cases {
            let offset = if zone.is_some() { 8 * h } else { 0 };
            match db.store.ingest_dump(text.as_bytes(), &opts(captured, zone)) {
                Err(opsight_core::Error::ClockMismatch {
                    capture_minus_dump_ms,
                    dump_local,
                    dump_utc_ms,
                    bugreport_start,
                }) => {
                    assert!(refused && bugreport_start == bugreport, "{captured} {zone:?} was refused");
                    assert_eq!(dump_local, "2026-03-01 12:00:00.000");
                    assert_eq!(
                        (capture_minus_dump_ms, dump_utc_ms),
                        (captured - dump_as_utc + offset, zone.map(|_| dump_as_utc - offset))
                    );
                }
                Ok(r) => {
                    assert!(!refused, "{captured} {zone:?} was stored");
                    let skew = zone.filter(|_| !bugreport).map(|_| captured - dump_as_utc + offset);
                    assert_eq!(r.clock_skew_ms, skew);
                }
                Err(e) => panic!("{e}"),
            }
        }
    };
    check(
        dump,
        false,
        &[
            (dump_as_utc + 37 * h, None, false),
            (dump_as_utc - 37 * h, None, false),
            // The limit itself (a day, and 14 hours without a zone) is still accepted.
            (dump_as_utc + 38 * h, None, false),
            (dump_as_utc + 39 * h, None, true),
            (dump_as_utc - 39 * h, None, true),
            // Shanghai is UTC+8: the dump's clock is 04:00Z.
            (dump_as_utc - 8 * h + 23 * h, Some("Asia/Shanghai"), false),
            (dump_as_utc - 8 * h + 25 * h, Some("Asia/Shanghai"), true),
        ],
    );
    let runs: Vec<i64> = db.query("SELECT count(*) FROM collection_runs", [], |r| r.get(0));
    assert_eq!(runs, [4], "the refused ingests stored nothing");
    let message = |gap: i64, bugreport_start: bool| {
        opsight_core::Error::ClockMismatch {
            capture_minus_dump_ms: gap,
            dump_local: "x".into(),
            dump_utc_ms: None,
            bugreport_start,
        }
        .to_string()
    };
    assert_eq!(
        message(39 * h, false),
        "the dump's own clock is about 39 hours before the capture instant assumed for it; nothing was stored"
    );
    assert!(message(-50 * 24 * h, false).starts_with("the dump's own clock is about 50 days after"));
    // Without the option (a capture instant read from the device) nothing is checked.
    let far = IngestOptions { max_clock_gap_ms: None, ..opts(dump_as_utc + 1000 * h, None) };
    assert!(db.store.ingest_dump(dump.as_bytes(), &far).is_ok());

    // A dump of relative times only (Android 8.1 and older) has no clock of its own; in a whole bugreport, when the
    // bugreport was started stands in for it, for the refusal only (its appops section came later): no skew.
    let legacy = "== dumpstate: 2026-03-01 12:00:00\n[persist.sys.timezone]: [Asia/Shanghai]\n\
                  DUMP OF SERVICE appops:\nCurrent AppOps Service state:\n  Uid u0a87:\n    Package org.example:\n\
                  \x20     CAMERA: mode=0; time=+1m0s0ms ago\n";
    check(
        legacy,
        true,
        &[
            (dump_as_utc + 37 * h, None, false),
            (dump_as_utc + 39 * h, None, true),
            (dump_as_utc - 8 * h + 23 * h, Some("Asia/Shanghai"), false),
            (dump_as_utc - 8 * h + 25 * h, Some("Asia/Shanghai"), true),
        ],
    );
    assert!(message(3 * 365 * 24 * h, true).starts_with("the bugreport was started about 1095 days before"));
    // The same text without its bugreport header has no clock at all: nothing to check.
    let plain = &legacy[legacy.find("Current").expect("the op state")..];
    assert!(db.store.ingest_dump(plain.as_bytes(), &opts(dump_as_utc + 1000 * h, None)).is_ok());
    // Only a dump of relative times stands the start in for its clock: a bugreport whose appops section prints only
    // discrete accesses (local times, dated by the zone), or nothing at all, is not refused for it.
    let discrete_only =
        "== dumpstate: 2026-03-01 12:00:00\nDUMP OF SERVICE appops:\nDiscrete accesses: \n  Uid: 10123\n\
                         \x20   Package: org.example\n      CAMERA\n        Attribution: null\n\
                         \x20         Access [top-s] at 2026-03-01 11:00:00.000\n";
    let nothing = "== dumpstate: 2026-03-01 12:00:00\nDUMP OF SERVICE other:\n  nothing of AppOps\n";
    for text in [discrete_only, nothing] {
        let far = opts(dump_as_utc + 1000 * h, Some("Asia/Shanghai"));
        let r = db.store.ingest_dump(text.as_bytes(), &far).expect("not refused");
        assert_eq!(r.clock_skew_ms, None);
    }
}

/// A release may give an op another type (cell information became `location`). Stored ops take the new catalog at
/// the next ingest, also those that the new dump does not print, since queries read an op's type from the table.
#[test]
fn stored_ops_take_the_catalog_of_the_build_that_ingests() {
    let db = Db::new("catalog");
    let input = real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt");
    db.store.ingest_dump(&input[..], &opts("Europe/Berlin", 1_648_589_274_087)).expect("ingest");
    // What an older build would have stored: a type and a sensitivity since changed, for an op in the dump and for
    // one that is not.
    let c = Connection::open(db.dir.join("t.db")).expect("open");
    c.execute_batch(
        "UPDATE ops SET info_type = 'other', sensitive = 0 WHERE name = 'READ_CONTACTS';
         INSERT INTO ops (name, info_type, sensitive) VALUES ('READ_CELL_INFO', 'phone_identity', 0);",
    )
    .expect("old catalog");
    drop(c);
    let other = appops_get(&[("WAKE_LOCK", 5_000)]);
    let o = IngestOptions { package: Some("com.example.other".into()), ..opts("Europe/Berlin", 1_648_589_274_087) };
    db.store.ingest_dump(other.as_bytes(), &o).expect("ingest");
    let row = |name: &str| {
        db.query("SELECT info_type, sensitive FROM ops WHERE name = ?1", [name], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
    };
    assert_eq!(row("READ_CONTACTS"), [("contacts".to_owned(), 1)]);
    assert_eq!(row("READ_CELL_INFO"), [("location".to_owned(), 1)]);
    assert_eq!(row("WAKE_LOCK"), [("background_run".to_owned(), 0)]);
}

/// A real `appops get` from a Hytera Android 11 device prints two ops whose last access time is 0 (never) as
/// `time=+20166d8h20m24s861ms ago`: 1970-01-01T00:00Z from its capture. Those are not accesses; the two real ones
/// are stored.
#[test]
fn a_time_of_zero_is_not_an_access_in_1970() {
    let db = Db::new("epoch");
    let input = real("hfreeman2008-android_core_framework__appops_get_systemui_hytera_android11_2025.txt");
    let captured = "2025-03-19T08:20:24.861Z".parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    let o = IngestOptions { package: Some("com.android.systemui".into()), ..opts("Asia/Shanghai", captured) };
    let r = db.store.ingest_dump(&input[..], &o).expect("ingest");
    assert_eq!((r.new_events, r.undatable_events), (2, 2));
    assert_eq!(db.count("SELECT count(*) FROM events WHERE t < 1199145600000"), 0);
    assert_eq!(db.count("SELECT count(*) FROM events"), 2);
    // The earliest instant kept is 2008-01-01T00:00Z, a millisecond before it is not.
    let at = |ms: i64| appops_get(&[("CAMERA", captured - ms)]);
    let o = IngestOptions { package: Some("com.example.old".into()), ..opts("Asia/Shanghai", captured) };
    let r = db.store.ingest_dump(at(1_199_145_600_000).as_bytes(), &o).expect("ingest");
    assert_eq!((r.new_events, r.undatable_events), (1, 0));
    let r = db.store.ingest_dump(at(1_199_145_599_999).as_bytes(), &o).expect("ingest");
    assert_eq!((r.new_events, r.undatable_events), (0, 1));
}

/// A last access whose relative time is a misprint keeps its local time. Without a zone that needs the dump's own
/// "now", known only at the end of the dump: it is held back and dated then, as `opsight parse` dates it (capture
/// instant − the dump's "now" + its local time), with the capture instant's precision; not counted as undatable.
#[test]
fn a_last_access_with_a_misprinted_relative_time_is_dated_by_the_dumps_own_now() {
    let db = Db::new("misprint");
    let dump = "Current AppOps Service state:\n  Uid u0a5:\n    Package com.example.app:\n      CAMERA (allow):\n\
                \x20       Access: [top-s] 2022-03-29 23:00:00.000 (-27m54s87ms)\n      READ_SMS (allow):\n\
                \x20       Access: [top-s] 2022-03-29 22:00:00.000 (-1h27m5x4s87ms)\n";
    let snap = opsight_core::Snapshot::parse(dump.as_bytes());
    let sms = &snap.uids[0].packages[0].ops[1].events[0];
    assert_eq!((sms.relative_ms, sms.time_local.is_some()), (None, true), "the misprint this test is about");
    let cap = 1_648_589_274_087; // 2022-03-29T21:27:54.087Z: the dump's own "now" (23:27:54.087) in UTC+2
    let o = |captured_at_ms| IngestOptions { captured_at_ms: Some(captured_at_ms), ..IngestOptions::default() };
    let r = db.store.ingest_dump(dump.as_bytes(), &o(cap)).expect("ingest");
    assert_eq!((r.new_events, r.undatable_events), (2, 0));
    let sms_at: Vec<(i64, Option<i64>)> = db.query(
        "SELECT t, precision_ms FROM events JOIN ops ON ops.id = (stream_id >> 20) & 4095 WHERE ops.name = 'READ_SMS'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    );
    assert_eq!(sms_at, [(1_648_584_000_000, Some(2_000))], "22:00 local, 1 h 27 min 54.087 s before the capture");
    // A capture instant a second off (a repeat ingest) matches both within the tolerance: nothing new.
    let again = db.store.ingest_dump(dump.as_bytes(), &o(cap + 1_000)).expect("ingest");
    assert_eq!((again.new_events, again.known_events), (0, 2));
}

/// The SQLite history's rows print a local time and no relative one. Without a zone their instants need the dump's
/// own "now" (docs/time.md, rule 3), known only at the end of the dump: they are stored then, as `opsight parse`
/// dates them, not counted as undatable.
#[test]
fn history_rows_without_a_zone_are_dated_by_the_dumps_own_now() {
    let db = Db::new("history-rows");
    let input = fixture("synthetic/android16_sqlite_last_hour.txt");
    let capture = "2026-03-01T02:00:00Z".parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    let o = IngestOptions { captured_at_ms: Some(capture), ..IngestOptions::default() };
    let r = db.store.ingest_dump(&input[..], &o).expect("ingest");
    assert_eq!((r.history_entries, r.undatable_events), (1, 0));
    // The row's 09:59 is a minute before the dump's own 10:00, so a minute before the capture instant.
    let begin: i64 = db.value("SELECT begin_ms FROM history_buckets");
    assert_eq!(begin, capture - 60_000);
}

/// A proxied access of a discrete op (a camera used through cameraserver, `tpd`) prints its proxy on the
/// last-access line but none in the discrete history. The two are still the same access, in either order of
/// arrival: one event, at the exact instant, with its proxy.
#[test]
fn a_proxied_access_and_its_discrete_record_are_one_access() {
    let state = "Current AppOps Service state:\n  Uid u0a50:\n    state=top\n    Package com.ex:\n      CAMERA (allow):\n\
                 \x20       null=[\n          Access: [top-tpd] 2024-05-01 10:00:12.345 (-59m47s655ms) duration=+30s0ms \
                 proxy[uid=1047, pkg=cameraserver, attributionTag=null]\n        ]\n";
    let discrete = "Discrete accesses: \n  Largest chain id: 0\n  Uid: 10050\n    Package: com.ex\n      CAMERA\n\
                    \x20       Attribution: null\n          Access [top-tpd] at 2024-05-01 10:00:00.000 for 60000 milliseconds \n";
    let capture = "2024-05-01T03:00:00Z".parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    let exact = "2024-05-01T02:00:12.345Z".parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    let events = |db: &Db| {
        db.query("SELECT e.t, s.proxy_package FROM events e JOIN streams s ON s.id = e.stream_id", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
    };
    // Both in one dump.
    let db = Db::new("proxied-one");
    db.store.ingest_dump(format!("{state}{discrete}").as_bytes(), &opts("Asia/Shanghai", capture)).expect("ingest");
    assert_eq!(events(&db), [(exact, "cameraserver".to_owned())]);
    // The discrete record first (a dump of the discrete history alone), the last access later.
    let db = Db::new("proxied-later");
    db.store
        .ingest_dump(state.replace("CAMERA", "WAKE_LOCK").as_bytes(), &opts("Asia/Shanghai", capture - 5_000))
        .expect("an earlier dump, so that the app is known");
    db.store.ingest_dump(discrete.as_bytes(), &opts("Asia/Shanghai", capture - 1_000)).expect("discrete");
    db.store.ingest_dump(state.as_bytes(), &opts("Asia/Shanghai", capture)).expect("state");
    let camera: Vec<(i64, String)> = db.query(
        "SELECT e.t, s.proxy_package FROM events e JOIN streams s ON s.id = e.stream_id JOIN ops o ON o.id = s.op_id \
         WHERE o.name = 'CAMERA'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    );
    assert_eq!(camera, [(exact, "cameraserver".to_owned())]);
}

/// The dump's wall-clock "now" is an hour off when its nearest event came before a DST change (20 March, CET) and
/// the dump after it (29 March, CEST): the device clock read 12:00, the pair says 11:00. With the zone, the "now" as
/// an instant comes from that event's own instant, so a right capture instant shows no clock skew.
#[test]
fn a_dst_change_between_the_nearest_event_and_the_dump_is_no_clock_skew() {
    let db = Db::new("dst-now");
    let dump = "Current AppOps Service state:\n  Uid u0a123:\n    state=top\n    Package com.example:\n      CAMERA (allow):\n\
                \x20       null=[\n          Access: [top-s] 2022-03-20 12:00:00.000 (-8d23h0m0s0ms)\n        ]\n";
    let capture = "2022-03-29T10:00:00Z".parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    let r = db.store.ingest_dump(dump.as_bytes(), &opts("Europe/Berlin", capture)).expect("ingest");
    assert_eq!(r.clock_skew_ms, Some(0));
    let snap = opsight_core::Snapshot::parse(dump.as_bytes());
    assert_eq!(snap.summary.dump_time_local.map(|l| l.to_string()).as_deref(), Some("2022-03-29 11:00:00.000"));
    assert_eq!(snap.summary.dump_time_nearest_relative_ms, Some(-(8 * 24 + 23) * 3_600_000));
}

/// A grid cell as compared: (day, hour, foreground, background, unknown, reject, mark).
type CellView = (usize, Option<u8>, u64, u64, u64, u64, String);

/// The grid's cells of one type.
fn grid_cells(grid: &opsight_core::store::TimelineGrid, info: &str) -> Vec<CellView> {
    let row = grid.rows.iter().find(|r| r.info_type.as_str() == info).expect("a row of that type");
    row.cells
        .iter()
        .map(|c| {
            let mark = serde_json::to_value(c.mark).expect("json").as_str().unwrap_or_default().to_owned();
            (c.day, c.hour, c.foreground, c.background, c.unknown_state, c.reject, mark)
        })
        .collect()
}

#[test]
fn the_grid_counts_an_access_once_per_type_and_instant_in_its_local_hour() {
    const MIN: i64 = 60_000;
    const HOUR: i64 = 3_600_000;
    let db = Db::new("grid");
    // 2026-01-05 09:00 UTC is 10:00 in Berlin, 17:00 in Shanghai. One location fix noted as two ops in two states
    // (one access, in the background); a refused contacts read; a camera access the next day; and one of another app.
    let t = T0 + 4 * 86_400_000 + 9 * HOUR;
    let at = |app, op, state, reject, utc| Access { app, op, state, reject, utc };
    let history = [
        at(1, "FINE_LOCATION", "top", false, t),
        at(1, "COARSE_LOCATION", "bg", false, t),
        at(1, "READ_CONTACTS", "cch", true, t + 5 * MIN),
        at(1, "CAMERA", "top", false, t + 86_400_000),
        at(0, "CAMERA", "bg", false, t),
    ];
    let now = t + 86_400_000 + HOUR;
    db.store
        .ingest_dump(dump_at(&history, now, "Europe/Berlin").as_bytes(), &opts("Europe/Berlin", now))
        .expect("ingest");
    let grid = db.store.timeline_grid("com.autonavi.minimap", "2026-01-07", 7, "Europe/Berlin").expect("grid");
    assert_eq!(grid.days.first().map(String::as_str), Some("2026-01-01"));
    assert_eq!(grid.days.len(), 7);
    // Rows in the catalog's order; the other app's camera is not here.
    let types: Vec<&str> = grid.rows.iter().map(|r| r.info_type.as_str()).collect();
    assert_eq!(types, ["location", "contacts", "camera"]);
    assert_eq!(grid_cells(&grid, "location"), [(4, Some(10), 0, 1, 0, 0, "background".into())]);
    assert_eq!(grid_cells(&grid, "contacts"), [(4, Some(10), 0, 0, 0, 1, "reject_only".into())]);
    assert_eq!(grid_cells(&grid, "camera"), [(5, Some(10), 1, 0, 0, 0, "foreground".into())]);
    let location = &grid.rows[0];
    assert_eq!((location.access, location.background, location.foreground, location.reject), (1, 1, 0, 0));
    // The same accesses on Shanghai's clock; a range that ends before the camera day leaves it out.
    let shanghai = db.store.timeline_grid("com.autonavi.minimap", "2026-01-05", 1, "Asia/Shanghai").expect("grid");
    assert_eq!(shanghai.days, ["2026-01-05"]);
    assert_eq!(grid_cells(&shanghai, "location"), [(0, Some(17), 0, 1, 0, 0, "background".into())]);
    assert!(shanghai.rows.iter().all(|r| r.info_type.as_str() != "camera"));
    // An unknown app has no rows; bad arguments are refused.
    assert!(db.store.timeline_grid("com.example.none", "2026-01-07", 7, "UTC").expect("grid").rows.is_empty());
    for (day, days, zone) in [
        ("2026-01-07", 7, "Mars/Olympus"),
        ("2026-13-01", 7, "UTC"),
        ("2026-01-07", 0, "UTC"),
        ("2026-01-07", 367, "UTC"),
        ("-009999-01-01", 2, "UTC"),
        ("0001-01-02", 3, "UTC"),
        ("9999-12-31", 1, "UTC"),
    ] {
        let err = db.store.timeline_grid("com.autonavi.minimap", day, days, zone).expect_err("refused");
        assert!(matches!(err, opsight_core::Error::InvalidInput(_)), "{day} {days} {zone}: {err}");
    }
    let earliest = db.store.timeline_grid("com.autonavi.minimap", "0001-01-02", 2, "UTC").expect("the first year");
    assert_eq!(earliest.days, ["0001-01-01", "0001-01-02"]);
}

#[test]
fn the_grid_follows_wall_clock_hours_across_dst_changes() {
    const HOUR: i64 = 3_600_000;
    // Berlin 2026-03-29: 02:00 is skipped (00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST). 2026-10-25: 02:00–03:00
    // comes twice (00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET): both in hour 2.
    let spring = 1_774_744_200_000; // 2026-03-29T00:30:00Z
    let autumn = 1_792_888_200_000; // 2026-10-25T00:30:00Z
    for (day, first, want) in [("2026-03-29", spring, [1u8, 3]), ("2026-10-25", autumn, [2, 2])] {
        let db = Db::new("grid-dst");
        let at = |op, utc| Access { app: 2, op, state: "top", reject: false, utc };
        let history = [at("CAMERA", first), at("RECORD_AUDIO", first + HOUR)];
        let now = first + 3 * HOUR;
        db.store
            .ingest_dump(dump_at(&history, now, "Europe/Berlin").as_bytes(), &opts("Europe/Berlin", now))
            .expect("ingest");
        let grid = db.store.timeline_grid("com.tmall.wireless", day, 1, "Europe/Berlin").expect("grid");
        assert_eq!(grid_cells(&grid, "camera")[0].1, Some(want[0]), "{day}");
        assert_eq!(grid_cells(&grid, "microphone")[0].1, Some(want[1]), "{day}");
    }
}

#[test]
fn the_grid_keeps_what_retention_rolled_up() {
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 86_400_000;
    let db = Db::new("grid-retention");
    let t = T0 + 10 * DAY + 9 * HOUR; // 2026-01-11 09:00 UTC
    let at = |op, state, utc| Access { app: 0, op, state, reject: false, utc };
    // A fix as two ops, in the background, twice in one hour; a foreground camera access; a day later, one more.
    let history = [
        at("FINE_LOCATION", "bg", t),
        at("COARSE_LOCATION", "bg", t),
        at("GPS", "bg", t + 600_000),
        at("CAMERA", "top", t + 1_200_000),
        at("READ_SMS", "fg", t + 40 * DAY),
    ];
    for (i, a) in history.iter().enumerate() {
        // One dump per access, so that each is stored (a dump shows only the last access per key).
        let now = a.utc + 60_000;
        db.store.ingest_dump(dump_at(&history[..=i], now, "UTC").as_bytes(), &opts("UTC", now)).expect("ingest");
    }
    let raw = db.store.timeline_grid("com.tencent.qqmusic", "2026-01-11", 1, "UTC").expect("grid");
    assert_eq!(grid_cells(&raw, "location"), [(0, Some(9), 0, 2, 0, 0, "background".into())]);
    // As of 30 days later, raw events are kept 20 days: the accesses of the 11th become hourly counts.
    db.store.apply_retention(RetentionPolicy { raw_days: 20, hourly_days: 40 }, t + 30 * DAY).expect("retention");
    let hourly = db.store.timeline_grid("com.tencent.qqmusic", "2026-01-11", 1, "UTC").expect("grid");
    // Per op per hour: FINE 1, COARSE 1, GPS 1 of the two instants: the type's count is its largest op's.
    assert_eq!(grid_cells(&hourly, "location"), [(0, Some(9), 0, 1, 0, 0, "background".into())]);
    assert_eq!(grid_cells(&hourly, "camera"), [(0, Some(9), 1, 0, 0, 0, "foreground".into())]);
    // As of 50 days later, hourly counts are kept 20 days: those of the 11th become a daily count (a UTC day).
    db.store.apply_retention(RetentionPolicy { raw_days: 20, hourly_days: 20 }, t + 50 * DAY).expect("retention");
    let daily = db.store.timeline_grid("com.tencent.qqmusic", "2026-01-11", 1, "Asia/Shanghai").expect("grid");
    assert_eq!(
        grid_cells(&daily, "camera"),
        [(0, None, 1, 0, 0, 0, "foreground".into())],
        "UTC noon: the 11th in Shanghai"
    );
    let sms = db.store.timeline_grid("com.tencent.qqmusic", "2026-02-20", 1, "UTC").expect("grid");
    assert_eq!(grid_cells(&sms, "sms"), [(0, Some(9), 1, 0, 0, 0, "foreground".into())], "still raw");
}

#[test]
fn the_app_list_puts_the_newest_sensitive_access_first_then_names_as_read() {
    let db = Db::new("app-order");
    let at = |app, op, utc| Access { app, op, state: "top", reject: false, utc };
    // Tmall read contacts last, QQ Music before it; Amap only held a wake lock (not sensitive).
    let history = [at(0, "READ_CONTACTS", T0), at(2, "READ_CONTACTS", T0 + 60_000), at(1, "WAKE_LOCK", T0 + 120_000)];
    let now = T0 + 3_600_000;
    db.store.ingest_dump(dump_at(&history, now, "UTC").as_bytes(), &opts("UTC", now)).expect("ingest");
    let inv = r#"{"opsight_inventory": 1, "packages": [
        {"package": "com.autonavi.minimap", "label": "amap", "requested_permissions": [], "granted_permissions": []},
        {"package": "org.b.quiet", "label": "Alipay", "requested_permissions": [], "granted_permissions": []},
        {"package": "com.z.unlabelled", "label": " ", "requested_permissions": [], "granted_permissions": []}]}"#;
    db.store.ingest_packages(inv).expect("inventory");
    let order: Vec<String> = db.store.apps().expect("apps").into_iter().map(|a| a.package).collect();
    // Without a sensitive access: "Alipay", "amap" (letter case aside), then a blank label read as its package.
    assert_eq!(
        order,
        ["com.tmall.wireless", "com.tencent.qqmusic", "org.b.quiet", "com.autonavi.minimap", "com.z.unlabelled"]
    );
}

#[test]
fn a_refusal_printed_instead_of_a_dump_is_no_appops_text() {
    let db = Db::new("no-appops-text");
    let at = T0 + 40 * 3_600_000;
    let denial = b"Permission Denial: can't dump AppOps Service from from pid=1234, uid=10123\n";
    let report = db.store.ingest_dump(&denial[..], &opts("UTC", at)).expect("accepted");
    assert!(report.no_appops_text && report.new_events == 0, "{report:?}");
    // A dump with its events, and an AppOps dump of a phone with no app entries yet, are AppOps text.
    let dump = dump_at(&scenario(), at, "UTC");
    let report = db.store.ingest_dump(dump.as_bytes(), &opts("UTC", at)).expect("ingest");
    assert!(!report.no_appops_text && report.new_events > 0, "{report:?}");
    let empty =
        b"Current AppOps Service state:\n  Settings:\n    top_state_settle_time=+30s0ms\n  Uid 1000:\n    state=pers\n";
    let report = db.store.ingest_dump(&empty[..], &opts("UTC", at)).expect("ingest");
    assert!(!report.no_appops_text, "{report:?}");
}
