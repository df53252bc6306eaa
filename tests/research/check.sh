#!/usr/bin/env bash
# The research dataset end to end: 1,000 donors with known truth go through the real donation path
# (rust/cli/tests/research_donors.rs: a store per donor, Android 11 dumps, Store::export_donation), broken bundles are
# added, `opsight research aggregate` must reject exactly those with the right reason and write the Parquet dataset,
# and the three queries of docs/research.md must give the known numbers in DuckDB and in Spark SQL (local mode).
#
# Installs what it needs: a Python venv in tests/.cache/research-venv with duckdb and pyspark
# (tests/research/requirements.txt; the first pyspark download is about 300 MB and takes a minute or a few), and
# Debian's openjdk-17-jdk-headless when there is no Java 17 or newer. Prints a closing "N passed, N failed" line;
# exits non-zero when a check fails. OPSIGHT_RESEARCH_DONORS changes the number of donors (default 1000).
set -uo pipefail
cd "$(dirname "$0")/../.."

donors=${OPSIGHT_RESEARCH_DONORS:-1000}
. tests/lib/tally.sh
. tests/lib/apt.sh
# Runs a Python check script whose lines are "ok - …" / "not ok - …", adding them to the counts.
count_python() {
    local log=$1
    local n
    n=$(grep -c '^ok - ' "$log")
    passed=$((passed + n))
    n=$(grep -c '^not ok - ' "$log")
    failed=$((failed + n))
}
elapsed() {
    echo "$(($(date +%s) - $1)) s"
}

# --- Java 17+ and the Python packages ---------------------------------------------------------------------------
java_major() {
    "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1
}
java_bin=""
for candidate in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/java-17-openjdk-amd64/bin/java "$(command -v java || true)"; do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge 17 ] 2>/dev/null; then
        java_bin=$candidate
        break
    fi
done
if [ -z "$java_bin" ]; then
    echo "no Java 17 or newer: installing Debian's openjdk-17-jdk-headless"
    if apt_install openjdk-17-jdk-headless; then
        java_bin=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
    else
        fail "Java 17 could not be installed (apt-get install openjdk-17-jdk-headless)"
        finish
    fi
fi
JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$java_bin")")")
export JAVA_HOME
pass "Java $(java_major "$java_bin") at $JAVA_HOME"

