/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: exec's --process FILE (process.json), read and applied over
 * a container's config as exec does. */
#include <stdint.h>

#include "fuzz_exec_common.h"
#include "oci/json.h"
#include "fuzz_spec_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The file's process replaces the config's: what the file leaves out is
 * not carried over from the base config (which sets all of it). */
static void check_replaced(const struct nsrun_spec *spec, json_t *process)
{
	json_t *user = json_object_get(process, "user");
	json_t *rlimits = json_object_get(process, "rlimits");
	json_t *gids = json_object_get(user, "additionalGids");
	if (spec->n_rlimits != (json_is_array(rlimits) ? json_array_size(rlimits) : 0) ||
	    spec->n_additional_gids != (json_is_array(gids) ? json_array_size(gids) : 0) ||
	    spec->user_ids_set != json_is_object(user) ||
	    spec->caps.set != json_is_object(json_object_get(process, "capabilities")) ||
	    (!json_object_get(user, "umask") && spec->umask != -1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_tmp_write("process.json", data, size);
	struct oci_config cfg;
	struct nsrun_error err;
	json_t *process = NULL;
	char *no_args[] = { NULL };
	struct exec_opts o = { .args = no_args };
	load_base(&cfg);
	if (oci_json_load_file(path, &process, &err) == 0 &&
	    exec_use_process_file(&cfg, process, path, &err) == 0 &&
	    exec_apply_options(&o, &cfg, &err) == 0) {
		check_exec_spec(&cfg.spec);
		check_replaced(&cfg.spec, process);
		fuzz_spec_round_trip(&cfg.spec);
	}
	json_decref(process);
	oci_config_free(&cfg);
	return 0;
}
