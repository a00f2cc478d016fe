/* config.json -> struct nsrun_spec. See config.h. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "oci/config.h"
#include "oci/hooks.h"
#include "engine/limits/caps.h"
#include "engine/ns/namespaces.h"
#include "engine/limits/rlimit.h"
#include "engine/limits/seccomp.h"

/* The field names and reasons made with (void)snprintf below only go into
 * these messages: one cut short still names the field. */
static int refuse(struct nsrun_error *err, const char *field, const char *why)
{
	return nsrun_fail(err, 0, "config.json: %s: %s", field, why);
}

/* A string the spec may point at until the config is freed. */
static const char *keep(struct oci_config *cfg, char *s, struct nsrun_error *err)
{
	if (!s) {
		nsrun_fail(err, errno, "config.json");
		return NULL;
	}
	char **grown = realloc(cfg->allocated, (cfg->n_allocated + 1) * sizeof(char *));
	if (!grown) {
		free(s);
		nsrun_fail(err, errno, "config.json");
		return NULL;
	}
	cfg->allocated = grown;
	cfg->allocated[cfg->n_allocated++] = s;
	return s;
}

int oci_json_load_file(const char *path, json_t **out, struct nsrun_error *err)
{
	json_error_t jerr;
	*out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out) {
		if (jerr.line < 0)
			return nsrun_fail(err, 0, "%s: %s", path, jerr.text);
		return nsrun_fail(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return nsrun_fail(err, 0, "%s: expected a JSON object", path);
	}
	return 0;
}

static bool is_set(json_t *v)
{
	return v && !json_is_null(v);
}

/* A non-empty string field that nsrun does not implement. */
static int refuse_if_set(json_t *obj, const char *key, const char *field,
			 struct nsrun_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!is_set(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	    (json_is_array(v) && json_array_size(v) == 0) ||
	    (json_is_object(v) && json_object_size(v) == 0))
		return 0;
	return refuse(err, field, "not supported by nsrun");
}

static int get_u32(json_t *obj, const char *key, const char *field, uint32_t *out, bool required,
		   struct nsrun_error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!is_set(v)) {
		if (required)
			return refuse(err, field, "missing");
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
		return refuse(err, field, "expected a number from 0 to 4294967295");
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

/* ---- process -------------------------------------------------------------- */

static int parse_caps(json_t *caps, struct nsrun_caps *out, struct nsrun_error *err)
{
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable",
					    "ambient" };
	uint64_t *bits[] = { &out->bounding, &out->effective, &out->permitted, &out->inheritable,
			     &out->ambient };
	if (!json_is_object(caps))
		return refuse(err, "process.capabilities", "expected an object");
	out->set = true;
	for (size_t i = 0; i < 5; i++) {
		json_t *list = json_object_get(caps, sets[i]);
		char field[64];
		(void)snprintf(field, sizeof(field), "process.capabilities.%s", sets[i]);
		*bits[i] = 0;
		if (!is_set(list))
			continue;
		if (!json_is_array(list))
			return refuse(err, field, "expected an array of names");
		size_t k;
		json_t *name;
		json_array_foreach(list, k, name) {
			int cap = json_is_string(name) ? caps_from_name(json_string_value(name)) : -1;
			if (cap < 0) {
				char why[96];
				(void)snprintf(why, sizeof(why), "unknown capability '%.60s'",
					       json_is_string(name) ? json_string_value(name) : "?");
				return refuse(err, field, why);
			}
			*bits[i] |= 1ULL << cap;
		}
	}
	return 0;
}

