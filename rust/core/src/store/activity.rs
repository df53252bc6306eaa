//! Everything the analysis needs about each app, read in one pass. The analysis never runs SQL itself.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};

use super::query::{visibility, CountedWindows, Visibility};
use super::Store;
use crate::by_key::ByKey;
use crate::error::{Error, Result};

/// One access or reject, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEvent {
    pub t: i64,
    /// The device whose dump recorded it (`devices.id`).
    pub device: i64,
    pub op: String,
    pub info_type: String,
    pub reject: bool,
    pub uid_state: String,
    pub visibility: Visibility,
    pub flags: String,
    pub proxy_package: Option<String>,
    pub duration_ms: Option<i64>,
}

/// An aggregate-history window (after reconciliation, see `history_totals`) of one info type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityWindow {
    pub op: String,
    pub info_type: String,
    pub begin_ms: i64,
    pub end_ms: i64,
    pub access: u64,
    pub reject: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppActivity {
    pub package: String,
    pub label: Option<String>,
    /// `ApplicationInfo.category` name from the inventory.
    pub android_category: Option<String>,
    pub category_override: Option<String>,
    pub system: bool,
    pub first_install_ms: Option<i64>,
    pub first_seen_ms: Option<i64>,
    pub granted_permissions: Vec<String>,
    pub usage: Vec<(i64, i64)>,
    pub has_usage_data: bool,
    /// When the inventory that reported usage was taken: usage is known up to then.
    pub usage_known_until: Option<i64>,
    /// Events in the analysed range, by time.
    pub events: Vec<ActivityEvent>,
    pub windows: Vec<ActivityWindow>,
    /// Most recent access per info type over all stored history (events and rolled-up counts).
    pub last_access_by_info_type: BTreeMap<String, i64>,
}

impl Store {
    /// Per-app activity in `[from_ms, to_ms)` plus what is known of each app, for the analysis.
    pub fn activity(&self, from_ms: i64, to_ms: i64) -> Result<Vec<AppActivity>> {
        self.read(|c| activity(c, from_ms, to_ms))
    }

    /// Which zone each device was in, as its collection runs recorded it: see [`CaptureZones`].
    pub(crate) fn capture_zones(&self) -> Result<CaptureZones> {
        self.read(|c| {
            let mut zones = CaptureZones::default();
            let mut runs = c.prepare_cached(
                "SELECT device_id, captured_at_ms, zone FROM collection_runs \
                 WHERE zone IS NOT NULL AND captured_at_ms IS NOT NULL ORDER BY device_id, captured_at_ms",
            )?;
            for row in runs.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))? {
                let (device, at, zone) = row?;
                zones.runs.entry(device).or_default().push((at, zone));
            }
            zones.fallback = super::query::device_zone(c)?;
            Ok(zones)
        })
    }

    /// [`Store::activity`] with the newest capture instant of any collection run (how far Android's record has been
    /// read), from one snapshot: an ingest between two reads would give events the horizon does not cover.
    pub(crate) fn activity_and_newest_capture(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(Vec<AppActivity>, Option<i64>)> {
        self.read(|c| {
            let newest = c.query_row("SELECT max(captured_at_ms) FROM collection_runs", [], |r| r.get(0))?;
            Ok((activity(c, from_ms, to_ms)?, newest))
        })
    }

    /// Sets (or with `None` clears) the user's category for a package. The id is checked by the caller against
    /// the policy pack.
    pub fn set_category_override(&self, package: &str, category: Option<&str>, now_ms: i64) -> Result<()> {
        if package.is_empty() {
            return Err(Error::InvalidInput("empty package name".into()));
        }
        self.write(|tx| {
            match category {
                Some(c) => tx.execute(
                    "INSERT INTO category_overrides (package, category, set_at_ms) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(package) DO UPDATE SET category = excluded.category, set_at_ms = excluded.set_at_ms",
                    params![package, c, now_ms],
                )?,
                None => tx.execute("DELETE FROM category_overrides WHERE package = ?1", [package])?,
            };
            Ok(())
        })
    }
}

fn entry<'a>(apps: &'a mut ByKey<String, AppActivity>, package: &str) -> &'a mut AppActivity {
    apps.entry(package.to_owned(), || AppActivity { package: package.to_owned(), ..AppActivity::default() })
}

