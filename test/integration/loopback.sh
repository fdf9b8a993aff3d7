#!/usr/bin/env bash
# The real pmtcp over the embedded ring pair (no --vdev): exact
# connection counts, failure causes, per-second lines, no mbuf leak.
. "$(dirname "$0")/lib.sh"

# 1. 100,000 handshakes, every one accounted for on both sides
"$PMTCP" -l 0-1 -m 1024 $(eal a) -- --client 198.18.0.1:80 --server 80 \
	--connections 100000 --json "$TMP/a.json" > "$TMP/a.out" 2>&1 ||
	{ cat "$TMP/a.out"; fail "run a exited non-zero"; }
expect_eq "a client.established" "$(jget "$TMP/a.json" client.established)" 100000
expect_eq "a server.accepted" "$(jget "$TMP/a.json" server.accepted)" 100000
for c in refused timeout reset unreachable local; do
	expect_eq "a client.failed.$c" "$(jget "$TMP/a.json" client.failed.$c)" 0
done
expect_eq "a mib.Tcp.ActiveOpens" "$(jget "$TMP/a.json" mib.Tcp.ActiveOpens)" 100000
expect_eq "a mib.Tcp.PassiveOpens" "$(jget "$TMP/a.json" mib.Tcp.PassiveOpens)" 100000
expect_eq "a mib.Tcp.RetransSegs" "$(jget "$TMP/a.json" mib.Tcp.RetransSegs)" 0
expect_eq "a mib.Tcp.CurrEstab" "$(jget "$TMP/a.json" mib.Tcp.CurrEstab)" 0
expect_eq "a mempool back to start" "$(jget "$TMP/a.json" mempool.avail_end)" \
	"$(jget "$TMP/a.json" mempool.avail_start)"
expect_eq "a ports[0].opackets == ports[1].ipackets" \
	"$(jget "$TMP/a.json" ports.0.opackets)" "$(jget "$TMP/a.json" ports.1.ipackets)"

# 2. timed run: one line per second, then the summary
"$PMTCP" -l 0-1 -m 1024 $(eal b) -- --client 198.18.0.1:80 --server 80 \
	--duration 3 --json "$TMP/b.json" > "$TMP/b.out" 2>&1 ||
	{ cat "$TMP/b.out"; fail "run b exited non-zero"; }
lines=$(grep -c '^\[ *[0-9.]*s\] cps' "$TMP/b.out" || true)
[ "$lines" -ge 2 ] && [ "$lines" -le 4 ] || fail "b: $lines per-second lines for 3 s"
pass "b: $lines per-second lines"
grep -q '=== pmtcp summary' "$TMP/b.out" || fail "b: no summary"
est=$(jget "$TMP/b.json" client.established)
[ "$est" -gt 0 ] || fail "b: nothing established"
expect_eq "b server.accepted == client.established" "$(jget "$TMP/b.json" server.accepted)" "$est"
for c in refused timeout reset unreachable local; do
	expect_eq "b client.failed.$c" "$(jget "$TMP/b.json" client.failed.$c)" 0
done
expect_eq "b mempool back to start" "$(jget "$TMP/b.json" mempool.avail_end)" \
	"$(jget "$TMP/b.json" mempool.avail_start)"

# 3. closed port: every attempt refused after one SYN, no retransmission
"$PMTCP" -l 0-1 -m 512 $(eal c) -- --client 198.18.0.1:81 --server 80 \
	--connections 50 --json "$TMP/c.json" > "$TMP/c.out" 2>&1 ||
	{ cat "$TMP/c.out"; fail "run c exited non-zero"; }
expect_eq "c client.failed.refused" "$(jget "$TMP/c.json" client.failed.refused)" 50
expect_eq "c client.established" "$(jget "$TMP/c.json" client.established)" 0
expect_eq "c mib.Tcp.RetransSegs" "$(jget "$TMP/c.json" mib.Tcp.RetransSegs)" 0
expect_eq "c mib.Tcp.OutRsts" "$(jget "$TMP/c.json" mib.Tcp.OutRsts)" 50
expect_eq "c mib.Tcp.AttemptFails" "$(jget "$TMP/c.json" mib.Tcp.AttemptFails)" 50

# 4. nobody there (ARP never answered): SYN retries, then timeout
"$PMTCP" -l 0-1 -m 512 $(eal d) -- --client 198.18.0.9:80 --server 80 \
	--connections 10 --tcp tcp_syn_retries=2 --tcp tcp_rto_initial_ms=100 \
	--json "$TMP/d.json" > "$TMP/d.out" 2>&1 ||
	{ cat "$TMP/d.out"; fail "run d exited non-zero"; }
expect_eq "d client.failed.timeout" "$(jget "$TMP/d.json" client.failed.timeout)" 10
expect_eq "d mib.Tcp.RetransSegs" "$(jget "$TMP/d.json" mib.Tcp.RetransSegs)" 20
expect_eq "d mib.TcpExt.TCPTimeouts" "$(jget "$TMP/d.json" mib.TcpExt.TCPTimeouts)" 10
expect_eq "d mempool back to start" "$(jget "$TMP/d.json" mempool.avail_end)" \
	"$(jget "$TMP/d.json" mempool.avail_start)"

