/* SPDX-License-Identifier: Apache-2.0 */
/* libnsrun: start a command inside new Linux namespaces.
 *
 * Fill a struct nsrun_spec (nsrun_spec_init() gives the defaults), then call
 * nsrun_run(). A program linking libnsrun must call nsrun_reexec_dispatch()
 * (<nsrun/reexec.h>) at the top of main(): the staged start-up path may
 * re-execute the program as the "nsrun:init" stage. Where it can, the stage
 * runs in the cloned child instead (RELIABILITY.md), which needs a caller
 * without other threads: glibc's __libc_single_threaded tells, but not of
 * threads made without glibc (a Go runtime, a raw clone), so such a
 * program must not call the staged paths. */
#ifndef NSRUN_NSRUN_H
#define NSRUN_NSRUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <nsrun/error.h>
#include <nsrun/reexec.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NSRUN_VERSION "0.1.0"

/* The kernel accepts at most this many lines in uid_map/gid_map (4.15+). */
#define NSRUN_MAX_MAP_LINES 340
/* One join per namespace type at most. */
#define NSRUN_MAX_JOINS 8

struct nsrun_id_range {
	uint32_t inside;
	uint32_t outside;
	uint32_t count;
};

struct nsrun_id_map {
	unsigned n;
	struct nsrun_id_range range[NSRUN_MAX_MAP_LINES];
};

/* Where the id maps of a new user namespace come from. */
enum nsrun_id_source {
	NSRUN_IDS_EXPLICIT = 0, /* uid_map/gid_map as given (maybe empty) */
	NSRUN_IDS_ROOT, /* caller's uid and gid become 0 inside */
	NSRUN_IDS_AUTO, /* root plus the caller's /etc/subuid, /etc/subgid ranges */
};

enum nsrun_setgroups {
	NSRUN_SETGROUPS_DEFAULT = 0, /* allow, unless the kernel requires deny */
	NSRUN_SETGROUPS_ALLOW,
	NSRUN_SETGROUPS_DENY,
};

struct nsrun_ns_join {
	int type; /* one CLONE_NEW* flag */
	const char *path; /* e.g. /proc/1234/ns/net */
};

/* One filesystem step of the new root, applied in order (bwrap's model). */
enum nsrun_fs_kind {
	NSRUN_FS_BIND, /* src -> dest, recursive, nodev */
	NSRUN_FS_RO_BIND, /* the same, read-only recursively */
	NSRUN_FS_DEV_BIND, /* the same, devices allowed */
	NSRUN_FS_TMPFS, /* a tmpfs on dest (size, mode) */
	NSRUN_FS_PROC, /* a fresh proc on dest */
	NSRUN_FS_DEV, /* a minimal /dev on dest */
	NSRUN_FS_MQUEUE, /* an mqueue fs on dest */
	NSRUN_FS_DIR, /* a directory (mode) */
	NSRUN_FS_SYMLINK, /* dest -> src (the link's target) */
	NSRUN_FS_REMOUNT_RO, /* make the mount at dest read-only */
	NSRUN_FS_CHMOD, /* chmod dest to mode */
	NSRUN_FS_MOUNT, /* mount(2) of fstype from src with flags and data
	                        (OCI mounts); MS_BIND for binds */
	NSRUN_FS_DEVICE, /* a device node at dest (OCI linux.devices) */
};

struct nsrun_fs_op {
	enum nsrun_fs_kind kind;
	const char *src; /* bind source, symlink target; NULL otherwise */
	const char *dest; /* path inside the new root */
	bool optional; /* --bind-try: skip a missing source */
	int mode; /* -1: default */
	uint64_t size; /* tmpfs size in bytes, 0: default */
	/* NSRUN_FS_MOUNT */
	const char *fstype;
	const char *data;
	unsigned long flags; /* MS_* */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, ... with MS_REC; 0: none */
	/* NSRUN_FS_DEVICE: type 'c', 'b' or 'p', mode as .mode */
	char dev_type;
	uint32_t major, minor, uid, gid;
};

