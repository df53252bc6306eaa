//! The history section (`--history`, `AppOps Historical Service State:`): windows and their per-key aggregates.

use super::Parser;
use crate::model::{HistoryEntryRef, Visitor};
use crate::parse::grammar::{self, trim};

impl<V: Visitor> Parser<V> {
    pub(super) fn history_line(&mut self, t: &str) {
        if t == "snapshot:" {
            self.window = super::NO_WINDOW;
            self.window_announced = false;
            self.sec.set_uid("");
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
            self.sec.set_uid(trim(uid));
            return;
        }
        if let Some(pkg) = t.strip_prefix("Package ").and_then(|r| r.strip_suffix(':')) {
            self.sec.set_package(trim(pkg));
            return;
        }
        if t.starts_with('[') {
            self.history_entry(t);
            return;
        }
        if let Some(name) = t.strip_suffix(':') {
            let name = trim(name);
            if grammar::is_op_name(name) {
                self.sec.set_op_under_tag(name);
                return;
            }
            // Android 11+ attribution level: `AttributionTag <tag>:` / `Attribution <tag>:` / `<tag>=`.
            for prefix in ["AttributionTag ", "Attribution ", "Tag "] {
                if let Some(tag) = name.strip_prefix(prefix) {
                    self.sec.set_tag(trim(tag));
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
