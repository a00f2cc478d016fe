/* Filling struct nsrun_error: one line "<what>: <why>". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <nsrun/error.h>

static int fail_v(struct nsrun_error *err, int status, int errnum,
		  const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	size_t len = (size_t)n < sizeof(err->msg) ? (size_t)n : sizeof(err->msg) - 1;
	/* The message is one fixed-size line: a long one is cut short. */
	if (errnum != 0)
		(void)snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
			 strerror(errnum));
	/* One line whatever the input it quotes: an argument, a path or a
	 * config value with a newline in it cannot forge a second one. */
	for (char *c = err->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	err->status = status;
	err->errnum = errnum;
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

int nsrun_fail_status(struct nsrun_error *err, int status, int errnum,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}
