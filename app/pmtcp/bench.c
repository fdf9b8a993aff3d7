/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmark's lcore loop (run to completion): open connections at the
 * configured rate and concurrency, receive a burst, run timers, flush TX.
 * What a connection does once open is workload.c's.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "app.h"

#define CONNECT_BURST 32
#define HOLD_HANDSHAKES 1024   /* --close none: handshakes under way */

volatile bool app_force_quit;

/*
 * Connection table size per lcore, unless --table-size says: room for
 * the lcore's share of --concurrency (its role's share: a server lcore
 * holds what the client lcores of its port pair send it, spread by RSS,
 * hence a sixteenth more), and at least 65536.
 */
static uint32_t
table_size(const struct app *app, const struct app_lcore *l)
{
	const struct app_conf *c = &app->conf;
	unsigned int n_role = 0, lc;
	uint64_t share;

	if (c->table_size_set || (c->concurrency == 0 && c->hold == 0))
		return c->table_size;
	RTE_LCORE_FOREACH(lc) {
		const struct app_lcore *o = &app->lcores[lc];

		if (o->active && (l->client ? o->client : o->server))
			n_role++;
	}
	share = (c->concurrency + c->hold) / RTE_MAX(n_role, 1u);
	if (!l->client)
		share += share / 16;
	share += 1024;
	return (uint32_t)RTE_MIN(RTE_MAX(share, (uint64_t)c->table_size),
				 (uint64_t)1 << 26);
}

/*
 * The workloads write a request or a response whole, in one pmtcp_send(),
 * and do not come back for what it did not take. As a server sizes
 * SO_SNDBUF for what it writes at once, raise tcp_wmem's default (and its
 * maximum, if lower) to the send queue the larger of the two needs: its
 * mbufs, each counted whole (the pool's element size). Below that size
 * the knobs stay as given.
 */
static void
sndbuf_for_payloads(const struct app *app, struct pmtcp_sysctl *s)
{
	const uint64_t hdr = 160;   /* the response or GET header, at most */
	uint64_t len = RTE_MAX((uint64_t)app->conf.response_size,
			       (uint64_t)app->conf.request_size) + hdr;
	uint64_t room = rte_pktmbuf_data_room_size(app->pool);
	uint64_t need = (len + room - 1) / room * app->pool->elt_size;

	if (need <= (uint64_t)s->tcp_wmem[1] || need > INT32_MAX)
		return;
	s->tcp_wmem[1] = (int32_t)need;
	if (s->tcp_wmem[2] < s->tcp_wmem[1])
		s->tcp_wmem[2] = s->tcp_wmem[1];
}

