#!/usr/bin/env bash
# The README's second command: install (devtools/setup.sh: the build's
# packages and every tool the integration tests use), build, run every test
# (unit and integration), then the unit tests again in an AddressSanitizer
# + UndefinedBehaviorSanitizer build, then the frame fuzzer for
# PMTCP_FUZZ_SECONDS (60; PMTCP_NO_FUZZ=1 leaves it out). Ends with one
# "pmtcp: N passed, N failed, N skipped" line; non-zero exit on any
# failure. No silent skips: a test that cannot run (not root, a tool
# missing, no network namespaces) fails, unless PMTCP_ALLOW_SKIP=1 says the
# environment explains it; then it counts as skipped.
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

# the frame fuzzer for a bounded time (devtools/fuzz.sh, suite 'fuzz' of
# the clang build ${PMTCP_BUILD}-fuzz): any finding fails the run
if [ $# -eq 0 ] && [ "${PMTCP_NO_FUZZ:-}" != 1 ]; then
	rm -f "${PMTCP_BUILD}-fuzz/meson-logs/testlog.json"
	bash "$PMTCP_ROOT/devtools/fuzz.sh" "${PMTCP_FUZZ_SECONDS:-60}" || rc=$?
	logs+=("${PMTCP_BUILD}-fuzz/meson-logs/testlog.json")
fi

# one closing line over both runs, from meson's own logs; a skip without
# PMTCP_ALLOW_SKIP=1 fails the run (the tests fail themselves then, see
# skip() in test/integration/lib.sh; this catches any other exit 77)
/usr/bin/python3 - "${logs[@]}" <<'PY' || rc=1
import json, os, sys
ok = bad = skip = 0
skipped = []
for path in sys.argv[1:]:
    if not os.path.exists(path):
        print(f"pmtcp: {path} missing: its tests count as one failure")
        bad += 1
        continue
    for line in open(path):
        t = json.loads(line)
        r = t["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r == "SKIP":
            skip += 1
            skipped.append(t["name"])
        else:
            bad += 1
allowed = os.environ.get("PMTCP_ALLOW_SKIP") == "1"
if skipped:
    print("pmtcp: skipped: %s (%s)" % (" ".join(skipped),
          "allowed by PMTCP_ALLOW_SKIP=1" if allowed else
          "not allowed: set PMTCP_ALLOW_SKIP=1 where the environment explains it"))
print(f"pmtcp: {ok} passed, {bad} failed, {skip} skipped")
sys.exit(0 if allowed or not skipped else 1)
PY
exit $rc
