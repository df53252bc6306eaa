//! `opsight ingest --db FILE DUMP...`: store dumps in the timeline database.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use opsight_core::store::{IngestOptions, IngestReport};
use serde::Serialize;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::input::Input;
use crate::{out, time_args};

/// Store AppOps dumps in a timeline database.
///
/// Reads dumpsys appops of any Android version, appops get output, a whole bugreport or an androidqf dumpsys.txt
/// (also gzip'd, inside a zip archive such as `adb bugreport` writes, or in a folder such as an androidqf
/// acquisition), and stores its events in the database,
/// creating it if needed. Events already stored are not added again, so the same or overlapping dumps can be ingested
/// any number of times.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  adb shell dumpsys appops > dumpsys_appops.txt && opsight ingest --db phone.db dumpsys_appops.txt
  opsight ingest --db phone.db --zone Europe/Berlin --captured-at 2022-03-29T21:27:54Z bugreport.txt
  adb shell dumpsys appops | opsight ingest --db phone.db --zone \"$(adb shell getprop persist.sys.timezone)\" -
  adb shell appops get com.example.app | opsight ingest --db phone.db --package com.example.app -

The device's zone matters: dumps print device-local times. Without --zone, the zone a bugreport states (its
persist.sys.timezone) or an androidqf acquisition's getprop.txt states is used; else it is unknown (this
computer's zone may not be the phone's), and events are dated from the capture instant and their relative times
(docs/time.md).")]
pub struct Args {
    /// The database file (created if missing).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// When the dump was taken (RFC 3339, e.g. 2022-03-29T21:27:54Z); default: when the file was last written (now
    /// for standard input from a pipe). Dates relative-only dumps (Android 8.1 and older, appops get) and is
    /// recorded with the collection run.
    #[arg(long, value_name = "INSTANT")]
    captured_at: Option<String>,
    /// The device's time zone (IANA id, e.g. Europe/Berlin); default: the one the bugreport or the acquisition's
    /// getprop.txt states, else unknown. Recorded with the run.
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// The device's label in this database (one database can hold several devices).
    #[arg(long, value_name = "LABEL", default_value = "this-device")]
    device: String,
    /// The package an `appops get` output belongs to (that output never names it).
    #[arg(long, value_name = "PKG")]
    package: Option<String>,
    /// Print one JSON document with the report of every file (schema: docs/json.md).
    #[arg(long)]
    json: bool,
    /// Dump files (text, gzip'd text, or a zip archive or folder holding a bugreport or dumpsys.txt), ingested in
    /// order; `-` reads standard input.
    #[arg(required = true, value_name = "DUMP")]
    dumps: Vec<PathBuf>,
}

#[derive(Serialize)]
struct IngestDocument {
    opsight_ingest: u32,
    files: Vec<FileReport>,
}

#[derive(Serialize)]
struct FileReport {
    file: String,
    /// The file read when `file` is a zip archive or a folder (docs/json.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    archive_entry: Option<String>,
    /// The zip archive was read without its index (docs/json.md).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    archive_index_missing: bool,
    /// With no --zone, the zone the acquisition's `getprop.txt` beside the dump states, which dated it (docs/json.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    getprop_zone: Option<String>,
    report: IngestReport,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    // The canonical name (`europe/berlin` → `Europe/Berlin`) is what gets recorded. Without --zone the device's
    // zone is unknown: assuming this computer's would date every event by the wrong offset when they differ.
    let zone = match &args.zone {
        Some(name) => Some(time_args::parse_zone(name)?.iana_name().map_or_else(|| name.clone(), str::to_owned)),
        None => None,
    };
    // Said once, after the first dump is stored: a command that stores nothing has nothing dated.
    let mut zone_note = zone.is_none();
    let given = args.captured_at.as_deref().map(time_args::parse_instant).transpose()?;
    let now = jiff::Timestamp::now().as_millisecond();
    let inputs = open_inputs(&args.dumps)?;
    let store = db::open(&args.db, Need::CreateIfMissing)?;
    let opts = IngestOptions {
        device: args.device.clone(),
        zone,
        source: "file".into(),
        package: args.package.clone(),
        ..IngestOptions::default()
    };

