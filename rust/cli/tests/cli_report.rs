//! `opsight demo`, `opsight report` and `opsight category --json` driven as processes. The page itself is checked
//! in a browser by tests/report/check.sh; here: what the commands print, write and refuse.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

fn json(out: &Output) -> Value {
    assert_ok(out);
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

fn demo(dir: &Path, extra: &[&str]) -> Output {
    opsight().args(["demo", "--dir"]).arg(dir).args(extra).output().expect("run")
}

fn findings(db: &Path) -> Value {
    json(&opsight().args(["findings", "--json", "--db"]).arg(db).output().expect("run"))
}

#[test]
fn the_demo_builds_a_week_ending_now_with_the_notice_apps_flagged() {
    let tmp = TempDir::new("demo");
    let dir = tmp.path("demo");
    let started = jiff::Timestamp::now().as_millisecond();
    let doc = json(&demo(&dir, &["--json"]));
    assert_eq!(doc["opsight_demo"], 1);
    assert_eq!(doc["lang"], "en");
    let built = &doc["built"];
    assert_eq!(built["samples"], 2);
    assert_eq!(built["dumps"], 170, "169 hourly dumps and one --history");
    assert!(built["discrete_events"].as_u64().expect("n") > 100);
    assert!(built["history_entries"].as_u64().expect("n") > 20);
    let end = built["week_end_ms"].as_i64().expect("end");
    assert!(end >= started && end - started < 120_000, "the week ends when the demo is built");
    assert_eq!(end - built["week_start_ms"].as_i64().expect("start"), 7 * 86_400_000);
    assert!(doc["counts"]["apps"].as_u64().expect("apps") >= 40);

    // Top five: the loan app first, QQ Music among them, each with its main finding.
    let top = doc["top"].as_array().expect("top");
    assert_eq!(top.len(), 5);
    assert_eq!(top[0]["package"], "com.example.quickcash");
    assert_eq!(top[0]["label"], "QuickCash Loan");
    assert!(top.iter().any(|t| t["package"] == "com.tencent.qqmusic"));
    assert!(top.iter().all(|t| t["finding"]["severity"] == "high"));
    for (a, b) in top.iter().zip(top.iter().skip(1)) {
        assert!(a["score"].as_u64() >= b["score"].as_u64());
    }

    // The files: absolute paths, a page and a database.
    let report = PathBuf::from(doc["report"].as_str().expect("report"));
    let database = PathBuf::from(doc["database"].as_str().expect("database"));
    assert!(report.is_absolute() && report.ends_with("demo/report.html"), "{}", report.display());
    let page = std::fs::read_to_string(&report).expect("report");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Demo data."));

    // What the findings say about the apps of the 2018 notice, and about the well-behaved ones.
    let f = findings(&database);
    let rules = |package: &str| -> Vec<(String, String)> {
        f["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|x| x["package"] == package)
            .map(|x| (x["rule"].as_str().expect("rule").to_owned(), x["info_type"].as_str().expect("type").to_owned()))
            .collect()
    };
    let has = |package: &str, rule: &str, info: &str| {
        assert!(
            rules(package).contains(&(rule.to_owned(), info.to_owned())),
            "{package}: {rule} {info} in {:?}",
            rules(package)
        );
    };
    has("com.tencent.qqmusic", "background_access", "contacts");
    has("com.tencent.qqmusic", "out_of_scope", "contacts");
    has("com.tmall.wireless", "out_of_scope", "location");
    has("com.tmall.wireless", "out_of_scope", "clipboard");
    has("com.kingsoft", "denied_retry", "clipboard");
    has("com.qq.reader", "out_of_scope", "phone_identity");
    has("com.jifen.qukan", "frequency", "clipboard");
    has("com.example.quickcash", "out_of_scope", "sms");
    has("com.example.quickcash", "denied_retry", "call_log");
    has("com.example.quickcash", "not_in_use", "sms");
    has("com.tencent.tmgp.sgame", "unused_permission", "microphone");
    for quiet in ["com.autonavi.minimap", "com.tencent.mm", "com.eg.android.AlipayGphone", "com.sdu.didi.psnger"] {
        assert!(rules(quiet).is_empty(), "{quiet}: {:?}", rules(quiet));
    }

    // Amap's navigation: location on screen and in a foreground service, recorded in detail (discrete).
    let tl = json(
        &opsight()
            .args(["timeline", "--json", "--db"])
            .arg(&database)
            .arg("com.autonavi.minimap")
            .output()
            .expect("run"),
    );
    let events = tl["events"].as_array().expect("events");
    assert!(events.iter().any(|e| e["uid_state"] == "fgsvc" && e["source"] == "discrete"));
    assert!(events.iter().all(|e| e["info_type"] == "location" && e["foreground"] == true));
    assert!(events.iter().all(|e| e["start_utc_ms"].as_i64().expect("t") <= end));

    // A second demo replaces the first.
    let apps_before = json(&opsight().args(["apps", "--json", "--db"]).arg(&database).output().expect("run"));
    let out = demo(&dir, &[]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with("Opsight demo: 2 real captures and a synthetic week of a phone (170 dumps, "), "{text}");
    assert!(
        text.contains("Top 5 apps by concern:\n 1. QuickCash Loan (com.example.quickcash) — Online lending — concern ")
    );
    assert!(text.contains(&format!("{}\n", report.display())), "the report's absolute path is printed: {text}");
    assert!(stderr(&out).is_empty(), "no progress when stderr is not a terminal: {}", stderr(&out));
    let apps_after = json(&opsight().args(["apps", "--json", "--db"]).arg(&database).output().expect("run"));
    assert_eq!(apps_before["apps"].as_array().map(Vec::len), apps_after["apps"].as_array().map(Vec::len));

    // A previous demo file that cannot be removed (here a directory in its place) stops the demo, named.
    let blocked = tmp.path("blocked");
    std::fs::create_dir_all(blocked.join("report.html")).expect("dir");
    let out = demo(&blocked, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot replace the previous demo "), "{}", stderr(&out));
    assert!(stderr(&out).contains("report.html"), "{}", stderr(&out));
}

#[test]
fn the_demo_speaks_chinese_and_finds_a_directory_of_its_own() {
    let tmp = TempDir::new("demo-zh");
    let data = tmp.path("xdg");
    let out = opsight().args(["demo", "--lang", "zh-CN"]).env("XDG_DATA_HOME", &data).output().expect("run");
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("关注度最高的 5 个应用："), "{text}");
    assert!(text.contains("极速借款 (com.example.quickcash) — 网络借贷类"), "{text}");
    let page = std::fs::read_to_string(data.join("opsight/demo/report.html")).expect("report in XDG_DATA_HOME");
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(page.contains("QQ音乐"));

    // Neither XDG_DATA_HOME nor HOME writable: the system's temporary directory.
    let out = opsight()
        .args(["demo", "--json"])
        .env("XDG_DATA_HOME", "/proc/opsight-not-writable")
        .env("HOME", "/proc/opsight-not-writable")
        .env("TMPDIR", tmp.path("tmp"))
        .output()
        .expect("run");
    let doc = json(&out);
    assert!(doc["dir"].as_str().expect("dir").ends_with("tmp/opsight-demo"), "{}", doc["dir"]);

    let out = opsight().args(["demo", "--lang", "fr", "--dir"]).arg(tmp.path("x")).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown language \"fr\""));
}

