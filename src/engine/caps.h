/* Process capabilities: the few operations the engine needs, on raw
 * capget/capset (issue-free without libcap). */
#ifndef NSRUN_ENGINE_CAPS_H
#define NSRUN_ENGINE_CAPS_H

#include <stdbool.h>

#include <nsrun/error.h>

/* Whether `cap` is in the effective set. */
bool caps_have(int cap);

/* Empty the ambient and inheritable sets, keeping permitted and effective:
 * what the sealed re-exec carried over (keep_capabilities) must not reach
 * the command. */
int caps_clear_carried(struct nsrun_error *err);

/* Empty every set, ambient included. */
int caps_drop_all(struct nsrun_error *err);

#endif
