/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fuzzer's frames: TCP segments laid out from a struct fz_tcp (with
 * checksums right, wrong or partial), mbuf chains of the RX pool with
 * their unused room poisoned, bursts; and every frame the stack sends,
 * checked and learnt from (the peer's view of each 4-tuple), ARP
 * requests answered as the peers would. In the two-stack mode frames
 * reach queue 0 (stack A), or with the port spreading flows the queue
 * of a flow hash that is not the stacks' RSS; both queues' TX is
 * checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "pmtcp.h"
#include "tcp.h"

#include "fuzz.h"

/* -------------------------------------------------------------- frames */

static uint16_t
csum_fold32(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The TCP pseudo-header sum of @iph for a segment of @tcp_len bytes. */
static uint32_t
phdr_sum(const struct rte_ipv4_hdr *iph, uint32_t tcp_len)
{
	/* rte_raw_cksum() adds 16-bit words as they lie in memory: the
	 * protocol and the length go in in network order too */
	return rte_raw_cksum(&iph->src_addr, 8) + rte_cpu_to_be_16(IPPROTO_TCP) +
	       rte_cpu_to_be_16((uint16_t)tcp_len);
}

/* An IPv4 header's checksum over @ihl bytes (field zeroed first). */
void
fz_ip_csum_fix(struct rte_ipv4_hdr *iph, uint32_t ihl)
{
	iph->hdr_checksum = 0;
	iph->hdr_checksum = (uint16_t)~rte_raw_cksum(iph, ihl);
}

/* TCP checksum of the @tcp_len bytes at @th: 0 good, 1 bad, 2 the
 * pseudo-header sum only (CHECKSUM_PARTIAL), 3 zero. */
void
fz_tcp_csum_set(const struct rte_ipv4_hdr *iph, struct rte_tcp_hdr *th,
	     uint32_t tcp_len, unsigned int mode)
{
	uint32_t ph = phdr_sum(iph, tcp_len);

	th->cksum = 0;
	switch (mode & 3) {
	case 0:
		th->cksum = (uint16_t)~csum_fold32(ph + rte_raw_cksum(th, tcp_len));
		break;
	case 1:
		th->cksum = (uint16_t)~csum_fold32(ph + rte_raw_cksum(th, tcp_len));
		th->cksum ^= 0x0101;
		break;
	case 2:
		th->cksum = csum_fold32(ph);
		break;
	default:
		break;
	}
}

/* Copy @f into an mbuf chain of the RX pool. NULL when out of mbufs. */
static struct rte_mbuf *
frame_to_mbuf(const struct fz_frame *f)
{
	uint16_t room = (uint16_t)(rte_pktmbuf_data_room_size(fz_rx_pool) -
				   RTE_PKTMBUF_HEADROOM);
	struct rte_mbuf *head = NULL;
	uint32_t off = 0;

	do {
		uint32_t n = f->len - off;
		struct rte_mbuf *m = rte_pktmbuf_alloc(fz_rx_pool);
		char *dst;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (off == 0 && f->split != 0 && f->split < n)
			n = f->split;
		n = RTE_MIN(n, (uint32_t)room);
		dst = rte_pktmbuf_append(m, (uint16_t)n);
		if (dst == NULL)
			abort();
		memcpy(dst, f->b + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
	} while (off < f->len);
	head->ol_flags = f->ol_flags;
	fz_poison_room(head);
	return head;
}

/* The IPv4 frames of @n handed to a stack: those pmtcp_ipv4_rcv() sees
 * unless the SYN queue sheds them (Ethernet header in the first mbuf) */
static void
count_ip(struct rte_mbuf *const *pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (rte_pktmbuf_data_len(pkts[i]) >= RTE_ETHER_HDR_LEN &&
		    rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_IPV4))
			fzw.ip_in++;
}

/* Hand @n frames to queue @q's stack @st: as fz_burst_flush() does. */
static void
queue_input(struct pmtcp_stack *st, uint16_t q, struct rte_mbuf **pkts,
	    unsigned int n)
{
	struct rte_ring *r = q ? fz_rx_ring_b : fz_rx_ring;

	if (n == 0)
		return;
	if (fzw.rx_ring) {
		unsigned int k = rte_ring_enqueue_burst(r, (void **)pkts, n, NULL);

		count_ip(pkts, k);
		rte_pktmbuf_free_bulk(pkts + k, n - k);
		while (rte_ring_count(r) > 0)
			pmtcp_stack_run_once(st, fzw.vtsc);
	} else {
		count_ip(pkts, n);
		pmtcp_stack_input(st, 0, pkts, (uint16_t)n);
	}
}

void
fz_burst_flush(void)
{
	if (fzw.nburst == 0)
		return;
	if (fzw.stb != NULL) {
		/* each stack its queue's frames, in order */
		struct rte_mbuf *q[2][FZ_BURST];
		unsigned int n[2] = { 0, 0 };

		for (unsigned int i = 0; i < fzw.nburst; i++)
			q[fzw.burst_q[i]][n[fzw.burst_q[i]]++] = fzw.burst[i];
		fzw.nburst = 0;
		queue_input(fzw.st, 0, q[0], n[0]);
		queue_input(fzw.stb, 1, q[1], n[1]);
		return;
	}
	if (fzw.rx_ring) {
		/* as an application's loop: rx_burst, input, poll */
		unsigned int n = rte_ring_enqueue_burst(fz_rx_ring,
				(void **)fzw.burst, fzw.nburst, NULL);

		count_ip(fzw.burst, n);
		rte_pktmbuf_free_bulk(fzw.burst + n, fzw.nburst - n);
		while (rte_ring_count(fz_rx_ring) > 0)
			pmtcp_stack_run_once(fzw.st, fzw.vtsc);
	} else {
		count_ip(fzw.burst, fzw.nburst);
		pmtcp_stack_input(fzw.st, 0, fzw.burst, fzw.nburst);
	}
	fzw.nburst = 0;
}

/*
 * The queue a port that spreads flows by a hash of its own (af_packet's
 * fanout, say) gives @f: IPv4 by its addresses and, for TCP, its ports
 * (every segment of a flow alike), anything else by its first bytes.
 * FNV-1a: nothing like the stacks' Toeplitz hash.
 */
static uint8_t
spread_queue(const struct fz_frame *f)
{
	const uint8_t *p = f->b;
	uint32_t h = 2166136261u;
	uint32_t from = 0, to = RTE_MIN(f->len, 42u);

	if (f->len >= 34 && p[12] == 0x08 && p[13] == 0x00) {
		uint32_t ihl = (uint32_t)(p[14] & 0xf) * 4;

		from = 26;   /* source and destination addresses */
		to = 34;
		if (p[23] == IPPROTO_TCP && ihl >= 20 && 14 + ihl + 4 <= f->len) {
			for (uint32_t i = 14 + ihl; i < 14 + ihl + 4; i++)
				h = (h ^ p[i]) * 16777619u;
		}
	}
	for (uint32_t i = from; i < to; i++)
		h = (h ^ p[i]) * 16777619u;
	return (uint8_t)((h ^ h >> 16) & 1);
}

/* Hand @f to the stack: now, or with the burst being gathered. The
 * input's own frames are kept for the repeat op (@remember). */
void
fz_frame_inject(const struct fz_frame *f, bool hold, bool remember)
{
	struct rte_mbuf *m;
	uint8_t q = 0;

	if (remember) {
		memcpy(fzw.last.b, f->b, f->len);
		fzw.last.len = f->len;
		fzw.last.split = f->split;
		fzw.last.ol_flags = f->ol_flags;
		fzw.have_last = true;
	}
	if (fzw.frames_in >= FZ_MAX_FRAMES || f->len == 0)
		return;
	fzw.frames_in++;
	m = frame_to_mbuf(f);
	if (m == NULL)
		return;
	if (fzw.spread)
		q = spread_queue(f);
	/* an ARP request: its queue's stack may answer it, once */
	if (f->len >= 22 && f->b[12] == 0x08 && f->b[13] == 0x06 &&
	    f->b[20] == 0 && f->b[21] == 1)
		fzw.arp_req_in[q]++;
	fzw.burst_q[fzw.nburst] = q;
	fzw.burst[fzw.nburst++] = m;
	if (!hold || fzw.nburst == FZ_BURST)
		fz_burst_flush();
}

/*
 * Lay @t out in @f. ipmode: bit 0 MF, bit 1 a fragment offset, bit 2 IP
 * options (4 NOPs), bit 3 bad IPv4 checksum, bits 4-5 the TCP checksum
 * mode (fz_tcp_csum_set()), bit 6 split in two mbufs at @t->split, bit 7 IP
 * total length off by @t->lendelta.
 */
static void
build_tcp(struct fz_frame *f, const struct fz_tcp *t)
{
	uint32_t ihl = (t->ipmode & 4) ? 24 : 20;
	uint32_t optlen = (uint32_t)(t->optlen + 3) & ~3u;
	uint32_t tcp_len = 20 + optlen + t->paylen;
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->b;
	struct rte_ipv4_hdr *iph = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)iph + ihl);
	uint8_t *pay = (uint8_t *)(th + 1) + optlen;
	uint16_t frag = RTE_IPV4_HDR_DF_FLAG;
	int32_t tot;

	if (14 + ihl + tcp_len > sizeof(f->b))
		tcp_len = (uint32_t)sizeof(f->b) - 14 - ihl;
	f->len = 14 + ihl + tcp_len;
	memset(f->b, 0, f->len);
	fz_peer_mac(t->saddr, &eh->src_addr);
	eh->dst_addr = fz_our_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	iph->version_ihl = (uint8_t)(0x40 | ihl / 4);
	iph->type_of_service = t->tos;
	tot = (int32_t)(ihl + tcp_len);
	if (t->ipmode & 0x80)
		tot += t->lendelta;
	iph->total_length = rte_cpu_to_be_16((uint16_t)tot);
	iph->packet_id = rte_cpu_to_be_16((uint16_t)(t->seq ^ t->sport));
	if (t->ipmode & 1)
		frag |= RTE_IPV4_HDR_MF_FLAG;
	if (t->ipmode & 2)
		frag |= 1;
	iph->fragment_offset = rte_cpu_to_be_16(frag);
	iph->time_to_live = 64;
	iph->next_proto_id = IPPROTO_TCP;
	iph->src_addr = t->saddr;
	iph->dst_addr = t->daddr;
	if (ihl > 20)
		memset(iph + 1, 1, ihl - 20);   /* NOP options */
	th->src_port = rte_cpu_to_be_16(t->sport);
	th->dst_port = rte_cpu_to_be_16(t->dport);
	th->sent_seq = rte_cpu_to_be_32(t->seq);
	th->recv_ack = rte_cpu_to_be_32(t->ack);
	th->data_off = (uint8_t)(((20 + optlen) / 4) << 4);
	th->tcp_flags = t->flags;
	th->rx_win = rte_cpu_to_be_16(t->win);
	memcpy(th + 1, t->opts, t->optlen);
	for (uint32_t i = 0; i < optlen - t->optlen; i++)
		((uint8_t *)(th + 1))[t->optlen + i] = 0;  /* EOL padding */
	if (pay < f->b + f->len) {
		uint32_t n = (uint32_t)(f->b + f->len - pay);

		for (uint32_t i = 0; i < n; i++)
			pay[i] = (uint8_t)('a' + i % 26);
		pay[0] = t->cmd;
	}
	fz_ip_csum_fix(iph, ihl);
	if (t->ipmode & 8)
		iph->hdr_checksum ^= 0x0404;
	fz_tcp_csum_set(iph, th, (uint32_t)(f->b + f->len - (uint8_t *)th),
		     (t->ipmode >> 4) & 3);
	f->split = (t->ipmode & 0x40) ? t->split : 0;
	f->ol_flags = t->ol_flags;
}

