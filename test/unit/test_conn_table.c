/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn_table.c: sock allocation from the preallocated table, the
 * 4-tuple hash (ehash), free and reuse, and the ephemeral port choice
 * (__inet_hash_connect) over a small ip_local_port_range.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "test_common.h"
#include "tcp.h"

#define T_MAX_CONNS 8
#define T_LADDR T_IP(198, 18, 0, 2)
#define T_RADDR T_IP(198, 18, 0, 1)

static struct pmtcp_stack *
stack_new(void)
{
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;

	pmtcp_stack_conf_init(&conf);
	conf.max_conns = T_MAX_CONNS;
	st = t_stack(0, T_LADDR, &conf);
	assert_int_equal(st->conn_max, T_MAX_CONNS);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	return st;
}

/* Allocate a sock, give it a 4-tuple (ports in host order) and hash it. */
static struct pmtcp_sock *
sock_hashed(struct pmtcp_stack *st, uint32_t laddr, uint16_t lport,
	    uint32_t raddr, uint16_t rport)
{
	struct pmtcp_sock *sk = pmtcp_sock_alloc(st);

	assert_non_null(sk);
	sk->saddr = laddr;
	sk->daddr = raddr;
	sk->sport = rte_cpu_to_be_16(lport);
	sk->dport = rte_cpu_to_be_16(rport);
	pmtcp_sock_hash(st, sk);
	return sk;
}

static struct pmtcp_sock *
lookup(const struct pmtcp_stack *st, uint32_t laddr, uint16_t lport,
       uint32_t raddr, uint16_t rport)
{
	return pmtcp_sock_lookup(st, laddr, rte_cpu_to_be_16(lport), raddr,
				 rte_cpu_to_be_16(rport));
}

/* max_conns socks, then NULL and one ConnTableFull. */
static void
test_alloc_until_full(void **state)
{
	struct pmtcp_stack *st = stack_new();
	struct pmtcp_sock *sk[T_MAX_CONNS];

	(void)state;
	for (int i = 0; i < T_MAX_CONNS; i++) {
		sk[i] = pmtcp_sock_alloc(st);
		assert_non_null(sk[i]);
		/* one of the table's socks, fresh */
		assert_true(sk[i] >= st->socks && sk[i] < st->socks + T_MAX_CONNS);
		assert_int_equal(sk[i]->state, PMTCP_TCP_CLOSE);
		assert_false(pmtcp_timer_pending(&sk[i]->timer));
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(sk[i], sk[j]);
		assert_int_equal(pmtcp_stack_conn_count(st), (uint32_t)i + 1);
	}
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_ConnTableFull), 0);
	assert_null(pmtcp_sock_alloc(st));
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_ConnTableFull), 1);
	assert_int_equal(pmtcp_stack_conn_count(st), T_MAX_CONNS);

	/* one back, one out again: the same sock, counter unchanged */
	pmtcp_sock_free(st, sk[3]);
	assert_int_equal(pmtcp_stack_conn_count(st), T_MAX_CONNS - 1);
	assert_ptr_equal(pmtcp_sock_alloc(st), sk[3]);
	assert_int_equal(pmtcp_stack_conn_count(st), T_MAX_CONNS);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_ConnTableFull), 1);
	assert_null(pmtcp_sock_alloc(st));
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_ConnTableFull), 2);

	for (int i = 0; i < T_MAX_CONNS; i++)
		pmtcp_sock_free(st, sk[i]);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	pmtcp_stack_free(st);
}

