//! A scenario for every rule, with its negatives, and explanations in both languages.

mod common;

use opsight_core::analysis::{Action, Analysis, AnalysisOptions, CategorySource, Finding, Rule, Severity};
use opsight_core::ops::{InfoType, Lang};
use opsight_core::store::IngestOptions;
use opsight_core::time::LocalTime;
use opsight_core::Store;

const ZONE: &str = "Asia/Shanghai";
/// 2026-03-08 12:00 Asia/Shanghai: "now" for every scenario.
const NOW: i64 = 1_772_942_400_000;
const H: i64 = 3_600_000;

struct Db {
    dir: std::path::PathBuf,
    store: Store,
}

fn zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(ZONE).expect("zone")
}

impl Db {
    fn new(name: &str) -> Db {
        let dir = std::env::temp_dir().join(format!("opsight-analysis-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let store = Store::open(dir.join("t.db")).expect("open");
        Db { dir, store }
    }

    /// One observation, ingested as the dump a phone would print an hour later.
    #[allow(clippy::too_many_arguments)]
    fn event(
        &self,
        pkg: &str,
        uid: &str,
        op: &str,
        state: &str,
        flags: &str,
        reject: bool,
        utc: i64,
        proxy: Option<&str>,
    ) {
        let zone = jiff::tz::TimeZone::get(ZONE).expect("zone");
        let local = LocalTime::from_utc_ms(utc, &zone).expect("local");
        let line = if reject {
            format!("Reject: [{state}-{flags}]{local} (-1h0m0s0ms)")
        } else {
            let proxy = proxy.map(|p| format!(" proxy[uid=10070, pkg={p}, attributionTag=null]")).unwrap_or_default();
            format!("Access: [{state}-{flags}] {local} (-1h0m0s0ms){proxy}")
        };
        let dump = format!(
            "  Uid {uid}:\n    Package {pkg}:\n      {op} (allow):\n        null=[\n          {line}\n        ]\n"
        );
        let opts = IngestOptions { zone: Some(ZONE.into()), captured_at_ms: Some(utc + H), ..IngestOptions::default() };
        self.store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
    }

    fn access(&self, pkg: &str, uid: &str, op: &str, state: &str, utc: i64) {
        self.event(pkg, uid, op, state, "s", false, utc, None);
    }

    fn history(&self, pkg: &str, uid: &str, op: &str, begin: i64, end: i64, count: u64) {
        let zone = jiff::tz::TimeZone::get(ZONE).expect("zone");
        let now = end + H;
        let rel = |t: i64| format!("-{}h{}m0s0ms", (now - t) / H, (now - t) % H / 60_000);
        let dump = format!(
            "  History:  mode=ENABLED_ACTIVE\n    snapshot:\n      begin = {}  ({})\n      end = {}  ({})\n      Uid {uid}:\n        Package {pkg}:\n          {op}:\n            [bg-s] = access={count}\n",
            LocalTime::from_utc_ms(begin, &zone).expect("l"),
            rel(begin),
            LocalTime::from_utc_ms(end, &zone).expect("l"),
            rel(end)
        );
        let opts = IngestOptions { zone: Some(ZONE.into()), captured_at_ms: Some(now), ..IngestOptions::default() };
        self.store.ingest_dump(dump.as_bytes(), &opts).expect("ingest");
    }

    fn analyze(&self, lang: Lang) -> Analysis {
        self.store.analyze(&AnalysisOptions::last_days(7, NOW, lang)).expect("analyze")
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn findings<'a>(a: &'a Analysis, pkg: &str, rule: Rule) -> Vec<&'a Finding> {
    a.findings.iter().filter(|f| f.package == pkg && f.rule == rule).collect()
}

/// The app's finding of `rule` about `info`, if any (a rule gives one finding per information type).
fn about<'a>(a: &'a Analysis, pkg: &str, rule: Rule, info: InfoType) -> Option<&'a Finding> {
    findings(a, pkg, rule).into_iter().find(|f| f.info_type == info)
}

fn one<'a>(a: &'a Analysis, pkg: &str, rule: Rule) -> &'a Finding {
    let f = findings(a, pkg, rule);
    assert_eq!(
        f.len(),
        1,
        "{pkg} {rule:?}: {:#?}",
        a.findings.iter().filter(|f| f.package == pkg).map(|f| &f.title).collect::<Vec<_>>()
    );
    f[0]
}

#[test]
fn qq_music_reading_contacts_is_out_of_scope_and_in_the_background() {
    let db = Db::new("qqmusic");
    // 14 reads this week, 11 of them in the background.
    for i in 0..14 {
        let state = if i < 11 { "bg" } else { "top" };
        db.access("com.tencent.qqmusic", "u0a123", "READ_CONTACTS", state, NOW - 6 * 24 * H + i * 7 * H);
    }
    let en = db.analyze(Lang::En);
    let f = one(&en, "com.tencent.qqmusic", Rule::OutOfScope);
    assert_eq!(
        (f.severity, f.info_type, f.category.as_deref()),
        (Severity::High, InfoType::Contacts, Some("online_video_music"))
    );
    assert_eq!(f.category_source, CategorySource::Curated);
    assert_eq!((f.evidence.accesses, f.evidence.background, f.evidence.foreground), (14, 11, 3));
    assert!(f.explanation.contains("accessed your contacts 14 times"), "{}", f.explanation);
    assert!(f.explanation.contains("11 of them in the background"), "{}", f.explanation);
    assert!(
        f.explanation.contains("online video and music apps need no personal information at all"),
        "{}",
        f.explanation
    );
    assert!(f.explanation.contains("Art. 5, item 28"), "{}", f.explanation);
    assert!(f.actions.contains(&Action::OpenAppPermissions { package: "com.tencent.qqmusic".into() }));
    assert!(f.sources.iter().any(|s| s.id == "provisions-2021"));
    assert_eq!(f.evidence.examples.len(), 5);
    let bg = one(&en, "com.tencent.qqmusic", Rule::BackgroundAccess);
    assert_eq!((bg.severity, bg.evidence.accesses), (Severity::High, 11));
    // Android offers “only while using the app” for location, camera and microphone, not for contacts.
    assert!(
        bg.advice.contains("turn off its “Contacts” permission: Android has no “only while using"),
        "{}",
        bg.advice
    );

    let zh = db.analyze(Lang::ZhCn);
    let f = one(&zh, "com.tencent.qqmusic", Rule::OutOfScope);
    assert!(f.title.contains("访问了您的通讯录"), "{}", f.title);
    assert!(f.explanation.contains("访问了您的通讯录 14 次（在 "), "{}", f.explanation);
    assert!(f.explanation.contains(" 之间），其中 11 次发生在后台。"), "{}", f.explanation);
    assert!(f.explanation.contains("在线影音类应用无须任何个人信息"), "{}", f.explanation);
    assert!(f.explanation.contains("第五条第（二十八）项"), "{}", f.explanation);
    assert_eq!(f.category_name.as_deref(), Some("在线影音类"));
    assert!(f.sources[0].title.contains("必要个人信息范围规定"));
}

