/* The container description: defaults, release and consistency checks. */
#include <stdlib.h>
#include <string.h>

#include <nsrun/nsrun.h>
#include <nsrun/seccomp.h>

#include "engine/ns/namespaces.h"

void nsrun_spec_init(struct nsrun_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->block_fd = -1;
	spec->json_status_fd = -1;
	spec->umask = -1;
}

void nsrun_spec_release(struct nsrun_spec *spec)
{
	free(spec->keep_fds);
	spec->keep_fds = NULL;
	spec->n_keep_fds = 0;
	free(spec->fs_ops);
	spec->fs_ops = NULL;
	spec->n_fs_ops = 0;
	free(spec->rlimits);
	spec->rlimits = NULL;
	spec->n_rlimits = 0;
	free(spec->masked_paths);
	spec->masked_paths = NULL;
	spec->n_masked_paths = 0;
	free(spec->readonly_paths);
	spec->readonly_paths = NULL;
	spec->n_readonly_paths = 0;
	nsrun_seccomp_free(spec->seccomp);
	spec->seccomp = NULL;
	free(spec->sysctl);
	spec->sysctl = NULL;
	spec->n_sysctl = 0;
	free(spec->additional_gids);
	spec->additional_gids = NULL;
	spec->n_additional_gids = 0;
	if (spec->env) {
		for (char **e = spec->env; *e; e++)
			free(*e);
		free(spec->env);
		spec->env = NULL;
	}
}

int nsrun_spec_validate(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->argv == NULL || spec->argv[0] == NULL)
		return nsrun_fail(err, 0, "no command given");
	if (spec->new_ns & ~(unsigned long)NS_ALL_FLAGS)
		return nsrun_fail(err, 0, "unknown namespace flags %#lx",
				  spec->new_ns & ~(unsigned long)NS_ALL_FLAGS);
	if (spec->n_joins > NSRUN_MAX_JOINS)
		return nsrun_fail(err, 0, "more than %d namespaces to join", NSRUN_MAX_JOINS);
	unsigned long joined = 0;
	for (unsigned i = 0; i < spec->n_joins; i++) {
		const struct nsrun_ns_join *j = &spec->joins[i];
		const char *name = ns_name(j->type);
		if (!(j->type & NS_ALL_FLAGS) || strcmp(name, "?") == 0)
			return nsrun_fail(err, 0, "--join: unknown namespace type %#x", j->type);
		if (joined & (unsigned long)j->type)
			return nsrun_fail(err, 0, "--join %s:%s: a %s namespace is already joined",
					  name, j->path, name);
		if (spec->new_ns & (unsigned long)j->type)
			return nsrun_fail(err, 0,
					  "--join %s:%s: conflicts with creating a new %s namespace",
					  name, j->path, name);
		joined |= (unsigned long)j->type;
	}
	bool has_maps = spec->id_source != NSRUN_IDS_EXPLICIT || spec->uid_map.n > 0 ||
			spec->gid_map.n > 0;
	if (has_maps && !(spec->new_ns & CLONE_NEWUSER))
		return nsrun_fail(err, 0, "id maps need a new user namespace (-U)");
	if (spec->mount_proc && !(spec->new_ns & CLONE_NEWNS))
		return nsrun_fail(err, 0, "--mount-proc needs a new mount namespace (-m)");
	if ((spec->n_masked_paths || spec->n_readonly_paths) && !(spec->new_ns & CLONE_NEWNS))
		return nsrun_fail(err, 0, "--mask and --ro need a new mount namespace (-m)");
	if ((spec->rootfs || spec->n_fs_ops) && !(spec->new_ns & CLONE_NEWNS))
		return nsrun_fail(err, 0, "%s needs a new mount namespace (-m)",
				  spec->rootfs ? "--rootfs" : "a filesystem option");
	if ((spec->hostname || spec->domainname) && !(spec->new_ns & CLONE_NEWUTS))
		return nsrun_fail(err, 0, "%s needs a new UTS namespace (-u)",
				  spec->hostname ? "--hostname" : "--domainname");
	if (spec->init_group && !spec->init)
		return nsrun_fail(err, 0, "--init-group needs --init");
	for (unsigned i = 0; i < spec->n_fs_ops; i++) {
		const struct nsrun_fs_op *op = &spec->fs_ops[i];
		if (op->dest == NULL || op->dest[0] == '\0')
			return nsrun_fail(err, 0, "filesystem step %u has no destination", i + 1);
	}
	return 0;
}
