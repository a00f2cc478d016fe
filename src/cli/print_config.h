/* SPDX-License-Identifier: Apache-2.0 */
/* --print-config: the finished spec of a sandbox command line as the OCI
 * config.json that does the same (print_config.c: the process, the
 * namespaces, the controls; print_root.c: the root and the mounts).
 * Nothing is started. What config.json cannot say is refused, naming the
 * option. */
#ifndef NSRUN_CLI_PRINT_CONFIG_H
#define NSRUN_CLI_PRINT_CONFIG_H

#include <jansson.h>

#include "cli/options.h"

/* Write the config.json of opts->spec on stdout. */
int cli_print_config(const struct cli_options *opts, struct nsrun_error *err);

/* "--print-config: OPTION has no config.json equivalent". Returns -1. */
int print_config_refuse(struct nsrun_error *err, const char *option);

/* config.json's root and mounts, into config. */
int print_config_root(const struct cli_options *opts, json_t *config, struct nsrun_error *err);

/* Whether directory `path` of the sandbox exists, as far as can be told
 * before it is built: through the last step that mounts on it or above
 * it, else the rootfs. */
bool print_config_dir_exists(const struct nsrun_spec *spec, const char *path);

/* The host file a file of the sandbox comes from, into buf; false where a
 * fresh filesystem or nothing provides it. */
bool print_config_host_file(const struct nsrun_spec *spec, const char *path, char *buf,
			    size_t size);

#endif
