/* SPDX-License-Identifier: Apache-2.0 */
/* Sandbox set-up from inside. See setup.h. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/capability.h>

#include "engine/container.h"
#include "engine/fs/console.h"
#include "engine/fs/rootfs.h"
#include "engine/limits/caps.h"
#include "engine/limits/seccomp.h"
#include "engine/ns/net.h"
#include "engine/ns/user.h"
#include "engine/start/exec.h"
#include "engine/start/hookrun.h"
#include "engine/start/setup.h"
#include "engine/start/stage.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/log.h"

static bool has_new_root(const struct nsrun_spec *spec)
{
	return spec->rootfs || spec->n_fs_ops;
}

/* pivot_root and binds refuse shared and unbindable parents: a new root is
 * built under private propagation, and gets the one asked for afterwards. */
static bool propagation_after_root(const struct nsrun_spec *spec)
{
	return has_new_root(spec) && (spec->propagation == NSRUN_PROPAGATION_SHARED ||
				      spec->propagation == NSRUN_PROPAGATION_UNBINDABLE);
}

static int set_propagation(const struct nsrun_spec *spec, enum nsrun_propagation which,
			   struct nsrun_error *err)
{
	static const unsigned long flags[] = {
		[NSRUN_PROPAGATION_PRIVATE] = MS_PRIVATE,
		[NSRUN_PROPAGATION_SLAVE] = MS_SLAVE,
		[NSRUN_PROPAGATION_SHARED] = MS_SHARED,
		[NSRUN_PROPAGATION_UNBINDABLE] = MS_UNBINDABLE,
	};
	static const char *const names[] = { "private", "slave", "shared", "unbindable" };
	unsigned p = (unsigned)which;
	if (p >= ARRAY_SIZE(flags))
		return nsrun_fail_about(err, NSRUN_ABOUT_PROPAGATION, -1, EINVAL,
					"mount propagation %u", p);
	/* A copied mount namespace still shares propagation with the host's
	 * where / is shared (systemd): private keeps every mount inside. */
	if (mount(NULL, "/", NULL, MS_REC | flags[p], NULL) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_PROPAGATION, -1, errno, "make / %s",
					names[p]);
	nsrun_trace(spec->verbose, "mount propagation: %s", names[p]);
	return 0;
}

static int mount_proc(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_MOUNT_PROC, -1, errno,
					"mount proc on /proc");
	nsrun_trace(spec->verbose, "mounted proc on /proc");
	return 0;
}

/* The new root, with the createContainer hooks between its mounts and the
 * switch: the container's mounts are made, and the hook's path still
 * resolves on the host, as the runtime spec says. */
/* Without a mount namespace of its own nothing may be mounted (it would
 * be the caller's), so a rootfs is entered with chroot, as runc does. */
static int chroot_root(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (chroot(spec->rootfs) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_ROOTFS, -1, errno, "chroot");
	if (chdir("/") < 0)
		return nsrun_fail(err, errno, "chdir / in the new root");
	nsrun_trace(spec->verbose, "chroot into %s (no mount namespace)", spec->rootfs);
	return hookrun_container(spec, "createContainer", err);
}

static int build_root(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (fault_point("setup.rootfs", err) < 0)
		return -1;
	if (!has_new_root(spec))
		return rootfs_protect_paths(spec, -1, err);
	if (!(spec->new_ns & CLONE_NEWNS) && spec->n_fs_ops == 0)
		return chroot_root(spec, err);
	cleanup_close int root_fd = rootfs_prepare(spec, stage_await_cgroups, err);
	/* A hook's process starts in the container's cgroups. */
	if (root_fd < 0 || (spec_container(spec)->hooks && stage_await_cgroups(spec, err) < 0) ||
	    hookrun_container(spec, "createContainer", err) < 0 ||
	    rootfs_enter(spec, root_fd, err) < 0)
		return -1;
	if (propagation_after_root(spec))
		return set_propagation(spec, spec->propagation, err);
	return 0;
}

static int set_names(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_HOSTNAME, -1, errno, "sethostname");
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_DOMAINNAME, -1, errno, "setdomainname");
	return 0;
}

static int set_environment(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->umask >= 0)
		umask((mode_t)spec->umask);
	if (!spec->env)
		return 0;
	if (clearenv() != 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_ENV, -1, ENOMEM, "clear the environment");
	for (char **e = spec->env; *e; e++)
		if (putenv(*e) != 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_ENV, -1, errno, "set %s", *e);
	return 0;
}

/* In a container, a filter that does not come with no_new_privs is
 * installed while the stage still holds CAP_SYS_ADMIN, as runc and crun
 * do: the kernel would otherwise demand no_new_privs, and setuid programs
 * would stop working in every container of an engine's defaults. The
 * steps after it run under the filter. A sandbox installs it last, so that
 * a command left without CAP_SYS_ADMIN gets no_new_privs with it. */
