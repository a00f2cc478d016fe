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

/* Create every missing directory of path[0..len), one component at a time,
 * each relative to its already-resolved parent. */
static int make_dirs(int root_fd, const char *path, size_t len, const char *what,
		     struct nsrun_error *err)
{
	char prefix[PATH_MAX];
	if (len >= sizeof(prefix))
		return nsrun_fail(err, ENAMETOOLONG, "%s %s", what, path);
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
		int fd = open_in_root(root_fd, prefix);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != ENOENT)
			return nsrun_fail(err, errno, "%s %s: resolve %s", what, path, prefix);
		prefix[start] = '\0';
		int parent = open_in_root(root_fd, prefix);
		if (parent < 0)
			return nsrun_fail(err, errno, "%s %s: resolve %s", what, path,
					  start ? prefix : "/");
		char name[NAME_MAX + 1];
		size_t nlen = i - start;
		if (nlen > NAME_MAX) {
			close(parent);
			return nsrun_fail(err, ENAMETOOLONG, "%s %s", what, path);
		}
		memcpy(name, path + start, nlen);
		name[nlen] = '\0';
		int rc = mkdirat(parent, name, 0755);
		int saved = errno;
		close(parent);
		if (rc < 0 && saved != EEXIST)
			return nsrun_fail(err, saved, "%s %s: create directory", what, path);
	}
	return 0;
}

int resolve_parent_in_root(int root_fd, const char *path, const char **name,
			   const char *what, struct nsrun_error *err)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *slash = memrchr(path, '/', len);
	size_t dir_len = slash ? (size_t)(slash - path) : 0;
	*name = slash ? slash + 1 : path;
	if (**name == '\0' || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0)
		return nsrun_fail(err, EINVAL, "%s %s: needs a last component", what, path);
	char dir[PATH_MAX];
	if (dir_len >= sizeof(dir))
		return nsrun_fail(err, ENAMETOOLONG, "%s %s", what, path);
	memcpy(dir, path, dir_len);
	dir[dir_len] = '\0';
	/* Usually the directory is there: make_dirs only when it is not. */
	int fd = open_in_root(root_fd, dir);
	if (fd < 0 && errno == ENOENT) {
		if (make_dirs(root_fd, path, dir_len, what, err) < 0)
			return -1;
		fd = open_in_root(root_fd, dir);
	}
	if (fd < 0)
		return nsrun_fail(err, errno, "%s %s: resolve its directory", what, path);
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
	return n > 0 && !(n == 1 && last[0] == '.') && !(n == 2 && last[0] == '.' && last[1] == '.');
}

int resolve_in_root(int root_fd, const char *path, enum resolve_create how,
		    const char *what, struct nsrun_error *err)
{
	int fd = open_in_root(root_fd, path);
	if (fd >= 0 || errno != ENOENT || how == RESOLVE_EXISTING) {
		if (fd < 0)
			return nsrun_fail(err, errno, "%s %s", what, path);
		return fd;
	}
	if (how == RESOLVE_MAKE_DIR && !plain_last_component(path)) {
		if (make_dirs(root_fd, path, strlen(path), what, err) < 0)
			return -1;
	} else if (how == RESOLVE_MAKE_DIR) {
		/* The last component made in its resolved directory is that
		 * directory's entry: open it there, not resolving again. */
		const char *name;
		int dir = resolve_parent_in_root(root_fd, path, &name, what, err);
		if (dir < 0)
			return -1;
		if (mkdirat(dir, name, 0755) == 0) {
			fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int saved = errno;
			close(dir);
			if (fd < 0)
				return nsrun_fail(err, saved, "%s %s", what, path);
			return fd;
		}
		int saved = errno;
		close(dir);
		if (saved != EEXIST)
			return nsrun_fail(err, saved, "%s %s: create directory", what, path);
	} else {
		const char *name;
		int dir = resolve_parent_in_root(root_fd, path, &name, what, err);
		if (dir < 0)
			return -1;
		/* O_NOFOLLOW|O_EXCL: a dangling symlink in the last component is
		 * not followed out of the root; an existing file is fine. */
		int file = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
				  0644);
		int saved = errno;
		close(dir);
		if (file < 0 && saved != EEXIST)
			return nsrun_fail(err, saved, "%s %s: create file", what, path);
		if (file >= 0)
			close(file);
	}
	fd = open_in_root(root_fd, path);
	if (fd < 0)
		return nsrun_fail(err, errno, "%s %s", what, path);
	return fd;
}

bool resolve_is_root(int root_fd, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstat(root_fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}
