/* Sandbox command line -> struct nsrun_spec. See options.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include <nsrun/seccomp.h>

#include "cli/environ.h"
#include "engine/limits/caps.h"
#include "engine/limits/rlimit.h"
#include "cli/options.h"
#include "engine/ns/idmap.h"
#include "engine/ns/namespaces.h"

enum {
	OPT_JOIN = 0x100,
	OPT_MAP_AUTO,
	OPT_SETGROUPS,
	OPT_MOUNT_PROC,
	OPT_KEEP_FD,
	OPT_BLOCK_FD,
	/* filesystem */
	OPT_ROOTFS,
	OPT_NO_PIVOT,
	OPT_PROPAGATION,
	OPT_BIND,
	OPT_RO_BIND,
	OPT_DEV_BIND,
	OPT_BIND_TRY,
	OPT_RO_BIND_TRY,
	OPT_DEV_BIND_TRY,
	OPT_TMPFS,
	OPT_SIZE,
	OPT_PERMS,
	OPT_PROC,
	OPT_DEV,
	OPT_MQUEUE,
	OPT_DIR,
	OPT_SYMLINK,
	OPT_REMOUNT_RO,
	OPT_CHMOD,
	/* identity and environment */
	OPT_HOSTNAME,
	OPT_DOMAINNAME,
	OPT_CHDIR,
	OPT_SETENV,
	OPT_UNSETENV,
	OPT_CLEARENV,
	OPT_ENV_FILE,
	OPT_AS,
	OPT_UMASK,
	/* the first process */
	OPT_INIT,
	OPT_INIT_GROUP,
	OPT_DIE_WITH_PARENT,
	OPT_JSON_STATUS_FD,
	/* isolation controls */
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_NO_NEW_PRIVS,
	OPT_SECCOMP,
	OPT_SECCOMP_DEFAULT,
	OPT_RLIMIT,
	OPT_MEMORY,
	OPT_MEMORY_SWAP,
	OPT_PIDS,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_MASK,
	OPT_RO,
	/* presets */
	OPT_SANDBOX,
	OPT_SHARE_NET,
};

static const char short_opts[] = "+:UmpnuiCTafrzM:G:vhV";

static const struct option long_opts[] = {
	{ "user", no_argument, NULL, 'U' },
	{ "mount", no_argument, NULL, 'm' },
	{ "pid", no_argument, NULL, 'p' },
	{ "net", no_argument, NULL, 'n' },
	{ "uts", no_argument, NULL, 'u' },
	{ "ipc", no_argument, NULL, 'i' },
	{ "cgroup", no_argument, NULL, 'C' },
	{ "time", no_argument, NULL, 'T' },
	{ "all", no_argument, NULL, 'a' },
	{ "fork", no_argument, NULL, 'f' },
	{ "join", required_argument, NULL, OPT_JOIN },
	{ "map-root-user", no_argument, NULL, 'r' },
	{ "uid-map", required_argument, NULL, 'M' },
	{ "gid-map", required_argument, NULL, 'G' },
	{ "map-auto", no_argument, NULL, OPT_MAP_AUTO },
	{ "setgroups", required_argument, NULL, OPT_SETGROUPS },
	{ "mount-proc", no_argument, NULL, OPT_MOUNT_PROC },
	{ "keep-fd", required_argument, NULL, OPT_KEEP_FD },
	{ "block-fd", required_argument, NULL, OPT_BLOCK_FD },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
	{ "dev-bind", required_argument, NULL, OPT_DEV_BIND },
	{ "bind-try", required_argument, NULL, OPT_BIND_TRY },
	{ "ro-bind-try", required_argument, NULL, OPT_RO_BIND_TRY },
	{ "dev-bind-try", required_argument, NULL, OPT_DEV_BIND_TRY },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "perms", required_argument, NULL, OPT_PERMS },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "mqueue", required_argument, NULL, OPT_MQUEUE },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "symlink", required_argument, NULL, OPT_SYMLINK },
	{ "remount-ro", required_argument, NULL, OPT_REMOUNT_RO },
	{ "chmod", required_argument, NULL, OPT_CHMOD },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "domainname", required_argument, NULL, OPT_DOMAINNAME },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "setenv", required_argument, NULL, OPT_SETENV },
	{ "unsetenv", required_argument, NULL, OPT_UNSETENV },
	{ "clearenv", no_argument, NULL, OPT_CLEARENV },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "as", required_argument, NULL, OPT_AS },
	{ "umask", required_argument, NULL, OPT_UMASK },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "init-group", no_argument, NULL, OPT_INIT_GROUP },
	{ "die-with-parent", no_argument, NULL, OPT_DIE_WITH_PARENT },
	{ "json-status-fd", required_argument, NULL, OPT_JSON_STATUS_FD },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "seccomp-default", no_argument, NULL, OPT_SECCOMP_DEFAULT },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT },
	{ "mask", required_argument, NULL, OPT_MASK },
	{ "ro", required_argument, NULL, OPT_RO },
	{ "sandbox", no_argument, NULL, OPT_SANDBOX },
	{ "share-net", no_argument, NULL, OPT_SHARE_NET },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_fd(const char *text, const char *option, int *fd,
		    struct nsrun_error *err)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < 0 || v > INT_MAX)
		return nsrun_fail(err, 0, "%s '%s': not a descriptor number", option, text);
	*fd = (int)v;
	return 0;
}