enum nsrun_propagation {
	NSRUN_PROPAGATION_PRIVATE = 0,
	NSRUN_PROPAGATION_SLAVE,
	NSRUN_PROPAGATION_SHARED,
	NSRUN_PROPAGATION_UNBINDABLE,
};

/* Capability sets as the OCI spec has them, one bit per capability. */
struct nsrun_caps {
	bool set; /* false: leave capabilities as the kernel has them */
	uint64_t bounding;
	uint64_t effective;
	uint64_t permitted;
	uint64_t inheritable;
	uint64_t ambient;
};

struct nsrun_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard; /* RLIM_INFINITY for unlimited */
};

/* cgroup limits, as the OCI spec's linux.resources has them. 0 (or NULL)
 * leaves a limit unset, as does -1 for swappiness; the signed byte counts
 * take -1 for "unlimited". Lists are lines of text, one entry a line, as
 * the kernel's cgroup files take them. Each is written where the host has
 * it: the v1 hierarchy of its controller, or the cgroup v2 tree. */
struct nsrun_cgroup_limits {
	int64_t memory; /* bytes */
	int64_t memory_swap; /* memory plus swap, bytes; -1: unlimited swap */
	int64_t pids;
	uint64_t cpu_quota; /* microseconds per cpu_period */
	uint64_t cpu_period;
	uint64_t cpu_weight; /* 1..10000 (cgroup v2 scale) */
	/* Device access rules in order, one per line: "allow|deny TYPE
	 * MAJOR:MINOR ACCESS" ("deny a *:* rwm"), as the v1 devices controller
	 * takes them. Enforced where the container could make device nodes
	 * itself (CAP_MKNOD in its bounding set, no user namespace); elsewhere
	 * only the nodes nsrun makes exist. */
	const char *device_rules;
	int64_t memory_reservation; /* the soft limit, bytes */
	int swappiness; /* 0..100 (cgroup v1 only); -1: unset */
	bool disable_oom_killer; /* cgroup v1 only */
	uint64_t cpu_burst; /* microseconds over the quota a period may use */
	bool cpu_idle; /* schedule the group as idle */
	int64_t cpu_rt_runtime; /* real-time microseconds per cpu_rt_period */
	uint64_t cpu_rt_period;
	const char *cpuset_cpus; /* "0-3,6" */
	const char *cpuset_mems;
	uint16_t io_weight; /* 10..1000 (blkio scale) */
	uint16_t io_leaf_weight; /* 10..1000, cgroup v1 with CFQ only */
	/* "MAJOR:MINOR VALUE" lines: a weight, or bytes or operations a second. */
	const char *io_weight_devices;
	const char *io_leaf_weight_devices;
	const char *io_read_bps, *io_write_bps, *io_read_iops, *io_write_iops;
	const char *hugepage_limits; /* "SIZE BYTES" lines: "2MB 0" */
	uint32_t net_classid; /* net_cls (cgroup v1 only) */
	const char *net_priorities; /* "IFNAME PRIORITY" lines, net_prio (cgroup v1 only) */
	const char *unified; /* "FILE VALUE" lines: cgroup v2 files written as given */
	uint64_t cpu_shares; /* 2..262144 (cgroup v1 scale), instead of cpu_weight */
	int64_t memory_kernel_tcp; /* TCP buffer bytes (cgroup v1 only, where the kernel has it) */
};

/* Limits with nothing set: assign it rather than zero the structure. */
#define NSRUN_CGROUP_LIMITS_UNSET ((struct nsrun_cgroup_limits){ .swappiness = -1 })

struct nsrun_seccomp; /* a parsed seccomp profile: <nsrun/seccomp.h> */

/* One description of a container, filled by a front end, read by the engine. */
struct nsrun_spec {
	unsigned long new_ns; /* CLONE_NEW* flags to create */
	struct nsrun_ns_join joins[NSRUN_MAX_JOINS];
	unsigned n_joins;

	enum nsrun_id_source id_source;
	struct nsrun_id_map uid_map;
	struct nsrun_id_map gid_map;
	enum nsrun_setgroups setgroups;

