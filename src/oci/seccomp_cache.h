/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled seccomp programs kept under the state root. libseccomp takes
 * 5 to 15 ms to compile a Kubernetes-sized profile; a pod's containers,
 * its restarts and every exec into it (a probe every few seconds) name
 * the same profile. The program is kept with the whole parsed profile it
 * came from, and used only for a profile equal to it in every field, on
 * the same nsrun, libseccomp and kernel API level. */
#ifndef NSRUN_OCI_SECCOMP_CACHE_H
#define NSRUN_OCI_SECCOMP_CACHE_H

#include "engine/limits/seccomp.h"

/* Below the state root; '@' is no container id's, so no id meets it. */
#define SECCOMP_CACHE_DIR "@seccomp"

/* Give profile its compiled program: from <root>/@seccomp/ where it was
 * kept, else compiled now and kept. Best effort: a profile left without a
 * program is compiled by the engine, which reports what is wrong with it. */
void seccomp_cache_fill(const char *root, struct nsrun_seccomp *profile);

#endif
