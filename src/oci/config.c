/* SPDX-License-Identifier: Apache-2.0 */
/* config.json -> struct nsrun_spec: loading, the top level, and what the
 * parts share. See config.h and config_parse.h. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/config_parse.h"
#include "oci/hooks.h"
#include "oci/json.h"
#include "util/cleanup.h"
#include "util/file.h"

int config_refuse(struct nsrun_error *err, const char *field, const char *why)
{
	return nsrun_fail(err, 0, "config.json: %s: %s", field, why);
}

char *config_keep(struct oci_config *cfg, char *s, struct nsrun_error *err)
{
	char **grown = s ? realloc(cfg->allocated, (cfg->n_allocated + 1) * sizeof(char *)) : NULL;
	if (!grown) {
		nsrun_fail(err, errno, "config.json");
		free(s);
		return NULL;
	}
	cfg->allocated = grown;
	cfg->allocated[cfg->n_allocated++] = s;
	return s;
}

bool config_is_set(json_t *v)
{
	return v && !json_is_null(v);
}

int config_refuse_unsupported(json_t *obj, const char *prefix, const char *const *keys,
			      struct nsrun_error *err)
{
	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(obj, keys[i]);
		if (!config_is_set(v) || (json_is_string(v) && json_string_length(v) == 0) ||
		    (json_is_array(v) && json_array_size(v) == 0) ||
		    (json_is_object(v) && json_object_size(v) == 0))
			continue;
		char field[96];
		(void)snprintf(field, sizeof(field), "%s.%s", prefix, keys[i]);
		return config_refuse(err, field, "not supported by nsrun");
	}
	return 0;
}

int config_selinux_label(json_t *obj, const char *key, const char *field, struct nsrun_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!config_is_set(v))
		return 0;
	if (!json_is_string(v))
		return config_refuse(err, field, "expected a string");
	/* selinuxfs is mounted where SELinux is on; elsewhere a label has no
	 * meaning, and runc and crun ignore it too. */
	if (json_string_length(v) == 0 || access("/sys/fs/selinux/enforce", F_OK) != 0)
		return 0;
	return config_refuse(err, field, "SELinux labels are not supported by nsrun");
}

