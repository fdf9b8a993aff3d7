# Shared helpers of the integration tests (sourced).
set -euo pipefail

: "${PMTCP:?PMTCP must point at the pmtcp binary}"
TMP=$(mktemp -d /tmp/pmtcp_it.XXXXXX)
trap 'rc=$?; cleanup_hook; [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"; exit $rc' EXIT
cleanup_hook() { :; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# No silent skips. skip REASON: this test cannot run here. Exit status 77
# (meson's "skipped") only when whoever runs the suite has said the
# environment explains it (not root, no network namespaces) with
# PMTCP_ALLOW_SKIP=1; otherwise the test fails with the reason, because a
# suite that skipped a test proves nothing about what it tests.
skip() {
	if [ "${PMTCP_ALLOW_SKIP:-0}" = 1 ]; then
		echo "SKIP: $* (allowed by PMTCP_ALLOW_SKIP=1)"
		exit 77
	fi
	fail "cannot run: $* (bash devtools/setup.sh installs the tools;" \
		"PMTCP_ALLOW_SKIP=1 lets this count as skipped)"
}
# skip_case WHAT REASON: one case of a test cannot run. The same rule;
# when allowed, the test goes on with its other cases.
skip_case() {
	local what=$1
	shift
	if [ "${PMTCP_ALLOW_SKIP:-0}" = 1 ]; then
		echo "SKIP $what: $* (allowed by PMTCP_ALLOW_SKIP=1)"
		return 0
	fi
	fail "$what cannot run: $* (bash devtools/setup.sh installs the tools;" \
		"PMTCP_ALLOW_SKIP=1 lets this case be skipped)"
}
# need_root: network namespaces, veths and raw sockets need it
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
}
# need_tools TOOL...: each must be on PATH
need_tools() {
	local t
	for t; do
		command -v "$t" >/dev/null 2>&1 || skip "$t missing"
	done
}
# need_netns NAME: create network namespace NAME
need_netns() {
	ip netns add "$1" 2>/dev/null || skip "cannot create network namespaces"
}

# EAL arguments for one process of this test: own file prefix, no hugepages.
eal() { echo "--no-huge --no-pci --file-prefix pmtcp_it_$$_$1"; }

# jget FILE DOTTED.PATH -> value (ints print as ints)
jget() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)
PY
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got $2, want $3"
	pass "$1 = $3"
}
