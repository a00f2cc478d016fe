/* SPDX-License-Identifier: Apache-2.0 */
/* Removing cgroups: a container's at its end, what its processes made
 * below them, and those of launchers that died. See remove.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/hierarchy.h"
#include "engine/cgroup/remove.h"
#include "engine/cgroup/systemd.h"
#include "util/cleanup.h"
#include "util/file.h"

#define PROCS_SIZE 8192
/* How deep a container's processes may have nested cgroups of their own
 * (systemd makes init.scope, system.slice/...): deeper ones stay. */
#define MAX_REMOVE_DEPTH 32

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* SIGKILL every process listed in a cgroup.procs file. */
static void kill_listed(const char *procs)
{
	char buf[PROCS_SIZE];
	if (file_read(procs, buf, sizeof(buf)) <= 0)
		return;
	char *save = NULL;
	for (char *p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		char *end;
		errno = 0;
		long pid = strtol(p, &end, 10);
		/* Only a whole pid: kill(0) or kill(-1) would hit us or everyone. */
		if (errno == 0 && end != p && *end == '\0' && pid > 0 && pid <= INT_MAX)
			kill((pid_t)pid, SIGKILL);
	}
}

/* SIGKILL what is inside and rmdir, retrying while the dying processes
 * still hold it (about two seconds at most). */
static int remove_one(const char *dir, bool v2)
{
	char procs[NSRUN_CGROUP_PATH_MAX + 32];
	if (path_format(procs, sizeof(procs), "%s/cgroup.procs", dir) < 0)
		return -1;
	for (long wait = 1; wait <= 512; wait *= 2) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		if (!v2 || file_write_str(dir, "cgroup.kill", "1") < 0)
			kill_listed(procs);
		sleep_ms(wait);
	}
	errno = EBUSY;
	return -1;
}

/* The directory and every cgroup below it, deepest first: what the
 * container's processes made there (systemd's init.scope, ...) goes too.
 * Most have neither cgroups below nor processes left: one rmdir. */
static int remove_below(const char *dir, bool v2, int depth)
{
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	cleanup_closedir DIR *d = depth < MAX_REMOVE_DEPTH ? opendir(dir) : NULL;
	struct dirent *e;
	int rc = 0;
	while (d && (e = readdir(d)) != NULL) {
		char child[PATH_MAX];
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		if (path_format(child, sizeof(child), "%s/%s", dir, e->d_name) < 0 ||
		    remove_below(child, v2, depth + 1) < 0)
			rc = -1;
	}
	if (!d && errno == ENOENT)
		return 0;
	return remove_one(dir, v2) < 0 ? -1 : rc;
}

int cgroup_remove_tree(const char *dir, bool v2)
{
	return remove_below(dir, v2, 0);
}

void cgroup_remove_stale(const char *parent, bool v2)
{
	cleanup_closedir DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, CGROUP_NAME_PREFIX, strlen(CGROUP_NAME_PREFIX)) != 0)
			continue;
		char *end;
		long pid = strtol(e->d_name + strlen(CGROUP_NAME_PREFIX), &end, 10);
		if (*end != '\0' || pid <= 0 || (pid != getpid() && pid_alive((pid_t)pid)))
			continue;
		char dir[NSRUN_CGROUP_PATH_MAX];
		if (path_format(dir, sizeof(dir), "%s/%s", parent, e->d_name) == 0)
			cgroup_remove_tree(dir, v2);
	}
}

void cgroup_destroy(struct cgroup_sandbox *cg)
{
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	cg->v2_fd = -1;
	struct nsrun_error ignored; /* what stays, the directories' removal meets */
	if (cg->systemd && cg->n_dirs)
		systemd_stop(&cg->unit, &ignored);
	for (unsigned i = 0; i < cg->n_dirs; i++)
		cgroup_remove_tree(cg->dirs[i].path, cg->dirs[i].v2);
	cg->n_dirs = 0;
}

int cgroup_remove_dirs(char (*dirs)[NSRUN_CGROUP_PATH_MAX], unsigned n, struct nsrun_error *err)
{
	int rc = 0;
	for (unsigned i = 0; i < n; i++) {
		/* Most are empty and have nothing below: one rmdir, without
		 * learning first which version each is. */
		if (rmdir(dirs[i]) == 0 || errno == ENOENT)
			continue;
		if (cgroup_remove_tree(dirs[i], cgroup_is_fs(dirs[i], CGROUP2_SUPER_MAGIC)) < 0 &&
		    rc == 0)
			rc = nsrun_fail(err, errno, "remove the cgroup %s", dirs[i]);
	}
	return rc;
}

void cgroup_drop_v1(struct cgroup_sandbox *cg)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < cg->n_dirs; i++) {
		if (!cg->dirs[i].v2) {
			cgroup_remove_tree(cg->dirs[i].path, false);
			continue;
		}
		cg->dirs[kept] = cg->dirs[i];
		cg->plan[kept] = cg->plan[i];
		kept++;
	}
	cg->n_dirs = kept;
}
