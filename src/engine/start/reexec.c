/* SPDX-License-Identifier: Apache-2.0 */
/* Named stages run by re-executing a sealed copy of the running binary.
 * See <nsrun/reexec.h>. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/sched.h>

#include <nsrun/reexec.h>

#include "engine/start/reexec.h"

#include "engine/start/stage.h"
#include "engine/ns/namespaces.h"
#include "util/cleanup.h"
#include "util/cpus.h"
#include "util/memfd.h"

#define MAX_STAGES 32

static struct {
	const char *name;
	nsrun_stage_fn fn;
} stages[MAX_STAGES] = {
	{ NSRUN_INIT_STAGE, nsrun_init_stage },
};
static unsigned n_stages = 1;

int nsrun_reexec_register(const char *name, nsrun_stage_fn fn)
{
	if (name == NULL || fn == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (unsigned i = 0; i < n_stages; i++) {
		if (strcmp(stages[i].name, name) == 0) {
			errno = EEXIST;
			return -1;
		}
	}
	if (n_stages == MAX_STAGES) {
		errno = ENOSPC;
		return -1;
	}
	stages[n_stages].name = name;
	stages[n_stages].fn = fn;
	n_stages++;
	return 0;
}

int nsrun_reexec_dispatch(int argc, char **argv)
{
	if (argc < 1 || argv[0] == NULL)
		return 0;
	for (unsigned i = 0; i < n_stages; i++)
		if (strcmp(stages[i].name, argv[0]) == 0)
			exit(stages[i].fn(argc, argv));
	return 0;
}

static pthread_once_t sealed_once = PTHREAD_ONCE_INIT;
static int sealed_fd = -1;
static int sealed_errno;
static const char *sealed_step;

static void make_sealed_copy(void)
{
	static const char *const steps[3] = { "memfd_create", "copy /proc/self/exe",
					      "seal the binary copy" };
	struct stat st;
	sealed_step = "open /proc/self/exe";
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe >= 0 && fstat(exe, &st) == 0)
		sealed_fd = memfd_sealed_copy("nsrun", exe, NULL, (size_t)st.st_size, steps,
					      &sealed_step);
	if (sealed_fd < 0)
		sealed_errno = errno;
	if (exe >= 0)
		close(exe);
}

int nsrun_reexec_sealed_fd(struct nsrun_error *err)
{
	pthread_once(&sealed_once, make_sealed_copy);
	if (sealed_fd < 0)
		return nsrun_fail(err, sealed_errno, "%s", sealed_step);
	return sealed_fd;
}

/* Whether the last clone_child was given a cgroup the kernel could not
 * start the child in (CLONE_INTO_CGROUP is Linux 5.7). */
static bool cgroup_not_entered;

bool reexec_cgroup_not_entered(void)
{
	return cgroup_not_entered;
}

/* fork-like clone: the child continues on a copy of this stack. clone3
 * takes CLONE_NEWTIME, which the old clone() cannot (the bit is CSIGNAL's). */
static pid_t clone_child(unsigned long flags, int cgroup_fd)
{
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	if (cgroup_fd > 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	cgroup_not_entered = false;
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	/* A kernel before 5.7 knows no args.cgroup: E2BIG. */
	if (pid < 0 && errno == E2BIG && cgroup_fd > 0) {
		args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		args.cgroup = 0;
		pid = syscall(SYS_clone3, &args, sizeof(args));
	}
	if (pid < 0 && errno == ENOSYS && !(flags & CLONE_NEWTIME)) {
		args.cgroup = 0;
		pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	}
	if (pid > 0)
		cgroup_not_entered = cgroup_fd > 0 && args.cgroup == 0;
	return (pid_t)pid;
}

/* Child side of keep_capabilities: inheritable := permitted, then raise
 * every capability into the ambient set, which execve preserves even for an
 * unmapped uid. Raw system calls only. */
static void raise_ambient_capabilities(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return;
	data[0].inheritable = data[0].permitted;
	data[1].inheritable = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return;
	for (long cap = 0; cap < 64; cap++)
		if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 &&
		    errno == EINVAL)
			break; /* past the kernel's last capability */
}

