/* SPDX-License-Identifier: Apache-2.0 */
/* start: a created container's init goes on from its exec fifo. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/hooks.h"
#include "oci/verb.h"
#include "util/cleanup.h"
#include "util/fault.h"

static const struct oci_command start_command = { .verb = "start", .operands = "ID" };

/* One byte on the exec fifo. */
static int release(const struct stored_container *ct, struct nsrun_error *err)
{
	char fifo[PATH_MAX];
	store_path(ct, "exec.fifo", fifo);
	cleanup_close int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nsrun_fail(err, errno == ENXIO ? 0 : errno, "container not running");
	if (write(fd, "s", 1) != 1)
		/* cppcheck-suppress resourceLeak ; cleanup_close closes it */
		return nsrun_fail(err, errno, "start: write %s", fifo);
	unlink(fifo);
	/* cppcheck-suppress resourceLeak ; cleanup_close closes it */
	return 0;
}

/* /proc/PID/exe's target into buf (PATH_MAX), "" if unreadable. */
static void exe_of(pid_t pid, char *buf)
{
	char link[32];
	(void)snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid); /* fits */
	ssize_t n = readlink(link, buf, PATH_MAX - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* poststart runs once the container's process runs: wait (a second at
 * most) until the init has left the parked program for the user's. */
static void wait_exec(pid_t pid, const char *parked)
{
	char now[PATH_MAX];
	for (int i = 0; i < 1000 && *parked; i++) {
		exe_of(pid, now);
		if (!*now || strcmp(now, parked) != 0)
			return;
		struct timespec ts = { 0, 1000000L };
		nanosleep(&ts, NULL);
	}
}

int verb_start(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	cleanup_store struct stored_container ct = { 0 };
	int first = oci_parse_load(&start_command, g, argc, argv, &ct, err);
	if (first <= 0)
		return first;
	enum oci_status s = store_status(&ct);
	if (s != OCI_CREATED)
		return nsrun_fail(err, 0, "cannot start a container that has %s",
				  s == OCI_STOPPED ? "stopped" : "already been started");
	bool poststart = json_array_size(json_object_get(ct.hooks, "poststart")) > 0;
	char parked[PATH_MAX] = "";
	if (poststart)
		exe_of(ct.pid, parked);
	if (fault_point("oci.start", err) < 0 || release(&ct, err) < 0)
		return -1;
	if (poststart) {
		wait_exec(ct.pid, parked);
		oci_hooks_run_warn(&ct, "poststart", OCI_RUNNING);
	}
	return 0;
}
