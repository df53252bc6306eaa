//! The history section (`--history`, `AppOps Historical Service State:`): windows and their per-key aggregates.

use super::discrete::{field, RowKey, TableColumns};
use super::Parser;
use crate::model::{HistoryEntryRef, HistoryWindowRef, Visitor};
use crate::parse::grammar::{self, trim};
use crate::time::LocalTime;

/// The newest history (`AppOpHistoryHelper`, SQLite) prints its two aggregation buckets, then tables of rows that each
/// hold one bucket: `SHORT_INTERVAL(Aggregation Bucket)=1 Minute, LONG_INTERVAL(Aggregation Bucket)=15 Minutes`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(in crate::parse) struct Buckets {
    short_ms: Option<i64>,
    long_ms: Option<i64>,
    /// The bucket of the table being read: the long one under `----Aggregated App Ops----`, the short one under
    /// `----Discrete App Ops----` and `----Location, Microphone, and Camera App Ops (Last 1 Hour)----`.
    table_ms: Option<i64>,
}

impl<V: Visitor> Parser<V> {
    pub(super) fn history_line(&mut self, t: &str) {
        if self.sqlite_history_line(t) {
            return;
        }
        if t == "snapshot:" {
            self.window = super::NO_WINDOW;
            self.window_announced = false;
            self.sec.set_uid("");
            return;
        }
        for (prefix, is_begin) in [("begin", true), ("end", false)] {
            if let Some(rest) = t.strip_prefix(prefix) {
                if let Some(times) = rest
                    .trim_start()
                    .strip_prefix('=')
                    .and_then(|times| grammar::parse_times_with(times, &mut self.dates))
                {
                    self.vote.add(times.time_local, times.relative_ms);
                    if is_begin {
                        self.window.begin_local = times.time_local;
                        self.window.begin_relative_ms = times.relative_ms;
                    } else {
                        self.window.end_local = times.time_local;
                        self.window.end_relative_ms = times.relative_ms;
                    }
                    self.window_announced = false;
                    return;
                }
            }
        }
        // OEM words after the name (`Uid u0a123 (extra):`, `Uid u0a123: extra`) are left out, as in the op state. A
        // `Uid` or `Package` line with no name to read still ends the one before it: the counts below it are not that
        // uid's or package's.
        if let Some(rest) = t.strip_prefix("Uid ") {
            let uid = super::header_name(rest);
            self.sec.set_uid(uid.unwrap_or(""));
            if uid.is_none() {
                self.unrecognised();
            }
            return;
        }
        if let Some(rest) = t.strip_prefix("Package ") {
            let package = super::header_name(rest);
            self.sec.set_package(package.unwrap_or(""));
            if package.is_none() {
                self.unrecognised();
            }
            return;
        }
        if t.starts_with('[') {
            self.history_entry(t);
            return;
        }
        if let Some(name) = t.strip_suffix(':').map(trim).filter(|name| grammar::is_op_name(name)) {
            self.sec.set_op_under_tag(name);
            return;
        }
        // Android 11+ attribution level: `AttributionTag <tag>:` / `Attribution <tag>:` / `Tag <tag>:`.
        for prefix in ["AttributionTag ", "Attribution ", "Tag "] {
            if let Some(rest) = t.strip_prefix(prefix) {
                self.history_tag(rest);
                return;
            }
        }
        // An op line with OEM words (`RECORD_AUDIO: oem`, `RECORD_AUDIO (oem):`) or a name that is no op name: the
        // name before the words when it is surely an op, else no op at all, so that the counts below are not charged
        // to the op before it.
        let first = &t[..grammar::pos_ws(t)];
        let name = first.strip_suffix(':').or_else(|| t.ends_with(':').then_some(first));
        if let Some(name) = name {
            if super::discrete::is_op_before_words(name) {
                self.sec.set_op_under_tag(name);
            } else {
                self.sec.set_op_under_tag("");
                self.unrecognised();
            }
            return;
        }
        if t == "Empty" || t.starts_with("mode=") {
            return;
        }
        self.unrecognised();
    }

    /// The rest of an `Attribution <tag>:` line. A tag is the app's own text and may hold blanks or `: `, so a line
    /// that ends with `:` is all tag; OEM words after the colon (`Attribution sync: oem`) are left out.
    fn history_tag(&mut self, rest: &str) {
        let tag = rest.strip_suffix(':').or_else(|| rest.find(": ").map(|at| &rest[..at]));
        match tag {
            Some(tag) => self.sec.set_tag(trim(tag)),
            None => {
                // No tag to read: the ops below are not charged to the op before it. (Ops after it still keep the
                // tag before it, which the section's cursor cannot mark unknown.)
                self.sec.set_op_under_tag("");
                self.unrecognised();
            }
        }
    }

