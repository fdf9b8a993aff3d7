/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syncookies.c: the ISN cookie round trip for each msstab entry, its age
 * window, its layout and what it rejects; the options carried in the
 * SYN-ACK's TSval. No EAL: the functions are pure.
 *
 * Some rejections rest on a 24-bit keyed hash (a wrong cookie passes with
 * probability about 2^-22): those tests can fail once in millions of runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "syncookies.h"

#define IP4(a, b, c, d) rte_cpu_to_be_32(((uint32_t)(a) << 24) | \
					 ((uint32_t)(b) << 16) | \
					 ((uint32_t)(c) << 8) | (uint32_t)(d))

/* the client's SYN: client 198.18.0.2:40000 -> us 198.18.0.1:80 */
struct tuple {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
};

static struct tuple
t_base(void)
{
	struct tuple t = {
		IP4(198, 18, 0, 2), IP4(198, 18, 0, 1),
		rte_cpu_to_be_16(40000), rte_cpu_to_be_16(80),
	};

	return t;
}

#define T_ISN 0x12345678U       /* the client's ISN */
#define T_MINUTE 1000U

static uint32_t
mk(const struct tuple *t, uint32_t isn, uint16_t mss, uint32_t minute,
   uint16_t *mss_out)
{
	return pmtcp_cookie_v4_init_sequence(t->saddr, t->daddr, t->sport,
					     t->dport, isn, mss, minute,
					     mss_out);
}

/* check the ACK of a cookie: ACK seq = isn + 1, ack_seq = cookie + 1 */
static int
chk(const struct tuple *t, uint32_t isn, uint32_t cookie, uint32_t minute,
    uint16_t *mss_out)
{
	return pmtcp_cookie_v4_check(t->saddr, t->daddr, t->sport, t->dport,
				     isn + 1, cookie + 1, minute, mss_out);
}

/* Each msstab entry survives the round trip; other values round down. */
static void
test_mss_round_trip(void **state)
{
	static const struct {
		uint16_t in, out;
	} cases[] = {
		{ 1460, 1460 }, { 1400, 1300 }, { 600, 536 }, { 100, 536 },
		{ 9000, 1460 }, { 536, 536 }, { 1300, 1300 }, { 1440, 1440 },
		{ 1459, 1440 }, { 1299, 536 }, { 0, 536 }, { 65535, 1460 },
	};
	struct tuple t = t_base();

	(void)state;
	pmtcp_syncookie_init();
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		uint16_t enc = 0, dec = 0;
		uint32_t c = mk(&t, T_ISN, cases[i].in, T_MINUTE, &enc);

		assert_int_equal(enc, cases[i].out);
		assert_int_equal(chk(&t, T_ISN, c, T_MINUTE, &dec), 0);
		assert_int_equal(dec, cases[i].out);
	}
	/* a second init keeps the secrets */
	{
		uint16_t a, b;
		uint32_t c1 = mk(&t, T_ISN, 1460, T_MINUTE, &a);

		pmtcp_syncookie_init();
		assert_int_equal(mk(&t, T_ISN, 1460, T_MINUTE, &b), c1);
	}
}

/*
 * MAX_SYNCOOKIE_AGE is 2 and check_tcp_syn_cookie() refuses
 * diff >= MAX_SYNCOOKIE_AGE: the same minute and the next one pass,
 * two minutes on and later fail, as do cookies from a future minute.
 */
static void
test_cookie_age(void **state)
{
	static const uint32_t minutes[] = {
		T_MINUTE, 0, 254, 255, 0xfe, 0xffffff, 0xfffffffeU, 0xffffffffU,
	};
	struct tuple t = t_base();

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(minutes); i++) {
		uint32_t m = minutes[i];
		uint16_t enc, dec = 0;
		uint32_t c = mk(&t, T_ISN, 1460, m, &enc);

		assert_int_equal(chk(&t, T_ISN, c, m, &dec), 0);
		assert_int_equal(dec, 1460);
		dec = 0;
		assert_int_equal(chk(&t, T_ISN, c, m + 1, &dec), 0);
		assert_int_equal(dec, 1460);
		assert_int_equal(chk(&t, T_ISN, c, m + 2, &dec), -EINVAL);
		assert_int_equal(chk(&t, T_ISN, c, m + 3, &dec), -EINVAL);
		assert_int_equal(chk(&t, T_ISN, c, m + 200, &dec), -EINVAL);
		/* from the future */
		assert_int_equal(chk(&t, T_ISN, c, m - 1, &dec), -EINVAL);
		/* 256 minutes on, the 8 carried bits match again: H1 differs */
		assert_int_equal(chk(&t, T_ISN, c, m + 256, &dec), -EINVAL);
	}
}

