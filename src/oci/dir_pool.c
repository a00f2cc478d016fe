/* SPDX-License-Identifier: Apache-2.0 */
/* The pool of emptied state directories. See dir_pool.h. */
#include "oci/dir_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"

/* Of dir, <root>/<id>: the pool <root>/@free, or its place `entry`. */
static int pool_path(const char *dir, int entry, char *path, size_t size)
{
	const char *slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	int root_len = (int)(slash - dir);
	if (entry < 0)
		return path_format(path, size, "%.*s/" DIR_POOL_DIR, root_len, dir);
	return path_format(path, size, "%.*s/" DIR_POOL_DIR "/%d", root_len, dir, entry);
}

int dir_pool_take(const char *dir)
{
	char kept[PATH_MAX];
	int why = ENOENT;
	for (int i = 0; i < DIR_POOL_SIZE; i++) {
		if (pool_path(dir, i, kept, sizeof(kept)) < 0)
			break;
		/* NOREPLACE: over an existing container's directory, which may be
		 * empty still (a create between its mkdir and its lock), EEXIST
		 * as mkdir would say. */
		if (renameat2(AT_FDCWD, kept, AT_FDCWD, dir, RENAME_NOREPLACE) == 0)
			return 0;
		why = errno;
		if (why != ENOENT)
			break; /* EEXIST, or renameat2 unsupported here */
	}
	errno = why;
	return -1;
}

static int make_pool(const char *dir)
{
	char pool[PATH_MAX];
	if (pool_path(dir, -1, pool, sizeof(pool)) < 0)
		return -1;
	return mkdir(pool, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Into the first free place of the pool; the pool's directory is made
 * the first time. */
static int keep(const char *dir)
{
	char kept[PATH_MAX];
	for (int i = 0; i < DIR_POOL_SIZE; i++) {
		if (pool_path(dir, i, kept, sizeof(kept)) < 0)
			return -1;
		int rc = renameat2(AT_FDCWD, dir, AT_FDCWD, kept, RENAME_NOREPLACE);
		if (rc < 0 && errno == ENOENT && i == 0 && make_pool(dir) == 0)
			rc = renameat2(AT_FDCWD, dir, AT_FDCWD, kept, RENAME_NOREPLACE);
		if (rc == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

void dir_pool_give(const char *dir)
{
	if (keep(dir) < 0)
		rmdir(dir);
}
