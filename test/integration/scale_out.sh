#!/usr/bin/env bash
# Scale out: several lcores per port, each a queue, over the embedded ring
# pair whose wire emulates RSS (and, with --no-rss-emulation, does not:
# software steering); an address range holding 2,000,000 connections with
# --close none; two pmtcp processes joined by memif with 2 queue pairs.
. "$(dirname "$0")/lib.sh"

# lcores[] summed over KEY (jq-less)
lsum() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
print(sum(l[sys.argv[2]] for l in json.load(open(sys.argv[1]))["lcores"]))
PY
}
# every lcores[] entry has established or accepted above 0: prints how many
lbusy() {
	/usr/bin/python3 - "$1" <<'PY'
import json, sys
print(sum(1 for l in json.load(open(sys.argv[1]))["lcores"]
          if l["established"] > 0 or l["accepted"] > 0))
PY
}

# 1. emulated RSS: lcores 0,1 on port 0 (clients), 2,3 on port 1 (servers)
"$PMTCP" --lcores 0@0,1@1,2@0,3@1 -m 2048 $(eal rss) -- \
	--client 198.18.0.1:80 --server 80 --connections 200000 \
	--json "$TMP/rss.json" > "$TMP/rss.out" 2>&1 ||
	{ cat "$TMP/rss.out"; fail "emulated RSS run exited non-zero"; }
grep -q 'lcores 0,1' "$TMP/rss.out" || { cat "$TMP/rss.out"; fail "port 0 is not on lcores 0,1"; }
grep -q 'lcores 2,3' "$TMP/rss.out" || { cat "$TMP/rss.out"; fail "port 1 is not on lcores 2,3"; }
grep -q 'emulating Toeplitz RSS' "$TMP/rss.out" || fail "the banner does not say RSS"
expect_eq "rss client.established" "$(jget "$TMP/rss.json" client.established)" 200000
expect_eq "rss server.accepted" "$(jget "$TMP/rss.json" server.accepted)" 200000
expect_eq "rss lcores" "$(jget "$TMP/rss.json" lcores | python3 -c 'import sys,ast; print(len(ast.literal_eval(sys.stdin.read())))')" 4
expect_eq "rss lcores with connections" "$(lbusy "$TMP/rss.json")" 4
expect_eq "rss steered_in" "$(lsum "$TMP/rss.json" steered_in)" 0
# four pollers on the CPUs there are: a descheduled lcore's ring may
# overflow now and then (retransmitted after the RTO); not 1 % of them
retr=$(jget "$TMP/rss.json" mib.Tcp.RetransSegs)
[ "$retr" -lt 2000 ] || fail "rss: $retr retransmissions for 200000 connections"
pass "rss mib.Tcp.RetransSegs = $retr (< 2000)"
for q in 0 1; do
	expect_eq "rss lcores.$q.queue" "$(jget "$TMP/rss.json" lcores.$q.queue)" $q
	expect_eq "rss lcores.$((q + 2)).port" "$(jget "$TMP/rss.json" lcores.$((q + 2)).port)" 1
done
expect_eq "rss mempool back to start" "$(jget "$TMP/rss.json" mempool.avail_end)" \
	"$(jget "$TMP/rss.json" mempool.avail_start)"

# 2. the same with the emulation off: the wire spreads by a hash the
# stacks do not know, and replies reach their lcore through its inbox
"$PMTCP" --lcores 0@0,1@1,2@0,3@1 -m 2048 $(eal sw) -- \
	--client 198.18.0.1:80 --server 80 --connections 200000 \
	--no-rss-emulation --json "$TMP/sw.json" > "$TMP/sw.out" 2>&1 ||
	{ cat "$TMP/sw.out"; fail "software steering run exited non-zero"; }
grep -q 'without RSS emulation' "$TMP/sw.out" || fail "the banner does not say software steering"
expect_eq "sw client.established" "$(jget "$TMP/sw.json" client.established)" 200000
expect_eq "sw server.accepted" "$(jget "$TMP/sw.json" server.accepted)" 200000
sin=$(lsum "$TMP/sw.json" steered_in)
[ "$sin" -gt 0 ] || fail "sw: steered_in is $sin, want > 0"
pass "sw steered_in = $sin"
expect_eq "sw steered_in == steered_out" "$(lsum "$TMP/sw.json" steered_out)" "$sin"
expect_eq "sw mib.Pmtcp.SteeredIn" "$(jget "$TMP/sw.json" mib.Pmtcp.SteeredIn)" "$sin"
expect_eq "sw mib.Pmtcp.SteerDrops" "$(jget "$TMP/sw.json" mib.Pmtcp.SteerDrops)" 0
expect_eq "sw mib.Tcp.OutRsts (the client's own)" "$(jget "$TMP/sw.json" mib.Tcp.OutRsts)" 200000
expect_eq "sw mempool back to start" "$(jget "$TMP/sw.json" mempool.avail_end)" \
	"$(jget "$TMP/sw.json" mempool.avail_start)"

# 3. 100 source addresses hold 2,000,000 connections until the run ends
"$PMTCP" -l 0-1 -m 8192 $(eal hold) -- --ip 0,198.18.0.2-198.18.0.101/24 \
	--client 198.18.0.1:80 --server 80 --connections 2000000 \
	--concurrency 2000000 --close none --duration 60 --quiet \
	--json "$TMP/hold.json" > "$TMP/hold.out" 2>&1 ||
	{ tail -40 "$TMP/hold.out"; fail "hold run exited non-zero"; }
