/* Inside libnsrun: nsrun_reexec_spawn() with a choice of where the stage
 * runs. With `in_child`, the cloned child calls it directly instead of
 * executing the sealed copy of the binary: one execve and one copy of the
 * binary less (bench/README.md). The caller must be single-threaded, since
 * the child then runs ordinary library code after a raw clone, and must
 * make sure nothing untrusted can see the child before it executes
 * something sealed (launch.c, init_runs_in_child). */
#ifndef NSRUN_ENGINE_REEXEC_CHILD_H
#define NSRUN_ENGINE_REEXEC_CHILD_H

#include <nsrun/reexec.h>

typedef int (*reexec_child_fn)(int argc, char **argv, void *arg);

pid_t reexec_spawn(const char *stage, char *const argv[], char *const envp[],
		   const struct nsrun_reexec_attr *attr, reexec_child_fn in_child, void *arg,
		   struct nsrun_error *err);

#endif
