//! Ingest: one parsed dump into the timeline, in one transaction, streaming.
//!
//! The timeline is a set of distinct observations (app, op, attribution tag, uid state, flags, access or reject,
//! proxy; instant). The rules (docs/store.md, "Ingest"):
//! - a last-access (or last-reject) instant not yet stored is one new event; one already stored adds nothing;
//! - a discrete event is stored once however many dumps repeat it; a discrete event (quantised to a minute) and a
//!   last-access event of the same stream inside that minute are one access: the exact instant is kept;
//! - instants known only from the capture instant (relative-only dialects, or no zone) match an event already
//!   stored within the tolerance (`relative_tolerance_ms`, default 2 s) instead of adding a new one;
//! - aggregate windows are stored once per (stream, begin, end) with the largest counts seen;
//! - instants older than what retention already rolled up are not re-added (they were counted then).

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::time::Instant;

use rusqlite::{params, OptionalExtension, Statement, Transaction};
use serde::Serialize;

use super::{now_ms, Store};
use crate::error::{Error, Result};
use crate::model::{
    decode_uid, Context, Dialect, DiscreteRef, EventKind, EventRef, HistoryEntryRef, ProxyRef, Visitor,
};
use crate::ops;
use crate::parse::parse_reader;
use crate::time::{CaptureContext, LocalTime, TimeBasis};

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
        }
    }
}