venv=tests/.cache/research-venv
stamp=$venv/.requirements.sha256
want=$(sha256sum tests/research/requirements.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    start=$(date +%s)
    echo "installing duckdb and pyspark into $venv (the first time downloads about 300 MB)"
    rm -rf "$venv"
    # Debian's python3 makes venvs only with python3-venv installed.
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        apt_install python3 python3-venv
    fi
    if out=$( { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } 2>&1 &&
        "$venv/bin/pip" install -q --disable-pip-version-check -r tests/research/requirements.txt 2>&1); then
        echo "$want" >"$stamp"
        pass "Python venv with duckdb and pyspark installed ($(elapsed "$start"))"
    else
        fail "pip install -r tests/research/requirements.txt" "$out"
        finish
    fi
fi
py=$venv/bin/python

# --- The CLI and 1,000 donors -----------------------------------------------------------------------------------
if ! out=$(cargo build -p opsight-cli --locked 2>&1); then
    fail "cargo build -p opsight-cli" "$out"
    finish
fi
bin=$PWD/target/debug/opsight
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=$tmp/gen
start=$(date +%s)
if out=$(OPSIGHT_RESEARCH_OUT=$gen OPSIGHT_RESEARCH_DONORS=$donors cargo test -q -p opsight-cli --locked \
    --test research_donors -- --ignored --exact generate_donors 2>&1) &&
    [ "$(find "$gen/bundles" -name 'donor-*.json' | wc -l)" -eq "$donors" ] && [ -f "$gen/truth.json" ]; then
    pass "$donors donors generated through ingest and export_donation ($(elapsed "$start"))"
else
    fail "generating $donors donors (rust/cli/tests/research_donors.rs)" "$out"
    finish
fi

python3 - "$gen/truth.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
print(f"    truth: {t['donors']} donors, {t['rows']} rows, {t['accesses']} accesses")
for r in t["out_of_scope_share"]:
    print(f"    out of scope  {r['category']:<20} {r['apps_out_of_scope']:>4}/{r['apps']:<4} = {r['share']:.4f}")
for r in t["background_share"]:
    print(f"    background    {r['info_type']:<20} {r['background']:>5}/{r['accesses']:<5} = {r['background_share']:.4f}")
for i, r in enumerate(t["top_apps"], 1):
    print(f"    top {i:>2}        {r['app']:<28} {r['accesses']:>5} accesses, {r['donors']} donors")
EOF
"$py" tests/research/research.py checksums "$gen/bundles" >"$tmp/checksums.log" 2>&1
cat "$tmp/checksums.log"
count_python "$tmp/checksums.log"

if ! out=$("$py" tests/research/research.py corrupt "$gen/bundles" "$gen/expected.json" 2>&1); then
    fail "writing the broken bundles" "$out"
    finish
fi

# --- Aggregate ---------------------------------------------------------------------------------------------------
dataset=$tmp/dataset
start=$(date +%s)
if "$bin" research aggregate "$gen/bundles" --out "$dataset" --json >"$tmp/report.json" 2>"$tmp/aggregate.err"; then
    pass "opsight research aggregate writes the dataset ($(elapsed "$start"))"
else
    fail "opsight research aggregate" "$(cat "$tmp/aggregate.err")"
    finish
fi
if out=$(python3 - "$tmp/report.json" "$gen/expected.json" "$gen/truth.json" "$donors" <<'EOF' 2>&1
import json, sys
report, expected, truth = (json.load(open(p)) for p in sys.argv[1:4])
donors = int(sys.argv[4])
got = {r["file"]: r["code"] for r in report["rejections"]}
problems = []
if got != expected:
    problems.append(f"rejections {got} != expected {expected}")
if report["files"] != donors + len(expected):
    problems.append(f"files {report['files']} (README.txt must be ignored)")
if (report["accepted"], report["rejected"], report["skipped"]) != (donors, len(expected), 0):
    problems.append(f"accepted/rejected/skipped {report['accepted']}/{report['rejected']}/{report['skipped']}")
if report["rows"] != truth["rows"]:
    problems.append(f"rows {report['rows']} != {truth['rows']}")
study = report["studies"][0] if len(report["studies"]) == 1 else {}
if study.get("study_id") != truth["study_id"] or study.get("donations") != donors:
    problems.append(f"studies {report['studies']}")
if study.get("dates") != [f"2027-03-0{d}" for d in range(1, 8)]:
    problems.append(f"dates {study.get('dates')}")
for r in report["rejections"]:
    print(f"{r['file']}: {r['code']}: {r['reason']}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
EOF
); then
    pass "the broken bundles (and only they) are rejected with the right reason"
    printf '%s\n' "$out" | sed 's/^/    /'
else
    fail "rejections and totals" "$out"
fi

layout_ok=1
for d in 1 2 3 4 5 6 7; do
    [ -f "$dataset/study_id=sensitive-access-2027/date=2027-03-0$d/part-0.parquet" ] || layout_ok=0
done
[ -f "$dataset/category_needs.parquet" ] || layout_ok=0
[ -z "$(find "$dataset" -name '.opsight-staging-*')" ] || layout_ok=0
if [ "$layout_ok" -eq 1 ]; then
    pass "Hive layout: study_id=…/date=…/part-0.parquet and category_needs.parquet, no staging left"
else
    fail "dataset layout" "$(cd "$dataset" && find . | sort | head -n 30)"
fi

if out=$("$bin" research aggregate "$gen/bundles" --out "$dataset" 2>&1); then
    fail "aggregating into an existing dataset without --force must fail" "$out"
elif printf '%s' "$out" | grep -q -- "--force"; then
    pass "an existing dataset is refused without --force"
else
    fail "the refusal names --force" "$out"
fi
if out=$("$bin" research aggregate "$gen/bundles" --out "$dataset" --force 2>&1) &&
    printf '%s' "$out" | grep -q "accepted: $donors, rejected: 6"; then
    pass "--force replaces the study's partitions"
else
    fail "aggregate --force" "$out"
fi

# --- The queries: DuckDB, then Spark ------------------------------------------------------------------------------
start=$(date +%s)
"$py" tests/research/research.py query duckdb "$dataset" "$gen/truth.json" >"$tmp/duckdb.log" 2>&1
cat "$tmp/duckdb.log"
count_python "$tmp/duckdb.log"
grep -q '^ok - ' "$tmp/duckdb.log" || fail "DuckDB queries ran" "$(tail -n 20 "$tmp/duckdb.log")"
echo "    DuckDB: $(elapsed "$start") in all"

start=$(date +%s)
OPSIGHT_RESEARCH_RESULTS=$tmp/spark.json "$py" tests/research/research.py query spark "$dataset" "$gen/truth.json" \
    >"$tmp/spark.log" 2>"$tmp/spark.err"
cat "$tmp/spark.log"
count_python "$tmp/spark.log"
grep -q '^ok - ' "$tmp/spark.log" || fail "Spark queries ran" "$(grep -v WARN "$tmp/spark.err" | tail -n 20)"
echo "    Spark: $(elapsed "$start") in all, JVM start-up included"

finish
