/* SPDX-License-Identifier: Apache-2.0 */
/* --print-config: the finished spec as config.json. What the engine would
 * decide when the sandbox starts (the user inside, the working directory,
 * the capabilities a command keeps) is decided here the same way, for the
 * caller and the host of the moment. See print_config.h. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/capability.h>

#include "cli/print_config.h"
#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/hierarchy.h"
#include "engine/limits/caps.h"
#include "engine/limits/rlimit.h"
#include "engine/limits/seccomp.h"
#include "engine/ns/idmap.h"
#include "engine/ns/passwd.h"
#include "util/cleanup.h"
#include "oci/json.h"
#include "util/file.h"

/* nsrun's built-in seccomp profile as its JSON text (data/), for a
 * sandbox that uses it: the engine only carries it compiled. */
extern const unsigned char nsrun_default_seccomp_json[];
extern const unsigned long nsrun_default_seccomp_json_size;
extern const unsigned nsrun_default_seccomp_len;
extern const struct sock_filter nsrun_default_seccomp_prog[];

#define MAX_GROUPS 256
#define OVERFLOW_ID 65534

/* Who the command is inside: the ids and groups it runs with. */
struct identity {
	bool known; /* false: a joined user namespace, or an id not mapped */
	uint32_t uid, gid;
	uint32_t groups[MAX_GROUPS];
	size_t n_groups;
	char home[PASSWD_HOME_MAX]; /* --as: HOME from its passwd line */
};

int print_config_refuse(struct nsrun_error *err, const char *option)
{
	return nsrun_fail(err, 0, "--print-config: %s has no config.json equivalent", option);
}

static int no_memory(struct nsrun_error *err)
{
	return nsrun_fail(err, ENOMEM, "--print-config");
}

/* What the first process does besides its command, the setgroups choice
 * and --boot's stop signal: config.json has no field for them. */
static int refuse_process_options(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	const char *option = spec->n_keep_fds			       ? "--keep-fd"
			     : spec->block_fd >= 0		       ? "--block-fd"
			     : spec->json_status_fd >= 0	       ? "--json-status-fd"
			     : spec->init_group			       ? "--init-group"
			     : spec->init			       ? "--init"
			     : spec->die_with_parent		       ? "--die-with-parent"
			     : spec->no_pivot			       ? "--no-pivot"
			     : spec->setgroups == NSRUN_SETGROUPS_DENY ? "--setgroups"
			     /* The stop signal is the engine's, not the config's. */
			     : spec->stop_signal || spec->delegate_cgroup ? "--boot"
									  : NULL;
	return option ? print_config_refuse(err, option) : 0;
}

static bool map_id(const struct nsrun_id_map *map, uint32_t outside, uint32_t *inside)
{
	for (unsigned i = 0; i < map->n; i++) {
		const struct nsrun_id_range *r = &map->range[i];
		if (outside >= r->outside && outside - r->outside < r->count) {
			*inside = r->inside + (outside - r->outside);
			return true;
		}
	}
	return false;
}

static bool has_inside(const struct nsrun_id_map *map, uint32_t inside)
{
	for (unsigned i = 0; i < map->n; i++)
		if (inside >= map->range[i].inside &&
		    inside - map->range[i].inside < map->range[i].count)
			return true;
	return false;
}

/* The caller's supplementary groups, as the maps show them; unmapped ones
 * cannot be named in config.json and are left out. */
static void caller_groups(const struct nsrun_id_map *map, struct identity *id)
{
	gid_t groups[MAX_GROUPS];
	int n = getgroups(MAX_GROUPS, groups);
	id->n_groups = 0;
	for (int i = 0; i < n; i++) {
		uint32_t g = (uint32_t)groups[i];
		if (!map || map_id(map, g, &g))
			id->groups[id->n_groups++] = g;
	}
}

/* In a new user namespace the stage becomes its root where 0 is mapped
 * (user_become_ns_root), which drops the groups; else the caller's ids
 * as mapped. */
static void ids_in_user_ns(const struct idmap_plan *plan, struct identity *id)
{
	uint32_t uid = OVERFLOW_ID, gid = OVERFLOW_ID;
	bool uid_ok = map_id(&plan->uid, (uint32_t)geteuid(), &uid);
	bool gid_ok = map_id(&plan->gid, (uint32_t)getegid(), &gid);
	caller_groups(&plan->gid, id);
	if (!(uid_ok && uid == 0)) {
		if (has_inside(&plan->gid, 0)) {
			gid = 0;
			gid_ok = true;
			if (!plan->deny_setgroups)
				id->n_groups = 0;
		}
		if (has_inside(&plan->uid, 0)) {
			uid = 0;
			uid_ok = true;
		}
	}
	id->uid = uid;
	id->gid = gid;
	id->known = uid_ok && gid_ok;
}

