/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP state machine (net/ipv4/tcp_input.c, tcp_minisocks.c):
 * SYN_SENT as tcp_rcv_synsent_state_process() does it, the passive side
 * (LISTEN -> SYN_RECV -> ESTABLISHED, SYN cookies), the synchronized
 * states with data, ACK processing, delayed ACKs and the FIN states
 * (tcp_rcv_established() / tcp_rcv_state_process()), and TIME_WAIT
 * (tcp_timewait_state_process()).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "syncookies.h"
#include "tcp.h"

static void tcp_rcv_synchronized(struct pmtcp_stack *st, struct pmtcp_sock *sk,
				 struct rte_mbuf *m, const struct rte_tcp_hdr *th,
				 const struct pmtcp_tcp_opts *opt, uint32_t seg_len);

/* tcp_set_state(): the state change and its counters (Linux 4.17). */
void
pmtcp_tcp_set_state(struct pmtcp_stack *st, struct pmtcp_sock *sk, int state)
{
	int old = sk->state;

	if (state == PMTCP_TCP_ESTABLISHED && old != PMTCP_TCP_ESTABLISHED)
		MIB_INC(st, Tcp, CurrEstab);
	if (state == PMTCP_TCP_CLOSE &&
	    (old == PMTCP_TCP_ESTABLISHED || old == PMTCP_TCP_CLOSE_WAIT))
		MIB_INC(st, Tcp, EstabResets);
	if (old == PMTCP_TCP_ESTABLISHED && state != PMTCP_TCP_ESTABLISHED)
		MIB_DEC(st, Tcp, CurrEstab);
	if (pmtcp_trace_on(st, PMTCP_TRACE_STATE))
		pmtcp_trace_state(st, sk, old, state);
	sk->state = (uint8_t)state;
}

/* tcp_done(): the connection is over. Reports @err to the application
 * (failed before ESTABLISHED, closed after, nothing once orphaned) and
 * releases the sock. */
void
pmtcp_tcp_done(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err)
{
	int old = sk->state;

	if (old == PMTCP_TCP_SYN_SENT || old == PMTCP_TCP_SYN_RECV)
		MIB_INC(st, Tcp, AttemptFails);
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_CLOSE);
	if (old == PMTCP_TCP_TIME_WAIT)
		st->tw_count--;   /* set_state moved it out already */
	if (!(sk->flags & SK_ORPHAN)) {
		sk->flags |= SK_ORPHAN;
		if (old == PMTCP_TCP_SYN_SENT ||
		    (old == PMTCP_TCP_SYN_RECV && (sk->flags & SK_ACTIVE))) {
			if (st->cb.failed != NULL)
				st->cb.failed(st, sk, err, st->cb.arg);
		} else if (old != PMTCP_TCP_SYN_RECV) {
			if (st->cb.closed != NULL)
				st->cb.closed(st, sk, err, st->cb.arg);
		}
	}
	pmtcp_sock_release(st, sk);
}

/* Set up what the data phase needs when a connection reaches ESTABLISHED. */
static void
tcp_init_transfer(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	uint32_t quick = sk->rcv_wnd / (2U * RTE_MAX(sk->advmss, (uint16_t)1));

	sk->sndq_seq = sk->iss + 1;
	sk->rcv_wup = sk->rcv_nxt;
	/* tcp_incr_quickack(): ACK at once while the peer's window opens */
	sk->quickack = (uint8_t)RTE_MIN(RTE_MAX(quick, 2U), 16U);
	sk->retransmits = 0;
	sk->ts_recent_stamp = st->now_ms;
}

/*
 * tcp_rtt_estimator(), RFC 6298 section 2: the first sample sets
 * SRTT = R, RTTVAR = R/2; later ones smooth with alpha 1/8, beta 1/4.
 * RTO = SRTT + max(G, 4 * RTTVAR), at least TCP_RTO_MIN (200 ms) as Linux.
 */
void
pmtcp_tcp_rtt_estimator(struct pmtcp_sock *sk, uint32_t rtt_us)
{
	uint32_t rto_us;

	if (sk->srtt_us == 0) {
		sk->srtt_us = rtt_us == 0 ? 1 : rtt_us;
		sk->rttvar_us = rtt_us / 2;
	} else {
		uint32_t delta = sk->srtt_us > rtt_us ? sk->srtt_us - rtt_us :
			rtt_us - sk->srtt_us;

		sk->rttvar_us = sk->rttvar_us - sk->rttvar_us / 4 + delta / 4;
		sk->srtt_us = sk->srtt_us - sk->srtt_us / 8 + rtt_us / 8;
	}
	rto_us = sk->srtt_us + RTE_MAX(1000U, 4 * sk->rttvar_us);
	sk->rto_ms = RTE_MAX(rto_us / 1000, TCP_RTO_MIN_MS);
}

/* The first RTT sample of a handshake: from the clock when nothing was
 * retransmitted (Karn), else from the echoed timestamp (RFC 7323 4.1). */
static void
tcp_synack_rtt_meas(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		    const struct pmtcp_tcp_opts *opt)
{
	uint32_t rtt_us;

	if (sk->retransmits == 0) {
		rtt_us = (uint32_t)((st->now_tsc - sk->open_tsc) * 1000000 / st->tsc_hz);
	} else if (opt->saw_tstamp && opt->rcv_tsecr != 0 &&
		   (sk->flags & SK_TSTAMP_OK)) {
		rtt_us = (pmtcp_tcp_tsval(st, sk) - opt->rcv_tsecr) * 1000;
	} else {
		return;
	}
	pmtcp_tcp_rtt_estimator(sk, rtt_us);
}

