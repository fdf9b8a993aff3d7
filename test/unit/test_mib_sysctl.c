/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sysctl.c: Linux 4.17 defaults, "NAME=VALUE" parsing and its error
 * messages, formatting. mib.c: counter names as nstat spells them,
 * lookup, per-lcore sums, printing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "test_common.h"
#include "pmtcp_mib.h"
#include "pmtcp_sysctl.h"

/* ---- sysctl ---- */

static void
test_sysctl_defaults(void **state)
{
	struct pmtcp_sysctl s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	pmtcp_sysctl_init(&s);
	assert_int_equal(s.tcp_syn_retries, 6);
	assert_int_equal(s.tcp_synack_retries, 5);
	assert_int_equal(s.tcp_timestamps, 1);
	assert_int_equal(s.tcp_window_scaling, 1);
	assert_int_equal(s.tcp_sack, 1);
	assert_int_equal(s.tcp_ecn, 2);
	assert_int_equal(s.ip_local_port_range[0], 32768);
	assert_int_equal(s.ip_local_port_range[1], 60999);
	assert_int_equal(s.tcp_rmem[0], 4096);
	assert_int_equal(s.tcp_rmem[1], 87380);
	assert_int_equal(s.tcp_rmem[2], 6291456);
	assert_int_equal(s.tcp_rto_initial_ms, 1000);
	assert_int_equal(s.tcp_rto_max_ms, 120000);
	assert_int_equal(s.tcp_mss_clamp, 0);
	assert_int_equal(s.ip_default_ttl, 64);
}

static void
test_sysctl_parse_ok(void **state)
{
	struct pmtcp_sysctl s, ref;
	char err[256];

	(void)state;
	pmtcp_sysctl_init(&s);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=2", err,
					    sizeof(err)), 0);
	assert_int_equal(s.tcp_syn_retries, 2);
	assert_string_equal(err, "");
	/* the full sysctl name */
	assert_int_equal(pmtcp_sysctl_parse(&s, "net.ipv4.tcp_sack=0", err,
					    sizeof(err)), 0);
	assert_int_equal(s.tcp_sack, 0);
	/* range knob, space or comma separated */
	assert_int_equal(pmtcp_sysctl_parse(&s, "ip_local_port_range=40000,50000",
					    err, sizeof(err)), 0);
	assert_int_equal(s.ip_local_port_range[0], 40000);
	assert_int_equal(s.ip_local_port_range[1], 50000);
	assert_int_equal(pmtcp_sysctl_parse(&s, "ip_local_port_range=1024 1024",
					    err, sizeof(err)), 0);
	assert_int_equal(s.ip_local_port_range[0], 1024);
	assert_int_equal(s.ip_local_port_range[1], 1024);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_rmem=8192 65536 1048576",
					    err, sizeof(err)), 0);
	assert_int_equal(s.tcp_rmem[0], 8192);
	assert_int_equal(s.tcp_rmem[1], 65536);
	assert_int_equal(s.tcp_rmem[2], 1048576);
	/* the edges of a range */
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_ecn=0", err, sizeof(err)), 0);
	assert_int_equal(s.tcp_ecn, 0);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_ecn=2", err, sizeof(err)), 0);
	assert_int_equal(s.tcp_ecn, 2);
	/* pmtcp_sysctl_set directly, surrounding blanks ignored */
	assert_int_equal(pmtcp_sysctl_set(&s, "tcp_synack_retries", " 3 ", NULL, 0), 0);
	assert_int_equal(s.tcp_synack_retries, 3);

	/* nothing else moved */
	pmtcp_sysctl_init(&ref);
	ref.tcp_syn_retries = 2;
	ref.tcp_sack = 0;
	ref.ip_local_port_range[0] = 1024;
	ref.ip_local_port_range[1] = 1024;
	ref.tcp_rmem[0] = 8192;
	ref.tcp_rmem[1] = 65536;
	ref.tcp_rmem[2] = 1048576;
	ref.tcp_synack_retries = 3;
	assert_memory_equal(&s, &ref, sizeof(s));
}

