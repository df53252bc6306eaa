//! Ingest: one parsed dump into the timeline, in one transaction, streaming.
//!
//! The timeline is a set of distinct observations (app, op, attribution tag, uid state, flags, access or reject,
//! proxy; instant). The rules (docs/store.md, "Ingest"):
//! - a last-access (or last-reject) instant not yet stored is one new event; one already stored adds nothing;
//! - a discrete event is stored once however many dumps repeat it; a discrete event (quantised to a minute) and a
//!   last-access event of the same stream inside that minute are one access: the last access's instant is kept;
//! - instants known only from the capture instant (relative-only dialects, or no zone) match an event already
//!   stored within the tolerance (`relative_tolerance_ms`, default 2 s) instead of adding a new one;
//! - aggregate windows are stored once per (stream, begin, end) with the largest counts seen;
//! - instants older than what retention already rolled up are not re-added (they were counted then).

mod pipeline;
mod sink;
mod variant;

use std::hash::{Hash, Hasher};
use std::io::Read;
use std::time::Instant;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::{now_ms, Store};
use crate::error::{Error, Result};
use crate::model::Dialect;
use crate::time::{CaptureContext, TimeBasis};
use pipeline::parse_beside;
use sink::Sink;

/// What the collector knows about a dump besides its bytes.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The device's label in this database.
    pub device: String,
    /// UTC epoch ms read from the device clock just before the dump.
    pub captured_at_ms: Option<i64>,
    /// The device's zone (IANA id).
    pub zone: Option<String>,
    /// `app`, `adb` or `file`.
    pub source: String,
    pub android_version: Option<String>,
    /// For `appops get` output, which never names its package.
    pub package: Option<String>,
    /// How far apart two instants known only from capture instants may be and still be one observation.
    pub relative_tolerance_ms: i64,
    /// For a caller that assumed `captured_at_ms` (a file given with no capture instant, dated from when it was
    /// written): the ingest is refused, with nothing stored, when the dump's own clock is further than this from it
    /// ([`Error::ClockMismatch`]); for a dump of relative times only, which has no clock, when its bugreport was
    /// started, if it is a whole bugreport. Without a zone the dump's clock is local time, so up to 14 hours more are
    /// allowed. `None`: no check (the capture instant was read from the device).
    pub max_clock_gap_ms: Option<i64>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            device: "this-device".into(),
            captured_at_ms: None,
            zone: None,
            source: "file".into(),
            android_version: None,
            package: None,
            relative_tolerance_ms: 2_000,
            max_clock_gap_ms: None,
        }
    }
}

/// What an ingest did. Field names are part of the JSON contract (docs/json.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub run_id: i64,
    pub dialect: Dialect,
    pub truncated: bool,
    /// Nothing in the input was AppOps text: no format recognised and nothing stored (a refusal such as
    /// `Permission Denial: …` printed instead of a dump, or a file of something else). Only the run is recorded.
    pub no_appops_text: bool,
    /// Byte-identical to a dump ingested before.
    pub repeat: bool,
    pub new_events: u64,
    pub known_events: u64,
    pub new_discrete_events: u64,
    pub history_entries: u64,
    /// Events whose instant could not be placed (no zone and no capture instant), or that fall before 2008: a
    /// recorded time of 0, which some builds print as "that long ago".
    pub undatable_events: u64,
    /// Events with no package to charge them to (`appops get` without a package given).
    pub unattributed_events: u64,
    /// Events older than what retention already rolled up.
    pub skipped_before_retention: u64,
    /// Apps (package + uid) with something stored from this dump; one listed with no access is not counted.
    pub apps: u64,
    pub new_apps: u64,
    /// Capture instant minus the dump's own "now" (via the zone), when both are known: a device clock change or a
    /// wrong zone shows here.
    pub clock_skew_ms: Option<i64>,
    /// The device's zone as the dump stated it (a bugreport's `persist.sys.timezone`), when none was given and the
    /// time zone database knows it: its events were dated in it, and the run records it.
    pub zone_from_dump: Option<String>,
    pub bytes: u64,
    pub duration_ms: u64,
}

pub(crate) const SOURCE_LAST_ACCESS: i64 = 0;
pub(crate) const SOURCE_DISCRETE: i64 = 1;
/// Discrete accesses are printed quantised to this (DiscreteRegistry's default).
const DISCRETE_QUANTUM_MS: i64 = 60_000;
/// Ops the platform records in discrete history, for which a last-access instant may already be stored as a
/// discrete event.
const DISCRETE_OPS: [&str; 12] = [
    "COARSE_LOCATION",
    "FINE_LOCATION",
    "CAMERA",
    "RECORD_AUDIO",
    "PHONE_CALL_MICROPHONE",
    "PHONE_CALL_CAMERA",
    "RECEIVE_SOUNDTRIGGER_AUDIO",
    "RECEIVE_AMBIENT_TRIGGER_AUDIO",
    "EMERGENCY_LOCATION",
    "READ_HEART_RATE",
    "READ_OXYGEN_SATURATION",
    "READ_SKIN_TEMPERATURE",
];

