/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_STACK_H
#define PMTCP_STACK_H

/**
 * @file
 * The per-lcore TCP stack: create one per lcore, give it the (port, queue)
 * pairs that lcore polls, hand it RX bursts, call pmtcp_stack_poll() once
 * per loop iteration (timers + TX flush), open connections with
 * pmtcp_connect() and learn how they end through callbacks.
 *
 * Nothing here takes a lock or touches another lcore's state: a stack must
 * only be used from one lcore at a time, the one that polls its queues (it
 * may be created on another lcore before that one starts, as the pmtcp
 * program does). The application owns EAL, ports, queues and mempools.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "pmtcp_mib.h"
#include "pmtcp_sysctl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum interfaces (port, queue pairs) one stack polls. */
#define PMTCP_MAX_IFACES 8

struct pmtcp_stack;
struct pmtcp_sock;

/** TCP states, numbered as Linux numbers them (include/net/tcp_states.h). */
enum pmtcp_tcp_state {
	PMTCP_TCP_ESTABLISHED = 1,
	PMTCP_TCP_SYN_SENT,
	PMTCP_TCP_SYN_RECV,
	PMTCP_TCP_FIN_WAIT1,
	PMTCP_TCP_FIN_WAIT2,
	PMTCP_TCP_TIME_WAIT,
	PMTCP_TCP_CLOSE,
	PMTCP_TCP_CLOSE_WAIT,
	PMTCP_TCP_LAST_ACK,
	PMTCP_TCP_LISTEN,
	PMTCP_TCP_CLOSING,
	PMTCP_TCP_NEW_SYN_RECV,
	PMTCP_TCP_MAX_STATES
};

/** @return the `ss` name of a state ("SYN-SENT", ...). */
const char *pmtcp_tcp_state_name(int state);

/**
 * Parse a state name, case-insensitively, '-' and '_' alike: the `ss`
 * display name (ESTAB, SYN-SENT, TIME-WAIT...), `ss`'s filter name
 * (established, syn-sent, fin-wait-1...) or the kernel's (SYN_SENT,
 * FIN_WAIT1, CLOSE...).
 * @return the enum pmtcp_tcp_state value, or -EINVAL.
 */
int pmtcp_tcp_state_parse(const char *name);

/**
 * Events a stack reports. Each callback runs on the stack's lcore, from
 * inside pmtcp_stack_input() or pmtcp_stack_poll(). A callback may call
 * pmtcp_abort() or pmtcp_connect() on the same stack; the sock passed in
 * must not be used after the callback when the connection has ended.
 */
struct pmtcp_callbacks {
	/** Active open reached ESTABLISHED (our ACK is already queued). */
	void (*connected)(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg);
	/** Passive open reached ESTABLISHED. */
	void (*accepted)(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg);
	/**
	 * A connection ended before ESTABLISHED: @p err is -ECONNREFUSED
	 * (RST to our SYN), -ETIMEDOUT (retries exhausted), -EHOSTUNREACH
	 * (the next hop never answered ARP), -ECONNRESET.
	 * @p sk is freed when the callback returns.
	 */
	void (*failed)(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg);
	/**
	 * A connection that reached ESTABLISHED is over for the application:
	 * @p err is 0 after an orderly close (our FIN and the peer's are
	 * both done, or TIME_WAIT begins), -ECONNRESET when the peer reset
	 * it, -ETIMEDOUT when retransmissions ran out. Not called after
	 * pmtcp_abort(). @p sk must not be used after the callback.
	 */
	void (*closed)(struct pmtcp_stack *st, struct pmtcp_sock *sk, int err, void *arg);
	/**
	 * In-order data arrived: @p len bytes at @p data, valid during the
	 * call only. The callback may pmtcp_send(), pmtcp_close() or
	 * pmtcp_abort() @p sk.
	 */
	void (*recv)(struct pmtcp_stack *st, struct pmtcp_sock *sk,
		     const void *data, uint32_t len, void *arg);
	/** The peer sent its FIN (CLOSE_WAIT): no more data will come. */
	void (*peer_closed)(struct pmtcp_stack *st, struct pmtcp_sock *sk, void *arg);
	void *arg; /**< passed to every callback */
};

/** Longest Toeplitz key (i40e, ice: 52 bytes). */
#define PMTCP_RSS_KEY_LEN_MAX 52