/* A failed check leaves *mss_out alone. */
static void
test_check_fail_keeps_mss(void **state)
{
	struct tuple t = t_base();
	uint16_t enc, dec = 4242;
	uint32_t c = mk(&t, T_ISN, 1460, T_MINUTE, &enc);

	(void)state;
	assert_int_equal(chk(&t, T_ISN, c, T_MINUTE + 5, &dec), -EINVAL);
	assert_int_equal(dec, 4242);
}

/*
 * One flipped bit. Bits 2..31 are refused. Bits 0 and 1 shift the mss
 * index by 1 or 2 (Linux's layout: the index is the low bits of the
 * 24-bit field), so the cookie is refused or decodes to another MSS.
 */
static void
test_cookie_flipped_bit(void **state)
{
	static const uint16_t mss[] = { 536, 1300, 1440, 1460 };
	struct tuple t = t_base();

	(void)state;
	for (unsigned int k = 0; k < RTE_DIM(mss); k++) {
		uint16_t enc, dec;
		uint32_t c = mk(&t, T_ISN, mss[k], T_MINUTE, &enc);

		for (unsigned int b = 0; b < 32; b++) {
			int rc = chk(&t, T_ISN, c ^ (1U << b), T_MINUTE, &dec);

			if (b >= 2)
				assert_int_equal(rc, -EINVAL);
			else if (rc == 0)
				assert_int_not_equal(dec, mss[k]);
		}
	}
}

/* The cookie is bound to the 4-tuple. */
static void
test_cookie_other_tuple(void **state)
{
	struct tuple t = t_base(), o;
	uint16_t enc, dec;
	uint32_t c = mk(&t, T_ISN, 1460, T_MINUTE, &enc);

	(void)state;
	o = t;
	o.saddr = IP4(198, 18, 0, 3);
	assert_int_equal(chk(&o, T_ISN, c, T_MINUTE, &dec), -EINVAL);
	o = t;
	o.daddr = IP4(198, 18, 0, 9);
	assert_int_equal(chk(&o, T_ISN, c, T_MINUTE, &dec), -EINVAL);
	o = t;
	o.sport = rte_cpu_to_be_16(40001);
	assert_int_equal(chk(&o, T_ISN, c, T_MINUTE, &dec), -EINVAL);
	o = t;
	o.dport = rte_cpu_to_be_16(81);
	assert_int_equal(chk(&o, T_ISN, c, T_MINUTE, &dec), -EINVAL);
	/* the tuple reversed (the ACK read from our side) */
	o.saddr = t.daddr;
	o.daddr = t.saddr;
	o.sport = t.dport;
	o.dport = t.sport;
	assert_int_equal(chk(&o, T_ISN, c, T_MINUTE, &dec), -EINVAL);
	/* ports swapped within the word */
	o = t;
	o.sport = t.dport;
	o.dport = t.sport;
	assert_int_equal(chk(&o, T_ISN, c, T_MINUTE, &dec), -EINVAL);
}

/*
 * The cookie is bound to the client's ISN. The ISN is added in plain, so
 * an ISN off by 1..3 moves the mss index like a low cookie bit: refused
 * or another MSS. Farther off, refused.
 */
static void
test_cookie_other_seq(void **state)
{
	static const uint32_t delta[] = {
		4, 0x100, 0x10000, 0x1000000, 0x80000000U, 0xfffffffcU,
		0x12345, 0xdeadbeefU,
	};
	struct tuple t = t_base();
	uint16_t enc, dec;
	uint32_t c = mk(&t, T_ISN, 1460, T_MINUTE, &enc);

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(delta); i++)
		assert_int_equal(chk(&t, T_ISN + delta[i], c, T_MINUTE, &dec),
				 -EINVAL);
	for (uint32_t d = 1; d <= 3; d++) {
		if (chk(&t, T_ISN + d, c, T_MINUTE, &dec) == 0)
			assert_int_not_equal(dec, 1460);
		if (chk(&t, T_ISN - d, c, T_MINUTE, &dec) == 0)
			assert_int_not_equal(dec, 1460);
	}
}

