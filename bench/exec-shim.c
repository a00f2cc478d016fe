/* exec-shim: a program with no libc and no dynamic loader that only executes
 * its arguments: `exec-shim PATH ARG...` is execve(PATH, [PATH, ARG...],
 * environ). Exit status 127 if PATH does not exist, 126 if it cannot be
 * executed. No PATH search.
 *
 * For bench/sandbox-cost.sh only: variant 4 of bench/reexec-variants.patch
 * runs the init stage in the cloned child (no re-exec of nsrun) and has the
 * command executed through a sealed memfd copy of this shim, so that the
 * command never starts from nsrun's own image (/proc/self/exe is the shim
 * while the command's execve runs). It measures what that costs.
 *
 * Build: cc -O2 -static -nostdlib -fno-stack-protector -o exec-shim exec-shim.c */
#if !defined(__x86_64__)
#error "exec-shim.c: x86_64 only"
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

/* sp: the initial stack; argc, argv[argc], NULL, envp[], NULL. */
void __attribute__((used, noreturn)) shim_main(long *sp);

void shim_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 2)
		exit_group(125);
	long r = syscall3(SYS_execve, (long)argv[1], (long)(argv + 1), (long)envp);
	exit_group(r == -ENOENT || r == -ENOTDIR ? 127 : 126);
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n\t"
	"xor %ebp, %ebp\n\t"
	"mov %rsp, %rdi\n\t"
	"and $-16, %rsp\n\t"
	"call shim_main\n\t"
	"hlt\n");
