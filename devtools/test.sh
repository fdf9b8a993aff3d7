#!/usr/bin/env bash
# The README's second command: install, build, run every test (unit and
# integration; the integration tests that need root and network
# namespaces are skipped without them), then the unit tests again in an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Non-zero exit on
# any failure. Arguments go to the first `meson test` (e.g. a test name).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

meson test -C "$PMTCP_BUILD" --print-errorlogs "$@"

if [ $# -eq 0 ] && [ "${PMTCP_NO_SANITIZE:-}" != 1 ]; then
	asan=${PMTCP_BUILD}-asan
	[ -f "$asan/build.ninja" ] ||
		meson setup "$asan" "$PMTCP_ROOT" -Dbuildtype=debug \
			-Db_sanitize=address,undefined >/dev/null
	ninja -C "$asan" >/dev/null
	meson test -C "$asan" --suite unit --print-errorlogs
fi
