/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_TCP_SEQ_H
#define PMTCP_TCP_SEQ_H

/*
 * Sequence number arithmetic modulo 2^32 (RFC 9293 section 3.4), the only
 * way pmtcp compares sequence numbers. Same semantics as include/net/tcp.h
 * before()/after()/between().
 */

#include <stdbool.h>
#include <stdint.h>

/* seq1 comes strictly before seq2. */
static inline bool
seq_before(uint32_t seq1, uint32_t seq2)
{
	return (int32_t)(seq1 - seq2) < 0;
}

/* seq2 comes strictly before seq1. */
static inline bool
seq_after(uint32_t seq1, uint32_t seq2)
{
	return seq_before(seq2, seq1);
}

/* seq2 <= seq1 <= seq3: seq1 lies within [seq2, seq3] (Linux's between()). */
static inline bool
seq_between(uint32_t seq1, uint32_t seq2, uint32_t seq3)
{
	return seq3 - seq2 >= seq1 - seq2;
}

#endif /* PMTCP_TCP_SEQ_H */
