/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_SYNCOOKIES_H
#define PMTCP_SYNCOOKIES_H

/*
 * SYN cookies (net/ipv4/syncookies.c): a listener under SYN flood answers
 * with a SYN-ACK whose ISN encodes what it would otherwise have kept, and
 * rebuilds the connection from the returning ACK. Pure functions: the
 * caller supplies the minute counter and the sysctls, keeps the counters
 * and decides when cookies are in use (tcp_syn_flood_action()).
 */

#include <stdbool.h>
#include <stdint.h>

/* include/net/tcp.h: a cookie is accepted while the minute counter has
 * moved by less than MAX_SYNCOOKIE_AGE since it was made, so it lives
 * between 60 and 120 s. */
#define PMTCP_COOKIE_MAX_AGE 2
#define PMTCP_COOKIE_PERIOD_S 60    /* TCP_SYNCOOKIE_PERIOD, in seconds */

/* tcp_cookie_time(): the minute counter from a TSC reading. */
static inline uint32_t
pmtcp_cookie_time(uint64_t tsc, uint64_t tsc_hz)
{
	return (uint32_t)(tsc / (tsc_hz * PMTCP_COOKIE_PERIOD_S));
}

/* Draw the two per-process cookie secrets (once; later calls do nothing).
 * The other functions call it themselves, as Linux's cookie_hash() calls
 * net_get_random_once(). */
void pmtcp_syncookie_init(void);

/*
 * cookie_v4_init_sequence(): the ISN for our SYN-ACK to a SYN.
 * @saddr, @daddr, @sport, @dport: as in the SYN (source = the client),
 * network order. @seq: the SYN's sequence number, host order. @mss: the
 * MSS we would use (peer's option clamped). @now_minute: pmtcp_cookie_time().
 * *@mss_out: the msstab entry encoded (the largest not above @mss; 536
 * when @mss is below all of them). Returns the ISN.
 */
uint32_t pmtcp_cookie_v4_init_sequence(uint32_t saddr, uint32_t daddr,
				       uint16_t sport, uint16_t dport,
				       uint32_t seq, uint16_t mss,
				       uint32_t now_minute, uint16_t *mss_out);

/*
 * __cookie_v4_check(): validate the third handshake ACK.
 * @saddr, @daddr, @sport, @dport: as in the ACK (source = the client),
 * network order. @seq, @ack_seq: the ACK's sequence and acknowledgement
 * numbers as received, host order: the client's ISN is @seq - 1 and the
 * cookie is @ack_seq - 1. Returns 0 with *@mss_out the MSS the cookie
 * carries, or -EINVAL (*@mss_out untouched) when the cookie is not ours,
 * is from the future or is PMTCP_COOKIE_MAX_AGE minutes old or more.
 */
int pmtcp_cookie_v4_check(uint32_t saddr, uint32_t daddr, uint16_t sport,
			  uint16_t dport, uint32_t seq, uint32_t ack_seq,
			  uint32_t now_minute, uint16_t *mss_out);

/*
 * cookie_init_timestamp(): the TSval for a cookie SYN-ACK, before the
 * per-connection ts_off is added. Its low 6 bits carry the SYN's options
 * (wscale, or 0xf for none; SACK; ECN); it is at most 63 below @now_ts
 * and never after it (modulo 2^32).
 */
uint32_t pmtcp_cookie_init_timestamp(uint32_t now_ts, uint8_t wscale,
				     bool wscale_ok, bool sack_ok, bool ecn_ok);

/*
 * cookie_timestamp_decode() + cookie_ecn_ok(): the options from the ACK's
 * TSecr, with ts_off already subtracted (cookie_v4_check() does that).
 * Call only when the ACK carries a timestamp and tcp_timestamps is on:
 * Linux takes "no timestamp" as "no options" and rejects a timestamp when
 * tcp_timestamps is now off. Returns false when the echo says SACK or
 * window scaling and the matching sysctl is now off; the outputs are
 * filled either way. @sysctl_ecn: tcp_ecn != 0.
 */
bool pmtcp_cookie_timestamp_decode(uint32_t tsecr, bool sysctl_sack,
				   bool sysctl_window_scaling, bool sysctl_ecn,
				   uint8_t *snd_wscale, bool *wscale_ok,
				   bool *sack_ok, bool *ecn_ok);

#endif /* PMTCP_SYNCOOKIES_H */