    /// `[top-s] = access=3, reject=1, duration=+5s0ms`
    fn history_entry(&mut self, t: &str) {
        let Some(close) = t.find(']') else {
            self.unrecognised();
            return;
        };
        if self.sec.op.is_empty() {
            self.unrecognised();
            return;
        }
        let (uid_state, flags) = grammar::split_key(&t[1..close]);
        let rest = trim(&t[close + 1..]);
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        let mut entry = HistoryEntryRef {
            window: self.window,
            uid: self.sec.uid(),
            package: self.sec.package(),
            op: &self.sec.op,
            attribution_tag: self.sec.tag(),
            uid_state,
            flags,
            access_count: 0,
            reject_count: 0,
            duration_ms: 0,
        };
        // At least one count, each readable: a key alone (`[top-s]`) or `access=` is a line cut short.
        let mut any = false;
        for part in rest.split(',') {
            let Some((k, v)) = part.split_once('=') else { continue };
            let read = match trim(k) {
                "access" => trim(v).parse().map(|n| entry.access_count = n).is_ok(),
                "reject" => trim(v).parse().map(|n| entry.reject_count = n).is_ok(),
                "duration" => grammar::parse_full_duration(v).map(|d| entry.duration_ms = d).is_some(),
                _ => continue,
            };
            if !read {
                self.unrecognised();
                return;
            }
            any = true;
        }
        if !any {
            self.unrecognised();
            return;
        }
        if !self.window_announced {
            self.window_announced = true;
            self.visitor.history_window(&self.window);
        }
        self.visitor.history(&entry);
    }

    /// The lines of the newest history: its buckets, its counts, the headings of its tables and their rows. Returns
    /// whether `t` was one.
    fn sqlite_history_line(&mut self, t: &str) -> bool {
        if let Some(rest) = t.strip_prefix("SHORT_INTERVAL(Aggregation Bucket)=") {
            let (short, long) = rest.split_once("LONG_INTERVAL(Aggregation Bucket)=").unwrap_or((rest, ""));
            self.buckets.short_ms = minutes(short);
            self.buckets.long_ms = minutes(long);
            return true;
        }
        if t.starts_with("Database size(bytes):") || t.starts_with("Database Total records:") {
            return true;
        }
        if let Some(heading) = t.strip_prefix("----").and_then(|h| h.strip_suffix("----")) {
            let heading = heading.trim_matches('-');
            self.buckets.table_ms =
                if heading.starts_with("Aggregated") { self.buckets.long_ms } else { self.buckets.short_ms };
            self.columns = None;
            return true;
        }
        self.table_line(t)
    }

    /// A row of the newest history's table (`UID|PACKAGE_NAME|…|ACCESS_TIME|ACCESS_COUNTS|REJECT_COUNTS|DURATION|…`):
    /// the counts of one key in one bucket. `ACCESS_TIME` is the first access the row counts, not the bucket's start
    /// (`AppOpHistoryTable`): the bucket is `ACCESS_TIME` rounded down to its size, as `discretizeTimestamp` does on
    /// the epoch clock. Rounding the wall clock instead gives the same bucket, since every zone's offset is a whole
    /// number of 15 minutes (AOSP's buckets are 1 and 15 minutes). A bucket can have several rows: one per device,
    /// attribution chain and duration, and one more each time a dump flushed AOSP's cache while it was open; the
    /// store adds up a dump's rows of one bucket.
    pub(super) fn history_row(&mut self, cols: &TableColumns, fields: &[&str], key: &RowKey<'_>) {
        // A column the header does not name counts 0; one it names must be read.
        let count = |i: Option<usize>| match i {
            Some(_) => field(fields, i).and_then(|v| v.parse::<u64>().ok()),
            None => Some(0),
        };
        let (Some(access_count), Some(reject_count)) = (count(cols.access_count), count(cols.reject_count)) else {
            self.unrecognised();
            return;
        };
        // With the bucket unknown (an excerpt without the sizes' line), the window has its first access and no end.
        let bucket = self.buckets.table_ms.filter(|&ms| ms > 0);
        let begin = match (key.time_local, bucket) {
            (Some(t), Some(ms)) => Some(LocalTime(t.0 - t.0.rem_euclid(ms))),
            (t, _) => t,
        };
        let window = HistoryWindowRef {
            begin_local: begin,
            begin_relative_ms: None,
            end_local: begin.zip(bucket).and_then(|(b, ms)| b.0.checked_add(ms).map(LocalTime)),
            end_relative_ms: None,
        };
        let entry = HistoryEntryRef {
            window,
            uid: key.uid,
            package: key.package,
            op: key.op,
            attribution_tag: key.attribution_tag,
            uid_state: key.uid_state,
            flags: key.flags,
            access_count,
            reject_count,
            duration_ms: key.duration_ms.unwrap_or(0),
        };
        if self.window != window || !self.window_announced {
            self.window = window;
            self.window_announced = true;
            self.visitor.history_window(&window);
        }
        self.visitor.history(&entry);
    }
}

/// `1 Minute`, `15 Minutes` as milliseconds.
fn minutes(s: &str) -> Option<i64> {
    let n: i64 = trim(s.trim_end_matches([',', ' '])).split(' ').next()?.parse().ok()?;
    n.checked_mul(60_000)
}
