/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_MIB_H
#define PMTCP_MIB_H

/**
 * @file
 * Counters, named as Linux names them in /proc/net/snmp and
 * /proc/net/netstat (read there with `nstat`), plus pmtcp's own groups.
 *
 * Each stack (one per lcore) owns one struct pmtcp_mib and is its only
 * writer; readers sum the per-lcore copies with pmtcp_mib_sum().
 */

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * X-macro list of every counter: group, name, what moves it.
 * The group is the prefix `nstat` prints (Ip, Tcp, TcpExt) or pmtcp's own
 * (Arp, Pmtcp, Drop).
 */
#define PMTCP_MIB_LIST(X) \
	X(Ip, InReceives, "IPv4 packets received") \
	X(Ip, InHdrErrors, "IPv4 header invalid (version, IHL, length, checksum)") \
	X(Ip, InAddrErrors, "IPv4 destination is not one of ours") \
	X(Ip, InUnknownProtos, "IPv4 protocol other than TCP") \
	X(Ip, InDiscards, "IPv4 packets discarded (fragments)") \
	X(Ip, InDelivers, "IPv4 packets handed to TCP") \
	X(Ip, OutRequests, "IPv4 packets sent") \
	X(Ip, OutNoRoutes, "no route to the destination") \
	X(Ip, ReasmFails, "fragments dropped (pmtcp does not reassemble)") \
	X(Tcp, ActiveOpens, "CLOSED -> SYN_SENT transitions") \
	X(Tcp, PassiveOpens, "passive opens completed (Linux counts at child creation)") \
	X(Tcp, AttemptFails, "SYN_SENT/SYN_RECV -> CLOSED (refused, timed out)") \
	X(Tcp, EstabResets, "ESTABLISHED/CLOSE_WAIT -> CLOSED by a reset") \
	X(Tcp, CurrEstab, "connections now ESTABLISHED (gauge)") \
	X(Tcp, InSegs, "TCP segments received") \
	X(Tcp, OutSegs, "TCP segments sent, retransmissions excluded") \
	X(Tcp, RetransSegs, "TCP segments retransmitted") \
	X(Tcp, InErrs, "TCP segments received in error (checksum, header)") \
	X(Tcp, OutRsts, "segments sent with RST") \
	X(Tcp, InCsumErrors, "TCP segments with a bad checksum") \
	X(TcpExt, PAWSActiveRejected, "SYN-ACK rejected by PAWS in SYN_SENT") \
	X(TcpExt, TCPTimeouts, "retransmission timer expirations") \
	X(TcpExt, TCPSynRetrans, "SYN and SYN-ACK retransmissions") \
	X(TcpExt, ListenOverflows, "handshake completion refused: accept side full") \
	X(TcpExt, ListenDrops, "SYN dropped at a listener (SYN queue or table full)") \
	X(TcpExt, SyncookiesSent, "SYN-ACKs sent with a SYN cookie") \
	X(TcpExt, SyncookiesRecv, "handshakes completed by a valid SYN cookie") \
	X(TcpExt, SyncookiesFailed, "ACKs whose SYN cookie did not verify") \
	X(TcpExt, TCPReqQFullDoCookies, "SYN queue full: answered with a cookie") \
	X(TcpExt, TCPReqQFullDrop, "SYN queue full: SYN dropped (tcp_syncookies=0)") \
	X(TcpExt, TCPSYNChallenge, "challenge ACKs sent for a SYN in a synchronized state") \
	X(TcpExt, TCPChallengeACK, "challenge ACKs sent (RFC 5961), for a SYN or a RST off RCV.NXT") \
	X(TcpExt, TCPAbortOnData, "connections the application closed with a reset (SO_LINGER 0)") \
	X(TcpExt, TCPAbortOnTimeout, "connections ended by retransmission timeout") \
	X(TcpExt, TW, "TIME_WAIT sockets that ran their 60 s") \
	X(TcpExt, TWRecycled, "TIME_WAIT 4-tuples reused by connect() (tcp_tw_reuse)") \
	X(TcpExt, TCPTimeWaitOverflow, "TIME_WAIT skipped: tcp_max_tw_buckets reached") \
	X(TcpExt, DelayedACKs, "delayed ACK timer expirations that sent an ACK") \
	X(TcpExt, PAWSEstabRejected, "segments rejected by PAWS in a synchronized state") \
	X(TcpExt, TCPOFODrop, "out-of-order segments dropped (no reassembly queue)") \
	X(TcpExt, TCPChallengeACKLimit, "challenge ACKs not sent: tcp_challenge_ack_limit") \
	X(TcpExt, EmbryonicRsts, "SYN_RECV connections ended by a RST or an in-window SYN") \
	X(TcpExt, TCPACKSkippedSynRecv, "duplicate ACKs not sent in SYN_RECV: tcp_invalid_ratelimit") \
	X(TcpExt, TCPACKSkippedPAWS, "duplicate ACKs not sent for PAWS-rejected segments: tcp_invalid_ratelimit") \
	X(TcpExt, TCPACKSkippedSeq, "duplicate ACKs not sent for out-of-window segments: tcp_invalid_ratelimit") \
	X(TcpExt, TCPACKSkippedTimeWait, "ACKs not sent in TIME_WAIT: tcp_invalid_ratelimit") \
	X(TcpExt, TCPACKSkippedChallenge, "challenge ACKs not sent: tcp_invalid_ratelimit on the connection") \
	X(Arp, InRequests, "ARP requests received for one of our addresses") \
	X(Arp, InReplies, "ARP replies received") \
	X(Arp, OutRequests, "ARP requests sent") \
	X(Arp, OutReplies, "ARP replies sent") \
	X(Arp, PendingQueued, "packets held waiting for ARP resolution") \
	X(Arp, PendingDrops, "packets dropped: ARP pending queue full") \
	X(Arp, TableFull, "neighbour table full: no entry could be created (arp_cache table_fulls)") \
	X(Arp, ResolveFails, "neighbours that never answered (FAILED after mcast_solicit requests)") \
	X(Arp, Allocs, "neighbour entries created (arp_cache allocs)") \
	X(Arp, Destroys, "neighbour entries freed: aged out or evicted (arp_cache destroys)") \
	X(Arp, ForcedGcRuns, "table full: a FAILED or STALE entry evicted for a new one (arp_cache forced_gc_runs)") \
	X(Pmtcp, TxDrops, "packets the PMD refused after retries (freed)") \
	X(Pmtcp, NoMbuf, "mbuf allocation failures") \
	X(Pmtcp, ConnTableFull, "connect/accept refused: connection table full") \
	X(Pmtcp, PortsExhausted, "connect refused: no free local port") \
	X(Pmtcp, SegTooBig, "segments not built: larger than an mbuf's room (the connection is reset)") \
	X(Pmtcp, RttSampleIgnored, "RTT samples from an echoed timestamp outside 0 .. INT_MAX / 1000 ms, ignored") \
	X(Pmtcp, RxCsumPartial, "TCP segments accepted with a pseudo-header-only checksum (CHECKSUM_PARTIAL)") \
	X(Pmtcp, NonIpFrames, "frames that are neither IPv4 nor ARP") \
	X(Pmtcp, SteeredOut, "segments handed to the stack of another queue, whose connection they belong to (software steering)") \
	X(Pmtcp, SteeredIn, "segments another queue's stack handed to this one") \
	X(Pmtcp, SteerDrops, "segments or ARP copies not handed over: the other stack's inbox was full") \
	X(Pmtcp, ArpShared, "ARP frames copied to the other queues' stacks of their port")

