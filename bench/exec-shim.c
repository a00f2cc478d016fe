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
#include "raw_syscall.h"

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
	exit_group(EXEC_FAILED_STATUS(r));
}

RAW_ENTRY(shim_main);
