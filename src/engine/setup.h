/* Setting up the sandbox from inside its namespaces, after the id maps are
 * written and before the command runs: mount propagation, /proc. */
#ifndef NSRUN_ENGINE_SETUP_H
#define NSRUN_ENGINE_SETUP_H

#include <nsrun/nsrun.h>

int sandbox_setup(const struct nsrun_spec *spec, struct nsrun_error *err);

#endif
