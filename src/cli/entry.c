/* SPDX-License-Identifier: Apache-2.0 */
/* The program's first instructions, before the C library's _start: map
 * nsrun's own pages in a few system calls instead of a fault each.
 *
 * On a virtual machine where a page fault is a trap to the hypervisor
 * (10 µs for an anonymous page on the machines this was measured on, 20
 * for a page of the program, against well under 1 µs a page populated),
 * the faults of one nsrun process were about 0.7 ms: the C library's own
 * start-up (relocation, tunables, CPU features) takes about 28 before
 * main. Linked with -e nsrun_entry (meson.build): x86_64, static build. */
#include <stdint.h>

#include "util/prefault.h"

void nsrun_prefault_image(uintptr_t sp) __attribute__((visibility("hidden")));

/* The stack the kernel maps below the arguments: 128 KiB (fs/exec.c),
 * less what the arguments' page may use. */
#define INITIAL_STACK (120UL * 1024)

/* No call into the C library: only the system calls of prefault_range. */
BEFORE_LIBC_START void nsrun_prefault_image(uintptr_t sp)
{
	prefault_program();
	prefault_range(sp - INITIAL_STACK, sp, true);
}

/* Entered with the stack as the kernel made it and %rdx as _start wants
 * it: kept in a register the call preserves, then handed on unchanged. */
__asm__(".text\n"
	".globl nsrun_entry\n"
	".type nsrun_entry, @function\n"
	"nsrun_entry:\n"
	"	mov %rdx, %r12\n"
	"	mov %rsp, %rdi\n"
	"	call nsrun_prefault_image\n"
	"	mov %r12, %rdx\n"
	"	jmp _start\n"
	".size nsrun_entry, . - nsrun_entry\n");
