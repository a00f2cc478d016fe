/* SPDX-License-Identifier: Apache-2.0 */
/* The spec's limits as cgroup files: one table, read for v1 and for v2, so
 * that a limit is described once. Each limit goes to the cgroup directory
 * that has its file: the v1 hierarchy of its controller, or the v2 tree
 * where its controller is enabled. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/hierarchy.h"
#include "util/cleanup.h"
#include "util/file.h"

#define VALUE_SIZE 4096
#define LINE_SIZE 256
#define FILE_NAME_SIZE 128

/* A limit's value for one cgroup version into buf (lines, for a list);
 * false when the spec leaves it unset. */
typedef bool (*value_fn)(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size);

struct limit_file {
	enum nsrun_about about;
	const char *controller; /* the v2 controller, and the v1 hierarchy's name */
	const char *v1, *v2; /* the file in each version; NULL where there is none */
	value_fn value;
	bool lines; /* a list: the kernel takes one line a write */
	bool best_effort; /* skipped where the host has no such file */
};

static bool put(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < size;
}

/* A byte count: -1 is unlimited, "max" in v2. */
static bool bytes(int64_t v, bool v2, char *buf, size_t size)
{
	if (v == 0)
		return false;
	if (v < 0)
		return put(buf, size, "%s", v2 ? "max" : "-1");
	return put(buf, size, "%" PRId64, v);
}

static bool memory(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return bytes(l->memory, v2, buf, size);
}

/* v2 limits swap alone; the spec's value is memory plus swap, as in v1.
 * A value the kernel cannot take is written as given, and refused there. */
static bool memory_swap(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	if (!v2 || l->memory_swap <= 0 || l->memory <= 0)
		return bytes(l->memory_swap, v2, buf, size);
	return put(buf, size, "%" PRId64, l->memory_swap - l->memory);
}

static bool reservation(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return bytes(l->memory_reservation, v2, buf, size);
}

static bool kernel_tcp(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return !v2 && bytes(l->memory_kernel_tcp, v2, buf, size);
}

static bool swappiness(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->swappiness >= 0 && put(buf, size, "%d", l->swappiness);
}

static bool oom_killer(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->disable_oom_killer && put(buf, size, "1");
}

static bool pids(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	if (l->pids < 0)
		return put(buf, size, "max");
	return l->pids && put(buf, size, "%" PRId64, l->pids);
}

/* Shares (v1, 2..262144) and weight (v2, 1..10000): what the spec gives is
 * written as it is where it fits, converted where it does not. */
static uint64_t weight_of_shares(uint64_t shares)
{
	return shares <= 2 ? 1 : 1 + ((shares - 2) * 9999) / 262142;
}

static bool cpu_weight(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	uint64_t shares = l->cpu_shares;
	if (shares > 262144) /* the kernel's maximum */
		shares = 262144;
	if (v2 && l->cpu_weight)
		return put(buf, size, "%" PRIu64, l->cpu_weight);
	if (v2 && shares)
		return put(buf, size, "%" PRIu64, weight_of_shares(shares));
	if (shares)
		return put(buf, size, "%" PRIu64, shares);
	return l->cpu_weight &&
	       put(buf, size, "%" PRIu64, 2 + ((l->cpu_weight - 1) * 262142) / 9999);
}

static bool cpu_period(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->cpu_quota && put(buf, size, "%" PRIu64, l->cpu_period);
}

/* UINT64_MAX: no quota ("max", v1's -1). */
static bool cpu_quota(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	if (!l->cpu_quota)
		return false;
	bool unlimited = l->cpu_quota == UINT64_MAX;
	if (v2 && unlimited)
		return put(buf, size, "max %" PRIu64, l->cpu_period);
	if (v2)
		return put(buf, size, "%" PRIu64 " %" PRIu64, l->cpu_quota, l->cpu_period);
	return unlimited ? put(buf, size, "-1") : put(buf, size, "%" PRIu64, l->cpu_quota);
}

static bool cpu_burst(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->cpu_burst && put(buf, size, "%" PRIu64, l->cpu_burst);
}

static bool cpu_idle(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->cpu_idle && put(buf, size, "1");
}

static bool rt_period(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->cpu_rt_period && put(buf, size, "%" PRIu64, l->cpu_rt_period);
}

static bool rt_runtime(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->cpu_rt_runtime && put(buf, size, "%" PRId64, l->cpu_rt_runtime);
}

static bool cpus(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->cpuset_cpus && *l->cpuset_cpus && put(buf, size, "%s", l->cpuset_cpus);
}

