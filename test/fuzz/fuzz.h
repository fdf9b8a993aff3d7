/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_FUZZ_H
#define PMTCP_FUZZ_H

/*
 * The frame fuzzer's pieces: a mempool driver that catches double frees
 * and use after free of mbufs (fuzz_pool.c) and the harness that drives a
 * stack with one input (fuzz_stack.c). Built twice: with libFuzzer
 * (clang, -Dfuzz=true) and as a plain replay program (fuzz_replay.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

struct pmtcp_sock;
struct pmtcp_stack;

/* Name of the checking mempool driver. */
#define FZ_POOL_OPS "pmtcp_fuzz"

/*
 * A pktmbuf pool on the checking driver: a free of an mbuf that is
 * already free, or that never came from the pool, aborts; free mbufs are
 * poisoned for AddressSanitizer (when built with it) until allocated
 * again. No per-lcore cache, so every free reaches the driver.
 */
struct rte_mempool *fz_pool_create(const char *name, unsigned int n,
				   uint16_t data_room);

/* Poison what an mbuf holds around its data (headroom, tailroom), so
 * that a read past a received frame is reported. No-op without ASan. */
void fz_poison_room(struct rte_mbuf *m);

/* libFuzzer's entry points, also called by the replay program. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------ the harness's insides */

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
				 ((uint32_t)(c) << 8) | (uint32_t)(d))
#define OUR_IP IP4(198, 18, 0, 1)
#define PEER_IP IP4(198, 18, 0, 2)
#define GW_IP IP4(198, 18, 0, 254)
#define FAR_IP IP4(198, 19, 5, 5)    /* off-subnet: through the gateway */
#define LPORT 80                     /* the listener */
#define LPORT2 8080                  /* a second listener, for unlisten */

#define FZ_NSLOT 16                  /* stack A's slots (the input's slot byte % 16) */
#define FZ_NSLOT_B 8                 /* the two-stack mode's slots of stack B */
#define FZ_SLOT_B0 FZ_NSLOT          /* B's first slot */
#define FZ_NSLOT_ALL (FZ_NSLOT + FZ_NSLOT_B)
#define FZ_MAX_OPS 400
#define FZ_MAX_FRAMES 4000           /* frames handed to the stack per input */
#define FZ_FRAME_MAX 9300
#define FZ_BURST 32
#define FZ_OWNED 64
#define FZ_TX_PER_OP 20000           /* more frames out for one op: runaway */
#define FZ_AHEAD (1ULL << 52)        /* virtual TSC base past the real TSC */
#define FZ_CLOCK_STEP_MS 65536ULL    /* two stacks: the longest clock step */

/* One peer 4-tuple, and what the peer saw of it. */
struct fz_slot {
	uint32_t raddr;              /* peer address, network order */
	uint16_t rport;              /* host order */
	uint16_t lport;              /* host order, 0 = not known yet */
	uint32_t peer_isn;           /* the peer's ISN for this tuple */
	uint32_t peer_nxt;           /* the peer's next sequence number */
	bool peer_ts;                /* the peer sends timestamps */
	/* the last segment the stack sent on it */
	bool seen;
	uint32_t out_isn, out_seq_end, out_ack, out_tsval;
	uint8_t home;                /* the stack that connects from it: 0 A, 1 B */
};

struct fz_frame {
	uint8_t b[FZ_FRAME_MAX];
	uint32_t len;
	uint32_t split;              /* first segment's length, 0 = by room */
	uint64_t ol_flags;
};

struct fz_world {
	struct pmtcp_stack *st;      /* stack A: queue 0 of the port */
	/* the two-stack mode (cfg2 bit 4): stack B polls queue 1 of the same
	 * port, both steer in software (PMTCP_STEER_SOFTWARE); NULL else */
	struct pmtcp_stack *stb;
	struct rte_mempool *poolb;   /* B's pool: A's, or one of its own */
	bool spread;                 /* the port spreads flows over both queues */
	bool b_first;                /* B polled before A */
	unsigned int nslot;          /* FZ_NSLOT, FZ_NSLOT_ALL with B */
	uint8_t burst_q[FZ_BURST];   /* the queue each held frame arrives on */
	/* ARP requests each queue received, ARP replies each stack sent: a
	 * stack answers what it received itself, never a copy */
	uint64_t arp_req_in[2], arp_rep_out[2];
	/* IPv4 frames handed to the stacks: each counted once in IpInReceives,
	 * by the stack that handles it (fz_check_state()) */
	uint64_t ip_in;
	uint64_t vtsc;               /* virtual TSC */
	uint64_t hz;
	uint16_t mtu;
	bool tx_offload, rx_flags, auto_arp, app_echo, app_close_on_fin;
	bool app_hostile;            /* aborts and closes from callbacks */
	bool rx_ring;                /* frames through the port, run_once() */
	bool tx_stalled;             /* the port takes no more: not drained */
	bool in_setup;
	struct rte_mempool *pool;    /* the stack's */
	struct fz_slot slot[FZ_NSLOT_ALL];
	struct pmtcp_sock *owned[FZ_OWNED];   /* socks the application holds */
	struct rte_mbuf *burst[FZ_BURST];
	uint16_t nburst;
	unsigned int frames_in, tx_this_op;
	struct fz_frame last;        /* for the repeat op */
	bool have_last;
	uint32_t rto_ceiling;        /* the largest RTO the knobs allowed */
};

