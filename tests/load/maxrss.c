/* maxrss: run a command and write its peak resident set size.
 *
 *   maxrss FILE COMMAND [ARG...]
 *
 * Forks, executes COMMAND, waits for it and writes one line to FILE: its
 * pid and its ru_maxrss in kB (of its process, over all the images it
 * executed, and of the children it waited for). Exits with COMMAND's status, or 128+N if a
 * signal N killed it; 127 if it could not be executed.
 *
 * Why not wait4() in the load test's supervisor directly: a process keeps
 * the largest RSS of every memory it had, the one it was forked or
 * vforked with included. Started from a Python supervisor, every command
 * would report Python's RSS (about 14 MB) or more; forked from this small
 * program, it reports its own.
 *
 * Build: cc -O2 -static -o maxrss maxrss.c (tests/load/run.sh does). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: maxrss FILE COMMAND [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "maxrss: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "maxrss: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "maxrss: wait4: %s\n", strerror(errno));
			return 125;
		}
	}
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "maxrss: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	char line[48];
	int n = snprintf(line, sizeof(line), "%d %ld\n", (int)pid, ru.ru_maxrss);
	if (write(fd, line, (size_t)n) != n || close(fd) < 0) {
		fprintf(stderr, "maxrss: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
