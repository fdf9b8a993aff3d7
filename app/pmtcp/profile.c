/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers-config profiles: how to set a port up for one PMD family.
 * The keys are documented in docs/drivers-config.md.
 *
 * rte_cfgfile does the parsing. A first pass over the text (profile_lint)
 * reports syntax errors with a line number, which rte_cfgfile cannot, and
 * rejects what rte_cfgfile would skip or truncate without a word: a line
 * with no '=', names over CFG_NAME_LEN - 1 and values over
 * CFG_VALUE_LEN - 1 bytes.
 *
 * This file does not log: every failure is returned as a negative errno
 * and a one-line reason in the caller's buffer.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ethdev.h>

#include "profile.h"

#define PROFILE_RX_DESC_DEFAULT 1024
#define PROFILE_TX_DESC_DEFAULT 1024
#define PROFILE_BURST_DEFAULT 32
#define PROFILE_DESC_MIN 16
#define PROFILE_DESC_MAX 32768
#define PROFILE_BURST_MIN 1
#define PROFILE_BURST_MAX 512
#define PROFILE_TCP_KNOBS_MAX RTE_DIM(((struct app_profile *)NULL)->tcp_knobs)
#define PROFILE_TCP_KNOB_LEN sizeof(((struct app_profile *)NULL)->tcp_knobs[0])
#define PROFILE_RSS_KEY_LEN_TOEPLITZ 40 /* ixgbe, mlx5, virtio, ... */
#define PROFILE_RSS_KEY_LEN_EXT 52      /* i40e, ice: 40 + 12 extended */

enum profile_section {
	SEC_DEVICE,
	SEC_QUEUES,
	SEC_OFFLOADS,
	SEC_RSS,
	SEC_TCP,
	SEC_MAX
};

static const char * const profile_section_names[SEC_MAX] = {
	[SEC_DEVICE] = "device",
	[SEC_QUEUES] = "queues",
	[SEC_OFFLOADS] = "offloads",
	[SEC_RSS] = "rss",
	[SEC_TCP] = "tcp",
};

enum profile_key_type {
	KEY_NAME,     /**< [device] name */
	KEY_DRIVERS,  /**< [device] drivers */
	KEY_TEXT,     /**< free text, read and ignored */
	KEY_U16,      /**< integer in min..max, stored as uint16_t */
	KEY_BOOL,     /**< yes/no, stored as bool */
	KEY_RSS_HASH, /**< [rss] hash */
	KEY_RSS_KEY,  /**< [rss] key */
};

/** One key of a fixed section ([tcp] takes any sysctl name instead). */
struct profile_key {
	enum profile_section section;
	const char *name;
	enum profile_key_type type;
	size_t offset;        /**< of the field in struct app_profile */
	unsigned int min;     /**< KEY_U16 range */
	unsigned int max;
};

#define PKEY(sec, key, type, field, min, max) \
	{ sec, key, type, offsetof(struct app_profile, field), min, max }

static const struct profile_key profile_keys[] = {
	PKEY(SEC_DEVICE, "name", KEY_NAME, name, 0, 0),
	PKEY(SEC_DEVICE, "drivers", KEY_DRIVERS, drivers, 0, 0),
	PKEY(SEC_DEVICE, "description", KEY_TEXT, name, 0, 0),
	PKEY(SEC_QUEUES, "rx_desc", KEY_U16, rx_desc,
	     PROFILE_DESC_MIN, PROFILE_DESC_MAX),
	PKEY(SEC_QUEUES, "tx_desc", KEY_U16, tx_desc,
	     PROFILE_DESC_MIN, PROFILE_DESC_MAX),
	PKEY(SEC_QUEUES, "burst", KEY_U16, burst,
	     PROFILE_BURST_MIN, PROFILE_BURST_MAX),
	PKEY(SEC_OFFLOADS, "rx_checksum", KEY_BOOL, rx_checksum, 0, 0),
	PKEY(SEC_OFFLOADS, "tx_ipv4_checksum", KEY_BOOL, tx_ipv4_checksum, 0, 0),
	PKEY(SEC_OFFLOADS, "tx_tcp_checksum", KEY_BOOL, tx_tcp_checksum, 0, 0),
	PKEY(SEC_OFFLOADS, "rx_checksum_partial", KEY_BOOL, rx_checksum_partial,
	     0, 0),
	PKEY(SEC_RSS, "enabled", KEY_BOOL, rss_enabled, 0, 0),
	PKEY(SEC_RSS, "hash", KEY_RSS_HASH, rss_hf, 0, 0),
	PKEY(SEC_RSS, "key", KEY_RSS_KEY, rss_key, 0, 0),
	PKEY(SEC_RSS, "trusted", KEY_BOOL, rss_trusted, 0, 0),
	PKEY(SEC_RSS, "paired", KEY_BOOL, rss_paired, 0, 0),
};

