/* seccomp_cost: what installing a seccomp filter costs, by its length
 * (bench/README.md, "where the time goes", --seccomp-default).
 *
 *   seccomp_cost [-n RUNS] LENGTH...
 *
 * For each LENGTH, interleaved over RUNS rounds: fork; the child sets
 * no_new_privs, installs a classic BPF filter of about LENGTH instructions
 * (the architecture check, then pairs "if nr == K: allow" for numbers no
 * system call has, then allow) and exits; the parent waits. LENGTH 0 installs
 * nothing: the fork, exit and wait alone. Prints the median and quartiles in
 * microseconds, and the median minus that of LENGTH 0 when it was given.
 * The kernel converts the filter to eBPF and JIT-compiles it on install, and
 * frees it (deferred) on exit, so both are in the time.
 *
 * Build: cc -O2 -Wall -Wextra -o seccomp_cost seccomp_cost.c */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp_cost.c: x86_64 and aarch64 only"
#endif

#define MAX_LEN 4000
#define MAX_LENGTHS 16

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static unsigned build(struct sock_filter *f, unsigned want)
{
	unsigned n = 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (unsigned k = 100000; n + 3 <= want; k++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

static double run_once(const struct sock_fprog *prog)
{
	double t0 = now_us();
	pid_t pid = fork();
	if (pid < 0) {
		perror("seccomp_cost: fork");
		exit(2);
	}
	if (pid == 0) {
		if (prog) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
				_exit(1);
		}
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("seccomp_cost: waitpid");
			exit(2);
		}
	double t1 = now_us();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "seccomp_cost: the child failed to install the filter\n");
		exit(1);
	}
	return t1 - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = 400, c;
	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (runs = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: seccomp_cost [-n RUNS] LENGTH...\n");
			return 2;
		}
	}
	int n = argc - optind;
	if (n < 1 || n > MAX_LENGTHS) {
		fprintf(stderr, "usage: seccomp_cost [-n RUNS] LENGTH... (1 to %d lengths)\n",
			MAX_LENGTHS);
		return 2;
	}
	static struct sock_filter filters[MAX_LENGTHS][MAX_LEN];
	struct sock_fprog progs[MAX_LENGTHS];
	unsigned want[MAX_LENGTHS];
	double *t[MAX_LENGTHS];
	for (int i = 0; i < n; i++) {
		want[i] = (unsigned)atoi(argv[optind + i]);
		if (want[i] > MAX_LEN) {
			fprintf(stderr, "seccomp_cost: at most %d instructions\n", MAX_LEN);
			return 2;
		}
		progs[i].len = (unsigned short)build(filters[i], want[i]);
		progs[i].filter = filters[i];
		t[i] = calloc((size_t)runs, sizeof(double));
		if (!t[i])
			return 2;
	}
	for (int w = 0; w < 20; w++)
		for (int i = 0; i < n; i++)
			run_once(want[i] ? &progs[i] : NULL);
	for (int r = 0; r < runs; r++)
		for (int j = 0; j < n; j++) {
			int i = (j + r) % n;
			t[i][r] = run_once(want[i] ? &progs[i] : NULL);
		}
	double base = -1;
	for (int i = 0; i < n; i++) {
		qsort(t[i], (size_t)runs, sizeof(double), cmp);
		if (want[i] == 0)
			base = t[i][runs / 2];
	}
	printf("%d interleaved runs per length; fork + install + exit + wait, µs\n", runs);
	printf("%12s %8s %8s %8s %10s\n", "instructions", "median", "q1", "q3", "- none");
	for (int i = 0; i < n; i++) {
		double med = t[i][runs / 2];
		printf("%12u %8.0f %8.0f %8.0f", want[i] ? progs[i].len : 0, med, t[i][runs / 4],
		       t[i][3 * runs / 4]);
		if (base >= 0)
			printf(" %+10.0f", med - base);
		printf("\n");
	}
	return 0;
}
