#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libpmtcp exports exactly its public API: the symbols that
# `nm -D --defined-only` finds in the shared library are the functions and
# variables declared in the installed headers, no more (an internal symbol
# leaking out of lib/pmtcp/version.map's "local: *") and no fewer (a
# declared one left out of the map, or not defined at all).
#
# usage: check_abi.sh LIBPMTCP.so VERSION.map HEADER...
set -euo pipefail

lib=$1 map=$2
shift 2
tmp=$(mktemp -d /tmp/pmtcp_abi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The headers' declarations, parsed without a compiler: comments and
# preprocessor lines dropped, struct/enum bodies and inline function
# bodies skipped, then every top-level declaration classified. One that
# fits no class fails the test rather than being ignored.
/usr/bin/python3 - "$@" > "$tmp/declared" <<'PY'
import re, sys

def declarations(text):
	text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
	text = re.sub(r'//[^\n]*', ' ', text)
	text = re.sub(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', ' ', text, flags=re.M)
	text = re.sub(r'extern\s*"C"\s*\{', ' ', text)
	decl, depth, head = '', 0, ''
	for ch in text:
		if depth > 0:
			depth += {'{': 1, '}': -1}.get(ch, 0)
			if depth == 0 and head.rstrip().endswith(')'):
				yield head + ' {body}'    # an inline definition
				decl = ''
			elif depth == 0:
				decl = head + ' {}'
			continue
		if ch == '{':
			depth, head = 1, decl
		elif ch == '}':
			pass                              # the extern "C" block's end
		elif ch == ';':
			yield decl
			decl = ''
		else:
			decl += ch
	if decl.strip():
		sys.exit('trailing text: ' + decl.strip())

names = set()
for path in sys.argv[1:]:
	for d in declarations(open(path).read()):
		d = ' '.join(d.split())
		d = re.sub(r'__attribute__\s*\(\(.*?\)\)', '', d).strip()
		if d == '' or d.startswith('typedef '):
			continue
		if re.fullmatch(r'(struct|union|enum)( \w+)? ?\{\}', d) or \
		   re.fullmatch(r'(struct|union|enum) \w+', d):
			continue                          # a type, not a symbol
		words = d.split('(')[0].split()
		if 'static' in words:
			continue                          # inline: not exported
		if '(' in d:
			m = re.search(r'(\w+)\s*\($', d.split('(')[0] + '(')
		elif words[0] == 'extern':
			m = re.search(r'(\w+)\s*(\[[^]]*\])*$', d)
		else:
			m = None
		if m is None:
			sys.exit('%s: cannot classify: %s' % (path, d))
		names.add(m.group(1))
for n in sorted(names):
	print(n)
PY

# What the library defines: every dynamic symbol but the version nodes
# (type A, e.g. PMTCP_0); nm (binutils >= 2.35) shows NAME@@NODE
nm -D --defined-only "$lib" > "$tmp/nm"
awk '$2 != "A" { print $3 }' "$tmp/nm" | sed 's/@.*//' | sort -u > "$tmp/exported"
nodes=$(awk '$2 == "A" { print $3 }' "$tmp/nm" | tr '\n' ' ')
nodes=${nodes% }

rc=0
leaked=$(comm -13 "$tmp/declared" "$tmp/exported")
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
if [ -n "$leaked" ]; then
	echo "FAIL: exported but declared in no public header (internal, leaked):"
	echo "$leaked" | sed 's/^/  /'
	rc=1
fi
if [ -n "$missing" ]; then
	echo "FAIL: declared in a public header but not exported (add to $map):"
	echo "$missing" | sed 's/^/  /'
	rc=1
fi
# one version node, the map's, and every symbol in it
if [ "$(wc -w <<< "$nodes")" -ne 1 ] || ! grep -q "^$nodes {" "$map"; then
	echo "FAIL: version nodes '$nodes', not the one of $map"
	rc=1
fi
unversioned=$(awk '$2 != "A" { print $3 }' "$tmp/nm" | grep -v "@@$nodes\$" || true)
if [ -n "$unversioned" ] && grep -q '@' <<< "$(awk '{ print $3 }' "$tmp/nm")"; then
	echo "FAIL: symbols outside node $nodes:"
	echo "$unversioned" | sed 's/^/  /'
	rc=1
fi
[ "$rc" -eq 0 ] && echo "ok: $(wc -l < "$tmp/exported") symbols exported," \
	"as declared in $# headers (node $nodes)"
exit $rc
