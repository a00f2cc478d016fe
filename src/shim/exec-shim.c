/* SPDX-License-Identifier: Apache-2.0 */
/* nsrun's exec shim: the last image a container's init runs before its
 * command, when the init stage ran in the cloned child instead of a sealed
 * re-executed copy of nsrun (src/engine/launch.c, init_runs_in_child).
 * nsrun embeds it and executes it from a sealed memfd, so the command's
 * execve starts from this image, never from nsrun's: a command that is
 * /proc/self/exe, or a script whose interpreter is, gets this program and
 * cannot reach the nsrun binary on the host (CVE-2019-5736). It also parks
 * a created OCI container, so that the container's PID 1 is this image
 * while it waits for `start`.
 *
 *   nsrun:exec MASK SYNC_FD FIFO_FD PATH ARGV0 ARG...
 *
 * MASK (hexadecimal, bit N-1 for signal N) becomes the signal mask first:
 * the stage ran with every signal blocked, and this image has no handlers.
 * SYNC_FD ("-": none), an OCI create's sync socket: say "ready" (the
 * frame holding "R": the init is parked), then read the launcher's commit
 * (the frame holding "C"); anything else (the create gave up) exits 125
 * quietly. FIFO_FD ("-": none): wait for start's byte on the exec fifo.
 * Both are closed before the exec. Then execve(PATH, [ARGV0, ARG...], environ), and
 * for a file without a #! line, /bin/sh PATH ARG... as execvp does.
 * Failure: one line on stderr, exit 127 (not found) or 126.
 *
 * No libc and no dynamic loader, so that it starts in microseconds; the
 * init stage has resolved PATH and checked the file, so the messages here
 * are for what those checks cannot see (a missing ELF interpreter, a noexec
 * mount) and races. Built freestanding (meson.build), x86_64 and aarch64. */

#define SHIM_ENOENT 2
#define SHIM_EINTR 4
#define SHIM_EACCES 13
#define SHIM_ENOTDIR 20
#define SHIM_ENOEXEC 8
#define SHIM_EPIPE 32
#define PR_SET_NAME 15
#define SHIM_EXIT_FAILURE 125
#define SHIM_EXIT_CANNOT_EXEC 126
#define SHIM_EXIT_NOT_FOUND 127

#if defined(__x86_64__)
#define SYS_read 0
#define SYS_write 1
#define SYS_close 3
#define SYS_execve 59
#define SYS_rt_sigprocmask 14
#define SYS_exit 60
#define SYS_prctl 157
#define SYS_exit_group 231

/* The kernel's initial stack: argc, argv[], NULL, envp[], NULL. */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n\t"
	"xor %ebp, %ebp\n\t"
	"mov %rsp, %rdi\n\t"
	"and $-16, %rsp\n\t"
	"call shim_main\n\t"
	"hlt\n");
#elif defined(__aarch64__)
#define SYS_read 63
#define SYS_write 64
#define SYS_close 57
#define SYS_execve 221
#define SYS_rt_sigprocmask 135
#define SYS_exit 93
#define SYS_prctl 167
#define SYS_exit_group 94

__asm__(".text\n"
	".globl _start\n"
	"_start:\n\t"
	"mov x29, #0\n\t"
	"mov x0, sp\n\t"
	"bl shim_main\n\t"
	"brk #0\n");
#else
#error "exec-shim.c: x86_64 and aarch64 only (meson.build builds it for those)"
#endif

#include "../util/raw_syscall.h"

static void __attribute__((noreturn)) leave(int status)
{
	raw_syscall3(SYS_exit_group, status, 0, 0);
	raw_syscall3(SYS_exit, status, 0, 0); /* a filter that refused exit_group */
	__builtin_trap();
}

static unsigned long length(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	unsigned long len = length(s);
	while (len > 0) {
		long n = raw_syscall3(SYS_write, 2, (long)s, (long)len);
		if (n == -SHIM_EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (unsigned long)n;
	}
}

/* strerror for what execve and read can say here; a number otherwise. */
static const char *reason(long e, char *buf)
{
	switch (e) {
	/* Lower case, as Go and runc say it: engines look for these words. */
	case SHIM_ENOENT: return "no such file or directory";
	case SHIM_EACCES: return "permission denied";
	case SHIM_ENOTDIR: return "Not a directory";
	case SHIM_ENOEXEC: return "Exec format error";
	case 1: return "Operation not permitted";
	case 5: return "Input/output error";
	case 7: return "Argument list too long";
	case 9: return "Bad file descriptor";
	case 12: return "Cannot allocate memory";
	case 21: return "Is a directory";
	case 26: return "Text file busy";
	case SHIM_EPIPE: return "Broken pipe";
	case 36: return "File name too long";
	case 40: return "Too many levels of symbolic links";
	case 80: return "Accessing a corrupted shared library";
	}
	char digits[24];
	int n = 0;
	unsigned long v = (unsigned long)e;
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && n < 20);
	const char *prefix = "error ";
	int i = 0;
	while (prefix[i]) {
		buf[i] = prefix[i];
		i++;
	}
	while (n > 0)
		buf[i++] = digits[--n];
	buf[i] = '\0';
	return buf;
}

