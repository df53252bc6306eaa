//! Parse throughput on a large generated dump, side by side with a floor measured in the same run:
//! reading the same file and counting its newlines with memchr, end to end (open, read, scan), as the parse is.
//! Reproduce: `bench/parse.sh` (docs/performance.md).

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use opsight_core::parse::{parse_file, parse_reader, parse_reader_parallel, parse_snapshot, Tally};
use opsight_synth::{generate, DumpSpec, Layout};

/// 20 MB of Android 11+ text: a few hundred apps with realistic ops, attribution tags and proxies.
fn dump_file() -> PathBuf {
    let path = std::env::temp_dir().join("opsight-bench-android11-20mb.txt");
    if !path.exists() {
        let spec =
            DumpSpec { seed: 7, apps: 300, target_bytes: 20_000_000, layout: Layout::Android11, ..DumpSpec::default() };
        let mut out = BufWriter::new(File::create(&path).expect("create bench dump"));
        generate(&spec, &mut out).expect("generate bench dump");
    }
    path
}

/// The floor: open, read in 256 KiB blocks, count newlines.
fn count_newlines(path: &PathBuf) -> u64 {
    let mut f = File::open(path).expect("open");
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let got = f.read(&mut buf).expect("read");
        if got == 0 {
            return n;
        }
        n += memchr::memchr_iter(b'\n', &buf[..got]).count() as u64;
    }
}

/// The threads `parse_file` is given: one per core, as `opsight parse` does.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Process CPU time so far (user + system, all threads), from /proc/self/stat, in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// `PARSE_CPU=N cargo bench --bench parse`: instead of criterion, N rounds of each case interleaved, printing the
/// fastest and median wall time and the CPU time per run. On a shared machine the fastest run and the CPU time
/// say more about the code than a median that mostly measures the neighbours.
fn cpu_mode(path: &PathBuf, rounds: usize) {
    type Case = (&'static str, Box<dyn Fn(&PathBuf) -> u64>);
    let cases: Vec<Case> = vec![
        ("floor_memchr_newlines", Box::new(count_newlines)),
        (
            "lines_split_and_trimmed_only",
            Box::new(|p: &PathBuf| opsight_core::parse::scan_lines_only(File::open(p).expect("open"))),
        ),
        (
            "parse_streaming_tally",
            Box::new(|p: &PathBuf| {
                let mut tally = Tally::default();
                parse_reader(File::open(p).expect("open"), &mut tally).expect("parse");
                tally.access_events
            }),
        ),
        (
            "parse_streaming_tally_two_threads",
            Box::new(|p: &PathBuf| {
                let mut tally = Tally::default();
                parse_reader_parallel(File::open(p).expect("open"), &mut tally).expect("parse");
                tally.access_events
            }),
        ),
        (
            "parse_file_in_parts_tally",
            Box::new(|p: &PathBuf| {
                let (tally, _) = parse_file::<Tally>(&File::open(p).expect("open"), threads()).expect("parse");
                tally.access_events
            }),
        ),
    ];
    // PARSE_CASES=substring keeps only the cases whose name contains it (the floor always runs), e.g. for `perf`;
    // a trailing `$` makes it match the end of the name (`parse_streaming_tally$`: the one-thread parse alone).
    let only = std::env::var("PARSE_CASES").unwrap_or_default();
    let keep = |name: &str| match only.strip_suffix('$') {
        Some(end) => name.ends_with(end),
        None => name.contains(&only),
    };
    let cases: Vec<Case> =
        cases.into_iter().enumerate().filter(|(i, (name, _))| *i == 0 || keep(name)).map(|(_, c)| c).collect();
    if only == "staged" {
        // The two-thread parse's halves, measured apart on one thread: what each thread would have to do.
        let (mut index, mut feed) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let mut tally = Tally::default();
            let (i, f) =
                opsight_core::parse::parse_reader_staged(File::open(path).expect("open"), &mut tally).expect("parse");
            index.push(i.as_secs_f64() * 1e3);
            feed.push(f.as_secs_f64() * 1e3);
        }
        index.sort_by(f64::total_cmp);
        feed.sort_by(f64::total_cmp);
        println!(
            "staged: index min {:.2} ms median {:.2} ms; read+feed min {:.2} ms median {:.2} ms",
            index[0],
            index[rounds / 2],
            feed[0],
            feed[rounds / 2]
        );
        return;
    }
    let mut wall = vec![Vec::new(); cases.len()];
    let mut cpu = vec![0.0; cases.len()];
    for _ in 0..rounds {
        for (i, (_, f)) in cases.iter().enumerate() {
            let (c0, t0) = (cpu_seconds(), std::time::Instant::now());
            std::hint::black_box(f(path));
            wall[i].push(t0.elapsed().as_secs_f64());
            cpu[i] += cpu_seconds() - c0;
        }
    }
    let floor_min = wall[0].iter().copied().fold(f64::MAX, f64::min);
    for (i, (name, _)) in cases.iter().enumerate() {
        wall[i].sort_by(f64::total_cmp);
        let (min, med) = (wall[i][0], wall[i][wall[i].len() / 2]);
        println!(
            "{name:34} min {:7.2} ms  median {:7.2} ms  cpu/run {:7.2} ms  min vs floor min {:5.1} %",
            min * 1e3,
            med * 1e3,
            cpu[i] / rounds as f64 * 1e3,
            floor_min / min * 100.0
        );
    }
}

fn bench(c: &mut Criterion) {
    let path = dump_file();
    // The parses decode the same: every counter of the tally agrees.
    let (mut one, mut two) = (Tally::default(), Tally::default());
    parse_reader(File::open(&path).expect("open"), &mut one).expect("parse");
    parse_reader_parallel(File::open(&path).expect("open"), &mut two).expect("parse");
    assert_eq!(one, two);
    assert_eq!(parse_file::<Tally>(&File::open(&path).expect("open"), threads()).expect("parse").0, one);
    assert_eq!((one.ops, one.access_events, one.reject_events), (148_085, 123_452, 26_577));
    if let Some(rounds) = std::env::var("PARSE_CPU").ok().and_then(|r| r.parse().ok()) {
        cpu_mode(&path, rounds);
        return;
    }
    let bytes = std::fs::metadata(&path).expect("metadata").len();
    let mut group = c.benchmark_group("parse_20mb_android11");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(20);
    group.bench_function("floor_memchr_newlines", |b| b.iter(|| count_newlines(&path)));
    group.bench_function("lines_split_and_trimmed_only", |b| {
        b.iter(|| opsight_core::parse::scan_lines_only(File::open(&path).expect("open")))
    });
    group.bench_function("parse_streaming_tally", |b| {
        b.iter(|| {
            let mut tally = Tally::default();
            parse_reader(File::open(&path).expect("open"), &mut tally).expect("parse");
            tally.access_events
        })
    });
    group.bench_function("parse_streaming_tally_two_threads", |b| {
        b.iter(|| {
            let mut tally = Tally::default();
            parse_reader_parallel(File::open(&path).expect("open"), &mut tally).expect("parse");
            tally.access_events
        })
    });
    group.bench_function("parse_file_in_parts_tally", |b| {
        b.iter(|| parse_file::<Tally>(&File::open(&path).expect("open"), threads()).expect("parse").0.access_events)
    });
    group.bench_function("parse_to_snapshot", |b| {
        b.iter(|| parse_snapshot(File::open(&path).expect("open")).expect("parse").uids.len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
