//! Donation: the preview shows what leaves, the export honours exclusions, and nothing outside the manifest
//! ever appears in a bundle (property test over random manifests and databases).

use std::collections::BTreeSet;

use opsight_core::analysis::PolicyPack;
use opsight_core::donate::{checksum, row_fields, Exclusions, StudyManifest};
use opsight_core::store::IngestOptions;
use opsight_core::time::LocalTime;
use opsight_core::Store;
use proptest::prelude::*;
use serde_json::{json, Value};

const ZONE: &str = "Asia/Shanghai";
const H: i64 = 3_600_000;
/// 2027-01-01 00:00 Asia/Shanghai.
const T0: i64 = 1_798_732_800_000;

const PACKAGES: [&str; 6] = [
    "com.tencent.qqmusic",
    "com.autonavi.minimap",
    "org.secret.diary",
    "com.tmall.wireless",
    "org.example.loans",
    "com.tencent.mm",
];
const OPS: [&str; 6] = ["READ_SMS", "FINE_LOCATION", "READ_CONTACTS", "CAMERA", "READ_CALL_LOG", "RECORD_AUDIO"];
const STATES: [&str; 4] = ["top", "bg", "cch", "fgsvc"];

/// Exports as a donor does: with the review code of the preview just read.
fn export(store: &Store, manifest: &str, exclusions: &str) -> opsight_core::Result<Vec<u8>> {
    let code = store.donation_preview(manifest, None)?.review_code;
    let mut x = Exclusions::from_json(exclusions)?;
    x.reviewed = Some(code);
    store.export_donation(manifest, &serde_json::to_string(&x).expect("json"), None)
}

struct Db {
    dir: std::path::PathBuf,
    store: Store,
}

