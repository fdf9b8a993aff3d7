#!/usr/bin/env bash
# The README's first command: install, build, then run the loopback
# connection-establishment benchmark (client and server on two lcores,
# joined by an in-process pair of ring ports) for 10 seconds.
# Extra arguments go to pmtcp after "--" (e.g. --rate 100000).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

exec "$PMTCP_BUILD/app/pmtcp" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix "pmtcp_bench_$$" -- \
	--client 198.18.0.1:80 --server 80 --duration 10 "$@"
