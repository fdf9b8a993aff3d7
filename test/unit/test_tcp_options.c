/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_options.c: tcp_parse_options() on crafted option bytes behind a TCP
 * header (no mbuf), the SYN option layout byte for byte as Linux writes
 * it, and tcp_seq.h's comparisons across the 2^32 wrap.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_tcp.h>

#include "test_common.h"
#include "tcp.h"
#include "tcp_csum.h"

/* A TCP header followed by its option space. */
struct t_hdr {
	struct rte_tcp_hdr th;
	uint8_t opts[40];
} __rte_aligned(8);

/* Parse @len option bytes behind a header with @flags. The output is
 * poisoned first to show that the parser clears it. */
static int
parse(uint8_t flags, const uint8_t *bytes, unsigned int len,
      struct pmtcp_tcp_opts *opt)
{
	static struct t_hdr h;
	int ret;

	assert_true(len <= sizeof(h.opts));
	memset(&h, 0, sizeof(h));
	h.th.data_off = (uint8_t)(((sizeof(h.th) + RTE_ALIGN_CEIL(len, 4)) / 4) << 4);
	h.th.tcp_flags = flags;
	memcpy(h.opts, bytes, len);
	/* bytes past @len must not be read: make them a trap */
	memset(h.opts + len, 0x02, sizeof(h.opts) - len);
	memset(opt, 0xff, sizeof(*opt));
	/* a parser that loops forever would hang: fail by SIGALRM instead */
	alarm(10);
	ret = pmtcp_tcp_parse_options(&h.th, len, opt);
	alarm(0);
	return ret;
}

static void
assert_opts_empty(const struct pmtcp_tcp_opts *o)
{
	assert_int_equal(o->mss_clamp, 0);
	assert_int_equal(o->saw_tstamp, 0);
	assert_int_equal(o->wscale_ok, 0);
	assert_int_equal(o->sack_ok, 0);
	assert_int_equal(o->snd_wscale, 0);
	assert_int_equal(o->rcv_tsval, 0);
	assert_int_equal(o->rcv_tsecr, 0);
}

/* A Linux SYN: MSS, SACKPERM, TS, NOP, WS. */
static void
test_parse_linux_syn(void **state)
{
	static const uint8_t syn[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44,
		0x55, 0x66, 0x77, 0x88,
		0x01, 0x03, 0x03, 0x07,
	};
	struct pmtcp_tcp_opts o;

	(void)state;
	assert_int_equal(parse(TH_SYN, syn, sizeof(syn), &o), 0);
	assert_int_equal(o.mss_clamp, 1460);
	assert_int_equal(o.sack_ok, 1);
	assert_int_equal(o.saw_tstamp, 1);
	assert_int_equal(o.rcv_tsval, 0x11223344);
	assert_int_equal(o.rcv_tsecr, 0x55667788);
	assert_int_equal(o.wscale_ok, 1);
	assert_int_equal(o.snd_wscale, 7);
	/* a SYN-ACK is a SYN too */
	assert_int_equal(parse(TH_SYN | TH_ACK, syn, sizeof(syn), &o), 0);
	assert_int_equal(o.mss_clamp, 1460);
	assert_int_equal(o.snd_wscale, 7);
	assert_int_equal(o.sack_ok, 1);
	/* no options at all */
	assert_int_equal(parse(TH_SYN, syn, 0, &o), 0);
	assert_opts_empty(&o);
}

/* RFC 7323 2.3: a shift above 14 is taken as 14. */
static void
test_parse_wscale_clamp(void **state)
{
	static const struct {
		uint8_t in, out;
	} cases[] = { { 0, 0 }, { 13, 13 }, { 14, 14 }, { 15, 14 }, { 255, 14 } };
	uint8_t ws[] = { 0x01, 0x03, 0x03, 0x00 };
	struct pmtcp_tcp_opts o;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		ws[3] = cases[i].in;
		assert_int_equal(parse(TH_SYN, ws, sizeof(ws), &o), 0);
		assert_int_equal(o.wscale_ok, 1);
		assert_int_equal(o.snd_wscale, cases[i].out);
	}
}