/* Different 4-tuples, different cookies. */
static void
test_cookie_distinct(void **state)
{
	enum { N = 24 };
	struct tuple t[N];
	uint32_t c[N];
	uint16_t enc;

	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		t[i] = t_base();
		switch (i % 4) {
		case 0:
			t[i].saddr = IP4(198, 18, 1, i);
			break;
		case 1:
			t[i].daddr = IP4(198, 18, 2, i);
			break;
		case 2:
			t[i].sport = rte_cpu_to_be_16((uint16_t)(50000 + i));
			break;
		default:
			t[i].dport = rte_cpu_to_be_16((uint16_t)(8000 + i));
			break;
		}
		c[i] = mk(&t[i], T_ISN, 1460, T_MINUTE, &enc);
	}
	for (unsigned int i = 0; i < N; i++)
		for (unsigned int j = 0; j < i; j++)
			assert_int_not_equal(c[i], c[j]);
}

/*
 * The layout of secure_tcp_syn_cookie(): the client's ISN is added in
 * plain, and the mss index in the low bits of the 24-bit field.
 */
static void
test_cookie_layout(void **state)
{
	struct tuple t = t_base();
	uint16_t enc;
	uint32_t c0, c1, c3;

	(void)state;
	c0 = mk(&t, T_ISN, 1460, T_MINUTE, &enc);
	assert_int_equal(mk(&t, T_ISN + 1000, 1460, T_MINUTE, &enc) - c0, 1000);
	assert_int_equal(mk(&t, 0, 1460, T_MINUTE, &enc) + T_ISN, c0);

	/* index 0 / 1 / 3: differ by 1 and 3 in the 24-bit field */
	c0 = mk(&t, T_ISN, 536, T_MINUTE, &enc);
	c1 = mk(&t, T_ISN, 1300, T_MINUTE, &enc);
	c3 = mk(&t, T_ISN, 1460, T_MINUTE, &enc);
	assert_int_equal((c1 - c0) & 0xffffff, 1);
	assert_int_equal((c3 - c0) & 0xffffff, 3);
}

static void
ts_round_trip(uint32_t now, uint8_t ws, bool ws_ok, bool sack, bool ecn)
{
	uint32_t ts = pmtcp_cookie_init_timestamp(now, ws, ws_ok, sack, ecn);
	uint8_t dws = 0xaa;
	bool dws_ok, dsack, decn;

	/* never after now_ts, at most 63 behind it */
	assert_in_range((uint32_t)(now - ts), 0, 63);
	if (now >= 64)
		assert_true(ts <= now);
	assert_true(pmtcp_cookie_timestamp_decode(ts, true, true, true, &dws,
						  &dws_ok, &dsack, &decn));
	assert_int_equal(dws_ok, ws_ok);
	assert_int_equal(dws, ws_ok ? ws : 0);
	assert_int_equal(dsack, sack);
	assert_int_equal(decn, ecn);
}

/* cookie_init_timestamp() -> cookie_timestamp_decode(), every option
 * combination, at clock values around the 64 ms slots and the wrap. */
static void
test_ts_round_trip(void **state)
{
	static const uint32_t nows[] = {
		0, 1, 5, 14, 15, 16, 63, 64, 65, 100, 127, 128, 1000000,
		0x7fffffffU, 0x80000000U, 0xffffffc0U, 0xfffffffeU, 0xffffffffU,
		0x9e3779b9U,
	};

	(void)state;
	for (unsigned int n = 0; n < RTE_DIM(nows); n++)
		for (unsigned int f = 0; f < 4; f++) {
			bool sack = f & 1, ecn = f & 2;

			for (uint8_t ws = 0; ws <= 14; ws++)
				ts_round_trip(nows[n], ws, true, sack, ecn);
			ts_round_trip(nows[n], 0, false, sack, ecn);
			/* the shift is ignored without window scaling */
			ts_round_trip(nows[n], 7, false, sack, ecn);
		}
}