/// What an ingest did. Field names are part of the JSON contract (docs/json.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub run_id: i64,
    pub dialect: Dialect,
    pub truncated: bool,
    /// Byte-identical to a dump ingested before.
    pub repeat: bool,
    pub new_events: u64,
    pub known_events: u64,
    pub new_discrete_events: u64,
    pub history_entries: u64,
    /// Events whose instant could not be placed (no zone and no capture instant).
    pub undatable_events: u64,
    /// Events with no package to charge them to (`appops get` without a package given).
    pub unattributed_events: u64,
    /// Events older than what retention already rolled up.
    pub skipped_before_retention: u64,
    pub apps: u64,
    pub new_apps: u64,
    /// Capture instant minus the dump's own "now" (via the zone), when both are known: a device clock change or a
    /// wrong zone shows here.
    pub clock_skew_ms: Option<i64>,
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
    let zone = match &opts.zone {
        Some(z) => Some(jiff::tz::TimeZone::get(z).map_err(|_| Error::InvalidInput("unknown time zone".into()))?),
        None => None,
    };
    let capture = CaptureContext { captured_at_utc_ms: opts.captured_at_ms, zone, dump_time_local: None };
    let watermark: i64 = tx
        .query_row("SELECT value FROM meta WHERE key = 'rolled_up_before'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(i64::MIN);
    let device_id = upsert_device(tx, opts)?;
    let mut sink = Sink::new(tx, device_id, capture.clone(), opts, watermark)?;
    let mut hashing = HashingReader { inner: reader, hasher: DefaultHasher::new(), bytes: 0 };
    let summary = parse_reader(&mut hashing, &mut sink).map_err(Error::Io)?;
    // The package given for `appops get` output changes what the bytes mean: part of the identity.
    opts.package.hash(&mut hashing.hasher);
    let hash = format!("{:016x}", hashing.hasher.finish());
    let mut report = sink.finish(&summary)?;
    report.dialect = summary.dialect;
    report.truncated = summary.truncated;
    report.bytes = hashing.bytes;
    report.repeat = tx
        .query_row("SELECT 1 FROM collection_runs WHERE content_hash = ?1 LIMIT 1", [&hash], |_| Ok(()))
        .optional()?
        .is_some();
    if let (Some(now), Some(zone), Some(cap)) = (summary.dump_time_local, capture.zone.as_ref(), opts.captured_at_ms) {
        report.clock_skew_ms = now.to_utc_ms(zone).map(|n| cap - n);
    }
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
            opts.zone,
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

struct HashingReader<R> {
    inner: R,
    hasher: DefaultHasher,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.write(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A discrete access kept until the end of the dump, when its instant needs the dump's inferred "now".
struct PendingDiscrete {
    uid: Option<String>,
    package: Option<String>,
    op: String,
    tag: Option<String>,
    state: Option<String>,
    flags: String,
    local: Option<LocalTime>,
    utc: Option<i64>,
    duration: Option<i64>,
}

/// The visitor that writes. SQL errors are kept and returned at the end (a visitor cannot fail mid-stream);
/// after the first one nothing more is written and the transaction is rolled back.
struct Sink<'t> {
    conn: &'t rusqlite::Connection,
    /// Apps inserted by this transaction: they cannot have streams yet, so no lookup is needed for them.
    new_app_ids: HashSet<i64>,
    device_id: i64,
    capture: CaptureContext,
    package_hint: Option<String>,
    tolerance: i64,
    watermark: i64,
    seen_ms: i64,
    err: Option<Error>,
    report: IngestReport,
    apps: HashMap<(String, i64), i64>,
    apps_seen: HashSet<i64>,
    last_app: Option<(String, i64, i64)>,
    ops: HashMap<String, (i64, bool)>,
    streams: HashMap<u128, i64>,
    pending_discrete: Vec<PendingDiscrete>,
    find_app: Statement<'t>,
    insert_app: Statement<'t>,
    touch_app: Statement<'t>,
    upsert_op: Statement<'t>,
    find_stream: Statement<'t>,
    insert_stream: Statement<'t>,
    insert_event: Statement<'t>,
    probe: Statement<'t>,
    probe_discrete: Statement<'t>,
    delete_event: Statement<'t>,
    upsert_bucket: Statement<'t>,
}

/// Everything that identifies a stream.
struct StreamKey<'a> {
    app: i64,
    op: i64,
    tag: &'a str,
    state: &'a str,
    flags: &'a str,
    kind: i64,
    proxy_uid: i64,
    proxy_package: &'a str,
    proxy_tag: &'a str,
}

impl StreamKey<'_> {
    /// 128 bits from two differently seeded hashes: the in-memory cache key (collisions are beyond unlikely).
    fn hash(&self) -> u128 {
        let one = |seed: u8| {
            let mut h = DefaultHasher::new();
            seed.hash(&mut h);
            (
                self.app,
                self.op,
                self.tag,
                self.state,
                self.flags,
                self.kind,
                self.proxy_uid,
                self.proxy_package,
                self.proxy_tag,
            )
                .hash(&mut h);
            h.finish()
        };
        (u128::from(one(1)) << 64) | u128::from(one(2))
    }
}