#[test]
fn a_navigation_app_using_location_is_not_out_of_scope_even_in_the_background() {
    let db = Db::new("maps");
    for i in 0..5 {
        db.access(
            "com.autonavi.minimap",
            "u0a130",
            "FINE_LOCATION",
            if i % 2 == 0 { "top" } else { "bg" },
            NOW - 48 * H + i * H,
        );
    }
    let a = db.analyze(Lang::En);
    assert!(findings(&a, "com.autonavi.minimap", Rule::OutOfScope).is_empty());
    assert!(
        findings(&a, "com.autonavi.minimap", Rule::BackgroundAccess).is_empty(),
        "navigation may track in the background"
    );
    // The same reads by a music app are both.
    for i in 0..3 {
        db.access("com.tencent.qqmusic", "u0a123", "FINE_LOCATION", "bg", NOW - 48 * H + i * H);
    }
    let a = db.analyze(Lang::En);
    assert_eq!(one(&a, "com.tencent.qqmusic", Rule::OutOfScope).severity, Severity::High);
    assert_eq!(one(&a, "com.tencent.qqmusic", Rule::BackgroundAccess).severity, Severity::Medium);
    // Ordered by concern: the music app first.
    let order: Vec<_> = a.apps.iter().map(|c| c.package.as_str()).collect();
    assert_eq!(order[0], "com.tencent.qqmusic");
    assert!(a.apps[0].score > a.apps.iter().find(|c| c.package == "com.autonavi.minimap").expect("maps").score);
}

#[test]
fn a_messenger_may_use_the_camera_on_screen_but_not_behind_your_back() {
    let db = Db::new("wechat");
    db.access("com.tencent.mm", "u0a140", "CAMERA", "top", NOW - 10 * H);
    let a = db.analyze(Lang::En);
    assert!(findings(&a, "com.tencent.mm", Rule::OutOfScope).is_empty());
    db.access("com.tencent.mm", "u0a140", "CAMERA", "cch", NOW - 5 * H);
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.tencent.mm", Rule::OutOfScope);
    assert_eq!(f.evidence.accesses, 1, "only the off-screen use is out of scope");
    assert!(f.explanation.contains("only while you are using the app"), "{}", f.explanation);
    assert_eq!(one(&a, "com.tencent.mm", Rule::BackgroundAccess).info_type, InfoType::Camera);
}

#[test]
fn reads_every_15_seconds_are_excessive_frequency() {
    let db = Db::new("frequency");
    let begin = NOW - 30 * H;
    db.history("com.tmall.wireless", "u0a150", "FINE_LOCATION", begin, begin + 15 * 60_000, 60);
    db.history("com.tmall.wireless", "u0a150", "READ_PHONE_STATE", begin, begin + 15 * 60_000, 20);
    db.history("com.autonavi.minimap", "u0a130", "FINE_LOCATION", begin, begin + 15 * 60_000, 900);
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.tmall.wireless", Rule::Frequency);
    assert_eq!((f.info_type, f.severity), (InfoType::Location, Severity::Medium));
    assert_eq!(f.evidence.details["every_s"], 15.0);
    assert!(f.explanation.contains("once every 15.0 s") && f.explanation.contains("every 30 s"), "{}", f.explanation);
    assert!(f.title.contains("about every 15 s"), "{}", f.title);
    // The 30 s example is in the campaign's detection scenes, which the finding cites by their public copy.
    assert!(f
        .sources
        .iter()
        .any(|s| s.id == "miit-164-scenes" && s.url.starts_with("https://github.com/zhengjim/camille/")));
    // A count from Android's aggregate history says so, and over which quarter hour: the timeline holds none of it.
    let (from, to) = (
        LocalTime::from_utc_ms(begin, &zone()).expect("l"),
        LocalTime::from_utc_ms(begin + 15 * 60_000, &zone()).expect("l"),
    );
    let words = format!(
        "Android's access history counted 60 accesses to your location by com.tmall.wireless between {} and {}, about once every 15.0 s.",
        &from.to_string()[..16],
        &to.to_string()[..16]
    );
    assert!(f.explanation.starts_with(&words), "{}", f.explanation);
    assert_eq!(findings(&a, "com.tmall.wireless", Rule::Frequency).len(), 1, "every 45 s is below the threshold");
    assert!(findings(&a, "com.autonavi.minimap", Rule::Frequency).is_empty(), "navigation needs continuous location");
    // Every second is severe.
    db.history("com.tmall.wireless", "u0a150", "READ_CONTACTS", begin, begin + 60_000, 60);
    let a = db.analyze(Lang::ZhCn);
    let f = about(&a, "com.tmall.wireless", Rule::Frequency, InfoType::Contacts).expect("contacts");
    assert_eq!(f.severity, Severity::High);
    assert!(f.explanation.contains("每 1.0 秒"), "{}", f.explanation);
    assert!(f.explanation.starts_with("Android 的访问历史统计到 "), "{}", f.explanation);
    assert!(f.explanation.contains("之间访问了您的通讯录 60 次，大约每 1.0 秒一次。"), "{}", f.explanation);
}

