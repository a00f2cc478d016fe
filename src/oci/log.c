/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI front end's log (--log, --log-format, --debug), as containerd and
 * conmon read runc's: the last error line is the one they report. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "oci/json.h"
#include "oci/oci.h"
#include "util/cleanup.h"
#include "util/timestamp.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug;

void oci_rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	timestamp_rfc3339(&ts, buf, size); /* callers' buffers hold its 30 characters */
}

int oci_log_open(const struct oci_globals *g, struct nsrun_error *err)
{
	if (strcmp(g->log_format, "json") != 0 && strcmp(g->log_format, "text") != 0)
		return nsrun_fail(err, 0, "--log-format '%s': expected text or json",
				  g->log_format);
	log_json = strcmp(g->log_format, "json") == 0;
	log_debug = g->debug;
	if (!g->log_path)
		return 0;
	log_fd = open(g->log_path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return nsrun_fail(err, errno, "--log %s", g->log_path);
	return 0;
}

void oci_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

/* One line: {"level":..,"msg":..,"time":..} or "nsrun: LEVEL: MSG". */
static char *format_line(const char *level, const char *msg)
{
	char *line = NULL;
	if (!log_json)
		return asprintf(&line, "nsrun: %s: %s\n", level, msg) < 0 ? NULL : line;
	char when[64];
	oci_rfc3339_now(when, sizeof(when));
	cleanup_json json_t *o =
		json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
	cleanup_free char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	return text && asprintf(&line, "%s\n", text) >= 0 ? line : NULL;
}

static void log_line(const char *level, const char *msg)
{
	if (log_fd < 0)
		return;
	cleanup_free char *line = format_line(level, msg);
	if (line) {
		ssize_t w = write(log_fd, line, strlen(line));
		(void)w; /* a log that cannot be written has nowhere to say so */
	}
}

void oci_log_error(const char *msg)
{
	log_line("error", msg);
}

void oci_log_warning(const char *msg)
{
	log_line("warning", msg);
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
