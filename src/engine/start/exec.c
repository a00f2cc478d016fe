/* SPDX-License-Identifier: Apache-2.0 */
/* The final execve. See exec.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "engine/container.h"
#include "engine/start/exec.h"
#include "engine/limits/rlimit.h"
#include "engine/limits/seccomp.h"
#include "engine/start/shim_copy.h"
#include "util/cleanup.h"
#include "util/log.h"

int exec_wait_block_fd(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->block_fd < 0)
		return 0;
	char c;
	ssize_t n;
	do
		n = read(spec->block_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_BLOCK_FD, -1, errno, "read descriptor %d",
					spec->block_fd);
	close(spec->block_fd);
	return 0;
}

/* The sealed exec shim, in an init stage that runs in the cloned child,
 * and the signal mask the command starts with (the stage blocks all). */
static int shim_fd = -1;
static uint64_t shim_sigmask;

void exec_use_shim(int fd, const sigset_t *command_mask)
{
	shim_fd = fd;
	shim_sigmask = 0;
	for (int sig = 1; sig <= 64; sig++)
		if (command_mask && sigismember(command_mask, sig) == 1)
			shim_sigmask |= 1ULL << (sig - 1);
}

int exec_shim_fd(void)
{
	return shim_fd;
}

static int close_unkept(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	/* CLOEXEC rather than close: a failed exec can still report on stderr,
	 * and nothing of nsrun's reaches a command that runs. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		if (errno != ENOSYS && errno != EINVAL)
			return nsrun_fail(err, errno, "close_range");
		for (int fd = 3; fd < 65536; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	for (unsigned i = 0; i < spec->n_keep_fds; i++) {
		if (fcntl(spec->keep_fds[i], F_SETFD, 0) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_KEEP_FD, (int)i, errno,
						"pass descriptor %d on", spec->keep_fds[i]);
	}
	return 0;
}

/* Done once: before a seccomp filter that comes early (setup.c), whose
 * profile need not allow nsrun's own calls, or else right before exec.
 * Every descriptor nsrun opens afterwards is close-on-exec already. */
static bool descriptors_and_limits_done;

int exec_prepare_descriptors_and_limits(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (descriptors_and_limits_done)
		return 0;
	if (close_unkept(spec, err) < 0 || rlimit_apply(spec, err) < 0)
		return -1;
	descriptors_and_limits_done = true;
	return 0;
}

/* AppArmor confines the command from its execve on: the profile is asked
 * for on this thread's next exec, as runc and crun do (the container's
 * /proc). */
static int apparmor_on_exec(const char *profile, struct nsrun_error *err)
{
	static const char *const files[] = { "/proc/thread-self/attr/apparmor/exec",
					     "/proc/thread-self/attr/exec" };
	char line[512];
	int n = snprintf(line, sizeof(line), "exec %s", profile);
	if (n < 0 || (size_t)n >= sizeof(line))
		return nsrun_fail(err, ENAMETOOLONG, "AppArmor profile %s", profile);
	int e = ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(files) && e == ENOENT; i++) {
		int fd = open(files[i], O_WRONLY | O_CLOEXEC);
		e = fd < 0 ? errno : write(fd, line, (size_t)n) == n ? 0 : errno;
		if (fd >= 0)
			close(fd);
	}
	return e ? nsrun_fail(err, e, "AppArmor profile %s for the command", profile) : 0;
}

/* The last steps before any execve of the command: what it must not
 * inherit, its limits, no_new_privs, its AppArmor profile. */
static int prepare(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (exec_prepare_descriptors_and_limits(spec, err) < 0)
		return -1;
	const char *profile = spec_container(spec)->apparmor_profile;
	if (profile && apparmor_on_exec(profile, err) < 0)
		return -1;
	if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_NO_NEW_PRIVS, -1, errno,
					"PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* Why a command cannot run, worded as runc words it: Docker and podman
 * turn "executable file not found" and "no such file or directory" into
 * exit status 127, and "permission denied" into 126. */
static int command_failure(const char *cmd, int e, bool is_dir, struct nsrun_error *err)
{
	if (is_dir)
		return nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, 0,
					 "%s: is a directory: permission denied", cmd);
	if ((e == ENOENT || e == ENOTDIR) && strchr(cmd, '/') == NULL)
		return nsrun_fail_status(err, NSRUN_EXIT_NOT_FOUND, 0,
					 "%s: executable file not found in $PATH", cmd);
	if (e == ENOENT || e == ENOTDIR)
		return nsrun_fail_status(err, NSRUN_EXIT_NOT_FOUND, 0,
					 "%s: no such file or directory", cmd);
	if (e == EACCES)
		return nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, 0, "%s: permission denied",
					 cmd);
	return nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, e, "%s: cannot execute", cmd);
}

