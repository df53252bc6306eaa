//! Reads for screens, the CLI and the analysis. Shapes are the JSON contract (docs/json.md).

use std::sync::Arc;

use rusqlite::{params, Connection};
use serde::Serialize;

use super::ids::app_range;
use super::ingest::SOURCE_DISCRETE;
use super::Store;
use crate::by_key::ByKey;
use crate::error::{Error, Result};
use crate::ops::InfoType;
use crate::time::LocalTime;

/// Whether the app could be seen when it made an access, from its uid state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// `top`: on screen.
    Visible,
    /// `fgsvc`, `fgsvcl`: a foreground service, shown as a notification.
    ForegroundService,
    /// `fg`, `pers`: foreground for the system (bound by a visible app, or a persistent system process).
    Foreground,
    /// `bg`, `cch`, `gone`: not visible, no foreground service.
    Background,
    /// No state printed (Android 8.1 and older, `appops get`) or an OEM state.
    Unknown,
}

impl Visibility {
    /// The platform's foreground: every state up to and including `fg`.
    pub fn is_foreground(self) -> Option<bool> {
        match self {
            Visibility::Visible | Visibility::ForegroundService | Visibility::Foreground => Some(true),
            Visibility::Background => Some(false),
            Visibility::Unknown => None,
        }
    }
}

/// Classifies a printed uid state.
pub fn visibility(uid_state: &str) -> Visibility {
    match uid_state {
        "top" => Visibility::Visible,
        "fgsvc" | "fgsvcl" => Visibility::ForegroundService,
        "fg" | "pers" => Visibility::Foreground,
        "bg" | "cch" | "gone" => Visibility::Background,
        _ => Visibility::Unknown,
    }
}

