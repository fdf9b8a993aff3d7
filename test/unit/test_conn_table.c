/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn_table.c: sock allocation from the preallocated table, the
 * 4-tuple hash (ehash), free and reuse, and the ephemeral port choice
 * (__inet_hash_connect: a keyed per-destination start, a hint stepping
 * by 2, one parity then the other, listeners skipped, TIME_WAIT reuse).
 */
#include <errno.h>
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
	t_stack_free(st);
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
	t_stack_free(st);
}

/*
 * The open-addressing table under churn: a stack of 95 socks (128 slots,
 * three quarters full at most), 4-tuples from a small space so that runs
 * of occupied slots form, wrap around the table's end and are cut by
 * deletions anywhere in them. After every operation each live sock is
 * found as itself, each freed tuple is not, and every occupied slot's
 * tuple is reachable from its first slot without crossing an empty one.
 */
/* st->lport_hashed[] counts the table's entries of each local port */
static void
check_lport_counts(const struct pmtcp_stack *st)
{
	static uint32_t count[65536];

	memset(count, 0, sizeof(count));
	for (uint32_t i = 0; i <= st->slot_mask; i++)
		if (st->slots[i].sock != 0)
			count[rte_be_to_cpu_16((uint16_t)(st->slots[i].ports >> 16))]++;
	for (uint32_t p = 0; p < 65536; p++)
		assert_int_equal(st->lport_hashed[p], count[p]);
}

static void
check_slots(const struct pmtcp_stack *st, uint32_t live)
{
	uint32_t used = 0;

	for (uint32_t i = 0; i <= st->slot_mask; i++) {
		const struct pmtcp_ehash_slot *s = &st->slots[i];
		uint32_t j;

		if (s->sock == 0)
			continue;
		used++;
		for (j = pmtcp_ehashfn(st, s->laddr, s->raddr, s->ports); j != i;
		     j = (j + 1) & st->slot_mask)
			assert_int_not_equal(st->slots[j].sock, 0);
	}
	assert_int_equal(used, live);
	check_lport_counts(st);
}

static void
test_hash_churn(void **state)
{
	enum { N = 95 };
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *sk[N];
	uint16_t port[N];
	uint32_t live = 0, seed = 12345;

	(void)state;
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = N;
	conf.sysctl.tcp_max_tw_buckets = 0;   /* no TIME_WAIT entries */
	st = t_stack(0, T_LADDR, &conf);
	assert_int_equal(st->slot_mask + 1, 128);
	memset(sk, 0, sizeof(sk));
	for (int round = 0; round < 20000; round++) {
		uint32_t k;

		seed = seed * 1103515245 + 12345;
		k = (seed >> 16) % N;
		if (sk[k] == NULL) {
			/* a port not in use by another slot index */
			uint16_t p = (uint16_t)(40000 + k * 7 + (seed >> 8) % 5 * 1000);

			port[k] = p;
			sk[k] = sock_hashed(st, T_LADDR, p, T_RADDR, 80);
			live++;
		} else {
			pmtcp_sock_free(st, sk[k]);
			sk[k] = NULL;
			assert_null(lookup(st, T_LADDR, port[k], T_RADDR, 80));
			live--;
		}
		if (round % 97 == 0 || live == N) {
			check_slots(st, live);
			for (int i = 0; i < N; i++)
				if (sk[i] != NULL)
					assert_ptr_equal(lookup(st, T_LADDR, port[i],
								T_RADDR, 80), sk[i]);
		}
	}
	for (int i = 0; i < N; i++)
		if (sk[i] != NULL)
			pmtcp_sock_free(st, sk[i]);
	check_slots(st, 0);
	t_stack_free(st);
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
	/* sk[2]'s timer went with it (a freed sock is not to be read: the
	 * ASan build poisons it) */
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
	t_stack_free(st);
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
		port[i] = pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL);
		assert_in_range(port[i], 40000, 40003);
		assert_null(lookup(st, T_LADDR, port[i], T_RADDR, 80));
		for (int j = 0; j < i; j++)
			assert_int_not_equal(port[i], port[j]);
		sk[i] = sock_hashed(st, T_LADDR, port[i], T_RADDR, 80);
	}
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL), 0);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL), 0);
	/* another destination port is another 4-tuple */
	p = pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, rte_cpu_to_be_16(81), NULL);
	assert_in_range(p, 40000, 40003);
	/* another destination address too */
	p = pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_IP(198, 18, 0, 7), dport_be, NULL);
	assert_in_range(p, 40000, 40003);
	/* free one: that port, and only it, comes back */
	pmtcp_sock_free(st, sk[2]);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL),
			 port[2]);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL),
			 port[2]);
	sk[2] = sock_hashed(st, T_LADDR, port[2], T_RADDR, 80);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL), 0);

	/* a one-port range */
	st->sysctl.ip_local_port_range[0] = 45000;
	st->sysctl.ip_local_port_range[1] = 45000;
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL),
			 45000);
	for (int i = 0; i < 4; i++)
		pmtcp_sock_free(st, sk[i]);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
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

