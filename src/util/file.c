/* Small files. See file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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
