/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: seccomp profiles parsed, checked field by field, compiled,
 * and installed in a child to see the profile's errno come back. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include <nsrun/reexec.h>

#include "engine/limits/seccomp.h"
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

/* The filter is installed in a re-executed stage of this program, not in a
 * plain fork: valgrind (tests/static/run.sh runs the unit tests under
 * memcheck) does not implement seccomp(2), and with --trace-children=no the
 * re-executed stage runs natively. Parsing and compiling, which are the
 * code under test here, stay in this process. The stage gets the compiled
 * program through a pipe and exits with the errno getppid(2) fails with (0
 * when it succeeds), or 100 and up when the program cannot be installed. */
#define STAGE_FILTERED "unit:filtered"

static int filtered_stage(int argc, char **argv)
{
	if (argc != 3)
		return 100;
	char *end1, *end2;
	long fd = strtol(argv[1], &end1, 10);
	unsigned long flags = strtoul(argv[2], &end2, 10);
	if (*end1 != '\0' || *end2 != '\0' || fd < 0 || fd > 65535)
		return 100;
	struct sock_filter prog[4096];
	size_t have = 0;
	for (;;) {
		ssize_t n = read((int)fd, (char *)prog + have, sizeof(prog) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 101;
		if (n == 0)
			break;
		have += (size_t)n;
		if (have == sizeof(prog))
			return 102;
	}
	if (have == 0 || have % sizeof(prog[0]) != 0)
		return 103;
	struct nsrun_seccomp *p =
		seccomp_from_program(prog, (unsigned)(have / sizeof(prog[0])), (unsigned)flags);
	struct nsrun_error e;
	int rc = 104;
	if (p && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && seccomp_install(p, 0, &e) == 0)
		rc = syscall(SYS_getppid) < 0 ? errno : 0;
	nsrun_seccomp_free(p);
	/* _exit: no exit-time sanitizer check under the filter being tested
	 * (LeakSanitizer stops the world with ptrace, which the default
	 * profile refuses: it spins). */
	_exit(rc);
}

/* Install p's program in a stage; its exit status as above, or -1. */
static int run_filtered(const struct nsrun_seccomp *p)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	size_t bytes = (size_t)p->prog_len * sizeof(p->prog[0]);
	/* Below the pipe's 64 KiB: the write completes with no reader yet. */
	int wrote = bytes < 65536 && write(fds[1], p->prog, bytes) == (ssize_t)bytes;
	close(fds[1]);
	if (!wrote) {
		close(fds[0]);
		return -1;
	}
	char fd_text[16], flags_text[16];
	(void)snprintf(fd_text, sizeof(fd_text), "%d", fds[0]);
	(void)snprintf(flags_text, sizeof(flags_text), "%u", p->flags);
	char *argv[] = { STAGE_FILTERED, fd_text, flags_text, NULL };
	struct nsrun_reexec_attr attr = { .inherit_fds = &fds[0], .n_inherit_fds = 1 };
	struct nsrun_error e;
	pid_t pid = nsrun_reexec_spawn(STAGE_FILTERED, argv, NULL, &attr, &e);
	close(fds[0]);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (nsrun_reexec_register(STAGE_FILTERED, filtered_stage) < 0)
		return 99;
	nsrun_reexec_dispatch(argc, argv);

	struct nsrun_seccomp *p =
		parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1,"
		      "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
		      "\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
		      "\"syscalls\":[{\"names\":[\"getppid\",\"no_such_call\"],\"action\":\"SCMP_"
		      "ACT_ERRNO\","
		      "\"errnoRet\":77},"
		      "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		      "{\"index\":0,\"value\":255,\"valueTwo\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		      "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	TAP_OK(p && p->n_rules == 3 && p->n_archs == 2 && p->flags == 4 &&
		       p->rules[0].errno_ret == 77 && p->rules[1].n_args == 1 &&
		       p->rules[1].args[0].value_two == 8,
	       "a full profile parses");
	TAP_OK(p && seccomp_compile(p, &err) == 0 && p->prog_len > 0,
	       "it compiles; an unknown name is skipped and a rule equal to the default ignored");
	int got = p ? run_filtered(p) : -1;
	TAP_OK(got == 77, "getppid fails with errnoRet 77 (stage status %d)", got);
	/* The launcher's interpreter of the program agrees with the kernel. */
	TAP_OK(p && !seccomp_allows(p, SYS_getppid) && seccomp_allows(p, SYS_getpid) &&
		       seccomp_allows(p, SYS_execveat),
	       "seccomp_allows: getppid denied, getpid and execveat allowed");
	TAP_OK(p && !seccomp_allows(p, SYS_personality),
	       "seccomp_allows: a call with an argument rule is not allowed whatever its "
	       "arguments");
	nsrun_seccomp_free(p);

	struct nsrun_seccomp *no_execveat = parse(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"execveat\"],"
		"\"action\":\"SCMP_ACT_ERRNO\"}]}");
	TAP_OK(no_execveat && !seccomp_allows(no_execveat, SYS_execveat),
	       "seccomp_allows: not before it is compiled");
	TAP_OK(no_execveat && seccomp_compile(no_execveat, &err) == 0 &&
		       !seccomp_allows(no_execveat, SYS_execveat) &&
		       seccomp_allows(no_execveat, SYS_execve),
	       "seccomp_allows: a profile denying execveat denies it, and only it");
	nsrun_seccomp_free(no_execveat);
	struct nsrun_seccomp *by_fd =
		parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"write\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":2,"
		      "\"op\":\"SCMP_CMP_GT\"}]}]}");
	TAP_OK(by_fd && seccomp_compile(by_fd, &err) == 0 && !seccomp_allows(by_fd, SYS_write) &&
		       seccomp_allows(by_fd, SYS_read),
	       "seccomp_allows: write refused above fd 2 is not allowed (the shim writes fd 3 up)");
	nsrun_seccomp_free(by_fd);
	TAP_OK(seccomp_allows(NULL, SYS_execveat), "seccomp_allows: no profile allows all");
	struct sock_filter bad_jump[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0),
					  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct nsrun_seccomp *bad = seccomp_from_program(bad_jump, 2, 0);
	TAP_OK(bad && !seccomp_allows(bad, SYS_read),
	       "seccomp_allows: a jump out of the program allows nothing");
	nsrun_seccomp_free(bad);

	struct nsrun_seccomp *d = nsrun_seccomp_default(&err);
	TAP_OK(d && d->prog_len > 100, "the built-in default is compiled in (%u instructions)",
	       d ? d->prog_len : 0);
	got = d ? run_filtered(d) : -1;
	TAP_OK(got == 0, "it allows ordinary calls (stage status %d)", got);
	TAP_OK(d && seccomp_allows(d, SYS_execveat) && seccomp_allows(d, SYS_read) &&
		       seccomp_allows(d, SYS_write) && seccomp_allows(d, SYS_close) &&
		       seccomp_allows(d, SYS_prctl) && seccomp_allows(d, SYS_rt_sigprocmask),
	       "seccomp_allows: the default lets the exec shim run");
	TAP_OK(d && !seccomp_allows(d, SYS_mount) && !seccomp_allows(d, 1000),
	       "seccomp_allows: the default denies mount and an unknown number");
	nsrun_seccomp_free(d);

	refused("{\"defaultAction\":", "p.json:1:", "a syntax error, with line and column");
	refused("{}", "defaultAction", "a missing defaultAction");
	refused("{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "unknown action 'SCMP_ACT_NOPE'",
		"an unknown action");
	refused("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "not supported", "SCMP_ACT_NOTIFY");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
		"architectures[0]", "an unknown architecture");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"FLAG_X\"]}", "flags[0]",
		"an unknown flag");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[1],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}",
		"syscalls[0].names[0]", "a name that is not a string");
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
