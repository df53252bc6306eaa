//! `opsight report --db FILE --html OUT.html`: the whole database, judged, on one self-contained page.

use std::path::PathBuf;

use anyhow::Context as _;
use opsight_core::ops::Lang;
use serde::Serialize;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::report::{self, GatherOptions, ReportCounts};
use crate::{out, time_args};

/// Write a self-contained HTML report: apps by concern, their access timelines and findings.
///
/// Apps are ordered by concern; each app with recorded accesses gets its timeline (days by hours, one row per kind
/// of information, foreground and background told apart, refused attempts marked), and every finding its
/// explanation, advice and sources. The page is one file with everything inside it (styles and drawings inline, no script): it opens offline, loads
/// nothing from the network, and can be mailed or archived as it is. Text from the database (app names, labels) is
/// escaped, so a hostile app name cannot change the page.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight report --db phone.db --html report.html
  opsight report --db phone.db --html 报告.html --lang zh-CN
  opsight report --db phone.db --html week.html --since 2026-03-01 --until 2026-03-08 --zone Asia/Shanghai
  opsight report --db phone.db --html report.html --json | jq .findings

Exit codes: 0 written; 1 no database, bad language/zone/range, or the file cannot be written; 2 bad arguments.")]
pub struct Args {
    /// The database file (must exist).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Where to write the page (replaced if it exists).
    #[arg(long, value_name = "OUT.html")]
    html: PathBuf,
    /// Language of the page: en or zh-CN.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Only events from this date (YYYY-MM-DD, midnight in --zone or UTC) or RFC 3339 instant on.
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Only events before this date or instant.
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,
    /// Zone for days, hours and nights (IANA id); default: the device's zone recorded at ingest.
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// Print one JSON document with the path and the counts (schema: docs/json.md).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ReportDocument {
    opsight_report: u32,
    path: String,
    lang: &'static str,
    #[serde(flatten)]
    counts: ReportCounts,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let lang =
        Lang::parse(&args.lang).with_context(|| format!("unknown language {:?} (use en or zh-CN)", args.lang))?;
    let zone = match &args.zone {
        Some(name) => Some(time_args::parse_zone(name)?.iana_name().map_or_else(|| name.clone(), str::to_owned)),
        None => None,
    };
    let tz = zone.as_deref().map(time_args::parse_zone).transpose()?;
    let (from_ms, to_ms) = time_args::time_range(args.since.as_deref(), args.until.as_deref(), tz.as_ref())?;
    let store = db::open(&args.db, Need::Existing)?;
    let opts =
        GatherOptions { lang, from_ms, to_ms, zone, now_ms: jiff::Timestamp::now().as_millisecond(), banner: None };
    let (path, counts) = report::write(&store, &args.html, opts)?;
    if args.json {
        out::json(&ReportDocument {
            opsight_report: 1,
            path: path.display().to_string(),
            lang: match lang {
                Lang::En => "en",
                Lang::ZhCn => "zh-CN",
            },
            counts,
        })?;
    } else {
        println!(
            "Report written: {} ({} with findings), {}.\n{}",
            out::count(counts.apps, "app", "apps"),
            counts.apps_with_findings,
            out::count(counts.findings, "finding", "findings"),
            out::path(&path)
        );
    }
    Ok(Exit::Success)
}