/* Off a SYN, MSS/WS/SACKPERM mean nothing; the timestamp still counts. */
static void
test_parse_not_syn(void **state)
{
	static const uint8_t opts[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
		0xff, 0xff, 0xff, 0xff,
		0x01, 0x03, 0x03, 0x07,
	};
	/* an established segment: NOP NOP TS, then NOP NOP SACK(1 block) */
	static const uint8_t est[] = {
		0x01, 0x01, 0x08, 0x0a, 0xde, 0xad, 0xbe, 0xef,
		0x00, 0x00, 0x10, 0x00,
		0x01, 0x01, 0x05, 0x0a, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
	};
	struct pmtcp_tcp_opts o;

	(void)state;
	assert_int_equal(parse(TH_ACK, opts, sizeof(opts), &o), 0);
	assert_int_equal(o.mss_clamp, 0);
	assert_int_equal(o.sack_ok, 0);
	assert_int_equal(o.wscale_ok, 0);
	assert_int_equal(o.snd_wscale, 0);
	assert_int_equal(o.saw_tstamp, 1);
	assert_int_equal(o.rcv_tsval, 1);
	assert_int_equal(o.rcv_tsecr, 0xffffffffU);

	assert_int_equal(parse(TH_ACK | TH_PSH, est, sizeof(est), &o), 0);
	assert_int_equal(o.saw_tstamp, 1);
	assert_int_equal(o.rcv_tsval, 0xdeadbeefU);
	assert_int_equal(o.rcv_tsecr, 0x1000);
	assert_int_equal(o.sack_ok, 0);
	assert_int_equal(o.mss_clamp, 0);
}

/* EOL ends the list: what follows is not parsed, even if malformed. */
static void
test_parse_eol(void **state)
{
	static const uint8_t a[] = {
		0x02, 0x04, 0x05, 0xb4, 0x00, 0x03, 0x03, 0x07,
	};
	static const uint8_t b[] = {
		0x01, 0x00, 0x08, 0x00, 0x02, 0x04, 0x05, 0xb4,
	};
	struct pmtcp_tcp_opts o;

	(void)state;
	assert_int_equal(parse(TH_SYN, a, sizeof(a), &o), 0);
	assert_int_equal(o.mss_clamp, 1460);
	assert_int_equal(o.wscale_ok, 0);
	assert_int_equal(o.snd_wscale, 0);
	assert_int_equal(parse(TH_SYN, b, sizeof(b), &o), 0);
	assert_opts_empty(&o);
}

/* "silly options" (length 0 or 1) and options running past the end:
 * -EINVAL, promptly; what came before stays parsed. */
static void
test_parse_bad_length(void **state)
{
	static const uint8_t len0[] = { 0x02, 0x04, 0x05, 0xb4, 0x1e, 0x00, 0x01, 0x01 };
	static const uint8_t len1[] = { 0x01, 0x01, 0x08, 0x01, 0x01, 0x01, 0x01, 0x01 };
	static const uint8_t nop_len0[] = { 0x04, 0x00 };
	/* a timestamp of 10 bytes in 8 */
	static const uint8_t past[] = { 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01 };
	/* MSS claims 4 bytes, 3 remain */
	static const uint8_t past2[] = { 0x01, 0x02, 0x04, 0x05 };
	/* an unknown kind whose length is 255 */
	static const uint8_t past3[] = { 0x1e, 0xff, 0x00, 0x00 };
	struct pmtcp_tcp_opts o;

	(void)state;
	assert_int_equal(parse(TH_SYN, len0, sizeof(len0), &o), -EINVAL);
	assert_int_equal(o.mss_clamp, 1460);
	assert_int_equal(parse(TH_SYN, len1, sizeof(len1), &o), -EINVAL);
	assert_int_equal(o.saw_tstamp, 0);
	assert_int_equal(parse(TH_SYN, nop_len0, sizeof(nop_len0), &o), -EINVAL);
	assert_int_equal(o.sack_ok, 0);
	assert_int_equal(parse(TH_ACK, past, sizeof(past), &o), -EINVAL);
	assert_int_equal(o.saw_tstamp, 0);
	assert_int_equal(o.rcv_tsval, 0);
	assert_int_equal(parse(TH_SYN, past2, sizeof(past2), &o), -EINVAL);
	assert_int_equal(o.mss_clamp, 0);
	assert_int_equal(parse(TH_SYN, past3, sizeof(past3), &o), -EINVAL);
}

/* The last option is a kind byte without its length byte. */
static void
test_parse_truncated(void **state)
{
	static const uint8_t t1[] = { 0x01, 0x01, 0x01, 0x02 };
	static const uint8_t t2[] = { 0x02, 0x04, 0x05, 0xb4, 0x03 };
	static const uint8_t t3[] = { 0x08 };
	struct pmtcp_tcp_opts o;

	(void)state;
	assert_int_equal(parse(TH_SYN, t1, sizeof(t1), &o), -EINVAL);
	assert_int_equal(o.mss_clamp, 0);
	assert_int_equal(parse(TH_SYN, t2, sizeof(t2), &o), -EINVAL);
	assert_int_equal(o.mss_clamp, 1460);
	assert_int_equal(o.wscale_ok, 0);
	assert_int_equal(parse(TH_ACK, t3, sizeof(t3), &o), -EINVAL);
	/* a lone NOP or EOL is fine */
	assert_int_equal(parse(TH_ACK, (const uint8_t[]){ 0x01 }, 1, &o), 0);
	assert_int_equal(parse(TH_ACK, (const uint8_t[]){ 0x00 }, 1, &o), 0);
}

