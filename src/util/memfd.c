/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed executable memfds. See memfd.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/memfd.h"

/* Newer than Debian 12's headers (Linux 6.3). */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

int memfd_exec_create(const char *name)
{
	/* MFD_EXEC keeps the copy executable where vm.memfd_noexec would
	 * otherwise forbid it; kernels before 6.3 reject the flag. */
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}

/* F_SEAL_WRITE fails with EBUSY while a page of the copy still holds a
 * transient extra reference (seen once in 36,000 starts under load): try
 * again for a while. */
static int add_seals(int fd, int seals)
{
	for (int tries = 0;; tries++) {
		if (fcntl(fd, F_ADD_SEALS, seals) == 0)
			return 0;
		if (errno != EBUSY || tries == 50)
			return -1;
		struct timespec pause = { 0, 1000000L }; /* 1 ms */
		nanosleep(&pause, NULL);
	}
}

int memfd_seal_all(int fd)
{
	int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	if (add_seals(fd, seals | F_SEAL_EXEC) == 0)
		return 0;
	return errno == EINVAL ? add_seals(fd, seals) : -1;
}

int memfd_sealed_copy(const char *name, int src_fd, const void *bytes, size_t len,
		      const char *const steps[3], const char **failed)
{
	*failed = steps[0];
	cleanup_close int fd = memfd_exec_create(name);
	if (fd < 0)
		return -1;
	*failed = steps[1];
	off_t off = 0;
	while ((size_t)off < len) {
		ssize_t n = src_fd >= 0 ? sendfile(fd, src_fd, &off, len - (size_t)off)
					: write(fd, (const char *)bytes + off, len - (size_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		if (src_fd < 0)
			off += n;
	}
	*failed = steps[2];
	if (memfd_seal_all(fd) < 0)
		return -1;
	return take_fd(&fd);
}