	bool mount_proc; /* fresh /proc (implies a new mount namespace) */
	bool force_child; /* staged path even without a PID namespace (-f) */
	int verbose; /* >0: each start-up step on stderr */
	int block_fd; /* wait for data or EOF on it before the exec; -1: none */

	int *keep_fds; /* descriptors besides 0-2 the command inherits */
	unsigned n_keep_fds;

	/* Filesystem: a new root is built when rootfs is set or fs ops exist
	 * (an empty tmpfs when rootfs is NULL), then pivot_root'ed into. */
	const char *rootfs;
	bool no_pivot; /* MS_MOVE + chroot instead of pivot_root */
	enum nsrun_propagation propagation;
	struct nsrun_fs_op *fs_ops;
	unsigned n_fs_ops;

	/* Identity and environment. */
	const char *hostname; /* needs a new UTS namespace */
	const char *domainname;
	const char *chdir; /* NULL: the caller's directory if it exists inside, else / */
	char **env; /* the command's environment; NULL: the caller's */
	const char *as_user; /* USER[:GROUP], names from the sandbox's /etc */
	int umask; /* -1: unchanged */

	/* Isolation controls. */
	struct nsrun_caps caps;
	bool no_new_privs;
	struct nsrun_rlimit *rlimits;
	unsigned n_rlimits;
	const char **masked_paths; /* a file becomes /dev/null, a directory an
	                                empty read-only tmpfs; missing ones skipped */
	unsigned n_masked_paths;
	const char **readonly_paths; /* bound read-only onto themselves */
	unsigned n_readonly_paths;
	struct nsrun_cgroup_limits cgroup;
	struct nsrun_seccomp *seccomp; /* NULL: no filter */

	/* Container specifics (config.json has them; so may a library caller). */
	bool root_readonly; /* the new root read-only after the steps */
	const char **sysctl; /* "key=value" pairs, written under /proc/sys */
	unsigned n_sysctl;
	bool oom_score_adj_set;
	int oom_score_adj;
	bool user_ids_set; /* uid/gid/additional_gids, numeric (OCI) */
	uint32_t uid, gid;
	uint32_t *additional_gids;
	unsigned n_additional_gids;
	const char *cgroup_path; /* the cgroup's path below each hierarchy's root;
	                            NULL: a temporary nsrun-<pid> one */
	bool delegate_cgroup; /* a cgroup of its own in every hierarchy, limits
	                         or not, for a command that makes cgroups
	                         below it (systemd as PID 1) */

	/* The first process. */
	bool init; /* stay PID 1: reap zombies, forward signals */
	bool init_group; /* forward to the command's process group */
	bool die_with_parent; /* killed when nsrun's parent dies */
	bool new_session; /* a session of its own: the command cannot reach
	                           the caller's terminal (TIOCSTI, TIOCLINUX) */
	int json_status_fd; /* -1: none; {"child-pid": N} and {"exit-code": N} */
	int stop_signal; /* sent instead of a SIGTERM or SIGINT that nsrun
	                    forwards (SIGRTMIN+3 halts systemd); 0: as is */

	char **argv; /* the command; argv[0] is looked up in PATH */

	/* What only nsrun's own OCI runtime asks of the engine (parking a
	 * created container, its console socket, in-container hooks); internal
	 * to nsrun. Library callers leave it NULL. */
	const struct nsrun_container *container;
};

/* Defaults: nothing new, nothing joined, no block or status fd, umask
 * unchanged, no limits. */
void nsrun_spec_init(struct nsrun_spec *spec);
/* Free what nsrun_spec_init and the front ends allocated in spec. */
void nsrun_spec_release(struct nsrun_spec *spec);

/* Check a spec for contradictions before anything runs. */
int nsrun_spec_validate(const struct nsrun_spec *spec, struct nsrun_error *err);

/* Run the command described by spec.
 * In place (no PID namespace, no force_child): on success this never returns,
 * the command replaces the calling process. Staged: returns the exit status
 * to report (the command's, or 128+N for signal N).
 * On failure returns -1 with err filled; err->status is the exit status. */
int nsrun_run(const struct nsrun_spec *spec, struct nsrun_error *err);

#ifdef __cplusplus
}
#endif
#endif
