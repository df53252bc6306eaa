#!/usr/bin/env bash
# Create (or reuse) a Python venv with MVT installed from PyPI, for the MVT
# comparison benchmark (bench/mvt/run_mvt.py). Idempotent: a second run only
# checks that mvt imports and prints its version.
#
#   bash bench/mvt/setup.sh            # venv at tests/.cache/mvt-venv
#   MVT_VERSION=2.6.1 bash bench/mvt/setup.sh   # pin a version
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${MVT_VENV:-$repo_root/tests/.cache/mvt-venv}"
spec="mvt${MVT_VERSION:+==$MVT_VERSION}"

if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
fi

if ! "$venv/bin/python" -c 'import mvt.android.artifacts.dumpsys_appops' 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "$spec"
fi

"$venv/bin/python" - <<'PY'
from importlib.metadata import version
import mvt.android.artifacts.dumpsys_appops  # noqa: F401  (fails loudly if broken)
print("mvt", version("mvt"))
PY
