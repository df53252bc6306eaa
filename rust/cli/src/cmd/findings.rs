//! `opsight findings --db FILE`: which apps collect too much, and why, in English or Simplified Chinese.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use opsight_core::analysis::{Analysis, AnalysisOptions};
use opsight_core::ops::Lang;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::{out, time_args};

/// Judge every app in the database against what its kind of app needs (China's 2021 rules on necessary personal
/// information, the 2019 identification method, Google Play's rules) and list the findings, apps with the highest
/// concern first.
///
/// Rules: out of scope (information its category does not need), background access, excessive frequency, retrying
/// after being denied, night access, access while not in use, clipboard reads from the background, unused sensitive
/// permissions, accesses through a proxy, and Google Play's SMS/call-log and installed-apps rules (docs/policy.md).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight findings --db phone.db
  opsight findings --db phone.db --lang zh-CN
  opsight findings --db phone.db --since 2026-03-01 --json | jq '.findings[] | select(.severity == \"high\")'")]
pub struct Args {
    /// The database file (must exist).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Language of titles and explanations: en or zh-CN.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Judge only events from this date (YYYY-MM-DD, midnight UTC unless --zone) or RFC 3339 instant on.
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Judge only events before this date or instant.
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,
    /// Zone for --since/--until dates and for "night" (default: the device's zone recorded at ingest).
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// Print one JSON document (schema: docs/json.md, "findings").
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let lang =
        Lang::parse(&args.lang).with_context(|| format!("unknown language {:?} (use en or zh-CN)", args.lang))?;
    let zone = args.zone.as_deref().map(time_args::parse_zone).transpose()?;
    let (from_ms, until) = time_args::time_range(args.since.as_deref(), args.until.as_deref(), zone.as_ref())?;
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let to_ms = if args.until.is_some() { until } else { i64::MAX };
    let store = db::open(&args.db, Need::Existing)?;
    let analysis = store.analyze(&AnalysisOptions { lang, from_ms, to_ms, now_ms, zone: args.zone.clone() })?;
    if args.json {
        out::json(&analysis)?;
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        write_human(&mut w, &analysis, lang, args.zone.is_some())?;
        w.flush()?;
    }
    Ok(Exit::Success)
}

fn write_human(w: &mut impl Write, a: &Analysis, lang: Lang, zone_given: bool) -> io::Result<()> {
    if a.apps.is_empty() {
        let none = match lang {
            Lang::En => "No apps in this database yet: collect from a phone (opsight collect --adb) or ingest a dump.",
            Lang::ZhCn => "数据库中还没有应用。请先从手机采集（opsight collect --adb）或导入一份转储文件（dump）。",
        };
        return writeln!(w, "{none}");
    }
    let flagged: Vec<_> = a.apps.iter().filter(|c| !c.findings.is_empty()).collect();
    if flagged.is_empty() {
        // The report's words, which say the same.
        return writeln!(w, "{}", crate::report::text::Text { lang }.no_findings());
    }
    for app in flagged {
        let name =
            app.label.as_deref().map_or_else(|| app.package.clone(), |l| format!("{} ({})", out::cell(l), app.package));
        let category = app.category_name.as_deref().unwrap_or(match lang {
            Lang::En => "category unknown",
            Lang::ZhCn => "类别未知",
        });
        let score = match lang {
            Lang::En => format!("concern {}", app.score),
            Lang::ZhCn => format!("关注度 {}", app.score),
        };
        writeln!(w, "{name} — {category} — {score}")?;
        for f in &app.findings {
            writeln!(w, "  [{}] {}", out::severity_label(f.severity, lang), out::cell(&f.title))?;
            writeln!(w, "      {}", out::cell(&f.explanation))?;
            writeln!(w, "      → {}", out::cell(&f.advice))?;
        }
        writeln!(w)?;
    }
    // The texts give local times with no offset: say whose.
    let zone = match (&a.zone, zone_given, lang) {
        (Some(z), true, Lang::En) => format!("Times are in {}, the zone given.", out::cell(z)),
        (Some(z), false, Lang::En) => format!("Times are in {}, the device's zone.", out::cell(z)),
        (None, _, Lang::En) => "Times are in UTC: the device's zone is not known (give --zone).".to_owned(),
        (Some(z), true, Lang::ZhCn) => format!("时间按 {}（所指定的时区）显示。", out::cell(z)),
        (Some(z), false, Lang::ZhCn) => format!("时间按 {}（设备时区）显示。", out::cell(z)),
        (None, _, Lang::ZhCn) => "时间按 UTC 显示：设备时区未知（可用 --zone 指定）。".to_owned(),
    };
    writeln!(w, "{zone}")
}