/* tcp_sync_mss() for the handshake: the MSS we send with. */
static void
tcp_sync_mss(struct pmtcp_sock *sk)
{
	uint16_t mss = RTE_MIN(sk->advmss, sk->rx_mss);

	if (sk->flags & SK_TSTAMP_OK)
		mss -= TCPOLEN_TSTAMP_ALIGNED;
	sk->mss = mss;
}

/* tcp_reset(): RFC 9293 3.10.7.3 - a RST in SYN_SENT means refused, in a
 * synchronized state reset. */
static void
tcp_reset(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	int err = sk->state == PMTCP_TCP_SYN_SENT ? -ECONNREFUSED : -ECONNRESET;

	pmtcp_tcp_done(st, sk, err);
}

/* Send a RST answering @m for @sk (tcp_v4_send_reset with a socket), then
 * drop @m. */
static void
tcp_reset_and_drop(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		   struct rte_mbuf *m, enum pmtcp_drop_reason why)
{
	pmtcp_tcp_v4_send_reset(st, &st->ifaces[sk->iface], m);
	pmtcp_drop(st, m, why);
}

/* The options of a SYN or SYN-ACK decide what the connection uses. */
static void
tcp_apply_syn_options(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		      const struct pmtcp_tcp_opts *opt)
{
	/* RFC 7323 2.2: window scaling only when both sides offered it */
	if ((sk->flags & SK_WSCALE_OK) && opt->wscale_ok) {
		sk->snd_wscale = opt->snd_wscale;
	} else {
		sk->flags &= (uint8_t)~SK_WSCALE_OK;
		sk->snd_wscale = 0;
		sk->rcv_wscale = 0;
	}
	/* RFC 7323 3.2: timestamps only when the SYN-ACK carries one */
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp)
		sk->ts_recent = opt->rcv_tsval;
	else
		sk->flags &= (uint8_t)~SK_TSTAMP_OK;
	if (!((sk->flags & SK_SACK_OK) && opt->sack_ok))
		sk->flags &= (uint8_t)~SK_SACK_OK;
	/* RFC 9293 3.7.1: 536 when the peer sends no MSS option */
	sk->rx_mss = opt->mss_clamp != 0 ? opt->mss_clamp : TCP_MSS_DEFAULT;
	tcp_sync_mss(sk);
	(void)st;
}

/*
 * tcp_rcv_synsent_state_process(): RFC 9293 section 3.10.7.3, SYN-SENT.
 * Consumes @m.
 */
static void
pmtcp_rcv_synsent_state_process(struct pmtcp_stack *st, struct pmtcp_sock *sk,
				struct rte_mbuf *m,
				const struct rte_tcp_hdr *th,
				const struct pmtcp_tcp_opts *opt)
{
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);

	if (flags & TH_ACK) {
		/* "If SEG.ACK =< ISS, or SEG.ACK > SND.NXT, send a reset
		 *  (unless the RST bit is set, if so drop the segment)" */
		if (!seq_after(ack, sk->snd_una) || seq_after(ack, sk->snd_nxt)) {
			if (flags & TH_RST) {
				pmtcp_drop(st, m, PMTCP_DROP_TCP_BAD_ACK);
				return;
			}
			tcp_reset_and_drop(st, sk, m, PMTCP_DROP_TCP_BAD_ACK);
			return;
		}
		/* PAWS (RFC 7323 5.3 / Linux): the echoed timestamp must lie
		 * between our first SYN and now */
		if (opt->saw_tstamp && opt->rcv_tsecr != 0 &&
		    !seq_between(opt->rcv_tsecr, sk->retrans_stamp + sk->ts_off,
				 pmtcp_tcp_tsval(st, sk))) {
			MIB_INC(st, TcpExt, PAWSActiveRejected);
			tcp_reset_and_drop(st, sk, m, PMTCP_DROP_TCP_PAWS);
			return;
		}
		/* "If the RST bit is set ... signal 'connection reset'" */
		if (flags & TH_RST) {
			rte_pktmbuf_free(m);
			tcp_reset(st, sk);
			return;
		}
		/* an acceptable ACK without SYN: drop */
		if (!(flags & TH_SYN)) {
			pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
			return;
		}
		/* SYN-ACK. tcp_ecn_rcv_synack(): RFC 3168 6.1.1 - ECN is on
		 * only for ECE without CWR, and only if we asked */
		if (st->sysctl.tcp_ecn == 1 && (flags & TH_ECE) && !(flags & TH_CWR))
			sk->flags |= SK_ECN_OK;
		sk->irs = seq;
		sk->rcv_nxt = seq + 1;
		sk->snd_una = ack;
		/* RFC 7323 2.2: the window of a SYN is not scaled */
		sk->snd_wnd = rte_be_to_cpu_16(th->rx_win);
		tcp_apply_syn_options(st, sk, opt);
		tcp_synack_rtt_meas(st, sk, opt);
		pmtcp_timer_cancel(&st->wheel, &sk->timer);
		rte_pktmbuf_free(m);
		/* tcp_finish_connect() then __tcp_send_ack() */
		pmtcp_tcp_set_state(st, sk, PMTCP_TCP_ESTABLISHED);
		tcp_init_transfer(st, sk);
		pmtcp_send_ack(st, sk);
		if (st->cb.connected != NULL)
			st->cb.connected(st, sk, st->cb.arg);
		return;
	}

	/* "If the RST bit is set ... drop the segment and return" */
	if (flags & TH_RST) {
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		return;
	}
	/* PAWS without ACK: only a connection that took over a TIME_WAIT
	 * (tcp_tw_reuse) has a ts_recent from the earlier incarnation */
	if (sk->ts_recent_stamp != 0 && opt->saw_tstamp &&
	    (int32_t)(sk->ts_recent - opt->rcv_tsval) > 0) {
		pmtcp_drop(st, m, PMTCP_DROP_TCP_PAWS);
		return;
	}
	if (flags & TH_SYN) {
		/* simultaneous open, RFC 9293 3.10.7.3: SYN_RECV, SYN-ACK
		 * with the same ISN */
		sk->irs = seq;
		sk->rcv_nxt = seq + 1;
		sk->snd_wnd = rte_be_to_cpu_16(th->rx_win);
		tcp_apply_syn_options(st, sk, opt);
		pmtcp_tcp_set_state(st, sk, PMTCP_TCP_SYN_RECV);
		rte_pktmbuf_free(m);
		pmtcp_send_synack(st, sk, false);
		return;
	}
	pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
}

