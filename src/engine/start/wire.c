/* SPDX-License-Identifier: Apache-2.0 */
/* Spec encoding for the launcher -> stage hand-over. See wire.h.
 *
 * Each part of the spec is described once, by a function that either
 * writes it or reads it back (struct wire's `decoding`), so the two
 * directions cannot drift apart. Decoding checks every length against
 * what is left of the buffer before it allocates anything. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container.h"
#include "engine/limits/seccomp.h"
#include "engine/start/wire.h"
#include "util/buffer.h"
#include "util/cleanup.h"

#define WIRE_MAGIC 0x4e535232u /* "NSR2" */
#define NO_STRING 0xffffffffu
/* The fewest bytes one element takes on the wire, so that a count the
 * rest of the buffer cannot hold is refused before anything is allocated. */
#define MIN_STRING_SIZE 5 /* a length and the terminating NUL */
#define MIN_FD_SIZE 4
#define MIN_GID_SIZE 4
#define MIN_RLIMIT_SIZE 20 /* resource, soft, hard */
#define MIN_FS_OP_SIZE 72 /* kind, 4 absent strings, the numbers */
#define MIN_JOIN_SIZE 9 /* type and a path */
#define MAX_FILTER_LEN 0xffffu /* BPF_MAXINSNS is far below */
#define FIRST_CAPACITY 1024

struct wire {
	bool decoding;
	char *buf;
	size_t len, cap; /* encoding: bytes written and room; decoding: size */
	size_t off; /* decoding: bytes read */
	int error; /* encoding: an errno; decoding: EPROTO or ENOMEM */
};

