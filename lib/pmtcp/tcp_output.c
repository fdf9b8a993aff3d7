/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment building (net/ipv4/tcp_output.c): SYN, SYN-ACK, ACK and RST,
 * written straight into a fresh mbuf (Ethernet + IPv4 + TCP + options)
 * and queued on the interface's TX batch through the neighbour layer.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "tcp.h"
#include "tcp_csum.h"

#define IP_DF_BE RTE_BE16(RTE_IPV4_HDR_DF_FLAG)

/*
 * tcp_select_initial_window(): the window we offer in the SYN and our
 * window scale. @mss is the MSS less any timestamp option.
 *   space  = tcp_full_space(): tcp_rmem[1] less the overhead share
 *            (tcp_adv_win_scale = 1: half)
 *   window = space rounded down to a multiple of the MSS, at most
 *            tcp_default_init_rwnd() segments (20 x 1460 = 29200)
 *   wscale = shift that makes max(tcp_rmem[2], rmem_max) fit in 16 bits
 */
void
pmtcp_tcp_select_initial_window(const struct pmtcp_sysctl *s, uint32_t mss,
				uint32_t *rcv_wnd, uint32_t *window_clamp,
				bool wscale_ok, uint8_t *rcv_wscale)
{
	uint32_t space = (uint32_t)s->tcp_rmem[1] - ((uint32_t)s->tcp_rmem[1] >> 1);

	if (*window_clamp == 0)
		*window_clamp = (uint32_t)UINT16_MAX << TCP_MAX_WSCALE;
	space = RTE_MIN(*window_clamp, space);
	if (mss > 0 && space > mss)
		space = (space / mss) * mss;
	*rcv_wnd = space;
	*rcv_wscale = 0;
	if (wscale_ok) {
		/* net.core.rmem_max default is 212992 */
		space = RTE_MAX((uint32_t)s->tcp_rmem[2], 212992U);
		space = RTE_MIN(space, *window_clamp);
		while (space > UINT16_MAX && *rcv_wscale < TCP_MAX_WSCALE) {
			space >>= 1;
			(*rcv_wscale)++;
		}
	}
	/* tcp_default_init_rwnd(): room for a sender starting with twice
	 * TCP_INIT_CWND (10) segments, fewer when the MSS is above 1460 */
	if (mss > (1U << *rcv_wscale)) {
		uint32_t init_rwnd = 2 * 10;

		if (mss > 1460)
			init_rwnd = RTE_MAX(1460 * init_rwnd / mss, 2U);
		*rcv_wnd = RTE_MIN(*rcv_wnd, init_rwnd * mss);
	}
	*window_clamp = RTE_MIN((uint32_t)UINT16_MAX << *rcv_wscale, *window_clamp);
}

/* A segment's headers as they are being written: what the checksums need. */
struct seg_sum {
	uint64_t phdr;        /* the TCP pseudo-header */
	uint64_t tcp;         /* the TCP header, options and payload */
};

/* Build the Ethernet/IPv4/TCP headers common to every segment; fills the
 * IPv4 checksum (or leaves it to the NIC) and the pseudo-header sum. The
 * caller has checked that the frame fits a fresh mbuf (tcp_frame_fits();
 * a RST's 54 bytes always do: pmtcp_stack_add_iface() checked the pool's
 * mbufs against the MTU, at least 108). */
static struct rte_tcp_hdr *
tcp_build_headers(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		  struct rte_mbuf *m, uint32_t saddr, uint32_t daddr,
		  uint16_t ip_id, unsigned int tcp_len, struct seg_sum *sum)
{
	uint16_t tot_be = rte_cpu_to_be_16((uint16_t)(sizeof(struct rte_ipv4_hdr) +
						      tcp_len));
	uint16_t id_be = rte_cpu_to_be_16(ip_id);
	uint8_t ttl = (uint8_t)st->sysctl.ip_default_ttl;
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *iph;
	uint64_t addrs = (uint64_t)saddr + daddr;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*iph) + tcp_len);
	iph = (struct rte_ipv4_hdr *)(eh + 1);
	rte_ether_addr_copy(&ifc->conf.mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	iph->version_ihl = RTE_IPV4_VHL_DEF;
	iph->type_of_service = 0;
	iph->total_length = tot_be;
	iph->packet_id = id_be;
	iph->fragment_offset = IP_DF_BE;
	iph->time_to_live = ttl;
	iph->next_proto_id = IPPROTO_TCP;
	iph->src_addr = saddr;
	iph->dst_addr = daddr;
	m->l2_len = sizeof(*eh);
	m->l3_len = sizeof(*iph);
	if (ifc->conf.tx_ip_cksum) {
		iph->hdr_checksum = 0;
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	} else {
		iph->hdr_checksum = (uint16_t)~csum_fold(addrs +
			csum_w(RTE_IPV4_VHL_DEF, tot_be) + csum_w(id_be, IP_DF_BE) +
			csum_w((uint16_t)(ttl | IPPROTO_TCP << 8), 0));
		m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	}
	sum->phdr = tcp_v4_phdr_sum(saddr, daddr, (uint16_t)tcp_len);
	return (struct rte_tcp_hdr *)(iph + 1);
}

