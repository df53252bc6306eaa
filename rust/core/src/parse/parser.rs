//! The parser's state machine: what each line means given the enclosing uid, package, op and attribution block.

mod discrete;
mod history;

use super::block::{BlockIndex, PreEvent};
use super::grammar::{self, trim, KeyedEvent, Times};
use super::lines::{self, Block, MAX_LINE};
use crate::model::{Context, Dialect, EventKind, EventRef, HistoryWindowRef, OpRef, ParseSummary, RunningRef, Visitor};
use crate::time::LocalTime;
use discrete::TableColumns;
use history::Buckets;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Per-uid op state (or `appops get` lines).
    Main,
    /// Sections that are not op state: settings, watchers, clients, restrictions, event logs.
    Skip,
    Discrete,
    History,
    /// Inside a bugreport, outside the appops section.
    OtherService,
}

/// Which features were seen; the dialect is decided from them at the end.
#[derive(Default, Clone, Copy)]
struct Seen {
    dumpsys_header: bool,
    sectioned: bool,
    uid_header: bool,
    package_header: bool,
    paren_op_header: bool,
    attribution: bool,
    keyed_event: bool,
    pie_event: bool,
    inline_op: bool,
    discrete: bool,
    history: bool,
    capability: bool,
    /// A uid's `state=` (its process state), printed from Android 9 on.
    uid_state: bool,
}

// `Seen` is its thirteen flags (one byte each), all of them in `Seen::flags_mut`.
const _: () = assert!(std::mem::size_of::<Seen>() == 13);

impl Seen {
    /// Every flag, each once (the size check above stops the build when a field is added and not listed here).
    fn flags_mut(&mut self) -> [&mut bool; 13] {
        [
            &mut self.dumpsys_header,
            &mut self.sectioned,
            &mut self.uid_header,
            &mut self.package_header,
            &mut self.paren_op_header,
            &mut self.attribution,
            &mut self.keyed_event,
            &mut self.pie_event,
            &mut self.inline_op,
            &mut self.discrete,
            &mut self.history,
            &mut self.capability,
            &mut self.uid_state,
        ]
    }

    /// What was seen in an earlier part and in a later one.
    fn or(&mut self, later: &Seen) {
        let mut later = *later;
        for (flag, seen) in self.flags_mut().into_iter().zip(later.flags_mut()) {
            *flag |= *seen;
        }
    }

    fn dialect(&self) -> Dialect {
        let dumpsys = self.dumpsys_header || self.uid_header || self.package_header;
        if self.sectioned {
            Dialect::DumpsysSectioned
        } else if self.attribution || self.capability {
            Dialect::DumpsysAttributed
        } else if self.keyed_event {
            Dialect::DumpsysQ
        } else if self.pie_event {
            Dialect::DumpsysPie
        } else if self.inline_op && dumpsys && !self.uid_state {
            Dialect::DumpsysLegacy
        } else if self.inline_op && !dumpsys {
            Dialect::AppopsGet
        } else if self.paren_op_header {
            // `(mode):` headers without events: Android 9 or later, and nothing narrows it further.
            Dialect::DumpsysQ
        } else if self.uid_state {
            // Uid states with no op state to tell more (`dumpsys appops --op X` prints uid modes only): the oldest
            // layout that prints them.
            Dialect::DumpsysPie
        } else if self.discrete {
            // Also under the dump's header: Android 14 and 15 print `--history` and `--include-discrete` below
            // `Current AppOps Service state:` with no uid blocks.
            Dialect::DiscreteOnly
        } else if self.history {
            Dialect::HistoryOnly
        } else if dumpsys {
            Dialect::DumpsysLegacy
        } else {
            Dialect::Unknown
        }
    }
}

/// Infers the dump's own "now" from absolute+relative pairs (`abs − rel`). All relative times of one dump share
/// one `now`, but the absolute times are wall-clock times, so pairs from before a DST change imply a `now` an
/// hour off. The pair with the smallest |relative| is the one that shares the offset in force at dump time,
/// so its value wins; `agreeing` counts the pairs that imply exactly that value. Bounded memory: at most
/// [`NowVote::MAX_VALUES`] distinct values are tracked.
#[derive(Default)]
struct NowVote {
    /// (implied now, pairs implying it, smallest |relative| among them, that relative time)
    values: Vec<(i64, u64, i64, i64)>,
    /// A value was dropped to make room: the result depends on the order of the pairs, so votes of parts counted
    /// apart cannot be combined.
    evicted: bool,
}

impl NowVote {
    const MAX_VALUES: usize = 64;

    #[inline]
    fn add(&mut self, local: Option<LocalTime>, relative_ms: Option<i64>) {
        let (Some(local), Some(rel)) = (local, relative_ms) else { return };
        let now = local.0.saturating_sub(rel);
        let abs = rel.saturating_abs();
        // Nearly every pair of a dump implies the same value, so it is almost always the first.
        if let Some(first) = self.values.first_mut().filter(|v| v.0 == now) {
            first.1 += 1;
            if abs < first.2 {
                (first.2, first.3) = (abs, rel);
            }
        } else {
            self.add_other(now, abs, rel);
        }
    }

    #[inline(never)]
    fn add_other(&mut self, now: i64, abs: i64, rel: i64) {
        if let Some(v) = self.values.iter_mut().find(|v| v.0 == now) {
            v.1 += 1;
            if abs < v.2 {
                (v.2, v.3) = (abs, rel);
            }
        } else if self.values.len() < Self::MAX_VALUES {
            self.values.push((now, 1, abs, rel));
        } else if let Some(worst) = self.values.iter_mut().max_by_key(|v| v.2) {
            // Keep the most recent evidence: replace the value whose closest pair is furthest away.
            if abs < worst.2 {
                *worst = (now, 1, abs, rel);
            }
            self.evicted = true;
        }
    }

    /// Whether [`NowVote::merge`] gives what adding `later`'s pairs here one by one would: not when a value was
    /// dropped, or when the two together hold too many (one would have been).
    fn can_merge(&self, later: &NowVote) -> bool {
        let new = later.values.iter().filter(|v| !self.values.iter().any(|w| w.0 == v.0)).count();
        !self.evicted && !later.evicted && self.values.len() + new <= Self::MAX_VALUES
    }

    /// Adds the votes of the part that follows ([`NowVote::can_merge`] must hold). The values stay in order of
    /// first appearance, so ties in [`NowVote::result`] go the same way.
    fn merge(&mut self, later: &NowVote) {
        for &(now, count, abs, rel) in &later.values {
            match self.values.iter_mut().find(|w| w.0 == now) {
                Some(w) => {
                    w.1 += count;
                    if abs < w.2 {
                        (w.2, w.3) = (abs, rel);
                    }
                }
                None => self.values.push((now, count, abs, rel)),
            }
        }
    }

    /// The dump's "now", the pairs implying it, and the relative time of the pair that decided it.
    fn result(&self) -> (Option<LocalTime>, u64, Option<i64>) {
        self.deciding().map_or((None, 0, None), |v| (Some(LocalTime(v.0)), v.1, Some(v.3)))
    }

    fn deciding(&self) -> Option<&(i64, u64, i64, i64)> {
        self.values.iter().min_by_key(|v| v.2)
    }

