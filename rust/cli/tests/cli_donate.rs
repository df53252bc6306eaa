//! `opsight donate` and `opsight research aggregate` driven as processes: the preview, exclusions, the bundle,
//! refusals, and the Parquet dataset read back with the parquet crate.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::{json, Value};

fn json_of(out: &Output) -> Value {
    assert_ok(out);
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// An Android 11 dump (Asia/Shanghai): the loan app reads SMS three times on 2027-01-01 (two in the background) and
/// contacts once; QQ Music reads contacts twice on 2027-01-02 (in the background); the diary reads SMS once; a
/// camera access is not asked for; an SMS read on 2026-12-31 is before the study.
const DUMP_1: &str = "Current AppOps Service state:
  Uid u0a100:
    Package org.example.loans:
      READ_SMS (allow):
        null=[
          Access: [bg-s] 2027-01-01 10:00:00.000 (-1h0m0s0ms)
          Access: [cch-s] 2027-01-01 10:10:00.000 (-50m0s0ms)
          Access: [top-s] 2027-01-01 10:20:00.000 (-40m0s0ms)
        ]
      READ_CONTACTS (allow):
        null=[
          Access: [bg-s] 2027-01-01 10:30:00.000 (-30m0s0ms)
        ]
      CAMERA (allow):
        null=[
          Access: [top-s] 2027-01-01 10:40:00.000 (-20m0s0ms)
        ]
  Uid u0a101:
    Package org.secret.diary:
      READ_SMS (allow):
        null=[
          Access: [top-s] 2026-12-31 09:00:00.000 (-25h0m0s0ms)
          Access: [fg-s] 2027-01-01 10:50:00.000 (-10m0s0ms)
        ]
";

const DUMP_2: &str = "Current AppOps Service state:
  Uid u0a100:
    Package org.example.loans:
      READ_SMS (allow):
        null=[
          Access: [bg-s] 2027-01-01 10:05:00.000 (-24h55m0s0ms)
        ]
  Uid u0a102:
    Package com.tencent.qqmusic:
      READ_CONTACTS (allow):
        null=[
          Access: [bg-s] 2027-01-02 08:00:00.000 (-3h0m0s0ms)
          Access: [cch-s] 2027-01-02 09:00:00.000 (-2h0m0s0ms)
        ]
";

const INVENTORY: &str = r#"{"opsight_inventory": 1, "device": {"zone": "Asia/Shanghai"},
  "packages": [{"package": "org.secret.diary", "label": "My Secret Diary"}, {"package": "com.tencent.qqmusic", "label": "QQ音乐"}]}"#;

fn manifest(study: &str, identity: &str, level: &str, granularity: &str, min_count: u64, background: bool) -> Value {
    let mut m = json!({
        "study_id": study, "title": "SMS and contacts in 2027", "researcher": "Dr. Researcher",
        "contact": "study@example.org", "purpose": "Measure reads of SMS and contacts",
        "info_types": ["sms", "contacts"], "granularity": granularity, "level": level, "app_identity": identity,
        "from": "2027-01-01", "to": "2027-01-07", "min_count": min_count, "retention": "two years"
    });
    if background {
        m["background"] = json!(true);
    }
    m
}

/// A database with both dumps and the inventory, and a manifest file: daily counts by package with the
/// background split, min_count 2.
fn phone(dir: &TempDir) -> (PathBuf, PathBuf) {
    let db = dir.path("phone.db");
    for (name, dump, captured) in
        [("d1.txt", DUMP_1, "2027-01-01T03:00:00Z"), ("d2.txt", DUMP_2, "2027-01-02T03:00:00Z")]
    {
        std::fs::write(dir.path(name), dump).expect("write dump");
        assert_ok(&run(opsight()
            .args(["ingest", "--zone", "Asia/Shanghai", "--captured-at", captured, "--db"])
            .arg(&db)
            .arg(dir.path(name))));
    }
    std::fs::write(dir.path("inventory.json"), INVENTORY).expect("write inventory");
    assert_ok(&run(opsight().args(["packages", "--db"]).arg(&db).arg(dir.path("inventory.json"))));
    let m = write_manifest(dir, "m.json", &manifest("sms-2027", "package", "daily_counts", "day", 2, true));
    (db, m)
}

fn write_manifest(dir: &TempDir, name: &str, m: &Value) -> PathBuf {
    let path = dir.path(name);
    std::fs::write(&path, serde_json::to_vec_pretty(m).expect("json")).expect("write manifest");
    path
}

fn donate(db: &Path, manifest: &Path) -> Command {
    let mut cmd = opsight();
    cmd.args(["donate", "--db"]).arg(db).arg("--manifest").arg(manifest);
    cmd
}

/// `donate` with the review code of a preview just read, as a donor exports.
fn reviewed(db: &Path, manifest: &Path) -> Command {
    let preview = json_of(&run(donate(db, manifest).args(["--preview", "--json"])));
    let code = preview["review_code"].as_str().expect("review code").to_owned();
    let mut cmd = donate(db, manifest);
    cmd.args(["--reviewed", &code]);
    cmd
}