static int caller_identity(const struct nsrun_spec *spec, struct idmap_plan *plan,
			   struct identity *id, struct nsrun_error *err)
{
	*id = (struct identity){ .known = true };
	if (idmap_plan_make(spec, false, plan, err) < 0)
		return -1;
	for (unsigned i = 0; i < spec->n_joins; i++)
		if (spec->joins[i].type == CLONE_NEWUSER)
			id->known = false;
	if (!id->known)
		return 0;
	if (spec->new_ns & CLONE_NEWUSER) {
		ids_in_user_ns(plan, id);
		return 0;
	}
	id->uid = (uint32_t)geteuid();
	id->gid = (uint32_t)getegid();
	caller_groups(NULL, id);
	return 0;
}

/* A file of the sandbox, read from where it comes from on the host; empty
 * where there is none. */
static int read_sandbox_file(const struct nsrun_spec *spec, const char *path, char **text,
			     size_t *len, struct nsrun_error *err)
{
	char host[4096];
	*text = NULL;
	*len = 0;
	if (!print_config_host_file(spec, path, host, sizeof(host)))
		return 0;
	if (file_read_all(host, 16u << 20, true, text, len) < 0)
		return nsrun_fail(err, errno, "--as: read %s", host);
	return 0;
}

/* --as USER[:GROUP] resolved as the engine does (user.c), in the files the
 * sandbox will have. */
static int resolve_as_user(const struct nsrun_spec *spec, struct identity *id,
			   struct nsrun_error *err)
{
	const char *as = spec->as_user, *colon = strchr(as, ':');
	size_t ulen = colon ? (size_t)(colon - as) : strlen(as);
	const char *group = colon ? colon + 1 : NULL;
	char user[PASSWD_NAME_MAX];
	if (ulen == 0 || ulen >= sizeof(user) || (group && *group == '\0'))
		return nsrun_fail(err, 0, "--as: expected USER[:GROUP], not '%s'", as);
	memcpy(user, as, ulen);
	user[ulen] = '\0';
	cleanup_free char *pw_text = NULL, *gr_text = NULL;
	size_t pw_len, gr_len;
	if (read_sandbox_file(spec, "/etc/passwd", &pw_text, &pw_len, err) < 0 ||
	    read_sandbox_file(spec, "/etc/group", &gr_text, &gr_len, err) < 0)
		return -1;
	struct passwd_entry pw;
	uint32_t uid = 0;
	bool numeric = passwd_parse_id(user, ulen, &uid);
	bool found = pw_text && passwd_find(pw_text, pw_len, numeric ? NULL : user, uid, &pw);
	if (!numeric && !found)
		return nsrun_fail(err, 0, "--as: no user '%s' in the sandbox's /etc/passwd", user);
	id->uid = found ? pw.uid : uid;
	id->gid = found ? pw.gid : id->gid; /* a bare number keeps the group */
	(void)snprintf(id->home, sizeof(id->home), "%s", found && pw.home[0] ? pw.home : "/");
	if (group && !passwd_parse_id(group, strlen(group), &id->gid) &&
	    !(gr_text && group_find_gid(gr_text, gr_len, group, &id->gid)))
		return nsrun_fail(err, 0, "--as: no group '%s' in the sandbox's /etc/group", group);
	id->groups[0] = id->gid;
	id->n_groups = 1;
	if (found && gr_text)
		id->n_groups =
			group_memberships(gr_text, gr_len, pw.name, id->groups, 1, MAX_GROUPS);
	id->known = true;
	return 0;
}

/* The environment the command gets: the spec's or the caller's, and HOME
 * of an --as user. */
static json_t *env_json(const struct nsrun_spec *spec, const struct identity *id)
{
	extern char **environ;
	char *const *env = spec->env ? spec->env : environ;
	json_t *list = json_array();
	for (size_t i = 0; list && env && env[i]; i++)
		if (!(spec->as_user && strncmp(env[i], "HOME=", 5) == 0))
			json_array_append_new(list, json_string(env[i]));
	if (list && spec->as_user) {
		cleanup_free char *home = NULL;
		if (asprintf(&home, "HOME=%s", id->home) < 0)
			home = NULL;
		json_array_append_new(list, home ? json_string(home) : NULL);
	}
	return list;
}

