/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workloads: what a connection does once established.
 *   handshake  the client closes at once (--close rst|fin)
 *   request    the client sends an HTTP/1.1 GET, reads the response
 *              (status line, Content-Length or until the server's FIN),
 *              --requests-per-connection times, then closes; the server
 *              answers every request (a header block ended by a blank
 *              line) with "200 OK" and --response-size bytes of body,
 *              and closes when the client does.
 * So pmtcp talks to HTTP servers (nginx, python -m http.server) and HTTP
 * clients (curl, wrk) both ways.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "app.h"

#define SERVER_SOCK (1ULL << 63)  /* user_data of accepted socks */
#define SERVER_CLOSE (1ULL << 62) /* close after the response */
#define CLIENT_HELD (1ULL << 61)  /* --close none: held until the run ends */

enum { CONN_IDLE, CONN_HEADER, CONN_BODY };

/* Request and response bytes, built once per lcore. */
struct app_payloads {
	char *request;
	uint32_t request_len;
	char *response;
	uint32_t response_len;
};
static struct app_payloads payloads[RTE_MAX_LCORE];

static const struct app *the_app;

uint64_t
app_client_ended(const struct app_lcore *l)
{
	return l->failed_refused + l->failed_timeout + l->failed_reset +
	       l->failed_unreachable + l->failed_local + l->done;
}

static struct app_conn *
conn_get(struct app_lcore *l, uint64_t ud)
{
	if (ud == 0 || (ud & SERVER_SOCK) || ud > l->n_conns)
		return NULL;
	return &l->conns[ud - 1];
}

static void
conn_put(struct app_lcore *l, struct pmtcp_sock *sk)
{
	uint64_t ud = pmtcp_sock_userdata(sk);
	struct app_conn *c = conn_get(l, ud);

	if (c == NULL)
		return;
	rte_free(c->hdr);
	c->hdr = NULL;
	c->next_free = l->free_conn;
	l->free_conn = (uint32_t)ud;
	pmtcp_sock_set_userdata(sk, 0);
}

/* The client is done with an established connection. */
static void
client_finish(struct pmtcp_stack *st, struct app_lcore *l, struct pmtcp_sock *sk)
{
	if (the_app->conf.close_mode == CLOSE_NONE ||
	    l->held_now < l->hold_share) {
		/* held until the run ends (bench.c: client_hold()) */
		conn_put(l, sk);
		pmtcp_sock_set_userdata(sk, CLIENT_HELD);
		l->held_now++;
		return;
	}
	conn_put(l, sk);
	l->done++;
	if (the_app->conf.close_mode == CLOSE_FIN)
		pmtcp_close(st, sk);
	else
		pmtcp_abort(st, sk);
}

static void
client_send_request(struct pmtcp_stack *st, struct app_lcore *l,
		    struct pmtcp_sock *sk, struct app_conn *c)
{
	const struct app_payloads *p = &payloads[l->lcore_id];

	c->req_tsc = pmtcp_stack_now_tsc(st);
	c->phase = CONN_HEADER;
	c->hdr_len = 0;
	c->status_ok = false;
	c->body_left = 0;
	if (pmtcp_send(st, sk, p->request, p->request_len) !=
	    (int)p->request_len) {
		l->responses_bad++;
		client_finish(st, l, sk);
	}
}

/* A response is complete: count it, then the next request or close. */
static void
client_response_done(struct pmtcp_stack *st, struct app_lcore *l,
		     struct pmtcp_sock *sk, struct app_conn *c, bool ok)
{
	if (ok && c->status_ok) {
		l->responses_ok++;
		app_hist_add(&l->resp_hist,
			     app_tsc_to_us(the_app,
					   pmtcp_stack_now_tsc(st) - c->req_tsc));
	} else {
		l->responses_bad++;
	}
	c->phase = CONN_IDLE;
	c->requests++;
	if (ok && c->status_ok && c->requests < the_app->conf.requests_per_conn)
		client_send_request(st, l, sk, c);
	else
		client_finish(st, l, sk);
}

/* The first "\r\n\r\n" in @p[0..@n), or NULL (memchr() for each '\r':
 * glibc's memmem() sets up a two-way search on every call). */
static const char *
find_blank_line(const char *p, size_t n)
{
	const char *end = p + n;

	while (end - p >= 4) {
		p = memchr(p, '\r', (size_t)(end - p - 3));
		if (p == NULL)
			return NULL;
		if (p[1] == '\n' && p[2] == '\r' && p[3] == '\n')
			return p;
		p++;
	}
	return NULL;
}

/* The line starting at @p (before @end) begins with @name, any case. */
static inline bool
line_starts(const char *p, const char *end, const char *name, size_t n)
{
	return (size_t)(end - p) >= n && strncasecmp(p, name, n) == 0;
}

/* Parse the response header @h[0..@n) once its blank line is in: status
 * 200 and Content-Length, line by line (a few lines: cheaper than
 * strcasestr(), which was a third of the client's cycles). @h ends with
 * the blank line, so strtoul() stops inside it. */
static void
client_parse_header(struct app_conn *c, const char *h, size_t n)
{
	const char *end = h + n, *p = h;

	c->status_ok = n >= 12 && (memcmp(h, "HTTP/1.1 200", 12) == 0 ||
				   memcmp(h, "HTTP/1.0 200", 12) == 0);
	c->body_left = UINT32_MAX;   /* until the server closes */
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (line_starts(p, end, "content-length:", 15)) {
			c->body_left = (uint32_t)strtoul(p + 15, NULL, 10);
			break;
		}
	}
}

