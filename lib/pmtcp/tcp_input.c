/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP state machine (net/ipv4/tcp_input.c, tcp_minisocks.c):
 * SYN_SENT as tcp_rcv_synsent_state_process() does it, the passive side
 * (LISTEN -> SYN_RECV -> ESTABLISHED, SYN cookies), the synchronized
 * states with data, ACK processing, delayed ACKs and the FIN states
 * (tcp_rcv_established() / tcp_rcv_state_process()). SYN_RECV children
 * and TIME_WAIT are in tcp_minisocks.c.
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
	if (old == PMTCP_TCP_TIME_WAIT)
		pmtcp_tcp_tw_end(st, sk);
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_CLOSE);
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
 * RTO = SRTT + max(G, 4 * RTTVAR), then tcp_bound_rto(): never below
 * tcp_rto_min_ms (TCP_RTO_MIN, 200 ms) nor above tcp_rto_max_ms
 * (TCP_RTO_MAX, 120 s), RFC 6298 2.4 and 2.5.
 */
void
pmtcp_tcp_rtt_estimator(const struct pmtcp_stack *st, struct pmtcp_sock *sk,
			uint32_t rtt_us)
{
	uint64_t rto_us;

	if (sk->srtt_us == 0) {
		sk->srtt_us = rtt_us == 0 ? 1 : rtt_us;
		sk->rttvar_us = rtt_us / 2;
	} else {
		uint32_t delta = sk->srtt_us > rtt_us ? sk->srtt_us - rtt_us :
			rtt_us - sk->srtt_us;

		sk->rttvar_us = sk->rttvar_us - sk->rttvar_us / 4 + delta / 4;
		sk->srtt_us = sk->srtt_us - sk->srtt_us / 8 + rtt_us / 8;
	}
	rto_us = (uint64_t)sk->srtt_us + RTE_MAX(1000U, 4 * (uint64_t)sk->rttvar_us);
	rto_us = RTE_MAX(rto_us / 1000, (uint64_t)st->sysctl.tcp_rto_min_ms);
	sk->rto_ms = (uint32_t)RTE_MIN(rto_us, (uint64_t)st->sysctl.tcp_rto_max_ms);
}

/*
 * An RTT sample from the echoed timestamp (RFC 7323 4.1), as
 * tcp_ack_update_rtt() takes one: only when TSval - TSecr lies in
 * 0 .. INT_MAX / 1000 ms, so that a peer echoing a TSecr from the far
 * past or the future cannot feed the estimator a sample of minutes (or a
 * wrapped one). Returns false, counted, when the sample is ignored.
 */
static bool
tcp_tsecr_rtt_us(struct pmtcp_stack *st, const struct pmtcp_sock *sk,
		 uint32_t tsecr, uint32_t *rtt_us)
{
	uint32_t delta = pmtcp_tcp_tsval(st, sk) - tsecr;

	if (unlikely(delta >= (uint32_t)INT32_MAX / 1000U)) {
		MIB_INC(st, Pmtcp, RttSampleIgnored);
		return false;
	}
	*rtt_us = delta * 1000U;
	return true;
}

/* The first RTT sample of a handshake: from the clock when nothing was
 * retransmitted (Karn), else from the echoed timestamp (RFC 7323 4.1). */
void
pmtcp_tcp_synack_rtt_meas(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		    const struct pmtcp_tcp_opts *opt)
{
	uint32_t rtt_us;

	if (sk->retransmits == 0) {
		rtt_us = (uint32_t)((st->now_tsc - sk->open_tsc) * 1000000 / st->tsc_hz);
	} else if (!(opt->saw_tstamp && opt->rcv_tsecr != 0 &&
		     (sk->flags & SK_TSTAMP_OK) &&
		     tcp_tsecr_rtt_us(st, sk, opt->rcv_tsecr, &rtt_us))) {
		return;
	}
	pmtcp_tcp_rtt_estimator(st, sk, rtt_us);
}

/*
 * tcp_sync_mss() for the handshake: the MSS we send with.
 * __tcp_mtu_to_mss(): our MTU's MSS, clamped to the peer's MSS option,
 * then raised to tcp_min_snd_mss (48: Linux 4.17's floor, later the
 * knob) so that a peer announcing MSS 1 cannot make us send a byte per
 * segment; tcp_mtu_to_mss() then takes the timestamp option off. The
 * floor never goes past our own MTU's MSS.
 */
