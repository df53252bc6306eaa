# Sourced by the test scripts that install Debian packages on a fresh machine.

# apt_install PKG...: installs Debian packages, as root or through sudo, quietly; on failure prints apt's output
# and returns non-zero. The package lists are refreshed once per script (a failed refresh is retried once and then
# tolerated: the install itself says whether the lists sufficed).
apt_updated=0
apt_install() {
    local sudo="" log status=0
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    log=$(mktemp)
    if [ "$apt_updated" -eq 0 ]; then
        $sudo apt-get update -qq >>"$log" 2>&1 || $sudo apt-get update -qq >>"$log" 2>&1 || true
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >>"$log" 2>&1 || status=$?
    [ "$status" -eq 0 ] || cat "$log"
    rm -f "$log"
    return "$status"
}
