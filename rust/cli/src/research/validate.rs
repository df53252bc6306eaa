//! Checking one donation bundle on its own: everything `opsight research aggregate` can tell from the file alone
//! (schema, version, checksum, manifest, fields, rows). What needs the other bundles (same manifest per study,
//! duplicate donation ids) is checked by the caller. docs/research.md, "Validation".

use std::collections::{BTreeSet, HashMap};

use opsight_core::analysis::PolicyPack;
use opsight_core::donate::{checksum, row_fields, AppIdentity, Granularity, Level, StudyManifest, BUNDLE_VERSION};
use opsight_core::ops::InfoType;
use serde_json::{Map, Value};

/// The top-level keys of a bundle, exactly.
pub const BUNDLE_KEYS: [&str; 8] =
    ["checksum", "donation_id", "exclusions", "fields", "manifest", "opsight_donation", "rows", "suppressed_groups"];
const EXCLUSION_KEYS: [&str; 3] = ["packages", "rows", "rows_by_package"];

/// Why a file was not accepted: a stable code (for scripts, `--json`) and one line for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub reason: String,
}

fn reject<T>(code: &'static str, reason: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection { code, reason: reason.into() })
}

/// A bundle that passed every check of its own.
#[derive(Debug)]
pub struct Bundle {
    pub donation_id: String,
    pub manifest: StudyManifest,
    pub rows: Vec<Row>,
    /// Day, app and type groups withheld by `min_count`.
    pub suppressed_groups: u64,
    /// The bundle's `exclusions`: apps listed, rows left out because of them, rows left out by id.
    pub excluded: [u64; 3],
}

/// One row, in the dataset's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's `day`, `hour` or `time` value, as exported.
    pub time: String,
    /// The package, category or salted hash, per the manifest's `app_identity`.
    pub app: String,
    pub info_type: InfoType,
    /// Accesses: the row's `count`, 1 for an event.
    pub count: i64,
    /// Accesses in the background, when the manifest asked (`background_count`, or 0/1 from an event's
    /// `background`).
    pub background_count: Option<i64>,
}

impl Row {
    /// The row's day (`YYYY-MM-DD`, device zone): its partition.
    pub fn date(&self) -> &str {
        self.time.get(..10).unwrap_or("")
    }
}

/// Checks one bundle file's bytes.
pub fn check_bundle(bytes: &[u8]) -> Result<Bundle, Rejection> {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return reject("not_json", format!("not JSON (line {} column {})", e.line(), e.column())),
    };
    let Value::Object(top) = &value else {
        return reject("schema", "not a JSON object");
    };
    let keys: BTreeSet<&str> = top.keys().map(String::as_str).collect();
    if let Some(missing) = BUNDLE_KEYS.iter().find(|k| !keys.contains(*k)) {
        return reject("schema", format!("missing key {missing:?}"));
    }
    if let Some(extra) = keys.iter().find(|k| !BUNDLE_KEYS.contains(*k)) {
        return reject("schema", format!("unexpected key {:?}", short(extra)));
    }
    match top["opsight_donation"].as_u64() {
        Some(v) if v == u64::from(BUNDLE_VERSION) => {}
        Some(v) => {
            return reject("version", format!("bundle format version {v}; this opsight reads version {BUNDLE_VERSION}"))
        }
        None => return reject("schema", "opsight_donation is not a number"),
    }
    let Some(stated) = top["checksum"].as_str() else {
        return reject("schema", "checksum is not a string");
    };
    if stated != checksum(&value) {
        return reject("checksum", "checksum mismatch: the bundle was changed after it was exported");
    }
    let Some(donation_id) = top["donation_id"].as_str().filter(|id| is_uuid(id)) else {
        return reject(
            "donation_id",
            "donation_id is not a version-4 UUID as opsight donate writes it (8-4-4-4-12 lowercase hexadecimal digits)",
        );
    };
    let manifest = match StudyManifest::from_json(&top["manifest"].to_string()) {
        Ok(m) => m,
        Err(e) => {
            // A position would point into the manifest re-serialised on its own, not into the bundle's file.
            let why = strip_invalid_input(&e);
            let why = why.find(" at line ").map_or(why.as_str(), |i| &why[..i]).trim_end_matches(',');
            return reject("manifest", format!("the manifest is not valid: {why}"));
        }
    };
    let fields = row_fields(&manifest);
    let stated_fields: Option<Vec<&str>> =
        top["fields"].as_array().and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<&str>>>());
    if stated_fields.as_deref() != Some(fields.as_slice()) {
        return reject("fields", format!("fields do not match the manifest (expected {})", fields.join(", ")));
    }
    let Some(suppressed_groups) = count_of(&top["suppressed_groups"]) else {
        return reject("schema", format!("suppressed_groups is not a whole number from 0 to {}", i64::MAX));
    };
    check_exclusions(&top["exclusions"])?;
    let excluded = ["packages", "rows_by_package", "rows"].map(|k| count_of(&top["exclusions"][k]).unwrap_or(0));
    let Some(rows) = top["rows"].as_array() else {
        return reject("schema", "rows is not an array");
    };
    let rows = check_rows(&manifest, &fields, rows)?;
    Ok(Bundle { donation_id: donation_id.to_owned(), manifest, rows, suppressed_groups, excluded })
}