/**
 * The Toeplitz key an interface's RSS uses when its rss_key_len is 0:
 * the Microsoft/Intel verification key, most NICs' default.
 * @param len  when not NULL, receives its length (40)
 * @return the key's bytes (static)
 */
const uint8_t *pmtcp_rss_default_key(uint8_t *len);
/** Largest redirection table (RTE_ETH_RSS_RETA_SIZE_512). */
#define PMTCP_RETA_SIZE_MAX 512

/**
 * How a segment reaches the stack that owns its connection when a port
 * has several queues, each polled by its own stack (lcore).
 */
enum pmtcp_steer_mode {
	/** Replies come back on the queue their connection sent from: one
	 * queue, or queue i of a memif joined to queue i of a peer that
	 * answers on the queue it received on. */
	PMTCP_STEER_NONE = 0,
	/** The port's RSS (Toeplitz over the IPv4/TCP 4-tuple with rss_key,
	 * then reta) picks the queue, as rte_softrss() predicts: each
	 * connect() takes a source port whose replies hash to its own
	 * queue. A passive connection belongs to the queue its SYN came in
	 * on, and the peer's later segments follow it there. */
	PMTCP_STEER_RSS,
	/** The port spreads frames by a hash nobody can predict (af_packet's
	 * fanout, a tap or virtio without RSS): source ports are chosen as
	 * for PMTCP_STEER_RSS, and a segment for another queue's active
	 * connection is handed to that queue's stack through its inbox
	 * (pmtcp_stack_set_peer(), PmtcpSteeredOut / PmtcpSteeredIn). */
	PMTCP_STEER_SOFTWARE,
};

/** One interface: an ethdev queue pair and the IPv4 address behind it. */
struct pmtcp_iface_conf {
	uint16_t port_id;        /**< ethdev port */
	uint16_t queue_id;       /**< RX and TX queue this lcore owns */
	uint32_t addr;           /**< our IPv4 address, network byte order */
	uint8_t prefix_len;      /**< subnet prefix length (1..32) */
	uint32_t gateway;        /**< next hop for off-subnet, network order, 0 = none */
	struct rte_ether_addr mac; /**< our MAC address */
	uint16_t mtu;            /**< IP MTU (MSS = mtu - 40) */
	bool tx_ip_cksum;        /**< port fills IPv4 checksums (offload enabled) */
	bool tx_tcp_cksum;       /**< port fills TCP checksums (offload enabled) */
	bool rx_cksum;           /**< port reports RX checksum status in ol_flags */
	/**
	 * Accept a TCP segment whose checksum field holds only the
	 * pseudo-header sum: a CHECKSUM_PARTIAL frame from a local kernel
	 * (net_af_packet, net_tap on a veth or tap with TX checksum offload
	 * on). Counted as PmtcpRxCsumPartial; every other bad checksum is
	 * still dropped. Only for ports whose peer is the local kernel.
	 */
	bool rx_csum_partial;
	/**
	 * Local addresses: @p addr and the next @p addr_count - 1 (a range,
	 * as `--ip 0,198.18.0.2-198.18.0.101/24` gives). Every one answers
	 * ARP and takes segments; pmtcp_connect() uses the first until its
	 * ports towards a destination run out, then the next. 0 or 1: one.
	 */
	uint32_t addr_count;
	/**
	 * Queues of this port, each polled by one stack, @p queue_id among
	 * them (0 or 1: this stack's alone). With more than one, @p steer
	 * says how a segment finds the stack that owns its connection.
	 */
	uint16_t nb_queues;
	enum pmtcp_steer_mode steer;  /**< with nb_queues > 1 */
	/** Toeplitz key of the port's RSS (PMTCP_STEER_RSS; also the
	 * software hash of PMTCP_STEER_SOFTWARE): rss_key_len bytes, at
	 * least 16; 0 = the reference key (RTE_ETH's default of most NICs) */
	uint8_t rss_key[PMTCP_RSS_KEY_LEN_MAX];
	uint8_t rss_key_len;
	/** redirection table: the queue of each entry, reta_size entries (a
	 * power of 2, at most PMTCP_RETA_SIZE_MAX); 0 = entry i to queue
	 * i % nb_queues over 128 entries */
	uint16_t reta_size;
	uint16_t reta[PMTCP_RETA_SIZE_MAX];
};

