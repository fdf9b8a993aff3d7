/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several queues per port (rss.c) and what serves them elsewhere:
 * - the Toeplitz hash split into the part of the remote address, local
 *   address and remote port (pmtcp_rss_base()) and per-byte tables of
 *   the local port, checked against rte_softrss() and a textbook
 *   Toeplitz, with the Microsoft RSS verification vectors;
 * - RSS-aware source ports (pmtcp_inet_hash_connect()'s RETA filter and
 *   its port_off_full memo) for steer RSS and SOFTWARE, none for NONE;
 * - address ranges (addr_count): the connect() cursor, the ARP request
 *   from each new source address, ARP and TCP on every address of the
 *   range, add_iface()'s subnet check;
 * - software steering through inboxes (pmtcp_steer_segment(),
 *   pmtcp_inbox_run()) and ARP copies (pmtcp_steer_arp());
 * - pmtcp_stack_abort_active(), pmtcp_stack_conn_memory(),
 *   pmtcp_stack_set_peer() and the iface checks of pmtcp_rss_init().
 *
 * Stacks of one port with several queues sit on a ring port pair of
 * MQ_QUEUES queues made here (what queue q of mq_port[0] sends, queue q
 * of mq_port[1] receives); single-queue tests use t_port[] of
 * test_common.c. Segments "from the wire" are handed to
 * pmtcp_stack_input() directly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "test_common.h"
#include "tcp.h"   /* struct pmtcp_stack, pmtcp_rss, pmtcp_sock: white-box */

#define LOCAL_IP T_IP(198, 18, 0, 2)
#define PEER_IP T_IP(198, 18, 0, 1)
#define PEER_PORT 80
#define PEER_ISN 0x50000000U
#define BURST 64
#define MQ_QUEUES 4        /* queues of the multi-queue ring pair */
#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_RST RTE_TCP_RST_FLAG

/* The Microsoft/Intel verification key, written out again here */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* mq_port[0]: the stacks' port; mq_port[1]: the other end of the wire */
static uint16_t mq_port[2];

/* ---- set-up ---------------------------------------------------------- */

static int
mq_port_start(uint16_t port)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, MQ_QUEUES, MQ_QUEUES, &conf) != 0)
		return -1;
	for (uint16_t q = 0; q < MQ_QUEUES; q++)
		if (rte_eth_rx_queue_setup(port, q, 1024, 0, NULL, t_pool) != 0 ||
		    rte_eth_tx_queue_setup(port, q, 1024, 0, NULL) != 0)
			return -1;
	return rte_eth_dev_start(port) == 0 ? 0 : -1;
}

/* EAL, the pool and t_port[] (test_common.c), then a ring port pair of
 * MQ_QUEUES queues each. */
static int
group_setup(void **state)
{
	struct rte_ring *a[MQ_QUEUES], *b[MQ_QUEUES];
	char name[RTE_RING_NAMESIZE];
	int p0, p1;

	if (t_eal_setup(state) != 0)
		return -1;
	for (unsigned int q = 0; q < MQ_QUEUES; q++) {
		snprintf(name, sizeof(name), "rss_a%u", q);
		a[q] = rte_ring_create(name, 1024, SOCKET_ID_ANY,
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "rss_b%u", q);
		b[q] = rte_ring_create(name, 1024, SOCKET_ID_ANY,
				       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (a[q] == NULL || b[q] == NULL)
			return -1;
	}
	/* queue q of port 0 transmits into a[q], which port 1 receives */
	p0 = rte_eth_from_rings("rss_ring0", b, MQ_QUEUES, a, MQ_QUEUES,
				SOCKET_ID_ANY);
	p1 = rte_eth_from_rings("rss_ring1", a, MQ_QUEUES, b, MQ_QUEUES,
				SOCKET_ID_ANY);
	if (p0 < 0 || p1 < 0)
		return -1;
	mq_port[0] = (uint16_t)p0;
	mq_port[1] = (uint16_t)p1;
	if (mq_port_start(mq_port[0]) != 0 || mq_port_start(mq_port[1]) != 0)
		return -1;
	return 0;
}

/* What queue @q of mq_port[0] sent. */
static uint16_t
mq_rx(uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(mq_port[1], q, pkts, n);
}

static void
drain_everything(void)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n;

	t_drain_all();
	for (unsigned int p = 0; p < 2; p++)
		for (uint16_t q = 0; q < MQ_QUEUES; q++)
			while ((n = rte_eth_rx_burst(mq_port[p], q, pkts,
						     BURST)) > 0)
				t_free(pkts, n);
}

/* Start of a test: nothing left on any wire; the pool's count now. */
static unsigned int
begin(void)
{
	drain_everything();
	return t_pool_avail();
}

/* End of a test: every mbuf is back. */
static void
finish(unsigned int avail)
{
	drain_everything();
	assert_int_equal(t_pool_avail(), avail);
}

/* What the callbacks saw. */
struct cb_count {
	unsigned int connected, accepted, failed, closed;
	struct pmtcp_sock *last;
};

static void
on_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_count *c = arg;

	RTE_SET_USED(st);
	c->connected++;
	c->last = sk;
}

static void
on_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct cb_count *c = arg;

	RTE_SET_USED(st);
	c->accepted++;
	c->last = sk;
}

static void
on_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct cb_count *c = arg;

	RTE_SET_USED(st);
	RTE_SET_USED(sk);
	RTE_SET_USED(err);
	c->failed++;
}

static void
on_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct cb_count *c = arg;

	RTE_SET_USED(st);
	RTE_SET_USED(sk);
	RTE_SET_USED(err);
	c->closed++;
}

/* Defaults, 1024 socks, an inbox of @inbox frames, callbacks into @log. */
static void
conf_init(struct pmtcp_stack_conf *c, struct cb_count *log, uint32_t inbox)
{
	pmtcp_stack_conf_init(c);
	c->pool = t_pool;
	c->max_conns = 1024;
	c->inbox_size = inbox;
	c->cb.connected = on_connected;
	c->cb.accepted = on_accepted;
	c->cb.failed = on_failed;
	c->cb.closed = on_closed;
	c->cb.arg = log;
	memset(log, 0, sizeof(*log));
}

/* LOCAL_IP/24, MTU 1500, t_mac(0), queue @queue of @nb_queues. */
static void
iface_init(struct pmtcp_iface_conf *ic, uint16_t port, uint16_t queue,
	   uint16_t nb_queues, enum pmtcp_steer_mode steer)
{
	memset(ic, 0, sizeof(*ic));
	ic->port_id = port;
	ic->queue_id = queue;
	ic->addr = LOCAL_IP;
	ic->prefix_len = 24;
	ic->mtu = 1500;
	t_mac(0, &ic->mac);
	ic->nb_queues = nb_queues;
	ic->steer = steer;
}

static struct pmtcp_stack *
stack_new(const struct pmtcp_stack_conf *c, const struct pmtcp_iface_conf *ic)
{
	struct pmtcp_stack *st = pmtcp_stack_create(c);

	assert_non_null(st);
	assert_int_equal(pmtcp_stack_add_iface(st, ic), 0);
	return st;
}

/* ---- frames ------------------------------------------------------------ */

/* A segment from the peer (PEER_IP:@sport) to @daddr:@dport, with an MSS
 * option on a SYN. */
static struct rte_mbuf *
peer_seg(uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
	 uint32_t ack, uint8_t flags)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	struct t_seg s;

	memset(&s, 0, sizeof(s));
	t_mac(1, &s.src_mac);
	t_mac(0, &s.dst_mac);
	s.saddr = PEER_IP;
	s.daddr = daddr;
	s.sport = sport;
	s.dport = dport;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = 65535;
	if (flags & F_SYN) {
		s.opts = mss;
		s.optlen = sizeof(mss);
	}
	return t_build_tcp(&s);
}