int config_get_u32(json_t *obj, const char *key, const char *field, uint32_t *out, bool required,
		   struct nsrun_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!config_is_set(v)) {
		if (required)
			return config_refuse(err, field, "missing");
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
		return config_refuse(err, field, "expected a number from 0 to 4294967295");
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

/* root: the root filesystem, made absolute (a relative path is the
 * bundle's). */
static int parse_root(struct oci_config *cfg, const char *bundle, json_t *root,
		      struct nsrun_error *err)
{
	const char *rpath = json_string_value(json_object_get(root, "path"));
	if (!rpath)
		return config_refuse(err, "root.path", "missing");
	char *abs = NULL;
	if (rpath[0] == '/' ? !(abs = strdup(rpath)) : asprintf(&abs, "%s/%s", bundle, rpath) < 0)
		return nsrun_fail(err, errno, "config.json");
	if (!(cfg->rootfs = config_keep(cfg, abs, err)))
		return -1;
	cfg->spec.rootfs = cfg->rootfs;
	cfg->spec.root_readonly = json_is_true(json_object_get(root, "readonly"));
	return 0;
}

/* The fields of the top level that are not objects of their own. */
static int parse_top_level(struct oci_config *cfg, const char *bundle, struct nsrun_error *err)
{
	json_t *top = cfg->json;
	cfg->oci_version = json_string_value(json_object_get(top, "ociVersion"));
	if (!cfg->oci_version || strncmp(cfg->oci_version, "1.", 2) != 0)
		return config_refuse(err, "ociVersion", "expected a 1.x version");
	if (parse_root(cfg, bundle, json_object_get(top, "root"), err) < 0)
		return -1;
	cfg->container.default_devices = true;
	cfg->annotations = json_object_get(top, "annotations");
	cfg->spec.hostname = json_string_value(json_object_get(top, "hostname"));
	cfg->spec.domainname = json_string_value(json_object_get(top, "domainname"));
	cfg->hooks = json_object_get(top, "hooks");
	return oci_hooks_check(cfg->hooks, err);
}

/* Without a new mount namespace the container is in the caller's, or in
 * one it joins as it is: as runc and crun do without one, its root is
 * entered by chroot and nothing is mounted, hidden or made read-only,
 * since each would change a namespace others use. */
static void drop_mounts(struct oci_config *cfg)
{
	struct nsrun_spec *spec = &cfg->spec;
	spec->n_fs_ops = 0;
	cfg->n_mount_ops = 0;
	spec->n_masked_paths = 0;
	spec->n_readonly_paths = 0;
	spec->root_readonly = false;
	spec->mount_proc = false;
}

static void config_init(struct oci_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	nsrun_spec_init(&cfg->spec);
	container_init(&cfg->container);
	cfg->spec.container = &cfg->container;
}

static int parse_config(const char *bundle, struct oci_config *cfg, struct nsrun_error *err)
{
	if (parse_top_level(cfg, bundle, err) < 0 ||
	    oci_config_process(cfg, json_object_get(cfg->json, "process"), "config.json", err) < 0)
		return -1;
	json_t *mounts = json_object_get(cfg->json, "mounts");
	if (config_is_set(mounts) && config_mounts(cfg, bundle, mounts, err) < 0)
		return -1;
	cfg->n_mount_ops = cfg->spec.n_fs_ops;
	json_t *lx = json_object_get(cfg->json, "linux");
	if (config_is_set(lx) && config_linux(cfg, lx, err) < 0)
		return -1;
	struct nsrun_spec *spec = &cfg->spec;
	if (!(spec->new_ns & CLONE_NEWNS))
		drop_mounts(cfg);
	if ((spec->hostname || spec->domainname) && !(spec->new_ns & CLONE_NEWUTS))
		spec->hostname = spec->domainname = NULL; /* runc ignores them then */
	/* As runc: a container's process (and an exec'd one) leads a session
	 * of its own, off the caller's terminal (TIOCSTI). */
	spec->new_session = true;
	return 0;
}

int oci_config_load(const char *bundle, struct oci_config *cfg, struct nsrun_error *err)
{
	char path[PATH_MAX];
	config_init(cfg);
	if (path_format(path, sizeof(path), "%s/config.json", bundle) < 0)
		return nsrun_fail(err, ENAMETOOLONG, "%s/config.json", bundle);
	if (oci_json_load_file(path, &cfg->json, err) < 0)
		return -1;
	return parse_config(bundle, cfg, err);
}

int oci_config_load_json(const char *bundle, json_t *json, struct oci_config *cfg,
			 struct nsrun_error *err)
{
	config_init(cfg);
	cfg->json = json;
	return parse_config(bundle, cfg, err);
}

/* The parsed config.json stays until the process ends, which for a
 * runtime verb is soon: freeing the nodes of a Kubernetes-sized config one
 * by one took 1.4 to 2.5 ms here, on the path of run and exec. Held here,
 * it stays reachable (no leak to report); a process that parses more
 * configs than this frees the others. */
static void keep_until_exit(json_t *json)
{
	static json_t *kept[4];
	for (size_t i = 0; json && i < ARRAY_SIZE(kept); i++) {
		if (!kept[i]) {
			kept[i] = json;
			return;
		}
	}
	json_decref(json);
}

void oci_config_free(struct oci_config *cfg)
{
	free(cfg->spec.argv);
	cfg->spec.argv = NULL;
	nsrun_spec_release(&cfg->spec);
	for (size_t i = 0; i < cfg->n_allocated; i++)
		free(cfg->allocated[i]);
	free(cfg->allocated);
	cfg->allocated = NULL;
	cfg->n_allocated = 0;
	keep_until_exit(cfg->json);
	cfg->json = NULL;
}
