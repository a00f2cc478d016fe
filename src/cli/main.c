/* SPDX-License-Identifier: Apache-2.0 */
/* nsrun: the program. Stage dispatch first (the re-executed init stage never
 * reaches the command line), then the sandbox front end. */
#include <stdio.h>

#include <nsrun/nsrun.h>

#include "cli/errors.h"
#include "cli/options.h"
#include "cli/print_config.h"
#include "oci/oci.h"
#include "util/prefault.h"

#if defined(__SANITIZE_ADDRESS__)
/* In the sanitizer build, LeakSanitizer's exit check clones a process to
 * stop the world: once nsrun has joined a container's PID namespace (OCI
 * exec) that process lands inside it and the exit hangs, also under podman
 * and containerd, whose environment nsrun does not control. The unit tests,
 * which do not link this file, keep leak checking. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static int fail(const struct nsrun_error *err)
{
	nsrun_error_print(err);
	return err->status ? err->status : NSRUN_EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	prefault_heap();
	nsrun_reexec_dispatch(argc, argv);
	if (oci_wants(argc, argv))
		return oci_main(argc, argv);

	struct cli_options opts;
	struct nsrun_error err = { 0 };
	if (cli_parse(argc, argv, &opts, &err) < 0) {
		cli_options_release(&opts);
		return fail(&err);
	}
	if (opts.action == CLI_HELP) {
		cli_usage();
		return 0;
	}
	if (opts.action == CLI_VERSION) {
		printf("nsrun version %s\nspec: 1.2.0\n", NSRUN_VERSION);
		return 0;
	}
	if (opts.print_config) {
		int rc = cli_print_config(&opts, &err);
		cli_options_release(&opts);
		return rc < 0 ? fail(&err) : 0;
	}
	int status = nsrun_run(&opts.spec, &err);
	if (status < 0)
		cli_error_wrap(&opts, &err);
	cli_options_release(&opts);
	return status < 0 ? fail(&err) : status;
}
