/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's cgroups on v1, v2 and hybrid hosts: planned, made and
 * entered (removed: remove.c). See cgroup.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/magic.h>

#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/hierarchy.h"
#include "engine/cgroup/remove.h"
#include "util/cleanup.h"
#include "util/file.h"

#define CAP_MKNOD_BIT (1ULL << 27)
#define MAX_HIERARCHIES 20
#define MAX_CONTROLLERS 16

/* Device rules need enforcing only where the container could make a node
 * for a device nsrun did not create: with CAP_MKNOD and without a user
 * namespace. A v1 devices hierarchy takes them, else a BPF program on the
 * v2 cgroup. */
static bool devices_enforced(const struct nsrun_spec *spec)
{
	return spec->cgroup.device_rules && spec->cgroup.device_rules[0] &&
	       !(spec->new_ns & CLONE_NEWUSER) &&
	       (!spec->caps.set || (spec->caps.bounding & CAP_MKNOD_BIT)) &&
	       (cgroup_is_fs(CGROUP_ROOT "/devices", CGROUP_SUPER_MAGIC) || cgroup_v2_root());
}

/* Whether the v2 cgroup is where the device rules go. */
static bool devices_by_bpf(const struct nsrun_spec *spec)
{
	return devices_enforced(spec) && !cgroup_is_fs(CGROUP_ROOT "/devices", CGROUP_SUPER_MAGIC);
}

bool cgroup_wanted(const struct nsrun_spec *spec)
{
	return cgroup_limits_set(&spec->cgroup) || devices_enforced(spec) || spec->delegate_cgroup;
}

bool cgroup_ns_deferred(const struct nsrun_spec *spec)
{
	return (spec->new_ns & CLONE_NEWCGROUP) && (cgroup_wanted(spec) || spec->cgroup_path);
}

/* Where a sandbox's own cgroups go in a hierarchy: for root, on v2, a
 * cgroup of nsrun's own below the root, where controllers can be enabled
 * (a cgroup holding processes cannot pass them on); else the caller's. */
static int sandbox_parent(const struct hierarchy *h, char *out, size_t size)
{
	if (h->v2 && geteuid() == 0)
		return path_format(out, size, "%s/nsrun", h->mount);
	return path_format(out, size, "%s%s", h->mount, h->own);
}

/* Where a named cgroup goes: below the hierarchy's root for an absolute
 * cgroupsPath, else below the caller's cgroup. */
static int named_parent(const struct hierarchy *h, const char *name, char *out, size_t size)
{
	return path_format(out, size, "%s%s", h->mount, name[0] == '/' ? "" : h->own);
}

static int plan_dir(struct cgroup_sandbox *cg, const struct hierarchy *h, const char *base,
		    const char *name, const char *enable, struct nsrun_error *err)
{
	if (cg->n_dirs == CGROUP_MAX_DIRS)
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, E2BIG,
					"too many cgroup hierarchies");
	unsigned i = cg->n_dirs;
	if (path_format(cg->dirs[i].path, sizeof(cg->dirs[i].path), "%s/%s", base,
			name[0] == '/' ? name + 1 : name) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, ENAMETOOLONG,
					"a cgroup below %s", base);
	cg->dirs[i].v2 = h->v2;
	cg->plan[i].base_len = strlen(base);
	cg->plan[i].cpuset = !h->v2 && cgroup_word_in(h->controllers, "cpuset");
	(void)snprintf(cg->plan[i].enable, sizeof(cg->plan[i].enable), "%s", enable); /* fits */
	(void)snprintf(cg->plan[i].controllers, sizeof(cg->plan[i].controllers), "%s",
		       h->v2 ? "" : h->controllers); /* same size: fits */
	cg->n_dirs++;
	return 0;
}

/* The controllers the spec needs and where each is: `in_v1` says which
 * are bound to a v1 hierarchy (the rest must come from v2). */
