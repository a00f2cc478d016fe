/* SPDX-License-Identifier: Apache-2.0 */
/* Running OCI hooks: a program with the container's state JSON on its
 * stdin, bounded by its timeout. The OCI runtime runs most kinds itself;
 * the init stage runs createContainer (before pivot_root, so the path
 * resolves on the host) and startContainer (after start, in the container)
 * from the spec's oci_hooks. */
#ifndef NSRUN_ENGINE_START_HOOKRUN_H
#define NSRUN_ENGINE_START_HOOKRUN_H

#include <jansson.h>

#include <nsrun/nsrun.h>

/* One hook, entry `index` of hooks.KIND: run, fed state, and waited for;
 * its failure as "hooks.KIND[N]: PATH ...". */
int hookrun_one(json_t *h, const char *kind, size_t index, const char *state,
		struct nsrun_error *err);

/* Every hook of an OCI hooks array in order; the first failure stops and
 * is returned, as "hooks.KIND[N]: PATH ...". */
int hookrun_list(json_t *list, const char *kind, const char *state, struct nsrun_error *err);

/* The init stage: learn the host pid the state JSON shows; call before the
 * container's /proc is mounted. A no-op without in-container hooks. */
int hookrun_prepare(const struct nsrun_spec *spec, struct nsrun_error *err);

/* The init stage: run spec->oci_hooks' list of `kind`, if any. */
int hookrun_container(const struct nsrun_spec *spec, const char *kind, struct nsrun_error *err);

#endif
