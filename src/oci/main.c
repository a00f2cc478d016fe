/* The OCI front end: global flags, logging as runc does it, verb dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "oci/oci.h"
#include "oci/store.h"

static const struct {
	const char *name;
	int (*fn)(const struct oci_globals *, int, char **, struct nsrun_error *);
} verbs[] = {
	{ "create", oci_create }, { "start", oci_start },     { "run", oci_run },
	{ "state", oci_state_cmd }, { "kill", oci_kill },     { "delete", oci_delete },
	{ "exec", oci_exec },     { "ps", oci_ps },           { "list", oci_list },
	{ "features", oci_features }, { "spec", oci_spec },   { "pause", oci_pause },
	{ "resume", oci_pause },
};

/* Global flags that take a value. */
static const char *const valued[] = { "--root", "--log", "--log-format", "--cgroup-manager",
				      "--rootless", "--log-level", "--criu", NULL };
static const char *const flags[] = { "--debug", "--systemd-cgroup", "--no-new-keyring", NULL };

static int log_fd = -1;
static bool log_json;
static bool log_debug;

static bool in(const char *const *list, const char *arg, size_t len)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == len && strncmp(list[i], arg, len) == 0)
			return true;
	return false;
}

/* The index of the verb in argv, or -1. */
static int find_verb(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-') {
			for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
				if (strcmp(a, verbs[k].name) == 0)
					return i;
			return -1;
		}
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		if (in(valued, a, len)) {
			if (!eq)
				i++;
		} else if (!in(flags, a, len)) {
			return -1;
		}
	}
	return -1;
}

bool oci_wants(int argc, char **argv)
{
	return find_verb(argc, argv) > 0;
}

static void log_line(const char *level, const char *msg)
{
	if (log_fd < 0)
		return;
	char *line = NULL;
	if (log_json) {
		char when[64];
		oci_rfc3339_now(when, sizeof(when));
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (text && asprintf(&line, "%s\n", text) < 0)
			line = NULL;
		free(text);
	} else if (asprintf(&line, "nsrun: %s: %s\n", level, msg) < 0) {
		line = NULL;
	}
	if (line) {
		ssize_t w = write(log_fd, line, strlen(line));
		(void)w;
		free(line);
	}
}

void oci_debug(const char *fmt, ...)
{
	if (!log_debug)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap); /* a debug line: cut short is fine */
	va_end(ap);
	log_line("debug", msg);
}

int oci_main(int argc, char **argv)
{
	struct oci_globals g = { .cgroup_manager = "cgroupfs" };
	struct nsrun_error err = { 0 };
	const char *log_path = NULL, *log_format = "text";
	int verb = find_verb(argc, argv);
	for (int i = 1; i < verb; i++) {
		/* value is read for a valued flag only, which find_verb saw with
		 * its value; "" rather than NULL says so to the analyzer. */
		const char *a = argv[i], *eq = strchr(a, '='), *value = "";
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		if (in(valued, a, len))
			value = eq ? eq + 1 : argv[++i];
		if (strncmp(a, "--root", len) == 0 && len == 6)
			g.root = value;
		else if (len == 5 && strncmp(a, "--log", 5) == 0)
			log_path = value;
		else if (len == 12 && strncmp(a, "--log-format", 12) == 0)
			log_format = value;
		else if (len == 16 && strncmp(a, "--cgroup-manager", 16) == 0)
			g.cgroup_manager = value;
		else if (len == 7 && strncmp(a, "--debug", 7) == 0)
			g.debug = log_debug = true;
		else if (len == 16 && strncmp(a, "--systemd-cgroup", 16) == 0)
			g.systemd_cgroup = true;
	}
	if (strcmp(log_format, "json") != 0 && strcmp(log_format, "text") != 0) {
		fprintf(stderr, "nsrun: --log-format '%s': expected text or json\n", log_format);
		return NSRUN_EXIT_FAILURE;
	}
	log_json = strcmp(log_format, "json") == 0;
	if (log_path) {
		log_fd = open(log_path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0) {
			fprintf(stderr, "nsrun: --log %s: %s\n", log_path, strerror(errno));
			return NSRUN_EXIT_FAILURE;
		}
	}
	int status = -1;
	if (strcmp(g.cgroup_manager, "systemd") == 0)
		g.systemd_cgroup = true;
	if (g.systemd_cgroup && access("/run/systemd/system", F_OK) < 0) {
		nsrun_fail(&err, 0, "--systemd-cgroup: systemd is not running on this host "
				    "(use --cgroup-manager cgroupfs)");
	} else if (strcmp(g.cgroup_manager, "cgroupfs") != 0 &&
		   strcmp(g.cgroup_manager, "systemd") != 0 &&
		   strcmp(g.cgroup_manager, "disabled") != 0) {
		nsrun_fail(&err, 0, "--cgroup-manager '%s': expected cgroupfs, systemd or disabled",
			   g.cgroup_manager);
	} else {
		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
			if (strcmp(argv[verb], verbs[k].name) == 0)
				status = verbs[k].fn(&g, argc - verb, argv + verb, &err);
	}
	if (status < 0) {
		log_line("error", err.msg);
		fprintf(stderr, "nsrun: %s\n", err.msg);
		status = err.status ? err.status : NSRUN_EXIT_FAILURE;
	}
	if (log_fd >= 0)
		close(log_fd);
	return status;
}
