#!/usr/bin/env bash
# The harness's checks catch what they are there for: each fault that
# PMTCP_FUZZ_INJECT makes the harness commit itself must end the replay
# with the check's own message (an extended regex; under ASan a double
# free is caught one step earlier, as a read of the freed mbuf), and the
# same input without a fault must pass. (A harness whose checks never fire would let every fuzz run pass.)
#
#   selfcheck.sh FUZZ_REPLAY INPUT [asan] [MQ_INPUT]
# With "asan" (an AddressSanitizer build), a read of a freed mbuf must be
# reported too. MQ_INPUT, an input of the two-stack mode (fuzz_ops.c) with
# stack B on a pool of its own, is checked alike with the faults of that
# mode: B's books, its pool, the steering counters, an ARP answer to a copy.
set -uo pipefail
replay=$1 input=$2 asan=${3:-} mq_input=${4:-}
fail=0

out=$("$replay" "$input" 2>&1)
if [ $? -ne 0 ]; then
	echo "FAIL: $input does not replay cleanly: $out"
	exit 1
fi
echo "ok: no fault, no finding"

while IFS=: read -r fault want; do
	[ "$fault" = use-after-free ] && [ "$asan" != asan ] && continue
	out=$(PMTCP_FUZZ_INJECT=$fault "$replay" "$input" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] || ! grep -qE -- "$want" <<<"$out"; then
		echo "FAIL: fault '$fault': exit $rc, wanted \"$want\" in:"
		echo "$out" | tail -5
		fail=1
	else
		echo "ok: fault '$fault' -> \"$want\" (exit $rc)"
	fi
done <<'EOF2'
leak:1 mbufs of the stack's pool never freed
double-free:double free of mbuf|use-after-poison
state:tw_count 2, TIME_WAIT entries 1
bad-tx:TX: bad TCP checksum
ip-count:IpInReceives [0-9]+ .all stacks. \+ [0-9]+ IPv4 frames shed
use-after-free:use-after-poison
EOF2

[ -n "$mq_input" ] || exit $fail
out=$("$replay" "$mq_input" 2>&1)
if [ $? -ne 0 ]; then
	echo "FAIL: $mq_input does not replay cleanly: $out"
	exit 1
fi
echo "ok: two stacks, no fault, no finding"
while IFS=: read -r fault want; do
	out=$(PMTCP_FUZZ_INJECT=$fault "$replay" "$mq_input" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] || ! grep -qE -- "$want" <<<"$out"; then
		echo "FAIL: fault '$fault' (two stacks): exit $rc, wanted \"$want\" in:"
		echo "$out" | tail -5
		fail=1
	else
		echo "ok: fault '$fault' (two stacks) -> \"$want\" (exit $rc)"
	fi
done <<'EOF3'
leak:1 mbufs of the stack's pool never freed
leak-b:1 mbufs of stack B's pool never freed
state-b:tw_count 1, TIME_WAIT entries 0
steer:steering A to B: A's PmtcpSteeredOut 1, but B's PmtcpSteeredIn 0
arp-reply:stack B sent [0-9]+ ARP replies for [0-9]+ requests
bad-tx:TX: bad TCP checksum
EOF3
exit $fail
