#!/usr/bin/env bash
# --pcap: pmtcp's own capture (rte_pcapng), read back with tshark. Over
# the embedded ring pair every frame is in the file twice, as port 0 (the
# client side, pcapng interface 0) and port 1 (interface 1) saw it.
. "$(dirname "$0")/lib.sh"

need_tools tshark
# this test's runtime directories (DPDK leaves them behind)
cleanup_hook() { rm -rf /var/run/dpdk/pmtcp_it_$$_*; }

# written FILE.out: the frame count of pmtcp's "capture:" line
written() { sed -n 's/^capture: \([0-9]*\) frames written.*/\1/p' "$1"; }
# tsh ARGS...: tshark, without its "running as root" note
tsh() { tshark "$@" 2>/dev/null; }

# handshakes FILE IFACE: connections whose handshake interface IFACE shows
# whole, as the client saw it: the SYN sent (seq x), the SYN-ACK received
# (seq y, ack x+1) and the ACK sent (seq x+1, ack y+1, no data)
handshakes() {
	tsh -r "$1" -Y "frame.interface_id == $2 && tcp" -T fields \
		-e tcp.stream -e tcp.flags -e frame.packet_flags_direction \
		-e tcp.seq_raw -e tcp.ack_raw -e tcp.len |
	/usr/bin/python3 -c '
import sys
IN, OUT = 1, 2
syn, synack, ack = {}, {}, {}
for line in sys.stdin:
    stream, flags, d, seq, ackn, ln = line.split("\t")
    flags, d, seq, ackn, ln = int(flags, 16), int(d, 16), int(seq), int(ackn), int(ln)
    if flags == 0x02 and d == OUT:
        syn[stream] = seq
    elif flags == 0x12 and d == IN:
        synack[stream] = (seq, ackn)
    elif flags == 0x10 and d == OUT and ln == 0 and stream not in ack:
        ack[stream] = (seq, ackn)
whole = [s for s in syn
         if s in synack and synack[s][1] == (syn[s] + 1) % 2**32
         and s in ack and ack[s] == ((syn[s] + 1) % 2**32, (synack[s][0] + 1) % 2**32)]
print(len(syn), len(synack), len(whole))
'
}

# 1. two lcores, 200 handshakes: each one whole in the file
"$PMTCP" -l 0-1 -m 1024 $(eal a) -- --client 198.18.0.1:80 --server 80 \
	--connections 200 --pcap "$TMP/a.pcapng" --json "$TMP/a.json" > "$TMP/a.out" 2>&1 ||
	{ cat "$TMP/a.out"; fail "run a exited non-zero"; }
grep -q '^capture: .*dropped: ring full 0, no mbuf 0$' "$TMP/a.out" ||
	{ cat "$TMP/a.out"; fail "a: no capture line, or drops"; }
n=$(written "$TMP/a.out")
expect_eq "a: frames in the file == frames pmtcp wrote" \
	"$(tsh -r "$TMP/a.pcapng" | wc -l)" "$n"
# the JSON's capture member says the same
expect_eq "a: JSON capture (file, written, snaplen, drops, failed)" \
	"$(/usr/bin/python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["capture"]
print(c["file"] == sys.argv[2], c["written"], c["snaplen"], c["dropped"]["ring_full"],
      c["dropped"]["no_mbuf"], c["write_failed"])' "$TMP/a.json" "$TMP/a.pcapng")" \
	"True $n 128 0 0 False"
read -r syn synack whole < <(handshakes "$TMP/a.pcapng" 0)
expect_eq "a: SYNs sent on port 0" "$syn" 200
expect_eq "a: SYN-ACKs received on port 0" "$synack" 200
expect_eq "a: whole handshakes (SYN, SYN-ACK, ACK) on port 0" "$whole" 200
expect_eq "a: SYNs received on port 1" "$(tsh -r "$TMP/a.pcapng" -Y \
	'frame.interface_id == 1 && tcp.flags.syn == 1 && tcp.flags.ack == 0 && frame.packet_flags_direction == 1' |
	wc -l)" 200
