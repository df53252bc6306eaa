//! `opsight collect --adb --db FILE`: take everything AppOps and the package manager know from a phone, and store
//! it.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use opsight_core::store::{IngestOptions, IngestReport, InventoryReport};
use serde::Serialize;

use crate::collect::{self, DeviceFacts};
use crate::db::{self, Need};
use crate::exit::Exit;
use crate::{out, time_args};

/// Collect from a phone connected by USB (adb) and store it in a database.
///
/// Runs, through the `adb` found on PATH: `dumpsys appops` (and, on Android 12 and newer, `dumpsys appops
/// --history` and `dumpsys appops --include-discrete`), each dated by the phone's own clock read just before it;
/// the package inventory (`pm list packages -U -s/-3`, `dumpsys package packages`: uids, install and update times,
/// requested and granted permissions, system apps); and the phone's facts (Android version, manufacturer, model,
/// time zone). Everything is saved to a temporary directory first: only when every command succeeded is anything
/// stored, so a failure (no adb, no device, a command that fails or times out) leaves the database untouched.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight collect --adb --db phone.db
  opsight collect --adb --serial R58R70ABCDE --db phone.db --json
  opsight collect --adb --db phone.db --timeout 300 && opsight findings --db phone.db

The phone needs USB debugging on (Settings → Developer options) and this computer authorised (accept the prompt on
the phone). Collecting again later is safe and adds only what is new. Exit codes: 0 stored; 1 no adb, no usable
device, a command that failed or timed out, or a database problem; 2 bad arguments.")]
pub struct Args {
    /// Collect over adb (the only source for now; the flag keeps the command line explicit).
    #[arg(long, required = true)]
    adb: bool,
    /// The device's serial (as `adb devices` shows it); needed when several devices are connected.
    #[arg(long, value_name = "SERIAL")]
    serial: Option<String>,
    /// The database file (created if missing).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// The device's label in the database; default "<manufacturer> <model> (<serial>)".
    #[arg(long, value_name = "LABEL")]
    device: Option<String>,
    /// Seconds each adb command may take before it is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    /// Print one JSON document (schema: docs/json.md, "opsight collect --json").
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct CollectDocument<'a> {
    opsight_collect: u32,
    device: &'a DeviceFacts,
    dumps: Vec<DumpReport>,
    inventory: InventorySummary,
    notes: &'a [String],
}

#[derive(Serialize)]
struct DumpReport {
    command: String,
    captured_at_ms: i64,
    clock: &'static str,
    report: IngestReport,
}

#[derive(Serialize)]
struct InventorySummary {
    captured_at_ms: Option<i64>,
    described_packages: usize,
    report: InventoryReport,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let collection = collect::collect(&collect::Options {
        serial: args.serial.clone(),
        timeout: Duration::from_secs(args.timeout),
        device_label: args.device.clone(),
        progress: out::stderr_is_terminal(),
    })?;
    for note in &collection.notes {
        eprintln!("opsight: note: {note}");
    }

    // Everything was collected: only now is the database opened (and created if needed).
    let store = db::open(&args.db, Need::CreateIfMissing)?;
    let mut batch = Vec::with_capacity(collection.dumps.len());
    for dump in &collection.dumps {
        let opts = IngestOptions {
            device: collection.device.label.clone(),
            captured_at_ms: Some(dump.captured_at_ms),
            zone: collection.device.zone.clone(),
            source: "adb".into(),
            android_version: collection.device.android_version.clone(),
            ..IngestOptions::default()
        };
        let file = File::open(&dump.path).with_context(|| format!("cannot read the saved {}", dump.command))?;
        batch.push((BufReader::new(file), opts));
    }
    // Every dump and the inventory in one transaction: all stored, or (on any error) nothing.
    let (reports, inventory_report) = store.ingest_batch(batch, Some(&collection.inventory)).context(
        "everything was collected, but storing it failed; nothing was stored (running collect again is safe)",
    )?;
    let inventory_report = inventory_report.unwrap_or_default();
    let dumps: Vec<DumpReport> = collection
        .dumps
        .iter()
        .zip(reports)
        .map(|(dump, report)| DumpReport {
            command: dump.command.clone(),
            captured_at_ms: dump.captured_at_ms,
            clock: dump.clock,
            report,
        })
        .collect();
    let inventory = InventorySummary {
        captured_at_ms: collection.inventory.captured_at_ms,
        described_packages: collection.described_packages,
        report: inventory_report,
    };

    if args.json {
        out::json(&CollectDocument {
            opsight_collect: 1,
            device: &collection.device,
            dumps,
            inventory,
            notes: &collection.notes,
        })?;
        return Ok(Exit::Success);
    }
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let d = &collection.device;
    let mut facts = vec![format!("device {}", out::cell(&d.label))];
    if let Some(v) = &d.android_version {
        facts.push(format!("Android {}", out::cell(v)));
    }
    facts.push(match &d.zone {
        Some(z) => format!("zone {z}"),
        None => "zone unknown".to_owned(),
    });
    writeln!(w, "Collected from {}", facts.join(", "))?;
    let rows: Vec<Vec<String>> = dumps
        .iter()
        .map(|d| {
            let r = &d.report;
            let mut what = format!("{} new, {} known events", r.new_events, r.known_events);
            if r.new_discrete_events > 0 {
                what.push_str(&format!(", {} new discrete", r.new_discrete_events));
            }
            if r.history_entries > 0 {
                what.push_str(&format!(", {}", out::count(r.history_entries, "history entry", "history entries")));
            }
            vec![
                d.command.clone(),
                time_args::format_instant(d.captured_at_ms, None),
                collect::human_bytes(r.bytes),
                r.dialect.as_str().to_owned(),
                what,
            ]
        })
        .collect();
    out::table(&mut w, &["OUTPUT", "CAPTURED (UTC, PHONE CLOCK)", "SIZE", "FORMAT", "STORED"], &rows)?;
    writeln!(
        w,
        "Packages: {} ({} described by dumpsys package, {} new), {} permissions",
        inventory.report.packages,
        inventory.described_packages,
        inventory.report.new_packages,
        inventory.report.permissions
    )?;
    writeln!(w, "Stored in {}. Next: opsight findings --db {}", out::path(&args.db), out::path(&args.db))?;
    w.flush()?;
    Ok(Exit::Success)
}