pub(crate) fn basis_code(b: TimeBasis) -> i64 {
    match b {
        TimeBasis::LocalWithZone => 0,
        TimeBasis::CaptureRelative => 1,
        TimeBasis::LocalWithInferredOffset => 2,
        TimeBasis::Printed => 3,
    }
}

/// [`basis_code`] read back (`events.origin % 4`).
pub(crate) fn basis_from_code(code: i64) -> TimeBasis {
    match code {
        1 => TimeBasis::CaptureRelative,
        2 => TimeBasis::LocalWithInferredOffset,
        3 => TimeBasis::Printed,
        _ => TimeBasis::LocalWithZone,
    }
}

impl Store {
    /// Ingests one dump (any dialect the parser reads) in one transaction: all of it or, on error, none of it.
    pub fn ingest_dump<R: Read>(&self, reader: R, opts: &IngestOptions) -> Result<IngestReport> {
        let started = Instant::now();
        let mut report = self.write(|tx| ingest_in(tx, reader, opts))?;
        report.duration_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    /// Several dumps and an inventory from one collection, in ONE transaction: everything or, on any error,
    /// nothing (the collector's "nothing half-written").
    pub fn ingest_batch<R: Read>(
        &self,
        dumps: Vec<(R, IngestOptions)>,
        inventory: Option<&super::Inventory>,
    ) -> Result<(Vec<IngestReport>, Option<super::InventoryReport>)> {
        self.write(|tx| {
            let mut reports = Vec::with_capacity(dumps.len());
            for (reader, opts) in dumps {
                let started = Instant::now();
                let mut report = ingest_in(tx, reader, &opts)?;
                report.duration_ms = started.elapsed().as_millis() as u64;
                reports.push(report);
            }
            let inventory = inventory.map(|inv| super::inventory::ingest_inventory_in(tx, inv)).transpose()?;
            Ok((reports, inventory))
        })
    }
}

/// One dump into an open transaction.
fn ingest_in<R: Read>(tx: &Transaction<'_>, reader: R, opts: &IngestOptions) -> Result<IngestReport> {
    super::check_capture_instant(opts.captured_at_ms)?;
    let zone = match &opts.zone {
        Some(z) => Some(jiff::tz::TimeZone::get(z).map_err(|_| Error::InvalidInput("unknown time zone".into()))?),
        None => None,
    };
    let capture = CaptureContext { captured_at_utc_ms: opts.captured_at_ms, zone, ..CaptureContext::default() };
    let watermark: i64 = tx
        .query_row("SELECT value FROM meta WHERE key = 'rolled_up_before'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(i64::MIN);
    let device_id = upsert_device(tx, opts)?;
    refresh_op_catalog(tx)?;
    let mut sink = Sink::new(tx, device_id, opts, watermark)?;
    let (summary, mut hasher, bytes) = parse_beside(reader, &mut sink, &capture, opts.package.as_deref())?;
    // Without a zone given, the one a bugreport states dated its events (the parser meets it before them).
    let mut capture = capture;
    let mut zone_from_dump = None;
    if let (None, Some(printed)) = (&opts.zone, summary.device_zone.as_deref()) {
        if let Some(zone) = crate::time::known_zone(printed) {
            let name = zone.iana_name().unwrap_or(printed).to_owned();
            tx.execute("UPDATE devices SET zone = ?1 WHERE id = ?2", params![name, device_id])?;
            capture.zone = Some(zone);
            zone_from_dump = Some(name);
        }
    }
    let zone = opts.zone.as_ref().or(zone_from_dump.as_ref());
    // The package given for `appops get` output changes what the bytes mean: part of the identity.
    opts.package.hash(&mut hasher);
    let hash = format!("{:016x}", hasher.finish());
    let mut report = sink.finish(&summary, &capture)?;
    report.dialect = summary.dialect;
    report.truncated = summary.truncated;
    report.no_appops_text = summary.dialect == crate::model::Dialect::Unknown
        && report.apps == 0
        && report.new_events + report.known_events + report.history_entries + report.unattributed_events == 0;
    report.bytes = bytes;
    report.repeat = tx
        .query_row("SELECT 1 FROM collection_runs WHERE content_hash = ?1 LIMIT 1", [&hash], |_| Ok(()))
        .optional()?
        .is_some();
    report.clock_skew_ms = check_clock(&summary, &capture, opts)?;
    report.zone_from_dump = zone_from_dump.clone();
    let outcome = if report.repeat {
        "repeat"
    } else if report.truncated {
        "truncated"
    } else {
        "ok"
    };
    tx.execute(
        "INSERT INTO collection_runs (device_id, captured_at_ms, zone, source, android_version, dialect, \
             content_hash, bytes, outcome, new_events, known_events, new_apps, clock_skew_ms, ingested_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            device_id,
            opts.captured_at_ms,
            zone,
            opts.source,
            opts.android_version,
            summary.dialect.as_str(),
            hash,
            report.bytes as i64,
            outcome,
            report.new_events as i64,
            report.known_events as i64,
            report.new_apps as i64,
            report.clock_skew_ms,
            now_ms()
        ],
    )?;
    report.run_id = tx.last_insert_rowid();
    Ok(report)
}

/// The most a zone's local time is ahead of or behind UTC (UTC+14, UTC-12).
const MAX_ZONE_OFFSET_MS: i64 = 14 * 3_600_000;

/// The capture instant minus the dump's own clock: the report's `clock_skew_ms` when the zone is known (`None`
/// otherwise), and the refusal of [`IngestOptions::max_clock_gap_ms`] when it is too far.
fn check_clock(
    summary: &crate::model::ParseSummary,
    capture: &CaptureContext,
    opts: &IngestOptions,
) -> Result<Option<i64>> {
    let Some(cap) = capture.captured_at_utc_ms else { return Ok(None) };
    // A dump of relative times only has no clock of its own. In a whole bugreport, when it was started is near
    // enough for the refusal (its appops section was printed seconds to minutes later), not for the skew.
    let (now, bugreport_start) = match (summary.dump_time_local, summary.report_start_local) {
        (Some(now), _) => (now, false),
        (None, Some(start)) if summary.dialect.relative_only() => (start, true),
        _ => return Ok(None),
    };
    // Without a zone the dump's clock is read as UTC, up to a zone's offset off.
    let zoned = capture.zone.is_some();
    let (dump_ms, slack) = match &capture.zone {
        Some(zone) => {
            let mut dump = capture.clone();
            summary.give_dump_time(&mut dump);
            if bugreport_start {
                // Relative times only: the bugreport's start stands in for the dump's clock, with no pair behind it.
                (dump.dump_time_local, dump.dump_time_nearest_relative_ms) = (Some(now), None);
                dump.dump_time_other_pairs.clear();
            }
            (dump.dump_now_utc_ms(zone), 0)
        }
        None => (now.to_utc_ms(&jiff::tz::TimeZone::UTC), MAX_ZONE_OFFSET_MS),
    };
    let Some(gap) = dump_ms.map(|d| cap.saturating_sub(d)) else {
        return Ok(None);
    };
    if opts.max_clock_gap_ms.is_some_and(|limit| gap.abs() > limit + slack) {
        let dump_utc_ms = dump_ms.filter(|_| zoned);
        return Err(Error::ClockMismatch {
            capture_minus_dump_ms: gap,
            dump_local: now.to_string(),
            dump_utc_ms,
            bugreport_start,
        });
    }
    Ok((zoned && !bugreport_start).then_some(gap))
}

/// Gives every stored op this build's catalog entry. The catalog changes between releases (an op found to reveal
/// another kind of information), and queries read an op's type from the table, so without this the events of ops
/// that a dump no longer prints would keep the old type.
fn refresh_op_catalog(tx: &Transaction<'_>) -> Result<()> {
    let names: Vec<String> =
        tx.prepare("SELECT name FROM ops")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare(
        "UPDATE ops SET info_type = ?2, sensitive = ?3 WHERE name = ?1 AND (info_type IS NOT ?2 OR sensitive IS NOT ?3)",
    )?;
    for name in names {
        update.execute(params![name, crate::ops::info_type(&name).as_str(), crate::ops::is_sensitive(&name)])?;
    }
    Ok(())
}

fn upsert_device(tx: &Transaction<'_>, opts: &IngestOptions) -> Result<i64> {
    let seen = opts.captured_at_ms.unwrap_or_else(now_ms);
    tx.execute(
        "INSERT INTO devices (label, android_version, zone, first_seen_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?4) \
         ON CONFLICT(label) DO UPDATE SET android_version = coalesce(excluded.android_version, android_version), \
         zone = coalesce(excluded.zone, zone), last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)",
        params![opts.device, opts.android_version, opts.zone, seen],
    )?;
    Ok(tx.query_row("SELECT id FROM devices WHERE label = ?1", [&opts.device], |r| r.get(0))?)
}
