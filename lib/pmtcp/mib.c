/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pmtcp_mib.h"

static const struct {
	const char *group;
	const char *name;
	const char *desc;
} mib_names[PMTCP_MIB_MAX] = {
#define PMTCP_MIB_NAME(g, n, d) { #g, #n, d },
	PMTCP_MIB_LIST(PMTCP_MIB_NAME)
#undef PMTCP_MIB_NAME
};

static const struct {
	const char *name;
	const char *desc;
} drop_names[PMTCP_DROP_MAX] = {
#define PMTCP_DROP_NAME(n, d) { #n, d },
	PMTCP_DROP_LIST(PMTCP_DROP_NAME)
#undef PMTCP_DROP_NAME
};

const char *
pmtcp_mib_group(enum pmtcp_mib_id id)
{
	return (unsigned int)id < PMTCP_MIB_MAX ? mib_names[id].group : NULL;
}

const char *
pmtcp_mib_name(enum pmtcp_mib_id id)
{
	return (unsigned int)id < PMTCP_MIB_MAX ? mib_names[id].name : NULL;
}

const char *
pmtcp_mib_desc(enum pmtcp_mib_id id)
{
	return (unsigned int)id < PMTCP_MIB_MAX ? mib_names[id].desc : NULL;
}

const char *
pmtcp_drop_name(enum pmtcp_drop_reason r)
{
	return (unsigned int)r < PMTCP_DROP_MAX ? drop_names[r].name : NULL;
}

const char *
pmtcp_drop_desc(enum pmtcp_drop_reason r)
{
	return (unsigned int)r < PMTCP_DROP_MAX ? drop_names[r].desc : NULL;
}

int
pmtcp_mib_lookup(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < PMTCP_MIB_MAX; i++) {
		size_t gl = strlen(mib_names[i].group);

		if (strncmp(name, mib_names[i].group, gl) != 0)
			continue;
		const char *rest = name + gl;

		if (*rest == '.')
			rest++;
		if (strcmp(rest, mib_names[i].name) == 0)
			return i;
	}
	return -1;
}

void
pmtcp_mib_sum(struct pmtcp_mib *out, const struct pmtcp_mib *const *in,
	      unsigned int n)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int k = 0; k < n; k++) {
		const volatile uint64_t *mib = in[k]->mib;
		const volatile uint64_t *drop = in[k]->drop;

		for (unsigned int i = 0; i < PMTCP_MIB_MAX; i++)
			out->mib[i] += mib[i];
		for (unsigned int i = 0; i < PMTCP_DROP_MAX; i++)
			out->drop[i] += drop[i];
	}
}

void
pmtcp_mib_print(FILE *f, const struct pmtcp_mib *m, int nonzero)
{
	char name[64];

	for (unsigned int i = 0; i < PMTCP_MIB_MAX; i++) {
		if (nonzero && m->mib[i] == 0)
			continue;
		snprintf(name, sizeof(name), "%s%s", mib_names[i].group,
			 mib_names[i].name);
		fprintf(f, "%-32s %" PRId64 "\n", name, (int64_t)m->mib[i]);
	}
	for (unsigned int i = 0; i < PMTCP_DROP_MAX; i++) {
		if (nonzero && m->drop[i] == 0)
			continue;
		snprintf(name, sizeof(name), "Drop%s", drop_names[i].name);
		fprintf(f, "%-32s %" PRIu64 "\n", name, m->drop[i]);
	}
}