    /// The nearest pair of each other value, as (local time, relative time, pairs implying that value)
    /// ([`ParseSummary::dump_time_other_pairs`]).
    fn other_pairs(&self) -> Vec<(LocalTime, i64, u64)> {
        let deciding = self.deciding().map(|v| v.0);
        self.values
            .iter()
            .filter(|v| Some(v.0) != deciding)
            .map(|&(now, count, _, rel)| (LocalTime(now.saturating_add(rel)), rel, count))
            .collect()
    }
}

/// The enclosing uid, package, op and attribution tag, in buffers reused from line to line.
#[derive(Default)]
struct Cursor {
    uid: String,
    has_uid: bool,
    package: String,
    has_package: bool,
    op: String,
    has_op: bool,
    /// The op was opened by an `OP (mode):` header, under which no `OP: mode` op line comes.
    header_op: bool,
    tag: String,
    has_tag: bool,
}

impl Cursor {
    fn ctx(&self) -> Context<'_> {
        Context {
            uid: self.has_uid.then_some(self.uid.as_str()),
            package: self.has_package.then_some(self.package.as_str()),
            op: self.has_op.then_some(self.op.as_str()),
        }
    }

    fn tag(&self) -> Option<&str> {
        self.has_tag.then_some(self.tag.as_str())
    }
}

/// The uid, package, op and attribution tag of the discrete and history sections, which keep their own context.
#[derive(Default)]
struct SectionCursor {
    uid: String,
    package: String,
    op: String,
    /// The discrete section's `Device: default:0` level between an op and its attributions (Android 15 on).
    device: String,
    tag: String,
    has_tag: bool,
}

impl SectionCursor {
    /// A new uid (empty: none) starts with no package, op or tag.
    fn set_uid(&mut self, uid: &str) {
        set(&mut self.uid, uid);
        self.set_package("");
    }

    fn set_package(&mut self, package: &str) {
        set(&mut self.package, package);
        self.set_op("");
    }

    /// An op of the discrete section, whose `Attribution:` lines come below the op they belong to.
    fn set_op(&mut self, op: &str) {
        set(&mut self.op, op);
        self.set_device("");
    }

    /// A device of the discrete section's op (`Device: companion:42`, a virtual device's persistent id), whose
    /// `Attribution:` lines come below it.
    fn set_device(&mut self, device: &str) {
        set(&mut self.device, device);
        self.has_tag = false;
    }

    /// An op of the history section, which prints `Attribution <tag>:` above the ops it holds
    /// (`AttributedHistoricalOps.accept` visits itself, then its ops): the tag stays until the next one or package.
    fn set_op_under_tag(&mut self, op: &str) {
        set(&mut self.op, op);
    }

    fn set_tag(&mut self, tag: &str) {
        self.has_tag = tag != "null";
        set(&mut self.tag, tag);
    }

    fn uid(&self) -> Option<&str> {
        non_empty(&self.uid)
    }

    fn is_empty(&self) -> bool {
        self.uid.is_empty()
            && self.package.is_empty()
            && self.op.is_empty()
            && self.device.is_empty()
            && self.tag.is_empty()
            && !self.has_tag
    }

    fn package(&self) -> Option<&str> {
        non_empty(&self.package)
    }

    fn device(&self) -> Option<&str> {
        non_empty(&self.device)
    }

    fn tag(&self) -> Option<&str> {
        self.has_tag.then_some(self.tag.as_str())
    }
}

const NO_WINDOW: HistoryWindowRef =
    HistoryWindowRef { begin_local: None, begin_relative_ms: None, end_local: None, end_relative_ms: None };

pub(super) struct Parser<V: Visitor> {
    visitor: V,
    section: Section,
    embedded: bool,
    section_ended: bool,
    /// The input is a whole bugreport or `dumpsys` of every service (its first framing line was seen), which never
    /// ends inside the appops section.
    whole_report: bool,
    cur: Cursor,
    attr_open: bool,
    in_fg_ops: bool,
    pie_kind: Option<EventKind>,
    /// Discrete and history sections keep their own context.
    sec: SectionCursor,
    window: HistoryWindowRef,
    window_announced: bool,
    columns: Option<TableColumns>,
    /// The aggregation buckets of the newest (SQLite) history, for the windows of its table rows.
    buckets: Buckets,
    seen: Seen,
    vote: NowVote,
    summary: ParseSummary,
    /// Whether the last line fed was cut (unterminated and not complete).
    cut: bool,
    dates: grammar::DateCache,
    /// The line being parsed is the input's last and has no newline: records from it must be complete.
    last_line: bool,
    /// A line was read as it is only when the dump's header has not been seen (`colon_line`): a part cut off from the
    /// start of a file can then be joined only to parts that did not see the header either.
    needed_no_header: bool,
    /// Inside a bugreport's system properties section (`------ SYSTEM PROPERTIES (getprop) ------`), where alone a
    /// `[persist.sys.timezone]` line is the device's: other sections print text that apps write (notifications).
    in_properties: bool,
    /// Scratch for [`Parser::feed_lines`]: the `\n` positions of a block.
    line_ends: Vec<u32>,
}

impl<V: Visitor> Parser<V> {
    pub(super) fn new(visitor: V) -> Self {
        Parser {
            visitor,
            section: Section::Main,
            embedded: false,
            section_ended: false,
            whole_report: false,
            cur: Cursor::default(),
            attr_open: false,
            in_fg_ops: false,
            pie_kind: None,
            sec: SectionCursor::default(),
            window: NO_WINDOW,
            window_announced: false,
            columns: None,
            buckets: Buckets::default(),
            seen: Seen::default(),
            vote: NowVote::default(),
            summary: ParseSummary::default(),
            cut: false,
            dates: grammar::DateCache::default(),
            last_line: false,
            needed_no_header: false,
            in_properties: false,
            line_ends: Vec::new(),
        }
    }

