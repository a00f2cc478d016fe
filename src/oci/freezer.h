/* SPDX-License-Identifier: Apache-2.0 */
/* A container's freezer: freezer.state of cgroup v1, or cgroup.freeze of
 * v2, in the first of its cgroups that has one. */
#ifndef NSRUN_OCI_FREEZER_H
#define NSRUN_OCI_FREEZER_H

#include <stdbool.h>

#include <nsrun/error.h>

#include "oci/store.h"

/* Whether any of the container's cgroups reads frozen. */
bool freezer_frozen(const struct stored_container *ct);

/* Freeze or thaw the container. */
int freezer_set(const struct stored_container *ct, bool frozen, struct nsrun_error *err);

/* pause and resume: a running (or paused) container frozen or thawed. */
int freezer_change(const struct stored_container *ct, bool frozen, struct nsrun_error *err);

#endif
