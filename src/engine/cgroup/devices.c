/* SPDX-License-Identifier: Apache-2.0 */
/* Device rules (linux.resources.devices) in a cgroup: the v1 devices
 * controller's allow and deny files, or on cgroup v2 a BPF program
 * (devices_bpf.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/devices.h"
#include "util/cleanup.h"
#include "util/file.h"

#define RULE_SIZE 96

/* What runc and crun allow besides the config's rules: making any node,
 * and the nodes every container gets (null, zero, full, random, urandom,
 * tty, ptmx and the pts). */
static const char *const default_device_rules[] = {
	"c *:* m",   "b *:* m",	  "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
	"c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm",
};

static int write_rule(const char *dir, const char *file, const char *rule, struct nsrun_error *err)
{
	if (file_write_str(dir, file, rule) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, errno,
					"write %s to %s/%s", rule, dir, file);
	return 0;
}

/* The next line of rules into rule (RULE_SIZE bytes), *line moved past
 * it: 1, 0 at the end, -1 with err for a line too long. */
static int next_rule(const char **line, char *rule, struct nsrun_error *err)
{
	if (!**line)
		return 0;
	size_t len = strcspn(*line, "\n");
	if (len >= RULE_SIZE)
		return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, EINVAL,
					"a device rule too long");
	memcpy(rule, *line, len);
	rule[len] = '\0';
	*line += len + ((*line)[len] == '\n');
	return 1;
}

/* The rules in order, then the defaults: "allow X" to devices.allow,
 * "deny X" to devices.deny. */
static int write_v1_rules(const char *dir, const char *rules, struct nsrun_error *err)
{
	char rule[RULE_SIZE];
	const char *line = rules;
	int got;
	while ((got = next_rule(&line, rule, err)) > 0) {
		bool allow = strncmp(rule, "allow ", 6) == 0;
		if (!allow && strncmp(rule, "deny ", 5) != 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, EINVAL,
						"'%s' is not a device rule", rule);
		if (write_rule(dir, allow ? "devices.allow" : "devices.deny",
			       rule + (allow ? 6 : 5), err) < 0)
			return -1;
	}
	if (got < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(default_device_rules); i++)
		if (write_rule(dir, "devices.allow", default_device_rules[i], err) < 0)
			return -1;
	return 0;
}

/* "allow c 1:3 rwm" into a rule; -1 for anything else. */
static int parse_rule(const char *text, struct device_rule *r)
{
	char verb[8], type, major[16], minor[16], access[8];
	if (sscanf(text, "%7s %c %15[^:]:%15s %7s", verb, &type, major, minor, access) != 5 ||
	    !strchr("abc", type))
		return -1;
	r->allow = strcmp(verb, "allow") == 0;
	if (!r->allow && strcmp(verb, "deny") != 0)
		return -1;
	r->type = type;
	char *end;
	r->major = strcmp(major, "*") == 0 ? -1 : (int)strtol(major, &end, 10);
	r->minor = strcmp(minor, "*") == 0 ? -1 : (int)strtol(minor, &end, 10);
	r->access = 0;
	for (const char *c = access; *c; c++)
		r->access |= *c == 'r'	 ? DEVICE_READ
			     : *c == 'w' ? DEVICE_WRITE
			     : *c == 'm' ? DEVICE_MKNOD
					 : 8;
	return r->access & 8 ? -1 : 0;
}

/* The rules, then the defaults, parsed for a BPF program. */
static int bpf_rules(const char *rules, struct device_rule **out, unsigned *n,
		     struct nsrun_error *err)
{
	size_t lines = ARRAY_SIZE(default_device_rules) + 1;
	for (const char *c = rules; *c; c++)
		lines += *c == '\n';
	cleanup_free struct device_rule *v = calloc(lines, sizeof(*v));
	if (!v)
		return nsrun_fail(err, errno, "device rules");
	*n = 0;
	char rule[RULE_SIZE];
	const char *line = rules;
	int got;
	while ((got = next_rule(&line, rule, err)) > 0) {
		if (parse_rule(rule, &v[*n]) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, EINVAL,
						"'%s' is not a device rule", rule);
		(*n)++;
	}
	if (got < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(default_device_rules); i++) {
		(void)snprintf(rule, sizeof(rule), "allow %s", default_device_rules[i]); /* fits */
		parse_rule(rule, &v[(*n)++]);
	}
	*out = take_ptr(v);
	return 0;
}

int cgroup_apply_device_rules(const struct cgroup_dir *dirs, unsigned n, const char *rules,
			      struct nsrun_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		char probe[NSRUN_CGROUP_PATH_MAX + 32];
		if (!dirs[i].v2 &&
		    path_format(probe, sizeof(probe), "%s/devices.allow", dirs[i].path) == 0 &&
		    access(probe, F_OK) == 0)
			return write_v1_rules(dirs[i].path, rules, err);
	}
	for (unsigned i = 0; i < n; i++) {
		if (!dirs[i].v2)
			continue;
		cleanup_free struct device_rule *parsed = NULL;
		unsigned count = 0;
		if (bpf_rules(rules, &parsed, &count, err) < 0 ||
		    devices_bpf_attach(dirs[i].path, parsed, count, err) < 0)
			return nsrun_error_about(err, NSRUN_ABOUT_DEVICE_RULES, -1);
		return 0;
	}
	return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, 0,
				"no devices cgroup for this container");
}
