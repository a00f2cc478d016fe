/* Unit tests: seccomp profiles parsed, checked field by field, compiled,
 * and installed in a child to see the profile's errno come back. */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/seccomp.h"
#include "tap.h"

static struct nsrun_error err;

static struct nsrun_seccomp *parse(const char *json)
{
	memset(&err, 0, sizeof(err));
	return nsrun_seccomp_parse(json, strlen(json), "p.json", &err);
}

static void refused(const char *json, const char *needle, const char *what)
{
	struct nsrun_seccomp *p = parse(json);
	TAP_OK(p == NULL, "refused: %s", what);
	TAP_CONTAINS(err.msg, needle, "and the error names it");
	nsrun_seccomp_free(p);
}

/* Install p in a child and return what getppid(2) and getpid(2) give there. */
static int run_filtered(struct nsrun_seccomp *p, int *ppid_errno)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct nsrun_error e;
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_install(p, 0, &e) < 0)
			_exit(100);
		int r = syscall(SYS_getppid) < 0 ? errno : 0;
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(101);
		_exit(0);
	}
	close(fds[1]);
	int status = -1;
	if (read(fds[0], ppid_errno, sizeof(*ppid_errno)) != sizeof(*ppid_errno))
		*ppid_errno = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	struct nsrun_seccomp *p = parse(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1,"
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
		"\"syscalls\":[{\"names\":[\"getppid\",\"no_such_call\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":77},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		"{\"index\":0,\"value\":255,\"valueTwo\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	TAP_OK(p && p->n_rules == 3 && p->n_archs == 2 && p->flags == 4 &&
	       p->rules[0].errno_ret == 77 && p->rules[1].n_args == 1 &&
	       p->rules[1].args[0].value_two == 8, "a full profile parses");
	TAP_OK(p && seccomp_compile(p, &err) == 0 && p->prog_len > 0,
	       "it compiles; an unknown name is skipped and a rule equal to the default ignored");
	int got = 0;
	TAP_OK(p && run_filtered(p, &got) == 0 && got == 77, "getppid fails with errnoRet 77 (%d)", got);
	nsrun_seccomp_free(p);

	struct nsrun_seccomp *d = nsrun_seccomp_default(&err);
	TAP_OK(d && d->prog_len > 100, "the built-in default is compiled in (%u instructions)",
	       d ? d->prog_len : 0);
	TAP_OK(d && run_filtered(d, &got) == 0 && got == 0, "it allows ordinary calls");
	nsrun_seccomp_free(d);

	refused("{\"defaultAction\":", "p.json:1:", "a syntax error, with line and column");
	refused("{}", "defaultAction", "a missing defaultAction");
	refused("{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "unknown action 'SCMP_ACT_NOPE'", "an unknown action");
	refused("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "not supported", "SCMP_ACT_NOTIFY");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
		"architectures[0]", "an unknown architecture");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"FLAG_X\"]}", "flags[0]",
		"an unknown flag");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[1],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}", "syscalls[0].names[0]", "a name that is not a string");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]}]}",
		"syscalls[0].action", "a rule without an action");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		"syscalls[0].args[0]", "an argument index past 5");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_XX\"}]}]}",
		"op must be one of", "an unknown operator");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":-1}", "defaultErrnoRet",
		"a negative errno");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/agent.sock\"}",
		"listenerPath", "a seccomp agent");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultAction\":\"SCMP_ACT_KILL\"}",
		"duplicate", "a duplicated key");
	return tap_done();
}
