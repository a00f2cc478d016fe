/* SPDX-License-Identifier: Apache-2.0 */
/* features: what this runtime implements, as the runtime spec's features
 * document. */
#include <errno.h>

#include "oci/json.h"
#include "engine/cgroup/systemd.h"
#include "oci/verb.h"
#include "engine/limits/caps.h"

static const struct oci_command features_command = { .verb = "features", .operands = "" };

static json_t *cap_names(void)
{
	json_t *a = json_array();
	for (int cap = 0; caps_name(cap); cap++)
		json_array_append_new(a, json_string(caps_name(cap)));
	return a;
}

static json_t *seccomp_features(void)
{
	static const char *const actions[] = {
		"SCMP_ACT_ALLOW",	 "SCMP_ACT_ERRNO",	 "SCMP_ACT_KILL",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
		"SCMP_ACT_TRACE",	 "SCMP_ACT_TRAP",	 NULL
	};
	static const char *const operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
						 "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
						 "SCMP_CMP_NE", NULL };
	static const char *const archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
					     "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
					     "SCMP_ARCH_ARM", NULL };
	static const char *const flags[] = { "SECCOMP_FILTER_FLAG_LOG",
					     "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					     "SECCOMP_FILTER_FLAG_TSYNC",
					     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
			 oci_json_strings(actions), "operators", oci_json_strings(operators),
			 "archs", oci_json_strings(archs), "knownFlags", oci_json_strings(flags),
			 "supportedFlags", oci_json_strings(flags));
}

static json_t *features(void)
{
	static const char *const namespaces[] = { "cgroup", "ipc",  "mount", "network", "pid",
						  "time",   "user", "uts",   NULL };
	static const char *const mount_options[] = {
		"async",      "atime",	 "bind",	"dev",	       "diratime",
		"dirsync",    "exec",	 "mand",	"noatime",     "nodev",
		"nodiratime", "noexec",	 "nomand",	"norelatime",  "nostrictatime",
		"nosuid",     "private", "rbind",	"relatime",    "ro",
		"rprivate",   "rshared", "rslave",	"runbindable", "rw",
		"shared",     "slave",	 "strictatime", "suid",	       "sync",
		"unbindable", NULL
	};
	return json_pack("{s:s, s:s, s:[ssssss], s:o, s:{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, "
			 "s:o, s:{s:b}, "
			 "s:{s:b}, s:{s:{s:b}}}}",
			 "ociVersionMin", "1.0.0", "ociVersionMax", "1.2.0", "hooks", "prestart",
			 "createRuntime", "createContainer", "startContainer", "poststart",
			 "poststop", "mountOptions", oci_json_strings(mount_options), "linux",
			 "namespaces", oci_json_strings(namespaces), "capabilities", cap_names(),
			 "cgroup", "v1", 1, "v2", 1, "systemd", systemd_available(false),
			 "systemdUser", systemd_available(true), "rdma", 0, "seccomp",
			 seccomp_features(), "apparmor", "enabled", 0, "selinux", "enabled", 0,
			 "mountExtensions", "idmap", "enabled", 0);
}

int verb_features(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	(void)g;
	/* Words after the options are ignored. */
	int first = oci_parse(&features_command, argc, argv, NULL, err);
	if (first <= 0)
		return first;
	cleanup_json json_t *o = features();
	if (!o)
		return nsrun_fail(err, ENOMEM, "features");
	return oci_json_print(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER, err);
}
