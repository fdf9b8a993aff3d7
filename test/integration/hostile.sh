#!/usr/bin/env bash
# Bad input on the wire (issue 9, item 8): pmtcp's server on a veth
# (net_af_packet) against crafted peers (test/integration/hostile.py,
# scapy and raw AF_PACKET frames) and the Linux kernel as a curl client.
#   a1. SYN with MSS 12 + timestamps, then a request: no runaway sender
#   a2. MSS 1 + timestamps, --response-size 3000: no crash, the response
#       arrives in segments no larger than the MSS floor allows
#   b.  ACKs with a bogus TSecr (5,000,000 ms in the past, 100 s in the
#       future), then a lost segment: retransmitted within 3 s
#   c.  300 ARP frames from spoofed senders: new peers still get in
#   d.  20,000 malformed frames: pmtcp carries on
#   e.  a SYN flood from spoofed off-subnet sources beside curl
# Every case runs its own pmtcp and checks that it still serves a kernel
# curl and a fresh crafted peer afterwards, exits by itself at --duration
# with status 0, and has as many free mbufs at the end as at the start.
# A case that fails is reported and the next one still runs; the test
# fails if any did.
#
# The kernel peer's veth keeps TX checksum offload on (the default): the
# kernel's segments reach pmtcp as CHECKSUM_PARTIAL frames, as users have
# them.
#
# Namespaces (created here, addresses from 198.18.0.0/15 only):
#   DUT  hostile0 (pmtcp, 198.18.30.10/24 via --ip)
#   PEER hostile1 198.18.30.1/24: curl, and the crafted hosts
#        198.18.30.2-9 (MACs 02:00:5e:12:1e:0N) that hostile.py plays
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip curl timeout pkill
PY=/usr/bin/python3
[ -x "$PY" ] || skip "/usr/bin/python3 missing"
"$PY" -c 'import scapy.all' 2>/dev/null || skip "python3-scapy missing"
HOSTILE="$(cd "$(dirname "$0")" && pwd)/hostile.py"

NS_DUT=hostile_d_$$
NS_PEER=hostile_p_$$
DIP=198.18.30.10
KIP=198.18.30.1
BG_PIDS=()   # background processes of this test, ended by the cleanup
cleanup_hook() {  # runs under set -e from the EXIT trap: nothing may fail
	local p
	# SIGTERM to each (a `timeout`, which passes it on and SIGKILLs what
	# ignores it, or a subshell) and to its children
	for p in "${BG_PIDS[@]}"; do
		pkill -TERM -P "$p" 2>/dev/null || true
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	ip netns del "$NS_DUT" 2>/dev/null || true
	ip netns del "$NS_PEER" 2>/dev/null || true
	rm -rf /var/run/dpdk/pmtcp_it_$$_* 2>/dev/null || true  # EAL runtime dirs of eal()
	return 0
}
need_netns "$NS_DUT"
ip netns add "$NS_PEER"
ip link add hostile0 netns "$NS_DUT" type veth peer name hostile1 netns "$NS_PEER"
ip -n "$NS_DUT" link set lo up
ip -n "$NS_DUT" link set hostile0 up
ip -n "$NS_PEER" link set lo up
ip -n "$NS_PEER" addr add "$KIP/24" dev hostile1
ip -n "$NS_PEER" link set hostile1 up
DUT_MAC=$(ip -n "$NS_DUT" link show hostile0 | awk '/link\/ether/ { print $2 }')

# ---------------------------------------------------------------------------
# soft checks: a failed check marks its case failed, the test goes on
FAILED=()
CASE=
CASE_BAD=0
check() {  # WHAT GOT WANT
	if [ "$2" = "$3" ]; then
		pass "$CASE: $1 = $3"
	else
		echo "FAIL: $CASE: $1: got $2, want $3" >&2
		CASE_BAD=1
	fi
}
check_range() {  # WHAT GOT MIN MAX
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		pass "$CASE: $1 = $2 (in [$3, $4])"
	else
		echo "FAIL: $CASE: $1: got $2, want [$3, $4]" >&2
		CASE_BAD=1
	fi
}
case_begin() { CASE=$1; CASE_BAD=0; echo "== case $1: $2 (t = ${SECONDS} s)"; }
case_end() {
	if [ "$CASE_BAD" = 0 ]; then
		echo "== case $CASE passed (t = ${SECONDS} s)"
	else
		echo "== case $CASE FAILED (t = ${SECONDS} s)"
		FAILED+=("$CASE")
	fi
}
# j NAME PATH: a value of pmtcp's JSON summary, "missing" if there is none
j() { jget "$TMP/$1.json" "$2" 2>/dev/null || echo missing; }
# hv FILE KEY: a "key value" line of hostile.py's output, "missing" if none
hv() { awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "missing" : v) }' "$1"; }
hostile() {  # OUT CMD [args]: hostile.py in the peer namespace, output to OUT
	local o=$1
	shift
	ip netns exec "$NS_PEER" timeout -k 2 60 "$PY" "$HOSTILE" "$@" --iface hostile1 \
		--dmac "$DUT_MAC" --dip "$DIP" --subnet 198.18.30 > "$o" 2>&1 || true
}

