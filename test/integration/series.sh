#!/usr/bin/env bash
# The JSON's series[] (one entry per stats period, the run's length in
# periods rounded), its latency histograms in log2 buckets, --csv, and
# devtools/plot.py's PNGs, over the embedded ring pair.
. "$(dirname "$0")/lib.sh"

need_tools /usr/bin/python3
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null ||
	skip "python3-matplotlib missing"
PLOT=$PMTCP_SOURCE_ROOT/devtools/plot.py
n=0

# check_series JSON PERIOD: the one-entry-per-period rule and the sums
check_series() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
period = float(sys.argv[2])
s = d['series']
err = []
def want(what, got, exp):
	if got != exp:
		err.append('%s: got %r, want %r' % (what, got, exp))
want('series_period_s', d['series_period_s'], period)
want('series_dropped', d['series_dropped'], 0)
# the run's length in periods, rounded to the nearest, at least one
want('entries', len(s), max(1, int(d['duration_s'] / period + 0.5)))
# each full period ends near a multiple of the period; the last one (the
# run's rest) is from half a period to one and a half long, and ends
# with the run
for i, e in enumerate(s[:-1]):
	if abs(e['t'] - (i + 1) * period) > 0.25 * period:
		err.append('entry %d ends at %.3f s, want about %.3f' %
			   (i, e['t'], (i + 1) * period))
if len(s) > 1 and not 0.25 * period <= s[-1]['dt'] <= 1.75 * period:
	err.append('last entry lasts %.3f s' % s[-1]['dt'])
if s and abs(s[-1]['t'] - d['duration_s']) > 0.002:
	err.append('last entry ends at %.3f, the run at %.3f' %
		   (s[-1]['t'], d['duration_s']))
t = 0.0
for i, e in enumerate(s):
	if abs(e['t'] - e['dt'] - t) > 0.002:
		err.append('entry %d starts at %.3f, the previous ended at %.3f' %
			   (i, e['t'] - e['dt'], t))
	t = e['t']
	if e['dt'] > 0 and abs(e['cps'] - e['established'] / e['dt']) > 0.06 + 1e-4 * e['cps']:
		err.append('entry %d: cps %s for %d in %.3f s' %
			   (i, e['cps'], e['established'], e['dt']))
	if e['handshake_us']['p50'] > e['handshake_us']['p99']:
		err.append('entry %d: p50 above p99' % i)
# the periods add up to the summary; the last cumulative is the total
c = d['client']
for k, tot in (('established', c['established']),
	       ('accepted', d['server']['accepted'])):
	want('sum of series[].' + k, sum(e[k] for e in s), tot)
	want('series[-1].%s_total' % k, s[-1][k + '_total'], tot)
for k in ('refused', 'timeout', 'reset', 'unreachable', 'local'):
	want('sum of series[].failed.' + k, sum(e['failed'][k] for e in s),
	     c['failed'][k])
want('sum of series[].retrans', sum(e['retrans'] for e in s),
     d['mib']['Tcp']['RetransSegs'])
for k in ('ok', 'bad'):
	want('sum of series[].responses.' + k,
	     sum(e['responses'][k] for e in s), c['responses'][k])
if err:
	print('\n'.join(err))
	sys.exit(1)
print('%d entries, %d established' % (len(s), c['established']))
PY
}

# check_hist JSON WHICH COUNT: log2 buckets, contiguous, counts adding up
# to COUNT, the percentiles and max in the buckets they should be in
check_hist() {
	/usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
which, count = sys.argv[2], int(sys.argv[3])
h = d['latency_us']['histogram'][which]
pct = d['latency_us'][which]
err = []
for i, b in enumerate(h):
	lo, hi = b['lo_us'], b['hi_us']
	if not ((lo == 0 and hi == 0) or (hi == 2 * lo - 1 and lo & (lo - 1) == 0)):
		err.append('bucket %d is [%d, %d], not a log2 bucket' % (i, lo, hi))
	if i > 0 and lo != h[i - 1]['hi_us'] + 1:
		err.append('bucket %d does not follow bucket %d' % (i, i - 1))
total = sum(b['count'] for b in h)
if total != count:
	err.append('counts add up to %d, want %d' % (total, count))
if h and (h[0]['count'] == 0 or h[-1]['count'] == 0):
	err.append('an empty bucket at an end')
if h and not h[-1]['lo_us'] <= pct['max'] <= h[-1]['hi_us']:
	err.append('max %d not in the last bucket' % pct['max'])
# p50 and p99 lie in the first bucket whose running count reaches
# their rank (the percentiles' own rule)
for p in (50, 99):
	rank = max(1, int(p / 100 * total + 0.5))
	seen = 0
	for b in h:
		seen += b['count']
		if seen >= rank:
			break
	if h and not b['lo_us'] <= pct['p%d' % p] <= b['hi_us']:
		err.append('p%d %d not in [%d, %d]' % (p, pct['p%d' % p],
						   b['lo_us'], b['hi_us']))
if err:
	print('\n'.join(err))
	sys.exit(1)
print('%d buckets, %d %ss' % (len(h), total, which))
PY
}

# 1. a 3 s run: 3 entries, a CSV of the same rows, plot.py's PNGs
"$PMTCP" -l 0-1 -m 1024 $(eal a) -- --client 198.18.0.1:80 --server 80 \
	--duration 3 --json "$TMP/a.json" --csv "$TMP/a.csv" > "$TMP/a.out" 2>&1 ||
	{ cat "$TMP/a.out"; fail "run a exited non-zero"; }
