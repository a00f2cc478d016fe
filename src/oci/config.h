/* SPDX-License-Identifier: Apache-2.0 */
/* config.json (and exec's process.json) -> struct nsrun_spec. Every field
 * nsrun implements is translated; a field it does not implement is refused
 * with an error naming it; unknown fields are ignored, as the runtime spec
 * asks. */
#ifndef NSRUN_OCI_CONFIG_H
#define NSRUN_OCI_CONFIG_H

#include <jansson.h>

#include <nsrun/nsrun.h>

#include "engine/cgroup/systemd.h"
#include "engine/container.h"

struct oci_config {
	json_t *json; /* the parsed file; the spec's strings point into it */
	struct nsrun_spec spec;
	struct nsrun_container container; /* spec.container points here */
	unsigned n_mount_ops; /* spec.fs_ops: mounts[] first, then linux.devices[] */
	const char *oci_version;
	const char *rootfs; /* absolute */
	json_t *annotations; /* borrowed from json, may be NULL */
	json_t *hooks; /* borrowed from json, may be NULL */
	struct systemd_unit systemd_unit; /* --systemd-cgroup's scope; container.systemd
	                                     points here when systemd runs */
	char cgroup_path[NSRUN_CGROUP_PATH_MAX]; /* a scope's path, without systemd */
	char **allocated; /* strings made here that the spec points into */
	size_t n_allocated;
};

/* Read BUNDLE/config.json into cfg. cfg is to be freed whether this
 * succeeds or not. */
int oci_config_load(const char *bundle, struct oci_config *cfg, struct nsrun_error *err);

/* The same from a parsed config (an object), which cfg takes over; its
 * relative paths are the bundle's. */
int oci_config_load_json(const char *bundle, json_t *json, struct oci_config *cfg,
			 struct nsrun_error *err);

/* Apply a process object (config.json's, or exec's process.json) to spec. */
int oci_config_process(struct oci_config *cfg, json_t *process, const char *what,
		       struct nsrun_error *err);

/* --preserve-fds: the process keeps descriptors 3 to 3 + count - 1. */
int oci_config_keep_fds(struct oci_config *cfg, int count, struct nsrun_error *err);

/* Free what a config holds; also one all zero, or one whose load failed. */
void oci_config_free(struct oci_config *cfg);

/* A struct oci_config freed with oci_config_free out of scope. */
#define cleanup_config __attribute__((cleanup(oci_config_free)))

#endif
