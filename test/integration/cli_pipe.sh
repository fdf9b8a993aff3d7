#!/usr/bin/env bash
# The pmtcp> prompt (rte_cmdline on the main lcore): commands from a pipe,
# from --cmdline-file, and from a pseudo-terminal. Every run must exit 0
# on its own (quit or end of input), never hang.
. "$(dirname "$0")/lib.sh"

n=0
ok() { n=$((n + 1)); pass "$@"; }

# the commands of runs 1 and 3
cmds='show tcp knobs
set tcp tcp_syn_retries 2
show tcp knobs
connect 198.18.0.1 80 count 100
show tcp stats nonzero
set tcp tcp_bogus 1
quit'

# check_session NAME FILE: what runs 1 and 3 must show
check_session() {
	local name=$1 f=$2 knobs
	knobs=$(grep -a '^tcp_syn_retries ' "$f" | tr -d '\r' | awk '{print $3}' | xargs)
	[ "$knobs" = "6 2" ] || { cat "$f"; fail "$name: tcp_syn_retries shown as '$knobs', want '6 2'"; }
	ok "$name: tcp_syn_retries 6, then 2 after set tcp"
	grep -aq 'connect: 100 established (avg RTT [0-9]* us), 0 refused, 0 timed out, 0 unreachable' "$f" ||
		{ cat "$f"; fail "$name: no '100 established' summary"; }
	ok "$name: $(grep -a '^.*connect: 100 established' "$f" | tr -d '\r' | sed 's/^pmtcp> //')"
	grep -aq '^TcpActiveOpens  *100' "$f" || { cat "$f"; fail "$name: TcpActiveOpens is not 100"; }
	ok "$name: show tcp stats nonzero says TcpActiveOpens 100"
	grep -aq "^error: set tcp: unknown TCP knob 'tcp_bogus'" "$f" ||
		{ cat "$f"; fail "$name: no clear error for tcp_bogus"; }
	ok "$name: set tcp tcp_bogus 1 -> $(grep -a '^error: set tcp' "$f" | tr -d '\r')"
	grep -aq '=== pmtcp summary' "$f" || { cat "$f"; fail "$name: no summary at quit"; }
	ok "$name: summary printed at quit"
}

# run_rc NAME RC: exit 0, no hang, no crash
run_rc() {
	[ "$2" -ne 124 ] || fail "$1: hung"
	[ "$2" -eq 0 ] || fail "$1: exit $2"
	ok "$1: exit 0"
}

# 1. commands from a pipe on stdin
rc=0
printf '%s\n' "$cmds" | timeout 60 "$PMTCP" -l 0-1 -m 1024 $(eal pipe) -- \
	--client 198.18.0.1:80 --server 80 -i > "$TMP/pipe.out" 2>&1 || rc=$?
run_rc "pipe" "$rc"
check_session "pipe" "$TMP/pipe.out"

# 2. --cmdline-file with a wrong command in the middle; no -i: exits at
#    the end of the file
cat > "$TMP/cmds.txt" <<'CMDS'
show tcp knobs
show bogus thing
set tcp tcp_syn_retries 3
show tcp knobs
connect 198.18.0.1 81 count 3
CMDS
rc=0
timeout 60 "$PMTCP" -l 0-1 -m 1024 $(eal file) -- --client 198.18.0.1:80 \
	--server 80 --cmdline-file "$TMP/cmds.txt" < /dev/null > "$TMP/file.out" 2>&1 || rc=$?
run_rc "cmdline-file" "$rc"
# rdline ends each echoed line with CR LF
tr -d '\r' < "$TMP/file.out" > "$TMP/file.txt" && mv "$TMP/file.txt" "$TMP/file.out"
grep -q '^pmtcp> show bogus thing$' "$TMP/file.out" ||
	{ cat "$TMP/file.out"; fail "cmdline-file: lines not echoed as 'pmtcp> <line>'"; }
grep -A1 '^pmtcp> show bogus thing$' "$TMP/file.out" | grep -q '^Bad arguments$' ||
	{ cat "$TMP/file.out"; fail "cmdline-file: no error for the wrong command"; }
ok "cmdline-file: wrong command -> Bad arguments"
knobs=$(grep '^tcp_syn_retries ' "$TMP/file.out" | awk '{print $3}' | xargs)
[ "$knobs" = "6 3" ] || { cat "$TMP/file.out"; fail "cmdline-file: knobs '$knobs', want '6 3'"; }
ok "cmdline-file: commands after the error still ran (tcp_syn_retries 6, then 3)"
grep -q 'connect: 0 established (avg RTT 0 us), 3 refused, 0 timed out, 0 unreachable' "$TMP/file.out" ||
	{ cat "$TMP/file.out"; fail "cmdline-file: connect to a closed port not 3 refused"; }
ok "cmdline-file: connect to a closed port: 3 refused"

# 3. a pseudo-terminal (raw mode, as a person types)
if command -v script > /dev/null; then
	rc=0
	{
		sleep 1
		while IFS= read -r line; do
			printf '%s\r' "$line"
			sleep 0.3
		done <<< "$cmds"
		sleep 2
	} | timeout 60 script -qfec "$PMTCP -l 0-1 -m 1024 $(eal pty) -- --client 198.18.0.1:80 --server 80 -i" \
		/dev/null > "$TMP/pty.out" 2>&1 || rc=$?
	run_rc "pty" "$rc"
	check_session "pty" "$TMP/pty.out"
else
	echo "skip: pty (no 'script')"
fi

echo "$n passed, 0 failed"
