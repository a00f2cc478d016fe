/* SPDX-License-Identifier: Apache-2.0 */
/* nsrun-systemd: the D-Bus calls of nsrun's systemd cgroup driver.
 *
 * nsrun is a static program and Debian ships no static libsystemd, so the
 * driver (src/engine/cgroup/systemd.c) runs this small helper, linked
 * against libsystemd's sd-bus, for each call:
 *
 *   nsrun-systemd [--user] ping                  the manager's Version
 *   nsrun-systemd [--user] start UNIT SLICE PID  a transient scope with PID
 *   nsrun-systemd [--user] set UNIT              runtime unit properties
 *   nsrun-systemd [--user] stop UNIT             stop it, reset its failure
 *
 * start and set read unit properties from stdin, one a line:
 * "NAME SIGNATURE VALUE...", SIGNATURE being t, u, b, s, ay (hexadecimal
 * bytes), a(st) or a(ss); lines of one array property accumulate.
 *
 * Errors: one line "nsrun-systemd: WHAT: WHY" on stderr and status 1;
 * usage errors status 2. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "util/cleanup.h"

#define DEST "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define MANAGER DEST ".Manager"
/* Longer than systemd's own default stop timeout (90 s, after which it
 * kills what is left): a job still running then is stuck. */
#define JOB_TIMEOUT_USEC (120ULL * 1000000ULL)

/* Scoped release of sd-bus objects and our own, as util/cleanup.h does. */
#define cleanup_with(f) __attribute__((cleanup(f)))

static int fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "nsrun-systemd: %s: ", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

/* The reason of a failed call: the bus error's text, else errno's. */
static const char *why(const sd_bus_error *e, int r)
{
	return sd_bus_error_is_set(e) && e->message ? e->message : strerror(-r);
}

/* --- properties from stdin ----------------------------------------------- */

/* nsrun sends a dozen lines at most; a bound keeps the parsing simple. */
#define MAX_LINES 256

struct line {
	const char *name, *sig, *value; /* into the input, split in place */
};

struct lines {
	char *input; /* all of stdin */
	struct line v[MAX_LINES];
	size_t n;
};

static void free_lines(struct lines *ls)
{
	free(ls->input);
}

static bool is_array(const char *sig)
{
	return sig[0] == 'a';
}

static bool known_sig(const char *sig)
{
	static const char *const sigs[] = { "t", "u", "b", "s", "ay", "a(st)", "a(ss)" };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(sig, sigs[i]) == 0)
			return true;
	return false;
}

/* Every non-empty line of stdin, split into NAME, SIGNATURE and the rest. */
static int read_lines(struct lines *ls)
{
	size_t cap = 0;
	/* Up to a NUL byte, which no property has: all of it. */
	if (getdelim(&ls->input, &cap, '\0', stdin) < 0 && ferror(stdin))
		return fail("read properties", "%s", strerror(errno));
	char *save = NULL;
	for (char *text = ls->input ? strtok_r(ls->input, "\r\n", &save) : NULL; text;
	     text = strtok_r(NULL, "\r\n", &save)) {
		char *sig = strchr(text, ' '), *value = sig ? strchr(sig + 1, ' ') : NULL;
		if (!value)
			return fail(text, "expected 'NAME SIGNATURE VALUE'");
		*sig++ = '\0';
		*value++ = '\0';
		if (!known_sig(sig))
			return fail(text,
				    "signature '%s' is not one of t, u, b, s, ay, a(st), a(ss)",
				    sig);
		if (ls->n == MAX_LINES)
			return fail("read properties", "more than %d lines", MAX_LINES);
		ls->v[ls->n++] = (struct line){ .name = text, .sig = sig, .value = value };
	}
	return 0;
}

