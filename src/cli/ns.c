/* SPDX-License-Identifier: Apache-2.0 */
/* Namespace options: which ones are new, which are joined, and the id maps
 * of a new user namespace. */
#include <sched.h>
#include <string.h>

#include "cli/parse.h"
#include "engine/ns/idmap.h"
#include "engine/ns/namespaces.h"
#include "util/cleanup.h"

static const struct {
	int opt;
	unsigned long flags;
} new_ns_options[] = {
	{ 'U', CLONE_NEWUSER },	  { 'm', CLONE_NEWNS },	  { 'p', CLONE_NEWPID },
	{ 'n', CLONE_NEWNET },	  { 'u', CLONE_NEWUTS },  { 'i', CLONE_NEWIPC },
	{ 'C', CLONE_NEWCGROUP }, { 'T', CLONE_NEWTIME }, { 'a', NS_ALL_FLAGS },
};

static int add_join(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
{
	const char *colon = strchr(text, ':');
	if (!colon || colon == text || colon[1] == '\0')
		return nsrun_fail(err, 0,
				  "--join '%s': expected TYPE:PATH, e.g. net:/proc/1234/ns/net",
				  text);
	char type[16];
	size_t len = (size_t)(colon - text);
	int flag = 0;
	if (len < sizeof(type)) {
		memcpy(type, text, len);
		type[len] = '\0';
		flag = ns_flag_from_name(type);
	}
	if (flag == 0)
		return nsrun_fail(err, 0,
				  "--join '%s': unknown namespace type '%.*s' "
				  "(user, mnt, pid, net, uts, ipc, cgroup or time)",
				  text, (int)len, text);
	if (spec->n_joins == NSRUN_MAX_JOINS)
		return nsrun_fail(err, 0, "--join '%s': too many joins", text);
	spec->joins[spec->n_joins].type = flag;
	spec->joins[spec->n_joins].path = colon + 1;
	spec->n_joins++;
	return 0;
}

/* -r, -M/-G and --map-auto choose the same thing: one of them at a time. */
static int set_id_source(struct cli_parser *p, enum nsrun_id_source src, const char *option)
{
	struct nsrun_spec *spec = p->spec;
	if (p->id_option && strcmp(p->id_option, option) != 0 &&
	    !(src == NSRUN_IDS_EXPLICIT && spec->id_source == NSRUN_IDS_EXPLICIT))
		return nsrun_fail(p->err, 0, "%s: conflicts with %s", option, p->id_option);
	p->id_option = option;
	spec->id_source = src;
	spec->new_ns |= CLONE_NEWUSER;
	p->opts->by_preset[NSRUN_ABOUT_ID_SOURCE] = false;
	return 0;
}

static int add_map(struct cli_parser *p, int c)
{
	bool uid = c == 'M';
	if (set_id_source(p, NSRUN_IDS_EXPLICIT, uid ? "-M/--uid-map" : "-G/--gid-map") < 0)
		return -1;
	return idmap_parse(optarg, uid ? "-M" : "-G", uid ? &p->spec->uid_map : &p->spec->gid_map,
			   p->err);
}

static int set_setgroups(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
{
	if (strcmp(text, "allow") == 0)
		spec->setgroups = NSRUN_SETGROUPS_ALLOW;
	else if (strcmp(text, "deny") == 0)
		spec->setgroups = NSRUN_SETGROUPS_DENY;
	else
		return nsrun_fail(err, 0, "--setgroups '%s': expected allow or deny", text);
	return 0;
}

int cli_ns_option(struct cli_parser *p, int c)
{
	for (size_t i = 0; i < ARRAY_SIZE(new_ns_options); i++) {
		if (new_ns_options[i].opt == c) {
			p->spec->new_ns |= new_ns_options[i].flags;
			return 0;
		}
	}
	switch (c) {
	case 'f': p->spec->force_child = true; return 0;
	case OPT_JOIN: return add_join(p->spec, optarg, p->err);
	case 'r':
	case 'z': return set_id_source(p, NSRUN_IDS_ROOT, "-r/--map-root-user");
	case OPT_MAP_AUTO: return set_id_source(p, NSRUN_IDS_AUTO, "--map-auto");
	case 'M':
	case 'G': return add_map(p, c);
	case OPT_SETGROUPS: return set_setgroups(p->spec, optarg, p->err);
	default: return 1;
	}
}
