/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line (testpmd's parameters.c): everything after EAL's "--". */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_version.h>

#include "app.h"

void
app_err(const char *fmt, ...)
{
	va_list ap;

	fputs("pmtcp: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
app_usage(FILE *f, const char *prog)
{
	fprintf(f,
"usage: %s [EAL options] -- [options]\n"
"\n"
"EAL options go before --; the ones used most: -l LIST, --no-huge, -m MB,\n"
"--no-pci, --vdev SPEC, --file-prefix NAME. `pmtcp --help-eal` lists them all.\n"
"\n"
"Roles (at least one, or -i / --cmdline-file):\n"
"  --client IP[-LAST]:PORT[-LAST]\n"
"                          open connections to IP:PORT (a range: every\n"
"                          address and port of it in turn)\n"
"  --server PORT[-LAST]    listen on PORT (on each of a range, up to 64)\n"
"Addresses:\n"
"  --ip PORTID,IP[-LAST]/PREFIX[,GATEWAY]\n"
"                          address (or range of addresses) of an ethdev port\n"
"                          (repeatable); without any ethdev pmtcp makes a\n"
"                          loopback pair: port 0 198.18.0.2/24 (client side),\n"
"                          port 1 198.18.0.1/24 (server side)\n"
"Lcores:\n"
"  --port-lcores PORTID:LCORELIST\n"
"                          lcores polling a port, one queue each (repeatable;\n"
"                          e.g. 0:0-1); default: the lcores shared evenly\n"
"  --no-rss-emulation      loopback pair: spread frames over the queues by a\n"
"                          hash the stacks do not know (software steering)\n"
"Workload:\n"
"  --connections N         open N connections, stop when all have ended\n"
"  --duration SEC          run for SEC seconds, > 0 (default 10 without\n"
"                          --connections)\n"
"  --rate CPS              connections per second, 0 = as fast as possible (0)\n"
"  --concurrency N         connections open at once, closed loop (1024);\n"
"                          0: no cap, open loop (offers --rate whatever the server does)\n"
"  --ramp SEC              climb linearly to --rate over SEC seconds\n"
"  --hold N                hold the first N connections open until the run\n"
"                          ends, the workload going on on top of them\n"
"  --workload handshake|request\n"
"                          handshake: connect, then close (default);\n"
"                          request: connect, HTTP GET, read the response, close\n"
"  --close rst|fin|none    how the client closes: reset (default), FIN, or\n"
"                          none: hold every connection until the run ends\n"
"  --request-size N        bytes of the GET request (padded; default: plain GET)\n"
"  --response-size N       body bytes of the server's 200 OK (64)\n"
"  --requests-per-connection N  requests before closing (1)\n"
"TCP:\n"
"  --tcp NAME=VALUE        set a knob by its Linux sysctl name (repeatable),\n"
"                          e.g. --tcp tcp_syn_retries=2 (see docs/tuning.md)\n"
"Resources:\n"
"  --table-size N          connections per lcore table (65536, or the lcore's\n"
"                          share of --concurrency if larger)\n"
"  --mbufs N               mbufs in the pool (computed)\n"
"  --slowdown F            run as a core F times slower (1-100, 1): after each\n"
"                          busy loop turn, busy-wait F-1 times as long; to\n"
"                          overload this side (devtools/perf.sh --overload)\n"
"  --profile FILE          drivers-config profile for every port\n"
"Output:\n"
"  --json FILE             write the final summary as JSON\n"
"  --csv FILE              write the per-period series as CSV\n"
"  --stats-period SEC      seconds between stats lines, 0 = none (1)\n"
"  --quiet                 no per-period lines\n"
"  --stats-lcores          under each period's line, one per lcore\n"
"  --pcap FILE             capture every port's frames, both directions, into\n"
"                          FILE (pcapng, for tshark and Wireshark)\n"
"  --pcap-count N          stop capturing after N frames (no limit)\n"
"  --pcap-snaplen N        bytes kept of each frame, 64-16384 (128)\n"
"Interactive (see docs/cli.md):\n"
"  -i, --interactive       open the pmtcp> prompt; traffic waits for `start`\n"
"                          and the run ends on `quit`, EOF or Ctrl-C\n"
"  --cmdline-file FILE     run the commands in FILE first (then the prompt\n"
"                          with -i, else exit)\n"
"  --auto-start            with the prompt: start the client at once\n"
"Information (before or after --; EAL does not start):\n"
"  -h, --help              this text\n"
"  --help-eal              EAL's own options\n"
"  --version               pmtcp's and DPDK's versions\n", prog);
}

void
app_print_version(FILE *f)
{
	fprintf(f, "pmtcp %s (%s)\n", pmtcp_version(), rte_version());
}

/*
 * Before EAL starts: where pmtcp's options begin (the index of "--", or
 * argc without one), and whether EAL's part asks for something pmtcp
 * answers there too: -h/--help (pmtcp's usage, which says where EAL's
 * options are), --version, --help-eal. An option's value that happens to
 * read "-h" is taken for the option: no EAL option takes such a value.
 * Without a "--", -i and --interactive (no EAL option is called so) are
 * pmtcp's, as testpmd users type them: taken out of EAL's words, and
 * *interactive set.
 */
int
app_parse_eal_side(int argc, char **argv, int *n_eal, bool *interactive)
{
	bool dashdash = false;
	int i, ret = 0;

	*interactive = false;
	for (i = 1; i < argc && !dashdash; i++)
		dashdash = strcmp(argv[i], "--") == 0;
	if (!dashdash) {
		int j = 1;

		for (i = 1; i < argc; i++) {
			if (strcmp(argv[i], "-i") == 0 ||
			    strcmp(argv[i], "--interactive") == 0)
				*interactive = true;
			else
				argv[j++] = argv[i];
		}
		argc = j;
		argv[argc] = NULL;
	}
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (ret != 0)
			continue;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			app_usage(stdout, "pmtcp");
			ret = APP_ARGS_DONE;
		} else if (strcmp(argv[i], "--version") == 0) {
			app_print_version(stdout);
			ret = APP_ARGS_DONE;
		} else if (strcmp(argv[i], "--help-eal") == 0) {
			ret = APP_ARGS_EAL_HELP;
		}
	}
	*n_eal = i;
	return ret;
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
	  uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		goto bad;
	if (v < min || v > max) {
		app_err("%s: %s out of range [%" PRIu64 ", %" PRIu64 "]", opt, s,
			min, max);
		return -1;
	}
	*out = v;
	return 0;
bad:
	app_err("%s: expected an integer in [%" PRIu64 ", %" PRIu64 "], got '%s'",
		opt, min, max, s ? s : "");
	return -1;
}

static int
parse_seconds(const char *opt, const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > max) {
		app_err("%s: expected seconds in [0, %.0f], got '%s'", opt, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* --duration: seconds above 0; 0 would read as "no limit" to some and
 * "the default" to others, so it is neither */
static int
parse_duration(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > max) {
		app_err("--duration: expected seconds in (0, %.0f], got '%s'%s",
			max, s, end != s && *end == '\0' && v == 0 ?
			" (no time limit: --connections N, or -i)" : "");
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = a.s_addr;
	return 0;
}

/* LCORELIST: "0", "0-3", "0,2,4-5" */
static int
parse_lcore_list(const char *opt, const char *s, unsigned int *out,
		 uint16_t *n)
{
	const char *p = s;

	*n = 0;
	while (*p != '\0') {
		char *end;
		unsigned long a, b;

		errno = 0;
		a = strtoul(p, &end, 10);
		if (end == p || errno != 0)
			goto bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || errno != 0 || b < a)
				goto bad;
		}
		if (b >= RTE_MAX_LCORE) {
			app_err("%s: lcore %lu out of range [0, %d]", opt, b,
				RTE_MAX_LCORE - 1);
			return -1;
		}
		for (unsigned long i = a; i <= b; i++) {
			if (*n >= APP_MAX_QUEUES) {
				app_err("%s: at most %d lcores per port", opt,
					APP_MAX_QUEUES);
				return -1;
			}
			for (uint16_t k = 0; k < *n; k++) {
				if (out[k] == i) {
					app_err("%s: lcore %lu given twice", opt, i);
					return -1;
				}
			}
			out[(*n)++] = (unsigned int)i;
		}
		if (*end == ',')
			end++;
		else if (*end != '\0')
			goto bad;
		p = end;
	}
	if (*n == 0)
		goto bad;
	return 0;
bad:
	app_err("%s: expected PORTID:LCORELIST (e.g. 0:0-1 or 1:2,3), got '%s'",
		opt, s);
	return -1;
}

/* PORTID:LCORELIST */
static int
parse_port_lcores(struct app_conf *c, const char *s)
{
	const char *colon = strchr(s, ':');
	char id[16];
	uint64_t v;

	if (c->n_port_lcores >= APP_MAX_PORTS) {
		app_err("--port-lcores: at most %d ports", APP_MAX_PORTS);
		return -1;
	}
	if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof(id)) {
		app_err("--port-lcores: expected PORTID:LCORELIST (e.g. 0:0-1), got '%s'", s);
		return -1;
	}
	memcpy(id, s, (size_t)(colon - s));
	id[colon - s] = '\0';
	if (parse_u64("--port-lcores PORTID", id, 0, RTE_MAX_ETHPORTS - 1, &v) != 0)
		return -1;
	for (unsigned int i = 0; i < c->n_port_lcores; i++) {
		if (c->port_lcores[i].port == v) {
			app_err("--port-lcores: port %" PRIu64 " given twice", v);
			return -1;
		}
	}
	c->port_lcores[c->n_port_lcores].port = (uint16_t)v;
	if (parse_lcore_list("--port-lcores", colon + 1,
			     c->port_lcores[c->n_port_lcores].lcore,
			     &c->port_lcores[c->n_port_lcores].n) != 0)
		return -1;
	c->n_port_lcores++;
	return 0;
}