out=$(check_series "$TMP/a.json" 1) || fail "a series: $out"
pass "a series: $out"
entries=$(/usr/bin/python3 -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["series"]))' "$TMP/a.json")
# --duration 3 ends at 3 s plus the drain, milliseconds here unless a
# SYN was lost (then the series has the drain's periods too, which
# check_series has counted)
secs=$(jget "$TMP/a.json" duration_s)
if /usr/bin/python3 -c 'import sys; sys.exit(float(sys.argv[1]) >= 3.5)' "$secs"; then
	expect_eq "a entries of a 3 s run (${secs} s)" "$entries" 3
else
	[ "$entries" -ge 4 ] || fail "a: $entries entries for $secs s"
	pass "a: $entries entries for a 3 s run that drained until $secs s"
fi
est=$(jget "$TMP/a.json" client.established)
[ "$est" -gt 0 ] || fail "a: nothing established"
out=$(check_hist "$TMP/a.json" handshake "$est") || fail "a histogram: $out"
pass "a handshake histogram: $out"
expect_eq "a response histogram" "$(jget "$TMP/a.json" latency_us.histogram.response)" "[]"
lines=$(grep -c '^\[ *[0-9.]*s\] cps' "$TMP/a.out" || true)
expect_eq "a per-period lines (the series' full periods)" "$lines" 3
# the CSV: the header, then the JSON's rows, same values
expect_eq "a csv header" "$(head -1 "$TMP/a.csv")" \
	"t,dt,cps,established,established_total,accepted,accepted_total,failed_refused,failed_timeout,failed_reset,failed_unreachable,failed_local,retrans,open,time_wait,hs_p50_us,hs_p99_us,responses_ok,responses_bad,resp_p50_us,resp_p99_us"
expect_eq "a csv rows" "$(($(wc -l < "$TMP/a.csv") - 1))" "$entries"
csv_cps=$(tail -n +2 "$TMP/a.csv" | cut -d, -f3 | paste -sd' ')
json_cps=$(/usr/bin/python3 -c 'import json, sys
print(" ".join("%.1f" % e["cps"] for e in json.load(open(sys.argv[1]))["series"]))' "$TMP/a.json")
expect_eq "a csv cps column" "$csv_cps" "$json_cps"
csv_est=$(awk -F, 'NR > 1 { n += $4 } END { print n }' "$TMP/a.csv")
expect_eq "a csv established column sum" "$csv_est" "$est"
# plot.py: one run, and two runs in one picture
"$PLOT" -o "$TMP/png" "$TMP/a.json" > "$TMP/plot.out" 2>&1 ||
	{ cat "$TMP/plot.out"; fail "plot.py exited non-zero"; }
for p in cps handshake_latency overview; do
	f=$TMP/png/$p.png
	[ -s "$f" ] || fail "plot.py wrote no $p.png"
	expect_eq "$p.png magic" "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" \
		89504e470d0a1a0a
done
[ ! -e "$TMP/png/response_latency.png" ] ||
	fail "plot.py drew responses for a handshake run"
pass "plot.py: no response picture without responses"

# 2. the request workload, --stats-period 0.5 --quiet: half-second
#    entries, no lines; the response histogram counts every ok response
"$PMTCP" -l 0-1 -m 1024 $(eal b) -- --client 198.18.0.1:80 --server 80 \
	--workload request --rate 4000 --connections 4400 --stats-period 0.5 \
	--quiet --json "$TMP/b.json" > "$TMP/b.out" 2>&1 ||
	{ cat "$TMP/b.out"; fail "run b exited non-zero"; }
out=$(check_series "$TMP/b.json" 0.5) || fail "b series: $out"
pass "b series: $out"
expect_eq "b no per-period lines" "$(grep -c '^\[ *[0-9.]*s\] cps' "$TMP/b.out" || true)" 0
expect_eq "b client.responses.ok" "$(jget "$TMP/b.json" client.responses.ok)" 4400
out=$(check_hist "$TMP/b.json" response 4400) || fail "b response histogram: $out"
pass "b response histogram: $out"
out=$(check_hist "$TMP/b.json" handshake 4400) || fail "b handshake histogram: $out"
pass "b handshake histogram: $out"
"$PLOT" -o "$TMP/png2" --labels closed,request "$TMP/a.json" "$TMP/b.json" \
	> "$TMP/plot2.out" 2>&1 || { cat "$TMP/plot2.out"; fail "plot.py (2 runs) exited non-zero"; }
expect_eq "plot.py (2 runs) response_latency.png magic" \
	"$(head -c 8 "$TMP/png2/response_latency.png" | od -An -tx1 | tr -d ' \n')" \
	89504e470d0a1a0a

# 3. --stats-period 0: no lines, the series still one entry a second
"$PMTCP" -l 0-1 -m 1024 $(eal c) -- --client 198.18.0.1:80 --server 80 \
	--rate 20000 --connections 24000 --stats-period 0 \
	--json "$TMP/c.json" --csv "$TMP/c.csv" > "$TMP/c.out" 2>&1 ||
	{ cat "$TMP/c.out"; fail "run c exited non-zero"; }
out=$(check_series "$TMP/c.json" 1) || fail "c series: $out"
pass "c series: $out"
expect_eq "c no per-period lines" "$(grep -c '^\[ *[0-9.]*s\] cps' "$TMP/c.out" || true)" 0

# 4. --csv to a file that cannot be written: one error line, exit 1
rc=0
"$PMTCP" -l 0-1 -m 512 $(eal d) -- --client 198.18.0.1:80 --server 80 \
	--connections 100 --csv "$TMP/no/such/dir.csv" > "$TMP/d.out" 2>&1 || rc=$?
expect_eq "d exit code" "$rc" 1
grep -q "^pmtcp: error: --csv $TMP/no/such/dir.csv: No such file or directory" "$TMP/d.out" ||
	{ cat "$TMP/d.out"; fail "d: no --csv error line"; }
pass "d: --csv error line"

echo "4 passed, 0 failed"
