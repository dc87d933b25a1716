#!/usr/bin/env bash
# Debian packages the tests need beyond the pipeline's (scripts/test_packages.txt).
# Idempotent and quiet, as system_setup.sh, whose installer it reuses.
set -euo pipefail
exec bash "$(dirname "$0")/system_setup.sh" test_packages.txt