fn check_exclusions(v: &Value) -> Result<(), Rejection> {
    let Value::Object(map) = v else {
        return reject("schema", "exclusions is not an object");
    };
    let keys: BTreeSet<&str> = map.keys().map(String::as_str).collect();
    if keys != EXCLUSION_KEYS.into_iter().collect() || map.values().any(|n| count_of(n).is_none()) {
        return reject(
            "schema",
            format!(
                "exclusions must hold exactly packages, rows_by_package and rows, as counts (whole numbers from 0 to \
                 {})",
                i64::MAX
            ),
        );
    }
    Ok(())
}

/// A count of the bundle: a whole number that the dataset's int64 columns hold. A larger one (a bundle edited and
/// its checksum recomputed) would wrap negative there.
fn count_of(v: &Value) -> Option<u64> {
    v.as_u64().filter(|n| i64::try_from(*n).is_ok())
}

struct RowRules<'m> {
    manifest: &'m StudyManifest,
    fields: BTreeSet<&'static str>,
    time_key: &'static str,
    app_key: &'static str,
    wanted: BTreeSet<InfoType>,
}

fn check_rows(m: &StudyManifest, fields: &[&'static str], rows: &[Value]) -> Result<Vec<Row>, Rejection> {
    let rules = RowRules {
        manifest: m,
        fields: fields.iter().copied().collect(),
        time_key: fields[0],
        app_key: fields[1],
        wanted: m.info_types.iter().copied().collect(),
    };
    let mut seen: HashMap<(String, String, InfoType), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let row = check_row(&rules, row).or_else(|why| reject("row", format!("row {n}: {why}")))?;
        // Daily counts are one row per day, app and type: a repeat would be counted twice. (With identity
        // `category` two apps of one category are two rows with the same values.)
        if m.level == Level::DailyCounts && m.app_identity != AppIdentity::Category {
            if let Some(first) = seen.insert((row.time.clone(), row.app.clone(), row.info_type), n) {
                return reject("row", format!("row {n}: repeats the day, app and info_type of row {first}"));
            }
        }
        out.push(row);
    }
    Ok(out)
}

