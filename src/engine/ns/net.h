/* SPDX-License-Identifier: Apache-2.0 */
/* The network namespace's loopback interface. */
#ifndef NSRUN_ENGINE_NS_NET_H
#define NSRUN_ENGINE_NS_NET_H

#include <nsrun/error.h>

/* Bring "lo" up with one rtnetlink request (no dependency on ip(8)). */
int net_loopback_up(struct nsrun_error *err);

#endif
