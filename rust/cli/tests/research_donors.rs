//! Generates donation bundles of many donors with known truth, for `tests/research/check.sh` (DuckDB and Spark).
//! Ignored by default; the script runs it with
//!
//! ```text
//! OPSIGHT_RESEARCH_OUT=DIR [OPSIGHT_RESEARCH_DONORS=1000] cargo test -p opsight-cli --test research_donors -- --ignored
//! ```
//!
//! Each donor is a phone: a fresh store, Android 11 `dumpsys appops` text written here (a few apps from a fixed
//! list with known categories, accesses and foreground/background states drawn from the donor's index), ingested
//! through the normal API, then exported with the study manifest through `Store::export_donation`, exactly as a
//! donor's `opsight donate --out` does. The expected answers of the three queries of docs/research.md are computed
//! here from the generated accesses, not from the bundles: `DIR/truth.json`. Writes `DIR/bundles/donor-NNNN.json`
//! and `DIR/manifest.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use opsight_core::analysis::PolicyPack;
use opsight_core::store::IngestOptions;
use opsight_core::Store;
use serde_json::{json, Value};

/// The study; docs/research.md's queries name it.
const STUDY_ID: &str = "sensitive-access-2027";
const FIRST_DAY: (i16, i8, i8) = (2027, 3, 1);
const DAYS: i64 = 7;
const INFO_TYPES: [&str; 5] = ["location", "contacts", "sms", "clipboard", "microphone"];

struct Op {
    name: &'static str,
    /// The op catalog's type (checked against the catalog below).
    info_type: &'static str,
}

const OPS: [Op; 8] = [
    Op { name: "FINE_LOCATION", info_type: "location" },
    Op { name: "COARSE_LOCATION", info_type: "location" },
    Op { name: "READ_CONTACTS", info_type: "contacts" },
    Op { name: "READ_SMS", info_type: "sms" },
    Op { name: "READ_CLIPBOARD", info_type: "clipboard" },
    Op { name: "RECORD_AUDIO", info_type: "microphone" },
    // Not asked for by the study: never in a bundle.
    Op { name: "CAMERA", info_type: "camera" },
    Op { name: "READ_CALL_LOG", info_type: "call_log" },
];

struct App {
    package: &'static str,
    /// The category the policy pack's curated list gives it (`unknown` when it has none), and what that category
    /// needs among the study's types: written out here so the truth does not come from the code under test
    /// (checked against the pack below).
    category: &'static str,
    needs: &'static [&'static str],
    /// Percent of donors who have it.
    installed: u64,
    /// (op index, percent of days with accesses, most accesses on such a day).
    behaviour: &'static [(usize, u64, u64)],
    /// Percent of accesses in the background (`bg`/`cch`; otherwise `top`/`fgsvc`).
    background: u64,
}

const APPS: [App; 14] = [
    App {
        package: "com.tencent.qqmusic",
        category: "online_video_music",
        needs: &[],
        installed: 60,
        behaviour: &[(2, 40, 3), (5, 10, 1)],
        background: 70,
    },
    App {
        package: "com.autonavi.minimap",
        category: "map_navigation",
        needs: &["location"],
        installed: 55,
        behaviour: &[(0, 70, 5), (2, 3, 1)],
        background: 30,
    },
    App {
        package: "com.baidu.BaiduMap",
        category: "map_navigation",
        needs: &["location"],
        installed: 35,
        behaviour: &[(1, 60, 4), (4, 8, 2)],
        background: 20,
    },
    App {
        package: "com.sdu.didi.psnger",
        category: "ride_hailing",
        needs: &["location"],
        installed: 40,
        behaviour: &[(0, 40, 3), (2, 10, 1)],
        background: 15,
    },
    App {
        package: "com.tmall.wireless",
        category: "online_shopping",
        needs: &[],
        installed: 50,
        behaviour: &[(4, 50, 4), (1, 30, 2)],
        background: 40,
    },
    App {
        package: "org.example.loans",
        category: "unknown",
        needs: &[],
        installed: 15,
        behaviour: &[(3, 60, 6), (2, 40, 3), (7, 30, 2)],
        background: 90,
    },
    App {
        package: "com.jifen.qukan",
        category: "news",
        needs: &[],
        installed: 30,
        behaviour: &[(4, 80, 6)],
        background: 50,
    },
    App {
        package: "com.tencent.mm",
        category: "instant_messaging",
        needs: &[],
        installed: 90,
        behaviour: &[(6, 60, 3), (5, 20, 2)],
        background: 5,
    },
    App {
        package: "com.eg.android.AlipayGphone",
        category: "online_payment",
        needs: &[],
        installed: 80,
        behaviour: &[(6, 50, 2), (1, 15, 1)],
        background: 25,
    },
    App {
        package: "com.ss.android.ugc.aweme",
        category: "short_video",
        needs: &[],
        installed: 65,
        behaviour: &[(5, 25, 2), (0, 20, 2)],
        background: 35,
    },
    App {
        package: "com.sankuai.meituan",
        category: "food_delivery",
        needs: &[],
        installed: 45,
        behaviour: &[(0, 35, 2)],
        background: 10,
    },
    App {
        package: "com.qq.reader",
        category: "ebooks",
        needs: &[],
        installed: 20,
        behaviour: &[(4, 30, 2), (6, 5, 1)],
        background: 60,
    },
    App {
        package: "org.example.flashlight",
        category: "unknown",
        needs: &[],
        installed: 25,
        behaviour: &[(0, 30, 2), (2, 20, 1)],
        background: 80,
    },
    App {
        package: "com.kugou.android",
        category: "online_video_music",
        needs: &[],
        installed: 30,
        behaviour: &[(5, 30, 2)],
        background: 50,
    },
];

