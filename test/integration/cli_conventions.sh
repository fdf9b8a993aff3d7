#!/usr/bin/env bash
# Command line conventions: --version prints meson's project version and
# DPDK's; --help / -h before or after "--" print pmtcp's usage and exit 0
# without starting EAL; --help-eal prints EAL's; -i with no role opens the
# prompt, where listen and connect work.
. "$(dirname "$0")/lib.sh"

: "${PMTCP_VERSION:?PMTCP_VERSION must be the meson project version}"
: "${PMTCP_DPDK_VERSION:?PMTCP_DPDK_VERSION must be the libdpdk version}"
n=0
ok() { n=$((n + 1)); pass "$@"; }

# run_info NAME ARGS...: exit 0, nothing on stderr (EAL did not start, so
# none of its start-up lines), stdout in $TMP/NAME.out
run_info() {
	local name=$1 rc=0
	shift
	timeout 30 "$PMTCP" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$TMP/$name.out" "$TMP/$name.err"; fail "$name: exit $rc"; }
	[ ! -s "$TMP/$name.err" ] ||
		{ cat "$TMP/$name.err"; fail "$name: EAL started or something went to stderr"; }
}

# 1. --version, alone and after EAL's options and "--": one line, exactly
want="pmtcp $PMTCP_VERSION (DPDK $PMTCP_DPDK_VERSION)"
run_info version --version
expect_eq "pmtcp --version" "$(cat "$TMP/version.out")" "$want"
run_info version2 -l 0 $(eal version) -- --version
expect_eq "pmtcp EAL -- --version" "$(cat "$TMP/version2.out")" "$want"
ok "--version before and after --, EAL not started"

# 2. --help and -h, before and after "--": pmtcp's usage, which says where
#    EAL's options are; never EAL's own usage
for args in "--help" "-h" "-l 0 $(eal help) --help" "-l 0 $(eal help) -- --help" \
	"-- -h" "-- --server 80 --help"; do
	# shellcheck disable=SC2086 # word splitting wanted
	run_info help $args
	grep -qx 'usage: pmtcp \[EAL options\] -- \[options\]' "$TMP/help.out" ||
		{ cat "$TMP/help.out"; fail "pmtcp $args: no 'usage: pmtcp [EAL options] -- [options]' line"; }
	grep -qF -- '--no-pci, --vdev SPEC, --file-prefix NAME. `pmtcp --help-eal` lists them all.' \
		"$TMP/help.out" || { cat "$TMP/help.out"; fail "pmtcp $args: does not say where EAL's options are"; }
	grep -q -- '^  --client IP\[-LAST\]:PORT\[-LAST\]$' "$TMP/help.out" ||
		{ cat "$TMP/help.out"; fail "pmtcp $args: no --client line"; }
	! grep -q 'EAL common options' "$TMP/help.out" ||
		fail "pmtcp $args: printed EAL's usage"
	ok "pmtcp $args: pmtcp's usage, exit 0"
done

# 3. --help-eal: EAL's usage (EAL starts to print it), then where
#    pmtcp's options are
rc=0
timeout 30 "$PMTCP" --help-eal > "$TMP/eal.out" 2> "$TMP/eal.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/eal.out" "$TMP/eal.err"; fail "--help-eal: exit $rc"; }
grep -q '^EAL common options:' "$TMP/eal.out" &&
	grep -q -- '^  --file-prefix' "$TMP/eal.out" ||
	{ cat "$TMP/eal.out"; fail "--help-eal: no EAL option list"; }
grep -q -- "\[EAL options\] -- \[pmtcp options\]: \`pmtcp --help\` lists pmtcp's options$" \
	"$TMP/eal.out" || { cat "$TMP/eal.out"; fail "--help-eal: does not point back to --help"; }
ok "--help-eal: EAL's options, then the way back to pmtcp's"

# 4. -i with neither --client nor --server: the prompt opens; listen and
#    connect run from it, both ends in this process
rc=0
printf 'listen 8080\nconnect 198.18.0.1 8080 count 5\nshow tcp stats nonzero\nquit\n' |
	timeout 60 "$PMTCP" -l 0-1 -m 1024 $(eal prompt) -- -i > "$TMP/prompt.out" 2>&1 || rc=$?
[ "$rc" -ne 124 ] || fail "-i alone: hung"
[ "$rc" -eq 0 ] || { cat "$TMP/prompt.out"; fail "-i alone: exit $rc"; }
tr -d '\r' < "$TMP/prompt.out" > "$TMP/prompt.txt"
grep -q '^pmtcp: 2 port(s) (embedded loopback pair), client off, server off$' "$TMP/prompt.txt" ||
	{ cat "$TMP/prompt.txt"; fail "-i alone: no banner with neither role"; }
grep -qx "pmtcp $PMTCP_VERSION (DPDK $PMTCP_DPDK_VERSION)" "$TMP/prompt.txt" ||
	{ cat "$TMP/prompt.txt"; fail "-i alone: the banner has no version line"; }
ok "-i alone: the banner says client off, server off, and the version"
grep -q '^listening on port 8080 on every lcore$' "$TMP/prompt.txt" ||
	{ cat "$TMP/prompt.txt"; fail "-i alone: listen 8080 not confirmed"; }
grep -q 'connect: 5 established (avg RTT [0-9]* us), 0 refused, 0 timed out, 0 unreachable$' \
	"$TMP/prompt.txt" || { cat "$TMP/prompt.txt"; fail "-i alone: connect did not establish 5"; }
grep -q '^TcpActiveOpens  *5$' "$TMP/prompt.txt" && grep -q '^TcpPassiveOpens  *5$' "$TMP/prompt.txt" ||
	{ cat "$TMP/prompt.txt"; fail "-i alone: TcpActiveOpens / TcpPassiveOpens are not 5 / 5"; }
ok "-i alone: listen 8080, connect ... count 5: 5 established, 5 active and 5 passive opens"

# 4b. as testpmd users type it: -i among EAL's options, no "--" at all
rc=0
printf 'listen 8081\nconnect 198.18.0.1 8081 count 3\nquit\n' |
	timeout 60 "$PMTCP" -i -l 0-1 -m 1024 $(eal prompt_nodash) > "$TMP/nodash.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/nodash.out"; fail "pmtcp -i (no --): exit $rc"; }
tr -d '\r' < "$TMP/nodash.out" > "$TMP/nodash.txt"
grep -q '^pmtcp: 2 port(s) (embedded loopback pair), client off, server off$' "$TMP/nodash.txt" &&
	grep -q '^listening on port 8081 on every lcore$' "$TMP/nodash.txt" &&
	grep -q 'connect: 3 established (avg RTT [0-9]* us), 0 refused, 0 timed out, 0 unreachable$' \
	"$TMP/nodash.txt" || { cat "$TMP/nodash.txt"; fail "pmtcp -i (no --): no prompt, listen or connect"; }
ok "pmtcp -i -l 0-1 ... (no --): the prompt opens; listen 8081, connect ... count 3: 3 established"

# 5. the JSON carries the version
rc=0
timeout 60 "$PMTCP" -l 0-1 -m 512 $(eal json) -- --client 198.18.0.1:80 --server 80 \
	--connections 10 --quiet --json "$TMP/run.json" > "$TMP/json.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/json.out"; fail "json run: exit $rc"; }
expect_eq "JSON version" "$(jget "$TMP/run.json" version)" "$PMTCP_VERSION"
n=$((n + 1))

echo "$n passed, 0 failed"
