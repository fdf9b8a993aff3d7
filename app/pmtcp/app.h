/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_APP_H
#define PMTCP_APP_H

/*
 * The pmtcp program: shared definitions of its parts (testpmd's split):
 *   parameters.c  command line
 *   config.c      ports: profiles, queues, offloads, the loopback pair
 *   bench.c       the per-lcore run-to-completion loop and the workload
 *   report.c      per-second lines, the summary and its JSON form
 *   series.c      the per-period series kept for the JSON and --csv
 *   cmdline.c     the interactive prompt (-i, --cmdline-file): I/O, help,
 *                 the command context; its commands in cli_show.c,
 *                 cli_set.c and cli_conn.c (cli.h, private to the CLI)
 *   cli_lcore.c   the CLI's requests run on a data-path lcore
 *                 (app_lcore_run_cmd)
 *   telemetry.c   the /pmtcp/... commands of DPDK telemetry
 *   capture.c     --pcap (rte_pcapng) and rte_pdump for dpdk-dumpcap
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "pmtcp.h"
#include "profile.h"

#define APP_MAX_PORTS 8
#define APP_MAX_QUEUES 64         /* lcores (queues) per port */
#define APP_MAX_LISTEN 64         /* the stack's default max_listeners */

/* Handshake latency histogram, log-linear (as HdrHistogram): exact below
 * 1024 us, then 512 buckets per power of two (0.2 % resolution) up to
 * 2^32 us; one overflow bucket. */
#define HIST_LINEAR 1024
#define HIST_SUB 512
#define HIST_EXPONENTS 22
#define HIST_BUCKETS (HIST_LINEAR + HIST_EXPONENTS * HIST_SUB + 1)

struct app_hist {
	uint64_t count[HIST_BUCKETS];
	uint64_t max_us;
};

/* Counts summed over lcores (so far, or over one period). */
struct app_counts {
	uint64_t established, accepted;
	uint64_t refused, timeout, reset, unreachable, local;
	uint64_t retrans;         /* TcpRetransSegs */
	uint64_t resp_ok, resp_bad;
};

/* One stats period: the series entry, and the per-period line. */
struct app_sample {
	double t;                 /* the period's end, s since the start */
	double dt;                /* its length, s */
	struct app_counts total;  /* so far */
	struct app_counts delta;  /* in the period */
	uint64_t open, tw;        /* in the tables at its end */
	uint64_t hs_p50, hs_p99;  /* handshake latency in the period, us */
	uint64_t resp_p50, resp_p99;
};

/* The series keeps at most this many periods (a day at one a second):
 * about 20 MB; later periods are counted as dropped. */
#define APP_SERIES_MAX 86400

/* One ethdev port as the app uses it. */
struct app_port {
	uint16_t port_id;
	bool used;
	bool started;             /* rte_eth_dev_start() succeeded */
	bool has_ip;
	uint32_t addr;            /* network order, the first of addr_count */
	uint32_t addr_count;      /* --ip FIRST-LAST: consecutive addresses */
	uint8_t prefix_len;
	uint32_t gateway;         /* network order, 0 = none */
	uint16_t mtu;
	struct rte_ether_addr mac;
	char driver[64];
	struct app_profile profile;
	bool tx_ip_cksum, tx_tcp_cksum, rx_cksum;  /* offloads enabled */
	bool rx_csum_partial;     /* accept CHECKSUM_PARTIAL segments (profile) */
	/* lcores polling the port: lcore[q] owns RX and TX queue q */
	uint16_t nb_queues;
	unsigned int lcore[APP_MAX_QUEUES];
	/* how replies find their queue (several queues), and the RSS the
	 * port applies (read back from the PMD, or the loopback wire's) */
	enum pmtcp_steer_mode steer;
	uint8_t rss_key[PMTCP_RSS_KEY_LEN_MAX];
	uint8_t rss_key_len;
	uint16_t reta_size;
	uint16_t reta[PMTCP_RETA_SIZE_MAX];
	const char *steer_why;    /* the start banner's reason */
};

