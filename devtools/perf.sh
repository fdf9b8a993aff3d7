#!/usr/bin/env bash
# The two-process memif benchmark: a pmtcp server (lcore 0) and a pmtcp
# client (lcore 1) in two processes, each with its own --file-prefix,
# joined by net_memif. Hugepages when they can be configured (root),
# otherwise --no-huge; the first line says which.
#
#   devtools/perf.sh [options] [ROUNDS [SECONDS]]
#     ROUNDS     closed-loop rounds (5)
#     SECONDS    seconds per round (10)
#     --workload handshake|request   (handshake)
#     --overload   after one closed-loop round (the server's capacity, or
#                  --capacity N), run the open-loop client (--concurrency 0)
#                  offering twice the capacity for SECONDS and print the
#                  server's completions in each second, then min/median
#     --capacity N the server's capacity in connections/s (skips the
#                  measuring round of --overload)
#     --server-slowdown F  the server runs as a core F times slower
#                  (pmtcp --slowdown F: each busy loop turn is followed by
#                  F-1 times as long a busy-wait), so that one client lcore
#                  can offer it twice its capacity; its cycles per
#                  connection include the wait
#     --no-huge    do not touch hugepages
#     --memif-rsize N  log2 of each memif ring's descriptors (12: 4096).
#                  memif's default, 10 (1024), fills at full rate: the
#                  client's SYNs are refused (TX_REFUSED) and wait their
#                  1 s retransmission, and a round measures those stalls
#     --keep DIR   keep every round's output and JSON in DIR
#   PMTCP: the binary (default $PMTCP_BUILD/app/pmtcp, PMTCP_BUILD=build);
#   PMTCP_SERVER, PMTCP_CLIENT: a different binary for one side (e.g. an
#   older server against this client: the open loop needs a client that has
#   --concurrency 0)
#
# Per round and side: CPS (established, or accepted, / SECONDS), busy TSC
# cycles per connection (the JSON's cycles.busy per established on the
# client, per accepted on the server: cycles.per_connection), TCP
# retransmissions (mib.Tcp.RetransSegs) and drops (every drops.<REASON>
# plus the port's imissed and oerrors). Then the medians.
# Run one benchmark at a time, on an otherwise idle machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PMTCP=${PMTCP:-${PMTCP_BUILD:-$ROOT/build}/app/pmtcp}
ROUNDS=5
SECS=10
WORKLOAD=handshake
OVERLOAD=0
CAPACITY=0
SLOWDOWN=1
HUGE=1
KEEP=
RSIZE=12
pos=()
while [ $# -gt 0 ]; do
	case "$1" in
	--workload) WORKLOAD=$2; shift 2 ;;
	--overload) OVERLOAD=1; shift ;;
	--capacity) CAPACITY=$2; shift 2 ;;
	--no-huge) HUGE=0; shift ;;
	--server-slowdown) SLOWDOWN=$2; shift 2 ;;
	--memif-rsize) RSIZE=$2; shift 2 ;;
	--keep) KEEP=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "perf.sh: unknown option $1" >&2; exit 1 ;;
	*) pos+=("$1"); shift ;;
	esac
done
[ ${#pos[@]} -ge 1 ] && ROUNDS=${pos[0]}
[ ${#pos[@]} -ge 2 ] && SECS=${pos[1]}
case "$WORKLOAD" in handshake|request) ;; *)
	echo "perf.sh: --workload handshake|request" >&2; exit 1 ;;
esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$SECS" =~ ^[1-9][0-9]*$ &&
   "$CAPACITY" =~ ^[0-9]+$ ]] ||
	{ echo "perf.sh: ROUNDS, SECONDS and --capacity are positive integers" >&2; exit 1; }
