//! Splits a byte stream into blocks of whole lines without holding more than a few buffers of it.
//!
//! Memory is bounded by the buffers (one for the one-thread parse; the two-thread parse has at most a few in
//! flight) and by [`MAX_LINE`]: a longer line is cut there and the rest of it skipped, so a hostile input without
//! newlines cannot make the parser grow. UTF-8 is validated once per block of whole lines (fast for the all-ASCII
//! text AppOps prints); in a block that fails, each stretch of whole lines before a bad byte is still read as text
//! at once, and only a line that fails is converted lossily.
//!
//! Lines end with `\n` (a `\r` before it is trailing space to the parser). An input whose lines end with a bare
//! `\r` (classic Mac line ends, or a console log) has no `\n` where its lines end: when the input's first
//! [`MAX_LINE`] + 1 bytes (the whole of a shorter input) hold no `\n` but a `\r` before their last byte
//! ([`bare_cr_line_ends`]), every `\r` of the input is read as a line end. The reader decides on exactly those
//! bytes, whatever sizes its reads return. Before, such an input was one line, unrecognised: an empty dump.

use super::grammar::bytes_equal;
use std::io::{self, Read};
use std::ops::Range;

/// Longest line handed to the parser. Real AppOps lines are under 300 bytes; the cap only guards memory.
pub const MAX_LINE: usize = 64 * 1024;
pub(super) const BUF: usize = 256 * 1024;

/// A line as read: its text without the terminator, and how it arrived.
pub struct Line<'a> {
    pub text: &'a str,
    /// A `\n` ended it (false only for the input's last line).
    pub terminated: bool,
    /// The line was longer than [`MAX_LINE`] and was cut.
    pub overlong: bool,
    /// The line was not UTF-8 and was converted with U+FFFD.
    pub lossy: bool,
}

/// A stretch of the input as [`BlockReader`] hands it out, in input order.
pub enum Piece {
    /// Whole lines, each ended by `\n`.
    Block(Block),
    /// One line outside any block: the first [`MAX_LINE`] and more bytes of an overlong line (`terminated`), or
    /// the input's unterminated last line. Rare, so copied.
    Loose { bytes: Vec<u8>, terminated: bool },
}

/// `buf[start..end]`: whole lines, the last ended by `\n`. The buffer is owned so that it can be handed to
/// another thread; give it back with [`BlockReader::recycle`].
pub struct Block {
    pub buf: Vec<u8>,
    pub start: usize,
    pub end: usize,
    /// The first line is the rest of an overlong line already handed out: skip it.
    pub skip_first: bool,
}

impl Block {
    pub fn bytes(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// [`Block::bytes`] as text, when the whole block is UTF-8 (the usual case; lines of a block that is not are
    /// decoded one by one). Validated with SIMD: `std::str::from_utf8` was 3 % of the parse's instructions.
    pub fn text(&self) -> Option<&str> {
        simdutf8::basic::from_utf8(self.bytes()).ok()
    }

    /// The ranges of [`Block::bytes`] that hold its lines (without their `\n`), in order; the first is left out when
    /// it is the rest of an overlong line.
    pub fn line_ranges(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        let mut from = 0;
        let lines = newlines(self.bytes()).map(move |nl| {
            let line = from..nl;
            from = nl + 1;
            line
        });
        lines.skip(usize::from(self.skip_first))
    }

    /// [`Block::line_ranges`] as a list: where the first line starts, and the `\n` ending each line, found into
    /// `ends` (scratch) by [`newline_positions`]. Inlined: called out of line, it left the parse's line loop 1 % more
    /// instructions (callgrind).
    #[inline]
    pub fn line_ends<'e>(&self, ends: &'e mut Vec<u32>) -> (usize, &'e [u32]) {
        let n = newline_positions(self.bytes(), ends);
        let found = ends.get(..n).unwrap_or_default();
        let (skipped, rest) = found.split_at(usize::from(self.skip_first).min(n));
        (skipped.last().map_or(0, |&nl| nl as usize + 1), rest)
    }
}

/// The positions of the `\n` bytes of `bytes`, in order (what `memchr::memchr_iter` gives).
#[cfg(target_arch = "x86_64")]
pub fn newlines(bytes: &[u8]) -> Newlines<'_> {
    Newlines { bytes, next: 0, base: 0, mask: 0 }
}

