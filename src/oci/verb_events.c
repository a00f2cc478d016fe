/* SPDX-License-Identifier: Apache-2.0 */
/* events: a container's use as runc prints it, one JSON object a line:
 * {"type": "stats", "id": ..., "data": {...}} once with --stats, else
 * every --interval until the container stops, with {"type": "oom"} lines
 * as the OOM killer strikes inside. Read from its cgroups (stats.c). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oci/cgroups.h"
#include "oci/json.h"
#include "oci/verb.h"
#include "util/cleanup.h"

struct events_opts {
	bool stats;
	const char *interval;
};

static const struct oci_command events_command = {
	.verb = "events",
	.operands = "ID",
	.anywhere = true,
	.options = OCI_OPTIONS(
		{ "stats", OCI_LONG_ONLY, NULL, "print the container's use once, and exit",
		  OCI_INTO(struct events_opts, stats) },
		{ "interval", OCI_LONG_ONLY + 1, "DURATION", "between two stats lines (default 5s)",
		  OCI_INTO(struct events_opts, interval) }),
};

/* "5s", "250ms", "1m", "2" (seconds), as Go's durations are written;
 * milliseconds, or -1. */
static long long parse_interval(const char *text)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || !(v > 0))
		return -1;
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(end, units[i].unit) == 0) {
			double ms = v * units[i].ms;
			return ms < 1 || ms > 86400000.0 ? -1 : (long long)ms;
		}
	return -1;
}

/* The number after `key`="..." in a line's words ("rbytes=4096"), or 0. */
static unsigned long long keyed_value(const char *line, const char *key)
{
	size_t len = strlen(key);
	for (const char *w = strstr(line, key); w; w = strstr(w + 1, key))
		if ((w == line || w[-1] == ' ') && w[len] == '=')
			return strtoull(w + len + 1, NULL, 10);
	return 0;
}

/* "key value" lines into an object of numbers (memory.stat). */
static json_t *keyed_lines(const char *text)
{
	json_t *o = json_object();
	for (const char *line = text; o && line && *line;) {
		const char *space = strchr(line, ' '), *eol = strchr(line, '\n');
		if (space && (!eol || space < eol) && space - line < 128) {
			char key[128];
			memcpy(key, line, (size_t)(space - line));
			key[space - line] = '\0';
			json_object_set_new(
				o, key, json_integer((json_int_t)strtoull(space + 1, NULL, 10)));
		}
		line = eol ? eol + 1 : NULL;
	}
	return o;
}

static json_t *entry(unsigned major, unsigned minor, const char *op, unsigned long long value)
{
	return json_pack("{s:I, s:I, s:s, s:I}", "major", (json_int_t)major, "minor",
			 (json_int_t)minor, "op", op, "value", (json_int_t)value);
}

/* "MAJ:MIN" at the start of a line, *rest past it and its space. */
static bool device_of(const char *line, unsigned *major, unsigned *minor, const char **rest)
{
	char *end;
	unsigned long maj = strtoul(line, &end, 10);
	if (end == line || *end != ':')
		return false;
	const char *p = end + 1;
	unsigned long min = strtoul(p, &end, 10);
	if (end == p || *end != ' ' || maj > UINT32_MAX || min > UINT32_MAX)
		return false;
	*major = (unsigned)maj;
	*minor = (unsigned)min;
	*rest = end + 1;
	return true;
}

/* v1's "8:0 Read 4096" lines, or v2's "8:0 rbytes=4096 wbytes=0 rios=1
 * wios=0 ..." ones, as runc's blkio lists. */
static json_t *blkio_json(const struct cgroup_stats *s)
{
	json_t *bytes = json_array(), *ios = json_array();
	for (const char *line = s->io_stat; line && *line;) {
		unsigned major, minor;
		const char *rest, *eol = strchr(line, '\n');
		char text[256];
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len < sizeof(text)) {
			memcpy(text, line, len);
			text[len] = '\0';
		} else {
			text[0] = '\0';
		}
		if (device_of(text, &major, &minor, &rest) && s->io_stat_v1) {
			const char *space = strchr(rest, ' ');
			char op[16];
			if (space && (size_t)(space - rest) < sizeof(op)) {
				memcpy(op, rest, (size_t)(space - rest));
				op[space - rest] = '\0';
				json_array_append_new(bytes, entry(major, minor, op,
								   strtoull(space + 1, NULL, 10)));
			}
		} else if (device_of(text, &major, &minor, &rest)) {
			json_array_append_new(
				bytes, entry(major, minor, "Read", keyed_value(rest, "rbytes")));
			json_array_append_new(
				bytes, entry(major, minor, "Write", keyed_value(rest, "wbytes")));
			json_array_append_new(
				ios, entry(major, minor, "Read", keyed_value(rest, "rios")));
			json_array_append_new(
				ios, entry(major, minor, "Write", keyed_value(rest, "wios")));
		}
		line = eol ? eol + 1 : NULL;
	}
	return json_pack("{s:o, s:o}", "ioServiceBytesRecursive", bytes, "ioServicedRecursive",
			 ios);
}

