//! `opsight parse` driven as a process.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::json;

use common::{gzip, utf16, write_streamed_zip, write_zip, TempDir};

/// A zip archive's entries: name and bytes.
type Entries<'a> = Vec<(&'a str, &'a [u8])>;

fn opsight() -> Command {
    Command::new(env!("CARGO_BIN_EXE_opsight"))
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(rel)
}

const A10: &str = "appops/mvt-project-mvt__dumpsys_appops_samsung_a10.txt";
const A11: &str = "appops/lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt";
const LG6: &str = "appops/stopipv-isdi__dumpsys_appops_lg_phoenix_lv1_att_android6.0.1_2018-03-12.txt";

#[test]
fn summary_names_the_format_and_counts() {
    let out = opsight().arg("parse").arg(fixture(A10)).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    for line in [
        "format:          dumpsys_q",
        "uids:            8",
        "packages:        13",
        "ops:             37",
        "access events:   16",
        "reject events:   7",
        "discrete events: 0",
        "history windows: 0 (0 entries)",
        "truncated:       no",
        "dump time:       2022-03-29 23:27:54.087",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn summary_counts_of_one_are_singular() {
    // A window of one entry, a dump time from one event, one file of one unread.
    let one = "AppOps Service state:\n  Uid u0a1:\n    Package a.b:\n      CAMERA (allow):\n        null=[\n\
        \x20         Access: [top-s] 2025-01-01 12:00:00.000 (-1h0m0s0ms)\n        ]\n";
    let dir = TempDir::new("plural");
    let path = dir.path("one.txt");
    std::fs::write(&path, one).expect("write");
    let out = opsight().arg("parse").arg(&path).output().expect("run");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("(device local, from 1 event)"), "{text}");
    let out = opsight().arg("parse").arg(fixture("synthetic/android16_sqlite_last_hour.txt")).output().expect("run");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("history windows: 1 (1 entry)"), "{text}");
    let out = opsight().arg("parse").arg(dir.path("missing.txt")).output().expect("run");
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("1 of 1 file could not be read"), "{err}");
}

#[test]
fn json_events_carry_the_documented_keys() {
    let out = opsight().args(["parse", "--json"]).arg(fixture(A11)).output().expect("run");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["opsight_parse"], 1);
    let file = &doc["files"][0];
    assert_eq!(file["dialect"], "dumpsys_attributed");
    let uid = &file["uids"][0];
    assert_eq!(uid["uid"], "u0a119");
    let pkg = &uid["packages"][0];
    assert_eq!(pkg["package"], "com.sunmi.baseservice");
    let event = &pkg["ops"][1]["events"][0];
    for key in
        ["kind", "op", "uid_state", "flags", "attribution_tag", "time_local", "relative_ms", "duration_ms", "proxy"]
    {
        assert!(event.get(key).is_some(), "event lacks {key}: {event}");
    }
    assert_eq!(event["kind"], "access");
    assert_eq!(event["op"], "FINE_LOCATION");
    assert_eq!(event["uid_state"], "fg");
    assert_eq!(event["flags"], serde_json::json!(["s"]));
    assert_eq!(event["attribution_tag"], serde_json::Value::Null);
    assert_eq!(event["time_local"], "2021-01-11 16:01:05.086");
    assert_eq!(event["relative_ms"], -3_927_679);
    assert_eq!(event["utc_ms"], serde_json::Value::Null, "no zone, no capture instant: no UTC");
    // Each op names what it exposes with the catalog's identifiers, and its permission group.
    let op = &pkg["ops"][1];
    assert_eq!(
        (&op["op"], &op["info_type"], &op["permission_group"]),
        (&"FINE_LOCATION".into(), &"location".into(), &"LOCATION".into())
    );
    let ops: Vec<&serde_json::Value> = file["uids"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|u| u["packages"].as_array().into_iter().flatten())
        .flat_map(|p| p["ops"].as_array().into_iter().flatten())
        .collect();
    assert!(ops.iter().all(|o| o["info_type"].is_string() && o.get("permission_group").is_some()), "{ops:?}");
}

