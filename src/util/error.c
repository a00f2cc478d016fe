/* SPDX-License-Identifier: Apache-2.0 */
/* Filling, wrapping and printing struct nsrun_error: one line, "<what>: <why>". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nsrun/error.h>

/* One line whatever the input it quotes: an argument, a path or a config
 * value with a newline in it cannot forge a second one. */
static void one_line(char *msg)
{
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

static int fail_v(struct nsrun_error *err, int status, int errnum, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	size_t len = (size_t)n < sizeof(err->msg) ? (size_t)n : sizeof(err->msg) - 1;
	/* The message is one fixed-size line: a long one is cut short. */
	if (errnum != 0)
		(void)snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	one_line(err->msg);
	err->status = status;
	err->errnum = errnum;
	err->about = NSRUN_ABOUT_NOTHING;
	err->index = -1;
	return -1;
}

int nsrun_fail(struct nsrun_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, NSRUN_EXIT_FAILURE, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int nsrun_fail_status(struct nsrun_error *err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int nsrun_fail_about(struct nsrun_error *err, enum nsrun_about about, int index, int errnum,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, NSRUN_EXIT_FAILURE, errnum, fmt, ap);
	va_end(ap);
	return nsrun_error_about(err, about, index);
}

int nsrun_error_about(struct nsrun_error *err, enum nsrun_about about, int index)
{
	if (err && err->about == NSRUN_ABOUT_NOTHING) {
		err->about = about;
		err->index = index;
	}
	return -1;
}

int nsrun_error_wrap(struct nsrun_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return -1;
	char context[sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return -1;
	/* Cut short at the end, like every message. */
	size_t len = strnlen(context, sizeof(err->msg) - 1);
	size_t room = sizeof(err->msg) - 1 - len;
	char joined[sizeof(err->msg)];
	memcpy(joined, context, len);
	if (room >= 2) {
		memcpy(joined + len, ": ", 2);
		len += 2;
		size_t rest = strnlen(err->msg, room - 2);
		memcpy(joined + len, err->msg, rest);
		len += rest;
	}
	joined[len] = '\0';
	memcpy(err->msg, joined, len + 1);
	one_line(err->msg);
	return -1;
}

void nsrun_error_print(const struct nsrun_error *err)
{
	char line[sizeof(err->msg) + 16];
	int n = snprintf(line, sizeof(line), "nsrun: %s\n", err->msg);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	/* Best effort: nowhere else to say that stderr failed. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
