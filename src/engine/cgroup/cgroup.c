/* The sandbox's cgroup on v1, v2 and hybrid hosts. See cgroup.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
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

#include "engine/cgroup/cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define NAME_PREFIX "nsrun-"

/* snprintf results cast to (void) below write a number, a controller's
 * mount (CGROUP_ROOT and a name) or "+ctl" words into a buffer sized for
 * them: they cannot be cut short. Paths built from a caller's directory
 * are checked. */

/* freezer: for OCI pause/resume (in cgroup v2 it is part of every cgroup). */
enum controller { CTL_MEMORY, CTL_PIDS, CTL_CPU, CTL_FREEZER, CTL_DEVICES, N_CTL };
static const char *const ctl_names[N_CTL] = { "memory", "pids", "cpu", "freezer", "devices" };
static const char *const ctl_options[N_CTL] = { "--memory", "--pids", "--cpus/--cpu-weight",
						"cgroupsPath", "linux.resources.devices" };

static bool is_fs(const char *path, long magic);

/* Device rules need a devices cgroup only where the container could make
 * a node for a device nsrun did not create: with CAP_MKNOD and without a
 * user namespace. cgroup v2 has no devices file (it takes a BPF program,
 * which nsrun does not load): there only the nodes nsrun makes exist. */
static bool devices_enforced(const struct nsrun_spec *spec)
{
	const uint64_t mknod = 1ULL << 27; /* CAP_MKNOD */
	return spec->cgroup.device_rules && spec->cgroup.device_rules[0] &&
	       !(spec->new_ns & CLONE_NEWUSER) &&
	       (!spec->caps.set || (spec->caps.bounding & mknod)) &&
	       is_fs(CGROUP_ROOT "/devices", CGROUP_SUPER_MAGIC);
}

bool cgroup_wanted(const struct nsrun_spec *spec)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	return l->memory || l->memory_swap || l->pids || l->cpu_quota || l->cpu_weight ||
	       devices_enforced(spec);
}

