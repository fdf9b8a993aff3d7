/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fuzzer's harness without libFuzzer: replay inputs given as files or
 * directories (every file in them, in name order, but for dot files and
 * *.md notes). Any finding aborts (the harness checks), so the exit
 * status is the verdict.
 *
 *   fuzz_replay [-v] PATH...
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define FZ_MAX_INPUT (1 << 20)

static bool verbose;
static unsigned int replayed;

static int
replay_file(const char *path)
{
	static uint8_t buf[FZ_MAX_INPUT];
	size_t len;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (verbose)
		fprintf(stderr, "fuzz_replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	replayed++;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_path(const char *path)
{
	struct stat sb;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;
	DIR *d;

	if (stat(path, &sb) != 0) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' ||
		    (len > 3 && strcmp(de->d_name + len - 3, ".md") == 0))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				abort();
		}
		if (asprintf(&names[n++], "%s/%s", path, de->d_name) < 0)
			abort();
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
		    replay_file(names[i]) != 0)
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int
main(int argc, char **argv)
{
	int ret = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
			continue;
		}
		if (replay_path(argv[i]) != 0)
			ret = 1;
	}
	if (replayed == 0) {
		fprintf(stderr, "fuzz_replay: no input\n");
		ret = 1;
	}
	printf("fuzz_replay: %u inputs replayed%s\n", replayed,
	       ret == 0 ? ", no finding" : ", some could not be read");
	return ret;
}
