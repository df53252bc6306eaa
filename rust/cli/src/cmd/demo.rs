//! `opsight demo`: try Opsight with no phone: a demo database, the top findings, and the HTML report.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use opsight_core::analysis::{AnalysisOptions, Severity};
use opsight_core::ops::Lang;
use serde::Serialize;

use crate::db::{self, Need};
use crate::demo::{self, Built};
use crate::exit::Exit;
use crate::out;
use crate::report::{self, GatherOptions, ReportCounts};

/// Build a demo database and report, no phone needed.
///
/// The database holds two real AppOps captures bundled with Opsight and a generated week of a realistic phone
/// (about forty apps, hourly Android 13 dumps, an inventory with permissions and usage) ending now, with the kinds
/// of apps China's 2018 notice named: a music app reading contacts in the background, a shopping app reading the
/// clipboard and location, a dictionary polling the clipboard, a novel reader reading the phone's identity, a loan
/// app reading SMS, contacts and the call log, next to well-behaved ones (navigation using location while
/// navigating, a messenger using the camera on screen). It prints the five apps of most concern and writes the HTML
/// report. A previous demo in the same directory is replaced.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight demo
  opsight demo --lang zh-CN
  opsight demo --dir /tmp/opsight-demo --json

Default directory: $XDG_DATA_HOME/opsight/demo, else ~/.local/share/opsight/demo, else a temporary directory.
It holds demo.db and report.html; explore further with e.g. `opsight findings --db DIR/demo.db`.
Exit codes: 0 built; 1 the directory or database cannot be written; 2 bad arguments.")]
pub struct Args {
    /// Directory for demo.db and report.html (created if needed).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Language of labels, findings and the report: en or zh-CN.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Print one JSON document (schema: docs/json.md, "opsight demo --json").
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct DemoDocument<'a> {
    opsight_demo: u32,
    dir: String,
    database: String,
    report: String,
    lang: &'static str,
    built: &'a Built,
    counts: ReportCounts,
    top: Vec<TopApp>,
}

#[derive(Serialize)]
struct TopApp {
    rank: usize,
    package: String,
    label: Option<String>,
    category: Option<String>,
    score: u32,
    summary: String,
    finding: Option<TopFinding>,
}

#[derive(Serialize)]
struct TopFinding {
    rule: &'static str,
    severity: Severity,
    title: String,
}

/// Files a demo directory holds; a new demo replaces them.
const DEMO_FILES: [&str; 5] = ["demo.db", "demo.db-wal", "demo.db-shm", "demo.db-journal", "report.html"];

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let lang =
        Lang::parse(&args.lang).with_context(|| format!("unknown language {:?} (use en or zh-CN)", args.lang))?;
    let dir = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create the directory {}", d.display()))?;
            d.clone()
        }
        None => default_dir()?,
    };
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    for name in DEMO_FILES {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot replace the previous demo {}", path.display())),
        }
    }
    let db_path = dir.join("demo.db");
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let store = db::open(&db_path, Need::CreateIfMissing)?;
    let built = demo::build(&store, lang, now_ms, out::stderr_is_terminal())
        .with_context(|| format!("cannot build the demo database {}", db_path.display()))?;
    let analysis = store.analyze(&AnalysisOptions { lang, from_ms: i64::MIN, to_ms: i64::MAX, now_ms, zone: None })?;
    let (report_path, counts) = report::write(
        &store,
        &dir.join("report.html"),
        GatherOptions {
            lang,
            from_ms: i64::MIN,
            to_ms: i64::MAX,
            zone: None,
            now_ms,
            banner: Some(demo::banner(lang)),
        },
    )?;
    store.close();

    let top: Vec<TopApp> = analysis
        .apps
        .iter()
        .filter(|a| !a.findings.is_empty())
        .take(5)
        .enumerate()
        .map(|(i, a)| TopApp {
            rank: i + 1,
            package: a.package.clone(),
            label: a.label.clone(),
            category: a.category_name.clone(),
            score: a.score,
            summary: a.summary.clone(),
            finding: a.findings.first().map(|f| TopFinding {
                rule: f.rule.as_str(),
                severity: f.severity,
                title: f.title.clone(),
            }),
        })
        .collect();
    if args.json {
        out::json(&DemoDocument {
            opsight_demo: 1,
            dir: dir.display().to_string(),
            database: db_path.display().to_string(),
            report: report_path.display().to_string(),
            lang: match lang {
                Lang::En => "en",
                Lang::ZhCn => "zh-CN",
            },
            built: &built,
            counts,
            top,
        })?;
        return Ok(Exit::Success);
    }
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    write_human(&mut w, lang, &built, &counts, &top, &db_path, &report_path)?;
    w.flush()?;
    Ok(Exit::Success)
}

