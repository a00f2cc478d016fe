/* raw_syscall.h: what bench/exec-shim.c and bench/oci-id.c need to run
 * without libc and without a dynamic loader: system calls by number, exit,
 * and the process entry point. They include it from their own directory, so
 * their build commands (cc -O2 -static -nostdlib -fno-stack-protector ...)
 * need no -I. */
#ifndef NSRUN_BENCH_RAW_SYSCALL_H
#define NSRUN_BENCH_RAW_SYSCALL_H

#if !defined(__x86_64__)
#error "bench/raw_syscall.h: x86_64 only"
#endif

#define SYS_execve 59
#define SYS_exit_group 231
#define ENOENT 2
#define ENOTDIR 20

static long syscall3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static void __attribute__((noreturn)) exit_group(int status)
{
	syscall3(SYS_exit_group, status, 0, 0);
	for (;;)
		;
}

/* The exit status for a failed execve that returned R, as a shell's: 127
 * when the path does not exist, 126 when it cannot be executed. */
#define EXEC_FAILED_STATUS(r) ((r) == -ENOENT || (r) == -ENOTDIR ? 127 : 126)

/* RAW_ENTRY(main): _start, which calls main(sp) with the initial stack
 * pointer (argc, argv[argc], NULL, envp[], NULL) and the stack aligned to
 * 16 bytes. Only this calls main, so declare it used; it must not return. */
#define RAW_ENTRY(main)                \
	__asm__(".text\n"              \
		".globl _start\n"      \
		"_start:\n\t"          \
		"xor %ebp, %ebp\n\t"   \
		"mov %rsp, %rdi\n\t"   \
		"and $-16, %rsp\n\t"   \
		"call " #main "\n\t"   \
		"hlt\n")

#endif