static int parse_rlimits(json_t *list, struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!json_is_array(list))
		return refuse(err, "process.rlimits", "expected an array");
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) {
		char field[48];
		(void)snprintf(field, sizeof(field), "process.rlimits[%zu]", i);
		const char *type = json_string_value(json_object_get(r, "type"));
		int res = type ? rlimit_from_name(type) : -1;
		json_t *soft = json_object_get(r, "soft"), *hard = json_object_get(r, "hard");
		if (res < 0)
			return refuse(err, field, "unknown type");
		if (!json_is_integer(soft) || !json_is_integer(hard))
			return refuse(err, field, "soft and hard must be numbers");
		struct nsrun_rlimit *grown =
			realloc(spec->rlimits, (spec->n_rlimits + 1) * sizeof(*grown));
		if (!grown)
			return nsrun_fail(err, errno, "config.json");
		spec->rlimits = grown;
		spec->rlimits[spec->n_rlimits++] = (struct nsrun_rlimit){
			res, (uint64_t)json_integer_value(soft), (uint64_t)json_integer_value(hard) };
	}
	return 0;
}

static int parse_user(json_t *user, struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!json_is_object(user))
		return refuse(err, "process.user", "expected an object");
	if (json_string_value(json_object_get(user, "username")))
		return refuse(err, "process.user.username", "not supported by nsrun (Windows)");
	spec->user_ids_set = true;
	if (get_u32(user, "uid", "process.user.uid", &spec->uid, true, err) < 0 ||
	    get_u32(user, "gid", "process.user.gid", &spec->gid, true, err) < 0)
		return -1;
	uint32_t umask_value;
	int r = get_u32(user, "umask", "process.user.umask", &umask_value, false, err);
	if (r < 0)
		return -1;
	spec->umask = r == 0 ? (int)(umask_value & 0777) : -1;
	json_t *gids = json_object_get(user, "additionalGids");
	if (!is_set(gids))
		return 0;
	if (!json_is_array(gids))
		return refuse(err, "process.user.additionalGids", "expected an array");
	free(spec->additional_gids);
	spec->n_additional_gids = 0;
	spec->additional_gids = calloc(json_array_size(gids) + 1, sizeof(uint32_t));
	if (!spec->additional_gids)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *g;
	json_array_foreach(gids, i, g) {
		if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) > UINT32_MAX)
			return refuse(err, "process.user.additionalGids", "expected numbers");
		spec->additional_gids[spec->n_additional_gids++] = (uint32_t)json_integer_value(g);
	}
	return 0;
}

int oci_config_process(struct oci_config *cfg, json_t *process, const char *what,
		       struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	(void)what;
	if (!json_is_object(process))
		return refuse(err, "process", "expected an object");
	json_t *args = json_object_get(process, "args");
	if (!json_is_array(args) || json_array_size(args) == 0)
		return refuse(err, "process.args", "expected a non-empty array of strings");
	free(spec->argv);
	spec->argv = calloc(json_array_size(args) + 1, sizeof(char *));
	if (!spec->argv)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *v;
	json_array_foreach(args, i, v) {
		if (!json_is_string(v))
			return refuse(err, "process.args", "expected strings");
		spec->argv[i] = (char *)json_string_value(v);
	}
	/* The environment is exactly what the config says. */
	json_t *env = json_object_get(process, "env");
	size_t n_env = json_is_array(env) ? json_array_size(env) : 0;
	if (is_set(env) && !json_is_array(env))
		return refuse(err, "process.env", "expected an array of strings");
	spec->env = calloc(n_env + 1, sizeof(char *));
	if (!spec->env)
		return nsrun_fail(err, errno, "config.json");
	json_array_foreach(env, i, v) {
		if (!json_is_string(v) || !strchr(json_string_value(v), '='))
			return refuse(err, "process.env", "expected KEY=VALUE strings");
		if (!(spec->env[i] = strdup(json_string_value(v))))
			return nsrun_fail(err, errno, "config.json");
	}
	const char *cwd = json_string_value(json_object_get(process, "cwd"));
	if (!cwd || cwd[0] != '/')
		return refuse(err, "process.cwd", "expected an absolute path");
	spec->chdir = cwd;
	cfg->container.make_cwd = true; /* runc creates a missing cwd */
	cfg->container.terminal = json_is_true(json_object_get(process, "terminal"));
	json_t *size = json_object_get(process, "consoleSize");
	if (is_set(size)) {
		uint32_t h = 0, w = 0;
		if (get_u32(size, "height", "process.consoleSize.height", &h, true, err) < 0 ||
		    get_u32(size, "width", "process.consoleSize.width", &w, true, err) < 0)
			return -1;
		cfg->container.console_rows = (unsigned short)h;
		cfg->container.console_cols = (unsigned short)w;
	}
	json_t *user = json_object_get(process, "user");
	if (is_set(user) && parse_user(user, spec, err) < 0)
		return -1;
	json_t *caps = json_object_get(process, "capabilities");
	if (is_set(caps) && parse_caps(caps, &spec->caps, err) < 0)
		return -1;
	json_t *rlimits = json_object_get(process, "rlimits");
	if (is_set(rlimits) && parse_rlimits(rlimits, spec, err) < 0)
		return -1;
	spec->no_new_privs = json_is_true(json_object_get(process, "noNewPrivileges"));
	json_t *oom = json_object_get(process, "oomScoreAdj");
	if (is_set(oom)) {
		if (!json_is_integer(oom) || json_integer_value(oom) < -1000 ||
		    json_integer_value(oom) > 1000)
			return refuse(err, "process.oomScoreAdj", "expected -1000 to 1000");
		spec->oom_score_adj_set = true;
		spec->oom_score_adj = (int)json_integer_value(oom);
	}
	if (refuse_if_set(process, "apparmorProfile", "process.apparmorProfile", err) < 0 ||
	    refuse_if_set(process, "selinuxLabel", "process.selinuxLabel", err) < 0 ||
	    refuse_if_set(process, "ioPriority", "process.ioPriority", err) < 0 ||
	    refuse_if_set(process, "scheduler", "process.scheduler", err) < 0 ||
	    refuse_if_set(process, "execCPUAffinity", "process.execCPUAffinity", err) < 0)
		return -1;
	return 0;
}