/* A frame with @tcp_len bytes of TCP header, options and payload fits one
 * fresh mbuf of the pool; else it is not built (PmtcpSegTooBig). Checked
 * before the mbuf is taken, on the value alone. */
static inline bool
tcp_frame_fits(struct pmtcp_stack *st, uint32_t tcp_len)
{
	if (likely(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + tcp_len <=
		   st->mbuf_room))
		return true;
	MIB_INC(st, Pmtcp, SegTooBig);
	return false;
}

/*
 * A fresh mbuf for a segment. The next one this lcore's mempool cache will
 * hand out is prefetched for writing, header and first data line: on a
 * ring pair (and wherever another core touched the mbuf last) each store
 * of rte_pktmbuf_reset() and of the headers would otherwise wait for its
 * line, one at a time.
 */
static inline struct rte_mbuf *
tcp_seg_alloc(struct pmtcp_stack *st)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(st->pool);
	struct rte_mempool_cache *c =
		rte_mempool_default_cache(st->pool, rte_lcore_id());

	if (likely(c != NULL && c->len > 0)) {
		char *next = c->objs[c->len - 1];

		rte_prefetch0_write(next);
		rte_prefetch0_write(next + RTE_CACHE_LINE_SIZE);
		rte_prefetch0_write(next + st->mbuf_data_off);
	}
	return m;
}

/* The TCP checksum, once sum->tcp holds the header, options and payload:
 * the complete one, or the pseudo-header's for the NIC to finish. */
static inline void
tcp_csum_finish(const struct pmtcp_iface *ifc, struct rte_mbuf *m,
		struct rte_tcp_hdr *th, const struct seg_sum *sum)
{
	if (ifc->conf.tx_tcp_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = csum_fold(sum->phdr);
	} else {
		th->cksum = (uint16_t)~csum_fold(sum->phdr + sum->tcp);
	}
}

/* The TCP header words of a segment, checksum and urgent pointer 0. */
static inline uint64_t
tcp_hdr_sum(uint16_t sport, uint16_t dport, uint32_t seq_be, uint32_t ack_be,
	    uint8_t data_off, uint8_t flags, uint16_t win_be)
{
	return csum_w(sport, dport) + seq_be + ack_be +
	       csum_w((uint16_t)(data_off | flags << 8), win_be);
}

/*
 * tcp_transmit_skb(): build one segment of @sk: headers, options (SYN
 * options on SYN and SYN-ACK, the timestamp otherwise when negotiated),
 * and @len payload bytes taken from the send queue at sequence @seq.
 * Every segment but a SYN carries the ACK of everything received, so a
 * pending delayed ACK is settled by it.
 */
