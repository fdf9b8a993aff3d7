/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv4 and TCP checksums of every kind of segment pmtcp builds
 * (tcp_output.c: tcp_build_headers, tcp_hdr_sum, tcp_csum_finish, called
 * by tcp_transmit_skb() and pmtcp_tcp_v4_send_reset()), in each of the
 * four offload modes of an interface (tx_ip_cksum, tx_tcp_cksum):
 *
 *   software   both checksums exact (against DPDK's rte_ipv4_cksum() /
 *              rte_ipv4_udptcp_cksum() and a plain RFC 1071 sum written
 *              here), and the frame verifies (t_csum_ok());
 *   IP offload hdr_checksum 0, ol_flags TX_IPV4 | TX_IP_CKSUM;
 *   TCP offload th->cksum = rte_ipv4_phdr_cksum(iph, ol_flags) (the
 *              pseudo-header seed an Intel-style NIC expects), ol_flags
 *              TX_IPV4 | TX_TCP_CKSUM;
 *
 * always with l2_len 14 and l3_len 20. In the offloaded modes the frame is
 * also completed the way a NIC does it (the IP header summed with its
 * checksum field ignored; the TCP segment summed from its header to the
 * end, the seed in the checksum field included, and the complement
 * stored) and must then verify and carry the exact checksums; and
 * rte_net_intel_cksum_flags_prepare() (a PMD's tx_prepare) must find
 * nothing to change.
 *
 * Segments: the SYN of connect() (ECN-setup too, and one held while ARP
 * resolves), SYN-ACKs (full options, bare SYN, ECN, SYN cookie), pure
 * ACKs with and without timestamps, data of 1, 7, 100, 1448 and 1460
 * bytes (0xff bytes, a segment read across two send-queue mbufs), FINs,
 * the RST of pmtcp_abort(), RSTs to closed ports, a TTL other than 64
 * (at creation and changed at run time), addresses with every high bit
 * the /15 allows, and segments whose checksums come out as 0x0000.
 *
 * The stack under test sits on t_port[0] (198.18.0.2 unless a test says
 * otherwise); what it sends is read from t_port[1]; the peer 198.18.0.1
 * has t_port[1]'s MAC and its segments are crafted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_net.h>

#include "test_common.h"

#define ST_IP T_IP(198, 18, 0, 2)
#define PEER_IP T_IP(198, 18, 0, 1)
#define PEER_PORT 80        /* the peer's port we connect() to */
#define LISTEN_PORT 8080    /* our listening port */
#define PEER_ISN 0x50000000U
#define PEER_TS0 1000U
#define WS 7                /* the window scale both sides offer */
/*
 * Our windows (see test_tcp_handshake.c): tcp_select_initial_window() on
 * the default tcp_rmem gives 20 MSS, so 29200 for an MSS of 1460 (connect()
 * and a passive open without timestamps) and 28960 for 1448 (a passive
 * open with timestamps); once established they go out scaled by 7.
 */
#define WIN_1460 29200U
#define WIN_1448 28960U

#define BURST 64
#define F_FIN RTE_TCP_FIN_FLAG
#define F_SYN RTE_TCP_SYN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_PSH RTE_TCP_PSH_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_ECE RTE_TCP_ECE_FLAG
#define F_CWR RTE_TCP_CWR_FLAG

/* ---- the offload modes ---- */

struct mode {
	bool ip_off;    /* iface tx_ip_cksum */
	bool tcp_off;   /* iface tx_tcp_cksum */
};

static const struct mode m_sw = { false, false };
static const struct mode m_ip = { true, false };
static const struct mode m_tcp = { false, true };
static const struct mode m_both = { true, true };

/* What a stack is built with. */
struct knobs {
	bool ts;              /* tcp_timestamps */
	int ttl;              /* ip_default_ttl */
	uint32_t st_ip, peer_ip;
	bool learn_peer;      /* learn the peer's MAC from an ARP request first */
};

static const struct knobs K_DEFAULT = { true, 64, ST_IP, PEER_IP, true };

/* A stack under test. */
struct env {
	const struct mode *md;
	struct knobs k;
	struct pmtcp_stack *st;
	unsigned int avail;   /* pool count to come back to */
};

/* A connection under test and what its next segment must carry. */
struct conn {
	struct pmtcp_sock *sk;
	uint16_t lport, rport;   /* ours, the peer's; host order */
	uint32_t iss;
	uint32_t snd_nxt;        /* seq of our next segment */
	uint32_t rcv_nxt;        /* the ack of our next segment */
	uint16_t win;            /* the window we advertise (as sent) */
	uint32_t peer_tsval;     /* last TSval the peer sent */
	uint32_t our_tsval;      /* last TSval we sent */
};

/* The checksums a frame leaves the NIC with, network order. */
struct wire {
	uint16_t ip, tcp;
};

static struct {
	unsigned int connected, accepted, failed, closed;
	struct pmtcp_sock *last_sk;
} cbl;

static void
cb_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)st;
	(void)arg;
	cbl.connected++;
	cbl.last_sk = sk;
}

static void
cb_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	(void)st;
	(void)arg;
	cbl.accepted++;
	cbl.last_sk = sk;
}

static void
cb_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)sk;
	(void)err;
	(void)arg;
	cbl.failed++;
}

static void
cb_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	(void)st;
	(void)sk;
	(void)err;
	(void)arg;
	cbl.closed++;
}

/* ---- a reference checksum, independent of DPDK and of pmtcp ---- */

/* RFC 1071 the plain way: 16-bit words in network order, a trailing odd
 * byte padded with zero. */
static uint32_t
ref_add(uint32_t acc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i += 2)
		acc += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0U);
	return acc;
}

