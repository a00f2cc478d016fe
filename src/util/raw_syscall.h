/* SPDX-License-Identifier: Apache-2.0 */
/* System calls without the C library, for code that runs where errno (a
 * thread-local variable) is not its own: before the C library has
 * started, or on a helper thread that shares the caller's thread pointer.
 * The kernel's result: -errno on failure. */
#ifndef NSRUN_UTIL_RAW_SYSCALL_H
#define NSRUN_UTIL_RAW_SYSCALL_H

#if defined(__x86_64__)
#define RAW_SYSCALL_AVAILABLE 1

__attribute__((always_inline)) static inline long raw_syscall3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "0"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}
#else
#define RAW_SYSCALL_AVAILABLE 0
#endif

#endif