#[test]
fn trying_again_within_48_hours_of_a_denial() {
    let db = Db::new("denied");
    for t in [NOW - 60 * H, NOW - 50 * H, NOW - 30 * H] {
        db.event("com.tmall.wireless", "u0a150", "READ_CONTACTS", "fg", "s", true, t, None);
    }
    // Rejected twice, three days apart: not a retry within the window.
    for t in [NOW - 150 * H, NOW - 70 * H] {
        db.event("com.tmall.wireless", "u0a150", "READ_SMS", "fg", "s", true, t, None);
    }
    db.event("com.taobao.taobao", "u0a151", "READ_CONTACTS", "fg", "s", true, NOW - 10 * H, None);
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.tmall.wireless", Rule::DeniedRetry);
    assert_eq!(
        (f.info_type, f.evidence.rejects, f.evidence.details["retries_within_window"].as_u64()),
        (InfoType::Contacts, 3, Some(2))
    );
    assert!(f.explanation.contains("Android refused") && f.explanation.contains("48 hours"), "{}", f.explanation);
    assert!(findings(&a, "com.taobao.taobao", Rule::DeniedRetry).is_empty(), "one refusal is not a retry");
    assert!(findings(&a, "com.tmall.wireless", Rule::OutOfScope).is_empty(), "denied attempts are not accesses");
    let zh = db.analyze(Lang::ZhCn);
    assert!(one(&zh, "com.tmall.wireless", Rule::DeniedRetry).explanation.contains("48 小时"));
}

#[test]
fn night_reads_in_the_background() {
    let db = Db::new("night");
    // 02:30 and 14:30 Shanghai time.
    let day = NOW - 36 * H; // 2026-03-07 00:00 Shanghai
    db.access("org.example.weather", "u0a160", "FINE_LOCATION", "bg", day + 2 * H + 30 * 60_000);
    db.access("org.example.weather", "u0a160", "READ_CONTACTS", "bg", day + 14 * H + 30 * 60_000);
    db.access("org.example.weather", "u0a160", "READ_CALENDAR", "top", day + 3 * H);
    let a = db.analyze(Lang::En);
    let f = one(&a, "org.example.weather", Rule::NightAccess);
    assert_eq!((f.info_type, f.evidence.accesses, f.severity), (InfoType::Location, 1, Severity::Low));
    assert!(f.explanation.contains("Between 00:00 and 06:00"), "{}", f.explanation);
    // Unknown category: no out-of-scope judgement, and the findings say why.
    assert!(findings(&a, "org.example.weather", Rule::OutOfScope).is_empty());
    assert_eq!(f.category_source, CategorySource::Unknown);
    assert!(f.explanation.contains("does not know what kind of app this is"), "{}", f.explanation);
    assert!(f.actions.contains(&Action::SetCategory { package: "org.example.weather".into() }));
    let zh = db.analyze(Lang::ZhCn);
    assert!(one(&zh, "org.example.weather", Rule::NightAccess).explanation.contains("不知道这是哪一类应用"));
}

fn inventory(packages: &str) -> String {
    format!(
        r#"{{"opsight_inventory": 1, "device": {{"zone": "{ZONE}"}}, "captured_at_ms": {NOW}, "packages": [{packages}]}}"#
    )
}

#[test]
fn accesses_while_the_user_had_not_used_the_app() {
    let db = Db::new("unused-app");
    let used_at = NOW - 100 * H;
    db.store
        .ingest_packages(&inventory(&format!(
            r#"{{"package": "com.jingdong.app.mall", "label": "JD", "usage": [{{"begin_ms": {}, "end_ms": {}}}]}},
               {{"package": "com.xunmeng.pinduoduo", "label": "Pinduoduo"}}"#,
            used_at,
            used_at + H
        )))
        .expect("inventory");
    db.access("com.jingdong.app.mall", "u0a170", "FINE_LOCATION", "bg", used_at + 2 * H);
    db.access("com.jingdong.app.mall", "u0a170", "READ_CONTACTS", "cch", used_at + 40 * H);
    db.access("com.xunmeng.pinduoduo", "u0a171", "READ_CONTACTS", "cch", used_at + 40 * H);
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.jingdong.app.mall", Rule::NotInUse);
    assert_eq!((f.info_type, f.evidence.accesses), (InfoType::Contacts, 1), "an hour after use is not idle");
    assert_eq!(f.label.as_deref(), Some("JD"));
    assert!(f.title.starts_with("JD accessed"), "labels are used: {}", f.title);
    assert!(findings(&a, "com.xunmeng.pinduoduo", Rule::NotInUse).is_empty(), "no usage data, no judgement");
    // Within 24 hours after use is not idle, even at its last minute; before usage is known, nothing is judged.
    db.access("com.jingdong.app.mall", "u0a170", "READ_SMS", "cch", used_at + H + 24 * H - 60_000);
    db.access("com.jingdong.app.mall", "u0a170", "READ_CALL_LOG", "cch", used_at - 10 * H);
    let a = db.analyze(Lang::En);
    let types: Vec<InfoType> =
        findings(&a, "com.jingdong.app.mall", Rule::NotInUse).iter().map(|f| f.info_type).collect();
    assert_eq!(types, [InfoType::Contacts]);
}

#[test]
fn clipboard_reads_from_the_background() {
    let db = Db::new("clipboard");
    db.access("com.ss.android.article.news", "u0a180", "READ_CLIPBOARD", "bg", NOW - 3 * H);
    db.access("com.zhihu.android", "u0a181", "READ_CLIPBOARD", "top", NOW - 3 * H);
    db.access("com.sohu.inputmethod.sogou", "u0a182", "READ_CLIPBOARD", "fg", NOW - 3 * H);
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.ss.android.article.news", Rule::ClipboardBackground);
    assert_eq!(f.severity, Severity::High);
    assert!(f.explanation.contains("passwords"), "{}", f.explanation);
    assert!(findings(&a, "com.zhihu.android", Rule::ClipboardBackground).is_empty(), "on screen: the user pasted");
    assert!(findings(&a, "com.sohu.inputmethod.sogou", Rule::ClipboardBackground).is_empty(), "keyboards may");
    assert!(findings(&a, "com.ss.android.article.news", Rule::BackgroundAccess).is_empty(), "not reported twice");
    let zh = db.analyze(Lang::ZhCn);
    assert!(one(&zh, "com.ss.android.article.news", Rule::ClipboardBackground).title.contains("剪贴板"));
}