/* A segment of the peer of @s with the defaults for its state. */
void
fz_tcp_defaults(const struct fz_slot *s, struct fz_tcp *t)
{
	struct pmtcp_sock *sk = fz_slot_sock(s);

	memset(t, 0, sizeof(*t));
	t->saddr = s->raddr;
	t->daddr = OUR_IP;
	t->sport = s->rport;
	t->dport = s->lport != 0 ? s->lport : LPORT;
	t->seq = sk != NULL && sk->state != PMTCP_TCP_SYN_SENT ? sk->rcv_nxt :
		 s->peer_nxt;
	t->ack = sk != NULL ? sk->snd_nxt : s->out_seq_end;
	t->flags = TH_ACK;
	t->win = 1024;
}

void
fz_opts_ts(struct fz_tcp *t, uint32_t tsval, uint32_t tsecr)
{
	uint8_t *p = t->opts + t->optlen;
	uint32_t v = rte_cpu_to_be_32(tsval), e = rte_cpu_to_be_32(tsecr);

	p[0] = TCPOPT_NOP;
	p[1] = TCPOPT_NOP;
	p[2] = TCPOPT_TIMESTAMP;
	p[3] = TCPOLEN_TIMESTAMP;
	memcpy(p + 4, &v, 4);
	memcpy(p + 8, &e, 4);
	t->optlen = (uint8_t)(t->optlen + 12);
}

