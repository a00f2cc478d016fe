/* SPDX-License-Identifier: Apache-2.0 */
/* --as USER[:GROUP]: the su-exec/gosu user switch, with names from the
 * sandbox's own /etc/passwd and /etc/group. */
#ifndef NSRUN_ENGINE_NS_USER_H
#define NSRUN_ENGINE_NS_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nsrun/error.h>

#define USER_MAX_GROUPS 64

/* The ids --as USER[:GROUP] names: uid, gid and the groups to hold (the
 * gid first, then those of /etc/group that list the user). */
struct user_ids {
	uint32_t uid, gid;
	uint32_t groups[USER_MAX_GROUPS];
	size_t ngroups;
};

/* Look spec up in the passwd and group files under `root` (a directory the
 * sandbox will have as /, or NULL for the current root), as the switch
 * will: what a new user namespace must map for it. */
int user_lookup(const char *spec, const char *root, struct user_ids *ids, struct nsrun_error *err);

/* Resolve spec (USER[:GROUP], names or numbers) in the current root, then
 * setgroups, setgid, setuid and set HOME. keep_caps: keep the permitted
 * set across the switch (for capabilities set right after); otherwise a
 * non-zero uid is left with no capability at all. */
int user_switch(const char *spec, bool keep_caps, int verbose, struct nsrun_error *err);

/* In a new user namespace: become its root where uid 0 (and gid 0) are
 * mapped, as a process that makes files must have a mapped uid; a no-op
 * where they are not. */
int user_become_ns_root(struct nsrun_error *err);

/* The OCI form: numeric ids, the additional groups given explicitly. */
int user_switch_ids(uint32_t uid, uint32_t gid, const uint32_t *additional, size_t n,
		    bool keep_caps, struct nsrun_error *err);

#endif
