/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a sandbox's /etc/passwd and /etc/group directly (never NSS): the
 * files belong to the sandbox's root and may be hostile, so every field is
 * checked and a bad line is skipped. */
#ifndef NSRUN_ENGINE_NS_PASSWD_H
#define NSRUN_ENGINE_NS_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWD_NAME_MAX 256
#define PASSWD_HOME_MAX 4096

struct passwd_entry {
	char name[PASSWD_NAME_MAX];
	uint32_t uid;
	uint32_t gid;
	char home[PASSWD_HOME_MAX];
};

/* Find a passwd line by name (when name is not NULL) or else by uid.
 * Returns true and fills *out when found. */
bool passwd_find(const char *text, size_t len, const char *name, uint32_t uid,
		 struct passwd_entry *out);

/* Find a group's gid by name. */
bool group_find_gid(const char *text, size_t len, const char *name, uint32_t *gid);

/* Append to groups (up to max, skipping duplicates) the gid of every group
 * that lists `user` as a member. Returns the new count. */
size_t group_memberships(const char *text, size_t len, const char *user, uint32_t *groups,
			 size_t count, size_t max);

/* Parse a decimal id (0..4294967294); false for anything else. */
bool passwd_parse_id(const char *s, size_t len, uint32_t *id);

#endif