/** Index of each counter in struct pmtcp_mib. */
enum pmtcp_mib_id {
#define PMTCP_MIB_ENUM(g, n, d) PMTCP_MIB_##g##_##n,
	PMTCP_MIB_LIST(PMTCP_MIB_ENUM)
#undef PMTCP_MIB_ENUM
	PMTCP_MIB_MAX
};

/**
 * X-macro list of drop reasons: every packet pmtcp discards goes through
 * exactly one of these (see pmtcp_drop()).
 */
#define PMTCP_DROP_LIST(X) \
	X(ETH_SHORT, "frame shorter than an Ethernet header") \
	X(ETH_PROTO, "EtherType neither IPv4 nor ARP") \
	X(ARP_MALFORMED, "ARP packet truncated or not Ethernet/IPv4") \
	X(ARP_NOT_OURS, "ARP for an address that is not ours") \
	X(ARP_UNSOLICITED, "ARP reply or gratuitous ARP from a sender with no entry: ignored (arp_accept=0)") \
	X(ARP_SENDER_OFFLINK, "ARP from a sender outside the interface's subnet: no entry, no reply") \
	X(ARP_SENDER_BOGUS, "ARP from 0/8, loopback, multicast, class E, a broadcast or the interface's own address") \
	X(IP_SHORT, "IPv4 header truncated") \
	X(IP_VERSION, "IPv4 version field is not 4") \
	X(IP_IHL, "IPv4 IHL below 5 or beyond the packet") \
	X(IP_LEN, "IPv4 total length beyond the frame or below the header") \
	X(IP_CSUM, "IPv4 header checksum bad") \
	X(IP_FRAG, "IPv4 fragment") \
	X(IP_NOT_OURS, "IPv4 destination not one of our addresses") \
	X(IP_MARTIAN_SRC, "IPv4 source martian: 0/8, 127/8, 224/4, 240/4, broadcast, ours") \
	X(IP_MARTIAN_DST, "IPv4 destination martian: 0/8, 127/8, 224/4, 240/4, broadcast") \
	X(IP_PROTO, "IPv4 protocol is not TCP") \
	X(TCP_SHORT, "TCP header truncated or data offset impossible") \
	X(TCP_CSUM, "TCP checksum bad") \
	X(TCP_OPTIONS, "TCP options malformed (counted; the segment goes on, as in Linux)") \
	X(TCP_NO_SOCKET, "segment for no connection (RST sent unless it was one)") \
	X(TCP_STATE, "segment not acceptable in the connection's state") \
	X(TCP_OUT_OF_WINDOW, "segment outside the receive window (duplicate ACK sent)") \
	X(TCP_OFO, "out-of-order segment (duplicate ACK sent)") \
	X(TCP_PAWS, "timestamp failed PAWS") \
	X(TCP_TIME_WAIT, "segment for a TIME_WAIT connection (answered with its ACK unless a RST)") \
	X(TCP_BAD_ACK, "unacceptable ACK (RST sent)") \
	X(TCP_LISTEN_FULL, "SYN refused: table or SYN queue full") \
	X(TCP_NO_ROUTE, "SYN from a source we have no route back to") \
	X(TCP_SYN_SHED, "SYN shed under overload: the queue of SYNs waiting their turn was full") \
	X(ARP_PENDING_FULL, "packet waiting for ARP dropped: queue full") \
	X(ARP_TABLE_FULL, "no room in the neighbour table: packet to send dropped, or request for us unanswered") \
	X(ARP_FAILED, "packet waiting for ARP dropped: neighbour never answered") \
	X(TX_REFUSED, "PMD refused the packet after retries") \
	X(STEER_INBOX_FULL, "segment for another queue's connection dropped: that stack's inbox was full")

