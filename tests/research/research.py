"""The Python half of tests/research/check.sh.

  research.py checksums BUNDLES          every bundle's checksum, recomputed with docs/research.md's snippet
  research.py corrupt BUNDLES EXPECTED   writes broken bundles next to the good ones; EXPECTED: file -> reason code
  research.py query ENGINE DATASET TRUTH runs docs/research.md's queries with duckdb or spark and compares them
                                         with the truth the generator computed

Each check prints "ok - ..." or "not ok - ..."; check.sh counts them. The SQL is read from docs/research.md (the
```sql blocks that start with "-- query: NAME"), so the documented queries are the ones tested.
"""

import hashlib
import json
import math
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "research.md"
failures = 0


def ok(name):
    print(f"ok - {name}", flush=True)


def not_ok(name, detail=""):
    global failures
    failures += 1
    print(f"not ok - {name}", flush=True)
    for line in str(detail).splitlines()[:30]:
        print(f"    {line}", flush=True)


# --- The checksum rule, exactly as docs/research.md gives it ---------------------------------------------------
def bundle_checksum(bundle: dict) -> str:
    rest = {k: v for k, v in bundle.items() if k != "checksum"}
    text = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def checksums(bundles: Path):
    files = sorted(bundles.glob("*.json"))
    bad = []
    for f in files:
        bundle = json.loads(f.read_text("utf-8"))
        if bundle_checksum(bundle) != bundle["checksum"]:
            bad.append(f.name)
    if files and not bad:
        ok(f"the documented Python checksum rule verifies all {len(files)} bundles")
    else:
        not_ok("the documented Python checksum rule", f"{len(files)} files, mismatches: {bad[:10]}")


# --- Broken bundles ----------------------------------------------------------------------------------------------
def corrupt(bundles: Path, expected_path: Path):
    # Bundles with rows (a donor whose apps touched nothing the study asks for has none).
    good = [f for f in sorted(bundles.glob("donor-*.json")) if json.loads(f.read_text("utf-8"))["rows"]]
    load = lambda i: json.loads(good[i].read_text("utf-8"))  # noqa: E731

    def write(name, bundle, fix_checksum=True):
        if fix_checksum:
            bundle["checksum"] = bundle_checksum(bundle)
        (bundles / name).write_text(json.dumps(bundle, indent=2, ensure_ascii=False), "utf-8")

    def new_id(bundle, n):
        bundle["donation_id"] = f"00000000-0000-4000-8000-{n:012d}"

    expected = {}
    # Changed after export: a count edited, the checksum left as it was.
    b = load(1)
    b["rows"][0]["count"] += 1
    write("x-bad-checksum.json", b, fix_checksum=False)
    expected["x-bad-checksum.json"] = "checksum"
    # Another manifest under the same study id (the checksum made consistent, as a careless tool would).
    b = load(2)
    b["manifest"]["title"] = "A different study"
    b["manifest"]["retention"] = "for ever"
    new_id(b, 2)
    write("x-other-manifest.json", b)
    expected["x-other-manifest.json"] = "manifest_mismatch"
    # A row with a key the manifest does not allow.
    b = load(3)
    b["rows"][0]["device_model"] = "Pixel 7"
    new_id(b, 3)
    write("x-extra-row-key.json", b)
    expected["x-extra-row-key.json"] = "row"
    # The same donation id as an accepted bundle (named to sort after it): the first is kept.
    b = load(4)
    b["rows"] = b["rows"][:1]
    write("zz-duplicate-id.json", b)
    expected["zz-duplicate-id.json"] = "duplicate_donation_id"
    # Not JSON, and an unsupported version.
    (bundles / "x-truncated.json").write_text(good[5].read_text("utf-8")[:200], "utf-8")
    expected["x-truncated.json"] = "not_json"
    b = load(6)
    b["opsight_donation"] = 2
    new_id(b, 6)
    write("x-version-2.json", b)
    expected["x-version-2.json"] = "version"
    # Not a bundle at all: ignored (only *.json is read).
    (bundles / "README.txt").write_text("not a bundle\n", "utf-8")
    expected_path.write_text(json.dumps(expected, indent=2), "utf-8")


# --- The documented queries --------------------------------------------------------------------------------------
def documented_queries():
    text = DOC.read_text("utf-8")
    queries = {}
    for block in re.findall(r"```sql\n(.*?)```", text, re.S):
        first = block.split("\n", 1)[0]
        m = re.match(r"-- query: (\w+)", first)
        if m:
            queries[m.group(1)] = block.strip().rstrip(";")
    return queries