#[test]
fn the_preview_shows_the_study_every_row_and_what_is_suppressed() {
    let dir = TempDir::new("preview");
    let (db, m) = phone(&dir);
    let doc = json_of(&run(donate(&db, &m).args(["--preview", "--json"])));
    let id = |i: usize| doc["rows"][i]["row_id"].as_str().expect("row id").to_owned();
    let loans_row = format!("{}  org.example.loans", id(0));
    let music_row = format!("{}  QQ音乐 (com.tencent.qqmusic)", id(1));
    let out = run(donate(&db, &m).arg("--preview"));
    assert_ok(&out);
    let text = stdout(&out);
    for needle in [
        "Study sms-2027: SMS and contacts in 2027",
        "  researcher:   Dr. Researcher",
        "  contact:      study@example.org",
        "  purpose:      Measure reads of SMS and contacts",
        "  retention:    two years",
        "  information:  sms, contacts",
        "  period:       2027-01-01 to 2027-01-07",
        "  granularity:  day (the day of each access)",
        "  level:        daily counts",
        "  apps as:      package names",
        "  min_count:    2",
        "  background:   yes",
        "  each row:     day, package, info_type, count, background_count",
        "Rows that would leave (2)",
        loans_row.as_str(),
        r#"{"background_count":3,"count":4,"day":"2027-01-01","info_type":"sms","package":"org.example.loans"}"#,
        music_row.as_str(),
        r#"{"background_count":2,"count":2,"day":"2027-01-02","info_type":"contacts","package":"com.tencent.qqmusic"}"#,
        "contacts   2",
        "sms        4",
        "Suppressed (2 groups with fewer than 2 accesses",
        "2027-01-01  org.example.loans  contacts   1",
        "2027-01-01  org.secret.diary   sms        1",
        "Nothing has been written or sent.",
        "To leave out apps or rows, give --exclude with a file such as",
    ] {
        assert!(text.contains(needle), "preview lacks {needle:?}:\n{text}");
    }
    assert!(!text.contains("camera"), "not asked for: {text}");
    // A min_count that leaves nothing out says so, not "fewer than 1 access".
    let every = write_manifest(&dir, "every.json", &manifest("sms-2027", "package", "daily_counts", "day", 1, true));
    let text = stdout(&run(donate(&db, &every).arg("--preview")));
    assert!(text.contains("  min_count:    1 (nothing is left out for being rare)\n"), "{text}");
    assert!(text.contains("\nSuppressed: nothing (min_count 1 leaves nothing out)\n"), "{text}");

    assert_eq!(doc["opsight_donation_preview"], 1);
    assert_eq!(doc["manifest"]["study_id"], "sms-2027");
    assert_eq!(doc["fields"], json!(["day", "package", "info_type", "count", "background_count"]));
    assert!(id(0).starts_with("r-") && id(0).len() == 14, "content-derived row ids");
    assert_eq!(doc["rows"][1]["label"], "QQ音乐");
    assert_eq!(doc["rows"][1]["leaves"]["count"], 2);
    assert_eq!(doc["totals"], json!({"contacts": 2, "sms": 4}));
    assert_eq!(doc["suppressed"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["excluded_rows"], json!([]));

    // With exclusions the preview marks what would be left out; unknown names are reported.
    std::fs::write(dir.path("x.json"), r#"{"packages": ["com.tencent.qqmusic", "com.nothere"], "rows": ["r9"]}"#)
        .expect("write");
    let out = run(donate(&db, &m).args(["--preview", "--exclude"]).arg(dir.path("x.json")));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("Rows (2 in all; 1 excluded: 1 by app, 0 by row id; 1 would leave)"), "{text}");
    assert!(
        text.contains("INFO TYPE  ACCESSES  AFTER EXCLUSIONS\ncontacts   2         0\nsms        4         4\n"),
        "{text}"
    );
    assert!(!text.contains("To leave out apps or rows"), "the hint is for a preview with no --exclude: {text}");
    assert!(stderr(&out).contains("com.nothere, which has no row"), "{}", stderr(&out));
    assert!(stderr(&out).contains("r9"), "{}", stderr(&out));
    let music_id = id(1);
    let doc = json_of(&run(donate(&db, &m).args(["--preview", "--json", "--exclude"]).arg(dir.path("x.json"))));
    assert_eq!(doc["excluded_rows"], json!([music_id]));
    // Excluded by app and by row id, nothing is left.
    std::fs::write(dir.path("all.json"), format!(r#"{{"packages": ["com.tencent.qqmusic"], "rows": ["{}"]}}"#, id(0)))
        .expect("write");
    let text = stdout(&run(donate(&db, &m).args(["--preview", "--exclude"]).arg(dir.path("all.json"))));
    assert!(text.contains("Rows (2 in all; 2 excluded: 1 by app, 1 by row id; 0 would leave)"), "{text}");
    // An app with only suppressed groups: excluding it leaves its groups out of the count that leaves.
    std::fs::write(dir.path("diary.json"), r#"{"packages": ["org.secret.diary"]}"#).expect("write");
    let out = run(donate(&db, &m).args(["--preview", "--exclude"]).arg(dir.path("diary.json")));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("only their number does: 1 after exclusions)"), "{text}");
    assert!(
        text.contains("DAY         APP                INFO TYPE  ACCESSES  EXCLUDED\n")
            && text.contains("2027-01-01  org.example.loans  contacts   1\n")
            && text.contains("2027-01-01  org.secret.diary   sms        1         app\n"),
        "{text}"
    );
    assert_eq!(stderr(&out), "", "the diary has a suppressed group, so the name matches something");
    let bundle_path = dir.path("no-diary.json");
    let out =
        run(reviewed(&db, &m).arg("--out").arg(&bundle_path).args(["--json", "--exclude"]).arg(dir.path("diary.json")));
    assert_eq!(json_of(&out)["suppressed_groups"], 1);
    let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle_path).expect("bundle")).expect("json");
    assert_eq!((bundle["suppressed_groups"].as_u64(), bundle["rows"].as_array().map(Vec::len)), (Some(1), Some(2)));

    // Salted hashes are shown as pseudonyms, never as packages in what leaves.
    let hm = write_manifest(&dir, "hm.json", &manifest("sms-2027", "salted_hash", "events", "hour", 1, false));
    let doc = json_of(&run(donate(&db, &hm).args(["--preview", "--json"])));
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 8, "4 loan SMS, 1 loan contacts, 1 diary SMS, 2 QQ Music contacts");
    assert!(rows.iter().all(|r| r["leaves"]["app"].as_str().is_some_and(|a| a.ends_with("(hashed on export)"))));
}

