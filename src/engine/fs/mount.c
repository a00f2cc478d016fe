/* SPDX-License-Identifier: Apache-2.0 */
/* Mounting by descriptor. See mount.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "engine/fs/mount.h"
#include "util/cleanup.h"

#define MAX_OPTIONS 256

/* fsconfig each "key=value" or "flag" of a comma-separated list. */
static int configure(int fs, const char *type, const char *options, const char *dest,
		     struct nsrun_error *err)
{
	char opts[MAX_OPTIONS];
	if ((size_t)snprintf(opts, sizeof(opts), "%s", options ? options : "") >= sizeof(opts))
		return nsrun_fail(err, ENAMETOOLONG, "%s on %s: options %s", type, dest, options);
	char *save = NULL;
	for (char *kv = strtok_r(opts, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		if ((eq ? fsconfig(fs, FSCONFIG_SET_STRING, kv, eq + 1, 0)
			: fsconfig(fs, FSCONFIG_SET_FLAG, kv, NULL, 0)) < 0)
			return nsrun_fail(err, errno, "%s on %s: option %s", type, dest, kv);
	}
	return 0;
}

int mount_new_fs(const char *type, const char *options, unsigned attrs, const char *dest,
		 struct nsrun_error *err)
{
	cleanup_close int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return nsrun_fail(err, errno, "mount %s on %s: fsopen", type, dest);
	if (configure(fs, type, options, dest, err) < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return nsrun_fail(err, errno, "mount %s on %s: create", type, dest);
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		return nsrun_fail(err, errno, "mount %s on %s", type, dest);
	return mnt;
}

int mount_attach(int tree_fd, int dest_fd, const char *dest, struct nsrun_error *err)
{
	if (move_mount(tree_fd, "", dest_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return nsrun_fail(err, errno, "attach the mount on %s", dest);
	return 0;
}

int mount_new_fs_on(int dest_fd, const char *type, const char *options, unsigned attrs,
		    const char *dest, struct nsrun_error *err)
{
	cleanup_close int mnt = mount_new_fs(type, options, attrs, dest, err);
	if (mnt < 0)
		return -1;
	return mount_attach(mnt, dest_fd, dest, err);
}

int mount_on_fd(const char *src, int dest_fd, const char *fstype, unsigned long flags,
		const char *data)
{
	char target[64];
	(void)snprintf(target, sizeof(target), "/proc/self/fd/%d", dest_fd); /* a number: fits */
	return mount(src, target, fstype, flags, data);
}

unsigned mount_attrs_of(unsigned long ms_flags)
{
	static const struct {
		unsigned long ms;
		unsigned attr;
	} map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY },   { MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV },	    { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NOATIME, MOUNT_ATTR_NOATIME }, { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
	};
	unsigned attrs = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (ms_flags & map[i].ms)
			attrs |= map[i].attr;
	return attrs;
}
