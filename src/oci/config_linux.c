/* SPDX-License-Identifier: Apache-2.0 */
/* config.json's linux object -> struct nsrun_spec (its resources:
 * config_resources.c). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_parse.h"
#include "engine/limits/seccomp.h"
#include "engine/ns/namespaces.h"
#include "util/cleanup.h"

static int parse_namespaces(json_t *list, struct nsrun_spec *spec, struct nsrun_error *err)
{
	static const struct {
		const char *oci;
		const char *ours;
	} names[] = {
		{ "pid", "pid" }, { "network", "net" }, { "mount", "mnt" },	{ "ipc", "ipc" },
		{ "uts", "uts" }, { "user", "user" },	{ "cgroup", "cgroup" }, { "time", "time" },
	};
	if (!json_is_array(list))
		return config_refuse(err, "linux.namespaces", "expected an array");
	size_t i;
	json_t *ns;
	json_array_foreach (list, i, ns) {
		char field[48];
		(void)snprintf(field, sizeof(field), "linux.namespaces[%zu]", i);
		const char *type = json_string_value(json_object_get(ns, "type"));
		int flag = 0;
		for (size_t k = 0; type && k < ARRAY_SIZE(names); k++)
			if (strcmp(type, names[k].oci) == 0)
				flag = ns_flag_from_name(names[k].ours);
		if (!flag)
			return config_refuse(err, field, "unknown type");
		const char *path = json_string_value(json_object_get(ns, "path"));
		if (path && *path) {
			if (spec->n_joins == NSRUN_MAX_JOINS)
				return config_refuse(err, field, "too many namespaces");
			spec->joins[spec->n_joins].type = flag;
			spec->joins[spec->n_joins++].path = path;
		} else {
			spec->new_ns |= (unsigned long)flag;
		}
	}
	return 0;
}

static int parse_id_map(json_t *list, const char *field, struct nsrun_id_map *map,
			struct nsrun_error *err)
{
	if (!json_is_array(list))
		return config_refuse(err, field, "expected an array");
	if (json_array_size(list) > NSRUN_MAX_MAP_LINES)
		return config_refuse(err, field, "more ranges than the kernel takes (340)");
	map->n = 0;
	size_t i;
	json_t *r;
	json_array_foreach (list, i, r) {
		struct nsrun_id_range *range = &map->range[map->n];
		if (config_get_u32(r, "containerID", field, &range->inside, true, err) < 0 ||
		    config_get_u32(r, "hostID", field, &range->outside, true, err) < 0 ||
		    config_get_u32(r, "size", field, &range->count, true, err) < 0)
			return -1;
		map->n++;
	}
	return 0;
}

/* namespaces, uidMappings and gidMappings. */
static int parse_ids(json_t *lx, struct nsrun_spec *spec, struct nsrun_error *err)
{
	json_t *v;
	if ((config_is_set(v = json_object_get(lx, "namespaces")) &&
	     parse_namespaces(v, spec, err) < 0) ||
	    (config_is_set(v = json_object_get(lx, "uidMappings")) &&
	     parse_id_map(v, "linux.uidMappings", &spec->uid_map, err) < 0) ||
	    (config_is_set(v = json_object_get(lx, "gidMappings")) &&
	     parse_id_map(v, "linux.gidMappings", &spec->gid_map, err) < 0))
		return -1;
	if ((spec->uid_map.n || spec->gid_map.n) && !(spec->new_ns & CLONE_NEWUSER))
		return config_refuse(err, "linux.uidMappings", "needs a new user namespace");
	return 0;
}

