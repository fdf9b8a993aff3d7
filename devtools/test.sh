#!/usr/bin/env bash
# The README's second command: install, build, run every test (unit and
# integration; the integration tests that need root and network
# namespaces are skipped without them). Non-zero exit on any failure.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

meson test -C "$PMTCP_BUILD" --print-errorlogs "$@"
