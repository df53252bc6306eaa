//! A file parsed in parts, one thread per core, for visitors whose results add up ([`Merge`]).
//!
//! The file is cut at `Uid X:` header lines found near chosen offsets, into a few parts per thread, handed out one
//! at a time and shorter towards the end (so that a thread slowed by other processes does less of the work, and the
//! other is not left to finish a long part alone; [`part_weights`]). Each part is read by a fresh parser. The parts
//! are then joined in order: a part is added to the ones before it only when the parser that read those would have
//! read it the same way ([`Parser::can_continue_into`]); otherwise that parser reads the rest of the file itself. So
//! the result is always what [`parse_reader`](super::parse_reader) gives, and a file that cannot be cut (a bugreport,
//! a discrete or history section across a cut) costs one sequential read more at worst. Memory: one set of block
//! buffers and one list of line ends per thread, and one parser and visitor per part. Helper threads are placed on
//! CPUs of their own ([`placement`]).
//!
//! Every part is read from the one open file the caller checked, by positional reads ([`At`]): opening the path again
//! would read whatever file had been put there since.

use std::fs::File;
use std::io::{self, Read, Seek};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::grammar::trim;
use super::lines::{bare_cr_line_ends, BlockReader, MAX_LINE};
use super::parser::{is_uid_header, Parser};
use super::placement;
use super::{feed_all, feed_blocks, Tally};
use crate::model::{ParseSummary, Visitor};

/// A visitor that can be fed the parts of an input apart and then combined.
pub trait Merge: Visitor + Default + Send {
    /// Adds what `later` saw, fed the part of the input right after the one this visitor saw.
    fn merge(&mut self, later: Self);
}

impl Merge for Tally {
    fn merge(&mut self, later: Self) {
        let Tally {
            uids,
            packages,
            ops,
            uid_modes,
            access_events,
            reject_events,
            running,
            discrete_events,
            history_windows,
            history_entries,
        } = later;
        self.uids += uids;
        self.packages += packages;
        self.ops += ops;
        self.uid_modes += uid_modes;
        self.access_events += access_events;
        self.reject_events += reject_events;
        self.running += running;
        self.discrete_events += discrete_events;
        self.history_windows += history_windows;
        self.history_entries += history_entries;
    }
}

/// Smallest part worth a thread: below it, starting threads and parsers costs more than it saves.
const MIN_PART: u64 = 1 << 20;
const PARTS_PER_THREAD: u64 = 4;
/// How far after an offset a `Uid` header line is looked for.
const PROBE: usize = 64 * 1024;
/// What is read first, where a read of [`PROBE`] bytes may not be needed: most uid blocks are shorter (1.8 KB on
/// average in the 20 MB bench input). Reading and scanning all 64 KiB of each of seven probes took 0.2–0.6 ms before
/// the helper could be started.
const SHORT_READ: usize = 8 * 1024;

/// Parses a file, from its current position to its end, on up to `threads` threads; the same visitor calls, summed,
/// and the same summary as [`parse_reader`](super::parse_reader) on it. Only I/O errors are errors. The file's own
/// position is left where it was, except for a pipe or device, which is read as it comes.
pub fn parse_file<V: Merge>(file: &File, threads: usize) -> io::Result<(V, ParseSummary)> {
    parse_file_with(file, threads, MIN_PART).map(|(v, summary, _)| (v, summary))
}

/// [`parse_file`] with the smallest part given, also returning how many parts were joined (1: read in one go).
pub fn parse_file_with<V: Merge>(file: &File, threads: usize, min_part: u64) -> io::Result<(V, ParseSummary, usize)> {
    let meta = file.metadata()?;
    // Only a regular file can be cut, or read at an offset: a pipe or a device (`<(adb shell …)`, `/dev/stdin`) is
    // read as it comes.
    if !meta.is_file() || !At::WORKS {
        return in_one_go(file);
    }
    let base = { file }.stream_position()?;
    let len = meta.len().saturating_sub(base);
    // An input with bare-`\r` line ends is read with every `\r` a line end, to its end; parts that start at a `Uid`
    // line found by its `\n` would not be.
    // Its first bytes decide, and a `\n` among the first few rules it out without reading all of them.
    let mut first = Vec::new();
    read_short_first(file, base, MAX_LINE + 1, &mut first, |b| memchr::memchr(b'\n', b))?;
    if bare_cr_line_ends(&first) {
        return in_one_go(At::to_end(file, base));
    }
    let parts = (threads as u64).saturating_mul(PARTS_PER_THREAD).min(len / min_part.max(1));
    let starts = if threads > 1 && parts > 1 {
        part_starts(file, base, len, &part_weights(parts, threads as u64))?
    } else {
        vec![base]
    };
    if starts.len() < 2 {
        return in_one_go(At::to_end(file, base));
    }
    let results = parse_parts(file, &starts, threads)?;
    let mut results = results.into_iter();
    let Some((mut parser, mut bytes)) = results.next() else {
        return Err(io::Error::other("no part was parsed"));
    };
    let mut joined = 1;
    for (&start, (later, later_bytes)) in starts.iter().skip(1).zip(results) {
        if parser.can_continue_into(&later) {
            parser.absorb(later, V::merge);
            bytes += later_bytes;
            joined += 1;
        } else {
            // Read on from where this part starts, continuing the parser of the parts before it.
            bytes += feed_all(&mut parser, At::to_end(file, start), false)?;
            break;
        }
    }
    Ok(finish(parser, bytes, joined))
}