/* One of linux.devices, as the fs_op that makes it. */
static int parse_device(json_t *d, const char *field, struct nsrun_fs_op *op,
			struct nsrun_error *err)
{
	const char *path = json_string_value(json_object_get(d, "path"));
	const char *type = json_string_value(json_object_get(d, "type"));
	if (!path || path[0] != '/' || !type || strlen(type) != 1 || !strchr("cbpu", type[0]))
		return config_refuse(err, field, "needs an absolute path and a type c, b, u or p");
	*op = (struct nsrun_fs_op){ .kind = NSRUN_FS_DEVICE,
				    .dest = path,
				    .dev_type = (char)(type[0] == 'u' ? 'c' : type[0]),
				    .mode = 0666 };
	uint32_t mode = 0666;
	if ((type[0] != 'p' && (config_get_u32(d, "major", field, &op->major, true, err) < 0 ||
				config_get_u32(d, "minor", field, &op->minor, true, err) < 0)) ||
	    config_get_u32(d, "fileMode", field, &mode, false, err) < 0 ||
	    config_get_u32(d, "uid", field, &op->uid, false, err) < 0 ||
	    config_get_u32(d, "gid", field, &op->gid, false, err) < 0)
		return -1;
	op->mode = (int)(mode & 07777);
	return 0;
}

static int parse_devices(json_t *list, struct nsrun_spec *spec, struct nsrun_error *err)
{
	size_t i;
	json_t *d;
	json_array_foreach (list, i, d) {
		char field[40];
		(void)snprintf(field, sizeof(field), "linux.devices[%zu]", i);
		struct nsrun_fs_op op;
		if (parse_device(d, field, &op, err) < 0)
			return -1;
		struct nsrun_fs_op *grown =
			realloc(spec->fs_ops, (spec->n_fs_ops + 1) * sizeof(*spec->fs_ops));
		if (!grown)
			return nsrun_fail(err, errno, "config.json");
		spec->fs_ops = grown;
		spec->fs_ops[spec->n_fs_ops++] = op;
	}
	return 0;
}

static int parse_paths(json_t *list, const char *field, const char ***out, unsigned *n,
		       struct nsrun_error *err)
{
	if (!json_is_array(list))
		return config_refuse(err, field, "expected an array of paths");
	*out = calloc(json_array_size(list) + 1, sizeof(char *));
	if (!*out)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *p;
	json_array_foreach (list, i, p) {
		if (!json_is_string(p))
			return config_refuse(err, field, "expected strings");
		(*out)[(*n)++] = json_string_value(p);
	}
	return 0;
}

/* maskedPaths and readonlyPaths. */
static int parse_hidden_paths(json_t *lx, struct nsrun_spec *spec, struct nsrun_error *err)
{
	json_t *v;
	if (config_is_set(v = json_object_get(lx, "maskedPaths")) &&
	    parse_paths(v, "linux.maskedPaths", &spec->masked_paths, &spec->n_masked_paths, err) <
		    0)
		return -1;
	if (config_is_set(v = json_object_get(lx, "readonlyPaths")) &&
	    parse_paths(v, "linux.readonlyPaths", &spec->readonly_paths, &spec->n_readonly_paths,
			err) < 0)
		return -1;
	return 0;
}

/* Whether a '/'-separated path has a ".." component. */
static bool has_dot_dot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

/* cgroupsPath and resources. */
static int parse_cgroup(struct oci_config *cfg, json_t *lx, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	spec->cgroup_path = json_string_value(json_object_get(lx, "cgroupsPath"));
	if (spec->cgroup_path && !*spec->cgroup_path)
		spec->cgroup_path = NULL;
	if (spec->cgroup_path && has_dot_dot(spec->cgroup_path))
		return config_refuse(
			err, "linux.cgroupsPath",
			"'..' would leave the cgroup hierarchy (runc resolves it inside)");
	json_t *res = json_object_get(lx, "resources");
	return config_is_set(res) ? config_resources(cfg, res, err) : 0;
}

