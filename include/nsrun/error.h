/* nsrun error object: what failed, why, and the exit status it maps to.
 *
 * Every fallible libnsrun function returns -1 and fills a struct nsrun_error;
 * callers add nothing and pass it up; only the program's main() prints it. */
#ifndef NSRUN_ERROR_H
#define NSRUN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses, as docker, env and timeout use them. */
enum {
	NSRUN_EXIT_FAILURE = 125,      /* nsrun itself failed */
	NSRUN_EXIT_CANNOT_EXEC = 126,  /* the command exists but cannot run */
	NSRUN_EXIT_NOT_FOUND = 127,    /* the command was not found */
};

struct nsrun_error {
	int status; /* exit status this error maps to (125, 126 or 127) */
	int errnum; /* errno behind it, 0 when none */
	char msg[512]; /* "<what>: <why>", without the "nsrun: " prefix */
};

/* Fill err with "<fmt...>: strerror(errnum)" (or just fmt when errnum is 0)
 * and status 125; returns -1 so callers can `return nsrun_fail(...)`. */
int nsrun_fail(struct nsrun_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with an explicit exit status. */
int nsrun_fail_status(struct nsrun_error *err, int status, int errnum,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif
#endif