/* A SYN's options as Linux lays them out: MSS, SACKPERM+TS, NOP WS. */
void
fz_opts_syn(struct fz_tcp *t, uint16_t mss, bool sack, bool ts, uint32_t tsval,
	 uint32_t tsecr, int ws)
{
	uint8_t *p = t->opts;
	unsigned int n = 0;

	if (mss != 0) {
		p[n++] = TCPOPT_MSS;
		p[n++] = TCPOLEN_MSS;
		p[n++] = (uint8_t)(mss >> 8);
		p[n++] = (uint8_t)mss;
	}
	if (ts) {
		uint32_t v = rte_cpu_to_be_32(tsval), e = rte_cpu_to_be_32(tsecr);

		p[n++] = sack ? TCPOPT_SACK_PERM : TCPOPT_NOP;
		p[n++] = sack ? TCPOLEN_SACK_PERM : TCPOPT_NOP;
		p[n++] = TCPOPT_TIMESTAMP;
		p[n++] = TCPOLEN_TIMESTAMP;
		memcpy(p + n, &v, 4);
		memcpy(p + n + 4, &e, 4);
		n += 8;
	} else if (sack) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK_PERM;
		p[n++] = TCPOLEN_SACK_PERM;
	}
	if (ws >= 0) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_WINDOW;
		p[n++] = TCPOLEN_WINDOW;
		p[n++] = (uint8_t)ws;
	}
	t->optlen = (uint8_t)n;
}

