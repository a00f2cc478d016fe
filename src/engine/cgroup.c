/* The sandbox's cgroup on v1, v2 and hybrid hosts. See cgroup.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define NAME_PREFIX "nsrun-"

/* freezer: for OCI pause/resume (in cgroup v2 it is part of every cgroup). */
enum controller { CTL_MEMORY, CTL_PIDS, CTL_CPU, CTL_FREEZER, N_CTL };
static const char *const ctl_names[N_CTL] = { "memory", "pids", "cpu", "freezer" };
static const char *const ctl_options[N_CTL] = { "--memory", "--pids", "--cpus/--cpu-weight",
						"cgroupsPath" };

bool cgroup_wanted(const struct nsrun_spec *spec)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	return l->memory || l->memory_swap || l->pids || l->cpu_quota || l->cpu_weight;
}

static bool wants(const struct nsrun_spec *spec, enum controller c)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	switch (c) {
	case CTL_MEMORY: return l->memory || l->memory_swap;
	case CTL_PIDS: return l->pids != 0;
	case CTL_CPU: return l->cpu_quota || l->cpu_weight;
	case CTL_FREEZER: return spec->cgroup_path != NULL;
	default: return false;
	}
}

static bool is_fs(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

/* Where the cgroup2 hierarchy is mounted: "/sys/fs/cgroup" (v2), its
 * "unified" subdirectory (hybrid), or NULL (pure v1). */
static const char *v2_root(void)
{
	if (is_fs(CGROUP_ROOT, CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT;
	if (is_fs(CGROUP_ROOT "/unified", CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT "/unified";
	return NULL;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	buf[n] = '\0';
	return (int)n;
}

static int write_file(const char *dir, const char *name, const char *value)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	return 0;
}

static bool word_in(const char *list, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += len) {
		bool start = p == list || p[-1] == ' ' || p[-1] == ',' || p[-1] == ':';
		bool end = p[len] == '\0' || p[len] == ' ' || p[len] == ',' || p[len] == ':' ||
			   p[len] == '\n';
		if (start && end)
			return true;
	}
	return false;
}

/* The caller's cgroup path in the v1 hierarchy of `ctl` ("" for v2 when
 * ctl is NULL), from /proc/self/cgroup. */
static int own_cgroup(const char *ctl, char *out, size_t size)
{
	char buf[4096];
	if (read_file("/proc/self/cgroup", buf, sizeof(buf)) < 0)
		return -1;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		bool match = ctl ? word_in(c1 + 1, ctl) : c1[1] == '\0';
		if (match) {
			snprintf(out, size, "%s", strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* SIGKILL what is inside and rmdir, retrying while the dying processes
 * still hold it (about two seconds at most). */
static int remove_dir(const char *dir, bool v2)
{
	char procs[1200], buf[8192];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	for (long wait = 1; wait <= 512; wait *= 2) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		if (v2 && write_file(dir, "cgroup.kill", "1") == 0)
			;
		else if (read_file(procs, buf, sizeof(buf)) > 0) {
			char *save = NULL;
			for (char *p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
				kill((pid_t)atoi(p), SIGKILL);
		}
		sleep_ms(wait);
	}
	return -1;
}

/* Remove the cgroups of launchers that died without cleaning up. */
static void remove_stale(const char *parent, bool v2)
{
	DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, NAME_PREFIX, strlen(NAME_PREFIX)) != 0)
			continue;
		char *end;
		long pid = strtol(e->d_name + strlen(NAME_PREFIX), &end, 10);
		if (*end != '\0' || pid <= 0 || (pid != getpid() && pid_alive((pid_t)pid)))
			continue;
		char dir[1100];
		snprintf(dir, sizeof(dir), "%s/%s", parent, e->d_name);
		remove_dir(dir, v2);
	}
	closedir(d);
}

/* mkdir -p of a cgroupsPath below a hierarchy's root; an existing cgroup
 * is joined, as runc does. */
static int make_named_dir(struct cgroup_sandbox *cg, const char *root, const char *path, bool v2,
			  struct nsrun_error *err)
{
	if (cg->n_dirs == CGROUP_MAX_DIRS)
		return nsrun_fail(err, E2BIG, "cgroupsPath: too many cgroup hierarchies");
	char *dir = cg->dirs[cg->n_dirs].path;
	if ((size_t)snprintf(dir, sizeof(cg->dirs[0].path), "%s/%s", root,
			     path[0] == '/' ? path + 1 : path) >= sizeof(cg->dirs[0].path))
		return nsrun_fail(err, ENAMETOOLONG, "cgroupsPath %s", path);
	for (char *p = dir + strlen(root) + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return nsrun_fail(err, errno, "cgroupsPath: create %s", dir);
		*p = saved;
		if (saved == '\0')
			break;
	}
	cg->dirs[cg->n_dirs].v2 = v2;
	cg->n_dirs++;
	return 0;
}

static int make_dir(struct cgroup_sandbox *cg, const char *parent, bool v2, const char *option,
		    struct nsrun_error *err)
{
	if (cg->n_dirs == CGROUP_MAX_DIRS)
		return nsrun_fail(err, E2BIG, "%s: too many cgroup hierarchies", option);
	if (access(parent, W_OK) < 0)
		return nsrun_fail(err, errno,
				  "%s: cgroup limits need a delegated cgroup, and %s is not "
				  "writable by uid %d", option, parent, (int)geteuid());
	char *path = cg->dirs[cg->n_dirs].path;
	if ((size_t)snprintf(path, sizeof(cg->dirs[0].path), "%s/" NAME_PREFIX "%d", parent,
			     (int)getpid()) >= sizeof(cg->dirs[0].path))
		return nsrun_fail(err, ENAMETOOLONG, "%s: cgroup below %s", option, parent);
	if (mkdir(path, 0755) < 0)
		return nsrun_fail(err, errno, "%s: create cgroup %s", option, path);
	cg->dirs[cg->n_dirs].v2 = v2;
	cg->n_dirs++;
	return 0;
}

static int set_limit(const char *dir, const char *file, const char *value, const char *option,
		     struct nsrun_error *err)
{
	if (write_file(dir, file, value) < 0)
		return nsrun_fail(err, errno, "%s: write %s to %s/%s", option, value, dir, file);
	return 0;
}

static void u64text(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRId64, v);
}

static int write_v2_limits(const char *dir, const struct nsrun_spec *spec, enum controller c,
			   struct nsrun_error *err)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	char v[64];
	switch (c) {
	case CTL_MEMORY:
		if (l->memory) {
			u64text(v, sizeof(v), l->memory);
			if (set_limit(dir, "memory.max", v, "--memory", err) < 0)
				return -1;
		}
		if (l->memory_swap) {
			int64_t swap = l->memory_swap < 0 ? -1 : l->memory_swap - l->memory;
			u64text(v, sizeof(v), swap);
			if (set_limit(dir, "memory.swap.max", v, "--memory-swap", err) < 0)
				return -1;
		}
		return 0;
	case CTL_PIDS:
		u64text(v, sizeof(v), l->pids);
		return set_limit(dir, "pids.max", v, "--pids", err);
	case CTL_CPU:
		if (l->cpu_quota) {
			snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, l->cpu_quota, l->cpu_period);
			if (set_limit(dir, "cpu.max", v, "--cpus", err) < 0)
				return -1;
		}
		if (l->cpu_weight) {
			snprintf(v, sizeof(v), "%" PRIu64, l->cpu_weight);
			if (set_limit(dir, "cpu.weight", v, "--cpu-weight", err) < 0)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

static int write_v1_limits(const char *dir, const struct nsrun_spec *spec, enum controller c,
			   struct nsrun_error *err)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	char v[64];
	switch (c) {
	case CTL_MEMORY:
		if (l->memory) {
			snprintf(v, sizeof(v), "%" PRId64, l->memory);
			if (set_limit(dir, "memory.limit_in_bytes", v, "--memory", err) < 0)
				return -1;
		}
		if (l->memory_swap) {
			char probe[1200];
			snprintf(probe, sizeof(probe), "%s/memory.memsw.limit_in_bytes", dir);
			if (access(probe, F_OK) < 0)
				return nsrun_fail(err, 0, "--memory-swap: swap accounting is off on this host");
			snprintf(v, sizeof(v), "%" PRId64, l->memory_swap);
			if (set_limit(dir, "memory.memsw.limit_in_bytes", v, "--memory-swap", err) < 0)
				return -1;
		}
		return 0;
	case CTL_PIDS:
		u64text(v, sizeof(v), l->pids);
		return set_limit(dir, "pids.max", v, "--pids", err);
	case CTL_CPU:
		if (l->cpu_quota) {
			snprintf(v, sizeof(v), "%" PRIu64, l->cpu_period);
			if (set_limit(dir, "cpu.cfs_period_us", v, "--cpus", err) < 0)
				return -1;
			snprintf(v, sizeof(v), "%" PRIu64, l->cpu_quota);
			if (set_limit(dir, "cpu.cfs_quota_us", v, "--cpus", err) < 0)
				return -1;
		}
		if (l->cpu_weight) {
			/* cgroup v2 weight 1..10000 to v1 shares 2..262144 */
			uint64_t shares = 2 + ((l->cpu_weight - 1) * 262142) / 9999;
			snprintf(v, sizeof(v), "%" PRIu64, shares);
			if (set_limit(dir, "cpu.shares", v, "--cpu-weight", err) < 0)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* The v2 parent for the sandbox: for root a cgroup of nsrun's own below the
 * hierarchy's root, where the controllers can be enabled (a cgroup holding
 * processes cannot pass them on); for others their own, delegated cgroup. */
static int v2_parent(const char *root, unsigned ctl_mask, char *out, size_t size,
		     struct nsrun_error *err)
{
	char own[400], enable[64] = "";
	if (size < 700)
		return nsrun_fail(err, ENAMETOOLONG, "cgroup: parent path");
	for (int c = 0; c < N_CTL; c++)
		if (ctl_mask & (1U << c))
			snprintf(enable + strlen(enable), sizeof(enable) - strlen(enable), "%s+%s",
				 enable[0] ? " " : "", ctl_names[c]);
	if (geteuid() == 0) {
		snprintf(out, size, "%s/nsrun", root);
		if (write_file(root, "cgroup.subtree_control", enable) < 0)
			return nsrun_fail(err, errno, "cgroup: enable %s in %s", enable, root);
		if (mkdir(out, 0755) < 0 && errno != EEXIST)
			return nsrun_fail(err, errno, "cgroup: create %s", out);
	} else {
		if (own_cgroup(NULL, own, sizeof(own)) < 0)
			return nsrun_fail(err, errno, "cgroup: read /proc/self/cgroup");
		snprintf(out, size, "%s%s", root, own);
	}
	if (write_file(out, "cgroup.subtree_control", enable) < 0)
		return nsrun_fail(err, errno,
				  "cgroup: enable %s in %s%s", enable, out,
				  errno == EBUSY ? " (it holds processes: run nsrun from a "
						   "delegated cgroup of its own)" : "");
	return 0;
}

bool cgroup_ns_deferred(const struct nsrun_spec *spec)
{
	return (spec->new_ns & CLONE_NEWCGROUP) && (cgroup_wanted(spec) || spec->cgroup_path);
}

/* Leftovers of killed launchers, in every hierarchy nsrun puts sandboxes in
 * (not only those this start uses). */
static void remove_stale_everywhere(const char *root2)
{
	char own[400], parent[1024];
	for (int c = 0; c < N_CTL; c++) {
		char mount[256];
		snprintf(mount, sizeof(mount), CGROUP_ROOT "/%s", ctl_names[c]);
		if (!is_fs(mount, CGROUP_SUPER_MAGIC) || own_cgroup(ctl_names[c], own, sizeof(own)) < 0)
			continue;
		snprintf(parent, sizeof(parent), "%s%s", mount, own);
		remove_stale(parent, false);
	}
	if (!root2)
		return;
	if (geteuid() == 0) {
		snprintf(parent, sizeof(parent), "%s/nsrun", root2);
		remove_stale(parent, true);
	} else if (own_cgroup(NULL, own, sizeof(own)) == 0) {
		snprintf(parent, sizeof(parent), "%s%s", root2, own);
		remove_stale(parent, true);
	}
}

int cgroup_create(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		  struct nsrun_error *err)
{
	memset(cg, 0, sizeof(*cg));
	cg->v2_fd = -1;
	const char *root2 = v2_root();
	if (!spec->cgroup_path)
		remove_stale_everywhere(root2);
	char v2_controllers[512] = "";
	if (root2) {
		char path[256];
		snprintf(path, sizeof(path), "%s/cgroup.controllers", root2);
		if (read_file(path, v2_controllers, sizeof(v2_controllers)) < 0)
			v2_controllers[0] = '\0';
	}
	unsigned in_v2 = 0;
	for (int c = 0; c < N_CTL; c++) {
		if (!wants(spec, (enum controller)c))
			continue;
		if (root2 && (word_in(v2_controllers, ctl_names[c]) ||
			      (c == CTL_FREEZER && !is_fs(CGROUP_ROOT "/freezer", CGROUP_SUPER_MAGIC)))) {
			if (c != CTL_FREEZER)
				in_v2 |= 1U << c;
			continue;
		}
		/* v1: a hierarchy of its own, nested in the caller's cgroup */
		char mount[256], own[400], parent[1024];
		snprintf(mount, sizeof(mount), CGROUP_ROOT "/%s", ctl_names[c]);
		if (!is_fs(mount, CGROUP_SUPER_MAGIC)) {
			nsrun_fail(err, 0, "%s: no %s controller on this host", ctl_options[c],
				   ctl_names[c]);
			goto fail;
		}
		if (own_cgroup(ctl_names[c], own, sizeof(own)) < 0) {
			nsrun_fail(err, errno, "%s: find nsrun's %s cgroup", ctl_options[c], ctl_names[c]);
			goto fail;
		}
		snprintf(parent, sizeof(parent), "%s%s", mount, own);
		if (spec->cgroup_path ? make_named_dir(cg, spec->cgroup_path[0] == '/' ? mount : parent,
						       spec->cgroup_path, false, err) < 0
				      : make_dir(cg, parent, false, ctl_options[c], err) < 0)
			goto fail;
		if (write_v1_limits(cg->dirs[cg->n_dirs - 1].path, spec, (enum controller)c, err) < 0)
			goto fail;
	}
	if (spec->cgroup_path && root2) {
		/* OCI: a v2 cgroup too, for membership, freezing and its limits. */
		char own[400], parent[1024];
		if (own_cgroup(NULL, own, sizeof(own)) < 0)
			own[0] = '\0';
		snprintf(parent, sizeof(parent), "%s%s", root2, own);
		if (in_v2) {
			char enable[64] = "";
			for (int c = 0; c < N_CTL; c++)
				if (in_v2 & (1U << c))
					snprintf(enable + strlen(enable), sizeof(enable) - strlen(enable),
						 "%s+%s", enable[0] ? " " : "", ctl_names[c]);
			if (write_file(root2, "cgroup.subtree_control", enable) < 0) {
				nsrun_fail(err, errno, "cgroupsPath: enable %s in %s", enable, root2);
				goto fail;
			}
		}
		if (make_named_dir(cg, spec->cgroup_path[0] == '/' ? root2 : parent, spec->cgroup_path,
				   true, err) < 0)
			goto fail;
		const char *dir = cg->dirs[cg->n_dirs - 1].path;
		for (int c = 0; c < N_CTL; c++)
			if ((in_v2 & (1U << c)) && write_v2_limits(dir, spec, (enum controller)c, err) < 0)
				goto fail;
		cg->v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cg->v2_fd < 0) {
			nsrun_fail(err, errno, "cgroup: open %s", dir);
			goto fail;
		}
	} else if (in_v2) {
		char parent[1024];
		if (v2_parent(root2, in_v2, parent, sizeof(parent), err) < 0 ||
		    make_dir(cg, parent, true, "cgroup", err) < 0)
			goto fail;
		const char *dir = cg->dirs[cg->n_dirs - 1].path;
		for (int c = 0; c < N_CTL; c++)
			if ((in_v2 & (1U << c)) && write_v2_limits(dir, spec, (enum controller)c, err) < 0)
				goto fail;
		cg->v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cg->v2_fd < 0) {
			nsrun_fail(err, errno, "cgroup: open %s", dir);
			goto fail;
		}
	}
	return 0;
fail:
	cgroup_destroy(cg);
	return -1;
}

int cgroup_enter(const struct cgroup_sandbox *cg, pid_t pid, struct nsrun_error *err)
{
	char text[24];
	snprintf(text, sizeof(text), "%d", (int)pid);
	for (unsigned i = 0; i < cg->n_dirs; i++) {
		if (write_file(cg->dirs[i].path, "cgroup.procs", text) < 0)
			return nsrun_fail(err, errno, "cgroup: move pid %d into %s", (int)pid,
					  cg->dirs[i].path);
	}
	return 0;
}

void cgroup_destroy(struct cgroup_sandbox *cg)
{
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	cg->v2_fd = -1;
	for (unsigned i = 0; i < cg->n_dirs; i++)
		remove_dir(cg->dirs[i].path, cg->dirs[i].v2);
	cg->n_dirs = 0;
}

void cgroup_remove_dirs(char (*dirs)[1100], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		remove_dir(dirs[i], is_fs(dirs[i], CGROUP2_SUPER_MAGIC));
}

int cgroup_join_open(const char *const *dirs, unsigned n, int *fds, struct nsrun_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		char path[1200];
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[i]);
		fds[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int e = errno;
			while (i-- > 0)
				close(fds[i]);
			return nsrun_fail(err, e, "cgroup: open %s", path);
		}
	}
	return 0;
}

int cgroup_join(const int *fds, unsigned n, pid_t pid, struct nsrun_error *err)
{
	char text[24];
	int len = snprintf(text, sizeof(text), "%d", (int)pid);
	for (unsigned i = 0; i < n; i++)
		if (write(fds[i], text, (size_t)len) < 0)
			return nsrun_fail(err, errno, "cgroup: move pid %d into the container's cgroup",
					  (int)pid);
	return 0;
}