    let mut files = Vec::with_capacity(args.dumps.len());
    for (done, (path, kept)) in args.dumps.iter().zip(inputs).enumerate() {
        let capture = |input: &Input| Capture::of(given, input, now);
        let ingested = ingest_one(&store, path, kept, &opts, capture).map_err(|e| {
            // The files before it were stored in the database that has just been moved aside, not in the new one.
            let moved = matches!(e.downcast_ref(), Some(opsight_core::Error::DamagedMovedAside { .. }));
            let mut msg = format!("cannot ingest {}", path.display());
            if done > 0 {
                let stored = match done {
                    1 => "the file before it was stored".to_owned(),
                    n => format!("the {n} files before it were stored"),
                };
                let place = if moved { " in the database moved aside" } else { "" };
                msg.push_str(&format!(" ({stored}{place})"));
            }
            e.context(msg)
        });
        let (read, report) = match ingested {
            Ok(ingested) => ingested,
            Err(e) => {
                // What was stored is still reported: a script reads its run ids and counts from the document.
                if args.json && !files.is_empty() {
                    out::json(&IngestDocument { opsight_ingest: 1, files })?;
                }
                return Err(e);
            }
        };
        if report.zone_from_dump.is_none() && read.getprop_zone.is_none() && std::mem::take(&mut zone_note) {
            eprintln!(
                "opsight: no --zone, so the device's zone is unknown: events are dated from the capture instant ({}) \
                 and their relative times (docs/time.md)",
                read.capture.source()
            );
        }
        if report.no_appops_text {
            eprintln!(
                "opsight: {}: no AppOps text found in this input; nothing but the run was recorded",
                out::path(path)
            );
        }
        if report.dialect.relative_only() && read.capture.assumed() && !report.repeat {
            eprintln!(
                "opsight: {} prints only relative times; they were dated from {} (give --captured-at if the dump was \
                 taken earlier)",
                out::path(path),
                read.capture.described()
            );
        }
        if report.unattributed_events > 0 && args.package.is_none() {
            eprintln!(
                "opsight: {}: {} not stored because the dump does not name their app (appops get output: give \
                 --package)",
                out::path(path),
                out::count(report.unattributed_events, "event was", "events were")
            );
        }
        if !args.json {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            write_summary(&mut w, &read, &report)?;
            w.flush()?;
        }
        let file = path.display().to_string();
        let Opened { entry: archive_entry, index_missing: archive_index_missing, getprop_zone, .. } = read;
        files.push(FileReport { file, archive_entry, archive_index_missing, getprop_zone, report });
    }
    if args.json {
        out::json(&IngestDocument { opsight_ingest: 1, files })?;
    }
    Ok(Exit::Success)
}

/// Every input opened and told apart before anything is stored: a file that cannot be opened or read (a zip archive
/// with no dump in it, an encrypted entry, an archive inside an archive) fails the command with nothing stored. What
/// cannot be opened twice (standard input, a named pipe) is kept open for its turn, and so are the first
/// [`KEPT_OPEN`] inputs: what is stored is what was checked, even if a file is put in the place of one meanwhile.
/// Regular files after those are opened (and checked) again in their turn, so that thousands of dumps do not hold
/// thousands of descriptors.
fn open_inputs(dumps: &[PathBuf]) -> anyhow::Result<Vec<Option<Input>>> {
    if dumps.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        anyhow::bail!("standard input (-) can be given only once");
    }
    dumps
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let input = Input::open(path)?;
            let reopenable = i >= KEPT_OPEN
                && path.as_os_str() != "-"
                && std::fs::metadata(path).is_ok_and(|m| m.is_file() || m.is_dir());
            Ok((!reopenable).then_some(input))
        })
        .collect()
}

