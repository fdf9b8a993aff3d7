/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies, computed as net/ipv4/syncookies.c (Linux 4.17) does.
 *
 * The ISN of a cookie SYN-ACK (secure_tcp_syn_cookie()):
 *
 *   cookie = H0(saddr, daddr, sport, dport, 0)
 *          + sseq                                  the client's ISN
 *          + (count << 24)                         minute counter, low 8 bits
 *          + ((H1(saddr, daddr, sport, dport, count) + mssind) & 0xffffff)
 *
 * H0 and H1 are SipHash-2-4 under two per-process secrets, of the 16 bytes
 * { saddr, daddr, sport << 16 | dport, count } (Linux's siphash_4u32()),
 * truncated to 32 bits; mssind indexes msstab[]. The check
 * (check_tcp_syn_cookie()) subtracts H0 + sseq, reads the counter from the
 * top 8 bits, refuses it unless it is 0 or 1 minute old, subtracts H1 for
 * that minute and keeps the low 24 bits: an index below 4 means ours.
 *
 * pmtcp_tcp_cookie_check() below is cookie_v4_check(): the listener's side
 * of an ACK that completes a cookie handshake.
 *
 * With timestamps, the SYN-ACK's TSval carries the other SYN options in
 * its low 6 bits (cookie_init_timestamp()), and the ACK echoes them:
 *
 *   | 31 ... 6  |  5  |  4   | 3 2 1 0 |
 *   | timestamp | ECN | SACK | wscale  |    wscale 0xf: no window scaling
 */
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>
#include <time.h>

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ip.h>

#include "pmtcp_priv.h"
#include "syncookies.h"
#include "tcp.h"

#define COOKIEBITS 24                     /* upper bits store count */
#define COOKIEMASK ((1U << COOKIEBITS) - 1)

#define TS_OPT_WSCALE_MASK 0xfU
#define TS_OPT_SACK (1U << 4)
#define TS_OPT_ECN (1U << 5)
#define TSBITS 6
#define TSMASK ((1U << TSBITS) - 1)

/* syncookies.c: msstab[]; 1440 covers PPPoE (1452) */
static const uint16_t msstab[] = { 536, 1300, 1440, 1460 };

static uint8_t syncookie_secret[2][16];
static pthread_once_t syncookie_once = PTHREAD_ONCE_INIT;

static void
syncookie_secret_init(void)
{
	if (getrandom(syncookie_secret, sizeof(syncookie_secret), 0) !=
	    (ssize_t)sizeof(syncookie_secret)) {
		/* no entropy source: fall back to clocks, still per process */
		uint64_t x = rte_rdtsc() ^ ((uint64_t)time(NULL) << 1) ^
			     (uint64_t)(uintptr_t)&x;

		for (unsigned int i = 0; i < 16; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			syncookie_secret[0][i] = (uint8_t)(x >> 56);
			syncookie_secret[1][i] = (uint8_t)(x >> 48);
		}
	}
}

void
pmtcp_syncookie_init(void)
{
	pthread_once(&syncookie_once, syncookie_secret_init);
}

/* cookie_hash(): siphash_4u32(saddr, daddr, sport << 16 | dport, count)
 * under secret @c. Ports and addresses as they are on the wire. */
static uint32_t
cookie_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
	    uint32_t count, unsigned int c)
{
	const uint32_t w[4] = {
		saddr, daddr, (uint32_t)sport << 16 | dport, count,
	};

	pmtcp_syncookie_init();
	return (uint32_t)pmtcp_siphash_2_4(syncookie_secret[c], w, sizeof(w));
}

/* secure_tcp_syn_cookie() */
static uint32_t
secure_tcp_syn_cookie(uint32_t saddr, uint32_t daddr, uint16_t sport,
		      uint16_t dport, uint32_t sseq, uint32_t count,
		      uint32_t data)
{
	return cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq +
	       (count << COOKIEBITS) +
	       ((cookie_hash(saddr, daddr, sport, dport, count, 1) + data) &
		COOKIEMASK);
}

/* check_tcp_syn_cookie(): the data (mss index) in @cookie, or
 * UINT32_MAX when the counter it carries is too old or in the future. */
