/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's side of a connection (net/ipv4/tcp.c): send
 * (tcp_sendmsg), orderly close (tcp_close), reset (tcp_disconnect), and
 * TIME_WAIT (tcp_minisocks.c: tcp_time_wait), plus releasing a sock while
 * one of its callbacks runs.
 */
#include <errno.h>
#include <string.h>

#include "tcp.h"

/* Free @sk now, or, when its input is running an application callback,
 * mark it CLOSE and let that input free it when the callback returns. */
void
pmtcp_sock_release(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	if (st->cb_sk != sk) {
		pmtcp_sock_free(st, sk);
		return;
	}
	/* quiet now, freed by the input when the callback returns */
	pmtcp_timer_cancel(&st->wheel, &sk->timer);
	pmtcp_timer_cancel(&st->wheel, &sk->dtimer);
	rte_pktmbuf_free(sk->sndq);
	sk->sndq = NULL;
	sk->sndq_len = 0;
	sk->state = PMTCP_TCP_CLOSE;
	sk->flags |= SK_ORPHAN;
}

/*
 * What an skb costs beside its payload in Linux 4.17 (x86-64, a distribution
 * kernel): MAX_TCP_HEADER (128 + MAX_HEADER: LL_MAX_HEADER 128 + 48 for
 * tunnels), SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) and
 * SKB_DATA_ALIGN(sizeof(struct sk_buff)). tcp_sndbuf_expand() sizes the
 * send buffer from them.
 */
#define TCP_SKB_MAX_TCP_HEADER 304U
#define TCP_SKB_SHINFO_SIZE 320U
#define TCP_SKB_SIZE 256U
#define TCP_INIT_CWND 10U            /* RFC 6928; pmtcp's window stays there */

/*
 * sk->sk_sndbuf: tcp_wmem[1] (tcp_init_sock()), raised when the connection
 * is established by tcp_sndbuf_expand() to twice the congestion window
 * (TCP_INIT_CWND segments: pmtcp's window does not grow) of per-segment
 * truesize, at most tcp_wmem[2]: 87040 bytes for an MSS up to 1472.
 * Linux expands again as the window grows; pmtcp's does not grow.
 * tcp_wmem[0] is the floor Linux falls back to under memory pressure,
 * which pmtcp does not have.
 */
static uint32_t
tcp_sndbuf(const struct pmtcp_stack *st, const struct pmtcp_sock *sk)
{
	const int32_t *wmem = st->sysctl.tcp_wmem;
	uint32_t per_mss = (uint32_t)RTE_MAX(sk->rx_mss, sk->mss) +
			   TCP_SKB_MAX_TCP_HEADER + TCP_SKB_SHINFO_SIZE;
	uint64_t sndmem;

	per_mss = rte_align32pow2(per_mss) + TCP_SKB_SIZE;
	sndmem = 2ULL * TCP_INIT_CWND * per_mss;
	if (sndmem <= (uint64_t)wmem[1])
		return (uint32_t)wmem[1];
	return (uint32_t)RTE_MIN(sndmem, (uint64_t)wmem[2]);
}

/* sk->sk_wmem_queued: the send queue's mbufs, each charged whole (the
 * mempool element: struct rte_mbuf, private area and data room), as
 * Linux charges an skb's truesize. */
static inline uint32_t
tcp_wmem_queued(const struct pmtcp_stack *st, const struct pmtcp_sock *sk)
{
	return sk->sndq == NULL ? 0 : (uint32_t)sk->sndq->nb_segs * st->pool->elt_size;
}

/*
 * tcp_sendmsg() on a non-blocking socket: copy what the send buffer takes
 * into the send queue and send what the windows allow. Like Linux, a new
 * mbuf is taken only while the queue is below the send buffer
 * (sk_stream_memory_free()), and the last one is filled to its end, so
 * the queue may pass the buffer by less than one mbuf. Nothing taken:
 * -EAGAIN, or -ENOBUFS when the pool ran dry.
 */
