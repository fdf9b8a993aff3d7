/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fuzzer's input: how its bytes become operations on the world of
 * fuzz_stack.c, and libFuzzer's entry point.
 *
 * Input format (test/fuzz/gen_corpus.py writes it; missing bytes read
 * as 0):
 *
 *   cfg0 cfg1 cfg2 [cfg3] op*
 *   cfg0  bits 0-1 tcp_syncookies 0,1,2,1   bit 2 tcp_timestamps=0
 *         bit 3 tcp_sack=0   bit 4 tcp_window_scaling=0   bit 5 tcp_ecn=1
 *         bit 6 tcp_tw_reuse=1   bit 7 small tables and limits
 *   cfg1  bits 0-1 MTU 1500, 576, 9000, 1280   bit 2 RX checksum flags
 *         bit 3 TX checksum offload and partial RX checksums accepted
 *         bit 4 no ARP answers from the peer
 *         bit 5 segment tracing on   bit 6 the application echoes and
 *         obeys commands in data   bit 7 it closes on the peer's FIN
 *   cfg2  bit 0 frames through the port's RX ring and
 *         pmtcp_stack_run_once()   bit 1 no gateway   bit 2 a stack pool
 *         of 64 mbufs   bit 3 the application aborts, closes or sends
 *         from its connected/accepted/peer_closed callbacks
 *         bit 4 the two-stack mode (below), with bits 5-7 and cfg3
 *   The two-stack mode: a second stack, B, polls queue 1 of A's port
 *   (nb_queues 2, PMTCP_STEER_SOFTWARE, an inbox each, each the other's
 *   peer, B listening where A does) and opens connections of its own,
 *   slots B+0..B+7 (fuzz_stack.c world_connections_b()). An op whose
 *   argument A has bit 3 (ops 0, 4, 7) names one of B's slots (slot
 *   byte % 8), and op 4 then calls on B (connect, listen, unlisten,
 *   neigh_resolve, sysctl; send, close and abort go to the stack that
 *   holds the connection, whichever op).
 *   cfg2  bit 5 the port spreads flows over both queues by a hash of its
 *         own (else every frame reaches A)   bit 6 B has a pool of its
 *         own (else A's)   bit 7 inboxes of 4 frames (else 256)
 *   cfg3  bits 0-1 RETA: i % 2 over 128 entries, (0 1 1 1), (1): every
 *         flow B's, (1 0)   bit 2 a symmetric key (0x6d5a...) instead of
 *         the reference one   bit 3 B polled before A   bit 4 B listens
 *         on nothing   bit 5 no last poll: at the input's end the stacks
 *         are freed as they are (held frames handed over first, into an
 *         inbox perhaps, TX batches unsent)
 *   op    low 3 bits the kind, high 5 bits its argument A:
 *     0 TCP segment: slot flags seqmode ackmode win:2 optmode [opts]
 *       paylen [cmd] ipmode [split] [lendelta]   (A bit 0: hold for a
 *       burst, bits 1-2: RX checksum flags good / bad)
 *     1 raw frame: len:2 bytes (A bit 0 hold, 1 fix Ethernet, 2 fix IPv4
 *       length and checksum, 3 fix TCP checksum, 4 split in two mbufs)
 *     2 ARP: opcode sip tip mac (A bit 0 hold, 1 unicast, 2 bad hlen/plen)
 *     3 clock: (1 + byte) << (A % 18) ms
 *     4 application: slot, then by A % 8: send len, close, abort,
 *       connect sel port:2, listen port:2, unlisten port:2, neigh_resolve
 *       sel, sysctl which value:2 (pmtcp_sysctl_set(), a knob of a list)
 *     5 A < 24: clock A ms (0: just poll); A = 24: the port stops
 *       taking frames (TX stalls, its ring fills); other A: it resumes
 *     6 repeat the last frame 1 + byte times
 *     7 canned segment for a slot: A % 8 = ACK all, FIN, data, RST,
 *       SYN, SYN-ACK, RST|ACK, ACK with a bogus TSecr
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "pmtcp.h"
#include "tcp.h"

#include "fuzz.h"

/* ---------------------------------------------------------------- input */

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static uint8_t
in_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t
in_u16(struct fz_in *in)
{
	uint16_t hi = in_u8(in);

	return (uint16_t)(hi << 8 | in_u8(in));
}

static uint32_t
in_u32(struct fz_in *in)
{
	uint32_t hi = in_u16(in);

	return hi << 16 | in_u16(in);
}

/* ----------------------------------------------------------------- ops */

static uint32_t
seq_base(const struct fz_slot *s, unsigned int mode, struct fz_in *in)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);
	uint32_t v;
	int32_t delta;

	switch (mode & 3) {
	case 0:
		v = sk != NULL && sk->state != PMTCP_TCP_SYN_SENT ? sk->rcv_nxt :
		    s->peer_nxt;
		break;
	case 1:
		return in_u32(in);
	case 2:
		v = sk != NULL ? sk->rcv_nxt + sk->rcv_wnd : s->peer_nxt + 65535;
		break;
	default:
		v = sk != NULL ? sk->irs : s->peer_isn;
		break;
	}
	delta = (mode & 4) ? (int16_t)in_u16(in) : (int8_t)mode >> 3;
	return v + (uint32_t)delta;
}