    /// The scratch list of line ends ([`Parser::feed_lines`]), to be handed to the next parser of the same thread
    /// ([`Parser::reuse_line_ends`]): made anew for each part of a file, its pages were mapped and zeroed again each
    /// time (a quarter of `opsight parse`'s page faults when it took 128 KB).
    pub(super) fn take_line_ends(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.line_ends)
    }

    pub(super) fn reuse_line_ends(&mut self, line_ends: Vec<u32>) {
        self.line_ends = line_ends;
    }

    /// Every line of a block, in order.
    pub(super) fn feed_block(&mut self, block: &Block, index: &BlockIndex, scratch: &mut String) {
        let recs = index.lines.get(usize::from(block.skip_first)..).unwrap_or_default();
        match block.text() {
            Some(text) => {
                for rec in recs {
                    let len = (rec.to - rec.from) as usize;
                    if len > MAX_LINE {
                        self.summary.lines += 1;
                        self.unrecognised();
                    } else if index.utf8 {
                        self.summary.lines += 1;
                        self.feed_trimmed(index.trimmed(rec, text), true, index.event(rec), text);
                    } else {
                        let line = text.get(rec.from as usize..rec.to as usize).unwrap_or_default();
                        self.feed(&lines::Line { text: line, terminated: true, overlong: false, lossy: false });
                    }
                }
            }
            None => self.feed_mixed(block, scratch),
        }
    }

    /// Every line of a block, in order, without an index (on this thread alone).
    pub(super) fn feed_lines(&mut self, block: &Block, scratch: &mut String) {
        match block.text() {
            Some(text) => {
                let bytes = block.bytes();
                // The list of line ends is found first, then walked (`newline_positions` says why).
                let mut ends = std::mem::take(&mut self.line_ends);
                let (mut from, ends_here) = block.line_ends(&mut ends);
                self.summary.lines += ends_here.len() as u64;
                for &nl in ends_here {
                    let range = from..nl as usize;
                    from = range.end + 1;
                    if range.len() > MAX_LINE {
                        self.unrecognised();
                    } else {
                        // Trimmed as positions, then cut once (each `str` cut checks for a character boundary).
                        let (start, end) = grammar::trim_range(bytes, range.start, range.end);
                        self.feed_trimmed(text.get(start..end).unwrap_or_default(), true, None, "");
                    }
                }
                self.line_ends = ends;
            }
            None => self.feed_mixed(block, scratch),
        }
    }

    /// Whole lines, each ended by `\n`, that are UTF-8. Through [`Parser::feed`], which holds a copy of the line
    /// dispatch already: another one here, inlined, made the Android library 2.8 KB larger for a path this rare.
    fn feed_utf8_lines(&mut self, text: &str) {
        let mut from = 0;
        for nl in lines::newlines(text.as_bytes()) {
            let line = text.get(from..nl).unwrap_or_default();
            from = nl + 1;
            self.feed(&lines::Line { text: line, terminated: true, overlong: line.len() > MAX_LINE, lossy: false });
        }
    }

    /// The lines of a block that is not all UTF-8. Each stretch of whole lines that is UTF-8 still takes the
    /// usual path, and only a line that is not is decoded on its own (lossily): one stray byte no longer sends
    /// its whole block (up to 256 KiB) down the per-line path, which halved the parse at one such byte per MB.
    /// Validation from a line's start is the same as the line's own (a `\n` never continues a character), so
    /// every line is read as it would be alone.
    #[inline(never)]
    fn feed_mixed(&mut self, block: &Block, scratch: &mut String) {
        let bytes = block.bytes();
        let mut from = 0;
        if block.skip_first {
            from = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |nl| nl + 1);
        }
        while let Some(rest) = bytes.get(from..).filter(|rest| !rest.is_empty()) {
            // std's check, not simdutf8's `compat` one: this path is rare, and that one would add 8 KB to the Android library.
            let valid = std::str::from_utf8(rest).map_or_else(|e| e.valid_up_to(), |_| rest.len());
            // The stretch ends after the last newline before the first bad byte (or at the block's end).
            let whole = if valid == rest.len() {
                rest.len()
            } else {
                memchr::memrchr(b'\n', &rest[..valid]).map_or(0, |nl| nl + 1)
            };
            if let Ok(text) = std::str::from_utf8(&rest[..whole]) {
                self.feed_utf8_lines(text);
            }
            if whole == rest.len() {
                break;
            }
            // The line with the bad byte; the block ends with a `\n`, so it has one.
            let end = memchr::memchr(b'\n', &rest[valid..]).map_or(rest.len(), |nl| valid + nl);
            lines::emit_bytes(&rest[whole..end], true, scratch, &mut |l| self.feed(&l));
            from += end + 1;
        }
    }

    pub(super) fn feed_loose(&mut self, bytes: &[u8], terminated: bool, scratch: &mut String) {
        lines::emit_bytes(bytes, terminated, scratch, &mut |l| self.feed(&l));
    }

    pub(super) fn feed(&mut self, line: &lines::Line<'_>) {
        self.summary.lines += 1;
        if line.overlong {
            self.summary.unrecognised_lines += 1;
            // An overlong last line without its newline: the input ended mid-line, as any cut last line does.
            self.cut |= !line.terminated;
            return;
        }
        if line.lossy {
            self.summary.lossy_lines += 1;
        }
        self.feed_trimmed(trim(line.text), line.terminated, None, "");
    }

    /// A line already counted and trimmed. `pre` is its event decoded by the block index, with strings in `text`.
    /// Inlined into the line loops: a call per line, with this function's frame, cost 3.6 % of the parse's
    /// instructions (callgrind); the work of each kind of line stays out of line (`paren_line`, `line`).
    #[inline(always)]
    fn feed_trimmed(&mut self, mut t: &str, terminated: bool, pre: Option<&PreEvent>, text: &str) {
        // A byte order mark: the input's first bytes, or inside it (files that each began with one, joined: `copy
        // a+b`), before any kind of line. One byte compared per line.
        if t.as_bytes().first() == Some(&0xEF) {
            t = without_bom(t);
        }
        if t.is_empty() {
            return;
        }
        if !terminated {
            // The last line of the input. Parse it only if it ends where a whole line could end;
            // otherwise it was cut and its fields may be wrong (`+1m3` of `+1m37s899ms`).
            if grammar::looks_complete(t) {
                self.last_line = true;
                let unrecognised = self.summary.unrecognised_lines;
                self.line(t);
                if self.summary.unrecognised_lines > unrecognised {
                    // It ends as a whole line could (`Access: [bg-s]` ends with `]`) but is not one: taken as cut.
                    self.summary.unrecognised_lines = unrecognised;
                    self.cut = true;
                }
            } else {
                self.cut = true;
            }
            return;
        }
        if self.section == Section::Main {
            // Most lines of a large dump are events: the fast path skips the framing and header checks,
            // which no event line can match.
            if let Some((kind, rest)) = grammar::event_kind(t) {
                self.event_line(kind, rest, pre.map(|p| p.get(text)));
                return;
            }
            // So are attribution blocks and op headers.
            if t.ends_with("):") && !t.starts_with("Uid ") {
                self.paren_line(t);
                return;
            }
            if t == "]" || t.ends_with("=[") {
                // `main_line` would test these for an event (ruled out above) and a running op first.
                if t.starts_with("Running start at:") {
                    self.main_line(t);
                } else {
                    self.attribution_line(t);
                }
                return;
            }
            // Uid properties (`state=cch`, `capability=----`): a line that starts with a small letter and has no `:`
            // matches no framing line, section header (`... watchers:` ends with one) or earlier test of `main_line`.
            if t.as_bytes()[0].is_ascii_lowercase() && grammar::pos(t, b':').is_none() {
                self.value_line(t);
                return;
            }
        }
        self.line(t);
    }

    /// A line of the main section that ends with `):` and is no event: mostly an op header. Out of line, so that the
    /// per-line dispatch above keeps a small frame for the lines that need none of this.
    #[inline(never)]
    fn paren_line(&mut self, t: &str) {
        // The usual header first: its name of capitals, digits and `_` cannot start the lines ruled out below.
        if let Some(header) = grammar::usual_op_header(t) {
            self.start_header_op(&header);
            return;
        }
        self.unusual_paren_line(t);
    }

    /// [`Parser::paren_line`] for a line that is not the usual op header; out of line, so that the usual one's path
    /// saves no registers for it.
    #[inline(never)]
    fn unusual_paren_line(&mut self, t: &str) {
        // What `main_line` would reach after ruling out the lines that start with these words (and with
        // `Access:` and `Reject:`, taken by the caller).
        if !(t.starts_with("Running start at:") || t.starts_with("Package ")) {
            // The usual form was tried above.
            if let Some(header) = grammar::general_op_header(t) {
                self.start_header_op(&header);
                return;
            }
        }
        let unrecognised = self.summary.unrecognised_lines;
        self.main_line(t);
        if self.summary.unrecognised_lines > unrecognised && !t.starts_with("Running start at:") {
            // Most likely an op header in a form not read (`OP NAME (allow):`): the events below it are not the
            // op's above, so they are dropped (and counted) rather than charged to it.
            self.cur.has_op = false;
            self.cur.has_tag = false;
            self.attr_open = false;
            self.pie_kind = None;
        }
    }

    fn unrecognised(&mut self) {
        self.summary.unrecognised_lines += 1;
    }

    /// The input stream ended before its own end (a gzip stream cut short), or inside an overlong line: truncated,
    /// wherever the last line ended.
    pub(super) fn input_cut_short(&mut self) {
        self.cut = true;
    }

    /// Whether a record whose parts did not all finish must be dropped: only on a cut last line.
    fn drop_incomplete(&mut self, complete: bool) -> bool {
        if !complete && self.last_line {
            self.cut = true;
            return true;
        }
        false
    }

    fn line(&mut self, t: &str) {
        // Bugreport / androidqf framing comes first: it decides whether the rest is ours.
        if let Some(rest) = t.strip_prefix("DUMP OF SERVICE ") {
            let name = trim(rest.trim_end_matches(':'));
            let name = name.strip_prefix("CRITICAL ").or_else(|| name.strip_prefix("HIGH ")).unwrap_or(name);
            if name == "appops" {
                self.embedded = true;
                self.section_ended = false;
                self.section = Section::Main;
                self.reset_uid();
            } else {
                if self.embedded && self.section != Section::OtherService {
                    self.section_ended = true;
                }
                self.section = Section::OtherService;
            }
            return;
        }
        if self.section == Section::OtherService {
            if !self.section_ended && !self.seen_any_appops() {
                self.report_facts(t);
            }
            return;
        }
        if t.starts_with("== dumpstate")
            || t.starts_with("========================================")
            || t == "Currently running services:"
        {
            // A whole bugreport, or a plain `dumpsys` of every service (androidqf's `dumpsys.txt`, which starts with
            // the list of services): nothing counts until `DUMP OF SERVICE appops:`.
            if !self.seen_any_appops() {
                self.report_facts(t);
            }
            self.section = Section::OtherService;
            self.embedded = true;
            self.whole_report = true;
            return;
        }
        if self.embedded && (t.starts_with("--------- ") && t.contains("was the duration of dumpsys") || is_rule(t)) {
            self.section_ended = true;
            self.section = Section::OtherService;
            return;
        }
        if self.section_header(t) {
            return;
        }
        if self.section == Section::Skip && t.starts_with("Uid ") && ends_skipped_settings(t) {
            // The per-uid op state follows the settings and watcher sections without a header of its own.
            self.section = Section::Main;
        }
        match self.section {
            Section::Main => self.main_line(t),
            Section::Discrete => self.discrete_line(t),
            Section::History => self.history_line(t),
            Section::Skip => {
                // Watchers print `op=` only from Android 11 on: evidence for the dialect of watcher-only excerpts.
                if t.contains("Callback{") && t.contains(" op=") {
                    self.seen.capability = true;
                }
            }
            Section::OtherService => {}
        }
    }

    /// Top-level headers that switch sections. Returns whether `t` was one.
    fn section_header(&mut self, t: &str) -> bool {
        // Most lines start with none of the headers' first letters: rule them out before comparing strings.
        if !matches!(t.as_bytes().first(), Some(b'A' | b'C' | b'D' | b'G' | b'H' | b'P' | b'S' | b'U'))
            && !t.ends_with(" watchers:")
        {
            return false;
        }
        let section = if let Some(rest) = t.strip_prefix("AppOps ") {
            if is_header(rest, "Service state") {
                self.seen.dumpsys_header = true;
                self.seen.sectioned = true;
                Section::Skip
            } else if is_header(rest, "Uid Op State") {
                self.seen.sectioned = true;
                Section::Main
            } else if is_header(rest, "Historical Service State") {
                self.seen.history = true;
                self.summary.has_history = true;
                self.columns = None;
                Section::History
            } else if is_header(rest, "Watchers") || is_header(rest, "Restrictions") || rest.starts_with("policy ") {
                // `AppOps policy not set.`, or AppOpsPolicy's `AppOps policy location tags:` with its `#0: uid=pkg[…]`
                // lines (Android 12 on).
                Section::Skip
            } else {
                return false;
            }
        } else if is_header(t, "Current AppOps Service state") {
            self.seen.dumpsys_header = true;
            Section::Skip
        } else if is_header(t, "Uid State Changes Event Log") {
            Section::Skip
        } else {
            match t {
                "Settings:" | "Clients:" | "Audio Restrictions:" | "Profile owners:" => Section::Skip,
                _ if t.starts_with("Discrete accesses:") => {
                    self.seen.discrete = true;
                    self.summary.has_discrete = true;
                    self.columns = None;
                    Section::Discrete
                }
                _ if t.starts_with("History:") => {
                    self.seen.history = true;
                    self.summary.has_history = true;
                    self.columns = None;
                    Section::History
                }
                // `Op mode watchers:`, `Package mode watchers:`…: a word of its own, unlike
                // `Package org.birdwatchers:`.
                _ if t.ends_with(" watchers:") && !t.contains('=') => Section::Skip,
                _ if t.starts_with("User restrictions for token") || t.starts_with("Global restrictions") => {
                    Section::Skip
                }
                _ => return false,
            }
        };
        self.section = section;
        self.reset_uid();
        true
    }

    fn reset_uid(&mut self) {
        self.cur.has_uid = false;
        self.cur.has_package = false;
        self.cur.has_op = false;
        self.cur.has_tag = false;
        self.attr_open = false;
        self.in_fg_ops = false;
        self.pie_kind = None;
    }

    /// `tag=[` opens an attribution block (Android 11+), `]` closes it. Small and a quarter of the lines of an
    /// Android 11+ dump: inlined (-0.8 % instructions).
    #[inline(always)]
    fn attribution_line(&mut self, t: &str) {
        if t == "]" {
            if self.attr_open {
                self.attr_open = false;
                self.cur.has_tag = false;
            } else {
                self.unrecognised();
            }
        } else if let Some(tag) = t.strip_suffix("=[") {
            if !self.cur.has_op {
                // Attribution blocks are inside ops: outside one (an excerpt that starts inside the block, or any
                // text that ends with `=[`) it is no evidence of the Android 11+ dialect, and its events have no op.
                self.unrecognised();
                return;
            }
            self.seen.attribution = true;
            self.attr_open = true;
            let tag = trim(tag);
            self.cur.has_tag = tag != "null";
            // Read only through `Cursor::tag`, which ignores it when there is no tag: `null` (the most common) is not
            // copied.
            if self.cur.has_tag {
                set(&mut self.cur.tag, tag);
            }
        }
    }

    fn main_line(&mut self, t: &str) {
        let b = t.as_bytes()[0];
        // Most lines of a large dump are events: test for them first.
        if b == b'A' || b == b'R' {
            if let Some((kind, rest)) = grammar::event_kind(t) {
                self.event_line(kind, rest, None);
                return;
            }
            if let Some(rest) = t.strip_prefix("Running start at:") {
                self.running_line(rest);
                return;
            }
        }
        if t == "]" || t.ends_with("=[") {
            self.attribution_line(t);
            return;
        }
        if let Some(rest) = t.strip_prefix("Uid ") {
            if let Some(rest) = rest.strip_prefix("mode:") {
                // `appops get`: `Uid mode: OP: mode` (printed once, before the first uid-level op).
                match trim(rest).split_once(':') {
                    Some((op, mode)) if grammar::is_op_name(trim(op)) && !trim(mode).is_empty() => {
                        self.seen.inline_op = true;
                        let ctx = self.cur.ctx();
                        self.visitor.uid_mode(&ctx, trim(op), trim(mode));
                    }
                    _ => self.unrecognised(),
                }
                return;
            }
            // Any `Uid X:` in the op state ends the uid before it, even when X is no uid (kept as printed, with no
            // number): the packages below are not that uid's. One that lost its colon must name a uid.
            let bare = || bare_name(rest).filter(|name| is_uid_name(name) && !self.last_line);
            if let Some(uid) = header_name(rest).or_else(bare) {
                {
                    self.seen.uid_header = true;
                    self.reset_uid();
                    self.cur.has_uid = true;
                    self.cur.uid.clear();
                    self.cur.uid.push_str(uid);
                    self.visitor.uid(uid);
                    return;
                }
            }
            // A `Uid …` line not read (`Uid foo bar`): still the end of the uid before it, whose packages the ones
            // below are not. They are kept with no uid rather than charged to it.
            self.reset_uid();
            self.unrecognised();
            return;
        }
        if let Some(rest) = t.strip_prefix("Package ") {
            if let Some(name) = header_name(rest).or_else(|| bare_name(rest).filter(|_| !self.last_line)) {
                {
                    self.seen.package_header = true;
                    self.cur.has_package = true;
                    self.cur.package.clear();
                    self.cur.package.push_str(name);
                    self.cur.has_op = false;
                    self.cur.has_tag = false;
                    self.attr_open = false;
                    self.in_fg_ops = false;
                    // An Android 9 continuation line belongs to the `Access:`/`Reject:` line of its own op.
                    self.pie_kind = None;
                    let ctx = self.cur.ctx();
                    self.visitor.package(&ctx, name);
                    return;
                }
            }
        }
        // Op names start with a capital or `_` (`Unknown(N)` too); property lines never do.
        if matches!(b, b'A'..=b'Z' | b'_') && grammar::pos(t, b'(').is_some() {
            if let Some(header) = grammar::parse_op_header(t) {
                self.start_header_op(&header);
                return;
            }
        }
        if t == "foregroundOps:" {
            self.in_fg_ops = true;
            return;
        }
        if let Some((name, rest)) = split_colon_space(t) {
            self.colon_line(trim(name), rest);
            return;
        }
        self.value_line(t);
    }

    /// What is left of [`Parser::main_line`] for a line that is no event, attribution, header or `NAME: value`
    /// line: `key=value` properties, Android 9 continuation lines, or nothing we know.
    fn value_line(&mut self, t: &str) {
        if let Some((key, value)) = grammar::split_at_byte(t, b'=') {
            if let Some(header) = tag_header_with_words(t, key, value) {
                self.attribution_line(header);
                return;
            }
            // Android 9 continuation `bg    = <abs> (<rel>)` of the previous Access/Reject line. Its value starts
            // with a date's digit (ASCII, or another script's: a byte above ASCII); a uid property's (`state=cch`),
            // on every uid, never needs the attempt.
            let dated = || trim(value).as_bytes().first().is_some_and(|&b| b.is_ascii_digit() || b >= 0x80);
            if let Some(e) = dated().then(|| grammar::parse_state_times(t, &mut self.dates)).flatten() {
                match self.pie_kind {
                    Some(kind) => {
                        if !self.drop_incomplete(e.times.complete) {
                            self.pie_event(kind, e.uid_state, e.times);
                        }
                    }
                    // A continuation with no `Access:`/`Reject:` line above it (an excerpt that starts there, or
                    // an OEM line in between): an event with no kind, not a property.
                    None => self.unrecognised(),
                }
                return;
            }
            self.prop_line(trim(key), trim(value));
            return;
        }
        match t {
            // `appops get` of a package that has no op entries (and of one op: its default mode, `Default mode: allow`,
            // which `colon_line` takes): the output of a capture that found nothing, not a line we do not know.
            "No operations." => self.seen.inline_op = true,
            _ if t.starts_with("Default mode:") => self.seen.inline_op = true,
            _ => self.unrecognised(),
        }
    }

    /// An op opened by an `OP (mode):` header (Android 9+).
    fn start_header_op(&mut self, header: &OpRef<'_>) {
        self.seen.paren_op_header = true;
        self.start_op(header);
        self.cur.header_op = true;
    }

    fn start_op(&mut self, header: &OpRef<'_>) {
        self.cur.has_op = true;
        self.cur.header_op = false;
        self.cur.op.clear();
        self.cur.op.push_str(header.op);
        self.cur.has_tag = false;
        self.attr_open = false;
        self.pie_kind = None;
        self.in_fg_ops = false;
        let ctx = self.cur.ctx();
        self.visitor.op(&ctx, header);
    }

    /// `NAME: value` lines: uid-level modes, legacy and `appops get` op lines, foregroundOps entries, watchers.
    fn colon_line(&mut self, name: &str, rest: &str) {
        // The discrete section's `Uid: 10123`, `Package: com.x`, `Attribution: null`, met outside it (an excerpt
        // without its `Discrete accesses:` line): no op of `appops get`.
        let discrete_heading = matches!(name, "Uid" | "Package" | "Attribution");
        if name.starts_with('#') || discrete_heading || !grammar::is_op_name(name) {
            if name == "Default mode" {
                // `appops get PKG OP` when the package has no entry for the op (after `No operations.`; see
                // `value_line`). It names no op, so there is nothing to keep.
                self.seen.inline_op = true;
            } else {
                self.unrecognised();
            }
            return;
        }
        let value = trim(rest);
        if self.in_fg_ops && !value.starts_with("mode") {
            return;
        }
        if !self.cur.has_package && !self.cur.has_uid && !self.seen.dumpsys_header {
            self.needed_no_header = true;
        }
        if !self.cur.has_package && !value.contains(';') {
            if let Some(mode) = value.strip_prefix("mode=").map(trim) {
                // An OEM's words after the mode (`mode=ignore oem=1`) are no part of it.
                let mode = &mode[..grammar::pos_ws(mode)];
                // Within a dump, before the uid's packages. Without a header (an excerpt that starts inside a uid
                // block), a named mode says so too: up to Android 8.1, whose op lines have this form, modes are
                // printed as numbers; from Android 9 op lines are `OP (mode):` and `OP: mode=allow` is a uid mode.
                let named = !mode.is_empty() && !mode.bytes().all(|c| c.is_ascii_digit());
                if self.seen.dumpsys_header || self.cur.has_uid || named {
                    let ctx = self.cur.ctx();
                    self.visitor.uid_mode(&ctx, name, mode);
                    return;
                }
            }
        }
        let Some(op) = grammar::parse_inline_op(name, rest) else {
            self.unrecognised();
            return;
        };
        if self.cur.has_op && self.cur.header_op && !grammar::is_mode(op.mode) {
            // Inside an op block opened by an `OP (mode):` header (Android 9+), an OEM line such as `Extra: vendor` is
            // no op: taken for one, it would take the events below it from their op. (The op's own header decides,
            // not what the dump showed before: a part of a file parsed alone must read the line the same way.)
            self.unrecognised();
            return;
        }
        if self.drop_incomplete(op.complete) {
            return;
        }
        self.seen.inline_op = true;
        self.summary.event_lines_with_unread_words += u64::from(op.unread_words);
        self.start_op(&OpRef { op: op.op, mode: Some(op.mode), switch_op: None, switch_mode: None });
        let ctx = self.cur.ctx();
        for (kind, rel) in [(EventKind::Access, op.access_relative_ms), (EventKind::Reject, op.reject_relative_ms)] {
            if let Some(rel) = rel {
                let event = EventRef {
                    kind,
                    uid_state: None,
                    flags: "",
                    attribution_tag: None,
                    time_local: None,
                    relative_ms: Some(rel),
                    duration_ms: if kind == EventKind::Access { op.duration_ms.filter(|d| *d > 0) } else { None },
                    proxy: None,
                };
                self.visitor.event(&ctx, &event);
            }
        }
        if op.running {
            // Up to Android 8.1 `startOperation` sets the op's time to the start (and its duration to -1, printed as
            // `(running)`): the access time is when the running op started.
            let started_ago_ms = op.access_relative_ms.map(|r| -r);
            self.visitor
                .running(&ctx, &RunningRef { attribution_tag: None, started_ago_ms, duration_ms: op.duration_ms });
        }
        if !op.complete {
            // The op is kept, but part of the line was not read (`time=+3s ago`, a time Android never prints): say so
            // in the summary rather than lose that event silently.
            self.unrecognised();
        }
    }

    /// `key=value` lines: uid properties (`state=cch`), and an op's `startNesting=` and Android 9 `duration=`.
    /// Anything else is counted as unrecognised, never dropped silently.
    fn prop_line(&mut self, key: &str, value: &str) {
        if key.is_empty() || grammar::pos(key, b' ').is_some() {
            self.unrecognised();
            return;
        }
        if key == "startNesting" && self.cur.has_op {
            match value.parse() {
                Ok(nesting) => {
                    let ctx = self.cur.ctx();
                    let tag = self.cur.tag();
                    self.visitor.start_nesting(&ctx, tag, nesting);
                }
                Err(_) => self.unrecognised(),
            }
            return;
        }
        if key == "duration" && self.cur.has_op {
            // Android 9 prints the op's last duration on its own line.
            match grammar::parse_full_duration(value) {
                Some(d) => {
                    let ctx = self.cur.ctx();
                    let tag = self.cur.tag();
                    self.visitor.op_duration(&ctx, tag, d);
                }
                None => self.unrecognised(),
            }
            return;
        }
        if key == "hasForegroundWatchers" {
            self.in_fg_ops = false;
        }
        if key == "capability" || key == "pendingCapability" || key == "appWidgetVisible" {
            self.seen.capability = true;
        }
        // A uid's properties come before its packages. An excerpt that starts inside a uid block has them with no
        // `Uid` header: kept for a uid not named when the key is one AOSP prints there (any `key=value` text is not
        // evidence of a uid).
        let uid_level = !self.cur.has_package && (self.cur.has_uid || UID_PROPERTIES.contains(&key));
        if uid_level {
            self.seen.uid_state |= key == "state";
            let ctx = self.cur.ctx();
            self.visitor.uid_prop(&ctx, key, value);
        } else {
            self.unrecognised();
        }
    }

    /// `decoded`: what `parse_keyed` returns for this line, when the block index already decoded it.
    #[inline(always)]
    fn event_line(&mut self, kind: EventKind, rest: &str, decoded: Option<Option<KeyedEvent<'_>>>) {
        if !self.cur.has_op {
            // An event with no op to charge it to (an excerpt that starts mid-op): not data we can keep.
            self.unrecognised();
            return;
        }
        let r = grammar::trim_blank_start(rest);
        if r.starts_with('[') {
            let Some(e) = decoded.unwrap_or_else(|| grammar::parse_keyed_with(r, &mut self.dates)) else {
                self.unrecognised();
                return;
            };
            if self.drop_incomplete(e.times.complete) {
                return;
            }
            self.seen.keyed_event = true;
            self.vote.add(e.times.time_local, e.times.relative_ms);
            self.summary.event_lines_with_unread_words += u64::from(e.times.unread_words);
            let event = EventRef {
                kind,
                uid_state: e.uid_state,
                flags: e.flags,
                attribution_tag: self.cur.tag(),
                time_local: e.times.time_local,
                relative_ms: e.times.relative_ms,
                // Reject lines never carry a duration; a stray one is ignored.
                duration_ms: if kind == EventKind::Access { e.times.duration_ms } else { None },
                proxy: e.times.proxy,
            };
            let ctx = self.cur.ctx();
            self.visitor.event(&ctx, &event);
        } else if let Some(e) = grammar::parse_state_times(r, &mut self.dates) {
            if self.drop_incomplete(e.times.complete) {
                return;
            }
            self.seen.pie_event = true;
            self.pie_kind = Some(kind);
            self.pie_event(kind, e.uid_state, e.times);
        } else {
            self.unrecognised();
        }
    }

    fn pie_event(&mut self, kind: EventKind, uid_state: &str, times: Times<'_>) {
        self.vote.add(times.time_local, times.relative_ms);
        self.summary.event_lines_with_unread_words += u64::from(times.unread_words);
        let event = EventRef {
            kind,
            uid_state: Some(uid_state),
            flags: "",
            attribution_tag: self.cur.tag(),
            time_local: times.time_local,
            relative_ms: times.relative_ms,
            duration_ms: None,
            proxy: times.proxy,
        };
        let ctx = self.cur.ctx();
        self.visitor.event(&ctx, &event);
    }

    fn running_line(&mut self, rest: &str) {
        if !self.cur.has_op {
            self.unrecognised();
            return;
        }
        let rest = trim(rest);
        // `Running start at:` with nothing after it ends the input where its duration was cut off.
        if self.drop_incomplete(!rest.is_empty()) {
            return;
        }
        let started = rest.split([' ', '\t']).next().and_then(grammar::parse_full_duration);
        let duration =
            rest.find("duration=").and_then(|p| grammar::parse_full_duration(&rest[p + "duration=".len()..]));
        let ctx = self.cur.ctx();
        let tag = self.cur.tag();
        self.visitor.running(
            &ctx,
            &RunningRef { attribution_tag: tag, started_ago_ms: started.map(i64::abs), duration_ms: duration },
        );
    }

    pub(super) fn finish(self) -> ParseSummary {
        self.finish_with_visitor().1
    }

    /// [`Parser::finish`], handing back the visitor.
    pub(super) fn finish_with_visitor(self) -> (V, ParseSummary) {
        let appops_seen = self.seen_any_appops();
        let mut summary = self.summary;
        summary.dialect = self.seen.dialect();
        summary.embedded = self.embedded;
        // A section cut out of a bugreport may end without its trailer; it is only known to be cut when it
        // stops before any op state (a dumpsys appops always prints uid state after its settings and watchers), or
        // when the input is a whole report, where `dumpsys` closes every section with its duration line.
        let open_section = self.embedded && !self.section_ended && appops_seen;
        summary.truncated =
            self.cut || self.attr_open || (open_section && (self.whole_report || !self.seen.uid_header));
        (summary.dump_time_local, summary.dump_time_votes, summary.dump_time_nearest_relative_ms) = self.vote.result();
        summary.dump_time_other_pairs = self.vote.other_pairs();
        (self.visitor, summary)
    }

    /// Whether `later`, a fresh parser fed a part of the input that starts at a `Uid` header line ([`is_uid_header`])
    /// right after the lines fed to this one, read that part exactly as this parser would have, continuing.
    ///
    /// The header line resets the uid, package, op and attribution context, so what is left to compare is the
    /// state it does not reset: the section (a header line is read as one only in the op state or in the skipped
    /// settings before it), the bugreport framing, the discrete and history sections' own context, and whether a line
    /// of `later` depended on the dump's header being absent. The votes for the dump's "now" must also combine exactly.
    pub(super) fn can_continue_into(&self, later: &Parser<V>) -> bool {
        // Every field named, so that a new one must be placed on one side or the other.
        let Parser {
            visitor: _,
            section,
            embedded,
            section_ended,
            whole_report,
            // Reset by the header line.
            cur: _,
            attr_open: _,
            in_fg_ops: _,
            pie_kind: _,
            sec,
            window,
            window_announced,
            columns,
            buckets,
            seen,
            vote,
            // Counters, added up.
            summary: _,
            cut,
            // A cache: the same values whatever it holds.
            dates: _,
            last_line,
            needed_no_header: _,
            // Only before any appops text, which a part that can be joined has not met.
            in_properties: _,
            // Scratch.
            line_ends: _,
        } = self;
        matches!(section, Section::Main | Section::Skip)
            && !embedded
            && !section_ended
            && !whole_report
            && sec.is_empty()
            && *window == NO_WINDOW
            && !window_announced
            && columns.is_none()
            && *buckets == Buckets::default()
            && !cut
            && !last_line
            && !(later.needed_no_header && seen.dumpsys_header)
            && vote.can_merge(&later.vote)
    }

    /// Continues this parser with `later` (see [`Parser::can_continue_into`], which must hold): its state becomes
    /// `later`'s, its counters and votes add `later`'s, and `merge` adds `later`'s visitor to this one's.
    pub(super) fn absorb(&mut self, later: Parser<V>, merge: impl FnOnce(&mut V, V)) {
        let Parser {
            visitor,
            section,
            embedded,
            section_ended,
            whole_report,
            cur,
            attr_open,
            in_fg_ops,
            pie_kind,
            sec,
            window,
            window_announced,
            columns,
            buckets,
            seen,
            vote,
            summary,
            cut,
            dates,
            last_line,
            needed_no_header,
            in_properties,
            line_ends: _,
        } = later;
        merge(&mut self.visitor, visitor);
        self.section = section;
        self.embedded = embedded;
        self.section_ended = section_ended;
        self.whole_report = whole_report;
        self.cur = cur;
        self.attr_open = attr_open;
        self.in_fg_ops = in_fg_ops;
        self.pie_kind = pie_kind;
        self.sec = sec;
        self.window = window;
        self.window_announced = window_announced;
        self.columns = columns;
        self.buckets = buckets;
        self.seen.or(&seen);
        self.vote.merge(&vote);
        self.summary.lines += summary.lines;
        self.summary.lossy_lines += summary.lossy_lines;
        self.summary.unrecognised_lines += summary.unrecognised_lines;
        self.summary.event_lines_with_unread_words += summary.event_lines_with_unread_words;
        self.summary.has_discrete |= summary.has_discrete;
        self.summary.has_history |= summary.has_history;
        if self.summary.device_zone.is_none() {
            self.summary.device_zone = summary.device_zone;
        }
        self.summary.report_start_local = self.summary.report_start_local.or(summary.report_start_local);
        self.cut = cut;
        self.dates = dates;
        self.last_line = last_line;
        self.needed_no_header |= needed_no_header;
        self.in_properties = in_properties;
    }

    /// What a whole bugreport says of itself before its appops section: when it was started (its header,
    /// `== dumpstate: 2022-03-29 23:27:55`, dumpstate's `strftime("%Y-%m-%d %H:%M:%S")` of the local time) and the
    /// device's zone (its system properties section, which dumpstate prints before the services that hold appops;
    /// a zone line anywhere else, such as in a notification's text, is no statement). The first of each counts.
    fn report_facts(&mut self, t: &str) {
        if let Some(title) = t.strip_prefix("------ ") {
            // Section titles (`------ SYSTEM PROPERTIES (getprop) ------`; Android 7 without `(getprop)`) and their
            // closing duration lines (`------ 0.031s was the duration of 'SYSTEM PROPERTIES' ------`).
            self.in_properties = title.starts_with("SYSTEM PROPERTIES");
            return;
        }
        match t.as_bytes().first() {
            Some(b'=') if self.summary.report_start_local.is_none() => {
                let Some(start) = t.strip_prefix("== dumpstate: ").map(trim) else { return };
                if let Some((local, used)) = LocalTime::parse(start.as_bytes()) {
                    if used == start.len() {
                        self.summary.report_start_local = Some(local);
                    }
                }
            }
            Some(b'[') if self.in_properties && self.summary.device_zone.is_none() => {
                if let Some(zone) = grammar::device_zone(t) {
                    self.summary.device_zone = Some(zone.to_owned());
                    self.visitor.device_zone(zone);
                }
            }
            _ => {}
        }
    }

    fn seen_any_appops(&self) -> bool {
        self.seen.dumpsys_header || self.seen.uid_header || self.seen.discrete || self.seen.history
    }
}

