/* SPDX-License-Identifier: Apache-2.0 */
/* Small files. See file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/file.h"

int path_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

ssize_t file_read_at(int dirfd, const char *name, char *buf, size_t size)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

ssize_t file_read(const char *path, char *buf, size_t size)
{
	return file_read_at(AT_FDCWD, path, buf, size);
}

ssize_t file_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int file_read_all(const char *path, size_t max, bool missing_ok, char **text, size_t *len)
{
	*text = NULL;
	*len = 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return missing_ok && errno == ENOENT ? 0 : -1;
	return file_read_all_fd(fd, max, text, len);
}

int file_read_all_fd(int fd, size_t max, char **text, size_t *len)
{
	*text = NULL;
	*len = 0;
	cleanup_free char *buf = NULL;
	size_t used = 0, cap = 0;
	for (;;) {
		if (used + 1 >= cap) {
			if (cap == max + 1) {
				errno = EFBIG; /* more than max bytes */
				return -1;
			}
			cap = cap ? cap * 2 : 4096;
			if (cap > max + 1)
				cap = max + 1;
			char *grown = realloc(buf, cap);
			if (!grown)
				return -1;
			buf = grown;
		}
		size_t room = cap - used - 1;
		ssize_t n = file_read_full(fd, buf + used, room);
		if (n < 0)
			return -1;
		used += (size_t)n;
		if ((size_t)n < room)
			break; /* the end of the file */
	}
	buf[used] = '\0';
	*len = used;
	*text = take_ptr(buf);
	return 0;
}

int file_write_at(int dirfd, const char *name, const void *data, size_t len)
{
	cleanup_close int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, len);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int file_write_str(const char *dir, const char *name, const char *value)
{
	char path[4096];
	if (path_format(path, sizeof(path), "%s/%s", dir, name) < 0)
		return -1;
	return file_write_at(AT_FDCWD, path, value, strlen(value));
}