/* Unknown kinds are skipped by their length; known kinds with the wrong
 * length are ignored; MSS 0 is no MSS. */
static void
test_parse_unknown_and_odd(void **state)
{
	static const uint8_t unk[] = {
		0x1e, 0x04, 0xaa, 0xbb, 0x02, 0x04, 0x05, 0x78,
	};
	static const uint8_t odd[] = {
		0x02, 0x03, 0x05, 0x01,             /* MSS of length 3, NOP */
		0x03, 0x04, 0x07, 0x00,             /* WS of length 4 */
		0x04, 0x03, 0x00, 0x01,             /* SACKPERM of length 3, NOP */
		0x08, 0x06, 0x00, 0x00, 0x00, 0x01, /* TS of length 6 */
		0x01, 0x01,
	};
	static const uint8_t mss0[] = { 0x02, 0x04, 0x00, 0x00 };
	struct pmtcp_tcp_opts o;

	(void)state;
	assert_int_equal(parse(TH_SYN, unk, sizeof(unk), &o), 0);
	assert_int_equal(o.mss_clamp, 1400);
	assert_int_equal(parse(TH_SYN, odd, sizeof(odd), &o), 0);
	assert_opts_empty(&o);
	assert_int_equal(parse(TH_SYN, mss0, sizeof(mss0), &o), 0);
	assert_int_equal(o.mss_clamp, 0);
}

/* Write into a poisoned buffer; check the bytes and that nothing past
 * the returned length was touched. */
static void
check_write(uint16_t mss, bool ts, uint32_t tsval, uint32_t tsecr, bool sack,
	    bool ws_on, uint8_t ws, const uint8_t *want, unsigned int want_len)
{
	uint8_t buf[TCP_SYN_OPTS_MAX + 8];
	uint64_t sum = 0;
	unsigned int n;

	memset(buf, 0xee, sizeof(buf));
	n = pmtcp_tcp_syn_options_write(buf, mss, ts, tsval, tsecr, sack, ws_on, ws,
					&sum);
	assert_int_equal(n, want_len);
	/* the sum given is the one of the bytes written, folded */
	assert_int_equal(csum_fold(sum), rte_raw_cksum(want, want_len));
	assert_true(n <= TCP_SYN_OPTS_MAX);
	assert_int_equal(n % 4, 0);
	assert_memory_equal(buf, want, want_len);
	for (unsigned int i = n; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xee);
}

