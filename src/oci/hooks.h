/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks: programs run in the runtime's namespaces at points of the
 * lifecycle, with the container's state JSON on their stdin. */
#ifndef NSRUN_OCI_HOOKS_H
#define NSRUN_OCI_HOOKS_H

#include <jansson.h>

#include <nsrun/error.h>

#include "oci/store.h"

/* Check config.json's hooks object: the kinds (prestart, createRuntime,
 * createContainer, startContainer, poststart, poststop) and the shape of
 * each entry. create runs the in-container kinds through the init stage
 * (struct nsrun_spec's oci_hooks). */
int oci_hooks_check(json_t *hooks, struct nsrun_error *err);

/* Run every hook of `kind` in order, each with `state` on stdin, honouring
 * its timeout. The first failure stops and is returned. */
int oci_hooks_run(json_t *hooks, const char *kind, json_t *state, struct nsrun_error *err);

/* oci_hooks_run for a stored container's hooks, with its state as `status`. */
int oci_hooks_run_stored(const struct stored_container *ct, const char *kind,
			 enum oci_status status, struct nsrun_error *err);

/* Run every hook of `kind` whatever happens: a failure is a warning, on
 * stderr and in the log, and the next hook runs (poststart, poststop:
 * the runtime spec has the lifecycle go on). */
void oci_hooks_run_warn(const struct stored_container *ct, const char *kind,
			enum oci_status status);

#endif
