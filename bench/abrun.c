/* abrun: interleaved wall-clock timing of a few commands, for small
 * differences on a noisy machine (bench/README.md, "where the time goes").
 *
 *   abrun [-n RUNS] [-w WARMUP] CMD [ARG...] [::: CMD [ARG...]]...
 *
 * Every round runs each command once, in an order shuffled anew each round
 * (the same sequence every time abrun runs), so that drift hits them all
 * alike and no command always follows the same one: a command pays for
 * what the one before it left behind (a network namespace torn down by a
 * kernel worker after its container is gone), and a fixed order (a list
 * rotated each round keeps every command behind the same one) charges a
 * light command after a heavy one every time. A run is posix_spawnp() to
 * waitpid(); stdout goes to /dev/null. Reports per command the median, the
 * quartiles and the mean, and the median of the paired difference with the
 * first command in the same round (robust against drift). Any failed run
 * stops it with exit status 1.
 *
 * Build: cc -O2 -Wall -Wextra -o abrun abrun.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CMDS 16

static double now_us(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0) {
		perror("abrun: clock_gettime");
		exit(2);
	}
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double run_once(char **argv, const posix_spawn_file_actions_t *fa)
{
	pid_t pid;
	double t0 = now_us();
	int e = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
	if (e != 0) {
		fprintf(stderr, "abrun: spawn %s: %s\n", argv[0], strerror(e));
		exit(1);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("abrun: waitpid");
			exit(2);
		}
	}
	double t1 = now_us();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "abrun: %s failed (wait status 0x%x)\n", argv[0], status);
		exit(1);
	}
	return t1 - t0;
}

/* xorshift64: a fixed, repeatable sequence is all the shuffle needs. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned random_below(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* A new order of 0..n-1 in order[] (Fisher-Yates). */
static void shuffle(int *order, int n)
{
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = (int)random_below((unsigned)i + 1), x = order[i];
		order[i] = order[j];
		order[j] = x;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v. */
static double quantile(double *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	double pos = q * (n - 1);
	int i = (int)pos;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static int parse_count(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > 1000000) {
		fprintf(stderr, "abrun: %s '%s': expected 1 to 1000000\n", what, s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	int runs = 200, warmup = 10, c;
	while ((c = getopt(argc, argv, "+n:w:")) != -1) {
		switch (c) {
		case 'n': runs = parse_count(optarg, "-n"); break;
		case 'w':
			warmup = optarg[0] == '0' && !optarg[1] ? 0 : parse_count(optarg, "-w");
			break;
		default:
			fprintf(stderr, "usage: abrun [-n RUNS] [-w WARMUP] CMD [ARG...] [::: CMD "
					"[ARG...]]...\n");
			return 2;
		}
	}
	char **cmds[MAX_CMDS];
	int ncmd = 0;
	for (int i = optind; i < argc;) {
		if (ncmd == MAX_CMDS) {
			fprintf(stderr, "abrun: at most %d commands\n", MAX_CMDS);
			return 2;
		}
		cmds[ncmd++] = &argv[i];
		while (i < argc && strcmp(argv[i], ":::") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL; /* argv[argc] is NULL already */
	}
	for (int k = 0; k < ncmd; k++) {
		if (cmds[k][0] == NULL) {
			fprintf(stderr, "abrun: empty command\n");
			return 2;
		}
	}
	if (ncmd == 0) {
		fprintf(stderr, "abrun: no command\n");
		return 2;
	}

	posix_spawn_file_actions_t fa;
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) != 0) {
		fprintf(stderr, "abrun: posix_spawn_file_actions\n");
		return 2;
	}
	double *t = calloc((size_t)ncmd * (size_t)runs, sizeof(double));
	double *tmp = calloc((size_t)runs, sizeof(double));
	if (!t || !tmp) {
		perror("abrun: calloc");
		return 2;
	}
	for (int w = 0; w < warmup; w++)
		for (int k = 0; k < ncmd; k++)
			run_once(cmds[k], &fa);
	int order[MAX_CMDS];
	for (int r = 0; r < runs; r++) {
		shuffle(order, ncmd);
		for (int j = 0; j < ncmd; j++)
			t[order[j] * runs + r] = run_once(cmds[order[j]], &fa);
	}

	printf("%d interleaved runs per command (warm-up %d); times in microseconds\n", runs,
	       warmup);
	printf("%8s %8s %8s %8s %10s  %s\n", "median", "q1", "q3", "mean", "d(median)", "command");
	for (int k = 0; k < ncmd; k++) {
		double sum = 0;
		for (int r = 0; r < runs; r++) {
			tmp[r] = t[k * runs + r];
			sum += tmp[r];
		}
		double q1 = quantile(tmp, runs, 0.25), med = quantile(tmp, runs, 0.5),
		       q3 = quantile(tmp, runs, 0.75);
		for (int r = 0; r < runs; r++)
			tmp[r] = t[k * runs + r] - t[r];
		double d = quantile(tmp, runs, 0.5);
		printf("%8.0f %8.0f %8.0f %8.0f %+10.0f ", med, q1, q3, sum / runs, d);
		for (char **a = cmds[k]; *a; a++)
			printf(" %s", *a);
		printf("\n");
	}
	posix_spawn_file_actions_destroy(&fa);
	free(t);
	free(tmp);
	return 0;
}
