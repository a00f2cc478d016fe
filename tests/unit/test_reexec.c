/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the stage registry, the sealed binary copy and spawning a
 * stage of this very test program. */
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nsrun/reexec.h>

#include "tap.h"

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static int exit_with_argc(int argc, char **argv)
{
	(void)argv;
	return 40 + argc;
}

static int report_exe(int argc, char **argv)
{
	(void)argc;
	char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return 2;
	exe[n] = '\0';
	/* 0 when running from the sealed memfd and argv[0] is the stage name */
	return strncmp(exe, "/memfd:nsrun", 12) == 0 && strcmp(argv[0], "unit:exe") == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int first = nsrun_reexec_register("unit:argc", exit_with_argc);
	int second = nsrun_reexec_register("unit:exe", report_exe);
	nsrun_reexec_dispatch(argc, argv);
	/* Only the test run itself gets here; the spawned stages exit above. */
	TAP_OK(first == 0 && second == 0, "register two stages");
	TAP_OK(nsrun_reexec_register("unit:argc", exit_with_argc) < 0 && errno == EEXIST,
	       "a duplicate name is refused");
	TAP_OK(nsrun_reexec_register("nsrun:init", exit_with_argc) < 0 && errno == EEXIST,
	       "libnsrun's own init stage is taken");
	char *plain[] = { "not-a-stage", NULL };
	TAP_OK(nsrun_reexec_dispatch(1, plain) == 0, "dispatch returns for an unknown argv[0]");

	struct nsrun_error err;
	int fd = nsrun_reexec_sealed_fd(&err);
	TAP_OK(fd >= 0, "the sealed copy exists");
	int seals = fcntl(fd, F_GET_SEALS);
	int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	TAP_OK(seals >= 0 && (seals & want) == want, "it is sealed against writes (seals %#x)",
	       seals);
	TAP_OK(nsrun_reexec_sealed_fd(&err) == fd, "later calls share it");
	TAP_OK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "it is close-on-exec");
	TAP_OK(write(fd, "x", 1) < 0 && errno == EPERM, "writing it fails with EPERM");

	char *args[] = { "ignored", "a", "b", NULL };
	pid_t pid = nsrun_reexec_spawn("unit:argc", args, NULL, NULL, &err);
	int status = 0;
	TAP_OK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 43,
	       "a spawned stage runs with its argv (status %d)", WEXITSTATUS(status));
	char *one[] = { "ignored", NULL };
	pid = nsrun_reexec_spawn("unit:exe", one, NULL, NULL, &err);
	TAP_OK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		       WEXITSTATUS(status) == 0,
	       "the stage runs from the memfd with argv[0] = its name");
	return tap_done();
}