/** [rss] hash words and the RTE_ETH_RSS_* bit each one sets. */
static const struct {
	const char *name;
	uint64_t hf;
} profile_rss_hash[] = {
	{ "ipv4", RTE_ETH_RSS_IPV4 },
	{ "ipv4-tcp", RTE_ETH_RSS_NONFRAG_IPV4_TCP },
	{ "ipv4-udp", RTE_ETH_RSS_NONFRAG_IPV4_UDP },
	{ "ipv4-other", RTE_ETH_RSS_NONFRAG_IPV4_OTHER },
};

/** What a parse step needs to name the culprit in a message. */
struct profile_ctx {
	const char *path;
	char *err;
	size_t errlen;
	const char *section;
	const char *key;
	const char *value;
};

static void __rte_format_printf(3, 4)
profile_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, errlen, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

/* "<path>: [section] key = 'value': <why>" */
static int __rte_format_printf(2, 3)
profile_bad_value(const struct profile_ctx *c, const char *fmt, ...)
{
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(why, sizeof(why), fmt, ap) < 0)
		why[0] = '\0';
	va_end(ap);
	profile_err(c->err, c->errlen, "%s: [%s] %s = '%s': %s",
		    c->path, c->section, c->key, c->value, why);
	return -EINVAL;
}

/* Trim isspace() from both ends in place, as rte_cfgfile does. */
static char *
profile_strip(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

void
app_profile_defaults(struct app_profile *p)
{
	if (p == NULL)
		return;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", "default");
	p->rx_desc = PROFILE_RX_DESC_DEFAULT;
	p->tx_desc = PROFILE_TX_DESC_DEFAULT;
	p->burst = PROFILE_BURST_DEFAULT;
	/* offloads, RSS and [tcp]: all off / empty (memset) */
}

/*
 * First pass, with rte_cfgfile's own line rules (lib/cfgfile/rte_cfgfile.c:
 * lines up to CFG_NAME_LEN + CFG_VALUE_LEN + 2 bytes, ';' starts a comment
 * unless escaped as "\;", "[name]" headings, "key = value" entries).
 */
static int
profile_lint(FILE *f, const char *path, char *err, size_t errlen)
{
	char line[CFG_NAME_LEN + CFG_VALUE_LEN + 4];
	unsigned int lineno = 0;
	bool in_section = false;

	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strnlen(line, sizeof(line));
		char *s, *end, *eq, *semi;

		lineno++;
		if (len >= sizeof(line) - 1 && line[len - 1] != '\n') {
			profile_err(err, errlen,
				    "%s:%u: line longer than %zu characters",
				    path, lineno, sizeof(line) - 2);
			return -EINVAL;
		}
		semi = memchr(line, ';', len);
		if (semi != NULL && (semi == line || semi[-1] != '\\'))
			*semi = '\0';
		s = profile_strip(line);
		if (*s == '\0')
			continue;

		if (*s == '[') {
			end = strchr(s, ']');
			if (end == NULL) {
				profile_err(err, errlen,
					    "%s:%u: '[' without a closing ']'",
					    path, lineno);
				return -EINVAL;
			}
			if (*profile_strip(end + 1) != '\0') {
				profile_err(err, errlen,
					    "%s:%u: text after ']'", path, lineno);
				return -EINVAL;
			}
			*end = '\0';
			s = profile_strip(s + 1);
			if (*s == '\0' || strlen(s) >= CFG_NAME_LEN) {
				profile_err(err, errlen,
					    "%s:%u: section name must be 1..%d characters",
					    path, lineno, CFG_NAME_LEN - 1);
				return -EINVAL;
			}
			in_section = true;
			continue;
		}

		eq = strchr(s, '=');
		if (eq == NULL) {
			profile_err(err, errlen,
				    "%s:%u: expected 'key = value' or '[section]'",
				    path, lineno);
			return -EINVAL;
		}
		if (!in_section) {
			profile_err(err, errlen,
				    "%s:%u: 'key = value' before any [section]",
				    path, lineno);
			return -EINVAL;
		}
		*eq = '\0';
		s = profile_strip(s);
		if (*s == '\0' || strlen(s) >= CFG_NAME_LEN) {
			profile_err(err, errlen,
				    "%s:%u: key name must be 1..%d characters",
				    path, lineno, CFG_NAME_LEN - 1);
			return -EINVAL;
		}
		if (strlen(profile_strip(eq + 1)) >= CFG_VALUE_LEN) {
			profile_err(err, errlen,
				    "%s:%u: value of '%s' longer than %d characters",
				    path, lineno, s, CFG_VALUE_LEN - 1);
			return -EINVAL;
		}
	}
	if (ferror(f)) {
		profile_err(err, errlen, "%s: read error", path);
		return -EIO;
	}
	return 0;
}