enum app_workload { WORKLOAD_HANDSHAKE, WORKLOAD_REQUEST };
enum app_close { CLOSE_RST, CLOSE_FIN, CLOSE_NONE };

/* A client connection's request/response state (user_data = index + 1). */
struct app_conn {
	uint64_t req_tsc;          /* when the current request went out */
	uint32_t body_left;        /* response body still expected; UINT32_MAX: until FIN */
	uint16_t hdr_len;          /* response header bytes buffered */
	uint16_t requests;         /* responses received on this connection */
	uint8_t phase;             /* CONN_* */
	bool status_ok;            /* status line said 200 */
	bool report;               /* `connect` prints how this one ended */
	uint32_t next_free;        /* free list */
	char *hdr;                 /* a response header split over segments,
				    * up to the blank line (APP_HDR_MAX bytes,
				    * taken when needed, NULL otherwise) */
};
#define APP_HDR_MAX 1024

/* What the CLI asks a lcore to do on its own stack and ports (a stack,
 * and a PMD's counters, are only touched by the lcore that polls them). */
enum app_lcore_op {
	LCORE_OP_SYSCTL,       /* pmtcp_sysctl_set(knob, value) on its knobs */
	LCORE_OP_CONN_STATES,  /* count connections per state into states[] */
	LCORE_OP_CONN_LIST,    /* up to limit connections in state arg (0 =
				* any) into list[]: n copied, total matching */
	LCORE_OP_STATS_RESET,  /* rte_eth_stats_reset() its ports */
	LCORE_OP_LISTEN,       /* pmtcp_listen(arg) */
	LCORE_OP_UNLISTEN,     /* pmtcp_unlisten(arg) */
	LCORE_OP_TRACE,        /* pmtcp_stack_set_trace(level arg) */
};

struct app_lcore_cmd {
	enum app_lcore_op op;
	uint32_t arg;
	uint32_t limit;
	struct pmtcp_sock_info *list;   /* the main lcore's buffer */
	char knob[128], value[128];   /* cmdline_fixed_string_t */
	/* results */
	int ret;                        /* 0 or a negative errno */
	uint32_t n, total;
	uint32_t states[PMTCP_TCP_MAX_STATES];
};

/* Per-lcore worker state: written by its lcore only, read by the main
 * lcore for reports (64-bit loads, no locks). */
struct app_lcore {
	unsigned int lcore_id;
	bool active;
	bool client;              /* opens connections */
	bool server;              /* listens */
	uint16_t n_ports;
	uint16_t ports[APP_MAX_PORTS];
	uint16_t queues[APP_MAX_PORTS];   /* its queue on each of ports[] */
	struct pmtcp_stack *st;
	/* its share of --connections, --concurrency and --rate among the
	 * client lcores (0: none / no cap) */
	uint64_t conn_share;
	uint32_t conc_share;
	uint64_t hold_share;      /* its share of --hold */
	uint64_t held_now;        /* connections it holds now (--hold,
				   * --close none) */
	uint32_t client_idx, n_clients;
	bool resetting;           /* --close none: resetting what it holds */
	bool client_finished;     /* limit reached and all attempts ended */
	bool target_resolved;     /* neighbour of the target known (or gave up) */

	/* pacing */
	uint64_t next_connect_tsc;
	uint64_t tsc_per_conn;    /* 0 = as fast as possible */