fn check_row(r: &RowRules<'_>, row: &Value) -> Result<Row, String> {
    let m = r.manifest;
    let Value::Object(o) = row else {
        return Err("not an object".into());
    };
    if let Some(missing) = r.fields.iter().find(|k| !o.contains_key(**k)) {
        return Err(format!("missing key {missing:?}"));
    }
    if let Some(extra) = o.keys().find(|k| !r.fields.contains(k.as_str())) {
        return Err(format!("unexpected key {:?} (not in the manifest's fields)", short(extra)));
    }
    let time = str_of(o, r.time_key).unwrap_or("");
    if !time_shape_ok(m.granularity, time) {
        return Err(format!("{} is not {}", r.time_key, time_shape(m.granularity)));
    }
    let day = &time[..10];
    if day < m.from.as_str() || day > m.to.as_str() {
        return Err(format!("{} is outside the study period {} to {}", r.time_key, m.from, m.to));
    }
    let app = str_of(o, r.app_key).unwrap_or("");
    let app_ok = match m.app_identity {
        AppIdentity::Package => !app.is_empty() && app.len() <= 255 && !app.chars().any(char::is_control),
        AppIdentity::Category => app == "unknown" || PolicyPack::embedded().category(app).is_some(),
        AppIdentity::SaltedHash => {
            app.len() == 32 && app.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
    };
    if !app_ok {
        return Err(format!("{} is not {}", r.app_key, app_shape(m.app_identity)));
    }
    let info_type = str_of(o, "info_type")
        .and_then(|t| t.parse::<InfoType>().ok())
        .filter(|t| r.wanted.contains(t))
        .ok_or("info_type is not one of the manifest's info_types")?;
    let (count, background_count) = match m.level {
        Level::DailyCounts => {
            let min = m.min_count.max(1);
            let count = o
                .get("count")
                .and_then(Value::as_u64)
                .filter(|c| *c >= min)
                .and_then(|c| i64::try_from(c).ok())
                .ok_or_else(|| format!("count is not a whole number of at least {min}"))?;
            let background = if m.background {
                let b = o
                    .get("background_count")
                    .and_then(Value::as_i64)
                    .filter(|b| (0..=count).contains(b))
                    .ok_or("background_count is not a whole number between 0 and count")?;
                Some(b)
            } else {
                None
            };
            (count, background)
        }
        Level::Events => {
            let background = if m.background {
                Some(i64::from(o.get("background").and_then(Value::as_bool).ok_or("background is not true or false")?))
            } else {
                None
            };
            (1, background)
        }
    };
    Ok(Row { time: time.to_owned(), app: app.to_owned(), info_type, count, background_count })
}

fn str_of<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

fn time_shape(g: Granularity) -> &'static str {
    match g {
        Granularity::Day => "a date YYYY-MM-DD",
        Granularity::Hour => "an hour YYYY-MM-DDTHH",
        Granularity::Exact => "a time YYYY-MM-DD HH:MM:SS.mmm",
    }
}

fn app_shape(a: AppIdentity) -> &'static str {
    match a {
        AppIdentity::Package => "a package name",
        AppIdentity::Category => "one of the 39 category ids or unknown",
        AppIdentity::SaltedHash => "32 lowercase hexadecimal digits",
    }
}

fn time_shape_ok(g: Granularity, t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let date_ok = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && t[..10].parse::<jiff::civil::Date>().is_ok();
    let two = |i: usize, max: u32| digits(i..i + 2) && t[i..i + 2].parse::<u32>().is_ok_and(|v| v <= max);
    date_ok
        && match g {
            Granularity::Day => b.len() == 10,
            Granularity::Hour => b.len() == 13 && b[10] == b'T' && two(11, 23),
            Granularity::Exact => {
                b.len() == 23
                    && b[10] == b' '
                    && two(11, 23)
                    && b[13] == b':'
                    && two(14, 59)
                    && b[16] == b':'
                    && two(17, 59)
                    && b[19] == b'.'
                    && digits(20..23)
            }
        }
}

