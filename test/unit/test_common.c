/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "test_common.h"

struct rte_mempool *t_pool;
uint16_t t_port[2];
static int t_ready;

void
t_mac(unsigned int idx, struct rte_ether_addr *mac)
{
	struct rte_ether_addr m = {{ 0x02, 0, 0, 0, 0, (uint8_t)(idx + 1) }};

	*mac = m;
}

static int
port_start(uint16_t port)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 1024, 0, NULL, t_pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 1024, 0, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

int
t_eal_setup(void **state)
{
	char prefix[64];
	char *argv[] = { "test", "--no-huge", "-m", "256", "--no-pci",
			 "--no-telemetry", "--log-level=lib.eal:error",
			 "-l", "0", "--file-prefix", prefix, NULL };
	struct rte_ring *r[2];

	(void)state;
	if (t_ready)
		return 0;
	snprintf(prefix, sizeof(prefix), "pmtcp_ut_%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return -1;
	}
	t_pool = rte_pktmbuf_pool_create("t_pool", 4095, 0, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	r[0] = rte_ring_create("t_r0", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	r[1] = rte_ring_create("t_r1", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (t_pool == NULL || r[0] == NULL || r[1] == NULL)
		return -1;
	/* port 0 transmits into r0, which port 1 receives, and back */
	int p0 = rte_eth_from_rings("t_ring0", &r[1], 1, &r[0], 1, SOCKET_ID_ANY);
	int p1 = rte_eth_from_rings("t_ring1", &r[0], 1, &r[1], 1, SOCKET_ID_ANY);

	if (p0 < 0 || p1 < 0)
		return -1;
	t_port[0] = (uint16_t)p0;
	t_port[1] = (uint16_t)p1;
	if (port_start(t_port[0]) != 0 || port_start(t_port[1]) != 0)
		return -1;
	t_ready = 1;
	return 0;
}

struct pmtcp_stack *t_stacks[2];

struct pmtcp_stack *
t_stack(unsigned int idx, uint32_t addr, const struct pmtcp_stack_conf *conf)
{
	struct pmtcp_stack_conf c;
	struct pmtcp_iface_conf ic;
	struct pmtcp_stack *st;

	if (conf != NULL) {
		c = *conf;
	} else {
		pmtcp_stack_conf_init(&c);
		c.max_conns = 1024;
	}
	c.pool = t_pool;
	st = pmtcp_stack_create(&c);
	assert_non_null(st);
	t_stacks[idx & 1] = st;
	memset(&ic, 0, sizeof(ic));
	ic.port_id = t_port[idx];
	ic.queue_id = 0;
	ic.addr = addr;
	ic.prefix_len = 24;
	ic.mtu = 1500;
	t_mac(idx, &ic.mac);
	assert_int_equal(pmtcp_stack_add_iface(st, &ic), 0);
	return st;
}

void
t_stack_free(struct pmtcp_stack *st)
{
	for (unsigned int i = 0; i < RTE_DIM(t_stacks); i++)
		if (t_stacks[i] == st)
			t_stacks[i] = NULL;
	pmtcp_stack_free(st);
}

uint16_t
t_rx(unsigned int idx, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(t_port[idx], 0, pkts, n);
}

void
t_free(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
}

void
t_drain_all(void)
{
	struct rte_mbuf *pkts[64];
	uint16_t n;

	for (unsigned int i = 0; i < 2; i++)
		while ((n = t_rx(i, pkts, 64)) > 0)
			t_free(pkts, n);
}

void
t_input_one(struct pmtcp_stack *st, struct rte_mbuf *m)
{
	pmtcp_stack_input(st, 0, &m, 1);
}

struct rte_mbuf *
t_build_tcp(const struct t_seg *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t_pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *iph;
	struct rte_tcp_hdr *th;
	uint16_t tcplen = (uint16_t)(sizeof(*th) + s->optlen + s->payload);

	assert_non_null(m);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			(uint16_t)(sizeof(*eh) + sizeof(*iph) + tcplen));
	assert_non_null(eh);
	memset(eh, 0, sizeof(*eh) + sizeof(*iph) + tcplen);
	eh->src_addr = s->src_mac;
	eh->dst_addr = s->dst_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	iph = (struct rte_ipv4_hdr *)(eh + 1);
	iph->version_ihl = RTE_IPV4_VHL_DEF;
	iph->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*iph) + tcplen));
	iph->time_to_live = 64;
	iph->next_proto_id = IPPROTO_TCP;
	iph->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	iph->src_addr = s->saddr;
	iph->dst_addr = s->daddr;
	iph->hdr_checksum = rte_ipv4_cksum(iph);
	th = (struct rte_tcp_hdr *)(iph + 1);
	th->src_port = rte_cpu_to_be_16(s->sport);
	th->dst_port = rte_cpu_to_be_16(s->dport);
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)(((sizeof(*th) + s->optlen) / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = rte_cpu_to_be_16(s->win);
	if (s->optlen)
		memcpy(th + 1, s->opts, s->optlen);
	th->cksum = rte_ipv4_udptcp_cksum(iph, th);
	if (s->bad_csum)
		th->cksum ^= 0x5555;
	return m;
}

struct rte_mbuf *
t_build_arp(uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
	    const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t_pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	assert_non_null(m);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	ah = (struct rte_arp_hdr *)(eh + 1);
	eh->src_addr = *sha;
	if (op == RTE_ARP_OP_REQUEST)
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	else
		eh->dst_addr = *tha;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = 6;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = *sha;
	ah->arp_data.arp_sip = sip;
	if (tha != NULL)
		ah->arp_data.arp_tha = *tha;
	else
		memset(&ah->arp_data.arp_tha, 0, 6);
	ah->arp_data.arp_tip = tip;
	return m;
}

struct rte_ipv4_hdr *
t_ip(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
}

struct rte_tcp_hdr *
t_tcp(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *iph = t_ip(m);

	return (struct rte_tcp_hdr *)((uint8_t *)iph + (iph->version_ihl & 0xf) * 4);
}

int
t_csum_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *iph = t_ip(m);

	return rte_raw_cksum(iph, sizeof(*iph)) == 0xffff &&
	       rte_ipv4_udptcp_cksum_verify(iph, t_tcp(m)) == 0;
}

