/* JSON helpers of the OCI front end. See json.h. */
#include <errno.h>
#include "oci/json.h"

int oci_json_load_file(const char *path, json_t **out, struct nsrun_error *err)
{
	json_error_t jerr;
	*out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out) {
		if (jerr.line < 0)
			return nsrun_fail(err, 0, "%s: %s", path, jerr.text);
		return nsrun_fail(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return nsrun_fail(err, 0, "%s: expected a JSON object", path);
	}
	return 0;
}
