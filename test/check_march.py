#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The build targets the CPU cpu_instruction_set names, and only that one.

libdpdk's pkg-config cflags carry their own -march (Debian: corei7); on the
compile line they came after the project's and won. meson.build drops them.
This checks every C compile of the project in compile_commands.json: exactly
one -march=, equal to -march=<cpu_instruction_set>, no -mcpu=/-mtune=, and
libdpdk's other cflags kept (-include rte_config.h, its include dir).

usage: check_march.py BUILD_DIR/compile_commands.json CPU_INSTRUCTION_SET
"""
import json
import shlex
import sys


def main():
	path, want = sys.argv[1], '-march=' + sys.argv[2]
	with open(path) as f:
		cmds = json.load(f)
	bad = []
	n = 0
	for c in cmds:
		if not c['file'].endswith('.c'):
			continue
		n += 1
		args = c['arguments'] if 'arguments' in c else shlex.split(c['command'])
		march = [a for a in args if a.startswith('-march=')]
		other = [a for a in args if a.startswith(('-mcpu=', '-mtune='))]
		if march != [want] or other:
			bad.append('%s: %s' % (c['file'], ' '.join(march + other)))
		if '-include' not in args or 'rte_config.h' not in args or \
				not any(a.startswith('-I') and a.endswith('/dpdk') for a in args):
			bad.append('%s: libdpdk cflags missing' % c['file'])
	for b in bad:
		print('FAIL', b)
	print('%d C compiles, %d wrong (want exactly one %s each)' % (n, len(bad), want))
	return 1 if bad or n == 0 else 0


if __name__ == '__main__':
	sys.exit(main())
