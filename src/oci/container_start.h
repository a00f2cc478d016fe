/* SPDX-License-Identifier: Apache-2.0 */
/* What create and run share: their options, and a container made from a
 * bundle, parked on its exec fifo until start (create) or going on as
 * soon as it is made (run). */
#ifndef NSRUN_OCI_CONTAINER_START_H
#define NSRUN_OCI_CONTAINER_START_H

#include <stdbool.h>

#include <nsrun/error.h>

#include "oci/oci.h"
#include "oci/store.h"

struct create_opts {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	int preserve_fds;
	bool detach; /* run -d */
	bool keep; /* run --keep */
	bool start; /* run: the container starts as create commits, with no
	                     exec fifo to wait on */
	const char *id;
	int tty_sock; /* run -t without --console-socket: where the
	                     terminal goes, for nsrun to hold; -1: none */
};

/* Parse create's or run's command line (argv[0] is the verb) into o, as
 * oci_parse: 0 when it printed the help, -1 with err, else above 0. */
int create_parse_options(int argc, char **argv, bool is_run, struct create_opts *o,
			 struct nsrun_error *err);

/* Everything create sets up, recorded in ct (the caller frees it); on
 * failure nothing of it stays behind. */
int create_container(const struct oci_globals *g, const struct create_opts *o,
		     struct stored_container *ct, struct nsrun_error *err);

/* delete's work on a loaded container (run's own, at its end) in status
 * s: killed unless stopped, its scope and cgroups removed, then its state, then the
 * poststop hooks. -1 with err when a cgroup or scope stays (and so does
 * the state, for delete to try again). */
int delete_container(struct stored_container *ct, enum oci_status s, struct nsrun_error *err);

#endif