static void write_all_raw(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* The CPUs the caller may use, when the child is spread to the others
 * (spread_child): the child takes them back after the hold. */
static cpu_set_t caller_cpus;
static bool child_spread;

/* The stage and the launcher work side by side after the clone (cpus.h):
 * they ran one after the other (1.5 ms of a run here). Only a held child,
 * which takes its CPUs back once released: by then the parent's call has
 * certainly landed; and only where the caller asks, with work to do beside
 * it (moving costs a wake-up of the other CPU, which a launcher that only
 * writes the maps and waits does not win back). */
static void spread_child(pid_t pid)
{
	cpus_move_elsewhere(pid, &caller_cpus);
}

/* The child, between clone and the stage: async-signal-safe system calls
 * only, until execve (or in_child, whose caller has no other thread). */
static _Noreturn void child_main(int exe, const char *exe_path, char **child_argv, int argc,
				 char *const envp[], const struct nsrun_reexec_attr *attr,
				 const struct reexec_in_child *in_child)
{
	extern char **environ;
	/* A stage run here has the caller's signal handlers until it executes
	 * something: it blocks every signal until then, and the program it
	 * executes sets the mask meant for it. */
	uint64_t all = ~0ULL;
	if (in_child)
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(uint64_t));
	if (attr->hold_peer_fd > 0)
		syscall(SYS_close, attr->hold_peer_fd);
	if (attr->pdeathsig)
		syscall(SYS_prctl, PR_SET_PDEATHSIG, attr->pdeathsig, 0, 0, 0);
	if (in_child && in_child->early)
		in_child->early(in_child->arg);
	if (attr->hold_fd > 0) {
		char go;
		long n;
		do
			n = syscall(SYS_read, attr->hold_fd, &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(NSRUN_EXIT_FAILURE);
		if (child_spread)
			syscall(SYS_sched_setaffinity, 0, sizeof(caller_cpus), &caller_cpus);
	}
	if (attr->keep_capabilities && in_child == NULL)
		raise_ambient_capabilities();
	for (unsigned i = 0; i < attr->n_inherit_fds; i++)
		syscall(SYS_fcntl, attr->inherit_fds[i], F_SETFD, 0);
	if (attr->sigmask && in_child == NULL)
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, attr->sigmask, NULL, sizeof(uint64_t));
	if (in_child)
		_exit(in_child->stage(argc, child_argv, in_child->arg));
	char *const *child_envp = envp ? envp : environ;
	syscall(SYS_execveat, exe, "", child_argv, child_envp, AT_EMPTY_PATH);
	/* The same copy by its /proc path, for where execveat with an empty
	 * path is refused: valgrind 3.19 fails it with ENOENT. */
	if (errno == ENOENT || errno == ENOSYS)
		syscall(SYS_execve, exe_path, child_argv, child_envp);
	write_all_raw(STDERR_FILENO, "nsrun: cannot execute the sealed binary copy for stage ");
	write_all_raw(STDERR_FILENO, child_argv[0]);
	write_all_raw(STDERR_FILENO, "\n");
	_exit(NSRUN_EXIT_FAILURE);
}

pid_t reexec_spawn(const char *stage, char *const argv[], char *const envp[],
		   const struct nsrun_reexec_attr *attr, const struct reexec_in_child *in_child,
		   struct nsrun_error *err)
{
	static const struct nsrun_reexec_attr no_attr;
	if (attr == NULL)
		attr = &no_attr;
	int exe = -1;
	if (in_child == NULL && (exe = nsrun_reexec_sealed_fd(err)) < 0)
		return -1;
	/* Build the child's argv before the clone: the child may not allocate. */
	size_t argc = 0;
	while (argv && argv[argc])
		argc++;
	cleanup_free char **child_argv = calloc(argc + 2, sizeof(char *));
	if (child_argv == NULL)
		return nsrun_fail(err, errno, "spawn stage %s", stage);
	child_argv[0] = (char *)stage;
	for (size_t i = 1; i < argc; i++)
		child_argv[i] = argv[i];
	char exe_path[32]; /* "/proc/self/fd/" and any int */
	(void)snprintf(exe_path, sizeof(exe_path), "/proc/self/fd/%d", exe);
	child_spread = in_child && in_child->spread && attr->hold_fd > 0 &&
		       sched_getaffinity(0, sizeof(caller_cpus), &caller_cpus) == 0 &&
		       CPU_COUNT(&caller_cpus) > 1;
	pid_t pid = clone_child(attr->clone_flags, attr->cgroup_fd);
	if (pid > 0 && child_spread)
		spread_child(pid);
	if (pid == 0)
		child_main(exe, exe_path, child_argv, (int)(argc ? argc : 1), envp, attr, in_child);
	if (pid < 0) {
		char names[64];
		return nsrun_fail(err, errno, "clone (new namespaces: %s)",
				  ns_describe(attr->clone_flags, names, sizeof(names)));
	}
	return pid;
}

pid_t nsrun_reexec_spawn(const char *stage, char *const argv[], char *const envp[],
			 const struct nsrun_reexec_attr *attr, struct nsrun_error *err)
{
	return reexec_spawn(stage, argv, envp, attr, NULL, err);
}