	/* client results */
	uint64_t attempted;
	uint64_t established;
	uint64_t failed_refused;
	uint64_t failed_timeout;
	uint64_t failed_reset;
	uint64_t failed_unreachable;  /* neighbour never answered (EHOSTUNREACH) */
	uint64_t failed_local;    /* pmtcp_connect() refused locally */
	uint64_t done;            /* established connections the client finished */
	uint64_t closed_by_peer;  /* ... of which the peer reset or timed out */
	uint64_t responses_ok;
	uint64_t responses_bad;
	/* client connection states */
	struct app_conn *conns;
	uint32_t n_conns;
	uint32_t free_conn;       /* index + 1 of the first free, 0 = none */
	/* server results */
	uint64_t accepted;
	uint64_t server_closed;   /* reset by the peer */
	uint64_t server_requests; /* requests answered */
	/* cost */
	uint64_t busy_cycles;
	uint64_t loops;
	uint64_t wire_drops;      /* loopback wire: frames a full ring refused */
	uint64_t conn_memory;     /* bytes for connection state: the stack's
				   * table, buckets and wheel, the app slots;
				   * at the end, with the port maps the
				   * stack made as it ran */
	uint64_t stack_memory;    /* pmtcp_stack_conn_memory() when made */
	uint32_t open_now;        /* connections in the table (mirrored each period) */
	uint32_t tw_now;          /* of which TIME_WAIT */
	struct app_hist hist;     /* handshake: connect() to ESTABLISHED */
	struct app_hist resp_hist; /* request sent to response complete */
	struct pmtcp_mib final_mib;  /* counters kept after the stack is freed */
	/* a request from the CLI (cli_lcore.c): the main lcore fills cmd,
	 * rte_smp_wmb(), bumps cmd_req; this lcore runs it from
	 * app_lcore_iterate(), fills the results, rte_smp_wmb(), then sets
	 * cmd_resp = cmd_req. One request in flight at a time. */
	struct app_lcore_cmd cmd;
	volatile uint32_t cmd_req;
	volatile uint32_t cmd_resp;
	/* /pmtcp/conn (telemetry.c): the same handshake, its own mailbox */
	volatile uint32_t tel_req;
	volatile uint32_t tel_resp;
	uint32_t tel_states[PMTCP_TCP_MAX_STATES];
	/* `show conn`: where this lcore copies its connections. Owned by
	 * the main lcore, resized only while no request is in flight (a
	 * late answer still writes into live memory), freed at exit. */
	struct pmtcp_sock_info *conn_list;
	uint32_t conn_list_cap;
	/* `set client`: target_gen_seen != app->target_gen: resolve again */
	uint32_t target_gen_seen;
	uint32_t warm_next;       /* the next target whose next hop to resolve */
	uint64_t dst_next;        /* the next (target, port) to connect to */
	uint64_t local_wait_tsc;  /* no port or sock free: none opened before */
} __rte_cache_aligned;

/* The lcore's counters, live or final. */
static inline const struct pmtcp_mib *
app_lcore_mib(const struct app_lcore *l)
{
	return l->st != NULL ? pmtcp_stack_mib(l->st) : &l->final_mib;
}

/* Everything the command line sets. */
struct app_conf {
	bool client;
	uint32_t client_addr;      /* network order: the first target */
	uint16_t client_port;      /* host order: the first target port */
	uint32_t client_addrs;     /* --client FIRST-LAST: targets (>= 1) */
	uint32_t client_ports;     /* ... PORT-LAST: ports per target (>= 1) */
	bool server;
	uint16_t server_port;      /* --server PORT[-LAST]: the first */
	uint16_t server_ports;     /* ports listened on from it (>= 1) */
	uint64_t connections;      /* 0 = unlimited */
	double duration_s;         /* 0 = unlimited (until connections done) */
	uint64_t rate;             /* connections/s, 0 = max */
	double ramp_s;             /* reach --rate over this long */
	double slowdown;           /* --slowdown: act as a core this many
				    * times slower (1: off) */
	uint32_t concurrency;
	uint64_t hold;             /* --hold: connections held open under
				    * the workload */
	enum app_workload workload;
	enum app_close close_mode;
	uint32_t request_size;     /* 0 = the plain GET */
	uint32_t response_size;    /* body bytes the server sends */
	uint32_t requests_per_conn;
	uint32_t table_size;
	uint32_t mbufs;            /* 0 = computed */
	double stats_period_s;
	bool quiet;
	bool table_size_set;       /* --table-size given */
	bool stats_lcores;         /* --stats-lcores: a line per lcore too */
	bool no_rss_emulation;     /* --no-rss-emulation: the loopback wire
				    * spreads frames by a hash the stacks do
				    * not know (software steering) */
	unsigned int n_port_lcores; /* --port-lcores */
	struct {
		uint16_t port;
		uint16_t n;
		unsigned int lcore[APP_MAX_QUEUES];
	} port_lcores[APP_MAX_PORTS];
	bool interactive;          /* -i: the prompt */
	bool auto_start;           /* with the CLI: start the client at once */
	const char *cmdline_file;  /* commands run before the prompt */
	const char *json_path;
	const char *csv_path;      /* --csv: the series */
	const char *profile_path;
	const char *pcap_path;     /* --pcap FILE: capture into FILE */
	uint64_t pcap_count;       /* --pcap-count: frames, 0 = no limit */
	uint32_t pcap_snaplen;     /* --pcap-snaplen: bytes kept per frame */
	struct pmtcp_sysctl sysctl;
	/* --ip */
	unsigned int n_ips;
	struct {
		uint16_t port;
		uint32_t addr;
		uint32_t addr_count;
		uint8_t prefix_len;
		uint32_t gateway;
	} ips[APP_MAX_PORTS];
	/* --tcp values as given, applied after the profile's [tcp] */
	unsigned int n_tcp;
	const char *tcp[64];
};