/// An op name the catalog does not know (an OEM op) is `other`, with no permission group, and stays usable.
#[test]
fn json_ops_unknown_to_the_catalog_are_other() {
    let mut child = opsight()
        .args(["parse", "--json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"Uid u0a1:\n  Package com.x:\n    AUTO_START (allow):\n      null=[\n        Access: [top-s] 2026-01-01 00:00:00.000 (-5s0ms)\n      ]\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let op = &doc["files"][0]["uids"][0]["packages"][0]["ops"][0];
    assert_eq!(
        (&op["op"], &op["info_type"], &op["permission_group"]),
        (&"AUTO_START".into(), &"other".into(), &serde_json::Value::Null)
    );
    assert_eq!(op["events"].as_array().map(Vec::len), Some(1));
}

/// Words an OEM adds to event lines are named in the summary: how many lines had words skipped.
#[test]
fn summary_counts_event_lines_with_unread_words() {
    let out = opsight().arg("parse").arg(fixture("synthetic/oem_noisy_android11.txt")).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unread words:    skipped on 1 event line (OEM additions; the events are kept)"), "{text}");
    let plain = opsight().arg("parse").arg(fixture(A10)).output().expect("run");
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("unread words"), "nothing said when there are none");
}

/// Each discrete access is an access event: the same keys as the events of the op state, with `null` for what the
/// discrete forms do not print (no relative time), and its package and uid on the object itself.
#[test]
fn json_discrete_accesses_carry_the_event_keys() {
    for rel in ["synthetic/android12_discrete_xml.txt", "synthetic/android16_discrete_sqlite.txt"] {
        let out = opsight().args(["parse", "--json"]).arg(fixture(rel)).output().expect("run");
        assert!(out.status.success(), "{rel}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        let discrete = doc["files"][0]["discrete"].as_array().expect("discrete array");
        assert!(!discrete.is_empty(), "{rel}");
        for d in discrete {
            for key in [
                "kind",
                "op",
                "uid_state",
                "flags",
                "attribution_tag",
                "time_local",
                "relative_ms",
                "duration_ms",
                "proxy",
                "package",
                "uid",
            ] {
                assert!(d.get(key).is_some(), "{rel}: discrete access lacks {key}: {d}");
            }
            assert_eq!(d["kind"], "access", "{rel}: {d}");
            assert_eq!(d["relative_ms"], serde_json::Value::Null, "{rel}: {d}");
        }
    }
    let out = opsight().args(["parse", "--json"]).arg(fixture("synthetic/android12_discrete_xml.txt")).output();
    let doc: serde_json::Value = serde_json::from_slice(&out.expect("run").stdout).expect("json");
    let first = &doc["files"][0]["discrete"][0];
    assert_eq!(
        (
            &first["uid"],
            &first["package"],
            &first["op"],
            &first["uid_state"],
            &first["time_local"],
            &first["duration_ms"]
        ),
        (
            &serde_json::json!("10123"),
            &serde_json::json!("com.tencent.qqmusic"),
            &serde_json::json!("RECORD_AUDIO"),
            &serde_json::json!("bg"),
            &serde_json::json!("2022-06-01 03:12:00.000"),
            &serde_json::json!(60_000)
        )
    );
}

#[test]
fn zone_and_capture_instant_give_utc_and_say_how() {
    let out = opsight().args(["parse", "--json", "--zone", "Asia/Shanghai"]).arg(fixture(A11)).output().expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let event = &doc["files"][0]["uids"][0]["packages"][0]["ops"][1]["events"][0];
    // appops.xml of the same device: t="1610352065086".
    assert_eq!(event["utc_ms"], 1_610_352_065_086_i64);
    assert_eq!(event["time_basis"], "local_with_zone");

    let get = "appops/MuntashirAkon-AppManager-issue29__appops_get_2020.txt";
    let out = opsight()
        .args(["parse", "--json", "--captured-at", "2020-07-09T10:00:00Z"])
        .arg(fixture(get))
        .output()
        .expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let event = &doc["files"][0]["uids"][0]["packages"][0]["ops"][0]["events"][0];
    // COARSE_LOCATION: time=+9d20h47m55s560ms ago.
    let ago = ((9 * 24 + 20) * 3600 + 47 * 60 + 55) * 1000 + 560;
    assert_eq!(event["utc_ms"], 1_594_288_800_000_i64 - ago);
    assert_eq!(event["time_basis"], "capture_relative");
}

#[test]
fn reads_standard_input() {
    let mut child = opsight().args(["parse", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("spawn");
    let input = std::fs::read(fixture(A10)).expect("fixture");
    child.stdin.take().expect("stdin").write_all(&input).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("access events:   16"));
}

/// A pipe named as a file (`opsight parse <(adb shell dumpsys appops)`, `/dev/stdin`), large enough to be cut into
/// parts were it a regular file: it cannot be, and is read as it comes.
#[cfg(unix)]
#[test]
fn reads_a_pipe_named_as_a_file() {
    let one = std::fs::read(fixture(A10)).expect("fixture");
    let copies = 3_000_000 / one.len() + 1;
    let input = one.repeat(copies);
    let mut child =
        opsight().args(["parse", "/dev/stdin"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer").expect("write");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("access events:   {}", 16 * copies)), "{text}");
}

/// Standard input redirected from a file is that file: parsed in parts like a named one, from where its position
/// stands (a script may have read its first lines).
#[test]
fn reads_standard_input_redirected_from_a_file_from_its_position() {
    use std::io::{Seek, SeekFrom};
    let one = std::fs::read(fixture(A10)).expect("fixture");
    let copies = 3_000_000 / one.len() + 2;
    let dir = TempDir::new("stdin-file");
    let path = dir.path("dump.txt");
    std::fs::write(&path, one.repeat(copies)).expect("write");
    let mut file = std::fs::File::open(&path).expect("open");
    file.seek(SeekFrom::Start(one.len() as u64)).expect("seek");
    let out = opsight().args(["parse", "-"]).stdin(file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("access events:   {}", 16 * (copies - 1))), "{text}");
}

#[test]
fn errors_are_clear_and_exit_1() {
    let out = opsight().args(["parse", "/nonexistent/dump.txt"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open /nonexistent/dump.txt"), "{err}");
    let out = opsight().args(["parse", "--json", "--zone", "Nowhere/City"]).arg(fixture(A10)).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown time zone"));
    let out = opsight().args(["parse"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    // Standard input twice would read it once and then nothing, without saying so.
    let out = opsight().args(["parse", "-", "-"]).stdin(Stdio::null()).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("can be read only once"));
}

#[test]
fn garbage_input_is_reported_not_fatal() {
    let dir = std::env::temp_dir().join(format!("opsight-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("garbage.bin");
    std::fs::write(&path, [0xffu8, 0xfe, 0, 1, 2, b'\n', 0x80]).expect("write");
    let out = opsight().arg("parse").arg(&path).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("format:          unknown"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let lg = "appops/stopipv-isdi__dumpsys_appops_lg_phoenix_lv1_att_android6.0.1_2018-03-12.txt";
    let mut child = opsight()
        .args(["parse", "--json"])
        .arg(fixture(lg))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The summary's closing notes appear only when they say something: "no AppOps text" only when neither the format
/// nor anything in it was recognised; "skipped lines" only when a line was unrecognised or not UTF-8, each alone.
#[test]
fn summary_notes_only_what_there_is_to_note() {
    let dir = TempDir::new("notes");
    let header_only = dir.path("header-only.txt");
    std::fs::write(&header_only, b"Current AppOps Service state:\n").expect("write");
    let lossy = dir.path("lossy.txt");
    std::fs::write(&lossy, b"Uid u0a1:\n  Package com.x\xff:\n    CAMERA (allow):\n").expect("write");
    let unknown = dir.path("unknown.txt");
    std::fs::write(&unknown, b"Uid u0a1:\n  Package com.x:\n    vendor note\n").expect("write");
    let out =
        opsight().arg("parse").arg(fixture(A10)).arg(&header_only).arg(&lossy).arg(&unknown).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let summaries: Vec<&str> = text.split("\n/").collect();
    assert_eq!(summaries.len(), 4, "{text}");
    let [clean, header, lossy, unknown] = [summaries[0], summaries[1], summaries[2], summaries[3]];
    assert!(!clean.contains("skipped lines") && !clean.contains("note:"), "{clean}");
    assert!(header.contains("format:          dumpsys") && !header.contains("note:"), "{header}");
    assert!(lossy.contains("skipped lines:   0 unrecognised, 1 not UTF-8"), "{lossy}");
    assert!(unknown.contains("skipped lines:   1 unrecognised, 0 not UTF-8"), "{unknown}");
}

/// A file that cannot be read does not stop the others: each readable one is summarised (or in the JSON document),
/// the unreadable one is named on stderr, and the exit code is 1.
#[test]
fn an_unreadable_file_is_reported_and_the_others_still_parsed() {
    let dir = std::env::temp_dir().join(format!("opsight-parse-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let missing = dir.join("missing.txt");
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").expect("write");

    let out = opsight().arg("parse").arg(fixture(A10)).arg(&missing).arg(&empty).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("access events:   16"), "{text}");
    assert!(text.contains("empty.txt") && text.contains("no AppOps text found"), "the file after it: {text}");
    assert!(stderr.contains("cannot open") && stderr.contains("missing.txt"), "{stderr}");
    assert!(stderr.lines().any(|l| l == "opsight: 1 of 3 files could not be read"), "{stderr}");

    let out = opsight().args(["parse", "--json"]).arg(&missing).arg(fixture(A10)).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("still one JSON document");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert!(files[0]["file"].as_str().expect("name").ends_with("samsung_a10.txt"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A file name is shown, never obeyed: its control characters (an escape sequence that would recolour the terminal
/// or clear it, a newline that would fake a line of the summary) are printed escaped, in the summary and in errors.
#[test]
fn control_characters_in_file_names_are_shown_escaped() {
    let dir = TempDir::new("names");
    let named = dir.path("dump\u{1b}[2J\nformat:          dumpsys_q.txt");
    std::fs::copy(fixture(A10), &named).expect("copy");
    let missing = dir.path("gone\u{1b}]0;title\u{7}\u{202e}txt.exe");

    let out = opsight().arg("parse").arg(&named).arg(&missing).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let (text, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains('\u{1b}') && !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'), "{text}{stderr}");
    assert!(text.contains("dump\\u{1b}[2J\\nformat:          dumpsys_q.txt\n"), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("  format:")).count(), 1, "one file, one format line: {text}");
    assert!(!stderr.contains('\u{202e}'), "{stderr}");
    assert!(stderr.contains("cannot open") && stderr.contains("gone\\u{1b}]0;title\\u{7}\\u{202e}txt.exe"), "{stderr}");
    // JSON escapes them itself: the name is kept exactly.
    let out = opsight().args(["parse", "--json"]).arg(&named).output().expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["files"][0]["file"].as_str(), Some(named.to_str().expect("utf-8 name")));
}

/// The JSON document of `opsight parse --json FILE`, with the file's own keys taken out: what the parser read.
fn parsed_json(file: &std::path::Path) -> (serde_json::Value, serde_json::Value) {
    let out = opsight().args(["parse", "--json"]).arg(file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut parsed = doc["files"][0].take();
    let entry = parsed["archive_entry"].take();
    let map = parsed.as_object_mut().expect("an object");
    map.remove("file");
    map.remove("archive_entry");
    (parsed, entry)
}

/// `adb bugreport` writes a zip: its text is the entry `main_entry.txt` names, among many others. Parsing the zip
/// reads exactly what parsing that text does, deflated or stored, and says which entry it read.
#[test]
fn a_bugreport_zip_is_read_from_the_entry_main_entry_names() {
    let dir = TempDir::new("zip");
    let text_path = fixture("synthetic/bugreport_embedded.txt");
    let text = std::fs::read(&text_path).expect("fixture");
    let name = "bugreport-panther-AP4A.250105.002-2026-11-28-10-00-00.txt";
    for deflated in [true, false] {
        let zip = dir.path(&format!("bugreport-{deflated}.zip"));
        write_zip(
            &zip,
            &[
                ("version.txt", b"2.0"),
                ("dumpstate_log.txt", b"dumpstate: Uid 0:\n  Access: [top-s] 2020-01-01 00:00:00.000 (-1s)\n"),
                ("main_entry.txt", name.as_bytes()),
                (name, &text),
                ("FS/data/misc/logd/logcat", b"Package com.noise:\n"),
            ],
            deflated,
        );
        let out = opsight().arg("parse").arg(&zip).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.starts_with(&format!("{} ({name} in the archive)\n", zip.display())), "{summary}");
        let plain = opsight().arg("parse").arg(&text_path).output().expect("run");
        let plain = String::from_utf8_lossy(&plain.stdout);
        // Everything after the name line is the same.
        assert_eq!(summary.split_once('\n').map(|s| s.1), plain.split_once('\n').map(|s| s.1));
        assert!(summary.contains("access events:   16"), "{summary}");

        let (from_zip, entry) = parsed_json(&zip);
        let (from_text, no_entry) = parsed_json(&text_path);
        assert_eq!(entry, serde_json::json!(name));
        assert_eq!(no_entry, serde_json::Value::Null, "no archive_entry key for a plain file");
        assert_eq!(from_zip, from_text);
    }
}

/// A bugreport zip cut short (an `adb pull` or a download stopped early) has lost its index, at its end, which
/// dumpstate writes last, after the text. The text is found from the entries' own headers and read up to the cut,
/// and the summary says it was truncated: what the cut text would give, as for a text file cut short. A cut before
/// the text leaves nothing to read, and says so.
#[test]
fn a_bugreport_zip_cut_short_is_read_up_to_the_cut() {
    let dir = TempDir::new("cutzip");
    let text_path = fixture(LG6);
    let text = std::fs::read(&text_path).expect("fixture");
    let (full, _) = parsed_json(&text_path);
    let full_events = events_of(&full);
    let entries: [(&str, &[u8]); 4] = [
        ("version.txt", b"2.0"),
        ("dumpstate_log.txt", b"dumpstate: begin\n"),
        ("bugreport-x.txt", &text),
        ("main_entry.txt", b"bugreport-x.txt"),
    ];
    for streamed in [true, false] {
        let zip = dir.path(&format!("whole-{streamed}.zip"));
        if streamed {
            write_streamed_zip(&zip, &entries);
        } else {
            write_zip(&zip, &entries, true);
        }
        let whole = std::fs::read(&zip).expect("read");
        let cut = dir.path(&format!("cut-{streamed}.zip"));
        std::fs::write(&cut, &whole[..whole.len() * 3 / 5]).expect("write");

        let out = opsight().arg("parse").arg(&cut).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(
            summary
                .starts_with(&format!("{} (bugreport-x.txt in the archive, whose index is missing)\n", cut.display())),
            "{summary}"
        );
        assert!(summary.contains("truncated:       yes"), "{summary}");
        let (parsed, entry) = parsed_json(&cut);
        assert_eq!(entry, "bugreport-x.txt");
        assert_eq!((parsed["truncated"].clone(), parsed["archive_index_missing"].clone()), (true.into(), true.into()));
        let events = events_of(&parsed);
        assert!(events.len() > full_events.len() / 4 && events.len() < full_events.len(), "{}", events.len());
        assert_eq!(events[..], full_events[..events.len()], "a prefix of the whole");

        // Stored up to the cut, the run marked truncated; so is a gzip'd copy cut short.
        let gz = dir.path(&format!("cut-{streamed}.gz"));
        let gzipped = gzip(&text);
        std::fs::write(&gz, &gzipped[..gzipped.len() * 3 / 5]).expect("write");
        for (cut_file, db) in [(&cut, "zip"), (&gz, "gz")] {
            let db = dir.path(&format!("{db}-{streamed}.db"));
            let out = opsight().args(["ingest", "--db"]).arg(&db).arg(cut_file).output().expect("run");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let report = String::from_utf8_lossy(&out.stdout);
            assert!(report.contains("truncated:     yes"), "{report}");
        }
        let db = dir.path(&format!("json-{streamed}.db"));
        let out = opsight().args(["ingest", "--json", "--db"]).arg(&db).arg(&cut).output().expect("run");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(doc["files"][0]["archive_index_missing"], true, "{doc}");
        assert_eq!(doc["files"][0]["report"]["truncated"], true, "{doc}");

        // Whole but for its index (cut inside the index): the text is whole and not truncated.
        let index_cut = dir.path(&format!("index-cut-{streamed}.zip"));
        std::fs::write(&index_cut, &whole[..whole.len() - 30]).expect("write");
        let (parsed, _) = parsed_json(&index_cut);
        assert_eq!(parsed["truncated"], false);
        assert_eq!(events_of(&parsed), full_events);

        // Cut before the text: the entries before it hold no dump, and the message says so.
        let early = dir.path(&format!("early-{streamed}.zip"));
        std::fs::write(&early, &whole[..90]).expect("write");
        let out = opsight().arg("parse").arg(&early).output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "early-{streamed}.zip: its index, at its end, is missing or damaged, as in a copy cut short: its one \
                 entry before the damage is not a bugreport or dumpsys text: copy it again"
            )),
            "{stderr}"
        );
    }
}

/// Cut short in the entries that follow the dump: `main_entry.txt`, which dumpstate writes just after the text, cut
/// inside is taken as absent and the text found by its name; and an archive holding a stored zip (Info-ZIP stores
/// `.zip` files as they are), whose own index is cut away, is not read through the inner zip's index.
#[test]
fn a_cut_after_the_dump_loses_nothing_of_it() {
    let dir = TempDir::new("cutafter");
    let text_path = fixture(LG6);
    let text = std::fs::read(&text_path).expect("fixture");
    let full = events_of(&parsed_json(&text_path).0);

    let streamed = dir.path("streamed.zip");
    let entries: [(&str, &[u8]); 4] = [
        ("version.txt", b"2.0"),
        ("bugreport-x.txt", &text),
        ("main_entry.txt", b"bugreport-x.txt"),
        ("dumpstate_log.txt", b"dumpstate: done\n"),
    ];
    write_streamed_zip(&streamed, &entries);
    let bytes = std::fs::read(&streamed).expect("read");
    let name_at = bytes.windows(14).position(|w| w == b"main_entry.txt").expect("its local header");
    let cut = dir.path("cut-in-main-entry.zip");
    std::fs::write(&cut, &bytes[..name_at + 14 + 3]).expect("write");
    let (parsed, entry) = parsed_json(&cut);
    assert_eq!((entry, parsed["truncated"].clone()), (serde_json::json!("bugreport-x.txt"), serde_json::json!(false)));
    assert_eq!(events_of(&parsed), full);

    let inner = dir.path("inner.zip");
    write_zip(&inner, &[("bugreport-x.txt", &text[..30_000])], true);
    let inner = std::fs::read(&inner).expect("read");
    let outer = dir.path("acq.zip");
    write_zip(&outer, &[("acq/bugreport.zip", &inner), ("acq/dumpsys.txt", &text)], false);
    let bytes = std::fs::read(&outer).expect("read");
    let cut = dir.path("acq-cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() - 60]).expect("write");
    let out = opsight().arg("parse").arg(&cut).output().expect("run");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("(acq/dumpsys.txt in the archive, whose index is missing)"), "{summary}");
    let (parsed, _) = parsed_json(&cut);
    assert_eq!((events_of(&parsed), parsed["truncated"].clone()), (full, serde_json::json!(false)));
}

/// Cut short before the text `main_entry.txt` names (written first here, as other tools may): the dump was lost with
/// the cut, and the message asks for a new copy.
#[test]
fn a_cut_before_the_named_dump_asks_for_a_new_copy() {
    let dir = TempDir::new("cutbefore");
    let text = std::fs::read(fixture(LG6)).expect("fixture");
    let whole = dir.path("whole.zip");
    write_zip(&whole, &[("main_entry.txt", b"bugreport-x.txt"), ("bugreport-x.txt", &text)], false);
    let bytes = std::fs::read(&whole).expect("read");
    let name_at = bytes.windows(15).position(|w| w == b"bugreport-x.txt").expect("main_entry.txt's text");
    let cut = dir.path("cut.zip");
    std::fs::write(&cut, &bytes[..name_at + 15 + 10]).expect("write");
    let out = opsight().arg("parse").arg(&cut).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "its main_entry.txt names bugreport-x.txt, which is not among its entries before the damage: copy it again"
        ),
        "{stderr}"
    );
}

/// A bugreport that states the device's zone (`persist.sys.timezone` among its system properties): `parse` shows it
/// and dates the events in it without `--zone`, as `ingest` does, which records it and says so instead of asking for
/// one.
#[test]
fn a_bugreports_own_zone_dates_it_without_zone() {
    let dir = TempDir::new("statedzone");
    let stated = fixture("synthetic/bugreport_with_zone.txt");
    let out = opsight().arg("parse").arg(&stated).output().expect("run");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("  device zone:     Europe/Berlin (the bugreport's persist.sys.timezone)\n"), "{summary}");
    let started = "  report started:  2022-03-29 23:26:10 (device local, the bugreport's header)\n";
    assert!(summary.contains(started), "{summary}");
    let (parsed, _) = parsed_json(&stated);
    assert_eq!((&parsed["device_zone"], &parsed["zone"]), (&json!("Europe/Berlin"), &json!("Europe/Berlin")));
    let events = events_of(&parsed);
    assert!(!events.is_empty() && events.iter().all(|e| e[3]["time_basis"] == "local_with_zone"), "{events:?}");
    // `--zone` wins over the zone the bugreport states, and `zone` says which dated the events.
    let out = opsight().args(["parse", "--json", "--zone", "asia/shanghai"]).arg(&stated).output().expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let file = &doc["files"][0];
    assert_eq!((&file["device_zone"], &file["zone"]), (&json!("Europe/Berlin"), &json!("Asia/Shanghai")));
    let (plain, _) = parsed_json(&fixture(A10));
    assert_eq!(plain["zone"], serde_json::Value::Null, "no zone known, none used");
    let db = dir.path("phone.db");
    let out = opsight()
        .args(["ingest", "--captured-at", "2022-03-29T21:27:54Z", "--db"])
        .arg(&db)
        .arg(&stated)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("  zone:          Europe/Berlin (the bugreport's persist.sys.timezone; no --zone given)\n"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no --zone"), "{}", String::from_utf8_lossy(&out.stderr));
    // When it was started is shown, not used: the appops section was printed later.
    assert_eq!(parsed["report_start_local"], "2022-03-29 23:26:10.000");
}

/// An androidqf acquisition keeps the phone's properties in `getprop.txt`, beside `dumpsys.txt`, which has none: the
/// zone there dates the dump when no `--zone` is given, in a folder or zipped, as a bugreport's own zone does.
#[test]
fn an_acquisitions_getprop_zone_dates_its_dumpsys_without_zone() {
    let dir = TempDir::new("getpropzone");
    let a10 = std::fs::read(fixture(A10)).expect("fixture");
    let getprop =
        b"[persist.sys.locale]: [de-DE]\n[persist.sys.timezone]: [Europe/Berlin]\n[ro.product.model]: [SM-A105F]\n";
    let qf = dir.path("qf");
    std::fs::create_dir_all(&qf).expect("mkdir");
    std::fs::write(qf.join("dumpsys.txt"), &a10).expect("write");
    std::fs::write(qf.join("getprop.txt"), getprop).expect("write");
    let zipped = dir.path("qf.zip");
    write_zip(&zipped, &[("qf/dumpsys.txt", &a10), ("qf/getprop.txt", getprop)], true);
    for input in [&qf, &zipped] {
        let out = opsight().arg("parse").arg(input).output().expect("run");
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.contains("  device zone:     Europe/Berlin (the acquisition's getprop.txt)\n"), "{summary}");
        let (parsed, _) = parsed_json(input);
        assert_eq!(parsed["getprop_zone"], "Europe/Berlin");
        let events = events_of(&parsed);
        assert!(!events.is_empty() && events.iter().all(|e| e[3]["time_basis"] == "local_with_zone"), "{events:?}");
        let db = dir.path(&format!("{}.db", input.file_name().and_then(|n| n.to_str()).expect("name")));
        let out = opsight()
            .args(["ingest", "--captured-at", "2022-03-29T21:27:54Z", "--db"])
            .arg(&db)
            .arg(input)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("  zone:          Europe/Berlin (the acquisition's getprop.txt; no --zone given)\n"));
        assert!(!String::from_utf8_lossy(&out.stderr).contains("no --zone"));
    }
    // A zone given wins; a getprop.txt without one changes nothing.
    let out = opsight().args(["parse", "--json", "--zone", "Asia/Tokyo"]).arg(&qf).output().expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let plain = events_of(&parsed_json(&fixture(A10)).0);
    let tokyo = events_of(&doc["files"][0]);
    let berlin = events_of(&parsed_json(&qf).0);
    let utc = |e: &serde_json::Value| e[3]["utc_ms"].as_i64().expect("dated");
    assert_eq!(utc(&berlin[0]) - utc(&tokyo[0]), 7 * 3_600_000, "UTC+2 in Berlin that day, UTC+9 in Tokyo");
    assert_eq!(doc["files"][0].get("getprop_zone"), None, "not used, not shown");
    for props in [&b"[ro.product.model]: [SM-A105F]\n"[..], b"[persist.sys.timezone]: [Mars/Olympus]\n"] {
        std::fs::write(qf.join("getprop.txt"), props).expect("write");
        let (parsed, _) = parsed_json(&qf);
        assert_eq!((parsed.get("getprop_zone"), events_of(&parsed)), (None, plain.clone()));
        let out = opsight().arg("parse").arg(&qf).output().expect("run");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("device zone"));
    }
}

/// Every event of a parse's JSON, in order, with its uid, package and op.
fn events_of(parsed: &serde_json::Value) -> Vec<serde_json::Value> {
    let list = |v: &serde_json::Value, key: &str| v[key].as_array().cloned().unwrap_or_default();
    let mut events = Vec::new();
    for uid in list(parsed, "uids") {
        for package in list(&uid, "packages") {
            for op in list(&package, "ops") {
                events.extend(
                    list(&op, "events")
                        .into_iter()
                        .map(|e| (uid["uid"].clone(), package["package"].clone(), op["op"].clone(), e))
                        .map(|t| serde_json::json!(t)),
                );
            }
        }
    }
    events
}

/// androidqf's output holds `dumpsys.txt` (in a folder, zipped by the person who sends it); a zip holding one text
/// file is read too.
#[test]
fn an_androidqf_zip_is_read_from_its_dumpsys_txt() {
    let dir = TempDir::new("qf");
    let a10 = std::fs::read(fixture(A10)).expect("fixture");
    let qf = dir.path("androidqf.zip");
    write_zip(
        &qf,
        &[("acq/packages.json", b"[]"), ("acq/getprop.txt", b"[ro.build]: [x]"), ("acq/dumpsys.txt", &a10)],
        true,
    );
    let one = dir.path("one.zip");
    write_zip(&one, &[("notes/", b""), ("dumpsys_appops.txt", &a10)], true);
    for (zip, entry) in [(&qf, "acq/dumpsys.txt"), (&one, "dumpsys_appops.txt")] {
        let out = opsight().arg("parse").arg(zip).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("({entry} in the archive)")), "{text}");
        assert!(text.contains("access events:   16") && text.contains("reject events:   7"), "{text}");
    }
}

/// Zips that do not say which entry is the dump, or whose entry cannot be read as text, are each refused with a
/// message saying what to do (never parsed as binary noise, never a guess between two candidates); the other files
/// are still parsed.
#[test]
fn zips_that_hold_no_single_dump_are_refused_clearly() {
    let dir = TempDir::new("badzip");
    let a10 = std::fs::read(fixture(A10)).expect("fixture");
    let mut inner = Vec::new();
    {
        let path = dir.path("inner.zip");
        write_zip(&path, &[("dumpsys.txt", &a10)], true);
        inner.extend(std::fs::read(&path).expect("read"));
    }
    let long = format!("{}.txt", "y".repeat(100));
    let cases: [(&str, Entries<'_>, &str); 9] = [
        ("dumped.zip", vec![("main_entry.txt", b"Uid u0a1:\n  Package com.secret.diary:\n"), ("bugreport-x.txt", b"x")],
            "dumped.zip: its main_entry.txt does not hold a file name (37 bytes of other text)"),
        ("longnames.zip", vec![(long.as_str(), b"x"), ("b.txt", b"y")],
            "(*.txt: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…, b.txt)"),
        ("several.zip", vec![("a.txt", b"x"), ("b.txt", b"y"), ("c.json", b"{}")],
            "several.zip: it holds 2 files that could be the dump (*.txt: a.txt, b.txt): unzip it and name the one to read"),
        ("twoqf.zip", vec![("acq1/dumpsys.txt", &a10), ("acq2/dumpsys.txt", &a10)],
            "it holds 2 files that could be the dump (dumpsys.txt: acq1/dumpsys.txt, acq2/dumpsys.txt)"),
        ("none.zip", vec![("c.json", b"{}")],
            "none.zip: it is a zip archive without a bugreport or dumpsys text in it (1 entry): name the text file itself"),
        ("nones.zip", vec![("c.json", b"{}"), ("d/", b""), ("d/e.json", b"[]")],
            "nones.zip: it is a zip archive without a bugreport or dumpsys text in it (3 entries)"),
        ("dangling.zip", vec![("main_entry.txt", b"bugreport-gone.txt"), ("bugreport-other.txt", b"x")],
            "its main_entry.txt names bugreport-gone.txt, which is not in the zip archive"),
        ("folder.zip", vec![("main_entry.txt", b"sub/"), ("sub/", b""), ("sub/bugreport-x.txt", b"x")],
            "its main_entry.txt names sub/, a folder"),
        ("nested.zip", vec![("dumpsys.txt", &inner)],
            "nested.zip: cannot read dumpsys.txt in the archive: it is itself a zip archive: unzip the outer one first"),
    ];
    let mut cmd = opsight();
    cmd.arg("parse");
    for (name, entries, _) in &cases {
        write_zip(&dir.path(name), entries, true);
        cmd.arg(dir.path(name));
    }
    let damaged = dir.path("damaged.zip");
    std::fs::write(&damaged, b"PK\x03\x04 this is no archive").expect("write");
    let out = cmd.arg(&damaged).arg(fixture(A10)).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (_, _, message) in &cases {
        assert!(stderr.contains(message), "{message:?} not in\n{stderr}");
    }
    assert!(!stderr.contains("com.secret.diary"), "a main_entry.txt that holds no name is not quoted: {stderr}");
    assert!(
        stderr.contains(
            "damaged.zip: it starts like a zip archive but cannot be read as one (its index, at its end, is missing or \
             damaged, as in a copy cut short, and no entry before the damage can be read: copy it again)"
        ),
        "{stderr}"
    );
    // An archive cut short (a pull stopped early) has lost its index, at its end; its entries are found from their
    // own headers, and the same rules apply to them.
    let whole = std::fs::read(dir.path("several.zip")).expect("read");
    let cut = dir.path("cut.zip");
    std::fs::write(&cut, &whole[..whole.len() * 3 / 4]).expect("write");
    let cut_out = opsight().arg("parse").arg(&cut).output().expect("run");
    assert_eq!(cut_out.status.code(), Some(1));
    let cut_err = String::from_utf8_lossy(&cut_out.stderr);
    assert!(
        cut_err.contains(
            "cut.zip: its index, at its end, is missing or damaged, as in a copy cut short: none of its 3 entries \
             before the damage is a bugreport or dumpsys text: copy it again"
        ),
        "{cut_err}"
    );
    assert!(stderr.contains("10 of 11 files could not be read"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("access events:   16"));

    // Through a pipe, a zip archive is copied to a temporary file first (its index is at its end), then read by the
    // same rules: two candidates are refused; one is read; one cut short is read up to the cut.
    let piped = |bytes: &[u8]| {
        let mut child = opsight()
            .args(["parse", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().expect("stdin").write_all(bytes).expect("write");
        child.wait_with_output().expect("wait")
    };
    let out = piped(&std::fs::read(dir.path("several.zip")).expect("read"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("-: it holds 2 files that could be the dump (*.txt: a.txt, b.txt)"), "{stderr}");
    let bugreport = dir.path("bugreport.zip");
    write_streamed_zip(&bugreport, &[("main_entry.txt", b"bugreport-x.txt"), ("bugreport-x.txt", &a10)]);
    let bugreport = std::fs::read(&bugreport).expect("read");
    let out = piped(&bugreport);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("- (bugreport-x.txt in the archive)\n"), "{text}");
    assert!(text.contains("access events:   16") && text.contains("truncated:       no"), "{text}");
    let out = piped(&bugreport[..bugreport.len() * 2 / 3]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("- (bugreport-x.txt in the archive, whose index is missing)\n"), "{text}");
    assert!(text.contains("truncated:       yes"), "{text}");
    let qf = dir.path("qf.zip");
    write_zip(&qf, &[("acq/dumpsys.txt", &a10)], true);
    let stdin = std::fs::File::open(&qf).expect("open");
    let out = opsight().args(["parse", "-"]).stdin(stdin).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("- (acq/dumpsys.txt in the archive)\n"));
}

/// Bugreports as users pass them on: unzipped and zipped again inside a folder (its `main_entry.txt` then in the
/// folder too, beside `dumpstate_log.txt` and `dumpstate_board.txt`, which every bugreport holds and which are not
/// the dump), without `main_entry.txt`, with a BOM and CRLF in it, gzip'd inside, or named in capitals.
#[test]
fn bugreport_zips_as_users_pass_them_on_are_read() {
    let dir = TempDir::new("zipforms");
    let text = std::fs::read(fixture("synthetic/bugreport_embedded.txt")).expect("fixture");
    let gz = gzip(&text);
    let noise: &[u8] = b"------ DUMPSTATE LOG ------\n";
    let cases: [(&str, Entries<'_>, &str); 5] = [
        (
            "rezipped.zip",
            vec![
                ("br/dumpstate_log.txt", noise),
                ("br/main_entry.txt", b"bugreport-x.txt"),
                ("br/dumpstate_board.txt", noise),
                ("br/bugreport-x.txt", &text),
            ],
            "br/bugreport-x.txt",
        ),
        (
            "nomain.zip",
            vec![("dumpstate_log.txt", noise), ("dumpstate_board.txt", noise), ("bugreport-x.txt", &text)],
            "bugreport-x.txt",
        ),
        (
            "bom.zip",
            vec![
                ("main_entry.txt", "\u{feff}bugreport-x.txt\r\n".as_bytes()),
                ("bugreport-x.txt", &text),
                ("bugreport-y.txt", noise),
            ],
            "bugreport-x.txt",
        ),
        ("gzipped.zip", vec![("acq/getprop.txt", noise), ("acq/dumpsys.txt.gz", &gz)], "acq/dumpsys.txt.gz"),
        ("capitals.zip", vec![("README.txt", noise), ("ACQ/DUMPSYS.TXT", &text)], "ACQ/DUMPSYS.TXT"),
    ];
    for (name, entries, entry) in &cases {
        let zip = dir.path(name);
        write_zip(&zip, entries, true);
        let out = opsight().arg("parse").arg(&zip).output().expect("run");
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.starts_with(&format!("{} ({entry} in the archive)\n", zip.display())), "{summary}");
        assert!(
            summary.contains("access events:   16")
                && summary.contains("(the appops section of a bugreport or a full dumpsys)"),
            "{name}: {summary}"
        );
    }
}

/// A gzip'd capture, as a file or on standard input, reads as its text; members one after another are one text (as
/// `zcat` reads them), and zero padding after the last ends it (as `gzip -d` takes it); a cut one is read up to the
/// cut and said to be truncated, as a cut text file is; one followed by other data is an error.
#[test]
fn gzipped_dumps_are_read_as_their_text() {
    use std::io::Write as _;
    let dir = TempDir::new("gz");
    let a10 = std::fs::read(fixture(A10)).expect("fixture");
    let gz = gzip;
    let one = dir.path("a10.txt.gz");
    std::fs::write(&one, gz(&a10)).expect("write");
    let two = dir.path("twice.gz");
    std::fs::write(&two, [gz(&a10), gz(&a10)].concat()).expect("write");
    let out = opsight().arg("parse").arg(&one).arg(&two).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("access events:   16") && text.contains("access events:   32"), "{text}");
    let (from_gz, _) = parsed_json(&one);
    let (from_text, _) = parsed_json(&fixture(A10));
    assert_eq!(from_gz, from_text);

    let mut child = opsight().args(["parse", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(&gz(&a10)).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(String::from_utf8_lossy(&out.stdout).contains("reject events:   7"));

    let padded = dir.path("padded.gz");
    std::fs::write(&padded, [gz(&a10), gz(&a10), vec![0; 512]].concat()).expect("write");
    let out = opsight().arg("parse").arg(&padded).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("access events:   32"));

    let whole = gz(&a10);
    // Cut: what was decompressed before the cut is kept, and the summary says the input was truncated, also when
    // the cut falls where the text is between two lines. (Half the stream holds the first few uids.)
    let cut = dir.path("cut.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write");
    let (parsed, _) = parsed_json(&cut);
    assert_eq!(parsed["truncated"], true);
    let uids = parsed["uids"].as_array().expect("uids").len();
    assert!(uids > 0 && uids < from_text["uids"].as_array().expect("uids").len(), "{uids}");
    // Cut so early that less than the first 512 bytes of text (which tell what the input is) come out: the same.
    let early = dir.path("cut-early.gz");
    std::fs::write(&early, &whole[..120]).expect("write");
    let (parsed, _) = parsed_json(&early);
    assert_eq!(parsed["truncated"], true);
    let bytes = parsed["bytes"].as_u64().expect("bytes");
    assert!(bytes > 0 && bytes < 512, "{bytes}");
    let text_end = a10.iter().take(a10.len() / 3).rposition(|&b| b == b'\n').expect("a line") + 1;
    let at_line = gz(&a10[..text_end]);
    let flushed_then_cut = dir.path("cut-at-line.gz");
    // The stream's trailer (crc and size, 8 bytes) left out: every byte of text is there, the stream is still cut.
    std::fs::write(&flushed_then_cut, &at_line[..at_line.len() - 8]).expect("write");
    let out = opsight().arg("parse").arg(&flushed_then_cut).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("truncated:       yes"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for (name, bytes, message) in [
        ("junk.gz", [whole.clone(), b"junk".to_vec()].concat(), "data after the end of the gzip stream"),
        (
            "padded-junk.gz",
            [whole.clone(), vec![0; 100], b"x".to_vec()].concat(),
            "data after the end of the gzip stream",
        ),
        // Padding longer than what is read at once, then data: still found.
        (
            "long-padded-junk.gz",
            [whole.clone(), vec![0; 100_000], b"x".to_vec()].concat(),
            "data after the end of the gzip stream",
        ),
    ] {
        std::fs::write(dir.path(name), bytes).expect("write");
        let out = opsight().arg("parse").arg(dir.path(name)).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(name) && stderr.contains(message), "{name}: {stderr}");
    }
}

/// UTF-16 text with its byte order mark: what Windows PowerShell 5.1 writes for `adb shell dumpsys appops >
/// appops.txt` (little-endian, CRLF). It reads exactly as its UTF-8 text, as a file, on standard input, gzip'd and in
/// a zip archive; big-endian too, and without the mark. Broken UTF-16 is counted as unreadable text, not a failure.
#[test]
fn utf16_text_reads_as_its_utf8() {
    use std::io::Write as _;
    let dir = TempDir::new("utf16");
    for name in [A10, A11, "appops/google-device-infra__appops_get_test_output_android11.txt"] {
        let text = std::fs::read_to_string(fixture(name)).expect("fixture");
        let crlf = text.replace('\n', "\r\n");
        // With the byte order mark, and without it (its two bytes left out); a line with Chinese text first, as a
        // device's name would be, still leaves the start mostly ASCII.
        let named = format!("设备名称: 小米手机\n{text}");
        for (form, text) in [("le", &crlf), ("be", &text), ("le", &named)] {
            let (plain, wide) = (dir.path(&format!("{form}-utf8.txt")), dir.path(&format!("{form}.txt")));
            std::fs::write(&plain, text).expect("write");
            let encoded = utf16(text, form == "be");
            for (mark, bytes) in [("with its mark", &encoded[..]), ("without a mark", &encoded[2..])] {
                std::fs::write(&wide, bytes).expect("write");
                // `assert!`, not `assert_eq!`: a difference printed whole would be thousands of lines.
                let (want, got) = (parsed_json(&plain).0, parsed_json(&wide).0);
                assert!(
                    got == want && want["uids"].as_array().is_some_and(|u| !u.is_empty()),
                    "{name}, UTF-16{form} {mark}: {:.300}",
                    got.to_string()
                );
            }
        }
    }

    let a10 = utf16(&std::fs::read_to_string(fixture(A10)).expect("fixture"), false);
    for bytes in [&a10[..], &a10[2..]] {
        let mut child =
            opsight().args(["parse", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("spawn");
        child.stdin.take().expect("stdin").write_all(bytes).expect("write");
        let out = child.wait_with_output().expect("wait");
        assert!(String::from_utf8_lossy(&out.stdout).contains("reject events:   7"));
    }
    let gz = dir.path("a10.txt.gz");
    std::fs::write(&gz, gzip(&a10)).expect("write");
    let zip = dir.path("qf.zip");
    write_zip(&zip, &[("dumpsys.txt", &a10)], true);
    let want = parsed_json(&fixture(A10)).0;
    assert!(parsed_json(&gz).0 == want, "gzip'd");
    assert!(parsed_json(&zip).0 == want, "in a zip archive");

    // An unpaired surrogate in a line (which becomes U+FFFD, and is skipped), and an odd byte at the end (a cut).
    let mut broken = utf16("Uid 0:\n  state=top\n  Package a:\n", false);
    broken.extend_from_slice(&[0x00, 0xD8, b'x', 0x00, b'\n', 0x00, b'Z']);
    let path = dir.path("broken.txt");
    std::fs::write(&path, &broken).expect("write");
    let out = opsight().arg("parse").arg(&path).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("uids:            1") && text.contains("packages:        1"), "{text}");
    assert!(text.contains("truncated:       yes") && text.contains("skipped lines:   1 unrecognised"), "{text}");
}

/// Entries written by other zip tools than `adb bugreport` and androidqf (encrypted, or compressed with bzip2) are
/// refused with what to do. Written by flipping the fields of a stored entry, in its local and central headers.
#[test]
fn zip_entries_other_tools_write_are_refused_with_what_to_do() {
    let dir = TempDir::new("zip_methods");
    let a10 = std::fs::read(fixture(A10)).expect("fixture");
    let patched = |name: &str, flags: u16, method: u16| {
        let path = dir.path(name);
        write_zip(&path, &[("dumpsys.txt", &a10)], false);
        let mut bytes = std::fs::read(&path).expect("read");
        let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").expect("the central header");
        // The general purpose flags, then the method: at 6 in the local header, at 8 in the central one.
        for at in [6, central + 8] {
            let old = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
            bytes[at..at + 2].copy_from_slice(&(old | flags).to_le_bytes());
            if method != 0 {
                bytes[at + 2..at + 4].copy_from_slice(&method.to_le_bytes());
            }
        }
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let encrypted = patched("encrypted.zip", 1, 0);
    let bzip2 = patched("bzip2.zip", 0, 12);
    let out = opsight().arg("parse").arg(&encrypted).arg(&bzip2).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("encrypted.zip: cannot open dumpsys.txt in the archive: it is encrypted, which Opsight does not read: extract it with `7z x`"), "{stderr}");
    assert!(stderr.contains("bzip2.zip: cannot open dumpsys.txt in the archive: it is compressed with bzip2, not deflated or stored as dumps are: extract it with `7z x`"), "{stderr}");
}

/// An acquisition encrypted with age (androidqf's and Bugbane's, binary or armored) is refused with what to do, as
/// a file and on standard input; `ingest` refuses it before it stores anything.
#[test]
fn age_encrypted_acquisitions_are_refused_with_what_to_do() {
    use std::io::Write as _;
    let dir = TempDir::new("age");
    let binary = dir.path("acquisition.zip.age");
    std::fs::write(&binary, b"age-encryption.org/v1\n-> X25519 c2FsdA\nYm9keQ\n--- aGVhZGVy\n\x8f\x01\x02")
        .expect("write");
    let armored = dir.path("acquisition.age");
    std::fs::write(
        &armored,
        b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24=\n-----END AGE ENCRYPTED FILE-----\n",
    )
    .expect("write");
    for file in [&binary, &armored] {
        let out = opsight().arg("parse").arg(file).output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("it is encrypted with age") && stderr.contains("age --decrypt"), "{stderr}");
    }
    let mut child = opsight().args(["parse", "-"]).stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(&std::fs::read(&binary).expect("read")).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is encrypted with age"));
    let db = dir.path("phone.db");
    let out = opsight().args(["ingest", "--db"]).arg(&db).arg(fixture(A10)).arg(&binary).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is encrypted with age"));
    assert!(!db.exists(), "nothing stored, no database made");
}

/// AppOps' own state file, as a rooted phone keeps it (`/data/system/appops.xml`: Android's binary XML since Android
/// 12, text before; a real Android 11 one among the fixtures), is not a dump: refused with how to capture one, also
/// when gzip'd.
#[test]
fn appops_state_files_are_refused_with_what_to_do() {
    let dir = TempDir::new("abx");
    let abx = b"ABX\0\x10\x00\x07app-ops\x2f\x00\x01v";
    let plain = dir.path("appops.xml");
    std::fs::write(&plain, abx).expect("write");
    let gz = dir.path("appops.xml.gz");
    std::fs::write(&gz, gzip(abx)).expect("write");
    let text = fixture("appops/lixiaogang03-blog__appops_xml_same_device_android11_2021.xml.txt");
    for file in [&plain, &gz, &text] {
        let out = opsight().arg("parse").arg(file).output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("AppOps' own state file") && stderr.contains("adb shell dumpsys appops"), "{stderr}");
    }
}

/// JSON passed where the dump should be (MVT's `dumpsys_appops.json`, the real record among the fixtures; or opsight's
/// own `parse --json` output) is refused with what to name instead, from a file, gzip'd, or on standard input, and
/// `ingest` makes no database. A dump excerpt that opens with a bracket (a history entry) is still read as a dump.
#[test]
fn json_is_refused_with_what_to_do() {
    let dir = TempDir::new("json");
    let derived =
        std::fs::read_to_string(fixture("appops/bedoyadaniel-forensics__mvt_appops_json_output_samsung_DERIVED.txt"))
            .expect("fixture");
    // The fixture's provenance comments, then the record: MVT's file is a list of such records.
    let record = derived.lines().skip_while(|l| l.starts_with('#')).take_while(|l| !l.starts_with('#'));
    let mvt = format!("\u{feff}[\n{}\n]\n", record.collect::<Vec<_>>().join("\n"));
    let own = opsight().args(["parse", "--json"]).arg(fixture(A10)).output().expect("run");
    assert!(own.status.success());
    let inputs = [
        ("dumpsys_appops.json", mvt.as_bytes().to_vec()),
        ("parsed.json", own.stdout.clone()),
        ("parsed.json.gz", gzip(&own.stdout)),
    ];
    for (name, bytes) in &inputs {
        let file = dir.path(name);
        std::fs::write(&file, bytes).expect("write");
        let out = opsight().arg("parse").arg(&file).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("it is JSON, not a dump") && stderr.contains("adb shell dumpsys appops"), "{stderr}");
    }
    let mut child = opsight().args(["parse", "-"]).stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(mvt.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is JSON, not a dump"));
    let db = dir.path("phone.db");
    let out = opsight().args(["ingest", "--db"]).arg(&db).arg(fixture(A10)).arg(dir.path("parsed.json")).output();
    let out = out.expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is JSON, not a dump"));
    assert!(!db.exists(), "nothing stored, no database made");

    let excerpt = dir.path("excerpt.txt");
    std::fs::write(
        &excerpt,
        "[top-s] = access=3, reject=1\n  Uid 10001:\n    Package com.example:\n      CAMERA (allow):\n",
    )
    .expect("write");
    let out = opsight().arg("parse").arg(&excerpt).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("packages:        1"));
}

/// Opsight's own store (an SQLite database), a tar archive and a 7-Zip archive, gzip'd or not, named where a dump
/// should be, are refused with what to do, not read as a dump with nothing in it; `ingest` makes no database.
#[test]
fn stores_and_tar_archives_are_refused_with_what_to_do() {
    let dir = TempDir::new("binary");
    let store = dir.path("phone.db");
    let out = opsight()
        .args(["ingest", "--captured-at", "2022-03-29T15:28:00Z", "--db"])
        .arg(&store)
        .arg(fixture(A10))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // One ustar header block (name, mode, sizes, magic at 257), then the dump: what `tar -cf` writes.
    let a10 = std::fs::read(fixture(A10)).expect("fixture");
    let mut tar = vec![0u8; 512];
    tar[..10].copy_from_slice(b"appops.txt");
    tar[100..107].copy_from_slice(b"0000644");
    tar[124..135].copy_from_slice(format!("{:011o}", a10.len()).as_bytes());
    tar[257..263].copy_from_slice(b"ustar\0");
    tar[263..265].copy_from_slice(b"00");
    tar.extend_from_slice(&a10);
    tar.resize(tar.len().next_multiple_of(512) + 1024, 0);
    let tar_path = dir.path("acquisition.tar");
    std::fs::write(&tar_path, &tar).expect("write");
    let tgz = dir.path("acquisition.tar.gz");
    std::fs::write(&tgz, gzip(&tar)).expect("write");
    // A 7-Zip archive's signature header (32 bytes), as `7z a` writes it; and the same inside a gzip stream.
    let seven = dir.path("acquisition.7z");
    std::fs::write(&seven, [&b"7z\xBC\xAF\x27\x1C\x00\x04"[..], &[0; 24]].concat()).expect("write");
    let seven_gz = dir.path("acquisition.7z.gz");
    std::fs::write(&seven_gz, gzip(&std::fs::read(&seven).expect("read"))).expect("write");
    for (file, says) in [
        (&seven, "it is a 7-Zip archive: extract it (`7z x FILE`)"),
        (&seven_gz, "it is a 7-Zip archive"),
        (&store, "it is an SQLite database"),
        (&tar_path, "it is a tar archive: extract it (`tar -xf FILE`)"),
        (&tgz, "it is a gzip'd tar archive: extract it (`tar -xzf FILE`)"),
    ] {
        let out = opsight().arg("parse").arg(file).output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        let db = dir.path("new.db");
        let out = opsight().args(["ingest", "--db"]).arg(&db).arg(file).output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains(says));
        assert!(!db.exists(), "nothing stored, no database made");
    }
}

/// A folder is read as a zip archive is, by the same rules: an androidqf acquisition (its `dumpsys.txt`, its text
/// still parsed in parts), an unzipped bugreport (its `main_entry.txt`); a folder that does not say which file is the
/// dump is refused with the candidates. Links are not followed.
#[test]
fn folders_are_read_by_the_zip_rules() {
    let dir = TempDir::new("folders");
    let a10 = std::fs::read(fixture(A10)).expect("fixture");
    let text = std::fs::read(fixture("synthetic/bugreport_embedded.txt")).expect("fixture");
    let put = |rel: &str, bytes: &[u8]| {
        let path = dir.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    };
    put("qf/acquisition/dumpsys.txt", &a10);
    put("qf/acquisition/getprop.txt", b"[ro.build]: [x]");
    put("qf/acquisition/packages.json", b"[]");
    put("br/main_entry.txt", b"bugreport-x.txt\n");
    put("br/bugreport-x.txt", &text);
    put("br/dumpstate_log.txt", b"noise");
    put("two/a/dumpsys.txt", &a10);
    put("two/b/dumpsys.txt", &a10);
    put("deep/1/2/3/dumpsys.txt", &a10);
    put("dangling/main_entry.txt", b"bugreport-gone.txt\n");
    let long_name = format!("bugreport-{}.txt", "x".repeat(300));
    put("long/main_entry.txt", long_name.as_bytes());
    put("long/bugreport-other.txt", &text);
    put("dangling/bugreport-other.txt", &text);
    #[cfg(unix)]
    {
        std::fs::create_dir_all(dir.path("linked")).expect("mkdir");
        std::os::unix::fs::symlink(dir.path("qf"), dir.path("linked/qf")).expect("symlink");
    }

    for (folder, entry) in [("qf", "acquisition/dumpsys.txt"), ("br", "bugreport-x.txt")] {
        let out = opsight().arg("parse").arg(dir.path(folder)).output().expect("run");
        assert!(out.status.success(), "{folder}: {}", String::from_utf8_lossy(&out.stderr));
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.starts_with(&format!("{} ({entry} in the folder)\n", dir.path(folder).display())), "{summary}");
        assert!(summary.contains("access events:   16"), "{summary}");
        let (_, entry_json) = parsed_json(&dir.path(folder));
        assert_eq!(entry_json, serde_json::json!(entry));
    }
    let out = opsight()
        .arg("parse")
        .arg(dir.path("two"))
        .arg(dir.path("deep"))
        .arg(dir.path("dangling"))
        .arg(dir.path("long"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "it holds 2 files that could be the dump (dumpsys.txt: a/dumpsys.txt, b/dumpsys.txt): name the one to read"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("deep: it is a folder without a bugreport or dumpsys text in it (3 entries)"),
        "three levels down is too deep: {stderr}"
    );
    assert!(
        stderr.contains("dangling: its main_entry.txt names bugreport-gone.txt, which is not in the folder"),
        "a main_entry.txt is believed only for a file that is there: {stderr}"
    );
    // What is longer than a file name can be is not quoted: it could be any text (a dump's lines, put there by
    // mistake).
    assert!(
        stderr.contains("long: its main_entry.txt does not hold a file name (314 bytes of other text)"),
        "{stderr}"
    );
    assert!(!stderr.contains("bugreport-xxx"), "{stderr}");
    #[cfg(unix)]
    {
        let out = opsight().arg("parse").arg(dir.path("linked")).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "a link is not followed");
    }
}