/* The variable's value in the command's environment. */
static const char *env_value(const struct nsrun_spec *spec, const char *key)
{
	extern char **environ;
	char *const *env = spec->env ? spec->env : environ;
	size_t len = strlen(key);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], key, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

/* --chdir, or where the sandbox would start: the caller's directory where
 * it exists inside, else $HOME, else / (setup.c). */
static json_t *cwd_json(const struct nsrun_spec *spec)
{
	char cwd[4096];
	if (spec->chdir)
		return json_string(spec->chdir);
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return json_string("/");
	if (!spec->rootfs && !spec->n_fs_ops)
		return json_string(cwd);
	if (print_config_dir_exists(spec, cwd))
		return json_string(cwd);
	const char *home = env_value(spec, "HOME");
	if (home && home[0] == '/' && print_config_dir_exists(spec, home))
		return json_string(home);
	return json_string("/");
}

static json_t *caps_list(uint64_t bits)
{
	json_t *list = json_array();
	for (int cap = 0; list && cap < 64; cap++)
		if ((bits & (1ULL << cap)) && caps_name(cap))
			json_array_append_new(list, json_string(caps_name(cap)));
	return list;
}

/* The bounding set the command starts with: in a user namespace made or
 * joined, every capability the kernel has; else the caller's. */
static uint64_t start_bounding(const struct nsrun_spec *spec)
{
	bool user_ns = spec->new_ns & CLONE_NEWUSER;
	for (unsigned i = 0; i < spec->n_joins; i++)
		user_ns = user_ns || spec->joins[i].type == CLONE_NEWUSER;
	uint64_t bits = 0;
	for (int cap = 0; cap < 64; cap++) {
		int held = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (held == 1 || (held == 0 && user_ns))
			bits |= 1ULL << cap;
	}
	return bits & caps_all_named();
}

/* The sets the command holds. Without capability options: what the
 * kernel leaves, the whole bounding set for root. */
static struct nsrun_caps final_caps(const struct nsrun_spec *spec, const struct identity *id)
{
	if (spec->caps.set)
		return spec->caps;
	struct nsrun_caps c = { .set = true, .bounding = start_bounding(spec) };
	if (id->known && id->uid == 0)
		c.effective = c.permitted = c.bounding;
	return c;
}

/* A filter installed without CAP_SYS_ADMIN comes with no_new_privs
 * (seccomp.c): the sandbox installs its filter last, as the command. */
static bool no_new_privs(const struct nsrun_spec *spec, const struct nsrun_caps *caps)
{
	return spec->no_new_privs ||
	       (spec->seccomp && !(caps->effective & (1ULL << CAP_SYS_ADMIN)));
}

static json_t *caps_json(const struct nsrun_caps *c)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "bounding", caps_list(c->bounding),
			 "effective", caps_list(c->effective), "inheritable",
			 caps_list(c->inheritable), "permitted", caps_list(c->permitted), "ambient",
			 caps_list(c->ambient));
}

static json_int_t rlimit_json_value(uint64_t v)
{
	/* RLIM_INFINITY is 2^64-1, which jansson's signed integers write as -1;
	 * nsrun and crun read -1 back as unlimited. */
	return v == (uint64_t)RLIM_INFINITY ? -1 : (json_int_t)v;
}

static json_t *rlimits_json(const struct nsrun_spec *spec)
{
	json_t *list = json_array();
	for (unsigned i = 0; list && i < spec->n_rlimits; i++) {
		const struct nsrun_rlimit *r = &spec->rlimits[i];
		char type[40];
		(void)snprintf(type, sizeof(type), "RLIMIT_%s", rlimit_name(r->resource));
		json_array_append_new(list, json_pack("{s:s, s:I, s:I}", "type", type, "soft",
						      rlimit_json_value(r->soft), "hard",
						      rlimit_json_value(r->hard)));
	}
	return list;
}

static json_t *user_json(const struct nsrun_spec *spec, const struct identity *id)
{
	json_t *user =
		json_pack("{s:I, s:I}", "uid", (json_int_t)id->uid, "gid", (json_int_t)id->gid);
	if (user && spec->umask >= 0)
		json_object_set_new(user, "umask", json_integer(spec->umask));
	json_t *groups = json_array();
	for (size_t i = 0; groups && i < id->n_groups; i++)
		json_array_append_new(groups, json_integer(id->groups[i]));
	if (user && json_object_set_new(user, "additionalGids", groups) < 0) {
		json_decref(user);
		return NULL;
	}
	return user;
}