static uint16_t
ref_fold(uint32_t acc)
{
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* The pseudo-header's words of an IPv4 TCP segment. */
static uint32_t
ref_phdr(uint32_t saddr, uint32_t daddr, uint16_t tcp_len)
{
	uint8_t p[12];

	memcpy(p, &saddr, 4);
	memcpy(p + 4, &daddr, 4);
	p[8] = 0;
	p[9] = IPPROTO_TCP;
	p[10] = (uint8_t)(tcp_len >> 8);
	p[11] = (uint8_t)tcp_len;
	return ref_add(0, p, sizeof(p));
}

static uint16_t
ip_tcp_len(const struct rte_ipv4_hdr *iph)
{
	return (uint16_t)(rte_be_to_cpu_16(iph->total_length) -
			  (iph->version_ihl & 0xf) * 4);
}

/* The IPv4 header checksum @iph must carry (host order). */
static uint16_t
ref_ip_cksum(const struct rte_ipv4_hdr *iph)
{
	struct rte_ipv4_hdr h = *iph;

	h.hdr_checksum = 0;
	return (uint16_t)~ref_fold(ref_add(0, &h, sizeof(h)));
}

/* The TCP checksum the segment must carry (host order). */
static uint16_t
ref_tcp_cksum(const struct rte_ipv4_hdr *iph, const struct rte_tcp_hdr *th)
{
	uint16_t len = ip_tcp_len(iph);
	uint32_t acc = ref_phdr(iph->src_addr, iph->dst_addr, len);

	acc = ref_add(acc, th, 16);                       /* up to the checksum */
	acc = ref_add(acc, (const uint8_t *)th + 18, len - 18u);
	return (uint16_t)~ref_fold(acc);
}

/* ---- what a NIC does with an offloaded frame ---- */

/*
 * A copy of @m as a NIC puts it on the wire: with TX_IP_CKSUM it sums the
 * IPv4 header (l2_len on) with the checksum field ignored and stores the
 * complement; with TX_TCP_CKSUM it sums the TCP segment (l2_len + l3_len
 * to the end of the IP packet) as it is, the seed in the checksum field
 * included, and stores the complement.
 */
static struct rte_mbuf *
nic_tx(const struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, t_pool, 0, UINT32_MAX);
	struct rte_ipv4_hdr *iph;
	uint8_t *l4;

	assert_non_null(c);
	assert_int_equal(c->nb_segs, 1);
	iph = rte_pktmbuf_mtod_offset(c, struct rte_ipv4_hdr *, m->l2_len);
	l4 = (uint8_t *)iph + m->l3_len;
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		struct rte_ipv4_hdr h = *iph;

		h.hdr_checksum = 0;
		iph->hdr_checksum = rte_cpu_to_be_16((uint16_t)~ref_fold(
				ref_add(0, &h, m->l3_len)));
	}
	if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
		uint32_t len = rte_be_to_cpu_16(iph->total_length) - m->l3_len;

		th->cksum = rte_cpu_to_be_16((uint16_t)~ref_fold(ref_add(0, l4, len)));
	}
	return c;
}

/*
 * The checksum fields of @m are exactly what mode @md requires, and the
 * frame as the NIC completes it verifies. *@w receives the checksums on
 * the wire.
 */
static void
check_csum(const struct mode *md, struct rte_mbuf *m, struct wire *w)
{
	struct rte_ipv4_hdr *iph = t_ip(m);
	struct rte_tcp_hdr *th = t_tcp(m);
	uint64_t want_flags = RTE_MBUF_F_TX_IPV4 |
			      (md->ip_off ? RTE_MBUF_F_TX_IP_CKSUM : 0) |
			      (md->tcp_off ? RTE_MBUF_F_TX_TCP_CKSUM : 0);
	struct rte_mbuf *c;
	struct rte_ipv4_hdr *ciph;
	struct rte_tcp_hdr *cth;
	uint16_t sw_ip, sw_tcp, save;

	assert_int_equal(m->l2_len, RTE_ETHER_HDR_LEN);
	assert_int_equal(m->l3_len, sizeof(struct rte_ipv4_hdr));
	assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, want_flags);
	assert_int_equal(rte_validate_tx_offload(m), 0);

	/* what the complete checksums are: DPDK's, from scratch ... */
	save = iph->hdr_checksum;
	iph->hdr_checksum = 0;
	sw_ip = rte_ipv4_cksum(iph);
	iph->hdr_checksum = save;
	save = th->cksum;
	th->cksum = 0;
	sw_tcp = rte_ipv4_udptcp_cksum(iph, th);
	th->cksum = save;
	/* ... and the reference's */
	assert_int_equal(rte_be_to_cpu_16(sw_ip), ref_ip_cksum(iph));
	assert_int_equal(rte_be_to_cpu_16(sw_tcp), ref_tcp_cksum(iph, th));

	if (md->ip_off) {
		assert_int_equal(iph->hdr_checksum, 0);
	} else {
		assert_int_equal(iph->hdr_checksum, sw_ip);
		assert_int_equal(ref_fold(ref_add(0, iph, sizeof(*iph))), 0xffff);
	}
	if (md->tcp_off) {
		assert_int_equal(th->cksum, rte_ipv4_phdr_cksum(iph, m->ol_flags));
		assert_int_equal(rte_be_to_cpu_16(th->cksum),
				 ref_fold(ref_phdr(iph->src_addr, iph->dst_addr,
						   ip_tcp_len(iph))));
	} else {
		assert_int_equal(th->cksum, sw_tcp);
		assert_int_equal(ref_fold(ref_add(ref_phdr(iph->src_addr,
				iph->dst_addr, ip_tcp_len(iph)), th,
				ip_tcp_len(iph))), 0xffff);
	}
	if (!md->ip_off && !md->tcp_off)
		assert_true(t_csum_ok(m));

	/* a PMD's tx_prepare has nothing left to do */
	c = rte_pktmbuf_copy(m, t_pool, 0, UINT32_MAX);
	assert_non_null(c);
	assert_int_equal(c->l2_len, m->l2_len);
	assert_int_equal(c->l3_len, m->l3_len);
	assert_int_equal(rte_net_intel_cksum_flags_prepare(c, m->ol_flags), 0);
	assert_int_equal(rte_pktmbuf_data_len(c), rte_pktmbuf_data_len(m));
	assert_memory_equal(rte_pktmbuf_mtod(c, void *), rte_pktmbuf_mtod(m, void *),
			    rte_pktmbuf_data_len(m));
	rte_pktmbuf_free(c);

	/* the wire: exact and valid */
	c = nic_tx(m);
	ciph = t_ip(c);
	cth = t_tcp(c);
	assert_int_equal(ciph->hdr_checksum, sw_ip);
	assert_int_equal(cth->cksum, sw_tcp);
	assert_true(t_csum_ok(c));
	/* only the checksum fields differ */
	ciph->hdr_checksum = iph->hdr_checksum;
	cth->cksum = th->cksum;
	assert_memory_equal(rte_pktmbuf_mtod(c, void *), rte_pktmbuf_mtod(m, void *),
			    rte_pktmbuf_data_len(m));
	rte_pktmbuf_free(c);
	if (w != NULL) {
		w->ip = rte_be_to_cpu_16(sw_ip);
		w->tcp = rte_be_to_cpu_16(sw_tcp);
	}
}

