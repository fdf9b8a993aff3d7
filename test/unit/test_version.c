/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmtcp_version.h and pmtcp_version(): the string the library returns is
 * the headers' PMTCP_VERSION_STRING, which is meson.project_version()
 * (passed here as PMTCP_PROJECT_VERSION), and the MAJOR/MINOR/PATCH
 * macros and PMTCP_VERSION spell the same version.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pmtcp.h"

#ifndef PMTCP_PROJECT_VERSION
#error "PMTCP_PROJECT_VERSION (meson.project_version()) not given"
#endif

static void
test_version_string(void **state)
{
	(void)state;
	assert_non_null(pmtcp_version());
	assert_string_equal(pmtcp_version(), PMTCP_VERSION_STRING);
	assert_string_equal(PMTCP_VERSION_STRING, PMTCP_PROJECT_VERSION);
}

static void
test_version_macros(void **state)
{
	char buf[32];
	int major = -1, minor = -1, patch = -1;

	(void)state;
	/* the string read back gives the three macros */
	assert_int_equal(sscanf(pmtcp_version(), "%d.%d.%d", &major, &minor,
				&patch), 3);
	assert_int_equal(major, PMTCP_VERSION_MAJOR);
	assert_int_equal(minor, PMTCP_VERSION_MINOR);
	assert_int_equal(patch, PMTCP_VERSION_PATCH);
	/* and the three macros print as the string, nothing more */
	snprintf(buf, sizeof(buf), "%d.%d.%d", PMTCP_VERSION_MAJOR,
		 PMTCP_VERSION_MINOR, PMTCP_VERSION_PATCH);
	assert_string_equal(buf, PMTCP_VERSION_STRING);
}

static void
test_version_num(void **state)
{
	(void)state;
	assert_int_equal(PMTCP_VERSION,
			 PMTCP_VERSION_MAJOR << 16 | PMTCP_VERSION_MINOR << 8 |
			 PMTCP_VERSION_PATCH);
	/* ordered as versions are */
	assert_true(PMTCP_VERSION_NUM(0, 1, 9) < PMTCP_VERSION_NUM(0, 2, 0));
	assert_true(PMTCP_VERSION_NUM(0, 9, 9) < PMTCP_VERSION_NUM(1, 0, 0));
	assert_true(PMTCP_VERSION_NUM(1, 2, 3) == PMTCP_VERSION_NUM(1, 2, 3));
	assert_true(PMTCP_VERSION >= PMTCP_VERSION_NUM(0, 1, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_string),
		cmocka_unit_test(test_version_macros),
		cmocka_unit_test(test_version_num),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
