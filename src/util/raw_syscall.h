/* SPDX-License-Identifier: Apache-2.0 */
/* System calls without the C library, for code that runs where errno (a
 * thread-local variable) is not its own or there is no C library at all:
 * before the C library has started, on a helper thread that shares the
 * caller's thread pointer, in the freestanding exec shim. The kernel's
 * result: -errno on failure. No header included: the shim has none. */
#ifndef NSRUN_UTIL_RAW_SYSCALL_H
#define NSRUN_UTIL_RAW_SYSCALL_H

#if defined(__x86_64__)
#define RAW_SYSCALL_AVAILABLE 1

__attribute__((always_inline)) static inline long raw_syscall4(long n, long a, long b, long c,
							       long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "0"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
#define RAW_SYSCALL_AVAILABLE 1

__attribute__((always_inline)) static inline long raw_syscall4(long n, long a, long b, long c,
							       long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}
#else
#define RAW_SYSCALL_AVAILABLE 0
#endif

#if RAW_SYSCALL_AVAILABLE
__attribute__((always_inline)) static inline long raw_syscall3(long n, long a, long b, long c)
{
	return raw_syscall4(n, a, b, c, 0);
}
#endif

#endif