/*
 * The end of a handshake (SYN_RECV, a cookie, a simultaneous open): the
 * data phase set up, PassiveOpens counted for the passive side (Linux
 * counts it in tcp_create_openreq_child()), the application told; then
 * the rest of the segment (data, FIN) goes on to the synchronized states,
 * as tcp_rcv_state_process() goes on after its SYN_RECV step.
 * Consumes @m.
 */
static void
tcp_child_established(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		      struct rte_mbuf *m, const struct rte_tcp_hdr *th,
		      const struct pmtcp_tcp_opts *opt, uint32_t seg_len,
		      bool active)
{
	tcp_init_transfer(st, sk);
	if (!active)
		MIB_INC(st, Tcp, PassiveOpens);
	st->cb_sk = sk;
	if (active && st->cb.connected != NULL)
		st->cb.connected(st, sk, st->cb.arg);
	else if (!active && st->cb.accepted != NULL)
		st->cb.accepted(st, sk, st->cb.arg);
	st->cb_sk = NULL;
	if (sk->state == PMTCP_TCP_CLOSE) {
		/* released from the callback */
		pmtcp_sock_free(st, sk);
		rte_pktmbuf_free(m);
		return;
	}
	if (seg_len > 0)
		tcp_rcv_synchronized(st, sk, m, th, opt, seg_len);
	else
		rte_pktmbuf_free(m);
}

/* tcp_in_window() as tcp_check_req() uses it. */
static bool
tcp_in_window(uint32_t seq, uint32_t end_seq, uint32_t s_win, uint32_t e_win)
{
	if (seq == s_win)
		return true;
	if (seq_after(end_seq, s_win) && seq_before(seq, e_win))
		return true;
	return seq == e_win && seq == end_seq;
}

/*
 * SYN_RECV (tcp_check_req() for the passive side, tcp_rcv_state_process()
 * TCP_SYN_RECV for a simultaneous open). Consumes @m.
 */
static void
tcp_rcv_synrecv(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		struct rte_mbuf *m, const struct rte_tcp_hdr *th,
		const struct pmtcp_tcp_opts *opt, uint32_t seg_len)
{
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	bool active = (sk->flags & SK_ACTIVE) != 0;

	/* the peer resent its SYN: resend our SYN-ACK */
	if (seq == sk->irs && (flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_SYN) {
		rte_pktmbuf_free(m);
		pmtcp_send_synack(st, sk, true);
		return;
	}
	/* an ACK for something we did not send: RST (RFC 9293 3.10.7.4) */
	if ((flags & TH_ACK) && ack != sk->iss + 1 && !(flags & TH_RST)) {
		tcp_reset_and_drop(st, sk, m, PMTCP_DROP_TCP_BAD_ACK);
		return;
	}
	if (!tcp_in_window(seq, seq + seg_len, sk->rcv_nxt,
			   sk->rcv_nxt + sk->rcv_wnd)) {
		/* RFC 9293 3.10.7.4: unacceptable, ACK it unless RST */
		if (!(flags & TH_RST))
			pmtcp_send_ack(st, sk);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		return;
	}
	if (flags & (TH_RST | TH_SYN)) {
		/* embryonic reset: a SYN in window is answered by a RST */
		if (!(flags & TH_RST))
			pmtcp_tcp_v4_send_reset(st, &st->ifaces[sk->iface], m);
		rte_pktmbuf_free(m);
		pmtcp_tcp_done(st, sk, -ECONNRESET);
		return;
	}
	if (!(flags & TH_ACK)) {
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		return;
	}
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp)
		sk->ts_recent = opt->rcv_tsval;
	sk->snd_una = ack;
	sk->snd_wnd = (uint32_t)rte_be_to_cpu_16(th->rx_win) << sk->snd_wscale;
	tcp_synack_rtt_meas(st, sk, opt);
	pmtcp_timer_cancel(&st->wheel, &sk->timer);
	if (sk->flags & SK_LISTEN_CHILD) {
		st->listeners[sk->listener - 1].syn_queue--;
		sk->flags &= (uint8_t)~SK_LISTEN_CHILD;
	}
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_ESTABLISHED);
	tcp_child_established(st, sk, m, th, opt, seg_len, active);
}

/* tcp_send_challenge_ack(): RFC 5961 7, at most tcp_challenge_ack_limit
 * per second. */
