/* SPDX-License-Identifier: BSD-3-Clause */
#include "pmtcp_version.h"

const char *
pmtcp_version(void)
{
	return PMTCP_VERSION_STRING;
}