/* A whole response: counted, then the next request or the close; true
 * when the connection is closed (@sk no longer to be used). */
static inline bool
client_response_ok(struct pmtcp_stack *st, struct app_lcore *l,
		   struct pmtcp_sock *sk, struct app_conn *c)
{
	client_response_done(st, l, sk, c, true);
	return pmtcp_sock_userdata(sk) == 0;
}

/* The response header @h[0..@n) is in: parse it and go on to the body;
 * true when that already ended the response and closed the connection. */
static bool
client_header_done(struct pmtcp_stack *st, struct app_lcore *l,
		   struct pmtcp_sock *sk, struct app_conn *c, const char *h,
		   size_t n)
{
	client_parse_header(c, h, n);
	c->phase = CONN_BODY;
	return c->body_left == 0 && client_response_ok(st, l, sk, c);
}

static void
client_recv(struct pmtcp_stack *st, struct app_lcore *l, struct pmtcp_sock *sk,
	    struct app_conn *c, const uint8_t *data, uint32_t len)
{
	while (len > 0) {
		if (c->phase == CONN_HEADER && c->hdr_len == 0) {
			/* the whole header in this segment (the usual case):
			 * parse it where it lies, no copy */
			const char *h = (const char *)data;
			const char *eoh = find_blank_line(h, len);

			if (eoh != NULL) {
				uint32_t hl = (uint32_t)(eoh + 4 - h);

				data += hl;
				len -= hl;
				if (client_header_done(st, l, sk, c, h, hl))
					return;
				continue;
			}
		}
		if (c->phase == CONN_HEADER) {
			/* copy what fits, look for the blank line from the
			 * last 3 bytes already held on */
			uint32_t old = c->hdr_len;
			uint32_t n = RTE_MIN(len, (uint32_t)APP_HDR_MAX - 1 - old);
			uint32_t from = old >= 3 ? old - 3 : 0;
			const char *eoh;

			if (c->hdr == NULL) {
				/* a header split over segments: rare */
				c->hdr = rte_malloc("pmtcp_hdr", APP_HDR_MAX, 0);
				if (c->hdr == NULL) {
					client_response_done(st, l, sk, c, false);
					return;
				}
			}

			memcpy(c->hdr + old, data, n);
			eoh = find_blank_line(c->hdr + from, old + n - from);
			if (eoh == NULL) {
				if (n < len) {   /* longer than hdr[] holds */
					client_response_done(st, l, sk, c, false);
					return;
				}
				c->hdr_len = old + n;
				data += n;
				len -= n;
			} else {
				c->hdr_len = (uint32_t)(eoh + 4 - c->hdr);
				data += c->hdr_len - old;
				len -= c->hdr_len - old;
				if (client_header_done(st, l, sk, c, c->hdr,
						       c->hdr_len))
					return;
			}
		} else if (c->phase == CONN_BODY) {
			uint32_t n = RTE_MIN(len, c->body_left);

			if (c->body_left != UINT32_MAX)
				c->body_left -= n;
			data += n;
			len -= n;
			if (c->body_left == 0 && client_response_ok(st, l, sk, c))
				return;
		} else {
			/* bytes nobody asked for */
			client_response_done(st, l, sk, c, false);
			return;
		}
	}
}

/* A request line ending in " HTTP/1.0" or a "Connection: close" header
 * (any case) among the lines of @p[0..@n). */
