//! Streaming AppOps parser: bytes in, [`Visitor`] calls out.
//!
//! One pass over the lines; state is the enclosing uid, package, op and attribution block, kept in reused
//! buffers, so memory does not grow with the input. Every input, of any bytes, parses: what is not
//! recognised is counted, never fatal. The grammar is documented in `docs/parser.md`.

mod block;
mod builder;
pub(crate) mod grammar;
mod lines;
mod tally;

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{mpsc, Condvar, Mutex, MutexGuard, PoisonError};

use crate::model::{
    Context, Dialect, DiscreteRef, EventKind, EventRef, HistoryEntryRef, HistoryWindowRef, OpRef, ParseSummary,
    RunningRef, Snapshot, Visitor,
};
use crate::time::LocalTime;
use block::{BlockIndex, PreEvent};
use grammar::{trim, KeyedEvent, Times};
use lines::{Block, BlockReader, Piece};

pub use builder::SnapshotBuilder;
pub use lines::MAX_LINE;
pub use tally::Tally;

/// Parses a whole input from a reader, streaming. Only I/O errors are errors.
pub fn parse_reader<R: Read, V: Visitor>(reader: R, visitor: &mut V) -> io::Result<ParseSummary> {
    run(reader, visitor, false)
}

/// [`parse_reader`] on two threads, with the same result and the same visitor calls in the same order.
///
/// An input of more than one block (`lines::BUF / 2` bytes or more) starts a helper thread that finds the lines
/// of each block and decodes its event lines while this thread reads the next block and hands the previous one
/// to the visitor. The reader and the visitor stay on this thread. It is faster only when a second core is idle
/// (about 1.5× on the 20 MB benchmark); with every core busy it costs more CPU time than [`parse_reader`]
/// (the index the threads share) and a few MB more memory (docs/performance.md, "Parsing").
pub fn parse_reader_parallel<R: Read, V: Visitor>(reader: R, visitor: &mut V) -> io::Result<ParseSummary> {
    run(reader, visitor, true)
}

/// Blocks between reading and feeding: one being indexed or waiting for it, one indexed. With the block being
/// read, at most three buffers exist (four while one is fed), whatever the input's size.
const IN_FLIGHT: usize = 2;

struct Job {
    seq: u64,
    block: Block,
    index: BlockIndex,
}

/// Blocks waiting for an index, shared with the helper thread.
#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Nothing can panic while the lock is held (only queue pushes and pops), but never panic on poison.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn run<R: Read, V: Visitor>(reader: R, visitor: &mut V, threads: bool) -> io::Result<ParseSummary> {
    let mut parser = Parser::new(visitor);
    let mut blocks = BlockReader::new(reader);
    let mut scratch = String::new();
    // The first block is parsed here: an input that fits in it never starts a thread.
    let mut first = true;
    while let Some(piece) = blocks.next_piece()? {
        match piece {
            Piece::Block(block) if threads && !first => {
                let shared = Shared::default();
                std::thread::scope(|s| pipelined(s, &shared, &mut blocks, &mut parser, block, &mut scratch))?;
                break;
            }
            Piece::Block(block) => {
                parser.feed_lines(&block, &mut scratch);
                blocks.recycle(block.buf);
            }
            Piece::Loose { bytes, terminated } => parser.feed_loose(&bytes, terminated, &mut scratch),
        }
        first = false;
    }
    let bytes = blocks.bytes_read;
    let mut summary = parser.finish();
    summary.bytes = bytes;
    Ok(summary)
}

/// The rest of the input from `block` on, with a helper thread that indexes blocks. A block waits in a queue
/// for the helper, which takes it as soon as it is idle; when the block is next to be fed and the helper has not
/// taken it, this thread takes it back and parses it as the one-thread parse does (so a helper starved of CPU by
/// other processes costs little more than the queue). Every piece reaches the parser in input order: a loose line waits until the blocks
/// before it are fed.
fn pipelined<'scope, 'env, R: Read, V: Visitor>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    shared: &'env Shared,
    blocks: &mut BlockReader<R>,
    parser: &mut Parser<'_, V>,
    block: Block,
    scratch: &mut String,
) -> io::Result<()> {
    let (helper_done, done) = mpsc::channel::<Job>();
    s.spawn(move || loop {
        let job = {
            let mut q = shared.lock();
            loop {
                if let Some(job) = q.jobs.pop_front() {
                    break Some(job);
                }
                if q.closed {
                    break None;
                }
                q = shared.wake.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let Some(mut job) = job else { break };
        job.index.build(&job.block);
        if helper_done.send(job).is_err() {
            break;
        }
    });
    // Closes the queue when this thread leaves, also by a panic in the visitor: the scope waits for the helper,
    // which must not be left waiting for blocks.
    let _close = CloseOnDrop(shared);
    let mut line = Pipeline { shared, done, spare: Vec::new(), sent: 0, fed: 0 };
    line.run(blocks, parser, block, scratch)
}

struct CloseOnDrop<'a>(&'a Shared);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.wake.notify_all();
    }
}

