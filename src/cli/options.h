/* The sandbox command line (nsrun [OPTIONS] [--] COMMAND [ARG...]),
 * parsed with getopt_long into a struct nsrun_spec. */
#ifndef NSRUN_CLI_OPTIONS_H
#define NSRUN_CLI_OPTIONS_H

#include <stdbool.h>

#include <nsrun/nsrun.h>

enum cli_action { CLI_RUN, CLI_HELP, CLI_VERSION };

struct cli_options {
	enum cli_action action;
	struct nsrun_spec spec; /* argv and join paths point into argv */
};

/* Parse argv. Option parsing stops at the first non-option. */
int cli_parse(int argc, char **argv, struct cli_options *opts, struct nsrun_error *err);

/* The --help text. */
void cli_usage(void);

#endif