impl<'t> Sink<'t> {
    fn new(
        tx: &'t Transaction<'_>,
        device_id: i64,
        capture: CaptureContext,
        opts: &IngestOptions,
        watermark: i64,
    ) -> Result<Self> {
        Ok(Sink {
            conn: tx,
            new_app_ids: HashSet::new(),
            device_id,
            capture,
            package_hint: opts.package.clone(),
            tolerance: opts.relative_tolerance_ms.max(0),
            watermark,
            seen_ms: opts.captured_at_ms.unwrap_or_else(now_ms),
            err: None,
            report: IngestReport::default(),
            apps: HashMap::new(),
            apps_seen: HashSet::new(),
            last_app: None,
            ops: HashMap::new(),
            streams: HashMap::new(),
            pending_discrete: Vec::new(),
            find_app: tx.prepare("SELECT id FROM apps WHERE device_id = ?1 AND package = ?2 AND uid = ?3")?,
            insert_app: tx.prepare(
                "INSERT INTO apps (device_id, package, uid, user_id, first_seen_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?,
            touch_app: tx.prepare("UPDATE apps SET last_seen_ms = max(last_seen_ms, ?2) WHERE id = ?1")?,
            upsert_op: tx.prepare(
                "INSERT INTO ops (name, info_type, sensitive) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(name) DO UPDATE SET info_type = excluded.info_type RETURNING id",
            )?,
            find_stream: tx.prepare(
                "SELECT id FROM streams WHERE app_id = ?1 AND op_id = ?2 AND attribution_tag = ?3 AND uid_state = ?4 \
                 AND flags = ?5 AND kind = ?6 AND proxy_uid = ?7 AND proxy_package = ?8 AND proxy_tag = ?9",
            )?,
            insert_stream: tx.prepare(
                "INSERT INTO streams (app_id, op_id, attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, \
                 proxy_tag) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            insert_event: tx.prepare(
                "INSERT OR IGNORE INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            probe: tx.prepare("SELECT 1 FROM events WHERE stream_id = ?1 AND t BETWEEN ?2 AND ?3 LIMIT 1")?,
            probe_discrete: tx.prepare(
                "SELECT t FROM events WHERE stream_id = ?1 AND t BETWEEN ?2 AND ?3 AND origin / 4 = 1 LIMIT 1",
            )?,
            delete_event: tx.prepare("DELETE FROM events WHERE stream_id = ?1 AND t = ?2")?,
            upsert_bucket: tx.prepare(
                "INSERT INTO history_buckets (stream_id, begin_ms, end_ms, access_count, reject_count, duration_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(stream_id, begin_ms, end_ms) DO UPDATE SET \
                 access_count = max(access_count, excluded.access_count), \
                 reject_count = max(reject_count, excluded.reject_count), \
                 duration_ms = max(duration_ms, excluded.duration_ms)",
            )?,
        })
    }

    fn keep(&mut self, r: Result<()>) {
        if let Err(e) = r {
            if self.err.is_none() {
                self.err = Some(e);
            }
        }
    }

    fn app_id(&mut self, package: &str, uid: i64) -> Result<i64> {
        if let Some((p, u, id)) = &self.last_app {
            if p == package && *u == uid {
                return Ok(*id);
            }
        }
        let id = match self.apps.get(&(package.to_owned(), uid)) {
            Some(id) => *id,
            None => {
                let found: Option<i64> =
                    self.find_app.query_row(params![self.device_id, package, uid], |r| r.get(0)).optional()?;
                let id = match found {
                    Some(id) => {
                        self.touch_app.execute(params![id, self.seen_ms])?;
                        id
                    }
                    None => {
                        let user = if uid >= 0 { uid / 100_000 } else { 0 };
                        self.insert_app.execute(params![self.device_id, package, uid, user, self.seen_ms])?;
                        self.report.new_apps += 1;
                        let id = self.conn.last_insert_rowid();
                        self.new_app_ids.insert(id);
                        id
                    }
                };
                self.apps.insert((package.to_owned(), uid), id);
                id
            }
        };
        if self.apps_seen.insert(id) {
            self.report.apps += 1;
        }
        self.last_app = Some((package.to_owned(), uid, id));
        Ok(id)
    }

    fn op_id(&mut self, op: &str) -> Result<(i64, bool)> {
        if let Some(v) = self.ops.get(op) {
            return Ok(*v);
        }
        let info = ops::info_type(op);
        let id: i64 = self.upsert_op.query_row(params![op, info.as_str(), ops::is_sensitive(op)], |r| r.get(0))?;
        let discrete = DISCRETE_OPS.contains(&ops::canonical(op));
        self.ops.insert(op.to_owned(), (id, discrete));
        Ok((id, discrete))
    }

    fn stream_id(&mut self, key: &StreamKey<'_>) -> Result<i64> {
        let h = key.hash();
        if let Some(id) = self.streams.get(&h) {
            return Ok(*id);
        }
        let args = params![
            key.app,
            key.op,
            key.tag,
            key.state,
            key.flags,
            key.kind,
            key.proxy_uid,
            key.proxy_package,
            key.proxy_tag
        ];
        let existing = if self.new_app_ids.contains(&key.app) {
            None
        } else {
            self.find_stream.query_row(args, |r| r.get(0)).optional()?
        };
        let id = match existing {
            Some(id) => id,
            None => {
                self.insert_stream.execute(args)?;
                self.conn.last_insert_rowid()
            }
        };
        self.streams.insert(h, id);
        Ok(id)
    }

    /// Adds one observation by the rules at the top of this file. Returns whether it was new.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        stream: i64,
        t: i64,
        duration: Option<i64>,
        source: i64,
        basis: TimeBasis,
        discrete_op: bool,
    ) -> Result<bool> {
        let origin = source * 4 + basis_code(basis);
        let precision = match (source, basis) {
            (SOURCE_DISCRETE, _) => Some(DISCRETE_QUANTUM_MS),
            (_, TimeBasis::CaptureRelative) => Some(self.tolerance),
            _ => None,
        };
        if source == SOURCE_DISCRETE {
            // Already known as any observation inside its minute?
            if self.probe.exists(params![stream, t, t + DISCRETE_QUANTUM_MS - 1])? {
                return Ok(false);
            }
        } else if basis == TimeBasis::CaptureRelative {
            if self.probe.exists(params![stream, t - self.tolerance, t + self.tolerance])? {
                return Ok(false);
            }
        } else if discrete_op {
            // An exact instant replaces the discrete (minute-quantised) record of the same access.
            let q = t.div_euclid(DISCRETE_QUANTUM_MS) * DISCRETE_QUANTUM_MS;
            if let Some(dt) = self
                .probe_discrete
                .query_row(params![stream, q, q + DISCRETE_QUANTUM_MS - 1], |r| r.get::<_, i64>(0))
                .optional()?
            {
                self.delete_event.execute(params![stream, dt])?;
            }
        }
        Ok(self.insert_event.execute(params![stream, t, duration, origin, precision])? == 1)
    }

    /// Who an observation is charged to and when it happened; `None` (counted in the report) when it has no
    /// package, cannot be dated, or falls before what retention already rolled up.
    fn place(&mut self, package: Option<&str>, resolved: Option<(i64, TimeBasis)>) -> Option<(String, i64, TimeBasis)> {
        let Some(package) = package.map(str::to_owned).or_else(|| self.package_hint.clone()) else {
            self.report.unattributed_events += 1;
            return None;
        };
        let Some((t, basis)) = resolved else {
            self.report.undatable_events += 1;
            return None;
        };
        if t < self.watermark {
            self.report.skipped_before_retention += 1;
            return None;
        }
        Some((package, t, basis))
    }

    fn on_event(&mut self, ctx: &Context<'_>, e: &EventRef<'_>) -> Result<()> {
        let resolved = self.capture.resolve(e.time_local, e.relative_ms);
        let Some((package, t, basis)) = self.place(ctx.package, resolved) else { return Ok(()) };
        let uid = ctx.uid.and_then(decode_uid).map_or(-1, i64::from);
        let app = self.app_id(&package, uid)?;
        let (op, discrete_op) = self.op_id(ctx.op.unwrap_or("NONE"))?;
        let proxy = e.proxy.unwrap_or(ProxyRef { uid: None, package: None, attribution_tag: None });
        let key = StreamKey {
            app,
            op,
            tag: e.attribution_tag.unwrap_or(""),
            state: e.uid_state.unwrap_or(""),
            flags: e.flags,
            kind: if e.kind == EventKind::Access { 0 } else { 1 },
            proxy_uid: proxy.uid.unwrap_or(-1),
            proxy_package: proxy.package.unwrap_or(""),
            proxy_tag: proxy.attribution_tag.unwrap_or(""),
        };
        let stream = self.stream_id(&key)?;
        if self.add(stream, t, e.duration_ms, SOURCE_LAST_ACCESS, basis, discrete_op)? {
            self.report.new_events += 1;
        } else {
            self.report.known_events += 1;
        }
        Ok(())
    }

    fn on_discrete(&mut self, d: &PendingDiscrete) -> Result<()> {
        let resolved = match d.utc {
            Some(utc) => Some((utc, TimeBasis::Printed)),
            None => self.capture.resolve(d.local, None),
        };
        let Some((package, t, basis)) = self.place(d.package.as_deref(), resolved) else { return Ok(()) };
        let uid = d.uid.as_deref().and_then(decode_uid).map_or(-1, i64::from);
        let app = self.app_id(&package, uid)?;
        let (op, discrete_op) = self.op_id(&d.op)?;
        let key = StreamKey {
            app,
            op,
            tag: d.tag.as_deref().unwrap_or(""),
            state: d.state.as_deref().unwrap_or(""),
            flags: &d.flags,
            kind: 0,
            proxy_uid: -1,
            proxy_package: "",
            proxy_tag: "",
        };
        let stream = self.stream_id(&key)?;
        if self.add(stream, t, d.duration, SOURCE_DISCRETE, basis, discrete_op)? {
            self.report.new_discrete_events += 1;
        } else {
            self.report.known_events += 1;
        }
        Ok(())
    }

    fn on_history(&mut self, e: &HistoryEntryRef<'_>) -> Result<()> {
        let Some(package) = e.package.map(str::to_owned).or_else(|| self.package_hint.clone()) else {
            self.report.unattributed_events += 1;
            return Ok(());
        };
        let begin = self.capture.resolve(e.window.begin_local, e.window.begin_relative_ms);
        let end = self.capture.resolve(e.window.end_local, e.window.end_relative_ms);
        let (Some((begin, _)), Some((end, _))) = (begin, end) else {
            self.report.undatable_events += 1;
            return Ok(());
        };
        let uid = e.uid.and_then(decode_uid).map_or(-1, i64::from);
        let app = self.app_id(&package, uid)?;
        let (op, _) = self.op_id(e.op)?;
        let key = StreamKey {
            app,
            op,
            tag: e.attribution_tag.unwrap_or(""),
            state: e.uid_state.unwrap_or(""),
            flags: e.flags,
            kind: 0,
            proxy_uid: -1,
            proxy_package: "",
            proxy_tag: "",
        };
        let stream = self.stream_id(&key)?;
        self.upsert_bucket.execute(params![
            stream,
            begin,
            end,
            e.access_count as i64,
            e.reject_count as i64,
            e.duration_ms
        ])?;
        self.report.history_entries += 1;
        Ok(())
    }

    fn finish(mut self, summary: &crate::model::ParseSummary) -> Result<IngestReport> {
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.capture.dump_time_local = summary.dump_time_local;
        for d in std::mem::take(&mut self.pending_discrete) {
            self.on_discrete(&d)?;
        }
        Ok(self.report)
    }
}

impl Visitor for Sink<'_> {
    fn event(&mut self, ctx: &Context<'_>, event: &EventRef<'_>) {
        if self.err.is_none() {
            let r = self.on_event(ctx, event);
            self.keep(r);
        }
    }

    fn discrete(&mut self, d: &DiscreteRef<'_>) {
        // Discrete instants may need the dump's inferred "now" (no zone), known only at the end: keep them.
        self.pending_discrete.push(PendingDiscrete {
            uid: d.uid.map(str::to_owned),
            package: d.package.map(str::to_owned),
            op: d.op.to_owned(),
            tag: d.attribution_tag.map(str::to_owned),
            state: d.uid_state.map(str::to_owned),
            flags: d.flags.to_owned(),
            local: d.time_local,
            utc: d.time_utc_ms,
            duration: d.duration_ms,
        });
    }

    fn history(&mut self, entry: &HistoryEntryRef<'_>) {
        if self.err.is_none() {
            let r = self.on_history(entry);
            self.keep(r);
        }
    }
}