static int
profile_parse_u16(const struct profile_ctx *c, const struct profile_key *k,
		  uint16_t *out)
{
	const char *s = c->value;
	unsigned long v;
	char *end;

	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			break;
	if (s == c->value || *s != '\0')
		goto bad;
	errno = 0;
	v = strtoul(c->value, &end, 10);
	if (errno != 0 || *end != '\0' || v < k->min || v > k->max)
		goto bad;
	*out = (uint16_t)v;
	return 0;
bad:
	return profile_bad_value(c, "expected an integer in %u..%u",
				 k->min, k->max);
}

static int
profile_parse_bool(const struct profile_ctx *c, bool *out)
{
	static const char * const yes[] = { "yes", "true", "1" };
	static const char * const no[] = { "no", "false", "0" };
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(c->value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(c->value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return profile_bad_value(c, "expected yes/no, true/false or 1/0");
}

/*
 * Split a comma list into trimmed items, in place.
 * @return the number of items, or -EINVAL for an empty item (",,") or more
 *         than @p max items (-E2BIG).
 */
static int
profile_split(char *buf, char **items, unsigned int max)
{
	unsigned int n = 0;
	char *s = buf;

	if (*profile_strip(buf) == '\0')
		return 0;
	for (;;) {
		char *comma = strchr(s, ',');

		if (comma != NULL)
			*comma = '\0';
		s = profile_strip(s);
		if (*s == '\0')
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		items[n++] = s;
		if (comma == NULL)
			return (int)n;
		s = comma + 1;
	}
}

static int
profile_parse_drivers(const struct profile_ctx *c, struct app_profile *p)
{
	char buf[CFG_VALUE_LEN];
	char *items[APP_PROFILE_DRIVERS_MAX];
	int n, i;

	if (snprintf(buf, sizeof(buf), "%s", c->value) >= (int)sizeof(buf))
		return profile_bad_value(c, "too long");
	n = profile_split(buf, items, RTE_DIM(items));
	if (n == -E2BIG)
		return profile_bad_value(c, "more than %d drivers",
					 APP_PROFILE_DRIVERS_MAX);
	if (n < 0)
		return profile_bad_value(c,
			"expected a comma-separated list of ethdev driver names");
	for (i = 0; i < n; i++) {
		if (strlen(items[i]) >= sizeof(p->drivers[0]))
			return profile_bad_value(c,
				"driver name '%.32s...' longer than %zu characters",
				items[i], sizeof(p->drivers[0]) - 1);
		snprintf(p->drivers[i], sizeof(p->drivers[i]), "%s", items[i]);
	}
	p->n_drivers = (unsigned int)n;
	return 0;
}

static int
profile_parse_rss_hash(const struct profile_ctx *c, uint64_t *hf)
{
	char buf[CFG_VALUE_LEN];
	char *items[16];
	unsigned int j;
	int n, i;

	if (snprintf(buf, sizeof(buf), "%s", c->value) >= (int)sizeof(buf))
		return profile_bad_value(c, "too long");
	n = profile_split(buf, items, RTE_DIM(items));
	if (n < 0)
		goto bad;
	*hf = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < RTE_DIM(profile_rss_hash); j++)
			if (strcasecmp(items[i], profile_rss_hash[j].name) == 0)
				break;
		if (j == RTE_DIM(profile_rss_hash))
			goto bad;
		*hf |= profile_rss_hash[j].hf;
	}
	return 0;
bad:
	return profile_bad_value(c,
		"expected a comma-separated list of ipv4, ipv4-tcp, ipv4-udp, ipv4-other");
}

