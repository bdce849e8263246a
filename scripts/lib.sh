# lib.sh - helpers shared by scripts/run, scripts/test and scripts/bench (sourced, not run).
#
# Everything here is idempotent: a second call on a machine that already has what is asked for
# does nothing (no `apt-get update`, no network).

# Repository root, whatever the caller's working directory.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The Debian packages a fresh machine with only the Swift toolchain lacks to build modeld:
# OpenSSL, zlib and libcurl headers (the COpenSSL/CZlib/CCurl system-library targets find them
# through pkg-config; libcurl is ModelHub's download engine) and curl (end-to-end tests,
# readiness checks).
BUILD_PACKAGES=(libssl-dev zlib1g-dev libcurl4-openssl-dev pkg-config curl)

log() { echo "$(basename "$0"): $*" >&2; }
die() { log "$*"; exit 1; }

# as_root CMD...: run CMD as root (directly, or through sudo when we are not root).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root to run: $* (install sudo or run as root)"
    fi
}

is_package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# ensure_packages PKG...: apt-get install whichever of PKG is missing. `apt-get update` runs
# only when something is missing, so a prepared machine stays offline.
ensure_packages() {
    local missing=() p
    for p in "$@"; do is_package_installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
    log "installing ${missing[*]} (apt-get)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# ensure_commands CMD:PKG...: install PKG when CMD is not on PATH (a tool may come from
# elsewhere than Debian's package, e.g. a pyenv python3 or a hand-built wrk).
ensure_commands() {
    local missing=() pair
    for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}"); done
    [ ${#missing[@]} -eq 0 ] || ensure_packages "${missing[@]}"
}

# require_swift: the toolchain is the one thing we do not install.
require_swift() {
    command -v swift >/dev/null || die "swift not found on PATH (install the Swift 6 toolchain, e.g. under /opt/swift, and add its usr/bin to PATH)"
}

# usage_from_header [STATUS]: print the calling script's leading comment block and exit.
usage_from_header() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit "${1:-0}"
}