#[test]
fn export_honours_exclusions_and_refuses_to_overwrite() {
    let dir = TempDir::new("export");
    let (db, m) = phone(&dir);
    let bundle_path = dir.path("donation.json");
    let out = run(reviewed(&db, &m).arg("--out").arg(&bundle_path));
    assert_ok(&out);
    let text = stdout(&out);
    let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle_path).expect("bundle")).expect("json");
    let id = bundle["donation_id"].as_str().expect("id").to_owned();
    assert!(text.contains(&format!("Donation id: {id}")), "{text}");
    assert!(text.contains("Keep this id: it is how you ask Dr. Researcher (study@example.org)"), "{text}");
    assert!(text.contains("2 rows for study sms-2027"), "{text}");
    assert!(
        text.contains("\n  suppressed: 2 groups below min_count 2 (only their number is in the bundle)\n"),
        "{text}"
    );
    assert!(!text.contains("excluded:"), "nothing was excluded: {text}");
    let written = std::fs::read(&bundle_path).expect("bundle");
    assert!(written.ends_with(b"}\n") && !written.ends_with(b"\n\n"), "one newline at the end");
    assert_eq!(bundle["rows"].as_array().map(Vec::len), Some(2));
    assert_eq!(bundle["suppressed_groups"], 2);
    assert_eq!(bundle["checksum"].as_str(), Some(opsight_core::donate::checksum(&bundle).as_str()));

    // An existing file is refused and left alone; --force replaces it with a new donation.
    let out = run(reviewed(&db, &m).arg("--out").arg(&bundle_path));
    assert_fails(&out, 1, "exists: give --force");
    let again: Value = serde_json::from_slice(&std::fs::read(&bundle_path).expect("bundle")).expect("json");
    assert_eq!(again["donation_id"], id.as_str());
    let preview = json_of(&run(donate(&db, &m).args(["--preview", "--json"])));
    let loans_id = preview["rows"][0]["row_id"].as_str().expect("id").to_owned();
    std::fs::write(dir.path("x.json"), format!(r#"{{"packages": ["com.tencent.qqmusic"], "rows": ["{loans_id}"]}}"#))
        .expect("write");
    let doc = json_of(&run(reviewed(&db, &m)
        .arg("--out")
        .arg(&bundle_path)
        .args(["--force", "--json", "--exclude"])
        .arg(dir.path("x.json"))));
    assert_eq!(doc["opsight_donate"], 1);
    assert_ne!(doc["donation_id"], id.as_str(), "a new id at every export");
    assert_eq!((doc["rows"].as_u64(), doc["suppressed_groups"].as_u64()), (Some(0), Some(2)));
    assert_eq!(doc["exclusions"], json!({"packages": 1, "rows_by_package": 1, "rows": 1}));
    let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle_path).expect("bundle")).expect("json");
    assert_eq!(bundle["rows"], json!([]));
    assert_eq!(bundle["donation_id"], doc["donation_id"]);
    assert_eq!(bundle["checksum"], doc["checksum"]);
    assert!(!std::fs::read_to_string(&bundle_path).expect("text").contains("qqmusic"));
    // The same in words; an app excluded alone, and a study with nothing suppressed.
    std::fs::write(dir.path("app.json"), r#"{"packages": ["com.tencent.qqmusic"]}"#).expect("write");
    let out =
        run(reviewed(&db, &m).arg("--out").arg(&bundle_path).args(["--force", "--exclude"]).arg(dir.path("app.json")));
    assert!(stdout(&out).contains("\n  excluded:   1 app (1 row) and 0 rows by id\n"), "{}", stdout(&out));
    std::fs::write(dir.path("row.json"), format!(r#"{{"rows": ["{loans_id}"]}}"#)).expect("write");
    let out =
        run(reviewed(&db, &m).arg("--out").arg(&bundle_path).args(["--force", "--exclude"]).arg(dir.path("row.json")));
    assert!(stdout(&out).contains("\n  excluded:   0 apps (0 rows) and 1 row by id\n"), "{}", stdout(&out));
    let every = write_manifest(&dir, "every.json", &manifest("sms-2027", "package", "daily_counts", "day", 1, false));
    let out = run(reviewed(&db, &every).arg("--out").arg(dir.path("every-bundle.json")));
    assert_ok(&out);
    assert!(!stdout(&out).contains("suppressed:"), "{}", stdout(&out));

    // A row id the donation does not have is refused: nothing is written.
    std::fs::write(dir.path("typo.json"), r#"{"rows": ["r7"]}"#).expect("write");
    let out = run(reviewed(&db, &m).arg("--out").arg(dir.path("new.json")).arg("--exclude").arg(dir.path("typo.json")));
    assert_fails(&out, 1, "typo.json names rows this donation does not have (r7)");
    assert!(!dir.path("new.json").exists());
}

#[test]
fn bad_manifests_exclusions_and_arguments_are_refused() {
    let dir = TempDir::new("refusals");
    let (db, m) = phone(&dir);
    let bad = write_manifest(&dir, "bad.json", &manifest("sms-2027", "package", "daily_counts", "hour", 1, false));
    let out = run(donate(&db, &bad).arg("--preview"));
    assert_fails(&out, 1, "bad.json: study manifest: level daily_counts needs granularity day");
    let mut unknown = manifest("sms-2027", "package", "daily_counts", "day", 1, false);
    unknown["device_model"] = json!(true);
    let unknown = write_manifest(&dir, "unknown.json", &unknown);
    assert_fails(
        &run(donate(&db, &unknown).arg("--preview")),
        1,
        "study manifest: unknown field `device_model` at line 4",
    );
    std::fs::write(dir.path("notjson.json"), "{").expect("write");
    assert_fails(&run(donate(&db, &dir.path("notjson.json")).arg("--preview")), 1, "not valid JSON");
    assert_fails(&run(donate(&db, &dir.path("missing.json")).arg("--preview")), 1, "cannot read manifest");
    std::fs::write(dir.path("x.json"), r#"["org.example.loans"]"#).expect("write");
    let out = run(donate(&db, &m).args(["--preview", "--exclude"]).arg(dir.path("x.json")));
    assert_fails(&out, 1, "exclusions: expected {\"packages\": [...], \"rows\": [...]}");
    assert_fails(&run(donate(&dir.path("none.db"), &m).arg("--preview")), 1, "no database at");
    assert!(!dir.path("none.db").exists(), "no database is created");
    // Neither or both of --preview and --out, --force without --out: usage errors.
    assert_eq!(run(&mut donate(&db, &m)).status.code(), Some(2));
    assert_eq!(run(donate(&db, &m).args(["--preview", "--out", "x.json"])).status.code(), Some(2));
    assert_eq!(run(donate(&db, &m).args(["--preview", "--force"])).status.code(), Some(2));
}

/// Exports `n` bundles of `manifest` into `dir/name-<i>.json`.
fn export_bundles(db: &Path, manifest: &Path, out_dir: &Path, name: &str, n: usize) -> Vec<Value> {
    std::fs::create_dir_all(out_dir).expect("bundles dir");
    (0..n)
        .map(|i| {
            let path = out_dir.join(format!("{name}-{i}.json"));
            assert_ok(&run(reviewed(db, manifest).arg("--out").arg(&path)));
            serde_json::from_slice(&std::fs::read(&path).expect("bundle")).expect("json")
        })
        .collect()
}

fn write_bundle(path: &Path, mut bundle: Value, fix_checksum: bool) {
    if fix_checksum {
        bundle["checksum"] = json!(opsight_core::donate::checksum(&bundle));
    }
    std::fs::write(path, serde_json::to_vec_pretty(&bundle).expect("json")).expect("write bundle");
}

/// Every row of a Parquet file as (column → value) with strings, numbers, booleans and nulls as JSON.
fn parquet_rows(path: &Path) -> Vec<serde_json::Map<String, Value>> {
    let reader = SerializedFileReader::new(File::open(path).expect("open parquet")).expect("parquet");
    reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            row.expect("row")
                .get_column_iter()
                .map(|(name, field)| {
                    let v = match field {
                        Field::Str(s) => json!(s),
                        Field::Long(n) => json!(n),
                        Field::Bool(b) => json!(b),
                        Field::Null => Value::Null,
                        other => panic!("unexpected field {other:?}"),
                    };
                    (name.clone(), v)
                })
                .collect()
        })
        .collect()
}

#[test]
fn aggregate_validates_bundles_and_writes_a_partitioned_parquet_dataset() {
    let dir = TempDir::new("aggregate");
    let (db, m) = phone(&dir);
    let bundles = dir.path("bundles");
    let good = export_bundles(&db, &m, &bundles, "a", 3);
    // Another study, skipped with --study.
    let other =
        write_manifest(&dir, "other.json", &manifest("other-study", "category", "daily_counts", "day", 1, false));
    export_bundles(&db, &other, &bundles, "o", 1);

    let mut b = good[0].clone();
    b["rows"][0]["count"] = json!(99);
    write_bundle(&bundles.join("x-checksum.json"), b, false);
    let mut b = good[0].clone();
    b["rows"][1]["device"] = json!("Pixel");
    b["donation_id"] = json!("00000000-0000-4000-8000-000000000001");
    write_bundle(&bundles.join("x-extra-key.json"), b, true);
    let mut b = good[0].clone();
    b["manifest"]["retention"] = json!("for ever");
    b["donation_id"] = json!("00000000-0000-4000-8000-000000000002");
    write_bundle(&bundles.join("x-manifest.json"), b, true);
    let mut b = good[0].clone();
    b["rows"][0]["day"] = json!("2027-02-01");
    b["donation_id"] = json!("00000000-0000-4000-8000-000000000003");
    write_bundle(&bundles.join("x-period.json"), b, true);
    let mut b = good[1].clone();
    b["rows"] = json!([]);
    write_bundle(&bundles.join("zz-duplicate.json"), b, true);
    let mut b = good[0].clone();
    b.as_object_mut().expect("object").insert("device".into(), json!("Pixel"));
    write_bundle(&bundles.join("x-top-key.json"), b, true);
    let mut b = good[0].clone();
    b["opsight_donation"] = json!(2);
    b["donation_id"] = json!("00000000-0000-4000-8000-000000000004");
    write_bundle(&bundles.join("x-version.json"), b, true);
    std::fs::write(bundles.join("x-not-json.json"), "{\"opsight_donation\": 1,").expect("write");
    std::fs::write(bundles.join("notes.txt"), "ignored").expect("write");
    std::fs::create_dir_all(bundles.join("sub.json")).expect("a directory is not a bundle");

    let dataset = dir.path("dataset");
    let out = run(opsight()
        .args(["research", "aggregate"])
        .arg(&bundles)
        .arg("--out")
        .arg(&dataset)
        .args(["--study", "sms-2027", "--json"]));
    let report = json_of(&out);
    assert_eq!(report["opsight_research_aggregate"], 1);
    let codes: Vec<(String, String)> = report["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| (r["file"].as_str().unwrap_or("").to_owned(), r["code"].as_str().unwrap_or("").to_owned()))
        .collect();
    let expect = |v: &[(&str, &str)]| v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect::<Vec<_>>();
    assert_eq!(
        codes,
        expect(&[
            ("x-checksum.json", "checksum"),
            ("x-extra-key.json", "row"),
            ("x-manifest.json", "manifest_mismatch"),
            ("x-not-json.json", "not_json"),
            ("x-period.json", "row"),
            ("x-top-key.json", "schema"),
            ("x-version.json", "version"),
            ("zz-duplicate.json", "duplicate_donation_id"),
        ])
    );
    let reasons: Vec<&str> =
        report["rejections"].as_array().expect("rejections").iter().filter_map(|r| r["reason"].as_str()).collect();
    assert!(reasons[1].contains("row 2: unexpected key \"device\""), "{reasons:?}");
    assert!(reasons[2].contains("(a-0.json) in: retention"), "{reasons:?}");
    assert!(reasons[4].contains("row 1: day is outside the study period"), "{reasons:?}");
    assert!(reasons[5].contains("unexpected key \"device\""), "{reasons:?}");
    assert!(reasons[6].contains("bundle format version 2; this opsight reads version 1"), "{reasons:?}");
    assert!(reasons[7].contains("already accepted from a-1.json"), "{reasons:?}");
    assert_eq!((report["files"].as_u64(), report["accepted"].as_u64()), (Some(12), Some(3)));
    assert_eq!(
        (report["rejected"].as_u64(), report["skipped"].as_u64(), report["rows"].as_u64()),
        (Some(8), Some(1), Some(6))
    );
    assert_eq!(report["skipped_files"], json!([{"file": "o-0.json", "study_id": "other-study"}]));
    assert_eq!(report["studies"][0]["dates"], json!(["2027-01-01", "2027-01-02"]));
    let study = &report["studies"][0];
    assert_eq!(
        (study["donations"].as_u64(), study["rows"].as_u64(), study["files"].as_u64()),
        (Some(3), Some(6), Some(2))
    );

    // The layout, and the rows read back.
    let study = dataset.join("study_id=sms-2027");
    let names: BTreeSet<String> = std::fs::read_dir(&dataset)
        .expect("dataset")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["bundles", "category_needs.parquet", "study_id=sms-2027"].into_iter().map(String::from).collect()
    );
    let day1 = parquet_rows(&study.join("date=2027-01-01/part-0.parquet"));
    let day2 = parquet_rows(&study.join("date=2027-01-02/part-0.parquet"));
    assert_eq!((day1.len(), day2.len()), (3, 3), "one row per donation and day");
    // Every donation, with what it held and what was withheld, rows or not.
    let donations = parquet_rows(&dataset.join("bundles/study_id=sms-2027/part-0.parquet"));
    assert_eq!(donations.len(), 3);
    let ids: BTreeSet<&str> = donations.iter().filter_map(|d| d["donation_id"].as_str()).collect();
    let expected: BTreeSet<&str> = good.iter().filter_map(|b| b["donation_id"].as_str()).collect();
    assert_eq!(ids, expected);
    for d in &donations {
        let counts: Vec<i64> =
            ["rows", "suppressed_groups", "excluded_apps", "rows_excluded_by_app", "rows_excluded_by_id"]
                .iter()
                .map(|k| d[*k].as_i64().expect("count"))
                .collect();
        assert_eq!(counts, [2, 2, 0, 0, 0], "{d:?}");
    }
    // Snappy-compressed, as docs/research.md says, and signed by the writer (`created_by`).
    let file = SerializedFileReader::new(File::open(study.join("date=2027-01-01/part-0.parquet")).expect("open"))
        .expect("parquet");
    let meta = file.metadata();
    assert_eq!(meta.file_metadata().created_by(), Some(concat!("opsight ", env!("CARGO_PKG_VERSION"))));
    assert!(meta.row_group(0).columns().iter().all(|c| c.compression() == parquet::basic::Compression::SNAPPY));
    let ids: Vec<&str> = good.iter().filter_map(|b| b["donation_id"].as_str()).collect();
    assert_eq!(day1.iter().map(|r| r["donation_id"].as_str().unwrap_or("")).collect::<Vec<_>>(), ids, "file order");
    assert_eq!(
        Value::Object(day1[0].clone()),
        json!({"donation_id": ids[0], "time": "2027-01-01", "app": "org.example.loans", "app_identity": "package",
               "category": "unknown", "info_type": "sms", "count": 4, "background_count": 3})
    );
    assert_eq!(
        Value::Object(day2[2].clone()),
        json!({"donation_id": ids[2], "time": "2027-01-02", "app": "com.tencent.qqmusic", "app_identity": "package",
               "category": "online_video_music", "info_type": "contacts", "count": 2, "background_count": 2})
    );
    assert!(day1[0].get("study_id").is_none() && day1[0].get("date").is_none(), "partition columns stay in paths");
    let needs = parquet_rows(&dataset.join("category_needs.parquet"));
    assert_eq!(needs.len(), 39 * 18);
    let necessary: BTreeSet<String> = needs
        .iter()
        .filter(|r| r["necessary"] == json!(true))
        .map(|r| format!("{}/{}", r["category"].as_str().unwrap_or(""), r["info_type"].as_str().unwrap_or("")))
        .collect();
    assert!(necessary.contains("map_navigation/location"), "{necessary:?}");
    assert!(!necessary.iter().any(|n| n.starts_with("online_video_music/")), "{necessary:?}");

    // The human report: one line per rejected file, then the totals.
    let dataset2 = dir.path("dataset2");
    let out = run(opsight().args(["research", "aggregate"]).arg(&bundles).arg("--out").arg(&dataset2));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("  rejected  x-checksum.json: checksum mismatch: the bundle was changed after it was exported"),
        "{text}"
    );
    assert!(
        text.contains("  rejected  zz-duplicate.json: duplicate donation id: already accepted from a-1.json"),
        "{text}"
    );
    assert!(text.contains("accepted: 4, rejected: 8, rows: 10\n"), "both studies without --study: {text}");
    assert!(
        text.contains("study_id=sms-2027: 3 donations, 6 rows, 2 date partitions (2027-01-01 to 2027-01-02)\n"),
        "{text}"
    );
    assert!(text.ends_with("category_needs.parquet: what each category needs, for joins\n"), "{text}");
    // With --study, the other study's bundles are counted as skipped.
    let out = run(opsight()
        .args(["research", "aggregate"])
        .arg(&bundles)
        .arg("--out")
        .arg(dir.path("dataset3"))
        .args(["--study", "sms-2027"]));
    let text = stdout(&out);
    assert!(text.contains("  skipped   o-0.json: study other-study\n"), "{text}");
    assert!(text.contains("accepted: 3, rejected: 8, skipped (other studies): 1, rows: 6\n"), "{text}");
    // Identity category: the app is its category, two apps of one category are two rows; no background asked.
    let other_rows = parquet_rows(&dataset2.join("study_id=other-study/date=2027-01-01/part-0.parquet"));
    let seen: Vec<(&str, &str, &str, bool)> = other_rows
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("");
            (s("app"), s("category"), s("info_type"), r["background_count"].is_null())
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("unknown", "unknown", "contacts", true),
            ("unknown", "unknown", "sms", true),
            ("unknown", "unknown", "sms", true)
        ]
    );
    let other_rows = parquet_rows(&dataset2.join("study_id=other-study/date=2027-01-02/part-0.parquet"));
    assert_eq!(
        (other_rows[0]["app"].as_str(), other_rows[0]["category"].as_str()),
        (Some("online_video_music"), Some("online_video_music"))
    );
}

