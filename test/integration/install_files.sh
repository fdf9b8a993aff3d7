#!/usr/bin/env bash
# `meson install` into a temporary DESTDIR: the program, the library, the
# headers with the generated pmtcp_version.h, the .pc, the drivers-config
# profiles and the pmtcp.1 man page, each where the prefix puts it; the
# man page renders without a groff warning and names the installed
# profile directory; a program built against the installed
# pmtcp_version.h and libpmtcp gets the same version from both.
. "$(dirname "$0")/lib.sh"

: "${PMTCP_BUILD_ROOT:?PMTCP_BUILD_ROOT must be the meson build directory}"
: "${PMTCP_VERSION:?PMTCP_VERSION must be the meson project version}"
: "${MESON:?MESON must be the meson program}"
n=0
ok() { n=$((n + 1)); pass "$@"; }

D="$TMP/dest"
"$MESON" install -C "$PMTCP_BUILD_ROOT" --destdir "$D" --no-rebuild \
	> "$TMP/install.log" 2>&1 || { cat "$TMP/install.log"; fail "meson install failed"; }
# the install paths, as meson has them (prefix, libdir, mandir, ...)
"$MESON" introspect "$PMTCP_BUILD_ROOT" --installed > "$TMP/installed.json"
dest_of() {   # dest_of SUFFIX: the installed path whose build path ends so
	/usr/bin/python3 - "$TMP/installed.json" "$1" <<'PY'
import json, sys
for src, dst in json.load(open(sys.argv[1])).items():
    if src.endswith(sys.argv[2]):
        print(dst)
        break
PY
}
for f in /app/pmtcp /docs/pmtcp.1 /pmtcp_version.h /pmtcp.h /libpmtcp.pc \
	/libpmtcp.so.$PMTCP_VERSION /drivers-config; do
	p=$(dest_of "$f")
	[ -n "$p" ] || fail "meson introspect --installed lists no ...$f"
	[ -e "$D$p" ] || fail "$f not installed at $p"
done
ok "installed: bin/pmtcp, libpmtcp.so.$PMTCP_VERSION, pmtcp.h, pmtcp_version.h, libpmtcp.pc, drivers-config, pmtcp.1"

man1=$(dest_of /docs/pmtcp.1)
case "$man1" in
*/man1/pmtcp.1) ;;
*) fail "pmtcp.1 installed at $man1, not under a man1 directory" ;;
esac
grep -qx ".TH PMTCP 1 \"\" \"pmtcp $PMTCP_VERSION\" \"User Commands\"" "$D$man1" ||
	{ head -5 "$D$man1"; fail "pmtcp.1: .TH does not carry version $PMTCP_VERSION"; }
profiles=$(dest_of /drivers-config)
grep -qx "^\.I $profiles" "$D$man1" ||
	fail "pmtcp.1: FILES does not name the installed profiles, $profiles"
[ -f "$D$profiles/net_ring.ini" ] || fail "no net_ring.ini in $profiles"
ok "pmtcp.1 at $man1: version $PMTCP_VERSION, FILES names $profiles (which holds net_ring.ini)"
if command -v groff > /dev/null; then
	LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$D$man1" 2> "$TMP/groff.err" ||
		fail "groff failed on pmtcp.1"
	[ ! -s "$TMP/groff.err" ] || { cat "$TMP/groff.err"; fail "groff warns on pmtcp.1"; }
	groff -man -Tascii -P -cbou "$D$man1" > "$TMP/man.txt" 2> /dev/null
	for h in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS" FILES "SEE ALSO"; do
		grep -qx "$h" "$TMP/man.txt" || fail "pmtcp.1 renders no $h section"
	done
	grep -q -- '^ *--version$' "$TMP/man.txt" && grep -q -- '^ *--duration SEC$' "$TMP/man.txt" ||
		fail "pmtcp.1 renders no --version or --duration entry"
	ok "pmtcp.1 renders without warnings: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES, EXIT STATUS, FILES, SEE ALSO"
else
	skip_case "man page rendering" "groff missing"
fi

vh=$(dest_of /pmtcp_version.h)
grep -qx "#define PMTCP_VERSION_STRING \"$PMTCP_VERSION\"" "$D$vh" ||
	fail "installed pmtcp_version.h does not define PMTCP_VERSION_STRING \"$PMTCP_VERSION\""
grep -qx '#include "pmtcp_version.h"' "$D$(dest_of /pmtcp.h)" ||
	fail "installed pmtcp.h does not include pmtcp_version.h"
ok "installed pmtcp_version.h: PMTCP_VERSION_STRING \"$PMTCP_VERSION\", included by pmtcp.h"

# a program against the installed header and library: the header's
# version and the library's pmtcp_version() are the same string
if command -v cc > /dev/null; then
	so=$(dest_of "/libpmtcp.so.$PMTCP_VERSION")
	cat > "$TMP/v.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <pmtcp_version.h>
int main(void)
{
	printf("%s %s\n", PMTCP_VERSION_STRING, pmtcp_version());
	return strcmp(PMTCP_VERSION_STRING, pmtcp_version()) != 0;
}
C
	cc -I"$D$(dirname "$vh")" "$TMP/v.c" -L"$D$(dirname "$so")" -lpmtcp \
		-o "$TMP/v" 2> "$TMP/cc.err" || { cat "$TMP/cc.err"; fail "cannot build against the installed libpmtcp"; }
	out=$(LD_LIBRARY_PATH="$D$(dirname "$so")" "$TMP/v") ||
		fail "header and library versions differ: $out"
	expect_eq "installed header and pmtcp_version()" "$out" "$PMTCP_VERSION $PMTCP_VERSION"
	n=$((n + 1))
else
	skip_case "build against the install" "no cc"
fi
echo "$n passed, 0 failed"
