/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers (net/ipv4/tcp_timer.c), on the per-lcore wheel: SYN and
 * SYN-ACK retransmission (tcp_syn_retries / tcp_synack_retries), data and
 * FIN retransmission (tcp_retries2), all with exponential backoff (RFC
 * 6298 section 5.5, ceiling TCP_RTO_MAX); the delayed ACK; FIN_WAIT2
 * (tcp_fin_timeout) and a TIME_WAIT entry's (60 s).
 */
#include <errno.h>

#include "tcp.h"

void
pmtcp_reset_xmit_timer(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		       uint32_t ms)
{
	pmtcp_timer_arm(&st->wheel, &sk->timer, pmtcp_ms_to_ticks(st, ms));
}

/* tcp_write_timeout(): have the retries for this state run out? A full
 * sock in SYN_SENT or SYN_RECV (our own connect(), also after a
 * simultaneous open) counts against tcp_syn_retries; a listener's child
 * (Linux's request sock, reqsk_timer_handler()) against
 * tcp_synack_retries. */
static bool
tcp_write_timeout(const struct pmtcp_stack *st, const struct pmtcp_sock *sk)
{
	int retry_until = (sk->flags & SK_ACTIVE) ?
		st->sysctl.tcp_syn_retries : st->sysctl.tcp_synack_retries;

	return sk->retransmits >= retry_until;
}

/* tcp_retransmit_timer() for the handshake states. */
static void
tcp_retransmit_timer(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	if (tcp_write_timeout(st, sk)) {
		/* tcp_write_err(): ETIMEDOUT */
		MIB_INC(st, TcpExt, TCPAbortOnTimeout);
		pmtcp_tcp_done(st, sk, -ETIMEDOUT);
		return;
	}
	if (sk->retransmits == 0)
		MIB_INC(st, TcpExt, TCPTimeouts);
	MIB_INC(st, TcpExt, TCPSynRetrans);
	if (sk->state == PMTCP_TCP_SYN_SENT) {
		uint8_t flags = TH_SYN;

		/* RFC 3168 6.1.1.1: retransmitted SYNs keep ECE|CWR (Linux
		 * drops them only after the ECN fallback heuristics). */
		if (st->sysctl.tcp_ecn == 1)
			flags |= TH_ECE | TH_CWR;
		pmtcp_tcp_transmit(st, sk, flags, sk->iss, true);
	} else {
		pmtcp_send_synack(st, sk, true);
	}
	sk->retransmits++;
	/* RFC 6298 5.5: back off the timer, RTO = min(RTO * 2, RTO_MAX) */
	sk->rto_ms = RTE_MIN(sk->rto_ms * 2, (uint32_t)st->sysctl.tcp_rto_max_ms);
	pmtcp_reset_xmit_timer(st, sk, sk->rto_ms);
}

/* The data-phase retransmission (tcp_retransmit_timer() for
 * synchronized states): resend the head, back off, give up after
 * tcp_retries2 with ETIMEDOUT. */
static void
tcp_retransmit_data(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	if (sk->snd_una == sk->snd_nxt)
		return;   /* everything acked meanwhile */
	if (sk->retransmits >= st->sysctl.tcp_retries2) {
		MIB_INC(st, TcpExt, TCPAbortOnTimeout);
		pmtcp_tcp_done(st, sk, -ETIMEDOUT);
		return;
	}
	if (sk->retransmits == 0)
		MIB_INC(st, TcpExt, TCPTimeouts);
	pmtcp_tcp_retransmit_head(st, sk);
	sk->retransmits++;
	sk->rto_ms = RTE_MIN(sk->rto_ms * 2, (uint32_t)st->sysctl.tcp_rto_max_ms);
	pmtcp_reset_xmit_timer(st, sk, sk->rto_ms);
}

/* tcp_delack_timer(): the ACK we held back goes out now. */
static void
tcp_delack_timer(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	if (sk->rcv_nxt == sk->rcv_wup)
		return;
	MIB_INC(st, TcpExt, DelayedACKs);
	pmtcp_send_ack(st, sk);
}

void
pmtcp_tcp_timer_fire(struct pmtcp_timer *t, void *arg)
{
	struct pmtcp_stack *st = arg;
	struct pmtcp_sock *sk;

	if (t->kind == SK_TIMER_DELACK) {
		tcp_delack_timer(st, container_of(t, struct pmtcp_sock, dtimer));
		return;
	}
	if (t->kind == SK_TIMER_TW || t->kind == SK_TIMER_TW_TSTAMP) {
		/* 2 MSL over (tw_timer_handler(), inet_twsk_kill()) */
		MIB_INC(st, TcpExt, TW);
		pmtcp_tw_done(st, container_of(t, struct pmtcp_tw, timer));
		return;
	}
	sk = container_of(t, struct pmtcp_sock, timer);
	switch (sk->state) {
	case PMTCP_TCP_SYN_SENT:
	case PMTCP_TCP_SYN_RECV:
		tcp_retransmit_timer(st, sk);
		break;
	case PMTCP_TCP_ESTABLISHED:
	case PMTCP_TCP_CLOSE_WAIT:
	case PMTCP_TCP_FIN_WAIT1:
	case PMTCP_TCP_CLOSING:
	case PMTCP_TCP_LAST_ACK:
		tcp_retransmit_data(st, sk);
		break;
	case PMTCP_TCP_FIN_WAIT2:
		/* tcp_fin_timeout ran out: the peer never sent its FIN */
		pmtcp_tcp_done(st, sk, -ETIMEDOUT);
		break;
	default:
		break;
	}
}
