/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for app/pmtcp/profile.c: the shipped drivers-config profiles,
 * profile lookup by driver name, and every error path on hand-made files.
 * No EAL: rte_cfgfile does not need one.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ethdev.h>

#include "profile.h"
#include "pmtcp_sysctl.h"

#ifndef PMTCP_SOURCE_ROOT
#define PMTCP_SOURCE_ROOT "."
#endif
#define PROFILE_DIR PMTCP_SOURCE_ROOT "/drivers-config"

/* The reference Toeplitz key (Microsoft RSS verification suite). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};
#define MS_KEY_HEX "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa"

/* Write @p text to a fresh /tmp/app_profile_XXXXXX.ini; path in @p path. */
static void
write_tmp_len(const char *text, size_t len, char *path, size_t pathlen)
{
	int fd;

	snprintf(path, pathlen, "/tmp/app_profile_XXXXXX.ini");
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void
write_tmp(const char *text, char *path, size_t pathlen)
{
	write_tmp_len(text, strlen(text), path, pathlen);
}

/* Load @p text from a temp file; returns the load's result. */
static int
load_text(const char *text, struct app_profile *p, char *err, size_t errlen)
{
	char path[64];
	int ret;

	write_tmp(text, path, sizeof(path));
	ret = app_profile_load(path, p, err, errlen);
	unlink(path);
	return ret;
}

static void
assert_defaults(const struct app_profile *p)
{
	assert_string_equal(p->name, "default");
	assert_int_equal(p->rx_desc, 1024);
	assert_int_equal(p->tx_desc, 1024);
	assert_int_equal(p->burst, 32);
	assert_false(p->rx_checksum);
	assert_false(p->tx_ipv4_checksum);
	assert_false(p->tx_tcp_checksum);
	assert_false(p->rx_checksum_partial);
	assert_false(p->rss_enabled);
	assert_false(p->rss_trusted);
	assert_int_equal(p->rss_hf, 0);
	assert_int_equal(p->rss_key_len, 0);
	assert_int_equal(p->n_drivers, 0);
	assert_int_equal(p->n_tcp_knobs, 0);
}

/* Expect -EINVAL and each of the NULL-terminated words in the message. */
static void
expect_einval(const char *text, ...)
{
	struct app_profile p;
	char err[256];
	const char *word;
	va_list ap;
	int ret;

	memset(err, 0, sizeof(err));
	ret = load_text(text, &p, err, sizeof(err));
	if (ret != -EINVAL)
		print_error("input:\n%s\nret %d err '%s'\n", text, ret, err);
	assert_int_equal(ret, -EINVAL);
	assert_defaults(&p);
	assert_non_null(strstr(err, "/tmp/app_profile_"));
	va_start(ap, text);
	while ((word = va_arg(ap, const char *)) != NULL) {
		if (strstr(err, word) == NULL)
			print_error("'%s' not in '%s'\n", word, err);
		assert_non_null(strstr(err, word));
	}
	va_end(ap);
}

static void
test_defaults(void **state)
{
	struct app_profile p;

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	app_profile_defaults(&p);
	assert_defaults(&p);
	assert_string_equal(p.path, "");
	app_profile_defaults(NULL);
}

static void
test_shipped_net_ring(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_load(PROFILE_DIR "/net_ring.ini", &p,
					    err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(p.name, "net_ring");
	assert_string_equal(p.path, PROFILE_DIR "/net_ring.ini");
	assert_int_equal(p.n_drivers, 1);
	assert_string_equal(p.drivers[0], "net_ring");
	assert_int_equal(p.rx_desc, 1024);
	assert_int_equal(p.tx_desc, 1024);
	assert_int_equal(p.burst, 32);
	assert_false(p.rx_checksum);
	assert_false(p.tx_ipv4_checksum);
	assert_false(p.tx_tcp_checksum);
	assert_false(p.rx_checksum_partial);
	assert_false(p.rss_enabled);
	assert_false(p.rss_trusted);
	assert_int_equal(p.rss_key_len, 0);
}

static void
test_shipped_mlx5(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_load(PROFILE_DIR "/mlx5.ini", &p,
					    err, sizeof(err)), 0);
	assert_string_equal(p.name, "mlx5");
	assert_int_equal(p.n_drivers, 2);
	assert_string_equal(p.drivers[0], "mlx5_pci");
	assert_string_equal(p.drivers[1], "mlx5_auxiliary");
	assert_true(p.rx_checksum);
	assert_true(p.tx_ipv4_checksum);
	assert_true(p.tx_tcp_checksum);
	/* a NIC's peer is a wire: a bad checksum is a bad checksum */
	assert_false(p.rx_checksum_partial);
	assert_true(p.rss_enabled);
	assert_true(p.rss_trusted);
	assert_int_equal(p.rss_hf,
			 RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV4);
	assert_int_equal(p.rss_key_len, 40);
	assert_memory_equal(p.rss_key, ms_key, sizeof(ms_key));
}

static void
test_shipped_i40e_ice(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_load(PROFILE_DIR "/i40e_ice.ini", &p,
					    err, sizeof(err)), 0);
	assert_true(p.rss_enabled);
	assert_true(p.rss_trusted);
	/* i40e has no RTE_ETH_RSS_IPV4 in flow_type_rss_offloads */
	assert_int_equal(p.rss_hf, RTE_ETH_RSS_NONFRAG_IPV4_TCP |
			 RTE_ETH_RSS_NONFRAG_IPV4_OTHER);
	assert_int_equal(p.rss_key_len, 52);
	assert_memory_equal(p.rss_key, ms_key, sizeof(ms_key));
	assert_memory_equal(p.rss_key + 40, ms_key, 12);
	assert_true(p.tx_tcp_checksum);
}