[[ "$SLOWDOWN" =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
	{ echo "perf.sh: --server-slowdown is a factor, e.g. 2 or 2.5" >&2; exit 1; }
[[ "$RSIZE" =~ ^[0-9]+$ && "$RSIZE" -ge 1 && "$RSIZE" -le 14 ]] ||
	{ echo "perf.sh: --memif-rsize is 1..14 (log2 of the ring size)" >&2; exit 1; }
PMTCP_SERVER=${PMTCP_SERVER:-$PMTCP}
PMTCP_CLIENT=${PMTCP_CLIENT:-$PMTCP}
for b in "$PMTCP_SERVER" "$PMTCP_CLIENT"; do
	[ -x "$b" ] || { echo "perf.sh: no pmtcp binary at $b (set PMTCP or PMTCP_BUILD)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/pmtcp-perf.XXXXXX)
CLIENT_FEED=
SOCK=$WORK/memif.sock
TAG=pmtcp_perf_$$
SRV_PID=
CLI_PID=
HP_OLD=
HP_MNT=
HP_MOUNTED=0

cleanup() {
	local pid
	for pid in $CLI_PID $SRV_PID; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in $CLI_PID $SRV_PID; do
		wait "$pid" 2>/dev/null || true
	done
	rm -f "$SOCK"
	# the EAL's runtime directories of both prefixes
	rm -rf "/var/run/dpdk/${TAG}_s" "/var/run/dpdk/${TAG}_c" \
		"${XDG_RUNTIME_DIR:-/tmp}/dpdk/${TAG}_s" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/${TAG}_c"
	if [ "$HP_MOUNTED" = 1 ]; then
		umount "$HP_MNT" 2>/dev/null || true
		rmdir "$HP_MNT" 2>/dev/null || true
	fi
	# give back the hugepages this script raised
	if [ -n "$HP_OLD" ]; then
		echo "$HP_OLD" > /proc/sys/vm/nr_hugepages || true
	fi
	if [ -n "$KEEP" ]; then
		mkdir -p "$KEEP" && cp "$WORK"/* "$KEEP"/ 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- memory: hugepages if we can, else --no-huge ---------------------------
MEM_MB=512            # per process
HP_WANT=1024          # 2 MB pages: two processes of 512 MB, and room
EAL_MEM=(--no-huge -m "$MEM_MB")
MEMDESC="--no-huge (4 KB pages), -m $MEM_MB per process"
hugepages_setup() {
	local hp free_hp
	if [ "$(id -u)" -ne 0 ]; then
		echo "perf.sh: not root: hugepages cannot be configured, using --no-huge" >&2
		return 1
	fi
	[ -w /proc/sys/vm/nr_hugepages ] || return 1
	grep -q '^Hugepagesize: *2048 kB' /proc/meminfo || return 1
	hp=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$hp" -lt "$HP_WANT" ]; then
		HP_OLD=$hp
		echo "$HP_WANT" > /proc/sys/vm/nr_hugepages
	fi
	free_hp=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if [ "$free_hp" -lt $((2 * MEM_MB / 2)) ]; then
		echo "perf.sh: only $free_hp free hugepages, using --no-huge" >&2
		return 1
	fi
	HP_MNT=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
	if [ -z "$HP_MNT" ]; then
		HP_MNT=/tmp/pmtcp-perf-huge.$$   # EAL matches the path as mounted
		mkdir -p "$HP_MNT"
		mount -t hugetlbfs -o pagesize=2M nodev "$HP_MNT" || return 1
		HP_MOUNTED=1
	fi
	EAL_MEM=(-m "$MEM_MB" --huge-dir "$HP_MNT" --huge-unlink)
	MEMDESC="hugepages (2 MB, $(cat /proc/sys/vm/nr_hugepages) configured, hugetlbfs at $HP_MNT), -m $MEM_MB per process"
	return 0
}
if [ "$HUGE" = 1 ]; then
	hugepages_setup || true
fi
echo "perf.sh: memory: $MEMDESC; memif rings of $((1 << RSIZE)) descriptors"
echo "perf.sh: server $PMTCP_SERVER, client $PMTCP_CLIENT, tree at commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
	"workload $WORKLOAD, $ROUNDS round(s) x ${SECS} s"

SRV_EXTRA=()
if [ "$SLOWDOWN" != 1 ]; then
	SRV_EXTRA=(--slowdown "$SLOWDOWN")
	echo "perf.sh: the server runs as a core $SLOWDOWN times slower (--slowdown $SLOWDOWN)"
fi

# jq-free JSON reading: jv FILE EXPR, EXPR a python expression over j
jv() {
	/usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}
DROPS='sum(j["drops"].values()) + sum(p["imissed"] + p["oerrors"] for p in j["ports"])'

# run_pair NAME CLIENT_ARGS...: one round; the server first (it creates the
# memif socket), then the client for SECS s; the server is stopped with SIGINT
# once the client is done (its summary and JSON are still written)
run_pair() {
	local name=$1 i
	shift
	rm -f "$SOCK"
	"$PMTCP_SERVER" -l 0 "${EAL_MEM[@]}" --no-pci --file-prefix "${TAG}_s" \
		--vdev="net_memif0,role=server,socket=$SOCK,rsize=$RSIZE" -- \
		--ip 0,198.18.0.1/24 --server 80 --workload "$WORKLOAD" "${SRV_EXTRA[@]}" \
		--duration $((SECS + 600)) --json "$WORK/$name.srv.json" \
		> "$WORK/$name.srv.out" 2>&1 &
	SRV_PID=$!
	# memif's socket is abstract by default (no file): wait for the
	# server's port line, printed once its port is up
	for i in $(seq 100); do
		grep -q '^  port 0 net_memif' "$WORK/$name.srv.out" && break
		kill -0 "$SRV_PID" 2>/dev/null ||
			{ cat "$WORK/$name.srv.out" >&2; echo "perf.sh: the server died" >&2; exit 1; }
		sleep 0.1
	done
	grep -q '^  port 0 net_memif' "$WORK/$name.srv.out" ||
		{ echo "perf.sh: the server's memif port did not come up" >&2; exit 1; }
	if [ -z "$CLIENT_FEED" ]; then
		"$PMTCP_CLIENT" -l 1 "${EAL_MEM[@]}" --no-pci --file-prefix "${TAG}_c" \
			--vdev="net_memif0,role=client,socket=$SOCK,rsize=$RSIZE" -- \
			--ip 0,198.18.0.2/24 --client 198.18.0.1:80 --workload "$WORKLOAD" \
			--duration "$SECS" --json "$WORK/$name.cli.json" "$@" \
			> "$WORK/$name.cli.out" 2>&1 &
	else
		# commands at the prompt, timed by the shell: the rate changes
		# while the client runs (--duration does not apply with -i)
		bash -c "$CLIENT_FEED" | "$PMTCP_CLIENT" -l 1 "${CLI_MEM[@]}" --no-pci \
			--file-prefix "${TAG}_c" \
			--vdev="net_memif0,role=client,socket=$SOCK,rsize=$RSIZE" -- \
			--ip 0,198.18.0.2/24 --client 198.18.0.1:80 --workload "$WORKLOAD" \
			-i --auto-start --json "$WORK/$name.cli.json" "$@" \
			> "$WORK/$name.cli.out" 2>&1 &
	fi
	CLI_PID=$!
	if ! wait "$CLI_PID"; then
		CLI_PID=
		cat "$WORK/$name.cli.out" >&2
		echo "perf.sh: the client failed" >&2
		exit 1
	fi
	CLI_PID=
	kill -INT "$SRV_PID"
	wait "$SRV_PID" || { cat "$WORK/$name.srv.out" >&2; echo "perf.sh: the server failed" >&2; exit 1; }
	SRV_PID=
	[ -s "$WORK/$name.srv.json" ] && [ -s "$WORK/$name.cli.json" ] ||
		{ echo "perf.sh: a side wrote no JSON" >&2; exit 1; }
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
	else if (NR % 2) print v[(NR + 1) / 2]
	else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- closed-loop rounds -----------------------------------------------------
declare -a c_cps s_cps c_cyc s_cyc c_ret s_ret c_drp s_drp
closed_rounds() {
	local n=$1 r
	printf '%-6s %-6s %12s %14s %10s %10s\n' round side CPS cycles/conn retrans drops
	for r in $(seq "$n"); do
		run_pair "r$r"
		local cj=$WORK/r$r.cli.json sj=$WORK/r$r.srv.json
		# both sides over the same window: the client's --duration
		c_cps[r]=$(jv "$cj" "round(j['client']['established'] / $SECS)")
		s_cps[r]=$(jv "$sj" "round(j['server']['accepted'] / $SECS)")
		# busy cycles per connection of each side, computed here so
		# that older builds (per_connection 0 on a server) compare
		c_cyc[r]=$(jv "$cj" "round(j['cycles']['busy'] / max(j['client']['established'], 1))")
		s_cyc[r]=$(jv "$sj" "round(j['cycles']['busy'] / max(j['server']['accepted'], 1))")
		c_ret[r]=$(jv "$cj" "j['mib']['Tcp']['RetransSegs']")
		s_ret[r]=$(jv "$sj" "j['mib']['Tcp']['RetransSegs']")
		c_drp[r]=$(jv "$cj" "$DROPS")
		s_drp[r]=$(jv "$sj" "$DROPS")
		printf '%-6s %-6s %12s %14s %10s %10s\n' "$r" client "${c_cps[r]}" \
			"${c_cyc[r]}" "${c_ret[r]}" "${c_drp[r]}"
		printf '%-6s %-6s %12s %14s %10s %10s\n' "$r" server "${s_cps[r]}" \
			"${s_cyc[r]}" "${s_ret[r]}" "${s_drp[r]}"
	done
	printf '%-6s %-6s %12s %14s %10s %10s\n' median client \
		"$(printf '%s\n' "${c_cps[@]}" | median)" \
		"$(printf '%s\n' "${c_cyc[@]}" | median)" \
		"$(printf '%s\n' "${c_ret[@]}" | median)" \
		"$(printf '%s\n' "${c_drp[@]}" | median)"
	printf '%-6s %-6s %12s %14s %10s %10s\n' median server \
		"$(printf '%s\n' "${s_cps[@]}" | median)" \
		"$(printf '%s\n' "${s_cyc[@]}" | median)" \
		"$(printf '%s\n' "${s_ret[@]}" | median)" \
		"$(printf '%s\n' "${s_drp[@]}" | median)"
}

if [ "$OVERLOAD" = 0 ]; then
	closed_rounds "$ROUNDS"
	exit 0
fi

# --- overload ----------------------------------------------------------------
if [ "$CAPACITY" = 0 ]; then
	echo "capacity: one closed-loop round"
	closed_rounds 1
	CAPACITY=${s_cps[1]}
fi
[ "$CAPACITY" -gt 0 ] || { echo "perf.sh: capacity 0" >&2; exit 1; }
OFFER=$((2 * CAPACITY))
LOW=$((CAPACITY / 2))
RECOVER=4
echo "overload: server capacity $CAPACITY/s, open-loop client (--concurrency 0) offering $OFFER/s for $SECS s," \
	"then $LOW/s for $RECOVER s (recovery)"
# a table for the connections in flight: a shed SYN's connection ends
# within 60 ms (below); the request workload takes a 1 KB request state
# per sock too (-m 512)
TABLE=262144
# the prompt keeps a request state (about 1 KB) per sock of the table
CLI_MEM=()
prev=
for a in "${EAL_MEM[@]}"; do
	if [ "$prev" = -m ]; then CLI_MEM+=($((2 * MEM_MB))); else CLI_MEM+=("$a"); fi
	prev=$a
done
CLIENT_FEED="sleep $((SECS + 2)); echo 'set rate $LOW'; sleep $((RECOVER + 1)); echo quit"
run_pair ov --concurrency 0 --rate "$OFFER" --table-size "$TABLE" \
	--tcp tcp_syn_retries=1 --tcp tcp_rto_initial_ms=20 \
	--tcp ip_local_port_range=1024,65535
CLIENT_FEED=""
# completions per second: the server's accepted (acc) per per-second line
awk '/^\[ *[0-9.]*s\] cps/ {
	for (i = 1; i < NF; i++) if ($i == "acc") a = $(i + 1)
	match($0, /^\[ *[0-9.]*s\]/); t = substr($0, 1, RLENGTH)
	gsub(/[^0-9.]/, "", t)
	printf "%s %.0f\n", t, (a - pa) / (t - pt)
	pa = a; pt = t }' "$WORK/ov.srv.out" > "$WORK/ov.series"
# the whole seconds while the client offered twice the capacity, and those
# after it offered LOW: the server's lines are timed from its own start.
# The first second with completions is partial (the client started within
# it); the recovery seconds are the last ones at about LOW (within 20 %),
# the last line with completions left out (the client quit within it); the
# second before them is the switch, partial too, and the overload seconds
# are those between the first and the switch
[ "$SECS" -ge 3 ] || { echo "perf.sh: --overload needs SECONDS >= 3" >&2; exit 1; }
/usr/bin/python3 - "$WORK/ov.series" "$LOW" "$WORK/ov.active" "$WORK/ov.recover" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
low = float(sys.argv[2])
vals = [float(r[1]) for r in rows]
nz = [i for i, v in enumerate(vals) if v > 0]
act, rec = [], []
if nz:
    first, last = nz[0], nz[-1]
    i = last - 1
    while i > first and 0.8 * low <= vals[i] <= 1.2 * low:
        rec.insert(0, i)
        i -= 1
    act = list(range(first + 1, i))   # i: the switch second
open(sys.argv[3], "w").writelines(" ".join(rows[k]) + "\n" for k in act)
open(sys.argv[4], "w").writelines(" ".join(rows[k]) + "\n" for k in rec)
PY
printf '%-8s %12s %8s\n' second completed "%cap"
awk -v c="$CAPACITY" '{ printf "%-8s %12s %7.1f%%\n", $1, $2, 100 * $2 / c }' "$WORK/ov.active"
cmin=$(awk '{ print $2 }' "$WORK/ov.active" | sort -g | head -1)
cmed=$(awk '{ print $2 }' "$WORK/ov.active" | median)
echo "completions/s: min ${cmin:-0} ($(awk -v a="${cmin:-0}" -v c="$CAPACITY" 'BEGIN { printf "%.1f", 100 * a / c }')% of capacity)," \
	"median $cmed ($(awk -v a="$cmed" -v c="$CAPACITY" 'BEGIN { printf "%.1f", 100 * a / c }')%)"
printf 'recovery, offered %s/s:\n' "$LOW"
awk -v c="$LOW" '{ printf "%-8s %12s %7.1f%% of offered\n", $1, $2, 100 * $2 / c }' "$WORK/ov.recover"
sj=$WORK/ov.srv.json
cj=$WORK/ov.cli.json
echo "offered: $(jv "$cj" "round((j['client']['attempted'] - $LOW * $RECOVER) / ($SECS + 0.5))")/s reached of $OFFER/s asked" \
	"(the client's own lcore is the limit when lower), SYNs sent" \
	"$(jv "$cj" "round((j['client']['attempted'] + j['mib']['Tcp']['RetransSegs'] - $LOW * $RECOVER) / ($SECS + 0.5))")/s with retransmissions"
echo "client: attempted $(jv "$cj" "j['client']['attempted']"), established $(jv "$cj" "j['client']['established']")," \
	"failed local $(jv "$cj" "j['client']['failed']['local']"), timeout $(jv "$cj" "j['client']['failed']['timeout']")," \
	"retrans $(jv "$cj" "j['mib']['Tcp']['RetransSegs']"), drops $(jv "$cj" "$DROPS")"
echo "server: accepted $(jv "$sj" "j['server']['accepted']"), retrans $(jv "$sj" "j['mib']['Tcp']['RetransSegs']")," \
	"drops $(jv "$sj" "$DROPS"), ListenOverflows (SYNs shed) $(jv "$sj" "j['mib']['TcpExt']['ListenOverflows']")," \
	"ListenDrops $(jv "$sj" "j['mib']['TcpExt']['ListenDrops']")," \
	"TCPReqQFullDoCookies $(jv "$sj" "j['mib']['TcpExt']['TCPReqQFullDoCookies']")," \
	"TCPReqQFullDrop $(jv "$sj" "j['mib']['TcpExt']['TCPReqQFullDrop']")"