struct Pipeline<'a> {
    shared: &'a Shared,
    done: mpsc::Receiver<Job>,
    spare: Vec<BlockIndex>,
    sent: u64,
    fed: u64,
}

impl Pipeline<'_> {
    fn run<R: Read, V: Visitor>(
        &mut self,
        blocks: &mut BlockReader<R>,
        parser: &mut Parser<'_, V>,
        block: Block,
        scratch: &mut String,
    ) -> io::Result<()> {
        let mut next = Some(Piece::Block(block));
        loop {
            match next {
                Some(Piece::Block(block)) => {
                    let index = self.spare.pop().unwrap_or_default();
                    self.shared.lock().jobs.push_back(Job { seq: self.sent, block, index });
                    self.shared.wake.notify_one();
                    self.sent += 1;
                    if self.sent - self.fed >= IN_FLIGHT as u64 {
                        self.feed_oldest(blocks, parser, scratch)?;
                    }
                }
                Some(Piece::Loose { bytes, terminated }) => {
                    while self.fed < self.sent {
                        self.feed_oldest(blocks, parser, scratch)?;
                    }
                    parser.feed_loose(&bytes, terminated, scratch);
                }
                None => break,
            }
            next = blocks.next_piece()?;
        }
        while self.fed < self.sent {
            self.feed_oldest(blocks, parser, scratch)?;
        }
        Ok(())
    }

    /// Feeds the oldest block not yet fed: with the helper's index if it took the block, straight if not.
    fn feed_oldest<R: Read, V: Visitor>(
        &mut self,
        blocks: &mut BlockReader<R>,
        parser: &mut Parser<'_, V>,
        scratch: &mut String,
    ) -> io::Result<()> {
        let mine = {
            let mut q = self.shared.lock();
            if q.jobs.front().is_some_and(|j| j.seq == self.fed) {
                q.jobs.pop_front()
            } else {
                None
            }
        };
        self.fed += 1;
        let job = match mine {
            // Not taken: feed it straight, as the one-thread parse does (an index would only cost here).
            Some(job) => {
                parser.feed_lines(&job.block, scratch);
                job
            }
            // The helper took it (and any older one) and sends results in order. It only stops when this side
            // closes the queue, so a closed channel means it died: report it rather than lose lines.
            None => match self.done.recv() {
                Ok(job) if job.seq == self.fed - 1 => {
                    parser.feed_block(&job.block, &job.index, scratch);
                    job
                }
                _ => return Err(io::Error::other("the parser's helper thread stopped")),
            },
        };
        blocks.recycle(job.block.buf);
        self.spare.push(job.index);
        Ok(())
    }
}

/// Parses an in-memory input. Never fails.
pub fn parse_bytes<V: Visitor>(input: &[u8], visitor: &mut V) -> ParseSummary {
    // Reading from a slice cannot fail; fall back to an empty summary rather than panic.
    parse_reader(input, visitor).unwrap_or_default()
}

/// Parses into an owned [`Snapshot`].
pub fn parse_snapshot<R: Read>(reader: R) -> io::Result<Snapshot> {
    let mut builder = SnapshotBuilder::default();
    let summary = parse_reader(reader, &mut builder)?;
    Ok(builder.finish(summary))
}

impl Snapshot {
    /// Parses an in-memory dump. Never fails and never panics.
    pub fn parse(input: &[u8]) -> Snapshot {
        let mut builder = SnapshotBuilder::default();
        let summary = parse_bytes(input, &mut builder);
        builder.finish(summary)
    }
}

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
#[derive(Default)]
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
}