#[test]
fn report_writes_one_page_and_prints_its_path_and_counts() {
    let tmp = TempDir::new("report");
    let dir = tmp.path("demo");
    assert_ok(&demo(&dir, &[]));
    let db = dir.join("demo.db");
    let html = tmp.path("out.html");
    let doc =
        json(&opsight().args(["report", "--json", "--db"]).arg(&db).arg("--html").arg(&html).output().expect("run"));
    assert_eq!(doc["opsight_report"], 1);
    assert_eq!(doc["lang"], "en");
    assert!(PathBuf::from(doc["path"].as_str().expect("path")).is_absolute());
    let f = findings(&db);
    assert_eq!(doc["findings"].as_u64().map(|n| n as usize), f["findings"].as_array().map(Vec::len));
    assert_eq!(doc["apps"].as_u64().map(|n| n as usize), f["apps"].as_array().map(Vec::len));
    assert!(doc["apps_with_findings"].as_u64() < doc["apps"].as_u64());
    let page = std::fs::read_to_string(&html).expect("page");
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains("QQ Music accessed your contacts in the background"));
    assert!(!page.contains("Demo data."), "only the demo's own report carries its banner");
    let leftovers: Vec<_> = std::fs::read_dir(&tmp.0)
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "the temporary file was renamed into place");

    // Human output, Chinese, a range, in a zone.
    let zh_report = |zone: &str| {
        let out = opsight()
            .args(["report", "--lang", "zh-CN", "--since", "2022-03-01", "--until", "2022-04-01", "--zone", zone])
            .arg("--db")
            .arg(&db)
            .arg("--html")
            .arg(&html)
            .output()
            .expect("run");
        assert_ok(&out);
        (out, std::fs::read_to_string(&html).expect("page"))
    };
    let (out, page) = zh_report("Europe/Berlin");
    assert!(stdout(&out).starts_with("Report written: "), "{}", stdout(&out));
    assert!(page.contains("<html lang=\"zh-CN\">"));
    assert!(page.contains("com.facebook.katana"));
    assert!(!page.contains("QuickCash Loan 访问"), "its accesses are outside the range");
    assert!(page.contains("在此期间没有访问记录"), "it is listed with the apps that have none");
    // Times in the zone asked for; a timeline only for the apps with accesses in the range (of the real captures).
    assert!(page.contains("（时区：Europe/Berlin）") && page.contains("时间按 Europe/Berlin"));
    let timelines: Vec<&str> =
        page.match_indices(" 的访问时间线：").map(|(i, _)| page[..i].rsplit('"').next().unwrap_or("")).collect();
    assert_eq!(timelines, ["com.facebook.katana", "com.sec.android.app.clockpackage", "com.sec.factory.camera"]);
    // The per-day chart counts days in that zone too: at UTC+14 the same accesses fall on other days.
    let bar_days = |page: &str| -> Vec<String> {
        page.match_indices("<title>")
            .filter_map(|(i, _)| page[i + 7..].split_once("：访问 "))
            .map(|(day, _)| day.to_owned())
            .filter(|day| day.len() == 10)
            .collect()
    };
    let berlin = bar_days(&page);
    assert!(!berlin.is_empty(), "the chart has bars");
    let kiritimati = bar_days(&zh_report("Pacific/Kiritimati").1);
    assert_ne!(berlin, kiritimati, "days follow --zone");

    // Errors: exit 1 with one line; usage errors exit 2.
    for (args, expected) in [
        (vec!["--lang", "fr"], "unknown language"),
        (vec!["--since", "garbage"], "invalid --since"),
        (vec!["--zone", "Mars/Olympus"], "unknown time zone"),
    ] {
        let out =
            opsight().arg("report").args(&args).arg("--db").arg(&db).arg("--html").arg(&html).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
    let out =
        opsight().args(["report", "--db"]).arg(tmp.path("none.db")).arg("--html").arg(&html).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no database at"));
    assert!(!tmp.path("none.db").exists());
    let out = opsight()
        .args(["report", "--db"])
        .arg(&db)
        .arg("--html")
        .arg(tmp.path("no/such/dir/r.html"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    let out = opsight().args(["report", "--db"]).arg(&db).output().expect("run");
    assert_eq!(out.status.code(), Some(2), "--html is required");
}

#[test]
fn category_speaks_json_too() {
    let tmp = TempDir::new("category");
    let doc = json(&opsight().args(["category", "--list", "--json"]).output().expect("run"));
    assert_eq!(doc["opsight_categories"], 1);
    let cats = doc["categories"].as_array().expect("categories");
    assert_eq!(cats.len(), 39);
    assert_eq!(cats[0]["id"], "map_navigation");
    assert_eq!(cats[0]["necessary_info_types"], serde_json::json!(["location"]));
    let db = tmp.path("c.db");
    let doc =
        json(&opsight().args(["category", "--json", "--db"]).arg(&db).args(["com.x", "35"]).output().expect("run"));
    assert_eq!(doc, serde_json::json!({"opsight_category": 1, "package": "com.x", "category": "ebooks"}));
    let doc =
        json(&opsight().args(["category", "--json", "--db"]).arg(&db).args(["com.x", "none"]).output().expect("run"));
    assert_eq!(doc["category"], Value::Null);
}

#[test]
fn every_command_explains_itself_with_examples() {
    for command in
        ["demo", "collect", "parse", "ingest", "packages", "apps", "timeline", "findings", "category", "report"]
    {
        let out = opsight().args([command, "--help"]).output().expect("run");
        assert_ok(&out);
        let help = stdout(&out);
        assert!(help.contains("Examples:"), "{command}");
        assert!(help.contains(&format!("opsight {command}")), "{command}");
        assert!(help.contains("--json"), "{command}");
    }
    let out = opsight().arg("--help").output().expect("run");
    let help = stdout(&out);
    assert!(help.contains("opsight demo") && help.contains("Exit codes: 0 success; 1 error"));
    let out = opsight().arg("frobnicate").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}
