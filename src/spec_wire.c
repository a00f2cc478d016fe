/* Spec encoding for the launcher -> init stage hand-over. See spec_wire.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec_wire.h"

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
	uint32_t argc = 0;
	while (spec->argv && spec->argv[argc])
		argc++;
	put_u32(&w, argc);
	for (uint32_t i = 0; i < argc; i++)
		put_str(&w, spec->argv[i]);
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
	free(spec->argv);
	spec->argv = NULL;
	nsrun_spec_release(spec);
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
	uint32_t argc = get_u32(&r);
	if (!r.bad && argc > (r.len - r.off) / sizeof(uint32_t))
		r.bad = 1;
	if (!r.bad) {
		spec->argv = calloc((size_t)argc + 1, sizeof(char *));
		if (!spec->argv) {
			spec_decoded_release(spec);
			return nsrun_fail(err, errno, "decode the spec");
		}
		for (uint32_t i = 0; i < argc && !r.bad; i++)
			spec->argv[i] = get_str(&r);
	}
	if (r.bad || r.off != r.len) {
		spec_decoded_release(spec);
		return nsrun_fail(err, EPROTO, "decode the spec");
	}
	return 0;
}
