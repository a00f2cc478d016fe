/* SPDX-License-Identifier: Apache-2.0 */
/* The spec as bytes: how the launcher hands a spec to its init stage over
 * the sync socket. Both ends are the same binary, so the format is private
 * and needs no versioning; decoding still checks every length. */
#ifndef NSRUN_ENGINE_START_WIRE_H
#define NSRUN_ENGINE_START_WIRE_H

#include <stddef.h>

#include <nsrun/nsrun.h>

/* Encode spec into a malloc'd buffer; *len receives its size. */
int spec_encode(const struct nsrun_spec *spec, char **buf, size_t *len, struct nsrun_error *err);

/* Decode buf into spec. Strings point into buf, which must outlive spec;
 * arrays are allocated (nsrun_spec_release and spec_decoded_release free them). */
int spec_decode(char *buf, size_t len, struct nsrun_spec *spec, struct nsrun_error *err);

/* Free the arrays spec_decode allocated. */
void spec_decoded_release(struct nsrun_spec *spec);

#endif
