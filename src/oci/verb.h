/* SPDX-License-Identifier: Apache-2.0 */
/* What every OCI verb does alike: its options, parsed with getopt_long
 * from one table that also writes its --help, and its container id. */
#ifndef NSRUN_OCI_VERB_H
#define NSRUN_OCI_VERB_H

#include <stdbool.h>
#include <stddef.h>

#include <nsrun/error.h>

#include "oci/oci.h"
#include "oci/store.h"

/* The value of the first long-only option; short options use their
 * letter. */
#define OCI_LONG_ONLY 0x100

/* One option of a verb: getopt_long's name and value, the name of the
 * value it takes in --help (NULL: it takes none), its line there, and
 * where it goes in the verb's options (OCI_INTO), if it is only stored. */
struct oci_option {
	const char *name;
	int val;
	const char *arg;
	const char *help;
	size_t into;
};

/* An option stored in member of struct `type` (the verb's options): its
 * value, a const char *, or true, into a bool, for one that takes none. */
#define OCI_INTO(type, member) (offsetof(type, member) + 1)

/* A verb's option table, for .options: sized to its entries and ended by
 * one without a name. (Fixed-size arrays in every verb's command cost a
 * start pages of relocated data it never reads.) */
#define OCI_OPTIONS(...) ((const struct oci_option[]){ __VA_ARGS__, { 0 } })

/* A verb's command line. -h and --help are every verb's and not listed. */
struct oci_command {
	const char *verb;
	const char *operands; /* the synopsis after [OPTIONS]: "ID" */
	bool anywhere; /* options may follow operands; else the
	                               first operand ends them */
	/* Take one option not stored OCI_INTO (val, its value or NULL) into
	 * opts: 0, or -1 with err filled. NULL: there are none, or they are
	 * ignored. */
	int (*take)(int val, const char *value, void *opts, struct nsrun_error *err);
	/* OCI_OPTIONS(...), up to the first without a name; NULL: none. */
	const struct oci_option *options;
};

/* Parse the options of argv (argv[0] is the verb) into opts. -h or --help
 * anywhere among them prints the usage on stdout and returns 0. Otherwise
 * the index of the first operand, or -1 with err filled for the first
 * option in error (unknown, missing its value, or refused by take). */
int oci_parse(const struct oci_command *cmd, int argc, char **argv, void *opts,
	      struct nsrun_error *err);

/* oci_parse for a verb that takes exactly one container id: *id is it,
 * once the result is above 0. */
int oci_parse_id(const struct oci_command *cmd, int argc, char **argv, void *opts, const char **id,
		 struct nsrun_error *err);

/* oci_parse for a verb that acts on one stored container: that id loaded
 * from g's state root into ct, once the result is above 0. */
int oci_parse_load(const struct oci_command *cmd, const struct oci_globals *g, int argc,
		   char **argv, struct stored_container *ct, struct nsrun_error *err);

/* A count from 0 to 1000 (--preserve-fds), or -1 with err naming the
 * option. */
int oci_parse_count(const char *option, const char *text, struct nsrun_error *err);

#endif
