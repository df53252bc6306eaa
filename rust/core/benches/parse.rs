//! Parse throughput on a large generated dump, side by side with a floor measured in the same run:
//! reading the same file and counting its newlines with memchr, end to end (open, read, scan), as the parse is.
//! Reproduce: `bench/parse.sh` (docs/performance.md).

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use opsight_core::parse::{parse_reader, parse_reader_single_thread, parse_snapshot, Tally};
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

fn bench(c: &mut Criterion) {
    let path = dump_file();
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
    group.bench_function("parse_streaming_tally_one_thread", |b| {
        b.iter(|| {
            let mut tally = Tally::default();
            parse_reader_single_thread(File::open(&path).expect("open"), &mut tally).expect("parse");
            tally.access_events
        })
    });
    group.bench_function("parse_to_snapshot", |b| {
        b.iter(|| parse_snapshot(File::open(&path).expect("open")).expect("parse").uids.len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
