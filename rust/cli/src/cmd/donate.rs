//! `opsight donate --db FILE --manifest M.json (--preview | --out BUNDLE.json)`: see exactly what a study asks for,
//! leave out apps or rows, and write the donation bundle to share with the researcher.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use opsight_core::donate::{
    AppIdentity, DonationPreview, Exclusions, Granularity, Level, StudyManifest, SuppressedGroup,
};
use serde::Serialize;
use serde_json::Value;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::out;
use crate::research::validate::strip_invalid_input;

/// Donate your access history to a study, on the study's terms and nothing more.
///
/// A study manifest (written by the researcher) says which information types, how precise the times, whether apps
/// are named, and the period. --preview shows every row that would leave, with a row id, and what is left out, and
/// a review code; --exclude names apps or row ids to leave out; --out writes the bundle, given that review code:
/// exactly what the preview showed leaves, or nothing (if accesses were stored since, preview again). Nothing is
/// sent anywhere: you share the file yourself. The donation id printed on export is how you ask the researcher to
/// delete your donation.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight donate --db phone.db --manifest study.json --preview
  echo '{\"packages\": [\"org.secret.diary\"], \"rows\": [\"r-3f2a9c81d04e\"]}' > exclude.json
  opsight donate --db phone.db --manifest study.json --exclude exclude.json --preview
  opsight donate --db phone.db --manifest study.json --exclude exclude.json --reviewed 5be1c0d29a4f7e13 --out donation.json

