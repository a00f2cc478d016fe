/* SPDX-License-Identifier: Apache-2.0 */
/* Scoped cleanup: a variable declared with one of these attributes is
 * released when it goes out of scope, on every return path, with errno
 * kept as the failing call left it. A function then has one exit path per
 * outcome and no close-and-restore-errno blocks. Hand a resource on with
 * take_fd()/take_ptr(), which leave nothing for the cleanup to release. */
#ifndef NSRUN_UTIL_CLEANUP_H
#define NSRUN_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void cleanup_close_fd(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_free_ptr(void *p)
{
	int saved = errno;
	free(*(void **)p);
	errno = saved;
}

static inline void cleanup_fclose_file(FILE **f)
{
	if (*f) {
		int saved = errno;
		(void)fclose(*f); /* read-only streams: nothing to lose */
		errno = saved;
	}
}

static inline void cleanup_closedir_dir(DIR **d)
{
	if (*d) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}

#define cleanup_close __attribute__((cleanup(cleanup_close_fd)))
#define cleanup_free __attribute__((cleanup(cleanup_free_ptr)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclose_file)))
#define cleanup_closedir __attribute__((cleanup(cleanup_closedir_dir)))

/* The descriptor, which the caller now owns; *fd becomes -1. */
static inline int take_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* The pointer, which the caller now owns; *p becomes NULL. */
#define take_ptr(p)                                                                                \
	__extension__({                                                                            \
		__typeof__(p) taken_ = (p);                                                        \
		(p) = NULL;                                                                        \
		taken_;                                                                            \
	})

#endif
