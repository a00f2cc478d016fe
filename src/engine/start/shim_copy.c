/* SPDX-License-Identifier: Apache-2.0 */
/* The sealed copy of the exec shim. See shim.h. */
#include <errno.h>
#include <pthread.h>

#include "engine/start/shim_copy.h"
#include "util/memfd.h"

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
	static const char *const steps[3] = { "memfd_create for the exec shim",
					      "copy the exec shim", "seal the exec shim" };
	shim_fd = memfd_sealed_copy(EXEC_SHIM_NAME, -1, nsrun_exec_shim, nsrun_exec_shim_size,
				    steps, &shim_step);
	if (shim_fd < 0)
		shim_errno = errno;
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
