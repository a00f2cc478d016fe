/* SPDX-License-Identifier: Apache-2.0 */
/* Moving a new task off its creator's CPU. See cpus.h. */
#include "util/cpus.h"

void cpus_move_elsewhere(pid_t tid, const cpu_set_t *allowed)
{
	cpu_set_t others = *allowed;
	int here = sched_getcpu();
	if (here >= 0 && here < CPU_SETSIZE)
		CPU_CLR(here, &others);
	if (CPU_COUNT(&others) > 0)
		(void)sched_setaffinity(tid, sizeof(others), &others);
}
