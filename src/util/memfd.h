/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed executable memfds: copies of programs that nothing can change once
 * made, so that a process executing one cannot write through its
 * /proc/PID/exe to a file on the host. */
#ifndef NSRUN_UTIL_MEMFD_H
#define NSRUN_UTIL_MEMFD_H

#include <stddef.h>

/* memfd_create(name) close-on-exec, sealable and executable even where
 * vm.memfd_noexec would refuse it. -1 with errno on failure. */
int memfd_exec_create(const char *name);

/* Seal fd against every change (write, grow, shrink, further seals, and
 * the mode where the kernel knows F_SEAL_EXEC). -1 with errno on failure. */
int memfd_seal_all(int fd);

/* A sealed executable memfd named `name` holding `len` bytes, copied from
 * src_fd (sendfile) when it is >= 0, else from `bytes`. The descriptor, or
 * -1 with errno and *failed set to the one of steps[] (what to say when
 * memfd_create, the copy or the sealing fails) that failed. */
int memfd_sealed_copy(const char *name, int src_fd, const void *bytes, size_t len,
		      const char *const steps[3], const char **failed);

#endif
