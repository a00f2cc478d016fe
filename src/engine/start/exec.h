/* SPDX-License-Identifier: Apache-2.0 */
/* The final step: close what the command must not inherit, look the
 * command up in PATH as execvp does, and execve it. */
#ifndef NSRUN_ENGINE_START_EXEC_H
#define NSRUN_ENGINE_START_EXEC_H

#include <signal.h>

#include <nsrun/nsrun.h>

/* Wait on spec->block_fd, if any: until data arrives or the writer closes. */
int exec_wait_block_fd(const struct nsrun_spec *spec, struct nsrun_error *err);

/* Mark every descriptor above 2 close-on-exec except those in keep_fds and
 * the block fd, then execute the command. Returns only on failure, with
 * err->status 126 (found, not executable) or 127 (not found). */
int exec_command(const struct nsrun_spec *spec, struct nsrun_error *err);

/* What must not reach the command (descriptors close-on-exec) and its
 * rlimits, once: exec_command does it if no earlier step did. A seccomp
 * filter installed before the exec calls it first, as the filter need not
 * allow close_range or setrlimit. */
int exec_prepare_descriptors_and_limits(const struct nsrun_spec *spec, struct nsrun_error *err);

/* An init stage that runs in the cloned child executes the command
 * through the sealed exec shim `fd` (shim.h) instead of directly:
 * exec_command does from then on; the shim sets command_mask (NULL: none
 * blocked) as the signal mask. Call in that child only. */
void exec_use_shim(int fd, const sigset_t *command_mask);

/* The shim's descriptor, or -1 when the command is executed directly. */
int exec_shim_fd(void);

/* exec_command through the shim, which first, when they are >= 0, says
 * "ready" on sync_fd (OCI create's sync socket) and waits there for the
 * commit, and waits for start's byte on fifo_fd (the exec fifo): a parked
 * container's PID 1 is then the shim, not nsrun. The limits, no_new_privs
 * and the seccomp filter are in place before the wait. Returns only on
 * failure, like exec_command. */
int exec_via_shim(const struct nsrun_spec *spec, int sync_fd, int fifo_fd, struct nsrun_error *err);

/* Look the command up as the exec will, without executing it: errors as
 * exec_command gives them (126, 127). OCI create reports them then. */
int exec_check_command(const struct nsrun_spec *spec, struct nsrun_error *err);

#endif