#[test]
fn a_sensitive_permission_unused_for_90_days() {
    let db = Db::new("unused-permission");
    let old = NOW - 200 * 24 * H;
    db.store
        .ingest_packages(&inventory(&format!(
            r#"{{"package": "com.youdao.dict", "label": "Youdao", "first_install_ms": {old},
                 "requested_permissions": ["android.permission.READ_CONTACTS", "android.permission.CAMERA", "android.permission.INTERNET"],
                 "granted_permissions": ["android.permission.READ_CONTACTS", "android.permission.CAMERA", "android.permission.INTERNET"]}},
               {{"package": "com.duolingo", "first_install_ms": {}, "requested_permissions": ["android.permission.RECORD_AUDIO"],
                 "granted_permissions": ["android.permission.RECORD_AUDIO"]}},
               {{"package": "org.example.steps", "first_install_ms": {old},
                 "requested_permissions": ["android.permission.ACTIVITY_RECOGNITION"],
                 "granted_permissions": ["android.permission.ACTIVITY_RECOGNITION", "android.permission.ACTIVITY_RECOGNITION"]}},
               {{"package": "org.example.diary", "first_install_ms": {},
                 "requested_permissions": ["android.permission.READ_CALENDAR"],
                 "granted_permissions": ["android.permission.READ_CALENDAR"]}}"#,
            NOW - 10 * 24 * H,
            NOW - 91 * 24 * H
        )))
        .expect("inventory");
    // Android's record never read: nothing is known to be unused.
    assert!(db.analyze(Lang::En).findings.iter().all(|f| f.rule != Rule::UnusedPermission));
    db.access("com.youdao.dict", "u0a190", "CAMERA", "top", NOW - 5 * 24 * H);
    // The record read two hours ago (another app's dump).
    db.access("com.tencent.mm", "u0a191", "CAMERA", "top", NOW - 3 * H);
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.youdao.dict", Rule::UnusedPermission);
    assert!(f.explanation.contains("saw no access to your contacts in the last 90 days."), "{}", f.explanation);
    assert_eq!((f.info_type, f.severity), (InfoType::Contacts, Severity::Low));
    assert!(f.actions.contains(&Action::RevokePermission {
        package: "com.youdao.dict".into(),
        permission: "android.permission.READ_CONTACTS".into()
    }));
    assert!(findings(&a, "com.duolingo", Rule::UnusedPermission).is_empty(), "installed 10 days ago");
    assert_eq!(
        one(&a, "org.example.steps", Rule::UnusedPermission).info_type,
        InfoType::PhysicalActivity,
        "the medium-weight types count too, each permission once"
    );
    assert_eq!(
        one(&a, "org.example.diary", Rule::UnusedPermission).info_type,
        InfoType::Calendar,
        "installed 91 days ago: the record, read 2 hours ago, covers 90 days of it"
    );
}

/// "Not used for 90 days" counts back from the last reading of Android's record, not from now: a database whose
/// newest capture is a year old does not make every permission look unused.
#[test]
fn a_permission_is_judged_unused_only_over_days_the_record_covers() {
    let db = Db::new("unused-old-record");
    let captured = NOW - 400 * 24 * H;
    db.store
        .ingest_packages(&inventory(&format!(
            r#"{{"package": "com.youdao.dict", "first_install_ms": {},
                 "requested_permissions": ["android.permission.READ_CONTACTS", "android.permission.CAMERA"],
                 "granted_permissions": ["android.permission.READ_CONTACTS", "android.permission.CAMERA"]}}"#,
            NOW - 800 * 24 * H
        )))
        .expect("inventory");
    // Contacts read 20 days before the last capture, the camera 120 days before it.
    db.access("com.youdao.dict", "u0a190", "READ_CONTACTS", "top", captured - 20 * 24 * H - H);
    db.access("com.youdao.dict", "u0a190", "CAMERA", "top", captured - 120 * 24 * H - H);
    db.access("com.tencent.mm", "u0a191", "CAMERA", "top", captured - H);
    let a = db.analyze(Lang::En);
    let unused: Vec<&Finding> = findings(&a, "com.youdao.dict", Rule::UnusedPermission);
    assert_eq!(unused.iter().map(|f| f.info_type).collect::<Vec<_>>(), [InfoType::Camera], "contacts were in use then");
    let when = LocalTime::from_utc_ms(captured, &jiff::tz::TimeZone::get(ZONE).expect("zone")).expect("local");
    let words = format!("in the 90 days before {}, when it last read Android's record.", &when.to_string()[..16]);
    assert!(unused[0].explanation.contains(&words), "{}", unused[0].explanation);
    assert_eq!(unused[0].evidence.details["observed_until_ms"], captured);
    let zh = db.analyze(Lang::ZhCn);
    let f = one(&zh, "com.youdao.dict", Rule::UnusedPermission);
    assert!(f.title.ends_with("已有 90 天未使用其“相机”权限"), "{}", f.title);
    assert!(
        f.explanation.contains("（它最后一次读取 Android 的记录）之前的 90 天内没有看到它访问您的相机"),
        "{}",
        f.explanation
    );
    // A range that ends earlier ends the window there too.
    let until = captured - 100 * 24 * H;
    let opts = AnalysisOptions { to_ms: until, ..AnalysisOptions::last_days(7, NOW, Lang::En) };
    let a = db.store.analyze(&opts).expect("analyze");
    let unused: Vec<&Finding> = findings(&a, "com.youdao.dict", Rule::UnusedPermission);
    assert!(unused.is_empty(), "both were used within 90 days of the range's end: {unused:?}");
}