static int add_keep_fd(struct nsrun_spec *spec, const char *text,
		       struct nsrun_error *err)
{
	int fd = -1;
	if (parse_fd(text, "--keep-fd", &fd, err) < 0)
		return -1;
	if (fd <= 2)
		return 0; /* 0-2 are always kept */
	int *grown = realloc(spec->keep_fds, (spec->n_keep_fds + 1) * sizeof(int));
	if (!grown)
		return nsrun_fail(err, errno, "--keep-fd %s", text);
	spec->keep_fds = grown;
	spec->keep_fds[spec->n_keep_fds++] = fd;
	return 0;
}

static int add_join(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
{
	const char *colon = strchr(text, ':');
	if (!colon || colon == text || colon[1] == '\0')
		return nsrun_fail(err, 0, "--join '%s': expected TYPE:PATH, e.g. net:/proc/1234/ns/net",
				  text);
	char type[16];
	size_t len = (size_t)(colon - text);
	int flag = 0;
	if (len < sizeof(type)) {
		memcpy(type, text, len);
		type[len] = '\0';
		flag = ns_flag_from_name(type);
	}
	if (flag == 0)
		return nsrun_fail(err, 0,
				  "--join '%s': unknown namespace type '%.*s' "
				  "(user, mnt, pid, net, uts, ipc, cgroup or time)",
				  text, (int)len, text);
	if (spec->n_joins == NSRUN_MAX_JOINS)
		return nsrun_fail(err, 0, "--join '%s': too many joins", text);
	spec->joins[spec->n_joins].type = flag;
	spec->joins[spec->n_joins].path = colon + 1;
	spec->n_joins++;
	return 0;
}

/* --perms and --size apply to the next step that takes them. */
struct fs_modifiers {
	int perms;      /* -1: none pending */
	uint64_t size;  /* 0: none pending */
};

static int parse_mode(const char *text, const char *option, int *mode,
		      struct nsrun_error *err)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 8);
	if (errno != 0 || end == text || *end != '\0' || v < 0 || v > 07777)
		return nsrun_fail(err, 0, "%s '%s': not an octal mode (0 to 7777)", option, text);
	*mode = (int)v;
	return 0;
}

