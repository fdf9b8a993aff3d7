#!/usr/bin/env bash
# pmtcp's client over net_af_packet on one end of a veth pair, the Linux
# kernel listening on the other end in a network namespace. Both ends live
# in namespaces this test creates, so no packet leaves them.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
	echo "SKIP: needs root and iproute2"
	exit 77
fi
NS_DUT=pmtcp_dut_$$
NS_PEER=pmtcp_peer_$$
cleanup_hook() {
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	ip netns del "$NS_DUT" 2>/dev/null
	ip netns del "$NS_PEER" 2>/dev/null
	return 0
}
ip netns add "$NS_DUT" || { echo "SKIP: cannot create namespaces"; exit 77; }
ip netns add "$NS_PEER"
ip link add pmv0 netns "$NS_DUT" type veth peer name pmv1 netns "$NS_PEER"
ip -n "$NS_DUT" link set lo up
ip -n "$NS_DUT" link set pmv0 up
ip -n "$NS_PEER" link set lo up
ip -n "$NS_PEER" addr add 198.18.10.1/24 dev pmv1
ip -n "$NS_PEER" link set pmv1 up
# veth leaves TCP checksums to "hardware"; af_packet would see them unfilled
ip netns exec "$NS_PEER" ethtool -K pmv1 tx off >/dev/null
ip netns exec "$NS_DUT" ethtool -K pmv0 tx off >/dev/null

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

# 2. a closed kernel port: refused after one SYN each
run_client closed 50 198.18.10.1:8081
expect_eq "closed: refused" "$(jget "$TMP/closed.json" client.failed.refused)" 50
expect_eq "closed: RetransSegs" "$(jget "$TMP/closed.json" mib.Tcp.RetransSegs)" 0

# 3. the kernel answers our ARP requests and we answer its
ip netns exec "$NS_PEER" ip neigh flush dev pmv1
run_client arp 1 198.18.10.1:8080
expect_eq "arp: established" "$(jget "$TMP/arp.json" client.established)" 1
echo "3 passed, 0 failed"