int
pmtcp_send(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *buf,
	   uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t done = 0, sndbuf;
	int full = -EAGAIN;

	/* SYN_SENT: the data waits for the handshake, as a writer blocked
	 * in sk_stream_wait_connect() does (sk_write_pending); the first
	 * segment then carries the handshake's ACK */
	if (sk->state != PMTCP_TCP_ESTABLISHED && sk->state != PMTCP_TCP_CLOSE_WAIT &&
	    sk->state != PMTCP_TCP_SYN_SENT)
		return sk->state == PMTCP_TCP_SYN_RECV ? -ENOTCONN : -EPIPE;
	if (sk->flags & SK_FIN_QUEUED)
		return -EPIPE;
	if (len == 0)
		return 0;
	sndbuf = tcp_sndbuf(st, sk);
	while (done < len) {
		struct rte_mbuf *last = sk->sndq != NULL ? rte_pktmbuf_lastseg(sk->sndq) : NULL;
		uint32_t room = last != NULL ? rte_pktmbuf_tailroom(last) : 0;
		uint32_t n;
		char *dst;

		if (room == 0) {
			struct rte_mbuf *seg;

			/* sk_stream_memory_free() */
			if (tcp_wmem_queued(st, sk) >= sndbuf)
				break;
			seg = rte_pktmbuf_alloc(st->pool);
			if (seg == NULL) {
				MIB_INC(st, Pmtcp, NoMbuf);
				full = -ENOBUFS;
				break;
			}
			rte_pktmbuf_reset_headroom(seg);
			seg->data_off = 0;
			if (sk->sndq == NULL) {
				sk->sndq = seg;
			} else if (rte_pktmbuf_chain(sk->sndq, seg) != 0) {
				/* RTE_MBUF_MAX_NB_SEGS: a huge tcp_wmem */
				rte_pktmbuf_free(seg);
				break;
			}
			continue;
		}
		n = RTE_MIN(room, len - done);
		dst = rte_pktmbuf_append(sk->sndq, (uint16_t)n);
		if (dst == NULL)
			break;
		memcpy(dst, p + done, n);
		done += n;
	}
	if (done == 0)
		return full;
	sk->sndq_len += done;
	/* from inside one of @sk's callbacks, the input path sends it when
	 * the callback returns (tcp_data_snd_check()), with the ACK it owes
	 * and a FIN the callback may queue next: one segment, as Linux's
	 * release_sock() sends what a process queued while owning the sock */
	if (sk->state != PMTCP_TCP_SYN_SENT && st->cb_sk != sk)
		pmtcp_tcp_write_xmit(st, sk);
	return (int)done;
}

/* Acknowledged bytes leave the send queue. */
void
pmtcp_sndq_ack(struct pmtcp_sock *sk, uint32_t bytes)
{
	bytes = RTE_MIN(bytes, sk->sndq_len);
	sk->sndq_seq += bytes;
	sk->sndq_len -= bytes;
	while (bytes > 0 && sk->sndq != NULL) {
		struct rte_mbuf *head = sk->sndq;
		uint32_t seglen = rte_pktmbuf_data_len(head);

		if (bytes < seglen) {
			head->data_off += (uint16_t)bytes;
			head->data_len -= (uint16_t)bytes;
			head->pkt_len -= bytes;
			break;
		}
		bytes -= seglen;
		sk->sndq = head->next;
		if (sk->sndq != NULL) {
			sk->sndq->nb_segs = (uint16_t)(head->nb_segs - 1);
			sk->sndq->pkt_len = head->pkt_len - seglen;
		}
		head->next = NULL;
		head->nb_segs = 1;
		head->pkt_len = head->data_len;
		rte_pktmbuf_free_seg(head);
	}
	if (sk->sndq_len == 0 && sk->sndq != NULL) {
		rte_pktmbuf_free(sk->sndq);
		sk->sndq = NULL;
	}
}

/*
 * tcp_close(): RFC 9293 3.10.4 CLOSE - a FIN after what is queued;
 * ESTABLISHED -> FIN_WAIT1, CLOSE_WAIT -> LAST_ACK. A connection still in
 * the handshake is reset instead (SYN_SENT: dropped silently).
 */