static bool
request_closes(const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;

		if (le - p >= 10 && memcmp(le - 10, " HTTP/1.0\r", 10) == 0)
			return true;
		if (line_starts(p, le, "connection:", 11)) {
			const char *v = p + 11;

			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			if (line_starts(v, le, "close", 5))
				return true;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}

/* Server: every "\r\n\r\n" ends a request; answer each. The match state
 * (0..3 bytes of the terminator seen) lives in the sock's user data. */
static void
server_recv(struct pmtcp_stack *st, struct app_lcore *l, struct pmtcp_sock *sk,
	    const uint8_t *data, uint32_t len)
{
	static const char term[4] = { '\r', '\n', '\r', '\n' };
	uint64_t ud = pmtcp_sock_userdata(sk);
	unsigned int matched = (unsigned int)(ud & 3);
	bool close_after = (ud & SERVER_CLOSE) != 0;
	const struct app_payloads *p = &payloads[l->lcore_id];

	/* RFC 9112 9.6: an HTTP/1.0 request or "Connection: close" ends the
	 * connection after the response (looked for within this segment) */
	if (!close_after && request_closes((const char *)data, len))
		close_after = true;
	for (uint32_t i = 0; i < len; i++) {
		if (matched == 0) {
			/* nothing matched: skip to the next '\r' */
			const uint8_t *cr = memchr(data + i, '\r', len - i);

			if (cr == NULL)
				break;
			i = (uint32_t)(cr - data);
		}
		if (data[i] == term[matched]) {
			if (++matched < 4)
				continue;
			matched = 0;
			l->server_requests++;
			pmtcp_send(st, sk, p->response, p->response_len);
			if (close_after) {
				pmtcp_close(st, sk);
				return;
			}
		} else {
			matched = data[i] == '\r' ? 1 : 0;
		}
	}
	pmtcp_sock_set_userdata(sk, SERVER_SOCK | matched |
				(close_after ? SERVER_CLOSE : 0));
}

/* `connect ... count N` with a small N: one line per connection. */
static void
conn_report(const struct pmtcp_sock *sk, const char *how, uint64_t us)
{
	struct pmtcp_sock_info si;
	const uint8_t *s, *d;

	pmtcp_sock_info(sk, &si);
	s = (const uint8_t *)&si.saddr;
	d = (const uint8_t *)&si.daddr;
	printf("connect: %u.%u.%u.%u:%u > %u.%u.%u.%u:%u %s", s[0], s[1], s[2],
	       s[3], si.sport, d[0], d[1], d[2], d[3], si.dport, how);
	if (us != 0)
		printf(", RTT %" PRIu64 " us", us);
	printf("\n");
}

static void
on_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct app_lcore *l = arg;
	struct app_conn *c = conn_get(l, pmtcp_sock_userdata(sk));
	uint64_t us = app_tsc_to_us(the_app,
				    pmtcp_stack_now_tsc(st) -
				    pmtcp_sock_open_tsc(sk));

	l->established++;
	app_hist_add(&l->hist, us);
	if (unlikely(c != NULL && c->report))
		conn_report(sk, "established", RTE_MAX(us, (uint64_t)1));
	if (the_app->conf.workload == WORKLOAD_HANDSHAKE || c == NULL) {
		client_finish(st, l, sk);
		return;
	}
	c->requests = 0;
	if (c->phase == CONN_HEADER) {
		/* queued at connect: it left with the handshake's ACK */
		c->req_tsc = pmtcp_stack_now_tsc(st);
		return;
	}
	client_send_request(st, l, sk, c);
}

/*
 * A connect() just made: queue the first request now, so that it rides on
 * the handshake's ACK (pmtcp_send() in SYN_SENT, as a Linux writer waiting
 * in connect: sk_write_pending). Up to 4 KB, which the send buffer always
 * takes whole; a larger request, or no mbuf, waits for on_connected().
 */
void
app_client_connecting(struct pmtcp_stack *st, struct app_lcore *l,
		      struct pmtcp_sock *sk)
{
	const struct app_payloads *p = &payloads[l->lcore_id];
	struct app_conn *c = conn_get(l, pmtcp_sock_userdata(sk));

	if (the_app->conf.workload == WORKLOAD_HANDSHAKE || c == NULL ||
	    p->request_len > 4096)
		return;
	if (pmtcp_send(st, sk, p->request, p->request_len) == (int)p->request_len) {
		c->phase = CONN_HEADER;
		c->hdr_len = 0;
		c->status_ok = false;
		c->body_left = 0;
	}
}

