/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities. See caps.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "engine/limits/caps.h"
#include "util/file.h"

/* capabilities(7), in number order. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};
#define N_CAP_NAMES ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int caps_from_name(const char *name)
{
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
	for (int i = 0; i < N_CAP_NAMES; i++)
		if (strcasecmp(cap_names[i] + 4, bare) == 0)
			return i;
	return -1;
}

const char *caps_name(int cap)
{
	return cap >= 0 && cap < N_CAP_NAMES ? cap_names[cap] : NULL;
}

uint64_t caps_all_named(void)
{
	return (1ULL << N_CAP_NAMES) - 1;
}

static int get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &hdr, data);
}

static int set(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capset, &hdr, data);
}

bool caps_have(int cap)
{
	struct __user_cap_data_struct data[2];
	return get(data) == 0 && (data[cap / 32].effective & (1U << (cap % 32))) != 0;
}

static int clear_ambient(struct nsrun_error *err)
{
	/* EINVAL: a kernel without ambient capabilities has none to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return nsrun_fail(err, errno, "clear ambient capabilities");
	return 0;
}

int caps_clear_carried(struct nsrun_error *err)
{
	struct __user_cap_data_struct data[2];
	if (clear_ambient(err) < 0)
		return -1;
	if (get(data) < 0)
		return nsrun_fail(err, errno, "capget");
	data[0].inheritable = data[1].inheritable = 0;
	if (set(data) < 0)
		return nsrun_fail(err, errno, "clear inheritable capabilities");
	return 0;
}

int caps_drop_all(struct nsrun_error *err)
{
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (clear_ambient(err) < 0)
		return -1;
	if (set(data) < 0)
		return nsrun_fail(err, errno, "drop capabilities");
	return 0;
}

/* The capabilities this kernel has, as bits: capset refuses unknown ones. */
/* The capabilities the kernel knows: probed once, as bounding and the
 * other sets are applied one after the other and the kernel's list does
 * not change in between; or learned ahead by caps_learn_kernel(). */
static uint64_t kernel_known;

static uint64_t kernel_caps(void)
{
	if (kernel_known)
		return kernel_known;
	for (int cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		kernel_known |= 1ULL << cap;
	return kernel_known;
}

void caps_learn_kernel(void)
{
	char text[8];
	if (file_read("/proc/sys/kernel/cap_last_cap", text, sizeof(text)) <= 0)
		return;
	char *end;
	long last = strtol(text, &end, 10);
	if ((*end == '\n' || *end == '\0') && last >= 0 && last < 63)
		kernel_known = (1ULL << (last + 1)) - 1;
}

int caps_apply_bounding(const struct nsrun_caps *caps, struct nsrun_error *err)
{
	uint64_t known = kernel_caps();
	for (int cap = 0; cap < 64; cap++) {
		if (!(known & (1ULL << cap)) || (caps->bounding & (1ULL << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return nsrun_fail(err, errno, "drop %s from the bounding set",
					  caps_name(cap) ? caps_name(cap) : "a capability");
	}
	return 0;
}

int caps_apply_sets(const struct nsrun_caps *caps, struct nsrun_error *err)
{
	uint64_t known = kernel_caps();
	uint64_t eff = caps->effective & known, perm = caps->permitted & known;
	uint64_t inh = caps->inheritable & known;
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	if (set(data) < 0)
		return nsrun_fail(err, errno, "set capabilities (effective %#llx, permitted %#llx)",
				  (unsigned long long)eff, (unsigned long long)perm);
	if (clear_ambient(err) < 0)
		return -1;
	for (int cap = 0; cap < 64; cap++) {
		if (!((caps->ambient & known) & (1ULL << cap)))
			continue;
		/* The kernel raises only what is permitted and inheritable; a
		 * config asking for more (crun's spec does) gets what it can, as
		 * crun and runc give it. */
		if (!(caps->permitted & caps->inheritable & (1ULL << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return nsrun_fail(err, errno, "raise ambient %s",
					  caps_name(cap) ? caps_name(cap) : "capability");
	}
	return 0;
}
