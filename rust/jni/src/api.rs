//! What each entry point does, in Rust types: find the store, make one core call, serialize the result.
//!
//! Documents (docs/bridge.md): where the CLI prints the same thing, the shape is the CLI's (`opsight_apps`,
//! `opsight_timeline`, the `report` objects of `opsight ingest`/`opsight packages`, `opsight findings`); lists the CLI
//! does not print yet get a document of the same style with their own marker key. Output is compact JSON (the CLI
//! pretty-prints the same document).

use std::str::FromStr as _;
use std::time::{SystemTime, UNIX_EPOCH};

use opsight_core::analysis::AnalysisOptions;
use opsight_core::ops::{InfoType, Lang};
use opsight_core::store::{
    AppSummary, DailyCount, InfoTypeAccess, IngestOptions, RetentionPolicy, Timeline, TimelineGrid,
};
use opsight_core::Store;
use serde::Serialize;

use crate::error::BridgeError;
use crate::handles;

pub type Result<T> = std::result::Result<T, BridgeError>;

/// Days `findings` judges, up to now.
pub const FINDINGS_DAYS: i64 = 30;
/// The ingest `source` recorded for dumps the app collected itself.
pub const SOURCE_APP: &str = "app";

/// Same document as `opsight apps --json`.
#[derive(Serialize)]
struct AppsDocument<'a> {
    opsight_apps: u32,
    apps: &'a [AppSummary],
}

/// Same document as `opsight timeline --json`.
#[derive(Serialize)]
struct TimelineDocument<'a> {
    opsight_timeline: u32,
    #[serde(flatten)]
    timeline: &'a Timeline,
}

/// Same document as `opsight timeline --grid --json`.
#[derive(Serialize)]
struct TimelineGridDocument<'a> {
    opsight_timeline_grid: u32,
    #[serde(flatten)]
    grid: &'a TimelineGrid,
}

#[derive(Serialize)]
struct WhoAccessedDocument<'a> {
    opsight_who_accessed: u32,
    info_type: InfoType,
    from_ms: i64,
    to_ms: i64,
    apps: &'a [InfoTypeAccess],
}

#[derive(Serialize)]
struct DailyCountsDocument<'a> {
    opsight_daily_counts: u32,
    from_ms: i64,
    to_ms: i64,
    counts: &'a [DailyCount],
}

#[derive(Serialize)]
struct OpenDocument<'a> {
    opsight_open: u32,
    moved_aside: Option<&'a str>,
    upgraded_from: u32,
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

/// UTC epoch milliseconds now (the phone's clock).
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Opens (creating if needed) the database at `path` and returns its handle.
pub fn open(path: &str) -> Result<i64> {
    Ok(handles::insert(Store::open(path)?))
}

/// What opening found: a damaged database moved aside (its new file name), the schema version upgraded from.
pub fn open_report(handle: i64) -> Result<String> {
    let store = handles::get(handle)?;
    let report = store.open_report();
    json(&OpenDocument {
        opsight_open: 1,
        moved_aside: report.moved_aside.as_deref(),
        upgraded_from: report.upgraded_from,
    })
}

/// Closes the handle; idempotent.
pub fn close(handle: i64) {
    handles::close(handle);
}

/// Stores one dump collected by the app; returns the core's `IngestReport` (as in `opsight ingest --json`).
pub fn ingest_dump(handle: i64, dump: &[u8], captured_at_ms: i64, zone: String) -> Result<String> {
    let store = handles::get(handle)?;
    let opts = IngestOptions {
        captured_at_ms: Some(captured_at_ms),
        zone: Some(zone),
        source: SOURCE_APP.into(),
        ..IngestOptions::default()
    };
    json(&store.ingest_dump(dump, &opts)?)
}

/// Loads a package inventory (docs/inventory.md); returns the core's `InventoryReport`.
pub fn ingest_packages(handle: i64, inventory_json: &str) -> Result<String> {
    let store = handles::get(handle)?;
    json(&store.ingest_packages(inventory_json)?)
}

/// Every app, in the core's order (by package). See docs/bridge.md for the one difference from the CLI (order).
pub fn apps(handle: i64) -> Result<String> {
    let store = handles::get(handle)?;
    json(&AppsDocument { opsight_apps: 1, apps: &store.apps()? })
}

/// One app's timeline over `[from_ms, to_ms)`; `Long.MIN_VALUE`/`Long.MAX_VALUE` mean unbounded.
pub fn timeline(handle: i64, package: &str, from_ms: i64, to_ms: i64) -> Result<String> {
    let store = handles::get(handle)?;
    json(&TimelineDocument { opsight_timeline: 1, timeline: &store.timeline(package, from_ms, to_ms)? })
}

