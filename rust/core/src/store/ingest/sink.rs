//! The writer side: applies parsed items to the database, with the dedupe rules of the module above.

use rusqlite::{params, OptionalExtension, Statement, Transaction};

use super::pipeline::{Batch, Ev, Hist, Item, PendingDiscrete, NO_APP};
use super::variant::{Variant, VariantRef};
use super::{
    basis_code, IngestOptions, IngestReport, DISCRETE_OPS, DISCRETE_QUANTUM_MS, SOURCE_DISCRETE, SOURCE_LAST_ACCESS,
};
use crate::error::{Error, Result};
use crate::model::decode_uid;
use crate::ops;
use crate::store::ids::{stream_id, FxHashMap, FxHashSet, MAX_OP_ID, MAX_VARIANT_ID};
use crate::store::now_ms;
use crate::time::{CaptureContext, LocalTime, TimeBasis};

/// 2008-01-01T00:00Z, before the first Android phone: no earlier instant is a real access. Some builds print an op
/// whose last access time is 0 (never) as that long ago (`time=+20166d8h20m24s861ms ago`), which would otherwise
/// be stored as an access on 1970-01-01.
const EARLIEST_ACCESS_MS: i64 = 1_199_145_600_000;

/// The Android user of a uid (`UserHandle.getUserId`: uid / 100000); 0 when the dump did not name the uid (-1).
fn user_of(uid: i64) -> i64 {
    if uid >= 0 {
        uid / 100_000
    } else {
        0
    }
}

/// One `events` row waiting for its batch.
type Row = (i64, i64, Option<i64>, i64, Option<i64>);

/// Rows per multi-row INSERT.
pub(super) const BATCH: usize = 256;

/// The visitor that writes. SQL errors are kept and returned at the end (a visitor cannot fail mid-stream);
/// after the first one nothing more is written and the transaction is rolled back.
///
/// Stream identity costs no SQL: apps of the device, ops and variants are loaded once, new ones are inserted as
/// met, and the stream id is computed from the three ids (`ids.rs`). Last-access events are written in batches of
/// [`BATCH`] rows per statement; a batch is flushed before any probe of a stream it holds, so probes see every
/// earlier row of the dump.
pub(super) struct Sink<'t> {
    conn: &'t rusqlite::Connection,
    device_id: i64,
    /// What dates the records held back to the dump's end (discrete accesses, history rows that need its "now"):
    /// set by [`Sink::finish`], once the zone and the dump's "now" are known.
    capture: CaptureContext,
    package_hint: Option<String>,
    tolerance: i64,
    watermark: i64,
    seen_ms: i64,
    pub(super) err: Option<Error>,
    report: IngestReport,
    /// The device's installations: (package, uid) → app id.
    apps: FxHashMap<(String, i64), i64>,
    next_app_id: i64,
    /// New apps not yet written (ids assigned), written [`BATCH`] per statement.
    pending_apps: Vec<(i64, String, i64)>,
    /// Apps inserted by this ingest: none of their streams has a stored event yet.
    new_app_ids: FxHashSet<i64>,
    /// Whether the database holds (or ever held) a discrete record (`meta` key `discrete_events`): without one
    /// there is nothing for a last-access instant to replace, and no probe is needed.
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
    /// Last-access events whose instant needs the dump's inferred "now" ([`Item::LateEvent`]).
    pending_events: Vec<(Ev, LocalTime, Option<i64>)>,
    /// History windows whose ends need the dump's inferred "now", as discrete accesses may.
    pending_history: Vec<Hist>,
    /// This dump's history counts, (stream, begin, end, access, reject, duration), written at its end: the newest
    /// (SQLite) history prints a bucket's counts in several rows, which add up.
    buckets: Vec<(i64, i64, i64, u64, u64, i64)>,
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
    /// [`Sink::probe`] among last-access rows only.
    probe_last_access: Statement<'t>,
    probe_discrete: Statement<'t>,
    delete_event: Statement<'t>,
    upsert_bucket: Statement<'t>,
}

