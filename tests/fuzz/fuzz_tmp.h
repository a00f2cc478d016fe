/* SPDX-License-Identifier: Apache-2.0 */
/* A private temporary directory for targets whose parser reads a file by
 * path: each input is written there, and nothing outside it is touched. */
#ifndef NSRUN_FUZZ_TMP_H
#define NSRUN_FUZZ_TMP_H

#include <stddef.h>
#include <stdint.h>

/* The directory ($TMPDIR or /tmp, nsrun-fuzz.XXXXXX), made on first use
 * and removed at exit. Aborts if it cannot be made. */
const char *fuzz_tmp_dir(void);

/* Write data to <fuzz_tmp_dir()>/<relative> (parent directories made),
 * replacing what was there; returns the full path (a static buffer).
 * Aborts on failure: the target could not test anything. */
const char *fuzz_tmp_write(const char *relative, const uint8_t *data, size_t size);

#endif