static void
on_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct app_lcore *l = arg;

	RTE_SET_USED(st);
	pmtcp_sock_set_userdata(sk, SERVER_SOCK);
	l->accepted++;
}

static void
on_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct app_lcore *l = arg;

	struct app_conn *c;

	RTE_SET_USED(st);
	if (pmtcp_sock_userdata(sk) & SERVER_SOCK)
		return;
	c = conn_get(l, pmtcp_sock_userdata(sk));
	if (unlikely(c != NULL && c->report))
		conn_report(sk, err == -ECONNREFUSED ? "refused" :
			    err == -ETIMEDOUT ? "timed out" :
			    err == -EHOSTUNREACH ? "unreachable" : "reset", 0);
	conn_put(l, sk);
	switch (err) {
	case -ECONNREFUSED:
		l->failed_refused++;
		break;
	case -ETIMEDOUT:
		l->failed_timeout++;
		break;
	case -EHOSTUNREACH:
		l->failed_unreachable++;
		break;
	default:
		l->failed_reset++;
		break;
	}
}

static void
on_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg)
{
	struct app_lcore *l = arg;
	uint64_t ud = pmtcp_sock_userdata(sk);

	RTE_SET_USED(st);
	if (ud & SERVER_SOCK) {
		if (err != 0)
			l->server_closed++;
		return;
	}
	if (ud == CLIENT_HELD) {   /* the peer ended a held connection */
		l->held_now--;
		l->done++;
		l->closed_by_peer += err != 0;
		return;
	}
	if (conn_get(l, ud) == NULL)
		return;   /* the client had finished with it already */
	conn_put(l, sk);
	l->done++;
	if (err != 0) {
		l->closed_by_peer++;
		l->responses_bad += the_app->conf.workload == WORKLOAD_REQUEST;
	}
}

static void
on_recv(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *data,
	uint32_t len, void *arg)
{
	struct app_lcore *l = arg;
	uint64_t ud = pmtcp_sock_userdata(sk);
	struct app_conn *c;

	if (ud & SERVER_SOCK) {
		server_recv(st, l, sk, data, len);
		return;
	}
	c = conn_get(l, ud);
	if (c != NULL)
		client_recv(st, l, sk, c, data, len);
}

static void
on_peer_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg)
{
	struct app_lcore *l = arg;
	uint64_t ud = pmtcp_sock_userdata(sk);
	struct app_conn *c;

	if (ud & SERVER_SOCK) {
		pmtcp_close(st, sk);     /* the client is done: so are we */
		return;
	}
	c = conn_get(l, ud);
	if (c == NULL) {
		pmtcp_close(st, sk);   /* held: closed() counts it */
		return;
	}
	if (c->phase == CONN_BODY && c->body_left == UINT32_MAX) {
		client_response_done(st, l, sk, c, true);  /* ended by FIN */
		if (pmtcp_sock_userdata(sk) == 0)
			return;
	}
	if (c->phase != CONN_IDLE)
		l->responses_bad++;   /* the server closed mid-response */
	conn_put(l, sk);
	l->done++;
	pmtcp_close(st, sk);
}

void
app_workload_callbacks(struct pmtcp_callbacks *cb, struct app_lcore *l)
{
	cb->connected = on_connected;
	cb->accepted = on_accepted;
	cb->failed = on_failed;
	cb->closed = on_closed;
	cb->recv = on_recv;
	cb->peer_closed = on_peer_closed;
	cb->arg = l;
}

/* The request: a plain GET, padded with an X-Pad header up to
 * --request-size. */
static int
build_request(const struct app *app, struct app_payloads *p)
{
	const struct app_conf *c = &app->conf;
	const uint8_t *a = (const uint8_t *)&c->client_addr;
	char base[160];
	int n = snprintf(base, sizeof(base),
			 "GET / HTTP/1.1\r\nHost: %u.%u.%u.%u:%u\r\nUser-Agent: pmtcp\r\nAccept: */*\r\n",
			 a[0], a[1], a[2], a[3], c->client_port);
	uint32_t want = RTE_MAX(c->request_size, (uint32_t)n + 2);
	uint32_t pad = want - (uint32_t)n - 2;

	p->request = rte_malloc("pmtcp_request", want + 1, 0);
	if (p->request == NULL)
		return -ENOMEM;
	memcpy(p->request, base, (size_t)n);
	if (pad > 0) {
		/* "X-Pad: " + filler + "\r\n" needs 9 bytes at least */
		uint32_t fill = pad < 9 ? 0 : pad - 9;

		if (pad < 9) {
			want = (uint32_t)n + 2;   /* too small to pad: plain GET */
		} else {
			memcpy(p->request + n, "X-Pad: ", 7);
			memset(p->request + n + 7, 'a', fill);
			memcpy(p->request + n + 7 + fill, "\r\n", 2);
		}
	}
	memcpy(p->request + want - 2, "\r\n", 2);
	p->request_len = want;
	return 0;
}