/// One event of a timeline. Text fields are shared with the other events of the same stream (`Arc`), so a
/// 10,000-event timeline allocates per stream, not per event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    pub op: Arc<str>,
    pub info_type: Arc<str>,
    pub kind: &'static str,
    pub start_utc_ms: i64,
    pub duration_ms: Option<i64>,
    pub uid_state: Option<Arc<str>>,
    pub visibility: Visibility,
    pub foreground: Option<bool>,
    pub flags: Arc<[String]>,
    pub attribution_tag: Option<Arc<str>>,
    pub proxy_package: Option<Arc<str>>,
    pub proxy_uid: Option<i64>,
    pub uid: Option<i64>,
    /// `last_access` or `discrete`.
    pub source: &'static str,
    /// The rule that gave `start_utc_ms` (docs/time.md).
    pub time_basis: crate::time::TimeBasis,
    pub precision_ms: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OpCount {
    pub op: String,
    pub info_type: String,
    pub access: u64,
    pub reject: u64,
    /// Accesses (not rejects) while the app was in the foreground / background / in an unknown state.
    pub foreground: u64,
    pub background: u64,
    pub unknown_state: u64,
    /// Accesses in the range known only as hourly/daily counts after retention.
    pub rolled_up: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub package: String,
    /// The range asked for; `null` when unbounded.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub uids: Vec<i64>,
    pub events: Vec<TimelineEvent>,
    pub per_op: Vec<OpCount>,
    pub access: u64,
    pub reject: u64,
    pub foreground: u64,
    pub background: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastAccess {
    pub op: String,
    pub info_type: String,
    pub t: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppSummary {
    pub package: String,
    pub label: Option<String>,
    pub category: Option<String>,
    pub system: bool,
    pub uids: Vec<i64>,
    pub last_access: Option<LastAccess>,
    /// The most recent access to sensitive personal information (op catalog's judgement).
    pub last_sensitive_access: Option<LastAccess>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InfoTypeAccess {
    pub package: String,
    pub label: Option<String>,
    pub access: u64,
    pub reject: u64,
    pub foreground: u64,
    pub background: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub ops: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DailyCount {
    /// `YYYY-MM-DD` in the device's zone.
    pub date: String,
    pub package: String,
    pub op: String,
    pub info_type: String,
    pub access: u64,
    pub reject: u64,
    /// Of `access` + `reject`, how many are known only as counts after retention. Hourly counts fall on the local
    /// date of their hour; daily counts (UTC days) on the local date of the day's start.
    pub rolled_up: u64,
}

/// What `who_accessed` and `daily_counts` read of each event ([`event_row`]); `timeline` reads every field its own way.
const EVENT_COLUMNS: &str = "a.package, o.name, o.info_type, v.kind, v.uid_state, e.t";

/// Joins decoding a stream id `X` (`ids.rs`): its app `a`, op `o` and variant `v`.
macro_rules! decode_joins {
    ($x:literal) => {
        concat!(
            "JOIN apps a ON a.id = ",
            $x,
            " >> 32 JOIN ops o ON o.id = (",
            $x,
            " >> 20) & 4095 ",
            "JOIN variants v ON v.id = ",
            $x,
            " & 1048575"
        )
    };
}

/// Every stream with events (ids ascending) inside `[?lo, ?hi]`, one primary-key seek each: a recursive skip
/// over `events` instead of a registry table. `$lo` and `$hi` are SQL expressions.
macro_rules! streams_between {
    ($lo:literal, $hi:literal) => {
        concat!(
            "WITH RECURSIVE s(id) AS (SELECT (SELECT stream_id FROM events WHERE stream_id >= ",
            $lo,
            " AND stream_id <= ",
            $hi,
            " ORDER BY stream_id LIMIT 1) UNION ALL SELECT (SELECT stream_id FROM events ",
            "WHERE stream_id > s.id AND stream_id <= ",
            $hi,
            " ORDER BY stream_id LIMIT 1) FROM s WHERE s.id IS NOT NULL) "
        )
    };
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn shared(s: String) -> Option<Arc<str>> {
    (!s.is_empty()).then(|| Arc::from(s))
}

/// One event as the counting queries see it ([`EVENT_COLUMNS`]).
struct EventRow {
    package: String,
    op: String,
    info_type: String,
    access: bool,
    foreground: Option<bool>,
    t: i64,
}

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        package: r.get(0)?,
        op: r.get(1)?,
        info_type: r.get(2)?,
        access: r.get::<_, i64>(3)? == 0,
        foreground: visibility(&r.get::<_, String>(4)?).is_foreground(),
        t: r.get(5)?,
    })
}

/// Counts one event at `t`: an access (with where the app was) or a refused attempt.
fn tally(count: &mut OpCount, access: bool, foreground: Option<bool>, t: i64) {
    if access {
        count.access += 1;
        // The split is of accesses: a refused attempt took nothing, wherever the app was.
        match foreground {
            Some(true) => count.foreground += 1,
            Some(false) => count.background += 1,
            None => count.unknown_state += 1,
        }
    } else {
        count.reject += 1;
    }
    count.first_ms = Some(count.first_ms.map_or(t, |f| f.min(t)));
    count.last_ms = Some(count.last_ms.map_or(t, |l| l.max(t)));
}

/// Adds one stream's counts to its op's.
fn merge(total: &mut OpCount, c: &OpCount) {
    total.access += c.access;
    total.reject += c.reject;
    total.foreground += c.foreground;
    total.background += c.background;
    total.unknown_state += c.unknown_state;
    total.first_ms = match (total.first_ms, c.first_ms) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    total.last_ms = match (total.last_ms, c.last_ms) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
}

impl Store {
    /// One app's timeline over `[from_ms, to_ms)`: every stored event, ordered by time, with per-op counts and
    /// the foreground/background split. All installations (uids) of the package are included.
    pub fn timeline(&self, package: &str, from_ms: i64, to_ms: i64) -> Result<Timeline> {
        self.read(|c| timeline(c, package, from_ms, to_ms))
    }

    /// Who accessed one kind of information over `[from_ms, to_ms)`, most accesses first.
    pub fn who_accessed(&self, info_type: InfoType, from_ms: i64, to_ms: i64) -> Result<Vec<InfoTypeAccess>> {
        self.read(|c| who_accessed(c, info_type, from_ms, to_ms))
    }

    /// The labels of the devices in this database, in the order they were first stored.
    pub fn device_labels(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT label FROM devices ORDER BY id")?;
            let labels = stmt.query_map([], |r| r.get(0))?;
            Ok(labels.collect::<rusqlite::Result<Vec<String>>>()?)
        })
    }

    /// Every app seen in a dump or the inventory, with its most recent (sensitive) access: newest sensitive access
    /// first (apps with none last), then by label as a person reads it (else the package), then by package.
    pub fn apps(&self) -> Result<Vec<AppSummary>> {
        self.read(apps)
    }

    /// Accesses and rejects per day, app and op over `[from_ms, to_ms)`, for charts. Days are in `zone` (an IANA id),
    /// or the device's zone when `None` (UTC if unknown).
    pub fn daily_counts(&self, from_ms: i64, to_ms: i64, zone: Option<&str>) -> Result<Vec<DailyCount>> {
        self.read(|c| daily_counts(c, from_ms, to_ms, zone))
    }

    /// The device zone recorded at the last ingest, if any.
    pub fn device_zone(&self) -> Result<Option<String>> {
        self.read(device_zone)
    }
}

