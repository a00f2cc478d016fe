/* SPDX-License-Identifier: Apache-2.0 */
/* config.json's linux.resources (and update's resources) -> the spec's
 * cgroup limits. A default value (0, false, an empty string or list) is
 * "unset", as Docker and kubelet send them for every container; a value of
 * the wrong type is an error naming its field. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_parse.h"
#include "util/cleanup.h"

#define FIELD_SIZE 96
#define DEVICE_LINE_SIZE 48
#define NAMED_LINE_SIZE 64

/* Where the resources are, as errors name them: "config.json:
 * linux.resources", or update's "update: resources". */
struct res_parse {
	struct oci_config *cfg;
	const char *prefix;
	struct nsrun_error *err;
};

static int refuse(const struct res_parse *p, const char *path, const char *why)
{
	return nsrun_fail(p->err, 0, "%s.%s: %s", p->prefix, path, why);
}

/* obj.key, a whole number from min to max: 1 and *out when set, 0 when
 * absent or null, -1 (refused) when of another type or out of range. */
static int get_int(const struct res_parse *p, json_t *obj, const char *path, const char *key,
		   json_int_t min, json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!config_is_set(v))
		return 0;
	char name[FIELD_SIZE];
	(void)snprintf(name, sizeof(name), "%s.%s", path, key);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		char why[96];
		(void)snprintf(why, sizeof(why),
			       "expected a number from %" JSON_INTEGER_FORMAT
			       " to %" JSON_INTEGER_FORMAT,
			       min, max);
		return refuse(p, name, why);
	}
	*out = json_integer_value(v);
	return 1;
}

static int get_bool(const struct res_parse *p, json_t *obj, const char *path, const char *key,
		    bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!config_is_set(v))
		return 0;
	char name[FIELD_SIZE];
	(void)snprintf(name, sizeof(name), "%s.%s", path, key);
	if (!json_is_boolean(v))
		return refuse(p, name, "expected true or false");
	*out = json_is_true(v);
	return 1;
}

/* A string kept as long as the config; "" is unset. */
static int get_string(const struct res_parse *p, json_t *obj, const char *path, const char *key,
		      const char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!config_is_set(v))
		return 0;
	char name[FIELD_SIZE];
	(void)snprintf(name, sizeof(name), "%s.%s", path, key);
	if (!json_is_string(v) || strchr(json_string_value(v), '\n'))
		return refuse(p, name, "expected a string on one line");
	*out = json_string_length(v) ? json_string_value(v) : NULL;
	return 1;
}

/* An object, or absent. */
static json_t *get_object(const struct res_parse *p, json_t *obj, const char *key, int *rc)
{
	json_t *v = json_object_get(obj, key);
	*rc = 0;
	if (!config_is_set(v))
		return NULL;
	if (!json_is_object(v)) {
		*rc = refuse(p, key, "expected an object");
		return NULL;
	}
	return v;
}

#define I64_MIN_ONE (-1)
#define I64_MAX ((json_int_t)INT64_MAX)

/* A byte count (-1: unlimited) of memory into *out, when set. */
static int get_bytes(const struct res_parse *p, json_t *mem, const char *key, int64_t *out)
{
	json_int_t v = 0;
	int r = get_int(p, mem, "memory", key, I64_MIN_ONE, I64_MAX, &v);
	if (r > 0)
		*out = v;
	return r;
}