/// The keys AOSP prints under a uid, before its packages (Android 9–16: `AppOpsService` and
/// `AppOpsUidStateTrackerImpl.dumpUidState`).
const UID_PROPERTIES: [&str; 9] = [
    "state",
    "pendingState",
    "pendingStateCommitTime",
    "capability",
    "pendingCapability",
    "appWidgetVisible",
    "pendingAppWidgetVisible",
    "startNesting",
    "hasForegroundWatchers",
];

/// A line without its byte order marks, which come before the indentation: trimmed again after each. A line of
/// nothing but marks is then blank. Out of the line loops.
#[cold]
fn without_bom(mut t: &str) -> &str {
    while let Some(rest) = t.strip_prefix('\u{feff}') {
        t = trim(rest);
    }
    t
}

/// Whether a trimmed line is read as a `Uid X:` header both in the op state (by `main_line`) and after the skipped
/// settings ([`ends_skipped_settings`]): where a part of a file may start. It must also end with `:`.
pub(super) fn is_uid_header(t: &str) -> bool {
    t.ends_with(':') && ends_skipped_settings(t)
}

/// Whether a `Uid` header's name is a uid as `UserHandle.formatUid` prints one: a number (`1000`), or `u`, the
/// user, and the app id after a letter or two (`u0a119`, `u10s1000`, `u0i5`, `u0ai2`). Only such a line ends the
/// skipped settings and watchers (`Uid State:` there would make the settings below it a uid's properties).
fn is_uid_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.first().is_some_and(u8::is_ascii_digit) || (b.first() == Some(&b'u') && b.get(1).is_some_and(u8::is_ascii_digit))
}

