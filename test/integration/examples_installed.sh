#!/usr/bin/env bash
# What an embedder does: install pmtcp under a prefix (meson setup
# --prefix, ninja, meson install), then build each program of examples/
# out of the tree against the installed libpmtcp.pc, twice (a plain
# `cc $(pkg-config --cflags --libs libpmtcp)` and docs/embedding.md's
# meson.build, taken verbatim from the doc), and run them. The installed
# pmtcp program runs without LD_LIBRARY_PATH (its RPATH).
. "$(dirname "$0")/lib.sh"

: "${PMTCP_SOURCE_ROOT:?PMTCP_SOURCE_ROOT must point at the source tree}"
need_tools cc pkg-config meson ninja readelf
src=$PMTCP_SOURCE_ROOT
prefix=$TMP/prefix
examples=(client_server worker_lcore)

# 1. the project, installed under a prefix of its own
meson setup "$TMP/build" "$src" --prefix "$prefix" -Dtests=false \
	-Dexamples=false > "$TMP/setup.log" 2>&1 ||
	{ cat "$TMP/setup.log"; fail "meson setup"; }
ninja -C "$TMP/build" > "$TMP/ninja.log" 2>&1 || { cat "$TMP/ninja.log"; fail "ninja"; }
meson install -C "$TMP/build" --no-rebuild > "$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log"; fail "meson install"; }
pc=$(find "$prefix" -name libpmtcp.pc)
[ -n "$pc" ] || fail "no libpmtcp.pc under $prefix"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
[ -e "$libdir/libpmtcp.so" ] || fail "no libpmtcp.so next to the .pc ($libdir)"
pass "installed: $(realpath --relative-to="$prefix" "$pc")"
# the public headers, and only those
hdrs=$(cd "$prefix/include/pmtcp" && echo *)
# (pmtcp_version.h is made by meson from pmtcp_version.h.in)
want=$(cd "$src/lib/pmtcp" && for h in pmtcp*.h pmtcp*.h.in; do
	[ "$h" = pmtcp_priv.h ] || printf '%s\n' "${h%.in}"; done | sort |
	tr '\n' ' ')
want=${want% }
expect_eq "installed headers" "$hdrs" "$want"
export PKG_CONFIG_PATH=$pcdir
expect_eq "pkg-config --modversion libpmtcp" "$(pkg-config --modversion libpmtcp)" \
	"$(meson introspect --projectinfo "$TMP/build" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')"

# run_example NAME BINARY [ENV...]: it must exit 0 and say so (it checks
# its own counts: every connection established and accepted)
run_example() {
	local name=$1 bin=$2 eal_lcores
	shift 2
	case $name in
	*client_server) eal_lcores="-l 0" ;;
	*worker_lcore) eal_lcores="--lcores 0@0,1@1,2@0" ;;   # two workers
	esac
	# which libpmtcp the loader picks: the installed one (ldd's output
	# kept whole: grep -q would leave it a SIGPIPE, a pipefail failure)
	local libs
	libs=$(env "$@" ldd "$bin")
	grep -q "libpmtcp.so.0 => $libdir/" <<< "$libs" ||
		{ echo "$libs"; fail "$name: libpmtcp not from $libdir"; }
	env "$@" timeout 60 "$bin" $eal_lcores -m 256 $(eal "$name") -- 300 \
		> "$TMP/$name.out" 2>&1 || { cat "$TMP/$name.out"; fail "$name exited non-zero"; }
	grep -q "^ok: 300 of 300 connections established" "$TMP/$name.out" ||
		{ cat "$TMP/$name.out"; fail "$name: no ok line"; }
	pass "$name: $(grep '^ok:' "$TMP/$name.out")"
}

for ex in "${examples[@]}"; do
	# 2. plain cc; the loader finds libpmtcp by LD_LIBRARY_PATH
	mkdir -p "$TMP/cc"
	# shellcheck disable=SC2046
	cc -O2 -Wall -Wextra -Werror $(pkg-config --cflags libpmtcp) \
		"$src/examples/$ex/main.c" $(pkg-config --libs libpmtcp) \
		-o "$TMP/cc/$ex" 2> "$TMP/cc-$ex.log" ||
		{ cat "$TMP/cc-$ex.log"; fail "$ex: cc against libpmtcp.pc"; }
	run_example "cc_$ex" "$TMP/cc/$ex" LD_LIBRARY_PATH="$libdir"

	# 3. the meson.build of docs/embedding.md, verbatim, next to main.c;
	#    meson's RUNPATH finds libpmtcp in the build directory (no
	#    LD_LIBRARY_PATH), and its install drops it
	d=$TMP/meson/$ex
	mkdir -p "$d"
	cp "$src/examples/$ex/main.c" "$d/main.c"
	awk '/^```meson$/ { on = 1; n++; next } /^```$/ { on = 0 } on && n == 1' \
		"$src/docs/embedding.md" > "$d/meson.build"
	[ "$(grep -c '^```meson$' "$src/docs/embedding.md")" -eq 1 ] ||
		fail "docs/embedding.md: want exactly one meson block"
	grep -q "dependency('libpmtcp')" "$d/meson.build" ||
		{ cat "$d/meson.build"; fail "docs/embedding.md: its meson block names no libpmtcp"; }
	meson setup "$d/build" "$d" > "$d/setup.log" 2>&1 ||
		{ cat "$d/setup.log"; fail "$ex: meson setup of the doc's meson.build"; }
	ninja -C "$d/build" > "$d/ninja.log" 2>&1 ||
		{ cat "$d/ninja.log"; fail "$ex: ninja (the doc's meson.build)"; }
	bin=$(find "$d/build" -maxdepth 1 -type f -executable -print -quit)
	[ -n "$bin" ] || fail "$ex: the doc's meson.build built no program"
	run_example "meson_$ex" "$bin" -u LD_LIBRARY_PATH
done

# 4. the installed pmtcp: RPATH to the installed libdir, no LD_LIBRARY_PATH
rpath=$(readelf -d "$prefix/bin/pmtcp" |
	sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p;s/.*(RPATH).*\[\(.*\)\]/\1/p')
expect_eq "installed pmtcp RUNPATH" "$rpath" "$libdir"
env -u LD_LIBRARY_PATH timeout 60 "$prefix/bin/pmtcp" -l 0 -m 256 $(eal app) -- \
	--client 198.18.0.1:80 --server 80 --connections 100 --json "$TMP/app.json" \
	> "$TMP/app.out" 2>&1 || { cat "$TMP/app.out"; fail "installed pmtcp exited non-zero"; }
expect_eq "installed pmtcp client.established" "$(jget "$TMP/app.json" client.established)" 100