static int
profile_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex bytes, optionally separated by single ':' ("6d:5a:..." or "6d5a..."). */
static int
profile_parse_rss_key(const struct profile_ctx *c, struct app_profile *p)
{
	uint8_t key[APP_RSS_KEY_MAX];
	const char *s = c->value;
	unsigned int n = 0;

	while (*s != '\0') {
		int hi, lo;

		if (n > 0 && *s == ':')
			s++;
		hi = profile_hexval(s[0]);
		lo = hi < 0 ? -1 : profile_hexval(s[1]);
		if (hi < 0 || lo < 0)
			return profile_bad_value(c,
				"expected hex bytes, e.g. 6d5a56da... or 6d:5a:56:da:...");
		if (n == sizeof(key))
			return profile_bad_value(c,
				"longer than %d bytes", APP_RSS_KEY_MAX);
		key[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (n != 0 && n != PROFILE_RSS_KEY_LEN_TOEPLITZ &&
	    n != PROFILE_RSS_KEY_LEN_EXT)
		return profile_bad_value(c,
			"%u bytes; a key is %d or %d bytes (empty = PMD default)",
			n, PROFILE_RSS_KEY_LEN_TOEPLITZ, PROFILE_RSS_KEY_LEN_EXT);
	memset(p->rss_key, 0, sizeof(p->rss_key));
	memcpy(p->rss_key, key, n);
	p->rss_key_len = (uint8_t)n;
	return 0;
}

static int
profile_parse_key(const struct profile_ctx *c, const struct profile_key *k,
		  struct app_profile *p)
{
	char *field = (char *)p + k->offset;

	if (c->value[0] == '\0' && k->type != KEY_TEXT &&
	    k->type != KEY_RSS_KEY && k->type != KEY_RSS_HASH)
		return profile_bad_value(c, "empty value");

	switch (k->type) {
	case KEY_NAME:
		if (snprintf(p->name, sizeof(p->name), "%s", c->value) >=
		    (int)sizeof(p->name))
			return profile_bad_value(c, "longer than %zu characters",
						 sizeof(p->name) - 1);
		return 0;
	case KEY_DRIVERS:
		return profile_parse_drivers(c, p);
	case KEY_TEXT:
		return 0;
	case KEY_U16:
		return profile_parse_u16(c, k, (uint16_t *)field);
	case KEY_BOOL:
		return profile_parse_bool(c, (bool *)field);
	case KEY_RSS_HASH:
		return profile_parse_rss_hash(c, &p->rss_hf);
	case KEY_RSS_KEY:
		return profile_parse_rss_key(c, p);
	}
	return profile_bad_value(c, "internal error: key type %d", k->type);
}

/*
 * "<path>: [tcp] <pmtcp_sysctl_set()'s reason>", adding "name = 'value'"
 * when the reason does not name the knob itself.
 */
static void
profile_tcp_err(char *err, size_t errlen, const char *where, const char *name,
		const char *value, int ret, const char *msg)
{
	if (msg[0] == '\0')
		msg = ret == -ENOENT ? "unknown knob" : "bad value";
	if (strstr(msg, name) != NULL)
		profile_err(err, errlen, "%s: [tcp] %s", where, msg);
	else
		profile_err(err, errlen, "%s: [tcp] %s = '%s': %s",
			    where, name, value, msg);
}

/*
 * [tcp] name = value: kept as "name=value" for app_profile_apply_sysctl(),
 * and tried now on a scratch copy of the defaults so that a bad knob is
 * reported when the profile is read, not when a stack is built.
 */
static int
profile_parse_tcp(const struct profile_ctx *c, struct app_profile *p,
		  struct pmtcp_sysctl *scratch)
{
	char msg[160];
	size_t nlen = strlen(c->key);
	unsigned int i;
	int ret;

	if (c->value[0] == '\0')
		return profile_bad_value(c, "empty value");
	for (i = 0; i < p->n_tcp_knobs; i++) {
		if (strncmp(p->tcp_knobs[i], c->key, nlen) == 0 &&
		    p->tcp_knobs[i][nlen] == '=') {
			profile_err(c->err, c->errlen,
				    "%s: [tcp] key '%s' given twice", c->path, c->key);
			return -EINVAL;
		}
	}
	if (p->n_tcp_knobs == PROFILE_TCP_KNOBS_MAX) {
		profile_err(c->err, c->errlen,
			    "%s: [tcp] more than %zu entries", c->path,
			    PROFILE_TCP_KNOBS_MAX);
		return -EINVAL;
	}
	ret = snprintf(p->tcp_knobs[p->n_tcp_knobs], PROFILE_TCP_KNOB_LEN,
		       "%s=%s", c->key, c->value);
	if (ret < 0 || (size_t)ret >= PROFILE_TCP_KNOB_LEN)
		return profile_bad_value(c, "'name=value' longer than %zu characters",
					 PROFILE_TCP_KNOB_LEN - 1);

	msg[0] = '\0';
	ret = pmtcp_sysctl_set(scratch, c->key, c->value, msg, sizeof(msg));
	if (ret < 0) {
		profile_tcp_err(c->err, c->errlen, c->path, c->key, c->value,
				ret, msg);
		return -EINVAL;
	}
	p->n_tcp_knobs++;
	return 0;
}

/* "<path>: [sec] unknown key 'x' (known: a, b, c)" */
static int
profile_unknown_key(const struct profile_ctx *c, enum profile_section sec)
{
	char known[160];
	size_t off = 0;
	unsigned int i;

	known[0] = '\0';
	for (i = 0; i < RTE_DIM(profile_keys); i++) {
		int n;

		if (profile_keys[i].section != sec)
			continue;
		n = snprintf(known + off, sizeof(known) - off, "%s%s",
			     off == 0 ? "" : ", ", profile_keys[i].name);
		if (n < 0 || (size_t)n >= sizeof(known) - off)
			break;
		off += (size_t)n;
	}
	profile_err(c->err, c->errlen, "%s: [%s] unknown key '%s' (known: %s)",
		    c->path, c->section, c->key, known);
	return -EINVAL;
}

static int
profile_parse_section(struct profile_ctx *c, enum profile_section sec,
		      const struct rte_cfgfile_entry *e, int n,
		      struct app_profile *p, struct pmtcp_sysctl *scratch)
{
	uint32_t seen = 0;
	unsigned int k;
	int i, ret;

	RTE_BUILD_BUG_ON(RTE_DIM(profile_keys) > 32);
	for (i = 0; i < n; i++) {
		c->key = e[i].name;
		c->value = e[i].value;
		if (sec == SEC_TCP) {
			ret = profile_parse_tcp(c, p, scratch);
			if (ret < 0)
				return ret;
			continue;
		}
		for (k = 0; k < RTE_DIM(profile_keys); k++)
			if (profile_keys[k].section == sec &&
			    strcmp(profile_keys[k].name, e[i].name) == 0)
				break;
		if (k == RTE_DIM(profile_keys))
			return profile_unknown_key(c, sec);
		if (seen & (UINT32_C(1) << k)) {
			profile_err(c->err, c->errlen,
				    "%s: [%s] key '%s' given twice",
				    c->path, c->section, c->key);
			return -EINVAL;
		}
		seen |= UINT32_C(1) << k;
		ret = profile_parse_key(c, &profile_keys[k], p);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int
profile_parse(struct rte_cfgfile *cfg, struct profile_ctx *c,
	      struct app_profile *p, bool *have_name)
{
	struct pmtcp_sysctl scratch;
	unsigned int sec_seen = 0;
	int nsec, i;

	pmtcp_sysctl_init(&scratch);
	nsec = rte_cfgfile_num_sections(cfg, "", 0);
	for (i = 0; i < nsec; i++) {
		struct rte_cfgfile_entry *entries;
		char secname[CFG_NAME_LEN];
		unsigned int sec;
		int n, ret;

		n = rte_cfgfile_section_num_entries_by_index(cfg, secname, i);
		if (n < 0) {
			profile_err(c->err, c->errlen,
				    "%s: cannot read section %d", c->path, i);
			return -EINVAL;
		}
		for (sec = 0; sec < SEC_MAX; sec++)
			if (strcmp(secname, profile_section_names[sec]) == 0)
				break;
		if (sec == SEC_MAX) {
			profile_err(c->err, c->errlen,
				    "%s: unknown section [%s] (known: device, queues, offloads, rss, tcp)",
				    c->path, secname);
			return -EINVAL;
		}
		if (sec_seen & (1u << sec)) {
			profile_err(c->err, c->errlen,
				    "%s: section [%s] given twice", c->path, secname);
			return -EINVAL;
		}
		sec_seen |= 1u << sec;
		if (n == 0)
			continue;

		entries = calloc((size_t)n, sizeof(*entries));
		if (entries == NULL) {
			profile_err(c->err, c->errlen, "%s: out of memory", c->path);
			return -ENOMEM;
		}
		n = rte_cfgfile_section_entries_by_index(cfg, i, secname,
							 entries, n);
		c->section = profile_section_names[sec];
		if (n < 0) {
			profile_err(c->err, c->errlen,
				    "%s: cannot read section [%s]", c->path, secname);
			ret = -EINVAL;
		} else {
			ret = profile_parse_section(c, (enum profile_section)sec,
						    entries, n, p, &scratch);
		}
		free(entries);
		if (ret < 0)
			return ret;
	}
	*have_name = (sec_seen & (1u << SEC_DEVICE)) &&
		rte_cfgfile_has_entry(cfg, "device", "name");
	return 0;
}

/* Checks that need more than one key. */
static int
profile_check(const struct app_profile *p, const char *path,
	      char *err, size_t errlen)
{
	if (p->rss_enabled && p->rss_hf == 0) {
		profile_err(err, errlen,
			    "%s: [rss] enabled = yes needs hash = <ipv4, ipv4-tcp, ipv4-udp, ipv4-other>",
			    path);
		return -EINVAL;
	}
	if (p->rss_trusted && !p->rss_enabled) {
		profile_err(err, errlen,
			    "%s: [rss] trusted = yes needs enabled = yes", path);
		return -EINVAL;
	}
	return 0;
}

/* No [device] name: the file name without directory and ".ini". */
static void
profile_name_from_path(struct app_profile *p, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base == NULL ? path : base + 1;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".ini") == 0)
		len -= 4;
	if (len == 0)
		return;
	if (len >= sizeof(p->name))
		len = sizeof(p->name) - 1;
	snprintf(p->name, sizeof(p->name), "%.*s", (int)len, base);
}

int
app_profile_load(const char *path, struct app_profile *p,
		   char *err, size_t errlen)
{
	struct app_profile tmp;
	struct rte_cfgfile *cfg;
	struct profile_ctx c;
	bool have_name = false;
	struct stat st;
	FILE *f;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p == NULL || path == NULL) {
		profile_err(err, errlen, "profile: NULL argument");
		return -EINVAL;
	}
	app_profile_defaults(p);
	if (strlen(path) >= sizeof(p->path)) {
		profile_err(err, errlen, "%.64s...: path longer than %zu characters",
			    path, sizeof(p->path) - 1);
		return -EINVAL;
	}

	f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		if (ret == -ENOENT)
			profile_err(err, errlen, "%s: No such file", path);
		else
			profile_err(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		profile_err(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	ret = profile_lint(f, path, err, errlen);
	fclose(f);
	if (ret < 0)
		return ret;

	cfg = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (cfg == NULL) {
		profile_err(err, errlen, "%s: rte_cfgfile_load() failed", path);
		return -EINVAL;
	}

	app_profile_defaults(&tmp);
	snprintf(tmp.path, sizeof(tmp.path), "%s", path);
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.err = err;
	c.errlen = errlen;
	ret = profile_parse(cfg, &c, &tmp, &have_name);
	rte_cfgfile_close(cfg);
	if (ret == 0)
		ret = profile_check(&tmp, path, err, errlen);
	if (ret < 0)
		return ret;
	if (!have_name)
		profile_name_from_path(&tmp, path);
	*p = tmp;
	return 0;
}

static int
profile_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static bool
profile_names_driver(const struct app_profile *p, const char *driver_name)
{
	unsigned int i;

	for (i = 0; i < p->n_drivers; i++)
		if (strcmp(p->drivers[i], driver_name) == 0)
			return true;
	return false;
}

/* The *.ini names in @p d, sorted. @return the count, or -ENOMEM. */
static int
profile_list_dir(DIR *d, char ***out)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;
	struct dirent *de;

	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= 4 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL)
				goto nomem;
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			goto nomem;
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), profile_cmp_names);
	*out = names;
	return (int)n;
