/* SPDX-License-Identifier: Apache-2.0 */
/* exec's process: its options, and the process they make from the
 * container's config (or a --process file) to start in the container's
 * namespaces, cgroups and security context. */
#ifndef NSRUN_OCI_EXEC_PROCESS_H
#define NSRUN_OCI_EXEC_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "oci/config.h"

struct exec_opts {
	const char *process_file;
	const char *pid_file;
	const char *console_socket;
	const char *cwd;
	const char *user;
	bool detach, tty, no_new_privs, ignore_paused;
	int preserve_fds;
	const char **env; /* -e NAME=VALUE, each as given */
	unsigned n_env;
	const char **caps;
	unsigned n_caps;
	const char **gids;
	unsigned n_gids;
	const char *id;
	char **args; /* the command, NULL-terminated; may be empty */
};

/* Parse exec's command line (argv[0] is "exec") into o, as oci_parse:
 * 0 when it printed the help, -1 with err, else above 0. */
int exec_parse_options(int argc, char **argv, struct exec_opts *o, struct nsrun_error *err);

/* Free the lists parse made. */
void exec_opts_free(struct exec_opts *o);

#define cleanup_exec_opts __attribute__((cleanup(exec_opts_free)))

/* Keep only the process side of the container's config: exec makes no
 * namespace, mount or cgroup of its own. */
void exec_strip_to_process(struct oci_config *cfg);

/* --process FILE: its process object replaces the config's whole, so
 * nothing the file leaves out is carried over from the config. */
int exec_use_process_file(struct oci_config *cfg, json_t *process, const char *what,
			  struct nsrun_error *err);

/* The options that change the process: the command, --cwd, --tty,
 * --no-new-privs, --user, --additional-gids, --cap and --env. */
int exec_apply_options(const struct exec_opts *o, struct oci_config *cfg, struct nsrun_error *err);

/* Join every namespace of the container's init (pid) that is not ours;
 * paths holds the names the spec's joins point at. */
int exec_join_namespaces(struct nsrun_spec *spec, pid_t pid, char paths[8][64],
			 struct nsrun_error *err);

#endif
