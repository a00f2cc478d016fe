/* SPDX-License-Identifier: Apache-2.0 */
/* list: the containers of the state root. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "oci/json.h"
#include "oci/verb.h"
#include "util/cleanup.h"

struct list_opts {
	const char *format;
	bool quiet;
	bool json; /* --format json */
};

static const struct oci_command list_command = {
	.verb = "list",
	.operands = "",
	.anywhere = true,
	.options = OCI_OPTIONS(
		{ "format", 'f', "FORMAT", "table (the default) or json",
		  OCI_INTO(struct list_opts, format) },
		{ "quiet", 'q', NULL, "the ids only", OCI_INTO(struct list_opts, quiet) }),
};

/* One container as --format json lists it: its state and its owner. */
static json_t *list_json(const struct stored_container *ct, enum oci_status s)
{
	json_t *o = store_state_json(ct, s);
	char owner[32];
	(void)snprintf(owner, sizeof(owner), "#%u", (unsigned)ct->owner); /* a number: fits */
	json_object_set_new(o, "owner", json_string(ct->owner == 0 ? "root" : owner));
	return o;
}

/* The container of a directory entry, printed or (json) added to all;
 * an entry that is no container is passed over. */
static void list_one(const char *root, const char *id, const struct list_opts *o, json_t *all)
{
	struct nsrun_error ignored;
	cleanup_store struct stored_container ct = { 0 };
	if (store_load(root, id, &ct, &ignored) < 0)
		return;
	enum oci_status s = store_status(&ct);
	if (o->quiet)
		printf("%s\n", ct.id);
	else if (o->json)
		json_array_append_new(all, list_json(&ct, s));
	else
		printf("%-20s %-8d %-10s %-40s %-31s %s\n", ct.id, s == OCI_STOPPED ? 0 : ct.pid,
		       store_status_name(s), ct.bundle, ct.created, ct.owner == 0 ? "root" : "");
}

int verb_list(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct list_opts o = { .format = "table" };
	int first = oci_parse(&list_command, argc, argv, &o, err);
	if (first <= 0)
		return first;
	o.json = strcmp(o.format, "json") == 0;
	if (first < argc)
		return nsrun_fail(err, 0, "list: unexpected argument '%s'", argv[first]);
	const char *root = store_root(g->root);
	cleanup_closedir DIR *d = opendir(root);
	cleanup_json json_t *all = json_array();
	if (!o.quiet && !o.json)
		printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		list_one(root, e->d_name, &o, all);
	if (!o.json)
		return 0;
	if (json_array_size(all) == 0) {
		printf("null\n");
		return 0;
	}
	return oci_json_print(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER, err);
}