/* Lookup matches the exact 4-tuple only. */
static void
test_hash_lookup(void **state)
{
	struct pmtcp_stack *st = stack_new();
	struct pmtcp_sock *sk[T_MAX_CONNS];

	(void)state;
	sk[0] = sock_hashed(st, T_LADDR, 40000, T_RADDR, 80);
	assert_ptr_equal(lookup(st, T_LADDR, 40000, T_RADDR, 80), sk[0]);
	assert_null(lookup(st, T_LADDR, 40001, T_RADDR, 80));
	assert_null(lookup(st, T_LADDR, 40000, T_RADDR, 81));
	assert_null(lookup(st, T_LADDR, 40000, T_IP(198, 18, 0, 3), 80));
	assert_null(lookup(st, T_IP(198, 18, 0, 9), 40000, T_RADDR, 80));
	/* local and remote swapped */
	assert_null(lookup(st, T_RADDR, 80, T_LADDR, 40000));
	/* the port in the wrong byte order */
	assert_null(pmtcp_sock_lookup(st, T_LADDR, 40000, T_RADDR,
				      rte_cpu_to_be_16(80)));

	/* 7 more differing only in one port: 8 socks in 16 buckets, each
	 * found as itself */
	for (int i = 1; i < T_MAX_CONNS; i++)
		sk[i] = sock_hashed(st, T_LADDR, (uint16_t)(40000 + i), T_RADDR, 80);
	for (int i = 0; i < T_MAX_CONNS; i++)
		assert_ptr_equal(lookup(st, T_LADDR, (uint16_t)(40000 + i),
					T_RADDR, 80), sk[i]);
	assert_null(lookup(st, T_LADDR, 40000 + T_MAX_CONNS, T_RADDR, 80));
	for (int i = 0; i < T_MAX_CONNS; i++)
		pmtcp_sock_free(st, sk[i]);
	pmtcp_stack_free(st);
}

/* Free unhashes (wherever the sock sits in its chain), cancels the timer
 * and hands the sock out again, zeroed. */
static void
test_free_reuse(void **state)
{
	struct pmtcp_stack *st = stack_new();
	struct pmtcp_sock *sk[T_MAX_CONNS], *again;

	(void)state;
	for (int i = 0; i < T_MAX_CONNS; i++)
		sk[i] = sock_hashed(st, T_LADDR, (uint16_t)(50000 + i), T_RADDR, 443);
	pmtcp_timer_arm(&st->wheel, &sk[2]->timer, 100);
	assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 1);

	/* free the even ones */
	for (int i = 0; i < T_MAX_CONNS; i += 2) {
		pmtcp_sock_free(st, sk[i]);
		assert_int_equal(sk[i]->state, PMTCP_TCP_CLOSE);
	}
	assert_int_equal(pmtcp_stack_conn_count(st), T_MAX_CONNS / 2);
	assert_false(pmtcp_timer_pending(&sk[2]->timer));
	assert_int_equal(pmtcp_timer_wheel_check(&st->wheel), 0);
	for (int i = 0; i < T_MAX_CONNS; i++) {
		struct pmtcp_sock *f = lookup(st, T_LADDR, (uint16_t)(50000 + i),
					      T_RADDR, 443);

		if (i % 2 == 0)
			assert_null(f);
		else
			assert_ptr_equal(f, sk[i]);
	}

	/* reuse: the last freed comes back first, zeroed */
	again = pmtcp_sock_alloc(st);
	assert_ptr_equal(again, sk[T_MAX_CONNS - 2]);
	assert_int_equal(again->saddr, 0);
	assert_int_equal(again->sport, 0);
	assert_null(again->hnext);
	assert_int_equal(again->state, PMTCP_TCP_CLOSE);
	/* rehashed under another tuple: found there only */
	again->saddr = T_LADDR;
	again->daddr = T_RADDR;
	again->sport = rte_cpu_to_be_16(1234);
	again->dport = rte_cpu_to_be_16(443);
	pmtcp_sock_hash(st, again);
	assert_ptr_equal(lookup(st, T_LADDR, 1234, T_RADDR, 443), again);
	assert_null(lookup(st, T_LADDR, 50000 + T_MAX_CONNS - 2, T_RADDR, 443));
	assert_int_equal(pmtcp_stack_conn_count(st), T_MAX_CONNS / 2 + 1);

	/* free a sock that was never hashed */
	{
		struct pmtcp_sock *bare = pmtcp_sock_alloc(st);

		assert_non_null(bare);
		assert_int_equal(pmtcp_stack_conn_count(st), T_MAX_CONNS / 2 + 2);
		pmtcp_sock_free(st, bare);
	}
	assert_int_equal(pmtcp_stack_conn_count(st), T_MAX_CONNS / 2 + 1);
	for (int i = 1; i < T_MAX_CONNS; i += 2)
		assert_ptr_equal(lookup(st, T_LADDR, (uint16_t)(50000 + i),
					T_RADDR, 443), sk[i]);

	pmtcp_sock_free(st, again);
	for (int i = 1; i < T_MAX_CONNS; i += 2)
		pmtcp_sock_free(st, sk[i]);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	/* all T_MAX_CONNS can be allocated again */
	for (int i = 0; i < T_MAX_CONNS; i++)
		assert_non_null(sk[i] = pmtcp_sock_alloc(st));
	assert_null(pmtcp_sock_alloc(st));
	for (int i = 0; i < T_MAX_CONNS; i++)
		pmtcp_sock_free(st, sk[i]);
	pmtcp_stack_free(st);
}

