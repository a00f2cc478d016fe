/* SPDX-License-Identifier: Apache-2.0 */
/* What a container's cgroups say of its use: CPU time and throttling,
 * memory and swap, processes, bytes and operations per block device,
 * huge pages, the OOM kills. Read from whichever directory has each file,
 * v1 or v2. See cgroup.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/file.h"

#define FILE_SIZE 65536

/* The first directory holding `file`, read whole into buf. */
static bool read_stat(const struct cgroup_dir *dirs, unsigned n, bool v2, const char *file,
		      char *buf, size_t size)
{
	for (unsigned i = 0; i < n; i++) {
		char path[NSRUN_CGROUP_PATH_MAX + 64];
		if (dirs[i].v2 == v2 &&
		    path_format(path, sizeof(path), "%s/%s", dirs[i].path, file) == 0 &&
		    file_read(path, buf, size) >= 0)
			return true;
	}
	return false;
}

static bool read_number(const struct cgroup_dir *dirs, unsigned n, bool v2, const char *file,
			uint64_t *out)
{
	char buf[64];
	if (!read_stat(dirs, n, v2, file, buf, sizeof(buf)))
		return false;
	*out = strncmp(buf, "max", 3) == 0 ? UINT64_MAX : strtoull(buf, NULL, 10);
	return true;
}

/* "key value" lines: the value of key, or false. */
static bool keyed(const char *text, const char *key, uint64_t *out)
{
	size_t len = strlen(key);
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, len) == 0 && line[len] == ' ') {
			*out = strtoull(line + len + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

static void cpu_stats(const struct cgroup_dir *dirs, unsigned n, struct cgroup_stats *s)
{
	cleanup_free char *buf = malloc(FILE_SIZE);
	if (!buf)
		return;
	uint64_t v;
	if (read_stat(dirs, n, true, "cpu.stat", buf, FILE_SIZE)) {
		/* v2 counts microseconds; the stats are in nanoseconds, as v1's. */
		if (keyed(buf, "usage_usec", &v))
			s->cpu_total = v * 1000;
		if (keyed(buf, "user_usec", &v))
			s->cpu_user = v * 1000;
		if (keyed(buf, "system_usec", &v))
			s->cpu_system = v * 1000;
		keyed(buf, "nr_periods", &s->cpu_periods);
		keyed(buf, "nr_throttled", &s->cpu_throttled_periods);
		if (keyed(buf, "throttled_usec", &v))
			s->cpu_throttled_time = v * 1000;
	}
	if (read_number(dirs, n, false, "cpuacct.usage", &v))
		s->cpu_total = v;
	if (read_stat(dirs, n, false, "cpuacct.stat", buf, FILE_SIZE)) {
		/* In USER_HZ ticks: 100 a second on Linux. */
		if (keyed(buf, "user", &v))
			s->cpu_user = v * 10000000;
		if (keyed(buf, "system", &v))
			s->cpu_system = v * 10000000;
	}
	if (read_stat(dirs, n, false, "cpu.stat", buf, FILE_SIZE)) {
		keyed(buf, "nr_periods", &s->cpu_periods);
		keyed(buf, "nr_throttled", &s->cpu_throttled_periods);
		keyed(buf, "throttled_time", &s->cpu_throttled_time);
	}
}

static void memory_stats(const struct cgroup_dir *dirs, unsigned n, struct cgroup_stats *s)
{
	uint64_t v;
	if (read_number(dirs, n, true, "memory.current", &v)) {
		s->memory_usage = v;
		read_number(dirs, n, true, "memory.max", &s->memory_limit);
		read_number(dirs, n, true, "memory.peak", &s->memory_max_usage);
		read_number(dirs, n, true, "memory.swap.current", &s->swap_usage);
		read_number(dirs, n, true, "memory.swap.max", &s->swap_limit);
	}
	if (read_number(dirs, n, false, "memory.usage_in_bytes", &v)) {
		s->memory_usage = v;
		read_number(dirs, n, false, "memory.limit_in_bytes", &s->memory_limit);
		read_number(dirs, n, false, "memory.max_usage_in_bytes", &s->memory_max_usage);
		read_number(dirs, n, false, "memory.failcnt", &s->memory_failcnt);
		read_number(dirs, n, false, "memory.memsw.usage_in_bytes", &s->swap_usage);
		read_number(dirs, n, false, "memory.memsw.limit_in_bytes", &s->swap_limit);
	}
	bool v2 = read_stat(dirs, n, true, "memory.stat", s->memory_stat, sizeof(s->memory_stat));
	if (!v2)
		read_stat(dirs, n, false, "memory.stat", s->memory_stat, sizeof(s->memory_stat));
}

int cgroup_read_stats(const struct cgroup_dir *dirs, unsigned n, struct cgroup_stats *s)
{
	memset(s, 0, sizeof(*s));
	cpu_stats(dirs, n, s);
	memory_stats(dirs, n, s);
	if (!read_number(dirs, n, false, "pids.current", &s->pids_current))
		read_number(dirs, n, true, "pids.current", &s->pids_current);
	if (!read_number(dirs, n, false, "pids.max", &s->pids_limit))
		read_number(dirs, n, true, "pids.max", &s->pids_limit);
	if (!read_stat(dirs, n, true, "io.stat", s->io_stat, sizeof(s->io_stat)) &&
	    read_stat(dirs, n, false, "blkio.throttle.io_service_bytes_recursive", s->io_stat,
		      sizeof(s->io_stat)))
		s->io_stat_v1 = true;
	s->oom_kills = cgroup_oom_kills_in(dirs, n);
	return 0;
}

uint64_t cgroup_oom_kills_in(const struct cgroup_dir *dirs, unsigned n)
{
	char events[1024];
	uint64_t v = 0;
	if (read_stat(dirs, n, true, "memory.events", events, sizeof(events)) ||
	    read_stat(dirs, n, false, "memory.oom_control", events, sizeof(events)))
		keyed(events, "oom_kill", &v);
	return v;
}