/* Build each active lcore's stack from the command line and the profiles. */
int
app_lcores_create_stacks(struct app *app)
{
	struct app_conf *c = &app->conf;
	char err[256];
	unsigned int lc;

	RTE_LCORE_FOREACH(lc) {
		struct app_lcore *l = &app->lcores[lc];
		struct pmtcp_stack_conf sc;
		char name[32];

		if (!l->active)
			continue;
		pmtcp_stack_conf_init(&sc);
		snprintf(name, sizeof(name), "lcore%u", lc);
		sc.name = name;
		sc.socket_id = (int)rte_lcore_to_socket_id(lc);
		sc.pool = app_lcore_pool(app, lc);
		sc.max_conns = table_size(app, l);
		sc.tx_burst = app_port_of(app, l->ports[0])->profile.burst;
		for (uint16_t i = 0; i < l->n_ports; i++)
			if (app_port_of(app, l->ports[i])->nb_queues > 1)
				sc.inbox_size = 4096;
		/* knobs: Linux defaults, the profile's [tcp], then --tcp */
		pmtcp_sysctl_init(&sc.sysctl);
		for (uint16_t i = 0; i < l->n_ports; i++) {
			const struct app_port *p = app_port_of(app, l->ports[i]);

			if (app_profile_apply_sysctl(&p->profile, &sc.sysctl,
						       err, sizeof(err)) != 0) {
				app_err("%s", err);
				return -1;
			}
		}
		for (unsigned int i = 0; i < c->n_tcp; i++) {
			if (pmtcp_sysctl_parse(&sc.sysctl, c->tcp[i], err,
					       sizeof(err)) != 0) {
				app_err("--tcp: %s", err);
				return -1;
			}
		}
		sndbuf_for_payloads(app, &sc.sysctl);
		/* TIME_WAIT entries (64 bytes each): as many as
		 * tcp_max_tw_buckets where connections may end in TIME_WAIT
		 * (--close fin, or the prompt's set close fin). Without it a
		 * client lcore never closes first with a FIN (it resets,
		 * holds, or answers the peer's FIN: LAST_ACK), so one entry
		 * (for a simultaneous close) and no table slots for more; a
		 * server closes first when an HTTP client asks it to: the
		 * library's default, at most the table */
		if (c->close_mode == CLOSE_FIN || app->cli)
			sc.max_tw = (uint32_t)RTE_MAX(sc.sysctl.tcp_max_tw_buckets, 0);
		else if (!l->server)
			sc.max_tw = 1;
		app_workload_callbacks(&sc.cb, l);
		if (app_workload_init(app, l) != 0) {
			app_err("lcore %u: out of memory for the workload (try a smaller --concurrency)",
				lc);
			return -1;
		}
		l->st = pmtcp_stack_create(&sc);
		if (l->st == NULL) {
			app_err("lcore %u: cannot create the TCP stack: %s (try a smaller --table-size, or give EAL more memory with -m)",
				lc, rte_strerror(rte_errno));
			return -1;
		}
		l->stack_memory = pmtcp_stack_conn_memory(l->st);
		l->conn_memory = l->stack_memory +
				 (uint64_t)l->n_conns * sizeof(struct app_conn);
		for (uint16_t i = 0; i < l->n_ports; i++) {
			const struct app_port *p = app_port_of(app, l->ports[i]);
			struct pmtcp_iface_conf ic;
			int ret;

			memset(&ic, 0, sizeof(ic));
			ic.port_id = p->port_id;
			ic.queue_id = l->queues[i];
			ic.nb_queues = p->nb_queues;
			ic.steer = p->steer;
			memcpy(ic.rss_key, p->rss_key, sizeof(ic.rss_key));
			ic.rss_key_len = p->rss_key_len;
			ic.reta_size = p->reta_size;
			memcpy(ic.reta, p->reta, sizeof(ic.reta));
			ic.addr = p->addr;
			ic.addr_count = p->addr_count;
			ic.prefix_len = p->prefix_len;
			ic.gateway = p->gateway;
			ic.mac = p->mac;
			ic.mtu = p->mtu;
			ic.tx_ip_cksum = p->tx_ip_cksum;
			ic.tx_tcp_cksum = p->tx_tcp_cksum;
			ic.rx_cksum = p->rx_cksum;
			ic.rx_csum_partial = p->rx_csum_partial;
			ret = pmtcp_stack_add_iface(l->st, &ic);
			if (ret < 0) {
				app_err("port %u: bad interface configuration: %s",
					p->port_id, strerror(-ret));
				return -1;
			}
		}
		/* with the prompt every lcore listens, so that `listen` and
		 * `unlisten` find every lcore alike */
		for (uint32_t k = 0; (l->server || (app->cli && c->server)) &&
		     k < c->server_ports; k++) {
			int ret = pmtcp_listen(l->st, (uint16_t)(c->server_port + k));

			if (ret != 0) {
				app_err("listen on %u: %s", c->server_port + k,
					strerror(-ret));
				return -1;
			}
		}
		if (l->client && c->rate != 0)
			l->tsc_per_conn = rte_get_tsc_hz() * l->n_clients / c->rate;
	}
	/* each stack of a port with several queues knows the others */
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct app_port *p = &app->ports[i];

		for (uint16_t a = 0; p->nb_queues > 1 && a < p->nb_queues; a++) {
			for (uint16_t q = 0; q < p->nb_queues; q++) {
				int ret = pmtcp_stack_set_peer(app->lcores[p->lcore[a]].st,
							       p->port_id, q,
							       app->lcores[p->lcore[q]].st);

				if (ret != 0) {
					app_err("port %u queue %u: %s", p->port_id, q,
						strerror(-ret));
					return -1;
				}
			}
		}
	}
	if (c->server) {
		for (uint32_t k = 0; k < c->server_ports; k++)
			app->listen_ports[k] = (uint16_t)(c->server_port + k);
		app->n_listen = c->server_ports;
	}
	RTE_LCORE_FOREACH(lc)
		if (app->lcores[lc].active && app->lcores[lc].client)
			app->n_clients = app->lcores[lc].n_clients;
	app->tsc_per_conn = c->rate != 0 ?
		rte_get_tsc_hz() * RTE_MAX(app->n_clients, 1u) / c->rate : 0;
	app->conn_pool_size = c->concurrency != 0 ? c->concurrency :
			      app_conn_states(app);
	return 0;
}

