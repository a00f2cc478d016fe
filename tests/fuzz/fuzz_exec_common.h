/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the exec targets: the container config an exec starts from,
 * loaded and stripped as exec does (src/oci/exec_process.c). */
#ifndef NSRUN_FUZZ_EXEC_COMMON_H
#define NSRUN_FUZZ_EXEC_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "oci/exec_process.h"

/* A container config with every process field exec replaces or keeps. */
static const char base_config[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"hostname\":\"box\","
	"\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
	"\"user\":{\"uid\":1000,\"gid\":1000,\"umask\":18,\"additionalGids\":[10,20]},"
	"\"args\":[\"sh\"],\"env\":[\"PATH=/bin\",\"TERM=xterm\"],\"cwd\":\"/\","
	"\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
	"\"permitted\":[\"CAP_KILL\"],\"ambient\":[\"CAP_KILL\"],\"inheritable\":[\"CAP_KILL\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
	"\"noNewPrivileges\":true,\"oomScoreAdj\":100},"
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"}],"
	"\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
	"\"sysctl\":{\"kernel.hostname\":\"box\"},"
	"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kexec_"
	"load\"],"
	"\"action\":\"SCMP_ACT_ERRNO\"}]}}}";

/* Load the base config as exec does (the container's bundle), stripped to
 * its process side. */
static void load_base(struct oci_config *cfg)
{
	static char bundle[4200];
	struct nsrun_error err;
	if (!bundle[0]) {
		fuzz_tmp_write("base/config.json", (const uint8_t *)base_config,
			       sizeof(base_config) - 1);
		snprintf(bundle, sizeof(bundle), "%s/base", fuzz_tmp_dir());
	}
	if (oci_config_load(bundle, cfg, &err) < 0) {
		fprintf(stderr, "fuzz: base config: %s\n", err.msg);
		abort();
	}
	exec_strip_to_process(cfg);
}

/* What exec hands the engine. */
static void check_exec_spec(const struct nsrun_spec *spec)
{
	if (!spec->argv || !spec->argv[0] || !spec->chdir)
		abort();
	for (char **e = spec->env; e && *e; e++)
		if (!strchr(*e, '='))
			abort();
	if (spec->new_ns || spec->n_fs_ops || spec->rootfs || spec->n_sysctl)
		abort();
}

#endif
