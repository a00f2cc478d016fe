/* SPDX-License-Identifier: Apache-2.0 */
/* The presets: --sandbox, the everyday sandbox, and --share-net; --boot,
 * systemd as PID 1. What a preset adds is recorded as its own (CLI_PRESET,
 * CLI_BOOT), so that an error in one of its steps names the preset, not an
 * option the user never typed. */
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>

#include "cli/parse.h"
#include "engine/ns/namespaces.h"
#include "util/cleanup.h"

static const struct {
	enum nsrun_fs_kind kind;
	const char *src, *dest;
} preset_steps[] = {
	{ NSRUN_FS_RO_BIND, "/", "/" },
	{ NSRUN_FS_PROC, NULL, "/proc" },
	{ NSRUN_FS_DEV, NULL, "/dev" },
	{ NSRUN_FS_TMPFS, NULL, "/tmp" },
};

/* What OCI runtimes mask and make read-only by default. */
static const char *const default_masked[] = {
	"/proc/acpi",	    "/proc/asound",	 "/proc/interrupts",
	"/proc/kcore",	    "/proc/keys",	 "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi",	    "/sys/firmware",	 "/sys/devices/virtual/powercap",
};
static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int add_preset_paths(struct cli_parser *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(preset_steps); i++)
		if (!cli_add_fs_op(p, CLI_PRESET, preset_steps[i].kind, preset_steps[i].src,
				   preset_steps[i].dest))
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(default_masked); i++)
		if (cli_add_masked(p, default_masked[i], CLI_PRESET) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(default_readonly); i++)
		if (cli_add_readonly(p, default_readonly[i], CLI_PRESET) < 0)
			return -1;
	return 0;
}

/* Later options add to the preset or override it. */
static int apply_sandbox_preset(struct cli_parser *p)
{
	struct nsrun_spec *spec = p->spec;
	bool *by_preset = p->opts->by_preset;
	/* Without CAP_SYS_ADMIN nothing mounted read-only can be remounted,
	 * whatever seccomp profile a later option installs. */
	cli_caps_drop(&p->caps, 1ULL << CAP_SYS_ADMIN);
	spec->new_ns |= NS_ALL_FLAGS;
	spec->id_source = NSRUN_IDS_ROOT;
	p->id_option = NULL; /* a later -M or --map-auto replaces the root map */
	spec->hostname = "nsrun";
	/* The command cannot type into the caller's terminal (TIOCSTI). */
	spec->new_session = true;
	if (add_preset_paths(p) < 0 || cli_use_default_seccomp(p) < 0)
		return -1;
	by_preset[NSRUN_ABOUT_CAPS] = by_preset[NSRUN_ABOUT_ID_SOURCE] = true;
	by_preset[NSRUN_ABOUT_HOSTNAME] = by_preset[NSRUN_ABOUT_SECCOMP] = true;
	by_preset[NSRUN_ABOUT_NEW_SESSION] = true;
	return 0;
}

/* What systemd as PID 1 expects of a container (systemd's "container
 * interface"): its own PID 1, /proc, /dev, a read-only /sys, a writable
 * cgroup view of a cgroup of its own, empty tmpfs on /run, /run/lock and
 * /tmp, and $container set so that it skips what needs the host. */
static const struct {
	enum nsrun_fs_kind kind;
	const char *fstype, *dest;
	unsigned long flags;
	int mode;
} boot_steps[] = {
	{ NSRUN_FS_PROC, NULL, "/proc", 0, -1 },
	{ NSRUN_FS_DEV, NULL, "/dev", 0, -1 },
	{ NSRUN_FS_MOUNT, "sysfs", "/sys", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, -1 },
	{ NSRUN_FS_MOUNT, "cgroup", "/sys/fs/cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, -1 },
	{ NSRUN_FS_TMPFS, NULL, "/run", 0, 0755 },
	{ NSRUN_FS_TMPFS, NULL, "/run/lock", 0, 01777 },
	{ NSRUN_FS_TMPFS, NULL, "/tmp", 0, 01777 },
};

static int apply_boot_preset(struct cli_parser *p)
{
	struct nsrun_spec *spec = p->spec;
	for (size_t i = 0; i < ARRAY_SIZE(boot_steps); i++) {
		struct nsrun_fs_op *op = cli_add_fs_op(p, CLI_BOOT, boot_steps[i].kind,
						       boot_steps[i].fstype, boot_steps[i].dest);
		if (!op)
			return -1;
		op->fstype = boot_steps[i].fstype;
		op->flags = boot_steps[i].flags;
		if (boot_steps[i].mode >= 0)
			op->mode = boot_steps[i].mode;
	}
	spec->new_ns |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
	spec->delegate_cgroup = true;
	/* systemd halts on SIGRTMIN+3 and ignores SIGTERM as PID 1. */
	spec->stop_signal = SIGRTMIN + 3;
	p->boot = true;
	return cli_env_set(p, "container", "nsrun");
}

int cli_preset_option(struct cli_parser *p, int c)
{
	switch (c) {
	case OPT_SANDBOX: return apply_sandbox_preset(p);
	case OPT_BOOT: return apply_boot_preset(p);
	case OPT_SHARE_NET: p->spec->new_ns &= ~(unsigned long)CLONE_NEWNET; return 0;
	default: return 1;
	}
}
