/* The runc-compatible OCI runtime front end: nsrun [GLOBAL] VERB ... */
#ifndef NSRUN_OCI_OCI_H
#define NSRUN_OCI_OCI_H

#include <stdbool.h>

#include <nsrun/error.h>

/* Global flags, shared by every verb. */
struct oci_globals {
	const char *root;          /* state root */
	bool systemd_cgroup;
	const char *cgroup_manager; /* cgroupfs, systemd or disabled */
	bool debug;
};

/* Whether argv (past argv[0]) names an OCI verb, possibly after global
 * flags. */
bool oci_wants(int argc, char **argv);

/* Run the OCI front end; returns the exit status. */
int oci_main(int argc, char **argv);

/* Each verb: argc/argv start at the verb's name. */
int oci_create(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_run(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_start(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_state_cmd(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_list(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_kill(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_delete(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_ps(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_pause(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_exec(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_features(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);
int oci_spec(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err);

/* Connect to a --console-socket path (longer than sun_path through its
 * directory); returns the socket. */
int oci_connect_console(const char *path, struct nsrun_error *err);

/* Log a debug line (with --debug) to the --log destination. */
void oci_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