static json_int_t limit(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v;
}

static json_int_t pids_limit(uint64_t v)
{
	return v == UINT64_MAX ? 0 : limit(v);
}

static json_t *stats_json(const struct cgroup_stats *s)
{
	json_t *raw = keyed_lines(s->memory_stat);
	json_int_t cache = json_integer_value(json_object_get(raw, "cache")) +
			   json_integer_value(json_object_get(raw, "file"));
	return json_pack("{s:{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}},"
			 " s:{s:I, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:o},"
			 " s:{s:I, s:I}, s:o, s:{}}",
			 "cpu", "usage", "total", (json_int_t)s->cpu_total, "kernel",
			 (json_int_t)s->cpu_system, "user", (json_int_t)s->cpu_user, "throttling",
			 "periods", (json_int_t)s->cpu_periods, "throttledPeriods",
			 (json_int_t)s->cpu_throttled_periods, "throttledTime",
			 (json_int_t)s->cpu_throttled_time, "memory", "cache", cache, "usage",
			 "usage", (json_int_t)s->memory_usage, "limit", limit(s->memory_limit),
			 "max", (json_int_t)s->memory_max_usage, "failcnt",
			 (json_int_t)s->memory_failcnt, "swap", "usage", (json_int_t)s->swap_usage,
			 "limit", limit(s->swap_limit), "raw", raw ? raw : json_object(), "pids",
			 "current", (json_int_t)s->pids_current, "limit", pids_limit(s->pids_limit),
			 "blkio", blkio_json(s), "hugetlb");
}

/* One line: {"type": TYPE, "id": ID[, "data": DATA]}; data is taken. */
static int print_event(const char *type, const char *id, json_t *data, struct nsrun_error *err)
{
	cleanup_json json_t *ev = json_pack("{s:s, s:s}", "type", type, "id", id);
	if (!ev || (data && json_object_set_new(ev, "data", data) < 0))
		return nsrun_fail(err, ENOMEM, "events");
	if (oci_json_print(ev, JSON_COMPACT, err) < 0)
		return -1;
	return fflush(stdout) == 0 ? 0 : nsrun_fail(err, errno, "events: stdout");
}

static int print_stats(const struct stored_container *ct, const struct cgroup_dir *dirs, unsigned n,
		       struct nsrun_error *err)
{
	cleanup_free struct cgroup_stats *s = calloc(1, sizeof(*s));
	if (!s)
		return nsrun_fail(err, ENOMEM, "events");
	if (cgroup_read_stats(dirs, n, s) < 0)
		return nsrun_fail(err, errno, "events: read the cgroups of %s", ct->id);
	json_t *data = stats_json(s);
	if (!data)
		return nsrun_fail(err, ENOMEM, "events");
	return print_event("stats", ct->id, data, err);
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Stats every interval and OOM kills as they come (checked each quarter
 * second), until the container stops. */
static int stream(const struct stored_container *ct, const struct cgroup_dir *dirs, unsigned n,
		  long long interval_ms, struct nsrun_error *err)
{
	const long long tick = interval_ms < 250 ? interval_ms : 250;
	uint64_t ooms = cgroup_oom_kills_in(dirs, n);
	for (long long waited = interval_ms; store_status(ct) != OCI_STOPPED; waited += tick) {
		if (waited >= interval_ms) {
			if (print_stats(ct, dirs, n, err) < 0)
				return -1;
			waited = 0;
		}
		uint64_t now = cgroup_oom_kills_in(dirs, n);
		if (now > ooms && print_event("oom", ct->id, NULL, err) < 0)
			return -1;
		ooms = now;
		sleep_ms(tick);
	}
	return 0;
}

int verb_events(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct events_opts o = { .interval = "5s" };
	const char *id;
	int first = oci_parse_id(&events_command, argc, argv, &o, &id, err);
	if (first <= 0)
		return first;
	long long interval_ms = parse_interval(o.interval);
	if (interval_ms < 0)
		return nsrun_fail(err, 0,
				  "events: --interval '%s': expected a duration such as 5s or "
				  "500ms",
				  o.interval);
	cleanup_store struct stored_container ct = { 0 };
	if (store_load(store_root(g->root), id, &ct, err) < 0)
		return -1;
	if (store_status(&ct) == OCI_STOPPED)
		return nsrun_fail(err, 0, "events: container %s is stopped", ct.id);
	struct cgroup_dir dirs[CGROUP_MAX_DIRS];
	unsigned n = oci_cgroup_dirs(&ct, dirs);
	if (n == 0)
		return nsrun_fail(err, 0, "events: container %s has no cgroup", ct.id);
	return o.stats ? print_stats(&ct, dirs, n, err) : stream(&ct, dirs, n, interval_ms, err);
}
