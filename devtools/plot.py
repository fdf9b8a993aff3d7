#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Pictures of pmtcp runs from their --json files (Debian's python3-matplotlib,
no display needed).

usage: plot.py [-o DIR] [--labels A,B,...] [--title TEXT] JSON...

Writes into DIR (default: the current directory, created if missing):
  cps.png                connections per second over time (series[])
  handshake_latency.png  the handshake latency distribution
                         (latency_us.histogram.handshake): the share of
                         handshakes in each log2 bucket
  response_latency.png   the same for responses, when a run has any
  overview.png           cps.png and handshake_latency.png side by side
Several JSON files are several runs in each picture, one line each,
labelled with --labels or else the file names. Prints the files written.
"""
import argparse
import json
import os
import sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402  (after the backend)
from matplotlib.ticker import EngFormatter, FuncFormatter  # noqa: E402


def load(path):
	try:
		with open(path) as f:
			run = json.load(f)
	except (OSError, ValueError) as e:
		sys.exit('plot.py: %s: %s' % (path, e))
	if 'series' not in run or 'histogram' not in run.get('latency_us', {}):
		sys.exit('plot.py: %s: no series[] or latency_us.histogram '
			 '(not a pmtcp --json file, or from an older pmtcp)' % path)
	return run


def labels_for(paths, given):
	if given is not None:
		labels = given.split(',')
		if len(labels) != len(paths):
			sys.exit('plot.py: --labels: %d labels for %d files'
				 % (len(labels), len(paths)))
		return labels
	stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
	# two files of one name in different folders: the paths tell them apart
	return stems if len(set(stems)) == len(stems) else list(paths)


def plot_cps(ax, runs):
	"""Each period's cps from its start (t - dt) to its end (t)."""
	for label, run in runs:
		s = run['series']
		if not s:
			continue
		x = [s[0]['t'] - s[0]['dt']] + [e['t'] for e in s]
		y = [s[0]['cps']] + [e['cps'] for e in s]
		ax.step(x, y, where='pre', label=label)
	ax.set_xlabel('time since start (s)')
	ax.set_ylabel('connections established per second')
	ax.yaxis.set_major_formatter(EngFormatter())
	ax.set_ylim(bottom=0)
	ax.set_xlim(left=0)
	ax.grid(True, alpha=0.3)
	ax.legend()
	ax.set_title('connections per second')


def us_label(v, _):
	if v >= 1e6:
		return '%gs' % (v / 1e6)
	if v >= 1e3:
		return '%gms' % (v / 1e3)
	return '%g\u00b5s' % v


def plot_hist(ax, runs, which):
	"""Share of the run's latencies in each log2 bucket, on a log axis
	with decade ticks (a bucket [lo, hi] spans lo to hi + 1; the 0 us
	bucket from 0.5)."""
	for label, run in runs:
		buckets = run['latency_us']['histogram'][which]
		total = sum(b['count'] for b in buckets)
		if total == 0:
			continue
		edges = [max(buckets[0]['lo_us'], 0.5)] + \
			[b['hi_us'] + 1 for b in buckets]
		share = [100.0 * b['count'] / total for b in buckets]
		pct = run['latency_us'][which]
		ax.stairs(share, edges, linewidth=1.5,
			  label='%s (p50 %s \u00b5s, p99 %s \u00b5s)'
			  % (label, pct['p50'], pct['p99']))
	ax.set_xscale('log')
	ax.xaxis.set_major_formatter(FuncFormatter(us_label))
	ax.set_xlabel('%s latency (log2 buckets, log scale)' % which)
	ax.set_ylabel('share of %ss (%%)' % which)
	ax.set_ylim(bottom=0)
	ax.grid(True, alpha=0.3)
	ax.legend()
	ax.set_title('%s latency distribution' % which)


def save(fig, path, written):
	fig.tight_layout()
	fig.savefig(path, dpi=80)
	plt.close(fig)
	written.append(path)


def main():
	ap = argparse.ArgumentParser(
		description='PNG pictures of pmtcp --json files: CPS over '
			    'time and the latency distribution, several runs '
			    'in one picture')
	ap.add_argument('json', nargs='+', help='pmtcp --json files')
	ap.add_argument('-o', '--out-dir', default='.',
			help='where the PNGs go (default: .)')
	ap.add_argument('--labels', help='one label per file, comma separated')
	ap.add_argument('--title', help='a title above each picture')
	a = ap.parse_args()
	runs = list(zip(labels_for(a.json, a.labels), map(load, a.json)))
	os.makedirs(a.out_dir, exist_ok=True)
	written = []

	def figure(n=1):
		fig, axes = plt.subplots(1, n, figsize=(6.4 * n, 4))
		if a.title:
			fig.suptitle(a.title)
		return fig, axes

	fig, ax = figure()
	plot_cps(ax, runs)
	save(fig, os.path.join(a.out_dir, 'cps.png'), written)
	fig, ax = figure()
	plot_hist(ax, runs, 'handshake')
	save(fig, os.path.join(a.out_dir, 'handshake_latency.png'), written)
	if any(r['latency_us']['histogram']['response'] for _, r in runs):
		fig, ax = figure()
		plot_hist(ax, runs, 'response')
		save(fig, os.path.join(a.out_dir, 'response_latency.png'),
		     written)
	fig, axes = figure(2)
	plot_cps(axes[0], runs)
	plot_hist(axes[1], runs, 'handshake')
	save(fig, os.path.join(a.out_dir, 'overview.png'), written)
	for p in written:
		print(p)


if __name__ == '__main__':
	main()
