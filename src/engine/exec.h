/* The final step: close what the command must not inherit, look the
 * command up in PATH as execvp does, and execve it. */
#ifndef NSRUN_ENGINE_EXEC_H
#define NSRUN_ENGINE_EXEC_H

#include <nsrun/nsrun.h>

/* Wait on spec->block_fd, if any: until data arrives or the writer closes. */
int exec_wait_block_fd(const struct nsrun_spec *spec, struct nsrun_error *err);

/* Mark every descriptor above 2 close-on-exec except those in keep_fds and
 * the block fd, then execute the command. Returns only on failure, with
 * err->status 126 (found, not executable) or 127 (not found). */
int exec_command(const struct nsrun_spec *spec, struct nsrun_error *err);

/* Look the command up as the exec will, without executing it: errors as
 * exec_command gives them (126, 127). OCI create reports them then. */
int exec_check_command(const struct nsrun_spec *spec, struct nsrun_error *err);

#endif