static bool mems(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->cpuset_mems && *l->cpuset_mems && put(buf, size, "%s", l->cpuset_mems);
}

/* blkio's 10..1000 to io's 1..10000. */
static unsigned io_scale(unsigned long weight)
{
	return weight <= 10 ? 1 : (unsigned)(1 + (weight - 10) * 9999 / 990);
}

static bool io_weight(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	if (!l->io_weight)
		return false;
	if (v2)
		return put(buf, size, "default %u", io_scale(l->io_weight));
	return put(buf, size, "%u", (unsigned)l->io_weight);
}

static bool io_leaf_weight(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->io_leaf_weight && put(buf, size, "%u", (unsigned)l->io_leaf_weight);
}

/* A number ending at `stop`, into *out; *text moved past the stop. */
static bool number_to(const char **text, char stop, unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(*text, &end, 10);
	if (errno || end == *text || *end != stop)
		return false;
	*text = end + (stop != '\0');
	return true;
}

/* "MAJ:MIN VALUE" */
static bool parse_device_line(const char *line, unsigned *major, unsigned *minor,
			      unsigned long long *value)
{
	unsigned long long maj, min;
	if (!number_to(&line, ':', &maj) || !number_to(&line, ' ', &min) ||
	    !number_to(&line, '\0', value) || maj > UINT32_MAX || min > UINT32_MAX)
		return false;
	*major = (unsigned)maj;
	*minor = (unsigned)min;
	return true;
}

/* "MAJ:MIN VALUE" lines as they are, or rewritten one by one: v2 scales
 * weights, and io.max takes "MAJ:MIN KEY=VALUE". */
static bool device_lines(const char *lines, const char *v2_key, bool scale, bool v2, char *buf,
			 size_t size)
{
	if (!lines || !*lines)
		return false;
	if (!v2)
		return put(buf, size, "%s", lines);
	size_t used = 0;
	buf[0] = '\0';
	for (const char *line = lines; *line;) {
		size_t len = strcspn(line, "\n");
		unsigned major, minor;
		unsigned long long value;
		char copy[LINE_SIZE];
		if (len >= sizeof(copy))
			return false;
		memcpy(copy, line, len);
		copy[len] = '\0';
		if (!parse_device_line(copy, &major, &minor, &value))
			return false;
		int n = scale ? snprintf(buf + used, size - used, "%u:%u %u\n", major, minor,
					 io_scale(value))
			      : snprintf(buf + used, size - used, "%u:%u %s=%llu\n", major, minor,
					 v2_key, value);
		if (n < 0 || (size_t)n >= size - used)
			return false;
		used += (size_t)n;
		line += len + (line[len] == '\n');
	}
	return used > 0;
}

static bool weight_devices(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return device_lines(l->io_weight_devices, NULL, true, v2, buf, size);
}

static bool leaf_weight_devices(const struct nsrun_cgroup_limits *l, bool v2, char *buf,
				size_t size)
{
	return device_lines(l->io_leaf_weight_devices, NULL, true, v2, buf, size);
}

static bool read_bps(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return device_lines(l->io_read_bps, "rbps", false, v2, buf, size);
}

static bool write_bps(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return device_lines(l->io_write_bps, "wbps", false, v2, buf, size);
}

static bool read_iops(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return device_lines(l->io_read_iops, "riops", false, v2, buf, size);
}

static bool write_iops(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	return device_lines(l->io_write_iops, "wiops", false, v2, buf, size);
}

static bool classid(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->net_classid && put(buf, size, "%" PRIu32, l->net_classid);
}

static bool priorities(const struct nsrun_cgroup_limits *l, bool v2, char *buf, size_t size)
{
	(void)v2;
	return l->net_priorities && *l->net_priorities && put(buf, size, "%s", l->net_priorities);
}

/* In the order they are written: v1 takes the memory limit before memory
 * plus swap, the CFS and real-time periods before their quotas. */