static bool wants(const struct nsrun_spec *spec, enum controller c)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	switch (c) {
	case CTL_MEMORY: return l->memory || l->memory_swap;
	case CTL_PIDS: return l->pids != 0;
	case CTL_CPU: return l->cpu_quota || l->cpu_weight;
	case CTL_FREEZER: return spec->cgroup_path != NULL;
	case CTL_DEVICES: return devices_enforced(spec);
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
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
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

int cgroup_own_table(char *buf, size_t size)
{
	return read_file("/proc/self/cgroup", buf, size) < 0 ? -1 : 0;
}

int cgroup_own_path(const char *ctl, char *out, size_t size)
{
	char table[4096];
	if (cgroup_own_table(table, sizeof(table)) < 0)
		return -1;
	return cgroup_own_path_in(table, ctl, out, size);
}

int cgroup_own_path_in(const char *table, const char *ctl, char *out, size_t size)
{
	char buf[4096];
	(void)snprintf(buf, sizeof(buf), "%s", table); /* a table read into 4096 bytes: fits */
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		bool match = ctl ? word_in(c1 + 1, ctl) : c1[1] == '\0';
		if (match) {
			if ((size_t)snprintf(out, size, "%s", strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1) >= size) {
				errno = ENAMETOOLONG;
				return -1;
			}
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
	if ((size_t)snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) >= sizeof(procs)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (long wait = 1; wait <= 512; wait *= 2) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		if (v2 && write_file(dir, "cgroup.kill", "1") == 0)
			;
		else if (read_file(procs, buf, sizeof(buf)) > 0) {
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
		char dir[NSRUN_CGROUP_PATH_MAX];
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", parent, e->d_name) >= sizeof(dir))
			continue; /* not a directory nsrun could have made */
		remove_dir(dir, v2);
	}
	closedir(d);
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
		(void)snprintf(buf, size, "max");
	else
		(void)snprintf(buf, size, "%" PRId64, v);
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
			(void)snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, l->cpu_quota, l->cpu_period);
			if (set_limit(dir, "cpu.max", v, "--cpus", err) < 0)
				return -1;
		}
		if (l->cpu_weight) {
			(void)snprintf(v, sizeof(v), "%" PRIu64, l->cpu_weight);
			if (set_limit(dir, "cpu.weight", v, "--cpu-weight", err) < 0)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* What runc and crun allow besides the config's rules: making any node,
 * and the nodes every container gets (null, zero, full, random, urandom,
 * tty, ptmx and the pts). */
static const char *const default_device_rules[] = {
	"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
	"c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm",
};

/* The config's device rules in order, then the defaults, into a v1
 * devices cgroup: "allow X" to devices.allow, "deny X" to devices.deny. */
static int write_device_rules(const char *dir, const char *rules, struct nsrun_error *err)
{
	const char *option = ctl_options[CTL_DEVICES];
	for (const char *line = rules; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char rule[96];
		if (len >= sizeof(rule))
			return nsrun_fail(err, EINVAL, "%s: a rule too long", option);
		memcpy(rule, line, len);
		rule[len] = '\0';
		bool allow = strncmp(rule, "allow ", 6) == 0;
		if (!allow && strncmp(rule, "deny ", 5) != 0)
			return nsrun_fail(err, EINVAL, "%s: '%s' is not a rule", option, rule);
		if (set_limit(dir, allow ? "devices.allow" : "devices.deny", rule + (allow ? 6 : 5),
			      option, err) < 0)
			return -1;
		line += len + (end != NULL);
	}
	for (size_t i = 0; i < sizeof(default_device_rules) / sizeof(default_device_rules[0]); i++)
		if (set_limit(dir, "devices.allow", default_device_rules[i], option, err) < 0)
			return -1;
	return 0;
}

static int write_v1_limits(const char *dir, const struct nsrun_spec *spec, enum controller c,
			   struct nsrun_error *err)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	char v[64];
	switch (c) {
	case CTL_MEMORY:
		if (l->memory) {
			(void)snprintf(v, sizeof(v), "%" PRId64, l->memory);
			if (set_limit(dir, "memory.limit_in_bytes", v, "--memory", err) < 0)
				return -1;
		}
		if (l->memory_swap) {
			char probe[1200];
			if ((size_t)snprintf(probe, sizeof(probe), "%s/memory.memsw.limit_in_bytes", dir) >=
			    sizeof(probe))
				return nsrun_fail(err, ENAMETOOLONG, "--memory-swap: %s", dir);
			if (access(probe, F_OK) < 0)
				return nsrun_fail(err, 0, "--memory-swap: swap accounting is off on this host");
			(void)snprintf(v, sizeof(v), "%" PRId64, l->memory_swap);
			if (set_limit(dir, "memory.memsw.limit_in_bytes", v, "--memory-swap", err) < 0)
				return -1;
		}
		return 0;
	case CTL_PIDS:
		u64text(v, sizeof(v), l->pids);
		return set_limit(dir, "pids.max", v, "--pids", err);
	case CTL_CPU:
		if (l->cpu_quota) {
			(void)snprintf(v, sizeof(v), "%" PRIu64, l->cpu_period);
			if (set_limit(dir, "cpu.cfs_period_us", v, "--cpus", err) < 0)
				return -1;
			(void)snprintf(v, sizeof(v), "%" PRIu64, l->cpu_quota);
			if (set_limit(dir, "cpu.cfs_quota_us", v, "--cpus", err) < 0)
				return -1;
		}
		if (l->cpu_weight) {
			/* cgroup v2 weight 1..10000 to v1 shares 2..262144 */
			uint64_t shares = 2 + ((l->cpu_weight - 1) * 262142) / 9999;
			(void)snprintf(v, sizeof(v), "%" PRIu64, shares);
			if (set_limit(dir, "cpu.shares", v, "--cpu-weight", err) < 0)
				return -1;
		}
		return 0;
	case CTL_DEVICES:
		return write_device_rules(dir, l->device_rules, err);
	default:
		return 0;
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
	if ((size_t)snprintf(out, size, "%s%s", mount, own) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Where unnamed v2 sandboxes go: for root a cgroup of nsrun's own below the
 * hierarchy's root, where controllers can be enabled (a cgroup holding
 * processes cannot pass them on); for others their own, delegated cgroup. */
static int v2_sandbox_parent(const char *root2, char *out, size_t size)
{
	if (geteuid() == 0) {
		(void)snprintf(out, size, "%s/nsrun", root2); /* root2 is a mount: fits */
		return 0;
	}
	return own_dir(root2, NULL, out, size);
}

/* Leftovers of killed launchers, in every hierarchy nsrun puts sandboxes in
 * (not only those this start uses). */
static void remove_stale_everywhere(const char *root2)
{
	char parent[1024];
	for (int c = 0; c < N_CTL; c++) {
		char mount[256];
		(void)snprintf(mount, sizeof(mount), CGROUP_ROOT "/%s", ctl_names[c]);
		if (is_fs(mount, CGROUP_SUPER_MAGIC) && own_dir(mount, ctl_names[c], parent, sizeof(parent)) == 0)
			remove_stale(parent, false);
	}
	if (root2 && v2_sandbox_parent(root2, parent, sizeof(parent)) == 0)
		remove_stale(parent, true);
}

static int plan_dir(struct cgroup_sandbox *cg, const char *base, const char *name, bool v2,
		    unsigned ctl_mask, const char *option, struct nsrun_error *err)
{
	if (cg->n_dirs == CGROUP_MAX_DIRS)
		return nsrun_fail(err, E2BIG, "%s: too many cgroup hierarchies", option);
	char *path = cg->dirs[cg->n_dirs].path;
	if ((size_t)snprintf(path, sizeof(cg->dirs[0].path), "%s/%s", base,
			     name[0] == '/' ? name + 1 : name) >= sizeof(cg->dirs[0].path))
		return nsrun_fail(err, ENAMETOOLONG, "%s: cgroup below %s", option, base);
	cg->dirs[cg->n_dirs].v2 = v2;
	cg->dirs[cg->n_dirs].ctl_mask = ctl_mask;
	cg->dirs[cg->n_dirs].base_len = strlen(base);
	cg->n_dirs++;
	return 0;
}

int cgroup_plan(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err)
{
	memset(cg, 0, sizeof(*cg));
	cg->v2_fd = -1;
	cg->named = spec->cgroup_path != NULL;
	const char *root2 = v2_root();
	char v2_controllers[512] = "", own_name[32], base[1024];
	if (root2) {
		char path[256];
		(void)snprintf(path, sizeof(path), "%s/cgroup.controllers", root2);
		if (read_file(path, v2_controllers, sizeof(v2_controllers)) < 0)
			v2_controllers[0] = '\0';
	}
	/* A cgroupsPath, or one of our own named after the launcher. */
	(void)snprintf(own_name, sizeof(own_name), NAME_PREFIX "%d", (int)getpid());
	const char *name = cg->named ? spec->cgroup_path : own_name;
	bool absolute = cg->named && name[0] == '/';
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
		char mount[256];
		(void)snprintf(mount, sizeof(mount), CGROUP_ROOT "/%s", ctl_names[c]);
		if (!is_fs(mount, CGROUP_SUPER_MAGIC))
			return nsrun_fail(err, 0, "%s: no %s controller on this host", ctl_options[c],
					  ctl_names[c]);
		if (absolute)
			(void)snprintf(base, sizeof(base), "%s", mount);
		else if (own_dir(mount, ctl_names[c], base, sizeof(base)) < 0)
			return nsrun_fail(err, errno, "%s: find nsrun's %s cgroup", ctl_options[c],
					  ctl_names[c]);
		if (plan_dir(cg, base, name, false, 1U << c, ctl_options[c], err) < 0)
			return -1;
	}
	/* OCI: a v2 cgroup too, for membership, freezing and its limits. */
	if (root2 && (cg->named || in_v2)) {
		if (absolute) {
			(void)snprintf(base, sizeof(base), "%s", root2);
		} else if (cg->named) {
			if (own_dir(root2, NULL, base, sizeof(base)) < 0)
				(void)snprintf(base, sizeof(base), "%s", root2);
		} else if (v2_sandbox_parent(root2, base, sizeof(base)) < 0) {
			return nsrun_fail(err, errno, "cgroup: read /proc/self/cgroup");
		}
		if (plan_dir(cg, base, name, true, in_v2, "cgroup", err) < 0)
			return -1;
	}
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

/* The option that asked for the first controller of a mask, for errors. */
static const char *mask_option(unsigned ctl_mask)
{
	for (int c = 0; c < N_CTL; c++)
		if (ctl_mask & (1U << c))
			return ctl_options[c];
	return "cgroup";
}

/* mkdir -p of a planned directory below its base. v2: the controllers are
 * enabled in every cgroup above it, down from the base; an existing named
 * cgroup is joined, as runc does, but nsrun's own must be new. */
static int make_planned_dir(struct cgroup_sandbox *cg, unsigned i, const char *root2,
			    struct nsrun_error *err)
{
	char *dir = cg->dirs[i].path;
	size_t base_len = cg->dirs[i].base_len;
	char enable[64];
	enable_text(cg->dirs[i].ctl_mask, enable, sizeof(enable));
	bool v2_enable = cg->dirs[i].v2 && enable[0];
	if (v2_enable && !cg->named && geteuid() == 0 &&
	    write_file(root2, "cgroup.subtree_control", enable) < 0)
		return nsrun_fail(err, errno, "cgroup: enable %s in %s", enable, root2);
	char saved = dir[base_len];
	dir[base_len] = '\0';
	int rc = 0;
	if (!cg->named && geteuid() == 0 && cg->dirs[i].v2 && mkdir(dir, 0755) < 0 && errno != EEXIST)
		rc = nsrun_fail(err, errno, "cgroup: create %s", dir);
	else if (!cg->named && access(dir, W_OK) < 0)
		rc = nsrun_fail(err, errno, "%s: cgroup limits need a delegated cgroup, and %s is "
				"not writable by uid %d", mask_option(cg->dirs[i].ctl_mask), dir,
				(int)geteuid());
	dir[base_len] = saved;
	if (rc < 0)
		return -1;
	for (char *p = dir + base_len + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		/* The parent of this component passes the controllers on. */
		char *slash = strrchr(dir, '/');
		*slash = '\0';
		if (v2_enable && write_file(dir, "cgroup.subtree_control", enable) < 0) {
			int e = errno;
			rc = nsrun_fail(err, e, "cgroup: enable %s in %s%s", enable, dir,
					e == EBUSY ? " (it holds processes: run nsrun from a "
						     "delegated cgroup of its own)" : "");
		}
		*slash = '/';
		if (rc == 0 && mkdir(dir, 0755) < 0 && (errno != EEXIST || (c == '\0' && !cg->named)))
			rc = nsrun_fail(err, errno, "cgroup: create %s", dir);
		*p = c;
		if (rc < 0 || c == '\0')
			break;
	}
	return rc;
}

int cgroup_make(const struct nsrun_spec *spec, struct cgroup_sandbox *cg, struct nsrun_error *err)
{
	const char *root2 = v2_root();
	if (!cg->named)
		remove_stale_everywhere(root2);
	for (unsigned i = 0; i < cg->n_dirs; i++) {
		if (make_planned_dir(cg, i, root2, err) < 0)
			goto fail;
		const char *dir = cg->dirs[i].path;
		for (int c = 0; c < N_CTL; c++) {
			if (!(cg->dirs[i].ctl_mask & (1U << c)))
				continue;
			if ((cg->dirs[i].v2 ? write_v2_limits : write_v1_limits)(dir, spec, (enum controller)c,
										err) < 0)
				goto fail;
		}
		if (cg->dirs[i].v2 && (cg->v2_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
			nsrun_fail(err, errno, "cgroup: open %s", dir);
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

void cgroup_remove_dirs(char (*dirs)[NSRUN_CGROUP_PATH_MAX], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		remove_dir(dirs[i], is_fs(dirs[i], CGROUP2_SUPER_MAGIC));
}

int cgroup_join_open(const char *const *dirs, unsigned n, int *fds, struct nsrun_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		char path[1200];
		bool fits = (size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[i]) < sizeof(path);
		fds[i] = fits ? open(path, O_WRONLY | O_CLOEXEC) : -1;
		if (fds[i] < 0) {
			int e = fits ? errno : ENAMETOOLONG;
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
