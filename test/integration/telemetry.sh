#!/usr/bin/env bash
# DPDK telemetry on a running pmtcp: dpdk-telemetry.py (dpdk-dev) reads
# /pmtcp/mib, /pmtcp/stats, /pmtcp/conn and /pmtcp/knobs through the
# process's socket while the loopback run goes on.
. "$(dirname "$0")/lib.sh"

need_root   # the telemetry socket lives in /var/run/dpdk/<file-prefix>
need_tools dpdk-telemetry.py

prefix=pmtcp_it_$$_tel
sock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
# 100 connections held open (--close none) for the whole run: the counts
# are exact while it goes on
"$PMTCP" -l 0-1 -m 512 --no-huge --no-pci --file-prefix "$prefix" -- \
	--client 198.18.0.1:80 --server 80 --close none --concurrency 100 \
	--duration 6 --tcp tcp_syn_retries=3 > "$TMP/run.out" 2>&1 &
pid=$!
# the runtime directories of both runs go too (DPDK leaves them)
cleanup_hook() {
	kill "$pid" 2>/dev/null || true
	rm -rf "/var/run/dpdk/pmtcp_it_$$_tel" "/var/run/dpdk/pmtcp_it_$$_tel2"
}

# tel CMD...: one JSON line per command, from dpdk-telemetry.py's stdin
tel() {
	printf '%s\n' "$@" | dpdk-telemetry.py -f "$prefix"
}
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done
[ -S "$sock" ] || { cat "$TMP/run.out"; fail "no telemetry socket $sock"; }
# until the 100 handshakes are done (a few ms after the start)
for _ in $(seq 40); do
	tel /pmtcp/stats > "$TMP/stats.json"
	grep -q '"established": 100,' "$TMP/stats.json" && break
	sleep 0.1
done
tel /pmtcp/mib /pmtcp/mib,1 /pmtcp/stats /pmtcp/conn /pmtcp/knobs > "$TMP/tel.json"
wait "$pid" || { cat "$TMP/run.out"; fail "pmtcp exited non-zero"; }

# tjget N DOTTED.PATH: the value at PATH of the Nth reply (0-based)
tjget() {
	/usr/bin/python3 - "$TMP/tel.json" "$1" "$2" <<'PY'
import json, sys
reply = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])])
v = list(reply.values())[0]
for k in sys.argv[3].split('.'):
    v = v[k]
print(v)
PY
}

# /pmtcp/mib: nstat's names, summed over both lcores; ",1" the server's
am=$(tjget 0 TcpActiveOpens)
[ "$am" -gt 0 ] || fail "/pmtcp/mib TcpActiveOpens $am, want > 0"
pass "/pmtcp/mib TcpActiveOpens = $am (> 0)"
expect_eq "/pmtcp/mib TcpActiveOpens" "$am" 100
expect_eq "/pmtcp/mib TcpCurrEstab (both ends)" "$(tjget 0 TcpCurrEstab)" 200
expect_eq "/pmtcp/mib,1 TcpActiveOpens (server lcore)" "$(tjget 1 TcpActiveOpens)" 0
expect_eq "/pmtcp/mib,1 TcpPassiveOpens (server lcore)" "$(tjget 1 TcpPassiveOpens)" 100

# /pmtcp/stats: totals, failures by cause, one dict per lcore
expect_eq "/pmtcp/stats established" "$(tjget 2 established)" 100
expect_eq "/pmtcp/stats accepted" "$(tjget 2 accepted)" 100
expect_eq "/pmtcp/stats open" "$(tjget 2 open)" 200
for c in refused timeout reset unreachable local; do
	expect_eq "/pmtcp/stats failed_$c" "$(tjget 2 failed_$c)" 0
done
expect_eq "/pmtcp/stats lcore_0.client" "$(tjget 2 lcore_0.client)" 1
expect_eq "/pmtcp/stats lcore_0.established" "$(tjget 2 lcore_0.established)" 100
expect_eq "/pmtcp/stats lcore_1.accepted" "$(tjget 2 lcore_1.accepted)" 100

# /pmtcp/conn: each lcore counted its own table
expect_eq "/pmtcp/conn ESTAB" "$(tjget 3 ESTAB)" 200
expect_eq "/pmtcp/conn lcore_0.ESTAB" "$(tjget 3 lcore_0.ESTAB)" 100
expect_eq "/pmtcp/conn lcore_1.ESTAB" "$(tjget 3 lcore_1.ESTAB)" 100
expect_eq "/pmtcp/conn SYN_SENT" "$(tjget 3 SYN_SENT)" 0
expect_eq "/pmtcp/conn LISTEN" "$(tjget 3 LISTEN)" 1
expect_eq "/pmtcp/conn lcores_unanswered" "$(tjget 3 lcores_unanswered)" 0

# /pmtcp/knobs: --tcp took effect; Linux's defaults elsewhere
expect_eq "/pmtcp/knobs tcp_syn_retries" "$(tjget 4 tcp_syn_retries)" 3
expect_eq "/pmtcp/knobs tcp_synack_retries" "$(tjget 4 tcp_synack_retries)" 5
expect_eq "/pmtcp/knobs ip_local_port_range" "$(tjget 4 ip_local_port_range)" "32768 60999"
expect_eq "/pmtcp/knobs neigh/default/mcast_solicit" \
	"$(tjget 4 neigh/default/mcast_solicit)" 3

# the run itself ended as a held run does: every connection reset at the end
grep -q 'established 100 ' "$TMP/run.out" || { cat "$TMP/run.out"; fail "run: not 100 established"; }
pass "run: 100 established"

# 2. a handshake benchmark at --rate: /pmtcp/stats gives the rate since
#    the previous query, and the counters move between two queries
prefix=pmtcp_it_$$_tel2
"$PMTCP" -l 0-1 -m 512 --no-huge --no-pci --file-prefix "$prefix" -- \
	--client 198.18.0.1:80 --server 80 --rate 5000 --duration 5 \
	> "$TMP/run2.out" 2>&1 &
pid=$!
sock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done
[ -S "$sock" ] || { cat "$TMP/run2.out"; fail "no telemetry socket $sock"; }
sleep 1
tel /pmtcp/stats /pmtcp/mib > "$TMP/tel.json"
sleep 1
tel /pmtcp/stats /pmtcp/mib >> "$TMP/tel.json"
wait "$pid" || { cat "$TMP/run2.out"; fail "pmtcp (2) exited non-zero"; }
a1=$(tjget 1 TcpActiveOpens)
a2=$(tjget 3 TcpActiveOpens)
[ "$a1" -gt 0 ] && [ "$a2" -gt "$a1" ] ||
	fail "2: /pmtcp/mib TcpActiveOpens $a1 then $a2, want > 0 and growing"
pass "2: /pmtcp/mib TcpActiveOpens $a1 then $a2"
iv=$(tjget 2 interval_ms)
cps=$(tjget 2 cps)
[ "$iv" -ge 500 ] || fail "2: /pmtcp/stats interval_ms $iv, want the ~1 s between the queries"
# at most the offered rate (5000/s, a little over for rounding)
[ "$cps" -gt 0 ] && [ "$cps" -le 5500 ] || fail "2: /pmtcp/stats cps $cps, want 1..5500"
pass "2: /pmtcp/stats cps $cps over ${iv} ms"
expect_eq "2: /pmtcp/stats rate_target" "$(tjget 2 rate_target)" 5000
