/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's own cgroup: created per start on v1, v2 and hybrid hosts,
 * limits written, the first process placed in it before it runs anything,
 * and everything removed when the sandbox ends. A container's cgroup
 * (a cgroupsPath) is made in every hierarchy the host mounts, as runc and
 * crun do, so that whoever reads a container's usage finds it in each. A
 * sandbox's own cgroup (no path) only where its limits need one; those of
 * a launcher that was SIGKILLed are removed on the next start. */
#ifndef NSRUN_ENGINE_CGROUP_CGROUP_H
#define NSRUN_ENGINE_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <nsrun/nsrun.h>

#include "engine/cgroup/systemd.h"
#include "engine/container.h"

#define CGROUP_MAX_DIRS NSRUN_MAX_CGROUP_DIRS

/* One cgroup directory: in a v1 hierarchy, or the v2 tree. */
struct cgroup_dir {
	char path[NSRUN_CGROUP_PATH_MAX];
	bool v2;
};

struct cgroup_sandbox {
	unsigned n_dirs;
	struct cgroup_dir dirs[CGROUP_MAX_DIRS];
	struct {
		size_t base_len; /* path[0..base_len) exists already: a hierarchy's
				     mount or the cgroup nsrun runs in */
		bool cpuset; /* a v1 cpuset hierarchy: new cgroups get their
				     parent's cpus and mems */
		char enable[128]; /* v2: the controllers to enable on the way down */
		char controllers[128]; /* v1: the hierarchy's, as /proc/PID/cgroup
					  names them */
	} plan[CGROUP_MAX_DIRS];
	bool named; /* a cgroupsPath (an existing one is joined), else nsrun-<pid> */
	bool systemd; /* a scope systemd makes: cgroup_start_unit after the clone */
	struct systemd_unit unit;
	int v2_fd; /* the v2 directory for CLONE_INTO_CGROUP, -1 if none */
};

/* The caller's cgroup in the v1 hierarchy whose /proc/self/cgroup line
 * names `ctl` ("memory", "cpu,cpuacct", "name=systemd"), or in v2 when ctl
 * is NULL: "" for the hierarchy's root, else "/a/b". -1 with errno
 * (ENOENT: not in that hierarchy). */
int cgroup_own_path(const char *ctl, char *out, size_t size);

/* Whether `word` is one of the words of a controller list ("cpu,cpuacct"). */
bool cgroup_word_in(const char *list, const char *word);

/* /proc/self/cgroup as text, for several cgroup_own_path_in calls. */
int cgroup_own_table(char *buf, size_t size);
int cgroup_own_path_in(const char *table, const char *ctl, char *out, size_t size);

/* Whether the spec asks for any cgroup limit. */
bool cgroup_wanted(const struct nsrun_spec *spec);

/* With a cgroup of its own, a new cgroup namespace must be made after the
 * process is in that cgroup (v1 moves it only after the clone): the stage
 * unshares it then. */
bool cgroup_ns_deferred(const struct nsrun_spec *spec);

/* Create the cgroup directories for the spec and write its limits:
 * cgroup_plan names the directories without touching the host (a caller
 * that may be killed records them first). cgroup_make_v2 makes the v2
 * directory, which clone3 starts the child in (v2_fd), and removes stale
 * sandboxes' cgroups; it removes what it made on failure.
 * cgroup_make_rest, after the clone, makes the v1 directories and writes
 * every limit, while the child makes its namespaces; on failure the
 * caller removes them (cgroup_destroy). */
int cgroup_plan(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err);
int cgroup_make_v2(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		   struct nsrun_error *err);
int cgroup_make_rest(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		     struct nsrun_error *err);

/* Remove the v1 directories and forget them: the v2 one stays, with the
 * child in it (cgroup_make_rest was refused where nothing needs them). */
void cgroup_drop_v1(struct cgroup_sandbox *cg);

/* The systemd driver's cgroup_make_v2 and _rest, once the first process
 * exists: the scope with pid in it, then what systemd did not make and the
 * limits it does not express. A no-op for cgroupfs. */
int cgroup_start_unit(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, pid_t pid,
		      struct nsrun_error *err);

/* Put pid into every directory, but the v2 one if it started there
 * (v2_entered: clone3's CLONE_INTO_CGROUP took it). */
int cgroup_enter(const struct cgroup_sandbox *cg, pid_t pid, bool v2_entered,
		 struct nsrun_error *err);

/* Existing cgroup directories to move a process into (OCI exec): their
 * cgroup.procs opened now, before the mount namespace changes. */
int cgroup_join_open(const char *const *dirs, unsigned n, int *fds, struct nsrun_error *err);
int cgroup_join(const int *fds, unsigned n, pid_t pid, struct nsrun_error *err);

/* Write limits into existing directories (create, and OCI update): each
 * goes where its file is. An unset limit is left as it is. */
int cgroup_apply_limits(const struct cgroup_dir *dirs, unsigned n,
			const struct nsrun_cgroup_limits *limits, struct nsrun_error *err);

/* The part of the spec the first limit that is set comes from
 * (NSRUN_ABOUT_NOTHING for none): what a cgroup of its own is for. */
enum nsrun_about cgroup_limits_about(const struct nsrun_cgroup_limits *limits);

/* Whether any limit is set; the controllers the set ones need (names
 * point at static strings). */
bool cgroup_limits_set(const struct nsrun_cgroup_limits *limits);
unsigned cgroup_limits_controllers(const struct nsrun_cgroup_limits *limits, const char **names,
				   unsigned max);

/* The device rules into v1 devices cgroups among dirs. */
int cgroup_apply_device_rules(const struct cgroup_dir *dirs, unsigned n, const char *rules,
			      struct nsrun_error *err);

/* How many processes the out-of-memory killer killed in the sandbox's
 * memory cgroup. */
unsigned long long cgroup_oom_kills(const struct cgroup_sandbox *cg);

/* A container's use, from its cgroups (OCI events). Counters that the
 * host does not have stay 0. CPU times are nanoseconds. */
struct cgroup_stats {
	uint64_t cpu_total, cpu_user, cpu_system;
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_time;
	uint64_t memory_usage, memory_limit, memory_max_usage, memory_failcnt;
	uint64_t swap_usage, swap_limit; /* v1: memory plus swap */
	char memory_stat[8192]; /* memory.stat as it is */
	uint64_t pids_current, pids_limit; /* UINT64_MAX: no limit */
	char io_stat[8192]; /* io.stat (v2) or blkio's io_service_bytes (v1) */
	bool io_stat_v1;
	uint64_t oom_kills;
};

int cgroup_read_stats(const struct cgroup_dir *dirs, unsigned n, struct cgroup_stats *s);

/* The OOM kills counted in the memory cgroup among dirs. */
uint64_t cgroup_oom_kills_in(const struct cgroup_dir *dirs, unsigned n);

/* Kill what is left inside, and remove the directories with whatever was
 * made below them, deepest first. */
void cgroup_destroy(struct cgroup_sandbox *cg);

/* The same for directories known by path only (OCI delete). 0, or -1 with
 * err naming the first that could not be removed. */
int cgroup_remove_dirs(char (*dirs)[NSRUN_CGROUP_PATH_MAX], unsigned n, struct nsrun_error *err);

#endif
