/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the sandbox command line. The input is split at NUL bytes
 * into argv words. --seccomp FILE and --env-file FILE read files (their
 * contents are fuzz_seccomp's and fuzz_envfile's): an input that could name
 * one is skipped, so that no word makes the target read /dev/zero or a
 * FIFO. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "fuzz_argv.h"
#include "fuzz_spec_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether getopt_long could take this word for --seccomp or --env-file
 * (abbreviated, or with =VALUE). */
static bool names_a_file_option(const char *word)
{
	return (strncmp(word, "--sec", 5) == 0 && strcmp(word, "--seccomp-default") != 0) ||
	       strncmp(word, "--en", 4) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_ARGV_SIZE];
	int argc;
	char *text = fuzz_argv(data, size, "nsrun", argv, &argc);
	if (!text)
		return 0;
	for (int i = 1; i < argc; i++) {
		if (names_a_file_option(argv[i])) {
			free(text);
			return 0;
		}
	}
	struct cli_options opts;
	struct nsrun_error err;
	if (cli_parse(argc, argv, &opts, &err) == 0 && opts.action == CLI_RUN)
		fuzz_spec_round_trip(&opts.spec);
	cli_options_release(&opts);
	free(text);
	return 0;
}
