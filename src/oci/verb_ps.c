/* ps: the pids of a container's processes (those of its cgroup). */
#include <stdio.h>
#include <string.h>

#include "oci/json.h"
#include "oci/procs.h"
#include "oci/verb.h"
#include "util/cleanup.h"

struct ps_opts {
	const char *format;
};

static const struct oci_command ps_command = {
	.verb = "ps",
	.operands = "ID [PS-ARGS...]",
	.anywhere = true,
	.options = {
		{ "format", 'f', "FORMAT", "table (the default) or json",
		  OCI_INTO(struct ps_opts, format) },
	},
};

static int print_pids(const pid_t *pids, int n, bool json, struct nsrun_error *err)
{
	if (json) {
		cleanup_json json_t *a = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(a, json_integer(pids[i]));
		return oci_json_print(a, JSON_COMPACT, err);
	}
	printf("PID\n");
	for (int i = 0; i < n; i++)
		printf("%d\n", (int)pids[i]);
	return 0;
}

int verb_ps(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct ps_opts o = { .format = "table" };
	int first = oci_parse(&ps_command, argc, argv, &o, err);
	if (first <= 0)
		return first;
	/* Words after the id are ps(1)'s: nsrun lists pids only. */
	if (first >= argc)
		return nsrun_fail(err, 0, "ps: expected a container id");
	cleanup_store struct stored_container ct = { 0 };
	if (store_load(store_root(g->root), argv[first], &ct, err) < 0)
		return -1;
	pid_t pids[PROCS_MAX];
	int n = store_status(&ct) == OCI_STOPPED ? 0 : procs_cgroup_pids(&ct, pids, PROCS_MAX);
	if (n < 0) {
		pids[0] = ct.pid;
		n = 1;
	}
	return print_pids(pids, n, strcmp(o.format, "json") == 0, err);
}