static uint32_t
ack_base(const struct fz_slot *s, unsigned int mode, struct fz_in *in)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);
	uint32_t v;
	int32_t delta;

	switch (mode & 3) {
	case 0:
		v = sk != NULL ? sk->snd_nxt : s->out_seq_end;
		break;
	case 1:
		return in_u32(in);
	case 2:
		v = sk != NULL ? sk->snd_una : s->out_seq_end;
		break;
	default:
		v = sk != NULL ? sk->iss : s->out_isn;
		break;
	}
	delta = (mode & 4) ? (int16_t)in_u16(in) : (int8_t)mode >> 3;
	return v + (uint32_t)delta;
}

static uint32_t
paylen_decode(uint8_t code)
{
	if (code < 200)
		return code;
	return (uint32_t)(code - 199) * 160;
}

/* Options of a TCP op. */
static void
op_tcp_opts(struct fz_slot *s, struct fz_tcp *t, struct fz_in *in)
{
	uint8_t mode = in_u8(in);
	uint32_t tsval, tsecr;

	if ((mode & 7) == 1 || (mode & 7) == 4) {
		if (mode & 8) {
			tsval = in_u32(in);
			tsecr = in_u32(in);
		} else {
			tsval = fz_peer_tsval(s) + (uint32_t)(int8_t)in_u8(in);
			tsecr = fz_peer_tsecr(s) + (uint32_t)(int8_t)in_u8(in);
		}
		fz_opts_ts(t, tsval, tsecr);
	}
	switch (mode & 7) {
	case 2: {
		uint16_t mss = in_u16(in);
		uint8_t ws = in_u8(in);

		fz_opts_syn(t, mss, (mode & 0x10) != 0, (mode & 0x20) != 0,
			 fz_peer_tsval(s) + (uint32_t)(int8_t)in_u8(in),
			 (mode & 0x40) ? fz_peer_tsecr(s) : 0, ws == 0xff ? -1 : ws);
		break;
	}
	case 3:
		t->optlen = (uint8_t)(in_u8(in) % 41);
		for (unsigned int i = 0; i < t->optlen; i++)
			t->opts[i] = in_u8(in);
		break;
	case 4: {
		/* SACK blocks after the timestamp, relative to SND.UNA */
		struct pmtcp_sock *sk = fz_slot_sock(s);
		uint32_t una = sk != NULL ? sk->snd_una : s->out_seq_end;
		unsigned int nb = 1 + in_u8(in) % 3;
		uint8_t *p = t->opts + t->optlen;

		p[0] = TCPOPT_NOP;
		p[1] = TCPOPT_NOP;
		p[2] = TCPOPT_SACK;
		p[3] = (uint8_t)(2 + 8 * nb);
		for (unsigned int b = 0; b < nb; b++) {
			uint32_t l = rte_cpu_to_be_32(una + (uint32_t)(int8_t)in_u8(in) * 64);
			uint32_t r = rte_cpu_to_be_32(una + (uint32_t)in_u8(in) * 64);

			memcpy(p + 4 + 8 * b, &l, 4);
			memcpy(p + 8 + 8 * b, &r, 4);
		}
		t->optlen = (uint8_t)(t->optlen + 4 + 8 * nb);
		break;
	}
	case 5: {
		uint16_t mss = in_u16(in);

		t->opts[0] = TCPOPT_MSS;
		t->opts[1] = TCPOLEN_MSS;
		t->opts[2] = (uint8_t)(mss >> 8);
		t->opts[3] = (uint8_t)mss;
		t->optlen = 4;
		break;
	}
	default:
		break;
	}
}

