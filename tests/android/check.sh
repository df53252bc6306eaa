#!/usr/bin/env bash
# Compile check of the Android app (android/app) on a machine without the Android SDK (docs/android.md, "What the
# check covers"). It:
#   1. checks the manifest's permissions and the trust rules (no INTERNET, no network or tracking code, no runtime
#      library dependency) and the build's native-library settings;
#   2. compiles and links the app's resources with Debian's aapt2 against Debian's framework-res.apk (API 29, the
#      app's minSdk), which also generates R;
#   3. compiles the pure logic (org.opsight.logic) with nothing but the Kotlin standard library: it must not touch
#      Android;
#   4. compiles every Kotlin source of the app (org/opsight/core included) against the Android 16 (API 36)
#      framework classes from Maven Central (org.robolectric:android-all) with the Kotlin version of
#      gradle/libs.versions.toml;
#   5. compiles and runs the JUnit 5 tests of android/app/src/test on the host JVM.
# It installs what it needs (apt-get: aapt, android-framework-res, maven; Maven Central: the rest, cached in
# tests/.cache/m2) and ends with "N passed, N failed"; it exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/apt.sh
ROOT=$PWD
APP=$ROOT/android/app
SRC=$APP/src/main/java
TEST_SRC=$APP/src/test/java
CATALOG=$ROOT/gradle/libs.versions.toml
M2=$ROOT/tests/.cache/m2
WORK=$ROOT/tests/.cache/android-check
FRAMEWORK_RES=/usr/share/android-framework-res/framework-res.apk
# Robolectric's android-all for the app's compileSdk (36 = Android 16). Change both together.
ANDROID_ALL_VERSION=16-robolectric-13921718
ANDROID_ALL_SDK=36

passed=0
failed=0
failures=()

pass() {
    passed=$((passed + 1))
    echo "ok   $1"
}

fail() {
    failed=$((failed + 1))
    failures+=("$1")
    echo "FAIL $1"
}

# check NAME COMMAND...: runs COMMAND with its output in a log; shows the log's end on failure.
check() {
    local name=$1
    shift
    local log="$WORK/log.$((passed + failed))"
    if "$@" >"$log" 2>&1; then
        pass "$name"
    else
        fail "$name"
        tail -n 60 "$log" | sed 's/^/     | /'
    fi
}