#[test]
fn an_access_through_a_proxy_is_charged_to_the_app_that_asked() {
    let db = Db::new("proxy");
    db.event(
        "com.google.android.gms",
        "u0a200",
        "READ_CONTACTS",
        "bg",
        "tpd",
        false,
        NOW - 4 * H,
        Some("com.android.providers.contacts"),
    );
    // The provider's own record of doing it for someone else.
    db.event("com.android.providers.contacts", "u0a70", "READ_CONTACTS", "bg", "tp", false, NOW - 4 * H, None);
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.google.android.gms", Rule::ProxyAccess);
    assert_eq!(
        (f.severity, f.evidence.details["proxy_package"].as_str()),
        (Severity::Info, Some("com.android.providers.contacts"))
    );
    assert!(f
        .explanation
        .contains("charges these accesses to com.google.android.gms, not to com.android.providers.contacts"));
    assert_eq!(one(&a, "com.google.android.gms", Rule::BackgroundAccess).evidence.accesses, 1);
    assert!(a.findings.iter().all(|f| f.package != "com.android.providers.contacts"), "the proxy is not blamed");
    // An untrusted proxy (`upd`) is reported the same way.
    db.event(
        "com.example.dialer",
        "u0a201",
        "READ_CONTACTS",
        "top",
        "upd",
        false,
        NOW - 3 * H,
        Some("com.android.providers.contacts"),
    );
    let a = db.analyze(Lang::En);
    assert_eq!(one(&a, "com.example.dialer", Rule::ProxyAccess).evidence.accesses, 1);
}

#[test]
fn google_play_overlay_for_sms_and_installed_apps() {
    let db = Db::new("play");
    db.store
        .ingest_packages(&inventory(
            r#"{"package": "com.android.mms", "system": true}, {"package": "org.example.loans"}"#,
        ))
        .expect("inventory");
    db.access("org.example.loans", "u0a210", "READ_SMS", "bg", NOW - 2 * H);
    db.access("com.android.mms", "u0a211", "READ_SMS", "bg", NOW - 2 * H);
    db.access("org.example.loans", "u0a210", "QUERY_ALL_PACKAGES", "top", NOW - 2 * H);
    db.access("com.qihoo360.mobilesafe", "u0a212", "QUERY_ALL_PACKAGES", "top", NOW - 2 * H);
    db.access("com.tmall.wireless", "u0a150", "READ_SMS", "top", NOW - 2 * H);
    let a = db.analyze(Lang::En);
    let f = one(&a, "org.example.loans", Rule::PlaySmsCallLog);
    assert_eq!((f.severity, f.info_type), (Severity::Medium, InfoType::Sms));
    assert_eq!(one(&a, "org.example.loans", Rule::PlayInstalledApps).info_type, InfoType::InstalledApps);
    assert!(findings(&a, "com.android.mms", Rule::PlaySmsCallLog).is_empty(), "the system SMS app");
    assert!(findings(&a, "com.qihoo360.mobilesafe", Rule::PlayInstalledApps).is_empty(), "antivirus may");
    assert!(findings(&a, "com.tmall.wireless", Rule::PlaySmsCallLog).is_empty(), "covered by out of scope, not twice");
    assert_eq!(one(&a, "com.tmall.wireless", Rule::OutOfScope).info_type, InfoType::Sms);
}

#[test]
fn the_user_sets_a_category() {
    let db = Db::new("override");
    db.access("org.example.reader", "u0a220", "READ_CONTACTS", "top", NOW - 2 * H);
    assert!(findings(&db.analyze(Lang::En), "org.example.reader", Rule::OutOfScope).is_empty());
    db.store.set_category("org.example.reader", Some("ebooks"), NOW).expect("set");
    let a = db.analyze(Lang::En);
    let f = one(&a, "org.example.reader", Rule::OutOfScope);
    assert_eq!((f.category.as_deref(), f.category_source), (Some("ebooks"), CategorySource::User));
    assert!(db.store.set_category("org.example.reader", Some("novels"), NOW).is_err());
    db.store.set_category("org.example.reader", None, NOW).expect("clear");
    assert!(findings(&db.analyze(Lang::En), "org.example.reader", Rule::OutOfScope).is_empty());
}

#[test]
fn every_app_gets_a_summary_and_json_has_the_documented_keys() {
    let db = Db::new("json");
    db.access("com.tencent.qqmusic", "u0a123", "READ_CONTACTS", "bg", NOW - 2 * H);
    db.access("com.android.settings", "1000", "WAKE_LOCK", "bg", NOW - 2 * H);
    let a = db.analyze(Lang::En);
    let quiet = a.apps.iter().find(|c| c.package == "com.android.settings").expect("listed");
    assert_eq!((quiet.score, quiet.summary.as_str()), (0, "Nothing excessive found."));
    let json = serde_json::to_value(&a).expect("json");
    for f in json["findings"].as_array().expect("findings") {
        for key in ["rule", "package", "severity", "info_type", "title", "explanation", "evidence"] {
            assert!(f.get(key).is_some(), "{key}");
        }
    }
    assert_eq!(json["findings"][0]["info_type"], "contacts");
    assert_eq!(json["findings"][0]["rule"], "out_of_scope");
    assert_eq!(json["findings"][0]["severity"], "high");
}

#[test]
fn frequency_from_single_reads_at_the_thresholds() {
    let db = Db::new("frequency-reads");
    let start = NOW - 30 * H;
    let reads = |op: &str, n: i64, gap_ms: i64| {
        for i in 0..n {
            db.access("com.tmall.wireless", "u0a150", op, "top", start + i * gap_ms);
        }
    };
    reads("READ_CONTACTS", 10, 30_000); // ten reads 30 s apart: at the threshold
    reads("READ_SMS", 9, 10_000); // nine: too few
    reads("READ_CALL_LOG", 10, 31_000); // 31 s apart: slower than the threshold
    reads("RECORD_AUDIO", 10, 2_000); // every 2 s: severe
    let rate = |a: &Analysis, t: InfoType| {
        about(a, "com.tmall.wireless", Rule::Frequency, t).map(|f| {
            let d = &f.evidence.details;
            let from = d["measured_from"].as_str().unwrap_or("").split(' ').next().unwrap_or("").to_owned();
            (f.severity, d["every_s"].as_f64(), d["accesses_at_that_rate"].as_u64(), from)
        })
    };
    let a = db.analyze(Lang::En);
    assert_eq!(rate(&a, InfoType::Contacts), Some((Severity::Medium, Some(30.0), Some(10), "events".into())));
    assert_eq!(rate(&a, InfoType::Sms), None);
    assert_eq!(rate(&a, InfoType::CallLog), None);
    assert_eq!(rate(&a, InfoType::Microphone), Some((Severity::High, Some(2.0), Some(10), "events".into())));
    // A history window at a faster rate is what is reported; one at the same rate leaves the single reads.
    let w = start - 2 * H;
    db.history("com.tmall.wireless", "u0a150", "READ_CONTACTS", w, w + 900_000, 45); // every 20 s
    db.history("com.tmall.wireless", "u0a150", "RECORD_AUDIO", w, w + 900_000, 450); // every 2 s
    let a = db.analyze(Lang::En);
    assert_eq!(rate(&a, InfoType::Contacts), Some((Severity::Medium, Some(20.0), Some(45), "history".into())));
    assert_eq!(rate(&a, InfoType::Microphone), Some((Severity::High, Some(2.0), Some(10), "events".into())));
}