static void
test_write_layouts(void **state)
{
	static const uint8_t all[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04,
		0xa0, 0xb0, 0xc0, 0xd0,
		0x01, 0x03, 0x03, 0x07,
	};
	static const uint8_t no_sack[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x01, 0x01, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04,
		0xa0, 0xb0, 0xc0, 0xd0,
		0x01, 0x03, 0x03, 0x07,
	};
	static const uint8_t no_ts[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x01, 0x01, 0x04, 0x02,
		0x01, 0x03, 0x03, 0x09,
	};
	static const uint8_t mss_only[] = { 0x02, 0x04, 0x23, 0x8c };
	static const uint8_t ts_only[] = {
		0x02, 0x04, 0x05, 0x78,
		0x01, 0x01, 0x08, 0x0a, 0xff, 0xff, 0xff, 0xfe,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t sack_only[] = {
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02,
	};
	static const uint8_t ws_only[] = {
		0x02, 0x04, 0x02, 0x18, 0x01, 0x03, 0x03, 0x0e,
	};
	static const uint8_t ts_ws[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x2a,
		0x00, 0x00, 0x00, 0x00,
		0x01, 0x03, 0x03, 0x00,
	};

	(void)state;
	check_write(1460, true, 0x01020304, 0xa0b0c0d0, true, true, 7,
		    all, sizeof(all));
	check_write(1460, true, 0x01020304, 0xa0b0c0d0, false, true, 7,
		    no_sack, sizeof(no_sack));
	check_write(1460, false, 0x01020304, 0xa0b0c0d0, true, true, 9,
		    no_ts, sizeof(no_ts));
	check_write(9100, false, 1, 2, false, false, 7, mss_only, sizeof(mss_only));
	check_write(1400, true, 0xfffffffe, 0, false, false, 7,
		    ts_only, sizeof(ts_only));
	check_write(1460, false, 0, 0, true, false, 0, sack_only, sizeof(sack_only));
	check_write(536, false, 0, 0, false, true, 14, ws_only, sizeof(ws_only));
	check_write(1460, true, 42, 0, false, true, 0, ts_ws, sizeof(ts_ws));
	assert_int_equal(sizeof(all), 20);
	assert_int_equal(sizeof(no_ts), 12);
	assert_int_equal(sizeof(mss_only), 4);
	assert_int_equal(sizeof(ts_only), 16);
}

/* What we write, we parse back. */
static void
test_write_parse_roundtrip(void **state)
{
	uint8_t buf[TCP_SYN_OPTS_MAX];
	struct pmtcp_tcp_opts o;
	unsigned int n;

	(void)state;
	for (unsigned int m = 0; m < 16; m++) {
		bool ts = m & 1, sack = m & 2, ws = m & 4;
		uint16_t mss = (m & 8) ? 8960 : 1460;

		n = pmtcp_tcp_syn_options_write(buf, mss, ts, 1000 + m, 77, sack,
						ws, (uint8_t)m, NULL);
		assert_int_equal(parse(TH_SYN, buf, n, &o), 0);
		assert_int_equal(o.mss_clamp, mss);
		assert_int_equal(o.saw_tstamp, ts);
		assert_int_equal(o.rcv_tsval, ts ? 1000 + m : 0);
		assert_int_equal(o.rcv_tsecr, ts ? 77 : 0);
		assert_int_equal(o.sack_ok, sack);
		assert_int_equal(o.wscale_ok, ws);
		assert_int_equal(o.snd_wscale, ws ? RTE_MIN(m, TCP_MAX_WSCALE) : 0);
	}
}

/* tcp_seq.h: modulo 2^32. */
static void
test_seq_wrap(void **state)
{
	(void)state;
	/* plain */
	assert_true(seq_before(1, 2));
	assert_false(seq_before(2, 1));
	assert_true(seq_after(2, 1));
	assert_false(seq_after(1, 2));
	/* equal is neither */
	assert_false(seq_before(7, 7));
	assert_false(seq_after(7, 7));
	assert_false(seq_before(0xffffffffU, 0xffffffffU));
	/* across the wrap */
	assert_true(seq_before(0xfffffff0U, 0x10));
	assert_false(seq_after(0xfffffff0U, 0x10));
	assert_true(seq_after(0x10, 0xfffffff0U));
	assert_true(seq_before(0xffffffffU, 0));
	assert_true(seq_after(0, 0xffffffffU));
	/* half the space away is the horizon */
	assert_true(seq_before(0, 0x7fffffffU));
	assert_false(seq_after(0, 0x7fffffffU));
	assert_true(seq_after(0, 0x80000001U));
	assert_false(seq_before(0, 0x80000001U));
	assert_true(seq_before(0x80000000U, 0xffffffffU));
	assert_true(seq_after(0x7fffffffU, 0x80000000U - 0x7fffffffU - 1));

	/* seq_between(s, lo, hi): s in [lo, hi], inclusive, modulo 2^32
	 * (Linux's between(seq1, seq2, seq3)) */
	assert_true(seq_between(10, 10, 20));
	assert_true(seq_between(20, 10, 20));
	assert_true(seq_between(15, 10, 20));
	assert_false(seq_between(9, 10, 20));
	assert_false(seq_between(21, 10, 20));
	assert_true(seq_between(0xfffffff0U, 0xfffffff0U, 0x10));
	assert_true(seq_between(0xffffffffU, 0xfffffff0U, 0x10));
	assert_true(seq_between(0, 0xfffffff0U, 0x10));
	assert_true(seq_between(0x10, 0xfffffff0U, 0x10));
	assert_false(seq_between(0x11, 0xfffffff0U, 0x10));
	assert_false(seq_between(0xffffffefU, 0xfffffff0U, 0x10));
	assert_false(seq_between(0x80000000U, 0xfffffff0U, 0x10));
	/* a one-number window [lo, lo] holds only lo */
	assert_true(seq_between(5, 5, 5));
	assert_false(seq_between(6, 5, 5));
	assert_false(seq_between(4, 5, 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_linux_syn),
		cmocka_unit_test(test_parse_wscale_clamp),
		cmocka_unit_test(test_parse_not_syn),
		cmocka_unit_test(test_parse_eol),
		cmocka_unit_test(test_parse_bad_length),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_unknown_and_odd),
		cmocka_unit_test(test_write_layouts),
		cmocka_unit_test(test_write_parse_roundtrip),
		cmocka_unit_test(test_seq_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
