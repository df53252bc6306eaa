#!/usr/bin/env bash
# The HTML report in headless Chromium: the demo database's report (English and Chinese) and a report of a database
# holding hostile app labels are loaded in a real browser; each must load with no console message and no network
# request, and show the expected apps and findings in the rendered DOM. A screenshot of the English demo report is
# taken and checked; with --update-screenshot (or OPSIGHT_UPDATE_SCREENSHOT=1) it replaces docs/report-screenshot.png.
#
# Installs Debian's chromium when it is missing (apt-get, as root or through sudo), builds the CLI, and prints a
# closing "N passed, N failed" line; exits non-zero when a check fails.
set -uo pipefail
cd "$(dirname "$0")/../.."

update_screenshot=${OPSIGHT_UPDATE_SCREENSHOT:-0}
for arg in "$@"; do
    case "$arg" in
    --update-screenshot) update_screenshot=1 ;;
    *)
        echo "usage: tests/report/check.sh [--update-screenshot]" >&2
        exit 2
        ;;
    esac
done

. tests/lib/tally.sh
. tests/lib/apt.sh

# --- Chromium -------------------------------------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium is missing: installing Debian's package"
    if apt_install chromium; then
        pass "chromium installed"
    else
        fail "chromium could not be installed (apt-get install chromium)"
        finish
    fi
fi
if ! command -v python3 >/dev/null 2>&1; then
    fail "python3 is needed to read Chromium's network log"
    finish
fi

# --- The CLI and the pages ------------------------------------------------------------------------------------
if ! out=$(cargo build -p opsight-cli --locked 2>&1); then
    fail "cargo build -p opsight-cli" "$out"
    finish
fi
bin=$PWD/target/debug/opsight
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if out=$("$bin" demo --dir "$tmp/demo-en" --json 2>&1) && [ -f "$tmp/demo-en/report.html" ]; then
    pass "opsight demo builds a database and writes its report"
else
    fail "opsight demo" "$out"
    finish
fi
if out=$("$bin" demo --dir "$tmp/demo-zh" --lang zh-CN 2>&1) && [ -f "$tmp/demo-zh/report.html" ]; then
    pass "opsight demo --lang zh-CN"
else
    fail "opsight demo --lang zh-CN" "$out"
fi
if out=$("$bin" report --db "$tmp/demo-en/demo.db" --html "$tmp/since.html" --since 2021-01-01 --until 2021-02-01 \
    --zone Asia/Shanghai --json 2>&1) && [ -f "$tmp/since.html" ]; then
    pass "opsight report --since/--until writes a page"
else
    fail "opsight report --since/--until" "$out"
fi

# A database whose app labels and package try to inject markup, a script and a network request.
cat >"$tmp/hostile.txt" <<'EOF'
Current AppOps Service state:
  Uid u0a200:
    state=cch
    Package com.evil.app:
      READ_CONTACTS (allow): 
        null=[
          Access: [bg-s] 2026-03-02 03:12:04.117 (-8h47m55s883ms)
        ]
EOF
cat >"$tmp/hostile.json" <<'EOF'
{"opsight_inventory": 1, "device": {"zone": "UTC"}, "packages": [
  {"package": "com.evil.app", "label": "Evil<img id=\"pwned\" src=\"http://evil.invalid/x.png\"><script>document.title='pwned'</script>", "category": "news"},
  {"package": "com.other\"><svg onload=alert(1)>", "label": "<style>body{display:none}</style>Other"}
]}
EOF
if out=$("$bin" ingest --db "$tmp/hostile.db" --zone UTC --captured-at 2026-03-02T12:00:00Z "$tmp/hostile.txt" 2>&1 &&
    "$bin" packages --db "$tmp/hostile.db" "$tmp/hostile.json" 2>&1 &&
    "$bin" report --db "$tmp/hostile.db" --html "$tmp/hostile.html" 2>&1); then
    pass "a report of a database with hostile labels is written"
else
    fail "hostile database" "$out"
fi

# --- Loading pages in Chromium --------------------------------------------------------------------------------
# chrome NAME URL ARGS…: loads URL; stdout in $tmp/NAME.out, stderr (with console messages) in $tmp/NAME.err, the
# network log in $tmp/NAME.net.json. No host resolves, so nothing can leave this machine whatever the page asks.
chrome() {
    local name=$1 url=$2
    shift 2
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
        --disable-extensions --no-pings --host-resolver-rules="MAP * ~NOTFOUND" \
        --user-data-dir="$tmp/profile-$name" --enable-logging=stderr --v=0 \
        --log-net-log="$tmp/$name.net.json" "$@" "$url" >"$tmp/$name.out" 2>"$tmp/$name.err"
}

# The URLs a page itself asked for (Chromium's own update and sign-in requests carry no page origin).
page_requests() {
    python3 - "$1" <<'PY'
import json, sys
try:
    log = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"unreadable network log: {e}")
    sys.exit(0)
types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
urls = set()
for e in log["events"]:
    if types.get(e["type"]) != "URL_REQUEST_START_JOB":
        continue
    p = e.get("params", {})
    url = p.get("url", "")
    if url.startswith(("file:", "data:", "about:", "chrome:")):
        continue
    if p.get("initiator") != "not an origin" or p.get("network_isolation_key", "").startswith("file://"):
        urls.add(url)
print("\n".join(sorted(urls)))
PY
}

console_messages() {
    grep -E ':CONSOLE[(:]' "$tmp/$1.err" || true
}

