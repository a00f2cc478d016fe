/* SPDX-License-Identifier: Apache-2.0 */
/* resume: thaw the processes of a paused container. */
#include "oci/freezer.h"
#include "oci/verb.h"

static const struct oci_command resume_command = { .verb = "resume", .operands = "ID" };

int verb_resume(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	cleanup_store struct stored_container ct = { 0 };
	int first = oci_parse_load(&resume_command, g, argc, argv, &ct, err);
	return first <= 0 ? first : freezer_change(&ct, false, err);
}