const ZONES: [&str; 3] = ["Asia/Shanghai", "Europe/Berlin", "America/New_York"];

/// splitmix64: a small deterministic generator, seeded by the donor's index.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One generated access or refused attempt, in device-local time.
#[derive(Debug, Clone)]
struct Access {
    app: usize,
    op: usize,
    state: &'static str,
    /// Days after the study's first day (-1: the day before the study).
    day: i64,
    hour: i8,
    minute: i8,
    second: i8,
    reject: bool,
}

impl Access {
    fn background(&self) -> bool {
        matches!(self.state, "bg" | "cch")
    }
    fn local(&self) -> jiff::civil::DateTime {
        let first = jiff::civil::date(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2);
        first.checked_add(jiff::Span::new().days(self.day)).expect("date").at(self.hour, self.minute, self.second, 0)
    }
}

struct Donor {
    zone: &'static str,
    accesses: Vec<Access>,
    /// Packages the donor leaves out with --exclude.
    excluded: Vec<&'static str>,
}

fn donor(index: u64) -> Donor {
    let mut rng = Rng(0x0b5e_c0de ^ index.wrapping_mul(0x1000_0000_01b3));
    let zone = ZONES[(index % ZONES.len() as u64) as usize];
    let mut accesses = Vec::new();
    for (a, app) in APPS.iter().enumerate() {
        if !rng.percent(app.installed) {
            continue;
        }
        for (b, &(op, days_percent, most)) in app.behaviour.iter().enumerate() {
            for day in -1..DAYS {
                if !rng.percent(days_percent) {
                    continue;
                }
                let n = 1 + rng.below(most);
                for j in 0..n as i64 {
                    let state = if rng.percent(app.background) {
                        ["bg", "cch"][rng.below(2) as usize]
                    } else {
                        ["top", "fgsvc"][rng.below(2) as usize]
                    };
                    // Distinct hours for the accesses of one app, op and day: one dump per hour shows each once.
                    let hour = ((3 * j + a as i64 + 7 * b as i64 + day + 24) % 24) as i8;
                    accesses.push(Access {
                        app: a,
                        op,
                        state,
                        day,
                        hour,
                        minute: rng.below(60) as i8,
                        second: (j as i8) * 7,
                        reject: false,
                    });
                }
            }
        }
        // The loan app retries SMS after being refused: refused attempts are not accesses.
        if app.package == "org.example.loans" {
            let hour = (a as i64 % 3 + 1) as i8;
            accesses.push(Access { app: a, op: 3, state: "bg", day: 2, hour, minute: 5, second: 1, reject: true });
        }
    }
    let excluded = if index % 25 == 3 { vec!["org.example.loans"] } else { Vec::new() };
    Donor { zone, accesses, excluded }
}

/// `-1h0m0s0ms`-style relative time, as Android prints it.
fn relative(ms: i64) -> String {
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("-{h}h{m}m{s}s{ms}ms")
    } else {
        format!("-{m}m{s}s{ms}ms")
    }
}