/* Where __inet_hash_connect() starts for T_LADDR -> @daddr:@dport with
 * the stack's hint now: (hint + F(saddr, daddr, dport)) % n, rounded
 * down to the parity of the range's low end (RFC 6056 algorithm 3). */
static uint16_t
start_port(const struct pmtcp_stack *st, uint32_t daddr, uint16_t dport)
{
	uint32_t low = (uint32_t)st->sysctl.ip_local_port_range[0];
	uint32_t n = (uint32_t)st->sysctl.ip_local_port_range[1] - low + 1;
	uint32_t off = (st->port_hint + pmtcp_secure_ipv4_port_ephemeral(T_LADDR,
			daddr, rte_cpu_to_be_16(dport))) % n;

	return (uint16_t)(low + (off & ~1U));
}

/* Each destination starts at its own keyed offset: the same destination
 * always at the same port (for a given hint), 16 destinations at (almost
 * surely) 16 different ones, every start even with the default range. */
static void
test_hash_connect_per_destination(void **state)
{
	struct pmtcp_stack *st = stack_new();
	uint16_t port[16];
	unsigned int distinct = 0;

	(void)state;
	assert_int_equal(st->sysctl.ip_local_port_range[0], 32768);
	assert_int_equal(st->sysctl.ip_local_port_range[1], 60999);
	for (unsigned int i = 0; i < 16; i++) {
		/* 8 addresses x 2 destination ports */
		uint32_t daddr = T_IP(198, 18, 0, 1 + i / 2);
		uint16_t dport = i % 2 ? 443 : 80;

		st->port_hint = 0;
		port[i] = pmtcp_inet_hash_connect(st, NULL, T_LADDR, daddr,
						  rte_cpu_to_be_16(dport), NULL);
		st->port_hint = 0;
		assert_int_equal(port[i], start_port(st, daddr, dport));
		assert_in_range(port[i], 32768, 60999);
		assert_int_equal(port[i] % 2, 0);
		/* the same destination again: the same port */
		assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, daddr,
				 rte_cpu_to_be_16(dport), NULL), port[i]);
		/* the hint moved by 2 */
		assert_int_equal(st->port_hint, 2);
	}
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int j;

		for (j = 0; j < i && port[j] != port[i]; j++)
			;
		distinct += j == i;
	}
	/* 16 keyed offsets among 14116 even ports: a few coincidences at
	 * most, never one port for all (a per-stack counter would give
	 * one start to every destination) */
	assert_true(distinct >= 12);
	/* the local address is part of F too (the stack remembers the last
	 * destination's F: a new source address must not reuse it) */
	for (unsigned int i = 0; i < 2; i++) {
		uint32_t saddr = i ? T_LADDR : T_IP(198, 18, 0, 3);
		uint32_t f = pmtcp_secure_ipv4_port_ephemeral(saddr, T_RADDR,
							      rte_cpu_to_be_16(80));

		st->port_hint = 0;
		assert_int_equal(pmtcp_inet_hash_connect(st, NULL, saddr, T_RADDR,
				 rte_cpu_to_be_16(80), NULL),
				 32768 + (f % 28232 & ~1U));
	}
	assert_int_not_equal(pmtcp_secure_ipv4_port_ephemeral(T_LADDR, T_RADDR,
			     rte_cpu_to_be_16(80)),
			     pmtcp_secure_ipv4_port_ephemeral(T_IP(198, 18, 0, 3),
			     T_RADDR, rte_cpu_to_be_16(80)));
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
}