/* Open what the rate, the concurrency and the limits allow now. */
static unsigned int
client_open(struct app *app, struct app_lcore *l, uint64_t now)
{
	const struct app_conf *c = &app->conf;
	uint64_t in_flight = l->attempted - app_client_ended(l);
	/* --close none: of those, the handshakes still going on */
	uint64_t handshakes = in_flight - (l->established - l->done);
	unsigned int opened = 0;
	uint64_t tpc = app->tsc_per_conn;
	uint32_t conc;

	/* `set rate` from the CLI: take the new pacing, restart it now */
	if (unlikely(tpc != l->tsc_per_conn)) {
		l->tsc_per_conn = tpc;
		l->next_connect_tsc = now;
	}
	/* `set client`: the request names the new target; warm the cache
	 * for it */
	if (unlikely(l->target_gen_seen != app->target_gen)) {
		l->target_gen_seen = app->target_gen;
		l->target_resolved = false;
		l->warm_next = 0;
		if (app_workload_retarget(app, l) != 0)
			return 0;   /* out of memory: keep the old request */
	}
	/* warm the ARP cache first (up to 1 s) so the first burst of SYNs
	 * does not overflow the pending queue of an unresolved neighbour:
	 * each target's next hop in turn */
	if (!l->target_resolved) {
		for (; l->warm_next < c->client_addrs; l->warm_next++) {
			uint32_t a = rte_cpu_to_be_32(rte_be_to_cpu_32(c->client_addr) +
						      l->warm_next);

			if (pmtcp_neigh_resolve(l->st, a) == 0 &&
			    now - app->client_start_tsc < rte_get_tsc_hz())
				return 0;
		}
		l->target_resolved = true;
	}
	if (unlikely(now < l->local_wait_tsc))
		return 0;
	while (opened < CONNECT_BURST) {
		uint64_t ud;
		struct pmtcp_sock *sk;
		int ret;

		if (c->connections != 0 && l->attempted >= l->conn_share)
			break;
		if (app->end_tsc != 0 && now >= app->end_tsc)
			break;
		/* --concurrency 0: open loop, no cap on connections open;
		 * else this lcore's share of it (`set concurrency` too) */
		conc = *(volatile const uint32_t *)&c->concurrency;
		if (conc != 0 && l->n_clients > 1)
			conc = RTE_MAX(conc / l->n_clients +
				       (l->client_idx < conc % l->n_clients), 1u);
		/* --close none: --concurrency is what is held; --hold: what
		 * is held comes on top of --concurrency */
		if (conc != 0 && in_flight - (c->close_mode == CLOSE_NONE ?
					      0 : l->held_now) >= conc)
			break;
		/* the handshakes under way keep the default closed loop,
		 * so that the client offers what the server completes */
		if (c->close_mode == CLOSE_NONE && conc != 0 &&
		    handshakes >= HOLD_HANDSHAKES)
			break;
		if (l->tsc_per_conn != 0) {
			uint64_t step = l->tsc_per_conn;

			/* --ramp: the rate climbs linearly to --rate */
			if (c->ramp_s > 0 && now - app->client_start_tsc <
			    (uint64_t)(c->ramp_s * (double)rte_get_tsc_hz())) {
				double f = (double)(now - app->client_start_tsc) /
					   (c->ramp_s * (double)rte_get_tsc_hz());

				step = (uint64_t)((double)step / RTE_MAX(f, 0.001));
			}
			if (now < l->next_connect_tsc)
				break;
			/* behind schedule (a long iteration, a stall): catch
			 * up, CONNECT_BURST per iteration, on up to 1 ms of
			 * missed connects (or one burst's worth, if longer);
			 * what is older than that is not offered. An open
			 * loop that dropped its deficit at every iteration
			 * longer than a burst offered 60 % of its rate */
			if (now - l->next_connect_tsc >
			    RTE_MAX(step * CONNECT_BURST, app->tsc_hz / 1000))
				l->next_connect_tsc = now;
			l->next_connect_tsc += step;
		}
		ud = l->n_conns != 0 ? app_conn_alloc(l) : 0;
		if (ud == 0 && l->n_conns != 0) {
			if (conc != 0)
				break;   /* every connection state in use */
			/* open loop: the offer goes on; a connection that
			 * finds no state fails locally, as a full table does */
			l->attempted++;
			l->failed_local++;
			opened++;
			continue;
		}
		if (c->client_addrs * c->client_ports == 1) {
			ret = pmtcp_connect(l->st, c->client_addr, c->client_port,
					    ud, &sk);
		} else {
			/* a range: every (target, port) in turn */
			uint64_t d = l->dst_next++ %
				     ((uint64_t)c->client_addrs * c->client_ports);

			ret = pmtcp_connect(l->st,
					    rte_cpu_to_be_32(rte_be_to_cpu_32(c->client_addr) +
							     (uint32_t)(d / c->client_ports)),
					    (uint16_t)(c->client_port + d % c->client_ports),
					    ud, &sk);
		}
		l->attempted++;
		opened++;
		if (ret != 0) {
			app_conn_free(l, ud);
			l->failed_local++;
			/* no source port free (or no sock): in a closed loop,
			 * try again in a millisecond, when some may have been
			 * freed, rather than count failures as fast as the
			 * loop turns */
			if (conc != 0 && (ret == -EADDRNOTAVAIL || ret == -ENOBUFS)) {
				l->local_wait_tsc = now + app->tsc_hz / 1000;
				break;
			}
		} else {
			in_flight++;
			handshakes++;
			app_client_connecting(l->st, l, sk);
		}
	}
	if (!l->client_finished && l->attempted == app_client_ended(l) &&
	    ((c->connections != 0 && l->attempted >= l->conn_share) ||
	     (app->end_tsc != 0 && now >= app->end_tsc)))
		l->client_finished = true;
	return opened;
}

