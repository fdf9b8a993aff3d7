/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmtcp_sysctl.h"

/* One knob: where it lives, how many integers, the accepted range. */
struct knob {
	const char *name;
	size_t off;
	unsigned int n;        /* values: 1, 2 (a range) or 3 (min/def/max) */
	int32_t min, max;
	int32_t def[3];
	const char *desc;
};

#define KN(name, f, n_, lo, hi, d0, d1, d2, desc_) \
	{ name, offsetof(struct pmtcp_sysctl, f), n_, lo, hi, { d0, d1, d2 }, desc_ }
#define K(f, n_, lo, hi, d0, d1, d2, desc_) KN(#f, f, n_, lo, hi, d0, d1, d2, desc_)

static const struct knob knobs[] = {
	K(tcp_syn_retries, 1, 1, 127, 6, 0, 0,
	  "SYN retransmissions before connect() fails with ETIMEDOUT"),
	K(tcp_synack_retries, 1, 1, 255, 5, 0, 0,
	  "SYN-ACK retransmissions before a SYN_RECV entry is dropped"),
	K(tcp_timestamps, 1, 0, 1, 1, 0, 0,
	  "send RFC 7323 timestamps in the SYN (1) or not (0)"),
	K(tcp_window_scaling, 1, 0, 1, 1, 0, 0,
	  "offer RFC 7323 window scaling in the SYN"),
	K(tcp_sack, 1, 0, 1, 1, 0, 0, "offer SACK-permitted in the SYN"),
	K(tcp_ecn, 1, 0, 2, 2, 0, 0,
	  "ECN: 0 never, 1 request in SYN and accept, 2 accept only"),
	K(ip_local_port_range, 2, 1, 65535, 32768, 60999, 0,
	  "ephemeral source ports for connect(): low high"),
	K(tcp_rmem, 3, 1, INT32_MAX, 4096, 87380, 6291456,
	  "receive buffer min default max: sets the SYN window and scale"),
	K(tcp_wmem, 3, 1, INT32_MAX, 4096, 16384, 4194304,
	  "send buffer min default max: bounds what pmtcp_send() queues (-EAGAIN)"),
	K(tcp_max_syn_backlog, 1, 1, 1 << 24, 4096, 0, 0,
	  "SYN_RECV entries per listener"),
	K(tcp_rto_initial_ms, 1, 1, 120000, 1000, 0, 0,
	  "pmtcp: initial retransmission timeout in ms (RFC 6298: 1 s)"),
	K(tcp_rto_max_ms, 1, 1, 120000, 120000, 0, 0,
	  "pmtcp: retransmission timeout ceiling in ms (TCP_RTO_MAX)"),
	K(tcp_mss_clamp, 1, 0, 65495, 0, 0, 0,
	  "pmtcp: clamp the advertised MSS (0: MTU - 40; else at least 88, TCP_MIN_MSS)"),
	K(tcp_min_snd_mss, 1, 48, 65495, 48, 0, 0,
	  "the smallest MSS we send with, whatever the peer's MSS option says"),
	K(tcp_rto_min_ms, 1, 1, 120000, 200, 0, 0,
	  "pmtcp: retransmission timeout floor in ms (TCP_RTO_MIN)"),
	K(ip_default_ttl, 1, 1, 255, 64, 0, 0, "TTL of sent packets"),
	K(tcp_retries2, 1, 1, 255, 15, 0, 0,
	  "data/FIN retransmissions before the connection fails with ETIMEDOUT"),
	K(tcp_fin_timeout, 1, 1, 3600, 60, 0, 0,
	  "seconds an orphaned connection may stay in FIN_WAIT2"),
	K(tcp_tw_reuse, 1, 0, 1, 0, 0, 0,
	  "connect() may reuse a TIME_WAIT 4-tuple older than 1 s when both sides use timestamps"),
	K(tcp_max_tw_buckets, 1, 0, INT32_MAX, 262144, 0, 0,
	  "TIME_WAIT connections kept; beyond, close at once (TCPTimeWaitOverflow)"),
	K(tcp_challenge_ack_limit, 1, 1, INT32_MAX, 1000, 0, 0,
	  "challenge ACKs (RFC 5961) sent per second"),
	K(tcp_rfc1337, 1, 0, 1, 0, 0, 0,
	  "1: a RST does not end TIME_WAIT (RFC 1337's fix); 0: it does, as Linux by default"),
	K(tcp_invalid_ratelimit, 1, 0, INT32_MAX, 500, 0, 0,
	  "ms a connection waits between duplicate ACKs for out-of-window or PAWS-rejected segments"),
	K(tcp_syncookies, 1, 0, 2, 1, 0, 0,
	  "SYN cookies: 0 never, 1 when the SYN queue is full, 2 always"),
	KN("neigh.default.retrans_time_ms", neigh_retrans_time_ms, 1, 10, 3600000,
	   1000, 0, 0, "ms between ARP requests for an unresolved neighbour"),
	KN("neigh.default.mcast_solicit", neigh_mcast_solicit, 1, 1, 255, 3, 0, 0,
	   "ARP requests before a neighbour is FAILED (connections: EHOSTUNREACH)"),
	KN("neigh.default.base_reachable_time_ms", neigh_base_reachable_time_ms, 1,
	   1, 86400000, 30000, 0, 0,
	   "a reply keeps a neighbour REACHABLE for a random [base/2, 3*base/2) ms, then STALE"),
	KN("neigh.default.gc_stale_time", neigh_gc_stale_time, 1, 1, 86400, 60, 0, 0,
	   "s a STALE neighbour unused for that long is garbage-collected"),
	KN("neigh.default.gc_thresh3", neigh_gc_thresh3, 1, 1, 65536, 1024, 0, 0,
	   "neighbour table entries per stack (allocated at stack creation; full: evict STALE)"),
};
#define N_KNOBS (sizeof(knobs) / sizeof(knobs[0]))