/* Successive connects to one destination step by 2 (Linux 4.17: hint +=
 * i + 2), not by 1, whether the earlier ports are still in use or not;
 * a connect to another destination in between moves the shared hint. */
static void
test_hash_connect_steps_by_two(void **state)
{
	struct pmtcp_stack *st = stack_new();
	const uint16_t dport_be = rte_cpu_to_be_16(80);
	const uint32_t other = T_IP(198, 18, 0, 9);
	struct pmtcp_sock *sk[4];
	uint16_t p0, p;

	(void)state;
	st->port_hint = 0;
	p0 = start_port(st, T_RADDR, 80);
	/* nothing kept: 8 calls, 8 even ports 2 apart (wrapping at the top
	 * of 32768..60999, 28232 ports) */
	for (uint32_t i = 0; i < 8; i++) {
		p = pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL);
		assert_int_equal(p, 32768 + (p0 - 32768 + 2 * i) % 28232);
		assert_int_equal(st->port_hint, 2 * (i + 1));
	}
	/* each port kept in the table: still 2 apart, from where the hint
	 * is now */
	p0 = start_port(st, T_RADDR, 80);
	for (uint32_t i = 0; i < 4; i++) {
		p = pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be, NULL);
		assert_int_equal(p, 32768 + (p0 - 32768 + 2 * i) % 28232);
		sk[i] = sock_hashed(st, T_LADDR, p, T_RADDR, 80);
	}
	/* A, B, A: B's connect moved the hint, A's next port is 4 on */
	st->port_hint = 1000;
	p0 = pmtcp_inet_hash_connect(st, NULL, T_LADDR, other, dport_be, NULL);
	assert_int_equal(p0, (uint16_t)(32768 + ((1000 +
		pmtcp_secure_ipv4_port_ephemeral(T_LADDR, other, dport_be)) %
		28232 & ~1U)));
	p = start_port(st, other, 80);
	assert_int_equal(p, 32768 + (p0 - 32768 + 2) % 28232);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_IP(198, 18, 0, 10),
						 dport_be, NULL) % 2, 0);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, other, dport_be, NULL),
			 32768 + (p0 - 32768 + 4) % 28232);
	for (int i = 0; i < 4; i++)
		pmtcp_sock_free(st, sk[i]);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
}

/* Fill a range through pmtcp_connect(): every port is used once, those
 * of the low end's parity first, each parity in order from the start
 * (wrapping), then -EADDRNOTAVAIL and PortsExhausted. Odd and even sizes:
 * Linux 4.17 leaves the top port of an odd-sized range unused, pmtcp
 * does not. */
static void
check_connect_fills_range(uint16_t low, uint16_t high, uint32_t hint)
{
	unsigned int avail = t_pool_avail();
	struct pmtcp_stack *st = stack_new();
	uint32_t n = (uint32_t)high - low + 1, seen = 0;
	uint16_t prev = 0;

	st->sysctl.ip_local_port_range[0] = low;
	st->sysctl.ip_local_port_range[1] = high;
	st->port_hint = hint;
	assert_true(n <= T_MAX_CONNS);
	for (uint32_t i = 0; i < n; i++) {
		struct pmtcp_sock_info info;
		struct pmtcp_sock *sk = NULL;
		uint16_t want = i == 0 ? start_port(st, T_RADDR, 80) : 0;

		assert_int_equal(pmtcp_connect(st, T_RADDR, 80, i, &sk), 0);
		pmtcp_sock_info(sk, &info);
		assert_in_range(info.sport, low, high);
		assert_false(seen & (1U << (info.sport - low)));
		seen |= 1U << (info.sport - low);
		if (i == 0)
			assert_int_equal(info.sport, want);
		/* the first (n + 1) / 2 have the low end's parity */
		assert_int_equal((info.sport - low) % 2, i < (n + 1) / 2 ? 0 : 1);
		/* within a parity: the next one up, wrapping (an even-sized
		 * range; in an odd one (hint + offset) % n changes parity as
		 * it wraps, so the order within a pass may jump) */
		if (n % 2 == 0 && i != 0 && i != (n + 1) / 2)
			assert_true(info.sport == prev + 2 ||
				    info.sport < prev);
		prev = info.sport;
		assert_int_equal(info.state, PMTCP_TCP_SYN_SENT);
	}
	assert_int_equal(seen, (1U << n) - 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 0);
	assert_int_equal(pmtcp_connect(st, T_RADDR, 80, 99, NULL), -EADDRNOTAVAIL);
	assert_int_equal(t_mib(st, PMTCP_MIB_Pmtcp_PortsExhausted), 1);
	assert_int_equal(t_mib(st, PMTCP_MIB_Tcp_ActiveOpens), n);
	assert_int_equal(pmtcp_stack_conn_count(st), n);
	/* another destination port has the whole range again */
	assert_int_equal(pmtcp_connect(st, T_RADDR, 81, 100, NULL), n < T_MAX_CONNS ?
			 0 : -ENOBUFS);
	t_stack_free(st);
	t_drain_all();
	assert_int_equal(t_pool_avail(), avail);
}