/* BYTES, optionally with a k, m or g suffix (powers of 1024). */
static int parse_bytes(const char *text, const char *option, uint64_t *size,
		       struct nsrun_error *err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v == 0 ||
	    v > (UINT64_MAX >> shift))
		return nsrun_fail(err, 0, "%s '%s': not a size in bytes (k, m, g suffixes)", option,
				  text);
	*size = (uint64_t)v << shift;
	return 0;
}

static struct nsrun_fs_op *add_fs_op(struct nsrun_spec *spec, enum nsrun_fs_kind kind,
				     const char *src, const char *dest,
				     struct fs_modifiers *mod, struct nsrun_error *err)
{
	struct nsrun_fs_op *grown =
		realloc(spec->fs_ops, (spec->n_fs_ops + 1) * sizeof(*spec->fs_ops));
	if (!grown) {
		nsrun_fail(err, errno, "filesystem option");
		return NULL;
	}
	spec->fs_ops = grown;
	struct nsrun_fs_op *op = &spec->fs_ops[spec->n_fs_ops++];
	*op = (struct nsrun_fs_op){ .kind = kind, .src = src, .dest = dest, .mode = -1 };
	/* Only the steps that take them consume --perms and --size. */
	if (kind == NSRUN_FS_TMPFS || kind == NSRUN_FS_DIR) {
		op->mode = mod->perms;
		mod->perms = -1;
	}
	if (kind == NSRUN_FS_TMPFS) {
		op->size = mod->size;
		mod->size = 0;
	}
	spec->new_ns |= CLONE_NEWNS;
	return op;
}

/* The second value of a two-value option (--bind SRC DEST). */
static const char *second_value(int argc, char **argv, const char *option,
				struct nsrun_error *err)
{
	if (optind >= argc) {
		nsrun_fail(err, 0, "option '%s' needs two values (see nsrun --help)", option);
		return NULL;
	}
	return argv[optind++];
}

static const struct {
	int opt;
	enum nsrun_fs_kind kind;
	bool optional;
} two_value_binds[] = {
	{ OPT_BIND, NSRUN_FS_BIND, false },         { OPT_RO_BIND, NSRUN_FS_RO_BIND, false },
	{ OPT_DEV_BIND, NSRUN_FS_DEV_BIND, false }, { OPT_BIND_TRY, NSRUN_FS_BIND, true },
	{ OPT_RO_BIND_TRY, NSRUN_FS_RO_BIND, true }, { OPT_DEV_BIND_TRY, NSRUN_FS_DEV_BIND, true },
};

static const struct {
	int opt;
	enum nsrun_fs_kind kind;
} one_value_steps[] = {
	{ OPT_TMPFS, NSRUN_FS_TMPFS },   { OPT_PROC, NSRUN_FS_PROC },
	{ OPT_DEV, NSRUN_FS_DEV },       { OPT_MQUEUE, NSRUN_FS_MQUEUE },
	{ OPT_DIR, NSRUN_FS_DIR },       { OPT_REMOUNT_RO, NSRUN_FS_REMOUNT_RO },
};

