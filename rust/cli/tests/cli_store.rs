//! `opsight ingest`, `packages`, `apps` and `timeline` driven as processes against temporary databases.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::Value;

const A10: &str = "mvt-project-mvt__dumpsys_appops_samsung_a10.txt";
const A10_CAPTURED: &str = "2022-03-29T21:27:54.087Z";
const GET: &str = "MuntashirAkon-AppManager-issue29__appops_get_2020.txt";

fn json(out: &Output) -> Value {
    assert_ok(out);
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().expect("test instant").as_millisecond()
}

/// Ingests the Samsung A10 dump with its real zone and capture instant.
fn ingest_a10(db: &Path, extra: &[&str]) -> Output {
    run(opsight()
        .args(["ingest", "--zone", "Europe/Berlin", "--captured-at", A10_CAPTURED, "--db"])
        .arg(db)
        .args(extra)
        .arg(fixture(A10)))
}

fn timeline(db: &Path, args: &[&str]) -> Value {
    json(&run(opsight().args(["timeline", "--json", "--db"]).arg(db).args(args)))
}

fn ops_of(tl: &Value) -> Vec<String> {
    tl["events"].as_array().expect("events").iter().map(|e| e["op"].as_str().expect("op").to_owned()).collect()
}

#[test]
fn ingest_counts_events_and_apps_and_a_repeat_adds_nothing() {
    let dir = TempDir::new("ingest_repeat");
    let out = ingest_a10(&dir.db(), &[]);
    assert_ok(&out);
    let text = stdout(&out);
    for line in [
        "format:        dumpsys_q",
        "new events:    23",
        "known events:  0",
        "apps:          4",
        "new apps:      4",
        "truncated:     no",
        "repeat:        no",
        "duration:",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }

    let doc = json(&ingest_a10(&dir.db(), &["--json"]));
    assert_eq!(doc["opsight_ingest"], 1);
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert!(files[0]["file"].as_str().expect("file").ends_with(A10));
    let report = &files[0]["report"];
    assert_eq!(report["dialect"], "dumpsys_q");
    assert_eq!(report["new_events"], 0);
    assert_eq!(report["known_events"], 23);
    assert_eq!(report["repeat"], true);
    assert_eq!(report["truncated"], false);
    assert_eq!(report["apps"], 4);
    assert_eq!(report["new_apps"], 0);
    assert_eq!(report["clock_skew_ms"], 0, "the capture instant is the dump's own clock in Berlin");
    for key in ["run_id", "undatable_events", "unattributed_events", "bytes", "duration_ms", "history_entries"] {
        assert!(report.get(key).is_some(), "report lacks {key}: {report}");
    }
}

/// A bugreport zip (the dump inside it) stores what the dump as text stores: the same events, so the text after it
/// is a repeat; a zip with no dump in it fails before anything is stored.
#[test]
fn a_bugreport_zip_stores_what_its_text_stores() {
    let dir = TempDir::new("ingest_zip");
    let zip = dir.path("bugreport.zip");
    let text = std::fs::read(fixture(A10)).expect("fixture");
    write_zip(&zip, &[("main_entry.txt", b"bugreport-a10.txt"), ("bugreport-a10.txt", &text)], true);
    let with = |file: &Path| {
        run(opsight()
            .args(["ingest", "--json", "--zone", "Europe/Berlin", "--captured-at", A10_CAPTURED, "--db"])
            .arg(dir.db())
            .arg(file))
    };
    let doc = json(&with(&zip));
    assert_eq!(doc["files"][0]["archive_entry"], "bugreport-a10.txt");
    let report = &doc["files"][0]["report"];
    assert_eq!(
        (report["dialect"].as_str(), report["new_events"].as_i64(), report["apps"].as_i64()),
        (Some("dumpsys_q"), Some(23), Some(4))
    );
    let doc = json(&with(&fixture(A10)));
    assert_eq!(doc["files"][0].get("archive_entry"), None);
    let report = &doc["files"][0]["report"];
    assert_eq!(
        (report["new_events"].as_i64(), report["known_events"].as_i64(), report["repeat"].as_bool()),
        (Some(0), Some(23), Some(true))
    );
    // The same text in a folder (an androidqf acquisition as it is kept) is the same dump again.
    std::fs::create_dir_all(dir.path("acquisition")).expect("mkdir");
    std::fs::write(dir.path("acquisition/dumpsys.txt"), &text).expect("write");
    let doc = json(&with(&dir.path("acquisition")));
    assert_eq!(doc["files"][0]["archive_entry"], "dumpsys.txt");
    assert_eq!(doc["files"][0]["report"]["repeat"], true);
    // Saved by Windows PowerShell 5.1 (UTF-16 with a byte order mark), it is the same text again.
    let wide = dir.path("appops-utf16.txt");
    std::fs::write(&wide, utf16(std::str::from_utf8(&text).expect("utf-8"), false)).expect("write");
    assert_eq!(json(&with(&wide))["files"][0]["report"]["repeat"], true);
    let out = run(opsight().args(["ingest", "--captured-at", A10_CAPTURED, "--db"]).arg(dir.db()).arg(&zip));
    assert!(
        stdout(&out).starts_with(&format!("{} (bugreport-a10.txt in the archive)\n", zip.display())),
        "{}",
        stdout(&out)
    );

    let empty = dir.path("empty.zip");
    write_zip(&empty, &[("a.json", b"{}")], true);
    // An entry compressed with a method this build does not read (bzip2: the method field of a stored entry set to
    // 12 in its local header and in the central directory): found when the inputs are checked, not after the first
    // file was stored.
    let bzip2 = dir.path("bzip2.zip");
    write_zip(&bzip2, &[("dumpsys.txt", &text)], false);
    let mut bytes = std::fs::read(&bzip2).expect("read");
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").expect("central directory");
    bytes[8] = 12;
    bytes[central + 10] = 12;
    std::fs::write(&bzip2, bytes).expect("write");
    for bad in [&empty, &bzip2] {
        let fresh = dir.path("fresh.db");
        let out = run(opsight().args(["ingest", "--db"]).arg(&fresh).arg(fixture(A10)).arg(bad));
        assert_fails(
            &out,
            1,
            if bad == &empty {
                "is a zip archive without a bugreport or dumpsys text in it"
            } else {
                "cannot open dumpsys.txt in the archive: it is compressed with bzip2, not deflated or stored as dumps are: extract it"
            },
        );
        assert!(!fresh.exists(), "nothing stored, not even the first file");
    }
}

/// A named pipe is opened once: checking the inputs before storing keeps it open for its turn (a second open would
/// wait for a writer that has gone).
#[cfg(unix)]
#[test]
fn a_named_pipe_is_ingested() {
    let dir = TempDir::new("ingest_fifo");
    let fifo = dir.path("dump.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, std::fs::read(fixture(A10)).expect("fixture")))
    };
    let out = run(opsight()
        .args(["ingest", "--zone", "Europe/Berlin", "--captured-at", A10_CAPTURED, "--db"])
        .arg(dir.db())
        .arg(&fifo));
    assert_ok(&out);
    writer.join().expect("writer").expect("write the pipe");
    assert!(stdout(&out).contains("new events:    23"), "{}", stdout(&out));
}