static void
tcp_send_challenge_ack(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	uint32_t second = st->now_ms / 1000;

	if (second != st->challenge_second) {
		st->challenge_second = second;
		st->challenge_count = 0;
	}
	if (st->challenge_count >= (uint32_t)st->sysctl.tcp_challenge_ack_limit) {
		MIB_INC(st, TcpExt, TCPChallengeACKLimit);
		return;
	}
	st->challenge_count++;
	MIB_INC(st, TcpExt, TCPChallengeACK);
	pmtcp_send_ack(st, sk);
}

/* Hand in-order payload to the application, segment by segment of the
 * mbuf chain. */
static void
tcp_deliver(struct pmtcp_stack *st, struct pmtcp_sock *sk,
	    const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = m;

	if (st->cb.recv == NULL)
		return;
	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	for (; seg != NULL && len > 0; seg = seg->next) {
		uint32_t n = RTE_MIN((uint32_t)seg->data_len - off, len);

		st->cb.recv(st, sk, rte_pktmbuf_mtod_offset(seg, const uint8_t *, off),
			    n, st->cb.arg);
		if (sk->state == PMTCP_TCP_CLOSE)
			return;  /* aborted from the callback */
		len -= n;
		off = 0;
	}
}

/*
 * tcp_ack(): RFC 9293 3.10.7.4 fifth check, for the synchronized states.
 * Returns false when the segment must be dropped.
 */
static bool
tcp_ack(struct pmtcp_stack *st, struct pmtcp_sock *sk,
	const struct rte_tcp_hdr *th, const struct pmtcp_tcp_opts *opt)
{
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	uint32_t acked, data_acked;
	bool fin_acked;

	/* "If the ACK acks something not yet sent ... send an ACK, drop" */
	if (seq_after(ack, sk->snd_nxt)) {
		pmtcp_send_ack(st, sk);
		return false;
	}
	/* window update (RFC 9293 3.10.7.4: SND.WL1/WL2 simplified to any
	 * acceptable ACK not older than SND.UNA) */
	if (!seq_before(ack, sk->snd_una))
		sk->snd_wnd = (uint32_t)rte_be_to_cpu_16(th->rx_win) << sk->snd_wscale;
	if (!seq_after(ack, sk->snd_una))
		return true;  /* duplicate: nothing new acknowledged */
	acked = ack - sk->snd_una;
	data_acked = RTE_MIN(acked, sk->sndq_len);
	fin_acked = (sk->flags & SK_FIN_QUEUED) &&
		    ack == sk->sndq_seq + sk->sndq_len + 1;
	pmtcp_sndq_ack(sk, data_acked);
	sk->snd_una = ack;
	/* RTT from the echoed timestamp (RFC 7323 4.1), Karn otherwise */
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp && opt->rcv_tsecr != 0)
		pmtcp_tcp_rtt_estimator(sk, (pmtcp_tcp_tsval(st, sk) -
					     opt->rcv_tsecr) * 1000);
	sk->retransmits = 0;
	if (sk->snd_una == sk->snd_nxt)
		pmtcp_timer_cancel(&st->wheel, &sk->timer);
	else
		pmtcp_reset_xmit_timer(st, sk, sk->rto_ms);  /* RFC 6298 5.3 */
	if (fin_acked) {
		switch (sk->state) {
		case PMTCP_TCP_FIN_WAIT1:
			/* the application is gone: bound FIN_WAIT2 by
			 * tcp_fin_timeout */
			pmtcp_tcp_set_state(st, sk, PMTCP_TCP_FIN_WAIT2);
			pmtcp_reset_xmit_timer(st, sk,
				(uint32_t)st->sysctl.tcp_fin_timeout * 1000);
			break;
		case PMTCP_TCP_CLOSING:
			pmtcp_tcp_time_wait(st, sk);
			return false;
		case PMTCP_TCP_LAST_ACK:
			pmtcp_tcp_done(st, sk, 0);
			return false;
		default:
			break;
		}
	}
	return true;
}

/* __tcp_ack_snd_check(): ACK now (quick ACK mode, two full segments
 * owed, or told to), or within TCP_DELACK_MIN (40 ms). */
static void
tcp_ack_snd_check(struct pmtcp_stack *st, struct pmtcp_sock *sk, bool now)
{
	if (sk->rcv_nxt == sk->rcv_wup)
		return;
	if (now || sk->quickack > 0 || sk->rcv_nxt - sk->rcv_wup >= 2U * sk->advmss) {
		if (sk->quickack > 0)
			sk->quickack--;
		pmtcp_send_ack(st, sk);
		return;
	}
	if (!pmtcp_timer_pending(&sk->dtimer))
		pmtcp_timer_arm(&st->wheel, &sk->dtimer, pmtcp_ms_to_ticks(st, 40));
}

/*
 * The synchronized states (RFC 9293 3.10.7.4; Linux tcp_rcv_established()
 * and the rest of tcp_rcv_state_process()): RST, PAWS, sequence check,
 * SYN, ACK, data, FIN, in that order. Consumes @m.
 */