void
pmtcp_tcp_sync_mss(const struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	uint32_t mss = RTE_MIN(sk->advmss, sk->rx_mss);

	mss = RTE_MAX(mss, (uint32_t)st->sysctl.tcp_min_snd_mss);
	mss = RTE_MIN(mss, (uint32_t)st->ifaces[sk->iface].mss);
	if ((sk->flags & SK_TSTAMP_OK) && mss > TCPOLEN_TSTAMP_ALIGNED)
		mss -= TCPOLEN_TSTAMP_ALIGNED;
	sk->mss = (uint16_t)mss;
}

/* tcp_reset(): RFC 9293 3.10.7.3 - a RST in SYN_SENT means refused, in
 * CLOSE_WAIT a broken pipe, in the other synchronized states reset. */
static void
tcp_reset(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	int err = sk->state == PMTCP_TCP_SYN_SENT ? -ECONNREFUSED :
		  sk->state == PMTCP_TCP_CLOSE_WAIT ? -EPIPE : -ECONNRESET;

	pmtcp_tcp_done(st, sk, err);
}

/* Send a RST answering @m for @sk (tcp_v4_send_reset with a socket), then
 * drop @m. */
void
pmtcp_tcp_reset_and_drop(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		   struct rte_mbuf *m, enum pmtcp_drop_reason why)
{
	pmtcp_tcp_v4_send_reset(st, &st->ifaces[sk->iface], m);
	pmtcp_drop(st, m, why);
}

/* __tcp_oow_rate_limited(): at most one answer to an invalid segment per
 * tcp_invalid_ratelimit ms per connection. Returns true, counted under
 * @mib, when none may go now; else takes the slot. The stamp is
 * now_ms + 1, 0 = never. */
static bool
__tcp_oow_rate_limited(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		       enum pmtcp_mib_id mib)
{
	uint32_t *last = sk_last_oow_ack(sk);

	if (*last != 0) {
		int32_t elapsed = (int32_t)(st->now_ms + 1 - *last);

		if (elapsed >= 0 && elapsed < st->sysctl.tcp_invalid_ratelimit) {
			st->mib.mib[mib]++;
			return true;
		}
	}
	*last = st->now_ms + 1;
	return false;
}

/*
 * tcp_oow_rate_limited(): may @sk answer an invalid (out-of-window,
 * PAWS-rejected) segment with a duplicate ACK now? So that two endpoints
 * that disagree cannot ping-pong ACKs at line rate; a segment with data
 * and no SYN is never limited (not part of an ACK loop).
 */
