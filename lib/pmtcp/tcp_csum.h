/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_TCP_CSUM_H
#define PMTCP_TCP_CSUM_H

/*
 * Internet checksums summed from values, never read back from a packet
 * just written: a wide load of bytes that narrower stores have just
 * written cannot be forwarded from the store buffer and stalls (it was
 * 13 % of the loopback benchmark's cycles on the TX side; DPDK's
 * rte_ipv4_phdr_cksum(), which builds the pseudo-header on the stack
 * byte by byte, was a quarter of tcp_v4_rcv() on the RX side).
 * RFC 1071 section 2: the sum may be taken over 32-bit words in memory
 * order and folded at the end. A 32-bit word below is the value the
 * bytes read as on this (little-endian) CPU, so network-order fields go
 * in as they are stored.
 */
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "the checksum words below are laid out for a little-endian CPU"
#endif

/* Two 16-bit fields as one word of the sum, @lo first in memory. */
static inline uint64_t
csum_w(uint16_t lo, uint16_t hi)
{
	return (uint64_t)lo | (uint64_t)hi << 16;
}

static inline uint16_t
csum_fold(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The TCP pseudo-header's sum (RFC 9293 3.1): addresses, protocol and
 * the TCP length (@tcp_len: header, options and payload). */
static inline uint64_t
tcp_v4_phdr_sum(uint32_t saddr, uint32_t daddr, uint16_t tcp_len)
{
	return (uint64_t)saddr + daddr +
	       csum_w(IPPROTO_TCP << 8, rte_cpu_to_be_16(tcp_len));
}

/* tcp_checksum_complete() of a segment in one buffer: @th and the
 * @tcp_len bytes from it, with @iph's pseudo-header, sum to all ones. */
static inline bool
tcp_v4_csum_ok(const struct rte_ipv4_hdr *iph, const void *th,
	       uint16_t tcp_len)
{
	uint64_t s = tcp_v4_phdr_sum(iph->src_addr, iph->dst_addr, tcp_len);

	s += __rte_raw_cksum(th, tcp_len, 0);
	return csum_fold(s) == 0xffff;
}

#endif /* PMTCP_TCP_CSUM_H */