static const struct limit_file limit_files[] = {
	{ NSRUN_ABOUT_MEMORY, "memory", "memory.limit_in_bytes", "memory.max", memory, false,
	  false },
	{ NSRUN_ABOUT_MEMORY_SWAP, "memory", "memory.memsw.limit_in_bytes", "memory.swap.max",
	  memory_swap, false, false },
	{ NSRUN_ABOUT_MEMORY_RESERVATION, "memory", "memory.soft_limit_in_bytes", "memory.low",
	  reservation, false, false },
	{ NSRUN_ABOUT_SWAPPINESS, "memory", "memory.swappiness", NULL, swappiness, false, false },
	/* v1 only, and gone from newer kernels: runc skips it there too. */
	{ NSRUN_ABOUT_MEMORY, "memory", "memory.kmem.tcp.limit_in_bytes", NULL, kernel_tcp,
	  .best_effort = true },
	{ NSRUN_ABOUT_OOM_KILLER, "memory", "memory.oom_control", NULL, oom_killer, false, false },
	{ NSRUN_ABOUT_PIDS, "pids", "pids.max", "pids.max", pids, false, false },
	{ NSRUN_ABOUT_CPU_WEIGHT, "cpu", "cpu.shares", "cpu.weight", cpu_weight, false, false },
	{ NSRUN_ABOUT_CPU_QUOTA, "cpu", "cpu.cfs_period_us", NULL, cpu_period, false, false },
	{ NSRUN_ABOUT_CPU_QUOTA, "cpu", "cpu.cfs_quota_us", "cpu.max", cpu_quota, false, false },
	{ NSRUN_ABOUT_CPU_BURST, "cpu", "cpu.cfs_burst_us", "cpu.max.burst", cpu_burst, false,
	  false },
	{ NSRUN_ABOUT_CPU_IDLE, "cpu", "cpu.idle", "cpu.idle", cpu_idle, false, false },
	{ NSRUN_ABOUT_CPU_RT, "cpu", "cpu.rt_period_us", NULL, rt_period, false, false },
	{ NSRUN_ABOUT_CPU_RT, "cpu", "cpu.rt_runtime_us", NULL, rt_runtime, false, false },
	{ NSRUN_ABOUT_CPUSET_CPUS, "cpuset", "cpuset.cpus", "cpuset.cpus", cpus, false, false },
	{ NSRUN_ABOUT_CPUSET_MEMS, "cpuset", "cpuset.mems", "cpuset.mems", mems, false, false },
	{ NSRUN_ABOUT_IO_WEIGHT, "io", "blkio.weight", "io.weight", io_weight, false, false },
	{ NSRUN_ABOUT_IO_WEIGHT, "io", "blkio.leaf_weight", NULL, io_leaf_weight, false, false },
	{ NSRUN_ABOUT_IO_WEIGHT_DEVICES, "io", "blkio.weight_device", "io.weight", weight_devices,
	  .lines = true },
	{ NSRUN_ABOUT_IO_WEIGHT_DEVICES, "io", "blkio.leaf_weight_device", NULL,
	  leaf_weight_devices, .lines = true },
	{ NSRUN_ABOUT_IO_THROTTLE, "io", "blkio.throttle.read_bps_device", "io.max", read_bps,
	  .lines = true },
	{ NSRUN_ABOUT_IO_THROTTLE, "io", "blkio.throttle.write_bps_device", "io.max", write_bps,
	  .lines = true },
	{ NSRUN_ABOUT_IO_THROTTLE, "io", "blkio.throttle.read_iops_device", "io.max", read_iops,
	  .lines = true },
	{ NSRUN_ABOUT_IO_THROTTLE, "io", "blkio.throttle.write_iops_device", "io.max", write_iops,
	  .lines = true },
	{ NSRUN_ABOUT_NET_CLASSID, "net_cls", "net_cls.classid", NULL, classid, false, false },
	{ NSRUN_ABOUT_NET_PRIORITIES, "net_prio", "net_prio.ifpriomap", NULL, priorities,
	  .lines = true },
};

/* Where a v1 kernel has no file of that name, the BFQ scheduler's one. */
static const char *alternative(const char *file)
{
	if (strcmp(file, "blkio.weight") == 0)
		return "blkio.bfq.weight";
	if (strcmp(file, "io.weight") == 0)
		return "io.bfq.weight";
	return NULL;
}

static bool has_file(const struct cgroup_dir *d, const char *file)
{
	char path[NSRUN_CGROUP_PATH_MAX + FILE_NAME_SIZE];
	return path_format(path, sizeof(path), "%s/%s", d->path, file) == 0 &&
	       access(path, F_OK) == 0;
}

/* The directory holding `v1` (in a v1 hierarchy) or `v2`, and which name
 * it has there. */
static const struct cgroup_dir *find_file(const struct cgroup_dir *dirs, unsigned n, const char *v1,
					  const char *v2, const char **file)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < n; i++) {
			const char *name = dirs[i].v2 ? v2 : v1;
			if (name && pass == 1)
				name = alternative(name);
			if (name && has_file(&dirs[i], name)) {
				*file = name;
				return &dirs[i];
			}
		}
	}
	return NULL;
}