/** Stack configuration (copied by pmtcp_stack_create()). */
struct pmtcp_stack_conf {
	const char *name;            /**< for logs and memzone names */
	int socket_id;               /**< NUMA socket for the stack's memory */
	struct rte_mempool *pool;    /**< mbufs for packets the stack builds */
	uint32_t max_conns;          /**< connection table size (socks) */
	/** TIME_WAIT entries, 64 bytes each, kept apart from the socks
	 * (0: the smaller of sysctl.tcp_max_tw_buckets and max_conns). A
	 * connection that enters TIME_WAIT with none free closes at once
	 * (TCPTimeWaitOverflow), as past tcp_max_tw_buckets. */
	uint32_t max_tw;
	uint32_t max_listeners;      /**< listening ports (default 64 when 0) */
	uint16_t arp_pending_max;    /**< packets held per unresolved neighbour (default 64, max 64) */
	uint16_t tx_burst;           /**< packets per rte_eth_tx_burst (default 32) */
	uint32_t timer_tick_us;      /**< timer wheel resolution (default 1000 us) */
	uint32_t timer_slots;        /**< timer wheel slots, power of 2 (default 4096) */
	struct pmtcp_sysctl sysctl;  /**< TCP knobs */
	struct pmtcp_callbacks cb;   /**< events */
	/** Frames other stacks of the same ports can hand to this one (its
	 * inbox: pmtcp_stack_set_peer()), a power of 2; 0 = no inbox. */
	uint32_t inbox_size;
};

/** Fill @p conf with defaults (sysctl from pmtcp_sysctl_init()). */
void pmtcp_stack_conf_init(struct pmtcp_stack_conf *conf);

/**
 * Create a stack on the calling lcore's behalf.
 * @return the stack, or NULL with rte_errno set: EINVAL for a bad
 *         configuration, ENOMEM when memory runs out.
 */
struct pmtcp_stack *pmtcp_stack_create(const struct pmtcp_stack_conf *conf);

/** Free a stack: every connection is dropped silently, queued mbufs freed. */
void pmtcp_stack_free(struct pmtcp_stack *st);

/**
 * Add an interface.
 * @return its index (0..PMTCP_MAX_IFACES-1), -EINVAL (bad address,
 *         prefix, MTU outside 108..9216 or port), -EMSGSIZE (an MTU-sized
 *         frame does not fit one mbuf of the stack's pool) or -ENOSPC.
 */
int pmtcp_stack_add_iface(struct pmtcp_stack *st, const struct pmtcp_iface_conf *ic);

/**
 * Tell @p st which stack polls queue @p queue of port @p port_id (for
 * ports with several queues, nb_queues > 1): frames for that stack's
 * connections (PMTCP_STEER_SOFTWARE), and a copy of each ARP frame, so
 * that every stack of a port knows its neighbours, go to its inbox.
 * @p peer must have an inbox (inbox_size) and must outlive @p st's use
 * of it; @p peer may be @p st itself. The only call that links two
 * stacks: the inbox is a multi-producer ring, nothing else is shared.
 * @return 0, -EINVAL (no such interface or queue, or no inbox).
 */
int pmtcp_stack_set_peer(struct pmtcp_stack *st, uint16_t port_id,
			 uint16_t queue, struct pmtcp_stack *peer);

/**
 * Reset connections this stack opened (pmtcp_connect()), up to @p max
 * per call, as pmtcp_abort() does, without callbacks: for tearing down
 * connections held open at the end of a run in bounded steps. It stops
 * early while an interface's TX batch is half full after a flush (the
 * PMD takes RSTs slower than they are made), so that none is dropped.
 * @return connections reset by this call; 0 once none is left;
 *         -EAGAIN when none could be reset for now (call again after
 *         pmtcp_stack_poll()).
 */
int pmtcp_stack_abort_active(struct pmtcp_stack *st, unsigned int max);

/**
 * Bytes the stack reserved for connection state: its socks and TIME_WAIT
 * entries, the hash table's slots and its count of entries per local
 * port, the timer wheel (sized at creation), and the port maps of its
 * active opens (made as connects first use each source address, within
 * 16 bytes per sock).
 */
uint64_t pmtcp_stack_conn_memory(const struct pmtcp_stack *st);