/* Send @t from the peer of @s; the peer's sequence moves past it. */
void
fz_send_tcp(struct fz_slot *s, const struct fz_tcp *t, bool hold)
{
	uint32_t end = t->seq + t->paylen + ((t->flags & TH_SYN) ? 1 : 0) +
		       ((t->flags & TH_FIN) ? 1 : 0);

	build_tcp(&fz_scratch, t);
	if (s != NULL && t->saddr == s->raddr && t->sport == s->rport &&
	    seq_after(end, s->peer_nxt))
		s->peer_nxt = end;
	fz_frame_inject(&fz_scratch, hold, true);
}

/* ---------------------------------------------------------- TX checks */

static struct fz_slot *
slot_of(uint32_t raddr, uint16_t rport, uint16_t lport)
{
	for (unsigned int i = 0; i < fzw.nslot; i++) {
		struct fz_slot *s = &fzw.slot[i];

		if (s->raddr == raddr && s->rport == rport && s->lport == lport)
			return s;
	}
	return NULL;
}

static void
arp_answer(uint32_t tip)
{
	uint32_t h = rte_be_to_cpu_32(tip);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)fz_scratch.b;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

	/* the peers: the subnet's hosts below .128, the gateway */
	if ((h & 0xffffff00u) != 0xc6120000u ||
	    ((h & 0xff) >= 128 && tip != GW_IP) || (h & 0xff) == 0 ||
	    tip == OUR_IP)
		return;
	memset(fz_scratch.b, 0, sizeof(*eh) + sizeof(*ah));
	fz_peer_mac(tip, &eh->src_addr);
	eh->dst_addr = fz_our_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_sha = eh->src_addr;
	ah->arp_data.arp_sip = tip;
	ah->arp_data.arp_tha = fz_our_mac;
	ah->arp_data.arp_tip = OUR_IP;
	fz_scratch.len = sizeof(*eh) + sizeof(*ah);
	fz_scratch.split = 0;
	fz_scratch.ol_flags = 0;
	fz_frame_inject(&fz_scratch, false, false);
}

/* No destination the stack may send to (ip_route_input_slow()'s and
 * __mkroute_output()'s martians, our subnet's broadcasts, ourselves). */
static bool
martian_dst(uint32_t addr)
{
	uint32_t h = rte_be_to_cpu_32(addr);

	return (h >> 24) == 0 || (h >> 24) == 127 || h >= 0xe0000000u ||
	       addr == OUR_IP || addr == IP4(198, 18, 0, 255) ||
	       addr == IP4(198, 18, 0, 0);
}

