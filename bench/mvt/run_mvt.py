#!/usr/bin/env python3
"""Time MVT's `dumpsys appops` parser on one dump file and print one JSON line.

    bash bench/mvt/setup.sh                       # once: venv with mvt from PyPI
    python3 bench/mvt/run_mvt.py DUMP [REPEAT]    # re-runs itself in that venv if needed

The file is read once (UTF-8, undecodable bytes replaced); then
`mvt.android.artifacts.dumpsys_appops.DumpsysAppopsArtifact().parse(text)` is timed with
`time.perf_counter()` REPEAT times (default 5), with a fresh artifact object and a
`gc.collect()` before each run (neither is timed). Only parsing is timed: no file reading,
no `extract_dumpsys_section`, no indicator checks, no JSON output.

Output (one line): tool, mvt_version, bytes, repeat, best_s, median_s, mb_per_s (bytes / best_s /
1e6), then what MVT extracted so it is visible that it parsed the input: packages (records in
`results`), entries (events over all packages and ops, any kind), and the breakdown uids, ops,
access, reject, running, with_timestamp.
"""

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

VENV = Path(__file__).resolve().parents[2] / "tests" / ".cache" / "mvt-venv"
VENV_PYTHON = VENV / "bin" / "python"


def _ensure_mvt() -> None:
    try:
        import mvt.android.artifacts.dumpsys_appops  # noqa: F401
    except ImportError:
        if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV.resolve():
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])
        sys.exit(f"mvt is not importable; run bench/mvt/setup.sh first (venv expected at {VENV_PYTHON})")


def main() -> int:
    if len(sys.argv) not in (2, 3) or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) == 3 else 5
    if repeat < 1:
        sys.exit("REPEAT must be >= 1")

    _ensure_mvt()
    from importlib.metadata import version

    from mvt.android.artifacts.dumpsys_appops import DumpsysAppopsArtifact

    raw = Path(path).read_bytes()
    text = raw.decode("utf-8", errors="replace")

    times = []
    artifact = None
    for _ in range(repeat):
        artifact = DumpsysAppopsArtifact()
        gc.collect()
        start = time.perf_counter()
        artifact.parse(text)
        times.append(time.perf_counter() - start)

    results = artifact.results
    entries = [e for pkg in results for perm in pkg.get("permissions", []) for e in perm.get("entries") or []]
    kinds = [str(e.get("event") or e.get("access") or "").lower() for e in entries]
    best = min(times)
    print(
        json.dumps(
            {
                "tool": "mvt",
                "mvt_version": version("mvt"),
                "bytes": len(raw),
                "repeat": repeat,
                "best_s": round(best, 6),
                "median_s": round(statistics.median(times), 6),
                "mb_per_s": round(len(raw) / best / 1e6, 3),
                "packages": len(results),
                "entries": len(entries),
                "uids": len({pkg.get("uid") for pkg in results}),
                "ops": sum(len(pkg.get("permissions", [])) for pkg in results),
                "access": kinds.count("access"),
                "reject": kinds.count("reject"),
                "running": kinds.count("running"),
                "with_timestamp": sum(1 for e in entries if e.get("timestamp")),
                "python": sys.version.split()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
