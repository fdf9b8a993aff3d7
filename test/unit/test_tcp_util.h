/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_TEST_TCP_UTIL_H
#define PMTCP_TEST_TCP_UTIL_H

/*
 * Helpers of the TCP state machine tests (test_tcp_close.c,
 * test_tcp_hardening.c): a stack on t_port[0] (198.18.0.2) that has learnt
 * the peer 198.18.0.1 (t_port[1]'s MAC); what it sends is read from
 * t_port[1], segments "from the peer" are crafted; callbacks log into cbl.
 */
#include <stdbool.h>
#include <stdint.h>

#include "test_common.h"

#define ST_IP T_IP(198, 18, 0, 2)
#define PEER_IP T_IP(198, 18, 0, 1)
#define PEER_PORT 80
#define PEER_ISN 0x50000000U
#define PEER_TS0 1000U
/* Our window without window scaling: tcp_full_space(87380) = 43690 in MSS
 * multiples, clamped to tcp_default_init_rwnd() = 20 x 1460. */
#define OUR_WIN 29200U

#define BURST 64
#define F_ACK RTE_TCP_ACK_FLAG
#define F_PSH RTE_TCP_PSH_FLAG
#define F_FIN RTE_TCP_FIN_FLAG
#define F_SYN RTE_TCP_SYN_FLAG
#define F_RST RTE_TCP_RST_FLAG

/* The callbacks, for cb_log.act[] */
enum { CB_CONNECTED, CB_ACCEPTED, CB_FAILED, CB_CLOSED, CB_RECV,
       CB_PEER_CLOSED, CB_N };
/* What a callback does, once, to its own sock or to cb_log.act_sk */
enum { ACT_NONE, ACT_ABORT, ACT_ABORT_TWICE, ACT_CLOSE, ACT_CLOSE_ABORT };

/* What the callbacks saw, and what they are told to do. */
struct cb_log {
	unsigned int connected, accepted, failed, closed, peer_closed, recv;
	int last_err;
	struct pmtcp_sock *last_sk;
	uint8_t rbuf[16384];
	uint32_t rlen;
	/* actions */
	bool abort_in_recv;        /* pmtcp_abort() from recv */
	const uint8_t *reply;      /* pmtcp_send() this from recv */
	uint32_t reply_len;
	int reply_ret;
	uint8_t act[CB_N];         /* ACT_* per callback, done once */
	struct pmtcp_sock *act_sk; /* whose sock it acts on; NULL: its own */
	unsigned int acted;        /* actions done */
	int act_ret;               /* pmtcp_close()'s return, if it closed */
	uint32_t acted_tw;         /* pmtcp_stack_tw_count() after the act */
};

extern struct cb_log cbl;
/* ports of the connection under test, host order: ours, the peer's */
extern uint16_t g_sport, g_dport;

void cb_act(struct pmtcp_stack *st, struct pmtcp_sock *sk, unsigned int cb);
void cb_connected(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg);
void cb_accepted(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg);
void cb_failed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg);
void cb_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg);
void cb_peer_closed(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg);
void cb_recv(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *data,
	uint32_t len, void *arg);
void conf_close(struct pmtcp_stack_conf *conf, bool ts);
unsigned int begin(void);
void finish(struct pmtcp_stack *st, unsigned int avail);
struct pmtcp_stack *stack_with_peer(const struct pmtcp_stack_conf *conf);
void check_frame(struct rte_mbuf *m);
uint16_t poll_rx_n(struct pmtcp_stack *st, struct rte_mbuf **pkts, uint16_t want);
struct rte_mbuf *rx_one(struct pmtcp_stack *st);
void rx_none(struct pmtcp_stack *st);
uint16_t poll_until_tx(struct pmtcp_stack *st, struct rte_mbuf **pkts, uint64_t t0,
		uint32_t ms, uint32_t *at_ms);
void poll_quiet(struct pmtcp_stack *st, uint32_t ms);
uint32_t seg_seq(struct rte_mbuf *m);
uint32_t seg_len(struct rte_mbuf *m);
const uint8_t *seg_data(struct rte_mbuf *m);
void tcp_ts(struct rte_mbuf *m, uint32_t *tsval, uint32_t *tsecr);
void assert_seg(struct rte_mbuf *m, uint8_t flags, uint32_t seq, uint32_t ack,
		const uint8_t *data, uint32_t len);
void expect_seg(struct pmtcp_stack *st, uint8_t flags, uint32_t seq, uint32_t ack,
		const uint8_t *data, uint32_t len);
struct rte_mbuf *peer_seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t win, const uint8_t *opts, uint8_t optlen,
		const uint8_t *data, uint16_t len);
struct rte_mbuf *from_peer(uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data,
		uint16_t len);
uint8_t sock_state(const struct pmtcp_sock *sk);
void fill(uint8_t *p, uint32_t len, uint8_t seed);
struct pmtcp_sock *establish_mss(struct pmtcp_stack *st, bool ts, uint16_t win,
		uint16_t mss, uint32_t *iss, uint32_t *our_ts);
struct pmtcp_sock *establish(struct pmtcp_stack *st, bool ts, uint16_t win, uint32_t *iss);
uint32_t to_syn_recv(struct pmtcp_stack *st);
uint32_t to_time_wait(struct pmtcp_stack *st, struct pmtcp_sock *sk, uint32_t iss,
		bool ts);
struct pmtcp_stack *setup_estab(struct pmtcp_stack_conf *conf, bool ts, uint16_t win,
		struct pmtcp_sock **sk, uint32_t *iss);

#endif
