#!/usr/bin/env bash
# System packages the browser tests need: Debian's Chromium and its matching WebDriver.
# Idempotent and quiet: does nothing when both are present. Runs as root in CI.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "test_setup: no apt-get here; install chromium and chromium-driver yourself" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "test_setup: not root and no sudo; browser tests will be skipped" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk \
    >/dev/null