Manifest, bundle and exclusions: docs/research.md.")]
#[command(group(clap::ArgGroup::new("action").required(true).args(["preview", "out"])))]
pub struct Args {
    /// The database file (must exist).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// The study manifest (JSON, from the researcher).
    #[arg(long, value_name = "M.json")]
    manifest: PathBuf,
    /// What to leave out: {"packages": [...], "rows": [row ids from the preview]}.
    #[arg(long, value_name = "X.json")]
    exclude: Option<PathBuf>,
    /// The device whose accesses to donate (its label, as `ingest --device` gave it); needed when the database
    /// holds several, since a donation is one phone's.
    #[arg(long, value_name = "LABEL")]
    device: Option<String>,
    /// The review code the preview showed: --out writes the bundle only while it still holds exactly those rows.
    #[arg(long, value_name = "CODE", conflicts_with = "preview")]
    reviewed: Option<String>,
    /// Show what would leave; write nothing.
    #[arg(long)]
    preview: bool,
    /// Write the bundle to this file (refused if it exists, unless --force).
    #[arg(long, value_name = "BUNDLE.json")]
    out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long, conflicts_with = "preview")]
    force: bool,
    /// Print one JSON document (schema: docs/json.md, "opsight donate --json").
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ExportDocument {
    opsight_donate: u32,
    path: String,
    study_id: String,
    donation_id: String,
    rows: u64,
    suppressed_groups: u64,
    exclusions: Value,
    checksum: String,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let manifest_json = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("cannot read manifest {}", args.manifest.display()))?;
    let manifest = StudyManifest::from_json(&manifest_json)
        .map_err(|e| anyhow::anyhow!("{}: {}", args.manifest.display(), strip_invalid_input(&e)))?;
    let exclusions_json = match &args.exclude {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("cannot read exclusions {}", path.display()))?
        }
        None => String::new(),
    };
    let mut exclusions = Exclusions::from_json(&exclusions_json)
        .map_err(|e| anyhow::anyhow!("{}: {}", exclusion_name(&args), strip_invalid_input(&e)))?;
    if let Some(path) = &args.out {
        if args.reviewed.is_none() && exclusions.reviewed.is_none() {
            anyhow::bail!(
                "nothing was written: run --preview first, read what would leave, and give the review code it shows \
                 with --reviewed"
            );
        }
        if !args.force && std::fs::symlink_metadata(path).is_ok() {
            anyhow::bail!("{} exists: give --force to replace it, or another --out", path.display());
        }
    }
    let store = db::open(&args.db, Need::Existing)?;
    if args.device.is_none() {
        let labels = store.device_labels()?;
        if labels.len() > 1 {
            let names: Vec<String> = labels.iter().map(|l| out::printable(l).into_owned()).collect();
            anyhow::bail!(
                "the database holds the accesses of {} devices ({}): a donation is one device's; give --device with \
                 one of them",
                labels.len(),
                names.join(", ")
            );
        }
    }
    let preview = store
        .donation_preview(&manifest_json, args.device.as_deref())
        .map_err(|e| anyhow::anyhow!("{}", strip_invalid_input(&e)))?;
    let excluded = Excluded::new(&preview, &exclusions);
    for package in &excluded.unknown_packages {
        eprintln!(
            "opsight: {} names {}, which has no row or suppressed group in this donation",
            exclusion_name(&args),
            out::printable(package)
        );
    }
    match &args.out {
        None => {
            if !excluded.unknown_rows.is_empty() {
                eprintln!(
                    "opsight: {} names rows this preview does not have: {}",
                    exclusion_name(&args),
                    out::printable(&excluded.unknown_rows.join(", "))
                );
            }
            if args.json {
                let mut doc = serde_json::to_value(&preview)?;
                if let Value::Object(map) = &mut doc {
                    map.insert("excluded_rows".into(), serde_json::json!(excluded.rows_in_order(&preview)));
                }
                out::json(&doc)?;
            } else {
                let stdout = io::stdout();
                let mut w = BufWriter::new(stdout.lock());
                write_preview(&mut w, &manifest, &preview, args.exclude.as_ref().map(|_| &excluded), &args)?;
                w.flush()?;
            }
        }
        Some(path) => {
            if !excluded.unknown_rows.is_empty() {
                anyhow::bail!(
                    "{} names rows this donation does not have ({}): run --preview again and use its row ids; \
                     nothing was written",
                    exclusion_name(&args),
                    out::printable(&excluded.unknown_rows.join(", "))
                );
            }
            if let Some(code) = &args.reviewed {
                exclusions.reviewed = Some(code.clone());
            }
            let exclusions_json = serde_json::to_string(&exclusions)?;
            let mut bytes = store
                .export_donation(&manifest_json, &exclusions_json, args.device.as_deref())
                .map_err(|e| anyhow::anyhow!("{}", strip_invalid_input(&e)))?;
            if bytes.last() != Some(&b'\n') {
                // A text file ends with a newline; the checksum covers the JSON value, not the bytes.
                bytes.push(b'\n');
            }
            write_file(path, &bytes)?;
            let bundle: Value = serde_json::from_slice(&bytes).context("internal: the bundle is not JSON")?;
            let doc = ExportDocument {
                opsight_donate: 1,
                path: std::path::absolute(path).unwrap_or_else(|_| path.clone()).display().to_string(),
                study_id: manifest.study_id.clone(),
                donation_id: bundle["donation_id"].as_str().unwrap_or_default().to_owned(),
                rows: bundle["rows"].as_array().map_or(0, |r| r.len() as u64),
                suppressed_groups: bundle["suppressed_groups"].as_u64().unwrap_or(0),
                exclusions: bundle["exclusions"].clone(),
                checksum: bundle["checksum"].as_str().unwrap_or_default().to_owned(),
            };
            if args.json {
                out::json(&doc)?;
            } else {
                let stdout = io::stdout();
                let mut w = BufWriter::new(stdout.lock());
                write_export(&mut w, &manifest, &doc, path)?;
                w.flush()?;
            }
        }
    }
    Ok(Exit::Success)
}

fn exclusion_name(args: &Args) -> String {
    args.exclude.as_ref().map_or_else(|| "the exclusions".to_owned(), |p| out::path(p))
}