static int32_t *
knob_ptr(struct pmtcp_sysctl *s, const struct knob *k)
{
	return (int32_t *)((char *)s + k->off);
}

static const struct knob *
knob_find(const char *name)
{
	if (name == NULL)
		return NULL;
	/* accept "net.ipv4.tcp_syn_retries" as well */
	if (strncmp(name, "net.ipv4.", 9) == 0)
		name += 9;
	for (unsigned int i = 0; i < N_KNOBS; i++)
		if (strcmp(knobs[i].name, name) == 0)
			return &knobs[i];
	return NULL;
}

void
pmtcp_sysctl_init(struct pmtcp_sysctl *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < N_KNOBS; i++)
		for (unsigned int j = 0; j < knobs[i].n; j++)
			knob_ptr(s, &knobs[i])[j] = knobs[i].def[j];
}

int
pmtcp_sysctl_set(struct pmtcp_sysctl *s, const char *name, const char *value,
		 char *err, size_t errlen)
{
	const struct knob *k = knob_find(name);
	int32_t v[3];
	const char *p = value;
	unsigned int i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (k == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "unknown TCP knob '%s' (see docs/tuning.md)",
				 name != NULL ? name : "");
		return -ENOENT;
	}
	if (value == NULL)
		goto bad;
	for (i = 0; i < k->n; i++) {
		char *end;
		long long x;

		while (*p == ' ' || *p == '\t')
			p++;
		if (i > 0 && *p == ',')   /* one comma may separate values */
			p++;
		if (*p == '\0')
			goto bad;
		errno = 0;
		x = strtoll(p, &end, 10);
		if (end == p || errno != 0)
			goto bad;
		if (x < k->min || x > k->max)
			goto range;
		/* setsockopt(TCP_MAXSEG) refuses less than TCP_MIN_MSS */
		if (k->off == offsetof(struct pmtcp_sysctl, tcp_mss_clamp) &&
		    x != 0 && x < 88)
			goto mss_clamp;
		v[i] = (int32_t)x;
		p = end;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		goto bad;
	/* multi-value knobs are ordered: low <= high, min <= def <= max */
	for (i = 1; i < k->n; i++)
		if (v[i] < v[i - 1])
			goto order;
	for (i = 0; i < k->n; i++)
		knob_ptr(s, k)[i] = v[i];
	return 0;
bad:
	if (err != NULL)
		snprintf(err, errlen, "%s: bad value '%s': expected %u integer%s in [%d, %d]",
			 k->name, value != NULL ? value : "", k->n,
			 k->n > 1 ? "s" : "", k->min, k->max);
	return -EINVAL;
range:
	if (err != NULL)
		snprintf(err, errlen, "%s: value '%s' out of range [%d, %d]",
			 k->name, value, k->min, k->max);
	return -EINVAL;
mss_clamp:
	if (err != NULL)
		snprintf(err, errlen, "%s: value '%s' out of range: 0 (off) or [88, %d]",
			 k->name, value, k->max);
	return -EINVAL;
order:
	if (err != NULL)
		snprintf(err, errlen, "%s: values '%s' must not decrease",
			 k->name, value);
	return -EINVAL;
}

int
pmtcp_sysctl_parse(struct pmtcp_sysctl *s, const char *assignment, char *err,
		   size_t errlen)
{
	char name[64];
	const char *eq = assignment != NULL ? strchr(assignment, '=') : NULL;
	size_t len;

	if (eq == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "expected NAME=VALUE, got '%s'",
				 assignment != NULL ? assignment : "");
		return -EINVAL;
	}
	len = (size_t)(eq - assignment);
	if (len == 0 || len >= sizeof(name)) {
		if (err != NULL)
			snprintf(err, errlen, "expected NAME=VALUE, got '%s'", assignment);
		return -EINVAL;
	}
	memcpy(name, assignment, len);
	name[len] = '\0';
	return pmtcp_sysctl_set(s, name, eq + 1, err, errlen);
}

int
pmtcp_sysctl_get(const struct pmtcp_sysctl *s, const char *name, char *buf,
		 size_t len)
{
	const struct knob *k = knob_find(name);
	const int32_t *v;

	if (k == NULL)
		return -ENOENT;
	v = (const int32_t *)((const char *)s + k->off);
	if (k->n == 1)
		snprintf(buf, len, "%d", v[0]);
	else if (k->n == 2)
		snprintf(buf, len, "%d %d", v[0], v[1]);
	else
		snprintf(buf, len, "%d %d %d", v[0], v[1], v[2]);
	return 0;
}

unsigned int
pmtcp_sysctl_count(void)
{
	return N_KNOBS;
}

const char *
pmtcp_sysctl_name(unsigned int i)
{
	return i < N_KNOBS ? knobs[i].name : NULL;
}

const char *
pmtcp_sysctl_desc(unsigned int i)
{
	return i < N_KNOBS ? knobs[i].desc : NULL;
}

void
pmtcp_sysctl_print(FILE *f, const struct pmtcp_sysctl *s)
{
	char buf[64];

	for (unsigned int i = 0; i < N_KNOBS; i++) {
		pmtcp_sysctl_get(s, knobs[i].name, buf, sizeof(buf));
		fprintf(f, "%-24s = %s\n", knobs[i].name, buf);
	}
}
