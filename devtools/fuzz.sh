#!/usr/bin/env bash
# Run the frame fuzzer (test/fuzz, docs/analysis.md "Fuzzing") for SECONDS
# (default 600) in a clang build with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer: ${PMTCP_BUILD}-fuzz (build-fuzz/). It starts
# from the generated seed corpus, the regression reproducers
# (test/fuzz/regress/) and what earlier runs kept in
# build-fuzz/test/fuzz/fuzz-corpus/; a finding is written to
# build-fuzz/test/fuzz/fuzz-findings/ and makes the run fail.
# devtools/test.sh runs it for PMTCP_FUZZ_SECONDS (60).
#
#   bash devtools/fuzz.sh [SECONDS] [libFuzzer options, e.g. -jobs=2]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

seconds=${1:-600}
[ $# -gt 0 ] && shift
case $seconds in
''|*[!0-9]*) echo "usage: $0 [SECONDS] [libFuzzer options]" >&2; exit 2 ;;
esac
fuzz=${PMTCP_BUILD}-fuzz
if [ ! -f "$fuzz/build.ninja" ]; then
	# -O2 with debug info; b_lundef off: the sanitizer runtimes are linked
	# into executables only, so the shared library has them undefined
	CC=clang-14 meson setup "$fuzz" "$PMTCP_ROOT" -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized -Dwerror=false >/dev/null
fi
meson configure "$fuzz" -Dfuzz_seconds="$seconds" >/dev/null
# only what the fuzz suite runs: the library, the harness, the seeds
ninja -C "$fuzz" test/fuzz/pmtcp_fuzz test/fuzz/corpus >/dev/null
args=()
[ $# -gt 0 ] && args=(--test-args "$*")
# libFuzzer's progress lines live on a terminal, in the test log otherwise
[ -t 1 ] && args+=(--verbose)
meson test -C "$fuzz" --suite fuzz --no-rebuild --print-errorlogs "${args[@]}"
