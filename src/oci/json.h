/* SPDX-License-Identifier: Apache-2.0 */
/* JSON as the OCI front end reads, prints and releases it. */
#ifndef NSRUN_OCI_JSON_H
#define NSRUN_OCI_JSON_H

#include <errno.h>
#include <stddef.h>

#include <jansson.h>

#include <nsrun/error.h>

static inline void cleanup_json_decref(json_t **j)
{
	int saved = errno;
	json_decref(*j);
	errno = saved;
}

/* A json_t * released (json_decref) when it goes out of scope; hand it on
 * with take_ptr(). */
#define cleanup_json __attribute__((cleanup(cleanup_json_decref)))

/* Parse a JSON file that must hold an object into *out; errors name the
 * file, with the line and column where the text is at fault. */
int oci_json_load_file(const char *path, json_t **out, struct nsrun_error *err);

/* A JSON array of the strings of a NULL-terminated list. */
json_t *oci_json_strings(const char *const *list);

/* Print o on stdout, dumped with `flags`, and a newline. */
int oci_json_print(const json_t *o, size_t flags, struct nsrun_error *err);

#endif
