/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PMTCP_H
#define PMTCP_H
/**
 * @file
 * libpmtcp umbrella header: include this one.
 */
#include "pmtcp_mib.h"
#include "pmtcp_sysctl.h"
#include "pmtcp_stack.h"
#include "pmtcp_version.h"
#endif
