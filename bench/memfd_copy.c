/* memfd_copy: what nsrun's sealed re-exec costs, taken apart.
 *
 *   memfd_copy [-n RUNS] FILE [ARG...]
 *
 * Times, interleaved over RUNS rounds (median and quartiles, microseconds):
 *   copy       open FILE, memfd_create, sendfile the whole file into it, add
 *              the seals nsrun adds (the steps of make_sealed_copy() in
 *              src/engine/reexec.c), close
 *   exec file  fork, execve FILE ARG..., wait
 *   exec copy  fork, execveat the sealed copy (made beforehand, not timed)
 *              with ARG..., wait
 *   copy+exec  both, as nsrun's staged path pays them
 * FILE ARG... must exit 0 (e.g. nsrun --version, or /bin/true).
 *
 * Build: cc -O2 -Wall -Wextra -o memfd_copy memfd_copy.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "memfd_copy: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_us(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die("clock_gettime");
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int sealed_copy(const char *path, off_t *size)
{
	int exe = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (exe < 0 || fstat(exe, &st) < 0)
		die(path);
	int fd = memfd_create("copy", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("copy", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		die("memfd_create");
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, exe, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			die("sendfile");
		}
	}
	int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	if (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, seals) < 0))
		die("F_ADD_SEALS");
	if (close(exe) < 0)
		die("close");
	*size = st.st_size;
	return fd;
}

/* fd < 0: execve path. */
static void run(int fd, char **argv)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		if (fd >= 0)
			execveat(fd, "", argv, environ, AT_EMPTY_PATH);
		else
			execve(argv[0], argv, environ);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "memfd_copy: %s failed (wait status 0x%x)\n", argv[0], status);
		exit(1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	printf("%-10s %8.1f %8.1f %8.1f\n", name, v[n / 2], v[n / 4], v[(3 * n) / 4]);
}

int main(int argc, char **argv)
{
	int runs = 500, c;
	while ((c = getopt(argc, argv, "+n:")) != -1) {
		if (c != 'n') {
			fprintf(stderr, "usage: memfd_copy [-n RUNS] FILE [ARG...]\n");
			return 2;
		}
		runs = atoi(optarg);
		if (runs < 4) {
			fprintf(stderr, "memfd_copy: -n: at least 4\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: memfd_copy [-n RUNS] FILE [ARG...]\n");
		return 2;
	}
	char **cmd = argv + optind;
	double *t = calloc(4 * (size_t)runs, sizeof(double));
	if (!t)
		die("calloc");
	off_t size = 0;
	for (int r = -10; r < runs; r++) { /* 10 warm-up rounds */
		double t0 = now_us();
		int fd = sealed_copy(cmd[0], &size);
		double t1 = now_us();
		if (close(fd) < 0)
			die("close");

		double t2 = now_us();
		run(-1, cmd);
		double t3 = now_us();

		fd = sealed_copy(cmd[0], &size);
		double t4 = now_us();
		run(fd, cmd);
		double t5 = now_us();
		if (close(fd) < 0)
			die("close");

		double t6 = now_us();
		fd = sealed_copy(cmd[0], &size);
		run(fd, cmd);
		if (close(fd) < 0)
			die("close");
		double t7 = now_us();
		if (r < 0)
			continue;
		t[r] = t1 - t0;
		t[runs + r] = t3 - t2;
		t[2 * runs + r] = t5 - t4;
		t[3 * runs + r] = t7 - t6;
	}
	printf("%s: %lld bytes, %d runs; microseconds\n", cmd[0], (long long)size, runs);
	printf("%-10s %8s %8s %8s\n", "", "median", "q1", "q3");
	report("copy", t, runs);
	report("exec file", t + runs, runs);
	report("exec copy", t + 2 * runs, runs);
	report("copy+exec", t + 3 * runs, runs);
	free(t);
	return 0;
}
