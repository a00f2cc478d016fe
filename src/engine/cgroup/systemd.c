/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd cgroup driver: a container's cgroup is a transient scope
 * unit that systemd makes (StartTransientUnit, Delegate=yes, the init's
 * pid in it), with the limits systemd can express as unit properties.
 * nsrun is a static program and Debian ships no static libsystemd, so the
 * D-Bus calls are made by a small helper linked against it,
 * nsrun-systemd (src/systemd/), which this file runs. See systemd.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/cgroup/systemd.h"
#include "util/cleanup.h"
#include "util/file.h"

#define PROPERTIES_SIZE 8192
#define HELPER_MESSAGE_SIZE 512

/* "a-b-c.slice" lives in "a.slice/a-b.slice/a-b-c.slice"; "-.slice" is
 * the root. */
int systemd_slice_path(const char *slice, char *out, size_t size)
{
	size_t len = strlen(slice);
	if (len < 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
		return -1;
	out[0] = '\0';
	if (strcmp(slice, "-.slice") == 0)
		return 0;
	size_t stem = len - 6, used = 0;
	for (size_t i = 0; i <= stem; i++) {
		if (i < stem && slice[i] != '-')
			continue;
		if (i == 0 || slice[i - 1] == '-')
			return -1; /* an empty part: "a--b.slice", "-a.slice" */
		int n = snprintf(out + used, size - used, "/%.*s.slice", (int)i, slice);
		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

int systemd_parse_path(const char *cgroups_path, const char *id, bool user, struct systemd_unit *u,
		       struct nsrun_error *err)
{
	char slice[SYSTEMD_NAME_MAX] = "", prefix[SYSTEMD_NAME_MAX] = "nsrun",
	     name[SYSTEMD_NAME_MAX];
	(void)snprintf(name, sizeof(name), "%s", id); /* ids are shorter */
	if (cgroups_path && *cgroups_path &&
	    sscanf(cgroups_path, "%255[^:]:%255[^:]:%255s", slice, prefix, name) != 3)
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, 0,
					"'%s': the systemd driver takes SLICE:PREFIX:NAME",
					cgroups_path);
	if (!slice[0] || strcmp(slice, "-") == 0)
		(void)snprintf(slice, sizeof(slice), "%s", user ? "user.slice" : "system.slice");
	memset(u, 0, sizeof(*u));
	u->user = user;
	/* A name that is a unit already is used as it is, as runc does. */
	size_t nl = strlen(name);
	bool is_unit = nl > 6 && (strcmp(name + nl - 6, ".scope") == 0 ||
				  strcmp(name + nl - 6, ".slice") == 0);
	if (path_format(u->slice, sizeof(u->slice), "%s", slice) < 0 ||
	    (is_unit ? path_format(u->unit, sizeof(u->unit), "%s", name)
		     : path_format(u->unit, sizeof(u->unit), "%s-%s.scope", prefix, name)) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, ENAMETOOLONG, "%s",
					cgroups_path);
	char path[SYSTEMD_NAME_MAX * 4];
	if (systemd_slice_path(u->slice, path, sizeof(path)) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, 0, "'%s' is not a slice",
					u->slice);
	return 0;
}

/* The helper: NSRUN_SYSTEMD_HELPER, else libexec/nsrun/ next to our own
 * prefix, else src/systemd/ of a build directory holding nsrun. */
static int helper_path(char *out, size_t size)
{
	const char *env = getenv("NSRUN_SYSTEMD_HELPER");
	if (env && *env)
		return path_format(out, size, "%s", env);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	static const char *const relative[] = { "../libexec/nsrun/nsrun-systemd",
						"src/systemd/nsrun-systemd" };
	for (size_t i = 0; i < ARRAY_SIZE(relative); i++)
		if (path_format(out, size, "%s/%s", self, relative[i]) == 0 &&
		    access(out, X_OK) == 0)
			return 0;
	errno = ENOENT;
	return -1;
}

/* Run the helper with `input` on its stdin; its error line into err. */
static int run_helper(const char *const args[], const char *input, struct nsrun_error *err)
{
	char path[PATH_MAX];
	if (helper_path(path, sizeof(path)) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, errno,
					"find nsrun-systemd (the systemd driver's D-Bus helper)");
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return nsrun_fail(err, errno, "pipe for nsrun-systemd");
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return nsrun_fail(err, errno, "pipe for nsrun-systemd");
	}
	cleanup_close int to_helper = in[1], from_helper = out[0];
	pid_t pid = fork();
	if (pid == 0) {
		/* Its stdout (ping's version) is not ours to print. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0 || null < 0 ||
		    dup2(null, STDOUT_FILENO) < 0)
			_exit(1);
		char *argv[8];
		size_t n = 0;
		argv[n++] = path;
		for (size_t i = 0; args[i] && n < ARRAY_SIZE(argv) - 1; i++)
			argv[n++] = (char *)args[i];
		argv[n] = NULL;
		execv(path, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (pid < 0)
		return nsrun_fail(err, errno, "fork nsrun-systemd");
	/* A helper that does not read all of it fails on its own: no SIGPIPE
	 * for us meanwhile, and the disposition is put back for what nsrun
	 * runs later. */
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_pipe;
	bool ignoring = sigaction(SIGPIPE, &ignore, &old_pipe) == 0;
	ssize_t w = input && *input ? write(to_helper, input, strlen(input)) : 0;
	(void)w;
	close(take_fd(&to_helper));
	if (ignoring)
		sigaction(SIGPIPE, &old_pipe, NULL);
	char msg[HELPER_MESSAGE_SIZE];
	size_t got = 0;
	ssize_t r;
	while (got < sizeof(msg) - 1 &&
	       (r = read(from_helper, msg + got, sizeof(msg) - 1 - got)) > 0)
		got += (size_t)r;
	msg[got] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	const char *text = strncmp(msg, "nsrun-systemd: ", 15) == 0 ? msg + 15 : msg;
	return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, 0, "systemd: %s",
				*text ? text : "nsrun-systemd failed");
}

static bool add(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool add(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size - used;
}

/* "infinity" for unlimited, as systemd's properties take it. */
static uint64_t limit_value(int64_t v)
{
	return v < 0 ? UINT64_MAX : (uint64_t)v;
}

/* A cpuset list ("0-3,6") as the bitmask bytes systemd takes. */
static bool cpuset_mask(const char *list, char *buf, size_t size)
{
	unsigned char mask[128] = { 0 };
	size_t top = 0;
	for (const char *p = list; *p;) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			return false;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (b < a || b >= sizeof(mask) * 8)
			return false;
		for (unsigned long c = a; c <= b; c++)
			mask[c / 8] |= (unsigned char)(1u << (c % 8));
		top = b / 8 + 1 > top ? b / 8 + 1 : top;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return false;
	}
	for (size_t i = 0; i < top; i++)
		if (!add(buf, size, "%02x", mask[i]))
			return false;
	return true;
}

/* The limits systemd knows, as its unit properties; the rest are written
 * to the unit's cgroup files by the cgroup code. */
static bool properties(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	bool ok = true;
	buf[0] = '\0';
	if (l->memory)
		ok &= add(buf, size, "%s t %" PRIu64 "\n", v2 ? "MemoryMax" : "MemoryLimit",
			  limit_value(l->memory));
	if (v2 && l->memory_swap && l->memory > 0)
		ok &= add(buf, size, "MemorySwapMax t %" PRIu64 "\n",
			  l->memory_swap < 0 ? UINT64_MAX : (uint64_t)(l->memory_swap - l->memory));
	if (l->pids)
		ok &= add(buf, size, "TasksMax t %" PRIu64 "\n", limit_value(l->pids));
	if (l->cpu_quota && l->cpu_quota != UINT64_MAX && l->cpu_period)
		ok &= add(buf, size,
			  "CPUQuotaPerSecUSec t %" PRIu64 "\nCPUQuotaPeriodUSec t %" PRIu64 "\n",
			  l->cpu_quota * 1000000 / l->cpu_period, l->cpu_period);
	if (v2 && l->cpu_weight)
		ok &= add(buf, size, "CPUWeight t %" PRIu64 "\n", l->cpu_weight);
	else if (!v2 && l->cpu_shares)
		ok &= add(buf, size, "CPUShares t %" PRIu64 "\n", l->cpu_shares);
	if (v2 && l->cpuset_cpus && *l->cpuset_cpus)
		ok &= add(buf, size, "AllowedCPUs ay ") && cpuset_mask(l->cpuset_cpus, buf, size) &&
		      add(buf, size, "\n");
	if (v2 && l->cpuset_mems && *l->cpuset_mems)
		ok &= add(buf, size, "AllowedMemoryNodes ay ") &&
		      cpuset_mask(l->cpuset_mems, buf, size) && add(buf, size, "\n");
	if (l->io_weight)
		ok &= add(buf, size, "%s t %u\n", v2 ? "IOWeight" : "BlockIOWeight",
			  !v2		       ? (unsigned)l->io_weight
			  : l->io_weight <= 10 ? 1u
					       : 1 + (l->io_weight - 10u) * 9999u / 990u);
	return ok;
}

int systemd_start(const struct systemd_unit *u, pid_t pid, const struct nsrun_cgroup_limits *l,
		  bool v2, struct nsrun_error *err)
{
	char props[PROPERTIES_SIZE], pid_text[24];
	if (!properties(l, v2, props, sizeof(props)))
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, E2BIG, "unit properties");
	(void)snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
	const char *args[] = { u->user ? "--user" : "start", u->user ? "start" : u->unit,
			       u->user ? u->unit : u->slice, u->user ? u->slice : pid_text,
			       u->user ? pid_text : NULL,    NULL };
	return run_helper(args, props, err);
}

int systemd_set(const struct systemd_unit *u, const struct nsrun_cgroup_limits *l, bool v2,
		struct nsrun_error *err)
{
	char props[PROPERTIES_SIZE];
	if (!properties(l, v2, props, sizeof(props)))
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, E2BIG, "unit properties");
	if (!props[0])
		return 0;
	const char *args[] = { u->user ? "--user" : "set", u->user ? "set" : u->unit,
			       u->user ? u->unit : NULL, NULL };
	return run_helper(args, props, err);
}

int systemd_stop(const struct systemd_unit *u, struct nsrun_error *err)
{
	const char *args[] = { u->user ? "--user" : "stop", u->user ? "stop" : u->unit,
			       u->user ? u->unit : NULL, NULL };
	return run_helper(args, NULL, err);
}

bool systemd_available(bool user)
{
	if (access("/run/systemd/system", F_OK) < 0)
		return false;
	const char *args[] = { user ? "--user" : "ping", user ? "ping" : NULL, NULL };
	struct nsrun_error ignored;
	return run_helper(args, NULL, &ignored) == 0;
}