/// A rate is reads one after another. Ten pairs of reads a second apart, one pair a day, read the calendar 20 times
/// in ten days: no rate at all. Twelve reads in a row, at 1 s and then 20 s apart, are a rate of their mean gap.
#[test]
fn close_pairs_far_apart_are_no_rate() {
    let db = Db::new("frequency-pairs");
    let start = NOW - 12 * 24 * H;
    for day in 0..10 {
        let t = start + day * 24 * H;
        db.access("com.tmall.wireless", "u0a150", "READ_CONTACTS", "top", t);
        db.access("com.tmall.wireless", "u0a150", "READ_CONTACTS", "top", t + 1_000);
    }
    let a = db.analyze(Lang::En);
    assert!(findings(&a, "com.tmall.wireless", Rule::Frequency).is_empty());
    let run = NOW - 2 * H;
    for i in 0..12 {
        let t = run + if i < 6 { i * 1_000 } else { 5_000 + (i - 5) * 20_000 };
        db.access("com.tmall.wireless", "u0a150", "READ_CONTACTS", "top", t);
    }
    let a = db.analyze(Lang::En);
    let f = one(&a, "com.tmall.wireless", Rule::Frequency);
    // 5 + 6 × 20 = 125 s over 11 gaps: about every 11.4 s, from the run's 12 reads.
    assert_eq!(
        (f.evidence.details["every_s"].as_f64(), f.evidence.details["accesses_at_that_rate"].as_u64()),
        (Some(11.4), Some(12))
    );
    assert_eq!(f.severity, Severity::Medium);
}

#[test]
fn two_refusals_are_one_retry_and_ten_retries_are_severe() {
    let db = Db::new("denied-counts");
    for t in [NOW - 20 * H, NOW - 10 * H] {
        db.event("com.taobao.taobao", "u0a151", "READ_CONTACTS", "fg", "s", true, t, None);
    }
    for i in 0..11 {
        db.event("com.tmall.wireless", "u0a150", "READ_SMS", "fg", "s", true, NOW - 30 * H + i * H, None);
    }
    let a = db.analyze(Lang::En);
    let retries = |pkg: &str| {
        let f = one(&a, pkg, Rule::DeniedRetry);
        (f.severity, f.evidence.details["retries_within_window"].as_u64())
    };
    assert_eq!(retries("com.taobao.taobao"), (Severity::Medium, Some(1)));
    assert_eq!(retries("com.tmall.wireless"), (Severity::High, Some(10)));
}

#[test]
fn night_ends_at_six_and_weighs_the_medium_types_too() {
    let db = Db::new("night-edges");
    let day = NOW - 36 * H; // 2026-03-07 00:00 Shanghai
    db.access("org.example.weather", "u0a160", "FINE_LOCATION", "bg", day + 6 * H); // 06:00: morning
    db.access("org.example.weather", "u0a160", "READ_CONTACTS", "bg", day + 6 * H - 60_000); // 05:59: night
    db.access("org.example.weather", "u0a160", "READ_CLIPBOARD", "bg", day + 3 * H); // clipboard: medium, judged too
    let a = db.analyze(Lang::En);
    let mut types: Vec<InfoType> =
        findings(&a, "org.example.weather", Rule::NightAccess).iter().map(|f| f.info_type).collect();
    types.sort();
    let mut expected = vec![InfoType::Contacts, InfoType::Clipboard];
    expected.sort();
    assert_eq!(types, expected);
    // The background location finding cites Google Play's background-location rule; the sentence on the unknown
    // category follows the explanation with a space in English and none in Chinese.
    let background = |a: &Analysis, info: InfoType| {
        about(a, "org.example.weather", Rule::BackgroundAccess, info).expect("background access").clone()
    };
    let f = background(&a, InfoType::Location);
    assert!(f.sources.iter().any(|s| s.id == "play-background-location"), "{:?}", f.sources);
    assert!(!background(&a, InfoType::Contacts).sources.iter().any(|s| s.id == "play-background-location"));
    assert!(f.explanation.contains(". Opsight does not know"), "{}", f.explanation);
    let zh = db.analyze(Lang::ZhCn);
    assert!(background(&zh, InfoType::Location).explanation.contains("。Opsight 不知道"));
}