#[cfg(not(target_arch = "x86_64"))]
pub fn newlines(bytes: &[u8]) -> memchr::Memchr<'_> {
    memchr::memchr_iter(b'\n', bytes)
}

/// [`newlines`] on x86_64: each 64 bytes are compared at once into a bitmap (SSE2, which every x86_64 CPU has), and
/// the newlines are read off its set bits. With lines of 40 bytes on average this costs less than a search per line
/// (its setup is paid per line): 43.0–43.2 → 40.5–40.9 ms for the one-thread parse of the 20 MB benchmark
/// (docs/performance-history.md, "Kept: newlines from a bitmap").
#[cfg(target_arch = "x86_64")]
pub struct Newlines<'a> {
    bytes: &'a [u8],
    /// Where the next 64 bytes start.
    next: usize,
    /// Where the bytes of `mask` start.
    base: usize,
    /// Bit `i`: `bytes[base + i]` is a newline not yet returned.
    mask: u64,
}

#[cfg(target_arch = "x86_64")]
impl Iterator for Newlines<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        loop {
            if self.mask != 0 {
                let at = self.base + self.mask.trailing_zeros() as usize;
                self.mask &= self.mask - 1;
                return Some(at);
            }
            if self.next >= self.bytes.len() {
                return None;
            }
            self.base = self.next;
            let rest = &self.bytes[self.next..];
            if let Some(chunk) = rest.first_chunk::<64>() {
                self.mask = newline_bits(chunk);
                self.next += 64;
            } else {
                for (i, &b) in rest.iter().enumerate() {
                    if b == b'\n' {
                        self.mask |= 1 << i;
                    }
                }
                self.next = self.bytes.len();
            }
        }
    }
}

/// Bit `i` set where `chunk[i]` is `\n`.
#[cfg(target_arch = "x86_64")]
#[inline]
fn newline_bits(chunk: &[u8; 64]) -> u64 {
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let newline = set_splat_i8_m128i(b'\n' as i8);
    let mut bits = 0u64;
    let (parts, _) = chunk.as_chunks::<16>();
    for (k, part) in parts.iter().enumerate() {
        let equal = cmp_eq_mask_i8_m128i(load_unaligned_m128i(part), newline);
        // The mask has 16 bits: one per byte.
        bits |= u64::from(move_mask_i8_m128i(equal) as u16) << (16 * k);
    }
    bits
}

/// The positions of the `\n` bytes of `bytes` (at most `u32::MAX` bytes: a block is [`BUF`]), in order: the first
/// `n` elements of `out`, `n` returned; the rest of `out` is scratch. Found 64 bytes at a time into a bitmap, whose
/// positions are written four (or eight) at a time whatever the chunk holds: reading them off the bitmap line by line
/// took a mispredicted branch at the end of nearly every chunk (about 240,000 in the 20 MB bench input, cachegrind),
/// where a loop over this list mispredicts once per block.
pub fn newline_positions(bytes: &[u8], out: &mut Vec<u32>) -> usize {
    debug_assert!(u32::try_from(bytes.len()).is_ok());
    let (chunks, tail) = bytes.as_chunks::<64>();
    let mut n = 0;
    #[inline(always)]
    fn spill(mask: u64, base: u32, n: &mut usize, out: &mut Vec<u32>) {
        let count = mask.count_ones() as usize;
        // Never `None`: `out` keeps eight slots past `n` for this chunk and every one to come (see `room`).
        let Some(slots) = out.get_mut(*n..*n + 8) else { return };
        let mut m = mask;
        for slot in &mut slots[..4] {
            *slot = base.wrapping_add(m.trailing_zeros());
            m &= m.wrapping_sub(1);
        }
        if count > 4 {
            for slot in &mut slots[4..] {
                *slot = base.wrapping_add(m.trailing_zeros());
                m &= m.wrapping_sub(1);
            }
            if count > 8 {
                // Short lines (blank ones): keep eight slots per chunk to come.
                out.resize(out.len() + count, 0);
                for slot in &mut out[*n + 8..*n + count] {
                    *slot = base.wrapping_add(m.trailing_zeros());
                    m &= m.wrapping_sub(1);
                }
            }
        }
        *n += count;
    }
    // Room for eight per chunk without a check, made for a group of chunks at a time: a chunk with more grows it by as
    // many. So the list grows to what a block's lines take (about 7,000 positions for 256 KiB of this text), where
    // room made for the whole block at once was 128 KB, zeroed: 32 page faults per thread.
    const GROUP: usize = 64;
    let mut base = 0u32;
    for group in chunks.chunks(GROUP) {
        let room = n + 8 * group.len() + 8;
        if out.len() < room {
            out.resize(room, 0);
        }
        for chunk in group {
            spill(chunk_newline_bits(chunk), base, &mut n, out);
            base = base.wrapping_add(64);
        }
    }
    if !tail.is_empty() {
        if out.len() < n + 8 {
            out.resize(n + 8, 0);
        }
        let mut last = [0u8; 64];
        last[..tail.len()].copy_from_slice(tail);
        spill(chunk_newline_bits(&last), base, &mut n, out);
    }
    n
}

