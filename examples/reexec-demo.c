/* SPDX-License-Identifier: Apache-2.0 */
/* reexec-demo: the reexec pattern with libnsrun.
 *
 * The "parent" stage (also what runs when no stage is named) spawns the
 * "child" stage in new user, UTS and PID namespaces from a sealed copy of
 * this binary and waits for it. The child reports what it sees.
 *
 *   cc reexec-demo.c $(pkg-config --cflags --libs nsrun) -o reexec-demo */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* CLONE_NEW*, pipe2 */
#endif
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nsrun/reexec.h>

static int child_stage(int argc, char **argv)
{
	char exe[256] = "", host[64] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	const char *name = argc > 1 ? argv[1] : "reexec-child";
	if (sethostname(name, strlen(name)) < 0 || gethostname(host, sizeof(host)) < 0) {
		perror("child: hostname");
		return 1;
	}
	printf("child: stage=%s pid=%d exe=%s hostname=%s\n", argv[0], (int)getpid(), exe, host);
	return 0;
}

/* Map our uid and gid to 0 in the child's user namespace. */
static int map_root(pid_t pid)
{
	char path[64], line[64];
	const char *files[] = { "setgroups", "uid_map", "gid_map" };
	for (int i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(line, sizeof(line), "deny");
		else
			snprintf(line, sizeof(line), "0 %d 1",
				 i == 1 ? (int)getuid() : (int)getgid());
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, line, strlen(line)) < 0) {
			perror(path);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int parent_stage(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int hold[2];
	if (pipe2(hold, O_CLOEXEC) < 0) {
		perror("reexec-demo: pipe");
		return 1;
	}
	struct nsrun_error err;
	struct nsrun_reexec_attr attr = {
		.clone_flags = CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWPID,
		.pdeathsig = SIGKILL,
		.hold_fd = hold[0],
	};
	char *child_argv[] = { "child", "reexec-child", NULL };
	pid_t pid = nsrun_reexec_spawn("child", child_argv, NULL, &attr, &err);
	close(hold[0]);
	if (pid < 0) {
		fprintf(stderr, "reexec-demo: %s\n", err.msg);
		return 1;
	}
	/* The child waits on the pipe: map root, then let it run. Closing the
	 * pipe without writing makes it exit instead. */
	if (map_root(pid) == 0 && write(hold[1], "g", 1) != 1)
		perror("reexec-demo: release the child");
	close(hold[1]);
	int status;
	if (waitpid(pid, &status, 0) < 0) {
		perror("reexec-demo: waitpid");
		return 1;
	}
	printf("parent: child %d exited with status %d\n", (int)pid,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	if (nsrun_reexec_register("parent", parent_stage) < 0 ||
	    nsrun_reexec_register("child", child_stage) < 0) {
		perror("reexec-demo: register");
		return 1;
	}
	nsrun_reexec_dispatch(argc, argv);
	return parent_stage(argc, argv);
}
