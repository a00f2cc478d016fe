/* SPDX-License-Identifier: Apache-2.0 */
/* update: change a running container's cgroup limits, from runc's flags
 * or a resources object (-r FILE, or - for stdin, as containerd, Docker,
 * podman and kubelet's in-place resize send it). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/magic.h>

#include "engine/cgroup/hierarchy.h"
#include "oci/cgroups.h"
#include "oci/config_parse.h"
#include "oci/json.h"
#include "oci/verb.h"
#include "util/cleanup.h"

/* Each flag is a field of the resources object: "memory.limit". */
struct update_flag {
	const char *name;
	const char *field;
	enum { BYTES, NUMBER, TEXT, IGNORED, REFUSED } kind;
	const char *help;
};

static const struct update_flag update_flags[] = {
	{ "memory", "memory.limit", BYTES, "the memory limit (64m, 1g; -1: none)" },
	{ "memory-reservation", "memory.reservation", BYTES, "the memory soft limit" },
	{ "memory-swap", "memory.swap", BYTES, "memory plus swap (-1: unlimited swap)" },
	{ "kernel-memory", "memory.kernel", IGNORED, "accepted, no effect (gone from the kernel)" },
	{ "kernel-memory-tcp", "memory.kernelTCP", IGNORED, "accepted, no effect" },
	{ "cpu-share", "cpu.shares", NUMBER, "CPU shares (relative weight)" },
	{ "cpu-period", "cpu.period", NUMBER, "CFS period, microseconds" },
	{ "cpu-quota", "cpu.quota", NUMBER, "CFS quota a period, microseconds (-1: none)" },
	{ "cpu-rt-period", "cpu.realtimePeriod", NUMBER, "real-time period, microseconds" },
	{ "cpu-rt-runtime", "cpu.realtimeRuntime", NUMBER, "real-time runtime a period" },
	{ "cpu-idle", "cpu.idle", NUMBER, "1: schedule the container as idle (cgroup v2)" },
	{ "cpuset-cpus", "cpu.cpus", TEXT, "CPUs to run on (0-3,6)" },
	{ "cpuset-mems", "cpu.mems", TEXT, "memory nodes to use" },
	{ "blkio-weight", "blockIO.weight", NUMBER, "block I/O weight, 10 to 1000" },
	{ "pids-limit", "pids.limit", NUMBER, "the most processes (-1: none)" },
	{ "l3-cache-schema", NULL, REFUSED, "Intel RDT: refused" },
	{ "mem-bw-schema", NULL, REFUSED, "Intel RDT: refused" },
};

#define N_FLAGS (sizeof(update_flags) / sizeof(update_flags[0]))

struct update_opts {
	const char *resources;
	const char *flag[N_FLAGS];
};

enum { U_FLAG = OCI_LONG_ONLY };

static int take_flag(int val, const char *value, void *opts, struct nsrun_error *err)
{
	(void)err;
	((struct update_opts *)opts)->flag[val - U_FLAG] = value;
	return 0;
}

/* Filled from update_flags on first use: a table that lists each flag
 * once. --resources, the flags, the end. */
static struct oci_option update_options[1 + N_FLAGS + 1];

static struct oci_command update_command = {
	.verb = "update",
	.operands = "ID",
	.anywhere = true,
	.take = take_flag,
	.options = update_options,
};

static const struct oci_command *command(void)
{
	if (update_options[0].name)
		return &update_command;
	update_options[0] = (struct oci_option){ "resources", 'r', "FILE",
						 "a resources object from FILE (-: stdin), as JSON",
						 OCI_INTO(struct update_opts, resources) };
	for (size_t i = 0; i < N_FLAGS; i++)
		update_options[i + 1] = (struct oci_option){ update_flags[i].name, U_FLAG + (int)i,
							     update_flags[i].kind == BYTES ? "BYTES"
							     : update_flags[i].kind == TEXT ? "LIST"
											    : "N",
							     update_flags[i].help, 0 };
	return &update_command;
}

/* "64m", "1G", "512k", "1024", "-1" (runc's sizes, 1024-based). */
static int parse_bytes(const char *text, json_int_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || v < -1 || (v == -1 && *end))
		return -1;
	if (v == -1) {
		*out = -1;
		return 0;
	}
	int shift = 0;
	const char *units = "kmgtp";
	const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (u) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || (v > 0 && (v > (INT64_MAX >> shift))))
		return -1;
	*out = v << shift;
	return 0;
}