/* An ARP request from the peer (PEER_IP, t_mac(1)) for @tip. */
static struct rte_mbuf *
peer_arp_request(uint32_t sip, uint32_t tip)
{
	struct rte_ether_addr peer_mac;

	t_mac(1, &peer_mac);
	return t_build_arp(RTE_ARP_OP_REQUEST, &peer_mac, sip, NULL, tip);
}

static struct rte_arp_hdr *
arp_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
}

static uint16_t
eth_type(struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type);
}

/* @m is an ARP @op from our MAC, sender @sip, target @tip. */
static void
assert_arp(struct rte_mbuf *m, uint16_t op, uint32_t sip, uint32_t tip)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr our_mac, peer_mac;
	struct rte_arp_hdr *ah = arp_of(m);

	t_mac(0, &our_mac);
	t_mac(1, &peer_mac);
	assert_int_equal(eth_type(m), RTE_ETHER_TYPE_ARP);
	assert_int_equal(rte_be_to_cpu_16(ah->arp_opcode), op);
	assert_int_equal(ah->arp_data.arp_sip, sip);
	assert_int_equal(ah->arp_data.arp_tip, tip);
	assert_memory_equal(&ah->arp_data.arp_sha, &our_mac, RTE_ETHER_ADDR_LEN);
	assert_memory_equal(&eh->src_addr, &our_mac, RTE_ETHER_ADDR_LEN);
	if (op == RTE_ARP_OP_REQUEST) {
		assert_true(rte_is_broadcast_ether_addr(&eh->dst_addr));
	} else {
		assert_memory_equal(&eh->dst_addr, &peer_mac, RTE_ETHER_ADDR_LEN);
		assert_memory_equal(&ah->arp_data.arp_tha, &peer_mac,
				    RTE_ETHER_ADDR_LEN);
	}
}

/* @m is a TCP segment @saddr:@sport -> PEER_IP:@dport with @flags. */
static void
assert_tcp(struct rte_mbuf *m, uint8_t flags, uint32_t saddr, uint16_t sport,
	   uint16_t dport)
{
	struct rte_ether_addr peer_mac;

	t_mac(1, &peer_mac);
	assert_int_equal(eth_type(m), RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
			    &peer_mac, RTE_ETHER_ADDR_LEN);
	assert_true(t_csum_ok(m));
	assert_int_equal(t_ip(m)->src_addr, saddr);
	assert_int_equal(t_ip(m)->dst_addr, PEER_IP);
	assert_int_equal(t_tcp(m)->tcp_flags, flags);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->src_port), sport);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(m)->dst_port), dport);
}

static uint8_t
sock_state(const struct pmtcp_sock *sk)
{
	struct pmtcp_sock_info info;

	pmtcp_sock_info(sk, &info);
	return info.state;
}

/* ---- the hash, computed here ------------------------------------------ */

/* rte_softrss() of a received frame's tuple (addresses network order,
 * ports host order), as the NIC sees it: source is the remote end. */
static uint32_t
ref_softrss(const uint8_t *key, uint32_t src, uint32_t dst, uint16_t sport,
	    uint16_t dport)
{
	union rte_thash_tuple t;

	memset(&t, 0, sizeof(t));
	t.v4.src_addr = rte_be_to_cpu_32(src);
	t.v4.dst_addr = rte_be_to_cpu_32(dst);
	t.v4.sport = sport;
	t.v4.dport = dport;
	return rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, key);
}

/* The Toeplitz hash of the Microsoft specification, bit by bit: for each
 * set bit i of the input (src addr, dst addr, src port, dst port, all
 * big-endian), XOR the 32 key bits starting at bit i. */
static uint32_t
toeplitz(const uint8_t *key, uint32_t src, uint32_t dst, uint16_t sport,
	 uint16_t dport)
{
	uint8_t in[12];
	uint32_t h = 0;

	memcpy(in, &src, 4);
	memcpy(in + 4, &dst, 4);
	in[8] = (uint8_t)(sport >> 8);
	in[9] = (uint8_t)sport;
	in[10] = (uint8_t)(dport >> 8);
	in[11] = (uint8_t)dport;
	for (unsigned int i = 0; i < sizeof(in) * 8; i++) {
		unsigned int b = i / 8;
		uint64_t w;

		if (!(in[b] & (0x80 >> (i % 8))))
			continue;
		w = (uint64_t)key[b] << 32 | (uint64_t)key[b + 1] << 24 |
		    (uint64_t)key[b + 2] << 16 | (uint64_t)key[b + 3] << 8 |
		    key[b + 4];
		h ^= (uint32_t)(w >> (8 - i % 8));
	}
	return h;
}

/* The full hash as the stack composes it: base ^ the local port's bytes */
static uint32_t
decomposed(const struct pmtcp_rss *rss, uint32_t raddr, uint32_t laddr,
	   uint16_t rport, uint16_t lport)
{
	return pmtcp_rss_base(rss, raddr, laddr, rte_cpu_to_be_16(rport)) ^
	       rss->lport_hash[0][lport >> 8] ^ rss->lport_hash[1][lport & 0xff];
}

/* The queue a reply to @laddr:@lport from @raddr:@rport reaches. */
static uint16_t
ref_queue(const uint8_t *key, const uint16_t *reta, uint32_t reta_size,
	  uint32_t raddr, uint32_t laddr, uint16_t rport, uint16_t lport)
{
	return reta[ref_softrss(key, raddr, laddr, rport, lport) &
		    (reta_size - 1)];
}

/* ---- 1. the decomposition ------------------------------------------------ */

/* @n random tuples (and the extreme local ports): the stack's hash and
 * queue equal rte_softrss()'s and the RETA's; every queue is reached. */
static void
check_decomposition(const struct pmtcp_rss *rss, const uint8_t *key,
		    const uint16_t *reta, uint32_t reta_size, uint16_t nb_queues,
		    unsigned int n)
{
	unsigned int per_queue[PMTCP_RETA_SIZE_MAX];

	memset(per_queue, 0, sizeof(per_queue));
	for (unsigned int i = 0; i < n; i++) {
		uint32_t raddr = (uint32_t)rte_rand();
		uint32_t laddr = (uint32_t)rte_rand();
		uint16_t rport = (uint16_t)rte_rand();
		uint16_t lport = i == 0 ? 0 : i == 1 ? 0xffff : i == 2 ? 0x00ff :
				 i == 3 ? 0xff00 : (uint16_t)rte_rand();
		uint32_t h = ref_softrss(key, raddr, laddr, rport, lport);
		uint32_t base = pmtcp_rss_base(rss, raddr, laddr,
					       rte_cpu_to_be_16(rport));
		uint16_t q = pmtcp_rss_queue(rss, base, lport);

		if (i < 256)
			assert_int_equal(toeplitz(key, raddr, laddr, rport, lport), h);
		assert_int_equal(decomposed(rss, raddr, laddr, rport, lport), h);
		assert_int_equal(q, reta[h & (reta_size - 1)]);
		assert_true(q < nb_queues);
		per_queue[q]++;
	}
	for (uint16_t q = 0; q < nb_queues; q++)
		assert_true(per_queue[q] > 0);
}

/* nb_queues 4, steer RSS, the reference key, the default RETA (128
 * entries, entry i to queue i % 4). */
static void
test_decomposition_default(void **state)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	const struct pmtcp_rss *rss;
	uint16_t reta[128];

	(void)state;
	conf_init(&c, &log, 0);
	iface_init(&ic, mq_port[0], 0, 4, PMTCP_STEER_RSS);
	st = stack_new(&c, &ic);
	rss = st->ifaces[0].rss;
	assert_non_null(rss);
	assert_memory_equal(rss->key, ms_key, sizeof(ms_key));
	assert_int_equal(rss->reta_mask, 127);
	for (unsigned int i = 0; i < RTE_DIM(reta); i++) {
		reta[i] = (uint16_t)(i % 4);
		assert_int_equal(rss->reta[i], reta[i]);
	}
	check_decomposition(rss, ms_key, reta, RTE_DIM(reta), 4, 20000);
	t_stack_free(st);
}