static void __attribute__((noreturn)) fail(const char *what, const char *detail, long e, int status)
{
	char buf[32];
	put("nsrun: ");
	put(what);
	put(detail);
	put(": ");
	put(reason(e, buf));
	put("\n");
	leave(status);
}

/* A hexadecimal number of up to 16 digits. */
static unsigned long hex_arg(const char *s)
{
	unsigned long v = 0;
	for (int i = 0; s[i]; i++) {
		int d = s[i] >= '0' && s[i] <= '9'   ? s[i] - '0'
			: s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
						     : -1;
		if (d < 0 || i >= 16)
			leave(SHIM_EXIT_FAILURE);
		v = v << 4 | (unsigned long)d;
	}
	return v;
}

/* "-" is none, else a small decimal descriptor number. */
static long fd_arg(const char *s)
{
	if (s[0] == '-' && s[1] == '\0')
		return -1;
	long fd = 0;
	for (int i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i > 6)
			leave(SHIM_EXIT_FAILURE);
		fd = fd * 10 + (s[i] - '0');
	}
	return fd;
}

/* Read exactly len bytes; 0 on success, else -errno, or 1 at an early EOF. */
static long read_exact(long fd, unsigned char *p, long len)
{
	while (len > 0) {
		long n = raw_syscall3(SYS_read, fd, (long)p, len);
		if (n == -SHIM_EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			return 1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Write all of p; 0 on success, else -errno. */
static long write_all(long fd, const unsigned char *p, long len)
{
	while (len > 0) {
		long n = raw_syscall3(SYS_write, fd, (long)p, len);
		if (n == -SHIM_EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? n : -SHIM_EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

void __attribute__((used, noreturn)) shim_main(long *sp);

void shim_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 6)
		leave(SHIM_EXIT_FAILURE);
	unsigned long mask = hex_arg(argv[1]);
	raw_syscall4(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)&mask, 0, sizeof(mask));
	long sync_fd = fd_arg(argv[2]), fifo_fd = fd_arg(argv[3]);

	if (sync_fd >= 0) {
		/* ps and /proc/PID/comm name the parked init by its job. */
		raw_syscall3(SYS_prctl, PR_SET_NAME, (long)"nsrun:exec", 0);
		/* sync.c's frames: the length as a host-order uint32, then the
		 * message: "R" from us, "C" from the launcher. */
		const unsigned int one = 1;
		unsigned char frame[5], got[5] = { 0 };
		for (int i = 0; i < 4; i++)
			frame[i] = ((const unsigned char *)&one)[i];
		frame[4] = 'R';
		if (write_all(sync_fd, frame, 5) != 0)
			leave(SHIM_EXIT_FAILURE);
		frame[4] = 'C';
		if (read_exact(sync_fd, got, 5) != 0)
			leave(SHIM_EXIT_FAILURE);
		for (int i = 0; i < 5; i++)
			if (got[i] != frame[i])
				leave(SHIM_EXIT_FAILURE);
		raw_syscall3(SYS_close, sync_fd, 0, 0);
	}
	if (fifo_fd >= 0) {
		unsigned char c;
		long r = read_exact(fifo_fd, &c, 1);
		if (r != 0)
			fail("wait for start on the exec fifo", "", r > 0 ? SHIM_EPIPE : -r,
			     SHIM_EXIT_FAILURE);
		raw_syscall3(SYS_close, fifo_fd, 0, 0);
	}

	const char *path = argv[4];
	long r = raw_syscall3(SYS_execve, (long)path, (long)(argv + 5), (long)envp);
	if (r == -SHIM_ENOEXEC) {
		/* As execvp: a file the kernel cannot run is a shell script.
		 * argv[4..] becomes "/bin/sh", PATH, ARG... */
		argv[5] = (char *)path;
		argv[4] = (char *)"/bin/sh";
		raw_syscall3(SYS_execve, (long)argv[4], (long)(argv + 4), (long)envp);
		fail(path, ": cannot execute", SHIM_ENOEXEC, SHIM_EXIT_CANNOT_EXEC);
	}
	if (r == -SHIM_ENOENT || r == -SHIM_ENOTDIR)
		fail(path, "", -r, SHIM_EXIT_NOT_FOUND);
	fail(path, ": cannot execute", -r, SHIM_EXIT_CANNOT_EXEC);
}
