//! `opsight parse FILE...`: what the parser reads in a dump, as a summary or as JSON.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use opsight_core::parse::{parse_file, parse_reader, parse_reader_parallel, parse_snapshot, Tally};
use opsight_core::{Dialect, ParseSummary};
use serde::Serialize;

use crate::exit::Exit;
use crate::input::Input;
use crate::out;

/// Parse AppOps text (dumpsys appops, appops get, a bugreport or an androidqf dumpsys.txt, also gzip'd, inside a zip
/// archive such as `adb bugreport` writes, or in a folder such as an androidqf acquisition) and show what it holds.
/// Nothing is stored.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight parse dumpsys_appops.txt
  opsight parse --json bugreport.txt > appops.json
  opsight parse bugreport-panther-2026-11-28.zip
  opsight parse androidqf_acquisition/
  adb shell dumpsys appops | opsight parse -")]
pub struct Args {
    /// Files to parse (text, gzip'd text, or a zip archive or folder holding a bugreport or dumpsys.txt); `-` reads
    /// standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON document with every uid, package, op and event (schema: docs/json.md).
    #[arg(long)]
    json: bool,
    /// The device's time zone (IANA id, e.g. Asia/Shanghai): with --json, events get `utc_ms` from their local time.
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// When the dump was taken (RFC 3339, e.g. 2022-03-29T21:27:54Z): with --json, events get `utc_ms` from their
    /// relative time when no zone is given, and relative-only dialects become datable.
    #[arg(long, value_name = "INSTANT")]
    captured_at: Option<String>,
}

#[derive(Serialize)]
struct ParseDocument {
    opsight_parse: u32,
    files: Vec<FileResult>,
}

#[derive(Serialize)]
struct FileResult {
    file: String,
    /// The file read when `file` is a zip archive or a folder (a bugreport's text, androidqf's `dumpsys.txt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    archive_entry: Option<String>,
    /// The zip archive was read without its index (docs/json.md).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    archive_index_missing: bool,
    /// With no --zone, the zone the acquisition's `getprop.txt` beside the file read states and that dated the
    /// events (docs/json.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    getprop_zone: Option<String>,
    /// The zone that dated the events (`utc_ms` by `local_with_zone`): `--zone`, else the acquisition's or the
    /// bugreport's own, by its canonical name; `null` for none. It says which when `--zone` overrides a stated one.
    zone: Option<String>,
    #[serde(flatten)]
    snapshot: opsight_core::Snapshot,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let capture = crate::time_args::capture_context(args.zone.as_deref(), args.captured_at.as_deref())?;
    if args.files.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        anyhow::bail!("standard input (`-`) can be read only once");
    }
    // A file that cannot be read is reported and skipped: the others are still parsed, and the exit code says so.
    let mut unread = 0;
    let mut skip = |err: anyhow::Error| {
        out::error(&err);
        unread += 1;
    };
    if args.json {
        let mut files = Vec::with_capacity(args.files.len());
        for path in &args.files {
            let parsed = Input::open(path).and_then(|input| {
                let found = (input.entry().map(str::to_owned), input.index_missing(), input.getprop_zone().cloned());
                Ok((found, with_input(path, input, |r| parse_snapshot(r))?))
            });
            match parsed {
                Ok(((archive_entry, archive_index_missing, getprop_zone), mut snapshot)) => {
                    // The zone beside the dump dates it when none is given, as one the dump states would (and as
                    // ingest does).
                    let mut capture = capture.clone();
                    let getprop_zone = match capture.zone {
                        Some(_) => None,
                        None => getprop_zone.map(|(name, zone)| {
                            capture.zone = Some(zone);
                            name
                        }),
                    };
                    let zone = snapshot.resolve_times(&capture).and_then(|z| z.iana_name().map(str::to_owned));
                    let file = path.display().to_string();
                    files.push(FileResult { file, archive_entry, archive_index_missing, getprop_zone, zone, snapshot });
                }
                Err(err) => skip(err),
            }
        }
        out::json(&ParseDocument { opsight_parse: 1, files })?;
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        for path in &args.files {
            let parsed = Input::open(path).and_then(|input| {
                let found = (input.shown_name(path), input.getprop_zone().map(|(name, _)| name.clone()));
                Ok((found, summarize(path, input)?))
            });
            match parsed {
                Ok(((name, getprop_zone), (summary, tally))) => {
                    write_summary(&mut w, &name, &summary, &tally, getprop_zone.as_deref())?;
                }
                Err(err) => {
                    // Keep the message next to the summaries printed before it.
                    w.flush()?;
                    skip(err);
                }
            }
        }
        w.flush()?;
    }
    match unread {
        0 => Ok(Exit::Success),
        n => anyhow::bail!("{n} of {} could not be read", out::count(args.files.len(), "file", "files")),
    }
}

