/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/ns/netns_ahead.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cpus.h"
#include "util/raw_syscall.h"

#if RAW_SYSCALL_AVAILABLE
/* One helper at a time: its stack, in memory the program has mapped. */
static char helper_stack[16 * 1024] __attribute__((aligned(16)));
static int helper_busy;

/* On a stack no sanitizer knows of, and sharing our thread pointer (so
 * errno): system calls without the C library. */
__attribute__((no_sanitize("address", "undefined"))) static int make_netns(void *arg)
{
	struct netns_ahead *n = arg;
	if (raw_syscall3(SYS_unshare, CLONE_NEWNET, 0, 0) < 0)
		return 0;
	long fd = raw_syscall3(SYS_openat, AT_FDCWD, (long)"/proc/thread-self/ns/net",
			       O_RDONLY | O_CLOEXEC);
	n->fd = fd >= 0 ? (int)fd : -1;
	return 0;
}
#endif

static bool joins_user_ns(const struct nsrun_spec *spec)
{
	for (unsigned i = 0; i < spec->n_joins; i++)
		if (spec->joins[i].type == CLONE_NEWUSER)
			return true;
	return false;
}

void netns_ahead_start(struct netns_ahead *n, const struct nsrun_spec *spec)
{
	n->running = false;
	n->fd = -1;
	n->tid = 0;
#if RAW_SYSCALL_AVAILABLE
	if (!(spec->new_ns & CLONE_NEWNET) || (spec->new_ns & CLONE_NEWUSER) ||
	    joins_user_ns(spec) || __atomic_exchange_n(&helper_busy, 1, __ATOMIC_ACQ_REL))
		return;
	/* The helper starts with every signal blocked: none is delivered on
	 * its stack. Not pthread_create: the launcher would count as
	 * threaded for good, and a stage runs in the cloned child only of a
	 * single-threaded launcher. */
	sigset_t all, old;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0) {
		helper_busy = 0;
		return;
	}
	/* Not CLONE_FS: setns into a mount namespace (on the launcher's
	 * thread, for a joined one) is refused while another task shares our
	 * root and working directory. */
	int flags = CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
		    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	int tid = clone(make_netns, helper_stack + sizeof(helper_stack), flags, n, &n->tid, NULL,
			&n->tid);
	n->running = tid > 0;
	if (!n->running)
		helper_busy = 0;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	/* Sent where it can run now, not after us (unless it is done already:
	 * its id is then free). */
	cpu_set_t cpus;
	if (n->running && sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
	    __atomic_load_n(&n->tid, __ATOMIC_ACQUIRE) != 0)
		cpus_move_elsewhere(tid, &cpus);
#else
	(void)spec;
	(void)joins_user_ns;
#endif
}

int netns_ahead_take(struct netns_ahead *n)
{
#if RAW_SYSCALL_AVAILABLE
	if (n->running) {
		/* The kernel zeroes the tid and wakes us when the helper is gone. */
		int tid;
		while ((tid = __atomic_load_n(&n->tid, __ATOMIC_ACQUIRE)) != 0)
			syscall(SYS_futex, &n->tid, FUTEX_WAIT, tid, NULL, NULL, 0);
		n->running = false;
		__atomic_store_n(&helper_busy, 0, __ATOMIC_RELEASE);
	}
#endif
	int fd = n->fd;
	n->fd = -1;
	return fd;
}

void netns_ahead_release(struct netns_ahead *n)
{
	int fd = netns_ahead_take(n);
	if (fd >= 0)
		close(fd);
}