/// What `ingest` stores is the file it checked: a file put in the place of an input after the inputs were checked is
/// not read. (The named pipe after it holds the command between the checks and the storing, long enough to swap.)
#[cfg(unix)]
#[test]
fn the_file_checked_is_the_file_stored() {
    let dir = TempDir::new("ingest_swap");
    let (dump, other, fifo) = (dir.path("dump.txt"), dir.path("other.txt"), dir.path("then.fifo"));
    std::fs::copy(fixture(A10), &dump).expect("copy");
    std::fs::write(&other, "Uid u0a9:\n  Package com.other:\n    CAMERA (allow):\n").expect("write");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let child = opsight()
        .args(["ingest", "--zone", "Europe/Berlin", "--captured-at", A10_CAPTURED, "--db"])
        .arg(dir.db())
        .arg(&dump)
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Opening the pipe for writing returns once the command has opened it to read: the dump before it is checked. On
    // a thread of its own, so that a command failing before it opens the pipe fails the test instead of hanging it.
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo)?;
        std::fs::rename(&other, &dump)?;
        pipe.write_all(&std::fs::read(fixture(GET))?)
    });
    let out = child.wait_with_output().expect("wait");
    assert_ok(&out);
    writer.join().expect("writer").expect("swap the dump and write the pipe");
    let text = stdout(&out);
    let first = text.split("then.fifo").next().unwrap_or_default();
    assert!(first.contains("format:        dumpsys_q") && first.contains("new events:    23"), "{text}");
}

/// Past the inputs kept open, files are opened again in their turn: the 65th here (another capture) is read and stored
/// as it is when ingested alone.
#[test]
fn inputs_past_those_kept_open_are_opened_again_and_stored() {
    let dir = TempDir::new("ingest_many");
    let a11 = "lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt";
    let mut files: Vec<PathBuf> = (0..64)
        .map(|i| {
            let path = dir.path(&format!("copy{i}.txt"));
            std::fs::copy(fixture(A10), &path).expect("copy");
            path
        })
        .collect();
    files.push(fixture(a11));
    let ingest = |db: &Path, files: &[PathBuf]| {
        run(opsight()
            .args(["ingest", "--zone", "Asia/Shanghai", "--captured-at", A10_CAPTURED, "--db"])
            .arg(db)
            .args(files))
    };
    let out = ingest(&dir.db(), &files);
    assert_ok(&out);
    let alone = ingest(&dir.path("alone.db"), &files[64..]);
    assert_ok(&alone);
    let text = stdout(&out);
    let last = text.rsplit(a11).next().unwrap_or_default();
    let new_events = |s: &str| s.lines().find(|l| l.contains("new events:")).map(str::to_owned);
    assert_eq!(new_events(last), new_events(&stdout(&alone)), "{text}");
    assert_eq!(text.matches("repeat:        yes").count(), 63, "{text}");
}

#[test]
fn the_run_records_zone_capture_instant_and_source() {
    let dir = TempDir::new("run_record");
    assert_ok(&ingest_a10(&dir.db(), &["--device", "pixel"]));
    // Without --zone and --captured-at: no zone (this computer's is not the phone's), and when the file was last
    // written; stderr says so.
    let fresh = dir.path("fresh.txt");
    std::fs::write(&fresh, fresh_dump()).expect("write");
    let written = std::fs::metadata(&fresh).and_then(|m| m.modified()).expect("modified");
    let written = jiff::Timestamp::try_from(written).expect("time").as_millisecond();
    let out = run(opsight().env("TZ", "Asia/Tokyo").args(["ingest", "--db"]).arg(dir.db()).arg(&fresh));
    assert_ok(&out);
    assert!(stderr(&out).contains("no --zone, so the device's zone is unknown"), "{}", stderr(&out));
    assert!(stderr(&out).contains("(when the file was last written: no --captured-at was given)"), "{}", stderr(&out));
    // A canonical name recorded for a zone given in another spelling.
    let out = run(opsight()
        .args(["ingest", "--json", "--zone", "europe/berlin", "--captured-at", A10_CAPTURED, "--db"])
        .arg(dir.db())
        .arg(fixture(A10)));
    assert_ok(&out);
    // From a pipe, with no file time: now.
    let before = jiff::Timestamp::now().as_millisecond();
    let mut child = opsight()
        .args(["ingest", "--db"])
        .arg(dir.db())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(fresh_dump().as_bytes()).expect("write");
    let piped = child.wait_with_output().expect("wait");
    assert_ok(&piped);
    assert!(stderr(&piped).contains("(now: no --captured-at was given)"), "{}", stderr(&piped));
    let after = jiff::Timestamp::now().as_millisecond();

    let conn = rusqlite::Connection::open(dir.db()).expect("open");
    let runs: Vec<(Option<String>, Option<i64>, String, String)> = conn
        .prepare("SELECT r.zone, r.captured_at_ms, r.source, d.label FROM collection_runs r JOIN devices d ON d.id = r.device_id ORDER BY r.id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[0], (Some("Europe/Berlin".into()), Some(ms(A10_CAPTURED)), "file".into(), "pixel".into()));
    assert_eq!((runs[1].0.as_deref(), runs[1].1), (None, Some(written)));
    assert_eq!(runs[1].3, "this-device");
    assert_eq!(runs[2].0.as_deref(), Some("Europe/Berlin"));
    let now = runs[3].1.expect("captured_at recorded");
    assert!((before..=after).contains(&now), "{before} <= {now} <= {after}");
}

/// Without --zone, the computer's zone is not taken for the phone's: each event is the capture instant plus its
/// relative time (basis 1 in `events.origin`), the same whatever `TZ` says.
#[test]
fn without_a_zone_events_are_dated_from_the_capture_instant() {
    let mut seen = Vec::new();
    for tz in ["America/New_York", "Asia/Tokyo"] {
        let dir = TempDir::new("no_zone");
        let out = run(opsight()
            .env("TZ", tz)
            .args(["ingest", "--captured-at", A10_CAPTURED, "--db"])
            .arg(dir.db())
            .arg(fixture(A10)));
        assert_ok(&out);
        let conn = rusqlite::Connection::open(dir.db()).expect("open");
        let rows: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT stream_id, t, origin % 4 FROM events ORDER BY stream_id, t")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        // All 23 `Access:`/`Reject:` lines of the fixture.
        assert_eq!(rows.len(), 23, "{tz}");
        assert!(rows.iter().all(|r| r.2 == 1), "{tz}: an event not dated from the capture instant");
        // Its first access: `2022-03-29 18:37:30.315 (-4h50m23s772ms)`.
        let first = ms(A10_CAPTURED) - (((4 * 60 + 50) * 60 + 23) * 1000 + 772);
        assert!(rows.iter().any(|r| r.1 == first), "{tz}");
        seen.push(rows);
    }
    assert_eq!(seen[0], seen[1]);
}

/// The Hytera `appops get` prints two ops last accessed at time 0 (never) as 55 years ago: `ingest` says they were
/// not dated, and stores the two real accesses only.
#[test]
fn a_time_of_zero_is_reported_as_not_datable() {
    let dir = TempDir::new("epoch");
    let out = run(opsight()
        .args(["ingest", "--zone", "Asia/Shanghai", "--captured-at", "2025-03-19T08:20:24.861Z"])
        .args(["--package", "com.android.systemui", "--db"])
        .arg(dir.db())
        .arg(fixture("hfreeman2008-android_core_framework__appops_get_systemui_hytera_android11_2025.txt")));
    let text = stdout(&out);
    assert!(text.contains("new events:    2\n"), "{text}");
    assert!(text.contains("not datable:   2 (no time zone or capture instant, or a time of 0: never)"), "{text}");
    let tl = timeline(&dir.db(), &["com.android.systemui"]);
    assert_eq!(ops_of(&tl), ["READ_PHONE_STATE", "FINE_LOCATION"]);
}

#[test]
fn timeline_json_keeps_the_core_shape() {
    let dir = TempDir::new("timeline_json");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    let tl = timeline(&dir.db(), &["com.facebook.katana"]);
    assert_eq!(tl["opsight_timeline"], 1);
    assert_eq!(tl["package"], "com.facebook.katana");
    assert_eq!(tl["uids"], serde_json::json!([10103]));
    assert_eq!(tl["from_ms"], serde_json::Value::Null, "unbounded");
    assert_eq!(tl["to_ms"], serde_json::Value::Null);
    // 7 accesses and 6 rejects in the fixture's u0a103 block; oldest first.
    let events = tl["events"].as_array().expect("events");
    assert_eq!(events.len(), 13);
    assert_eq!((tl["access"].as_u64(), tl["reject"].as_u64()), (Some(7), Some(6)));
    // The split is of the 7 accesses.
    assert_eq!((tl["foreground"].as_u64(), tl["background"].as_u64()), (Some(2), Some(5)));
    let times: Vec<i64> = events.iter().map(|e| e["start_utc_ms"].as_i64().expect("start")).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "ordered by time: {times:?}");

    let contacts: Vec<&Value> = events.iter().filter(|e| e["op"] == "READ_CONTACTS").collect();
    assert_eq!(contacts.len(), 1);
    let e = contacts[0];
    for key in ["op", "kind", "start_utc_ms", "duration_ms", "uid_state", "info_type", "foreground", "proxy_package"] {
        assert!(e.get(key).is_some(), "event lacks {key}: {e}");
    }
    assert_eq!(e["kind"], "access");
    assert_eq!(e["uid_state"], "bg");
    assert_eq!(e["foreground"], false);
    assert_eq!(e["info_type"], "contacts");
    assert_eq!(e["duration_ms"], Value::Null);
    // `Access: [bg-tpd] 2022-03-07 18:05:34.325`, Berlin in winter.
    assert_eq!(e["start_utc_ms"], ms("2022-03-07T18:05:34.325+01:00"));
    let per_op = tl["per_op"].as_array().expect("per_op");
    let count = per_op.iter().find(|c| c["op"] == "READ_CONTACTS").expect("READ_CONTACTS counted");
    assert_eq!((count["access"].as_u64(), count["reject"].as_u64()), (Some(1), Some(0)));
    assert_eq!((count["background"].as_u64(), count["foreground"].as_u64()), (Some(1), Some(0)));

    let wake = events.iter().find(|e| e["op"] == "WAKE_LOCK" && e["uid_state"] == "bg").expect("bg WAKE_LOCK");
    assert_eq!(wake["duration_ms"], 33);
    let rejects = events.iter().filter(|e| e["kind"] == "reject").count();
    assert_eq!(rejects, 6);
}

