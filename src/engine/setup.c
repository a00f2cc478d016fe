/* Sandbox set-up from inside. See setup.h. */
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>

#include "setup.h"
#include "../util/log.h"

int sandbox_setup(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->new_ns & CLONE_NEWNS) {
		/* A copied mount namespace still shares propagation with the
		 * host's where / is shared (systemd): make it private so nothing
		 * mounted inside shows outside. */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return nsrun_fail(err, errno, "make the mount namespace private");
		nsrun_trace(spec->verbose, "mount propagation: private");
	}
	if (spec->mount_proc) {
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return nsrun_fail(err, errno, "--mount-proc: mount proc on /proc");
		nsrun_trace(spec->verbose, "mounted proc on /proc");
	}
	return 0;
}