/* FIRST[-LAST]:PORT[-LAST] (--client): up to 1,024 targets, each on
 * every port of the port range */
#define CLIENT_ADDRS_MAX 1024

static int
parse_client(struct app_conf *c, const char *s)
{
	char buf[96];
	char *colon, *dash;
	uint32_t last;
	uint64_t p, q;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		goto bad;
	*colon = '\0';
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (parse_ipv4(buf, &c->client_addr) != 0)
		goto bad;
	last = c->client_addr;
	if (dash != NULL && parse_ipv4(dash + 1, &last) != 0)
		goto bad;
	if (ntohl(last) < ntohl(c->client_addr) ||
	    ntohl(last) - ntohl(c->client_addr) >= CLIENT_ADDRS_MAX) {
		app_err("--client: a range of 1 to %d addresses, first to last, got '%s'",
			CLIENT_ADDRS_MAX, s);
		return -1;
	}
	c->client_addrs = ntohl(last) - ntohl(c->client_addr) + 1;
	dash = strchr(colon + 1, '-');
	if (dash != NULL)
		*dash = '\0';
	if (parse_u64("--client", colon + 1, 1, 65535, &p) != 0)
		return -1;
	q = p;
	if (dash != NULL && parse_u64("--client", dash + 1, p, 65535, &q) != 0)
		return -1;
	c->client_port = (uint16_t)p;
	c->client_ports = (uint32_t)(q - p + 1);
	return 0;
bad:
	app_err("--client: expected IP[-LAST]:PORT[-LAST] (e.g. 198.18.0.1:80 or 198.18.0.1-198.18.0.4:8080-8083), got '%s'",
		s);
	return -1;
}

