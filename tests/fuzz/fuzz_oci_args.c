/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the OCI verbs' command lines: the global flags before the
 * verb (oci_globals_parse, which oci_wants asks as main() decides between
 * the sandbox CLI and the runtime), create's and run's options, and kill's
 * signal names. The input is split at NUL bytes into argv words; the
 * first byte picks run or create. Nothing is executed: only the parsers
 * run. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_argv.h"
#include "oci/container_start.h"
#include "oci/oci.h"
#include "oci/procs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	bool is_run = data[0] & 1;
	char *argv[FUZZ_ARGV_SIZE];
	int argc;
	char *text = fuzz_argv(data + 1, size - 1, is_run ? "run" : "create", argv, &argc);
	if (!text)
		return 0;

	/* The verb the global flags lead to is a real one, after flags only,
	 * and oci_wants says so. */
	struct oci_globals g;
	int verb = oci_globals_parse(argc, argv, &g);
	if (verb > 0 && (!oci_verb_summary(argv[verb]) || !g.log_format || !g.cgroup_manager))
		abort();
	if (oci_wants(argc, argv) != (verb > 0))
		abort();

	struct create_opts o;
	struct nsrun_error err;
	int first = create_parse_options(argc, argv, is_run, &o, &err);
	if (first > 0) {
		if (!o.id || !o.bundle || o.preserve_fds < 0 || o.preserve_fds > 1000 ||
		    (o.detach && !is_run))
			abort();
	} else if (first < 0 && strchr(err.msg, '\n')) {
		abort(); /* errors are one line */
	}

	for (int i = 1; i < argc; i++) {
		int sig = procs_signal_number(argv[i]);
		if (sig != -1 && (sig < 1 || sig >= NSIG))
			abort();
	}
	free(text);
	return 0;
}