static void
test_shipped_ixgbe(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_load(PROFILE_DIR "/ixgbe.ini", &p,
					    err, sizeof(err)), 0);
	assert_string_equal(p.drivers[0], "net_ixgbe");
	assert_true(p.rss_trusted);
	assert_int_equal(p.rss_key_len, 40);
	assert_memory_equal(p.rss_key, ms_key, sizeof(ms_key));
	assert_true(p.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP);
}

static void
test_shipped_af_packet(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_load(PROFILE_DIR "/net_af_packet.ini",
					    &p, err, sizeof(err)), 0);
	/* nothing that AF_PACKET cannot do */
	assert_false(p.rx_checksum);
	assert_false(p.tx_ipv4_checksum);
	assert_false(p.tx_tcp_checksum);
	assert_false(p.rss_enabled);
	assert_false(p.rss_trusted);
	assert_int_equal(p.rss_key_len, 0);
	assert_int_equal(p.burst, 64);
	assert_int_equal(p.rx_desc, 512);
	/* the kernel on the other end of a veth sends CHECKSUM_PARTIAL */
	assert_true(p.rx_checksum_partial);
}

static void
test_shipped_tap(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_find(PROFILE_DIR, "net_tap", &p, err,
					    sizeof(err)), 0);
	assert_string_equal(p.name, "net_tap");
	assert_false(p.rx_checksum);
	assert_false(p.tx_tcp_checksum);
	assert_true(p.rx_checksum_partial);
}

static void
test_shipped_virtio(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_load(PROFILE_DIR "/net_virtio.ini",
					    &p, err, sizeof(err)), 0);
	assert_false(p.rx_checksum);
	assert_false(p.tx_ipv4_checksum);
	assert_true(p.tx_tcp_checksum);
	assert_false(p.rss_enabled);
	assert_false(p.rss_trusted);
}

