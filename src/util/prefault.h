/* SPDX-License-Identifier: Apache-2.0 */
/* Taking the pages a process is about to use in one system call rather
 * than one fault each. Where a fault is a trap to a hypervisor (10 µs and
 * more on some virtual machines, against under 1 µs a page populated), the
 * faults of nsrun's own start were a tenth of a container's. Best effort
 * throughout: without MADV_POPULATE_* (Linux 5.14) pages fault as before. */
#ifndef NSRUN_UTIL_PREFAULT_H
#define NSRUN_UTIL_PREFAULT_H

#include <stdbool.h>
#include <stdint.h>

/* Code that runs before the C library has started: no stack protector
 * (there is no thread pointer yet) and no sanitizer. */
#define BEFORE_LIBC_START __attribute__((no_stack_protector, no_sanitize("address", "undefined")))

/* Make [start, end) present: writable when `write`, else readable. Only a
 * system call: safe before the C library has started. */
BEFORE_LIBC_START void prefault_range(uintptr_t start, uintptr_t end, bool write);

/* The loaded segments of the program (of libnsrun, in the shared
 * library). */
BEFORE_LIBC_START void prefault_program(void);

/* The heap malloc has taken from the system so far (it takes 128 KiB and
 * more at its first call, in one piece). */
void prefault_heap(void);

/* Once a child of fork has executed another program or exited, the pages
 * it shared are the caller's alone again, but each still faults at its
 * first write (12 µs here). Take back, at under 1 µs a page, the program's
 * data, the heap, and the stack from 64 KiB under the caller's frame to
 * its top. Not for a child of fork itself: copying what
 * the parent still shares costs about what the faults do. */
void prefault_after_child(void);

#endif