/// Which preview rows the exclusions remove (the export's rule, from the core), and the names they give that match
/// nothing.
struct Excluded {
    /// The packages listed, which also leave out their suppressed groups from the bundle's count of them.
    packages: BTreeSet<String>,
    rows: opsight_core::donate::Excluded,
    unknown_packages: Vec<String>,
    unknown_rows: Vec<String>,
}

impl Excluded {
    fn new(preview: &DonationPreview, x: &Exclusions) -> Excluded {
        let packages: BTreeSet<&str> = x.packages.iter().map(String::as_str).collect();
        let known_packages: BTreeSet<&str> = preview
            .rows
            .iter()
            .map(|r| r.package.as_str())
            .chain(preview.suppressed.iter().map(|g| g.package.as_str()))
            .collect();
        let known_rows: BTreeSet<&str> = preview.rows.iter().map(|r| r.row_id.as_str()).collect();
        Excluded {
            packages: packages.iter().map(|p| (*p).to_owned()).collect(),
            rows: preview.excluded(x),
            unknown_packages: packages
                .iter()
                .filter(|p| !known_packages.contains(*p))
                .map(|p| (*p).to_owned())
                .collect(),
            unknown_rows: x.rows.iter().filter(|r| !known_rows.contains(r.as_str())).cloned().collect(),
        }
    }

    fn contains(&self, row_id: &str) -> bool {
        self.rows.contains(row_id)
    }

    fn rows_in_order(&self, preview: &DonationPreview) -> Vec<String> {
        preview.rows.iter().filter(|r| self.contains(&r.row_id)).map(|r| r.row_id.clone()).collect()
    }
}

fn granularity_text(g: Granularity) -> &'static str {
    match g {
        Granularity::Exact => "exact (the time of each access, to the millisecond)",
        Granularity::Hour => "hour (the hour of each access)",
        Granularity::Day => "day (the day of each access)",
    }
}

fn level_text(l: Level) -> &'static str {
    match l {
        Level::Events => "events (one row per access)",
        Level::DailyCounts => "daily counts (one row per day, app and information type, with a count)",
    }
}

fn identity_text(a: AppIdentity) -> &'static str {
    match a {
        AppIdentity::Package => "package names (the researcher sees which apps)",
        AppIdentity::Category => "category only (one of the 39 kinds of app, or unknown)",
        AppIdentity::SaltedHash => {
            "a code per app, new in every donation (the researcher cannot tell which app, nor link donations)"
        }
    }
}

