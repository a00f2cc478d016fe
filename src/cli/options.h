/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox command line (nsrun [OPTIONS] [--] COMMAND [ARG...]),
 * parsed with getopt_long into a struct nsrun_spec. */
#ifndef NSRUN_CLI_OPTIONS_H
#define NSRUN_CLI_OPTIONS_H

#include <stdbool.h>

#include <nsrun/nsrun.h>

enum cli_action { CLI_RUN, CLI_HELP, CLI_VERSION };

/* What an error about a step the --sandbox preset added names. */
#define CLI_PRESET "--sandbox"
/* And one that --boot added. */
#define CLI_BOOT "--boot"

/* The option that made each element of one of the spec's lists, such as
 * "--ro-bind" or CLI_PRESET: an error about the element names it. */
struct cli_origins {
	const char **option;
	unsigned n;
};

struct cli_options {
	enum cli_action action;
	bool print_config; /* --print-config: write the spec as config.json */
	struct nsrun_spec spec; /* argv and join paths point into argv */
	struct cli_origins fs_ops, masked_paths, readonly_paths;
	/* Parts of the spec (enum nsrun_about) the preset set and no later
	 * option changed: the hostname, the id maps, seccomp, capabilities. */
	bool by_preset[NSRUN_ABOUT_COUNT];
};

/* Parse argv. Option parsing stops at the first non-option. The CLI's own
 * checks and nsrun_spec_validate run last. Whatever the result, release
 * opts with cli_options_release. */
int cli_parse(int argc, char **argv, struct cli_options *opts, struct nsrun_error *err);

void cli_options_release(struct cli_options *opts);

/* The --help text. */
void cli_usage(void);

#endif
