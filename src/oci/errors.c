/* SPDX-License-Identifier: Apache-2.0 */
/* Engine errors named by config.json field. See errors.h. */
#include <stdio.h>

#include "oci/errors.h"

/* The field that fills each part of the spec the engine may name. */
static const char *const field_of[NSRUN_ABOUT_COUNT] = {
	[NSRUN_ABOUT_COMMAND] = "process.args",
	[NSRUN_ABOUT_NEW_NS] = "linux.namespaces",
	[NSRUN_ABOUT_JOIN] = "linux.namespaces",
	[NSRUN_ABOUT_UID_MAP] = "linux.uidMappings",
	[NSRUN_ABOUT_GID_MAP] = "linux.gidMappings",
	[NSRUN_ABOUT_ROOTFS] = "root.path",
	[NSRUN_ABOUT_NO_PIVOT] = "--no-pivot",
	[NSRUN_ABOUT_PROPAGATION] = "linux.rootfsPropagation",
	[NSRUN_ABOUT_ROOT_READONLY] = "root.readonly",
	[NSRUN_ABOUT_MASKED_PATH] = "linux.maskedPaths",
	[NSRUN_ABOUT_READONLY_PATH] = "linux.readonlyPaths",
	[NSRUN_ABOUT_HOSTNAME] = "hostname",
	[NSRUN_ABOUT_DOMAINNAME] = "domainname",
	[NSRUN_ABOUT_CHDIR] = "process.cwd",
	[NSRUN_ABOUT_ENV] = "process.env",
	[NSRUN_ABOUT_USER_IDS] = "process.user",
	[NSRUN_ABOUT_CAPS] = "process.capabilities",
	[NSRUN_ABOUT_NO_NEW_PRIVS] = "process.noNewPrivileges",
	[NSRUN_ABOUT_RLIMIT] = "process.rlimits",
	[NSRUN_ABOUT_SECCOMP] = "linux.seccomp",
	[NSRUN_ABOUT_SYSCTL] = "linux.sysctl",
	[NSRUN_ABOUT_OOM_SCORE_ADJ] = "process.oomScoreAdj",
	[NSRUN_ABOUT_CGROUP_PATH] = "linux.cgroupsPath",
	[NSRUN_ABOUT_MEMORY] = "linux.resources.memory.limit",
	[NSRUN_ABOUT_MEMORY_SWAP] = "linux.resources.memory.swap",
	[NSRUN_ABOUT_PIDS] = "linux.resources.pids.limit",
	[NSRUN_ABOUT_CPU_QUOTA] = "linux.resources.cpu.quota",
	[NSRUN_ABOUT_CPU_WEIGHT] = "linux.resources.cpu.shares",
	[NSRUN_ABOUT_DEVICE_RULES] = "linux.resources.devices",
	[NSRUN_ABOUT_KEEP_FD] = "--preserve-fds",
	[NSRUN_ABOUT_TERMINAL] = "process.terminal",
};

void oci_error_wrap(const struct oci_config *cfg, struct nsrun_error *err)
{
	enum nsrun_about about = (enum nsrun_about)err->about;
	if (about <= NSRUN_ABOUT_NOTHING || about >= NSRUN_ABOUT_COUNT)
		return;
	int i = err->index;
	const struct nsrun_spec *spec = &cfg->spec;
	if (about == NSRUN_ABOUT_FS_OP && i >= 0 && (unsigned)i < spec->n_fs_ops) {
		if ((unsigned)i < cfg->n_mount_ops)
			nsrun_error_wrap(err, "config.json: mounts[%d]", i);
		else
			nsrun_error_wrap(err, "config.json: linux.devices[%u]",
					 (unsigned)i - cfg->n_mount_ops);
		return;
	}
	const char *field = field_of[about];
	if (!field)
		return;
	const char *value = about == NSRUN_ABOUT_CHDIR	      ? spec->chdir
			    : about == NSRUN_ABOUT_HOSTNAME   ? spec->hostname
			    : about == NSRUN_ABOUT_DOMAINNAME ? spec->domainname
			    : about == NSRUN_ABOUT_ROOTFS     ? spec->rootfs
							      : NULL;
	if (value) {
		nsrun_error_wrap(err, "config.json: %s %s", field, value);
		return;
	}
	if (field[0] == '-')
		nsrun_error_wrap(err, "%s", field);
	else if (i >= 0 && about != NSRUN_ABOUT_JOIN && about != NSRUN_ABOUT_SYSCTL)
		nsrun_error_wrap(err, "config.json: %s[%d]", field, i);
	else
		nsrun_error_wrap(err, "config.json: %s", field);
}