/// How many inputs `ingest` keeps open from their check to their turn: one descriptor each (the file, a folder's dump
/// file, or a zip archive), far below the usual limit of 1024.
const KEPT_OPEN: usize = 64;

/// How far the dump's own clock may be from now when no `--captured-at` was given (a zone's offset comes on top).
const CLOCK_GAP_MS: i64 = 24 * 3_600_000;

/// The capture instant of one dump: given, or assumed.
#[derive(Clone, Copy)]
enum Capture {
    /// `--captured-at`.
    Given(i64),
    /// No `--captured-at`: when the file was last written (a dump saved from `adb shell dumpsys appops` was written
    /// as it was taken). The same file gives the same instant every time, so ingesting it again adds nothing.
    Modified(i64),
    /// No `--captured-at` and no file time (standard input from a pipe), or one in the future: now.
    Now(i64),
}

impl Capture {
    fn of(given: Option<i64>, input: &Input, now: i64) -> Capture {
        match (given, input.modified_ms()) {
            (Some(ms), _) => Capture::Given(ms),
            (None, Some(ms)) if ms <= now => Capture::Modified(ms),
            (None, _) => Capture::Now(now),
        }
    }

    fn ms(self) -> i64 {
        match self {
            Capture::Given(ms) | Capture::Modified(ms) | Capture::Now(ms) => ms,
        }
    }

    fn assumed(self) -> bool {
        !matches!(self, Capture::Given(_))
    }

    /// What the capture instant is, for the note on an unknown zone.
    fn source(self) -> &'static str {
        match self {
            Capture::Given(_) => "--captured-at",
            Capture::Modified(_) => "when the file was last written: no --captured-at was given",
            Capture::Now(_) => "now: no --captured-at was given",
        }
    }

    /// What the capture instant is, with the instant.
    fn described(self) -> String {
        let at = instant(self.ms());
        match self {
            Capture::Given(_) => format!("--captured-at ({at})"),
            Capture::Modified(_) => format!("when the file was last written ({at})"),
            Capture::Now(_) => format!("now ({at})"),
        }
    }
}

