/* SPDX-License-Identifier: Apache-2.0 */
/* A container's exec context. See exec_context.h.
 *
 * The file: a header (struct head), the seccomp program, then a JSON
 * object of config.json's shape holding ociVersion, root and process. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/limits/seccomp.h"
#include "oci/exec_context.h"
#include "oci/json.h"
#include "util/cleanup.h"
#include "util/file.h"

#define MAGIC "NSRUNEXC"
#define CONTEXT_VERSION 1

/* 24 bytes: the program after it is aligned as read into a malloc'd
 * buffer. */
struct head {
	char magic[8];
	uint32_t version; /* CONTEXT_VERSION */
	uint32_t seccomp_flags;
	uint32_t prog_len; /* instructions; 0: no filter */
	uint32_t json_len;
};

/* Far above a process object and a BPF_MAXINSNS program. */
#define MAX_FILE (8u << 20)

static json_t *context_json(const struct oci_config *cfg)
{
	json_t *o = json_object();
	json_t *root = json_object();
	if (!o || !root ||
	    json_object_set_new(o, "ociVersion", json_string(cfg->oci_version)) < 0 ||
	    json_object_set_new(root, "path", json_string(cfg->rootfs)) < 0 ||
	    json_object_set_new(o, "root", root) < 0 ||
	    json_object_set(o, "process", json_object_get(cfg->json, "process")) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int exec_context_save(const struct stored_container *ct, struct oci_config *cfg,
		      struct nsrun_error *err)
{
	struct nsrun_seccomp *sc = cfg->spec.seccomp;
	if (sc && !sc->prog && seccomp_compile(sc, err) < 0)
		return -1;
	cleanup_json json_t *o = context_json(cfg);
	cleanup_free char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!text)
		return nsrun_fail(err, ENOMEM, EXEC_CONTEXT_FILE);
	struct head h = { .magic = MAGIC,
			  .version = CONTEXT_VERSION,
			  .json_len = (uint32_t)strlen(text) };
	size_t prog_bytes = 0;
	if (sc) {
		h.seccomp_flags = sc->flags;
		h.prog_len = sc->prog_len;
		prog_bytes = (size_t)sc->prog_len * sizeof(*sc->prog);
	}
	size_t len = sizeof(h) + prog_bytes + h.json_len;
	cleanup_free char *data = malloc(len);
	if (!data)
		return nsrun_fail(err, errno, EXEC_CONTEXT_FILE);
	memcpy(data, &h, sizeof(h));
	if (prog_bytes)
		memcpy(data + sizeof(h), sc->prog, prog_bytes);
	memcpy(data + sizeof(h) + prog_bytes, text, h.json_len);
	char path[PATH_MAX];
	store_path(ct, EXEC_CONTEXT_FILE, path);
	return store_write_atomic(path, data, len, err);
}

/* Read the header of text into h: whether it is one nsrun wrote, and
 * what it announces fills the text exactly. */
static bool read_head(const char *text, size_t len, struct head *h)
{
	if (len < sizeof(*h))
		return false;
	memcpy(h, text, sizeof(*h));
	return memcmp(h->magic, MAGIC, sizeof(h->magic)) == 0 && h->version == CONTEXT_VERSION &&
	       h->prog_len <= BPF_MAXINSNS &&
	       len == sizeof(*h) + (size_t)h->prog_len * sizeof(struct sock_filter) + h->json_len;
}

int exec_context_load(const struct stored_container *ct, struct oci_config *cfg,
		      struct nsrun_error *err)
{
	char path[PATH_MAX];
	store_path(ct, EXEC_CONTEXT_FILE, path);
	cleanup_free char *text = NULL;
	size_t len;
	if (file_read_all(path, MAX_FILE, true, &text, &len) < 0)
		return nsrun_fail(err, errno, "exec: %s", path);
	if (!text)
		return 0;
	struct head h;
	if (!read_head(text, len, &h))
		return nsrun_fail(err, 0, "exec: %s: not an exec context of this nsrun", path);
	size_t prog_bytes = (size_t)h.prog_len * sizeof(struct sock_filter);
	json_error_t jerr;
	json_t *json = json_loadb(text + sizeof(h) + prog_bytes, h.json_len, 0, &jerr);
	if (!json || !json_is_object(json)) {
		json_decref(json);
		return nsrun_fail(err, 0, "exec: %s: not an exec context of this nsrun", path);
	}
	if (oci_config_load_json(ct->bundle, json, cfg, err) < 0)
		return -1;
	if (h.prog_len == 0)
		return 1;
	_Static_assert(sizeof(struct head) % _Alignof(struct sock_filter) == 0,
		       "the program follows the header aligned");
	const struct sock_filter *prog = (const struct sock_filter *)(void *)(text + sizeof(h));
	cfg->spec.seccomp = seccomp_from_program(prog, h.prog_len, h.seccomp_flags);
	if (!cfg->spec.seccomp)
		return nsrun_fail(err, ENOMEM, "exec: %s", path);
	return 1;
}