# 5. one lcore runs both roles over both ports
"$PMTCP" -l 0 -m 1024 $(eal e) -- --client 198.18.0.1:80 --server 80 \
	--connections 20000 --json "$TMP/e.json" > "$TMP/e.out" 2>&1 ||
	{ cat "$TMP/e.out"; fail "run e exited non-zero"; }
expect_eq "e client.established" "$(jget "$TMP/e.json" client.established)" 20000
expect_eq "e server.accepted" "$(jget "$TMP/e.json" server.accepted)" 20000

# 6. nobody there, default knobs: the neighbour fails after 3 ARP requests
#    1 s apart and the handshakes end with EHOSTUNREACH (as Linux's
#    "No route to host"), before the SYN retries run out
"$PMTCP" -l 0-1 -m 512 $(eal f) -- --client 198.18.0.9:80 --server 80 \
	--connections 10 --json "$TMP/f.json" > "$TMP/f.out" 2>&1 ||
	{ cat "$TMP/f.out"; fail "run f exited non-zero"; }
expect_eq "f client.failed.unreachable" "$(jget "$TMP/f.json" client.failed.unreachable)" 10
expect_eq "f client.failed.timeout" "$(jget "$TMP/f.json" client.failed.timeout)" 0
expect_eq "f mib.Arp.OutRequests" "$(jget "$TMP/f.json" mib.Arp.OutRequests)" 3
expect_eq "f mib.Arp.ResolveFails" "$(jget "$TMP/f.json" mib.Arp.ResolveFails)" 1
expect_eq "f mib.Tcp.AttemptFails" "$(jget "$TMP/f.json" mib.Tcp.AttemptFails)" 10
expect_eq "f mempool back to start" "$(jget "$TMP/f.json" mempool.avail_end)" \
	"$(jget "$TMP/f.json" mempool.avail_start)"

# 7. open loop (--concurrency 0) against the server: every connection of
#    --connections offered at --rate, all accounted for
"$PMTCP" -l 0-1 -m 1024 $(eal g) -- --client 198.18.0.1:80 --server 80 \
	--concurrency 0 --rate 5000 --connections 5000 --json "$TMP/g.json" \
	> "$TMP/g.out" 2>&1 || { cat "$TMP/g.out"; fail "run g exited non-zero"; }
expect_eq "g client.attempted" "$(jget "$TMP/g.json" client.attempted)" 5000
expect_eq "g client.established" "$(jget "$TMP/g.json" client.established)" 5000
expect_eq "g server.accepted" "$(jget "$TMP/g.json" server.accepted)" 5000
for c in refused timeout reset unreachable local; do
	expect_eq "g client.failed.$c" "$(jget "$TMP/g.json" client.failed.$c)" 0
done
expect_eq "g mempool back to start" "$(jget "$TMP/g.json" mempool.avail_end)" \
	"$(jget "$TMP/g.json" mempool.avail_start)"

# 8. open loop to a host that never answers: all 1500 are open at once,
#    more than the closed loop's default --concurrency 1024 allows; each
#    ends unreachable (SYN held by the FAILED neighbour) or timed out
"$PMTCP" -l 0-1 -m 1024 $(eal h) -- --client 198.18.0.9:80 --server 80 \
	--concurrency 0 --connections 1500 --tcp tcp_syn_retries=1 \
	--json "$TMP/h.json" > "$TMP/h.out" 2>&1 ||
	{ cat "$TMP/h.out"; fail "run h exited non-zero"; }
max_open=$(awk '/^\[ *[0-9.]*s\] cps/ { for (i = 1; i < NF; i++)
	if ($i == "open" && $(i + 1) > m) m = $(i + 1) } END { print m + 0 }' "$TMP/h.out")
expect_eq "h most connections open at once" "$max_open" 1500
expect_eq "h client.attempted" "$(jget "$TMP/h.json" client.attempted)" 1500
expect_eq "h client.established" "$(jget "$TMP/h.json" client.established)" 0
expect_eq "h failed unreachable + timeout" \
	$(( $(jget "$TMP/h.json" client.failed.unreachable) + \
	    $(jget "$TMP/h.json" client.failed.timeout) )) 1500
expect_eq "h client.failed.local" "$(jget "$TMP/h.json" client.failed.local)" 0

# 9. open loop with the request workload: a request state per sock of
#    the connection table, every response received
"$PMTCP" -l 0-1 -m 1024 $(eal i) -- --client 198.18.0.1:80 --server 80 \
	--workload request --concurrency 0 --rate 4000 --connections 2000 \
	--json "$TMP/i.json" > "$TMP/i.out" 2>&1 ||
	{ cat "$TMP/i.out"; fail "run i exited non-zero"; }
expect_eq "i client.established" "$(jget "$TMP/i.json" client.established)" 2000
expect_eq "i client.responses.ok" "$(jget "$TMP/i.json" client.responses.ok)" 2000
expect_eq "i client.responses.bad" "$(jget "$TMP/i.json" client.responses.bad)" 0
expect_eq "i server.requests" "$(jget "$TMP/i.json" server.requests)" 2000
expect_eq "i client.failed.local" "$(jget "$TMP/i.json" client.failed.local)" 0

echo "9 passed, 0 failed"