/* Every shipped *.ini loads, and no driver is claimed twice. */
static void
test_shipped_all_load(void **state)
{
	static const char * const expected[] = {
		"i40e_ice.ini", "ixgbe.ini", "mlx5.ini", "net_af_packet.ini",
		"net_memif.ini", "net_null.ini", "net_ring.ini", "net_tap.ini",
		"net_virtio.ini",
	};
	char drivers[64][APP_PROFILE_NAME_MAX];
	unsigned int n_drivers = 0, n_ini = 0, i, j, k;
	struct app_profile p;
	struct dirent *de;
	char path[512];
	char err[256];
	DIR *d;

	(void)state;
	d = opendir(PROFILE_DIR);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= 4 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		n_ini++;
		snprintf(path, sizeof(path), "%s/%s", PROFILE_DIR, de->d_name);
		err[0] = '\0';
		if (app_profile_load(path, &p, err, sizeof(err)) != 0)
			print_error("%s: %s\n", de->d_name, err);
		assert_int_equal(app_profile_load(path, &p, err, sizeof(err)), 0);
		assert_true(p.n_drivers >= 1);
		assert_true(p.rss_enabled || !p.rss_trusted);
		assert_true(p.rss_key_len == 0 || p.rss_key_len == 40 ||
			    p.rss_key_len == 52);
		assert_true(p.burst >= 1 && p.burst <= 512);
		for (j = 0; j < p.n_drivers; j++) {
			for (k = 0; k < n_drivers; k++) {
				if (strcmp(drivers[k], p.drivers[j]) == 0)
					print_error("%s claimed twice\n",
						    p.drivers[j]);
				assert_string_not_equal(drivers[k], p.drivers[j]);
			}
			assert_true(n_drivers < RTE_DIM(drivers));
			snprintf(drivers[n_drivers++], sizeof(drivers[0]), "%s",
				 p.drivers[j]);
		}
	}
	closedir(d);
	assert_true(n_ini >= RTE_DIM(expected));
	for (i = 0; i < RTE_DIM(expected); i++) {
		snprintf(path, sizeof(path), "%s/%s", PROFILE_DIR, expected[i]);
		assert_int_equal(access(path, R_OK), 0);
	}
}

static void
test_find_shipped(void **state)
{
	static const struct {
		const char *driver;
		const char *profile;
	} map[] = {
		{ "net_ice", "i40e_ice" },
		{ "net_i40e", "i40e_ice" },
		{ "mlx5_pci", "mlx5" },
		{ "net_ixgbe", "ixgbe" },
		{ "net_ring", "net_ring" },
		{ "net_memif", "net_memif" },
		{ "net_af_packet", "net_af_packet" },
		{ "net_tap", "net_tap" },
		{ "net_null", "net_null" },
		{ "net_virtio", "net_virtio" },
		{ "net_virtio_user", "net_virtio" },
	};
	struct app_profile p;
	char err[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(map); i++) {
		int ret = app_profile_find(PROFILE_DIR, map[i].driver, &p,
					     err, sizeof(err));

		if (ret != 0)
			print_error("%s: %d %s\n", map[i].driver, ret, err);
		assert_int_equal(ret, 0);
		assert_string_equal(p.name, map[i].profile);
	}
	assert_int_equal(app_profile_find(PROFILE_DIR, "net_ice", &p,
					    err, sizeof(err)), 0);
	assert_non_null(strstr(p.path, "i40e_ice.ini"));
	assert_int_equal(p.rss_key_len, 52);
}

