/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd cgroup driver: a container's cgroup as a transient scope
 * that systemd makes and removes, through the nsrun-systemd helper. */
#ifndef NSRUN_ENGINE_CGROUP_SYSTEMD_H
#define NSRUN_ENGINE_CGROUP_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <nsrun/nsrun.h>

#define SYSTEMD_NAME_MAX 256

struct systemd_unit {
	char unit[SYSTEMD_NAME_MAX]; /* "libpod-abc.scope" */
	char slice[SYSTEMD_NAME_MAX]; /* "machine.slice" */
	bool user; /* the user's manager, not the system's */
};

/* A cgroupsPath for the systemd driver, "SLICE:PREFIX:NAME", as runc takes
 * it: the scope PREFIX-NAME.scope in SLICE (system.slice, or user.slice for
 * the user's manager, when SLICE is empty); NULL or "": nsrun-ID.scope. */
int systemd_parse_path(const char *cgroups_path, const char *id, bool user, struct systemd_unit *u,
		       struct nsrun_error *err);

/* Where a slice's cgroup is below a hierarchy's root: "a-b.slice" is
 * "/a.slice/a-b.slice". -1 for a name that is not a slice. */
int systemd_slice_path(const char *slice, char *out, size_t size);

/* Start the scope with pid in it and the limits systemd can express as its
 * properties (v2 names or v1 ones). */
int systemd_start(const struct systemd_unit *u, pid_t pid, const struct nsrun_cgroup_limits *l,
		  bool v2, struct nsrun_error *err);

/* Change a running scope's properties (OCI update). */
int systemd_set(const struct systemd_unit *u, const struct nsrun_cgroup_limits *l, bool v2,
		struct nsrun_error *err);

/* Stop the scope; one that is gone already is success. */
int systemd_stop(const struct systemd_unit *u, struct nsrun_error *err);

/* Whether systemd runs and the helper reaches it. */
bool systemd_available(bool user);

#endif
