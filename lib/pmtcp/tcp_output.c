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

/* Build the Ethernet/IPv4/TCP headers common to every segment. */
static struct rte_tcp_hdr *
tcp_build_headers(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		  struct rte_mbuf *m, uint32_t saddr, uint32_t daddr,
		  uint16_t ip_id, unsigned int tcp_len)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *iph;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*iph) + tcp_len);
	iph = (struct rte_ipv4_hdr *)(eh + 1);
	rte_ether_addr_copy(&ifc->conf.mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	iph->version_ihl = RTE_IPV4_VHL_DEF;
	iph->type_of_service = 0;
	iph->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*iph) + tcp_len));
	iph->packet_id = rte_cpu_to_be_16(ip_id);
	iph->fragment_offset = IP_DF_BE;
	iph->time_to_live = (uint8_t)st->sysctl.ip_default_ttl;
	iph->next_proto_id = IPPROTO_TCP;
	iph->src_addr = saddr;
	iph->dst_addr = daddr;
	return (struct rte_tcp_hdr *)(iph + 1);
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
	uint32_t win;

	if (flags & TH_SYN) {
		/* tcp_syn_options() / tcp_synack_options() */
		bool synack = (flags & TH_ACK) != 0;

		optlen = pmtcp_tcp_syn_options_write(opts, sk->advmss,
				(sk->flags & SK_TSTAMP_OK) != 0,
				pmtcp_tcp_tsval(st, sk),
				synack ? sk->ts_recent : 0,
				(sk->flags & SK_SACK_OK) != 0,
				(sk->flags & SK_WSCALE_OK) != 0, sk->rcv_wscale);
		/* RFC 7323 2.2: the window of a SYN is never scaled */
		win = RTE_MIN(sk->rcv_wnd, (uint32_t)UINT16_MAX);
	} else {
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
		}
		win = RTE_MIN(sk->rcv_wnd >> sk->rcv_wscale, (uint32_t)UINT16_MAX);
	}

	m = rte_pktmbuf_alloc(st->pool);
	if (unlikely(m == NULL)) {
		MIB_INC(st, Pmtcp, NoMbuf);
		return -ENOBUFS;
	}
	th = tcp_build_headers(st, ifc, m, sk->saddr, sk->daddr, sk->ip_id++,
			       sizeof(*th) + optlen + len);
	th->src_port = sk->sport;
	th->dst_port = sk->dport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = (flags & TH_ACK) ? rte_cpu_to_be_32(sk->rcv_nxt) : 0;
	th->data_off = (uint8_t)(((sizeof(*th) + optlen) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16((uint16_t)win);
	th->tcp_urp = 0;
	memcpy(th + 1, opts, optlen);
	if (len > 0) {
		uint8_t *dst = (uint8_t *)(th + 1) + optlen;
		const void *src = rte_pktmbuf_read(sk->sndq, seq - sk->sndq_seq,
						   len, dst);

		if (src != dst)
			memcpy(dst, src, len);
	}
	pmtcp_ipv4_tcp_cksum_fill(ifc, m);
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
	uint32_t wnd = RTE_MIN(sk->snd_wnd, 10U * sk->mss);
	bool sent = false;

	while (seq_before(sk->snd_nxt, tcp_write_end(sk))) {
		uint32_t in_flight = sk->snd_nxt - sk->snd_una;
		uint32_t left = tcp_write_end(sk) - sk->snd_nxt;
		uint32_t len = RTE_MIN(left, (uint32_t)sk->mss);
		uint8_t flags = TH_ACK;

		if (in_flight + len > wnd) {
			/* send a partial segment only when nothing is in
			 * flight (RFC 9293 3.8.6.2.1, avoid silly windows) */
			if (in_flight != 0 || wnd <= in_flight)
				break;
			len = wnd - in_flight;
		}
		if (len == left)
			flags |= TH_PSH;
		if (tcp_transmit_skb(st, sk, flags, sk->snd_nxt, len, false) != 0)
			break;
		sk->snd_nxt += len;
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

		tcp_transmit_skb(st, sk, TH_ACK | (len == data ? TH_PSH : 0),
				 sk->snd_una, len, true);
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
	uint32_t seg_len;

	if (ith->tcp_flags & TH_RST)
		return;
	m = rte_pktmbuf_alloc(st->pool);
	if (m == NULL) {
		MIB_INC(st, Pmtcp, NoMbuf);
		return;
	}
	th = tcp_build_headers(st, ifc, m, iph->dst_addr, iph->src_addr, 0,
			       sizeof(*th));
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&ieh->src_addr, &eh->dst_addr);
	th->src_port = ith->dst_port;
	th->dst_port = ith->src_port;
	th->data_off = sizeof(*th) / 4 << 4;
	th->rx_win = 0;
	th->tcp_urp = 0;
	if (ith->tcp_flags & TH_ACK) {
		th->sent_seq = ith->recv_ack;
		th->recv_ack = 0;
		th->tcp_flags = TH_RST;
	} else {
		seg_len = rte_be_to_cpu_16(iph->total_length) - in->l3_len -
			  (uint32_t)((ith->data_off >> 4) * 4);
		seg_len += (ith->tcp_flags & TH_SYN) ? 1 : 0;
		seg_len += (ith->tcp_flags & TH_FIN) ? 1 : 0;
		th->sent_seq = 0;
		th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(ith->sent_seq) +
						seg_len);
		th->tcp_flags = TH_RST | TH_ACK;
	}
	pmtcp_ipv4_tcp_cksum_fill(ifc, m);
	if (pmtcp_trace_on(st, PMTCP_TRACE_SEGMENT))
		pmtcp_trace_segment(st, true, (struct rte_ipv4_hdr *)th - 1, th);
	MIB_INC(st, Ip, OutRequests);
	MIB_INC(st, Tcp, OutSegs);
	MIB_INC(st, Tcp, OutRsts);
	pmtcp_tx_enqueue(st, ifc, m);
}
