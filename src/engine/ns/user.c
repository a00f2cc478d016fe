/* SPDX-License-Identifier: Apache-2.0 */
/* The user switch. See user.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "engine/fs/resolve.h"
#include "engine/limits/caps.h"
#include "engine/ns/passwd.h"
#include "engine/ns/user.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/log.h"

/* A sandbox's passwd or group file larger than this is refused. */
#define MAX_FILE (4u << 20)

/* path under root_fd (AT_FDCWD: the current root), never leaving it. */
static int read_sandbox_file(int root_fd, const char *path, char **text, size_t *len,
			     struct nsrun_error *err)
{
	int rc;
	if (root_fd == AT_FDCWD) {
		rc = file_read_all(path, MAX_FILE, true, text, len);
	} else {
		*text = NULL;
		*len = 0;
		cleanup_close int fd = resolve_open_in_root(root_fd, path, O_RDONLY | O_CLOEXEC);
		rc = fd < 0 ? (errno == ENOENT ? 0 : -1)
			    : file_read_all_fd(fd, MAX_FILE, text, len);
	}
	if (rc < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_AS_USER, -1, errno, "read %s", path);
	return 0;
}

struct target_user {
	struct user_ids ids;
	char home[PASSWD_HOME_MAX];
};

static int resolve_user(const char *spec, int root_fd, struct target_user *target,
			struct nsrun_error *err)
{
	struct user_ids *t = &target->ids;
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *group = colon ? colon + 1 : NULL;
	char user[PASSWD_NAME_MAX];
	if (ulen == 0 || ulen >= sizeof(user) || (group && *group == '\0'))
		return nsrun_fail_about(err, NSRUN_ABOUT_AS_USER, -1, 0,
					"expected USER[:GROUP], not '%s'", spec);
	memcpy(user, spec, ulen);
	user[ulen] = '\0';

	cleanup_free char *passwd = NULL;
	cleanup_free char *grp = NULL;
	size_t passwd_len, grp_len;
	if (read_sandbox_file(root_fd, "/etc/passwd", &passwd, &passwd_len, err) < 0 ||
	    read_sandbox_file(root_fd, "/etc/group", &grp, &grp_len, err) < 0)
		return -1;

	struct passwd_entry pw;
	bool numeric = passwd_parse_id(user, ulen, &t->uid);
	bool found = passwd_find(passwd, passwd_len, numeric ? NULL : user, t->uid, &pw);
	if (!numeric && !found)
		return nsrun_fail_about(err, NSRUN_ABOUT_AS_USER, -1, 0,
					"no user '%s' in the sandbox's /etc/passwd", user);
	if (found) {
		t->uid = pw.uid;
		t->gid = pw.gid;
		/* Same size as pw.home: it fits. */
		(void)snprintf(target->home, sizeof(target->home), "%s",
			       pw.home[0] ? pw.home : "/");
	} else {
		/* A number without an entry keeps the current group, as docker's
		 * --user does. */
		t->gid = (uint32_t)getgid();
		(void)snprintf(target->home, sizeof(target->home), "/");
	}
	if (group && !passwd_parse_id(group, strlen(group), &t->gid) &&
	    !group_find_gid(grp, grp_len, group, &t->gid))
		return nsrun_fail_about(err, NSRUN_ABOUT_AS_USER, -1, 0,
					"no group '%s' in the sandbox's /etc/group", group);
	t->groups[0] = t->gid;
	t->ngroups = 1;
	if (found)
		t->ngroups =
			group_memberships(grp, grp_len, pw.name, t->groups, 1, USER_MAX_GROUPS);
	return 0;
}

/* setgroups, setgid, setuid; errors are about the spec's part `about`. */
static int switch_ids(enum nsrun_about about, uint32_t uid, uint32_t gid, const uint32_t *gids,
		      size_t ngids, bool keep_caps, struct nsrun_error *err)
{
	gid_t groups[USER_MAX_GROUPS];
	if (ngids > USER_MAX_GROUPS)
		return nsrun_fail_about(err, about, -1, E2BIG, "more than %d groups",
					USER_MAX_GROUPS);
	for (size_t i = 0; i < ngids; i++)
		groups[i] = (gid_t)gids[i];
	/* EPERM: the namespace denies setgroups (an unprivileged caller's
	 * one-id map) or CAP_SETGID is missing, when setgid and setuid say so.
	 * The groups stay as they came, as with bwrap --uid. */
	if (setgroups(ngids, groups) < 0 && errno != EPERM)
		return nsrun_fail_about(
			err, about, -1, errno, "setgroups (%zu groups)%s", ngids,
			errno == EINVAL ? "; a group is not mapped in this user namespace" : "");
	if (setgid((gid_t)gid) < 0)
		return nsrun_fail_about(err, about, -1, errno, "setgid %u%s", gid,
					errno == EINVAL ? " (not mapped in this user namespace)"
							: "");
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return nsrun_fail_about(err, about, -1, errno, "PR_SET_KEEPCAPS");
	if (setuid((uid_t)uid) < 0)
		return nsrun_fail_about(err, about, -1, errno, "setuid %u%s", uid,
					errno == EINVAL ? " (not mapped in this user namespace)"
							: "");
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return nsrun_fail_about(err, about, -1, errno, "PR_SET_KEEPCAPS");
	if (!keep_caps && uid != 0 && caps_drop_all(err) < 0)
		return nsrun_error_about(err, about, -1);
	return 0;
}

int user_become_ns_root(struct nsrun_error *err)
{
	if (getuid() == 0)
		return 0;
	if (setresgid(0, 0, 0) == 0)
		setgroups(0, NULL);
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return nsrun_fail(err, errno, "become root of the user namespace");
	return 0;
}

int user_switch_ids(uint32_t uid, uint32_t gid, const uint32_t *additional, size_t n,
		    bool keep_caps, struct nsrun_error *err)
{
	/* setgroups(2) gets the additional groups only, as runc does. */
	return switch_ids(NSRUN_ABOUT_USER_IDS, uid, gid, additional, n, keep_caps, err);
}

int user_switch(const char *spec, bool keep_caps, int verbose, struct nsrun_error *err)
{
	/* Zeroed: resolve_user leaves it unset when it fails. */
	struct target_user t = { 0 };
	const struct user_ids *ids = &t.ids;
	if (resolve_user(spec, AT_FDCWD, &t, err) < 0 ||
	    switch_ids(NSRUN_ABOUT_AS_USER, ids->uid, ids->gid, ids->groups, ids->ngroups,
		       keep_caps, err) < 0)
		return -1;
	if (setenv("HOME", t.home, 1) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_AS_USER, -1, errno, "set HOME");
	nsrun_trace(verbose, "user %s: uid %u gid %u, %zu groups, HOME=%s", spec, ids->uid,
		    ids->gid, ids->ngroups, t.home);
	return 0;
}

int user_lookup(const char *spec, const char *root, struct user_ids *ids, struct nsrun_error *err)
{
	cleanup_close int root_fd = -1;
	if (root && (root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_ROOTFS, -1, errno, "open %s", root);
	struct target_user t = { 0 };
	if (resolve_user(spec, root ? root_fd : AT_FDCWD, &t, err) < 0)
		return -1;
	*ids = t.ids;
	return 0;
}