/// The name of a `Uid`/`Package` header that lost its colon (`Package com.b`): one word, nothing after it. Never on
/// the input's last line without its newline, which may have been cut inside the name (`Package com.android.mms` of
/// `…mmsservice:`) and then ends as a whole line could.
fn bare_name(rest: &str) -> Option<&str> {
    let name = trim(rest);
    let plain = !name.is_empty() && !name.bytes().any(|c| matches!(c, b' ' | b'\t' | b':' | b'=' | b'[' | b']'));
    plain.then_some(name)
}

/// An attribution block's header with an OEM's words after it (`tracking=[ oem`): the header alone. `t` split at its
/// first `=` into `key` and `value`: the tag is one word, and the words after `[` close no bracket (`key=[a, b]` is
/// a value, not a block).
fn tag_header_with_words<'a>(t: &'a str, key: &str, value: &str) -> Option<&'a str> {
    let after = value.strip_prefix('[')?;
    let words = after.starts_with([' ', '\t']) && !after.contains(']');
    (words && !key.is_empty() && grammar::pos_ws(key) == key.len()).then(|| &t[..key.len() + 2])
}

/// Whether a `Uid …` line in the skipped settings and watchers is the first uid of the op state: one whose name is a
/// uid, with OEM words after it or not (`Uid u0a119: shared`), which no line of those sections starts with.
fn ends_skipped_settings(t: &str) -> bool {
    t.strip_prefix("Uid ").and_then(header_name).is_some_and(is_uid_name)
}