/// A version-4 UUID exactly as `opsight donate` writes it: `8-4-4-4-12` lowercase hexadecimal digits, version
/// nibble `4`, variant nibble `8`, `9`, `a` or `b`. One spelling only: the duplicate check compares ids as
/// strings, and a withdrawal finds a bundle by grepping for its id, so a re-cased copy of a donation would be
/// counted twice and survive its withdrawal.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// A key name from a file, shortened for a one-line message.
fn short(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// The core's `invalid input: study manifest: …` without its prefix.
pub fn strip_invalid_input(e: &opsight_core::Error) -> String {
    let text = e.to_string();
    text.strip_prefix("invalid input: ").unwrap_or(&text).to_owned()
}

/// The manifest keys in which two manifests differ, for the mismatch message.
pub fn manifest_differences(a: &StudyManifest, b: &StudyManifest) -> Vec<String> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (serde_json::to_value(a), serde_json::to_value(b)) else {
        return Vec::new();
    };
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_shapes() {
        assert!(time_shape_ok(Granularity::Day, "2027-01-31"));
        assert!(!time_shape_ok(Granularity::Day, "2027-02-30"));
        assert!(!time_shape_ok(Granularity::Day, "2027-01-31T10"));
        assert!(time_shape_ok(Granularity::Hour, "2027-01-31T23"));
        assert!(!time_shape_ok(Granularity::Hour, "2027-01-31T24"));
        assert!(!time_shape_ok(Granularity::Hour, "2027-01-31 10"));
        assert!(time_shape_ok(Granularity::Exact, "2027-01-31 10:59:59.123"));
        assert!(!time_shape_ok(Granularity::Exact, "2027-01-31 10:60:59.123"));
        assert!(!time_shape_ok(Granularity::Exact, "2027-01-31 10:59:59"));
        assert!(!time_shape_ok(Granularity::Day, "２０２７-01-31"), "no panic on multi-byte text");
        assert!(!time_shape_ok(Granularity::Exact, ""));
    }

    /// The test bundle's donation id.
    const ID: &str = "0f1e2d3c-4b5a-4697-8877-665544332211";

    /// A sealed bundle of `rows` under a manifest of `identity` and `level` (study period 2027-01-01 to 01-07).
    fn bundle(identity: &str, level: &str, rows: Value, exclusions: Value) -> Vec<u8> {
        let manifest = serde_json::json!({
            "study_id": "s-2027", "title": "t", "researcher": "r", "contact": "c@example.org", "purpose": "p",
            "info_types": ["sms"], "granularity": "day", "level": level, "app_identity": identity,
            "from": "2027-01-01", "to": "2027-01-07", "min_count": 1, "retention": "one year"
        });
        let fields = row_fields(&StudyManifest::from_json(&manifest.to_string()).expect("manifest"));
        let mut b = serde_json::json!({
            "opsight_donation": 1, "donation_id": ID, "manifest": manifest,
            "fields": fields, "rows": rows, "exclusions": exclusions, "suppressed_groups": 0, "checksum": ""
        });
        b["checksum"] = Value::from(checksum(&b));
        serde_json::to_vec(&b).expect("json")
    }

    fn none_excluded() -> Value {
        serde_json::json!({"packages": 0, "rows_by_package": 0, "rows": 0})
    }

    /// The rejection of a daily-counts bundle by package with these rows: `(code, reason)`, or `None` if accepted.
    fn verdict(rows: Value) -> Option<(&'static str, String)> {
        check_bundle(&bundle("package", "daily_counts", rows, none_excluded())).err().map(|r| (r.code, r.reason))
    }

    fn day(app: &str, day: &str) -> Value {
        serde_json::json!({"day": day, "package": app, "info_type": "sms", "count": 3})
    }

    #[test]
    fn a_bad_manifest_in_a_bundle_is_named_without_a_position_it_does_not_have() {
        let mut b: Value =
            serde_json::from_slice(&bundle("package", "daily_counts", serde_json::json!([]), none_excluded()))
                .expect("json");
        b["manifest"]["min_count"] = serde_json::json!(-1);
        b["checksum"] = Value::from(checksum(&b));
        let r = check_bundle(&serde_json::to_vec(&b).expect("json")).expect_err("refused");
        assert_eq!(
            (r.code, r.reason.as_str()),
            (
                "manifest",
                "the manifest is not valid: study manifest: a value of the wrong type, or not one of those allowed"
            )
        );
        b["manifest"]["min_count"] = serde_json::json!(1);
        b["manifest"].as_object_mut().expect("object").remove("retention");
        b["checksum"] = Value::from(checksum(&b));
        let r = check_bundle(&serde_json::to_vec(&b).expect("json")).expect_err("refused");
        assert_eq!(r.reason, "the manifest is not valid: study manifest: the field `retention` is missing");
    }

    #[test]
    fn rows_are_checked_one_by_one() {
        let row = |reason: &str| Some(("row", reason.to_owned()));
        assert_eq!(verdict(serde_json::json!([day("com.a", "2027-01-01"), day("com.a", "2027-01-07")])), None);
        assert_eq!(
            verdict(serde_json::json!([day("com.a", "2027-01-08")])),
            row("row 1: day is outside the study period 2027-01-01 to 2027-01-07")
        );
        assert_eq!(verdict(serde_json::json!([day("com.a", "2027-01")])), row("row 1: day is not a date YYYY-MM-DD"));
        // A package name: not empty, at most 255 bytes, no control characters.
        assert_eq!(verdict(serde_json::json!([day(&"a".repeat(255), "2027-01-01")])), None);
        for bad in [String::new(), "a".repeat(256), "com.a\nrow 2: forged".to_owned()] {
            assert_eq!(
                verdict(serde_json::json!([day(&bad, "2027-01-01")])),
                row("row 1: package is not a package name")
            );
        }
        // Daily counts by package: one row per day, app and type.
        assert_eq!(
            verdict(serde_json::json!([
                day("com.a", "2027-01-01"),
                day("com.b", "2027-01-01"),
                day("com.a", "2027-01-01")
            ])),
            row("row 3: repeats the day, app and info_type of row 1")
        );
        // Events repeat: two reads on one day are two rows.
        let event = serde_json::json!({"day": "2027-01-01", "package": "com.a", "info_type": "sms"});
        let events = bundle("package", "events", serde_json::json!([event, event]), none_excluded());
        assert_eq!(check_bundle(&events).map(|b| b.rows.len()).map_err(|r| r.reason), Ok(2));
        // Salted hashes: exactly 32 lowercase hexadecimal digits.
        let hashed = |app: &str| {
            let row = serde_json::json!({"day": "2027-01-01", "app": app, "info_type": "sms", "count": 1});
            check_bundle(&bundle("salted_hash", "daily_counts", serde_json::json!([row]), none_excluded()))
                .err()
                .map(|r| r.reason)
        };
        assert_eq!(hashed("0123456789abcdef0123456789abcdef"), None);
        for bad in ["0123456789abcdef0123456789abcdeg", "0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF"] {
            assert_eq!(hashed(bad).as_deref(), Some("row 1: app is not 32 lowercase hexadecimal digits"), "{bad}");
        }
    }

    #[test]
    fn exclusions_are_three_counts() {
        let rows = serde_json::json!([day("com.a", "2027-01-01")]);
        let excluded =
            |e: Value| check_bundle(&bundle("package", "daily_counts", rows.clone(), e)).err().map(|r| r.code);
        assert_eq!(excluded(none_excluded()), None);
        assert_eq!(excluded(serde_json::json!({"packages": 1, "rows_by_package": 4, "rows": 2})), None);
        for bad in [
            serde_json::json!({"packages": 0, "rows": 0}),
            serde_json::json!({"packages": 0, "rows_by_package": 0, "rows": 0, "apps": ["com.secret"]}),
            serde_json::json!({"packages": ["com.secret"], "rows_by_package": 0, "rows": 0}),
            serde_json::json!({"packages": -1, "rows_by_package": 0, "rows": 0}),
            serde_json::json!([]),
        ] {
            assert_eq!(excluded(bad.clone()), Some("schema"), "{bad}");
        }
    }

    #[test]
    fn names_from_a_file_are_shortened_to_forty_characters() {
        assert_eq!(short(&"k".repeat(40)), "k".repeat(40));
        assert_eq!(short(&"k".repeat(41)), format!("{}…", "k".repeat(40)));
        assert_eq!(short("a\u{7}b"), "ab");
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("0f1e2d3c-4b5a-4697-8877-665544332211"));
        assert!(!is_uuid("0f1e2d3c-4b5a-4697-8877-66554433221"));
        assert!(!is_uuid("0f1e2d3c04b5a-4697-8877-665544332211"));
        // What `opsight donate` writes from all-zero and all-one random bytes, and each variant nibble.
        assert!(is_uuid("00000000-0000-4000-8000-000000000000"));
        assert!(is_uuid("ffffffff-ffff-4fff-bfff-ffffffffffff"));
        for variant in ['8', '9', 'a', 'b'] {
            assert!(is_uuid(&format!("0f1e2d3c-4b5a-4697-{variant}877-665544332211")), "{variant}");
        }
        for bad in [
            // Upper case: one donation re-cased would pass the duplicate check (and escape a withdrawal's grep).
            "0F1E2D3C-4B5A-4697-8877-665544332211",
            "0f1e2d3c-4b5a-4697-8877-66554433221A",
            // The nil UUID, and other versions or variants than those of a random version-4 id.
            "00000000-0000-0000-0000-000000000000",
            "0f1e2d3c-4b5a-1697-8877-665544332211",
            "0f1e2d3c-4b5a-4697-7877-665544332211",
            "0f1e2d3c-4b5a-4697-c877-665544332211",
            // Not hexadecimal digits; a sign where a dash goes; 36 bytes but not 36 characters.
            "0f1e2d3c-4b5a-4697-8877-66554433221g",
            "0f1e2d3c+4b5a-4697-8877-665544332211",
            "０f1e2d3c-4b5a-4697-8877-6655443322",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }

    /// The verdict on the test bundle with `edit` applied and its checksum recomputed, as anyone can.
    fn resealed(edit: impl FnOnce(&mut Value)) -> Result<Bundle, Rejection> {
        let rows = serde_json::json!([day("com.a", "2027-01-01")]);
        let mut b: Value =
            serde_json::from_slice(&bundle("package", "daily_counts", rows, none_excluded())).expect("json");
        edit(&mut b);
        b["checksum"] = Value::from(checksum(&b));
        check_bundle(&serde_json::to_vec(&b).expect("json"))
    }

    #[test]
    fn a_donation_id_is_taken_only_as_opsight_donate_writes_it() {
        assert_eq!(resealed(|_| {}).map(|b| b.donation_id).map_err(|r| r.reason).as_deref(), Ok(ID));
        let refused = Err((
            "donation_id",
            "donation_id is not a version-4 UUID as opsight donate writes it (8-4-4-4-12 lowercase hexadecimal \
             digits)"
                .to_owned(),
        ));
        for id in [ID.to_uppercase(), "00000000-0000-0000-0000-000000000000".to_owned()] {
            let verdict = resealed(|b| b["donation_id"] = Value::from(id.as_str()));
            assert_eq!(verdict.map(|b| b.donation_id).map_err(|r| (r.code, r.reason)), refused, "{id}");
        }
    }

    #[test]
    fn counts_past_what_a_signed_64_bit_integer_holds_are_refused() {
        let max = i64::MAX as u64;
        let counts = |b: Bundle| (b.suppressed_groups, b.excluded);
        let verdict = resealed(|b| {
            b["suppressed_groups"] = Value::from(max);
            b["exclusions"] = serde_json::json!({"packages": max, "rows_by_package": max, "rows": max});
        });
        assert_eq!(verdict.map(counts).map_err(|r| r.reason), Ok((max, [max; 3])));
        // Read back as int64, these would be -1 and i64::MIN.
        let verdict = resealed(|b| b["suppressed_groups"] = Value::from(u64::MAX));
        assert_eq!(
            verdict.map(counts).map_err(|r| (r.code, r.reason)),
            Err(("schema", "suppressed_groups is not a whole number from 0 to 9223372036854775807".to_owned()))
        );
        for key in ["packages", "rows_by_package", "rows"] {
            let verdict = resealed(|b| b["exclusions"][key] = Value::from(max + 1));
            assert_eq!(
                verdict.map(counts).map_err(|r| (r.code, r.reason)),
                Err((
                    "schema",
                    "exclusions must hold exactly packages, rows_by_package and rows, as counts (whole numbers from 0 \
                     to 9223372036854775807)"
                        .to_owned()
                )),
                "{key}"
            );
        }
    }
}