static bool given(const struct lines *ls, const char *name)
{
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].name, name) == 0)
			return true;
	return false;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	if (strcmp(s, "infinity") == 0) {
		*out = UINT64_MAX;
		return true;
	}
	if (*s < '0' || *s > '9')
		return false; /* strtoull would take "-1" and " 1" */
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0f03" or "0f 03": the bytes 0x0f, 0x03, into the open array. */
static int append_bytes(sd_bus_message *m, const struct line *l)
{
	for (const char *p = l->value; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);
		if (lo < 0)
			return fail(l->name, "'%s' is not hexadecimal bytes", l->value);
		uint8_t byte = (uint8_t)(hi << 4 | lo);
		int r = sd_bus_message_append_basic(m, 'y', &byte);
		if (r < 0)
			return fail(l->name, "%s", strerror(-r));
		p += 2;
	}
	return 0;
}

/* One element of an a(st) or a(ss): "PATH VALUE". */
static int append_pair(sd_bus_message *m, const struct line *l)
{
	char first[PATH_MAX];
	const char *second = strchr(l->value, ' ');
	size_t len = second ? (size_t)(second - l->value) : 0;
	if (len == 0 || !second[1])
		return fail(l->name, "'%s': expected two values", l->value);
	if (len >= sizeof(first))
		return fail(l->name, "'%.64s...': %s", l->value, strerror(ENAMETOOLONG));
	memcpy(first, l->value, len);
	first[len] = '\0';
	second++;
	int r;
	if (strcmp(l->sig, "a(st)") == 0) {
		uint64_t v;
		if (!parse_u64(second, &v))
			return fail(l->name, "'%s' is not an unsigned 64-bit number", second);
		r = sd_bus_message_append(m, "(st)", first, v);
	} else {
		r = sd_bus_message_append(m, "(ss)", first, second);
	}
	return r < 0 ? fail(l->name, "%s", strerror(-r)) : 0;
}

static int append_scalar(sd_bus_message *m, const struct line *l)
{
	uint64_t v;
	int r;
	switch (l->sig[0]) {
	case 't':
		if (!parse_u64(l->value, &v))
			return fail(l->name, "'%s' is not an unsigned 64-bit number", l->value);
		r = sd_bus_message_append(m, "v", "t", v);
		break;
	case 'u':
		if (!parse_u64(l->value, &v) || v > UINT32_MAX)
			return fail(l->name, "'%s' is not an unsigned 32-bit number", l->value);
		r = sd_bus_message_append(m, "v", "u", (uint32_t)v);
		break;
	case 'b':
		if (strcmp(l->value, "true") != 0 && strcmp(l->value, "false") != 0)
			return fail(l->name, "'%s' is neither true nor false", l->value);
		r = sd_bus_message_append(m, "v", "b", (int)(strcmp(l->value, "true") == 0));
		break;
	default: /* s: the rest of the line, spaces included */
		r = sd_bus_message_append(m, "v", "s", l->value);
		break;
	}
	return r < 0 ? fail(l->name, "%s", strerror(-r)) : 0;
}

/* The property of lines[i] as one (sv) entry; an array takes every line
 * of that name. */
static int append_property(sd_bus_message *m, const struct lines *ls, size_t i)
{
	const struct line *l = &ls->v[i];
	int r = sd_bus_message_open_container(m, 'r', "sv");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", l->name);
	if (r < 0)
		return fail(l->name, "%s", strerror(-r));
	if (!is_array(l->sig)) {
		for (size_t j = i + 1; j < ls->n; j++)
			if (strcmp(ls->v[j].name, l->name) == 0)
				return fail(l->name, "given twice");
		if (append_scalar(m, l) != 0)
			return 1;
	} else {
		if ((r = sd_bus_message_open_container(m, 'v', l->sig)) < 0 ||
		    (r = sd_bus_message_open_container(m, 'a', l->sig + 1)) < 0)
			return fail(l->name, "%s", strerror(-r));
		for (size_t j = i; j < ls->n; j++) {
			const struct line *e = &ls->v[j];
			if (strcmp(e->name, l->name) != 0)
				continue;
			if (strcmp(e->sig, l->sig) != 0)
				return fail(l->name, "given as both %s and %s", l->sig, e->sig);
			r = strcmp(l->sig, "ay") == 0 ? append_bytes(m, e) : append_pair(m, e);
			if (r != 0)
				return r;
		}
		if ((r = sd_bus_message_close_container(m)) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0)
			return fail(l->name, "%s", strerror(-r));
	}
	r = sd_bus_message_close_container(m);
	return r < 0 ? fail(l->name, "%s", strerror(-r)) : 0;
}