static void
op_tcp(uint8_t arg, struct fz_in *in)
{
	uint8_t sb = in_u8(in);
	struct fz_slot *s = fz_slot_pick(sb, arg);
	struct fz_tcp t;

	fz_tcp_defaults(s, &t);
	if (sb & 0x10) {
		t.sport = in_u16(in);
		t.dport = in_u16(in);
	}
	if (sb & 0x20)
		t.saddr = in_u32(in);
	if (sb & 0x40)
		t.daddr = in_u32(in);
	if (sb & 0x80)
		t.tos = 3;    /* ECN CE */
	t.flags = in_u8(in);
	t.seq = seq_base(s, in_u8(in), in);
	t.ack = ack_base(s, in_u8(in), in);
	t.win = in_u16(in);
	op_tcp_opts(s, &t, in);
	t.paylen = paylen_decode(in_u8(in));
	if (t.paylen > 0)
		t.cmd = in_u8(in);
	t.ipmode = in_u8(in);
	if (t.ipmode & 0x40)
		t.split = in_u8(in);
	if (t.ipmode & 0x80)
		t.lendelta = (int8_t)in_u8(in);
	if (fzw.rx_flags && (arg & 2))
		t.ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	if (fzw.rx_flags && (arg & 4))
		t.ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_BAD;
	fz_send_tcp(s, &t, (arg & 1) != 0);
}

static void
op_raw(uint8_t arg, struct fz_in *in)
{
	struct fz_frame *f = &fz_scratch;
	uint32_t want = in_u16(in) % 4096;
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->b;

	f->len = 0;
	while (f->len < want && in->n > 0)
		f->b[f->len++] = in_u8(in);
	f->split = 0;
	f->ol_flags = 0;
	if ((arg & 2) && f->len >= 14) {
		eh->dst_addr = fz_our_mac;
		fz_peer_mac(PEER_IP, &eh->src_addr);
	}
	if ((arg & 4) && f->len >= 34 &&
	    eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		struct rte_ipv4_hdr *iph = (struct rte_ipv4_hdr *)(eh + 1);
		uint32_t ihl = (uint32_t)(iph->version_ihl & 0xf) * 4;

		iph->total_length = rte_cpu_to_be_16((uint16_t)(f->len - 14));
		if (ihl >= 20 && 14 + ihl <= f->len)
			fz_ip_csum_fix(iph, ihl);
		if ((arg & 8) && ihl >= 20 && 14 + ihl + 20 <= f->len &&
		    iph->next_proto_id == IPPROTO_TCP)
			fz_tcp_csum_set(iph, (struct rte_tcp_hdr *)((uint8_t *)iph + ihl),
				     f->len - 14 - ihl, 0);
	}
	if (arg & 0x10)
		f->split = f->len / 2;
	fz_frame_inject(f, (arg & 1) != 0, true);
}

/* An address by selector: the subnet's hosts, the gateway, others. */
static uint32_t
addr_sel(uint8_t sel)
{
	static const uint32_t special[] = {
		0, UINT32_MAX, IP4(198, 18, 0, 255), IP4(224, 0, 0, 1),
		IP4(127, 0, 0, 1), OUR_IP, GW_IP, IP4(198, 18, 0, 0),
		FAR_IP, IP4(240, 0, 0, 1), IP4(0, 1, 2, 3), IP4(198, 18, 1, 9),
	};

	if (sel < 0x80)
		return IP4(198, 18, 0, sel);
	if (sel < 0xc0)
		return IP4(198, 18, 1, sel & 0x3f);
	return special[(sel & 0x3f) % RTE_DIM(special)];
}

