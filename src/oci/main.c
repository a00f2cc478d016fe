/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI front end: global flags, the verb table, dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci/oci.h"
#include "util/cleanup.h"

/* Every verb: its name, the function in verb_NAME.c, and its summary
 * (the first line of its --help). A new verb is a file and a row here. */
static const struct {
	const char *name;
	oci_verb_fn *fn;
	const char *summary;
} verbs[] = {
	{ "create", verb_create, "create a container from a bundle, parked until start" },
	{ "start", verb_start, "start a created container: its process runs" },
	{ "run", verb_run, "create and start a container, and wait for it unless detached" },
	{ "state", verb_state, "print the state of a container as JSON" },
	{ "kill", verb_kill, "send a signal to a container's init, or to all its processes" },
	{ "delete", verb_delete, "delete a stopped container, or with --force any" },
	{ "exec", verb_exec, "run another process in a running container" },
	{ "ps", verb_ps, "list the processes of a container" },
	{ "list", verb_list, "list the containers of the state root" },
	{ "features", verb_features, "print what this runtime implements, as JSON" },
	{ "spec", verb_spec, "write a starter config.json into a bundle" },
	{ "pause", verb_pause, "freeze every process of a running container" },
	{ "resume", verb_resume, "thaw the processes of a paused container" },
	{ "events", verb_events, "print a container's use as JSON, once or as it goes" },
	{ "update", verb_update, "change the cgroup limits of a running container" },
};

static int find_verb(const char *name)
{
	for (size_t k = 0; k < ARRAY_SIZE(verbs); k++)
		if (strcmp(name, verbs[k].name) == 0)
			return (int)k;
	return -1;
}

const char *oci_verb_summary(const char *name)
{
	int k = find_verb(name);
	return k < 0 ? NULL : verbs[k].summary;
}

enum {
	G_ROOT = 0x100,
	G_LOG,
	G_LOG_FORMAT,
	G_CGROUP_MANAGER,
	G_DEBUG,
	G_SYSTEMD_CGROUP,
	G_IGNORED
};

/* runc's global flags. Those without a value take "=VALUE", ignored, as
 * they always have; --log-level, --rootless, --criu and --no-new-keyring
 * are accepted and have no effect. */
static const struct option global_flags[] = {
	{ "root", required_argument, NULL, G_ROOT },
	{ "log", required_argument, NULL, G_LOG },
	{ "log-format", required_argument, NULL, G_LOG_FORMAT },
	{ "cgroup-manager", required_argument, NULL, G_CGROUP_MANAGER },
	{ "debug", optional_argument, NULL, G_DEBUG },
	{ "systemd-cgroup", optional_argument, NULL, G_SYSTEMD_CGROUP },
	{ "log-level", required_argument, NULL, G_IGNORED },
	{ "rootless", required_argument, NULL, G_IGNORED },
	{ "criu", required_argument, NULL, G_IGNORED },
	{ "no-new-keyring", optional_argument, NULL, G_IGNORED },
	{ NULL, 0, NULL, 0 },
};

/* Whether arg is the flag `name` written out in full: getopt_long also
 * takes an abbreviation, which is no OCI command line. */
static bool spelled_out(const char *arg, const char *name)
{
	size_t len = strlen(name);
	return strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name, len) == 0 &&
	       (arg[2 + len] == '\0' || arg[2 + len] == '=');
}

static void take_global(int c, const char *value, struct oci_globals *g)
{
	switch (c) {
	case G_ROOT: g->root = value; break;
	case G_LOG: g->log_path = value; break;
	case G_LOG_FORMAT: g->log_format = value; break;
	case G_CGROUP_MANAGER: g->cgroup_manager = value; break;
	case G_DEBUG: g->debug = true; break;
	case G_SYSTEMD_CGROUP: g->systemd_cgroup = true; break;
	default: break;
	}
}

int oci_globals_parse(int argc, char **argv, struct oci_globals *g)
{
	*g = (struct oci_globals){ .log_format = "text", .cgroup_manager = "cgroupfs" };
	opterr = 0;
	optind = 0;
	for (;;) {
		/* "+": the first word that is no flag, the verb, ends them. No
		 * short flags: "-x" is an error. */
		int before = optind ? optind : 1, index = -1;
		int c = getopt_long(argc, argv, "+:", global_flags, &index);
		if (c == -1) {
			/* optind moved: getopt_long skipped a "--", which is no verb. */
			bool at_verb =
				optind == before && optind < argc && find_verb(argv[optind]) >= 0;
			return at_verb ? optind : -1;
		}
		if (c == '?' || c == ':' || index < 0 ||
		    !spelled_out(argv[before], global_flags[index].name))
			return -1;
		take_global(c, optarg, g);
	}
}

bool oci_wants(int argc, char **argv)
{
	struct oci_globals g;
	return oci_globals_parse(argc, argv, &g) > 0;
}

/* The global flags' values, once parsed. */
static int check_globals(struct oci_globals *g, struct nsrun_error *err)
{
	if (strcmp(g->cgroup_manager, "systemd") == 0)
		g->systemd_cgroup = true;
	if (strcmp(g->cgroup_manager, "cgroupfs") != 0 &&
	    strcmp(g->cgroup_manager, "systemd") != 0 && strcmp(g->cgroup_manager, "disabled") != 0)
		return nsrun_fail(err, 0,
				  "--cgroup-manager '%s': expected cgroupfs, systemd or disabled",
				  g->cgroup_manager);
	return 0;
}

int oci_main(int argc, char **argv)
{
	struct oci_globals g;
	struct nsrun_error err = { 0 };
	int verb = oci_globals_parse(argc, argv, &g);
	int status = -1;
	if (verb < 0)
		nsrun_fail(&err, 0, "not an OCI command line");
	else if (oci_log_open(&g, &err) == 0 && check_globals(&g, &err) == 0)
		status = verbs[find_verb(argv[verb])].fn(&g, argc - verb, argv + verb, &err);
	if (status < 0) {
		oci_log_error(err.msg);
		fprintf(stderr, "nsrun: %s\n", err.msg);
		status = err.status ? err.status : NSRUN_EXIT_FAILURE;
	}
	oci_log_close();
	return status;
}