#[test]
fn since_and_until_restrict_by_day_in_the_zone() {
    let dir = TempDir::new("timeline_range");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    // 2022-03-29 in Berlin: WRITE_SMS 18:48, READ_PHONE_STATE and READ_DEVICE_IDENTIFIERS 18:57, WAKE_LOCK 23:03.
    let tl = timeline(&dir.db(), &["--since", "2022-03-29", "--zone", "Europe/Berlin", "com.facebook.katana"]);
    assert_eq!(tl["from_ms"], ms("2022-03-29T00:00:00+02:00"));
    assert_eq!(
        ops_of(&tl),
        ["WRITE_SMS", "READ_PHONE_STATE", "READ_DEVICE_IDENTIFIERS", "WAKE_LOCK"].map(String::from)
    );
    assert_eq!((tl["access"].as_u64(), tl["reject"].as_u64()), (Some(2), Some(2)));
    // --until is exclusive: the other 9.
    let tl = timeline(&dir.db(), &["--until", "2022-03-29", "--zone", "Europe/Berlin", "com.facebook.katana"]);
    assert_eq!(tl["events"].as_array().expect("events").len(), 9);
    // The zone decides where a day starts: Tokyo's 2022-03-30 began at 15:00 UTC on the 29th.
    let tl = timeline(&dir.db(), &["--since", "2022-03-30", "--zone", "Asia/Tokyo", "com.facebook.katana"]);
    assert_eq!(tl["events"].as_array().expect("events").len(), 4);
    let tl = timeline(&dir.db(), &["--since", "2022-03-30", "com.facebook.katana"]);
    assert_eq!(tl["events"].as_array().expect("events").len(), 0, "midnight UTC without --zone");
    // An RFC 3339 instant.
    let tl = timeline(&dir.db(), &["--since", "2022-03-29T21:00:00Z", "com.facebook.katana"]);
    assert_eq!(ops_of(&tl), ["WAKE_LOCK"]);
    let tl = timeline(
        &dir.db(),
        &["--since", "2022-03-07T00:00:00+01:00", "--until", "2022-03-08T00:00:00+01:00", "com.facebook.katana"],
    );
    assert_eq!(ops_of(&tl), ["WAKE_LOCK", "READ_CONTACTS"]);
}