/* The lines as (sv) entries of the open a(sv) of m: each name once, where
 * it first appears. */
static int append_lines(sd_bus_message *m, const struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(ls->v[j].name, ls->v[i].name) == 0;
		if (!seen && append_property(m, ls, i) != 0)
			return 1;
	}
	return 0;
}

/* --- jobs -------------------------------------------------------------------- */

struct job_wait {
	const char *job; /* the object path of the job we wait for */
	bool removed; /* its JobRemoved came */
	char result[32]; /* and said this: "done", "failed", "canceled", ... */
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	(void)ret_error;
	struct job_wait *w = userdata;
	uint32_t id;
	const char *path, *unit, *result;
	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0; /* not the signal we know: not ours */
	if (w->job && strcmp(path, w->job) == 0 && !w->removed) {
		w->removed = true;
		(void)snprintf(w->result, sizeof(w->result), "%s", result); /* longer: not "done" */
	}
	return 0;
}

static int now_usec(uint64_t *usec)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -errno;
	*usec = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
	return 0;
}

/* Wait for the JobRemoved of w->job: 0 when its result is "done". The
 * match was added before the call that made the job, so a signal that
 * came with the reply is already queued. */
static int wait_job(sd_bus *bus, struct job_wait *w, const char *what)
{
	uint64_t now = 0;
	int r = now_usec(&now);
	uint64_t deadline = now + JOB_TIMEOUT_USEC;
	while (r >= 0 && !w->removed) {
		r = sd_bus_process(bus, NULL);
		if (r != 0)
			continue; /* one message handled, or an error */
		if ((r = now_usec(&now)) < 0)
			break;
		if (now >= deadline)
			return fail(what, "job %s did not finish in %llu s", w->job,
				    (unsigned long long)(JOB_TIMEOUT_USEC / 1000000ULL));
		r = sd_bus_wait(bus, deadline - now);
	}
	if (r < 0)
		return fail(what, "waiting for job %s: %s", w->job, strerror(-r));
	if (strcmp(w->result, "done") != 0)
		return fail(what, "the job's result is '%s'", w->result);
	return 0;
}

static int watch_jobs(sd_bus *bus, sd_bus_slot **slot, struct job_wait *w, const char *what)
{
	int r = sd_bus_match_signal(bus, slot, DEST, PATH, MANAGER, "JobRemoved", on_job_removed,
				    w);
	return r < 0 ? fail(what, "watch for JobRemoved: %s", strerror(-r)) : 0;
}

/* --- commands --------------------------------------------------------------- */