/* ---- the stack and its frames ---- */

/* A stack on t_port[0] with @md's offloads, built as t_stack() does. */
static void
env_start(struct env *e, const struct mode *md, const struct knobs *k)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	char val[16];

	t_drain_all();
	e->avail = t_pool_avail();
	e->md = md;
	e->k = *k;
	memset(&cbl, 0, sizeof(cbl));

	pmtcp_stack_conf_init(&c);
	c.pool = t_pool;
	c.max_conns = 64;
	c.cb.connected = cb_connected;
	c.cb.accepted = cb_accepted;
	c.cb.failed = cb_failed;
	c.cb.closed = cb_closed;
	c.sysctl.tcp_timestamps = k->ts ? 1 : 0;
	snprintf(val, sizeof(val), "%d", k->ttl);
	assert_int_equal(pmtcp_sysctl_set(&c.sysctl, "ip_default_ttl", val, NULL, 0), 0);
	assert_int_equal(c.sysctl.ip_default_ttl, k->ttl);
	e->st = pmtcp_stack_create(&c);
	assert_non_null(e->st);

	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[0];
	ic.queue_id = 0;
	ic.addr = k->st_ip;
	ic.prefix_len = 24;
	ic.mtu = 1500;
	t_mac(0, &ic.mac);
	ic.tx_ip_cksum = md->ip_off;
	ic.tx_tcp_cksum = md->tcp_off;
	assert_int_equal(pmtcp_stack_add_iface(e->st, &ic), 0);

	if (k->learn_peer) {
		struct rte_ether_addr peer_mac;
		struct rte_mbuf *pkts[BURST];

		t_mac(1, &peer_mac);
		t_input_one(e->st, t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac,
					       k->peer_ip, NULL, k->st_ip));
		pmtcp_stack_poll(e->st, rte_rdtsc());
		assert_int_equal(t_rx(1, pkts, BURST), 1);   /* the ARP reply */
		assert_int_equal(rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *)->ether_type,
				 RTE_BE16(RTE_ETHER_TYPE_ARP));
		t_free(pkts, 1);
	}
}

/* Free the stack: nothing else sent, no mbuf leaked. */
static void
env_end(struct env *e)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	pmtcp_stack_poll(e->st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	t_free(pkts, n);
	assert_int_equal(n, 0);
	assert_int_equal(cbl.failed, 0);
	t_stack_free(e->st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), e->avail);
}

/* Every frame the stack sends: one mbuf, Ethernet from us to the peer,
 * IPv4 from us to the peer as pmtcp writes it, and checksums right. */