fn write_human(
    w: &mut impl Write,
    lang: Lang,
    built: &Built,
    counts: &ReportCounts,
    top: &[TopApp],
    db: &Path,
    report: &Path,
) -> io::Result<()> {
    let zh = lang == Lang::ZhCn;
    if zh {
        writeln!(
            w,
            "Opsight 演示：{} 份真实采集 + 一部手机一周的合成数据（{} 份转储文件，{} 条访问记录，{} 个应用）。",
            built.samples, built.dumps, built.events, counts.apps
        )?;
        writeln!(w, "数据库：{}", out::path(db))?;
        writeln!(w, "\n关注度最高的 {} 个应用：", top.len())?;
    } else {
        writeln!(
            w,
            "Opsight demo: {} real captures and a synthetic week of a phone ({} dumps, {} access events, {} apps).",
            built.samples, built.dumps, built.events, counts.apps
        )?;
        writeln!(w, "Database: {}", out::path(db))?;
        writeln!(w, "\nTop {} apps by concern:", top.len())?;
    }
    for app in top {
        let name = match &app.label {
            Some(l) => format!("{} ({})", out::cell(l), app.package),
            None => app.package.clone(),
        };
        let category = app.category.as_deref().unwrap_or(if zh { "类别未知" } else { "category unknown" });
        let score = if zh { format!("关注度 {}", app.score) } else { format!("concern {}", app.score) };
        writeln!(w, "{:>2}. {name} — {category} — {score}", app.rank)?;
        if let Some(f) = &app.finding {
            writeln!(w, "    [{}] {}", out::severity_label(f.severity, lang), out::cell(&f.title))?;
        }
    }
    if zh {
        writeln!(
            w,
            "\n共发现 {} 项问题，涉及 {} 个应用。报告（用浏览器打开）：",
            counts.findings, counts.apps_with_findings
        )?;
    } else {
        writeln!(
            w,
            "\n{} about {}. The report (open it in a browser):",
            out::count(counts.findings, "finding", "findings"),
            out::count(counts.apps_with_findings, "app", "apps")
        )?;
    }
    writeln!(w, "{}", out::path(report))?;
    if zh {
        writeln!(w, "\n继续查看：opsight findings --db {} --lang zh-CN", out::path(db))?;
    } else {
        writeln!(w, "\nExplore further: opsight findings --db {}", out::path(db))?;
    }
    Ok(())
}

/// `$XDG_DATA_HOME/opsight/demo`, else `~/.local/share/opsight/demo`, else the system's temporary directory: the
/// first that can be created and written.
fn default_dir() -> anyhow::Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
        candidates.push(xdg.join("opsight/demo"));
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
        candidates.push(home.join(".local/share/opsight/demo"));
    }
    candidates.push(std::env::temp_dir().join("opsight-demo"));
    for dir in &candidates {
        if writable(dir) {
            return Ok(dir.clone());
        }
    }
    anyhow::bail!(
        "no writable directory for the demo (tried {}); give one with --dir",
        candidates.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
    )
}

fn writable(dir: &Path) -> bool {
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let probe = dir.join(format!(".opsight-probe-{}", std::process::id()));
    let ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}
