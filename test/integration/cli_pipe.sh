#!/usr/bin/env bash
# The pmtcp> prompt (rte_cmdline on the main lcore): commands from a pipe,
# from --cmdline-file, and from a pseudo-terminal. Every run must exit 0
# on its own (quit or end of input), never hang.
. "$(dirname "$0")/lib.sh"

n=0
ok() { n=$((n + 1)); pass "$@"; }

# the commands of runs 1 and 3; the first one is completed by Tab
cmds=$'show tcp kn\t'
cmds+='
set tcp tcp_syn_retries 2
show tcp knobs
listen 8080
connect 198.18.0.1 8080 count 100
show tcp stats nonzero
start
stop
set tcp tcp_bogus 1
quit'

# check_session NAME FILE: what runs 1 and 3 must show
check_session() {
	local name=$1 f=$2.txt knobs
	tr -d '\r' < "$2" > "$f"   # a terminal ends lines with CR LF
	knobs=$(grep -a '^tcp_syn_retries ' "$f" | tr -d '\r' | awk '{print $3}' | xargs)
	[ "$knobs" = "6 2" ] || { cat "$f"; fail "$name: tcp_syn_retries shown as '$knobs', want '6 2'"; }
	# the first command echoed is the completed one
	case "$(grep -a '^pmtcp> ' "$f" | head -1)" in
	"pmtcp> show tcp knobs"*) ;;
	*) cat "$f"; fail "$name: Tab did not complete 'show tcp kn'" ;;
	esac
	ok "$name: Tab completed 'show tcp kn' to 'show tcp knobs'"
	ok "$name: tcp_syn_retries 6, then 2 after set tcp"
	grep -aq '^listening on port 8080 on every lcore' "$f" ||
		{ cat "$f"; fail "$name: listen 8080 not confirmed"; }
	grep -aq 'connect: 100 established (avg RTT [0-9]* us), 0 refused, 0 timed out, 0 unreachable' "$f" ||
		{ cat "$f"; fail "$name: no '100 established' summary"; }
	ok "$name: listen 8080, then $(grep -a '^.*connect: 100 established' "$f" | tr -d '\r' | sed 's/^pmtcp> //')"
	# both ends live in this process: every active open met a passive one
	grep -aq '^TcpActiveOpens  *100$' "$f" && grep -aq '^TcpPassiveOpens  *100$' "$f" ||
		{ cat "$f"; fail "$name: TcpActiveOpens / TcpPassiveOpens are not 100 / 100"; }
	! grep -aq '^TcpAttemptFails' "$f" || { cat "$f"; fail "$name: TcpAttemptFails not 0"; }
	ok "$name: show tcp stats nonzero: TcpActiveOpens 100, TcpPassiveOpens 100, no TcpAttemptFails"
	grep -aq '^client started: 198.18.0.1:80' "$f" && grep -aq '^client stopped' "$f" ||
		{ cat "$f"; fail "$name: start / stop not confirmed"; }
	ok "$name: start, stop"
	grep -aq "^error: set tcp: unknown TCP knob 'tcp_bogus'" "$f" ||
		{ cat "$f"; fail "$name: no clear error for tcp_bogus"; }
	ok "$name: set tcp tcp_bogus 1 -> $(grep -a '^error: set tcp' "$f" | tr -d '\r')"
	grep -aq '=== pmtcp summary' "$f" || { cat "$f"; fail "$name: no summary at quit"; }
	ok "$name: summary printed at quit"
}