/* Walk @len option bytes: every option must fit. */
static void
check_tcp_opts(const uint8_t *p, uint32_t len, bool syn)
{
	bool mss = false;

	for (uint32_t i = 0; i < len;) {
		uint8_t kind = p[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len)
			fz_fail("TX: malformed TCP option %u at %u of %u", kind, i, len);
		if (kind == TCPOPT_MSS) {
			if (!syn || p[i + 1] != TCPOLEN_MSS ||
			    (p[i + 2] << 8 | p[i + 3]) == 0)
				fz_fail("TX: bad MSS option");
			mss = true;
		}
		if (kind == TCPOPT_TIMESTAMP && p[i + 1] != TCPOLEN_TIMESTAMP)
			fz_fail("TX: bad timestamp option length");
		i += p[i + 1];
	}
	if (syn && !mss)
		fz_fail("TX: SYN without an MSS option");
}

/* One frame stack @st (@k: 0 A, 1 B) sent: well formed, fits the MTU;
 * learn from it. */
static void
check_tx(struct pmtcp_stack *st, int k, struct rte_mbuf *m)
{
	struct rte_mempool *pool = k ? fzw.poolb : fzw.pool;
	static uint8_t buf[FZ_FRAME_MAX];
	const uint8_t *p;
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *iph;
	const struct rte_tcp_hdr *th;
	uint32_t len = rte_pktmbuf_pkt_len(m), tot, doff, pay;
	struct fz_slot *s;

	if (m->pool != pool)
		fz_fail("TX: an mbuf not from the stack's pool (%s)",
			m->pool ? m->pool->name : "none");
	if (len > sizeof(buf) || len < RTE_ETHER_HDR_LEN)
		fz_fail("TX: frame of %u bytes", len);
	p = rte_pktmbuf_read(m, 0, len, buf);
	if (p == NULL)
		fz_fail("TX: pkt_len %u beyond the chain", len);
	eh = (const struct rte_ether_hdr *)p;
	if (!rte_is_same_ether_addr(&eh->src_addr, &fz_our_mac))
		fz_fail("TX: source MAC not ours");
	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		const struct rte_arp_hdr *ah = (const struct rte_arp_hdr *)(eh + 1);

		if (len < sizeof(*eh) + sizeof(*ah))
			fz_fail("TX: short ARP");
		if (ah->arp_data.arp_sip != OUR_IP)
			fz_fail("TX: ARP from another address");
		if (ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY))
			fzw.arp_rep_out[k]++;
		if (ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
		    martian_dst(ah->arp_data.arp_tip))
			fz_fail("TX: ARP request for %08x",
				rte_be_to_cpu_32(ah->arp_data.arp_tip));
		if (ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
		    (fzw.auto_arp || fzw.in_setup))
			arp_answer(ah->arp_data.arp_tip);
		return;
	}
	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		fz_fail("TX: EtherType %#x", rte_be_to_cpu_16(eh->ether_type));
	if (len < 14 + 20 + 20)
		fz_fail("TX: IPv4 frame of %u bytes", len);
	iph = (const struct rte_ipv4_hdr *)(eh + 1);
	tot = rte_be_to_cpu_16(iph->total_length);
	if (iph->version_ihl != 0x45 || tot != len - 14 ||
	    iph->next_proto_id != IPPROTO_TCP || iph->src_addr != OUR_IP ||
	    iph->time_to_live == 0)
		fz_fail("TX: bad IPv4 header (vhl %#x len %u of %u)",
			iph->version_ihl, tot, len - 14);
	if (tot > fzw.mtu)
		fz_fail("TX: %u-byte IPv4 packet over the %u MTU", tot, fzw.mtu);
	if (martian_dst(iph->dst_addr))
		fz_fail("TX: a segment to %08x", rte_be_to_cpu_32(iph->dst_addr));
	if (!fzw.tx_offload && rte_raw_cksum(iph, 20) != 0xffff)
		fz_fail("TX: bad IPv4 checksum");
	th = (const struct rte_tcp_hdr *)(iph + 1);
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (doff < 20 || doff > tot - 20)
		fz_fail("TX: TCP data offset %u in %u bytes", doff, tot - 20);
	if (fz_injecting("bad-tx"))
		((struct rte_tcp_hdr *)(uintptr_t)(iph + 1))->cksum ^= 1;
	if (!fzw.tx_offload &&
	    csum_fold32(phdr_sum(iph, tot - 20) + rte_raw_cksum(th, tot - 20)) != 0xffff)
		fz_fail("TX: bad TCP checksum");
	if (fzw.tx_offload && th->cksum != csum_fold32(phdr_sum(iph, tot - 20)))
		fz_fail("TX: offloaded TCP checksum field is not the pseudo-header sum");
	if (!(th->tcp_flags & (TH_ACK | TH_SYN | TH_RST)))
		fz_fail("TX: segment without ACK, SYN or RST (flags %#x)", th->tcp_flags);
	/* port 0: only in answers to segments from or to it */
	if ((th->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    (th->src_port == 0 || th->dst_port == 0))
		fz_fail("TX: a SYN of ours with port 0");
	check_tcp_opts((const uint8_t *)(th + 1), doff - 20,
		       (th->tcp_flags & TH_SYN) != 0);
	pay = tot - 20 - doff;
	if (pay > 0 && (th->tcp_flags & (TH_SYN | TH_RST)))
		fz_fail("TX: payload on a SYN or RST");
	if (pay > 0) {
		const struct pmtcp_sock *sk = pmtcp_sock_lookup(st,
				iph->src_addr, th->src_port, iph->dst_addr,
				th->dst_port);

		if (sk != NULL && pay > sk->mss)
			fz_fail("TX: %u bytes of data over the MSS %u", pay, sk->mss);
	}
	s = slot_of(iph->dst_addr, rte_be_to_cpu_16(th->dst_port),
		    rte_be_to_cpu_16(th->src_port));
	if (s != NULL) {
		const uint8_t *o = (const uint8_t *)(th + 1);
		uint32_t seq = rte_be_to_cpu_32(th->sent_seq);

		s->seen = true;
		if (th->tcp_flags & TH_SYN)
			s->out_isn = seq;
		s->out_seq_end = seq + pay + ((th->tcp_flags & TH_SYN) ? 1 : 0) +
				 ((th->tcp_flags & TH_FIN) ? 1 : 0);
		if (th->tcp_flags & TH_ACK)
			s->out_ack = rte_be_to_cpu_32(th->recv_ack);
		for (uint32_t i = 0; i + 10 <= doff - 20;) {
			if (o[i] == TCPOPT_NOP) {
				i++;
				continue;
			}
			if (o[i] == TCPOPT_TIMESTAMP) {
				uint32_t v;

				memcpy(&v, o + i + 2, 4);
				s->out_tsval = rte_be_to_cpu_32(v);
				break;
			}
			if (o[i] == TCPOPT_EOL || o[i + 1] < 2)
				break;
			i += o[i + 1];
		}
	}
}

