#!/usr/bin/env bash
# One bounded libFuzzer run of pmtcp_fuzz (the meson test 'pmtcp_fuzz' and
# devtools/fuzz.sh): seeds from the generated corpus and the regression
# reproducers, new inputs kept in OUTDIR/fuzz-corpus, findings written to
# OUTDIR/fuzz-findings/. Exits non-zero on any finding.
#
#   run_fuzz.sh FUZZ_BINARY SECONDS SEED_DIR REGRESS_DIR OUTDIR [libFuzzer options]
set -euo pipefail
bin=$1 seconds=$2 seeds=$3 regress=$4 out=$5
shift 5
mkdir -p "$out/fuzz-corpus" "$out/fuzz-findings"
# The kept corpus grows with every run; loading an input costs the harness
# about 0.1 s (a stack, its handshakes), so past a few hundred a bounded
# run spends its time loading, and meson's timeout ends it. The newest
# PMTCP_FUZZ_KEEP (400) stay; the others move to fuzz-corpus-old/, for a
# libFuzzer -merge=1 by hand.
keep=${PMTCP_FUZZ_KEEP:-400}
n=$(find "$out/fuzz-corpus" -type f | wc -l)
if [ "$n" -gt "$keep" ]; then
	mkdir -p "$out/fuzz-corpus-old"
	(cd "$out/fuzz-corpus" && ls -t | tail -n +$((keep + 1)) |
		xargs -r mv -t ../fuzz-corpus-old/)
	echo "pmtcp_fuzz: kept corpus trimmed to its newest $keep of $n inputs (the rest in fuzz-corpus-old/)"
fi
stamp=$(mktemp "$out/fuzz-start.XXXXXX")
trap 'rm -f "$stamp"' EXIT
# stop at the first sanitizer report, with its stack
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
rc=0
"$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
	-max_len=2048 -use_value_profile=1 -print_final_stats=1 \
	-artifact_prefix="$out/fuzz-findings/" "$@" \
	"$out/fuzz-corpus" "$seeds" "$regress" || rc=$?
found=$(find "$out/fuzz-findings" -type f -newer "$stamp" | wc -l)
if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
	echo "pmtcp_fuzz: finding (exit $rc); reproducers:" >&2
	find "$out/fuzz-findings" -type f -newer "$stamp" >&2
	echo "replay one with: $(realpath "$bin") FILE" \
	     "(or build/test/fuzz/fuzz_replay FILE; docs/analysis.md, Fuzzing)" >&2
	exit 1
fi
echo "pmtcp_fuzz: $seconds s, no finding"