static int
build_response(const struct app *app, struct app_payloads *p)
{
	uint32_t body = app->conf.response_size;
	char hdr[128];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 200 OK\r\nServer: pmtcp\r\nContent-Type: text/plain\r\nContent-Length: %u\r\n\r\n",
			 body);

	p->response = rte_malloc("pmtcp_response", (size_t)n + body, 0);
	if (p->response == NULL)
		return -ENOMEM;
	memcpy(p->response, hdr, (size_t)n);
	memset(p->response + n, 'x', body);
	p->response_len = (uint32_t)n + body;
	return 0;
}

/*
 * Connection states per client lcore: --concurrency of them (closed loop).
 * With --concurrency 0 (open loop) the connection table is the cap: one
 * state per sock for the request workload and the prompt's `connect`, none
 * for the handshake workload, which needs none (user data 0).
 */
uint32_t
app_conn_states(const struct app *app)
{
	const struct app_conf *c = &app->conf;

	if (c->workload == WORKLOAD_HANDSHAKE && !app->cli)
		return 0;
	if (c->concurrency != 0)
		return c->concurrency;
	return c->table_size;
}

int
app_workload_init(struct app *app, struct app_lcore *l)
{
	struct app_payloads *p = &payloads[l->lcore_id];

	the_app = app;
	/* with the prompt the main lcore can always `connect`, and every
	 * lcore can `listen` */
	if (l->client || (app->cli && l->lcore_id == rte_get_main_lcore())) {
		l->n_conns = app_conn_states(app);
		if (l->n_conns != 0 && !app->cli && l->conc_share != 0)
			l->n_conns = l->conc_share;   /* its share of them */
		l->conns = l->n_conns == 0 ? NULL :
			   rte_zmalloc("pmtcp_conns",
				       sizeof(*l->conns) * l->n_conns, 0);
		if (l->conns == NULL && l->n_conns != 0)
			return -ENOMEM;
		l->free_conn = 0;
		for (uint32_t i = l->n_conns; i-- > 0;) {
			l->conns[i].next_free = l->free_conn;
			l->free_conn = i + 1;
		}
		if (build_request(app, p) != 0)
			return -ENOMEM;
	}
	if ((l->server || app->cli) && build_response(app, p) != 0)
		return -ENOMEM;
	return 0;
}

/* `set client`: the request's Host header names the new target. Runs on
 * the lcore that sends the request. */
int
app_workload_retarget(struct app *app, struct app_lcore *l)
{
	struct app_payloads *p = &payloads[l->lcore_id];
	struct app_payloads fresh;

	if (build_request(app, &fresh) != 0)
		return -ENOMEM;
	rte_free(p->request);
	p->request = fresh.request;
	p->request_len = fresh.request_len;
	return 0;
}

void
app_workload_fini(struct app_lcore *l)
{
	for (uint32_t i = 0; l->conns != NULL && i < l->n_conns; i++)
		rte_free(l->conns[i].hdr);
	rte_free(l->conns);
	l->conns = NULL;
	rte_free(payloads[l->lcore_id].request);
	rte_free(payloads[l->lcore_id].response);
	payloads[l->lcore_id].request = NULL;
	payloads[l->lcore_id].response = NULL;
}

/* Take a connection state for a new connect(): its user data. */
uint64_t
app_conn_alloc(struct app_lcore *l)
{
	uint32_t idx = l->free_conn;

	if (idx == 0)
		return 0;
	l->free_conn = l->conns[idx - 1].next_free;
	memset(&l->conns[idx - 1], 0, sizeof(l->conns[idx - 1]));
	return idx;
}

/* Give it back when connect() failed at once. */
void
app_conn_free(struct app_lcore *l, uint64_t ud)
{
	if (ud == 0 || ud > l->n_conns)
		return;
	l->conns[ud - 1].next_free = l->free_conn;
	l->free_conn = (uint32_t)ud;
}
