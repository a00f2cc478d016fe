/* SPDX-License-Identifier: Apache-2.0 */
/* run: create and start at once; in the foreground, forward signals to the
 * container until it exits, then delete it. */
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oci/container_start.h"
#include "oci/hooks.h"
#include "oci/tty_proxy.h"
#include "engine/start/forward.h"
#include "util/cleanup.h"

/* The container runs: poststart, then wait for it unless detached. */
static int run_started(const struct oci_globals *g, const struct create_opts *o, int tty_sock,
		       struct stored_container *ct, struct nsrun_error *err)
{
	oci_hooks_run_warn(ct, "poststart", OCI_RUNNING);
	if (o->detach)
		return 0;
	int status;
	if (tty_sock >= 0) {
		cleanup_close int master = tty_receive_master(tty_sock, err);
		status = master < 0 ? -1 : tty_proxy(master, ct->pid, err);
	} else {
		status = forward_until_exit(ct->pid, 0, g->debug, err);
	}
	/* delete --force, on the container as create left it in memory. */
	struct nsrun_error ignored;
	if (!o->keep)
		delete_container(ct, store_status(ct), &ignored);
	return status;
}

int verb_run(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct create_opts o;
	int first = create_parse_options(argc, argv, true, &o, err);
	if (first <= 0)
		return first;
	o.start = true;
	/* In the foreground without --console-socket, a terminal is ours to
	 * hold, as runc does: the container sends it here. */
	int pair[2] = { -1, -1 };
	if (!o.detach && !o.console_socket &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return nsrun_fail(err, errno, "run: socketpair");
	cleanup_close int tty_ours = pair[0];
	cleanup_close int tty_theirs = pair[1];
	o.tty_sock = tty_theirs;
	cleanup_store struct stored_container ct = { 0 };
	if (create_container(g, &o, &ct, err) < 0)
		return -1;
	close(take_fd(&tty_theirs));
	/* Foreground: signals for the container are ours to pass on (blocked
	 * only now: the container must not inherit the blocked set). */
	sigset_t forward, old;
	forward_signal_set(&forward);
	sigprocmask(SIG_BLOCK, &forward, &old);
	int status = run_started(g, &o, ct.terminal ? tty_ours : -1, &ct, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