/// Bit `i` set where `chunk[i]` is `\n`: SSE2 on x86_64, [`newline_bits_swar`] elsewhere.
#[inline(always)]
fn chunk_newline_bits(chunk: &[u8; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    return newline_bits(chunk);
    #[cfg(not(target_arch = "x86_64"))]
    return newline_bits_swar(chunk);
}

/// [`newline_bits`] in portable word arithmetic: each eight bytes' `\n` bytes marked exactly ([`bytes_equal`]), their
/// marks gathered into eight bits by one multiplication (every product bit lands on its own place).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn newline_bits_swar(chunk: &[u8; 64]) -> u64 {
    let (words, _) = chunk.as_chunks::<8>();
    let mut bits = 0u64;
    for (k, word) in words.iter().enumerate() {
        let zero = bytes_equal(u64::from_le_bytes(*word), b'\n');
        bits |= ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    bits
}

/// Reads the input in blocks of whole lines, at least half a buffer each (except at the end), so that the
/// per-block work (UTF-8 validation, hand-off) is paid once per block and not per line.
pub struct BlockReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Inside an overlong line: skip until the next newline.
    skipping: bool,
    /// Position of the last `\n` in `buf[start..end]`, kept up to date as bytes arrive (each byte is searched
    /// once, however small the reads).
    last_nl: Option<usize>,
    /// Buffers given back, reused for the next blocks.
    spare: Vec<Vec<u8>>,
    /// The partial line after the last block handed out, when no spare buffer was there to take it: `buf` is then
    /// empty until the next call, which takes that block's buffer back (a reader whose blocks are parsed one at a
    /// time and given back, as `parse_file`'s parts are, then maps one buffer, not two: a second 256 KiB meant 64
    /// more page faults per thread, about 5 µs each on the development machine).
    held: Vec<u8>,
    pub bytes_read: u64,
    /// The reader ended with `UnexpectedEof` (a gzip stream cut short): the input ends there, and was cut.
    pub cut_short: bool,
    /// The input ended inside an overlong line whose start was already handed out: it ended mid-line.
    pub ended_in_overlong_line: bool,
    /// Whether the input's lines end with a bare `\r` is known ([`bare_cr_line_ends`] of its first bytes). Until it
    /// is, nothing is handed out.
    line_ends_known: bool,
    /// Every `\r` read is a line end.
    cr_lines: bool,
}

impl<R: Read> BlockReader<R> {
    pub fn new(inner: R) -> Self {
        BlockReader::with_buffers(inner, Vec::new())
    }

    /// A reader that starts with the buffers another one gave back ([`BlockReader::into_buffers`]): a thread
    /// reading several parts of a file then allocates (and the system maps) its buffers once, not once per part.
    pub fn with_buffers(inner: R, mut spare: Vec<Vec<u8>>) -> Self {
        spare.retain(|b| b.len() == BUF);
        BlockReader {
            inner,
            buf: spare.pop().unwrap_or_else(|| vec![0; BUF]),
            start: 0,
            end: 0,
            eof: false,
            skipping: false,
            last_nl: None,
            spare,
            held: Vec::new(),
            bytes_read: 0,
            cut_short: false,
            ended_in_overlong_line: false,
            line_ends_known: false,
            cr_lines: false,
        }
    }

