/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving and creating paths inside a new root. See resolve.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "engine/fs/resolve.h"
#include "util/cleanup.h"

int resolve_open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)flags,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

static int open_in_root(int root_fd, const char *path)
{
	return resolve_open_in_root(root_fd, path, O_PATH | O_CLOEXEC);
}

/* mkdir of path[start..end) in the resolved directory path[0..start). */
static int make_component(int root_fd, char *prefix, size_t start, const char *path,
			  struct nsrun_error *err)
{
	char name[NAME_MAX + 1];
	size_t nlen = strlen(prefix + start);
	if (nlen > NAME_MAX)
		return nsrun_fail(err, ENAMETOOLONG, "create directory %s", path);
	memcpy(name, prefix + start, nlen + 1);
	prefix[start] = '\0';
	cleanup_close int parent = open_in_root(root_fd, prefix);
	if (parent < 0)
		return nsrun_fail(err, errno, "resolve %s in the new root", start ? prefix : "/");
	if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
		return nsrun_fail(err, errno, "create directory %s", path);
	return 0;
}

/* Create every missing directory of path[0..len), one component at a time,
 * each relative to its already-resolved parent. */
static int make_dirs(int root_fd, const char *path, size_t len, struct nsrun_error *err)
{
	char prefix[PATH_MAX];
	if (len >= sizeof(prefix))
		return nsrun_fail(err, ENAMETOOLONG, "create directory %s", path);
	size_t i = 0;
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start)
			break;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		cleanup_close int fd = open_in_root(root_fd, prefix);
		if (fd >= 0)
			continue;
		if (errno != ENOENT)
			return nsrun_fail(err, errno, "resolve %s in the new root", prefix);
		if (make_component(root_fd, prefix, start, path, err) < 0)
			return -1;
	}
	return 0;
}

int resolve_parent_in_root(int root_fd, const char *path, const char **name,
			   struct nsrun_error *err)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *slash = memrchr(path, '/', len);
	size_t dir_len = slash ? (size_t)(slash - path) : 0;
	*name = slash ? slash + 1 : path;
	if (**name == '\0' || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0)
		return nsrun_fail(err, EINVAL, "%s: needs a last component", path);
	char dir[PATH_MAX];
	if (dir_len >= sizeof(dir))
		return nsrun_fail(err, ENAMETOOLONG, "%s", path);
	memcpy(dir, path, dir_len);
	dir[dir_len] = '\0';
	/* Usually the directory is there: make_dirs only when it is not. */
	int fd = open_in_root(root_fd, dir);
	if (fd < 0 && errno == ENOENT) {
		if (make_dirs(root_fd, path, dir_len, err) < 0)
			return -1;
		fd = open_in_root(root_fd, dir);
	}
	if (fd < 0)
		return nsrun_fail(err, errno, "resolve the directory of %s in the new root", path);
	return fd;
}

/* Whether path ends in a name, not in "." or "..". */
static bool plain_last_component(const char *path)
{
	size_t len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	const char *slash = memrchr(path, '/', len);
	const char *last = slash ? slash + 1 : path;
	size_t n = len - (size_t)(last - path);
	return n > 0 && !(n == 1 && last[0] == '.') &&
	       !(n == 2 && last[0] == '.' && last[1] == '.');
}

/* The last component made in its resolved directory is that directory's
 * entry: open it there, not resolving again. -2 when it existed. */
static int make_last_dir(int root_fd, const char *path, struct nsrun_error *err)
{
	const char *name;
	cleanup_close int dir = resolve_parent_in_root(root_fd, path, &name, err);
	if (dir < 0)
		return -1;
	if (mkdirat(dir, name, 0755) < 0) {
		if (errno == EEXIST)
			return -2;
		return nsrun_fail(err, errno, "create directory %s", path);
	}
	int fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nsrun_fail(err, errno, "open %s", path);
	return fd;
}

static int make_last_file(int root_fd, const char *path, struct nsrun_error *err)
{
	const char *name;
	cleanup_close int dir = resolve_parent_in_root(root_fd, path, &name, err);
	if (dir < 0)
		return -1;
	/* O_NOFOLLOW|O_EXCL: a dangling symlink in the last component is not
	 * followed out of the root; an existing file is fine. */
	cleanup_close int file =
		openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (file < 0 && errno != EEXIST)
		return nsrun_fail(err, errno, "create file %s", path);
	return 0;
}

int resolve_in_root(int root_fd, const char *path, enum resolve_create how, struct nsrun_error *err)
{
	int fd = open_in_root(root_fd, path);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT || how == RESOLVE_EXISTING)
		return nsrun_fail(err, errno, "%s", path);
	if (how == RESOLVE_MAKE_DIR && !plain_last_component(path)) {
		if (make_dirs(root_fd, path, strlen(path), err) < 0)
			return -1;
	} else if (how == RESOLVE_MAKE_DIR) {
		fd = make_last_dir(root_fd, path, err);
		if (fd != -2)
			return fd;
	} else if (make_last_file(root_fd, path, err) < 0) {
		return -1;
	}
	fd = open_in_root(root_fd, path);
	if (fd < 0)
		return nsrun_fail(err, errno, "%s", path);
	return fd;
}

bool resolve_is_root(int root_fd, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstat(root_fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}
