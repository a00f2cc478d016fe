/* SPDX-License-Identifier: Apache-2.0 */
/* A new process or thread starts on its creator's CPU and waits there
 * until the creator blocks or is preempted, even with another CPU idle.
 * Where both have work to do side by side, the new one is moved. */
#ifndef NSRUN_UTIL_CPUS_H
#define NSRUN_UTIL_CPUS_H

#include <sched.h>
#include <sys/types.h>

/* Let task tid run on the CPUs of `allowed` but the one we run on; nothing
 * when that leaves none. */
void cpus_move_elsewhere(pid_t tid, const cpu_set_t *allowed);

#endif
