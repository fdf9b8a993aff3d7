/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Initial sequence numbers and timestamp offsets from a keyed hash of the
 * connection's addresses, as net/core/secure_seq.c does (RFC 6528): an
 * off-path attacker cannot predict them, consecutive connections show no
 * constant increment, and the same 4-tuple moves forward with time.
 */
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "pmtcp_priv.h"

static uint8_t net_secret[16];     /* ISN key */
static uint8_t ts_secret[16];      /* timestamp offset key */
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;
/* the ISN clock: CLOCK_REALTIME read once, then advanced by the TSC
 * (ns = rt_ns0 + (tsc - rt_tsc0) * rt_mult >> 32), so that an ISN costs
 * no clock_gettime() (a vDSO call was 4 % of a handshake's cycles) */
static uint64_t rt_ns0, rt_tsc0, rt_mult;
static pthread_once_t clock_once = PTHREAD_ONCE_INIT;

static inline uint64_t
rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32); \
	v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32); \
} while (0)

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return rte_le_to_cpu_64(v);
}

/* SipHash-2-4's state (Aumasson and Bernstein, 2012). */
struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void
sip_init(struct sip *s, const uint8_t key[16])
{
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);

	s->v0 = 0x736f6d6570736575ULL ^ k0;
	s->v1 = 0x646f72616e646f6dULL ^ k1;
	s->v2 = 0x6c7967656e657261ULL ^ k0;
	s->v3 = 0x7465646279746573ULL ^ k1;
}

/* One 8-byte message word, two compression rounds. */
static inline void
sip_block(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	s->v0 ^= m;
}

/* The final word @b (the length in its top byte, the last 0-7 bytes
 * below), then the four finalization rounds. */
static inline uint64_t
sip_finish(struct sip *s, uint64_t b)
{
	sip_block(s, b);
	s->v2 ^= 0xff;
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	SIPROUND(s->v0, s->v1, s->v2, s->v3);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* SipHash-2-4, 64-bit output. */
uint64_t
pmtcp_siphash_2_4(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t b = (uint64_t)len << 56;
	size_t left = len & 7;
	const uint8_t *end = in + len - left;
	struct sip s;

	sip_init(&s, key);
	for (; in != end; in += 8)
		sip_block(&s, load_le64(in));
	for (size_t i = 0; i < left; i++)
		b |= (uint64_t)in[i] << (8 * i);
	return sip_finish(&s, b);
}

/* SipHash-2-4 of one 8-byte block @m0 and the final word @b: what
 * pmtcp_siphash_2_4() computes for 8 to 15 bytes, from values rather
 * than bytes read back from memory (as Linux's siphash_3u32() does). */
static inline uint64_t
siphash_1block(const uint8_t key[16], uint64_t m0, uint64_t b)
{
	struct sip s;

	sip_init(&s, key);
	sip_block(&s, m0);
	return sip_finish(&s, b);
}

/* siphash_3u32(): the 12 bytes @a, @b, @c in memory order */
static inline uint64_t
siphash_3u32(const uint8_t key[16], uint32_t a, uint32_t b, uint32_t c)
{
	return siphash_1block(key, rte_le_to_cpu_64((uint64_t)rte_cpu_to_le_32(a) |
					(uint64_t)rte_cpu_to_le_32(b) << 32),
			      12ULL << 56 | rte_le_to_cpu_32(c));
}

static void
secret_init(void)
{
	if (getrandom(net_secret, sizeof(net_secret), 0) != sizeof(net_secret) ||
	    getrandom(ts_secret, sizeof(ts_secret), 0) != sizeof(ts_secret)) {
		/* no entropy source: fall back to clocks, still per process */
		uint64_t x = rte_rdtsc() ^ (uint64_t)time(NULL);

		for (unsigned int i = 0; i < 16; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			net_secret[i] = (uint8_t)(x >> 56);
			ts_secret[i] = (uint8_t)(x >> 48);
		}
	}
}

static void
isn_clock_init(void)
{
	struct timespec ts;
	uint64_t hz = rte_get_tsc_hz();

	clock_gettime(CLOCK_REALTIME, &ts);
	rt_tsc0 = rte_rdtsc();
	rt_ns0 = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	/* ns per TSC cycle in 32.32 fixed point; without EAL (no TSC rate
	 * known) every ISN reads the clock instead */
	rt_mult = hz != 0 ? (1000000000ULL << 32) / hz : 0;
}

/* Nanoseconds of CLOCK_REALTIME now, from the TSC. The product is
 * taken in 128 bits: no overflow for any uptime. */
static inline uint64_t
isn_clock_ns(uint64_t tsc)
{
	uint64_t d = tsc - rt_tsc0;

	if (unlikely(rt_mult == 0)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	}
	return rt_ns0 + (uint64_t)(((unsigned __int128)d * rt_mult) >> 32);
}

/* Tests: known keys, so that the specialised hashes can be checked
 * against pmtcp_siphash_2_4() over the same bytes. */
void
pmtcp_secure_seq_set_keys(const uint8_t net[16], const uint8_t ts[16])
{
	pmtcp_secure_seq_init();
	memcpy(net_secret, net, sizeof(net_secret));
	memcpy(ts_secret, ts, sizeof(ts_secret));
}

void
pmtcp_secure_seq_init(void)
{
	pthread_once(&secret_once, secret_init);
	pthread_once(&clock_once, isn_clock_init);
}

/* secure_tcp_seq(): hash of the 4-tuple plus a clock ticking every 64 ns
 * (RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)). Arguments in network order. */
uint32_t
pmtcp_secure_tcp_seq(uint32_t saddr, uint32_t daddr, uint16_t sport,
		     uint16_t dport, uint64_t now_tsc)
{
	/* the bytes saddr, daddr, sport, dport as they lie in a packet */
	uint32_t ports = (uint32_t)rte_le_to_cpu_16(sport) |
			 (uint32_t)rte_le_to_cpu_16(dport) << 16;
	uint64_t ns = isn_clock_ns(now_tsc);

	return (uint32_t)siphash_3u32(net_secret, rte_le_to_cpu_32(saddr),
				      rte_le_to_cpu_32(daddr), ports) +
	       (uint32_t)(ns >> 6);
}

/* secure_tcp_ts_off(): a per address pair offset for TSval, so that
 * timestamps do not reveal uptime and differ between peers. */
uint32_t
pmtcp_secure_tcp_ts_off(uint32_t saddr, uint32_t daddr)
{
	return (uint32_t)siphash_1block(ts_secret,
			rte_le_to_cpu_64((uint64_t)saddr | (uint64_t)daddr << 32),
			8ULL << 56);
}

/* secure_ipv4_port_ephemeral(): where __inet_hash_connect() starts its
 * search for a source port towards (@daddr, @dport), RFC 6056 3.3.3
 * (algorithm 3: F(local IP, remote IP, remote port, secret key)). Keyed
 * with the ISN secret, as Linux keys both with net_secret: an off-path
 * attacker cannot guess the port, and each destination has its own
 * sequence of ports. Arguments in network order. */
uint32_t
pmtcp_secure_ipv4_port_ephemeral(uint32_t saddr, uint32_t daddr,
				 uint16_t dport)
{
	return (uint32_t)siphash_3u32(net_secret, saddr, daddr, dport);
}