static void
tcp_rcv_synchronized(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		     struct rte_mbuf *m, const struct rte_tcp_hdr *th,
		     const struct pmtcp_tcp_opts *opt, uint32_t seg_len)
{
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t wnd = RTE_MAX(sk->rcv_wnd, 1U);
	uint32_t data_len = seg_len - ((flags & TH_FIN) ? 1 : 0) -
			    ((flags & TH_SYN) ? 1 : 0);
	uint32_t data_off = m->l2_len + m->l3_len + m->l4_len;
	bool ack_now = false;

	/* PAWS (RFC 7323 5): an older timestamp than ts_recent */
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp && !(flags & TH_RST) &&
	    (int32_t)(sk->ts_recent - opt->rcv_tsval) > 0) {
		MIB_INC(st, TcpExt, PAWSEstabRejected);
		pmtcp_send_ack(st, sk);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_PAWS);
		return;
	}
	/* tcp_sequence(): first check, the segment overlaps the window; one
	 * that lies wholly before RCV.NXT (old data, a repeated FIN) is not
	 * acceptable either (RFC 9293 3.10.7.4) */
	if (seq_before(seq + seg_len, sk->rcv_wup) ||
	    seq_after(seq, sk->rcv_nxt + wnd) ||
	    (seg_len > 0 && !(flags & TH_RST) &&
	     !seq_after(seq + seg_len, sk->rcv_nxt))) {
		if (flags & TH_SYN) {
			/* RFC 5961 4.2: any SYN gets a challenge ACK */
			MIB_INC(st, TcpExt, TCPSYNChallenge);
			tcp_send_challenge_ack(st, sk);
		} else if (!(flags & TH_RST)) {
			pmtcp_send_ack(st, sk);   /* tcp_send_dupack() */
		}
		pmtcp_drop(st, m, PMTCP_DROP_TCP_OUT_OF_WINDOW);
		return;
	}
	if (flags & TH_RST) {
		/* RFC 5961 3.2: reset only on an exact match of RCV.NXT; a RST
		 * elsewhere in the window gets a challenge ACK */
		if (seq == sk->rcv_nxt) {
			rte_pktmbuf_free(m);
			/* tcp_reset(): EPIPE in CLOSE_WAIT, else ECONNRESET */
			pmtcp_tcp_done(st, sk, sk->state == PMTCP_TCP_CLOSE_WAIT ?
				       -EPIPE : -ECONNRESET);
			return;
		}
		tcp_send_challenge_ack(st, sk);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		return;
	}
	if (flags & TH_SYN) {
		/* RFC 5961 4.2: answer a SYN with a challenge ACK (this also
		 * answers a SYN-ACK retransmitted because our ACK was lost) */
		MIB_INC(st, TcpExt, TCPSYNChallenge);
		tcp_send_challenge_ack(st, sk);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		return;
	}
	if (!(flags & TH_ACK)) {
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		return;
	}
	if (!tcp_ack(st, sk, th, opt)) {
		rte_pktmbuf_free(m);
		return;
	}
	/* tcp_replace_ts_recent() */
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp &&
	    !seq_after(seq, sk->rcv_wup)) {
		sk->ts_recent = opt->rcv_tsval;
		sk->ts_recent_stamp = st->now_ms;
	}

	/* data: only while the peer may still send (RFC 9293 3.10.7.4
	 * seventh check) */
	/* new data after pmtcp_close(): nobody will read it; Linux resets
	 * (tcp_rcv_state_process(), FIN_WAIT1/2 with RCV_SHUTDOWN) */
	if (data_len > 0 && (sk->flags & SK_FIN_QUEUED) &&
	    seq_after(seq + data_len, sk->rcv_nxt) &&
	    (sk->state == PMTCP_TCP_FIN_WAIT1 ||
	     sk->state == PMTCP_TCP_FIN_WAIT2)) {
		MIB_INC(st, TcpExt, TCPAbortOnData);
		pmtcp_tcp_v4_send_reset(st, &st->ifaces[sk->iface], m);
		rte_pktmbuf_free(m);
		pmtcp_tcp_done(st, sk, -ECONNRESET);
		return;
	}
	if (data_len > 0 && (sk->state == PMTCP_TCP_ESTABLISHED ||
			     sk->state == PMTCP_TCP_FIN_WAIT1 ||
			     sk->state == PMTCP_TCP_FIN_WAIT2)) {
		if (seq_after(seq, sk->rcv_nxt)) {
			/* a hole before it: no reassembly queue, ask again */
			MIB_INC(st, TcpExt, TCPOFODrop);
			pmtcp_send_ack(st, sk);
			pmtcp_drop(st, m, PMTCP_DROP_TCP_OFO);
			return;
		}
		if (seq_after(seq + data_len, sk->rcv_nxt)) {
			/* trim what we have already (RFC 9293 3.10.7.4) */
			uint32_t skip = sk->rcv_nxt - seq;

			sk->rcv_nxt = seq + data_len;
			st->cb_sk = sk;
			tcp_deliver(st, sk, m, data_off + skip, data_len - skip);
			st->cb_sk = NULL;
			if (sk->state == PMTCP_TCP_CLOSE) {
				pmtcp_sock_free(st, sk);
				rte_pktmbuf_free(m);
				return;
			}
		} else {
			ack_now = true;  /* all old: a duplicate, ACK at once */
		}
	}

	/* FIN in sequence (RFC 9293 3.10.7.4 eighth check) */
	if ((flags & TH_FIN) && seq + data_len == sk->rcv_nxt) {
		sk->rcv_nxt++;
		ack_now = true;
		switch (sk->state) {
		case PMTCP_TCP_ESTABLISHED:
			pmtcp_tcp_set_state(st, sk, PMTCP_TCP_CLOSE_WAIT);
			pmtcp_send_ack(st, sk);
			st->cb_sk = sk;
			if (!(sk->flags & SK_ORPHAN) && st->cb.peer_closed != NULL)
				st->cb.peer_closed(st, sk, st->cb.arg);
			st->cb_sk = NULL;
			if (sk->state == PMTCP_TCP_CLOSE) {
				pmtcp_sock_free(st, sk);
				rte_pktmbuf_free(m);
				return;
			}
			break;
		case PMTCP_TCP_FIN_WAIT1:
			/* our FIN not acked yet (tcp_ack() moved an acked
			 * one to FIN_WAIT2): simultaneous close */
			pmtcp_tcp_set_state(st, sk, PMTCP_TCP_CLOSING);
			pmtcp_send_ack(st, sk);
			break;
		case PMTCP_TCP_FIN_WAIT2:
			pmtcp_send_ack(st, sk);
			rte_pktmbuf_free(m);
			pmtcp_tcp_time_wait(st, sk);
			return;
		default:
			/* CLOSE_WAIT, CLOSING, LAST_ACK: a repeated FIN */
			sk->rcv_nxt--;
			pmtcp_send_ack(st, sk);
			break;
		}
	}
	rte_pktmbuf_free(m);
	tcp_ack_snd_check(st, sk, ack_now);
	/* tcp_data_snd_check(): the ACK may have opened the window */
	if (seq_before(sk->snd_nxt, sk->sndq_seq + sk->sndq_len) ||
	    ((sk->flags & SK_FIN_QUEUED) &&
	     sk->snd_nxt == sk->sndq_seq + sk->sndq_len))
		pmtcp_tcp_write_xmit(st, sk);
}