#[test]
fn aggregate_refuses_an_existing_dataset_a_foreign_manifest_and_nothing_to_do() {
    let dir = TempDir::new("aggregate-refusals");
    let (db, m) = phone(&dir);
    let bundles = dir.path("bundles");
    let good = export_bundles(&db, &m, &bundles, "a", 2);
    let dataset = dir.path("dataset");
    let aggregate = |extra: &[&str]| {
        run(opsight().args(["research", "aggregate"]).arg(&bundles).arg("--out").arg(&dataset).args(extra))
    };
    assert_ok(&aggregate(&[]));
    assert_fails(&aggregate(&[]), 1, "exists: give --force");
    let file = dir.path("a-file");
    std::fs::write(&file, "notes").expect("write");
    let out = run(opsight().args(["research", "aggregate"]).arg(&bundles).arg("--out").arg(&file).arg("--force"));
    assert_fails(&out, 1, "a-file exists and is not a directory");
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "notes");
    // --force replaces the study: a withdrawn donation disappears from the dataset.
    std::fs::remove_file(bundles.join("a-0.json")).expect("withdraw");
    let doc = json_of(&aggregate(&["--force", "--json"]));
    assert_eq!(doc["accepted"], 1);
    let rows = parquet_rows(&dataset.join("study_id=sms-2027/date=2027-01-01/part-0.parquet"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["donation_id"], good[1]["donation_id"]);
    // The study's last donation withdrawn: without --study nothing is written (other studies may share the dataset),
    // with --study and --force the study's directory goes.
    std::fs::remove_file(bundles.join("a-1.json")).expect("withdraw");
    let study_dir = dataset.join("study_id=sms-2027");
    assert_fails(&aggregate(&["--force"]), 1, "no *.json files in");
    assert!(study_dir.exists());
    let out = aggregate(&["--force", "--study", "sms-2027"]);
    assert_ok(&out);
    assert!(
        stdout(&out)
            .contains("study_id=sms-2027: removed, no bundle of the study is left (its donations were withdrawn)"),
        "{}",
        stdout(&out)
    );
    assert!(!study_dir.exists(), "the withdrawn donations are gone from the dataset");
    assert!(!dataset.join("bundles/study_id=sms-2027").exists(), "and from the bundles table");
    // Again: nothing to remove, nothing accepted.
    let out = aggregate(&["--force", "--study", "sms-2027", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("the report is still printed");
    assert_eq!((doc["accepted"].as_u64(), doc["removed"].as_array().map(Vec::len)), (Some(0), Some(0)), "{doc}");
    let names: Vec<String> = std::fs::read_dir(&dataset)
        .expect("dataset")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".opsight")), "nothing left aside: {names:?}");
    export_bundles(&db, &m, &bundles, "a", 2);

    // --manifest: every bundle must carry exactly that manifest.
    let mut differs = manifest("sms-2027", "package", "daily_counts", "day", 2, true);
    differs["title"] = json!("Another title");
    let differs = write_manifest(&dir, "differs.json", &differs);
    let out = run(opsight()
        .args(["research", "aggregate"])
        .arg(&bundles)
        .arg("--out")
        .arg(dir.path("d2"))
        .arg("--manifest")
        .arg(&differs)
        .arg("--json"));
    assert_eq!(out.status.code(), Some(1), "no bundle accepted");
    assert!(stderr(&out).contains("no bundle was accepted"), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("the report is still printed");
    assert_eq!(doc["rejections"][0]["code"], "manifest_mismatch");
    assert!(doc["rejections"][0]["reason"].as_str().unwrap_or("").contains("--manifest"), "{doc}");
    assert!(!dir.path("d2").exists(), "nothing written");
    let out = run(opsight()
        .args(["research", "aggregate"])
        .arg(&bundles)
        .arg("--out")
        .arg(dir.path("d3"))
        .arg("--manifest")
        .arg(&m)
        .args(["--study", "other"]));
    assert_fails(&out, 1, "--study other is not the study of --manifest");
    let empty = dir.path("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let out = run(opsight().args(["research", "aggregate"]).arg(&empty).arg("--out").arg(dir.path("d4")));
    assert_fails(&out, 1, "no *.json files in");
    let out = run(opsight().args(["research", "aggregate"]).arg(dir.path("nowhere")).arg("--out").arg(dir.path("d5")));
    assert_fails(&out, 1, "cannot read directory");
    assert_eq!(
        run(opsight().args(["research", "aggregate"]).arg(&bundles)).status.code(),
        Some(2),
        "--out is required"
    );
}

#[test]
fn events_with_salted_hashes_become_rows_of_one() {
    let dir = TempDir::new("events");
    let (db, _) = phone(&dir);
    let m = write_manifest(&dir, "ev.json", &manifest("ev-2027", "salted_hash", "events", "exact", 1, true));
    let bundles = dir.path("bundles");
    let exported = export_bundles(&db, &m, &bundles, "e", 2);
    // The first bundle's donor in studies of their own, with some of its rows, sealed again.
    let restudied = |file: &str, study: &str, id: &str, rows: Value| {
        let mut b = exported[0].clone();
        b["manifest"]["study_id"] = json!(study);
        b["donation_id"] = json!(id);
        b["rows"] = rows;
        write_bundle(&bundles.join(file), b, true);
    };
    // Nothing to give: the study has a donation and no rows. A single row: one date partition.
    restudied("z-empty.json", "ev-empty", "00000000-0000-4000-8000-000000000005", json!([]));
    restudied("z-one.json", "ev-one", "00000000-0000-4000-8000-000000000006", json!([exported[0]["rows"][0]]));
    let dataset = dir.path("dataset");
    let out = run(opsight().args(["research", "aggregate"]).arg(&bundles).arg("--out").arg(&dataset));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("study_id=ev-2027: 2 donations, 16 rows, 2 date partitions (2027-01-01 to 2027-01-02)\n"),
        "{text}"
    );
    assert!(text.contains("study_id=ev-one: 1 donation, 1 row, 1 date partition (2027-01-01)\n"), "{text}");
    assert!(text.contains("study_id=ev-empty: 1 donation, 0 rows, 0 date partitions (no rows)\n"), "{text}");
    assert!(dataset.join("study_id=ev-empty").is_dir());
    // A donation with nothing the study asked for still counts: it is in the study's donations table.
    let empty = parquet_rows(&dataset.join("bundles/study_id=ev-empty/part-0.parquet"));
    assert_eq!(empty.len(), 1);
    assert_eq!(
        (empty[0]["donation_id"].as_str(), empty[0]["rows"].as_i64()),
        (Some("00000000-0000-4000-8000-000000000005"), Some(0))
    );
    let rows = parquet_rows(&dataset.join("study_id=ev-2027/date=2027-01-01/part-0.parquet"));
    assert_eq!(rows.len(), 2 * 6, "4 loan SMS, 1 loan contacts and 1 diary SMS per donation");
    assert!(rows
        .iter()
        .all(|r| r["count"] == json!(1) && r["category"] == "unknown" && r["app_identity"] == "salted_hash"));
    assert_eq!(rows.iter().filter_map(|r| r["background_count"].as_i64()).sum::<i64>(), 2 * 4);
    assert_eq!(rows[0]["time"].as_str().map(str::len), Some(23), "{:?}", rows[0]);
    let hashes = |i: usize| -> BTreeSet<String> {
        exported[i]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["app"].as_str().map(String::from))
            .collect()
    };
    assert!(hashes(0).is_disjoint(&hashes(1)), "no link between donations");
}