/* ---- mounts ------------------------------------------------------------------ */

static const struct {
	const char *name;
	unsigned long set, clear;
} mount_flags[] = {
	{ "ro", MS_RDONLY, 0 },           { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },       { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },         { "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },       { "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },    { "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },     { "mand", MS_MANDLOCK, 0 },
	{ "nomand", 0, MS_MANDLOCK },     { "atime", 0, MS_NOATIME },
	{ "noatime", MS_NOATIME, 0 },     { "diratime", 0, MS_NODIRATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "relatime", MS_RELATIME, 0 },
	{ "norelatime", 0, MS_RELATIME }, { "strictatime", MS_STRICTATIME, 0 },
	{ "nostrictatime", 0, MS_STRICTATIME },
	{ "bind", MS_BIND, 0 },           { "rbind", MS_BIND | MS_REC, 0 },
};

static const struct {
	const char *name;
	unsigned long flags;
} propagations[] = {
	{ "private", MS_PRIVATE },   { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },     { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },       { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static int parse_mount(struct oci_config *cfg, const char *bundle, json_t *m, size_t index,
		       struct nsrun_fs_op *op, struct nsrun_error *err)
{
	char field[48];
	(void)snprintf(field, sizeof(field), "mounts[%zu]", index);
	const char *dest = json_string_value(json_object_get(m, "destination"));
	if (!dest || dest[0] != '/')
		return refuse(err, field, "destination must be an absolute path");
	*op = (struct nsrun_fs_op){ .kind = NSRUN_FS_MOUNT, .dest = dest, .mode = -1 };
	op->fstype = json_string_value(json_object_get(m, "type"));
	op->src = json_string_value(json_object_get(m, "source"));
	if (is_set(json_object_get(m, "uidMappings")) || is_set(json_object_get(m, "gidMappings")))
		return refuse(err, field, "idmapped mounts are not supported by nsrun");
	char data[1024] = "";
	json_t *opts = json_object_get(m, "options");
	size_t i;
	json_t *o;
	json_array_foreach(opts, i, o) {
		const char *name = json_string_value(o);
		if (!name)
			return refuse(err, field, "options must be strings");
		bool known = false;
		for (size_t k = 0; !known && k < sizeof(mount_flags) / sizeof(mount_flags[0]); k++) {
			if (strcmp(name, mount_flags[k].name) == 0) {
				op->flags = (op->flags | mount_flags[k].set) & ~mount_flags[k].clear;
				known = true;
			}
		}
		for (size_t k = 0; !known && k < sizeof(propagations) / sizeof(propagations[0]); k++) {
			if (strcmp(name, propagations[k].name) == 0) {
				op->propagation = propagations[k].flags;
				known = true;
			}
		}
		if (known)
			continue;
		if (strcmp(name, "tmpcopyup") == 0 || strcmp(name, "idmap") == 0 ||
		    strcmp(name, "ridmap") == 0 || strcmp(name, "remount") == 0) {
			char why[64];
			(void)snprintf(why, sizeof(why), "option '%s' is not supported by nsrun", name);
			return refuse(err, field, why);
		}
		/* Anything else is filesystem data: mode=755, size=64k, ... */
		size_t len = strlen(data);
		if (len + strlen(name) + 2 > sizeof(data))
			return refuse(err, field, "options too long");
		/* fits: measured above */
		(void)snprintf(data + len, sizeof(data) - len, "%s%s", len ? "," : "", name);
	}
	if (op->fstype && strcmp(op->fstype, "bind") == 0)
		op->flags |= MS_BIND;
	if ((op->flags & MS_BIND) && !op->src)
		return refuse(err, field, "a bind mount needs a source");
	if ((op->flags & MS_BIND) && op->src[0] != '/') {
		/* relative to the bundle (not the rootfs), as runc resolves it */
		char *abs = NULL;
		if (asprintf(&abs, "%s/%s", bundle, op->src) < 0 || !keep(cfg, abs, err))
			return -1;
		op->src = abs;
	}
	if (data[0] && !(op->data = keep(cfg, strdup(data), err)))
		return -1;
	return 0;
}

/* ---- linux ------------------------------------------------------------------- */

static int parse_namespaces(json_t *list, struct nsrun_spec *spec, struct nsrun_error *err)
{
	static const struct { const char *oci; const char *ours; } names[] = {
		{ "pid", "pid" }, { "network", "net" }, { "mount", "mnt" }, { "ipc", "ipc" },
		{ "uts", "uts" }, { "user", "user" }, { "cgroup", "cgroup" }, { "time", "time" },
	};
	if (!json_is_array(list))
		return refuse(err, "linux.namespaces", "expected an array");
	size_t i;
	json_t *ns;
	json_array_foreach(list, i, ns) {
		char field[48];
		(void)snprintf(field, sizeof(field), "linux.namespaces[%zu]", i);
		const char *type = json_string_value(json_object_get(ns, "type"));
		int flag = 0;
		for (size_t k = 0; type && k < sizeof(names) / sizeof(names[0]); k++)
			if (strcmp(type, names[k].oci) == 0)
				flag = ns_flag_from_name(names[k].ours);
		if (!flag)
			return refuse(err, field, "unknown type");
		const char *path = json_string_value(json_object_get(ns, "path"));
		if (path && *path) {
			if (spec->n_joins == NSRUN_MAX_JOINS)
				return refuse(err, field, "too many namespaces");
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
		return refuse(err, field, "expected an array");
	if (json_array_size(list) > NSRUN_MAX_MAP_LINES)
		return refuse(err, field, "more ranges than the kernel takes (340)");
	map->n = 0;
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) {
		struct nsrun_id_range *range = &map->range[map->n];
		if (get_u32(r, "containerID", field, &range->inside, true, err) < 0 ||
		    get_u32(r, "hostID", field, &range->outside, true, err) < 0 ||
		    get_u32(r, "size", field, &range->count, true, err) < 0)
			return -1;
		map->n++;
	}
	return 0;
}

/* linux.resources.devices as the lines of nsrun_cgroup_limits.device_rules. */
static int parse_device_rules(json_t *devices, struct oci_config *cfg, struct nsrun_error *err)
{
	size_t i, used = 0, size = json_array_size(devices) * 48 + 1;
	char *text = malloc(size);
	if (!text)
		return nsrun_fail(err, errno, "linux.resources.devices");
	text[0] = '\0';
	json_t *v;
	json_array_foreach(devices, i, v) {
		char field[64], major[24] = "*", minor[24] = "*";
		(void)snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		json_t *allow = json_object_get(v, "allow");
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *access = json_string_value(json_object_get(v, "access"));
		json_t *maj = json_object_get(v, "major"), *min = json_object_get(v, "minor");
		if (!json_is_boolean(allow) ||
		    (type && (strlen(type) != 1 || !strchr("abc", type[0]))) ||
		    (access && (!*access || strspn(access, "rwm") != strlen(access) || strlen(access) > 3)) ||
		    (is_set(maj) && (!json_is_integer(maj) || json_integer_value(maj) < 0)) ||
		    (is_set(min) && (!json_is_integer(min) || json_integer_value(min) < 0))) {
			free(text);
			return refuse(err, field, "needs allow (a boolean), and type a, b or c, access "
						  "of r, w and m, and major and minor numbers if given");
		}
		if (is_set(maj))
			(void)snprintf(major, sizeof(major), "%" JSON_INTEGER_FORMAT, json_integer_value(maj));
		if (is_set(min))
			(void)snprintf(minor, sizeof(minor), "%" JSON_INTEGER_FORMAT, json_integer_value(min));
		/* 48 a rule: "allow" and three short words, two numbers < 2^32. */
		int n = snprintf(text + used, size - used, "%s %s %s:%s %s\n",
				 json_is_true(allow) ? "allow" : "deny", type ? type : "a", major, minor,
				 access ? access : "rwm");
		if (n < 0 || (size_t)n >= size - used) {
			free(text);
			return refuse(err, field, "a number out of range");
		}
		used += (size_t)n;
	}
	cfg->spec.cgroup.device_rules = keep(cfg, text, err);
	return cfg->spec.cgroup.device_rules ? 0 : -1;
}

static int parse_resources(json_t *res, struct oci_config *cfg, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	struct nsrun_cgroup_limits *l = &spec->cgroup;
	json_t *mem = json_object_get(res, "memory");
	json_t *v;
	if (is_set(mem)) {
		if (is_set(v = json_object_get(mem, "limit")) && json_is_integer(v))
			l->memory = json_integer_value(v) < 0 ? 0 : json_integer_value(v);
		if (is_set(v = json_object_get(mem, "swap")) && json_is_integer(v))
			l->memory_swap = json_integer_value(v) < 0 ? -1 : json_integer_value(v);
		if (refuse_if_set(mem, "kernel", "linux.resources.memory.kernel", err) < 0 ||
		    refuse_if_set(mem, "kernelTCP", "linux.resources.memory.kernelTCP", err) < 0 ||
		    refuse_if_set(mem, "swappiness", "linux.resources.memory.swappiness", err) < 0)
			return -1;
		/* Zero and false are the kernel's defaults: nothing to apply. */
		if (json_integer_value(json_object_get(mem, "reservation")) > 0)
			return refuse(err, "linux.resources.memory.reservation", "not supported by nsrun");
		if (json_is_true(json_object_get(mem, "disableOOMKiller")))
			return refuse(err, "linux.resources.memory.disableOOMKiller",
				      "not supported by nsrun");
	}
	json_t *pids = json_object_get(res, "pids");
	if (is_set(pids) && is_set(v = json_object_get(pids, "limit")) && json_is_integer(v))
		l->pids = json_integer_value(v) <= 0 ? -1 : json_integer_value(v);
	json_t *cpu = json_object_get(res, "cpu");
	if (is_set(cpu)) {
		if (is_set(v = json_object_get(cpu, "quota")) && json_is_integer(v) &&
		    json_integer_value(v) > 0)
			l->cpu_quota = (uint64_t)json_integer_value(v);
		l->cpu_period = 100000;
		if (is_set(v = json_object_get(cpu, "period")) && json_is_integer(v) &&
		    json_integer_value(v) > 0)
			l->cpu_period = (uint64_t)json_integer_value(v);
		if (is_set(v = json_object_get(cpu, "shares")) && json_is_integer(v) &&
		    json_integer_value(v) > 0) {
			/* v1 shares 2..262144 to v2 weight 1..10000 */
			uint64_t shares = (uint64_t)json_integer_value(v);
			if (shares > 262144) /* the kernel's maximum; more would wrap */
				shares = 262144;
			l->cpu_weight = shares <= 2 ? 1 : 1 + ((shares - 2) * 9999) / 262142;
		}
		if (refuse_if_set(cpu, "realtimeRuntime", "linux.resources.cpu.realtimeRuntime", err) < 0 ||
		    refuse_if_set(cpu, "realtimePeriod", "linux.resources.cpu.realtimePeriod", err) < 0 ||
		    refuse_if_set(cpu, "cpus", "linux.resources.cpu.cpus", err) < 0 ||
		    refuse_if_set(cpu, "mems", "linux.resources.cpu.mems", err) < 0)
			return -1;
		if (json_integer_value(json_object_get(cpu, "burst")) != 0)
			return refuse(err, "linux.resources.cpu.burst", "not supported by nsrun");
		if (json_integer_value(json_object_get(cpu, "idle")) != 0)
			return refuse(err, "linux.resources.cpu.idle", "not supported by nsrun");
	}
	/* Device rules: kept for a devices cgroup where the container could
	 * make nodes itself (cgroup.c); elsewhere a device is reachable inside
	 * only if nsrun created it, the listed devices and the default ones. */
	json_t *devices = json_object_get(res, "devices");
	if (json_array_size(devices) > 0 && parse_device_rules(devices, cfg, err) < 0)
		return -1;
	if (refuse_if_set(res, "hugepageLimits", "linux.resources.hugepageLimits", err) < 0 ||
	    refuse_if_set(res, "blockIO", "linux.resources.blockIO", err) < 0 ||
	    refuse_if_set(res, "network", "linux.resources.network", err) < 0 ||
	    refuse_if_set(res, "rdma", "linux.resources.rdma", err) < 0 ||
	    refuse_if_set(res, "unified", "linux.resources.unified", err) < 0)
		return -1;
	return 0;
}

static int parse_devices(json_t *list, struct oci_config *cfg, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d) {
		char field[40];
		(void)snprintf(field, sizeof(field), "linux.devices[%zu]", i);
		const char *path = json_string_value(json_object_get(d, "path"));
		const char *type = json_string_value(json_object_get(d, "type"));
		if (!path || path[0] != '/' || !type || strlen(type) != 1 || !strchr("cbpu", type[0]))
			return refuse(err, field, "needs an absolute path and a type c, b, u or p");
		struct nsrun_fs_op op = { .kind = NSRUN_FS_DEVICE, .dest = path,
					  .dev_type = (char)(type[0] == 'u' ? 'c' : type[0]), .mode = 0666 };
		uint32_t mode = 0666;
		if ((type[0] != 'p' && (get_u32(d, "major", field, &op.major, true, err) < 0 ||
					get_u32(d, "minor", field, &op.minor, true, err) < 0)) ||
		    get_u32(d, "fileMode", field, &mode, false, err) < 0 ||
		    get_u32(d, "uid", field, &op.uid, false, err) < 0 ||
		    get_u32(d, "gid", field, &op.gid, false, err) < 0)
			return -1;
		op.mode = (int)(mode & 07777);
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
		return refuse(err, field, "expected an array of paths");
	*out = calloc(json_array_size(list) + 1, sizeof(char *));
	if (!*out)
		return nsrun_fail(err, errno, "config.json");
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p) {
		if (!json_is_string(p))
			return refuse(err, field, "expected strings");
		(*out)[(*n)++] = json_string_value(p);
	}
	return 0;
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
	static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
						"kernel.sem", "kernel.shmall", "kernel.shmmax",
						"kernel.shmmni", "kernel.shm_rmid_forced", NULL };
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

/* Whether a '/'-separated path has a ".." component. */
static bool has_dot_dot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

static int parse_linux(struct oci_config *cfg, json_t *lx, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	json_t *v;
	if (is_set(v = json_object_get(lx, "namespaces")) && parse_namespaces(v, spec, err) < 0)
		return -1;
	if (is_set(v = json_object_get(lx, "uidMappings")) &&
	    parse_id_map(v, "linux.uidMappings", &spec->uid_map, err) < 0)
		return -1;
	if (is_set(v = json_object_get(lx, "gidMappings")) &&
	    parse_id_map(v, "linux.gidMappings", &spec->gid_map, err) < 0)
		return -1;
	if ((spec->uid_map.n || spec->gid_map.n) && !(spec->new_ns & CLONE_NEWUSER))
		return refuse(err, "linux.uidMappings", "needs a new user namespace");
	if (is_set(v = json_object_get(lx, "devices")) && parse_devices(v, cfg, err) < 0)
		return -1;
	spec->cgroup_path = json_string_value(json_object_get(lx, "cgroupsPath"));
	if (spec->cgroup_path && !*spec->cgroup_path)
		spec->cgroup_path = NULL;
	if (spec->cgroup_path && has_dot_dot(spec->cgroup_path))
		return refuse(err, "linux.cgroupsPath",
			      "'..' would leave the cgroup hierarchy (runc resolves it inside)");
	if (is_set(v = json_object_get(lx, "resources")) && parse_resources(v, cfg, err) < 0)
		return -1;
	if (is_set(v = json_object_get(lx, "maskedPaths")) &&
	    parse_paths(v, "linux.maskedPaths", &spec->masked_paths, &spec->n_masked_paths, err) < 0)
		return -1;
	if (is_set(v = json_object_get(lx, "readonlyPaths")) &&
	    parse_paths(v, "linux.readonlyPaths", &spec->readonly_paths, &spec->n_readonly_paths,
			err) < 0)
		return -1;
	const char *prop = json_string_value(json_object_get(lx, "rootfsPropagation"));
	if (prop) {
		static const char *const names[] = { "private", "slave", "shared", "unbindable" };
		const char *bare = prop[0] == 'r' && strcmp(prop, "rprivate") != 0 ? prop + 1 :
				   (strcmp(prop, "rprivate") == 0 ? "private" : prop);
		bool found = false;
		for (unsigned i = 0; i < 4 && !found; i++)
			if (strcmp(bare, names[i]) == 0 || strcmp(prop, names[i]) == 0) {
				spec->propagation = (enum nsrun_propagation)i;
				found = true;
			}
		if (!found)
			return refuse(err, "linux.rootfsPropagation", "unknown propagation");
	} else {
		spec->propagation = NSRUN_PROPAGATION_PRIVATE;
	}
	if (is_set(v = json_object_get(lx, "seccomp"))) {
		spec->seccomp = seccomp_from_json(v, "config.json: linux.seccomp", err);
		if (!spec->seccomp)
			return -1;
	}
	json_t *sysctl = json_object_get(lx, "sysctl");
	if (is_set(sysctl)) {
		const char *key;
		json_object_foreach(sysctl, key, v) {
			if (!sysctl_is_namespaced(spec, key)) {
				char why[160];
				(void)snprintf(why, sizeof(why),
					       "%.80s is not in a namespace of the container's own: it would "
					       "change the host", key);
				return refuse(err, "linux.sysctl", why);
			}
		}
		spec->sysctl = calloc(json_object_size(sysctl) + 1, sizeof(char *));
		if (!spec->sysctl)
			return nsrun_fail(err, errno, "config.json");
		json_object_foreach(sysctl, key, v) {
			char *kv = NULL;
			if (!json_is_string(v))
				return refuse(err, "linux.sysctl", "values must be strings");
			if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0 || !keep(cfg, kv, err))
				return -1;
			spec->sysctl[spec->n_sysctl++] = kv;
		}
	}
	if (refuse_if_set(lx, "mountLabel", "linux.mountLabel", err) < 0 ||
	    refuse_if_set(lx, "intelRdt", "linux.intelRdt", err) < 0 ||
	    refuse_if_set(lx, "personality", "linux.personality", err) < 0 ||
	    refuse_if_set(lx, "timeOffsets", "linux.timeOffsets", err) < 0 ||
	    refuse_if_set(lx, "memoryPolicy", "linux.memoryPolicy", err) < 0)
		return -1;
	return 0;
}

int oci_config_load(const char *bundle, struct oci_config *cfg, struct nsrun_error *err)
{
	char path[PATH_MAX];
	memset(cfg, 0, sizeof(*cfg));
	nsrun_spec_init(&cfg->spec);
	container_init(&cfg->container);
	cfg->spec.container = &cfg->container;
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path))
		return nsrun_fail(err, ENAMETOOLONG, "%s/config.json", bundle);
	if (oci_json_load_file(path, &cfg->json, err) < 0)
		return -1;
	json_t *root = cfg->json;
	cfg->oci_version = json_string_value(json_object_get(root, "ociVersion"));
	if (!cfg->oci_version || strncmp(cfg->oci_version, "1.", 2) != 0)
		return refuse(err, "ociVersion", "expected a 1.x version");
	json_t *r = json_object_get(root, "root");
	const char *rpath = json_string_value(json_object_get(r, "path"));
	if (!rpath)
		return refuse(err, "root.path", "missing");
	char *abs = NULL;
	if (rpath[0] == '/' ? !(abs = strdup(rpath)) : asprintf(&abs, "%s/%s", bundle, rpath) < 0)
		return nsrun_fail(err, errno, "config.json");
	if (!(cfg->rootfs = keep(cfg, abs, err)))
		return -1;
	struct nsrun_spec *spec = &cfg->spec;
	spec->rootfs = cfg->rootfs;
	spec->root_readonly = json_is_true(json_object_get(r, "readonly"));
	cfg->container.default_devices = true;
	cfg->annotations = json_object_get(root, "annotations");
	spec->hostname = json_string_value(json_object_get(root, "hostname"));
	spec->domainname = json_string_value(json_object_get(root, "domainname"));
	cfg->hooks = json_object_get(root, "hooks");
	if (oci_hooks_check(cfg->hooks, err) < 0)
		return -1;
	if (oci_config_process(cfg, json_object_get(root, "process"), "config.json", err) < 0)
		return -1;
	json_t *mounts = json_object_get(root, "mounts");
	if (is_set(mounts)) {
		if (!json_is_array(mounts))
			return refuse(err, "mounts", "expected an array");
		spec->fs_ops = calloc(json_array_size(mounts) + 1, sizeof(*spec->fs_ops));
		if (!spec->fs_ops)
			return nsrun_fail(err, errno, "config.json");
		size_t i;
		json_t *v;
		json_array_foreach(mounts, i, v) {
			if (parse_mount(cfg, bundle, v, i, &spec->fs_ops[spec->n_fs_ops], err) < 0)
				return -1;
			spec->n_fs_ops++;
		}
	}
	cfg->n_mount_ops = spec->n_fs_ops;
	json_t *lx = json_object_get(root, "linux");
	if (is_set(lx) && parse_linux(cfg, lx, err) < 0)
		return -1;
	if (!(spec->new_ns & CLONE_NEWNS))
		return refuse(err, "linux.namespaces", "nsrun needs a mount namespace");
	if ((spec->hostname || spec->domainname) && !(spec->new_ns & CLONE_NEWUTS))
		spec->hostname = spec->domainname = NULL; /* runc ignores them then */
	return 0;
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
	json_decref(cfg->json);
	cfg->json = NULL;
}