/* Write each line on its own where the kernel takes one entry a write. */
static int write_value(const char *dir, const char *file, char *value, bool lines,
		       enum nsrun_about about, struct nsrun_error *err)
{
	char *save = NULL;
	for (char *line = lines ? strtok_r(value, "\n", &save) : value; line;
	     line = lines ? strtok_r(NULL, "\n", &save) : NULL)
		if (file_write_str(dir, file, line) < 0)
			return nsrun_fail_about(err, about, -1, errno, "write %s to %s/%s", line,
						dir, file);
	return 0;
}

/* Where no directory has the file: what the host lacks. */
static int not_available(const struct limit_file *f, const struct cgroup_dir *dirs, unsigned n,
			 struct nsrun_error *err)
{
	bool any_v2 = false;
	for (unsigned i = 0; i < n; i++)
		any_v2 |= dirs[i].v2;
	if (f->about == NSRUN_ABOUT_MEMORY_SWAP && !any_v2)
		return nsrun_fail_about(err, f->about, -1, 0,
					"swap accounting is off on this host");
	if (!f->v2 && any_v2)
		return nsrun_fail_about(err, f->about, -1, 0, "%s has no cgroup v2 equivalent",
					f->v1);
	return nsrun_fail_about(err, f->about, -1, 0, "no %s controller (%s) for this cgroup",
				f->controller, f->v2 && any_v2 ? f->v2 : f->v1);
}

/* hugetlb.SIZE.limit_in_bytes (v1) or hugetlb.SIZE.max (v2) for each
 * "SIZE BYTES" line. A limit of 0 where the host has no such pages is
 * kept already: kubelet sends one for every size it knows. */
static int write_hugepages(const struct cgroup_dir *dirs, unsigned n, const char *lines,
			   struct nsrun_error *err)
{
	for (const char *line = lines; line && *line;) {
		size_t len = strcspn(line, "\n");
		char size_name[32];
		unsigned long long limit;
		char copy[LINE_SIZE], v1[FILE_NAME_SIZE], v2[FILE_NAME_SIZE], value[32];
		if (len >= sizeof(copy))
			return nsrun_fail_about(err, NSRUN_ABOUT_HUGEPAGES, -1, EINVAL,
						"a line too long");
		memcpy(copy, line, len);
		copy[len] = '\0';
		line += len + (line[len] == '\n');
		const char *space = strchr(copy, ' '), *rest = space ? space + 1 : NULL;
		if (!space || space == copy || (size_t)(space - copy) >= sizeof(size_name) ||
		    !number_to(&rest, '\0', &limit))
			return nsrun_fail_about(err, NSRUN_ABOUT_HUGEPAGES, -1, EINVAL, "'%s'",
						copy);
		memcpy(size_name, copy, (size_t)(space - copy));
		size_name[space - copy] = '\0';
		(void)snprintf(v1, sizeof(v1), "hugetlb.%s.limit_in_bytes", size_name); /* fits */
		(void)snprintf(v2, sizeof(v2), "hugetlb.%s.max", size_name);
		(void)snprintf(value, sizeof(value), "%llu", limit);
		const char *file;
		const struct cgroup_dir *d = find_file(dirs, n, v1, v2, &file);
		if (!d && limit == 0)
			continue;
		if (!d)
			return nsrun_fail_about(err, NSRUN_ABOUT_HUGEPAGES, -1, 0,
						"no hugetlb controller for %s pages", size_name);
		if (write_value(d->path, file, value, false, NSRUN_ABOUT_HUGEPAGES, err) < 0)
			return -1;
	}
	return 0;
}

/* "FILE VALUE" lines written as given into the cgroup v2 directory. */
static int write_unified(const struct cgroup_dir *dirs, unsigned n, const char *lines,
			 struct nsrun_error *err)
{
	const struct cgroup_dir *d = NULL;
	for (unsigned i = 0; i < n && !d; i++)
		if (dirs[i].v2)
			d = &dirs[i];
	if (!d && lines && *lines)
		return nsrun_fail_about(err, NSRUN_ABOUT_UNIFIED, -1, 0,
					"no cgroup v2 on this host");
	for (const char *line = lines; line && *line;) {
		size_t len = strcspn(line, "\n");
		char copy[VALUE_SIZE];
		if (len >= sizeof(copy))
			return nsrun_fail_about(err, NSRUN_ABOUT_UNIFIED, -1, EINVAL,
						"a value too long");
		memcpy(copy, line, len);
		copy[len] = '\0';
		line += len + (line[len] == '\n');
		char *space = strchr(copy, ' ');
		if (!space || space == copy || strchr(copy, '/') < space)
			return nsrun_fail_about(err, NSRUN_ABOUT_UNIFIED, -1, EINVAL, "'%s'", copy);
		*space = '\0';
		if (write_value(d->path, copy, space + 1, false, NSRUN_ABOUT_UNIFIED, err) < 0)
			return -1;
	}
	return 0;
}

