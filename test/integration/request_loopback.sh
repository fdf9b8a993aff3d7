#!/usr/bin/env bash
# The request workload over the embedded ring pair (no --vdev): connect,
# HTTP GET, read the 200 OK, close (FIN or RST); every connection accounted
# for, TIME_WAIT reuse exercised, no retransmission, no mbuf leak.
. "$(dirname "$0")/lib.sh"
cleanup_hook() {  # EAL runtime dirs of eal()
	rm -rf /var/run/dpdk/pmtcp_it_$$_* 2>/dev/null || true
	return 0
}

PASSED=0
case_ok() { PASSED=$((PASSED + 1)); echo "== case $1 passed (t = ${SECONDS} s)"; }

# run NAME [pmtcp options]: client and server on the loopback pair
run() {
	local name=$1
	shift
	"$PMTCP" -l 0-1 -m 1024 $(eal "$name") -- --client 198.18.0.1:80 --server 80 \
		--workload request --quiet --json "$TMP/$name.json" "$@" > "$TMP/$name.out" 2>&1 ||
		{ cat "$TMP/$name.out"; fail "$name: pmtcp exited non-zero"; }
}
j() { jget "$TMP/$1.json" "$2"; }
expect_ge() {  # WHAT GOT MIN
	[ "$2" -ge "$3" ] || fail "$1: got $2, want >= $3"
	pass "$1 = $2 (>= $3)"
}
no_leak() {  # NAME
	expect_eq "$1: mempool avail_end == avail_start" "$(j "$1" mempool.avail_end)" \
		"$(j "$1" mempool.avail_start)"
}
# both stacks are in this process: at exit every segment sent has been
# processed and every connection is closed on both sides
all_done() {  # NAME
	expect_eq "$1: mib.Tcp.InSegs == mib.Tcp.OutSegs" "$(j "$1" mib.Tcp.InSegs)" \
		"$(j "$1" mib.Tcp.OutSegs)"
	expect_eq "$1: mib.Tcp.CurrEstab" "$(j "$1" mib.Tcp.CurrEstab)" 0
}
no_failures() {  # NAME
	local c
	for c in refused timeout reset unreachable local; do
		expect_eq "$1: client.failed.$c" "$(j "$1" client.failed.$c)" 0
	done
}

# ---------------------------------------------------------------------------
# 1. 10 s at 8000 conn/s, FIN close, TIME_WAIT reuse: 28232 source ports wrap
#    after ~3.5 s, so later connects must recycle TIME_WAIT socks
run fin --close fin --duration 10 --rate 8000 --tcp tcp_tw_reuse=1
att=$(j fin client.attempted)
est=$(j fin client.established)
failed=0
for c in refused timeout reset unreachable local; do
	failed=$((failed + $(j fin client.failed.$c)))
done
open=$(j fin client.open_at_exit)
closed=$(j fin client.closed)
ok=$(j fin client.responses.ok)
echo "fin: attempted $att established $est failed $failed closed $closed open_at_exit $open" \
	"responses.ok $ok TWRecycled $(j fin mib.TcpExt.TWRecycled)"
# ports 32768-60999 (28232) must wrap for TIME_WAIT reuse to happen at all
expect_ge "fin: client.established" "$est" 28233
expect_eq "fin: attempted == established + failed.*" "$att" "$((est + failed))"
expect_eq "fin: established == closed + open_at_exit" "$est" "$((closed + open))"
expect_eq "fin: responses.ok == closed" "$ok" "$closed"
if [ "$open" = 0 ]; then
	expect_eq "fin: responses.ok == established" "$ok" "$est"
fi
expect_eq "fin: responses.bad" "$(j fin client.responses.bad)" 0
expect_eq "fin: server.requests == responses.ok" "$(j fin server.requests)" "$ok"
expect_eq "fin: server.accepted == established" "$(j fin server.accepted)" "$est"
expect_eq "fin: client.closed_by_peer" "$(j fin client.closed_by_peer)" 0
expect_ge "fin: mib.TcpExt.TWRecycled" "$(j fin mib.TcpExt.TWRecycled)" 1
expect_eq "fin: mib.Tcp.RetransSegs" "$(j fin mib.Tcp.RetransSegs)" 0
no_failures fin
no_leak fin
all_done fin
case_ok 1

# ---------------------------------------------------------------------------
# 2. RST close: every response read, then reset (both sides count EstabResets)
run rst --close rst --connections 5000
expect_eq "rst: client.established" "$(j rst client.established)" 5000
expect_eq "rst: responses.ok" "$(j rst client.responses.ok)" 5000
expect_eq "rst: responses.bad" "$(j rst client.responses.bad)" 0
expect_eq "rst: server.requests" "$(j rst server.requests)" 5000
expect_eq "rst: client.closed" "$(j rst client.closed)" 5000
expect_ge "rst: mib.Tcp.EstabResets" "$(j rst mib.Tcp.EstabResets)" 5000
expect_eq "rst: mib.Tcp.RetransSegs" "$(j rst mib.Tcp.RetransSegs)" 0
no_failures rst
no_leak rst
all_done rst
case_ok 2

# ---------------------------------------------------------------------------
# 3. three requests on each connection, FIN close
run rpc --close fin --requests-per-connection 3 --connections 2000
expect_eq "rpc: client.established" "$(j rpc client.established)" 2000
expect_eq "rpc: responses.ok" "$(j rpc client.responses.ok)" 6000
expect_eq "rpc: responses.bad" "$(j rpc client.responses.bad)" 0
expect_eq "rpc: server.requests" "$(j rpc server.requests)" 6000
expect_eq "rpc: client.closed" "$(j rpc client.closed)" 2000
expect_eq "rpc: mib.Tcp.RetransSegs" "$(j rpc mib.Tcp.RetransSegs)" 0
no_failures rpc
no_leak rpc
all_done rpc
case_ok 3

# ---------------------------------------------------------------------------
# 4. a 900-byte request and a 3000-byte body: the response spans 3 segments,
#    two more than a 64-byte body's (compared on the client port's RX)
run big --close fin --request-size 900 --response-size 3000 --connections 1000
run small --close fin --request-size 900 --response-size 64 --connections 1000
for n in big small; do
	expect_eq "$n: client.established" "$(j $n client.established)" 1000
	expect_eq "$n: responses.ok" "$(j $n client.responses.ok)" 1000
	expect_eq "$n: responses.bad" "$(j $n client.responses.bad)" 0
	expect_eq "$n: server.requests" "$(j $n server.requests)" 1000
	expect_eq "$n: mib.Tcp.RetransSegs" "$(j $n mib.Tcp.RetransSegs)" 0
	no_failures $n
	no_leak $n
	all_done $n
done
expect_eq "big: client port RX - the 64-byte run's (2 more segments each)" \
	"$(($(j big ports.0.ipackets) - $(j small ports.0.ipackets)))" 2000
case_ok 4

echo "$PASSED passed, 0 failed"