/**
 * Process received packets. The stack takes ownership of every mbuf.
 * @param iface  index returned by pmtcp_stack_add_iface()
 */
void pmtcp_stack_input(struct pmtcp_stack *st, uint16_t iface,
		       struct rte_mbuf **pkts, uint16_t n);

/**
 * Run expired timers and flush queued TX packets (one rte_eth_tx_burst per
 * interface with something queued). Call once per loop iteration.
 * @param now_tsc  rte_rdtsc() read once by the caller for this iteration
 * @return number of timers that fired
 */
unsigned int pmtcp_stack_poll(struct pmtcp_stack *st, uint64_t now_tsc);

/**
 * The default run loop body: rx_burst every interface, input, poll.
 * @return packets received in this iteration
 */
unsigned int pmtcp_stack_run_once(struct pmtcp_stack *st, uint64_t now_tsc);

/**
 * Open a connection (mirrors tcp_v4_connect()): route, source port, ISN,
 * SYN queued for TX (or held until ARP resolves).
 * @param daddr     destination, network byte order
 * @param dport     destination port, host byte order
 * @param user_data returned by pmtcp_sock_userdata()
 * @param out       when not NULL, receives the sock
 * @return 0, -ENETUNREACH (no route, multicast/broadcast), -EADDRNOTAVAIL
 *         (no free source port), -ENOBUFS (table full or no mbuf),
 *         -EINVAL (zero address or port).
 */
int pmtcp_connect(struct pmtcp_stack *st, uint32_t daddr, uint16_t dport,
		  uint64_t user_data, struct pmtcp_sock **out);

/**
 * connect() with a socket address, as tcp_v4_connect() takes it: checks
 * the address first, then as pmtcp_connect().
 * @param uaddr     a struct sockaddr_in (AF_INET)
 * @param addr_len  its length
 * @return as pmtcp_connect(), plus -EINVAL when @p addr_len is shorter
 *         than struct sockaddr_in and -EAFNOSUPPORT when the family is
 *         not AF_INET.
 */
int pmtcp_v4_connect(struct pmtcp_stack *st, const struct sockaddr *uaddr,
		     int addr_len, uint64_t user_data, struct pmtcp_sock **out);

/**
 * Resolve the next hop towards @p daddr ahead of time (an ARP request goes
 * out if it is not known; later ones every neigh.default.retrans_time_ms
 * from pmtcp_stack_poll()). Lets an application
 * warm the neighbour cache before it opens connections at a high rate.
 * @param daddr  destination, network byte order
 * @return 1 when the next hop's address is known (REACHABLE or STALE), 0
 *         while resolution is pending (or the neighbour table has no room:
 *         ArpTableFull), -ENETUNREACH when no interface routes @p daddr
 *         or its next hop is one of our addresses or a subnet broadcast.
 */
int pmtcp_neigh_resolve(struct pmtcp_stack *st, uint32_t daddr);

/** Neighbour states, as `ip neigh` names them (Linux's NUD_*). */
enum pmtcp_nud_state {
	PMTCP_NUD_NONE = 0,      /**< no entry */
	PMTCP_NUD_INCOMPLETE,    /**< request sent, no answer yet; packets held */
	PMTCP_NUD_REACHABLE,     /**< confirmed by a reply within reachable_time */
	PMTCP_NUD_STALE,         /**< address known, not confirmed lately; used */
	PMTCP_NUD_FAILED,        /**< never answered; destroyed soon */
};

/** One neighbour table entry, as pmtcp_neigh_lookup() reports it. */
struct pmtcp_neigh_info {
	uint32_t addr;               /**< its IPv4 address, network order */
	uint16_t iface;              /**< interface index */
	enum pmtcp_nud_state state;  /**< NUD state */
	struct rte_ether_addr mac;   /**< its MAC (zero while INCOMPLETE) */
	uint8_t npending;            /**< packets held for it */
};

/**
 * Look up neighbour @p addr (a next hop on one of the interfaces' subnets,
 * not a destination behind the gateway), as `ip neigh show ADDR` does.
 * @return 0 with @p info filled, -ENOENT when no entry holds it.
 */
int pmtcp_neigh_lookup(const struct pmtcp_stack *st, uint32_t addr,
		       struct pmtcp_neigh_info *info);

