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
    }
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
