/* SPDX-License-Identifier: Apache-2.0 */
/* config.json's process (and exec's process.json) -> struct nsrun_spec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_parse.h"
#include "util/file.h"
#include "engine/limits/caps.h"
#include "engine/limits/rlimit.h"
#include "util/cleanup.h"

/* One capability set: a list of names, as bits. */
static int parse_cap_set(json_t *list, const char *field, uint64_t *bits, struct nsrun_error *err)
{
	*bits = 0;
	if (!config_is_set(list))
		return 0;
	if (!json_is_array(list))
		return config_refuse(err, field, "expected an array of names");
	size_t k;
	json_t *name;
	json_array_foreach (list, k, name) {
		int cap = json_is_string(name) ? caps_from_name(json_string_value(name)) : -1;
		if (cap < 0) {
			char why[96];
			(void)snprintf(why, sizeof(why), "unknown capability '%.60s'",
				       json_is_string(name) ? json_string_value(name) : "?");
			return config_refuse(err, field, why);
		}
		*bits |= 1ULL << cap;
	}
	return 0;
}

static int parse_caps(json_t *caps, struct nsrun_caps *out, struct nsrun_error *err)
{
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable",
					    "ambient" };
	uint64_t *bits[] = { &out->bounding, &out->effective, &out->permitted, &out->inheritable,
			     &out->ambient };
	if (!json_is_object(caps))
		return config_refuse(err, "process.capabilities", "expected an object");
	out->set = true;
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		char field[64];
		(void)snprintf(field, sizeof(field), "process.capabilities.%s", sets[i]);
		if (parse_cap_set(json_object_get(caps, sets[i]), field, bits[i], err) < 0)
			return -1;
	}
	return 0;
}

static int parse_rlimits(json_t *list, struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!json_is_array(list))
		return config_refuse(err, "process.rlimits", "expected an array");
	size_t i;
	json_t *r;
	json_array_foreach (list, i, r) {
		char field[48];
		(void)snprintf(field, sizeof(field), "process.rlimits[%zu]", i);
		const char *type = json_string_value(json_object_get(r, "type"));
		int res = type ? rlimit_from_name(type) : -1;
		json_t *soft = json_object_get(r, "soft"), *hard = json_object_get(r, "hard");
		if (res < 0)
			return config_refuse(err, field, "unknown type");
		if (!json_is_integer(soft) || !json_is_integer(hard))
			return config_refuse(err, field, "soft and hard must be numbers");
		struct nsrun_rlimit *grown =
			realloc(spec->rlimits, (spec->n_rlimits + 1) * sizeof(*grown));
		if (!grown)
			return nsrun_fail(err, errno, "config.json");
		spec->rlimits = grown;
		spec->rlimits[spec->n_rlimits++] =
			(struct nsrun_rlimit){ res, (uint64_t)json_integer_value(soft),
					       (uint64_t)json_integer_value(hard) };
	}
	return 0;
}

static int parse_additional_gids(json_t *gids, struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!json_is_array(gids))
		return config_refuse(err, "process.user.additionalGids", "expected an array");
	free(spec->additional_gids);
	spec->n_additional_gids = 0;
	spec->additional_gids = calloc(json_array_size(gids) + 1, sizeof(uint32_t));
	if (!spec->additional_gids)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *g;
	json_array_foreach (gids, i, g) {
		if (!json_is_integer(g) || json_integer_value(g) < 0 ||
		    json_integer_value(g) > UINT32_MAX)
			return config_refuse(err, "process.user.additionalGids",
					     "expected numbers");
		spec->additional_gids[spec->n_additional_gids++] = (uint32_t)json_integer_value(g);
	}
	return 0;
}

static int parse_user(json_t *user, struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!json_is_object(user))
		return config_refuse(err, "process.user", "expected an object");
	if (json_string_value(json_object_get(user, "username")))
		return config_refuse(err, "process.user.username",
				     "not supported by nsrun (Windows)");
	spec->user_ids_set = true;
	if (config_get_u32(user, "uid", "process.user.uid", &spec->uid, true, err) < 0 ||
	    config_get_u32(user, "gid", "process.user.gid", &spec->gid, true, err) < 0)
		return -1;
	uint32_t umask_value;
	int r = config_get_u32(user, "umask", "process.user.umask", &umask_value, false, err);
	if (r < 0)
		return -1;
	spec->umask = r == 0 ? (int)(umask_value & 0777) : -1;
	json_t *gids = json_object_get(user, "additionalGids");
	return config_is_set(gids) ? parse_additional_gids(gids, spec, err) : 0;
}

/* args: the spec's argv points into the config. */
static int parse_args(json_t *args, struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!json_is_array(args) || json_array_size(args) == 0)
		return config_refuse(err, "process.args", "expected a non-empty array of strings");
	free(spec->argv);
	spec->argv = calloc(json_array_size(args) + 1, sizeof(char *));
	if (!spec->argv)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *v;
	json_array_foreach (args, i, v) {
		if (!json_is_string(v))
			return config_refuse(err, "process.args", "expected strings");
		spec->argv[i] = (char *)json_string_value(v);
	}
	return 0;
}

