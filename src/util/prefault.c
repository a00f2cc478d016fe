/* SPDX-License-Identifier: Apache-2.0 */
#include "util/prefault.h"

#include <elf.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE_SIZE_MIN 4096UL

BEFORE_LIBC_START void prefault_range(uintptr_t start, uintptr_t end, bool write)
{
	start &= ~(PAGE_SIZE_MIN - 1);
	end = (end + PAGE_SIZE_MIN - 1) & ~(PAGE_SIZE_MIN - 1);
	if (end <= start)
		return;
	long advice = write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	/* What it could not populate faults as before: its result is of no
	 * use. */
#if defined(__x86_64__)
	/* Inline, not syscall(3), whose errno is thread-local: before the C
	 * library's start (cli/entry.c) there is no thread yet. */
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_madvise), "D"(start), "S"(end - start), "d"(advice)
			 : "rcx", "r11", "memory");
	(void)ret;
#else
	(void)syscall(SYS_madvise, start, end - start, advice);
#endif
}

/* Resolved by the linker: reaching it needs no relocation, which matters
 * before a static program has relocated itself. */
extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));

BEFORE_LIBC_START void prefault_program(bool writable_too)
{
	uintptr_t base = (uintptr_t)&__ehdr_start;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + __ehdr_start.e_phoff);
	uintptr_t bias = base;
	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			bias = base - ph[i].p_vaddr;
	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t start = bias + ph[i].p_vaddr;
		if (!(ph[i].p_flags & PF_W))
			prefault_range(start, start + ph[i].p_filesz, false);
		else if (writable_too)
			prefault_range(start, start + ph[i].p_memsz, true);
	}
}

void prefault_heap(void)
{
	/* The arena is made at the first call. */
	free(malloc(1));
	void *top = sbrk(0);
	struct mallinfo2 info = mallinfo2();
	if (top != (void *)-1 && info.arena > 0)
		prefault_range((uintptr_t)top - info.arena, (uintptr_t)top, true);
}
