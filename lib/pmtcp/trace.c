/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracing: the kernel's sock:inet_sock_set_state tracepoint (Linux 4.16+,
 * include/trace/events/sock.h) for state changes, and a tcpdump-style line
 * per TCP segment in and out. Off by default; the fast path pays one
 * predictable branch per segment and per state change
 * (pmtcp_trace_on()). The lines go to the application's callback.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "pmtcp_priv.h"
#include "tcp.h"

#define TRACE_LINE_MAX 320

int
pmtcp_stack_set_trace(struct pmtcp_stack *st, int level, pmtcp_trace_fn fn,
		      void *arg)
{
	if (st == NULL || level < PMTCP_TRACE_OFF ||
	    level > PMTCP_TRACE_SEGMENT ||
	    (level != PMTCP_TRACE_OFF && fn == NULL))
		return -EINVAL;
	st->trace_fn = fn;
	st->trace_arg = arg;
	st->trace_level = (uint8_t)level;
	return 0;
}

/* Append to a line, never past its end (a full line is cut short). */
struct trace_buf {
	char s[TRACE_LINE_MAX];
	size_t len;
};

static void __rte_format_printf(2, 3)
tb_printf(struct trace_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = RTE_MIN(b->len + (size_t)n, sizeof(b->s) - 1);
}

static void
tb_time(struct trace_buf *b, const struct pmtcp_stack *st)
{
	tb_printf(b, "%u.%03u ", st->now_ms / 1000, st->now_ms % 1000);
}

static void
tb_addr(struct trace_buf *b, uint32_t addr, uint16_t port_be, char sep)
{
	const uint8_t *a = (const uint8_t *)&addr;

	tb_printf(b, "%u.%u.%u.%u%c%u", a[0], a[1], a[2], a[3], sep,
		  rte_be_to_cpu_16(port_be));
}

void
pmtcp_trace_state(struct pmtcp_stack *st, const struct pmtcp_sock *sk,
		  int old, int state)
{
	struct trace_buf b = { .len = 0 };

	tb_time(&b, st);
	tb_printf(&b, "state ");
	tb_addr(&b, sk->saddr, sk->sport, ':');
	tb_printf(&b, " > ");
	tb_addr(&b, sk->daddr, sk->dport, ':');
	tb_printf(&b, " %s -> %s", pmtcp_tcp_state_name(old),
		  pmtcp_tcp_state_name(state));
	st->trace_fn(st, b.s, st->trace_arg);
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* tcpdump's print-tcp.c order and words: "mss 1460,sackOK,TS val 1 ecr
 * 0,nop,wscale 7". A malformed option ends the list with "bad opt". */
static void
tb_options(struct trace_buf *b, const uint8_t *o, unsigned int len)
{
	unsigned int i = 0;
	const char *sep = "";

	tb_printf(b, ", options [");
	while (i < len) {
		uint8_t kind = o[i], olen;

		tb_printf(b, "%s", sep);
		sep = ",";
		if (kind == TCPOPT_EOL) {
			tb_printf(b, "eol");
			break;
		}
		if (kind == TCPOPT_NOP) {
			tb_printf(b, "nop");
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len) {
			tb_printf(b, "bad opt");
			break;
		}
		olen = o[i + 1];
		if (kind == TCPOPT_MSS && olen == TCPOLEN_MSS)
			tb_printf(b, "mss %u", (unsigned int)o[i + 2] << 8 | o[i + 3]);
		else if (kind == TCPOPT_WINDOW && olen == TCPOLEN_WINDOW)
			tb_printf(b, "wscale %u", o[i + 2]);
		else if (kind == TCPOPT_SACK_PERM && olen == TCPOLEN_SACK_PERM)
			tb_printf(b, "sackOK");
		else if (kind == TCPOPT_TIMESTAMP && olen == TCPOLEN_TIMESTAMP)
			tb_printf(b, "TS val %u ecr %u", get_be32(o + i + 2),
				  get_be32(o + i + 6));
		else if (kind == TCPOPT_SACK && (olen - 2) % 8 == 0) {
			tb_printf(b, "sack %u", (olen - 2) / 8);
			for (unsigned int k = i + 2; k + 8 <= i + olen; k += 8)
				tb_printf(b, "%s{%u:%u}", k == i + 2 ? " " : "",
					  get_be32(o + k),
					  get_be32(o + k + 4));
		} else
			tb_printf(b, "opt-%u:%u", kind, olen);
		i += olen;
	}
	tb_printf(b, "]");
}

void
pmtcp_trace_segment(struct pmtcp_stack *st, bool out,
		    const struct rte_ipv4_hdr *iph, const struct rte_tcp_hdr *th)
{
	/* tcpdump's letters, in its order */
	static const struct { uint8_t bit; char c; } flag_chars[] = {
		{ TH_FIN, 'F' }, { TH_SYN, 'S' }, { TH_RST, 'R' },
		{ TH_PSH, 'P' }, { TH_ACK, '.' }, { TH_URG, 'U' },
		{ TH_ECE, 'E' }, { TH_CWR, 'W' },
	};
	struct trace_buf b = { .len = 0 };
	unsigned int doff = (unsigned int)(th->data_off >> 4) * 4;
	unsigned int ihl = (unsigned int)(iph->version_ihl & 0xf) * 4;
	unsigned int tot = rte_be_to_cpu_16(iph->total_length);
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	unsigned int len = tot >= ihl + doff ? tot - ihl - doff : 0;

	tb_time(&b, st);
	tb_printf(&b, "%s IP ", out ? "out" : "in ");
	tb_addr(&b, iph->src_addr, th->src_port, '.');
	tb_printf(&b, " > ");
	tb_addr(&b, iph->dst_addr, th->dst_port, '.');
	tb_printf(&b, ": Flags [");
	for (unsigned int i = 0; i < RTE_DIM(flag_chars); i++)
		if (th->tcp_flags & flag_chars[i].bit)
			tb_printf(&b, "%c", flag_chars[i].c);
	tb_printf(&b, "%s]", th->tcp_flags == 0 ? "none" : "");
	if (len > 0)
		tb_printf(&b, ", seq %u:%u", seq, seq + len);
	else if (th->tcp_flags & (TH_SYN | TH_FIN | TH_RST))
		tb_printf(&b, ", seq %u", seq);
	if (th->tcp_flags & TH_ACK)
		tb_printf(&b, ", ack %u", rte_be_to_cpu_32(th->recv_ack));
	tb_printf(&b, ", win %u", rte_be_to_cpu_16(th->rx_win));
	if (doff > sizeof(*th))
		tb_options(&b, (const uint8_t *)(th + 1), doff - sizeof(*th));
	tb_printf(&b, ", length %u", len);
	st->trace_fn(st, b.s, st->trace_arg);
}
