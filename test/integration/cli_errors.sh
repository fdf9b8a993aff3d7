#!/usr/bin/env bash
# Bad input gets one clear error line and a non-zero exit, never a crash
# or a hang; and that line is all pmtcp puts on stderr (no ethdev noise
# such as "Device with port_id=0 already stopped" from closing ports).
. "$(dirname "$0")/lib.sh"

n=0
# expect_error NAME PATTERN -- pmtcp arguments after "--"
expect_error() {
	local name=$1 pattern=$2 rc=0
	shift 2
	n=$((n + 1))
	timeout 30 "$PMTCP" -l 0-1 -m 512 $(eal "$n") -- "$@" \
		> "$TMP/$n.out" 2> "$TMP/$n.err" || rc=$?
	[ "$rc" -ne 0 ] || fail "$name: exit 0"
	[ "$rc" -ne 124 ] || fail "$name: hung"
	[ "$rc" -lt 128 ] || fail "$name: killed by signal $((rc - 128))"
	local errs
	errs=$(grep -c '^pmtcp: error:' "$TMP/$n.err" || true)
	[ "$errs" -eq 1 ] || { cat "$TMP/$n.err"; fail "$name: $errs error lines"; }
	# EAL's start-up lines aside (EAL: ..., TELEMETRY: ...), stderr is
	# the error line alone
	local rest
	rest=$(grep -v -e '^EAL: ' -e '^TELEMETRY: ' "$TMP/$n.err" || true)
	[ "$(printf '%s\n' "$rest" | wc -l)" -eq 1 ] ||
		{ cat "$TMP/$n.err"; fail "$name: more than the error line on stderr"; }
	! grep -q 'already stopped' "$TMP/$n.err" ||
		{ cat "$TMP/$n.err"; fail "$name: 'already stopped' on stderr"; }
	grep -q -- "$pattern" "$TMP/$n.err" ||
		{ cat "$TMP/$n.err"; fail "$name: message does not say '$pattern'"; }
	pass "$name: $(grep '^pmtcp: error:' "$TMP/$n.err")"
}

expect_error "unknown option" "unknown option '--bogus'" --bogus
expect_error "no role" "nothing to do"
expect_error "client without port" "expected IP.-LAST.:PORT" --client 198.18.0.1
expect_error "client bad address" "expected IP.-LAST.:PORT" --client 198.18.0.300:80
expect_error "client port 0" "out of range" --client 198.18.0.1:0
expect_error "server port too big" "out of range" --server 70000
expect_error "connections not a number" "expected an integer" --server 80 --connections 12x
expect_error "negative rate" "--rate: expected an integer in \[0, 1000000000\], got '-5'" \
	--server 80 --rate -5
expect_error "duration garbage" "expected seconds" --server 80 --duration abc
expect_error "duration 0" \
	"--duration: expected seconds in (0, 31536000\], got '0' (no time limit: --connections N, or -i)" \
	--server 80 --duration 0
expect_error "port-lcores bad port" "--port-lcores PORTID: expected an integer in \[0, " \
	--server 80 --port-lcores x:0
expect_error "unknown knob" "unknown TCP knob 'tcp_bogus'" --server 80 --tcp tcp_bogus=1
expect_error "knob out of range" "tcp_ecn: value '7' out of range" --server 80 --tcp tcp_ecn=7
expect_error "knob without value" "expected NAME=VALUE" --server 80 --tcp tcp_syn_retries
expect_error "missing value" "needs a value" --server
expect_error "ip for a missing port" "no port 5" --server 80 --ip 5,198.18.0.1/24
expect_error "ip malformed" "expected PORTID,IP.-LAST./PREFIX" --server 80 --ip 0,198.18.0.1
expect_error "unreachable client" "unreachable" --client 198.19.1.1:80 --server 80
expect_error "profile missing" "No such file" --server 80 --profile /nonexistent.ini
expect_error "pool too small" "cannot create a pool of" --server 80 --mbufs 1048576
expect_error "json unwritable" "--json /nonexistent/x.json" --client 198.18.0.1:80 \
	--server 80 --connections 10 --json /nonexistent/x.json

# --help is not an error
"$PMTCP" -l 0 -m 256 $(eal help) -- --help > "$TMP/help.out" 2>&1 ||
	fail "--help exited non-zero"
grep -q -- "--client IP.-LAST.:PORT" "$TMP/help.out" || fail "--help lists no options"
pass "--help"
echo "$((n + 1)) passed, 0 failed"
