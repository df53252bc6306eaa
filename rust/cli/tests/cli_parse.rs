//! `opsight parse` driven as a process.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn opsight() -> Command {
    Command::new(env!("CARGO_BIN_EXE_opsight"))
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(rel)
}

const A10: &str = "appops/mvt-project-mvt__dumpsys_appops_samsung_a10.txt";
const A11: &str = "appops/lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt";

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
