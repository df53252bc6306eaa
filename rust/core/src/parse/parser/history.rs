//! The history section (`--history`, `AppOps Historical Service State:`): windows and their per-key aggregates.

use super::{non_empty, set, trim, Parser};
use crate::model::{HistoryEntryRef, HistoryWindowRef, Visitor};
use crate::parse::grammar;

impl<V: Visitor> Parser<'_, V> {
    pub(super) fn history_line(&mut self, t: &str) {
        if t == "snapshot:" {
            self.window =
                HistoryWindowRef { begin_local: None, begin_relative_ms: None, end_local: None, end_relative_ms: None };
            self.window_announced = false;
            self.d_uid.clear();
            self.d_package.clear();
            self.d_op.clear();
            self.d_has_tag = false;
            return;
        }
        for (prefix, is_begin) in [("begin", true), ("end", false)] {
            if let Some(rest) = t.strip_prefix(prefix) {
                if let Some(times) = rest.trim_start().strip_prefix('=').and_then(grammar::parse_times) {
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
        if let Some(uid) = t.strip_prefix("Uid ").and_then(|r| r.strip_suffix(':')) {
            set(&mut self.d_uid, trim(uid));
            self.d_package.clear();
            self.d_op.clear();
            self.d_has_tag = false;
            return;
        }
        if let Some(pkg) = t.strip_prefix("Package ").and_then(|r| r.strip_suffix(':')) {
            set(&mut self.d_package, trim(pkg));
            self.d_op.clear();
            self.d_has_tag = false;
            return;
        }
        if t.starts_with('[') {
            self.history_entry(t);
            return;
        }
        if let Some(name) = t.strip_suffix(':') {
            let name = trim(name);
            if grammar::is_op_name(name) {
                set(&mut self.d_op, name);
                self.d_has_tag = false;
                return;
            }
            // Android 11+ attribution level: `AttributionTag <tag>:` / `Attribution <tag>:` / `<tag>=`.
            for prefix in ["AttributionTag ", "Attribution ", "Tag "] {
                if let Some(tag) = name.strip_prefix(prefix) {
                    let tag = trim(tag);
                    self.d_has_tag = tag != "null";
                    set(&mut self.d_tag, tag);
                    return;
                }
            }
        }
        if t == "Empty" || t.starts_with("mode=") {
            return;
        }
        self.unrecognised();
    }

    /// `[top-s] = access=3, reject=1, duration=+5s0ms`
    fn history_entry(&mut self, t: &str) {
        let Some(close) = t.find(']') else {
            self.unrecognised();
            return;
        };
        if self.d_op.is_empty() {
            self.unrecognised();
            return;
        }
        let (uid_state, flags) = grammar::split_key(&t[1..close]);
        let rest = trim(&t[close + 1..]);
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        let mut entry = HistoryEntryRef {
            window: self.window,
            uid: non_empty(&self.d_uid),
            package: non_empty(&self.d_package),
            op: &self.d_op,
            attribution_tag: self.d_has_tag.then_some(self.d_tag.as_str()),
            uid_state,
            flags,
            access_count: 0,
            reject_count: 0,
            duration_ms: 0,
        };
        for part in rest.split(',') {
            let Some((k, v)) = part.split_once('=') else { continue };
            match trim(k) {
                "access" => entry.access_count = trim(v).parse().unwrap_or(0),
                "reject" => entry.reject_count = trim(v).parse().unwrap_or(0),
                "duration" => entry.duration_ms = grammar::parse_full_duration(v).unwrap_or(0),
                _ => {}
            }
        }
        if !self.window_announced {
            self.window_announced = true;
            self.visitor.history_window(&self.window);
        }
        self.visitor.history(&entry);
    }
}