struct app {
	struct app_conf conf;
	unsigned int n_ports;
	struct app_port ports[APP_MAX_PORTS];
	bool loopback;             /* embedded ring pair */
	struct rte_mempool *pool;  /* the first of pools[] */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];  /* per NUMA node */
	unsigned int pool_size;    /* mbufs in all pools */
	unsigned int pool_avail_start;
	struct app_lcore lcores[RTE_MAX_LCORE];
	uint64_t start_tsc;
	uint64_t end_tsc;
	bool cli;                  /* -i or --cmdline-file */
	volatile bool client_run;  /* the client workload opens connections */
	uint64_t client_start_tsc; /* when it was (last) started */
	uint64_t tsc_hz;
	uint64_t us_per_tsc_q32;   /* microseconds per TSC cycle, 32.32 fixed
				    * point: latencies without a division */
	/* live settings from the CLI (main lcore writes, client lcores read;
	 * aligned 32/64-bit loads and stores, no tearing) */
	volatile uint64_t tsc_per_conn;  /* `set rate`: 0 = unlimited; each
					  * client lcore copies it into its
					  * app_lcore in client_open() */
	volatile uint32_t target_gen;    /* bumped by `set client` */
	uint32_t conn_pool_size;         /* connection states per client lcore */
	uint32_t n_clients;              /* client lcores */
	uint64_t cli_period_tsc;         /* `set stats-period`, 0 = off */
	unsigned int verbose;            /* `set verbose`: trace level */
	unsigned int n_listen;           /* ports listened on, every lcore */
	uint64_t concurrent_now;         /* client connections established
					  * and not yet ended, all lcores */
	uint64_t concurrent_max;         /* ... the most at once (sampled) */
	uint64_t server_concurrent_max;
	uint16_t listen_ports[APP_MAX_LISTEN];
	uint64_t cli_next_report_tsc;
	/* one entry per period (series.c) */
	struct app_sample *series;
	uint32_t n_series, series_cap;
	uint64_t series_dropped;         /* periods past APP_SERIES_MAX */
};

extern volatile bool app_force_quit;

/* @tsc cycles in microseconds (the product in 128 bits: no overflow) */
static inline uint64_t
app_tsc_to_us(const struct app *app, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * app->us_per_tsc_q32) >> 32);
}

/* parameters.c: parse argv after "--" (argv[0] is the "--"), before EAL
 * starts. Returns 0, or -1 after printing one error line, or one of: */
#define APP_ARGS_DONE 1       /* --help or --version printed: exit 0 */
#define APP_ARGS_EAL_HELP 2   /* --help-eal: have EAL print its usage */
int app_parse_args(struct app_conf *c, int argc, char **argv);
/* argv before "--": *n_eal = the index of "--" (argc without one);
 * returns 0 or APP_ARGS_* for -h/--help, --version or --help-eal there.
 * Without a "--", -i/--interactive are taken out of argv (EAL's words
 * end at *n_eal) and *interactive set. */
