/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp profiles for libnsrun: the OCI linux.seccomp JSON object, parsed
 * into a struct nsrun_seccomp that nsrun_spec.seccomp points at. The engine
 * compiles it with libseccomp before the sandbox starts and installs the
 * filter as the last step before the command's execve. */
#ifndef NSRUN_SECCOMP_H
#define NSRUN_SECCOMP_H

#include <stddef.h>

#include <nsrun/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nsrun_seccomp;

/* Parse a profile from JSON text; `source` names it in errors
 * ("FILE:LINE:COLUMN: ..." for syntax, "FILE: syscalls[2].action: ..."
 * for a bad field). */
struct nsrun_seccomp *nsrun_seccomp_parse(const char *json, size_t len, const char *source,
					  struct nsrun_error *err);

/* nsrun's built-in default profile: everything ordinary programs need is
 * allowed, the rest fails (ENOSYS for unknown calls, EPERM for the dangerous
 * ones), comparable to the container engines' defaults. */
struct nsrun_seccomp *nsrun_seccomp_default(struct nsrun_error *err);

void nsrun_seccomp_free(struct nsrun_seccomp *profile);

#ifdef __cplusplus
}
#endif
#endif