/* PORT[-LAST] (--server): at most the listeners a stack has */
static int
parse_server(struct app_conf *c, const char *s)
{
	char buf[32];
	char *dash;
	uint64_t p, q;

	if (strlen(s) >= sizeof(buf)) {
		app_err("--server: expected PORT[-LAST], got '%s'", s);
		return -1;
	}
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (parse_u64("--server", buf, 1, 65535, &p) != 0)
		return -1;
	q = p;
	if (dash != NULL && parse_u64("--server", dash + 1, p, 65535, &q) != 0)
		return -1;
	if (q - p + 1 > APP_MAX_LISTEN) {
		app_err("--server: at most %d ports, got %" PRIu64 " in '%s'",
			APP_MAX_LISTEN, q - p + 1, s);
		return -1;
	}
	c->server_port = (uint16_t)p;
	c->server_ports = (uint16_t)(q - p + 1);
	return 0;
}

/* PORTID,IP[-LAST]/PREFIX[,GATEWAY] */
static int
parse_ip(struct app_conf *c, const char *s)
{
	char buf[96];
	char *f[3] = { NULL, NULL, NULL };
	char *save = NULL, *slash, *dash;
	uint32_t last;
	uint64_t v;
	unsigned int n = 0;

	if (c->n_ips >= APP_MAX_PORTS) {
		app_err("--ip: at most %d addresses", APP_MAX_PORTS);
		return -1;
	}
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	for (char *t = strtok_r(buf, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		if (n == 3)
			goto bad;
		f[n++] = t;
	}
	if (n < 2)
		goto bad;
	if (parse_u64("--ip PORTID", f[0], 0, RTE_MAX_ETHPORTS - 1, &v) != 0)
		return -1;
	c->ips[c->n_ips].port = (uint16_t)v;
	slash = strchr(f[1], '/');
	if (slash == NULL)
		goto bad;
	*slash = '\0';
	dash = strchr(f[1], '-');
	if (dash != NULL)
		*dash = '\0';
	if (parse_ipv4(f[1], &c->ips[c->n_ips].addr) != 0)
		goto bad;
	last = c->ips[c->n_ips].addr;
	if (dash != NULL && parse_ipv4(dash + 1, &last) != 0)
		goto bad;
	if (parse_u64("--ip PREFIX", slash + 1, 1, 32, &v) != 0)
		return -1;
	c->ips[c->n_ips].prefix_len = (uint8_t)v;
	{
		uint32_t a = ntohl(c->ips[c->n_ips].addr), z = ntohl(last);
		uint32_t host = v == 32 ? 0 : UINT32_MAX >> v;

		if (z < a) {
			app_err("--ip: the range's last address is below its first in '%s'", s);
			return -1;
		}
		if ((a & ~host) != (z & ~host)) {
			app_err("--ip: the range leaves the /%" PRIu64 " subnet of its first address in '%s'",
				v, s);
			return -1;
		}
		if (z != a && v < 31 && ((a & host) == 0 || (z & host) == host)) {
			app_err("--ip: the range holds the subnet's network or broadcast address in '%s'",
				s);
			return -1;
		}
		c->ips[c->n_ips].addr_count = z - a + 1;
	}
	c->ips[c->n_ips].gateway = 0;
	if (n == 3 && parse_ipv4(f[2], &c->ips[c->n_ips].gateway) != 0)
		goto bad;
	for (unsigned int i = 0; i < c->n_ips; i++) {
		if (c->ips[i].port == c->ips[c->n_ips].port) {
			app_err("--ip: port %u given twice", c->ips[i].port);
			return -1;
		}
	}
	c->n_ips++;
	return 0;
bad:
	app_err("--ip: expected PORTID,IP[-LAST]/PREFIX[,GATEWAY] (e.g. 0,198.18.10.10/24 or 0,198.18.0.2-198.18.0.101/24), got '%s'", s);
	return -1;
}

/* options that print something and end the run before it starts */
enum { OPT_VERSION = 200, OPT_HELP_EAL };

enum {
	OPT_CLIENT = 256, OPT_SERVER, OPT_IP, OPT_CONNECTIONS, OPT_DURATION,
	OPT_RATE, OPT_CONCURRENCY, OPT_TCP, OPT_JSON, OPT_PROFILE,
	OPT_TABLE_SIZE, OPT_MBUFS, OPT_STATS_PERIOD, OPT_QUIET, OPT_RAMP,
	OPT_WORKLOAD, OPT_CLOSE, OPT_REQUEST_SIZE, OPT_RESPONSE_SIZE,
	OPT_REQUESTS_PER_CONN, OPT_CMDLINE_FILE, OPT_AUTO_START, OPT_SLOWDOWN,
	OPT_PORT_LCORES, OPT_NO_RSS_EMULATION, OPT_HOLD, OPT_STATS_LCORES,
	OPT_PCAP, OPT_PCAP_COUNT, OPT_PCAP_SNAPLEN,
	OPT_CSV,
};

static const struct option long_opts[] = {
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "connections", required_argument, NULL, OPT_CONNECTIONS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "table-size", required_argument, NULL, OPT_TABLE_SIZE },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "ramp", required_argument, NULL, OPT_RAMP },
	{ "slowdown", required_argument, NULL, OPT_SLOWDOWN },
	{ "workload", required_argument, NULL, OPT_WORKLOAD },
	{ "close", required_argument, NULL, OPT_CLOSE },
	{ "request-size", required_argument, NULL, OPT_REQUEST_SIZE },
	{ "response-size", required_argument, NULL, OPT_RESPONSE_SIZE },
	{ "requests-per-connection", required_argument, NULL, OPT_REQUESTS_PER_CONN },
	{ "port-lcores", required_argument, NULL, OPT_PORT_LCORES },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "stats-lcores", no_argument, NULL, OPT_STATS_LCORES },
	{ "no-rss-emulation", no_argument, NULL, OPT_NO_RSS_EMULATION },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "pcap-count", required_argument, NULL, OPT_PCAP_COUNT },
	{ "pcap-snaplen", required_argument, NULL, OPT_PCAP_SNAPLEN },
	{ "interactive", no_argument, NULL, 'i' },
	{ "cmdline-file", required_argument, NULL, OPT_CMDLINE_FILE },
	{ "auto-start", no_argument, NULL, OPT_AUTO_START },
	{ "help", no_argument, NULL, 'h' },
	{ "help-eal", no_argument, NULL, OPT_HELP_EAL },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