/* A 52-byte key and a 64-entry RETA of 5 queues, both random. */
static void
test_decomposition_custom(void **state)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	const struct pmtcp_rss *rss;
	uint8_t key[PMTCP_RSS_KEY_LEN_MAX];

	(void)state;
	conf_init(&c, &log, 0);
	iface_init(&ic, mq_port[0], 2, 5, PMTCP_STEER_RSS);
	for (unsigned int i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)rte_rand();
	key[0] ^= ms_key[0] == key[0] ? 1 : 0;   /* not the reference key */
	memcpy(ic.rss_key, key, sizeof(key));
	ic.rss_key_len = sizeof(key);
	ic.reta_size = 64;
	for (unsigned int i = 0; i < 64; i++)
		ic.reta[i] = (uint16_t)(i < 5 ? 4 - i : rte_rand_max(5));
	st = stack_new(&c, &ic);
	rss = st->ifaces[0].rss;
	assert_non_null(rss);
	assert_memory_equal(rss->key, key, sizeof(key));
	assert_int_equal(rss->reta_mask, 63);
	assert_memory_equal(rss->reta, ic.reta, 64 * sizeof(ic.reta[0]));
	check_decomposition(rss, key, ic.reta, 64, 5, 20000);
	t_stack_free(st);
}

/* The IPv4/TCP vectors of Microsoft's "Verifying the RSS Hash
 * Calculation" (reference key), as DPDK's test_thash.c has them. */
static void
test_decomposition_ms_vectors(void **state)
{
	static const struct {
		uint32_t src, dst;     /* network order */
		uint16_t sport, dport;
		uint32_t hash;
	} v[] = {
		{ T_IP(66, 9, 149, 187), T_IP(161, 142, 100, 80), 2794, 1766,
		  0x51ccc178 },
		{ T_IP(199, 92, 111, 2), T_IP(65, 69, 140, 83), 14230, 4739,
		  0xc626b0ea },
		{ T_IP(24, 19, 198, 95), T_IP(12, 22, 207, 184), 12898, 38024,
		  0x5c2b394a },
		{ T_IP(38, 27, 205, 30), T_IP(209, 142, 163, 6), 48228, 2217,
		  0xafc7327f },
		{ T_IP(153, 39, 163, 191), T_IP(202, 188, 127, 2), 44251, 1303,
		  0x10e828a2 },
	};
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	const struct pmtcp_rss *rss;

	(void)state;
	conf_init(&c, &log, 0);
	iface_init(&ic, mq_port[0], 1, 2, PMTCP_STEER_RSS);
	st = stack_new(&c, &ic);
	rss = st->ifaces[0].rss;
	for (unsigned int i = 0; i < RTE_DIM(v); i++) {
		/* received: the source is the remote end */
		assert_int_equal(ref_softrss(ms_key, v[i].src, v[i].dst,
					     v[i].sport, v[i].dport), v[i].hash);
		assert_int_equal(toeplitz(ms_key, v[i].src, v[i].dst, v[i].sport,
					  v[i].dport), v[i].hash);
		assert_int_equal(decomposed(rss, v[i].src, v[i].dst, v[i].sport,
					    v[i].dport), v[i].hash);
		/* default RETA of 2 queues: entry h & 127 -> (h & 127) % 2 */
		assert_int_equal(pmtcp_rss_queue(rss, pmtcp_rss_base(rss, v[i].src,
				 v[i].dst, rte_cpu_to_be_16(v[i].sport)),
				 v[i].dport), v[i].hash & 1);
	}
	/* the first vector's parts: the local port's bytes alone */
	assert_int_equal(rss->lport_hash[0][1766 >> 8] ^ rss->lport_hash[1][1766 & 0xff],
			 ref_softrss(ms_key, 0, 0, 0, 1766));
	assert_int_equal(pmtcp_rss_base(rss, v[0].src, v[0].dst,
					rte_cpu_to_be_16(v[0].sport)),
			 ref_softrss(ms_key, v[0].src, v[0].dst, v[0].sport, 0));
	t_stack_free(st);
}

/* ---- 2. RSS-aware source ports ---------------------------------------- */

/* Teach @st (interface 0, queue @q of mq_port[0]) the peer's MAC: an ARP
 * request from it, the reply read off the wire. */
static void
mq_learn_peer(struct pmtcp_stack *st, uint16_t q)
{
	struct rte_mbuf *pkts[BURST];

	t_input_one(st, peer_arp_request(PEER_IP, LOCAL_IP));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(mq_rx(q, pkts, BURST), 1);
	assert_arp(pkts[0], RTE_ARP_OP_REPLY, LOCAL_IP, PEER_IP);
	t_free(pkts, 1);
}

/*
 * 200 connects to PEER_IP:80 from queue @queue of @nb_queues (key @key of
 * @key_len bytes, 0: the reference one; RETA @reta of @reta_size, 0: the
 * default). Returns how many of the source ports are such that the
 * replies hash to @queue; with steer RSS or SOFTWARE every one must. The
 * SYNs on the wire carry the ports pmtcp_sock_info() reports.
 */
static unsigned int
connect_200(enum pmtcp_steer_mode steer, uint16_t nb_queues, uint16_t queue,
	    const uint8_t *key, uint8_t key_len, const uint16_t *reta,
	    uint16_t reta_size)
{
	static uint16_t def_reta[128];
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	struct rte_mbuf *pkts[BURST];
	uint16_t sport[200];
	unsigned int on_queue = 0, seen = 0;
	uint16_t n;

	conf_init(&c, &log, 0);
	iface_init(&ic, mq_port[0], queue, nb_queues, steer);
	if (key_len != 0) {
		memcpy(ic.rss_key, key, key_len);
		ic.rss_key_len = key_len;
	} else {
		key = ms_key;
	}
	if (reta_size != 0) {
		memcpy(ic.reta, reta, reta_size * sizeof(reta[0]));
		ic.reta_size = reta_size;
	} else {
		for (unsigned int i = 0; i < RTE_DIM(def_reta); i++)
			def_reta[i] = (uint16_t)(i % nb_queues);
		reta = def_reta;
		reta_size = RTE_DIM(def_reta);
	}
	st = stack_new(&c, &ic);
	mq_learn_peer(st, queue);
	for (unsigned int i = 0; i < RTE_DIM(sport); i++) {
		struct pmtcp_sock_info info;
		struct pmtcp_sock *sk = NULL;

		assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, i, &sk), 0);
		pmtcp_sock_info(sk, &info);
		assert_int_equal(info.saddr, LOCAL_IP);
		sport[i] = info.sport;
		for (unsigned int j = 0; j < i; j++)
			assert_int_not_equal(sport[j], sport[i]);
		if (ref_queue(key, reta, reta_size, PEER_IP, LOCAL_IP, PEER_PORT,
			      sport[i]) == queue)
			on_queue++;
	}
	/* the SYNs went out on our queue, in connect order */
	pmtcp_stack_poll(st, rte_rdtsc());
	while ((n = mq_rx(queue, pkts, BURST)) > 0) {
		for (uint16_t i = 0; i < n; i++) {
			assert_true(seen < RTE_DIM(sport));
			assert_tcp(pkts[i], F_SYN, LOCAL_IP, sport[seen],
				   PEER_PORT);
			seen++;
		}
		t_free(pkts, n);
	}
	assert_int_equal(seen, RTE_DIM(sport));
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 0);
	t_stack_free(st);
	return on_queue;
}