int
pmtcp_close(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	switch (sk->state) {
	case PMTCP_TCP_ESTABLISHED:
		pmtcp_tcp_set_state(st, sk, PMTCP_TCP_FIN_WAIT1);
		break;
	case PMTCP_TCP_CLOSE_WAIT:
		pmtcp_tcp_set_state(st, sk, PMTCP_TCP_LAST_ACK);
		break;
	case PMTCP_TCP_SYN_SENT:
	case PMTCP_TCP_SYN_RECV:
		pmtcp_abort(st, sk);
		return 0;
	default:
		return -ENOTCONN;
	}
	sk->flags |= SK_FIN_QUEUED;
	if (st->cb_sk != sk)   /* else when the callback returns */
		pmtcp_tcp_write_xmit(st, sk);
	return 0;
}

/*
 * tcp_disconnect(): RST for a synchronized connection, then release.
 * A sock in CLOSE is over already: freed, released from inside its own
 * callback (the input frees it when the callback returns), or the sock
 * of a failed or closed callback (tcp_done() frees it next); it is left
 * alone, so that a second abort, or one from those callbacks, does not
 * free it twice. A TIME_WAIT (the closed callback's sock as TIME_WAIT
 * begins) ends without a word to the peer, as inet_twsk_deschedule_put().
 */
void
pmtcp_abort(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	switch (sk->state) {
	case PMTCP_TCP_CLOSE:
		return;
	case PMTCP_TCP_TIME_WAIT:
		/* the sock of closed(0): its TIME_WAIT entry ends */
		pmtcp_tcp_tw_end(st, sk);
		break;
	case PMTCP_TCP_SYN_SENT:
		break;
	default:
		/* ESTABLISHED, SYN_RECV, CLOSE_WAIT, FIN_WAIT1/2, CLOSING,
		 * LAST_ACK: tcp_need_reset() */
		pmtcp_tcp_send_active_reset(st, sk);
		MIB_INC(st, TcpExt, TCPAbortOnData);
		break;
	}
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_CLOSE);
	pmtcp_sock_release(st, sk);
}

/* The TIME_WAIT entry of @sk, the sock in TIME_WAIT while its closed(0)
 * callback runs, ends (inet_twsk_deschedule_put()) */
void
pmtcp_tcp_tw_end(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	struct pmtcp_tw *tw = pmtcp_tw_lookup(st, sk->saddr, sk->sport,
					      sk->daddr, sk->dport);

	if (tw != NULL)
		pmtcp_tw_kill(st, tw);
}

/*
 * tcp_time_wait(): keep the 4-tuple for 2 MSL (TCP_TIMEWAIT_LEN, 60 s) so
 * that old duplicates die, unless tcp_max_tw_buckets are in use (then
 * close at once and count TCPTimeWaitOverflow, as Linux does). The
 * TIME_WAIT is a 64-byte entry (struct pmtcp_tw) that takes over the
 * sock's slot in the table; the sock, in TIME_WAIT for the closed(0)
 * callback, is freed when that returns (tcp_done()).
 */
void
pmtcp_tcp_time_wait(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	struct pmtcp_sock *cb_sk = st->cb_sk;

	pmtcp_timer_cancel(&st->wheel, &sk->dtimer);
	pmtcp_timer_cancel(&st->wheel, &sk->timer);
	if (st->tw_count >= (uint32_t)st->sysctl.tcp_max_tw_buckets ||
	    pmtcp_tw_hashdance(st, sk) == NULL) {
		MIB_INC(st, TcpExt, TCPTimeWaitOverflow);
		pmtcp_tcp_done(st, sk, 0);
		return;
	}
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_TIME_WAIT);
	if (!(sk->flags & SK_ORPHAN)) {
		sk->flags |= SK_ORPHAN;
		st->cb_sk = sk;
		if (st->cb.closed != NULL)
			st->cb.closed(st, sk, 0, st->cb.arg);
		st->cb_sk = cb_sk;
	}
	/* pmtcp_abort() from the callback ended the TIME_WAIT and left
	 * the sock in CLOSE; else the TIME_WAIT entry holds the slot */
	sk->state = PMTCP_TCP_CLOSE;
	pmtcp_sock_free(st, sk);
}