pub(super) fn device_zone(c: &Connection) -> Result<Option<String>> {
    Ok(c.query_row("SELECT zone FROM devices WHERE zone IS NOT NULL ORDER BY last_seen_ms DESC LIMIT 1", [], |r| {
        r.get(0)
    })
    .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?)
}

pub(super) fn timeline(c: &Connection, package: &str, from_ms: i64, to_ms: i64) -> Result<Timeline> {
    let bounded = |t: i64| (t != i64::MIN && t != i64::MAX).then_some(t);
    let mut tl = Timeline {
        package: package.to_owned(),
        from_ms: bounded(from_ms),
        to_ms: bounded(to_ms),
        ..Timeline::default()
    };
    let mut uids = c.prepare_cached("SELECT DISTINCT uid FROM apps WHERE package = ?1 AND uid >= 0 ORDER BY uid")?;
    tl.uids = uids.query_map([package], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    // Two steps, both on primary keys: the app's streams (each installation's range of stream ids, skipped through
    // one seek per stream), then each stream's range of `events`. Sorting in Rust and sharing each stream's text
    // between its events is what keeps a 10,000-event timeline in a few ms.
    let mut installs = c.prepare_cached("SELECT id, uid FROM apps WHERE package = ?1")?;
    let installs: Vec<(i64, i64)> =
        installs.query_map([package], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut streams_stmt = c.prepare_cached(concat!(
        streams_between!("?1", "?2"),
        "SELECT s.id, o.name, o.info_type, v.kind, v.uid_state, v.flags, v.attribution_tag, v.proxy_package, \
         v.proxy_uid FROM s JOIN ops o ON o.id = (s.id >> 20) & 4095 JOIN variants v ON v.id = s.id & 1048575 \
         WHERE s.id IS NOT NULL"
    ))?;
    let mut streams: Vec<(i64, TimelineEvent)> = Vec::new();
    for (app, uid) in installs {
        let (lo, hi) = app_range(app);
        let rows = streams_stmt.query_map(params![lo, hi], |r| {
            let state: String = r.get(4)?;
            let vis = visibility(&state);
            let proxy_uid: i64 = r.get(8)?;
            Ok((
                r.get::<_, i64>(0)?,
                TimelineEvent {
                    op: Arc::from(r.get::<_, String>(1)?),
                    info_type: Arc::from(r.get::<_, String>(2)?),
                    kind: if r.get::<_, i64>(3)? == 0 { "access" } else { "reject" },
                    start_utc_ms: 0,
                    duration_ms: None,
                    uid_state: shared(state),
                    visibility: vis,
                    foreground: vis.is_foreground(),
                    flags: crate::model::split_flags(&r.get::<_, String>(5)?).into(),
                    attribution_tag: shared(r.get(6)?),
                    proxy_package: shared(r.get(7)?),
                    proxy_uid: (proxy_uid >= 0).then_some(proxy_uid),
                    uid: (uid >= 0).then_some(uid),
                    source: "last_access",
                    time_basis: crate::time::TimeBasis::LocalWithZone,
                    precision_ms: None,
                },
            ))
        })?;
        for row in rows {
            streams.push(row?);
        }
    }
    let mut events_stmt = c.prepare_cached(
        "SELECT t, duration_ms, origin, precision_ms FROM events WHERE stream_id = ?1 AND t >= ?2 AND t < ?3",
    )?;
    let mut per_op: ByKey<String, OpCount> = ByKey::new();
    for (id, template) in &streams {
        let mut count = OpCount::default();
        let mut rows = events_stmt.query(params![id, from_ms, to_ms])?;
        while let Some(r) = rows.next()? {
            let origin: i64 = r.get(2)?;
            let mut e = template.clone();
            e.start_utc_ms = r.get(0)?;
            e.duration_ms = r.get(1)?;
            e.source = if origin / 4 == SOURCE_DISCRETE { "discrete" } else { "last_access" };
            e.time_basis = super::ingest::basis_from_code(origin % 4);
            e.precision_ms = r.get(3)?;
            tally(&mut count, e.kind == "access", e.foreground, e.start_utc_ms);
            tl.events.push(e);
        }
        if count.access + count.reject > 0 {
            let total = per_op.entry(template.op.to_string(), || OpCount {
                op: template.op.to_string(),
                info_type: template.info_type.to_string(),
                ..OpCount::default()
            });
            merge(total, &count);
        }
    }
    crate::sort::sort_by(&mut tl.events, |a, b| a.start_utc_ms.cmp(&b.start_utc_ms).then_with(|| a.op.cmp(&b.op)));
    let mut rolled = c.prepare_cached(
        "SELECT o.name, o.info_type, v.kind, sum(r.count) FROM apps a \
         JOIN event_rollups r ON r.stream_id BETWEEN a.id << 32 AND (a.id << 32) + 4294967295 \
         JOIN ops o ON o.id = (r.stream_id >> 20) & 4095 JOIN variants v ON v.id = r.stream_id & 1048575 \
         WHERE a.package = ?1 AND r.start_ms >= ?2 AND r.start_ms < ?3 GROUP BY o.name, v.kind",
    )?;
    for row in rolled.query_map(params![package, from_ms, to_ms], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
    })? {
        let (op, info, kind, n) = row?;
        let count = per_op.entry(op.clone(), || OpCount { op, info_type: info, ..OpCount::default() });
        count.rolled_up += n as u64;
        if kind == 0 {
            count.access += n as u64;
        } else {
            count.reject += n as u64;
        }
    }
    for count in per_op.values_mut() {
        tl.access += count.access;
        tl.reject += count.reject;
        tl.foreground += count.foreground;
        tl.background += count.background;
    }
    tl.per_op = per_op.into_values();
    Ok(tl)
}

fn who_accessed(c: &Connection, info_type: InfoType, from_ms: i64, to_ms: i64) -> Result<Vec<InfoTypeAccess>> {
    // Per (app, op of that type), the streams in its id range (one seek each), then each one's instants in range.
    let sql = format!(
        "WITH RECURSIVE s(id, hi) AS (\
           SELECT (SELECT stream_id FROM events WHERE stream_id >= (a.id << 32) | (o.id << 20) \
                   AND stream_id <= (a.id << 32) | (o.id << 20) | 1048575 ORDER BY stream_id LIMIT 1), \
                  (a.id << 32) | (o.id << 20) | 1048575 FROM ops o, apps a WHERE o.info_type = ?1 \
           UNION ALL SELECT (SELECT stream_id FROM events WHERE stream_id > s.id AND stream_id <= s.hi \
                   ORDER BY stream_id LIMIT 1), s.hi FROM s WHERE s.id IS NOT NULL) \
         SELECT {EVENT_COLUMNS} FROM s JOIN events e ON e.stream_id = s.id AND e.t >= ?2 AND e.t < ?3 {}",
        decode_joins!("s.id")
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let mut by_pkg: ByKey<String, InfoTypeAccess> = ByKey::new();
    for row in stmt.query_map(params![info_type.as_str(), from_ms, to_ms], event_row)? {
        let e = row?;
        let entry = by_pkg.entry(e.package.clone(), || InfoTypeAccess { package: e.package, ..Default::default() });
        let mut count = OpCount { first_ms: entry.first_ms, last_ms: entry.last_ms, ..OpCount::default() };
        tally(&mut count, e.access, e.foreground, e.t);
        entry.access += count.access;
        entry.reject += count.reject;
        entry.foreground += count.foreground;
        entry.background += count.background;
        entry.first_ms = count.first_ms;
        entry.last_ms = count.last_ms;
        if !entry.ops.contains(&e.op) {
            entry.ops.push(e.op);
        }
    }
    let mut label = c.prepare_cached("SELECT label FROM app_meta WHERE package = ?1 AND label IS NOT NULL LIMIT 1")?;
    let mut out: Vec<InfoTypeAccess> = by_pkg.into_values();
    for entry in &mut out {
        entry.label = label.query_row([&entry.package], |r| r.get(0)).ok();
        crate::sort::sort(&mut entry.ops);
    }
    crate::sort::sort_by(&mut out, |a, b| {
        (b.access + b.reject).cmp(&(a.access + a.reject)).then(a.package.cmp(&b.package))
    });
    Ok(out)
}

fn apps(c: &Connection) -> Result<Vec<AppSummary>> {
    let mut by_pkg: ByKey<String, AppSummary> = ByKey::new();
    let mut meta = c.prepare_cached("SELECT package, label, category, system, uid FROM app_meta")?;
    for row in meta.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get::<_, bool>(3)?, r.get::<_, Option<i64>>(4)?))
    })? {
        let (package, label, category, system, uid) = row?;
        let app = by_pkg.entry(package.clone(), || AppSummary { package, ..AppSummary::default() });
        app.label = label;
        app.category = category;
        app.system = system;
        if let Some(uid) = uid {
            if !app.uids.contains(&uid) {
                app.uids.push(uid);
            }
        }
    }
    let mut installs = c.prepare_cached("SELECT package, uid FROM apps")?;
    for row in installs.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (package, uid) = row?;
        let app = by_pkg.entry(package.clone(), || AppSummary { package, ..AppSummary::default() });
        if uid >= 0 && !app.uids.contains(&uid) {
            app.uids.push(uid);
        }
    }
    // The newest instant per stream comes from the primary key (stream_id, t) without scanning events.
    let mut last = c.prepare_cached(concat!(
        "SELECT a.package, o.name, o.info_type, o.sensitive, \
             max(coalesce((SELECT max(t) FROM events e WHERE e.stream_id = s.id), -9223372036854775808), \
                 coalesce((SELECT max(start_ms) FROM event_rollups r WHERE r.stream_id = s.id), -9223372036854775808)) \
             FROM streams s ",
        decode_joins!("s.id"),
        " WHERE v.kind = 0"
    ))?;
    for row in last.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })? {
        let (package, op, info_type, sensitive, t) = row?;
        // Every stream's app is in `apps`, listed above.
        let Some(app) = by_pkg.get_mut(package.as_str()).filter(|_| t != i64::MIN) else {
            continue;
        };
        let candidate = LastAccess { op, info_type, t };
        if app.last_access.as_ref().is_none_or(|l| t > l.t) {
            app.last_access = Some(candidate.clone());
        }
        if sensitive && app.last_sensitive_access.as_ref().is_none_or(|l| t > l.t) {
            app.last_sensitive_access = Some(candidate);
        }
    }
    for app in by_pkg.values_mut() {
        crate::sort::sort(&mut app.uids);
    }
    // Newest sensitive access first (`Some` > `None`, so reversed, apps with none come last), then by name as a
    // person reads it (the label, else the package), then by package. The app list and the CLI show this order.
    let mut list: Vec<AppSummary> = by_pkg.into_values();
    let name =
        |a: &AppSummary| a.label.as_deref().filter(|l| !l.trim().is_empty()).unwrap_or(&a.package).to_lowercase();
    crate::sort::sort_by(&mut list, |a, b| {
        let t = |s: &AppSummary| s.last_sensitive_access.as_ref().map(|l| l.t);
        t(b).cmp(&t(a)).then_with(|| name(a).cmp(&name(b))).then_with(|| a.package.cmp(&b.package))
    });
    Ok(list)
}