/// The name in `Uid u0a12:` / `Package com.x:` after the keyword, tolerating OEM words after it
/// (`Package com.x (shared):`). The line must end with `:` or its first word must.
fn header_name(rest: &str) -> Option<&str> {
    // The usual `u0a12:` in one pass: nothing to trim, no OEM words, a name of allowed bytes.
    let b = rest.as_bytes();
    if let [name @ .., b':'] = b {
        // Every byte looked up and the answers or-ed, with no early exit: the `matches!` of each byte compiled to a
        // branch on its range, which letters, digits and dots took unpredictably (about four mispredicted branches per
        // `Uid`/`Package` line, cachegrind).
        let stop = name.iter().fold(false, |stop, &c| stop | HEADER_NAME_STOP[usize::from(c)]);
        if !name.is_empty() && !stop {
            return Some(rest.split_at(name.len()).0);
        }
    }
    let rest = trim(rest);
    let first = &rest[..grammar::pos_ws(rest)];
    let name = if let Some(n) = first.strip_suffix(':') {
        n
    } else if rest.ends_with(':') {
        first
    } else {
        return None;
    };
    (!name.is_empty() && !name.bytes().any(|c| matches!(c, b'=' | b'[' | b']'))).then_some(name)
}

/// The bytes that end the usual form of a `Uid`/`Package` header's name (see [`header_name`]).
const HEADER_NAME_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'=' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t
};

