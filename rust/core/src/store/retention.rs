//! Retention: raw events older than a configurable number of days become hourly counts, and hourly counts older
//! than a second limit become daily counts. Every event removed is counted exactly once, so totals are preserved.
//! Ingest then skips instants older than what was rolled up (they were counted already: a last access from months
//! ago keeps appearing in every dump until the op is used again).

use rusqlite::params;
use serde::Serialize;

use super::Store;
use crate::error::Result;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetentionPolicy {
    /// Keep individual events this many days (then hourly counts).
    pub raw_days: u32,
    /// Keep hourly counts this many days (then daily counts, kept for ever).
    pub hourly_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy { raw_days: 90, hourly_days: 365 }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Events folded into hourly counts.
    pub events_rolled_up: u64,
    /// Hourly counts folded into daily counts.
    pub hours_rolled_up: u64,
    /// Instants before this are now counts only (UTC epoch ms).
    pub rolled_up_before_ms: i64,
}

impl Store {
    /// Applies `policy` as of `now_ms`, in one transaction. Hours and days are UTC-aligned.
    pub fn apply_retention(&self, policy: RetentionPolicy, now_ms: i64) -> Result<RetentionReport> {
        let raw_cut = align(now_ms.saturating_sub(i64::from(policy.raw_days) * DAY_MS), HOUR_MS);
        let hourly_days = policy.hourly_days.max(policy.raw_days);
        let hourly_cut = align(now_ms.saturating_sub(i64::from(hourly_days) * DAY_MS), DAY_MS);
        self.write(|tx| {
            let rolled: i64 = tx.query_row("SELECT count(*) FROM events WHERE t < ?1", [raw_cut], |r| r.get(0))?;
            let mut report = RetentionReport { events_rolled_up: rolled as u64, ..RetentionReport::default() };
            tx.execute(
                "INSERT INTO event_rollups (stream_id, period, start_ms, count, duration_ms) \
                 SELECT stream_id, 0, t - ((t % ?2) + ?2) % ?2, count(*), sum(coalesce(duration_ms, 0)) \
                 FROM events WHERE t < ?1 GROUP BY 1, 3 \
                 ON CONFLICT(stream_id, period, start_ms) DO UPDATE SET \
                 count = count + excluded.count, duration_ms = duration_ms + excluded.duration_ms",
                params![raw_cut, HOUR_MS],
            )?;
            tx.execute("DELETE FROM events WHERE t < ?1", [raw_cut])?;
            report.hours_rolled_up = tx.query_row(
                "SELECT count(*) FROM event_rollups WHERE period = 0 AND start_ms < ?1",
                [hourly_cut],
                |r| r.get::<_, i64>(0),
            )? as u64;
            tx.execute(
                "INSERT INTO event_rollups (stream_id, period, start_ms, count, duration_ms) \
                 SELECT stream_id, 1, start_ms - ((start_ms % ?2) + ?2) % ?2, sum(count), sum(duration_ms) \
                 FROM event_rollups WHERE period = 0 AND start_ms < ?1 GROUP BY 1, 3 \
                 ON CONFLICT(stream_id, period, start_ms) DO UPDATE SET \
                 count = count + excluded.count, duration_ms = duration_ms + excluded.duration_ms",
                params![hourly_cut, DAY_MS],
            )?;
            tx.execute("DELETE FROM event_rollups WHERE period = 0 AND start_ms < ?1", [hourly_cut])?;
            let previous: i64 = tx
                .query_row("SELECT value FROM meta WHERE key = 'rolled_up_before'", [], |r| r.get::<_, String>(0))
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(i64::MIN);
            report.rolled_up_before_ms = previous.max(raw_cut);
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('rolled_up_before', ?1) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [report.rolled_up_before_ms.to_string()],
            )?;
            Ok(report)
        })
    }
}

fn align(t: i64, unit: i64) -> i64 {
    t - t.rem_euclid(unit)
}
