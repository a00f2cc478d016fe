/* SPDX-License-Identifier: Apache-2.0 */
/* Setting up the sandbox from inside its namespaces, after the id maps are
 * written and before the command runs, in this order: mount propagation,
 * /proc, the new root, hostname and domain name, loopback, environment,
 * umask, user switch, working directory. */
#ifndef NSRUN_ENGINE_START_SETUP_H
#define NSRUN_ENGINE_START_SETUP_H

#include <nsrun/nsrun.h>

int sandbox_setup(const struct nsrun_spec *spec, struct nsrun_error *err);

#endif
