#!/usr/bin/env bash
# Parse benchmark, side by side (docs/performance.md):
#   1. library: criterion bench (parse vs the memchr newline-count floor, same file, same run), then the same
#      cases interleaved (PARSE_CPU mode: fastest run, median, CPU time per run);
#   2. process: `opsight parse FILE` vs `wc -l FILE` (the same floor as a process), medians of N runs in a row and
#      of N runs interleaved, peak RSS;
#   3. MVT's Python parser on the same Android 10 and Android 11 inputs (PyPI `mvt`), vs our library parse.
# Usage: bench/parse.sh [runs]   (default 15). Needs: cargo, python3; installs MVT into tests/.cache/mvt-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p opsight-cli -p opsight-synth
bin=target/release
for layout in android10 android11; do
    $bin/gen-dump --layout $layout --bytes 20000000 --seed 7 --out "$work/$layout.txt" 2>/dev/null
done

echo "== 1. library (criterion)"
cargo bench -q -p opsight-core --bench parse -- --noplot 2>/dev/null | grep -E "^parse_20mb|time:|thrpt:"
# The issue's target, by criterion's medians (each case in a loop of its own: the floor's caches are hot).
python3 - "${CARGO_TARGET_DIR:-target}/criterion/parse_20mb_android11" <<'PY'
import json, sys
def median_ms(case):
    with open(f"{sys.argv[1]}/{case}/new/estimates.json") as f:
        return json.load(f)["median"]["point_estimate"] / 1e6
floor = median_ms("floor_memchr_newlines")
for case in ["parse_streaming_tally", "parse_file_in_parts_tally"]:
    print(f"{case:34} median {median_ms(case):7.2f} ms  vs floor median {floor:5.2f} ms: {floor / median_ms(case):6.1%}")
PY
echo "== 1b. library: fastest and median of 20 interleaved runs, CPU time per run"
PARSE_CPU=20 cargo bench -q -p opsight-core --bench parse 2>/dev/null | grep -E "min .* median"

echo "== 2. process ($runs runs each, medians)"
python3 - "$work/android11.txt" "$runs" "$bin/opsight" <<'PY'
import statistics, subprocess, sys, time, resource
path, runs, opsight = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def timed(cmd):
    best = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        best.append(time.perf_counter() - t)
    return statistics.median(best)
def peak_kb(cmd):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1])
def once(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
size = __import__("os").path.getsize(path)
floor = timed(["wc", "-l", path])
parse = timed([opsight, "parse", path])
print("runs in a row (each command after itself):")
print(f"floor  wc -l            {floor*1000:8.1f} ms  {size/floor/1e6:8.0f} MB/s")
print(f"opsight parse FILE      {parse*1000:8.1f} ms  {size/parse/1e6:8.0f} MB/s  = {floor/parse:.1%} of floor")
# The same, alternating: each command runs after the other one, so neither finds the machine as it left it.
pairs = [(once(["wc", "-l", path]), once([opsight, "parse", path])) for _ in range(runs)]
floor_i = statistics.median(f for f, _ in pairs)
parse_i = statistics.median(p for _, p in pairs)
print("runs interleaved:")
print(f"floor  wc -l            {floor_i*1000:8.1f} ms  {size/floor_i/1e6:8.0f} MB/s")
print(f"opsight parse FILE      {parse_i*1000:8.1f} ms  {size/parse_i/1e6:8.0f} MB/s  = {floor_i/parse_i:.1%} of floor")
print(f"peak RSS: opsight parse {peak_kb([opsight, 'parse', path])} KB, opsight parse --json {peak_kb([opsight, 'parse', '--json', path])} KB, wc -l {peak_kb(['wc', '-l', path])} KB")
PY

echo "== 3. MVT (PyPI mvt) on the same inputs"
bash bench/mvt/setup.sh
for layout in android10 android11; do
    python3 bench/mvt/run_mvt.py "$work/$layout.txt" 3
    python3 - "$work/$layout.txt" "$bin/opsight" "$runs" <<'PY'
import statistics, subprocess, sys, time, os
path, opsight, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
ts = []
for _ in range(runs):
    t = time.perf_counter(); subprocess.run([opsight, "parse", path], stdout=subprocess.DEVNULL, check=True); ts.append(time.perf_counter() - t)
print(f'{{"tool":"opsight parse (process, end to end)","bytes":{os.path.getsize(path)},"median_s":{statistics.median(ts):.4f},"mb_per_s":{os.path.getsize(path)/statistics.median(ts)/1e6:.1f}}}')
PY
done