static int process_json(const struct nsrun_spec *spec, const struct identity *id, json_t *config,
			struct nsrun_error *err)
{
	struct nsrun_caps caps = final_caps(spec, id);
	json_t *args = json_array();
	for (size_t i = 0; args && spec->argv[i]; i++)
		json_array_append_new(args, json_string(spec->argv[i]));
	json_t *p = json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:b}", "terminal", 0, "args", args,
			      "env", env_json(spec, id), "cwd", cwd_json(spec), "capabilities",
			      caps_json(&caps), "rlimits", rlimits_json(spec), "noNewPrivileges",
			      no_new_privs(spec, &caps));
	if (!p || json_object_set_new(config, "process", p) < 0)
		return no_memory(err);
	/* An unmapped id cannot be asked for: the engine is left to do as the
	 * sandbox does, switch nothing. */
	if (id->known && json_object_set_new(p, "user", user_json(spec, id)) < 0)
		return no_memory(err);
	if (!id->known && spec->umask >= 0)
		return print_config_refuse(err, "--umask");
	return 0;
}

static json_t *namespaces_json(const struct nsrun_spec *spec)
{
	static const struct {
		unsigned long flag;
		const char *type;
	} types[] = {
		{ CLONE_NEWPID, "pid" },       { CLONE_NEWNET, "network" },
		{ CLONE_NEWNS, "mount" },      { CLONE_NEWIPC, "ipc" },
		{ CLONE_NEWUTS, "uts" },       { CLONE_NEWUSER, "user" },
		{ CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
	};
	json_t *list = json_array();
	for (size_t i = 0; list && i < ARRAY_SIZE(types); i++) {
		if (spec->new_ns & types[i].flag)
			json_array_append_new(list, json_pack("{s:s}", "type", types[i].type));
		for (unsigned k = 0; k < spec->n_joins; k++)
			if ((unsigned long)spec->joins[k].type == types[i].flag)
				json_array_append_new(list,
						      json_pack("{s:s, s:s}", "type", types[i].type,
								"path", spec->joins[k].path));
	}
	return list;
}

static json_t *id_map_json(const struct nsrun_id_map *map)
{
	json_t *list = json_array();
	for (unsigned i = 0; list && i < map->n; i++)
		json_array_append_new(list, json_pack("{s:I, s:I, s:I}", "containerID",
						      (json_int_t)map->range[i].inside, "hostID",
						      (json_int_t)map->range[i].outside, "size",
						      (json_int_t)map->range[i].count));
	return list;
}

/* Whether the cpu controller is in the cgroup v2 tree, where the weight
 * is written as it is (cgroup/limits.c); in v1 it becomes shares. */
static bool cpu_in_v2(void)
{
	const char *root = cgroup_v2_root();
	char path[256], list[512];
	if (!root)
		return false;
	(void)snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	ssize_t n = file_read(path, list, sizeof(list));
	return n > 0 && cgroup_word_in(list, "cpu");
}

static json_t *cpu_json(const struct nsrun_cgroup_limits *l)
{
	json_t *cpu = json_object();
	if (cpu && l->cpu_quota)
		json_object_set_new(cpu, "quota", json_integer((json_int_t)l->cpu_quota));
	if (cpu && l->cpu_quota)
		json_object_set_new(cpu, "period", json_integer((json_int_t)l->cpu_period));
	/* The shares the engine writes for a weight on cgroup v1. */
	if (cpu && l->cpu_weight && !cpu_in_v2()) {
		uint64_t shares = 2 + (l->cpu_weight - 1) * 262142 / 9999;
		json_object_set_new(cpu, "shares", json_integer((json_int_t)shares));
	}
	return cpu;
}

/* The limits the sandbox's options set (--memory, --memory-swap, --pids,
 * --cpus, --cpu-weight). */
static json_t *resources_json(const struct nsrun_cgroup_limits *l)
{
	json_t *res = json_object();
	if (!res)
		return NULL;
	if (l->memory || l->memory_swap) {
		json_t *mem = json_object();
		if (mem && l->memory)
			json_object_set_new(mem, "limit", json_integer(l->memory));
		if (mem && l->memory_swap)
			json_object_set_new(mem, "swap", json_integer(l->memory_swap));
		json_object_set_new(res, "memory", mem);
	}
	if (l->pids)
		json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t)l->pids));
	json_t *cpu = cpu_json(l);
	if (cpu && json_object_size(cpu))
		json_object_set_new(res, "cpu", cpu);
	else
		json_decref(cpu);
	if (l->cpu_weight && cpu_in_v2()) {
		char w[24];
		(void)snprintf(w, sizeof(w), "%llu", (unsigned long long)l->cpu_weight);
		json_object_set_new(res, "unified", json_pack("{s:s}", "cpu.weight", w));
	}
	return res;
}