fn instant(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

/// A refusal for the dump's clock, with what to do about it.
fn clock_advice(e: anyhow::Error, capture: Capture) -> anyhow::Error {
    let Some(opsight_core::Error::ClockMismatch { dump_local, dump_utc_ms, bugreport_start, .. }) =
        e.downcast_ref::<opsight_core::Error>()
    else {
        return e;
    };
    let assumed = capture.described();
    let now = instant(capture.ms());
    if *bugreport_start {
        // Relative times only: the capture instant dates every event, and the bugreport's start is only near it.
        let give = match dump_utc_ms {
            Some(ms) => format!(
                "--captured-at {} (when it was started, in its zone: its appops section was printed seconds to \
                 minutes later, and its events are then dated that much early)",
                instant(*ms)
            ),
            None => "--captured-at with the instant it was started (and --zone)".to_owned(),
        };
        return anyhow::anyhow!(
            "{e}: it prints relative times only, its bugreport was started at {dump_local} (device local), and with \
             no --captured-at it was dated from {assumed}. Give {give}, or the instant its appops section was \
             printed if you know it"
        );
    }
    // With the zone known, the dump's own clock is the instant it was taken, as near as anything can say.
    let give = match dump_utc_ms {
        Some(ms) => format!("--captured-at {} (its own clock, in its zone)", instant(*ms)),
        None => "--captured-at with the instant it was taken (and --zone)".to_owned(),
    };
    anyhow::anyhow!(
        "{e}: its own clock reads {dump_local} (device local), and with no --captured-at it was dated from \
         {assumed}. Give {give}, or, if the phone's clock was wrong and the dump was taken then, --captured-at {now}"
    )
}

/// What was read for a path: its name in the summary, and the file inside it (a zip archive's or a folder's).
struct Opened {
    shown: String,
    entry: Option<String>,
    index_missing: bool,
    /// With no --zone, the zone the acquisition's `getprop.txt` beside the dump states, which dated it.
    getprop_zone: Option<String>,
    capture: Capture,
}

/// Stores one dump (`kept` open, or opened again from `path`): what was read, and what was stored.
fn ingest_one(
    store: &opsight_core::Store,
    path: &Path,
    kept: Option<Input>,
    opts: &IngestOptions,
    capture: impl Fn(&Input) -> Capture,
) -> anyhow::Result<(Opened, IngestReport)> {
    let input = match kept {
        Some(input) => input,
        None => Input::open(path)?,
    };
    let capture = capture(&input);
    // With no --zone, the zone the acquisition's getprop.txt states dates the dump, recorded as a given one would be.
    let getprop_zone = match &opts.zone {
        Some(_) => None,
        None => input.getprop_zone().map(|(name, _)| name.clone()),
    };
    let opts = IngestOptions {
        zone: getprop_zone.clone().or_else(|| opts.zone.clone()),
        captured_at_ms: Some(capture.ms()),
        // Assumed: a dump whose own clock is a day or more away was taken at another time (or on a phone with a wrong
        // clock), and dating its events from the assumed instant would misplace every one of them.
        max_clock_gap_ms: capture.assumed().then_some(CLOCK_GAP_MS),
        ..opts.clone()
    };
    let read = Opened {
        shown: input.shown_name(path),
        entry: input.entry().map(str::to_owned),
        index_missing: input.index_missing(),
        getprop_zone,
        capture,
    };
    let report = input
        .read(|r| store.ingest_dump(io::BufReader::with_capacity(1 << 16, r), &opts))
        .map_err(|e| clock_advice(e, capture))?;
    Ok((read, report))
}

fn write_summary(w: &mut impl Write, read: &Opened, r: &IngestReport) -> io::Result<()> {
    writeln!(w, "{}", read.shown)?;
    writeln!(w, "  format:        {}", r.dialect.as_str())?;
    writeln!(w, "  new events:    {}", r.new_events)?;
    writeln!(w, "  known events:  {}", r.known_events)?;
    if r.new_discrete_events > 0 {
        writeln!(w, "  new discrete:  {}", r.new_discrete_events)?;
    }
    if r.history_entries > 0 {
        writeln!(w, "  history:       {}", out::count(r.history_entries, "aggregate entry", "aggregate entries"))?;
    }
    writeln!(w, "  apps:          {}", r.apps)?;
    writeln!(w, "  new apps:      {}", r.new_apps)?;
    if let Some(zone) = &r.zone_from_dump {
        writeln!(w, "  zone:          {zone} (the bugreport's persist.sys.timezone; no --zone given)")?;
    } else if let Some(zone) = &read.getprop_zone {
        writeln!(w, "  zone:          {zone} (the acquisition's getprop.txt; no --zone given)")?;
    }
    if r.undatable_events > 0 {
        writeln!(
            w,
            "  not datable:   {} (no time zone or capture instant, or a time of 0: never)",
            r.undatable_events
        )?;
    }
    if r.unattributed_events > 0 {
        writeln!(w, "  no package:    {} (not stored)", r.unattributed_events)?;
    }
    if r.skipped_before_retention > 0 {
        writeln!(w, "  already rolled up: {}", r.skipped_before_retention)?;
    }
    if let (Some(skew), false) = (r.clock_skew_ms, read.capture.assumed()) {
        if skew.abs() >= 60_000 {
            writeln!(
                w,
                "  clock skew:    {} (capture instant minus the dump's own clock: wrong zone?)",
                out::duration(skew)
            )?;
        }
    }
    writeln!(w, "  truncated:     {}", out::yes_no(r.truncated))?;
    let repeat = if r.repeat { "yes (byte-identical to a dump ingested before)" } else { "no" };
    writeln!(w, "  repeat:        {repeat}")?;
    writeln!(w, "  duration:      {}", out::duration(r.duration_ms as i64))?;
    Ok(())
}
