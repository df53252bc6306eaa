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

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::time::Duration;
use std::time::Instant;

use rusqlite::{params, OptionalExtension, Statement, Transaction};
use serde::Serialize;

use super::ids::{stream_id, FxHashMap, FxHashSet, FxHasher, MAX_OP_ID, MAX_VARIANT_ID};
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
    let (summary, mut hasher, bytes) = parse_beside(reader, &mut sink, &capture, opts.package.as_deref())?;
    // The package given for `appops get` output changes what the bytes mean: part of the identity.
    opts.package.hash(&mut hasher);
    let hash = format!("{:016x}", hasher.finish());
    let mut report = sink.finish(&summary)?;
    report.dialect = summary.dialect;
    report.truncated = summary.truncated;
    report.bytes = bytes;
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

/// Bytes read per chunk handed to the parser thread.
const CHUNK: usize = 64 * 1024;
/// Chunks and batches in flight: what bounds memory (≈ 4 × 64 KiB + 4 × [`ITEMS`] items).
const IN_FLIGHT: usize = 4;
/// Parsed items per batch sent back.
const ITEMS: usize = 512;

/// Parses on a second thread while this one writes: this thread reads `reader` (which need not be `Send`) in
/// chunks and hands them over; the parser thread hashes them (the run's content hash), parses, resolves
/// instants, interns packages, ops and variants to small ids, and sends batches of compact items back; this
/// thread applies them to `sink` (SQL only here). Both channels are bounded, so memory stays flat. Returns the
/// parse summary, the content hasher and the byte count. A read error ends the parse and is returned.
fn parse_beside<R: Read>(
    mut reader: R,
    sink: &mut Sink<'_>,
    capture: &CaptureContext,
    package_hint: Option<&str>,
) -> Result<(crate::model::ParseSummary, DefaultHasher, u64)> {
    let (chunk_tx, chunk_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT);
    let (batch_tx, batch_rx) = sync_channel::<Batch>(IN_FLIGHT);
    // Buffers go back to the thread that fills them, so neither thread allocates (or frees the other's memory) per
    // chunk or batch. At most IN_FLIGHT + 2 of each circulate.
    let (spare_chunk_tx, spare_chunk_rx) = channel::<Vec<u8>>();
    let (spare_batch_tx, spare_batch_rx) = channel::<Batch>();
    let mut collector = Collector::new(batch_tx, capture.clone(), package_hint.map(str::to_owned));
    collector.spares = Some(spare_batch_rx);
    std::thread::scope(|scope| {
        let parser = std::thread::Builder::new()
            .name("opsight-parse".into())
            .spawn_scoped(scope, move || {
                let mut input = ChannelReader {
                    rx: chunk_rx,
                    spares: spare_chunk_tx,
                    chunk: Vec::new(),
                    pos: 0,
                    hasher: DefaultHasher::new(),
                };
                let summary = parse_reader(&mut input, &mut collector);
                collector.send();
                summary.map(|s| (s, input.hasher))
            })
            .map_err(Error::Io)?;
        let mut bytes = 0u64;
        let mut read_error = None;
        let mut chunk_tx = Some(chunk_tx);
        let mut waiting: Option<Vec<u8>> = None;
        while let Some(tx) = &chunk_tx {
            if sink.err.is_some() {
                break;
            }
            let chunk = match waiting.take() {
                Some(c) => c,
                None => {
                    let mut buf = spare_chunk_rx.try_recv().unwrap_or_default();
                    buf.resize(CHUNK, 0);
                    match read_some(&mut reader, &mut buf) {
                        Ok(0) => {
                            chunk_tx = None;
                            continue;
                        }
                        Ok(n) => {
                            buf.truncate(n);
                            bytes += n as u64;
                            buf
                        }
                        Err(e) => {
                            read_error = Some(e);
                            break;
                        }
                    }
                }
            };
            match tx.try_send(chunk) {
                Ok(()) => {
                    // Apply what is ready without waiting.
                    while let Ok(batch) = batch_rx.try_recv() {
                        apply(sink, batch, &spare_batch_tx);
                    }
                }
                Err(TrySendError::Full(chunk)) => {
                    // The parser has work queued: apply its next batch, then offer the chunk again. The timeout
                    // covers input with few items, where the parser empties its queue before filling a batch.
                    waiting = Some(chunk);
                    match batch_rx.recv_timeout(Duration::from_millis(1)) {
                        Ok(batch) => apply(sink, batch, &spare_batch_tx),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                Err(TrySendError::Disconnected(_)) => break,
            }
        }
        // End of input (or an error): the parser sees EOF, finishes, and sends what is left.
        drop(chunk_tx);
        if read_error.is_none() && sink.err.is_none() {
            for batch in batch_rx.iter() {
                apply(sink, batch, &spare_batch_tx);
                if sink.err.is_some() {
                    break;
                }
            }
        }
        drop(batch_rx);
        let parsed = parser.join().map_err(|_| Error::Database("parser thread panicked".into()))?;
        if let Some(e) = read_error {
            return Err(Error::Io(e));
        }
        let (summary, hasher) = parsed.map_err(Error::Io)?;
        Ok((summary, hasher, bytes))
    })
}

/// Applies a batch and hands the emptied buffers back to the parser thread.
fn apply(sink: &mut Sink<'_>, mut batch: Batch, spares: &Sender<Batch>) {
    sink.apply(&mut batch);
    batch.items.clear();
    let _ = spares.send(batch);
}

/// `Read::read`, retried when interrupted.
fn read_some<R: Read>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// The parser thread's input: chunks from the writer thread, hashed as they arrive. Ends when the sender is
/// dropped.
struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    spares: Sender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    hasher: DefaultHasher,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(chunk) => {
                    self.hasher.write(&chunk);
                    let done = std::mem::replace(&mut self.chunk, chunk);
                    if done.capacity() > 0 {
                        let _ = self.spares.send(done);
                    }
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// No package: `appops get` output ingested without one.
const NO_APP: u32 = u32::MAX;

/// A last-access observation as the parser thread hands it over: interned ids (see [`Batch`]) and the instant
/// already resolved.
struct Ev {
    app: u32,
    op: u32,
    variant: u32,
    resolved: Option<(i64, TimeBasis)>,
    duration: Option<i64>,
}

/// An aggregate window, owned, with interned ids.
struct Hist {
    app: u32,
    op: u32,
    variant: u32,
    begin: Option<i64>,
    end: Option<i64>,
    access: u64,
    reject: u64,
    duration: i64,
}

enum Item {
    Event(Ev),
    Discrete(Box<PendingDiscrete>),
    History(Box<Hist>),
}

/// Parsed items in input order, with the definitions of the ids first used in them: the i-th package (with
/// uid), op and variant the parser thread ever met have id i.
#[derive(Default)]
struct Batch {
    apps: Vec<(String, i64)>,
    ops: Vec<String>,
    variants: Vec<Variant>,
    items: Vec<Item>,
}

/// The parser thread's visitor: interns and batches. Stops sending (and just parses on) once the writer is gone.
struct Collector {
    tx: SyncSender<Batch>,
    batch: Batch,
    capture: CaptureContext,
    package_hint: Option<String>,
    apps: FxHashMap<(String, i64), u32>,
    /// The last (package, uid as printed) and its id: consecutive observations are mostly of one app and op.
    last_app: Option<(String, Option<String>, u32)>,
    ops: FxHashMap<String, u32>,
    last_op: Option<(String, u32)>,
    /// Local hours converted with the zone, and their offset (local − UTC) when the whole hour has one.
    zone_hours: FxHashMap<i64, Option<i64>>,
    variants: Vec<Variant>,
    variant_by_hash: FxHashMap<u64, u32>,
    gone: bool,
    /// Batches the writer has emptied, for reuse.
    spares: Option<Receiver<Batch>>,
}

impl Collector {
    fn new(tx: SyncSender<Batch>, capture: CaptureContext, package_hint: Option<String>) -> Collector {
        Collector {
            tx,
            batch: Batch::default(),
            capture,
            package_hint,
            apps: FxHashMap::default(),
            last_app: None,
            ops: FxHashMap::default(),
            last_op: None,
            zone_hours: FxHashMap::default(),
            variants: Vec::new(),
            variant_by_hash: FxHashMap::default(),
            gone: false,
            spares: None,
        }
    }

    fn send(&mut self) {
        let b = &self.batch;
        let any = !b.items.is_empty() || !b.apps.is_empty() || !b.ops.is_empty() || !b.variants.is_empty();
        if !self.gone && any {
            let spare = self.spares.as_ref().and_then(|r| r.try_recv().ok()).unwrap_or_default();
            let batch = std::mem::replace(&mut self.batch, spare);
            if self.tx.send(batch).is_err() {
                self.gone = true;
            }
        }
    }

    fn push(&mut self, item: Item) {
        if self.gone {
            return;
        }
        self.batch.items.push(item);
        if self.batch.items.len() == ITEMS {
            self.send();
        }
    }

    fn app(&mut self, package: Option<&str>, uid: Option<&str>) -> u32 {
        let package = match package {
            Some(p) => p,
            None => match &self.package_hint {
                Some(p) => {
                    let p = p.clone();
                    let uid = uid.and_then(decode_uid).map_or(-1, i64::from);
                    return self.app_owned(&p, uid);
                }
                None => return NO_APP,
            },
        };
        if let Some((p, u, id)) = &self.last_app {
            if same(p, package) && u.as_deref().map(str::as_bytes) == uid.map(str::as_bytes) {
                return *id;
            }
        }
        let id = self.app_owned(package, uid.and_then(decode_uid).map_or(-1, i64::from));
        self.last_app = Some((package.to_owned(), uid.map(str::to_owned), id));
        id
    }

    fn app_owned(&mut self, package: &str, uid: i64) -> u32 {
        let key = (package.to_owned(), uid);
        let next = self.apps.len() as u32;
        *self.apps.entry(key).or_insert_with(|| {
            self.batch.apps.push((package.to_owned(), uid));
            next
        })
    }

    fn op(&mut self, op: &str) -> u32 {
        if let Some((name, id)) = &self.last_op {
            if same(name, op) {
                return *id;
            }
        }
        let id = match self.ops.get(op) {
            Some(id) => *id,
            None => {
                let id = self.ops.len() as u32;
                self.ops.insert(op.to_owned(), id);
                self.batch.ops.push(op.to_owned());
                id
            }
        };
        self.last_op = Some((op.to_owned(), id));
        id
    }

    /// [`CaptureContext::resolve`], with the zone's offset remembered per local hour when the whole hour has one
    /// (every hour but those of a transition): the same instants, without a zone lookup per observation.
    fn resolve(&mut self, local: Option<LocalTime>, relative_ms: Option<i64>) -> Option<(i64, TimeBasis)> {
        const HOUR_MS: i64 = 3_600_000;
        if let (Some(l), Some(zone)) = (local, self.capture.zone.as_ref()) {
            let hour = l.0.div_euclid(HOUR_MS);
            let offset = match self.zone_hours.get(&hour) {
                Some(offset) => *offset,
                None => {
                    let start = hour * HOUR_MS;
                    let end = start + HOUR_MS - 1;
                    let offset = match (LocalTime(start).to_utc_ms(zone), LocalTime(end).to_utc_ms(zone)) {
                        (Some(a), Some(b)) if start - a == end - b => Some(start - a),
                        _ => None,
                    };
                    // Bounded: a dump spans a few thousand hours at most.
                    if self.zone_hours.len() >= 1 << 16 {
                        self.zone_hours.clear();
                    }
                    self.zone_hours.insert(hour, offset);
                    offset
                }
            };
            if let Some(offset) = offset {
                return Some((l.0 - offset, TimeBasis::LocalWithZone));
            }
        }
        self.capture.resolve(local, relative_ms)
    }

    fn variant(&mut self, v: VariantRef<'_>) -> u32 {
        let h = v.hash64();
        if let Some(&id) = self.variant_by_hash.get(&h) {
            if v.matches(&self.variants[id as usize]) {
                return id;
            }
            if let Some(i) = self.variants.iter().position(|x| v.matches(x)) {
                return i as u32;
            }
        }
        let id = self.variants.len() as u32;
        self.variants.push(v.to_owned());
        self.batch.variants.push(v.to_owned());
        self.variant_by_hash.entry(h).or_insert(id);
        id
    }
}

impl Visitor for Collector {
    fn event(&mut self, ctx: &Context<'_>, e: &EventRef<'_>) {
        if self.gone {
            return;
        }
        let app = self.app(ctx.package, ctx.uid);
        let op = self.op(ctx.op.unwrap_or("NONE"));
        let proxy = e.proxy.unwrap_or(ProxyRef { uid: None, package: None, attribution_tag: None });
        let variant = self.variant(VariantRef {
            tag: e.attribution_tag.unwrap_or(""),
            state: e.uid_state.unwrap_or(""),
            flags: e.flags,
            kind: if e.kind == EventKind::Access { 0 } else { 1 },
            proxy_uid: proxy.uid.unwrap_or(-1),
            proxy_package: proxy.package.unwrap_or(""),
            proxy_tag: proxy.attribution_tag.unwrap_or(""),
        });
        let resolved = self.resolve(e.time_local, e.relative_ms);
        self.push(Item::Event(Ev { app, op, variant, resolved, duration: e.duration_ms }));
    }

    fn discrete(&mut self, d: &DiscreteRef<'_>) {
        // Discrete instants may need the dump's inferred "now" (no zone), known only at the end: kept as they are.
        self.push(Item::Discrete(Box::new(PendingDiscrete {
            uid: d.uid.map(str::to_owned),
            package: d.package.map(str::to_owned),
            op: d.op.to_owned(),
            tag: d.attribution_tag.map(str::to_owned),
            state: d.uid_state.map(str::to_owned),
            flags: d.flags.to_owned(),
            local: d.time_local,
            utc: d.time_utc_ms,
            duration: d.duration_ms,
        })));
    }

    fn history(&mut self, e: &HistoryEntryRef<'_>) {
        if self.gone {
            return;
        }
        let app = self.app(e.package, e.uid);
        let op = self.op(e.op);
        let variant = self.variant(VariantRef {
            tag: e.attribution_tag.unwrap_or(""),
            state: e.uid_state.unwrap_or(""),
            flags: e.flags,
            kind: 0,
            proxy_uid: -1,
            proxy_package: "",
            proxy_tag: "",
        });
        let begin = self.resolve(e.window.begin_local, e.window.begin_relative_ms).map(|r| r.0);
        let end = self.resolve(e.window.end_local, e.window.end_relative_ms).map(|r| r.0);
        self.push(Item::History(Box::new(Hist {
            app,
            op,
            variant,
            begin,
            end,
            access: e.access_count,
            reject: e.reject_count,
            duration: e.duration_ms,
        })));
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

/// Everything that identifies a stream besides its app and op, as stored in `variants`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Variant {
    tag: String,
    state: String,
    flags: String,
    kind: i64,
    proxy_uid: i64,
    proxy_package: String,
    proxy_tag: String,
}

/// A variant as the parser hands it over (borrowed).
#[derive(Clone, Copy)]
struct VariantRef<'a> {
    tag: &'a str,
    state: &'a str,
    flags: &'a str,
    kind: i64,
    proxy_uid: i64,
    proxy_package: &'a str,
    proxy_tag: &'a str,
}

impl VariantRef<'_> {
    fn hash64(&self) -> u64 {
        let mut h = FxHasher::default();
        for s in [self.tag, self.state, self.flags, self.proxy_package, self.proxy_tag] {
            h.write(s.as_bytes());
            h.write_u8(0xff);
        }
        h.write_i64(self.kind);
        h.write_i64(self.proxy_uid);
        h.finish()
    }

    fn matches(&self, v: &Variant) -> bool {
        self.kind == v.kind
            && self.proxy_uid == v.proxy_uid
            && same(self.state, &v.state)
            && same(self.flags, &v.flags)
            && same(self.tag, &v.tag)
            && same(self.proxy_package, &v.proxy_package)
            && same(self.proxy_tag, &v.proxy_tag)
    }

    fn to_owned(self) -> Variant {
        Variant {
            tag: self.tag.to_owned(),
            state: self.state.to_owned(),
            flags: self.flags.to_owned(),
            kind: self.kind,
            proxy_uid: self.proxy_uid,
            proxy_package: self.proxy_package.to_owned(),
            proxy_tag: self.proxy_tag.to_owned(),
        }
    }
}

/// String equality for the short, mostly empty strings of a variant, without a `memcmp` call per field.
#[inline]
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// One `events` row waiting for its batch.
type Row = (i64, i64, Option<i64>, i64, Option<i64>);

/// Rows per multi-row INSERT.
const BATCH: usize = 256;

/// The visitor that writes. SQL errors are kept and returned at the end (a visitor cannot fail mid-stream);
/// after the first one nothing more is written and the transaction is rolled back.
///
/// Stream identity costs no SQL: apps of the device, ops and variants are loaded once, new ones are inserted as
/// met, and the stream id is computed from the three ids (`ids.rs`). Last-access events are written in batches of
/// [`BATCH`] rows per statement; a batch is flushed before any probe of a stream it holds, so probes see every
/// earlier row of the dump.
struct Sink<'t> {
    conn: &'t rusqlite::Connection,
    device_id: i64,
    capture: CaptureContext,
    package_hint: Option<String>,
    tolerance: i64,
    watermark: i64,
    seen_ms: i64,
    err: Option<Error>,
    report: IngestReport,
    /// The device's installations: (package, uid) → app id.
    apps: FxHashMap<(String, i64), i64>,
    next_app_id: i64,
    /// New apps not yet written (ids assigned), written [`BATCH`] per statement.
    pending_apps: Vec<(i64, String, i64)>,
    /// Apps inserted by this ingest: none of their streams has a stored event yet.
    new_app_ids: FxHashSet<i64>,
    /// Whether the database holds (or ever held) a discrete record (`meta` key `discrete_events`): without one
    /// there is nothing for an exact instant to replace, and no probe is needed.
    has_discrete: bool,
    wrote_discrete: bool,
    /// Apps of this dump that were known before: their `last_seen_ms` is raised at the end, in one statement.
    touched: Vec<i64>,
    apps_seen: FxHashSet<i64>,
    ops: FxHashMap<String, (i64, bool)>,
    /// `variants` by id (index 0 unused), and the first id of each hash.
    variants: Vec<Variant>,
    variant_by_hash: FxHashMap<u64, i64>,
    pending: Vec<Row>,
    pending_discrete: Vec<PendingDiscrete>,
    /// The parser thread's interned ids ([`Batch`]) and what they resolved to here (0 / `None`: not yet).
    app_defs: Vec<(String, i64)>,
    app_slots: Vec<i64>,
    op_defs: Vec<String>,
    op_slots: Vec<Option<(i64, bool)>>,
    variant_defs: Vec<Variant>,
    variant_slots: Vec<i64>,
    insert_app: Statement<'t>,
    insert_apps: Statement<'t>,
    upsert_op: Statement<'t>,
    insert_variant: Statement<'t>,
    insert_event: Statement<'t>,
    insert_events: Statement<'t>,
    probe: Statement<'t>,
    probe_discrete: Statement<'t>,
    delete_event: Statement<'t>,
    upsert_bucket: Statement<'t>,
}

impl<'t> Sink<'t> {
    fn new(
        tx: &'t Transaction<'_>,
        device_id: i64,
        capture: CaptureContext,
        opts: &IngestOptions,
        watermark: i64,
    ) -> Result<Self> {
        let mut apps = FxHashMap::default();
        let mut stmt = tx.prepare("SELECT id, package, uid FROM apps WHERE device_id = ?1")?;
        let mut rows = stmt.query([device_id])?;
        while let Some(r) = rows.next()? {
            apps.insert((r.get::<_, String>(1)?, r.get::<_, i64>(2)?), r.get::<_, i64>(0)?);
        }
        drop(rows);
        drop(stmt);
        let next_app_id = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM apps", [], |r| r.get(0))?;
        let mut variants = vec![Variant {
            tag: String::new(),
            state: String::new(),
            flags: String::new(),
            kind: -1,
            proxy_uid: -1,
            proxy_package: String::new(),
            proxy_tag: String::new(),
        }];
        let mut variant_by_hash = FxHashMap::default();
        let mut stmt = tx.prepare(
            "SELECT id, attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag FROM variants \
             ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let v = Variant {
                tag: r.get(1)?,
                state: r.get(2)?,
                flags: r.get(3)?,
                kind: r.get(4)?,
                proxy_uid: r.get(5)?,
                proxy_package: r.get(6)?,
                proxy_tag: r.get(7)?,
            };
            // Ids are dense (only ingest and the migration create them, from 1); pad if one is missing.
            while (variants.len() as i64) < id {
                variants.push(variants[0].clone());
            }
            let borrowed = VariantRef {
                tag: &v.tag,
                state: &v.state,
                flags: &v.flags,
                kind: v.kind,
                proxy_uid: v.proxy_uid,
                proxy_package: &v.proxy_package,
                proxy_tag: &v.proxy_tag,
            };
            variant_by_hash.entry(borrowed.hash64()).or_insert(id);
            variants.push(v);
        }
        drop(rows);
        drop(stmt);
        let values = vec!["(?, ?, ?, ?, ?)"; BATCH].join(", ");
        Ok(Sink {
            conn: tx,
            device_id,
            capture,
            package_hint: opts.package.clone(),
            tolerance: opts.relative_tolerance_ms.max(0),
            watermark,
            seen_ms: opts.captured_at_ms.unwrap_or_else(now_ms),
            err: None,
            report: IngestReport::default(),
            apps,
            next_app_id,
            pending_apps: Vec::new(),
            new_app_ids: FxHashSet::default(),
            has_discrete: tx
                .query_row("SELECT 1 FROM meta WHERE key = 'discrete_events'", [], |_| Ok(()))
                .optional()?
                .is_some(),
            wrote_discrete: false,
            touched: Vec::new(),
            apps_seen: FxHashSet::default(),
            ops: FxHashMap::default(),
            variants,
            variant_by_hash,
            pending: Vec::with_capacity(BATCH),
            pending_discrete: Vec::new(),
            app_defs: Vec::new(),
            app_slots: Vec::new(),
            op_defs: Vec::new(),
            op_slots: Vec::new(),
            variant_defs: Vec::new(),
            variant_slots: Vec::new(),
            insert_app: tx.prepare(
                "INSERT INTO apps (id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?,
            insert_apps: tx.prepare(&format!(
                "INSERT INTO apps (id, device_id, package, uid, user_id, first_seen_ms, last_seen_ms) VALUES {}",
                (0..BATCH)
                    .map(|i| {
                        let p = i * 5;
                        let seen = BATCH * 5 + 1;
                        format!("(?{}, ?{}, ?{}, ?{}, ?{}, ?{seen}, ?{seen})", p + 1, p + 2, p + 3, p + 4, p + 5)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ))?,
            upsert_op: tx.prepare(
                "INSERT INTO ops (name, info_type, sensitive) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(name) DO UPDATE SET info_type = excluded.info_type RETURNING id",
            )?,
            insert_variant: tx.prepare(
                "INSERT INTO variants (id, attribution_tag, uid_state, flags, kind, proxy_uid, proxy_package, proxy_tag) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?,
            insert_event: tx.prepare(
                "INSERT OR IGNORE INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            insert_events: tx.prepare(&format!(
                "INSERT OR IGNORE INTO events (stream_id, t, duration_ms, origin, precision_ms) VALUES {values}"
            ))?,
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
        let key = (package.to_owned(), uid);
        let id = match self.apps.get(&key) {
            Some(id) => {
                if !self.new_app_ids.contains(id) && self.apps_seen.insert(*id) {
                    self.touched.push(*id);
                    self.report.apps += 1;
                }
                *id
            }
            None => {
                let id = self.next_app_id;
                self.next_app_id += 1;
                self.pending_apps.push((id, package.to_owned(), uid));
                if self.pending_apps.len() == BATCH {
                    self.flush_apps()?;
                }
                self.report.new_apps += 1;
                self.report.apps += 1;
                self.new_app_ids.insert(id);
                self.apps_seen.insert(id);
                self.apps.insert(key, id);
                id
            }
        };
        Ok(id)
    }

    /// Writes the new apps waiting for their batch.
    fn flush_apps(&mut self) -> Result<()> {
        let n = self.pending_apps.len();
        if n == BATCH {
            let stmt = &mut self.insert_apps;
            for (i, (id, package, uid)) in self.pending_apps.iter().enumerate() {
                let p = i * 5;
                stmt.raw_bind_parameter(p + 1, id)?;
                stmt.raw_bind_parameter(p + 2, self.device_id)?;
                stmt.raw_bind_parameter(p + 3, package)?;
                stmt.raw_bind_parameter(p + 4, uid)?;
                stmt.raw_bind_parameter(p + 5, if *uid >= 0 { uid / 100_000 } else { 0 })?;
            }
            stmt.raw_bind_parameter(BATCH * 5 + 1, self.seen_ms)?;
            stmt.raw_execute()?;
        } else {
            for (id, package, uid) in &self.pending_apps {
                let user = if *uid >= 0 { uid / 100_000 } else { 0 };
                self.insert_app.execute(params![id, self.device_id, package, uid, user, self.seen_ms])?;
            }
        }
        self.pending_apps.clear();
        Ok(())
    }

    fn op_id(&mut self, op: &str) -> Result<(i64, bool)> {
        if let Some(v) = self.ops.get(op) {
            return Ok(*v);
        }
        let info = ops::info_type(op);
        let id: i64 = self.upsert_op.query_row(params![op, info.as_str(), ops::is_sensitive(op)], |r| r.get(0))?;
        if id > MAX_OP_ID {
            return Err(Error::Database(format!("more than {MAX_OP_ID} ops")));
        }
        let discrete = DISCRETE_OPS.contains(&ops::canonical(op));
        self.ops.insert(op.to_owned(), (id, discrete));
        Ok((id, discrete))
    }

    fn variant_id(&mut self, v: VariantRef<'_>) -> Result<i64> {
        let h = v.hash64();
        if let Some(&id) = self.variant_by_hash.get(&h) {
            if v.matches(&self.variants[id as usize]) {
                return Ok(id);
            }
            // A 64-bit hash collision: look at every variant.
            if let Some(i) = self.variants.iter().skip(1).position(|x| v.matches(x)) {
                return Ok(i as i64 + 1);
            }
        }
        let id = self.variants.len() as i64;
        if id > MAX_VARIANT_ID {
            return Err(Error::Database(format!("more than {MAX_VARIANT_ID} stream variants")));
        }
        self.insert_variant.execute(params![
            id,
            v.tag,
            v.state,
            v.flags,
            v.kind,
            v.proxy_uid,
            v.proxy_package,
            v.proxy_tag
        ])?;
        self.variants.push(v.to_owned());
        self.variant_by_hash.entry(h).or_insert(id);
        Ok(id)
    }

    /// Writes the waiting last-access rows; counts them as new or known.
    fn flush(&mut self) -> Result<()> {
        let n = self.pending.len();
        if n == 0 {
            return Ok(());
        }
        let inserted = if n == BATCH {
            let stmt = &mut self.insert_events;
            for (i, r) in self.pending.iter().enumerate() {
                let p = i * 5;
                stmt.raw_bind_parameter(p + 1, r.0)?;
                stmt.raw_bind_parameter(p + 2, r.1)?;
                stmt.raw_bind_parameter(p + 3, r.2)?;
                stmt.raw_bind_parameter(p + 4, r.3)?;
                stmt.raw_bind_parameter(p + 5, r.4)?;
            }
            stmt.raw_execute()?
        } else {
            let mut inserted = 0;
            for r in &self.pending {
                inserted += self.insert_event.execute(params![r.0, r.1, r.2, r.3, r.4])?;
            }
            inserted
        };
        self.report.new_events += inserted as u64;
        self.report.known_events += (n - inserted) as u64;
        self.pending.clear();
        Ok(())
    }

    /// Before reading a stream's stored events: writes its waiting rows.
    fn flush_for(&mut self, stream: i64) -> Result<()> {
        if self.pending.iter().any(|r| r.0 == stream) {
            self.flush()?;
        }
        Ok(())
    }

    /// Applies the rules at the top of this file to one observation: `None` when it is already stored, else the
    /// row to insert (after removing a discrete record it replaces). `fresh` says that the stream's app was
    /// created by this ingest and that no discrete record of this dump was written yet.
    #[allow(clippy::too_many_arguments)]
    fn resolve(
        &mut self,
        stream: i64,
        t: i64,
        duration: Option<i64>,
        source: i64,
        basis: TimeBasis,
        discrete_op: bool,
        fresh: bool,
    ) -> Result<Option<Row>> {
        let origin = source * 4 + basis_code(basis);
        let precision = match (source, basis) {
            (SOURCE_DISCRETE, _) => Some(DISCRETE_QUANTUM_MS),
            (_, TimeBasis::CaptureRelative) => Some(self.tolerance),
            _ => None,
        };
        if source == SOURCE_DISCRETE {
            // Already known as any observation inside its minute?
            self.flush_for(stream)?;
            if self.probe.exists(params![stream, t, t + DISCRETE_QUANTUM_MS - 1])? {
                return Ok(None);
            }
        } else if basis == TimeBasis::CaptureRelative {
            self.flush_for(stream)?;
            if self.probe.exists(params![stream, t - self.tolerance, t + self.tolerance])? {
                return Ok(None);
            }
        } else if discrete_op && !fresh && self.has_discrete {
            // An exact instant replaces the discrete (minute-quantised) record of the same access. Discrete
            // records are written only after every last-access event, so waiting rows hold none.
            let q = t.div_euclid(DISCRETE_QUANTUM_MS) * DISCRETE_QUANTUM_MS;
            if let Some(dt) = self
                .probe_discrete
                .query_row(params![stream, q, q + DISCRETE_QUANTUM_MS - 1], |r| r.get::<_, i64>(0))
                .optional()?
            {
                self.delete_event.execute(params![stream, dt])?;
            }
        }
        Ok(Some((stream, t, duration, origin, precision)))
    }

    /// When an observation happened; `None` (counted in the report) when it cannot be dated or falls before what
    /// retention already rolled up.
    fn date(&mut self, resolved: Option<(i64, TimeBasis)>) -> Option<(i64, TimeBasis)> {
        let Some((t, basis)) = resolved else {
            self.report.undatable_events += 1;
            return None;
        };
        if t < self.watermark {
            self.report.skipped_before_retention += 1;
            return None;
        }
        Some((t, basis))
    }

    /// Applies one batch from the parser thread; the first error is kept and ends the ingest.
    fn apply(&mut self, batch: &mut Batch) {
        self.app_defs.append(&mut batch.apps);
        self.app_slots.resize(self.app_defs.len(), 0);
        self.op_defs.append(&mut batch.ops);
        self.op_slots.resize(self.op_defs.len(), None);
        self.variant_defs.append(&mut batch.variants);
        self.variant_slots.resize(self.variant_defs.len(), 0);
        for item in batch.items.drain(..) {
            if self.err.is_some() {
                return;
            }
            let r = match item {
                Item::Event(e) => self.on_event(&e),
                Item::Discrete(d) => {
                    self.pending_discrete.push(*d);
                    Ok(())
                }
                Item::History(h) => self.on_history(&h),
            };
            self.keep(r);
        }
    }

    fn slot_app(&mut self, key: u32) -> Result<i64> {
        let slot = self.app_slots[key as usize];
        if slot != 0 {
            return Ok(slot);
        }
        // Resolved once per dump: the definition is not needed afterwards.
        let (package, uid) = std::mem::take(&mut self.app_defs[key as usize]);
        let id = self.app_id(&package, uid)?;
        self.app_slots[key as usize] = id;
        Ok(id)
    }

    fn slot_op(&mut self, key: u32) -> Result<(i64, bool)> {
        if let Some(v) = self.op_slots[key as usize] {
            return Ok(v);
        }
        let name = self.op_defs[key as usize].clone();
        let v = self.op_id(&name)?;
        self.op_slots[key as usize] = Some(v);
        Ok(v)
    }

    fn slot_variant(&mut self, key: u32) -> Result<i64> {
        let slot = self.variant_slots[key as usize];
        if slot != 0 {
            return Ok(slot);
        }
        let v = self.variant_defs[key as usize].clone();
        let id = self.variant_id(VariantRef {
            tag: &v.tag,
            state: &v.state,
            flags: &v.flags,
            kind: v.kind,
            proxy_uid: v.proxy_uid,
            proxy_package: &v.proxy_package,
            proxy_tag: &v.proxy_tag,
        })?;
        self.variant_slots[key as usize] = id;
        Ok(id)
    }

    fn on_event(&mut self, e: &Ev) -> Result<()> {
        if e.app == NO_APP {
            self.report.unattributed_events += 1;
            return Ok(());
        }
        let Some((t, basis)) = self.date(e.resolved) else { return Ok(()) };
        let app = self.slot_app(e.app)?;
        let (op, discrete_op) = self.slot_op(e.op)?;
        let variant = self.slot_variant(e.variant)?;
        let stream = stream_id(app, op, variant)?;
        let fresh = self.new_app_ids.contains(&app);
        match self.resolve(stream, t, e.duration, SOURCE_LAST_ACCESS, basis, discrete_op, fresh)? {
            Some(row) => {
                self.pending.push(row);
                if self.pending.len() == BATCH {
                    self.flush()?;
                }
            }
            None => self.report.known_events += 1,
        }
        Ok(())
    }

    fn on_discrete(&mut self, d: &PendingDiscrete) -> Result<()> {
        let Some(package) = d.package.clone().or_else(|| self.package_hint.clone()) else {
            self.report.unattributed_events += 1;
            return Ok(());
        };
        let resolved = match d.utc {
            Some(utc) => Some((utc, TimeBasis::Printed)),
            None => self.capture.resolve(d.local, None),
        };
        let Some((t, basis)) = self.date(resolved) else { return Ok(()) };
        let uid = d.uid.as_deref().and_then(decode_uid).map_or(-1, i64::from);
        let app = self.app_id(&package, uid)?;
        let (op, discrete_op) = self.op_id(&d.op)?;
        let variant = self.variant_id(VariantRef {
            tag: d.tag.as_deref().unwrap_or(""),
            state: d.state.as_deref().unwrap_or(""),
            flags: &d.flags,
            kind: 0,
            proxy_uid: -1,
            proxy_package: "",
            proxy_tag: "",
        })?;
        let stream = stream_id(app, op, variant)?;
        match self.resolve(stream, t, d.duration, SOURCE_DISCRETE, basis, discrete_op, false)? {
            Some(r) if self.insert_event.execute(params![r.0, r.1, r.2, r.3, r.4])? == 1 => {
                self.report.new_discrete_events += 1;
                self.wrote_discrete = true;
            }
            _ => self.report.known_events += 1,
        }
        Ok(())
    }

    fn on_history(&mut self, h: &Hist) -> Result<()> {
        if h.app == NO_APP {
            self.report.unattributed_events += 1;
            return Ok(());
        }
        let (Some(begin), Some(end)) = (h.begin, h.end) else {
            self.report.undatable_events += 1;
            return Ok(());
        };
        let app = self.slot_app(h.app)?;
        let (op, _) = self.slot_op(h.op)?;
        let variant = self.slot_variant(h.variant)?;
        let stream = stream_id(app, op, variant)?;
        self.upsert_bucket.execute(params![stream, begin, end, h.access as i64, h.reject as i64, h.duration])?;
        self.report.history_entries += 1;
        Ok(())
    }

    fn finish(mut self, summary: &crate::model::ParseSummary) -> Result<IngestReport> {
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.flush()?;
        self.flush_apps()?;
        self.capture.dump_time_local = summary.dump_time_local;
        for d in std::mem::take(&mut self.pending_discrete) {
            self.on_discrete(&d)?;
        }
        self.flush_apps()?;
        if self.wrote_discrete && !self.has_discrete {
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('discrete_events', '1')", [])?;
        }
        // Known apps seen again, BATCH ids per statement. Not `json_each`: the Android library is built without
        // SQLite's JSON functions (rust/jni/libsqlite3-flags).
        for ids in self.touched.chunks(BATCH) {
            let marks = vec!["?"; ids.len()].join(",");
            let sql = format!("UPDATE apps SET last_seen_ms = max(last_seen_ms, ?) WHERE id IN ({marks})");
            let mut stmt = self.conn.prepare_cached(&sql)?;
            stmt.execute(rusqlite::params_from_iter(std::iter::once(self.seen_ms).chain(ids.iter().copied())))?;
        }
        Ok(self.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_hour_zone_offset_gives_the_same_instants_as_the_zone_rules() {
        for zone in ["Europe/Berlin", "Australia/Lord_Howe", "America/St_Johns", "UTC", "Asia/Kathmandu"] {
            let tz = jiff::tz::TimeZone::get(zone).expect("zone");
            let capture =
                CaptureContext { captured_at_utc_ms: Some(1_774_826_873_087), zone: Some(tz), ..Default::default() };
            let (tx, _rx) = sync_channel(1);
            let mut collector = Collector::new(tx, capture.clone(), None);
            // Every 7 minutes 13 seconds over two years of local time, across every transition of those years.
            let start = LocalTime::parse(b"2025-01-01 00:00:00.000").expect("local").0 .0;
            let mut t = start;
            while t < start + 2 * 366 * 86_400_000 {
                let local = Some(LocalTime(t));
                assert_eq!(collector.resolve(local, Some(-5)), capture.resolve(local, Some(-5)), "{zone} {t}");
                t += 433_000 + 17;
            }
        }
    }
}
