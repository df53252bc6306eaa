# Sourced by the test scripts that count checks: the pass/fail tally and its closing "N passed, N failed" line.

passed=0
failed=0
pass() {
    echo "ok - $1"
    passed=$((passed + 1))
}
# fail NAME [DETAIL]: counts a failure and shows the first 30 lines of DETAIL.
fail() {
    echo "not ok - $1"
    if [ -n "${2:-}" ]; then
        printf '%s\n' "$2" | head -n 30 | sed 's/^/    /'
    fi
    failed=$((failed + 1))
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
