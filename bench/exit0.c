/* exit0: the cheapest program there is (no libc, no dynamic loader: the
 * entry point makes the exit system call). bench/reexec-cost.sh times a
 * fork + exec of it from a sealed memfd copy, the lower bound for what any
 * re-executed stage can cost.
 *
 * Build: cc -O2 -static -nostdlib -o exit0 exit0.c */
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "exit0.c: x86_64 and aarch64 only"
#endif

void _start(void);

void _start(void)
{
#if defined(__x86_64__)
	__asm__ volatile("mov $231, %eax\n\t" /* exit_group */
			 "xor %edi, %edi\n\t"
			 "syscall");
#else
	__asm__ volatile("mov x8, #94\n\t" /* exit_group */
			 "mov x0, #0\n\t"
			 "svc #0");
#endif
	for (;;)
		;
}