fn activity(c: &Connection, from_ms: i64, to_ms: i64) -> Result<Vec<AppActivity>> {
    let mut apps: ByKey<String, AppActivity> = ByKey::new();
    let mut meta =
        c.prepare_cached("SELECT package, label, category, system, first_install_ms, updated_at_ms FROM app_meta")?;
    let rows = meta.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    for row in rows {
        let (package, label, category, system, installed, updated) = row?;
        let app = entry(&mut apps, &package);
        app.label = label;
        app.android_category = category;
        app.system = system;
        app.first_install_ms = installed;
        app.usage_known_until = Some(updated);
    }
    let mut perms = c.prepare_cached("SELECT package, permission FROM app_permissions WHERE granted = 1")?;
    for row in perms.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (package, permission) = row?;
        entry(&mut apps, &package).granted_permissions.push(permission);
    }
    let mut usage = c.prepare_cached("SELECT package, begin_ms, end_ms FROM app_usage ORDER BY package, begin_ms")?;
    for row in usage.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))? {
        let (package, b, e) = row?;
        let app = entry(&mut apps, &package);
        app.usage.push((b, e));
        app.has_usage_data = true;
    }
    let mut overrides = c.prepare_cached("SELECT package, category FROM category_overrides")?;
    for row in overrides.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (package, category) = row?;
        entry(&mut apps, &package).category_override = Some(category);
    }
    let mut seen = c.prepare_cached("SELECT package, min(first_seen_ms) FROM apps GROUP BY package")?;
    for row in seen.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (package, first) = row?;
        entry(&mut apps, &package).first_seen_ms = Some(first);
    }
    let mut events = c.prepare_cached(
        "WITH RECURSIVE s(id) AS (SELECT (SELECT min(stream_id) FROM events) UNION ALL \
           SELECT (SELECT stream_id FROM events WHERE stream_id > s.id ORDER BY stream_id LIMIT 1) FROM s \
           WHERE s.id IS NOT NULL) \
         SELECT a.package, e.t, o.name, o.info_type, v.kind, v.uid_state, v.flags, v.proxy_package, e.duration_ms, \
         a.device_id FROM s JOIN events e ON e.stream_id = s.id AND e.t >= ?1 AND e.t < ?2 JOIN apps a ON a.id = s.id >> 32 \
         JOIN ops o ON o.id = (s.id >> 20) & 4095 JOIN variants v ON v.id = s.id & 1048575 ORDER BY e.t",
    )?;
    for row in events.query_map(params![from_ms, to_ms], |r| {
        let state: String = r.get(5)?;
        let proxy: String = r.get(7)?;
        Ok((
            r.get::<_, String>(0)?,
            ActivityEvent {
                t: r.get(1)?,
                device: r.get(9)?,
                op: r.get(2)?,
                info_type: r.get(3)?,
                reject: r.get::<_, i64>(4)? != 0,
                visibility: visibility(&state),
                uid_state: state,
                flags: r.get(6)?,
                proxy_package: (!proxy.is_empty()).then_some(proxy),
                duration_ms: r.get(8)?,
            },
        ))
    })? {
        let (package, event) = row?;
        entry(&mut apps, &package).events.push(event);
    }
    // History windows, each counted once by the rule history_totals uses (`CountedWindows`).
    let mut windows = c.prepare_cached(
        "SELECT a.package, h.stream_id, o.name, o.info_type, h.begin_ms, h.end_ms, h.access_count, h.reject_count \
         FROM history_buckets h JOIN apps a ON a.id = h.stream_id >> 32 JOIN ops o ON o.id = (h.stream_id >> 20) & 4095 \
         WHERE h.end_ms > ?1 AND h.begin_ms < ?2 ORDER BY h.stream_id, h.begin_ms, h.end_ms DESC",
    )?;
    let mut counted = CountedWindows::default();
    for row in windows.query_map(params![from_ms, to_ms], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            ActivityWindow {
                op: r.get(2)?,
                info_type: r.get(3)?,
                begin_ms: r.get(4)?,
                end_ms: r.get(5)?,
                access: r.get::<_, i64>(6)? as u64,
                reject: r.get::<_, i64>(7)? as u64,
            },
        ))
    })? {
        let (package, stream, w) = row?;
        if !counted.counts(stream, w.begin_ms, w.end_ms) {
            continue;
        }
        entry(&mut apps, &package).windows.push(w);
    }
    let mut last = c.prepare_cached(
        "SELECT a.package, o.info_type, \
         max(coalesce((SELECT max(t) FROM events e WHERE e.stream_id = s.id), -9223372036854775808), \
             coalesce((SELECT max(start_ms) FROM event_rollups r WHERE r.stream_id = s.id), -9223372036854775808)) \
         FROM streams s JOIN apps a ON a.id = s.app_id JOIN ops o ON o.id = s.op_id WHERE s.kind = 0",
    )?;
    for row in last.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))? {
        let (package, info, t) = row?;
        if t == i64::MIN {
            continue;
        }
        let app = entry(&mut apps, &package);
        let slot = app.last_access_by_info_type.entry(info).or_insert(t);
        *slot = (*slot).max(t);
    }
    Ok(apps.into_values())
}

/// The zone a device was in when it recorded an access: that of the first of its collection runs captured at or after
/// the access (the run that found it), else of its last run; for a device whose runs name no zone, the database's
/// device zone. A phone that travelled thus has each access in the zone it was then in, not in today's.
#[derive(Debug, Default)]
pub(crate) struct CaptureZones {
    /// Per device: (capture instant, zone), by instant.
    runs: BTreeMap<i64, Vec<(i64, String)>>,
    fallback: Option<String>,
}

impl CaptureZones {
    #[cfg(test)]
    pub(crate) fn for_test(runs: Vec<(i64, Vec<(i64, String)>)>, fallback: Option<String>) -> CaptureZones {
        CaptureZones { runs: runs.into_iter().collect(), fallback }
    }

    pub(crate) fn zone_at(&self, device: i64, t: i64) -> Option<&str> {
        match self.runs.get(&device) {
            Some(runs) => {
                let i = runs.partition_point(|(at, _)| *at < t);
                runs.get(i).or(runs.last()).map(|(_, z)| z.as_str())
            }
            None => self.fallback.as_deref(),
        }
    }
}