/// The counts of one input. A regular file of text (also one found in a folder, or redirected to standard input) is
/// parsed in parts, one thread per core. What cannot be cut (standard input from a pipe, pipes named as files such as
/// `<(adb shell …)`, gzip'd or UTF-16 text, a zip archive's entry) is parsed as it comes, on two threads: a second
/// core finds the lines and decodes the event lines of the next block while this thread reads (docs/performance.md,
/// "Parsing").
fn summarize(path: &Path, input: Input) -> anyhow::Result<(ParseSummary, Tally)> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if let Some(file) = input.text_file() {
        let (tally, summary) =
            parse_file::<Tally>(file, cores).with_context(|| format!("cannot read {}", out::path(path)))?;
        return Ok((summary, tally));
    }
    let mut tally = Tally::default();
    let summary = with_input(path, input, |r| match cores {
        1 => parse_reader(r, &mut tally),
        _ => parse_reader_parallel(r, &mut tally),
    })?;
    Ok((summary, tally))
}

fn with_input<T>(path: &Path, input: Input, f: impl FnOnce(&mut dyn io::Read) -> io::Result<T>) -> anyhow::Result<T> {
    input.read(f).with_context(|| format!("cannot read {}", out::path(path)))
}

/// `getprop_zone`: the zone the acquisition's `getprop.txt` beside the dump states.
fn write_summary(
    w: &mut impl Write,
    name: &str,
    s: &ParseSummary,
    t: &Tally,
    getprop_zone: Option<&str>,
) -> io::Result<()> {
    writeln!(w, "{name}")?;
    let mut format = s.dialect.as_str().to_owned();
    if s.embedded {
        format.push_str(" (the appops section of a bugreport or a full dumpsys)");
    }
    writeln!(w, "  format:          {format}")?;
    writeln!(w, "  uids:            {}", t.uids)?;
    writeln!(w, "  packages:        {}", t.packages)?;
    writeln!(w, "  ops:             {}", t.ops)?;
    writeln!(w, "  access events:   {}", t.access_events)?;
    writeln!(w, "  reject events:   {}", t.reject_events)?;
    writeln!(w, "  discrete events: {}", t.discrete_events)?;
    writeln!(w, "  history windows: {} ({})", t.history_windows, out::count(t.history_entries, "entry", "entries"))?;
    if let Some(now) = s.dump_time_local {
        writeln!(
            w,
            "  dump time:       {now} (device local, from {})",
            out::count(s.dump_time_votes, "event", "events")
        )?;
    }
    if let Some(start) = s.report_start_local {
        // To the second, as dumpstate prints it; its appops section came seconds to minutes later.
        let start = start.to_string();
        let start = start.strip_suffix(".000").unwrap_or(&start);
        writeln!(w, "  report started:  {start} (device local, the bugreport's header)")?;
    }
    if let Some(zone) = &s.device_zone {
        writeln!(w, "  device zone:     {} (the bugreport's persist.sys.timezone)", out::printable(zone))?;
    } else if let Some(zone) = getprop_zone {
        writeln!(w, "  device zone:     {} (the acquisition's getprop.txt)", out::printable(zone))?;
    }
    writeln!(w, "  truncated:       {}", if s.truncated { "yes" } else { "no" })?;
    if s.dialect == Dialect::Unknown && t == &Tally::default() {
        writeln!(w, "  note:            no AppOps text found in this input")?;
    }
    if s.unrecognised_lines > 0 || s.lossy_lines > 0 {
        writeln!(w, "  skipped lines:   {} unrecognised, {} not UTF-8", s.unrecognised_lines, s.lossy_lines)?;
    }
    if s.event_lines_with_unread_words > 0 {
        let lines = out::count(s.event_lines_with_unread_words, "event line", "event lines");
        writeln!(w, "  unread words:    skipped on {lines} (OEM additions; the events are kept)")?;
    }
    Ok(())
}