static void
test_connect_ports_rss(void **state)
{
	unsigned int avail = begin();
	uint8_t key[40];
	uint16_t reta[256];

	(void)state;
	/* queue 1 of 2, the reference key and default RETA */
	assert_int_equal(connect_200(PMTCP_STEER_RSS, 2, 1, NULL, 0, NULL, 0), 200);
	assert_int_equal(connect_200(PMTCP_STEER_SOFTWARE, 2, 1, NULL, 0, NULL, 0),
			 200);
	assert_int_equal(connect_200(PMTCP_STEER_RSS, 2, 0, NULL, 0, NULL, 0), 200);
	/* queue 3 of 4, a random key and RETA (queue 3 in a quarter) */
	for (unsigned int i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)rte_rand();
	for (unsigned int i = 0; i < RTE_DIM(reta); i++)
		reta[i] = (uint16_t)(i % 4 == 3 ? 3 : rte_rand_max(3));
	assert_int_equal(connect_200(PMTCP_STEER_RSS, 4, 3, key, sizeof(key), reta,
				     RTE_DIM(reta)), 200);
	finish(avail);
}

/* Steer NONE: the ports are chosen as with one queue; among 200 some
 * hash to the other queue (all on ours: chance 2^-200). */
static void
test_connect_ports_none(void **state)
{
	unsigned int avail = begin();
	unsigned int on_queue;

	(void)state;
	on_queue = connect_200(PMTCP_STEER_NONE, 2, 1, NULL, 0, NULL, 0);
	assert_true(on_queue < 200);
	assert_true(on_queue > 0);
	finish(avail);
}

/*
 * A small range (40000..40031) with the RETA filter: exactly the ports
 * whose replies hash to queue 1 are handed out, each once; then
 * -EADDRNOTAVAIL (PortsExhausted) and the port_off_full memo set for both
 * parities; a second refusal as well. Aborting one connection clears the
 * memo, and the next connect gets that very port.
 */
static void
test_connect_rss_range_exhausted(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	struct pmtcp_sock *sk[32] = { NULL };
	uint16_t reta[128];
	uint32_t want = 0, got = 0;
	unsigned int nwant = 0, n = 0, victim;
	struct pmtcp_sock_info info;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(reta); i++)
		reta[i] = (uint16_t)(i % 2);
	for (unsigned int p = 0; p < 32; p++) {
		if (ref_queue(ms_key, reta, 128, PEER_IP, LOCAL_IP, PEER_PORT,
			      (uint16_t)(40000 + p)) == 1) {
			want |= 1U << p;
			nwant++;
		}
	}
	assert_true(nwant > 0 && nwant < 32);
	conf_init(&c, &log, 0);
	c.sysctl.ip_local_port_range[0] = 40000;
	c.sysctl.ip_local_port_range[1] = 40031;
	iface_init(&ic, mq_port[0], 1, 2, PMTCP_STEER_RSS);
	st = stack_new(&c, &ic);
	mq_learn_peer(st, 1);
	for (;;) {
		struct pmtcp_sock *s = NULL;
		int ret = pmtcp_connect(st, PEER_IP, PEER_PORT, n, &s);

		if (ret != 0) {
			assert_int_equal(ret, -EADDRNOTAVAIL);
			break;
		}
		assert_true(n < nwant);
		pmtcp_sock_info(s, &info);
		assert_in_range(info.sport, 40000, 40031);
		assert_false(got & (1U << (info.sport - 40000)));
		got |= 1U << (info.sport - 40000);
		sk[n++] = s;
	}
	assert_int_equal(n, nwant);
	assert_int_equal(got, want);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 1);
	assert_int_equal(st->port_off_full, 3);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 99, NULL),
			 -EADDRNOTAVAIL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 2);
	/* one freed: that port comes back, and only it */
	victim = n / 2;
	pmtcp_sock_info(sk[victim], &info);
	pmtcp_abort(st, sk[victim]);
	/* only the freed port's parity class may be walked again */
	assert_int_equal(st->port_off_full,
			 3 & ~(1 << ((info.sport - st->sysctl.ip_local_port_range[0]) & 1)));
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 100, &sk[victim]), 0);
	{
		struct pmtcp_sock_info again;

		pmtcp_sock_info(sk[victim], &again);
		assert_int_equal(again.sport, info.sport);
	}
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 101, NULL),
			 -EADDRNOTAVAIL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 3);
	/* another destination port has them all again */
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT + 1, 102, NULL), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), nwant + 1);
	t_stack_free(st);
	finish(avail);
}

/* Connects to several destinations in turn (the stack remembers the last
 * destination's hash base: each change must recompute it), from queue 1
 * of 2: every reply tuple hashes to queue 1. */
static void
test_connect_ports_rss_destinations(void **state)
{
	static const struct {
		uint32_t daddr;
		uint16_t dport;
	} dst[] = {
		{ PEER_IP, 80 }, { PEER_IP, 81 }, { T_IP(198, 18, 0, 9), 80 },
		{ T_IP(198, 18, 0, 9), 443 },
	};
	unsigned int avail = begin();
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	uint16_t reta[128];

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(reta); i++)
		reta[i] = (uint16_t)(i % 2);
	conf_init(&c, &log, 0);
	iface_init(&ic, mq_port[0], 1, 2, PMTCP_STEER_RSS);
	st = stack_new(&c, &ic);
	mq_learn_peer(st, 1);
	for (unsigned int i = 0; i < 100; i++) {
		unsigned int d = i % RTE_DIM(dst);
		struct pmtcp_sock_info info;
		struct pmtcp_sock *sk = NULL;

		assert_int_equal(pmtcp_connect(st, dst[d].daddr, dst[d].dport, i,
					       &sk), 0);
		pmtcp_sock_info(sk, &info);
		assert_int_equal(ref_queue(ms_key, reta, 128, dst[d].daddr,
					   LOCAL_IP, dst[d].dport, info.sport), 1);
	}
	t_stack_free(st);
	finish(avail);
}

/* ---- 3. address ranges ------------------------------------------------- */

#define RANGE_IP(i) T_IP(198, 18, 0, 2 + (i))

/*
 * 198.18.0.2 .. .4 (addr_count 3), ports 40000..40009: 30 connects to the
 * peer, 10 from each address in turn, each move of the cursor preceded on
 * the wire by an ARP request for the peer from the new address; the 31st
 * is refused. A freed port of the first address is found after the
 * cursor wraps (a request from .2 again). Every address answers ARP and
 * takes a SYN; .5 does neither.
 */
