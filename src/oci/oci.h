/* SPDX-License-Identifier: Apache-2.0 */
/* The runc-compatible OCI runtime front end: nsrun [GLOBAL] VERB ... */
#ifndef NSRUN_OCI_OCI_H
#define NSRUN_OCI_OCI_H

#include <stdbool.h>
#include <stddef.h>

#include <nsrun/error.h>

/* Global flags, shared by every verb. */
struct oci_globals {
	const char *root; /* state root; NULL: the default */
	const char *log_path; /* --log; NULL: none */
	const char *log_format; /* text or json (checked by oci_main) */
	const char *cgroup_manager; /* cgroupfs, systemd or disabled */
	bool systemd_cgroup;
	bool debug;
};

/* Parse the global flags before the verb into g. Returns the verb's index
 * in argv, or -1 when argv is no OCI command line: a word before the verb
 * that is not a global flag spelled out in full, a flag without its value,
 * "--", or no verb. */
int oci_globals_parse(int argc, char **argv, struct oci_globals *g);

/* Whether argv (past argv[0]) names an OCI verb, possibly after global
 * flags. */
bool oci_wants(int argc, char **argv);

/* Run the OCI front end; returns the exit status. */
int oci_main(int argc, char **argv);

/* A verb: argc/argv start at the verb's name. Returns its exit status, or
 * -1 with err filled. */
typedef int oci_verb_fn(const struct oci_globals *g, int argc, char **argv,
			struct nsrun_error *err);

/* The verbs, each in verb_NAME.c, each a row of main.c's table. */
oci_verb_fn verb_create, verb_start, verb_run, verb_state, verb_kill, verb_delete, verb_exec,
	verb_ps, verb_list, verb_features, verb_spec, verb_pause, verb_resume, verb_update,
	verb_events;

/* A verb's one-line summary from main.c's table; NULL for no verb. */
const char *oci_verb_summary(const char *name);

/* --log and --log-format of g: open the log. */
int oci_log_open(const struct oci_globals *g, struct nsrun_error *err);
/* Log an error line (the message a verb failed with). */
void oci_log_error(const char *msg);
/* Log a warning line (a poststart or poststop hook that failed). */
void oci_log_warning(const char *msg);
/* Log a debug line (with --debug). */
void oci_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oci_log_close(void);

/* The time now in RFC 3339 with nanoseconds, UTC ("...T10:00:00.123456789Z"). */
void oci_rfc3339_now(char *buf, size_t size);

/* Connect to a --console-socket path (longer than sun_path through its
 * directory); returns the socket. */
int oci_connect_console(const char *path, struct nsrun_error *err);

#endif