/* Put value at the dotted field of res ("memory.limit"). */
static int set_field(json_t *res, const char *field, json_t *value)
{
	char section[32];
	size_t len = strcspn(field, ".");
	(void)snprintf(section, sizeof(section), "%.*s", (int)len, field); /* short names: fits */
	json_t *obj = json_object_get(res, section);
	if (!json_is_object(obj)) {
		obj = json_object();
		if (json_object_set_new(res, section, obj) < 0)
			return -1;
	}
	return json_object_set_new(obj, field + len + 1, value);
}

/* One flag's value into res, checked as its kind. */
static int flag_into(const struct update_flag *f, const char *text, json_t *res,
		     struct nsrun_error *err)
{
	json_int_t n;
	char *end;
	json_t *value = NULL;
	switch (f->kind) {
	case IGNORED: return 0;
	case REFUSED:
		return nsrun_fail(err, 0, "update: --%s: Intel RDT is not supported by nsrun",
				  f->name);
	case TEXT: value = json_string(text); break;
	case BYTES:
		if (parse_bytes(text, &n) < 0)
			return nsrun_fail(err, 0,
					  "update: --%s '%s': expected a size such as 64m or -1",
					  f->name, text);
		value = json_integer(n);
		break;
	case NUMBER:
		errno = 0;
		n = strtoll(text, &end, 10);
		if (errno || end == text || *end)
			return nsrun_fail(err, 0, "update: --%s '%s': expected a number", f->name,
					  text);
		value = json_integer(n);
		break;
	}
	if (!value || set_field(res, f->field, value) < 0)
		return nsrun_fail(err, ENOMEM, "update: --%s", f->name);
	return 0;
}

/* The resources to apply: -r's object, then each flag over it. */
static json_t *wanted_resources(const struct update_opts *o, struct nsrun_error *err)
{
	cleanup_json json_t *res = NULL;
	json_error_t jerr;
	if (!o->resources)
		res = json_object();
	else if (strcmp(o->resources, "-") == 0)
		res = json_loadf(stdin, 0, &jerr);
	else
		res = json_load_file(o->resources, 0, &jerr);
	if (!res) {
		nsrun_fail(err, 0, "update: --resources %s: %s", o->resources ? o->resources : "",
			   o->resources ? jerr.text : "out of memory");
		return NULL;
	}
	if (!json_is_object(res)) {
		nsrun_fail(err, 0, "update: --resources %s: expected a JSON object", o->resources);
		return NULL;
	}
	for (size_t i = 0; i < N_FLAGS; i++)
		if (o->flag[i] && flag_into(&update_flags[i], o->flag[i], res, err) < 0)
			return NULL;
	return take_ptr(res);
}

int verb_update(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct update_opts o = { 0 };
	const char *id;
	int first = oci_parse_id(command(), argc, argv, &o, &id, err);
	if (first <= 0)
		return first;
	cleanup_json json_t *res = wanted_resources(&o, err);
	if (!res)
		return -1;
	cleanup_store struct stored_container ct = { 0 };
	if (store_load(store_root(g->root), id, &ct, err) < 0)
		return -1;
	if (store_status(&ct) == OCI_STOPPED)
		return nsrun_fail(err, 0, "update: container %s is stopped", id);
	struct cgroup_dir dirs[CGROUP_MAX_DIRS];
	unsigned n = oci_cgroup_dirs(&ct, dirs);
	if (n == 0)
		return nsrun_fail(err, 0, "update: container %s has no cgroup", id);
	struct oci_config cfg = { 0 };
	struct nsrun_cgroup_limits limits = NSRUN_CGROUP_LIMITS_UNSET;
	int rc = config_resources_into(&cfg, res, "update: resources", &limits, err);
	/* A scope's properties first, so that systemd keeps them; then the
	 * files, for what systemd cannot express (as runc does). */
	if (rc == 0 && ct.systemd.unit[0])
		rc = systemd_set(&ct.systemd, &limits,
				 cgroup_is_fs(CGROUP_ROOT, CGROUP2_SUPER_MAGIC), err);
	if (rc == 0)
		rc = cgroup_apply_limits(dirs, n, &limits, err);
	oci_config_free(&cfg);
	return rc;
}
