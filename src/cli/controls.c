/* SPDX-License-Identifier: Apache-2.0 */
/* Isolation controls: capabilities, seccomp, resource limits, cgroup
 * limits, masked and read-only paths. */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include <nsrun/seccomp.h>

#include "cli/parse.h"
#include "engine/limits/caps.h"
#include "engine/limits/rlimit.h"
#include "util/cleanup.h"
#include "util/file.h"

static int parse_cap(const char *text, const char *option, uint64_t *bits, struct nsrun_error *err)
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

/* The first capability option starts from every capability. */
static void caps_start(struct cap_state *caps)
{
	if (!caps->touched)
		caps->set = caps_all_named();
	caps->touched = true;
}

void cli_caps_drop(struct cap_state *caps, uint64_t bits)
{
	caps_start(caps);
	caps->set &= ~bits;
	caps->added &= ~bits;
}

static int cap_option(struct cli_parser *p, int c)
{
	bool add = c == OPT_CAP_ADD;
	uint64_t bits = 0;
	if (parse_cap(optarg, add ? "--cap-add" : "--cap-drop", &bits, p->err) < 0)
		return -1;
	p->opts->by_preset[NSRUN_ABOUT_CAPS] = false;
	if (!add) {
		cli_caps_drop(&p->caps, bits);
		return 0;
	}
	caps_start(&p->caps);
	p->caps.set |= bits;
	p->caps.added |= bits;
	return 0;
}

static void set_seccomp(struct cli_parser *p, struct nsrun_seccomp *profile)
{
	nsrun_seccomp_free(p->spec->seccomp);
	p->spec->seccomp = profile;
	p->opts->by_preset[NSRUN_ABOUT_SECCOMP] = false;
}

static int load_seccomp(struct cli_parser *p, const char *path)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	/* No limit of its own: the profile is the caller's. */
	if (file_read_all(path, SIZE_MAX - 1, false, &text, &len) < 0)
		return nsrun_fail(p->err, errno, "--seccomp %s", path);
	struct nsrun_seccomp *profile = nsrun_seccomp_parse(text, len, path, p->err);
	if (!profile)
		return -1;
	set_seccomp(p, profile);
	return 0;
}

int cli_use_default_seccomp(struct cli_parser *p)
{
	struct nsrun_seccomp *profile = nsrun_seccomp_default(p->err);
	if (!profile)
		return -1;
	set_seccomp(p, profile);
	return 0;
}

/* One value of --rlimit: a number or "unlimited" ("infinity"). */
static int rlimit_value(const char *option_text, const char *p, size_t len, uint64_t *v,
			struct nsrun_error *err)
{
	char num[32];
	if (len == 0 || len >= sizeof(num))
		return nsrun_fail(err, 0, "--rlimit '%s': expected NAME=SOFT[:HARD]", option_text);
	memcpy(num, p, len);
	num[len] = '\0';
	if (strcmp(num, "unlimited") == 0 || strcmp(num, "infinity") == 0) {
		*v = (uint64_t)RLIM_INFINITY;
		return 0;
	}
	char *end;
	errno = 0;
	*v = strtoull(num, &end, 10);
	if (errno || *end || num[0] == '-')
		return nsrun_fail(err, 0, "--rlimit '%s': '%s' is not a number or unlimited",
				  option_text, num);
	return 0;
}

/* NAME=SOFT or NAME=SOFT:HARD. */
static int add_rlimit(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
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
	const char *soft = eq + 1, *colon = strchr(soft, ':');
	uint64_t v[2] = { 0, 0 };
	if (rlimit_value(text, soft, colon ? (size_t)(colon - soft) : strlen(soft), &v[0], err) < 0)
		return -1;
	v[1] = v[0]; /* SOFT alone: the hard limit too */
	if (colon && rlimit_value(text, colon + 1, strlen(colon + 1), &v[1], err) < 0)
		return -1;
	if (v[0] > v[1])
		return nsrun_fail(err, 0, "--rlimit '%s': the soft limit is above the hard limit",
				  text);
	struct nsrun_rlimit *slot = cli_append(&spec->rlimits, spec->n_rlimits, sizeof(*slot));
	if (!slot)
		return nsrun_fail(err, errno, "--rlimit");
	*slot = (struct nsrun_rlimit){ resource, v[0], v[1] };
	spec->n_rlimits++;
	return 0;
}

