/* SPDX-License-Identifier: Apache-2.0 */
/* Namespace types: their names, CLONE_NEW* flags and joining existing ones. */
#ifndef NSRUN_ENGINE_NS_NAMESPACES_H
#define NSRUN_ENGINE_NS_NAMESPACES_H

#include <sched.h>
#include <stdbool.h>

#include <nsrun/nsrun.h>

/* CLONE_NEWTIME is missing from older libc headers. */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Every namespace type nsrun knows, as CLONE_NEW* flags. */
#define NS_ALL_FLAGS                                                                               \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

/* The flag for a type name ("net", "mnt" or "mount", ...), 0 if unknown. */
int ns_flag_from_name(const char *name);

/* The /proc/PID/ns name of one flag ("net"), "?" if unknown. */
const char *ns_name(int flag);

/* "user,mnt,pid" for a set of flags, into buf. */
const char *ns_describe(unsigned long flags, char *buf, size_t size);

/* Open every join path of the spec and check it is a namespace of its
 * declared type. fds receives one descriptor per join, in spec order. */
int ns_open_joins(const struct nsrun_spec *spec, int *fds, struct nsrun_error *err);

/* setns() into the opened joins, the user namespace first, closing the fds.
 * skip_mount: leave the mount namespace to the init stage, which must be
 * executed from the host's files (its loader may not exist in the joined
 * namespace); ns_enter_mount_join does it there. */
int ns_enter_joins(const struct nsrun_spec *spec, int *fds, bool skip_mount,
		   struct nsrun_error *err);

/* In the init stage: join the mount namespace the spec names, if any. */
int ns_enter_mount_join(const struct nsrun_spec *spec, struct nsrun_error *err);

/* Close fds left over by ns_open_joins after a failure. */
void ns_close_joins(const struct nsrun_spec *spec, int *fds);

#endif