/* Four ports in the range, each handed out once per 4-tuple. */
static void
check_hash_connect(uint32_t hint)
{
	struct pmtcp_stack *st = stack_new();
	const uint16_t dport_be = rte_cpu_to_be_16(80);
	struct pmtcp_sock *sk[4];
	uint16_t port[4], p;

	st->sysctl.ip_local_port_range[0] = 40000;
	st->sysctl.ip_local_port_range[1] = 40003;
	st->port_hint = hint;
	for (int i = 0; i < 4; i++) {
		port[i] = pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL);
		assert_in_range(port[i], 40000, 40003);
		assert_null(lookup(st, T_LADDR, port[i], T_RADDR, 80));
		for (int j = 0; j < i; j++)
			assert_int_not_equal(port[i], port[j]);
		sk[i] = sock_hashed(st, T_LADDR, port[i], T_RADDR, 80);
	}
	assert_int_equal(pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL), 0);
	assert_int_equal(pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL), 0);
	/* another destination port is another 4-tuple */
	p = pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, rte_cpu_to_be_16(81), NULL);
	assert_in_range(p, 40000, 40003);
	/* another destination address too */
	p = pmtcp_inet_hash_connect(st, T_LADDR, T_IP(198, 18, 0, 7), dport_be, NULL);
	assert_in_range(p, 40000, 40003);
	/* free one: that port, and only it, comes back */
	pmtcp_sock_free(st, sk[2]);
	assert_int_equal(pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL),
			 port[2]);
	assert_int_equal(pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL),
			 port[2]);
	sk[2] = sock_hashed(st, T_LADDR, port[2], T_RADDR, 80);
	assert_int_equal(pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL), 0);

	/* a one-port range */
	st->sysctl.ip_local_port_range[0] = 45000;
	st->sysctl.ip_local_port_range[1] = 45000;
	assert_int_equal(pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL),
			 45000);
	for (int i = 0; i < 4; i++)
		pmtcp_sock_free(st, sk[i]);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	pmtcp_stack_free(st);
}

static void
test_hash_connect(void **state)
{
	static const uint32_t hints[] = { 0, 1, 2, 3, 7, 0x7fffffffU,
					  UINT32_MAX - 2, UINT32_MAX };

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(hints); i++)
		check_hash_connect(hints[i]);
}

/* Successive connects to one destination move through the range (the
 * search start advances) rather than all taking the same first port. */
static void
test_hash_connect_moves(void **state)
{
	struct pmtcp_stack *st = stack_new();
	const uint16_t dport_be = rte_cpu_to_be_16(80);
	unsigned int seen = 0;

	(void)state;
	st->sysctl.ip_local_port_range[0] = 40000;
	st->sysctl.ip_local_port_range[1] = 40003;
	/* nothing hashed: four calls, four different ports */
	for (int i = 0; i < 4; i++) {
		uint16_t p = pmtcp_inet_hash_connect(st, T_LADDR, T_RADDR, dport_be, NULL);

		assert_in_range(p, 40000, 40003);
		assert_false(seen & (1U << (p - 40000)));
		seen |= 1U << (p - 40000);
	}
	assert_int_equal(seen, 0xf);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	pmtcp_stack_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_until_full),
		cmocka_unit_test(test_hash_lookup),
		cmocka_unit_test(test_free_reuse),
		cmocka_unit_test(test_hash_connect),
		cmocka_unit_test(test_hash_connect_moves),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