/// Android 11 dumps: the n-th dump shows the n-th access of every stream (app, op, state, access or refusal), as
/// a last-access snapshot taken a minute after the latest of them. A real phone would show newer accesses of the
/// other streams too; the store keeps a set of instants, so the timeline is the same and far fewer dumps are needed.
fn dumps(d: &Donor) -> Vec<(i64, String)> {
    let zone = jiff::tz::TimeZone::get(d.zone).expect("zone");
    let utc = |a: &Access| a.local().to_zoned(zone.clone()).expect("zoned").timestamp().as_millisecond();
    let mut streams: BTreeMap<(usize, usize, &str, bool), Vec<&Access>> = BTreeMap::new();
    for a in &d.accesses {
        streams.entry((a.app, a.op, a.state, a.reject)).or_default().push(a);
    }
    for s in streams.values_mut() {
        s.sort_by_key(|a| utc(a));
    }
    let n = streams.values().map(Vec::len).max().unwrap_or(0);
    (0..n)
        .map(|k| {
            let shown: Vec<&Access> = streams.values().filter_map(|s| s.get(k).copied()).collect();
            let captured = shown.iter().map(|a| utc(a)).max().unwrap_or(0) + 60_000;
            let mut by_app: BTreeMap<usize, BTreeMap<usize, Vec<&Access>>> = BTreeMap::new();
            for a in shown {
                by_app.entry(a.app).or_default().entry(a.op).or_default().push(a);
            }
            let mut text = String::from("Current AppOps Service state:\n");
            for (app, ops) in by_app {
                text.push_str(&format!("  Uid u0a{}:\n    Package {}:\n", 100 + app, APPS[app].package));
                for (op, lines) in ops {
                    text.push_str(&format!("      {} (allow):\n        null=[\n", OPS[op].name));
                    for a in lines {
                        let kind = if a.reject { "Reject" } else { "Access" };
                        let local = a.local().strftime("%Y-%m-%d %H:%M:%S%.3f");
                        text.push_str(&format!(
                            "          {kind}: [{}-s] {local} ({})\n",
                            a.state,
                            relative(captured - utc(a))
                        ));
                    }
                    text.push_str("        ]\n");
                }
            }
            (captured, text)
        })
        .collect()
}

fn manifest() -> Value {
    let last = jiff::civil::date(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2)
        .checked_add(jiff::Span::new().days(DAYS - 1))
        .expect("date");
    json!({
        "study_id": STUDY_ID,
        "title": "Sensitive access by everyday apps",
        "researcher": "Dr. Researcher, Example University",
        "contact": "privacy-study@example.org",
        "purpose": "Measure which apps read information their kind of app does not need, and how often in the background",
        "info_types": INFO_TYPES,
        "granularity": "day",
        "level": "daily_counts",
        "app_identity": "package",
        "from": format!("{:04}-{:02}-{:02}", FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2),
        "to": last.to_string(),
        "min_count": 1,
        "retention": "two years after publication",
        "background": true
    })
}

