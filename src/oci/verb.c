/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs' command lines. See verb.h. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/verb.h"

/* Where the option lines of --help start their text, as in nsrun --help. */
#define HELP_COLUMN 25

/* getopt_long's tables for cmd: the long options (-h/--help added, then
 * the terminator) and the short ones ("+:" or ":" and the letters). */
static void getopt_tables(const struct oci_command *cmd, struct option *longopts, char *shortopts)
{
	char *s = shortopts;
	if (!cmd->anywhere)
		*s++ = '+';
	*s++ = ':';
	*s++ = 'h';
	size_t n = 0;
	for (const struct oci_option *o = cmd->options; o && o->name; o++) {
		longopts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
						 NULL, o->val };
		if (o->val < OCI_LONG_ONLY) {
			*s++ = (char)o->val;
			if (o->arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
}

/* Whether c is one of the short options' letters. */
static bool is_letter(const char *shortopts, int c)
{
	return c > 0 && c < OCI_LONG_ONLY && c != '+' && c != ':' && strchr(shortopts, c);
}

/* The option getopt_long stopped at, as the user wrote it: "--name"
 * (without any "=value") or "-c". */
static void option_text(char **argv, const char *shortopts, char *buf, size_t size)
{
	const char *arg = argv[optind - 1];
	/* An unknown letter, or a letter's missing value: the letter. A long
	 * option is the word before optind (a letter inside "-abc" need not
	 * be). */
	if (optopt > 0 && optopt < OCI_LONG_ONLY &&
	    (!is_letter(shortopts, optopt) || strncmp(arg, "--", 2) != 0)) {
		(void)snprintf(buf, size, "-%c", optopt); /* two characters: fits */
		return;
	}
	size_t len = strcspn(arg, "=");
	/* an option's name only goes into an error message: cut short is fine */
	(void)snprintf(buf, size, "%.*s", (int)len, arg);
}

static int option_error(const struct oci_command *cmd, int c, char **argv, const char *shortopts,
			struct nsrun_error *err)
{
	char text[128];
	option_text(argv, shortopts, text, sizeof(text));
	if (c == ':')
		return nsrun_fail(err, 0, "%s: option '%s' needs a value", cmd->verb, text);
	if (optopt >= OCI_LONG_ONLY || is_letter(shortopts, optopt))
		return nsrun_fail(err, 0, "%s: option '%s' takes no value", cmd->verb, text);
	return nsrun_fail(err, 0, "%s: unknown option '%s'", cmd->verb, text);
}

static void usage_line(const char *letters, const char *name, const char *arg, const char *help)
{
	char left[64];
	/* the longest option with its value is under 40 characters: fits */
	(void)snprintf(left, sizeof(left), "%s--%s%s%s", letters, name, arg ? " " : "",
		       arg ? arg : "");
	if (strlen(left) + 3 <= HELP_COLUMN)
		printf("  %-*s%s\n", HELP_COLUMN - 2, left, help);
	else
		printf("  %s\n%*s%s\n", left, HELP_COLUMN, "", help);
}

/* The verb's --help: synopsis, what it does, one line per option. */
static int usage(const struct oci_command *cmd, struct nsrun_error *err)
{
	const char *summary = oci_verb_summary(cmd->verb);
	printf("Usage: nsrun [GLOBAL OPTIONS] %s [OPTIONS]%s%s\n\n", cmd->verb,
	       cmd->operands[0] ? " " : "", cmd->operands);
	printf("%c%s.\n\nOptions:\n", toupper((unsigned char)summary[0]), summary + 1);
	for (const struct oci_option *o = cmd->options; o && o->name; o++) {
		char letters[8] = "    ";
		if (o->val < OCI_LONG_ONLY)
			(void)snprintf(letters, sizeof(letters), "-%c, ", o->val); /* fits */
		usage_line(letters, o->name, o->arg, o->help);
	}
	usage_line("-h, ", "help", NULL, "show this help and exit");
	return fflush(stdout) == 0 ? 0 : nsrun_fail(err, errno, "write stdout");
}

/* One option into opts: stored where its table says, or by cmd->take. */
static int take(const struct oci_command *cmd, int val, const char *value, void *opts,
		struct nsrun_error *err)
{
	for (const struct oci_option *o = cmd->options; o && o->name; o++) {
		if (o->val != val || !o->into || !opts)
			continue;
		char *at = (char *)opts + o->into - 1;
		if (o->arg)
			*(const char **)(void *)at = value;
		else
			*(bool *)(void *)at = true;
		return 0;
	}
	return cmd->take ? cmd->take(val, value, opts, err) : 0;
}

int oci_parse(const struct oci_command *cmd, int argc, char **argv, void *opts,
	      struct nsrun_error *err)
{
	size_t n = 0;
	while (cmd->options && cmd->options[n].name)
		n++;
	/* each option, then --help and the terminator; its letter and ':',
	 * then "+:h" and the NUL */
	struct option longopts[n + 2];
	char shortopts[2 * n + 4];
	getopt_tables(cmd, longopts, shortopts);
	/* The first error is reported, but only once every option is seen:
	 * --help anywhere wins. */
	bool help = false, failed = false;
	struct nsrun_error later;
	opterr = 0;
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		struct nsrun_error *e = failed ? &later : err;
		if (c == 'h')
			help = true;
		else if (c == '?' || c == ':')
			failed |= option_error(cmd, c, argv, shortopts, e) < 0;
		else
			failed |= take(cmd, c, optarg, opts, e) < 0;
	}
	if (help)
		return usage(cmd, err) < 0 ? -1 : 0;
	return failed ? -1 : optind;
}

int oci_parse_id(const struct oci_command *cmd, int argc, char **argv, void *opts, const char **id,
		 struct nsrun_error *err)
{
	int first = oci_parse(cmd, argc, argv, opts, err);
	if (first > 0 && first != argc - 1)
		return nsrun_fail(err, 0, "%s: expected exactly one container id", cmd->verb);
	if (first > 0)
		*id = argv[first];
	return first;
}

int oci_parse_load(const struct oci_command *cmd, const struct oci_globals *g, int argc,
		   char **argv, struct stored_container *ct, struct nsrun_error *err)
{
	const char *id = NULL;
	int first = oci_parse_id(cmd, argc, argv, NULL, &id, err);
	if (first > 0 && store_load(store_root(g->root), id, ct, err) < 0)
		return -1;
	return first;
}

int oci_parse_count(const char *option, const char *text, struct nsrun_error *err)
{
	char *end;
	long n = strtol(text, &end, 10);
	if (*end || n < 0 || n > 1000)
		return nsrun_fail(err, 0, "%s '%s': not a count", option, text);
	return (int)n;
}
