/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connections that are not (or no longer) full (net/ipv4/
 * tcp_minisocks.c): a listener's child in SYN_RECV as tcp_check_req()
 * handles it, its set-up from the SYN (tcp_openreq_init()), and TIME_WAIT
 * (tcp_timewait_state_process()). A SYN_RECV child is a full sock; a
 * TIME_WAIT a 64-byte struct pmtcp_tw, as Linux's inet_timewait_sock. The
 * rules are Linux 4.17's.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "tcp.h"

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
void
pmtcp_tcp_check_req(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		struct rte_mbuf *m, const struct rte_tcp_hdr *th,
		const struct pmtcp_tcp_opts *opt, uint32_t seg_len)
{
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	bool active = (sk->flags & SK_ACTIVE) != 0;
	bool paws_reject = (sk->flags & SK_TSTAMP_OK) && opt->saw_tstamp &&
			   pmtcp_tcp_paws_reject(st, sk, opt, (flags & TH_RST) != 0);

	/* the peer resent its SYN: resend our SYN-ACK, at most once per
	 * tcp_invalid_ratelimit (tcp_check_req()) */
	if (seq == sk->irs && (flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_SYN &&
	    !paws_reject) {
		if (!pmtcp_tcp_oow_rate_limited(st, sk, th, seg_len,
					  PMTCP_MIB_TcpExt_TCPACKSkippedSynRecv))
			pmtcp_send_synack(st, sk, true);
		pmtcp_drop(st, m, PMTCP_DROP_TCP_STATE);
		return;
	}
	/* RFC 9293 3.10.7.4: an ACK for something we did not send. Linux
	 * hands it to the listener, which answers with a RST, and never
	 * answers a RST: a RST with a wrong ACK changes nothing. A
	 * simultaneous open's full sock checks its RST first. */
	if ((flags & TH_ACK) && ack != sk->iss + 1) {
		if (!(flags & TH_RST)) {
			pmtcp_tcp_reset_and_drop(st, sk, m, PMTCP_DROP_TCP_BAD_ACK);
			return;
		}
		if (!active) {
			pmtcp_drop(st, m, PMTCP_DROP_TCP_BAD_ACK);
			return;
		}
	}
	if (paws_reject || !tcp_in_window(seq, seq + seg_len, sk->rcv_nxt,
					  sk->rcv_nxt + sk->rcv_wnd)) {
		/* RFC 9293 3.10.7.4: unacceptable, ACK it unless RST */
		if (!(flags & TH_RST) &&
		    !pmtcp_tcp_oow_rate_limited(st, sk, th, seg_len,
					  PMTCP_MIB_TcpExt_TCPACKSkippedSynRecv))
			pmtcp_send_ack(st, sk);
		if (paws_reject) {
			MIB_INC(st, TcpExt, PAWSEstabRejected);
			pmtcp_drop(st, m, PMTCP_DROP_TCP_PAWS);
		} else {
			pmtcp_drop(st, m, PMTCP_DROP_TCP_OUT_OF_WINDOW);
		}
		return;
	}
	/* a SYN at the peer's ISN lies before the window: not a new SYN */
	if (seq == sk->irs)
		flags &= (uint8_t)~TH_SYN;
	if (flags & (TH_RST | TH_SYN)) {
		/* embryonic reset: a SYN in window is answered by a RST */
		if (!(flags & TH_RST))
			pmtcp_tcp_v4_send_reset(st, &st->ifaces[sk->iface], m);
		MIB_INC(st, TcpExt, EmbryonicRsts);
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
	pmtcp_tcp_synack_rtt_meas(st, sk, opt);
	pmtcp_timer_cancel(&st->wheel, &sk->timer);
	if (sk->flags & SK_LISTEN_CHILD) {
		st->listeners[sk->listener - 1].syn_queue--;
		pmtcp_handshake_done(st);
		sk->flags &= (uint8_t)~SK_LISTEN_CHILD;
	}
	pmtcp_tcp_set_state(st, sk, PMTCP_TCP_ESTABLISHED);
	pmtcp_tcp_child_established(st, sk, m, th, opt, seg_len, active);
}

/* tcp_v4_timewait_ack(): the TIME_WAIT's ACK, built as a sock's ACK from
 * what the entry keeps (IP ID 0, as tcp_v4_send_reset()'s) */
void
pmtcp_tcp_v4_timewait_ack(struct pmtcp_stack *st, const struct pmtcp_tw *tw)
{
	struct pmtcp_sock sk;

	pmtcp_tw_to_sock(st, tw, &sk);
	pmtcp_send_ack(st, &sk);
}

/* inet_twsk_deschedule_put() / inet_twsk_kill() with the state change
 * traced: the TIME_WAIT ends, no sock involved */
void
pmtcp_tw_done(struct pmtcp_stack *st, struct pmtcp_tw *tw)
{
	if (pmtcp_trace_on(st, PMTCP_TRACE_STATE)) {
		struct pmtcp_sock sk;

		pmtcp_tw_to_sock(st, tw, &sk);
		pmtcp_trace_state(st, &sk, PMTCP_TCP_TIME_WAIT, PMTCP_TCP_CLOSE);
	}
	pmtcp_tw_kill(st, tw);
}

/*
 * tcp_timewait_state_process(): RFC 9293 3.10.7.4 in TIME_WAIT, as
 * Linux 4.17 answers there. Consumes @m, except when it returns true.
 * - A segment at RCV.NXT with no payload (a bare ACK, a RST), PAWS
 *   passed: a RST ends TIME_WAIT (unless tcp_rfc1337), anything else
 *   restarts it; ts_recent follows.
 * - A new SYN, later in sequence or timestamp (TCP_TW_SYN): returns true
 *   with @tw_isn set beyond the old sequence space (RFC 1122 4.2.2.13);
 *   the caller gives it to a listener (and ends TIME_WAIT), or, with no
 *   listener, answers it with the TIME_WAIT's ACK.
 * - Anything else but a RST (TCP_TW_ACK): ACKed, at most once per
 *   tcp_invalid_ratelimit; an ACK or a PAWS failure restarts TIME_WAIT.
 * PAWS and the rate limit read a sock's view of the entry
 * (pmtcp_tw_to_sock()); what they change goes back to the entry.
 */
bool
pmtcp_tcp_timewait_state_process(struct pmtcp_stack *st, struct pmtcp_tw *tw,
			   struct rte_mbuf *m, const struct rte_tcp_hdr *th,
			   const struct pmtcp_tcp_opts *opt, uint32_t seg_len,
			   uint32_t *tw_isn)
{
	const uint64_t tw_len = pmtcp_ms_to_ticks(st, TCP_TIMEWAIT_LEN_MS);
	uint8_t flags = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	bool tstamp = tw_tstamp_ok(tw) && opt->saw_tstamp;
	bool paws_reject = false;
	struct pmtcp_sock sk;

	pmtcp_tw_to_sock(st, tw, &sk);
	if (tstamp)
		paws_reject = pmtcp_tcp_paws_reject(st, &sk, opt,
						    (flags & TH_RST) != 0);
	if (!paws_reject && seq == tw->rcv_nxt &&
	    (seg_len == 0 || (flags & TH_RST))) {
		if (flags & TH_RST) {
			/* TIME_WAIT assassination (RFC 1337): Linux lets
			 * the RST end it unless tcp_rfc1337 is set */
			if (st->sysctl.tcp_rfc1337 == 0) {
				rte_pktmbuf_free(m);
				pmtcp_tw_done(st, tw);
				return false;
			}
		} else {
			pmtcp_timer_arm(&st->wheel, &tw->timer, tw_len);
		}
		if (tstamp) {
			tw->ts_recent = opt->rcv_tsval;
			tw->ts_recent_stamp = st->now_ms;
		}
		rte_pktmbuf_free(m);
		return false;
	}
	if ((flags & (TH_SYN | TH_RST | TH_ACK)) == TH_SYN && !paws_reject &&
	    (seq_after(seq, tw->rcv_nxt) ||
	     (tstamp && (int32_t)(tw->ts_recent - opt->rcv_tsval) < 0))) {
		*tw_isn = tw->snd_nxt + 65535 + 2;
		if (*tw_isn == 0)
			*tw_isn = 1;
		return true;
	}
	if (paws_reject)
		MIB_INC(st, TcpExt, PAWSEstabRejected);
	if (!(flags & TH_RST)) {
		/* an ACKless SYN may be an old duplicate or a new SYN below
		 * RCV.NXT: only an ACK or a PAWS failure restarts the 2 MSL */
		if (paws_reject || (flags & TH_ACK))
			pmtcp_timer_arm(&st->wheel, &tw->timer, tw_len);
		/* tcp_timewait_check_oow_rate_limit(), then
		 * tcp_v4_timewait_ack() */
		if (!pmtcp_tcp_oow_rate_limited(st, &sk, th, seg_len,
					  PMTCP_MIB_TcpExt_TCPACKSkippedTimeWait)) {
			*tw_last_oow_ack(tw) = *sk_last_oow_ack(&sk);
			pmtcp_send_ack(st, &sk);
		}
	}
	pmtcp_drop(st, m, paws_reject ? PMTCP_DROP_TCP_PAWS :
		   PMTCP_DROP_TCP_TIME_WAIT);
	return false;
}

/*
 * tcp_openreq_init() + tcp_openreq_init_rwin(): what the SYN offered and
 * we allow, our window, MSS and timestamp offset. @sk may be a request
 * that never enters the table (a SYN cookie's).
 */
void
pmtcp_tcp_openreq_init(struct pmtcp_stack *st, struct pmtcp_iface *ifc,
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
	pmtcp_tcp_sync_mss(st, sk);
	/* tcp_v4_init_ts_off() */
	sk->ts_off = (sk->flags & SK_TSTAMP_OK) ?
		pmtcp_tcp_ts_off(st, sk->saddr, sk->daddr) : 0;
	pmtcp_tcp_select_initial_window(s, sk->advmss -
			((sk->flags & SK_TSTAMP_OK) ? TCPOLEN_TSTAMP_ALIGNED : 0),
			&sk->rcv_wnd, &window_clamp,
			(sk->flags & SK_WSCALE_OK) != 0, &sk->rcv_wscale);
	sk->rto_ms = (uint32_t)s->tcp_rto_initial_ms;
	sk->retrans_stamp = st->now_ms;
}
