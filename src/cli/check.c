/* SPDX-License-Identifier: Apache-2.0 */
/* The option combinations the command line lets through and the engine
 * refuses, checked here first so that the message names the options.
 * Most options add the namespace they need themselves (--bind a mount
 * namespace, -r a user namespace, --init-group --init); what is left is
 * joins, the names of a UTS namespace and empty destinations. */
#include "cli/parse.h"
#include "engine/ns/namespaces.h"

static int check_joins(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	unsigned long joined = 0;
	for (unsigned i = 0; i < spec->n_joins; i++) {
		const struct nsrun_ns_join *j = &spec->joins[i];
		unsigned long type = (unsigned long)j->type;
		const char *name = ns_name(j->type);
		if (joined & type)
			return nsrun_fail(err, 0, "--join %s:%s: a %s namespace is already joined",
					  name, j->path, name);
		if (spec->new_ns & type)
			return nsrun_fail(
				err, 0, "--join %s:%s: conflicts with creating a new %s namespace",
				name, j->path, name);
		joined |= type;
	}
	return 0;
}

static int check_uts(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if ((spec->hostname || spec->domainname) && !(spec->new_ns & CLONE_NEWUTS))
		return nsrun_fail(err, 0, "%s needs a new UTS namespace (-u)",
				  spec->hostname ? "--hostname" : "--domainname");
	return 0;
}

/* --tmpfs '' and the like. */
static int check_destinations(const struct cli_options *opts, struct nsrun_error *err)
{
	const struct nsrun_spec *spec = &opts->spec;
	for (unsigned i = 0; i < spec->n_fs_ops && i < opts->fs_ops.n; i++)
		if (spec->fs_ops[i].dest[0] == '\0')
			return nsrun_fail(err, 0, "%s: filesystem step %u has no destination",
					  opts->fs_ops.option[i], i + 1);
	return 0;
}

int cli_check(const struct cli_options *opts, struct nsrun_error *err)
{
	const struct nsrun_spec *spec = &opts->spec;
	if (check_joins(spec, err) < 0 || check_uts(spec, err) < 0)
		return -1;
	return check_destinations(opts, err);
}
