#!/usr/bin/env bash
# Debian packages from a list (default scripts/system_packages.txt: what the pipeline needs;
# test_setup.sh passes test_packages.txt).
# Idempotent and quiet: installs only what dpkg does not already have. Runs as root in CI;
# elsewhere it uses sudo -n, and without either it says what to install and goes on.
set -euo pipefail
cd "$(dirname "$0")"

LIST="${1:-system_packages.txt}"
[ -f "$LIST" ] || { echo "system_setup: no package list $LIST" >&2; exit 1; }
mapfile -t wanted < <(grep -v '^\s*#' "$LIST" | grep -v '^\s*$')
missing=()
for pkg in "${wanted[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "system_setup: no apt-get here; install yourself: ${missing[*]}" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "system_setup: not root and no sudo; install yourself: ${missing[*]}" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