/// Nothing leaves unreviewed: --out needs the review code the preview shows, and refuses (writing nothing) when
/// accesses were stored since; a database with several phones names the one to donate from.
#[test]
fn export_needs_the_review_code_and_one_device() {
    let dir = TempDir::new("review");
    let (db, m) = phone(&dir);
    let bundle = dir.path("donation.json");
    let out = run(donate(&db, &m).arg("--out").arg(&bundle));
    assert_fails(&out, 1, "nothing was written: run --preview first, read what would leave, and give the review code");
    assert!(!bundle.exists());
    let text = stdout(&run(donate(&db, &m).arg("--preview")));
    let code = text.lines().find_map(|l| l.strip_prefix("Review code: ")).expect("a review code").to_owned();
    assert!(text.contains(&format!("--reviewed {code} --out donation.json")), "{text}");
    assert!(text.contains("  device:       this-device (the rows are this phone's accesses)"), "{text}");
    // Stored since: a new access in the study.
    let later = dir.path("later.txt");
    std::fs::write(
        &later,
        "  Uid u0a140:\n    Package org.example.later:\n      READ_SMS (allow):\n        null=[\n          Access: [bg-s] 2027-01-02 10:00:00.000 (-1m0s0ms)\n        ]\n",
    )
    .expect("write");
    assert_ok(&run(opsight()
        .args(["ingest", "--zone", "Asia/Shanghai", "--captured-at", "2027-01-02T02:01:00Z", "--db"])
        .arg(&db)
        .arg(&later)));
    let out = run(donate(&db, &m).args(["--reviewed", &code, "--out"]).arg(&bundle));
    assert_fails(&out, 1, "changed since it was reviewed");
    assert!(!bundle.exists(), "nothing written");
    assert_ok(&run(reviewed(&db, &m).arg("--out").arg(&bundle)));

    // A second phone: the device must be named; the preview then holds its accesses alone.
    assert_ok(&run(opsight()
        .args([
            "ingest",
            "--device",
            "tablet",
            "--zone",
            "Asia/Shanghai",
            "--captured-at",
            "2027-01-02T02:01:00Z",
            "--db",
        ])
        .arg(&db)
        .arg(&later)));
    let out = run(donate(&db, &m).arg("--preview"));
    assert_fails(
        &out,
        1,
        "the database holds the accesses of 2 devices (this-device, tablet): a donation is one device's",
    );
    let doc = json_of(&run(donate(&db, &m).args(["--preview", "--json", "--device", "tablet"])));
    assert_eq!(doc["device"], "tablet");
    // Its one access, below the study's min_count of 2: a suppressed group, and nothing of the first phone.
    let of = |key: &str| -> Vec<String> {
        doc[key].as_array().expect(key).iter().filter_map(|r| r["package"].as_str().map(str::to_owned)).collect()
    };
    assert_eq!((of("rows"), of("suppressed")), (vec![], vec!["org.example.later".to_owned()]));
    let out = run(donate(&db, &m).args(["--preview", "--device", "watch"]));
    assert_fails(&out, 1, "the database has no device of that name");
}

