/* The sandbox's cgroup on v1, v2 and hybrid hosts: planned, made, entered
 * and removed. See cgroup.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/hierarchy.h"
#include "util/cleanup.h"
#include "util/file.h"

#define NAME_PREFIX "nsrun-"
#define MOUNT_SIZE 256
#define BASE_SIZE 1024
#define PROCS_SIZE 8192

/* snprintf results cast to (void) below write a number, a controller's
 * mount (CGROUP_ROOT and a name) or "+ctl" words into a buffer sized for
 * them: they cannot be cut short. Paths built from a caller's directory
 * are checked. */

static const char *const ctl_names[N_CTL] = { "memory", "pids", "cpu", "freezer", "devices" };
static const enum nsrun_about ctl_abouts[N_CTL] = {
	NSRUN_ABOUT_MEMORY, NSRUN_ABOUT_PIDS, NSRUN_ABOUT_CPU_QUOTA, NSRUN_ABOUT_CGROUP_PATH,
	NSRUN_ABOUT_DEVICE_RULES,
};

const char *cgroup_ctl_name(enum controller c)
{
	return ctl_names[c];
}

enum nsrun_about cgroup_ctl_about(enum controller c)
{
	return ctl_abouts[c];
}

const char *cgroup_v2_root(void)
{
	if (cgroup_is_fs(CGROUP_ROOT, CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT;
	if (cgroup_is_fs(CGROUP_ROOT "/unified", CGROUP2_SUPER_MAGIC))
		return CGROUP_ROOT "/unified";
	return NULL;
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

/* SIGKILL every process listed in a cgroup.procs file. */
static void kill_listed(const char *procs)
{
	char buf[PROCS_SIZE];
	if (file_read(procs, buf, sizeof(buf)) <= 0)
		return;
	char *save = NULL;
	for (char *p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		char *end;
		errno = 0;
		long pid = strtol(p, &end, 10);
		/* Only a whole pid: kill(0) or kill(-1) would hit us or everyone. */
		if (errno == 0 && end != p && *end == '\0' && pid > 0 && pid <= INT_MAX)
			kill((pid_t)pid, SIGKILL);
	}
}

/* SIGKILL what is inside and rmdir, retrying while the dying processes
 * still hold it (about two seconds at most). */
static int remove_dir(const char *dir, bool v2)
{
	char procs[NSRUN_CGROUP_PATH_MAX + 32];
	if (path_format(procs, sizeof(procs), "%s/cgroup.procs", dir) < 0)
		return -1;
	for (long wait = 1; wait <= 512; wait *= 2) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		if (!v2 || file_write_str(dir, "cgroup.kill", "1") < 0)
			kill_listed(procs);
		sleep_ms(wait);
	}
	return -1;
}

/* Remove the cgroups of launchers that died without cleaning up. */
static void remove_stale(const char *parent, bool v2)
{
	cleanup_closedir DIR *d = opendir(parent);
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
		char dir[NSRUN_CGROUP_PATH_MAX];
		if (path_format(dir, sizeof(dir), "%s/%s", parent, e->d_name) == 0)
			remove_dir(dir, v2);
	}
}

bool cgroup_ns_deferred(const struct nsrun_spec *spec)
{
	return (spec->new_ns & CLONE_NEWCGROUP) && (cgroup_wanted(spec) || spec->cgroup_path);
}

/* The cgroup nsrun runs in: "<mount><own>", where mount is where the
 * hierarchy is mounted, a v1 controller's (ctl names it) or the v2 one
 * (ctl NULL). */
static int own_dir(const char *mount, const char *ctl, char *out, size_t size)
{
	char own[400];
	if (cgroup_own_path(ctl, own, sizeof(own)) < 0)
		return -1;
	return path_format(out, size, "%s%s", mount, own);
}

/* Where unnamed v2 sandboxes go: for root a cgroup of nsrun's own below the
 * hierarchy's root, where controllers can be enabled (a cgroup holding
 * processes cannot pass them on); for others their own, delegated cgroup. */
static int v2_sandbox_parent(const char *root2, char *out, size_t size)
{
	if (geteuid() == 0)
		return path_format(out, size, "%s/nsrun", root2);
	return own_dir(root2, NULL, out, size);
}

/* Leftovers of killed launchers, in every hierarchy nsrun puts sandboxes in
 * (not only those this start uses). */
static void remove_stale_everywhere(const char *root2)
{
	char parent[BASE_SIZE];
	for (int c = 0; c < N_CTL; c++) {
		char mount[MOUNT_SIZE];
		(void)snprintf(mount, sizeof(mount), CGROUP_ROOT "/%s", ctl_names[c]);
		if (cgroup_is_fs(mount, CGROUP_SUPER_MAGIC) &&
		    own_dir(mount, ctl_names[c], parent, sizeof(parent)) == 0)
			remove_stale(parent, false);
	}
	if (root2 && v2_sandbox_parent(root2, parent, sizeof(parent)) == 0)
		remove_stale(parent, true);
}

static int plan_dir(struct cgroup_sandbox *cg, const char *base, const char *name, bool v2,
		    unsigned ctl_mask, enum nsrun_about about, struct nsrun_error *err)
{
	if (cg->n_dirs == CGROUP_MAX_DIRS)
		return nsrun_fail_about(err, about, -1, E2BIG, "too many cgroup hierarchies");
	char *path = cg->dirs[cg->n_dirs].path;
	if (path_format(path, sizeof(cg->dirs[0].path), "%s/%s", base,
			name[0] == '/' ? name + 1 : name) < 0)
		return nsrun_fail_about(err, about, -1, ENAMETOOLONG, "a cgroup below %s", base);
	cg->dirs[cg->n_dirs].v2 = v2;
	cg->dirs[cg->n_dirs].ctl_mask = ctl_mask;
	cg->dirs[cg->n_dirs].base_len = strlen(base);
	cg->n_dirs++;
	return 0;
}

/* A v1 controller's directory: a hierarchy of its own, nested in the
 * caller's cgroup (or at its root, for an absolute cgroupsPath). */
static int plan_v1(struct cgroup_sandbox *cg, enum controller c, const char *name,
		   bool absolute, struct nsrun_error *err)
{
	char mount[MOUNT_SIZE], base[BASE_SIZE];
	(void)snprintf(mount, sizeof(mount), CGROUP_ROOT "/%s", ctl_names[c]);
	if (!cgroup_is_fs(mount, CGROUP_SUPER_MAGIC))
		return nsrun_fail_about(err, ctl_abouts[c], -1, 0, "no %s controller on this host",
					ctl_names[c]);
	if (absolute)
		(void)snprintf(base, sizeof(base), "%s", mount);
	else if (own_dir(mount, ctl_names[c], base, sizeof(base)) < 0)
		return nsrun_fail_about(err, ctl_abouts[c], -1, errno, "find nsrun's %s cgroup",
					ctl_names[c]);
	return plan_dir(cg, base, name, false, 1U << c, ctl_abouts[c], err);
}

/* The v2 directory: for membership, freezing and the limits it holds. */
static int plan_v2(struct cgroup_sandbox *cg, const char *root2, const char *name,
		   bool absolute, unsigned in_v2, struct nsrun_error *err)
{
	char base[BASE_SIZE];
	if (absolute) {
		(void)snprintf(base, sizeof(base), "%s", root2);
	} else if (cg->named) {
		if (own_dir(root2, NULL, base, sizeof(base)) < 0)
			(void)snprintf(base, sizeof(base), "%s", root2);
	} else if (v2_sandbox_parent(root2, base, sizeof(base)) < 0) {
		return nsrun_fail(err, errno, "find nsrun's cgroup v2 parent");
	}
	return plan_dir(cg, base, name, true, in_v2, NSRUN_ABOUT_CGROUP_PATH, err);
}

int cgroup_plan(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err)
{
	memset(cg, 0, sizeof(*cg));
	cg->v2_fd = -1;
	cg->named = spec->cgroup_path != NULL;
	const char *root2 = cgroup_v2_root();
	char v2_controllers[512] = "", own_name[32];
	if (root2) {
		char path[MOUNT_SIZE];
		(void)snprintf(path, sizeof(path), "%s/cgroup.controllers", root2);
		if (file_read(path, v2_controllers, sizeof(v2_controllers)) < 0)
			v2_controllers[0] = '\0';
	}
	/* A cgroupsPath, or one of our own named after the launcher. */
	(void)snprintf(own_name, sizeof(own_name), NAME_PREFIX "%d", (int)getpid());
	const char *name = cg->named ? spec->cgroup_path : own_name;
	bool absolute = cg->named && name[0] == '/';
	unsigned in_v2 = 0;
	for (int c = 0; c < N_CTL; c++) {
		if (!cgroup_wants(spec, (enum controller)c))
			continue;
		bool v2_freezer = c == CTL_FREEZER &&
				  !cgroup_is_fs(CGROUP_ROOT "/freezer", CGROUP_SUPER_MAGIC);
		if (root2 && (cgroup_word_in(v2_controllers, ctl_names[c]) || v2_freezer)) {
			if (c != CTL_FREEZER)
				in_v2 |= 1U << c;
			continue;
		}
		if (plan_v1(cg, (enum controller)c, name, absolute, err) < 0)
			return -1;
	}
	if (root2 && (cg->named || in_v2))
		return plan_v2(cg, root2, name, absolute, in_v2, err);
	return 0;
}

/* "+memory +pids" for a controller mask. */
static void enable_text(unsigned ctl_mask, char *out, size_t size)
{
	out[0] = '\0';
	for (int c = 0; c < N_CTL; c++)
		if (ctl_mask & (1U << c))
			(void)snprintf(out + strlen(out), size - strlen(out), "%s+%s", out[0] ? " " : "",
				       ctl_names[c]);
}

/* The part of the spec that asked for the first controller of a mask. */
static enum nsrun_about mask_about(unsigned ctl_mask)
{
	for (int c = 0; c < N_CTL; c++)
		if (ctl_mask & (1U << c))
			return ctl_abouts[c];
	return NSRUN_ABOUT_CGROUP_PATH;
}

/* The base directory a planned one is made below: nsrun's own v2 parent
 * is made here; elsewhere the base must exist and be writable. */
static int check_base(struct cgroup_sandbox *cg, unsigned i, const char *root2,
		      const char *enable, struct nsrun_error *err)
{
	char *dir = cg->dirs[i].path;
	size_t base_len = cg->dirs[i].base_len;
	bool ours = !cg->named && geteuid() == 0 && cg->dirs[i].v2;
	if (ours && enable[0] && file_write_str(root2, "cgroup.subtree_control", enable) < 0)
		return nsrun_fail(err, errno, "enable %s in %s", enable, root2);
	char saved = dir[base_len];
	dir[base_len] = '\0';
	int rc = 0;
	if (ours && mkdir(dir, 0755) < 0 && errno != EEXIST)
		rc = nsrun_fail(err, errno, "create %s", dir);
	else if (!cg->named && access(dir, W_OK) < 0)
		rc = nsrun_fail_about(err, mask_about(cg->dirs[i].ctl_mask), -1, errno,
				      "cgroup limits need a delegated cgroup, and %s is not "
				      "writable by uid %d", dir, (int)geteuid());
	dir[base_len] = saved;
	return rc;
}

/* One component below the base: its parent passes the controllers on (v2),
 * then it is made. An existing named cgroup is joined, as runc does, but
 * nsrun's own must be new. */
static int make_component(struct cgroup_sandbox *cg, char *dir, bool last, const char *enable,
			  struct nsrun_error *err)
{
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	int rc = 0;
	if (enable[0] && file_write_str(dir, "cgroup.subtree_control", enable) < 0) {
		int e = errno;
		rc = nsrun_fail(err, e, "enable %s in %s%s", enable, dir,
				e == EBUSY ? " (it holds processes: run nsrun from a delegated "
					     "cgroup of its own)" : "");
	}
	*slash = '/';
	if (rc == 0 && mkdir(dir, 0755) < 0 && (errno != EEXIST || (last && !cg->named)))
		rc = nsrun_fail(err, errno, "create %s", dir);
	return rc;
}

/* mkdir -p of a planned directory below its base. */
static int make_planned_dir(struct cgroup_sandbox *cg, unsigned i, const char *root2,
			    struct nsrun_error *err)
{
	char enable[64];
	enable_text(cg->dirs[i].ctl_mask, enable, sizeof(enable));
	if (!cg->dirs[i].v2)
		enable[0] = '\0';
	if (check_base(cg, i, root2, enable, err) < 0)
		return -1;
	char *dir = cg->dirs[i].path;
	for (char *p = dir + cg->dirs[i].base_len + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		int rc = make_component(cg, dir, c == '\0', enable, err);
		*p = c;
		if (rc < 0 || c == '\0')
			return rc;
	}
}

int cgroup_make(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err)
{
	const char *root2 = cgroup_v2_root();
	if (!cg->named)
		remove_stale_everywhere(root2);
	for (unsigned i = 0; i < cg->n_dirs; i++) {
		if (make_planned_dir(cg, i, root2, err) < 0)
			goto fail;
		const char *dir = cg->dirs[i].path;
		for (int c = 0; c < N_CTL; c++)
			if ((cg->dirs[i].ctl_mask & (1U << c)) &&
			    cgroup_write_limits(dir, cg->dirs[i].v2, spec, (enum controller)c, err) < 0)
				goto fail;
		if (cg->dirs[i].v2 && (cg->v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
			nsrun_fail(err, errno, "open %s", dir);
			goto fail;
		}
	}
	return 0;
fail:
	cgroup_destroy(cg);
	return -1;
}

int cgroup_create(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		  struct nsrun_error *err)
{
	return cgroup_plan(spec, cg, err) < 0 ? -1 : cgroup_make(spec, cg, err);
}

int cgroup_enter(const struct cgroup_sandbox *cg, pid_t pid, struct nsrun_error *err)
{
	char text[24];
	(void)snprintf(text, sizeof(text), "%d", (int)pid);
	for (unsigned i = 0; i < cg->n_dirs; i++)
		if (file_write_str(cg->dirs[i].path, "cgroup.procs", text) < 0)
			return nsrun_fail(err, errno, "move pid %d into %s", (int)pid,
					  cg->dirs[i].path);
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

void cgroup_remove_dirs(char (*dirs)[NSRUN_CGROUP_PATH_MAX], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		remove_dir(dirs[i], cgroup_is_fs(dirs[i], CGROUP2_SUPER_MAGIC));
}

int cgroup_join_open(const char *const *dirs, unsigned n, int *fds, struct nsrun_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		char path[NSRUN_CGROUP_PATH_MAX + 32];
		fds[i] = path_format(path, sizeof(path), "%s/cgroup.procs", dirs[i]) < 0
				 ? -1 : open(path, O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			nsrun_fail(err, errno, "open %s/cgroup.procs", dirs[i]);
			while (i-- > 0)
				close(fds[i]);
			return -1;
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
			return nsrun_fail(err, errno, "move pid %d into the container's cgroup",
					  (int)pid);
	return 0;
}