int exec_command(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	extern char **environ;
	const char *cmd = spec->argv[0];
	if (shim_fd >= 0)
		return exec_via_shim(spec, -1, -1, err);
	if (prepare(spec, err) < 0)
		return -1;
	nsrun_trace(spec->verbose, "exec %s", cmd);
	/* The filter goes last: from here on only execve needs to be allowed. */
	if (spec->seccomp && !seccomp_installed() &&
	    seccomp_install(spec->seccomp, spec->verbose, err) < 0)
		return -1;
	execvpe(cmd, spec->argv, environ);
	int e = errno;
	struct stat st;
	bool is_dir = e == EACCES && strchr(cmd, '/') != NULL && stat(cmd, &st) == 0 &&
		      S_ISDIR(st.st_mode);
	return command_failure(cmd, e, is_dir, err);
}

static int check_file(const char *path, struct nsrun_error *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return command_failure(path, errno, false, err);
	if (S_ISDIR(st.st_mode))
		return command_failure(path, EACCES, true, err);
	if (access(path, X_OK) < 0)
		return command_failure(path, errno, false, err);
	return 0;
}

/* The file execvp would run for the command: `full` (size PATH_MAX) gets
 * the command itself when it names a path, else the first executable file
 * of that name in $PATH (execvp's default when unset). */
static int resolve_command(const struct nsrun_spec *spec, char *full, struct nsrun_error *err)
{
	const char *cmd = spec->argv[0];
	if (strchr(cmd, '/')) {
		if ((size_t)snprintf(full, PATH_MAX, "%s", cmd) >= PATH_MAX)
			return nsrun_fail_status(err, NSRUN_EXIT_NOT_FOUND, ENAMETOOLONG,
						 "%.64s...", cmd);
		return check_file(cmd, err);
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p = strchr(p, ':') + 1) {
		size_t len = strcspn(p, ":");
		if ((size_t)snprintf(full, PATH_MAX, "%.*s%s%s", (int)len, p, len ? "/" : "", cmd) <
		    PATH_MAX) {
			struct stat st;
			if (stat(full, &st) == 0 && !S_ISDIR(st.st_mode) && access(full, X_OK) == 0)
				return 0;
		}
		if (!strchr(p, ':'))
			break;
	}
	return command_failure(cmd, ENOENT, false, err);
}

int exec_check_command(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	char full[PATH_MAX];
	return resolve_command(spec, full, err);
}

int exec_via_shim(const struct nsrun_spec *spec, int sync_fd, int fifo_fd, struct nsrun_error *err)
{
	extern char **environ;
	char full[PATH_MAX];
	if (resolve_command(spec, full, err) < 0)
		return -1;
	/* Allocated before the command's limits are set, which may be low. */
	size_t argc = 0;
	while (spec->argv[argc])
		argc++;
	char **argv = calloc(argc + 6, sizeof(char *));
	if (argv == NULL)
		return nsrun_fail(err, errno, "exec %s", spec->argv[0]);
	int rc = -1;
	if (prepare(spec, err) < 0)
		goto out;
	/* The shim reads them, then closes them before the command runs. */
	if ((sync_fd >= 0 && fcntl(sync_fd, F_SETFD, 0) < 0) ||
	    (fifo_fd >= 0 && fcntl(fifo_fd, F_SETFD, 0) < 0)) {
		nsrun_fail(err, errno, "hand the start-up descriptors to the exec shim");
		goto out;
	}
	/* numbers: they fit */
	char sync_text[16] = "-", fifo_text[16] = "-", mask_text[20], shim_path[32];
	if (sync_fd >= 0)
		(void)snprintf(sync_text, sizeof(sync_text), "%d", sync_fd);
	if (fifo_fd >= 0)
		(void)snprintf(fifo_text, sizeof(fifo_text), "%d", fifo_fd);
	(void)snprintf(mask_text, sizeof(mask_text), "%" PRIx64, shim_sigmask);
	argv[0] = (char *)EXEC_SHIM_NAME;
	argv[1] = mask_text;
	argv[2] = sync_text;
	argv[3] = fifo_text;
	argv[4] = full;
	memcpy(argv + 5, spec->argv, argc * sizeof(char *));
	nsrun_trace(spec->verbose, "exec %s (%s) through the exec shim", spec->argv[0], full);
	/* A change of ids (the user switch) may have made us dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		nsrun_fail(err, errno, "prctl PR_SET_DUMPABLE");
		goto out;
	}
	/* The filter goes last: from here on only execveat and the shim's
	 * calls need to be allowed (launch.c checks that they are). */
	if (spec->seccomp && !seccomp_installed() &&
	    seccomp_install(spec->seccomp, spec->verbose, err) < 0)
		goto out;
	syscall(SYS_execveat, shim_fd, "", argv, environ, AT_EMPTY_PATH);
	/* The same copy by its /proc path where execveat is refused (an
	 * outer filter, valgrind); the shim's descriptor is close-on-exec. */
	if (errno == ENOSYS || errno == ENOENT) {
		(void)snprintf(shim_path, sizeof(shim_path), "/proc/self/fd/%d", shim_fd);
		execve(shim_path, argv, environ);
	}
	nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, errno, "execute nsrun's exec shim");
out:
	free(argv);
	return rc;
}