nomem:
	while (n > 0)
		free(names[--n]);
	free(names);
	return -ENOMEM;
}

int
app_profile_find(const char *dir, const char *driver_name,
		   struct app_profile *p, char *err, size_t errlen)
{
	struct app_profile tmp;
	char path[sizeof(p->path)];
	char **names = NULL;
	int n, i, ret;
	DIR *d;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p == NULL || dir == NULL || driver_name == NULL) {
		profile_err(err, errlen, "profile: NULL argument");
		if (p != NULL)
			app_profile_defaults(p);
		return -EINVAL;
	}
	app_profile_defaults(p);

	d = opendir(dir);
	if (d == NULL) {
		ret = -errno;
		profile_err(err, errlen, "%s: %s", dir,
			    ret == -ENOENT ? "No such directory" : strerror(-ret));
		return ret;
	}
	n = profile_list_dir(d, &names);
	closedir(d);
	if (n < 0) {
		profile_err(err, errlen, "%s: out of memory", dir);
		return n;
	}

	ret = -ENOENT;
	for (i = 0; i < n; i++) {
		struct stat st;
		int len;

		len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (len < 0 || (size_t)len >= sizeof(path)) {
			profile_err(err, errlen,
				    "%s/%.64s: path longer than %zu characters",
				    dir, names[i], sizeof(path) - 1);
			ret = -EINVAL;
			break;
		}
		/* directories, sockets, dangling links: not profiles */
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		ret = app_profile_load(path, &tmp, err, errlen);
		if (ret == -ENOENT) /* removed since readdir() */
			continue;
		if (ret < 0)
			break;
		if (profile_names_driver(&tmp, driver_name)) {
			*p = tmp;
			ret = 0;
			break;
		}
		ret = -ENOENT;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);

	if (ret == -ENOENT)
		profile_err(err, errlen,
			    "%s: no profile names driver '%s' (using defaults)",
			    dir, driver_name);
	if (ret < 0)
		app_profile_defaults(p);
	return ret;
}