static int parse_memory(const struct res_parse *p, json_t *mem, struct nsrun_cgroup_limits *l)
{
	json_int_t v = 0, swappiness = -1;
	bool b = false;
	int r;
	if (get_bytes(p, mem, "limit", &l->memory) < 0 ||
	    get_bytes(p, mem, "swap", &l->memory_swap) < 0 ||
	    get_bytes(p, mem, "reservation", &l->memory_reservation) < 0 ||
	    get_bytes(p, mem, "kernelTCP", &l->memory_kernel_tcp) < 0)
		return -1;
	/* The kernel memory limit is gone from the kernel (5.16: it reads
	 * back unlimited): accepted and not applied, as runc does. */
	if (get_int(p, mem, "memory", "kernel", I64_MIN_ONE, I64_MAX, &v) < 0 ||
	    get_bool(p, mem, "memory", "useHierarchy", &b) < 0 ||
	    get_bool(p, mem, "memory", "checkBeforeUpdate", &b) < 0)
		return -1;
	if ((r = get_int(p, mem, "memory", "swappiness", 0, 100, &swappiness)) < 0)
		return -1;
	if (r)
		l->swappiness = (int)swappiness;
	if ((r = get_bool(p, mem, "memory", "disableOOMKiller", &b)) < 0)
		return -1;
	if (r)
		l->disable_oom_killer = b;
	return 0;
}

static int parse_cpu(const struct res_parse *p, json_t *cpu, struct nsrun_cgroup_limits *l)
{
	json_int_t shares = 0, quota = 0, period = 0, burst = 0, rt_runtime = 0, rt_period = 0,
		   idle = 0;
	if (get_int(p, cpu, "cpu", "shares", 0, I64_MAX, &shares) < 0 ||
	    get_int(p, cpu, "cpu", "quota", I64_MIN_ONE, I64_MAX, &quota) < 0 ||
	    get_int(p, cpu, "cpu", "period", 0, I64_MAX, &period) < 0 ||
	    get_int(p, cpu, "cpu", "burst", 0, I64_MAX, &burst) < 0 ||
	    get_int(p, cpu, "cpu", "realtimeRuntime", I64_MIN_ONE, I64_MAX, &rt_runtime) < 0 ||
	    get_int(p, cpu, "cpu", "realtimePeriod", 0, I64_MAX, &rt_period) < 0 ||
	    get_int(p, cpu, "cpu", "idle", 0, 1, &idle) < 0 ||
	    get_string(p, cpu, "cpu", "cpus", &l->cpuset_cpus) < 0 ||
	    get_string(p, cpu, "cpu", "mems", &l->cpuset_mems) < 0)
		return -1;
	if (shares)
		l->cpu_shares = (uint64_t)shares > 262144 ? 262144 : (uint64_t)shares;
	/* A quota needs its period; without one, the kernel's default. */
	if (quota)
		l->cpu_quota = quota < 0 ? UINT64_MAX : (uint64_t)quota;
	l->cpu_period = period ? (uint64_t)period : (l->cpu_period ? l->cpu_period : 100000);
	l->cpu_burst = (uint64_t)burst;
	l->cpu_rt_runtime = rt_runtime;
	l->cpu_rt_period = (uint64_t)rt_period;
	l->cpu_idle = idle != 0;
	return 0;
}

/* The text a list field becomes, kept with the config: room for
 * line_size bytes an entry. NULL with *rc 0 when the list is absent, -1
 * when it is no array or memory is short. */
static char *list_text(const struct res_parse *p, json_t *list, const char *path, size_t line_size,
		       size_t *size, int *rc)
{
	*rc = 0;
	if (!config_is_set(list))
		return NULL;
	if (!json_is_array(list)) {
		*rc = refuse(p, path, "expected an array");
		return NULL;
	}
	*size = json_array_size(list) * line_size + 1;
	char *text = config_keep(p->cfg, malloc(*size), p->err);
	if (!text)
		*rc = -1;
	else
		text[0] = '\0';
	return text;
}

/* A list of {major, minor, VALUE_KEY} into "MAJ:MIN VALUE" lines; entries
 * whose value is 0 are skipped (unset). */