# loads NAME FILE: the page loads (DOM dumped), with no console message and no network request.
loads() {
    local name=$1 file=$2
    if chrome "$name" "file://$file" --dump-dom && grep -q '</html>' "$tmp/$name.out"; then
        pass "$name: loads in Chromium"
    else
        fail "$name: loads in Chromium" "$(tail -n 5 "$tmp/$name.err")"
        return
    fi
    local msgs reqs
    msgs=$(console_messages "$name")
    if [ -z "$msgs" ]; then pass "$name: no console message"; else fail "$name: console messages" "$msgs"; fi
    reqs=$(page_requests "$tmp/$name.net.json")
    if [ -z "$reqs" ]; then pass "$name: no network request"; else fail "$name: network requests" "$reqs"; fi
}

# has NAME TEXT…: every TEXT is in the rendered DOM.
has() {
    local name=$1 missing=""
    shift
    for text in "$@"; do
        grep -qF -- "$text" "$tmp/$name.out" || missing+="$text"$'\n'
    done
    if [ -z "$missing" ]; then pass "$name: shows $# expected texts"; else fail "$name: missing from the DOM" "$missing"; fi
}

# lacks NAME TEXT…: no TEXT is in the rendered DOM.
lacks() {
    local name=$1 found=""
    shift
    for text in "$@"; do
        grep -qF -- "$text" "$tmp/$name.out" && found+="$text"$'\n'
    done
    if [ -z "$found" ]; then pass "$name: shows none of $# unwanted texts"; else fail "$name: unexpected in the DOM" "$found"; fi
}

# The checks themselves must catch a page that logs an error and one that loads from the network.
cat >"$tmp/bad-console.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>x</title></head><body><script>nothing()</script></body></html>
EOF
cat >"$tmp/bad-network.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body><img src="http://example.invalid/x.png"></body></html>
EOF
chrome bad-console "file://$tmp/bad-console.html" --dump-dom
if [ -n "$(console_messages bad-console)" ]; then pass "self-test: a console error is caught"; else fail "self-test: a console error went unnoticed"; fi
chrome bad-network "file://$tmp/bad-network.html" --dump-dom
if page_requests "$tmp/bad-network.net.json" | grep -q 'example.invalid'; then
    pass "self-test: a network request is caught"
else
    fail "self-test: a network request went unnoticed"
fi

# The English demo report.
loads demo-en "$tmp/demo-en/report.html"
has demo-en '<html lang="en">' 'Opsight privacy report' 'Demo data.' \
    'QuickCash Loan' 'QQ Music' 'Qutoutiao' 'Kingsoft PowerWord' 'QQ Reader' 'Mobile Tmall' 'Amap' 'WeChat' \
    'QQ Music accessed your contacts in the background' \
    'QuickCash Loan kept trying to access your call log after being denied' \
    'Qutoutiao accessed your clipboard about every 1 s' \
    'QQ Reader accessed your phone identity, which e-book apps do not need' \
    'Mobile Tmall accessed your location, which online shopping apps do not need' \
    'com.facebook.katana accessed your contacts, which online community apps do not need' \
    'Provisions on the Scope of Necessary Personal Information' 'access in the background (hollow)'
lacks demo-en 'Amap accessed' 'WeChat accessed' 'Alipay accessed' '<script'
# Apps in order of concern: the loan app first, QQ Music before Mobile Tmall.
order=$(grep -oE 'class="rank-row"><td class="num">[0-9]+</td><td><a href="#app-[0-9]+"><bdi>[^<]*' "$tmp/demo-en.out" |
    sed 's/.*<bdi>//' | tr '\n' '|')
case "$order" in
QuickCash\ Loan\|*QQ\ Music\|*Mobile\ Tmall\|*) pass "demo-en: apps are ranked by concern ($order)" ;;
*) fail "demo-en: ranking" "$order" ;;
esac
timelines=$(grep -o '<svg class="timeline"' "$tmp/demo-en.out" | wc -l)
if [ "$timelines" -ge 25 ]; then pass "demo-en: $timelines app timelines drawn"; else fail "demo-en: only $timelines timelines"; fi

# The Chinese demo report.
loads demo-zh "$tmp/demo-zh/report.html"
has demo-zh '<html lang="zh-CN">' 'Opsight 隐私报告' '演示数据' 'QQ音乐' '极速借款' '高德地图' '微信' \
    'QQ音乐 在后台访问了您的通讯录' '按关注度排序的应用' '后台访问（空心）' '被拒绝的尝试（叉号）' '通讯录' '剪贴板'
lacks demo-zh 'What to do' 'Apps by concern'

# A range with no events still gives a valid page.
loads since "$tmp/since.html"
has since 'com.sunmi.baseservice' 'com.sunmi.baseservice accessed your location in the background'

# Hostile labels stay text.
loads hostile "$tmp/hostile.html"
has hostile 'Evil&lt;img id="pwned"' '&lt;script&gt;document.title=' '&lt;style&gt;body{display:none}&lt;/style&gt;Other'
lacks hostile '<img id="pwned"' '<title>pwned' 'onload=alert(1)>' '<style>body{display:none}'

# --- The screenshot -------------------------------------------------------------------------------------------
shot="$tmp/report-screenshot.png"
chrome screenshot "file://$tmp/demo-en/report.html" --screenshot="$shot" --window-size=1280,2000 --hide-scrollbars
if size=$(python3 - "$shot" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1280, 2000), f"{w}x{h}"
assert len(data) > 100_000, f"only {len(data)} bytes: a blank page?"
print(f"{w}x{h}, {len(data) // 1024} KiB")
PY
); then
    pass "screenshot: $size"
    if [ "$update_screenshot" = 1 ]; then
        cp "$shot" docs/report-screenshot.png && echo "    docs/report-screenshot.png updated"
    fi
else
    fail "screenshot" "$size"
fi
msgs=$(console_messages screenshot)
if [ -z "$msgs" ]; then pass "screenshot: no console message"; else fail "screenshot: console messages" "$msgs"; fi

finish
