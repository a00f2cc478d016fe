/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: a container's state.json, as state, list, kill, delete and
 * exec load it; then printed as `state` prints it, and saved and loaded
 * again. The input is written to a private temporary state root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "oci/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void print_each_status(const struct stored_container *st)
{
	for (int s = OCI_CREATING; s <= OCI_STOPPED; s++) {
		json_t *o = store_state_json(st, (enum oci_status)s);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (!text)
			abort();
		free(text);
		json_decref(o);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tmp_write("root/fuzz/state.json", data, size);
	char root[4200];
	snprintf(root, sizeof(root), "%s/root", fuzz_tmp_dir());
	struct stored_container st, again;
	struct nsrun_error err;
	/* Callers free the state only when it loaded. */
	if (store_load(root, "fuzz", &st, &err) < 0)
		return 0;
	print_each_status(&st);
	/* What nsrun saves it loads back unchanged. */
	if (store_save(&st, &err) < 0 || store_load(root, "fuzz", &again, &err) < 0)
		abort();
	if (again.pid != st.pid || again.start_time != st.start_time || again.owner != st.owner ||
	    again.namespaces != st.namespaces || again.n_cgroups != st.n_cgroups ||
	    strcmp(again.bundle, st.bundle) != 0 || strcmp(again.rootfs, st.rootfs) != 0 ||
	    strcmp(again.created, st.created) != 0 ||
	    strcmp(again.oci_version, st.oci_version) != 0)
		abort();
	for (unsigned i = 0; i < st.n_cgroups; i++)
		if (strcmp(again.cgroups[i], st.cgroups[i]) != 0)
			abort();
	store_free(&again);
	store_free(&st);
	return 0;
}