static int set_cpus(struct nsrun_cgroup_limits *cg, const char *text, struct nsrun_error *err)
{
	char *end;
	errno = 0;
	double cpus = strtod(text, &end);
	if (errno || end == text || *end || !(cpus >= 0.01 && cpus <= 1024))
		return nsrun_fail(err, 0, "--cpus '%s': expected a number of CPUs from 0.01", text);
	cg->cpu_period = 100000;
	cg->cpu_quota = (uint64_t)(cpus * 100000 + 0.5);
	return 0;
}

/* The cgroup limits; 1 when c is not one of them. */
static int cgroup_option(struct cli_parser *p, int c)
{
	struct nsrun_cgroup_limits *cg = &p->spec->cgroup;
	uint64_t v = 0;
	switch (c) {
	case OPT_MEMORY:
		if (cli_parse_bytes(optarg, "--memory", &v, p->err) < 0)
			return -1;
		cg->memory = (int64_t)v;
		return 0;
	case OPT_MEMORY_SWAP:
		if (strcmp(optarg, "-1") == 0) {
			cg->memory_swap = -1;
			return 0;
		}
		if (cli_parse_bytes(optarg, "--memory-swap", &v, p->err) < 0)
			return -1;
		cg->memory_swap = (int64_t)v;
		return 0;
	case OPT_PIDS:
		if (cli_parse_range(optarg, "--pids", 1, INT32_MAX, &v, p->err) < 0)
			return -1;
		cg->pids = (int64_t)v;
		return 0;
	case OPT_CPUS: return set_cpus(cg, optarg, p->err);
	case OPT_CPU_WEIGHT:
		return cli_parse_range(optarg, "--cpu-weight", 1, 10000, &cg->cpu_weight, p->err);
	default: return 1;
	}
}

/* One more path on a list of the spec, and the option behind it. */
static int add_path(struct cli_parser *p, const char ***list, unsigned *n,
		    struct cli_origins *origins, const char *path, const char *option)
{
	const char **slot = cli_append(list, *n, sizeof(*slot));
	const char **origin =
		slot ? cli_append(&origins->option, origins->n, sizeof(*origin)) : NULL;
	if (!origin)
		return nsrun_fail(p->err, errno, "%s %s", option, path);
	*slot = path;
	(*n)++;
	origins->option[origins->n++] = option;
	p->spec->new_ns |= CLONE_NEWNS;
	return 0;
}

int cli_add_masked(struct cli_parser *p, const char *path, const char *option)
{
	return add_path(p, &p->spec->masked_paths, &p->spec->n_masked_paths, &p->opts->masked_paths,
			path, option);
}

int cli_add_readonly(struct cli_parser *p, const char *path, const char *option)
{
	return add_path(p, &p->spec->readonly_paths, &p->spec->n_readonly_paths,
			&p->opts->readonly_paths, path, option);
}

int cli_control_option(struct cli_parser *p, int c)
{
	switch (c) {
	case OPT_CAP_ADD:
	case OPT_CAP_DROP: return cap_option(p, c);
	case OPT_NO_NEW_PRIVS: p->spec->no_new_privs = true; return 0;
	case OPT_SECCOMP: return load_seccomp(p, optarg);
	case OPT_SECCOMP_DEFAULT: return cli_use_default_seccomp(p);
	case OPT_RLIMIT: return add_rlimit(p->spec, optarg, p->err);
	case OPT_MASK: return cli_add_masked(p, optarg, "--mask");
	case OPT_RO: return cli_add_readonly(p, optarg, "--ro");
	default: return cgroup_option(p, c);
	}
}