/**
 * Listen on @p port (host order) on every interface address.
 * @return 0, -EADDRINUSE, -ENOSPC (listener table full), -EINVAL.
 */
int pmtcp_listen(struct pmtcp_stack *st, uint16_t port);

/** Stop listening. @return 0 or -ENOENT. */
int pmtcp_unlisten(struct pmtcp_stack *st, uint16_t port);

/**
 * Queue @p len bytes and send what the peer's window allows
 * (tcp_sendmsg() on a non-blocking socket). The bytes are copied into the
 * sock's send queue, which is bounded by its send buffer as Linux bounds
 * it with tcp_wmem: tcp_wmem[1], raised at ESTABLISHED to twice 10
 * segments' worth (tcp_sndbuf_expand(): 87040 bytes for an MSS up to
 * 1472), at most tcp_wmem[2]. Each mbuf of the queue counts whole (its
 * mempool element size), and a new one is taken only while the queue is
 * below the buffer, so fewer than @p len bytes may be accepted. The
 * rest may be sent again once the peer has acknowledged data (after a
 * later pmtcp_stack_input()).
 * In SYN_SENT (right after pmtcp_connect()) the bytes wait for the
 * handshake, as Linux's writer blocked in connect (sk_write_pending):
 * then the first data segment carries the handshake's ACK instead of a
 * bare ACK before it (one packet less per connection).
 * @return bytes queued (1..@p len), 0 when @p len is 0,
 *         -ENOTCONN in SYN_RECV (an accepted connection not yet
 *         established),
 *         -EPIPE after pmtcp_close() or once the connection is closing or
 *         closed,
 *         -EAGAIN when the send buffer is full (nothing queued),
 *         -ENOBUFS when the mempool had no mbuf for any of it.
 */
int pmtcp_send(struct pmtcp_stack *st, struct pmtcp_sock *sk, const void *buf,
	       uint32_t len);

/**
 * Orderly close (tcp_close()): a FIN goes after the queued data. The sock
 * stays valid until the closed callback, which reports the end: err 0
 * when TIME_WAIT begins or our FIN is acknowledged in LAST_ACK,
 * -ECONNRESET when the peer resets or sends data we will not read
 * (Linux resets then too), -ETIMEDOUT when retransmissions or
 * tcp_fin_timeout (FIN_WAIT2) run out. A connection still in the
 * handshake is reset instead, without a callback.
 * @return 0 or -ENOTCONN when the connection is already closing.
 */
int pmtcp_close(struct pmtcp_stack *st, struct pmtcp_sock *sk);

/**
 * Reset and free a connection (mirrors tcp_disconnect()/tcp_send_active_reset()):
 * an RST goes out for synchronized states, nothing for SYN_SENT; a
 * TIME_WAIT (the sock of closed(0)) ends without a segment. No callback
 * follows. Safe from any callback, on its sock or another: the sock of
 * the running callback is freed when the callback returns, the sock of
 * failed or closed (already over) is left alone, and a second abort of
 * the same sock does nothing.
 */
void pmtcp_abort(struct pmtcp_stack *st, struct pmtcp_sock *sk);

/** What pmtcp_sock_info() reports. */
struct pmtcp_sock_info {
	uint32_t saddr, daddr;     /**< network order */
	uint16_t sport, dport;     /**< host order */
	uint8_t state;             /**< enum pmtcp_tcp_state */
	uint8_t retransmits;       /**< SYN / SYN-ACK retransmissions so far */
	uint16_t mss;              /**< effective MSS */
	uint32_t iss, irs;         /**< initial send / receive sequence */
	uint32_t rto_ms;           /**< current RTO */
	uint32_t srtt_us;          /**< smoothed RTT, 0 before a sample */
	uint64_t open_tsc;         /**< TSC when the connection was opened */
	uint8_t snd_wscale, rcv_wscale; /**< window scales in use */
	bool tstamp_ok, sack_ok, ecn_ok;  /**< options negotiated */
};

/** Fill @p info about @p sk. */
void pmtcp_sock_info(const struct pmtcp_sock *sk, struct pmtcp_sock_info *info);

/** @return the user_data given to pmtcp_connect() (0 for accepted socks). */
uint64_t pmtcp_sock_userdata(const struct pmtcp_sock *sk);