/** Drop reasons. */
enum pmtcp_drop_reason {
#define PMTCP_DROP_ENUM(n, d) PMTCP_DROP_##n,
	PMTCP_DROP_LIST(PMTCP_DROP_ENUM)
#undef PMTCP_DROP_ENUM
	PMTCP_DROP_MAX
};

/** One lcore's counters. Written only by the lcore that owns the stack. */
struct pmtcp_mib {
	uint64_t mib[PMTCP_MIB_MAX];   /**< indexed by enum pmtcp_mib_id */
	uint64_t drop[PMTCP_DROP_MAX]; /**< indexed by enum pmtcp_drop_reason */
};

/** @return the group ("Tcp", "TcpExt", ...) of counter @p id, or NULL. */
const char *pmtcp_mib_group(enum pmtcp_mib_id id);
/** @return the Linux name ("ActiveOpens", ...) of counter @p id, or NULL. */
const char *pmtcp_mib_name(enum pmtcp_mib_id id);
/** @return a one-line description of counter @p id, or NULL. */
const char *pmtcp_mib_desc(enum pmtcp_mib_id id);
/** @return the name ("TCP_CSUM", ...) of drop reason @p r, or NULL. */
const char *pmtcp_drop_name(enum pmtcp_drop_reason r);
/** @return a one-line description of drop reason @p r, or NULL. */
const char *pmtcp_drop_desc(enum pmtcp_drop_reason r);

/**
 * Look a counter up by "Group.Name" or "GroupName" (nstat spelling,
 * e.g. "TcpActiveOpens").
 * @return the id, or -1 when no counter has that name.
 */
int pmtcp_mib_lookup(const char *name);

/**
 * Add @p n per-lcore counter sets into @p out (which is zeroed first).
 * Safe to call from any lcore while the owners run: each 64-bit counter is
 * read atomically, the set as a whole is not a snapshot.
 */
void pmtcp_mib_sum(struct pmtcp_mib *out, const struct pmtcp_mib *const *in,
		   unsigned int n);

/**
 * Print counters `nstat` style ("TcpActiveOpens  100"), one per line.
 * @param nonzero  when non-zero, skip counters that are 0.
 */
void pmtcp_mib_print(FILE *f, const struct pmtcp_mib *m, int nonzero);

#ifdef __cplusplus
}
#endif
#endif /* PMTCP_MIB_H */
