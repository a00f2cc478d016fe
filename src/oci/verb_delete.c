/* SPDX-License-Identifier: Apache-2.0 */
/* delete: a stopped container's cgroups and state, or with --force any
 * container's, killed first. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "oci/container_start.h"
#include "oci/hooks.h"
#include "oci/procs.h"
#include "oci/verb.h"
#include "engine/cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/file.h"

struct delete_opts {
	bool force;
};

static const struct oci_command delete_command = {
	.verb = "delete",
	.operands = "ID",
	.anywhere = true,
	.options = OCI_OPTIONS({ "force", 'f', NULL,
				 "kill a running one first; a missing one is no error",
				 OCI_INTO(struct delete_opts, force) }),
};

/* --force for a container that did not load: what a killed create left
 * (no complete state) is debris, and a container that does not exist is
 * deleted already: success, as runc says, so that cleaning up after a
 * create that failed or was killed need not tell the cases apart. A
 * directory still there is a create at work (or a state file that cannot
 * be read): the load's error stands. */
static int delete_debris(const char *root, const char *id, struct stored_container *ct)
{
	if (!store_id_valid(id))
		return -1;
	store_remove_abandoned(root, id);
	if (path_format(ct->dir, sizeof(ct->dir), "%s/%s", root, id) < 0 ||
	    (access(ct->dir, F_OK) < 0 && errno == ENOENT))
		return 0;
	return -1;
}

int delete_container(struct stored_container *ct, enum oci_status s, struct nsrun_error *err)
{
	if (s != OCI_STOPPED)
		procs_kill_and_wait(ct);
	/* A scope or cgroup that stays keeps the state, so delete can try
	 * again. */
	if ((ct->systemd.unit[0] && systemd_stop(&ct->systemd, err) < 0) ||
	    cgroup_remove_dirs(ct->cgroups, ct->n_cgroups, err) < 0)
		return -1;
	store_remove(ct);
	oci_hooks_run_warn(ct, "poststop", OCI_STOPPED);
	return 0;
}

int verb_delete(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct delete_opts o = { .force = false };
	const char *id = NULL;
	int first = oci_parse_id(&delete_command, argc, argv, &o, &id, err);
	if (first <= 0)
		return first;
	const char *root = store_root(g->root);
	cleanup_store struct stored_container ct = { 0 };
	if (store_load(root, id, &ct, err) < 0)
		return o.force ? delete_debris(root, id, &ct) : -1;
	enum oci_status s = store_status(&ct);
	/* A created container counts as not stopped, as with crun: its init
	 * is alive. */
	if (s != OCI_STOPPED && !o.force)
		return nsrun_fail(err, 0, "cannot delete container %s that is not stopped: %s", id,
				  store_status_name(s));
	return delete_container(&ct, s, err);
}