static void
test_hash_connect_fills_range(void **state)
{
	(void)state;
	check_connect_fills_range(40000, 40006, 0);   /* 7: 4 even, 3 odd */
	check_connect_fills_range(40000, 40006, 5);
	check_connect_fills_range(40001, 40007, 0);   /* 7 from an odd low end */
	check_connect_fills_range(40000, 40005, 3);   /* 6: 3 + 3 */
	check_connect_fills_range(40000, 40000, 7);   /* 1 */
}

/* A listening port inside the range is never a source port (Linux: its
 * bind bucket is not one connect() made). */
static void
test_hash_connect_skips_listener(void **state)
{
	struct pmtcp_stack *st = stack_new();
	const uint16_t dport_be = rte_cpu_to_be_16(80);
	struct pmtcp_sock *sk;

	(void)state;
	st->sysctl.ip_local_port_range[0] = 40000;
	st->sysctl.ip_local_port_range[1] = 40001;
	assert_int_equal(pmtcp_listen(st, 40000), 0);
	for (uint32_t hint = 0; hint < 4; hint++) {
		st->port_hint = hint;
		assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR,
							 dport_be, NULL), 40001);
	}
	sk = sock_hashed(st, T_LADDR, 40001, T_RADDR, 80);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 NULL), 0);
	assert_int_equal(pmtcp_unlisten(st, 40000), 0);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 NULL), 40000);
	pmtcp_sock_free(st, sk);
	t_stack_free(st);
}

/* A TIME_WAIT entry holding the 4-tuple of port @port (timestamps,
 * peer's last TSval 777 taken at @stamp ms, SND.NXT 1000), counted in
 * tw_count: a sock's, as tcp_time_wait() makes it, the sock freed. */
static struct pmtcp_tw *
tw_entry(struct pmtcp_stack *st, uint16_t port, uint32_t stamp, bool ts)
{
	struct pmtcp_sock *sk = sock_hashed(st, T_LADDR, port, T_RADDR, 80);
	struct pmtcp_tw *tw;

	sk->state = PMTCP_TCP_FIN_WAIT2;
	sk->flags = SK_ACTIVE | SK_ORPHAN | (ts ? SK_TSTAMP_OK : 0);
	sk->snd_nxt = 1000;
	sk->ts_recent = 777;
	sk->ts_recent_stamp = stamp;
	tw = pmtcp_tw_hashdance(st, sk);
	assert_non_null(tw);
	pmtcp_sock_free(st, sk);
	assert_null(lookup(st, T_LADDR, port, T_RADDR, 80));
	assert_ptr_equal(pmtcp_tw_lookup(st, T_LADDR, rte_cpu_to_be_16(port),
					 T_RADDR, rte_cpu_to_be_16(80)), tw);
	return tw;
}

/* tcp_tw_reuse with the new port choice: a TIME_WAIT on the first
 * candidate is skipped (the other parity is taken) unless
 * tcp_twsk_unique() allows it: tcp_tw_reuse=1, timestamps, the peer's
 * last timestamp older than 1 s. Then it is taken over: the TIME_WAIT
 * ends (tw_count), write_seq = its SND.NXT + 65537, ts_recent kept. */