static void
test_address_range(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_sock *first = NULL;
	struct pmtcp_sock_info info;
	uint32_t ports[3] = { 0, 0, 0 };
	unsigned int per_addr[3] = { 0, 0, 0 };
	uint64_t not_ours;
	uint16_t n;

	(void)state;
	conf_init(&c, &log, 0);
	c.max_conns = 64;
	c.sysctl.ip_local_port_range[0] = 40000;
	c.sysctl.ip_local_port_range[1] = 40009;
	iface_init(&ic, t_port[0], 0, 0, PMTCP_STEER_NONE);
	ic.addr_count = 3;
	st = stack_new(&c, &ic);
	assert_int_equal(st->ifaces[0].addr_count, 3);
	/* the peer's MAC, from its request */
	t_input_one(st, peer_arp_request(PEER_IP, LOCAL_IP));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	assert_arp(pkts[0], RTE_ARP_OP_REPLY, LOCAL_IP, PEER_IP);
	t_free(pkts, 1);

	for (unsigned int i = 0; i < 30; i++) {
		struct pmtcp_sock *sk = NULL;
		unsigned int a = i / 10, k = 0;

		assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, i, &sk), 0);
		if (i == 0)
			first = sk;
		pmtcp_sock_info(sk, &info);
		assert_int_equal(info.saddr, RANGE_IP(a));
		assert_in_range(info.sport, 40000, 40009);
		assert_false(ports[a] & (1U << (info.sport - 40000)));
		ports[a] |= 1U << (info.sport - 40000);
		per_addr[a]++;
		pmtcp_stack_poll(st, rte_rdtsc());
		n = t_rx(1, pkts, BURST);
		/* a new source address: its ARP request first */
		assert_int_equal(n, i == 10 || i == 20 ? 2 : 1);
		if (n == 2)
			assert_arp(pkts[k++], RTE_ARP_OP_REQUEST, RANGE_IP(a), PEER_IP);
		assert_tcp(pkts[k], F_SYN, RANGE_IP(a), info.sport, PEER_PORT);
		t_free(pkts, n);
	}
	for (unsigned int a = 0; a < 3; a++) {
		assert_int_equal(per_addr[a], 10);
		assert_int_equal(ports[a], 0x3ff);
	}
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_OutRequests), 2);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 0);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 30, NULL),
			 -EADDRNOTAVAIL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 30);
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 0);

	/* a port of .2 freed: found after the cursor wraps round to .2 */
	pmtcp_sock_info(first, &info);
	pmtcp_abort(st, first);
	assert_int_equal(pmtcp_connect(st, PEER_IP, PEER_PORT, 31, &first), 0);
	{
		struct pmtcp_sock_info again;

		pmtcp_sock_info(first, &again);
		assert_int_equal(again.saddr, RANGE_IP(0));
		assert_int_equal(again.sport, info.sport);
	}
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 2);
	assert_arp(pkts[0], RTE_ARP_OP_REQUEST, RANGE_IP(0), PEER_IP);
	assert_tcp(pkts[1], F_SYN, RANGE_IP(0), info.sport, PEER_PORT);
	t_free(pkts, n);

	/* ARP: every address of the range answers, .5 is not ours */
	for (unsigned int a = 0; a < 3; a++) {
		t_input_one(st, peer_arp_request(PEER_IP, RANGE_IP(a)));
		pmtcp_stack_poll(st, rte_rdtsc());
		assert_int_equal(t_rx(1, pkts, BURST), 1);
		assert_arp(pkts[0], RTE_ARP_OP_REPLY, RANGE_IP(a), PEER_IP);
		t_free(pkts, 1);
	}
	not_ours = t_drop(st, PMTCP_DROP_ARP_NOT_OURS);
	t_input_one(st, peer_arp_request(PEER_IP, RANGE_IP(3)));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_ARP_NOT_OURS), not_ours + 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Arp_InRequests), 4);

	/* TCP: a SYN to .3 on a listening port gets a SYN-ACK from .3; one
	 * to .5 is not ours */
	assert_int_equal(pmtcp_listen(st, 8080), 0);
	t_input_one(st, peer_seg(RANGE_IP(1), 50000, 8080, PEER_ISN, 0, F_SYN));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	assert_tcp(pkts[0], F_SYN | F_ACK, RANGE_IP(1), 8080, 50000);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[0])->recv_ack), PEER_ISN + 1);
	t_free(pkts, 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 31);
	t_input_one(st, peer_seg(RANGE_IP(3), 50001, 8080, PEER_ISN, 0, F_SYN));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 0);
	assert_int_equal(t_drop(st, PMTCP_DROP_IP_NOT_OURS), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 31);
	t_stack_free(st);
	finish(avail);
}

/* add_iface(): a range stays inside the subnet of its first address. */
static void
test_address_range_subnet(void **state)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;

	(void)state;
	conf_init(&c, &log, 0);
	st = pmtcp_stack_create(&c);
	assert_non_null(st);
	iface_init(&ic, t_port[0], 0, 0, PMTCP_STEER_NONE);
	/* .254 .255 and 198.18.1.0 */
	ic.addr = T_IP(198, 18, 0, 254);
	ic.addr_count = 3;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
	/* .2 .. 198.18.1.0 */
	ic.addr = LOCAL_IP;
	ic.addr_count = 255;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
	/* past 255.255.255.255 */
	ic.addr = T_IP(255, 255, 255, 254);
	ic.prefix_len = 8;
	ic.addr_count = 3;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
	/* a /30 from .5 holds .5 and .6: .7 is its broadcast, .8 beyond */
	ic.addr = T_IP(10, 0, 0, 5);
	ic.prefix_len = 30;
	ic.addr_count = 4;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
	ic.addr_count = 3;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
	/* nor a range from the network address (.4) */
	ic.addr = T_IP(10, 0, 0, 4);
	ic.addr_count = 2;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
	/* .254 .255 of a /24: the broadcast */
	ic.addr = T_IP(198, 18, 0, 254);
	ic.prefix_len = 24;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
	assert_int_equal(st->n_ifaces, 0);
	ic.addr = T_IP(10, 0, 0, 5);
	ic.prefix_len = 30;
	ic.addr_count = 2;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 0);
	assert_int_equal(st->ifaces[0].addr_count, 2);
	assert_true(pmtcp_iface_is_local(&st->ifaces[0], T_IP(10, 0, 0, 6)));
	assert_false(pmtcp_iface_is_local(&st->ifaces[0], T_IP(10, 0, 0, 7)));
	assert_false(pmtcp_iface_is_local(&st->ifaces[0], T_IP(10, 0, 0, 4)));
	/* .2 .. .254 */
	iface_init(&ic, t_port[0], 0, 0, PMTCP_STEER_NONE);
	ic.addr_count = 253;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 1);
	assert_true(pmtcp_iface_is_local(&st->ifaces[1], T_IP(198, 18, 0, 254)));
	/* 0 and 1: the one address */
	ic.addr_count = 0;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 2);
	assert_int_equal(st->ifaces[2].addr_count, 1);
	assert_false(pmtcp_iface_is_local(&st->ifaces[2], T_IP(198, 18, 0, 3)));
	t_stack_free(st);
}

/* ---- 4, 5. two stacks of one port --------------------------------------- */

/* Stacks on queues 0 and 1 of mq_port[0] (nb_queues 2, @steer), inboxes
 * of 64, each the peer of both queues on both. */
struct pair {
	struct pmtcp_stack *st[2];
	struct cb_count log[2];
};

static void
pair_new(struct pair *p, enum pmtcp_steer_mode steer)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;

	for (uint16_t q = 0; q < 2; q++) {
		conf_init(&c, &p->log[q], 64);
		iface_init(&ic, mq_port[0], q, 2, steer);
		p->st[q] = stack_new(&c, &ic);
		assert_non_null(p->st[q]->inbox);
	}
	for (unsigned int i = 0; i < 2; i++)
		for (uint16_t q = 0; q < 2; q++)
			assert_int_equal(pmtcp_stack_set_peer(p->st[i], mq_port[0],
							      q, p->st[q]), 0);
}

static void
pair_free(struct pair *p)
{
	t_stack_free(p->st[0]);
	t_stack_free(p->st[1]);
}

/* The peer's ARP request reaches A: A answers, B learns from the copy. */
static void
pair_learn_peer(struct pair *p)
{
	struct pmtcp_neigh_info ni;
	struct rte_mbuf *pkts[BURST];

	t_input_one(p->st[0], peer_arp_request(PEER_IP, LOCAL_IP));
	pmtcp_stack_poll(p->st[0], rte_rdtsc());
	pmtcp_stack_poll(p->st[1], rte_rdtsc());
	assert_int_equal(mq_rx(0, pkts, BURST), 1);
	t_free(pkts, 1);
	assert_int_equal(mq_rx(1, pkts, BURST), 0);
	assert_int_equal(pmtcp_neigh_lookup(p->st[1], PEER_IP, &ni), 0);
}

/* B connects to the peer: its SYN (on queue 1). Returns the sock; *@iss
 * and *@sport receive its ISN and source port. */
