/* oci-id: run an OCI runtime with a fresh container id, at the cost of one
 * small exec. `oci-id PREFIX PATH ARG...` is execve(PATH, [PATH, ARG...],
 * environ) where every ARG that is exactly "@" becomes PREFIX followed by
 * this process's pid in decimal. hyperfine runs one fresh process per run,
 * so each run gets an id no earlier run of the benchmark used, and nothing
 * is left to clean up as long as `run` deletes its container (crun, runc and
 * nsrun all do, without --keep or --detach).
 *
 * For bench/oci.sh. No libc and no dynamic loader, so that the exec costs
 * as little as an exec can (bench/README.md: glibc's start-up alone is about
 * 0.2 ms per exec in this VM). Exit status 127 if PATH does not exist, 126
 * if it cannot be executed, 125 for bad usage.
 *
 * Build: cc -O2 -static -nostdlib -fno-stack-protector -o oci-id oci-id.c */
#include "raw_syscall.h"

#define SYS_getpid 39
#define MAX_ARGS 64

/* sp: the initial stack; argc, argv[argc], NULL, envp[], NULL. */
void __attribute__((used, noreturn)) oci_id_main(long *sp);

void oci_id_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	static char *args[MAX_ARGS + 1];
	static char id[128];

	if (argc < 3 || argc - 2 > MAX_ARGS)
		exit_group(125);
	/* id = PREFIX + pid */
	unsigned long n = 0;
	for (const char *p = argv[1]; *p; p++) {
		if (n >= sizeof(id) - 24)
			exit_group(125);
		id[n++] = *p;
	}
	char digits[24];
	int k = 0;
	unsigned long pid = (unsigned long)syscall3(SYS_getpid, 0, 0, 0);
	do {
		digits[k++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid);
	while (k)
		id[n++] = digits[--k];
	id[n] = 0;

	long m = 0;
	for (long i = 2; i < argc; i++)
		args[m++] = (argv[i][0] == '@' && argv[i][1] == 0) ? id : argv[i];
	args[m] = 0;
	long r = syscall3(SYS_execve, (long)args[0], (long)args, (long)envp);
	exit_group(EXEC_FAILED_STATUS(r));
}

RAW_ENTRY(oci_id_main);
