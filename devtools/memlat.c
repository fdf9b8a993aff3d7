/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a random memory access costs on this machine, in TSC cycles: a
 * chain of dependent loads (each load's address is the previous load's
 * value), so that no two misses overlap. Three layouts of one buffer:
 *
 *   packed:   one line in each of N consecutive lines (N = buffer / 4 KB),
 *             a few MB: the cache's latency;
 *   per page: one line in each 4 KB page (at a varying offset, so that
 *             the lines do not share cache sets): the same bytes as
 *             packed, spread over the whole buffer: adds the address
 *             translation (TLB, and under a hypervisor the host's pages);
 *   random:   any line of the buffer: cache misses and translation, what
 *             a lookup in a connection table of that size pays.
 *
 * docs/performance.md uses it to tell why 10 M held connections cost
 * more than 1 M. Build and run (1: 1 GB hugepages, which need
 * /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages; 0: 4 KB):
 *
 *   cc -O2 -o memlat devtools/memlat.c && ./memlat 256 0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <x86intrin.h>

#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif
#define ITERS 2000000

static uint64_t rng = 88172645463325252ull;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* byte offset of element k: k * stride, plus for a page stride a line
 * offset inside the page that varies with k */
static size_t
elem(size_t k, size_t stride)
{
	size_t line = stride == 4096 ? ((k * 2654435761u) >> 7 & 63) * 64 : 0;

	return k * stride + line;
}

/* cycles per load over n elements of @stride, visited in a random cycle */
static double
chase(char *buf, size_t n, size_t stride)
{
	size_t *order = malloc(n * sizeof(*order));
	uint64_t t0, t1;
	char *p;

	if (order == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = xorshift() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		*(char **)(buf + elem(order[i], stride)) =
			buf + elem(order[(i + 1) % n], stride);
	p = buf + elem(order[0], stride);
	free(order);
	for (size_t i = 0; i < n; i++)   /* one round to warm what fits */
		p = *(char **)p;
	t0 = __rdtsc();
	for (size_t i = 0; i < ITERS; i++)
		p = *(char **)p;
	t1 = __rdtsc();
	if (p == NULL)
		puts("");
	return (double)(t1 - t0) / ITERS;
}

int
main(int argc, char **argv)
{
	size_t mb, len;
	int huge;
	char *buf;

	if (argc != 3 || (mb = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: memlat MB HUGE(0|1)\n");
		return 2;
	}
	huge = atoi(argv[2]) != 0;
	len = mb << 20;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS |
		   (huge ? MAP_HUGETLB | MAP_HUGE_1GB : 0), -1, 0);
	if (buf == MAP_FAILED) {
		perror("memlat: mmap");
		return 1;
	}
	for (size_t i = 0; i < len; i += 4096)
		buf[i] = 1;
	printf("%zu MB, %s pages: packed %.0f, per page %.0f, random %.0f cycles\n",
	       mb, huge ? "1 GB" : "4 KB", chase(buf, len / 4096, 64),
	       chase(buf, len / 4096, 4096), chase(buf, len / 64, 64));
	return 0;
}