/* Take and check everything queue @k's TX ring holds: true if any. */
static bool
tx_take(struct rte_ring *r, struct pmtcp_stack *st, int k)
{
	struct rte_mbuf *pkts[64];
	unsigned int n;
	bool any = false;

	while ((n = rte_ring_dequeue_burst(r, (void **)pkts, 64, NULL)) > 0) {
		any = true;
		fzw.tx_this_op += n;
		if (fzw.tx_this_op > FZ_TX_PER_OP)
			fz_fail("runaway TX: more than %u frames for one operation",
				FZ_TX_PER_OP);
		for (unsigned int i = 0; i < n; i++) {
			check_tx(st, k, pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
	}
	return any;
}

/* Take everything the port sent, check it, answer ARP; repeat while the
 * answers make more. */
void
fz_tx_drain(void)
{
	/* a stalled port: what the stacks send stays in the rings, and the
	 * rings fill */
	if (fzw.tx_stalled) {
		fz_burst_flush();
		fz_poll_all();
		return;
	}
	for (int round = 0; round < 16; round++) {
		bool any = tx_take(fz_tx_ring, fzw.st, 0);

		if (fzw.stb != NULL && tx_take(fz_tx_ring_b, fzw.stb, 1))
			any = true;
		fz_burst_flush();
		fz_poll_all();
		if (!any && rte_ring_count(fz_tx_ring) == 0 &&
		    rte_ring_count(fz_tx_ring_b) == 0)
			break;
	}
}

