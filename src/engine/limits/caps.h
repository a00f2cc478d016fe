/* SPDX-License-Identifier: Apache-2.0 */
/* Process capabilities on raw capget/capset: names as in capabilities(7),
 * and applying the OCI sets around a user switch. */
#ifndef NSRUN_ENGINE_LIMITS_CAPS_H
#define NSRUN_ENGINE_LIMITS_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include <nsrun/nsrun.h>

/* The number of a capability: "CAP_NET_ADMIN", "net_admin", any case;
 * -1 if unknown. */
int caps_from_name(const char *name);

/* "CAP_NET_ADMIN" for 12; NULL past the last known. */
const char *caps_name(int cap);

/* Every capability nsrun knows by name, as bits. */
uint64_t caps_all_named(void);

/* Whether `cap` is in the effective set. */
bool caps_have(int cap);

/* Empty the ambient and inheritable sets, keeping permitted and effective:
 * what the sealed re-exec carried over (keep_capabilities) must not reach
 * the command. */
int caps_clear_carried(struct nsrun_error *err);

/* Empty every set, ambient included. */
int caps_drop_all(struct nsrun_error *err);

/* Before the user switch: drop from the bounding set what caps lacks. */
int caps_apply_bounding(const struct nsrun_caps *caps, struct nsrun_error *err);

/* After the user switch (done with PR_SET_KEEPCAPS): set effective,
 * permitted and inheritable, then raise the ambient set. */
int caps_apply_sets(const struct nsrun_caps *caps, struct nsrun_error *err);

/* Learn the kernel's capabilities from the host's /proc ahead, in the
 * launcher: 3 system calls, where probing each costs one. Never in the
 * sandbox, whose /proc may be the root filesystem's own files. An init
 * stage in the cloned child inherits what was learned. */
void caps_learn_kernel(void);

#endif
