/* SPDX-License-Identifier: Apache-2.0 */
/* Small files: whole reads and writes of the one-line files of /proc,
 * /sys/fs/cgroup and nsrun's own state, and a checked path formatter. */
#ifndef NSRUN_UTIL_FILE_H
#define NSRUN_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* snprintf into buf that fails with ENAMETOOLONG (-1) where the path
 * would be cut short. */
int path_format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Read len bytes from fd, retrying after signals: the count read before
 * the end of the file (len when complete), or -1 with errno. */
ssize_t file_read_full(int fd, void *buf, size_t len);

/* Read at most size - 1 bytes of `name` (relative to dirfd, or AT_FDCWD)
 * into buf and terminate it. The length read, or -1 with errno. */
ssize_t file_read_at(int dirfd, const char *name, char *buf, size_t size);
ssize_t file_read(const char *path, char *buf, size_t size);

/* A whole file of at most `max` bytes into a malloc'd buffer (*text, its
 * length in *len, NUL-terminated). A missing file reads as empty (*text
 * NULL) where missing_ok. 0, or -1 with errno (EFBIG past max). */
int file_read_all(const char *path, size_t max, bool missing_ok, char **text, size_t *len);
/* The same from an open descriptor, read to its end. */
int file_read_all_fd(int fd, size_t max, char **text, size_t *len);

/* Write `len` bytes to an existing file in one write (cgroup and /proc
 * files take a value per write). 0, or -1 with errno. */
int file_write_at(int dirfd, const char *name, const void *data, size_t len);
/* The same for a string, at dir/name. */
int file_write_str(const char *dir, const char *name, const char *value);

#endif