    /// Decides the input's line ends once its first [`MAX_LINE`] + 1 bytes (or all of a shorter input) are in, or
    /// earlier when a `\n` comes among them. Nothing was handed out before: they are at the start of the buffer.
    fn know_line_ends(&mut self) {
        let read = &mut self.buf[..self.end];
        // `last_nl` is where the last `\n` read is (each read's bytes are searched once, however small the reads).
        if read.len() <= MAX_LINE && !self.eof && self.last_nl.is_none() {
            return;
        }
        self.line_ends_known = true;
        // It looks at the first MAX_LINE + 1 bytes only.
        if bare_cr_line_ends(read) {
            self.cr_lines = true;
            cr_to_newline(read);
            self.last_nl = memchr::memrchr(b'\n', read);
        }
    }

    /// Its buffers, for [`BlockReader::with_buffers`].
    pub fn into_buffers(self) -> Vec<Vec<u8>> {
        let mut buffers = self.spare;
        if self.buf.len() == BUF {
            buffers.push(self.buf);
        }
        buffers
    }

    /// A buffer again after a block was handed out without one to move its partial line into: a block's buffer
    /// given back since, or a new one.
    fn take_buffer_back(&mut self) {
        let mut buf = self.spare.pop().unwrap_or_else(|| vec![0; BUF]);
        buf[..self.held.len()].copy_from_slice(&self.held);
        self.buf = buf;
        self.held.clear();
    }

