#!/usr/bin/env bash
# Keeps the Android targets honest: clippy (-D warnings) of opsight-core and opsight-jni for aarch64-linux-android
# and x86_64-linux-android, without an NDK.
#
# clippy only checks Rust (no linking), but libsqlite3-sys compiles the bundled sqlite3.c with the cc crate for the
# target. clang with a glibc sysroot of the same architecture is enough for that compile; these settings live here
# only, never in a committed cargo config (a real build uses the NDK: docs/bridge.md).
#
# Installs what it needs on a fresh Debian machine (as root): clang, llvm (llvm-ar), the arm64 libc headers, the
# two rustup targets. Quiet when all is there. Ends with "N passed, N failed"; non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/apt.sh

targets=(aarch64-linux-android x86_64-linux-android)

need_apt=()
command -v clang >/dev/null || need_apt+=(clang)
command -v llvm-ar >/dev/null || need_apt+=(llvm)
[ -f /usr/aarch64-linux-gnu/include/stdio.h ] || need_apt+=(libc6-dev-arm64-cross)
[ -f /usr/include/x86_64-linux-gnu/gnu/stubs-64.h ] || need_apt+=(libc6-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]}"
    if ! apt_install "${need_apt[@]}"; then
        echo "could not install ${need_apt[*]}"
        echo "0 passed, ${#targets[@]} failed"
        exit 1
    fi
fi
installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
    if ! grep -qx "$t" <<<"$installed"; then
        rustup target add "$t" >/dev/null 2>&1 || { echo "rustup target add $t failed"; echo "0 passed, ${#targets[@]} failed"; exit 1; }
    fi
done

export CC_aarch64_linux_android=clang
export CFLAGS_aarch64_linux_android="--target=aarch64-linux-gnu --sysroot=/usr/aarch64-linux-gnu -I/usr/aarch64-linux-gnu/include"
export AR_aarch64_linux_android=llvm-ar
export CC_x86_64_linux_android=clang
export CFLAGS_x86_64_linux_android="--target=x86_64-linux-gnu"
export AR_x86_64_linux_android=llvm-ar

passed=0
failed=0
for t in "${targets[@]}"; do
    log=$(mktemp)
    if cargo clippy --locked -q -p opsight-core -p opsight-jni --target "$t" -- -D warnings >"$log" 2>&1; then
        echo "ok: cargo clippy -p opsight-core -p opsight-jni --target $t -- -D warnings"
        passed=$((passed + 1))
    else
        cat "$log"
        echo "FAILED: cargo clippy -p opsight-core -p opsight-jni --target $t -- -D warnings"
        failed=$((failed + 1))
    fi
    rm -f "$log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