static uint32_t
check_tcp_syn_cookie(uint32_t cookie, uint32_t saddr, uint32_t daddr,
		     uint16_t sport, uint16_t dport, uint32_t sseq,
		     uint32_t count)
{
	uint32_t diff;

	/* strip away the layers from the cookie */
	cookie -= cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq;

	/* now (count << 24) + (H1 + data) % 2^24: the minutes elapsed,
	 * modulo 256 as only 8 bits of the counter travel */
	diff = (count - (cookie >> COOKIEBITS)) & (UINT32_MAX >> COOKIEBITS);
	if (diff >= PMTCP_COOKIE_MAX_AGE)
		return UINT32_MAX;

	return (cookie - cookie_hash(saddr, daddr, sport, dport,
				     count - diff, 1)) & COOKIEMASK;
}

/* cookie_v4_init_sequence() / __cookie_v4_init_sequence() */
uint32_t
pmtcp_cookie_v4_init_sequence(uint32_t saddr, uint32_t daddr, uint16_t sport,
			      uint16_t dport, uint32_t seq, uint16_t mss,
			      uint32_t now_minute, uint16_t *mss_out)
{
	unsigned int mssind;

	for (mssind = RTE_DIM(msstab) - 1; mssind != 0; mssind--)
		if (mss >= msstab[mssind])
			break;
	*mss_out = msstab[mssind];

	return secure_tcp_syn_cookie(saddr, daddr, sport, dport, seq,
				     now_minute, mssind);
}

/* __cookie_v4_check(), with cookie_v4_check()'s cookie = ack_seq - 1 */
int
pmtcp_cookie_v4_check(uint32_t saddr, uint32_t daddr, uint16_t sport,
		      uint16_t dport, uint32_t seq, uint32_t ack_seq,
		      uint32_t now_minute, uint16_t *mss_out)
{
	uint32_t mssind = check_tcp_syn_cookie(ack_seq - 1, saddr, daddr,
					       sport, dport, seq - 1,
					       now_minute);

	if (mssind >= RTE_DIM(msstab))
		return -EINVAL;
	*mss_out = msstab[mssind];
	return 0;
}

/*
 * cookie_init_timestamp(): later timestamps come from the plain clock, so
 * the encoded one must not be after @now_ts: when the options are larger
 * than the clock's low bits, step back one 64 ms slot.
 */
uint32_t
pmtcp_cookie_init_timestamp(uint32_t now_ts, uint8_t wscale, bool wscale_ok,
			    bool sack_ok, bool ecn_ok)
{
	uint32_t options, ts;

	options = wscale_ok ? (wscale & TS_OPT_WSCALE_MASK) : TS_OPT_WSCALE_MASK;
	if (sack_ok)
		options |= TS_OPT_SACK;
	if (ecn_ok)
		options |= TS_OPT_ECN;

	ts = (now_ts & ~TSMASK) | options;
	if (ts > now_ts)    /* unsigned, as Linux compares */
		ts -= 1U << TSBITS;
	return ts;
}

/* cookie_timestamp_decode() and cookie_ecn_ok() (without the route's
 * RTAX_FEATURE_ECN: pmtcp has no per-route features) */
bool
pmtcp_cookie_timestamp_decode(uint32_t tsecr, bool sysctl_sack,
			      bool sysctl_window_scaling, bool sysctl_ecn,
			      uint8_t *snd_wscale, bool *wscale_ok,
			      bool *sack_ok, bool *ecn_ok)
{
	uint32_t ws = tsecr & TS_OPT_WSCALE_MASK;

	*sack_ok = (tsecr & TS_OPT_SACK) != 0;
	*ecn_ok = (tsecr & TS_OPT_ECN) != 0 && sysctl_ecn;
	*wscale_ok = ws != TS_OPT_WSCALE_MASK;
	*snd_wscale = *wscale_ok ? (uint8_t)ws : 0;

	if (*sack_ok && !sysctl_sack)
		return false;
	if (!*wscale_ok)
		return true;    /* no window scaling */
	return sysctl_window_scaling;
}

/*
 * cookie_v4_check() + tcp_get_cookie_sock(): an ACK for a listener with
 * no connection may complete a cookie handshake. Valid -> a connection
 * straight in ESTABLISHED, set up from what the cookie and the echoed
 * timestamp carry. Returns it, or NULL (SyncookiesFailed counted when a
 * cookie was checked and did not verify). Does not consume @m.
 */