static int parse_propagation(const char *prop, struct nsrun_spec *spec, struct nsrun_error *err)
{
	static const char *const names[] = { "private", "slave", "shared", "unbindable" };
	if (!prop) {
		spec->propagation = NSRUN_PROPAGATION_PRIVATE;
		return 0;
	}
	const char *bare = prop[0] == 'r' && strcmp(prop, "rprivate") != 0
				   ? prop + 1
				   : (strcmp(prop, "rprivate") == 0 ? "private" : prop);
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(bare, names[i]) == 0 || strcmp(prop, names[i]) == 0) {
			spec->propagation = (enum nsrun_propagation)i;
			return 0;
		}
	}
	return config_refuse(err, "linux.rootfsPropagation", "unknown propagation");
}

static bool has_ns(const struct nsrun_spec *spec, int flag)
{
	if (spec->new_ns & (unsigned long)flag)
		return true;
	for (unsigned i = 0; i < spec->n_joins; i++)
		if (spec->joins[i].type == flag)
			return true;
	return false;
}

/* The sysctls a namespace holds, and only with that namespace of the
 * container's own (as runc checks them). */
static bool sysctl_is_namespaced(const struct nsrun_spec *spec, const char *key)
{
	static const char *const ipc_keys[] = {
		"kernel.msgmax", "kernel.msgmnb",	   "kernel.msgmni",
		"kernel.sem",	 "kernel.shmall",	   "kernel.shmmax",
		"kernel.shmmni", "kernel.shm_rmid_forced", NULL
	};
	for (size_t i = 0; ipc_keys[i]; i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			return has_ns(spec, CLONE_NEWIPC);
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return has_ns(spec, CLONE_NEWIPC);
	if (strncmp(key, "net.", 4) == 0)
		return has_ns(spec, CLONE_NEWNET);
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return has_ns(spec, CLONE_NEWUTS);
	return false;
}

static int parse_sysctl(struct oci_config *cfg, json_t *sysctl, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	const char *key;
	json_t *v;
	json_object_foreach (sysctl, key, v) {
		if (!sysctl_is_namespaced(spec, key)) {
			char why[160];
			(void)snprintf(
				why, sizeof(why),
				"%.80s is not in a namespace of the container's own: it would "
				"change the host",
				key);
			return config_refuse(err, "linux.sysctl", why);
		}
	}
	spec->sysctl = calloc(json_object_size(sysctl) + 1, sizeof(char *));
	if (!spec->sysctl)
		return nsrun_fail(err, errno, "config.json");
	json_object_foreach (sysctl, key, v) {
		char *kv = NULL;
		if (!json_is_string(v))
			return config_refuse(err, "linux.sysctl", "values must be strings");
		if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0)
			kv = NULL;
		if (!config_keep(cfg, kv, err))
			return -1;
		spec->sysctl[spec->n_sysctl++] = kv;
	}
	return 0;
}

int config_linux(struct oci_config *cfg, json_t *lx, struct nsrun_error *err)
{
	static const char *const unsupported[] = { "intelRdt", "personality", "timeOffsets",
						   "memoryPolicy", NULL };
	struct nsrun_spec *spec = &cfg->spec;
	json_t *v;
	if (parse_ids(lx, spec, err) < 0 ||
	    (config_is_set(v = json_object_get(lx, "devices")) &&
	     parse_devices(v, spec, err) < 0) ||
	    parse_cgroup(cfg, lx, err) < 0 || parse_hidden_paths(lx, spec, err) < 0 ||
	    config_selinux_label(lx, "mountLabel", "linux.mountLabel", err) < 0 ||
	    parse_propagation(json_string_value(json_object_get(lx, "rootfsPropagation")), spec,
			      err) < 0)
		return -1;
	if (config_is_set(v = json_object_get(lx, "seccomp"))) {
		spec->seccomp = seccomp_from_json(v, "config.json: linux.seccomp", err);
		if (!spec->seccomp)
			return -1;
	}
	json_t *sysctl = json_object_get(lx, "sysctl");
	if (config_is_set(sysctl) && parse_sysctl(cfg, sysctl, err) < 0)
		return -1;
	return config_refuse_unsupported(lx, "linux", unsupported, err);
}
