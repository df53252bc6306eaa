//! A [`Visitor`] that only counts: the summary of a dump without keeping it.

use serde::Serialize;

use crate::model::{
    Context, DiscreteRef, EventKind, EventRef, HistoryEntryRef, HistoryWindowRef, OpRef, RunningRef, Visitor,
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub uids: u64,
    pub packages: u64,
    pub ops: u64,
    pub uid_modes: u64,
    pub access_events: u64,
    pub reject_events: u64,
    pub running: u64,
    pub discrete_events: u64,
    pub history_windows: u64,
    pub history_entries: u64,
}

impl Visitor for Tally {
    fn uid(&mut self, _uid: &str) {
        self.uids += 1;
    }
    fn uid_mode(&mut self, _ctx: &Context<'_>, _op: &str, _mode: &str) {
        self.uid_modes += 1;
    }
    fn package(&mut self, _ctx: &Context<'_>, _package: &str) {
        self.packages += 1;
    }
    fn op(&mut self, _ctx: &Context<'_>, _op: &OpRef<'_>) {
        self.ops += 1;
    }
    fn event(&mut self, _ctx: &Context<'_>, event: &EventRef<'_>) {
        match event.kind {
            EventKind::Access => self.access_events += 1,
            EventKind::Reject => self.reject_events += 1,
        }
    }
    fn running(&mut self, _ctx: &Context<'_>, _running: &RunningRef<'_>) {
        self.running += 1;
    }
    fn discrete(&mut self, _access: &DiscreteRef<'_>) {
        self.discrete_events += 1;
    }
    fn history_window(&mut self, _window: &HistoryWindowRef) {
        self.history_windows += 1;
    }
    fn history(&mut self, _entry: &HistoryEntryRef<'_>) {
        self.history_entries += 1;
    }
}
