//! For the unit tests and the `blocks` fuzz target (`rust/core/fuzz`, built with `--cfg fuzzing`): the parse every
//! block path must equal, line by line, and a check that puts a block boundary and the two-thread pipeline inside an
//! input of a few KB, where a block is 256 KiB and the pipeline starts only at a second block.

use std::io::{self, Read};

use super::calls::Calls;
use super::lines::{self, BUF, MAX_LINE};
use super::parser::Parser;
use super::{parse_reader, parse_reader_parallel};
use crate::model::{ParseSummary, Visitor};

/// The line layer as it was before blocks: every line, one by one, through `emit_bytes` (which cuts overlong lines
/// and converts non-UTF-8 ones), then the same parser. Lines end at `\n`, or at every `\r` when the input's first
/// bytes say so ([`lines::bare_cr_line_ends`]). The block reader, the block index and the helper thread must give
/// exactly what this gives.
pub fn parse_line_by_line<V: Visitor>(input: &[u8], visitor: &mut V) -> ParseSummary {
    let converted: Vec<u8>;
    let text = if lines::bare_cr_line_ends(input) {
        converted = input.iter().map(|&b| if b == b'\r' { b'\n' } else { b }).collect();
        &converted[..]
    } else {
        input
    };
    let mut parser = Parser::new(visitor);
    let mut scratch = String::new();
    let mut parts: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let tail = parts.pop().unwrap_or_default();
    for line in parts {
        lines::emit_bytes(line, true, &mut scratch, &mut |l| parser.feed(&l));
    }
    if !tail.is_empty() {
        lines::emit_bytes(tail, false, &mut scratch, &mut |l| parser.feed(&l));
    }
    let mut summary = parser.finish();
    summary.bytes = input.len() as u64;
    summary
}

/// A reader that returns its first `first` bytes in one read, then at most `n` bytes per read, as a pipe does (also
/// the readers of the block tests).
pub(super) struct Reads<'a> {
    data: &'a [u8],
    first: usize,
    n: usize,
}

#[cfg(test)]
impl<'a> Reads<'a> {
    /// At most `n` bytes per read from the start.
    pub(super) fn steady(data: &'a [u8], n: usize) -> Self {
        Reads { data, first: 0, n }
    }
}

impl Read for Reads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = if self.first > 0 { std::mem::take(&mut self.first) } else { self.n };
        let k = want.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

/// The input [`check_block_boundary`] reads, its pad's length and the size of the reads after the pad.
struct Padded {
    input: Vec<u8>,
    pad_len: usize,
    n: usize,
}

fn padded(data: &[u8]) -> Option<Padded> {
    let [choice, b1, b2, body @ ..] = data else { return None };
    let end = if choice & 1 == 1 { b'\r' } else { b'\n' };
    // Within the body, so that the threshold is passed in it.
    let before = usize::from(u16::from_le_bytes([*b1, *b2])) % (body.len() + 1);
    // A block is handed out once half a buffer is read.
    let pad_len = BUF / 2 - 1 - before;
    let mut input = Vec::with_capacity(pad_len + body.len());
    while input.len() < pad_len {
        let line = (pad_len - input.len()).min(MAX_LINE / 2);
        input.resize(input.len() + line - 1, b' ');
        input.push(end);
    }
    input.extend_from_slice(body);
    let pick = usize::from(choice >> 1);
    let n = if pick == 127 { usize::MAX } else { 1 + pick * pick };
    Some(Padded { input, pad_len, n })
}