static unsigned needed_controllers(const struct nsrun_spec *spec, const char **names)
{
	unsigned n = cgroup_limits_controllers(&spec->cgroup, names, MAX_CONTROLLERS - 1);
	if (devices_enforced(spec) && !devices_by_bpf(spec))
		names[n++] = "devices";
	return n;
}

static bool hierarchy_has(const struct hierarchy *h, const char *controller)
{
	/* v2's io is v1's blkio. */
	const char *v1_name = strcmp(controller, "io") == 0 ? "blkio" : controller;
	return cgroup_word_in(h->controllers, h->v2 ? controller : v1_name);
}

/* "+memory +pids": what v2 must enable for the needed controllers that no
 * v1 hierarchy holds. -1 where one is nowhere. */
static int v2_enable_text(const struct hierarchy *hs, unsigned nh, const char **need,
			  unsigned n_need, char *out, size_t size, struct nsrun_error *err)
{
	out[0] = '\0';
	for (unsigned c = 0; c < n_need; c++) {
		const struct hierarchy *home = NULL;
		for (unsigned i = 0; i < nh && !home; i++)
			if (hierarchy_has(&hs[i], need[c]))
				home = &hs[i];
		if (!home)
			return nsrun_fail(err, 0, "no %s controller on this host", need[c]);
		if (home->v2)
			(void)snprintf(out + strlen(out), size - strlen(out), "%s+%s",
				       out[0] ? " " : "", need[c]); /* sized for every controller */
	}
	return 0;
}

/* Whether a sandbox's own cgroup needs this hierarchy. */
static bool own_needs(const struct nsrun_spec *spec, const struct hierarchy *h, const char **need,
		      unsigned n_need, const char *enable)
{
	if (h->v2)
		return enable[0] != '\0' || devices_by_bpf(spec);
	for (unsigned c = 0; c < n_need; c++)
		if (hierarchy_has(h, need[c]))
			return true;
	return false;
}

int cgroup_plan(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err)
{
	memset(cg, 0, sizeof(*cg));
	cg->v2_fd = -1;
	cg->named = spec->cgroup_path != NULL;
	struct hierarchy hs[MAX_HIERARCHIES];
	int nh = cgroup_hierarchies(hs, MAX_HIERARCHIES, err);
	if (nh < 0)
		return -1;
	const char *need[MAX_CONTROLLERS];
	unsigned n_need = needed_controllers(spec, need);
	char enable[128], own_name[32], base[NSRUN_CGROUP_PATH_MAX];
	if (v2_enable_text(hs, (unsigned)nh, need, n_need, enable, sizeof(enable), err) < 0)
		return nsrun_error_about(err, NSRUN_ABOUT_CGROUP_PATH, -1);
	/* A cgroupsPath, or one of our own named after the launcher. */
	(void)snprintf(own_name, sizeof(own_name), CGROUP_NAME_PREFIX "%d", (int)getpid());
	const char *name = cg->named ? spec->cgroup_path : own_name;
	const struct systemd_unit *unit = spec_container(spec)->systemd;
	char scope[NSRUN_CGROUP_PATH_MAX];
	if (unit) {
		char slice[NSRUN_CGROUP_PATH_MAX];
		cg->named = cg->systemd = true;
		cg->unit = *unit;
		/* From each hierarchy's root: systemd makes the slice and the
		 * scope only where it manages the hierarchy; nsrun makes them in
		 * the others. */
		if (systemd_slice_path(unit->slice, slice, sizeof(slice)) < 0 ||
		    path_format(scope, sizeof(scope), "%s/%s", slice, unit->unit) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, 0,
						"'%s' is not a slice", unit->slice);
		name = scope;
	}
	for (int i = 0; i < nh; i++) {
		const struct hierarchy *h = &hs[i];
		if (!cg->named && !spec->delegate_cgroup &&
		    !own_needs(spec, h, need, n_need, enable))
			continue;
		if ((unit	 ? path_format(base, sizeof(base), "%s", h->mount)
		     : cg->named ? named_parent(h, name, base, sizeof(base))
				 : sandbox_parent(h, base, sizeof(base))) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_CGROUP_PATH, -1, errno,
						"a cgroup below %s", h->mount);
		if (plan_dir(cg, h, base, name, h->v2 ? enable : "", err) < 0)
			return -1;
	}
	return 0;
}

