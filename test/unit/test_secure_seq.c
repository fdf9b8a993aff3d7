/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secure_seq.c: SipHash-2-4 against the reference test vectors
 * (Aumasson and Bernstein, vectors.h: key 00..0f, message 00..n-1), and
 * the RFC 6528 properties of the ISN and timestamp offset.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "test_common.h"
#include "pmtcp_priv.h"

#define T_SADDR T_IP(198, 18, 0, 2)
#define T_DADDR T_IP(198, 18, 0, 1)

static const uint8_t sip_key[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};

/* vectors_sip64[n], the 8 output bytes read little-endian */
static const struct {
	size_t len;
	uint64_t out;
} sip_vectors[] = {
	{ 0, 0x726fdb47dd0e0e31ULL },
	{ 1, 0x74f839c593dc67fdULL },
	{ 7, 0xab0200f58b01d137ULL },
	{ 8, 0x93f5f5799a932462ULL },
	{ 9, 0x9e0082df0ba9e4b0ULL },
	{ 15, 0xa129ca6149be45e5ULL },
	{ 16, 0x3f2acc7f57c29bdbULL },
	{ 63, 0x958a324ceb064572ULL },
};

static void
test_siphash_vectors(void **state)
{
	uint8_t msg[64];
	uint8_t shifted[64 + 1];

	(void)state;
	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (unsigned int i = 0; i < RTE_DIM(sip_vectors); i++) {
		size_t n = sip_vectors[i].len;

		assert_int_equal(pmtcp_siphash_2_4(sip_key, msg, n),
				 sip_vectors[i].out);
		/* the same from an odd address */
		memcpy(shifted + 1, msg, n);
		assert_int_equal(pmtcp_siphash_2_4(sip_key, shifted + 1, n),
				 sip_vectors[i].out);
	}
	/* the key matters */
	{
		uint8_t k2[16];

		memcpy(k2, sip_key, sizeof(k2));
		k2[15] ^= 1;
		assert_int_not_equal(pmtcp_siphash_2_4(k2, msg, 8),
				     0x93f5f5799a932462ULL);
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* 10,000 connections from consecutive source ports: the ISNs do not step
 * by a constant (RFC 6528's point against the RFC 793 clock alone). */
static void
test_isn_no_constant_increment(void **state)
{
	enum { N = 10000 };
	static uint32_t isn[N], delta[N - 1];
	unsigned int distinct = 1;

	(void)state;
	pmtcp_secure_seq_init();
	for (unsigned int i = 0; i < N; i++)
		isn[i] = pmtcp_secure_tcp_seq(T_SADDR, T_DADDR,
					      rte_cpu_to_be_16((uint16_t)(32768 + i)),
					      rte_cpu_to_be_16(80), rte_rdtsc());
	for (unsigned int i = 0; i + 1 < N; i++)
		delta[i] = isn[i + 1] - isn[i];
	/* count distinct deltas: sort, then count runs */
	qsort(delta, N - 1, sizeof(delta[0]), cmp_u32);
	for (unsigned int i = 1; i < N - 1; i++)
		distinct += delta[i] != delta[i - 1];
	assert_true(distinct > 9000);
}

/* The same 4-tuple later: the ISN moved forward with the 64 ns clock. */
static void
test_isn_moves_with_time(void **state)
{
	const uint16_t sport = rte_cpu_to_be_16(40000), dport = rte_cpu_to_be_16(443);
	struct timespec ms = { 0, 1000000 };
	uint32_t a, b, c;

	(void)state;
	pmtcp_secure_seq_init();
	a = pmtcp_secure_tcp_seq(T_SADDR, T_DADDR, sport, dport, rte_rdtsc());
	assert_int_equal(nanosleep(&ms, NULL), 0);
	b = pmtcp_secure_tcp_seq(T_SADDR, T_DADDR, sport, dport, rte_rdtsc());
	/* ~1 ms >> 6 = ~15625; well under 2^26 (~4.3 s) */
	assert_in_range((uint32_t)(b - a), 1, 1U << 26);
	/* another port at the same time: a different hash */
	c = pmtcp_secure_tcp_seq(T_SADDR, T_DADDR, rte_cpu_to_be_16(40001), dport,
				 rte_rdtsc());
	assert_int_not_equal(c, b);
}

/* Timestamp offsets: a function of the address pair only, keyed. */
static void
test_ts_off(void **state)
{
	uint8_t zero_key[16] = { 0 };
	struct {
		uint32_t saddr, daddr;
	} __rte_packed t = { T_SADDR, T_DADDR };
	uint32_t off, others[4];

	(void)state;
	pmtcp_secure_seq_init();
	off = pmtcp_secure_tcp_ts_off(T_SADDR, T_DADDR);
	assert_int_equal(pmtcp_secure_tcp_ts_off(T_SADDR, T_DADDR), off);
	/* a second init keeps the key */
	pmtcp_secure_seq_init();
	assert_int_equal(pmtcp_secure_tcp_ts_off(T_SADDR, T_DADDR), off);

	others[0] = pmtcp_secure_tcp_ts_off(T_DADDR, T_SADDR);
	others[1] = pmtcp_secure_tcp_ts_off(T_SADDR, T_IP(198, 18, 0, 3));
	others[2] = pmtcp_secure_tcp_ts_off(T_IP(198, 18, 0, 4), T_DADDR);
	others[3] = pmtcp_secure_tcp_ts_off(T_SADDR, T_IP(10, 0, 0, 1));
	for (unsigned int i = 0; i < RTE_DIM(others); i++) {
		assert_int_not_equal(others[i], off);
		for (unsigned int j = 0; j < i; j++)
			assert_int_not_equal(others[i], others[j]);
	}
	/* keyed by a secret: not the all-zero key's value */
	assert_int_not_equal(off, (uint32_t)pmtcp_siphash_2_4(zero_key, &t,
							      sizeof(t)));
}

/* The ISN, port offset and timestamp offset hashes are SipHash-2-4 of
 * the very bytes Linux hashes (addresses and ports as they lie in the
 * packet), computed from values: each equals the generic function over
 * those bytes. The ISN's clock part is taken out by hashing the same
 * tuple twice within one 64 ns tick's error. */
static void
test_specialised_hashes_match_generic(void **state)
{
	uint8_t net[16], ts[16];
	struct {
		uint32_t saddr, daddr;
		uint16_t sport, dport;
	} __rte_packed t4 = { T_SADDR, T_DADDR, rte_cpu_to_be_16(40001),
			      rte_cpu_to_be_16(8080) };
	struct {
		uint32_t saddr, daddr, dport;
	} __rte_packed tp = { T_SADDR, T_DADDR, rte_cpu_to_be_16(8080) };
	struct {
		uint32_t saddr, daddr;
	} __rte_packed t2 = { T_SADDR, T_DADDR };
	uint32_t isn, h;

	(void)state;
	for (unsigned int i = 0; i < 16; i++) {
		net[i] = (uint8_t)(0x10 + 7 * i);
		ts[i] = (uint8_t)(0xa0 + 3 * i);
	}
	pmtcp_secure_seq_set_keys(net, ts);
	assert_int_equal(pmtcp_secure_tcp_ts_off(T_SADDR, T_DADDR),
			 (uint32_t)pmtcp_siphash_2_4(ts, &t2, sizeof(t2)));
	assert_int_equal(pmtcp_secure_ipv4_port_ephemeral(T_SADDR, T_DADDR,
					rte_cpu_to_be_16(8080)),
			 (uint32_t)pmtcp_siphash_2_4(net, &tp, sizeof(tp)));
	/* ISN = hash + (ns >> 6), ns of CLOCK_REALTIME: take the generic
	 * hash out and what is left is that clock, within 0.1 s either way */
	{
		struct timespec now;
		uint32_t clk;

		isn = pmtcp_secure_tcp_seq(t4.saddr, t4.daddr, t4.sport, t4.dport, rte_rdtsc());
		h = (uint32_t)pmtcp_siphash_2_4(net, &t4, sizeof(t4));
		assert_int_equal(clock_gettime(CLOCK_REALTIME, &now), 0);
		clk = (uint32_t)(((uint64_t)now.tv_sec * 1000000000ULL +
				  (uint64_t)now.tv_nsec) >> 6);
		assert_in_range((uint32_t)(clk - (isn - h)) + 100000000 / 64,
				0, 2 * 100000000 / 64);
	}
	/* and a different port gives a different hash part */
	assert_int_not_equal(pmtcp_secure_tcp_seq(t4.saddr, t4.daddr,
				rte_cpu_to_be_16(40002), t4.dport, rte_rdtsc()) - h,
			     isn - h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_isn_no_constant_increment),
		cmocka_unit_test(test_isn_moves_with_time),
		cmocka_unit_test(test_ts_off),
		cmocka_unit_test(test_specialised_hashes_match_generic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
