/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 glue (net/ipv4/tcp_ipv4.c): segment validation and demux
 * (tcp_v4_rcv), connect (tcp_v4_connect), listen, and the public
 * per-socket calls.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "tcp.h"
#include "tcp_csum.h"

/*
 * tcp_v4_rcv(): header and checksum checks, then the connection, then a
 * listener, then a reset. Consumes @m.
 */
void
pmtcp_tcp_v4_rcv(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		 struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, m->l2_len);
	const struct rte_tcp_hdr *th;
	struct pmtcp_tcp_opts opt;
	struct pmtcp_sock *sk;
	uint32_t ip_payload, doff, seg_len, id, tw_isn = 0;
	uint16_t listener;

	MIB_INC(st, Tcp, InSegs);
	ip_payload = rte_be_to_cpu_16(iph->total_length) - m->l3_len;
	if (unlikely(ip_payload < sizeof(*th) ||
		     rte_pktmbuf_data_len(m) < m->l2_len + m->l3_len + sizeof(*th))) {
		MIB_INC(st, Tcp, InErrs);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_SHORT);
		return;
	}
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
				     m->l2_len + m->l3_len);
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (unlikely(doff < sizeof(*th) || doff > ip_payload ||
		     rte_pktmbuf_data_len(m) < m->l2_len + m->l3_len + doff)) {
		MIB_INC(st, Tcp, InErrs);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_SHORT);
		return;
	}
	/* checksum: trust the NIC when it verified, else compute */
	if (ifc->conf.rx_cksum &&
	    (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		/* verified */
	} else if ((ifc->conf.rx_cksum &&
		    (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		    RTE_MBUF_F_RX_L4_CKSUM_BAD) ||
		   (m->nb_segs == 1 && !tcp_v4_csum_ok(iph, th, (uint16_t)ip_payload)) ||
		   (m->nb_segs > 1 &&
		    rte_ipv4_udptcp_cksum_mbuf_verify(m, iph, m->l2_len + m->l3_len) != 0)) {
		/* tcp_checksum_complete(): a local kernel's CHECKSUM_PARTIAL
		 * segment passes, any other bad checksum is dropped */
		if (!pmtcp_tcp_csum_partial(ifc, iph, th)) {
			MIB_INC(st, Tcp, InErrs);
			MIB_INC(st, Tcp, InCsumErrors);
			pmtcp_drop(st, m, PMTCP_DROP_TCP_CSUM);
			return;
		}
		/* a segment another queue's stack handed over was counted
		 * (and traced) there already */
		if (!st->in_inbox)
			MIB_INC(st, Pmtcp, RxCsumPartial);
	}
	if (pmtcp_trace_on(st, PMTCP_TRACE_SEGMENT) && !st->in_inbox)
		pmtcp_trace_segment(st, false, iph, th);
	if (pmtcp_tcp_parse_options(th, doff - sizeof(*th), &opt) != 0 &&
	    !st->in_inbox)
		st->mib.drop[PMTCP_DROP_TCP_OPTIONS]++; /* counted, not dropped */
	seg_len = ip_payload - doff;
	seg_len += (th->tcp_flags & TH_SYN) ? 1 : 0;
	seg_len += (th->tcp_flags & TH_FIN) ? 1 : 0;

	m->l4_len = doff;
	/* the burst's classifier hashed this frame's tuple already */
	id = pmtcp_ehash_lookup_rx(st, m, iph->dst_addr, th->dst_port,
				   iph->src_addr, th->src_port);
	if (likely(id != 0 && !(id & PMTCP_EHASH_TW))) {
		pmtcp_tcp_rcv_state_process(st, &st->socks[id - 1], m, th, &opt,
					    seg_len);
		return;
	}
	/* tcp_rcv_state_process() TCP_LISTEN */
	listener = st->listen_idx[rte_be_to_cpu_16(th->dst_port)];
	if (id != 0) {
		struct pmtcp_tw *tw = pmtcp_ehash_tw(st, id);

		if (!pmtcp_tcp_timewait_state_process(st, tw, m, th, &opt,
						      seg_len, &tw_isn))
			return;
		/* TCP_TW_SYN: a listener takes the SYN and the TIME_WAIT
		 * ends; with none, TCP_TW_ACK: the TIME_WAIT's ACK answers
		 * it, not a RST (tcp_v4_rcv(), tcp_v4_timewait_ack()) */
		if (listener == 0) {
			pmtcp_tcp_v4_timewait_ack(st, tw);
			pmtcp_drop(st, m, PMTCP_DROP_TCP_TIME_WAIT);
			return;
		}
		pmtcp_tw_done(st, tw);
	}
	if (listener != 0) {
		if (th->tcp_flags & TH_ACK) {
			/* the third ACK of a cookie handshake, or a reset */
			if (!(th->tcp_flags & (TH_SYN | TH_RST))) {
				sk = pmtcp_tcp_cookie_check(st, ifc, listener, m,
							   th, &opt);
				if (sk != NULL) {
					pmtcp_cookie_established(st, sk, m, th,
								 &opt, seg_len);
					return;
				}
			}
			if (!(th->tcp_flags & TH_RST))
				pmtcp_tcp_v4_send_reset(st, ifc, m);
			pmtcp_drop(st, m, PMTCP_DROP_TCP_NO_SOCKET);
			return;
		}
		if ((th->tcp_flags & (TH_RST | TH_SYN | TH_FIN)) == TH_SYN)
			pmtcp_tcp_conn_request(st, ifc, listener, m, th, &opt,
					       tw_isn);
		else
			st->mib.drop[PMTCP_DROP_TCP_STATE]++;
		rte_pktmbuf_free(m);
		return;
	}
	/* another queue's connection, where the port's spreading is not
	 * the one its source port was chosen for: that queue's stack */
	if (unlikely(ifc->rss != NULL) &&
	    pmtcp_steer_segment(st, ifc, m, iph->src_addr, iph->dst_addr,
				th->src_port, th->dst_port))
		return;
	/* no socket: RFC 9293 3.10.7.1 */
	pmtcp_tcp_v4_send_reset(st, ifc, m);
	pmtcp_drop(st, m, PMTCP_DROP_TCP_NO_SOCKET);
}

/* Taken ports a connect() on an address range may walk before the next
 * connect moves to the next address (pmtcp_connect()) */
#define CONNECT_WALK_MAX 64

/*
 * tcp_v4_connect(): route, source port, ISN, SYN_SENT, then tcp_connect().
 */
int
pmtcp_connect(struct pmtcp_stack *st, uint32_t daddr, uint16_t dport,
	      uint64_t user_data, struct pmtcp_sock **out)
{
	const struct pmtcp_sysctl *s = &st->sysctl;
	uint32_t d = rte_be_to_cpu_32(daddr);
	struct pmtcp_tw_reuse reuse = { 0, 0, 0 };
	struct pmtcp_iface *ifc;
	struct pmtcp_sock *sk;
	uint32_t nexthop = 0, saddr, tries, lookups;
	uint16_t sport;
	int ret;

	/* __mkroute_output(): 0/8 is no destination */
	if ((d & 0xff000000u) == 0 || dport == 0)
		return -EINVAL;
	/* tcp_v4_connect(): no multicast or broadcast route (RTCF_MULTICAST,
	 * RTCF_BROADCAST); pmtcp also has no loopback (127/8, the egress
	 * interface's own address) and drops class E sources, so it cannot
	 * talk to 240/4. Another interface of the stack is a peer like any
	 * other (the loopback pair wires two ports of one stack together). */
	if (d >= 0xe0000000u || (d & 0xff000000u) == 0x7f000000u) {
		MIB_INC(st, Ip, OutNoRoutes);
		return -ENETUNREACH;
	}
	ifc = pmtcp_route_lookup(st, daddr, &nexthop);
	/* a connected subnet's broadcast is one only on that subnet: through
	 * the gateway, 10.1.2.255 is as unicast as any address */
	if (ifc == NULL || pmtcp_iface_is_local(ifc, daddr) ||
	    pmtcp_ip_subnet_bcast(st, daddr)) {
		MIB_INC(st, Ip, OutNoRoutes);
		return -ENETUNREACH;
	}
	/* the interface's address in use; the next one when its ports
	 * towards this destination have run out (an address range) */
	for (tries = 0;; tries++) {
		saddr = rte_cpu_to_be_32(ifc->addr_first + ifc->src_cursor);
		sport = pmtcp_inet_hash_connect_walk(st, ifc, saddr, daddr,
						     rte_cpu_to_be_16(dport),
						     &reuse, &lookups);
		if (sport != 0)
			break;
		if (tries + 1 >= ifc->addr_count) {
			MIB_INC(st, Pmtcp, PortsExhausted);
			return -EADDRNOTAVAIL;
		}
		ifc->src_cursor = ifc->src_cursor + 1 < ifc->addr_count ?
				  ifc->src_cursor + 1 : 0;
	}
	/* a new source address: tell the next hop first */
	if (ifc->src_cursor != ifc->src_told) {
		ifc->src_told = ifc->src_cursor;
		pmtcp_arp_solicit_from(st, ifc, saddr, nexthop);
	}
	/* crowded: the walk passed more than CONNECT_WALK_MAX taken ports
	 * of the class it found a port in (a block of held connections lies
	 * in the port sequence; a class found full is remembered). The
	 * next connect starts on the next address, so that a connect costs
	 * a few lookups however many connections are held. */
	if (unlikely(lookups > CONNECT_WALK_MAX) && ifc->addr_count > 1)
		ifc->src_cursor = ifc->src_cursor + 1 < ifc->addr_count ?
				  ifc->src_cursor + 1 : 0;
	sk = pmtcp_sock_alloc(st);
	if (sk == NULL)
		return -ENOBUFS;
	sk->saddr = saddr;
	sk->daddr = daddr;
	sk->sport = rte_cpu_to_be_16(sport);
	sk->dport = rte_cpu_to_be_16(dport);
	sk->iface = (uint8_t)(ifc - st->ifaces);
	sk->user_data = user_data;
	sk->open_tsc = st->now_tsc;
	sk->flags = SK_ACTIVE;
	if (s->tcp_timestamps)
		sk->flags |= SK_TSTAMP_OK;
	if (s->tcp_sack)
		sk->flags |= SK_SACK_OK;
	if (s->tcp_window_scaling)
		sk->flags |= SK_WSCALE_OK;
	sk->advmss = ifc->mss;
	if (s->tcp_mss_clamp != 0)
		sk->advmss = RTE_MIN(sk->advmss, (uint16_t)s->tcp_mss_clamp);
	sk->rx_mss = TCP_MSS_DEFAULT;
	sk->mss = RTE_MIN(sk->advmss, (uint16_t)TCP_MSS_DEFAULT);
	/* secure_tcp_seq(), secure_tcp_ts_off(), inet_id = write_seq ^ jiffies */
	/* a reused TIME_WAIT sets write_seq and ts_recent (tcp_twsk_unique) */
	sk->iss = reuse.write_seq != 0 ? reuse.write_seq :
		pmtcp_secure_tcp_seq(sk->saddr, sk->daddr, sk->sport, sk->dport,
				     st->now_tsc);
	sk->ts_recent = reuse.ts_recent;
	sk->ts_recent_stamp = reuse.ts_recent_stamp;
	sk->ts_off = s->tcp_timestamps ?
		pmtcp_tcp_ts_off(st, sk->saddr, sk->daddr) : 0;
	sk->ip_id = (uint16_t)(sk->iss ^ st->now_ms);
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_SYN_SENT);
	pmtcp_sock_hash_active(st, sk);
	ret = pmtcp_tcp_connect(st, sk);
	if (ret != 0) {
		pmtcp_sock_free(st, sk);
		return ret;
	}
	if (out != NULL)
		*out = sk;
	return 0;
}

