#!/usr/bin/env bash
# Store benchmark (docs/performance.md, "Store"):
#   1. library (rust/core/benches/store.rs): ingest_dump vs a plain-INSERT floor (same rows, same run), a 90-day
#      timeline with 10 million events stored (p50/p99), bytes on disk per event, peak RSS of a streaming ingest;
#   2. process: peak RSS and time of `opsight ingest` of a 20 MB dump read from the file (/usr/bin/time -f %M).
# Usage: bench/store.sh [sections]   sections: any of ingest|timeline|size|rss (default: all), e.g. 'timeline|size'.
# The 10M-event databases are built once (≈ 3 min) and cached in target/bench-cache/ (≈ 500 MB, file names carry the
# bench's BIG_DB_VERSION: v2 = schema v3); delete to rebuild. OPSIGHT_BENCH_PAIRS sets the paired ingest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
sections=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== 1. library (cargo bench -p opsight-core --bench store -- --noplot $sections)"
cargo bench -q -p opsight-core --bench store -- --noplot $sections 2>/dev/null \
    | grep -E "^store|^store_ingest|time:|thrpt:" | grep -vE "(time|thrpt): +\[[+-]" | sed -E 's/^store: //'

if [[ -n "$sections" && ! "$sections" =~ rss ]]; then
    exit 0
fi
echo "== 2. process: opsight ingest of a 20 MB dump from the file"
if ! cargo build --release -q -p opsight-cli -p opsight-synth 2>/dev/null; then
    echo "skipped: opsight-cli does not build"
    exit 0
fi
bin=target/release
if ! $bin/opsight ingest --help >/dev/null 2>&1; then
    echo "skipped: this opsight has no 'ingest' command"
    exit 0
fi
$bin/gen-dump --layout android11 --bytes 20000000 --apps 300 --seed 7 --out "$work/a11.txt" 2>/dev/null
peak() { # peak RSS in KiB and wall seconds of a command
    /usr/bin/time -f "%M %e" "$@" 2>&1 >/dev/null | tail -1
}
for run in 1 2 3; do
    rm -f "$work"/rss.db*
    read -r kb secs < <(peak $bin/opsight ingest --db "$work/rss.db" --zone UTC \
        --captured-at 2026-03-29T23:27:53.087Z "$work/a11.txt")
    echo "opsight ingest (fresh db), run $run: peak RSS $((kb / 1024)) MiB ($kb KiB), $secs s"
done
read -r kb secs < <(peak $bin/opsight ingest --db "$work/rss.db" --zone UTC \
    --captured-at 2026-03-29T23:27:53.087Z "$work/a11.txt")
echo "opsight ingest (same dump again, all known): peak RSS $((kb / 1024)) MiB ($kb KiB), $secs s"
read -r kb secs < <(peak $bin/opsight parse "$work/a11.txt")
echo "for comparison, opsight parse FILE: peak RSS $((kb / 1024)) MiB ($kb KiB), $secs s"
