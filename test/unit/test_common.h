/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_TEST_COMMON_H
#define PMTCP_TEST_COMMON_H

/*
 * Shared helpers for the unit tests: EAL with --no-huge, one mempool, a
 * pair of ring ethdevs joined back to back, a stack on each end, and
 * builders for crafted frames (lwIP-style: one call builds a segment).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "pmtcp.h"

/* RTE_IPV4() shifts an int into the sign bit for a >= 128: build it unsigned */
#define T_IP(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
				  ((uint32_t)(c) << 8) | (uint32_t)(d))

extern struct rte_mempool *t_pool;
extern uint16_t t_port[2];   /* ring pair: what port 0 sends, port 1 gets */

/* Start EAL once (--no-huge --no-pci, own file prefix) and create the
 * pool and the ring port pair. Returns 0 or fails the test. */
int t_eal_setup(void **state);

/* Stack on t_port[idx] (queue 0) with address @addr/24, MAC 02:00:00:00:00:idx+1.
 * @conf may be NULL for defaults. */
/* The last stack t_stack() made on each port (where sock_state() looks
 * for a sock's TIME_WAIT) */
extern struct pmtcp_stack *t_stacks[2];
/* pmtcp_stack_free(), and forgotten by t_stacks[] */
void t_stack_free(struct pmtcp_stack *st);
struct pmtcp_stack *t_stack(unsigned int idx, uint32_t addr,
			    const struct pmtcp_stack_conf *conf);

/* Receive everything waiting on t_port[idx] into @pkts (max @n). */
uint16_t t_rx(unsigned int idx, struct rte_mbuf **pkts, uint16_t n);
/* Free a burst. */
void t_free(struct rte_mbuf **pkts, uint16_t n);
/* Free whatever waits on either port. */
void t_drain_all(void);
/* Hand one frame to the stack's interface 0. */
void t_input_one(struct pmtcp_stack *st, struct rte_mbuf *m);

/* MAC of the test port @idx. */
void t_mac(unsigned int idx, struct rte_ether_addr *mac);

/* A TCP segment to craft. */
struct t_seg {
	struct rte_ether_addr src_mac, dst_mac;
	uint32_t saddr, daddr;       /* network order */
	uint16_t sport, dport;       /* host order */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opts;         /* raw option bytes (padded by caller) */
	uint8_t optlen;
	uint16_t payload;            /* zero bytes of payload */
	int bad_csum;                /* corrupt the TCP checksum */
};

/* Build an Ethernet/IPv4/TCP frame. */
struct rte_mbuf *t_build_tcp(const struct t_seg *s);
/* Build an ARP frame (op 1 request / 2 reply). */
struct rte_mbuf *t_build_arp(uint16_t op, const struct rte_ether_addr *sha,
			     uint32_t sip, const struct rte_ether_addr *tha,
			     uint32_t tip);

/* Accessors of a frame's headers. */
struct rte_ipv4_hdr *t_ip(struct rte_mbuf *m);
struct rte_tcp_hdr *t_tcp(struct rte_mbuf *m);
/* 1 when the frame's IPv4 and TCP checksums verify. */
int t_csum_ok(struct rte_mbuf *m);
/* Sum of one counter over... one stack. */
uint64_t t_mib(const struct pmtcp_stack *st, enum pmtcp_mib_id id);
uint64_t t_drop(const struct pmtcp_stack *st, enum pmtcp_drop_reason r);
/* mempool: mbufs available now */
unsigned int t_pool_avail(void);

/* Big-endian 32-bit field at @p, read and written byte by byte. */
uint32_t t_get_be32(const uint8_t *p);
void t_put_be32(uint8_t *p, uint32_t v);
/* The TCP options of @m and their length. */
const uint8_t *t_tcp_opts(struct rte_mbuf *m, unsigned int *len);
/* SYN option bytes as Linux lays them out (MSS, SACKPERM+TS or NOP NOP TS
 * or NOP NOP SACKPERM, NOP WS; @ws < 0: no window scale); their length. */
uint8_t t_syn_opts(uint8_t *p, uint16_t mss, bool sack, bool ts,
		   uint32_t tsval, uint32_t tsecr, int ws);
/* NOP NOP TS, the option of every non-SYN segment with timestamps: 12. */
uint8_t t_ts_opts(uint8_t *p, uint32_t tsval, uint32_t tsecr);

#endif
