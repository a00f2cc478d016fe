/* SPDX-License-Identifier: Apache-2.0 */
/* Finding the host's cgroup hierarchies. See hierarchy.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "engine/cgroup/hierarchy.h"
#include "util/file.h"

#define TABLE_SIZE 4096

bool cgroup_is_fs(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

const char *cgroup_v2_root(void)
{
	if (cgroup_is_fs(CGROUP_ROOT, CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT;
	if (cgroup_is_fs(CGROUP_ROOT "/unified", CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT "/unified";
	return NULL;
}

/* A v1 hierarchy is mounted at /sys/fs/cgroup/ under its controllers
 * ("cpu,cpuacct", with a link per controller) or its name ("systemd"). */
static bool find_v1_mount(const char *controllers, char *mount, size_t size)
{
	char first[64];
	const char *named = strncmp(controllers, "name=", 5) == 0 ? controllers + 5 : NULL;
	(void)snprintf(first, sizeof(first), "%.*s", (int)strcspn(controllers, ","), controllers);
	const char *candidates[] = { controllers, named, first };
	for (size_t i = 0; i < 3; i++)
		if (candidates[i] &&
		    path_format(mount, size, CGROUP_ROOT "/%s", candidates[i]) == 0 &&
		    cgroup_is_fs(mount, CGROUP_SUPER_MAGIC))
			return true;
	return false;
}

static bool add_v2(struct hierarchy *h, const char *own)
{
	const char *root = cgroup_v2_root();
	char path[HIERARCHY_MOUNT_SIZE + 32];
	if (!root)
		return false;
	(void)snprintf(h->mount, sizeof(h->mount), "%s", root); /* a mount point: fits */
	(void)snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	if (file_read(path, h->controllers, sizeof(h->controllers)) < 0)
		h->controllers[0] = '\0';
	h->controllers[strcspn(h->controllers, "\n")] = '\0';
	h->v2 = true;
	return path_format(h->own, sizeof(h->own), "%s", strcmp(own, "/") == 0 ? "" : own) == 0;
}

int cgroup_hierarchies(struct hierarchy *out, unsigned max, struct nsrun_error *err)
{
	char table[TABLE_SIZE];
	if (file_read("/proc/self/cgroup", table, sizeof(table)) < 0)
		return nsrun_fail(err, errno, "read /proc/self/cgroup");
	unsigned n = 0;
	struct hierarchy v2;
	bool have_v2 = false;
	char *save = NULL;
	for (char *line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *controllers = c1 + 1, *own = c2 + 1;
		if (*controllers == '\0') {
			have_v2 = add_v2(&v2, own);
			continue;
		}
		struct hierarchy *h = &out[n];
		if (n == max || !find_v1_mount(controllers, h->mount, sizeof(h->mount)) ||
		    path_format(h->controllers, sizeof(h->controllers), "%s", controllers) < 0 ||
		    path_format(h->own, sizeof(h->own), "%s", strcmp(own, "/") == 0 ? "" : own) < 0)
			continue;
		h->v2 = false;
		n++;
	}
	if (have_v2 && n < max)
		out[n++] = v2;
	return (int)n;
}
