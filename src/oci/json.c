/* SPDX-License-Identifier: Apache-2.0 */
/* JSON helpers of the OCI front end. See json.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "oci/json.h"
#include "util/cleanup.h"
#include "util/file.h"

/* Larger than any config.json or process.json an engine writes. */
#define MAX_JSON_FILE (64u << 20)

int oci_json_load_file(const char *path, json_t **out, struct nsrun_error *err)
{
	/* Read whole, then parsed from memory: jansson's reader of a FILE
	 * takes a locked getc per byte, a fifth of the parse of a
	 * Kubernetes-sized config.json. */
	cleanup_free char *text = NULL;
	size_t len;
	*out = NULL;
	if (file_read_all(path, MAX_JSON_FILE, false, &text, &len) < 0)
		return nsrun_fail(err, errno, "%s", path);
	json_error_t jerr;
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return nsrun_fail(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return nsrun_fail(err, 0, "%s: expected a JSON object", path);
	}
	return 0;
}

json_t *oci_json_strings(const char *const *list)
{
	json_t *a = json_array();
	for (size_t i = 0; list[i]; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

int oci_json_print(const json_t *o, size_t flags, struct nsrun_error *err)
{
	cleanup_free char *text = json_dumps(o, flags);
	if (!text)
		return nsrun_fail(err, ENOMEM, "format JSON");
	printf("%s\n", text);
	return fflush(stdout) == 0 ? 0 : nsrun_fail(err, errno, "write stdout");
}