/* A TCP segment to build. */
struct fz_tcp {
	uint32_t saddr, daddr;       /* network order */
	uint16_t sport, dport;       /* host order */
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t tos;
	uint16_t win;
	uint8_t opts[40];
	uint8_t optlen;
	uint32_t paylen;
	uint8_t cmd;                 /* first payload byte */
	uint8_t ipmode;              /* see build_tcp() */
	uint8_t split;
	int8_t lendelta;
	uint64_t ol_flags;
};

extern struct fz_world fzw;            /* the input's world */
extern struct fz_frame fz_scratch;     /* the frame being built */
extern struct rte_mempool *fz_rx_pool; /* frames the harness hands in */
extern struct rte_mempool *fz_tx_pool; /* the stack's own */
extern struct rte_mempool *fz_tx_small;/* the same, 64 mbufs */
extern struct rte_ring *fz_tx_ring;    /* where the port's TX ends up */
extern struct rte_ring *fz_rx_ring;    /* what the port receives */
extern struct rte_mempool *fz_tx_pool_b;/* B's own pool (cfg2 bit 6) */
extern struct rte_ring *fz_tx_ring_b;  /* queue 1's TX: stack B's */
extern struct rte_ring *fz_rx_ring_b;  /* queue 1's RX */
extern uint16_t fz_port;               /* the ring port, 2 queues */
extern const struct rte_ether_addr fz_our_mac;
extern bool fz_verbose;                /* PMTCP_FUZZ_VERBOSE set */
/* PMTCP_FUZZ_INJECT: a fault the harness makes itself, so that
 * test/fuzz/selfcheck.sh can show each check catching one */
extern const char *fz_inject;
static inline bool
fz_injecting(const char *what)
{
	return fz_inject != NULL && strcmp(fz_inject, what) == 0;
}

/* fuzz_stack.c: the world */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fz_world_create(uint8_t cfg0, uint8_t cfg1, uint8_t cfg2, uint8_t cfg3);
void fz_world_destroy(void);
void fz_slot_init(int i);
void fz_dump(const char *when);
/* the stack's sock on @s's 4-tuple, NULL when none */
struct pmtcp_sock *fz_slot_sock(const struct fz_slot *s);
/* that sock when the application holds it */
struct pmtcp_sock *fz_owned_sock(const struct fz_slot *s);
/* the stack @sk is of (A or B) */
struct pmtcp_stack *fz_sock_stack(const struct pmtcp_sock *sk);
/* the stack of @s's connection, its home stack's while it has none */
struct pmtcp_stack *fz_slot_stack(const struct fz_slot *s);
/* the slot an op's slot byte @sb names: B's when the op's argument has
 * bit 3 in the two-stack mode, A's otherwise */
struct fz_slot *fz_slot_pick(uint8_t sb, uint8_t arg);
/* poll every stack at the virtual clock */
void fz_poll_all(void);
void fz_owned_add(struct pmtcp_sock *sk);
void fz_app_close(struct pmtcp_stack *st, struct pmtcp_sock *sk);
void fz_app_abort(struct pmtcp_stack *st, struct pmtcp_sock *sk);
void fz_peer_mac(uint32_t ip, struct rte_ether_addr *mac);
uint32_t fz_peer_tsval(const struct fz_slot *s);
uint32_t fz_peer_tsecr(const struct fz_slot *s);
bool fz_slot_uses_ts(const struct fz_slot *s);
void fz_clock_advance_ms(uint64_t ms);
/* after an operation: timers due, TX flushed and checked, bookkeeping
 * checked */
void fz_settle(void);
/* the RTO ceiling after a knob change */
void fz_note_sysctl(void);

/* fuzz_frame.c: frames in and out */
void fz_ip_csum_fix(struct rte_ipv4_hdr *iph, uint32_t ihl);
void fz_tcp_csum_set(const struct rte_ipv4_hdr *iph, struct rte_tcp_hdr *th,
		     uint32_t tcp_len, unsigned int mode);
void fz_frame_inject(const struct fz_frame *f, bool hold, bool remember);
void fz_burst_flush(void);
void fz_tcp_defaults(const struct fz_slot *s, struct fz_tcp *t);
void fz_opts_ts(struct fz_tcp *t, uint32_t tsval, uint32_t tsecr);
void fz_opts_syn(struct fz_tcp *t, uint16_t mss, bool sack, bool ts,
		 uint32_t tsval, uint32_t tsecr, int ws);
void fz_send_tcp(struct fz_slot *s, const struct fz_tcp *t, bool hold);
void fz_tx_drain(void);
void fz_check_state(void);

#endif /* PMTCP_FUZZ_H */