static void wire_bytes(struct wire *w, void *p, size_t n)
{
	if (w->error) {
		if (w->decoding)
			memset(p, 0, n);
		return;
	}
	if (w->decoding) {
		if (n > w->len - w->off) {
			w->error = EPROTO;
			memset(p, 0, n);
			return;
		}
		memcpy(p, w->buf + w->off, n);
		w->off += n;
		return;
	}
	if (buffer_reserve(&w->buf, &w->cap, w->len + n, FIRST_CAPACITY) < 0) {
		w->error = errno;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void wire_u32(struct wire *w, uint32_t *v)
{
	wire_bytes(w, v, sizeof(*v));
}

static void wire_u64(struct wire *w, uint64_t *v)
{
	wire_bytes(w, v, sizeof(*v));
}

static void wire_int(struct wire *w, int *v)
{
	uint32_t u = (uint32_t)*v;
	wire_u32(w, &u);
	*v = (int)u;
}

static void wire_unsigned(struct wire *w, unsigned *v)
{
	uint32_t u = *v;
	wire_u32(w, &u);
	*v = u;
}

static void wire_ulong(struct wire *w, unsigned long *v)
{
	uint64_t u = *v;
	wire_u64(w, &u);
	*v = (unsigned long)u;
}

static void wire_i64(struct wire *w, int64_t *v)
{
	uint64_t u = (uint64_t)*v;
	wire_u64(w, &u);
	*v = (int64_t)u;
}

static void wire_bool(struct wire *w, bool *v)
{
	uint32_t u = *v;
	wire_u32(w, &u);
	*v = u != 0;
}

static void wire_ushort(struct wire *w, unsigned short *v)
{
	uint32_t u = *v;
	wire_u32(w, &u);
	*v = (unsigned short)u;
}

/* An enum: sent as a 32-bit number. */
#define wire_enum(w, v)                                                                            \
	do {                                                                                       \
		int as_int_ = (int)*(v);                                                           \
		wire_int((w), &as_int_);                                                           \
		*(v) = (__typeof__(*(v)))as_int_;                                                  \
	} while (0)

/* A string or NULL. Decoded strings point into the buffer. */
static void wire_str(struct wire *w, const char **s)
{
	uint32_t n = *s ? (uint32_t)strlen(*s) : NO_STRING;
	wire_u32(w, &n);
	if (!w->decoding) {
		if (*s)
			wire_bytes(w, (void *)*s, (size_t)n + 1);
		return;
	}
	*s = NULL;
	if (w->error || n == NO_STRING)
		return;
	const char *start = w->buf + w->off;
	if (n >= w->len - w->off || start[n] != '\0' || memchr(start, '\0', n) != NULL) {
		w->error = EPROTO;
		return;
	}
	*s = start;
	w->off += (size_t)n + 1;
}

/* A count of elements that take at least min_size bytes each. */
static void wire_count(struct wire *w, unsigned *n, size_t min_size)
{
	wire_unsigned(w, n);
	if (w->decoding && !w->error && *n > (w->len - w->off) / min_size) {
		w->error = EPROTO;
		*n = 0;
	}
}

/* An array's storage: allocated when decoding (n elements and a NULL
 * terminator's room), false when there is nothing to fill in. */
static bool wire_array(struct wire *w, void *array_ptr, unsigned n, size_t elem_size)
{
	void **array = array_ptr;
	if (!w->decoding)
		return n > 0;
	*array = NULL;
	if (w->error || n == 0)
		return false;
	if (!(*array = calloc((size_t)n + 1, elem_size))) {
		w->error = ENOMEM;
		return false;
	}
	return true;
}

/* A NULL-terminated vector of strings, or NULL. */
static void wire_strv(struct wire *w, char ***v)
{
	unsigned n = 0;
	bool none = !w->decoding && *v == NULL;
	while (!w->decoding && *v && (*v)[n])
		n++;
	uint32_t count = none ? NO_STRING : n;
	wire_u32(w, &count);
	if (w->decoding) {
		*v = NULL;
		if (w->error || count == NO_STRING)
			return;
		if (count > (w->len - w->off) / MIN_STRING_SIZE) {
			w->error = EPROTO;
			return;
		}
		n = count;
		if (!(*v = calloc((size_t)n + 1, sizeof(char *)))) {
			w->error = ENOMEM;
			return;
		}
	}
	for (unsigned i = 0; i < n && !w->error && !none; i++)
		wire_str(w, (const char **)&(*v)[i]);
}

static void wire_paths(struct wire *w, const char ***paths, unsigned *n)
{
	wire_count(w, n, MIN_STRING_SIZE);
	if (!wire_array(w, paths, *n, sizeof(char *))) {
		if (w->decoding)
			*n = 0;
		return;
	}
	for (unsigned i = 0; i < *n; i++)
		wire_str(w, &(*paths)[i]);
}

static void wire_id_map(struct wire *w, struct nsrun_id_map *map)
{
	wire_unsigned(w, &map->n);
	if (map->n > NSRUN_MAX_MAP_LINES) {
		w->error = EPROTO;
		map->n = 0;
	}
	wire_bytes(w, map->range, map->n * sizeof(map->range[0]));
}

/* ---- the parts of a spec ---------------------------------------------- */

static void wire_namespaces(struct wire *w, struct nsrun_spec *spec)
{
	wire_ulong(w, &spec->new_ns);
	wire_count(w, &spec->n_joins, MIN_JOIN_SIZE);
	if (spec->n_joins > NSRUN_MAX_JOINS) {
		w->error = EPROTO;
		spec->n_joins = 0;
	}
	for (unsigned i = 0; i < spec->n_joins; i++) {
		wire_int(w, &spec->joins[i].type);
		wire_str(w, &spec->joins[i].path);
	}
	wire_enum(w, &spec->id_source);
	wire_id_map(w, &spec->uid_map);
	wire_id_map(w, &spec->gid_map);
	wire_enum(w, &spec->setgroups);
}

static void wire_fs_op(struct wire *w, struct nsrun_fs_op *op)
{
	wire_enum(w, &op->kind);
	wire_str(w, &op->src);
	wire_str(w, &op->dest);
	wire_bool(w, &op->optional);
	wire_int(w, &op->mode);
	wire_u64(w, &op->size);
	wire_str(w, &op->fstype);
	wire_str(w, &op->data);
	wire_ulong(w, &op->flags);
	wire_ulong(w, &op->propagation);
	uint32_t type = (unsigned char)op->dev_type;
	wire_u32(w, &type);
	op->dev_type = (char)type;
	wire_u32(w, &op->major);
	wire_u32(w, &op->minor);
	wire_u32(w, &op->uid);
	wire_u32(w, &op->gid);
}

static void wire_filesystem(struct wire *w, struct nsrun_spec *spec)
{
	wire_bool(w, &spec->mount_proc);
	wire_str(w, &spec->rootfs);
	wire_bool(w, &spec->no_pivot);
	wire_enum(w, &spec->propagation);
	wire_count(w, &spec->n_fs_ops, MIN_FS_OP_SIZE);
	if (wire_array(w, &spec->fs_ops, spec->n_fs_ops, sizeof(*spec->fs_ops)))
		for (unsigned i = 0; i < spec->n_fs_ops; i++)
			wire_fs_op(w, &spec->fs_ops[i]);
	else if (w->decoding)
		spec->n_fs_ops = 0;
	wire_paths(w, &spec->masked_paths, &spec->n_masked_paths);
	wire_paths(w, &spec->readonly_paths, &spec->n_readonly_paths);
	wire_bool(w, &spec->root_readonly);
}

static void wire_process(struct wire *w, struct nsrun_spec *spec)
{
	wire_strv(w, &spec->argv);
	wire_bool(w, &spec->force_child);
	wire_int(w, &spec->verbose);
	wire_int(w, &spec->block_fd);
	wire_count(w, &spec->n_keep_fds, MIN_FD_SIZE);
	if (wire_array(w, &spec->keep_fds, spec->n_keep_fds, sizeof(int)))
		for (unsigned i = 0; i < spec->n_keep_fds; i++)
			wire_int(w, &spec->keep_fds[i]);
	else if (w->decoding)
		spec->n_keep_fds = 0;
	wire_str(w, &spec->hostname);
	wire_str(w, &spec->domainname);
	wire_str(w, &spec->chdir);
	wire_strv(w, &spec->env);
	wire_str(w, &spec->as_user);
	wire_int(w, &spec->umask);
	wire_bool(w, &spec->init);
	wire_bool(w, &spec->init_group);
	wire_bool(w, &spec->die_with_parent);
	wire_bool(w, &spec->new_session);
	wire_bool(w, &spec->delegate_cgroup);
	wire_int(w, &spec->json_status_fd);
	wire_bool(w, &spec->oom_score_adj_set);
	wire_int(w, &spec->oom_score_adj);
}

static void wire_identity(struct wire *w, struct nsrun_spec *spec)
{
	wire_bool(w, &spec->user_ids_set);
	wire_u32(w, &spec->uid);
	wire_u32(w, &spec->gid);
	wire_count(w, &spec->n_additional_gids, MIN_GID_SIZE);
	if (wire_array(w, &spec->additional_gids, spec->n_additional_gids, sizeof(uint32_t)))
		for (unsigned i = 0; i < spec->n_additional_gids; i++)
			wire_u32(w, &spec->additional_gids[i]);
	else if (w->decoding)
		spec->n_additional_gids = 0;
	struct nsrun_caps *caps = &spec->caps;
	wire_bool(w, &caps->set);
	wire_u64(w, &caps->bounding);
	wire_u64(w, &caps->effective);
	wire_u64(w, &caps->permitted);
	wire_u64(w, &caps->inheritable);
	wire_u64(w, &caps->ambient);
	wire_bool(w, &spec->no_new_privs);
}

static void wire_cgroup(struct wire *w, struct nsrun_spec *spec)
{
	struct nsrun_cgroup_limits *l = &spec->cgroup;
	wire_str(w, &spec->cgroup_path);
	wire_i64(w, &l->memory);
	wire_i64(w, &l->memory_swap);
	wire_i64(w, &l->pids);
	wire_u64(w, &l->cpu_quota);
	wire_u64(w, &l->cpu_period);
	wire_u64(w, &l->cpu_weight);
	wire_str(w, &l->device_rules);
	wire_i64(w, &l->memory_reservation);
	wire_int(w, &l->swappiness);
	wire_bool(w, &l->disable_oom_killer);
	wire_u64(w, &l->cpu_burst);
	wire_bool(w, &l->cpu_idle);
	wire_i64(w, &l->cpu_rt_runtime);
	wire_u64(w, &l->cpu_rt_period);
	wire_str(w, &l->cpuset_cpus);
	wire_str(w, &l->cpuset_mems);
	uint32_t weights[2] = { l->io_weight, l->io_leaf_weight };
	wire_u32(w, &weights[0]);
	wire_u32(w, &weights[1]);
	l->io_weight = (uint16_t)weights[0];
	l->io_leaf_weight = (uint16_t)weights[1];
	const char **lists[] = {
		&l->io_weight_devices, &l->io_leaf_weight_devices, &l->io_read_bps,
		&l->io_write_bps,      &l->io_read_iops,	   &l->io_write_iops,
		&l->hugepage_limits,   &l->net_priorities,	   &l->unified
	};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		wire_str(w, lists[i]);
	wire_u32(w, &l->net_classid);
	wire_u64(w, &l->cpu_shares);
	wire_i64(w, &l->memory_kernel_tcp);
}

/* The stage gets the compiled program only (seccomp_compile ran). */
static void wire_seccomp(struct wire *w, struct nsrun_spec *spec)
{
	const struct nsrun_seccomp *sc = spec->seccomp;
	uint32_t len = sc && sc->prog ? sc->prog_len : 0, flags = sc ? sc->flags : 0;
	wire_u32(w, &len);
	if (len == 0)
		return;
	wire_u32(w, &flags);
	size_t bytes = (size_t)len * sizeof(struct sock_filter);
	if (!w->decoding) {
		if (sc)
			wire_bytes(w, sc->prog, bytes);
		return;
	}
	if (w->error || len > MAX_FILTER_LEN || bytes > w->len - w->off) {
		w->error = EPROTO;
		return;
	}
	spec->seccomp =
		seccomp_from_program((const struct sock_filter *)(w->buf + w->off), len, flags);
	if (!spec->seccomp)
		w->error = ENOMEM;
	w->off += bytes;
}

static void wire_limits(struct wire *w, struct nsrun_spec *spec)
{
	wire_count(w, &spec->n_rlimits, MIN_RLIMIT_SIZE);
	if (wire_array(w, &spec->rlimits, spec->n_rlimits, sizeof(*spec->rlimits))) {
		for (unsigned i = 0; i < spec->n_rlimits; i++) {
			wire_int(w, &spec->rlimits[i].resource);
			wire_u64(w, &spec->rlimits[i].soft);
			wire_u64(w, &spec->rlimits[i].hard);
		}
	} else if (w->decoding) {
		spec->n_rlimits = 0;
	}
	wire_paths(w, &spec->sysctl, &spec->n_sysctl);
	wire_cgroup(w, spec);
	wire_seccomp(w, spec);
}

static void wire_container_fields(struct wire *w, struct nsrun_container *c)
{
	wire_bool(w, &c->park);
	wire_int(w, &c->exec_fifo_fd);
	wire_bool(w, &c->report_errors);
	wire_bool(w, &c->make_cwd);
	wire_bool(w, &c->default_devices);
	wire_bool(w, &c->terminal);
	wire_int(w, &c->console_socket_fd);
	wire_ushort(w, &c->console_rows);
	wire_ushort(w, &c->console_cols);
	wire_str(w, &c->hooks);
	wire_str(w, &c->hooks_state);
	wire_str(w, &c->apparmor_profile);
	/* The stage never joins cgroups itself: the launcher did. */
}

static void wire_container(struct wire *w, struct nsrun_spec *spec)
{
	bool present = spec->container != NULL;
	wire_bool(w, &present);
	if (!present)
		return;
	if (!w->decoding) {
		if (spec->container)
			wire_container_fields(w, (struct nsrun_container *)spec->container);
		return;
	}
	struct nsrun_container *c = calloc(1, sizeof(*c));
	if (!c) {
		w->error = ENOMEM;
		return;
	}
	container_init(c);
	spec->container = c;
	wire_container_fields(w, c);
}

static void wire_spec(struct wire *w, struct nsrun_spec *spec)
{
	uint32_t magic = WIRE_MAGIC;
	wire_u32(w, &magic);
	if (magic != WIRE_MAGIC)
		w->error = EPROTO;
	wire_namespaces(w, spec);
	wire_filesystem(w, spec);
	wire_process(w, spec);
	wire_identity(w, spec);
	wire_limits(w, spec);
	wire_container(w, spec);
}

int spec_encode(const struct nsrun_spec *spec, char **buf, size_t *len, struct nsrun_error *err)
{
	struct wire w = { .decoding = false };
	/* Encoding only reads the spec. */
	wire_spec(&w, (struct nsrun_spec *)spec);
	if (w.error) {
		free(w.buf);
		return nsrun_fail(err, w.error, "encode the spec");
	}
	*buf = w.buf;
	*len = w.len;
	return 0;
}

void spec_decoded_release(struct nsrun_spec *spec)
{
	/* The strings live in the decoded buffer; only the arrays are ours. */
	free(spec->argv);
	free(spec->env);
	free(spec->keep_fds);
	free(spec->fs_ops);
	free(spec->rlimits);
	free(spec->masked_paths);
	free(spec->readonly_paths);
	free(spec->sysctl);
	free(spec->additional_gids);
	free((struct nsrun_container *)spec->container);
	nsrun_seccomp_free(spec->seccomp);
	struct nsrun_spec empty;
	nsrun_spec_init(&empty);
	*spec = empty;
}

int spec_decode(char *buf, size_t len, struct nsrun_spec *spec, struct nsrun_error *err)
{
	struct wire w = { .decoding = true, .buf = buf, .len = len };
	nsrun_spec_init(spec);
	wire_spec(&w, spec);
	if (!w.error && (spec->argv == NULL || w.off != w.len))
		w.error = EPROTO;
	if (w.error) {
		spec_decoded_release(spec);
		return nsrun_fail(err, w.error, "decode the spec");
	}
	return 0;
}
