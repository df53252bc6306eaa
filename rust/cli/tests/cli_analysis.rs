//! `opsight findings` and `opsight category` driven as a process.

mod common;
use common::*;

fn ingest_a10(db: &std::path::Path) {
    let out = opsight()
        .args(["ingest", "--zone", "Europe/Berlin", "--captured-at", "2022-03-29T21:27:54.087Z", "--db"])
        .arg(db)
        .arg(fixture("mvt-project-mvt__dumpsys_appops_samsung_a10.txt"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn findings_in_both_languages_and_as_json() {
    let dir = TempDir::new("findings");
    ingest_a10(&dir.db());
    let out = opsight().args(["findings", "--db"]).arg(dir.db()).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.starts_with("com.facebook.katana — Online community — concern"), "{text}");
    assert!(
        text.contains("[HIGH] com.facebook.katana accessed your contacts, which online community apps do not need"),
        "{text}"
    );

    let out = opsight().args(["findings", "--lang", "zh-CN", "--db"]).arg(dir.db()).output().expect("run");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("[高] com.facebook.katana 访问了您的通讯录，而网络社区类应用并不需要"), "{text}");

    let out = opsight().args(["findings", "--json", "--db"]).arg(dir.db()).output().expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["opsight_findings"], 1);
    let first = &doc["findings"][0];
    for key in ["rule", "package", "severity", "info_type", "title", "explanation", "evidence"] {
        assert!(first.get(key).is_some(), "{key}");
    }
    assert_eq!((first["rule"].as_str(), first["info_type"].as_str()), (Some("out_of_scope"), Some("contacts")));
    assert_eq!(doc["apps"][0]["package"], "com.facebook.katana");

    assert_eq!(doc["zone"], "Europe/Berlin");

    // The texts' times are local: the last line says whose.
    let text = |args: &[&str]| {
        let out = opsight().arg("findings").args(args).arg("--db").arg(dir.db()).output().expect("run");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    assert!(text(&[]).ends_with("\nTimes are in Europe/Berlin, the device's zone.\n"), "{}", text(&[]));
    assert!(text(&["--zone", "Asia/Shanghai"]).ends_with("\nTimes are in Asia/Shanghai, the zone given.\n"));
    assert!(text(&["--lang", "zh-CN"]).ends_with("\n时间按 Europe/Berlin（设备时区）显示。\n"));

    let out = opsight().args(["findings", "--lang", "fr", "--db"]).arg(dir.db()).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown language"));
}

#[test]
fn setting_a_category_changes_the_judgement() {
    let dir = TempDir::new("category");
    ingest_a10(&dir.db());
    let before = opsight().args(["findings", "--json", "--db"]).arg(dir.db()).output().expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&before.stdout).expect("json");
    let clock = |doc: &serde_json::Value| {
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["package"] == "com.sec.android.app.clockpackage")
            .count()
    };
    assert_eq!(clock(&doc), 0);
    for category in ["38", "实用工具类", "utilities"] {
        let out = opsight()
            .args(["category", "--db"])
            .arg(dir.db())
            .args(["com.sec.android.app.clockpackage", category])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("is now in category utilities"));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "a package the database knows");
    }
    // A package no dump names is set all the same, with a note (a typo should not pass unseen).
    let out = opsight()
        .args(["category", "--db"])
        .arg(dir.db())
        .args(["com.sec.android.app.clockpakage", "38"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("names com.sec.android.app.clockpakage; the category applies once one does"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = opsight().args(["category", "--db"]).arg(dir.db()).args(["x.y", "novels"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--list"));
    let out = opsight().args(["category", "--list"]).output().expect("run");
    let list = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(list.lines().count(), 40, "a header and 39 categories");
    assert!(list.contains("online_video_music"));
    let out = opsight()
        .args(["category", "--db"])
        .arg(dir.db())
        .args(["com.sec.android.app.clockpackage", "none"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("no category set by you"));
}

#[test]
fn findings_without_a_zone_or_apps_say_so() {
    let dir = TempDir::new("findings_no_zone");
    let dump = dir.path("fresh.txt");
    std::fs::write(&dump, fresh_dump()).expect("write");
    let findings = |db: &std::path::Path, lang: &str| {
        let out = opsight().args(["findings", "--lang", lang, "--db"]).arg(db).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // A database with a run but no app in it: an inventory of nothing.
    let inventory = dir.path("inventory.json");
    std::fs::write(&inventory, r#"{"opsight_inventory": 1, "packages": []}"#).expect("write");
    let empty = dir.path("empty.db");
    let out = opsight().args(["packages", "--db"]).arg(&empty).arg(&inventory).output().expect("run");
    assert!(out.status.success());
    assert!(findings(&empty, "en").starts_with("No apps in this database yet"), "{}", findings(&empty, "en"));
    assert!(findings(&empty, "zh-CN").starts_with("数据库中还没有应用。"));
    let out = opsight().args(["ingest", "--db"]).arg(dir.db()).arg(&dump).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(findings(&dir.db(), "en"), "No findings: nothing excessive in the stored history.\n");
    // A clipboard read from the background, just now.
    let clipboard = dir.path("clipboard.txt");
    std::fs::write(&clipboard, fresh_dump().replace("CAMERA", "READ_CLIPBOARD").replace("[top-s]", "[bg-s]"))
        .expect("write");
    let out = opsight().args(["ingest", "--db"]).arg(dir.db()).arg(&clipboard).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = findings(&dir.db(), "en");
    assert!(text.contains("read your clipboard from the background"), "{text}");
    assert!(text.ends_with("\nTimes are in UTC: the device's zone is not known (give --zone).\n"), "{text}");
    assert!(findings(&dir.db(), "zh-CN").ends_with("\n时间按 UTC 显示：设备时区未知（可用 --zone 指定）。\n"));
    let out = opsight().args(["findings", "--json", "--db"]).arg(dir.db()).output().expect("run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["zone"], serde_json::Value::Null);
}