/*
 * tcp_timewait_state_process(): RFC 9293 3.10.7.4 in TIME_WAIT. A RST
 * ends it (RFC 1337 is off by default in Linux), a retransmitted FIN is
 * ACKed again and restarts the 2 MSL, a new SYN with a higher sequence
 * number may reopen the 4-tuple (TCP_TW_SYN), the rest is dropped.
 * Consumes @m. Returns true when @m should go to a listener as a new SYN.
 */
static bool
tcp_timewait_state_process(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			   struct rte_mbuf *m, const struct rte_tcp_hdr *th,
			   const struct pmtcp_tcp_opts *opt, uint32_t *tw_isn)
{
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);

	if (flags & TH_RST) {
		/* only a RST at RCV.NXT ends it (RFC 5961 3.2) */
		if (seq == sk->rcv_nxt) {
			rte_pktmbuf_free(m);
			pmtcp_tcp_done(st, sk, 0);
		} else {
			pmtcp_drop(st, m, PMTCP_DROP_TCP_OUT_OF_WINDOW);
		}
		return false;
	}
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    (seq_after(seq, sk->rcv_nxt) ||
	     ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp &&
	      (int32_t)(opt->rcv_tsval - sk->ts_recent) > 0))) {
		/* TCP_TW_SYN: a new incarnation; the listener takes it, with
		 * an ISN beyond the old sequence space (tcp_tw_isn,
		 * RFC 1122 4.2.2.13) */
		*tw_isn = sk->snd_nxt + 65535 + 2;
		if (*tw_isn == 0)
			*tw_isn = 1;
		pmtcp_tcp_done(st, sk, 0);
		return true;
	}
	if ((flags & TH_FIN) && (flags & TH_ACK)) {
		/* the peer did not get our last ACK */
		pmtcp_send_ack(st, sk);
		pmtcp_reset_xmit_timer(st, sk, 60000);
	}
	pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
	return false;
}

/* tcp_rcv_state_process(): dispatch on the state. Consumes @m, except
 * when it returns true: then @m is a SYN that reopens a TIME_WAIT
 * 4-tuple and goes to the listener. */
bool
pmtcp_tcp_rcv_state_process(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			    struct rte_mbuf *m, const struct rte_tcp_hdr *th,
			    const struct pmtcp_tcp_opts *opt, uint32_t seg_len,
			    uint32_t *tw_isn)
{
	switch (sk->state) {
	case PMTCP_TCP_SYN_SENT:
		pmtcp_rcv_synsent_state_process(st, sk, m, th, opt);
		break;
	case PMTCP_TCP_SYN_RECV:
		tcp_rcv_synrecv(st, sk, m, th, opt, seg_len);
		break;
	case PMTCP_TCP_ESTABLISHED:
	case PMTCP_TCP_CLOSE_WAIT:
	case PMTCP_TCP_FIN_WAIT1:
	case PMTCP_TCP_FIN_WAIT2:
	case PMTCP_TCP_CLOSING:
	case PMTCP_TCP_LAST_ACK:
		tcp_rcv_synchronized(st, sk, m, th, opt, seg_len);
		break;
	case PMTCP_TCP_TIME_WAIT:
		return tcp_timewait_state_process(st, sk, m, th, opt, tw_isn);
	default:
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		break;
	}
	return false;
}

/*
 * tcp_openreq_init() + tcp_openreq_init_rwin(): what the SYN offered and
 * we allow, our window, MSS and timestamp offset. @sk may be a request
 * that never enters the table (a SYN cookie's).
 */