/* Filesystem options; returns 1 when c was not one of them. */
static int parse_fs_option(int c, const char *option, int argc, char **argv,
			   struct nsrun_spec *spec, struct fs_modifiers *mod,
			   struct nsrun_error *err)
{
	for (size_t i = 0; i < sizeof(two_value_binds) / sizeof(two_value_binds[0]); i++) {
		if (two_value_binds[i].opt != c)
			continue;
		const char *dest = second_value(argc, argv, option, err);
		struct nsrun_fs_op *op;
		if (!dest || !(op = add_fs_op(spec, two_value_binds[i].kind, optarg, dest, mod, err)))
			return -1;
		op->optional = two_value_binds[i].optional;
		return 0;
	}
	for (size_t i = 0; i < sizeof(one_value_steps) / sizeof(one_value_steps[0]); i++)
		if (one_value_steps[i].opt == c)
			return add_fs_op(spec, one_value_steps[i].kind, NULL, optarg, mod, err) ? 0 : -1;
	switch (c) {
	case OPT_SYMLINK: {
		const char *dest = second_value(argc, argv, option, err);
		return dest && add_fs_op(spec, NSRUN_FS_SYMLINK, optarg, dest, mod, err) ? 0 : -1;
	}
	case OPT_CHMOD: {
		int mode = 0;
		const char *path = second_value(argc, argv, option, err);
		if (!path || parse_mode(optarg, "--chmod", &mode, err) < 0)
			return -1;
		struct nsrun_fs_op *op = add_fs_op(spec, NSRUN_FS_CHMOD, NULL, path, mod, err);
		if (!op)
			return -1;
		op->mode = mode;
		return 0;
	}
	case OPT_PERMS:
		return parse_mode(optarg, "--perms", &mod->perms, err);
	case OPT_SIZE:
		return parse_bytes(optarg, "--size", &mod->size, err);
	case OPT_ROOTFS:
		spec->rootfs = optarg;
		spec->new_ns |= CLONE_NEWNS;
		return 0;
	case OPT_NO_PIVOT:
		spec->no_pivot = true;
		return 0;
	case OPT_PROPAGATION: {
		static const char *const names[] = { "private", "slave", "shared", "unbindable" };
		for (unsigned i = 0; i < 4; i++) {
			if (strcmp(optarg, names[i]) == 0) {
				spec->propagation = (enum nsrun_propagation)i;
				return 0;
			}
		}
		return nsrun_fail(err, 0,
				  "--propagation '%s': expected private, slave, shared or unbindable",
				  optarg);
	}
	}
	return 1;
}

/* The controls of "nsrun isolation": capabilities, seccomp, limits, paths.
 * cap_set/cap_added: the capability set being built, and what --cap-add
 * named (a non-root --as user gets only those). */
struct control_state {
	bool caps_touched;
	uint64_t cap_set, cap_added;
};

static int add_path(const char ***list, unsigned *n, const char *path, const char *option,
		    struct nsrun_error *err)
{
	const char **grown = realloc(*list, (*n + 1) * sizeof(char *));
	if (!grown)
		return nsrun_fail(err, errno, "%s %s", option, path);
	*list = grown;
	(*list)[(*n)++] = path;
	return 0;
}

static int parse_cap(const char *text, const char *option, uint64_t *bits,
		     struct nsrun_error *err)
{
	if (strcasecmp(text, "ALL") == 0) {
		*bits = caps_all_named();
		return 0;
	}
	int cap = caps_from_name(text);
	if (cap < 0)
		return nsrun_fail(err, 0, "%s '%s': unknown capability (see capabilities(7))",
				  option, text);
	*bits = 1ULL << cap;
	return 0;
}

