/* The sandbox's own cgroup: created per start under cgroup v2 where a
 * controller lives there and under v1 where it lives there (hybrid hosts
 * have both), limits written, the first process placed in it before it runs
 * anything, and everything removed when the sandbox ends. Leftovers of a
 * launcher that was SIGKILLed are removed on the next start. */
#ifndef NSRUN_ENGINE_CGROUP_CGROUP_H
#define NSRUN_ENGINE_CGROUP_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include <nsrun/nsrun.h>

#include "engine/container.h"

#define CGROUP_MAX_DIRS NSRUN_MAX_CGROUP_DIRS

struct cgroup_sandbox {
	unsigned n_dirs;
	struct {
		char path[NSRUN_CGROUP_PATH_MAX];
		bool v2;
		unsigned ctl_mask; /* the controllers whose limits are written here */
		size_t base_len;   /* path[0..base_len) exists already: a hierarchy's
				      mount or the cgroup nsrun runs in */
	} dirs[CGROUP_MAX_DIRS];
	bool named;  /* a cgroupsPath (an existing one is joined), else nsrun-<pid> */
	int v2_fd;   /* the v2 directory for CLONE_INTO_CGROUP, -1 if none */
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
 * process is in that cgroup (v1 moves it only after the clone): the init
 * stage unshares it then. */
bool cgroup_ns_deferred(const struct nsrun_spec *spec);

/* Create the cgroup directories for the spec's limits and write them:
 * cgroup_plan names the directories without touching the host (a caller
 * that may be killed records them first), cgroup_make makes them and
 * removes them again on failure. cgroup_create does both. */
int cgroup_plan(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err);
int cgroup_make(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err);
int cgroup_create(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		  struct nsrun_error *err);

/* Put pid into every directory (a no-op for the v2 one when clone3 placed
 * it there already; clone3 may not be available). */
int cgroup_enter(const struct cgroup_sandbox *cg, pid_t pid, struct nsrun_error *err);

/* Existing cgroup directories to move a process into (OCI exec): their
 * cgroup.procs opened now, before the mount namespace changes. */
int cgroup_join_open(const char *const *dirs, unsigned n, int *fds, struct nsrun_error *err);
int cgroup_join(const int *fds, unsigned n, pid_t pid, struct nsrun_error *err);

/* Kill what is left inside and remove the directories. */
void cgroup_destroy(struct cgroup_sandbox *cg);

/* Kill what is left in these cgroup directories and remove them (OCI delete,
 * where only the recorded paths are known). */
void cgroup_remove_dirs(char (*dirs)[NSRUN_CGROUP_PATH_MAX], unsigned n);

#endif