impl Seen {
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
        } else if self.inline_op && dumpsys {
            Dialect::DumpsysLegacy
        } else if self.inline_op {
            Dialect::AppopsGet
        } else if self.paren_op_header {
            // `(mode):` headers without events: Android 9 or later, and nothing narrows it further.
            Dialect::DumpsysQ
        } else if dumpsys {
            Dialect::DumpsysLegacy
        } else if self.discrete {
            Dialect::DiscreteOnly
        } else if self.history {
            Dialect::HistoryOnly
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
    /// (implied now, pairs implying it, smallest |relative| among them)
    values: Vec<(i64, u64, i64)>,
}

impl NowVote {
    const MAX_VALUES: usize = 64;

    fn add(&mut self, local: Option<LocalTime>, relative_ms: Option<i64>) {
        let (Some(local), Some(rel)) = (local, relative_ms) else { return };
        let now = local.0.saturating_sub(rel);
        let abs = rel.saturating_abs();
        // Nearly every pair of a dump implies the same value, so it is almost always the first.
        if let Some(v) = self.values.iter_mut().find(|v| v.0 == now) {
            v.1 += 1;
            v.2 = v.2.min(abs);
        } else if self.values.len() < Self::MAX_VALUES {
            self.values.push((now, 1, abs));
        } else if let Some(worst) = self.values.iter_mut().max_by_key(|v| v.2) {
            // Keep the most recent evidence: replace the value whose closest pair is furthest away.
            if abs < worst.2 {
                *worst = (now, 1, abs);
            }
        }
    }

    fn result(&self) -> (Option<LocalTime>, u64) {
        self.values.iter().min_by_key(|v| v.2).map_or((None, 0), |v| (Some(LocalTime(v.0)), v.1))
    }
}

/// Column positions of the SQLite discrete table (`UID|PACKAGE_NAME|…`), read from its header line.
#[derive(Default, Clone, Copy)]
struct TableColumns {
    uid: Option<usize>,
    package: Option<usize>,
    device: Option<usize>,
    op: Option<usize>,
    tag: Option<usize>,
    state: Option<usize>,
    flags: Option<usize>,
    attr_flags: Option<usize>,
    chain: Option<usize>,
    time: Option<usize>,
    duration: Option<usize>,
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

struct Parser<'v, V: Visitor> {
    visitor: &'v mut V,
    section: Section,
    embedded: bool,
    section_ended: bool,
    cur: Cursor,
    attr_open: bool,
    in_fg_ops: bool,
    pie_kind: Option<EventKind>,
    /// Discrete and history sections keep their own context.
    d_uid: String,
    d_package: String,
    d_op: String,
    d_tag: String,
    d_has_tag: bool,
    window: HistoryWindowRef,
    window_announced: bool,
    columns: Option<TableColumns>,
    seen: Seen,
    vote: NowVote,
    summary: ParseSummary,
    /// Whether the last line fed was cut (unterminated and not complete).
    cut: bool,
    dates: grammar::DateCache,
    /// The line being parsed is the input's last and has no newline: records from it must be complete.
    last_line: bool,
}

impl<'v, V: Visitor> Parser<'v, V> {
    fn new(visitor: &'v mut V) -> Self {
        Parser {
            visitor,
            section: Section::Main,
            embedded: false,
            section_ended: false,
            cur: Cursor::default(),
            attr_open: false,
            in_fg_ops: false,
            pie_kind: None,
            d_uid: String::new(),
            d_package: String::new(),
            d_op: String::new(),
            d_tag: String::new(),
            d_has_tag: false,
            window: HistoryWindowRef {
                begin_local: None,
                begin_relative_ms: None,
                end_local: None,
                end_relative_ms: None,
            },
            window_announced: false,
            columns: None,
            seen: Seen::default(),
            vote: NowVote::default(),
            summary: ParseSummary::default(),
            cut: false,
            dates: grammar::DateCache::default(),
            last_line: false,
        }
    }

    /// Every line of a block, in order.
    fn feed_block(&mut self, block: &Block, index: &BlockIndex, scratch: &mut String) {
        let bytes = block.bytes();
        let recs = index.lines.get(usize::from(block.skip_first)..).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(text) => {
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
            Err(_) => {
                for rec in recs {
                    let line = bytes.get(rec.from as usize..rec.to as usize).unwrap_or_default();
                    lines::emit_bytes(line, true, scratch, &mut |l| self.feed(&l));
                }
            }
        }
    }

