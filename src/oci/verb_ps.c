/* SPDX-License-Identifier: Apache-2.0 */
/* ps: the pids of a container's processes (those of its cgroup). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>

#include "oci/json.h"
#include "oci/procs.h"
#include "oci/verb.h"
#include "util/cleanup.h"

struct ps_opts {
	const char *format;
};

static const struct oci_command ps_command = {
	.verb = "ps",
	.operands = "ID [PS-ARGS...]",
	/* After the id, words are ps(1)'s: "ps ID -ef". */
	.anywhere = false,
	.options = OCI_OPTIONS({ "format", 'f', "FORMAT", "table (the default) or json",
				 OCI_INTO(struct ps_opts, format) }),
};

static int print_pids(const pid_t *pids, int n, bool json, struct nsrun_error *err)
{
	if (json) {
		cleanup_json json_t *a = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(a, json_integer(pids[i]));
		return oci_json_print(a, JSON_COMPACT, err);
	}
	printf("PID\n");
	for (int i = 0; i < n; i++)
		printf("%d\n", (int)pids[i]);
	return 0;
}

/* Whether pid is among the container's. */
static bool listed(pid_t pid, const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

#define PS_MAX_ARGS 64

/* The index of the PID column in ps(1)'s header, or -1. */
static int pid_column(char *header)
{
	char *save = NULL;
	int col = 0;
	for (char *w = strtok_r(header, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save), col++)
		if (strcmp(w, "PID") == 0)
			return col;
	return -1;
}

/* The pid in column `col` of a ps(1) line, or -1. */
static pid_t pid_in(char *line, int col)
{
	char *save = NULL, *w = strtok_r(line, " \t\n", &save);
	for (int i = 0; w && i < col; i++)
		w = strtok_r(NULL, " \t\n", &save);
	char *end;
	long pid = w ? strtol(w, &end, 10) : -1;
	return w && *end == '\0' && pid > 0 && pid <= INT_MAX ? (pid_t)pid : -1;
}

/* ps(1) run with the words after the id ("-ef", "-o pid,comm"): its
 * header, and its lines for the container's processes only, as runc
 * prints them. */
static int run_ps(char **args, int n_args, const pid_t *pids, int n, struct nsrun_error *err)
{
	char *argv[PS_MAX_ARGS + 2] = { 0 };
	int fds[2];
	if (n_args > PS_MAX_ARGS)
		return nsrun_fail(err, E2BIG, "ps: more than %d words for ps", PS_MAX_ARGS);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return nsrun_fail(err, errno, "ps");
	argv[0] = "ps";
	memcpy(argv + 1, args, (size_t)n_args * sizeof(char *));
	pid_t child = fork();
	if (child == 0) {
		if (dup2(fds[1], STDOUT_FILENO) >= 0)
			execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	FILE *out = child > 0 ? fdopen(fds[0], "r") : NULL;
	if (!out) {
		close(fds[0]);
		return nsrun_fail(err, errno, "ps: run ps");
	}
	char line[4096], copy[sizeof(line)];
	int col = -1;
	for (bool header = true; fgets(line, sizeof(line), out); header = false) {
		memcpy(copy, line, sizeof(line));
		if (header)
			col = pid_column(copy);
		if (header || (col >= 0 && listed(pid_in(copy, col), pids, n)))
			fputs(line, stdout);
	}
	(void)fclose(out); /* a pipe we only read */
	int status = 0;
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return nsrun_fail(err, 0, "ps: ps %s failed", args[0]);
	return col >= 0 ? 0 : nsrun_fail(err, 0, "ps: ps printed no PID column");
}

int verb_ps(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct ps_opts o = { .format = "table" };
	int first = oci_parse(&ps_command, argc, argv, &o, err);
	if (first <= 0)
		return first;
	/* Words after the id are ps(1)'s (runc passes them to ps; "-ef" is
	 * its default there, nsrun's is the pid list). */
	if (first >= argc)
		return nsrun_fail(err, 0, "ps: expected a container id");
	cleanup_store struct stored_container ct = { 0 };
	if (store_load(store_root(g->root), argv[first], &ct, err) < 0)
		return -1;
	pid_t pids[PROCS_MAX];
	int n = store_status(&ct) == OCI_STOPPED ? 0 : procs_cgroup_pids(&ct, pids, PROCS_MAX);
	if (n < 0) {
		pids[0] = ct.pid;
		n = 1;
	}
	bool json = strcmp(o.format, "json") == 0;
	if (!json && strcmp(o.format, "table") != 0)
		return nsrun_fail(err, 0, "ps: --format '%s': expected table or json", o.format);
	if (argc - first > 1 && !json)
		return run_ps(argv + first + 1, argc - first - 1, pids, n, err);
	return print_pids(pids, n, json, err);
}