/** @return rte_rdtsc() when the connection was opened (connect() or SYN). */
uint64_t pmtcp_sock_open_tsc(const struct pmtcp_sock *sk);

/** Replace a sock's user data. */
void pmtcp_sock_set_userdata(struct pmtcp_sock *sk, uint64_t user_data);

/** @return this stack's counters (written only by its lcore). */
const struct pmtcp_mib *pmtcp_stack_mib(const struct pmtcp_stack *st);

/** @return connections in the table now, TIME_WAIT included. */
uint32_t pmtcp_stack_conn_count(const struct pmtcp_stack *st);

/** @return connections in TIME_WAIT now. */
uint32_t pmtcp_stack_tw_count(const struct pmtcp_stack *st);

/**
 * The stack's clock: the TSC as read when the burst being handled came
 * in (or at the last pmtcp_stack_poll()). Callbacks can time events with
 * it instead of reading the TSC again (rte_rdtsc() is slow on some
 * virtual machines); pmtcp_sock_open_tsc() is on the same clock.
 * @return TSC cycles
 */
uint64_t pmtcp_stack_now_tsc(const struct pmtcp_stack *st);

/**
 * Call @p fn for every sock in use in the connection table (every state
 * but CLOSE), in table order, then for every TIME_WAIT: a TIME_WAIT is
 * not a sock, @p fn gets a sock's view of it that lives for the call
 * (4-tuple, state, sequence numbers and timestamps; no ISNs, RTT or
 * user data). @p fn must not open, close or free socks.
 * Like every other call on a stack, it may only be called on the stack's
 * own lcore, or while that lcore is stopped (not polling the stack).
 */
void pmtcp_stack_conn_walk(const struct pmtcp_stack *st,
			   void (*fn)(const struct pmtcp_sock *sk, void *arg),
			   void *arg);

/** What pmtcp_stack_set_trace() reports. */
enum pmtcp_trace_level {
	PMTCP_TRACE_OFF = 0,     /**< nothing (the default) */
	PMTCP_TRACE_STATE = 1,   /**< every TCP state change of a connection */
	PMTCP_TRACE_SEGMENT = 2, /**< state changes and every TCP segment
				  *   received or sent, tcpdump style */
};

/**
 * A trace line (no newline), valid during the call only. Called on the
 * stack's lcore, from inside the stack: it must not call into @p st.
 */
typedef void (*pmtcp_trace_fn)(struct pmtcp_stack *st, const char *line,
			       void *arg);

/**
 * Turn tracing on or off (the kernel's sock:inet_sock_set_state
 * tracepoint, and a tcpdump of the stack's own TCP segments). Lines look
 * like:
 *
 *     1.204 state 198.18.0.2:40001 > 198.18.0.1:80 SYN-SENT -> ESTAB
 *     1.204 in  IP 198.18.0.1.80 > 198.18.0.2.40001: Flags [S.], seq 3405691582, ack 2864434397, win 65160, options [mss 1460,sackOK,TS val 77 ecr 1204,nop,wscale 7], length 0
 *
 * (seconds since the stack was created; sequence numbers absolute, as
 * `tcpdump -S`). Segments are traced once they passed the header and
 * checksum checks, and when they are built (an ARP-pending segment is
 * traced before it leaves). Call it only on the lcore that owns @p st.
 * @return 0, or -EINVAL (level out of range, or no @p fn for a level
 *         above PMTCP_TRACE_OFF).
 */
int pmtcp_stack_set_trace(struct pmtcp_stack *st, int level, pmtcp_trace_fn fn,
			  void *arg);

/** @return the stack's knobs (read-only view). */
const struct pmtcp_sysctl *pmtcp_stack_sysctl(const struct pmtcp_stack *st);

/**
 * Replace the stack's knobs with a copy of @p s. Values read at each event
 * (retry limits) apply to open connections from then on; values fixed when
 * a connection opens (SYN options, window) apply to new ones.
 * Call it only on the lcore that owns @p st (it is not thread-safe).
 * @return 0, or -EINVAL when an argument is NULL or the local port range
 *         is empty.
 */
int pmtcp_stack_set_sysctl(struct pmtcp_stack *st, const struct pmtcp_sysctl *s);

#ifdef __cplusplus
}
#endif
#endif /* PMTCP_STACK_H */
