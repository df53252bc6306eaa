//! One app's accesses as a calendar to draw: per information type, per local day and hour, how many accesses there
//! were in the foreground, in the background, in an unknown state, and how many attempts were refused.
//!
//! The judgement in it is the core's, so that every screen draws the same thing: an access of a type is counted once
//! per instant (Android notes one location fix as several ops at once, as the findings count it), and a cell's mark
//! is the one to notice (background over foreground over unknown; refusals alone are marked as such). Counts kept
//! only per hour or day after retention are in it too, which the raw timeline leaves out.

use jiff::tz::TimeZone;
use rusqlite::{params, Connection};
use serde::Serialize;

use super::Store;
use crate::error::{Error, Result};
use crate::ops::InfoType;
use crate::time::LocalTime;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
/// Longest range a grid covers: a year, leap day included.
pub const MAX_GRID_DAYS: u32 = 366;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineGrid {
    pub package: String,
    /// The zone the days and hours are in (IANA id).
    pub zone: String,
    /// The days, oldest first (`YYYY-MM-DD`); cells refer to them by index.
    pub days: Vec<String>,
    /// One row per information type with anything in the range, in the op catalog's order.
    pub rows: Vec<GridRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridRow {
    pub info_type: InfoType,
    /// Sums of the row's cells.
    pub access: u64,
    pub foreground: u64,
    pub background: u64,
    pub unknown_state: u64,
    pub reject: u64,
    /// Cells with anything in them, by day, then hour (a cell without an hour last in its day).
    pub cells: Vec<GridCell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GridCell {
    /// Index into [`TimelineGrid::days`].
    pub day: usize,
    /// The local hour, 0–23; `null` for a count kept per day only (retention's daily counts, UTC days, placed on
    /// the local day that holds their UTC noon).
    pub hour: Option<u8>,
    pub foreground: u64,
    pub background: u64,
    pub unknown_state: u64,
    pub reject: u64,
    pub mark: GridMark,
}

/// What a cell shows: the state to notice first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GridMark {
    Background,
    Foreground,
    Unknown,
    /// Only refused attempts.
    RejectOnly,
}

/// Where an access or attempt falls, in the order "background wins" reads: background, foreground, unknown, refused.
const BACKGROUND: u8 = 0;
const FOREGROUND: u8 = 1;
const UNKNOWN: u8 = 2;
const REJECT: u8 = 3;

fn state_of(reject: bool, foreground: Option<bool>) -> u8 {
    match (reject, foreground) {
        (true, _) => REJECT,
        (false, Some(false)) => BACKGROUND,
        (false, Some(true)) => FOREGROUND,
        (false, None) => UNKNOWN,
    }
}

/// Where a count goes: (type's index in the catalog, day, hour or 24 for none, state).
type CellKey = (usize, usize, u8, u8);
/// One count to place.
type Tick = (CellKey, u64);

impl Store {
    /// `days` local days ending with `last_day` (`YYYY-MM-DD`) in `zone` (an IANA id), DST included: 23 or 25 hours
    /// on a change, each counted in its wall-clock hour.
    pub fn timeline_grid(&self, package: &str, last_day: &str, days: u32, zone: &str) -> Result<TimelineGrid> {
        let tz = TimeZone::get(zone).map_err(|_| Error::InvalidInput("unknown time zone".into()))?;
        // The days as local midnights (civil ms): jiff's own date parsing and arithmetic cost the Android library
        // 20 KB, and the parser's `LocalTime` does the same.
        let parsed = (last_day.len() == 10).then(|| LocalTime::parse(format!("{last_day} 00:00:00").as_bytes()));
        let Some(Some((LocalTime(last), _))) = parsed else {
            return Err(Error::InvalidInput("the last day is not YYYY-MM-DD".into()));
        };
        if !(1..=MAX_GRID_DAYS).contains(&days) {
            return Err(Error::InvalidInput(format!("days must be 1 to {MAX_GRID_DAYS}")));
        }
        let first = last - (i64::from(days) - 1) * DAY_MS;
        // Days are written `YYYY-MM-DD`: years 1 to 9999 (the last day after 9999-12-31 is refused below).
        if LocalTime(first).fields().0 < 1 {
            return Err(Error::InvalidInput("the days are out of range".into()));
        }
        // Where a day starts in the zone (a midnight that a DST change skips starts at the first instant after it).
        let start = |local: i64| {
            LocalTime(local).to_utc_ms(&tz).ok_or_else(|| Error::InvalidInput("the days are out of range".into()))
        };
        let (from_ms, to_ms) = (start(first)?, start(last + DAY_MS)?);
        let day_list: Vec<String> =
            (0..i64::from(days)).map(|i| LocalTime(first + i * DAY_MS).to_string()[..10].to_owned()).collect();
        let first_epoch_day = first.div_euclid(DAY_MS);
        // Day index and hour of an instant, when it falls on one of the days.
        let place = |t: i64| -> Option<(usize, u8)> {
            let local = LocalTime::from_utc_ms(t, &tz)?.0;
            let day =
                usize::try_from(local.div_euclid(DAY_MS) - first_epoch_day).ok().filter(|&d| d < day_list.len())?;
            Some((day, (local.rem_euclid(DAY_MS) / HOUR_MS) as u8))
        };

        // Events and counts from one snapshot: retention between two reads would move events into counts.
        let (timeline, rolled) = self.read(|c| {
            Ok((super::query::timeline(c, package, from_ms, to_ms)?, rollups(c, package, from_ms, to_ms, &place)?))
        })?;
        let mut ticks: Vec<Tick> = Vec::new();
        // Stored events: once per type, instant and state; an instant's accesses take the first state in
        // background-wins order.
        let mut instants: Vec<(usize, i64, u8)> = timeline
            .events
            .iter()
            .map(|e| (catalog_index(&e.info_type), e.start_utc_ms, state_of(e.kind == "reject", e.foreground)))
            .collect();
        crate::sort::sort(&mut instants);
        instants.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1 && (a.2 == b.2 || (a.2 != REJECT && b.2 != REJECT)));
        for (info, t, state) in instants {
            if let Some((day, hour)) = place(t) {
                ticks.push(((info, day, hour, state), 1));
            }
        }
        // Counts past retention: per op, so the ops of one access were counted apart; a type's count in an hour is
        // its largest op's.
        ticks.extend(rolled);
        crate::sort::sort_by(&mut ticks, |a, b| a.0.cmp(&b.0));
        Ok(TimelineGrid { package: package.to_owned(), zone: zone.to_owned(), days: day_list, rows: rows(ticks) })
    }
}