/// The expected rows of one donor, from the generated accesses: (day, package) → info type → (count, background).
type Rows = BTreeMap<(i64, &'static str), BTreeMap<&'static str, (u64, u64)>>;

fn expected_rows(d: &Donor) -> Rows {
    let mut rows: Rows = BTreeMap::new();
    for a in &d.accesses {
        let info = OPS[a.op].info_type;
        let package = APPS[a.app].package;
        if a.reject || !(0..DAYS).contains(&a.day) || !INFO_TYPES.contains(&info) || d.excluded.contains(&package) {
            continue;
        }
        let e = rows.entry((a.day, package)).or_default().entry(info).or_default();
        e.0 += 1;
        e.1 += u64::from(a.background());
    }
    rows
}

fn export(index: u64, d: &Donor, work: &Path, manifest: &str) -> Vec<u8> {
    let dir = work.join(format!("donor-{index}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("donor dir");
    let store = Store::open(dir.join("phone.db")).expect("open");
    for (captured, text) in dumps(d) {
        let opts = IngestOptions {
            zone: Some(d.zone.to_owned()),
            captured_at_ms: Some(captured),
            source: "file".into(),
            ..IngestOptions::default()
        };
        let report = store.ingest_dump(text.as_bytes(), &opts).expect("ingest");
        assert!(!report.truncated && report.undatable_events == 0, "donor {index}: {report:?}");
    }
    // As a donor does: with the review code of the preview just read.
    let reviewed = store.donation_preview(manifest, None).expect("preview").review_code;
    let exclusions = json!({ "packages": d.excluded, "reviewed": reviewed }).to_string();
    let bundle = store.export_donation(manifest, &exclusions, None).expect("export");
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    bundle
}

/// The three answers of docs/research.md for the generated donors.
fn truth(donors: &[Donor]) -> Value {
    let mut apps_per_category: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut per_type: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut per_app: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let (mut rows, mut accesses) = (0u64, 0u64);
    for d in donors {
        let expected = expected_rows(d);
        let mut types_of_app: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for ((_, package), types) in &expected {
            for (info, (count, background)) in types {
                rows += 1;
                accesses += count;
                types_of_app.entry(package).or_default().insert(info);
                let t = per_type.entry(info).or_default();
                t.0 += count;
                t.1 += background;
                per_app.entry(package).or_default().0 += count;
            }
        }
        for (package, types) in types_of_app {
            per_app.entry(package).or_default().1 += 1;
            let app = APPS.iter().find(|a| a.package == package).expect("app");
            if app.category == "unknown" {
                continue;
            }
            let c = apps_per_category.entry(app.category).or_default();
            c.0 += 1;
            c.1 += u64::from(types.iter().any(|t| !app.needs.contains(t)));
        }
    }
    let out_of_scope: Vec<Value> = apps_per_category
        .iter()
        .map(|(category, (apps, out))| {
            json!({"category": category, "apps": apps, "apps_out_of_scope": out, "share": *out as f64 / *apps as f64})
        })
        .collect();
    let background: Vec<Value> = per_type
        .iter()
        .map(|(info, (count, bg))| {
            json!({"info_type": info, "accesses": count, "background": bg, "background_share": *bg as f64 / *count as f64})
        })
        .collect();
    let mut top: Vec<(&str, u64, u64)> = per_app.iter().map(|(p, (n, donors))| (*p, *n, *donors)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<Value> = top
        .iter()
        .take(10)
        .map(|(p, n, donors)| {
            let category = APPS.iter().find(|a| a.package == *p).map_or("unknown", |a| a.category);
            json!({"app": p, "category": category, "accesses": n, "donors": donors})
        })
        .collect();
    json!({
        "study_id": STUDY_ID,
        "donors": donors.len(),
        "rows": rows,
        "accesses": accesses,
        "out_of_scope_share": out_of_scope,
        "background_share": background,
        "top_apps": top,
    })
}

/// The hand-written categories and needs agree with the policy pack and the op catalog, so a change there fails
/// here first instead of as a wrong number in DuckDB.
fn check_tables() {
    let pack = PolicyPack::embedded();
    for app in &APPS {
        let curated = pack.curated(app.package).map_or("unknown", |c| c.category);
        assert_eq!(curated, app.category, "{}", app.package);
        if let Some(c) = pack.category(app.category) {
            let needs: BTreeSet<&str> =
                c.necessary_info_types.iter().map(|t| t.as_str()).filter(|t| INFO_TYPES.contains(t)).collect();
            assert_eq!(needs, app.needs.iter().copied().collect(), "{}", app.category);
        }
    }
    for op in &OPS {
        assert_eq!(opsight_core::ops::info_type(op.name).as_str(), op.info_type, "{}", op.name);
    }
}

#[test]
#[ignore = "generates the donors of tests/research/check.sh; run it with OPSIGHT_RESEARCH_OUT=DIR"]
fn generate_donors() {
    let Some(out) = std::env::var_os("OPSIGHT_RESEARCH_OUT").map(PathBuf::from) else {
        panic!("set OPSIGHT_RESEARCH_OUT to the directory to write");
    };
    let count: u64 = std::env::var("OPSIGHT_RESEARCH_DONORS").ok().and_then(|n| n.parse().ok()).unwrap_or(1000);
    check_tables();
    let bundles = out.join("bundles");
    std::fs::create_dir_all(&bundles).expect("bundles dir");
    let work = out.join("work");
    let manifest = manifest();
    std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&manifest).expect("json")).expect("write");
    let manifest = manifest.to_string();
    let donors: Vec<Donor> = (0..count).map(donor).collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (donors, bundles, work, manifest) = (&donors, &bundles, &work, &manifest);
            s.spawn(move || {
                for (i, d) in donors.iter().enumerate().skip(t).step_by(threads) {
                    let bytes = export(i as u64, d, work, manifest);
                    std::fs::write(bundles.join(format!("donor-{i:04}.json")), bytes).expect("write bundle");
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&work);
    let truth = truth(&donors);
    std::fs::write(out.join("truth.json"), serde_json::to_vec_pretty(&truth).expect("json")).expect("write");
    eprintln!("{count} donors, {} rows, {} accesses", truth["rows"], truth["accesses"]);
}