/// One app's accesses per information type, local day and hour: `days` days ending with `last_day` (`YYYY-MM-DD`)
/// in `zone`.
pub fn timeline_grid(handle: i64, package: &str, last_day: &str, days: i32, zone: &str) -> Result<String> {
    // A negative count is refused by the core as 0 is.
    let days = u32::try_from(days).unwrap_or(0);
    let store = handles::get(handle)?;
    json(&TimelineGridDocument { opsight_timeline_grid: 1, grid: &store.timeline_grid(package, last_day, days, zone)? })
}

/// The analysis of the last [`FINDINGS_DAYS`] days as of now, in `lang` (`en`, `zh-CN`, and the tags
/// `Lang::parse` reads).
pub fn findings(handle: i64, lang: &str) -> Result<String> {
    let lang = Lang::parse(lang).ok_or(BridgeError::InvalidArgument("unknown language (use en or zh-CN)"))?;
    let store = handles::get(handle)?;
    json(&store.analyze(&AnalysisOptions::last_days(FINDINGS_DAYS, now_ms(), lang))?)
}

/// Who accessed one kind of information over `[from_ms, to_ms)`, most accesses first.
pub fn who_accessed(handle: i64, info_type: &str, from_ms: i64, to_ms: i64) -> Result<String> {
    // The core's parse error quotes the input; the bridge's message is fixed.
    let info_type = InfoType::from_str(info_type)
        .map_err(|_| BridgeError::InvalidArgument("unknown information type (see docs/op-catalog.md)"))?;
    let store = handles::get(handle)?;
    let apps = store.who_accessed(info_type, from_ms, to_ms)?;
    json(&WhoAccessedDocument { opsight_who_accessed: 1, info_type, from_ms, to_ms, apps: &apps })
}

/// Accesses and rejects per day (device zone), app and op over `[from_ms, to_ms)`.
pub fn daily_counts(handle: i64, from_ms: i64, to_ms: i64) -> Result<String> {
    let store = handles::get(handle)?;
    let counts = store.daily_counts(from_ms, to_ms, None)?;
    json(&DailyCountsDocument { opsight_daily_counts: 1, from_ms, to_ms, counts: &counts })
}

/// Sets (or with `None` clears) the user's category for a package: a policy-pack id such as `online_video_music`.
pub fn set_category(handle: i64, package: &str, category: Option<&str>) -> Result<()> {
    let store = handles::get(handle)?;
    Ok(store.set_category(package, category, now_ms())?)
}