# each connection one TCP conversation (both copies of its frames in it)
expect_eq "a: conv,tcp conversations" "$(tsh -r "$TMP/a.pcapng" -q -z conv,tcp |
	grep -c '198\.18\.0\.2:[0-9]* *<-> *198\.18\.0\.1:80')" 200

# 2. four lcores, two queues per port: every lcore's frames are there
"$PMTCP" --lcores 0@0,1@1,2@0,3@1 -m 2048 $(eal b) -- \
	--client 198.18.0.1:80 --server 80 --connections 400 \
	--pcap "$TMP/b.pcapng" > "$TMP/b.out" 2>&1 ||
	{ cat "$TMP/b.out"; fail "run b exited non-zero"; }
grep -q 'dropped: ring full 0, no mbuf 0$' "$TMP/b.out" ||
	{ cat "$TMP/b.out"; fail "b: drops"; }
read -r syn synack whole < <(handshakes "$TMP/b.pcapng" 0)
expect_eq "b: whole handshakes on port 0" "$whole" 400
for q in 0 1; do
	k=$(tsh -r "$TMP/b.pcapng" -Y "frame.interface_id == 0 && frame.interface_queue == $q && tcp.flags.syn == 1 && tcp.flags.ack == 0" | wc -l)
	[ "$k" -gt 0 ] || fail "b: no SYN from port 0 queue $q"
	pass "b: port 0 queue $q sent $k SYNs"
done

# 3. --pcap-count and --pcap-snaplen: exactly N frames, none longer than
#    the snaplen, and the frames cut keep their length on the wire
"$PMTCP" -l 0-1 -m 1024 $(eal c) -- --client 198.18.0.1:80 --server 80 \
	--workload request --connections 50 --pcap "$TMP/c.pcapng" \
	--pcap-count 100 --pcap-snaplen 64 > "$TMP/c.out" 2>&1 ||
	{ cat "$TMP/c.out"; fail "run c exited non-zero"; }
grep -q -- '--pcap-count reached' "$TMP/c.out" || fail "c: --pcap-count not reported"
expect_eq "c: frames in the file" "$(tsh -r "$TMP/c.pcapng" | wc -l)" 100
expect_eq "c: frames longer than 64 bytes stored" \
	"$(tsh -r "$TMP/c.pcapng" -Y 'frame.cap_len > 64' | wc -l)" 0
k=$(tsh -r "$TMP/c.pcapng" -Y 'frame.len > frame.cap_len' | wc -l)
[ "$k" -gt 0 ] || fail "c: no frame cut at the snaplen (the requests are longer)"
pass "c: $k frames cut at 64 bytes, their wire length kept"

# 4. the options' errors: one line each, non-zero exit
if "$PMTCP" -l 0 -m 256 $(eal d) -- --server 80 --pcap-count 10 > "$TMP/d.out" 2>&1; then
	fail "d: --pcap-count without --pcap accepted"
fi
grep -q 'pmtcp: error: --pcap-count needs --pcap FILE' "$TMP/d.out" ||
	{ cat "$TMP/d.out"; fail "d: no error line for --pcap-count alone"; }
pass "d: --pcap-count without --pcap refused"
if "$PMTCP" -l 0 -m 256 $(eal e) -- --server 80 --pcap "$TMP/e.pcapng" \
	--pcap-snaplen 10 > "$TMP/e.out" 2>&1; then
	fail "e: --pcap-snaplen 10 accepted"
fi
grep -q 'pmtcp: error: --pcap-snaplen: 10 out of range \[64, 16384\]' "$TMP/e.out" ||
	{ cat "$TMP/e.out"; fail "e: no range error for --pcap-snaplen 10"; }
pass "e: --pcap-snaplen 10 refused with its range"