int
app_profile_apply_sysctl(const struct app_profile *p,
			   struct pmtcp_sysctl *s, char *err, size_t errlen)
{
	unsigned int i, n;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p == NULL || s == NULL) {
		profile_err(err, errlen, "profile: NULL argument");
		return -EINVAL;
	}
	n = RTE_MIN(p->n_tcp_knobs, (unsigned int)PROFILE_TCP_KNOBS_MAX);
	for (i = 0; i < n; i++) {
		const char *where = p->path[0] != '\0' ? p->path : p->name;
		char knob[PROFILE_TCP_KNOB_LEN];
		char msg[160];
		char *eq;
		int ret;

		snprintf(knob, sizeof(knob), "%.*s", (int)(sizeof(knob) - 1),
			 p->tcp_knobs[i]);
		eq = strchr(knob, '=');
		if (eq == NULL) {
			profile_err(err, errlen, "%s: [tcp] '%s': expected name=value",
				    where, knob);
			return -EINVAL;
		}
		*eq = '\0';
		msg[0] = '\0';
		ret = pmtcp_sysctl_set(s, knob, eq + 1, msg, sizeof(msg));
		if (ret < 0) {
			profile_tcp_err(err, errlen, where, knob, eq + 1, ret, msg);
			return ret;
		}
	}
	return 0;
}