static void
test_hash_connect_tw_reuse(void **state)
{
	struct pmtcp_stack *st = stack_new();
	const uint16_t dport_be = rte_cpu_to_be_16(80);
	struct pmtcp_tw_reuse reuse;
	struct pmtcp_sock *odd;
	struct pmtcp_tw *tw;

	(void)state;
	st->sysctl.ip_local_port_range[0] = 40000;
	st->sysctl.ip_local_port_range[1] = 40001;
	st->now_ms = 10000;
	st->port_hint = 0;

	/* young TIME_WAIT on 40000: 40001 instead */
	st->sysctl.tcp_tw_reuse = 1;
	tw = tw_entry(st, 40000, 9500, true);
	memset(&reuse, 0, sizeof(reuse));
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 &reuse), 40001);
	assert_int_equal(reuse.write_seq, 0);
	odd = sock_hashed(st, T_LADDR, 40001, T_RADDR, 80);
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 &reuse), 0);
	/* old enough, but tcp_tw_reuse=0, or no timestamps, or no reuse
	 * wanted: still taken */
	tw->ts_recent_stamp = 8999;
	st->sysctl.tcp_tw_reuse = 0;
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 &reuse), 0);
	/* the walk remembered (no reuse), forgotten as the knob changes
	 * (pmtcp_stack_set_sysctl()) */
	assert_int_equal(st->port_off_full, 3);
	st->sysctl.tcp_tw_reuse = 1;
	st->port_off_full = 0;
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 NULL), 0);
	tw->timer.kind = SK_TIMER_TW;   /* no timestamps */
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 &reuse), 0);
	tw->timer.kind = SK_TIMER_TW_TSTAMP;
	assert_int_equal(reuse.write_seq, 0);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TWRecycled), 0);
	assert_int_equal(pmtcp_stack_tw_count(st), 1);
	/* reused */
	assert_int_equal(pmtcp_inet_hash_connect(st, NULL, T_LADDR, T_RADDR, dport_be,
						 &reuse), 40000);
	assert_int_equal(reuse.write_seq, 1000 + 65537);
	assert_int_equal(reuse.ts_recent, 777);
	assert_int_equal(reuse.ts_recent_stamp, 8999);
	assert_int_equal(t_mib(st, PMTCP_MIB_TcpExt_TWRecycled), 1);
	assert_int_equal(pmtcp_stack_tw_count(st), 0);
	assert_int_equal(pmtcp_stack_conn_count(st), 1);
	assert_null(lookup(st, T_LADDR, 40000, T_RADDR, 80));
	assert_null(pmtcp_tw_lookup(st, T_LADDR, rte_cpu_to_be_16(40000), T_RADDR,
				    dport_be));
	pmtcp_sock_free(st, odd);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
}

/*
 * Every port in TIME_WAIT, tcp_tw_reuse 0: no TIME_WAIT can be taken over,
 * so the walk that found none is remembered (port_off_full) and the next
 * connect() costs no lookup; the TIME_WAIT that ends frees its port and
 * its parity class. With tcp_tw_reuse 1 a refused TIME_WAIT may be taken
 * later: nothing is remembered while one exists.
 */
static void
test_hash_connect_all_time_wait(void **state)
{
	struct pmtcp_stack *st = stack_new();
	const uint16_t dport_be = rte_cpu_to_be_16(80);
	struct pmtcp_tw *tw0, *tw1;
	uint32_t lookups;

	(void)state;
	st->sysctl.ip_local_port_range[0] = 40000;
	st->sysctl.ip_local_port_range[1] = 40001;
	st->now_ms = 10000;
	tw0 = tw_entry(st, 40000, 9500, true);
	tw1 = tw_entry(st, 40001, 9500, true);
	assert_int_equal(pmtcp_inet_hash_connect_walk(st, NULL, T_LADDR, T_RADDR,
						      dport_be, NULL, &lookups), 0);
	assert_int_equal(st->port_off_full, 3);
	assert_int_equal(pmtcp_inet_hash_connect_walk(st, NULL, T_LADDR, T_RADDR,
						      dport_be, NULL, &lookups), 0);
	assert_int_equal(lookups, 0);
	/* 40001's TIME_WAIT is over: its port, and only its class, again */
	pmtcp_tw_done(st, tw1);
	assert_int_equal(st->port_off_full, 1);
	assert_int_equal(pmtcp_inet_hash_connect_walk(st, NULL, T_LADDR, T_RADDR,
						      dport_be, NULL, &lookups), 40001);
	assert_int_equal(lookups, 1);
	/* tcp_tw_reuse 1: the walk over 40000's TIME_WAIT is not kept */
	st->sysctl.tcp_tw_reuse = 1;
	st->port_off_full = 0;
	tw1 = tw_entry(st, 40001, 9500, true);
	assert_int_equal(pmtcp_inet_hash_connect_walk(st, NULL, T_LADDR, T_RADDR,
						      dport_be, NULL, &lookups), 0);
	assert_int_equal(st->port_off_full, 0);
	pmtcp_tw_done(st, tw0);
	pmtcp_tw_done(st, tw1);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);
	t_stack_free(st);
}

