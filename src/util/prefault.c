/* SPDX-License-Identifier: Apache-2.0 */
#include "util/prefault.h"

#include <elf.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/raw_syscall.h"

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
	 * use. Not syscall(3): before the C library's start (cli/entry.c)
	 * there is no errno to set. */
#if RAW_SYSCALL_AVAILABLE
	(void)raw_syscall3(SYS_madvise, (long)start, (long)(end - start), advice);
#else
	(void)syscall(SYS_madvise, start, end - start, advice);
#endif
}

/* Resolved by the linker: reaching it needs no relocation, which matters
 * before a static program has relocated itself. The name is the linker's. */
extern const Elf64_Ehdr
	__ehdr_start /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
	__attribute__((visibility("hidden")));

BEFORE_LIBC_START static const Elf64_Phdr *program_headers(void)
{
	return (const Elf64_Phdr *)((uintptr_t)&__ehdr_start + __ehdr_start.e_phoff);
}

/* Where the program is loaded: the address of its first byte's segment
 * less that segment's address in the file. */
BEFORE_LIBC_START static uintptr_t load_bias(void)
{
	const Elf64_Phdr *ph = program_headers();
	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			return (uintptr_t)&__ehdr_start - ph[i].p_vaddr;
	return (uintptr_t)&__ehdr_start;
}

/* The program's loaded segments that are writable, or those that are not;
 * of the writable one, from `from` on. */
BEFORE_LIBC_START static void prefault_segments(bool writable, uintptr_t from)
{
	const Elf64_Phdr *ph = program_headers();
	uintptr_t bias = load_bias();
	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_W) != !writable)
			continue;
		uintptr_t start = bias + ph[i].p_vaddr;
		uintptr_t end = start + (writable ? ph[i].p_memsz : ph[i].p_filesz);
		prefault_range(start > from ? start : from, end, writable);
	}
}

/* The end of the part of the writable segment that the C library makes
 * read-only once relocated: advice to write there would fail as a whole. */
static uintptr_t relro_end(void)
{
	const Elf64_Phdr *ph = program_headers();
	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_GNU_RELRO)
			return (load_bias() + ph[i].p_vaddr + ph[i].p_memsz + PAGE_SIZE_MIN - 1) &
			       ~(PAGE_SIZE_MIN - 1);
	return 0;
}

BEFORE_LIBC_START void prefault_program(void)
{
	prefault_segments(false, 0);
	prefault_segments(true, 0);
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

/* Below the caller's frame: what the deepest calls after it use (the
 * state's removal, the error paths' formatting). */
#define STACK_BELOW (64UL * 1024)

void prefault_after_child(void)
{
	/* The C library's: where the stack began. */
	extern void *
		__libc_stack_end; /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
	volatile char here = 0;
	prefault_range((uintptr_t)&here - STACK_BELOW, (uintptr_t)__libc_stack_end, true);
	prefault_segments(true, relro_end());
	prefault_heap();
}
