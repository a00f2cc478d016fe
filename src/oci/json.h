/* JSON as the OCI front end reads and releases it. */
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

#endif