static struct pmtcp_sock *
pair_b_connect(struct pair *p, uint32_t *iss, uint16_t *sport)
{
	struct pmtcp_sock *sk = NULL;
	struct pmtcp_sock_info info;
	struct rte_mbuf *pkts[BURST];

	assert_int_equal(pmtcp_connect(p->st[1], PEER_IP, PEER_PORT, 7, &sk), 0);
	pmtcp_sock_info(sk, &info);
	*sport = info.sport;
	pmtcp_stack_poll(p->st[1], rte_rdtsc());
	assert_int_equal(mq_rx(0, pkts, BURST), 0);
	assert_int_equal(mq_rx(1, pkts, BURST), 1);
	assert_tcp(pkts[0], F_SYN, LOCAL_IP, *sport, PEER_PORT);
	*iss = rte_be_to_cpu_32(t_tcp(pkts[0])->sent_seq);
	t_free(pkts, 1);
	/* its replies hash to queue 1 (default RETA of 2: the hash's bit 0) */
	assert_int_equal(ref_softrss(ms_key, PEER_IP, LOCAL_IP, PEER_PORT,
				     *sport) & 1, 1);
	return sk;
}

/*
 * Software steering: B's SYN-ACK misdelivered to A is handed to B's
 * inbox (A: SteeredOut 1, no RST, counted as received nowhere); B's poll
 * takes it (SteeredIn 1): ESTABLISHED, its ACK on queue 1. Tcp InSegs:
 * A 0, B 1.
 */
static void
test_software_steering(void **state)
{
	unsigned int avail = begin();
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *a, *b;
	struct pmtcp_sock *sk;
	struct pair p;
	uint32_t iss;
	uint16_t sport;

	(void)state;
	pair_new(&p, PMTCP_STEER_SOFTWARE);
	a = p.st[0];
	b = p.st[1];
	pair_learn_peer(&p);
	sk = pair_b_connect(&p, &iss, &sport);
	assert_int_equal(t_mib(a, PMTCP_MIB_Tcp_InSegs), 0);

	t_input_one(a, peer_seg(LOCAL_IP, PEER_PORT, sport, PEER_ISN, iss + 1,
				F_SYN | F_ACK));
	assert_int_equal(t_mib(a, PMTCP_MIB_Pmtcp_SteeredOut), 1);
	assert_int_equal(t_mib(a, PMTCP_MIB_Pmtcp_SteerDrops), 0);
	assert_int_equal(t_mib(a, PMTCP_MIB_Tcp_InSegs), 0);
	assert_int_equal(t_mib(a, PMTCP_MIB_Ip_InReceives), 0);
	assert_int_equal(t_mib(a, PMTCP_MIB_Ip_InDelivers), 0);
	assert_int_equal(t_mib(a, PMTCP_MIB_Tcp_OutRsts), 0);
	assert_int_equal(t_drop(a, PMTCP_DROP_TCP_NO_SOCKET), 0);
	assert_int_equal(rte_ring_count(b->inbox), 1);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
	pmtcp_stack_poll(a, rte_rdtsc());
	assert_int_equal(mq_rx(0, pkts, BURST), 0);

	pmtcp_stack_poll(b, rte_rdtsc());
	assert_int_equal(rte_ring_count(b->inbox), 0);
	assert_int_equal(t_mib(b, PMTCP_MIB_Pmtcp_SteeredIn), 1);
	assert_int_equal(t_mib(b, PMTCP_MIB_Pmtcp_SteeredOut), 0);
	assert_int_equal(p.log[1].connected, 1);
	assert_ptr_equal(p.log[1].last, sk);
	assert_int_equal(sock_state(sk), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(t_mib(b, PMTCP_MIB_Tcp_InSegs), 1);
	assert_int_equal(t_mib(b, PMTCP_MIB_Ip_InReceives), 1);
	assert_int_equal(t_mib(a, PMTCP_MIB_Tcp_InSegs), 0);
	assert_int_equal(t_mib(a, PMTCP_MIB_Pmtcp_SteeredIn), 0);
	assert_int_equal(p.log[0].connected + p.log[0].failed, 0);
	/* B's ACK, on B's queue */
	assert_int_equal(mq_rx(0, pkts, BURST), 0);
	assert_int_equal(mq_rx(1, pkts, BURST), 1);
	assert_tcp(pkts[0], F_ACK, LOCAL_IP, sport, PEER_PORT);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[0])->sent_seq), iss + 1);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[0])->recv_ack), PEER_ISN + 1);
	t_free(pkts, 1);
	pair_free(&p);
	finish(avail);
}

/* Steer RSS: the same misdelivered SYN-ACK is A's to answer, with a RST;
 * B never sees it. */
static void
test_rss_no_steering(void **state)
{
	unsigned int avail = begin();
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_stack *a, *b;
	struct pmtcp_sock *sk;
	struct pair p;
	uint32_t iss;
	uint16_t sport;

	(void)state;
	pair_new(&p, PMTCP_STEER_RSS);
	a = p.st[0];
	b = p.st[1];
	pair_learn_peer(&p);
	sk = pair_b_connect(&p, &iss, &sport);
	t_input_one(a, peer_seg(LOCAL_IP, PEER_PORT, sport, PEER_ISN, iss + 1,
				F_SYN | F_ACK));
	assert_int_equal(t_mib(a, PMTCP_MIB_Pmtcp_SteeredOut), 0);
	assert_int_equal(t_mib(a, PMTCP_MIB_Tcp_InSegs), 1);
	assert_int_equal(t_mib(a, PMTCP_MIB_Tcp_OutRsts), 1);
	assert_int_equal(t_drop(a, PMTCP_DROP_TCP_NO_SOCKET), 1);
	assert_int_equal(rte_ring_count(b->inbox), 0);
	pmtcp_stack_poll(a, rte_rdtsc());
	assert_int_equal(mq_rx(0, pkts, BURST), 1);
	assert_tcp(pkts[0], F_RST, LOCAL_IP, sport, PEER_PORT);
	assert_int_equal(rte_be_to_cpu_32(t_tcp(pkts[0])->sent_seq), iss + 1);
	t_free(pkts, 1);
	pmtcp_stack_poll(b, rte_rdtsc());
	assert_int_equal(mq_rx(1, pkts, BURST), 0);
	assert_int_equal(t_mib(b, PMTCP_MIB_Pmtcp_SteeredIn), 0);
	assert_int_equal(t_mib(b, PMTCP_MIB_Tcp_InSegs), 0);
	assert_int_equal(p.log[1].connected, 0);
	assert_int_equal(sock_state(sk), PMTCP_TCP_SYN_SENT);
	pair_free(&p);
	finish(avail);
}

/*
 * ARP shared: a request for our address reaching A is answered once, by
 * A, on A's queue; B's inbox gets a copy (ArpShared 1 on A), from which B
 * learns the peer (STALE, its MAC) without answering. The other way
 * round too, for a new neighbour.
 */