fn write_preview(
    w: &mut impl Write,
    m: &StudyManifest,
    p: &DonationPreview,
    excluded: Option<&Excluded>,
    args: &Args,
) -> io::Result<()> {
    writeln!(w, "Study {}: {}", out::cell(&m.study_id), out::cell(&m.title))?;
    if let Some(device) = &p.device {
        writeln!(w, "  device:       {} (the rows are this phone's accesses)", out::cell(device))?;
    }
    writeln!(w, "  researcher:   {}", out::cell(&m.researcher))?;
    writeln!(w, "  contact:      {}", out::cell(&m.contact))?;
    writeln!(w, "  purpose:      {}", out::cell(&m.purpose))?;
    writeln!(w, "  retention:    {}", out::cell(&m.retention))?;
    writeln!(w)?;
    writeln!(w, "What the study asks for")?;
    let types: Vec<&str> = m.info_types.iter().map(|t| t.as_str()).collect();
    writeln!(w, "  information:  {}", types.join(", "))?;
    writeln!(w, "  period:       {} to {} (days in the phone's time zone)", out::cell(&m.from), out::cell(&m.to))?;
    writeln!(w, "  granularity:  {}", granularity_text(m.granularity))?;
    writeln!(w, "  level:        {}", level_text(m.level))?;
    writeln!(w, "  apps as:      {}", identity_text(m.app_identity))?;
    // A group has at least one access, so a min_count of 0 or 1 leaves nothing out.
    let rare = if m.min_count <= 1 {
        "nothing is left out for being rare".to_owned()
    } else {
        "a day, app and information type with fewer accesses is left out".to_owned()
    };
    writeln!(w, "  min_count:    {} ({rare})", m.min_count)?;
    let background = if m.background { "yes (whether the app was in the background)" } else { "no" };
    writeln!(w, "  background:   {background}")?;
    writeln!(w, "  each row:     {}", p.fields.join(", "))?;
    writeln!(w)?;

    let leaving = p.rows.iter().filter(|r| !excluded.is_some_and(|x| x.contains(&r.row_id))).count();
    match excluded {
        Some(x) if !x.rows.too_few.is_empty() => writeln!(
            w,
            "Rows ({} in all; {} excluded: {} by app, {} by row id, {} with too few accesses of their day, app and type \
             left (fewer than min_count {}); {leaving} would leave)",
            p.rows.len(),
            p.rows.len() - leaving,
            x.rows.by_package.len(),
            x.rows.by_row.len(),
            x.rows.too_few.len(),
            m.min_count
        )?,
        Some(x) => writeln!(
            w,
            "Rows ({} in all; {} excluded: {} by app, {} by row id; {leaving} would leave)",
            p.rows.len(),
            p.rows.len() - leaving,
            x.rows.by_package.len(),
            x.rows.by_row.len()
        )?,
        None => writeln!(w, "Rows that would leave ({})", p.rows.len())?,
    }
    if p.rows.is_empty() {
        writeln!(w, "  none: nothing in this database matches the study")?;
    } else {
        let mut header = vec!["ROW", "APP (for your eyes only)", "WHAT LEAVES"];
        if excluded.is_some() {
            header.push("EXCLUDED");
        }
        let rows: Vec<Vec<String>> = p
            .rows
            .iter()
            .map(|r| {
                let app = match &r.label {
                    Some(label) => format!("{} ({})", out::cell(label), out::cell(&r.package)),
                    None => out::cell(&r.package),
                };
                let leaves = serde_json::to_string(&r.leaves).unwrap_or_default();
                let mut cells = vec![r.row_id.clone(), app, out::cell(&leaves)];
                if let Some(x) = excluded {
                    cells.push(
                        if x.rows.by_package.contains(&r.row_id) {
                            "app"
                        } else if x.rows.by_row.contains(&r.row_id) {
                            "row"
                        } else if x.rows.too_few.contains(&r.row_id) {
                            "too few left"
                        } else {
                            ""
                        }
                        .to_owned(),
                    );
                }
                cells
            })
            .collect();
        out::table(w, &header, &rows)?;
    }
    writeln!(w)?;

    writeln!(w, "Accesses per information type")?;
    if p.totals.is_empty() {
        writeln!(w, "  none")?;
    } else {
        let mut after: BTreeMap<&str, u64> = BTreeMap::new();
        for r in p.rows.iter().filter(|r| !excluded.is_some_and(|x| x.contains(&r.row_id))) {
            let info = r.leaves.get("info_type").and_then(Value::as_str).unwrap_or("");
            *after.entry(info).or_insert(0) += r.leaves.get("count").and_then(Value::as_u64).unwrap_or(1);
        }
        let mut header = vec!["INFO TYPE", "ACCESSES"];
        if excluded.is_some() {
            header.push("AFTER EXCLUSIONS");
        }
        let rows: Vec<Vec<String>> = p
            .totals
            .iter()
            .map(|(t, n)| {
                let mut cells = vec![t.clone(), n.to_string()];
                if excluded.is_some() {
                    cells.push(after.get(t.as_str()).copied().unwrap_or(0).to_string());
                }
                cells
            })
            .collect();
        out::table(w, &header, &rows)?;
    }
    writeln!(w)?;

    if p.suppressed.is_empty() && m.min_count <= 1 {
        writeln!(w, "Suppressed: nothing (min_count {} leaves nothing out)", m.min_count)?;
    } else if p.suppressed.is_empty() {
        writeln!(
            w,
            "Suppressed: nothing (no day, app and type had fewer than {})",
            out::count(m.min_count, "access", "accesses")
        )?;
    } else {
        let of_excluded_app = |g: &&SuppressedGroup| excluded.is_some_and(|x| x.packages.contains(&g.package));
        let counted =
            p.suppressed.iter().filter(|g| !of_excluded_app(g)).count() + excluded.map_or(0, |x| x.rows.groups_too_few);
        let after = if excluded.is_some() { format!(": {counted} after exclusions") } else { String::new() };
        writeln!(
            w,
            "Suppressed ({} with fewer than {}; they never leave, only their number does{after})",
            out::count(p.suppressed.len(), "group", "groups"),
            out::count(m.min_count, "access", "accesses")
        )?;
        let mut header = vec!["DAY", "APP", "INFO TYPE", "ACCESSES"];
        if excluded.is_some() {
            header.push("EXCLUDED");
        }
        let rows: Vec<Vec<String>> = p
            .suppressed
            .iter()
            .map(|g| {
                let mut cells =
                    vec![g.day.clone(), out::cell(&g.package), g.info_type.as_str().to_owned(), g.count.to_string()];
                if excluded.is_some() {
                    cells.push(if of_excluded_app(&g) { "app" } else { "" }.to_owned());
                }
                cells
            })
            .collect();
        out::table(w, &header, &rows)?;
    }
    writeln!(w)?;
    writeln!(w, "Review code: {}", p.review_code)?;
    writeln!(w, "Nothing has been written or sent.")?;
    if args.exclude.is_none() {
        writeln!(
            w,
            "To leave out apps or rows, give --exclude with a file such as {{\"packages\": [\"com.example.app\"], \
             \"rows\": [\"r-3f2a9c81d04e\"]}}."
        )?;
    }
    let exclude = args.exclude.as_ref().map(|p| format!(" --exclude {}", out::path(p))).unwrap_or_default();
    let device = args.device.as_ref().map(|d| format!(" --device {}", out::printable(d))).unwrap_or_default();
    writeln!(
        w,
        "To write exactly this bundle: opsight donate --db {} --manifest {}{device}{exclude} --reviewed {} --out \
         donation.json",
        out::path(&args.db),
        out::path(&args.manifest),
        p.review_code
    )?;
    Ok(())
}