int app_parse_eal_side(int argc, char **argv, int *n_eal, bool *interactive);
void app_usage(FILE *f, const char *prog);
/* "pmtcp X.Y.Z (DPDK ...)" */
void app_print_version(FILE *f);

/* config.c */
int app_ports_init(struct app *app);
void app_ports_fini(struct app *app);
void app_ports_drain(struct app *app);
int app_assign_lcores(struct app *app);
/* the loopback wire (several queues): what lcore @l sent, to the queue
 * the other port's RSS (or the opaque hash) picks */
unsigned int app_wire_run(struct app *app, struct app_lcore *l);
/* "lcore 1" or "lcores 0,1" (queue order) into @buf */
const char *app_port_lcores_str(const struct app_port *p, char *buf, size_t n);
/* the mbuf pool of @lcore's NUMA node; free mbufs in all pools */
struct rte_mempool *app_lcore_pool(const struct app *app, unsigned int lcore);
unsigned int app_pools_avail(const struct app *app);
/* the port with id @port_id */
struct app_port *app_port_of(struct app *app, uint16_t port_id);

/* bench.c */
int app_lcore_main(void *arg);
void app_lcore_iterate(struct app *app, struct app_lcore *l);
int app_lcores_create_stacks(struct app *app);

/* workload.c */
int app_workload_init(struct app *app, struct app_lcore *l);
void app_workload_fini(struct app_lcore *l);
void app_workload_callbacks(struct pmtcp_callbacks *cb, struct app_lcore *l);
uint64_t app_client_ended(const struct app_lcore *l);
uint32_t app_conn_states(const struct app *app);
uint64_t app_conn_alloc(struct app_lcore *l);
int app_workload_retarget(struct app *app, struct app_lcore *l);
void app_conn_free(struct app_lcore *l, uint64_t ud);
void app_client_connecting(struct pmtcp_stack *st, struct app_lcore *l,
			   struct pmtcp_sock *sk);

/* report.c */
void app_hist_add(struct app_hist *h, uint64_t us);
double app_hist_mean_since(const struct app_hist *now,
			   const struct app_hist *before);
void app_report_line(struct app *app, double t, FILE *f);
/* the main loop's period ending at @t: a series entry, and its line on
 * @f unless NULL; app_report_end(): the run's last (partial) period */
void app_report_period(struct app *app, double t, FILE *f);
void app_report_end(struct app *app);
void app_report_summary(struct app *app, FILE *f);
int app_report_json(struct app *app, const char *path);

/* series.c */
double app_series_period_s(const struct app *app);
void app_series_add(struct app *app, const struct app_sample *s);
void app_series_json(const struct app *app, FILE *f);
int app_series_csv(const struct app *app, const char *path);
void app_series_free(struct app *app);

/* cmdline.c: the prompt, polled from the main lcore's loop;
 * cli_lcore.c: app_lcore_run_cmd(), a CLI request on a data-path lcore */
int app_cli_init(struct app *app);
int app_cli_poll(struct app *app);   /* 1 when the run should end */
void app_cli_fini(struct app *app);
void app_lcore_run_cmd(struct app_lcore *l);

/* telemetry.c: register the /pmtcp/... commands (once the stacks exist);
 * stop answering them before the stacks are freed */
int app_telemetry_init(struct app *app);
void app_telemetry_stop(void);
void app_telemetry_lcore_answer(struct app_lcore *l);

/* capture.c: rte_pdump for dpdk-dumpcap (from EAL init to exit); --pcap:
 * init once the ports and lcores exist, poll from the main lcore's loop,
 * fini once the lcores have stopped (prints one line on @f, if not NULL) */
void app_pdump_init(void);
void app_pdump_uninit(void);
int app_capture_init(struct app *app);
void app_capture_poll(struct app *app);
void app_capture_fini(struct app *app, FILE *f);
/* the JSON's "capture" member (one line, with its comma), once the
 * capture is closed; nothing without --pcap */
void app_capture_json(FILE *f);

/* error line helper: "pmtcp: error: ..." on stderr */
void app_err(const char *fmt, ...) __rte_format_printf(1, 2);

#endif /* PMTCP_APP_H */