static void
test_arp_shared(void **state)
{
	unsigned int avail = begin();
	struct rte_ether_addr peer_mac, other_mac = {{ 0x02, 0, 0, 0, 0, 0x77 }};
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_neigh_info ni;
	struct pmtcp_stack *a, *b;
	struct pair p;

	(void)state;
	t_mac(1, &peer_mac);
	pair_new(&p, PMTCP_STEER_SOFTWARE);
	a = p.st[0];
	b = p.st[1];
	assert_int_equal(pmtcp_neigh_lookup(b, PEER_IP, &ni), -ENOENT);
	t_input_one(a, peer_arp_request(PEER_IP, LOCAL_IP));
	assert_int_equal(t_mib(a, PMTCP_MIB_Pmtcp_ArpShared), 1);
	assert_int_equal(rte_ring_count(b->inbox), 1);
	assert_int_equal(pmtcp_neigh_lookup(b, PEER_IP, &ni), -ENOENT);
	pmtcp_stack_poll(a, rte_rdtsc());
	assert_int_equal(mq_rx(0, pkts, BURST), 1);
	assert_arp(pkts[0], RTE_ARP_OP_REPLY, LOCAL_IP, PEER_IP);
	t_free(pkts, 1);
	assert_int_equal(t_mib(a, PMTCP_MIB_Arp_InRequests), 1);
	assert_int_equal(t_mib(a, PMTCP_MIB_Arp_OutReplies), 1);
	assert_int_equal(pmtcp_neigh_lookup(a, PEER_IP, &ni), 0);
	assert_int_equal(ni.state, PMTCP_NUD_STALE);

	pmtcp_stack_poll(b, rte_rdtsc());
	assert_int_equal(rte_ring_count(b->inbox), 0);
	assert_int_equal(pmtcp_neigh_lookup(b, PEER_IP, &ni), 0);
	assert_int_equal(ni.state, PMTCP_NUD_STALE);
	assert_int_equal(ni.iface, 0);
	assert_memory_equal(&ni.mac, &peer_mac, RTE_ETHER_ADDR_LEN);
	/* B said nothing, counted no request, copied nothing on */
	assert_int_equal(mq_rx(1, pkts, BURST), 0);
	assert_int_equal(mq_rx(0, pkts, BURST), 0);
	assert_int_equal(t_mib(b, PMTCP_MIB_Arp_InRequests), 0);
	assert_int_equal(t_mib(b, PMTCP_MIB_Arp_OutReplies), 0);
	assert_int_equal(t_mib(b, PMTCP_MIB_Pmtcp_ArpShared), 0);
	assert_int_equal(t_mib(b, PMTCP_MIB_Pmtcp_SteeredIn), 0);
	assert_int_equal(rte_ring_count(a->inbox), 0);

	/* B receives a request from .7: B answers on queue 1, A learns */
	t_input_one(b, t_build_arp(RTE_ARP_OP_REQUEST, &other_mac,
				   T_IP(198, 18, 0, 7), NULL, LOCAL_IP));
	assert_int_equal(t_mib(b, PMTCP_MIB_Pmtcp_ArpShared), 1);
	pmtcp_stack_poll(b, rte_rdtsc());
	pmtcp_stack_poll(a, rte_rdtsc());
	assert_int_equal(mq_rx(0, pkts, BURST), 0);
	assert_int_equal(mq_rx(1, pkts, BURST), 1);
	assert_int_equal(rte_be_to_cpu_16(arp_of(pkts[0])->arp_opcode),
			 RTE_ARP_OP_REPLY);
	assert_int_equal(arp_of(pkts[0])->arp_data.arp_tip, T_IP(198, 18, 0, 7));
	t_free(pkts, 1);
	assert_int_equal(pmtcp_neigh_lookup(a, T_IP(198, 18, 0, 7), &ni), 0);
	assert_int_equal(ni.state, PMTCP_NUD_STALE);
	assert_memory_equal(&ni.mac, &other_mac, RTE_ETHER_ADDR_LEN);
	assert_int_equal(t_mib(a, PMTCP_MIB_Arp_OutReplies), 1);
	assert_int_equal(t_mib(a, PMTCP_MIB_Pmtcp_ArpShared), 1);
	pair_free(&p);
	finish(avail);
}

/* ---- 6. pmtcp_stack_abort_active() ---------------------------------------- */

/*
 * Two accepted connections (ESTABLISHED) and five opened by connect()
 * (one ESTABLISHED, four in SYN_SENT): abort_active(2) resets 2, 2, 1,
 * then 0; the passive ones stay. One RST|ACK goes out, for the
 * established active one (SYN_SENT ends silently); no callback is made.
 */
static void
test_abort_active(void **state)
{
	unsigned int avail = begin();
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;
	struct rte_mbuf *pkts[BURST];
	struct pmtcp_sock *passive[2], *active[5];
	struct pmtcp_sock_info info;
	uint32_t iss;
	uint16_t n;

	(void)state;
	conf_init(&c, &log, 0);
	iface_init(&ic, t_port[0], 0, 0, PMTCP_STEER_NONE);
	st = stack_new(&c, &ic);
	t_input_one(st, peer_arp_request(PEER_IP, LOCAL_IP));
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	t_free(pkts, 1);

	assert_int_equal(pmtcp_listen(st, 8080), 0);
	for (unsigned int k = 0; k < 2; k++) {
		uint16_t rport = (uint16_t)(50000 + k);

		t_input_one(st, peer_seg(LOCAL_IP, rport, 8080, PEER_ISN, 0, F_SYN));
		pmtcp_stack_poll(st, rte_rdtsc());
		assert_int_equal(t_rx(1, pkts, BURST), 1);
		assert_tcp(pkts[0], F_SYN | F_ACK, LOCAL_IP, 8080, rport);
		iss = rte_be_to_cpu_32(t_tcp(pkts[0])->sent_seq);
		t_free(pkts, 1);
		t_input_one(st, peer_seg(LOCAL_IP, rport, 8080, PEER_ISN + 1,
					 iss + 1, F_ACK));
		assert_int_equal(log.accepted, k + 1);
		passive[k] = log.last;
		assert_int_equal(sock_state(passive[k]), PMTCP_TCP_ESTABLISHED);
	}
	for (unsigned int k = 0; k < 5; k++)
		assert_int_equal(pmtcp_connect(st, PEER_IP, 81, k, &active[k]), 0);
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 5);
	iss = rte_be_to_cpu_32(t_tcp(pkts[0])->sent_seq);
	pmtcp_sock_info(active[0], &info);
	assert_int_equal(rte_be_to_cpu_16(t_tcp(pkts[0])->src_port), info.sport);
	t_free(pkts, 5);
	/* the first active one established */
	t_input_one(st, peer_seg(LOCAL_IP, 81, info.sport, PEER_ISN, iss + 1,
				 F_SYN | F_ACK));
	assert_int_equal(log.connected, 1);
	assert_int_equal(sock_state(active[0]), PMTCP_TCP_ESTABLISHED);
	pmtcp_stack_poll(st, rte_rdtsc());
	assert_int_equal(t_rx(1, pkts, BURST), 1);
	t_free(pkts, 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 7);

	assert_int_equal(pmtcp_stack_abort_active(st, 2), 2);
	assert_int_equal(pmtcp_stack_conn_count(st), 5);
	assert_int_equal(pmtcp_stack_abort_active(st, 2), 2);
	assert_int_equal(pmtcp_stack_conn_count(st), 3);
	assert_int_equal(pmtcp_stack_abort_active(st, 2), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), 2);
	assert_int_equal(pmtcp_stack_abort_active(st, 2), 0);
	assert_int_equal(pmtcp_stack_abort_active(st, 100), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 2);
	for (unsigned int k = 0; k < 2; k++)
		assert_int_equal(sock_state(passive[k]), PMTCP_TCP_ESTABLISHED);
	assert_int_equal(log.failed + log.closed, 0);
	pmtcp_stack_poll(st, rte_rdtsc());
	n = t_rx(1, pkts, BURST);
	assert_int_equal(n, 1);
	/* tcp_send_active_reset(): RST|ACK */
	assert_tcp(pkts[0], F_RST | F_ACK, LOCAL_IP, info.sport, 81);
	t_free(pkts, n);
	t_stack_free(st);
	finish(avail);
}

/* ---- 7. pmtcp_stack_conn_memory() ----------------------------------------- */

static void
check_conn_memory(uint32_t max_conns, uint32_t max_tw, uint32_t timer_slots,
		  uint32_t slots)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_stack *st;
	struct cb_count log;

	conf_init(&c, &log, 0);
	c.max_conns = max_conns;
	c.max_tw = max_tw;
	c.timer_slots = timer_slots;
	st = pmtcp_stack_create(&c);
	assert_non_null(st);
	assert_int_equal(st->slot_mask + 1, slots);
	assert_int_equal(st->wheel.mask + 1, timer_slots);
	assert_int_equal(st->tw_max, max_tw);
	assert_int_equal(pmtcp_stack_conn_memory(st),
			 (uint64_t)max_conns * sizeof(struct pmtcp_sock) +
			 (uint64_t)max_tw * sizeof(struct pmtcp_tw) +
			 (uint64_t)slots * sizeof(struct pmtcp_ehash_slot) +
			 65536 * sizeof(uint32_t) +
			 (uint64_t)(timer_slots + PMTCP_WHEEL_L1_SLOTS) *
			 sizeof(void *));
	t_stack_free(st);
}