grep -q '198.18.0.2-198.18.0.101/24' "$TMP/hold.out" || fail "hold: the banner has no address range"
expect_eq "hold client.established" "$(jget "$TMP/hold.json" client.established)" 2000000
expect_eq "hold client.concurrent_max" "$(jget "$TMP/hold.json" client.concurrent_max)" 2000000
expect_eq "hold client.closed_by_peer" "$(jget "$TMP/hold.json" client.closed_by_peer)" 0
# the reset at the end reaches every one (paced by the TX batch)
expect_eq "hold server.reset_by_peer" "$(jget "$TMP/hold.json" server.reset_by_peer)" 2000000
expect_eq "hold mib.Pmtcp.TxDrops" "$(jget "$TMP/hold.json" mib.Pmtcp.TxDrops)" 0
bpc=$(jget "$TMP/hold.json" memory.bytes_per_connection)
/usr/bin/python3 -c "import sys; sys.exit(0 if 0 < $bpc <= 256 else 1)" ||
	fail "hold: memory.bytes_per_connection $bpc, want at most 256"
pass "hold memory.bytes_per_connection = $bpc"
expect_eq "hold mib.Pmtcp.PortsExhausted" "$(jget "$TMP/hold.json" mib.Pmtcp.PortsExhausted)" 0
expect_eq "hold mempool back to start" "$(jget "$TMP/hold.json" mempool.avail_end)" \
	"$(jget "$TMP/hold.json" mempool.avail_start)"

# 4. two processes over memif, 2 queue pairs each (queue i to queue i)
SOCK="$TMP/memif.sock"
"$PMTCP" -l 0-1 -m 1024 $(eal msrv) \
	--vdev="net_memif0,role=server,socket=$SOCK,socket-abstract=no" -- \
	--ip 0,198.18.0.1/24 --server 80 --duration 60 --quiet \
	--json "$TMP/msrv.json" > "$TMP/msrv.out" 2>&1 &
srv=$!
cleanup_hook() { kill -INT "$srv" 2>/dev/null || true; }
for _ in $(seq 100); do
	grep -q '^  port 0 net_memif' "$TMP/msrv.out" && break
	sleep 0.1
done
grep -q '^  port 0 net_memif' "$TMP/msrv.out" || { cat "$TMP/msrv.out"; fail "memif server did not come up"; }
"$PMTCP" -l 0-1 -m 1024 $(eal mcli) \
	--vdev="net_memif0,role=client,socket=$SOCK,socket-abstract=no" -- \
	--ip 0,198.18.0.2/24 --client 198.18.0.1:80 --connections 20000 --quiet \
	--json "$TMP/mcli.json" > "$TMP/mcli.out" 2>&1 ||
	{ cat "$TMP/mcli.out"; fail "memif client exited non-zero"; }
kill -INT "$srv"
wait "$srv" || { cat "$TMP/msrv.out"; fail "memif server exited non-zero"; }
cleanup_hook() { :; }
grep -q 'queues paired' "$TMP/mcli.out" || fail "memif: the banner does not say paired queues"
expect_eq "memif client.established" "$(jget "$TMP/mcli.json" client.established)" 20000
expect_eq "memif server.accepted" "$(jget "$TMP/msrv.json" server.accepted)" 20000
for side in mcli msrv; do
	expect_eq "memif $side lcores with connections" "$(lbusy "$TMP/$side.json")" 2
	expect_eq "memif $side steered_in" "$(lsum "$TMP/$side.json" steered_in)" 0
	expect_eq "memif $side lcores.1.queue" "$(jget "$TMP/$side.json" lcores.1.queue)" 1
done

# 5. bad configuration: one clear line each
if "$PMTCP" -l 0-1 -m 256 $(eal bad1) -- --client 198.18.0.1:80 --server 80 \
	--port-lcores 0:7 > "$TMP/bad1.out" 2>&1; then fail "--port-lcores 0:7 accepted"; fi
grep -q "lcore 7 is not one of EAL's" "$TMP/bad1.out" || { cat "$TMP/bad1.out"; fail "bad1 message"; }
if "$PMTCP" -l 0-1 -m 256 $(eal bad2) -- --ip 0,198.18.0.250-198.18.1.3/24 \
	--client 198.18.0.1:80 --server 80 > "$TMP/bad2.out" 2>&1; then fail "range across subnets accepted"; fi
grep -q "leaves the /24 subnet" "$TMP/bad2.out" || { cat "$TMP/bad2.out"; fail "bad2 message"; }
pass "bad configuration refused with a reason"

# 6. target and port ranges: 3 targets x 5 ports in turn, the server on
# 3 addresses and 4 of the ports: exactly a fifth refused, each target's
# address resolved once
"$PMTCP" -l 0-1 -m 1024 $(eal ranges) -- --ip 0,198.18.0.10/24 \
	--ip 1,198.18.0.1-198.18.0.3/24 --client 198.18.0.1-198.18.0.3:8080-8084 \
	--server 8080-8083 --connections 15000 --json "$TMP/ranges.json" \
	> "$TMP/ranges.out" 2>&1 || { cat "$TMP/ranges.out"; fail "ranges run exited non-zero"; }
expect_eq "ranges client.established" "$(jget "$TMP/ranges.json" client.established)" 12000
expect_eq "ranges client.failed.refused" "$(jget "$TMP/ranges.json" client.failed.refused)" 3000
expect_eq "ranges server.accepted" "$(jget "$TMP/ranges.json" server.accepted)" 12000
expect_eq "ranges mib.Arp.OutReplies (one per target)" "$(jget "$TMP/ranges.json" mib.Arp.OutReplies)" 3
if "$PMTCP" -l 0-1 -m 256 $(eal bad3) -- --client 198.18.0.1:80 \
	--server 1000-1100 > "$TMP/bad3.out" 2>&1; then fail "--server 1000-1100 accepted"; fi
grep -q "at most 64 ports" "$TMP/bad3.out" || { cat "$TMP/bad3.out"; fail "bad3 message"; }
pass "ranges"