# dut_start NAME DURATION [pmtcp options]: pmtcp's server on hostile0,
# port 8080, in the background; DUT_PID, DUT_DUR and DUT_UP (when it had
# started, ns) set. Its address is DUT_IP (--ip) when set, else
# 0,198.18.30.10/24. Each case's DURATION is about twice what its traffic
# takes on an idle machine.
dut_start() {
	local name=$1 i
	DUT_DUR=$2
	shift 2
	: > "$TMP/$name.out"
	ip netns exec "$NS_DUT" timeout -k 3 $((DUT_DUR + 20)) "$PMTCP" -l 0 -m 256 $(eal "$name") \
		--vdev=net_af_packet0,iface=hostile0 -- --ip "${DUT_IP:-0,$DIP/24}" --server 8080 \
		--duration "$DUT_DUR" --json "$TMP/$name.json" "$@" > "$TMP/$name.out" 2>&1 &
	DUT_PID=$!
	BG_PIDS+=("$DUT_PID")
	CAP_PID=
	if [ -n "${HOSTILE_PCAP:-}" ]; then   # a capture per case, to debug with
		ip netns exec "$NS_PEER" tcpdump -i hostile1 -n -U -s 256 -B 16384 \
			-w "$HOSTILE_PCAP/$name.pcap" 2> /dev/null &
		CAP_PID=$!
		BG_PIDS+=("$CAP_PID")
	fi
	for i in $(seq 400); do
		if grep -q "^pmtcp: " "$TMP/$name.out"; then
			DUT_UP=$(date +%s%N)
			return 0
		fi
		kill -0 "$DUT_PID" 2>/dev/null || break
		sleep 0.025
	done
	cat "$TMP/$name.out"
	fail "$name: pmtcp did not start"
}
# traffic_done: the case's traffic (curl included) ended while pmtcp was
# still within its --duration; if not, the machine was too slow for the
# case's timing, and what failed after that says nothing about pmtcp
traffic_done() {
	local ms=$((($(date +%s%N) - DUT_UP) / 1000000))
	check_range "traffic over before --duration $DUT_DUR s ended (ms since start)" "$ms" 0 \
		$((DUT_DUR * 1000 - 250))
}
# dut_end NAME: pmtcp must end by itself at --duration (plus its drain and
# linger) with status 0, print its per-second line all along (a stalled or
# runaway loop stops them, or prints them late), and give every mbuf back
dut_end() {
	local name=$1 rc=0 ms lines gap
	wait "$DUT_PID" || rc=$?
	ms=$((($(date +%s%N) - DUT_UP) / 1000000))
	if [ -n "$CAP_PID" ]; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		wait "$CAP_PID" 2>/dev/null || true
	fi
	check "pmtcp exit status (124/137: killed, it did not stop at --duration)" "$rc" 0
	# --duration, then up to 3 s for open connections and 200 ms of linger
	check_range "pmtcp run time, ms (--duration $DUT_DUR)" "$ms" $((DUT_DUR * 1000 - 500)) \
		$((DUT_DUR * 1000 + 5000))
	lines=$(grep -cE '^\[ *[0-9.]+s\] cps' "$TMP/$name.out" || true)
	check_range "per-second lines" "$lines" $((DUT_DUR - 1)) $((DUT_DUR + 5))
	gap=$(awk '/^\[ *[0-9.]+s\] cps/ { t = substr($0, 2, index($0, "s]") - 2) + 0
		if ((t - p) * 1000 > g) g = (t - p) * 1000; p = t }
		END { printf "%d\n", g + 0 }' "$TMP/$name.out")
	check_range "longest time between per-second lines, ms" "$gap" 0 1500
	check "mempool.avail_end == mempool.avail_start ($(j "$name" mempool.avail_start))" \
		"$(j "$name" mempool.avail_end)" "$(j "$name" mempool.avail_start)"
	if [ "$rc" != 0 ]; then
		echo "--- $name: pmtcp's output (last 20 lines)"
		tail -20 "$TMP/$name.out"
	fi
	echo "$name: port 0: ipackets $(j "$name" ports.0.ipackets) imissed $(j "$name" ports.0.imissed)" \
		"opackets $(j "$name" ports.0.opackets) oerrors $(j "$name" ports.0.oerrors);" \
		"hostile0 RX since the test began (kernel) $(ip -n "$NS_DUT" -s link show hostile0 |
			awk '/RX:/ { getline; print $2 " dropped " $4 }')"
	echo "$name: non-zero counters and drops:" $(awk '/^counters/ { f = 1; next } f && NF == 2 { printf "%s=%s ", $1, $2 }' "$TMP/$name.out")
}
# curl1 NAME BODY: one request from the kernel's curl; true when it was a
# 200 with BODY bytes of body (CURL_CODE: the HTTP code, 000 for none)
curl1() {
	CURL_CODE=$(ip netns exec "$NS_PEER" curl -s --connect-timeout 3 -m 4 \
		-o "$TMP/$1.curl" -w '%{http_code}' "http://$DIP:8080/") || true
	[ "$CURL_CODE" = 200 ] && [ "$(wc -c < "$TMP/$1.curl")" = "$2" ]
}
# kcurl NAME N BODY: N requests from the kernel's curl, one after another,
# each a 200 with BODY bytes of body; stops at the first that is not
# (the rest would fail the same way, each after its timeout)
kcurl() {
	local name=$1 n=$2 body=$3 i ok=0
	for i in $(seq "$n"); do
		curl1 "$name" "$body" || { echo "$name: curl $i: HTTP code '$CURL_CODE'"; break; }
		ok=$((ok + 1))
	done
	KCURL_OK=$ok
	check "kernel curl requests answered 200 with $body body bytes" "$ok" "$n"
}
# fresh_peer NAME HOSTNUM BODY: one plain fetch from a crafted host that
# pmtcp has not seen (198.18.30.HOSTNUM): a new peer still gets in
fresh_peer() {
	local name=$1 h=$2 body=$3
	hostile "$TMP/$name.fresh" fetch --ip 198.18.30.$h --mac 02:00:5e:12:1e:0$h \
		--sport 45000 --body "$body" --timeout 4 --watch 0.3
	echo "$name fresh peer:" $(tr '\n' ' ' < "$TMP/$name.fresh")
	check "fresh peer 198.18.30.$h: established" "$(hv "$TMP/$name.fresh" established)" 1
	check "fresh peer 198.18.30.$h: whole response" "$(hv "$TMP/$name.fresh" body_ok)" 1
	FRESH_OK=0
	[ "$(hv "$TMP/$name.fresh" body_ok)" = 1 ] && FRESH_OK=1
	return 0
}

