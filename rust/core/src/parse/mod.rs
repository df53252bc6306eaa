//! Streaming AppOps parser: bytes in, [`Visitor`] calls out.
//!
//! One pass over the lines; state is the enclosing uid, package, op and attribution block, kept in reused
//! buffers, so memory does not grow with the input. Every input, of any bytes, parses: what is not
//! recognised is counted, never fatal. The grammar is documented in `docs/parser.md`.

// Built for the unit tests and for the fuzz targets (cargo-fuzz builds every crate with `--cfg fuzzing`).
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub mod across_blocks;
mod block;
mod builder;
#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub mod calls;
pub(crate) mod grammar;
mod lines;
mod parser;
mod parts;
mod pipeline;
mod placement;
mod tally;

use std::io::{self, Read};

use crate::model::{ParseSummary, Snapshot, Visitor};
use lines::{BlockReader, Piece};
use parser::Parser;
use pipeline::{pipelined, Shared};

pub use builder::SnapshotBuilder;
pub use lines::MAX_LINE;
pub use parts::{parse_file, Merge};
// For the fuzz target (`rust/core/fuzz`), whose inputs are a few KB: parts far below the usual 1 MiB.
#[doc(hidden)]
pub use parts::parse_file_with;
pub use tally::Tally;

/// The device's zone in `getprop` output (`[persist.sys.timezone]: [Europe/Berlin]`), such as the `getprop.txt` an
/// androidqf acquisition keeps beside its `dumpsys.txt`: the first line of that form, as printed (an IANA id's
/// characters; whether the time zone database knows it is for the caller to check).
pub fn getprop_zone(text: &str) -> Option<&str> {
    text.lines().find_map(|line| grammar::device_zone(grammar::trim(line)))
}

/// Parses a whole input from a reader, streaming. Only I/O errors are errors.
pub fn parse_reader<R: Read, V: Visitor>(reader: R, visitor: &mut V) -> io::Result<ParseSummary> {
    run(reader, visitor, false)
}

/// [`parse_reader`] on two threads, with the same result and the same visitor calls in the same order.
///
/// An input of more than one block (`lines::BUF / 2` bytes or more) starts a helper thread that finds the lines
/// of each block and decodes its event lines while this thread reads the next block and hands the previous one
/// to the visitor. The reader and the visitor stay on this thread. It is faster only when a second core is idle
/// (1.0–1.5× on the 20 MB benchmark, by machine), and it always costs more CPU time than [`parse_reader`] (the
/// index the threads share, and their waits: 15–115 % more) and a few MB more memory (docs/performance.md,
/// "Parsing").
pub fn parse_reader_parallel<R: Read, V: Visitor>(reader: R, visitor: &mut V) -> io::Result<ParseSummary> {
    run(reader, visitor, true)
}

fn run<R: Read, V: Visitor>(reader: R, visitor: &mut V, threads: bool) -> io::Result<ParseSummary> {
    let mut parser = Parser::new(visitor);
    let bytes = feed_all(&mut parser, reader, threads)?;
    let mut summary = parser.finish();
    summary.bytes = bytes;
    Ok(summary)
}

/// Feeds the whole of `reader` to `parser` (on two threads if `threads`); returns the bytes read.
fn feed_all<R: Read, V: Visitor>(parser: &mut Parser<V>, reader: R, threads: bool) -> io::Result<u64> {
    feed_blocks(parser, &mut BlockReader::new(reader), threads)
}

