/* The sealed copy of the exec shim. See shim.h. */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "shim.h"
#include "../util/memfd.h"

bool shim_available(void)
{
	return nsrun_exec_shim_size > 0;
}

static pthread_once_t shim_once = PTHREAD_ONCE_INIT;
static int shim_fd = -1;
static int shim_errno;
static const char *shim_step;

static void make_shim_copy(void)
{
	shim_step = "memfd_create for the exec shim";
	int fd = memfd_exec_create(EXEC_SHIM_NAME);
	if (fd < 0)
		goto fail;
	shim_step = "copy the exec shim";
	for (unsigned long done = 0; done < nsrun_exec_shim_size;) {
		ssize_t n = write(fd, nsrun_exec_shim + done, nsrun_exec_shim_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		done += (unsigned long)n;
	}
	shim_step = "seal the exec shim";
	if (memfd_seal_all(fd) < 0)
		goto fail;
	shim_fd = fd;
	return;
fail:
	shim_errno = errno;
	if (fd >= 0)
		close(fd);
}

int shim_sealed_fd(struct nsrun_error *err)
{
	if (!shim_available())
		return nsrun_fail(err, ENOSYS, "this build has no exec shim");
	pthread_once(&shim_once, make_shim_copy);
	if (shim_fd < 0)
		return nsrun_fail(err, shim_errno, "%s", shim_step);
	return shim_fd;
}
