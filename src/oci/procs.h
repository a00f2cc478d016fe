/* SPDX-License-Identifier: Apache-2.0 */
/* A container's processes as several verbs reach them: the pids in its
 * cgroup, its init signalled only while it is the process the store
 * recorded, and all of it killed and waited for. */
#ifndef NSRUN_OCI_PROCS_H
#define NSRUN_OCI_PROCS_H

#include <sys/types.h>

#include <nsrun/error.h>

#include "oci/store.h"

/* As many pids as one cgroup.procs read lists here. */
#define PROCS_MAX 4096

/* /proc/PID/stat's start time; 0 if the process is gone or a zombie. */
unsigned long long procs_start_time(pid_t pid);

/* Every pid in the container's cgroup (the first hierarchy that lists),
 * up to max; -1 when no cgroup of it can be read. */
int procs_cgroup_pids(const struct stored_container *ct, pid_t *pids, int max);

/* Signal the container's init. 0 when sent, ESRCH when the init is gone,
 * another errno on failure. */
int procs_signal_init(const struct stored_container *ct, int sig);

/* Signal every process in the container's cgroup (without one: its init). */
void procs_signal_all(const struct stored_container *ct, int sig);

/* SIGKILL everything and wait (10 s at most) until the init is gone. */
void procs_kill_and_wait(const struct stored_container *ct);

/* A signal: "TERM", "SIGTERM", "sigterm" or "15"; -1 for none. */
int procs_signal_number(const char *text);

/* Write pid into a --pid-file, atomically. */
int procs_write_pid_file(const char *path, pid_t pid, struct nsrun_error *err);

#endif
