/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A mempool driver for the fuzzer that knows, for every object of its
 * pool, whether it is free: freeing a free mbuf (a double free) or a
 * pointer that is not one of the pool's objects aborts at once, with the
 * culprit on the stack. Under AddressSanitizer a free object is poisoned
 * whole (mbuf header and data room), so any use after free is reported
 * where it happens. Single-threaded, like the harness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fuzz.h"

#if defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif

#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#define FZ_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define FZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define FZ_POISON(p, n) do { (void)(p); (void)(n); } while (0)
#define FZ_UNPOISON(p, n) do { (void)(p); (void)(n); } while (0)
#endif

enum { OBJ_USED = 0, OBJ_FREE = 1 };

struct fz_pool_data {
	void **objs;        /* every object of the pool, sorted once sealed */
	uint8_t *state;     /* OBJ_* per objs[] entry */
	void **free_stack;  /* free objects, last freed on top */
	unsigned int n_objs;
	unsigned int n_free;
	unsigned int cap;
	int sealed;         /* population done: objs[] is complete */
};

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

static long
obj_index(const struct fz_pool_data *d, void *obj)
{
	void **hit = bsearch(&obj, d->objs, d->n_objs, sizeof(void *), ptr_cmp);

	return hit == NULL ? -1 : hit - d->objs;
}

static int
fz_alloc(struct rte_mempool *mp)
{
	struct fz_pool_data *d = rte_zmalloc("fz_pool", sizeof(*d), 0);

	if (d == NULL)
		return -ENOMEM;
	d->cap = mp->size;
	d->objs = rte_zmalloc("fz_pool_objs", sizeof(void *) * d->cap, 0);
	d->free_stack = rte_zmalloc("fz_pool_free", sizeof(void *) * d->cap, 0);
	d->state = rte_zmalloc("fz_pool_state", d->cap, 0);
	if (d->objs == NULL || d->free_stack == NULL || d->state == NULL) {
		rte_free(d->objs);
		rte_free(d->free_stack);
		rte_free(d->state);
		rte_free(d);
		return -ENOMEM;
	}
	mp->pool_data = d;
	return 0;
}

static void
fz_free(struct rte_mempool *mp)
{
	struct fz_pool_data *d = mp->pool_data;

	for (unsigned int i = 0; i < d->n_objs; i++)
		FZ_UNPOISON(d->objs[i], mp->elt_size);
	rte_free(d->objs);
	rte_free(d->free_stack);
	rte_free(d->state);
	rte_free(d);
}

static int
fz_enqueue(struct rte_mempool *mp, void *const *obj_table, unsigned int n)
{
	struct fz_pool_data *d = mp->pool_data;

	for (unsigned int i = 0; i < n; i++) {
		void *obj = obj_table[i];
		long k;

		if (!d->sealed) {
			/* rte_mempool_populate_*(): the objects arrive once */
			if (d->n_objs >= d->cap)
				abort();
			d->objs[d->n_objs] = obj;
			d->state[d->n_objs++] = OBJ_FREE;
			d->free_stack[d->n_free++] = obj;
			continue;
		}
		k = obj_index(d, obj);
		if (k < 0) {
			fprintf(stderr, "pmtcp_fuzz: %p freed into pool %s, not one of its mbufs\n",
				obj, mp->name);
			abort();
		}
		if (d->state[k] == OBJ_FREE) {
			fprintf(stderr, "pmtcp_fuzz: double free of mbuf %p (pool %s)\n",
				obj, mp->name);
			abort();
		}
		d->state[k] = OBJ_FREE;
		d->free_stack[d->n_free++] = obj;
		FZ_POISON(obj, mp->elt_size);
	}
	return 0;
}

static int
fz_dequeue(struct rte_mempool *mp, void **obj_table, unsigned int n)
{
	struct fz_pool_data *d = mp->pool_data;

	if (n > d->n_free)
		return -ENOBUFS;
	for (unsigned int i = 0; i < n; i++) {
		void *obj = d->free_stack[--d->n_free];

		if (d->sealed) {
			long k = obj_index(d, obj);

			if (k < 0 || d->state[k] != OBJ_FREE)
				abort();
			d->state[k] = OBJ_USED;
			FZ_UNPOISON(obj, mp->elt_size);
		}
		obj_table[i] = obj;
	}
	return 0;
}

static unsigned int
fz_get_count(const struct rte_mempool *mp)
{
	const struct fz_pool_data *d = mp->pool_data;

	return d->n_free;
}

static struct rte_mempool_ops fz_pool_ops = {
	.name = FZ_POOL_OPS,
	.alloc = fz_alloc,
	.free = fz_free,
	.enqueue = fz_enqueue,
	.dequeue = fz_dequeue,
	.get_count = fz_get_count,
};

RTE_MEMPOOL_REGISTER_OPS(fz_pool_ops);

struct rte_mempool *
fz_pool_create(const char *name, unsigned int n, uint16_t data_room)
{
	struct rte_mempool *mp;
	struct fz_pool_data *d;

	mp = rte_pktmbuf_pool_create_by_ops(name, n, 0, 0, data_room,
					    SOCKET_ID_ANY, FZ_POOL_OPS);
	if (mp == NULL)
		return NULL;
	d = mp->pool_data;
	/* every object has been enqueued once and initialised
	 * (rte_pktmbuf_init): from here on the pool checks and poisons */
	if (d->n_objs != mp->size || d->n_free != d->n_objs)
		abort();
	qsort(d->objs, d->n_objs, sizeof(void *), ptr_cmp);
	d->sealed = 1;
	for (unsigned int i = 0; i < d->n_objs; i++)
		FZ_POISON(d->objs[i], mp->elt_size);
	return mp;
}

void
fz_poison_room(struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next) {
		uint8_t *buf = m->buf_addr;
		uint32_t end = (uint32_t)m->data_off + m->data_len;

		FZ_POISON(buf, m->data_off);
		if (end < m->buf_len)
			FZ_POISON(buf + end, m->buf_len - end);
	}
}