finish() {
    echo
    if [ "$failed" -ne 0 ]; then
        printf 'failed: %s\n' "${failures[@]}"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

version_of() {
    sed -n "s/^$1 *= *\"\\([^\"]*\\)\".*/\\1/p" "$CATALOG" | head -n 1
}

# ---------------------------------------------------------------------------------------------------------------
# Tools
need_apt() {
    local cmd=$1 pkg=$2
    if [ -e "$cmd" ] || command -v "$cmd" >/dev/null 2>&1; then return 0; fi
    apt_install "$pkg"
}
java17() {
    command -v javac >/dev/null || apt_install default-jdk-headless || return 1
    java -version 2>&1 | head -1
    local v
    v=$(java -XshowSettings:properties -version 2>&1 | sed -n "s/ *java.specification.version = //p")
    [ "${v%%.*}" -ge 17 ]
}

rm -rf "$WORK"
mkdir -p "$WORK" "$M2"

echo "== tools"
check "java 17+ present" java17
check "aapt2 (Debian package aapt)" need_apt aapt2 aapt
check "framework-res.apk (Debian package android-framework-res)" need_apt "$FRAMEWORK_RES" android-framework-res
check "maven" need_apt mvn maven

KOTLIN=$(version_of kotlin)
JUNIT=$(version_of junit)
ORGJSON=$(version_of orgJson)
COMPILE_SDK=$(version_of compileSdk)
echo "   Kotlin $KOTLIN, JUnit $JUNIT, org.json $ORGJSON, android-all $ANDROID_ALL_VERSION (API $ANDROID_ALL_SDK)"
check "android-all matches compileSdk ($COMPILE_SDK)" test "$COMPILE_SDK" = "$ANDROID_ALL_SDK"

resolve() {
    mvn -q -B -f "$ROOT/tests/android/pom.xml" -Dmaven.repo.local="$M2" \
        -Dkotlin.version="$KOTLIN" -Djunit.version="$JUNIT" -Dorgjson.version="$ORGJSON" \
        -Dandroid.all.version="$ANDROID_ALL_VERSION" \
        dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt"
}
# Maven Central sometimes drops a connection on a 200 MB jar: one retry.
check "resolve compiler, android-all, JUnit, org.json (Maven Central)" bash -c "$(declare -f resolve); ROOT='$ROOT' M2='$M2' KOTLIN='$KOTLIN' JUNIT='$JUNIT' ORGJSON='$ORGJSON' ANDROID_ALL_VERSION='$ANDROID_ALL_VERSION' WORK='$WORK'; resolve || resolve"
if [ "$failed" -ne 0 ]; then finish; fi

CP_ALL=$(cat "$WORK/classpath.txt")
pick() { tr ':' '\n' <<<"$CP_ALL" | grep -E "$1" | paste -sd: -; }
ANDROID_ALL=$(pick '/org/robolectric/android-all/')
ORG_JSON=$(pick '/org/json/json/')
JUNIT_STANDALONE=$(pick '/junit-platform-console-standalone/')
STDLIB=$(pick '/kotlin-stdlib/')
COMPILER_CP=$(tr ':' '\n' <<<"$CP_ALL" | grep -vE '/org/robolectric/|/org/json/|/junit-platform-console-standalone/' | paste -sd: -)

kotlinc() {
    java -Xss8m -cp "$COMPILER_CP" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler \
        -no-stdlib -no-reflect -jvm-target 17 -Werror "$@"
}

# ---------------------------------------------------------------------------------------------------------------
echo "== manifest and trust"
MANIFEST=$APP/src/main/AndroidManifest.xml

# Resources are linked first so the manifest is read the way Android reads it (aapt2 dump of the compiled APK).
mkdir -p "$WORK/res" "$WORK/gen" "$WORK/r-classes"
# AGP puts the namespace into the manifest; aapt2 alone needs it spelled out.
sed 's|<manifest |<manifest package="org.opsight" |' "$MANIFEST" >"$WORK/AndroidManifest.xml"
check "aapt2 compile res/ (en, zh-rCN, night)" aapt2 compile --dir "$APP/src/main/res" -o "$WORK/res/compiled.zip"
check "aapt2 link against framework-res.apk (API 29) → R" \
    aapt2 link -o "$WORK/app.apk" -I "$FRAMEWORK_RES" --manifest "$WORK/AndroidManifest.xml" \
    --java "$WORK/gen" --min-sdk-version 29 --target-sdk-version 36 --auto-add-overlay "$WORK/res/compiled.zip"
aapt2 dump permissions "$WORK/app.apk" >"$WORK/permissions.txt" 2>&1 || true
has_permission() { grep -qE "uses-permission: name='$1'" "$WORK/permissions.txt"; }
for p in android.permission.DUMP android.permission.PACKAGE_USAGE_STATS android.permission.QUERY_ALL_PACKAGES; do
    check "manifest declares $p" has_permission "$p"
done
check "manifest does not declare android.permission.INTERNET" bash -c "! grep -q \"name='android.permission.INTERNET'\" '$WORK/permissions.txt'"
check "manifest declares nothing else but RECEIVE_BOOT_COMPLETED" bash -c \
    "grep -oE \"uses-permission: name='[^']*'\" '$WORK/permissions.txt' | sed \"s/.*name='//; s/'//\" | sort | tr '\n' ' ' | grep -qx 'android.permission.DUMP android.permission.PACKAGE_USAGE_STATS android.permission.QUERY_ALL_PACKAGES android.permission.RECEIVE_BOOT_COMPLETED '"
check "both languages define the same strings and plurals, with the same placeholders" \
    python3 "$(dirname "$0")/strings_match.py" "$APP/src/main/res/values/strings.xml" \
    "$APP/src/main/res/values-zh-rCN/strings.xml"
check "the app's information types and exception kinds are the core's and the bridge's" \
    python3 "$(dirname "$0")/catalog_match.py" "$(dirname "$0")/../.."
# No network, analytics or tracking code anywhere in the app's sources.
check "no network or tracking code in the app" bash -c \
    "! grep -rnE 'java\\.net\\.(URL|Socket|HttpURLConnection)|javax\\.net|okhttp|retrofit|firebase|crashlytics|com\\.google\\.android\\.gms|io\\.sentry|analytics|appsflyer|adjust\\.sdk|umeng|bugly' '$APP/src' '$APP/build.gradle.kts'"
check "no runtime library dependency (platform APIs only)" bash -c \
    "! grep -nE '^\\s*(implementation|api|runtimeOnly|compileOnly)\\(' '$APP/build.gradle.kts'"
check "build: cargo-ndk per ABI, 16 KB pages, uncompressed jniLibs, bridge keep rules" bash -c "
    f='$APP/build.gradle.kts'
    grep -q '\"cargo\", \"ndk\"' \$f && grep -q 'max-page-size=16384' \$f && grep -q 'useLegacyPackaging = false' \$f &&
    grep -q 'opsight-keep.pro' \$f && grep -q 'addGeneratedSourceDirectory' \$f &&
    for abi in arm64-v8a armeabi-v7a x86_64; do grep -q \"\\\"\$abi\\\"\" \$f || exit 1; done &&
    grep -q 'class org.opsight.core.Opsight' '$APP/proguard-rules.pro'"

# ---------------------------------------------------------------------------------------------------------------
echo "== Kotlin $KOTLIN"
R_JAVA=$(find "$WORK/gen" -name R.java 2>/dev/null | head -n 1)
if [ -n "$R_JAVA" ]; then
    check "javac R.java" javac -nowarn -d "$WORK/r-classes" "$R_JAVA"
else
    fail "R.java generated"
fi

LOGIC=$(find "$SRC/org/opsight/logic" -name '*.kt' | sort)
DATA=$(find "$SRC/org/opsight/data" -name '*.kt' | sort)
ALL_MAIN=$(find "$SRC" -name '*.kt' | sort)
# shellcheck disable=SC2086
check "pure logic compiles with the Kotlin standard library alone (no Android)" \
    kotlinc -cp "$STDLIB" -d "$WORK/logic" $LOGIC
# shellcheck disable=SC2086
check "JSON reading compiles with logic + org.json alone (no other Android class)" \
    kotlinc -cp "$STDLIB:$ORG_JSON:$WORK/logic" -d "$WORK/data" $DATA
# shellcheck disable=SC2086
check "app compiles against android-all $ANDROID_ALL_VERSION (all of src/main/java, org/opsight/core included)" \
    kotlinc -cp "$STDLIB:$WORK/r-classes:$ANDROID_ALL" -d "$WORK/main" $ALL_MAIN

# ---------------------------------------------------------------------------------------------------------------
echo "== unit tests (JUnit $JUNIT)"
TESTS=$(find "$TEST_SRC" -name '*.kt' | sort)
# Test sources see the host classes and, for PlatformConstantsTest, the framework's constants (inlined).
# shellcheck disable=SC2086
check "tests compile" \
    kotlinc -cp "$STDLIB:$JUNIT_STANDALONE:$ORG_JSON:$WORK/logic:$WORK/data:$ANDROID_ALL" -d "$WORK/test" $TESTS

if [ -d "$WORK/test" ]; then
    # Run without android-all: the logic under test must not need Android at run time.
    java -jar "$JUNIT_STANDALONE" execute --disable-banner --details=tree --disable-ansi-colors \
        --class-path "$STDLIB:$ORG_JSON:$WORK/logic:$WORK/data:$WORK/test" \
        --scan-class-path "$WORK/test" >"$WORK/junit.txt" 2>&1
    junit_rc=$?
    if [ "$junit_rc" -eq 0 ]; then
        grep -E 'tests (successful|failed|found)' "$WORK/junit.txt" | sed 's/^/   /'
    else
        sed 's/^/   /' "$WORK/junit.txt" | grep -vE '^\s*$' | tail -n 200
    fi
    ok=$(sed -n 's/.*\[ *\([0-9]*\) tests successful.*/\1/p' "$WORK/junit.txt")
    bad=$(sed -n 's/.*\[ *\([0-9]*\) tests failed.*/\1/p' "$WORK/junit.txt")
    ok=${ok:-0}
    bad=${bad:-0}
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -ne 0 ]; then failures+=("$bad unit tests"); fi
    if [ "$ok" -eq 0 ] || { [ "$junit_rc" -ne 0 ] && [ "$bad" -eq 0 ]; }; then
        fail "JUnit ran (exit $junit_rc, $ok tests successful)"
    fi
fi

finish
