/* The final execve. See exec.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "exec.h"
#include "rlimit.h"
#include "seccomp.h"
#include "../util/log.h"

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
		return nsrun_fail(err, errno, "--block-fd %d: read", spec->block_fd);
	close(spec->block_fd);
	return 0;
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
			return nsrun_fail(err, errno, "--keep-fd %d", spec->keep_fds[i]);
	}
	return 0;
}

int exec_command(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	extern char **environ;
	const char *cmd = spec->argv[0];
	if (close_unkept(spec, err) < 0 || rlimit_apply(spec, err) < 0)
		return -1;
	if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nsrun_fail(err, errno, "--no-new-privs");
	nsrun_trace(spec->verbose, "exec %s", cmd);
	/* The filter goes last: from here on only execve needs to be allowed. */
	if (spec->seccomp && seccomp_install(spec->seccomp, spec->verbose, err) < 0)
		return -1;
	execvpe(cmd, spec->argv, environ);
	int e = errno;
	if (e == ENOENT || e == ENOTDIR) {
		if (strchr(cmd, '/') == NULL)
			return nsrun_fail_status(err, NSRUN_EXIT_NOT_FOUND, 0,
						 "%s: command not found in PATH", cmd);
		return nsrun_fail_status(err, NSRUN_EXIT_NOT_FOUND, e, "%s", cmd);
	}
	struct stat st;
	if (e == EACCES && strchr(cmd, '/') != NULL && stat(cmd, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, 0, "%s: is a directory", cmd);
	return nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, e, "%s: cannot execute", cmd);
}

static int check_file(const char *path, struct nsrun_error *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return nsrun_fail_status(err, NSRUN_EXIT_NOT_FOUND, errno, "%s", path);
	if (S_ISDIR(st.st_mode))
		return nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, 0, "%s: is a directory", path);
	if (access(path, X_OK) < 0)
		return nsrun_fail_status(err, NSRUN_EXIT_CANNOT_EXEC, errno, "%s: cannot execute", path);
	return 0;
}

int exec_check_command(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	const char *cmd = spec->argv[0];
	if (strchr(cmd, '/'))
		return check_file(cmd, err);
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	char full[4096];
	for (const char *p = path;; p = strchr(p, ':') + 1) {
		size_t len = strcspn(p, ":");
		if ((size_t)snprintf(full, sizeof(full), "%.*s%s%s", (int)len, p, len ? "/" : "", cmd) <
		    sizeof(full)) {
			struct stat st;
			if (stat(full, &st) == 0 && !S_ISDIR(st.st_mode) && access(full, X_OK) == 0)
				return 0;
		}
		if (!strchr(p, ':'))
			break;
	}
	return nsrun_fail_status(err, NSRUN_EXIT_NOT_FOUND, 0, "%s: command not found in PATH", cmd);
}
