#!/usr/bin/env python3
"""Mutation testing of the JNI bridge against the JVM tests (docs/bridge.md, "Tests").

cargo-mutants can only run cargo's tests, and the bridge's real checks are the Kotlin tests of tests/jvm. So:
1. `cargo mutants -p opsight-jni` runs the Rust tests against every mutant of rust/jni;
2. each mutant they miss is applied, in turn, to a copy of the tree, and tests/jvm/run.sh (debug build) runs on it.

Not part of tests/run: it takes about an hour on two cores. Usage: tests/jvm/mutants.py [OUTPUT_DIR]
Prints one line per mutant tried and ends with "N caught, N missed" (missed by both).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "mut-jni"))

# 1. The Rust tests (a non-zero exit only means some mutants were missed).
subprocess.run(["cargo", "mutants", "-p", "opsight-jni", "--timeout", "60", "--output", out], cwd=root)
with open(os.path.join(out, "mutants.out", "missed.txt")) as f:
    missed = {line.strip() for line in f if line.strip()}
listing = subprocess.run(["cargo", "mutants", "-p", "opsight-jni", "--list", "--json", "--diff"], cwd=root,
                         check=True, capture_output=True, text=True).stdout
mutants = [m for m in json.loads(listing) if m["name"] in missed]
print(f"{len(mutants)} mutants missed by cargo's tests; trying each against the JVM tests", flush=True)

# 2. A copy of the tree (without build output and caches; Maven's downloads are shared with the real tree).
copy = tempfile.mkdtemp(prefix="opsight-jni-mutants-")
shutil.copytree(root, copy, dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("target", ".git", ".cache", "fuzz"))
cache = os.path.join(root, "tests", ".cache", "m2")
os.makedirs(cache, exist_ok=True)
os.makedirs(os.path.join(copy, "tests", ".cache"), exist_ok=True)
os.symlink(cache, os.path.join(copy, "tests", ".cache", "m2"))
env = dict(os.environ, OPSIGHT_JNI_PROFILE="dev", CARGO_TARGET_DIR=os.path.join(copy, "target"))


def jvm_tests_pass():
    r = subprocess.run(["timeout", "900", "tests/jvm/run.sh"], cwd=copy, env=env, capture_output=True, text=True)
    summary = [line for line in r.stdout.splitlines() if " passed, " in line][-1:]
    return r.returncode == 0, " ".join(summary)


ok, summary = jvm_tests_pass()
print(f"unmutated: {summary}", flush=True)
if not ok:
    sys.exit("the JVM tests fail without any mutant")
caught = 0
for m in mutants:
    path = os.path.join(copy, m["file"])
    with open(path) as f:
        original = f.read()
    subprocess.run(["patch", "-p0", "-s"], cwd=copy, input=m["diff"], text=True, check=True)
    ok, summary = jvm_tests_pass()
    caught += not ok
    print(f"{'MISSED' if ok else 'CAUGHT'} {m['name']} ({summary})", flush=True)
    with open(path, "w") as f:
        f.write(original)
shutil.rmtree(copy, ignore_errors=True)
print(f"{caught} caught, {len(mutants) - caught} missed")