#[test]
fn timeline_human_output_lists_events_counts_and_the_split() {
    let dir = TempDir::new("timeline_human");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    let out = run(opsight()
        .args(["timeline", "--zone", "Europe/Berlin", "--since", "2022-03-29", "--db"])
        .arg(dir.db())
        .arg("com.facebook.katana"));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("com.facebook.katana (uid 10103): 4 events since 2022-03-29T00:00:00+02:00"), "{text}");
    assert!(text.contains("times in Europe/Berlin"), "{text}");
    let wake = text.lines().find(|l| l.contains("WAKE_LOCK") && l.contains("access")).expect("WAKE_LOCK line");
    for part in ["2022-03-29T23:03:03+02:00", "background_run", "bg", "background", "33ms"] {
        assert!(wake.contains(part), "{part:?} not in {wake:?}");
    }
    assert!(
        text.contains("Total: 2 accesses, 2 rejects; of the accesses 0 in the foreground, 2 in the background"),
        "{text}"
    );
    // The per-op table; no ROLLED UP column, as nothing was rolled up (the CLI applies no retention).
    assert!(
        text.contains(
            "\nOP                       INFO TYPE       ACCESS  REJECT  ACCESS FG  ACCESS BG  ACCESS STATE UNKNOWN\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\nWAKE_LOCK                background_run  1       0       0          1          0\n"),
        "{text}"
    );
    assert!(!text.contains("ROLLED UP"), "{text}");

    // Proxies and UTC by default.
    let out = run(opsight().args(["timeline", "--db"]).arg(dir.db()).arg("org.fdroid.fdroid"));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("times in UTC"), "{text}");
    let line = text.lines().find(|l| l.contains("SYSTEM_ALERT_WINDOW")).expect("reject line");
    assert!(line.contains("2021-10-25T21:46:46Z") && line.contains("reject") && line.contains("uid 0"), "{line}");
}

