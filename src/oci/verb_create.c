/* SPDX-License-Identifier: Apache-2.0 */
/* create: a container from a bundle, its init parked on the exec fifo
 * until start (container_start.c). */
#include "oci/container_start.h"

int verb_create(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct create_opts o;
	int first = create_parse_options(argc, argv, false, &o, err);
	if (first <= 0)
		return first;
	cleanup_store struct stored_container ct = { 0 };
	return create_container(g, &o, &ct, err);
}
