/* The user switch. See user.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "engine/limits/caps.h"
#include "engine/ns/passwd.h"
#include "engine/ns/user.h"
#include "util/log.h"

#define MAX_GROUPS 64
/* A sandbox's passwd or group file larger than this is refused. */
#define MAX_FILE (4u << 20)

/* The whole file, or an empty buffer when it does not exist. */
static int read_small_file(const char *path, char **text, size_t *len,
			   struct nsrun_error *err)
{
	*text = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : nsrun_fail(err, errno, "--as: read %s", path);
	size_t cap = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			char *grown = cap <= MAX_FILE ? realloc(*text, cap) : NULL;
			if (!grown) {
				close(fd);
				return nsrun_fail(err, cap > MAX_FILE ? EFBIG : errno,
						  "--as: read %s", path);
			}
			*text = grown;
		}
		ssize_t n = read(fd, *text + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return nsrun_fail(err, errno, "--as: read %s", path);
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return 0;
}

/* setgroups(2) fails in a user namespace whose setgroups file says deny;
 * with nothing beyond the primary group that loses nothing. */
static bool setgroups_denied(void)
{
	char buf[8] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

struct target_user {
	uint32_t uid, gid;
	uint32_t groups[MAX_GROUPS];
	size_t ngroups;
	char home[PASSWD_HOME_MAX];
};

static int resolve_user(const char *spec, struct target_user *t, struct nsrun_error *err)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *group = colon ? colon + 1 : NULL;
	char user[PASSWD_NAME_MAX];
	if (ulen == 0 || ulen >= sizeof(user) || (group && *group == '\0'))
		return nsrun_fail(err, 0, "--as '%s': expected USER[:GROUP]", spec);
	memcpy(user, spec, ulen);
	user[ulen] = '\0';

	char *passwd = NULL, *grp = NULL;
	size_t passwd_len, grp_len;
	int rc = -1;
	if (read_small_file("/etc/passwd", &passwd, &passwd_len, err) < 0 ||
	    read_small_file("/etc/group", &grp, &grp_len, err) < 0)
		goto out;

	struct passwd_entry pw;
	bool numeric = passwd_parse_id(user, ulen, &t->uid);
	bool found = passwd_find(passwd, passwd_len, numeric ? NULL : user, t->uid, &pw);
	if (!numeric && !found) {
		nsrun_fail(err, 0, "--as '%s': no user '%s' in the sandbox's /etc/passwd", spec, user);
		goto out;
	}
	if (found) {
		t->uid = pw.uid;
		t->gid = pw.gid;
		/* Same size as pw.home: it fits. */
		(void)snprintf(t->home, sizeof(t->home), "%s", pw.home[0] ? pw.home : "/");
	} else {
		/* A number without an entry keeps the current group, as docker's
		 * --user does. */
		t->gid = (uint32_t)getgid();
		(void)snprintf(t->home, sizeof(t->home), "/");
	}
	if (group && !passwd_parse_id(group, strlen(group), &t->gid) &&
	    !group_find_gid(grp, grp_len, group, &t->gid)) {
		nsrun_fail(err, 0, "--as '%s': no group '%s' in the sandbox's /etc/group", spec, group);
		goto out;
	}
	t->groups[0] = t->gid;
	t->ngroups = 1;
	if (found)
		t->ngroups = group_memberships(grp, grp_len, pw.name, t->groups, 1, MAX_GROUPS);
	rc = 0;
out:
	free(passwd);
	free(grp);
	return rc;
}

/* setgroups, setgid, setuid; `what` names the option in errors. */
static int switch_ids(const char *what, uint32_t uid, uint32_t gid, const uint32_t *gids,
		      size_t ngids, bool keep_caps, struct nsrun_error *err)
{
	gid_t groups[MAX_GROUPS];
	if (ngids > MAX_GROUPS)
		return nsrun_fail(err, E2BIG, "%s: more than %d groups", what, MAX_GROUPS);
	for (size_t i = 0; i < ngids; i++)
		groups[i] = (gid_t)gids[i];
	if (setgroups(ngids, groups) < 0) {
		int e = errno;
		bool denied = e == EPERM && setgroups_denied();
		if (!(denied && ngids <= 1))
			return nsrun_fail(err, e, "%s: setgroups (%zu groups)%s", what, ngids,
					  denied ? "; this user namespace denies setgroups" :
					  e == EINVAL ? "; a group is not mapped in this user namespace" : "");
	}
	if (setgid((gid_t)gid) < 0)
		return nsrun_fail(err, errno, "%s: setgid %u%s", what, gid,
				  errno == EINVAL ? " (not mapped in this user namespace)" : "");
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return nsrun_fail(err, errno, "%s: PR_SET_KEEPCAPS", what);
	if (setuid((uid_t)uid) < 0)
		return nsrun_fail(err, errno, "%s: setuid %u%s", what, uid,
				  errno == EINVAL ? " (not mapped in this user namespace)" : "");
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return nsrun_fail(err, errno, "%s: PR_SET_KEEPCAPS", what);
	if (!keep_caps && uid != 0 && caps_drop_all(err) < 0)
		return -1;
	return 0;
}

int user_switch_ids(uint32_t uid, uint32_t gid, const uint32_t *additional, size_t n,
		    bool keep_caps, struct nsrun_error *err)
{
	/* setgroups(2) gets the additional groups only, as runc does. */
	return switch_ids("process.user", uid, gid, additional, n, keep_caps, err);
}

int user_switch(const char *spec, bool keep_caps, int verbose, struct nsrun_error *err)
{
	/* Zeroed: resolve_user leaves it unset when it fails. */
	struct target_user t = { 0 };
	char what[300];
	if (resolve_user(spec, &t, err) < 0)
		return -1;
	/* Only a label for error messages: a long --as value is cut short. */
	(void)snprintf(what, sizeof(what), "--as '%s'", spec);
	if (switch_ids(what, t.uid, t.gid, t.groups, t.ngroups, keep_caps, err) < 0)
		return -1;
	if (setenv("HOME", t.home, 1) < 0)
		return nsrun_fail(err, errno, "--as: set HOME");
	nsrun_trace(verbose, "--as: uid %u gid %u, %zu groups, HOME=%s", t.uid, t.gid, t.ngroups,
		    t.home);
	return 0;
}