static int cmd_ping(sd_bus *bus)
{
	cleanup_with(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_free char *version = NULL;
	int r = sd_bus_get_property_string(bus, DEST, PATH, MANAGER, "Version", &e, &version);
	if (r < 0)
		return fail("ping", "%s", why(&e, r));
	printf("%s\n", version);
	return fflush(stdout) == 0 ? 0 : fail("ping", "%s", strerror(errno));
}

/* The introspection data of a scope (init.scope: every manager, the
 * system's or a user's, has it), to learn which properties this manager's
 * scopes take. *xml points into *reply. */
static int scope_interface(sd_bus *bus, sd_bus_message **reply, const char **xml)
{
	cleanup_with(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sd_bus_call_method(bus, DEST, PATH "/unit/init_2escope",
				   "org.freedesktop.DBus.Introspectable", "Introspect", &e, reply,
				   "");
	if (r < 0)
		return fail("introspect init.scope", "%s", why(&e, r));
	r = sd_bus_message_read(*reply, "s", xml);
	if (r < 0)
		return fail("introspect init.scope", "%s", strerror(-r));
	return 0;
}

static bool has_property(const char *xml, const char *name)
{
	char attr[64];
	(void)snprintf(attr, sizeof(attr), "name=\"%s\"", name); /* our own short names */
	return strstr(xml, attr) != NULL;
}

/* What start adds itself, unless stdin names the property. */
static int append_own(sd_bus *bus, sd_bus_message *m, const struct lines *ls, const char *unit,
		      const char *slice, uint32_t pid)
{
	char desc[512];
	(void)snprintf(desc, sizeof(desc), "nsrun container %s", unit); /* cut if long: a text */
	int r = 0;
	if (!given(ls, "Description"))
		r = sd_bus_message_append(m, "(sv)", "Description", "s", desc);
	if (r >= 0 && !given(ls, "Slice"))
		r = sd_bus_message_append(m, "(sv)", "Slice", "s", slice);
	if (r >= 0 && !given(ls, "Delegate"))
		r = sd_bus_message_append(m, "(sv)", "Delegate", "b", 1);
	if (r >= 0 && !given(ls, "PIDs"))
		r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, pid);
	if (r >= 0 && !given(ls, "DefaultDependencies"))
		r = sd_bus_message_append(m, "(sv)", "DefaultDependencies", "b", 0);
	if (r < 0)
		return fail(unit, "%s", strerror(-r));
	/* IOAccounting where the manager has it, else the older name. */
	static const char *const accounting[] = { "MemoryAccounting", "CPUAccounting",
						  "IOAccounting", "BlockIOAccounting",
						  "TasksAccounting" };
	cleanup_with(sd_bus_message_unrefp) sd_bus_message *introspection = NULL;
	const char *xml = NULL;
	if (scope_interface(bus, &introspection, &xml) != 0 || !xml)
		return 1;
	bool io = false;
	for (size_t i = 0; i < sizeof(accounting) / sizeof(accounting[0]); i++) {
		const char *name = accounting[i];
		if (given(ls, name) || !has_property(xml, name) ||
		    (io && strcmp(name, "BlockIOAccounting") == 0))
			continue;
		io |= strcmp(name, "IOAccounting") == 0;
		r = sd_bus_message_append(m, "(sv)", name, "b", 1);
		if (r < 0)
			return fail(name, "%s", strerror(-r));
	}
	return 0;
}

static int parse_pid(const char *s, uint32_t *pid)
{
	uint64_t v;
	if (!parse_u64(s, &v) || v == 0 || v > INT_MAX)
		return fail("start", "'%s' is not a process id", s);
	*pid = (uint32_t)v;
	return 0;
}

static bool no_such_unit(const sd_bus_error *e)
{
	return sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit") ||
	       sd_bus_error_has_name(e, "org.freedesktop.systemd1.LoadFailed");
}

/* Send m, a call that makes a job (StartTransientUnit, StopUnit), and wait
 * for the job to end; the watch is set first, so that its end cannot be
 * missed. `verb` names the call in errors; with gone_ok a unit that does
 * not exist is success. */
static int run_job(sd_bus *bus, sd_bus_message *m, const char *unit, const char *verb, bool gone_ok)
{
	struct job_wait w = { 0 };
	cleanup_with(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	if (watch_jobs(bus, &slot, &w, unit) != 0)
		return 1;
	cleanup_with(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_with(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r = sd_bus_call(bus, m, 0, &e, &reply);
	if (r < 0)
		return gone_ok && no_such_unit(&e) ? 0 : fail(unit, "%s: %s", verb, why(&e, r));
	r = sd_bus_message_read(reply, "o", &w.job);
	if (r < 0)
		return fail(unit, "%s: reading the job: %s", verb, strerror(-r));
	return wait_job(bus, &w, unit);
}

static int cmd_start(sd_bus *bus, const char *unit, const char *slice, const char *pid_text)
{
	uint32_t pid = 0;
	cleanup_with(free_lines) struct lines ls = { 0 };
	if (parse_pid(pid_text, &pid) != 0 || read_lines(&ls) != 0)
		return 1;
	cleanup_with(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", unit, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r < 0)
		return fail(unit, "%s", strerror(-r));
	if (append_own(bus, m, &ls, unit, slice, pid) != 0 || append_lines(m, &ls) != 0)
		return 1;
	r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0); /* no auxiliary units */
	if (r < 0)
		return fail(unit, "%s", strerror(-r));

	return run_job(bus, m, unit, "start", false);
}

static int cmd_set(sd_bus *bus, const char *unit)
{
	cleanup_with(free_lines) struct lines ls = { 0 };
	if (read_lines(&ls) != 0)
		return 1;
	cleanup_with(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "SetUnitProperties");
	if (r >= 0)
		r = sd_bus_message_append(m, "sb", unit, 1); /* runtime: gone at reboot */
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r < 0)
		return fail(unit, "%s", strerror(-r));
	if (append_lines(m, &ls) != 0)
		return 1;
	r = sd_bus_message_close_container(m);
	if (r < 0)
		return fail(unit, "%s", strerror(-r));
	cleanup_with(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	r = sd_bus_call(bus, m, 0, &e, NULL);
	return r < 0 ? fail(unit, "set: %s", why(&e, r)) : 0;
}

static int cmd_stop(sd_bus *bus, const char *unit)
{
	cleanup_with(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "StopUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", unit, "replace");
	if (r < 0)
		return fail(unit, "%s", strerror(-r));
	if (run_job(bus, m, unit, "stop", true) != 0)
		return 1;
	/* A scope whose processes died badly stays "failed", its name taken,
	 * until reset; one that stopped cleanly is unloaded already. */
	cleanup_with(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "ResetFailedUnit", &e, NULL, "s", unit);
	if (r < 0 && !no_such_unit(&e))
		return fail(unit, "reset-failed: %s", why(&e, r));
	return 0;
}

static int usage(void)
{
	fputs("usage: nsrun-systemd [--user] ping\n"
	      "       nsrun-systemd [--user] start UNIT SLICE PID   (properties on stdin)\n"
	      "       nsrun-systemd [--user] set UNIT               (properties on stdin)\n"
	      "       nsrun-systemd [--user] stop UNIT\n",
	      stderr);
	return 2;
}

static void close_bus(sd_bus **bus)
{
	sd_bus_flush_close_unref(*bus);
}

/* The user's manager: through the user's D-Bus where one runs, else
 * straight to the manager's own socket, as systemctl --user does (a host
 * without dbus-user-session has no user bus). */
static int open_user_bus(sd_bus **bus)
{
	int r = sd_bus_open_user(bus);
	if (r >= 0)
		return r;
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char fallback[64], address[PATH_MAX];
	/* Only a plain path goes into a D-Bus address unescaped. */
	if (!dir || dir[0] != '/' ||
	    strspn(dir, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.-") != strlen(dir)) {
		(void)snprintf(fallback, sizeof(fallback), "/run/user/%u", (unsigned)getuid());
		dir = fallback;
	}
	int n = snprintf(address, sizeof(address), "unix:path=%s/systemd/private", dir);
	if (n < 0 || (size_t)n >= sizeof(address) || sd_bus_new(bus) < 0)
		return r;
	if (sd_bus_set_address(*bus, address) >= 0 && sd_bus_start(*bus) >= 0)
		return 0;
	*bus = sd_bus_unref(*bus);
	return r; /* the user bus's reason: where one is expected */
}

int main(int argc, char **argv)
{
	int i = 1;
	bool user = i < argc && strcmp(argv[i], "--user") == 0;
	i += user;
	if (i >= argc)
		return usage();
	const char *cmd = argv[i++];
	int n = argc - i;
	int want = strcmp(cmd, "ping") == 0    ? 0
		   : strcmp(cmd, "start") == 0 ? 3
		   : strcmp(cmd, "set") == 0   ? 1
		   : strcmp(cmd, "stop") == 0  ? 1
					       : -1;
	if (want < 0 || n != want)
		return usage();

	cleanup_with(close_bus) sd_bus *bus = NULL;
	int r = user ? open_user_bus(&bus) : sd_bus_open_system(&bus);
	if (r < 0)
		return fail(user ? "connect to the user bus" : "connect to the system bus", "%s",
			    strerror(-r));
	if (strcmp(cmd, "ping") == 0)
		return cmd_ping(bus);
	if (strcmp(cmd, "start") == 0)
		return cmd_start(bus, argv[i], argv[i + 1], argv[i + 2]);
	if (strcmp(cmd, "set") == 0)
		return cmd_set(bus, argv[i]);
	return cmd_stop(bus, argv[i]);
}