static void
tcp_openreq_init(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		 struct pmtcp_sock *sk, const struct rte_ipv4_hdr *iph,
		 const struct rte_tcp_hdr *th, const struct pmtcp_tcp_opts *opt)
{
	const struct pmtcp_sysctl *s = &st->sysctl;
	uint32_t window_clamp = 0;

	sk->saddr = iph->dst_addr;
	sk->daddr = iph->src_addr;
	sk->sport = th->dst_port;
	sk->dport = th->src_port;
	sk->iface = (uint8_t)(ifc - st->ifaces);
	sk->open_tsc = st->now_tsc;
	if (opt->saw_tstamp && s->tcp_timestamps)
		sk->flags |= SK_TSTAMP_OK;
	if (opt->sack_ok && s->tcp_sack)
		sk->flags |= SK_SACK_OK;
	if (opt->wscale_ok && s->tcp_window_scaling)
		sk->flags |= SK_WSCALE_OK;
	/* tcp_ecn_create_request(): RFC 3168 6.1.1, ECE and CWR in the SYN */
	if ((th->tcp_flags & (TH_ECE | TH_CWR)) == (TH_ECE | TH_CWR) &&
	    s->tcp_ecn != 0)
		sk->flags |= SK_ECN_OK;
	sk->snd_wscale = (sk->flags & SK_WSCALE_OK) ? opt->snd_wscale : 0;
	sk->ts_recent = opt->rcv_tsval;
	sk->ts_recent_stamp = st->now_ms;
	sk->irs = rte_be_to_cpu_32(th->sent_seq);
	sk->rcv_nxt = sk->irs + 1;
	sk->snd_wnd = rte_be_to_cpu_16(th->rx_win);
	sk->advmss = ifc->mss;
	if (s->tcp_mss_clamp != 0)
		sk->advmss = RTE_MIN(sk->advmss, (uint16_t)s->tcp_mss_clamp);
	sk->rx_mss = opt->mss_clamp != 0 ? opt->mss_clamp : TCP_MSS_DEFAULT;
	tcp_sync_mss(sk);
	/* tcp_v4_init_ts_off() */
	sk->ts_off = (sk->flags & SK_TSTAMP_OK) ?
		pmtcp_secure_tcp_ts_off(sk->saddr, sk->daddr) : 0;
	pmtcp_tcp_select_initial_window(s, sk->advmss -
			((sk->flags & SK_TSTAMP_OK) ? TCPOLEN_TSTAMP_ALIGNED : 0),
			&sk->rcv_wnd, &window_clamp,
			(sk->flags & SK_WSCALE_OK) != 0, &sk->rcv_wscale);
	sk->rto_ms = (uint32_t)s->tcp_rto_initial_ms;
	sk->retrans_stamp = st->now_ms;
}

/*
 * A SYN-ACK whose ISN is a SYN cookie (cookie_v4_init_sequence()), and,
 * with timestamps, whose TSval carries the peer's window scale, SACK and
 * ECN (cookie_init_timestamp()): no state is kept.
 */
static void
tcp_send_cookie_synack(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		       const struct rte_ipv4_hdr *iph,
		       const struct rte_tcp_hdr *th,
		       const struct pmtcp_tcp_opts *opt)
{
	struct pmtcp_sock req;
	uint16_t mss;

	memset(&req, 0, sizeof(req));
	tcp_openreq_init(st, ifc, &req, iph, th, opt);
	req.iss = pmtcp_cookie_v4_init_sequence(iph->src_addr, iph->dst_addr,
			th->src_port, th->dst_port, req.irs, req.rx_mss,
			pmtcp_cookie_time(st->now_tsc, st->tsc_hz), &mss);
	if (req.flags & SK_TSTAMP_OK) {
		uint32_t ts = pmtcp_cookie_init_timestamp(st->now_ms,
				req.snd_wscale, (req.flags & SK_WSCALE_OK) != 0,
				(req.flags & SK_SACK_OK) != 0,
				(req.flags & SK_ECN_OK) != 0);

		/* the TSval on the wire is ts + ts_off */
		req.ts_off += ts - st->now_ms;
	} else {
		req.flags &= (uint8_t)~SK_ECN_OK;  /* nowhere to keep it */
	}
	req.ip_id = (uint16_t)(req.iss ^ st->now_ms);
	MIB_INC(st, TcpExt, SyncookiesSent);
	pmtcp_send_synack(st, &req, false);
}

/*
 * tcp_conn_request(): a SYN for a listener. Creates the connection in
 * SYN_RECV (a full sock: pmtcp has no separate request socks), answers
 * with a SYN-ACK and starts its retransmission timer. With the SYN queue
 * full (tcp_max_syn_backlog), or always with tcp_syncookies=2, it answers
 * with a SYN cookie instead and keeps nothing. Does not consume @m.
 */
void
pmtcp_tcp_conn_request(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		       uint16_t listener, struct rte_mbuf *m,
		       const struct rte_tcp_hdr *th,
		       const struct pmtcp_tcp_opts *opt, uint32_t tw_isn)
{
	const struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, m->l2_len);
	struct pmtcp_listener *l = &st->listeners[listener - 1];
	const struct pmtcp_sysctl *s = &st->sysctl;
	bool full = l->syn_queue >= (uint32_t)s->tcp_max_syn_backlog;
	struct pmtcp_sock *sk;

	if (pmtcp_route_nexthop(ifc, iph->src_addr) == 0) {
		MIB_INC(st, Ip, OutNoRoutes);
		MIB_INC(st, TcpExt, ListenDrops);
		st->mib.drop[PMTCP_DROP_TCP_NO_ROUTE]++;
		return;
	}
	if (full)
		l->last_overflow_ms = st->now_ms;   /* tcp_synq_overflow() */
	/* tcp_syn_flood_action() */
	if (s->tcp_syncookies == 2 || (full && s->tcp_syncookies == 1)) {
		if (full)
			MIB_INC(st, TcpExt, TCPReqQFullDoCookies);
		tcp_send_cookie_synack(st, ifc, iph, th, opt);
		return;
	}
	if (full) {
		MIB_INC(st, TcpExt, TCPReqQFullDrop);
		MIB_INC(st, TcpExt, ListenDrops);
		st->mib.drop[PMTCP_DROP_TCP_LISTEN_FULL]++;
		return;
	}
	sk = pmtcp_sock_alloc(st);
	if (sk == NULL) {
		MIB_INC(st, TcpExt, ListenDrops);
		st->mib.drop[PMTCP_DROP_TCP_LISTEN_FULL]++;
		return;
	}
	sk->flags = SK_LISTEN_CHILD;
	sk->listener = (uint8_t)listener;
	l->syn_queue++;
	tcp_openreq_init(st, ifc, sk, iph, th, opt);
	/* tcp_v4_init_seq(), or past a TIME_WAIT this SYN reopens */
	sk->iss = tw_isn != 0 ? tw_isn :
		pmtcp_secure_tcp_seq(sk->saddr, sk->daddr, sk->sport, sk->dport);
	sk->ip_id = (uint16_t)(sk->iss ^ st->now_ms);
	sk->snd_una = sk->iss;
	sk->snd_nxt = sk->iss + 1;
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_SYN_RECV);
	pmtcp_sock_hash(st, sk);
	pmtcp_send_synack(st, sk, false);
	pmtcp_reset_xmit_timer(st, sk, sk->rto_ms);
}