/// Panics unless `data`'s body, read after a pad that ends just before the block reader hands out its first block,
/// parses to exactly the line-by-line calls and summary: on one thread and on two, in reads of any size, and in one
/// read. `data` is three bytes of choices, then the body:
/// - byte 0: the pad's lines end with `\r` (then every `\r` ends a line: bare-`\r` input) when odd, with `\n` when
///   even; the rest picks the size of the reads after the pad, 1 to 16,130 bytes (127: all at once);
/// - bytes 1 and 2: how far before the block threshold the pad ends (0 to 65,535 bytes, at most the body's length),
///   so where in the body the first block is cut: at the body's last line end read when the threshold is passed.
///
/// The pad is lines of spaces (each under [`MAX_LINE`]), which the parser skips without a change of state: the
/// body parses as it would alone (after a bare-`\r` pad, with its own `\r` as line ends too), its first lines in one
/// block and the rest, when it comes in later reads, in the next.
pub fn check_block_boundary(data: &[u8]) {
    let Some(Padded { input, pad_len, n }) = padded(data) else { return };
    let mut want = Calls::default();
    let want_summary = parse_line_by_line(&input, &mut want);
    let ways =
        [("one thread", false, pad_len, n), ("two threads", true, pad_len, n), ("one read", true, usize::MAX, n)];
    for (what, threads, first, n) in ways {
        let reader = Reads { data: &input, first, n };
        let mut got = Calls::default();
        let summary = if threads { parse_reader_parallel(reader, &mut got) } else { parse_reader(reader, &mut got) };
        let summary = summary.expect("reading memory cannot fail");
        assert_eq!(summary, want_summary, "{what}: summary");
        got.assert_same(&want, what);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lines::{BlockReader, Piece};
    use proptest::prelude::*;
    use proptest::sample::Index;

    /// The first 70 KB of every fixture dump in a row: every dialect.
    fn dump() -> Vec<u8> {
        let mut all = crate::parse::tests::fixtures();
        all.truncate(70_000);
        all
    }

    fn data(choice: u8, before: u16, body: &[u8]) -> Vec<u8> {
        let mut data = vec![choice];
        data.extend_from_slice(&before.to_le_bytes());
        data.extend_from_slice(body);
        data
    }

    /// Where the blocks the reader hands out end, in the input.
    fn block_ends(p: &Padded) -> Vec<usize> {
        let mut blocks = BlockReader::new(Reads { data: &p.input, first: p.pad_len, n: p.n });
        let (mut ends, mut at) = (Vec::new(), 0);
        while let Some(piece) = blocks.next_piece().expect("memory") {
            match piece {
                Piece::Block(block) => {
                    at += block.end - block.start;
                    ends.push(at);
                    blocks.recycle(block.buf);
                }
                Piece::Loose { bytes, .. } => at += bytes.len(),
            }
        }
        ends
    }

    #[test]
    fn the_first_block_ends_in_the_body_where_the_choice_bytes_put_it() {
        let body = dump();
        for (choice, before) in [(0u8, 0u16), (0, 5_000), (2 * 20, 12_345), (2 * 127, 65_535), (1, 700)] {
            let p = padded(&data(choice, before, &body)).expect("three choice bytes");
            let ends = block_ends(&p);
            // The threshold is passed after the read that brings `before + 1` body bytes or more in.
            let read = (usize::from(before) + 1).div_ceil(p.n.min(body.len())) * p.n.min(body.len());
            let last_nl = |upto: usize| {
                body[..upto.min(body.len())].iter().rposition(|&b| b == b'\n' || (choice & 1 == 1 && b == b'\r'))
            };
            let want = p.pad_len + last_nl(read).map_or(0, |i| i + 1);
            // The rest of the body in a second block (which starts the pipeline on two threads), unless it came in the
            // same read.
            let blocks = if p.n >= body.len() { 1 } else { 2 };
            assert_eq!(ends.len(), blocks, "{choice} {before}: blocks");
            assert_eq!(ends[0], want, "{choice} {before}: first block end");
            assert!(ends[0] >= p.pad_len, "{choice} {before}: the first block ends in the body (or at its start)");
        }
    }

    #[test]
    fn real_dumps_cut_into_blocks_anywhere_parse_as_line_by_line() {
        let body = dump();
        for before in (0..60_000).step_by(4_999) {
            for choice in [0u8, 2 * 3, 2 * 60, 2 * 127] {
                check_block_boundary(&data(choice, before as u16, &body));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_stretch_of_the_dumps_with_a_stray_byte_parses_as_line_by_line(
            choice in any::<u8>(),
            before in any::<u16>(),
            from in any::<Index>(),
            len in 0..20_000usize,
            stray in proptest::option::of((any::<Index>(), any::<u8>())),
        ) {
            let dump = dump();
            let from = from.index(dump.len());
            let mut body = dump[from..(from + len).min(dump.len())].to_vec();
            if let Some((at, byte)) = stray {
                body.insert(at.index(body.len() + 1), byte);
            }
            check_block_boundary(&data(choice, before, &body));
        }
    }
}