# wait_for FILE PATTERN [SETTLE]: until FILE has PATTERN (at most 30 s),
# then SETTLE more seconds (0.5)
wait_for() {
	for _ in $(seq 300); do
		grep -aq "$2" "$1" && break
		sleep 0.1
	done
	sleep "${3:-0.5}"
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
foo bar
connect 198.18.0.1 99999
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
grep -A1 '^pmtcp> show bogus thing$' "$TMP/file.out" |
	grep -q "^error: show bogus thing: 'bogus' is not valid here; expected show stats | .*show conn summary$" ||
	{ cat "$TMP/file.out"; fail "cmdline-file: no clear error for the wrong command"; }
ok "cmdline-file: wrong command -> $(grep -A1 '^pmtcp> show bogus thing$' "$TMP/file.out" | tail -1 | cut -c1-80)..."
grep -q "^error: foo bar: unknown command 'foo'; \`help\` lists the commands$" "$TMP/file.out" ||
	{ cat "$TMP/file.out"; fail "cmdline-file: no clear error for an unknown command"; }
grep -q "^error: connect 198.18.0.1 99999: '99999' is not valid here; expected connect <ip> <port> count <N> | connect <ip> <port>$" "$TMP/file.out" ||
	{ cat "$TMP/file.out"; fail "cmdline-file: no clear error for port 99999"; }
ok "cmdline-file: unknown command and a bad port each get one line saying what was expected"
knobs=$(grep '^tcp_syn_retries ' "$TMP/file.out" | awk '{print $3}' | xargs)
[ "$knobs" = "6 3" ] || { cat "$TMP/file.out"; fail "cmdline-file: knobs '$knobs', want '6 3'"; }
ok "cmdline-file: commands after the error still ran (tcp_syn_retries 6, then 3)"
grep -q 'connect: 0 established (avg RTT 0 us), 3 refused, 0 timed out, 0 unreachable' "$TMP/file.out" ||
	{ cat "$TMP/file.out"; fail "cmdline-file: connect to a closed port not 3 refused"; }
n_ref=$(grep -cE '^(pmtcp> )?connect: 198\.18\.0\.2:[0-9]+ > 198\.18\.0\.1:81 refused$' "$TMP/file.out")
[ "$n_ref" -eq 3 ] || { cat "$TMP/file.out"; fail "cmdline-file: $n_ref per-connection 'refused' lines, want 3"; }
ok "cmdline-file: connect to a closed port: 3 refused, one line each"

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
	skip_case "pty" "'script' missing (bsdutils)"
fi

# 4. the run-time commands: show config, set concurrency/rate/close/
#    workload, start/stop, show conn summary, clear port stats. The second
#    batch goes in once the client has run for a second.
out4="$TMP/live.out"
: > "$out4"
rc=0
# wait_out PATTERN [SETTLE]: until the live run has printed PATTERN (at
# most 30 s), then let its traffic settle
wait_out() { wait_for "$out4" "$@"; }
{
	printf 'show config\nset concurrency 0\nset close fin\nset rate 1000\nstart\n'
	wait_out '^client started' 1
	printf 'show conn summary\nshow conn limit 2\nshow conn state TIME-WAIT limit 2\nshow conn summary\nstop\n'
	# the handshake in flight at stop ends before the workload changes
	wait_out '^client stopped'
	printf 'show stats\nset workload request\nset close rst\nclear tcp stats\n'
	printf 'connect 198.18.0.1 80 count 50\n'
	# port counters race with a port receiving at that instant: clear
	# them once the last RSTs are in
	wait_out 'connect: 50 established'
	printf 'show tcp stats nonzero\nshow stats\nshow lcores\n'
	printf 'clear port stats all\nshow port stats all\nquit\n'
} | timeout 60 "$PMTCP" -l 0-1 -m 1024 $(eal live) -- \
	--client 198.18.0.1:80 --server 80 -i > "$out4" 2>&1 || rc=$?
run_rc "live" "$rc"
grep -aq '^client: 198.18.0.1:80 (stopped)' "$out4" ||
	{ cat "$out4"; fail "live: show config does not show the client target 198.18.0.1:80"; }
grep -aq '^tcp_syn_retries  *= 6' "$out4" ||
	{ cat "$out4"; fail "live: show config does not show tcp_syn_retries = 6"; }
ok "live: show config shows client 198.18.0.1:80 and tcp_syn_retries = 6"
grep -aq '^error: set concurrency: 0 out of range: 1\.\.1024' "$out4" ||
	{ cat "$out4"; fail "live: set concurrency 0 gave no clear error"; }
ok "live: set concurrency 0 -> $(grep -a '^error: set concurrency' "$out4")"
grep -aq '^rate: 1000 conn/s (all client lcores)' "$out4" ||
	{ cat "$out4"; fail "live: set rate 1000 not taken"; }
# close fin: the client (lcore 0) keeps TIME-WAIT entries (listed after
# the socks: asked for by state)
grep -aEq '^lcore 0:.* TIME-WAIT [1-9][0-9]*' "$out4" ||
	{ cat "$out4"; fail "live: show conn summary has no TIME-WAIT line for lcore 0"; }
ok "live: show conn summary: $(grep -a '^lcore 0:' "$out4" | head -1)"
grep -aEq '^0 +TIME-WAIT +198\.18\.0\.2:[0-9]+ +198\.18\.0\.1:80 ' "$out4" ||
	{ cat "$out4"; fail "live: show conn lists no TIME-WAIT connection of lcore 0"; }
ok "live: show conn lists the main lcore's connections"
# paced at 1000/s: established <= 1000 per second of the run (+ a burst)
line=$(grep -a 'cps .* est ' "$out4" | head -1 | sed 's/^pmtcp> //')
t=$(echo "$line" | sed -E 's/^\[ *([0-9]+)\.[0-9]+s\].*/\1/')
est=$(echo "$line" | sed -E 's/.* est +([0-9]+) .*/\1/')
[ -n "$est" ] && [ "$est" -gt 0 ] && [ "$est" -le $(( (t + 1) * 1000 + 64 )) ] ||
	{ cat "$out4"; fail "live: $est established in ${t}s at set rate 1000"; }
ok "live: set rate 1000: $est established in under $((t + 1)) s"
grep -aq 'connect: 50 established' "$out4" ||
	{ cat "$out4"; fail "live: request workload: no '50 established'"; }
segs=$(grep -a '^TcpInSegs ' "$out4" | head -1 | awk '{print $2}')
[ -n "$segs" ] && [ "$segs" -ge 250 ] ||
	{ cat "$out4"; fail "live: TcpInSegs '$segs' after 50 requests, want >= 250"; }
grep -aq 'resp ok 50 bad 0' "$out4" ||
	{ cat "$out4"; fail "live: show stats does not say 'resp ok 50 bad 0'"; }
grep -aq 'requests answered 50,' "$out4" ||
	{ cat "$out4"; fail "live: the server did not answer 50 requests"; }
ok "live: set workload request: 50 established, TcpInSegs $segs, resp ok 50, server answered 50"
grep -aEq '^(pmtcp> )?lcore 0: client port 0 queue 0 \| established [1-9][0-9]* accepted 0 ' "$out4" &&
	grep -aEq '^(pmtcp> )?lcore 1: server port 1 queue 0 \| established 0 accepted [1-9]' "$out4" ||
	{ cat "$out4"; fail "live: show lcores does not show lcore 0 (client, established) and 1 (server, accepted)"; }
ok "live: show lcores: $(grep -a 'lcore 0: client port 0' "$out4" | head -1)"
grep -aq '^port 0: ipackets 0 ' "$out4" && grep -aq '^port 1: ipackets 0 ' "$out4" ||
	{ cat "$out4"; fail "live: ipackets not 0 after clear port stats all"; }
ok "live: clear port stats all -> ipackets 0 on ports 0 and 1"

# 5. listen / unlisten, set verbose 1|2, show conn state on a worker
#    lcore. Trace lines come from both lcores while the prompt echoes
#    input, so they are matched anywhere in a line.
out5="$TMP/verbose.out"
: > "$out5"
wait5() { wait_for "$out5" "$@"; }
rc=0
{
	printf 'listen 8080\nset verbose 2\nconnect 198.18.0.1 8080\n'
	wait5 'connect: 1 established'
	printf 'set verbose 1\nconnect 198.18.0.1 8080 count 2\n'
	wait5 'connect: 2 established'
	printf 'set verbose 0\nunlisten 8080\nconnect 198.18.0.1 8080\n'
	wait5 'connect: 0 established'
	# --server 80 listens on every lcore with the prompt, so both work
	printf 'unlisten 80\nlisten 80\n'
	wait5 '^listening on port 80 '
	# unlimited: the server lcore 1 always has handshakes half done
	printf 'start\n'
	wait5 '^client started' 1
	printf 'show conn state syn-recv limit 3\nshow conn state bogus\nstop\nquit\n'
} | timeout 60 "$PMTCP" -l 0-1 -m 1024 $(eal verbose) -- \
	--client 198.18.0.1:80 --server 80 -i > "$out5" 2>&1 || rc=$?
run_rc "verbose" "$rc"
tr -d '\r' < "$out5" > "$out5.txt"
grep -aq '^listening on port 8080 on every lcore' "$out5.txt" ||
	{ cat "$out5.txt"; fail "verbose: listen 8080 not confirmed"; }
# level 2: the SYN out of lcore 0, the SYN-ACK into it, acking the SYN
syn=$(grep -aoE 'lcore 0: [0-9.]+ out IP 198\.18\.0\.2\.[0-9]+ > 198\.18\.0\.1\.8080: Flags \[S\], seq [0-9]+, win [0-9]+, options \[mss 1460,sackOK,TS val [0-9]+ ecr 0,nop,wscale 7\], length 0' "$out5.txt" | head -1)
[ -n "$syn" ] || { cat "$out5.txt"; fail "verbose 2: no tcpdump-style SYN line from lcore 0"; }
iss=$(echo "$syn" | sed -E 's/.*seq ([0-9]+),.*/\1/')
sport=$(echo "$syn" | sed -E 's/.*198\.18\.0\.2\.([0-9]+) >.*/\1/')
want_ack=$(( (iss + 1) % 4294967296 ))
grep -aqE "lcore 0: [0-9.]+ in  IP 198\.18\.0\.1\.8080 > 198\.18\.0\.2\.$sport: Flags \[S\.\], seq [0-9]+, ack $want_ack, " "$out5.txt" ||
	{ cat "$out5.txt"; fail "verbose 2: no SYN-ACK acking $iss + 1 on port $sport"; }
grep -aqE "lcore 1: [0-9.]+ in  IP 198\.18\.0\.2\.$sport > 198\.18\.0\.1\.8080: Flags \[S\], seq $iss," "$out5.txt" ||
	{ cat "$out5.txt"; fail "verbose 2: lcore 1 did not trace the SYN with seq $iss"; }
grep -aqE "lcore 0: [0-9.]+ state 198\.18\.0\.2:$sport > 198\.18\.0\.1:8080 SYN-SENT -> ESTAB" "$out5.txt" ||
	{ cat "$out5.txt"; fail "verbose 2: no SYN-SENT -> ESTAB state line"; }
ok "verbose 2: SYN seq $iss out of lcore 0, the same SYN into lcore 1, SYN-ACK ack $want_ack, SYN-SENT -> ESTAB"
# level 1: state lines only; one established line per connection
n_est=$(grep -acE 'state 198\.18\.0\.2:[0-9]+ > 198\.18\.0\.1:8080 SYN-SENT -> ESTAB' "$out5.txt")
n_syn=$(grep -acE 'out IP 198\.18\.0\.2\.[0-9]+ > 198\.18\.0\.1\.8080: Flags \[S\]' "$out5.txt")
n_each=$(grep -acE '^(pmtcp> )?connect: 198\.18\.0\.2:[0-9]+ > 198\.18\.0\.1:8080 established, RTT [0-9]+ us' "$out5.txt")
[ "$n_est" -eq 3 ] && [ "$n_syn" -eq 1 ] && [ "$n_each" -eq 3 ] ||
	{ cat "$out5.txt"; fail "verbose: $n_est SYN-SENT -> ESTAB lines (want 3), $n_syn SYN lines (want 1: level 1 has no segments), $n_each per-connection lines (want 3)"; }
ok "verbose 1: 3 SYN-SENT -> ESTAB in all, still 1 SYN line; 3 'established, RTT' lines"
grep -aqE '^(pmtcp> )?connect: 198\.18\.0\.2:[0-9]+ > 198\.18\.0\.1:8080 refused$' "$out5.txt" &&
	grep -aq '^no longer listening on port 8080 on every lcore' "$out5.txt" ||
	{ cat "$out5.txt"; fail "verbose: after unlisten 8080 the connection was not refused"; }
ok "unlisten 8080: the next connection is refused"
grep -aq '^no longer listening on port 80 on every lcore' "$out5.txt" &&
	grep -aq '^listening on port 80 on every lcore' "$out5.txt" &&
	! grep -aq '^error: .*listen' "$out5.txt" ||
	{ cat "$out5.txt"; fail "unlisten 80 / listen 80 (the --server port) did not both succeed cleanly"; }
ok "unlisten 80, listen 80: the --server port, on every lcore, no error"
n_sr=$(grep -acE '^1 +SYN-RECV +198\.18\.0\.1:80 +198\.18\.0\.2:[0-9]+ ' "$out5.txt")
[ "$n_sr" -eq 3 ] && grep -aqE '^\([0-9]+ more not shown' "$out5.txt" ||
	{ cat "$out5.txt"; fail "show conn state syn-recv limit 3 listed $n_sr of lcore 1's, want 3 and a 'more' line"; }
ok "show conn state syn-recv limit 3: 3 half-open connections of the server lcore 1"
grep -aq "^error: show conn: unknown state 'bogus': want one of ESTAB SYN-SENT" "$out5.txt" ||
	{ cat "$out5.txt"; fail "show conn state bogus: no clear error"; }
ok "show conn state bogus -> one error line"

echo "$n passed, 0 failed"