#[test]
fn timeline_grid_draws_days_by_hours_per_kind_of_information() {
    let dir = TempDir::new("timeline_grid");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    let args = ["timeline", "--grid", "--days", "2", "--last-day", "2022-03-29", "--db"];
    // The zone recorded for the phone (Europe/Berlin, given at ingest) when --zone is not given.
    let out = run(opsight().args(args).arg(dir.db()).arg("com.facebook.katana"));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "com.facebook.katana: accesses per hour from 2022-03-28 to 2022-03-29, hours in Europe/Berlin\n"
        ),
        "{text}"
    );
    // An identifier read in the background and a refused one in the same hour: B, the one to notice.
    assert!(text.contains("phone_identity: 1 access (1 in the background), 1 refused attempt\n"), "{text}");
    assert!(text.contains("\n2022-03-29  ..................B.....\n"), "{text}");
    assert!(text.contains("\n2022-03-29  ..................x.....\n"), "a refused SMS write alone: {text}");
    assert!(text.contains("\n2022-03-29  .......................B\n"), "{text}");
    let grid =
        json(&run(opsight().args(args).arg(dir.db()).args(["--json", "--zone", "UTC"]).arg("com.facebook.katana")));
    assert_eq!(grid["opsight_timeline_grid"], 1);
    assert_eq!(grid["zone"], "UTC");
    assert_eq!(grid["days"], serde_json::json!(["2022-03-28", "2022-03-29"]));
    let rows = grid["rows"].as_array().expect("rows");
    let types: Vec<&str> = rows.iter().map(|r| r["info_type"].as_str().expect("type")).collect();
    assert_eq!(types, ["sms", "phone_identity", "background_run"], "the op catalog's order");
    assert_eq!(
        rows[1]["cells"],
        serde_json::json!([{"day": 1, "hour": 16, "foreground": 0, "background": 1, "unknown_state": 0, "reject": 1, "mark": "background"}]),
        "18:xx in Berlin is 16:xx UTC"
    );
    let refused =
        run(opsight().args(["timeline", "--grid", "--days", "400", "--db"]).arg(dir.db()).arg("com.facebook.katana"));
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("days must be 1 to 366"), "{}", stderr(&refused));
    let out = run(opsight()
        .args(["timeline", "--grid", "--last-day", "2030-01-01", "--db"])
        .arg(dir.db())
        .arg("com.facebook.katana"));
    assert!(
        stdout(&out)
            .contains("No accesses found for com.facebook.katana from 2029-12-26 to 2030-01-01 (Europe/Berlin)."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn timeline_grid_says_what_was_kept_per_day_only() {
    // A database whose accesses retention has rolled up into daily counts, as the app's does (the CLI applies no
    // retention): the day's line says how many, in the background and refused.
    let dir = TempDir::new("timeline_grid_daily");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    let store = opsight_core::Store::open(dir.db()).expect("open");
    let now = 1_649_548_800_000; // 2022-04-10T00:00:00Z, twelve days after the capture
    let policy = opsight_core::store::RetentionPolicy { raw_days: 1, hourly_days: 2 };
    assert!(store.apply_retention(policy, now).expect("retention").events_rolled_up > 0);
    drop(store);
    let out = run(opsight()
        .args(["timeline", "--grid", "--days", "2", "--last-day", "2022-03-29", "--zone", "UTC", "--db"])
        .arg(dir.db())
        .arg("com.facebook.katana"));
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("phone_identity: 1 access (1 in the background), 1 refused attempt\n"), "{text}");
    assert!(
        text.contains(
            "\n2022-03-29  ........................  +1 access (1 in the background), 1 refused attempt kept per day only\n"
        ),
        "{text}"
    );
}

#[test]
fn an_unknown_package_has_an_empty_timeline() {
    let dir = TempDir::new("timeline_unknown");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    let out = run(opsight().args(["timeline", "--db"]).arg(dir.db()).arg("com.example.absent"));
    assert_ok(&out);
    assert!(stdout(&out).contains("No events found for com.example.absent"), "{}", stdout(&out));
    let tl = timeline(&dir.db(), &["com.example.absent"]);
    assert_eq!(tl["events"], serde_json::json!([]));
    assert_eq!(tl["per_op"], serde_json::json!([]));
    assert_eq!(tl["uids"], serde_json::json!([]));
    // A known app outside the range.
    let out = run(opsight().args(["timeline", "--since", "2030-01-01", "--db"]).arg(dir.db()).arg("org.fdroid.fdroid"));
    assert_ok(&out);
    assert!(
        stdout(&out).contains("No events found for org.fdroid.fdroid since 2030-01-01T00:00:00Z"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_ranges_and_zones_are_clear_errors() {
    let dir = TempDir::new("timeline_errors");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    let out = run(opsight().args(["timeline", "--since", "garbage", "--db"]).arg(dir.db()).arg("com.facebook.katana"));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("invalid --since \"garbage\""), "{err}");
    assert!(err.contains("2026-03-01"), "says what is expected: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(out.stdout.is_empty());

    let out = run(opsight()
        .args(["timeline", "--since", "2022-03-02", "--until", "2022-03-01", "--db"])
        .arg(dir.db())
        .arg("x"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--since must be before --until"), "{}", stderr(&out));

    let out = run(opsight().args(["timeline", "--zone", "Nowhere/City", "--db"]).arg(dir.db()).arg("x"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown time zone"), "{}", stderr(&out));

    let out = run(opsight().args(["timeline", "--db"]).arg(dir.db()));
    assert_eq!(out.status.code(), Some(2), "a missing PACKAGE is a usage error");
}

#[test]
fn reading_commands_need_an_existing_database() {
    let dir = TempDir::new("missing_db");
    let db = dir.path("typo.db");
    for args in [vec!["apps"], vec!["timeline", "com.example"]] {
        let out = run(opsight().args(&args).arg("--db").arg(&db));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains("no database at"), "{}", stderr(&out));
        assert!(!db.exists(), "{args:?} must not create a database");
    }
}

#[test]
fn inventory_labels_show_in_apps() {
    let dir = TempDir::new("inventory");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    let inventory = serde_json::json!({
        "opsight_inventory": 1,
        "captured_at_ms": ms(A10_CAPTURED),
        "device": {"manufacturer": "samsung", "model": "SM-A105F", "android_version": "10"},
        "packages": [
            {
                "package": "com.facebook.katana",
                "label": "Facebook",
                "uid": 10103,
                "category": "social",
                "first_install_ms": 1_600_000_000_000_i64,
                "requested_permissions": ["android.permission.READ_CONTACTS", "android.permission.READ_PHONE_STATE"],
                "granted_permissions": ["android.permission.READ_CONTACTS"],
                "usage": [
                    {"begin_ms": ms("2022-03-29T16:40:00Z"), "end_ms": ms("2022-03-29T16:50:00Z")},
                    {"begin_ms": ms("2022-03-28T08:00:00Z"), "end_ms": ms("2022-03-28T08:05:00Z")}
                ]
            },
            {"package": "org.example.notes", "label": "Notes", "system": false}
        ]
    });
    let path = dir.path("inventory.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&inventory).expect("json")).expect("write inventory");

    let out = run(opsight().args(["packages", "--db"]).arg(dir.db()).arg(&path));
    assert_ok(&out);
    let text = stdout(&out);
    for line in ["packages:        2", "new packages:    2", "permissions:     2", "usage intervals: 2"] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let doc = json(&run(opsight().args(["packages", "--json", "--db"]).arg(dir.db()).arg(&path)));
    assert_eq!(doc["opsight_packages"], 1);
    assert_eq!(doc["report"]["packages"], 2);
    assert_eq!(doc["report"]["new_packages"], 0, "loaded before");
    assert_eq!(doc["report"]["usage_intervals"], 2);

    let doc = json(&run(opsight().args(["apps", "--json", "--db"]).arg(dir.db())));
    assert_eq!(doc["opsight_apps"], 1);
    let apps = doc["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 5, "4 apps with events and one from the inventory");
    let katana = &apps[0];
    assert_eq!(katana["package"], "com.facebook.katana", "most recent sensitive access first");
    assert_eq!(katana["label"], "Facebook");
    assert_eq!(katana["category"], "social");
    assert_eq!(katana["uids"], serde_json::json!([10103]));
    let last = &katana["last_sensitive_access"];
    assert_eq!(last["op"], "READ_PHONE_STATE");
    assert_eq!(last["t"], ms("2022-03-29T18:57:58.524+02:00"));
    let packages: Vec<&str> = apps.iter().map(|a| a["package"].as_str().expect("package")).collect();
    let notes = packages.iter().position(|p| *p == "org.example.notes").expect("notes listed");
    assert!(apps[notes]["last_sensitive_access"].is_null());

    let out = run(opsight().args(["apps", "--db"]).arg(dir.db()));
    assert_ok(&out);
    let text = stdout(&out);
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("PACKAGE") && header.contains("LABEL") && header.contains("UIDS"), "{header}");
    let first = lines.next().expect("first app");
    for part in
        ["com.facebook.katana", "Facebook", "2022-03-29T16:57:58Z", "READ_PHONE_STATE", "phone_identity", "10103"]
    {
        assert!(first.contains(part), "{part:?} not in {first:?}");
    }
}

#[test]
fn a_bad_inventory_is_refused_without_echoing_it() {
    let dir = TempDir::new("bad_inventory");
    let path = dir.path("inventory.json");
    std::fs::write(
        &path,
        br#"{"opsight_inventory": 1, "packages": [{"package": "secret.pkg", "category": "spyware"}]}"#,
    )
    .expect("write");
    let out = run(opsight().args(["packages", "--db"]).arg(dir.db()).arg(&path));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("cannot load inventory"), "{err}");
    assert!(!err.contains("spyware") && !err.contains("secret.pkg"), "{err}");
    assert!(
        err.contains("the category of inventory package #1 is not an ApplicationInfo category (game, audio,"),
        "{err}"
    );
    std::fs::write(&path, b"{ not json").expect("write");
    let out = run(opsight().args(["packages", "--db"]).arg(dir.db()).arg(&path));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("inventory JSON: not valid JSON at line 1 column 3"), "{}", stderr(&out));
    // The most common mistake, a missing or misspelt key, is named.
    std::fs::write(&path, br#"{"packages": []}"#).expect("write");
    let out = run(opsight().args(["packages", "--db"]).arg(dir.db()).arg(&path));
    assert!(stderr(&out).contains("the field `opsight_inventory` is missing at line 1 column 16"), "{}", stderr(&out));
}

#[test]
fn the_summary_has_a_line_for_what_happened_and_none_for_what_did_not() {
    let dir = TempDir::new("summary_lines");
    let optional = ["new discrete:", "history:", "not datable:", "no package:", "already rolled up:", "clock skew:"];
    let shown = |out: &Output| -> Vec<String> {
        let text = stdout(out);
        optional
            .iter()
            .filter_map(|l| text.lines().find(|t| t.starts_with(&format!("  {l}"))))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(shown(&ingest_a10(&dir.db(), &[])), Vec::<String>::new());
    let synthetic = fixture("../synthetic");
    // Each with the capture instant its own clock gives (13:00 and 12:00 in Berlin, summer time).
    for (file, captured, line) in [
        ("android12_history.txt", "2021-06-01T11:00:00Z", "  history:       4 aggregate entries"),
        ("android12_discrete_xml.txt", "2022-06-01T10:00:00Z", "  new discrete:  3"),
    ] {
        let out = run(opsight()
            .args(["ingest", "--zone", "Europe/Berlin", "--captured-at", captured, "--db"])
            .arg(dir.db())
            .arg(synthetic.join(file)));
        assert_eq!(shown(&out), [line], "{}", stdout(&out));
    }
    // A capture instant far from the dump's own clock is pointed out.
    let out = run(opsight()
        .args(["ingest", "--zone", "Europe/Berlin", "--captured-at", "2022-03-29T21:27:54Z", "--db"])
        .arg(dir.db())
        .arg(synthetic.join("android12_history.txt")));
    let skew = "  clock skew:    301d10h27m54s (capture instant minus the dump's own clock: wrong zone?)";
    assert_eq!(shown(&out), ["  history:       4 aggregate entries", skew], "{}", stdout(&out));
    let out = run(opsight()
        .args(["ingest", "--captured-at", "2020-07-09T10:00:00Z", "--db"])
        .arg(dir.db())
        .arg(fixture(GET)));
    assert_eq!(shown(&out), ["  no package:    16 (not stored)"]);
}

#[test]
fn a_file_that_cannot_be_read_stops_the_ingest_and_says_what_was_stored() {
    let dir = TempDir::new("failed_file");
    // Damaged, not cut short (a copy cut short is stored up to the cut, as truncated): a byte changed in its data.
    let bad = dir.path("bad.txt.gz");
    let mut gz = gzip(&std::fs::read(fixture(A10)).expect("fixture"));
    let middle = gz.len() / 2;
    gz[middle] ^= 0x5a;
    std::fs::write(&bad, &gz).expect("write");
    let ingest = || {
        let mut cmd = opsight();
        cmd.args(["ingest", "--zone", "UTC", "--captured-at", A10_CAPTURED, "--db"]).arg(dir.db());
        cmd
    };
    let out = run(ingest().arg(&bad));
    assert_fails(&out, 1, "bad.txt.gz: could not read the input: corrupt");
    assert!(!stderr(&out).contains("before it"), "the first file: {}", stderr(&out));
    let out = run(ingest().arg(fixture(A10)).arg(&bad));
    assert_fails(&out, 1, "bad.txt.gz (the file before it was stored): could not read the input");
    // With --json the stored file is still reported, and only it: its run id and counts are in the database.
    let out = run(ingest()
        .arg("--json")
        .arg(fixture("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt"))
        .arg(&bad));
    assert_fails(&out, 1, "bad.txt.gz (the file before it was stored): could not read the input");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert!(files[0]["report"]["new_events"].as_u64().is_some_and(|n| n > 0), "{doc}");
    // A file that fails before anything is stored: nothing to report.
    let out = run(ingest().arg("--json").arg(&bad));
    assert_fails(&out, 1, "could not read the input");
    assert!(out.stdout.is_empty());
}

#[test]
fn appops_get_needs_package() {
    let dir = TempDir::new("appops_get");
    let captured = "2020-07-09T10:00:00Z";
    let out =
        run(opsight().args(["ingest", "--json", "--captured-at", captured, "--db"]).arg(dir.db()).arg(fixture(GET)));
    let doc = json(&out);
    let report = &doc["files"][0]["report"];
    assert_eq!(report["dialect"], "appops_get");
    assert_eq!(report["new_events"], 0);
    assert_eq!(report["unattributed_events"], 16);
    assert!(stderr(&out).contains("give --package"), "{}", stderr(&out));

    let dir = TempDir::new("appops_get_package");
    let out = run(opsight()
        .args(["ingest", "--json", "--captured-at", captured, "--package", "com.example.app", "--db"])
        .arg(dir.db())
        .arg(fixture(GET)));
    assert!(!stderr(&out).contains("give --package"), "{}", stderr(&out));
    let report = &json(&out)["files"][0]["report"];
    assert_eq!(report["new_events"], 16);
    assert_eq!(report["unattributed_events"], 0);
    // A dump that names every app asks for nothing.
    let out = ingest_a10(&dir.path("a10.db"), &[]);
    assert!(!stderr(&out).contains("--package"), "{}", stderr(&out));
    assert_eq!(report["apps"], 1);
    let tl = timeline(&dir.db(), &["com.example.app"]);
    assert_eq!(tl["events"].as_array().expect("events").len(), 16);
    assert_eq!((tl["access"].as_u64(), tl["reject"].as_u64()), (Some(12), Some(4)));
    let coarse =
        tl["events"].as_array().expect("events").iter().find(|e| e["op"] == "COARSE_LOCATION").expect("coarse");
    // COARSE_LOCATION: time=+9d20h47m55s560ms ago.
    let ago = ((9 * 24 + 20) * 3600 + 47 * 60 + 55) * 1000 + 560;
    assert_eq!(coarse["start_utc_ms"], ms(captured) - ago);
    assert_eq!(coarse["uid_state"], Value::Null, "appops get prints no uid state");
}

/// A dump that prints only relative times (Android 8.1 and older, `appops get`) and no capture instant: its events are
/// dated from when the file was last written, and ingest says so, once, and only then (not with `--captured-at`, not for a repeat, not for a dump
/// with local times).
#[test]
fn relative_only_dumps_without_a_capture_instant_are_said_to_be_dated_from_the_file() {
    let warning = "prints only relative times; they were dated from when the file was last written (";
    let (dir, other) = (TempDir::new("relative_only"), TempDir::new("relative_only_captured"));
    let ingest = |db: &Path, extra: &[&str], file: &str| {
        run(opsight().args(["ingest", "--package", "com.example.app", "--db"]).arg(db).args(extra).arg(fixture(file)))
    };
    let first = ingest(&dir.db(), &[], GET);
    assert_ok(&first);
    assert_eq!(stderr(&first).matches(warning).count(), 1, "{}", stderr(&first));
    let repeat = ingest(&dir.db(), &[], GET);
    assert_ok(&repeat);
    assert!(!stderr(&repeat).contains(warning), "{}", stderr(&repeat));
    let captured = ingest(&other.db(), &["--captured-at", "2020-07-09T10:00:00Z"], GET);
    assert_ok(&captured);
    assert!(!stderr(&captured).contains(warning), "{}", stderr(&captured));
    let fresh = dir.path("fresh.txt");
    std::fs::write(&fresh, fresh_dump()).expect("write");
    let local_times = run(opsight().args(["ingest", "--zone", "UTC", "--db"]).arg(dir.db()).arg(&fresh));
    assert_ok(&local_times);
    assert!(!stderr(&local_times).contains(warning), "{}", stderr(&local_times));

    // In a whole bugreport, when it was started shows how old the dump is: an old one is refused rather than dated
    // from now, with the start (in the zone its properties state) offered as the capture instant.
    let legacy = std::fs::read_to_string(fixture("../synthetic/android8_legacy_uidmodes.txt")).expect("fixture");
    let bugreport = dir.path("bugreport-2018.txt");
    std::fs::write(
        &bugreport,
        format!(
            "== dumpstate: 2018-03-12 10:11:12\n------ SYSTEM PROPERTIES (getprop) ------\n\
             [persist.sys.timezone]: [America/New_York]\n------ 0.05s was the duration of 'SYSTEM PROPERTIES' ------\n\
             DUMP OF SERVICE appops:\n{legacy}"
        ),
    )
    .expect("write");
    let old = run(opsight().args(["ingest", "--db"]).arg(dir.db()).arg(&bugreport));
    assert_fails(
        &old,
        1,
        " days before the capture instant assumed for it; nothing was stored: it prints relative times only, its \
         bugreport was started at 2018-03-12 10:11:12.000 (device local), and with no --captured-at it was dated \
         from when the file was last written (",
    );
    assert!(stderr(&old).contains("the bugreport was started about "), "{}", stderr(&old));
    assert!(stderr(&old).contains("Give --captured-at 2018-03-12T14:11:12Z (when it was started, in its zone"));
    let given =
        run(opsight().args(["ingest", "--captured-at", "2018-03-12T14:12:00Z", "--db"]).arg(dir.db()).arg(&bugreport));
    assert_ok(&given);
}

/// Without `--captured-at` a file's capture instant is when it was last written: ingesting it again adds nothing, even
/// where only that instant dates its events (it was "now" before, so that each ingest of a relative-only dump stored
/// its events again, seconds later), and a dump saved days ago is dated as it was taken, not refused.
#[test]
fn a_file_without_a_capture_instant_is_dated_from_when_it_was_written() {
    let dir = TempDir::new("file_time");
    let legacy = std::fs::read(fixture("../synthetic/android8_legacy_uidmodes.txt")).expect("fixture");
    let file = dir.path("legacy.txt");
    std::fs::write(&file, &legacy).expect("write");
    let written = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(72);
    let set_written = |path: &Path, at: jiff::Timestamp| {
        let f = std::fs::OpenOptions::new().write(true).open(path).expect("open");
        f.set_modified(std::time::SystemTime::from(at)).expect("set modified");
    };
    set_written(&file, written);
    let ingest = |path: &Path| {
        let out = run(opsight().args(["ingest", "--json", "--db"]).arg(dir.db()).arg(path));
        assert_ok(&out);
        json(&out)["files"][0]["report"].clone()
    };
    let first = ingest(&file);
    assert!(first["new_events"].as_u64().expect("count") > 0, "{first}");
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let again = ingest(&file);
    assert_eq!((again["new_events"].as_u64(), again["repeat"].as_bool()), (Some(0), Some(true)), "{again}");
    let conn = rusqlite::Connection::open(dir.db()).expect("open");
    let captured: Vec<i64> = conn
        .prepare("SELECT captured_at_ms FROM collection_runs ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(captured, [written.as_millisecond(); 2]);
    // The newest event is dated from the file's time, three days back, not from now.
    let newest: i64 = conn.query_row("SELECT max(t) FROM events", [], |r| r.get(0)).expect("newest");
    assert!(newest <= written.as_millisecond(), "{newest} after {}", written.as_millisecond());

    // A dump with its own clock, saved three days ago: within a day of its file's time, so stored, where "now" would
    // have refused it.
    let old = dir.path("old.txt");
    std::fs::write(&old, common::dump_taken_ago(72)).expect("write");
    set_written(&old, jiff::Timestamp::now() - jiff::SignedDuration::from_hours(72));
    let report = ingest(&old);
    assert_eq!(report["new_events"].as_u64(), Some(1), "{report}");
    // A file time in the future (this computer's clock, or a copy from one that was ahead) is not used: now is.
    let ahead = dir.path("ahead.txt");
    std::fs::write(&ahead, fresh_dump()).expect("write");
    set_written(&ahead, jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48));
    let before = jiff::Timestamp::now().as_millisecond();
    ingest(&ahead);
    let last: i64 =
        conn.query_row("SELECT captured_at_ms FROM collection_runs ORDER BY id DESC", [], |r| r.get(0)).expect("run");
    assert!(last >= before && last <= jiff::Timestamp::now().as_millisecond(), "{last}");
}

#[test]
fn ingest_reads_standard_input_and_several_files_in_order() {
    let dir = TempDir::new("stdin");
    let mut child = opsight()
        .args(["ingest", "--json", "--zone", "Europe/Berlin", "--captured-at", A10_CAPTURED, "--db"])
        .arg(dir.db())
        .arg("-")
        .arg(fixture(A10))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = std::fs::read(fixture(A10)).expect("fixture");
    child.stdin.take().expect("stdin").write_all(&input).expect("write");
    let doc = json(&child.wait_with_output().expect("wait"));
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], "-");
    assert_eq!(files[0]["report"]["new_events"], 23);
    assert_eq!(files[1]["report"]["new_events"], 0);
    assert_eq!(files[1]["report"]["repeat"], true);
}

#[test]
fn ingest_input_errors_store_nothing() {
    let dir = TempDir::new("ingest_errors");
    let out = run(opsight().args(["ingest", "--db"]).arg(dir.db()).arg(fixture(A10)).arg(dir.path("missing.txt")));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));
    assert!(!dir.db().exists(), "checked before the database is created");

    let out = run(opsight().args(["ingest", "--db"]).arg(dir.db()).args(["-", "-"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("standard input (-) can be given only once"), "{}", stderr(&out));

    let out = run(opsight().args(["ingest", "--zone", "Mars/Olympus", "--db"]).arg(dir.db()).arg(fixture(A10)));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown time zone"), "{}", stderr(&out));
    let out = run(opsight().args(["ingest", "--captured-at", "yesterday", "--db"]).arg(dir.db()).arg(fixture(A10)));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid instant"), "{}", stderr(&out));
    assert!(!dir.db().exists());

    let out = run(opsight().args(["ingest"]).arg(fixture(A10)));
    assert_eq!(out.status.code(), Some(2), "--db is required");
    let out = run(opsight().args(["ingest", "--db"]).arg(dir.db()));
    assert_eq!(out.status.code(), Some(2), "a DUMP is required");
}

#[test]
fn a_newer_database_is_refused_untouched() {
    let dir = TempDir::new("newer_db");
    assert_ok(&ingest_a10(&dir.db(), &[]));
    {
        let conn = rusqlite::Connection::open(dir.db()).expect("open");
        conn.pragma_update(None, "user_version", 99).expect("bump version");
    }
    let before = std::fs::read(dir.db()).expect("read db");
    for args in [vec!["ingest", "--zone", "UTC"], vec!["ingest", "--json"]] {
        let out = run(opsight().args(&args).arg("--db").arg(dir.db()).arg(fixture(A10)));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("schema version 99"), "{err}");
        assert!(err.contains("newer"), "{err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    for args in [vec!["apps"], vec!["timeline", "com.facebook.katana"]] {
        let out = run(opsight().args(&args).arg("--db").arg(dir.db()));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains("schema version 99"), "{}", stderr(&out));
    }
    let inv = dir.path("inventory.json");
    std::fs::write(&inv, br#"{"opsight_inventory": 1, "packages": []}"#).expect("write");
    let out = run(opsight().args(["packages", "--db"]).arg(dir.db()).arg(&inv));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(dir.db()).expect("read db"), before, "the database file is unchanged");
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("damaged")), "nothing moved aside: {names:?}");
}

/// Deterministic bytes that are not an SQLite database.
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn a_damaged_database_is_moved_aside_and_said_so() {
    let dir = TempDir::new("damaged_db");
    // An SQLite file whose header is intact and whose pages are not.
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(garbage(8192));
    std::fs::write(dir.db(), &bytes).expect("write garbage");
    let out = ingest_a10(&dir.db(), &["--json"]);
    let doc = json(&out);
    assert_eq!(doc["files"][0]["report"]["new_events"], 23, "a new database was started");
    let err = stderr(&out);
    assert!(err.contains("moved aside"), "{err}");
    let moved: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("opsight.db.damaged-")))
        .filter(|p| !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm"))
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(err.contains(&moved[0].display().to_string()), "names the new location: {err}");
    assert_eq!(std::fs::read(&moved[0]).expect("read moved"), bytes, "the original bytes are kept");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = TempDir::new("not_a_db");
    let dump = dir.path("dump.txt");
    std::fs::write(&dump, "  Uid u0a100:\n    Package org.example:\n").expect("write");
    let empty = dir.path("empty.db");
    std::fs::write(&empty, "").expect("write");
    let foreign = dir.path("notes.db");
    rusqlite::Connection::open(&foreign)
        .expect("open")
        .execute_batch("CREATE TABLE notes (body TEXT);")
        .expect("foreign");
    let foreign_bytes = std::fs::read(&foreign).expect("bytes");
    let cases: [(&[&str], &Path, &str); 6] = [
        (
            &["findings"],
            &dump,
            "dump.txt is not a database (it does not start as an SQLite file does); it was left untouched",
        ),
        (&["ingest"], &dump, "Dumps and inventories go after the options"),
        (&["apps"], &empty, "empty.db is empty: it holds no Opsight database"),
        (&["report", "--html", "r.html"], &dir.0, "is a folder: --db takes a database file"),
        (&["apps"], &foreign, "an SQLite database of another program, not Opsight's; it was left untouched"),
        (&["ingest"], &dir.path("no-such-folder/phone.db"), "the folder"),
    ];
    for (args, db, words) in cases {
        let mut cmd = opsight();
        cmd.args(args).arg("--db").arg(db);
        if args[0] == "ingest" {
            cmd.arg(&dump);
        }
        let out = run(&mut cmd);
        assert_fails(&out, 1, words);
    }
    assert!(stderr(&run(opsight().args(["ingest", "--db"]).arg(dir.path("no-such-folder/phone.db")).arg(&dump)))
        .contains("no-such-folder does not exist"));
    // A path through a file is not a missing folder: the system's own reason is given.
    let through_a_file = run(opsight().args(["apps", "--db"]).arg(dump.join("phone.db")));
    assert_fails(&through_a_file, 1, "cannot open database");
    assert!(stderr(&through_a_file).contains("Not a directory"), "{}", stderr(&through_a_file));
    assert_eq!(std::fs::read_to_string(&dump).expect("dump"), "  Uid u0a100:\n    Package org.example:\n");
    assert_eq!(std::fs::read(&empty).expect("empty"), b"");
    assert_eq!(std::fs::read(&foreign).expect("foreign"), foreign_bytes);
    let names: BTreeSet<String> = std::fs::read_dir(&dir.0)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names, ["dump.txt", "empty.db", "notes.db"].map(String::from).into(), "nothing moved aside or created");
    // An empty file may become a database when a command stores into it.
    assert_ok(&run(opsight().args(["ingest", "--db"]).arg(&empty).arg(&dump)));
}

#[test]
fn an_empty_database_lists_no_apps() {
    let dir = TempDir::new("empty_apps");
    let inv = dir.path("inventory.json");
    std::fs::write(&inv, br#"{"opsight_inventory": 1, "packages": []}"#).expect("write");
    assert_ok(&run(opsight().args(["packages", "--db"]).arg(dir.db()).arg(&inv)));
    let out = run(opsight().args(["apps", "--db"]).arg(dir.db()));
    assert_ok(&out);
    assert!(stdout(&out).contains("No apps in this database yet"), "{}", stdout(&out));
    let doc = json(&run(opsight().args(["apps", "--json", "--db"]).arg(dir.db())));
    assert_eq!(doc, serde_json::json!({"opsight_apps": 1, "apps": []}));
}

#[test]
fn help_has_examples() {
    for cmd in ["ingest", "packages", "apps", "timeline"] {
        let out = run(opsight().args([cmd, "--help"]));
        assert_ok(&out);
        let text = stdout(&out);
        assert!(text.contains("Examples:") && text.contains(&format!("opsight {cmd} --db")), "{cmd}:\n{text}");
    }
}

/// With no `--captured-at` a dump is taken as captured when its file was written (just now, for these); one whose own
/// clock says it was taken years ago is refused,
/// with nothing stored, and the message gives its clock and what to do.
#[test]
fn an_old_dump_without_a_capture_instant_is_refused() {
    let dir = TempDir::new("old_dump");
    let out = run(opsight().args(["ingest", "--db"]).arg(dir.db()).arg(fixture(A10)));
    assert_fails(&out, 1, "its own clock reads 2022-03-29 23:27:54.087 (device local)");
    for words in
        ["days before the capture instant assumed for it; nothing was stored", "Give --captured-at with the instant"]
    {
        assert!(stderr(&out).contains(words), "{}", stderr(&out));
    }
    assert!(!stderr(&out).contains("no --zone"), "nothing was dated: {}", stderr(&out));
    // With its zone known (given, or stated by a bugreport), its own clock is the instant to give.
    let out = run(opsight().args(["ingest", "--zone", "Europe/Berlin", "--db"]).arg(dir.db()).arg(fixture(A10)));
    assert_fails(&out, 1, "Give --captured-at 2022-03-29T21:27:54.087Z (its own clock, in its zone), or");
    let stated = fixture("../synthetic/bugreport_with_zone.txt");
    assert_fails(
        &run(opsight().args(["ingest", "--db"]).arg(dir.db()).arg(stated)),
        1,
        "--captured-at 2022-03-29T21:27:54.087Z",
    );
    let conn = rusqlite::Connection::open(dir.db()).expect("open");
    let runs: i64 = conn.query_row("SELECT count(*) FROM collection_runs", [], |r| r.get(0)).expect("runs");
    assert_eq!(runs, 0);
    assert_ok(&ingest_a10(&dir.db(), &[]));
    // The limit: a day, and 14 hours more when the zone is not known (the dump's clock is local time).
    for (hours, zone, stored) in
        [(20, None, true), (37, None, true), (39, None, false), (23, Some("UTC"), true), (25, Some("UTC"), false)]
    {
        let file = dir.path(&format!("ago-{hours}.txt"));
        std::fs::write(&file, dump_taken_ago(hours)).expect("write");
        let mut cmd = opsight();
        cmd.args(["ingest", "--db"]).arg(dir.db()).arg(&file);
        if let Some(zone) = zone {
            cmd.args(["--zone", zone]);
        }
        let out = run(&mut cmd);
        assert_eq!(out.status.success(), stored, "{hours} h ago, zone {zone:?}: {}", stderr(&out));
    }
}

#[test]
fn an_input_with_no_appops_text_is_pointed_out() {
    let dir = TempDir::new("no_appops");
    let (empty, binary) = (dir.path("empty.txt"), dir.path("program.bin"));
    std::fs::write(&empty, "").expect("write");
    std::fs::write(&binary, [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0xff, 0xfe]).expect("write");
    let out =
        run(opsight().args(["ingest", "--captured-at", A10_CAPTURED, "--db"]).arg(dir.db()).arg(&empty).arg(&binary));
    assert_ok(&out);
    for name in ["empty.txt", "program.bin"] {
        assert!(
            stderr(&out)
                .contains(&format!("{name}: no AppOps text found in this input; nothing but the run was recorded")),
            "{}",
            stderr(&out)
        );
    }
    let out = ingest_a10(&dir.db(), &[]);
    assert!(!stderr(&out).contains("no AppOps text"), "{}", stderr(&out));
}