static int device_lines(const struct res_parse *p, json_t *list, const char *path,
			const char *value_key, json_int_t max, const char **out)
{
	size_t i, used = 0, size;
	int rc;
	char *text = list_text(p, list, path, DEVICE_LINE_SIZE, &size, &rc);
	if (!text)
		return rc;
	json_t *e;
	json_array_foreach (list, i, e) {
		char name[FIELD_SIZE];
		(void)snprintf(name, sizeof(name), "%s[%zu]", path, i);
		json_int_t major = 0, minor = 0, value = 0;
		if (!json_is_object(e))
			return refuse(p, name, "expected an object");
		if (get_int(p, e, name, "major", 0, UINT32_MAX, &major) < 0 ||
		    get_int(p, e, name, "minor", 0, UINT32_MAX, &minor) < 0 ||
		    get_int(p, e, name, value_key, 0, max, &value) < 0)
			return -1;
		if (value)
			used += (size_t)snprintf(text + used, size - used,
						 "%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT
						 " %" JSON_INTEGER_FORMAT "\n",
						 major, minor, value);
	}
	*out = used ? text : NULL;
	return 0;
}

static int parse_block_io(const struct res_parse *p, json_t *bio, struct nsrun_cgroup_limits *l)
{
	static const struct {
		const char *key;
		size_t offset;
	} throttles[] = {
		{ "throttleReadBpsDevice", offsetof(struct nsrun_cgroup_limits, io_read_bps) },
		{ "throttleWriteBpsDevice", offsetof(struct nsrun_cgroup_limits, io_write_bps) },
		{ "throttleReadIOPSDevice", offsetof(struct nsrun_cgroup_limits, io_read_iops) },
		{ "throttleWriteIOPSDevice", offsetof(struct nsrun_cgroup_limits, io_write_iops) },
	};
	json_int_t weight = 0, leaf = 0;
	if (get_int(p, bio, "blockIO", "weight", 0, 1000, &weight) < 0 ||
	    get_int(p, bio, "blockIO", "leafWeight", 0, 1000, &leaf) < 0 ||
	    device_lines(p, json_object_get(bio, "weightDevice"), "blockIO.weightDevice", "weight",
			 1000, &l->io_weight_devices) < 0 ||
	    device_lines(p, json_object_get(bio, "weightDevice"), "blockIO.weightDevice",
			 "leafWeight", 1000, &l->io_leaf_weight_devices) < 0)
		return -1;
	l->io_weight = (uint16_t)weight;
	l->io_leaf_weight = (uint16_t)leaf;
	for (size_t i = 0; i < ARRAY_SIZE(throttles); i++) {
		char path[FIELD_SIZE];
		(void)snprintf(path, sizeof(path), "blockIO.%s", throttles[i].key);
		const char **lines = (const char **)((char *)l + throttles[i].offset);
		if (device_lines(p, json_object_get(bio, throttles[i].key), path, "rate", I64_MAX,
				 lines) < 0)
			return -1;
	}
	return 0;
}

/* A list of {NAME_KEY: string, VALUE_KEY: number} into "NAME VALUE"
 * lines: hugepageLimits and network.priorities. */
struct named_list {
	const char *path, *name_key, *value_key;
	bool (*name_valid)(const char *name);
	const char *why; /* for a name that is not valid */
	json_int_t max;
};

static int named_lines(const struct res_parse *p, json_t *list, const struct named_list *d,
		       const char **out)
{
	size_t i, used = 0, size;
	int rc;
	char *text = list_text(p, list, d->path, NAMED_LINE_SIZE, &size, &rc);
	if (!text)
		return rc;
	json_t *e;
	json_array_foreach (list, i, e) {
		char name[FIELD_SIZE];
		(void)snprintf(name, sizeof(name), "%s[%zu]", d->path, i);
		const char *key = json_string_value(json_object_get(e, d->name_key));
		json_int_t value = 0;
		if (!key || !d->name_valid(key))
			return refuse(p, name, d->why);
		if (get_int(p, e, name, d->value_key, 0, d->max, &value) < 0)
			return -1;
		used += (size_t)snprintf(text + used, size - used, "%s %" JSON_INTEGER_FORMAT "\n",
					 key, value);
	}
	*out = used ? text : NULL;
	return 0;
}