def close(a, b):
    if isinstance(b, float) or isinstance(a, float):
        return a is not None and math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    return a == b


def expected_tuples(truth, name):
    if name == "out_of_scope_share":
        return [(r["category"], r["apps"], r["apps_out_of_scope"], r["share"]) for r in truth[name]]
    if name == "background_share":
        return [(r["info_type"], r["accesses"], r["background"], r["background_share"]) for r in truth[name]]
    if name == "top_apps":
        return [(r["app"], r["category"], r["accesses"], r["donors"]) for r in truth[name]]
    raise KeyError(name)


def compare(engine, name, got, want):
    got = [tuple(r) for r in got]
    same = len(got) == len(want) and all(
        len(g) == len(w) and all(close(x, y) for x, y in zip(g, w)) for g, w in zip(got, want)
    )
    if same:
        ok(f"{engine}: {name} gives the known numbers ({len(got)} rows)")
    else:
        not_ok(f"{engine}: {name} differs from the truth", f"got:  {got}\nwant: {want}")
    return got


def run_duckdb(dataset: Path, queries):
    import duckdb

    con = duckdb.connect()
    # As docs/research.md sets it up.
    con.execute(
        f"""CREATE OR REPLACE VIEW donations AS
            SELECT * FROM read_parquet('{dataset}/study_id=*/date=*/*.parquet', hive_partitioning = true)"""
    )
    con.execute(f"CREATE OR REPLACE VIEW category_needs AS SELECT * FROM '{dataset}/category_needs.parquet'")
    return {name: con.execute(sql).fetchall() for name, sql in queries.items()}, con


def run_spark(dataset: Path, queries):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("opsight-research-test")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # As docs/research.md sets it up.
    donations = spark.read.option("basePath", str(dataset)).parquet(f"{dataset}/study_id=*")
    donations.createOrReplaceTempView("donations")
    spark.read.parquet(f"{dataset}/category_needs.parquet").createOrReplaceTempView("category_needs")
    results = {name: [tuple(r) for r in spark.sql(sql).collect()] for name, sql in queries.items()}
    schema = {f.name: f.dataType.simpleString() for f in donations.schema.fields}
    return results, spark, schema


def query(engine, dataset: Path, truth_path: Path):
    truth = json.loads(truth_path.read_text("utf-8"))
    queries = documented_queries()
    wanted = ["out_of_scope_share", "background_share", "top_apps"]
    missing = [q for q in wanted if q not in queries]
    if missing:
        not_ok(f"docs/research.md has the queries {wanted}", f"missing: {missing}")
        return
    ok("docs/research.md has the three queries")
    started = time.time()
    if engine == "duckdb":
        results, con = run_duckdb(dataset, queries)
        total = con.execute("SELECT COUNT(*), SUM(count) FROM donations WHERE study_id = ?", [truth["study_id"]]).fetchone()
        columns = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE donations)").fetchall())
        partitions = (columns.get("study_id"), columns.get("date"))
    else:
        results, spark, schema = run_spark(dataset, queries)
        row = spark.sql(f"SELECT COUNT(*), SUM(count) FROM donations WHERE study_id = '{truth['study_id']}'").collect()[0]
        total = (row[0], row[1])
        partitions = (schema.get("study_id"), schema.get("date"))
    elapsed = time.time() - started
    if partitions[0] is not None and partitions[1] is not None:
        ok(f"{engine}: study_id and date are discovered as partition columns {partitions}")
    else:
        not_ok(f"{engine}: partition columns", str(partitions))
    if (total[0], total[1]) == (truth["rows"], truth["accesses"]):
        ok(f"{engine}: {total[0]} rows and {total[1]} accesses, as generated")
    else:
        not_ok(f"{engine}: rows and accesses", f"got {total}, want {(truth['rows'], truth['accesses'])}")
    summary = {}
    for name in wanted:
        summary[name] = compare(engine, name, results[name], expected_tuples(truth, name))
    print(f"    {engine}: {elapsed:.1f} s for the session and the queries", flush=True)
    out = os.environ.get("OPSIGHT_RESEARCH_RESULTS")
    if out:
        Path(out).write_text(json.dumps(summary, indent=1, default=str), "utf-8")


def main(argv):
    if len(argv) >= 2 and argv[0] == "checksums":
        checksums(Path(argv[1]))
    elif len(argv) >= 3 and argv[0] == "corrupt":
        corrupt(Path(argv[1]), Path(argv[2]))
    elif len(argv) >= 4 and argv[0] == "query" and argv[1] in ("duckdb", "spark"):
        query(argv[1], Path(argv[2]), Path(argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
