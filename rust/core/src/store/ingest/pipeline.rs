//! The parser thread: reads chunks from the writer thread, parses, interns and sends compact batches back.

use std::hash::{DefaultHasher, Hasher};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::model::{
    decode_uid, Context, DiscreteRef, EventKind, EventRef, HistoryEntryRef, HistoryWindowRef, ProxyRef, Visitor,
};
use crate::parse::parse_reader;
use crate::store::ids::FxHashMap;
use crate::time::{CaptureContext, LocalTime, TimeBasis};

use super::sink::Sink;
use super::variant::{same, Variant, VariantRef};

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
/// parse summary, the content hasher and the byte count. A read error ends the parse and is returned, except
/// `UnexpectedEof` (an input cut short), which ends it as truncated.
pub(super) fn parse_beside<R: Read>(
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
    // The input was cut short (a gzip stream or zip entry that stops before its end): what came before the cut is
    // parsed, and the parser told so, as when it reads such an input itself.
    let cut_short = &AtomicBool::new(false);
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
                    cut_short,
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
                        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                            cut_short.store(true, Ordering::Release);
                            chunk_tx = None;
                            continue;
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
pub(super) fn apply(sink: &mut Sink<'_>, mut batch: Batch, spares: &Sender<Batch>) {
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
struct ChannelReader<'a> {
    rx: Receiver<Vec<u8>>,
    spares: Sender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    hasher: DefaultHasher,
    /// Set before the channel closes when the input was cut short: its end is then `UnexpectedEof`.
    cut_short: &'a AtomicBool,
}

impl Read for ChannelReader<'_> {
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
                Err(_) if self.cut_short.load(Ordering::Acquire) => {
                    return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the input was cut short"))
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
pub(super) const NO_APP: u32 = u32::MAX;

/// A last-access observation as the parser thread hands it over: interned ids (see [`Batch`]) and the instant
/// already resolved.
pub(super) struct Ev {
    pub(super) app: u32,
    pub(super) op: u32,
    pub(super) variant: u32,
    pub(super) resolved: Option<(i64, TimeBasis)>,
    pub(super) duration: Option<i64>,
}

/// An aggregate window, owned, with interned ids.
pub(super) struct Hist {
    pub(super) app: u32,
    pub(super) op: u32,
    pub(super) variant: u32,
    pub(super) begin: Option<i64>,
    pub(super) end: Option<i64>,
    /// The window as printed, for an end that needs the dump's inferred "now" (a local time with neither a zone nor a
    /// relative time: the SQLite history's rows), known only at the end of the dump.
    pub(super) window: HistoryWindowRef,
    pub(super) access: u64,
    pub(super) reject: u64,
    pub(super) duration: i64,
}

pub(super) enum Item {
    Event(Ev),
    /// An event that could not be dated as it came: a local time whose relative time is a misprint, with no zone.
    /// Its instant needs the dump's inferred "now", known only at the end of the dump (as a discrete access's does).
    LateEvent(Box<(Ev, LocalTime, Option<i64>)>),
    Discrete(Box<PendingDiscrete>),
    History(Box<Hist>),
}

/// Parsed items in input order, with the definitions of the ids first used in them: the i-th package (with
/// uid), op and variant the parser thread ever met have id i.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) apps: Vec<(String, i64)>,
    pub(super) ops: Vec<String>,
    pub(super) variants: Vec<Variant>,
    pub(super) items: Vec<Item>,
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
    pub(super) fn new(tx: SyncSender<Batch>, capture: CaptureContext, package_hint: Option<String>) -> Collector {
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
                    // Not for an hour that holds a transition or lies in one: the repeated hour of a fall-back
                    // names two instants, which the event's relative time tells apart (`CaptureContext::resolve`).
                    let (first, last) = (LocalTime(start), LocalTime(end));
                    let offset = match (first.to_utc_ms(zone), last.to_utc_ms(zone)) {
                        (Some(a), Some(b))
                            if start - a == end - b
                                && first.is_unambiguous_in(zone)
                                && last.is_unambiguous_in(zone) =>
                        {
                            Some(start - a)
                        }
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
            if relative_ms.is_some() && !l.is_unambiguous_in(zone) {
                // In a repeated hour the relative time tells the two instants apart, counted from the dump's own
                // "now", which is known only at its end: held back to then ([`Item::LateEvent`]).
                return None;
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
    /// A zone the bugreport states, before any event: it dates them when the caller gave none.
    fn device_zone(&mut self, zone: &str) {
        if self.capture.zone.is_none() {
            self.capture.zone = crate::time::known_zone(zone);
            self.zone_hours.clear();
        }
    }

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
        let ev = Ev { app, op, variant, resolved, duration: e.duration_ms };
        match (resolved, e.time_local) {
            (None, Some(local)) => self.push(Item::LateEvent(Box::new((ev, local, e.relative_ms)))),
            _ => self.push(Item::Event(ev)),
        }
    }

    fn discrete(&mut self, d: &DiscreteRef<'_>) {
        // Dated here when it can be (printed as an instant, or a local time with the zone), as events are, so that it
        // is written as it comes and memory does not grow with the discrete history. Without a zone a local time
        // needs the dump's inferred "now", which this thread never knows: such a record is held back to the end.
        let resolved = match d.time_utc_ms {
            Some(utc) => Some((utc, TimeBasis::Printed)),
            None => self.resolve(d.time_local, None),
        };
        self.push(Item::Discrete(Box::new(PendingDiscrete {
            uid: d.uid.map(str::to_owned),
            package: d.package.map(str::to_owned),
            op: d.op.to_owned(),
            tag: d.attribution_tag.map(str::to_owned),
            state: d.uid_state.map(str::to_owned),
            flags: d.flags.to_owned(),
            local: d.time_local,
            resolved,
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
            window: e.window,
            access: e.access_count,
            reject: e.reject_count,
            duration: e.duration_ms,
        })));
    }
}

/// A discrete access kept until the end of the dump, when its instant needs the dump's inferred "now".
pub(super) struct PendingDiscrete {
    pub(super) uid: Option<String>,
    pub(super) package: Option<String>,
    pub(super) op: String,
    pub(super) tag: Option<String>,
    pub(super) state: Option<String>,
    pub(super) flags: String,
    pub(super) local: Option<LocalTime>,
    /// Its instant, when it could be told as it came ([`Collector::discrete`]).
    pub(super) resolved: Option<(i64, TimeBasis)>,
    pub(super) duration: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parser_threads_input_gives_every_byte_in_order_whatever_the_read_sizes() {
        // The parser always asks for more than a chunk (its block buffer keeps over 64 KiB free), so it takes every
        // chunk whole; smaller reads, taking a chunk in pieces, must give the same bytes.
        let chunks: Vec<Vec<u8>> =
            (0..5u8).map(|k| (0..1000 + 333 * u32::from(k)).map(|i| (i % 251) as u8 ^ k).collect()).collect();
        let expected: Vec<u8> = chunks.concat();
        for size in [1, 7, 500, 1000, 4096] {
            let (tx, rx) = channel();
            let (spares, _spares_rx) = channel();
            for c in &chunks {
                tx.send(c.clone()).expect("send");
            }
            drop(tx);
            let cut_short = &AtomicBool::new(false);
            let mut input =
                ChannelReader { rx, spares, chunk: Vec::new(), pos: 0, hasher: DefaultHasher::new(), cut_short };
            let (mut got, mut buf) = (Vec::new(), vec![0; size]);
            loop {
                let n = input.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, expected, "reads of {size}");
        }
    }

    /// Discrete records are dated as they come when they can be (the zone known, or printed as instants), so that
    /// the writer stores them then instead of holding every one to the dump's end; without a zone, a local time
    /// waits for the dump's own "now".
    #[test]
    fn discrete_records_are_dated_as_they_come_when_they_can_be() {
        let local = LocalTime::parse(b"2026-03-01 09:00:00.000").expect("local").0;
        let record = |time_local, time_utc_ms| DiscreteRef {
            uid: Some("10123"),
            package: Some("org.example"),
            op: "CAMERA",
            attribution_tag: None,
            uid_state: Some("top"),
            flags: "s",
            time_local,
            time_utc_ms,
            duration_ms: None,
            proxy: None,
            device_id: None,
            attribution_flags: None,
            chain_id: None,
        };
        let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").expect("zone");
        let resolved = |zone: Option<jiff::tz::TimeZone>, d: DiscreteRef<'_>| {
            let capture = CaptureContext { captured_at_utc_ms: Some(1_772_330_000_000), zone, ..Default::default() };
            let (tx, _rx) = sync_channel(1);
            let mut collector = Collector::new(tx, capture, None);
            collector.discrete(&d);
            match collector.batch.items.pop() {
                Some(Item::Discrete(d)) => d.resolved,
                _ => panic!("a discrete item"),
            }
        };
        let at_nine_in_shanghai = Some((1_772_326_800_000, TimeBasis::LocalWithZone));
        assert_eq!(resolved(Some(shanghai), record(Some(local), None)), at_nine_in_shanghai);
        assert_eq!(resolved(None, record(Some(local), None)), None, "waits for the dump's own \"now\"");
        assert_eq!(resolved(None, record(None, Some(42))), Some((42, TimeBasis::Printed)));
    }

    #[test]
    fn the_per_hour_zone_offset_gives_the_same_instants_as_the_zone_rules() {
        // The last is made up: a 20-minute shift at 01:10, so that an hour (01:00-02:00 in March) holds a whole
        // transition with both its ends outside it, two offsets and no ambiguous end.
        let made_up = "XST0XDT-0:20,M3.5.0/1:10,M10.5.0/1:10";
        for zone in ["Europe/Berlin", "Australia/Lord_Howe", "America/St_Johns", "UTC", "Asia/Kathmandu", made_up] {
            let tz = if zone == made_up { jiff::tz::TimeZone::posix(zone) } else { jiff::tz::TimeZone::get(zone) };
            let tz = tz.expect("zone");
            let capture =
                CaptureContext { captured_at_utc_ms: Some(1_774_826_873_087), zone: Some(tz), ..Default::default() };
            let (tx, _rx) = sync_channel(1);
            let mut collector = Collector::new(tx, capture.clone(), None);
            // Every 7 minutes 13 seconds over two years of local time, across every transition of those years. A time
            // in a repeated hour with a relative time waits for the dump's own "now", which tells its two instants
            // apart: the same as the zone rules with no relative time, or nothing yet.
            let start = LocalTime::parse(b"2025-01-01 00:00:00.000").expect("local").0 .0;
            let (mut t, mut held_back) = (start, 0);
            while t < start + 2 * 366 * 86_400_000 {
                let local = LocalTime(t);
                let (with, without) = (collector.resolve(Some(local), Some(-5)), collector.resolve(Some(local), None));
                assert_eq!(without, capture.resolve(Some(local), None), "{zone} {t}");
                if local.is_unambiguous_in(capture.zone.as_ref().expect("zone")) {
                    assert_eq!(with, capture.resolve(Some(local), Some(-5)), "{zone} {t}");
                } else {
                    assert_eq!(with, None, "{zone} {t}");
                    held_back += 1;
                }
                t += 433_000 + 17;
            }
            let transitions = !matches!(zone, "UTC" | "Asia/Kathmandu");
            assert_eq!(held_back > 0, transitions, "{zone}: {held_back} held back");
        }
    }
}