/* tcp_v4_connect()'s argument checks, then the connect itself. */
int
pmtcp_v4_connect(struct pmtcp_stack *st, const struct sockaddr *uaddr,
		 int addr_len, uint64_t user_data, struct pmtcp_sock **out)
{
	const struct sockaddr_in *usin = (const struct sockaddr_in *)uaddr;

	if (uaddr == NULL || addr_len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	return pmtcp_connect(st, usin->sin_addr.s_addr,
			     rte_be_to_cpu_16(usin->sin_port), user_data, out);
}

int
pmtcp_listen(struct pmtcp_stack *st, uint16_t port)
{
	if (port == 0)
		return -EINVAL;
	if (st->listen_idx[port] != 0)
		return -EADDRINUSE;
	for (uint32_t i = 0; i < st->max_listeners; i++) {
		if (st->listeners[i].port == 0) {
			st->listeners[i].port = port;
			st->listeners[i].syn_queue = 0;
			st->listen_idx[port] = (uint8_t)(i + 1);
			return 0;
		}
	}
	return -ENOSPC;
}

int
pmtcp_unlisten(struct pmtcp_stack *st, uint16_t port)
{
	uint8_t idx = st->listen_idx[port];

	if (port == 0 || idx == 0)
		return -ENOENT;
	/* embryonic connections of this listener go with it */
	for (uint32_t i = 0; i < st->conn_max; i++) {
		struct pmtcp_sock *sk = &st->socks[i];

		if (sk->state == PMTCP_TCP_SYN_RECV &&
		    (sk->flags & SK_LISTEN_CHILD) && sk->listener == idx)
			pmtcp_sock_free(st, sk);
	}
	st->listeners[idx - 1].port = 0;
	st->listen_idx[port] = 0;
	st->port_off_full = 0;   /* its port may be a source port again */
	return 0;
}

void
pmtcp_sock_info(const struct pmtcp_sock *sk, struct pmtcp_sock_info *info)
{
	memset(info, 0, sizeof(*info));
	info->saddr = sk->saddr;
	info->daddr = sk->daddr;
	info->sport = rte_be_to_cpu_16(sk->sport);
	info->dport = rte_be_to_cpu_16(sk->dport);
	info->state = sk->state;
	info->retransmits = sk->retransmits;
	info->mss = sk->mss;
	info->iss = sk->iss;
	info->irs = sk->irs;
	info->rto_ms = sk->rto_ms;
	info->srtt_us = sk->srtt_us;
	info->open_tsc = sk->open_tsc;
	info->snd_wscale = sk->snd_wscale;
	info->rcv_wscale = sk->rcv_wscale;
	info->tstamp_ok = (sk->flags & SK_TSTAMP_OK) != 0;
	info->sack_ok = (sk->flags & SK_SACK_OK) != 0;
	info->ecn_ok = (sk->flags & SK_ECN_OK) != 0;
}

uint64_t
pmtcp_sock_userdata(const struct pmtcp_sock *sk)
{
	return sk->user_data;
}

uint64_t
pmtcp_sock_open_tsc(const struct pmtcp_sock *sk)
{
	return sk->open_tsc;
}

void
pmtcp_sock_set_userdata(struct pmtcp_sock *sk, uint64_t user_data)
{
	sk->user_data = user_data;
}
