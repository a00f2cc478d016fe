/* SPDX-License-Identifier: Apache-2.0 */
/* Engine errors in the sandbox CLI's words: the option behind the part of
 * the spec an error is about goes before the engine's message. */
#ifndef NSRUN_CLI_ERRORS_H
#define NSRUN_CLI_ERRORS_H

#include <nsrun/nsrun.h>

#include "cli/options.h"

/* "--hostname: set the hostname to box: Operation not permitted"; a step
 * or path the --sandbox preset added names --sandbox. */
void cli_error_wrap(const struct cli_options *opts, struct nsrun_error *err);

#endif