/// [`feed_all`] from a reader whose buffers the caller keeps for its next input.
fn feed_blocks<R: Read, V: Visitor>(
    parser: &mut Parser<V>,
    blocks: &mut BlockReader<R>,
    threads: bool,
) -> io::Result<u64> {
    let mut scratch = String::new();
    // The first block is parsed here: an input that fits in it never starts a thread.
    let mut first = true;
    while let Some(piece) = blocks.next_piece()? {
        match piece {
            Piece::Block(block) if threads && !first => {
                let shared = Shared::default();
                std::thread::scope(|s| pipelined(s, &shared, blocks, parser, block, &mut scratch))?;
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
    if blocks.cut_short || blocks.ended_in_overlong_line {
        parser.input_cut_short();
    }
    Ok(blocks.bytes_read)
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

/// The two-thread parse's halves measured apart, on this thread alone: time spent indexing blocks (the helper
/// thread's work) and time spent reading and feeding them (the calling thread's), as benches/parse.rs reports them.
#[doc(hidden)]
pub fn parse_reader_staged<R: Read, V: Visitor>(
    reader: R,
    visitor: &mut V,
) -> io::Result<(std::time::Duration, std::time::Duration)> {
    let (mut index_time, mut feed_time) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let mut parser = Parser::new(visitor);
    let mut blocks = BlockReader::new(reader);
    let mut scratch = String::new();
    let mut index = block::BlockIndex::default();
    let mut t = std::time::Instant::now();
    while let Some(piece) = blocks.next_piece()? {
        match piece {
            Piece::Block(block) => {
                feed_time += t.elapsed();
                t = std::time::Instant::now();
                index.build(&block);
                index_time += t.elapsed();
                t = std::time::Instant::now();
                parser.feed_block(&block, &index, &mut scratch);
                blocks.recycle(block.buf);
            }
            Piece::Loose { bytes, terminated } => parser.feed_loose(&bytes, terminated, &mut scratch),
        }
    }
    feed_time += t.elapsed();
    parser.finish();
    Ok((index_time, feed_time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Context, EventRef};

    /// The snapshot of [`across_blocks::parse_line_by_line`], which every block path must give.
    fn reference(input: &[u8]) -> Snapshot {
        let mut builder = SnapshotBuilder::default();
        let summary = across_blocks::parse_line_by_line(input, &mut builder);
        builder.finish(summary)
    }

    fn all_ways(input: &[u8]) -> Vec<Snapshot> {
        let snap = |threads: bool, chunk: usize| {
            let mut builder = SnapshotBuilder::default();
            let reader = across_blocks::Reads::steady(input, chunk);
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

    /// A xorshift64 generator: the same varied values on every run, for tests that build many inputs.
    pub(super) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// A generated dump of about `bytes` bytes: 40 app templates, in the layout given.
    pub(super) fn generated(layout: opsight_synth::Layout, seed: u64, bytes: usize) -> Vec<u8> {
        let spec = opsight_synth::DumpSpec { seed, apps: 40, target_bytes: bytes, layout, ..Default::default() };
        let mut out = Vec::new();
        opsight_synth::generate(&spec, &mut out).expect("generate a dump");
        out
    }

    /// Every fixture dump, real and synthetic, one after the other: every dialect in a row.
    pub(super) fn fixtures() -> Vec<u8> {
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
    fn getprop_output_gives_its_zone_line_only() {
        let props = "[persist.sys.locale]: [zh-CN]\r\n  [persist.sys.timezone]: [Asia/Shanghai]  \r\n[x]: [y]\n";
        assert_eq!(getprop_zone(props), Some("Asia/Shanghai"));
        assert_eq!(getprop_zone("[persist.sys.timezone]: []\n[persist.sys.timezone]: [UTC]\n"), Some("UTC"));
        for none in [
            "",
            "[persist.sys.timezone]: [Asia/Shanghai",
            "persist.sys.timezone=Asia/Shanghai",
            "[persist.sys.timezone]: [a b]",
        ] {
            assert_eq!(getprop_zone(none), None, "{none:?}");
        }
    }

    #[test]
    fn a_snapshot_from_a_reader_is_the_snapshot_of_its_bytes() {
        let input = fixtures();
        let snap = parse_snapshot(&input[..]).expect("reading memory cannot fail");
        assert!(snap.uids.len() > 100);
        assert!(snap == Snapshot::parse(&input), "parse_snapshot differs from Snapshot::parse");
    }

    #[test]
    fn the_line_layer_of_the_bench_counts_the_trimmed_bytes() {
        // What `scan_lines_only` returns keeps the compiler from dropping the work the bench measures: the bytes of
        // every line without its blanks and terminator.
        assert_eq!(scan_lines_only(&b"  ab \n\tc\r\n\n        defghijk  \nlm"[..]), 2 + 1 + 8 + 2);
        let input = fixtures();
        let mut total = 0;
        lines::BlockReader::new(&input[..])
            .for_each_line(|l| total += grammar::trim_line(l.text).len() as u64)
            .expect("reading memory cannot fail");
        assert_eq!(scan_lines_only(&input[..]), total);
        assert!(total > 50_000, "{total}");
    }

    #[test]
    fn the_staged_parse_of_the_bench_sees_what_the_parse_sees() {
        let base = fixtures();
        let mut big = Vec::new();
        while big.len() < 1_500_000 {
            big.extend_from_slice(&base);
        }
        let (mut want, mut got) = (SnapshotBuilder::default(), SnapshotBuilder::default());
        parse_reader(&big[..], &mut want).expect("reading memory cannot fail");
        parse_reader_staged(&big[..], &mut got).expect("reading memory cannot fail");
        let (want, got) = (want.finish(ParseSummary::default()), got.finish(ParseSummary::default()));
        assert!(want.uids.len() > 100);
        assert!(got == want, "the staged parse differs");
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
                // A line of exactly the cap, whole: its package is kept on every path.
                3000 => odd.extend_from_slice(
                    format!("    Package {}:\n", "p".repeat(MAX_LINE - "    Package :".len())).as_bytes(),
                ),
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
        // An unterminated last line that is whole, after many blocks: read after every block before it, also on
        // two threads (where blocks may still be with the helper when it arrives).
        let mut last_event = generated(opsight_synth::Layout::Android11, 3, 1_500_000);
        last_event.extend_from_slice(
            b"  Uid u0a999:\n    Package z.z:\n      CAMERA (allow):\n        null=[\n          Access: [top-s] 2022-03-29 23:00:00.000 (-1s0ms)",
        );
        check(&last_event);
        let snap = reference(&last_event);
        let camera = snap.uids.last().and_then(|u| u.packages.last()).and_then(|p| p.ops.last()).expect("an op");
        assert_eq!((camera.op.as_str(), camera.events.len()), ("CAMERA", 1));
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