/// Applies retention as of now; returns the core's `RetentionReport`.
pub fn apply_retention(handle: i64, raw_days: i32, hourly_days: i32) -> Result<String> {
    let days = |d: i32| u32::try_from(d).map_err(|_| BridgeError::InvalidArgument("days must not be negative"));
    let policy = RetentionPolicy { raw_days: days(raw_days)?, hourly_days: days(hourly_days)? };
    let store = handles::get(handle)?;
    json(&store.apply_retention(policy, now_ms())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A10: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/appops/mvt-project-mvt__dumpsys_appops_samsung_a10.txt"
    );

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("opsight-jni-api-{}-{name}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir.join("opsight.db")
    }

    fn value(text: &str) -> serde_json::Value {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn every_call_round_trips_through_json() {
        let path = temp_db("round-trip");
        let h = open(path.to_str().expect("utf-8 path")).expect("open");
        assert_eq!(value(&open_report(h).expect("report"))["moved_aside"], serde_json::Value::Null);
        let dump = std::fs::read(A10).expect("fixture");
        let report = value(&ingest_dump(h, &dump, 1_648_589_274_087, "Europe/Berlin".into()).expect("ingest"));
        assert_eq!(report["new_events"], 23);
        assert_eq!(report["clock_skew_ms"], 0, "the capture instant was passed on, and agrees with the dump");
        let run: (String, Option<i64>, Option<String>) = rusqlite::Connection::open(&path)
            .expect("read the database")
            .query_row("SELECT source, captured_at_ms, zone FROM collection_runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .expect("one run");
        assert_eq!(run, ("app".to_owned(), Some(1_648_589_274_087), Some("Europe/Berlin".to_owned())));
        let again = value(&ingest_dump(h, &dump, 1_648_589_274_087, "Europe/Berlin".into()).expect("ingest"));
        assert_eq!((again["new_events"].as_u64(), again["repeat"].as_bool()), (Some(0), Some(true)));

        let listed = value(&apps(h).expect("apps"));
        assert_eq!(listed["opsight_apps"], 1);
        let first = listed["apps"][0]["package"].as_str().expect("a package").to_owned();
        let tl = value(&timeline(h, &first, i64::MIN, i64::MAX).expect("timeline"));
        assert_eq!((tl["opsight_timeline"].as_u64(), tl["from_ms"].is_null()), (Some(1), true));
        assert_eq!(tl["package"], first.as_str());

        let who = value(&who_accessed(h, "location", i64::MIN, i64::MAX).expect("who"));
        assert_eq!(who["info_type"], "location");
        let daily = value(&daily_counts(h, i64::MIN, i64::MAX).expect("daily"));
        let total: u64 = daily["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .map(|c| c["access"].as_u64().unwrap_or(0) + c["reject"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(total, 23);
        assert_eq!(value(&findings(h, "zh-CN").expect("findings"))["lang"], "zh-CN");
        set_category(h, &first, Some("online_video_music")).expect("category");
        set_category(h, &first, None).expect("clear category");
        let retention = value(&apply_retention(h, 90, 365).expect("retention"));
        assert!(retention["events_rolled_up"].is_u64());
        let inv = r#"{"opsight_inventory": 1, "packages": [{"package": "com.example.a", "label": "A"}]}"#;
        assert_eq!(value(&ingest_packages(h, inv).expect("inventory"))["new_packages"], 1);
        close(h);
        close(h);
        assert!(matches!(apps(h), Err(BridgeError::Closed)));
        std::fs::remove_dir_all(path.parent().expect("dir")).ok();
    }

    #[test]
    fn bad_arguments_give_fixed_messages() {
        let path = temp_db("bad-args");
        let h = open(path.to_str().expect("utf-8 path")).expect("open");
        let msg = |r: Result<String>| r.expect_err("must fail").to_string();
        assert_eq!(msg(findings(h, "fr")), "invalid argument: unknown language (use en or zh-CN)");
        let secret = "com.secret.app";
        let m = msg(who_accessed(h, secret, 0, 1));
        assert!(!m.contains(secret), "{m}");
        assert_eq!(msg(apply_retention(h, -1, 10)), "invalid argument: days must not be negative");
        assert_eq!(msg(ingest_dump(h, b"x", 0, "Mars/Olympus".into())), "invalid input: unknown time zone");
        let m = msg(ingest_packages(h, "{\"opsight_inventory\": \"com.secret.app\""));
        assert!(!m.contains(secret), "{m}");
        close(h);
        let dir = path.parent().expect("dir");
        let m = open(dir.to_str().expect("utf-8")).expect_err("a directory is no database").to_string();
        assert!(!m.contains(dir.to_str().expect("utf-8")), "{m}");
        std::fs::remove_dir_all(dir).ok();
    }
}

/// The donation preview (`opsight donate --preview --json`): every row that would leave, totals, suppressed.
pub fn preview_donation(handle: i64, manifest_json: &str) -> Result<String> {
    let store = handles::get(handle)?;
    json(&store.donation_preview(manifest_json, None)?)
}

/// The donation bundle's bytes (what `opsight donate --out` writes).
pub fn export_donation(handle: i64, manifest_json: &str, exclusions_json: &str) -> Result<Vec<u8>> {
    let store = handles::get(handle)?;
    Ok(store.export_donation(manifest_json, exclusions_json, None)?)
}

#[derive(Serialize)]
struct CategoryView<'a> {
    id: &'a str,
    number: u32,
    name: &'a str,
    needs_no_pi: bool,
    necessary_info_types: &'a [InfoType],
}

#[derive(Serialize)]
struct CategoriesDocument<'a> {
    opsight_categories: u32,
    lang: &'a str,
    categories: Vec<CategoryView<'a>>,
}

/// The 39 categories, for a picker (`opsight category --list --json` has the same ids).
pub fn categories(lang: &str) -> Result<String> {
    let parsed = Lang::parse(lang).ok_or(BridgeError::InvalidArgument("unknown language (use en or zh-CN)"))?;
    let pack = opsight_core::analysis::PolicyPack::embedded();
    let categories = pack
        .categories
        .iter()
        .map(|c| CategoryView {
            id: c.id,
            number: c.number,
            name: c.name(parsed),
            needs_no_pi: c.needs_no_pi,
            necessary_info_types: c.necessary_info_types,
        })
        .collect();
    let lang = match parsed {
        Lang::En => "en",
        Lang::ZhCn => "zh-CN",
    };
    json(&CategoriesDocument { opsight_categories: 1, lang, categories })
}
