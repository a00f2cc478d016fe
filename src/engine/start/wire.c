/* Spec encoding for the launcher -> init stage hand-over. See spec_wire.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/start/wire.h"
#include "engine/limits/seccomp.h"

#define WIRE_MAGIC 0x4e535231u /* "NSR1" */

struct writer {
	char *buf;
	size_t len, cap;
	int failed;
};

static void put(struct writer *w, const void *data, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 1024;
		while (cap < w->len + n)
			cap *= 2;
		char *nb = realloc(w->buf, cap);
		if (!nb) {
			w->failed = errno;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}

static void put_u32(struct writer *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void put_str(struct writer *w, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	put_u32(w, n);
	put(w, s, n + 1);
}

#define NO_STRING 0xffffffffu

static void put_opt_str(struct writer *w, const char *s)
{
	if (s == NULL)
		put_u32(w, NO_STRING);
	else
		put_str(w, s);
}

static void put_u64(struct writer *w, uint64_t v)
{
	put(w, &v, sizeof(v));
}

static void put_strv(struct writer *w, char *const *v)
{
	uint32_t n = 0;
	if (v == NULL) {
		put_u32(w, NO_STRING);
		return;
	}
	while (v[n])
		n++;
	put_u32(w, n);
	for (uint32_t i = 0; i < n; i++)
		put_str(w, v[i]);
}

static void put_paths(struct writer *w, const char *const *paths, unsigned n)
{
	put_u32(w, n);
	for (unsigned i = 0; i < n; i++)
		put_str(w, paths[i]);
}

static void put_map(struct writer *w, const struct nsrun_id_map *map)
{
	put_u32(w, map->n);
	put(w, map->range, map->n * sizeof(map->range[0]));
}

int spec_encode(const struct nsrun_spec *spec, char **buf, size_t *len,
		struct nsrun_error *err)
{
	struct writer w = { 0 };
	put_u32(&w, WIRE_MAGIC);
	put_u32(&w, (uint32_t)spec->new_ns);
	put_u32(&w, spec->n_joins);
	for (unsigned i = 0; i < spec->n_joins; i++) {
		put_u32(&w, (uint32_t)spec->joins[i].type);
		put_str(&w, spec->joins[i].path);
	}
	put_u32(&w, (uint32_t)spec->id_source);
	put_map(&w, &spec->uid_map);
	put_map(&w, &spec->gid_map);
	put_u32(&w, (uint32_t)spec->setgroups);
	put_u32(&w, spec->mount_proc);
	put_u32(&w, spec->force_child);
	put_u32(&w, (uint32_t)spec->verbose);
	put_u32(&w, (uint32_t)spec->block_fd);
	put_u32(&w, spec->n_keep_fds);
	for (unsigned i = 0; i < spec->n_keep_fds; i++)
		put_u32(&w, (uint32_t)spec->keep_fds[i]);
	put_opt_str(&w, spec->rootfs);
	put_u32(&w, spec->no_pivot);
	put_u32(&w, (uint32_t)spec->propagation);
	put_u32(&w, spec->n_fs_ops);
	for (unsigned i = 0; i < spec->n_fs_ops; i++) {
		const struct nsrun_fs_op *op = &spec->fs_ops[i];
		put_u32(&w, (uint32_t)op->kind);
		put_opt_str(&w, op->src);
		put_opt_str(&w, op->dest);
		put_u32(&w, op->optional);
		put_u32(&w, (uint32_t)op->mode);
		put_u64(&w, op->size);
		put_opt_str(&w, op->fstype);
		put_opt_str(&w, op->data);
		put_u64(&w, op->flags);
		put_u64(&w, op->propagation);
		put_u32(&w, (uint32_t)(unsigned char)op->dev_type);
		put_u32(&w, op->major);
		put_u32(&w, op->minor);
		put_u32(&w, op->uid);
		put_u32(&w, op->gid);
	}
	put_opt_str(&w, spec->hostname);
	put_opt_str(&w, spec->domainname);
	put_opt_str(&w, spec->chdir);
	put_strv(&w, spec->env);
	put_opt_str(&w, spec->as_user);
	put_u32(&w, (uint32_t)spec->umask);
	put_u32(&w, spec->init);
	put_u32(&w, spec->init_group);
	put_u32(&w, spec->die_with_parent);
	put_u32(&w, (uint32_t)spec->json_status_fd);
	put_u32(&w, spec->caps.set);
	put_u64(&w, spec->caps.bounding);
	put_u64(&w, spec->caps.effective);
	put_u64(&w, spec->caps.permitted);
	put_u64(&w, spec->caps.inheritable);
	put_u64(&w, spec->caps.ambient);
	put_u32(&w, spec->no_new_privs);
	put_u32(&w, spec->n_rlimits);
	for (unsigned i = 0; i < spec->n_rlimits; i++) {
		put_u32(&w, (uint32_t)spec->rlimits[i].resource);
		put_u64(&w, spec->rlimits[i].soft);
		put_u64(&w, spec->rlimits[i].hard);
	}
	put_paths(&w, spec->masked_paths, spec->n_masked_paths);
	put_paths(&w, spec->readonly_paths, spec->n_readonly_paths);
	put_u64(&w, (uint64_t)spec->cgroup.memory);
	put_u64(&w, (uint64_t)spec->cgroup.memory_swap);
	put_u64(&w, (uint64_t)spec->cgroup.pids);
	put_u64(&w, spec->cgroup.cpu_quota);
	put_u64(&w, spec->cgroup.cpu_period);
	put_u64(&w, spec->cgroup.cpu_weight);
	put_opt_str(&w, spec->cgroup.device_rules);
	/* The init stage gets the compiled program only (seccomp_compile ran). */
	const struct nsrun_seccomp *sc = spec->seccomp;
	put_u32(&w, sc && sc->prog ? sc->prog_len : 0);
	if (sc && sc->prog) {
		put_u32(&w, sc->flags);
		put(&w, sc->prog, sc->prog_len * sizeof(sc->prog[0]));
	}
	put_u32(&w, spec->oci_devices);
	put_u32(&w, spec->root_readonly);
	put_paths(&w, spec->sysctl, spec->n_sysctl);
	put_u32(&w, spec->oom_score_adj_set);
	put_u32(&w, (uint32_t)spec->oom_score_adj);
	put_u32(&w, spec->user_ids_set);
	put_u32(&w, spec->uid);
	put_u32(&w, spec->gid);
	put_u32(&w, spec->n_additional_gids);
	for (unsigned i = 0; i < spec->n_additional_gids; i++)
		put_u32(&w, spec->additional_gids[i]);
	put_opt_str(&w, spec->cgroup_path);
	put_u32(&w, spec->terminal);
	put_u32(&w, (uint32_t)spec->console_socket_fd);
	put_u32(&w, spec->console_rows);
	put_u32(&w, spec->console_cols);
	put_u32(&w, spec->park);
	put_u32(&w, (uint32_t)spec->exec_fifo_fd);
	put_u32(&w, spec->report_errors);
	put_u32(&w, spec->make_cwd);
	put_opt_str(&w, spec->oci_hooks);
	put_opt_str(&w, spec->oci_state);
	put_strv(&w, spec->argv);
	if (w.failed) {
		free(w.buf);
		return nsrun_fail(err, w.failed, "encode the spec");
	}
	*buf = w.buf;
	*len = w.len;
	return 0;
}

struct reader {
	char *buf;
	size_t len, off;
	int bad;
};

static void get(struct reader *r, void *out, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->buf + r->off, n);
	r->off += n;
}

static uint32_t get_u32(struct reader *r)
{
	uint32_t v;
	get(r, &v, sizeof(v));
	return v;
}

static char *get_str(struct reader *r)
{
	uint32_t n = get_u32(r);
	if (r->bad || n >= r->len - r->off || r->buf[r->off + n] != '\0' ||
	    memchr(r->buf + r->off, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	char *s = r->buf + r->off;
	r->off += (size_t)n + 1;
	return s;
}

static uint64_t get_u64(struct reader *r)
{
	uint64_t v;
	get(r, &v, sizeof(v));
	return v;
}

static char *get_opt_str(struct reader *r)
{
	if (r->bad || r->len - r->off < sizeof(uint32_t))
		return get_str(r);
	uint32_t n;
	memcpy(&n, r->buf + r->off, sizeof(n));
	if (n == NO_STRING) {
		r->off += sizeof(n);
		return NULL;
	}
	return get_str(r);
}

/* A NULL-terminated array of strings in buf; *out stays NULL for "none". */
static void get_strv(struct reader *r, char ***out)
{
	*out = NULL;
	uint32_t n = get_u32(r);
	if (r->bad || n == NO_STRING)
		return;
	/* every string takes at least 5 bytes: refuse counts the buffer cannot hold */
	if (n > (r->len - r->off) / 5) {
		r->bad = 1;
		return;
	}
	char **v = calloc((size_t)n + 1, sizeof(char *));
	if (!v) {
		r->bad = 1;
		return;
	}
	for (uint32_t i = 0; i < n && !r->bad; i++)
		v[i] = get_str(r);
	*out = v;
}

/* A count and that many strings, into a calloc'd array of pointers into buf. */
static void get_paths(struct reader *r, const char ***out, unsigned *n)
{
	*out = NULL;
	*n = 0;
	uint32_t count = get_u32(r);
	if (r->bad || count == 0)
		return;
	if (count > (r->len - r->off) / 5) {
		r->bad = 1;
		return;
	}
	const char **v = calloc(count, sizeof(char *));
	if (!v) {
		r->bad = 1;
		return;
	}
	*out = v;
	*n = count;
	for (uint32_t i = 0; i < count && !r->bad; i++)
		v[i] = get_str(r);
}

static void get_map(struct reader *r, struct nsrun_id_map *map)
{
	map->n = get_u32(r);
	if (map->n > NSRUN_MAX_MAP_LINES) {
		r->bad = 1;
		map->n = 0;
		return;
	}
	get(r, map->range, map->n * sizeof(map->range[0]));
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
	spec->sysctl = NULL;
	spec->additional_gids = NULL;
	spec->n_sysctl = spec->n_additional_gids = 0;
	nsrun_seccomp_free(spec->seccomp);
	spec->argv = spec->env = NULL;
	spec->keep_fds = NULL;
	spec->fs_ops = NULL;
	spec->rlimits = NULL;
	spec->masked_paths = spec->readonly_paths = NULL;
	spec->seccomp = NULL;
	spec->n_keep_fds = spec->n_fs_ops = spec->n_rlimits = 0;
	spec->n_masked_paths = spec->n_readonly_paths = 0;
}

int spec_decode(char *buf, size_t len, struct nsrun_spec *spec,
		struct nsrun_error *err)
{
	struct reader r = { buf, len, 0, 0 };
	nsrun_spec_init(spec);
	if (get_u32(&r) != WIRE_MAGIC)
		return nsrun_fail(err, EPROTO, "decode the spec");
	spec->new_ns = get_u32(&r);
	spec->n_joins = get_u32(&r);
	if (spec->n_joins > NSRUN_MAX_JOINS)
		r.bad = 1;
	for (unsigned i = 0; i < spec->n_joins && !r.bad; i++) {
		spec->joins[i].type = (int)get_u32(&r);
		spec->joins[i].path = get_str(&r);
	}
	spec->id_source = (enum nsrun_id_source)get_u32(&r);
	get_map(&r, &spec->uid_map);
	get_map(&r, &spec->gid_map);
	spec->setgroups = (enum nsrun_setgroups)get_u32(&r);
	spec->mount_proc = get_u32(&r) != 0;
	spec->force_child = get_u32(&r) != 0;
	spec->verbose = (int)get_u32(&r);
	spec->block_fd = (int)get_u32(&r);
	uint32_t nkeep = get_u32(&r);
	if (!r.bad && nkeep > (r.len - r.off) / sizeof(uint32_t))
		r.bad = 1;
	if (!r.bad && nkeep > 0) {
		spec->keep_fds = calloc(nkeep, sizeof(int));
		if (!spec->keep_fds)
			return nsrun_fail(err, errno, "decode the spec");
		spec->n_keep_fds = nkeep;
		for (uint32_t i = 0; i < nkeep; i++)
			spec->keep_fds[i] = (int)get_u32(&r);
	}
	spec->rootfs = get_opt_str(&r);
	spec->no_pivot = get_u32(&r) != 0;
	spec->propagation = (enum nsrun_propagation)get_u32(&r);
	uint32_t nops = get_u32(&r);
	if (!r.bad && nops > (r.len - r.off) / 65)
		r.bad = 1;
	if (!r.bad && nops > 0) {
		spec->fs_ops = calloc(nops, sizeof(*spec->fs_ops));
		if (!spec->fs_ops)
			r.bad = 1;
		else
			spec->n_fs_ops = nops;
	}
	for (uint32_t i = 0; i < spec->n_fs_ops && !r.bad; i++) {
		struct nsrun_fs_op *op = &spec->fs_ops[i];
		op->kind = (enum nsrun_fs_kind)get_u32(&r);
		op->src = get_opt_str(&r);
		op->dest = get_opt_str(&r);
		op->optional = get_u32(&r) != 0;
		op->mode = (int)get_u32(&r);
		op->size = get_u64(&r);
		op->fstype = get_opt_str(&r);
		op->data = get_opt_str(&r);
		op->flags = (unsigned long)get_u64(&r);
		op->propagation = (unsigned long)get_u64(&r);
		op->dev_type = (char)get_u32(&r);
		op->major = get_u32(&r);
		op->minor = get_u32(&r);
		op->uid = get_u32(&r);
		op->gid = get_u32(&r);
	}
	spec->hostname = get_opt_str(&r);
	spec->domainname = get_opt_str(&r);
	spec->chdir = get_opt_str(&r);
	get_strv(&r, &spec->env);
	spec->as_user = get_opt_str(&r);
	spec->umask = (int)get_u32(&r);
	spec->init = get_u32(&r) != 0;
	spec->init_group = get_u32(&r) != 0;
	spec->die_with_parent = get_u32(&r) != 0;
	spec->json_status_fd = (int)get_u32(&r);
	spec->caps.set = get_u32(&r) != 0;
	spec->caps.bounding = get_u64(&r);
	spec->caps.effective = get_u64(&r);
	spec->caps.permitted = get_u64(&r);
	spec->caps.inheritable = get_u64(&r);
	spec->caps.ambient = get_u64(&r);
	spec->no_new_privs = get_u32(&r) != 0;
	uint32_t nrl = get_u32(&r);
	if (!r.bad && nrl > (r.len - r.off) / 20)
		r.bad = 1;
	if (!r.bad && nrl > 0) {
		spec->rlimits = calloc(nrl, sizeof(*spec->rlimits));
		if (!spec->rlimits)
			r.bad = 1;
		else
			spec->n_rlimits = nrl;
	}
	for (uint32_t i = 0; i < spec->n_rlimits && !r.bad; i++) {
		spec->rlimits[i].resource = (int)get_u32(&r);
		spec->rlimits[i].soft = get_u64(&r);
		spec->rlimits[i].hard = get_u64(&r);
	}
	get_paths(&r, &spec->masked_paths, &spec->n_masked_paths);
	get_paths(&r, &spec->readonly_paths, &spec->n_readonly_paths);
	spec->cgroup.memory = (int64_t)get_u64(&r);
	spec->cgroup.memory_swap = (int64_t)get_u64(&r);
	spec->cgroup.pids = (int64_t)get_u64(&r);
	spec->cgroup.cpu_quota = get_u64(&r);
	spec->cgroup.cpu_period = get_u64(&r);
	spec->cgroup.cpu_weight = get_u64(&r);
	spec->cgroup.device_rules = get_opt_str(&r);
	uint32_t prog_len = get_u32(&r);
	if (!r.bad && prog_len > 0) {
		uint32_t flags = get_u32(&r);
		size_t bytes = (size_t)prog_len * sizeof(struct sock_filter);
		if (!r.bad && prog_len <= 0xffff && bytes <= r.len - r.off)
			spec->seccomp = seccomp_from_program(
				(const struct sock_filter *)(r.buf + r.off), prog_len, flags);
		if (spec->seccomp)
			r.off += bytes;
		else
			r.bad = 1;
	}
	spec->oci_devices = get_u32(&r) != 0;
	spec->root_readonly = get_u32(&r) != 0;
	get_paths(&r, &spec->sysctl, &spec->n_sysctl);
	spec->oom_score_adj_set = get_u32(&r) != 0;
	spec->oom_score_adj = (int)get_u32(&r);
	spec->user_ids_set = get_u32(&r) != 0;
	spec->uid = get_u32(&r);
	spec->gid = get_u32(&r);
	uint32_t ngids = get_u32(&r);
	if (!r.bad && ngids > (r.len - r.off) / 4)
		r.bad = 1;
	if (!r.bad && ngids > 0) {
		spec->additional_gids = calloc(ngids, sizeof(uint32_t));
		if (!spec->additional_gids)
			r.bad = 1;
		else
			spec->n_additional_gids = ngids;
	}
	for (uint32_t i = 0; i < spec->n_additional_gids && !r.bad; i++)
		spec->additional_gids[i] = get_u32(&r);
	spec->cgroup_path = get_opt_str(&r);
	spec->terminal = get_u32(&r) != 0;
	spec->console_socket_fd = (int)get_u32(&r);
	spec->console_rows = (unsigned short)get_u32(&r);
	spec->console_cols = (unsigned short)get_u32(&r);
	spec->park = get_u32(&r) != 0;
	spec->exec_fifo_fd = (int)get_u32(&r);
	spec->report_errors = get_u32(&r) != 0;
	spec->make_cwd = get_u32(&r) != 0;
	spec->oci_hooks = get_opt_str(&r);
	spec->oci_state = get_opt_str(&r);
	get_strv(&r, &spec->argv);
	if (!r.bad && spec->argv == NULL)
		r.bad = 1;
	if (r.bad || r.off != r.len) {
		spec_decoded_release(spec);
		return nsrun_fail(err, EPROTO, "decode the spec");
	}
	return 0;
}