/*
 * Active opens in the port map (struct pmtcp_portmap): an active open
 * whose (address, port) entry is free goes there, not into the table; a
 * second one from the same (address, port) to another destination goes
 * to the table and is counted on its port, so that lookups and the port
 * walk probe the table for that port only. TIME_WAIT takes the sock's
 * entry. A port outside the range the map was made for, or a stack whose
 * budget cannot hold a map, uses the table.
 */
#define T_RADDR2 T_IP(198, 18, 0, 3)

static struct pmtcp_sock *
sock_active(struct pmtcp_stack *st, uint16_t lport, uint32_t raddr)
{
	struct pmtcp_sock *sk = pmtcp_sock_alloc(st);

	assert_non_null(sk);
	sk->saddr = T_LADDR;
	sk->daddr = raddr;
	sk->sport = rte_cpu_to_be_16(lport);
	sk->dport = rte_cpu_to_be_16(80);
	sk->flags = SK_ACTIVE;
	pmtcp_sock_hash_active(st, sk);
	return sk;
}

static uint32_t
slots_used(const struct pmtcp_stack *st)
{
	uint32_t used = 0;

	for (uint32_t i = 0; i <= st->slot_mask; i++)
		used += st->slots[i].sock != 0;
	return used;
}

static void
test_portmap(void **state)
{
	const uint16_t dport_be = rte_cpu_to_be_16(80);
	struct pmtcp_stack_conf conf;
	struct pmtcp_stack *st;
	struct pmtcp_sock *a, *b, *sk[16];
	const struct pmtcp_portmap *pm;
	uint64_t mem0;
	struct pmtcp_tw *tw;
	int n = 0;

	(void)state;
	pmtcp_stack_conf_init(&conf);
	conf.max_conns = 32;     /* a map budget of 512 bytes */
	conf.sysctl.ip_local_port_range[0] = 40000;
	conf.sysctl.ip_local_port_range[1] = 40007;
	st = t_stack(0, T_LADDR, &conf);
	mem0 = pmtcp_stack_conn_memory(st);
	assert_null(st->ifaces[0].pmap);

	/* the first active open makes the map and sits in it */
	a = sock_active(st, 40000, T_RADDR);
	pm = st->ifaces[0].pmap;
	assert_non_null(pm);
	assert_int_equal(pm->low, 40000);
	assert_int_equal(pm->n, 8);
	assert_int_equal(pm->addr[0][0], (uint32_t)(a - st->socks) + 1);
	assert_int_equal(slots_used(st), 0);
	assert_ptr_equal(lookup(st, T_LADDR, 40000, T_RADDR, 80), a);
	assert_null(lookup(st, T_LADDR, 40000, T_RADDR2, 80));
	assert_int_equal(pmtcp_stack_conn_memory(st), mem0 + st->pmap_bytes);
	assert_true(st->pmap_bytes >= 8 * sizeof(uint32_t));

	/* the same (address, port) to another destination: the table */
	b = sock_active(st, 40000, T_RADDR2);
	assert_int_equal(slots_used(st), 1);
	assert_int_equal(st->lport_hashed[40000], 1);
	assert_ptr_equal(lookup(st, T_LADDR, 40000, T_RADDR, 80), a);
	assert_ptr_equal(lookup(st, T_LADDR, 40000, T_RADDR2, 80), b);
	check_lport_counts(st);

	/* the walk for T_RADDR2 finds 40000 taken (the table), the other
	 * seven free (the map); for T_RADDR, 40000 taken (the map), the
	 * others free although T_RADDR2's socks hold their entries */
	for (;;) {
		uint16_t port = pmtcp_inet_hash_connect(st, NULL, T_LADDR,
							T_RADDR2, dport_be, NULL);

		if (port == 0)
			break;
		assert_int_not_equal(port, 40000);
		sk[n++] = sock_active(st, port, T_RADDR2);
	}
	assert_int_equal(n, 7);
	assert_int_equal(slots_used(st), 1);
	for (;;) {
		uint16_t port = pmtcp_inet_hash_connect(st, NULL, T_LADDR,
							T_RADDR, dport_be, NULL);

		if (port == 0)
			break;
		assert_int_not_equal(port, 40000);
		sk[n++] = sock_active(st, port, T_RADDR);
	}
	assert_int_equal(n, 14);
	assert_int_equal(slots_used(st), 8);
	check_lport_counts(st);
	for (int i = 0; i < n; i++)
		assert_ptr_equal(lookup(st, T_LADDR, rte_be_to_cpu_16(sk[i]->sport),
					sk[i]->daddr, 80), sk[i]);

	/* TIME_WAIT takes the sock's entry; its end frees it */
	a->state = PMTCP_TCP_FIN_WAIT2;
	a->flags |= SK_ORPHAN;
	tw = pmtcp_tw_hashdance(st, a);
	assert_non_null(tw);
	pmtcp_sock_free(st, a);
	assert_int_equal(pm->addr[0][0],
			 PMTCP_EHASH_TW | (uint32_t)(tw - st->tws + 1));
	assert_ptr_equal(pmtcp_tw_lookup(st, T_LADDR, rte_cpu_to_be_16(40000),
					 T_RADDR, dport_be), tw);
	assert_null(lookup(st, T_LADDR, 40000, T_RADDR, 80));
	assert_ptr_equal(lookup(st, T_LADDR, 40000, T_RADDR2, 80), b);
	pmtcp_tw_done(st, tw);
	assert_int_equal(pm->addr[0][0], 0);
	assert_null(pmtcp_tw_lookup(st, T_LADDR, rte_cpu_to_be_16(40000),
				    T_RADDR, dport_be));

	/* everything freed: the map and the counts are empty */
	pmtcp_sock_free(st, b);
	for (int i = 0; i < n; i++)
		pmtcp_sock_free(st, sk[i]);
	for (uint32_t p = 0; p < pm->n; p++)
		assert_int_equal(pm->addr[0][p], 0);
	assert_int_equal(slots_used(st), 0);
	check_lport_counts(st);
	assert_int_equal(pmtcp_stack_conn_count(st), 0);

	/* a port range changed since the map was made: the table */
	st->sysctl.ip_local_port_range[0] = 50000;
	st->sysctl.ip_local_port_range[1] = 50001;
	a = sock_active(st, 50000, T_RADDR);
	assert_int_equal(slots_used(st), 1);
	assert_ptr_equal(lookup(st, T_LADDR, 50000, T_RADDR, 80), a);
	pmtcp_sock_free(st, a);
	check_lport_counts(st);
	t_stack_free(st);

	/* no budget for a map (16 bytes a sock): the table */
	conf.max_conns = 2;
	st = t_stack(0, T_LADDR, &conf);
	a = sock_active(st, 40000, T_RADDR);
	assert_null(st->ifaces[0].pmap);
	assert_int_equal(st->pmap_bytes, 0);
	assert_int_equal(slots_used(st), 1);
	assert_ptr_equal(lookup(st, T_LADDR, 40000, T_RADDR, 80), a);
	pmtcp_sock_free(st, a);
	t_stack_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_until_full),
		cmocka_unit_test(test_hash_lookup),
		cmocka_unit_test(test_hash_churn),
		cmocka_unit_test(test_free_reuse),
		cmocka_unit_test(test_hash_connect),
		cmocka_unit_test(test_hash_connect_per_destination),
		cmocka_unit_test(test_hash_connect_steps_by_two),
		cmocka_unit_test(test_hash_connect_fills_range),
		cmocka_unit_test(test_hash_connect_skips_listener),
		cmocka_unit_test(test_hash_connect_tw_reuse),
		cmocka_unit_test(test_hash_connect_all_time_wait),
		cmocka_unit_test(test_portmap),
	};

	return cmocka_run_group_tests(tests, t_eal_setup, NULL);
}