impl<'t> Sink<'t> {
    pub(super) fn new(tx: &'t Transaction<'_>, device_id: i64, opts: &IngestOptions, watermark: i64) -> Result<Self> {
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
            variant_by_hash.entry(v.borrowed().hash64()).or_insert(id);
            variants.push(v);
        }
        drop(rows);
        drop(stmt);
        let values = vec!["(?, ?, ?, ?, ?)"; BATCH].join(", ");
        Ok(Sink {
            conn: tx,
            device_id,
            capture: CaptureContext::default(),
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
            pending_events: Vec::new(),
            pending_history: Vec::new(),
            buckets: Vec::new(),
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
                 ON CONFLICT(name) DO UPDATE SET info_type = excluded.info_type, sensitive = excluded.sensitive \
                 RETURNING id",
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
            probe_last_access: tx.prepare(
                "SELECT 1 FROM events WHERE stream_id = ?1 AND t BETWEEN ?2 AND ?3 AND origin / 4 = 0 LIMIT 1",
            )?,
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
                stmt.raw_bind_parameter(p + 5, user_of(*uid))?;
            }
            stmt.raw_bind_parameter(BATCH * 5 + 1, self.seen_ms)?;
            stmt.raw_execute()?;
        } else {
            for (id, package, uid) in &self.pending_apps {
                self.insert_app.execute(params![id, self.device_id, package, uid, user_of(*uid), self.seen_ms])?;
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

    /// The variants that differ from `variant` in their proxy alone, one way or the other: for a proxied one, the
    /// same without a proxy; for one without, every proxied one. AOSP prints no proxy in the discrete history, so the
    /// discrete record of a proxied access (flags `tpd`, `upd`) sits in the stream of the variant without one, beside
    /// the last-access instant of the same access in the proxied stream.
    fn proxy_siblings(&self, variant: i64) -> Vec<i64> {
        let Some(v) = self.variants.get(variant as usize) else { return Vec::new() };
        // Only proxied records (`tpd`, `upd`) have such siblings; the rest, nearly all, skip the scan.
        if !v.flags.split('|').any(|f| f == "tpd" || f == "upd") {
            return Vec::new();
        }
        let proxied = |x: &Variant| x.proxy_uid != -1 || !x.proxy_package.is_empty() || !x.proxy_tag.is_empty();
        let want_proxy = !proxied(v);
        self.variants
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, x)| {
                proxied(x) == want_proxy
                    && x.kind == v.kind
                    && x.tag == v.tag
                    && x.state == v.state
                    && x.flags == v.flags
            })
            .map(|(i, _)| i as i64)
            .collect()
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

    /// Applies the rules at the top of this file to one observation of `(app, op, variant)`: `None` when it is
    /// already stored, else the row to insert (after removing a discrete record it replaces). `fresh` says that the
    /// stream's app was created by this ingest and that no discrete record of this dump was written yet. A discrete
    /// record and a last-access instant are matched in the observation's own stream and in the streams that differ
    /// from it in the proxy alone ([`Sink::proxy_siblings`]).
    #[allow(clippy::too_many_arguments)]
    fn resolve(
        &mut self,
        (app, op, variant): (i64, i64, i64),
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
            // A local time shifted by (capture instant − the dump's own "now") is as exact as the capture instant,
            // as a relative time counted from it is (a last access whose relative time was a misprint).
            (_, TimeBasis::CaptureRelative | TimeBasis::LocalWithInferredOffset) => Some(self.tolerance),
            _ => None,
        };
        let approximate = precision.is_some();
        let stream = stream_id(app, op, variant)?;
        if source == SOURCE_DISCRETE {
            // Already known as any observation inside its minute?
            for same in self.same_access_streams(stream, app, op, variant)? {
                self.flush_for(same)?;
                if self.probe.exists(params![same, t, t + DISCRETE_QUANTUM_MS - 1])? {
                    return Ok(None);
                }
            }
        } else {
            if approximate {
                // The same last access, stored before from another capture instant. Not a discrete record near the
                // start of its minute: that one the last access replaces, below, as in the other order.
                self.flush_for(stream)?;
                if self.probe_last_access.exists(params![stream, t - self.tolerance, t + self.tolerance])? {
                    return Ok(None);
                }
            }
            if !(discrete_op && !fresh && (self.has_discrete || self.wrote_discrete)) {
                return Ok(Some((stream, t, duration, origin, precision)));
            }
            // A last-access instant replaces the discrete (minute-quantised) record of the same access, whichever
            // came first. Discrete records are written directly, never among the waiting rows.
            let q = t.div_euclid(DISCRETE_QUANTUM_MS) * DISCRETE_QUANTUM_MS;
            for same in self.same_access_streams(stream, app, op, variant)? {
                if let Some(dt) = self
                    .probe_discrete
                    .query_row(params![same, q, q + DISCRETE_QUANTUM_MS - 1], |r| r.get::<_, i64>(0))
                    .optional()?
                {
                    self.delete_event.execute(params![same, dt])?;
                }
            }
        }
        Ok(Some((stream, t, duration, origin, precision)))
    }

