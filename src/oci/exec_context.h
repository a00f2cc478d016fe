/* SPDX-License-Identifier: Apache-2.0 */
/* What an exec into a container starts from, kept in its state directory
 * at create: the process of its config.json and its compiled seccomp
 * program. exec reads this instead of the bundle's whole config.json and
 * profile (a Kubernetes-sized one is 30 KB, most of it the profile), and
 * gets the container's process and filter as they were created, as runc
 * and crun give it. */
#ifndef NSRUN_OCI_EXEC_CONTEXT_H
#define NSRUN_OCI_EXEC_CONTEXT_H

#include <nsrun/error.h>

#include "oci/config.h"
#include "oci/store.h"

/* The file's name in the container's directory. */
#define EXEC_CONTEXT_FILE "exec.context"

/* Write ct's exec context from cfg, as create loaded it; a seccomp profile
 * not yet compiled is compiled here. */
int exec_context_save(const struct stored_container *ct, struct oci_config *cfg,
		      struct nsrun_error *err);

/* Load ct's exec context into cfg, as oci_config_load would the bundle,
 * with the seccomp profile as its compiled program. 1 when loaded, 0 when
 * ct has none (a container made by an nsrun before it: cfg untouched), -1
 * with err when it cannot be read or is not one nsrun wrote. */
int exec_context_load(const struct stored_container *ct, struct oci_config *cfg,
		      struct nsrun_error *err);

#endif