static int
tcp_transmit_skb(struct pmtcp_stack *st, struct pmtcp_sock *sk, uint8_t flags,
		 uint32_t seq, uint32_t len, bool retrans)
{
	struct pmtcp_iface *ifc = &st->ifaces[sk->iface];
	uint8_t opts[TCP_SYN_OPTS_MAX];
	unsigned int optlen = 0;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	struct seg_sum sum;
	uint64_t opt_sum;
	uint32_t win, seq_be, ack_be;
	uint8_t doff;

	if (flags & TH_SYN) {
		/* tcp_syn_options() / tcp_synack_options() */
		bool synack = (flags & TH_ACK) != 0;

		optlen = pmtcp_tcp_syn_options_write(opts, sk->advmss,
				(sk->flags & SK_TSTAMP_OK) != 0,
				pmtcp_tcp_tsval(st, sk),
				synack ? sk->ts_recent : 0,
				(sk->flags & SK_SACK_OK) != 0,
				(sk->flags & SK_WSCALE_OK) != 0, sk->rcv_wscale,
				&opt_sum);
		/* RFC 7323 2.2: the window of a SYN is never scaled */
		win = RTE_MIN(sk->rcv_wnd, (uint32_t)UINT16_MAX);
	} else {
		opt_sum = 0;
		if (sk->flags & SK_TSTAMP_OK) {
			uint32_t tsval = rte_cpu_to_be_32(pmtcp_tcp_tsval(st, sk));
			uint32_t tsecr = rte_cpu_to_be_32(sk->ts_recent);

			opts[0] = TCPOPT_NOP;
			opts[1] = TCPOPT_NOP;
			opts[2] = TCPOPT_TIMESTAMP;
			opts[3] = TCPOLEN_TIMESTAMP;
			memcpy(opts + 4, &tsval, 4);
			memcpy(opts + 8, &tsecr, 4);
			optlen = TCPOLEN_TSTAMP_ALIGNED;
			opt_sum = csum_w(TCPOPT_NOP | TCPOPT_NOP << 8,
					 TCPOPT_TIMESTAMP | TCPOLEN_TIMESTAMP << 8) +
				  tsval + tsecr;
		}
		win = RTE_MIN(sk->rcv_wnd >> sk->rcv_wscale, (uint32_t)UINT16_MAX);
	}

	if (unlikely(!tcp_frame_fits(st, sizeof(*th) + optlen + len)))
		return -EMSGSIZE;
	m = tcp_seg_alloc(st);
	if (unlikely(m == NULL)) {
		MIB_INC(st, Pmtcp, NoMbuf);
		return -ENOBUFS;
	}
	th = tcp_build_headers(st, ifc, m, sk->saddr, sk->daddr, sk->ip_id++,
			       sizeof(*th) + optlen + len, &sum);
	seq_be = rte_cpu_to_be_32(seq);
	ack_be = (flags & TH_ACK) ? rte_cpu_to_be_32(sk->rcv_nxt) : 0;
	doff = (uint8_t)(((sizeof(*th) + optlen) / 4) << 4);
	th->src_port = sk->sport;
	th->dst_port = sk->dport;
	th->sent_seq = seq_be;
	th->recv_ack = ack_be;
	th->data_off = doff;
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16((uint16_t)win);
	th->tcp_urp = 0;
	memcpy(th + 1, opts, optlen);
	sum.tcp = tcp_hdr_sum(sk->sport, sk->dport, seq_be, ack_be, doff, flags,
			      rte_cpu_to_be_16((uint16_t)win)) + opt_sum;
	if (len > 0) {
		uint8_t *dst = (uint8_t *)(th + 1) + optlen;
		const void *src = rte_pktmbuf_read(sk->sndq, seq - sk->sndq_seq,
						   len, dst);

		if (src != dst)
			memcpy(dst, src, len);
		/* summed from the send queue's bytes, not from the copy just
		 * written (a store-forwarding stall; the payload starts at
		 * an even offset, so the sum is the same) */
		if (!ifc->conf.tx_tcp_cksum)
			sum.tcp += rte_raw_cksum(src, len);
	}
	tcp_csum_finish(ifc, m, th, &sum);
	if (pmtcp_trace_on(st, PMTCP_TRACE_SEGMENT))
		pmtcp_trace_segment(st, true, (struct rte_ipv4_hdr *)th - 1, th);

	if (flags & TH_ACK) {
		/* tcp_event_ack_sent(): the ACK owed goes with this segment */
		sk->rcv_wup = sk->rcv_nxt;
		pmtcp_timer_cancel(&st->wheel, &sk->dtimer);
	}
	MIB_INC(st, Ip, OutRequests);
	if (retrans)
		MIB_INC(st, Tcp, RetransSegs);
	else
		MIB_INC(st, Tcp, OutSegs);
	if (flags & TH_RST)
		MIB_INC(st, Tcp, OutRsts);
	pmtcp_neigh_output(st, ifc, pmtcp_route_nexthop(ifc, sk->daddr), m);
	return 0;
}

/* A segment without payload: SYN, SYN-ACK, ACK, RST, FIN. */
int
pmtcp_tcp_transmit(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		   uint8_t flags, uint32_t seq, bool retrans)
{
	return tcp_transmit_skb(st, sk, flags, seq, 0, retrans);
}

/* Sequence number just past the data queued (the FIN's, when queued). */
static inline uint32_t
tcp_write_end(const struct pmtcp_sock *sk)
{
	return sk->sndq_seq + sk->sndq_len;
}

