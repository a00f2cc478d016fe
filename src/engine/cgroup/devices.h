/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the cgroup module: device rules, parsed, and the cgroup v2 way of
 * enforcing them. */
#ifndef NSRUN_ENGINE_CGROUP_DEVICES_H
#define NSRUN_ENGINE_CGROUP_DEVICES_H

#include <stdbool.h>

#include <nsrun/error.h>

/* Access bits, as the kernel's BPF device context has them. */
#define DEVICE_MKNOD 1u
#define DEVICE_READ 2u
#define DEVICE_WRITE 4u

/* "allow c 1:3 rwm": the type 'a', 'b' or 'c'; -1 for a '*' number. */
struct device_rule {
	bool allow;
	char type;
	int major, minor;
	unsigned access;
};

/* Attach a program enforcing the rules to the cgroup v2 directory dir. */
int devices_bpf_attach(const char *dir, const struct device_rule *rules, unsigned n,
		       struct nsrun_error *err);

#endif