#[test]
fn the_background_share_is_worded_by_count() {
    let db = Db::new("bg-wording");
    let t = NOW - 20 * H;
    db.access("com.tencent.qqmusic", "u0a123", "READ_SMS", "bg", t);
    db.access("com.tencent.qqmusic", "u0a123", "READ_CALL_LOG", "bg", t);
    db.access("com.tencent.qqmusic", "u0a123", "READ_CALL_LOG", "bg", t + H);
    db.access("com.tencent.qqmusic", "u0a123", "READ_CONTACTS", "bg", t);
    db.access("com.tencent.qqmusic", "u0a123", "READ_CONTACTS", "top", t + H);
    let a = db.analyze(Lang::En);
    let out_of_scope = |info: InfoType| about(&a, "com.tencent.qqmusic", Rule::OutOfScope, info).expect("found");
    for (info, words) in [
        (InfoType::Sms, ", in the background. Under"),
        (InfoType::CallLog, ", all in the background. Under"),
        (InfoType::Contacts, ", 1 of them in the background. Under"),
    ] {
        assert!(out_of_scope(info).explanation.contains(words), "{}", out_of_scope(info).explanation);
    }
    // When: one instant, or the first and the last (16:00 and 17:00 in Shanghai).
    assert!(out_of_scope(InfoType::Sms).explanation.contains("accessed your SMS once at 2026-03-07 16:00"));
    assert!(out_of_scope(InfoType::CallLog)
        .explanation
        .contains("2 times between 2026-03-07 16:00 and 2026-03-07 17:00"));
    assert!(
        out_of_scope(InfoType::Sms).advice.contains("turn off its “SMS” permission;"),
        "{}",
        out_of_scope(InfoType::Sms).advice
    );
    let zh = db.analyze(Lang::ZhCn);
    let zh_text =
        |info: InfoType| about(&zh, "com.tencent.qqmusic", Rule::OutOfScope, info).expect("found").explanation.clone();
    assert!(
        zh_text(InfoType::Sms).contains("访问了您的短信 1 次（于 2026-03-07 16:00），这次访问发生在后台。"),
        "{}",
        zh_text(InfoType::Sms)
    );
    assert!(
        zh_text(InfoType::CallLog).contains("在 2026-03-07 16:00 至 2026-03-07 17:00 之间"),
        "{}",
        zh_text(InfoType::CallLog)
    );
    let examples = &out_of_scope(InfoType::Contacts).evidence.examples;
    let states: Vec<Option<&str>> = examples.iter().map(|e| e.uid_state.as_deref()).collect();
    assert_eq!(states, [Some("bg"), Some("top")]);
}

#[test]
fn scores_add_the_severities_and_the_summary_counts_the_serious_ones() {
    let db = Db::new("scores");
    // QQ Music: contacts read once in the background, an access exactly at "now" (the period's end is inclusive).
    db.access("com.tencent.qqmusic", "u0a123", "READ_CONTACTS", "bg", NOW);
    let a = db.analyze(Lang::En);
    let app = a.apps.iter().find(|x| x.package == "com.tencent.qqmusic").expect("the access at now is in the period");
    let weight = |s: Severity| match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 4,
        Severity::High => 10,
    };
    let mine: Vec<&Finding> = a.findings.iter().filter(|f| f.package == "com.tencent.qqmusic").collect();
    assert!(mine.len() >= 2, "out of scope and in the background");
    assert_eq!(app.score, mine.iter().map(|f| weight(f.severity)).sum::<u32>());
    let serious = mine.iter().filter(|f| f.severity >= Severity::Medium).count();
    assert!(app.summary.ends_with(&format!("({serious} serious findings)")), "{}", app.summary);
}

