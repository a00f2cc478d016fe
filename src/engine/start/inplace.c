/* SPDX-License-Identifier: Apache-2.0 */
/* The in-place start: join and unshare the namespaces, write the maps
 * (ourselves, or a helper forked before the unshare), set up, execve. The
 * command keeps our PID. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/ns/idmap.h"
#include "engine/ns/namespaces.h"
#include "engine/ns/user.h"
#include "engine/start/exec.h"
#include "engine/start/forward.h"
#include "engine/start/launch.h"
#include "engine/start/setup.h"
#include "engine/start/sync.h"
#include "util/cleanup.h"
#include "util/fds.h"
#include "util/log.h"

/* A helper forked before unshare() stays outside the new user namespace, so
 * it may write maps the process cannot write for itself. */
struct map_helper {
	pid_t pid;
	int sock; /* our end: write "go", read an error message or EOF */
};

static _Noreturn void helper_main(int sock, const struct idmap_plan *plan, int proc_fd,
				  pid_t target, int verbose)
{
	char go;
	if (read(sock, &go, 1) != 1)
		_exit(0); /* the launcher failed before unshare */
	struct nsrun_error herr = { 0 };
	if (idmap_plan_apply(plan, proc_fd, target, verbose, &herr) < 0) {
		char msg[sizeof(herr.msg) + 48];
		ssize_t w = write(sock, msg, (size_t)sync_error_format(&herr, msg, sizeof(msg)));
		(void)w;
		_exit(1);
	}
	_exit(0);
}

static int helper_start(struct map_helper *h, const struct idmap_plan *plan, int proc_fd,
			int verbose, struct nsrun_error *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return nsrun_fail(err, errno, "socketpair for the id map helper");
	pid_t target = getpid();
	h->pid = fork();
	if (h->pid < 0) {
		nsrun_fail(err, errno, "fork the id map helper");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (h->pid == 0) {
		close(sv[0]);
		helper_main(sv[1], plan, proc_fd, target, verbose);
	}
	close(sv[1]);
	h->sock = sv[0];
	return 0;
}

static void helper_cancel(struct map_helper *h)
{
	close(h->sock);
	waitpid(h->pid, NULL, 0);
	h->pid = -1;
}

static int helper_finish(struct map_helper *h, struct nsrun_error *err)
{
	char msg[sizeof(err->msg) + 48];
	size_t got = 0;
	int rc = 0;
	if (write(h->sock, "g", 1) != 1) {
		rc = nsrun_fail(err, errno, "start the id map helper");
	} else {
		ssize_t n;
		while ((n = read(h->sock, msg + got, sizeof(msg) - 1 - got)) > 0)
			got += (size_t)n;
	}
	int status = 0;
	close(h->sock);
	while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
		;
	h->pid = -1;
	if (rc == 0 && got > 0 && sync_error_parse(msg, got, err) < 0)
		rc = nsrun_fail(err, EPROTO, "the id map helper's message");
	else if (rc == 0 && got > 0)
		rc = -1;
	else if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = nsrun_fail(err, 0, "the id map helper failed (status %d)",
				exit_status_of(status));
	return rc;
}

/* Into the namespaces: joins, unshare, maps. */
static int enter_namespaces(const struct nsrun_spec *spec, const struct idmap_plan *plan,
			    int proc_fd, struct nsrun_error *err)
{
	struct map_helper helper = { .pid = -1, .sock = -1 };
	int join_fds[NSRUN_MAX_JOINS];
	char names[96];
	if (ns_open_joins(spec, join_fds, err) < 0)
		return -1;
	bool outside =
		plan->writer == IDMAP_WRITER_OUTSIDE || plan->writer == IDMAP_WRITER_NEWIDMAP;
	if (outside && helper_start(&helper, plan, proc_fd, spec->verbose, err) < 0) {
		ns_close_joins(spec, join_fds);
		return -1;
	}
	if (ns_enter_joins(spec, join_fds, false, err) < 0)
		goto fail;
	if (spec->new_ns && unshare((int)spec->new_ns) < 0) {
		nsrun_fail_about(err, NSRUN_ABOUT_NEW_NS, -1, errno, "unshare (new namespaces: %s)",
				 ns_describe(spec->new_ns, names, sizeof(names)));
		goto fail;
	}
	if (spec->new_ns)
		nsrun_trace(spec->verbose, "unshare: %s",
			    ns_describe(spec->new_ns, names, sizeof(names)));
	if (outside)
		return helper_finish(&helper, err);
	return idmap_plan_apply(plan, proc_fd, 0, spec->verbose, err);
fail:
	if (helper.pid > 0)
		helper_cancel(&helper);
	return -1;
}

int launch_in_place(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	struct idmap_plan plan;
	pid_t parent = getppid();
	if (idmap_plan_make(spec, true, &plan, err) < 0)
		return -1;
	cleanup_close int proc_fd = -1;
	if (plan.writer != IDMAP_WRITER_NONE &&
	    (proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nsrun_fail(err, errno, "open /proc");
	if (enter_namespaces(spec, &plan, proc_fd, err) < 0)
		return -1;
	/* As the staged path does: root inside wherever 0 is mapped. */
	if ((spec->new_ns & CLONE_NEWUSER) && user_become_ns_root(err) < 0)
		return -1;
	if (proc_fd >= 0)
		close(take_fd(&proc_fd));
	int keep[64];
	unsigned n_keep = 0;
	keep[n_keep++] = spec->block_fd;
	keep[n_keep++] = spec->json_status_fd;
	for (unsigned i = 0; i < spec->n_keep_fds && n_keep < ARRAY_SIZE(keep); i++)
		keep[n_keep++] = spec->keep_fds[i];
	if (fds_close_all_but(keep, n_keep, err) < 0 || sandbox_setup(spec, err) < 0 ||
	    exec_wait_block_fd(spec, err) < 0)
		return -1;
	/* After the user switch, which clears the parent-death signal. */
	if (spec->die_with_parent && launch_die_with_parent(parent, err) < 0)
		return -1;
	launch_json_child(spec, getpid());
	return exec_command(spec, err);
}
