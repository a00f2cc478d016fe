/* SPDX-License-Identifier: Apache-2.0 */
/* pause: freeze every process of a running container. */
#include "oci/freezer.h"
#include "oci/verb.h"

static const struct oci_command pause_command = { .verb = "pause", .operands = "ID" };

int verb_pause(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	cleanup_store struct stored_container ct = { 0 };
	int first = oci_parse_load(&pause_command, g, argc, argv, &ct, err);
	return first <= 0 ? first : freezer_change(&ct, true, err);
}
