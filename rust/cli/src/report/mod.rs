//! The HTML report: everything the database knows, judged, on one self-contained page.
//!
//! [`gather`] reads the store through the core's queries (`analyze`, `apps`, `timeline`, `daily_counts`; no SQL
//! here); [`render`] turns what was read into HTML without touching the store, so it can be tested on hand-made
//! data.

pub mod html;
pub mod svg;
pub mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use jiff::tz::TimeZone;
use opsight_core::analysis::{Analysis, AnalysisOptions};
use opsight_core::ops::{self, Lang};
use opsight_core::store::{AppSummary, DailyCount, Timeline};
use opsight_core::Store;
use serde::Serialize;

use self::text::Text;

/// Everything the page shows.
pub struct ReportInput {
    pub lang: Lang,
    /// The zone days and hours are drawn in.
    pub zone: TimeZone,
    pub zone_name: String,
    pub analysis: Analysis,
    pub apps: Vec<AppSummary>,
    /// Per package, its timeline over the report's range; apps with no events in it are absent.
    pub timelines: BTreeMap<String, Timeline>,
    pub daily: Vec<DailyCount>,
    pub generated_ms: i64,
    /// A note shown under the introduction (the demo says its data is synthetic).
    pub banner: Option<String>,
}

/// What to read.
pub struct GatherOptions {
    pub lang: Lang,
    pub from_ms: i64,
    pub to_ms: i64,
    /// Zone for days, hours and nights; default: the device's zone recorded at ingest, else UTC.
    pub zone: Option<String>,
    pub now_ms: i64,
    pub banner: Option<String>,
}

/// The counts `opsight report --json` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportCounts {
    pub apps: usize,
    pub apps_with_findings: usize,
    pub apps_with_events: usize,
    pub findings: usize,
}

pub fn gather(store: &Store, opts: GatherOptions) -> anyhow::Result<ReportInput> {
    let zone_name = match &opts.zone {
        Some(z) => Some(z.clone()),
        None => store.device_zone()?,
    };
    let (zone, zone_name) = match zone_name.as_deref().map(|z| (z, TimeZone::get(z))) {
        Some((name, Ok(tz))) => (tz, name.to_owned()),
        _ => (TimeZone::UTC, "UTC".to_owned()),
    };
    let analysis = store.analyze(&AnalysisOptions {
        lang: opts.lang,
        from_ms: opts.from_ms,
        to_ms: opts.to_ms,
        now_ms: opts.now_ms,
        zone: Some(zone_name.clone()),
    })?;
    let apps = store.apps()?;
    let mut timelines = BTreeMap::new();
    for app in &analysis.apps {
        let tl = store.timeline(&app.package, opts.from_ms, opts.to_ms)?;
        // Only events are drawn; per-op last accesses alone would be kept for nothing.
        if !tl.events.is_empty() {
            timelines.insert(app.package.clone(), tl);
        }
    }
    // The chart's days in the report's zone, as every other time on the page.
    let daily = store.daily_counts(opts.from_ms, opts.to_ms, Some(&zone_name))?;
    Ok(ReportInput {
        lang: opts.lang,
        zone,
        zone_name,
        analysis,
        apps,
        timelines,
        daily,
        generated_ms: opts.now_ms,
        banner: opts.banner,
    })
}

/// The page.
pub fn render(input: &ReportInput) -> String {
    html::page(input)
}