# ---------------------------------------------------------------------------
# a1. MSS 12 plus timestamps: 12 - 12 bytes of options left pmtcp an MSS
#     of 0 and it sent zero-length segments forever. Linux 4.17's
#     __tcp_mtu_to_mss() floors the MSS at 48 (36 data bytes with
#     timestamps): the 144-byte response comes in a few segments and then
#     nothing more.
case_a1() {
	case_begin a1 "SYN with MSS 12 + timestamps, then a request"
	dut_start a1 8
	hostile "$TMP/a1.peer" fetch --ip 198.18.30.2 --mac 02:00:5e:12:1e:02 --sport 40000 \
		--mss 12 --body 64 --timeout 2 --watch 1
	cat "$TMP/a1.peer" | tr '\n' ' '; echo
	check "crafted peer: established" "$(hv "$TMP/a1.peer" established)" 1
	check "crafted peer: whole response (64 body bytes)" "$(hv "$TMP/a1.peer" body_ok)" 1
	check_range "segments from pmtcp on the connection" "$(hv "$TMP/a1.peer" segments)" 2 40
	check_range "pure ACKs (zero-length segments) from pmtcp" "$(hv "$TMP/a1.peer" pure_acks)" 0 5
	check_range "segments after the response, in 1 s" "$(hv "$TMP/a1.peer" after_segments)" 0 3
	check_range "largest data segment (MSS floor 48)" "$(hv "$TMP/a1.peer" max_len)" 1 48
	kcurl a1 2 64
	traffic_done
	dut_end a1
	case_end
}

