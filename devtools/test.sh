#!/usr/bin/env bash
# The README's second command: install, build, run every test (unit and
# integration; the integration tests that need root and network
# namespaces are skipped without them), then the unit tests again in an
# AddressSanitizer + UndefinedBehaviorSanitizer build. Ends with one
# "N passed, N failed" line; non-zero exit on any failure.
# Arguments go to the first `meson test` (e.g. a test name).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

rc=0
meson test -C "$PMTCP_BUILD" --print-errorlogs "$@" || rc=$?
logs=("$PMTCP_BUILD/meson-logs/testlog.json")

if [ $# -eq 0 ] && [ "${PMTCP_NO_SANITIZE:-}" != 1 ]; then
	asan=${PMTCP_BUILD}-asan
	[ -f "$asan/build.ninja" ] ||
		meson setup "$asan" "$PMTCP_ROOT" -Dbuildtype=debug \
			-Db_sanitize=address,undefined >/dev/null
	ninja -C "$asan" >/dev/null
	meson test -C "$asan" --suite unit --print-errorlogs || rc=$?
	logs+=("$asan/meson-logs/testlog.json")
fi

# one closing line over both runs, from meson's own logs
/usr/bin/python3 - "${logs[@]}" <<'PY'
import json, sys
ok = bad = skip = 0
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r == "SKIP":
            skip += 1
        else:
            bad += 1
print(f"pmtcp: {ok} passed, {bad} failed, {skip} skipped")
PY
exit $rc