uint64_t
t_mib(const struct pmtcp_stack *st, enum pmtcp_mib_id id)
{
	return pmtcp_stack_mib(st)->mib[id];
}

uint64_t
t_drop(const struct pmtcp_stack *st, enum pmtcp_drop_reason r)
{
	return pmtcp_stack_mib(st)->drop[r];
}

unsigned int
t_pool_avail(void)
{
	return rte_mempool_avail_count(t_pool);
}

uint32_t
t_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void
t_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

const uint8_t *
t_tcp_opts(struct rte_mbuf *m, unsigned int *len)
{
	struct rte_tcp_hdr *th = t_tcp(m);

	*len = (unsigned int)(th->data_off >> 4) * 4 - sizeof(*th);
	return (const uint8_t *)(th + 1);
}

/*
 * SYN option bytes the way Linux lays them out: MSS, SACKPERM+TS or
 * NOP NOP TS or NOP NOP SACKPERM, NOP WS. @ws < 0: no window scale.
 */
uint8_t
t_syn_opts(uint8_t *p, uint16_t mss, bool sack, bool ts, uint32_t tsval,
	 uint32_t tsecr, int ws)
{
	uint8_t n = 0;

	if (mss != 0) {
		p[n++] = 2;
		p[n++] = 4;
		p[n++] = (uint8_t)(mss >> 8);
		p[n++] = (uint8_t)mss;
	}
	if (ts) {
		p[n++] = sack ? 4 : 1;
		p[n++] = sack ? 2 : 1;
		p[n++] = 8;
		p[n++] = 10;
		t_put_be32(p + n, tsval);
		t_put_be32(p + n + 4, tsecr);
		n += 8;
	} else if (sack) {
		p[n++] = 1;
		p[n++] = 1;
		p[n++] = 4;
		p[n++] = 2;
	}
	if (ws >= 0) {
		p[n++] = 1;
		p[n++] = 3;
		p[n++] = 3;
		p[n++] = (uint8_t)ws;
	}
	return n;
}

/* NOP NOP TS, the option of every non-SYN segment with timestamps. */
uint8_t
t_ts_opts(uint8_t *p, uint32_t tsval, uint32_t tsecr)
{
	p[0] = 1;
	p[1] = 1;
	p[2] = 8;
	p[3] = 10;
	t_put_be32(p + 4, tsval);
	t_put_be32(p + 8, tsecr);
	return 12;
}