    /// `stream`, then the streams of the variants that differ from it in the proxy alone (none, without allocating,
    /// for nearly every observation).
    fn same_access_streams(&self, stream: i64, app: i64, op: i64, variant: i64) -> Result<impl Iterator<Item = i64>> {
        let siblings =
            self.proxy_siblings(variant).into_iter().map(|v| stream_id(app, op, v)).collect::<Result<Vec<_>>>()?;
        Ok(std::iter::once(stream).chain(siblings))
    }

    /// When an observation happened; `None` (counted in the report) when it cannot be dated or falls before what
    /// retention already rolled up.
    fn date(&mut self, resolved: Option<(i64, TimeBasis)>) -> Option<(i64, TimeBasis)> {
        let Some((t, basis)) = resolved.filter(|(t, _)| *t >= EARLIEST_ACCESS_MS) else {
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
    pub(super) fn apply(&mut self, batch: &mut Batch) {
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
                Item::LateEvent(e) => {
                    self.pending_events.push(*e);
                    Ok(())
                }
                Item::Discrete(d) if d.resolved.is_some() => self.on_discrete(&d),
                Item::Discrete(d) => {
                    self.pending_discrete.push(*d);
                    Ok(())
                }
                Item::History(h) if h.begin.is_none() || h.end.is_none() => {
                    self.pending_history.push(*h);
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
        let id = self.variant_id(v.borrowed())?;
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
        // Its app created by this ingest, so none of its streams has a stored event, unless a discrete record of
        // this dump was written.
        let fresh = self.new_app_ids.contains(&app) && !self.wrote_discrete;
        match self.resolve((app, op, variant), t, e.duration, SOURCE_LAST_ACCESS, basis, discrete_op, fresh)? {
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
        let resolved = d.resolved.or_else(|| self.capture.resolve(d.local, None));
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
        match self.resolve((app, op, variant), t, d.duration, SOURCE_DISCRETE, basis, discrete_op, false)? {
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
        self.buckets.push((stream, begin, end, h.access, h.reject, h.duration));
        self.report.history_entries += 1;
        Ok(())
    }

    /// The dump's history counts: rows of one stream and window added up (AOSP's SQLite history has a row per
    /// device, attribution chain and duration, and a new row each time a dump flushed its cache while the bucket was
    /// open; the older history has one per key and window, which this leaves as it is). Across dumps a window keeps
    /// its larger counts: a later dump's total for it includes what an earlier one saw.
    fn write_buckets(&mut self) -> Result<()> {
        let mut rows = std::mem::take(&mut self.buckets);
        crate::sort::sort_by(&mut rows, |a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        let mut rows = rows.into_iter().peekable();
        while let Some((stream, begin, end, mut access, mut reject, mut duration)) = rows.next() {
            while let Some(next) = rows.next_if(|n| (n.0, n.1, n.2) == (stream, begin, end)) {
                access = access.saturating_add(next.3);
                reject = reject.saturating_add(next.4);
                duration = duration.saturating_add(next.5);
            }
            let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            self.upsert_bucket.execute(params![stream, begin, end, count(access), count(reject), duration])?;
        }
        Ok(())
    }

    /// Writes what is left: the held-back records, dated with `capture` (the zone and capture instant as known at
    /// the dump's end) and the dump's own "now".
    pub(super) fn finish(
        mut self,
        summary: &crate::model::ParseSummary,
        capture: &CaptureContext,
    ) -> Result<IngestReport> {
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.flush()?;
        self.flush_apps()?;
        self.capture = capture.clone();
        summary.give_dump_time(&mut self.capture);
        for (mut e, local, relative_ms) in std::mem::take(&mut self.pending_events) {
            e.resolved = self.capture.resolve(Some(local), relative_ms);
            self.on_event(&e)?;
        }
        self.flush()?;
        for d in std::mem::take(&mut self.pending_discrete) {
            self.on_discrete(&d)?;
        }
        for mut h in std::mem::take(&mut self.pending_history) {
            let w = &h.window;
            h.begin = h.begin.or_else(|| self.capture.resolve(w.begin_local, w.begin_relative_ms).map(|r| r.0));
            h.end = h.end.or_else(|| self.capture.resolve(w.end_local, w.end_relative_ms).map(|r| r.0));
            self.on_history(&h)?;
        }
        self.write_buckets()?;
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