fn daily_counts(c: &Connection, from_ms: i64, to_ms: i64, zone: Option<&str>) -> Result<Vec<DailyCount>> {
    let name = match zone {
        Some(z) => Some(z.to_owned()),
        None => device_zone(c)?,
    };
    let zone = match name {
        Some(z) => jiff::tz::TimeZone::get(&z).map_err(|_| Error::InvalidInput("unknown time zone".into()))?,
        None => jiff::tz::TimeZone::UTC,
    };
    let sql = format!(
        "{} SELECT {EVENT_COLUMNS} FROM s JOIN events e ON e.stream_id = s.id AND e.t >= ?1 AND e.t < ?2 {}",
        streams_between!("-9223372036854775808", "9223372036854775807"),
        decode_joins!("s.id")
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let mut counts: ByKey<(String, String, String), DailyCount> = ByKey::new();
    for row in stmt.query_map(params![from_ms, to_ms], event_row)? {
        let e = row?;
        let date = LocalTime::from_utc_ms(e.t, &zone).map(|l| l.to_string()[..10].to_owned()).unwrap_or_default();
        let entry = counts.entry((date.clone(), e.package.clone(), e.op.clone()), || DailyCount {
            date,
            package: e.package,
            op: e.op,
            info_type: e.info_type,
            ..DailyCount::default()
        });
        if e.access {
            entry.access += 1;
        } else {
            entry.reject += 1;
        }
    }
    // Past retention, events are counts per hour or day: charts keep them.
    let mut rolled = c.prepare_cached(concat!(
        "SELECT a.package, o.name, o.info_type, v.kind, r.start_ms, r.count FROM event_rollups r ",
        decode_joins!("r.stream_id"),
        " WHERE r.start_ms >= ?1 AND r.start_ms < ?2"
    ))?;
    for row in rolled.query_map(params![from_ms, to_ms], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })? {
        let (package, op, info_type, kind, start, n) = row?;
        let date = LocalTime::from_utc_ms(start, &zone).map(|l| l.to_string()[..10].to_owned()).unwrap_or_default();
        let entry = counts.entry((date.clone(), package.clone(), op.clone()), || DailyCount {
            date,
            package,
            op,
            info_type,
            ..DailyCount::default()
        });
        let n = n.max(0) as u64;
        if kind == 0 {
            entry.access += n;
        } else {
            entry.reject += n;
        }
        entry.rolled_up += n;
    }
    Ok(counts.into_values())
}