int
app_parse_args(struct app_conf *c, int argc, char **argv)
{
	const char *pcap_opt = NULL;   /* a --pcap-* option given */
	char err[160];
	uint64_t v;
	int opt;

	memset(c, 0, sizeof(*c));
	c->concurrency = 1024;
	c->client_addrs = 1;
	c->client_ports = 1;
	c->server_ports = 1;
	c->slowdown = 1;
	c->workload = WORKLOAD_HANDSHAKE;
	c->close_mode = CLOSE_RST;
	c->response_size = 64;
	c->requests_per_conn = 1;
	c->table_size = 65536;
	c->stats_period_s = 1.0;
	c->pcap_snaplen = 128;
	pmtcp_sysctl_init(&c->sysctl);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hi", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_CLIENT:
			if (parse_client(c, optarg) != 0)
				return -1;
			c->client = true;
			break;
		case OPT_SERVER:
			if (parse_server(c, optarg) != 0)
				return -1;
			c->server = true;
			break;
		case OPT_IP:
			if (parse_ip(c, optarg) != 0)
				return -1;
			break;
		case OPT_PORT_LCORES:
			if (parse_port_lcores(c, optarg) != 0)
				return -1;
			break;
		case OPT_STATS_LCORES:
			c->stats_lcores = true;
			break;
		case OPT_HOLD:
			if (parse_u64("--hold", optarg, 0, 1ULL << 27, &c->hold) != 0)
				return -1;
			break;
		case OPT_NO_RSS_EMULATION:
			c->no_rss_emulation = true;
			break;
		case OPT_CONNECTIONS:
			if (parse_u64("--connections", optarg, 1, UINT64_MAX / 2, &v) != 0)
				return -1;
			c->connections = v;
			break;
		case OPT_DURATION:
			if (parse_duration(optarg, 31536000, &c->duration_s) != 0)
				return -1;
			break;
		case OPT_RATE:
			if (parse_u64("--rate", optarg, 0, 1000000000, &c->rate) != 0)
				return -1;
			break;
		case OPT_CONCURRENCY:
			if (parse_u64("--concurrency", optarg, 0, 1 << 24, &v) != 0)
				return -1;
			c->concurrency = (uint32_t)v;
			break;
		case OPT_TCP:
			/* validate now; applied again over the profile later */
			if (pmtcp_sysctl_parse(&c->sysctl, optarg, err, sizeof(err)) != 0) {
				app_err("--tcp: %s", err);
				return -1;
			}
			if (c->n_tcp >= RTE_DIM(c->tcp)) {
				app_err("--tcp: too many (max %zu)", RTE_DIM(c->tcp));
				return -1;
			}
			c->tcp[c->n_tcp++] = optarg;
			break;
		case OPT_JSON:
			c->json_path = optarg;
			break;
		case OPT_CSV:
			c->csv_path = optarg;
			break;
		case OPT_PROFILE:
			c->profile_path = optarg;
			break;
		case OPT_PCAP:
			c->pcap_path = optarg;
			break;
		case OPT_PCAP_COUNT:
			if (parse_u64("--pcap-count", optarg, 1, UINT64_MAX / 2,
				      &c->pcap_count) != 0)
				return -1;
			pcap_opt = "--pcap-count";
			break;
		case OPT_PCAP_SNAPLEN:
			if (parse_u64("--pcap-snaplen", optarg, 64, 16384, &v) != 0)
				return -1;
			c->pcap_snaplen = (uint32_t)v;
			pcap_opt = "--pcap-snaplen";
			break;
		case OPT_TABLE_SIZE:
			if (parse_u64("--table-size", optarg, 16, 1 << 24, &v) != 0)
				return -1;
			c->table_size = (uint32_t)v;
			c->table_size_set = true;
			break;
		case OPT_MBUFS:
			if (parse_u64("--mbufs", optarg, 1024, 1 << 26, &v) != 0)
				return -1;
			c->mbufs = (uint32_t)v;
			break;
		case OPT_STATS_PERIOD:
			if (parse_seconds("--stats-period", optarg, 3600, &c->stats_period_s) != 0)
				return -1;
			break;
		case OPT_QUIET:
			c->quiet = true;
			break;
		case OPT_RAMP:
			if (parse_seconds("--ramp", optarg, 3600, &c->ramp_s) != 0)
				return -1;
			break;
		case OPT_SLOWDOWN: {
			char *end;

			errno = 0;
			c->slowdown = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(c->slowdown >= 1) || c->slowdown > 100) {
				app_err("--slowdown: expected a factor in [1, 100], got '%s'",
					optarg);
				return -1;
			}
			break;
		}
		case OPT_WORKLOAD:
			if (strcmp(optarg, "handshake") == 0) {
				c->workload = WORKLOAD_HANDSHAKE;
			} else if (strcmp(optarg, "request") == 0) {
				c->workload = WORKLOAD_REQUEST;
			} else {
				app_err("--workload: expected handshake or request, got '%s'", optarg);
				return -1;
			}
			break;
		case OPT_CLOSE:
			if (strcmp(optarg, "rst") == 0) {
				c->close_mode = CLOSE_RST;
			} else if (strcmp(optarg, "fin") == 0) {
				c->close_mode = CLOSE_FIN;
			} else if (strcmp(optarg, "none") == 0) {
				c->close_mode = CLOSE_NONE;
			} else {
				app_err("--close: expected rst, fin or none, got '%s'", optarg);
				return -1;
			}
			break;
		case OPT_REQUEST_SIZE:
			if (parse_u64("--request-size", optarg, 0, 65536, &v) != 0)
				return -1;
			c->request_size = (uint32_t)v;
			break;
		case OPT_RESPONSE_SIZE:
			if (parse_u64("--response-size", optarg, 0, 1 << 20, &v) != 0)
				return -1;
			c->response_size = (uint32_t)v;
			break;
		case OPT_REQUESTS_PER_CONN:
			if (parse_u64("--requests-per-connection", optarg, 1, 1000000, &v) != 0)
				return -1;
			c->requests_per_conn = (uint32_t)v;
			break;
		case 'i':
			c->interactive = true;
			break;
		case OPT_CMDLINE_FILE:
			c->cmdline_file = optarg;
			break;
		case OPT_AUTO_START:
			c->auto_start = true;
			break;
		case 'h':
			app_usage(stdout, "pmtcp");
			return APP_ARGS_DONE;
		case OPT_VERSION:
			app_print_version(stdout);
			return APP_ARGS_DONE;
		case OPT_HELP_EAL:
			return APP_ARGS_EAL_HELP;
		case ':':
			app_err("option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			app_err("unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		app_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (!c->client && !c->server && !c->interactive && c->cmdline_file == NULL) {
		app_err("nothing to do: give --client IP:PORT and/or --server PORT, or -i for the prompt");
		return -1;
	}
	if (c->ramp_s > 0 && c->rate == 0) {
		app_err("--ramp needs --rate: it climbs to that rate");
		return -1;
	}
	if (c->hold != 0 && c->close_mode == CLOSE_NONE) {
		app_err("--hold with --close none: every connection is held already");
		return -1;
	}
	if (c->hold != 0 && !c->client) {
		app_err("--hold needs --client: it holds client connections");
		return -1;
	}
	if (pcap_opt != NULL && c->pcap_path == NULL) {
		app_err("%s needs --pcap FILE", pcap_opt);
		return -1;
	}
	if (c->auto_start && !c->interactive && c->cmdline_file == NULL) {
		app_err("--auto-start needs -i or --cmdline-file");
		return -1;
	}
	if (c->duration_s == 0 && c->connections == 0)
		c->duration_s = 10;
	return 0;
}
