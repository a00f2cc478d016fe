/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks. See hooks.h. */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "oci/hooks.h"
#include "oci/oci.h"
#include "oci/json.h"
#include "engine/start/hookrun.h"
#include "util/cleanup.h"

static const char *const kinds[] = { "prestart",       "createRuntime", "createContainer",
				     "startContainer", "poststart",	"poststop" };

int oci_hooks_check(json_t *hooks, struct nsrun_error *err)
{
	if (!hooks || json_is_null(hooks))
		return 0;
	if (!json_is_object(hooks))
		return nsrun_fail(err, 0, "config.json: hooks: expected an object");
	const char *kind;
	json_t *list;
	json_object_foreach (hooks, kind, list) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			known |= strcmp(kind, kinds[i]) == 0;
		if (!known && json_array_size(list) > 0)
			return nsrun_fail(err, 0, "config.json: hooks.%s: not supported by nsrun",
					  kind);
		size_t i;
		json_t *h;
		json_array_foreach (list, i, h) {
			const char *path = json_string_value(json_object_get(h, "path"));
			json_t *timeout = json_object_get(h, "timeout");
			if (!path || path[0] != '/')
				return nsrun_fail(err, 0,
						  "config.json: hooks.%s[%zu].path: expected an "
						  "absolute path",
						  kind, i);
			if (timeout &&
			    (!json_is_integer(timeout) || json_integer_value(timeout) <= 0))
				return nsrun_fail(err, 0,
						  "config.json: hooks.%s[%zu].timeout: expected "
						  "a number of seconds above 0",
						  kind, i);
		}
	}
	return 0;
}

int oci_hooks_run(json_t *hooks, const char *kind, json_t *state, struct nsrun_error *err)
{
	json_t *list = json_object_get(hooks, kind);
	if (json_array_size(list) == 0)
		return 0;
	cleanup_free char *text = json_dumps(state, JSON_COMPACT);
	if (!text)
		return nsrun_fail(err, ENOMEM, "hooks.%s", kind);
	return hookrun_list(list, kind, text, err);
}

int oci_hooks_run_stored(const struct stored_container *ct, const char *kind,
			 enum oci_status status, struct nsrun_error *err)
{
	cleanup_json json_t *state = store_state_json(ct, status);
	return oci_hooks_run(ct->hooks, kind, state, err);
}

void oci_hooks_run_warn(const struct stored_container *ct, const char *kind, enum oci_status status)
{
	json_t *list = json_object_get(ct->hooks, kind);
	if (json_array_size(list) == 0)
		return;
	cleanup_json json_t *state = store_state_json(ct, status);
	cleanup_free char *text = state ? json_dumps(state, JSON_COMPACT) : NULL;
	size_t i;
	json_t *h;
	json_array_foreach (list, i, h) {
		struct nsrun_error e = { 0 };
		if (!text)
			nsrun_fail(&e, ENOMEM, "hooks.%s", kind);
		if (!text || hookrun_one(h, kind, i, text, &e) < 0) {
			fprintf(stderr, "nsrun: warning: %s\n", e.msg);
			oci_log_warning(e.msg);
		}
	}
}