static int early_seccomp(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!spec->container || !spec->seccomp || spec->no_new_privs || !caps_have(CAP_SYS_ADMIN))
		return 0;
	if (exec_prepare_descriptors_and_limits(spec, err) < 0)
		return -1;
	return seccomp_install(spec->seccomp, spec->verbose, err);
}

/* A session of its own, without the caller's terminal as its controlling
 * one: a program there cannot type into the caller's shell (TIOCSTI).
 * The first process of a sandbox is never a process group leader; in
 * place it may be one (a shell's job), and then it drops the terminal,
 * which, not being the session's leader (launch.c sees to it), it cannot
 * take again. */
static int new_session(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!spec->new_session || spec_container(spec)->terminal || setsid() >= 0)
		return 0;
	if (errno != EPERM)
		return nsrun_fail_about(err, NSRUN_ABOUT_NEW_SESSION, -1, errno, "setsid");
	cleanup_close int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0 && ioctl(tty, TIOCNOTTY) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_NEW_SESSION, -1, errno,
					"drop the controlling terminal");
	return 0;
}

/* Credentials in runc's order: bounding set, user, then the sets. */
static int set_credentials(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (fault_point("setup.credentials", err) < 0)
		return -1;
	if (spec->caps.set && caps_apply_bounding(&spec->caps, err) < 0)
		return -1;
	if (spec->user_ids_set) {
		if (user_switch_ids(spec->uid, spec->gid, spec->additional_gids,
				    spec->n_additional_gids, spec->caps.set, err) < 0)
			return -1;
	} else if (spec->as_user &&
		   user_switch(spec->as_user, spec->caps.set, spec->verbose, err) < 0) {
		return -1;
	}
	if (spec->caps.set && caps_apply_sets(&spec->caps, err) < 0)
		return -1;
	/* The command's credentials from here on: what a process beside it
	 * may then reach of the stage is what the tests look at. */
	return fault_point("setup.credentials-set", err);
}

/* After a new root, the caller's directory if the same path exists inside,
 * else $HOME where that exists, else "/" (as bwrap does), with one warning:
 * the user asked for nothing else. An asked-for directory must work. */
static int inherit_workdir(const char *old_cwd, struct nsrun_error *err)
{
	if (chdir(old_cwd) == 0)
		return 0;
	const char *home = getenv("HOME");
	bool at_home = home && *home == '/' && chdir(home) == 0;
	if (!at_home && chdir("/") < 0)
		return nsrun_fail(err, errno, "chdir /");
	nsrun_warn("the working directory %s is not in the sandbox: the command starts in %s",
		   old_cwd, at_home ? home : "/");
	return 0;
}

static int set_workdir(const struct nsrun_spec *spec, const char *old_cwd, struct nsrun_error *err)
{
	if (fault_point("setup.workdir", err) < 0)
		return -1;
	if (spec->chdir) {
		if (chdir(spec->chdir) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_CHDIR, -1, errno, "chdir");
	} else if (old_cwd && inherit_workdir(old_cwd, err) < 0) {
		return -1;
	}
	/* A directory outside the root (reached through a kept descriptor)
	 * has no path from it: getcwd fails with ENOENT. */
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return nsrun_fail_about(err, NSRUN_ABOUT_CHDIR, -1, 0,
					"the working directory is outside the sandbox");
	return 0;
}

int sandbox_setup(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	char cwd[PATH_MAX] = "";
	if (fault_point("setup.propagation", err) < 0)
		return -1;
	if (spec->new_ns & CLONE_NEWNS &&
	    set_propagation(spec,
			    propagation_after_root(spec) ? NSRUN_PROPAGATION_PRIVATE
							 : spec->propagation,
			    err) < 0)
		return -1;
	if (spec->mount_proc && mount_proc(spec, err) < 0)
		return -1;
	if (has_new_root(spec) && getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	if (build_root(spec, err) < 0 || fault_point("setup.console", err) < 0 ||
	    (spec_container(spec)->terminal && console_setup(spec, err) < 0) ||
	    new_session(spec, err) < 0 || set_names(spec, err) < 0 ||
	    fault_point("setup.network", err) < 0)
		return -1;
	if (spec->new_ns & CLONE_NEWNET) {
		if (net_loopback_up(err) < 0)
			return -1;
		nsrun_trace(spec->verbose, "loopback up");
	}
	/* The last moment: a filter or the command's credentials may forbid
	 * making the cgroup namespace. */
	if (set_environment(spec, err) < 0 || set_workdir(spec, cwd[0] ? cwd : NULL, err) < 0 ||
	    stage_await_cgroups(spec, err) < 0 || early_seccomp(spec, err) < 0 ||
	    set_credentials(spec, err) < 0)
		return -1;
	/* As the user: a directory it may not enter is an error, as in runc. */
	bool switched = spec->user_ids_set || spec->as_user;
	if (switched && spec->chdir && chdir(spec->chdir) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_CHDIR, -1, errno, "chdir");
	return 0;
}
