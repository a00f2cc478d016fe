/* SPDX-License-Identifier: Apache-2.0 */
/* state: the state JSON of the runtime spec. */
#include "oci/json.h"
#include "oci/verb.h"

static const struct oci_command state_command = { .verb = "state", .operands = "ID" };

int verb_state(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	cleanup_store struct stored_container ct = { 0 };
	int first = oci_parse_load(&state_command, g, argc, argv, &ct, err);
	if (first <= 0)
		return first;
	cleanup_json json_t *o = store_state_json(&ct, store_status(&ct));
	return oci_json_print(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER, err);
}