/* The low 6 bits as Linux lays them out; 0xf means no window scaling. */
static void
test_ts_layout(void **state)
{
	uint8_t ws;
	bool ws_ok, sack, ecn;

	(void)state;
	/* 6400 = 100 * 64 */
	assert_int_equal(pmtcp_cookie_init_timestamp(6407, 7, true, false,
						     false), 6400 + 7);
	assert_int_equal(pmtcp_cookie_init_timestamp(6463, 0, false, true,
						     true), 6400 + 0x3f);
	assert_int_equal(pmtcp_cookie_init_timestamp(6463, 0, true, true,
						     false), 6400 + 0x10);
	/* options above the clock's low bits: one slot back */
	assert_int_equal(pmtcp_cookie_init_timestamp(6400, 7, true, false,
						     false), 6400 - 64 + 7);
	assert_int_equal(pmtcp_cookie_init_timestamp(6402, 3, true, false,
						     false), 6400 - 64 + 3);
	/* below 64, the step back wraps (unsigned compare, as Linux) */
	assert_int_equal(pmtcp_cookie_init_timestamp(2, 3, true, false,
						     false), 0xffffffc3U);

	assert_true(pmtcp_cookie_timestamp_decode(0x1234560f, true, true, true,
						  &ws, &ws_ok, &sack, &ecn));
	assert_false(ws_ok);
	assert_int_equal(ws, 0);
	assert_false(sack);
	assert_false(ecn);
	assert_true(pmtcp_cookie_timestamp_decode(0x12345630, true, true, true,
						  &ws, &ws_ok, &sack, &ecn));
	assert_true(ws_ok);
	assert_int_equal(ws, 0);
	assert_true(sack);
	assert_true(ecn);
}

/* cookie_timestamp_decode(): options the sysctls no longer allow. */
static void
test_ts_decode_sysctl_off(void **state)
{
	uint32_t ts;
	uint8_t ws;
	bool ws_ok, sack, ecn;

	(void)state;
	/* SACK encoded, tcp_sack now off: refused */
	ts = pmtcp_cookie_init_timestamp(100000, 0, false, true, false);
	assert_false(pmtcp_cookie_timestamp_decode(ts, false, true, true, &ws,
						   &ws_ok, &sack, &ecn));
	ts = pmtcp_cookie_init_timestamp(100000, 7, true, true, false);
	assert_false(pmtcp_cookie_timestamp_decode(ts, false, true, true, &ws,
						   &ws_ok, &sack, &ecn));
	/* no SACK encoded: tcp_sack off does not matter */
	ts = pmtcp_cookie_init_timestamp(100000, 7, true, false, false);
	assert_true(pmtcp_cookie_timestamp_decode(ts, false, true, true, &ws,
						  &ws_ok, &sack, &ecn));
	assert_true(ws_ok);
	assert_int_equal(ws, 7);

	/* window scaling encoded, tcp_window_scaling now off: refused */
	assert_false(pmtcp_cookie_timestamp_decode(ts, true, false, true, &ws,
						   &ws_ok, &sack, &ecn));
	/* none encoded: fine */
	ts = pmtcp_cookie_init_timestamp(100000, 0, false, true, false);
	assert_true(pmtcp_cookie_timestamp_decode(ts, true, false, true, &ws,
						  &ws_ok, &sack, &ecn));
	assert_false(ws_ok);
	assert_true(sack);

	/* ECN encoded, tcp_ecn now 0: accepted, without ECN */
	ts = pmtcp_cookie_init_timestamp(100000, 2, true, false, true);
	assert_true(pmtcp_cookie_timestamp_decode(ts, true, true, false, &ws,
						  &ws_ok, &sack, &ecn));
	assert_false(ecn);
	assert_true(pmtcp_cookie_timestamp_decode(ts, true, true, true, &ws,
						  &ws_ok, &sack, &ecn));
	assert_true(ecn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mss_round_trip),
		cmocka_unit_test(test_cookie_age),
		cmocka_unit_test(test_check_fail_keeps_mss),
		cmocka_unit_test(test_cookie_flipped_bit),
		cmocka_unit_test(test_cookie_other_tuple),
		cmocka_unit_test(test_cookie_other_seq),
		cmocka_unit_test(test_cookie_distinct),
		cmocka_unit_test(test_cookie_layout),
		cmocka_unit_test(test_ts_round_trip),
		cmocka_unit_test(test_ts_layout),
		cmocka_unit_test(test_ts_decode_sysctl_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