/* The FIN has been sent (it sits at tcp_write_end()). */
static inline bool
tcp_fin_sent(const struct pmtcp_sock *sk)
{
	return (sk->flags & SK_FIN_QUEUED) &&
	       seq_after(sk->snd_nxt, tcp_write_end(sk));
}

/*
 * tcp_write_xmit(): send what the peer's window and the initial
 * congestion window (RFC 6928: 10 segments; pmtcp grows no further yet)
 * allow, then the FIN once all data is out. Starts the retransmission
 * timer when something new is in flight.
 */
void
pmtcp_tcp_write_xmit(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	/* sk->mss fits an mbuf: tcp_sync_mss() keeps it below the MTU's
	 * MSS, which pmtcp_stack_add_iface() checked against the pool */
	uint32_t mss = sk->mss;
	uint32_t wnd = RTE_MIN(sk->snd_wnd, 10U * mss);
	bool sent = false;

	while (seq_before(sk->snd_nxt, tcp_write_end(sk))) {
		uint32_t in_flight = sk->snd_nxt - sk->snd_una;
		uint32_t left = tcp_write_end(sk) - sk->snd_nxt;
		uint32_t len = RTE_MIN(left, mss);
		uint8_t flags = TH_ACK;

		if (in_flight + len > wnd) {
			/* send a partial segment only when nothing is in
			 * flight (RFC 9293 3.8.6.2.1, avoid silly windows) */
			if (in_flight != 0 || wnd <= in_flight)
				break;
			len = wnd - in_flight;
		}
		if (len == 0)
			break;
		if (len == left) {
			flags |= TH_PSH;
			/* tcp_send_fin(): the FIN rides on the last queued
			 * segment when the window takes it too */
			if ((sk->flags & SK_FIN_QUEUED) && in_flight + len < wnd)
				flags |= TH_FIN;
		}
		if (tcp_transmit_skb(st, sk, flags, sk->snd_nxt, len, false) != 0)
			break;
		sk->snd_nxt += len + ((flags & TH_FIN) ? 1 : 0);
		sent = true;
	}
	if ((sk->flags & SK_FIN_QUEUED) && sk->snd_nxt == tcp_write_end(sk) &&
	    sk->snd_nxt - sk->snd_una <= wnd) {
		/* tcp_send_fin() */
		if (pmtcp_tcp_transmit(st, sk, TH_FIN | TH_ACK, sk->snd_nxt,
				       false) == 0) {
			sk->snd_nxt++;
			sent = true;
		}
	}
	if (sent && !pmtcp_timer_pending(&sk->timer))
		pmtcp_reset_xmit_timer(st, sk, sk->rto_ms);
}

/* tcp_retransmit_skb() of the head: the first unacknowledged segment,
 * data or FIN. */
void
pmtcp_tcp_retransmit_head(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	uint32_t data = tcp_write_end(sk) - sk->snd_una;

	if (seq_before(sk->snd_una, tcp_write_end(sk))) {
		uint32_t len = RTE_MIN(data, (uint32_t)sk->mss);
		uint8_t flags = TH_ACK;

		/* the last data, with the FIN if it went with it */
		if (len == data)
			flags |= TH_PSH | (tcp_fin_sent(sk) ? TH_FIN : 0);
		tcp_transmit_skb(st, sk, flags, sk->snd_una, len, true);
	} else if (tcp_fin_sent(sk)) {
		pmtcp_tcp_transmit(st, sk, TH_FIN | TH_ACK, tcp_write_end(sk), true);
	}
}

/* tcp_connect_init() + tcp_connect(): set the window and MSS up, send the
 * SYN, start the retransmission timer (RFC 6298 2.1: RTO 1 s). */
int
pmtcp_tcp_connect(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	const struct pmtcp_sysctl *s = &st->sysctl;
	uint32_t window_clamp = 0;
	uint8_t flags = TH_SYN;
	int ret;

	pmtcp_tcp_select_initial_window(s, sk->advmss, &sk->rcv_wnd,
					&window_clamp,
					(sk->flags & SK_WSCALE_OK) != 0,
					&sk->rcv_wscale);
	sk->snd_una = sk->iss;
	sk->snd_nxt = sk->iss;
	sk->sndq_seq = sk->iss + 1;   /* data queued before ESTABLISHED */
	sk->rcv_nxt = 0;
	sk->retrans_stamp = st->now_ms;
	sk->rto_ms = (uint32_t)s->tcp_rto_initial_ms;
	/* tcp_ecn_send_syn(): RFC 3168 6.1.1, an ECN-setup SYN */
	if (s->tcp_ecn == 1)
		flags |= TH_ECE | TH_CWR;
	ret = pmtcp_tcp_transmit(st, sk, flags, sk->iss, false);
	sk->snd_nxt = sk->iss + 1;
	MIB_INC(st, Tcp, ActiveOpens);
	pmtcp_reset_xmit_timer(st, sk, sk->rto_ms);
	/* a SYN that could not be built is retried by the timer */
	return ret == -ENOBUFS ? 0 : ret;
}