/// Gathers, renders and writes the page to `path` (through a temporary file renamed into place, so a reader never
/// sees half a page). Returns the absolute path and the counts.
pub fn write(store: &Store, path: &Path, opts: GatherOptions) -> anyhow::Result<(PathBuf, ReportCounts)> {
    let input = gather(store, opts)?;
    let page = render(&input);
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name().map_or_else(|| "report".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    std::fs::write(&tmp, page.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok((absolute, input.counts()))
}

impl ReportInput {
    pub fn counts(&self) -> ReportCounts {
        ReportCounts {
            apps: self.analysis.apps.len(),
            apps_with_findings: self.analysis.apps.iter().filter(|a| !a.findings.is_empty()).count(),
            apps_with_events: self.timelines.values().filter(|t| !t.events.is_empty()).count(),
            findings: self.analysis.findings.len(),
        }
    }

    /// An instant for people, in the report's zone: `2026-03-02 14:03`.
    pub fn instant(&self, ms: i64) -> String {
        jiff::Timestamp::from_millisecond(ms)
            .map(|ts| ts.to_zoned(self.zone.clone()).strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| "-".to_owned())
    }

    /// First and last stored event, in the report's zone.
    pub fn period_text(&self) -> String {
        let t = Text { lang: self.lang };
        let first = self.timelines.values().flat_map(|tl| tl.events.first()).map(|e| e.start_utc_ms).min();
        let last = self.timelines.values().flat_map(|tl| tl.events.last()).map(|e| e.start_utc_ms).max();
        match (first, last) {
            (Some(a), Some(b)) => {
                format!("{} – {}{}", self.instant(a), self.instant(b), t.times_in(&self.zone_name))
            }
            _ => t.no_events().to_owned(),
        }
    }

    /// Sensitive accesses and rejects per day, all apps together, oldest first.
    pub fn daily_totals(&self) -> Vec<(jiff::civil::Date, u64, u64)> {
        let mut by_day: BTreeMap<jiff::civil::Date, (u64, u64)> = BTreeMap::new();
        for d in self.daily.iter().filter(|d| ops::is_sensitive(&d.op)) {
            if let Ok(date) = d.date.parse::<jiff::civil::Date>() {
                let e = by_day.entry(date).or_default();
                e.0 += d.access;
                e.1 += d.reject;
            }
        }
        by_day.into_iter().map(|(d, (a, r))| (d, a, r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsight_core::analysis::{AppConcern, CategorySource, Evidence, Finding, Rule, Severity, SourceRef};
    use opsight_core::ops::InfoType;
    use opsight_core::store::{TimelineEvent, Visibility};

    const EVIL_LABEL: &str = "<script>alert(1)</script>\u{202E}gnp.exe";
    const EVIL_PACKAGE: &str = "com.evil\"><img src=x onerror=alert(2)>";

    fn event(t_ms: i64, foreground: Option<bool>, kind: &'static str) -> TimelineEvent {
        TimelineEvent {
            op: "READ_CONTACTS".into(),
            info_type: "contacts".into(),
            kind,
            start_utc_ms: t_ms,
            duration_ms: None,
            uid_state: Some("bg".into()),
            visibility: Visibility::Background,
            foreground,
            flags: vec!["s".into()].into(),
            attribution_tag: None,
            proxy_package: None,
            proxy_uid: None,
            uid: Some(10123),
            source: "last_access",
            time_basis: opsight_core::time::TimeBasis::LocalWithZone,
            precision_ms: None,
        }
    }

    fn input(lang: Lang) -> ReportInput {
        // The texts the core would give in that language, so that each golden page shows its own.
        let pick = |en: &str, zh: &str| if lang == Lang::ZhCn { zh.to_owned() } else { en.to_owned() };
        // The core's sentences carry the label without its direction controls.
        let named = EVIL_LABEL.replace('\u{202E}', "");
        let title = pick(
            &format!("{named} accessed your contacts in the background"),
            &format!("{named} 在后台访问了您的通讯录"),
        );
        let finding = Finding {
            rule: Rule::BackgroundAccess,
            package: EVIL_PACKAGE.into(),
            label: Some(EVIL_LABEL.into()),
            severity: Severity::High,
            info_type: InfoType::Contacts,
            category: None,
            category_name: None,
            category_source: CategorySource::Unknown,
            title: title.clone(),
            explanation: pick("It did </p><p>so", "它确实</p><p>这样做了"),
            advice: pick("Revoke & forget", "撤销 & 忘记"),
            actions: vec![],
            sources: vec![
                SourceRef {
                    id: "a".into(),
                    title: "MIIT <164>".into(),
                    url: "https://www.miit.gov.cn/x?a=1&b=2".into(),
                },
                SourceRef { id: "b".into(), title: "bad".into(), url: "javascript:alert(3)".into() },
            ],
            evidence: Evidence {
                accesses: 2,
                background: 2,
                first_ms: Some(0),
                last_ms: Some(3_600_000),
                ..Evidence::default()
            },
        };
        let app = AppConcern {
            package: EVIL_PACKAGE.into(),
            label: Some(EVIL_LABEL.into()),
            category: None,
            category_name: None,
            category_source: CategorySource::Unknown,
            score: 10,
            summary: title,
            findings: vec![finding.clone()],
        };
        let quiet = AppConcern {
            package: "com.quiet".into(),
            label: None,
            category: None,
            category_name: None,
            category_source: CategorySource::Unknown,
            score: 0,
            summary: pick("Nothing excessive found.", "未发现超出所需的访问。"),
            findings: vec![],
        };
        let idle = AppConcern { package: "com.idle<b>".into(), ..quiet.clone() };
        // A system app whose category comes from Opsight's list.
        let quiet = AppConcern {
            category: Some("map_navigation".into()),
            category_name: Some(pick("Map navigation", "地图导航类")),
            category_source: CategorySource::Curated,
            ..quiet
        };
        let mut timelines = BTreeMap::new();
        let tl = |package: &str, events: Vec<TimelineEvent>| Timeline {
            package: package.into(),
            access: events.iter().filter(|e| e.kind == "access").count() as u64,
            events,
            ..Timeline::default()
        };
        timelines.insert(
            EVIL_PACKAGE.to_owned(),
            tl(
                EVIL_PACKAGE,
                vec![
                    event(0, Some(false), "access"),
                    event(3_600_000, Some(false), "access"),
                    event(7_200_000, Some(false), "reject"),
                ],
            ),
        );
        timelines.insert("com.quiet".to_owned(), tl("com.quiet", vec![event(86_400_000 * 3, Some(true), "access")]));
        ReportInput {
            lang,
            zone: TimeZone::UTC,
            zone_name: "UTC".into(),
            analysis: Analysis {
                opsight_findings: 1,
                pack_version: "2026.11.1".into(),
                lang: if lang == Lang::ZhCn { "zh-CN" } else { "en" },
                zone: Some("UTC".into()),
                from_ms: i64::MIN,
                to_ms: i64::MAX,
                apps: vec![app, quiet, idle],
                findings: vec![finding],
            },
            apps: vec![AppSummary { package: "com.quiet".into(), system: true, ..AppSummary::default() }],
            timelines,
            daily: vec![DailyCount {
                date: "1970-01-01".into(),
                package: EVIL_PACKAGE.into(),
                op: "READ_CONTACTS".into(),
                info_type: "contacts".into(),
                access: 2,
                reject: 1,
                rolled_up: 0,
            }],
            generated_ms: 0,
            banner: Some("demo <data>".into()),
        }
    }

    #[test]
    fn apps_without_findings_have_a_heading_of_their_own() {
        let page = render(&input(Lang::En));
        let quiet = page.find("<details id=\"quiet\"><summary><h2>").expect("the quiet apps' own h2");
        let apps = page.find("<section id=\"apps\"><h2>").expect("apps with findings");
        assert!(apps < quiet && page[apps..quiet].contains("</section>"), "not under the findings' heading");
    }

    #[test]
    fn database_text_is_escaped_everywhere() {
        let page = render(&input(Lang::En));
        assert!(!page.contains("<script"), "no script element can be injected");
        assert!(!page.contains("<img"), "no element can be injected through a package name");
        assert!(!page.contains("com.idle<b>"));
        assert!(!page.contains("javascript:"), "only web links are linked");
        assert!(page.contains("<bdi>&lt;script&gt;alert(1)&lt;/script&gt;\u{202E}gnp.exe</bdi>"));
        assert!(page.contains("<bdi>com.evil&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</bdi>"));
        assert!(page.contains("It did &lt;/p&gt;&lt;p&gt;so"));
        assert!(page.contains(
            "<a href=\"https://www.miit.gov.cn/x?a=1&amp;b=2\" rel=\"noreferrer noopener\">MIIT &lt;164&gt;</a>; bad"
        ));
        assert!(page.contains("demo &lt;data&gt;"));
        // The SVG's accessible name carries the label too, escaped.
        assert!(page.contains("aria-label=\"Access timeline of &lt;script&gt;"));
    }

    #[test]
    fn the_page_is_self_contained_and_complete() {
        let page = render(&input(Lang::En));
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
        for external in ["src=\"http", "href=\"//", "@import", "url(", "<link", "<script"] {
            assert!(!page.contains(external), "{external}");
        }
        // Every app is somewhere: flagged in the ranking, quiet in the details, idle in the list.
        assert_eq!(page.matches("class=\"rank-row\"").count(), 1);
        assert!(page.contains("id=\"app-1\"") && page.contains("id=\"app-2\""));
        assert!(page.contains("1 more app with recorded accesses"));
        assert!(page.contains("1 app with no recorded access"));
        assert!(page.contains("<bdi>com.idle&lt;b&gt;</bdi>"));
        assert!(page.contains("1970-01-01 00:00 – 1970-01-04 00:00 (times in UTC)"));
        assert!(page.contains("1 high, 0 medium, 0 low, 0 for information"));
        assert!(page.contains("class=\"m-bg\"") && page.contains("class=\"m-rej\"") && page.contains("class=\"m-fg\""));
        assert!(page.contains("2 accesses, 2 in the background; 1970-01-01 00:00 – 1970-01-01 01:00"));
        assert_eq!(page.matches("<svg").count(), page.matches("</svg>").count());
        // The header: what Opsight is, the facts, the daily chart, the caveat.
        for words in [
            "<p class=\"lede\">Opsight is an on-device Android privacy monitor. Android&#39;s AppOps service records",
            "<dt>Period</dt><dd id=\"period\">1970-01-01 00:00",
            "<dt>Apps</dt><dd>3 (1 with findings)</dd>",
            "<dt>Findings</dt><dd id=\"finding-counts\">1 high",
            "<dt>Generated</dt><dd>1970-01-01 00:00 (times in UTC)</dd>",
            "<dt>Policy pack</dt><dd>2026.11.1</dd>",
            "<figcaption>Sensitive accesses per day, all apps</figcaption>",
            "<p class=\"caveat\">AppOps shows that an app accessed information, not whether the information left the phone.",
            "<span class=\"meta\">Category: ",
            "<b>Sources: </b>",
        ] {
            assert!(page.contains(words), "{words}");
        }
        assert_eq!(
            input(Lang::En).counts(),
            ReportCounts { apps: 3, apps_with_findings: 1, apps_with_events: 2, findings: 1 }
        );
    }

    #[test]
    fn the_page_speaks_chinese_when_asked() {
        let page = render(&input(Lang::ZhCn));
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
        for words in [
            "Opsight 隐私报告",
            "按关注度排序的应用",
            "后台访问（空心）",
            "建议",
            "依据来源",
            "高",
            "<p class=\"lede\">Opsight 是一款在手机端运行的 Android 隐私监测工具。",
            "<dt>时间范围</dt>",
            "<dt>应用</dt><dd>3 个（其中 1 个发现问题）</dd>",
            "<dt>发现的问题</dt>",
            "<dt>生成时间</dt>",
            "<dt>规则包版本</dt><dd>2026.11.1</dd>",
            "<figcaption>每天的敏感信息访问次数（所有应用）</figcaption>",
            "<p class=\"caveat\">AppOps 只能看到应用访问了信息，无法看到信息是否离开了手机。",
            "类别：地图导航类（Opsight 名单）",
            "在后台访问了您的通讯录",
        ] {
            assert!(page.contains(words), "{words}");
        }
        assert!(!page.contains("What to do"));
    }

    #[test]
    fn the_daily_chart_adds_up_sensitive_ops_per_day() {
        let mut i = input(Lang::En);
        let day = |date: &str, op: &str, access: u64, reject: u64| DailyCount {
            date: date.into(),
            package: "com.other".into(),
            op: op.into(),
            info_type: "other".into(),
            access,
            reject,
            rolled_up: 0,
        };
        i.daily.extend([
            day("1970-01-01", "READ_SMS", 3, 0),
            // Not personal information: not counted.
            day("1970-01-01", "VIBRATE", 50, 0),
            day("1970-01-02", "FINE_LOCATION", 1, 4),
            // A date the store could not have written: skipped, not a panic.
            day("someday", "READ_SMS", 9, 9),
        ]);
        let date = |s: &str| s.parse::<jiff::civil::Date>().expect("date");
        assert_eq!(i.daily_totals(), [(date("1970-01-01"), 5, 1), (date("1970-01-02"), 1, 4)]);
        let page = render(&i);
        assert!(page.contains("1970-01-01: 5 accesses, 1 refused attempt"), "the bar's title");
        assert!(page.contains("1970-01-02: 1 access, 4 refused attempts"));
    }

    /// The whole page for [`input`] but its style sheet, in each language, against a reviewed copy in
    /// `tests/golden/`: every word the page shows, and where. After an intended change,
    /// `OPSIGHT_BLESS=1 cargo test -p opsight-cli report` rewrites the copies; review their diff before committing.
    #[test]
    fn the_page_is_the_reviewed_one() {
        for (lang, name) in [(Lang::En, "report_en.html"), (Lang::ZhCn, "report_zh-CN.html")] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
            // The style sheet is left out: the Chromium stage (tests/report) checks what it draws.
            let page = render(&input(lang));
            let (head, rest) = page.split_once("<style>").expect("a style element");
            let page = format!("{head}<style>…{}", &rest[rest.find("</style>").expect("its end")..]);
            if std::env::var_os("OPSIGHT_BLESS").is_some() {
                std::fs::write(&path, &page).expect("write the golden page");
            }
            let golden = std::fs::read_to_string(&path).expect("golden page (OPSIGHT_BLESS=1 writes it)");
            if page != golden {
                // The first line that differs; where one page is a prefix of the other, the first line past it.
                let common = page.lines().count().min(golden.lines().count());
                let line = page.lines().zip(golden.lines()).position(|(a, b)| a != b).unwrap_or(common);
                panic!(
                    "{name} differs from the page at line {}:\n  now:    {}\n  golden: {}",
                    line + 1,
                    page.lines().nth(line).unwrap_or("(end)"),
                    golden.lines().nth(line).unwrap_or("(end)")
                );
            }
        }
    }

    #[test]
    fn counts_and_evidence_follow_the_events() {
        let mut i = input(Lang::En);
        // An access whose state the dump did not say counts as an access, in neither state.
        let quiet = i.timelines.get_mut("com.quiet").expect("quiet");
        quiet.events.push(TimelineEvent { visibility: Visibility::Unknown, ..event(86_400_000 * 2, None, "access") });
        let f = &mut i.analysis.apps[0].findings[0];
        // One instant, shown once; only refused attempts still have evidence.
        f.evidence = Evidence {
            accesses: 0,
            background: 0,
            rejects: 2,
            first_ms: Some(60_000),
            last_ms: Some(60_000),
            ..f.evidence.clone()
        };
        let page = render(&i);
        assert!(page.contains(
            "<p class=\"meta counts\">2 accesses (1 foreground, 0 background), 0 refused; 1970-01-03 to 1970-01-04</p>"
        ));
        assert!(page.contains("<b>Evidence: </b>0 accesses, 2 refused; 1970-01-01 00:01</p>"), "{page}");
        let f = &mut i.analysis.apps[0].findings[0];
        f.evidence = Evidence { accesses: 0, rejects: 0, first_ms: None, last_ms: None, ..f.evidence.clone() };
        assert!(!render(&i).contains("class=\"evidence\""), "no evidence line without accesses");
        let f = &mut i.analysis.apps[0].findings[0];
        f.evidence = Evidence { accesses: 1, rejects: 0, first_ms: Some(0), last_ms: Some(0), ..f.evidence.clone() };
        assert!(render(&i).contains("<b>Evidence: </b>1 access; 1970-01-01 00:00</p>"));
    }

    #[test]
    fn evidence_says_only_what_there_is() {
        let en = Text { lang: Lang::En };
        let zh = Text { lang: Lang::ZhCn };
        assert_eq!(en.evidence_line(3, 0, 0, ""), "3 accesses");
        assert_eq!(en.evidence_line(3, 1, 2, "then"), "3 accesses, 1 in the background, 2 refused; then");
        assert_eq!(zh.evidence_line(3, 0, 0, ""), "访问 3 次");
        assert_eq!(zh.evidence_line(3, 1, 2, "then"), "访问 3 次，其中后台 1 次，被拒绝 2 次；then");
    }

    #[test]
    fn english_counts_agree_with_their_number() {
        let en = Text { lang: Lang::En };
        assert_eq!(en.evidence_line(1, 0, 0, ""), "1 access");
        assert_eq!(en.evidence_line(0, 0, 0, ""), "0 accesses");
        assert_eq!(en.daily_bar("d", 1, 1), "d: 1 access, 1 refused attempt");
        assert_eq!(en.daily_bar("d", 2, 0), "d: 2 accesses, 0 refused attempts");
        assert_eq!(en.quiet_heading(1), "1 more app with recorded accesses and nothing excessive found");
        assert_eq!(en.idle_heading(1), "1 app with no recorded access in this period");
        assert_eq!(en.idle_heading(2), "2 apps with no recorded access in this period");
        assert_eq!(en.gap(1), "1 day without events");
        assert_eq!(en.gap(3), "3 days without events");
        assert_eq!(en.mark(text::MarkClass::Reject, 1), "1 refused attempt");
        assert_eq!(en.mark(text::MarkClass::Unknown, 2), "2 accesses, state unknown");
        assert_eq!(en.counts_line(1, 1, 0, 0), "1 access (1 foreground, 0 background), 0 refused");
        // Chinese counts with a measure word, the same for every number.
        let zh = Text { lang: Lang::ZhCn };
        assert_eq!(zh.gap(1), "1 天没有记录");
        assert_eq!(zh.mark(text::MarkClass::Reject, 1), "被拒绝 1 次");
    }

    #[test]
    fn an_empty_database_says_so() {
        let mut i = input(Lang::En);
        i.analysis.apps.clear();
        i.analysis.findings.clear();
        i.timelines.clear();
        i.daily.clear();
        let page = render(&i);
        assert!(page.contains("id=\"empty\""));
        assert!(page.contains("no recorded accesses"));
        assert!(page.contains(
            "<p id=\"empty\">The database holds no apps yet. Collect from a phone (opsight collect --adb) or ingest a \
             dump first.</p>"
        ));
        i.lang = Lang::ZhCn;
        assert!(render(&i).contains(
            "<p id=\"empty\">数据库中还没有应用。请先从手机采集（opsight collect --adb）或导入一份转储文件（dump）。</p>"
        ));
        // Apps, but nothing excessive.
        let mut i = input(Lang::En);
        i.analysis.findings.clear();
        for app in &mut i.analysis.apps {
            app.findings.clear();
        }
        assert!(render(&i).contains("<p id=\"no-findings\">No findings: nothing excessive in the stored history.</p>"));
        i.lang = Lang::ZhCn;
        assert!(render(&i).contains("<p id=\"no-findings\">未发现问题：已保存的记录中没有超出所需的访问。</p>"));
    }
}
