/* start: a created container's init goes on from its exec fifo. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
	if (fault_point("oci.start", err) < 0 || release(&ct, err) < 0)
		return -1;
	if (oci_hooks_run_stored(&ct, "poststart", OCI_RUNNING, err) < 0) {
		kill(ct.pid, SIGKILL); /* a failed poststart stops the container */
		return -1;
	}
	return 0;
}