struct pmtcp_sock *
pmtcp_tcp_cookie_check(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		      uint16_t listener, struct rte_mbuf *m,
		      const struct rte_tcp_hdr *th,
		      const struct pmtcp_tcp_opts *opt)
{
	const struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, m->l2_len);
	struct pmtcp_listener *l = &st->listeners[listener - 1];
	const struct pmtcp_sysctl *s = &st->sysctl;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	bool wscale_ok = false, sack_ok = false, ecn_ok = false;
	uint8_t snd_wscale = 0;
	struct pmtcp_tcp_opts syn_opt;
	struct pmtcp_sock *sk;
	uint32_t ts_off = 0;
	uint16_t mss;

	/* tcp_synq_no_recent_overflow(): cookies only after an overflow in
	 * the last two minutes, unless they are always on */
	if (s->tcp_syncookies == 0 ||
	    (s->tcp_syncookies == 1 &&
	     (l->last_overflow_ms == 0 ||
	      st->now_ms - l->last_overflow_ms > 120000)))
		return NULL;
	if (pmtcp_cookie_v4_check(iph->src_addr, iph->dst_addr, th->src_port,
				  th->dst_port, seq, ack,
				  pmtcp_cookie_time(st->now_tsc, st->tsc_hz),
				  &mss) != 0) {
		MIB_INC(st, TcpExt, SyncookiesFailed);
		return NULL;
	}
	/* cookie_timestamp_decode(): what the SYN offered, from TSecr */
	if (opt->saw_tstamp) {
		if (!s->tcp_timestamps) {
			MIB_INC(st, TcpExt, SyncookiesFailed);
			return NULL;
		}
		ts_off = pmtcp_tcp_ts_off(st, iph->dst_addr, iph->src_addr);
		if (!pmtcp_cookie_timestamp_decode(opt->rcv_tsecr - ts_off,
				s->tcp_sack != 0, s->tcp_window_scaling != 0,
				s->tcp_ecn != 0, &snd_wscale, &wscale_ok,
				&sack_ok, &ecn_ok)) {
			MIB_INC(st, TcpExt, SyncookiesFailed);
			return NULL;
		}
	}
	sk = pmtcp_sock_alloc(st);
	if (sk == NULL) {
		MIB_INC(st, TcpExt, ListenDrops);
		return NULL;
	}
	MIB_INC(st, TcpExt, SyncookiesRecv);
	/* rebuild the request the SYN would have made */
	memset(&syn_opt, 0, sizeof(syn_opt));
	syn_opt.saw_tstamp = opt->saw_tstamp;
	syn_opt.rcv_tsval = opt->rcv_tsval;
	syn_opt.mss_clamp = mss;
	syn_opt.wscale_ok = wscale_ok;
	syn_opt.snd_wscale = snd_wscale;
	syn_opt.sack_ok = sack_ok;
	{
		struct rte_tcp_hdr syn_th = *th;

		syn_th.sent_seq = rte_cpu_to_be_32(seq - 1);
		syn_th.tcp_flags = TH_SYN | (ecn_ok ? (TH_ECE | TH_CWR) : 0);
		pmtcp_tcp_openreq_init(st, ifc, sk, iph, &syn_th, &syn_opt);
	}
	sk->iss = ack - 1;
	sk->snd_una = ack;
	sk->snd_nxt = ack;
	sk->snd_wnd = (uint32_t)rte_be_to_cpu_16(th->rx_win) << sk->snd_wscale;
	sk->ip_id = (uint16_t)(sk->iss ^ st->now_ms);
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_ESTABLISHED);
	pmtcp_sock_hash(st, sk);
	return sk;
}

/* A cookie connection reached ESTABLISHED. */
void
pmtcp_cookie_established(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			 struct rte_mbuf *m, const struct rte_tcp_hdr *th,
			 const struct pmtcp_tcp_opts *opt, uint32_t seg_len)
{
	pmtcp_handshake_done(st);
	pmtcp_tcp_child_established(st, sk, m, th, opt, seg_len, false);
}