static void
op_arp(uint8_t arg, struct fz_in *in)
{
	struct fz_frame *f = &fz_scratch;
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->b;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);
	uint8_t op = in_u8(in);
	uint32_t sip = addr_sel(in_u8(in));
	uint32_t tip = addr_sel(in_u8(in) ^ 1);   /* 0 -> .1, ours */
	uint8_t msel = in_u8(in);
	struct rte_ether_addr sha;

	memset(f->b, 0, sizeof(*eh) + sizeof(*ah));
	switch (msel & 3) {
	case 0:
		fz_peer_mac(sip, &sha);
		break;
	case 1:
		memset(&sha, 0xff, sizeof(sha));
		break;
	case 2:
		memset(&sha, 0, sizeof(sha));
		break;
	default:
		sha = fz_our_mac;
		break;
	}
	eh->src_addr = sha;
	if (arg & 2)
		eh->dst_addr = fz_our_mac;
	else
		memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	if (arg & 4) {
		ah->arp_hlen = in_u8(in);
		ah->arp_plen = in_u8(in);
	}
	ah->arp_opcode = rte_cpu_to_be_16(op == 0 ? RTE_ARP_OP_REQUEST :
					  op == 1 ? RTE_ARP_OP_REPLY : op);
	ah->arp_data.arp_sha = sha;
	ah->arp_data.arp_sip = sip;
	if (op == 1)
		ah->arp_data.arp_tha = fz_our_mac;
	ah->arp_data.arp_tip = tip;
	f->len = sizeof(*eh) + sizeof(*ah);
	if (msel & 4)
		f->len -= (uint32_t)(msel >> 3) % 29;   /* truncated */
	f->split = 0;
	f->ol_flags = 0;
	fz_frame_inject(f, (arg & 1) != 0, true);
}

static void
op_app(uint8_t arg, struct fz_in *in)
{
	static uint8_t data[4096];
	uint8_t sb = in_u8(in);
	struct fz_slot *s = fz_slot_pick(sb, arg);
	struct pmtcp_sock *sk = fz_owned_sock(s);
	/* the stack called: the one holding the connection, or for calls
	 * on none, B's for B's slots */
	struct pmtcp_stack *st = fzw.stb != NULL && (arg & 8) ? fzw.stb : fzw.st;
	struct pmtcp_sysctl sc;

	if (sk != NULL)
		st = fz_sock_stack(sk);
	switch (arg % 8) {
	case 0: {
		uint32_t len = paylen_decode(in_u8(in));

		if (sk != NULL && len > 0) {
			memset(data, sb, RTE_MIN(len, (uint32_t)sizeof(data)));
			pmtcp_send(st, sk, data, RTE_MIN(len, (uint32_t)sizeof(data)));
		}
		break;
	}
	case 1:
		if (sk != NULL)
			fz_app_close(st, sk);
		break;
	case 2:
		if (sk != NULL)
			fz_app_abort(st, sk);
		break;
	case 3: {
		uint32_t daddr = addr_sel(in_u8(in));
		uint16_t dport = in_u16(in);
		struct pmtcp_sock *nsk = NULL;

		st = fzw.stb != NULL && (arg & 8) ? fzw.stb : fzw.st;
		/* a free slot of the fresh ones takes the new connection */
		if (pmtcp_connect(st, daddr, dport, 0, &nsk) == 0 && nsk != NULL) {
			struct pmtcp_sock_info info;

			fz_owned_add(nsk);
			pmtcp_sock_info(nsk, &info);
			s = st == fzw.stb ? &fzw.slot[FZ_SLOT_B0 + 6 + sb % 2] :
			    &fzw.slot[13 + sb % 3];
			fz_slot_init((int)(s - fzw.slot));
			s->raddr = daddr;
			s->rport = dport;
			s->lport = info.sport;
		}
		break;
	}
	case 4:
		st = fzw.stb != NULL && (arg & 8) ? fzw.stb : fzw.st;
		pmtcp_listen(st, in_u16(in));
		break;
	case 5:
		st = fzw.stb != NULL && (arg & 8) ? fzw.stb : fzw.st;
		pmtcp_unlisten(st, in_u16(in));
		break;
	case 6:
		st = fzw.stb != NULL && (arg & 8) ? fzw.stb : fzw.st;
		pmtcp_neigh_resolve(st, addr_sel(in_u8(in)));
		break;
	default: {
		/* through pmtcp_sysctl_set(): only values it accepts */
		static const char *const knobs[] = {
			"tcp_syncookies", "tcp_timestamps", "tcp_challenge_ack_limit",
			"tcp_max_tw_buckets", "tcp_rto_max_ms", "tcp_retries2",
			"tcp_fin_timeout", "tcp_max_syn_backlog", "tcp_min_snd_mss",
			"tcp_invalid_ratelimit", "tcp_syn_retries",
			"tcp_synack_retries", "tcp_tw_reuse", "tcp_rfc1337",
			"neigh_retrans_time_ms", "tcp_window_scaling",
		};
		uint8_t which = in_u8(in);
		uint16_t v = in_u16(in);
		char val[16];

		st = fzw.stb != NULL && (arg & 8) ? fzw.stb : fzw.st;
		sc = *pmtcp_stack_sysctl(st);
		snprintf(val, sizeof(val), "%u", which & 0x80 ? v * 1000u : v);
		if (pmtcp_sysctl_set(&sc, knobs[which % RTE_DIM(knobs)], val,
				     NULL, 0) == 0 &&
		    pmtcp_stack_set_sysctl(st, &sc) == 0)
			fz_note_sysctl();
		break;
	}
	}
}