    /// Every line of a block, in order, without an index (on this thread alone).
    fn feed_lines(&mut self, block: &Block, scratch: &mut String) {
        let bytes = block.bytes();
        let mut skip = block.skip_first;
        let mut from = 0;
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                for nl in memchr::memchr_iter(b'\n', bytes) {
                    let line = text.get(from..nl).unwrap_or_default();
                    from = nl + 1;
                    if std::mem::take(&mut skip) {
                        continue;
                    }
                    self.summary.lines += 1;
                    if line.len() > MAX_LINE {
                        self.unrecognised();
                    } else {
                        self.feed_trimmed(grammar::trim_line(line), true, None, "");
                    }
                }
            }
            Err(_) => {
                for nl in memchr::memchr_iter(b'\n', bytes) {
                    let line = bytes.get(from..nl).unwrap_or_default();
                    from = nl + 1;
                    if !std::mem::take(&mut skip) {
                        lines::emit_bytes(line, true, scratch, &mut |l| self.feed(&l));
                    }
                }
            }
        }
    }

    fn feed_loose(&mut self, bytes: &[u8], terminated: bool, scratch: &mut String) {
        lines::emit_bytes(bytes, terminated, scratch, &mut |l| self.feed(&l));
    }

    fn feed(&mut self, line: &lines::Line<'_>) {
        self.summary.lines += 1;
        if line.overlong {
            self.summary.unrecognised_lines += 1;
            return;
        }
        if line.lossy {
            self.summary.lossy_lines += 1;
        }
        self.feed_trimmed(trim(line.text), line.terminated, None, "");
    }

    /// A line already counted and trimmed. `pre` is its event decoded by the block index, with strings in `text`.
    fn feed_trimmed(&mut self, mut t: &str, terminated: bool, pre: Option<&PreEvent>, text: &str) {
        if self.summary.lines == 1 {
            t = t.strip_prefix('\u{feff}').unwrap_or(t);
        }
        if t.is_empty() {
            return;
        }
        if !terminated {
            // The last line of the input. Parse it only if it ends where a whole line could end;
            // otherwise it was cut and its fields may be wrong (`+1m3` of `+1m37s899ms`).
            if grammar::looks_complete(t) {
                self.last_line = true;
                self.line(t);
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
                // What `main_line` would reach after ruling out the lines that start with these words.
                if !["Access:", "Reject:", "Running start at:", "Package "].iter().any(|w| t.starts_with(w)) {
                    if let Some(header) = grammar::parse_op_header(t) {
                        self.seen.paren_op_header = true;
                        self.start_op(&header);
                        return;
                    }
                }
                self.main_line(t);
                return;
            }
            if t == "]" || t.ends_with("=[") {
                self.main_line(t);
                return;
            }
        }
        self.line(t);
    }

    fn unrecognised(&mut self) {
        self.summary.unrecognised_lines += 1;
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
            return;
        }
        if t.starts_with("== dumpstate") || t.starts_with("========================================") {
            // A whole bugreport: nothing counts until `DUMP OF SERVICE appops:`.
            self.section = Section::OtherService;
            self.embedded = true;
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
        if self.section == Section::Skip && t.starts_with("Uid ") && t.ends_with(':') && !t.starts_with("Uid mode:") {
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
        let section = match t {
            "Current AppOps Service state:" => {
                self.seen.dumpsys_header = true;
                Section::Skip
            }
            "AppOps Service state:" => {
                self.seen.dumpsys_header = true;
                self.seen.sectioned = true;
                Section::Skip
            }
            "AppOps Uid Op State" => {
                self.seen.sectioned = true;
                Section::Main
            }
            "AppOps Watchers"
            | "AppOps Restrictions"
            | "Uid State Changes Event Log:"
            | "Settings:"
            | "Clients:"
            | "Audio Restrictions:"
            | "Profile owners:"
            | "AppOps policy not set." => Section::Skip,
            "AppOps Historical Service State:" => {
                self.seen.history = true;
                self.summary.has_history = true;
                Section::History
            }
            _ if t.starts_with("Discrete accesses:") => {
                self.seen.discrete = true;
                self.summary.has_discrete = true;
                self.columns = None;
                Section::Discrete
            }
            _ if t.starts_with("History:") => {
                self.seen.history = true;
                self.summary.has_history = true;
                Section::History
            }
            _ if t.ends_with("watchers:") && !t.contains('=') => Section::Skip,
            _ if t.starts_with("User restrictions for token") || t.starts_with("Global restrictions") => Section::Skip,
            _ => return false,
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
        if t == "]" {
            if self.attr_open {
                self.attr_open = false;
                self.cur.has_tag = false;
            } else {
                self.unrecognised();
            }
            return;
        }
        if let Some(tag) = t.strip_suffix("=[") {
            self.seen.attribution = true;
            self.attr_open = true;
            let tag = trim(tag);
            self.cur.has_tag = tag != "null";
            self.cur.tag.clear();
            self.cur.tag.push_str(tag);
            return;
        }
        if let Some(rest) = t.strip_prefix("Uid ") {
            if let Some(rest) = rest.strip_prefix("mode:") {
                // `appops get`: `Uid mode: OP: mode` (printed once, before the first uid-level op).
                match trim(rest).split_once(':') {
                    Some((op, mode)) if grammar::is_op_name(trim(op)) => {
                        self.seen.inline_op = true;
                        let ctx = self.cur.ctx();
                        self.visitor.uid_mode(&ctx, trim(op), trim(mode));
                    }
                    _ => self.unrecognised(),
                }
                return;
            }
            if let Some(uid) = header_name(rest) {
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
        }
        if let Some(rest) = t.strip_prefix("Package ") {
            if let Some(name) = header_name(rest) {
                {
                    self.seen.package_header = true;
                    self.cur.has_package = true;
                    self.cur.package.clear();
                    self.cur.package.push_str(name);
                    self.cur.has_op = false;
                    self.cur.has_tag = false;
                    self.attr_open = false;
                    self.in_fg_ops = false;
                    let ctx = self.cur.ctx();
                    self.visitor.package(&ctx, name);
                    return;
                }
            }
        }
        if t.ends_with(':') && grammar::pos(t, b'(').is_some() {
            if let Some(header) = grammar::parse_op_header(t) {
                self.seen.paren_op_header = true;
                self.start_op(&header);
                return;
            }
        }
        if t == "foregroundOps:" {
            self.in_fg_ops = true;
            return;
        }
        if let Some((name, rest)) = t.split_once(": ") {
            self.colon_line(trim(name), rest);
            return;
        }
        if let Some((key, value)) = t.split_once('=') {
            // Android 9 continuation `bg    = <abs> (<rel>)` of the previous Access/Reject line.
            if let Some(kind) = self.pie_kind {
                if let Some(e) = grammar::parse_state_times(t) {
                    if !self.drop_incomplete(e.times.complete) {
                        self.pie_event(kind, e.uid_state, e.times);
                    }
                    return;
                }
            }
            self.prop_line(trim(key), trim(value));
            return;
        }
        match t {
            "No operations." => {}
            _ if t.starts_with("Default mode:") => {}
            _ => self.unrecognised(),
        }
    }

    fn start_op(&mut self, header: &OpRef<'_>) {
        self.cur.has_op = true;
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
        if name.starts_with('#') || !grammar::is_op_name(name) {
            self.unrecognised();
            return;
        }
        let value = trim(rest);
        if self.in_fg_ops && !value.starts_with("mode") {
            return;
        }
        if !self.cur.has_package && (self.seen.dumpsys_header || self.cur.has_uid) && !value.contains(';') {
            if let Some(mode) = value.strip_prefix("mode=") {
                let ctx = self.cur.ctx();
                self.visitor.uid_mode(&ctx, name, trim(mode));
                return;
            }
        }
        let Some(op) = grammar::parse_inline_op(name, rest) else {
            self.unrecognised();
            return;
        };
        if self.drop_incomplete(op.complete) {
            return;
        }
        self.seen.inline_op = true;
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
            self.visitor.running(
                &ctx,
                &RunningRef { attribution_tag: None, started_ago_ms: None, duration_ms: op.duration_ms },
            );
        }
    }

    fn prop_line(&mut self, key: &str, value: &str) {
        if key.is_empty() || key.contains(' ') {
            self.unrecognised();
            return;
        }
        if key == "startNesting" && self.cur.has_op {
            let nesting = value.parse().unwrap_or(0);
            let ctx = self.cur.ctx();
            let tag = self.cur.tag();
            self.visitor.start_nesting(&ctx, tag, nesting);
            return;
        }
        if key == "duration" && self.cur.has_op {
            // Android 9 prints the op's last duration on its own line.
            if let Some(d) = grammar::parse_full_duration(value) {
                let ctx = self.cur.ctx();
                let tag = self.cur.tag();
                self.visitor.op_duration(&ctx, tag, d);
            }
            return;
        }
        if key == "hasForegroundWatchers" {
            self.in_fg_ops = false;
        }
        if key == "capability" || key == "pendingCapability" || key == "appWidgetVisible" {
            self.seen.capability = true;
        }
        if self.cur.has_uid && !self.cur.has_package {
            let ctx = self.cur.ctx();
            self.visitor.uid_prop(&ctx, key, value);
        }
    }

    /// `decoded`: what `parse_keyed` returns for this line, when the block index already decoded it.
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
        } else if let Some(e) = grammar::parse_state_times(r) {
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

    fn discrete_line(&mut self, t: &str) {
        if let Some(rest) = t.strip_prefix("Uid:") {
            set(&mut self.d_uid, trim(rest));
            self.d_package.clear();
            self.d_op.clear();
            self.d_has_tag = false;
            return;
        }
        if let Some(rest) = t.strip_prefix("Package:") {
            set(&mut self.d_package, trim(rest));
            self.d_op.clear();
            self.d_has_tag = false;
            return;
        }
        if let Some(rest) = t.strip_prefix("Attribution:") {
            let tag = trim(rest);
            self.d_has_tag = tag != "null";
            set(&mut self.d_tag, tag);
            return;
        }
        if let Some(rest) = t.strip_prefix("Access ").or_else(|| t.strip_prefix("Reject ")) {
            self.discrete_access(rest);
            return;
        }
        if t.starts_with("UID|") {
            self.columns = Some(table_columns(t));
            return;
        }
        if let Some(cols) = self.columns {
            if t.contains('|') {
                self.discrete_row(cols, t);
                return;
            }
        }
        if t.starts_with("Largest chain id") {
            return;
        }
        if grammar::is_op_name(t) {
            set(&mut self.d_op, t);
            self.d_has_tag = false;
            return;
        }
        if t.starts_with("Uid ") && t.ends_with(':') {
            // A per-uid op-state block after the discrete dump (newest layouts).
            self.section = Section::Main;
            self.main_line(t);
            return;
        }
        self.unrecognised();
    }

    /// `Access [top-s] at 2021-06-01 12:00:00.000 for 60000 milliseconds  attribution flags=N with chainId=M`
    fn discrete_access(&mut self, rest: &str) {
        if self.d_op.is_empty() {
            self.unrecognised();
            return;
        }
        let Some(r) = rest.trim_start().strip_prefix('[') else {
            self.unrecognised();
            return;
        };
        let Some(close) = r.find(']') else {
            self.unrecognised();
            return;
        };
        let (uid_state, flags) = grammar::split_key(&r[..close]);
        let after = trim(&r[close + 1..]);
        let after = after.strip_prefix("at").map(trim).unwrap_or(after);
        let Some((time_local, used)) = LocalTime::parse(after.as_bytes()) else {
            self.unrecognised();
            return;
        };
        let tail = &after[used..];
        let duration_ms =
            tail.find("for ").and_then(|p| tail[p + 4..].split_whitespace().next()).and_then(|n| n.parse::<i64>().ok());
        let attribution_flags = number_after(tail, "attribution flags=");
        let chain_id = number_after(tail, "chainId=");
        let proxy = tail.find("proxy[").and_then(|p| {
            let body = &tail[p + 6..];
            body.rfind(']').map(|c| grammar::parse_proxy_body(&body[..c]))
        });
        let access = DiscreteRef {
            uid: non_empty(&self.d_uid),
            package: non_empty(&self.d_package),
            op: &self.d_op,
            attribution_tag: self.d_has_tag.then_some(self.d_tag.as_str()),
            uid_state,
            flags,
            time_local: Some(time_local),
            time_utc_ms: None,
            duration_ms,
            proxy,
            device_id: None,
            attribution_flags,
            chain_id,
        };
        self.visitor.discrete(&access);
    }

    fn discrete_row(&mut self, cols: TableColumns, t: &str) {
        let mut fields: [&str; 16] = [""; 16];
        for (slot, f) in fields.iter_mut().zip(t.split('|')) {
            *slot = trim(f);
        }
        let get = |i: Option<usize>| i.and_then(|i| fields.get(i).copied()).filter(|s| !s.is_empty());
        let Some(op) = get(cols.op).filter(|op| grammar::is_op_name(op)) else {
            self.unrecognised();
            return;
        };
        let time_text = get(cols.time).unwrap_or("");
        let (time_local, time_utc_ms) = match LocalTime::parse(time_text.as_bytes()) {
            Some((t, _)) => (Some(t), None),
            // A bare integer is an epoch-millisecond instant (UTC), not a wall-clock time.
            None => (None, time_text.parse::<i64>().ok()),
        };
        let access = DiscreteRef {
            uid: get(cols.uid),
            package: get(cols.package).and_then(grammar::null_to_none),
            op,
            attribution_tag: get(cols.tag).and_then(grammar::null_to_none),
            uid_state: get(cols.state),
            flags: get(cols.flags).unwrap_or(""),
            time_local,
            time_utc_ms,
            duration_ms: get(cols.duration).and_then(|d| d.parse().ok()).filter(|d: &i64| *d >= 0),
            proxy: None,
            device_id: get(cols.device),
            attribution_flags: get(cols.attr_flags).and_then(|v| v.parse().ok()),
            chain_id: get(cols.chain).and_then(|v| v.parse().ok()),
        };
        self.visitor.discrete(&access);
    }

    fn history_line(&mut self, t: &str) {
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

    fn finish(self) -> ParseSummary {
        let appops_seen = self.seen_any_appops();
        let mut summary = self.summary;
        summary.dialect = self.seen.dialect();
        summary.embedded = self.embedded;
        // A section cut out of a bugreport may end without its trailer; it is only known to be cut when it
        // stops before any op state (a dumpsys appops always prints uid state after its settings and watchers).
        summary.truncated = self.cut
            || self.attr_open
            || (self.embedded && !self.section_ended && appops_seen && !self.seen.uid_header);
        (summary.dump_time_local, summary.dump_time_votes) = self.vote.result();
        summary
    }

    fn seen_any_appops(&self) -> bool {
        self.seen.dumpsys_header || self.seen.uid_header || self.seen.discrete || self.seen.history
    }
}

/// The name in `Uid u0a12:` / `Package com.x:` after the keyword, tolerating OEM words after it
/// (`Package com.x (shared):`). The line must end with `:` or its first word must.
fn header_name(rest: &str) -> Option<&str> {
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

fn number_after(s: &str, key: &str) -> Option<i64> {
    let p = s.find(key)?;
    let digits: &str = s[p + key.len()..].split(|c: char| !(c.is_ascii_digit() || c == '-')).next()?;
    digits.parse().ok()
}

fn table_columns(header: &str) -> TableColumns {
    let mut cols = TableColumns::default();
    for (i, name) in header.split('|').enumerate() {
        let slot = match trim(name) {
            "UID" => &mut cols.uid,
            "PACKAGE_NAME" => &mut cols.package,
            "DEVICE_ID" => &mut cols.device,
            "OP_NAME" | "OP_CODE" => &mut cols.op,
            "ATTRIBUTION_TAG" => &mut cols.tag,
            "UID_STATE" => &mut cols.state,
            "OP_FLAGS" => &mut cols.flags,
            "ATTR_FLAGS" | "ATTRIBUTION_FLAGS" => &mut cols.attr_flags,
            "CHAIN_ID" => &mut cols.chain,
            "ACCESS_TIME" => &mut cols.time,
            "DURATION" | "ACCESS_DURATION" => &mut cols.duration,
            _ => continue,
        };
        *slot = Some(i);
    }
    cols
}

/// Splits and trims every line and does nothing else: the cost of the line layer alone, which benches/parse.rs
/// reports between the newline-count floor and the full parse.
#[doc(hidden)]
pub fn scan_lines_only<R: Read>(reader: R) -> u64 {
    let mut n = 0u64;
    let mut lines = BlockReader::new(reader);
    let _ = lines.for_each_line(|l| {
        let t = grammar::trim_line(l.text);
        n += t.len() as u64;
    });
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line layer as it was before blocks: every `\n`-separated line, one by one, through `emit_bytes`
    /// (which cuts overlong lines and converts non-UTF-8 ones), then the same parser. The block reader, the block
    /// index and the helper thread must give exactly what this gives.
    fn reference(input: &[u8]) -> Snapshot {
        let mut builder = SnapshotBuilder::default();
        let mut parser = Parser::new(&mut builder);
        let mut scratch = String::new();
        let mut parts: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
        let tail = parts.pop().unwrap_or_default();
        for line in parts {
            lines::emit_bytes(line, true, &mut scratch, &mut |l| parser.feed(&l));
        }
        if !tail.is_empty() {
            lines::emit_bytes(tail, false, &mut scratch, &mut |l| parser.feed(&l));
        }
        let mut summary = parser.finish();
        summary.bytes = input.len() as u64;
        builder.finish(summary)
    }

    /// A reader that returns at most `n` bytes per call, as a pipe does.
    struct Chunky<'a> {
        data: &'a [u8],
        n: usize,
    }

    impl Read for Chunky<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let k = self.n.min(buf.len()).min(self.data.len());
            buf[..k].copy_from_slice(&self.data[..k]);
            self.data = &self.data[k..];
            Ok(k)
        }
    }

    fn all_ways(input: &[u8]) -> Vec<Snapshot> {
        let snap = |threads: bool, chunk: usize| {
            let mut builder = SnapshotBuilder::default();
            let reader = Chunky { data: input, n: chunk };
            let summary = run(reader, &mut builder, threads).expect("reading memory cannot fail");
            builder.finish(summary)
        };
        vec![snap(false, usize::MAX), snap(true, usize::MAX), snap(true, 4093), snap(false, 70_001), snap(true, 1)]
    }

    fn check(input: &[u8]) {
        let want = reference(input);
        for (i, got) in all_ways(input).into_iter().enumerate() {
            if got != want {
                assert_eq!(got.summary, want.summary, "way {i}: summary");
                assert_eq!(got.uids.len(), want.uids.len(), "way {i}: uids");
                for (g, w) in got.uids.iter().zip(&want.uids) {
                    assert_eq!(g, w, "way {i}: uid block");
                }
                assert_eq!(got.discrete, want.discrete, "way {i}: discrete");
                panic!("way {i} differs");
            }
        }
    }

    fn fixtures() -> Vec<u8> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut all = Vec::new();
        for sub in ["appops", "synthetic"] {
            let mut names: Vec<_> = std::fs::read_dir(dir.join(sub)).expect("fixtures").flatten().collect();
            names.sort_by_key(|e| e.path());
            for e in names {
                all.extend_from_slice(&std::fs::read(e.path()).expect("fixture"));
            }
        }
        all
    }

    #[test]
    fn blocks_and_threads_parse_exactly_as_line_by_line() {
        let base = fixtures();
        assert!(base.len() > 100_000);
        // Many dialects in a row, long enough for many blocks, then with CRLF, tabs, a BOM, broken bytes,
        // overlong lines (shorter and longer than a buffer) and a cut end.
        let mut big = Vec::new();
        while big.len() < 1_500_000 {
            big.extend_from_slice(&base);
        }
        check(&big);
        let crlf: Vec<u8> = big.iter().flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }).collect();
        check(&crlf);
        let mut odd = "\u{feff}".as_bytes().to_vec();
        for (i, line) in big.split(|&b| b == b'\n').enumerate() {
            match i % 5000 {
                17 => odd.extend_from_slice(b"\tAccess: [fg-s] 2021-01-11 16:01:05.086 (-1h\xff5m27s679ms)"),
                999 => odd.extend(std::iter::repeat_n(b'x', MAX_LINE + 3)),
                2345 => odd.extend(std::iter::repeat_n(b'y', 600_000)),
                4000 => {
                    odd.extend_from_slice("  Access: [bg-s] 2026-03-29 23:27:47.537 (-5s550ms) \u{4e2d}".as_bytes())
                }
                _ => {}
            }
            odd.extend_from_slice(line);
            odd.push(b'\n');
        }
        check(&odd);
        check(&odd[..odd.len() - 40]);
        let mut long_tail = big.clone();
        long_tail.extend(std::iter::repeat_n(b'z', 300_000));
        check(&long_tail);
        check(b"");
        check(&base);
        // A visitor that panics while the helper thread runs: the panic reaches the caller (no hang).
        struct Boom(u64);
        impl Visitor for Boom {
            fn event(&mut self, _ctx: &Context<'_>, _event: &EventRef<'_>) {
                assert!(self.0 > 0, "visitor failure");
                self.0 -= 1;
            }
        }
        let mut tally = Tally::default();
        parse_bytes(&big, &mut tally);
        let events = tally.access_events + tally.reject_events;
        assert!(events > 1000);
        let caught = std::panic::catch_unwind(|| parse_reader_parallel(&big[..], &mut Boom(events * 3 / 4)));
        assert!(caught.is_err());
        check(b"Access: [fg-s] 2021-01-11 16:01:05.086 (-1h5m27s679ms)");
    }
}
