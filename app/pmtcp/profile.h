/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef APP_PROFILE_H
#define APP_PROFILE_H

/**
 * @file
 * drivers-config profiles: one ini file per PMD family saying how to set a
 * port up (descriptors, burst, offloads, RSS) and whether its RSS can be
 * trusted to steer replies. Read with rte_cfgfile. See
 * docs/drivers-config.md for the keys. The pmtcp program's, not
 * libpmtcp's: the library is the TCP stack and takes no files.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmtcp_sysctl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define APP_PROFILE_NAME_MAX 64
#define APP_PROFILE_DRIVERS_MAX 8
#define APP_RSS_KEY_MAX 52

/** A parsed profile. */
struct app_profile {
	char name[APP_PROFILE_NAME_MAX];   /**< [device] name */
	char path[256];                      /**< file it was read from */
	/** [device] drivers: ethdev driver names this profile applies to */
	char drivers[APP_PROFILE_DRIVERS_MAX][APP_PROFILE_NAME_MAX];
	unsigned int n_drivers;
	uint16_t rx_desc;          /**< [queues] rx_desc (default 1024) */
	uint16_t tx_desc;          /**< [queues] tx_desc (default 1024) */
	uint16_t burst;            /**< [queues] burst (default 32) */
	bool rx_checksum;          /**< [offloads] rx_checksum: request RX IPv4/TCP csum */
	bool tx_ipv4_checksum;     /**< [offloads] tx_ipv4_checksum */
	bool tx_tcp_checksum;      /**< [offloads] tx_tcp_checksum */
	/** [offloads] rx_checksum_partial: accept a TCP checksum equal to the
	 * pseudo-header sum (CHECKSUM_PARTIAL frames of a local kernel) */
	bool rx_checksum_partial;
	bool rss_enabled;          /**< [rss] enabled */
	uint64_t rss_hf;           /**< [rss] hash: RTE_ETH_RSS_* bits */
	uint8_t rss_key[APP_RSS_KEY_MAX]; /**< [rss] key (hex) */
	uint8_t rss_key_len;       /**< 0 = the PMD's default key */
	bool rss_trusted;          /**< [rss] trusted: RSS steers replies as rte_softrss predicts */
	/** [rss] paired: queue i reaches queue i of the peer, which answers
	 * on the queue it received on (memif between two pmtcp): replies
	 * come home without a hash */
	bool rss_paired;
	/** [tcp] knob overrides, applied over the defaults when loaded */
	char tcp_knobs[16][96];
	unsigned int n_tcp_knobs;
};

/** Fill @p p with the built-in defaults (used when no profile matches). */
void app_profile_defaults(struct app_profile *p);

/**
 * Read a profile file.
 * @param err  receives a one-line reason on failure (file, section, key)
 * @return 0, -ENOENT (no such file), -EINVAL (bad key or value).
 */
int app_profile_load(const char *path, struct app_profile *p,
		       char *err, size_t errlen);

/**
 * Find the profile for ethdev driver @p driver_name ("net_ring",
 * "mlx5_pci", ...) in directory @p dir: the first *.ini whose
 * [device] drivers list names it.
 * @return 0 and @p p filled, -ENOENT when none matches (p holds defaults),
 *         or the load error of a broken file.
 */
int app_profile_find(const char *dir, const char *driver_name,
		       struct app_profile *p, char *err, size_t errlen);

/**
 * Apply the profile's [tcp] overrides to @p s.
 * @return 0 or the first pmtcp_sysctl_set() error (message in @p err).
 */
int app_profile_apply_sysctl(const struct app_profile *p,
			       struct pmtcp_sysctl *s, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* APP_PROFILE_H */