/// Aggregate `--history` counts of one op and uid state, reconciled across overlapping windows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistoryTotal {
    pub op: String,
    pub info_type: String,
    pub uid_state: Option<String>,
    pub attribution_tag: Option<String>,
    pub access: u64,
    pub reject: u64,
    pub duration_ms: i64,
    /// Windows counted (after dropping those another counted window covers or overlaps).
    pub windows: u64,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// The rule that counts each aggregate window once, for `history_totals` and the analysis alike: per stream, fed in
/// order of begin (the longest first at equal begin), a window counts only if it starts at or after the end of the
/// last one counted.
#[derive(Debug, Default)]
pub(super) struct CountedWindows {
    /// (stream, end of the last counted window)
    last: Option<(i64, i64)>,
}

impl CountedWindows {
    pub(super) fn counts(&mut self, stream: i64, begin: i64, end: i64) -> bool {
        if let Some((s, last_end)) = self.last {
            if s == stream && begin < last_end {
                return false;
            }
        }
        self.last = Some((stream, end));
        true
    }
}

impl Store {
    /// Aggregate history of one package. Windows reported again, re-bucketed or overlapping are counted once:
    /// per stream, windows are taken in order of begin (the longest first at equal begin) and one is counted only
    /// if it starts at or after the end of the last counted one. A coarse window that covers finer ones therefore
    /// wins over them, and the result depends only on the set of stored windows, not on ingest order.
    pub fn history_totals(&self, package: &str) -> Result<Vec<HistoryTotal>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT h.stream_id, o.name, o.info_type, v.uid_state, v.attribution_tag, h.begin_ms, h.end_ms, \
                 h.access_count, h.reject_count, h.duration_ms FROM apps a \
                 JOIN history_buckets h ON h.stream_id BETWEEN a.id << 32 AND (a.id << 32) + 4294967295 \
                 JOIN ops o ON o.id = (h.stream_id >> 20) & 4095 JOIN variants v ON v.id = h.stream_id & 1048575 \
                 WHERE a.package = ?1 ORDER BY h.stream_id, h.begin_ms, h.end_ms DESC",
            )?;
            let mut totals: ByKey<(String, String, String), HistoryTotal> = ByKey::new();
            let mut counted = CountedWindows::default();
            for row in stmt.query_map([package], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, i64>(9)?,
                ))
            })? {
                let (stream, op, info, state, tag, begin, end, access, reject, duration) = row?;
                if !counted.counts(stream, begin, end) {
                    continue;
                }
                let total = totals.entry((op.clone(), state.clone(), tag.clone()), || HistoryTotal {
                    op,
                    info_type: info,
                    uid_state: non_empty(state),
                    attribution_tag: non_empty(tag),
                    ..HistoryTotal::default()
                });
                total.access += access as u64;
                total.reject += reject as u64;
                total.duration_ms += duration;
                total.windows += 1;
                total.from_ms = Some(total.from_ms.map_or(begin, |f| f.min(begin)));
                total.to_ms = Some(total.to_ms.map_or(end, |t| t.max(end)));
            }
            Ok(totals.into_values())
        })
    }
}
