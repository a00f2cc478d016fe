/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: a bundle's config.json, read by oci_config_load as create
 * and run read it (hooks, process, mounts, linux.* with seccomp), then the
 * spec it yields checked, validated and encoded for the init stage as the
 * launcher does. The input is written to a private temporary bundle. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fuzz_tmp.h"
#include "oci/config.h"
#include "engine/limits/seccomp.h"
#include "fuzz_spec_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a loaded config promises the engine. */
static void check_spec(const struct nsrun_spec *spec)
{
	if (!spec->argv || !spec->argv[0] || !spec->env || !spec->chdir || spec->chdir[0] != '/')
		abort();
	for (char **e = spec->env; *e; e++)
		if (!strchr(*e, '='))
			abort();
	for (unsigned i = 0; i < spec->n_fs_ops; i++) {
		const struct nsrun_fs_op *op = &spec->fs_ops[i];
		if (!op->dest || op->dest[0] != '/')
			abort();
		/* a bind's source is absolute: a relative one is the bundle's */
		if (op->kind == NSRUN_FS_MOUNT && (op->flags & MS_BIND) &&
		    (!op->src || op->src[0] != '/'))
			abort();
	}
	if (spec->cgroup.cpu_weight > 10000)
		abort();
	/* cgroupsPath stays inside the hierarchy */
	for (const char *p = spec->cgroup_path; p && (p = strstr(p, "..")); p += 2)
		if ((p == spec->cgroup_path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			abort();
	if (spec->n_joins > NSRUN_MAX_JOINS || spec->uid_map.n > NSRUN_MAX_MAP_LINES ||
	    spec->gid_map.n > NSRUN_MAX_MAP_LINES)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tmp_write("bundle/config.json", data, size);
	char bundle[4200];
	snprintf(bundle, sizeof(bundle), "%s/bundle", fuzz_tmp_dir());
	struct oci_config cfg;
	struct nsrun_error err;
	if (oci_config_load(bundle, &cfg, &err) == 0) {
		check_spec(&cfg.spec);
		if (nsrun_spec_validate(&cfg.spec, &err) == 0) {
			/* Compiling is slow; a few rules show what parsing let through. */
			if (cfg.spec.seccomp && cfg.spec.seccomp->n_rules < 16)
				seccomp_compile(cfg.spec.seccomp, &err);
			fuzz_spec_round_trip(&cfg.spec);
		}
	}
	/* create frees the config whether loading failed or not */
	oci_config_free(&cfg);
	return 0;
}
