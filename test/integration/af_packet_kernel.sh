#!/usr/bin/env bash
# pmtcp's client over net_af_packet on one end of a veth pair, the Linux
# kernel listening on the other end in a network namespace. Both ends live
# in namespaces this test creates, so no packet leaves them.
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nstat timeout
NS_DUT=pmtcp_dut_$$
NS_PEER=pmtcp_peer_$$
cleanup_hook() {
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	ip netns del "$NS_DUT" 2>/dev/null
	ip netns del "$NS_PEER" 2>/dev/null
	return 0
}
need_netns "$NS_DUT"
ip netns add "$NS_PEER"
ip link add pmv0 netns "$NS_DUT" type veth peer name pmv1 netns "$NS_PEER"
ip -n "$NS_DUT" link set lo up
ip -n "$NS_DUT" link set pmv0 up
ip -n "$NS_PEER" link set lo up
ip -n "$NS_PEER" addr add 198.18.10.1/24 dev pmv1
ip -n "$NS_PEER" link set pmv1 up
# Plain veths: TX checksum offload stays on, as the kernel sets it, so the
# kernel's segments reach pmtcp CHECKSUM_PARTIAL (the net_af_packet
# profile's rx_checksum_partial accepts them, PmtcpRxCsumPartial)

cat > "$TMP/listener.py" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4096)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.close()
PY
ip netns exec "$NS_PEER" /usr/bin/python3 "$TMP/listener.py" 198.18.10.1 8080 \
	> "$TMP/listener.out" 2>&1 &
LISTENER=$!
for _ in $(seq 50); do grep -q listening "$TMP/listener.out" && break; sleep 0.1; done
ip netns exec "$NS_PEER" nstat -n >/dev/null

run_client() {  # NAME CONNECTIONS TARGET [more pmtcp options]
	local name=$1 n=$2 target=$3
	shift 3
	ip netns exec "$NS_DUT" timeout 120 "$PMTCP" -l 0-1 -m 512 $(eal "$name") \
		--vdev=net_af_packet0,iface=pmv0 -- --ip 0,198.18.10.10/24 \
		--client "$target" --connections "$n" --json "$TMP/$name.json" "$@" \
		> "$TMP/$name.out" 2>&1 || { cat "$TMP/$name.out"; fail "$name: pmtcp exited non-zero"; }
}

# 1. 200 connections to the kernel's listener
run_client listen 200 198.18.10.1:8080
expect_eq "established" "$(jget "$TMP/listen.json" client.established)" 200
for c in refused timeout reset unreachable local; do
	expect_eq "failed.$c" "$(jget "$TMP/listen.json" client.failed.$c)" 0
done
passive=$(ip netns exec "$NS_PEER" nstat -a TcpPassiveOpens | awk '/TcpPassiveOpens/ {print $2}')
expect_eq "kernel TcpPassiveOpens" "$passive" 200
[ "$(jget "$TMP/listen.json" mib.Arp.OutRequests)" -ge 1 ] || fail "no ARP request sent"
pass "peer resolved by ARP"
expect_eq "mempool back to start" "$(jget "$TMP/listen.json" mempool.avail_end)" \
	"$(jget "$TMP/listen.json" mempool.avail_start)"
# the profile was picked by driver name, and it takes the kernel's
# CHECKSUM_PARTIAL segments: at least the 200 SYN-ACKs, and not one
# checksum error
grep -q "^  port 0 net_af_packet profile net_af_packet: .* rx-csum-partial" "$TMP/listen.out" ||
	{ cat "$TMP/listen.out"; fail "listen: port 0 did not get the net_af_packet profile with rx-csum-partial"; }
pass "listen: profile net_af_packet, rx-csum-partial"
partial=$(jget "$TMP/listen.json" mib.Pmtcp.RxCsumPartial)
[ "$partial" -ge 200 ] || fail "listen: PmtcpRxCsumPartial $partial, want >= 200 (one per SYN-ACK)"
pass "listen: PmtcpRxCsumPartial = $partial (>= 200)"
expect_eq "listen: TcpInCsumErrors" "$(jget "$TMP/listen.json" mib.Tcp.InCsumErrors)" 0
expect_eq "listen: DropTCP_CSUM" "$(jget "$TMP/listen.json" drops.TCP_CSUM)" 0

# 2. a closed kernel port: refused after one SYN each
run_client closed 50 198.18.10.1:8081
expect_eq "closed: refused" "$(jget "$TMP/closed.json" client.failed.refused)" 50
expect_eq "closed: RetransSegs" "$(jget "$TMP/closed.json" mib.Tcp.RetransSegs)" 0

# 3. the kernel answers our ARP requests and we answer its
ip netns exec "$NS_PEER" ip neigh flush dev pmv1
run_client arp 1 198.18.10.1:8080
expect_eq "arp: established" "$(jget "$TMP/arp.json" client.established)" 1

# 4. the same profile with rx_checksum_partial = no: every SYN-ACK of the
#    plain veth is a checksum error, as on a wire, and nothing connects
sed 's/^rx_checksum_partial = yes$/rx_checksum_partial = no/' \
	"$PMTCP_SOURCE_ROOT/drivers-config/net_af_packet.ini" > "$TMP/no_partial.ini"
grep -qx "rx_checksum_partial = no" "$TMP/no_partial.ini" ||
	fail "nopartial: net_af_packet.ini has no 'rx_checksum_partial = yes' line"
run_client nopartial 2 198.18.10.1:8080 --profile "$TMP/no_partial.ini" \
	--tcp tcp_syn_retries=1
grep -q "^  port 0 net_af_packet profile net_af_packet: " "$TMP/nopartial.out" &&
	! grep -q "rx-csum-partial" "$TMP/nopartial.out" ||
	{ cat "$TMP/nopartial.out"; fail "nopartial: rx_checksum_partial still on"; }
expect_eq "nopartial: established" "$(jget "$TMP/nopartial.json" client.established)" 0
expect_eq "nopartial: failed.timeout" "$(jget "$TMP/nopartial.json" client.failed.timeout)" 2
expect_eq "nopartial: PmtcpRxCsumPartial" "$(jget "$TMP/nopartial.json" mib.Pmtcp.RxCsumPartial)" 0
csum=$(jget "$TMP/nopartial.json" mib.Tcp.InCsumErrors)
[ "$csum" -ge 2 ] || fail "nopartial: TcpInCsumErrors $csum, want >= 2 (the SYN-ACKs)"
pass "nopartial: TcpInCsumErrors = $csum (>= 2)"
expect_eq "nopartial: DropTCP_CSUM == TcpInCsumErrors" \
	"$(jget "$TMP/nopartial.json" drops.TCP_CSUM)" "$csum"
echo "4 passed, 0 failed"
