/* features and spec: what this runtime implements, and a starter config. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "oci/oci.h"
#include "engine/limits/caps.h"

static json_t *strings(const char *const *list)
{
	json_t *a = json_array();
	for (size_t i = 0; list[i]; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static json_t *cap_names(void)
{
	json_t *a = json_array();
	for (int cap = 0; caps_name(cap); cap++)
		json_array_append_new(a, json_string(caps_name(cap)));
	return a;
}

int oci_features(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	(void)g;
	(void)argc;
	(void)argv;
	static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid",
						  "time", "user", "uts", NULL };
	static const char *const mount_options[] = {
		"async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "mand", "noatime",
		"nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid",
		"private", "rbind", "relatime", "ro", "rprivate", "rshared", "rslave",
		"runbindable", "rw", "shared", "slave", "strictatime", "suid", "sync", "unbindable",
		NULL };
	static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					       "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
					       "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
					       NULL };
	static const char *const operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
						 "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
						 "SCMP_CMP_NE", NULL };
	static const char *const archs[] = { "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
					     "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
	static const char *const flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					     "SECCOMP_FILTER_FLAG_TSYNC",
					     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
	json_t *o = json_pack(
		"{s:s, s:s, s:[ssssss], s:o, s:{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:{s:b, s:o, s:o, s:o, s:o, s:o}, s:{s:b}, s:{s:b}, s:{s:{s:b}}}}",
		"ociVersionMin", "1.0.0", "ociVersionMax", "1.2.0", "hooks", "prestart",
		"createRuntime", "createContainer", "startContainer", "poststart", "poststop", "mountOptions",
		strings(mount_options), "linux", "namespaces", strings(namespaces), "capabilities",
		cap_names(), "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0, "rdma", 0,
		"seccomp", "enabled", 1, "actions", strings(actions), "operators", strings(operators),
		"archs", strings(archs), "knownFlags", strings(flags), "supportedFlags", strings(flags),
		"apparmor", "enabled", 0, "selinux", "enabled", 0, "mountExtensions", "idmap",
		"enabled", 0);
	if (!o)
		return nsrun_fail(err, ENOMEM, "features");
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	printf("%s\n", text ? text : "{}");
	free(text);
	return 0;
}

/* A starter config: a shell in ./rootfs, as root (or the caller, mapped to
 * root, with --rootless), with the usual mounts and defaults. */
int oci_spec(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	(void)g;
	const char *bundle = ".";
	bool rootless = false;
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-b") == 0 || strcmp(argv[i], "--bundle") == 0) && i + 1 < argc)
			bundle = argv[++i];
		else if (strcmp(argv[i], "--rootless") == 0)
			rootless = true;
		else
			return nsrun_fail(err, 0, "spec: unknown option '%s'", argv[i]);
	}
	static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL",
						    "CAP_NET_BIND_SERVICE", NULL };
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi", NULL };
	static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
						"/proc/sysrq-trigger", NULL };
	json_t *ns = json_pack("[{s:s},{s:s},{s:s},{s:s},{s:s}]", "type", "pid", "type", "ipc",
			       "type", "uts", "type", "mount", "type", rootless ? "user" : "network");
	if (!rootless)
		json_array_append_new(ns, json_pack("{s:s}", "type", "cgroup"));
	json_t *mounts = json_pack(
		"[{s:s,s:s,s:s},"
		"{s:s,s:s,s:s,s:[s,s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s,s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s]},"
		"{s:s,s:s,s:s,s:[s,s,s,s]}]",
		"destination", "/proc", "type", "proc", "source", "proc",
		"destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options", "nosuid",
		"strictatime", "mode=755", "size=65536k",
		"destination", "/dev/pts", "type", "devpts", "source", "devpts", "options", "nosuid",
		"noexec", "newinstance", "ptmxmode=0666", "mode=0620", rootless ? "nodev" : "gid=5",
		"destination", "/dev/shm", "type", "tmpfs", "source", "shm", "options", "nosuid",
		"noexec", "nodev", "mode=1777",
		"destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue", "options",
		"nosuid", "noexec", "nodev",
		"destination", "/sys", "type", rootless ? "none" : "sysfs", "source",
		rootless ? "/sys" : "sysfs", "options", "nosuid", "noexec", "nodev",
		rootless ? "rbind" : "ro");
	json_t *caps = strings(default_caps);
	json_t *config = json_pack(
		"{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:O, s:O, s:O}, s:[{s:s,s:i,s:i}], s:b},"
		" s:{s:s, s:b}, s:s, s:o, s:{s:o, s:[s], s:[s]}}",
		"ociVersion", "1.0.2",
		"process", "terminal", 0, "user", "uid", 0, "gid", 0, "args", "sh", "env",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
		"cwd", "/", "capabilities", "bounding", caps, "effective", caps, "permitted", caps,
		"rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1,
		"root", "path", "rootfs", "readonly", 1, "hostname", "nsrun", "mounts", mounts,
		"linux", "namespaces", ns, "maskedPaths", "/proc/kcore", "readonlyPaths", "/proc/sys");
	json_decref(caps);
	if (!config)
		return nsrun_fail(err, ENOMEM, "spec");
	json_t *lx = json_object_get(config, "linux");
	json_object_set_new(lx, "maskedPaths", strings(masked));
	json_object_set_new(lx, "readonlyPaths", strings(readonly));
	if (rootless) {
		json_object_set_new(lx, "uidMappings", json_pack("[{s:i,s:i,s:i}]", "containerID", 0,
								 "hostID", (int)getuid(), "size", 1));
		json_object_set_new(lx, "gidMappings", json_pack("[{s:i,s:i,s:i}]", "containerID", 0,
								 "hostID", (int)getgid(), "size", 1));
	}
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path)) {
		json_decref(config);
		return nsrun_fail(err, ENAMETOOLONG, "spec: %s/config.json", bundle);
	}
	if (access(path, F_OK) == 0) {
		json_decref(config);
		return nsrun_fail(err, EEXIST, "spec: %s", path);
	}
	char *text = json_dumps(config, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(config);
	int fd = text ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
	int rc = 0;
	if (fd < 0 || write(fd, text, strlen(text)) < 0 || write(fd, "\n", 1) < 0)
		rc = nsrun_fail(err, text ? errno : ENOMEM, "spec: write %s", path);
	if (fd >= 0)
		close(fd);
	free(text);
	return rc < 0 ? -1 : 0;
}