static bool page_size_valid(const char *s)
{
	return *s && strlen(s) <= 16 && strspn(s, "0123456789KMGB") == strlen(s);
}

static bool ifname_valid(const char *s)
{
	return *s && strlen(s) <= 15 && !strpbrk(s, " \n/");
}

/* A hugepage limit of 0 is kept (it forbids the size: kubelet sends one
 * for every size it knows). */
static int parse_hugepages(const struct res_parse *p, json_t *list, struct nsrun_cgroup_limits *l)
{
	static const struct named_list hugepages = { "hugepageLimits",
						     "pageSize",
						     "limit",
						     page_size_valid,
						     "expected a pageSize such as 2MB or 1GB",
						     I64_MAX };
	return named_lines(p, list, &hugepages, &l->hugepage_limits);
}

static int parse_network(const struct res_parse *p, json_t *net, struct nsrun_cgroup_limits *l)
{
	static const struct named_list priorities = {
		"network.priorities",	      "name",	 "priority", ifname_valid,
		"expected an interface name", UINT32_MAX
	};
	json_int_t classid = 0;
	if (get_int(p, net, "network", "classID", 0, UINT32_MAX, &classid) < 0)
		return -1;
	l->net_classid = (uint32_t)classid;
	return named_lines(p, json_object_get(net, "priorities"), &priorities, &l->net_priorities);
}

/* {"memory.high": "1G"} into "FILE VALUE" lines. */
static int parse_unified(const struct res_parse *p, json_t *unified, struct nsrun_cgroup_limits *l)
{
	if (!config_is_set(unified))
		return 0;
	if (!json_is_object(unified))
		return refuse(p, "unified", "expected an object of strings");
	size_t size = 1;
	const char *key;
	json_t *v;
	json_object_foreach (unified, key, v) {
		if (!json_is_string(v) || strchr(json_string_value(v), '\n') || !*key ||
		    strpbrk(key, " /\n") || strncmp(key, "cgroup.", 7) == 0) {
			char why[160];
			(void)snprintf(why, sizeof(why),
				       "'%.64s': expected a controller's file and a "
				       "value on one line",
				       key);
			return refuse(p, "unified", why);
		}
		size += strlen(key) + json_string_length(v) + 2;
	}
	char *text = config_keep(p->cfg, malloc(size), p->err);
	if (!text)
		return -1;
	size_t used = 0;
	text[0] = '\0';
	json_object_foreach (unified, key, v)
		used += (size_t)snprintf(text + used, size - used, "%s %s\n", key,
					 json_string_value(v));
	l->unified = used ? text : NULL;
	return 0;
}

/* Whether a device rule has the fields of one: allow (a boolean), and
 * type a, b or c, access of r, w and m, and major and minor numbers if
 * given. */
static bool device_rule_valid(json_t *allow, const char *type, const char *access, json_t *maj,
			      json_t *min)
{
	return json_is_boolean(allow) &&
	       !(type && (strlen(type) != 1 || !strchr("abc", type[0]))) &&
	       !(access &&
		 (!*access || strspn(access, "rwm") != strlen(access) || strlen(access) > 3)) &&
	       !(config_is_set(maj) && (!json_is_integer(maj) || json_integer_value(maj) < 0)) &&
	       !(config_is_set(min) && (!json_is_integer(min) || json_integer_value(min) < 0));
}

