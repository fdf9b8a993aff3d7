/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_SYSCTL_H
#define PMTCP_SYSCTL_H

/**
 * @file
 * TCP knobs, named after the Linux sysctls they mirror
 * (net.ipv4.<name>), with Linux 4.17's defaults.
 *
 * A struct pmtcp_sysctl is plain data: fill it with pmtcp_sysctl_init(),
 * change it with pmtcp_sysctl_set(), hand it to pmtcp_stack_create() (which
 * copies it).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The knobs. See docs/tuning.md for each one's effect on the handshake. */
struct pmtcp_sysctl {
	int32_t tcp_syn_retries;       /**< SYN retransmissions before ETIMEDOUT (6) */
	int32_t tcp_synack_retries;    /**< SYN-ACK retransmissions (5) */
	int32_t tcp_timestamps;        /**< RFC 7323 timestamps (1) */
	int32_t tcp_window_scaling;    /**< RFC 7323 window scale (1) */
	int32_t tcp_sack;              /**< offer SACK-permitted (1) */
	int32_t tcp_ecn;               /**< 0 off, 1 request, 2 accept only (2) */
	int32_t ip_local_port_range[2];/**< ephemeral ports (32768 60999) */
	int32_t tcp_rmem[3];           /**< receive buffer min/default/max (4096 87380 6291456) */
	int32_t tcp_wmem[3];           /**< send buffer min/default/max (4096 16384 4194304) */
	int32_t tcp_max_syn_backlog;   /**< SYN_RECV entries per listener (4096: Linux sizes it from memory) */
	int32_t tcp_rto_initial_ms;    /**< pmtcp: initial RTO in ms (1000, RFC 6298) */
	int32_t tcp_rto_max_ms;        /**< pmtcp: RTO ceiling in ms (120000, TCP_RTO_MAX) */
	int32_t tcp_mss_clamp;         /**< pmtcp: clamp our MSS (0 = from the MTU, else 88..65495) */
	int32_t tcp_min_snd_mss;       /**< floor of the MSS we send with (48, TCP_MIN_SND_MSS) */
	int32_t tcp_rto_min_ms;        /**< pmtcp: RTO floor in ms (200, TCP_RTO_MIN) */
	int32_t ip_default_ttl;        /**< TTL of sent packets (64) */
	int32_t tcp_retries2;          /**< data retransmissions before ETIMEDOUT (15) */
	int32_t tcp_fin_timeout;       /**< s in FIN_WAIT2 for an orphan (60) */
	int32_t tcp_tw_reuse;          /**< reuse a TIME_WAIT 4-tuple for connect() when timestamps make it safe (0) */
	int32_t tcp_max_tw_buckets;    /**< TIME_WAIT socks per stack (262144) */
	int32_t tcp_challenge_ack_limit; /**< challenge ACKs per second (1000) */
	int32_t tcp_rfc1337;           /**< 1: a RST does not end TIME_WAIT (RFC 1337) (0) */
	int32_t tcp_invalid_ratelimit; /**< ms between duplicate ACKs for invalid segments, per connection (500) */
	int32_t tcp_syncookies;        /**< 0 off, 1 when the SYN queue is full, 2 always (1) */
	int32_t neigh_retrans_time_ms; /**< neigh.default.retrans_time_ms: ARP request interval (1000) */
	int32_t neigh_mcast_solicit;   /**< neigh.default.mcast_solicit: ARP requests before FAILED (3) */
	int32_t neigh_base_reachable_time_ms; /**< neigh.default.base_reachable_time_ms: REACHABLE for a random [base/2, 3*base/2) (30000) */
	int32_t neigh_gc_stale_time;   /**< neigh.default.gc_stale_time: s before an unused STALE neighbour is freed (60) */
	int32_t neigh_gc_thresh3;      /**< neigh.default.gc_thresh3: neighbour table size, read at stack creation (1024) */
};

/** Fill @p s with Linux 4.17's defaults. */
void pmtcp_sysctl_init(struct pmtcp_sysctl *s);

/**
 * Set knob @p name to @p value ("2", or "32768 60999" / "32768,60999" for
 * the multi-value knobs).
 * @param err     when not NULL, receives a one-line reason on failure
 * @return 0, -ENOENT for an unknown name, -EINVAL for a malformed or
 *         out-of-range value.
 */
int pmtcp_sysctl_set(struct pmtcp_sysctl *s, const char *name,
		     const char *value, char *err, size_t errlen);

/**
 * Parse "NAME=VALUE" and set it (the form of `--tcp`).
 * @return as pmtcp_sysctl_set().
 */
int pmtcp_sysctl_parse(struct pmtcp_sysctl *s, const char *assignment,
		       char *err, size_t errlen);

/**
 * Format the value of knob @p name into @p buf.
 * @return 0, or -ENOENT for an unknown name.
 */
int pmtcp_sysctl_get(const struct pmtcp_sysctl *s, const char *name,
		     char *buf, size_t len);

/** Number of knobs; knob i's name is pmtcp_sysctl_name(i). */
unsigned int pmtcp_sysctl_count(void);
/** @return the name of knob @p i, or NULL past the end. */
const char *pmtcp_sysctl_name(unsigned int i);
/** @return a one-line description of knob @p i, or NULL past the end. */
const char *pmtcp_sysctl_desc(unsigned int i);

/** Print every knob as "name = value" lines. */
void pmtcp_sysctl_print(FILE *f, const struct pmtcp_sysctl *s);

#ifdef __cplusplus
}
#endif
#endif /* PMTCP_SYSCTL_H */
