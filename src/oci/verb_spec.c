/* SPDX-License-Identifier: Apache-2.0 */
/* spec: a starter config.json: a shell in ./rootfs, as root (or, with
 * --rootless, the caller mapped to root), with the usual mounts and
 * defaults. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "oci/json.h"
#include "oci/verb.h"
#include "util/cleanup.h"
#include "util/file.h"

struct spec_opts {
	const char *bundle;
	bool rootless;
};

enum { OPT_ROOTLESS = OCI_LONG_ONLY };

static const struct oci_command spec_command = {
	.verb = "spec",
	.operands = "",
	.anywhere = true,
	.options = OCI_OPTIONS(
		{ "bundle", 'b', "DIR", "write DIR/config.json (default ./config.json)",
		  OCI_INTO(struct spec_opts, bundle) },
		{ "rootless", OPT_ROOTLESS, NULL, "map the caller to root in a user namespace",
		  OCI_INTO(struct spec_opts, rootless) }),
};

/* Rootless: a user namespace in place of a network one (there is no
 * network to set up), and no cgroup namespace. */
static json_t *spec_namespaces(bool rootless)
{
	json_t *ns =
		json_pack("[{s:s},{s:s},{s:s},{s:s},{s:s}]", "type", "pid", "type", "ipc", "type",
			  "uts", "type", "mount", "type", rootless ? "user" : "network");
	if (!rootless)
		json_array_append_new(ns, json_pack("{s:s}", "type", "cgroup"));
	return ns;
}

/* Rootless: no gid=5 for devpts (no such group is mapped), and /sys bound
 * from the host (sysfs needs a network namespace of one's own). */
static json_t *spec_mounts(bool rootless)
{
	return json_pack("[{s:s,s:s,s:s},"
			 "{s:s,s:s,s:s,s:[s,s,s,s]},"
			 "{s:s,s:s,s:s,s:[s,s,s,s,s,s]},"
			 "{s:s,s:s,s:s,s:[s,s,s,s]},"
			 "{s:s,s:s,s:s,s:[s,s,s]},"
			 "{s:s,s:s,s:s,s:[s,s,s,s]}]",
			 "destination", "/proc", "type", "proc", "source", "proc", "destination",
			 "/dev", "type", "tmpfs", "source", "tmpfs", "options", "nosuid",
			 "strictatime", "mode=755", "size=65536k", "destination", "/dev/pts",
			 "type", "devpts", "source", "devpts", "options", "nosuid", "noexec",
			 "newinstance", "ptmxmode=0666", "mode=0620", rootless ? "nodev" : "gid=5",
			 "destination", "/dev/shm", "type", "tmpfs", "source", "shm", "options",
			 "nosuid", "noexec", "nodev", "mode=1777", "destination", "/dev/mqueue",
			 "type", "mqueue", "source", "mqueue", "options", "nosuid", "noexec",
			 "nodev", "destination", "/sys", "type", rootless ? "none" : "sysfs",
			 "source", rootless ? "/sys" : "sysfs", "options", "nosuid", "noexec",
			 "nodev", rootless ? "rbind" : "ro");
}

static json_t *spec_process(void)
{
	static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL",
						    "CAP_NET_BIND_SERVICE", NULL };
	cleanup_json json_t *caps = oci_json_strings(default_caps);
	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:O, s:O, s:O}, "
			 "s:[{s:s,s:i,s:i}], s:b}",
			 "terminal", 0, "user", "uid", 0, "gid", 0, "args", "sh", "env",
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "TERM=xterm", "cwd", "/", "capabilities", "bounding", caps, "effective",
			 caps, "permitted", caps, "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024,
			 "soft", 1024, "noNewPrivileges", 1);
}

static json_t *spec_linux(bool rootless)
{
	static const char *const masked[] = { "/proc/acpi",
					      "/proc/asound",
					      "/proc/kcore",
					      "/proc/keys",
					      "/proc/latency_stats",
					      "/proc/timer_list",
					      "/proc/timer_stats",
					      "/proc/sched_debug",
					      "/sys/firmware",
					      "/proc/scsi",
					      NULL };
	static const char *const readonly[] = { "/proc/bus",	       "/proc/fs",
						"/proc/irq",	       "/proc/sys",
						"/proc/sysrq-trigger", NULL };
	json_t *lx =
		json_pack("{s:o, s:o, s:o}", "namespaces", spec_namespaces(rootless), "maskedPaths",
			  oci_json_strings(masked), "readonlyPaths", oci_json_strings(readonly));
	if (rootless && lx) {
		json_object_set_new(lx, "uidMappings",
				    json_pack("[{s:i,s:i,s:i}]", "containerID", 0, "hostID",
					      (int)getuid(), "size", 1));
		json_object_set_new(lx, "gidMappings",
				    json_pack("[{s:i,s:i,s:i}]", "containerID", 0, "hostID",
					      (int)getgid(), "size", 1));
	}
	return lx;
}

/* Write config into a new file at path: an existing one stays. */
static int write_new(const char *path, const json_t *config, struct nsrun_error *err)
{
	if (access(path, F_OK) == 0)
		return nsrun_fail(err, EEXIST, "spec: %s", path);
	cleanup_free char *text = json_dumps(config, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return nsrun_fail(err, ENOMEM, "spec: write %s", path);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0 || write(fd, "\n", 1) < 0)
		return nsrun_fail(err, errno, "spec: write %s", path);
	/* cppcheck-suppress resourceLeak ; cleanup_close closes it */
	return 0;
}

int verb_spec(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	(void)g;
	struct spec_opts o = { .bundle = "." };
	int first = oci_parse(&spec_command, argc, argv, &o, err);
	if (first <= 0)
		return first;
	if (first < argc)
		return nsrun_fail(err, 0, "spec: unexpected argument '%s'", argv[first]);
	cleanup_json json_t *config = json_pack(
		"{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.0.2", "process",
		spec_process(), "root", "path", "rootfs", "readonly", 1, "hostname", "nsrun",
		"mounts", spec_mounts(o.rootless), "linux", spec_linux(o.rootless));
	if (!config)
		return nsrun_fail(err, ENOMEM, "spec");
	char path[PATH_MAX];
	if (path_format(path, sizeof(path), "%s/config.json", o.bundle) < 0)
		return nsrun_fail(err, ENAMETOOLONG, "spec: %s/config.json", o.bundle);
	return write_new(path, config, err);
}