fn write_export(w: &mut impl Write, m: &StudyManifest, d: &ExportDocument, path: &Path) -> io::Result<()> {
    let rows = out::count(d.rows, "row", "rows");
    writeln!(w, "Wrote {}: {rows} for study {} ({})", out::path(path), m.study_id, out::cell(&m.title))?;
    if d.suppressed_groups > 0 {
        writeln!(
            w,
            "  suppressed: {} below min_count {} (only their number is in the bundle)",
            out::count(d.suppressed_groups, "group", "groups"),
            m.min_count
        )?;
    }
    let n = |k: &str| d.exclusions.get(k).and_then(Value::as_u64).unwrap_or(0);
    if n("packages") > 0 || n("rows") > 0 {
        writeln!(
            w,
            "  excluded:   {} ({}) and {} by id",
            out::count(n("packages"), "app", "apps"),
            out::count(n("rows_by_package"), "row", "rows"),
            out::count(n("rows"), "row", "rows")
        )?;
    }
    writeln!(w, "Donation id: {}", d.donation_id)?;
    writeln!(
        w,
        "Keep this id: it is how you ask {} ({}) to delete this donation later.",
        out::cell(&m.researcher),
        out::cell(&m.contact)
    )?;
    writeln!(w, "Nothing has been sent: share {} with the researcher yourself.", out::path(path))?;
    Ok(())
}

/// Writes next to the target and renames, so a failure never leaves half a bundle under the final name.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "bundle".into());
    let tmp = path.with_file_name(format!(".{name}.opsight-{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