/*
 * --close none and --hold: established connections are held. Once the
 * run's time is up (without --duration: once each of the lcore's
 * connections has ended, is held, or has failed) they are reset,
 * HOLD_RESET_BURST a turn, so that the RSTs do not overrun the TX ring;
 * then the client is finished.
 */
#define HOLD_RESET_BURST 256

static unsigned int
client_hold(struct app *app, struct app_lcore *l, uint64_t now)
{
	const struct app_conf *c = &app->conf;
	int n;

	if (!l->resetting) {
		bool over = app->end_tsc != 0 ? now >= app->end_tsc :
			    c->connections != 0 && l->attempted >= l->conn_share &&
			    l->attempted == app_client_ended(l) + l->held_now;

		if (!over)
			return 0;
		l->resetting = true;
	}
	n = pmtcp_stack_abort_active(l->st, HOLD_RESET_BURST);
	if (n == -EAGAIN)
		return 1;   /* the TX batch is full: after this turn's flush */
	if (n == 0) {
		l->done += l->held_now;   /* every held one ended */
		l->held_now = 0;
		l->resetting = false;
		l->client_finished = true;
	}
	return (unsigned int)n;
}

/* Busy-wait @cycles TSC cycles. */
static void
tax_wait(uint64_t cycles)
{
	uint64_t end = rte_rdtsc() + cycles;

	while (rte_rdtsc() < end)
		rte_pause();
}

/* One turn of the run-to-completion loop. */
void
app_lcore_iterate(struct app *app, struct app_lcore *l)
{
	uint64_t t0 = rte_rdtsc();
	unsigned int work = 0;

	if (unlikely(l->cmd_req != l->cmd_resp))
		app_lcore_run_cmd(l);
	if (unlikely(l->tel_req != l->tel_resp))
		app_telemetry_lcore_answer(l);
	if (l->client && app->client_run && !l->client_finished) {
		if (app->conf.close_mode == CLOSE_NONE || l->hold_share != 0)
			work += client_hold(app, l, t0);
		if (!l->resetting && !l->client_finished)
			work += client_open(app, l, t0);
	}
	work += pmtcp_stack_run_once(l->st, t0);
	work += app_wire_run(app, l);
	if (work != 0) {
		uint64_t busy = rte_rdtsc() - t0;

		/* --slowdown F: this turn took F times as long, on a core
		 * F times slower (every part of it alike: a shed SYN as
		 * much as a handshake) */
		if (unlikely(app->conf.slowdown > 1)) {
			uint64_t extra = (uint64_t)((double)busy *
						    (app->conf.slowdown - 1));

			tax_wait(extra);
			busy += extra;
		}
		l->busy_cycles += busy;
	}
	l->loops++;
}

/* Worker lcores: loop until told to quit. The main lcore calls
 * app_lcore_iterate() itself, between reports. */
int
app_lcore_main(void *arg)
{
	struct app *app = arg;
	struct app_lcore *l = &app->lcores[rte_lcore_id()];

	if (!l->active)
		return 0;
	l->next_connect_tsc = rte_rdtsc();
	while (!app_force_quit)
		app_lcore_iterate(app, l);
	return 0;
}