/* Every rejection leaves the knobs untouched and says why. */
static void
test_sysctl_parse_errors(void **state)
{
	struct pmtcp_sysctl s, ref;
	char err[256];

	(void)state;
	pmtcp_sysctl_init(&s);
	pmtcp_sysctl_init(&ref);

	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_no_such_knob=1", err,
					    sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "tcp_no_such_knob"));
	assert_int_equal(pmtcp_sysctl_get(&s, "tcp_no_such_knob", err,
					  sizeof(err)), -ENOENT);

	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_ecn=3", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "tcp_ecn"));
	assert_non_null(strstr(err, "[0, 2]"));
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_ecn=-1", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=0", err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[1, 127]"));
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=128", err,
					    sizeof(err)), -EINVAL);

	/* garbage after or instead of the number */
	err[0] = '\0';
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=2x", err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "tcp_syn_retries"));
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=", err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=abc", err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=2 3", err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries=99999999999999999999",
					    err, sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_set(&s, "tcp_syn_retries", NULL, err,
					  sizeof(err)), -EINVAL);

	/* no '=' at all, or no name */
	err[0] = '\0';
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_syn_retries", err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NAME=VALUE"));
	assert_int_equal(pmtcp_sysctl_parse(&s, "=2", err, sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, NULL, err, sizeof(err)), -EINVAL);

	/* multi-value knobs: order, count, range */
	err[0] = '\0';
	assert_int_equal(pmtcp_sysctl_parse(&s, "ip_local_port_range=50000 40000",
					    err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ip_local_port_range"));
	assert_int_equal(pmtcp_sysctl_parse(&s, "ip_local_port_range=40000", err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "ip_local_port_range=0 100", err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "ip_local_port_range=40000 65536",
					    err, sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_rmem=4096 87380", err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_rmem=4096 2048 8192", err,
					    sizeof(err)), -EINVAL);

	/* a NULL error buffer is allowed */
	assert_int_equal(pmtcp_sysctl_parse(&s, "tcp_ecn=9", NULL, 0), -EINVAL);
	assert_int_equal(pmtcp_sysctl_parse(&s, "nope=1", NULL, 0), -ENOENT);

	assert_memory_equal(&s, &ref, sizeof(s));
}

static void
test_sysctl_get(void **state)
{
	struct pmtcp_sysctl s;
	char buf[64];

	(void)state;
	pmtcp_sysctl_init(&s);
	assert_int_equal(pmtcp_sysctl_get(&s, "tcp_syn_retries", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "6");
	assert_int_equal(pmtcp_sysctl_get(&s, "net.ipv4.tcp_ecn", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2");
	assert_int_equal(pmtcp_sysctl_get(&s, "ip_local_port_range", buf,
					  sizeof(buf)), 0);
	assert_string_equal(buf, "32768 60999");
	assert_int_equal(pmtcp_sysctl_get(&s, "tcp_rmem", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4096 87380 6291456");
	assert_int_equal(pmtcp_sysctl_parse(&s, "ip_local_port_range=40000,50000",
					    NULL, 0), 0);
	assert_int_equal(pmtcp_sysctl_get(&s, "ip_local_port_range", buf,
					  sizeof(buf)), 0);
	assert_string_equal(buf, "40000 50000");
	/* truncated to the buffer, still terminated */
	assert_int_equal(pmtcp_sysctl_get(&s, "tcp_rmem", buf, 6), 0);
	assert_string_equal(buf, "4096 ");

	/* the knob list: every name resolves and round-trips through get/set */
	assert_true(pmtcp_sysctl_count() >= 13);
	assert_null(pmtcp_sysctl_name(pmtcp_sysctl_count()));
	assert_null(pmtcp_sysctl_desc(pmtcp_sysctl_count()));
	for (unsigned int i = 0; i < pmtcp_sysctl_count(); i++) {
		const char *name = pmtcp_sysctl_name(i);
		struct pmtcp_sysctl t;

		assert_non_null(name);
		assert_non_null(pmtcp_sysctl_desc(i));
		pmtcp_sysctl_init(&t);
		assert_int_equal(pmtcp_sysctl_get(&s, name, buf, sizeof(buf)), 0);
		assert_int_equal(pmtcp_sysctl_set(&t, name, buf, NULL, 0), 0);
	}
	assert_string_equal(pmtcp_sysctl_name(0), "tcp_syn_retries");
}

/* The value printed on knob @name's "name = value" line of @buf. */
static const char *
print_value(const char *buf, const char *name, char *val, size_t len)
{
	size_t nl = strlen(name);
	const char *line = buf;

	while (line != NULL && *line != '\0') {
		if (strncmp(line, name, nl) == 0 && line[nl] == ' ') {
			const char *p = line + nl;
			const char *end;

			while (*p == ' ')
				p++;
			assert_int_equal(*p, '=');
			p++;
			assert_int_equal(*p, ' ');
			p++;
			end = strchr(p, '\n');
			assert_non_null(end);
			assert_true((size_t)(end - p) < len);
			memcpy(val, p, (size_t)(end - p));
			val[end - p] = '\0';
			return val;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return NULL;
}

static void
test_sysctl_print(void **state)
{
	struct pmtcp_sysctl s;
	char *buf = NULL;
	char val[64];
	size_t len = 0;
	FILE *f;

	(void)state;
	pmtcp_sysctl_init(&s);
	s.tcp_syn_retries = 3;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	pmtcp_sysctl_print(f, &s);
	fclose(f);
	assert_string_equal(print_value(buf, "tcp_syn_retries", val, sizeof(val)),
			    "3");
	assert_string_equal(print_value(buf, "tcp_synack_retries", val, sizeof(val)),
			    "5");
	assert_string_equal(print_value(buf, "ip_local_port_range", val,
					sizeof(val)), "32768 60999");
	assert_string_equal(print_value(buf, "tcp_rmem", val, sizeof(val)),
			    "4096 87380 6291456");
	assert_null(print_value(buf, "tcp_no_such_knob", val, sizeof(val)));
	/* one line per knob */
	{
		unsigned int lines = 0;

		for (const char *p = buf; *p != '\0'; p++)
			lines += *p == '\n';
		assert_int_equal(lines, pmtcp_sysctl_count());
	}
	free(buf);
}

/* ---- mib ---- */

static void
test_mib_names(void **state)
{
	(void)state;
	assert_string_equal(pmtcp_mib_name(PMTCP_MIB_Tcp_ActiveOpens), "ActiveOpens");
	assert_string_equal(pmtcp_mib_group(PMTCP_MIB_Tcp_ActiveOpens), "Tcp");
	assert_string_equal(pmtcp_mib_name(PMTCP_MIB_TcpExt_TCPSynRetrans),
			    "TCPSynRetrans");
	assert_string_equal(pmtcp_mib_group(PMTCP_MIB_TcpExt_TCPSynRetrans),
			    "TcpExt");
	assert_string_equal(pmtcp_mib_group(PMTCP_MIB_Ip_InReceives), "Ip");
	assert_non_null(pmtcp_mib_desc(PMTCP_MIB_Tcp_ActiveOpens));
	assert_null(pmtcp_mib_name(PMTCP_MIB_MAX));
	assert_null(pmtcp_mib_group(PMTCP_MIB_MAX));
	assert_null(pmtcp_mib_desc(PMTCP_MIB_MAX));
	assert_string_equal(pmtcp_drop_name(PMTCP_DROP_TCP_CSUM), "TCP_CSUM");
	assert_non_null(pmtcp_drop_desc(PMTCP_DROP_TCP_CSUM));
	assert_null(pmtcp_drop_name(PMTCP_DROP_MAX));
	assert_null(pmtcp_drop_desc(PMTCP_DROP_MAX));
}

static void
test_mib_lookup(void **state)
{
	(void)state;
	assert_int_equal(pmtcp_mib_lookup("TcpActiveOpens"), PMTCP_MIB_Tcp_ActiveOpens);
	assert_int_equal(pmtcp_mib_lookup("Tcp.ActiveOpens"), PMTCP_MIB_Tcp_ActiveOpens);
	/* "Tcp" is a prefix of "TcpExt": the longer group still resolves */
	assert_int_equal(pmtcp_mib_lookup("TcpExtTCPSynRetrans"),
			 PMTCP_MIB_TcpExt_TCPSynRetrans);
	assert_int_equal(pmtcp_mib_lookup("TcpExt.ListenDrops"),
			 PMTCP_MIB_TcpExt_ListenDrops);
	assert_int_equal(pmtcp_mib_lookup("IpInReceives"), PMTCP_MIB_Ip_InReceives);
	assert_int_equal(pmtcp_mib_lookup("PmtcpConnTableFull"),
			 PMTCP_MIB_Pmtcp_ConnTableFull);
	assert_int_equal(pmtcp_mib_lookup("TcpNoSuchCounter"), -1);
	assert_int_equal(pmtcp_mib_lookup("ActiveOpens"), -1);
	assert_int_equal(pmtcp_mib_lookup("TcpActiveOpensX"), -1);
	assert_int_equal(pmtcp_mib_lookup("Tcp..ActiveOpens"), -1);
	assert_int_equal(pmtcp_mib_lookup("IpActiveOpens"), -1);
	assert_int_equal(pmtcp_mib_lookup(""), -1);
	assert_int_equal(pmtcp_mib_lookup(NULL), -1);
	/* every counter round-trips in both spellings */
	for (int i = 0; i < PMTCP_MIB_MAX; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s%s", pmtcp_mib_group(i),
			 pmtcp_mib_name(i));
		assert_int_equal(pmtcp_mib_lookup(name), i);
		snprintf(name, sizeof(name), "%s.%s", pmtcp_mib_group(i),
			 pmtcp_mib_name(i));
		assert_int_equal(pmtcp_mib_lookup(name), i);
	}
}

static void
test_mib_sum(void **state)
{
	struct pmtcp_mib *a = calloc(1, sizeof(*a));
	struct pmtcp_mib *b = calloc(1, sizeof(*b));
	struct pmtcp_mib *out = malloc(sizeof(*out));
	const struct pmtcp_mib *in[2];

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(out);
	memset(out, 0xff, sizeof(*out));        /* must be zeroed by the sum */
	a->mib[PMTCP_MIB_Tcp_ActiveOpens] = 100;
	b->mib[PMTCP_MIB_Tcp_ActiveOpens] = 23;
	a->mib[PMTCP_MIB_Tcp_OutSegs] = 7;
	b->mib[PMTCP_MIB_Pmtcp_NonIpFrames] = 1ULL << 40;
	a->drop[PMTCP_DROP_TCP_CSUM] = 2;
	b->drop[PMTCP_DROP_TCP_CSUM] = 3;
	in[0] = a;
	in[1] = b;
	pmtcp_mib_sum(out, in, 2);
	for (int i = 0; i < PMTCP_MIB_MAX; i++) {
		uint64_t want = i == PMTCP_MIB_Tcp_ActiveOpens ? 123 :
				i == PMTCP_MIB_Tcp_OutSegs ? 7 :
				i == PMTCP_MIB_Pmtcp_NonIpFrames ? 1ULL << 40 : 0;

		assert_int_equal(out->mib[i], want);
	}
	for (int i = 0; i < PMTCP_DROP_MAX; i++)
		assert_int_equal(out->drop[i], i == PMTCP_DROP_TCP_CSUM ? 5 : 0);
	/* one set: a copy; none: zeros */
	pmtcp_mib_sum(out, in + 1, 1);
	assert_int_equal(out->mib[PMTCP_MIB_Tcp_ActiveOpens], 23);
	assert_int_equal(out->mib[PMTCP_MIB_Tcp_OutSegs], 0);
	pmtcp_mib_sum(out, in, 0);
	assert_int_equal(out->mib[PMTCP_MIB_Tcp_ActiveOpens], 0);
	assert_int_equal(out->drop[PMTCP_DROP_TCP_CSUM], 0);
	free(a);
	free(b);
	free(out);
}

/* Count lines of @buf. */
static unsigned int
count_lines(const char *buf)
{
	unsigned int n = 0;

	for (; *buf != '\0'; buf++)
		n += *buf == '\n';
	return n;
}

static void
test_mib_print(void **state)
{
	struct pmtcp_mib *m = calloc(1, sizeof(*m));
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f;
	char name[64];
	unsigned long long v;

	(void)state;
	assert_non_null(m);
	m->mib[PMTCP_MIB_Tcp_ActiveOpens] = 100;
	m->mib[PMTCP_MIB_TcpExt_TCPSynRetrans] = 4;
	m->drop[PMTCP_DROP_TCP_CSUM] = 9;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	pmtcp_mib_print(f, m, 1);
	fclose(f);
	assert_int_equal(count_lines(buf), 3);
	line = strstr(buf, "TcpActiveOpens");
	assert_non_null(line);
	assert_true(line == buf || line[-1] == '\n');
	assert_int_equal(sscanf(line, "%63s %llu", name, &v), 2);
	assert_string_equal(name, "TcpActiveOpens");
	assert_int_equal(v, 100);
	line = strstr(buf, "TcpExtTCPSynRetrans");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "%63s %llu", name, &v), 2);
	assert_int_equal(v, 4);
	line = strstr(buf, "DropTCP_CSUM");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "%63s %llu", name, &v), 2);
	assert_int_equal(v, 9);
	assert_null(strstr(buf, "TcpPassiveOpens"));
	free(buf);

	/* nonzero = 0: one line per counter and per drop reason */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	pmtcp_mib_print(f, m, 0);
	fclose(f);
	assert_int_equal(count_lines(buf), PMTCP_MIB_MAX + PMTCP_DROP_MAX);
	line = strstr(buf, "TcpPassiveOpens");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "%63s %llu", name, &v), 2);
	assert_int_equal(v, 0);
	free(buf);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysctl_defaults),
		cmocka_unit_test(test_sysctl_parse_ok),
		cmocka_unit_test(test_sysctl_parse_errors),
		cmocka_unit_test(test_sysctl_get),
		cmocka_unit_test(test_sysctl_print),
		cmocka_unit_test(test_mib_names),
		cmocka_unit_test(test_mib_lookup),
		cmocka_unit_test(test_mib_sum),
		cmocka_unit_test(test_mib_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