/// The whole of `reader` with one parser, as one part.
fn in_one_go<V: Merge>(reader: impl Read) -> io::Result<(V, ParseSummary, usize)> {
    let mut parser = Parser::new(V::default());
    let bytes = feed_all(&mut parser, reader, false)?;
    Ok(finish(parser, bytes, 1))
}

fn finish<V: Visitor>(parser: Parser<V>, bytes: u64, joined: usize) -> (V, ParseSummary, usize) {
    let (visitor, mut summary) = parser.finish_with_visitor();
    summary.bytes = bytes;
    (visitor, summary, joined)
}

/// Parses each part (`starts[i]` up to `starts[i + 1]`, the last to the end of the file) with a fresh parser, on
/// `threads` threads taking the next part when done with one.
fn parse_parts<V: Merge>(file: &File, starts: &[u64], threads: usize) -> io::Result<Vec<(Parser<V>, u64)>> {
    type Slot<V> = Mutex<Option<io::Result<(Parser<V>, u64)>>>;
    let slots: Vec<Slot<V>> = starts.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        // One set of block buffers and one list of line ends per thread, reused from part to part.
        let mut buffers = Vec::new();
        let mut line_ends = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&start) = starts.get(i) else { break };
            let end = starts.get(i + 1).copied().unwrap_or(u64::MAX);
            let mut parser = Parser::new(V::default());
            parser.reuse_line_ends(std::mem::take(&mut line_ends));
            let mut blocks = BlockReader::with_buffers(At { file, at: start, end }, std::mem::take(&mut buffers));
            let result = feed_blocks(&mut parser, &mut blocks, false);
            line_ends = parser.take_line_ends();
            let result = result.map(|bytes| (parser, bytes));
            buffers = blocks.into_buffers();
            if let Some(slot) = slots.get(i) {
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            }
        }
    };
    std::thread::scope(|s| {
        let helpers = placement::spawn_helpers(s, threads.min(starts.len()).saturating_sub(1), work);
        work();
        // A visitor's panic on a helper reaches the caller as itself (the scope alone would raise its own).
        for helper in helpers {
            if let Err(panic) = helper.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(io::Error::other("a part was not parsed")))
        })
        .collect()
}

/// `file` from offset `at` up to `end`, read with positional reads, so that threads can read their parts of one
/// open file at once without moving its position.
struct At<'a> {
    file: &'a File,
    at: u64,
    end: u64,
}

impl<'a> At<'a> {
    /// Where positional reads leave the file's position alone (Unix `pread`; Windows' `seek_read` moves it); elsewhere
    /// a file is read in one go.
    const WORKS: bool = cfg!(unix);

