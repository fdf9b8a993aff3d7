#!/usr/bin/env bash
# CPS against concurrency: the handshake workload on the embedded loopback
# pair while N connections are held open (--hold N), for each N given,
# from as many source addresses as N needs. Prints, per N, the median of
# the per-second CPS once all N are held, the memory per connection of
# the client side, the largest number held at once, and each side's busy
# TSC cycles per connection (hold phase included: the N held count).
#
#   devtools/concurrency.sh [--huge] [--lcores SPEC] [--seconds S] N...
#   devtools/concurrency.sh 1000 10000 100000 1000000 10000000
#
# Each N runs S seconds (12 by default) after its connections are held
# (about 1 s per 1.5 M). EAL memory: -m sized for N (about 450 bytes per
# held connection, both sides, plus 2 GB), --no-huge; with --huge (root)
# 2 MB hugepages instead, raised for the run and given back at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PMTCP=${PMTCP:-$ROOT/build/app/pmtcp}
LCORES="-l 0-1"
SECS=12
HUGE=0
while [ $# -gt 0 ]; do
	case $1 in
	--huge) HUGE=1; shift ;;
	--lcores) LCORES="--lcores $2"; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--lcores SPEC] [--seconds S] N..." >&2; exit 1; }
[ -x "$PMTCP" ] || { echo "concurrency.sh: no $PMTCP (bash devtools/bench.sh builds it)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/pmtcp-conc.XXXXXX)
HP_OLD=$(cat /proc/sys/vm/nr_hugepages)
cleanup() {
	if [ "$HUGE" = 1 ]; then
		umount "$WORK/huge" 2>/dev/null || true
		echo "$HP_OLD" > /proc/sys/vm/nr_hugepages
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
if [ "$HUGE" = 1 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "concurrency.sh: --huge needs root" >&2; exit 1; }
	mkdir -p "$WORK/huge"
	mount -t hugetlbfs -o pagesize=2M nodev "$WORK/huge"
fi

printf '%10s %12s %10s %14s %16s %13s %13s\n' held cps_median seconds \
	bytes_per_conn concurrent_max client_cycles server_cycles
for n in "$@"; do
	# 20,000 ports per address (of 28,232), addresses in 198.18.0.0/16
	addrs=$(( (n + 1024 + 19999) / 20000 ))
	[ "$addrs" -ge 1 ] || addrs=1
	[ "$addrs" -le 65000 ] || { echo "concurrency.sh: $n needs too many addresses" >&2; exit 1; }
	last=$((addrs + 1))
	mem=$(( n * 450 / 1048576 + 2048 ))
	hold_s=$(( n / 1000000 + 2 ))
	memargs="--no-huge -m $mem"
	if [ "$HUGE" = 1 ]; then
		echo $(( mem / 2 + 64 )) > /proc/sys/vm/nr_hugepages
		memargs="--huge-dir $WORK/huge --huge-unlink -m $mem"
	fi
	"$PMTCP" $LCORES $memargs --no-pci --file-prefix pmtcp_conc_$$ -- \
		--ip "0,198.18.0.2-198.18.$((last / 256)).$((last % 256))/16" \
		--ip 1,198.18.255.1/16 --client 198.18.255.1:80 --server 80 \
		--hold "$n" --duration $((SECS + hold_s)) --json "$WORK/$n.json" \
		> "$WORK/$n.out" 2>&1 ||
		{ tail -20 "$WORK/$n.out"; echo "concurrency.sh: N=$n failed" >&2; exit 1; }
	/usr/bin/python3 - "$WORK/$n.out" "$WORK/$n.json" "$n" <<'PY'
import json, re, statistics, sys
out, js, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
j = json.load(open(js))
cps = []
for line in open(out):
    m = re.match(r'\[\s*([0-9.]+)s\] cps\s+([0-9.]+) est\s+([0-9]+)', line)
    # whole seconds after every held connection was established
    if m and int(m.group(3)) >= n + 2 * float(m.group(2)):
        cps.append(float(m.group(2)))
cps = cps[1:]   # the first such second may still be filling
def per_conn(role, count):
    ls = [l for l in j['lcores'] if l[role]]
    done = sum(l[count] for l in ls)
    return sum(l['busy_cycles'] for l in ls) / done if done else 0
print('%10d %12.0f %10d %14.1f %16d %13.0f %13.0f' % (
    n, statistics.median(cps) if cps else 0, len(cps),
    j['memory']['bytes_per_connection'], j['client']['concurrent_max'],
    per_conn('client', 'established'), per_conn('server', 'accepted')))
PY
done
