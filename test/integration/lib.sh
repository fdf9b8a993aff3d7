# Shared helpers of the integration tests (sourced).
set -euo pipefail

: "${PMTCP:?PMTCP must point at the pmtcp binary}"
TMP=$(mktemp -d /tmp/pmtcp_it.XXXXXX)
trap 'rc=$?; cleanup_hook; rm -rf "$TMP"; exit $rc' EXIT
cleanup_hook() { :; }

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

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