static int parse_u64(const char *text, const char *option, uint64_t min, uint64_t max,
		     uint64_t *out, struct nsrun_error *err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < min || v > max)
		return nsrun_fail(err, 0, "%s '%s': expected a number from %llu to %llu", option,
				  text, (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

/* SOFT or SOFT:HARD, each a number or "unlimited". */
static int parse_rlimit(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
{
	const char *eq = strchr(text, '=');
	char name[32];
	if (!eq || (size_t)(eq - text) >= sizeof(name))
		return nsrun_fail(err, 0, "--rlimit '%s': expected NAME=SOFT[:HARD]", text);
	memcpy(name, text, (size_t)(eq - text));
	name[eq - text] = '\0';
	int resource = rlimit_from_name(name);
	if (resource < 0)
		return nsrun_fail(err, 0, "--rlimit '%s': unknown limit '%s'", text, name);
	uint64_t v[2];
	const char *p = eq + 1;
	for (int i = 0; i < 2; i++) {
		const char *colon = i == 0 ? strchr(p, ':') : NULL;
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		char num[32];
		if (len == 0 || len >= sizeof(num))
			return nsrun_fail(err, 0, "--rlimit '%s': expected NAME=SOFT[:HARD]", text);
		memcpy(num, p, len);
		num[len] = '\0';
		char *end;
		errno = 0;
		if (strcmp(num, "unlimited") == 0 || strcmp(num, "infinity") == 0)
			v[i] = (uint64_t)RLIM_INFINITY;
		else if ((v[i] = strtoull(num, &end, 10)), errno || *end || num[0] == '-')
			return nsrun_fail(err, 0, "--rlimit '%s': '%s' is not a number or unlimited",
					  text, num);
		if (!colon) {
			if (i == 0)
				v[1] = v[0]; /* SOFT alone: the hard limit too */
			break;
		}
		p = colon + 1;
	}
	if (v[0] > v[1])
		return nsrun_fail(err, 0, "--rlimit '%s': the soft limit is above the hard limit", text);
	struct nsrun_rlimit *grown = realloc(spec->rlimits, (spec->n_rlimits + 1) * sizeof(*grown));
	if (!grown)
		return nsrun_fail(err, errno, "--rlimit");
	spec->rlimits = grown;
	spec->rlimits[spec->n_rlimits++] = (struct nsrun_rlimit){ resource, v[0], v[1] };
	return 0;
}

static int load_seccomp(struct nsrun_spec *spec, const char *path, struct nsrun_error *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return nsrun_fail(err, errno, "--seccomp %s", path);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	char buf[8192];
	size_t n;
	bool copied = mem != NULL;
	while (copied && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		copied = fwrite(buf, 1, n, mem) == n;
	int failed = ferror(f) || !copied;
	(void)fclose(f); /* read only: ferror above saw any error */
	/* The memory stream sets text and len at fclose, which can fail (ENOMEM). */
	if (mem && fclose(mem) != 0)
		failed = 1;
	if (failed) {
		free(text);
		return nsrun_fail(err, EIO, "--seccomp %s", path);
	}
	struct nsrun_seccomp *profile = nsrun_seccomp_parse(text, len, path, err);
	free(text);
	if (!profile)
		return -1;
	nsrun_seccomp_free(spec->seccomp);
	spec->seccomp = profile;
	return 0;
}

static int use_default_seccomp(struct nsrun_spec *spec, struct nsrun_error *err)
{
	struct nsrun_seccomp *profile = nsrun_seccomp_default(err);
	if (!profile)
		return -1;
	nsrun_seccomp_free(spec->seccomp);
	spec->seccomp = profile;
	return 0;
}

/* Isolation controls; 1 when c is not one of them. */
static int parse_control_option(int c, struct nsrun_spec *spec, struct control_state *st,
				struct nsrun_error *err)
{
	uint64_t bits = 0, v = 0;
	switch (c) {
	case OPT_CAP_ADD:
	case OPT_CAP_DROP:
		if (parse_cap(optarg, c == OPT_CAP_ADD ? "--cap-add" : "--cap-drop", &bits, err) < 0)
			return -1;
		if (!st->caps_touched)
			st->cap_set = caps_all_named();
		st->caps_touched = true;
		if (c == OPT_CAP_ADD) {
			st->cap_set |= bits;
			st->cap_added |= bits;
		} else {
			st->cap_set &= ~bits;
			st->cap_added &= ~bits;
		}
		return 0;
	case OPT_NO_NEW_PRIVS:
		spec->no_new_privs = true;
		return 0;
	case OPT_SECCOMP:
		return load_seccomp(spec, optarg, err);
	case OPT_SECCOMP_DEFAULT:
		return use_default_seccomp(spec, err);
	case OPT_RLIMIT:
		return parse_rlimit(spec, optarg, err);
	case OPT_MEMORY:
		if (parse_bytes(optarg, "--memory", &v, err) < 0)
			return -1;
		spec->cgroup.memory = (int64_t)v;
		return 0;
	case OPT_MEMORY_SWAP:
		if (strcmp(optarg, "-1") == 0) {
			spec->cgroup.memory_swap = -1;
			return 0;
		}
		if (parse_bytes(optarg, "--memory-swap", &v, err) < 0)
			return -1;
		spec->cgroup.memory_swap = (int64_t)v;
		return 0;
	case OPT_PIDS:
		if (parse_u64(optarg, "--pids", 1, INT32_MAX, &v, err) < 0)
			return -1;
		spec->cgroup.pids = (int64_t)v;
		return 0;
	case OPT_CPUS: {
		char *end;
		errno = 0;
		double cpus = strtod(optarg, &end);
		if (errno || end == optarg || *end || !(cpus >= 0.01 && cpus <= 1024))
			return nsrun_fail(err, 0, "--cpus '%s': expected a number of CPUs from 0.01",
					  optarg);
		spec->cgroup.cpu_period = 100000;
		spec->cgroup.cpu_quota = (uint64_t)(cpus * 100000 + 0.5);
		return 0;
	}
	case OPT_CPU_WEIGHT:
		if (parse_u64(optarg, "--cpu-weight", 1, 10000, &v, err) < 0)
			return -1;
		spec->cgroup.cpu_weight = v;
		return 0;
	case OPT_MASK:
		spec->new_ns |= CLONE_NEWNS;
		return add_path(&spec->masked_paths, &spec->n_masked_paths, optarg, "--mask", err);
	case OPT_RO:
		spec->new_ns |= CLONE_NEWNS;
		return add_path(&spec->readonly_paths, &spec->n_readonly_paths, optarg, "--ro", err);
	}
	return 1;
}

/* What OCI runtimes mask and make read-only by default. */
static const char *const default_masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
};
static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* --sandbox: the everyday preset; later options add to or override it. */
static int apply_sandbox_preset(struct nsrun_spec *spec, struct fs_modifiers *mod,
				struct control_state *controls, const char **id_option,
				struct nsrun_error *err)
{
	/* Without CAP_SYS_ADMIN nothing mounted read-only can be remounted,
	 * whatever seccomp profile a later option installs. */
	if (!controls->caps_touched)
		controls->cap_set = caps_all_named();
	controls->caps_touched = true;
	controls->cap_set &= ~(1ULL << CAP_SYS_ADMIN);
	controls->cap_added &= ~(1ULL << CAP_SYS_ADMIN);
	spec->new_ns |= NS_ALL_FLAGS;
	spec->id_source = NSRUN_IDS_ROOT;
	*id_option = NULL; /* a later -M or --map-auto replaces the root map */
	spec->hostname = "nsrun";
	if (!add_fs_op(spec, NSRUN_FS_RO_BIND, "/", "/", mod, err) ||
	    !add_fs_op(spec, NSRUN_FS_PROC, NULL, "/proc", mod, err) ||
	    !add_fs_op(spec, NSRUN_FS_DEV, NULL, "/dev", mod, err) ||
	    !add_fs_op(spec, NSRUN_FS_TMPFS, NULL, "/tmp", mod, err))
		return -1;
	for (size_t i = 0; i < sizeof(default_masked) / sizeof(default_masked[0]); i++)
		if (add_path(&spec->masked_paths, &spec->n_masked_paths, default_masked[i],
			     "--sandbox", err) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(default_readonly) / sizeof(default_readonly[0]); i++)
		if (add_path(&spec->readonly_paths, &spec->n_readonly_paths, default_readonly[i],
			     "--sandbox", err) < 0)
			return -1;
	return use_default_seccomp(spec, err);
}

/* -r, -M/-G and --map-auto choose the same thing: one of them at a time. */
static int set_id_source(struct nsrun_spec *spec, enum nsrun_id_source src,
			 const char *option, const char **chosen, struct nsrun_error *err)
{
	if (*chosen && strcmp(*chosen, option) != 0 &&
	    !(src == NSRUN_IDS_EXPLICIT && spec->id_source == NSRUN_IDS_EXPLICIT))
		return nsrun_fail(err, 0, "%s: conflicts with %s", option, *chosen);
	*chosen = option;
	spec->id_source = src;
	spec->new_ns |= CLONE_NEWUSER;
	return 0;
}

/* Identity, environment and first-process options; 1 when c is not one. */
static int parse_process_option(int c, int argc, char **argv, struct nsrun_spec *spec,
				struct env_list *env, bool *env_set_up, struct nsrun_error *err)
{
	extern char **environ;
	int fd = -1;
	switch (c) {
	case OPT_HOSTNAME: spec->hostname = optarg; return 0;
	case OPT_DOMAINNAME: spec->domainname = optarg; return 0;
	case OPT_CHDIR: spec->chdir = optarg; return 0;
	case OPT_AS: spec->as_user = optarg; return 0;
	case OPT_INIT: spec->init = true; return 0;
	case OPT_INIT_GROUP: spec->init = spec->init_group = true; return 0;
	case OPT_DIE_WITH_PARENT: spec->die_with_parent = true; return 0;
	case OPT_UMASK:
		return parse_mode(optarg, "--umask", &spec->umask, err) < 0 ||
		       (spec->umask > 0777 && nsrun_fail(err, 0, "--umask '%s': above 0777", optarg))
			       ? -1 : 0;
	case OPT_JSON_STATUS_FD:
		if (parse_fd(optarg, "--json-status-fd", &fd, err) < 0)
			return -1;
		spec->json_status_fd = fd;
		return 0;
	case OPT_SETENV: case OPT_UNSETENV: case OPT_CLEARENV: case OPT_ENV_FILE:
		break;
	default:
		return 1;
	}
	if (!*env_set_up) {
		if (env_copy(env, environ, err) < 0)
			return -1;
		*env_set_up = true;
	}
	switch (c) {
	case OPT_SETENV: {
		const char *value = second_value(argc, argv, "--setenv", err);
		return value ? env_set(env, optarg, value, err) : -1;
	}
	case OPT_UNSETENV:
		env_unset(env, optarg);
		return 0;
	case OPT_CLEARENV:
		env_clear(env);
		return 0;
	default:
		return env_load_file(env, optarg, environ, err);
	}
}

int cli_parse(int argc, char **argv, struct cli_options *opts, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &opts->spec;
	const char *id_option = NULL;
	struct fs_modifiers mod = { .perms = -1, .size = 0 };
	struct env_list env = { 0 };
	struct control_state controls = { 0 };
	bool env_set_up = false;
	int c, rc;

	nsrun_spec_init(spec);
	opts->action = CLI_RUN;
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then forgets a previous argv entirely */
	int longindex = -1;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, &longindex)) != -1) {
		char option[48];
		/* For messages only, and the longest option name fits. */
		if (longindex >= 0)
			(void)snprintf(option, sizeof(option), "--%s", long_opts[longindex].name);
		else
			(void)snprintf(option, sizeof(option), "-%c", c);
		longindex = -1;
		switch (c) {
		case 'U': spec->new_ns |= CLONE_NEWUSER; break;
		case 'm': spec->new_ns |= CLONE_NEWNS; break;
		case 'p': spec->new_ns |= CLONE_NEWPID; break;
		case 'n': spec->new_ns |= CLONE_NEWNET; break;
		case 'u': spec->new_ns |= CLONE_NEWUTS; break;
		case 'i': spec->new_ns |= CLONE_NEWIPC; break;
		case 'C': spec->new_ns |= CLONE_NEWCGROUP; break;
		case 'T': spec->new_ns |= CLONE_NEWTIME; break;
		case 'a': spec->new_ns |= NS_ALL_FLAGS; break;
		case 'f': spec->force_child = true; break;
		case 'v': spec->verbose++; break;
		case 'h':
		case 'V':
			opts->action = c == 'h' ? CLI_HELP : CLI_VERSION;
			if (env_set_up) /* built by earlier options, unused */
				env_free(&env);
			return 0;
		case 'r':
		case 'z':
			if (set_id_source(spec, NSRUN_IDS_ROOT, "-r/--map-root-user",
					  &id_option, err) < 0)
				goto fail;
			break;
		case OPT_MAP_AUTO:
			if (set_id_source(spec, NSRUN_IDS_AUTO, "--map-auto", &id_option, err) < 0)
				goto fail;
			break;
		case 'M':
		case 'G': {
			const char *name = c == 'M' ? "-M/--uid-map" : "-G/--gid-map";
			if (set_id_source(spec, NSRUN_IDS_EXPLICIT, name, &id_option, err) < 0)
				goto fail;
			struct nsrun_id_map *map = c == 'M' ? &spec->uid_map : &spec->gid_map;
			if (idmap_parse(optarg, c == 'M' ? "-M" : "-G", map, err) < 0)
				goto fail;
			break;
		}
		case OPT_SETGROUPS:
			if (strcmp(optarg, "allow") == 0)
				spec->setgroups = NSRUN_SETGROUPS_ALLOW;
			else if (strcmp(optarg, "deny") == 0)
				spec->setgroups = NSRUN_SETGROUPS_DENY;
			else {
				nsrun_fail(err, 0, "--setgroups '%s': expected allow or deny", optarg);
				goto fail;
			}
			break;
		case OPT_JOIN:
			if (add_join(spec, optarg, err) < 0)
				goto fail;
			break;
		case OPT_MOUNT_PROC:
			spec->mount_proc = true;
			spec->new_ns |= CLONE_NEWNS;
			break;
		case OPT_KEEP_FD:
			if (add_keep_fd(spec, optarg, err) < 0)
				goto fail;
			break;
		case OPT_BLOCK_FD:
			if (parse_fd(optarg, "--block-fd", &spec->block_fd, err) < 0)
				goto fail;
			break;
		case OPT_SANDBOX:
			if (apply_sandbox_preset(spec, &mod, &controls, &id_option, err) < 0)
				goto fail;
			break;
		case OPT_SHARE_NET:
			spec->new_ns &= ~(unsigned long)CLONE_NEWNET;
			break;
		case ':':
			nsrun_fail(err, 0, "option '%s' needs a value (see nsrun --help)",
				   argv[optind - 1]);
			goto fail;
		case '?':
			if (optopt)
				nsrun_fail(err, 0, "unknown option '-%c' (see nsrun --help)", optopt);
			else
				nsrun_fail(err, 0, "unknown option '%s' (see nsrun --help)",
					   argv[optind - 1]);
			goto fail;
		default:
			rc = parse_fs_option(c, option, argc, argv, spec, &mod, err);
			if (rc == 1)
				rc = parse_process_option(c, argc, argv, spec, &env, &env_set_up, err);
			if (rc == 1)
				rc = parse_control_option(c, spec, &controls, err);
			if (rc != 0)
				goto fail;
		}
	}
	if (mod.perms >= 0 || mod.size) {
		nsrun_fail(err, 0, "--perms or --size must come before the step it applies to");
		goto fail;
	}
	if (env_set_up) {
		spec->env = env.v; /* the spec owns it now */
		env_set_up = false;
	}
	if (controls.caps_touched) {
		struct nsrun_caps *caps = &spec->caps;
		caps->set = true;
		caps->bounding = caps->effective = caps->permitted = controls.cap_set;
		/* Only what --cap-add named passes to a non-root command, as
		 * ambient capabilities (which must also be inheritable). */
		caps->inheritable = caps->ambient = controls.cap_added;
	}
	if (optind >= argc)
		return nsrun_fail(err, 0, "no command given (usage: nsrun [OPTIONS] [--] COMMAND [ARG...])");
	spec->argv = argv + optind;
	return nsrun_spec_validate(spec, err);
fail:
	if (env_set_up)
		env_free(&env);
	return -1;
}