    /// A block's buffer, back for reuse.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        if buf.len() == BUF && self.spare.len() < 4 {
            self.spare.push(buf);
        }
    }

    /// The next piece of the input, or `None` at its end. I/O errors other than `Interrupted` and `UnexpectedEof`
    /// (see [`BlockReader::cut_short`]) are returned.
    pub fn next_piece(&mut self) -> io::Result<Option<Piece>> {
        if self.buf.is_empty() {
            self.take_buffer_back();
        }
        loop {
            if !self.line_ends_known {
                self.know_line_ends();
            }
            if !self.line_ends_known {
                // Fewer than MAX_LINE + 1 bytes so far, none a newline: read on before handing anything out.
            } else if let Some(last) = self.last_nl {
                if self.eof || self.end >= BUF / 2 {
                    // Hand out every complete line; the partial line after them starts the next buffer.
                    let block_end = last + 1;
                    let tail = self.end - block_end;
                    let buf = match self.spare.pop() {
                        Some(mut next) => {
                            next[..tail].copy_from_slice(&self.buf[block_end..self.end]);
                            std::mem::replace(&mut self.buf, next)
                        }
                        None => {
                            // Kept aside until the next call (see `held`).
                            self.held.clear();
                            self.held.extend_from_slice(&self.buf[block_end..self.end]);
                            std::mem::take(&mut self.buf)
                        }
                    };
                    let block = Block { buf, start: self.start, end: block_end, skip_first: self.skipping };
                    self.skipping = false;
                    self.last_nl = None;
                    self.start = 0;
                    self.end = tail;
                    return Ok(Some(Piece::Block(block)));
                }
            } else if self.eof {
                self.ended_in_overlong_line |= self.skipping;
                let tail = (self.start < self.end && !self.skipping).then(|| self.buf[self.start..self.end].to_vec());
                self.start = self.end;
                return Ok(tail.map(|bytes| Piece::Loose { bytes, terminated: false }));
            } else if self.end - self.start > MAX_LINE {
                // No newline in more than MAX_LINE bytes: hand out the line cut, skip the rest of it. (Strictly
                // more, so that the line is overlong whatever sizes the reads return.)
                let cut = (!self.skipping).then(|| self.buf[self.start..self.end].to_vec());
                self.skipping = true;
                self.start = self.end;
                if let Some(bytes) = cut {
                    return Ok(Some(Piece::Loose { bytes, terminated: true }));
                }
            }
            // Keep the partial line, make room, read more.
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.last_nl = self.last_nl.map(|p| p - self.start);
                self.end -= self.start;
                self.start = 0;
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    let read = &mut self.buf[self.end..self.end + n];
                    if self.cr_lines {
                        cr_to_newline(read);
                    }
                    if let Some(p) = memchr::memrchr(b'\n', read) {
                        self.last_nl = Some(self.end + p);
                    }
                    self.end += n;
                    self.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A stream that ends before its own end (`incomplete deflate stream`): what came before it is the
                // input, cut there, as a file that was cut would be.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    self.eof = true;
                    self.cut_short = true;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Calls `f` for every line until the input ends (the line layer alone, without the block index).
    pub fn for_each_line(&mut self, mut f: impl FnMut(Line<'_>)) -> io::Result<()> {
        let mut scratch = String::new();
        while let Some(piece) = self.next_piece()? {
            match piece {
                Piece::Block(block) => {
                    let bytes = block.bytes();
                    match block.text() {
                        Some(text) => {
                            for line in block.line_ranges() {
                                emit_str(&text[line], true, &mut f);
                            }
                        }
                        None => {
                            for line in block.line_ranges() {
                                emit_bytes(&bytes[line], true, &mut scratch, &mut f);
                            }
                        }
                    }
                    self.recycle(block.buf);
                }
                Piece::Loose { bytes, terminated } => emit_bytes(&bytes, terminated, &mut scratch, &mut f),
            }
        }
        Ok(())
    }
}

/// Whether an input whose first bytes (its first [`MAX_LINE`] + 1, or all of a shorter one) are `first` has bare-`\r`
/// line ends: no `\n` in them, and a `\r` before their last byte (one `\r` at the very end ends no line before it).
pub fn bare_cr_line_ends(first: &[u8]) -> bool {
    let first = &first[..first.len().min(MAX_LINE + 1)];
    let Some((_, before_last)) = first.split_last() else { return false };
    !first.contains(&b'\n') && before_last.contains(&b'\r')
}

fn cr_to_newline(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
}

pub fn emit_str(text: &str, terminated: bool, f: &mut impl FnMut(Line<'_>)) {
    if text.len() <= MAX_LINE {
        f(Line { text, terminated, overlong: false, lossy: false });
    } else {
        let mut cut = MAX_LINE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        f(Line { text: &text[..cut], terminated, overlong: true, lossy: false });
    }
}

pub fn emit_bytes(bytes: &[u8], terminated: bool, scratch: &mut String, f: &mut impl FnMut(Line<'_>)) {
    let overlong = bytes.len() > MAX_LINE;
    let bytes = &bytes[..bytes.len().min(MAX_LINE)];
    match std::str::from_utf8(bytes) {
        Ok(text) => f(Line { text, terminated, overlong, lossy: false }),
        Err(e) if overlong && e.error_len().is_none() => {
            // Only the cut at MAX_LINE split a character.
            let text = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            f(Line { text, terminated, overlong, lossy: false })
        }
        Err(_) => {
            scratch.clear();
            scratch.push_str(&String::from_utf8_lossy(bytes));
            f(Line { text: scratch, terminated, overlong, lossy: true })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::across_blocks::Reads;

    fn collect(input: &[u8]) -> Vec<(String, bool, bool, bool)> {
        let mut out = Vec::new();
        BlockReader::new(input)
            .for_each_line(|l| out.push((l.text.to_owned(), l.terminated, l.overlong, l.lossy)))
            .expect("reading a slice cannot fail");
        out
    }

    #[test]
    fn splits_and_reports_the_unterminated_tail() {
        let lines = collect(b"a\nbb\r\n\nccc");
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1].0, "bb\r");
        assert!(lines[2].1 && lines[2].0.is_empty());
        assert_eq!(lines[3], ("ccc".to_owned(), false, false, false));
        assert!(collect(b"").is_empty());
    }

    #[test]
    fn non_utf8_lines_are_lossy_and_their_neighbours_are_not() {
        let lines = collect(b"ok\nbad \xff byte\nfine\n");
        assert_eq!(lines[0], ("ok".to_owned(), true, false, false));
        assert_eq!(lines[1], ("bad \u{fffd} byte".to_owned(), true, false, true));
        assert_eq!(lines[2], ("fine".to_owned(), true, false, false));
    }

    #[test]
    fn a_line_of_exactly_max_line_bytes_is_whole_in_a_block_that_is_not_utf8() {
        // The block is not UTF-8 (its first line), so its lines are decoded one by one: the cap is the same there.
        let mut input = b"\xff\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE));
        input.extend_from_slice(b"\n");
        let lines = collect(&input);
        assert_eq!((lines[0].0.as_str(), lines[0].3), ("\u{fffd}", true));
        assert_eq!((lines[1].0.len(), lines[1].2, lines[1].3), (MAX_LINE, false, false));
    }

    /// A reader that fails once with `kind` after `at` bytes, then reads on.
    struct FailsOnce<'a> {
        data: &'a [u8],
        at: usize,
        kind: Option<io::ErrorKind>,
    }

    impl Read for FailsOnce<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == 0 {
                if let Some(kind) = self.kind.take() {
                    return Err(kind.into());
                }
            }
            let n = buf.len().min(self.data.len()).min(if self.kind.is_some() { self.at } else { usize::MAX });
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            self.at -= n.min(self.at);
            Ok(n)
        }
    }

    #[test]
    fn an_interrupted_read_is_retried_and_any_other_error_returned() {
        let data = b"one\ntwo\nthree\n";
        let read = |kind| {
            let mut n = 0;
            BlockReader::new(FailsOnce { data, at: 5, kind: Some(kind) }).for_each_line(|_| n += 1).map(|()| n)
        };
        assert_eq!(read(io::ErrorKind::Interrupted).expect("retried"), 3);
        assert_eq!(read(io::ErrorKind::Other).map_err(|e| e.kind()), Err(io::ErrorKind::Other));
        // A stream cut short ends there: the line before is read, the cut one is the unterminated last, and the
        // reader says so.
        let mut lines = Vec::new();
        let mut reader = BlockReader::new(FailsOnce { data, at: 5, kind: Some(io::ErrorKind::UnexpectedEof) });
        reader.for_each_line(|l| lines.push((l.text.to_owned(), l.terminated))).expect("the input, cut");
        assert_eq!(lines, [("one".to_owned(), true), ("t".to_owned(), false)]);
        assert!(reader.cut_short);
        assert!(!BlockReader::new(&data[..]).cut_short);
    }

    #[test]
    fn a_line_ending_inside_a_character_is_lossy() {
        // Only a cut at MAX_LINE may end a line inside a character silently; a short line that does is broken text.
        let lines = collect(b"ab\xe4\xb8\nnext\n");
        assert_eq!(lines[0], ("ab\u{fffd}".to_owned(), true, false, true));
        assert_eq!(lines[1].0, "next");
    }

    #[test]
    fn overlong_lines_are_cut_and_skipped() {
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b"\nnext\n");
        let lines = collect(&input);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0.len(), MAX_LINE);
        assert!(lines[0].2);
        assert_eq!(lines[1].0, "next");
        // Longer than the buffer itself.
        let mut input = vec![b'y'; BUF * 2 + 17];
        input.extend_from_slice("\n\u{4e2d}\n".as_bytes());
        let lines = collect(&input);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].0, "\u{4e2d}");
        // A cut at MAX_LINE that splits a character ends before it: the line is cut, not broken (not lossy). Both
        // when the block holds the whole line, and when the line is longer than the buffer and handed out alone.
        assert_ne!(MAX_LINE % 3, 0, "the cut falls inside a character");
        for wide in ["\u{4e2d}".repeat(MAX_LINE / 3 + 10), "\u{4e2d}".repeat(BUF / 3 + 10)] {
            let lines = collect(format!("{wide}\nnext\n").as_bytes());
            assert_eq!(lines[0].0, wide[..MAX_LINE / 3 * 3]);
            assert_eq!((lines[0].2, lines[0].3), (true, false), "overlong, not lossy");
            assert_eq!(lines[1].0, "next");
        }
    }

    #[test]
    fn newlines_are_found_where_memchr_finds_them() {
        // Every length around the 64-byte chunks, newlines sparse, dense (more than eight in a chunk: runs of blank
        // lines), at chunk edges and none; other bytes, including non-ASCII ones, never match. Both the iterator and
        // the list, the list reused across calls.
        let mut next = crate::parse::tests::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut out = Vec::new();
        for len in 0..400 {
            for density in [0, 1, 8, 40, 100] {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        if (r % 100) < density {
                            b'\n'
                        } else {
                            [b' ', b'a', 0x8a, 0x0b, 0x09, 0xff][(r >> 8) as usize % 6]
                        }
                    })
                    .collect();
                let want: Vec<usize> = memchr::memchr_iter(b'\n', &bytes).collect();
                assert_eq!(newlines(&bytes).collect::<Vec<_>>(), want, "length {len}, density {density}");
                let n = newline_positions(&bytes, &mut out);
                let listed: Vec<usize> = out[..n].iter().map(|&p| p as usize).collect();
                assert_eq!(listed, want, "length {len}, density {density}");
            }
        }
        let edges: Vec<u8> = (0..256).map(|i| if i % 64 == 0 || i % 64 == 63 { b'\n' } else { b'x' }).collect();
        assert_eq!(newlines(&edges).collect::<Vec<_>>(), memchr::memchr_iter(b'\n', &edges).collect::<Vec<_>>());
    }

    /// `Block::line_ends` lists the lines `Block::line_ranges` gives: blocks of many lines, blank ones, and a block
    /// whose first line is the rest of an overlong line (skipped).
    #[test]
    fn a_blocks_line_ends_are_its_line_ranges() {
        let mut input = b"short line\n\n".repeat(BUF / 6);
        input.extend(vec![b'x'; BUF * 2 + 17]);
        input.extend(b"\nnext\n\n".repeat(5));
        let mut reader = BlockReader::new(&input[..]);
        let mut ends = Vec::new();
        let (mut blocks, mut skipped) = (0, 0);
        while let Some(piece) = reader.next_piece().expect("reading a slice cannot fail") {
            let Piece::Block(block) = piece else { continue };
            let (mut from, listed) = block.line_ends(&mut ends);
            let ranges: Vec<Range<usize>> = listed
                .iter()
                .map(|&nl| {
                    let line = from..nl as usize;
                    from = line.end + 1;
                    line
                })
                .collect();
            assert_eq!(ranges, block.line_ranges().collect::<Vec<_>>());
            blocks += 1;
            skipped += usize::from(block.skip_first);
        }
        assert!(blocks > 2 && skipped == 1, "{blocks} blocks, {skipped} skipped");
    }

    #[test]
    fn newline_bitmaps_of_words_are_those_of_a_byte_loop() {
        let mut next = crate::parse::tests::xorshift(0x2545_f491_4f6c_dd1d);
        let reference =
            |chunk: &[u8; 64]| chunk.iter().enumerate().fold(0u64, |m, (i, &b)| m | (u64::from(b == b'\n') << i));
        for chunk in [[b'\n'; 64], [0u8; 64], [0x8a; 64], [0xff; 64], [0x0b; 64]] {
            assert_eq!(newline_bits_swar(&chunk), reference(&chunk));
            assert_eq!(chunk_newline_bits(&chunk), reference(&chunk));
        }
        for _ in 0..20_000 {
            let mut chunk = [0u8; 64];
            for b in &mut chunk {
                let r = next();
                *b = if r.is_multiple_of(4) { b'\n' } else { (r >> 8) as u8 };
            }
            assert_eq!(newline_bits_swar(&chunk), reference(&chunk));
            assert_eq!(chunk_newline_bits(&chunk), reference(&chunk));
        }
    }

    #[test]
    fn bare_cr_line_ends_are_line_ends_when_the_input_has_no_newline() {
        let texts = |lines: Vec<(String, bool, bool, bool)>| lines.into_iter().map(|l| (l.0, l.1)).collect::<Vec<_>>();
        let own = |s: &str, t: bool| (s.to_owned(), t);
        // Shorter than MAX_LINE + 1 bytes: decided at the end of the input.
        assert_eq!(
            texts(collect(b"a\rbb\r\rccc")),
            [own("a", true), own("bb", true), own("", true), own("ccc", false)]
        );
        // Longer: decided on the first MAX_LINE + 1 bytes, whatever the reads' sizes; every later `\r` a line end too.
        let mut long = Vec::new();
        for i in 0..20_000 {
            long.extend_from_slice(format!("line {i}\r").as_bytes());
        }
        assert!(long.len() > 2 * MAX_LINE);
        for step in [7, 4096, usize::MAX] {
            let mut n = 0;
            BlockReader::new(Reads::steady(&long, step))
                .for_each_line(|l| {
                    assert_eq!((l.text, l.terminated, l.overlong), (format!("line {n}").as_str(), true, false));
                    n += 1;
                })
                .expect("reading a slice cannot fail");
            assert_eq!(n, 20_000, "reads of {step} bytes");
        }
        // A `\n` first: the usual line ends, a `\r` inside a line stays text (as in a `\r\r\n` line end).
        assert_eq!(texts(collect(b"a\rb\nc\rd")), [own("a\rb", true), own("c\rd", false)]);
        assert_eq!(texts(collect(b"a\r\r\nb\r\r\n")), [own("a\r\r", true), own("b\r\r", true)]);
        // A `\r` only at the very end ends no line before it; an overlong line with none is cut as before.
        assert_eq!(texts(collect(b"abc\r")), [own("abc\r", false)]);
        let mut cut = vec![b'x'; MAX_LINE * 2];
        cut.push(b'\r');
        let lines = collect(&cut);
        assert_eq!((lines.len(), lines[0].0.len(), lines[0].2), (1, MAX_LINE, true));
    }

    #[test]
    fn line_ends_are_decided_on_the_first_bytes_whatever_the_reads() {
        let read = |input: &[u8], step: usize| {
            let mut out = Vec::new();
            BlockReader::new(Reads::steady(input, step))
                .for_each_line(|l| out.push((l.text.len(), l.terminated, l.overlong)))
                .expect("reading a slice cannot fail");
            out
        };
        // Bare-`\r` lines with a `\n` only after the first MAX_LINE + 1 bytes: bare-`\r` line ends, also when the
        // `\n` comes in the first read.
        let mut late_newline: Vec<u8> = (0..20_000).flat_map(|i| format!("line {i}\r").into_bytes()).collect();
        late_newline.extend_from_slice(b"last\n");
        // A first line longer than MAX_LINE with no `\r` in it, `\r`s after: `\n` line ends (one overlong line).
        let mut long_first = vec![b'x'; MAX_LINE + 10];
        long_first.extend((0..5_000).flat_map(|i| format!("line {i}\r").into_bytes()));
        for (input, lines) in [(&late_newline, 20_001), (&long_first, 1)] {
            let want = read(input, usize::MAX);
            assert_eq!(want.len(), lines);
            for step in [1, 7, 4096, MAX_LINE, MAX_LINE + 1, BUF] {
                assert_eq!(read(input, step), want, "reads of {step} bytes");
            }
        }
        assert!(bare_cr_line_ends(b"a\rb") && !bare_cr_line_ends(b"a\r") && !bare_cr_line_ends(b"a\r\n"));
    }

    #[test]
    fn blocks_given_back_one_at_a_time_all_use_one_buffer_and_blocks_kept_get_new_ones() {
        let mut input = Vec::new();
        for i in 0..60_000 {
            input.extend_from_slice(format!("line {i} of a few words\n").as_bytes());
        }
        input.extend_from_slice(b"a last line without its newline");
        // Reads of uneven sizes, so that the partial line after each block is of every length.
        struct Uneven<'a>(&'a [u8], usize);
        impl Read for Uneven<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.1 += 1;
                let n = buf.len().min(self.0.len()).min(1 + self.1 * 7919 % 100_000);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        for give_back in [true, false] {
            let mut reader = BlockReader::new(Uneven(&input, 0));
            let (mut out, mut buffers, mut kept) = (Vec::new(), std::collections::HashSet::new(), Vec::new());
            while let Some(piece) = reader.next_piece().expect("memory") {
                match piece {
                    Piece::Block(block) => {
                        out.extend_from_slice(block.bytes());
                        buffers.insert(block.buf.as_ptr() as usize);
                        if give_back {
                            reader.recycle(block.buf);
                        } else {
                            kept.push(block);
                        }
                    }
                    Piece::Loose { bytes, terminated } => {
                        assert!(!terminated);
                        out.extend_from_slice(&bytes);
                    }
                }
            }
            assert_eq!(out, input, "give back: {give_back}");
            if give_back {
                assert_eq!(buffers.len(), 1, "one buffer, handed out and taken back");
            } else {
                assert_eq!(buffers.len(), kept.len(), "a buffer per block kept");
            }
        }
    }

    #[test]
    fn lines_across_buffer_boundaries() {
        let mut input = Vec::new();
        for i in 0..100_000 {
            input.extend_from_slice(format!("line {i} \u{4e2d}\n").as_bytes());
        }
        let lines = collect(&input);
        assert_eq!(lines.len(), 100_000);
        assert_eq!(lines[99_999].0, "line 99999 \u{4e2d}");
        assert!(lines.iter().all(|l| !l.3));
    }
}