# a2. MSS 1 plus timestamps: the MSS wrapped to 65525 and a 3000-byte
#     response was built past the mbuf's end (a segfault)
case_a2() {
	case_begin a2 "SYN with MSS 1 + timestamps, --response-size 3000"
	dut_start a2 8 --response-size 3000
	hostile "$TMP/a2.peer" fetch --ip 198.18.30.3 --mac 02:00:5e:12:1e:03 --sport 40001 \
		--mss 1 --body 3000 --timeout 3 --watch 0.5
	cat "$TMP/a2.peer" | tr '\n' ' '; echo
	check "crafted peer: established" "$(hv "$TMP/a2.peer" established)" 1
	check "crafted peer: whole response (3000 body bytes)" "$(hv "$TMP/a2.peer" body_ok)" 1
	check_range "largest data segment (MSS floor 48)" "$(hv "$TMP/a2.peer" max_len)" 1 48
	check_range "segments from pmtcp on the connection" "$(hv "$TMP/a2.peer" segments)" 65 300
	check_range "pure ACKs from pmtcp" "$(hv "$TMP/a2.peer" pure_acks)" 0 5
	kcurl a2 2 3000
	traffic_done
	dut_end a2
	case_end
}

# ---------------------------------------------------------------------------
# b. Two responses acknowledged with a bogus TSecr each, on two
#    connections at once: 5,000,000 ms before pmtcp's TSval, and 100 s
#    after it. Linux 4.17's tcp_ack_update_rtt() ignores a TSecr delta
#    outside 0 .. INT_MAX / 1000 ms, and the RTO stays within
#    [tcp_rto_min, tcp_rto_max]: the third response, never acknowledged,
#    is retransmitted after about the RTO (200 ms to 1 s here), not after
#    minutes. The peer waits 6 s for it.
case_b() {
	case_begin b "ACKs with a bogus TSecr, then a lost segment"
	dut_start b 12
	hostile "$TMP/b.past" tsecr --mode past --ip 198.18.30.2 --mac 02:00:5e:12:1e:02 \
		--sport 40002 --wait 6 &
	bp=$!
	BG_PIDS+=("$bp")
	hostile "$TMP/b.future" tsecr --mode future --ip 198.18.30.3 --mac 02:00:5e:12:1e:03 \
		--sport 40003 --wait 6
	wait "$bp" || true
	for m in past future; do
		echo "b $m:" $(tr '\n' ' ' < "$TMP/b.$m")
		check "$m TSecr: established" "$(hv "$TMP/b.$m" established)" 1
		check "$m TSecr: the unacknowledged response seen" "$(hv "$TMP/b.$m" first_seen)" 1
		check_range "$m TSecr: its retransmission after, ms" "$(hv "$TMP/b.$m" retransmit_ms)" 150 3000
	done
	kcurl b 2 64
	fresh_peer b 4 64
	traffic_done
	dut_end b
	check_range "mib.Tcp.RetransSegs" "$(j b mib.Tcp.RetransSegs)" 2 20
	check_range "mib.TcpExt.TCPTimeouts" "$(j b mib.TcpExt.TCPTimeouts)" 2 20
	case_end
}

# ---------------------------------------------------------------------------
# c. 300 ARP frames from distinct spoofed senders, half requests for
#    pmtcp's address, half unsolicited replies, 20 % from another subnet:
#    they filled the 256-entry neighbour table for good. Linux's
#    arp_process() creates entries only for requests for our address (and
#    replies to its own requests) from senders reachable through the
#    interface; then a fresh crafted host and the kernel still get in.
case_c() {
	case_begin c "300 spoofed ARP frames, then new peers"
	# a 64-entry table (neigh.default.gc_thresh3), so that the 120
	# on-subnet requests fill it and new peers need eviction
	dut_start c 8 --tcp neigh.default.gc_thresh3=64
	hostile "$TMP/c.arp" arp --count 300 --pps 1000 --offnet-frac 0.2
	echo "c:" $(tr '\n' ' ' < "$TMP/c.arp")
	check "ARP frames sent (requests + replies)" \
		"$(hv "$TMP/c.arp" requests)+$(hv "$TMP/c.arp" replies)" "150+150"
	check "distinct spoofed senders" "$(hv "$TMP/c.arp" senders)" 300
	fresh_peer c 5 64
	kcurl c 3 64
	traffic_done
	dut_end c
	check "mib.Arp.TableFull" "$(j c mib.Arp.TableFull)" 0
	check "drops.ARP_TABLE_FULL" "$(j c drops.ARP_TABLE_FULL)" 0
	check_range "mib.Arp.ForcedGcRuns (stale spoofed entries evicted)" \
		"$(j c mib.Arp.ForcedGcRuns)" 1 1000
	case_end
}

