/* SPDX-License-Identifier: Apache-2.0 */
/* kill: a signal to a container's init, or with --all to every process
 * in its cgroup. */
#include <errno.h>

#include "oci/procs.h"
#include "oci/verb.h"
#include "util/cleanup.h"

struct kill_opts {
	bool all;
};

static const struct oci_command kill_command = {
	.verb = "kill",
	.operands = "ID [SIGNAL]",
	.anywhere = true,
	.options = OCI_OPTIONS({ "all", 'a', NULL, "signal all its processes, not only its init",
				 OCI_INTO(struct kill_opts, all) }),
};

static int signal_container(const struct stored_container *ct, int sig, bool all,
			    struct nsrun_error *err)
{
	enum oci_status s = store_status(ct);
	if (s != OCI_STOPPED && all) {
		procs_signal_all(ct, sig);
		return 0;
	}
	int e = s == OCI_STOPPED ? ESRCH : procs_signal_init(ct, sig);
	if (e == ESRCH) /* also when it ended since the check */
		return nsrun_fail(err, 0, "container not running");
	return e ? nsrun_fail(err, e, "kill pid %d", (int)ct->pid) : 0;
}

int verb_kill(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct kill_opts o = { .all = false };
	int first = oci_parse(&kill_command, argc, argv, &o, err);
	if (first <= 0)
		return first;
	if (first >= argc)
		return nsrun_fail(err, 0, "kill: expected a container id");
	/* The signal is the last word after the id; SIGTERM without one. */
	const char *signame = argc - first > 1 ? argv[argc - 1] : "SIGTERM";
	int sig = procs_signal_number(signame);
	if (sig < 0)
		return nsrun_fail(err, 0, "kill: unknown signal '%s'", signame);
	cleanup_store struct stored_container ct = { 0 };
	if (store_load(store_root(g->root), argv[first], &ct, err) < 0)
		return -1;
	return signal_container(&ct, sig, o.all, err);
}
