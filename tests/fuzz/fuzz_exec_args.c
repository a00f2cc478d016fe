/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: exec's command line (nsrun exec [OPTIONS] ID [COMMAND...]),
 * parsed and applied over a container's config as exec does. The input is
 * split at NUL bytes into argv words. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_argv.h"
#include "fuzz_exec_common.h"
#include "fuzz_spec_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* -e NAME=VALUE replaces the config's NAME: no name twice (the base config
 * has none twice). */
static void check_env_unique(char **env)
{
	for (size_t i = 0; env && env[i]; i++) {
		size_t len = (size_t)(strchr(env[i], '=') - env[i]) + 1;
		for (size_t k = i + 1; env[k]; k++)
			if (strncmp(env[i], env[k], len) == 0)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_ARGV_SIZE];
	int argc;
	char *text = fuzz_argv(data, size, "exec", argv, &argc);
	if (!text)
		return 0;
	struct exec_opts o;
	struct nsrun_error err;
	if (exec_parse_options(argc, argv, &o, &err) > 0) {
		struct oci_config cfg;
		load_base(&cfg);
		/* --process FILE is fuzz_process's; here the config's process stays. */
		if (exec_apply_options(&o, &cfg, &err) == 0) {
			check_exec_spec(&cfg.spec);
			check_env_unique(cfg.spec.env);
			fuzz_spec_round_trip(&cfg.spec);
		}
		oci_config_free(&cfg);
	}
	exec_opts_free(&o);
	free(text);
	return 0;
}