/* v1 keeps memory at most memory plus swap at every write: a raise of
 * both (update) writes memory plus swap first, or the memory write fails. */
static int raise_memsw_first(const struct cgroup_dir *dirs, unsigned n,
			     const struct nsrun_cgroup_limits *l, struct nsrun_error *err)
{
	if (l->memory_swap == 0)
		return 0; /* before the search: it looks in every hierarchy */
	const char *file;
	const struct cgroup_dir *d = find_file(dirs, n, "memory.memsw.limit_in_bytes", NULL, &file);
	char path[NSRUN_CGROUP_PATH_MAX + FILE_NAME_SIZE], now[32], value[VALUE_SIZE];
	if (!d || path_format(path, sizeof(path), "%s/%s", d->path, file) < 0 ||
	    file_read(path, now, sizeof(now)) <= 0)
		return 0;
	unsigned long long current = strtoull(now, NULL, 10);
	if (l->memory_swap > 0 && (unsigned long long)l->memory_swap <= current)
		return 0;
	if (!bytes(l->memory_swap, false, value, sizeof(value)))
		return 0;
	return write_value(d->path, file, value, false, NSRUN_ABOUT_MEMORY_SWAP, err);
}

int cgroup_apply_limits(const struct cgroup_dir *dirs, unsigned n,
			const struct nsrun_cgroup_limits *l, struct nsrun_error *err)
{
	if (raise_memsw_first(dirs, n, l, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(limit_files); i++) {
		const struct limit_file *f = &limit_files[i];
		char value[VALUE_SIZE];
		if (!f->value(l, false, value, sizeof(value)) &&
		    !f->value(l, true, value, sizeof(value)))
			continue;
		const char *file;
		const struct cgroup_dir *d = find_file(dirs, n, f->v1, f->v2, &file);
		if (!d && f->best_effort)
			continue;
		if (!d)
			return not_available(f, dirs, n, err);
		if (!f->value(l, d->v2, value, sizeof(value)))
			return nsrun_fail_about(err, f->about, -1, EINVAL, "a value out of range");
		if (write_value(d->path, file, value, f->lines, f->about, err) < 0)
			return -1;
	}
	if (write_hugepages(dirs, n, l->hugepage_limits, err) < 0)
		return -1;
	return write_unified(dirs, n, l->unified, err);
}

enum nsrun_about cgroup_limits_about(const struct nsrun_cgroup_limits *l)
{
	char value[VALUE_SIZE];
	for (size_t i = 0; i < ARRAY_SIZE(limit_files); i++)
		if (limit_files[i].value(l, false, value, sizeof(value)) ||
		    limit_files[i].value(l, true, value, sizeof(value)))
			return limit_files[i].about;
	if (l->hugepage_limits && *l->hugepage_limits)
		return NSRUN_ABOUT_HUGEPAGES;
	return l->unified && *l->unified ? NSRUN_ABOUT_UNIFIED : NSRUN_ABOUT_NOTHING;
}

bool cgroup_limits_set(const struct nsrun_cgroup_limits *l)
{
	char value[VALUE_SIZE];
	for (size_t i = 0; i < ARRAY_SIZE(limit_files); i++)
		if (limit_files[i].value(l, false, value, sizeof(value)) ||
		    limit_files[i].value(l, true, value, sizeof(value)))
			return true;
	return (l->hugepage_limits && *l->hugepage_limits) || (l->unified && *l->unified);
}

unsigned cgroup_limits_controllers(const struct nsrun_cgroup_limits *l, const char **names,
				   unsigned max)
{
	char value[VALUE_SIZE];
	unsigned n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(limit_files); i++) {
		const char *c = limit_files[i].controller;
		if (!limit_files[i].value(l, true, value, sizeof(value)))
			continue;
		bool seen = false;
		for (unsigned k = 0; k < n && !seen; k++)
			seen = strcmp(names[k], c) == 0;
		if (!seen && n < max)
			names[n++] = c;
	}
	if (l->hugepage_limits && *l->hugepage_limits && n < max)
		names[n++] = "hugetlb";
	return n;
}