/// An app label is the app developer's text. One that holds a right-to-left override must not turn the rest of a
/// finding's sentence around wherever the sentence is shown (the report, the app): the sentence carries the label
/// without its direction controls, and the label field keeps it as it was.
#[test]
fn a_label_cannot_turn_the_sentence_around_it() {
    let db = Db::new("bidi-label");
    let label = "Torch\u{202e}gnp.exe\u{2069}\u{2066}";
    db.store
        .ingest_packages(&inventory(&format!(r#"{{"package": "com.example.torch", "label": "{label}"}}"#)))
        .expect("inventory");
    db.access("com.example.torch", "u0a172", "READ_CONTACTS", "bg", NOW - 2 * H);
    for lang in [Lang::En, Lang::ZhCn] {
        let a = db.analyze(lang);
        let app = a.apps.iter().find(|c| c.package == "com.example.torch").expect("app");
        assert_eq!(app.label.as_deref(), Some(label));
        assert!(!app.findings.is_empty());
        for f in &app.findings {
            for text in [&f.title, &f.explanation, &f.advice] {
                assert!(!text.contains(['\u{202e}', '\u{2066}', '\u{2069}']), "{text:?}");
            }
            assert!(f.title.starts_with("Torchgnp.exe"), "{}", f.title);
        }
        assert!(app.summary.starts_with("Torchgnp.exe"), "{}", app.summary);
    }
}

/// Photos and files, app usage and notifications are judged against the category too (low, medium, medium), by the
/// scope rule alone: a news app that reads them is out of scope, and reading them often is no frequency finding.
#[test]
fn photos_usage_and_notifications_are_judged_against_the_category() {
    let db = Db::new("scope-reads");
    for (i, op) in ["READ_MEDIA_IMAGES", "GET_USAGE_STATS", "ACCESS_NOTIFICATIONS"].iter().enumerate() {
        for k in 0..12 {
            db.access("com.jifen.qukan", "u0a160", op, "bg", NOW - 3 * H + i as i64 * 60_000 + k * 1_000);
        }
    }
    // A write and a storage mode are no reads.
    db.access("com.jifen.qukan", "u0a160", "WRITE_EXTERNAL_STORAGE", "bg", NOW - 2 * H);
    db.access("com.jifen.qukan", "u0a160", "LEGACY_STORAGE", "bg", NOW - 2 * H);
    let a = db.analyze(Lang::En);
    let got: Vec<(Rule, InfoType, Severity, u64)> = a
        .findings
        .iter()
        .filter(|f| f.package == "com.jifen.qukan")
        .map(|f| (f.rule, f.info_type, f.severity, f.evidence.accesses))
        .collect();
    assert_eq!(
        got,
        [
            (Rule::OutOfScope, InfoType::AppUsage, Severity::Medium, 12),
            (Rule::OutOfScope, InfoType::Notifications, Severity::Medium, 12),
            (Rule::OutOfScope, InfoType::StorageMedia, Severity::Low, 12),
        ]
    );
}

/// A type the basic function uses at the user's request is in scope while the user uses the app: a meeting's
/// microphone in its foreground service (the call goes on while another app is on screen), a keyboard's clipboard
/// while it is bound to the app being typed in, a utility's calendar on screen. In the background it is not.
#[test]
fn user_action_types_are_in_scope_while_the_app_is_in_use() {
    let db = Db::new("user-action");
    db.access("com.tencent.wemeet.app", "u0a170", "RECORD_AUDIO", "fgsvc", NOW - 3 * H);
    db.access("com.baidu.input", "u0a171", "READ_CLIPBOARD", "fg", NOW - 3 * H);
    db.access("com.qihoo360.mobilesafe", "u0a172", "QUERY_ALL_PACKAGES", "top", NOW - 3 * H);
    let a = db.analyze(Lang::En);
    for package in ["com.tencent.wemeet.app", "com.baidu.input", "com.qihoo360.mobilesafe"] {
        assert!(findings(&a, package, Rule::OutOfScope).is_empty(), "{package}");
    }
    db.access("com.tencent.wemeet.app", "u0a170", "RECORD_AUDIO", "cch", NOW - 2 * H);
    db.access("com.qihoo360.mobilesafe", "u0a172", "QUERY_ALL_PACKAGES", "bg", NOW - 2 * H);
    let a = db.analyze(Lang::En);
    for package in ["com.tencent.wemeet.app", "com.qihoo360.mobilesafe"] {
        assert_eq!(one(&a, package, Rule::OutOfScope).evidence.accesses, 1, "{package}: the background access only");
    }
    db.store.set_category("org.example.calendar", Some("utilities"), NOW).expect("set");
    db.access("org.example.calendar", "u0a173", "READ_CALENDAR", "top", NOW - H);
    db.access("org.example.calendar", "u0a173", "RECORD_AUDIO", "top", NOW - H);
    assert!(findings(&db.analyze(Lang::En), "org.example.calendar", Rule::OutOfScope).is_empty());
}

/// Information a category needs is not advice to turn off on the promise of Art. 4, which covers only what a
/// function does not need; a navigation app tracking a night drive in the background is no night finding; and a
/// clipboard that Android refused is no permission the user denied.
#[test]
fn advice_follows_what_the_category_needs() {
    let db = Db::new("needed");
    for t in [NOW - 30 * H, NOW - 29 * H, NOW - 28 * H] {
        db.event("com.autonavi.minimap", "u0a130", "FINE_LOCATION", "fg", "s", true, t, None);
    }
    let night = NOW - 36 * H + 2 * H; // 02:00 Shanghai
    db.access("com.autonavi.minimap", "u0a130", "FINE_LOCATION", "bg", night);
    let a = db.analyze(Lang::En);
    let retry = one(&a, "com.autonavi.minimap", Rule::DeniedRetry);
    assert!(!retry.advice.contains("Art. 4"), "{}", retry.advice);
    assert!(
        retry.advice.starts_with("The app's basic function needs your location: allow its “Location”"),
        "{}",
        retry.advice
    );
    assert!(findings(&a, "com.autonavi.minimap", Rule::NightAccess).is_empty());
    let zh = db.analyze(Lang::ZhCn);
    assert!(one(&zh, "com.autonavi.minimap", Rule::DeniedRetry).advice.contains("请允许其“位置信息”权限"));

    for t in [NOW - 10 * H, NOW - 9 * H] {
        db.event("com.jifen.qukan", "u0a160", "READ_CLIPBOARD", "bg", "s", true, t, None);
    }
    let a = db.analyze(Lang::En);
    let clip = one(&a, "com.jifen.qukan", Rule::DeniedRetry);
    assert!(!clip.advice.contains("Keep the permission denied"), "{}", clip.advice);
    assert!(clip.advice.starts_with("Android has no switch for the clipboard"), "{}", clip.advice);
    assert!(
        clip.explanation.contains("it lets only the app on screen and the keyboard read it"),
        "{}",
        clip.explanation
    );
    assert!(clip.sources.iter().all(|s| s.id != "method-2019"), "no user refused anything");
}

/// Of several runs the densest gives the rate: ten reads 20 s apart in the morning and ten 5 s apart at night give
/// "every 5 s"; of two runs at the same pace the first is reported.
#[test]
fn the_densest_run_gives_the_rate() {
    let db = Db::new("frequency-runs");
    let run = |start: i64, n: i64, gap: i64| {
        for i in 0..n {
            db.access("com.tmall.wireless", "u0a150", "READ_CONTACTS", "top", start + i * gap);
        }
    };
    run(NOW - 20 * H, 10, 20_000);
    run(NOW - 10 * H, 10, 5_000);
    let rate = |a: &Analysis| {
        let f = one(a, "com.tmall.wireless", Rule::Frequency);
        (f.evidence.details["every_s"].as_f64(), f.evidence.details["accesses_at_that_rate"].as_u64())
    };
    assert_eq!(rate(&db.analyze(Lang::En)), (Some(5.0), Some(10)));
    run(NOW - 5 * H, 12, 5_000);
    assert_eq!(rate(&db.analyze(Lang::En)), (Some(5.0), Some(10)), "the first of two at the same pace");
}

/// Android notes one location fix as several ops at the same instant (FINE_LOCATION, MONITOR_LOCATION, GPS): one
/// access of the user's location, not three. Counted per op, ten fixes 90 s apart read as thirty accesses 0 and 90 s
/// apart, a rate three times faster than the app's, and over the frequency threshold.
#[test]
fn several_ops_at_one_instant_are_one_access() {
    let db = Db::new("one-fix-three-ops");
    let start = NOW - 30 * H;
    for i in 0..10 {
        for op in ["FINE_LOCATION", "MONITOR_LOCATION", "GPS"] {
            db.access("com.tmall.wireless", "u0a150", op, "bg", start + i * 90_000);
        }
    }
    let a = db.analyze(Lang::En);
    assert!(about(&a, "com.tmall.wireless", Rule::Frequency, InfoType::Location).is_none(), "every 90 s is no rate");
    let f = about(&a, "com.tmall.wireless", Rule::BackgroundAccess, InfoType::Location)
        .or_else(|| about(&a, "com.tmall.wireless", Rule::OutOfScope, InfoType::Location))
        .expect("a location finding");
    assert_eq!((f.evidence.accesses, f.evidence.background), (10, 10), "{:?}", f.evidence);
    assert_eq!(f.evidence.ops.len(), 3, "every op is still named");
}