static void
test_conn_memory(void **state)
{
	(void)state;
	assert_int_equal(sizeof(void *), 8);
	assert_int_equal(sizeof(struct pmtcp_sock), 3 * RTE_CACHE_LINE_SIZE);
	assert_int_equal(sizeof(struct pmtcp_ehash_slot), 16);
	assert_int_equal(sizeof(struct pmtcp_tw), RTE_CACHE_LINE_SIZE);
	/* slots: a power of 2 at least 4/3 of the socks and TIME_WAITs, at
	 * least 16 */
	check_conn_memory(1000, 1, 2048, 2048);
	check_conn_memory(3, 1, 64, 16);
	check_conn_memory(4096, 1, 4096, 8192);
	check_conn_memory(6000, 1, 64, 8192);
	check_conn_memory(6200, 1, 64, 16384);
	check_conn_memory(6000, 200, 64, 16384);
	/* max_tw 0: tcp_max_tw_buckets, at most max_conns:
	 * 1000 x 192 + 1000 x 64 + 4096 x 16 + 65536 x 4 (the entries per
	 * local port) + (2048 + 256) x 8; and 10 */
	if (RTE_CACHE_LINE_SIZE == 64) {
		struct pmtcp_stack_conf c;
		struct pmtcp_stack *st;
		struct cb_count log;

		conf_init(&c, &log, 0);
		c.max_conns = 1000;
		c.timer_slots = 2048;
		st = pmtcp_stack_create(&c);
		assert_non_null(st);
		assert_int_equal(st->tw_max, 1000);
		assert_int_equal(pmtcp_stack_conn_memory(st), 602112);
		t_stack_free(st);
		c.sysctl.tcp_max_tw_buckets = 10;
		st = pmtcp_stack_create(&c);
		assert_non_null(st);
		assert_int_equal(st->tw_max, 10);
		assert_int_equal(st->slot_mask + 1, 2048);
		t_stack_free(st);
	}
}

/* ---- 8. pmtcp_stack_set_peer() and the iface checks ---------------------- */

static void
test_set_peer(void **state)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st, *peer, *no_inbox, *one_queue;
	struct cb_count log;
	const struct pmtcp_rss *rss;

	(void)state;
	conf_init(&c, &log, 64);
	iface_init(&ic, mq_port[0], 0, 2, PMTCP_STEER_SOFTWARE);
	st = stack_new(&c, &ic);
	ic.queue_id = 1;
	peer = stack_new(&c, &ic);
	conf_init(&c, &log, 0);
	no_inbox = stack_new(&c, &ic);
	assert_null(no_inbox->inbox);
	conf_init(&c, &log, 64);
	iface_init(&ic, mq_port[0], 0, 1, PMTCP_STEER_SOFTWARE);
	one_queue = stack_new(&c, &ic);
	assert_null(one_queue->ifaces[0].rss);
	rss = st->ifaces[0].rss;

	assert_int_equal(pmtcp_stack_set_peer(st, mq_port[0], 1, peer), 0);
	assert_ptr_equal(rss->peer[1], peer);
	assert_int_equal(pmtcp_stack_set_peer(st, mq_port[0], 0, st), 0);
	assert_ptr_equal(rss->peer[0], st);
	/* an unknown port */
	assert_int_equal(pmtcp_stack_set_peer(st, t_port[0], 1, peer), -EINVAL);
	assert_int_equal(pmtcp_stack_set_peer(st, RTE_MAX_ETHPORTS - 1, 1, peer),
			 -EINVAL);
	/* a queue >= nb_queues */
	assert_int_equal(pmtcp_stack_set_peer(st, mq_port[0], 2, peer), -EINVAL);
	assert_int_equal(pmtcp_stack_set_peer(st, mq_port[0], UINT16_MAX, peer),
			 -EINVAL);
	/* a peer without an inbox, or none */
	assert_int_equal(pmtcp_stack_set_peer(st, mq_port[0], 1, no_inbox), -EINVAL);
	assert_int_equal(pmtcp_stack_set_peer(st, mq_port[0], 1, NULL), -EINVAL);
	/* no stack; a port of one queue */
	assert_int_equal(pmtcp_stack_set_peer(NULL, mq_port[0], 1, peer), -EINVAL);
	assert_int_equal(pmtcp_stack_set_peer(one_queue, mq_port[0], 0, peer),
			 -EINVAL);
	/* the refusals changed nothing */
	assert_ptr_equal(rss->peer[1], peer);
	assert_ptr_equal(rss->peer[0], st);
	t_stack_free(one_queue);
	t_stack_free(no_inbox);
	t_stack_free(peer);
	t_stack_free(st);
}

/* pmtcp_rss_init()'s checks: each bad field alone is -EINVAL and adds no
 * interface. */
static void
test_iface_conf_checks(void **state)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;
	struct cb_count log;

	(void)state;
	conf_init(&c, &log, 0);
	st = pmtcp_stack_create(&c);
	assert_non_null(st);
	for (unsigned int bad = 0; bad < 9; bad++) {
		iface_init(&ic, mq_port[0], 1, 4, PMTCP_STEER_RSS);
		switch (bad) {
		case 0:
			ic.queue_id = 4;
			break;
		case 1:
			ic.steer = (enum pmtcp_steer_mode)3;
			break;
		case 2:
			ic.rss_key_len = 15;
			break;
		case 3:
			ic.rss_key_len = PMTCP_RSS_KEY_LEN_MAX + 1;
			break;
		case 4:
			ic.reta_size = 48;
			break;
		case 5:
			ic.reta_size = 2 * PMTCP_RETA_SIZE_MAX;
			break;
		case 6:   /* an entry naming a queue the port lacks */
			ic.reta_size = 8;
			ic.reta[7] = 4;
			break;
		case 7:
			ic.nb_queues = PMTCP_RETA_SIZE_MAX + 1;
			break;
		default:
			ic.nb_queues = 2;
			ic.queue_id = 2;
			break;
		}
		assert_int_equal(pmtcp_stack_add_iface(st, &ic), -EINVAL);
		assert_int_equal(st->n_ifaces, 0);
	}
	/* the edges that are fine: a 16-byte key, a RETA of one entry */
	iface_init(&ic, mq_port[0], 3, 4, PMTCP_STEER_RSS);
	ic.rss_key_len = 16;
	memcpy(ic.rss_key, ms_key, 16);
	ic.reta_size = 1;
	ic.reta[0] = 3;
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 0);
	assert_int_equal(st->ifaces[0].rss->reta_mask, 0);
	assert_int_equal(pmtcp_rss_queue(st->ifaces[0].rss, 0x12345678, 4321), 3);
	t_stack_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decomposition_default),
		cmocka_unit_test(test_decomposition_custom),
		cmocka_unit_test(test_decomposition_ms_vectors),
		cmocka_unit_test(test_connect_ports_rss),
		cmocka_unit_test(test_connect_ports_none),
		cmocka_unit_test(test_connect_ports_rss_destinations),
		cmocka_unit_test(test_connect_rss_range_exhausted),
		cmocka_unit_test(test_address_range),
		cmocka_unit_test(test_address_range_subnet),
		cmocka_unit_test(test_software_steering),
		cmocka_unit_test(test_rss_no_steering),
		cmocka_unit_test(test_arp_shared),
		cmocka_unit_test(test_abort_active),
		cmocka_unit_test(test_conn_memory),
		cmocka_unit_test(test_set_peer),
		cmocka_unit_test(test_iface_conf_checks),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