/* The profile in OCI form: a parsed one as it was given, the built-in one
 * from its JSON text. */
static json_t *seccomp_json(const struct nsrun_seccomp *p, struct nsrun_error *err)
{
	if (p->n_rules || p->default_action) {
		json_t *obj = seccomp_to_json(p);
		if (!obj)
			no_memory(err);
		return obj;
	}
	if (p->prog_len != nsrun_default_seccomp_len ||
	    memcmp(p->prog, nsrun_default_seccomp_prog, p->prog_len * sizeof(*p->prog)) != 0) {
		nsrun_fail(err, 0, "--print-config: a seccomp filter without its profile");
		return NULL;
	}
	json_error_t jerr;
	json_t *obj = json_loadb((const char *)nsrun_default_seccomp_json,
				 nsrun_default_seccomp_json_size, 0, &jerr);
	if (!obj)
		nsrun_fail(err, 0, "--print-config: the built-in seccomp profile: %s", jerr.text);
	return obj;
}

static json_t *paths_json(const char *const *paths, unsigned n)
{
	json_t *list = json_array();
	for (unsigned i = 0; list && i < n; i++)
		json_array_append_new(list, json_string(paths[i]));
	return list;
}

static int linux_json(const struct nsrun_spec *spec, const struct idmap_plan *plan, json_t *config,
		      struct nsrun_error *err)
{
	static const char *const propagation[] = { "rprivate", "rslave", "rshared", "runbindable" };
	json_t *lx = json_pack("{s:o}", "namespaces", namespaces_json(spec));
	if (!lx || json_object_set_new(config, "linux", lx) < 0)
		return no_memory(err);
	if (spec->new_ns & CLONE_NEWUSER) {
		json_object_set_new(lx, "uidMappings", id_map_json(&plan->uid));
		json_object_set_new(lx, "gidMappings", id_map_json(&plan->gid));
	}
	if (cgroup_limits_set(&spec->cgroup))
		json_object_set_new(lx, "resources", resources_json(&spec->cgroup));
	if (spec->seccomp) {
		json_t *sc = seccomp_json(spec->seccomp, err);
		if (!sc || json_object_set_new(lx, "seccomp", sc) < 0)
			return -1;
	}
	if (spec->n_masked_paths)
		json_object_set_new(lx, "maskedPaths",
				    paths_json(spec->masked_paths, spec->n_masked_paths));
	if (spec->n_readonly_paths)
		json_object_set_new(lx, "readonlyPaths",
				    paths_json(spec->readonly_paths, spec->n_readonly_paths));
	if ((spec->new_ns & CLONE_NEWNS) && (unsigned)spec->propagation < ARRAY_SIZE(propagation))
		json_object_set_new(lx, "rootfsPropagation",
				    json_string(propagation[spec->propagation]));
	return 0;
}

static int build(const struct cli_options *opts, json_t *config, struct nsrun_error *err)
{
	const struct nsrun_spec *spec = &opts->spec;
	struct idmap_plan plan;
	struct identity id;
	if (refuse_process_options(spec, err) < 0 || caller_identity(spec, &plan, &id, err) < 0 ||
	    (spec->as_user && resolve_as_user(spec, &id, err) < 0))
		return -1;
	if (process_json(spec, &id, config, err) < 0 || print_config_root(opts, config, err) < 0)
		return -1;
	if ((spec->hostname &&
	     json_object_set_new(config, "hostname", json_string(spec->hostname)) < 0) ||
	    (spec->domainname &&
	     json_object_set_new(config, "domainname", json_string(spec->domainname)) < 0))
		return no_memory(err);
	return linux_json(spec, &plan, config, err);
}

int cli_print_config(const struct cli_options *opts, struct nsrun_error *err)
{
	cleanup_json json_t *config = json_pack("{s:s}", "ociVersion", "1.0.2");
	if (!config)
		return no_memory(err);
	if (build(opts, config, err) < 0)
		return -1;
	if (json_dumpf(config, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
	    putchar('\n') == EOF || fflush(stdout) == EOF)
		return nsrun_fail(err, errno, "--print-config: write the config");
	return 0;
}