/* A v1 cpuset cgroup starts with no cpus and no memory nodes, and takes no
 * process so: it gets its parent's. */
static int fill_cpuset(const char *dir, struct nsrun_error *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char parent[NSRUN_CGROUP_PATH_MAX], value[4096];
	(void)snprintf(parent, sizeof(parent), "%s", dir); /* same size: fits */
	*strrchr(parent, '/') = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[NSRUN_CGROUP_PATH_MAX + 32];
		if (path_format(path, sizeof(path), "%s/%s", dir, files[i]) < 0 ||
		    file_read(path, value, sizeof(value)) < 0)
			return nsrun_fail(err, errno, "read %s/%s", dir, files[i]);
		if (value[0] != '\n' && value[0] != '\0')
			continue;
		if (path_format(path, sizeof(path), "%s/%s", parent, files[i]) < 0 ||
		    file_read(path, value, sizeof(value)) < 0 ||
		    file_write_str(dir, files[i], value) < 0)
			return nsrun_fail(err, errno, "copy %s of %s to %s", files[i], parent, dir);
	}
	return 0;
}

/* The base a planned directory is made below: nsrun's own v2 parent is
 * made here; elsewhere the base must exist and be writable. */
static int check_base(struct cgroup_sandbox *cg, unsigned i, struct nsrun_error *err)
{
	char *dir = cg->dirs[i].path;
	const char *enable = cg->plan[i].enable;
	size_t base_len = cg->plan[i].base_len;
	bool ours = !cg->named && geteuid() == 0 && cg->dirs[i].v2;
	char saved = dir[base_len];
	dir[base_len] = '\0';
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (ours && enable[0]) {
		*slash = '\0';
		if (file_write_str(dir, "cgroup.subtree_control", enable) < 0)
			rc = nsrun_fail(err, errno, "enable %s in %s", enable, dir);
		*slash = '/';
	}
	if (rc == 0 && ours && mkdir(dir, 0755) < 0 && errno != EEXIST)
		rc = nsrun_fail(err, errno, "create %s", dir);
	else if (rc == 0 && !cg->named && access(dir, W_OK) < 0)
		rc = nsrun_fail(err, errno,
				"cgroup limits need a delegated cgroup, and %s is not "
				"writable by uid %d",
				dir, (int)geteuid());
	dir[base_len] = saved;
	return rc;
}

/* One component below the base: its parent passes the controllers on (v2),
 * then it is made. An existing named cgroup is joined, as runc does, but
 * nsrun's own must be new. */
static int make_component(struct cgroup_sandbox *cg, unsigned i, char *dir, bool last,
			  struct nsrun_error *err)
{
	const char *enable = cg->plan[i].enable;
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	int rc = 0;
	if (enable[0] && file_write_str(dir, "cgroup.subtree_control", enable) < 0) {
		int e = errno;
		rc = nsrun_fail(err, e, "enable %s in %s%s", enable, dir,
				e == EBUSY ? " (it holds processes: run nsrun from a delegated "
					     "cgroup of its own)"
					   : "");
	}
	*slash = '/';
	if (rc < 0)
		return -1;
	if (mkdir(dir, 0755) < 0) {
		if (errno != EEXIST || (last && !cg->named))
			return nsrun_fail(err, errno, "create %s", dir);
		return 0;
	}
	return cg->plan[i].cpuset ? fill_cpuset(dir, err) : 0;
}

