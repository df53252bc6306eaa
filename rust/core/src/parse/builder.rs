//! A [`Visitor`] that keeps everything: the owned [`Snapshot`] tree.

use crate::model::{
    decode_uid, split_flags, Context, DiscreteAccess, DiscreteRef, Event, EventKind, EventRef, HistoryEntry,
    HistoryEntryRef, HistoryWindow, HistoryWindowRef, OpEntry, OpRef, Package, ParseSummary, Running, RunningRef,
    Snapshot, UidBlock, UidMode, Visitor,
};

#[derive(Default)]
pub struct SnapshotBuilder {
    uids: Vec<UidBlock>,
    discrete: Vec<DiscreteAccess>,
    history: Vec<HistoryWindow>,
}

impl SnapshotBuilder {
    pub fn finish(self, summary: ParseSummary) -> Snapshot {
        Snapshot { summary, uids: self.uids, discrete: self.discrete, history: self.history }
    }

    /// The current uid block; an implicit one (uid unknown) when the input never named a uid.
    fn uid_block(&mut self, ctx: &Context<'_>) -> &mut UidBlock {
        let matches = match (self.uids.last(), ctx.uid) {
            (Some(last), Some(uid)) => last.uid.as_deref() == Some(uid),
            (Some(last), None) => last.uid.is_none(),
            (None, _) => false,
        };
        if !matches {
            self.uids.push(new_uid(ctx.uid));
        }
        let last = self.uids.len() - 1;
        &mut self.uids[last]
    }

    fn package_block(&mut self, ctx: &Context<'_>) -> &mut Package {
        let block = self.uid_block(ctx);
        let matches = block.packages.last().is_some_and(|p| p.package.as_deref() == ctx.package);
        if !matches {
            block.packages.push(Package { package: ctx.package.map(str::to_owned), ops: Vec::new() });
        }
        let last = block.packages.len() - 1;
        &mut block.packages[last]
    }

    fn op_entry(&mut self, ctx: &Context<'_>) -> &mut OpEntry {
        let op = ctx.op.unwrap_or("");
        let package = self.package_block(ctx);
        if package.ops.last().is_none_or(|o| o.op != op) {
            package.ops.push(new_op(op, None));
        }
        let last = package.ops.len() - 1;
        &mut package.ops[last]
    }
}

fn new_uid(uid: Option<&str>) -> UidBlock {
    UidBlock {
        uid: uid.map(str::to_owned),
        uid_number: uid.and_then(decode_uid),
        props: Vec::new(),
        modes: Vec::new(),
        packages: Vec::new(),
    }
}

fn new_op(op: &str, header: Option<&OpRef<'_>>) -> OpEntry {
    OpEntry {
        op: op.to_owned(),
        mode: header.and_then(|h| h.mode).map(str::to_owned),
        switch_op: header.and_then(|h| h.switch_op).map(str::to_owned),
        switch_mode: header.and_then(|h| h.switch_mode).map(str::to_owned),
        events: Vec::new(),
        running: Vec::new(),
        last_duration_ms: None,
        start_nesting: Vec::new(),
    }
}

impl Visitor for SnapshotBuilder {
    fn uid(&mut self, uid: &str) {
        self.uids.push(new_uid(Some(uid)));
    }

    fn uid_prop(&mut self, ctx: &Context<'_>, key: &str, value: &str) {
        self.uid_block(ctx).props.push((key.to_owned(), value.to_owned()));
    }

    fn uid_mode(&mut self, ctx: &Context<'_>, op: &str, mode: &str) {
        self.uid_block(ctx).modes.push(UidMode { op: op.to_owned(), mode: mode.to_owned() });
    }

    fn package(&mut self, ctx: &Context<'_>, package: &str) {
        self.uid_block(ctx).packages.push(Package { package: Some(package.to_owned()), ops: Vec::new() });
    }

    fn op(&mut self, ctx: &Context<'_>, op: &OpRef<'_>) {
        self.package_block(ctx).ops.push(new_op(op.op, Some(op)));
    }

    fn event(&mut self, ctx: &Context<'_>, event: &EventRef<'_>) {
        self.op_entry(ctx).events.push(Event::from_ref(event));
    }

    fn running(&mut self, ctx: &Context<'_>, running: &RunningRef<'_>) {
        self.op_entry(ctx).running.push(Running {
            attribution_tag: running.attribution_tag.map(str::to_owned),
            started_ago_ms: running.started_ago_ms,
            duration_ms: running.duration_ms,
        });
    }

    fn op_duration(&mut self, ctx: &Context<'_>, _attribution_tag: Option<&str>, duration_ms: i64) {
        self.op_entry(ctx).last_duration_ms = Some(duration_ms);
    }

    fn start_nesting(&mut self, ctx: &Context<'_>, attribution_tag: Option<&str>, nesting: u32) {
        self.op_entry(ctx).start_nesting.push((attribution_tag.map(str::to_owned), nesting));
    }

    fn discrete(&mut self, d: &DiscreteRef<'_>) {
        self.discrete.push(DiscreteAccess {
            uid: d.uid.map(str::to_owned),
            package: d.package.map(str::to_owned),
            op: d.op.to_owned(),
            kind: EventKind::Access,
            attribution_tag: d.attribution_tag.map(str::to_owned),
            uid_state: d.uid_state.map(str::to_owned),
            flags: split_flags(d.flags),
            time_local: d.time_local,
            relative_ms: None,
            time_utc_ms: d.time_utc_ms,
            duration_ms: d.duration_ms,
            proxy: d.proxy.map(|p| p.to_owned()),
            device_id: d.device_id.map(str::to_owned),
            attribution_flags: d.attribution_flags,
            chain_id: d.chain_id,
            utc_ms: None,
            time_basis: None,
        });
    }

    fn history_window(&mut self, window: &HistoryWindowRef) {
        self.history.push(HistoryWindow::new(*window));
    }

    fn history(&mut self, e: &HistoryEntryRef<'_>) {
        if self.history.last().is_none_or(|w| w.window != e.window) {
            self.history.push(HistoryWindow::new(e.window));
        }
        if let Some(window) = self.history.last_mut() {
            window.entries.push(HistoryEntry {
                uid: e.uid.map(str::to_owned),
                package: e.package.map(str::to_owned),
                op: e.op.to_owned(),
                attribution_tag: e.attribution_tag.map(str::to_owned),
                uid_state: e.uid_state.map(str::to_owned),
                flags: split_flags(e.flags),
                access_count: e.access_count,
                reject_count: e.reject_count,
                duration_ms: e.duration_ms,
            });
        }
    }
}
