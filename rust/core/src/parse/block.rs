//! The per-block work that needs no parser state: where each line starts and ends, where its trimmed text is,
//! and the decoded fields of every `Access: [..]`/`Reject: [..]` line. It runs on a second thread while the
//! parser's own thread reads the next block and feeds the previous one to the visitor (see `parse_reader`).
//!
//! Decoding here is the same call the parser would make ([`grammar::parse_keyed_with`]) on the same trimmed
//! text; the parser uses the result only where it would have made that call, so the output does not change.
//! Strings in the result are kept as byte ranges of the block, since the block moves between threads.

use super::grammar::{self, DateCache, KeyedEvent, Times};
use super::lines::Block;
use crate::model::ProxyRef;
use crate::time::LocalTime;

/// A byte range of the block's text; `NONE` for an absent `Option<&str>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    from: u32,
    to: u32,
}

impl Span {
    const NONE: Span = Span { from: u32::MAX, to: u32::MAX };

    /// The range of `part`, a subslice of `base`.
    fn of(base: &str, part: &str) -> Span {
        if part.is_empty() {
            // Possibly a literal `""`, not inside `base`.
            return Span { from: 0, to: 0 };
        }
        let from = (part.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize);
        Span { from: from as u32, to: (from + part.len()) as u32 }
    }

    fn opt(base: &str, part: Option<&str>) -> Span {
        part.map_or(Span::NONE, |p| Span::of(base, p))
    }

    fn get(self, text: &str) -> &str {
        text.get(self.from as usize..self.to as usize).unwrap_or_default()
    }

    fn get_opt(self, text: &str) -> Option<&str> {
        (self != Span::NONE).then(|| self.get(text))
    }
}

/// One line of a block: its bytes without the `\n`, and (in a UTF-8 block) its trimmed text.
#[derive(Debug, Clone, Copy)]
pub struct LineRec {
    pub from: u32,
    pub to: u32,
    pub trimmed: Span,
    /// Index into [`BlockIndex::events`], or `u32::MAX` when the line is not a keyed event line.
    pub event: u32,
}

/// `parse_keyed_with` of a keyed event line, with its strings as spans.
#[derive(Debug, Clone, Copy)]
pub struct PreEvent {
    parsed: bool,
    uid_state: Span,
    flags: Span,
    time_local: Option<LocalTime>,
    relative_ms: Option<i64>,
    duration_ms: Option<i64>,
    has_proxy: bool,
    proxy_uid: Option<i64>,
    proxy_package: Span,
    proxy_tag: Span,
    complete: bool,
    unread_words: bool,
}

impl PreEvent {
    fn new(base: &str, e: Option<KeyedEvent<'_>>) -> PreEvent {
        let Some(e) = e else {
            return PreEvent {
                parsed: false,
                uid_state: Span::NONE,
                flags: Span::NONE,
                time_local: None,
                relative_ms: None,
                duration_ms: None,
                has_proxy: false,
                proxy_uid: None,
                proxy_package: Span::NONE,
                proxy_tag: Span::NONE,
                complete: false,
                unread_words: false,
            };
        };
        let proxy = e.times.proxy;
        PreEvent {
            parsed: true,
            uid_state: Span::opt(base, e.uid_state),
            flags: Span::of(base, e.flags),
            time_local: e.times.time_local,
            relative_ms: e.times.relative_ms,
            duration_ms: e.times.duration_ms,
            has_proxy: proxy.is_some(),
            proxy_uid: proxy.and_then(|p| p.uid),
            proxy_package: Span::opt(base, proxy.and_then(|p| p.package)),
            proxy_tag: Span::opt(base, proxy.and_then(|p| p.attribution_tag)),
            complete: e.times.complete,
            unread_words: e.times.unread_words,
        }
    }

    /// The event as `parse_keyed` returned it, its strings taken from `text` (the block's text).
    pub fn get<'a>(&self, text: &'a str) -> Option<KeyedEvent<'a>> {
        if !self.parsed {
            return None;
        }
        let proxy = self.has_proxy.then(|| ProxyRef {
            uid: self.proxy_uid,
            package: self.proxy_package.get_opt(text),
            attribution_tag: self.proxy_tag.get_opt(text),
        });
        Some(KeyedEvent {
            uid_state: self.uid_state.get_opt(text),
            flags: self.flags.get(text),
            times: Times {
                time_local: self.time_local,
                relative_ms: self.relative_ms,
                duration_ms: self.duration_ms,
                proxy,
                complete: self.complete,
                unread_words: self.unread_words,
            },
        })
    }
}

/// Every line of one block.
#[derive(Default)]
pub struct BlockIndex {
    /// The block is UTF-8 (so trimmed spans and events were computed).
    pub utf8: bool,
    pub lines: Vec<LineRec>,
    pub events: Vec<PreEvent>,
    dates: DateCache,
}

impl BlockIndex {
    pub fn build(&mut self, block: &Block) {
        self.lines.clear();
        self.events.clear();
        let bytes = block.bytes();
        let text = block.text();
        self.utf8 = text.is_some();
        let mut from = 0usize;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            let mut rec = LineRec { from: from as u32, to: nl as u32, trimmed: Span::NONE, event: u32::MAX };
            if let Some(text) = text {
                if let Some(line) = text.get(from..nl) {
                    let t = grammar::trim_line(line);
                    rec.trimmed = Span::of(text, t);
                    if let Some((_, rest)) = grammar::event_kind(t) {
                        // As `Parser::event_line` does before calling `parse_keyed`.
                        let r = grammar::trim_blank_start(rest);
                        if r.starts_with('[') {
                            rec.event = self.events.len() as u32;
                            let e = grammar::parse_keyed_with(r, &mut self.dates);
                            self.events.push(PreEvent::new(text, e));
                        }
                    }
                }
            }
            self.lines.push(rec);
            from = nl + 1;
        }
    }

    pub fn trimmed<'a>(&self, rec: &LineRec, text: &'a str) -> &'a str {
        rec.trimmed.get(text)
    }

    pub fn event(&self, rec: &LineRec) -> Option<&PreEvent> {
        self.events.get(rec.event as usize)
    }
}
