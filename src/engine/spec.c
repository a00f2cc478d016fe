/* SPDX-License-Identifier: Apache-2.0 */
/* The container description: defaults, release and consistency checks. */
#include <stdlib.h>
#include <string.h>

#include <nsrun/nsrun.h>
#include <nsrun/seccomp.h>

#include "engine/ns/namespaces.h"
#include "util/cleanup.h"

void nsrun_spec_init(struct nsrun_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->block_fd = -1;
	spec->json_status_fd = -1;
	spec->umask = -1;
	spec->cgroup = NSRUN_CGROUP_LIMITS_UNSET;
}

/* Free an array of the spec and empty it. */
static void release_array(void *array_ptr, unsigned *n)
{
	void **array = array_ptr;
	free(*array);
	*array = NULL;
	if (n)
		*n = 0;
}

void nsrun_spec_release(struct nsrun_spec *spec)
{
	release_array(&spec->keep_fds, &spec->n_keep_fds);
	release_array(&spec->fs_ops, &spec->n_fs_ops);
	release_array(&spec->rlimits, &spec->n_rlimits);
	release_array(&spec->masked_paths, &spec->n_masked_paths);
	release_array(&spec->readonly_paths, &spec->n_readonly_paths);
	release_array(&spec->sysctl, &spec->n_sysctl);
	release_array(&spec->additional_gids, &spec->n_additional_gids);
	nsrun_seccomp_free(spec->seccomp);
	spec->seccomp = NULL;
	for (char **e = spec->env; e && *e; e++)
		free(*e);
	release_array(&spec->env, NULL);
}

static int validate_joins(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	unsigned long joined = 0;
	for (unsigned i = 0; i < spec->n_joins; i++) {
		const struct nsrun_ns_join *j = &spec->joins[i];
		const char *name = ns_name(j->type);
		if (!(j->type & NS_ALL_FLAGS) || strcmp(name, "?") == 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, (int)i, 0,
						"unknown namespace type %#x", j->type);
		if (joined & (unsigned long)j->type)
			return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, (int)i, 0,
						"a %s namespace is already joined", name);
		if (spec->new_ns & (unsigned long)j->type)
			return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, (int)i, 0,
						"conflicts with creating a new %s namespace", name);
		joined |= (unsigned long)j->type;
	}
	return 0;
}

/* What needs a namespace of its own: the part of the spec, and the type. */
static int validate_needs(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	bool has_maps =
		spec->id_source != NSRUN_IDS_EXPLICIT || spec->uid_map.n > 0 || spec->gid_map.n > 0;
	const struct {
		bool asked;
		enum nsrun_about about;
		unsigned long ns;
		const char *what;
	} needs[] = {
		{ has_maps,
		  spec->uid_map.n   ? NSRUN_ABOUT_UID_MAP
		  : spec->gid_map.n ? NSRUN_ABOUT_GID_MAP
				    : NSRUN_ABOUT_ID_SOURCE,
		  CLONE_NEWUSER, "user" },
		{ spec->mount_proc, NSRUN_ABOUT_MOUNT_PROC, CLONE_NEWNS, "mount" },
		{ spec->n_masked_paths > 0, NSRUN_ABOUT_MASKED_PATH, CLONE_NEWNS, "mount" },
		{ spec->n_readonly_paths > 0, NSRUN_ABOUT_READONLY_PATH, CLONE_NEWNS, "mount" },
		{ spec->n_fs_ops > 0, NSRUN_ABOUT_FS_OP, CLONE_NEWNS, "mount" },
		{ spec->hostname != NULL, NSRUN_ABOUT_HOSTNAME, CLONE_NEWUTS, "UTS" },
		{ spec->domainname != NULL, NSRUN_ABOUT_DOMAINNAME, CLONE_NEWUTS, "UTS" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(needs); i++)
		if (needs[i].asked && !(spec->new_ns & needs[i].ns))
			return nsrun_fail_about(err, needs[i].about,
						needs[i].about == NSRUN_ABOUT_FS_OP ? 0 : -1, 0,
						"needs a new %s namespace", needs[i].what);
	return 0;
}

int nsrun_spec_validate(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->argv == NULL || spec->argv[0] == NULL)
		return nsrun_fail_about(err, NSRUN_ABOUT_COMMAND, -1, 0, "no command given");
	if (spec->new_ns & ~(unsigned long)NS_ALL_FLAGS)
		return nsrun_fail_about(err, NSRUN_ABOUT_NEW_NS, -1, 0,
					"unknown namespace flags %#lx",
					spec->new_ns & ~(unsigned long)NS_ALL_FLAGS);
	if (spec->n_joins > NSRUN_MAX_JOINS)
		return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, -1, 0,
					"more than %d namespaces to join", NSRUN_MAX_JOINS);
	if (validate_joins(spec, err) < 0 || validate_needs(spec, err) < 0)
		return -1;
	if (spec->init_group && !spec->init)
		return nsrun_fail_about(err, NSRUN_ABOUT_INIT_GROUP, -1, 0,
					"forwarding to a process group needs the reaper");
	for (unsigned i = 0; i < spec->n_fs_ops; i++) {
		const struct nsrun_fs_op *op = &spec->fs_ops[i];
		if (op->dest == NULL || op->dest[0] == '\0')
			return nsrun_fail_about(err, NSRUN_ABOUT_FS_OP, (int)i, 0,
						"no destination");
	}
	return 0;
}
