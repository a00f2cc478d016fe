/* Device rules (linux.resources.devices) in a cgroup: the v1 devices
 * controller's allow and deny files. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "engine/cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/file.h"

#define RULE_SIZE 96

/* What runc and crun allow besides the config's rules: making any node,
 * and the nodes every container gets (null, zero, full, random, urandom,
 * tty, ptmx and the pts). */
static const char *const default_device_rules[] = {
	"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
	"c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm",
};

static int write_rule(const char *dir, const char *file, const char *rule,
		      struct nsrun_error *err)
{
	if (file_write_str(dir, file, rule) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, errno,
					"write %s to %s/%s", rule, dir, file);
	return 0;
}

/* The rules in order, then the defaults: "allow X" to devices.allow,
 * "deny X" to devices.deny. */
static int write_v1_rules(const char *dir, const char *rules, struct nsrun_error *err)
{
	for (const char *line = rules; *line;) {
		size_t len = strcspn(line, "\n");
		char rule[RULE_SIZE];
		if (len >= sizeof(rule))
			return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, EINVAL,
						"a device rule too long");
		memcpy(rule, line, len);
		rule[len] = '\0';
		line += len + (line[len] == '\n');
		bool allow = strncmp(rule, "allow ", 6) == 0;
		if (!allow && strncmp(rule, "deny ", 5) != 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, EINVAL,
						"'%s' is not a device rule", rule);
		if (write_rule(dir, allow ? "devices.allow" : "devices.deny", rule + (allow ? 6 : 5),
			       err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_device_rules); i++)
		if (write_rule(dir, "devices.allow", default_device_rules[i], err) < 0)
			return -1;
	return 0;
}

int cgroup_apply_device_rules(const struct cgroup_dir *dirs, unsigned n, const char *rules,
			      struct nsrun_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		char probe[NSRUN_CGROUP_PATH_MAX + 32];
		if (!dirs[i].v2 && path_format(probe, sizeof(probe), "%s/devices.allow", dirs[i].path) == 0 &&
		    access(probe, F_OK) == 0)
			return write_v1_rules(dirs[i].path, rules, err);
	}
	return nsrun_fail_about(err, NSRUN_ABOUT_DEVICE_RULES, -1, 0,
				"no devices cgroup for this container");
}
