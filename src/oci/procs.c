/* SPDX-License-Identifier: Apache-2.0 */
/* A container's processes. See procs.h. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci/freezer.h"
#include "oci/procs.h"
#include "util/cleanup.h"
#include "util/file.h"

unsigned long long procs_start_time(pid_t pid)
{
	char path[64], buf[1024];
	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid); /* a number: fits */
	if (file_read(path, buf, sizeof(buf)) <= 0)
		return 0;
	/* comm may hold spaces and parentheses: fields count from the last ')' */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	char state = p[2];
	if (state == 'Z' || state == 'X')
		return 0;
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* The pids of one cgroup.procs, up to max. */
static int read_pids(FILE *f, pid_t *pids, int max)
{
	cleanup_free char *line = NULL;
	size_t cap = 0;
	int n = 0;
	while (n < max && getline(&line, &cap, f) > 0) {
		char *end;
		errno = 0;
		long pid = strtol(line, &end, 10);
		if (errno || end == line || (*end != '\n' && *end != '\0') || pid <= 0 ||
		    pid > INT_MAX)
			break;
		pids[n++] = (pid_t)pid;
	}
	return n;
}

int procs_cgroup_pids(const struct stored_container *ct, pid_t *pids, int max)
{
	for (unsigned i = 0; i < ct->n_cgroups; i++) {
		char path[NSRUN_CGROUP_PATH_MAX + 32];
		/* a cgroup and a file name: fits */
		(void)snprintf(path, sizeof(path), "%s/cgroup.procs", ct->cgroups[i]);
		cleanup_fclose FILE *f = fopen(path, "re");
		if (f)
			return read_pids(f, pids, max);
	}
	return -1;
}

/* A pidfd pins the process, so the start time read after opening it
 * tells whether the pid was reused in between (a zombie reads as gone).
 * Without pidfds (ENOSYS), a plain kill after the same check. */
int procs_signal_init(const struct stored_container *ct, int sig)
{
	cleanup_close int fd = (int)syscall(SYS_pidfd_open, ct->pid, 0);
	if (fd < 0 && errno != ENOSYS)
		return errno;
	if (procs_start_time(ct->pid) != ct->start_time)
		return ESRCH;
	int rc = fd >= 0 ? (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0)
			 : kill(ct->pid, sig);
	return rc < 0 ? errno : 0;
}

void procs_signal_all(const struct stored_container *ct, int sig)
{
	pid_t pids[PROCS_MAX];
	int n = procs_cgroup_pids(ct, pids, PROCS_MAX);
	for (int i = 0; i < n; i++)
		kill(pids[i], sig);
	if (n < 0)
		procs_signal_init(ct, sig);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* A frozen process dies only once thawed. */
void procs_kill_and_wait(const struct stored_container *ct)
{
	struct nsrun_error ignored;
	procs_signal_all(ct, SIGKILL);
	freezer_set(ct, false, &ignored);
	procs_signal_init(ct, SIGKILL);
	for (int i = 0; i < 1000 && procs_start_time(ct->pid) == ct->start_time; i++) {
		waitpid(ct->pid, NULL, WNOHANG); /* ours when created by `run` */
		sleep_ms(10);
	}
}

/* "RTMIN", "RTMIN+3", "RTMAX-2" (systemd stops on SIGRTMIN+3): the
 * signal, -1 for one out of range, 0 for a name of another kind. */
static int realtime_signal(const char *name)
{
	bool from_min = strncasecmp(name, "RTMIN", 5) == 0;
	if (!from_min && strncasecmp(name, "RTMAX", 5) != 0)
		return 0;
	const char *rest = name + 5;
	long offset = 0;
	if (*rest) {
		char *end;
		if (*rest != (from_min ? '+' : '-') || !rest[1])
			return -1;
		offset = strtol(rest + 1, &end, 10);
		/* Bounded before it is added: RTMIN+9223372036854775807. */
		if (*end || offset < 0 || offset > SIGRTMAX - SIGRTMIN)
			return -1;
	}
	long sig = from_min ? SIGRTMIN + offset : SIGRTMAX - offset;
	return sig >= SIGRTMIN && sig <= SIGRTMAX ? (int)sig : -1;
}

int procs_signal_number(const char *text)
{
	char *end;
	long n = strtol(text, &end, 10);
	if (*end == '\0')
		return n > 0 && n < NSIG ? (int)n : -1;
	const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
	int rt = realtime_signal(name);
	if (rt != 0)
		return rt;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcasecmp(abbrev, name) == 0)
			return sig;
	}
	return -1;
}

int procs_write_pid_file(const char *path, pid_t pid, struct nsrun_error *err)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%d", (int)pid); /* a number: fits */
	return store_write_atomic(path, text, (size_t)n, err);
}