    fn to_end(file: &'a File, at: u64) -> At<'a> {
        At { file, at, end: u64::MAX }
    }
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end.saturating_sub(self.at)).unwrap_or(usize::MAX);
        let Some(buf) = buf.get_mut(..buf.len().min(left)).filter(|b| !b.is_empty()) else { return Ok(0) };
        let n = read_at(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(not(unix))]
fn read_at(_file: &File, _buf: &mut [u8], _at: u64) -> io::Result<usize> {
    Err(io::ErrorKind::Unsupported.into())
}

/// The sizes of the parts, relative to each other. With at least two parts per thread they fall from `parts` to 1,
/// so that the last ones are short: a thread that started late or runs on a busier CPU (half the runs of the
/// library bench had the helper 30 % slower for a whole run) then leaves the other one less to finish alone. With
/// fewer, equal sizes: falling sizes would leave one thread the larger half.
fn part_weights(parts: u64, threads: u64) -> Vec<u64> {
    if parts >= 2 * threads {
        (1..=parts).rev().collect()
    } else {
        vec![1; parts as usize]
    }
}

/// Where the parts of the `len` bytes from `base` start, `weights` giving their relative sizes: `base`, then for
/// each later part the first `Uid` header line after where it would start by its weight, when there is one within
/// [`PROBE`] bytes; increasing.
fn part_starts(file: &File, base: u64, len: u64, weights: &[u64]) -> io::Result<Vec<u64>> {
    let mut starts = vec![base];
    let mut buf = Vec::with_capacity(PROBE);
    let total: u64 = weights.iter().sum();
    let mut before = 0;
    for weight in weights.iter().take(weights.len().saturating_sub(1)) {
        before += weight;
        let at = base + (u128::from(len) * u128::from(before) / u128::from(total.max(1))) as u64;
        if let Some(start) = uid_line_after(file, at, &mut buf)? {
            if start > *starts.last().unwrap_or(&base) && start < base + len {
                starts.push(start);
            }
        }
    }
    Ok(starts)
}

/// The offset of the first line that starts after `at` and is a `Uid` header, within [`PROBE`] bytes.
fn uid_line_after(file: &File, at: u64, buf: &mut Vec<u8>) -> io::Result<Option<u64>> {
    // The first `Uid` line of the first bytes is the first of the probe's, as only lines ended by a `\n` are looked
    // at.
    Ok(read_short_first(file, at, PROBE, buf, first_uid_line)?.map(|from| at + from as u64))
}

/// Reads `file` from `at` into `buf`, [`SHORT_READ`] bytes first and up to `most` only when `find` finds nothing in
/// them and the file goes on; what `find` finds in what was read.
fn read_short_first<T>(
    file: &File,
    at: u64,
    most: usize,
    buf: &mut Vec<u8>,
    find: impl Fn(&[u8]) -> Option<T>,
) -> io::Result<Option<T>> {
    buf.clear();
    for want in [SHORT_READ.min(most), most] {
        // Only what was not read yet: the first bytes stay in `buf`. Room made first: into an empty buffer,
        // `read_to_end` reads 32 bytes, then 32, 64, … (nine reads for 8 KiB).
        let have = buf.len();
        buf.reserve(want.saturating_sub(have));
        At { file, at: at.saturating_add(have as u64), end: at.saturating_add(want as u64) }.read_to_end(buf)?;
        let found = find(buf);
        if found.is_some() || buf.len() < want {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Where the first `Uid` header line that starts after the first `\n` of `bytes` starts.
fn first_uid_line(bytes: &[u8]) -> Option<usize> {
    // The line `at` falls in may have started before it: begin after its end.
    let first_nl = memchr::memchr(b'\n', bytes)?;
    let start = first_nl + 1;
    let mut from = start;
    for nl in memchr::memchr_iter(b'\n', &bytes[start..]).map(|p| p + start) {
        if let Ok(line) = std::str::from_utf8(&bytes[from..nl]) {
            if is_uid_header(trim(line)) {
                return Some(from);
            }
        }
        from = nl + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::calls::Calls;
    use crate::parse::parse_reader;
    use crate::parse::tests::generated;

    /// Parses `input` from a file in parts of at least `min_part` bytes on `threads` threads, checks that it gives
    /// exactly what the sequential parse gives, and returns how many parts were joined.
    fn check(name: &str, input: &[u8], threads: usize, min_part: u64) -> usize {
        let path = std::env::temp_dir().join(format!("opsight-parts-{}-{name}.txt", std::process::id()));
        std::fs::write(&path, input).expect("write the input");
        let mut want = Calls::default();
        let want_summary = parse_reader(input, &mut want).expect("reading memory cannot fail");
        let file = File::open(&path).expect("open the input");
        #[cfg(target_os = "linux")]
        let cpus = rustix::thread::sched_getaffinity(None).ok();
        let got = parse_file_with::<Calls>(&file, threads, min_part);
        let tally = parse_file_with::<Tally>(&file, threads, min_part);
        std::fs::remove_file(&path).ok();
        #[cfg(target_os = "linux")]
        assert_eq!(rustix::thread::sched_getaffinity(None).ok(), cpus, "{name}: the caller's CPU set is unchanged");
        let (got, got_summary, joined) = got.expect("parse the file");
        assert_eq!(got_summary, want_summary, "{name}: summary");
        got.assert_same(&want, name);
        let mut want_tally = Tally::default();
        parse_reader(input, &mut want_tally).expect("reading memory cannot fail");
        assert_eq!(tally.expect("parse the file").0, want_tally, "{name}: tally");
        joined
    }

    #[test]
    fn parts_fall_in_size_when_each_thread_has_two_or_more() {
        assert_eq!(part_weights(8, 2), [8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(part_weights(4, 2), [4, 3, 2, 1]);
        assert_eq!(part_weights(3, 2), [1, 1, 1]);
        assert_eq!(part_weights(2, 2), [1, 1]);
        assert_eq!(part_weights(16, 4).len(), 16);
    }

    #[test]
    fn a_uid_line_is_found_past_the_short_read_as_within_it() {
        let filler = |n: usize| "      WAKE_LOCK (allow): \n".repeat(n);
        let path = std::env::temp_dir().join(format!("opsight-parts-{}-probe.txt", std::process::id()));
        let mut buf = Vec::new();
        let mut find = |text: &str, at: u64| {
            std::fs::write(&path, text).expect("write the input");
            uid_line_after(&File::open(&path).expect("open the input"), at, &mut buf).expect("read")
        };
        let line = filler(1).len();
        // Within the first bytes; past them (about 20 KB on); across their end; after the probe; in a short file.
        let near = format!("{}  Uid u0a1:\n{}", filler(10), filler(10));
        assert_eq!(find(&near, 5), Some(10 * line as u64));
        let far = format!("{}  Uid u0a1:\n{}", filler(800), filler(10));
        assert_eq!(find(&far, 0), Some(800 * line as u64));
        let across = format!("{}{}  Uid u0a1:\n", "x".repeat(SHORT_READ - 5), "\n");
        assert_eq!(find(&across, 0), Some(SHORT_READ as u64 - 4));
        let beyond = format!("{}  Uid u0a1:\n", filler(PROBE / line + 10));
        assert_eq!(find(&beyond, 0), None);
        assert_eq!(find("\n  Uid 1000:\n", 0), Some(1));
        std::fs::remove_file(&path).ok();
    }

    /// `parse_file` itself, with its own part size: a file of a few MB is cut and gives what `parse_reader` gives.
    #[test]
    fn a_file_of_a_few_mb_parses_in_parts_as_in_one_go() {
        let input = generated(opsight_synth::Layout::Android11, 11, 3 << 20);
        let path = std::env::temp_dir().join(format!("opsight-parts-{}-public.txt", std::process::id()));
        std::fs::write(&path, &input).expect("write the input");
        let file = File::open(&path).expect("open the input");
        let got = parse_file::<Tally>(&file, 2);
        let joined = parse_file_with::<Tally>(&file, 2, MIN_PART).map(|(_, _, joined)| joined);
        std::fs::remove_file(&path).ok();
        let mut want = Tally::default();
        let want_summary = parse_reader(&input[..], &mut want).expect("reading memory cannot fail");
        assert!(want.access_events > 10_000);
        assert_eq!(got.expect("parse the file"), (want, want_summary));
        assert_eq!(joined.expect("parse the file"), 3, "cut into 3 parts of at least 1 MiB, all joined");
    }

    /// A pipe named as a file cannot be cut (nor sought): it is read as it comes.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_pipe_named_as_a_file_is_read_as_it_comes() {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let input = plain_uids(6000);
        let (reader, mut writer) = std::io::pipe().expect("a pipe");
        let path = std::path::PathBuf::from(format!("/proc/self/fd/{}", reader.as_raw_fd()));
        let feeding = std::thread::spawn({
            let input = input.clone();
            move || writer.write_all(input.as_bytes())
        });
        let file = File::open(&path).expect("open the pipe");
        let (tally, summary, joined) = parse_file_with::<Tally>(&file, 2, 20_000).expect("parse the pipe");
        feeding.join().expect("writer").expect("write");
        let mut want = Tally::default();
        let want_summary = parse_reader(input.as_bytes(), &mut want).expect("reading memory cannot fail");
        assert_eq!((tally, summary, joined), (want, want_summary, 1));
    }

    #[test]
    fn a_visitor_panic_on_a_helper_thread_reaches_the_caller() {
        thread_local!(static CALLER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
        /// Fails on the helper thread; on the calling thread it waits a little at its first uid, so that the helper
        /// surely takes parts.
        #[derive(Default)]
        struct Boom(bool);
        impl Visitor for Boom {
            fn uid(&mut self, uid: &str) {
                if CALLER.get() {
                    if !self.0 {
                        self.0 = true;
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                } else {
                    panic!("visitor failure at {uid}");
                }
            }
        }
        impl Merge for Boom {
            fn merge(&mut self, _later: Self) {}
        }
        let path = std::env::temp_dir().join(format!("opsight-parts-{}-boom.txt", std::process::id()));
        std::fs::write(&path, plain_uids(6000)).expect("write the input");
        let file = File::open(&path).expect("open the input");
        CALLER.set(true);
        let caught = std::panic::catch_unwind(|| parse_file_with::<Boom>(&file, 2, 20_000));
        std::fs::remove_file(&path).ok();
        let message = caught.err().and_then(|p| p.downcast::<String>().ok()).expect("a panic with a message");
        assert!(message.starts_with("visitor failure at u0a"), "{message}");
    }

    #[test]
    fn a_dump_cut_at_uid_headers_parses_as_it_does_in_one_go() {
        let a11 = generated(opsight_synth::Layout::Android11, 7, 1_500_000);
        assert!(check("a11", &a11, 2, 100_000) > 4, "the dump was cut");
        assert!(check("a11-3", &a11, 3, 50_000) > 8, "the dump was cut");
        let a10 = generated(opsight_synth::Layout::Android10, 3, 800_000);
        assert!(check("a10", &a10, 2, 60_000) > 4, "the dump was cut");
        // CRLF and tab-indented lines cut the same way.
        let crlf: Vec<u8> = a11.iter().flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }).collect();
        assert!(check("crlf", &crlf, 2, 100_000) > 4);
        let tabs = String::from_utf8_lossy(&a10).replace("  ", "\t").into_bytes();
        assert!(check("tabs", &tabs, 2, 60_000) > 4);
        // Lines that are not UTF-8, unknown lines and events with words the parser does not read, in every part:
        // the summary's counts of each add up.
        let mut noisy = Vec::new();
        for (i, line) in a10.split_inclusive(|&b| b == b'\n').enumerate() {
            noisy.extend_from_slice(line);
            if i % 97 == 0 {
                noisy.extend_from_slice(b"      vendor \xff line\n");
            }
            if i % 101 == 0 {
                noisy.extend_from_slice(b"          Access: [top-s] 2026-03-29 10:00:00.000 (-5s0ms) vendor\n");
            }
        }
        let summary = parse_reader(&noisy[..], &mut Tally::default()).expect("reading memory cannot fail");
        assert!(summary.lossy_lines > 100 && summary.unrecognised_lines > 100, "{summary:?}");
        assert!(summary.event_lines_with_unread_words > 100, "{summary:?}");
        assert!(check("noisy", &noisy, 2, 60_000) > 4);
        // Small inputs are read in one go.
        assert_eq!(check("small", &a11[..30_000], 4, MIN_PART), 1);
        assert_eq!(check("empty", b"", 4, 1), 1);
        // Cut at the end: the last part says so.
        check("cut", &a11[..a11.len() - 7], 2, 100_000);
    }

    /// `n` uid blocks of one op and one event each, the event's absolute and relative times from `times(i)`.
    fn uid_blocks(n: usize, first: usize, times: impl Fn(usize) -> (String, i64)) -> String {
        let mut out = String::new();
        for i in first..first + n {
            let (abs, rel) = times(i);
            out.push_str(&format!(
                "  Uid u0a{i}:\n    state=cch\n    Package com.example.app{i}:\n      CAMERA (allow):\n        \
                 Access: [top-s] {abs} (-{rel}ms)\n"
            ));
        }
        out
    }

    #[test]
    fn a_line_read_differently_without_the_dump_header_stops_the_cut() {
        // After the sectioned layout's `AppOps Uid Op State`, a `NAME: mode=x` line outside any uid is a uid mode
        // only when the dump's header was seen, which a part cut off from the start has not.
        // A mode printed as a number (`mode=5`, one `modeToName` has no word for) says so only with the header; a
        // named one says so by itself.
        let event = |_| ("2026-03-29 10:00:00.000".to_owned(), 5000);
        for mode in ["ignore", "5"] {
            let mut dump = String::from("Current AppOps Service state:\n");
            dump.push_str(&uid_blocks(3000, 0, event));
            dump.push_str(&format!("AppOps Uid Op State\n  COARSE_LOCATION: mode={mode}\n"));
            dump.push_str(&uid_blocks(3000, 3000, event));
            let mut calls = Calls::default();
            parse_reader(dump.as_bytes(), &mut calls).expect("reading memory cannot fail");
            let uid_mode = format!("COARSE_LOCATION {mode}");
            assert!(calls.0.iter().any(|c| c.starts_with("mode ") && c.ends_with(&uid_mode)), "{mode}");
            for min_part in [20_000, 50_000] {
                check("no-header", dump.as_bytes(), 2, min_part);
            }
        }
    }

    #[test]
    fn votes_for_the_dump_time_that_cannot_be_added_stop_the_cut() {
        // Every event implies a different "now" (more than the vote keeps), so the result depends on their order.
        let times = |i: usize| (format!("2026-03-29 10:{:02}:{:02}.000", (i / 60) % 60, i % 60), 1_000 + i as i64 * 7);
        let dump = format!("Current AppOps Service state:\n{}", uid_blocks(6000, 0, times));
        for min_part in [20_000, 60_000] {
            check("votes", dump.as_bytes(), 2, min_part);
        }
        // Exactly as many values as the vote keeps, early; a new one near the end, first far from the dump's time
        // (dropped, the vote being full) and then close to it (kept, replacing the farthest): counted apart, the
        // part at the end would count it twice.
        let n = 6000;
        let full = |i: usize| match i {
            _ if i < 64 => ("2026-03-29 10:00:00.000".to_owned(), 100 + i as i64),
            _ if i == n - 2 => ("2026-03-29 11:00:00.000".to_owned(), 1000),
            _ if i == n - 1 => ("2026-03-29 11:00:00.999".to_owned(), 1),
            _ => ("2026-03-29 10:00:00.000".to_owned(), 100),
        };
        let dump = format!("Current AppOps Service state:\n{}", uid_blocks(n, 0, full));
        check("full-votes", dump.as_bytes(), 2, 20_000);
        // Few distinct values: the parts are joined, and the votes add up.
        let few = |i: usize| ("2026-03-29 10:00:00.000".to_owned(), 1_000 + (i % 5) as i64);
        let dump = format!("Current AppOps Service state:\n{}", uid_blocks(6000, 0, few));
        assert!(check("few-votes", dump.as_bytes(), 2, 20_000) > 4);
    }

    /// Lines of every section and dialect, and `Uid` headers (where parts may start) among them.
    const LINES: &[&str] = &[
        "Current AppOps Service state:",
        "AppOps Uid Op State",
        "DUMP OF SERVICE appops:",
        "DUMP OF SERVICE other:",
        "  Uid u0a103:",
        "  Uid 1000:",
        "Uid mode: CAMERA: allow",
        "    state=cch",
        "      COARSE_LOCATION: mode=ignore",
        "    Package com.example:",
        "      READ_CONTACTS (allow):",
        "      FINE_LOCATION (allow / switch COARSE_LOCATION=allow): ",
        "      READ_SMS (allow): miui",
        "      CAMERA (ignore)",
        "AppOps Service state: (vendor)",
        "        null=[",
        "        tag.x=[",
        "        ]",
        "          Access: [bg-tpd] 2022-03-07 18:05:34.325 (-22d4h22m19s762ms)",
        "          Access: [fg-s] 2022-03-07 18:05:34.325 (-1s0ms)",
        "          Access: [fg-s] 2022-03-07 18:05:34.325 (-2s0ms) oemExtra=1",
        "          Reject: [fg-s]2021-05-19 22:02:52.054 (-314d1h25m2s33ms)",
        "          Access: top   = 2019-01-01 12:00:00.000 (-1h2m3s4ms)",
        "                  bg    = 2019-01-01 11:00:00.000 (-2h2m3s4ms)",
        "          Running start at: +5s0ms",
        "          startNesting=2",
        "      VIBRATE: mode=0; time=+39s500ms ago; duration=+59ms",
        "Discrete accesses: ",
        "  Uid: 10123",
        "      CAMERA",
        "          Access [top-s] at 2021-06-01 12:00:00.000 for 60000 milliseconds ",
        "  History:  mode=ENABLED_ACTIVE",
        "      begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)",
        "            [top-s] = access=3, reject=1, duration=+5s0ms",
        "Settings:",
        "  Uid 1000 (system):",
        "--------- 0.1s was the duration of dumpsys appops",
        "------------------------------------------------------------------------------",
        "    Package: com.example",
        "        Attribution: null",
        "UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ATTR_FLAGS|CHAIN_ID|ACCESS_TIME|DURATION",
        "10123|com.example|default|CAMERA|null|top|s|0|-1|2025-01-01 12:00:00.000|1000",
    ];

    /// `n` plain uid blocks, where parts can start.
    fn plain_uids(n: usize) -> String {
        let event = |_| ("2026-03-29 10:00:00.000".to_owned(), 5000);
        uid_blocks(n, 0, event)
    }

    #[test]
    fn a_file_with_bare_cr_line_ends_is_read_in_one_go() {
        // Bare-`\r` lines first (every `\r` of the file is then a line end), `\n` lines after, bare `\r` again: parts
        // started at `Uid` lines found by their `\n` would read the tail as one line. Read whole, as in one go.
        let cr = |s: String| s.replace('\n', "\r");
        let mixed = format!("{}{}{}", cr(plain_uids(500)), plain_uids(6000), cr(plain_uids(500)));
        assert_eq!(check("bare-cr", mixed.as_bytes(), 2, 20_000), 1, "not cut");
        // Without the head, the same file is cut as usual.
        let lf_first = format!("{}{}", plain_uids(6000), cr(plain_uids(500)));
        assert!(check("lf-first", lf_first.as_bytes(), 2, 20_000) > 1, "cut");
    }

    #[test]
    fn discrete_and_history_context_left_before_a_cut_stops_it() {
        // The discrete and history sections keep their own uid, package and op (and the history its window) across
        // other sections; a part cut off after them would start without.
        // The last visitor call of a parse in one go: the record the context before the cut was carried to.
        let last_call = |input: &str| {
            let mut calls = Calls::default();
            parse_reader(input.as_bytes(), &mut calls).expect("reading memory cannot fail");
            calls.0.pop().unwrap_or_default()
        };
        let discrete = format!(
            "Current AppOps Service state:\nDiscrete accesses:\n  Uid: 10123\n    Package: com.example\n      CAMERA\n\
             Settings:\n{}Discrete accesses:\n          Access [top-s] at 2021-06-01 12:00:00.000 for 60000 milliseconds\n",
            plain_uids(4000)
        );
        let last = last_call(&discrete);
        assert!(last.starts_with("discrete ") && last.contains("10123"), "{last}");
        check("discrete-context", discrete.as_bytes(), 2, 20_000);
        // A uid and a package without an op are context too.
        let package_only = discrete.replacen("      CAMERA\nSettings:", "Settings:", 1).replacen(
            "Discrete accesses:\n          Access",
            "Discrete accesses:\n      CAMERA\n          Access",
            1,
        );
        let last = last_call(&package_only);
        assert!(last.starts_with("discrete ") && last.contains("10123"), "{last}");
        check("discrete-package", package_only.as_bytes(), 2, 20_000);
        // And a package without a uid (an excerpt that starts below `Uid:`).
        check("discrete-no-uid", discrete.replacen("  Uid: 10123\n", "", 1).as_bytes(), 2, 20_000);
        let history = format!(
            "Current AppOps Service state:\nAppOps Historical Service State:\n  snapshot:\n\
             begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)\n    Uid 1000:\n      Package android:\n        CAMERA:\n\
             [top-s] = access=3, reject=1, duration=+5s0ms\nSettings:\n{}History:\n    Uid 1001:\n      Package b:\n\
             CAMERA:\n            [top-s] = access=1, reject=0, duration=+1s0ms\n",
            plain_uids(4000)
        );
        let last = last_call(&history);
        assert!(last.starts_with("history ") && last.contains("1001"), "{last}");
        check("history-context", history.as_bytes(), 2, 20_000);
        // The window alone (no uid, package or op since its `begin`), and whether it was announced alone (`Uid :`
        // empties the context after an entry).
        let later = "History:\n    Uid 1001:\n      Package b:\n        CAMERA:\n            [top-s] = access=1, reject=0, duration=+1s0ms\n";
        let window = format!(
            "AppOps Historical Service State:\n  snapshot:\n    begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)\nSettings:\n{}{later}",
            plain_uids(4000)
        );
        check("history-window", window.as_bytes(), 2, 20_000);
        let announced = format!(
            "AppOps Historical Service State:\n  snapshot:\n    Uid 1000:\n      Package a:\n        CAMERA:\n\
             [top-s] = access=3, reject=1, duration=+5s0ms\n    Uid :\nSettings:\n{}{later}",
            plain_uids(4000)
        );
        check("history-announced", announced.as_bytes(), 2, 20_000);
    }

    #[test]
    fn what_only_the_first_or_the_last_part_holds_reaches_the_summary() {
        // The first parts hold Android 10 events only; the last one an attribution block (which makes the dump
        // Android 11+), a discrete section and a history section. Each part's findings are added to the earlier
        // parts' ones, never replace or narrow them.
        let tail = "  Uid u0a99999:\n    Package com.late:\n      CAMERA (allow):\n        null=[\n\
                    Access: [top-s] 2026-03-29 10:00:00.000 (-5s0ms)\n        ]\n\
                    Discrete accesses:\n  Uid: 10123\n    Package: com.example\n      CAMERA\n\
                    Access [top-s] at 2021-06-01 12:00:00.000 for 60000 milliseconds\n\
                    History:\n    Uid 1001:\n      Package b:\n        CAMERA:\n\
                    [top-s] = access=1, reject=0, duration=+1s0ms\n";
        let dump = format!("Current AppOps Service state:\n{}{tail}", plain_uids(6000));
        let summary = parse_reader(dump.as_bytes(), &mut Tally::default()).expect("reading memory cannot fail");
        assert_eq!(summary.dialect, crate::model::Dialect::DumpsysAttributed);
        assert!(summary.has_discrete && summary.has_history);
        assert!(check("late", dump.as_bytes(), 2, 20_000) > 2, "the dump was cut");
        // And what only the first part holds: the newest layout's header.
        let sectioned = format!("AppOps Service state:\nAppOps Uid Op State\n{}", plain_uids(6000));
        let summary = parse_reader(sectioned.as_bytes(), &mut Tally::default()).expect("reading memory cannot fail");
        assert_eq!(summary.dialect, crate::model::Dialect::DumpsysSectioned);
        assert!(check("sectioned", sectioned.as_bytes(), 2, 20_000) > 2, "the dump was cut");
        // A dump without events (a phone just set up): its op headers, only in the first parts, name its layout.
        let mut quiet = String::from("Current AppOps Service state:\n");
        for i in 0..6000 {
            let op = if i < 3000 { "      CAMERA (allow):\n" } else { "" };
            quiet.push_str(&format!("  Uid u0a{i}:\n    Package com.example.app{i}:\n{op}"));
        }
        let summary = parse_reader(quiet.as_bytes(), &mut Tally::default()).expect("reading memory cannot fail");
        assert_eq!(summary.dialect, crate::model::Dialect::DumpsysQ);
        assert!(check("quiet", quiet.as_bytes(), 2, 20_000) > 2, "the dump was cut");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any mix of these lines, cut anywhere into parts, parses as it does in one go.
        #[test]
        fn any_mix_parses_in_parts_as_in_one_go(
            picks in proptest::collection::vec((0..LINES.len(), 0..4usize), 200..1500),
            threads in 2..4usize,
            cut in 1..6u64,
        ) {
            let mut input = String::new();
            for (i, repeat) in picks {
                for _ in 0..=repeat {
                    input.push_str(LINES[i]);
                    input.push('\n');
                }
            }
            let min_part = (input.len() as u64 / (cut * 2)).max(1);
            check(&format!("prop-{threads}-{cut}"), input.as_bytes(), threads, min_part);
        }
    }

    #[test]
    fn parts_that_cannot_continue_are_read_on_from_the_parts_before() {
        // Every dialect in a row: bugreport framing, discrete and history sections, `appops get`, Android 9, legacy
        // dumps. Wherever a cut falls where a fresh parser would read differently, the rest is read sequentially.
        let base = crate::parse::tests::fixtures();
        let mut mixed = Vec::new();
        while mixed.len() < 1_200_000 {
            mixed.extend_from_slice(&base);
        }
        for threads in [2, 3] {
            for min_part in [20_000, 70_000, 300_000] {
                check("mixed", &mixed, threads, min_part);
            }
        }
        // A generated dump after a bugreport's framing: every cut is refused, the result is the same.
        let mut embedded = b"== dumpstate: 2026-03-29 23:27:53\n------ SYSTEM PROPERTIES (getprop) ------\n[persist.sys.timezone]: [Asia/Shanghai]\n-------------------------------------------------------------------------------\nDUMP OF SERVICE appops:\n".to_vec();
        embedded.extend_from_slice(&generated(opsight_synth::Layout::Android11, 5, 600_000));
        assert_eq!(check("embedded", &embedded, 2, 50_000), 1);
    }

    /// The parts are read from the file the caller opened (and checked), not from whatever its path names by then.
    #[cfg(unix)]
    #[test]
    fn the_file_opened_is_read_even_when_its_path_is_replaced() {
        let dir = std::env::temp_dir().join(format!("opsight-parts-{}-replaced", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        let (path, other) = (dir.join("dump.txt"), dir.join("other.txt"));
        let input = plain_uids(6000);
        std::fs::write(&path, &input).expect("write the input");
        std::fs::write(&other, plain_uids(100)).expect("write the other input");
        let file = File::open(&path).expect("open the input");
        std::fs::rename(&other, &path).expect("replace the input");
        let got = parse_file_with::<Tally>(&file, 2, 20_000);
        std::fs::remove_dir_all(&dir).ok();
        let (tally, summary, joined) = got.expect("parse the file");
        assert!(joined > 1, "the file was cut");
        let mut want = Tally::default();
        let want_summary = parse_reader(input.as_bytes(), &mut want).expect("reading memory cannot fail");
        assert_eq!((tally, summary), (want, want_summary));
    }

    /// Standard input redirected from a file may have been read in part already: the parse starts where it stands
    /// and leaves it there.
    #[cfg(unix)]
    #[test]
    fn a_file_is_parsed_from_its_position_which_is_left_alone() {
        use std::io::{Seek, SeekFrom};
        let head = "Uid 0:\n  state=top\n";
        let input = format!("{head}{}", plain_uids(6000));
        let path = std::env::temp_dir().join(format!("opsight-parts-{}-position.txt", std::process::id()));
        std::fs::write(&path, &input).expect("write the input");
        let mut file = File::open(&path).expect("open the input");
        file.seek(SeekFrom::Start(head.len() as u64)).expect("seek");
        let cut = parse_file_with::<Tally>(&file, 2, 20_000);
        let one = parse_file_with::<Tally>(&file, 1, 20_000);
        let position = file.stream_position().expect("position");
        std::fs::remove_file(&path).ok();
        let mut want = Tally::default();
        let want_summary =
            parse_reader(&input.as_bytes()[head.len()..], &mut want).expect("reading memory cannot fail");
        let (tally, summary, joined) = cut.expect("parse in parts");
        assert!(joined > 1, "the file was cut");
        assert_eq!((tally, summary), (want, want_summary.clone()));
        let (tally, summary, _) = one.expect("parse in one go");
        assert_eq!((tally, summary), (want, want_summary));
        assert_eq!(position, head.len() as u64);
        assert_eq!(want.uids, 6000, "the uid before the position was left out");
    }
}
