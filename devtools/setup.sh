#!/usr/bin/env bash
# Install what pmtcp needs (Debian 12, as root) and build it into build/.
# Sourced by the README's two commands; safe to run again.
set -euo pipefail

PMTCP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PMTCP_BUILD=${PMTCP_BUILD:-$PMTCP_ROOT/build}

# the integration tests' tools: ip, ss, nstat (iproute2), ethtool, tcpdump,
# tshark, nft (nftables), curl, sysctl (procps), script (bsdutils), timeout
# (coreutils), dpdk-telemetry.py and dpdk-dumpcap (dpdk-dev) and
# /usr/bin/python3 with scapy. A test that misses one fails unless
# PMTCP_ALLOW_SKIP=1 (test/integration/lib.sh, skip()).
packages=(gcc pkg-config meson ninja-build libdpdk-dev dpdk-dev libnuma-dev
	  libcmocka-dev python3 iproute2 ethtool tcpdump tshark nftables curl
	  python3-scapy procps bsdutils coreutils)
# the frame fuzzer (devtools/fuzz.sh): clang 14 and its libFuzzer and
# sanitizer runtimes (libclang_rt.fuzzer-x86_64.a is in libclang-rt-14-dev,
# which clang-14 only recommends)
packages+=(clang-14 libclang-rt-14-dev)
# devtools/plot.py (and the series test, which runs it): matplotlib
packages+=(python3-matplotlib)
# install_files renders the man page (groff) and reads the installed
# library's RUNPATH and symbols (binutils: readelf, nm)
packages+=(groff-base binutils)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "pmtcp: missing packages: ${missing[*]}; run as root (apt-get install)" >&2
		exit 1
	fi
	echo "pmtcp: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f "$PMTCP_BUILD/build.ninja" ]; then
	werror=false
	[ "${CI:-}" = true ] && werror=true
	meson setup "$PMTCP_BUILD" "$PMTCP_ROOT" -Dwerror=$werror >/dev/null
fi
ninja -C "$PMTCP_BUILD" >/dev/null