impl Db {
    fn new(name: &str) -> Db {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "opsight-donate-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let store = Store::open(dir.join("t.db")).expect("open");
        store
            .ingest_packages(&format!(
                r#"{{"opsight_inventory": 1, "device": {{"label": "this-device", "manufacturer": "SecretMaker", "model": "Model-XYZ-987", "zone": "{ZONE}"}},
                   "packages": [{{"package": "org.secret.diary", "label": "My Secret Diary"}}, {{"package": "com.tencent.qqmusic", "label": "QQ音乐"}}]}}"#
            ))
            .expect("inventory");
        Db { dir, store }
    }

    /// Accesses as (app index, op index, state index, hours after T0); one dump per event, a phone's last-access view.
    fn add(&self, events: &[(usize, usize, usize, i64)]) {
        let zone = jiff::tz::TimeZone::get(ZONE).expect("zone");
        for (i, &(app, op, state, hours)) in events.iter().enumerate() {
            let t = T0 + hours * H + i as i64 * 1000;
            let local = LocalTime::from_utc_ms(t, &zone).expect("local");
            let dump = format!(
                "  Uid u0a{}:\n    Package {}:\n      {} (allow):\n        null=[\n          Access: [{}-s] {local} (-1h0m0s0ms)\n        ]\n",
                100 + app,
                PACKAGES[app],
                OPS[op],
                STATES[state]
            );
            let opts =
                IngestOptions { zone: Some(ZONE.into()), captured_at_ms: Some(t + H), ..IngestOptions::default() };
            self.store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn manifest(info_types: &[&str], granularity: &str, level: &str, identity: &str, min_count: u64) -> String {
    json!({
        "study_id": "sms-2027", "title": "SMS access in China", "researcher": "Dr. Researcher", "contact": "r@example.org",
        "purpose": "Measure SMS reads by non-messaging apps", "info_types": info_types, "granularity": granularity,
        "level": level, "app_identity": identity, "from": "2027-01-01", "to": "2027-01-07", "min_count": min_count,
        "retention": "two years"
    })
    .to_string()
}

#[test]
fn identical_rows_get_distinct_ids() {
    // Two SMS reads by one app in one hour are two rows with the same fields: each needs its own id, or excluding
    // one would exclude both.
    let db = Db::new("twins");
    db.add(&[(4, 0, 1, 2), (4, 0, 1, 2)]);
    let m = manifest(&["sms"], "hour", "events", "package", 1);
    let preview = db.store.donation_preview(&m, None).expect("preview");
    assert_eq!(preview.rows.len(), 2);
    assert_eq!(preview.rows[0].leaves, preview.rows[1].leaves);
    assert_ne!(preview.rows[0].row_id, preview.rows[1].row_id);
    let excl = format!(r#"{{"rows": ["{}"]}}"#, preview.rows[0].row_id);
    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, &excl).expect("export")).expect("json");
    assert_eq!(bundle["rows"].as_array().map(Vec::len), Some(1), "one excluded, one left");
}

#[test]
fn the_checksum_is_the_documented_rule() {
    // docs/research.md: sha256 of the bundle without `checksum`, compact, keys sorted. The expected value was
    // computed apart, with Python's hashlib over the bytes `{"a":[1,"é"],"b":{"c":null}}` (UTF-8).
    let bundle = json!({"b": {"c": null}, "checksum": "sha256:old", "a": [1, "é"]});
    assert_eq!(checksum(&bundle), "sha256:01c3d8c167a1d353c21737cbd02a86a36a16c0a567182a322942a347aa3bbac3");
}

#[test]
fn manifests_are_validated_without_echoing_them() {
    let ok = manifest(&["sms"], "day", "daily_counts", "category", 5);
    assert!(StudyManifest::from_json(&ok).is_ok());
    for id in ["study.v2_cn-2027".to_owned(), "s".repeat(64)] {
        assert!(StudyManifest::from_json(&ok.replace("sms-2027", &id)).is_ok(), "{id}");
    }
    for (bad, why) in [
        (manifest(&[], "day", "daily_counts", "category", 5), "info_types"),
        (manifest(&["sms"], "hour", "daily_counts", "category", 5), "daily_counts needs granularity day"),
        (manifest(&["sms"], "minute", "events", "category", 5), "wrong type"),
        (manifest(&["dna"], "day", "events", "category", 5), "wrong type"),
        (ok.replace("2027-01-07", "2026-12-01"), "from must not be after to"),
        (ok.replace("sms-2027", "sms 2027!"), "study_id"),
        (ok.replace("sms-2027", &"s".repeat(65)), "study_id"),
        (ok.replace("\"sms-2027\"", "\"\""), "study_id"),
        (ok.replace("\"retention\"", "\"extra\": 1, \"retention\""), "unknown"),
        ("{".to_owned(), "not valid JSON"),
    ] {
        let err = StudyManifest::from_json(&bad).expect_err(why).to_string();
        assert!(err.contains(why), "{why}: {err}");
        assert!(!err.contains("Researcher"), "no echo: {err}");
    }
}

#[test]
fn preview_export_and_exclusions() {
    let db = Db::new("flow");
    // SMS reads: loans 6 times on day 1, music 2 times on day 2 (below min_count 5), diary 5 times on day 3.
    let mut events: Vec<(usize, usize, usize, i64)> = (0..6).map(|i| (4, 0, 1, 2 + i)).collect();
    events.extend((0..2).map(|i| (0, 0, 2, 30 + i)));
    events.extend((0..5).map(|i| (2, 0, 0, 50 + i)));
    events.push((4, 2, 1, 5)); // contacts: not asked for
    events.push((4, 0, 1, -30)); // before the study
    db.add(&events);
    let m = manifest(&["sms"], "day", "daily_counts", "package", 5);
    let preview = db.store.donation_preview(&m, None).expect("preview");
    assert_eq!(preview.fields, vec!["day", "package", "info_type", "count"]);
    let rows: Vec<(String, u64)> = preview
        .rows
        .iter()
        .map(|r| (r.leaves["day"].as_str().unwrap_or("").to_owned(), r.leaves["count"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(rows, vec![("2027-01-01".to_owned(), 6), ("2027-01-03".to_owned(), 5)]);
    let ids: Vec<String> = preview.rows.iter().map(|r| r.row_id.clone()).collect();
    assert!(ids.iter().all(|id| id.len() == 14 && id.starts_with("r-")), "{ids:?}");
    // An id names the same row even after more accesses are stored between preview and export.
    db.add(&[(1, 1, 0, 100)]);
    let again: Vec<String> =
        db.store.donation_preview(&m, None).expect("preview").rows.iter().map(|r| r.row_id.clone()).collect();
    assert_eq!(again, ids);
    assert_eq!(preview.rows[1].label.as_deref(), Some("My Secret Diary"), "the donor sees which app");
    assert_eq!(preview.totals["sms"], 11);
    assert_eq!(preview.suppressed.len(), 1);
    assert_eq!((preview.suppressed[0].package.as_str(), preview.suppressed[0].count), ("com.tencent.qqmusic", 2));

    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    assert_eq!(bundle["rows"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        bundle["rows"][0],
        json!({"day": "2027-01-01", "package": "org.example.loans", "info_type": "sms", "count": 6})
    );
    assert_eq!(bundle["checksum"], checksum(&bundle), "the checksum covers everything else");
    let excl = format!(r#"{{"packages": ["org.secret.diary", "not.installed"], "rows": ["{}"]}}"#, ids[0]);
    let excl = excl.as_str();
    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, excl).expect("export")).expect("json");
    assert_eq!(bundle["rows"], json!([]));
    assert_eq!(bundle["exclusions"], json!({"packages": 1, "rows_by_package": 1, "rows": 1}));
    assert_eq!(bundle["suppressed_groups"], 1, "QQ Music's two reads");
    let bundle: Value =
        serde_json::from_slice(&export(&db.store, &m, r#"{"packages": ["com.tencent.qqmusic"]}"#).expect("export"))
            .expect("json");
    assert_eq!(bundle["suppressed_groups"], 0, "nothing about an excluded app leaves, not even a count");
    assert_eq!(bundle["exclusions"], json!({"packages": 0, "rows_by_package": 0, "rows": 0}));
    assert!(export(&db.store, &m, "[1,2]").is_err(), "malformed exclusions are refused");

    // Salted hashes link rows within one donation only; ids differ every time.
    let m = manifest(&["sms"], "hour", "events", "salted_hash", 1);
    let a: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    let b: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    let apps = |v: &Value| {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["app"].as_str().unwrap_or("").to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(apps(&a).len(), 3, "three apps read SMS");
    assert!(apps(&a).is_disjoint(&apps(&b)), "a new salt per donation");
    assert_ne!(a["donation_id"], b["donation_id"]);
    assert_eq!(a["rows"][0]["hour"].as_str().map(str::len), Some(13));

    // The preview names the apps of a salted-hash study by number, in the order the donor reads them.
    let preview = db.store.donation_preview(&m, None).expect("preview");
    let names: BTreeSet<String> =
        preview.rows.iter().map(|r| r.leaves["app"].as_str().unwrap_or("").to_owned()).collect();
    let expected: BTreeSet<String> = (1..=3).map(|n| format!("app #{n} (hashed on export)")).collect();
    assert_eq!(names, expected);
    assert_eq!(preview.rows[0].leaves["app"], "app #1 (hashed on export)");

    // Asked for, the foreground/background split comes along; never otherwise.
    let m = manifest(&["sms"], "day", "daily_counts", "package", 5).replacen('{', "{\"background\": true, ", 1);
    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    assert_eq!(bundle["rows"][0]["background_count"], 6, "the loan app read SMS in the background");
    assert_eq!(bundle["rows"][1]["background_count"], 0);
}

#[test]
fn rows_leave_in_the_order_of_what_they_show() {
    // QQ Music (online_video_music) and Tmall (online_shopping) read SMS on the same day. By package name QQ Music
    // comes first; a bundle in that order would rank the apps behind the categories by name.
    let db = Db::new("order");
    db.add(&[(0, 0, 0, 2), (3, 0, 1, 3), (0, 0, 0, 4)]);
    let m = manifest(&["sms"], "day", "events", "category", 1);
    let preview = db.store.donation_preview(&m, None).expect("preview");
    let packages: Vec<&str> = preview.rows.iter().map(|r| r.package.as_str()).collect();
    assert_eq!(packages, ["com.tencent.qqmusic", "com.tencent.qqmusic", "com.tmall.wireless"], "the donor's order");
    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    let categories: Vec<&str> =
        bundle["rows"].as_array().expect("rows").iter().map(|r| r["category"].as_str().unwrap_or("")).collect();
    assert_eq!(categories, ["online_shopping", "online_video_music", "online_video_music"]);
    // Counts order as numbers (8 before 10), then by the background count. The diary and the loan app have no
    // category; by package name the loan app would come first each day.
    let db = Db::new("order-counts");
    let mut events: Vec<(usize, usize, usize, i64)> = (0..10).map(|i| (4, 0, usize::from(i < 2), i)).collect();
    events.extend((0..8).map(|i| (2, 0, 0, 10 + i)));
    events.extend((0..3).map(|i| (4, 0, 1, 24 + i)));
    events.extend((0..3).map(|i| (2, 0, 0, 30 + i)));
    db.add(&events);
    let m = manifest(&["sms"], "day", "daily_counts", "category", 1).replacen('{', "{\"background\": true, ", 1);
    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    let rows: Vec<(&str, u64, u64)> = bundle["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["day"].as_str().unwrap_or(""),
                r["count"].as_u64().unwrap_or(0),
                r["background_count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(rows, [("2027-01-01", 8, 0), ("2027-01-01", 10, 2), ("2027-01-02", 3, 0), ("2027-01-02", 3, 3)]);
    assert!(bundle["rows"].as_array().expect("rows").iter().all(|r| r["category"] == "unknown"));
}

fn bundle_is_within_manifest(db: &Db, manifest_json: &str) -> Result<(), TestCaseError> {
    let m = StudyManifest::from_json(manifest_json).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let bytes = export(&db.store, manifest_json, "").map_err(|e| TestCaseError::fail(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let bundle: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let top: BTreeSet<&str> = bundle.as_object().expect("object").keys().map(String::as_str).collect();
    prop_assert_eq!(
        top,
        [
            "checksum",
            "donation_id",
            "exclusions",
            "fields",
            "manifest",
            "opsight_donation",
            "rows",
            "suppressed_groups"
        ]
        .into_iter()
        .collect::<BTreeSet<_>>()
    );
    let fields: BTreeSet<&str> = row_fields(&m).into_iter().collect();
    let pack = PolicyPack::embedded();
    let wanted: BTreeSet<String> = m.info_types.iter().map(|t| t.as_str().to_owned()).collect();
    for row in bundle["rows"].as_array().expect("rows") {
        let keys: BTreeSet<&str> = row.as_object().expect("row").keys().map(String::as_str).collect();
        prop_assert_eq!(&keys, &fields, "no field outside the manifest");
        prop_assert!(wanted.contains(row["info_type"].as_str().unwrap_or("")), "no info type outside the manifest");
        let time = row.get("time").or(row.get("hour")).or(row.get("day")).and_then(Value::as_str).unwrap_or("");
        let shape_ok = match m.granularity {
            opsight_core::donate::Granularity::Day => time.len() == 10,
            opsight_core::donate::Granularity::Hour => time.len() == 13 && &time[10..11] == "T",
            opsight_core::donate::Granularity::Exact => time.len() == 23,
        };
        prop_assert!(shape_ok, "time precision {time:?} for {:?}", m.granularity);
        prop_assert!(&time[..10] >= m.from.as_str() && &time[..10] <= m.to.as_str(), "inside the period");
        match m.app_identity {
            opsight_core::donate::AppIdentity::Package => {
                prop_assert!(PACKAGES.contains(&row["package"].as_str().unwrap_or("")))
            }
            opsight_core::donate::AppIdentity::Category => {
                let c = row["category"].as_str().unwrap_or("");
                prop_assert!(c == "unknown" || pack.category(c).is_some(), "{c}");
            }
            opsight_core::donate::AppIdentity::SaltedHash => {
                let h = row["app"].as_str().unwrap_or("");
                prop_assert!(h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()), "{h}");
            }
        }
        if let Some(count) = row.get("count") {
            prop_assert!(count.as_u64().unwrap_or(0) >= m.min_count.max(1));
        }
    }
    // Rows leave ordered by what they show, field by field: never by a package name they do not show.
    let shown = |row: &Value| -> Vec<String> {
        row_fields(&m)
            .iter()
            .map(|f| match &row[*f] {
                Value::String(s) => s.clone(),
                Value::Bool(b) => u8::from(*b).to_string(),
                other => format!("{:>20}", other.to_string()),
            })
            .collect()
    };
    let rows = bundle["rows"].as_array().expect("rows");
    for pair in rows.windows(2) {
        prop_assert!(shown(&pair[0]) <= shown(&pair[1]), "{} before {}", pair[0], pair[1]);
    }
    // Outside the rows' own values, no app or device identity appears anywhere in the bundle.
    let rows_text = bundle["rows"].to_string();
    for secret in ["My Secret Diary", "QQ音乐", "SecretMaker", "Model-XYZ-987", "this-device", "u0a1"] {
        prop_assert!(!text.contains(secret), "{secret} leaked");
    }
    if m.app_identity != opsight_core::donate::AppIdentity::Package {
        for p in PACKAGES {
            prop_assert!(!text.contains(p), "package {p} leaked with identity {:?}", m.app_identity);
        }
    } else {
        for p in PACKAGES {
            prop_assert_eq!(text.matches(p).count(), rows_text.matches(p).count(), "packages only inside rows");
        }
    }
    Ok(())
}

fn arb_manifest() -> impl Strategy<Value = String> {
    let types = prop::sample::subsequence(
        vec!["sms", "location", "contacts", "camera", "call_log", "microphone", "clipboard"],
        1..4,
    );
    let shape = prop_oneof![
        Just(("day", "daily_counts")),
        Just(("day", "events")),
        Just(("hour", "events")),
        Just(("exact", "events"))
    ];
    let identity = prop_oneof![Just("package"), Just("category"), Just("salted_hash")];
    (types, shape, identity, 0u64..4, 1u32..8, 0u32..6, any::<bool>()).prop_map(
        |(types, (g, l), id, min, from_day, len, bg)| {
            let from = format!("2027-01-{:02}", from_day);
            let to = format!("2027-01-{:02}", (from_day + len).min(28));
            let m = manifest(&types, g, l, id, min).replace("2027-01-01", &from).replace("2027-01-07", &to);
            if bg {
                m.replacen('{', "{\"background\": true, ", 1)
            } else {
                m
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn nothing_outside_the_manifest_ever_leaves(
        events in prop::collection::vec((0..6usize, 0..6usize, 0..4usize, -24i64..240), 1..25),
        manifests in prop::collection::vec(arb_manifest(), 1..4),
    ) {
        let db = Db::new("prop");
        db.add(&events);
        for m in &manifests {
            bundle_is_within_manifest(&db, m)?;
        }
    }
}

#[test]
fn a_bundle_holds_the_curated_category_a_lean_manifest_and_row_ids_that_outlive_new_accesses() {
    let db = Db::new("ids");
    db.add(&[(0, 0, 0, 2), (0, 0, 0, 3)]);
    // The donor filed QQ Music under games: their choice, which stays on the phone.
    db.store.set_category("com.tencent.qqmusic", Some("online_games"), T0).expect("category");
    let m = manifest(&["sms"], "day", "daily_counts", "category", 1);
    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    assert_eq!(bundle["rows"][0]["category"], "online_video_music", "the curated list's category");
    assert!(bundle["manifest"].get("background").is_none(), "no background asked: the key is absent");
    let asked = m.replacen('{', "{\"background\": true, ", 1);
    let bundle: Value = serde_json::from_slice(&export(&db.store, &asked, "").expect("export")).expect("json");
    assert_eq!(bundle["manifest"]["background"], true);

    // A daily count's id names its day, app and type: a new access that day, in the background, keeps it.
    let before = db.store.donation_preview(&asked, None).expect("preview").rows[0].row_id.clone();
    db.add(&[(0, 0, 1, 5)]);
    let after = db.store.donation_preview(&asked, None).expect("preview");
    assert_eq!(after.rows.len(), 1);
    assert_eq!(after.rows[0].leaves["count"], 3);
    assert_eq!(after.rows[0].row_id, before);
    let excl = format!(r#"{{"rows": ["{before}"]}}"#);
    let bundle: Value = serde_json::from_slice(&export(&db.store, &asked, &excl).expect("export")).expect("json");
    assert_eq!(bundle["rows"], json!([]), "the id from the earlier preview still leaves the row out");
}

#[test]
fn a_phone_that_travelled_gives_each_access_in_the_zone_it_was_then_in() {
    // An SMS read in Berlin, collected there; a day later one in Shanghai, collected there. The device's zone is now
    // Shanghai's, which is not the first access's.
    let db = Db::new("travel");
    for (utc, zone) in [(T0 + 24 * H + 3 * H, "Europe/Berlin"), (T0 + 48 * H + 3 * H, "Asia/Shanghai")] {
        let local = LocalTime::from_utc_ms(utc, &jiff::tz::TimeZone::get(zone).expect("zone")).expect("local");
        let dump = format!(
            "  Uid u0a104:\n    Package org.example.loans:\n      READ_SMS (allow):\n        null=[\n          Access: [bg-s] {local} (-1h0m0s0ms)\n        ]\n"
        );
        let opts = IngestOptions { zone: Some(zone.into()), captured_at_ms: Some(utc + H), ..IngestOptions::default() };
        db.store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
    }
    let m = manifest(&["sms"], "exact", "events", "package", 1);
    let bundle: Value = serde_json::from_slice(&export(&db.store, &m, "").expect("export")).expect("json");
    let times: Vec<&str> = bundle["rows"].as_array().expect("rows").iter().filter_map(|r| r["time"].as_str()).collect();
    // 2027-01-01 19:00 UTC is 20:00 in Berlin (not 03:00 the next day, Shanghai's); 2027-01-02 19:00 UTC is 03:00
    // in Shanghai.
    assert_eq!(times, ["2027-01-01 20:00:00.000", "2027-01-03 03:00:00.000"]);
    // The study's days are the local ones: a study of 2027-01-01 alone holds the Berlin read.
    let one_day = m.replace("2027-01-07", "2027-01-01");
    let bundle: Value = serde_json::from_slice(&export(&db.store, &one_day, "").expect("export")).expect("json");
    assert_eq!(bundle["rows"].as_array().map(Vec::len), Some(1));
}

/// A donation leaves only as its donor reviewed it: without the preview's review code nothing is exported, and when
/// accesses were stored after the review (a scheduled collection ran while the donor read), or the manifest is
/// another, the code no longer matches and nothing is exported either. The code is the same for the same data,
/// whatever the donor excludes (that is the donor's own choice, given with it).
#[test]
fn only_what_was_reviewed_leaves() {
    let db = Db::new("reviewed");
    db.add(&[(4, 0, 1, 2), (0, 0, 0, 3)]);
    let m = manifest(&["sms"], "hour", "events", "package", 1);
    let preview = db.store.donation_preview(&m, None).expect("preview");
    assert_eq!(preview.review_code.len(), 16);
    assert_eq!(db.store.donation_preview(&m, None).expect("again").review_code, preview.review_code, "stable");
    let with = |code: &str, extra: &str| format!(r#"{{"reviewed": "{code}"{extra}}}"#);
    let refused = |excl: &str| db.store.export_donation(&m, excl, None).expect_err("refused").to_string();
    assert!(refused("").contains("review it first, and give the review code its preview shows"), "{}", refused(""));
    assert!(refused(&with("0123456789abcdef", "")).contains("changed since it was reviewed"));
    let bundle =
        db.store.export_donation(&m, &with(&preview.review_code, r#", "packages": ["org.example.loans"]"#), None);
    let bundle: Value = serde_json::from_slice(&bundle.expect("export")).expect("json");
    assert_eq!(bundle["rows"].as_array().map(Vec::len), Some(1), "the code holds with exclusions");
    // An access stored after the review.
    db.add(&[(0, 0, 0, 5)]);
    let stale = refused(&with(&preview.review_code, ""));
    assert!(stale.contains("changed since it was reviewed") && stale.contains("review it again"), "{stale}");
    // Another manifest, with the first one's code.
    let other = manifest(&["sms"], "day", "events", "package", 1);
    let e = db.store.export_donation(&other, &with(&preview.review_code, ""), None).expect_err("other manifest");
    assert!(e.to_string().contains("changed since it was reviewed"), "{e}");
    // The message names nothing of the data.
    assert!(!stale.contains("loans") && !stale.contains(&preview.review_code), "{stale}");
}

/// A donation is one phone's: with several devices in the database the device must be named, and only its accesses
/// are counted (before, the rows added up every phone's accesses of an app, day and type).
#[test]
fn a_donation_holds_one_devices_accesses() {
    let db = Db::new("devices");
    db.add(&[(4, 0, 1, 2)]);
    let zone = jiff::tz::TimeZone::get(ZONE).expect("zone");
    let t = T0 + 2 * H + 500;
    let local = LocalTime::from_utc_ms(t, &zone).expect("local");
    let dump = format!(
        "  Uid u0a104:\n    Package {}:\n      READ_SMS (allow):\n        null=[\n          Access: [bg-s] {local} (-1h0m0s0ms)\n        ]\n",
        PACKAGES[4]
    );
    let opts = IngestOptions {
        device: "tablet".into(),
        zone: Some(ZONE.into()),
        captured_at_ms: Some(t + H),
        ..IngestOptions::default()
    };
    db.store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
    let m = manifest(&["sms"], "day", "daily_counts", "package", 1);
    let e = db.store.donation_preview(&m, None).expect_err("two devices");
    assert!(e.to_string().contains("several devices"), "{e}");
    for (device, count) in [("this-device", 1), ("tablet", 1)] {
        let preview = db.store.donation_preview(&m, Some(device)).expect("preview");
        assert_eq!(preview.device.as_deref(), Some(device));
        let counts: Vec<_> = preview.rows.iter().map(|r| r.leaves["count"].as_u64()).collect();
        assert_eq!(counts, [Some(count)], "{device}");
        let excl = format!(r#"{{"reviewed": "{}"}}"#, preview.review_code);
        let bundle: Value =
            serde_json::from_slice(&db.store.export_donation(&m, &excl, Some(device)).expect("export")).expect("json");
        assert_eq!(bundle["rows"][0]["count"], 1);
        assert!(!String::from_utf8_lossy(&serde_json::to_vec(&bundle).expect("json")).contains(device));
    }
    // A code reviewed for one device does not export the other's.
    let tablet = db.store.donation_preview(&m, Some("tablet")).expect("preview").review_code;
    let excl = format!(r#"{{"reviewed": "{tablet}"}}"#);
    let e = db.store.export_donation(&m, &excl, Some("this-device")).expect_err("another device's review");
    assert!(e.to_string().contains("changed since it was reviewed"), "{e}");
    assert!(db.store.donation_preview(&m, Some("watch")).is_err(), "an unknown device");
}

/// Row exclusions must not let a day's accesses of an app and type leave below the study's min_count: with one
/// row per access, the rest of such a group is suppressed too, and counted with the suppressed groups.
#[test]
fn exclusions_never_leave_a_group_below_min_count() {
    let db = Db::new("too-few");
    // Four SMS reads by the loan app on one day, two by QQ Music.
    db.add(&[(4, 0, 1, 2), (4, 0, 1, 3), (4, 0, 1, 4), (4, 0, 1, 5), (0, 0, 0, 2), (0, 0, 0, 3)]);
    let m = manifest(&["sms"], "hour", "events", "package", 3);
    let preview = db.store.donation_preview(&m, None).expect("preview");
    assert_eq!((preview.rows.len(), preview.suppressed.len()), (4, 1), "QQ Music's two are suppressed");
    let ids: Vec<&str> = preview.rows.iter().map(|r| r.row_id.as_str()).collect();
    // One excluded: three left, as many as min_count: they leave.
    let one =
        Exclusions { rows: vec![ids[0].to_owned()], reviewed: Some(preview.review_code.clone()), ..Default::default() };
    assert_eq!(preview.excluded(&one).too_few.len(), 0);
    // Two excluded: two left, fewer than 3: suppressed with them.
    let two = Exclusions { rows: vec![ids[0].to_owned(), ids[1].to_owned()], ..one.clone() };
    let x = preview.excluded(&two);
    assert_eq!((x.by_row.len(), x.too_few.len(), x.groups_too_few), (2, 2, 1));
    let bundle = db.store.export_donation(&m, &serde_json::to_string(&two).expect("json"), None).expect("export");
    let bundle: Value = serde_json::from_slice(&bundle).expect("json");
    assert_eq!(bundle["rows"], json!([]));
    assert_eq!(bundle["suppressed_groups"], 2, "QQ Music's group and the loan app's, cut below min_count");
    assert_eq!(bundle["exclusions"], json!({"packages": 0, "rows_by_package": 0, "rows": 2}));
    // Daily counts: a group is one row, which leaves whole or not at all.
    let daily = manifest(&["sms"], "day", "daily_counts", "package", 3);
    let p = db.store.donation_preview(&daily, None).expect("preview");
    let x = p.excluded(&Exclusions { rows: vec![p.rows[0].row_id.clone()], ..Default::default() });
    assert_eq!((x.by_row.len(), x.too_few.len()), (1, 0));
}

/// What the donor reads must read as written: required texts made only of invisible characters, line breaks, and
/// direction overrides are refused; a period beyond the calendar is refused when the manifest is read, not later.
#[test]
fn manifest_texts_read_as_written() {
    let base: Value = serde_json::from_str(&manifest(&["sms"], "day", "daily_counts", "package", 1)).expect("json");
    let with = |key: &str, value: Value| {
        let mut m = base.clone();
        m[key] = value;
        StudyManifest::from_json(&m.to_string()).map(|_| ()).map_err(|e| e.to_string())
    };
    for blank in ["\u{200b}", "\u{2800}", "\u{3164}", "\u{115f}", " \u{feff} ", "\u{e0041}"] {
        let e = with("contact", json!(blank)).expect_err(blank);
        assert!(e.contains("must be given"), "{blank:?}: {e}");
    }
    for tricky in ["Harmless study \u{202e}.gnissecorp\u{202c}", "line one\nline two", "tab\there", "\u{2067}x\u{2069}"]
    {
        let e = with("title", json!(tricky)).expect_err(tricky);
        assert!(e.contains("one line of text, without control characters or direction overrides"), "{tricky:?}: {e}");
        assert!(!e.contains("gnissecorp") && !e.contains("line one"), "values are never echoed: {e}");
    }
    assert!(with("title", json!("短信访问研究 (2027)")).is_ok(), "any script reads fine");
    assert!(with("purpose", json!("Arabic: دراسة")).is_ok(), "right-to-left text itself is fine");
    let e = with("to", json!("9999-12-31")).expect_err("beyond the calendar");
    assert!(e.contains("years 0001 to 9998"), "{e}");
    assert!(with("to", json!("9998-12-31")).is_ok());
}

/// One location fix noted as three ops at one instant is one access in a donation, as in the findings.
#[test]
fn several_ops_at_one_instant_are_one_access() {
    let db = Db::new("one-fix");
    let zone = jiff::tz::TimeZone::get(ZONE).expect("zone");
    let t = T0 + 2 * H;
    let local = LocalTime::from_utc_ms(t, &zone).expect("local");
    let ops: String = ["FINE_LOCATION", "MONITOR_LOCATION", "GPS"]
        .iter()
        .map(|op| {
            format!("      {op} (allow):\n        null=[\n          Access: [bg-s] {local} (-1h0m0s0ms)\n        ]\n")
        })
        .collect();
    let dump = format!("  Uid u0a101:\n    Package {}:\n{ops}", PACKAGES[1]);
    let opts = IngestOptions { zone: Some(ZONE.into()), captured_at_ms: Some(t + H), ..IngestOptions::default() };
    db.store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
    let m = manifest(&["location"], "day", "daily_counts", "package", 1);
    let preview = db.store.donation_preview(&m, None).expect("preview");
    let counts: Vec<_> = preview.rows.iter().map(|r| r.leaves["count"].as_u64()).collect();
    assert_eq!(counts, [Some(1)]);
    let events = manifest(&["location"], "exact", "events", "package", 1);
    assert_eq!(db.store.donation_preview(&events, None).expect("preview").rows.len(), 1);
}
