/* SPDX-License-Identifier: Apache-2.0 */
/* --sandbox, the everyday preset, and --share-net. What the preset adds is
 * recorded as its own (CLI_PRESET), so that an error in one of its steps
 * names --sandbox, not an option the user never typed. */
#include <linux/capability.h>
#include <sched.h>

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

int cli_preset_option(struct cli_parser *p, int c)
{
	switch (c) {
	case OPT_SANDBOX: return apply_sandbox_preset(p);
	case OPT_SHARE_NET: p->spec->new_ns &= ~(unsigned long)CLONE_NEWNET; return 0;
	default: return 1;
	}
}