/* The environment is exactly what the config says. */
static int parse_env(json_t *env, struct nsrun_spec *spec, struct nsrun_error *err)
{
	size_t n_env = json_is_array(env) ? json_array_size(env) : 0;
	if (config_is_set(env) && !json_is_array(env))
		return config_refuse(err, "process.env", "expected an array of strings");
	spec->env = calloc(n_env + 1, sizeof(char *));
	if (!spec->env)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *v;
	json_array_foreach (env, i, v) {
		if (!json_is_string(v) || !strchr(json_string_value(v), '='))
			return config_refuse(err, "process.env", "expected KEY=VALUE strings");
		if (!(spec->env[i] = strdup(json_string_value(v))))
			return nsrun_fail(err, errno, "config.json");
	}
	return 0;
}

/* cwd, terminal and consoleSize. */
static int parse_place(json_t *process, struct oci_config *cfg, struct nsrun_error *err)
{
	const char *cwd = json_string_value(json_object_get(process, "cwd"));
	if (!cwd || cwd[0] != '/')
		return config_refuse(err, "process.cwd", "expected an absolute path");
	cfg->spec.chdir = cwd;
	cfg->container.make_cwd = true; /* runc creates a missing cwd */
	cfg->container.terminal = json_is_true(json_object_get(process, "terminal"));
	json_t *size = json_object_get(process, "consoleSize");
	if (!config_is_set(size))
		return 0;
	uint32_t h = 0, w = 0;
	if (config_get_u32(size, "height", "process.consoleSize.height", &h, true, err) < 0 ||
	    config_get_u32(size, "width", "process.consoleSize.width", &w, true, err) < 0)
		return -1;
	cfg->container.console_rows = (unsigned short)h;
	cfg->container.console_cols = (unsigned short)w;
	return 0;
}

static int parse_oom_score_adj(json_t *oom, struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!json_is_integer(oom) || json_integer_value(oom) < -1000 ||
	    json_integer_value(oom) > 1000)
		return config_refuse(err, "process.oomScoreAdj", "expected -1000 to 1000");
	spec->oom_score_adj_set = true;
	spec->oom_score_adj = (int)json_integer_value(oom);
	return 0;
}

/* process.apparmorProfile: applied where AppArmor is enabled (dockerd
 * sends docker-default there); elsewhere it has no meaning and is
 * ignored, as crun does. */
static int parse_apparmor(json_t *process, struct oci_config *cfg, struct nsrun_error *err)
{
	json_t *v = json_object_get(process, "apparmorProfile");
	if (!config_is_set(v))
		return 0;
	if (!json_is_string(v) || strchr(json_string_value(v), '\n'))
		return config_refuse(err, "process.apparmorProfile", "expected a profile's name");
	char enabled[4] = "";
	bool on = file_read("/sys/module/apparmor/parameters/enabled", enabled, sizeof(enabled)) >
			  0 &&
		  enabled[0] == 'Y';
	if (json_string_length(v) > 0 && on)
		cfg->container.apparmor_profile = json_string_value(v);
	return 0;
}

int oci_config_process(struct oci_config *cfg, json_t *process, const char *what,
		       struct nsrun_error *err)
{
	static const char *const unsupported[] = { "ioPriority", "scheduler", "execCPUAffinity",
						   NULL };
	struct nsrun_spec *spec = &cfg->spec;
	(void)what;
	if (!json_is_object(process))
		return config_refuse(err, "process", "expected an object");
	json_t *user = json_object_get(process, "user");
	json_t *caps = json_object_get(process, "capabilities");
	json_t *rlimits = json_object_get(process, "rlimits");
	json_t *oom = json_object_get(process, "oomScoreAdj");
	if (parse_args(json_object_get(process, "args"), spec, err) < 0 ||
	    parse_env(json_object_get(process, "env"), spec, err) < 0 ||
	    parse_place(process, cfg, err) < 0 ||
	    (config_is_set(user) && parse_user(user, spec, err) < 0) ||
	    (config_is_set(caps) && parse_caps(caps, &spec->caps, err) < 0) ||
	    (config_is_set(rlimits) && parse_rlimits(rlimits, spec, err) < 0) ||
	    config_selinux_label(process, "selinuxLabel", "process.selinuxLabel", err) < 0 ||
	    parse_apparmor(process, cfg, err) < 0)
		return -1;
	spec->no_new_privs = json_is_true(json_object_get(process, "noNewPrivileges"));
	if (config_is_set(oom) && parse_oom_score_adj(oom, spec, err) < 0)
		return -1;
	return config_refuse_unsupported(process, "process", unsupported, err);
}

int oci_config_keep_fds(struct oci_config *cfg, int count, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	if (count <= 0)
		return 0;
	spec->keep_fds = calloc((size_t)count, sizeof(int));
	if (!spec->keep_fds)
		return nsrun_fail(err, errno, "--preserve-fds");
	for (int i = 0; i < count; i++)
		spec->keep_fds[spec->n_keep_fds++] = 3 + i;
	return 0;
}