bool
pmtcp_tcp_oow_rate_limited(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		     const struct rte_tcp_hdr *th, uint32_t seg_len,
		     enum pmtcp_mib_id mib)
{
	if (seg_len != 0 && !(th->tcp_flags & TH_SYN))
		return false;
	return __tcp_oow_rate_limited(st, sk, mib);
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
	pmtcp_tcp_sync_mss(st, sk);
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
			pmtcp_tcp_reset_and_drop(st, sk, m, PMTCP_DROP_TCP_BAD_ACK);
			return;
		}
		/* PAWS (RFC 7323 5.3 / Linux): the echoed timestamp must lie
		 * between our first SYN and now */
		if (opt->saw_tstamp && opt->rcv_tsecr != 0 &&
		    !seq_between(opt->rcv_tsecr, sk->retrans_stamp + sk->ts_off,
				 pmtcp_tcp_tsval(st, sk))) {
			MIB_INC(st, TcpExt, PAWSActiveRejected);
			pmtcp_tcp_reset_and_drop(st, sk, m, PMTCP_DROP_TCP_PAWS);
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
		pmtcp_tcp_synack_rtt_meas(st, sk, opt);
		pmtcp_timer_cancel(&st->wheel, &sk->timer);
		rte_pktmbuf_free(m);
		/* tcp_finish_connect() then __tcp_send_ack(), unless data
		 * waits (sk_write_pending: Linux schedules the ACK instead,
		 * and the first data segment carries it) */
		pmtcp_tcp_set_state(st, sk, PMTCP_TCP_ESTABLISHED);
		tcp_init_transfer(st, sk);
		if (sk->sndq_len > 0)
			pmtcp_tcp_write_xmit(st, sk);
		if (sk->snd_nxt == sk->iss + 1)   /* no data went: no window */
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

/* tcp_data_snd_check(): send what waits in the send queue (and the FIN
 * behind it) as far as the windows allow: data an ACK has let through,
 * and what the application queued from its callbacks (pmtcp_send() and
 * pmtcp_close() leave that to the input path, as Linux's socket owned by
 * the user defers it to release_sock()). */
static inline void
tcp_data_snd_check(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	if (seq_before(sk->snd_nxt, sk->sndq_seq + sk->sndq_len) ||
	    ((sk->flags & SK_FIN_QUEUED) &&
	     sk->snd_nxt == sk->sndq_seq + sk->sndq_len))
		pmtcp_tcp_write_xmit(st, sk);
}

/*
 * The end of a handshake (SYN_RECV, a cookie, a simultaneous open): the
 * data phase set up, PassiveOpens counted for the passive side (Linux
 * counts it in tcp_create_openreq_child()), the application told; then
 * the rest of the segment (data, FIN) goes on to the synchronized states,
 * as tcp_rcv_state_process() goes on after its SYN_RECV step.
 * Consumes @m.
 */
void
pmtcp_tcp_child_established(struct pmtcp_stack *st, struct pmtcp_sock *sk,
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
	if (seg_len > 0) {
		tcp_rcv_synchronized(st, sk, m, th, opt, seg_len);
	} else {
		rte_pktmbuf_free(m);
		/* queued in SYN_SENT or from the callback */
		tcp_data_snd_check(st, sk);
	}
}

/* tcp_send_challenge_ack(): RFC 5961 7, at most one per
 * tcp_invalid_ratelimit on this connection, and at most
 * tcp_challenge_ack_limit per second on the stack. */
static void
tcp_send_challenge_ack(struct pmtcp_stack *st, struct pmtcp_sock *sk)
{
	uint32_t second = st->now_ms / 1000;

	/* first the per-connection limit */
	if (__tcp_oow_rate_limited(st, sk, PMTCP_MIB_TcpExt_TCPACKSkippedChallenge))
		return;

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
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp && opt->rcv_tsecr != 0) {
		uint32_t rtt_us;

		if (tcp_tsecr_rtt_us(st, sk, opt->rcv_tsecr, &rtt_us))
			pmtcp_tcp_rtt_estimator(st, sk, rtt_us);
	}
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

/*
 * tcp_reset_check(): a RST one below RCV.NXT is accepted in the states
 * where that byte is the peer's FIN (CLOSE_WAIT, LAST_ACK, CLOSING): the
 * peer may have sent the RST with the sequence number of its FIN.
 */
static inline bool
tcp_reset_check(const struct pmtcp_sock *sk, uint32_t seq)
{
	return seq == sk->rcv_nxt - 1 &&
	       (sk->state == PMTCP_TCP_CLOSE_WAIT ||
		sk->state == PMTCP_TCP_LAST_ACK ||
		sk->state == PMTCP_TCP_CLOSING);
}

/*
 * tcp_disordered_ack(): a pure duplicate ACK at RCV.NXT that changes
 * nothing (ACK == SND.UNA, same window) whose timestamp lags ts_recent by
 * less than an RTO is a reordered ACK, not an old duplicate: PAWS lets it
 * through (RFC 7323 5.3 allows this latitude).
 */
static bool
tcp_disordered_ack(const struct pmtcp_sock *sk, const struct rte_tcp_hdr *th,
		   const struct pmtcp_tcp_opts *opt, uint32_t seg_len)
{
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	uint32_t wnd = (uint32_t)rte_be_to_cpu_16(th->rx_win) << sk->snd_wscale;

	return (th->tcp_flags & TH_ACK) && seg_len == 0 && seq == sk->rcv_nxt &&
	       ack == sk->snd_una && wnd == sk->snd_wnd &&
	       (int32_t)(sk->ts_recent - opt->rcv_tsval) <=
	       (int32_t)(sk->rto_ms * 1024U / 1000U);
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

	/* PAWS (RFC 7323 5, tcp_paws_discard()): a timestamp older than
	 * ts_recent by more than one tick, unless it is a reordered pure
	 * duplicate ACK; a RST is judged by its sequence number alone */
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp && !(flags & TH_RST) &&
	    !pmtcp_tcp_paws_check(st, sk, opt, TCP_PAWS_WINDOW) &&
	    !tcp_disordered_ack(sk, th, opt, seg_len)) {
		MIB_INC(st, TcpExt, PAWSEstabRejected);
		if (!pmtcp_tcp_oow_rate_limited(st, sk, th, seg_len,
					  PMTCP_MIB_TcpExt_TCPACKSkippedPAWS))
			pmtcp_send_ack(st, sk);   /* tcp_send_dupack() */
		pmtcp_drop(st, m, PMTCP_DROP_TCP_PAWS);
		return;
	}
	/* tcp_sequence(): first check, the segment overlaps the window */
	if (seq_before(seq + seg_len, sk->rcv_wup) ||
	    seq_after(seq, sk->rcv_nxt + wnd)) {
		if (flags & TH_SYN) {
			/* RFC 5961 4.2: any SYN gets a challenge ACK */
			MIB_INC(st, TcpExt, TCPSYNChallenge);
			tcp_send_challenge_ack(st, sk);
		} else if (!(flags & TH_RST)) {
			/* tcp_send_dupack(), rate limited */
			if (!pmtcp_tcp_oow_rate_limited(st, sk, th, seg_len,
						  PMTCP_MIB_TcpExt_TCPACKSkippedSeq))
				pmtcp_send_ack(st, sk);
		} else if (tcp_reset_check(sk, seq)) {
			rte_pktmbuf_free(m);
			tcp_reset(st, sk);
			return;
		}
		pmtcp_drop(st, m, PMTCP_DROP_TCP_OUT_OF_WINDOW);
		return;
	}
	/* one that lies wholly before RCV.NXT (old data, a repeated FIN):
	 * a retransmission, ACKed at once (tcp_data_queue()) */
	if (seg_len > 0 && !(flags & (TH_RST | TH_SYN)) &&
	    !seq_after(seq + seg_len, sk->rcv_nxt)) {
		pmtcp_send_ack(st, sk);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_OUT_OF_WINDOW);
		return;
	}
	if (flags & TH_RST) {
		/* RFC 5961 3.2: reset only on an exact match of RCV.NXT (or
		 * one below it once the peer's FIN is in: tcp_reset_check());
		 * a RST elsewhere in the window gets a challenge ACK */
		if (seq == sk->rcv_nxt || tcp_reset_check(sk, seq)) {
			rte_pktmbuf_free(m);
			tcp_reset(st, sk);
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
	/* tcp_replace_ts_recent(): never back (a TSval that PAWS let
	 * through one tick old, or as a reordered ACK, does not count) */
	if ((sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp &&
	    !seq_after(seq, sk->rcv_wup) && pmtcp_tcp_paws_check(st, sk, opt, 0)) {
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
			 * one to FIN_WAIT2): simultaneous close. The ACK
			 * goes at the end (ack_now), on our FIN if that is
			 * still to be sent (queued from a callback) */
			pmtcp_tcp_set_state(st, sk, PMTCP_TCP_CLOSING);
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
	/* tcp_rcv_established()'s order: what the callbacks queued (and
	 * what the ACK's window opened) goes first, and carries the ACK;
	 * only an ACK still owed after it goes on its own */
	tcp_data_snd_check(st, sk);
	tcp_ack_snd_check(st, sk, ack_now);
}

/* tcp_rcv_state_process(): dispatch on the state (TIME_WAIT is not a
 * sock's: pmtcp_tcp_timewait_state_process()). Consumes @m. */
void
pmtcp_tcp_rcv_state_process(struct pmtcp_stack *st, struct pmtcp_sock *sk,
			    struct rte_mbuf *m, const struct rte_tcp_hdr *th,
			    const struct pmtcp_tcp_opts *opt, uint32_t seg_len)
{
	switch (sk->state) {
	case PMTCP_TCP_SYN_SENT:
		pmtcp_rcv_synsent_state_process(st, sk, m, th, opt);
		break;
	case PMTCP_TCP_SYN_RECV:
		pmtcp_tcp_check_req(st, sk, m, th, opt, seg_len);
		break;
	case PMTCP_TCP_ESTABLISHED:
	case PMTCP_TCP_CLOSE_WAIT:
	case PMTCP_TCP_FIN_WAIT1:
	case PMTCP_TCP_FIN_WAIT2:
	case PMTCP_TCP_CLOSING:
	case PMTCP_TCP_LAST_ACK:
		tcp_rcv_synchronized(st, sk, m, th, opt, seg_len);
		break;
	default:
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		break;
	}
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
	pmtcp_tcp_openreq_init(st, ifc, &req, iph, th, opt);
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
	pmtcp_tcp_openreq_init(st, ifc, sk, iph, th, opt);
	/* tcp_v4_init_seq(), or past a TIME_WAIT this SYN reopens */
	sk->iss = tw_isn != 0 ? tw_isn :
		pmtcp_secure_tcp_seq(sk->saddr, sk->daddr, sk->sport, sk->dport,
				     st->now_tsc);
	sk->ip_id = (uint16_t)(sk->iss ^ st->now_ms);
	sk->snd_una = sk->iss;
	sk->snd_nxt = sk->iss + 1;
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_SYN_RECV);
	/* inet_ehash_insert() from the slot the SYN's lookup started at */
	pmtcp_sock_hash_at(st, sk, pmtcp_rx_slot(st, m, iph->dst_addr,
						 th->dst_port, iph->src_addr,
						 th->src_port));
	pmtcp_send_synack(st, sk, false);
	pmtcp_reset_xmit_timer(st, sk, sk->rto_ms);
}
