//! `opsight research aggregate DIR --out DATASET`: validate donation bundles and write them as a Parquet dataset.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use opsight_core::donate::StudyManifest;

use crate::exit::Exit;
use crate::out;
use crate::research::{self, validate::strip_invalid_input, Options, Report};

/// Tools for researchers who receive donations (docs/research.md).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight research aggregate donations/ --out dataset/
  opsight research aggregate --help")]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Aggregate(AggregateArgs),
}

/// Validate the donation bundles (`*.json`) in DIR and write the accepted rows as a Parquet dataset.
///
/// The dataset is partitioned Hive-style by study and date, ready for DuckDB or Spark. Each file is checked: the bundle's keys, format version, checksum, manifest (valid, and the same as the first
/// accepted bundle of its study, or as --manifest), fields, and every row (keys, information types, time shape,
/// dates inside the study period, counts). A donation id seen before is rejected (the first file, by name, is
/// kept). Every rejected file is listed with its reason.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight research aggregate donations/ --out dataset/
  opsight research aggregate donations/ --out dataset/ --manifest study.json --force
  opsight research aggregate donations/ --out dataset/ --json | jq -r '.rejections[] | \"\\(.file): \\(.reason)\"'

Layout: DATASET/study_id=<id>/date=<YYYY-MM-DD>/part-<n>.parquet and DATASET/category_needs.parquet.
Queries for DuckDB and Spark: docs/research.md.")]
struct AggregateArgs {
    /// The directory holding the bundles (not searched recursively).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The dataset directory to write.
    #[arg(long, value_name = "DATASET")]
    out: PathBuf,
    /// Aggregate only this study (bundles of other studies are skipped, not rejected).
    #[arg(long, value_name = "ID")]
    study: Option<String>,
    /// The study manifest every bundle must carry (implies --study with its study_id).
    #[arg(long, value_name = "M.json")]
    manifest: Option<PathBuf>,
    /// Write into an existing dataset, replacing the partitions of the studies aggregated now.
    #[arg(long)]
    force: bool,
    /// Print one JSON document (schema: docs/json.md, "opsight research aggregate --json").
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    match args.command {
        Command::Aggregate(a) => aggregate(a),
    }
}

fn aggregate(args: AggregateArgs) -> anyhow::Result<Exit> {
    let manifest = match &args.manifest {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read manifest {}", path.display()))?;
            let m = StudyManifest::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), strip_invalid_input(&e)))?;
            Some((m, path.display().to_string()))
        }
        None => None,
    };
    if let (Some(study), Some((m, name))) = (&args.study, &manifest) {
        if *study != m.study_id {
            anyhow::bail!("--study {study} is not the study of --manifest {name} ({})", m.study_id);
        }
    }
    let report = research::aggregate(&Options {
        dir: &args.dir,
        out: &args.out,
        study: args.study.as_deref(),
        manifest,
        force: args.force,
    })?;
    if args.json {
        out::json(&report)?;
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        write_human(&mut w, &report)?;
        w.flush()?;
    }
    if report.accepted == 0 && report.removed.is_empty() {
        anyhow::bail!("no bundle was accepted from {}; nothing was written", args.dir.display());
    }
    Ok(Exit::Success)
}

fn write_human(w: &mut impl Write, r: &Report) -> io::Result<()> {
    // Paths and reasons (which quote file names) escaped: a file name must not be able to forge a line.
    writeln!(w, "{}: {}", out::printable(&r.dir), out::count(r.files, "bundle file", "bundle files"))?;
    for x in &r.rejections {
        writeln!(w, "  rejected  {}: {}", out::cell(&x.file), out::printable(&x.reason))?;
    }
    for x in &r.skipped_files {
        writeln!(w, "  skipped   {}: study {}", out::cell(&x.file), x.study_id)?;
    }
    write!(w, "accepted: {}, rejected: {}", r.accepted, r.rejected)?;
    if r.skipped > 0 {
        write!(w, ", skipped (other studies): {}", r.skipped)?;
    }
    writeln!(w, ", rows: {}", r.rows)?;
    for s in &r.studies {
        let span = match (s.dates.first(), s.dates.last()) {
            (Some(first), Some(last)) if first != last => format!("{first} to {last}"),
            (Some(first), _) => first.clone(),
            _ => "no rows".to_owned(),
        };
        writeln!(
            w,
            "{}: {}, {}, {} ({span})",
            out::printable(&s.path),
            out::count(s.donations, "donation", "donations"),
            out::count(s.rows, "row", "rows"),
            out::count(s.dates.len(), "date partition", "date partitions")
        )?;
    }
    for path in &r.removed {
        writeln!(
            w,
            "{}: removed, no bundle of the study is left (its donations were withdrawn)",
            out::printable(path)
        )?;
    }
    if let Some(needs) = &r.category_needs {
        writeln!(w, "{needs}: what each category needs, for joins")?;
    }
    Ok(())
}