/* __tcp_send_ack(): seq = snd_nxt, ack = rcv_nxt, our window scaled. */
void
pmtcp_send_ack(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	pmtcp_tcp_transmit(st, sk, TH_ACK, sk->snd_nxt, false);
}

/* tcp_make_synack(): SYN-ACK with the ISN chosen at the first SYN. */
int
pmtcp_send_synack(struct pmtcp_stack *st, struct pmtcp_sock *sk, bool retrans)
{
	uint8_t flags = TH_SYN | TH_ACK;

	if (sk->flags & SK_ECN_OK)
		flags |= TH_ECE;   /* RFC 3168 6.1.1: ECN-setup SYN-ACK */
	return pmtcp_tcp_transmit(st, sk, flags, sk->iss, retrans);
}

/* tcp_send_active_reset() */
void
pmtcp_tcp_send_active_reset(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	pmtcp_tcp_transmit(st, sk, TH_RST | TH_ACK, sk->snd_nxt, false);
}

/*
 * tcp_v4_send_reset(), RFC 9293 section 3.10.7.1 (CLOSED state): never
 * answer a RST; if the segment has an ACK the reset takes its sequence
 * from SEG.ACK, else seq 0 and ACK = SEG.SEQ + SEG.LEN.
 * Replies to the sender's MAC directly.
 */
void
pmtcp_tcp_v4_send_reset(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
			const struct rte_mbuf *in)
{
	const struct rte_ether_hdr *ieh = rte_pktmbuf_mtod(in, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *iph = (const struct rte_ipv4_hdr *)(ieh + 1);
	const struct rte_tcp_hdr *ith = rte_pktmbuf_mtod_offset(in,
			const struct rte_tcp_hdr *, in->l2_len + in->l3_len);
	struct rte_ether_hdr *eh;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	struct seg_sum sum;
	uint32_t seg_len, seq_be, ack_be;
	uint8_t flags;

	if (ith->tcp_flags & TH_RST)
		return;
	m = tcp_seg_alloc(st);
	if (m == NULL) {
		MIB_INC(st, Pmtcp, NoMbuf);
		return;
	}
	th = tcp_build_headers(st, ifc, m, iph->dst_addr, iph->src_addr, 0,
			       sizeof(*th), &sum);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&ieh->src_addr, &eh->dst_addr);
	if (ith->tcp_flags & TH_ACK) {
		seq_be = ith->recv_ack;
		ack_be = 0;
		flags = TH_RST;
	} else {
		seg_len = rte_be_to_cpu_16(iph->total_length) - in->l3_len -
			  (uint32_t)((ith->data_off >> 4) * 4);
		seg_len += (ith->tcp_flags & TH_SYN) ? 1 : 0;
		seg_len += (ith->tcp_flags & TH_FIN) ? 1 : 0;
		seq_be = 0;
		ack_be = rte_cpu_to_be_32(rte_be_to_cpu_32(ith->sent_seq) + seg_len);
		flags = TH_RST | TH_ACK;
	}
	th->src_port = ith->dst_port;
	th->dst_port = ith->src_port;
	th->sent_seq = seq_be;
	th->recv_ack = ack_be;
	th->data_off = sizeof(*th) / 4 << 4;
	th->tcp_flags = flags;
	th->rx_win = 0;
	th->tcp_urp = 0;
	sum.tcp = tcp_hdr_sum(ith->dst_port, ith->src_port, seq_be, ack_be,
			      sizeof(*th) / 4 << 4, flags, 0);
	tcp_csum_finish(ifc, m, th, &sum);
	if (pmtcp_trace_on(st, PMTCP_TRACE_SEGMENT))
		pmtcp_trace_segment(st, true, (struct rte_ipv4_hdr *)th - 1, th);
	MIB_INC(st, Ip, OutRequests);
	MIB_INC(st, Tcp, OutSegs);
	MIB_INC(st, Tcp, OutRsts);
	pmtcp_tx_enqueue(st, ifc, m);
}
