/* config.json's linux.resources -> the spec's cgroup limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_parse.h"
#include "util/cleanup.h"

/* Whether a device rule has the fields of one: allow (a boolean), and
 * type a, b or c, access of r, w and m, and major and minor numbers if
 * given. */
static bool device_rule_valid(json_t *allow, const char *type, const char *access, json_t *maj,
			      json_t *min)
{
	return json_is_boolean(allow) &&
	       !(type && (strlen(type) != 1 || !strchr("abc", type[0]))) &&
	       !(access && (!*access || strspn(access, "rwm") != strlen(access) ||
			    strlen(access) > 3)) &&
	       !(config_is_set(maj) && (!json_is_integer(maj) || json_integer_value(maj) < 0)) &&
	       !(config_is_set(min) && (!json_is_integer(min) || json_integer_value(min) < 0));
}

/* One rule as a line: "allow c 1:3 rwm". Its length, or -1. */
static int device_rule(json_t *v, const char *field, char *out, size_t size,
		       struct nsrun_error *err)
{
	char major[24] = "*", minor[24] = "*";
	json_t *allow = json_object_get(v, "allow");
	const char *type = json_string_value(json_object_get(v, "type"));
	const char *access = json_string_value(json_object_get(v, "access"));
	json_t *maj = json_object_get(v, "major"), *min = json_object_get(v, "minor");
	if (!device_rule_valid(allow, type, access, maj, min))
		return config_refuse(err, field, "needs allow (a boolean), and type a, b or c, access "
						 "of r, w and m, and major and minor numbers if given");
	if (config_is_set(maj))
		(void)snprintf(major, sizeof(major), "%" JSON_INTEGER_FORMAT, json_integer_value(maj));
	if (config_is_set(min))
		(void)snprintf(minor, sizeof(minor), "%" JSON_INTEGER_FORMAT, json_integer_value(min));
	int n = snprintf(out, size, "%s %s %s:%s %s\n", json_is_true(allow) ? "allow" : "deny",
			 type ? type : "a", major, minor, access ? access : "rwm");
	if (n < 0 || (size_t)n >= size)
		return config_refuse(err, field, "a number out of range");
	return n;
}

/* linux.resources.devices as the lines of nsrun_cgroup_limits.device_rules. */
static int parse_device_rules(json_t *devices, struct oci_config *cfg, struct nsrun_error *err)
{
	/* 48 a rule: "allow" and three short words, two numbers < 2^32. */
	size_t i, used = 0, size = json_array_size(devices) * 48 + 1;
	char *text = config_keep(cfg, malloc(size), err);
	if (!text)
		return -1;
	text[0] = '\0';
	json_t *v;
	json_array_foreach(devices, i, v) {
		char field[64];
		(void)snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		int n = device_rule(v, field, text + used, size - used, err);
		if (n < 0)
			return -1;
		used += (size_t)n;
	}
	cfg->spec.cgroup.device_rules = text;
	return 0;
}

static int parse_memory(json_t *mem, struct nsrun_cgroup_limits *l, struct nsrun_error *err)
{
	static const char *const unsupported[] = { "kernel", "kernelTCP", "swappiness", NULL };
	json_t *v;
	if (config_is_set(v = json_object_get(mem, "limit")) && json_is_integer(v))
		l->memory = json_integer_value(v) < 0 ? 0 : json_integer_value(v);
	if (config_is_set(v = json_object_get(mem, "swap")) && json_is_integer(v))
		l->memory_swap = json_integer_value(v) < 0 ? -1 : json_integer_value(v);
	if (config_refuse_unsupported(mem, "linux.resources.memory", unsupported, err) < 0)
		return -1;
	/* Zero and false are the kernel's defaults: nothing to apply. */
	if (json_integer_value(json_object_get(mem, "reservation")) > 0)
		return config_refuse(err, "linux.resources.memory.reservation",
				     "not supported by nsrun");
	if (json_is_true(json_object_get(mem, "disableOOMKiller")))
		return config_refuse(err, "linux.resources.memory.disableOOMKiller",
				     "not supported by nsrun");
	return 0;
}

/* A positive number in obj's key, or 0. */
static json_int_t positive(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

static int parse_cpu(json_t *cpu, struct nsrun_cgroup_limits *l, struct nsrun_error *err)
{
	static const char *const unsupported[] = { "realtimeRuntime", "realtimePeriod", "cpus",
						   "mems", NULL };
	if (positive(cpu, "quota"))
		l->cpu_quota = (uint64_t)positive(cpu, "quota");
	l->cpu_period = positive(cpu, "period") ? (uint64_t)positive(cpu, "period") : 100000;
	if (positive(cpu, "shares")) {
		/* v1 shares 2..262144 to v2 weight 1..10000 */
		uint64_t shares = (uint64_t)positive(cpu, "shares");
		if (shares > 262144) /* the kernel's maximum; more would wrap */
			shares = 262144;
		l->cpu_weight = shares <= 2 ? 1 : 1 + ((shares - 2) * 9999) / 262142;
	}
	if (config_refuse_unsupported(cpu, "linux.resources.cpu", unsupported, err) < 0)
		return -1;
	if (json_integer_value(json_object_get(cpu, "burst")) != 0)
		return config_refuse(err, "linux.resources.cpu.burst", "not supported by nsrun");
	if (json_integer_value(json_object_get(cpu, "idle")) != 0)
		return config_refuse(err, "linux.resources.cpu.idle", "not supported by nsrun");
	return 0;
}

int config_resources(struct oci_config *cfg, json_t *res, struct nsrun_error *err)
{
	static const char *const unsupported[] = { "hugepageLimits", "blockIO", "network", "rdma",
						   "unified", NULL };
	struct nsrun_cgroup_limits *l = &cfg->spec.cgroup;
	json_t *mem = json_object_get(res, "memory"), *cpu = json_object_get(res, "cpu");
	json_t *pids = json_object_get(res, "pids"), *v;
	if (config_is_set(mem) && parse_memory(mem, l, err) < 0)
		return -1;
	if (config_is_set(pids) && config_is_set(v = json_object_get(pids, "limit")) &&
	    json_is_integer(v))
		l->pids = json_integer_value(v) <= 0 ? -1 : json_integer_value(v);
	if (config_is_set(cpu) && parse_cpu(cpu, l, err) < 0)
		return -1;
	/* Device rules: kept for a devices cgroup where the container could
	 * make nodes itself (cgroup.c); elsewhere a device is reachable inside
	 * only if nsrun created it, the listed devices and the default ones. */
	json_t *devices = json_object_get(res, "devices");
	if (json_array_size(devices) > 0 && parse_device_rules(devices, cfg, err) < 0)
		return -1;
	return config_refuse_unsupported(res, "linux.resources", unsupported, err);
}