fn catalog_index(info_type: &str) -> usize {
    let info = info_type.parse().unwrap_or(InfoType::Other);
    InfoType::ALL.iter().position(|&t| t == info).unwrap_or(InfoType::ALL.len() - 1)
}

/// The hourly and daily counts of `package` that fall on the grid's days, a type's largest op per cell and state.
fn rollups(
    c: &Connection,
    package: &str,
    from_ms: i64,
    to_ms: i64,
    place: &dyn Fn(i64) -> Option<(usize, u8)>,
) -> Result<Vec<Tick>> {
    let mut stmt = c.prepare_cached(
        "SELECT o.info_type, o.id, v.kind, v.uid_state, r.period, r.start_ms, r.count FROM apps a \
         JOIN event_rollups r ON r.stream_id BETWEEN a.id << 32 AND (a.id << 32) + 4294967295 \
         JOIN ops o ON o.id = (r.stream_id >> 20) & 4095 JOIN variants v ON v.id = r.stream_id & 1048575 \
         WHERE a.package = ?1 AND r.start_ms >= ?2 AND r.start_ms < ?3",
    )?;
    // Per op: ((type, day, hour, state), op) and its count, summed over the op's streams (uids, tags, states).
    let mut per_op: Vec<((CellKey, i64), u64)> = Vec::new();
    let rows = stmt.query_map(params![package, from_ms - DAY_MS, to_ms], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    for row in rows {
        let (info, op, kind, uid_state, period, start, count) = row?;
        // An hour is in the cell of its start; a UTC day, hour unknown, on the local day of its noon.
        let placed = if period == 0 { place(start) } else { place(start + DAY_MS / 2).map(|(d, _)| (d, 24)) };
        let Some((day, hour)) = placed else { continue };
        let state = state_of(kind != 0, super::visibility(&uid_state).is_foreground());
        per_op.push((((catalog_index(&info), day, hour, state), op), count.max(0) as u64));
    }
    crate::sort::sort_by(&mut per_op, |a, b| a.0.cmp(&b.0));
    let mut out: Vec<Tick> = Vec::new();
    let mut i = 0;
    while let Some((key, _)) = per_op.get(i) {
        let same_op = per_op[i..].iter().take_while(|(k, _)| k == key);
        let (n, sum): (usize, u64) = same_op.fold((0, 0), |(n, s), (_, c)| (n + 1, s + c));
        i += n;
        match out.last_mut() {
            Some((cell, most)) if *cell == key.0 => *most = (*most).max(sum),
            _ => out.push((key.0, sum)),
        }
    }
    Ok(out)
}

/// Rows from sorted ticks: cells added up, then rows in catalog order.
fn rows(ticks: Vec<Tick>) -> Vec<GridRow> {
    let mut rows: Vec<GridRow> = Vec::new();
    for ((info, day, hour, state), n) in ticks {
        let info_type = InfoType::ALL[info];
        if rows.last().is_none_or(|r| r.info_type != info_type) {
            rows.push(GridRow {
                info_type,
                access: 0,
                foreground: 0,
                background: 0,
                unknown_state: 0,
                reject: 0,
                cells: Vec::new(),
            });
        }
        let Some(row) = rows.last_mut() else { continue };
        let hour = (hour < 24).then_some(hour);
        if row.cells.last().is_none_or(|c| (c.day, c.hour) != (day, hour)) {
            let empty = GridCell {
                day,
                hour,
                foreground: 0,
                background: 0,
                unknown_state: 0,
                reject: 0,
                mark: GridMark::RejectOnly,
            };
            row.cells.push(empty);
        }
        let Some(cell) = row.cells.last_mut() else { continue };
        let (in_cell, in_row) = match state {
            BACKGROUND => (&mut cell.background, &mut row.background),
            FOREGROUND => (&mut cell.foreground, &mut row.foreground),
            UNKNOWN => (&mut cell.unknown_state, &mut row.unknown_state),
            _ => (&mut cell.reject, &mut row.reject),
        };
        *in_cell += n;
        *in_row += n;
        if state != REJECT {
            row.access += n;
        }
        cell.mark = if cell.background > 0 {
            GridMark::Background
        } else if cell.foreground > 0 {
            GridMark::Foreground
        } else if cell.unknown_state > 0 {
            GridMark::Unknown
        } else {
            GridMark::RejectOnly
        };
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_add_up_and_mark_the_state_to_notice() {
        let location = 0; // InfoType::ALL[0]
        let camera = InfoType::ALL.iter().position(|&t| t == InfoType::Camera).expect("camera");
        let ticks = vec![
            ((location, 0, 5, FOREGROUND), 2),
            ((location, 0, 5, UNKNOWN), 1),
            ((location, 0, 6, UNKNOWN), 1),
            ((location, 0, 6, REJECT), 3),
            ((location, 1, 24, BACKGROUND), 4),
            ((camera, 0, 7, REJECT), 1),
        ];
        let rows = rows(ticks);
        let marks: Vec<(InfoType, usize, Option<u8>, GridMark)> =
            rows.iter().flat_map(|r| r.cells.iter().map(move |c| (r.info_type, c.day, c.hour, c.mark))).collect();
        assert_eq!(
            marks,
            [
                (InfoType::Location, 0, Some(5), GridMark::Foreground),
                (InfoType::Location, 0, Some(6), GridMark::Unknown),
                (InfoType::Location, 1, None, GridMark::Background),
                (InfoType::Camera, 0, Some(7), GridMark::RejectOnly),
            ]
        );
        let l = &rows[0];
        assert_eq!((l.access, l.foreground, l.background, l.unknown_state, l.reject), (8, 2, 4, 2, 3));
        assert_eq!((rows[1].access, rows[1].reject), (0, 1));
        assert_eq!(catalog_index("no_such_type"), catalog_index("other"));
    }
}
