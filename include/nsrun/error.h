/* SPDX-License-Identifier: Apache-2.0 */
/* nsrun error object: what failed, why, the part of the spec at fault, and
 * the exit status it maps to.
 *
 * Every fallible libnsrun function returns -1 and fills a struct
 * nsrun_error. The engine says what it did ("mount proc on /proc: ...")
 * and which part of the spec asked for it (`about`, `index`); a front end
 * adds that part's name in its own words (an option, a config.json field)
 * with nsrun_error_wrap. Only the program's main() prints it. */
#ifndef NSRUN_ERROR_H
#define NSRUN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses, as docker, env and timeout use them. */
enum {
	NSRUN_EXIT_FAILURE = 125, /* nsrun itself failed */
	NSRUN_EXIT_CANNOT_EXEC = 126, /* the command exists but cannot run */
	NSRUN_EXIT_NOT_FOUND = 127, /* the command was not found */
};

/* The part of struct nsrun_spec an error is about. Those marked [i] are
 * arrays: the error's index says which element. */
enum nsrun_about {
	NSRUN_ABOUT_NOTHING = 0,
	NSRUN_ABOUT_COMMAND, /* argv */
	NSRUN_ABOUT_NEW_NS,
	NSRUN_ABOUT_JOIN, /* [i] joins */
	NSRUN_ABOUT_UID_MAP,
	NSRUN_ABOUT_GID_MAP,
	NSRUN_ABOUT_ID_SOURCE, /* the maps nsrun works out (root, auto) */
	NSRUN_ABOUT_MOUNT_PROC,
	NSRUN_ABOUT_ROOTFS,
	NSRUN_ABOUT_NO_PIVOT,
	NSRUN_ABOUT_PROPAGATION,
	NSRUN_ABOUT_FS_OP, /* [i] fs_ops */
	NSRUN_ABOUT_ROOT_READONLY,
	NSRUN_ABOUT_MASKED_PATH, /* [i] masked_paths */
	NSRUN_ABOUT_READONLY_PATH, /* [i] readonly_paths */
	NSRUN_ABOUT_HOSTNAME,
	NSRUN_ABOUT_DOMAINNAME,
	NSRUN_ABOUT_CHDIR,
	NSRUN_ABOUT_ENV,
	NSRUN_ABOUT_AS_USER,
	NSRUN_ABOUT_USER_IDS, /* uid, gid, additional_gids */
	NSRUN_ABOUT_CAPS,
	NSRUN_ABOUT_NO_NEW_PRIVS,
	NSRUN_ABOUT_RLIMIT, /* [i] rlimits */
	NSRUN_ABOUT_SECCOMP,
	NSRUN_ABOUT_SYSCTL, /* [i] sysctl */
	NSRUN_ABOUT_OOM_SCORE_ADJ,
	NSRUN_ABOUT_CGROUP_PATH,
	NSRUN_ABOUT_MEMORY,
	NSRUN_ABOUT_MEMORY_SWAP,
	NSRUN_ABOUT_PIDS,
	NSRUN_ABOUT_CPU_QUOTA,
	NSRUN_ABOUT_CPU_WEIGHT,
	NSRUN_ABOUT_DEVICE_RULES,
	NSRUN_ABOUT_MEMORY_RESERVATION,
	NSRUN_ABOUT_SWAPPINESS,
	NSRUN_ABOUT_OOM_KILLER,
	NSRUN_ABOUT_CPU_BURST,
	NSRUN_ABOUT_CPU_IDLE,
	NSRUN_ABOUT_CPU_RT,
	NSRUN_ABOUT_CPUSET_CPUS,
	NSRUN_ABOUT_CPUSET_MEMS,
	NSRUN_ABOUT_IO_WEIGHT,
	NSRUN_ABOUT_IO_WEIGHT_DEVICES,
	NSRUN_ABOUT_IO_THROTTLE,
	NSRUN_ABOUT_HUGEPAGES,
	NSRUN_ABOUT_NET_CLASSID,
	NSRUN_ABOUT_NET_PRIORITIES,
	NSRUN_ABOUT_UNIFIED,
	NSRUN_ABOUT_KEEP_FD, /* [i] keep_fds */
	NSRUN_ABOUT_BLOCK_FD,
	NSRUN_ABOUT_JSON_STATUS_FD,
	NSRUN_ABOUT_INIT,
	NSRUN_ABOUT_INIT_GROUP,
	NSRUN_ABOUT_DIE_WITH_PARENT,
	NSRUN_ABOUT_NEW_SESSION,
	NSRUN_ABOUT_TERMINAL, /* the container's terminal and console socket */
	NSRUN_ABOUT_COUNT
};

struct nsrun_error {
	int status; /* exit status this error maps to (125, 126 or 127) */
	int errnum; /* errno behind it, 0 when none */
	int about; /* enum nsrun_about: the part of the spec at fault */
	int index; /* the element of an array part, -1 when none */
	char msg[512]; /* "<what>: <why>", without the "nsrun: " prefix */
};

/* Fill err with "<fmt...>: strerror(errnum)" (or just fmt when errnum is 0)
 * and status 125; returns -1 so callers can `return nsrun_fail(...)`. */
int nsrun_fail(struct nsrun_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with an explicit exit status. */
int nsrun_fail_status(struct nsrun_error *err, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* nsrun_fail, and say which part of the spec the error is about. */
int nsrun_fail_about(struct nsrun_error *err, enum nsrun_about about, int index, int errnum,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Say which part of the spec a filled error is about, unless an inner
 * step said so already. Returns -1. */
int nsrun_error_about(struct nsrun_error *err, enum nsrun_about about, int index);

/* Put "<fmt...>: " before the message: the caller's context, such as the
 * option or field the error is about. Returns -1. */
int nsrun_error_wrap(struct nsrun_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "nsrun: <message>" on stderr in one write. */
void nsrun_error_print(const struct nsrun_error *err);

#ifdef __cplusplus
}
#endif
#endif
