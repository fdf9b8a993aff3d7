#!/usr/bin/env bash
# dpdk-dumpcap attached to a running pmtcp: pmtcp calls rte_pdump_init(),
# so a secondary process can capture any of its ports. A secondary must
# map the primary's memory: pmtcp runs on hugepages here (this test
# reserves them and gives the old count back). Against a --no-huge pmtcp
# dpdk-dumpcap cannot attach, as docs/analysis.md says.
. "$(dirname "$0")/lib.sh"

need_root   # hugepages, a hugetlbfs mount, /var/run/dpdk
need_tools dpdk-dumpcap tshark mount umount timeout

pages=/proc/sys/vm/nr_hugepages
old_pages=$(cat "$pages")
huge=$TMP/huge
pid=
cleanup_hook() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	mountpoint -q "$huge" && umount "$huge"
	echo "$old_pages" > "$pages"
	rm -rf /var/run/dpdk/pmtcp_it_$$_*
}
# 512 more 2 MB pages, in a hugetlbfs of this test's own
echo $((old_pages + 512)) > "$pages"
free=$(awk '/^HugePages_Free/ {print $2}' /proc/meminfo)
[ "$free" -ge 400 ] || skip "cannot reserve 2 MB hugepages ($free free)"
mkdir -p "$huge"
mount -t hugetlbfs -o pagesize=2M nodev "$huge" || skip "cannot mount hugetlbfs"

# 1. pmtcp on hugepages, a modest rate; dpdk-dumpcap on port 0
prefix=pmtcp_it_$$_dump
"$PMTCP" -l 0-1 -m 512 --no-pci --huge-dir "$huge" --file-prefix "$prefix" -- \
	--client 198.18.0.1:80 --server 80 --rate 2000 --duration 8 \
	> "$TMP/run.out" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q '^  port 1 ' "$TMP/run.out" && break
	sleep 0.1
done
grep -q '^  port 1 ' "$TMP/run.out" || { cat "$TMP/run.out"; fail "pmtcp did not start"; }
timeout 30 dpdk-dumpcap --file-prefix "$prefix" -i 0 -c 200 \
	-w "$TMP/d.pcapng" > "$TMP/dumpcap.out" 2>&1 ||
	{ cat "$TMP/dumpcap.out"; fail "dpdk-dumpcap exited non-zero"; }
wait "$pid" || { cat "$TMP/run.out"; fail "pmtcp exited non-zero"; }
pid=
# (it receives a few more than it writes before it stops)
grep -q "Packets received/dropped on interface 'net_ring_pmtcp_lb0': [0-9]*/0 " \
	"$TMP/dumpcap.out" || { cat "$TMP/dumpcap.out"; fail "dpdk-dumpcap: port 0 not captured, or drops"; }
pass "dpdk-dumpcap: port 0 (net_ring_pmtcp_lb0) captured, none dropped"
# -c 200: it stops after the burst that reaches 200
n=$(tshark -r "$TMP/d.pcapng" 2>/dev/null | wc -l)
[ "$n" -ge 200 ] && [ "$n" -lt 300 ] || fail "frames in the file: $n, want 200 and a burst at most"
pass "$n frames in the file (-c 200)"
syn=$(tshark -r "$TMP/d.pcapng" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' 2>/dev/null | wc -l)
[ "$syn" -gt 0 ] || fail "no TCP SYN in the dpdk-dumpcap file"
pass "$syn TCP SYNs in the dpdk-dumpcap file"
# port 0 is the client's: its SYNs go from 198.18.0.2 to port 80
expect_eq "SYNs not from 198.18.0.2 to 198.18.0.1:80" "$(tshark -r "$TMP/d.pcapng" \
	-Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && !(ip.src==198.18.0.2 && ip.dst==198.18.0.1 && tcp.dstport==80)' \
	2>/dev/null | wc -l)" 0

# 2. without hugepages there is nothing a secondary can map: dpdk-dumpcap
#    fails to attach (and pmtcp runs on, undisturbed)
prefix=pmtcp_it_$$_nohuge
"$PMTCP" -l 0-1 -m 512 --no-huge --no-pci --file-prefix "$prefix" -- \
	--client 198.18.0.1:80 --server 80 --rate 2000 --duration 4 \
	> "$TMP/run2.out" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q '^  port 1 ' "$TMP/run2.out" && break
	sleep 0.1
done
if timeout 30 dpdk-dumpcap --file-prefix "$prefix" -i 0 -c 10 \
	-w "$TMP/n.pcapng" > "$TMP/dumpcap2.out" 2>&1; then
	fail "dpdk-dumpcap attached to a --no-huge pmtcp"
fi
grep -q 'Cannot get hugepage information' "$TMP/dumpcap2.out" ||
	{ cat "$TMP/dumpcap2.out"; fail "dpdk-dumpcap failed, but not for want of hugepages"; }
pass "dpdk-dumpcap cannot attach to a --no-huge pmtcp: no hugepage information"
wait "$pid" || { cat "$TMP/run2.out"; fail "pmtcp (--no-huge) exited non-zero"; }
pid=
pass "pmtcp (--no-huge) ran on"
