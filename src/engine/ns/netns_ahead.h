/* SPDX-License-Identifier: Apache-2.0 */
/* A container's network namespace, made on a thread of the launcher while
 * the launcher reads the config and writes the state, instead of by the
 * container's first process on the start's path: copy_net_ns is 0.5 to
 * 0.8 ms on the machines measured (bench/README.md). Only where the
 * namespace's owner is the launcher's own user namespace: a container that
 * makes a user namespace makes its network namespace itself, inside it. */
#ifndef NSRUN_ENGINE_NS_NETNS_AHEAD_H
#define NSRUN_ENGINE_NS_NETNS_AHEAD_H

#include <stdbool.h>

#include <nsrun/nsrun.h>

struct netns_ahead {
	int tid; /* the helper thread's while it runs, then 0 (the kernel's) */
	bool running; /* the helper was started and not yet waited for */
	int fd; /* the namespace, once the helper is done; -1: none */
};

/* Start making the namespace if spec makes one and no user namespace
 * (new or joined), on x86_64; otherwise, or if the helper thread cannot
 * start, nothing. */
void netns_ahead_start(struct netns_ahead *n, const struct nsrun_spec *spec);

/* The namespace (the caller's to close), or -1 when there is none, after
 * the thread has finished. The child then joins it with setns. */
int netns_ahead_take(struct netns_ahead *n);

/* Wait for the helper if it runs and close what was not taken. */
void netns_ahead_release(struct netns_ahead *n);

#endif
