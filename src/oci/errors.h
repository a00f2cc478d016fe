/* SPDX-License-Identifier: Apache-2.0 */
/* Engine errors in config.json's words: the field behind the part of the
 * spec an error is about goes before the engine's message. */
#ifndef NSRUN_OCI_ERRORS_H
#define NSRUN_OCI_ERRORS_H

#include "oci/config.h"

/* "config.json: mounts[3]: mount tmpfs on /run: Invalid argument". */
void oci_error_wrap(const struct oci_config *cfg, struct nsrun_error *err);

#endif