static void
test_find_no_match(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(app_profile_find(PROFILE_DIR, "no_such", &p,
					    err, sizeof(err)), -ENOENT);
	assert_defaults(&p);
	assert_non_null(strstr(err, "no_such"));
	/* a prefix of a real name is not a match */
	assert_int_equal(app_profile_find(PROFILE_DIR, "net_", &p,
					    err, sizeof(err)), -ENOENT);
	assert_int_equal(app_profile_find(PROFILE_DIR, "", &p,
					    err, sizeof(err)), -ENOENT);
	assert_int_equal(app_profile_find("/nonexistent/pmtcp", "net_ring",
					    &p, err, sizeof(err)), -ENOENT);
	assert_defaults(&p);
	assert_int_equal(app_profile_find(NULL, "net_ring", &p, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(app_profile_find(PROFILE_DIR, NULL, &p, err,
					    sizeof(err)), -EINVAL);
}

/* A private directory: sorted order, non-.ini files, broken files. */
static void
test_find_dir_rules(void **state)
{
	char dir[] = "/tmp/app_profile_dir_XXXXXX";
	static const char * const names[] = {
		"a.ini", "b.ini", "c.txt", ".ini", "sub.ini",
	};
	struct app_profile p;
	char path[128];
	char err[256];
	unsigned int i;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));

#define PUT(name, text) do { \
		snprintf(path, sizeof(path), "%s/%s", dir, name); \
		f = fopen(path, "w"); \
		assert_non_null(f); \
		fputs(text, f); \
		fclose(f); \
	} while (0)

	/* both name drv_x; a.ini sorts first (readdir order is not sorted) */
	PUT("b.ini", "[device]\nname = bee\ndrivers = drv_x\n");
	PUT("a.ini", "[device]\nname = ay\ndrivers = drv_y, drv_x\n");
	/* not *.ini: never read, even though it names drv_z */
	PUT("c.txt", "[device]\nname = see\ndrivers = drv_z\n");
	PUT(".ini", "garbage\n");
	snprintf(path, sizeof(path), "%s/sub.ini", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	assert_int_equal(app_profile_find(dir, "drv_x", &p, err,
					    sizeof(err)), 0);
	assert_string_equal(p.name, "ay");
	assert_int_equal(p.n_drivers, 2);
	assert_int_equal(app_profile_find(dir, "drv_z", &p, err,
					    sizeof(err)), -ENOENT);
	assert_defaults(&p);

	/* a broken file: its error, naming it, whatever the driver */
	PUT("a.ini", "[device]\ndrivers = drv_x\n[queues]\nburst = 0\n");
	assert_int_equal(app_profile_find(dir, "drv_x", &p, err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a.ini"));
	assert_non_null(strstr(err, "burst"));
	assert_defaults(&p);
#undef PUT

	snprintf(path, sizeof(path), "%s/sub.ini", dir);
	assert_int_equal(rmdir(path), 0);
	for (i = 0; i < RTE_DIM(names) - 1; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
test_missing_file(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(app_profile_load("/nonexistent/x.ini", &p, err,
					    sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.ini: No such file");
	assert_defaults(&p);
	/* a directory is not a profile */
	assert_int_equal(app_profile_load("/tmp", &p, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(app_profile_load(NULL, &p, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(app_profile_load("/tmp/x.ini", NULL, err,
					    sizeof(err)), -EINVAL);
}

static void
test_minimal_and_name_from_file(void **state)
{
	struct app_profile p;
	char path[64], base[64];
	char err[256];
	char *slash;

	(void)state;
	/* an empty file is a valid profile: all defaults, named after it */
	write_tmp("; nothing\n\n", path, sizeof(path));
	assert_int_equal(app_profile_load(path, &p, err, sizeof(err)), 0);
	slash = strrchr(path, '/');
	snprintf(base, sizeof(base), "%s", slash + 1);
	base[strlen(base) - 4] = '\0';
	assert_string_equal(p.name, base);
	assert_string_equal(p.path, path);
	assert_int_equal(p.n_drivers, 0);
	assert_int_equal(p.rx_desc, 1024);
	unlink(path);
}

static void
test_full_profile(void **state)
{
	struct app_profile p;
	char err[256];

	(void)state;
	assert_int_equal(load_text(
		"; comment\r\n"
		"[device]\r\n"
		"name = full ; trailing comment\r\n"
		"drivers =  net_a , net_b,net_c  \r\n"
		"description = anything; at all = ok\r\n"
		"[queues]\n"
		"rx_desc = 16\n"
		"tx_desc = 32768\n"
		"burst = 512\n"
		"[ offloads ]\n"
		"rx_checksum = TRUE\n"
		"tx_ipv4_checksum = 1\n"
		"tx_tcp_checksum = Yes\n"
		"rx_checksum_partial = yes\n"
		"[rss]\n"
		"enabled = true\n"
		"hash = ipv4, ipv4-tcp, ipv4-udp, IPV4-OTHER\n"
		"key = " MS_KEY_HEX "\n"
		"trusted = yes\n"
		"[tcp]\n",
		&p, err, sizeof(err)), 0);
	assert_string_equal(p.name, "full");
	assert_int_equal(p.n_drivers, 3);
	assert_string_equal(p.drivers[0], "net_a");
	assert_string_equal(p.drivers[1], "net_b");
	assert_string_equal(p.drivers[2], "net_c");
	assert_int_equal(p.rx_desc, 16);
	assert_int_equal(p.tx_desc, 32768);
	assert_int_equal(p.burst, 512);
	assert_true(p.rx_checksum && p.tx_ipv4_checksum && p.tx_tcp_checksum);
	assert_true(p.rx_checksum_partial);
	assert_int_equal(p.rss_hf, RTE_ETH_RSS_IPV4 |
			 RTE_ETH_RSS_NONFRAG_IPV4_TCP |
			 RTE_ETH_RSS_NONFRAG_IPV4_UDP |
			 RTE_ETH_RSS_NONFRAG_IPV4_OTHER);
	assert_int_equal(p.rss_key_len, 40);
	assert_memory_equal(p.rss_key, ms_key, 40);
	assert_true(p.rss_trusted);
	assert_int_equal(p.n_tcp_knobs, 0);

	/* empty key = the PMD's default */
	assert_int_equal(load_text("[rss]\nenabled = yes\nhash = ipv4-tcp\n"
				   "key =\n", &p, err, sizeof(err)), 0);
	assert_int_equal(p.rss_key_len, 0);
	assert_false(p.rss_trusted);
}

static void
test_unknown_key_and_section(void **state)
{
	(void)state;
	expect_einval("[queues]\nrx_dsc = 512\n",
		      "[queues]", "unknown key 'rx_dsc'", "rx_desc", NULL);
	expect_einval("[device]\nnme = x\n", "unknown key 'nme'", NULL);
	expect_einval("[offloads]\nrx_csum = yes\n", "rx_csum", NULL);
	expect_einval("[rss]\nkey_len = 40\n", "key_len", NULL);
	expect_einval("[queue]\nrx_desc = 512\n",
		      "unknown section [queue]", NULL);
	expect_einval("[]\n", NULL);
	expect_einval("[device]\nname = a\n[device]\nname = b\n",
		      "[device]", "twice", NULL);
	expect_einval("[queues]\nburst = 8\nburst = 16\n", "burst", "twice",
		      NULL);
}

static void
test_bad_numbers(void **state)
{
	static const char * const bad[] = {
		"0", "15", "32769", "65536", "-1", "+16", "1024x", "0x400",
		"1e3", "99999999999999999999999", "10 24",
	};
	char text[128];
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(text, sizeof(text), "[queues]\nrx_desc = %s\n", bad[i]);
		expect_einval(text, "[queues]", "rx_desc", "16..32768", NULL);
		snprintf(text, sizeof(text), "[queues]\ntx_desc = %s\n", bad[i]);
		expect_einval(text, "tx_desc", NULL);
	}
	expect_einval("[queues]\nrx_desc =\n", "rx_desc", "empty", NULL);
	expect_einval("[queues]\nburst = 0\n", "burst", "1..512", NULL);
	expect_einval("[queues]\nburst = 513\n", "burst", "1..512", NULL);
}

static void
test_bad_bools(void **state)
{
	(void)state;
	expect_einval("[offloads]\nrx_checksum = maybe\n", "[offloads]",
		      "rx_checksum", "maybe", "yes/no", NULL);
	expect_einval("[offloads]\ntx_tcp_checksum = on\n", "tx_tcp_checksum",
		      NULL);
	expect_einval("[offloads]\nrx_checksum_partial = partial\n",
		      "rx_checksum_partial", "yes/no", NULL);
	expect_einval("[rss]\nenabled = 2\n", "enabled", NULL);
}

static void
test_bad_rss(void **state)
{
	(void)state;
	/* hex keys */
	expect_einval("[rss]\nkey = zz5a56da255b0ec24167253d43a38fb0d0ca2bcb"
		      "ae7b30b477cb2da38030f20c6a42b73bbeac01fa\n",
		      "[rss]", "key", "hex", NULL);
	expect_einval("[rss]\nkey = 6d5a56\n", "3 bytes", "40 or 52", NULL);
	expect_einval("[rss]\nkey = " MS_KEY_HEX "00\n", "41 bytes", NULL);
	expect_einval("[rss]\nkey = " MS_KEY_HEX MS_KEY_HEX "\n", "key", NULL);
	expect_einval("[rss]\nkey = " MS_KEY_HEX "0\n", "hex", NULL);
	expect_einval("[rss]\nkey = 0x6d5a\n", "hex", NULL);
	expect_einval("[rss]\nkey = 6d::5a\n", "hex", NULL);
	expect_einval("[rss]\nkey = :6d\n", "hex", NULL);
	expect_einval("[rss]\nkey = 6d:\n", "hex", NULL);
	expect_einval("[rss]\nkey = 6d 5a\n", "hex", NULL);
	/* hash words */
	expect_einval("[rss]\nenabled = yes\nhash = ipv6\n", "hash", "ipv6",
		      "ipv4-tcp", NULL);
	expect_einval("[rss]\nenabled = yes\nhash = ipv4,,ipv4-tcp\n", "hash",
		      NULL);
	expect_einval("[rss]\nenabled = yes\nhash = ipv4-tcp,\n", "hash", NULL);
	/* combinations */
	expect_einval("[rss]\nenabled = yes\n", "needs hash", NULL);
	expect_einval("[rss]\nenabled = no\ntrusted = yes\nhash = ipv4\n",
		      "trusted", "needs enabled", NULL);
}

static void
test_rss_key_forms(void **state)
{
	struct app_profile p;
	char err[256];
	char text[512];
	unsigned int i;
	int off;

	(void)state;
	/* 52 bytes with colons, upper case */
	off = snprintf(text, sizeof(text), "[rss]\nkey = ");
	for (i = 0; i < 52; i++)
		off += snprintf(text + off, sizeof(text) - off, "%s%02X",
				i == 0 ? "" : ":", (unsigned int)(i * 7 + 1) & 0xff);
	snprintf(text + off, sizeof(text) - off, "\n");
	assert_int_equal(load_text(text, &p, err, sizeof(err)), 0);
	assert_int_equal(p.rss_key_len, 52);
	for (i = 0; i < 52; i++)
		assert_int_equal(p.rss_key[i], (i * 7 + 1) & 0xff);
}

static void
test_bad_device(void **state)
{
	char text[512];
	int off;

	(void)state;
	expect_einval("[device]\nname =\n", "name", "empty", NULL);
	expect_einval("[device]\nname = "
		      "0123456789012345678901234567890123456789012345678901234567890123"
		      "\n", "name", "longer", NULL);
	expect_einval("[device]\ndrivers = a,,b\n", "drivers", NULL);
	expect_einval("[device]\ndrivers = a,b,c,d,e,f,g,h,i\n", "drivers",
		      "more than 8", NULL);
	off = snprintf(text, sizeof(text), "[device]\ndrivers = a, ");
	memset(text + off, 'x', 70);
	snprintf(text + off + 70, sizeof(text) - off - 70, "\n");
	expect_einval(text, "drivers", NULL);
}

static void
test_syntax_errors(void **state)
{
	char text[1024];
	int off;

	(void)state;
	expect_einval("[device]\nname = a\nrx_desc 512\n", ":3:",
		      "key = value", NULL);
	expect_einval("name = a\n[device]\n", ":1:", "before any [section]",
		      NULL);
	expect_einval("[device\nname = a\n", ":1:", "']'", NULL);
	expect_einval("[device] x\n", ":1:", "after ']'", NULL);
	expect_einval("[device]\n= a\n", ":2:", "key", NULL);
	expect_einval("# hash comment\n[device]\n", ":1:", NULL);
	/* a 400-character line */
	off = snprintf(text, sizeof(text), "[device]\ndescription = ");
	memset(text + off, 'd', 400);
	snprintf(text + off + 400, sizeof(text) - off - 400, "\n");
	expect_einval(text, ":2:", "longer than", NULL);
	/* a value over CFG_VALUE_LEN - 1 that still fits the line */
	off = snprintf(text, sizeof(text), "[device]\nx=");
	memset(text + off, 'v', 300);
	snprintf(text + off + 300, sizeof(text) - off - 300, "\n");
	expect_einval(text, ":2:", "value", NULL);
	/* a key over CFG_NAME_LEN - 1 */
	off = snprintf(text, sizeof(text), "[device]\n");
	memset(text + off, 'k', 70);
	snprintf(text + off + 70, sizeof(text) - off - 70, " = 1\n");
	expect_einval(text, ":2:", "key name", NULL);
}

static void
test_tcp_knobs(void **state)
{
	struct app_profile p;
	struct pmtcp_sysctl s, ref;
	char err[256];

	(void)state;
	assert_int_equal(load_text("[device]\nname = t\n[tcp]\n"
				   "tcp_syn_retries = 2\n"
				   "tcp_synack_retries=3\n",
				   &p, err, sizeof(err)), 0);
	assert_int_equal(p.n_tcp_knobs, 2);
	assert_string_equal(p.tcp_knobs[0], "tcp_syn_retries=2");
	assert_string_equal(p.tcp_knobs[1], "tcp_synack_retries=3");

	pmtcp_sysctl_init(&s);
	pmtcp_sysctl_init(&ref);
	assert_int_equal(s.tcp_syn_retries, 6);
	assert_int_equal(app_profile_apply_sysctl(&p, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.tcp_syn_retries, 2);
	assert_int_equal(s.tcp_synack_retries, 3);
	assert_int_equal(s.tcp_timestamps, ref.tcp_timestamps);
	assert_int_equal(s.ip_default_ttl, ref.ip_default_ttl);

	/* no [tcp]: nothing changes */
	app_profile_defaults(&p);
	assert_int_equal(app_profile_apply_sysctl(&p, &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.tcp_syn_retries, 2);

	/* checked when loaded */
	expect_einval("[tcp]\nno_such_knob = 1\n", "[tcp]", "no_such_knob",
		      NULL);
	expect_einval("[tcp]\ntcp_syn_retries = many\n", "[tcp]",
		      "tcp_syn_retries", NULL);
	expect_einval("[tcp]\ntcp_syn_retries =\n", "tcp_syn_retries", NULL);
	expect_einval("[tcp]\ntcp_syn_retries = 1\ntcp_syn_retries = 2\n",
		      "twice", NULL);

	assert_int_equal(app_profile_apply_sysctl(NULL, &s, err,
						    sizeof(err)), -EINVAL);
	assert_int_equal(app_profile_apply_sysctl(&p, NULL, err,
						    sizeof(err)), -EINVAL);
}

/* Hand-made profiles reach apply too: errors carry the profile's path. */
static void
test_apply_errors(void **state)
{
	struct app_profile p;
	struct pmtcp_sysctl s;
	char err[256];

	(void)state;
	pmtcp_sysctl_init(&s);
	app_profile_defaults(&p);
	snprintf(p.path, sizeof(p.path), "/etc/x.ini");
	snprintf(p.tcp_knobs[0], sizeof(p.tcp_knobs[0]), "tcp_syn_retries=4");
	snprintf(p.tcp_knobs[1], sizeof(p.tcp_knobs[1]), "no_such_knob=1");
	p.n_tcp_knobs = 2;
	assert_true(app_profile_apply_sysctl(&p, &s, err, sizeof(err)) < 0);
	assert_int_equal(strncmp(err, "/etc/x.ini: [tcp]", 17), 0);
	assert_int_equal(s.tcp_syn_retries, 4);

	snprintf(p.tcp_knobs[1], sizeof(p.tcp_knobs[1]), "tcp_syn_retries");
	assert_int_equal(app_profile_apply_sysctl(&p, &s, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "name=value"));
}

/* Messages are bounded by errlen; a NULL err is fine. */
static void
test_err_buffer(void **state)
{
	struct app_profile p;
	char err[8];

	(void)state;
	memset(err, 'z', sizeof(err));
	assert_int_equal(load_text("[queues]\nrx_desc = 0\n", &p, err,
				   sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(load_text("[queues]\nrx_desc = 0\n", &p, NULL, 0),
			 -EINVAL);
	assert_int_equal(load_text("[queues]\nrx_desc = 0\n", &p, err, 0),
			 -EINVAL);
	assert_int_equal(app_profile_find("/nonexistent", "x", &p, NULL, 0),
			 -ENOENT);
}

/* Random and binary input: 0 or -EINVAL, never a crash. */
static void
test_garbage(void **state)
{
	static const char alphabet[] = "[]=;,:\\ \t\r\n#\0xyzrssdevicequeues"
		"tcpkeyhashenabledtrustedburst_0123456789abcdef-";
	struct app_profile p;
	char text[512];
	char path[64];
	char err[256];
	unsigned int i, j, seed = 12345;

	(void)state;
	for (i = 0; i < 2000; i++) {
		size_t len = 0;
		int ret;

		seed = seed * 1103515245 + 12345;
		len = (seed >> 16) % sizeof(text);
		for (j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			if (i % 4 == 0)
				text[j] = (char)(seed >> 16);
			else
				text[j] = alphabet[(seed >> 16) %
						   (sizeof(alphabet) - 1)];
		}
		write_tmp_len(text, len, path, sizeof(path));
		ret = app_profile_load(path, &p, err, sizeof(err));
		unlink(path);
		if (ret != 0 && ret != -EINVAL)
			print_error("ret %d: %s\n", ret, err);
		assert_true(ret == 0 || ret == -EINVAL);
		if (ret == 0) {
			assert_true(p.rx_desc >= 16 && p.rx_desc <= 32768);
			assert_true(p.burst >= 1 && p.burst <= 512);
			assert_true(p.n_drivers <= APP_PROFILE_DRIVERS_MAX);
			assert_true(p.n_tcp_knobs <= 16);
		} else {
			assert_true(strlen(err) > 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_net_ring),
		cmocka_unit_test(test_shipped_mlx5),
		cmocka_unit_test(test_shipped_i40e_ice),
		cmocka_unit_test(test_shipped_ixgbe),
		cmocka_unit_test(test_shipped_af_packet),
		cmocka_unit_test(test_shipped_tap),
		cmocka_unit_test(test_shipped_virtio),
		cmocka_unit_test(test_shipped_all_load),
		cmocka_unit_test(test_find_shipped),
		cmocka_unit_test(test_find_no_match),
		cmocka_unit_test(test_find_dir_rules),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_minimal_and_name_from_file),
		cmocka_unit_test(test_full_profile),
		cmocka_unit_test(test_unknown_key_and_section),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_bools),
		cmocka_unit_test(test_bad_rss),
		cmocka_unit_test(test_rss_key_forms),
		cmocka_unit_test(test_bad_device),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_tcp_knobs),
		cmocka_unit_test(test_apply_errors),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
