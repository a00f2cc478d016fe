/* SPDX-License-Identifier: Apache-2.0 */
/* See fuzz_tmp.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_tmp.h"

static char dir[PATH_MAX / 2];

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fuzz: %s %s: %s\n", what, path, strerror(errno));
	abort();
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_dir(void)
{
	if (dir[0])
		nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmp_dir(void)
{
	if (dir[0])
		return dir;
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/nsrun-fuzz.XXXXXX", base) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		die("TMPDIR", base);
	}
	if (!mkdtemp(dir))
		die("mkdtemp", dir);
	atexit(remove_dir);
	return dir;
}

const char *fuzz_tmp_write(const char *relative, const uint8_t *data, size_t size)
{
	static char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", fuzz_tmp_dir(), relative) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		die("path", relative);
	}
	/* parent directories inside the temporary directory */
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			die("mkdir", path);
		*p = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open", path);
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("write", path);
		done += (size_t)n;
	}
	if (close(fd) < 0)
		die("close", path);
	return path;
}
