//! Every string the report shows, in English and Simplified Chinese.

use opsight_core::analysis::{CategorySource, Severity};
use opsight_core::ops::Lang;

use crate::out::count;

/// The report's words in one language.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub lang: Lang,
}

impl Text {
    fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self.lang {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
    }

    pub fn html_lang(self) -> &'static str {
        self.pick("en", "zh-CN")
    }

    pub fn title(self) -> &'static str {
        self.pick("Opsight privacy report", "Opsight 隐私报告")
    }

    pub fn lede(self) -> &'static str {
        self.pick(
            "Opsight is an on-device Android privacy monitor. Android's AppOps service records each time an app reads \
             your location, contacts, SMS, call log, clipboard, microphone or camera, but keeps only the latest access \
             and judges nothing. Opsight keeps the whole record and compares it with what each kind of app needs: \
             China's 2021 rules on the personal information necessary for 39 kinds of apps, and Google Play's rules \
             for sensitive permissions.",
            "Opsight 是一款在手机端运行的 Android 隐私监测工具。Android 的 AppOps 服务会记录应用每一次读取您的位置、通讯录、短信、\
             通话记录、剪贴板、麦克风或相机，但只保留最近一次访问，也不做任何判断。Opsight 保存完整记录，并与各类应用\
             真正需要的信息对照：2021 年《常见类型移动互联网应用程序必要个人信息范围规定》（39 类应用）以及 Google Play \
             的敏感权限规则。",
        )
    }

    pub fn caveat(self) -> &'static str {
        self.pick(
            "AppOps shows that an app accessed information, not whether the information left the phone. This file was \
             made on this computer from the database; it loads nothing from the network.",
            "AppOps 只能看到应用访问了信息，无法看到信息是否离开了手机。本文件由本机数据库生成，不会从网络加载任何内容。",
        )
    }

    pub fn period(self) -> &'static str {
        self.pick("Period", "时间范围")
    }

    pub fn no_events(self) -> &'static str {
        self.pick("no recorded accesses", "没有访问记录")
    }

    /// `(times in Asia/Shanghai)` after the period.
    pub fn times_in(self, zone: &str) -> String {
        match self.lang {
            Lang::En => format!(" (times in {zone})"),
            Lang::ZhCn => format!("（时区：{zone}）"),
        }
    }

    /// `: ` or the full-width `：` after a heading word.
    pub fn colon(self) -> &'static str {
        self.pick(": ", "：")
    }

    /// `name (note)`, with full-width parentheses in Chinese.
    pub fn with_note(self, name: &str, note: &str) -> String {
        match self.lang {
            Lang::En => format!("{name} ({note})"),
            Lang::ZhCn => format!("{name}（{note}）"),
        }
    }

    pub fn apps(self) -> &'static str {
        self.pick("Apps", "应用")
    }

    pub fn findings(self) -> &'static str {
        self.pick("Findings", "发现的问题")
    }

    pub fn generated(self) -> &'static str {
        self.pick("Generated", "生成时间")
    }

    pub fn policy_pack(self) -> &'static str {
        self.pick("Policy pack", "规则包版本")
    }

    pub fn apps_count(self, apps: usize, flagged: usize) -> String {
        match self.lang {
            Lang::En => format!("{apps} ({flagged} with findings)"),
            Lang::ZhCn => format!("{apps} 个（其中 {flagged} 个发现问题）"),
        }
    }

    pub fn daily_heading(self) -> &'static str {
        self.pick("Sensitive accesses per day, all apps", "每天的敏感信息访问次数（所有应用）")
    }

    /// The per-day chart for a screen reader: `busiest` is a `daily_bar` text.
    pub fn daily_summary(self, days: usize, first: &str, last: &str, busiest: &str) -> String {
        let heading = self.daily_heading();
        match (self.lang, first == last) {
            (Lang::En, true) => format!("{heading}: one day with events, {busiest}"),
            (Lang::En, false) => {
                format!(
                    "{heading}: {} with events, {first} to {last}; the busiest, {busiest}",
                    count(days, "day", "days")
                )
            }
            (Lang::ZhCn, true) => format!("{heading}：只有一天有记录，{busiest}"),
            (Lang::ZhCn, false) => {
                format!("{heading}：{first} 至 {last} 之间有 {days} 天有记录；最多的一天为 {busiest}")
            }
        }
    }

    pub fn daily_bar(self, date: &str, access: u64, reject: u64) -> String {
        match self.lang {
            Lang::En => format!(
                "{date}: {}, {}",
                count(access, "access", "accesses"),
                count(reject, "refused attempt", "refused attempts")
            ),
            Lang::ZhCn => format!("{date}：访问 {access} 次，被拒绝 {reject} 次"),
        }
    }

    pub fn ranking_heading(self) -> &'static str {
        self.pick("Apps by concern", "按关注度排序的应用")
    }

    pub fn ranking_intro(self) -> &'static str {
        self.pick(
            "Highest concern first. The concern score adds up the findings: high 10, medium 4, low 1.",
            "关注度最高的排在前面。关注度为各项发现之和：高 10，中 4，低 1。",
        )
    }

    pub fn col_rank(self) -> &'static str {
        "#"
    }

    pub fn col_app(self) -> &'static str {
        self.pick("App", "应用")
    }

    pub fn col_category(self) -> &'static str {
        self.pick("Category", "类别")
    }

    pub fn col_score(self) -> &'static str {
        self.pick("Concern", "关注度")
    }

    pub fn col_summary(self) -> &'static str {
        self.pick("Summary", "摘要")
    }

    pub fn category_unknown(self) -> &'static str {
        self.pick("unknown", "未知")
    }

    pub fn category_source(self, s: CategorySource) -> &'static str {
        match s {
            CategorySource::User => self.pick("set by you", "由您设置"),
            CategorySource::Curated => self.pick("Opsight's list", "Opsight 名单"),
            CategorySource::Android => self.pick("declared by the app", "应用自行声明"),
            CategorySource::Unknown => self.pick("not known", "未知"),
        }
    }

    pub fn system_app(self) -> &'static str {
        self.pick("system app", "系统应用")
    }

    pub fn details_heading(self) -> &'static str {
        self.pick("Apps with findings", "发现问题的应用")
    }

    pub fn quiet_heading(self, n: usize) -> String {
        match self.lang {
            Lang::En => {
                format!("{} with recorded accesses and nothing excessive found", count(n, "more app", "more apps"))
            }
            Lang::ZhCn => format!("另有 {n} 个应用有访问记录，但未发现超出所需的访问"),
        }
    }

    pub fn idle_heading(self, n: usize) -> String {
        match self.lang {
            Lang::En => format!("{} with no recorded access in this period", count(n, "app", "apps")),
            Lang::ZhCn => format!("{n} 个应用在此期间没有访问记录"),
        }
    }

    pub fn timeline_caption(self, zone: &str) -> String {
        match self.lang {
            Lang::En => format!(
                "Every stored access and refused attempt, by day (columns) and hour of the day, one row per kind of \
                 information; times in {zone}. Shaded: 00:00–06:00. Hover a mark for its count."
            ),
            Lang::ZhCn => format!(
                "已保存的每一次访问和被拒绝的尝试，按日期（列）和一天中的小时排列，每种信息一行；时间按 {zone}。\
                 阴影为 00:00–06:00。将指针停在标记上可查看次数。"
            ),
        }
    }

    pub fn timeline_label(self, app: &str) -> String {
        match self.lang {
            Lang::En => format!("Access timeline of {app}"),
            Lang::ZhCn => format!("{app} 的访问时间线"),
        }
    }

    /// A timeline for a screen reader: its name, its counts and days (`counts_line` and `days_span`), and its rows.
    pub fn timeline_summary(self, app: &str, counts_and_days: &str, rows: &[&str]) -> String {
        match self.lang {
            Lang::En => format!("{}: {counts_and_days}; rows: {}", self.timeline_label(app), rows.join(", ")),
            Lang::ZhCn => format!("{}：{counts_and_days}；各行：{}", self.timeline_label(app), rows.join("、")),
        }
    }

    pub fn legend_foreground(self) -> &'static str {
        self.pick("access in the foreground (filled)", "前台访问（实心）")
    }

    pub fn legend_background(self) -> &'static str {
        self.pick("access in the background (hollow)", "后台访问（空心）")
    }

    pub fn legend_unknown(self) -> &'static str {
        self.pick("access, state unknown (square)", "访问，状态未知（方块）")
    }

    pub fn legend_reject(self) -> &'static str {
        self.pick("refused attempt (cross)", "被拒绝的尝试（叉号）")
    }

    pub fn legend_night(self) -> &'static str {
        self.pick("night, 00:00–06:00", "夜间 00:00–06:00")
    }

    pub fn legend_gap(self) -> &'static str {
        self.pick("days without events left out", "省略了没有记录的日期")
    }

    pub fn legend_size(self) -> &'static str {
        self.pick("bigger mark: more in that hour", "标记越大：该小时内次数越多")
    }

    pub fn legend_bar(self) -> &'static str {
        self.pick("bar: accesses that day, all apps", "柱：当天的访问次数（所有应用）")
    }

    pub fn legend_bar_refused(self) -> &'static str {
        self.pick("red top of a bar: refused attempts", "柱顶红色部分：被拒绝的尝试")
    }

    /// The year over the first day of it on an axis.
    pub fn year_label(self, year: i16) -> String {
        match self.lang {
            Lang::En => year.to_string(),
            Lang::ZhCn => format!("{year}年"),
        }
    }

    pub fn gap(self, days: i64) -> String {
        match self.lang {
            Lang::En => format!("{} without events", count(days, "day", "days")),
            Lang::ZhCn => format!("{days} 天没有记录"),
        }
    }

    /// "3 accesses in the foreground", for a mark's tooltip.
    pub fn mark(self, class: MarkClass, n: u64) -> String {
        match (self.lang, class) {
            (Lang::En, MarkClass::Foreground) => format!("{} in the foreground", count(n, "access", "accesses")),
            (Lang::En, MarkClass::Background) => format!("{} in the background", count(n, "access", "accesses")),
            (Lang::En, MarkClass::Unknown) => format!("{}, state unknown", count(n, "access", "accesses")),
            (Lang::En, MarkClass::Reject) => count(n, "refused attempt", "refused attempts"),
            (Lang::ZhCn, MarkClass::Foreground) => format!("前台访问 {n} 次"),
            (Lang::ZhCn, MarkClass::Background) => format!("后台访问 {n} 次"),
            (Lang::ZhCn, MarkClass::Unknown) => format!("访问 {n} 次（状态未知）"),
            (Lang::ZhCn, MarkClass::Reject) => format!("被拒绝 {n} 次"),
        }
    }

    pub fn counts_line(self, access: u64, foreground: u64, background: u64, reject: u64) -> String {
        match self.lang {
            Lang::En => {
                let access = count(access, "access", "accesses");
                format!("{access} ({foreground} foreground, {background} background), {reject} refused")
            }
            Lang::ZhCn => format!("访问 {access} 次（前台 {foreground}，后台 {background}），被拒绝 {reject} 次"),
        }
    }

    /// The days a timeline covers, after its counts: the day columns show no year.
    pub fn days_span(self, first: &str, last: &str) -> String {
        match (self.lang, first == last) {
            (Lang::En, true) => format!("; on {first}"),
            (Lang::En, false) => format!("; {first} to {last}"),
            (Lang::ZhCn, true) => format!("；{first}"),
            (Lang::ZhCn, false) => format!("；{first} 至 {last}"),
        }
    }

    pub fn severity(self, s: Severity) -> &'static str {
        match s {
            Severity::High => self.pick("High", "高"),
            Severity::Medium => self.pick("Medium", "中"),
            Severity::Low => self.pick("Low", "低"),
            Severity::Info => self.pick("Info", "提示"),
        }
    }

    pub fn severity_counts(self, high: usize, medium: usize, low: usize, info: usize) -> String {
        match self.lang {
            Lang::En => format!("{high} high, {medium} medium, {low} low, {info} for information"),
            Lang::ZhCn => format!("高 {high} 项，中 {medium} 项，低 {low} 项，提示 {info} 项"),
        }
    }

    pub fn advice(self) -> &'static str {
        self.pick("What to do", "建议")
    }

    pub fn evidence(self) -> &'static str {
        self.pick("Evidence", "依据")
    }

    pub fn evidence_line(self, accesses: u64, background: u64, rejects: u64, span: &str) -> String {
        match self.lang {
            Lang::En => {
                let mut s = count(accesses, "access", "accesses");
                if background > 0 {
                    s.push_str(&format!(", {background} in the background"));
                }
                if rejects > 0 {
                    s.push_str(&format!(", {rejects} refused"));
                }
                if !span.is_empty() {
                    s.push_str(&format!("; {span}"));
                }
                s
            }
            Lang::ZhCn => {
                let mut s = format!("访问 {accesses} 次");
                if background > 0 {
                    s.push_str(&format!("，其中后台 {background} 次"));
                }
                if rejects > 0 {
                    s.push_str(&format!("，被拒绝 {rejects} 次"));
                }
                if !span.is_empty() {
                    s.push_str(&format!("；{span}"));
                }
                s
            }
        }
    }

    pub fn sources(self) -> &'static str {
        self.pick("Sources", "依据来源")
    }

    pub fn no_findings(self) -> &'static str {
        self.pick(
            "No findings: nothing excessive in the stored history.",
            "未发现问题：已保存的记录中没有超出所需的访问。",
        )
    }

    pub fn empty_database(self) -> &'static str {
        self.pick(
            "The database holds no apps yet. Collect from a phone (opsight collect --adb) or ingest a dump first.",
            "数据库中还没有应用。请先从手机采集（opsight collect --adb）或导入一份转储文件（dump）。",
        )
    }

    pub fn footer(self) -> &'static str {
        self.pick(
            "Made by Opsight from the database on this computer. Opsight says \"accessed\", not \"collected\": AppOps \
             cannot see what an app does with what it read.",
            "由 Opsight 根据本机数据库生成。Opsight 只说“访问”，不说“收集”：AppOps 无法看到应用如何处理读取到的信息。",
        )
    }

    pub fn weekday(self, n: i8) -> &'static str {
        // Monday = 1 … Sunday = 7 (jiff's `to_monday_one_offset`).
        let en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let zh = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        let i = usize::try_from(n.clamp(1, 7) - 1).unwrap_or(0);
        match self.lang {
            Lang::En => en[i],
            Lang::ZhCn => zh[i],
        }
    }

    /// A day column's heading: `Mon 03-02` / `3月2日 周一`.
    pub fn day_label(self, date: jiff::civil::Date) -> String {
        let wd = self.weekday(date.weekday().to_monday_one_offset());
        match self.lang {
            Lang::En => format!("{wd} {:02}-{:02}", date.month(), date.day()),
            Lang::ZhCn => format!("{}月{}日 {wd}", date.month(), date.day()),
        }
    }
}

/// How a mark is drawn: one per info type, hour and class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkClass {
    Foreground,
    Background,
    Unknown,
    Reject,
}
