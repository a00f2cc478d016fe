/* The spec's limits as cgroup files: one table, read for v1 and for v2,
 * so that a limit is described once. */
#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/hierarchy.h"
#include "util/cleanup.h"
#include "util/file.h"

#define CAP_MKNOD_BIT (1ULL << 27)
#define VALUE_SIZE 64

/* Writes a limit's value into buf; false when the spec leaves it unset. */
typedef bool (*format_fn)(const struct nsrun_cgroup_limits *l, char *buf, size_t size);

struct limit_file {
	enum controller ctl;
	enum nsrun_about about;
	const char *v1, *v2; /* the file in each version; NULL where there is none */
	format_fn v1_value, v2_value;
};

static bool number_or_max(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		(void)snprintf(buf, size, "max");
	else
		(void)snprintf(buf, size, "%" PRId64, v);
	return true;
}

static bool memory_v2(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->memory && number_or_max(l->memory, buf, size);
}

static bool memory_v1(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->memory && snprintf(buf, size, "%" PRId64, l->memory) > 0;
}

/* v2 limits swap alone; the spec's value is memory plus swap, as in v1. */
static bool swap_v2(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->memory_swap &&
	       number_or_max(l->memory_swap < 0 ? -1 : l->memory_swap - l->memory, buf, size);
}

static bool swap_v1(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->memory_swap && snprintf(buf, size, "%" PRId64, l->memory_swap) > 0;
}

static bool pids(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->pids && number_or_max(l->pids, buf, size);
}

static bool cpu_max(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->cpu_quota &&
	       snprintf(buf, size, "%" PRIu64 " %" PRIu64, l->cpu_quota, l->cpu_period) > 0;
}

static bool cpu_period(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->cpu_quota && snprintf(buf, size, "%" PRIu64, l->cpu_period) > 0;
}

static bool cpu_quota(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->cpu_quota && snprintf(buf, size, "%" PRIu64, l->cpu_quota) > 0;
}

static bool cpu_weight(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->cpu_weight && snprintf(buf, size, "%" PRIu64, l->cpu_weight) > 0;
}

/* cgroup v2 weight 1..10000 to v1 shares 2..262144 */
static bool cpu_shares(const struct nsrun_cgroup_limits *l, char *buf, size_t size)
{
	return l->cpu_weight &&
	       snprintf(buf, size, "%" PRIu64, 2 + ((l->cpu_weight - 1) * 262142) / 9999) > 0;
}

/* In the order they are written: v1 takes the period before the quota and
 * the memory limit before memory plus swap. */
static const struct limit_file limit_files[] = {
	{ CTL_MEMORY, NSRUN_ABOUT_MEMORY, "memory.limit_in_bytes", "memory.max", memory_v1, memory_v2 },
	{ CTL_MEMORY, NSRUN_ABOUT_MEMORY_SWAP, "memory.memsw.limit_in_bytes", "memory.swap.max",
	  swap_v1, swap_v2 },
	{ CTL_PIDS, NSRUN_ABOUT_PIDS, "pids.max", "pids.max", pids, pids },
	{ CTL_CPU, NSRUN_ABOUT_CPU_QUOTA, "cpu.cfs_period_us", NULL, cpu_period, NULL },
	{ CTL_CPU, NSRUN_ABOUT_CPU_QUOTA, "cpu.cfs_quota_us", "cpu.max", cpu_quota, cpu_max },
	{ CTL_CPU, NSRUN_ABOUT_CPU_WEIGHT, "cpu.shares", "cpu.weight", cpu_shares, cpu_weight },
};

static int write_limit(const char *dir, const char *file, const char *value,
		       enum nsrun_about about, struct nsrun_error *err)
{
	if (file_write_str(dir, file, value) < 0)
		return nsrun_fail_about(err, about, -1, errno, "write %s to %s/%s", value, dir, file);
	return 0;
}

/* v1 has memsw files only where the kernel accounts swap. */
static int check_swap_accounting(const char *dir, struct nsrun_error *err)
{
	char probe[NSRUN_CGROUP_PATH_MAX + 64];
	if (path_format(probe, sizeof(probe), "%s/memory.memsw.limit_in_bytes", dir) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_MEMORY_SWAP, -1, errno, "%s", dir);
	if (access(probe, F_OK) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_MEMORY_SWAP, -1, 0,
					"swap accounting is off on this host");
	return 0;
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
	const enum nsrun_about about = NSRUN_ABOUT_DEVICE_RULES;
	for (const char *line = rules; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char rule[96];
		if (len >= sizeof(rule))
			return nsrun_fail_about(err, about, -1, EINVAL, "a device rule too long");
		memcpy(rule, line, len);
		rule[len] = '\0';
		bool allow = strncmp(rule, "allow ", 6) == 0;
		if (!allow && strncmp(rule, "deny ", 5) != 0)
			return nsrun_fail_about(err, about, -1, EINVAL, "'%s' is not a device rule",
						rule);
		if (write_limit(dir, allow ? "devices.allow" : "devices.deny", rule + (allow ? 6 : 5),
				about, err) < 0)
			return -1;
		line += len + (end != NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_device_rules); i++)
		if (write_limit(dir, "devices.allow", default_device_rules[i], about, err) < 0)
			return -1;
	return 0;
}

int cgroup_write_limits(const char *dir, bool v2, const struct nsrun_spec *spec,
			enum controller c, struct nsrun_error *err)
{
	if (c == CTL_DEVICES)
		return v2 ? 0 : write_device_rules(dir, spec->cgroup.device_rules, err);
	for (size_t i = 0; i < ARRAY_SIZE(limit_files); i++) {
		const struct limit_file *f = &limit_files[i];
		const char *file = v2 ? f->v2 : f->v1;
		format_fn format = v2 ? f->v2_value : f->v1_value;
		char value[VALUE_SIZE];
		if (f->ctl != c || !file || !format(&spec->cgroup, value, sizeof(value)))
			continue;
		if (!v2 && f->about == NSRUN_ABOUT_MEMORY_SWAP && check_swap_accounting(dir, err) < 0)
			return -1;
		if (write_limit(dir, file, value, f->about, err) < 0)
			return -1;
	}
	return 0;
}

bool cgroup_is_fs(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

/* Device rules need a devices cgroup only where the container could make
 * a node for a device nsrun did not create: with CAP_MKNOD and without a
 * user namespace. cgroup v2 has no devices file (it takes a BPF program,
 * which nsrun does not load): there only the nodes nsrun makes exist. */
static bool devices_enforced(const struct nsrun_spec *spec)
{
	return spec->cgroup.device_rules && spec->cgroup.device_rules[0] &&
	       !(spec->new_ns & CLONE_NEWUSER) &&
	       (!spec->caps.set || (spec->caps.bounding & CAP_MKNOD_BIT)) &&
	       cgroup_is_fs(CGROUP_ROOT "/devices", CGROUP_SUPER_MAGIC);
}

bool cgroup_wants(const struct nsrun_spec *spec, enum controller c)
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

bool cgroup_wanted(const struct nsrun_spec *spec)
{
	const struct nsrun_cgroup_limits *l = &spec->cgroup;
	return l->memory || l->memory_swap || l->pids || l->cpu_quota || l->cpu_weight ||
	       devices_enforced(spec);
}
