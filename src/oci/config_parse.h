/* SPDX-License-Identifier: Apache-2.0 */
/* What the parts of config.json's translation share: config.c (the top
 * level), config_process.c, config_mounts.c, config_linux.c and
 * config_resources.c. */
#ifndef NSRUN_OCI_CONFIG_PARSE_H
#define NSRUN_OCI_CONFIG_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "oci/config.h"

/* "config.json: FIELD: WHY". Returns -1. A field name or reason built
 * with an unchecked snprintf only goes into this message: one cut short
 * still names the field. */
int config_refuse(struct nsrun_error *err, const char *field, const char *why);

/* Keep s, which the spec points into, until the config is freed. NULL
 * (err filled) when s is NULL (an allocation that failed) or cannot be
 * kept. */
char *config_keep(struct oci_config *cfg, char *s, struct nsrun_error *err);

/* Whether a field is there and not null. */
bool config_is_set(json_t *v);

/* Refuse each of `keys` (NULL-terminated), fields that nsrun does not
 * implement, that obj sets to anything but an empty value; errors name
 * them PREFIX.KEY. */
int config_refuse_unsupported(json_t *obj, const char *prefix, const char *const *keys,
			      struct nsrun_error *err);

/* An SELinux label (linux.mountLabel, process.selinuxLabel): accepted
 * where SELinux is off, refused naming `field` where it is on. */
int config_selinux_label(json_t *obj, const char *key, const char *field, struct nsrun_error *err);

/* obj's `key`, a number from 0 to 2^32-1, into *out: 0, 1 when absent and
 * not required, or -1 with err naming `field`. */
int config_get_u32(json_t *obj, const char *key, const char *field, uint32_t *out, bool required,
		   struct nsrun_error *err);

/* config.json's mounts[] (config_mounts.c), linux (config_linux.c) and
 * linux.resources (config_resources.c) into cfg->spec. */
int config_mounts(struct oci_config *cfg, const char *bundle, json_t *mounts,
		  struct nsrun_error *err);
int config_linux(struct oci_config *cfg, json_t *lx, struct nsrun_error *err);
int config_resources(struct oci_config *cfg, json_t *res, struct nsrun_error *err);

/* A resources object into *limits, its errors naming fields PREFIX.KEY
 * ("config.json: linux.resources.memory.limit"): config.json's, and
 * update's input. Values that are
 * absent or default (0, false, "") leave *limits as it is. */
int config_resources_into(struct oci_config *cfg, json_t *res, const char *prefix,
			  struct nsrun_cgroup_limits *limits, struct nsrun_error *err);

#endif