/* The segment the peer of a slot would most likely send next. */
static void
op_canned(uint8_t arg, struct fz_in *in)
{
	struct fz_slot *s = fz_slot_pick(in_u8(in), arg);
	struct fz_tcp t;

	fz_tcp_defaults(s, &t);
	t.win = 502;
	switch (arg % 8) {
	case 0:
	case 1:
	case 2:
	case 7:
		t.flags = arg % 8 == 1 ? TH_ACK | TH_FIN : TH_ACK;
		if (arg % 8 == 2) {
			t.flags |= TH_PSH;
			t.paylen = 100;
			t.cmd = in_u8(in);
		}
		if (fz_slot_uses_ts(s))
			fz_opts_ts(&t, fz_peer_tsval(s), arg % 8 == 7 ?
				fz_peer_tsecr(s) - 5000000u : fz_peer_tsecr(s));
		break;
	case 3:
	case 6:
		t.flags = arg % 8 == 3 ? TH_RST : TH_RST | TH_ACK;
		break;
	case 4:
		/* a new SYN on the tuple, a new ISN */
		t.flags = TH_SYN;
		t.ack = 0;
		t.seq = s->peer_nxt + 100000;
		t.win = 64240;
		fz_opts_syn(&t, 1460, true, s->peer_ts, fz_peer_tsval(s) + 1000, 0, 7);
		break;
	default:
		t.flags = TH_SYN | TH_ACK;
		t.seq = s->peer_isn;
		t.ack = s->out_seq_end;
		t.win = 65160;
		fz_opts_syn(&t, (uint16_t)(in_u8(in) * 8), true, s->peer_ts,
			 fz_peer_tsval(s), s->out_tsval, 7);
		break;
	}
	fz_send_tcp(s, &t, false);
}

static void
op_repeat(struct fz_in *in)
{
	unsigned int n = 1u + in_u8(in);

	if (!fzw.have_last)
		return;
	for (unsigned int i = 0; i < n; i++)
		fz_frame_inject(&fzw.last, (i + 1) % FZ_BURST != 0, false);
	fz_burst_flush();
}

/* ------------------------------------------------------------ libFuzzer */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t cfg0, cfg1, cfg2, cfg3 = 0;

	/* the same input, the same run: ports and hash seeds from here */
	rte_srand(0x706d746370ULL);
	cfg0 = in_u8(&in);
	cfg1 = in_u8(&in);
	cfg2 = in_u8(&in);
	if (cfg2 & 0x10)
		cfg3 = in_u8(&in);
	fz_world_create(cfg0, cfg1, cfg2, cfg3);
	for (unsigned int ops = 0; in.n > 0 && ops < FZ_MAX_OPS; ops++) {
		uint8_t op = in_u8(&in);
		uint8_t arg = op >> 3;

		switch (op & 7) {
		case 0:
			op_tcp(arg, &in);
			break;
		case 1:
			op_raw(arg, &in);
			break;
		case 2:
			op_arp(arg, &in);
			break;
		case 3:
			fz_clock_advance_ms((1ULL + in_u8(&in)) << (arg % 18));
			break;
		case 4:
			op_app(arg, &in);
			break;
		case 5:
			if (arg < 24)
				fz_clock_advance_ms(arg);
			else
				fzw.tx_stalled = arg == 24;
			break;
		case 6:
			op_repeat(&in);
			break;
		default:
			op_canned(arg, &in);
			break;
		}
		/* held frames wait for the burst's end, the rest settles */
		if (fzw.nburst == 0)
			fz_settle();
		if (fz_verbose) {
			char what[32];

			snprintf(what, sizeof(what), "op %u (kind %u)", ops, op & 7);
			fz_dump(what);
		}
	}
	if (!(cfg2 & 0x10) || !(cfg3 & 0x20)) {
		fz_settle();
		/* the delayed ACKs and what they trigger */
		fz_clock_advance_ms(250);
		fz_settle();
	}
	fz_world_destroy();
	return 0;
}
