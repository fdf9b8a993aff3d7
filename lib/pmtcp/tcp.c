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
	if (sk->state == PMTCP_TCP_TIME_WAIT)
		st->tw_count--;
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

/* tcp_sendmsg(): copy @len bytes to the send queue and send what the
 * windows allow. */
int
pmtcp_send(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *buf,
	   uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t done = 0;

	if (sk->state != PMTCP_TCP_ESTABLISHED && sk->state != PMTCP_TCP_CLOSE_WAIT)
		return sk->state == PMTCP_TCP_SYN_SENT ||
		       sk->state == PMTCP_TCP_SYN_RECV ? -ENOTCONN : -EPIPE;
	if (sk->flags & SK_FIN_QUEUED)
		return -EPIPE;
	if (len == 0)
		return 0;
	while (done < len) {
		struct rte_mbuf *last = sk->sndq != NULL ? rte_pktmbuf_lastseg(sk->sndq) : NULL;
		uint32_t room = last != NULL ? rte_pktmbuf_tailroom(last) : 0;
		uint32_t n;
		char *dst;

		if (room == 0) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(st->pool);

			if (seg == NULL) {
				MIB_INC(st, Pmtcp, NoMbuf);
				break;
			}
			rte_pktmbuf_reset_headroom(seg);
			seg->data_off = 0;
			if (sk->sndq == NULL) {
				sk->sndq = seg;
			} else if (rte_pktmbuf_chain(sk->sndq, seg) != 0) {
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
	sk->sndq_len += done;
	pmtcp_tcp_write_xmit(st, sk);
	return done == 0 ? -ENOBUFS : (int)done;
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
	pmtcp_tcp_write_xmit(st, sk);
	return 0;
}

/* tcp_disconnect(): RST for a synchronized connection, then release. */
void
pmtcp_abort(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	if (sk->state == PMTCP_TCP_ESTABLISHED || sk->state == PMTCP_TCP_SYN_RECV ||
	    sk->state == PMTCP_TCP_CLOSE_WAIT || sk->state == PMTCP_TCP_FIN_WAIT1 ||
	    sk->state == PMTCP_TCP_FIN_WAIT2 || sk->state == PMTCP_TCP_CLOSING ||
	    sk->state == PMTCP_TCP_LAST_ACK) {
		pmtcp_tcp_send_active_reset(st, sk);
		MIB_INC(st, TcpExt, TCPAbortOnData);
	}
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_CLOSE);
	pmtcp_sock_release(st, sk);
}

/*
 * tcp_time_wait(): keep the 4-tuple for 2 MSL (TCP_TIMEWAIT_LEN, 60 s) so
 * that old duplicates die, unless tcp_max_tw_buckets are in use (then
 * close at once and count TCPTimeWaitOverflow, as Linux does).
 */
void
pmtcp_tcp_time_wait(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	pmtcp_timer_cancel(&st->wheel, &sk->dtimer);
	if (st->tw_count >= (uint32_t)st->sysctl.tcp_max_tw_buckets) {
		MIB_INC(st, TcpExt, TCPTimeWaitOverflow);
		pmtcp_tcp_done(st, sk, 0);
		return;
	}
	if (sk->state != PMTCP_TCP_TIME_WAIT) {
		pmtcp_tcp_set_state(st, sk, PMTCP_TCP_TIME_WAIT);
		st->tw_count++;
	}
	pmtcp_reset_xmit_timer(st, sk, 60000);
	if (!(sk->flags & SK_ORPHAN)) {
		sk->flags |= SK_ORPHAN;
		if (st->cb.closed != NULL)
			st->cb.closed(st, sk, 0, st->cb.arg);
	}
}