/* One rule as a line: "allow c 1:3 rwm". Its length, or -1. */
static int device_rule(const struct res_parse *p, json_t *v, const char *field, char *out,
		       size_t size)
{
	char major[24] = "*", minor[24] = "*";
	json_t *allow = json_object_get(v, "allow");
	const char *type = json_string_value(json_object_get(v, "type"));
	const char *access = json_string_value(json_object_get(v, "access"));
	json_t *maj = json_object_get(v, "major"), *min = json_object_get(v, "minor");
	if (!device_rule_valid(allow, type, access, maj, min))
		return refuse(p, field,
			      "needs allow (a boolean), and type a, b or c, access of r, w "
			      "and m, and major and minor numbers if given");
	if (config_is_set(maj))
		(void)snprintf(major, sizeof(major), "%" JSON_INTEGER_FORMAT,
			       json_integer_value(maj));
	if (config_is_set(min))
		(void)snprintf(minor, sizeof(minor), "%" JSON_INTEGER_FORMAT,
			       json_integer_value(min));
	int n = snprintf(out, size, "%s %s %s:%s %s\n", json_is_true(allow) ? "allow" : "deny",
			 type ? type : "a", major, minor, access ? access : "rwm");
	if (n < 0 || (size_t)n >= size)
		return refuse(p, field, "a number out of range");
	return n;
}

/* devices as the lines of nsrun_cgroup_limits.device_rules. */
static int parse_device_rules(const struct res_parse *p, json_t *devices,
			      struct nsrun_cgroup_limits *l)
{
	/* DEVICE_LINE_SIZE a rule: "allow" and three short words, two
	 * numbers < 2^32. */
	size_t i, used = 0, size;
	int rc;
	char *text = list_text(p, devices, "devices", DEVICE_LINE_SIZE, &size, &rc);
	if (!text)
		return rc;
	json_t *v;
	json_array_foreach (devices, i, v) {
		char field[64];
		(void)snprintf(field, sizeof(field), "devices[%zu]", i);
		int n = device_rule(p, v, field, text + used, size - used);
		if (n < 0)
			return -1;
		used += (size_t)n;
	}
	l->device_rules = used ? text : NULL;
	return 0;
}

int config_resources_into(struct oci_config *cfg, json_t *res, const char *prefix,
			  struct nsrun_cgroup_limits *l, struct nsrun_error *err)
{
	struct res_parse p = { cfg, prefix, err };
	if (!json_is_object(res))
		return nsrun_fail(err, 0, "%s: expected an object", prefix);
	int rc[6];
	json_t *mem = get_object(&p, res, "memory", &rc[0]),
	       *cpu = get_object(&p, res, "cpu", &rc[1]);
	json_t *pids = get_object(&p, res, "pids", &rc[2]),
	       *bio = get_object(&p, res, "blockIO", &rc[3]);
	json_t *net = get_object(&p, res, "network", &rc[4]);
	json_t *rdma = json_object_get(res, "rdma");
	json_int_t pids_limit = 0;
	for (size_t i = 0; i < 5; i++)
		if (rc[i] < 0)
			return -1;
	if ((mem && parse_memory(&p, mem, l) < 0) || (cpu && parse_cpu(&p, cpu, l) < 0) ||
	    (pids && get_int(&p, pids, "pids", "limit", I64_MIN_ONE, I64_MAX, &pids_limit) < 0) ||
	    (bio && parse_block_io(&p, bio, l) < 0) || (net && parse_network(&p, net, l) < 0) ||
	    parse_hugepages(&p, json_object_get(res, "hugepageLimits"), l) < 0 ||
	    parse_unified(&p, json_object_get(res, "unified"), l) < 0 ||
	    parse_device_rules(&p, json_object_get(res, "devices"), l) < 0)
		return -1;
	if (pids_limit)
		l->pids = pids_limit;
	/* rdma is the one resource nsrun does not apply. */
	if (config_is_set(rdma) && !(json_is_object(rdma) && json_object_size(rdma) == 0))
		return refuse(&p, "rdma", "not supported by nsrun");
	return 0;
}

int config_resources(struct oci_config *cfg, json_t *res, struct nsrun_error *err)
{
	return config_resources_into(cfg, res, "config.json: linux.resources", &cfg->spec.cgroup,
				     err);
}
