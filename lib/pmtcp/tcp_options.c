/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP options: parsing (tcp_input.c: tcp_parse_options) and the SYN /
 * SYN-ACK layout (tcp_output.c: tcp_options_write), byte for byte as
 * Linux lays them out so that middleboxes and fingerprints see a Linux SYN.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "tcp.h"

static inline uint32_t
get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}


/*
 * tcp_parse_options(): walk the option bytes once. MSS, window scale and
 * SACK-permitted count only on SYN segments (RFC 9293 section 3.7.1,
 * RFC 7323 section 2.2). A length byte below 2 or running past the header
 * ends the walk (as Linux does: "silly options" / "don't parse partial
 * options") and returns -EINVAL; what was parsed before stays valid.
 */
int
pmtcp_tcp_parse_options(const struct rte_tcp_hdr *th, unsigned int optlen,
			struct pmtcp_tcp_opts *opt)
{
	const uint8_t *p = (const uint8_t *)(th + 1);
	bool syn = (th->tcp_flags & TH_SYN) != 0;
	unsigned int left = optlen;

	memset(opt, 0, sizeof(*opt));
	while (left > 0) {
		uint8_t kind = *p;
		uint8_t size;

		if (kind == TCPOPT_EOL)
			return 0;
		if (kind == TCPOPT_NOP) {
			p++;
			left--;
			continue;
		}
		if (left < 2)
			return -EINVAL;
		size = p[1];
		if (size < 2 || size > left)
			return -EINVAL;
		switch (kind) {
		case TCPOPT_MSS:
			if (size == TCPOLEN_MSS && syn) {
				uint16_t mss = (uint16_t)((p[2] << 8) | p[3]);

				if (mss != 0)
					opt->mss_clamp = mss;
			}
			break;
		case TCPOPT_WINDOW:
			if (size == TCPOLEN_WINDOW && syn) {
				opt->wscale_ok = 1;
				/* RFC 7323 2.3: a shift above 14 is used as 14 */
				opt->snd_wscale = RTE_MIN(p[2], (uint8_t)TCP_MAX_WSCALE);
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (size == TCPOLEN_TIMESTAMP) {
				opt->saw_tstamp = 1;
				opt->rcv_tsval = get_be32(p + 2);
				opt->rcv_tsecr = get_be32(p + 6);
			}
			break;
		case TCPOPT_SACK_PERM:
			if (size == TCPOLEN_SACK_PERM && syn)
				opt->sack_ok = 1;
			break;
		default:
			break;
		}
		p += size;
		left -= size;
	}
	return 0;
}

/*
 * tcp_options_write() for SYN and SYN-ACK (tcp_syn_options()/
 * tcp_synack_options() decide, this lays out). Linux's order:
 *   MSS(4)
 *   SACKPERM+TS(12) | NOP NOP TS(12)       when timestamps
 *   NOP NOP SACKPERM(4)                    when SACK without timestamps
 *   NOP WSCALE(4)                          when window scaling
 */
/* One 4-byte option word @b0..@b3 at *@p, and its part of the
 * checksum: the word as it reads in memory on this little-endian CPU
 * (RFC 1071 section 2; see tcp_csum.h), from the value, not read back. */
static inline void
opt_word(uint8_t **p, uint64_t *sum, uint8_t b0, uint8_t b1, uint8_t b2,
	 uint8_t b3)
{
	uint32_t w = (uint32_t)b0 | (uint32_t)b1 << 8 | (uint32_t)b2 << 16 |
		     (uint32_t)b3 << 24;

	memcpy(*p, &w, 4);
	*sum += w;
	*p += 4;
}

unsigned int
pmtcp_tcp_syn_options_write(uint8_t *p, uint16_t mss, bool tstamp,
			    uint32_t tsval, uint32_t tsecr, bool sack,
			    bool wscale, uint8_t ws, uint64_t *sum)
{
	uint8_t *start = p;
	uint64_t s = 0;

	opt_word(&p, &s, TCPOPT_MSS, TCPOLEN_MSS, (uint8_t)(mss >> 8),
		 (uint8_t)mss);
	if (tstamp) {
		if (sack)
			opt_word(&p, &s, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM,
				 TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP);
		else
			opt_word(&p, &s, TCPOPT_NOP, TCPOPT_NOP,
				 TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP);
		opt_word(&p, &s, (uint8_t)(tsval >> 24), (uint8_t)(tsval >> 16),
			 (uint8_t)(tsval >> 8), (uint8_t)tsval);
		opt_word(&p, &s, (uint8_t)(tsecr >> 24), (uint8_t)(tsecr >> 16),
			 (uint8_t)(tsecr >> 8), (uint8_t)tsecr);
	} else if (sack) {
		opt_word(&p, &s, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM,
			 TCPOLEN_SACK_PERM);
	}
	if (wscale)
		opt_word(&p, &s, TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, ws);
	if (sum != NULL)
		*sum = s;
	return (unsigned int)(p - start);
}
