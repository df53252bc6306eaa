//! A visitor that records every call it receives, with its arguments, in order: for tests and the fuzz target
//! (`rust/core/fuzz`, built with `--cfg fuzzing`) that compare two ways of parsing the same input call by call.

use super::Merge;
use crate::model::{Context, DiscreteRef, EventRef, HistoryEntryRef, HistoryWindowRef, OpRef, RunningRef, Visitor};

/// Every visitor call with its arguments, in order.
#[derive(Default)]
pub struct Calls(pub Vec<String>);

impl Visitor for Calls {
    fn uid(&mut self, uid: &str) {
        self.0.push(format!("uid {uid}"));
    }
    fn uid_prop(&mut self, ctx: &Context<'_>, key: &str, value: &str) {
        self.0.push(format!("prop {ctx:?} {key} {value}"));
    }
    fn uid_mode(&mut self, ctx: &Context<'_>, op: &str, mode: &str) {
        self.0.push(format!("mode {ctx:?} {op} {mode}"));
    }
    fn package(&mut self, ctx: &Context<'_>, package: &str) {
        self.0.push(format!("package {ctx:?} {package}"));
    }
    fn op(&mut self, ctx: &Context<'_>, op: &OpRef<'_>) {
        self.0.push(format!("op {ctx:?} {op:?}"));
    }
    fn event(&mut self, ctx: &Context<'_>, event: &EventRef<'_>) {
        self.0.push(format!("event {ctx:?} {event:?}"));
    }
    fn running(&mut self, ctx: &Context<'_>, running: &RunningRef<'_>) {
        self.0.push(format!("running {ctx:?} {running:?}"));
    }
    fn op_duration(&mut self, ctx: &Context<'_>, tag: Option<&str>, duration_ms: i64) {
        self.0.push(format!("duration {ctx:?} {tag:?} {duration_ms}"));
    }
    fn start_nesting(&mut self, ctx: &Context<'_>, tag: Option<&str>, nesting: u32) {
        self.0.push(format!("nesting {ctx:?} {tag:?} {nesting}"));
    }
    fn discrete(&mut self, access: &DiscreteRef<'_>) {
        self.0.push(format!("discrete {access:?}"));
    }
    fn history_window(&mut self, window: &HistoryWindowRef) {
        self.0.push(format!("window {window:?}"));
    }
    fn history(&mut self, entry: &HistoryEntryRef<'_>) {
        self.0.push(format!("history {entry:?}"));
    }
    fn device_zone(&mut self, zone: &str) {
        self.0.push(format!("zone {zone}"));
    }
}

impl Calls {
    /// Panics unless `self` holds exactly `want`'s calls, naming `what` and the first call that differs (rather
    /// than printing both lists, which run to thousands of calls).
    pub fn assert_same(&self, want: &Calls, what: &str) {
        if let Some(i) = self.0.iter().zip(&want.0).position(|(got, want)| got != want) {
            panic!("{what}: call {i} differs:\n got  {}\n want {}", self.0[i], want.0[i]);
        }
        assert_eq!(self.0.len(), want.0.len(), "{what}: number of calls");
    }
}

impl Merge for Calls {
    fn merge(&mut self, later: Self) {
        self.0.extend(later.0);
    }
}

#[cfg(test)]
mod tests {
    use super::Calls;

    fn calls(list: &[&str]) -> Calls {
        Calls(list.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn the_same_calls_pass() {
        calls(&["uid 1", "package x"]).assert_same(&calls(&["uid 1", "package x"]), "same");
    }

    #[test]
    #[should_panic(expected = "differ: call 1 differs")]
    fn the_first_call_that_differs_is_named() {
        calls(&["uid 1", "package x", "op A"]).assert_same(&calls(&["uid 1", "package y", "op B"]), "differ");
    }

    #[test]
    #[should_panic(expected = "short: number of calls")]
    fn a_missing_call_is_a_difference() {
        calls(&["uid 1"]).assert_same(&calls(&["uid 1", "package x"]), "short");
    }
}