/// With one row per access, excluding one of QQ Music's two contacts reads leaves one, below the study's min_count of
/// 2: the other is left out too, marked, and counted with the suppressed groups.
#[test]
fn row_exclusions_never_leave_a_group_below_min_count() {
    let dir = TempDir::new("too_few");
    let (db, _) = phone(&dir);
    let em = write_manifest(&dir, "events.json", &manifest("sms-2027", "package", "events", "hour", 2, false));
    let em = {
        let mut m: Value = serde_json::from_slice(&std::fs::read(&em).expect("read")).expect("json");
        m["info_types"] = json!(["contacts"]);
        write_manifest(&dir, "contacts.json", &m)
    };
    let doc = json_of(&run(donate(&db, &em).args(["--preview", "--json"])));
    let qq: Vec<String> = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["package"] == "com.tencent.qqmusic")
        .map(|r| r["row_id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(qq.len(), 2, "{doc}");
    std::fs::write(dir.path("one.json"), format!(r#"{{"rows": ["{}"]}}"#, qq[0])).expect("write");
    let out = run(donate(&db, &em).args(["--preview", "--exclude"]).arg(dir.path("one.json")));
    let text = stdout(&out);
    assert!(
        text.contains("1 by row id, 1 with too few accesses of their day, app and type left (fewer than min_count 2)"),
        "{text}"
    );
    assert!(text.contains("too few left"), "{text}");
    let doc = json_of(&run(donate(&db, &em).args(["--preview", "--json", "--exclude"]).arg(dir.path("one.json"))));
    let mut excluded: Vec<&str> =
        doc["excluded_rows"].as_array().expect("ids").iter().filter_map(Value::as_str).collect();
    excluded.sort_unstable();
    let mut want: Vec<&str> = qq.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(excluded, want);
    let bundle = dir.path("b.json");
    let out = run(reviewed(&db, &em).args(["--json", "--exclude"]).arg(dir.path("one.json")).arg("--out").arg(&bundle));
    let doc = json_of(&out);
    let written: Value = serde_json::from_slice(&std::fs::read(&bundle).expect("bundle")).expect("json");
    assert!(!serde_json::to_string(&written["rows"]).expect("json").contains("qqmusic"));
    assert_eq!(doc["suppressed_groups"], written["suppressed_groups"]);
}
