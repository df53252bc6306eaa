#!/usr/bin/env bash
# Host JVM tests of the JNI bridge (Kotlin + JUnit 5, Maven): builds libopsight.so for this machine, generates a
# 21 MB dump with gen-dump, and runs tests/jvm against the app's own org.opsight.core sources.
#
# Installs what it needs on a fresh Debian machine (as root): a JDK 17 and Maven from apt; Maven's downloads go to
# tests/.cache/m2, build output to tests/.cache/jvm. Quiet when all is there.
#
# OPSIGHT_JNI_PROFILE picks the cargo profile of the library under test (default: android, the one that ships;
# `dev` builds faster while iterating). Ends with "N passed, N failed"; non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/apt.sh
root=$PWD

profile=${OPSIGHT_JNI_PROFILE:-android}
cache=$root/tests/.cache
mkdir -p "$cache/jvm" "$cache/m2"

fail() {
    echo "$1"
    echo "0 passed, 1 failed"
    exit 1
}

# JDK 17 (javac, not only a JRE) and Maven.
jdk=/usr/lib/jvm/java-17-openjdk-amd64
need_apt=()
[ -x "$jdk/bin/javac" ] || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]}"
    apt_install "${need_apt[@]}" || fail "could not install ${need_apt[*]}"
fi
export JAVA_HOME=$jdk

# The library under test, built as it ships: the android profile with the SQLite options of rust/jni.
if [ "$profile" = dev ]; then out_dir=debug; else out_dir=$profile; fi
if [ "$profile" = android ]; then
    LIBSQLITE3_FLAGS=$(grep '^-[DU]' rust/jni/libsqlite3-flags | tr '\n' ' ')
    CFLAGS=$(grep '^-f' rust/jni/libsqlite3-flags | tr '\n' ' ')
    export LIBSQLITE3_FLAGS CFLAGS
fi
cargo build --locked -q -p opsight-jni --profile "$profile" || fail "cargo build -p opsight-jni --profile $profile failed"
lib=${CARGO_TARGET_DIR:-$root/target}/$out_dir/libopsight.so
[ -f "$lib" ] || fail "no $lib"
size=$(stat -c %s "$lib")
echo "libopsight.so ($profile profile): $size bytes"
# The size target of the library as it ships (docs/performance.md, "Bridge library size"): at most 2 MB. Nothing
# else would notice a regression such as LTO silently dropped (an "rlib" beside the cdylib did that: +400 KB).
max_size=2000000
if [ "$profile" = android ] && [ "$size" -gt $max_size ]; then
    fail "libopsight.so is $size bytes, over the $max_size-byte target (docs/performance.md, \"Bridge library size\")"
fi
# A shared library links with undefined symbols; one left from SQLite's options would kill the VM when called.
if command -v nm >/dev/null && nm -D --undefined-only "$lib" | grep -qi sqlite; then
    fail "libopsight.so has undefined SQLite symbols: $(nm -D --undefined-only "$lib" | grep -i sqlite | tr '\n' ' ')"
fi
lib_dir=$(dirname "$lib")

# The large dump (generated once; deterministic).
big=$cache/jvm/big-android11-seed3.txt
if [ ! -s "$big" ]; then
    cargo run --locked -q --release -p opsight-synth --bin gen-dump -- \
        --layout android11 --bytes 21000000 --seed 3 --out "$big.tmp" 2>/dev/null && mv "$big.tmp" "$big" ||
        fail "gen-dump failed"
fi

reports=$cache/jvm/target/surefire-reports
rm -rf "$reports"
mvn_log=$cache/jvm/mvn.log
mvn -B -q -Dstyle.color=never -f tests/jvm/pom.xml -Dmaven.repo.local="$cache/m2" \
    -Dopsight.lib.dir="$lib_dir" -Dopsight.big.dump="$big" \
    test >"$mvn_log" 2>&1
mvn_status=$?
# Test output (timings of the soak and the large dump) and, on failure, everything Maven said.
if [ $mvn_status -eq 0 ]; then
    grep -oE '(soak|big dump): .*' "$mvn_log" || true
else
    cat "$mvn_log"
fi

# Surefire's counts, from its XML reports.
tests=0
failures=0
skipped=0
shopt -s nullglob
for xml in "$reports"/TEST-*.xml; do
    line=$(grep -m1 -o '<testsuite [^>]*>' "$xml")
    attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$line"; }
    name=$(sed -n 's/.* name="\([^"]*\)".*/\1/p' <<<"$line")
    t=$(attr tests) f=$(attr failures) e=$(attr errors) s=$(attr skipped)
    echo "Tests run: $t, Failures: $f, Errors: $e, Skipped: $s - ${name##*.}"
    tests=$((tests + t))
    failures=$((failures + f + e))
    skipped=$((skipped + s))
done
if [ $mvn_status -ne 0 ] && [ $failures -eq 0 ]; then
    # Maven failed before or outside the tests (compilation, download): count it as one failure.
    failures=1
fi
# The tests make the library panic (testingPanic); a panic's message may quote data (a database path), so none may
# reach stderr, where std's default panic hook would print it (docs/bridge.md, "Logging").
if grep -q "panicked at" "$mvn_log"; then
    echo "FAILED: a Rust panic message reached stderr:"
    grep -m3 "panicked at" "$mvn_log"
    failures=$((failures + 1))
    tests=$((tests + 1))
fi
passed=$((tests - failures - skipped))
echo "$passed passed, $failures failed, $skipped skipped"
[ $mvn_status -eq 0 ] && [ $failures -eq 0 ] && [ $tests -gt 0 ]