static void
check_frame(const struct env *e, struct rte_mbuf *m, struct wire *w)
{
	struct rte_ether_addr our_mac, peer_mac;
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ipv4_hdr *iph = t_ip(m);

	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(m), rte_pktmbuf_data_len(m));
	assert_int_equal(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_memory_equal(&eh->dst_addr, &peer_mac, RTE_ETHER_ADDR_LEN);
	assert_memory_equal(&eh->src_addr, &our_mac, RTE_ETHER_ADDR_LEN);
	assert_int_equal(iph->version_ihl, 0x45);
	assert_int_equal(iph->type_of_service, 0);
	assert_int_equal(rte_be_to_cpu_16(iph->total_length),
			 rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN);
	assert_int_equal(iph->fragment_offset, RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
	assert_int_equal(iph->time_to_live, e->k.ttl);
	assert_int_equal(iph->next_proto_id, IPPROTO_TCP);
	assert_int_equal(iph->src_addr, e->k.st_ip);
	assert_int_equal(iph->dst_addr, e->k.peer_ip);
	check_csum(e->md, m, w);
}

/* Poll and read what the stack sent: exactly @want frames, checked. */
static uint16_t
rx_n(const struct env *e, struct rte_mbuf **pkts, uint16_t want)
{
	uint16_t n;

	pmtcp_stack_poll(e->st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	if (n != want)
		t_free(pkts, n);
	assert_int_equal(n, want);
	for (uint16_t i = 0; i < n; i++)
		check_frame(e, pkts[i], NULL);
	return n;
}

static struct rte_mbuf *
rx_one(const struct env *e)
{
	struct rte_mbuf *pkts[BURST];

	rx_n(e, pkts, 1);
	return pkts[0];
}

static void
rx_none(const struct env *e)
{
	struct rte_mbuf *pkts[BURST];

	rx_n(e, pkts, 0);
}

/* ---- segment fields ---- */

static uint32_t
seg_len(struct rte_mbuf *m)
{
	return ip_tcp_len(t_ip(m)) - (uint32_t)(t_tcp(m)->data_off >> 4) * 4;
}

static const uint8_t *
seg_data(struct rte_mbuf *m)
{
	struct rte_tcp_hdr *th = t_tcp(m);

	return (const uint8_t *)th + (th->data_off >> 4) * 4;
}

/* The TCP header of @m, field by field, and its payload length. */
static void
assert_tcp(struct rte_mbuf *m, uint16_t sport, uint16_t dport, uint32_t seq,
	   uint32_t ack, uint8_t flags, uint16_t win, unsigned int optlen,
	   uint32_t len)
{
	struct rte_tcp_hdr *th = t_tcp(m);

	assert_int_equal(rte_be_to_cpu_16(th->src_port), sport);
	assert_int_equal(rte_be_to_cpu_16(th->dst_port), dport);
	assert_int_equal(rte_be_to_cpu_32(th->sent_seq), seq);
	assert_int_equal(rte_be_to_cpu_32(th->recv_ack), ack);
	assert_int_equal(th->data_off, ((sizeof(*th) + optlen) / 4) << 4);
	assert_int_equal(th->tcp_flags, flags);
	assert_int_equal(rte_be_to_cpu_16(th->rx_win), win);
	assert_int_equal(th->tcp_urp, 0);
	assert_int_equal(seg_len(m), len);
	assert_int_equal(rte_be_to_cpu_16(t_ip(m)->total_length),
			 sizeof(struct rte_ipv4_hdr) + sizeof(*th) + optlen + len);
}

/* The options of a SYN or SYN-ACK we sent are exactly Linux's (MSS 1460,
 * SACK, TS when @ts, WS 7) echoing @tsecr; returns our TSval. */
static uint32_t
assert_syn_opts(struct rte_mbuf *m, bool ts, uint32_t tsecr)
{
	unsigned int len;
	const uint8_t *o = t_tcp_opts(m, &len);
	uint8_t want[40];
	uint32_t tsval = 0;

	if (ts) {
		assert_true(len >= 12);
		tsval = t_get_be32(o + 8);   /* after MSS, SACKPERM, TS kind/len */
	}
	assert_int_equal(len, t_syn_opts(want, 1460, true, ts, tsval, tsecr, WS));
	assert_memory_equal(o, want, len);
	return tsval;
}

/* A segment from the peer (@sport) to us (@dport), @len payload bytes
 * from @data. */
static struct rte_mbuf *
peer_seg(const struct env *e, uint16_t sport, uint16_t dport, uint32_t seq,
	 uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opts,
	 uint8_t optlen, const uint8_t *data, uint16_t len)
{
	struct rte_mbuf *m;
	struct rte_tcp_hdr *th;
	struct t_seg s;

	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = e->k.peer_ip;
	s.daddr = e->k.st_ip;
	s.sport = sport;
	s.dport = dport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = win;
	s.opts = opts;
	s.optlen = optlen;
	s.payload = len;
	m = t_build_tcp(&s);
	if (len > 0) {
		th = t_tcp(m);
		memcpy((uint8_t *)(th + 1) + optlen, data, len);
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(t_ip(m), th);
	}
	return m;
}

/* From the peer to connection @c, at its next sequence number, acking all
 * we sent, window 65535, the TS option when timestamps are on. */
static void
peer_to_conn(const struct env *e, struct conn *c, uint8_t flags,
	     const uint8_t *data, uint16_t len)
{
	uint8_t o[12], n = 0;

	if (e->k.ts)
		n = t_ts_opts(o, ++c->peer_tsval, c->our_tsval);
	t_input_one(e->st, peer_seg(e, c->rport, c->lport, c->rcv_nxt, c->snd_nxt,
				    flags, 65535, o, n, data, len));
	c->rcv_nxt += len + ((flags & F_FIN) ? 1 : 0);
}

/*
 * @m is connection @c's next segment: @flags, seq SND.NXT, ack RCV.NXT,
 * our window, NOP NOP TS echoing the peer's last TSval when timestamps
 * are on, @len bytes equal to @data. Advances SND.NXT.
 */
static void
assert_conn_seg(const struct env *e, struct conn *c, struct rte_mbuf *m,
		uint8_t flags, const uint8_t *data, uint32_t len)
{
	assert_tcp(m, c->lport, c->rport, c->snd_nxt, c->rcv_nxt, flags, c->win,
		   e->k.ts ? 12 : 0, len);
	if (e->k.ts) {
		unsigned int optlen;
		const uint8_t *o = t_tcp_opts(m, &optlen);
		uint32_t tsval = t_get_be32(o + 4);

		assert_int_equal(o[0], 1);
		assert_int_equal(o[1], 1);
		assert_int_equal(o[2], 8);
		assert_int_equal(o[3], 10);
		assert_int_equal(t_get_be32(o + 8), c->peer_tsval);
		/* our clock: monotonic, in ms, and this test takes < 10 s */
		assert_true((int32_t)(tsval - c->our_tsval) >= 0);
		assert_true(tsval - c->our_tsval < 10000);
		c->our_tsval = tsval;
	}
	if (len > 0)
		assert_memory_equal(seg_data(m), data, len);
	c->snd_nxt += len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
}

/* Take connection @c's next segment off the wire and check it. */
static void
expect_conn_seg(const struct env *e, struct conn *c, uint8_t flags,
		const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *m = rx_one(e);

	assert_conn_seg(e, c, m, flags, data, len);
	rte_pktmbuf_free(m);
}

/* The SYN of connect() on @c, flags @flags: every field exact. */
static void
expect_syn(const struct env *e, struct conn *c, uint8_t flags)
{
	struct rte_mbuf *m = rx_one(e);

	assert_tcp(m, c->lport, c->rport, c->iss, 0, flags, WIN_1460,
		   e->k.ts ? 20 : 12, 0);
	c->our_tsval = assert_syn_opts(m, e->k.ts, 0);
	rte_pktmbuf_free(m);
}

/* connect() to the peer's port 80: @c describes the new SYN_SENT sock. */
static void
conn_open(const struct env *e, struct conn *c)
{
	struct pmtcp_sock_info info;

	memset(c, 0, sizeof(*c));
	assert_int_equal(pmtcp_connect(e->st, e->k.peer_ip, PEER_PORT, 7, &c->sk), 0);
	assert_non_null(c->sk);
	pmtcp_sock_info(c->sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_SYN_SENT);
	c->lport = info.sport;
	c->rport = PEER_PORT;
	c->iss = info.iss;
	c->snd_nxt = info.iss;
}

/*
 * Active open: connect(), the SYN, a SYN-ACK from the peer (MSS 1460,
 * SACK, TS when on, WS 7), our ACK (checked): @c ESTABLISHED.
 */
static void
establish(const struct env *e, struct conn *c)
{
	struct pmtcp_sock_info info;
	unsigned int connected = cbl.connected;
	uint8_t o[40], n;

	conn_open(e, c);
	expect_syn(e, c, F_SYN);
	c->snd_nxt = c->iss + 1;
	c->peer_tsval = PEER_TS0;
	n = t_syn_opts(o, 1460, true, e->k.ts, PEER_TS0, c->our_tsval, WS);
	t_input_one(e->st, peer_seg(e, PEER_PORT, c->lport, PEER_ISN, c->iss + 1,
				    F_SYN | F_ACK, 65535, o, n, NULL, 0));
	assert_int_equal(cbl.connected, connected + 1);
	assert_ptr_equal(cbl.last_sk, c->sk);
	c->rcv_nxt = PEER_ISN + 1;
	c->win = WIN_1460 >> WS;
	expect_conn_seg(e, c, F_ACK, NULL, 0);
	pmtcp_sock_info(c->sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.mss, e->k.ts ? 1448 : 1460);
	assert_int_equal(info.snd_wscale, WS);
	assert_int_equal(info.rcv_wscale, WS);
	assert_int_equal(info.tstamp_ok, e->k.ts);
}

/*
 * Passive open on LISTEN_PORT (listening already) from the peer's
 * @peer_port: a Linux SYN, our SYN-ACK (checked), the peer's ACK: @c
 * ESTABLISHED and accepted.
 */
static void
accept_conn(const struct env *e, struct conn *c, uint16_t peer_port)
{
	struct pmtcp_sock_info info;
	unsigned int accepted = cbl.accepted;
	uint32_t win = e->k.ts ? WIN_1448 : WIN_1460;
	struct rte_mbuf *m;
	uint8_t o[40], n;

	memset(c, 0, sizeof(*c));
	c->lport = LISTEN_PORT;
	c->rport = peer_port;
	c->peer_tsval = PEER_TS0;
	n = t_syn_opts(o, 1460, true, true, PEER_TS0, 0, WS);
	t_input_one(e->st, peer_seg(e, peer_port, LISTEN_PORT, PEER_ISN, 0, F_SYN,
				    64240, o, n, NULL, 0));
	m = rx_one(e);
	c->iss = rte_be_to_cpu_32(t_tcp(m)->sent_seq);
	assert_tcp(m, LISTEN_PORT, peer_port, c->iss, PEER_ISN + 1, F_SYN | F_ACK,
		   (uint16_t)win, e->k.ts ? 20 : 12, 0);
	c->our_tsval = assert_syn_opts(m, e->k.ts, PEER_TS0);
	rte_pktmbuf_free(m);

	c->snd_nxt = c->iss + 1;
	c->rcv_nxt = PEER_ISN + 1;
	c->win = (uint16_t)(win >> WS);
	n = e->k.ts ? t_ts_opts(o, ++c->peer_tsval, c->our_tsval) : 0;
	t_input_one(e->st, peer_seg(e, peer_port, LISTEN_PORT, PEER_ISN + 1,
				    c->iss + 1, F_ACK, 502, o, n, NULL, 0));
	rx_none(e);
	assert_int_equal(cbl.accepted, accepted + 1);
	c->sk = cbl.last_sk;
	pmtcp_sock_info(c->sk, &info);
	assert_int_equal(info.state, PMTCP_TCP_ESTABLISHED);
	assert_int_equal(info.sport, LISTEN_PORT);
	assert_int_equal(info.dport, peer_port);
	assert_int_equal(info.iss, c->iss);
	assert_int_equal(info.tstamp_ok, e->k.ts);
}

/* Deterministic payload bytes. */
static void
fill(uint8_t *p, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/* pmtcp_send() @len bytes of @data on @c: one ACK|PSH segment carrying
 * them, which the peer then acknowledges. */
static void
send_one(const struct env *e, struct conn *c, const uint8_t *data, uint32_t len)
{
	assert_int_equal(pmtcp_send(e->st, c->sk, data, len), (int)len);
	expect_conn_seg(e, c, F_ACK | F_PSH, data, len);
	peer_to_conn(e, c, F_ACK, NULL, 0);
	rx_none(e);
}

/* A segment from the peer to a port of ours with no listener, answered
 * by pmtcp_tcp_v4_send_reset(): the reset's fields exact, IP id 0, sent
 * to the MAC the segment came from. Returns the wire checksums. */
static struct wire
closed_port_rst(const struct env *e, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opts,
		uint8_t optlen, uint16_t len)
{
	uint8_t data[64];
	struct rte_mbuf *m, *pkts[BURST];
	struct wire w;

	assert_true(len <= sizeof(data));
	fill(data, len, 0x5a);
	t_input_one(e->st, peer_seg(e, sport, dport, seq, ack, flags, 1000, opts,
				    optlen, data, len));
	pmtcp_stack_poll(e->st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	m = pkts[0];
	check_frame(e, m, &w);
	assert_int_equal(t_ip(m)->packet_id, 0);
	if (flags & F_ACK)
		/* <SEQ=SEG.ACK><CTL=RST> */
		assert_tcp(m, dport, sport, ack, 0, F_RST, 0, 0, 0);
	else
		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
		assert_tcp(m, dport, sport, 0,
			   seq + len + ((flags & F_SYN) ? 1 : 0) +
			   ((flags & F_FIN) ? 1 : 0), F_RST | F_ACK, 0, 0, 0);
	rte_pktmbuf_free(m);
	return w;
}

/* The closed-port resets of one stack: a SYN, a Linux SYN with options,
 * an ACK, a FIN with 7 bytes of data. */
static void
closed_port_rsts(const struct env *e)
{
	uint64_t rsts = t_mib(e->st, PMTCP_MIB_Tcp_OutRsts);
	uint8_t o[40];
	uint8_t n = t_syn_opts(o, 1460, true, true, 12345, 0, WS);

	closed_port_rst(e, 40000, 81, 0x12345678U, 0, F_SYN, NULL, 0, 0);
	closed_port_rst(e, 40001, 81, 0xfffffffeU, 0, F_SYN, o, n, 0);
	closed_port_rst(e, 40002, 82, 100, 0xcafe0001U, F_ACK, NULL, 0, 0);
	closed_port_rst(e, 40003, 83, 0x89abcdefU, 0, F_FIN | F_PSH, NULL, 0, 7);
	assert_int_equal(t_mib(e->st, PMTCP_MIB_Tcp_OutRsts), rsts + 4);
}

/* ====================================================================
 * The tests, each run in the four modes (state: the mode).
 * ==================================================================== */

/* connect()'s SYN: MSS, SACK, TS, WS (20 option bytes); an ECN-setup SYN
 * (ECE|CWR, two more bits in the flags' word). */
static void
test_syn(void **state)
{
	struct env e;
	struct conn c;
	struct pmtcp_sysctl s;

	env_start(&e, *state, &K_DEFAULT);
	conn_open(&e, &c);
	expect_syn(&e, &c, F_SYN);

	s = *pmtcp_stack_sysctl(e.st);
	s.tcp_ecn = 1;
	assert_int_equal(pmtcp_stack_set_sysctl(e.st, &s), 0);
	conn_open(&e, &c);
	expect_syn(&e, &c, F_SYN | F_ECE | F_CWR);
	assert_int_equal(pmtcp_stack_conn_count(e.st), 2);
	env_end(&e);
}

/* A SYN built while the peer's MAC is unknown: held, sent after the ARP
 * reply, checksums unchanged by the wait. */
static void
test_syn_after_arp(void **state)
{
	struct knobs k = K_DEFAULT;
	struct rte_ether_addr our_mac, peer_mac;
	struct rte_mbuf *pkts[BURST];
	struct env e;
	struct conn c;

	k.learn_peer = false;
	env_start(&e, *state, &k);
	conn_open(&e, &c);
	pmtcp_stack_poll(e.st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	assert_int_equal(rte_pktmbuf_mtod(pkts[0], struct rte_ether_hdr *)->ether_type,
			 RTE_BE16(RTE_ETHER_TYPE_ARP));
	t_free(pkts, 1);
	assert_int_equal(t_mib(e.st, PMTCP_MIB_Arp_PendingQueued), 1);
	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	t_input_one(e.st, t_build_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP,
				      &our_mac, ST_IP));
	expect_syn(&e, &c, F_SYN);
	env_end(&e);
}

/* SYN-ACKs of a passive open: to a Linux SYN (20 option bytes), to a bare
 * SYN (MSS alone: 4), to an ECN-setup SYN (ECE), and a SYN cookie's. */
static void
test_synack(void **state)
{
	static const uint8_t mss_only[4] = { 2, 4, 0x05, 0xb4 };
	struct env e;
	struct conn c;
	struct pmtcp_sysctl s;
	struct rte_mbuf *m;
	uint8_t o[40], n;
	unsigned int optlen;

	env_start(&e, *state, &K_DEFAULT);
	assert_int_equal(pmtcp_listen(e.st, LISTEN_PORT), 0);
	accept_conn(&e, &c, 33000);

	/* a bare SYN: MSS alone, the window unscaled */
	t_input_one(e.st, peer_seg(&e, 33001, LISTEN_PORT, 0x0badcafeU, 0, F_SYN,
				   512, NULL, 0, NULL, 0));
	m = rx_one(&e);
	assert_tcp(m, LISTEN_PORT, 33001, rte_be_to_cpu_32(t_tcp(m)->sent_seq),
		   0x0badcaffU, F_SYN | F_ACK, WIN_1460, 4, 0);
	assert_memory_equal(t_tcp_opts(m, &optlen), mss_only, 4);
	rte_pktmbuf_free(m);

	/* ECN-setup SYN: ECN-setup SYN-ACK */
	n = t_syn_opts(o, 1460, true, true, 777, 0, WS);
	t_input_one(e.st, peer_seg(&e, 33002, LISTEN_PORT, 0xfffffff0U, 0,
				   F_SYN | F_ECE | F_CWR, 64240, o, n, NULL, 0));
	m = rx_one(&e);
	assert_tcp(m, LISTEN_PORT, 33002, rte_be_to_cpu_32(t_tcp(m)->sent_seq),
		   0xfffffff1U, F_SYN | F_ACK | F_ECE, WIN_1448, 20, 0);
	assert_syn_opts(m, true, 777);
	rte_pktmbuf_free(m);
	assert_int_equal(pmtcp_stack_conn_count(e.st), 3);

	/* a SYN cookie's (no sock behind it) */
	s = *pmtcp_stack_sysctl(e.st);
	s.tcp_syncookies = 2;
	assert_int_equal(pmtcp_stack_set_sysctl(e.st, &s), 0);
	n = t_syn_opts(o, 1460, true, true, 4242, 0, WS);
	t_input_one(e.st, peer_seg(&e, 33003, LISTEN_PORT, 0x7fffffffU, 0, F_SYN,
				   64240, o, n, NULL, 0));
	m = rx_one(&e);
	assert_tcp(m, LISTEN_PORT, 33003, rte_be_to_cpu_32(t_tcp(m)->sent_seq),
		   0x80000000U, F_SYN | F_ACK, WIN_1448, 20, 0);
	assert_syn_opts(m, true, 4242);
	rte_pktmbuf_free(m);
	assert_int_equal(t_mib(e.st, PMTCP_MIB_TcpExt_SyncookiesSent), 1);
	assert_int_equal(pmtcp_stack_conn_count(e.st), 3);
	env_end(&e);
}

/* Pure ACKs with the timestamp option: the handshake's third segment,
 * the quick ACK of 5 bytes of data, the ACK of the peer's FIN. */
static void
test_ack(void **state)
{
	static const uint8_t five[5] = { 'h', 'e', 'l', 'l', 'o' };
	struct env e;
	struct conn c;

	env_start(&e, *state, &K_DEFAULT);
	establish(&e, &c);   /* checks the ACK */
	peer_to_conn(&e, &c, F_ACK | F_PSH, five, sizeof(five));
	expect_conn_seg(&e, &c, F_ACK, NULL, 0);
	assert_int_equal(c.rcv_nxt, PEER_ISN + 6);
	peer_to_conn(&e, &c, F_FIN | F_ACK, NULL, 0);
	expect_conn_seg(&e, &c, F_ACK, NULL, 0);
	assert_int_equal(c.rcv_nxt, PEER_ISN + 7);
	env_end(&e);
}

/* Data segments from pmtcp_send(): 1, 7 (odd), 100 and 1448 (a full MSS
 * with timestamps) bytes, 1448 bytes of 0xff, and 3000 bytes in one call
 * (1448 + 1448 + 104, the second read across two send-queue mbufs). */
static void
test_data(void **state)
{
	static const uint32_t lens[] = { 1, 7, 100, 1448 };
	uint8_t buf[3000];
	struct env e;
	struct conn c;

	env_start(&e, *state, &K_DEFAULT);
	establish(&e, &c);
	for (unsigned int i = 0; i < RTE_DIM(lens); i++) {
		fill(buf, lens[i], (uint8_t)(0x30 + i));
		send_one(&e, &c, buf, lens[i]);
	}
	memset(buf, 0xff, 1448);
	send_one(&e, &c, buf, 1448);

	fill(buf, sizeof(buf), 0x99);
	assert_int_equal(pmtcp_send(e.st, c.sk, buf, sizeof(buf)), (int)sizeof(buf));
	{
		struct rte_mbuf *pkts[BURST];

		rx_n(&e, pkts, 3);
		assert_conn_seg(&e, &c, pkts[0], F_ACK, buf, 1448);
		assert_conn_seg(&e, &c, pkts[1], F_ACK, buf + 1448, 1448);
		assert_conn_seg(&e, &c, pkts[2], F_ACK | F_PSH, buf + 2896, 104);
		t_free(pkts, 3);
	}
	peer_to_conn(&e, &c, F_ACK, NULL, 0);
	rx_none(&e);
	assert_int_equal(c.snd_nxt, c.iss + 1 + 1 + 7 + 100 + 1448 + 1448 + 3000);
	env_end(&e);
}

/* FINs: pmtcp_close() in ESTABLISHED, in CLOSE_WAIT, and right after 7
 * bytes of data (two segments in one poll). */
static void
test_fin(void **state)
{
	uint8_t buf[7];
	struct rte_mbuf *pkts[BURST];
	struct env e;
	struct conn c1, c2, c3;

	env_start(&e, *state, &K_DEFAULT);
	establish(&e, &c1);
	assert_int_equal(pmtcp_close(e.st, c1.sk), 0);
	expect_conn_seg(&e, &c1, F_FIN | F_ACK, NULL, 0);

	establish(&e, &c2);
	peer_to_conn(&e, &c2, F_FIN | F_ACK, NULL, 0);
	expect_conn_seg(&e, &c2, F_ACK, NULL, 0);
	assert_int_equal(pmtcp_close(e.st, c2.sk), 0);
	expect_conn_seg(&e, &c2, F_FIN | F_ACK, NULL, 0);

	establish(&e, &c3);
	fill(buf, sizeof(buf), 0xa0);
	assert_int_equal(pmtcp_send(e.st, c3.sk, buf, sizeof(buf)), 7);
	assert_int_equal(pmtcp_close(e.st, c3.sk), 0);
	rx_n(&e, pkts, 2);
	assert_conn_seg(&e, &c3, pkts[0], F_ACK | F_PSH, buf, 7);
	assert_conn_seg(&e, &c3, pkts[1], F_FIN | F_ACK, NULL, 0);
	t_free(pkts, 2);
	assert_int_equal(c3.snd_nxt, c3.iss + 1 + 7 + 1);
	env_end(&e);
}

/* pmtcp_abort(): RST|ACK at SND.NXT with the timestamp option, of a
 * passively and of an actively opened connection. */
static void
test_abort_rst(void **state)
{
	struct env e;
	struct conn c;

	env_start(&e, *state, &K_DEFAULT);
	assert_int_equal(pmtcp_listen(e.st, LISTEN_PORT), 0);
	accept_conn(&e, &c, 34000);
	pmtcp_abort(e.st, c.sk);
	expect_conn_seg(&e, &c, F_RST | F_ACK, NULL, 0);

	establish(&e, &c);
	send_one(&e, &c, (const uint8_t *)"abc", 3);
	pmtcp_abort(e.st, c.sk);
	expect_conn_seg(&e, &c, F_RST | F_ACK, NULL, 0);
	assert_int_equal(t_mib(e.st, PMTCP_MIB_Tcp_OutRsts), 2);
	assert_int_equal(pmtcp_stack_conn_count(e.st), 0);
	env_end(&e);
}

/* pmtcp_tcp_v4_send_reset(): RSTs to ports nobody listens on. */
static void
test_closed_port_rst(void **state)
{
	struct env e;

	env_start(&e, *state, &K_DEFAULT);
	closed_port_rsts(&e);
	env_end(&e);
}

/* tcp_timestamps=0: SYN with 12 option bytes, SYN-ACK without TS, ACKs,
 * data (up to the full 1460-byte MSS), FIN and RST without options. */
static void
test_no_timestamps(void **state)
{
	static const uint32_t lens[] = { 1, 7, 100, 1448, 1460 };
	struct knobs k = K_DEFAULT;
	uint8_t buf[1460];
	struct env e;
	struct conn c;

	k.ts = false;
	env_start(&e, *state, &k);
	establish(&e, &c);   /* SYN and ACK */
	for (unsigned int i = 0; i < RTE_DIM(lens); i++) {
		fill(buf, lens[i], (uint8_t)(0x70 + i));
		send_one(&e, &c, buf, lens[i]);
	}
	peer_to_conn(&e, &c, F_ACK | F_PSH, buf, 9);
	expect_conn_seg(&e, &c, F_ACK, NULL, 0);
	assert_int_equal(pmtcp_close(e.st, c.sk), 0);
	expect_conn_seg(&e, &c, F_FIN | F_ACK, NULL, 0);

	assert_int_equal(pmtcp_listen(e.st, LISTEN_PORT), 0);
	accept_conn(&e, &c, 34001);   /* the SYN-ACK: the peer offered TS */
	pmtcp_abort(e.st, c.sk);
	expect_conn_seg(&e, &c, F_RST | F_ACK, NULL, 0);
	closed_port_rsts(&e);
	env_end(&e);
}

/* The TTL is in the IP checksum: ip_default_ttl 7 from the start (SYN,
 * ACK, data, FIN, resets), then 255 and 1 set on the running stack. */
static void
test_ttl(void **state)
{
	static const int ttls[] = { 255, 1 };
	struct knobs k = K_DEFAULT;
	uint8_t buf[100];
	struct env e;
	struct conn c;

	k.ttl = 7;
	env_start(&e, *state, &k);
	establish(&e, &c);
	fill(buf, 7, 1);
	send_one(&e, &c, buf, 7);
	closed_port_rst(&e, 40000, 81, 0x01020304U, 0, F_SYN, NULL, 0, 0);
	for (unsigned int i = 0; i < RTE_DIM(ttls); i++) {
		struct pmtcp_sysctl s = *pmtcp_stack_sysctl(e.st);
		char val[8];

		snprintf(val, sizeof(val), "%d", ttls[i]);
		assert_int_equal(pmtcp_sysctl_set(&s, "ip_default_ttl", val, NULL, 0), 0);
		assert_int_equal(pmtcp_stack_set_sysctl(e.st, &s), 0);
		e.k.ttl = ttls[i];
		fill(buf, 100, (uint8_t)ttls[i]);
		send_one(&e, &c, buf, 100);
		closed_port_rst(&e, 40001, 81, 0x01020304U, 0, F_SYN, NULL, 0, 0);
	}
	assert_int_equal(pmtcp_close(e.st, c.sk), 0);
	expect_conn_seg(&e, &c, F_FIN | F_ACK, NULL, 0);
	env_end(&e);
}

/* Addresses at the top of 198.18.0.0/15 (198.19.255.254 and .253): the
 * largest address words the range has. */
static void
test_high_addresses(void **state)
{
	struct knobs k = K_DEFAULT;
	uint8_t buf[1448];
	struct env e;
	struct conn c;

	k.st_ip = T_IP(198, 19, 255, 254);
	k.peer_ip = T_IP(198, 19, 255, 253);
	env_start(&e, *state, &k);
	establish(&e, &c);
	memset(buf, 0xff, sizeof(buf));
	send_one(&e, &c, buf, sizeof(buf));
	send_one(&e, &c, buf, 7);
	assert_int_equal(pmtcp_close(e.st, c.sk), 0);
	expect_conn_seg(&e, &c, F_FIN | F_ACK, NULL, 0);
	closed_port_rsts(&e);
	env_end(&e);
}

/*
 * Segments whose checksums come out as 0x0000 (their words sum to 0xffff;
 * 0x0000, not 0xffff, is what RFC 1071 and DPDK give for TCP): a closed-
 * port reset whose TTL and peer address were picked for its IP header and
 * whose SEG.ACK was picked for its TCP header, and a 7-byte data segment
 * (no timestamps, so every field is known in advance) whose payload was
 * picked for it.
 */
static void
test_zero_checksums(void **state)
{
	struct knobs k = K_DEFAULT;
	uint8_t ip[20] = { 0x45, 0, 0, 40, 0, 0, 0x40, 0, 0, IPPROTO_TCP, 0, 0 };
	uint8_t th[20], data[7];
	uint32_t st_ip = ST_IP, peer_ip = 0, acc, ack;
	uint16_t fix;
	int ttl = 0;
	struct env e;
	struct conn c;
	struct rte_mbuf *m;
	struct wire w;

	/* the IP header of a 40-byte reset (id 0) summing to 0xffff */
	memcpy(ip + 12, &st_ip, 4);
	for (int t = 1; t <= 255 && ttl == 0; t++) {
		for (unsigned int d = 3; d <= 254; d++) {
			uint32_t p = T_IP(198, 18, 0, d);

			ip[8] = (uint8_t)t;
			memcpy(ip + 16, &p, 4);
			if (ref_fold(ref_add(0, ip, sizeof(ip))) == 0xffff) {
				ttl = t;
				peer_ip = p;
				break;
			}
		}
	}
	assert_int_not_equal(ttl, 0);
	k.ts = false;
	k.ttl = ttl;
	k.peer_ip = peer_ip;
	env_start(&e, *state, &k);

	/* its TCP header: ports 81 > 40000, seq = SEG.ACK, flags RST, doff 5 */
	memset(th, 0, sizeof(th));
	th[0] = 0;
	th[1] = 81;
	th[2] = 40000 >> 8;
	th[3] = 40000 & 0xff;
	th[6] = 0x12;
	th[7] = 0x34;
	th[12] = 0x50;
	th[13] = F_RST;
	acc = ref_add(ref_phdr(st_ip, peer_ip, 20), th, sizeof(th));
	ack = (uint32_t)(0xffff - ref_fold(acc)) << 16 | 0x1234;
	w = closed_port_rst(&e, 40000, 81, 1, ack, F_ACK, NULL, 0, 0);
	assert_int_equal(w.ip, 0x0000);
	assert_int_equal(w.tcp, 0x0000);

	/* the data segment: header and pseudo-header known, payload bytes 4
	 * and 5 (an aligned word) chosen to complete 0xffff */
	establish(&e, &c);
	assert_int_equal(c.win, WIN_1460 >> WS);
	memset(th, 0, sizeof(th));
	th[0] = (uint8_t)(c.lport >> 8);
	th[1] = (uint8_t)c.lport;
	th[2] = 0;
	th[3] = PEER_PORT;
	t_put_be32(th + 4, c.snd_nxt);
	t_put_be32(th + 8, c.rcv_nxt);
	th[12] = 0x50;
	th[13] = F_ACK | F_PSH;
	th[14] = (uint8_t)(c.win >> 8);
	th[15] = (uint8_t)c.win;
	memcpy(data, "\x11\x22\x33\x44\x00\x00\x77", 7);
	acc = ref_add(ref_add(ref_phdr(st_ip, peer_ip, 27), th, sizeof(th)),
		      data, sizeof(data));
	fix = (uint16_t)(0xffff - ref_fold(acc));
	data[4] = (uint8_t)(fix >> 8);
	data[5] = (uint8_t)fix;
	assert_int_equal(pmtcp_send(e.st, c.sk, data, sizeof(data)), 7);
	pmtcp_stack_poll(e.st, rte_rdtsc());
	assert_int_equal(t_rx(1, &m, 1), 1);
	check_frame(&e, m, &w);
	assert_conn_seg(&e, &c, m, F_ACK | F_PSH, data, sizeof(data));
	assert_memory_equal(t_tcp(m), th, 16);   /* the header as predicted */
	assert_int_equal(w.tcp, 0x0000);
	if (!e.md->tcp_off)
		assert_int_equal(t_tcp(m)->cksum, 0x0000);
	rte_pktmbuf_free(m);
	peer_to_conn(&e, &c, F_ACK, NULL, 0);
	rx_none(&e);
	env_end(&e);
}

#define MODE_TESTS(fn) \
	{ #fn "/sw", fn, NULL, NULL, (void *)&m_sw }, \
	{ #fn "/ip-offload", fn, NULL, NULL, (void *)&m_ip }, \
	{ #fn "/tcp-offload", fn, NULL, NULL, (void *)&m_tcp }, \
	{ #fn "/ip+tcp-offload", fn, NULL, NULL, (void *)&m_both }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		MODE_TESTS(test_syn),
		MODE_TESTS(test_syn_after_arp),
		MODE_TESTS(test_synack),
		MODE_TESTS(test_ack),
		MODE_TESTS(test_data),
		MODE_TESTS(test_fin),
		MODE_TESTS(test_abort_rst),
		MODE_TESTS(test_closed_port_rst),
		MODE_TESTS(test_no_timestamps),
		MODE_TESTS(test_ttl),
		MODE_TESTS(test_high_addresses),
		MODE_TESTS(test_zero_checksums),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