# ---------------------------------------------------------------------------
# d. 20,000 malformed frames at 10,000/s: random flags, data offsets
#    0-15, truncated headers, wrong IP lengths, IP options, fragments,
#    random TCP options, bad checksums, martian addresses, other protocols
#    and EtherTypes, broken ARP; every 5th aimed at a connection the
#    crafted host holds established.
case_d() {
	case_begin d "20,000 malformed frames"
	dut_start d 12
	hostile "$TMP/d.burst" malformed --count 20000 --pps 10000 --ip 198.18.30.6 \
		--mac 02:00:5e:12:1e:06 --sport 40006
	echo "d:" $(tr '\n' ' ' < "$TMP/d.burst")
	check "crafted connection established before the burst" "$(hv "$TMP/d.burst" established)" 1
	check "malformed frames sent" "$(hv "$TMP/d.burst" sent)" 20000
	fresh_peer d 7 64
	kcurl d 3 64
	traffic_done
	dut_end d
	# every frame but the fragments and 802.1Q frames the kernel keeps
	# from an af_packet socket (see hostile.py) reached pmtcp
	check_range "frames pmtcp's port received (ports.0.ipackets)" "$(j d ports.0.ipackets)" \
		$((20000 - $(hv "$TMP/d.burst" undeliverable))) 100000
	case_end
}

# ---------------------------------------------------------------------------
# e. SYNs from spoofed sources in 198.19.0.0/16 (another subnet; pmtcp's
#    SYN-ACKs go to its gateway, the kernel, which does not forward them),
#    3000/s for 6 s, at a listener whose SYN queue (4096) overflows into
#    SYN cookies, while the kernel's curl makes one request after another
#    (20 or more); then 3 more and a fresh crafted host once the flood is
#    over.
case_e() {
	case_begin e "SYN flood from spoofed sources beside curl"
	DUT_IP=0,$DIP/24,$KIP dut_start e 16
	( hostile "$TMP/e.flood" synflood --secs 6 --pps 3000 --mac 02:00:5e:12:1e:09 ) &
	fl=$!
	BG_PIDS+=("$fl")
	for _ in $(seq 100); do
		grep -q "^flooding" "$TMP/e.flood" 2>/dev/null && break
		sleep 0.05
	done
	check "flood started" "$(hv "$TMP/e.flood" flooding)" 1
	# curl, one request after another, for as long as the flood runs
	n_during=0
	ok_during=0
	while kill -0 "$fl" 2>/dev/null && [ "$n_during" -lt 40 ]; do
		n_during=$((n_during + 1))
		curl1 e 64 || { echo "e: curl $n_during during the flood: HTTP code '$CURL_CODE'"; break; }
		ok_during=$((ok_during + 1))
		sleep 0.1
	done
	check_range "kernel curl requests made while the flood ran" "$n_during" 5 40
	check "kernel curl requests answered 200 with 64 body bytes during the flood" \
		"$ok_during" "$n_during"
	wait "$fl" || true
	echo "e:" $(tr '\n' ' ' < "$TMP/e.flood")
	check "SYNs flooded" "$(hv "$TMP/e.flood" sent)" 18000
	kcurl e 3 64
	fresh_peer e 8 64
	traffic_done
	dut_end e
	check_range "mib.TcpExt.SyncookiesSent" "$(j e mib.TcpExt.SyncookiesSent)" 1000 18000
	check "server.requests (curl and the fresh peer only)" "$(j e server.requests)" \
		$((ok_during + KCURL_OK + FRESH_OK))
	case_end
}

# ---------------------------------------------------------------------------
# HOSTILE_CASES="a1 d" runs only those (when working on one); the default
# and the test suite run them all. HOSTILE_PCAP=DIR keeps a capture of
# each case's traffic on the peer's veth in DIR/<case>.pcap.
ALL_CASES="a1 a2 b c d e"
RAN=0
for c in ${HOSTILE_CASES:-$ALL_CASES}; do
	[[ " $ALL_CASES " == *" $c "* ]] || fail "HOSTILE_CASES: no case '$c' (cases: $ALL_CASES)"
	"case_$c"
	RAN=$((RAN + 1))
done
if [ ${#FAILED[@]} -gt 0 ]; then
	echo "hostile: ${#FAILED[@]} of $RAN case(s) failed: ${FAILED[*]}"
	exit 1
fi
echo "hostile: all $RAN cases passed"