/// Whether `t` is the section header `name`, with or without its colon, or followed by OEM words
/// (`AppOps Service state: (vendor)`). Only for the headers whose words cannot start any other line.
fn is_header(t: &str, name: &str) -> bool {
    t.strip_prefix(name).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', ' ', '\t']))
}

/// `t.split_once(": ")` as a byte loop: the lines are short, and setting up a substring searcher costs more.
fn split_colon_space(t: &str) -> Option<(&str, &str)> {
    let at = t.as_bytes().windows(2).position(|w| w == b": ")?;
    Some((&t[..at], &t[at + 2..]))
}

/// The dashes line that closes a dumpsys section in a bugreport (78 dashes in practice).
fn is_rule(t: &str) -> bool {
    t.len() >= 60 && t.bytes().all(|b| b == b'-')
}

fn set(buf: &mut String, value: &str) {
    buf.clear();
    buf.push_str(value);
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_as_the_char_splits_read_them() {
        fn reference(rest: &str) -> Option<&str> {
            let rest = trim(rest);
            let first = rest.split([' ', '\t']).next()?;
            let name = if let Some(n) = first.strip_suffix(':') {
                n
            } else if rest.ends_with(':') {
                first
            } else {
                return None;
            };
            (!name.is_empty() && !name.contains(['=', '[', ']'])).then_some(name)
        }
        for rest in [
            "u0a103:",
            "u0a103 (oem):",
            "u0a103\t:",
            "com.x:",
            "com.x",
            ":",
            "",
            " a b c:",
            "a=b:",
            "a[1]:",
            "名字:",
            "x:\ty",
            "\t u0a1:  ",
            "u0a1::",
            "a:b:",
            "=:",
            "a]:",
            "中文:",
            "a\r:",
        ] {
            assert_eq!(header_name(rest), reference(rest), "{rest:?}");
        }
    }

    #[test]
    fn the_vote_keeps_at_most_its_values_and_the_closest_evidence() {
        let mut vote = NowVote::default();
        // Each pair implies its own "now", the later ones from further away.
        for i in 0..NowVote::MAX_VALUES as i64 {
            vote.add(Some(LocalTime(1_000_000 + i)), Some(-(1000 + i)));
        }
        assert_eq!((vote.values.len(), vote.evicted), (NowVote::MAX_VALUES, false));
        // Full: a value from further away than all of them is dropped, one from closer replaces the farthest.
        vote.add(Some(LocalTime(5_000_000)), Some(-900_000));
        assert_eq!((vote.values.len(), vote.evicted), (NowVote::MAX_VALUES, true));
        assert!(vote.values.iter().all(|v| v.0 != 5_000_000 + 900_000));
        // As far away as the farthest kept: the one kept first stays.
        vote.add(Some(LocalTime(7_000_000)), Some(-(1000 + NowVote::MAX_VALUES as i64 - 1)));
        assert!(vote.values.iter().all(|v| v.0 != 7_000_000 + 1000 + NowVote::MAX_VALUES as i64 - 1));
        vote.add(Some(LocalTime(6_000_000)), Some(-10));
        assert_eq!(vote.values.len(), NowVote::MAX_VALUES);
        assert!(vote.values.contains(&(6_000_010, 1, 10, -10)));
        assert!(vote.values.iter().all(|v| v.2 != 1000 + NowVote::MAX_VALUES as i64 - 1), "the farthest is gone");
        assert_eq!(vote.result(), (Some(LocalTime(6_000_010)), 1, Some(-10)), "the closest pair decides");
    }

    #[test]
    fn what_was_seen_in_two_parts_is_what_either_saw() {
        let only = |i: usize| {
            let mut s = Seen::default();
            *s.flags_mut()[i] = true;
            s
        };
        for i in 0..13 {
            for (earlier, later) in [(Seen::default(), only(i)), (only(i), Seen::default()), (only(i), only(i))] {
                let mut joined = earlier;
                joined.or(&later);
                let set: Vec<bool> = joined.flags_mut().iter().map(|f| **f).collect();
                assert_eq!(set, (0..13).map(|j| j == i).collect::<Vec<_>>(), "flag {i}");
            }
        }
    }

    #[test]
    fn split_colon_space_is_split_once_on_colon_space() {
        for t in ["VIBRATE: mode=0; time=+1s ago", "a: b: c", ":", ": ", "a:b", "", "a:", "中文: 值", "x :y", "k:  v"]
        {
            assert_eq!(split_colon_space(t), t.split_once(": "), "{t:?}");
        }
    }
}