/* mkdir -p of a planned directory below its base. */
static int make_planned_dir(struct cgroup_sandbox *cg, unsigned i, struct nsrun_error *err)
{
	if (check_base(cg, i, err) < 0)
		return -1;
	char *dir = cg->dirs[i].path;
	for (char *p = dir + cg->plan[i].base_len + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		int rc = make_component(cg, i, dir, c == '\0', err);
		*p = c;
		if (rc < 0 || c == '\0')
			return rc;
	}
}

static void remove_stale_sandboxes(void)
{
	struct hierarchy hs[MAX_HIERARCHIES];
	struct nsrun_error ignored;
	int nh = cgroup_hierarchies(hs, MAX_HIERARCHIES, &ignored);
	for (int i = 0; i < nh; i++) {
		char parent[NSRUN_CGROUP_PATH_MAX];
		if (sandbox_parent(&hs[i], parent, sizeof(parent)) == 0)
			cgroup_remove_stale(parent, hs[i].v2);
	}
}

/* Make the planned directories of the v2 tree (v2) or of the v1
 * hierarchies; with open_v2, keep the v2 one open for clone3. */
static int make_some(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, bool v2,
		     bool open_v2, struct nsrun_error *err)
{
	for (unsigned i = 0; i < cg->n_dirs; i++) {
		if (cg->dirs[i].v2 != v2)
			continue;
		if (make_planned_dir(cg, i, err) < 0) {
			/* nsrun's own cgroup exists for the limits: name one. */
			if (!cg->named)
				nsrun_error_about(err, cgroup_limits_about(&spec->cgroup), -1);
			return -1;
		}
		if (open_v2 && v2 &&
		    (cg->v2_fd = open(cg->dirs[i].path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return nsrun_fail(err, errno, "open %s", cg->dirs[i].path);
	}
	return 0;
}

static int write_limits(const struct nsrun_spec *spec, const struct cgroup_sandbox *cg,
			struct nsrun_error *err)
{
	if (cgroup_apply_limits(cg->dirs, cg->n_dirs, &spec->cgroup, err) < 0 ||
	    (devices_enforced(spec) &&
	     cgroup_apply_device_rules(cg->dirs, cg->n_dirs, spec->cgroup.device_rules, err) < 0))
		return -1;
	return 0;
}

/* The v1 directories, then every limit (the v2 directory exists). */
static int make_v1_and_limits(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
			      struct nsrun_error *err)
{
	return make_some(spec, cg, false, false, err) < 0 || write_limits(spec, cg, err) < 0 ? -1
											     : 0;
}

/* Make every planned directory and write the limits, or remove them all. */
static int make_dirs(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		     struct nsrun_error *err)
{
	if (make_some(spec, cg, true, false, err) == 0 && make_v1_and_limits(spec, cg, err) == 0)
		return 0;
	cgroup_destroy(cg);
	return -1;
}

int cgroup_make_v2(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		   struct nsrun_error *err)
{
	if (cg->systemd)
		return 0; /* systemd makes them, once the process exists */
	if (!cg->named)
		remove_stale_sandboxes();
	if (make_some(spec, cg, true, true, err) < 0) {
		cgroup_destroy(cg);
		return -1;
	}
	return 0;
}

int cgroup_make_rest(const struct nsrun_spec *spec, struct cgroup_sandbox *cg,
		     struct nsrun_error *err)
{
	if (cg->systemd)
		return 0; /* cgroup_start_unit made them */
	return make_v1_and_limits(spec, cg, err);
}

/* Whether the scope's directory is where /proc/PID/cgroup (table) puts the
 * process in the hierarchy of planned directory i; its path there in in. */
static bool placed_in_scope(const struct cgroup_sandbox *cg, unsigned i, const char *table,
			    char *in, size_t size)
{
	const char *ctl = cg->dirs[i].v2 ? NULL : cg->plan[i].controllers;
	char first[64];
	if (ctl) { /* one word of "cpu,cpuacct" finds its line */
		(void)snprintf(first, sizeof(first), "%.*s", (int)strcspn(ctl, ","), ctl);
		ctl = first;
	}
	if (cgroup_own_path_in(table, ctl, in, size) < 0)
		return false;
	size_t len = strlen(in), unit_len = strlen(cg->unit.unit);
	return len > unit_len && in[len - unit_len - 1] == '/' &&
	       strcmp(in + len - unit_len, cg->unit.unit) == 0;
}

/* A user's manager makes the scope below its own cgroup, which nsrun cannot
 * know beforehand: the directories become those systemd put the process
 * in. In the hierarchies it does not manage (v1 controllers) an
 * unprivileged caller can make nothing: it goes without them, unless a
 * limit needs one. */
static int rebase_user_scope(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, pid_t pid,
			     struct nsrun_error *err)
{
	char file[64], table[4096];
	(void)snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid); /* fits */
	if (file_read(file, table, sizeof(table)) < 0)
		return nsrun_fail(err, errno, "read %s", file);
	const char *need[MAX_CONTROLLERS];
	unsigned n_need = needed_controllers(spec, need), kept = 0;
	for (unsigned i = 0; i < cg->n_dirs; i++) {
		char in[NSRUN_CGROUP_PATH_MAX], mount[NSRUN_CGROUP_PATH_MAX];
		if (!placed_in_scope(cg, i, table, in, sizeof(in))) {
			for (unsigned j = 0; j < n_need && !cg->dirs[i].v2; j++)
				if (cgroup_word_in(cg->plan[i].controllers, need[j]))
					return nsrun_fail_about(
						err, cgroup_limits_about(&spec->cgroup), -1, 0,
						"the user's systemd does not delegate the %s "
						"controller",
						need[j]);
			continue;
		}
		(void)snprintf(mount, sizeof(mount), "%.*s", (int)cg->plan[i].base_len,
			       cg->dirs[i].path); /* a part of it: fits */
		cg->plan[kept] = cg->plan[i];
		cg->dirs[kept].v2 = cg->dirs[i].v2;
		if (path_format(cg->dirs[kept].path, sizeof(cg->dirs[kept].path), "%s%s", mount,
				in) < 0)
			return nsrun_fail(err, errno, "the cgroup of %s", cg->unit.unit);
		kept++;
	}
	cg->n_dirs = kept;
	return 0;
}

int cgroup_start_unit(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, pid_t pid,
		      struct nsrun_error *err)
{
	if (!cg->systemd)
		return 0;
	bool unified = cgroup_is_fs(CGROUP_ROOT, CGROUP2_SUPER_MAGIC);
	if (systemd_start(&cg->unit, pid, &spec->cgroup, unified, err) < 0)
		return -1;
	if (cg->unit.user)
		return rebase_user_scope(spec, cg, pid, err);
	/* The hierarchies systemd does not handle get the scope's path too. */
	return make_dirs(spec, cg, err);
}

int cgroup_enter(const struct cgroup_sandbox *cg, pid_t pid, bool v2_entered,
		 struct nsrun_error *err)
{
	char text[24];
	(void)snprintf(text, sizeof(text), "%d", (int)pid);
	for (unsigned i = 0; i < cg->n_dirs; i++)
		if (!(v2_entered && cg->dirs[i].v2) &&
		    file_write_str(cg->dirs[i].path, "cgroup.procs", text) < 0)
			return nsrun_fail(err, errno, "move pid %d into %s", (int)pid,
					  cg->dirs[i].path);
	return 0;
}

unsigned long long cgroup_oom_kills(const struct cgroup_sandbox *cg)
{
	return cgroup_oom_kills_in(cg->dirs, cg->n_dirs);
}

int cgroup_join_open(const char *const *dirs, unsigned n, int *fds, struct nsrun_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		char path[NSRUN_CGROUP_PATH_MAX + 32];
		fds[i] = path_format(path, sizeof(path), "%s/cgroup.procs", dirs[i]) < 0
				 ? -1
				 : open(path, O_WRONLY | O_CLOEXEC);
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