/*
 * cookie_v4_check() + tcp_get_cookie_sock(): an ACK for a listener with
 * no connection may complete a cookie handshake. Valid -> a connection
 * straight in ESTABLISHED, set up from what the cookie and the echoed
 * timestamp carry. Returns it, or NULL (SyncookiesFailed counted when a
 * cookie was checked and did not verify). Does not consume @m.
 */
struct pmtcp_sock *
pmtcp_tcp_cookie_check(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
		      uint16_t listener, struct rte_mbuf *m,
		      const struct rte_tcp_hdr *th,
		      const struct pmtcp_tcp_opts *opt)
{
	const struct rte_ipv4_hdr *iph = rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv4_hdr *, m->l2_len);
	struct pmtcp_listener *l = &st->listeners[listener - 1];
	const struct pmtcp_sysctl *s = &st->sysctl;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	bool wscale_ok = false, sack_ok = false, ecn_ok = false;
	uint8_t snd_wscale = 0;
	struct pmtcp_tcp_opts syn_opt;
	struct pmtcp_sock *sk;
	uint32_t ts_off = 0;
	uint16_t mss;

	/* tcp_synq_no_recent_overflow(): cookies only after an overflow in
	 * the last two minutes, unless they are always on */
	if (s->tcp_syncookies == 0 ||
	    (s->tcp_syncookies == 1 &&
	     (l->last_overflow_ms == 0 ||
	      st->now_ms - l->last_overflow_ms > 120000)))
		return NULL;
	if (pmtcp_cookie_v4_check(iph->src_addr, iph->dst_addr, th->src_port,
				  th->dst_port, seq, ack,
				  pmtcp_cookie_time(st->now_tsc, st->tsc_hz),
				  &mss) != 0) {
		MIB_INC(st, TcpExt, SyncookiesFailed);
		return NULL;
	}
	/* cookie_timestamp_decode(): what the SYN offered, from TSecr */
	if (opt->saw_tstamp) {
		if (!s->tcp_timestamps) {
			MIB_INC(st, TcpExt, SyncookiesFailed);
			return NULL;
		}
		ts_off = pmtcp_secure_tcp_ts_off(iph->dst_addr, iph->src_addr);
		if (!pmtcp_cookie_timestamp_decode(opt->rcv_tsecr - ts_off,
				s->tcp_sack != 0, s->tcp_window_scaling != 0,
				s->tcp_ecn != 0, &snd_wscale, &wscale_ok,
				&sack_ok, &ecn_ok)) {
			MIB_INC(st, TcpExt, SyncookiesFailed);
			return NULL;
		}
	}
	sk = pmtcp_sock_alloc(st);
	if (sk == NULL) {
		MIB_INC(st, TcpExt, ListenDrops);
		return NULL;
	}
	MIB_INC(st, TcpExt, SyncookiesRecv);
	/* rebuild the request the SYN would have made */
	memset(&syn_opt, 0, sizeof(syn_opt));
	syn_opt.saw_tstamp = opt->saw_tstamp;
	syn_opt.rcv_tsval = opt->rcv_tsval;
	syn_opt.mss_clamp = mss;
	syn_opt.wscale_ok = wscale_ok;
	syn_opt.snd_wscale = snd_wscale;
	syn_opt.sack_ok = sack_ok;
	{
		struct rte_tcp_hdr syn_th = *th;

		syn_th.sent_seq = rte_cpu_to_be_32(seq - 1);
		syn_th.tcp_flags = TH_SYN | (ecn_ok ? (TH_ECE | TH_CWR) : 0);
		tcp_openreq_init(st, ifc, sk, iph, &syn_th, &syn_opt);
	}
	sk->iss = ack - 1;
	sk->snd_una = ack;
	sk->snd_nxt = ack;
	sk->snd_wnd = (uint32_t)rte_be_to_cpu_16(th->rx_win) << sk->snd_wscale;
	sk->ip_id = (uint16_t)(sk->iss ^ st->now_ms);
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_ESTABLISHED);
	pmtcp_sock_hash(st, sk);
	return sk;
}

/* A cookie connection reached ESTABLISHED. */
void
pmtcp_cookie_established(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			 struct rte_mbuf *m, const struct rte_tcp_hdr *th,
			 const struct pmtcp_tcp_opts *opt, uint32_t seg_len)
{
	tcp_child_established(st, sk, m, th, opt, seg_len, false);
}
